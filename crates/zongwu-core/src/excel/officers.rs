//! The officer roster workbook: 信息专员名册 (one row per officer, constant-memory sheet) and
//! 汇总 (officers per unit and status, with a column chart).
//!
//! Rows are read from SQLite in pages by a producer task and written as they arrive, so memory
//! stays flat however long the roster is and reading overlaps writing. Pages go unit by unit (in
//! unit code order) and by staff number within a unit, keyset-paged on `(staff_no, id)`.

use super::book::{self, col, data_sheet, finish_data_sheet, write_cell, Col, Kind, Styles};
use super::ExportResult;
use crate::officers::OfficerStatus;
use crate::{Actor, Error, Result, Role, Store};
use rust_xlsxwriter::{Chart, ChartType, Worksheet};
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::path::Path;
use tokio::sync::mpsc;

pub const SHEET: &str = "信息专员名册";
pub const SUMMARY_SHEET: &str = "汇总";

const COLS: [Col; 13] = [
    col("单位", 18.0, Kind::Text),
    col("工号", 12.0, Kind::Code),
    col("姓名", 10.0, Kind::Text),
    col("性别", 6.0, Kind::Text),
    col("职务", 12.0, Kind::Text),
    col("电话", 15.0, Kind::Code),
    col("邮箱", 24.0, Kind::Text),
    col("任期开始", 12.0, Kind::Date),
    col("任期结束", 12.0, Kind::Date),
    col("状态", 8.0, Kind::Text),
    col("培训次数", 9.0, Kind::Int),
    // Not wrapped: a wrapped cell carries its own format, which costs a lookup per cell on a
    // 100,000-row sheet, and one-line rows print better.
    col("职责", 30.0, Kind::Text),
    col("备注", 24.0, Kind::Text),
];

/// Rows per page read from SQLite.
const PAGE: i64 = 5_000;

#[derive(sqlx::FromRow)]
struct Line {
    rid: i64,
    staff_no: String,
    name: String,
    gender: Option<String>,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    term_start: Option<String>,
    term_end: Option<String>,
    status: String,
    duties: Option<String>,
    note: Option<String>,
}

/// A unit's rows arrive together: its name, then pages of lines.
enum Msg {
    Unit(String),
    Lines(Vec<Line>),
}

struct UnitCount {
    name: String,
    active: u32,
    retired: u32,
}

