//! Issue #7: the server judges every pushed change against its stored row with the rule table.
//! Each attack of the issue and its variants is refused with its code, nothing of it is stored
//! or passed on, and the rest of the push goes through.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::sync_client::desktop;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Role};
use zongwu_proto::rules::RefusalCode;
use zongwu_proto::{Change, ChangeKind};

/// A device's numbered changes, one row id per name.
struct Device {
    id: String,
    seq: i64,
    clock: i64,
}

impl Device {
    fn new(id: &str) -> Device {
        Device { id: id.into(), seq: 0, clock: 1_700_000_000_000 }
    }

    fn change(&mut self, table: &str, row: &str, unit: &str, cl: i64, columns: Value) -> Change {
        self.seq += 1;
        self.clock += 1;
        Change {
            change_id: uuid::Uuid::now_v7().to_string(),
            device_id: self.id.clone(),
            device_seq: self.seq,
            table: table.into(),
            row_id: row.into(),
            unit_id: Some(unit.into()),
            hlc: format!("{:015}-{:010}-{}", self.clock, 0, self.id),
            cl,
            columns: columns.as_object().unwrap().clone().into_iter().collect(),
            clocks: BTreeMap::new(),
            kind: ChangeKind::Write,
        }
    }
}

fn new_need(submitter: &str) -> Value {
    json!({"title": "校园班车实时位置", "status": "submitted", "submitter_id": submitter, "kind": "need"})
}

/// A new user's token and id.
async fn user(app: &TestApp, login: &str, role: &str, unit: Option<&str>, device: &str) -> (String, String) {
    let password = app.create_user(login, role, unit).await;
    let answer = app.login(login, &password, device).await.expect("new user logs in");
    (answer.token, answer.user.id)
}

/// Push `changes` and return the refusal code per change id (accepted ones absent).
async fn push(app: &TestApp, token: &str, device: &Device, changes: &[Change]) -> BTreeMap<String, RefusalCode> {
    let answer = app.push_answer(token, &device.id, changes).await.expect("a push with refusals still answers 200");
    assert_eq!(answer.last_device_seq, changes.last().unwrap().device_seq, "refused changes never block the outbox");
    answer.refused.into_iter().map(|r| (r.change_id, r.code)).collect()
}

