//! Domain rules enforced in the core, whatever the caller: roles and unit scope, the needs
//! workflow, roster validation, history, backups and demo data.

use std::collections::BTreeMap;
use std::sync::Arc;
use tempfile::TempDir;
use zongwu_core::needs::{self, NeedInput, NeedKind, NeedStatus, Priority, ReviewInput};
use zongwu_core::officers::{self, OfficerInput};
use zongwu_core::units::{self, UnitInput, UnitKind};
use zongwu_core::{backup, demo, history, users, Actor, ErrorCode, FixedClock, Role, Store};

struct Office {
    _dir: TempDir,
    store: Store,
    admin: Actor,
    unit_a: String,
    unit_b: String,
}

async fn office() -> Office {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("z.db"), Arc::new(FixedClock::new(1_700_000_000_000))).await.unwrap();
    users::ensure_builtin(&store).await.unwrap();
    let admin = Actor::local_admin();
    let mk = |code: &str, name: &str| UnitInput {
        id: None,
        code: code.into(),
        name: name.into(),
        kind: UnitKind::ServiceUnit,
        active: true,
    };
    let unit_a = units::save(&store, &admin, mk("ZW02", "饮食服务中心")).await.unwrap().id;
    let unit_b = units::save(&store, &admin, mk("ZW03", "公寓管理中心")).await.unwrap().id;
    Office { _dir: dir, store, admin, unit_a, unit_b }
}

fn officer_input(unit: &str, staff_no: &str, name: &str) -> OfficerInput {
    OfficerInput {
        id: None,
        unit_id: unit.into(),
        staff_no: staff_no.into(),
        name: name.into(),
        gender: Some("女".into()),
        title: Some("信息员".into()),
        phone: Some("13800138000".into()),
        email: None,
        term_start: Some("2018-01-01".into()),
        term_end: Some("2020-12-31".into()),
        duties: None,
        note: None,
    }
}

fn need_input(unit: &str, title: &str) -> NeedInput {
    NeedInput {
        unit_id: unit.into(),
        title: title.into(),
        kind: NeedKind::Need,
        description: "说明".into(),
        priority: Priority::High,
        expected_benefit: "效益".into(),
        attachments: vec![],
    }
}

async fn officer_actor(o: &Office, unit: &str, staff_no: &str) -> Actor {
    officers::save(&o.store, &o.admin, officer_input(unit, staff_no, "李敏")).await.unwrap();
    let user = users::list(&o.store)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.role == Role::Officer && u.unit_id.as_deref() == Some(unit))
        .unwrap();
    users::actor(&o.store, &user.id).await.unwrap()
}

fn scores(v: f64) -> BTreeMap<String, f64> {
    needs::CRITERIA.iter().map(|(k, _)| (k.to_string(), v)).collect()
}

