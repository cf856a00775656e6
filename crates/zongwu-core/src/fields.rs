//! Validated field values shared by forms and imports: a value that fails here never reaches the
//! store. Errors are short Chinese sentences shown next to the field or in an import report.

use chrono::NaiveDate;

/// A staff or student number: kept as text (leading zeros matter), ASCII letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffNo(String);

impl StaffNo {
    pub fn parse(raw: &str) -> Result<StaffNo, String> {
        let s = normalise_text(raw);
        if s.is_empty() {
            return Err("工号不能为空".into());
        }
        if s.len() > 32 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(format!("工号只能包含字母、数字、- 和 _：{s}"));
        }
        Ok(StaffNo(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A mainland mobile number (11 digits starting with 1) or a landline with area code
/// (e.g. 0516-83885000), optionally with an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let s: String = normalise_text(raw).chars().filter(|c| !c.is_whitespace()).collect();
        let s = s.strip_prefix("+86").unwrap_or(&s).to_string();
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let only_digits_and_dashes = s.chars().all(|c| c.is_ascii_digit() || c == '-');
        let mobile = digits.len() == 11 && digits.starts_with('1') && digits == s;
        let landline = only_digits_and_dashes && s.starts_with('0') && (10..=16).contains(&digits.len()) && s.contains('-');
        if mobile || landline {
            Ok(Phone(s))
        } else {
            Err(format!("电话号码格式不正确：{raw}（手机号 11 位，座机如 0516-83885000）"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// 138****8000: lists show this, the detail view shows the whole number.
    pub fn masked(raw: &str) -> String {
        let chars: Vec<char> = raw.chars().collect();
        if chars.len() < 7 {
            return "*".repeat(chars.len());
        }
        let keep_tail = 4;
        let keep_head = 3;
        let mid = chars.len() - keep_head - keep_tail;
        format!(
            "{}{}{}",
            chars[..keep_head].iter().collect::<String>(),
            "*".repeat(mid),
            chars[chars.len() - keep_tail..].iter().collect::<String>()
        )
    }
}

/// A calendar date written `YYYY-MM-DD`; also accepts `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日`
/// and the other forms the spreadsheet reader takes ([`zongwu_sheet::parse_date`]), so a form
/// and an import agree on what a date is.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    zongwu_sheet::parse_date(raw).map_err(|e| e.to_string())
}

// One definition for the spreadsheet reader and the forms.
pub use zongwu_sheet::{date_from_excel_serial, normalise_text};

pub fn optional(raw: Option<&str>) -> Option<String> {
    raw.map(normalise_text).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert!(Phone::parse("13800138000").is_ok());
        assert!(Phone::parse("１３８００１３８０００").is_ok(), "full-width digits are accepted");
        assert!(Phone::parse("0516-83885000").is_ok());
        assert!(Phone::parse("1380013800").is_err(), "10 digits is not a mobile number");
        assert!(Phone::parse("abc").is_err());
        assert_eq!(Phone::masked("13800138000"), "138****8000");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2018/3/1").unwrap().to_string(), "2018-03-01");
        assert_eq!(parse_date("2018年3月1日").unwrap().to_string(), "2018-03-01");
        assert!(parse_date("2018-02-30").is_err());
        assert_eq!(date_from_excel_serial(43160.0).unwrap().to_string(), "2018-03-01");
    }
}
