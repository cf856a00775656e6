//! Issue #8's bootstrap figures: a new desktop bootstraps from a server whose `ROWS` live rows
//! carry a history of `CHANGES` changes, side by side with a server holding the same rows with
//! no history; then the history server compacts its log, and its disk and resident memory are
//! measured before and after.
//!
//! `cargo run --release -p zongwu-server --example bootstrap_bench -- [ROWS] [CHANGES] [RUNS] [POSTGRES_URL]`
//! (defaults 100000 1000000 3, SQLite files in a temp directory; with a `postgres://…/postgres`
//! URL two databases are created on that cluster). Each server runs in a child process (this
//! same binary, `serve URL`), so its resident memory is its own. Prints one JSON line.
//!
//! The history is pushed through the API like any desktop's: every row inserted (code, name,
//! kind), then `CHANGES / ROWS - 1` rounds that each rename every row or change its kind, so the
//! live rows are the last round's. The plain server gets each row's final values in one insert.
//! Bootstraps alternate plain / history `RUNS` times, each into a fresh desktop store through
//! `SyncClient::sync_once` (snapshot, then the log after it). For reference the history is also
//! replayed once from cursor 0 (what a new desktop did before the snapshot).

use serde_json::json;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_core::{Store, SystemClock};
use zongwu_proto::{Change, ChangeKind, Hlc};
use zongwu_server::settings::BootstrapAdmin;
use zongwu_server::{Secret, Settings};

const PASSWORD: &str = "bench-password";

/// The child: serve `url` on a free port, print the address, run until killed.
async fn serve(url: String) {
    let settings = Settings {
        database_url: Secret::new(url),
        bootstrap_admin: Some(BootstrapAdmin { login: "admin".into(), password: Secret::new(PASSWORD.into()) }),
        compact_every_secs: 0,
        ..Settings::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("{}", listener.local_addr().unwrap());
    zongwu_server::launch(settings, listener, std::future::pending()).await.unwrap();
}

struct Server {
    child: Child,
    base: String,
    /// Kept open: the child's stdout.
    _out: std::io::BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(url: &str) -> Server {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["serve", url])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server process");
        let mut line = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut line).unwrap();
        Server { child, base: format!("http://{}", line.trim()), _out: out }
    }

    /// Resident and peak resident memory of the server process, MiB.
    fn memory_mib(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A change of the seeding device.
fn change(device: &str, seq: i64, row_id: &str, cl: i64, wall_ms: i64, columns: serde_json::Value) -> Change {
    Change {
        change_id: uuid::Uuid::now_v7().to_string(),
        device_id: device.to_string(),
        device_seq: seq,
        table: "units".into(),
        row_id: row_id.to_string(),
        unit_id: None,
        hlc: Hlc { wall_ms, counter: 0, device_id: device.to_string() }.encode(),
        cl,
        columns: columns.as_object().unwrap().clone().into_iter().collect(),
        clocks: Default::default(),
        kind: ChangeKind::Write,
    }
}

async fn push_all(http: &reqwest::Client, base: &str, token: &str, device: &str, changes: Vec<Change>) {
    for page in changes.chunks(1000) {
        let resp = http
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(token)
            .json(&json!({"device_id": device, "changes": page}))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "push: {}", resp.text().await.unwrap_or_default());
    }
}

async fn login(http: &reqwest::Client, base: &str, device: &str) -> String {
    let resp: zongwu_proto::api::LoginResponse = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "admin", "password": PASSWORD, "device_id": device}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    resp.token
}

/// A fresh desktop that joins `base` and syncs once; (wall ms, snapshot rows, rows in its table).
async fn bootstrap(dir: &std::path::Path, base: &str, name: &str, replay: bool) -> (f64, usize, usize) {
    let store = Store::open(&dir.join(format!("{name}.db")), Arc::new(SystemClock)).await.unwrap();
    let (client, _) = SyncClient::login(base, &store, "admin", PASSWORD).await.unwrap();
    let t = Instant::now();
    let report = if replay { client.pull_once(&store).await.unwrap() } else { client.sync_once(&store).await.unwrap() };
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let rows = store.dump_table(Table::Units).await.unwrap().len();
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("{name}.db{suffix}")));
    }
    (ms.round(), report.snapshot_rows, rows)
}

