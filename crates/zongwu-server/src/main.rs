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
    /// Seed demo accounts (admin, office, expert, one officer per demo unit) and print them.
    #[arg(long)]
    demo: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref()).context("reading settings")?;
    tracing::info!(?settings, "starting");
    let listener =
        tokio::net::TcpListener::bind(&settings.listen).await.with_context(|| format!("binding {}", settings.listen))?;
    let state = AppState::new(settings).await.context("opening the database")?;
    if cli.demo {
        let accounts = zongwu_server::demo::seed(&state).await.context("seeding demo accounts")?;
        println!("demo accounts (login / password / role / unit):");
        for a in accounts {
            println!("  {:<10} {:<22} {:<8} {}", a.login, a.password, a.role.as_str(), a.unit_id.as_deref().unwrap_or("-"));
        }
    }
    zongwu_server::serve(state, listener, shutdown_signal()).await.context("serving")?;
    tracing::info!("stopped");
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
