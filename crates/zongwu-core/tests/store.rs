//! The store's contract: every write lands in `change_log` in the same transaction, the log
//! replays to the same tables, and a failed write leaves nothing behind.

use proptest::prelude::*;
use serde_json::json;
use std::sync::Arc;
use tempfile::TempDir;
use zongwu_core::store::{MergeOutcome, NewRow, Table};
use zongwu_core::{Actor, FixedClock, Store};

async fn open(dir: &TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name), Arc::new(FixedClock::new(1_700_000_000_000))).await.unwrap()
}

async fn dump_all(store: &Store) -> Vec<(Table, Vec<serde_json::Map<String, serde_json::Value>>)> {
    let mut out = Vec::new();
    for t in Table::ALL {
        let rows = store
            .dump_table(t)
            .await
            .unwrap()
            .into_iter()
            .map(|mut r| {
                // Clock stamps carry the writing device's id, which is the same after a replay.
                r.remove("__none");
                r
            })
            .collect();
        out.push((t, rows));
    }
    out
}

#[tokio::test]
async fn write_round_trips_and_is_logged() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir, "a.db").await;
    let actor = Actor::local_admin();
    let mut tx = store.begin_write(&actor).await.unwrap();
    tx.insert(Table::Units, "u1", Some("u1"), json!({"code": "ZW01", "name": "总务部办公室", "kind": "office", "active": true}))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin_write(&actor).await.unwrap();
    assert!(tx.update(Table::Units, "u1", json!({"name": "总务部"})).await.unwrap());
    assert!(!tx.update(Table::Units, "u1", json!({"name": "总务部"})).await.unwrap(), "an unchanged value is not a change");
    tx.commit().await.unwrap();

    let rows = store.dump_table(Table::Units).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], json!("总务部"));
    assert_eq!(rows[0]["active"], json!(1));
    let changes = store.local_changes(0, 100).await.unwrap();
    assert_eq!(changes.len(), 2, "one change per row write");
    assert_eq!(changes[1].1.columns.get("name"), Some(&json!("总务部")));
    let seqs: Vec<i64> = changes.iter().map(|(_, c)| c.device_seq).collect();
    assert_eq!(seqs, vec![1, 2], "device_seq is gap-free from 1");
}

#[tokio::test]
async fn dropped_write_leaves_nothing_and_keeps_sequence_gap_free() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir, "a.db").await;
    let actor = Actor::local_admin();
    {
        let mut tx = store.begin_write(&actor).await.unwrap();
        tx.insert(Table::Units, "u1", Some("u1"), json!({"code": "A", "name": "A", "kind": "office", "active": true}))
            .await
            .unwrap();
        // dropped without commit
    }
    assert!(store.dump_table(Table::Units).await.unwrap().is_empty());
    let mut tx = store.begin_write(&actor).await.unwrap();
    tx.insert(Table::Units, "u2", Some("u2"), json!({"code": "B", "name": "B", "kind": "office", "active": true})).await.unwrap();
    tx.commit().await.unwrap();
    let changes = store.local_changes(0, 100).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].1.device_seq, 1, "a rolled-back write must not consume a sequence number");
}

#[tokio::test]
async fn device_seq_and_clock_survive_reopen() {
    let dir = TempDir::new().unwrap();
    let actor = Actor::local_admin();
    let first_hlc;
    {
        let store = open(&dir, "a.db").await;
        let mut tx = store.begin_write(&actor).await.unwrap();
        tx.insert(Table::Units, "u1", Some("u1"), json!({"code": "A", "name": "A", "kind": "office", "active": true}))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        first_hlc = store.local_changes(0, 10).await.unwrap()[0].1.hlc.clone();
        store.close().await;
    }
    let store = open(&dir, "a.db").await;
    let mut tx = store.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, "u1", json!({"name": "B"})).await.unwrap();
    tx.commit().await.unwrap();
    let changes = store.local_changes(0, 10).await.unwrap();
    assert_eq!(changes[1].1.device_seq, 2);
    assert!(changes[1].1.hlc > first_hlc, "the clock must never go back after a restart, even with the same wall time");
}