/// Bytes the server database takes on disk: the SQLite file and its WAL, or the PostgreSQL
/// database.
async fn disk_bytes(url: &str) -> i64 {
    if let Some(path) = url.strip_prefix("sqlite://") {
        ["", "-wal"].iter().map(|s| std::fs::metadata(format!("{path}{s}")).map_or(0, |m| m.len() as i64)).sum()
    } else {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(&mut conn).await.unwrap()
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn mib(bytes: i64) -> f64 {
    (bytes as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return serve(args[1].clone()).await;
    }
    let rows: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let changes: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let runs: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let (hist_url, plain_url, backend) = match args.get(3) {
        Some(pg) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(pg).await.unwrap();
            let (base, _) = pg.rsplit_once('/').unwrap();
            let mut urls = Vec::new();
            for name in ["bench_history", "bench_plain"] {
                sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut conn).await.unwrap();
                sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
                urls.push(format!("{base}/{name}"));
            }
            (urls[0].clone(), urls[1].clone(), "postgres")
        }
        None => (
            format!("sqlite://{}", dir.path().join("history.db").display()),
            format!("sqlite://{}", dir.path().join("plain.db").display()),
            "sqlite",
        ),
    };
    let history = Server::start(&hist_url);
    let plain = Server::start(&plain_url);
    let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(600)).build().unwrap();

    // Seed: the same final rows on both servers, with and without history.
    let ids: Vec<String> = (0..rows).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let rounds = (changes / rows).max(1);
    let start_ms = chrono::Utc::now().timestamp_millis() - 3_600_000;
    let final_values = |i: usize| {
        let last_name = (1..rounds).rev().find(|r| r % 2 == 1).map_or(format!("单位 {i}"), |r| format!("单位 {i} 第{r}次改名"));
        let last_kind = (1..rounds).rev().find(|r| r % 2 == 0).map_or("college", |r| ["office", "service"][r / 2 % 2]);
        json!({"code": format!("U{i:06}"), "name": last_name, "kind": last_kind})
    };
    let t = Instant::now();
    let token = login(&http, &history.base, "seeder-history").await;
    let mut seq = 0i64;
    for round in 0..rounds {
        let batch: Vec<Change> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                seq += 1;
                let wall = start_ms + seq / 500;
                let columns = match round {
                    0 => json!({"code": format!("U{i:06}"), "name": format!("单位 {i}"), "kind": "college"}),
                    r if r % 2 == 1 => json!({"name": format!("单位 {i} 第{r}次改名")}),
                    r => json!({"kind": (["office", "service"][r / 2 % 2])}),
                };
                change("seeder-history", seq, id, 1, wall, columns)
            })
            .collect();
        push_all(&http, &history.base, &token, "seeder-history", batch).await;
    }
    let seed_history_ms = t.elapsed().as_millis();
    let token = login(&http, &plain.base, "seeder-plain").await;
    let batch: Vec<Change> =
        ids.iter().enumerate().map(|(i, id)| change("seeder-plain", i as i64 + 1, id, 1, start_ms, final_values(i))).collect();
    push_all(&http, &plain.base, &token, "seeder-plain", batch).await;

    let disk_before = disk_bytes(&hist_url).await;
    let plain_disk = disk_bytes(&plain_url).await;
    let memory_seeded = history.memory_mib();

    // Side by side: plain, history, plain, history, …
    let (mut plain_ms, mut history_ms) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let (ms, snap, n) = bootstrap(dir.path(), &plain.base, &format!("p{run}"), false).await;
        assert_eq!((snap, n), (rows, rows), "the plain bootstrap brings every row from the snapshot");
        plain_ms.push(ms);
        let (ms, snap, n) = bootstrap(dir.path(), &history.base, &format!("h{run}"), false).await;
        assert_eq!((snap, n), (rows, rows), "the history bootstrap brings every row once");
        history_ms.push(ms);
    }
    let memory_before = history.memory_mib();
    let (replay_ms, _, n) = bootstrap(dir.path(), &history.base, "replay", true).await;
    assert_eq!(n, rows);

    let t = Instant::now();
    let compacted: zongwu_proto::api::CompactResponse = http
        .post(format!("{}/api/v1/sync/compact", history.base))
        .bearer_auth(login(&http, &history.base, "bench-admin").await)
        .json(&json!({"keep_secs": 0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let compact_ms = t.elapsed().as_millis();
    let disk_after = disk_bytes(&hist_url).await;
    let mut after_ms = Vec::new();
    for run in 0..runs {
        let (ms, snap, n) = bootstrap(dir.path(), &history.base, &format!("c{run}"), false).await;
        assert_eq!((snap, n), (rows, rows));
        after_ms.push(ms);
    }
    let memory_after = history.memory_mib();
    // The same server restarted on its compacted database: what memory a fresh process needs.
    drop(history);
    let restarted = Server::start(&hist_url);
    let (ms, _, _) = bootstrap(dir.path(), &restarted.base, "r", false).await;
    let memory_restarted = restarted.memory_mib();

    let (p, h) = (median(plain_ms.clone()), median(history_ms.clone()));
    println!(
        "{}",
        json!({
            "bench": "bootstrap", "backend": backend, "rows": rows, "history_changes": rounds * rows, "runs": runs,
            "seed_history_ms": seed_history_ms,
            "bootstrap_plain_ms": plain_ms, "bootstrap_history_ms": history_ms,
            "bootstrap_plain_median_ms": p, "bootstrap_history_median_ms": h, "history_over_plain": (h / p * 100.0).round() / 100.0,
            "replay_history_from_0_ms": replay_ms,
            "compact_ms": compact_ms, "compacted": compacted,
            "bootstrap_after_compaction_ms": after_ms, "bootstrap_after_restart_ms": ms,
            "disk_history_before_mib": mib(disk_before), "disk_history_after_mib": mib(disk_after), "disk_plain_mib": mib(plain_disk),
            "rss_history_seeded_mib": memory_seeded.0, "rss_history_after_bootstraps_mib": memory_before.0,
            "rss_history_after_compaction_mib": memory_after.0, "peak_rss_history_mib": memory_after.1,
            "rss_restarted_after_compaction_mib": memory_restarted.0,
            "load_average_1m": std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| l.split_whitespace().next().map(str::to_string)),
        })
    );
}
