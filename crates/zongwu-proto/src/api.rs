//! Request and answer bodies of the sync server's `/api/v1` routes, shared by the server and the
//! desktop's sync client so both sides agree by construction.

use crate::Change;
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
    /// `admin`, `office`, `expert` or `officer`.
    pub role: String,
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

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable: `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `seq_gap`,
    /// `unknown_cursor`, `clock_skew`, `seq_reused`, `too_many_requests`, `internal`.
    pub code: String,
    pub message: String,
    /// With `seq_gap`: the `device_seq` the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<i64>,
}
