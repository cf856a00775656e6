//! The background sync runner: keeps one device in step with its server without anybody pressing
//! a button.
//!
//! A [`SyncRunner`] owns a task that runs [`SyncClient::sync_once`]:
//! - at start, then every [`RunnerConfig::interval`] while things go well;
//! - shortly ([`RunnerConfig::debounce`]) after a local edit ([`SyncRunner::local_edit`]), so a
//!   burst of edits goes out in one push;
//! - at once on [`SyncRunner::sync_now`] (the window's 立即同步), whatever the backoff says;
//! - after a failure, again after an exponential backoff with jitter (capped at
//!   [`RunnerConfig::backoff_cap`]): a server that is down is not hammered by every desktop at
//!   the same moment, and a transient 5xx drains the outbox by itself with no new edit. Local
//!   edits during a backoff wait for it (they only refresh the pending count).
//! - A refused token (401) stops the timer: only a new login or `sync_now` tries again.
//!
//! Its state is a [`SyncStatus`] snapshot published on a `watch` channel, which the desktop
//! forwards to the window. Dropping the runner or calling [`SyncRunner::stop`] ends the task.

use super::{SyncClient, SyncError};
use crate::{dto, enum_dto, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use zongwu_proto::api::ErrorCode;
use zongwu_proto::rules::RefusalCode;

enum_dto! {
    #[derive(Copy, Eq)]
    pub enum SyncState {
        /// No server account: the desktop works on its own (local profile).
        SignedOut,
        /// The last round succeeded; waiting for the timer or an edit.
        Idle,
        /// A round is running.
        Syncing,
        /// The server could not be reached; retrying with backoff.
        Offline,
        /// The server answered with an error; retrying with backoff (or, for a refused
        /// login, waiting for a new one).
        Error,
    }
}

dto! {
    /// What the window's sync indicator shows.
    pub struct SyncStatus {
        pub state: SyncState,
        /// Local changes the server has not acknowledged yet.
        pub pending: i64,
        pub last_success_ms: Option<i64>,
        pub last_attempt_ms: Option<i64>,
        /// Why the last round failed, in Chinese; `None` after a success.
        pub last_error: Option<String>,
        /// When the next automatic round is due (after a failure), if any.
        pub next_retry_ms: Option<i64>,
        /// Failed rounds in a row.
        pub failures: u32,
        /// Server clock minus ours, when this computer's clock is more than 5 min off.
        pub clock_offset_ms: Option<i64>,
        /// Grows whenever a round merged changes from elsewhere: open views should reload.
        pub data_revision: u32,
        /// The latest local changes the server refused (newest first, at most
        /// [`REFUSALS_SHOWN`]), refreshed after each round.
        pub refused: Vec<RefusedChange>,
    }
}

dto! {
    /// A local change the server refused, as the sync panel lists it.
    pub struct RefusedChange {
        pub change_id: String,
        pub table_name: String,
        pub row_id: String,
        /// The stable code ([`RefusalCode`]), which the window's translations are keyed by.
        pub code: String,
        /// Why, in Chinese: [`RefusalCode::message_zh`], or the server's own words for a code
        /// this version does not know.
        pub reason: String,
        pub at_ms: i64,
    }
}

/// How many refusals the status carries.
pub const REFUSALS_SHOWN: i64 = 20;

/// The latest refused local changes, for the status (empty if the store cannot say).
pub async fn refusals(store: &Store) -> Vec<RefusedChange> {
    match store.refused_changes(REFUSALS_SHOWN).await {
        Ok(list) => list
            .into_iter()
            .map(|r| RefusedChange {
                reason: RefusalCode::parse(&r.code).map_or_else(|| r.message.clone(), |c| c.message_zh().to_string()),
                change_id: r.change_id,
                table_name: r.table_name,
                row_id: r.row_id,
                code: r.code,
                at_ms: r.at_ms,
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "reading refused changes");
            Vec::new()
        }
    }
}

impl SyncStatus {
    pub fn signed_out(pending: i64) -> SyncStatus {
        SyncStatus {
            state: SyncState::SignedOut,
            pending,
            last_success_ms: None,
            last_attempt_ms: None,
            last_error: None,
            next_retry_ms: None,
            failures: 0,
            clock_offset_ms: None,
            data_revision: 0,
            refused: Vec::new(),
        }
    }
}

/// Timings of a runner; the defaults suit the desktop, tests shrink them.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Between rounds while all is well (pulls what others changed).
    pub interval: Duration,
    /// After a local edit, wait this long for more before pushing.
    pub debounce: Duration,
    /// The first retry after a failure; doubles per failure.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            interval: Duration::from_secs(60),
            debounce: Duration::from_millis(800),
            backoff_base: Duration::from_secs(2),
            backoff_cap: Duration::from_secs(300),
        }
    }
}

