//! The desktop's sync client (zongwu-core) against the real server: two desktop stores converge.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};
use serde_json::json;
use std::sync::Arc;
use zongwu_core::store::{new_id, Table};
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Store, SystemClock};

pub(crate) async fn desktop(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(format!("{name}.db")), Arc::new(SystemClock)).await.expect("open desktop store")
}

pub(crate) async fn insert_units(store: &Store, n: usize) -> Vec<String> {
    let mut tx = store.begin_write(&Actor::local_admin()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = new_id();
        tx.insert(Table::Units, &id, None, json!({"code": format!("U{i:05}"), "name": format!("单位 {i}"), "kind": "college"}))
            .await
            .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

/// Two desktops edit offline, sync through the server, and end with identical tables.
async fn two_desktops_converge(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (desktop(&dir, "a").await, desktop(&dir, "b").await);
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.expect("desktop a logs in");
    let (cb, _) = SyncClient::login(&app.base_url, &b, "admin", ADMIN_PASSWORD).await.expect("desktop b logs in");

    let from_a = insert_units(&a, 1001).await;
    let from_b = insert_units(&b, 10).await;
    let report = ca.sync_once(&a).await.unwrap();
    assert_eq!(report.pushed, 1001, "the whole outbox is acknowledged, across pages");
    assert_eq!(a.pending_changes().await.unwrap(), 0, "acknowledged changes leave the outbox");
    cb.sync_once(&b).await.unwrap();

    // Concurrent edits of the same row on both sides, a delete, then everyone syncs twice.
    let actor = Actor::local_admin();
    let mut tx = a.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, &from_a[0], json!({"name": "A 改的名字"})).await.unwrap();
    tx.delete(Table::Units, &from_a[1]).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = b.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, &from_a[0], json!({"kind": "office", "name": "B 改的名字"})).await.unwrap();
    tx.update(Table::Units, &from_b[0], json!({"active": 0})).await.unwrap();
    tx.commit().await.unwrap();
    for _ in 0..2 {
        ca.sync_once(&a).await.unwrap();
        cb.sync_once(&b).await.unwrap();
    }

    let (ua, ub) = (comparable(a.dump_table(Table::Units).await.unwrap()), comparable(b.dump_table(Table::Units).await.unwrap()));
    assert_eq!(ua.len(), 1011, "every row reached desktop a");
    assert_eq!(ua, ub, "both desktops hold identical units, clocks included, and agree on every tombstone");
    let row = ua.iter().find(|r| r["id"] == json!(from_a[0])).unwrap();
    assert_eq!(row["name"], json!("B 改的名字"), "the later write of a column wins on both sides");
    assert_eq!(row["kind"], json!("office"));
    assert!(ua.iter().any(|r| r["id"] == json!(from_a[1]) && r["deleted"] == json!(1)), "the delete reached both");
    assert_eq!(b.pending_changes().await.unwrap(), 0);
    assert_eq!(app.pull_all(&app.admin_token, 1000).await.len(), 1011 + 4, "the server stored each change once");
}
both_backends!(two_desktops_converge);

/// A desktop that already holds a page (its cursor saved with it) pulls nothing twice, and one
/// that has nothing pulls everything, in pages of the server's maximum.
async fn pull_resumes_from_the_saved_cursor(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (desktop(&dir, "a").await, desktop(&dir, "b").await);
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let (cb, _) = SyncClient::login(&app.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&a, 2000).await;
    ca.push_once(&a).await.unwrap();
    let first = cb.pull_once(&b).await.unwrap();
    assert_eq!((first.pulled, first.pages), (2000, 2), "2000 changes arrive in two full pages");
    let again = cb.pull_once(&b).await.unwrap();
    assert_eq!(again.pulled, 0, "the cursor saved with the last page means nothing is pulled twice");
    assert_eq!(a.dump_table(Table::Units).await.unwrap(), b.dump_table(Table::Units).await.unwrap());
}
both_backends!(pull_resumes_from_the_saved_cursor);

/// (3) The server committed a push but the answer never arrived: the client sends the same
/// changes again (with new ones), and the server keeps exactly one copy of each.
async fn lost_ack_resend_stores_one_copy(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let a = desktop(&dir, "a").await;
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&a, 10).await;
    assert_eq!(ca.push_once(&a).await.unwrap(), 10);
    // The client's state after a lost answer: the outbox still holds what the server stored.
    a.unmark_pushed_from(1).await.unwrap();
    insert_units(&a, 5).await;
    assert_eq!(a.pending_changes().await.unwrap(), 15);
    assert_eq!(ca.push_once(&a).await.unwrap(), 15, "the resend is acknowledged as a whole");
    assert_eq!(a.pending_changes().await.unwrap(), 0);
    let stored = app.pull_all(&app.admin_token, 1000).await;
    let unique: std::collections::HashSet<_> = stored.iter().map(|c| &c.change_id).collect();
    assert_eq!((stored.len(), unique.len()), (15, 15), "one copy of each change, none lost");
}
both_backends!(lost_ack_resend_stores_one_copy);

