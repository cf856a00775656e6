//! The desktop's sync client (zongwu-core) against the real server: two desktop stores converge.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};
use serde_json::json;
use std::sync::Arc;
use zongwu_core::store::{new_id, Table};
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Store, SystemClock};

async fn desktop(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(format!("{name}.db")), Arc::new(SystemClock)).await.expect("open desktop store")
}

async fn insert_units(store: &Store, n: usize) -> Vec<String> {
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

    let (ua, ub) = (a.dump_table(Table::Units).await.unwrap(), b.dump_table(Table::Units).await.unwrap());
    assert_eq!(ua.len(), 1011, "every row reached desktop a");
    assert_eq!(ua, ub, "both desktops hold identical units, clocks and tombstones included");
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
