//! `cargo xtask bench`: the figures issue #2 asks for, written into `docs/benchmarks.md`.
//!
//! - **export**: 100,000 officers from the store to the formatted roster workbook
//!   (`zongwu_core::excel::export_officers`), side by side in one run with rust_xlsxwriter writing
//!   the same cells and nothing else (the floor), Python XlsxWriter (constant_memory) and openpyxl
//!   (write_only). The Rust contenders are `crates/zongwu-core/examples/export_bench.rs`, the
//!   Python ones `bench/*.py` in a venv under `target/bench-venv` with the versions pinned in
//!   `bench/requirements.txt`. Each contender runs `--runs` times, interleaved; the table shows
//!   the median time and the highest peak.
//! - **startup**: the release app to its first screen (the UI calls `app_ready`, the app prints
//!   `ZONGWU_READY <ms>` when `ZONGWU_REPORT_READY` is set), the resident memory of the app and
//!   its WebView processes 3 s later, and the size of the release binary. Under a private Xvfb
//!   when there is no display.
//!
//! Each part replaces its own section of docs/benchmarks.md, between
//! `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::setup;
use crate::util::{self, cargo, display, find_program, mtime, newest_mtime, output, repo_root, run, target_dir};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rows in the export benchmark.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// Run one part only.
    #[arg(long, value_enum)]
    only: Option<Only>,
    /// Runs of each export contender (interleaved; the median counts).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Starts of the app per kind of start.
    #[arg(long, default_value_t = 5)]
    starts: usize,
    /// Print the tables without writing docs/benchmarks.md.
    #[arg(long)]
    no_write: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    Export,
    Startup,
    Store,
}

