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

/// A change's columns as `changes.columns` stores them: the plain object, or for a change with
/// per-column clocks (a whole row) `{"$columns": …, "$clocks": …}`.
pub fn encode_columns(change: &Change) -> Result<String> {
    let text = if change.clocks.is_empty() {
        serde_json::to_string(&change.columns)
    } else {
        serde_json::to_string(&serde_json::json!({"$columns": change.columns, "$clocks": change.clocks}))
    };
    text.map_err(|e| Error::Internal(e.to_string()))
}

/// What compaction does with one logged change at or below the horizon, given its row as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every column it set still holds the row's value (or its row is unknown here).
    Keep,
    /// Nothing of it is the row's any more: every column was overwritten, it belongs to an
    /// older life of the row, or the row is dead (its tombstone in `sync_rows` keeps the causal
    /// length, which is all a replica needs of a dead row).
    Remove,
    /// Some columns were overwritten: keep the change with only the others.
    Trim(Box<Change>),
}

/// The compaction decision (pure): a column of `change` survives only while the row's clock for
/// it is the change's own, i.e. the value the row holds is the one this change wrote.
pub fn compaction_verdict(change: &Change, row: Option<&RowState>) -> Verdict {
    let Some(row) = row else { return Verdict::Keep };
    if !row.exists() || change.cl < row.cl {
        return Verdict::Remove;
    }
    if change.cl != row.cl {
        return Verdict::Keep;
    }
    let live: std::collections::BTreeMap<String, serde_json::Value> = change
        .columns
        .iter()
        .filter(|(k, _)| row.clocks.get(*k).map(String::as_str) == Some(merge::column_clock(change, k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if live.is_empty() {
        Verdict::Remove
    } else if live.len() == change.columns.len() {
        Verdict::Keep
    } else {
        let clocks = change.clocks.iter().filter(|(k, _)| live.contains_key(*k)).map(|(k, c)| (k.clone(), c.clone())).collect();
        Verdict::Trim(Box::new(Change { columns: live, clocks, ..change.clone() }))
    }
}

/// A stored row as one snapshot entry (see `zongwu_proto::api::SnapshotResponse`): every column
/// with its clock, named after the snapshot `seq` rather than after any device's change.
pub fn snapshot_row(seq: i64, table: &str, row_id: &str, row: &RowState) -> Change {
    let template = Change {
        change_id: format!("snapshot:{seq}:{table}:{row_id}"),
        device_id: format!("snapshot:{seq}"),
        device_seq: 0,
        table: table.to_string(),
        row_id: row_id.to_string(),
        unit_id: None,
        // A tombstone has no clocks; the smallest stamp moves no replica's clock.
        hlc: zongwu_proto::Hlc { wall_ms: 0, counter: 0, device_id: "server".into() }.encode(),
        cl: row.cl,
        columns: Default::default(),
        clocks: Default::default(),
        kind: zongwu_proto::ChangeKind::Write,
    };
    row.to_change(&template)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn logged(hlc: &str, cl: i64, columns: serde_json::Value) -> Change {
        Change {
            change_id: format!("c-{hlc}"),
            device_id: "d".into(),
            device_seq: 1,
            table: "units".into(),
            row_id: "r".into(),
            unit_id: None,
            hlc: hlc.into(),
            cl,
            columns: columns.as_object().unwrap().clone().into_iter().collect(),
            clocks: Default::default(),
            kind: Default::default(),
        }
    }

    #[test]
    fn compaction_keeps_only_values_the_row_still_holds() {
        let history = [
            logged("001", 1, json!({"name": "a", "code": "C1"})),
            logged("002", 1, json!({"name": "b"})),
            logged("003", 1, json!({"name": "c", "kind": "office"})),
        ];
        let mut rows = Rows::new();
        for c in &history {
            merge_into(&mut rows, c);
        }
        let row = &rows[&("units".to_string(), "r".to_string())];
        let verdicts: Vec<Verdict> = history.iter().map(|c| compaction_verdict(c, Some(row))).collect();
        assert_eq!(
            verdicts[0],
            Verdict::Trim(Box::new(logged("001", 1, json!({"code": "C1"})))),
            "only the overwritten name goes"
        );
        assert_eq!(verdicts[1], Verdict::Remove, "a change whose every column was overwritten goes");
        assert_eq!(verdicts[2], Verdict::Keep, "the latest writer of every column it set stays");

        // The surviving log still rebuilds the row.
        let mut again = Rows::new();
        merge_into(&mut again, &logged("001", 1, json!({"code": "C1"})));
        merge_into(&mut again, &history[2]);
        assert_eq!(again, rows, "what compaction keeps merges into the same row");

        merge_into(&mut rows, &logged("004", 2, json!({})));
        let dead = &rows[&("units".to_string(), "r".to_string())];
        assert!(history.iter().all(|c| compaction_verdict(c, Some(dead)) == Verdict::Remove), "a dead row keeps no history");
        assert_eq!(compaction_verdict(&history[0], None), Verdict::Keep, "a row the server does not know is left alone");
    }
}
