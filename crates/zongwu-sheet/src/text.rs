//! The text forms of numbers, yes/no and dates that people and other programs write, each
//! parsed in one place: a CSV cell, a text cell of a workbook, a form field and a JSON string
//! all go through these functions (a typed workbook cell goes through [`crate::Cell`], which
//! uses them for its text).
//!
//! Every function first applies [`normalise_text`](crate::normalise_text) (full-width `４．０`,
//! `１，２３４`, `１１：２９` become half-width), then accepts only forms that mean one thing:
//! `1,23` (a decimal comma or a typo?), `9/14/2017` (which is the month?) and `17-9-14` (which
//! century?) are refused with a message naming the value, never guessed.

use crate::cell::{CellError, Problem};
use crate::normalise_text;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// A decimal number as written, split into its parts; grouping commas already checked and
/// removed.
struct Decimal {
    negative: bool,
    /// Digits before the point, without grouping commas; may be empty (`.5`).
    int: String,
    /// Digits after the point; may be empty.
    frac: String,
    /// The exponent of `1.5E+3`, when written.
    exp: Option<i32>,
}

impl Decimal {
    /// Sign, digits, optional `,` grouping of threes, optional `.` fraction, optional exponent.
    /// No spaces inside: `1 234` could be two numbers.
    fn parse(s: &str) -> Option<Decimal> {
        let s = s.replace('\u{2212}', "-"); // U+2212 MINUS SIGN, as word processors write it
        let (negative, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, &s[..]),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(at) => {
                let e = &rest[at + 1..];
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (&rest[..at], Some(e.parse::<i32>().ok()?))
            }
            None => (rest, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (int.is_empty() && frac.is_empty()) {
            return None;
        }
        let int = if int.contains(',') {
            let groups: Vec<&str> = int.split(',').collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
                return None;
            }
            groups.concat()
        } else {
            int.to_string()
        };
        if !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Decimal { negative, int, frac: frac.to_string(), exp })
    }

    /// Plain text: `-1234.5`, `0.25`, `1.5e3`.
    fn plain(&self) -> String {
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        out.push_str(if self.int.is_empty() { "0" } else { &self.int });
        if !self.frac.is_empty() {
            out.push('.');
            out.push_str(&self.frac);
        }
        if let Some(e) = self.exp {
            out.push_str(&format!("e{e}"));
        }
        out
    }
}

/// A number as plain decimal text: sign, digits, point, no grouping (`１，２３４．５０` →
/// `1234.50`); an exponent is kept (`1.5e3`). For rules that need the written digits (an amount
/// in yuan checks its decimals), not a float.
pub fn normalise_number(raw: &str) -> Result<String, CellError> {
    let s = normalise_text(raw);
    Decimal::parse(&s).map(|d| d.plain()).ok_or_else(|| CellError::new(Problem::NotNumber, s))
}

/// A whole number: `4`, `4.0`, `４`, `+4`, `-12`, `1,234`, `1,234.00`. Refused: `4.5`, `85%`,
/// `1.38E+10` (what Excel shows when digits are already gone), words.
pub fn parse_int(raw: &str) -> Result<i64, CellError> {
    let s = normalise_text(raw);
    let err = |p| CellError::new(p, s.clone());
    let Some(d) = Decimal::parse(&s) else { return Err(err(Problem::NotInt)) };
    if d.exp.is_some() {
        return Err(err(Problem::Scientific));
    }
    if d.int.is_empty() || !d.frac.bytes().all(|b| b == b'0') {
        return Err(err(Problem::NotInt));
    }
    let v: i64 = d.int.parse().map_err(|_| err(Problem::NotInt))?;
    Ok(if d.negative { -v } else { v })
}