/// (4, in part) A page that cannot be merged leaves neither its rows nor its cursor behind: the
/// rows of a page and the cursor after it commit together, so a crash between them cannot
/// duplicate or skip a change. The page fails for a real reason: one of its changes reuses a
/// device sequence number this desktop already holds under another change id (that device's log
/// was rolled back), which the log's uniqueness refuses.
async fn a_failed_page_keeps_neither_rows_nor_cursor(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (desktop(&dir, "a").await, desktop(&dir, "b").await);
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let (cb, _) = SyncClient::login(&app.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&a, 1500).await;
    ca.push_once(&a).await.unwrap();
    // b already holds admin-device's seq 1 under another change id; the server's seq 1 of that
    // device lands in the second page.
    b.merge_remote(&[crate::helpers::change("admin-device", 1, "units", None)]).await.unwrap();
    app.push(&app.admin_token, "admin-device", &[crate::helpers::change("admin-device", 1, "units", None)]).await.unwrap();

    let err = cb.pull_once(&b).await.expect_err("the second page cannot be merged");
    assert!(matches!(err, zongwu_core::sync::SyncError::Store(_)), "{err:?}");
    let rows = b.dump_table(Table::Units).await.unwrap();
    assert_eq!(rows.len(), 1000 + 1, "the first page stayed, nothing of the failed page did");
    let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM change_log").fetch_one(b.pool()).await.unwrap();
    assert_eq!(logged, 1000 + 1, "no log entry of the failed page stayed either");
    let saved: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'sync_cursor'").fetch_one(b.pool()).await.unwrap();
    let first_page = app.pull_page(&app.admin_token, 0, 1000).await.unwrap();
    assert_eq!(
        saved,
        format!("{}:{}", first_page.epoch, first_page.next_cursor),
        "the cursor is the one saved with the first page"
    );
}
both_backends!(a_failed_page_keeps_neither_rows_nor_cursor);

