//! The real window, from an empty database to an exported needs workbook; and the same window
//! joining a sync server (run in this process), managing its users, and logging out.
//!
//! One story through the three roles that share the needs pipeline, the way the office uses it
//! on one laptop (the top-bar user switch stands in for login until the server exists):
//! the admin adds a unit (二级单位) and its liaison officer (信息专员); the officer submits a need;
//! the expert (专家) reviews it; the admin moves it to under review, then approved, and exports
//! the needs workbook, which must contain the need.
//!
//! Run by `cargo xtask test` (it builds the app and sets `ZONGWU_E2E_APP`); a plain `cargo test`
//! prints SKIPPED. Screenshots of every step land in `target/e2e-screenshots/<test>/`.
//!
//! Selectors are `data-testid`s the UI keeps stable for this test (see `ui/src`); texts typed
//! here are Chinese on purpose, to prove CJK input and rendering end to end.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use calamine::{open_workbook_auto, Reader};
use zongwu_e2e::{poll, tid, App};

const UNIT_CODE: &str = "E2E01";
const UNIT_NAME: &str = "端到端测试学院";
const OFFICER_NAME: &str = "王测试";
const OFFICER_STAFF_NO: &str = "20269001";
const OFFICER_PHONE: &str = "13800138000";
/// Typed with full-width brackets, as a Chinese input method gives them; stored and shown with
/// half-width ones (the core normalises full-width ASCII in every text field).
const NEED_TITLE_TYPED: &str = "报修工单自动派单（E2E）";
const NEED_TITLE: &str = "报修工单自动派单(E2E)";
const NEED_DESCRIPTION: &str = "学生在服务平台报修后，工单按楼栋自动派给维修班组。";
const NEED_BENEFIT: &str = "派单时间从半天缩短到十分钟。";

/// Built-in users that exist even with `ZONGWU_NO_DEMO=1` (seeded by the app).
const ADMIN: &str = "本机管理员";
const EXPERT: &str = "专家（本机）";

#[test]
fn need_goes_from_officer_to_expert_to_approved_and_exported() {
    let Some(app) = App::launch().expect("the app should start under tauri-driver") else {
        return;
    };
    app.run(|app| {
        empty_start(app)?;
        add_unit(app)?;
        add_officer(app)?;
        export_roster_for_a_meeting(app)?;
        switch_user(app, OFFICER_NAME)?;
        submit_need(app)?;
        switch_user(app, EXPERT)?;
        review_need(app)?;
        switch_user(app, ADMIN)?;
        transition(app, "under_review", &["评审中", "Under review"])?;
        transition(app, "approved", &["已批准", "Approved"])?;
        export_needs(app)
    });
}

/// A fresh data directory: the admin is acting and there is no demo data.
fn empty_start(app: &mut App) -> Result<()> {
    // The locale is remembered in the webview's localStorage, which outlives the data directory:
    // pin zh-CN, the office's language, so labels below are known.
    app.click_text(&format!("{} .el-radio-button", tid("locale-switch")), "中文")?;
    let user = app.text(&tid("current-user"))?;
    anyhow::ensure!(user.contains(ADMIN), "a new database starts as the built-in admin, but the top bar shows {user:?}");
    app.click(&tid("nav-needs"))?;
    // With no needs the page shows its empty state instead of the board (the board may flash
    // while the list loads, so waiting for it would race).
    app.wait_for_text(".el-empty", "还没有需求")?;
    anyhow::ensure!(
        app.find_visible(&tid("need-item"), "")?.is_none(),
        "ZONGWU_NO_DEMO=1 must give an empty needs list, yet a need is shown"
    );
    app.screenshot("empty-start")?;
    Ok(())
}

/// Units page → new unit. The officer form needs a unit to choose, and the database is empty.
fn add_unit(app: &mut App) -> Result<()> {
    app.click(&tid("nav-units"))?;
    app.click(&tid("unit-new"))?;
    app.type_into(&tid("unit-form-code"), UNIT_CODE)?;
    app.type_into(&tid("unit-form-name"), UNIT_NAME)?;
    // Kind (service unit / college / office): a college, picked by its label.
    app.click_text(".el-dialog .el-radio-button", "学院")?;
    app.click(&tid("unit-form-save"))?;
    app.wait_gone(&tid("unit-form-save"))?;
    app.wait_for_text("body", UNIT_NAME)?;
    app.screenshot("unit-added")?;
    Ok(())
}

