//! The needs workbook: 需求清单 (one row per need) and 汇总 (needs per unit × status, with a
//! column chart of needs per status).

use super::book::{self, col, data_sheet, finish_data_sheet, write_cell, Col, Kind, Styles};
use super::ExportResult;
use crate::needs::{NeedKind, NeedStatus, Priority};
use crate::{Actor, Result, Role, Store};
use rust_xlsxwriter::{Chart, ChartType, Worksheet};
use std::collections::BTreeMap;
use std::path::Path;

pub const SHEET: &str = "需求清单";
pub const SUMMARY_SHEET: &str = "汇总";

const COLS: [Col; 11] = [
    col("提交日期", 12.0, Kind::Date),
    col("单位", 18.0, Kind::Text),
    col("标题", 30.0, Kind::Long),
    col("类型", 12.0, Kind::Text),
    col("优先级", 8.0, Kind::Text),
    col("状态", 9.0, Kind::Text),
    col("提交人", 10.0, Kind::Text),
    col("评审次数", 9.0, Kind::Int),
    col("平均分", 9.0, Kind::Decimal),
    col("描述", 40.0, Kind::Long),
    col("预期效益", 30.0, Kind::Long),
];

type NeedLine = (i64, String, Option<String>, String, String, String, String, Option<String>, i64, Option<f64>, String, String);

pub async fn export(store: &Store, actor: &Actor, out: &Path) -> Result<ExportResult> {
    // Officers see their own unit's needs only, as in `needs::list`.
    let (scope, unit) = match actor.role {
        Role::Officer => (" AND n.unit_id = ?", Some(actor.unit_id.clone().unwrap_or_default())),
        _ => ("", None),
    };
    let sql = format!(
        "SELECT n.submitted_ms, COALESCE(u.name, ''), u.code, n.title, n.kind, n.priority, n.status, n.submitter_name,
                COALESCE(r.cnt, 0), r.avg, n.description, n.expected_benefit
         FROM needs n LEFT JOIN units u ON u.id = n.unit_id
         LEFT JOIN (SELECT need_id, COUNT(*) AS cnt, AVG(total) AS avg FROM need_reviews WHERE deleted = 0 GROUP BY need_id) r
                ON r.need_id = n.id
         WHERE n.deleted = 0{scope} ORDER BY n.submitted_ms DESC, n.id DESC"
    );
    let mut q = sqlx::query_as::<_, NeedLine>(&sql);
    if let Some(u) = &unit {
        q = q.bind(u);
    }
    let lines = q.fetch_all(store.pool()).await?;

    let st = Styles::new();
    let mut wb = book::workbook("需求清单", "信息化需求与应用场景清单及按单位、状态汇总", Some(store.now_ms()))?;
    let ws = wb.add_worksheet();
    data_sheet(ws, SHEET, &COLS, &st, "需求清单")?;
    // Unit (by code, then name) → count per status.
    let mut cross: BTreeMap<(String, String), [u32; 7]> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let (ms, unit, code, title, kind, priority, status, submitter, reviews, avg, description, benefit) = line;
        let r = i as u32 + 1;
        let status = NeedStatus::parse(status).unwrap_or(NeedStatus::Submitted);
        if let Some(d) = book::ms_date(*ms) {
            ws.write_datetime_with_format(r, 0, d, &st.date)?;
        }
        let kind = NeedKind::parse(kind).unwrap_or(NeedKind::Need).label_zh();
        let priority = Priority::parse(priority).unwrap_or(Priority::Medium).label_zh();
        let texts: [(u16, Option<&str>); 6] = [
            (1, Some(unit)),
            (2, Some(title)),
            (3, Some(kind)),
            (4, Some(priority)),
            (5, Some(status.label_zh())),
            (6, submitter.as_deref()),
        ];
        for (c, v) in texts {
            write_cell(ws, &st, r, c, COLS[c as usize].kind, v)?;
        }
        ws.write_number(r, 7, *reviews as f64)?;
        if let Some(avg) = avg {
            ws.write_number_with_format(r, 8, (avg * 100.0).round() / 100.0, &st.decimal)?;
        }
        write_cell(ws, &st, r, 9, Kind::Long, Some(description))?;
        write_cell(ws, &st, r, 10, Kind::Long, Some(benefit))?;
        let counts = cross.entry((code.clone().unwrap_or_default(), unit.clone())).or_insert([0; 7]);
        counts[status_index(status)] += 1;
    }
    finish_data_sheet(ws, lines.len() as u32, COLS.len())?;

    summary(wb.add_worksheet(), &st, &cross)?;
    book::save(wb, out).await?;
    Ok(ExportResult { path: out.display().to_string(), rows: lines.len() as i64 })
}

fn status_index(s: NeedStatus) -> usize {
    NeedStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// 汇总: a unit × status cross table with row and column totals, and a chart of the column totals.
fn summary(ws: &mut Worksheet, st: &Styles, cross: &BTreeMap<(String, String), [u32; 7]>) -> Result<()> {
    ws.set_name(SUMMARY_SHEET)?;
    let statuses = NeedStatus::ALL;
    ws.write_string_with_format(0, 0, "单位", &st.header)?;
    for (i, s) in statuses.iter().enumerate() {
        ws.write_string_with_format(0, i as u16 + 1, s.label_zh(), &st.header)?;
    }
    let total_col = statuses.len() as u16 + 1;
    ws.write_string_with_format(0, total_col, "合计", &st.header)?;
    ws.set_column_width(0, 20)?;
    ws.set_column_range_width(1, total_col, 9)?;
    ws.set_freeze_panes(1, 1)?;
    book::print_setup(ws, "需求汇总")?;

    let mut totals = [0u32; 7];
    for (i, ((_, unit), counts)) in cross.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, unit)?;
        for (c, n) in counts.iter().enumerate() {
            ws.write_number(r, c as u16 + 1, *n)?;
            totals[c] += n;
        }
        ws.write_number(r, total_col, counts.iter().sum::<u32>())?;
    }
    let total_row = cross.len() as u32 + 1;
    ws.write_string_with_format(total_row, 0, "合计", &st.total)?;
    for (c, n) in totals.iter().enumerate() {
        ws.write_number_with_format(total_row, c as u16 + 1, *n, &st.total)?;
    }
    ws.write_number_with_format(total_row, total_col, totals.iter().sum::<u32>(), &st.total)?;
    ws.autofilter(0, 0, cross.len() as u32, total_col)?;

    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_name("需求数").set_categories((SUMMARY_SHEET, 0, 1, 0, statuses.len() as u16)).set_values((
        SUMMARY_SHEET,
        total_row,
        1,
        total_row,
        statuses.len() as u16,
    ));
    super::chart_style(&mut chart, "各状态需求数", "需求数");
    chart.legend().set_hidden();
    chart.set_width(640).set_height(360);
    ws.insert_chart(total_row + 2, 0, &chart)?;
    Ok(())
}
