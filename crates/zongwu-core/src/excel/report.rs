//! The import error report as a workbook: one row per bad cell (行号, 列, 值, 原因), so the
//! person who filled the sheet can work through it next to their file.

use super::book::{self, col, data_sheet, finish_data_sheet, write_cell, Col, Kind, Styles};
use super::ExportResult;
use crate::import::ImportReport;
use crate::Result;
use std::path::Path;

pub const SHEET: &str = "导入错误";

const COLS: [Col; 4] =
    [col("行号", 8.0, Kind::Int), col("列", 14.0, Kind::Text), col("值", 24.0, Kind::Code), col("原因", 60.0, Kind::Long)];

/// Synchronous: the report is already in memory and small enough to write at once.
pub fn export(report: &ImportReport, out: &Path) -> Result<ExportResult> {
    let st = Styles::new();
    let subject = format!(
        "共 {} 行，{} 行有错误，{} 条错误；{}",
        report.total_rows,
        report.error_rows(),
        report.errors.len(),
        if report.accepted { "已导入" } else { "未写入任何数据" }
    );
    let mut wb = book::workbook("导入错误报告", &subject, None)?;
    let ws = wb.add_worksheet();
    data_sheet(ws, SHEET, &COLS, &st, "导入错误报告")?;
    for (i, e) in report.errors.iter().enumerate() {
        let r = i as u32 + 1;
        if e.row > 0 {
            ws.write_number(r, 0, e.row as f64)?;
        } else {
            // Row 0 is the file as a whole (a missing column, no matching sheet).
            ws.write_string(r, 0, "表头")?;
        }
        write_cell(ws, &st, r, 1, Kind::Text, Some(&e.column))?;
        write_cell(ws, &st, r, 2, Kind::Code, Some(&e.value))?;
        write_cell(ws, &st, r, 3, Kind::Long, Some(&e.reason))?;
    }
    finish_data_sheet(ws, report.errors.len() as u32, COLS.len())?;
    book::save_now(wb, out)?;
    Ok(ExportResult { path: out.display().to_string(), rows: report.errors.len() as i64 })
}