/// Roster → new officer for the unit. Adding an officer also creates their officer user.
fn add_officer(app: &mut App) -> Result<()> {
    app.click(&tid("nav-officers"))?;
    app.click(&tid("officer-new"))?;
    app.select(&tid("officer-form-unit"), UNIT_NAME)?;
    app.type_into(&tid("officer-form-staffno"), OFFICER_STAFF_NO)?;
    app.type_into(&tid("officer-form-name"), OFFICER_NAME)?;
    app.type_into(&tid("officer-form-phone"), OFFICER_PHONE)?;
    app.screenshot("officer-form")?;
    app.click(&tid("officer-form-save"))?;
    app.wait_gone(&tid("officer-form-save"))?;
    app.wait_for_text(&tid("officer-row"), OFFICER_STAFF_NO)?;
    app.screenshot("officer-added")?;
    Ok(())
}

/// 导出名册 → the meeting preset (10 columns) → the workbook has those columns and the officer.
fn export_roster_for_a_meeting(app: &mut App) -> Result<()> {
    app.click(&tid("export-officers"))?;
    app.click(&tid("roster-preset-meeting"))?;
    app.screenshot("roster-export-columns")?;
    app.click(&tid("roster-export-confirm"))?;
    app.wait_gone(&tid("roster-export-confirm"))?;
    let path = app.text(&tid("export-path"))?;
    println!("roster exported: {path}");
    let mut workbook = open_workbook_auto(&path).with_context(|| format!("opening {path:?}"))?;
    let range = workbook.worksheet_range("信息专员名册").context("the roster sheet")?;
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let header = rows.first().context("a header row")?;
    anyhow::ensure!(
        header.len() == 10 && header[0] == "单位" && header.iter().all(|h| h != "性别" && h != "备注"),
        "the meeting edition has 10 columns without 性别/备注, got {header:?}"
    );
    anyhow::ensure!(
        rows.iter().any(|r| r.iter().any(|c| c == OFFICER_STAFF_NO)),
        "the roster lists the new officer {OFFICER_STAFF_NO}: {rows:?}"
    );
    // Close the notification, so the next export's path is the only one on screen.
    app.click(".el-notification__closeBtn")?;
    app.wait_gone(&tid("export-path"))?;
    Ok(())
}

/// Top bar → switch user (a dialog listing every local user) → the entry containing `name`.
fn switch_user(app: &mut App, name: &str) -> Result<()> {
    close_drawer(app)?;
    app.click(&tid("switch-user"))?;
    app.click_text(&tid("user-item"), name)?;
    app.wait_gone(&tid("user-item"))?;
    app.wait_for_text(&tid("current-user"), name)?;
    app.screenshot(&format!("acting-as-{}", ascii_slug(name)))?;
    Ok(())
}

/// As the officer: a new need for their (fixed) unit.
fn submit_need(app: &mut App) -> Result<()> {
    app.click(&tid("nav-officers"))?;
    app.wait_for_text(&tid("officer-row"), OFFICER_STAFF_NO)?;
    anyhow::ensure!(
        app.find_visible(&tid("officer-new"), "")?.is_none(),
        "an officer may read the roster but not add to it, yet the add button is shown"
    );
    app.click(&tid("nav-needs"))?;
    app.click(&tid("need-new"))?;
    let unit = app.input_value(&tid("need-form-unit-fixed"))?;
    anyhow::ensure!(unit == UNIT_NAME, "an officer submits for their own unit {UNIT_NAME:?} only, but the form shows {unit:?}");
    app.type_into(&tid("need-form-title"), NEED_TITLE_TYPED)?;
    app.type_into(&tid("need-form-description"), NEED_DESCRIPTION)?;
    app.type_into(&tid("need-form-benefit"), NEED_BENEFIT)?;
    app.screenshot("need-form")?;
    app.click(&tid("need-form-submit"))?;
    app.wait_gone(&tid("need-form-submit"))?;
    app.wait_for_text(&tid("need-item"), NEED_TITLE)?;
    app.screenshot("need-submitted")?;
    Ok(())
}

