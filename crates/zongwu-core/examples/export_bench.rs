//! The export benchmark's Rust contenders (driven by `cargo xtask bench`; see docs/benchmarks.md).
//!
//! ```text
//! export_bench seed  DB ROWS   a store with 18 units and ROWS officers, written the public way
//! export_bench ours  DB OUT [meeting]    time zongwu_core::excel::export_officers on that store
//! export_bench floor OUT ROWS [meeting]  rust_xlsxwriter writing the same cells and nothing else
//! ```
//!
//! Without `meeting` every roster column is written (13); with it the 10 columns of the
//! meeting edition ([`RosterColumn::MEETING`]), the shape issue #2 measures.
//!
//! `ours` and `floor` print one JSON line: `{"mode","rows","cols","seconds","peak_rss_mb",
//! "cpu_seconds"}`. `seconds` is the wall time of the work only; the peak is the process's VmHWM
//! in MB of 10^6 bytes, and `cpu_seconds` the user + system time of the whole process, all
//! threads (both from /proc: Linux; `null` elsewhere).
//! The generator [`row`] is mirrored line for line in `bench/gen.py`, so every contender writes
//! the same values in the same order: the header, then officers unit by unit (units in code
//! order) and by staff number, which is the order the roster export uses.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::json;
use zongwu_core::excel::RosterColumn;
use zongwu_core::store::{new_id, Table};
use zongwu_core::units::{self, UnitInput, UnitKind};
use zongwu_core::{excel, Actor, Store, SystemClock};

pub const UNITS: [&str; 18] = [
    "后勤保障处",
    "资产管理处",
    "基建处",
    "保卫处",
    "信息化办公室",
    "图书馆",
    "校医院",
    "饮食服务中心",
    "物业管理中心",
    "能源管理中心",
    "计算机学院",
    "机械工程学院",
    "经济管理学院",
    "外国语学院",
    "文学院",
    "理学院",
    "教务处",
    "人事处",
];
const SURNAMES: [&str; 20] =
    ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"];
const GIVEN: [&str; 16] = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英"];
const TITLES: [&str; 6] = ["科长", "副科长", "科员", "主任", "副主任", "工程师"];
const DUTIES: [&str; 4] = [
    "负责本单位信息化需求的收集、整理与上报，协调应用场景落地",
    "联络信息化办公室，组织本单位人员参加系统培训",
    "维护本单位基础数据，跟踪需求评审与开发进度",
    "推广智慧总务应用，收集使用反馈并提出改进建议",
];

/// One officer. Dates are (year, month, day); the store keeps them as `YYYY-MM-DD`.
pub struct Row {
    pub unit: usize,
    pub staff_no: String,
    pub name: String,
    pub gender: &'static str,
    pub title: &'static str,
    pub phone: String,
    pub email: String,
    pub term_start: (u16, u8, u8),
    pub term_end: (u16, u8, u8),
    pub retired: bool,
    pub duties: &'static str,
    pub note: String,
}

/// Officer `i` of `rows`. Units take contiguous blocks and staff numbers rise with `i`, so the
/// export's order (unit code, then staff number) is `i`'s order.
pub fn row(i: usize, rows: usize) -> Row {
    let unit = i * UNITS.len() / rows.max(1);
    let year = 2016 + (i % 8) as u16;
    let month = 1 + (i / 8 % 12) as u8;
    let day = 1 + (i / 96 % 28) as u8;
    Row {
        unit,
        staff_no: format!("ZW{i:07}"),
        name: format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[i / SURNAMES.len() % GIVEN.len()]),
        gender: if i.is_multiple_of(3) { "女" } else { "男" },
        title: TITLES[i % TITLES.len()],
        phone: format!("13{}{:08}", i % 10, (i * 7919) % 100_000_000),
        email: format!("officer{i}@univ.edu.cn"),
        term_start: (year, month, day),
        term_end: (year + 3, month, day),
        retired: i % 10 == 9,
        duties: DUTIES[i % DUTIES.len()],
        note: format!("第{}批信息专员，工号 ZW{i:07}", 1 + i % 12),
    }
}

