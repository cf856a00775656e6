//! Issue #8: snapshot bootstrap and compaction, on both backends.
//!
//! - A desktop bootstrapped from the server's snapshot equals one that replayed the whole log:
//!   with a quiet server, with pushes landing while the snapshot's pages are read, and after
//!   the log was compacted.
//! - A desktop whose cursor is below the compaction horizon gets 409 `cursor_compacted`,
//!   bootstraps again by itself and ends with the same tables; its own unpushed edits go up,
//!   resends of compacted changes are still replays, refusals are still remembered.
//! - An officer's snapshot holds what their pull would: rows moved in, not rows moved out.

use crate::both_backends;
use crate::helpers::{change, spawn_app, Backend, TestApp, ADMIN_PASSWORD};
use crate::sync_client::{comparable, desktop, insert_units};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use zongwu_core::store::Table;
use zongwu_core::sync::{SyncClient, SyncError};
use zongwu_core::{Actor, Store};
use zongwu_proto::api::{CompactResponse, ErrorCode};

/// Every synced table of `store`, tombstones reduced to their existence.
async fn tables(store: &Store) -> Vec<(&'static str, Vec<Map<String, Value>>)> {
    let mut out = Vec::new();
    for t in Table::ALL {
        out.push((t.name(), comparable(store.dump_table(t).await.unwrap())));
    }
    out
}

async fn compact(app: &TestApp, keep_secs: i64) -> CompactResponse {
    let resp = app
        .http
        .post(app.url("/api/v1/sync/compact"))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "keep_secs": keep_secs }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "the admin compacts: {}", resp.text().await.unwrap_or_default());
    resp.json().await.unwrap()
}

/// Updates, deletes and re-inserts over `ids`, one local transaction per round: a history
/// several times longer than the live rows. Round `r` deletes the rows round `r + 1`
/// re-inserts, so a later call goes on from the round the previous one stopped at.
async fn write_history(store: &Store, ids: &[String], rounds: std::ops::Range<usize>, tag: &str) {
    let actor = Actor::local_admin();
    for round in rounds {
        let mut tx = store.begin_write(&actor).await.unwrap();
        for (i, id) in ids.iter().enumerate() {
            match (i + round) % 10 {
                0 => tx.delete(Table::Units, id).await.unwrap(),
                1 if round > 0 => {
                    // Re-insert what the previous round deleted: a second life.
                    tx.insert(Table::Units, id, None, json!({"code": format!("{tag}R{round}-{i}"), "name": "重建"}))
                        .await
                        .unwrap()
                }
                2..=6 => tx.update(Table::Units, id, json!({"name": format!("{tag} 第{round}轮 {i}")})).await.map(drop).unwrap(),
                7 => tx.update(Table::Units, id, json!({"kind": (["office", "service"][round % 2])})).await.map(drop).unwrap(),
                _ => {}
            }
        }
        tx.commit().await.unwrap();
    }
}

/// A fresh desktop that replays the whole log from cursor 0 (no snapshot): the reference.
async fn full_replay(app: &TestApp, dir: &tempfile::TempDir, name: &str) -> Store {
    let store = desktop(dir, name).await;
    let (client, _) = SyncClient::login(&app.base_url, &store, "admin", ADMIN_PASSWORD).await.unwrap();
    let report = client.pull_once(&store).await.expect("a full replay of an uncompacted log");
    assert_eq!(report.snapshot_rows, 0, "pull_once replays the log, it never bootstraps");
    store
}

async fn saved_cursor(store: &Store) -> String {
    sqlx::query_scalar("SELECT value FROM meta WHERE key = 'sync_cursor'").fetch_one(store.pool()).await.unwrap()
}

