//! Server storage: one [`Database`] trait, two backends.
//!
//! SQLite (the default: one file, nothing to set up) and PostgreSQL (a `postgres://` URL, for a
//! campus deployment where several stateless server instances share one database). Each backend
//! has its own migration folder under `migrations/server/`, embedded at compile time. The SQL
//! itself is shared: both backends keep the same logical tables with the same column types
//! (TEXT and 64-bit integers only), and `queries.rs` generates both implementations from it.
//!
//! The real differences: how a push serialises the assignment of server sequence numbers so
//! that they become visible to pullers in order (see [`Database::push`]), and where rate limits
//! count ([`Database::rate_counts`]: a table every PostgreSQL instance sees, or SQLite's one
//! instance's memory).

pub mod housing;
pub mod platform;
mod postgres;
mod queries;
pub mod rate_counts;
pub mod rows;
mod sqlite;

pub use postgres::PgDatabase;
pub use sqlite::SqliteDatabase;

use crate::error::{Error, Result};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use zongwu_proto::api::CompactResponse;
use zongwu_proto::Change;

/// The roles, one definition for both ends (the wire spells them in snake_case).
pub use zongwu_proto::Role;

/// A server account. The password hash never leaves the storage layer except for verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The one unit an officer acts for; `None` for the office's own roles.
    pub unit_id: Option<String>,
    /// A deactivated user can neither log in nor use a token issued before.
    pub active: bool,
}

/// A desktop install registered to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Device {
    pub device_id: String,
    pub user_id: String,
    pub login: String,
    pub registered_at_ms: i64,
    /// The last change of this device the server stored.
    pub last_device_seq: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub password_hash: String,
}

/// What a push stored: every change up to `last_device_seq` is received (stored or refused).
#[derive(Debug, Clone, Default)]
pub struct Pushed {
    pub last_device_seq: i64,
    pub refused: Vec<zongwu_proto::api::RefusedChange>,
}

/// One page of a pull, in server sequence order.
#[derive(Debug, Clone, Default)]
pub struct PullPage {
    pub changes: Vec<(i64, Change)>,
    /// The largest sequence number the page was read against; every change at or below it was
    /// committed when the page was read.
    pub horizon: i64,
}

/// One page of the snapshot: rows by key, as they are when the page is read.
#[derive(Debug, Clone, Default)]
pub struct SnapshotPage {
    /// The snapshot's sequence number (see [`Database::snapshot`]).
    pub seq: i64,
    pub rows: Vec<(String, String, zongwu_proto::merge::RowState)>,
}

