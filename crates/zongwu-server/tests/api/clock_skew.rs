//! (7) Clock skew against the real server. A desktop whose clock runs fast (+1 h, +1 day) stamps
//! its offline edits in the future; the server refuses them (409 `clock_skew`), and the client
//! re-stamps its unpushed outbox at the server's time and pushes again, so it is not stuck until
//! real time catches up and its edits never mask later ones. A desktop whose clock runs slow
//! (−1 h) stamps at the server's time once it has heard it, so its genuinely later writes win.
//! The skew stays flagged in `SyncReport::clock_offset_ms` either way.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};
use crate::sync_client::{desktop, insert_units};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Store};
use zongwu_proto::{Hlc, MAX_FORWARD_SKEW_MS};

/// The system clock set wrong by a fixed amount, as on a computer whose time was mis-set.
#[derive(Debug)]
struct SkewedClock(i64);

impl zongwu_core::Clock for SkewedClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.0
    }
}

fn real_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn rename(store: &Store, row: &str, name: &str) {
    let mut tx = store.begin_write(&Actor::local_admin()).await.unwrap();
    tx.update(Table::Units, row, json!({ "name": name })).await.unwrap();
    tx.commit().await.unwrap();
}

/// The name a desktop that pulls everything now sees for `row`.
async fn name_seen_by_a_fresh_desktop(app: &crate::helpers::TestApp, dir: &tempfile::TempDir, tag: &str, row: &str) -> String {
    let fresh = desktop(dir, &format!("fresh-{tag}")).await;
    let (c, _) = SyncClient::login(&app.base_url, &fresh, "admin", ADMIN_PASSWORD).await.unwrap();
    c.sync_once(&fresh).await.unwrap();
    let units = fresh.dump_table(Table::Units).await.unwrap();
    units.iter().find(|u| u["id"] == json!(row)).expect("the row reached the fresh desktop")["name"].as_str().unwrap().to_string()
}

