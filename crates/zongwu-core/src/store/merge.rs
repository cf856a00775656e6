//! Merging changes made elsewhere: per-column last-writer-wins by HLC, causal length for
//! existence. The same code replays this device's own log (the replay property test) and applies
//! the pages pulled from the server.
//!
//! A page is merged set-based (a first pull of 100,000 rows is 100 pages): its seen change ids and
//! its rows are read with one query each, every change is decided in memory in page order, and
//! rows and log entries are written with multi-row statements. A change naming a table or
//! columns this version does not know (from a newer version) is not an error: the known part is
//! merged and the whole change is kept in `parked_changes`, so old clients survive new schemas.

use super::rows::{forget_rows, insert_fresh, load_rows, write_log, write_rows, FreshRow, LogAuthor, LogRow};
use super::values::normalise;
use super::{Store, Table};
use crate::Result;
use serde_json::{Map, Value};
use sqlx::{Row, SqliteConnection};
use std::collections::{BTreeMap, HashMap, HashSet};
use zongwu_proto::{merge, Change, ChangeKind, Hlc, HlcClock, SkewWarning};

crate::dto! {
    /// A local edit the sync server refused: it is kept in the row's history, not in the data.
    #[derive(sqlx::FromRow)]
    pub struct RefusedEdit {
        pub change_id: String,
        pub table_name: String,
        pub row_id: String,
        /// The stable code ([`zongwu_proto::rules::RefusalCode`]).
        pub code: String,
        pub message: String,
        pub at_ms: i64,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    /// At least one column or the row's existence changed.
    Applied,
    /// Every part of the change lost to what we already had.
    Superseded,
    /// This change id was merged before.
    AlreadySeen,
    /// The change is for a table this version does not know; it was kept in `parked_changes`.
    Parked,
    /// The row left this desktop's scope and was removed.
    LeftScope,
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
        let mut tx = self.merge_pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = self.now_ms();
        let hlc_now = self.hlc_now_ms();
        let mut warnings = Vec::new();
        for change in changes {
            if let Some(h) = Hlc::parse(&change.hlc) {
                if let Some(w) = state.hlc.observe(&h, hlc_now) {
                    warnings.push(w);
                }
            }
        }
        let outcomes = self.merge_page(&mut tx, changes, now).await?;
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
                        clocks: Default::default(),
                        kind: ChangeKind::Write,
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

    /// Give the outbox changes stamped in the future (this computer's clock ran fast) fresh
    /// stamps at the corrected time ([`Store::hlc_now_ms`]), and roll the clock back to match.
    ///
    /// Nobody has seen an unpushed stamp, so it may change: the server refuses it anyway (409
    /// `clock_skew`), and a desktop whose clock never goes back would stay stuck until real time
    /// caught up. The new stamps keep the outbox's order and sort after every stamp this device
    /// pushed or merged, so no comparison already made against another replica's write flips.
    /// The rows' column clocks carrying an old stamp are rewritten with the new one. Returns how
    /// many changes were re-stamped.
    pub async fn restamp_outbox(&self) -> Result<u64> {
        let mut guard = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = self.hlc_now_ms();
        // Stamps sort as text; everything from `future` on is ahead of the corrected clock.
        let future = format!("{:015}-", now + 1);
        let stale: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT seq, hlc, tbl, row_id FROM change_log WHERE origin = 'local' AND pushed = 0 AND hlc >= ? ORDER BY seq",
        )
        .bind(&future)
        .fetch_all(&mut *tx)
        .await?;
        if stale.is_empty() {
            return Ok(0);
        }
        // Every other stamp is one somebody may have seen or that we compared against; a stamp
        // beyond what the server accepts (its clock + tolerance) cannot have come through it.
        let horizon = format!("{:015}-", now + zongwu_proto::MAX_FORWARD_SKEW_MS + 1);
        let floor: Option<String> = sqlx::query_scalar(
            "SELECT MAX(hlc) FROM change_log WHERE hlc < ? AND NOT (origin = 'local' AND pushed = 0 AND hlc >= ?)",
        )
        .bind(&horizon)
        .bind(&future)
        .fetch_one(&mut *tx)
        .await?;
        let mut clock = match floor.as_deref().and_then(Hlc::parse) {
            Some(h) => HlcClock::resume(Hlc { device_id: self.device_id.clone(), ..h }),
            None => HlcClock::new(self.device_id.clone()),
        };
        let mut renamed: HashMap<String, String> = HashMap::new();
        let mut rows: BTreeMap<(String, String), ()> = BTreeMap::new();
        for (seq, old, tbl, row_id) in &stale {
            let new = clock.tick(now).encode();
            sqlx::query("UPDATE change_log SET hlc = ? WHERE seq = ?").bind(&new).bind(seq).execute(&mut *tx).await?;
            renamed.insert(old.clone(), new);
            rows.insert((tbl.clone(), row_id.clone()), ());
        }
        for (tbl, row_id) in rows.keys() {
            let Some(table) = Table::from_name(tbl) else { continue };
            let clocks: Option<String> = sqlx::query_scalar(&format!("SELECT updated_hlc FROM {} WHERE id = ?", table.name()))
                .bind(row_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(mut clocks) = clocks.and_then(|c| serde_json::from_str::<Map<String, Value>>(&c).ok()) else { continue };
            let mut changed = false;
            for stamp in clocks.values_mut() {
                if let Some(new) = stamp.as_str().and_then(|s| renamed.get(s)) {
                    *stamp = Value::String(new.clone());
                    changed = true;
                }
            }
            if changed {
                sqlx::query(&format!("UPDATE {} SET updated_hlc = ? WHERE id = ?", table.name()))
                    .bind(Value::Object(clocks).to_string())
                    .bind(row_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES ('hlc_last', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(clock.last().encode())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        guard.hlc = clock;
        tracing::warn!(restamped = stale.len(), "outbox changes stamped by a fast clock were given the corrected time");
        Ok(stale.len() as u64)
    }

    /// Take in the changes the server refused: each leaves the outbox marked refused (its code
    /// kept for the history and the sync panel), and its row is put back to the server's copy,
    /// or forgotten when the server has none this user may see. One transaction.
    pub async fn apply_refusals(&self, refused: &[zongwu_proto::api::RefusedChange]) -> Result<()> {
        if refused.is_empty() {
            return Ok(());
        }
        let _guard = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for r in refused {
            let target: Option<(String, String)> = sqlx::query_as(
                "UPDATE change_log SET pushed = 1, refused = ?, refused_message = ?
                 WHERE change_id = ? AND origin = 'local' RETURNING tbl, row_id",
            )
            .bind(r.code.as_str())
            .bind(&r.message)
            .bind(&r.change_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((tbl, row_id)) = target else { continue };
            let Some(table) = Table::from_name(&tbl) else { continue };
            match &r.row {
                Some(row) => {
                    let shape = self.shape(&mut tx, table).await?;
                    let known =
                        row.columns.iter().filter(|(k, _)| table.has_column(k)).map(|(k, v)| (k.clone(), normalise(v))).collect();
                    let mut state = None;
                    merge::merge(&mut state, row, known);
                    let state = state.expect("a merge into nothing creates the row");
                    write_rows(&mut tx, table, &shape, std::iter::once((row_id.as_str(), &state))).await?;
                }
                None => forget_rows(&mut tx, table, &[row_id.as_str()]).await?,
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// This device's changes the server refused, newest first.
    pub async fn refused_changes(&self, limit: i64) -> Result<Vec<RefusedEdit>> {
        Ok(sqlx::query_as(
            "SELECT change_id, tbl AS table_name, row_id, refused AS code, COALESCE(refused_message, '') AS message, at_ms
             FROM change_log WHERE origin = 'local' AND refused IS NOT NULL ORDER BY seq DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
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

impl Store {
    /// Merge one page in a handful of statements: the page's seen ids in one query, its rows in
    /// one query per table, the per-column last-writer-wins and causal-length decisions in
    /// memory (change by change, in page order, exactly as if each were applied on its own),
    /// then rows and log entries written with multi-row statements.
    async fn merge_page(&self, conn: &mut SqliteConnection, changes: &[Change], now_ms: i64) -> Result<Vec<MergeOutcome>> {
        let ids = Value::Array(changes.iter().map(|c| Value::String(c.change_id.clone())).collect()).to_string();
        let mut seen: HashSet<String> =
            sqlx::query_scalar("SELECT change_id FROM change_log WHERE change_id IN (SELECT value FROM json_each(?))")
                .bind(ids)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();

        // The rows the page touches, one query per table.
        let mut wanted: BTreeMap<Table, Vec<&str>> = BTreeMap::new();
        for c in changes.iter().filter(|c| !seen.contains(&c.change_id)) {
            if let Some(t) = Table::from_name(&c.table) {
                wanted.entry(t).or_default().push(&c.row_id);
            }
        }
        let mut shapes = BTreeMap::new();
        let mut rows: HashMap<(Table, String), RowEntry> = HashMap::new();
        for (table, row_ids) in &wanted {
            shapes.insert(*table, self.shape(conn, *table).await?);
            for (id, state) in load_rows(conn, *table, row_ids).await? {
                rows.insert((*table, id), RowEntry { state: Some(state), dirty: None });
            }
        }

        // Rows the page creates with one plain change each (a first pull is almost only these)
        // are inserted straight from the change, without building their merge state.
        let mut per_row: HashMap<(&str, &str), usize> = HashMap::new();
        for c in changes.iter().filter(|c| !seen.contains(&c.change_id)) {
            *per_row.entry((&c.table, &c.row_id)).or_default() += 1;
        }
        // Per table, the positions in `log` of the rows created that way.
        let mut fresh: BTreeMap<Table, Vec<usize>> = BTreeMap::new();

        let mut outcomes = Vec::with_capacity(changes.len());
        let mut log = Vec::with_capacity(changes.len());
        let mut parked = Vec::new();
        let mut written = 0usize;
        for change in changes {
            if !seen.insert(change.change_id.clone()) {
                outcomes.push(MergeOutcome::AlreadySeen);
                continue;
            }
            if let Some(table) = Table::from_name(&change.table) {
                let plain = change.kind == ChangeKind::Write
                    && change.cl % 2 == 1
                    && change.clocks.is_empty()
                    && change.columns.keys().all(|k| k != merge::OWNER && table.has_column(k));
                if plain
                    && per_row[&(change.table.as_str(), change.row_id.as_str())] == 1
                    && !rows.contains_key(&(table, change.row_id.clone()))
                {
                    let known: Map<String, Value> = change.columns.iter().map(|(k, v)| (k.clone(), normalise(v))).collect();
                    outcomes.push(MergeOutcome::Applied);
                    fresh.entry(table).or_default().push(log.len());
                    log.push(LogEntry { change, columns: known, previous: Map::new() });
                    continue;
                }
            }
            let Some(table) = Table::from_name(&change.table) else {
                // A table from a newer version: nothing of it can be applied here. It is logged as
                // seen (so a second delivery is a no-op) and kept whole for a later version.
                parked.push(Parked::new(change, vec![change.table.clone()])?);
                log.push(LogEntry { change, columns: Map::new(), previous: Map::new() });
                outcomes.push(MergeOutcome::Parked);
                continue;
            };
            let entry = rows.entry((table, change.row_id.clone())).or_insert(RowEntry { state: None, dirty: None });
            if change.kind == ChangeKind::ScopeExit {
                // The row moved out of this desktop's scope: it is forgotten, not deleted.
                entry.state = None;
                entry.touch(&mut written);
                log.push(LogEntry { change, columns: Map::new(), previous: Map::new() });
                outcomes.push(MergeOutcome::LeftScope);
                continue;
            }
            let unknown: Vec<String> = change.columns.keys().filter(|k| !table.has_column(k)).cloned().collect();
            if !unknown.is_empty() {
                parked.push(Parked::new(change, unknown)?);
            }
            let known: Map<String, Value> =
                change.columns.iter().filter(|(k, _)| table.has_column(k)).map(|(k, v)| (k.clone(), normalise(v))).collect();
            let merged = merge::merge(&mut entry.state, change, known);
            if merged.outcome.applied() {
                entry.touch(&mut written);
            }
            outcomes.push(if merged.outcome.applied() { MergeOutcome::Applied } else { MergeOutcome::Superseded });
            log.push(LogEntry { change, columns: merged.winners, previous: merged.previous });
        }

        for (table, shape) in &shapes {
            let mut dirty: Vec<(usize, &str, &RowEntry)> = rows
                .iter()
                .filter(|((t, _), _)| t == table)
                .filter_map(|((_, id), r)| r.dirty.map(|o| (o, id.as_str(), r)))
                .collect();
            dirty.sort_by_key(|(o, _, _)| *o);
            let gone: Vec<&str> = dirty.iter().filter(|(_, _, r)| r.state.is_none()).map(|(_, id, _)| *id).collect();
            forget_rows(conn, *table, &gone).await?;
            let kept = dirty.iter().filter_map(|(_, id, r)| r.state.as_ref().map(|s| (*id, s)));
            write_rows(conn, *table, shape, kept).await?;
        }
        for (table, created) in &fresh {
            if !shapes.contains_key(table) {
                shapes.insert(*table, self.shape(conn, *table).await?);
            }
            let created: Vec<FreshRow> = created
                .iter()
                .map(|&i| FreshRow {
                    row_id: &log[i].change.row_id,
                    cl: log[i].change.cl,
                    unit_id: log[i].change.unit_id.as_deref(),
                    hlc: &log[i].change.hlc,
                    columns: log[i].columns.iter().map(|(k, v)| (k.as_str(), v)).collect(),
                })
                .collect();
            insert_fresh(conn, *table, &shapes[table], &created).await?;
        }
        let log = log.iter().map(|e| LogRow::new(e.change, &e.columns, &e.previous)).collect::<Result<Vec<_>>>()?;
        let author = LogAuthor { actor_id: None, actor_name: None, reason: None, at_ms: now_ms, local: false };
        write_log(conn, &log, &author).await?;
        for p in &parked {
            sqlx::query(
                "INSERT INTO parked_changes (change_id, tbl, row_id, unknown, change, parked_ms) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT(change_id) DO NOTHING",
            )
            .bind(&p.change_id)
            .bind(&p.table)
            .bind(&p.row_id)
            .bind(&p.unknown)
            .bind(&p.change)
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
        }
        if !parked.is_empty() {
            tracing::warn!(parked = parked.len(), "changes from a newer version set aside (unknown tables or columns)");
        }
        Ok(outcomes)
    }
}

/// A row as the page's merge sees it: loaded once, changed by every change of the page in
/// order, written once if `dirty` (the position of its first write, to keep page order).
/// `state: None` after a scope exit: the row is removed.
struct RowEntry {
    state: Option<merge::RowState>,
    dirty: Option<usize>,
}

impl RowEntry {
    fn touch(&mut self, written: &mut usize) {
        if self.dirty.is_none() {
            *written += 1;
            self.dirty = Some(*written);
        }
    }
}

struct LogEntry<'a> {
    change: &'a Change,
    columns: Map<String, Value>,
    previous: Map<String, Value>,
}

/// What this version could not merge: the whole change as it arrived, and the names it lacks.
struct Parked {
    change_id: String,
    table: String,
    row_id: String,
    unknown: String,
    change: String,
}

impl Parked {
    fn new(change: &Change, unknown: Vec<String>) -> Result<Parked> {
        Ok(Parked {
            change_id: change.change_id.clone(),
            table: change.table.clone(),
            row_id: change.row_id.clone(),
            unknown: serde_json::to_string(&unknown)?,
            change: serde_json::to_string(change)?,
        })
    }
}