#[tokio::test]
async fn delete_and_reinsert_use_causal_length() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir, "a.db").await;
    let actor = Actor::local_admin();
    let mut tx = store.begin_write(&actor).await.unwrap();
    tx.insert(Table::Units, "u1", Some("u1"), json!({"code": "A", "name": "A", "kind": "office", "active": true})).await.unwrap();
    tx.delete(Table::Units, "u1").await.unwrap();
    assert!(tx.update(Table::Units, "u1", json!({"name": "x"})).await.is_err(), "a deleted row cannot be updated");
    tx.insert(Table::Units, "u1", Some("u1"), json!({"code": "A", "name": "again", "kind": "office", "active": true}))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let row = &store.dump_table(Table::Units).await.unwrap()[0];
    assert_eq!(row["cl"], json!(3), "insert, delete, re-insert: causal length 3 (odd = exists)");
    assert_eq!(row["deleted"], json!(0));
}

#[tokio::test]
async fn merge_is_idempotent_and_last_writer_wins_per_column() {
    let dir = TempDir::new().unwrap();
    let a = open(&dir, "a.db").await;
    let b = open(&dir, "b.db").await;
    let actor = Actor::local_admin();
    let mut tx = a.begin_write(&actor).await.unwrap();
    tx.insert(Table::Units, "u1", Some("u1"), json!({"code": "A", "name": "A", "kind": "office", "active": true})).await.unwrap();
    tx.commit().await.unwrap();
    let from_a: Vec<_> = a.local_changes(0, 10).await.unwrap().into_iter().map(|(_, c)| c).collect();
    let (outcomes, _) = b.merge_remote(&from_a).await.unwrap();
    assert_eq!(outcomes, vec![MergeOutcome::Applied]);
    let (outcomes, _) = b.merge_remote(&from_a).await.unwrap();
    assert_eq!(outcomes, vec![MergeOutcome::AlreadySeen], "a change merged twice is applied once");

    // b edits `name` after a's edit of `kind`: both survive on both sides.
    let mut tx = a.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, "u1", json!({"kind": "college"})).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = b.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, "u1", json!({"name": "B's name"})).await.unwrap();
    tx.commit().await.unwrap();
    let a_new: Vec<_> = a.local_changes(1, 10).await.unwrap().into_iter().map(|(_, c)| c).collect();
    let b_new: Vec<_> = b.local_changes(0, 10).await.unwrap().into_iter().map(|(_, c)| c).collect();
    a.merge_remote(&b_new).await.unwrap();
    b.merge_remote(&a_new).await.unwrap();
    let strip = |rows: Vec<serde_json::Map<String, serde_json::Value>>| {
        rows.into_iter()
            .map(|mut r| {
                r.remove("updated_hlc");
                r
            })
            .collect::<Vec<_>>()
    };
    let ra = strip(a.dump_table(Table::Units).await.unwrap());
    let rb = strip(b.dump_table(Table::Units).await.unwrap());
    assert_eq!(ra, rb, "concurrent edits of different columns converge");
    assert_eq!(ra[0]["kind"], json!("college"));
    assert_eq!(ra[0]["name"], json!("B's name"));
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u8),
    Update(u8, u8, Option<i32>),
    Delete(u8),
    /// Rows `start..start + n` in one `insert_many` (the bulk path of imports).
    InsertMany(u8, u8),
    /// Several updates in one `update_many`, the same row possibly more than once.
    UpdateMany(Vec<(u8, u8, Option<i32>)>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..6).prop_map(Op::Insert),
        (0u8..6, 0u8..4, proptest::option::of(-5i32..100)).prop_map(|(r, c, v)| Op::Update(r, c, v)),
        (0u8..6).prop_map(Op::Delete),
        (0u8..6, 1u8..4).prop_map(|(s, n)| Op::InsertMany(s, n)),
        proptest::collection::vec((0u8..6, 0u8..4, proptest::option::of(-5i32..100)), 1..5).prop_map(Op::UpdateMany),
    ]
}

fn officer_columns(r: u8) -> serde_json::Value {
    json!({"staff_no": format!("S{r}"), "name": format!("名{r}"), "status": "active"})
}

fn update_columns(c: u8, v: Option<i32>) -> serde_json::Value {
    let col = ["name", "phone", "title", "note"][c as usize];
    json!({ col: v.map(|v| format!("v{v}")) })
}

