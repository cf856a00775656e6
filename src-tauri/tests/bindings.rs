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
    if std::env::var_os("ZONGWU_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh).unwrap();
        println!("wrote {}", committed.display());
        return;
    }
    let current = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        current == fresh,
        "ui/src/api/bindings.ts is stale: the Rust commands or DTOs changed. Run `cargo xtask bindings` and commit the result."
    );
}
