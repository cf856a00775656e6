//! The core's error type. Messages are for the people using the app (Chinese first); `code()`
//! gives the UI a stable value to switch on.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; the message says which and how to fix it.
    #[error("{0}")]
    Validation(String),
    #[error("没有权限：{0}")]
    Forbidden(String),
    #[error("未找到：{0}")]
    NotFound(String),
    /// A state change that is not allowed from the current state.
    #[error("{0}")]
    Conflict(String),
    /// An import that was refused; nothing was written. The report lists every bad row.
    #[error("导入被拒绝：{} 行有错误，未写入任何数据", .0.error_rows())]
    ImportRejected(crate::import::ImportReport),
    #[error("文件读写失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("生成 Excel 失败：{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("读取表格失败：{0}")]
    Sheet(String),
    #[error("内部错误：{0}")]
    Internal(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Validation,
    Forbidden,
    NotFound,
    Conflict,
    ImportRejected,
    Io,
    /// The sync server could not be reached (or is down for now).
    Network,
    /// The server refused the login or the token.
    Unauthorized,
    Internal,
}

impl From<zongwu_sheet::Error> for Error {
    fn from(e: zongwu_sheet::Error) -> Self {
        match e {
            zongwu_sheet::Error::Io(e) => Error::Io(e),
            zongwu_sheet::Error::Sheet(m) => Error::Sheet(m),
        }
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) | Error::Sheet(_) => ErrorCode::Validation,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::ImportRejected(_) => ErrorCode::ImportRejected,
            Error::Io(_) => ErrorCode::Io,
            Error::Db(_) | Error::Migrate(_) | Error::Xlsx(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        Error::Validation(msg.into())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("JSON: {e}"))
    }
}