async fn apply_ops(store: &Store, ops: &[Op]) {
    let actor = Actor::local_admin();
    // Several ops per transaction, with some transactions rolled back, like real use.
    for (i, chunk) in ops.chunks(3).enumerate() {
        let mut tx = store.begin_write(&actor).await.unwrap();
        for op in chunk {
            let _ = match op {
                Op::Insert(r) => {
                    let id = format!("o{r}");
                    tx.insert(Table::Officers, &id, Some(if r % 2 == 0 { "unit-a" } else { "unit-b" }), officer_columns(*r))
                        .await
                        .map(|_| ())
                }
                Op::Update(r, c, v) => tx.update(Table::Officers, &format!("o{r}"), update_columns(*c, *v)).await.map(|_| ()),
                Op::Delete(r) => tx.delete(Table::Officers, &format!("o{r}")).await,
                Op::InsertMany(start, n) => {
                    let rows = (*start..start + n)
                        .map(|r| NewRow {
                            id: format!("o{r}"),
                            unit_id: Some(if r % 2 == 0 { "unit-a" } else { "unit-b" }.into()),
                            columns: officer_columns(r),
                        })
                        .collect();
                    tx.insert_many(Table::Officers, rows).await
                }
                Op::UpdateMany(updates) => {
                    let updates = updates.iter().map(|(r, c, v)| (format!("o{r}"), update_columns(*c, *v))).collect();
                    tx.update_many(Table::Officers, updates).await.map(|_| ())
                }
            };
        }
        if i % 5 == 4 {
            drop(tx);
        } else {
            tx.commit().await.unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// No failed write leaves a change behind: a NOT NULL column set to null fails the call, and
    /// its rows and log entries go with it.
    #[test]
    fn a_failed_call_leaves_no_change(ops in proptest::collection::vec(op(), 1..60)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let dir = TempDir::new().unwrap();
            let store = open(&dir, "a.db").await;
            apply_ops(&store, &ops).await;
            let changes = store.local_changes(0, i64::MAX).await.unwrap();
            let bad: Vec<_> = changes.iter().filter(|(_, c)| c.columns.get("name") == Some(&serde_json::Value::Null)).collect();
            prop_assert!(bad.is_empty(), "{bad:?}");
            Ok(())
        })?;
    }

    /// Any sequence of writes leaves a change_log that, replayed onto an empty database, gives
    /// exactly the same tables: no write path bypasses the log.
    #[test]
    fn change_log_replays_to_the_same_state(ops in proptest::collection::vec(op(), 1..60)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let dir = TempDir::new().unwrap();
            let original = open(&dir, "orig.db").await;
            apply_ops(&original, &ops).await;
            let replica = open(&dir, "replica.db").await;
            let changes: Vec<_> = original.local_changes(0, i64::MAX).await.unwrap().into_iter().map(|(_, c)| c).collect();
            replica.merge_remote(&changes).await.unwrap();
            prop_assert_eq!(dump_all(&original).await, dump_all(&replica).await);
            Ok(())
        })?;
    }
}

/// Every merged change's log entry: what it set and what it overwrote.
async fn merge_log(store: &Store) -> Vec<(String, i64, String, String)> {
    sqlx::query_as("SELECT change_id, cl, columns, previous FROM change_log WHERE origin = 'remote' ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// A page merged at once (rows read once, decided in memory, written once) ends exactly where
    /// merging its changes one at a time ends: same tables, same log entries (set and
    /// overwritten values), even when the page holds several changes of one row from two
    /// devices, lives of a row that start and end inside the page, and repeated changes.
    #[test]
    fn a_page_merges_like_its_changes_one_by_one(
        ops_a in proptest::collection::vec(op(), 1..40),
        ops_b in proptest::collection::vec(op(), 1..40),
        split in 0usize..80,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let dir = TempDir::new().unwrap();
            let (a, b) = (open(&dir, "a.db").await, open(&dir, "b.db").await);
            apply_ops(&a, &ops_a).await;
            apply_ops(&b, &ops_b).await;
            let mut page: Vec<_> = a.local_changes(0, i64::MAX).await.unwrap().into_iter().map(|(_, c)| c).collect();
            let from_b: Vec<_> = b.local_changes(0, i64::MAX).await.unwrap().into_iter().map(|(_, c)| c).collect();
            // Interleave b's changes into a's at `split`, and deliver some twice.
            let at = split.min(page.len());
            page.splice(at..at, from_b);
            let again: Vec<_> = page.iter().step_by(7).cloned().collect();
            page.extend(again);

            let (whole, single) = (open(&dir, "whole.db").await, open(&dir, "single.db").await);
            let (outcomes, _) = whole.merge_remote(&page).await.unwrap();
            let mut one_by_one = Vec::new();
            for c in &page {
                one_by_one.extend(single.merge_remote(std::slice::from_ref(c)).await.unwrap().0);
            }
            prop_assert_eq!(outcomes, one_by_one);
            prop_assert_eq!(dump_all(&whole).await, dump_all(&single).await);
            prop_assert_eq!(merge_log(&whole).await, merge_log(&single).await);
            Ok(())
        })?;
    }
}

