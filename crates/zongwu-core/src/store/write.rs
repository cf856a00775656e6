//! The one write path for synced tables. See the module docs of [`crate::store`].

use super::merge::row_state;
use super::values::{bind_value, normalise, row_to_map};
use super::{Store, Table, WriterState};
use crate::{Actor, Error, Result};
use serde_json::{Map, Value};
use sqlx::{Sqlite, SqliteConnection, Transaction};
use tokio::sync::MutexGuard;
use zongwu_proto::{rules, Change, ChangeKind, Hlc};

/// An open write. Dropping it without [`WriteTx::commit`] rolls everything back, the clock and
/// sequence numbers included.
pub struct WriteTx<'a> {
    guard: MutexGuard<'a, WriterState>,
    state: WriterState,
    tx: Transaction<'static, Sqlite>,
    actor: Actor,
    reason: Option<String>,
    now_ms: i64,
    /// Wall time for HLC stamps: `now_ms` corrected by the server's clock offset.
    hlc_now_ms: i64,
    device_id: String,
}

impl<'a> WriteTx<'a> {
    pub(super) fn new(
        store: &'a Store,
        guard: MutexGuard<'a, WriterState>,
        tx: Transaction<'static, Sqlite>,
        actor: Actor,
    ) -> Self {
        let state = guard.clone();
        WriteTx {
            guard,
            state,
            tx,
            actor,
            reason: None,
            now_ms: store.now_ms(),
            hlc_now_ms: store.hlc_now_ms(),
            device_id: store.device_id().to_string(),
        }
    }

    /// The connection inside the transaction, for reads that must see this write's own rows.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Why this write happens; shown in the history next to every change it makes.
    pub fn set_reason(&mut self, reason: impl Into<String>) {
        let r = reason.into();
        self.reason = if r.trim().is_empty() { None } else { Some(r) };
    }

    /// Insert a new row, or bring a deleted one back to life (its causal length moves to odd).
    pub async fn insert(&mut self, table: Table, id: &str, unit_id: Option<&str>, columns: Value) -> Result<()> {
        let columns = checked_columns(table, columns)?;
        self.authorize(table, id, None, unit_id, 1, &columns)?;
        let hlc = self.state.hlc.tick(self.hlc_now_ms);
        let clocks = Value::Object(columns.keys().map(|k| (k.clone(), Value::String(hlc.encode()))).collect()).to_string();
        // Almost every insert is a fresh UUIDv7: try it first and read the old row only on a clash
        // (a 50,000-row import saves a query per row).
        if insert_row(&mut self.tx, table, id, unit_id, 1, &clocks, &columns, OnConflict::Skip).await? {
            return self.record(table, id, unit_id, &hlc, 1, &columns, &Map::new()).await;
        }
        let existing = self.load(table, id).await?.ok_or_else(|| Error::Internal(format!("{} {id} vanished", table.name())))?;
        let cl = existing.get("cl").and_then(Value::as_i64).unwrap_or(1);
        if cl % 2 == 1 {
            return Err(Error::Conflict(format!("记录已存在：{id}")));
        }
        self.authorize(table, id, Some(&existing), unit_id, cl + 1, &columns)?;
        // A re-insert starts a fresh row: nothing of the deleted life carries over.
        sqlx::query(&format!("DELETE FROM {} WHERE id = ?", table.name())).bind(id.to_string()).execute(&mut *self.tx).await?;
        insert_row(&mut self.tx, table, id, unit_id, cl + 1, &clocks, &columns, OnConflict::Fail).await?;
        let previous = pick(&existing, columns.keys());
        self.record(table, id, unit_id, &hlc, cl + 1, &columns, &previous).await
    }

    /// Set some columns of a live row. Only columns whose value really changes are written and
    /// recorded; returns whether anything changed.
    pub async fn update(&mut self, table: Table, id: &str, columns: Value) -> Result<bool> {
        let columns = checked_columns(table, columns)?;
        let row = self.load_live(table, id).await?;
        let changed: Map<String, Value> =
            columns.into_iter().filter(|(k, v)| row.get(k).map(normalise) != Some(normalise(v))).collect();
        if changed.is_empty() {
            return Ok(false);
        }
        let cl = row.get("cl").and_then(Value::as_i64).unwrap_or(1);
        self.authorize(table, id, Some(&row), row.get("unit_id").and_then(Value::as_str), cl, &changed)?;
        let hlc = self.state.hlc.tick(self.hlc_now_ms);
        let mut clocks: Map<String, Value> =
            row.get("updated_hlc").and_then(Value::as_str).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        for k in changed.keys() {
            clocks.insert(k.clone(), Value::String(hlc.encode()));
        }
        let sql = format!(
            "UPDATE {t} SET updated_hlc = ?{c} WHERE id = ?",
            t = table.name(),
            c = changed.keys().map(|n| format!(", {n} = ?")).collect::<String>(),
        );
        let mut q = sqlx::query(&sql).bind(Value::Object(clocks).to_string());
        for v in changed.values() {
            q = bind_value(q, v);
        }
        q.bind(id.to_string()).execute(&mut *self.tx).await?;

        let unit_id = row.get("unit_id").and_then(Value::as_str).map(str::to_string);
        let previous = pick(&row, changed.keys());
        self.record(table, id, unit_id.as_deref(), &hlc, cl, &changed, &previous).await?;
        Ok(true)
    }

