//! Rows and log entries in and out of SQLite in bulk: the statements the write path
//! ([`super::WriteTx`]) and the merge of pulled pages share.
//!
//! Through sqlx every statement is a round trip to the connection's worker thread, so rows are
//! read with one `IN (json_each(?))` query per few thousand ids and written with multi-row
//! statements of [`ROWS_PER_STATEMENT`] rows: a 100,000-row import is a few hundred statements,
//! not 200,000 (measured in docs/benchmarks.md, "Bulk writes").

use super::values::{bind_value, column_value, row_to_map};
use super::{Store, Table};
use crate::Result;
use serde_json::{Map, Value};
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::sync::Arc;
use zongwu_proto::merge::RowState;

/// SQLite's limit on bound parameters per statement (the bundled SQLite's default since 3.32).
const MAX_VARS: usize = 32_766;

/// Rows per multi-row statement. Past a few hundred rows a statement gets slower per row (SQLite
/// compiles the whole VALUES list; sqlx copies every argument), below it the round trips count.
const ROWS_PER_STATEMENT: usize = 250;

/// Ids per lookup query.
const IDS_PER_QUERY: usize = 5_000;

/// The bookkeeping columns of a stored row that the merge state keeps elsewhere.
const BOOKKEEPING: [&str; 4] = ["id", "cl", "deleted", "updated_hlc"];

fn rows_per_statement(params_per_row: usize) -> usize {
    ROWS_PER_STATEMENT.min(MAX_VARS / params_per_row.max(1)).max(1)
}

/// Every column of a table in schema order and the value each takes when an insert omits it, read
/// once from the schema. Rows are written whole, so a row that starts fresh must get exactly the
/// defaults an `INSERT` naming only some columns would give it.
#[derive(Debug)]
pub(crate) struct TableShape {
    pub columns: Vec<String>,
    pub defaults: Map<String, Value>,
    /// Columns declared NOT NULL.
    pub not_null: Vec<String>,
}

impl TableShape {
    /// Refuse a change that sets a NOT NULL column to null before anything is written: a batch
    /// writes each row once, so SQLite would only see the last value, while the log keeps every
    /// change (and a replica merging this one alone would fail on it).
    pub fn check_not_null(&self, table: Table, columns: &Map<String, Value>) -> crate::Result<()> {
        match columns.iter().find(|(k, v)| v.is_null() && self.not_null.iter().any(|n| n == *k)) {
            Some((k, _)) => Err(crate::Error::validation(format!("{}.{k} 不能为空", table.name()))),
            None => Ok(()),
        }
    }

    /// The columns a row's state holds values for (every column but the bookkeeping ones).
    fn state_columns(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(String::as_str).filter(|c| !BOOKKEEPING.contains(c))
    }
}

impl Store {
    pub(super) async fn shape(&self, conn: &mut SqliteConnection, table: Table) -> Result<Arc<TableShape>> {
        if let Some(shape) = self.shapes.lock().expect("shape cache").get(&table) {
            return Ok(shape.clone());
        }
        let info: Vec<(String, Option<String>, bool)> =
            sqlx::query_as("SELECT name, dflt_value, \"notnull\" FROM pragma_table_info(?) ORDER BY cid")
                .bind(table.name())
                .fetch_all(&mut *conn)
                .await?;
        // The default expressions are the schema's own text (literals in our migrations); SQLite
        // evaluates them exactly as it would for an insert.
        let select = info.iter().map(|(_, d, _)| d.as_deref().unwrap_or("NULL")).collect::<Vec<_>>().join(", ");
        let row = sqlx::query(&format!("SELECT {select}")).fetch_one(&mut *conn).await?;
        let defaults = info.iter().enumerate().map(|(i, (name, _, _))| (name.clone(), column_value(&row, i))).collect();
        let not_null = info.iter().filter(|(_, _, nn)| *nn).map(|(n, _, _)| n.clone()).collect();
        let shape = Arc::new(TableShape { columns: info.into_iter().map(|(n, _, _)| n).collect(), defaults, not_null });
        self.shapes.lock().expect("shape cache").insert(table, shape.clone());
        Ok(shape)
    }
}

/// A stored row (every SQL column) as the pure merge's state, and its id.
pub(crate) fn row_state(mut values: Map<String, Value>) -> (String, RowState) {
    let id = values.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let cl = values.get("cl").and_then(Value::as_i64).unwrap_or(1);
    let text = values.get("updated_hlc").and_then(Value::as_str).unwrap_or("{}").to_string();
    for k in BOOKKEEPING {
        values.remove(k);
    }
    let clocks = RowState::decode_clocks(&values, &text).unwrap_or_default();
    (id, RowState { cl, values, clocks })
}

