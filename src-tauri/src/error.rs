//! Errors as they cross IPC: `{code, message}`. The UI switches on `code` for the localised title
//! and shows `message` as the detail.

use serde::Serialize;
use zongwu_core::ErrorCode;

#[derive(Debug, Serialize, specta::Type)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<zongwu_core::Error> for AppError {
    fn from(e: zongwu_core::Error) -> Self {
        if e.code() == ErrorCode::Internal {
            tracing::error!(error = ?e, "command failed");
        }
        AppError { code: e.code(), message: e.to_string() }
    }
}

impl From<zongwu_core::sync::SyncError> for AppError {
    fn from(e: zongwu_core::sync::SyncError) -> Self {
        match e {
            zongwu_core::sync::SyncError::Store(e) => e.into(),
            e => {
                tracing::info!(error = %e, "sync call failed");
                AppError { code: e.code(), message: e.user_message() }
            }
        }
    }
}

pub type CmdResult<T> = Result<T, AppError>;