pub async fn export(store: &Store, actor: &Actor, out: &Path) -> Result<ExportResult> {
    let (tx, mut rx) = mpsc::channel::<Result<Msg>>(2);
    let producer = tokio::spawn(produce(store.pool().clone(), actor.clone(), tx));

    // Training counts in one grouped query: cheaper than a subquery per officer row.
    let trainings: HashMap<i64, i64> = sqlx::query_as(
        "SELECT o.rowid, COUNT(*) FROM trainings t JOIN officers o ON o.id = t.officer_id
         WHERE t.deleted = 0 AND o.deleted = 0 GROUP BY o.rowid",
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .collect();

    let st = Styles::new();
    let mut wb = book::workbook("信息专员名册", "信息专员名册及按单位、状态汇总", Some(store.now_ms()))?;
    let ws = wb.add_worksheet_with_constant_memory()?;
    data_sheet(ws, SHEET, &COLS, &st, "信息专员名册")?;

    let mut row = 0u32;
    let mut counts: Vec<UnitCount> = Vec::new();
    while let Some(msg) = rx.recv().await {
        match msg? {
            Msg::Unit(name) => counts.push(UnitCount { name, active: 0, retired: 0 }),
            Msg::Lines(lines) => {
                let Some(count) = counts.last_mut() else { return Err(Error::Internal("rows before their unit".into())) };
                for line in lines {
                    row += 1;
                    let trained = trainings.get(&line.rid).copied().unwrap_or(0);
                    write_line(ws, &st, row, &count.name, &line, trained)?;
                    match status_of(&line.status) {
                        OfficerStatus::Active => count.active += 1,
                        OfficerStatus::Retired => count.retired += 1,
                    }
                }
            }
        }
    }
    producer.await.map_err(|e| Error::Internal(format!("读取名册的任务失败：{e}")))??;
    finish_data_sheet(ws, row, COLS.len())?;

    counts.retain(|c| c.active + c.retired > 0);
    summary(wb.add_worksheet(), &st, &counts)?;
    book::save(wb, out).await?;
    Ok(ExportResult { path: out.display().to_string(), rows: row as i64 })
}

fn status_of(s: &str) -> OfficerStatus {
    if s == OfficerStatus::Retired.as_str() {
        OfficerStatus::Retired
    } else {
        OfficerStatus::Active
    }
}

fn write_line(ws: &mut Worksheet, st: &Styles, row: u32, unit: &str, l: &Line, trainings: i64) -> Result<()> {
    let values: [Option<&str>; 13] = [
        Some(unit),
        Some(&l.staff_no),
        Some(&l.name),
        l.gender.as_deref(),
        l.title.as_deref(),
        l.phone.as_deref(),
        l.email.as_deref(),
        l.term_start.as_deref(),
        l.term_end.as_deref(),
        Some(status_of(&l.status).label_zh()),
        None,
        l.duties.as_deref(),
        l.note.as_deref(),
    ];
    for (c, (v, spec)) in values.iter().zip(COLS.iter()).enumerate() {
        write_cell(ws, st, row, c as u16, spec.kind, *v)?;
    }
    ws.write_number(row, 10, trainings as f64)?;
    Ok(())
}

const SELECT: &str = "SELECT o.rowid AS rid, o.staff_no, o.name, o.gender, o.title, o.phone, o.email, o.term_start, o.term_end,
        o.status, o.duties, o.note
     FROM officers o WHERE o.deleted = 0";

/// Send the roster visible to `actor`, unit by unit, in pages. Stops quietly when the writer has
/// gone (it failed and will report its own error).
async fn produce(pool: SqlitePool, actor: Actor, tx: mpsc::Sender<Result<Msg>>) -> Result<()> {
    let result = produce_inner(&pool, &actor, &tx).await;
    if let Err(e) = result {
        let _ = tx.send(Err(e)).await;
    }
    Ok(())
}

async fn produce_inner(pool: &SqlitePool, actor: &Actor, tx: &mpsc::Sender<Result<Msg>>) -> Result<()> {
    // Units in code order, as the roster list shows them; deleted units still name their officers.
    let mut groups: Vec<(Option<String>, String)> = Vec::new();
    if actor.role == Role::Officer {
        // Officers see their own unit only (the same rule as `officers::list`).
        let Some(unit_id) = actor.unit_id.clone() else { return Ok(()) };
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM units WHERE id = ?").bind(&unit_id).fetch_optional(pool).await?;
        groups.push((Some(unit_id), name.unwrap_or_default()));
    } else {
        // Officers whose unit is unknown here sort first, as they do in the list (NULL code).
        groups.push((None, String::new()));
        let units: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM units ORDER BY code, id").fetch_all(pool).await?;
        groups.extend(units.into_iter().map(|(id, name)| (Some(id), name)));
    }
    for (unit_id, name) in groups {
        if tx.send(Ok(Msg::Unit(name))).await.is_err() {
            return Ok(());
        }
        let mut after: Option<(String, i64)> = None;
        loop {
            let filter = match unit_id {
                Some(_) => "o.unit_id = ?",
                None => "(o.unit_id IS NULL OR o.unit_id NOT IN (SELECT id FROM units))",
            };
            let keyset = if after.is_some() { " AND (o.staff_no, o.rowid) > (?, ?)" } else { "" };
            let sql = format!("{SELECT} AND {filter}{keyset} ORDER BY o.staff_no, o.rowid LIMIT {PAGE}");
            let mut q = sqlx::query_as::<_, Line>(&sql);
            if let Some(u) = &unit_id {
                q = q.bind(u);
            }
            if let Some((s, i)) = &after {
                q = q.bind(s).bind(i);
            }
            let lines = q.fetch_all(pool).await?;
            let full = lines.len() as i64 == PAGE;
            after = lines.last().map(|l| (l.staff_no.clone(), l.rid));
            if !lines.is_empty() && tx.send(Ok(Msg::Lines(lines))).await.is_err() {
                return Ok(());
            }
            if !full {
                break;
            }
        }
    }
    Ok(())
}

/// 汇总: officers per unit by status, a total row, and a column chart of the same.
fn summary(ws: &mut Worksheet, st: &Styles, counts: &[UnitCount]) -> Result<()> {
    ws.set_name(SUMMARY_SHEET)?;
    let headers = ["单位", OfficerStatus::Active.label_zh(), OfficerStatus::Retired.label_zh(), "合计"];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &st.header)?;
    }
    ws.set_column_width(0, 20)?;
    ws.set_column_range_width(1, 3, 10)?;
    ws.set_freeze_panes(1, 0)?;
    book::print_setup(ws, "信息专员汇总")?;
    let mut totals = (0u32, 0u32);
    for (i, c) in counts.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &c.name)?;
        ws.write_number(r, 1, c.active)?;
        ws.write_number(r, 2, c.retired)?;
        ws.write_number(r, 3, c.active + c.retired)?;
        totals.0 += c.active;
        totals.1 += c.retired;
    }
    let total_row = counts.len() as u32 + 1;
    ws.write_string_with_format(total_row, 0, "合计", &st.total)?;
    ws.write_number_with_format(total_row, 1, totals.0, &st.total)?;
    ws.write_number_with_format(total_row, 2, totals.1, &st.total)?;
    ws.write_number_with_format(total_row, 3, totals.0 + totals.1, &st.total)?;
    ws.autofilter(0, 0, counts.len() as u32, 3)?;

    if !counts.is_empty() {
        let last = counts.len() as u32;
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for (c, name) in [(1u16, headers[1]), (2, headers[2])] {
            chart.add_series().set_name(name).set_categories((SUMMARY_SHEET, 1, 0, last, 0)).set_values((
                SUMMARY_SHEET,
                1,
                c,
                last,
                c,
            ));
        }
        super::chart_style(&mut chart, "各单位信息专员人数", "人数");
        chart.set_width(640).set_height(360);
        ws.insert_chart(1, 5, &chart)?;
    }
    Ok(())
}
