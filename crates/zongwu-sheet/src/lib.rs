//! Reading a spreadsheet (xlsx / xls / csv) into rows keyed by a column spec, and reading each
//! cell as what its column holds.
//!
//! Knows nothing of any domain: an import describes its columns once ([`TableSpec`]: key,
//! Chinese label, aliases, required, [`CellKind`]) and gets back [`Table`] rows. Each row keeps
//! its [`Cell`]s as the file holds them (typed accessors: [`Cell::as_int`], [`Cell::as_date`],
//! [`Cell::as_text_exact`] …) and their canonical text for the column's kind
//! ([`TableRow::get`]); a cell that is not what its kind says is a row error naming the value.
//! The text forms themselves (`4.0`, `１，２３４`, `85%`, `√`, `2017年9月14日 11:29`) are parsed in
//! [`text`], the one home of each rule, which forms and JSON intake use too.
//!
//! What the people who fill these sheets do is handled here once:
//! - title rows (often merged across) above the header: the header is the row among the first
//!   [`HEADER_SCAN_ROWS`] that matches the most aliases;
//! - cells merged down a column (a unit name spanning its officers) count for every row they cover;
//! - blank rows are skipped; error cells (`#REF!`, `#N/A`) become row errors;
//! - CSV in UTF-8 (with or without BOM) or GB18030/GBK, as Excel on Chinese Windows saves it.
//!
//! Problems with the file as a whole (no matching sheet, a required column missing, no data)
//! come back as [`Table::problems`] with row 0, so an import reports them like any row error.
//!
//! A crate of its own so that the desktop's imports (`zongwu-core`) and the server's platform
//! intake (`zongwu-platform`) share one reader without the server linking the desktop store or
//! the xlsx writer.

mod cell;
pub mod text;

pub use cell::{whole_number_text, Cell, CellError, Problem, DATETIME_FORMAT, EXACT_FLOAT_LIMIT};
pub use text::{
    date_from_excel_serial, datetime_from_excel_serial, normalise_number, parse_bool, parse_date, parse_datetime, parse_int,
    parse_number,
};

use calamine::{Data, Range, Reader};
use std::io::{Cursor, Read, Seek};
use std::path::Path;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a file could not be read at all (as opposed to rows with problems, which are
/// [`RowError`]s of a readable [`Table`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("文件读写失败：{0}")]
    Io(#[from] std::io::Error),
    /// Not a workbook calamine can open, or CSV with broken quoting.
    #[error("读取表格失败：{0}")]
    Sheet(String),
}

/// A problem with one cell, one row or (row 0) the whole file, in the words of the sheet.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// 1-based row number as the user sees it in the sheet; 0 for the file as a whole
    /// (no matching sheet, a required column missing, no data).
    pub row: i64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// Trim, turn full-width ASCII (ＡＢＣ１２３, full-width space) into half-width.
pub fn normalise_text(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// How many rows from the top of a sheet may hold titles before the header.
pub const HEADER_SCAN_ROWS: u32 = 10;

/// What a column holds: which [`Cell`] accessor reads it, what its canonical text is, and how a
/// template formats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Any text (names, notes): [`Cell::as_text`]; a whole number loses its `.0`.
    Text,
    /// A number that must stay text exactly (staff, student, ID and phone numbers, record ids):
    /// [`Cell::as_text_exact`]; a float cell that has lost digits is an error.
    Code,
    /// A whole number: [`Cell::as_int`], written `4`.
    Int,
    /// A number: [`Cell::as_number`], written `1234.5` (a percent as its fraction).
    Number,
    /// Yes or no: [`Cell::as_bool`], written `是` or `否`.
    Bool,
    /// A date: [`Cell::as_date`], written `YYYY-MM-DD`.
    Date,
    /// A date and time of day: [`Cell::as_datetime`], written `YYYY-MM-DD HH:MM:SS`.
    DateTime,
}

#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The import's own name for the column (e.g. `staff_no`).
    pub key: &'static str,
    /// The Chinese header a template writes and an error report names when the column is missing.
    pub label: &'static str,
    /// Other headers people use; compared after [`normalise_header`], so case, spaces, `_`, `*`
    /// and a trailing `(说明)` do not matter. The label and key are always accepted too.
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub kind: CellKind,
}