async fn fast_clocks_recover_and_never_mask_later_writes(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let normal = desktop(&dir, "normal").await;
    let (cn, _) = SyncClient::login(&app.base_url, &normal, "admin", ADMIN_PASSWORD).await.unwrap();
    let row = insert_units(&normal, 1).await.remove(0);
    cn.sync_once(&normal).await.unwrap();

    for (name, ahead_ms) in [("hour", 3_600_000i64), ("day", 86_400_000)] {
        let fast = Store::open(&dir.path().join(format!("{name}.db")), Arc::new(SkewedClock(ahead_ms))).await.unwrap();
        let (cf, _) = SyncClient::login(&app.base_url, &fast, "admin", ADMIN_PASSWORD).await.unwrap();
        // It holds the shared row already (as if pulled before its clock went wrong), then edits
        // offline before it hears the server's time again: stamped a whole `name` in the
        // future, on rows of its own and on the shared row.
        let known: Vec<_> = normal.local_changes(0, 100).await.unwrap().into_iter().map(|(_, c)| c).collect();
        fast.merge_remote(&known).await.unwrap();
        let own = insert_units(&fast, 3).await;
        rename(&fast, &row, &format!("{name} ahead")).await;
        let future: Vec<_> = fast.local_changes(0, 100).await.unwrap();
        assert!(
            future.iter().all(|(_, c)| Hlc::parse(&c.hlc).unwrap().wall_ms > real_now() + MAX_FORWARD_SKEW_MS),
            "the offline edits carry stamps from the future"
        );

        let report = cf.sync_once(&fast).await.expect("a desktop whose clock ran {name} ahead recovers by itself");
        assert_eq!(report.pushed, 4, "every refused edit was re-stamped and pushed");
        assert_eq!(fast.pending_changes().await.unwrap(), 0, "its outbox is empty");
        let offset = report.clock_offset_ms.expect("the skew stays flagged");
        assert!((offset + ahead_ms).abs() < 60_000, "the flag says by how much ({offset} ms, {name} ahead)");

        // What the server holds is stamped at the server's time, and the rows carry those
        // stamps too (not the old future ones).
        let stored = app.pull_all(&app.admin_token, 1000).await;
        let mine: Vec<_> = stored.iter().filter(|c| c.device_id == fast.device_id()).collect();
        assert_eq!(mine.len(), 4);
        for c in &mine {
            let wall = Hlc::parse(&c.hlc).unwrap().wall_ms;
            assert!(wall <= real_now() + MAX_FORWARD_SKEW_MS, "stamps pushed after the correction are not in the future");
        }
        let pushed: std::collections::HashSet<&str> = mine.iter().map(|c| c.hlc.as_str()).collect();
        for unit in
            fast.dump_table(Table::Units).await.unwrap().iter().filter(|u| own.contains(&u["id"].as_str().unwrap().into()))
        {
            let clocks = zongwu_proto::merge::RowState::decode_clocks(unit, unit["updated_hlc"].as_str().unwrap()).unwrap();
            assert!(clocks.values().all(|h| pushed.contains(h.as_str())), "the row's column clocks were re-stamped");
        }

        // A later edit on this desktop goes through at once: its clock now stamps at server time.
        rename(&fast, &own[0], "edited after the correction").await;
        cf.sync_once(&fast).await.expect("no refusal any more");

        // A genuinely later write elsewhere (without having seen the fast one) still wins.
        tokio::time::sleep(Duration::from_millis(5)).await;
        rename(&normal, &row, &format!("later than the {name}-ahead desktop")).await;
        cn.push_once(&normal).await.unwrap();
        assert_eq!(
            name_seen_by_a_fresh_desktop(&app, &dir, name, &row).await,
            format!("later than the {name}-ahead desktop"),
            "the re-stamped write does not mask the later one"
        );
        cn.pull_once(&normal).await.unwrap();
    }
    assert_eq!(cn.sync_once(&normal).await.unwrap().clock_offset_ms, None, "a correct clock is not flagged");
}
both_backends!(fast_clocks_recover_and_never_mask_later_writes);

async fn slow_clocks_keep_their_later_writes(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let normal = desktop(&dir, "normal").await;
    let (cn, _) = SyncClient::login(&app.base_url, &normal, "admin", ADMIN_PASSWORD).await.unwrap();
    let row = insert_units(&normal, 1).await.remove(0);
    cn.sync_once(&normal).await.unwrap();

    let slow = Store::open(&dir.path().join("slow.db"), Arc::new(SkewedClock(-3_600_000))).await.unwrap();
    let (cs, _) = SyncClient::login(&app.base_url, &slow, "admin", ADMIN_PASSWORD).await.unwrap();
    let offset = cs.sync_once(&slow).await.unwrap().clock_offset_ms.expect("a clock an hour behind is flagged");
    assert!((offset - 3_600_000).abs() < 60_000, "{offset}");

    // normal writes first; slow writes later without having seen it. Only the slow clock's
    // own reading would put its write an hour before normal's.
    rename(&normal, &row, "the earlier write").await;
    cn.sync_once(&normal).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    rename(&slow, &row, "the later write, from a slow clock").await;
    let report = cs.sync_once(&slow).await.unwrap();
    assert!(report.clock_offset_ms.is_some(), "the skew stays flagged while the clock is wrong");
    assert_eq!(
        name_seen_by_a_fresh_desktop(&app, &dir, "slow", &row).await,
        "the later write, from a slow clock",
        "a slow clock's genuinely later write wins"
    );

    // The correction survives a restart.
    drop(cs);
    slow.close().await;
    drop(slow);
    let slow = Store::open(&dir.path().join("slow.db"), Arc::new(SkewedClock(-3_600_000))).await.unwrap();
    assert!((slow.hlc_now_ms() - real_now()).abs() < 60_000, "after a restart it still stamps at the server's time");
}
both_backends!(slow_clocks_keep_their_later_writes);
