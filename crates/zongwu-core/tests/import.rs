//! The officer roster import, driven through the public entry point with fixture files generated
//! here: xlsx by rust_xlsxwriter (title rows, merged cells, formulas, serial dates, numbers stored
//! as floats), CSV in UTF-8 and GBK. The one .xls fixture is committed (tests/fixtures/roster.xls,
//! written by make_roster_xls.py beside it): nothing in the Rust workspace writes BIFF8.

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zongwu_core::import::{officers_report, ImportReport, RowError};
use zongwu_core::officers::{self, OfficerInput};
use zongwu_core::units::{self, UnitInput, UnitKind};
use zongwu_core::{Actor, FixedClock, Role, Store};

struct Env {
    dir: tempfile::TempDir,
    store: Store,
    admin: Actor,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("zongwu.db"), Arc::new(FixedClock::new(1_700_000_000_000))).await.unwrap();
    let admin = Actor::local_admin();
    for (code, name) in [("HQ01", "后勤管理处"), ("YS02", "饮食服务中心"), ("SY03", "物业服务中心")] {
        units::save(
            &store,
            &admin,
            UnitInput { id: None, code: code.into(), name: name.into(), kind: UnitKind::ServiceUnit, active: true },
        )
        .await
        .unwrap();
    }
    Env { dir, store, admin }
}

impl Env {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    async fn counts(&self) -> (i64, i64, i64) {
        let q = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(self.store.pool()).await.unwrap() };
        (
            q("SELECT COUNT(*) FROM officers").await,
            q("SELECT COUNT(*) FROM users").await,
            q("SELECT COUNT(*) FROM change_log").await,
        )
    }

    async fn import(&self, file: &Path) -> ImportReport {
        officers_report(&self.store, &self.admin, file).await.unwrap()
    }

    /// Import a file that must be refused, and check that nothing at all was written.
    async fn refused(&self, file: &Path) -> ImportReport {
        let before = self.counts().await;
        let report = self.import(file).await;
        assert!(!report.accepted, "the file has errors, so the import must be refused: {report:?}");
        assert_eq!(report.imported, 0);
        assert!(!report.errors.is_empty(), "a refused import says why");
        assert_eq!(self.counts().await, before, "a refused import writes nothing: officers, users and change_log unchanged");
        report
    }

    async fn officer(&self, staff_no: &str) -> serde_json::Map<String, serde_json::Value> {
        let rows = self.store.dump_table(zongwu_core::store::Table::Officers).await.unwrap();
        rows.into_iter()
            .find(|r| r["staff_no"] == staff_no)
            .unwrap_or_else(|| panic!("officer {staff_no} should have been imported"))
    }
}

/// A cell of a generated xlsx fixture.
#[derive(Clone)]
enum C {
    S(&'static str),
    /// A number, as Excel stores a staff number or phone typed into a General cell.
    N(f64),
    /// A real date cell (serial with a date format).
    D(u16, u8, u8),
    /// A formula with its cached result.
    F(&'static str, &'static str),
    E,
}

const HEADER: [&str; 8] = ["单位", "工号", "姓名", "性别", "职务", "电话", "任期开始", "任期结束"];

fn header() -> Vec<C> {
    HEADER.iter().map(|h| C::S(h)).collect()
}

fn write_sheet(ws: &mut rust_xlsxwriter::Worksheet, rows: &[Vec<C>]) {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                C::S(s) => ws.write_string(r, c, *s).map(|_| ()),
                C::N(n) => ws.write_number(r, c, *n).map(|_| ()),
                C::D(y, m, d) => {
                    ws.write_datetime_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &date).map(|_| ())
                }
                C::F(f, result) => ws.write_formula(r, c, Formula::new(*f).set_result(*result)).map(|_| ()),
                C::E => Ok(()),
            }
            .unwrap();
        }
    }
}

fn xlsx(path: &Path, rows: &[Vec<C>]) {
    let mut wb = Workbook::new();
    write_sheet(wb.add_worksheet(), rows);
    wb.save(path).unwrap();
}

fn row(unit: &'static str, staff: &'static str, name: &'static str) -> Vec<C> {
    vec![C::S(unit), C::S(staff), C::S(name)]
}

fn has_error(report: &ImportReport, row: i64, column: &str, reason_part: &str) -> bool {
    report.errors.iter().any(|e| e.row == row && e.column == column && e.reason.contains(reason_part))
}

