//! Restoring a desktop backup rolls its `change_log` and `device_seq` back while the server
//! remembers the later numbers. The restore makes the install a new device and offers its log
//! again, so sync goes on: nothing is refused as `seq_reused`, nothing is lost or stored twice,
//! and what the old device pushed after the backup comes back from the server.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};
use crate::sync_client::{comparable, desktop, insert_units};
use std::collections::HashSet;
use std::sync::Arc;
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_core::{backup, Actor, Store, SystemClock};

async fn a_restored_desktop_syncs_on_as_a_new_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("a.db");
    let a = desktop(&dir, "a").await;
    let old_device = a.device_id().to_string();
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&a, 5).await;
    ca.sync_once(&a).await.unwrap();
    let taken = backup::backup_now(&a, &Actor::local_admin(), &backup::backup_dir(dir.path())).await.unwrap();
    // After the backup: three more edits reach the server, and one more stays unpushed.
    let after_backup = insert_units(&a, 3).await;
    ca.sync_once(&a).await.unwrap();
    insert_units(&a, 1).await;
    a.close().await;
    drop((a, ca));

    backup::restore(&Actor::local_admin(), &db_path, std::path::Path::new(&taken.path), chrono::Utc::now().timestamp_millis())
        .await
        .unwrap();
    let a = Store::open(&db_path, Arc::new(SystemClock)).await.unwrap();
    assert_ne!(a.device_id(), old_device, "a restored database is a new device");
    assert_eq!(a.pending_changes().await.unwrap(), 5, "its own log is offered again");
    let (ca, _) = SyncClient::login(&app.base_url, &a, "admin", ADMIN_PASSWORD).await.expect("the new device logs in");
    let new_rows = insert_units(&a, 2).await;
    ca.sync_once(&a).await.expect("no seq_reused: pushes go on after a restore");
    assert_eq!(a.pending_changes().await.unwrap(), 0);

    let stored = app.pull_all(&app.admin_token, 1000).await;
    let unique: HashSet<&str> = stored.iter().map(|c| c.change_id.as_str()).collect();
    assert_eq!((stored.len(), unique.len()), (5 + 3 + 2, 10), "each change stored once: re-offered ones were skipped");
    let units = a.dump_table(Table::Units).await.unwrap();
    let ids: HashSet<&str> = units.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(units.len(), 10, "the backup's rows, the new ones, and those pushed after the backup");
    assert!(after_backup.iter().chain(&new_rows).all(|id| ids.contains(id.as_str())), "edits pushed after the backup came back");

    let fresh = desktop(&dir, "fresh").await;
    let (cf, _) = SyncClient::login(&app.base_url, &fresh, "admin", ADMIN_PASSWORD).await.unwrap();
    cf.sync_once(&fresh).await.unwrap();
    assert_eq!(comparable(fresh.dump_table(Table::Units).await.unwrap()), comparable(units), "and it equals a fresh pull");
}
both_backends!(a_restored_desktop_syncs_on_as_a_new_device);
