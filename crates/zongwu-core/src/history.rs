//! A record's history, read from `change_log`: who changed which field from what to what, and the
//! values a merge from another device overwrote.
//!
//! Conflicts stay visible: a merged (remote) entry lists only the columns that won, each with the
//! value it overwrote (`before`); a local value later overwritten by another device carries that
//! device in `overwritten_by`; a remote change that lost on every column is `superseded`. Remote
//! entries name their device and when the change was made there (`written_ms`, from its HLC);
//! `at_ms` is when it arrived here.

use crate::store::Table;
use crate::{dto, enum_dto, Actor, Error, Result, Store};
use serde_json::{Map, Value};

enum_dto! {
    #[derive(Copy, Eq)]
    pub enum ChangeKind {
        Created,
        Updated,
        Deleted,
        Restored,
    }
}

dto! {
    pub struct FieldChange {
        pub column: String,
        pub before: serde_json::Value,
        pub after: serde_json::Value,
        /// The device whose later change replaced this value (last writer wins), if any.
        pub overwritten_by: Option<String>,
    }
}

dto! {
    pub struct HistoryEntry {
        pub seq: i64,
        pub at_ms: i64,
        pub actor_name: Option<String>,
        /// `local` for edits on this device, `remote` for merged ones.
        pub origin: String,
        pub reason: Option<String>,
        pub kind: ChangeKind,
        pub fields: Vec<FieldChange>,
        /// The device that made the change.
        pub device_id: String,
        /// When it was made on that device (its clock's wall time).
        pub written_ms: i64,
        /// A remote change none of whose values won: newer values were already here.
        pub superseded: bool,
        /// Why the sync server refused this local edit (in Chinese); its values never took hold.
        pub refused: Option<String>,
    }
}

#[derive(sqlx::FromRow)]
struct LogRow {
    seq: i64,
    at_ms: i64,
    actor_name: Option<String>,
    origin: String,
    reason: Option<String>,
    cl: i64,
    columns: String,
    previous: String,
    unit_id: Option<String>,
    device_id: String,
    hlc: String,
    refused: Option<String>,
}

/// The history of one row, oldest first. The caller must be allowed to see the row's unit.
pub async fn for_row(store: &Store, actor: &Actor, table: &str, row_id: &str) -> Result<Vec<HistoryEntry>> {
    let table = Table::from_name(table).ok_or_else(|| Error::validation(format!("未知的表：{table}")))?;
    let rows: Vec<LogRow> = sqlx::query_as(
        "SELECT seq, at_ms, actor_name, origin, reason, cl, columns, previous, unit_id, device_id, hlc, refused
         FROM change_log WHERE tbl = ? AND row_id = ? ORDER BY seq",
    )
    .bind(table.name())
    .bind(row_id)
    .fetch_all(store.pool())
    .await?;
    if let Some(unit) = rows.iter().find_map(|r| r.unit_id.clone()) {
        actor.require_unit(&unit)?;
    }
    let mut entries: Vec<HistoryEntry> = Vec::with_capacity(rows.len());
    let mut last_cl = 0;
    // column -> (entry index, field index) of its latest value so far.
    let mut latest: std::collections::HashMap<String, (usize, usize)> = std::collections::HashMap::new();
    for LogRow { seq, at_ms, actor_name, origin, reason, cl, columns, previous, device_id, hlc, refused, .. } in rows {
        let after: Map<String, Value> = serde_json::from_str(&columns)?;
        let before: Map<String, Value> = serde_json::from_str(&previous)?;
        let kind = if cl % 2 == 0 {
            ChangeKind::Deleted
        } else if last_cl == 0 {
            ChangeKind::Created
        } else if cl > last_cl {
            ChangeKind::Restored
        } else {
            ChangeKind::Updated
        };
        last_cl = last_cl.max(cl);
        let superseded = origin == "remote" && after.is_empty() && cl % 2 == 1;
        let refused = refused.map(|code| {
            zongwu_proto::rules::RefusalCode::parse(&code).map_or(code.clone(), |c| format!("被服务器拒绝：{}", c.message_zh()))
        });
        let index = entries.len();
        let mut fields = Vec::with_capacity(after.len());
        for (column, after) in after {
            // A refused value never took hold, so it is not the one a later change replaced.
            if refused.is_none() {
                if let Some((e, f)) = latest.insert(column.clone(), (index, fields.len())) {
                    if entries[e].device_id != device_id {
                        entries[e].fields[f].overwritten_by = Some(device_id.clone());
                    }
                }
            }
            fields.push(FieldChange {
                before: before.get(&column).cloned().unwrap_or(Value::Null),
                column,
                after,
                overwritten_by: None,
            });
        }
        let written_ms = zongwu_proto::Hlc::parse(&hlc).map_or(at_ms, |h| h.wall_ms);
        entries.push(HistoryEntry {
            seq,
            at_ms,
            actor_name,
            origin,
            reason,
            kind,
            fields,
            device_id,
            written_ms,
            superseded,
            refused,
        });
    }
    Ok(entries)
}
