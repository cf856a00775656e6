//! Wire types for sync and the hybrid logical clock (HLC).
//!
//! Both the desktop core and the server depend on this crate and nothing else shared, so the
//! protocol has one definition. It is serde-only on purpose: no database, no runtime (the optional
//! `utoipa` feature adds OpenAPI schemas for the server's generated document).

pub mod api;
mod hlc;
pub mod public;

pub use hlc::{Hlc, HlcClock, SkewWarning, MAX_FORWARD_SKEW_MS};

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
}

impl Change {
    pub fn is_delete(&self) -> bool {
        self.cl % 2 == 0
    }
}
