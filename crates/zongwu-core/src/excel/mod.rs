//! Excel workbooks for meetings. (Being built.)

use crate::import::ImportReport;
use crate::{dto, Actor, Error, Result, Store};
use std::path::{Path, PathBuf};

dto! {
    pub struct ExportResult {
        pub path: String,
        pub rows: i64,
    }
}

/// `dir/<name>-YYYYMMDD-HHMMSS.xlsx`, by the store clock's local time.
pub fn timestamped_path(dir: &Path, name: &str, store: &Store) -> PathBuf {
    use chrono::TimeZone;
    let stamp = chrono::Local.timestamp_millis_opt(store.now_ms()).single().unwrap_or_default().format("%Y%m%d-%H%M%S");
    dir.join(format!("{name}-{stamp}.xlsx"))
}

pub async fn export_officers(_store: &Store, _actor: &Actor, _out: &Path) -> Result<ExportResult> {
    Err(Error::Internal("not built yet".into()))
}

pub async fn export_needs(_store: &Store, _actor: &Actor, _out: &Path) -> Result<ExportResult> {
    Err(Error::Internal("not built yet".into()))
}

pub async fn export_officer_template(_store: &Store, _out: &Path) -> Result<ExportResult> {
    Err(Error::Internal("not built yet".into()))
}

pub fn export_import_report(_report: &ImportReport, _out: &Path) -> Result<ExportResult> {
    Err(Error::Internal("not built yet".into()))
}
