//! One cell of a sheet as the file holds it, and the typed accessors every import reads cells
//! with: [`Cell::as_int`], [`Cell::as_number`], [`Cell::as_bool`], [`Cell::as_date`],
//! [`Cell::as_datetime`], [`Cell::as_text_exact`] (numbers that must stay text) and the lenient
//! [`Cell::as_text`]. Each returns `Ok(None)` for an empty cell and a [`CellError`] naming the
//! value when the cell cannot be what is asked. A text cell is read by the rules of
//! [`crate::text`]; a typed cell (a float, a date-time) by the rules here, so `4`, `4.0`, a
//! float cell 4.0 and `４` are all the rating 4.
//!
//! What a number cell cannot tell us is never guessed: a float cell of an 18-digit ID number has
//! already lost its last digits (a float holds 15 to 16), so it is refused, not rounded into
//! somebody else's number.

use crate::text::{self, date_from_excel_serial, datetime_from_excel_serial};
use crate::{normalise_text, CellKind, RowError};
use calamine::Data;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use std::fmt;

/// How a date-time is written once read: text order is time order.
pub const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// 2^53: every whole number below it is exact in a float cell; from here on, neighbouring whole
/// numbers share one float, and an ID number stored as a number has lost digits.
pub const EXACT_FLOAT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// What was wrong with a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NotInt,
    NotNumber,
    NotBool,
    NotDate,
    NotDateTime,
    /// A date without a time of day where a date-time is needed.
    DateOnly,
    /// A time of day without a date.
    TimeOnly,
    /// A duration cell (`[h]:mm:ss`) where a date is needed.
    Duration,
    /// `1.38E+10`: Excel showed (and saved) a long number this way; its digits are gone.
    Scientific,
    /// A float cell too large to hold every digit of the number typed into it.
    PrecisionLost,
    /// Not a number kept as text (a yes/no or a date where an ID number belongs).
    NotText,
    /// `#REF!`, `#N/A`: the formula behind the cell failed.
    ErrorValue,
}

/// A cell that cannot be what was asked: which problem, and the value as the sheet shows it.
/// `Display` is the Chinese sentence an import report shows, naming the value;
/// [`CellError::reason_en`] is the English for messages that carry both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub problem: Problem,
    /// The value as written (normalised text, or a number as Excel shows it).
    pub value: String,
}

impl CellError {
    pub fn new(problem: Problem, value: impl Into<String>) -> CellError {
        CellError { problem, value: value.into() }
    }

    /// The English of the reason, without the value, for messages that give both languages.
    pub fn reason_en(&self) -> &'static str {
        match self.problem {
            Problem::NotInt => "not a whole number",
            Problem::NotNumber => "not a number",
            Problem::NotBool => "must be yes or no",
            Problem::NotDate => "expected a date such as 2018-03-01",
            Problem::NotDateTime => "expected a date and time such as 2017-09-14 11:29",
            Problem::DateOnly => "date without a time of day",
            Problem::TimeOnly => "time of day without a date",
            Problem::Duration => "a duration, not a date",
            Problem::Scientific => "shown in scientific notation: its digits are lost",
            Problem::PrecisionLost => "too many digits for a number cell: the last digits are lost",
            Problem::NotText => "expected a number kept as text",
            Problem::ErrorValue => "an error value",
        }
    }

    /// `reason (English)`, as the platform intake reports it.
    pub fn bilingual(&self) -> String {
        format!("{self} ({})", self.reason_en())
    }

    /// This error as a row of an import report.
    pub fn at(&self, row: i64, column: &str) -> RowError {
        RowError { row, column: column.to_string(), value: self.value.clone(), reason: self.to_string() }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.value;
        match self.problem {
            Problem::NotInt => write!(f, "「{v}」不是整数"),
            Problem::NotNumber => write!(f, "「{v}」不是数字（可写 1234、1,234.5 或 85%）"),
            Problem::NotBool => write!(f, "「{v}」应为 是 或 否（也可写 Y/N、√/×、1/0）"),
            Problem::NotDate => write!(f, "日期格式不正确：{v}（应为 2018-03-01）"),
            Problem::NotDateTime => write!(f, "时间格式不正确：{v}（应为 2017-09-14 11:29 这样的日期和时刻）"),
            Problem::DateOnly => write!(f, "「{v}」只有日期，缺少时刻（应为 2017-09-14 11:29 这样的日期和时刻）"),
            Problem::TimeOnly => write!(f, "「{v}」只有时刻，缺少日期（应为 2017-09-14 11:29 这样的日期和时刻）"),
            Problem::Duration => write!(f, "「{v}」是时长，这里应是日期"),
            Problem::Scientific => {
                write!(f, "数字被显示成了科学计数法（{v}），位数已丢失：请把该列设为「文本」格式后重新填写")
            }
            Problem::PrecisionLost => write!(
                f,
                "数字 {v} 位数太多，按数字保存时末尾几位已经改变（身份证号等长号码须按文本保存）：请把该列设为「文本」格式后重新填写原号码"
            ),
            Problem::NotText => write!(f, "「{v}」不是号码：这一列应按文本填写号码（如学号、身份证号、手机号）"),
            Problem::ErrorValue => write!(f, "单元格是错误值 {v}（公式出错或引用失效），请修正后再导入"),
        }
    }
}

