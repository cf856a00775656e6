//! (9, and 3 with real kills) Five desktops edit and sync for a bounded time against a real
//! `zongwu-server` process that is killed with SIGKILL and restarted over and over, so pushes die
//! after their commit but before their answer, and pulls die mid-page. Afterwards every outbox
//! is empty and every desktop equals what the server gives a fresh one.

use crate::both_backends;
use crate::helpers::{Backend, ServerProcess, ADMIN_PASSWORD};
use crate::sync_client::comparable;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Store, SystemClock};

async fn desktops_survive_server_kills(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("server.db").display()),
        Backend::Postgres => crate::pg::fresh_database().await,
    };
    let mut server = ServerProcess::new(database_url, &[]);
    server.start();
    server.wait_healthy().await;
    let base_url = server.base_url();

    let mut desktops = Vec::new();
    for i in 0..5 {
        let store = Arc::new(Store::open(&dir.path().join(format!("d{i}.db")), Arc::new(SystemClock)).await.unwrap());
        let (client, _) = SyncClient::login(&base_url, &store, "admin", ADMIN_PASSWORD).await.unwrap();
        desktops.push((store, client));
    }
    // Rows every desktop knows, so their edits collide.
    let shared: Vec<String> = (0..20).map(|_| zongwu_core::store::new_id()).collect();
    {
        let (store, client) = &desktops[0];
        let mut tx = store.begin_write(&Actor::local_admin()).await.unwrap();
        for (i, id) in shared.iter().enumerate() {
            tx.insert(Table::Units, id, None, json!({"code": format!("S{i}"), "name": "共享"})).await.unwrap();
        }
        tx.commit().await.unwrap();
        client.sync_once(store).await.unwrap();
    }
    for (store, client) in &desktops {
        client.sync_once(store).await.unwrap();
    }

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = desktops
        .iter()
        .enumerate()
        .map(|(i, (store, client))| {
            let (store, client, stop, shared) = (store.clone(), client.clone(), stop.clone(), shared.clone());
            tokio::spawn(async move {
                let actor = Actor::local_admin();
                let mut n = 0usize;
                let mut synced_ok = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let mut tx = store.begin_write(&actor).await.unwrap();
                    if n.is_multiple_of(3) {
                        let id = zongwu_core::store::new_id();
                        tx.insert(Table::Units, &id, None, json!({"code": format!("D{i}-{n}"), "name": "新建"})).await.unwrap();
                    } else {
                        let id = &shared[(n * 7 + i) % shared.len()];
                        tx.update(Table::Units, id, json!({"name": format!("desktop {i} edit {n}")})).await.unwrap();
                    }
                    tx.commit().await.unwrap();
                    if n % 4 == i % 4 {
                        // Failures are expected while the server is down; the outbox keeps everything.
                        if client.sync_once(&store).await.is_ok() {
                            synced_ok += 1;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                synced_ok
            })
        })
        .collect();

    let run_until = Instant::now() + Duration::from_secs(6);
    let mut kills = 0;
    while Instant::now() < run_until {
        tokio::time::sleep(Duration::from_millis(400)).await;
        server.kill();
        kills += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
        server.start();
        server.wait_healthy().await;
    }
    stop.store(true, Ordering::SeqCst);
    let mut total_ok = 0;
    for w in workers {
        total_ok += w.await.unwrap();
    }
    assert!(kills >= 5 && total_ok > 0, "the run killed the server {kills} times and synced {total_ok} times in between");

    for _ in 0..2 {
        for (store, client) in &desktops {
            client.sync_once(store).await.expect("sync with the server up");
        }
    }
    let fresh = Store::open(&dir.path().join("fresh.db"), Arc::new(SystemClock)).await.unwrap();
    let (client, _) = SyncClient::login(&base_url, &fresh, "admin", ADMIN_PASSWORD).await.unwrap();
    client.pull_once(&fresh).await.unwrap();
    let expected = comparable(fresh.dump_table(Table::Units).await.unwrap());
    for (i, (store, _)) in desktops.iter().enumerate() {
        assert_eq!(store.pending_changes().await.unwrap(), 0, "desktop {i}'s outbox drained");
        assert_eq!(comparable(store.dump_table(Table::Units).await.unwrap()), expected, "desktop {i} equals the server's state");
    }
    // Exactly one copy of every change on the server, however often it was resent.
    let all = {
        let mut cursor = 0;
        let mut ids = Vec::new();
        let http = reqwest::Client::new();
        loop {
            let page: zongwu_proto::api::PullResponse = http
                .get(format!("{base_url}/api/v1/sync/pull?cursor={cursor}&limit=1000"))
                .bearer_auth(client.token())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.extend(page.changes.into_iter().map(|c| c.change_id));
            cursor = page.next_cursor;
            if !page.has_more {
                break ids;
            }
        }
    };
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "no change is stored twice");
    let mut local = 0;
    for (store, _) in &desktops {
        local += sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM change_log WHERE origin = 'local'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    }
    assert_eq!(all.len() as i64, local, "the server holds every local change of every desktop, once");
}
both_backends!(desktops_survive_server_kills);
