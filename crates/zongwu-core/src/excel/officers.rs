//! The officer roster workbook: 信息专员名册 (one row per officer, constant-memory sheet) and
//! 汇总 (officers per unit and status, with a column chart).
//!
//! Rows are read from SQLite in pages by a producer task and written as they arrive, so reading
//! overlaps writing and memory stays flat: the sheet is constant-memory, and only the order is held
//! whole (16 bytes per officer). Pages go unit by unit (in unit code order) and by staff number
//! within a unit: one query reads that order as rowids, then pages of rows are read by rowid (a
//! JSON array bound to `json_each`), which costs about one sorted scan however the units are sized.
//! (A single sqlx `fetch` stream would do without the order list, but the core does not depend on
//! a futures crate for `Stream`.)
//!
//! Each page travels from SQLite as one text value: rows joined by U+001E, fields by U+001F
//! (`concat_ws` and `group_concat` in one statement). Most of the cost of reading 100,000 rows
//! through sqlx is per value and per row handed across its worker thread, so one value per page
//! leaves SQLite's own scan as the read's cost. A page whose text itself contains a separator is
//! read again field by field and repacked with the separators replaced by spaces.

use super::book::{self, col, data_sheet, finish_data_sheet, write_cell, Col, Kind, Styles};
use super::ExportResult;
use crate::officers::OfficerStatus;
use crate::{enum_dto, Actor, Error, Result, Role, Store};
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

enum_dto! {
    /// A column of the roster workbook. The export writes the chosen ones in this order.
    #[derive(Copy, Eq)]
    pub enum RosterColumn {
        Unit,
        StaffNo,
        Name,
        Gender,
        Title,
        Phone,
        Email,
        TermStart,
        TermEnd,
        Status,
        Trainings,
        Duties,
        Note,
    }
}

impl RosterColumn {
    pub const ALL: [RosterColumn; 13] = {
        use RosterColumn::*;
        [Unit, StaffNo, Name, Gender, Title, Phone, Email, TermStart, TermEnd, Status, Trainings, Duties, Note]
    };
    /// 会议版: who to call and for how long, without gender and the long text columns.
    pub const MEETING: [RosterColumn; 10] = {
        use RosterColumn::*;
        [Unit, StaffNo, Name, Title, Phone, Email, TermStart, TermEnd, Status, Trainings]
    };

    /// The column's header in the workbook (and the import's Chinese header).
    pub fn header(self) -> &'static str {
        COLS[self as usize].header
    }

    /// The snake_case name the CLI and the window use.
    pub fn key(self) -> &'static str {
        const KEYS: [&str; 13] = [
            "unit",
            "staff_no",
            "name",
            "gender",
            "title",
            "phone",
            "email",
            "term_start",
            "term_end",
            "status",
            "trainings",
            "duties",
            "note",
        ];
        KEYS[self as usize]
    }

    /// A column by its header (单位) or key (`unit`).
    pub fn parse(s: &str) -> Option<RosterColumn> {
        let s = s.trim();
        RosterColumn::ALL.into_iter().find(|c| c.header() == s || c.key().eq_ignore_ascii_case(s))
    }
}

/// Rows per page read from SQLite.
const PAGE: usize = 1_000;

/// Fields packed per row: the rowid, then staff_no, name, gender, title, phone, email, term_start,
/// term_end, status, duties, note; absent values are empty.
const FIELDS: usize = 12;
const FIELD_SEP: char = '\u{1f}';
const ROW_SEP: char = '\u{1e}';

/// One page: the officers whose rowids are in the JSON array bound, in the array's order, packed
/// into one value.
const SELECT_PAGE: &str = "SELECT group_concat(concat_ws(char(31), o.rowid, o.staff_no, o.name, COALESCE(o.gender, ''),
        COALESCE(o.title, ''), COALESCE(o.phone, ''), COALESCE(o.email, ''), COALESCE(o.term_start, ''),
        COALESCE(o.term_end, ''), o.status, COALESCE(o.duties, ''), COALESCE(o.note, '')), char(30) ORDER BY j.key)
     FROM json_each(?) j JOIN officers o ON o.rowid = j.value
     WHERE o.deleted = 0";

/// The same rows field by field, for a page whose text itself contains a separator.
const SELECT_PAGE_FIELDS: &str = "SELECT o.rowid, o.staff_no, o.name, COALESCE(o.gender, ''), COALESCE(o.title, ''),
        COALESCE(o.phone, ''), COALESCE(o.email, ''), COALESCE(o.term_start, ''), COALESCE(o.term_end, ''), o.status,
        COALESCE(o.duties, ''), COALESCE(o.note, '')
     FROM json_each(?) j JOIN officers o ON o.rowid = j.value
     WHERE o.deleted = 0
     ORDER BY j.key";

/// A page of packed rows, checked to split into `rows` rows of [`FIELDS`] fields.
struct Page {
    text: String,
}

impl Page {
    fn rows(&self) -> impl Iterator<Item = [&str; FIELDS]> {
        self.text.split(ROW_SEP).filter(|r| !r.is_empty()).map(|r| {
            let mut out = [""; FIELDS];
            for (slot, part) in out.iter_mut().zip(r.split(FIELD_SEP)) {
                *slot = part;
            }
            out
        })
    }

    fn splits_into(&self, rows: usize) -> bool {
        let mut n = 0;
        for r in self.text.split(ROW_SEP).filter(|r| !r.is_empty()) {
            if r.split(FIELD_SEP).count() != FIELDS {
                return false;
            }
            n += 1;
        }
        n == rows
    }
}

