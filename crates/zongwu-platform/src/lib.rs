//! The campus service platforms' records — repair tickets (报修), complaints (吐槽) and payments
//! — and the rules every record passes before anyone stores or scores it.
//!
//! A platform sends records as JSON batches or as its own export files (CSV in UTF-8 or GBK,
//! xlsx, xls). Both become an [`Intake`] (records numbered by their row, with what reading
//! found wrong), and [`validate`] turns an intake into either every record ready to store
//! ([`Batch`]) or a row-level report of everything wrong ([`IntakeReport`]) — all or nothing.
//!
//! Knows nothing of HTTP or storage: the server's intake routes only convert to and from this
//! crate, and the assessment of service units (issue #5) reads records by the same shapes and
//! rules. The record shapes themselves are wire types in [`zongwu_proto::public`]; the export
//! files are read by [`zongwu_sheet`], the reader the desktop's imports use.

mod records;

pub use records::{normalise_timestamp, yuan_to_fen};

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use zongwu_proto::public::{IntakeReport, RowError};
use zongwu_sheet::{Cell, TableRow, TableSpec};

/// Most records one JSON batch may carry (a file may carry more, up to the server's body limit).
pub const MAX_BATCH: usize = 1000;

/// The kinds of record, as they appear in the intake routes' paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum IntakeKind {
    RepairTickets,
    Complaints,
    Payments,
}

impl IntakeKind {
    pub const ALL: [IntakeKind; 3] = [IntakeKind::RepairTickets, IntakeKind::Complaints, IntakeKind::Payments];

    /// The stored `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeKind::RepairTickets => "repair",
            IntakeKind::Complaints => "complaint",
            IntakeKind::Payments => "payment",
        }
    }

    /// The kind of a stored `kind` (`repair`, `complaint`, `payment`).
    pub fn from_stored(kind: &str) -> Option<IntakeKind> {
        IntakeKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// One problem with a record: (column key, the value as sent, why it is refused).
pub type Problem = (&'static str, String, String);
pub type Problems = Vec<Problem>;

/// A record one platform sends: how to validate it, where it sits in an export file.
pub trait IntakeRecord: Serialize + Sized {
    const KIND: IntakeKind;
    /// The columns of the platform's export file.
    const SPEC: TableSpec;
    /// Normalise in place; every problem found.
    fn check(&mut self) -> Problems;
    fn record_id(&self) -> &str;
    fn unit(&self) -> Option<&str>;
    fn occurred_at(&self) -> &str;
    /// The record of one file row (values already text); missing required cells become "".
    fn from_row(row: &Cells<'_>) -> Result<Self, Problems>;
}

/// One file row by column key. Every typed value is read through `zongwu_sheet`'s
/// [`Cell`] accessors, so a platform's file gets the tolerance of every other import.
pub struct Cells<'a> {
    pub row: &'a TableRow,
    pub spec: &'a TableSpec,
}

impl Cells<'_> {
    /// The cell of column `key` as the file holds it ([`Cell::Empty`] when the file lacks it).
    pub fn cell(&self, key: &str) -> &Cell {
        const EMPTY: &Cell = &Cell::Empty;
        self.spec.index_of(key).map_or(EMPTY, |i| self.row.cell(i))
    }
    pub fn text(&self, key: &str) -> Option<String> {
        self.spec.index_of(key).and_then(|i| self.row.get(i)).map(str::to_string)
    }
    pub fn required(&self, key: &str) -> String {
        self.text(key).unwrap_or_default()
    }
    /// A number kept exactly as text (a record id); a problem when the cell has lost digits.
    pub fn exact(&self, key: &'static str, p: &mut Problems) -> String {
        self.cell(key)
            .as_text_exact()
            .unwrap_or_else(|e| {
                p.push((key, e.value.clone(), e.bilingual()));
                None
            })
            .unwrap_or_default()
    }
    /// A time as the record's text: a date-time cell or serial as `YYYY-MM-DD HH:MM:SS`; any
    /// other cell as written, for [`IntakeRecord::check`] to judge by the rules JSON gets.
    pub fn time(&self, key: &str) -> Option<String> {
        let cell = self.cell(key);
        match cell.as_datetime() {
            Ok(t) => t.map(|t| t.format(zongwu_sheet::DATETIME_FORMAT).to_string()),
            Err(_) => cell.as_text(),
        }
    }
}

/// Records read from a JSON batch or a file, with what reading found wrong.
#[derive(Debug, Clone)]
pub struct Intake<T> {
    /// Each record with its row number for the report.
    pub rows: Vec<(i64, T)>,
    /// Data rows read, those that could not become a record included.
    pub total: i64,
    pub errors: Vec<RowError>,
    /// A file's own header for each field key, so the report names the columns as the sheet
    /// does (报修时间, not created_at); empty for JSON, whose field names are the keys.
    pub headers: HashMap<&'static str, String>,
}

impl<T> Intake<T> {
    /// A JSON batch: records numbered from 1. The caller enforces [`MAX_BATCH`].
    pub fn numbered(records: Vec<T>) -> Intake<T> {
        let total = records.len() as i64;
        let rows = records.into_iter().enumerate().map(|(i, r)| (i as i64 + 1, r)).collect();
        Intake { rows, total, errors: Vec::new(), headers: HashMap::new() }
    }
}

/// A validated record to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlatformRecord {
    pub platform_record_id: String,
    pub unit: Option<String>,
    pub occurred_at: String,
    /// The record's fields as JSON text (canonical: serialised from the typed, normalised record).
    pub payload: String,
}