async fn snapshot_bootstrap_equals_a_full_replay(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let a = desktop(&dir, "a").await;
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let ids = insert_units(&a, 1200).await;
    write_history(&a, &ids, 0..3, "A").await;
    ca.sync_once(&a).await.unwrap();

    let replay = full_replay(&app, &dir, "replay").await;
    let b = desktop(&dir, "b").await;
    let (cb, _) = SyncClient::login(&app.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    let cb = cb.with_page(250);
    assert!(SyncClient::needs_bootstrap(&b).await.unwrap(), "a new desktop has no cursor");
    let report = cb.sync_once(&b).await.unwrap();
    assert_eq!(report.snapshot_rows, 1200, "the snapshot holds each row once, tombstones included, not its history");
    assert_eq!(report.pages, 5 + 1, "1,200 rows in pages of 250, then one (empty) pull page");
    assert!(!SyncClient::needs_bootstrap(&b).await.unwrap(), "the bootstrap ends with a cursor");
    let expected = tables(&replay).await;
    assert_eq!(tables(&b).await, expected, "the snapshot bootstrap ends where a full replay ends");
    assert_eq!(tables(&a).await, expected, "and where the desktop that wrote it all is");

    // From the snapshot's cursor the desktop follows the log like any other.
    write_history(&a, &ids, 3..4, "B").await;
    ca.sync_once(&a).await.unwrap();
    let again = cb.sync_once(&b).await.unwrap();
    assert_eq!(again.snapshot_rows, 0, "a bootstrapped desktop pulls on, it does not bootstrap again");
    assert!(again.pulled > 0);
    assert_eq!(tables(&b).await, tables(&a).await);
}
both_backends!(snapshot_bootstrap_equals_a_full_replay);

/// A snapshot read while pushes land: rows edited, created and deleted between and during its
/// pages. The desktop follows the log from the snapshot's sequence afterwards and ends equal to
/// a full replay: nothing missed, nothing twice.
async fn a_snapshot_taken_while_pushes_land_misses_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let a = desktop(&dir, "a").await;
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let ids = insert_units(&a, 1500).await;
    ca.sync_once(&a).await.unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let pushes = Arc::new(AtomicUsize::new(0));
    let pusher = {
        let (stop, pushes, ids) = (stop.clone(), pushes.clone(), ids.clone());
        tokio::spawn(async move {
            let actor = Actor::local_admin();
            let mut round = 0usize;
            while !stop.load(Ordering::SeqCst) {
                // Rows all over the key range, so some land in pages already read and some in
                // pages still to come; an edit the row's state refuses (deleting a deleted row)
                // is dropped with its transaction.
                for k in 0..15 {
                    let i = (round * 97 + k * 101) % ids.len();
                    let mut tx = a.begin_write(&actor).await.unwrap();
                    let done = match k % 5 {
                        0 => tx.delete(Table::Units, &ids[i]).await,
                        1 => {
                            tx.insert(Table::Units, &ids[i], None, json!({"code": format!("N{round}-{k}"), "name": "重建"})).await
                        }
                        _ => tx.update(Table::Units, &ids[i], json!({"name": format!("并发 {round}-{k}")})).await.map(drop),
                    };
                    if done.is_ok() {
                        tx.commit().await.unwrap();
                    }
                }
                let mut tx = a.begin_write(&actor).await.unwrap();
                tx.insert(Table::Units, &zongwu_core::store::new_id(), None, json!({"code": format!("X{round}"), "name": "新"}))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                ca.push_once(&a).await.unwrap();
                pushes.fetch_add(1, Ordering::SeqCst);
                round += 1;
            }
            (a, ca)
        })
    };
    while pushes.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    let b = desktop(&dir, "b").await;
    let (cb, _) = SyncClient::login(&app.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    let cb = cb.with_page(40);
    let before = pushes.load(Ordering::SeqCst);
    let report = cb.bootstrap(&b).await.unwrap();
    let during = pushes.load(Ordering::SeqCst) - before;
    stop.store(true, Ordering::SeqCst);
    let (a, ca) = pusher.await.unwrap();
    assert!(report.pages > 30, "the snapshot took many pages ({})", report.pages);
    assert!(during >= 2, "pushes landed while the snapshot was read ({during})");

    ca.sync_once(&a).await.unwrap();
    cb.sync_once(&b).await.unwrap();
    let replay = full_replay(&app, &dir, "replay").await;
    let expected = tables(&replay).await;
    assert_eq!(tables(&b).await, expected, "the snapshot plus the log after it equals a full replay");
    assert_eq!(tables(&a).await, expected);
    let (rows, distinct): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT id) FROM units").fetch_one(b.pool()).await.unwrap();
    assert_eq!(rows, distinct, "no row twice");
}
both_backends!(a_snapshot_taken_while_pushes_land_misses_nothing);

