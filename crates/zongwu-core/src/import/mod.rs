//! Importing the officer roster from xlsx / xls / csv. (Being built.)

use crate::dto;

dto! {
    pub struct RowError {
        /// 1-based row number as the user sees it in the sheet.
        pub row: i64,
        pub column: String,
        pub value: String,
        pub reason: String,
    }
}

dto! {
    pub struct ImportReport {
        pub accepted: bool,
        pub imported: i64,
        pub total_rows: i64,
        pub errors: Vec<RowError>,
    }
}

impl ImportReport {
    pub fn error_rows(&self) -> usize {
        let mut rows: Vec<i64> = self.errors.iter().map(|e| e.row).collect();
        rows.dedup();
        rows.len()
    }
}

use crate::{Actor, Error, Result, Store};
use std::path::Path;

/// Import officers from `file`. Returns the report; when any row is bad, nothing is written and
/// `accepted` is false.
pub async fn officers_report(_store: &Store, actor: &Actor, _file: &Path) -> Result<ImportReport> {
    actor.require_staff("导入信息专员")?;
    Err(Error::Internal("import not built yet".into()))
}
