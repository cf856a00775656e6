//! The server's error type and how it becomes an HTTP answer.
//!
//! Every error leaves as `{code, message}` JSON. Client mistakes (4xx) say what was wrong;
//! unexpected failures (5xx) answer with a generic message and log the full chain.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zongwu_proto::api::{ErrorBody, ErrorCode};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    BadRequest(String),
    #[error("not authenticated")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A push whose first new `device_seq` is not the next one the server expects.
    #[error("device_seq gap: expected {expected}")]
    SeqGap { expected: i64 },
    /// A change under a `device_seq` the server already holds, but with another change id: the
    /// device's log was rolled back (restored from a backup) and it numbers new changes again.
    /// Accepting would silently drop them; the device needs a new device id.
    #[error("device_seq {device_seq} was already used by another change; this device must re-register under a new id")]
    SeqReused { device_seq: i64 },
    /// A pull cursor beyond anything this server has handed out: the client must re-bootstrap.
    #[error("unknown cursor {cursor}")]
    UnknownCursor { cursor: i64 },
    /// A pull cursor below the compaction horizon: the log behind it was compacted, so the
    /// client must bootstrap from the snapshot again.
    #[error("cursor {cursor} is below the compaction horizon {horizon}: bootstrap from the snapshot")]
    CursorCompacted { cursor: i64, horizon: i64 },
    /// A change stamped further in the future than the server's clock allows: adopting it would
    /// let one device's wrong clock mask every later write. Nothing of the push is applied.
    #[error("change {change_id} is stamped {ahead_ms} ms ahead of the server's clock; fix this computer's clock")]
    ClockSkew { change_id: String, ahead_ms: i64 },
    #[error("too many attempts, try again later")]
    TooManyRequests,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_)
            | Error::SeqGap { .. }
            | Error::UnknownCursor { .. }
            | Error::CursorCompacted { .. }
            | Error::ClockSkew { .. }
            | Error::SeqReused { .. } => StatusCode::CONFLICT,
            Error::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Error::Db(_) | Error::Migrate(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::Unauthorized => ErrorCode::Unauthorized,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::SeqGap { .. } => ErrorCode::SeqGap,
            Error::UnknownCursor { .. } => ErrorCode::UnknownCursor,
            Error::CursorCompacted { .. } => ErrorCode::CursorCompacted,
            Error::ClockSkew { .. } => ErrorCode::ClockSkew,
            Error::SeqReused { .. } => ErrorCode::SeqReused,
            Error::TooManyRequests => ErrorCode::TooManyRequests,
            Error::Db(_) | Error::Migrate(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
            "internal server error".to_string()
        } else {
            self.to_string()
        };
        let expected_seq = match self {
            Error::SeqGap { expected } => Some(expected),
            _ => None,
        };
        (status, axum::Json(ErrorBody { code: self.code(), message, expected_seq })).into_response()
    }
}

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        Error::BadRequest(r.body_text())
    }
}