/// Compaction leaves a log that holds only live values; a snapshot after it equals the full
/// replay made before it, and desktops go on syncing.
async fn a_snapshot_after_compaction_equals_the_full_replay(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let a = desktop(&dir, "a").await;
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let ids = insert_units(&a, 1000).await;
    write_history(&a, &ids, 0..4, "A").await;
    ca.sync_once(&a).await.unwrap();
    let replay = full_replay(&app, &dir, "replay").await;
    let (cr, _) = SyncClient::login(&app.base_url, &replay, "admin", ADMIN_PASSWORD).await.unwrap();
    let logged = app.pull_all(&app.admin_token, 1000).await.len() as u64;

    let untouched = compact(&app, 3600).await;
    assert_eq!((untouched.horizon, untouched.removed), (0, 0), "nothing is an hour old yet");
    let done = compact(&app, 0).await;
    assert_eq!(done.examined, logged, "every change so far is at or below the horizon");
    assert!(done.removed > logged / 2, "most of the history goes ({} of {logged})", done.removed);
    assert!(done.trimmed > 0, "inserts lose their overwritten columns");
    let again = compact(&app, 0).await;
    assert_eq!(
        (again.horizon, again.removed, again.trimmed),
        (done.horizon, 0, 0),
        "after a compaction no superseded value and no dead row's history is left below the horizon"
    );
    assert_eq!(again.examined, done.examined - done.removed);
    let (status, body) = app.pull_page(&app.admin_token, 0, 1000).await.unwrap_err();
    assert_eq!((status, body.code), (StatusCode::CONFLICT, ErrorCode::CursorCompacted), "the log below the horizon is gone");

    let b = desktop(&dir, "b").await;
    let (cb, _) = SyncClient::login(&app.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    assert_eq!(cb.sync_once(&b).await.unwrap().snapshot_rows, 1000);
    assert_eq!(tables(&b).await, tables(&replay).await, "a bootstrap after compaction equals the replay made before it");

    // Life goes on: a cursor at the horizon pulls on without a 409.
    write_history(&a, &ids, 4..5, "B").await;
    ca.sync_once(&a).await.unwrap();
    let report = cr.sync_once(&replay).await.unwrap();
    assert!(!report.rebootstrapped, "the replaying desktop's cursor was at the horizon, not below it");
    cb.sync_once(&b).await.unwrap();
    let expected = tables(&a).await;
    assert_eq!(tables(&b).await, expected);
    assert_eq!(tables(&replay).await, expected);
}
both_backends!(a_snapshot_after_compaction_equals_the_full_replay);

/// A cursor below the horizon: 409 `cursor_compacted`, the desktop bootstraps again by itself,
/// pushes its own offline edits, and ends with the tables everyone has. Resends of compacted
/// changes stay replays; a refused change resent after compaction is refused again.
async fn a_cursor_below_the_horizon_rebootstraps_to_identical_tables(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let a = desktop(&dir, "a").await;
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let ids = insert_units(&a, 800).await;
    ca.sync_once(&a).await.unwrap();
    let c = desktop(&dir, "c").await;
    let (cc, _) = SyncClient::login(&app.base_url, &c, "admin", ADMIN_PASSWORD).await.unwrap();
    cc.sync_once(&c).await.unwrap();
    let old_cursor = saved_cursor(&c).await;

    // An officer's refused change, remembered by the server.
    let officer = app.user_token("officer1", "officer", Some("unit-1"), "officer-device").await;
    let refused = change("officer-device", 1, "units", Some("unit-1"));
    let first = app.push_answer(&officer, "officer-device", std::slice::from_ref(&refused)).await.unwrap();
    assert_eq!(first.refused.len(), 1);

    write_history(&a, &ids, 0..3, "A").await;
    ca.sync_once(&a).await.unwrap();
    let done = compact(&app, 0).await;
    assert!(done.removed > 0);

    // c edits offline meanwhile.
    let mut tx = c.begin_write(&Actor::local_admin()).await.unwrap();
    tx.update(Table::Units, &ids[3], json!({"name": "c 离线修改"})).await.unwrap();
    tx.insert(Table::Units, &zongwu_core::store::new_id(), None, json!({"code": "C-NEW", "name": "c 新建"})).await.unwrap();
    tx.commit().await.unwrap();

    let (epoch, seq) = old_cursor.rsplit_once(':').unwrap();
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/sync/pull?cursor={seq}&epoch={epoch}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let body: zongwu_proto::api::ErrorBody = resp.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::CursorCompacted, "a cursor below the horizon has its own code");
    let err = cc.pull_once(&c).await.expect_err("the old cursor cannot be followed");
    assert!(matches!(err, SyncError::CursorCompacted(_)), "{err:?}");

    let report = cc.sync_once(&c).await.unwrap();
    assert!(report.rebootstrapped, "the desktop bootstraps again by itself");
    assert_eq!(report.pushed, 2, "its offline edits went up, nothing else was offered again");
    assert!(report.snapshot_rows > 0);
    ca.sync_once(&a).await.unwrap();
    cc.sync_once(&c).await.unwrap();
    let fresh = desktop(&dir, "fresh").await;
    let (cf, _) = SyncClient::login(&app.base_url, &fresh, "admin", ADMIN_PASSWORD).await.unwrap();
    cf.sync_once(&fresh).await.unwrap();
    let expected = tables(&fresh).await;
    assert_eq!(tables(&c).await, expected, "after the re-bootstrap the tables are identical");
    assert_eq!(tables(&a).await, expected);
    let row = expected[0].1.iter().find(|r| r["id"] == json!(ids[3])).unwrap();
    assert_eq!(row["name"], json!("c 离线修改"), "the offline edit, later than everything, won everywhere");

    // A lost answer after compaction: every change resent, compacted ones included.
    a.unmark_pushed_from(1).await.unwrap();
    let resent = ca.push_once(&a).await.expect("a resend of compacted changes is a replay, not seq_reused");
    assert!(resent > 0);
    assert_eq!(a.pending_changes().await.unwrap(), 0);
    let again = app.push_answer(&officer, "officer-device", &[refused]).await.unwrap();
    assert_eq!(again.refused.len(), 1, "a refused change resent after compaction is refused again");
    assert_eq!(again.refused[0].code, first.refused[0].code);
    assert_eq!(again.last_device_seq, 1);
    ca.sync_once(&a).await.unwrap();
    assert_eq!(tables(&a).await, expected, "the resend changed nothing");
}
both_backends!(a_cursor_below_the_horizon_rebootstraps_to_identical_tables);

