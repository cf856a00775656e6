//! The store benchmark's contenders (driven by `cargo xtask bench --only store`; see
//! docs/benchmarks.md, "Bulk writes").
//!
//! ```text
//! store_bench bare   DB ROWS   the officer rows into a plain table (same columns and domain
//!                              indexes, no clocks, no log) with rusqlite, prepared, one transaction
//! store_bench insert DB ROWS   the same rows through one WriteTx::insert_many (clocks + log)
//! store_bench update DB        WriteTx::update_many of two columns of every officer in DB
//! store_bench csv    FILE ROWS a roster CSV of ROWS officers in 18 units
//! store_bench import DB FILE   the roster import of FILE, end to end (read, validate, write)
//! store_bench pull   DB ROWS   ROWS officers as another device's changes, merged into an empty
//!                              store in pages of 1,000 (a first pull's store side)
//! ```
//!
//! Each prints one JSON line: `{"mode","rows","seconds","rows_per_s","db_bytes","wal_peak_bytes"}`.
//! `seconds` is the wall time of the work only; `db_bytes` the database file after the write (and
//! its checkpoint), `wal_peak_bytes` the largest the WAL file was seen during the write (sampled
//! every 2 ms).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use zongwu_core::store::{new_id, NewRow, Table};
use zongwu_core::units::{self, UnitInput, UnitKind};
use zongwu_core::{import, Actor, Store, SystemClock};

/// The desktop binary's allocator, so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const UNITS: usize = 18;
/// The officers columns the rows set, in the order the plain table declares them.
const COLUMNS: [&str; 11] =
    ["staff_no", "name", "gender", "title", "phone", "email", "term_start", "term_end", "duties", "status", "note"];

/// Officer `i`'s values for [`COLUMNS`]; unit `i % UNITS`.
fn values(i: usize) -> [String; 11] {
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"];
    const GIVEN: [&str; 8] = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "秀英"];
    const TITLES: [&str; 4] = ["科长", "副科长", "科员", "工程师"];
    let year = 2016 + i % 8;
    [
        format!("ZW{i:07}"),
        format!("{}{}", SURNAMES[i % 8], GIVEN[i / 8 % 8]),
        if i.is_multiple_of(3) { "女" } else { "男" }.into(),
        TITLES[i % 4].into(),
        format!("13{}{:08}", i % 10, (i * 7919) % 100_000_000),
        format!("officer{i}@univ.edu.cn"),
        format!("{year}-09-01"),
        format!("{}-08-31", year + 3),
        "负责本单位信息化需求的收集、整理与上报".into(),
        "active".into(),
        format!("第{}批", 1 + i % 12),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = match argv.as_slice() {
        ["bare", db, rows] => bare(Path::new(db), parse(rows)),
        ["insert", db, rows] => rt.block_on(insert(Path::new(db), parse(rows))),
        ["update", db] => rt.block_on(update(Path::new(db))),
        ["csv", file, rows] => csv(Path::new(file), parse(rows)),
        ["import", db, file] => rt.block_on(import_file(Path::new(db), Path::new(file))),
        ["pull", db, rows] => rt.block_on(pull(Path::new(db), parse(rows))),
        _ => {
            eprintln!("usage: store_bench bare DB ROWS | insert DB ROWS | update DB | csv FILE ROWS | import DB FILE");
            std::process::exit(2);
        }
    };
    match result {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("store_bench: {e}");
            std::process::exit(1);
        }
    }
}

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn parse(s: &str) -> usize {
    s.parse().unwrap_or_else(|_| {
        eprintln!("store_bench: not a row count: {s}");
        std::process::exit(2)
    })
}

/// Samples the size of `db`'s WAL file until dropped; the largest seen.
struct WalWatch {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WalWatch {
    fn start(db: &Path) -> WalWatch {
        let wal = PathBuf::from(format!("{}-wal", db.display()));
        let (stop, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Ok(m) = std::fs::metadata(&wal) {
                    p.fetch_max(m.len(), Ordering::Relaxed);
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        });
        WalWatch { stop, peak, thread: Some(thread) }
    }

    fn peak(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

fn report(mode: &str, rows: usize, seconds: f64, db: &Path, wal_peak: u64) -> Value {
    let db_bytes = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    json!({"mode": mode, "rows": rows, "seconds": seconds, "rows_per_s": (rows as f64 / seconds).round(),
           "db_bytes": db_bytes, "wal_peak_bytes": wal_peak})
}

fn unit_id(u: usize) -> String {
    format!("00000000-0000-7000-8000-{u:012}")
}

fn bare(db: &Path, rows: usize) -> Res<Value> {
    let _ = std::fs::remove_file(db);
    let conn = rusqlite::Connection::open(db)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE officers (id TEXT PRIMARY KEY, {cols}, unit_id TEXT);
         CREATE INDEX officers_staff_no ON officers (staff_no);
         CREATE INDEX officers_unit ON officers (unit_id);
         CREATE INDEX officers_roster_order ON officers (unit_id, staff_no);",
        cols = COLUMNS.map(|c| format!("{c} TEXT")).join(", ")
    ))?;
    let ids: Vec<String> = (0..rows).map(|_| new_id()).collect();
    let watch = WalWatch::start(db);
    let t = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE")?;
    {
        let sql = format!("INSERT INTO officers (id, {}, unit_id) VALUES (?{})", COLUMNS.join(", "), ", ?".repeat(12));
        let mut insert = conn.prepare(&sql)?;
        for (i, id) in ids.iter().enumerate() {
            let v = values(i);
            let unit = unit_id(i % UNITS);
            let params: Vec<&str> =
                std::iter::once(id.as_str()).chain(v.iter().map(String::as_str)).chain([unit.as_str()]).collect();
            insert.execute(rusqlite::params_from_iter(params))?;
        }
    }
    conn.execute_batch("COMMIT")?;
    let seconds = t.elapsed().as_secs_f64();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    Ok(report("bare", rows, seconds, db, watch.peak()))
}

async fn fresh_store(db: &Path) -> Res<(Store, Actor)> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let store = Store::open(db, Arc::new(SystemClock)).await?;
    let actor = Actor::local_admin();
    for u in 0..UNITS {
        units::save(
            &store,
            &actor,
            UnitInput {
                id: None,
                code: format!("U{:02}", u + 1),
                name: format!("单位{u:02}"),
                kind: UnitKind::Office,
                active: true,
            },
        )
        .await?;
    }
    Ok((store, actor))
}

