//! The `zongwu-server` binary: read settings, optionally seed demo accounts, serve until Ctrl-C
//! or SIGTERM.

use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;
use zongwu_server::{AppState, Settings};

#[derive(Debug, Parser)]
#[command(name = "zongwu-server", version, about = "zongwu sync server")]
struct Cli {
    /// TOML settings file (values from ZONGWU_* environment variables override it).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seed demo accounts (admin, office, expert, one officer per demo unit) and print them; also
    /// publish a demo housing plan (`ZONGWU_DEMO_STUDENTS`, default 10,000) and a platform key.
    #[arg(long)]
    demo: bool,
    /// After restoring a backup of the database: draw a new epoch before serving, so every
    /// desktop offers its changes again and pulls from the start (nothing the backup lost, and
    /// nothing written after the restore, is skipped)
    #[arg(long)]
    new_epoch: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref()).context("reading settings")?;
    tracing::info!(?settings, "starting");
    let listener =
        tokio::net::TcpListener::bind(&settings.listen).await.with_context(|| format!("binding {}", settings.listen))?;
    if cli.new_epoch {
        let epoch = zongwu_server::renew_epoch(&settings).await.context("drawing a new epoch")?;
        println!("new epoch {epoch}: every desktop will offer its changes again and pull from the start");
    }
    let state = AppState::new(settings).await.context("opening the database")?;
    if cli.demo {
        let accounts = zongwu_server::demo::seed(&state).await.context("seeding demo accounts")?;
        println!("demo accounts (login / password / role / unit):");
        for a in accounts {
            println!("  {:<10} {:<22} {:<8} {}", a.login, a.password, a.role.as_str(), a.unit_id.as_deref().unwrap_or("-"));
        }
        print_demo_public(&state, &listener).await?;
    }
    zongwu_server::serve(state, listener, shutdown_signal()).await.context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Seed the demo housing plan and platform key, and print how to call them.
async fn print_demo_public(state: &AppState, listener: &tokio::net::TcpListener) -> anyhow::Result<()> {
    let students = std::env::var("ZONGWU_DEMO_STUDENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let p = zongwu_server::demo::seed_public(state, students).await.context("seeding the demo housing plan")?;
    let addr = listener.local_addr().context("local address")?;
    println!("demo housing plan {} published: {} freshmen (2026000001…), four to a room", p.plan_id, p.students);
    println!("  查住宿: curl -s http://{addr}/api/v1/public/room -H 'content-type: application/json' \\");
    println!("          -d '{{\"student_no\":\"{}\",\"second_factor\":\"{}\"}}'", p.student_no, p.second_factor);
    println!("demo platform key (demo-platform, shown once): {}", p.platform_key);
    println!(
        "  报修: curl -s http://{addr}/api/v1/intake/repair-tickets -H 'x-api-key: {}' -H 'content-type: application/json' \\",
        p.platform_key
    );
    println!("          -d '{{\"records\":[{{\"platform_record_id\":\"R1\",\"unit\":\"饮食服务中心\",\"created_at\":\"2026-09-01 10:00\"}}]}}'");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
