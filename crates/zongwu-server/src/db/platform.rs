//! Storage of the service platforms' intake keys and records (repair tickets, complaints,
//! payments): the queries both backends share, generated for each by [`impl_platform!`].
//!
//! A record is keyed by (platform, kind, the platform's own record id): a replay or an update of
//! the same record touches one row, and one platform can never reach another's rows, because
//! every write and platform read is bound to the platform of the caller's key.

use crate::error::Result;
use async_trait::async_trait;
use zongwu_proto::public::{PlatformKeyInfo, PlatformRecord};

pub use zongwu_platform::NewPlatformRecord;

/// How many records of a batch were new, changed, or the same as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntakeCounts {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
}

#[async_trait]
pub trait PlatformDb: Send + Sync {
    /// Store a key by its SHA-256; the key itself is never stored.
    async fn create_platform_key(
        &self,
        id: &str,
        platform: &str,
        label: &str,
        key_hash: &str,
        created_by: &str,
        now_ms: i64,
    ) -> Result<()>;
    async fn list_platform_keys(&self) -> Result<Vec<PlatformKeyInfo>>;
    /// Revoke a key by its id; false when there is no live key with that id.
    async fn revoke_platform_key(&self, id: &str, now_ms: i64) -> Result<bool>;
    /// The platform a live key belongs to.
    async fn platform_of_key(&self, key_hash: &str) -> Result<Option<String>>;
    /// Insert or update every record of `platform` and `kind` in one transaction.
    async fn put_platform_records(
        &self,
        platform: &str,
        kind: &str,
        records: &[NewPlatformRecord],
        now_ms: i64,
    ) -> Result<IntakeCounts>;
    async fn platform_record(&self, platform: &str, kind: &str, platform_record_id: &str) -> Result<Option<PlatformRecord>>;
    /// Records in storage order after `after` (a record id), of one kind when given.
    async fn list_platform_records(&self, kind: Option<&str>, after: Option<&str>, limit: i64) -> Result<Vec<PlatformRecord>>;
}

