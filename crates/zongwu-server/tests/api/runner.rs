//! The desktop's background sync runner and join step (zongwu-core) against the real server.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, ADMIN_PASSWORD};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zongwu_core::store::{new_id, Table};
use zongwu_core::sync::account::{self, JoinChoice};
use zongwu_core::sync::runner::{RunnerConfig, SyncRunner, SyncState};
use zongwu_core::sync::SyncClient;
use zongwu_core::{Actor, Store, SystemClock};

/// A TCP proxy in front of `target` that answers `503 Service Unavailable` to the first `fail`
/// connections (after reading their request) and forwards every later one untouched.
async fn flaky_proxy(target: String, fail: usize) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let refused = Arc::new(AtomicUsize::new(0));
    let counter = refused.clone();
    let target = target.trim_start_matches("http://").to_string();
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else { return };
            let target = target.clone();
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if n < fail {
                    read_request(&mut inbound).await;
                    let body = r#"{"code":"unavailable","message":"try again later"}"#;
                    let answer = format!(
                        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = inbound.write_all(answer.as_bytes()).await;
                    let _ = inbound.shutdown().await;
                } else if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (url, refused)
}

/// Read one HTTP request (headers and a `content-length` body) so the client sees an answer,
/// not a reset.
async fn read_request(stream: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let Ok(n) = stream.read(&mut chunk).await else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize =
                head.lines().find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))).unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return;
            }
        }
    }
}

async fn desktop(dir: &tempfile::TempDir, name: &str) -> Arc<Store> {
    Arc::new(Store::open(&dir.path().join(format!("{name}.db")), Arc::new(SystemClock)).await.expect("open desktop store"))
}

async fn insert_units(store: &Store, n: usize) {
    let mut tx = store.begin_write(&Actor::local_admin()).await.unwrap();
    for i in 0..n {
        let id = new_id();
        tx.insert(Table::Units, &id, Some(&id), json!({"code": format!("R{i:04}"), "name": format!("单位 {i}")})).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// (8) Transient 5xx with no new local edits: the runner retries on its own timer, with
/// backoff, and the outbox drains by itself.
async fn transient_5xx_drains_the_outbox_by_itself(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let store = desktop(&dir, "d").await;
    let (client, _) = SyncClient::login(&app.base_url, &store, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&store, 25).await;
    assert_eq!(store.pending_changes().await.unwrap(), 25);

    const FAILURES: usize = 4;
    let (proxy, seen) = flaky_proxy(app.base_url.clone(), FAILURES).await;
    let flaky = SyncClient::new(&proxy, client.token()).unwrap();
    let config = RunnerConfig {
        // Only retries can help: the regular timer is far away and no edit follows.
        interval: Duration::from_secs(3600),
        debounce: Duration::from_millis(10),
        backoff_base: Duration::from_millis(40),
        backoff_cap: Duration::from_millis(400),
    };
    let runner = SyncRunner::start(store.clone(), flaky, config);
    let mut status = runner.subscribe();
    let mut saw_error = false;
    let drained = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let s = status.borrow_and_update().clone();
            if s.state == SyncState::Error {
                saw_error = true;
                assert!(s.last_error.as_deref().is_some_and(|e| e.contains("503")), "the error names the 503: {s:?}");
                assert!(s.next_retry_ms.is_some(), "a failure schedules the next try");
                assert_eq!(s.pending, 25, "nothing left the outbox while the server failed");
            }
            if s.state == SyncState::Idle && s.last_success_ms.is_some() {
                return s;
            }
            status.changed().await.expect("the runner is alive");
        }
    })
    .await
    .expect("the outbox drains within 30 s");
    assert!(saw_error, "the runner reported the failures it retried");
    assert_eq!(drained.pending, 0, "the outbox drained with no new local edit");
    assert_eq!(drained.failures, 0, "a success resets the failure count");
    assert!(drained.last_error.is_none(), "a success clears the error");
    assert!(seen.load(Ordering::SeqCst) > FAILURES, "the proxy refused {FAILURES} connections before one got through");
    assert_eq!(store.pending_changes().await.unwrap(), 0);
    assert_eq!(app.pull_all(&app.admin_token, 1000).await.len(), 25, "the server holds each change once");
    runner.stop().await;
}
both_backends!(transient_5xx_drains_the_outbox_by_itself);