fn assert_error(report: &ImportReport, row: i64, column: &str, reason_part: &str) {
    assert!(
        has_error(report, row, column, reason_part),
        "expected an error at row {row}, column {column}, reason containing {reason_part:?}; got {:#?}",
        report.errors
    );
}

#[tokio::test]
async fn imports_xlsx_with_merged_title_serial_dates_and_numbers_as_floats() {
    let env = env().await;
    let file = env.path("2018年信息专员名册.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    // Row 1: a title merged across; row 2: a subtitle; row 3: the header.
    ws.merge_range(0, 0, 0, 7, "2018年信息专员名册", &Format::new().set_bold()).unwrap();
    ws.write_string(1, 0, "制表：总务办").unwrap();
    write_sheet(
        ws,
        &[
            vec![],
            vec![],
            header(),
            // Staff number and phone typed into General cells: floats; a real date cell; a serial number.
            vec![
                C::S("后勤管理处"),
                C::N(2018001.0),
                C::S("张三"),
                C::S("男"),
                C::S("科长"),
                C::N(13800138000.0),
                C::D(2018, 3, 1),
                C::N(43525.0),
            ],
            vec![],
            // Unit by code with stray spaces; full-width staff number, phone and date.
            vec![
                C::S(" ys02 "),
                C::S("２０１８００２"),
                C::S("李四"),
                C::S("女"),
                C::E,
                C::S("１３９００１３９０００"),
                C::S("２０１８年３月１日"),
            ],
        ],
    );
    wb.save(&file).unwrap();

    let report = env.import(&file).await;
    assert!(report.accepted, "a clean roster imports: {report:#?}");
    assert_eq!((report.imported, report.total_rows), (2, 2), "the blank row is skipped, the title rows are not data");

    let zhang = env.officer("2018001").await;
    assert_eq!(zhang["name"], "张三");
    assert_eq!(zhang["phone"], "13800138000", "a phone read as a float stays the full number as text");
    assert_eq!(zhang["term_start"], "2018-03-01", "a date cell becomes YYYY-MM-DD");
    assert_eq!(zhang["term_end"], "2019-03-01", "an Excel serial number in a date column is a date");
    let li = env.officer("2018002").await;
    assert_eq!(li["phone"], "13900139000", "full-width digits are normalised");
    assert_eq!(li["term_start"], "2018-03-01");
    let ys: String = sqlx::query_scalar("SELECT id FROM units WHERE code = 'YS02'").fetch_one(env.store.pool()).await.unwrap();
    assert_eq!(li["unit_id"], ys.as_str(), "a unit may be named by its code");

    let reasons: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT reason FROM change_log WHERE tbl IN ('officers', 'users') AND actor_id = 'local-admin' AND row_id IN (SELECT id FROM officers)")
            .fetch_all(env.store.pool())
            .await
            .unwrap();
    assert_eq!(reasons, vec![Some("导入 2018年信息专员名册.xlsx".to_string())], "the history says which file the rows came from");
    let users: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'officer'").fetch_one(env.store.pool()).await.unwrap();
    assert_eq!(users, 2, "each imported officer gets their officer-role user, as in the form");
}

#[tokio::test]
async fn english_headers_blank_rows_and_utf8_bom_csv() {
    let env = env().await;
    let file = env.path("officers.csv");
    let text = "\u{feff}Staff No,Name,Unit,Gender,Phone,Email,Term Start,Term End,Duties,Note\n\
                A-001,Wang Wu,饮食服务中心,男,0516-83885000,wang@example.edu.cn,2018/3/1,2020.2.28,收集需求,\n\
                ,,,,,,,,,\n\
                \n\
                A-002,赵六,SY03,,,,,,,备注\n";
    std::fs::write(&file, text).unwrap();
    let report = env.import(&file).await;
    assert!(report.accepted, "{report:#?}");
    assert_eq!(report.imported, 2);
    let wang = env.officer("A-001").await;
    assert_eq!(wang["phone"], "0516-83885000");
    assert_eq!(wang["term_end"], "2020-02-28");
    assert_eq!(wang["email"], "wang@example.edu.cn");
    assert_eq!(env.officer("A-002").await["note"], "备注");
}

#[tokio::test]
async fn gbk_csv_from_chinese_excel_imports_with_names_intact() {
    let env = env().await;
    let file = env.path("名册.csv");
    let text = "工号,姓名,所在单位,手机号,任职开始\r\n2018101,欧阳娜娜,物业服务中心,13800138001,2018-09-01\r\n2018102,司马懿,后勤管理处,,\r\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture really is GBK, not UTF-8");
    std::fs::write(&file, &bytes).unwrap();
    let report = env.import(&file).await;
    assert!(report.accepted, "{report:#?}");
    assert_eq!(report.imported, 2);
    assert_eq!(env.officer("2018101").await["name"], "欧阳娜娜");
    assert_eq!(env.officer("2018102").await["name"], "司马懿");
}