/// Everything the server stores: users, tokens and changes here; published housing plans and
/// arrivals in [`housing`]; platform keys and records in [`platform`].
#[async_trait]
pub trait Database: housing::HousingDb + platform::PlatformDb + Send + Sync + 'static {
    /// Fails with `Conflict` when the login is taken.
    async fn create_user(&self, user: &NewUser, now_ms: i64) -> Result<User>;
    /// The user and their password hash.
    async fn user_by_login(&self, login: &str) -> Result<Option<(User, String)>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    async fn user_by_id(&self, id: &str) -> Result<Option<User>>;
    /// Store `user`'s name, role, unit and active flag, and the new password hash if given.
    async fn update_user(&self, user: &User, password_hash: Option<&str>) -> Result<()>;

    async fn list_devices(&self) -> Result<Vec<Device>>;
    /// Unregister a device and revoke its tokens; false when it was not registered.
    async fn remove_device(&self, device_id: &str, now_ms: i64) -> Result<bool>;
    async fn user_count(&self) -> Result<i64>;

    /// This database's epoch, drawn on first use; pull cursors are valid only within it.
    async fn epoch(&self) -> Result<String>;
    /// Draw a new epoch (after restoring a backup of this database): every cursor handed out
    /// before becomes unknown, so each desktop re-bootstraps.
    async fn renew_epoch(&self) -> Result<String>;

    /// Register `device_id` to `user_id` unless it already belongs to someone; returns the owner.
    async fn claim_device(&self, device_id: &str, user_id: &str, now_ms: i64) -> Result<String>;

    /// Store a token by its SHA-256 (hex); the token itself is never stored.
    async fn insert_token(&self, token_hash: &str, user_id: &str, device_id: &str, now_ms: i64, expires_at_ms: i64)
        -> Result<()>;
    /// The user and device of a live (not expired, not revoked) token.
    async fn token_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<(User, String)>>;
    async fn revoke_token(&self, token_hash: &str, now_ms: i64) -> Result<()>;

    /// Apply a device's changes in one transaction and return its last accepted `device_seq`.
    ///
    /// A change id seen before and a `device_seq` at or below the stored one are skipped; the
    /// first new one must be the stored one plus one, else [`Error::SeqGap`] and nothing is
    /// applied. A `device_seq` at or below the stored one with an unknown change id is
    /// [`Error::SeqReused`] (the device's log was rolled back), and nothing is applied. Sequence numbers are assigned under a lock held until commit, so they become
    /// visible to pullers in order: a puller can never move its cursor past a change that commits
    /// later. Each new change is judged by `subject` against the stored row ([`rows::judge`]):
    /// a refused one is answered, remembered and never passed on; it does not stop the rest.
    async fn push(
        &self,
        subject: zongwu_proto::rules::Subject<'_>,
        device_id: &str,
        changes: &[Change],
        now_ms: i64,
    ) -> Result<Pushed>;

    /// Materialise the rows of a database from before the server kept them (issue #7): merge
    /// its whole change log once into `sync_rows`. Runs at connect; a database that has rows (or
    /// no changes) is left as it is. Returns how many changes were merged.
    async fn materialise_backlog(&self, now_ms: i64) -> Result<u64>;

    /// Changes after `cursor`, at most `limit`; with `unit_id`, only those of rows that unit owns
    /// after the change or owned before it (a move out, which the caller turns into a scope exit).
    /// [`Error::UnknownCursor`] when `cursor` is beyond every sequence number handed out,
    /// [`Error::CursorCompacted`] when it is below the compaction horizon (the log behind it is
    /// gone). The bounds and the page are read in one snapshot of the database, so a compaction
    /// that starts meanwhile cannot take changes out from under the page.
    async fn pull(&self, cursor: i64, limit: i64, unit_id: Option<&str>) -> Result<PullPage>;

    /// The `bucket` of rate-limited events that every instance on this database counts in, with
    /// a window of `window_secs`: `Some` on PostgreSQL, which several instances may share;
    /// `None` on SQLite, whose one instance counts in memory ([`crate::limits`]).
    fn rate_counts(&self, bucket: &'static str, window_secs: i64) -> Option<rate_counts::RateCounts>;

    /// A page of the materialised rows after the key `after` (`("", "")` to start), at most
    /// `limit`, with `unit_id` only the rows that unit owns (as pull scopes them). `seq: None`
    /// starts a snapshot: its sequence number is the largest committed when this page is read,
    /// so every change at or below it is in this page and in every later one. `Some(seq)`
    /// continues one: [`Error::UnknownCursor`] beyond the largest sequence number,
    /// [`Error::CursorCompacted`] below the compaction horizon (the client could not follow the
    /// log from it).
    async fn snapshot(&self, seq: Option<i64>, after: (&str, &str), limit: i64, unit_id: Option<&str>) -> Result<SnapshotPage>;

    /// Compact the change log up to the newest change received at or before `cutoff_ms` (the
    /// horizon; it never moves back). The horizon is stored first, so from then on a pull below
    /// it is refused; then, in batches under the push lock, every change at or below it is
    /// judged against its stored row ([`rows::compaction_verdict`]): removed when nothing of it
    /// is the row's any more (overwritten, an older life, a dead row), trimmed to the columns
    /// that still are. Each device remembers the highest `device_seq` removed, so its resend is
    /// still a replay. Freed space is handed back (SQLite `VACUUM` when a quarter of the file
    /// is free, PostgreSQL `VACUUM`).
    async fn compact(&self, cutoff_ms: i64) -> Result<CompactResponse>;
}

/// Open the database named by `url` and bring its schema up to date.
pub async fn connect(url: &str, max_connections: u32) -> Result<Arc<dyn Database>> {
    let db: Arc<dyn Database> = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(PgDatabase::connect(url, max_connections).await?)
    } else if url.starts_with("sqlite:") {
        Arc::new(SqliteDatabase::connect(url, max_connections).await?)
    } else {
        return Err(Error::BadRequest("database_url must start with sqlite: or postgres://".into()));
    };
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    db.materialise_backlog(now_ms).await?;
    Ok(db)
}
