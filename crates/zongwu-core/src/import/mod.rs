//! Imports from the spreadsheets people already keep.
//!
//! [`table`] (the `zongwu-sheet` crate) turns a file (xlsx / xls / csv) into header-mapped rows of
//! text and knows nothing of the domain; [`officers`] maps roster rows onto the officer rules.
//! Every import validates every row first and writes nothing unless all of them are good; then it
//! writes all rows in one [`crate::store::WriteTx`], so the import is one transaction in the
//! history and in sync.

pub mod officers;
pub mod units;
/// The spreadsheet reader, a crate of its own so the server's platform intake shares it without
/// linking the store.
pub use zongwu_sheet as table;
pub use zongwu_sheet::RowError;

use crate::dto;

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

    /// Nothing written; `errors` says why.
    pub fn rejected(total_rows: i64, errors: Vec<RowError>) -> ImportReport {
        ImportReport { accepted: false, imported: 0, total_rows, errors }
    }
}

use crate::{enum_dto, Actor, Result, Store};
use std::path::Path;

/// Read `file` by `spec` off the async threads. `Err(report)` when the file as a whole is
/// unusable (no matching sheet, a required column missing): the import is refused with it.
async fn read_table(file: &Path, spec: &'static table::TableSpec) -> Result<std::result::Result<table::Table, ImportReport>> {
    let path = file.to_path_buf();
    let table = tokio::task::spawn_blocking(move || table::read(&path, spec))
        .await
        .map_err(|e| crate::Error::Internal(format!("读取文件的任务失败：{e}")))??;
    if !table.problems.is_empty() {
        return Ok(Err(ImportReport::rejected(table.rows.len() as i64, table.problems)));
    }
    Ok(Ok(table))
}

/// Two ways of writing one unit name (spacing, full-width forms, letter case) as one key: the
/// roster's unit lookup and the units import agree on what "the same unit" is.
fn unit_key(raw: &str) -> String {
    crate::fields::normalise_text(raw).chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

enum_dto! {
    #[derive(Copy, Eq)]
    pub enum ImportPhase {
        Reading,
        Validating,
        Writing,
        Done,
    }
}

dto! {
    /// How far an import has got, for a progress bar: `done` of `total` rows in `phase`.
    pub struct ImportProgress {
        pub phase: ImportPhase,
        pub done: i64,
        pub total: i64,
    }
}

/// Where progress goes; the window forwards it to the UI, the CLI ignores it.
pub type ProgressFn<'a> = &'a (dyn Fn(ImportProgress) + Send + Sync);

/// Import officers from `file` (xlsx, xls or csv; see [`officers::COLUMNS`] for the headers).
/// Returns the report; when any row is bad, nothing is written and `accepted` is false. A file
/// that cannot be opened at all is an `Err` ([`crate::Error::Sheet`] or I/O).
pub async fn officers_report(store: &Store, actor: &Actor, file: &Path) -> Result<ImportReport> {
    officers_report_with_progress(store, actor, file, &|_| {}).await
}

/// [`officers_report`], telling `progress` about each phase and every few thousand rows written.
pub async fn officers_report_with_progress(
    store: &Store,
    actor: &Actor,
    file: &Path,
    progress: ProgressFn<'_>,
) -> Result<ImportReport> {
    actor.require("officers", zongwu_proto::rules::Action::Create, "导入信息专员")?;
    officers::import(store, actor, file, false, progress).await
}

/// [`officers_report`] that also creates, in the same write, the units the roster names and the
/// system does not have yet (kinds inferred from the names, codes generated).
pub async fn officers_report_creating_units(store: &Store, actor: &Actor, file: &Path) -> Result<ImportReport> {
    actor.require("officers", zongwu_proto::rules::Action::Create, "导入信息专员")?;
    actor.require("units", zongwu_proto::rules::Action::Create, "导入时新建二级单位")?;
    officers::import(store, actor, file, true, &|_| {}).await
}

/// Import units from `file` (xlsx, xls or csv; see [`units::COLUMNS`]): new names are created in
/// one write, names already in the system are left alone, any bad row means nothing is written.
pub async fn units_report(store: &Store, actor: &Actor, file: &Path) -> Result<ImportReport> {
    actor.require("units", zongwu_proto::rules::Action::Create, "导入二级单位")?;
    units::import(store, actor, file).await
}