#[tokio::test]
async fn missing_required_column_is_a_header_error() {
    let env = env().await;
    let file = env.path("no-unit.xlsx");
    xlsx(&file, &[vec![C::S("工号"), C::S("姓名"), C::S("电话")], vec![C::S("2018001"), C::S("张三"), C::S("13800138000")]]);
    let report = env.refused(&file).await;
    assert_error(&report, 0, "单位", "缺少必填列「单位」");
    assert_eq!(report.errors.len(), 1, "only the missing column is reported: {:#?}", report.errors);
}

#[tokio::test]
async fn duplicate_staff_no_within_the_file() {
    let env = env().await;
    let file = env.path("dup.xlsx");
    xlsx(
        &file,
        &[
            header(),
            row("后勤管理处", "2018001", "张三"),
            row("后勤管理处", "2018002", "李四"),
            // The same number, once as a float: still the same staff number.
            vec![C::S("物业服务中心"), C::N(2018001.0), C::S("张三丰")],
        ],
    );
    let report = env.refused(&file).await;
    assert_error(&report, 4, "工号", "与第 2 行重复");
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    assert_eq!(report.errors[0].value, "2018001");
    assert_eq!(report.total_rows, 3);
}

#[tokio::test]
async fn duplicate_staff_no_against_the_database() {
    let env = env().await;
    let hq: String = sqlx::query_scalar("SELECT id FROM units WHERE code = 'HQ01'").fetch_one(env.store.pool()).await.unwrap();
    officers::save(
        &env.store,
        &env.admin,
        OfficerInput {
            id: None,
            unit_id: hq,
            staff_no: "2018009".into(),
            name: "已在册".into(),
            gender: None,
            title: None,
            phone: None,
            email: None,
            term_start: None,
            term_end: None,
            duties: None,
            note: None,
        },
    )
    .await
    .unwrap();
    let file = env.path("dup-db.xlsx");
    xlsx(&file, &[header(), row("后勤管理处", "2018008", "新人"), row("后勤管理处", "2018009", "又一位")]);
    let report = env.refused(&file).await;
    assert_error(&report, 3, "工号", "已属于在任信息专员 已在册；如需调往其他单位，请先为其办理卸任");
    assert_eq!(report.errors.len(), 1);
}

#[tokio::test]
async fn bad_date_bad_phone_and_unknown_unit_are_all_reported() {
    let env = env().await;
    let file = env.path("bad.xlsx");
    let mut bad_date = row("后勤管理处", "2018001", "张三");
    bad_date.extend([C::E, C::E, C::E, C::S("2018-02-30")]);
    let mut bad_phone = row("后勤管理处", "2018002", "李四");
    bad_phone.extend([C::E, C::E, C::S("1380013800")]);
    let mut both = row("后勤管理处", "2018004", "孙七");
    both.extend([C::S("未知"), C::E, C::S("12345"), C::S("昨天")]);
    xlsx(
        &file,
        &[header(), bad_date, bad_phone, row("不存在的学院", "2018003", "王五"), both, row("后勤管理处", "2018005", "好人")],
    );
    let report = env.refused(&file).await;
    assert_error(&report, 2, "任期开始", "日期格式不正确");
    assert_eq!(report.errors.iter().find(|e| e.row == 2).unwrap().value, "2018-02-30", "the report shows the value as written");
    assert_error(&report, 3, "电话", "电话号码格式不正确");
    assert_error(&report, 4, "单位", "未找到单位「不存在的学院」");
    // One row with three bad fields: every one is reported, not only the first.
    assert_error(&report, 5, "性别", "性别应为 男 或 女");
    assert_error(&report, 5, "电话", "电话号码格式不正确");
    assert_error(&report, 5, "任期开始", "日期格式不正确");
    assert!(!report.errors.iter().any(|e| e.row == 6), "the good row has no error");
    assert_eq!(report.error_rows(), 4);
    assert_eq!(report.total_rows, 5);
}