pub fn bench(args: Args) -> Result<()> {
    let mut failed = Vec::new();
    let runs_part = |part: Only| args.only.is_none() || args.only == Some(part);
    if runs_part(Only::Store) {
        match store(&args) {
            Ok(section) => publish(&args, "store", &section)?,
            Err(e) => {
                eprintln!("\nstore benchmark failed: {e:#}");
                failed.push("store");
            }
        }
    }
    if runs_part(Only::Export) {
        match export(&args) {
            Ok(section) => publish(&args, "export", &section)?,
            Err(e) => {
                eprintln!("\nexport benchmark failed: {e:#}");
                failed.push("export");
            }
        }
    }
    if runs_part(Only::Startup) {
        match startup(&args) {
            Ok((section, complete)) => {
                publish(&args, "startup", &section)?;
                if !complete {
                    failed.push("startup");
                }
            }
            Err(e) => {
                eprintln!("\nstartup benchmark failed: {e:#}");
                failed.push("startup");
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("not measured completely: {}", failed.join(", "))
    }
}

// ---------------------------------------------------------------------------------------------
// Store: bulk writes, imports and a first pull's merge (issue #8)

/// One `store_bench` run: its JSON line's seconds, rows/s and bytes.
struct StoreSample {
    seconds: f64,
    db_bytes: f64,
    wal_peak: f64,
}

fn store_run(bin: &Path, args: &[&str]) -> Result<StoreSample> {
    let line = output(Command::new(bin).args(args)).with_context(|| format!("store_bench {}", args.join(" ")))?;
    let num = |k: &str| json_number(&line, k).with_context(|| format!("no {k} in {line}"));
    Ok(StoreSample { seconds: num("seconds")?, db_bytes: num("db_bytes")?, wal_peak: num("wal_peak_bytes")? })
}

fn store(args: &Args) -> Result<String> {
    let runs = args.runs.max(1);
    run(cargo().args(["build", "--release", "-p", "zongwu-core", "--example", "store_bench"]))?;
    let bin = target_dir().join("release").join("examples").join(format!("store_bench{}", env::consts::EXE_SUFFIX));
    let work = target_dir().join("bench").join("store");
    fs::create_dir_all(&work)?;
    let db = |name: &str| work.join(name).display().to_string();
    let mut rows_out = Vec::new();
    for rows in [50_000usize, 100_000] {
        let n = rows.to_string();
        let csv = db(&format!("roster-{rows}.csv"));
        store_run_plain(&bin, &["csv", &csv, &n])?;
        let (mut bare, mut insert, mut update, mut import, mut pull) = (vec![], vec![], vec![], vec![], vec![]);
        // Interleaved, so a change in the machine's load hits every contender alike.
        for _ in 0..runs {
            bare.push(store_run(&bin, &["bare", &db("bare.db"), &n])?);
            insert.push(store_run(&bin, &["insert", &db("insert.db"), &n])?);
            update.push(store_run(&bin, &["update", &db("insert.db")])?);
            import.push(store_run(&bin, &["import", &db("import.db"), &csv])?);
            pull.push(store_run(&bin, &["pull", &db("pull.db"), &n])?);
        }
        rows_out.push((rows, bare, insert, update, import, pull));
    }
    let facts = Facts::collect();
    let mut md = String::new();
    md.push_str(&format!(
        "{}. Load average at the end: {}. Median of {runs} interleaved runs each.\n\n",
        facts.line(),
        facts.load
    ));
    md.push_str("| rows | contender | seconds | rows/s | × bare | database bytes/row | × bare | WAL peak / database |\n");
    md.push_str("| --: | --- | --: | --: | --: | --: | --: | --: |\n");
    for (rows, bare, insert, update, import, pull) in &rows_out {
        let med = |v: &[StoreSample], f: fn(&StoreSample) -> f64| median(v.iter().map(f).collect());
        let b_s = med(bare, |s| s.seconds);
        let b_bytes = med(bare, |s| s.db_bytes) / *rows as f64;
        let contenders: [(&str, &Vec<StoreSample>); 5] = [
            ("bare SQLite insert (rusqlite, prepared, one transaction, no clocks or log)", bare),
            ("`WriteTx::insert_many` (rows + compact clocks + change log)", insert),
            ("`WriteTx::update_many`, two columns of every row", update),
            ("officer import of a roster CSV, end to end (read, validate, write users + officers)", import),
            ("first pull's merge: the rows as another device's changes, pages of 1,000", pull),
        ];
        for (label, samples) in contenders {
            let secs = med(samples, |s| s.seconds);
            let bytes = med(samples, |s| s.db_bytes) / *rows as f64;
            let wal = med(samples, |s| s.wal_peak / s.db_bytes.max(1.0));
            md.push_str(&format!(
                "| {} | {label} | {secs:.2} | {} | {:.1} | {bytes:.0} | {:.1} | {wal:.2} |\n",
                thousands(*rows),
                thousands((*rows as f64 / secs) as usize),
                secs / b_s,
                bytes / b_bytes,
            ));
        }
    }
    md.push_str(
        "\nThe update's database bytes include the log of the insert before it (both lives of every row); \
         the import's include the officer-role user written for every officer. Run with \
         `cargo xtask bench --only store`; the contenders are `crates/zongwu-core/examples/store_bench.rs`.\n",
    );
    Ok(md)
}

fn store_run_plain(bin: &Path, args: &[&str]) -> Result<()> {
    output(Command::new(bin).args(args)).map(|_| ()).with_context(|| format!("store_bench {}", args.join(" ")))
}

// ---------------------------------------------------------------------------------------------
// Export

#[derive(Clone, Copy, PartialEq, Eq)]
enum Contender {
    Ours,
    Floor,
    XlsxWriter,
    Openpyxl,
}

impl Contender {
    const ALL: [Contender; 4] = [Contender::Ours, Contender::Floor, Contender::XlsxWriter, Contender::Openpyxl];

    fn key(self) -> &'static str {
        match self {
            Contender::Ours => "ours",
            Contender::Floor => "floor",
            Contender::XlsxWriter => "xlsxwriter",
            Contender::Openpyxl => "openpyxl",
        }
    }

    fn label(self, versions: &BTreeMap<String, String>) -> String {
        let v = |name: &str| versions.get(name).cloned().unwrap_or_else(|| "?".into());
        match self {
            Contender::Ours => "**zongwu** `export_officers`: store → formatted roster + summary sheet".into(),
            Contender::Floor => "rust_xlsxwriter, the same cells and nothing else (floor)".into(),
            Contender::XlsxWriter => format!("Python XlsxWriter {} (`constant_memory`)", v("xlsxwriter")),
            Contender::Openpyxl => format!("Python openpyxl {} (`write_only`)", v("openpyxl")),
        }
    }
}

/// One run's JSON line.
struct Sample {
    seconds: f64,
    peak_mb: Option<f64>,
    cpu_seconds: Option<f64>,
    file_bytes: u64,
}

fn export(args: &Args) -> Result<String> {
    let rows = args.rows;
    let runs = args.runs.max(1);
    let root = repo_root();
    let work = target_dir().join("bench");
    fs::create_dir_all(&work)?;

    let python = util::python_venv("bench-venv", &root.join("bench").join("requirements.txt"))?;
    let versions = python_versions(&python);
    run(cargo().args(["build", "--release", "-p", "zongwu-core", "--example", "export_bench"]))?;
    let bin = target_dir().join("release").join("examples").join(format!("export_bench{}", env::consts::EXE_SUFFIX));
    let db = seeded_store(&bin, rows)?;

    let out_dir = work.join("out");
    fs::create_dir_all(&out_dir)?;
    let mut section = String::new();
    for shape in Shape::ALL {
        let facts = Facts::collect();
        println!(
            "\nexport, {}: {rows} rows × {} columns, {runs} interleaved runs of each contender (load average {})",
            shape.title(),
            shape.cols(),
            facts.load
        );
        let mut samples: BTreeMap<&str, Vec<Sample>> = BTreeMap::new();
        for round in 1..=runs {
            for c in Contender::ALL {
                let out = out_dir.join(format!("{}-{}-{round}.xlsx", c.key(), shape.cols()));
                let _ = fs::remove_file(&out);
                let mut cmd = match c {
                    Contender::Ours => {
                        let mut cmd = Command::new(&bin);
                        cmd.arg("ours").arg(&db).arg(&out);
                        cmd
                    }
                    Contender::Floor => {
                        let mut cmd = Command::new(&bin);
                        cmd.arg("floor").arg(&out).arg(rows.to_string());
                        cmd
                    }
                    Contender::XlsxWriter | Contender::Openpyxl => {
                        let mut cmd = Command::new(&python);
                        cmd.arg(root.join("bench").join(format!("export_{}.py", c.key()))).arg(rows.to_string()).arg(&out);
                        cmd
                    }
                };
                cmd.args(shape.arg());
                let sample = run_contender(&mut cmd, &out, shape.cols())?;
                println!(
                    "  run {round} {:<10} {:>7.3} s  peak {}  cpu {}",
                    c.key(),
                    sample.seconds,
                    opt(sample.peak_mb, "MB", 1),
                    opt(sample.cpu_seconds, "s", 2)
                );
                samples.entry(c.key()).or_default().push(sample);
            }
        }
        let load_after = Facts::load_average();
        section += &export_section(shape, rows, runs, &samples, &versions, &facts, &load_after);
    }
    println!("\n{section}");
    Ok(section)
}

/// Which roster columns every contender writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The meeting edition, 10 columns: the shape issue #2 names, where its goals apply.
    Meeting,
    /// Every roster column (13, two of them long text).
    Full,
}

