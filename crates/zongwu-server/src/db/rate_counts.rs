//! Rate-limited events in PostgreSQL (`rate_counts`), so that several server instances on one
//! database count as one: the login lock-out and the public limits hold however a load balancer
//! spreads the requests. SQLite has no such table; its one instance counts in memory
//! ([`crate::limits::LocalWindow`]).
//!
//! The sliding window is kept as counts per slot, a 60th of the window each ([`SLOTS`]): a check
//! reads at most 61 rows per key however busy the key is (a platform proxy sends every request
//! from one address), and an event counts for its window and at most one slot longer — never
//! shorter, so the limit is never more lenient than in memory.
//!
//! Every check is one round trip: [`RateCounts::allowed`] one `SELECT`, [`RateCounts::record`]
//! one upsert, [`RateCounts::admit`] one call of the `rate_admit` function (see its migration),
//! which checks and counts under per-key advisory locks so that concurrent requests, on any
//! instance, never get past the limit together. The table is UNLOGGED (no disk flush per
//! request; a PostgreSQL crash forgets the counts). Expired slots are deleted by each instance at
//! most once a minute per bucket, off the request path.

use crate::error::Result;
use sqlx::PgPool;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Slots per window.
pub const SLOTS: i64 = 60;

/// How often an instance deletes a bucket's expired slots.
const PRUNE_EVERY_MS: i64 = 60_000;

/// One bucket of `rate_counts` with its window. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct RateCounts {
    pool: PgPool,
    bucket: &'static str,
    window_ms: i64,
    slot_ms: i64,
    /// When this instance last deleted the bucket's expired slots.
    pruned_at_ms: Arc<AtomicI64>,
}

impl std::fmt::Debug for RateCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateCounts").field("bucket", &self.bucket).field("window_ms", &self.window_ms).finish()
    }
}

fn split(limits: &[(&str, usize)]) -> (Vec<String>, Vec<i64>) {
    limits.iter().map(|(k, l)| (k.to_string(), i64::try_from(*l).unwrap_or(i64::MAX))).unzip()
}

impl RateCounts {
    pub(crate) fn new(pool: PgPool, bucket: &'static str, window_secs: i64) -> Self {
        let window_ms = window_secs.max(1) * 1000;
        let slot_ms = (window_ms + SLOTS - 1) / SLOTS;
        RateCounts { pool, bucket, window_ms, slot_ms, pruned_at_ms: Arc::new(AtomicI64::new(0)) }
    }

    /// Slots starting after this still count at `now_ms` (their end is inside the window).
    fn oldest_counted(&self, now_ms: i64) -> i64 {
        now_ms - self.window_ms - self.slot_ms
    }

    /// Whether every `(key, limit)` has fewer than `limit` events in the window.
    #[tracing::instrument(skip_all, fields(bucket = self.bucket))]
    pub async fn allowed(&self, limits: &[(&str, usize)], now_ms: i64) -> Result<bool> {
        self.prune_now_and_then(now_ms);
        let (keys, limits) = split(limits);
        let allowed = sqlx::query_scalar(
            "SELECT NOT EXISTS (
                 SELECT 1 FROM unnest($2::text[], $3::bigint[]) AS l (key, lim)
                 WHERE (SELECT COALESCE(sum(c.events), 0) FROM rate_counts c
                        WHERE c.bucket = $1 AND c.key = l.key AND c.slot > $4) >= l.lim)",
        )
        .bind(self.bucket)
        .bind(&keys)
        .bind(&limits)
        .bind(self.oldest_counted(now_ms))
        .fetch_one(&self.pool)
        .await?;
        Ok(allowed)
    }

    /// Count an event against every key.
    #[tracing::instrument(skip_all, fields(bucket = self.bucket))]
    pub async fn record(&self, keys: &[&str], now_ms: i64) -> Result<()> {
        self.prune_now_and_then(now_ms);
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        sqlx::query(
            "INSERT INTO rate_counts (bucket, key, slot, events)
             SELECT $1, k, $3, count(*) FROM unnest($2::text[]) AS k GROUP BY k
             ON CONFLICT (bucket, key, slot) DO UPDATE SET events = rate_counts.events + excluded.events",
        )
        .bind(self.bucket)
        .bind(&keys)
        .bind(now_ms - now_ms.rem_euclid(self.slot_ms))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// [`allowed`](Self::allowed), and if so [`record`](Self::record), atomically across
    /// instances.
    #[tracing::instrument(skip_all, fields(bucket = self.bucket))]
    pub async fn admit(&self, limits: &[(&str, usize)], now_ms: i64) -> Result<bool> {
        self.prune_now_and_then(now_ms);
        let (keys, limits) = split(limits);
        let admitted = sqlx::query_scalar("SELECT rate_admit($1, $2, $3, $4, $5, $6)")
            .bind(self.bucket)
            .bind(&keys)
            .bind(&limits)
            .bind(now_ms)
            .bind(self.window_ms)
            .bind(self.slot_ms)
            .fetch_one(&self.pool)
            .await?;
        Ok(admitted)
    }

    /// Forget a key's events.
    #[tracing::instrument(skip_all, fields(bucket = self.bucket))]
    pub async fn clear(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM rate_counts WHERE bucket = $1 AND key = $2")
            .bind(self.bucket)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Delete the bucket's expired slots in the background, if this instance has not for a
    /// minute. Expired slots never count (every query filters by slot); this only keeps the
    /// table as small as the live windows, also for keys nobody asks about again.
    fn prune_now_and_then(&self, now_ms: i64) {
        let last = self.pruned_at_ms.load(Ordering::Relaxed);
        if now_ms - last < PRUNE_EVERY_MS
            || self.pruned_at_ms.compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        let (pool, bucket, cutoff) = (self.pool.clone(), self.bucket, self.oldest_counted(now_ms));
        tokio::spawn(async move {
            let pruned = sqlx::query("DELETE FROM rate_counts WHERE bucket = $1 AND slot <= $2")
                .bind(bucket)
                .bind(cutoff)
                .execute(&pool)
                .await;
            match pruned {
                Ok(done) => tracing::debug!(bucket, deleted = done.rows_affected(), "pruned expired rate counts"),
                Err(e) => tracing::warn!(bucket, error = %e, "could not prune expired rate counts"),
            }
        });
    }
}
