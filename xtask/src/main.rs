//! `cargo xtask …` — the one entry point for setting up, running and testing zongwu on every OS.
//!
//! The alias lives in `.cargo/config.toml` (`xtask = "run --package xtask --"`), so nothing has
//! to be installed first. Every subcommand is a sequence of plain external commands (`apt-get`,
//! `npm`, `cargo`, `Xvfb`); this crate only decides which ones are needed and reports what ran.
//!
//! - `setup`    install what is missing (system packages on Debian/Ubuntu, `npm ci` in `ui/`)
//! - `demo`     build the UI if stale and run the desktop app on a demo database
//! - `test`     every test CI runs: UI type-check and unit tests, fmt, clippy, Rust tests, and the
//!   WebDriver end-to-end test of the real window under Xvfb
//! - `e2e`      only the end-to-end test (for iterating on it)
//! - `bindings` regenerate `ui/src/api/bindings.ts` from the Rust types
//! - `bench`    export and start-up figures into `docs/benchmarks.md` (see `bench.rs`)

mod bench;
mod e2e;
mod setup;
mod steps;
mod util;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::steps::Steps;
use crate::util::{cargo, repo_root, run};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "zongwu developer tasks", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install missing prerequisites (system packages on Debian/Ubuntu, `npm ci` in ui/).
    Setup,
    /// Build the UI when stale and run the app (release) on a demo database.
    ///
    /// Extra arguments go to the app, e.g. `cargo xtask demo -- --data-dir /tmp/zw`.
    Demo {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run every test: UI checks, fmt, clippy, Rust tests and the WebDriver end-to-end test.
    Test {
        /// Skip the end-to-end test of the real window.
        #[arg(long)]
        no_e2e: bool,
        /// Skip `cargo fmt --check` and clippy.
        #[arg(long)]
        quick: bool,
    },
    /// Only the end-to-end test: build the UI and app, drive the window over WebDriver.
    E2e,
    /// Regenerate ui/src/api/bindings.ts from the Rust types.
    Bindings,
    /// Export and start-up benchmarks; writes docs/benchmarks.md.
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Setup => setup::setup(),
        Command::Demo { args } => demo(&args),
        Command::Test { no_e2e, quick } => test(no_e2e, quick),
        Command::E2e => e2e_only(),
        Command::Bindings => bindings(),
        Command::Bench(args) => bench::bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn demo(args: &[String]) -> Result<()> {
    // Fail before a long release build when the window could never open.
    if let Some(hint) = e2e::missing_display_hint() {
        anyhow::bail!("{hint}");
    }
    setup::setup()?;
    setup::build_ui_if_stale()?;
    let mut cmd = cargo();
    cmd.args(["run", "-p", "zongwu-desktop", "--release", "--"]);
    cmd.args(args);
    run(&mut cmd)
}

fn test(no_e2e: bool, quick: bool) -> Result<()> {
    let root = repo_root();
    let ui = root.join("ui");
    let mut steps = Steps::default();

    // Nothing else can run without the toolchain and node_modules: stop right here on failure.
    steps.run("setup", setup::setup);
    if steps.failed() {
        return steps.finish();
    }

    if !quick {
        steps.run("cargo fmt --check", || run(cargo().args(["fmt", "--all", "--check"])));
    }
    steps.run("ui: typecheck", || run(util::npm().arg("run").arg("typecheck").current_dir(&ui)));
    steps.run("ui: lint", || run(util::npm().arg("run").arg("lint").current_dir(&ui)));
    steps.run("ui: unit tests", || run(util::npm().arg("test").current_dir(&ui)));
    // The desktop crate embeds ui/dist at compile time, so clippy and the Rust tests need it.
    steps.run("ui: build", setup::build_ui_if_stale);
    if !quick {
        steps.run("cargo clippy", || run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])));
    }
    steps.run("rust tests", rust_tests);
    steps.run("rust doctests", || run(cargo().args(["test", "--workspace", "--exclude", "zongwu-e2e", "--doc"])));
    if cfg!(windows) {
        steps.skip("server API fuzz (schemathesis)", "the fuzz script needs bash");
    } else {
        steps.run("server API fuzz (schemathesis)", fuzz_server);
    }

    if no_e2e {
        steps.skip("end-to-end (WebDriver)", "--no-e2e");
    } else if let Some(reason) = e2e::unsupported_reason() {
        steps.skip("end-to-end (WebDriver)", reason);
    } else {
        e2e_steps(&mut steps);
    }
    steps.finish()
}

/// tauri-driver, the app binary, then the test; each only when the one before worked.
fn e2e_steps(steps: &mut Steps) {
    steps.run("end-to-end: tauri-driver", e2e::ensure_tauri_driver);
    if steps.last_passed() {
        steps.run("end-to-end: build app", e2e::build_app);
    }
    if steps.last_passed() {
        steps.run("end-to-end (WebDriver)", e2e::run_tests);
    }
}

fn e2e_only() -> Result<()> {
    if let Some(reason) = e2e::unsupported_reason() {
        anyhow::bail!("{reason}");
    }
    let mut steps = Steps::default();
    steps.run("ui: build", setup::build_ui_if_stale);
    if !steps.failed() {
        e2e_steps(&mut steps);
    }
    steps.finish()
}

/// Every route of the sync server fuzzed from its OpenAPI document (issue #3, test 11): no 5xx,
/// nothing logged as an error. schemathesis is pinned in the script's requirements.txt.
fn fuzz_server() -> Result<()> {
    let fuzz = repo_root().join("crates").join("zongwu-server").join("fuzz");
    util::python_venv("fuzz-venv", &fuzz.join("requirements.txt"))?;
    let st = util::venv_program(&util::target_dir().join("fuzz-venv"), "st");
    run(std::process::Command::new("bash").arg(fuzz.join("schemathesis.sh")).arg(st).arg("50").current_dir(repo_root()))
}

fn rust_tests() -> Result<()> {
    if util::find_program("cargo-nextest").is_some() {
        run(cargo().args(["nextest", "run", "--workspace", "--exclude", "zongwu-e2e", "--no-tests=warn"]))
    } else {
        println!("cargo-nextest not found, using cargo test (`cargo install cargo-nextest` is faster)");
        run(cargo().args(["test", "--workspace", "--exclude", "zongwu-e2e"]))
    }
}

fn bindings() -> Result<()> {
    run(cargo().env("ZONGWU_UPDATE_BINDINGS", "1").args(["test", "-p", "zongwu-desktop", "bindings", "--", "--nocapture"]))
}
