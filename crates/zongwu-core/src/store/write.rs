//! The one write path for synced tables. See the module docs of [`crate::store`].
//!
//! A local write is a change like any other: it is judged by the rule table exactly as the server
//! will judge it, then merged into the row by the same pure [`merge::merge`] that takes in changes
//! from elsewhere, and the touched rows and their log entries are written in bulk
//! ([`super::rows`]). One row or a hundred thousand take the same path.

use super::rows::{insert_fresh, load_rows, write_columns, write_log, write_rows, FreshRow, LogAuthor, LogRow, TableShape};
use super::values::normalise_in_place;
use super::{Store, Table, WriterState};
use crate::{Actor, Error, Result};
use serde_json::{Map, Value};
use sqlx::{Sqlite, SqliteConnection, Transaction};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::MutexGuard;
use zongwu_proto::merge::{self, RowState};
use zongwu_proto::{rules, Change, ChangeKind};

/// Past this many rows in one write its commit checkpoints the WAL, so a bulk import leaves no
/// WAL file the size of the database behind.
const CHECKPOINT_AFTER_ROWS: usize = 5_000;

/// A row to insert: its id ([`super::new_id`] for a new one), owner unit and columns.
#[derive(Debug, Clone)]
pub struct NewRow {
    pub id: String,
    pub unit_id: Option<String>,
    pub columns: Value,
}

/// An open write. Dropping it without [`WriteTx::commit`] rolls everything back, the clock and
/// sequence numbers included.
pub struct WriteTx<'a> {
    store: &'a Store,
    guard: MutexGuard<'a, WriterState>,
    state: WriterState,
    tx: Transaction<'static, Sqlite>,
    actor: Actor,
    reason: Option<String>,
    now_ms: i64,
    /// Wall time for HLC stamps: `now_ms` corrected by the server's clock offset.
    hlc_now_ms: i64,
    rows_written: usize,
}

/// The rows one call touches, as they stand after each of its changes, and its log entries.
struct Batch {
    table: Table,
    shape: Arc<TableShape>,
    rows: HashMap<String, RowState>,
    /// Ids in the order they were first written.
    order: Vec<String>,
    /// For each written row, the columns to write: `Some` while every change of the batch to it
    /// only set columns of its current life (then only those are written), `None` for the whole
    /// row.
    written: HashMap<String, Option<Vec<&'static str>>>,
    log: Vec<Logged>,
}