#[tokio::test]
async fn officer_reaches_only_their_own_unit() {
    let o = office().await;
    let officer = officer_actor(&o, &o.unit_a, "1001").await;
    let err = needs::submit(&o.store, &officer, need_input(&o.unit_b, "别的单位的需求")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "an officer must not submit for another unit");

    let mine = needs::submit(&o.store, &officer, need_input(&o.unit_a, "本单位需求")).await.unwrap();
    let theirs = needs::submit(&o.store, &o.admin, need_input(&o.unit_b, "公寓需求")).await.unwrap();
    let visible: Vec<String> = needs::list(&o.store, &officer).await.unwrap().into_iter().map(|n| n.id).collect();
    assert_eq!(visible, vec![mine.id.clone()], "an officer lists only their unit's needs");
    assert_eq!(needs::get(&o.store, &officer, &theirs.id).await.unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(history::for_row(&o.store, &officer, "needs", &theirs.id).await.unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(
        needs::transition(&o.store, &officer, &mine.id, NeedStatus::UnderReview, "").await.unwrap_err().code(),
        ErrorCode::Forbidden,
        "officers cannot move needs through the workflow"
    );
    assert!(officers::list(&o.store, &officer).await.unwrap().iter().all(|r| r.unit_id == o.unit_a));
    assert_eq!(
        officers::save(&o.store, &officer, officer_input(&o.unit_a, "1002", "x")).await.unwrap_err().code(),
        ErrorCode::Forbidden
    );
}

#[tokio::test]
async fn needs_workflow_accepts_only_legal_transitions() {
    let o = office().await;
    let need = needs::submit(&o.store, &o.admin, need_input(&o.unit_a, "报修进度查询")).await.unwrap();
    assert_eq!(need.status, NeedStatus::Submitted);
    let err = needs::transition(&o.store, &o.admin, &need.id, NeedStatus::Launched, "").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "submitted → launched skips review and must be refused");
    let err = needs::transition(&o.store, &o.admin, &need.id, NeedStatus::Rejected, " ").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Validation, "a rejection needs a reason");

    let expert = users::actor(&o.store, users::LOCAL_EXPERT_ID).await.unwrap();
    assert_eq!(needs::submit(&o.store, &expert, need_input(&o.unit_a, "x")).await.unwrap_err().code(), ErrorCode::Forbidden);
    let mut bad = scores(4.0);
    bad.insert("benefit".into(), 9.0);
    assert_eq!(
        needs::review(&o.store, &expert, ReviewInput { need_id: need.id.clone(), scores: bad, comment: String::new() })
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Validation
    );
    needs::review(&o.store, &expert, ReviewInput { need_id: need.id.clone(), scores: scores(4.0), comment: "可行".into() })
        .await
        .unwrap();

    for to in [NeedStatus::UnderReview, NeedStatus::Approved, NeedStatus::InDevelopment, NeedStatus::Launched] {
        needs::transition(&o.store, &o.admin, &need.id, to, "").await.unwrap();
    }
    let detail = needs::get(&o.store, &o.admin, &need.id).await.unwrap();
    assert_eq!(detail.need.status, NeedStatus::Launched);
    assert!(detail.allowed_transitions.is_empty(), "launched is final");
    let path: Vec<(NeedStatus, NeedStatus)> = detail.transitions.iter().map(|t| (t.from_status, t.to_status)).collect();
    assert_eq!(path.len(), 4);
    assert_eq!(path[0], (NeedStatus::Submitted, NeedStatus::UnderReview));
    assert_eq!(detail.reviews.len(), 1);
    assert_eq!(detail.reviews[0].total, 16.0);
    assert_eq!(
        needs::review(&o.store, &expert, ReviewInput { need_id: need.id.clone(), scores: scores(3.0), comment: String::new() })
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Conflict,
        "a launched need takes no more reviews"
    );

    // Every reachable transition from every state is exactly NeedStatus::next.
    for from in NeedStatus::ALL {
        for to in NeedStatus::ALL {
            let legal = from.next().contains(&to);
            assert!(!(legal && from == to), "no self transitions");
        }
    }
}

