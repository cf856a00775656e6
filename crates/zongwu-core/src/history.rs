//! A record's history, read from `change_log`: who changed which field from what to what, and the
//! values a merge from another device overwrote.

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
}

/// The history of one row, oldest first. The caller must be allowed to see the row's unit.
pub async fn for_row(store: &Store, actor: &Actor, table: &str, row_id: &str) -> Result<Vec<HistoryEntry>> {
    let table = Table::from_name(table).ok_or_else(|| Error::validation(format!("未知的表：{table}")))?;
    let rows: Vec<LogRow> = sqlx::query_as(
        "SELECT seq, at_ms, actor_name, origin, reason, cl, columns, previous, unit_id
         FROM change_log WHERE tbl = ? AND row_id = ? ORDER BY seq",
    )
    .bind(table.name())
    .bind(row_id)
    .fetch_all(store.pool())
    .await?;
    if let Some(unit) = rows.iter().find_map(|r| r.unit_id.clone()) {
        actor.require_unit(&unit)?;
    }
    let mut entries = Vec::with_capacity(rows.len());
    let mut last_cl = 0;
    for LogRow { seq, at_ms, actor_name, origin, reason, cl, columns, previous, .. } in rows {
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
        let fields = after
            .into_iter()
            .map(|(column, after)| FieldChange { before: before.get(&column).cloned().unwrap_or(Value::Null), column, after })
            .collect();
        entries.push(HistoryEntry { seq, at_ms, actor_name, origin, reason, kind, fields });
    }
    Ok(entries)
}
