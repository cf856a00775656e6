//! Request and answer bodies of the sync server's `/api/v1` routes, shared by the server and the
//! desktop's sync client so both sides agree by construction.

use crate::rules::RefusalCode;
use crate::{Change, Role};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
    /// The desktop install's device id; a device belongs to the first user that logs in with it.
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Bearer token for every other route; the server keeps only its hash.
    pub token: String,
    pub expires_at_ms: i64,
    pub user: Account,
}

/// A server account as the server shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub unit_id: Option<String>,
}

/// `POST /api/v1/sync/push`: a page of this device's outbox, in `device_seq` order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub device_id: String,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// Every change of this device up to here is stored; the client may mark them pushed.
    pub last_device_seq: i64,
    /// The server's wall clock when it answered, so a desktop can see its own clock is off.
    #[serde(default)]
    pub server_time_ms: i64,
    /// Changes the server judged against its stored rows and refused. They count as received
    /// (their `device_seq` is within `last_device_seq`), so they never block the outbox; nothing
    /// of them was stored or passed on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<RefusedChange>,
}

/// One refused change and the server's copy of its row, to put back on the desktop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RefusedChange {
    pub change_id: String,
    pub code: RefusalCode,
    /// What exactly was refused, for the history.
    pub message: String,
    /// The row as the server holds it (every column with its clock); `None` when the server
    /// has no such row or the pusher may not see it: the desktop then forgets its copy.
    pub row: Option<Change>,
}

/// `GET /api/v1/sync/pull?cursor=&limit=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor for the next request; commit it together with the applied changes.
    pub next_cursor: i64,
    pub has_more: bool,
    /// The server's wall clock when it answered.
    #[serde(default)]
    pub server_time_ms: i64,
    /// The server database's epoch; store it with the cursor and send it back as `epoch`.
    #[serde(default)]
    pub epoch: String,
}

/// `GET /api/v1/sync/snapshot?seq=&after_table=&after_row=&limit=&epoch=`: one page of the
/// server's materialised rows, the bootstrap of a new desktop (or of one whose cursor was
/// compacted away).
///
/// The first page (no `seq`) pins the snapshot to `seq`, the largest sequence number committed
/// when it was read; later pages pass it back with the key of the last row received. Each page
/// holds rows as they are when that page is read, so a row may already show changes after `seq`.
/// The client then follows the log from `seq`: the changes after it are merged again, which the
/// merge makes a no-op (per-column last writer and causal length are idempotent and
/// order-independent), and nothing at or below `seq` can be missing from a page read later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SnapshotResponse {
    /// Whole rows in (table, row id) order, tombstones included (a deleted row keeps its causal
    /// length, so an edit from its older life arriving later cannot bring it back). Each is one
    /// write carrying every column with its own clock (`clocks`), like a row entering an
    /// officer's scope. Its `change_id`, `device_id` and `device_seq` name the snapshot, not a
    /// change of any device; a replica logs them under an identity of its own bootstrap.
    pub rows: Vec<Change>,
    /// The snapshot's sequence number: pass it back with every later page, and follow the log
    /// from it (`/sync/pull?cursor=seq`) once the last page is merged.
    pub seq: i64,
    /// The key of the last row of this page, for `after_table` / `after_row` of the next one.
    pub after: Option<RowKey>,
    pub has_more: bool,
    /// The server's wall clock when it answered.
    pub server_time_ms: i64,
    /// The server database's epoch; pass it back as `epoch`.
    pub epoch: String,
}

/// A synced row's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct RowKey {
    pub table: String,
    pub row_id: String,
}

/// `POST /api/v1/sync/compact` (admin): compact the change log now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CompactRequest {
    /// Compact the changes received more than this many seconds ago; the server's setting
    /// (`compact_keep_secs`) when absent, 0 for every change so far.
    #[serde(default)]
    pub keep_secs: Option<i64>,
}

/// What a compaction did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CompactResponse {
    /// The compaction horizon: a pull cursor below it is 409 `cursor_compacted`.
    pub horizon: i64,
    /// Changes at or below the horizon looked at.
    pub examined: u64,
    /// Changes removed: every column superseded, an older life of their row, or a dead row's.
    pub removed: u64,
    /// Changes kept with only the columns that still hold the row's value.
    pub trimmed: u64,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// With `seq_gap`: the `device_seq` the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<i64>,
}

/// The stable code of every error answer; both ends match on it, never on message text or
/// on the HTTP status alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    /// A gap in `device_seq`; `expected_seq` says which one the server expects next.
    SeqGap,
    /// A cursor this database never handed out (or of another epoch): re-bootstrap.
    UnknownCursor,
    /// A cursor below the compaction horizon: the log behind it was compacted, so the desktop
    /// bootstraps again from the snapshot (its own changes are all on the server already).
    CursorCompacted,
    /// A change stamped too far ahead of the server's clock.
    ClockSkew,
    /// A used `device_seq` with a new change id: the device's log was rolled back.
    SeqReused,
    TooManyRequests,
    TooLarge,
    Internal,
    /// A code of a newer server, or an answer that was not ours (a proxy's error page).
    #[serde(other)]
    Unknown,
}
