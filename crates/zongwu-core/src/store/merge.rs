//! Merging a change made elsewhere: per-column last-writer-wins by HLC, causal length for
//! existence. The same function replays this device's own log (the replay property test) and
//! will apply changes pulled from the server.

use super::values::{bind_value, normalise, row_to_map};
use super::write::{self, OnConflict};
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
        self.merge_remote_with_meta(changes, None).await
    }

    /// [`Store::merge_remote`] that also sets `meta[key] = value` in the same transaction: a pulled
    /// page and the sync cursor after it commit together or not at all.
    pub async fn merge_remote_with_meta(
        &self,
        changes: &[Change],
        meta: Option<(&str, &str)>,
    ) -> Result<(Vec<MergeOutcome>, Vec<SkewWarning>)> {
        let mut guard = self.writer.lock().await;
        let mut state = guard.clone();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
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
        if let Some((key, value)) = meta {
            sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
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

// Sync outbox bookkeeping (issue #3): the sync client marks what the server acknowledged.
impl Store {
    /// The local log position just before the oldest change not yet acknowledged by the server
    /// (pass it to [`Store::local_changes`]); `None` when the outbox is empty.
    pub async fn outbox_start(&self) -> Result<Option<i64>> {
        let first: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM change_log WHERE origin = 'local' AND pushed = 0")
            .fetch_one(self.pool())
            .await?;
        Ok(first.map(|s| s - 1))
    }

    /// Mark this device's changes up to `device_seq` as acknowledged: they leave the outbox.
    pub async fn mark_pushed(&self, device_seq: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE change_log SET pushed = 1 WHERE origin = 'local' AND pushed = 0 AND device_id = ? AND device_seq <= ?",
        )
        .bind(self.device_id())
        .bind(device_seq)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Put this device's changes from `device_seq` on back into the outbox (the server lost them,
    /// e.g. it was restored from a backup).
    pub async fn unmark_pushed_from(&self, device_seq: i64) -> Result<u64> {
        let done = sqlx::query("UPDATE change_log SET pushed = 0 WHERE origin = 'local' AND device_id = ? AND device_seq >= ?")
            .bind(self.device_id())
            .bind(device_seq)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
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

    let local_cl = existing.as_ref().map(|r| r.get("cl").and_then(Value::as_i64).unwrap_or(1));
    let previous_of = |keys: &mut dyn Iterator<Item = &String>| -> Map<String, Value> {
        let row = existing.as_ref();
        keys.map(|k| (k.clone(), row.and_then(|r| r.get(k)).cloned().unwrap_or(Value::Null))).collect()
    };
    let all_columns: Map<String, Value> = change.columns.clone().into_iter().collect();
    // A new row, or a new life of it (re-insert, or an update from that life arriving first):
    // start fresh from this change's columns, exactly as the writer's own re-insert did.
    let starts_fresh = local_cl.is_none_or(|local| change.cl > local && change.cl % 2 == 1);
    let (applied, winners, previous) = match local_cl {
        _ if starts_fresh => {
            let previous = if existing.is_some() { previous_of(&mut all_columns.keys()) } else { Map::new() };
            if existing.is_some() {
                sqlx::query(&format!("DELETE FROM {} WHERE id = ?", table.name()))
                    .bind(&change.row_id)
                    .execute(&mut *conn)
                    .await?;
            }
            let clocks = clocks_for(&all_columns, &change.hlc);
            let unit_id = change.unit_id.as_deref();
            write::insert_row(conn, table, &change.row_id, unit_id, change.cl, &clocks, &all_columns, OnConflict::Fail).await?;
            (true, all_columns, previous)
        }
        Some(local) if change.cl > local => {
            sqlx::query(&format!("UPDATE {} SET cl = ?, deleted = 1, updated_hlc = '{{}}' WHERE id = ?", table.name()))
                .bind(change.cl)
                .bind(&change.row_id)
                .execute(&mut *conn)
                .await?;
            (true, Map::new(), Map::new())
        }
        Some(local) if change.cl < local => (false, Map::new(), Map::new()),
        _ => {
            let row = existing.as_ref().expect("a missing row always starts fresh");
            let mut clocks: Map<String, Value> =
                row.get("updated_hlc").and_then(Value::as_str).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
            let winners: Map<String, Value> = change
                .columns
                .iter()
                .filter(|(k, _)| clocks.get(*k).and_then(Value::as_str).is_none_or(|local| change.hlc.as_str() > local))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !winners.is_empty() {
                for k in winners.keys() {
                    clocks.insert(k.clone(), Value::String(change.hlc.clone()));
                }
                let sql = format!(
                    "UPDATE {t} SET updated_hlc = ?{c} WHERE id = ?",
                    t = table.name(),
                    c = winners.keys().map(|n| format!(", {n} = ?")).collect::<String>(),
                );
                let mut q = sqlx::query(&sql).bind(Value::Object(clocks).to_string());
                for v in winners.values() {
                    q = bind_value(q, &normalise(v));
                }
                q.bind(&change.row_id).execute(&mut *conn).await?;
            }
            let previous = previous_of(&mut winners.keys());
            (!winners.is_empty(), winners, previous)
        }
    };

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

fn clocks_for(columns: &Map<String, Value>, hlc: &str) -> String {
    Value::Object(columns.keys().map(|k| (k.clone(), Value::String(hlc.to_string()))).collect()).to_string()
}