async fn insert(db: &Path, rows: usize) -> Res<Value> {
    let (store, actor) = fresh_store(db).await?;
    let units: Vec<String> = units::list(&store).await?.into_iter().map(|u| u.id).collect();
    let batch: Vec<NewRow> = (0..rows)
        .map(|i| {
            let v = values(i);
            let columns: serde_json::Map<String, Value> = COLUMNS.iter().zip(v).map(|(k, v)| (k.to_string(), json!(v))).collect();
            NewRow { id: new_id(), unit_id: Some(units[i % UNITS].clone()), columns: Value::Object(columns) }
        })
        .collect();
    let watch = WalWatch::start(db);
    let t = Instant::now();
    let mut tx = store.begin_write(&actor).await?;
    tx.insert_many(Table::Officers, batch).await?;
    tx.commit().await?;
    let seconds = t.elapsed().as_secs_f64();
    store.close().await;
    Ok(report("insert", rows, seconds, db, watch.peak()))
}

async fn update(db: &Path) -> Res<Value> {
    let store = Store::open(db, Arc::new(SystemClock)).await?;
    let actor = Actor::local_admin();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM officers WHERE deleted = 0").fetch_all(store.pool()).await?;
    let updates: Vec<(String, Value)> =
        ids.into_iter().enumerate().map(|(i, id)| (id, json!({"title": "主任", "phone": format!("139{:08}", i)}))).collect();
    let rows = updates.len();
    let watch = WalWatch::start(db);
    let t = Instant::now();
    let mut tx = store.begin_write(&actor).await?;
    let changed = tx.update_many(Table::Officers, updates).await?;
    tx.commit().await?;
    let seconds = t.elapsed().as_secs_f64();
    assert_eq!(changed, rows, "every row changed");
    store.close().await;
    Ok(report("update", rows, seconds, db, watch.peak()))
}

fn csv(file: &Path, rows: usize) -> Res<Value> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    writeln!(out, "单位,工号,姓名,性别,职务,电话,邮箱,任期开始,任期结束,职责,备注")?;
    for i in 0..rows {
        let v = values(i);
        writeln!(
            out,
            "单位{:02},{},{},{},{},{},{},{},{},{},{}",
            i % UNITS,
            v[0],
            v[1],
            v[2],
            v[3],
            v[4],
            v[5],
            v[6],
            v[7],
            v[8],
            v[10]
        )?;
    }
    out.flush()?;
    Ok(json!({"mode": "csv", "rows": rows}))
}

async fn import_file(db: &Path, file: &Path) -> Res<Value> {
    let (store, actor) = fresh_store(db).await?;
    let watch = WalWatch::start(db);
    let t = Instant::now();
    let report_ = import::officers_report(&store, &actor, file).await?;
    let seconds = t.elapsed().as_secs_f64();
    if !report_.accepted {
        return Err(format!("import refused: {:?}", report_.errors.first()).into());
    }
    store.close().await;
    Ok(report("import", report_.imported as usize, seconds, db, watch.peak()))
}

async fn pull(db: &Path, rows: usize) -> Res<Value> {
    let (store, _) = fresh_store(db).await?;
    let device = "0193a0b0c0d0e0f00000000000000001";
    let changes: Vec<zongwu_proto::Change> = (0..rows)
        .map(|i| {
            let v = values(i);
            zongwu_proto::Change {
                change_id: new_id(),
                device_id: device.into(),
                device_seq: i as i64 + 1,
                table: "officers".into(),
                row_id: new_id(),
                unit_id: Some(unit_id(i % UNITS)),
                hlc: zongwu_proto::Hlc { wall_ms: 1_764_000_000_000, counter: i as u32, device_id: device.into() }.encode(),
                cl: 1,
                columns: COLUMNS.iter().zip(v).map(|(k, v)| (k.to_string(), json!(v))).collect(),
                clocks: Default::default(),
                kind: zongwu_proto::ChangeKind::Write,
            }
        })
        .collect();
    let watch = WalWatch::start(db);
    let t = Instant::now();
    for (n, page) in changes.chunks(1_000).enumerate() {
        store.merge_remote_with_meta(page, Some(("bench_cursor", &n.to_string()))).await?;
    }
    let seconds = t.elapsed().as_secs_f64();
    store.close().await;
    Ok(report("pull", rows, seconds, db, watch.peak()))
}
