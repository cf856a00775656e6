//! Sync figures of issue #3: push of 10,000 offline edits, first pull of 100,000 rows into an
//! empty desktop, and one edit's round trip desktop → server → second desktop, on loopback with
//! the server in-process.
//!
//! `cargo run --release -p zongwu-server --example sync_bench -- [ROWS] [EDITS] [ROUND_TRIPS] [DATABASE_URL]`
//! (defaults 100000 10000 200, a temp SQLite file). Prints one JSON line. CPU times (user +
//! system of the whole process, server included where it runs) are given next to wall times:
//! on a shared machine they move much less with the load.

use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use zongwu_core::store::{new_id, Table};
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Store, SystemClock};
use zongwu_server::settings::BootstrapAdmin;
use zongwu_server::{Secret, Settings};

/// CPU time of this process so far (user + system, all threads), from /proc: a figure that
/// moves less with the machine's load than wall time does. `None` where /proc is missing.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0) // USER_HZ is 100 on Linux
}

async fn insert_units(store: &Store, n: usize, tag: &str) -> Vec<String> {
    let mut tx = store.begin_write(&Actor::local_admin()).await.unwrap();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id = new_id();
        tx.insert(
            Table::Units,
            &id,
            None,
            json!({"code": format!("{tag}{i:06}"), "name": format!("单位 {i}"), "kind": "college"}),
        )
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let edits: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let trips: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let url = args.get(3).cloned().unwrap_or_else(|| format!("sqlite://{}", dir.path().join("server.db").display()));
    let backend = if url.starts_with("postgres") { "postgres" } else { "sqlite" };
    let settings = Settings {
        database_url: Secret::new(url),
        bootstrap_admin: Some(BootstrapAdmin { login: "admin".into(), password: Secret::new("bench-password".into()) }),
        ..Settings::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(zongwu_server::launch(settings, listener, async {
        let _ = stopped.await;
    }));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let open = |name: &str| {
        let path = dir.path().join(name);
        async move { Store::open(&path, Arc::new(SystemClock)).await.unwrap() }
    };
    let (a, b, c) = (open("a.db").await, open("b.db").await, open("c.db").await);
    let (ca, _) = SyncClient::login(&base, &a, "admin", "bench-password").await.unwrap();
    let (cb, _) = SyncClient::login(&base, &b, "admin", "bench-password").await.unwrap();
    let (cc, _) = SyncClient::login(&base, &c, "admin", "bench-password").await.unwrap();

    // Push of offline edits.
    insert_units(&a, edits, "E").await;
    let t = Instant::now();
    ca.push_once(&a).await.unwrap();
    let push_ms = t.elapsed().as_secs_f64() * 1000.0;

    // First pull of `rows` rows into an empty desktop (c), the server filled by desktop b.
    insert_units(&b, rows.saturating_sub(edits), "P").await;
    cb.push_once(&b).await.unwrap();
    // The wire alone: every page fetched and decoded, nothing merged.
    let http = reqwest::Client::new();
    let t = Instant::now();
    let mut cursor = 0;
    let mut pages = Vec::new();
    loop {
        let page: zongwu_proto::api::PullResponse = http
            .get(format!("{base}/api/v1/sync/pull?cursor={cursor}&limit=1000"))
            .bearer_auth(cc.token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        cursor = page.next_cursor;
        let more = page.has_more;
        pages.push(page.changes);
        if !more {
            break;
        }
    }
    let wire_ms = t.elapsed().as_secs_f64() * 1000.0;
    // Merging alone, into a scratch desktop.
    let scratch = open("scratch.db").await;
    let cpu = cpu_ms();
    let t = Instant::now();
    for page in &pages {
        scratch.merge_remote(page).await.unwrap();
    }
    let merge_ms = t.elapsed().as_secs_f64() * 1000.0;
    let merge_cpu_ms = cpu.zip(cpu_ms()).map(|(a, b)| b - a);
    drop(pages);

    let cpu = cpu_ms();
    let t = Instant::now();
    let report = cc.pull_once(&c).await.unwrap();
    let pull_ms = t.elapsed().as_secs_f64() * 1000.0;
    let pull_cpu_ms = cpu.zip(cpu_ms()).map(|(a, b)| b - a);
    assert_eq!(report.pulled, rows.max(edits), "the first pull brings every row");

    // Round trips of one edit a → server → b.
    cb.pull_once(&b).await.unwrap();
    let target = insert_units(&a, 1, "R").await.remove(0);
    ca.sync_once(&a).await.unwrap();
    cb.pull_once(&b).await.unwrap();
    let mut samples = Vec::with_capacity(trips);
    for i in 0..trips {
        let t = Instant::now();
        let mut tx = a.begin_write(&Actor::local_admin()).await.unwrap();
        tx.update(Table::Units, &target, json!({"name": format!("round trip {i}")})).await.unwrap();
        tx.commit().await.unwrap();
        ca.push_once(&a).await.unwrap();
        let got = cb.pull_once(&b).await.unwrap();
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(got.pulled, 1, "each round trip carries the one edit");
    }
    samples.sort_by(f64::total_cmp);
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{}",
        json!({
            "bench": "sync", "backend": backend, "rows": rows, "edits": edits,
            "push_edits_ms": push_ms.round(), "first_pull_ms": pull_ms.round(),
            "first_pull_wire_only_ms": wire_ms.round(), "first_pull_merge_only_ms": merge_ms.round(),
            "first_pull_cpu_ms": pull_cpu_ms, "first_pull_merge_only_cpu_ms": merge_cpu_ms,
            "load_average_1m": std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| l.split_whitespace().next().map(str::to_string)),
            "round_trip_p50_ms": (pct(0.5) * 10.0).round() / 10.0, "round_trip_p95_ms": (pct(0.95) * 10.0).round() / 10.0,
        })
    );
}
