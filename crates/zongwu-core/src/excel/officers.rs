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
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Row, Sqlite, SqlitePool};
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

    /// The snake_case name the CLI and the window use; for the columns read from the officer's
    /// row, also the name of its `officers` column.
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

const FIELD_SEP: char = '\u{1f}';
const ROW_SEP: char = '\u{1e}';

impl RosterColumn {
    /// The `officers` column holding the value; `None` for the columns that do not come from the
    /// officer's row (the unit's name, the training count).
    fn column(self) -> Option<&'static str> {
        match self {
            RosterColumn::Unit | RosterColumn::Trainings => None,
            _ => Some(self.key()),
        }
    }
}

/// Whose officers a page holds.
enum Group {
    Unit(String),
    /// Officers without a unit or of a unit unknown here (listed first, under an empty name).
    Orphans,
}

/// What a page reads for each officer: the rowid (for the training count), the status (for the
/// summary) and the staff number (where the next page starts), then the chosen columns that
/// come from the officer's row, in their order. Pages walk `officers_roster_order` from a key
/// (staff number, rowid), so no query reads more than its page.
struct PageQuery {
    /// Columns read from `officers`, aliased `rid` for the rowid.
    inner: String,
    /// The packed fields, each '' when absent.
    fields: Vec<String>,
}

impl PageQuery {
    fn new(columns: &[RosterColumn]) -> PageQuery {
        let mut names = vec!["status", "staff_no"];
        names.extend(columns.iter().filter_map(|c| c.column()));
        let mut fields = vec!["CAST(p.rid AS TEXT)".to_string()];
        fields.extend(names.iter().map(|n| format!("COALESCE(p.{n}, '')")));
        names.sort_unstable();
        names.dedup();
        let inner = std::iter::once("o.rowid AS rid".to_string()).chain(names.iter().map(|n| format!("o.{n}")));
        PageQuery { inner: inner.collect::<Vec<_>>().join(", "), fields }
    }

    /// Fields before the chosen columns: rowid, status, staff number.
    const KEYS: usize = 3;

    /// The page's SQL: one packed value (rows joined by U+001E, fields by U+001F), or the fields
    /// one by one. Binds: the unit's id (unit groups), then the key (staff number, rowid) to
    /// start after (every page but the first).
    fn sql(&self, group: &Group, after: bool, packed: bool) -> String {
        // Orphans are found in the index too (left alone, SQLite walks the staff-number index and
        // reads every row to check its unit).
        let (index, filter) = match group {
            Group::Unit(_) => ("", "o.unit_id = ?"),
            Group::Orphans => {
                (" INDEXED BY officers_roster_order", "(o.unit_id IS NULL OR o.unit_id NOT IN (SELECT id FROM units))")
            }
        };
        let after = if after { " AND (o.staff_no, o.rowid) > (?, ?)" } else { "" };
        let page = format!(
            "SELECT {} FROM officers o{index} WHERE o.deleted = 0 AND {filter}{after} ORDER BY o.staff_no, o.rowid LIMIT {PAGE}",
            self.inner
        );
        let fields = self.fields.join(", ");
        if packed {
            format!("SELECT group_concat(concat_ws(char(31), {fields}), char(30) ORDER BY p.staff_no, p.rid) FROM ({page}) p")
        } else {
            format!("SELECT {fields} FROM ({page}) p ORDER BY p.staff_no, p.rid")
        }
    }
}

/// A page of packed rows.
struct Page {
    text: String,
}

impl Page {
    fn rows(&self) -> impl Iterator<Item = &str> {
        self.text.split(ROW_SEP).filter(|r| !r.is_empty())
    }

    /// Rows in the page when every row has `fields` fields; `None` when a value held a separator.
    fn count_if_clean(&self, fields: usize) -> Option<usize> {
        let mut n = 0;
        for r in self.rows() {
            if r.split(FIELD_SEP).count() != fields {
                return None;
            }
            n += 1;
        }
        Some(n)
    }

