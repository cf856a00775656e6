//! zongwu's core: the domain, the local SQLite store, import/export and (later) the sync client.
//!
//! Nothing here knows about Tauri or any GUI. The desktop shell and the CLI call the same public
//! functions, each taking its dependencies (the [`Store`], an [`Actor`], a [`Clock`]) explicitly,
//! so every rule is testable headless.
//!
//! Every write goes through [`store::WriteTx`], which records it in `change_log` in the same
//! transaction: that log is both the audit history and the sync outbox.

pub mod authz;
pub mod backup;
pub mod capabilities;
pub mod clock;
pub mod demo;
pub mod desktop;
pub mod error;
pub mod excel;
pub mod fields;
pub mod history;
pub mod import;
pub mod needs;
pub mod officers;
pub mod store;
pub mod sync;
pub mod units;
pub mod users;

pub use authz::{Actor, Role};
pub use capabilities::Capabilities;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, ErrorCode, Result};
pub use store::Store;

/// Derive the TypeScript type when the `specta` feature is on (the desktop shell's bindings).
macro_rules! dto {
    ($item:item) => {
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "camelCase")]
        $item
    };
}
pub(crate) use dto;

/// Like [`dto!`] for enums whose variants travel as snake_case strings.
macro_rules! enum_dto {
    ($item:item) => {
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        $item
    };
}
pub(crate) use enum_dto;
