//! What every workbook we write has in common: a Chinese default font, the header style, data
//! sheets set up for screen and paper (frozen header, autofilter, widths, landscape, fit to one
//! page wide, header row repeated on each printed page), document properties, real date cells,
//! and a save that never leaves a half-written file under the final name.

use crate::{Error, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, FormatPattern, Workbook, Worksheet};
use std::path::Path;

/// Microsoft YaHei: on every Chinese Windows and Office for Mac; WPS substitutes its own.
pub const FONT: &str = "微软雅黑";
pub const FONT_SIZE: f64 = 10.0;
/// GB2312 charset, so Excel picks a CJK font when YaHei is missing.
const CHARSET_GB2312: u8 = 134;
const PAPER_A4: u8 = 9;
pub const DATE_FORMAT: &str = "yyyy-mm-dd";

pub fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE).set_font_charset(CHARSET_GB2312)
}

/// The formats a sheet needs, built once per workbook.
pub struct Styles {
    pub header: Format,
    /// A header of a column that must be filled (templates).
    pub header_required: Format,
    pub date: Format,
    pub text: Format,
    pub wrap: Format,
    pub decimal: Format,
    pub title: Format,
    pub total: Format,
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}

impl Styles {
    pub fn new() -> Styles {
        let header = base()
            .set_bold()
            .set_pattern(FormatPattern::Solid)
            .set_background_color(0xDDEBF7)
            .set_border(FormatBorder::Thin)
            .set_border_color(0x9BC2E6)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        Styles {
            header_required: header.clone().set_font_color(0xC00000),
            header,
            date: base().set_num_format(DATE_FORMAT).set_align(FormatAlign::Left),
            // Built-in format 49 is "@" (text).
            text: base().set_num_format_index(49),
            wrap: base().set_text_wrap().set_align(FormatAlign::Top),
            decimal: base().set_num_format("0.00"),
            title: base().set_bold().set_font_size(14),
            total: base().set_bold().set_border_top(FormatBorder::Thin),
        }
    }
}

/// A new workbook whose default font is [`FONT`], with title and subject in its properties.
/// `now_ms` (the store clock) becomes the creation time; without it the library uses the system's.
pub fn workbook(title: &str, subject: &str, now_ms: Option<i64>) -> Result<Workbook> {
    let mut wb = Workbook::new();
    // Row height 20 px, column width 64 px: the metrics rust_xlsxwriter supports for a 10–11 pt font.
    wb.set_default_format(&base(), 20, 64)?;
    let mut props = DocProperties::new()
        .set_title(title)
        .set_subject(subject)
        .set_author("zongwu 总务")
        .set_company("智慧总务建设办公室")
        .set_keywords("总务, zongwu");
    if let Some(Ok(dt)) = now_ms.map(|ms| ExcelDateTime::from_timestamp(ms.div_euclid(1000))) {
        props = props.set_creation_datetime(&dt);
    }
    wb.set_properties(&props);
    Ok(wb)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Text that must never become a number in Excel (staff numbers, phones): formatted `@`.
    Code,
    Date,
    Int,
    Decimal,
    /// Long text: wrapped, top-aligned.
    Long,
}

#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub header: &'static str,
    /// Width in Excel character units.
    pub width: f64,
    pub kind: Kind,
}

pub const fn col(header: &'static str, width: f64, kind: Kind) -> Col {
    Col { header, width, kind }
}

/// Name the sheet, write the header row (row 0), set widths and column formats, freeze the
/// header and set up printing. Call [`finish_data_sheet`] once the rows are written.
pub fn data_sheet(ws: &mut Worksheet, name: &str, cols: &[Col], st: &Styles, print_title: &str) -> Result<()> {
    ws.set_name(name)?;
    for (c, col) in cols.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, col.width)?;
        // Column formats style cells typed in later; written cells carry their own.
        match col.kind {
            Kind::Code => ws.set_column_format(c, &st.text)?,
            Kind::Date => ws.set_column_format(c, &st.date)?,
            _ => ws,
        };
        ws.write_string_with_format(0, c, col.header, &st.header)?;
    }
    ws.set_row_height(0, 22)?;
    ws.set_freeze_panes(1, 0)?;
    print_setup(ws, print_title)?;
    Ok(())
}

pub fn print_setup(ws: &mut Worksheet, print_title: &str) -> Result<()> {
    ws.set_landscape();
    ws.set_paper_size(PAPER_A4);
    // One page wide, as many pages tall as it takes.
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    ws.set_header(format!("&C&\"{FONT},Bold\"{}", print_title.replace('&', "&&")));
    ws.set_footer("&C第 &P 页，共 &N 页");
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    Ok(())
}

/// Autofilter over the header and the `rows` data rows below it.
pub fn finish_data_sheet(ws: &mut Worksheet, rows: u32, cols: usize) -> Result<()> {
    ws.autofilter(0, 0, rows, cols.saturating_sub(1) as u16)?;
    Ok(())
}

/// Write `value` in the way its column kind asks. Empty values leave the cell empty.
pub fn write_cell(ws: &mut Worksheet, st: &Styles, row: u32, c: u16, kind: Kind, value: Option<&str>) -> Result<()> {
    let Some(v) = value.filter(|v| !v.is_empty()) else { return Ok(()) };
    match kind {
        Kind::Date => match ymd(v) {
            Some(d) => ws.write_datetime_with_format(row, c, d, &st.date)?,
            None => ws.write_string(row, c, v)?,
        },
        Kind::Long => ws.write_string_with_format(row, c, v, &st.wrap)?,
        _ => ws.write_string(row, c, v)?,
    };
    Ok(())
}

/// `YYYY-MM-DD` (as the store keeps dates) as an Excel date.
pub fn ymd(s: &str) -> Option<ExcelDateTime> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: u16 = s.get(0..4)?.parse().ok()?;
    let m: u8 = s.get(5..7)?.parse().ok()?;
    let d: u8 = s.get(8..10)?.parse().ok()?;
    ExcelDateTime::from_ymd(y, m, d).ok()
}

/// A stored millisecond timestamp as the local calendar date.
pub fn ms_date(ms: i64) -> Option<ExcelDateTime> {
    use chrono::{Datelike, TimeZone};
    let d = chrono::Local.timestamp_millis_opt(ms).single()?.date_naive();
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).ok()
}

/// Save to a temporary name next to `out`, then rename: a crash or a full disk never leaves a
/// half-written workbook under the name the user will open. Runs off the async runtime, since
/// zipping a big sheet takes a while.
pub async fn save(wb: Workbook, out: &Path) -> Result<()> {
    let out = out.to_path_buf();
    tokio::task::spawn_blocking(move || save_now(wb, &out))
        .await
        .map_err(|e| Error::Internal(format!("保存工作簿的任务失败：{e}")))?
}

/// [`save`] on the calling thread.
pub fn save_now(mut wb: Workbook, out: &Path) -> Result<()> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export.xlsx".into());
    // Unique per save, so two exports to the same name never share a temporary file.
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::now_v7().simple()));
    let result = wb.save(&tmp).map_err(Error::from).and_then(|_| std::fs::rename(&tmp, out).map_err(Error::from));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