/// The stored rows (live or tombstones) among `ids`, by id.
pub(super) async fn load_rows(conn: &mut SqliteConnection, table: Table, ids: &[&str]) -> Result<HashMap<String, RowState>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let ids = serde_json::to_string(chunk)?;
        let found = sqlx::query(&format!("SELECT * FROM {} WHERE id IN (SELECT value FROM json_each(?))", table.name()))
            .bind(ids)
            .fetch_all(&mut *conn)
            .await?;
        out.extend(found.iter().map(|r| row_state(row_to_map(r))));
    }
    Ok(out)
}

/// Write whole rows, many per statement. An upsert rather than delete + insert, so a row keeps its
/// place; every column is written, so a fresh start keeps nothing of the old life. Clocks are
/// stored compact ([`RowState::encode_clocks`]), over every column of the table.
pub(crate) async fn write_rows<'r>(
    conn: &mut SqliteConnection,
    table: Table,
    shape: &TableShape,
    rows: impl Iterator<Item = (&'r str, &'r RowState)>,
) -> Result<()> {
    let rows: Vec<(&str, &RowState)> = rows.collect();
    let cols = &shape.columns;
    let tuple = format!("({})", vec!["?"; cols.len()].join(", "));
    let update = cols.iter().filter(|c| *c != "id").map(|c| format!("{c} = excluded.{c}")).collect::<Vec<_>>().join(", ");
    for chunk in rows.chunks(rows_per_statement(cols.len())) {
        let sql = format!(
            "INSERT INTO {t} ({c}) VALUES {v} ON CONFLICT(id) DO UPDATE SET {update}",
            t = table.name(),
            c = cols.join(", "),
            v = vec![tuple.as_str(); chunk.len()].join(", "),
        );
        let mut q = sqlx::query(&sql);
        for (id, row) in chunk {
            for c in cols {
                q = match c.as_str() {
                    "id" => q.bind(*id),
                    "cl" => q.bind(row.cl),
                    "deleted" => q.bind(!row.exists() as i64),
                    "updated_hlc" => q.bind(encode_clocks(shape, row)),
                    // A column no change of this life set takes its schema default.
                    c => bind_value(q, row.values.get(c).or_else(|| shape.defaults.get(c)).unwrap_or(&Value::Null)),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Write only some columns (and the clocks) of rows that stay in their current life, grouped by
/// the columns: an edit of two columns of 100,000 rows rewrites neither the other columns nor
/// the indexes on them.
pub(super) async fn write_columns(
    conn: &mut SqliteConnection,
    table: Table,
    shape: &TableShape,
    rows: &[(&str, &RowState, &[&str])],
) -> Result<()> {
    let groups = group_by(rows.iter().map(|(id, row, cols)| (*cols, (*id, *row))));
    for (cols, rows) in &groups {
        let tuple = format!("(?, ?{})", ", ?".repeat(cols.len()));
        let set: String = cols.iter().map(|c| format!(", {c} = excluded.{c}")).collect();
        for chunk in rows.chunks(rows_per_statement(2 + cols.len())) {
            // An upsert whose insert never happens (every id exists): SQLite's fastest multi-row
            // update. Omitted columns have defaults, so the attempted insert is a valid row.
            let sql = format!(
                "INSERT INTO {t} (id, updated_hlc{c}) VALUES {v} ON CONFLICT(id) DO UPDATE SET updated_hlc = excluded.updated_hlc{set}",
                t = table.name(),
                c = cols.iter().map(|k| format!(", {k}")).collect::<String>(),
                v = vec![tuple.as_str(); chunk.len()].join(", "),
            );
            let mut q = sqlx::query(&sql);
            for (id, row) in chunk {
                q = q.bind(*id).bind(encode_clocks(shape, row));
                for c in cols.iter() {
                    q = bind_value(q, row.values.get(*c).unwrap_or(&Value::Null));
                }
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// The compact clocks of `row` over every column of the table, so a column the row's values lack
/// (its default was written) is marked as having no clock rather than taking the shared one.
fn encode_clocks(shape: &TableShape, row: &RowState) -> String {
    zongwu_proto::merge::encode_clocks(shape.state_columns(), &row.clocks)
}

/// A row new to the store, as the one change that creates it: its stamp and columns (values
/// normalised, keys sorted, no per-column clock overrides, no `unit_id` among them).
pub(super) struct FreshRow<'a> {
    pub row_id: &'a str,
    /// Odd: a row this store never had may arrive in a later life (a snapshot of a re-created row).
    pub cl: i64,
    pub unit_id: Option<&'a str>,
    pub hlc: &'a str,
    pub columns: Vec<(&'a str, &'a Value)>,
}

/// Insert rows new to the store straight from the changes that create them, grouped by the
/// columns they set. What is written is exactly what [`write_rows`] writes for the state
/// [`zongwu_proto::merge::merge`] makes of such a change (the change's columns, the owner without
/// a clock, schema defaults elsewhere), without building that state: a 100,000-row import spent
/// most of its time allocating and freeing it. The replay property tests hold the two equal.
pub(super) async fn insert_fresh(
    conn: &mut SqliteConnection,
    table: Table,
    shape: &TableShape,
    rows: &[FreshRow<'_>],
) -> Result<()> {
    let groups = group_by(rows.iter().map(|r| (r.columns.iter().map(|(k, _)| *k).collect::<Vec<_>>(), r)));
    for (keys, rows) in &groups {
        // The compact clocks of such a row: the change's stamp shared by its columns, every
        // other column marked as having none; keys in the order a JSON object map sorts them.
        let mut unset: Vec<&str> = shape.state_columns().filter(|c| !keys.contains(c)).collect();
        unset.sort_unstable();
        let suffix: String = unset.iter().map(|c| format!(r#","{c}":"""#)).collect();
        let tuple = format!("(?, ?, ?, 0, ?{})", ", ?".repeat(keys.len()));
        for chunk in rows.chunks(rows_per_statement(4 + keys.len())) {
            let sql = format!(
                "INSERT INTO {t} (id, unit_id, cl, deleted, updated_hlc{c}) VALUES {v}",
                t = table.name(),
                c = keys.iter().map(|k| format!(", {k}")).collect::<String>(),
                v = vec![tuple.as_str(); chunk.len()].join(", "),
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                let clocks = if keys.is_empty() { "{}".to_string() } else { format!(r#"{{"":"{}"{suffix}}}"#, r.hlc) };
                q = q.bind(r.row_id).bind(r.unit_id).bind(r.cl).bind(clocks);
                for (_, v) in &r.columns {
                    q = bind_value(q, v);
                }
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// Items grouped by key, groups in the order their first item came, items in order within each.
fn group_by<K: std::hash::Hash + Eq + Clone, T>(items: impl Iterator<Item = (K, T)>) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    let mut index: HashMap<K, usize> = HashMap::new();
    for (key, item) in items {
        let g = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(item);
    }
    groups
}

/// Remove rows that left this desktop's scope.
pub(super) async fn forget_rows(conn: &mut SqliteConnection, table: Table, ids: &[&str]) -> Result<()> {
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let ids = serde_json::to_string(chunk)?;
        sqlx::query(&format!("DELETE FROM {} WHERE id IN (SELECT value FROM json_each(?))", table.name()))
            .bind(ids)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// One `change_log` entry, local or merged from elsewhere.
pub(super) struct LogRow<'a> {
    pub change_id: &'a str,
    pub device_id: &'a str,
    pub device_seq: i64,
    pub table: &'a str,
    pub row_id: &'a str,
    pub unit_id: Option<&'a str>,
    pub hlc: &'a str,
    pub cl: i64,
    /// JSON of the values the change set, and of those it overwrote.
    pub columns: String,
    pub previous: String,
}

impl<'a> LogRow<'a> {
    /// The entry of `change`, with the values it set and those it overwrote.
    pub fn new(
        change: &'a zongwu_proto::Change,
        columns: &impl serde::Serialize,
        previous: &impl serde::Serialize,
    ) -> Result<Self> {
        Ok(LogRow {
            change_id: &change.change_id,
            device_id: &change.device_id,
            device_seq: change.device_seq,
            table: &change.table,
            row_id: &change.row_id,
            unit_id: change.unit_id.as_deref(),
            hlc: &change.hlc,
            cl: change.cl,
            columns: serde_json::to_string(columns)?,
            previous: serde_json::to_string(previous)?,
        })
    }
}

/// Who wrote a batch of log entries, and whether they are this device's own (the outbox).
pub(super) struct LogAuthor<'a> {
    pub actor_id: Option<&'a str>,
    pub actor_name: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub at_ms: i64,
    pub local: bool,
}

/// Record changes in `change_log`, many per statement, in order. Parameters are plain `?`: SQLite
/// looks a numbered `?NNN` up by a linear scan per bind, which makes a statement of a few thousand
/// of them quadratic.
pub(super) async fn write_log(conn: &mut SqliteConnection, log: &[LogRow<'_>], author: &LogAuthor<'_>) -> Result<()> {
    const PER_ROW: usize = 14;
    let (origin, pushed) = if author.local { ("local", 0) } else { ("remote", 1) };
    let tuple = format!("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{origin}', {pushed})");
    for chunk in log.chunks(rows_per_statement(PER_ROW)) {
        let sql = format!(
            "INSERT INTO change_log (change_id, device_id, device_seq, tbl, row_id, unit_id, hlc, cl, columns, previous,
                                     at_ms, reason, actor_name, actor_id, origin, pushed) VALUES {}",
            vec![tuple.as_str(); chunk.len()].join(", ")
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.change_id)
                .bind(e.device_id)
                .bind(e.device_seq)
                .bind(e.table)
                .bind(e.row_id)
                .bind(e.unit_id)
                .bind(e.hlc)
                .bind(e.cl)
                .bind(&e.columns)
                .bind(&e.previous)
                .bind(author.at_ms)
                .bind(author.reason)
                .bind(author.actor_name)
                .bind(author.actor_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
