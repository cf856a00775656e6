//! The list of secondary units (二级单位) from a spreadsheet (issue #9): a new installation starts
//! with the 25 units of its roster instead of typing them one by one.
//!
//! Only the name is required. A missing code is generated (`U01`, `U02`, … the first free ones);
//! a missing kind is inferred from the name: 学院 → college, 中心 → service unit, 处/部/办/室 →
//! office. A unit already in the system under the same name is left as it is, so importing the
//! same file twice writes nothing the second time. All or nothing, like every import.

use super::table::{CellKind, ColumnSpec, Table, TableSpec};
use super::{unit_key, ImportReport, RowError};
use crate::fields::normalise_text;
use crate::store::{new_id, NewRow, Table as StoreTable};
use crate::units::{self, UnitKind};
use crate::{Actor, Result, Store};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "name",
        label: "单位名称",
        aliases: &["单位", "名称", "二级单位", "部门", "部门名称", "name", "unit", "unit name"],
        required: true,
        kind: CellKind::Text,
    },
    ColumnSpec {
        key: "code",
        label: "单位代码",
        aliases: &["代码", "编码", "单位编码", "code"],
        required: false,
        kind: CellKind::Code,
    },
    ColumnSpec {
        key: "kind",
        label: "类别",
        aliases: &["类型", "单位类别", "单位类型", "kind", "type"],
        required: false,
        kind: CellKind::Text,
    },
];

pub const SPEC: TableSpec = TableSpec { what: "二级单位", columns: COLUMNS, preferred_sheets: &["单位", "unit"] };

/// The kind a unit's name suggests, when the file does not say.
pub fn infer_kind(name: &str) -> UnitKind {
    if name.contains("学院") || name.ends_with("系") {
        UnitKind::College
    } else if name.contains("中心") || name.ends_with("医院") {
        UnitKind::ServiceUnit
    } else {
        UnitKind::Office
    }
}

/// A kind as people write it: the app's own labels and keys, and a few common words.
fn parse_kind(raw: &str) -> Option<UnitKind> {
    let r = raw.trim();
    UnitKind::parse(r).or(match r {
        "学院" | "院系" | "教学单位" | "College" | "college" => Some(UnitKind::College),
        "服务单位" | "服务中心" | "中心" | "直属单位" => Some(UnitKind::ServiceUnit),
        "机关部门" | "机关" | "职能部门" | "部门" | "处室" => Some(UnitKind::Office),
        _ => None,
    })
}

struct NewUnit {
    code: String,
    name: String,
    kind: UnitKind,
}

impl NewUnit {
    fn row(self) -> NewRow {
        let id = new_id();
        // A unit is its own sync scope.
        NewRow {
            id: id.clone(),
            unit_id: Some(id),
            columns: json!({"code": self.code, "name": self.name, "kind": self.kind.as_str(), "active": true}),
        }
    }
}

/// The rows of new units named only by name (the roster import's `--create-units`): kinds
/// inferred, codes the first free ones, as the units import makes them.
pub(super) fn rows_for_names(names: Vec<String>, existing: &[units::Unit]) -> Vec<NewRow> {
    let mut taken: HashMap<String, String> = existing.iter().map(|u| (u.code.to_lowercase(), u.name.clone())).collect();
    let mut new: Vec<NewUnit> =
        names.into_iter().map(|name| NewUnit { code: String::new(), kind: infer_kind(&name), name }).collect();
    assign_codes(&mut new, &mut taken);
    new.into_iter().map(NewUnit::row).collect()
}

/// Codes left empty take the first free ones (`U01`, `U02`, …), in order.
fn assign_codes(rows: &mut [NewUnit], taken: &mut HashMap<String, String>) {
    let mut n = 0;
    for u in rows.iter_mut().filter(|u| u.code.is_empty()) {
        u.code = loop {
            n += 1;
            let c = format!("U{n:02}");
            if let std::collections::hash_map::Entry::Vacant(free) = taken.entry(c.to_lowercase()) {
                free.insert(u.name.clone());
                break c;
            }
        };
    }
}

/// Validate every row of `file`; create the new units in one write, or none.
pub(super) async fn import(store: &Store, actor: &Actor, file: &Path) -> Result<ImportReport> {
    let table = match super::read_table(file, &SPEC).await? {
        Ok(table) => table,
        Err(refused) => return Ok(refused),
    };
    let total_rows = table.rows.len() as i64;
    let existing = units::list(store).await?;
    let (new, errors) = validate(&table, &existing);
    if !errors.is_empty() {
        return Ok(ImportReport::rejected(total_rows, errors));
    }
    let imported = new.len() as i64;
    if !new.is_empty() {
        let mut tx = store.begin_write(actor).await?;
        let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        tx.set_reason(format!("导入 {file_name}"));
        tx.insert_many(StoreTable::Units, new.into_iter().map(NewUnit::row).collect()).await?;
        tx.commit().await?;
    }
    Ok(ImportReport { accepted: true, imported, total_rows, errors: Vec::new() })
}

fn validate(table: &Table, existing: &[units::Unit]) -> (Vec<NewUnit>, Vec<RowError>) {
    let known_names: HashSet<String> = existing.iter().map(|u| unit_key(&u.name)).collect();
    let mut taken_codes: HashMap<String, String> = existing.iter().map(|u| (u.code.to_lowercase(), u.name.clone())).collect();
    let header = |k: &str| SPEC.index_of(k).map_or(k, |i| table.header(&SPEC, i)).to_string();
    let ix = |k: &str| SPEC.index_of(k).expect("unit import column");
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for row in &table.rows {
        let mut row_errors = row.errors.clone();
        let err =
            |k: &str, value: &str, reason: String| RowError { row: row.row, column: header(k), value: value.into(), reason };
        let name = normalise_text(row.get(ix("name")).unwrap_or_default());
        if name.is_empty() {
            row_errors.push(err("name", "", "单位名称不能为空".into()));
        } else if let Some(first) = seen.get(&unit_key(&name)) {
            row_errors.push(err("name", &name, format!("单位「{name}」与第 {first} 行重复")));
        } else {
            seen.insert(unit_key(&name), row.row);
        }
        let code = row.get(ix("code")).map(normalise_text).unwrap_or_default();
        let kind_raw = row.get(ix("kind")).map(normalise_text).unwrap_or_default();
        let kind = if kind_raw.is_empty() {
            Some(infer_kind(&name))
        } else {
            let k = parse_kind(&kind_raw);
            if k.is_none() {
                row_errors.push(err("kind", &kind_raw, format!("类别「{kind_raw}」无法识别：应为 学院、服务单位 或 机关部门")));
            }
            k
        };
        errors.extend(row_errors.iter().cloned());
        if !row_errors.is_empty() || known_names.contains(&unit_key(&name)) {
            continue; // a unit already in the system by this name stays as it is
        }
        if !code.is_empty() {
            if let Some(owner) = taken_codes.get(&code.to_lowercase()) {
                errors.push(err("code", &code, format!("单位代码 {code} 已被「{owner}」使用")));
                continue;
            }
            taken_codes.insert(code.to_lowercase(), name.clone());
        }
        rows.push(NewUnit { code, name, kind: kind.unwrap_or(UnitKind::Office) });
    }
    // Codes left empty take the first free ones, in file order, after every code the file names.
    assign_codes(&mut rows, &mut taken_codes);
    (rows, errors)
}