#[tokio::test]
async fn empty_files_and_header_only_files_are_clear_errors() {
    let env = env().await;
    let empty_xlsx = env.path("empty.xlsx");
    Workbook::new().save(&empty_xlsx).unwrap();
    let report = env.refused(&empty_xlsx).await;
    assert!(report.errors[0].reason.contains("空"), "{:?}", report.errors);

    let empty_csv = env.path("empty.csv");
    std::fs::write(&empty_csv, b"").unwrap();
    let report = env.refused(&empty_csv).await;
    assert_eq!(report.errors[0].row, 0);
    assert!(report.errors[0].reason.contains("空"), "{:?}", report.errors);

    let header_only = env.path("header.csv");
    std::fs::write(&header_only, "工号,姓名,单位\n,,\n").unwrap();
    let report = env.refused(&header_only).await;
    assert_error(&report, 0, "", "没有数据行");
}

#[tokio::test]
async fn a_workbook_without_a_roster_sheet_is_refused_and_the_roster_sheet_is_found() {
    let env = env().await;
    let file = env.path("wrong.xlsx");
    let mut wb = Workbook::new();
    write_sheet(
        wb.add_worksheet().set_name("统计").unwrap(),
        &[vec![C::S("月份"), C::S("报修量")], vec![C::S("1月"), C::N(12.0)]],
    );
    wb.save(&file).unwrap();
    let report = env.refused(&file).await;
    assert_error(&report, 0, "", "未找到包含 单位/工号/姓名 表头的工作表");

    // A first sheet of notes, then the roster under its own name: the roster is read.
    let file = env.path("two-sheets.xlsx");
    let mut wb = Workbook::new();
    write_sheet(wb.add_worksheet().set_name("说明").unwrap(), &[vec![C::S("请在第二个工作表填写")]]);
    write_sheet(wb.add_worksheet().set_name("Sheet2").unwrap(), &[header(), row("后勤管理处", "X1", "错表")]);
    write_sheet(wb.add_worksheet().set_name("信息专员").unwrap(), &[header(), row("后勤管理处", "2018001", "张三")]);
    wb.save(&file).unwrap();
    let report = env.import(&file).await;
    assert!(report.accepted, "{report:#?}");
    assert_eq!(report.imported, 1);
    env.officer("2018001").await;
}

#[tokio::test]
async fn unit_merged_down_over_its_officers() {
    let env = env().await;
    let file = env.path("merged.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_sheet(
        ws,
        &[
            header(),
            vec![C::E, C::S("2018001"), C::S("张三")],
            vec![C::E, C::S("2018002"), C::S("李四")],
            vec![C::S("后勤管理处"), C::S("2018003"), C::S("王五")],
        ],
    );
    ws.merge_range(1, 0, 2, 0, "饮食服务中心", &Format::new()).unwrap();
    wb.save(&file).unwrap();
    let report = env.import(&file).await;
    assert!(report.accepted, "{report:#?}");
    let ys: String = sqlx::query_scalar("SELECT id FROM units WHERE code = 'YS02'").fetch_one(env.store.pool()).await.unwrap();
    assert_eq!(env.officer("2018001").await["unit_id"], ys.as_str());
    assert_eq!(env.officer("2018002").await["unit_id"], ys.as_str(), "the merged unit cell counts for every row it covers");
}

#[tokio::test]
async fn formula_cells_use_cached_values_and_error_cells_are_refused() {
    let env = env().await;
    let good = env.path("formulas.xlsx");
    let mut formula_row =
        vec![C::S("后勤管理处"), C::F("=\"2018\"&\"001\"", "2018001"), C::F("=\"张\"&\"三\"", "张三"), C::E, C::E];
    formula_row.push(C::F("=13800138000", "13800138000"));
    xlsx(&good, &[header(), formula_row.clone()]);
    let report = env.import(&good).await;
    assert!(report.accepted, "{report:#?}");
    let zhang = env.officer("2018001").await;
    assert_eq!(zhang["name"], "张三");
    assert_eq!(zhang["phone"], "13800138000", "a numeric formula result stays whole");

    let bad = env.path("ref-error.xlsx");
    let mut err_row = vec![C::S("后勤管理处"), C::S("2018002"), C::F("=#REF!", "#REF!")];
    err_row.extend([C::E, C::E, C::F("=VLOOKUP(1,A1:A2,2,0)", "#N/A")]);
    xlsx(&bad, &[header(), err_row]);
    let report = env.refused(&bad).await;
    assert_error(&report, 2, "姓名", "错误值 #REF!");
    assert_error(&report, 2, "电话", "错误值 #N/A");
    assert_eq!(report.errors.iter().find(|e| e.column == "姓名").unwrap().value, "#REF!");
}

