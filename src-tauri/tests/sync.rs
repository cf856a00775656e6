//! The window's sync glue (`AppState`) against a real server in-process: a demo desktop logs in
//! and uploads, the admin manages users through the core, an officer's demo desktop joins by
//! downloading only, edits, syncs in the background, and logs out back to the local profile.

use std::time::Duration;
use zongwu_core::sync::account::JoinChoice;
use zongwu_core::sync::admin::NewServerUser;
use zongwu_core::sync::runner::{SyncState, SyncStatus};
use zongwu_core::Role;
use zongwu_desktop::state::AppState;

const ADMIN_PASSWORD: &str = "admin-password-1";

async fn server(dir: &std::path::Path) -> String {
    let settings = zongwu_server::Settings {
        database_url: zongwu_server::Secret::new(format!("sqlite://{}", dir.join("server.db").display())),
        argon2_memory_kib: 1024,
        bootstrap_admin: Some(zongwu_server::settings::BootstrapAdmin {
            login: "admin".into(),
            password: zongwu_server::Secret::new(ADMIN_PASSWORD.into()),
        }),
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zongwu_server::launch(settings, listener, std::future::pending::<()>()));
    assert!(wait_listening(&url).await, "the server answers");
    url
}

/// Wait until the server accepts connections (no HTTP client needed: a TCP connect is enough).
async fn wait_listening(url: &str) -> bool {
    let addr = url.trim_start_matches("http://").to_string();
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(&addr).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

async fn desktop(dir: &std::path::Path, name: &str) -> AppState {
    let data = dir.join(name);
    let state = AppState::open(data.clone(), data.join("exports")).await.expect("open the desktop with demo data");
    state.resume_sync().await.unwrap();
    state
}

async fn wait_synced(state: &AppState) -> SyncStatus {
    let mut rx = state.subscribe_status();
    let s = tokio::time::timeout(
        Duration::from_secs(30),
        rx.wait_for(|s| s.state == SyncState::Idle && s.pending == 0 && s.last_success_ms.is_some()),
    )
    .await
    .expect("synced within 30 s")
    .expect("status channel open")
    .clone();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktops_join_sync_and_leave() {
    let dir = tempfile::tempdir().unwrap();
    let url = server(dir.path()).await;

    // The office: a demo desktop with nothing but set-up data; uploading is its choice here.
    let office = desktop(dir.path(), "office").await;
    let before = office.sync_status();
    assert_eq!(before.state, SyncState::SignedOut, "no account: the local profile");
    assert!(before.pending > 0, "demo data waits in the outbox");
    let (account, plan) = office.login(&url, "admin", ADMIN_PASSWORD).await.unwrap();
    assert!(!account.joined && plan.pending == plan.setup_changes, "only set-up data: {plan:?}");
    assert_eq!(plan.recommended, Some(JoinChoice::DownloadOnly), "demo data is not pushed unless asked");
    let joined = office.join(JoinChoice::Upload).await.unwrap();
    assert!(joined.joined);
    let actor = office.actor().await;
    assert_eq!((actor.role, actor.user_id == account.user_id), (Role::Admin, true), "writes are the server user's");
    wait_synced(&office).await;

    // The admin creates an officer of the first demo unit through the core.
    let client = office.client().await.unwrap();
    let officer = NewServerUser {
        login: "officer1".into(),
        password: "officer1-password".into(),
        name: "赵专员".into(),
        role: Role::Officer,
        unit_id: Some(zongwu_core::demo::demo_unit_id(1)),
    };
    client.create_user(&officer).await.unwrap();
    assert!(client.list_users().await.unwrap().iter().any(|u| u.login == "officer1"));

    // The officer's demo desktop cannot upload other units' rows: it downloads only.
    let mine = desktop(dir.path(), "officer").await;
    let device = mine.store().await.device_id().to_string();
    let (_, plan) = mine.login(&url, "officer1", "officer1-password").await.unwrap();
    assert!(!plan.can_upload, "out of scope: {plan:?}");
    assert!(mine.join(JoinChoice::Upload).await.is_err(), "an upload the server would refuse forever is refused now");
    mine.join(JoinChoice::DownloadOnly).await.unwrap();
    assert_eq!(mine.store().await.device_id(), device, "same device, fresh database");
    wait_synced(&mine).await;
    let units = zongwu_core::units::list(&*mine.store().await).await.unwrap();
    assert_eq!(units.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["demo-unit-01"], "the officer's unit arrived");
    assert!(client.list_devices().await.unwrap().iter().any(|d| d.device_id == device && d.login == "officer1"));

    // An edit goes out in the background.
    let actor = mine.actor().await;
    let need = zongwu_core::needs::submit(
        &*mine.store().await,
        &actor,
        zongwu_core::needs::NeedInput {
            unit_id: "demo-unit-01".into(),
            title: "食堂排队叫号".into(),
            kind: zongwu_core::needs::NeedKind::Need,
            description: "高峰时段排队过长".into(),
            priority: zongwu_core::needs::Priority::Medium,
            expected_benefit: "缩短等待".into(),
            attachments: vec![],
        },
    )
    .await
    .unwrap();
    mine.edited().await;
    wait_synced(&mine).await;

    // It reaches the office desktop, whose history names the officer's device.
    office.sync_now().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let store = office.store().await;
        if zongwu_core::needs::get(&store, &office.actor().await, &need.id).await.is_ok() {
            let history = zongwu_core::history::for_row(&store, &office.actor().await, "needs", &need.id).await.unwrap();
            assert_eq!(history[0].device_id, device, "the history says where the need was written");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the office received the officer's need");
        tokio::time::sleep(Duration::from_millis(100)).await;
        office.sync_now().await;
    }

    mine.logout().await.unwrap();
    assert_eq!(mine.sync_status().state, SyncState::SignedOut);
    assert_eq!(mine.actor().await.user_id, "local-admin", "back to the local profile");
    assert!(mine.account().await.unwrap().is_none(), "the token is forgotten");
}

/// Run the `zongwu` binary on `data`, `stdin` fed to it; (exit code, stdout + stderr).
async fn cli(data: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String) {
    use std::io::Write;
    let (data, args, stdin) = (data.to_path_buf(), args.iter().map(|a| a.to_string()).collect::<Vec<_>>(), stdin.to_string());
    tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zongwu"))
            .args(&args)
            .env("ZONGWU_DATA_DIR", &data)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), text)
    })
    .await
    .unwrap()
}

