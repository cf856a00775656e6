//! Who may write what: the one rule table. The desktop core checks every local write against it,
//! the server checks every pushed change against its *stored* row with it, and the window asks
//! the core what it allows (never restating a rule in TypeScript).
//!
//! A change is judged by what it would do to the stored row, not by what it claims: the row's
//! current owner comes from the stored row (live or deleted), its resulting owner from the
//! stored row plus the change, the columns it touches are those whose value it would change,
//! and a status change must be a step of the workflow from the *stored* status.

use crate::merge::{RowState, OWNER};
use crate::{Change, NeedStatus, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a change was refused; stable, the desktop shows [`RefusalCode::message_zh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The role may not write this table (or not this kind of write: create, update, delete).
    ForbiddenTable,
    /// The row belongs, or would belong, to a unit outside the user's own.
    OutsideUnit,
    /// The change sets a column the role may not set.
    ForbiddenColumn,
    /// A status change that is not a step of the workflow from the stored status.
    IllegalTransition,
    /// The row is someone else's (an expert's review, a need's submitter).
    NotOwnRow,
    /// A value the row may not take (an unknown status, a new need that is not `submitted`).
    InvalidValue,
}

impl RefusalCode {
    pub const ALL: [RefusalCode; 6] = [
        RefusalCode::ForbiddenTable,
        RefusalCode::OutsideUnit,
        RefusalCode::ForbiddenColumn,
        RefusalCode::IllegalTransition,
        RefusalCode::NotOwnRow,
        RefusalCode::InvalidValue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::ForbiddenTable => "forbidden_table",
            RefusalCode::OutsideUnit => "outside_unit",
            RefusalCode::ForbiddenColumn => "forbidden_column",
            RefusalCode::IllegalTransition => "illegal_transition",
            RefusalCode::NotOwnRow => "not_own_row",
            RefusalCode::InvalidValue => "invalid_value",
        }
    }

    pub fn parse(s: &str) -> Option<RefusalCode> {
        RefusalCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            RefusalCode::ForbiddenTable => "你的角色不能修改这类数据",
            RefusalCode::OutsideUnit => "只能处理本单位的数据",
            RefusalCode::ForbiddenColumn => "你的角色不能修改这个字段",
            RefusalCode::IllegalTransition => "需求状态不能这样变更",
            RefusalCode::NotOwnRow => "只能修改自己的记录",
            RefusalCode::InvalidValue => "数据取值不合规则",
        }
    }
}

/// A refusal: its stable code and what exactly was refused (for logs and the history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: RefusalCode,
    pub detail: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.code.message_zh(), self.detail)
    }
}

fn refuse(code: RefusalCode, detail: impl Into<String>) -> Result<(), Refusal> {
    Err(Refusal { code, detail: detail.into() })
}

/// Who is writing.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub user_id: &'a str,
    pub role: Role,
    /// An officer's one unit.
    pub unit_id: Option<&'a str>,
}

impl Subject<'_> {
    /// Whether rows owned by `unit_id` are in this user's reach: an officer sees their own
    /// unit's rows only (never office-wide ones), everyone else every row.
    pub fn sees_unit(&self, unit_id: Option<&str>) -> bool {
        match self.role {
            Role::Officer => unit_id.is_some() && self.unit_id == unit_id,
            _ => true,
        }
    }
}

/// The kind of write a change makes to the stored row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new row, or a new life of a deleted one.
    Create,
    Update,
    Delete,
}

/// Which columns a grant lets a role change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    All,
    Only(&'static [&'static str]),
}

impl Columns {
    fn allows(self, column: &str) -> bool {
        match self {
            Columns::All => true,
            Columns::Only(list) => list.contains(&column),
        }
    }
}

/// Which rows a grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Every,
    /// Rows owned by the user's own unit, before and after the write.
    OwnUnit,
    /// Rows whose named column holds the user's id, before and after the write.
    OwnRow(&'static str),
}

/// What one role may do with one table. A table × role without a grant is read-only.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    pub table: &'static str,
    pub role: Role,
    pub create: bool,
    /// Columns an update may change; `None`: no update.
    pub update: Option<Columns>,
    pub delete: bool,
    pub reach: Reach,
}

/// What an officer may change on their own submitted need (never status, never the owner).
pub const NEED_DRAFT_COLUMNS: &[&str] = &["title", "kind", "description", "priority", "expected_benefit", "attachments"];

const fn all(table: &'static str, role: Role) -> Grant {
    Grant { table, role, create: true, update: Some(Columns::All), delete: true, reach: Reach::Every }
}

/// The rule table. Admins may write every synced table; office staff every table but user
/// accounts of other roles (see [`check_row_rules`]); experts their own reviews; officers create
/// needs in their unit and edit their own submitted drafts. Whatever is not granted is refused.
pub const GRANTS: &[Grant] = &[
    all("units", Role::Admin),
    all("users", Role::Admin),
    all("officers", Role::Admin),
    all("trainings", Role::Admin),
    all("needs", Role::Admin),
    all("need_transitions", Role::Admin),
    all("need_reviews", Role::Admin),
    all("units", Role::Office),
    // Office staff keep the officers' user rows in step with the roster, nothing more.
    all("users", Role::Office),
    all("officers", Role::Office),
    all("trainings", Role::Office),
    all("needs", Role::Office),
    all("need_transitions", Role::Office),
    Grant {
        table: "need_reviews",
        role: Role::Expert,
        create: true,
        update: Some(Columns::Only(&["scores", "total", "comment", "at_ms", "expert_name"])),
        delete: true,
        reach: Reach::OwnRow("expert_id"),
    },
    Grant {
        table: "needs",
        role: Role::Officer,
        create: true,
        update: Some(Columns::Only(NEED_DRAFT_COLUMNS)),
        delete: false,
        reach: Reach::OwnUnit,
    },
];

impl Grant {
    /// Whether this grant allows the kind of write at all (rows and columns aside).
    pub fn allows(&self, action: Action) -> bool {
        match action {
            Action::Create => self.create,
            Action::Update => self.update.is_some(),
            Action::Delete => self.delete,
        }
    }
}

/// The grant of `role` on `table`, if any.
pub fn grant(role: Role, table: &str) -> Option<&'static Grant> {
    GRANTS.iter().find(|g| g.role == role && g.table == table)
}

/// Whether `role` may make `action` on some row of `table` at all (for the window's buttons).
pub fn may(role: Role, table: &str, action: Action) -> bool {
    grant(role, table).is_some_and(|g| g.allows(action))
}

/// Whether `role` may change `column` of `table` (for a form's read-only fields).
pub fn may_set(role: Role, table: &str, column: &str) -> bool {
    grant(role, table).and_then(|g| g.update).is_some_and(|c| c.allows(column))
}

/// The statuses `role` may move a need in `from` to.
pub fn need_transitions(role: Role, from: NeedStatus) -> Vec<NeedStatus> {
    if may_set(role, "needs", "status") {
        from.next().to_vec()
    } else {
        Vec::new()
    }
}

/// The action `change` makes on `stored` (the stored row, live or deleted, if any).
pub fn action_of(stored: Option<&RowState>, change: &Change) -> Action {
    match stored {
        _ if change.is_delete() => Action::Delete,
        Some(row) if row.exists() && change.cl <= row.cl => Action::Update,
        _ => Action::Create,
    }
}

/// Judge one change by `subject` against the stored row of its table. `Ok` means the change
/// may be stored and passed on; nothing in the change itself is trusted but its intent.
pub fn authorize(subject: &Subject<'_>, stored: Option<&RowState>, change: &Change) -> Result<(), Refusal> {
    let table = change.table.as_str();
    let action = action_of(stored, change);
    let Some(g) = grant(subject.role, table) else {
        return refuse(RefusalCode::ForbiddenTable, table);
    };
    let stored_owner = stored.and_then(RowState::unit_id);
    let new_owner: Option<&str> = match change.columns.get(OWNER) {
        Some(v) => v.as_str(),
        None if stored.is_some() => stored_owner,
        None => change.unit_id.as_deref(),
    };
    // Only the columns whose value the change would really change count as touched.
    let touched: Vec<&str> = change
        .columns
        .iter()
        .filter(|(k, v)| action == Action::Create || stored.and_then(|r| r.get(k)) != Some(*v))
        .map(|(k, _)| k.as_str())
        .collect();
    if !g.allows(action) {
        return refuse(RefusalCode::ForbiddenTable, format!("{table}: {action:?}"));
    }
    match g.reach {
        Reach::Every => {}
        Reach::OwnUnit => {
            let mine = subject.unit_id;
            if mine.is_none() || stored.is_some() && stored_owner != mine || new_owner != mine {
                return refuse(RefusalCode::OutsideUnit, format!("{table} {}", change.row_id));
            }
        }
        Reach::OwnRow(column) => {
            let before = stored.and_then(|r| r.str(column));
            let after = change.columns.get(column).and_then(Value::as_str).or(before);
            if stored.is_some() && before != Some(subject.user_id) || after != Some(subject.user_id) {
                return refuse(RefusalCode::NotOwnRow, format!("{table} {}", change.row_id));
            }
        }
    }
    if action == Action::Update {
        let columns = g.update.expect("checked above");
        if let Some(bad) = touched.iter().find(|c| !columns.allows(c)) {
            return refuse(RefusalCode::ForbiddenColumn, format!("{table}.{bad}"));
        }
    }
    check_row_rules(subject, stored, change, action)
}

/// Rules about values, for every role: the workflow, and the roles office staff may manage.
fn check_row_rules(subject: &Subject<'_>, stored: Option<&RowState>, change: &Change, action: Action) -> Result<(), Refusal> {
    match change.table.as_str() {
        "needs" if action != Action::Delete => {
            let to = match change.columns.get("status") {
                Some(v) => Some(
                    v.as_str()
                        .and_then(NeedStatus::parse)
                        .ok_or_else(|| Refusal { code: RefusalCode::InvalidValue, detail: format!("needs.status = {v}") })?,
                ),
                None => None,
            };
            if action == Action::Create {
                if to != Some(NeedStatus::Submitted) {
                    return refuse(RefusalCode::InvalidValue, "a new need starts as submitted");
                }
                if subject.role == Role::Officer
                    && change.columns.get("submitter_id").and_then(Value::as_str) != Some(subject.user_id)
                {
                    return refuse(RefusalCode::NotOwnRow, "an officer submits needs in their own name");
                }
                return Ok(());
            }
            let from = stored.and_then(|r| r.str("status")).and_then(NeedStatus::parse);
            if subject.role == Role::Officer && from != Some(NeedStatus::Submitted) {
                return refuse(RefusalCode::IllegalTransition, "a need under review is no longer a draft");
            }
            if subject.role == Role::Officer && stored.and_then(|r| r.str("submitter_id")).is_some_and(|s| s != subject.user_id) {
                return refuse(RefusalCode::NotOwnRow, "another officer's need");
            }
            match (from, to) {
                (Some(from), Some(to)) if from != to && !from.next().contains(&to) => {
                    refuse(RefusalCode::IllegalTransition, format!("{} → {}", from.as_str(), to.as_str()))
                }
                _ => Ok(()),
            }
        }
        "users" if subject.role == Role::Office => {
            let before = stored.and_then(|r| r.str("role"));
            let after = change.columns.get("role").and_then(Value::as_str).or(before);
            if before.is_some_and(|r| r != "officer") || after != Some("officer") {
                return refuse(RefusalCode::ForbiddenTable, "office staff manage officers' user rows only");
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    const A: Subject<'static> = Subject { user_id: "off-a", role: Role::Officer, unit_id: Some("A") };

    fn change(table: &str, cl: i64, unit: &str, columns: Value) -> Change {
        Change {
            change_id: "c".into(),
            device_id: "d".into(),
            device_seq: 1,
            table: table.into(),
            row_id: "r".into(),
            unit_id: Some(unit.into()),
            hlc: "h".into(),
            cl,
            columns: columns.as_object().unwrap().clone().into_iter().collect(),
            clocks: BTreeMap::new(),
            kind: Default::default(),
        }
    }

    fn row(cl: i64, values: Value) -> RowState {
        RowState { cl, values: values.as_object().unwrap().clone(), clocks: BTreeMap::new() }
    }

    fn code(r: Result<(), Refusal>) -> Option<RefusalCode> {
        r.err().map(|e| e.code)
    }

    fn need_b() -> RowState {
        row(1, json!({"unit_id": "B", "status": "submitted", "submitter_id": "off-b", "title": "x"}))
    }

    #[test]
    fn an_officer_creates_a_submitted_need_in_their_unit_only() {
        let new = json!({"status": "submitted", "submitter_id": "off-a", "title": "t"});
        assert_eq!(code(authorize(&A, None, &change("needs", 1, "A", new.clone()))), None);
        assert_eq!(code(authorize(&A, None, &change("needs", 1, "B", new))), Some(RefusalCode::OutsideUnit));
        let approved = json!({"status": "approved", "submitter_id": "off-a"});
        assert_eq!(code(authorize(&A, None, &change("needs", 1, "A", approved))), Some(RefusalCode::InvalidValue));
    }

    #[test]
    fn the_declared_unit_is_a_claim_the_stored_owner_decides() {
        let stored = need_b();
        let edit = change("needs", 1, "A", json!({"title": "mine now"}));
        assert_eq!(code(authorize(&A, Some(&stored), &edit)), Some(RefusalCode::OutsideUnit));
        let move_in = change("needs", 1, "A", json!({"unit_id": "A"}));
        assert_eq!(code(authorize(&A, Some(&stored), &move_in)), Some(RefusalCode::OutsideUnit));
        let mine = row(1, json!({"unit_id": "A", "status": "submitted", "submitter_id": "off-a"}));
        let move_out = change("needs", 1, "A", json!({"unit_id": "B"}));
        assert_eq!(code(authorize(&A, Some(&mine), &move_out)), Some(RefusalCode::OutsideUnit));
        let recreate = change("needs", 3, "A", json!({"status": "submitted", "submitter_id": "off-a"}));
        let deleted = row(2, json!({"unit_id": "B"}));
        assert_eq!(code(authorize(&A, Some(&deleted), &recreate)), Some(RefusalCode::OutsideUnit));
    }

    #[test]
    fn an_officer_edits_draft_fields_never_status() {
        let mine = row(1, json!({"unit_id": "A", "status": "submitted", "submitter_id": "off-a", "title": "x"}));
        assert_eq!(code(authorize(&A, Some(&mine), &change("needs", 1, "A", json!({"title": "y"})))), None);
        let approve = change("needs", 1, "A", json!({"status": "approved"}));
        assert_eq!(code(authorize(&A, Some(&mine), &approve)), Some(RefusalCode::ForbiddenColumn));
        let same = change("needs", 1, "A", json!({"status": "submitted", "title": "x"}));
        assert_eq!(code(authorize(&A, Some(&mine), &same)), None, "re-sending a stored value changes nothing");
        assert_eq!(code(authorize(&A, Some(&mine), &change("needs", 2, "A", json!({})))), Some(RefusalCode::ForbiddenTable));
    }

    #[test]
    fn officers_write_no_other_table() {
        for t in ["units", "users", "officers", "trainings", "need_transitions", "need_reviews"] {
            assert_eq!(code(authorize(&A, None, &change(t, 1, "A", json!({})))), Some(RefusalCode::ForbiddenTable), "{t}");
        }
    }

    #[test]
    fn transitions_follow_the_workflow_from_the_stored_status() {
        let office = Subject { user_id: "o", role: Role::Office, unit_id: None };
        let stored = need_b();
        let skip = change("needs", 1, "B", json!({"status": "approved"}));
        assert_eq!(code(authorize(&office, Some(&stored), &skip)), Some(RefusalCode::IllegalTransition));
        let review = change("needs", 1, "B", json!({"status": "under_review"}));
        assert_eq!(code(authorize(&office, Some(&stored), &review)), None);
        let bogus = change("needs", 1, "B", json!({"status": "done"}));
        assert_eq!(code(authorize(&office, Some(&stored), &bogus)), Some(RefusalCode::InvalidValue));
    }

    #[test]
    fn experts_write_only_their_own_reviews() {
        let expert = Subject { user_id: "e1", role: Role::Expert, unit_id: None };
        let own = change("need_reviews", 1, "B", json!({"expert_id": "e1", "total": 12}));
        assert_eq!(code(authorize(&expert, None, &own)), None);
        let other = row(1, json!({"expert_id": "e2", "total": 3}));
        let edit = change("need_reviews", 1, "B", json!({"total": 20}));
        assert_eq!(code(authorize(&expert, Some(&other), &edit)), Some(RefusalCode::NotOwnRow));
        let forged = change("need_reviews", 1, "B", json!({"expert_id": "e2"}));
        assert_eq!(code(authorize(&expert, None, &forged)), Some(RefusalCode::NotOwnRow));
        assert_eq!(code(authorize(&expert, None, &change("needs", 1, "B", json!({})))), Some(RefusalCode::ForbiddenTable));
    }

    #[test]
    fn office_staff_manage_only_officer_user_rows() {
        let office = Subject { user_id: "o", role: Role::Office, unit_id: None };
        let officer = change("users", 1, "A", json!({"role": "officer", "name": "n"}));
        assert_eq!(code(authorize(&office, None, &officer)), None);
        let admin = change("users", 1, "A", json!({"role": "admin"}));
        assert_eq!(code(authorize(&office, None, &admin)), Some(RefusalCode::ForbiddenTable));
        let stored = row(1, json!({"role": "officer"}));
        let promote = change("users", 1, "A", json!({"role": "admin"}));
        assert_eq!(code(authorize(&office, Some(&stored), &promote)), Some(RefusalCode::ForbiddenTable));
    }

    #[test]
    fn the_window_reads_the_same_table() {
        assert!(may(Role::Officer, "needs", Action::Create));
        assert!(!may(Role::Officer, "officers", Action::Create));
        assert!(!may_set(Role::Officer, "needs", "status"));
        assert!(need_transitions(Role::Officer, NeedStatus::Submitted).is_empty());
        assert_eq!(need_transitions(Role::Office, NeedStatus::OnHold), NeedStatus::OnHold.next());
        for g in GRANTS {
            assert!(crate::SYNCED_TABLES.contains(&g.table), "{} is a synced table", g.table);
        }
    }
}
