//! The officer roster import: which columns a roster has, how a row becomes a
//! [`ValidOfficer`], and the checks across rows (duplicate staff numbers in the file and in the
//! database, units that do not exist). Field rules themselves live in [`ValidOfficer::parse`].

use super::table::{CellKind, ColumnSpec, Table, TableSpec};
use super::{unit_key, ImportPhase, ImportProgress, ImportReport, ProgressFn, RowError};
use crate::fields::normalise_text;
use crate::officers::{new_rows, OfficerInput, ValidOfficer};
use crate::store::Table as StoreTable;
use crate::{units, Actor, Result, Store};
use std::collections::HashMap;
use std::path::Path;

/// Rows per bulk insert, so the window's progress moves during a long write.
const WRITE_SLICE: usize = 5_000;

const fn col(
    key: &'static str,
    label: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    kind: CellKind,
) -> ColumnSpec {
    ColumnSpec { key, label, aliases, required, kind }
}

/// The roster's columns, in template order. The labels are what the template writes.
pub const COLUMNS: &[ColumnSpec] = &[
    col(
        "unit",
        "单位",
        &["所在单位", "二级单位", "单位名称", "所属单位", "部门", "单位代码", "unit", "unit name", "department"],
        true,
        CellKind::Text,
    ),
    col(
        "staff_no",
        "工号",
        &["职工号", "教工号", "人员编号", "staff_no", "staff no", "staff number", "employee no"],
        true,
        CellKind::Code,
    ),
    col("name", "姓名", &["名字", "专员姓名", "name", "full name"], true, CellKind::Text),
    col("gender", "性别", &["gender", "sex"], false, CellKind::Text),
    col("title", "职务", &["职称", "职务/职称", "title", "position"], false, CellKind::Text),
    col(
        "phone",
        "电话",
        &["手机", "联系电话", "手机号", "手机号码", "电话号码", "联系方式", "phone", "mobile", "tel"],
        false,
        CellKind::Code,
    ),
    col("email", "邮箱", &["电子邮箱", "电子邮件", "email", "e-mail", "mail"], false, CellKind::Text),
    col(
        "term_start",
        "任期开始",
        &["任职开始", "任期起", "开始日期", "任职日期", "term_start", "term start", "start date"],
        false,
        CellKind::Date,
    ),
    col("term_end", "任期结束", &["任职结束", "任期止", "结束日期", "term_end", "term end", "end date"], false, CellKind::Date),
    col("duties", "职责", &["工作职责", "岗位职责", "duties", "responsibilities"], false, CellKind::Text),
    col("note", "备注", &["说明", "note", "notes", "remark", "remarks"], false, CellKind::Text),
];

pub const SPEC: TableSpec =
    TableSpec { what: "信息专员名册", columns: COLUMNS, preferred_sheets: &["信息专员", "名册", "officer"] };

/// Column index by key; the keys above are fixed, so a miss is a programming error.
fn ix(key: &str) -> usize {
    SPEC.index_of(key).unwrap_or_else(|| panic!("officer import column {key}"))
}

/// The units a row may name, by code and by name (normalised, case-insensitive).
struct UnitLookup {
    by_key: HashMap<String, Found>,
}

#[derive(Debug, Clone, PartialEq)]
enum Found {
    Unit {
        id: String,
        active: bool,
    },
    /// Two units share this name (codes are unique): the row must give the code.
    Ambiguous,
}

impl UnitLookup {
    fn new(units: Vec<units::Unit>) -> Self {
        let mut by_key: HashMap<String, Found> = HashMap::new();
        for u in &units {
            let found = Found::Unit { id: u.id.clone(), active: u.active };
            by_key
                .entry(unit_key(&u.name))
                .and_modify(|f| {
                    if *f != found {
                        *f = Found::Ambiguous
                    }
                })
                .or_insert(found);
        }
        // Codes last, so a code always wins over a name that happens to equal it.
        for u in &units {
            by_key.insert(unit_key(&u.code), Found::Unit { id: u.id.clone(), active: u.active });
        }
        UnitLookup { by_key }
    }