/// A table or columns from a newer version do not fail the page: known columns merge, the
/// change is kept whole in `parked_changes`, and a second delivery is a no-op.
#[tokio::test]
async fn changes_from_a_newer_schema_are_parked_not_refused() {
    let dir = TempDir::new().unwrap();
    let a = open(&dir, "a.db").await;
    let b = open(&dir, "b.db").await;
    let mut tx = a.begin_write(&Actor::local_admin()).await.unwrap();
    tx.insert(Table::Units, "u1", None, json!({"code": "A", "name": "A"})).await.unwrap();
    tx.commit().await.unwrap();
    let mut page: Vec<_> = a.local_changes(0, 10).await.unwrap().into_iter().map(|(_, c)| c).collect();
    page[0].columns.insert("motto".into(), json!("newer column"));
    let mut new_table = page[0].clone();
    new_table.change_id = "change-of-a-new-table".into();
    new_table.device_seq = 2;
    new_table.table = "dormitory_wifi".into();

    let (outcomes, _) = b.merge_remote(&[page[0].clone(), new_table.clone()]).await.unwrap();
    assert_eq!(outcomes, vec![MergeOutcome::Applied, MergeOutcome::Parked]);
    let row = &b.dump_table(Table::Units).await.unwrap()[0];
    assert_eq!((row["code"].clone(), row["name"].clone()), (json!("A"), json!("A")), "the known columns merged");
    let parked: Vec<(String, String)> =
        sqlx::query_as("SELECT tbl, unknown FROM parked_changes ORDER BY tbl").fetch_all(b.pool()).await.unwrap();
    assert_eq!(parked, vec![("dormitory_wifi".into(), r#"["dormitory_wifi"]"#.into()), ("units".into(), r#"["motto"]"#.into())]);
    let (again, _) = b.merge_remote(&[page[0].clone(), new_table]).await.unwrap();
    assert_eq!(again, vec![MergeOutcome::AlreadySeen, MergeOutcome::AlreadySeen], "a second delivery changes nothing");
}

/// A clock that ran a day fast stamped the outbox in the future. Once the offset is known, the
/// unpushed changes get stamps at the corrected time, in order and after everything pushed; the
/// row's column clocks follow, and the clock itself goes back.
#[tokio::test]
async fn restamping_moves_future_outbox_stamps_to_the_corrected_time() {
    const T: i64 = 1_700_000_000_000;
    const DAY: i64 = 86_400_000;
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(FixedClock::new(T));
    let store = Store::open(&dir.path().join("a.db"), clock.clone()).await.unwrap();
    let actor = Actor::local_admin();
    let mut tx = store.begin_write(&actor).await.unwrap();
    tx.insert(Table::Units, "u1", None, json!({"code": "A", "name": "A", "kind": "office"})).await.unwrap();
    tx.commit().await.unwrap();
    store.mark_pushed(1).await.unwrap();

    clock.set(T + DAY);
    let mut tx = store.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, "u1", json!({"name": "B"})).await.unwrap();
    tx.update(Table::Units, "u1", json!({"kind": "college", "name": "C"})).await.unwrap();
    tx.commit().await.unwrap();
    let before: Vec<String> = store.local_changes(0, 10).await.unwrap().into_iter().map(|(_, c)| c.hlc).collect();
    assert!(before[1].starts_with(&format!("{:015}-", T + DAY)), "the fast clock stamped a day ahead");

    store.set_clock_offset(-DAY).await.unwrap();
    assert_eq!(store.restamp_outbox().await.unwrap(), 2, "both unpushed changes were in the future");
    let after: Vec<String> = store.local_changes(0, 10).await.unwrap().into_iter().map(|(_, c)| c.hlc).collect();
    assert_eq!(after[0], before[0], "a pushed stamp never changes");
    assert!(after[0] < after[1] && after[1] < after[2], "the new stamps keep the order, after the pushed one");
    assert!(after[2].as_str() < format!("{:015}-", T + 1).as_str(), "and sit at the corrected time: {after:?}");

    let row = &store.dump_table(Table::Units).await.unwrap()[0];
    let clocks = zongwu_proto::merge::RowState::decode_clocks(row, row["updated_hlc"].as_str().unwrap()).unwrap();
    assert_eq!(clocks["code"], after[0], "a column last set by the pushed change keeps its stamp");
    assert_eq!((clocks["name"].as_str(), clocks["kind"].as_str()), (after[2].as_str(), after[2].as_str()), "the others follow");

    let mut tx = store.begin_write(&actor).await.unwrap();
    tx.update(Table::Units, "u1", json!({"name": "D"})).await.unwrap();
    tx.commit().await.unwrap();
    let next = store.local_changes(3, 10).await.unwrap().remove(0).1.hlc;
    assert!(next > after[2] && next.as_str() < format!("{:015}-", T + 1).as_str(), "the clock went back: {next}");
    assert_eq!(store.restamp_outbox().await.unwrap(), 0, "nothing is in the future any more");
}

/// Local writes obey the same rule table the server applies to pushes (issue #7): a write the
/// server would refuse is refused at once, and nothing of it is written or logged.
#[tokio::test]
async fn local_writes_obey_the_rule_table() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir, "rules.db").await;
    let admin = Actor::local_admin();
    let officer = |unit: &str| Actor {
        user_id: "off-1".into(),
        name: "赵专员".into(),
        role: zongwu_core::Role::Officer,
        unit_id: Some(unit.into()),
    };
    let expert = Actor { user_id: "exp-1".into(), name: "陈教授".into(), role: zongwu_core::Role::Expert, unit_id: None };
    let mut tx = store.begin_write(&officer("unit-a")).await.unwrap();
    tx.insert(Table::Needs, "n1", Some("unit-a"), json!({"title": "报修", "status": "submitted", "submitter_id": "off-1"}))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let logged = store.pending_changes().await.unwrap();

    let refused: Vec<(Actor, Table, serde_json::Value)> = vec![
        (officer("unit-a"), Table::Needs, json!({"status": "approved"})),
        (officer("unit-b"), Table::Needs, json!({"title": "别的单位"})),
        (expert.clone(), Table::Needs, json!({"title": "专家改"})),
    ];
    for (actor, table, columns) in refused {
        let mut tx = store.begin_write(&actor).await.unwrap();
        let err = tx.update(table, "n1", columns.clone()).await.unwrap_err();
        assert_eq!(err.code(), zongwu_core::ErrorCode::Forbidden, "{:?} may not set {columns}", actor.role);
    }
    let mut tx = store.begin_write(&officer("unit-a")).await.unwrap();
    let err = tx.insert(Table::Units, "u9", Some("unit-a"), json!({"name": "假单位"})).await.unwrap_err();
    assert_eq!(err.code(), zongwu_core::ErrorCode::Forbidden, "officers never write units");
    drop(tx);
    assert_eq!(store.pending_changes().await.unwrap(), logged, "a refused write logs nothing");

    let mut tx = store.begin_write(&officer("unit-a")).await.unwrap();
    assert!(tx.update(Table::Needs, "n1", json!({"title": "报修（改）"})).await.unwrap(), "an officer edits their own draft");
    tx.commit().await.unwrap();
    let mut tx = store.begin_write(&admin).await.unwrap();
    let err = tx.update(Table::Needs, "n1", json!({"status": "launched"})).await.unwrap_err();
    assert_eq!(err.code(), zongwu_core::ErrorCode::Forbidden, "even an admin follows the workflow");
    assert!(tx.update(Table::Needs, "n1", json!({"status": "under_review"})).await.unwrap());
    tx.commit().await.unwrap();
}