fn ymd((y, m, d): (u16, u8, u8)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn unit_code(u: usize) -> String {
    format!("U{:02}", u + 1)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["seed", db, rows] => runtime().block_on(seed(Path::new(db), parse(rows))),
        ["ours", db, out] => runtime().block_on(ours(Path::new(db), Path::new(out), &RosterColumn::ALL)),
        ["ours", db, out, "meeting"] => runtime().block_on(ours(Path::new(db), Path::new(out), &RosterColumn::MEETING)),
        ["floor", out, rows] => floor(Path::new(out), parse(rows), &RosterColumn::ALL),
        ["floor", out, rows, "meeting"] => floor(Path::new(out), parse(rows), &RosterColumn::MEETING),
        _ => {
            eprintln!("usage: export_bench seed DB ROWS | ours DB OUT [meeting] | floor OUT ROWS [meeting]");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("export_bench: {e}");
        std::process::exit(1);
    }
}

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn parse(s: &str) -> usize {
    s.parse().unwrap_or_else(|_| {
        eprintln!("export_bench: not a row count: {s}");
        std::process::exit(2)
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}

async fn seed(db: &Path, rows: usize) -> Res<()> {
    let started = Instant::now();
    if db.exists() {
        return Err(format!("{} exists; seed writes a new store", db.display()).into());
    }
    let store = Store::open(db, Arc::new(SystemClock)).await?;
    let actor = Actor::local_admin();
    let mut unit_ids = Vec::new();
    for (u, name) in UNITS.iter().enumerate() {
        let kind = if name.ends_with("学院") { UnitKind::College } else { UnitKind::ServiceUnit };
        let input = UnitInput { id: None, code: unit_code(u), name: name.to_string(), kind, active: true };
        unit_ids.push(units::save(&store, &actor, input).await?.id);
    }
    const BATCH: usize = 20_000;
    for start in (0..rows).step_by(BATCH) {
        let mut tx = store.begin_write(&actor).await?;
        tx.set_reason("export benchmark seed");
        for i in start..(start + BATCH).min(rows) {
            let r = row(i, rows);
            let cols = json!({
                "staff_no": r.staff_no,
                "name": r.name,
                "gender": r.gender,
                "title": r.title,
                "phone": r.phone,
                "email": r.email,
                "term_start": ymd(r.term_start),
                "term_end": ymd(r.term_end),
                "status": if r.retired { "retired" } else { "active" },
                "duties": r.duties,
                "note": r.note,
            });
            tx.insert(Table::Officers, &new_id(), Some(&unit_ids[r.unit]), cols).await?;
        }
        tx.commit().await?;
    }
    store.close().await;
    eprintln!("seeded {rows} officers into {} in {:.1} s", db.display(), started.elapsed().as_secs_f64());
    Ok(())
}

async fn ours(db: &Path, out: &Path, columns: &[RosterColumn]) -> Res<()> {
    let store = Store::open(db, Arc::new(SystemClock)).await?;
    let started = Instant::now();
    let result = excel::export_officers(&store, &Actor::local_admin(), out, columns).await?;
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    report("ours", result.rows as usize, columns.len(), seconds);
    Ok(())
}

/// rust_xlsxwriter, constant memory, the same cells as `ours` (strings, numbers, dates with a
/// date format) and nothing else: no styles, widths, filter, print setup or summary sheet.
fn floor(out: &Path, rows: usize, columns: &[RosterColumn]) -> Res<()> {
    let started = Instant::now();
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet_with_constant_memory()?;
    for (c, column) in columns.iter().enumerate() {
        ws.write_string(0, c as u16, column.header())?;
    }
    for i in 0..rows {
        let r = row(i, rows);
        let n = i as u32 + 1;
        for (c, column) in columns.iter().enumerate() {
            let c = c as u16;
            match column {
                RosterColumn::Unit => ws.write_string(n, c, UNITS[r.unit])?,
                RosterColumn::StaffNo => ws.write_string(n, c, &r.staff_no)?,
                RosterColumn::Name => ws.write_string(n, c, &r.name)?,
                RosterColumn::Gender => ws.write_string(n, c, r.gender)?,
                RosterColumn::Title => ws.write_string(n, c, r.title)?,
                RosterColumn::Phone => ws.write_string(n, c, &r.phone)?,
                RosterColumn::Email => ws.write_string(n, c, &r.email)?,
                RosterColumn::TermStart => {
                    let (y, m, d) = r.term_start;
                    ws.write_datetime_with_format(n, c, ExcelDateTime::from_ymd(y, m, d)?, &date)?
                }
                RosterColumn::TermEnd => {
                    let (y, m, d) = r.term_end;
                    ws.write_datetime_with_format(n, c, ExcelDateTime::from_ymd(y, m, d)?, &date)?
                }
                RosterColumn::Status => ws.write_string(n, c, if r.retired { "已卸任" } else { "在任" })?,
                RosterColumn::Trainings => ws.write_number(n, c, 0)?,
                RosterColumn::Duties => ws.write_string(n, c, r.duties)?,
                RosterColumn::Note => ws.write_string(n, c, &r.note)?,
            };
        }
    }
    wb.save(out)?;
    report("floor", rows, columns.len(), started.elapsed().as_secs_f64());
    Ok(())
}

fn report(mode: &str, rows: usize, cols: usize, seconds: f64) {
    let line = json!({
        "mode": mode,
        "rows": rows,
        "cols": cols,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "cpu_seconds": cpu_seconds(),
    });
    println!("{line}");
}

/// The process's peak resident set (VmHWM) in MB (10^6 bytes), where /proc has it.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024.0 / 1e6)
}

/// User + system CPU time of this process so far, all threads (/proc/self/stat, 100 ticks/s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