impl Shape {
    const ALL: [Shape; 2] = [Shape::Meeting, Shape::Full];

    fn cols(self) -> usize {
        match self {
            Shape::Meeting => 10,
            Shape::Full => 13,
        }
    }

    fn arg(self) -> Option<&'static str> {
        (self == Shape::Meeting).then_some("meeting")
    }

    fn title(self) -> &'static str {
        match self {
            Shape::Meeting => "meeting edition (会议版)",
            Shape::Full => "full roster",
        }
    }
}

/// Runs one contender, checks its workbook and reads its JSON line.
fn run_contender(cmd: &mut Command, out: &Path, cols: usize) -> Result<Sample> {
    let shown = display(cmd);
    let result = cmd.stdin(Stdio::null()).output().with_context(|| format!("could not start `{shown}`"))?;
    let stdout = String::from_utf8_lossy(&result.stdout);
    if !result.status.success() {
        bail!("`{shown}` failed ({}):\n{}{}", result.status, stdout, String::from_utf8_lossy(&result.stderr));
    }
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .with_context(|| format!("`{shown}` printed no JSON line:\n{stdout}"))?;
    let seconds = json_number(line, "seconds").with_context(|| format!("no \"seconds\" in {line}"))?;
    anyhow::ensure!(json_number(line, "cols") == Some(cols as f64), "`{shown}` did not write {cols} columns: {line}");
    let file_bytes = check_workbook(out).with_context(|| format!("the workbook of `{shown}`"))?;
    Ok(Sample { seconds, peak_mb: json_number(line, "peak_rss_mb"), cpu_seconds: json_number(line, "cpu_seconds"), file_bytes })
}

/// The file exists, is not empty and is a zip (every xlsx is); returns its size.
fn check_workbook(path: &Path) -> Result<u64> {
    let size = fs::metadata(path).with_context(|| format!("{} was not written", path.display()))?.len();
    let mut magic = [0u8; 4];
    fs::File::open(path)?.read_exact(&mut magic).with_context(|| format!("{} is too short", path.display()))?;
    anyhow::ensure!(magic == *b"PK\x03\x04", "{} is not a zip file", path.display());
    Ok(size)
}