/// As the expert: open the need and submit a review.
fn review_need(app: &mut App) -> Result<()> {
    app.click(&tid("nav-needs"))?;
    app.wait_for(&tid("need-board"))?;
    anyhow::ensure!(app.find_visible(&tid("need-new"), "")?.is_none(), "experts review needs, they do not submit them");
    open_need(app)?;
    anyhow::ensure!(
        app.find_visible("[data-testid^=\"transition-\"]", "")?.is_none(),
        "only office staff move a need through the workflow, yet the expert sees a transition button"
    );
    app.click(&tid("need-review"))?;
    // Every criterion starts at 3 of 5 stars; the expert adds a comment.
    app.type_into(&tid("review-comment"), "可行，建议先在南湖校区试点。")?;
    app.screenshot("review-form")?;
    app.click(&tid("review-submit"))?;
    app.wait_gone(&tid("review-submit"))?;
    app.wait_for_text(&tid("review-item"), EXPERT)?;
    app.screenshot("reviewed")?;
    Ok(())
}

/// As the admin: move the need to `status` and check the shown status is one of `labels`
/// (zh-CN or English, whichever locale the window chose).
fn transition(app: &mut App, status: &str, labels: &[&str]) -> Result<()> {
    open_need(app)?;
    app.click(&tid(&format!("transition-{status}")))?;
    app.click(&tid("transition-confirm"))?;
    app.wait_gone(&tid("transition-confirm"))?;
    poll(&format!("need status {status}"), || {
        let Some(el) = app.find_visible(&tid("need-status"), "")? else {
            return Ok(None);
        };
        let data = app.session.attribute(&el, "data-status")?;
        let text = app.session.text(&el)?;
        let ok = data.as_deref() == Some(status) || labels.iter().any(|l| text.contains(l));
        Ok(ok.then_some(()))
    })?;
    app.screenshot(&format!("status-{status}"))?;
    Ok(())
}

/// Needs page → the test's need, unless its drawer is already open.
fn open_need(app: &mut App) -> Result<()> {
    if app.find_visible(&tid("need-drawer"), NEED_TITLE)?.is_some() {
        return Ok(());
    }
    close_drawer(app)?;
    app.click(&tid("nav-needs"))?;
    app.click_text(&tid("need-item"), NEED_TITLE)?;
    app.wait_for(&tid("need-status"))?;
    Ok(())
}

/// Closes an open drawer (need or officer detail): its overlay covers the top bar and the nav.
fn close_drawer(app: &mut App) -> Result<()> {
    if app.find_visible(".el-drawer", "")?.is_some() {
        app.click(".el-drawer .el-drawer__close-btn")?;
        app.wait_gone(".el-drawer")?;
    }
    Ok(())
}

/// Export the needs workbook; the notification shows where it went.
fn export_needs(app: &mut App) -> Result<()> {
    close_drawer(app)?;
    app.click(&tid("nav-needs"))?;
    app.click(&tid("export-needs"))?;
    let path = app.text(&tid("export-path"))?;
    app.screenshot("exported")?;
    println!("exported: {path}");
    let path = Path::new(&path);
    anyhow::ensure!(
        path.starts_with(app.export_dir()),
        "exports go to ZONGWU_EXPORT_DIR={:?}, but the window saved to {path:?}",
        app.export_dir()
    );
    check_workbook(path)
}

/// The file exists, is an xlsx (a zip) and one of its sheets holds the need's title.
fn check_workbook(path: &Path) -> Result<()> {
    let bytes = fs::read(path).with_context(|| format!("the exported file {path:?} should exist"))?;
    anyhow::ensure!(
        bytes.starts_with(b"PK\x03\x04"),
        "an .xlsx is a zip archive, but {path:?} does not start with the zip signature"
    );
    let mut workbook = open_workbook_auto(path).with_context(|| format!("opening {path:?}"))?;
    let rows: Vec<Vec<String>> = workbook
        .worksheets()
        .iter()
        .flat_map(|(_, range)| range.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect::<Vec<_>>())
        .collect();
    let row = rows
        .iter()
        .find(|row| row.iter().any(|c| c.contains(NEED_TITLE)))
        .with_context(|| format!("the needs workbook should list the approved need {NEED_TITLE:?}, but no cell holds it"))?;
    anyhow::ensure!(
        row.iter().any(|c| c == "已批准") && row.iter().any(|c| c == UNIT_NAME),
        "the need's row should show its unit {UNIT_NAME:?} and status 已批准 (approved in the window), got {row:?}"
    );
    Ok(())
}

