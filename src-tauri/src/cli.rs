//! The headless CLI in the same binary as the window. Every subcommand calls the same core
//! functions as the window's commands; with no subcommand the window opens.

use crate::state;
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use zongwu_core::desktop::{Desktop, OpenOptions};
use zongwu_core::excel::RosterColumn;
use zongwu_core::{demo, excel, import, SystemClock};

#[derive(Debug, Parser)]
#[command(
    name = "zongwu",
    version,
    about = "总务 zongwu — 智慧总务建设办公室的桌面工具 (run without a command to open the window)"
)]
pub struct Cli {
    /// Directory of the database (default: the OS data directory; env ZONGWU_DATA_DIR)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill the database with demo data (units, officers, needs); refuses if it already has units
    Demo {
        /// Number of liaison officers to generate
        #[arg(long, default_value_t = 120)]
        officers: usize,
        /// Number of needs to generate
        #[arg(long, default_value_t = 60)]
        needs: usize,
    },
    /// Import records from an xlsx, xls or csv file; any bad row means nothing is written
    Import {
        #[arg(value_enum)]
        what: ImportWhat,
        file: PathBuf,
        /// Also write the row-level error report to this xlsx file when the import is refused
        #[arg(long, value_name = "FILE.xlsx")]
        report: Option<PathBuf>,
    },
    /// Export a workbook ready for a meeting
    Export {
        #[arg(value_enum)]
        what: ExportWhat,
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
        /// Roster only: the columns to write, in order, by header or key (e.g. "单位,工号,姓名,电话"
        /// or "unit,staff_no,name,phone"); `meeting` for the 10-column meeting edition
        #[arg(long, value_name = "LIST")]
        columns: Option<String>,
    },
    /// Copy the database now into the backups folder (or --out DIR)
    Backup {
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Replace the database with a backup (the current one is kept as before-restore-*.db)
    Restore { file: PathBuf },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportWhat {
    Officers,
    Units,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportWhat {
    Officers,
    Needs,
    Units,
    Template,
}

/// Parse arguments, run, and return the process exit code.
pub fn main() -> i32 {
    crate::started();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("ZONGWU_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let data_dir = state::resolve_data_dir(cli.data_dir.clone());
    let result = match cli.command {
        None => crate::run_window(data_dir),
        Some(command) => {
            tokio::runtime::Runtime::new().context("starting the runtime").and_then(|rt| rt.block_on(run(command, data_dir)))
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            1
        }
    }
}

async fn run(command: Command, data_dir: PathBuf) -> anyhow::Result<()> {
    // The same lifecycle as the window (built-in users, who acts), but never demo data
    // implicitly, and no background sync.
    let desktop = Desktop::open(&data_dir, Arc::new(SystemClock), OpenOptions::default())
        .await
        .with_context(|| format!("opening the database in {}", data_dir.display()))?;
    let store = desktop.store().await;
    let actor = desktop.actor().await;
    match command {
        Command::Restore { file } => {
            drop(store);
            let safety = desktop.restore(&file).await?;
            println!("已恢复 restored {} (previous database kept at {})", file.display(), safety.display());
        }
        Command::Demo { officers, needs } => {
            if !zongwu_core::units::list(&store).await?.is_empty() {
                anyhow::bail!("数据库已有数据，未生成演示数据 (database at {} already has units)", data_dir.display());
            }
            let size = demo::DemoSize { officers, needs, ..Default::default() };
            let counts = demo::generate(&store, &size).await?;
            println!("演示数据已生成 demo data: {counts}");
        }
        Command::Import { what, file, report } => {
            let (outcome, noun) = match what {
                ImportWhat::Officers => (import::officers_report(&store, &actor, &file).await?, "officers"),
                ImportWhat::Units => (import::units_report(&store, &actor, &file).await?, "new units"),
            };
            if outcome.accepted {
                println!("已导入 imported {} {noun} from {}", outcome.imported, file.display());
            } else {
                for e in outcome.errors.iter().take(50) {
                    eprintln!("第 {} 行 row {} [{}] {:?}: {}", e.row, e.row, e.column, e.value, e.reason);
                }
                if outcome.errors.len() > 50 {
                    eprintln!("… {} more", outcome.errors.len() - 50);
                }
                if let Some(path) = report {
                    excel::export_import_report(&outcome, &path)?;
                    eprintln!("错误报告 error report: {}", path.display());
                }
                anyhow::bail!("导入被拒绝，未写入任何数据 (import refused: {} errors, nothing written)", outcome.errors.len());
            }
        }
        Command::Export { what, out, columns } => {
            let columns = match (&what, columns) {
                (_, None) => RosterColumn::ALL.to_vec(),
                (ExportWhat::Officers, Some(list)) => roster_columns(&list)?,
                (_, Some(_)) => anyhow::bail!("--columns 只用于名册 (only the officers roster takes --columns)"),
            };
            let result = match what {
                ExportWhat::Officers => excel::export_officers(&store, &actor, &out, &columns).await?,
                ExportWhat::Needs => excel::export_needs(&store, &actor, &out).await?,
                ExportWhat::Units => excel::export_units(&store, &actor, &out).await?,
                ExportWhat::Template => excel::export_officer_template(&store, &out).await?,
            };
            println!("已导出 exported {} rows to {}", result.rows, result.path);
        }
        Command::Backup { out } => {
            let info = desktop.backup_now(out.as_deref()).await?;
            println!("已备份 backup written: {} ({} bytes)", info.path, info.size_bytes);
        }
    }
    Ok(())
}

/// `meeting`, or a comma-separated list of roster columns by header or key.
fn roster_columns(list: &str) -> anyhow::Result<Vec<RosterColumn>> {
    if list.trim() == "meeting" {
        return Ok(RosterColumn::MEETING.to_vec());
    }
    list.split([',', '，'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            RosterColumn::parse(s).with_context(|| {
                let known: Vec<&str> = RosterColumn::ALL.iter().map(|c| c.header()).collect();
                format!("没有这一列 unknown column: {s} (可选 choose from: {})", known.join(","))
            })
        })
        .collect()
}
