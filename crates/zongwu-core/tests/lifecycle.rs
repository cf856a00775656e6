//! The desktop lifecycle shared by the window and the CLI (`zongwu_core::desktop`): opening a
//! data directory, who acts, backups as a staff rule, and restore-and-reopen.

use std::sync::Arc;
use tempfile::TempDir;
use zongwu_core::desktop::{Desktop, OpenOptions};
use zongwu_core::units::{self, UnitInput, UnitKind};
use zongwu_core::{backup, users, Actor, ErrorCode, FixedClock, Role};

const T0: i64 = 1_700_000_000_000;

async fn open(dir: &TempDir, demo: bool) -> Desktop {
    Desktop::open(dir.path(), Arc::new(FixedClock::new(T0)), OpenOptions { demo, ..Default::default() }).await.unwrap()
}

fn unit(code: &str, name: &str) -> UnitInput {
    UnitInput { id: None, code: code.into(), name: name.into(), kind: UnitKind::College, active: true }
}

fn officer() -> Actor {
    Actor { user_id: "o1".into(), name: "信息专员".into(), role: Role::Officer, unit_id: Some("u1".into()) }
}

fn expert() -> Actor {
    Actor { user_id: users::LOCAL_EXPERT_ID.into(), name: "专家".into(), role: Role::Expert, unit_id: None }
}

#[tokio::test]
async fn open_creates_the_built_in_users_once() {
    let dir = TempDir::new().unwrap();
    let desktop = open(&dir, false).await;
    let store = desktop.store().await;
    let ids: Vec<String> = users::list(&store).await.unwrap().into_iter().map(|u| u.id).collect();
    assert!(ids.contains(&users::LOCAL_ADMIN_ID.to_string()) && ids.contains(&users::LOCAL_EXPERT_ID.to_string()), "{ids:?}");
    assert!(units::list(&store).await.unwrap().is_empty(), "no demo data unless asked");
    let pending = store.pending_changes().await.unwrap();
    assert_eq!(desktop.actor().await, Actor::local_admin(), "the local admin acts at first");
    drop(store);
    desktop.shutdown().await;
    drop(desktop);

    let again = open(&dir, true).await;
    let store = again.store().await;
    assert_eq!(users::list(&store).await.unwrap().len(), ids.len(), "reopening adds no user");
    assert_eq!(store.pending_changes().await.unwrap(), pending, "and writes nothing");
    assert!(units::list(&store).await.unwrap().is_empty(), "demo data only fills a brand-new database");
    again.shutdown().await;
}

#[tokio::test]
async fn a_new_database_gets_demo_data_when_asked() {
    let dir = TempDir::new().unwrap();
    let desktop = open(&dir, true).await;
    assert!(!units::list(&*desktop.store().await).await.unwrap().is_empty());
    desktop.shutdown().await;
}