/// The delay before retry number `failures` (1 = first retry): `base · 2^(failures-1)` capped,
/// then "equal jitter" — a uniform pick in its upper half — from `noise`, so desktops that failed
/// together do not retry together.
pub fn backoff_delay(config: &RunnerConfig, failures: u32, noise: u64) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let full = config.backoff_base.saturating_mul(1u32 << exp).min(config.backoff_cap);
    let half = full / 2;
    let span = full.as_millis().saturating_sub(half.as_millis()) as u64;
    half + Duration::from_millis(if span == 0 { 0 } else { noise % (span + 1) })
}

/// A Chinese sentence for the indicator; the raw error goes to the log.
pub fn describe(e: &SyncError) -> String {
    match e {
        SyncError::Network(_) => "无法连接同步服务器（离线），稍后自动重试".into(),
        SyncError::Refused { status: 401, .. } => "登录已失效，请重新登录".into(),
        SyncError::Refused { status: 403, message, .. } => format!("服务器拒绝了本机的修改（权限范围）：{message}"),
        SyncError::Refused { code: ErrorCode::ClockSkew, .. } => "本机时钟比服务器快 5 分钟以上，请校准系统时间".into(),
        SyncError::Refused { code: ErrorCode::SeqReused, .. } => {
            "本机数据曾从旧备份恢复，服务器已有更新的编号；请联系管理员".into()
        }
        SyncError::Refused { status, .. } if *status >= 500 => format!("同步服务器暂时不可用（{status}），稍后自动重试"),
        SyncError::Refused { status: 429, .. } => "请求过于频繁，稍后自动重试".into(),
        other => other.to_string().chars().take(200).collect(),
    }
}

/// The log position of the last change merged from elsewhere.
async fn last_remote_seq(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE origin = 'remote'")
        .fetch_one(store.pool())
        .await
        .unwrap_or(-1)
}

/// SplitMix64: cheap noise for the jitter (no need for a real random source).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Shared {
    edit: Notify,
    now: Notify,
    stop: Notify,
}

/// A running background sync; see the module docs.
pub struct SyncRunner {
    shared: Arc<Shared>,
    status: watch::Receiver<SyncStatus>,
    task: Option<JoinHandle<()>>,
}

impl SyncRunner {
    /// Start syncing `store` through `client` at once, then on the timer and after edits.
    pub fn start(store: Arc<Store>, client: SyncClient, config: RunnerConfig) -> SyncRunner {
        let shared = Arc::new(Shared { edit: Notify::new(), now: Notify::new(), stop: Notify::new() });
        let mut initial = SyncStatus::signed_out(0);
        initial.state = SyncState::Idle;
        let (tx, rx) = watch::channel(initial);
        let task = tokio::spawn(run(store, client, config, shared.clone(), tx));
        SyncRunner { shared, status: rx, task: Some(task) }
    }

    /// Tell the runner a local edit was saved: it pushes after the debounce (or after the
    /// current backoff).
    pub fn local_edit(&self) {
        self.shared.edit.notify_one();
    }

