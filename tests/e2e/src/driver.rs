//! The `tauri-driver` process: started on free ports, stopped on drop.
//!
//! tauri-driver is a WebDriver intermediary: it starts the platform's native driver
//! (WebKitWebDriver on Linux) and rewrites `tauri:options` into its capabilities. The app is a
//! grandchild, so the environment set here (data directory, no-demo flag) is the app's.

use std::env;
use std::ffi::OsStr;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::webdriver;

pub struct TauriDriver {
    child: Child,
    port: u16,
}

impl TauriDriver {
    /// Starts tauri-driver with `env` added to its environment and waits until it answers.
    pub fn start(env: &[(&str, &OsStr)]) -> Result<TauriDriver> {
        let exe = tauri_driver_path()?;
        let [port, native_port] = free_ports()?;
        let mut cmd = Command::new(&exe);
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()]).stdin(Stdio::null());
        for (key, value) in env {
            cmd.env(key, value);
        }
        // Xvfb has no GPU: WebKitGTK's DMA-BUF renderer and accelerated compositing can leave
        // the window blank there. Harmless on a real display; a caller's own setting wins.
        for key in ["WEBKIT_DISABLE_DMABUF_RENDERER", "WEBKIT_DISABLE_COMPOSITING_MODE"] {
            if env::var_os(key).is_none() {
                cmd.env(key, "1");
            }
        }
        println!("starting {} --port {port} --native-port {native_port}", exe.display());
        let child = cmd.spawn().with_context(|| format!("starting {}", exe.display()))?;
        let mut driver = TauriDriver { child, port };
        driver.wait_ready()?;
        Ok(driver)
    }

    /// The WebDriver server's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("tauri-driver exited at start ({status})");
            }
            // tauri-driver proxies /status to WebKitWebDriver: an answer means both are up.
            if webdriver::status(&self.url()).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                anyhow::bail!("tauri-driver did not answer on {} within 30 s", self.url());
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        // SIGTERM first: tauri-driver then stops WebKitWebDriver, which a SIGKILL would orphan.
        if cfg!(unix) {
            let _ = Command::new("kill").arg(self.child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$TAURI_DRIVER` (set by xtask), else `tauri-driver` on PATH, else in `~/.cargo/bin`.
fn tauri_driver_path() -> Result<PathBuf> {
    if let Some(path) = env::var_os("TAURI_DRIVER") {
        return Ok(PathBuf::from(path));
    }
    let name = format!("tauri-driver{}", env::consts::EXE_SUFFIX);
    let on_path =
        env::var_os("PATH").map(|p| env::split_paths(&p).map(|d| d.join(&name)).collect::<Vec<_>>()).unwrap_or_default();
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").or_else(|| env::var_os("USERPROFILE")).map(|h| PathBuf::from(h).join(".cargo")));
    on_path
        .into_iter()
        .chain(cargo_home.map(|h| h.join("bin").join(&name)))
        .find(|p| p.is_file())
        .context("tauri-driver not found: cargo install tauri-driver --version ^2 --locked")
}

/// Two distinct ports nobody listens on right now (the OS picks them; both are held until both
/// are known, then released for tauri-driver to bind).
fn free_ports() -> Result<[u16; 2]> {
    let a = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    let b = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok([a.local_addr()?.port(), b.local_addr()?.port()])
}