/// Every record of an intake, valid and ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub kind: IntakeKind,
    /// Data rows read.
    pub total: i64,
    pub records: Vec<NewPlatformRecord>,
}

/// Read an export file (xlsx, xls or CSV, told apart by its first bytes) into records numbered
/// by their row in the sheet, and the errors found while reading. A file that cannot be read at
/// all is one row-0 error, not a failure: the platform gets a report either way.
pub fn read_file<T: IntakeRecord>(bytes: &[u8]) -> Intake<T> {
    let spec = T::SPEC;
    let table = match zongwu_sheet::read_bytes(bytes, &spec) {
        Ok(t) => t,
        Err(e) => {
            let reason = format!("无法读取文件 (unreadable file): {e}");
            let errors = vec![RowError { row: 0, column: String::new(), value: String::new(), reason }];
            return Intake { rows: Vec::new(), total: 0, errors, headers: HashMap::new() };
        }
    };
    let mut headers: HashMap<&'static str, String> =
        spec.columns.iter().enumerate().map(|(i, c)| (c.key, table.header(&spec, i).to_string())).collect();
    if let Some(amount) = headers.get("amount").cloned() {
        // A payment's amount is checked in fen but comes from the sheet's yuan column.
        headers.insert("amount_cents", amount);
    }
    let to_wire = |e: &zongwu_sheet::RowError| RowError {
        row: e.row,
        column: e.column.clone(),
        value: e.value.clone(),
        reason: e.reason.clone(),
    };
    let mut errors: Vec<RowError> = table.problems.iter().map(to_wire).collect();
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        errors.extend(row.errors.iter().map(to_wire));
        match T::from_row(&Cells { row, spec: &spec }) {
            Ok(r) => rows.push((row.row, r)),
            Err(problems) => errors.extend(problems.into_iter().map(|(column, value, reason)| RowError {
                row: row.row,
                column: headers.get(column).cloned().unwrap_or_else(|| column.to_string()),
                value,
                reason,
            })),
        }
    }
    Intake { rows, total: table.rows.len() as i64, errors, headers }
}

/// Check and normalise every record; all of them ready to store, or the report of every
/// problem (reading's and checking's, by row; a record id twice; no records at all) and nothing
/// to store.
pub fn validate<T: IntakeRecord>(intake: Intake<T>) -> Result<Batch, IntakeReport> {
    let Intake { rows, total, errors: read_errors, headers } = intake;
    let column_of = |key: &str| headers.get(key).cloned().unwrap_or_else(|| key.to_string());
    let mut errors = Vec::new();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (row, mut r) in rows {
        for (column, value, reason) in r.check() {
            errors.push(RowError { row, column: column_of(column), value, reason });
        }
        if let Some(first) = seen.insert(r.record_id().to_string(), row) {
            if !r.record_id().is_empty() {
                errors.push(RowError {
                    row,
                    column: column_of("platform_record_id"),
                    value: r.record_id().into(),
                    reason: format!("与第 {first} 行重复 (the same record id as row {first})"),
                });
            }
        }
        let payload = serde_json::to_string(&r).expect("a record of text, numbers and booleans serialises");
        out.push(NewPlatformRecord {
            platform_record_id: r.record_id().to_string(),
            unit: r.unit().map(str::to_string),
            occurred_at: r.occurred_at().to_string(),
            payload,
        });
    }
    errors.extend(read_errors);
    if total == 0 && errors.is_empty() {
        errors.push(RowError { row: 0, column: String::new(), value: String::new(), reason: "没有记录 (no records)".into() });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(IntakeReport { accepted: false, total, created: 0, updated: 0, unchanged: 0, errors });
    }
    Ok(Batch { kind: T::KIND, total, records: out })
}