#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// What the sheet holds, for messages ("信息专员名册").
    pub what: &'static str,
    pub columns: &'static [ColumnSpec],
    /// A sheet whose name contains one of these is tried before the others.
    pub preferred_sheets: &'static [&'static str],
}

impl TableSpec {
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    fn required_labels(&self) -> String {
        self.columns.iter().filter(|c| c.required).map(|c| c.label).collect::<Vec<_>>().join("/")
    }

    /// Which column a header cell names, if any.
    pub fn match_header(&self, header: &str) -> Option<usize> {
        let h = normalise_header(header);
        if h.is_empty() {
            return None;
        }
        self.columns.iter().position(|c| {
            normalise_header(c.label) == h || normalise_header(c.key) == h || c.aliases.iter().any(|a| normalise_header(a) == h)
        })
    }
}

/// One data row, by spec column.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// 1-based row number as the user sees it in the sheet (title rows counted).
    pub row: i64,
    /// Each cell's canonical text for its column's [`CellKind`] (None when empty, absent, or
    /// not what the kind says: then it is in `errors`).
    pub values: Vec<Option<String>>,
    /// Each cell as the file holds it, for the typed accessors ([`Cell::Empty`] when absent or
    /// an error value).
    pub cells: Vec<Cell>,
    /// Cells that could not be read (error values) or are not what their column's kind says
    /// (a date that is no date, an ID number that has lost digits), with the sheet's header.
    pub errors: Vec<RowError>,
}

impl TableRow {
    /// The canonical text of column `idx` (see [`Cell::canonical`]).
    pub fn get(&self, idx: usize) -> Option<&str> {
        self.values.get(idx).and_then(|v| v.as_deref())
    }

    /// The cell of column `idx` as the file holds it.
    pub fn cell(&self, idx: usize) -> &Cell {
        const EMPTY: &Cell = &Cell::Empty;
        self.cells.get(idx).unwrap_or(EMPTY)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The sheet read (None for CSV).
    pub sheet: Option<String>,
    /// 1-based row of the header (0 when none was found).
    pub header_row: i64,
    /// The header text as written in the file, by spec column (None when the column is absent).
    pub headers: Vec<Option<String>>,
    pub rows: Vec<TableRow>,
    /// File-level problems (row 0). When non-empty, the rows must not be imported.
    pub problems: Vec<RowError>,
}

impl Table {
    /// The header to name in an error about column `idx`: as written in the file, else the label.
    pub fn header<'a>(&'a self, spec: &'a TableSpec, idx: usize) -> &'a str {
        self.headers.get(idx).and_then(|h| h.as_deref()).unwrap_or(spec.columns[idx].label)
    }
}

/// Lower-case, half-width, no spaces / `_` / `-` / `*` / `:`, and nothing from a `(` on:
/// "Staff No", "staff_no" and "工号*(必填)" all compare equal to their plain forms.
pub fn normalise_header(raw: &str) -> String {
    let s = normalise_text(raw);
    let s = s.split(['(', '（', '[', '【']).next().unwrap_or("");
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | ':' | '：' | '＊' | '.'))
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .replace("必填", "")
}

/// Read `path` (by extension: .csv/.txt as CSV, anything else through calamine).
pub fn read(path: &Path, spec: &TableSpec) -> Result<Table> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext == "csv" || ext == "txt" {
        let bytes = std::fs::read(path)?;
        let range = csv_range(&bytes)?;
        return Ok(from_range(None, &range, spec));
    }
    let book = calamine::open_workbook_auto(path).map_err(|e| Error::Sheet(format!("{}：{e}", path.display())))?;
    read_workbook(book, spec)
}

/// Read a file's bytes, by their first bytes: xlsx (a zip), xls (an OLE compound file), else
/// CSV. For uploads, which have no trustworthy name.
pub fn read_bytes(bytes: &[u8], spec: &TableSpec) -> Result<Table> {
    let book = if bytes.starts_with(b"PK\x03\x04") {
        calamine::Sheets::Xlsx(calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| Error::Sheet(format!("xlsx：{e}")))?)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        calamine::Sheets::Xls(calamine::Xls::new(Cursor::new(bytes)).map_err(|e| Error::Sheet(format!("xls：{e}")))?)
    } else {
        let range = csv_range(bytes)?;
        return Ok(from_range(None, &range, spec));
    };
    read_workbook(book, spec)
}

