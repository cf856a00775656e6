//! Golden checks of the exported workbooks: read back with calamine (sheets, headers, values, real
//! date cells, text phones, summary counts) and unzipped (frozen pane, autofilter, print setup,
//! charts, data validation, fonts, properties).

use calamine::{Data, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zongwu_core::excel::{self, ExportResult, RosterColumn};
use zongwu_core::import::{ImportReport, RowError};
use zongwu_core::needs::{self, NeedInput, NeedKind, NeedStatus, Priority, ReviewInput};
use zongwu_core::officers::{self, OfficerInput, TrainingInput};
use zongwu_core::units::{self, UnitInput, UnitKind};
use zongwu_core::{Actor, FixedClock, Role, Store};

/// 2023-11-14 22:13:20 UTC: a date that is 2023-11-14 or 2023-11-15 depending on the zone, so the
/// tests compute the expected local date the same way the export does.
const NOW: i64 = 1_700_000_000_000;

struct Env {
    dir: tempfile::TempDir,
    store: Store,
    admin: Actor,
    hq: String,
    ys: String,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("zongwu.db"), Arc::new(FixedClock::new(NOW))).await.unwrap();
    let admin = Actor::local_admin();
    let mut ids = Vec::new();
    for (code, name) in [("HQ01", "后勤管理处"), ("YS02", "饮食服务中心")] {
        let u = units::save(
            &store,
            &admin,
            UnitInput { id: None, code: code.into(), name: name.into(), kind: UnitKind::ServiceUnit, active: true },
        )
        .await
        .unwrap();
        ids.push(u.id);
    }
    Env { dir, store, admin, ys: ids.pop().unwrap(), hq: ids.pop().unwrap() }
}

fn officer(unit_id: &str, staff_no: &str, name: &str, phone: Option<&str>, term_start: Option<&str>) -> OfficerInput {
    OfficerInput {
        id: None,
        unit_id: unit_id.into(),
        staff_no: staff_no.into(),
        name: name.into(),
        gender: Some("女".into()),
        title: Some("科员".into()),
        phone: phone.map(Into::into),
        email: None,
        term_start: term_start.map(Into::into),
        term_end: None,
        duties: Some("收集本单位信息化需求".into()),
        note: None,
    }
}

impl Env {
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    async fn roster(&self) {
        let a = officers::save(
            &self.store,
            &self.admin,
            officer(&self.hq, "0018001", "张三", Some("13800138000"), Some("2018-03-01")),
        )
        .await
        .unwrap();
        officers::save(&self.store, &self.admin, officer(&self.hq, "2018002", "李四", None, None)).await.unwrap();
        let c = officers::save(&self.store, &self.admin, officer(&self.ys, "2018003", "王五", Some("0516-83885000"), None))
            .await
            .unwrap();
        officers::retire(&self.store, &self.admin, &c.id, "2019-07-01", "调岗").await.unwrap();
        officers::add_training(
            &self.store,
            &self.admin,
            TrainingInput {
                officer_id: a.id.clone(),
                date: "2018-04-01".into(),
                topic: "需求收集培训".into(),
                attended: true,
                hours: Some(2.0),
            },
        )
        .await
        .unwrap();
    }
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap_or_else(|e| panic!("{} should be a readable xlsx: {e}", path.display()))
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let range = open(path).worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn texts(row: &[Data]) -> Vec<String> {
    row.iter().map(|c| c.to_string()).collect()
}

/// A part of the xlsx zip as text.
fn part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap_or_else(|_| panic!("{} should contain {name}", path.display())).read_to_string(&mut s).unwrap();
    s
}

fn parts(path: &Path) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    zip.file_names().map(|n| n.unwrap().to_string()).collect()
}

fn date_of(cell: &Data) -> String {
    match cell {
        Data::DateTime(dt) => dt.as_datetime().expect("a date").date().to_string(),
        other => panic!("expected a real Excel date cell, got {other:?}"),
    }
}