/// A number: everything [`parse_int`] takes, decimals (`2.5`, `.5`), an exponent, and a percent
/// (`85%`, `８５％`, `12.5 %` → 0.85, 0.85, 0.125).
pub fn parse_number(raw: &str) -> Result<f64, CellError> {
    let s = normalise_text(raw);
    let err = || CellError::new(Problem::NotNumber, s.clone());
    let (body, percent) = match s.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (s.as_str(), false),
    };
    let mut d = Decimal::parse(body).ok_or_else(err)?;
    if percent {
        // Shift the decimal point in the text, so 33.3% is exactly the float of 0.333.
        d.exp = Some(d.exp.unwrap_or(0) - 2);
    }
    d.plain().parse::<f64>().ok().filter(|f| f.is_finite()).ok_or_else(err)
}

/// Yes or no: `是/否`, `Y/N`, `yes/no`, `true/false`, `√/×` (and `✓ ✔ / ✗ ✘`), `1/0` (also
/// `1.0`). Not `x` or `X`: some tick a box with it, some cross one out.
pub fn parse_bool(raw: &str) -> Result<bool, CellError> {
    let s = normalise_text(raw);
    match s.to_lowercase().as_str() {
        "是" | "y" | "yes" | "true" | "√" | "✓" | "✔" => Ok(true),
        "否" | "n" | "no" | "false" | "×" | "✗" | "✘" => Ok(false),
        _ => match parse_int(&s) {
            Ok(1) => Ok(true),
            Ok(0) => Ok(false),
            _ => Err(CellError::new(Problem::NotBool, s)),
        },
    }
}

/// The first day Excel's 1900 calendar counts from, in its own reckoning (the phantom
/// 1900-02-29 included).
fn excel_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("a valid date")
}

/// An Excel serial (days since 1899-12-30, the fraction the time of day) as a date-time to the
/// nearest second, when it is a day Excel can show (1900-01-01 to 9999-12-31).
pub fn datetime_from_excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Excel counts a 1900-02-29 that never was: serials before it are a day later than they say.
    let serial = if serial < 61.0 { serial + 1.0 } else { serial };
    let seconds = (serial * 86_400.0).round() as i64;
    excel_epoch().checked_add_signed(chrono::Duration::seconds(seconds))
}

/// An Excel serial date as a date (the time of day dropped).
pub fn date_from_excel_serial(serial: f64) -> Option<NaiveDate> {
    datetime_from_excel_serial(serial.trunc()).map(|t| t.date())
}

