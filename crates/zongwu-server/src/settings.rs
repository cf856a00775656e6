//! Layered configuration: built-in defaults, then an optional TOML file, then `ZONGWU_*`
//! environment variables (`ZONGWU_DATABASE_URL`, `ZONGWU_LISTEN`, …). Secrets are wrapped in
//! [`Secret`] so a `Debug` print of the settings (and so every log line) never shows them.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// A value that must never reach a log: `Debug` prints `[redacted]`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address the binary listens on (tests pass their own listener instead).
    pub listen: String,
    /// `sqlite://path/to/file.db` (the default, created if missing) or `postgres://…`.
    pub database_url: Secret<String>,
    pub max_db_connections: u32,
    pub token_ttl_secs: i64,
    pub max_body_bytes: usize,
    pub request_timeout_secs: u64,
    /// Failed logins allowed per account, and per client address, within the window.
    pub login_failures_per_account: usize,
    pub login_failures_per_address: usize,
    pub login_window_secs: i64,
    /// Argon2 memory cost in KiB for new password hashes (verification reads it from the hash).
    pub argon2_memory_kib: u32,
    /// Create this admin when the server has no users yet.
    pub bootstrap_admin: Option<BootstrapAdmin>,
    /// Public freshman requests (every request, not only failures) allowed per student number,
    /// and per client address, within `public_window_secs`; beyond that 429. A load test raises
    /// them (`ZONGWU_PUBLIC_REQUESTS_PER_ADDRESS=…`, see docs/benchmarks.md).
    pub public_requests_per_student: usize,
    pub public_requests_per_address: usize,
    pub public_window_secs: i64,
    /// Take the client address of public requests from this header (e.g. `X-Real-IP`, the first
    /// address of `X-Forwarded-For`) instead of the peer. Set it only behind a proxy that
    /// overwrites the header; otherwise anyone can pick their own address and evade the limit.
    pub public_client_ip_header: Option<String>,
    /// Key for hashing freshmen's second factors. Keep it out of the database (environment or
    /// file) so a copy of the database alone cannot test guesses offline. Empty: one is drawn and
    /// kept in the database (`server_meta`), which still works but protects less. Changing it
    /// invalidates every stored second factor until the plans are uploaded again.
    pub second_factor_pepper: Secret<String>,
    /// Compaction of the change log (issue #8): changes received more than `compact_keep_secs`
    /// ago keep only the values still in their rows; a desktop whose cursor is older re-
    /// bootstraps from the snapshot. Default 30 days: a laptop offline for less than that
    /// just pulls on.
    pub compact_keep_secs: i64,
    /// How often the server compacts on its own, the first time right after start; 0 = only
    /// when an admin asks (`POST /api/v1/sync/compact`).
    pub compact_every_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BootstrapAdmin {
    pub login: String,
    pub password: Secret<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8787".into(),
            database_url: Secret::new("sqlite://zongwu-server.db".into()),
            max_db_connections: 8,
            token_ttl_secs: 30 * 24 * 3600,
            max_body_bytes: 16 * 1024 * 1024,
            request_timeout_secs: 30,
            login_failures_per_account: 5,
            login_failures_per_address: 20,
            login_window_secs: 15 * 60,
            argon2_memory_kib: 19 * 1024,
            bootstrap_admin: None,
            public_requests_per_student: 30,
            public_requests_per_address: 600,
            public_window_secs: 10 * 60,
            public_client_ip_header: None,
            second_factor_pepper: Secret::new(String::new()),
            compact_keep_secs: 30 * 24 * 3600,
            compact_every_secs: 6 * 3600,
        }
    }
}

impl Settings {
    /// Defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment.merge(Env::prefixed("ZONGWU_").split("__")).extract().map_err(Box::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let mut s = Settings { database_url: Secret::new("postgres://u:hunter2@db/zw".into()), ..Settings::default() };
        s.bootstrap_admin = Some(BootstrapAdmin { login: "admin".into(), password: Secret::new("hunter2".into()) });
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"), "a password must never appear in a Debug print: {printed}");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
    fn file_then_env_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("server.toml", "listen = \"0.0.0.0:9000\"\nmax_db_connections = 3\n")?;
            jail.set_env("ZONGWU_MAX_DB_CONNECTIONS", "5");
            let s = Settings::load(Some(Path::new("server.toml"))).map_err(|e| *e)?;
            assert_eq!(s.listen, "0.0.0.0:9000", "the file overrides the default");
            assert_eq!(s.max_db_connections, 5, "the environment overrides the file");
            assert_eq!(s.token_ttl_secs, Settings::default().token_ttl_secs, "untouched keys keep their default");
            Ok(())
        });
    }
}
