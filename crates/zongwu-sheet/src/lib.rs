//! Reading a spreadsheet (xlsx / xls / csv) into rows of text keyed by a column spec.
//!
//! Knows nothing of any domain: an import describes its columns once ([`TableSpec`]: key,
//! Chinese label, aliases, required, text or date) and gets back [`Table`] rows whose values are
//! already normalised text — numbers that must stay text are written without a decimal point or
//! exponent, dates in any form Excel produces become `YYYY-MM-DD`, full-width characters are
//! half-width. What the people who fill these sheets do is handled here once:
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

use calamine::{Data, Range, Reader};
use chrono::NaiveDate;
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

/// An Excel serial date (days since 1899-12-30, the 1900 leap-year bug included) as a date.
pub fn date_from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(serial.trunc() as u64))
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Kept as text; whole numbers lose their `.0` (staff numbers, phones, ID numbers).
    Text,
    /// A date: Excel serials and date cells become `YYYY-MM-DD`; text is left for the caller to parse.
    Date,
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

/// One data row: values by spec column (None when empty or the column is absent).
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// 1-based row number as the user sees it in the sheet (title rows counted).
    pub row: i64,
    pub values: Vec<Option<String>>,
    /// Cells that could not be read (error values, numbers in scientific notation).
    pub errors: Vec<RowError>,
}

impl TableRow {
    pub fn get(&self, idx: usize) -> Option<&str> {
        self.values.get(idx).and_then(|v| v.as_deref())
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
        for c in c0..=c1 {
            if let Some(Data::String(s)) = range.get_value((r, c)) {
                if let Some(i) = spec.match_header(s) {
                    seen[i] = true;
                }
            }
        }
        let score = seen.iter().filter(|s| **s).count();
        if score > best.map_or(0, |b| b.1) {
            best = Some((r, score));
        }
    }
    best.filter(|b| b.1 >= 2.min(spec.columns.len()))
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
        let mut row = TableRow { row: r as i64 + 1, values: vec![None; spec.columns.len()], errors: Vec::new() };
        let mut blank = true;
        for (i, col) in spec.columns.iter().enumerate() {
            let Some(c) = source[i] else { continue };
            let cell = range.get_value((r, c)).unwrap_or(&Data::Empty);
            match cell_text(cell, col.kind) {
                Ok(Some(v)) => {
                    blank = false;
                    row.values[i] = Some(v);
                }
                Ok(None) => {}
                Err((value, reason)) => {
                    blank = false;
                    row.errors.push(RowError { row: row.row, column: table.header(spec, i).to_string(), value, reason });
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

/// A cell as normalised text; `Err((shown value, reason))` when it cannot be used.
pub fn cell_text(cell: &Data, kind: CellKind) -> std::result::Result<Option<String>, (String, String)> {
    let text = match cell {
        Data::Empty => return Ok(None),
        Data::String(s) => {
            let s = normalise_text(s);
            if kind == CellKind::Date && s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
                // An Excel serial that travelled through CSV or a text cell.
                return Ok(Some(serial_date(s.parse().unwrap_or(0.0), &s)?));
            }
            if kind == CellKind::Text && looks_scientific(&s) {
                return Err((
                    s.clone(),
                    format!("数字被显示成了科学计数法（{s}），位数已丢失：请把该列设为「文本」格式后重新填写"),
                ));
            }
            s
        }
        Data::Int(i) => match kind {
            CellKind::Date => serial_date(*i as f64, &i.to_string())?,
            CellKind::Text => i.to_string(),
        },
        Data::Float(f) => match kind {
            CellKind::Date => serial_date(*f, &f.to_string())?,
            CellKind::Text => whole_number_text(*f),
        },
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                return Err((dt.to_string(), "这里应是日期，单元格却是时长".into()));
            }
            serial_date(dt.as_f64(), &dt.to_string())?
        }
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err((e.to_string(), format!("单元格是错误值 {e}（公式出错或引用失效），请修正后再导入"))),
    };
    Ok(if text.is_empty() { None } else { Some(text) })
}

fn serial_date(serial: f64, shown: &str) -> std::result::Result<String, (String, String)> {
    date_from_excel_serial(serial)
        .map(|d| d.to_string())
        .ok_or_else(|| (shown.to_string(), format!("日期格式不正确：{shown}（应为 2018-03-01）")))
}

/// 13800138000.0 → "13800138000"; 2.5 → "2.5". Never an exponent for whole numbers Excel can hold.
pub fn whole_number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// "1.38E+10", "1.38001E+10": what Excel shows (and saves to CSV) for a long number in a narrow
/// General column. The digits after the fifth or so are gone.
fn looks_scientific(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['E', 'e']) else { return false };
    // Excel always writes the sign: "1.38E+10". Without it, "2018E001" is a staff number.
    let Some(exp) = exp.strip_prefix('+') else { return false };
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
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

    #[test]
    fn numbers_stay_text() {
        assert_eq!(whole_number_text(13800138000.0), "13800138000");
        assert_eq!(cell_text(&Data::Float(2018001.0), CellKind::Text).unwrap().as_deref(), Some("2018001"));
        assert_eq!(cell_text(&Data::Float(43160.0), CellKind::Date).unwrap().as_deref(), Some("2018-03-01"));
        assert!(cell_text(&Data::String("1.38E+10".into()), CellKind::Text).is_err());
        assert!(!looks_scientific("E10"));
        assert!(!looks_scientific("2018E001"), "a staff number with a letter is not a number");
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