async fn attacks_are_refused_and_nothing_of_them_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let (officer, officer_id) = user(&app, "officer-a", "officer", Some("unit-a"), "dev-officer").await;
    let (expert, expert_id) = user(&app, "expert-1", "expert", None, "dev-expert").await;
    let office = app.user_token("office-1", "office", None, "dev-office").await;
    let (mut adm, mut off, mut exp, mut ofc) =
        (Device::new("admin-device"), Device::new("dev-officer"), Device::new("dev-expert"), Device::new("dev-office"));

    // The office's own rows: a need of unit B and a review by another expert.
    let setup = vec![
        adm.change("needs", "need-b", "unit-b", 1, new_need("someone")),
        adm.change("need_reviews", "review-x", "unit-b", 1, json!({"need_id": "need-b", "expert_id": "expert-2", "total": 3})),
    ];
    assert!(push(&app, &app.admin_token, &adm, &setup).await.is_empty(), "an admin writes anything");

    let mine = off.change("needs", "need-a", "unit-a", 1, new_need(&officer_id));
    let attacks = vec![
        // Declaring unit A on a need of unit B.
        (off.change("needs", "need-b", "unit-a", 1, json!({"title": "hijacked"})), RefusalCode::OutsideUnit),
        // Re-creating B's need under unit A with a higher causal length.
        (off.change("needs", "need-b", "unit-a", 3, new_need(&officer_id)), RefusalCode::OutsideUnit),
        // Moving B's need into unit A.
        (off.change("needs", "need-b", "unit-a", 1, json!({"unit_id": "unit-a"})), RefusalCode::OutsideUnit),
        // A new need in another unit.
        (off.change("needs", "need-c", "unit-b", 1, new_need(&officer_id)), RefusalCode::OutsideUnit),
        // A new need that starts approved.
        (
            off.change("needs", "need-d", "unit-a", 1, json!({"status": "approved", "submitter_id": officer_id})),
            RefusalCode::InvalidValue,
        ),
        // Forbidden tables, declared in the officer's own unit.
        (off.change("units", "unit-x", "unit-a", 1, json!({"name": "假单位"})), RefusalCode::ForbiddenTable),
        (off.change("users", "user-x", "unit-a", 1, json!({"role": "admin"})), RefusalCode::ForbiddenTable),
        (
            off.change("need_reviews", "review-y", "unit-a", 1, json!({"need_id": "need-a", "total": 20})),
            RefusalCode::ForbiddenTable,
        ),
        (
            off.change("need_transitions", "tr-y", "unit-a", 1, json!({"need_id": "need-a", "to_status": "approved"})),
            RefusalCode::ForbiddenTable,
        ),
    ];
    let mut batch = vec![mine.clone()];
    batch.extend(attacks.iter().map(|(c, _)| c.clone()));
    let status = off.change("needs", "need-a", "unit-a", 1, json!({"status": "approved"}));
    let move_out = off.change("needs", "need-a", "unit-a", 1, json!({"unit_id": "unit-b"}));
    let draft_edit = off.change("needs", "need-a", "unit-a", 1, json!({"title": "校园班车实时位置（改）"}));
    batch.extend([status.clone(), move_out.clone(), draft_edit.clone()]);
    let refused = push(&app, &officer, &off, &batch).await;
    for (c, code) in &attacks {
        assert_eq!(refused.get(&c.change_id), Some(code), "{} {} {:?}", c.table, c.row_id, c.columns);
    }
    assert_eq!(refused.get(&status.change_id), Some(&RefusalCode::ForbiddenColumn), "officers never set status");
    assert_eq!(refused.get(&move_out.change_id), Some(&RefusalCode::OutsideUnit), "nor move a need out of their unit");
    assert!(
        !refused.contains_key(&mine.change_id) && !refused.contains_key(&draft_edit.change_id),
        "their own need and draft edits pass"
    );

    // The answer puts the officer's row back to the server's copy; another unit's row it hides.
    let answer = app.push_answer(&officer, &off.id, &batch).await.expect("a resend is answered again");
    let status_refusal = answer.refused.iter().find(|r| r.change_id == status.change_id).expect("resent refusal answered again");
    let row = status_refusal.row.as_ref().expect("the officer may see their own need");
    assert_eq!(row.columns["status"], "submitted");
    assert_eq!(row.columns["title"], "校园班车实时位置（改）");
    let hidden = answer.refused.iter().find(|r| r.change_id == attacks[0].0.change_id).unwrap();
    assert!(hidden.row.is_none(), "a refusal never shows a row of another unit");

    // Experts: their own reviews only.
    let own_review =
        exp.change("need_reviews", "review-e", "unit-b", 1, json!({"need_id": "need-b", "expert_id": expert_id, "total": 12}));
    let forged = exp.change("need_reviews", "review-f", "unit-b", 1, json!({"need_id": "need-b", "expert_id": "expert-2"}));
    let others = exp.change("need_reviews", "review-x", "unit-b", 1, json!({"total": 20}));
    let need = exp.change("needs", "need-b", "unit-b", 1, json!({"title": "专家改标题"}));
    let refused = push(&app, &expert, &exp, &[own_review.clone(), forged.clone(), others.clone(), need.clone()]).await;
    assert!(!refused.contains_key(&own_review.change_id));
    assert_eq!(refused.get(&forged.change_id), Some(&RefusalCode::NotOwnRow));
    assert_eq!(refused.get(&others.change_id), Some(&RefusalCode::NotOwnRow));
    assert_eq!(refused.get(&need.change_id), Some(&RefusalCode::ForbiddenTable));

    // Office staff: the workflow from the stored status; no accounts of other roles.
    let skip = ofc.change("needs", "need-b", "unit-b", 1, json!({"status": "approved"}));
    let review = ofc.change("needs", "need-b", "unit-b", 1, json!({"status": "under_review"}));
    let back = ofc.change("needs", "need-b", "unit-b", 1, json!({"status": "submitted"}));
    let admin_user = ofc.change("users", "user-z", "unit-b", 1, json!({"role": "admin", "name": "x"}));
    let refused = push(&app, &office, &ofc, &[skip.clone(), review.clone(), back.clone(), admin_user.clone()]).await;
    assert_eq!(refused.get(&skip.change_id), Some(&RefusalCode::IllegalTransition), "submitted → approved skips the review");
    assert!(!refused.contains_key(&review.change_id));
    assert_eq!(refused.get(&back.change_id), Some(&RefusalCode::IllegalTransition), "judged against the stored under_review");
    assert_eq!(refused.get(&admin_user.change_id), Some(&RefusalCode::ForbiddenTable));

    // No other replica ever sees a refused change.
    let pulled: Vec<String> = app.pull_all(&app.admin_token, 1000).await.into_iter().map(|c| c.change_id).collect();
    let all_refused =
        attacks.iter().map(|(c, _)| c).chain([&status, &move_out, &forged, &others, &need, &skip, &back, &admin_user]);
    for c in all_refused {
        assert!(!pulled.contains(&c.change_id), "refused {} {} never reaches a desktop", c.table, c.row_id);
    }
    let accepted = [&mine, &draft_edit, &own_review, &review];
    for c in accepted {
        assert!(pulled.contains(&c.change_id), "accepted {} {} reaches every desktop", c.table, c.row_id);
    }
    let need_b = app.pull_all(&app.admin_token, 1000).await.into_iter().filter(|c| c.row_id == "need-b").collect::<Vec<_>>();
    assert!(need_b.iter().all(|c| c.unit_id.as_deref() == Some("unit-b")), "need B stays unit B's everywhere");
}
both_backends!(attacks_are_refused_and_nothing_of_them_is_stored);

