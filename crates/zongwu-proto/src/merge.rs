//! The merge decision: how one replica's row takes in one change from elsewhere. Pure (no
//! database), so the desktop store and the server's materialised rows decide exactly alike, and
//! the rules are tested here once.
//!
//! - Existence by causal length (`cl`): odd = live, even = deleted; a larger `cl` wins. A larger
//!   odd `cl` starts a fresh life of the row from the change's own columns (nothing of the old
//!   life carries over), a larger even one deletes it, a smaller one is from an older life and is
//!   ignored.
//! - Columns by last writer: a column takes the change's value when the change's clock for it is
//!   larger than the row's (the device id inside the HLC breaks ties).
//! - The owner (`unit_id`) is a column like the others: a change that names `unit_id` among its
//!   columns moves the row; the change's top-level `unit_id` only names the owner of a new row.

use crate::Change;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// The column holding a row's owner unit.
pub const OWNER: &str = "unit_id";

/// One replica's copy of a row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowState {
    pub cl: i64,
    /// Column values, the owner [`OWNER`] included.
    pub values: Map<String, Value>,
    /// The encoded HLC that wrote each column of the current life; empty for a tombstone.
    pub clocks: BTreeMap<String, String>,
}

impl RowState {
    pub fn exists(&self) -> bool {
        self.cl % 2 == 1
    }

    pub fn unit_id(&self) -> Option<&str> {
        self.values.get(OWNER).and_then(Value::as_str)
    }

    pub fn get(&self, column: &str) -> Option<&Value> {
        self.values.get(column)
    }

    pub fn str(&self, column: &str) -> Option<&str> {
        self.values.get(column).and_then(Value::as_str)
    }

    /// The row as one change that recreates it anywhere: every column with its own clock.
    pub fn to_change(&self, template: &Change) -> Change {
        let hlc = self.clocks.values().max().cloned().unwrap_or_else(|| template.hlc.clone());
        Change {
            unit_id: self.unit_id().map(str::to_string),
            cl: self.cl,
            columns: if self.exists() {
                // An owner without a clock travels as the change's claim, as it arrived.
                self.values
                    .iter()
                    .filter(|(k, _)| *k != OWNER || self.clocks.contains_key(OWNER))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            } else {
                BTreeMap::new()
            },
            clocks: self.clocks.iter().filter(|(_, c)| **c != hlc).map(|(k, c)| (k.clone(), c.clone())).collect(),
            hlc,
            ..template.clone()
        }
    }
}

impl RowState {
    /// The clocks in the compact form both stores keep: under `""` the clock most columns share (a
    /// row written by one change has one), then only the columns whose clock differs, and `""` for
    /// a column without one (a new row's owner, a column no change of this life set). A
    /// 60-character stamp per column made the clocks the larger half of every stored row.
    pub fn encode_clocks(&self) -> String {
        encode_clocks(self.values.keys().map(String::as_str), &self.clocks)
    }

    /// The per-column clocks of a row with these `values` from what [`RowState::encode_clocks`]
    /// wrote, or from the older full form (an object of every column's clock).
    pub fn decode_clocks(values: &Map<String, Value>, text: &str) -> Result<BTreeMap<String, String>, serde_json::Error> {
        let stored: BTreeMap<String, String> = serde_json::from_str(text)?;
        let Some(base) = stored.get("") else { return Ok(stored) };
        Ok(values
            .keys()
            .filter_map(|k| match stored.get(k).map(String::as_str) {
                Some("") => None,
                Some(own) => Some((k.clone(), own.to_string())),
                None => Some((k.clone(), base.clone())),
            })
            .collect())
    }
}

/// [`RowState::encode_clocks`] over the given `columns` (a store whose rows hold every column of
/// their table passes them all, so a column without a clock is marked as such).
pub fn encode_clocks<'c>(columns: impl Iterator<Item = &'c str>, clocks: &BTreeMap<String, String>) -> String {
    let Some(first) = clocks.values().next() else { return "{}".into() };
    // Most rows were written by one change: every clock is the same, no counting needed.
    let base = if clocks.values().all(|c| c == first) {
        first.as_str()
    } else {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for c in clocks.values() {
            *counts.entry(c.as_str()).or_default() += 1;
        }
        counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0))).map(|(c, _)| c).unwrap_or_default()
    };
    let mut out = Map::new();
    out.insert(String::new(), base.into());
    for k in columns {
        match clocks.get(k) {
            Some(c) if c == base => {}
            Some(c) => {
                out.insert(k.to_string(), c.clone().into());
            }
            None => {
                out.insert(k.to_string(), "".into());
            }
        }
    }
    Value::Object(out).to_string()
}