/// A local edit reaches the server after the debounce, without waiting for the timer; `stop`
/// ends the runner.
async fn an_edit_is_pushed_soon_after_it_is_saved(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let store = desktop(&dir, "d").await;
    let (client, _) = SyncClient::login(&app.base_url, &store, "admin", ADMIN_PASSWORD).await.unwrap();
    let config = RunnerConfig { interval: Duration::from_secs(3600), debounce: Duration::from_millis(20), ..Default::default() };
    let runner = SyncRunner::start(store.clone(), client, config);
    let mut status = runner.subscribe();
    let revision = status.wait_for(|s| s.state == SyncState::Idle && s.last_success_ms.is_some()).await.unwrap().data_revision;
    insert_units(&store, 3).await;
    runner.local_edit();
    let after = tokio::time::timeout(Duration::from_secs(10), status.wait_for(|s| s.state == SyncState::Idle && s.pending == 0))
        .await
        .expect("pushed after the debounce")
        .unwrap()
        .clone();
    assert_eq!(after.data_revision, revision, "our own changes coming back from the pull do not make views reload");
    tokio::time::timeout(Duration::from_secs(10), async {
        while app.pull_all(&app.admin_token, 1000).await.len() < 3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the server has the edit");

    // A change from another desktop, fetched by "sync now", does.
    let other = desktop(&dir, "other").await;
    let (other_client, _) = SyncClient::login(&app.base_url, &other, "admin", ADMIN_PASSWORD).await.unwrap();
    insert_units(&other, 1).await;
    other_client.sync_once(&other).await.unwrap();
    runner.sync_now();
    tokio::time::timeout(Duration::from_secs(10), status.wait_for(|s| s.data_revision != revision))
        .await
        .expect("a remote change bumps the data revision")
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), runner.stop()).await.expect("stop returns");
}
both_backends!(an_edit_is_pushed_soon_after_it_is_saved);

/// Joining: an officer's desktop full of demo data cannot upload it (other units: the server
/// would refuse every push), so it starts empty under the same device id and pulls its unit,
/// which an office desktop uploaded. Demo units have the same ids everywhere.
async fn an_officer_joins_by_downloading_and_sees_their_unit(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("officer1", "officer", Some("demo-unit-01")).await;
    let dir = tempfile::tempdir().unwrap();
    let size = zongwu_core::demo::DemoSize { officers: 36, needs: 14, seed: 7 };

    // The office desktop: demo data, then real work; it uploads everything.
    let office = desktop(&dir, "office").await;
    zongwu_core::users::ensure_builtin(&office).await.unwrap();
    zongwu_core::demo::generate(&office, &size).await.unwrap();
    account::mark_setup(&office).await.unwrap();
    insert_units(&office, 1).await;
    let (_, admin) = account::login(&office, &app.base_url, "admin", ADMIN_PASSWORD).await.unwrap();
    let plan = account::join_plan(&office, &admin).await.unwrap();
    assert!(plan.setup_changes > 0 && plan.pending == plan.setup_changes + 1, "set-up data is told apart from work: {plan:?}");
    assert_eq!(plan.recommended, Some(JoinChoice::Upload), "real work is uploaded by default");
    assert!(plan.can_upload && plan.can_download_only);
    account::mark_joined(&office).await.unwrap();
    let (client, _) = account::client(&office).await.unwrap().unwrap();
    client.sync_once(&office).await.unwrap();
    assert_eq!(office.pending_changes().await.unwrap(), 0);

    // The officer's desktop: demo data only.
    let mine = desktop(&dir, "officer").await;
    zongwu_core::users::ensure_builtin(&mine).await.unwrap();
    zongwu_core::demo::generate(&mine, &size).await.unwrap();
    account::mark_setup(&mine).await.unwrap();
    let device = mine.device_id().to_string();
    let (_, officer) = account::login(&mine, &app.base_url, "officer1", "officer1-password").await.unwrap();
    let plan = account::join_plan(&mine, &officer).await.unwrap();
    assert!(plan.out_of_scope > 0 && !plan.can_upload, "other units' rows cannot go up: {plan:?}");
    assert_eq!(plan.recommended, Some(JoinChoice::DownloadOnly));
    assert!(account::check_choice(&plan, JoinChoice::Upload).is_err(), "uploading is refused before the server refuses it");

    let backups = dir.path().join("backups");
    let mine = Arc::try_unwrap(mine).expect("one handle");
    let fresh = account::start_empty(&mine, &backups, Arc::new(SystemClock)).await.unwrap();
    assert_eq!(fresh.device_id(), device, "the device keeps its id (and its registration)");
    assert_eq!(fresh.pending_changes().await.unwrap(), 0, "nothing of the demo data is offered");
    assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 1, "the old database is kept as a backup");
    let joined = account::mark_joined(&fresh).await.unwrap();
    assert_eq!(joined.actor().unit_id.as_deref(), Some("demo-unit-01"), "writes are the officer's now");
    let (client, _) = account::client(&fresh).await.unwrap().expect("the token survived the fresh start");
    client.sync_once(&fresh).await.unwrap();

    let units = zongwu_core::units::list(&fresh).await.unwrap();
    assert_eq!(units.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["demo-unit-01"], "the officer sees their own unit");
    let officers = fresh.dump_table(Table::Officers).await.unwrap();
    assert_eq!(officers.len(), 2, "and its officers (36 over 18 units)");
    assert!(officers.iter().all(|o| o["unit_id"] == "demo-unit-01"));

    // The officer's own edit goes up: nothing out of scope blocks the outbox.
    let mut tx = fresh.begin_write(&joined.actor()).await.unwrap();
    let actor = joined.actor();
    tx.insert(
        Table::Needs,
        &zongwu_core::store::new_id(),
        Some("demo-unit-01"),
        json!({"title": "门禁刷卡", "status": "submitted", "submitter_id": actor.user_id}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    client.sync_once(&fresh).await.unwrap();
    assert_eq!(fresh.pending_changes().await.unwrap(), 0, "the officer's edit was accepted");
}
both_backends!(an_officer_joins_by_downloading_and_sees_their_unit);
