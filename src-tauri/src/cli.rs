//! The headless CLI in the same binary as the window. Every subcommand calls the same core
//! functions as the window's commands; with no subcommand the window opens.

use crate::state;
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use zongwu_core::desktop::{Desktop, OpenOptions};
use zongwu_core::excel::RosterColumn;
use zongwu_core::sync::account::JoinChoice;
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
        /// Officers: create the units the roster names that do not exist yet, in the same write
        #[arg(long)]
        create_units: bool,
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
    /// Log in to a sync server; the token is stored, never the password
    Login {
        /// The server, e.g. https://zongwu.example.edu.cn
        url: String,
        #[arg(long)]
        user: String,
        /// Read the password from the first line of standard input (for scripts) instead of a prompt
        #[arg(long)]
        password_stdin: bool,
        /// With local changes not yet on any server: upload them, or start over from the server's data
        #[arg(long, value_enum)]
        join: Option<JoinArg>,
    },
    /// One push and pull with the server; exits with 1 when it fails (cron, Task Scheduler)
    Sync,
    /// The server and user this database syncs with, and the changes waiting to go up
    Status,
    /// Log out: the server takes the token back and this database forgets it
    Logout,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum JoinArg {
    Upload,
    DownloadOnly,
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
        Command::Import { what, file, report, create_units } => {
            let (outcome, noun) = match what {
                ImportWhat::Officers if create_units => {
                    (import::officers_report_creating_units(&store, &actor, &file).await?, "officers")
                }
                ImportWhat::Officers => (import::officers_report(&store, &actor, &file).await?, "officers"),
                ImportWhat::Units if create_units => {
                    anyhow::bail!("--create-units 只用于导入信息专员 (only for importing officers)")
                }
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
        Command::Login { url, user, password_stdin, join } => {
            drop(store);
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
                line.trim_end_matches(['\r', '\n']).to_string()
            } else {
                rpassword::prompt_password("密码 password: ").context("reading the password")?
            };
            let (mut account, plan) = desktop.login(&url, &user, &password).await?;
            if !account.joined {
                let choice = join
                    .map(|j| match j {
                        JoinArg::Upload => JoinChoice::Upload,
                        JoinArg::DownloadOnly => JoinChoice::DownloadOnly,
                    })
                    .or(plan.recommended)
                    .with_context(|| {
                        format!(
                            "本机有 {} 条修改尚未上传：请用 --join upload（上传本机数据）或 --join download-only（仅下载服务器数据）选择 \
                             ({} local changes are on no server yet: choose with --join)",
                            plan.pending, plan.pending
                        )
                    })?;
                account = desktop.join(choice).await?;
            }
            desktop.shutdown().await;
            println!("已登录 logged in to {} as {} ({})", account.server_url, account.login, account.role.as_str());
        }
        Command::Sync => {
            let client = desktop.client().await?;
            let report = client.sync_once(&store).await?;
            println!(
                "已同步 synced: pushed {}, pulled {}{}",
                report.pushed,
                report.pulled,
                if report.snapshot_rows > 0 {
                    format!(" ({} rows from the server's snapshot)", report.snapshot_rows)
                } else {
                    String::new()
                }
            );
            if let Some(offset) = report.clock_offset_ms {
                eprintln!("注意 warning: this computer's clock is off by {} s", offset / 1000);
            }
        }
        Command::Status => match desktop.account().await? {
            Some(a) => println!(
                "服务器 server: {}\n用户 user: {} ({}, {})\n待上传 pending: {}",
                a.server_url,
                a.login,
                a.name,
                a.role.as_str(),
                store.pending_changes().await?
            ),
            None => println!("未登录同步服务器 not logged in; 待上传 pending: {}", store.pending_changes().await?),
        },
        Command::Logout => {
            drop(store);
            desktop.logout().await?;
            desktop.shutdown().await;
            println!("已退出登录 logged out");
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