/// A platform's name as keys are issued for it: trimmed, 1 to 64 ASCII letters, digits, `-`
/// or `_`.
pub fn platform_name(raw: &str) -> Option<&str> {
    let p = raw.trim();
    ((1..=64).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(p)
}

/// A key's label as stored: trimmed, without NUL, at most 100 characters.
pub fn key_label(raw: &str) -> String {
    raw.trim().chars().filter(|c| *c != '\0').take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zongwu_proto::public::RepairTicket;

    fn ticket(id: &str, created_at: &str) -> RepairTicket {
        RepairTicket {
            platform_record_id: id.into(),
            unit: " 饮食服务中心 ".into(),
            category: Some("  ".into()),
            location: None,
            created_at: created_at.into(),
            accepted_at: None,
            completed_at: None,
            closed_at: None,
            rating: None,
            reopened: None,
        }
    }

    #[test]
    fn a_valid_batch_is_normalised_and_stored_by_its_typed_form() {
        let batch = validate(Intake::numbered(vec![ticket("R1", "2026/9/1 8:05")])).unwrap();
        assert_eq!((batch.kind, batch.total), (IntakeKind::RepairTickets, 1));
        let r = &batch.records[0];
        assert_eq!(r.unit.as_deref(), Some("饮食服务中心"), "the unit is trimmed before it is stored");
        assert_eq!(r.occurred_at, "2026-09-01 08:05:00", "times are stored in one form, so text order is time order");
        assert!(!r.payload.contains("\"category\":\"  \""), "a blank optional field is stored as absent: {}", r.payload);
    }

    #[test]
    fn one_bad_record_refuses_the_batch_with_every_problem_by_row() {
        let report = validate(Intake::numbered(vec![ticket("R1", "2026-09-01 08:00"), ticket("R1", "2026-09-01")])).unwrap_err();
        assert!(!report.accepted);
        assert_eq!(report.total, 2);
        let columns: Vec<(i64, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(columns, [(2, "created_at"), (2, "platform_record_id")], "a date alone and the repeated id, both on row 2");
    }

    #[test]
    fn no_records_is_a_report_not_an_empty_success() {
        let report = validate(Intake::<RepairTicket>::numbered(Vec::new())).unwrap_err();
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].row, 0);
    }

    /// (row, column, reason) of each error.
    type Refusal = Vec<(i64, String, String)>;

    fn ratings_of(csv: &str) -> Result<Vec<Option<i64>>, Refusal> {
        let intake = read_file::<RepairTicket>(csv.as_bytes());
        let ratings = intake.rows.iter().map(|(_, r)| r.rating).collect();
        match validate(intake) {
            Ok(_) => Ok(ratings),
            Err(report) => Err(report.errors.into_iter().map(|e| (e.row, e.column, e.reason)).collect()),
        }
    }

    #[test]
    fn an_export_file_gets_the_shared_readers_tolerance() {
        let csv = "报修单号,服务单位,报修时间,评价,是否返修\n\
                   R1,水电中心,2017/9/14 11:29,4.0,否\n\
                   R2,水电中心,2017年9月14日 11：29,４,×\n\
                   R3,水电中心,2017-09-14 11:29:00,5星,√\n\
                   R4,水电中心,42992.47847222222,\"4,0\",\n";
        let err = ratings_of(csv).unwrap_err();
        assert_eq!(err.len(), 1, "only the rating 4,0 is refused: {err:?}");
        assert_eq!((err[0].0, err[0].1.as_str()), (5, "评价"));
        let csv = csv.replace("\"4,0\"", "4");
        assert_eq!(ratings_of(&csv), Ok(vec![Some(4), Some(4), Some(5), Some(4)]), "4.0, ４, 5星 and 4 are scores");
        let intake = read_file::<RepairTicket>(csv.as_bytes());
        let batch = validate(intake).unwrap();
        assert!(batch.records.iter().all(|r| r.occurred_at == "2017-09-14 11:29:00"), "{:?}", batch.records);
        assert!(batch.records[1].payload.contains("\"reopened\":false"), "× is no: {}", batch.records[1].payload);
    }

    #[test]
    fn a_half_score_is_refused_with_a_clear_reason() {
        let err = ratings_of("报修单号,服务单位,报修时间,评价\nR1,水电中心,2017-09-14 11:29,4.5\n").unwrap_err();
        assert_eq!(err.len(), 1, "{err:?}");
        assert_eq!(err[0].2, "「4.5」不是整数：应为 1 到 5 的整数 (must be a whole number 1 to 5)");
    }

    #[test]
    fn stored_kinds_round_trip() {
        for k in IntakeKind::ALL {
            assert_eq!(IntakeKind::from_stored(k.as_str()), Some(k));
        }
        assert_eq!(IntakeKind::from_stored("repair-tickets"), None, "the path form is not the stored form");
    }

    #[test]
    fn platform_names_are_plain_identifiers() {
        assert_eq!(platform_name(" wechat-1 "), Some("wechat-1"));
        assert_eq!(platform_name(""), None);
        assert_eq!(platform_name("微信"), None);
        assert_eq!(key_label(" a\0b "), "ab");
    }
}