fn read_workbook<RS: Read + Seek>(mut book: calamine::Sheets<RS>, spec: &TableSpec) -> Result<Table> {
    let names = book.sheet_names();
    // Preferred names first, then the workbook's order; the first sheet whose header matches wins.
    let mut order: Vec<&String> = names.iter().filter(|n| is_preferred(n, spec)).collect();
    order.extend(names.iter().filter(|n| !is_preferred(n, spec)));
    let mut any_rows = false;
    for name in order {
        let mut range = match book.worksheet_range(name) {
            Ok(r) => r,
            // A chart sheet or an unreadable sheet is simply not the one we want.
            Err(_) => continue,
        };
        if range.is_empty() {
            continue;
        }
        any_rows = true;
        let Some((header_abs, _)) = find_header(&range, spec) else { continue };
        let merged = match &mut book {
            calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            _ => Vec::new(),
        };
        fill_merged(&mut range, &merged, header_abs);
        return Ok(from_range(Some(name.clone()), &range, spec));
    }
    let reason = if any_rows {
        format!("未找到包含 {} 表头的工作表（已检查：{}）", spec.required_labels(), names.join("、"))
    } else {
        "文件是空的：没有任何数据".to_string()
    };
    Ok(Table { problems: vec![problem("", "", reason)], ..Table::default() })
}

fn is_preferred(sheet: &str, spec: &TableSpec) -> bool {
    let s = sheet.to_lowercase();
    spec.preferred_sheets.iter().any(|p| s.contains(&p.to_lowercase()))
}

fn problem(column: &str, value: &str, reason: String) -> RowError {
    RowError { row: 0, column: column.into(), value: value.into(), reason }
}

/// Decode CSV bytes (UTF-8 with or without BOM, else GB18030) into a grid of text cells.
fn csv_range(bytes: &[u8]) -> Result<Range<Data>> {
    let text: std::borrow::Cow<'_, str> = match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    };
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if !first_line.contains(',') && first_line.contains('\t') { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::Sheet(format!("CSV 格式错误：{e}")))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if rows.is_empty() || width == 0 {
        return Ok(Range::empty());
    }
    let mut range = Range::new((0, 0), (rows.len() as u32 - 1, width as u32 - 1));
    for (r, row) in rows.into_iter().enumerate() {
        for (c, v) in row.into_iter().enumerate() {
            if !v.is_empty() {
                range.set_value((r as u32, c as u32), Data::String(v));
            }
        }
    }
    Ok(range)
}

/// The header row (absolute, 0-based) and how many spec columns it names, when it names enough:
/// two columns, or every column of a spec that has fewer.
fn find_header(range: &Range<Data>, spec: &TableSpec) -> Option<(u32, usize)> {
    let (r0, c0) = range.start()?;
    let (r1, c1) = range.end()?;
    let mut best: Option<(u32, usize)> = None;
    for r in r0..=r1.min(r0 + HEADER_SCAN_ROWS - 1) {
        let mut seen = vec![false; spec.columns.len()];
        let mut filled = 0;
        for c in c0..=c1 {
            match range.get_value((r, c)) {
                Some(Data::String(s)) if !s.trim().is_empty() => {
                    filled += 1;
                    if let Some(i) = spec.match_header(s) {
                        seen[i] = true;
                    }
                }
                Some(Data::Empty) | None => {}
                Some(_) => filled += 1,
            }
        }
        let score = seen.iter().filter(|s| **s).count();
        // Two matching headers tell a header row from a title; a row that holds nothing but the
        // required headers is one too (a list of unit names has a single column).
        let all_required = spec.columns.iter().zip(&seen).all(|(c, s)| !c.required || *s);
        let qualifies = score >= 2.min(spec.columns.len()) || (all_required && score == filled);
        if qualifies && score > best.map_or(0, |b| b.1) {
            best = Some((r, score));
        }
    }
    best
}

