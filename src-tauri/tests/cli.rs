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

#[test]
fn export_and_import_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    assert!(zongwu(dir.path(), &["demo", "--officers", "20", "--needs", "7"]).status.success());
    for what in ["officers", "needs", "template"] {
        let out_file = dir.path().join(format!("{what}.xlsx"));
        let out = zongwu(dir.path(), &["export", what, "--out", out_file.to_str().unwrap()]);
        assert!(out.status.success(), "export {what}: {}", text(&out));
        let bytes = std::fs::read(&out_file).unwrap();
        assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip");
    }

    // One bad phone number: the whole file is refused, the report names the row, nothing is written.
    let csv = dir.path().join("roster.csv");
    std::fs::write(&csv, "工号,姓名,单位,电话\n7000001,赵一,饮食服务中心,13800138000\n7000002,钱二,饮食服务中心,12345\n")
        .unwrap();
    let report = dir.path().join("errors.xlsx");
    let out = zongwu(dir.path(), &["import", "officers", csv.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert!(!out.status.success(), "a bad row fails the import: {}", text(&out));
    assert!(text(&out).contains("第 3 行"), "the error names the sheet row: {}", text(&out));
    assert!(report.exists(), "the row-level report was written");
    let roster = dir.path().join("after.xlsx");
    assert!(zongwu(dir.path(), &["export", "officers", "--out", roster.to_str().unwrap()]).status.success());
    let out = zongwu(dir.path(), &["export", "officers", "--out", roster.to_str().unwrap()]);
    assert!(text(&out).contains("20 rows"), "still only the demo officers: {}", text(&out));

    std::fs::write(&csv, "工号,姓名,单位,电话\n7000001,赵一,饮食服务中心,13800138000\n").unwrap();
    let out = zongwu(dir.path(), &["import", "officers", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let out = zongwu(dir.path(), &["export", "officers", "--out", roster.to_str().unwrap()]);
    assert!(text(&out).contains("21 rows"), "{}", text(&out));

    // Chosen columns: by header or key, or the meeting edition; an unknown one is refused.
    let picked = dir.path().join("picked.xlsx");
    let out = zongwu(dir.path(), &["export", "officers", "--out", picked.to_str().unwrap(), "--columns", "姓名,phone"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = zongwu(dir.path(), &["export", "officers", "--out", picked.to_str().unwrap(), "--columns", "meeting"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = zongwu(dir.path(), &["export", "officers", "--out", picked.to_str().unwrap(), "--columns", "姓名,年龄"]);
    assert!(!out.status.success() && text(&out).contains("年龄"), "{}", text(&out));
    let out = zongwu(dir.path(), &["export", "needs", "--out", picked.to_str().unwrap(), "--columns", "姓名"]);
    assert!(!out.status.success(), "only the roster takes --columns: {}", text(&out));
}