#[tokio::test]
async fn numbers_shown_in_scientific_notation_are_refused() {
    let env = env().await;
    let file = env.path("sci.csv");
    std::fs::write(&file, "工号,姓名,单位,电话\n2018001,张三,后勤管理处,1.38E+10\n").unwrap();
    let report = env.refused(&file).await;
    assert_error(&report, 2, "电话", "科学计数法");
}

#[tokio::test]
async fn only_office_staff_may_import() {
    let env = env().await;
    let file = env.path("ok.csv");
    std::fs::write(&file, "工号,姓名,单位\n2018001,张三,后勤管理处\n").unwrap();
    let officer = Actor { user_id: "u1".into(), name: "专员".into(), role: Role::Officer, unit_id: None };
    let err = officers_report(&env.store, &officer, &file).await.unwrap_err();
    assert_eq!(err.code(), zongwu_core::ErrorCode::Forbidden);
    assert_eq!(env.counts().await.0, 0);
}

#[tokio::test]
async fn the_importers_header_labels_and_template_round_trip() {
    // The template's headers are the importer's labels; a filled template imports.
    let env = env().await;
    let template = env.path("template.xlsx");
    zongwu_core::excel::export_officer_template(&env.store, &template).await.unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&template).unwrap();
    use calamine::{DataType, Reader};
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let headers: Vec<String> =
        range.rows().find(|r| r.iter().any(|c| c.get_string() == Some("工号"))).unwrap().iter().map(|c| c.to_string()).collect();
    let csv = env.path("filled.csv");
    let mut text = headers.join(",") + "\n";
    let values: Vec<&str> = headers
        .iter()
        .map(|h| match h.trim_end_matches('*') {
            "单位" => "后勤管理处",
            "工号" => "2018001",
            "姓名" => "张三",
            "电话" => "13800138000",
            "任期开始" => "2018-03-01",
            _ => "",
        })
        .collect();
    text += &(values.join(",") + "\n");
    std::fs::write(&csv, text).unwrap();
    let report = env.import(&csv).await;
    assert!(report.accepted, "headers {headers:?}: {report:#?}");
    assert_eq!(env.officer("2018001").await["term_start"], "2018-03-01");
}

#[tokio::test]
async fn fifty_thousand_rows_import_in_one_transaction() {
    let env = env().await;
    let file = env.path("big.xlsx");
    let n = 50_000u32;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.write_string(0, 0, "2018年信息专员名册").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let units = ["后勤管理处", "饮食服务中心", "物业服务中心"];
    for i in 0..n {
        let r = i + 2;
        ws.write_string(r, 0, units[i as usize % 3]).unwrap();
        ws.write_number(r, 1, 3_000_000.0 + i as f64).unwrap();
        ws.write_string(r, 2, format!("专员{i}")).unwrap();
        ws.write_string(r, 3, if i % 2 == 0 { "男" } else { "女" }).unwrap();
        ws.write_number(r, 5, 13_800_000_000.0 + i as f64).unwrap();
        ws.write_number(r, 6, 43160.0 + (i % 365) as f64).unwrap();
    }
    wb.save(&file).unwrap();

    let start = std::time::Instant::now();
    let report = env.import(&file).await;
    let elapsed = start.elapsed();
    eprintln!("imported {} rows in {elapsed:?}", report.imported);
    assert!(report.accepted, "{:?}", report.errors.iter().take(5).collect::<Vec<&RowError>>());
    assert_eq!(report.imported, n as i64);
    assert_eq!(env.counts().await.0, n as i64, "every row is in the officers table");
    let last = env.officer(&(3_000_000 + n - 1).to_string()).await;
    assert_eq!(last["phone"], (13_800_000_000u64 + n as u64 - 1).to_string());

    // The same file again: every row now clashes with the database, and nothing is written.
    let report = env.refused(&file).await;
    assert_eq!(report.errors.len(), n as usize);
    assert!(report.errors[0].reason.contains("已属于在任信息专员"));
}