/// A merged cell holds its value in its top-left cell only; below the header, give every cell it
/// covers that value (a unit name merged down over its officers belongs to each of them).
fn fill_merged(range: &mut Range<Data>, merged: &[calamine::Dimensions], header_abs: u32) {
    let Some(end) = range.end() else { return };
    for m in merged {
        if m.start.0 <= header_abs {
            continue;
        }
        let Some(value) = range.get_value(m.start).cloned() else { continue };
        if value == Data::Empty {
            continue;
        }
        for r in m.start.0..=m.end.0.min(end.0) {
            for c in m.start.1..=m.end.1.min(end.1) {
                if (r, c) != m.start {
                    range.set_value((r, c), value.clone());
                }
            }
        }
    }
}

fn from_range(sheet: Option<String>, range: &Range<Data>, spec: &TableSpec) -> Table {
    let mut table = Table { sheet, headers: vec![None; spec.columns.len()], ..Table::default() };
    let (Some((_, c0)), Some((r1, c1))) = (range.start(), range.end()) else {
        table.problems.push(problem("", "", "文件是空的：没有任何数据".into()));
        return table;
    };
    let Some((header_abs, _)) = find_header(range, spec) else {
        table.problems.push(problem(
            "",
            "",
            format!("未找到表头：前 {HEADER_SCAN_ROWS} 行中没有包含 {} 的一行", spec.required_labels()),
        ));
        return table;
    };
    table.header_row = header_abs as i64 + 1;

    // Source column of each spec column; the first matching header wins.
    let mut source: Vec<Option<u32>> = vec![None; spec.columns.len()];
    for c in c0..=c1 {
        if let Some(Data::String(s)) = range.get_value((header_abs, c)) {
            if let Some(i) = spec.match_header(s) {
                if source[i].is_none() {
                    source[i] = Some(c);
                    table.headers[i] = Some(normalise_text(s));
                }
            }
        }
    }
    for (i, col) in spec.columns.iter().enumerate() {
        if col.required && source[i].is_none() {
            let aliases: Vec<&str> = col.aliases.iter().take(4).copied().collect();
            table.problems.push(RowError {
                row: table.header_row,
                column: col.label.into(),
                value: String::new(),
                reason: format!("缺少必填列「{}」（表头可写作：{}）", col.label, aliases.join("、")),
            });
        }
    }
    if !table.problems.is_empty() {
        // Report the header problem on row 0 as the contract says, after the row it was found on.
        for p in &mut table.problems {
            p.row = 0;
        }
        return table;
    }

    for r in header_abs + 1..=r1 {
        let n = spec.columns.len();
        let mut row = TableRow { row: r as i64 + 1, values: vec![None; n], cells: vec![Cell::Empty; n], errors: Vec::new() };
        let mut blank = true;
        for (i, col) in spec.columns.iter().enumerate() {
            let Some(c) = source[i] else { continue };
            let data = range.get_value((r, c)).unwrap_or(&Data::Empty);
            let read = Cell::try_from(data).and_then(|cell| {
                let value = cell.canonical(col.kind);
                row.cells[i] = cell;
                value
            });
            match read {
                Ok(value) => {
                    blank &= row.cells[i].is_empty();
                    row.values[i] = value;
                }
                Err(e) => {
                    blank = false;
                    row.errors.push(e.at(row.row, table.header(spec, i)));
                }
            }
        }
        if !blank {
            table.rows.push(row);
        }
    }
    if table.rows.is_empty() {
        table.problems.push(problem("", "", format!("表头（第 {} 行）下面没有数据行", table.header_row)));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_normalise() {
        assert_eq!(normalise_header(" Staff No "), "staffno");
        assert_eq!(normalise_header("staff_no"), "staffno");
        assert_eq!(normalise_header("工号*（必填）"), "工号");
        assert_eq!(normalise_header("任期开始(yyyy-mm-dd)"), "任期开始");
    }

    const SPEC: TableSpec = TableSpec {
        what: "测试",
        preferred_sheets: &[],
        columns: &[
            ColumnSpec { key: "id", label: "编号", aliases: &["单号"], required: true, kind: CellKind::Text },
            ColumnSpec { key: "unit", label: "单位", aliases: &[], required: false, kind: CellKind::Text },
        ],
    };

    #[test]
    fn bytes_of_a_gbk_csv_read_like_its_file() {
        let (bytes, _, _) = encoding_rs::GBK.encode("导出报表\n单号,单位\nR1,饮食服务中心\n");
        let table = read_bytes(&bytes, &SPEC).unwrap();
        assert!(table.problems.is_empty(), "{:?}", table.problems);
        assert_eq!(table.header_row, 2, "the title row above the header is skipped");
        assert_eq!(table.header(&SPEC, 0), "单号", "the file's own header is kept for reports");
        assert_eq!(table.rows[0].get(1), Some("饮食服务中心"), "GBK is decoded");
    }

    #[test]
    fn bytes_that_claim_to_be_a_workbook_but_are_not_are_an_error() {
        assert!(matches!(read_bytes(b"PK\x03\x04 not a zip", &SPEC), Err(Error::Sheet(_))));
    }
}

/// Every form of the issue, read whole through the reader: CSV in UTF-8, UTF-8 with BOM and GBK,
/// and an xlsx whose cells are typed as other programs type them.
#[cfg(test)]
mod tolerance {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    const fn col(key: &'static str, label: &'static str, kind: CellKind) -> ColumnSpec {
        ColumnSpec { key, label, aliases: &[], required: false, kind }
    }

    const SPEC: TableSpec = TableSpec {
        what: "测试",
        preferred_sheets: &[],
        columns: &[
            col("id", "学号", CellKind::Code),
            col("rating", "评分", CellKind::Int),
            col("amount", "金额", CellKind::Number),
            col("done", "是否完成", CellKind::Bool),
            col("day", "日期", CellKind::Date),
            col("at", "时间", CellKind::DateTime),
            col("note", "备注", CellKind::Text),
        ],
    };

    /// (学号, 评分, 金额, 是否完成, 日期, 时间) as a CSV line writes them, and what each must become.
    const CSV_ROWS: &[[&str; 6]] = &[
        ["2017001", "4.0", "\"1,234\"", "是", "2017/9/14", "2017/9/14 11:29"],
        ["2017002", "４", "\"1,234.0\"", "Y", "2017-09-14", "2017-09-14 11:29:00"],
        ["０２０１７００３", " 4 ", "85%", "√", "2017年9月14日", "2017年9月14日 11:29"],
        ["11010119900307123X", "４.０", "１，２３４", "×", "42992", "2017/9/14 11：29"],
        ["110101199003071234", "4", "８５％", "N", "20170914", "42992.47847222222"],
    ];
    const WANT: &[[&str; 6]] = &[
        ["2017001", "4", "1234", "是", "2017-09-14", "2017-09-14 11:29:00"],
        ["2017002", "4", "1234", "是", "2017-09-14", "2017-09-14 11:29:00"],
        ["02017003", "4", "0.85", "是", "2017-09-14", "2017-09-14 11:29:00"],
        ["11010119900307123X", "4", "1234", "否", "2017-09-14", "2017-09-14 11:29:00"],
        ["110101199003071234", "4", "0.85", "否", "2017-09-14", "2017-09-14 11:29:00"],
    ];

    fn csv_text() -> String {
        let mut text = String::from("学号,评分,金额,是否完成,日期,时间\r\n");
        for r in CSV_ROWS {
            text.push_str(&r.join(","));
            text.push_str("\r\n");
        }
        text
    }

    fn values(table: &Table) -> Vec<[String; 6]> {
        assert!(table.problems.is_empty(), "{:?}", table.problems);
        for r in &table.rows {
            assert!(r.errors.is_empty(), "row {}: {:?}", r.row, r.errors);
        }
        table.rows.iter().map(|r| std::array::from_fn(|i| r.get(i).unwrap_or("").to_string())).collect()
    }

    fn want() -> Vec<[String; 6]> {
        WANT.iter().map(|r| r.map(str::to_string)).collect()
    }

    #[test]
    fn every_form_in_csv_utf8_bom_and_gbk() {
        let utf8 = csv_text().into_bytes();
        let bom = [b"\xEF\xBB\xBF".as_slice(), &utf8].concat();
        let gbk = encoding_rs::GBK.encode(&csv_text()).0.into_owned();
        assert!(std::str::from_utf8(&gbk).is_err(), "the fixture really is GBK");
        for (name, bytes) in [("UTF-8", utf8), ("UTF-8 with BOM", bom), ("GBK", gbk)] {
            let table = read_bytes(&bytes, &SPEC).unwrap();
            assert_eq!(values(&table), want(), "{name}: every listed form becomes its canonical value");
        }
    }

    #[test]
    fn typed_cells_of_an_xlsx_other_programs_wrote() {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in ["学号", "评分", "金额", "是否完成", "日期", "时间"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let date_time = Format::new().set_num_format("yyyy/m/d h:mm");
        let percent = Format::new().set_num_format("0%");
        let day = ExcelDateTime::from_ymd(2017, 9, 14).unwrap();
        let at = ExcelDateTime::from_ymd(2017, 9, 14).unwrap().and_hms(11, 29, 0).unwrap();
        // Row 2: numbers typed into General cells, a yes/no cell, real date and date-time cells.
        ws.write_number(1, 0, 2017001.0).unwrap();
        ws.write_number(1, 1, 4.0).unwrap();
        ws.write_number(1, 2, 1234.0).unwrap();
        ws.write_boolean(1, 3, true).unwrap();
        ws.write_datetime_with_format(1, 4, &day, &date).unwrap();
        ws.write_datetime_with_format(1, 5, &at, &date_time).unwrap();
        // Row 3: a percent cell, 1/0 for yes/no, a date-time cell in a date column, a serial float.
        ws.write_string(2, 0, "2017002").unwrap();
        ws.write_string(2, 1, "４.０").unwrap();
        ws.write_number_with_format(2, 2, 0.85, &percent).unwrap();
        ws.write_number(2, 3, 0.0).unwrap();
        ws.write_datetime_with_format(2, 4, &at, &date_time).unwrap();
        ws.write_number(2, 5, 42992.0 + 689.0 / 1440.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let table = read_bytes(&bytes, &SPEC).unwrap();
        let want = |r: [&str; 6]| r.map(str::to_string);
        assert_eq!(
            values(&table),
            vec![
                want(["2017001", "4", "1234", "是", "2017-09-14", "2017-09-14 11:29:00"]),
                want(["2017002", "4", "0.85", "否", "2017-09-14", "2017-09-14 11:29:00"]),
            ],
            "float, percent, yes/no and date-time cells read as their columns need them"
        );
        assert_eq!(table.rows[0].cell(1), &Cell::Float(4.0), "the cell keeps its type for the typed accessors");
        assert_eq!(table.rows[0].cell(1).as_int(), Ok(Some(4)));
    }

    #[test]
    fn cells_that_are_not_what_their_column_holds_are_row_errors_naming_the_value() {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in ["学号", "评分", "金额", "是否完成", "日期", "时间", "备注"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        // An 18-digit ID number typed into a General cell, and a clean row after it.
        ws.write_number(1, 0, 110101199003071234.0).unwrap();
        ws.write_number(1, 1, 4.5).unwrap();
        ws.write_string(1, 2, "1,23").unwrap();
        ws.write_string(1, 3, "x").unwrap();
        ws.write_string(1, 4, "2018-02-30").unwrap();
        ws.write_string(1, 5, "2017-09-14").unwrap();
        ws.write_string(1, 6, "1.38E+10").unwrap();
        ws.write_string(2, 0, "2017002").unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let table = read_bytes(&bytes, &SPEC).unwrap();
        let errors: Vec<(&str, &str)> = table.rows[0].errors.iter().map(|e| (e.column.as_str(), e.value.as_str())).collect();
        assert_eq!(
            errors,
            [
                ("学号", "110101199003071232"),
                ("评分", "4.5"),
                ("金额", "1,23"),
                ("是否完成", "x"),
                ("日期", "2018-02-30"),
                ("时间", "2017-09-14"),
            ],
            "each bad cell once, by the sheet's header, with the value it holds; a note may say anything"
        );
        let reasons: Vec<&str> = table.rows[0].errors.iter().map(|e| e.reason.as_str()).collect();
        assert!(reasons[0].contains("位数太多"), "{reasons:?}");
        assert!(reasons[1].contains("不是整数"), "{reasons:?}");
        assert!(reasons[5].contains("缺少时刻"), "{reasons:?}");
        assert_eq!(table.rows[0].get(6), Some("1.38E+10"));
        assert!(table.rows[1].errors.is_empty());
    }
}