#[tokio::test]
async fn roster_validation_and_history() {
    let o = office().await;
    let mut bad = officer_input(&o.unit_a, "2001", "王芳");
    bad.phone = Some("1380013800".into());
    assert_eq!(officers::save(&o.store, &o.admin, bad).await.unwrap_err().code(), ErrorCode::Validation);
    let mut bad = officer_input(&o.unit_a, "2001", "王芳");
    bad.term_end = Some("2017-01-01".into());
    assert_eq!(
        officers::save(&o.store, &o.admin, bad).await.unwrap_err().code(),
        ErrorCode::Validation,
        "term ends before it starts"
    );

    let saved = officers::save(&o.store, &o.admin, officer_input(&o.unit_a, "2001", "王芳")).await.unwrap();
    assert_eq!(
        officers::save(&o.store, &o.admin, officer_input(&o.unit_b, "2001", "另一人")).await.unwrap_err().code(),
        ErrorCode::Validation,
        "staff numbers are unique"
    );
    let row = &officers::list(&o.store, &o.admin).await.unwrap()[0];
    assert_eq!(row.phone_masked.as_deref(), Some("138****8000"), "lists mask phone numbers");

    let mut edit = officer_input(&o.unit_a, "2001", "王芳芳");
    edit.id = Some(saved.id.clone());
    officers::save(&o.store, &o.admin, edit).await.unwrap();
    officers::retire(&o.store, &o.admin, &saved.id, "2019-06-30", "换届").await.unwrap();
    let detail = officers::get(&o.store, &o.admin, &saved.id).await.unwrap();
    assert_eq!(detail.officer.status, officers::OfficerStatus::Retired);
    assert!(
        users::list(&o.store).await.unwrap().iter().all(|u| u.role != Role::Officer),
        "a retired officer's user can no longer act"
    );

    let hist = history::for_row(&o.store, &o.admin, "officers", &saved.id).await.unwrap();
    assert_eq!(hist.len(), 3, "created, renamed, retired");
    assert_eq!(hist[0].kind, history::ChangeKind::Created);
    let rename = hist[1].fields.iter().find(|f| f.column == "name").unwrap();
    assert_eq!((rename.before.as_str(), rename.after.as_str()), (Some("王芳"), Some("王芳芳")));
    assert_eq!(hist[2].reason.as_deref(), Some("换届"));
    assert_eq!(hist[2].actor_name.as_deref(), Some("本机管理员"));
}

#[tokio::test]
async fn backup_and_restore_round_trip() {
    let o = office().await;
    let dir = TempDir::new().unwrap();
    let info = backup::backup_now(&o.store, &o.admin, dir.path()).await.unwrap();
    assert!(info.size_bytes > 0);
    assert!(backup::daily(&o.store, &o.admin, dir.path()).await.unwrap().is_none(), "one backup per day");
    units::save(
        &o.store,
        &o.admin,
        UnitInput { id: None, code: "X".into(), name: "新单位".into(), kind: UnitKind::College, active: true },
    )
    .await
    .unwrap();
    let db = o.store.path().to_path_buf();
    o.store.close().await;

    let not_a_db = dir.path().join("junk.db");
    std::fs::write(&not_a_db, b"not sqlite").unwrap();
    assert!(backup::restore(&o.admin, &db, &not_a_db, 0).await.is_err(), "a file that is not a backup is refused");

    let safety = backup::restore(&o.admin, &db, std::path::Path::new(&info.path), 1_700_000_000_000).await.unwrap();
    assert!(safety.exists(), "the replaced database is kept");
    let reopened = Store::open(&db, Arc::new(FixedClock::new(1_700_000_100_000))).await.unwrap();
    let names: Vec<String> = units::list(&reopened).await.unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names.len(), 2, "the unit added after the backup is gone after restoring it: {names:?}");
}

#[tokio::test]
async fn backups_keep_the_last_fourteen() {
    let o = office().await;
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(FixedClock::new(1_700_000_000_000));
    let store = Store::open(&o.store.path().with_file_name("b.db"), clock.clone()).await.unwrap();
    for _ in 0..16 {
        backup::backup_now(&store, &o.admin, dir.path()).await.unwrap();
        clock.advance(24 * 3600 * 1000);
    }
    let kept = backup::list(&o.admin, dir.path()).unwrap();
    assert_eq!(kept.len(), backup::KEEP, "16 daily backups taken, the 14 newest kept");
    assert!(kept[0].file_name > kept[13].file_name, "newest first");
}

#[tokio::test]
async fn demo_data_fills_every_board_column() {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("d.db"), Arc::new(FixedClock::new(1_700_000_000_000))).await.unwrap();
    users::ensure_builtin(&store).await.unwrap();
    let counts = demo::generate(&store, &demo::DemoSize { officers: 40, needs: 14, seed: 1 }).await.unwrap();
    assert_eq!(counts.officers, 40);
    let admin = Actor::local_admin();
    assert_eq!(officers::list(&store, &admin).await.unwrap().len(), 40);
    let statuses: std::collections::BTreeSet<NeedStatus> =
        needs::list(&store, &admin).await.unwrap().into_iter().map(|n| n.status).collect();
    assert_eq!(statuses.len(), 7, "every workflow state has demo needs: {statuses:?}");
    assert!(demo::generate(&store, &demo::DemoSize::default()).await.is_err(), "demo data only into an empty database");
}