    /// Run a round now, skipping any backoff.
    pub fn sync_now(&self) {
        self.shared.now.notify_one();
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every new status.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stop after the current round (a round in flight finishes: its page commits or not, as
    /// always) and wait for the task to end.
    pub async fn stop(mut self) {
        self.shared.stop.notify_one();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SyncRunner {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn run(store: Arc<Store>, client: SyncClient, config: RunnerConfig, shared: Arc<Shared>, tx: watch::Sender<SyncStatus>) {
    let mut status = tx.borrow().clone();
    status.pending = store.pending_changes().await.unwrap_or(0);
    status.refused = refusals(&store).await;
    let noise_seed = store.device_id().bytes().fold(store.now_ms() as u64, |h, b| mix(h ^ u64::from(b)));
    loop {
        status.state = SyncState::Syncing;
        status.last_attempt_ms = Some(store.now_ms());
        status.next_retry_ms = None;
        tx.send_replace(status.clone());

        // A round runs to its end even when stop arrives: stop is checked between rounds.
        let merged_before = last_remote_seq(&store).await;
        let result = client.sync_once(&store).await;
        let now = store.now_ms();
        let wait = match result {
            Ok(report) => {
                status.state = SyncState::Idle;
                status.last_success_ms = Some(now);
                status.last_error = None;
                status.failures = 0;
                status.clock_offset_ms = report.clock_offset_ms;
                // A pull also returns this device's own changes (merged as already seen, not
                // logged): only changes from elsewhere make open views reload.
                if report.pulled > 0 && last_remote_seq(&store).await != merged_before {
                    status.data_revision = status.data_revision.wrapping_add(1);
                }
                Some(config.interval)
            }
            Err(e) => {
                tracing::warn!(error = %e, failures = status.failures + 1, "sync round failed");
                status.failures += 1;
                status.last_error = Some(describe(&e));
                let unauthorized = matches!(e, SyncError::Refused { status: 401, .. });
                status.state = if matches!(e, SyncError::Network(_)) { SyncState::Offline } else { SyncState::Error };
                if unauthorized {
                    None
                } else {
                    Some(backoff_delay(&config, status.failures, mix(noise_seed ^ u64::from(status.failures) ^ now as u64)))
                }
            }
        };
        status.pending = store.pending_changes().await.unwrap_or(status.pending);
        status.refused = refusals(&store).await;
        status.next_retry_ms =
            wait.filter(|_| status.failures > 0).map(|w| now + i64::try_from(w.as_millis()).unwrap_or(i64::MAX / 2));
        tx.send_replace(status.clone());

        // Wait for the timer, an edit, "now", or stop.
        let mut deadline = wait.map(|w| Instant::now() + w);
        loop {
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = shared.stop.notified() => return,
                _ = shared.now.notified() => break,
                _ = sleep => break,
                _ = shared.edit.notified() => {
                    status.pending = store.pending_changes().await.unwrap_or(status.pending);
                    tx.send_replace(status.clone());
                    // While things go well an edit goes out after the debounce; during a backoff
                    // (or after a refused login) it waits like everything else.
                    if status.failures == 0 {
                        let soon = Instant::now() + config.debounce;
                        deadline = Some(deadline.map_or(soon, |d| d.min(soon)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let c =
            RunnerConfig { backoff_base: Duration::from_secs(2), backoff_cap: Duration::from_secs(300), ..Default::default() };
        for noise in [0, 1, 12345, u64::MAX] {
            for (failures, full) in [(1, 2), (2, 4), (3, 8), (8, 256), (9, 300), (40, 300)] {
                let d = backoff_delay(&c, failures, noise);
                let full = Duration::from_secs(full);
                assert!(d >= full / 2 && d <= full, "retry {failures} waits between half and all of {full:?}, got {d:?}");
            }
        }
        assert_ne!(backoff_delay(&c, 5, 1), backoff_delay(&c, 5, 2), "different noise spreads desktops apart");
    }

    #[test]
    fn errors_read_as_chinese_sentences() {
        let refused = |status: u16, code: ErrorCode| SyncError::Refused { status, code, message: "m".into(), expected_seq: None };
        assert!(describe(&refused(503, ErrorCode::Unknown)).contains("暂时不可用"));
        assert!(describe(&refused(401, ErrorCode::Unauthorized)).contains("重新登录"));
        assert!(describe(&refused(409, ErrorCode::ClockSkew)).contains("时钟"));
        assert!(describe(&refused(403, ErrorCode::Forbidden)).contains("权限"));
    }
}