/// What a change did to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The row was created, or started a new life.
    Fresh,
    /// The row was deleted.
    Deleted,
    /// Some columns took the change's values.
    Columns,
    /// Every column lost to what the row had.
    Superseded,
    /// The change belongs to an older life of the row.
    OlderLife,
}

impl Outcome {
    pub fn applied(self) -> bool {
        matches!(self, Outcome::Fresh | Outcome::Deleted | Outcome::Columns)
    }
}

/// The decision for one change: what happened, the values that won, and what they replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub outcome: Outcome,
    pub winners: Map<String, Value>,
    pub previous: Map<String, Value>,
}

/// The clock the change gives `column`: its own override, else the change's HLC.
pub fn column_clock<'c>(change: &'c Change, column: &str) -> &'c str {
    change.clocks.get(column).map(String::as_str).unwrap_or(&change.hlc)
}

/// Apply `change` to `row` (`None`: never seen here). `columns` are the change's columns this
/// replica knows, in the form it stores them; the caller filters and normalises them.
pub fn merge(row: &mut Option<RowState>, change: &Change, columns: Map<String, Value>) -> Merged {
    let local_cl = row.as_ref().map(|r| r.cl);
    let starts_fresh = local_cl.is_none_or(|local| change.cl > local && change.cl % 2 == 1);
    if starts_fresh {
        let previous = row.as_ref().map(|r| pick(&r.values, columns.keys())).unwrap_or_default();
        let mut values = columns.clone();
        if !values.contains_key(OWNER) {
            // The owner a new row is created with carries no clock of its own: any change that
            // names `unit_id` moves the row, in whatever order the two arrive.
            values.insert(OWNER.into(), change.unit_id.clone().map(Value::String).unwrap_or(Value::Null));
        }
        let clocks = columns.keys().map(|k| (k.clone(), column_clock(change, k).to_string())).collect();
        let deleted = change.cl % 2 == 0;
        *row = Some(RowState { cl: change.cl, values, clocks: if deleted { BTreeMap::new() } else { clocks } });
        let outcome = if deleted { Outcome::Deleted } else { Outcome::Fresh };
        return Merged { outcome, winners: columns, previous };
    }
    let r = row.as_mut().expect("a missing row always starts fresh");
    if change.cl > r.cl {
        // A larger even causal length: the row is deleted; a tombstone keeps its last values.
        r.cl = change.cl;
        r.clocks.clear();
        return Merged { outcome: Outcome::Deleted, winners: Map::new(), previous: Map::new() };
    }
    if change.cl < r.cl {
        return Merged { outcome: Outcome::OlderLife, winners: Map::new(), previous: Map::new() };
    }
    let winners: Map<String, Value> = columns
        .into_iter()
        .filter(|(k, _)| r.clocks.get(k).is_none_or(|local| column_clock(change, k) > local.as_str()))
        .collect();
    let previous = pick(&r.values, winners.keys());
    for (k, v) in &winners {
        r.clocks.insert(k.clone(), column_clock(change, k).to_string());
        r.values.insert(k.clone(), v.clone());
    }
    let outcome = if winners.is_empty() { Outcome::Superseded } else { Outcome::Columns };
    Merged { outcome, winners, previous }
}