/// The value of a top-level number field of a one-line JSON object (`null` → None). The lines
/// come from our own scripts, so this does not need to be a JSON parser.
fn json_number(line: &str, key: &str) -> Option<f64> {
    let at = line.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = line[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

/// A store with `rows` officers, seeded once per row count and kept in target/bench/ until the
/// generator (the example's source) or the migrations change.
fn seeded_store(bin: &Path, rows: usize) -> Result<PathBuf> {
    let dir = target_dir().join("bench").join(format!("store-{rows}"));
    let db = dir.join("zongwu.db");
    let marker = dir.join("seeded");
    let inputs =
        [mtime(&repo_root().join("crates/zongwu-core/examples/export_bench.rs")), newest_mtime(&repo_root().join("migrations"))];
    let seeded = mtime(&marker);
    if db.is_file() && seeded.is_some() && inputs.iter().all(|i| *i <= seeded) {
        println!("using the seeded store {}", db.display());
        return Ok(db);
    }
    let tmp = dir.with_extension("tmp");
    let _ = fs::remove_dir_all(&tmp);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&tmp)?;
    run(Command::new(bin).arg("seed").arg(tmp.join("zongwu.db")).arg(rows.to_string()))?;
    fs::write(tmp.join("seeded"), format!("{rows}\n"))?;
    fs::rename(&tmp, &dir)?;
    Ok(db)
}

fn python_versions(python: &Path) -> BTreeMap<String, String> {
    let script = "import sys, xlsxwriter, openpyxl; \
                  print('python', sys.version.split()[0]); \
                  print('xlsxwriter', xlsxwriter.__version__); \
                  print('openpyxl', openpyxl.__version__)";
    output(Command::new(python).args(["-c", script]))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

fn export_section(
    shape: Shape,
    rows: usize,
    runs: usize,
    samples: &BTreeMap<&str, Vec<Sample>>,
    versions: &BTreeMap<String, String>,
    facts: &Facts,
    load_after: &str,
) -> String {
    let median_of = |c: Contender| median(samples[c.key()].iter().map(|s| s.seconds).collect());
    let peak_of = |c: Contender| samples[c.key()].iter().filter_map(|s| s.peak_mb).reduce(f64::max);
    let cpu_of = |c: Contender| {
        let v: Vec<f64> = samples[c.key()].iter().filter_map(|s| s.cpu_seconds).collect();
        (!v.is_empty()).then(|| median(v))
    };
    // The same ratio by CPU time: steadier than wall time when the machine is busy.
    let by_cpu = |a: Contender, b: Contender| match (cpu_of(a), cpu_of(b)) {
        (Some(a), Some(b)) if b > 0.0 => format!(" (CPU {:.1}×)", a / b),
        _ => String::new(),
    };
    let ours = median_of(Contender::Ours);
    let floor = median_of(Contender::Floor);
    let xlsxwriter = median_of(Contender::XlsxWriter);
    let openpyxl = median_of(Contender::Openpyxl);

    let mut s = format!("\n### {} rows × {} columns: {}\n\n", thousands(rows), shape.cols(), shape.title());
    s += &format!(
        "{runs} runs of each contender interleaved in one run; \
         time = median wall time of the work (not process start), peak = highest peak resident set \
         of the process (MB = 10⁶ bytes), CPU = median user + system time of the whole process.\n\n"
    );
    s += "| contender | time (median) | runs | CPU | peak RSS | file | ratio |\n";
    s += "|---|--:|---|--:|--:|--:|---|\n";
    for c in Contender::ALL {
        let list = &samples[c.key()];
        let times = list.iter().map(|x| format!("{:.2}", x.seconds)).collect::<Vec<_>>().join(" / ");
        let cpu = list.iter().filter_map(|x| x.cpu_seconds).collect::<Vec<_>>();
        let cpu = if cpu.is_empty() { "–".to_string() } else { format!("{:.2} s", median(cpu)) };
        let file = list.last().map(|x| x.file_bytes as f64 / 1e6).unwrap_or(0.0);
        let ratio = match c {
            Contender::Ours => String::new(),
            Contender::Floor => {
                format!("ours / floor = **{:.2}×**{}", ours / floor, by_cpu(Contender::Ours, Contender::Floor))
            }
            Contender::XlsxWriter => format!(
                "XlsxWriter / ours = **{:.1}×**{}; XlsxWriter / floor = {:.1}×",
                xlsxwriter / ours,
                by_cpu(Contender::XlsxWriter, Contender::Ours),
                xlsxwriter / floor
            ),
            Contender::Openpyxl => {
                format!("openpyxl / ours = **{:.1}×**{}", openpyxl / ours, by_cpu(Contender::Openpyxl, Contender::Ours))
            }
        };
        s += &format!(
            "| {} | **{:.2} s** | {times} | {cpu} | {} | {file:.1} MB | {ratio} |\n",
            c.label(versions),
            median_of(c),
            opt(peak_of(c), "MB", 1),
        );
    }
    let peak = peak_of(Contender::Ours);
    let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
    s += &format!(
        "\n| goal (issue #2, stated for 10 columns{}) | measured | |\n|---|--:|---|\n",
        if shape == Shape::Meeting { "" } else { "; shown here for comparison" }
    );
    s += &format!("| time ≤ 1.5 s | {ours:.2} s | {} |\n", verdict(ours <= 1.5));
    s += &format!("| within 1.4× of the floor | {:.2}× | {} |\n", ours / floor, verdict(ours / floor <= 1.4));
    match peak {
        Some(p) => s += &format!("| peak ≤ 40 MB | {p:.1} MB | {} |\n", verdict(p <= 40.0)),
        None => s += "| peak ≤ 40 MB | not measured on this OS | |\n",
    }
    s += &format!("| ≥ 10× faster than XlsxWriter | {:.1}× | {} |\n", xlsxwriter / ours, verdict(xlsxwriter / ours >= 10.0));
    s += &format!(
        "\n{}; Python {}. Load average before / after: {} / {}.\n",
        facts.line(),
        versions.get("python").map(String::as_str).unwrap_or("?"),
        facts.load,
        load_after
    );
    s
}

/// 100000 → "100,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn opt(v: Option<f64>, unit: &str, decimals: usize) -> String {
    match v {
        Some(v) => format!("{v:.decimals$} {unit}"),
        None => "–".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Startup

/// How long to wait for `ZONGWU_READY` before giving up on a start.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// Memory is read this long after the first screen, once the WebView has settled.
const SETTLE: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, PartialEq, Eq)]
enum StartKind {
    /// An empty data directory with `ZONGWU_NO_DEMO=1`: migrations, first backup, empty lists.
    Empty,
    /// An empty data directory: the demo database is generated before the first screen.
    Demo,
    /// The data directory of an earlier demo start.
    Warm,
}

impl StartKind {
    const ALL: [StartKind; 3] = [StartKind::Empty, StartKind::Demo, StartKind::Warm];

    fn label(self) -> &'static str {
        match self {
            StartKind::Empty => "first start, empty data dir (`ZONGWU_NO_DEMO=1`)",
            StartKind::Demo => "first start, empty data dir, demo data generated",
            StartKind::Warm => "warm start, existing demo database",
        }
    }
}