/// An officer's snapshot is scoped like their pull: their unit's rows (moved in included, with
/// their tombstones), not rows that moved out, nothing of other units.
async fn an_officers_snapshot_is_their_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let password = app.create_user("officer1", "officer", Some("unit-1")).await;
    let admin = "admin-device";
    let mut seq = 0;
    let mut next = |unit: &str| {
        seq += 1;
        change(admin, seq, "officers", Some(unit))
    };
    let mut batch: Vec<_> = (0..30).map(|i| next(if i % 3 == 0 { "unit-2" } else { "unit-1" })).collect();
    let moves = |c: &zongwu_proto::Change, seq: i64, to: &str| {
        let mut m = change(admin, seq, "officers", Some(to));
        m.row_id = c.row_id.clone();
        m.columns = [("unit_id".to_string(), json!(to))].into();
        m
    };
    let out = moves(&batch[1], 31, "unit-2");
    let into = moves(&batch[0], 32, "unit-1");
    let mut delete = change(admin, 33, "officers", Some("unit-1"));
    delete.row_id = batch[2].row_id.clone();
    delete.cl = 2;
    delete.columns.clear();
    batch.extend([out.clone(), into.clone(), delete]);
    app.push(&app.admin_token, admin, &batch).await.unwrap();

    let replay = desktop(&dir, "replay").await;
    let (cr, _) = SyncClient::login(&app.base_url, &replay, "officer1", &password).await.unwrap();
    cr.pull_once(&replay).await.unwrap();
    let o = desktop(&dir, "o").await;
    let (co, _) = SyncClient::login(&app.base_url, &o, "officer1", &password).await.unwrap();
    let report = co.with_page(7).sync_once(&o).await.unwrap();
    assert_eq!(report.snapshot_rows, 20, "unit-1's 20 rows: 19 of its own kept, one moved in, the tombstone counted");
    let officers = comparable(o.dump_table(Table::Officers).await.unwrap());
    assert_eq!(officers, comparable(replay.dump_table(Table::Officers).await.unwrap()), "snapshot and pull agree on scope");
    assert!(officers.iter().all(|r| r["id"] != json!(out.row_id)), "a row moved out is not in the snapshot");
    assert!(officers.iter().any(|r| r["id"] == json!(into.row_id) && r["deleted"] == json!(0)), "a row moved in is");
    assert!(officers.iter().all(|r| r["deleted"] == json!(1) || r["unit_id"] == json!("unit-1")), "nothing of unit-2");
}
both_backends!(an_officers_snapshot_is_their_scope);