fn pick<'k>(values: &Map<String, Value>, keys: impl Iterator<Item = &'k String>) -> Map<String, Value> {
    keys.map(|k| (k.clone(), values.get(k).cloned().unwrap_or(Value::Null))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn change(hlc: &str, cl: i64, columns: Value) -> Change {
        Change {
            change_id: format!("c-{hlc}-{cl}"),
            device_id: "d".into(),
            device_seq: 1,
            table: "needs".into(),
            row_id: "r1".into(),
            unit_id: Some("u1".into()),
            hlc: hlc.into(),
            cl,
            columns: columns.as_object().unwrap().clone().into_iter().collect(),
            clocks: BTreeMap::new(),
            kind: Default::default(),
        }
    }

    fn apply(row: &mut Option<RowState>, c: &Change) -> Merged {
        merge(row, c, c.columns.clone().into_iter().collect())
    }

    #[test]
    fn compact_clocks_round_trip() {
        let values = serde_json::json!({"title": "a", "status": "s", "unit_id": "u1", "note": null}).as_object().unwrap().clone();
        let rows = [
            RowState {
                cl: 1,
                values: values.clone(),
                clocks: [("title", "h2"), ("status", "h2")].map(|(k, v)| (k.into(), v.into())).into(),
            },
            RowState {
                cl: 1,
                values: values.clone(),
                clocks: [("title", "h1"), ("status", "h3"), ("unit_id", "h3")].map(|(k, v)| (k.into(), v.into())).into(),
            },
            RowState { cl: 2, values: values.clone(), clocks: Default::default() },
        ];
        for row in rows {
            let text = row.encode_clocks();
            assert_eq!(RowState::decode_clocks(&row.values, &text).unwrap(), row.clocks, "{text}");
        }
        // The full form of older stores still reads.
        let full = r#"{"title":"h1","status":"h2"}"#;
        assert_eq!(RowState::decode_clocks(&values, full).unwrap().len(), 2);
    }

    #[test]
    fn a_new_row_takes_its_owner_from_the_change() {
        let mut row = None;
        let m = apply(&mut row, &change("001", 1, json!({"title": "a"})));
        assert_eq!(m.outcome, Outcome::Fresh);
        assert_eq!(row.as_ref().unwrap().unit_id(), Some("u1"));
    }

    #[test]
    fn the_later_clock_wins_per_column_and_the_owner_moves_only_when_named() {
        let mut row = None;
        apply(&mut row, &change("002", 1, json!({"title": "a", "status": "submitted"})));
        let mut older = change("001", 1, json!({"title": "old"}));
        older.unit_id = Some("u2".into());
        assert_eq!(apply(&mut row, &older).outcome, Outcome::Superseded);
        let mut claim = change("003", 1, json!({"status": "approved"}));
        claim.unit_id = Some("u2".into());
        apply(&mut row, &claim);
        assert_eq!(row.as_ref().unwrap().unit_id(), Some("u1"), "a declared unit is a claim, not a move");
        apply(&mut row, &change("004", 1, json!({"unit_id": "u3"})));
        assert_eq!(row.as_ref().unwrap().unit_id(), Some("u3"));
        assert_eq!(row.as_ref().unwrap().str("title"), Some("a"));
    }

    #[test]
    fn delete_then_reinsert_starts_a_fresh_life() {
        let mut row = None;
        apply(&mut row, &change("001", 1, json!({"title": "a", "note": "x"})));
        assert_eq!(apply(&mut row, &change("002", 2, json!({}))).outcome, Outcome::Deleted);
        assert_eq!(apply(&mut row, &change("009", 1, json!({"title": "late"}))).outcome, Outcome::OlderLife);
        assert_eq!(apply(&mut row, &change("003", 3, json!({"title": "b"}))).outcome, Outcome::Fresh);
        let r = row.unwrap();
        assert_eq!(r.str("title"), Some("b"));
        assert!(r.get("note").is_none(), "nothing of the old life carries over");
    }

    #[test]
    fn per_column_clocks_of_a_snapshot_are_kept() {
        let mut row = None;
        let mut snap = change("005", 1, json!({"title": "a", "status": "approved"}));
        snap.clocks.insert("title".into(), "002".into());
        apply(&mut row, &snap);
        // An edit at 003 beats the title (002) but not the status (005).
        let m = apply(&mut row, &change("003", 1, json!({"title": "b", "status": "submitted"})));
        assert_eq!(m.winners.keys().collect::<Vec<_>>(), vec!["title"]);
        let r = row.unwrap();
        let back = r.to_change(&snap);
        let mut again = None;
        apply(&mut again, &back);
        assert_eq!(again.unwrap(), r, "a row recreated from its snapshot change is the same row");
    }

    proptest! {
        /// Any order of the same changes gives the same row (commutativity), and applying a
        /// change twice changes nothing (idempotence): the property sync convergence rests on.
        #[test]
        fn order_does_not_matter(ops in proptest::collection::vec((0u8..20, 1i64..5, 0usize..3, 0u8..3), 1..12), seed in any::<u64>()) {
            let changes: Vec<Change> = ops.iter().enumerate().map(|(i, (t, cl, col, v))| {
                let col = ["title", "status", "unit_id"][*col];
                let mut c = change(&format!("{t:03}-{i:02}"), *cl, json!({ col: format!("v{v}") }));
                c.change_id = format!("c{i}");
                c
            }).collect();
            let mut a = None;
            for c in &changes { apply(&mut a, c); }
            let mut shuffled = changes.clone();
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            let mut b = None;
            for c in &shuffled { apply(&mut b, c); apply(&mut b, c); }
            let (a, b) = (a.unwrap(), b.unwrap());
            prop_assert_eq!(a.cl, b.cl);
            if a.exists() {
                prop_assert_eq!(a.clocks, b.clocks);
                prop_assert_eq!(a.values, b.values);
            }
        }
    }
}
