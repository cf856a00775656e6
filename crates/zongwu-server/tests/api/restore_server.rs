//! Restoring a backup of the server database (`zongwu-server --new-epoch`, issue #3): the restored
//! database keeps the epoch of the one it was copied from, so desktops' cursors look valid while
//! the sequence numbers behind them are handed out again. A new epoch makes every desktop
//! re-bootstrap; without it a desktop skips changes written after the restore.

use crate::both_backends;
use crate::helpers::{spawn_app, spawn_at, Backend, ADMIN_PASSWORD};
use crate::sync_client::{comparable, desktop, insert_units};
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_server::{Secret, Settings};

/// Desktop `a` synced with a server whose database is then "restored" to a backup taken before
/// `a`'s changes (an empty database with the same epoch), `--new-epoch` or not; desktop `b`
/// writes 5 units to the restored server, then `a` syncs. Returns (a's units, b's units, whether
/// `a` re-bootstrapped).
async fn restore(backend: Backend, new_epoch: bool) -> (usize, usize, bool) {
    let old = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let a = desktop(&dir, "a").await;
    insert_units(&a, 3).await;
    let (ca, _) = SyncClient::login(&old.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    ca.sync_once(&a).await.unwrap();
    let epoch = old.pull_page(&old.admin_token, 0, 1).await.unwrap().epoch;

    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("restored.db").display()),
        Backend::Postgres => crate::pg::fresh_database().await,
    };
    let db = zongwu_server::db::connect(&url, 1).await.unwrap();
    assert_eq!(db.meta_or_init("epoch", &epoch).await.unwrap(), epoch, "the backup carries the old epoch");
    drop(db);
    if new_epoch {
        let settings = Settings { database_url: Secret::new(url.clone()), ..Settings::default() };
        let renewed = zongwu_server::renew_epoch(&settings).await.unwrap();
        assert_ne!(renewed, epoch);
    }
    let restored = spawn_at(url).await;

    let b = desktop(&dir, "b").await;
    insert_units(&b, 5).await;
    let (cb, _) = SyncClient::login(&restored.base_url, &b, "admin", ADMIN_PASSWORD).await.unwrap();
    cb.sync_once(&b).await.unwrap();
    let (ca, _) = SyncClient::login(&restored.base_url, &a, "admin", ADMIN_PASSWORD).await.unwrap();
    let report = ca.sync_once(&a).await.unwrap();
    cb.sync_once(&b).await.unwrap();
    let ua = comparable(a.dump_table(Table::Units).await.unwrap());
    let ub = comparable(b.dump_table(Table::Units).await.unwrap());
    if new_epoch {
        assert_eq!(ua, ub, "both desktops agree after the restore");
    }
    (ua.len(), ub.len(), report.rebootstrapped)
}

async fn a_restored_server_with_a_new_epoch_misses_nothing(backend: Backend) {
    let (a, b, rebootstrapped) = restore(backend, true).await;
    assert!(rebootstrapped, "the old cursor is refused and the desktop starts over");
    assert_eq!((a, b), (8, 8), "a's changes the backup lost came back, and a has all of b's");

    // The same restore without a new epoch: `a`'s cursor still looks valid, and it skips b's
    // first changes (the sequence numbers it had already passed on the old database).
    let (a, _, rebootstrapped) = restore(backend, false).await;
    assert!(!rebootstrapped);
    assert!(a < 8, "without a new epoch the desktop misses changes ({a} units of 8)");
}
both_backends!(a_restored_server_with_a_new_epoch_misses_nothing);
