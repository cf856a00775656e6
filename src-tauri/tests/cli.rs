//! The CLI in the window's binary, run as a person would: exit codes, messages, files.

use std::path::Path;
use std::process::{Command, Output};

fn zongwu(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zongwu"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("ZONGWU_LOG", "error")
        .output()
        .expect("the zongwu binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn help_lists_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = zongwu(dir.path(), &["--help"]);
    assert!(out.status.success());
    for cmd in ["demo", "import", "export", "backup", "restore"] {
        assert!(text(&out).contains(cmd), "--help must mention {cmd}: {}", text(&out));
    }
    let out = zongwu(dir.path(), &["export", "--help"]);
    assert!(out.status.success() && text(&out).contains("--out"));
}

#[test]
fn demo_backup_restore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let out = zongwu(dir.path(), &["demo", "--officers", "30", "--needs", "7"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("30"), "reports what it made: {}", text(&out));

    let again = zongwu(dir.path(), &["demo"]);
    assert!(!again.status.success(), "a second demo into the same database is refused");
    assert!(text(&again).contains("已有数据"), "{}", text(&again));

    let backups = dir.path().join("bk");
    let out = zongwu(dir.path(), &["backup", "--out", backups.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let file = std::fs::read_dir(&backups).unwrap().next().unwrap().unwrap().path();

    let out = zongwu(dir.path(), &["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(dir
        .path()
        .join("backups")
        .read_dir()
        .unwrap()
        .any(|e| { e.unwrap().file_name().to_string_lossy().starts_with("before-restore-") }));

    let missing = zongwu(dir.path(), &["restore", "/nonexistent/file.db"]);
    assert!(!missing.status.success(), "restoring a missing file fails");
    assert!(text(&missing).contains("错误"), "{}", text(&missing));
}

#[test]
fn unknown_command_fails_with_usage() {
    let dir = tempfile::tempdir().unwrap();
    let out = zongwu(dir.path(), &["frobnicate"]);
    assert!(!out.status.success());
    assert!(text(&out).to_lowercase().contains("usage"));
}