macro_rules! impl_platform {
    ($backend:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::db::platform::PlatformDb for $backend {
            async fn create_platform_key(
                &self,
                id: &str,
                platform: &str,
                label: &str,
                key_hash: &str,
                created_by: &str,
                now_ms: i64,
            ) -> $crate::error::Result<()> {
                let _guard = self.write_guard().await;
                sqlx::query(
                    "INSERT INTO platform_keys (key_hash, id, platform, label, created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(key_hash)
                .bind(id)
                .bind(platform)
                .bind(label)
                .bind(created_by)
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn list_platform_keys(&self) -> $crate::error::Result<Vec<zongwu_proto::public::PlatformKeyInfo>> {
                use sqlx::Row;
                let rows = sqlx::query(
                    "SELECT id, platform, label, created_by, created_at_ms, revoked_at_ms FROM platform_keys ORDER BY platform, id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(zongwu_proto::public::PlatformKeyInfo {
                            id: r.try_get("id")?,
                            platform: r.try_get("platform")?,
                            label: r.try_get("label")?,
                            created_by: r.try_get("created_by")?,
                            created_at_ms: r.try_get("created_at_ms")?,
                            revoked_at_ms: r.try_get("revoked_at_ms")?,
                        })
                    })
                    .collect()
            }

            async fn revoke_platform_key(&self, id: &str, now_ms: i64) -> $crate::error::Result<bool> {
                let _guard = self.write_guard().await;
                let done = sqlx::query("UPDATE platform_keys SET revoked_at_ms = $1 WHERE id = $2 AND revoked_at_ms IS NULL")
                    .bind(now_ms)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn platform_of_key(&self, key_hash: &str) -> $crate::error::Result<Option<String>> {
                Ok(sqlx::query_scalar("SELECT platform FROM platform_keys WHERE key_hash = $1 AND revoked_at_ms IS NULL")
                    .bind(key_hash)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            #[tracing::instrument(skip_all, fields(platform, kind, records = records.len()))]
            async fn put_platform_records(
                &self,
                platform: &str,
                kind: &str,
                records: &[$crate::db::platform::NewPlatformRecord],
                now_ms: i64,
            ) -> $crate::error::Result<$crate::db::platform::IntakeCounts> {
                let _guard = self.write_guard().await;
                let mut tx = self.pool.begin().await?;
                let mut counts = $crate::db::platform::IntakeCounts::default();
                for r in records {
                    // Insert first, so two instances racing on a new record cannot both create it.
                    let inserted = sqlx::query(
                        "INSERT INTO platform_records (id, platform, kind, platform_record_id, unit, occurred_at, payload, received_at_ms, updated_at_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                         ON CONFLICT (platform, kind, platform_record_id) DO NOTHING",
                    )
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(platform)
                    .bind(kind)
                    .bind(&r.platform_record_id)
                    .bind(&r.unit)
                    .bind(&r.occurred_at)
                    .bind(&r.payload)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    if inserted.rows_affected() == 1 {
                        counts.created += 1;
                        continue;
                    }
                    let updated = sqlx::query(
                        "UPDATE platform_records SET unit = $1, occurred_at = $2, payload = $3, updated_at_ms = $4
                         WHERE platform = $5 AND kind = $6 AND platform_record_id = $7 AND payload <> $3",
                    )
                    .bind(&r.unit)
                    .bind(&r.occurred_at)
                    .bind(&r.payload)
                    .bind(now_ms)
                    .bind(platform)
                    .bind(kind)
                    .bind(&r.platform_record_id)
                    .execute(&mut *tx)
                    .await?;
                    if updated.rows_affected() == 1 {
                        counts.updated += 1;
                    } else {
                        counts.unchanged += 1;
                    }
                }
                tx.commit().await?;
                Ok(counts)
            }

            async fn platform_record(
                &self,
                platform: &str,
                kind: &str,
                platform_record_id: &str,
            ) -> $crate::error::Result<Option<zongwu_proto::public::PlatformRecord>> {
                let row = sqlx::query(
                    "SELECT id, platform, kind, platform_record_id, unit, occurred_at, payload, received_at_ms, updated_at_ms
                     FROM platform_records WHERE platform = $1 AND kind = $2 AND platform_record_id = $3",
                )
                .bind(platform)
                .bind(kind)
                .bind(platform_record_id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(platform_record_from_row).transpose()
            }

            async fn list_platform_records(
                &self,
                kind: Option<&str>,
                after: Option<&str>,
                limit: i64,
            ) -> $crate::error::Result<Vec<zongwu_proto::public::PlatformRecord>> {
                let rows = sqlx::query(
                    "SELECT id, platform, kind, platform_record_id, unit, occurred_at, payload, received_at_ms, updated_at_ms
                     FROM platform_records WHERE ($1 IS NULL OR kind = $1) AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(kind)
                .bind(after.unwrap_or(""))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(platform_record_from_row).collect()
            }
        }

        fn platform_record_from_row(
            r: &<$db as sqlx::Database>::Row,
        ) -> $crate::error::Result<zongwu_proto::public::PlatformRecord> {
            use sqlx::Row;
            let payload: String = r.try_get("payload")?;
            Ok(zongwu_proto::public::PlatformRecord {
                id: r.try_get("id")?,
                platform: r.try_get("platform")?,
                kind: r.try_get("kind")?,
                platform_record_id: r.try_get("platform_record_id")?,
                unit: r.try_get("unit")?,
                occurred_at: r.try_get("occurred_at")?,
                payload: serde_json::from_str(&payload).map_err(|e| $crate::error::Error::Internal(e.to_string()))?,
                received_at_ms: r.try_get("received_at_ms")?,
                updated_at_ms: r.try_get("updated_at_ms")?,
            })
        }
    };
}

pub(crate) use impl_platform;