/// A serial that travelled as text (CSV, a text cell): five digits, optionally a fraction.
fn text_serial(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    (int.len() == 5 && int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A calendar date: `2017-09-14`, `2017/9/14`, `2017.9.14`, `2017年9月14日`, `20170914`, an
/// Excel serial written as text (`42992`); a date-time (`2017/9/14 11:29`) gives its date.
pub fn parse_date(raw: &str) -> Result<NaiveDate, CellError> {
    let s = normalise_text(raw);
    let err = || CellError::new(Problem::NotDate, s.clone());
    if let Some(serial) = text_serial(&s) {
        return date_from_excel_serial(serial).ok_or_else(err);
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        // YYYYMMDD, as registrars' systems export birth and enrolment dates.
        let part = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        return NaiveDate::from_ymd_opt(part(0..4) as i32, part(4..6), part(6..8))
            .filter(|d| (1900..=2100).contains(&d.year()))
            .ok_or_else(err);
    }
    date_time_parts(&s).map(|(d, _)| d).ok_or_else(err)
}

/// A date and a time of day: `2017/9/14 11:29`, `2017-09-14 11:29:00`, `2017-09-14T11:29:00.000`,
/// `2017年9月14日 11:29`, `2017年9月14日11时29分`, `2017/9/14 下午 3:29`, `2017/9/14 3:29 PM`,
/// `11：29` with a full-width colon, an Excel serial with a fraction as text (`42992.47847`).
/// A date alone is refused ([`Problem::DateOnly`]): midnight would be a guess.
pub fn parse_datetime(raw: &str) -> Result<NaiveDateTime, CellError> {
    let s = normalise_text(raw);
    if let Some(serial) = text_serial(&s) {
        return match datetime_from_excel_serial(serial) {
            Some(_) if serial.fract() == 0.0 => Err(CellError::new(Problem::DateOnly, s)),
            Some(t) => Ok(t),
            None => Err(CellError::new(Problem::NotDateTime, s)),
        };
    }
    match date_time_parts(&s) {
        Some((d, Some(t))) => Ok(d.and_time(t)),
        Some((_, None)) => Err(CellError::new(Problem::DateOnly, s)),
        None if parse_date(&s).is_ok() => Err(CellError::new(Problem::DateOnly, s)),
        None => Err(CellError::new(Problem::NotDateTime, s)),
    }
}

/// A cursor over the characters of a date-time text.
struct Scan<'a> {
    rest: &'a str,
}

impl<'a> Scan<'a> {
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        if n < min || n > max {
            return None;
        }
        let (d, rest) = self.rest.split_at(n);
        self.rest = rest;
        d.parse().ok()
    }
    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }
    fn eat_any(&mut self, prefixes: &[&'static str]) -> Option<&'static str> {
        prefixes.iter().copied().find(|p| self.eat(p))
    }
    fn spaces(&mut self) {
        self.rest = self.rest.trim_start();
    }
    fn done(&self) -> bool {
        self.rest.is_empty()
    }
}

/// `YYYY-M-D`, `YYYY/M/D`, `YYYY.M.D` or `YYYY年M月D日`, then optionally a time of day.
fn date_time_parts(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let mut p = Scan { rest: s };
    let y = p.digits(4, 4)?;
    p.spaces();
    let sep = p.eat_any(&["-", "/", ".", "年"])?;
    let chinese = sep == "年";
    p.spaces();
    let m = p.digits(1, 2)?;
    if chinese {
        p.spaces();
    }
    if !p.eat(if chinese { "月" } else { sep }) {
        return None;
    }
    p.spaces();
    let d = p.digits(1, 2)?;
    if chinese {
        p.spaces();
        p.eat("日");
    }
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    if !chinese && !p.eat("T") {
        // A time needs a space before it, so 2017-09-141 is not the 14th at 1 o'clock.
        if !p.done() && !p.rest.starts_with(char::is_whitespace) {
            return None;
        }
    }
    p.spaces();
    if p.done() {
        return Some((date, None));
    }
    let time = time_of_day(&mut p)?;
    p.spaces();
    p.done().then_some((date, Some(time)))
}

/// `11:29`, `11:29:00`, `11:29:00.5`, `11时29分`, `11点29分05秒`, with `上午/下午` before or
/// `AM/PM` after.
fn time_of_day(p: &mut Scan<'_>) -> Option<NaiveTime> {
    let mut afternoon = match p.eat_any(&["上午", "下午", "晚上"]) {
        Some("上午") => Some(false),
        Some(_) => Some(true),
        None => None,
    };
    p.spaces();
    let mut h = p.digits(1, 2)?;
    let (mi, s, nanos);
    if p.eat(":") {
        mi = p.digits(2, 2)?;
        if p.eat(":") {
            s = p.digits(2, 2)?;
            nanos = if p.eat(".") { fraction_nanos(p)? } else { 0 };
        } else {
            (s, nanos) = (0, 0);
        }
    } else if p.eat_any(&["时", "点"]).is_some() {
        mi = p.digits(1, 2)?;
        p.eat("分");
        s = if p.rest.starts_with(|c: char| c.is_ascii_digit()) {
            let s = p.digits(1, 2)?;
            p.eat("秒");
            s
        } else {
            0
        };
        nanos = 0;
    } else {
        return None;
    }
    p.spaces();
    if afternoon.is_none() {
        afternoon = match p.eat_any(&["AM", "am", "PM", "pm"]) {
            Some("AM" | "am") => Some(false),
            Some(_) => Some(true),
            None => None,
        };
    }
    if let Some(pm) = afternoon {
        // 12-hour clock: 1 to 12 only; "下午 15:00" says the same thing twice, "上午 0:30" nothing.
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (pm, h) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    NaiveTime::from_hms_nano_opt(h, mi, s, nanos)
}

/// The digits after a seconds' point, as nanoseconds.
fn fraction_nanos(p: &mut Scan<'_>) -> Option<u32> {
    let n = p.rest.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > 9 {
        return None;
    }
    let (d, rest) = p.rest.split_at(n);
    p.rest = rest;
    Some(d.parse::<u32>().ok()? * 10u32.pow(9 - n as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> String {
        parse_datetime(s).unwrap_or_else(|e| panic!("{s}: {e}")).format("%Y-%m-%d %H:%M:%S").to_string()
    }

    #[test]
    fn whole_numbers_in_every_form_other_programs_write() {
        for s in ["4", "4.0", "4.00", " 4 ", "４", "４.０", "４．０", "+4", "4."] {
            assert_eq!(parse_int(s), Ok(4), "{s:?} is the whole number 4");
        }
        assert_eq!(parse_int("1,234"), Ok(1234));
        assert_eq!(parse_int("1,234.0"), Ok(1234));
        assert_eq!(parse_int("１，２３４"), Ok(1234), "full-width digits and comma");
        assert_eq!(parse_int("12,345,678"), Ok(12_345_678));
        assert_eq!(parse_int("-12"), Ok(-12));
        assert_eq!(parse_int("－１２"), Ok(-12), "a full-width minus");
        assert_eq!(parse_int("007"), Ok(7));
    }

    #[test]
    fn what_is_not_a_whole_number_is_refused_naming_the_value() {
        let e = parse_int("4.5").unwrap_err();
        assert_eq!((e.problem, e.value.as_str()), (Problem::NotInt, "4.5"));
        assert!(e.to_string().contains("4.5") && e.to_string().contains("整数"), "{e}");
        for s in ["", "four", "4 5", "1,23", "1,2345", ",123", "1,,234", "85%", "4.0.0", "--4", "0x10", "١"] {
            assert!(parse_int(s).is_err(), "{s:?} is not a whole number");
        }
        assert_eq!(parse_int("1.38E+10").unwrap_err().problem, Problem::Scientific, "digits may already be lost");
        assert_eq!(parse_int("99999999999999999999").unwrap_err().problem, Problem::NotInt, "too large, not wrapped");
    }

    #[test]
    fn numbers_with_separators_decimals_and_percent() {
        assert_eq!(parse_number("2.5"), Ok(2.5));
        assert_eq!(parse_number("1,234.5"), Ok(1234.5));
        assert_eq!(parse_number("１，２３４．５"), Ok(1234.5));
        assert_eq!(parse_number(".5"), Ok(0.5));
        assert_eq!(parse_number("85%"), Ok(0.85));
        assert_eq!(parse_number("８５％"), Ok(0.85), "full-width percent");
        assert_eq!(parse_number("12.5 %"), Ok(0.125));
        assert_eq!(parse_number("33.3%"), Ok(0.333), "the point is moved in the text, not by dividing a float");
        assert_eq!(parse_number("1.5E+3"), Ok(1500.0));
        for s in ["", "%", "abc", "1,23", "1 234", "12%%", "1e", "∞", "NaN", "inf"] {
            assert!(parse_number(s).is_err(), "{s:?} is not a number");
        }
        assert_eq!(normalise_number(" １，２３４．５０ ").unwrap(), "1234.50", "the written decimals are kept");
        assert_eq!(normalise_number("-.5").unwrap(), "-0.5");
    }

    #[test]
    fn yes_and_no() {
        for s in ["是", "Y", "y", "yes", "YES", "true", "TRUE", "√", "✓", "✔", "1", "1.0", "Ｙ", " 是 "] {
            assert_eq!(parse_bool(s), Ok(true), "{s:?} is yes");
        }
        for s in ["否", "N", "n", "no", "false", "×", "✗", "✘", "0", "0.0"] {
            assert_eq!(parse_bool(s), Ok(false), "{s:?} is no");
        }
        for s in ["x", "X", "2", "maybe", "是否", ""] {
            let e = parse_bool(s).unwrap_err();
            assert_eq!(e.problem, Problem::NotBool, "{s:?} is neither");
        }
        assert!(parse_bool("maybe").unwrap_err().to_string().contains("maybe"));
    }

    #[test]
    fn dates_in_every_form_and_garbage_refused() {
        for s in [
            "2017-09-14",
            "2017-9-14",
            "2017/9/14",
            "2017.9.14",
            "2017年9月14日",
            "2017年9月14",
            "2017 年 9 月 14 日",
            "２０１７－０９－１４",
            "20170914",
            "42992",
            "2017/9/14 11:29",
            "2017-09-14T11:29:00",
        ] {
            assert_eq!(parse_date(s).map(|d| d.to_string()), Ok("2017-09-14".into()), "{s:?}");
        }
        for s in ["2018-02-30", "2017-13-01", "17-9-14", "9/14/2017", "14.9.2017", "2017-9/14", "昨天", "2017-09-141", "2017"] {
            let e = parse_date(s).unwrap_err();
            assert_eq!(e.problem, Problem::NotDate, "{s:?} is refused");
            assert!(e.to_string().contains("日期格式不正确"), "{e}");
        }
        assert_eq!(date_from_excel_serial(43160.0).unwrap().to_string(), "2018-03-01");
        assert_eq!(date_from_excel_serial(43160.99).unwrap().to_string(), "2018-03-01", "the time of day is dropped");
        assert_eq!(date_from_excel_serial(0.5), None, "a time alone is no date");
    }

    #[test]
    fn date_times_in_every_form() {
        let want = "2017-09-14 11:29:00";
        for s in [
            "2017/9/14 11:29",
            "2017-09-14 11:29:00",
            "2017-09-14  11:29",
            "2017-09-14T11:29:00",
            "2017-09-14 11:29:00.000",
            "2017年9月14日 11:29",
            "2017年9月14日11:29",
            "2017年9月14日 11时29分",
            "2017年9月14日11点29分00秒",
            "2017/9/14 11：29",
            "２０１７/９/１４ １１：２９",
            "2017/9/14 上午 11:29",
            "2017/9/14 11:29 AM",
            "42992.47847222222",
        ] {
            assert_eq!(dt(s), want, "{s:?}");
        }
        assert_eq!(dt("2017/9/14 下午 3:29"), "2017-09-14 15:29:00");
        assert_eq!(dt("2017/9/14 12:05 AM"), "2017-09-14 00:05:00");
        assert_eq!(dt("2017/9/14 9:05"), "2017-09-14 09:05:00", "single-digit hours, as Excel shows them");
        assert_eq!(dt("2017-09-14 11:29:07.6"), "2017-09-14 11:29:07", "fractions of a second are kept but not shown");
    }

    #[test]
    fn a_date_alone_or_a_broken_time_is_refused_not_guessed() {
        for s in ["2017-09-14", "2017年9月14日", "42992"] {
            let e = parse_datetime(s).unwrap_err();
            assert_eq!(e.problem, Problem::DateOnly, "{s:?} has no time of day");
            assert!(e.to_string().contains("缺少时刻"), "{e}");
        }
        for s in [
            "2017-09-14 25:00",
            "2017-09-14 11:5",
            "2017-09-14 11:29 下午",
            "2017/9/14 下午 15:00",
            "2017-09-14 11:29+08:00",
            "11:29",
            "soon",
        ] {
            assert_eq!(parse_datetime(s).unwrap_err().problem, Problem::NotDateTime, "{s:?} is refused");
        }
    }

    #[test]
    fn excel_serials_become_date_times_to_the_second() {
        // 2017-09-14 11:29 is 42992 + (11*60+29)/1440; the float is not exact, the second is.
        let serial = 42992.0 + (11.0 * 60.0 + 29.0) / 1440.0;
        assert_eq!(datetime_from_excel_serial(serial).unwrap().to_string(), "2017-09-14 11:29:00");
        assert_eq!(
            datetime_from_excel_serial(serial - 1e-9).unwrap().to_string(),
            "2017-09-14 11:29:00",
            "rounded, not truncated"
        );
        assert_eq!(datetime_from_excel_serial(1.0).unwrap().to_string(), "1900-01-01 00:00:00");
        assert_eq!(datetime_from_excel_serial(61.0).unwrap().to_string(), "1900-03-01 00:00:00", "after the phantom leap day");
        assert_eq!(datetime_from_excel_serial(3e6), None);
    }
}
