//! Excel workbooks for meetings, written with rust_xlsxwriter.
//!
//! [`book`] holds what every workbook shares (Chinese default font, header style, frozen header,
//! autofilter, print setup, real date cells, document properties, a save that goes through a
//! temporary file and a rename). Each workbook has its own module: [`officers`] (the roster,
//! streamed into a constant-memory sheet), [`needs`], [`template`] (the import template) and
//! [`report`] (an import's row-level error report).

pub mod book;
pub mod needs;
pub mod officers;
pub mod report;
pub mod template;
pub mod units;

use crate::import::ImportReport;
use crate::{dto, Actor, Result, Store};
use rust_xlsxwriter::{Chart, ChartFont, ChartLegendPosition};
use std::path::{Path, PathBuf};

dto! {
    pub struct ExportResult {
        pub path: String,
        /// Data rows in the main sheet (errors, for an error report).
        pub rows: i64,
    }
}

/// `dir/<name>-YYYYMMDD-HHMMSS.xlsx`, by the store clock's local time.
pub fn timestamped_path(dir: &Path, name: &str, store: &Store) -> PathBuf {
    use chrono::TimeZone;
    let stamp = chrono::Local.timestamp_millis_opt(store.now_ms()).single().unwrap_or_default().format("%Y%m%d-%H%M%S");
    dir.join(format!("{name}-{stamp}.xlsx"))
}

pub use officers::RosterColumn;

/// The roster as `actor` may see it (officers: their own unit), the chosen columns in their
/// order ([`RosterColumn::ALL`] for every one), with a summary sheet and chart.
pub async fn export_officers(store: &Store, actor: &Actor, out: &Path, columns: &[RosterColumn]) -> Result<ExportResult> {
    officers::export(store, actor, out, columns).await
}

/// The needs list as `actor` may see it, with a unit × status summary and chart.
pub async fn export_needs(store: &Store, actor: &Actor, out: &Path) -> Result<ExportResult> {
    needs::export(store, actor, out).await
}

/// The units with their active officers, in the columns the units import reads.
pub async fn export_units(store: &Store, actor: &Actor, out: &Path) -> Result<ExportResult> {
    units::export(store, actor, out).await
}

/// The officer import template (headers the importer accepts, drop-down lists, formats).
pub async fn export_officer_template(store: &Store, out: &Path) -> Result<ExportResult> {
    template::export(store, out).await
}

/// An import's row-level error report (行号, 列, 值, 原因).
pub fn export_import_report(report: &ImportReport, out: &Path) -> Result<ExportResult> {
    report::export(report, out)
}

/// Title, axis and legend in the workbook's Chinese font.
pub(crate) fn chart_style(chart: &mut Chart, title: &str, y_name: &str) {
    let mut font = ChartFont::new();
    font.set_name(book::FONT);
    let mut title_font = font.clone();
    title_font.set_bold();
    chart.title().set_name(title).set_font(&title_font);
    chart.x_axis().set_font(&font);
    chart.y_axis().set_name(y_name).set_name_font(&font).set_font(&font);
    chart.legend().set_position(ChartLegendPosition::Bottom).set_font(&font);
}
