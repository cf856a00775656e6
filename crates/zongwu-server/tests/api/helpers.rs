//! `spawn_app(backend)`: a real server on port 0 over a fresh database (a temp SQLite file, or a
//! new database in the shared throwaway PostgreSQL cluster), with an admin already logged in.
//! [`ServerProcess`]: the real `zongwu-server` binary in a process of its own, configured by
//! environment like a deployment (for kills, and for several processes on one database).

use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use zongwu_proto::api::{ErrorBody, ErrorCode, LoginResponse, PullResponse, PushResponse};
use zongwu_proto::{Change, ChangeKind};
use zongwu_server::settings::BootstrapAdmin;
use zongwu_server::{Secret, Settings};

pub const ADMIN_PASSWORD: &str = "admin-password-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Run one async test body against both backends, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

pub struct TestApp {
    pub base_url: String,
    pub http: reqwest::Client,
    pub admin_token: String,
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("server.db").display()),
        Backend::Postgres => crate::pg::fresh_database().await,
    };
    spawn_on(url, dir, tweak).await
}

/// A server on the database at `url` (made and migrated by the caller, or new).
pub async fn spawn_at(url: String) -> TestApp {
    spawn_on(url, tempfile::tempdir().expect("temp dir"), |_| {}).await
}

/// Another server instance on the same database as `app` (PostgreSQL: several stateless
/// instances behind a load balancer).
pub async fn spawn_instance(app: &TestApp) -> TestApp {
    spawn_at(app.database_url.clone()).await
}