struct Start {
    /// Spawn to the READY line, measured here.
    wall_ms: f64,
    /// The app's own figure: process start to READY.
    internal_ms: f64,
    /// Per process name (the app, WebKitWebProcess, WebKitNetworkProcess …): (RSS, PSS) in kB,
    /// summed over processes of that name; PSS is `None` without /proc/PID/smaps_rollup.
    memory: BTreeMap<String, (u64, Option<u64>)>,
}

impl Start {
    fn rss_kb(&self) -> Option<u64> {
        (!self.memory.is_empty()).then(|| self.memory.values().map(|m| m.0).sum())
    }
    fn pss_kb(&self) -> Option<u64> {
        self.memory.values().map(|m| m.1).sum()
    }
}

fn kb_to_mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

/// The median of some kB figures, as MB.
fn median_mb(v: impl Iterator<Item = u64>) -> String {
    let v: Vec<f64> = v.map(kb_to_mb).collect();
    if v.is_empty() {
        "–".into()
    } else {
        format!("{:.0} MB", median(v))
    }
}

/// Returns the section and whether every start was measured.
fn startup(args: &Args) -> Result<(String, bool)> {
    setup::build_ui_if_stale()?;
    run(cargo().args(["build", "--release", "-p", "zongwu-desktop"]))?;
    let bin = target_dir().join("release").join(format!("zongwu{}", env::consts::EXE_SUFFIX));
    let size = fs::metadata(&bin).with_context(|| format!("{} not found", bin.display()))?.len();
    let facts = Facts::collect();

    let headless = cfg!(target_os = "linux")
        && env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty());
    let xvfb = if headless { Some(Xvfb::start().context("no display, and Xvfb could not start")?) } else { None };
    let display = xvfb.as_ref().map(Xvfb::display);

    let work = target_dir().join("bench").join("startup");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work)?;
    let warm_dir = work.join("demo-1");
    let starts = args.starts.max(1);
    println!("\nstartup: {starts} starts of each kind, {}", bin.display());

    let mut results: BTreeMap<usize, Vec<Start>> = BTreeMap::new();
    let mut problem: Option<String> = None;
    // The very first start of the run meets the coldest caches (the WebKit libraries, fonts).
    let mut first: Option<f64> = None;
    'outer: for n in 1..=starts {
        for (k, kind) in StartKind::ALL.into_iter().enumerate() {
            let (dir, no_demo) = match kind {
                StartKind::Empty => (work.join(format!("empty-{n}")), true),
                StartKind::Demo => (work.join(format!("demo-{n}")), false),
                StartKind::Warm => (warm_dir.clone(), true),
            };
            let log = work.join(format!("{}-{n}.log", ["empty", "demo", "warm"][k]));
            match start_once(&bin, &dir, no_demo, display.as_deref(), &log) {
                Ok(s) => {
                    println!(
                        "  start {n} {:<6} ready after {:>6.0} ms (app: {:>5.0} ms), RSS {}, PSS {}, {}",
                        ["empty", "demo", "warm"][k],
                        s.wall_ms,
                        s.internal_ms,
                        opt(s.rss_kb().map(kb_to_mb), "MB", 1),
                        opt(s.pss_kb().map(kb_to_mb), "MB", 1),
                        s.memory.keys().cloned().collect::<Vec<_>>().join(", ")
                    );
                    first.get_or_insert(s.wall_ms);
                    results.entry(k).or_default().push(s);
                }
                Err(e) => {
                    eprintln!("  start {n} {}: {e:#}", ["empty", "demo", "warm"][k]);
                    problem = Some(format!("{e:#}"));
                    break 'outer;
                }
            }
            // Keep the first demo start's data dir: the warm starts use it.
            if kind == StartKind::Empty || (kind == StartKind::Demo && dir != warm_dir) {
                let _ = fs::remove_dir_all(&dir);
            }
        }
    }
    drop(xvfb);

    let mut s = String::new();
    s += &format!(
        "Release binary `target/release/zongwu{}`: **{:.1} MB** ({size} bytes).\n\n",
        env::consts::EXE_SUFFIX,
        size as f64 / 1e6
    );
    let screen = match &display {
        Some(d) => format!("a private Xvfb display {d} (1280×800, software rendering)"),
        None => "the current display".to_string(),
    };
    s += &format!(
        "Each start spawns the release binary with a data directory under target/bench/startup and \
         waits for the `ZONGWU_READY` line the app prints when its first screen has rendered \
         (`app_ready`, env `ZONGWU_REPORT_READY=1`), on {screen}. *Ready* is spawn → that line, \
         measured outside; *in-app* is the app's own process-start → ready. Memory is read \
         {} s after ready, summed over the app and all its descendants (the WebKit web and network \
         processes): RSS counts shared pages once per process, PSS splits them. The page cache is \
         warm (the binary was just built or run); the kinds of start are interleaved, {starts} of each.\n\n",
        SETTLE.as_secs()
    );
    if results.is_empty() {
        s += &format!("**Start-up not measured**: {}\n", problem.as_deref().unwrap_or("no start completed").replace('\n', " "));
    } else {
        s += "| start | ready (median) | min – max | in-app (median) | RSS, all processes | PSS, all processes |\n";
        s += "|---|--:|--:|--:|--:|--:|\n";
        for (k, kind) in StartKind::ALL.into_iter().enumerate() {
            let Some(list) = results.get(&k) else {
                s += &format!("| {} | not measured | | | | | |\n", kind.label());
                continue;
            };
            let walls: Vec<f64> = list.iter().map(|x| x.wall_ms).collect();
            let min = walls.iter().copied().fold(f64::INFINITY, f64::min);
            let max = walls.iter().copied().fold(0.0, f64::max);
            s += &format!(
                "| {} | **{:.0} ms** | {min:.0} – {max:.0} ms | {:.0} ms | {} | {} |\n",
                kind.label(),
                median(walls.clone()),
                median(list.iter().map(|x| x.internal_ms).collect()),
                median_mb(list.iter().filter_map(Start::rss_kb)),
                median_mb(list.iter().filter_map(Start::pss_kb)),
            );
        }
        if let Some(ms) = first {
            s += &format!("\nThe first start of the run (coldest caches) was ready after {ms:.0} ms.\n");
        }
        // Where the memory is, for the warm start (the everyday case), or whatever was measured.
        if let Some(list) = results.get(&2).or_else(|| results.values().next()) {
            let names: BTreeSet<&String> = list.iter().flat_map(|x| x.memory.keys()).collect();
            if !names.is_empty() {
                s += "\n| process (warm start, median) | RSS | PSS |\n|---|--:|--:|\n";
                for name in names {
                    let of = |f: fn(&(u64, Option<u64>)) -> Option<u64>| {
                        median_mb(list.iter().filter_map(|x| x.memory.get(name).and_then(f)))
                    };
                    s += &format!("| {name} | {} | {} |\n", of(|m| Some(m.0)), of(|m| m.1));
                }
            }
        }
        if let Some(p) = &problem {
            s += &format!("\nStopped early: {}\n", p.replace('\n', " "));
        }
    }
    s += &format!("\n{}. Load average before / after: {} / {}.\n", facts.line(), facts.load, Facts::load_average());
    println!("\n{s}");
    Ok((s, problem.is_none()))
}

