//! (5) Convergence: five desktops make random inserts, updates, deletes and re-inserts while
//! syncing at random through the real server, with acknowledged pushes resent (duplicated
//! deliveries) and every device's changes interleaved differently. After a full sync every
//! replica holds the same units, and so does a fresh desktop that pulls everything.
//!
//! `ZONGWU_SYNC_SEED` replays one run; `ZONGWU_SYNC_OPS` sets the number of operations.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};
use crate::sync_client::comparable;
use serde_json::json;
use std::sync::Arc;
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Store, SystemClock};

/// xorshift64*: deterministic for a seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

async fn replicas_converge_after_random_ops_and_syncs(backend: Backend) {
    let seed: u64 = std::env::var("ZONGWU_SYNC_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_2026);
    let ops: usize = std::env::var("ZONGWU_SYNC_OPS").ok().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut rng = Rng(seed | 1);
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let mut replicas = Vec::new();
    for i in 0..5 {
        let store = Store::open(&dir.path().join(format!("r{i}.db")), Arc::new(SystemClock)).await.unwrap();
        let (client, _) = SyncClient::login(&app.base_url, &store, "admin", ADMIN_PASSWORD).await.unwrap();
        replicas.push((store, client));
    }
    let actor = Actor::local_admin();
    let mut ids: Vec<String> = Vec::new();
    let names = ["总务处", "后勤", "南湖", "北区", "图书馆", "信息中心"];
    for step in 0..ops {
        let (store, client) = &replicas[rng.below(replicas.len())];
        let roll = rng.below(100);
        if roll < 80 {
            // Edits refused by the local state (not live, already live) are part of the game.
            let mut tx = store.begin_write(&actor).await.unwrap();
            let result = if roll < 20 || ids.is_empty() {
                let id = zongwu_core::store::new_id();
                ids.push(id.clone());
                tx.insert(Table::Units, &id, None, json!({"code": format!("C{step}"), "name": names[rng.below(names.len())]}))
                    .await
            } else {
                let id = ids[rng.below(ids.len())].clone();
                match roll {
                    20..=59 => {
                        let column = ["name", "kind", "active", "code"][rng.below(4)];
                        let value = match column {
                            "active" => json!(rng.below(2)),
                            "kind" => json!(["college", "office", "service"][rng.below(3)]),
                            _ => json!(format!("{}-{step}", names[rng.below(names.len())])),
                        };
                        tx.update(Table::Units, &id, json!({ column: value })).await.map(|_| ())
                    }
                    60..=71 => tx.delete(Table::Units, &id).await,
                    _ => tx.insert(Table::Units, &id, None, json!({"code": format!("R{step}"), "name": "重建"})).await,
                }
            };
            if result.is_ok() {
                tx.commit().await.unwrap();
            }
        } else {
            match rng.below(4) {
                0 => drop(client.push_once(store).await.unwrap()),
                1 => drop(client.pull_once(store).await.unwrap()),
                2 => drop(client.sync_once(store).await.unwrap()),
                _ => {
                    // A duplicated delivery: resend changes the server already acknowledged.
                    store.unmark_pushed_from(1 + rng.below(step + 1) as i64).await.unwrap();
                    client.push_once(store).await.unwrap();
                }
            }
        }
    }
    for _ in 0..2 {
        for (store, client) in &replicas {
            client.sync_once(store).await.unwrap();
        }
    }
    let fresh = Store::open(&dir.path().join("fresh.db"), Arc::new(SystemClock)).await.unwrap();
    let (client, _) = SyncClient::login(&app.base_url, &fresh, "admin", ADMIN_PASSWORD).await.unwrap();
    client.pull_once(&fresh).await.unwrap();
    let expected = comparable(fresh.dump_table(Table::Units).await.unwrap());
    assert!(!expected.is_empty(), "seed {seed}: the run wrote something");
    for (i, (store, _)) in replicas.iter().enumerate() {
        assert_eq!(store.pending_changes().await.unwrap(), 0, "seed {seed}: replica {i}'s outbox drained");
        let got = comparable(store.dump_table(Table::Units).await.unwrap());
        assert_eq!(got, expected, "seed {seed}: replica {i} equals what the server gives a fresh desktop");
    }
}
both_backends!(replicas_converge_after_random_ops_and_syncs);
