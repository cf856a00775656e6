//! Wire types for sync and the hybrid logical clock (HLC).
//!
//! Both the desktop core and the server depend on this crate and nothing else shared, so the
//! protocol has one definition. It is serde-only on purpose: no database, no runtime (the optional
//! `utoipa` feature adds OpenAPI schemas for the server's generated document).

pub mod api;
mod hlc;
pub mod merge;
pub mod public;
mod role;
pub mod rules;

pub use hlc::{Hlc, HlcClock, SkewWarning, MAX_FORWARD_SKEW_MS};
pub use role::{NeedStatus, Role, MIN_PASSWORD_CHARS};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tables that sync, by their wire name. The server refuses changes to any other table, so a
/// malformed or hostile push cannot plant a change that no desktop can merge (which would stop
/// every desktop's pull at that change). The desktop store's `Table::ALL` must list the same
/// names (a core test checks it).
pub const SYNCED_TABLES: &[&str] = &["units", "users", "officers", "trainings", "needs", "need_transitions", "need_reviews"];

/// One row write as it travels between replicas.
///
/// A change carries the columns it set, all stamped with one HLC; the receiver merges them
/// column by column (larger HLC wins, the device id inside the HLC breaks ties). `cl` is the row's
/// causal length after the change: odd means the row exists, even means it was deleted. A change
/// whose `cl` is below the receiver's is from an older life of the row and is ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Change {
    /// UUIDv7, unique across all devices; a change seen twice is applied once.
    pub change_id: String,
    pub device_id: String,
    /// Per-device sequence number, gap-free from 1.
    pub device_seq: i64,
    pub table: String,
    pub row_id: String,
    /// The unit the row belongs to, the sync scope key; `None` for office-wide rows.
    pub unit_id: Option<String>,
    /// Encoded [`Hlc`].
    pub hlc: String,
    pub cl: i64,
    pub columns: BTreeMap<String, serde_json::Value>,
    /// Per-column clocks where a column's differs from `hlc` (a whole row sent as one change:
    /// a row entering an officer's scope, or the server's copy of a refused row).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub clocks: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "ChangeKind::is_write")]
    pub kind: ChangeKind,
}

/// What a pulled entry asks the receiver to do. Only the server makes anything but a write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Merge the columns (the only kind a desktop pushes).
    #[default]
    Write,
    /// The row left the puller's scope (it moved to another unit): forget it, history and all.
    ScopeExit,
}

impl ChangeKind {
    pub fn is_write(&self) -> bool {
        *self == ChangeKind::Write
    }
}

impl Change {
    pub fn is_delete(&self) -> bool {
        self.cl % 2 == 0
    }
}