/// Screenshot file names stay ASCII: known users by role, others by code point.
fn ascii_slug(name: &str) -> String {
    match name {
        ADMIN => "admin".into(),
        EXPERT => "expert".into(),
        OFFICER_NAME => "officer".into(),
        other => {
            other.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("{:x}", c as u32) }).collect()
        }
    }
}

/// A sync server in this process (SQLite in a temp dir, admin/`SERVER_ADMIN_PASSWORD`), stopped
/// on drop.
struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

const SERVER_ADMIN_PASSWORD: &str = "e2e-admin-pass";

impl Server {
    fn start() -> Result<Server> {
        let dir = tempfile::tempdir()?;
        let settings = zongwu_server::Settings {
            database_url: zongwu_server::Secret::new(format!("sqlite://{}", dir.path().join("server.db").display())),
            argon2_memory_kib: 1024,
            bootstrap_admin: Some(zongwu_server::settings::BootstrapAdmin {
                login: "admin".into(),
                password: zongwu_server::Secret::new(SERVER_ADMIN_PASSWORD.into()),
            }),
            ..Default::default()
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = zongwu_server::launch(settings, listener, async {
                    let _ = stopped.await;
                })
                .await;
            });
        });
        let addr = url.trim_start_matches("http://").to_string();
        poll("the sync server to listen", || Ok(std::net::TcpStream::connect(&addr).is_ok().then_some(())))?;
        Ok(Server { url, stop: Some(stop), thread: Some(thread), _dir: dir })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The desktop joins a server: log in on the 同步 page, choose to upload the local data, see the
/// indicator say synced; as the server's admin create a user and find this desktop among the
/// devices; log out back to the local profile.
#[test]
fn login_joins_a_server_and_the_admin_manages_users() {
    let Some(app) = App::launch().expect("the app should start under tauri-driver") else {
        return;
    };
    let server = Server::start().expect("the sync server starts");
    app.run(|app| {
        app.click_text(&format!("{} .el-radio-button", tid("locale-switch")), "中文")?;
        app.wait_for_text(&tid("sync-indicator"), "本机")?;
        app.click(&tid("nav-sync"))?;
        app.type_into(&tid("login-url"), &server.url)?;
        app.type_into(&tid("login-name"), "admin")?;
        app.type_into(&tid("login-password"), SERVER_ADMIN_PASSWORD)?;
        app.click(&tid("login-submit"))?;
        // The built-in users are local work of a sort: the join asks what to do with them.
        app.wait_for(&tid("join-dialog"))?;
        app.screenshot("join-dialog")?;
        app.click(&tid("join-upload"))?;
        app.click(&tid("join-confirm"))?;
        app.wait_gone(&tid("join-confirm"))?;
        app.wait_for_text(&tid("sync-indicator"), "已同步")?;
        app.wait_for_text(&tid("current-user"), "admin")?;
        anyhow::ensure!(
            app.find_visible(&tid("switch-user"), "")?.is_none(),
            "logged in to a server the acting user is the account: no local user switch"
        );
        app.screenshot("joined")?;

        app.click(&tid("nav-admin"))?;
        app.wait_for_text(&tid("admin-users"), "admin")?;
        app.click(&tid("admin-user-new"))?;
        app.type_into(&tid("admin-user-login"), "office2")?;
        app.type_into(&tid("admin-user-name"), "钱老师")?;
        app.type_into(&tid("admin-user-password"), "office2-password")?;
        app.click(&tid("admin-user-save"))?;
        app.wait_gone(&tid("admin-user-save"))?;
        app.wait_for_text(&tid("admin-users"), "钱老师")?;
        app.click_text(".el-tabs__item", "设备")?;
        app.wait_for_text(&tid("admin-devices"), "本机")?;
        app.screenshot("admin-devices")?;

        app.click(&tid("nav-sync"))?;
        app.click(&tid("logout"))?;
        app.click(".el-message-box__btns .el-button--primary")?;
        app.wait_for(&tid("login-submit"))?;
        app.wait_for_text(&tid("sync-indicator"), "本机")?;
        anyhow::ensure!(app.find_visible(&tid("nav-admin"), "")?.is_none(), "the admin screen goes with the login");
        app.screenshot("logged-out")?;
        Ok(())
    });
}