    /// The (staff number, rowid) of the last row of a clean page.
    fn last_key(&self) -> Option<(String, i64)> {
        let mut f = self.rows().last()?.split(FIELD_SEP);
        let rid = f.next()?.parse().ok()?;
        Some((f.nth(1)?.to_string(), rid))
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
    let producer = tokio::spawn(produce(store.pool().clone(), actor.clone(), PageQuery::new(columns), tx));

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
                // One row's fields, borrowed from the page; reused so a row costs no allocation.
                let mut fields: Vec<&str> = Vec::new();
                for line in page.rows() {
                    fields.clear();
                    fields.extend(line.split(FIELD_SEP));
                    let [rowid, status, _staff_no, ..] = fields[..] else {
                        return Err(Error::Internal("a short roster row".into()));
                    };
                    let status = status_of(status);
                    let trained = rowid.parse().ok().and_then(|rid: i64| trainings.get(&rid).copied()).unwrap_or(0);
                    row += 1;
                    write_line(ws, &st, row, columns, &count.name, status, &fields[PageQuery::KEYS..], trained)?;
                    match status {
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

/// One officer: `values` are the chosen columns that come from the officer's row, in order.
#[allow(clippy::too_many_arguments)]
fn write_line(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    columns: &[RosterColumn],
    unit: &str,
    status: OfficerStatus,
    values: &[&str],
    trainings: i64,
) -> Result<()> {
    let mut values = values.iter();
    for (c, column) in columns.iter().enumerate() {
        let c = c as u16;
        match column {
            RosterColumn::Unit => write_cell(ws, st, row, c, Kind::Text, Some(unit))?,
            RosterColumn::Trainings => {
                ws.write_number(row, c, trainings as f64)?;
            }
            RosterColumn::Status => {
                values.next();
                ws.write_string(row, c, status.label_zh())?;
            }
            _ => {
                let value = values.next().copied();
                write_cell(ws, st, row, c, COLS[*column as usize].kind, value)?
            }
        }
    }
    Ok(())
}

/// Send the roster visible to `actor`, unit by unit, in pages. Stops quietly when the writer has
/// gone (it failed and will report its own error).
async fn produce(pool: SqlitePool, actor: Actor, query: PageQuery, tx: mpsc::Sender<Result<Msg>>) -> Result<()> {
    let result = produce_inner(&pool, &actor, &query, &tx).await;
    if let Err(e) = result {
        let _ = tx.send(Err(e)).await;
    }
    Ok(())
}

async fn produce_inner(pool: &SqlitePool, actor: &Actor, query: &PageQuery, tx: &mpsc::Sender<Result<Msg>>) -> Result<()> {
    // Officers see their own unit only (the same rule as `officers::list`).
    let scope = match actor.role {
        Role::Officer => match &actor.unit_id {
            Some(unit_id) => Some(unit_id.clone()),
            None => return Ok(()),
        },
        _ => None,
    };
    // Unit by unit in code order (deleted units still name their officers), officers without a
    // known unit first; within a unit by staff number, a page at a time.
    let units: Vec<(String, String)> = match scope {
        Some(unit_id) => {
            let name: Option<String> =
                sqlx::query_scalar("SELECT name FROM units WHERE id = ?").bind(&unit_id).fetch_optional(pool).await?;
            vec![(unit_id, name.unwrap_or_default())]
        }
        None => sqlx::query_as("SELECT id, name FROM units ORDER BY code, rowid").fetch_all(pool).await?,
    };
    let orphans = (actor.role != Role::Officer).then(|| (Group::Orphans, String::new()));
    let groups = orphans.into_iter().chain(units.into_iter().map(|(id, name)| (Group::Unit(id), name)));
    for (group, name) in groups {
        if tx.send(Ok(Msg::Unit(name))).await.is_err() {
            return Ok(());
        }
        let mut after: Option<(String, i64)> = None;
        loop {
            let (page, rows, last) = read_page(pool, query, &group, after.as_ref()).await?;
            if rows > 0 && tx.send(Ok(Msg::Page(page))).await.is_err() {
                return Ok(());
            }
            if rows < PAGE {
                break;
            }
            after = last;
        }
    }
    Ok(())
}

/// One page of `group` after `after` (the first page without): the page, its row count and its
/// last key. Read as one packed value; field by field and repacked when a value holds a separator.
async fn read_page(
    pool: &SqlitePool,
    query: &PageQuery,
    group: &Group,
    after: Option<&(String, i64)>,
) -> Result<(Page, usize, Option<(String, i64)>)> {
    let bind = |sql| bound(sql, group, after);
    let packed = query.sql(group, after.is_some(), true);
    let text: Option<String> = bind(&packed).fetch_one(pool).await?.try_get(0)?;
    let page = Page { text: text.unwrap_or_default() };
    if let Some(rows) = page.count_if_clean(query.fields.len()) {
        let last = page.last_key();
        return Ok((page, rows, last));
    }
    let separate = query.sql(group, after.is_some(), false);
    let lines = bind(&separate).fetch_all(pool).await?;
    let mut text = String::new();
    let mut last = None;
    for line in &lines {
        for i in 0..query.fields.len() {
            if i > 0 {
                text.push(FIELD_SEP);
            }
            let value: String = line.try_get(i)?;
            text.push_str(&value.replace([FIELD_SEP, ROW_SEP], " "));
        }
        text.push(ROW_SEP);
        let rid: String = line.try_get(0)?;
        last = Some((line.try_get(2)?, rid.parse().map_err(|_| Error::Internal(format!("rowid {rid}")))?));
    }
    Ok((Page { text }, lines.len(), last))
}

/// `sql` with a page's binds: the unit's id, then the key to start after.
fn bound<'q>(sql: &'q str, group: &Group, after: Option<&(String, i64)>) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    let mut q = sqlx::query(sql);
    if let Group::Unit(id) = group {
        q = q.bind(id.clone());
    }
    if let Some((staff_no, rid)) = after {
        q = q.bind(staff_no.clone()).bind(*rid);
    }
    q
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