/// One start: spawn, wait for READY, let it settle, read the memory of the process tree, stop it.
fn start_once(bin: &Path, data_dir: &Path, no_demo: bool, display: Option<&str>, log: &Path) -> Result<Start> {
    fs::create_dir_all(data_dir)?;
    let mut cmd = Command::new(bin);
    cmd.env("ZONGWU_REPORT_READY", "1")
        .env("ZONGWU_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(fs::File::create(log)?);
    if no_demo {
        cmd.env("ZONGWU_NO_DEMO", "1");
    } else {
        cmd.env_remove("ZONGWU_NO_DEMO");
    }
    if let Some(d) = display {
        cmd.env("DISPLAY", d);
    }
    let spawned = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("starting {}", bin.display()))?;

    // Read stdout to its end on a thread, so the app never blocks on a full pipe.
    let (tx, rx) = mpsc::channel::<(Instant, f64)>();
    let stdout = child.stdout.take().context("no stdout")?;
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            if let Some(ms) = line.strip_prefix("ZONGWU_READY ") {
                let _ = tx.send((Instant::now(), ms.trim().parse().unwrap_or(f64::NAN)));
            }
        }
    });

    let deadline = spawned + READY_TIMEOUT;
    let (ready_at, internal_ms) = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(ready) => break ready,
            Err(mpsc::RecvTimeoutError::Timeout) | Err(mpsc::RecvTimeoutError::Disconnected) => {}
        }
        if let Some(status) = child.try_wait()? {
            bail!("the app exited ({status}) before its first screen; its log: {}", log.display());
        }
        if Instant::now() > deadline {
            stop_tree(&mut child);
            bail!(
                "no `ZONGWU_READY` line within {} s. The UI must call the `app_ready` command after \
                 its first render (ui/src: `api.appReady()`), and the binary must be a release \
                 build of that UI (ui/dist embedded). The app's log: {}",
                READY_TIMEOUT.as_secs(),
                log.display()
            );
        }
    };
    let wall_ms = (ready_at - spawned).as_secs_f64() * 1000.0;

    thread::sleep(SETTLE);
    let tree = process_tree(child.id());
    let mut memory: BTreeMap<String, (u64, Option<u64>)> = BTreeMap::new();
    for pid in &tree {
        let Some(rss) = proc_kb(&format!("/proc/{pid}/status"), "VmRSS:") else { continue };
        let pss = proc_kb(&format!("/proc/{pid}/smaps_rollup"), "Pss:");
        // argv[0]'s file name: /proc/PID/comm cuts names at 15 bytes ("WebKitNetworkPr").
        let name = fs::read(format!("/proc/{pid}/cmdline"))
            .ok()
            .and_then(|c| {
                let argv0 = String::from_utf8_lossy(c.split(|b| *b == 0).next()?).into_owned();
                Path::new(&argv0).file_name().map(|n| n.to_string_lossy().into_owned())
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("pid {pid}"));
        let entry = memory.entry(name).or_insert((0, Some(0)));
        entry.0 += rss;
        entry.1 = entry.1.zip(pss).map(|(a, b)| a + b);
    }
    stop_tree(&mut child);
    Ok(Start { wall_ms, internal_ms, memory })
}