    fn find(&self, raw: &str) -> Option<&Found> {
        self.by_key.get(&unit_key(raw))
    }
}

/// Validate every row of `file`; import them all in one write, or none.
pub(super) async fn import(
    store: &Store,
    actor: &Actor,
    file: &Path,
    create_units: bool,
    progress: ProgressFn<'_>,
) -> Result<ImportReport> {
    progress(ImportProgress { phase: ImportPhase::Reading, done: 0, total: 0 });
    let t0 = std::time::Instant::now();
    let table = match super::read_table(file, &SPEC).await? {
        Ok(table) => table,
        Err(refused) => return Ok(refused),
    };
    let total_rows = table.rows.len() as i64;

    let known = units::list_with(store.pool()).await?;
    let mut lookup = UnitLookup::new(known.clone());
    // Units the roster names that the system does not have yet: created in the same write when
    // asked to, else each row naming one is an error that says so.
    let new_units = if create_units {
        let mut names: Vec<String> = Vec::new();
        for row in &table.rows {
            let raw = normalise_text(row.get(ix("unit")).unwrap_or_default());
            if !raw.is_empty() && lookup.find(&raw).is_none() && !names.iter().any(|n| unit_key(n) == unit_key(&raw)) {
                names.push(raw);
            }
        }
        let rows = super::units::rows_for_names(names, &known);
        for r in &rows {
            lookup
                .by_key
                .insert(unit_key(r.columns["name"].as_str().unwrap_or_default()), Found::Unit { id: r.id.clone(), active: true });
        }
        rows
    } else {
        Vec::new()
    };
    let existing: HashMap<String, String> =
        // Only an active term holds its staff number: a retired officer may start a new term.
        sqlx::query_as::<_, (String, String)>("SELECT staff_no, name FROM officers WHERE deleted = 0 AND status = 'active'")
            .fetch_all(store.pool())
            .await?
            .into_iter()
            .collect();

    let t_read = t0.elapsed();
    progress(ImportProgress { phase: ImportPhase::Validating, done: 0, total: total_rows });
    let (valid, errors) = validate(&table, &lookup, &existing);
    let t_valid = t0.elapsed();
    if !errors.is_empty() {
        return Ok(ImportReport::rejected(total_rows, errors));
    }

    let mut tx = store.begin_write(actor).await?;
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.display().to_string());
    tx.set_reason(format!("导入 {file_name}"));
    if !new_units.is_empty() {
        tx.insert_many(StoreTable::Units, new_units).await?;
    }
    let total = valid.len() as i64;
    let mut done = 0;
    for slice in valid.chunks(WRITE_SLICE) {
        progress(ImportProgress { phase: ImportPhase::Writing, done, total });
        let (users, officers): (Vec<_>, Vec<_>) = slice.iter().map(new_rows).unzip();
        tx.insert_many(StoreTable::Users, users).await?;
        tx.insert_many(StoreTable::Officers, officers).await?;
        done += slice.len() as i64;
    }
    progress(ImportProgress { phase: ImportPhase::Writing, done: total, total });
    tx.commit().await?;
    progress(ImportProgress { phase: ImportPhase::Done, done: total, total });
    tracing::info!(rows = valid.len(), read = ?t_read, validated = ?t_valid, total = ?t0.elapsed(), "officer import written");
    Ok(ImportReport { accepted: true, imported: valid.len() as i64, total_rows, errors: Vec::new() })
}