/// A unit's rows arrive together: its name, then pages of lines.
enum Msg {
    Unit(String),
    Page(Page),
}

struct UnitCount {
    name: String,
    active: u32,
    retired: u32,
}

pub async fn export(store: &Store, actor: &Actor, out: &Path, columns: &[RosterColumn]) -> Result<ExportResult> {
    if columns.is_empty() {
        return Err(Error::Validation("请至少选择一列导出 (choose at least one column)".into()));
    }
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
    let specs: Vec<Col> = columns.iter().map(|c| COLS[*c as usize]).collect();
    data_sheet(ws, SHEET, &specs, &st, "信息专员名册")?;

    let mut row = 0u32;
    let mut counts: Vec<UnitCount> = Vec::new();
    while let Some(msg) = rx.recv().await {
        match msg? {
            Msg::Unit(name) => counts.push(UnitCount { name, active: 0, retired: 0 }),
            Msg::Page(page) => {
                let Some(count) = counts.last_mut() else { return Err(Error::Internal("rows before their unit".into())) };
                for fields in page.rows() {
                    row += 1;
                    let trained = fields[0].parse().ok().and_then(|rid: i64| trainings.get(&rid).copied()).unwrap_or(0);
                    write_line(ws, &st, row, columns, &count.name, &fields, trained)?;
                    match status_of(fields[9]) {
                        OfficerStatus::Active => count.active += 1,
                        OfficerStatus::Retired => count.retired += 1,
                    }
                }
            }
        }
    }
    producer.await.map_err(|e| Error::Internal(format!("读取名册的任务失败：{e}")))??;
    finish_data_sheet(ws, row, columns.len())?;

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

fn write_line(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    columns: &[RosterColumn],
    unit: &str,
    f: &[&str; FIELDS],
    trainings: i64,
) -> Result<()> {
    let [_rowid, staff_no, name, gender, title, phone, email, term_start, term_end, status, duties, note] = *f;
    // Indexed by `RosterColumn`; 培训次数 is a number, written below.
    let values: [&str; 13] =
        [unit, staff_no, name, gender, title, phone, email, term_start, term_end, status_of(status).label_zh(), "", duties, note];
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16;
        match column {
            RosterColumn::Trainings => {
                ws.write_number(row, c, trainings as f64)?;
            }
            _ => write_cell(ws, st, row, c, COLS[*column as usize].kind, Some(values[*column as usize]))?,
        }
    }
    Ok(())
}

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
    // Officers see their own unit only (the same rule as `officers::list`).
    let scope = match actor.role {
        Role::Officer => match &actor.unit_id {
            Some(unit_id) => Some(unit_id.clone()),
            None => return Ok(()),
        },
        _ => None,
    };
    // 1. The order, as the roster list sorts it (unit code, staff number): officer rowids with
    //    their unit's rowid. 16 bytes a row; the rows themselves are read a page at a time below.
    //    Deleted units still name their officers; officers of a unit unknown here come first.
    let sql = format!(
        "SELECT o.rowid, u.rowid FROM officers o LEFT JOIN units u ON u.id = o.unit_id
         WHERE o.deleted = 0{} ORDER BY u.code, o.staff_no, o.rowid",
        if scope.is_some() { " AND o.unit_id = ?" } else { "" }
    );
    let mut q = sqlx::query_as(&sql);
    if let Some(unit_id) = scope {
        q = q.bind(unit_id);
    }
    let keys: Vec<(i64, Option<i64>)> = q.fetch_all(pool).await?;
    let names: HashMap<i64, String> =
        sqlx::query_as("SELECT rowid, name FROM units").fetch_all(pool).await?.into_iter().collect();

    // 2. Unit by unit, pages of rows by rowid, in the order above.
    for group in keys.chunk_by(|a, b| a.1 == b.1) {
        let name = group[0].1.and_then(|u| names.get(&u).cloned()).unwrap_or_default();
        if tx.send(Ok(Msg::Unit(name))).await.is_err() {
            return Ok(());
        }
        for page in group.chunks(PAGE) {
            let ids = format!("[{}]", page.iter().map(|k| k.0.to_string()).collect::<Vec<_>>().join(","));
            let page = read_page(pool, ids, page.len()).await?;
            if tx.send(Ok(Msg::Page(page))).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// One page of rows (rowids as a JSON array, `rows` of them), as one packed value; field by
/// field and repacked when a value contains a separator.
async fn read_page(pool: &SqlitePool, ids: String, rows: usize) -> Result<Page> {
    let text: Option<String> = sqlx::query_scalar(SELECT_PAGE).bind(&ids).fetch_one(pool).await?;
    let page = Page { text: text.unwrap_or_default() };
    if page.splits_into(rows) {
        return Ok(page);
    }
    type Fields = (i64, String, String, String, String, String, String, String, String, String, String, String);
    let lines: Vec<Fields> = sqlx::query_as(SELECT_PAGE_FIELDS).bind(ids).fetch_all(pool).await?;
    let clean = |v: &str| v.replace([FIELD_SEP, ROW_SEP], " ");
    let mut text = String::new();
    for f in &lines {
        let all = [&f.1, &f.2, &f.3, &f.4, &f.5, &f.6, &f.7, &f.8, &f.9, &f.10, &f.11];
        text.push_str(&f.0.to_string());
        for v in all {
            text.push(FIELD_SEP);
            text.push_str(&clean(v));
        }
        text.push(ROW_SEP);
    }
    Ok(Page { text })
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