/// Continuing a snapshot whose `seq` the log was compacted past is 409 `cursor_compacted`; a
/// `seq` beyond the log is `unknown_cursor`; half a key is a client error.
async fn snapshot_pages_check_their_seq(backend: Backend) {
    let app = spawn_app(backend).await;
    let device = "admin-device";
    app.push(&app.admin_token, device, &crate::helpers::changes(device, 1, 5, "units", None)).await.unwrap();
    let get = |query: String| {
        let req = app.http.get(app.url(&format!("/api/v1/sync/snapshot?{query}"))).bearer_auth(&app.admin_token);
        async move { crate::helpers::decode::<zongwu_proto::api::SnapshotResponse>(req.send().await.unwrap()).await }
    };
    let first = get("limit=2".into()).await.unwrap();
    assert_eq!((first.seq, first.rows.len(), first.has_more), (5, 2, true));
    let key = first.after.clone().unwrap();
    let rest = get(format!("limit=10&seq=5&after_table={}&after_row={}", key.table, key.row_id)).await.unwrap();
    assert_eq!(rest.rows.len(), 3);
    assert!(!rest.has_more);
    assert_eq!(get("seq=6".into()).await.unwrap_err().1.code, ErrorCode::UnknownCursor);
    assert_eq!(get("after_table=units".into()).await.unwrap_err().0, StatusCode::BAD_REQUEST);
    app.push(&app.admin_token, device, &crate::helpers::changes(device, 6, 1, "units", None)).await.unwrap();
    compact(&app, 0).await;
    assert_eq!(get("seq=5".into()).await.unwrap_err().1.code, ErrorCode::CursorCompacted);
    let office = app.user_token("office1", "office", None, "office-device").await;
    let resp = app.http.post(app.url("/api/v1/sync/compact")).bearer_auth(&office).json(&json!({})).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "only an admin compacts");
}
both_backends!(snapshot_pages_check_their_seq);