/// A row that moves out of an officer's unit leaves their desktop; one that moves in arrives whole.
async fn scope_follows_the_stored_owner_on_pull(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (desktop(&dir, "officer-a").await, desktop(&dir, "officer-b").await);
    app.create_user("off-a", "officer", Some("unit-a")).await;
    app.create_user("off-b", "officer", Some("unit-b")).await;
    let (ca, _) = SyncClient::login(&app.base_url, &a, "off-a", "off-a-password").await.unwrap();
    let (cb, _) = SyncClient::login(&app.base_url, &b, "off-b", "off-b-password").await.unwrap();

    let mut adm = Device::new("admin-device");
    let create = adm.change(
        "needs",
        "need-1",
        "unit-a",
        1,
        json!({"title": "一卡通", "status": "submitted", "submitter_id": "x", "description": "充值"}),
    );
    let edit = adm.change("needs", "need-1", "unit-a", 1, json!({"priority": "high"}));
    app.push(&app.admin_token, &adm.id, &[create, edit]).await.unwrap();
    ca.sync_once(&a).await.unwrap();
    cb.sync_once(&b).await.unwrap();
    assert_eq!(live(&a).await, vec!["need-1".to_string()], "officer A sees their unit's need");
    assert!(live(&b).await.is_empty(), "officer B does not");

    let moved = adm.change("needs", "need-1", "unit-a", 1, json!({"unit_id": "unit-b"}));
    app.push(&app.admin_token, &adm.id, &[moved]).await.unwrap();
    let page = app.pull_page(&app.user_token("off-a2", "officer", Some("unit-a"), "dev-a2").await, 0, 1000).await.unwrap();
    assert_eq!(page.changes.last().unwrap().kind, ChangeKind::ScopeExit, "the move reaches unit A as a scope exit");
    assert!(page.changes.last().unwrap().columns.is_empty(), "a scope exit shows nothing of the new owner");
    ca.sync_once(&a).await.unwrap();
    cb.sync_once(&b).await.unwrap();
    assert!(live(&a).await.is_empty(), "the need left officer A's desktop");
    let rows = b.dump_table(Table::Needs).await.unwrap();
    assert_eq!(rows.len(), 1, "the need arrived on officer B's desktop");
    let row = &rows[0];
    assert_eq!(row["unit_id"], "unit-b");
    assert_eq!(row["title"], "一卡通", "it arrived whole, not only the moved column");
    assert_eq!(row["priority"], "high");
    assert_eq!(row["description"], "充值");
}
both_backends!(scope_follows_the_stored_owner_on_pull);