/// `root` and all its descendants, from the parent pids in /proc (Linux; just `root` elsewhere).
fn process_tree(root: u32) -> Vec<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
            // "pid (comm) state ppid …": comm may hold spaces and parentheses.
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()) {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        if let Some(kids) = children.get(&tree[i]) {
            tree.extend(kids.iter().copied().filter(|k| !tree.contains(k)).collect::<Vec<_>>());
        }
        i += 1;
    }
    tree
}

/// A `Key:   1234 kB` line of a /proc file, in kB.
fn proc_kb(path: &str, key: &str) -> Option<u64> {
    let text = fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| l.strip_prefix(key))?.split_whitespace().next()?.parse().ok()
}

/// Stop the app (SIGTERM, then SIGKILL after 5 s) and any of its descendants still running.
fn stop_tree(child: &mut Child) {
    let tree = process_tree(child.id());
    if cfg!(unix) {
        let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).stderr(Stdio::null()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    // The WebKit processes normally leave with the app; make sure, by the pids seen above.
    thread::sleep(Duration::from_millis(200));
    let left: Vec<String> =
        tree.iter().skip(1).filter(|p| Path::new(&format!("/proc/{p}")).exists()).map(|p| p.to_string()).collect();
    if !left.is_empty() {
        let _ = Command::new("kill").arg("-KILL").args(&left).stderr(Stdio::null()).status();
    }
}

/// A private X server for the app's window; stopped (SIGTERM, so it removes its lock) on drop.
struct Xvfb {
    child: Child,
    number: u32,
}

impl Xvfb {
    fn start() -> Result<Self> {
        anyhow::ensure!(find_program("Xvfb").is_some(), "Xvfb not found (Debian: apt-get install xvfb)");
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
                bail!("Xvfb {display} exited at start ({status})");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("Xvfb {display} did not come up within 15 s");
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
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
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

// ---------------------------------------------------------------------------------------------
// Machine facts and docs/benchmarks.md

struct Facts {
    date: String,
    cpu: String,
    cores: usize,
    memory: String,
    os: String,
    rustc: String,
    commit: String,
    load: String,
}

impl Facts {
    fn collect() -> Facts {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_string()))
            .unwrap_or_else(|| env::consts::ARCH.to_string());
        let memory = proc_kb("/proc/meminfo", "MemTotal:")
            .map(|kb| format!("{:.0} GiB RAM", kb as f64 / 1024.0 / 1024.0))
            .unwrap_or_else(|| "RAM unknown".into());
        let os = fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|t| t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string())))
            .unwrap_or_else(|| env::consts::OS.to_string());
        Facts {
            date: output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"])).unwrap_or_else(|| "date unknown".into()),
            cpu,
            cores: thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            memory,
            os,
            rustc: output(Command::new("rustc").arg("--version")).unwrap_or_else(|| "rustc ?".into()),
            commit: commit(),
            load: Facts::load_average(),
        }
    }

    fn load_average() -> String {
        fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|_| "?".into())
    }

    fn line(&self) -> String {
        format!(
            "Measured {} at commit {} on {}, {} cores, {}, {}; {}",
            self.date, self.commit, self.cpu, self.cores, self.memory, self.os, self.rustc
        )
    }
}

/// HEAD, marked when the code that is measured has uncommitted changes.
fn commit() -> String {
    let git = |args: &[&str]| output(Command::new("git").args(args).current_dir(repo_root()));
    let head = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "?".into());
    let paths = ["status", "--porcelain", "--", "crates", "src-tauri", "ui/src", "migrations", "bench", "Cargo.lock"];
    match git(&paths) {
        Some(changes) if !changes.is_empty() => format!("`{head}` + uncommitted changes"),
        _ => format!("`{head}`"),
    }
}

fn publish(args: &Args, name: &str, body: &str) -> Result<()> {
    if args.no_write {
        return Ok(());
    }
    let path = repo_root().join("docs").join("benchmarks.md");
    let text = fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n\nRun `cargo xtask bench`.\n".into());
    let start = format!("<!-- bench:{name}:start -->");
    let end = format!("<!-- bench:{name}:end -->");
    let new = match (text.find(&start), text.find(&end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{start}\n{}\n{}", &text[..a], body.trim_end(), &text[b..])
        }
        _ => format!("{}\n{start}\n{}\n{end}\n", text.trim_end(), body.trim_end()),
    };
    fs::write(&path, new).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote the {name} section of {}", path.display());
    Ok(())
}
