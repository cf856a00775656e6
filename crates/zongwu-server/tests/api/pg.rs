//! A throwaway PostgreSQL cluster for the tests, started from the installed server binaries.
//!
//! One cluster serves every test process of this binary (cargo test runs one process, nextest one
//! per test), found through a directory under the system temp dir keyed by this checkout:
//!
//! - `setup.lock` (exclusive) serialises starting the cluster;
//! - `users.lock` is held shared by every test process for its whole life; the OS releases it
//!   when the process ends, however it ends;
//! - a reaper shell (detached, started with the cluster) waits until nobody holds `users.lock`,
//!   waits a moment for the next nextest process, and stops the cluster while holding the lock
//!   exclusively, so no test can start using it meanwhile. Nothing is left running afterwards.
//!
//! As root, `initdb` and `pg_ctl` refuse to run, so they run as the `postgres` user.

use rustix::fs::{flock, FlockOperation};
use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

pub struct Cluster {
    pub port: u16,
    /// Held shared for the life of the process (see the module docs).
    _users: File,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The running cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(start_or_join)
}

/// A new empty database; its URL.
pub async fn fresh_database() -> String {
    use sqlx::{Connection, Executor};
    let port = cluster().port;
    let mut conn = sqlx::PgConnection::connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
        .await
        .expect("connect to the test cluster");
    let name = format!("zw_{}", uuid::Uuid::now_v7().simple());
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a test database");
    format!("postgres://postgres@127.0.0.1:{port}/{name}")
}

fn root() -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_MANIFEST_DIR").hash(&mut h);
    std::env::temp_dir().join(format!("zongwu-pg-{:016x}", h.finish()))
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A PostgreSQL server program: from PATH, else from Debian's versioned folder (the package
/// does not put `initdb` and `pg_ctl` on PATH).
fn pg_program(name: &str) -> String {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|f| f.is_file()))
        .unwrap_or_default();
    let debian = || {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|e| e.path()).collect();
        dirs.sort_by_key(|d| d.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<u32>().ok()).unwrap_or(0));
        dirs.into_iter().rev().map(|d| d.join("bin").join(name)).find(|f| f.is_file())
    };
    on_path.or_else(debian).map(|p| p.display().to_string()).unwrap_or_else(|| name.to_string())
}

/// `program args…`, as the `postgres` user when we are root.
fn as_postgres(program: &str) -> Command {
    let program = pg_program(program);
    let program = program.as_str();
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    }
}

fn chown_postgres(path: &Path) {
    if is_root() {
        let ok = Command::new("chown").args(["-R", "postgres:"]).arg(path).status().is_ok_and(|s| s.success());
        assert!(ok, "chown {} to postgres", path.display());
    }
}

fn running(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_millis(200)).is_ok()
}

fn read_port(root: &Path) -> Option<u16> {
    std::fs::read_to_string(root.join("port")).ok()?.trim().parse().ok()
}

fn process_alive(pid_file: &Path) -> bool {
    std::fs::read_to_string(pid_file).ok().is_some_and(|pid| Path::new("/proc").join(pid.trim()).exists())
}

fn start_or_join() -> Cluster {
    let root = root();
    std::fs::create_dir_all(&root).expect("create the cluster directory");
    let setup = File::create(root.join("setup.lock")).expect("setup.lock");
    flock(&setup, FlockOperation::LockExclusive).expect("lock setup.lock");
    let users = File::options().create(true).append(true).open(root.join("users.lock")).expect("users.lock");
    // Blocks while a reaper is stopping the cluster.
    flock(&users, FlockOperation::LockShared).expect("lock users.lock");

    let port = match read_port(&root).filter(|p| running(*p)) {
        Some(port) => port,
        None => start(&root),
    };
    if !process_alive(&root.join("reaper.pid")) {
        spawn_reaper(&root);
    }
    flock(&setup, FlockOperation::Unlock).expect("unlock setup.lock");
    Cluster { port, _users: users }
}

fn start(root: &Path) -> u16 {
    let data = root.join("data");
    let sockets = root.join("sock");
    // A cluster left by a killed run: stop it if it still runs, then start afresh.
    if data.join("postmaster.pid").exists() {
        let _ = as_postgres("pg_ctl").arg("-D").arg(&data).args(["-m", "immediate", "-w", "stop"]).output();
    }
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&sockets);
    std::fs::create_dir_all(&data).expect("create data dir");
    std::fs::create_dir_all(&sockets).expect("create socket dir");
    chown_postgres(root);
    let log = root.join("initdb.log");
    let out = as_postgres("initdb")
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "-N"])
        .stdout(File::create(&log).expect("initdb.log"))
        .stderr(File::options().append(true).open(&log).expect("initdb.log"))
        .status()
        .expect("run initdb (is PostgreSQL installed?)");
    assert!(out.success(), "initdb failed, see {}", log.display());

    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB",
        sockets.display()
    );
    let log = root.join("pg_ctl.log");
    let status = Command::new("setsid")
        .args(if is_root() { vec!["runuser", "-u", "postgres", "--"] } else { vec![] })
        .arg(pg_program("pg_ctl"))
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(root.join("postgres.log"))
        .args(["-o", &options, "-w", "-t", "60", "start"])
        .stdin(Stdio::null())
        .stdout(File::create(&log).expect("pg_ctl.log"))
        .stderr(File::options().append(true).open(&log).expect("pg_ctl.log"))
        .status()
        .expect("run pg_ctl");
    assert!(status.success(), "pg_ctl start failed, see {} and postgres.log", log.display());
    std::fs::write(root.join("port"), port.to_string()).expect("write port");
    port
}

/// The detached shell that stops the cluster once no test process holds `users.lock`.
fn spawn_reaper(root: &Path) {
    let runas = if is_root() { "runuser -u postgres --" } else { "" };
    let script = format!(
        r#"cd '{root}' || exit 1
echo $$ > reaper.pid
while :; do
  flock -x users.lock true
  sleep 0.5
  if flock -x -n users.lock sh -c '{runas} {pg_ctl} -D data -m fast -w stop >/dev/null 2>&1; rm -rf data sock port'; then
    rm -f reaper.pid
    exit 0
  fi
done"#,
        root = root.display(),
        pg_ctl = pg_program("pg_ctl"),
    );
    // `setsid -f` forks: the reaper is a grandchild, adopted by init, and outlives this process.
    let status = Command::new("setsid")
        .args(["-f", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("spawn the cluster reaper");
    assert!(status.success(), "setsid -f for the cluster reaper");
    // Let it record its pid before another process looks for it.
    for _ in 0..50 {
        if process_alive(&root.join("reaper.pid")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