/// Old clients survive new schemas: a change carrying a column from a newer version merges its
/// known columns and is kept whole in `parked_changes`; the pull goes on past it.
async fn an_old_desktop_parks_columns_it_does_not_know(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (desktop(&dir, "a").await, desktop(&dir, "b").await);
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let (cb, _) = SyncClient::login(&app.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&a, 1500).await;
    ca.push_once(&a).await.unwrap();
    let mut newer = crate::helpers::change("admin-device", 1, "units", None);
    newer.columns.insert("column_from_the_future".into(), json!(1));
    app.push(&app.admin_token, "admin-device", &[newer.clone()]).await.unwrap();
    insert_units(&a, 10).await;
    ca.push_once(&a).await.unwrap();

    let report = cb.pull_once(&b).await.expect("a change from a newer version does not stop the pull");
    assert_eq!(report.pulled, 1511, "every change arrived");
    let rows = b.dump_table(Table::Units).await.unwrap();
    assert_eq!(rows.len(), 1511, "the newer change's row exists too");
    let row = rows.iter().find(|r| r["id"] == json!(newer.row_id)).unwrap();
    assert_eq!(row["name"], newer.columns["name"], "its known column is merged");
    let parked: Vec<(String, String, String)> =
        sqlx::query_as("SELECT change_id, unknown, change FROM parked_changes").fetch_all(b.pool()).await.unwrap();
    assert_eq!(parked.len(), 1, "the change is set aside once");
    assert_eq!((parked[0].0.as_str(), parked[0].1.as_str()), (newer.change_id.as_str(), r#"["column_from_the_future"]"#));
    let kept: zongwu_proto::Change = serde_json::from_str(&parked[0].2).unwrap();
    assert_eq!(kept, newer, "it is kept whole, for a version that knows the column");
    assert_eq!(cb.pull_once(&b).await.unwrap().pulled, 0, "the cursor moved past it");
}
both_backends!(an_old_desktop_parks_columns_it_does_not_know);

/// (6) Delete/re-insert races: three desktops disagree about a row's existence and all end with
/// the same answer (the larger causal length wins).
async fn delete_and_reinsert_races_converge(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let mut replicas = Vec::new();
    for name in ["a", "b", "c"] {
        let store = desktop(&dir, name).await;
        let (client, _) = SyncClient::login(&app.base_url, &store, "admin", ADMIN_PASSWORD).await.unwrap();
        replicas.push((store, client));
    }
    let ids = insert_units(&replicas[0].0, 2).await;
    for (s, c) in &replicas {
        c.sync_once(s).await.unwrap();
    }
    let (r, s) = (&ids[0], &ids[1]);
    let actor = Actor::local_admin();
    // a: delete then re-insert r (cl 3); delete s.
    let mut tx = replicas[0].0.begin_write(&actor).await.unwrap();
    tx.delete(Table::Units, r).await.unwrap();
    tx.insert(Table::Units, r, None, json!({"code": "R2", "name": "重新建立"})).await.unwrap();
    tx.delete(Table::Units, s).await.unwrap();
    tx.commit().await.unwrap();
    // b: delete r (cl 2); delete s too.
    let mut tx = replicas[1].0.begin_write(&actor).await.unwrap();
    tx.delete(Table::Units, r).await.unwrap();
    tx.delete(Table::Units, s).await.unwrap();
    tx.commit().await.unwrap();
    // c: edit both rows in their first life.
    let mut tx = replicas[2].0.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, r, json!({"name": "c 的修改"})).await.unwrap();
    tx.update(Table::Units, s, json!({"name": "c 的修改"})).await.unwrap();
    tx.commit().await.unwrap();
    // Sync in an order that delivers the stale edit last.
    for i in [1, 0, 2, 1, 0, 2] {
        let (st, c) = &replicas[i];
        c.sync_once(st).await.unwrap();
    }
    let dumps = futures_dumps(&replicas).await;
    assert_eq!(dumps[0], dumps[1], "a and b agree");
    assert_eq!(dumps[0], dumps[2], "a and c agree");
    let row_r = dumps[0].iter().find(|x| x["id"] == json!(r)).unwrap();
    assert_eq!((row_r["cl"].clone(), row_r["deleted"].clone()), (json!(3), json!(0)), "the re-insert's life wins");
    assert_eq!(row_r["name"], json!("重新建立"), "an edit from the row's first life does not leak into its second");
    let row_s = dumps[0].iter().find(|x| x["id"] == json!(s)).unwrap();
    assert_eq!(row_s["deleted"], json!(1), "a delete beats an edit of the same life");
}
both_backends!(delete_and_reinsert_races_converge);

/// Each replica's units, tombstones reduced to their existence: the store keeps a tombstone's
/// last local values for the history view, and those legitimately differ between replicas.
async fn futures_dumps(replicas: &[(Store, SyncClient)]) -> Vec<Vec<serde_json::Map<String, serde_json::Value>>> {
    let mut out = Vec::new();
    for (s, _) in replicas {
        out.push(comparable(s.dump_table(Table::Units).await.unwrap()));
    }
    out
}

pub(crate) fn comparable(
    rows: Vec<serde_json::Map<String, serde_json::Value>>,
) -> Vec<serde_json::Map<String, serde_json::Value>> {
    rows.into_iter()
        .map(|r| {
            if r["deleted"] == json!(1) {
                r.into_iter().filter(|(k, _)| ["id", "cl", "deleted"].contains(&k.as_str())).collect()
            } else {
                r
            }
        })
        .collect()
}

/// A server that lost its data (a new database, a restore from an old backup) answers 409 to the
/// desktops' cursors; they re-bootstrap by themselves and the new server ends with everything.
async fn desktops_rebootstrap_a_reset_server(backend: Backend) {
    let old = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (desktop(&dir, "a").await, desktop(&dir, "b").await);
    for (s, n) in [(&a, 30), (&b, 20)] {
        insert_units(s, n).await;
        let (c, _) = SyncClient::login(&old.base_url, s, "admin", ADMIN_PASSWORD).await.unwrap();
        c.sync_once(s).await.unwrap();
    }
    let (c, _) = SyncClient::login(&old.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    c.sync_once(&a).await.unwrap();

    let new = spawn_app(backend).await;
    let (ca, _) = SyncClient::login(&new.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let (cb, _) = SyncClient::login(&new.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    let report = ca.sync_once(&a).await.unwrap();
    assert!(report.rebootstrapped, "an unknown cursor triggers a re-bootstrap");
    assert_eq!(report.pushed, 30, "a offers its own changes again");
    cb.sync_once(&b).await.unwrap();
    ca.sync_once(&a).await.unwrap();
    assert_eq!(new.pull_all(&new.admin_token, 1000).await.len(), 50, "the new server has every change once");
    assert_eq!(
        comparable(a.dump_table(Table::Units).await.unwrap()),
        comparable(b.dump_table(Table::Units).await.unwrap()),
        "both desktops still agree"
    );
}
both_backends!(desktops_rebootstrap_a_reset_server);

/// A replaced server database (new server, or SQLite moved to PostgreSQL) that other desktops
/// have already filled past a desktop's old cursor: the cursor's epoch tells, and the desktop
/// re-bootstraps instead of silently skipping the changes below its old cursor.
async fn a_cursor_from_another_database_is_never_reused(backend: Backend) {
    let old = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let a = desktop(&dir, "a").await;
    insert_units(&a, 5).await;
    let (ca_old, _) = SyncClient::login(&old.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    ca_old.sync_once(&a).await.unwrap();

    let new = spawn_app(backend).await;
    let b = desktop(&dir, "b").await;
    insert_units(&b, 20).await;
    let (cb, _) = SyncClient::login(&new.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    cb.sync_once(&b).await.unwrap();

    let (ca, _) = SyncClient::login(&new.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let report = ca.sync_once(&a).await.unwrap();
    assert!(report.rebootstrapped, "a cursor from another database is refused even though it is below the maximum");
    cb.sync_once(&b).await.unwrap();
    let (ua, ub) = (comparable(a.dump_table(Table::Units).await.unwrap()), comparable(b.dump_table(Table::Units).await.unwrap()));
    assert_eq!(ua.len(), 25, "a has b's first changes too, not only those past its old cursor");
    assert_eq!(ua, ub);
}
both_backends!(a_cursor_from_another_database_is_never_reused);