/// Issue #9: a batch job syncs from a terminal. Log in with the password on standard input (the
/// database keeps the token, never the password), import, sync, and a second computer gets the
/// data; a wrong password, or a sync while logged out, exits non-zero; logout forgets the token.
#[tokio::test]
async fn the_command_line_logs_in_syncs_and_logs_out() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = server(dir.path()).await;
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));

    let (code, out) = cli(&a, &["login", &url, "--user", "admin", "--password-stdin"], "wrong-password\n").await;
    assert_ne!(code, 0, "a wrong password fails: {out}");
    let (_, out) = cli(&a, &["status"], "").await;
    assert!(out.contains("未登录"), "{out}");

    let (code, out) =
        cli(&a, &["login", &url, "--user", "admin", "--password-stdin", "--join", "upload"], &format!("{ADMIN_PASSWORD}\n"))
            .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("已登录"), "{out}");
    for file in ["zongwu.db", "zongwu.db-wal"] {
        let bytes = std::fs::read(a.join(file)).unwrap_or_default();
        assert!(!bytes.windows(ADMIN_PASSWORD.len()).any(|w| w == ADMIN_PASSWORD.as_bytes()), "{file} holds no password");
    }

    let units = dir.path().join("units.csv");
    std::fs::write(&units, "单位名称\n资源与环境学院\n饮食服务中心\n").unwrap();
    let (code, out) = cli(&a, &["import", "units", units.to_str().unwrap()], "").await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = cli(&a, &["sync"], "").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("已同步") && !out.contains("pushed 0"), "the import went up: {out}");
    let (_, out) = cli(&a, &["status"], "").await;
    assert!(out.contains(&url) && out.contains("待上传 pending: 0"), "{out}");

    let (code, out) = cli(
        &b,
        &["login", &url, "--user", "admin", "--password-stdin", "--join", "download-only"],
        &format!("{ADMIN_PASSWORD}\n"),
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = cli(&b, &["sync"], "").await;
    assert_eq!(code, 0, "{out}");
    let xlsx = dir.path().join("b-units.xlsx");
    let (code, out) = cli(&b, &["export", "units", "--out", xlsx.to_str().unwrap()], "").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("exported 2 rows"), "the second computer has both units: {out}");

    let (code, out) = cli(&b, &["logout"], "").await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = cli(&b, &["sync"], "").await;
    assert_ne!(code, 0, "no sync while logged out: {out}");
}
