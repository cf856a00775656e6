//! (4) A desktop killed while it pulls (SIGKILL, at random moments, so some kills land between
//! a page's rows and the cursor after it) and started again ends exactly where a clean pull ends:
//! no duplicate log entries, no holes. Rows and cursor commit in one transaction; this proves it
//! with real process deaths rather than a simulated failure.
//!
//! The puller is this test binary itself, re-run as the ignored test [`pull_child`] with the
//! server and database in its environment, so no extra binary is needed.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};
use crate::sync_client::{comparable, desktop, insert_units};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zongwu_core::store::Table;
use zongwu_core::sync::SyncClient;
use zongwu_core::{Store, SystemClock};

const URL_VAR: &str = "ZONGWU_KILL_TEST_URL";
const DB_VAR: &str = "ZONGWU_KILL_TEST_DB";
const ROWS: usize = 8000;

/// The child: pull everything into the database named in the environment, then exit. Run by
/// hand (without the environment) it does nothing.
#[tokio::test]
#[ignore = "run by desktops_killed_while_pulling_resume_without_duplicates_or_holes"]
async fn pull_child() {
    let (Ok(url), Ok(db)) = (std::env::var(URL_VAR), std::env::var(DB_VAR)) else { return };
    let store = Store::open(Path::new(&db), Arc::new(SystemClock)).await.expect("open the desktop store");
    let (client, _) = SyncClient::login(&url, &store, "admin", ADMIN_PASSWORD).await.expect("log in");
    client.pull_once(&store).await.expect("pull");
}

/// How many change_log entries the desktop at `db` holds, and how many distinct change ids.
async fn log_counts(db: &Path) -> (i64, i64) {
    if !db.exists() {
        return (0, 0);
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(db);
    let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
    let counts: std::result::Result<(i64, i64), _> =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT change_id) FROM change_log").fetch_one(&pool).await;
    pool.close().await;
    counts.unwrap_or((0, 0)) // killed before its schema existed
}

async fn desktops_killed_while_pulling_resume_without_duplicates_or_holes(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let source = desktop(&dir, "source").await;
    let (cs, _) = SyncClient::login(&app.base_url, &source, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&source, ROWS).await;
    cs.push_once(&source).await.unwrap();

    // The reference: a clean pull, which also tells how long a pull takes here.
    let clean = desktop(&dir, "clean").await;
    let (cc, _) = SyncClient::login(&app.base_url, &clean, "admin", ADMIN_PASSWORD).await.unwrap();
    let started = Instant::now();
    cc.pull_once(&clean).await.unwrap();
    let pull_ms = started.elapsed().as_millis().max(50) as u64;

    let mut rng = (std::process::id() as u64) << 20 | started.elapsed().as_nanos() as u64 | 1;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n.max(1)
    };
    let page_ms = pull_ms / (ROWS as u64 / 1000);
    let db = dir.path().join("killed.db");
    let (mut kills, mut mid_pull_kills) = (0, 0);
    loop {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["client_kill::pull_child", "--exact", "--ignored", "--nocapture"])
            .env(URL_VAR, &app.base_url)
            .env(DB_VAR, &db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the pulling child");
        // Let it commit at least one more page, then kill it at a random moment of the page
        // after (inside its transaction, or between pages).
        let target = log_counts(&db).await.0 + 1 + next(500) as i64;
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if log_counts(&db).await.0 >= target {
                tokio::time::sleep(Duration::from_millis(next(page_ms / 2 + 1))).await;
                break child.try_wait().unwrap();
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        if let Some(status) = finished {
            assert!(status.success(), "the child pull failed after {kills} kills: {status}");
            break;
        }
        child.kill().unwrap(); // SIGKILL: nothing runs after it
        child.wait().unwrap();
        kills += 1;
        let (logged, distinct) = log_counts(&db).await;
        assert_eq!(logged, distinct, "no change is logged twice, even right after a kill");
        if logged > 0 && logged < ROWS as i64 {
            mid_pull_kills += 1;
        }
        assert!(kills < 100, "the pull never finished");
    }
    eprintln!("{kills} kills, {mid_pull_kills} in the middle of a pull");
    assert!(mid_pull_kills >= 2, "the test killed pulls in their middle ({mid_pull_kills} of {kills} kills)");

    let resumed = Store::open(&db, Arc::new(SystemClock)).await.unwrap();
    let (logged, distinct) = log_counts(&db).await;
    assert_eq!((logged, distinct), (ROWS as i64, ROWS as i64), "every change logged exactly once: no duplicates, no holes");
    assert_eq!(
        comparable(resumed.dump_table(Table::Units).await.unwrap()),
        comparable(clean.dump_table(Table::Units).await.unwrap()),
        "after {mid_pull_kills} kills mid-pull the desktop equals a clean pull"
    );
    let cursor = |s: &Store| {
        let pool = s.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT value FROM meta WHERE key = 'sync_cursor'").fetch_one(&pool).await.unwrap()
        }
    };
    assert_eq!(cursor(&resumed).await, cursor(&clean).await, "and its cursor is the clean pull's");
}
both_backends!(desktops_killed_while_pulling_resume_without_duplicates_or_holes);
