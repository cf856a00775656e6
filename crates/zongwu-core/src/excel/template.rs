//! The officer import template: the importer's own headers (so a filled template always maps),
//! drop-down lists for 单位 (the live units, from a hidden list sheet) and 性别, date validation,
//! text-formatted staff number and phone columns (leading zeros survive), and notes explaining
//! each column.

use super::book::{self, Styles};
use super::ExportResult;
use crate::import::officers::COLUMNS;
use crate::import::table::CellKind;
use crate::{units, Result, Store};
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Formula, Note};
use std::path::Path;

pub const SHEET: &str = "信息专员名册";
pub const LIST_SHEET: &str = "单位列表";
pub const HELP_SHEET: &str = "填写说明";
/// Rows below the header that carry the validation lists.
const ROWS: u32 = 5_000;

fn explain(key: &str) -> &'static str {
    match key {
        "unit" => "必填。从下拉列表选择单位名称，也可填写单位代码。",
        "staff_no" => "必填。工号按文本填写，保留开头的 0；同一工号只能出现一次，且不能与已在册的信息专员重复。",
        "name" => "必填。",
        "gender" => "选填：男 或 女。",
        "title" => "选填，如 科长、办公室主任。",
        "phone" => "选填。手机号 11 位，或带区号的座机，如 0516-83885000。",
        "email" => "选填，如 name@example.edu.cn。",
        "term_start" => "选填。日期，如 2018-03-01。",
        "term_end" => "选填。日期，不能早于任期开始。",
        "duties" => "选填。",
        _ => "选填。",
    }
}

pub async fn export(store: &Store, out: &Path) -> Result<ExportResult> {
    let units: Vec<String> = units::list(store).await?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
    let st = Styles::new();
    let mut wb = book::workbook("信息专员导入模板", "信息专员名册导入模板", Some(store.now_ms()))?;

    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    ws.set_default_note_author("总务");
    for (c, spec) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        let header_format = if spec.required { &st.header_required } else { &st.header };
        ws.write_string_with_format(0, c, spec.label, header_format)?;
        ws.insert_note(0, c, &Note::new(explain(spec.key)).add_author_prefix(false))?;
        let (width, format) = match (spec.key, spec.kind) {
            (_, CellKind::Code) => (14.0, Some(&st.text)),
            (_, CellKind::Date) => (12.0, Some(&st.date)),
            ("unit", _) => (20.0, None),
            ("duties" | "note" | "email", _) => (24.0, None),
            _ => (10.0, None),
        };
        ws.set_column_width(c, width)?;
        if let Some(f) = format {
            ws.set_column_format(c, f)?;
        }
    }
    ws.set_row_height(0, 22)?;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, ROWS, COLUMNS.len() as u16 - 1)?;
    book::print_setup(ws, "信息专员名册")?;

    let idx = |key: &str| COLUMNS.iter().position(|c| c.key == key).unwrap_or(0) as u16;
    if !units.is_empty() {
        let formula = Formula::new(format!("='{LIST_SHEET}'!$A$1:$A${}", units.len()));
        let v = DataValidation::new()
            .allow_list_formula(formula)
            .set_input_title("单位")?
            .set_input_message("从列表中选择单位")?
            .set_error_title("单位不在列表中")?
            .set_error_message("请从下拉列表选择单位；列表来自系统中的单位。")?
            .set_error_style(DataValidationErrorStyle::Warning);
        ws.add_data_validation(1, idx("unit"), ROWS, idx("unit"), &v)?;
    }
    let gender = DataValidation::new().allow_list_strings(&["男", "女"])?.set_error_message("性别应为 男 或 女")?;
    ws.add_data_validation(1, idx("gender"), ROWS, idx("gender"), &gender)?;
    let from = ExcelDateTime::from_ymd(1980, 1, 1)?;
    let to = ExcelDateTime::from_ymd(2100, 12, 31)?;
    let date = DataValidation::new()
        .allow_date(DataValidationRule::Between(from, to))
        .set_input_title("日期")?
        .set_input_message("如 2018-03-01")?
        .set_error_message("请填写日期，如 2018-03-01")?;
    ws.add_data_validation(1, idx("term_start"), ROWS, idx("term_end"), &date)?;
    let phone = DataValidation::new()
        .allow_text_length(DataValidationRule::Between(7, 20))
        .set_error_message("手机号 11 位，或带区号的座机，如 0516-83885000")?
        .set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(1, idx("phone"), ROWS, idx("phone"), &phone)?;

    // The unit names live on a hidden sheet: a list longer than 255 characters cannot be inline.
    let list = wb.add_worksheet();
    list.set_name(LIST_SHEET)?;
    for (i, name) in units.iter().enumerate() {
        list.write_string(i as u32, 0, name)?;
    }
    list.set_column_width(0, 24)?;
    list.set_hidden(true);

    let help = wb.add_worksheet();
    help.set_name(HELP_SHEET)?;
    help.write_string_with_format(0, 0, "信息专员名册导入说明", &st.title)?;
    help.write_string_with_format(1, 0, "列", &st.header)?;
    help.write_string_with_format(1, 1, "填写要求", &st.header)?;
    for (i, spec) in COLUMNS.iter().enumerate() {
        help.write_string(i as u32 + 2, 0, spec.label)?;
        help.write_string(i as u32 + 2, 1, explain(spec.key))?;
    }
    let r = COLUMNS.len() as u32 + 3;
    help.write_string(r, 0, "说明")?;
    help.write_string(
        r,
        1,
        "红色表头为必填列。表头上方可以保留标题行。导入时先检查每一行，只要有一行有错就不写入任何数据，并给出逐行的错误报告。",
    )?;
    help.set_column_width(0, 12)?;
    help.set_column_width(1, 90)?;

    book::save(wb, out).await?;
    Ok(ExportResult { path: out.display().to_string(), rows: 0 })
}