/// Conflicts stay visible in the history: the local value that lost to another device names
/// that device; the merged entry shows the value it overwrote, where and when it was written;
/// a remote change that lost everywhere is marked superseded.
#[tokio::test]
async fn history_shows_values_overwritten_by_a_merge() {
    use zongwu_core::store::Table;
    let dir = TempDir::new().unwrap();
    let a = Store::open(&dir.path().join("a.db"), Arc::new(FixedClock::new(1_700_000_000_000))).await.unwrap();
    let b = Store::open(&dir.path().join("b.db"), Arc::new(FixedClock::new(1_700_000_060_000))).await.unwrap();
    let admin = Actor::local_admin();
    let unit = units::save(
        &a,
        &admin,
        UnitInput { id: None, code: "ZW02".into(), name: "饮食服务中心".into(), kind: UnitKind::ServiceUnit, active: true },
    )
    .await
    .unwrap();
    b.merge_remote(&a.local_changes(0, 100).await.unwrap().into_iter().map(|(_, c)| c).collect::<Vec<_>>()).await.unwrap();

    async fn rename(store: &Store, id: &str, name: &str) {
        let mut tx = store.begin_write(&Actor::local_admin()).await.unwrap();
        tx.update(Table::Units, id, serde_json::json!({ "name": name })).await.unwrap();
        tx.commit().await.unwrap();
    }
    async fn from(s: &Store) -> Vec<zongwu_proto::Change> {
        s.local_changes(0, 100).await.unwrap().into_iter().map(|(_, c)| c).collect()
    }
    rename(&a, &unit.id, "A 改的名字").await;
    rename(&b, &unit.id, "B 改的名字").await; // one minute later by b's clock: b wins
    a.merge_remote(&from(&b).await).await.unwrap();
    b.merge_remote(&from(&a).await).await.unwrap();

    let on_a = history::for_row(&a, &admin, "units", &unit.id).await.unwrap();
    let lost = on_a.iter().find(|e| e.origin == "local" && e.fields.iter().any(|f| f.after == "A 改的名字")).unwrap();
    let lost_field = lost.fields.iter().find(|f| f.column == "name").unwrap();
    assert_eq!(lost_field.overwritten_by.as_deref(), Some(b.device_id()), "a's value says which device replaced it");
    let winner = on_a.last().unwrap();
    assert_eq!(winner.origin, "remote");
    assert_eq!(winner.device_id, b.device_id(), "the merged entry names its device");
    assert_eq!(winner.written_ms, 1_700_000_060_000, "and when it was written there");
    let f = &winner.fields[0];
    assert_eq!((f.before.as_str(), f.after.as_str()), (Some("A 改的名字"), Some("B 改的名字")), "the overwritten value is shown");

    let on_b = history::for_row(&b, &admin, "units", &unit.id).await.unwrap();
    let stale = on_b.iter().find(|e| e.origin == "remote" && e.device_id == a.device_id() && e.superseded);
    assert!(stale.is_some(), "a's older rename arrived at b and lost: it is listed as superseded: {on_b:#?}");
}

