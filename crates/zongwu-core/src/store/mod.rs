//! The local SQLite store.
//!
//! One file per install, WAL with `synchronous=FULL` so an edit the user saw saved survives a power
//! cut. Reads go through the pool directly; writes go through [`WriteTx`], which stamps each row
//! write with the device's HLC and `device_seq` and records it in `change_log` in the same
//! transaction. Domain modules never write a synced table any other way.

mod merge;
mod rows;
mod schema;
mod values;
mod write;

pub use merge::{MergeOutcome, RefusedEdit};
pub use schema::Table;
pub use write::{NewRow, WriteTx};

pub(crate) use values::row_to_map;

use rows::TableShape;

use crate::{Actor, Clock, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Row;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use zongwu_proto::{Hlc, HlcClock};

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// State that only the single writer touches: the clock and the next device sequence number.
/// It is copied at the start of a write and stored back only when the write commits.
#[derive(Debug, Clone)]
pub(crate) struct WriterState {
    pub hlc: HlcClock,
    pub next_seq: i64,
}

#[derive(Debug)]
pub struct Store {
    pool: SqlitePool,
    /// One connection for merging pulled pages, with `synchronous=NORMAL`: a page and the cursor
    /// after it still commit atomically, but without an fsync each; a power cut can only lose
    /// whole pages at the end, which the next pull fetches again. Local edits keep `FULL`.
    merge_pool: SqlitePool,
    writer: Mutex<WriterState>,
    clock: Arc<dyn Clock>,
    device_id: String,
    path: PathBuf,
    /// The sync server's clock minus ours, applied to HLC stamps (see [`Store::hlc_now_ms`]).
    clock_offset_ms: AtomicI64,
    shapes: std::sync::Mutex<HashMap<Table, Arc<TableShape>>>,
}

/// The `meta` key holding the applied clock offset, so a restart keeps stamping at server time.
const CLOCK_OFFSET_KEY: &str = "clock_offset_ms";

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Up to 64 MiB of page cache per connection (the default is 2 MiB): a bulk write that
            // outgrows the cache spills pages to the WAL and writes them again later, which made
            // a 100,000-row import's WAL as large as the database and slowed it by a tenth.
            .pragma("cache_size", "-65536");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await?;
        MIGRATOR.run(&pool).await?;
        let merge_pool =
            SqlitePoolOptions::new().max_connections(1).connect_with(options.synchronous(SqliteSynchronous::Normal)).await?;

        let device_id = match meta_get(&pool, "device_id").await? {
            Some(id) => id,
            None => {
                // The short form keeps HLC text compact; a v7 UUID's tail is random enough per install.
                let id = uuid::Uuid::now_v7().simple().to_string();
                meta_set(&pool, "device_id", &id).await?;
                id
            }
        };
        let next_seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(device_seq), 0) + 1 FROM change_log WHERE device_id = ?")
            .bind(&device_id)
            .fetch_one(&pool)
            .await?;
        let hlc = match meta_get(&pool, "hlc_last").await?.as_deref().and_then(Hlc::parse) {
            Some(last) => HlcClock::resume(Hlc { device_id: device_id.clone(), ..last }),
            None => HlcClock::new(device_id.clone()),
        };
        let clock_offset_ms = meta_get(&pool, CLOCK_OFFSET_KEY).await?.and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok(Store {
            pool,
            merge_pool,
            writer: Mutex::new(WriterState { hlc, next_seq }),
            clock,
            device_id,
            path: path.to_path_buf(),
            clock_offset_ms: AtomicI64::new(clock_offset_ms),
            shapes: Default::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The wall time HLC stamps are drawn from: this computer's clock corrected by the offset the
    /// sync server reported ([`Store::set_clock_offset`]). A clock an hour slow thus still stamps
    /// its writes at the office's time, so they do not lose to earlier writes elsewhere.
    pub fn hlc_now_ms(&self) -> i64 {
        self.clock.now_ms() + self.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// The correction applied to HLC stamps (0 when the clock is within tolerance).
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// Stamp from now on at this computer's clock plus `offset_ms` (the server's clock minus
    /// ours; 0 once the clock is right again). Kept across restarts.
    pub async fn set_clock_offset(&self, offset_ms: i64) -> Result<()> {
        if self.clock_offset_ms.swap(offset_ms, Ordering::SeqCst) != offset_ms {
            meta_set(&self.pool, CLOCK_OFFSET_KEY, &offset_ms.to_string()).await?;
        }
        Ok(())
    }

    /// Begin a write attributed to `actor`. Writes are serialised: only one is open at a time.
    pub async fn begin_write<'a>(&'a self, actor: &Actor) -> Result<WriteTx<'a>> {
        let guard = self.writer.lock().await;
        // IMMEDIATE takes SQLite's write lock now (waiting up to busy_timeout) rather than at the
        // first write, so a write never fails half-way because a dropped write on another
        // connection is still rolling back.
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx::new(self, guard, tx, actor.clone()))
    }

    /// Copy the WAL into the database and truncate it (after a bulk write). A reader still busy
    /// with an older snapshot only delays this; it is retried at the next bulk write.
    pub(crate) async fn checkpoint(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await {
            tracing::warn!(error = %e, "WAL checkpoint after a bulk write failed");
        }
    }

    /// Close every connection (before a restore replaces the file).
    pub async fn close(&self) {
        self.merge_pool.close().await;
        self.pool.close().await;
    }

    /// Number of local changes not yet acknowledged by a server.
    pub async fn pending_changes(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM change_log WHERE origin = 'local' AND pushed = 0")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Every live and deleted row of `table` as JSON maps ordered by id, bookkeeping columns
    /// included. Used by tests and by the replay check.
    pub async fn dump_table(&self, table: Table) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
        let rows = sqlx::query(&format!("SELECT * FROM {} ORDER BY id", table.name())).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(row_to_map).collect())
    }
}

pub(crate) async fn meta_get(pool: &SqlitePool, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM meta WHERE key = ?").bind(key).fetch_optional(pool).await?;
    Ok(row.map(|r| r.get::<String, _>(0)))
}

pub(crate) async fn meta_set(pool: &SqlitePool, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(pool)
        .await?;
    Ok(())
}

/// A fresh UUIDv7 as text: time-ordered, so ids sort roughly by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