/// The officer's desktop: an edit the server refuses is marked refused, its row goes back to the
/// server's state, the edit stays in the row's history and the rest of the outbox goes through.
async fn a_refused_desktop_edit_is_restored_and_kept_in_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (officer_db, office_db) = (desktop(&dir, "officer").await, desktop(&dir, "office").await);
    app.create_user("off-a", "officer", Some("unit-a")).await;
    app.create_user("office-1", "office", None).await;
    let (co, login) = SyncClient::login(&app.base_url, &officer_db, "off-a", "off-a-password").await.unwrap();
    let (cf, office_login) = SyncClient::login(&app.base_url, &office_db, "office-1", "office-1-password").await.unwrap();
    let officer =
        Actor { user_id: login.user.id.clone(), name: "赵专员".into(), role: Role::Officer, unit_id: Some("unit-a".into()) };
    let office = Actor { user_id: office_login.user.id.clone(), name: "王老师".into(), role: Role::Office, unit_id: None };

    let mut tx = officer_db.begin_write(&officer).await.unwrap();
    tx.insert(
        Table::Needs,
        "need-1",
        Some("unit-a"),
        json!({"title": "报修进度查询", "status": "submitted", "submitter_id": officer.user_id}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    co.sync_once(&officer_db).await.unwrap();
    cf.sync_once(&office_db).await.unwrap();

    // The office takes the need into review while the officer, offline, still edits the draft.
    let mut tx = office_db.begin_write(&office).await.unwrap();
    tx.update(Table::Needs, "need-1", json!({"status": "under_review"})).await.unwrap();
    tx.commit().await.unwrap();
    cf.sync_once(&office_db).await.unwrap();
    let mut tx = officer_db.begin_write(&officer).await.unwrap();
    tx.update(Table::Needs, "need-1", json!({"title": "报修进度查询（改）"})).await.unwrap();
    tx.insert(
        Table::Needs,
        "need-2",
        Some("unit-a"),
        json!({"title": "宿舍用电", "status": "submitted", "submitter_id": officer.user_id}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    co.sync_once(&officer_db).await.expect("a refusal does not fail the round");
    assert_eq!(officer_db.pending_changes().await.unwrap(), 0, "the refused edit left the outbox with the rest");
    let refused = officer_db.refused_changes(10).await.unwrap();
    assert_eq!(refused.len(), 1, "exactly the draft edit was refused: {refused:?}");
    assert_eq!(refused[0].code, "illegal_transition");
    let rows = officer_db.dump_table(Table::Needs).await.unwrap();
    let need1 = rows.iter().find(|r| r["id"] == "need-1").unwrap();
    assert_eq!(need1["title"], "报修进度查询", "the row is back to the server's state");
    assert_eq!(need1["status"], "under_review");
    assert!(rows.iter().any(|r| r["id"] == "need-2"), "the next change of the outbox went through");
    let history = zongwu_core::history::for_row(&officer_db, &officer, "needs", "need-1").await.unwrap();
    assert!(
        history.iter().any(|h| h.refused.is_some() && h.fields.iter().any(|f| f.after == "报修进度查询（改）")),
        "the refused edit stays visible in the row's history: {history:?}"
    );
    cf.sync_once(&office_db).await.unwrap();
    let office_rows = office_db.dump_table(Table::Needs).await.unwrap();
    assert_eq!(office_rows.iter().find(|r| r["id"] == "need-1").unwrap()["title"], "报修进度查询", "no other replica sees it");
    assert!(office_rows.iter().any(|r| r["id"] == "need-2"));
}
both_backends!(a_refused_desktop_edit_is_restored_and_kept_in_history);

async fn live(store: &zongwu_core::Store) -> Vec<String> {
    store
        .dump_table(Table::Needs)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r["deleted"] == 0)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// A small deterministic generator (the test must replay the same way on both backends).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next(items.len())]
    }
}

/// Property: random pushes by random roles over random rows. The server refuses exactly what a
/// reference model built from the rule table and the merge decision refuses; the admin's pull
/// replays to the model's rows, and an officer's pull to the model's rows of their unit.
async fn random_pushes_match_the_reference_model(backend: Backend) {
    use zongwu_proto::merge::{merge, RowState};
    use zongwu_proto::rules::{authorize, Subject};
    type Model = BTreeMap<(String, String), RowState>;

    let app = spawn_app(backend).await;
    let admin_login = app.login("admin", crate::helpers::ADMIN_PASSWORD, "admin-device").await.unwrap();
    let mut users: Vec<(String, String, Role, Option<&str>, Device)> =
        vec![(admin_login.token, admin_login.user.id, Role::Admin, None, Device::new("admin-device"))];
    for (login, role, unit) in [
        ("office-p", Role::Office, None),
        ("expert-p", Role::Expert, None),
        ("off-pa", Role::Officer, Some("unit-a")),
        ("off-pb", Role::Officer, Some("unit-b")),
    ] {
        let device = format!("dev-{login}");
        let (token, id) = user(&app, login, role.as_str(), unit, &device).await;
        users.push((token, id, role, unit, Device::new(&device)));
    }
    let ids: Vec<String> = users.iter().map(|u| u.1.clone()).collect();
    let units = ["unit-a", "unit-b"];
    let statuses = ["submitted", "under_review", "approved", "rejected", "on_hold", "launched"];
    let mut rng = Lcg(0x5eed);
    let mut model: Model = BTreeMap::new();
    let mut clock = 1_700_000_000_000i64;

    for _round in 0..60 {
        let who = rng.next(users.len());
        let n = 1 + rng.next(4);
        let mut batch = Vec::new();
        for _ in 0..n {
            let table = *rng.pick(&["needs", "needs", "need_reviews", "units"]);
            let row = format!("{table}-{}", rng.next(4));
            let stored_cl = model.get(&(table.to_string(), row.clone())).map_or(0, |r| r.cl);
            let cl = match rng.next(6) {
                0 => stored_cl + 1,
                1 => stored_cl + 2,
                _ => stored_cl.max(1),
            };
            let mut columns = serde_json::Map::new();
            match table {
                "needs" => {
                    if stored_cl == 0 || cl > stored_cl || rng.next(3) == 0 {
                        columns.insert("status".into(), json!(rng.pick(&statuses)));
                    }
                    if rng.next(2) == 0 {
                        columns.insert("title".into(), json!(format!("t{}", rng.next(100))));
                    }
                    if rng.next(5) == 0 {
                        columns.insert("unit_id".into(), json!(rng.pick(&units)));
                    }
                    columns.insert("submitter_id".into(), json!(rng.pick(&ids)));
                }
                "need_reviews" => {
                    columns.insert("expert_id".into(), json!(rng.pick(&ids)));
                    columns.insert("total".into(), json!(rng.next(20)));
                }
                _ => {
                    columns.insert("name".into(), json!(format!("u{}", rng.next(100))));
                }
            }
            let unit = *rng.pick(&units);
            clock += 1;
            let device = &mut users[who].4;
            device.clock = clock;
            batch.push(device.change(table, &row, unit, cl, Value::Object(columns)));
        }
        let (token, user_id, role, unit, device) = &users[who];
        let subject = Subject { user_id, role: *role, unit_id: *unit };
        let mut expected_refused = Vec::new();
        for c in &batch {
            let key = (c.table.clone(), c.row_id.clone());
            match authorize(&subject, model.get(&key), c) {
                Err(_) => expected_refused.push(c.change_id.clone()),
                Ok(()) => {
                    let mut row = model.remove(&key);
                    merge(&mut row, c, c.columns.clone().into_iter().collect());
                    model.insert(key, row.unwrap());
                }
            }
        }
        let answer = app.push_answer(token, &device.id, &batch).await.expect("push");
        let refused: Vec<String> = answer.refused.iter().map(|r| r.change_id.clone()).collect();
        assert_eq!(refused, expected_refused, "the server refuses exactly what the rule table refuses");
    }

    let replay = |changes: Vec<Change>| {
        let mut rows: Model = BTreeMap::new();
        for c in changes {
            let key = (c.table.clone(), c.row_id.clone());
            if c.kind == ChangeKind::ScopeExit {
                rows.remove(&key);
                continue;
            }
            let mut row = rows.remove(&key);
            merge(&mut row, &c, c.columns.clone().into_iter().collect());
            rows.insert(key, row.unwrap());
        }
        rows
    };
    /// (table, row id, causal length, values when the row exists)
    type Comparable = Vec<(String, String, i64, Option<serde_json::Map<String, Value>>)>;
    let comparable = |m: &Model| -> Comparable {
        m.iter().map(|((t, r), s)| (t.clone(), r.clone(), s.cl, s.exists().then(|| s.values.clone()))).collect()
    };
    let everything = replay(app.pull_all(&users[0].0, 7).await);
    assert_eq!(comparable(&everything), comparable(&model), "the admin's desktop converges to the model");
    for officer in &users[3..] {
        let mine: Model = model.iter().filter(|(_, r)| r.unit_id() == officer.3).map(|(k, r)| (k.clone(), r.clone())).collect();
        let seen = replay(app.pull_all(&officer.0, 5).await);
        assert_eq!(
            comparable(&seen).into_iter().map(|x| (x.0, x.1, x.2)).collect::<Vec<_>>(),
            comparable(&mine).into_iter().map(|x| (x.0, x.1, x.2)).collect::<Vec<_>>(),
            "officer of {:?} holds exactly their unit's rows",
            officer.3
        );
    }
    assert!(model.len() > 5, "the run touched enough rows to mean something");
}
both_backends!(random_pushes_match_the_reference_model);

/// A server database from before issue #7 has a change log but no materialised rows: the first
/// start of the new server merges the log once, so an officer's draft edit of a need created
/// back then is judged as the update it is (not refused as a creation).
async fn a_database_from_before_the_rows_is_materialised_at_start(backend: Backend) {
    let app = spawn_app(backend).await;
    let (officer, officer_id) = user(&app, "off-old", "officer", Some("unit-a"), "dev-old").await;
    let mut adm = Device::new("admin-device");
    let mut off = Device::new("dev-old");
    let created = off.change("needs", "need-old", "unit-a", 1, new_need(&officer_id));
    assert!(push(&app, &officer, &off, &[created]).await.is_empty());
    let review = adm.change("needs", "need-old", "unit-a", 1, json!({"priority": "high"}));
    assert!(push(&app, &app.admin_token, &adm, &[review]).await.is_empty());
    forget_rows(&app.database_url).await;

    let again = crate::helpers::spawn_at(app.database_url.clone()).await;
    let edit = off.change("needs", "need-old", "unit-a", 1, json!({"title": "旧需求（改）"}));
    let answer = again.push_answer(&officer, &off.id, &[edit]).await.unwrap();
    assert!(answer.refused.is_empty(), "the edit is judged against the materialised row: {:?}", answer.refused);
    let status = off.change("needs", "need-old", "unit-a", 1, json!({"status": "approved"}));
    let answer = again.push_answer(&officer, &off.id, &[status]).await.unwrap();
    assert_eq!(answer.refused.len(), 1, "and the old row's rules hold");
    let row = answer.refused[0].row.as_ref().expect("the officer's own row comes back");
    assert_eq!(row.columns["priority"], "high", "the materialised row holds every change of the old log");
}
both_backends!(a_database_from_before_the_rows_is_materialised_at_start);

/// Empty `sync_rows` as a database from before issue #7 would have it.
async fn forget_rows(url: &str) {
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query("DELETE FROM sync_rows").execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query("DELETE FROM sync_rows").execute(&pool).await.unwrap();
        pool.close().await;
    }
}