/// The join plan tells set-up data from work and refuses what the server would refuse, without
/// asking a server.
#[tokio::test]
async fn join_plan_tells_setup_from_work_and_respects_scope() {
    use zongwu_core::sync::account::{self, JoinChoice, ServerAccount};
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("z.db"), Arc::new(FixedClock::new(1_700_000_000_000))).await.unwrap();
    users::ensure_builtin(&store).await.unwrap();
    demo::generate(&store, &demo::DemoSize { officers: 18, needs: 0, seed: 1 }).await.unwrap();
    account::mark_setup(&store).await.unwrap();
    let as_role = |role: Role, unit: Option<&str>| ServerAccount {
        server_url: "http://srv".into(),
        user_id: "u".into(),
        login: "x".into(),
        name: "x".into(),
        role,
        unit_id: unit.map(str::to_string),
        expires_at_ms: 0,
        joined: false,
    };

    let office = account::join_plan(&store, &as_role(Role::Office, None)).await.unwrap();
    assert!(office.pending > 0 && office.pending == office.setup_changes, "only set-up data so far: {office:?}");
    assert_eq!(office.recommended, Some(JoinChoice::DownloadOnly), "demo data is not uploaded unless asked");
    assert!(office.can_upload && office.can_download_only);

    let officer = as_role(Role::Officer, Some(demo::demo_unit_id(1).as_str()));
    let plan = account::join_plan(&store, &officer).await.unwrap();
    // One unit row and one officer (with its user) of 18 belong to demo-unit-01.
    assert!(plan.out_of_scope > 0 && plan.out_of_scope < plan.pending, "other units' rows are out of scope: {plan:?}");
    assert!(!plan.can_upload);
    assert!(account::check_choice(&plan, JoinChoice::Upload).is_err());
    assert!(account::check_choice(&plan, JoinChoice::DownloadOnly).is_ok());

    units::save(
        &store,
        &Actor::local_admin(),
        UnitInput { id: None, code: "NEW".into(), name: "新单位".into(), kind: UnitKind::Office, active: true },
    )
    .await
    .unwrap();
    let office = account::join_plan(&store, &as_role(Role::Office, None)).await.unwrap();
    assert_eq!(office.pending, office.setup_changes + 1, "an edit after set-up is work");
    assert_eq!(office.recommended, Some(JoinChoice::Upload), "work is uploaded by default");
    let expert = account::join_plan(&store, &as_role(Role::Expert, None)).await.unwrap();
    assert_eq!(expert.out_of_scope, expert.pending, "experts push reviews only");
}

/// Issue #9: a transfer is a retirement and a new term in another unit under the same staff
/// number; both terms stay in the roster. An active duplicate is still refused, by the form, the
/// import and a reinstatement alike.
#[tokio::test]
async fn a_retired_officer_starts_a_new_term_in_another_unit() {
    let o = office().await;
    let first = officers::save(&o.store, &o.admin, officer_input(&o.unit_a, "3001", "赵磊")).await.unwrap();
    let refused = officers::save(&o.store, &o.admin, officer_input(&o.unit_b, "3001", "赵磊")).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Validation, "while the first term is active");
    assert!(refused.to_string().contains("办理卸任"), "the message says what to do: {refused}");

    officers::retire(&o.store, &o.admin, &first.id, "2019-06-30", "调往公寓管理中心").await.unwrap();
    let second = officers::save(&o.store, &o.admin, officer_input(&o.unit_b, "3001", "赵磊")).await.unwrap();
    let terms: Vec<_> = officers::list(&o.store, &o.admin).await.unwrap().into_iter().filter(|r| r.staff_no == "3001").collect();
    assert_eq!(terms.len(), 2, "both terms are in the roster");
    assert!(terms.iter().any(|t| t.id == first.id) && terms.iter().any(|t| t.id == second.id));

    let again = officers::reinstate(&o.store, &o.admin, &first.id).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::Validation, "reinstating the old term would make two active ones");
    let detail = officers::get(&o.store, &o.admin, &first.id).await.unwrap();
    assert_eq!(detail.officer.status, officers::OfficerStatus::Retired, "and nothing changed");

    // The import follows the same rule: the active number is refused, a retired one is free.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("roster.csv");
    std::fs::write(&file, "单位,工号,姓名\n饮食服务中心,3001,赵磊\n").unwrap();
    let report = zongwu_core::import::officers_report(&o.store, &o.admin, &file).await.unwrap();
    assert!(!report.accepted, "3001 serves in 公寓管理中心 now");
    officers::retire(&o.store, &o.admin, &second.id, "2020-06-30", "任期届满").await.unwrap();
    let report = zongwu_core::import::officers_report(&o.store, &o.admin, &file).await.unwrap();
    assert!(report.accepted, "{:?}", report.errors);
}
