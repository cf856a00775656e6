//! The server's materialised rows: every synced row as the merge of the changes accepted so
//! far, by the same pure decision the desktop uses ([`zongwu_proto::merge`]). A push is judged
//! change by change against these rows with the rule table ([`zongwu_proto::rules`]) before
//! anything of it is stored; the backends only load and write them.

use crate::error::{Error, Result};
use std::collections::HashMap;
use zongwu_proto::api::RefusedChange;
use zongwu_proto::merge::{self, RowState};
use zongwu_proto::rules::{self, Refusal, Subject};
use zongwu_proto::Change;

/// Stored rows by (table, row id).
pub type Rows = HashMap<(String, String), RowState>;

/// A change the rule table let through, in the form it is logged and passed on.
#[derive(Debug)]
pub struct Accepted {
    /// The change as stored: its `unit_id` is the row's owner after it (the truth, not the
    /// claim); a change that moved the row carries the whole row, so the new unit's desktops
    /// get all of it.
    pub change: Change,
    /// The owner the change moved the row away from.
    pub left_unit_id: Option<String>,
}

/// The verdict on one push.
#[derive(Debug, Default)]
pub struct Judged {
    pub accepted: Vec<Accepted>,
    pub refused: Vec<(Change, Refusal)>,
    /// Keys of rows the accepted changes changed, in first-change order.
    pub dirty: Vec<(String, String)>,
}

/// Judge `changes` (in device order) against `rows`, merging the accepted ones into `rows`.
pub fn judge(subject: Subject<'_>, changes: &[&Change], rows: &mut Rows) -> Judged {
    let mut out = Judged::default();
    // Membership of `out.dirty`, which keeps first-change order.
    let mut dirty = std::collections::HashSet::new();
    for &change in changes {
        let key = (change.table.clone(), change.row_id.clone());
        let stored = rows.get(&key);
        if let Err(refusal) = rules::authorize(&subject, stored, change) {
            out.refused.push((change.clone(), refusal));
            continue;
        }
        let before_owner = stored.and_then(RowState::unit_id).map(str::to_string);
        let merged = merge_into(rows, change);
        let row = &rows[&key];
        let after_owner = row.unit_id().map(str::to_string);
        let moved = before_owner.is_some() && before_owner != after_owner;
        let mut logged = if moved && row.exists() { row.to_change(change) } else { change.clone() };
        logged.unit_id = after_owner;
        if merged.outcome.applied() && dirty.insert(key.clone()) {
            out.dirty.push(key);
        }
        out.accepted.push(Accepted { change: logged, left_unit_id: if moved { before_owner } else { None } });
    }
    out
}

/// Merge `change` into its row of `rows` (creating the row), as every replica would.
pub fn merge_into(rows: &mut Rows, change: &Change) -> merge::Merged {
    let key = (change.table.clone(), change.row_id.clone());
    let mut row = rows.remove(&key);
    let merged = merge::merge(&mut row, change, change.columns.clone().into_iter().collect());
    rows.insert(key, row.expect("a merge leaves a row"));
    merged
}

impl Judged {
    /// The refusals as the pusher is told them, each with the row as the server now holds it,
    /// when the pusher may see it.
    pub fn answer(&self, subject: Subject<'_>, rows: &Rows) -> Vec<RefusedChange> {
        self.refused
            .iter()
            .map(|(c, r)| RefusedChange {
                change_id: c.change_id.clone(),
                code: r.code,
                message: r.to_string(),
                row: rows
                    .get(&(c.table.clone(), c.row_id.clone()))
                    .filter(|row| subject.sees_unit(row.unit_id()))
                    .map(|row| row.to_change(c)),
            })
            .collect()
    }
}

/// A stored row from its columns (clocks as [`RowState::encode_clocks`] wrote them).
pub fn decode_row(cl: i64, columns: &str, clocks: &str) -> Result<RowState> {
    let values: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(columns).map_err(|e| Error::Internal(format!("stored row: {e}")))?;
    let clocks = RowState::decode_clocks(&values, clocks).map_err(|e| Error::Internal(format!("stored row clocks: {e}")))?;
    Ok(RowState { cl, values, clocks })
}

/// A logged change's columns; a whole row is stored as `{"$columns": …, "$clocks": …}`.
#[allow(clippy::type_complexity)]
pub fn decode_columns(
    text: &str,
) -> Result<(std::collections::BTreeMap<String, serde_json::Value>, std::collections::BTreeMap<String, String>)> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| Error::Internal(format!("stored change: {e}")))?;
    if let (Some(columns), Some(clocks)) = (map.get("$columns"), map.get("$clocks")) {
        let columns = serde_json::from_value(columns.clone()).map_err(|e| Error::Internal(e.to_string()))?;
        let clocks = serde_json::from_value(clocks.clone()).map_err(|e| Error::Internal(e.to_string()))?;
        return Ok((columns, clocks));
    }
    Ok((map.into_iter().collect(), Default::default()))
}