/// Every row checked; errors for all of them, in sheet order.
fn validate(table: &Table, units: &UnitLookup, existing: &HashMap<String, String>) -> (Vec<ValidOfficer>, Vec<RowError>) {
    let mut valid = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    let mut first_seen: HashMap<String, i64> = HashMap::with_capacity(table.rows.len());
    let header = |key: &str| SPEC.index_of(key).map_or(key, |i| table.header(&SPEC, i)).to_string();

    for row in &table.rows {
        let mut row_errors = row.errors.clone();
        let err =
            |key: &str, value: &str, reason: String| RowError { row: row.row, column: header(key), value: value.into(), reason };
        let value = |key: &str| row.get(ix(key)).map(str::to_string);

        let unit_raw = value("unit").unwrap_or_default();
        let unit_id = if unit_raw.is_empty() {
            row_errors.push(err("unit", "", "单位不能为空".into()));
            None
        } else {
            match units.find(&unit_raw) {
                Some(Found::Unit { id, active: true }) => Some(id.clone()),
                Some(Found::Ambiguous) => {
                    row_errors.push(err("unit", &unit_raw, format!("有多个单位名为「{unit_raw}」：请填写单位代码")));
                    None
                }
                Some(Found::Unit { active: false, .. }) => {
                    row_errors.push(err("unit", &unit_raw, format!("单位「{unit_raw}」已停用")));
                    None
                }
                None => {
                    row_errors.push(err(
                        "unit",
                        &unit_raw,
                        format!("未找到单位「{unit_raw}」：请填写系统中已有单位的名称或代码，或先导入二级单位（命令行可用 --create-units 一并创建）"),
                    ));
                    None
                }
            }
        };

        let mut input = OfficerInput {
            id: None,
            unit_id: unit_id.clone().unwrap_or_default(),
            staff_no: value("staff_no").unwrap_or_default(),
            name: value("name").unwrap_or_default(),
            gender: value("gender"),
            title: value("title"),
            phone: value("phone"),
            email: value("email"),
            term_start: value("term_start"),
            term_end: value("term_end"),
            duties: value("duties"),
            note: value("note"),
        };
        // ValidOfficer::parse names the first bad field; clear that field and ask again, so one
        // pass reports every bad field of the row with the officer form's own rules.
        let mut parsed = None;
        for _ in 0..COLUMNS.len() + 1 {
            match ValidOfficer::parse(&input) {
                Ok(v) => {
                    parsed = Some(v);
                    break;
                }
                Err((field, reason)) => {
                    let raw = value(field).unwrap_or_default();
                    // A cell that could not be read at all is already reported.
                    if !row.errors.iter().any(|e| e.column == header(field)) {
                        row_errors.push(err(field, &raw, reason));
                    }
                    if !clear_field(&mut input, field) {
                        break;
                    }
                }
            }
        }

        if let Some(v) = &parsed {
            if !row_errors.iter().any(|e| e.column == header("staff_no")) {
                if let Some(first) = first_seen.get(&v.staff_no) {
                    row_errors.push(err("staff_no", &v.staff_no, format!("工号 {} 与第 {first} 行重复", v.staff_no)));
                } else {
                    first_seen.insert(v.staff_no.clone(), row.row);
                    if let Some(name) = existing.get(&v.staff_no) {
                        row_errors.push(err(
                            "staff_no",
                            &v.staff_no,
                            format!("工号 {} 已属于在任信息专员 {name}；如需调往其他单位，请先为其办理卸任", v.staff_no),
                        ));
                    }
                }
            }
        }

        match (parsed, row_errors.is_empty()) {
            (Some(v), true) if unit_id.is_some() => valid.push(v),
            _ => errors.extend(row_errors),
        }
    }
    (valid, errors)
}

/// Replace a bad field with a value that passes, so the next parse looks further.
fn clear_field(input: &mut OfficerInput, field: &str) -> bool {
    match field {
        "staff_no" => input.staff_no = "0".into(),
        "name" => input.name = "-".into(),
        "gender" => input.gender = None,
        "title" => input.title = None,
        "phone" => input.phone = None,
        "email" => input.email = None,
        "term_start" => input.term_start = None,
        "term_end" => input.term_end = None,
        "duties" => input.duties = None,
        "note" => input.note = None,
        _ => return false,
    }
    true
}
