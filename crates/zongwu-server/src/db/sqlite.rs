//! The SQLite backend: one file, WAL. Every write takes one in-process lock, so SQLite never
//! sees two writers (no `SQLITE_BUSY` on a read-then-write transaction) and push transactions,
//! which assign sequence numbers, commit in the order they were assigned.

use super::rate_counts::RateCounts;
use crate::error::Result;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/server/sqlite");

pub struct SqliteDatabase {
    pool: SqlitePool,
    writer: Mutex<()>,
}

impl SqliteDatabase {
    pub async fn connect(url: &str, max_connections: u32) -> Result<SqliteDatabase> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(max_connections.max(2)).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteDatabase { pool, writer: Mutex::new(()) })
    }

    async fn write_guard(&self) -> Option<MutexGuard<'_, ()>> {
        Some(self.writer.lock().await)
    }

    /// The writer lock already serialises pushes.
    async fn serialise_push(_tx: &mut Transaction<'_, Sqlite>) -> Result<()> {
        Ok(())
    }

    /// One instance serves a SQLite file, so rate limits count in its memory.
    fn shared_rate_counts(&self, _bucket: &'static str, _window_secs: i64) -> Option<RateCounts> {
        None
    }

    /// A read transaction: in WAL mode its first read pins a snapshot the later reads share.
    async fn begin_read(&self) -> Result<Transaction<'_, Sqlite>> {
        Ok(self.pool.begin().await?)
    }

    /// Hand the space compaction freed back to the file system: `VACUUM` once a quarter of the
    /// file is free pages (it rewrites the live data only), then truncate the WAL.
    async fn reclaim(&self) -> Result<()> {
        let _guard = self.write_guard().await;
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&self.pool).await?;
        let free: i64 = sqlx::query_scalar("PRAGMA freelist_count").fetch_one(&self.pool).await?;
        if free * 4 > pages {
            if let Err(e) = sqlx::raw_sql("VACUUM").execute(&self.pool).await {
                tracing::warn!(error = %e, "VACUUM after compaction failed; the free pages are reused instead");
            }
        }
        sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await?;
        Ok(())
    }
}

impl std::fmt::Debug for SqliteDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteDatabase")
    }
}

super::queries::impl_database!(SqliteDatabase, Sqlite);
super::housing::impl_housing!(SqliteDatabase, Sqlite);
super::platform::impl_platform!(SqliteDatabase, Sqlite);
