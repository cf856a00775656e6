//! The PostgreSQL backend. Several server instances may share one database, so an in-process
//! lock is not enough: every push transaction takes a transaction-level advisory lock before it
//! assigns sequence numbers and holds it until commit. PostgreSQL releases the lock only after
//! the commit is visible, so sequence numbers become visible in the order they were assigned.
//! For the same reason rate limits count in a table every instance sees ([`RateCounts`]).

use super::rate_counts::RateCounts;
use crate::error::Result;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};
use tokio::sync::MutexGuard;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/server/postgres");

/// The advisory lock key of push transactions ("zongwu" in ASCII).
const PUSH_LOCK_KEY: i64 = 0x7a6f_6e67_7775;

pub struct PgDatabase {
    pool: PgPool,
}

impl PgDatabase {
    pub async fn connect(url: &str, max_connections: u32) -> Result<PgDatabase> {
        let pool = PgPoolOptions::new().max_connections(max_connections.max(2)).connect(url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgDatabase { pool })
    }

    /// PostgreSQL handles concurrent writers itself.
    async fn write_guard(&self) -> Option<MutexGuard<'_, ()>> {
        None
    }

    async fn serialise_push(tx: &mut Transaction<'_, Postgres>) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PUSH_LOCK_KEY).execute(&mut **tx).await?;
        Ok(())
    }

    /// Several instances may share this database, so rate limits count in it.
    fn shared_rate_counts(&self, bucket: &'static str, window_secs: i64) -> Option<RateCounts> {
        Some(RateCounts::new(self.pool.clone(), bucket, window_secs))
    }

    /// A read transaction whose statements share one snapshot.
    async fn begin_read(&self) -> Result<Transaction<'_, Postgres>> {
        Ok(self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?)
    }

    /// Make the space of removed changes reusable (and hand back empty pages at the end of the
    /// table); `VACUUM FULL` would shrink the file but lock the log against every push and pull.
    async fn reclaim(&self) -> Result<()> {
        sqlx::raw_sql("VACUUM (ANALYZE) changes").execute(&self.pool).await?;
        Ok(())
    }
}

impl std::fmt::Debug for PgDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgDatabase")
    }
}

super::queries::impl_database!(PgDatabase, Postgres);
super::housing::impl_housing!(PgDatabase, Postgres);
super::platform::impl_platform!(PgDatabase, Postgres);