#[tokio::test]
async fn legacy_xls_with_merged_cells_numbers_and_dates() {
    let env = env().await;
    // Copied under a new name: the change log records the file name, and the fixture stays untouched.
    let file = env.path("roster.xls");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.xls"), &file).unwrap();
    let report = env.import(&file).await;
    assert!(report.accepted, "{report:#?}");
    assert_eq!((report.imported, report.total_rows), (3, 3));
    let zhang = env.officer("2018001").await;
    assert_eq!(zhang["phone"], "13800138000", "a BIFF number stays whole text");
    assert_eq!(zhang["term_start"], "2018-03-01");
    assert_eq!(zhang["term_end"], "2019-03-01");
    let ys: String = sqlx::query_scalar("SELECT id FROM units WHERE code = 'YS02'").fetch_one(env.store.pool()).await.unwrap();
    assert_eq!(env.officer("2018002").await["unit_id"], ys.as_str());
    assert_eq!(env.officer("2018003").await["unit_id"], ys.as_str(), "the merged unit cell counts for both rows");
}

#[tokio::test]
async fn a_shared_unit_name_needs_the_code_and_a_stopped_unit_is_refused() {
    let env = env().await;
    let save = |code: &'static str, name: &'static str, active: bool| {
        units::save(
            &env.store,
            &env.admin,
            UnitInput { id: None, code: code.into(), name: name.into(), kind: UnitKind::College, active },
        )
    };
    save("HQ99", "后勤管理处", true).await.unwrap();
    save("TY04", "停用学院", false).await.unwrap();
    let file = env.path("units.xlsx");
    xlsx(
        &file,
        &[header(), row("后勤管理处", "2018001", "张三"), row("停用学院", "2018002", "李四"), row("HQ01", "2018003", "王五")],
    );
    let report = env.refused(&file).await;
    assert_error(&report, 2, "单位", "请填写单位代码");
    assert_error(&report, 3, "单位", "已停用");
    assert_eq!(report.errors.len(), 2, "a unit given by its code is found: {:#?}", report.errors);
}

#[tokio::test]
async fn row_numbers_count_title_and_blank_rows_as_the_sheet_shows_them() {
    let env = env().await;
    let file = env.path("numbered.xlsx");
    let mut bad = row("后勤管理处", "2018002", "李四");
    bad.extend([C::E, C::E, C::S("12345")]);
    // Row 1 title, row 2 empty, row 3 header, row 4 good, row 5 blank, row 6 bad.
    xlsx(&file, &[vec![C::S("2018年信息专员名册")], vec![], header(), row("后勤管理处", "2018001", "张三"), vec![], bad]);
    let report = env.refused(&file).await;
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    assert_error(&report, 6, "电话", "电话号码格式不正确");
    assert_eq!(report.total_rows, 2, "the blank row is not counted");
}

