//! The TypeScript bindings in ui/src/api/bindings.ts are generated from the Rust commands and
//! types. This test fails when they are stale; `cargo xtask bindings` (which sets
//! ZONGWU_UPDATE_BINDINGS=1) rewrites them.

use std::path::PathBuf;

#[test]
fn bindings_are_fresh() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/bindings.ts");
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("bindings.ts");
    zongwu_desktop::export_bindings(&generated).unwrap();
    let fresh = std::fs::read_to_string(&generated).unwrap();
    fresh_or_rewritten(&committed, &fresh, "the Rust commands or DTOs changed");
}

/// With ZONGWU_UPDATE_BINDINGS set, write `fresh` to `committed`; else require them equal.
fn fresh_or_rewritten(committed: &std::path::Path, fresh: &str, why: &str) {
    if std::env::var_os("ZONGWU_UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(committed.parent().unwrap()).unwrap();
        std::fs::write(committed, fresh).unwrap();
        println!("wrote {}", committed.display());
        return;
    }
    let current = std::fs::read_to_string(committed).unwrap_or_default();
    assert!(current == fresh, "{} is stale: {why}. Run `cargo xtask bindings` and commit the result.", committed.display());
}

/// The browser preview (ui/src/api/mock.ts) has no backend to ask what a role may do, so it
/// reads this fixture, written from the core's rule table: what each role may do, and the
/// statuses each role may move a need to from each status. Rewritten with the bindings.
#[test]
fn bindings_capability_fixture_is_fresh() {
    use zongwu_core::{Capabilities, Role};
    use zongwu_proto::rules::{may, need_transitions, Action};
    use zongwu_proto::NeedStatus;

    let mut roles = serde_json::Map::new();
    for role in Role::ALL {
        let caps = Capabilities::of_role(role);
        assert_eq!(caps.edit_roster, may(role, "officers", Action::Create));
        assert_eq!(caps.edit_units, may(role, "units", Action::Create));
        assert_eq!(caps.submit_need, may(role, "needs", Action::Create));
        assert_eq!(caps.review, may(role, "need_reviews", Action::Create));
        let transitions: serde_json::Map<String, serde_json::Value> = NeedStatus::ALL
            .into_iter()
            .map(|from| (from.as_str().to_string(), serde_json::json!(need_transitions(role, from))))
            .collect();
        roles.insert(role.as_str().into(), serde_json::json!({ "capabilities": caps, "transitions": transitions }));
    }
    let fresh = serde_json::to_string_pretty(&roles).unwrap() + "\n";
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/fixtures/capabilities.json");
    fresh_or_rewritten(&committed, &fresh, "the rule table changed");
}
