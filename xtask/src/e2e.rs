//! The end-to-end step of `cargo xtask test`: the real window driven over WebDriver.
//!
//! tauri-driver (installed with `cargo install` when missing) speaks WebDriver on 127.0.0.1 and
//! starts WebKitWebDriver, which starts the app. The app binary is built once here (debug; the
//! crate's default `custom-protocol` feature embeds `ui/dist`), then `cargo test -p zongwu-e2e`
//! runs with `ZONGWU_E2E_APP` pointing at it, on a private Xvfb display that is stopped
//! afterwards. Linux only: tauri-driver has no macOS support, and on Windows it needs a
//! matching msedgedriver, which CI does not have.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::util::{cargo, find_cargo_bin, find_program, run, target_dir};

/// Why the end-to-end test cannot run on this OS, if it cannot.
pub fn unsupported_reason() -> Option<&'static str> {
    if cfg!(target_os = "linux") {
        None
    } else {
        Some("WebDriver test runs on Linux only (tauri-driver + WebKitWebDriver); run it in CI")
    }
}

/// On Linux without a display, the hint to print instead of letting GTK abort.
pub fn missing_display_hint() -> Option<String> {
    let headless = cfg!(target_os = "linux")
        && env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty());
    headless.then(|| {
        "no display ($DISPLAY and $WAYLAND_DISPLAY are unset), so the window cannot open.\n\
         Run under a virtual display:  xvfb-run -a cargo xtask demo\n\
         or use the headless CLI:      cargo run -p zongwu-desktop -- demo --help"
            .to_owned()
    })
}

/// Installs tauri-driver unless it is on PATH or in cargo's bin directory.
pub fn ensure_tauri_driver() -> Result<()> {
    if let Some(path) = find_cargo_bin("tauri-driver") {
        println!("tauri-driver: {}", path.display());
        return Ok(());
    }
    run(cargo().args(["install", "tauri-driver", "--version", "^2", "--locked"]))
}

pub fn build_app() -> Result<()> {
    run(cargo().args(["build", "-p", "zongwu-desktop"]))
}

fn app_path() -> PathBuf {
    target_dir().join("debug").join(format!("zongwu{}", env::consts::EXE_SUFFIX))
}

pub fn run_tests() -> Result<()> {
    let app = app_path();
    anyhow::ensure!(app.is_file(), "app binary not found at {}", app.display());
    let driver = find_cargo_bin("tauri-driver").context("tauri-driver not found")?;
    anyhow::ensure!(
        find_program("WebKitWebDriver").is_some(),
        "WebKitWebDriver not found on PATH (Debian/Ubuntu: apt-get install webkit2gtk-driver)"
    );

    let xvfb = if find_program("Xvfb").is_some() {
        Some(Xvfb::start()?)
    } else if env::var_os("DISPLAY").is_some() {
        println!("Xvfb not found: using the current display, a window will appear.");
        None
    } else {
        anyhow::bail!("neither Xvfb nor a display: apt-get install xvfb");
    };

    let mut cmd = cargo();
    // `--test window` only: the crate's empty doctest run would otherwise print the last "0 passed".
    cmd.args(["test", "-p", "zongwu-e2e", "--test", "window", "--", "--nocapture", "--test-threads=1"])
        .env("ZONGWU_E2E_APP", &app)
        .env("TAURI_DRIVER", &driver);
    if let Some(xvfb) = &xvfb {
        cmd.env("DISPLAY", xvfb.display());
    }
    let result = run(&mut cmd);
    drop(xvfb);
    result
}

/// A private X server for the test window; stopped (SIGTERM, so it removes its lock file) on drop.
struct Xvfb {
    child: Child,
    number: u32,
}

impl Xvfb {
    fn start() -> Result<Self> {
        // A display whose lock file exists belongs to someone else (or a crashed server).
        let number = (99..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .context("no free X display number between :99 and :199")?;
        let display = format!(":{number}");
        println!("$ Xvfb {display} -screen 0 1280x800x24 -nolisten tcp &");
        let mut child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb")?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        let deadline = Instant::now() + Duration::from_secs(15);
        while !socket.exists() {
            if let Some(status) = child.try_wait()? {
                anyhow::bail!("Xvfb {display} exited at start ({status})");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                anyhow::bail!("Xvfb {display} did not come up within 15 s");
            }
            thread::sleep(Duration::from_millis(100));
        }
        Ok(Self { child, number })
    }

    fn display(&self) -> String {
        format!(":{}", self.number)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").arg(&pid).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