/// Issue #9: a roster written by another program — staff numbers and phones as float cells,
/// date-time cells and date-time text in the date columns, full-width text — imports; an ID-like
/// staff number whose float cell has already lost its last digits is refused, never corrupted.
#[tokio::test]
async fn roster_written_by_other_programs_reads_through_the_shared_cell_rules() {
    let env = env().await;
    let file = env.path("导出.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_sheet(ws, &[header()]);
    let date_time = Format::new().set_num_format("yyyy/m/d h:mm");
    let at = ExcelDateTime::from_ymd(2018, 3, 1).unwrap().and_hms(9, 30, 0).unwrap();
    // Row 2: General cells for the numbers, a date-time cell and date-time text for the term.
    ws.write_string(1, 0, "后勤管理处").unwrap();
    ws.write_number(1, 1, 2018001.0).unwrap();
    ws.write_string(1, 2, "张三").unwrap();
    ws.write_number(1, 5, 13800138000.0).unwrap();
    ws.write_datetime_with_format(1, 6, &at, &date_time).unwrap();
    ws.write_string(1, 7, "2019/3/1 17:30").unwrap();
    // Row 3: a full-width staff number; an Excel serial with a fraction as text; 20190301.
    ws.write_string(2, 0, "饮食服务中心").unwrap();
    ws.write_string(2, 1, "２０１８００２").unwrap();
    ws.write_string(2, 2, "李四").unwrap();
    ws.write_string(2, 6, "43160.5").unwrap();
    ws.write_string(2, 7, "20190301").unwrap();
    wb.save(&file).unwrap();

    let report = env.import(&file).await;
    assert!(report.accepted, "{report:#?}");
    let zhang = env.officer("2018001").await;
    assert_eq!(zhang["phone"], "13800138000", "a phone in a float cell is its digits");
    assert_eq!(zhang["term_start"], "2018-03-01", "a date-time cell in a date column gives its date");
    assert_eq!(zhang["term_end"], "2019-03-01", "and so does date-time text");
    let li = env.officer("2018002").await;
    assert_eq!((li["term_start"].as_str(), li["term_end"].as_str()), (Some("2018-03-01"), Some("2019-03-01")));

    // An 18-digit number typed into a General cell: the float holds ...232, not ...234.
    let lost = env.path("lost.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_sheet(ws, &[header(), row("后勤管理处", "", "王五")]);
    ws.write_number(1, 1, 110101199003071234.0).unwrap();
    wb.save(&lost).unwrap();
    let report = env.refused(&lost).await;
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    assert_error(&report, 2, "工号", "位数太多");
    assert_eq!(report.errors[0].value, "110101199003071232", "the report shows what the file really holds");

    // The same forms in a GBK CSV, as Excel on Chinese Windows saves it.
    let csv = env.path("gbk.csv");
    let text = "单位,工号,姓名,电话,任期开始,任期结束\r\n物业服务中心,2018003,王五,１３９００１３９０００,2018年3月1日,2019-03-01 08:00:00\r\n";
    std::fs::write(&csv, encoding_rs::GBK.encode(text).0).unwrap();
    let report = env.import(&csv).await;
    assert!(report.accepted, "{report:#?}");
    let wang = env.officer("2018003").await;
    assert_eq!((wang["term_start"].as_str(), wang["term_end"].as_str()), (Some("2018-03-01"), Some("2019-03-01")));
}

/// Issue #9: a new installation imports its units from a list that has only names; kinds are
/// inferred, codes generated, a second import of the same file writes nothing, bad rows refuse
/// the whole file, and the roster that names those units imports afterwards.
#[tokio::test]
async fn units_import_from_names_only_and_again_changes_nothing() {
    use zongwu_core::units::UnitKind;
    let dir = tempfile::TempDir::new().unwrap();
    let store = zongwu_core::Store::open(&dir.path().join("u.db"), std::sync::Arc::new(zongwu_core::SystemClock)).await.unwrap();
    let admin = zongwu_core::Actor::local_admin();
    let file = dir.path().join("units.csv");
    std::fs::write(&file, "\u{feff}单位名称,单位代码\n资源与环境学院,\n饮食服务中心,ZW02\n后勤保障处,\n 校医院 ,\n").unwrap();
    let report = zongwu_core::import::units_report(&store, &admin, &file).await.unwrap();
    assert!(report.accepted, "{:?}", report.errors);
    assert_eq!(report.imported, 4);
    let list = zongwu_core::units::list(&store).await.unwrap();
    let by_name = |n: &str| list.iter().find(|u| u.name == n).unwrap_or_else(|| panic!("{n} in {list:?}"));
    assert_eq!(by_name("资源与环境学院").kind, UnitKind::College);
    assert_eq!(by_name("饮食服务中心").kind, UnitKind::ServiceUnit);
    assert_eq!(by_name("饮食服务中心").code, "ZW02", "a code the file gives is kept");
    assert_eq!(by_name("后勤保障处").kind, UnitKind::Office);
    assert_eq!(by_name("校医院").kind, UnitKind::ServiceUnit, "names are trimmed");
    let codes: std::collections::HashSet<_> = list.iter().map(|u| u.code.clone()).collect();
    assert_eq!(codes.len(), 4, "generated codes are distinct: {codes:?}");

    let pending = store.pending_changes().await.unwrap();
    let again = zongwu_core::import::units_report(&store, &admin, &file).await.unwrap();
    assert!(again.accepted);
    assert_eq!(again.imported, 0, "the same file again creates nothing");
    assert_eq!(store.pending_changes().await.unwrap(), pending, "and writes nothing");

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "单位名称,单位代码,类别\n信息化办公室,,机关部门\n信息化办公室,,\n图书馆,ZW02,\n档案馆,,宿舍\n").unwrap();
    let refused = zongwu_core::import::units_report(&store, &admin, &bad).await.unwrap();
    assert!(!refused.accepted);
    let reasons: Vec<_> = refused.errors.iter().map(|e| (e.row, e.reason.clone())).collect();
    assert_eq!(refused.errors.len(), 3, "{reasons:?}");
    assert!(reasons.iter().any(|(r, m)| *r == 3 && m.contains("重复")), "{reasons:?}");
    assert!(reasons.iter().any(|(r, m)| *r == 4 && m.contains("已被「饮食服务中心」使用")), "{reasons:?}");
    assert!(reasons.iter().any(|(r, m)| *r == 5 && m.contains("无法识别")), "{reasons:?}");
    assert_eq!(zongwu_core::units::list(&store).await.unwrap().len(), 4, "a refused file writes nothing");

    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, "单位,工号,姓名\n资源与环境学院,2018001,王芳\n校医院,2018002,李敏\n").unwrap();
    let officers = zongwu_core::import::officers_report(&store, &admin, &roster).await.unwrap();
    assert!(officers.accepted, "{:?}", officers.errors);

    // The export's list comes back unchanged, and reads as a meeting expects.
    let out = dir.path().join("units.xlsx");
    let exported = zongwu_core::excel::export_units(&store, &admin, &out).await.unwrap();
    assert_eq!(exported.rows, 4);
    {
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = calamine::open_workbook(&out).unwrap();
        let range = wb.worksheet_range("二级单位").unwrap();
        let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(header, ["单位代码", "单位名称", "类别", "状态", "在任信息专员"]);
        let hospital = range.rows().find(|r| r[1] == "校医院").unwrap();
        assert_eq!((hospital[2].to_string(), hospital[4].to_string()), ("服务单位".to_string(), "1".to_string()));
    }
    let back = zongwu_core::import::units_report(&store, &admin, &out).await.unwrap();
    assert!(back.accepted, "{:?}", back.errors);
    assert_eq!(back.imported, 0, "the exported list imports as unchanged");

    // A list with a title row and one column of names, as units are often listed.
    let names = dir.path().join("names.csv");
    std::fs::write(&names, "2018年二级单位名单\n单位名称\n物业管理中心\n饮食服务中心\n").unwrap();
    let report = zongwu_core::import::units_report(&store, &admin, &names).await.unwrap();
    assert!(report.accepted, "{:?}", report.errors);
    assert_eq!(report.imported, 1, "only 物业管理中心 is new");

    let expert = zongwu_core::Actor {
        user_id: "local-expert".into(),
        name: "专家".into(),
        role: zongwu_core::Role::Expert,
        unit_id: None,
    };
    assert!(zongwu_core::import::units_report(&store, &expert, &file).await.is_err(), "experts do not import units");
}