/// A change of the batch as it goes into the log: its columns are the values that won.
struct Logged {
    change: Change,
    previous: Map<String, Value>,
    /// A row new to the store, written straight from the change ([`insert_fresh`]).
    fresh: bool,
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
            store,
            guard,
            state,
            tx,
            actor,
            reason: None,
            now_ms: store.now_ms(),
            hlc_now_ms: store.hlc_now_ms(),
            rows_written: 0,
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
        self.insert_many(table, vec![NewRow { id: id.into(), unit_id: unit_id.map(str::to_string), columns }]).await
    }

    /// Insert many rows in a few statements; each is judged, stamped and logged as if inserted on
    /// its own, in order. A live row with one of the ids (or an id given twice) fails the whole
    /// write.
    pub async fn insert_many(&mut self, table: Table, rows: Vec<NewRow>) -> Result<()> {
        let saved = self.state.clone();
        let result = self.insert_many_inner(table, rows).await;
        self.restore_on_error(saved, result)
    }

    async fn insert_many_inner(&mut self, table: Table, rows: Vec<NewRow>) -> Result<()> {
        let mut given = HashSet::with_capacity(rows.len());
        if let Some(twice) = rows.iter().find(|r| !given.insert(r.id.as_str())) {
            return Err(Error::Conflict(format!("记录已存在：{}", twice.id)));
        }
        drop(given);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut batch = self.batch(table, &ids).await?;
        for row in rows {
            let columns = checked_columns(table, row.columns)?;
            batch.shape.check_not_null(table, &columns)?;
            let Some(current) = batch.rows.get(&row.id) else {
                // A row new to this store: what the merge would make of it is the change itself.
                let change = self.change(table, &row.id, row.unit_id, 1, columns);
                self.judge(None, &change)?;
                batch.log.push(Logged { change, previous: Map::new(), fresh: true });
                continue;
            };
            if current.exists() {
                return Err(Error::Conflict(format!("记录已存在：{}", row.id)));
            }
            let change = self.change(table, &row.id, row.unit_id, current.cl + 1, columns);
            self.apply(&mut batch, change)?;
        }
        self.flush(batch).await
    }

    /// Set some columns of a live row. Only columns whose value really changes are written and
    /// recorded; returns whether anything changed.
    pub async fn update(&mut self, table: Table, id: &str, columns: Value) -> Result<bool> {
        Ok(self.update_many(table, vec![(id.to_string(), columns)]).await? == 1)
    }

    /// [`WriteTx::update`] for many rows in a few statements; returns how many changed.
    pub async fn update_many(&mut self, table: Table, updates: Vec<(String, Value)>) -> Result<usize> {
        let saved = self.state.clone();
        let result = self.update_many_inner(table, updates).await;
        self.restore_on_error(saved, result)
    }

    async fn update_many_inner(&mut self, table: Table, updates: Vec<(String, Value)>) -> Result<usize> {
        let ids: Vec<&str> = updates.iter().map(|(id, _)| id.as_str()).collect();
        let mut batch = self.batch(table, &ids).await?;
        let mut changed_rows = 0;
        for (id, columns) in updates {
            let columns = checked_columns(table, columns)?;
            batch.shape.check_not_null(table, &columns)?;
            let row = live(&batch, &id)?;
            let changed: Map<String, Value> = columns.into_iter().filter(|(k, v)| row.values.get(k) != Some(v)).collect();
            if changed.is_empty() {
                continue;
            }
            self.outrun(row);
            let change = self.change(table, &id, row.unit_id().map(str::to_string), row.cl, changed);
            self.apply(&mut batch, change)?;
            changed_rows += 1;
        }
        self.flush(batch).await?;
        Ok(changed_rows)
    }

    /// Delete a live row: it stays as a tombstone with an even causal length.
    pub async fn delete(&mut self, table: Table, id: &str) -> Result<()> {
        let saved = self.state.clone();
        let result = self.delete_inner(table, id).await;
        self.restore_on_error(saved, result)
    }

    async fn delete_inner(&mut self, table: Table, id: &str) -> Result<()> {
        let mut batch = self.batch(table, &[id]).await?;
        let row = live(&batch, id)?;
        self.outrun(row);
        let change = self.change(table, id, row.unit_id().map(str::to_string), row.cl + 1, Map::new());
        self.apply(&mut batch, change)?;
        self.flush(batch).await
    }

    pub async fn commit(mut self) -> Result<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ('hlc_last', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(self.state.hlc.last().encode())
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        *self.guard = self.state;
        if self.rows_written >= CHECKPOINT_AFTER_ROWS {
            self.store.checkpoint().await;
        }
        Ok(())
    }

    /// A refused or failed call leaves no trace: not a stamp, not a sequence number (a gap in
    /// `device_seq` would stop the push).
    fn restore_on_error<T>(&mut self, saved: WriterState, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.state = saved;
        }
        result
    }

    async fn batch(&mut self, table: Table, ids: &[&str]) -> Result<Batch> {
        let shape = self.store.shape(&mut self.tx, table).await?;
        let rows = load_rows(&mut self.tx, table, ids).await?;
        let n = ids.len();
        Ok(Batch {
            table,
            shape,
            rows,
            order: Vec::with_capacity(n),
            written: HashMap::with_capacity(n),
            log: Vec::with_capacity(n),
        })
    }

    /// This device's next change to a row, stamped now.
    fn change(&mut self, table: Table, id: &str, unit_id: Option<String>, cl: i64, columns: Map<String, Value>) -> Change {
        let hlc = self.state.hlc.tick(self.hlc_now_ms).encode();
        let device_seq = self.state.next_seq;
        self.state.next_seq += 1;
        Change {
            change_id: uuid::Uuid::now_v7().to_string(),
            device_id: self.store.device_id().to_string(),
            device_seq,
            table: table.name().to_string(),
            row_id: id.to_string(),
            unit_id,
            hlc,
            cl,
            columns: columns.into_iter().collect(),
            clocks: Default::default(),
            kind: ChangeKind::Write,
        }
    }

    /// Make sure the next stamp is later than every clock of `row`, so a local edit always wins
    /// over what the row holds (the clock has seen every stamp it merged, but a restamped outbox
    /// may have rolled it back).
    fn outrun(&mut self, row: &RowState) {
        if let Some(newest) = row.clocks.values().max().and_then(|c| zongwu_proto::Hlc::parse(c)) {
            let _ = self.state.hlc.observe(&newest, self.hlc_now_ms);
        }
    }

    /// The rule table's verdict on `change` against the row as it stands, judged exactly as the
    /// server will judge it.
    fn judge(&self, stored: Option<&RowState>, change: &Change) -> Result<()> {
        rules::authorize(&self.actor.subject(), stored, change).map_err(|r| Error::Forbidden(r.code.message_zh().to_string()))
    }

    /// Judge `change`, then merge it into the row.
    fn apply(&mut self, batch: &mut Batch, mut change: Change) -> Result<()> {
        self.judge(batch.rows.get(&change.row_id), &change)?;
        let mut state = batch.rows.remove(&change.row_id);
        let columns: Map<String, Value> = std::mem::take(&mut change.columns).into_iter().collect();
        let same_life = state.as_ref().is_some_and(|r| r.exists() && r.cl == change.cl);
        let merged = merge::merge(&mut state, &change, columns);
        let set: Vec<&'static str> = batch.table.columns().iter().copied().filter(|c| merged.winners.contains_key(*c)).collect();
        change.columns = merged.winners.into_iter().collect();
        match batch.written.get_mut(&change.row_id) {
            None => {
                batch.order.push(change.row_id.clone());
                batch.written.insert(change.row_id.clone(), same_life.then_some(set));
            }
            Some(Some(cols)) if same_life => {
                cols.extend(set);
                cols.sort_unstable();
                cols.dedup();
            }
            Some(cols) => *cols = None,
        }
        batch.rows.insert(change.row_id.clone(), state.expect("a local change leaves a row"));
        batch.log.push(Logged { change, previous: merged.previous, fresh: false });
        Ok(())
    }

    async fn flush(&mut self, batch: Batch) -> Result<()> {
        if batch.log.is_empty() {
            return Ok(());
        }
        // A call writes in several statements; a savepoint makes it all or nothing, so a failed
        // statement (a NOT NULL column set to null) leaves neither rows nor log entries behind
        // when the caller goes on with the transaction.
        let mut sp = sqlx::Connection::begin(&mut *self.tx).await?;
        let whole = batch.order.iter().filter(|id| batch.written[*id].is_none()).map(|id| (id.as_str(), &batch.rows[id]));
        write_rows(&mut sp, batch.table, &batch.shape, whole).await?;
        let partial: Vec<(&str, &RowState, &[&str])> = batch
            .order
            .iter()
            .filter_map(|id| batch.written[id].as_deref().map(|cols| (id.as_str(), &batch.rows[id], cols)))
            .collect();
        write_columns(&mut sp, batch.table, &batch.shape, &partial).await?;
        let fresh: Vec<FreshRow> = batch
            .log
            .iter()
            .filter(|l| l.fresh)
            .map(|l| FreshRow {
                row_id: &l.change.row_id,
                cl: l.change.cl,
                unit_id: l.change.unit_id.as_deref(),
                hlc: &l.change.hlc,
                columns: l.change.columns.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            })
            .collect();
        insert_fresh(&mut sp, batch.table, &batch.shape, &fresh).await?;
        let mut log = Vec::with_capacity(batch.log.len());
        for l in &batch.log {
            log.push(LogRow::new(&l.change, &l.change.columns, &l.previous)?);
        }
        let author = LogAuthor {
            actor_id: Some(&self.actor.user_id),
            actor_name: Some(&self.actor.name),
            reason: self.reason.as_deref(),
            at_ms: self.now_ms,
            local: true,
        };
        write_log(&mut sp, &log, &author).await?;
        sp.commit().await?;
        self.rows_written += batch.log.len();
        Ok(())
    }
}

fn live<'b>(batch: &'b Batch, id: &str) -> Result<&'b RowState> {
    match batch.rows.get(id) {
        Some(row) if row.exists() => Ok(row),
        _ => Err(Error::NotFound(format!("{} {id}", batch.table.name()))),
    }
}

fn checked_columns(table: Table, columns: Value) -> Result<Map<String, Value>> {
    let Value::Object(map) = columns else {
        return Err(Error::Internal("columns must be a JSON object".into()));
    };
    if let Some(bad) = map.keys().find(|k| !table.columns().contains(&k.as_str())) {
        return Err(Error::Internal(format!("unknown column {}.{bad}", table.name())));
    }
    // Store booleans, whole floats, arrays and objects as SQLite will give them back.
    let mut map = map;
    map.values_mut().for_each(normalise_in_place);
    Ok(map)
}