    /// Delete a live row: it stays as a tombstone with an even causal length.
    pub async fn delete(&mut self, table: Table, id: &str) -> Result<()> {
        let row = self.load_live(table, id).await?;
        let cl = row.get("cl").and_then(Value::as_i64).unwrap_or(1) + 1;
        self.authorize(table, id, Some(&row), row.get("unit_id").and_then(Value::as_str), cl, &Map::new())?;
        let hlc = self.state.hlc.tick(self.hlc_now_ms);
        // A tombstone keeps its last values for the history view but no column clocks.
        sqlx::query(&format!("UPDATE {} SET cl = ?, deleted = 1, updated_hlc = '{{}}' WHERE id = ?", table.name()))
            .bind(cl)
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await?;
        let unit_id = row.get("unit_id").and_then(Value::as_str).map(str::to_string);
        self.record(table, id, unit_id.as_deref(), &hlc, cl, &Map::new(), &Map::new()).await
    }

    pub async fn commit(mut self) -> Result<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ('hlc_last', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(self.state.hlc.last().encode())
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        *self.guard = self.state;
        Ok(())
    }

    /// The rule table's verdict on this write, judged exactly as the server will judge it.
    fn authorize(
        &self,
        table: Table,
        id: &str,
        stored: Option<&Map<String, Value>>,
        unit_id: Option<&str>,
        cl: i64,
        columns: &Map<String, Value>,
    ) -> Result<()> {
        let stored = stored.map(|r| row_state(r.clone()).1);
        let change = Change {
            change_id: String::new(),
            device_id: String::new(),
            device_seq: 0,
            table: table.name().to_string(),
            row_id: id.to_string(),
            unit_id: unit_id.map(str::to_string),
            hlc: String::new(),
            cl,
            columns: columns.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            clocks: Default::default(),
            kind: ChangeKind::Write,
        };
        rules::authorize(&self.actor.subject(), stored.as_ref(), &change)
            .map_err(|r| Error::Forbidden(r.code.message_zh().to_string()))
    }

    async fn load(&mut self, table: Table, id: &str) -> Result<Option<Map<String, Value>>> {
        let row = sqlx::query(&format!("SELECT * FROM {} WHERE id = ?", table.name()))
            .bind(id.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.as_ref().map(row_to_map))
    }

    async fn load_live(&mut self, table: Table, id: &str) -> Result<Map<String, Value>> {
        match self.load(table, id).await? {
            Some(row) if row.get("deleted").and_then(Value::as_i64) == Some(0) => Ok(row),
            _ => Err(Error::NotFound(format!("{} {id}", table.name()))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &mut self,
        table: Table,
        id: &str,
        unit_id: Option<&str>,
        hlc: &Hlc,
        cl: i64,
        columns: &Map<String, Value>,
        previous: &Map<String, Value>,
    ) -> Result<()> {
        let seq = self.state.next_seq;
        self.state.next_seq += 1;
        sqlx::query(
            "INSERT INTO change_log (change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns, previous,
                                     actor_id, actor_name, at_ms, reason, origin)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'local')",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&self.device_id)
        .bind(seq)
        .bind(table.name())
        .bind(id.to_string())
        .bind(unit_id.map(str::to_string))
        .bind(hlc.encode())
        .bind(cl)
        .bind(Value::Object(columns.clone()).to_string())
        .bind(Value::Object(previous.clone()).to_string())
        .bind(self.actor.user_id.clone())
        .bind(self.actor.name.clone())
        .bind(self.now_ms)
        .bind(self.reason.clone())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnConflict {
    /// Report an existing id as `Ok(false)` instead of failing.
    Skip,
    Fail,
}

/// Insert a fresh row; omitted columns take their schema defaults. Returns whether a row was
/// inserted (only `false` with [`OnConflict::Skip`] and an existing id).
#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_row(
    conn: &mut SqliteConnection,
    table: Table,
    id: &str,
    unit_id: Option<&str>,
    cl: i64,
    clocks: &str,
    columns: &Map<String, Value>,
    on_conflict: OnConflict,
) -> Result<bool> {
    let names: Vec<&str> = columns.keys().map(String::as_str).collect();
    let sql = format!(
        "INSERT INTO {t} (id, unit_id, cl, deleted, updated_hlc{c}) VALUES (?, ?, ?, ?, ?{p}){skip}",
        t = table.name(),
        c = names.iter().map(|n| format!(", {n}")).collect::<String>(),
        p = ", ?".repeat(names.len()),
        skip = if on_conflict == OnConflict::Skip { " ON CONFLICT(id) DO NOTHING" } else { "" },
    );
    let mut q = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(unit_id.map(str::to_string))
        .bind(cl)
        .bind((cl % 2 == 0) as i64)
        .bind(clocks.to_string());
    for v in columns.values() {
        q = bind_value(q, &normalise(v));
    }
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

fn checked_columns(table: Table, columns: Value) -> Result<Map<String, Value>> {
    let Value::Object(map) = columns else {
        return Err(Error::Internal("columns must be a JSON object".into()));
    };
    if let Some(bad) = map.keys().find(|k| !table.columns().contains(&k.as_str())) {
        return Err(Error::Internal(format!("unknown column {}.{bad}", table.name())));
    }
    // Store booleans, whole floats, arrays and objects as SQLite will give them back.
    Ok(map.into_iter().map(|(k, v)| (k, normalise(&v))).collect())
}

fn pick<'k>(row: &Map<String, Value>, keys: impl Iterator<Item = &'k String>) -> Map<String, Value> {
    keys.map(|k| (k.clone(), row.get(k).cloned().unwrap_or(Value::Null))).collect()
}
