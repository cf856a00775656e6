//! Merging a change made elsewhere: per-column last-writer-wins by HLC, causal length for
//! existence. The same function replays this device's own log (the replay property test) and
//! will apply changes pulled from the server.

use super::values::{bind_value, normalise, row_to_map};
use super::{Store, Table};
use crate::{Error, Result};
use serde_json::{Map, Value};
use sqlx::{Row, SqliteConnection};
use zongwu_proto::{Change, Hlc, SkewWarning};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// At least one column or the row's existence changed.
    Applied,
    /// Every part of the change lost to what we already had.
    Superseded,
    /// This change id was merged before.
    AlreadySeen,
}

impl Store {
    /// Merge changes from other replicas in one transaction, recording each in `change_log` with
    /// the values it overwrote. Returns the outcome per change and any clock-skew warnings.
    pub async fn merge_remote(&self, changes: &[Change]) -> Result<(Vec<MergeOutcome>, Vec<SkewWarning>)> {
        let mut guard = self.writer.lock().await;
        let mut state = guard.clone();
        let mut tx = self.pool.begin().await?;
        let now = self.now_ms();
        let mut outcomes = Vec::with_capacity(changes.len());
        let mut warnings = Vec::new();
        for change in changes {
            if let Some(h) = Hlc::parse(&change.hlc) {
                if let Some(w) = state.hlc.observe(&h, now) {
                    warnings.push(w);
                }
            }
            outcomes.push(merge_change(&mut tx, change, now).await?);
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES ('hlc_last', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(state.hlc.last().encode())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        *guard = state;
        Ok((outcomes, warnings))
    }

    /// This device's own changes after local log position `after_seq`, in order.
    pub async fn local_changes(&self, after_seq: i64, limit: i64) -> Result<Vec<(i64, Change)>> {
        let rows = sqlx::query(
            "SELECT seq, change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns
             FROM change_log WHERE origin = 'local' AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let columns: Map<String, Value> = serde_json::from_str(r.get::<String, _>("columns").as_str())?;
                Ok((
                    r.get("seq"),
                    Change {
                        change_id: r.get("change_id"),
                        device_id: r.get("device_id"),
                        device_seq: r.get("device_seq"),
                        table: r.get("tbl"),
                        row_id: r.get("row_id"),
                        unit_id: r.get("unit_id"),
                        hlc: r.get("hlc"),
                        cl: r.get("cl"),
                        columns: columns.into_iter().collect(),
                    },
                ))
            })
            .collect()
    }
}

pub(crate) async fn merge_change(conn: &mut SqliteConnection, change: &Change, now_ms: i64) -> Result<MergeOutcome> {
    let seen: Option<i64> = sqlx::query_scalar("SELECT 1 FROM change_log WHERE change_id = ?")
        .bind(&change.change_id)
        .fetch_optional(&mut *conn)
        .await?;
    if seen.is_some() {
        return Ok(MergeOutcome::AlreadySeen);
    }
    let table = Table::from_name(&change.table).ok_or_else(|| Error::Validation(format!("未知的表：{}", change.table)))?;
    if let Some(bad) = change.columns.keys().find(|k| !table.columns().contains(&k.as_str())) {
        return Err(Error::Validation(format!("未知的列：{}.{bad}", change.table)));
    }
    let existing = sqlx::query(&format!("SELECT * FROM {} WHERE id = ?", table.name()))
        .bind(&change.row_id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(row_to_map);

    let (winners, cl_changed, previous): (Map<String, Value>, bool, Map<String, Value>) = match &existing {
        None => (change.columns.clone().into_iter().collect(), true, Map::new()),
        Some(row) => {
            let local_cl = row.get("cl").and_then(Value::as_i64).unwrap_or(1);
            let clocks: Map<String, Value> =
                row.get("updated_hlc").and_then(Value::as_str).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
            let winners: Map<String, Value> = if change.cl < local_cl {
                Map::new()
            } else if change.cl > local_cl {
                change.columns.clone().into_iter().collect()
            } else {
                change
                    .columns
                    .iter()
                    .filter(|(k, _)| clocks.get(*k).and_then(Value::as_str).is_none_or(|local| change.hlc.as_str() > local))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
            let previous = winners.keys().map(|k| (k.clone(), row.get(k).cloned().unwrap_or(Value::Null))).collect();
            (winners, change.cl > local_cl, previous)
        }
    };

    let applied = cl_changed || !winners.is_empty();
    if applied {
        write_merged(conn, table, change, existing.as_ref(), &winners, cl_changed).await?;
    }
    sqlx::query(
        "INSERT INTO change_log (change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns, previous,
                                 at_ms, origin, pushed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'remote', 1)",
    )
    .bind(&change.change_id)
    .bind(&change.device_id)
    .bind(change.device_seq)
    .bind(&change.table)
    .bind(&change.row_id)
    .bind(&change.unit_id)
    .bind(&change.hlc)
    .bind(change.cl)
    .bind(Value::Object(winners).to_string())
    .bind(Value::Object(previous).to_string())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(if applied { MergeOutcome::Applied } else { MergeOutcome::Superseded })
}

async fn write_merged(
    conn: &mut SqliteConnection,
    table: Table,
    change: &Change,
    existing: Option<&Map<String, Value>>,
    winners: &Map<String, Value>,
    cl_changed: bool,
) -> Result<()> {
    let mut clocks: Map<String, Value> = existing
        .and_then(|r| r.get("updated_hlc"))
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    for k in winners.keys() {
        clocks.insert(k.clone(), Value::String(change.hlc.clone()));
    }
    let cl = if cl_changed { change.cl } else { existing.and_then(|r| r.get("cl")).and_then(Value::as_i64).unwrap_or(change.cl) };
    let names: Vec<&String> = winners.keys().collect();
    let sql = if existing.is_none() {
        format!(
            "INSERT INTO {t} (id, unit_id, cl, deleted, updated_hlc{c}) VALUES (?, ?, ?, ?, ?{p})",
            t = table.name(),
            c = names.iter().map(|n| format!(", {n}")).collect::<String>(),
            p = ", ?".repeat(names.len()),
        )
    } else {
        format!(
            "UPDATE {t} SET unit_id = COALESCE(?, unit_id), cl = ?, deleted = ?, updated_hlc = ?{c} WHERE id = ?",
            t = table.name(),
            c = names.iter().map(|n| format!(", {n} = ?")).collect::<String>(),
        )
    };
    let mut q = sqlx::query(&sql);
    if existing.is_none() {
        q = q.bind(change.row_id.clone());
    }
    q = q.bind(change.unit_id.clone()).bind(cl).bind((cl % 2 == 0) as i64).bind(Value::Object(clocks).to_string());
    for v in winners.values() {
        q = bind_value(q, &normalise(v));
    }
    if existing.is_some() {
        q = q.bind(change.row_id.clone());
    }
    match q.execute(&mut *conn).await {
        Ok(_) => Ok(()),
        // A first sight of a row through a partial change (e.g. only `status`) can miss NOT NULL
        // columns; the columns' own changes will arrive, so record the row with their defaults.
        Err(e) => Err(Error::Internal(format!("merge into {}: {e}", table.name()))),
    }
}