#[tokio::test]
async fn only_staff_back_up_list_and_restore() {
    let dir = TempDir::new().unwrap();
    let desktop = open(&dir, false).await;
    let store = desktop.store().await;
    let backups = desktop.backup_dir();
    let taken = backup::backup_now(&store, &Actor::local_admin(), &backups).await.expect("staff back up");
    let office = Actor { role: Role::Office, ..Actor::local_admin() };
    assert_eq!(backup::list(&office, &backups).unwrap().len(), 1, "staff list backups");
    for who in [officer(), expert()] {
        let refused = [
            backup::backup_now(&store, &who, &backups).await.map(|_| ()),
            backup::list(&who, &backups).map(|_| ()),
            backup::restore(&who, store.path(), std::path::Path::new(&taken.path), T0).await.map(|_| ()),
        ];
        for r in refused {
            let e = r.expect_err("not staff");
            assert_eq!(e.code(), ErrorCode::Forbidden, "{:?}: {e}", who.role);
            assert!(e.to_string().contains("总务办工作人员"), "a Chinese reason: {e}");
        }
        assert_eq!(backup::daily(&store, &who, &backups).await.unwrap(), None, "no automatic copy for {:?}", who.role);
    }
    assert_eq!(backup::list(&office, &backups).unwrap().len(), 1, "nothing was written by the refused calls");
    drop(store);

    // The same through the desktop, acting as the built-in expert.
    desktop.switch_local(users::LOCAL_EXPERT_ID).await.unwrap();
    assert_eq!(desktop.backups().await.unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(desktop.backup_now(None).await.unwrap_err().code(), ErrorCode::Forbidden);
    assert_eq!(desktop.restore(std::path::Path::new(&taken.path)).await.unwrap_err().code(), ErrorCode::Forbidden);
    assert!(desktop.daily_backup().await.unwrap().is_none());
    assert!(units::list(&*desktop.store().await).await.is_ok(), "the store is still open after a refused restore");
    desktop.switch_local(users::LOCAL_ADMIN_ID).await.unwrap();
    assert_eq!(desktop.backups().await.unwrap().len(), 1);
    desktop.shutdown().await;
}

#[tokio::test]
async fn restore_swaps_the_database_and_reopens_it() {
    let dir = TempDir::new().unwrap();
    let desktop = open(&dir, false).await;
    let admin = Actor::local_admin();
    units::save(&*desktop.store().await, &admin, unit("A", "甲学院")).await.unwrap();
    let taken = desktop.backup_now(None).await.unwrap();
    assert!(desktop.daily_backup().await.unwrap().is_none(), "one a day: the backup just taken counts");
    units::save(&*desktop.store().await, &admin, unit("B", "乙学院")).await.unwrap();
    let old_device = desktop.store().await.device_id().to_string();
    desktop.switch_local(users::LOCAL_EXPERT_ID).await.unwrap();
    desktop.switch_local(users::LOCAL_ADMIN_ID).await.unwrap();

    let safety = desktop.restore(std::path::Path::new(&taken.path)).await.expect("staff restore");
    assert!(safety.exists(), "the replaced database is kept");
    let store = desktop.store().await;
    let names: Vec<String> = units::list(&store).await.unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names, vec!["甲学院".to_string()], "the unit added after the backup is gone");
    assert_ne!(store.device_id(), old_device, "a restored database is a new sync device");
    assert_eq!(desktop.actor().await, admin, "the local admin acts after a restore");
    units::save(&store, &admin, unit("C", "丙学院")).await.expect("the reopened store takes writes");
    assert_eq!(users::list(&store).await.unwrap().len(), 2, "the built-in users are there");

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not sqlite").unwrap();
    drop(store);
    assert!(desktop.restore(&junk).await.is_err(), "a file that is not a backup is refused");
    assert_eq!(units::list(&*desktop.store().await).await.unwrap().len(), 2, "and the database stays as it was, open");
    desktop.shutdown().await;
}

#[tokio::test]
async fn the_status_carries_what_the_server_refused_with_the_chinese_reason() {
    let dir = TempDir::new().unwrap();
    let desktop = open(&dir, false).await;
    assert!(desktop.sync_status().refused.is_empty());
    let store = desktop.store().await;
    units::save(&store, &Actor::local_admin(), unit("A", "甲学院")).await.unwrap();
    let change_id: String = sqlx::query_scalar("SELECT change_id FROM change_log WHERE tbl = 'units' ORDER BY seq DESC LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let refusal = zongwu_proto::api::RefusedChange {
        change_id: change_id.clone(),
        code: zongwu_proto::rules::RefusalCode::OutsideUnit,
        message: "units A".into(),
        row: None,
    };
    store.apply_refusals(&[refusal]).await.unwrap();
    let listed = zongwu_core::sync::runner::refusals(&store).await;
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].change_id.as_str(), listed[0].code.as_str()), (change_id.as_str(), "outside_unit"));
    assert_eq!(listed[0].reason, "只能处理本单位的数据", "the reason is the code's Chinese sentence");
    drop(store);
    desktop.shutdown().await;
    drop(desktop);

    let again = open(&dir, false).await;
    let status = again.sync_status();
    assert_eq!(status.refused.len(), 1, "a signed-out desktop still shows what was refused: {status:?}");
    assert_eq!(status.refused[0].table_name, "units");
    again.shutdown().await;
}
