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
}

impl std::fmt::Debug for SqliteDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteDatabase")
    }
}

super::queries::impl_database!(SqliteDatabase, Sqlite);
super::housing::impl_housing!(SqliteDatabase, Sqlite);
super::platform::impl_platform!(SqliteDatabase, Sqlite);