async fn spawn_on(url: String, dir: tempfile::TempDir, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let database_url = url.clone();
    let mut settings = Settings {
        database_url: Secret::new(url),
        // Cheap hashes keep the tests fast; verification reads the cost from each hash.
        argon2_memory_kib: 1024,
        bootstrap_admin: Some(BootstrapAdmin { login: "admin".into(), password: Secret::new(ADMIN_PASSWORD.into()) }),
        ..Settings::default()
    };
    tweak(&mut settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let base_url = format!("http://{}", listener.local_addr().expect("local addr"));
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(zongwu_server::launch(settings, listener, async {
        let _ = rx.await;
    }));
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("http client");
    let mut app = TestApp { base_url, http, admin_token: String::new(), database_url, shutdown: Some(tx), _dir: dir };
    for _ in 0..200 {
        if server.is_finished() {
            panic!("the server stopped while starting: {:?}", server.await);
        }
        if app.http.get(app.url("/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.admin_token = app.login("admin", ADMIN_PASSWORD, "admin-device").await.expect("admin logs in").token;
    app
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn login(&self, login: &str, password: &str, device_id: &str) -> Result<LoginResponse, (StatusCode, ErrorBody)> {
        let resp = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": password, "device_id": device_id}))
            .send()
            .await
            .expect("login request");
        decode(resp).await
    }

    /// Create a user as the admin; returns their password.
    pub async fn create_user(&self, login: &str, role: &str, unit_id: Option<&str>) -> String {
        let password = format!("{login}-password");
        let resp = self
            .http
            .post(self.url("/api/v1/users"))
            .bearer_auth(&self.admin_token)
            .json(&json!({"login": login, "password": password, "name": login, "role": role, "unit_id": unit_id}))
            .send()
            .await
            .expect("create user");
        assert_eq!(resp.status(), StatusCode::CREATED, "the admin creates users: {}", resp.text().await.unwrap_or_default());
        password
    }

    /// Log in a new user of `role` on `device_id`; returns their token.
    pub async fn user_token(&self, login: &str, role: &str, unit_id: Option<&str>, device_id: &str) -> String {
        let password = self.create_user(login, role, unit_id).await;
        self.login(login, &password, device_id).await.expect("new user logs in").token
    }

    pub async fn push(&self, token: &str, device_id: &str, changes: &[Change]) -> Result<i64, (StatusCode, ErrorBody)> {
        self.push_answer(token, device_id, changes).await.map(|a| a.last_device_seq)
    }

    /// A push and the whole answer (with the changes the server refused).
    pub async fn push_answer(
        &self,
        token: &str,
        device_id: &str,
        changes: &[Change],
    ) -> Result<PushResponse, (StatusCode, ErrorBody)> {
        let resp = self
            .http
            .post(self.url("/api/v1/sync/push"))
            .bearer_auth(token)
            .json(&json!({"device_id": device_id, "changes": changes}))
            .send()
            .await
            .expect("push request");
        decode::<PushResponse>(resp).await
    }

    pub async fn pull_page(&self, token: &str, cursor: i64, limit: i64) -> Result<PullResponse, (StatusCode, ErrorBody)> {
        let resp = self
            .http
            .get(self.url(&format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("pull request");
        decode(resp).await
    }

    /// Every change visible to `token`, page by page from cursor 0; the pages must chain.
    pub async fn pull_all(&self, token: &str, limit: i64) -> Vec<Change> {
        let mut cursor = 0;
        let mut out = Vec::new();
        loop {
            let page = self.pull_page(token, cursor, limit).await.expect("pull page");
            assert!(page.next_cursor >= cursor, "the cursor never moves backwards");
            out.extend(page.changes);
            cursor = page.next_cursor;
            if !page.has_more {
                return out;
            }
        }
    }
}

pub async fn decode<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T, (StatusCode, ErrorBody)> {
    let status = resp.status();
    let text = resp.text().await.expect("response body");
    if status.is_success() {
        Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("decode {text}: {e}")))
    } else {
        let body =
            serde_json::from_str(&text).unwrap_or(ErrorBody { code: ErrorCode::Unknown, message: text, expected_seq: None });
        Err((status, body))
    }
}

/// A synthetic change number `seq` of `device`, as a desktop would send it.
pub fn change(device: &str, seq: i64, table: &str, unit_id: Option<&str>) -> Change {
    let mut columns = BTreeMap::new();
    columns.insert("name".to_string(), json!(format!("row {seq} of {device}")));
    Change {
        change_id: uuid::Uuid::now_v7().to_string(),
        device_id: device.to_string(),
        device_seq: seq,
        table: table.to_string(),
        row_id: uuid::Uuid::now_v7().to_string(),
        unit_id: unit_id.map(str::to_string),
        hlc: format!("{:015}-{:010}-{device}", 1_700_000_000_000i64 + seq, 0),
        cl: 1,
        columns,
        clocks: BTreeMap::new(),
        kind: ChangeKind::Write,
    }
}

/// `n` changes of `device` numbered `from..from+n`.
pub fn changes(device: &str, from: i64, n: i64, table: &str, unit_id: Option<&str>) -> Vec<Change> {
    (from..from + n).map(|s| change(device, s, table, unit_id)).collect()
}

/// A `zongwu-server` process on a free port: the binary cargo built for this test binary, with
/// the bootstrap admin and cheap password hashes, plus any `ZONGWU_*` settings given.
pub struct ServerProcess {
    child: Option<Child>,
    pub port: u16,
    database_url: String,
    env: Vec<(String, String)>,
}

impl ServerProcess {
    /// Not started yet: see [`start`](Self::start) and [`wait_healthy`](Self::wait_healthy).
    pub fn new(database_url: String, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ServerProcess { child: None, port, database_url, env }
    }

    /// Start it and wait until `/healthz` answers.
    pub async fn spawn(database_url: String, env: &[(&str, &str)]) -> Self {
        let mut server = Self::new(database_url, env);
        server.start();
        server.wait_healthy().await;
        server
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    pub fn start(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_zongwu-server"))
            .env("ZONGWU_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("ZONGWU_DATABASE_URL", &self.database_url)
            .env("ZONGWU_ARGON2_MEMORY_KIB", "1024")
            .env("ZONGWU_BOOTSTRAP_ADMIN__LOGIN", "admin")
            .env("ZONGWU_BOOTSTRAP_ADMIN__PASSWORD", ADMIN_PASSWORD)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start zongwu-server");
        self.child = Some(child);
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill(); // SIGKILL: no graceful shutdown, answers in flight are lost
            let _ = child.wait();
        }
    }

    pub async fn wait_healthy(&self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if http.get(self.url("/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("zongwu-server did not come up");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