fn assert_data_sheet_setup(xml: &str, autofilter_ref: &str) {
    assert!(xml.contains(r#"state="frozen""#) && xml.contains("<pane "), "the header row is frozen");
    assert!(xml.contains(&format!(r#"<autoFilter ref="{autofilter_ref}""#)), "autofilter over header and data: {autofilter_ref}");
    let setup = &xml[xml.find("<pageSetup").expect("page setup")..];
    let setup = &setup[..setup.find("/>").unwrap()];
    assert!(setup.contains(r#"orientation="landscape""#), "prints landscape: {setup}");
    assert!(setup.contains(r#"fitToHeight="0""#), "fits to one page wide, any height: {setup}");
    assert!(xml.contains(r#"<pageSetUpPr fitToPage="1""#), "fit-to-page is on");
    assert!(xml.contains("<cols>"), "column widths are set");
}

#[tokio::test]
async fn officer_roster_workbook() {
    let env = env().await;
    env.roster().await;
    // The directory does not exist yet: the export creates it.
    let out = env.path("exports/2023/roster.xlsx");
    let result: ExportResult = excel::export_officers(&env.store, &env.admin, &out, &RosterColumn::ALL).await.unwrap();
    assert_eq!(result.rows, 3);
    assert_eq!(result.path, out.display().to_string());
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "only the finished workbook is left, no temporary file: {leftovers:?}");

    assert_eq!(open(&out).sheet_names(), vec!["信息专员名册", "汇总"]);
    let rows = sheet(&out, "信息专员名册");
    assert_eq!(
        texts(&rows[0]),
        ["单位", "工号", "姓名", "性别", "职务", "电话", "邮箱", "任期开始", "任期结束", "状态", "培训次数", "职责", "备注"]
    );
    assert_eq!(rows.len(), 4, "header and three officers");
    // Units in code order, staff numbers in order within a unit.
    let zhang = &rows[1];
    assert_eq!(zhang[0], Data::String("后勤管理处".into()));
    assert_eq!(zhang[1], Data::String("0018001".into()), "a staff number is text: its leading zeros survive");
    assert_eq!(zhang[2], Data::String("张三".into()));
    assert_eq!(zhang[5], Data::String("13800138000".into()), "the phone is the whole number, as text");
    assert_eq!(date_of(&zhang[7]), "2018-03-01");
    assert_eq!(zhang[9], Data::String("在任".into()));
    assert_eq!(zhang[10], Data::Float(1.0), "one training");
    assert_eq!(zhang[11], Data::String("收集本单位信息化需求".into()));
    assert_eq!(rows[2][1], Data::String("2018002".into()));
    assert_eq!(rows[2][5], Data::Empty, "no phone, no cell");
    assert_eq!(texts(&rows[3])[..3], ["饮食服务中心", "2018003", "王五"]);
    assert_eq!(rows[3][9], Data::String("已卸任".into()));

    let summary = sheet(&out, "汇总");
    assert_eq!(texts(&summary[0]), ["单位", "在任", "已卸任", "合计"]);
    assert_eq!(texts(&summary[1]), ["后勤管理处", "2", "0", "2"]);
    assert_eq!(texts(&summary[2]), ["饮食服务中心", "0", "1", "1"]);
    assert_eq!(texts(&summary[3]), ["合计", "2", "1", "3"]);

    assert_data_sheet_setup(&part(&out, "xl/worksheets/sheet1.xml"), "A1:M4");
    assert!(parts(&out).contains(&"xl/charts/chart1.xml".to_string()), "the summary has a native chart");
    let chart = part(&out, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:barChart>") && chart.contains("汇总!$A$2:$A$3"), "a column chart over the summary's units");
    assert!(part(&out, "xl/styles.xml").contains("微软雅黑"), "cells use a Chinese font");
    assert!(part(&out, "xl/styles.xml").contains(r#"formatCode="yyyy-mm-dd""#), "dates are formatted yyyy-mm-dd");
    assert!(part(&out, "docProps/core.xml").contains("<dc:title>信息专员名册</dc:title>"), "the workbook has a title");
    assert!(part(&out, "xl/workbook.xml").contains("_xlnm.Print_Titles"), "the header row repeats on every printed page");
}

#[tokio::test]
async fn roster_with_chosen_columns() {
    let env = env().await;
    env.roster().await;
    let out = env.path("meeting.xlsx");
    let result = excel::export_officers(&env.store, &env.admin, &out, &RosterColumn::MEETING).await.unwrap();
    assert_eq!(result.rows, 3);
    let rows = sheet(&out, "信息专员名册");
    assert_eq!(texts(&rows[0]), ["单位", "工号", "姓名", "职务", "电话", "邮箱", "任期开始", "任期结束", "状态", "培训次数"]);
    assert_eq!(rows[1][1], Data::String("0018001".into()));
    assert_eq!(rows[1][4], Data::String("13800138000".into()), "电话 moved left with the columns before it");
    assert_eq!(date_of(&rows[1][6]), "2018-03-01", "dates keep their date cells in their new place");
    assert_eq!(rows[1][9], Data::Float(1.0), "培训次数 is still a number");
    assert_data_sheet_setup(&part(&out, "xl/worksheets/sheet1.xml"), "A1:J4");

    // Any order the caller asks for; an empty choice is refused and writes no file.
    let out = env.path("two.xlsx");
    excel::export_officers(&env.store, &env.admin, &out, &[RosterColumn::Name, RosterColumn::Unit]).await.unwrap();
    assert_eq!(texts(&sheet(&out, "信息专员名册")[1]), ["张三", "后勤管理处"]);
    let none = env.path("none.xlsx");
    let err = excel::export_officers(&env.store, &env.admin, &none, &[]).await.unwrap_err();
    assert!(err.to_string().contains("至少选择一列"), "{err}");
    assert!(!none.exists());

    assert_eq!(RosterColumn::parse("电话"), Some(RosterColumn::Phone));
    assert_eq!(RosterColumn::parse(" staff_no "), Some(RosterColumn::StaffNo));
    assert_eq!(RosterColumn::parse("年龄"), None);
    for c in RosterColumn::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), c.key(), "the CLI's key is the window's (serde) name");
    }
}

#[tokio::test]
async fn officers_of_an_unknown_unit_come_first_under_no_name() {
    // A synced officer can arrive before its unit; the roster still lists them, first.
    let env = env().await;
    env.roster().await;
    let mut tx = env.store.begin_write(&env.admin).await.unwrap();
    let cols = serde_json::json!({"staff_no": "9000001", "name": "孤儿", "status": "active"});
    tx.insert(zongwu_core::store::Table::Officers, &zongwu_core::store::new_id(), Some("unit-not-here"), cols).await.unwrap();
    tx.commit().await.unwrap();
    let out = env.path("orphans.xlsx");
    let result = excel::export_officers(&env.store, &env.admin, &out, &RosterColumn::ALL).await.unwrap();
    assert_eq!(result.rows, 4);
    let rows = sheet(&out, "信息专员名册");
    assert_eq!(texts(&rows[1])[..3], ["", "9000001", "孤儿"]);
    assert_eq!(texts(&rows[2])[..2], ["后勤管理处", "0018001"]);
}

#[tokio::test]
async fn an_officer_exports_only_their_own_unit() {
    let env = env().await;
    env.roster().await;
    let officer =
        Actor { user_id: "u-ys".into(), name: "饮食专员".into(), role: Role::Officer, unit_id: Some(env.ys.clone()) };
    let out = env.path("ys.xlsx");
    let result = excel::export_officers(&env.store, &officer, &out, &RosterColumn::ALL).await.unwrap();
    assert_eq!(result.rows, 1, "an officer sees only their unit, as in officers::list");
    let rows = sheet(&out, "信息专员名册");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][1], Data::String("2018003".into()));
    let summary = sheet(&out, "汇总");
    assert_eq!(summary.len(), 3, "one unit and the total");
    assert_eq!(texts(&summary[2]), ["合计", "0", "1", "1"]);

    let nobody = Actor { user_id: "u0".into(), name: "无单位".into(), role: Role::Officer, unit_id: None };
    let result = excel::export_officers(&env.store, &nobody, &env.path("none.xlsx"), &RosterColumn::ALL).await.unwrap();
    assert_eq!(result.rows, 0, "an officer without a unit sees nothing");
}

#[tokio::test]
async fn roster_pages_cover_every_officer_once_across_page_boundaries() {
    let env = env().await;
    // 10,000 in one unit (exactly ten pages of the reader) and 3 in the other, loaded by import.
    let csv = env.path("many.csv");
    let mut text = String::from("工号,姓名,单位,电话\n");
    for i in 0..10_000 {
        text += &format!("{},专员{i},后勤管理处,{}\n", 100_000 + i, 13_800_000_000u64 + i as u64);
    }
    for i in 0..3 {
        text += &format!("{},饮食{i},饮食服务中心,\n", 900_000 + i);
    }
    std::fs::write(&csv, text).unwrap();
    let report = zongwu_core::import::officers_report(&env.store, &env.admin, &csv).await.unwrap();
    assert!(report.accepted, "{:?}", report.errors.first());

    let out = env.path("many.xlsx");
    let result = excel::export_officers(&env.store, &env.admin, &out, &RosterColumn::ALL).await.unwrap();
    assert_eq!(result.rows, 10_003);
    let rows = sheet(&out, "信息专员名册");
    let staff: Vec<String> = rows[1..].iter().map(|r| r[1].to_string()).collect();
    let mut expected: Vec<String> = (0..10_000).map(|i| (100_000 + i).to_string()).collect();
    expected.extend((0..3).map(|i| (900_000 + i).to_string()));
    assert_eq!(staff, expected, "every officer exactly once, in unit then staff-number order");
    assert_eq!(rows[10_000][5], Data::String("13800009999".into()));
    assert_data_sheet_setup(&part(&out, "xl/worksheets/sheet1.xml"), "A1:M10004");
    let summary = sheet(&out, "汇总");
    assert_eq!(texts(&summary[3]), ["合计", "10003", "0", "10003"]);
}

#[tokio::test]
async fn needs_workbook_with_cross_table() {
    let env = env().await;
    let submit = |unit: &str, title: &str| NeedInput {
        unit_id: unit.into(),
        title: title.into(),
        kind: NeedKind::Scenario,
        description: "描述".into(),
        priority: Priority::High,
        expected_benefit: "减少跑腿".into(),
        attachments: vec![],
    };
    let n1 = needs::submit(&env.store, &env.admin, submit(&env.hq, "报修进度查询")).await.unwrap();
    needs::submit(&env.store, &env.admin, submit(&env.hq, "食堂满意度")).await.unwrap();
    needs::submit(&env.store, &env.admin, submit(&env.ys, "菜品预订")).await.unwrap();
    needs::transition(&env.store, &env.admin, &n1.id, NeedStatus::UnderReview, "").await.unwrap();
    let scores: BTreeMap<String, f64> = [("feasibility", 4.0), ("benefit", 5.0), ("urgency", 3.0), ("cost", 4.0)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    needs::review(&env.store, &env.admin, ReviewInput { need_id: n1.id.clone(), scores, comment: "好".into() }).await.unwrap();

    let out = env.path("needs.xlsx");
    let result = excel::export_needs(&env.store, &env.admin, &out).await.unwrap();
    assert_eq!(result.rows, 3);
    assert_eq!(open(&out).sheet_names(), vec!["需求清单", "汇总"]);
    let rows = sheet(&out, "需求清单");
    assert_eq!(
        texts(&rows[0]),
        ["提交日期", "单位", "标题", "类型", "优先级", "状态", "提交人", "评审次数", "平均分", "描述", "预期效益"]
    );
    let row = rows.iter().find(|r| r[2] == Data::String("报修进度查询".into())).expect("the reviewed need");
    use chrono::TimeZone;
    let local = chrono::Local.timestamp_millis_opt(NOW).unwrap().date_naive().to_string();
    assert_eq!(date_of(&row[0]), local, "submitted_ms becomes the local calendar date");
    assert_eq!(texts(row)[1..7], ["后勤管理处", "报修进度查询", "应用场景", "高", "评审中", "本机管理员"]);
    assert_eq!(row[7], Data::Float(1.0));
    assert_eq!(row[8], Data::Float(16.0), "the average review total");

    let summary = sheet(&out, "汇总");
    let labels: Vec<&str> = NeedStatus::ALL.iter().map(|s| s.label_zh()).collect();
    let mut header = vec!["单位"];
    header.extend(&labels);
    header.push("合计");
    assert_eq!(texts(&summary[0]), header);
    assert_eq!(texts(&summary[1]), ["后勤管理处", "1", "1", "0", "0", "0", "0", "0", "2"]);
    assert_eq!(texts(&summary[2]), ["饮食服务中心", "1", "0", "0", "0", "0", "0", "0", "1"]);
    assert_eq!(texts(&summary[3]), ["合计", "2", "1", "0", "0", "0", "0", "0", "3"]);

    assert_data_sheet_setup(&part(&out, "xl/worksheets/sheet1.xml"), "A1:K4");
    let chart = part(&out, "xl/charts/chart1.xml");
    assert!(
        chart.contains("汇总!$B$1:$H$1") && chart.contains("汇总!$B$4:$H$4"),
        "the chart counts needs per status from the total row"
    );

    // An officer's export holds their unit only.
    let officer =
        Actor { user_id: "u-ys".into(), name: "饮食专员".into(), role: Role::Officer, unit_id: Some(env.ys.clone()) };
    let result = excel::export_needs(&env.store, &officer, &env.path("needs-ys.xlsx")).await.unwrap();
    assert_eq!(result.rows, 1);
}

#[tokio::test]
async fn officer_import_template() {
    let env = env().await;
    let out = env.path("template.xlsx");
    excel::export_officer_template(&env.store, &out).await.unwrap();
    let book = open(&out);
    assert_eq!(book.sheet_names(), vec!["信息专员名册", "单位列表", "填写说明"]);
    let rows = sheet(&out, "信息专员名册");
    let labels: Vec<&str> = zongwu_core::import::officers::COLUMNS.iter().map(|c| c.label).collect();
    assert_eq!(texts(&rows[0]), labels, "the template's headers are the importer's");
    let list = sheet(&out, "单位列表");
    assert_eq!(texts(&list.iter().map(|r| r[0].clone()).collect::<Vec<_>>()), ["后勤管理处", "饮食服务中心"]);

    let xml = part(&out, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<dataValidation "), "the template has validation lists");
    assert!(xml.contains("<formula1>'单位列表'!$A$1:$A$2</formula1>"), "单位 lists the live units from the hidden sheet");
    assert!(xml.contains("<formula1>\"男,女\"</formula1>"), "性别 is 男/女");
    assert!(xml.contains(r#"type="date""#), "date columns accept dates");
    assert!(part(&out, "xl/workbook.xml").contains(r#"state="hidden""#), "the unit list sheet is hidden");
    assert!(part(&out, "xl/styles.xml").contains(r#"numFmtId="49""#), "staff number and phone columns are text (@)");
    assert!(parts(&out).iter().any(|p| p.starts_with("xl/comments")), "headers carry notes explaining the format");
}

#[test]
fn import_error_report_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let report = ImportReport {
        accepted: false,
        imported: 0,
        total_rows: 2,
        errors: vec![
            RowError { row: 0, column: "单位".into(), value: String::new(), reason: "缺少必填列「单位」".into() },
            RowError {
                row: 3, column: "电话".into(), value: "01380013800".into(), reason: "电话号码格式不正确".into()
            },
        ],
    };
    let out = dir.path().join("nested/report.xlsx");
    let result = excel::export_import_report(&report, &out).unwrap();
    assert_eq!(result.rows, 2);
    let rows = sheet(&out, "导入错误");
    assert_eq!(texts(&rows[0]), ["行号", "列", "值", "原因"]);
    assert_eq!(texts(&rows[1])[..2], ["表头", "单位"]);
    assert_eq!(rows[2][0], Data::Float(3.0));
    assert_eq!(rows[2][2], Data::String("01380013800".into()), "the value is shown exactly as it was");
    assert_data_sheet_setup(&part(&out, "xl/worksheets/sheet1.xml"), "A1:D3");
}

#[test]
fn export_futures_are_send() {
    // The desktop shell awaits these inside Tauri commands, which need Send futures.
    fn is_send<T: Send>(_: &T) {}
    let store: Option<&Store> = None;
    if let Some(store) = store {
        let actor = Actor::local_admin();
        is_send(&excel::export_officers(store, &actor, Path::new("x"), &RosterColumn::ALL));
        is_send(&excel::export_needs(store, &actor, Path::new("x")));
        is_send(&excel::export_officer_template(store, Path::new("x")));
        is_send(&zongwu_core::import::officers_report(store, &actor, Path::new("x")));
    }
}

#[tokio::test]
async fn text_holding_the_row_separator_still_exports() {
    // Pages travel from SQLite packed with U+001E between rows and U+001F between fields; a value
    // that itself holds one must not shift the columns or split a row.
    let env = env().await;
    let mut input = officer(&env.hq, "2018001", "张三", None, Some("2018-03-01"));
    input.duties = Some("收集\u{1f}需求".into());
    officers::save(&env.store, &env.admin, input).await.unwrap();
    let mut input = officer(&env.hq, "2018002", "李四", None, Some("2018-04-01"));
    input.note = Some("备\u{1e}注".into());
    officers::save(&env.store, &env.admin, input).await.unwrap();
    let out = env.path("sep.xlsx");
    excel::export_officers(&env.store, &env.admin, &out, &RosterColumn::ALL).await.unwrap();
    let rows = sheet(&out, "信息专员名册");
    assert_eq!(rows[1][1], Data::String("2018001".into()));
    assert_eq!(date_of(&rows[1][7]), "2018-03-01", "the columns after the value are where they belong");
    assert_eq!(rows[1][11], Data::String("收集 需求".into()));
    assert_eq!(rows.len(), 3, "header and two officers");
    assert_eq!(rows[2][1], Data::String("2018002".into()));
    assert_eq!(rows[2][12], Data::String("备 注".into()));
}
