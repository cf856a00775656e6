//! The list of secondary units (二级单位), with the number of active liaison officers of each. Its
//! headers are the ones the units import reads, so the list goes out and comes back unchanged.

use super::book::{self, col, data_sheet, finish_data_sheet, write_cell, Col, Kind, Styles};
use super::ExportResult;
use crate::{Actor, Result, Store};
use std::path::Path;

pub const SHEET: &str = "二级单位";

const COLS: [Col; 5] = [
    col("单位代码", 12.0, Kind::Code),
    col("单位名称", 24.0, Kind::Text),
    col("类别", 12.0, Kind::Text),
    col("状态", 8.0, Kind::Text),
    col("在任信息专员", 12.0, Kind::Int),
];

pub async fn export(store: &Store, actor: &Actor, out: &Path) -> Result<ExportResult> {
    // Every role sees the list of units (a unit is every row's scope, not a secret).
    let _ = actor;
    let units = crate::units::list(store).await?;
    let counts: std::collections::HashMap<String, i64> = sqlx::query_as(
        "SELECT unit_id, COUNT(*) FROM officers WHERE deleted = 0 AND status = 'active' AND unit_id IS NOT NULL GROUP BY unit_id",
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .collect();
    let st = Styles::new();
    let mut wb = book::workbook("二级单位", "二级单位名单及在任信息专员人数", Some(store.now_ms()))?;
    let ws = wb.add_worksheet();
    data_sheet(ws, SHEET, &COLS, &st, "二级单位")?;
    for (i, u) in units.iter().enumerate() {
        let r = i as u32 + 1;
        let texts = [u.code.as_str(), u.name.as_str(), u.kind.label_zh(), if u.active { "启用" } else { "停用" }];
        for (c, v) in texts.into_iter().enumerate() {
            write_cell(ws, &st, r, c as u16, COLS[c].kind, Some(v))?;
        }
        ws.write_number(r, 4, counts.get(&u.id).copied().unwrap_or(0) as f64)?;
    }
    finish_data_sheet(ws, units.len() as u32, COLS.len())?;
    book::save(wb, out).await?;
    Ok(ExportResult { path: out.display().to_string(), rows: units.len() as i64 })
}