impl std::error::Error for CellError {}

/// A cell as the file holds it. Text is already normalised ([`normalise_text`]: trimmed,
/// full-width ASCII half-width) and never empty; a typed cell keeps its type, so the accessors
/// can tell a float cell 4.0 from the text `4.5`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A cell with a date or date-time format, to the nearest second. Whether the format showed
    /// the time is not in the file; at midnight it is the date at 00:00.
    DateTime(NaiveDateTime),
    /// A cell with a time-of-day format and no date (a serial below 1).
    Time(NaiveTime),
    /// A cell with a duration format (`[h]:mm:ss`), as shown.
    Duration(String),
}

/// The value of an error cell (`#REF!`) is an error, not a cell.
impl TryFrom<&Data> for Cell {
    type Error = CellError;
    fn try_from(data: &Data) -> Result<Cell, CellError> {
        Ok(match data {
            Data::Empty => Cell::Empty,
            Data::String(s) => Cell::text(s),
            Data::Int(i) => Cell::Int(*i),
            Data::Float(f) if f.is_finite() => Cell::Float(*f),
            Data::Float(f) => return Err(CellError::new(Problem::NotNumber, f.to_string())),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) if dt.is_duration() => Cell::Duration(dt.to_string()),
            Data::DateTime(dt) => {
                let t = dt.as_datetime().ok_or_else(|| CellError::new(Problem::NotDate, dt.to_string()))?;
                let t = round_to_second(t);
                if dt.as_f64() < 1.0 {
                    Cell::Time(t.time())
                } else {
                    Cell::DateTime(t)
                }
            }
            Data::DateTimeIso(s) => match text::parse_datetime(s) {
                Ok(t) => Cell::DateTime(t),
                Err(_) => match text::parse_date(s) {
                    Ok(d) => Cell::DateTime(d.and_time(NaiveTime::MIN)),
                    Err(_) => Cell::text(s),
                },
            },
            Data::DurationIso(s) => Cell::Duration(s.clone()),
            Data::Error(e) => return Err(CellError::new(Problem::ErrorValue, e.to_string())),
        })
    }
}

fn round_to_second(t: NaiveDateTime) -> NaiveDateTime {
    let t = t + chrono::Duration::milliseconds(500);
    t.with_nanosecond(0).unwrap_or(t)
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
pub(crate) fn looks_scientific(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['E', 'e']) else { return false };
    // Excel always writes the sign: "1.38E+10". Without it, "2018E001" is a staff number.
    let Some(exp) = exp.strip_prefix('+') else { return false };
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
}

