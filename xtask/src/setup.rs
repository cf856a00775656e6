//! `cargo xtask setup`: install what is missing, and nothing that is already there.
//!
//! - Debian/Ubuntu: the WebKitGTK/Tauri build packages, Xvfb and the WebKit WebDriver for the
//!   end-to-end test, CJK fonts so Chinese text renders (in screenshots too). Missing ones are
//!   found with `dpkg-query` and installed in one `apt-get install`, after one `apt-get update`.
//! - Other Linux, macOS, Windows: print the prerequisites, install nothing.
//! - Everywhere: rustfmt and clippy (added with rustup when missing); Node 20+ and npm must
//!   exist; `npm ci` in `ui/` when `node_modules` is missing or older than `package-lock.json`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::util::{cargo, is_program, mtime, newest_mtime, npm, output, repo_root, run};

/// Packages the desktop build, the UI and the end-to-end test need on Debian/Ubuntu.
const DEBIAN_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "librsvg2-dev",
    "build-essential",
    "libssl-dev",
    "pkg-config",
    "xvfb",
    "webkit2gtk-driver",
    "fonts-noto-cjk",
];

const MIN_NODE_MAJOR: u32 = 20;

pub fn setup() -> Result<()> {
    system_packages()?;
    rust_components()?;
    check_node()?;
    npm_install_if_stale()
}

/// rustfmt and clippy, which a minimal rustup profile leaves out.
fn rust_components() -> Result<()> {
    let missing: Vec<&str> = [("rustfmt", "fmt"), ("clippy", "clippy")]
        .into_iter()
        .filter(|(_, sub)| output(cargo().args([sub, "--version"])).is_none())
        .map(|(component, _)| component)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_program("rustup") {
        anyhow::bail!(
            "cargo {} missing and no rustup to add it: install the components {}",
            missing.join("/"),
            missing.join(" ")
        );
    }
    run(Command::new("rustup").args(["component", "add"]).args(&missing))
}

fn system_packages() -> Result<()> {
    if cfg!(target_os = "linux") {
        if Path::new("/etc/debian_version").exists() && is_program("dpkg-query") {
            debian_packages()
        } else {
            println!(
                "Not Debian/Ubuntu: install the Tauri prerequisites yourself \
                 (https://v2.tauri.app/start/prerequisites/): webkit2gtk-4.1 and librsvg2 \
                 development packages, a C toolchain, OpenSSL and pkg-config; for the end-to-end \
                 test also Xvfb and WebKitWebDriver (Fedora: webkit2gtk4.1-devel, \
                 webkitgtk6.0/webkit2gtk-driver, xorg-x11-server-Xvfb; Arch: webkit2gtk-4.1, \
                 xorg-server-xvfb)."
            );
            Ok(())
        }
    } else if cfg!(target_os = "macos") {
        if output(Command::new("xcode-select").arg("-p")).is_some() {
            println!("macOS: Xcode Command Line Tools found.");
            Ok(())
        } else {
            anyhow::bail!("macOS needs the Xcode Command Line Tools: run `xcode-select --install`, then retry")
        }
    } else if cfg!(windows) {
        println!(
            "Windows prerequisites (not installed automatically):\n\
             - Microsoft C++ Build Tools (\"Desktop development with C++\"), or Visual Studio \
               with the MSVC toolchain: https://visualstudio.microsoft.com/visual-cpp-build-tools/\n\
             - Microsoft Edge WebView2 runtime (preinstalled on Windows 10 1803+ and 11): \
               https://developer.microsoft.com/microsoft-edge/webview2/"
        );
        Ok(())
    } else {
        println!("Unknown OS: see https://v2.tauri.app/start/prerequisites/");
        Ok(())
    }
}

fn debian_packages() -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES.iter().copied().filter(|pkg| !dpkg_installed(pkg)).collect();
    if missing.is_empty() {
        println!("System packages: all {} present.", DEBIAN_PACKAGES.len());
        return Ok(());
    }
    println!("System packages missing: {}", missing.join(" "));
    let sudo = if is_root() {
        None
    } else if is_program("sudo") {
        Some("sudo")
    } else {
        anyhow::bail!(
            "not root and no sudo: install these packages as root, then retry:\n  \
             apt-get install -y {}",
            missing.join(" ")
        );
    };
    let apt = |args: &[&str]| {
        let mut cmd = match sudo {
            Some(sudo) => {
                let mut c = Command::new(sudo);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update"])).context("apt-get update")?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install).context("installing system packages")
}

fn dpkg_installed(pkg: &str) -> bool {
    output(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]))
        .is_some_and(|status| status.ends_with("install ok installed"))
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

fn check_node() -> Result<()> {
    let version = output(Command::new(if cfg!(windows) { "node.exe" } else { "node" }).arg("--version"))
        .context("Node.js not found: install Node 20 or newer (https://nodejs.org/, or nvm/fnm), then retry")?;
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .with_context(|| format!("unexpected `node --version` output: {version}"))?;
    if major < MIN_NODE_MAJOR {
        anyhow::bail!("Node {version} is too old: install Node {MIN_NODE_MAJOR} or newer");
    }
    let npm_version = output(npm().arg("--version")).context("npm not found: it ships with Node.js; reinstall Node 20+")?;
    println!("Node {version}, npm {npm_version}.");
    Ok(())
}

/// `npm ci` when `ui/node_modules` is missing or older than `ui/package-lock.json`.
fn npm_install_if_stale() -> Result<()> {
    let ui = repo_root().join("ui");
    let lock = ui.join("package-lock.json");
    let modules = ui.join("node_modules");
    // npm rewrites node_modules/.package-lock.json on every install: the best "installed at".
    let installed = mtime(&modules.join(".package-lock.json")).or_else(|| mtime(&modules));
    let wanted = mtime(&lock).or_else(|| mtime(&ui.join("package.json")));
    let stale = match (installed, wanted) {
        (None, _) => true,
        (Some(installed), Some(wanted)) => installed < wanted,
        (Some(_), None) => false,
    };
    if !stale {
        println!("ui/node_modules is up to date.");
        return Ok(());
    }
    let verb = if lock.exists() { "ci" } else { "install" };
    let mut cmd = npm();
    cmd.args([verb, "--no-audit", "--no-fund"]).current_dir(&ui);
    run(&mut cmd)
}

/// `npm run build` in `ui/` unless `ui/dist` is newer than every source and package file.
pub fn build_ui_if_stale() -> Result<()> {
    let ui = repo_root().join("ui");
    let built = mtime(&ui.join("dist").join("index.html"));
    let inputs = [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "vite.config.js",
        "tsconfig.json",
        "tsconfig.app.json",
        "tsconfig.node.json",
    ];
    let newest_input = inputs.iter().filter_map(|p| newest_mtime(&ui.join(p))).max();
    if let (Some(built), Some(newest)) = (built, newest_input) {
        if built >= newest {
            println!("ui/dist is up to date.");
            return Ok(());
        }
    }
    run(npm().args(["run", "build"]).current_dir(&ui))
}