/// Issue #9: a roster naming units the system does not have yet is refused with a message that
/// says how to go on; with "create units" the units and the officers are written in one go.
#[tokio::test]
async fn roster_with_unknown_units_creates_them_when_asked() {
    let dir = tempfile::TempDir::new().unwrap();
    let store = zongwu_core::Store::open(&dir.path().join("r.db"), std::sync::Arc::new(zongwu_core::SystemClock)).await.unwrap();
    let admin = zongwu_core::Actor::local_admin();
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "单位,工号,姓名\n资源与环境学院,2018001,王芳\n 资源与环境学院 ,2018002,李敏\n物业管理中心,2018003,张伟\n",
    )
    .unwrap();
    let refused = zongwu_core::import::officers_report(&store, &admin, &roster).await.unwrap();
    assert!(!refused.accepted);
    assert_eq!(refused.errors.len(), 3);
    assert!(refused.errors[0].reason.contains("--create-units"), "{:?}", refused.errors[0]);
    assert!(zongwu_core::units::list(&store).await.unwrap().is_empty(), "nothing written");

    let report = zongwu_core::import::officers_report_creating_units(&store, &admin, &roster).await.unwrap();
    assert!(report.accepted, "{:?}", report.errors);
    assert_eq!(report.imported, 3);
    let units = zongwu_core::units::list(&store).await.unwrap();
    assert_eq!(units.len(), 2, "one unit per distinct name: {units:?}");
    let college = units.iter().find(|u| u.name == "资源与环境学院").unwrap();
    assert_eq!(college.kind, zongwu_core::units::UnitKind::College);
    let officers = zongwu_core::officers::list(&store, &admin).await.unwrap();
    assert_eq!(officers.iter().filter(|o| o.unit_id == college.id).count(), 2);
}