impl Cell {
    /// A text cell: normalised, and empty when nothing but spaces is left.
    pub fn text(raw: &str) -> Cell {
        let s = normalise_text(raw);
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The value as an error message names it (a float as Excel shows it, not `4.0`).
    pub fn shown(&self) -> String {
        self.as_text().unwrap_or_default()
    }

    fn err(&self, problem: Problem) -> CellError {
        CellError::new(problem, self.shown())
    }

    /// This cell with a unit written after a number taken off (`4分`, `5星` → `4`, `5`);
    /// any other cell as it is.
    pub fn without_suffix(&self, suffixes: &[&str]) -> Cell {
        match self {
            Cell::Text(s) => match suffixes.iter().find_map(|x| s.strip_suffix(x)) {
                Some(rest) => Cell::text(rest),
                None => self.clone(),
            },
            _ => self.clone(),
        }
    }

    /// Any cell as text, for names and notes: whole numbers without `.0`, a yes/no cell as
    /// `是/否`, a date-time cell as `YYYY-MM-DD HH:MM:SS` (`YYYY-MM-DD` at midnight).
    pub fn as_text(&self) -> Option<String> {
        Some(match self {
            Cell::Empty => return None,
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => whole_number_text(*f),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::DateTime(t) if t.time() == NaiveTime::MIN => t.date().to_string(),
            Cell::DateTime(t) => t.format(DATETIME_FORMAT).to_string(),
            Cell::Time(t) => t.format("%H:%M:%S").to_string(),
            Cell::Duration(s) => s.clone(),
        })
    }

    /// A number that must stay text (student, staff, ID and phone numbers, record ids) exactly
    /// as written: a number cell gives its digits (13800138000.0 → `13800138000`). Refused: a
    /// number cell at or above 2^53 (its last digits are already gone), a number with a
    /// fraction, Excel's scientific notation (`1.38E+10`), a yes/no, date or duration cell.
    pub fn as_text_exact(&self) -> Result<Option<String>, CellError> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) if looks_scientific(s) => Err(self.err(Problem::Scientific)),
            Cell::Text(s) => Ok(Some(s.clone())),
            Cell::Int(i) => Ok(Some(i.to_string())),
            Cell::Float(f) if f.fract() != 0.0 => Err(self.err(Problem::NotText)),
            Cell::Float(f) if f.abs() >= EXACT_FLOAT_LIMIT => Err(CellError::new(Problem::PrecisionLost, format!("{f:.0}"))),
            Cell::Float(f) => Ok(Some(format!("{f:.0}"))),
            Cell::Bool(_) | Cell::DateTime(_) | Cell::Time(_) | Cell::Duration(_) => Err(self.err(Problem::NotText)),
        }
    }

    /// A whole number: an integer cell, a float cell without a fraction (4.0), or text that
    /// [`text::parse_int`] takes (`4.0`, `４`, `1,234`).
    pub fn as_int(&self) -> Result<Option<i64>, CellError> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) => text::parse_int(s).map(Some),
            Cell::Int(i) => Ok(Some(*i)),
            Cell::Float(f) if f.fract() != 0.0 => Err(self.err(Problem::NotInt)),
            Cell::Float(f) if f.abs() >= EXACT_FLOAT_LIMIT => Err(CellError::new(Problem::PrecisionLost, format!("{f:.0}"))),
            Cell::Float(f) => Ok(Some(*f as i64)),
            _ => Err(self.err(Problem::NotInt)),
        }
    }

    /// A number: a number cell (a percent cell is already its fraction, 85% = 0.85), or text
    /// that [`text::parse_number`] takes (`1,234.5`, `85%`).
    pub fn as_number(&self) -> Result<Option<f64>, CellError> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) => text::parse_number(s).map(Some),
            Cell::Int(i) => Ok(Some(*i as f64)),
            Cell::Float(f) => Ok(Some(*f)),
            _ => Err(self.err(Problem::NotNumber)),
        }
    }

    /// Yes or no: a yes/no cell, the number 1 or 0, or text that [`text::parse_bool`] takes
    /// (`是/否`, `Y/N`, `√/×`).
    pub fn as_bool(&self) -> Result<Option<bool>, CellError> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) => text::parse_bool(s).map(Some),
            Cell::Bool(b) => Ok(Some(*b)),
            Cell::Int(1) => Ok(Some(true)),
            Cell::Int(0) => Ok(Some(false)),
            Cell::Float(f) if *f == 1.0 => Ok(Some(true)),
            Cell::Float(f) if *f == 0.0 => Ok(Some(false)),
            _ => Err(self.err(Problem::NotBool)),
        }
    }

    /// A date: a date or date-time cell (its date), an Excel serial in a number cell, or text
    /// that [`text::parse_date`] takes.
    pub fn as_date(&self) -> Result<Option<NaiveDate>, CellError> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) => text::parse_date(s).map(Some),
            Cell::DateTime(t) => Ok(Some(t.date())),
            Cell::Int(i) => date_from_excel_serial(*i as f64).map(Some).ok_or_else(|| self.err(Problem::NotDate)),
            Cell::Float(f) => date_from_excel_serial(*f).map(Some).ok_or_else(|| self.err(Problem::NotDate)),
            Cell::Time(_) => Err(self.err(Problem::TimeOnly)),
            Cell::Duration(_) => Err(self.err(Problem::Duration)),
            Cell::Bool(_) => Err(self.err(Problem::NotDate)),
        }
    }

    /// A date and time of day: a date-time cell, an Excel serial with a fraction in a number
    /// cell, or text that [`text::parse_datetime`] takes. A date alone (text, or a whole serial
    /// in a number cell) is refused: midnight would be a guess.
    pub fn as_datetime(&self) -> Result<Option<NaiveDateTime>, CellError> {
        let serial = |f: f64| match datetime_from_excel_serial(f) {
            Some(_) if f.fract() == 0.0 => Err(self.err(Problem::DateOnly)),
            Some(t) => Ok(Some(t)),
            None => Err(self.err(Problem::NotDateTime)),
        };
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) => text::parse_datetime(s).map(Some),
            Cell::DateTime(t) => Ok(Some(*t)),
            Cell::Int(i) => serial(*i as f64),
            Cell::Float(f) => serial(*f),
            Cell::Time(_) => Err(self.err(Problem::TimeOnly)),
            Cell::Duration(_) => Err(self.err(Problem::Duration)),
            Cell::Bool(_) => Err(self.err(Problem::NotDateTime)),
        }
    }

    /// The cell as the canonical text of a column of `kind`: what [`crate::TableRow::get`]
    /// returns. Int `4`, number `1234.5`, yes/no `是`/`否`, date `2017-09-14`, date-time
    /// `2017-09-14 11:29:00`.
    pub fn canonical(&self, kind: CellKind) -> Result<Option<String>, CellError> {
        Ok(match kind {
            CellKind::Text => self.as_text(),
            CellKind::Code => self.as_text_exact()?,
            CellKind::Int => self.as_int()?.map(|v| v.to_string()),
            CellKind::Number => self.as_number()?.map(|v| v.to_string()),
            CellKind::Bool => self.as_bool()?.map(|b| if b { "是" } else { "否" }.to_string()),
            CellKind::Date => self.as_date()?.map(|d| d.to_string()),
            CellKind::DateTime => self.as_datetime()?.map(|t| t.format(DATETIME_FORMAT).to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    fn t(s: &str) -> Cell {
        Cell::text(s)
    }

    fn excel(serial: f64) -> Cell {
        Cell::try_from(&Data::DateTime(ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false))).unwrap()
    }

    #[test]
    fn a_rating_of_four_in_every_form() {
        for cell in [Cell::Int(4), Cell::Float(4.0), t("4"), t("4.0"), t("４"), t("４.０"), t(" 4 ")] {
            assert_eq!(cell.as_int(), Ok(Some(4)), "{cell:?}");
        }
        assert_eq!(t("4分").without_suffix(&["分", "星"]).as_int(), Ok(Some(4)));
        assert_eq!(Cell::Float(4.0).without_suffix(&["分"]).as_int(), Ok(Some(4)), "a number cell has no suffix to take off");
        let e = Cell::Float(4.5).as_int().unwrap_err();
        assert_eq!((e.problem, e.value.as_str()), (Problem::NotInt, "4.5"), "the value as Excel shows it");
        assert_eq!(t("4.5").as_int().unwrap_err().to_string(), "「4.5」不是整数");
        assert_eq!(Cell::Bool(true).as_int().unwrap_err().problem, Problem::NotInt);
        assert_eq!(Cell::Empty.as_int(), Ok(None));
        assert_eq!(Cell::Float(1e17).as_int().unwrap_err().problem, Problem::PrecisionLost);
    }

    #[test]
    fn numbers_and_percent() {
        assert_eq!(t("1,234.0").as_number(), Ok(Some(1234.0)));
        assert_eq!(t("85%").as_number(), Ok(Some(0.85)));
        assert_eq!(Cell::Float(0.85).as_number(), Ok(Some(0.85)), "a percent cell holds its fraction");
        assert_eq!(Cell::Int(7).as_number(), Ok(Some(7.0)));
        assert_eq!(excel(42992.5).as_number().unwrap_err().problem, Problem::NotNumber, "a date is not a number");
        assert_eq!(t("1，234").canonical(CellKind::Number), Ok(Some("1234".into())), "a full-width comma groups too");
    }

    #[test]
    fn yes_no_cells() {
        assert_eq!(Cell::Bool(true).as_bool(), Ok(Some(true)));
        assert_eq!(t("√").as_bool(), Ok(Some(true)));
        assert_eq!(t("×").as_bool(), Ok(Some(false)));
        assert_eq!(Cell::Float(1.0).as_bool(), Ok(Some(true)));
        assert_eq!(Cell::Int(0).as_bool(), Ok(Some(false)));
        assert_eq!(Cell::Int(2).as_bool().unwrap_err().value, "2");
        assert_eq!(t("是").canonical(CellKind::Bool), Ok(Some("是".into())));
        assert_eq!(t("N").canonical(CellKind::Bool), Ok(Some("否".into())));
    }

    #[test]
    fn numbers_that_must_stay_text_come_back_exactly_or_not_at_all() {
        assert_eq!(Cell::Float(13800138000.0).as_text_exact(), Ok(Some("13800138000".into())), "an 11-digit phone");
        assert_eq!(Cell::Float(2018001.0).as_text_exact(), Ok(Some("2018001".into())));
        assert_eq!(Cell::Int(2018001).as_text_exact(), Ok(Some("2018001".into())));
        assert_eq!(t("０２０１８００１").as_text_exact(), Ok(Some("02018001".into())), "leading zeros of text survive");
        assert_eq!(t("11010119900307123X").as_text_exact(), Ok(Some("11010119900307123X".into())));
        assert_eq!(t("110101199003071234").as_text_exact(), Ok(Some("110101199003071234".into())), "18 digits as text");
        // An 18-digit ID number typed into a General cell: the float has already lost its end.
        let e = Cell::Float(110101199003071234.0).as_text_exact().unwrap_err();
        assert_eq!(e.problem, Problem::PrecisionLost);
        assert_eq!(e.value, "110101199003071232", "the report shows the number the file really holds");
        assert!(e.to_string().contains("「文本」格式"), "and says how to fix it: {e}");
        assert_eq!(
            Cell::Float(EXACT_FLOAT_LIMIT - 1.0).as_text_exact(),
            Ok(Some("9007199254740991".into())),
            "below 2^53 is exact"
        );
        assert_eq!(Cell::Float(EXACT_FLOAT_LIMIT).as_text_exact().unwrap_err().problem, Problem::PrecisionLost);
        assert_eq!(t("1.38E+10").as_text_exact().unwrap_err().problem, Problem::Scientific);
        assert_eq!(t("2018E001").as_text_exact(), Ok(Some("2018E001".into())), "a staff number with a letter is not a number");
        assert_eq!(Cell::Float(2.5).as_text_exact().unwrap_err().problem, Problem::NotText);
        assert_eq!(excel(43160.0).as_text_exact().unwrap_err().problem, Problem::NotText, "a date where an ID belongs");
        assert_eq!(Cell::Bool(true).as_text_exact().unwrap_err().problem, Problem::NotText);
    }

    #[test]
    fn lenient_text() {
        assert_eq!(Cell::Float(2.5).as_text().as_deref(), Some("2.5"));
        assert_eq!(Cell::Float(13800138000.0).as_text().as_deref(), Some("13800138000"));
        assert_eq!(Cell::Bool(false).as_text().as_deref(), Some("否"));
        assert_eq!(excel(43160.0).as_text().as_deref(), Some("2018-03-01"));
        assert_eq!(excel(42992.0 + 689.0 / 1440.0).as_text().as_deref(), Some("2017-09-14 11:29:00"), "the time is not dropped");
        assert_eq!(t("1.38E+10").as_text().as_deref(), Some("1.38E+10"), "a note may say anything");
        assert_eq!(Cell::text(" \u{3000} "), Cell::Empty, "spaces alone are an empty cell");
    }

    #[test]
    fn excel_date_time_cells_are_date_times() {
        let cell = excel(42992.0 + 689.0 / 1440.0);
        assert_eq!(cell, Cell::DateTime(NaiveDate::from_ymd_opt(2017, 9, 14).unwrap().and_hms_opt(11, 29, 0).unwrap()));
        assert_eq!(cell.canonical(CellKind::DateTime), Ok(Some("2017-09-14 11:29:00".into())));
        assert_eq!(cell.canonical(CellKind::Date), Ok(Some("2017-09-14".into())), "a date column takes the date of a date-time");
        assert_eq!(
            excel(42992.0).canonical(CellKind::DateTime),
            Ok(Some("2017-09-14 00:00:00".into())),
            "a date-time cell at midnight"
        );
        // The same serial as a plain float: a number written by a program that lost the format.
        assert_eq!(Cell::Float(42992.0 + 689.0 / 1440.0).canonical(CellKind::DateTime), Ok(Some("2017-09-14 11:29:00".into())));
        assert_eq!(Cell::Float(42992.0).as_datetime().unwrap_err().problem, Problem::DateOnly, "a whole number has no time");
        assert_eq!(Cell::Int(42992).as_date(), Ok(NaiveDate::from_ymd_opt(2017, 9, 14)));
        assert_eq!(excel(689.0 / 1440.0).as_datetime().unwrap_err().problem, Problem::TimeOnly, "a time cell has no date");
        let duration = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(Cell::try_from(&duration).unwrap().as_date().unwrap_err().problem, Problem::Duration);
        let in_1904 = Data::DateTime(ExcelDateTime::new(41530.0, ExcelDateTimeType::DateTime, true));
        assert_eq!(
            Cell::try_from(&in_1904).unwrap().as_date(),
            Ok(NaiveDate::from_ymd_opt(2017, 9, 14)),
            "a Mac workbook's 1904 dates"
        );
        assert_eq!(Cell::try_from(&Data::DateTimeIso("2017-09-14T11:29:00".into())).unwrap(), cell, "ods date-times");
    }

    #[test]
    fn error_cells_are_errors() {
        let e = Cell::try_from(&Data::Error(calamine::CellErrorType::Ref)).unwrap_err();
        assert_eq!((e.problem, e.value.as_str()), (Problem::ErrorValue, "#REF!"));
        assert!(e.bilingual().ends_with("(an error value)"), "{}", e.bilingual());
    }
}
