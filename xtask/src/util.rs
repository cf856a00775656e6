//! Small helpers: where the repository is, how to spell `cargo`/`npm` on this OS, running a
//! command with an echo, finding a program on `PATH`, and comparing modification times.

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result};

/// The workspace root: xtask lives in `<root>/xtask`.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is one level below the workspace root").to_path_buf()
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        }
        None => repo_root().join("target"),
    }
}

/// `cargo`, the same one that runs this xtask, started in the repository root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(repo_root());
    cmd
}

/// `npm` (`npm.cmd` on Windows, where Command does not try PATHEXT).
pub fn npm() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

/// Echoes and runs a command, turning a non-zero exit into an error.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = display(cmd);
    println!("$ {shown}");
    let status = cmd.status().with_context(|| format!("could not start `{shown}`"))?;
    if status.success() {
        Ok(())
    } else {
        anyhow::bail!("`{shown}` failed ({status})")
    }
}

/// Runs a command quietly and returns its trimmed stdout, or `None` when it fails to start or
/// exits non-zero.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub fn display(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Looks a program up on `PATH` (with `PATHEXT` on Windows).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let exts: Vec<String> = if cfg!(windows) {
        env::var("PATHEXT")
            .unwrap_or_else(|_| ".EXE;.CMD;.BAT;.COM".into())
            .split(';')
            .map(|e| e.to_ascii_lowercase())
            .chain([String::new()])
            .collect()
    } else {
        vec![String::new()]
    };
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .find_map(|dir| exts.iter().map(|ext| dir.join(format!("{name}{ext}"))).find(|candidate| candidate.is_file()))
}

/// Like [`find_program`], falling back to cargo's bin directory, where `cargo install` puts
/// things even when it is not on `PATH`.
pub fn find_cargo_bin(name: &str) -> Option<PathBuf> {
    find_program(name).or_else(|| {
        let home = env::var_os("CARGO_HOME").map(PathBuf::from).or_else(|| home_dir().map(|h| h.join(".cargo")))?;
        let exe = home.join("bin").join(format!("{name}{}", env::consts::EXE_SUFFIX));
        exe.is_file().then_some(exe)
    })
}

pub fn home_dir() -> Option<PathBuf> {
    env::var_os("HOME").or_else(|| env::var_os("USERPROFILE")).map(PathBuf::from)
}

pub fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of `path` or, for a directory, of anything below it.
pub fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = fs::metadata(path).ok()?;
    let own = meta.modified().ok();
    if !meta.is_dir() {
        return own;
    }
    let children = fs::read_dir(path).ok()?.filter_map(|entry| {
        let entry = entry.ok()?;
        newest_mtime(&entry.path())
    });
    children.chain(own).max()
}

pub fn is_program(cmd: &str) -> bool {
    find_program(cmd).is_some()
}

/// `target/<name>` as a Python venv holding the pinned packages of `requirements`, made or
/// topped up when needed; returns its python.
pub fn python_venv(name: &str, requirements: &Path) -> Result<PathBuf> {
    let venv = target_dir().join(name);
    let python = venv_program(&venv, "python");
    if !python.is_file() {
        let system = ["python3", "python"]
            .into_iter()
            .find(|p| find_program(p).is_some())
            .context("Python 3 not found (Debian: apt-get install python3 python3-venv)")?;
        run(Command::new(system).args(["-m", "venv"]).arg(&venv))
            .context("could not create a Python venv (Debian: apt-get install python3-venv)")?;
    }
    let wanted: BTreeSet<String> = fs::read_to_string(requirements)
        .with_context(|| format!("reading {}", requirements.display()))?
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(normalise_requirement)
        .collect();
    let installed: BTreeSet<String> = output(Command::new(&python).args(["-m", "pip", "freeze", "--disable-pip-version-check"]))
        .unwrap_or_default()
        .lines()
        .map(normalise_requirement)
        .collect();
    if !wanted.is_subset(&installed) {
        run(Command::new(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-r"])
            .arg(requirements))?;
    }
    Ok(python)
}

/// A program installed into a venv (`bin/` on Unix, `Scripts\` on Windows).
pub fn venv_program(venv: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

fn normalise_requirement(line: &str) -> String {
    line.trim().to_ascii_lowercase().replace('-', "_")
}
