//! The sync client: pushes this device's outbox to a zongwu server and pulls everyone else's
//! changes, following the rules in DESIGN.md (Sync).
//!
//! - Push reads the outbox (`change_log` rows with `origin = 'local' AND pushed = 0`) in pages and
//!   marks rows pushed only after the server answered with the last `device_seq` it stored. A
//!   resend after a lost answer is harmless: the server skips what it already has.
//! - Pull asks for pages after the stored cursor and merges each page with the cursor that follows
//!   it in one local transaction ([`Store::merge_remote_with_meta`]), so a crash between the two
//!   can neither lose nor duplicate a change.
//! - Bootstrap: a desktop without a cursor (new, joined download-only, or sent back by 409)
//!   does not replay the server's whole history. It downloads the server's current rows in
//!   pages ([`SyncClient::bootstrap`]), each merged with its progress in one transaction, then
//!   follows the log from the snapshot's sequence number. Why that misses and duplicates
//!   nothing even while pushes land: docs/sync.md, "Snapshot bootstrap".
//!
//! [`runner::SyncRunner`] runs rounds on a timer, after edits and with backoff on failure;
//! [`account`] keeps the server login and decides what local work a joining desktop offers;
//! [`admin`] is the admin's user and device management on the server.

pub mod account;
pub mod admin;
pub mod runner;

use crate::Store;
use reqwest::StatusCode;
use std::time::Duration;
use zongwu_proto::api::{
    ErrorBody, ErrorCode, LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse, RowKey, SnapshotResponse,
};
use zongwu_proto::SkewWarning;

/// The `meta` key holding `epoch:server_seq` of the last pulled page.
pub const CURSOR_KEY: &str = "sync_cursor";

/// The `meta` key of a bootstrap under way (JSON [`Bootstrap`]), empty when none is.
pub const SNAPSHOT_KEY: &str = "sync_snapshot";

/// How far a bootstrap got, committed with each page it merged.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Bootstrap {
    epoch: String,
    /// The snapshot's sequence number: the cursor once the last page is merged.
    seq: i64,
    /// This run's own id. Its rows are logged as changes of the pseudo-device `snapshot:<run>`
    /// numbered by their position in the run: the log keys (device, seq) uniquely and a later
    /// run (another snapshot) must never collide with an earlier one.
    run: String,
    rows: i64,
    after: Option<RowKey>,
}

/// Changes per push and per pull page (the server's maximum).
pub const PAGE: i64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached or the connection broke.
    #[error("无法连接同步服务器：{0}")]
    Network(#[from] reqwest::Error),
    /// The server refused the request.
    #[error("同步服务器拒绝了请求（{status}）：{code:?} {message}")]
    Refused { status: u16, code: ErrorCode, message: String, expected_seq: Option<i64> },
    /// The server does not know our cursor (it was reset or restored): offer everything again
    /// and bootstrap.
    #[error("同步游标 {0} 在服务器上不存在，需要重新同步")]
    UnknownCursor(i64),
    /// Our cursor is below the server's compaction horizon: bootstrap from the snapshot again.
    #[error("同步游标 {0} 早于服务器已压缩的记录，需要从快照重新同步")]
    CursorCompacted(i64),
    #[error(transparent)]
    Store(#[from] crate::Error),
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

impl SyncError {
    /// The code the window switches on.
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            SyncError::Network(_) => ErrorCode::Network,
            SyncError::Refused { status, .. } => match status {
                401 | 429 => ErrorCode::Unauthorized,
                403 => ErrorCode::Forbidden,
                404 => ErrorCode::NotFound,
                409 => ErrorCode::Conflict,
                400..=499 => ErrorCode::Validation,
                _ => ErrorCode::Network,
            },
            SyncError::UnknownCursor(_) | SyncError::CursorCompacted(_) => ErrorCode::Conflict,
            SyncError::Store(e) => e.code(),
        }
    }

    /// A sentence for the people using the app, in Chinese.
    pub fn user_message(&self) -> String {
        match self {
            SyncError::Refused { status: 401, .. } => "登录名或密码错误，或登录已失效".into(),
            SyncError::Refused { status: 429, .. } => "登录尝试过于频繁，请 15 分钟后再试".into(),
            SyncError::Refused { status: 400 | 403 | 404 | 409, message, .. } => format!("服务器拒绝：{message}"),
            SyncError::Network(_) => "无法连接同步服务器，请检查服务器地址和网络".into(),
            SyncError::Refused { status, .. } if *status >= 500 => format!("同步服务器暂时不可用（{status}），请稍后再试"),
            SyncError::Store(e) => e.to_string(),
            other => runner::describe(other),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Local changes the server acknowledged.
    pub pushed: u64,
    /// Remote changes received (including ones already known), snapshot rows included.
    pub pulled: usize,
    /// Pages pulled (snapshot pages included).
    pub pages: usize,
    /// Rows downloaded by a bootstrap from the server's snapshot.
    pub snapshot_rows: usize,
    /// Remote clocks far ahead of ours; the changes still merged by their stamps.
    pub skew_warnings: Vec<SkewWarning>,
    /// The server did not know our cursor (everything was offered again), or it was compacted
    /// away: the desktop bootstrapped again from the snapshot.
    pub rebootstrapped: bool,
    /// The server's clock minus ours, when it differs by more than
    /// [`MAX_FORWARD_SKEW_MS`](zongwu_proto::MAX_FORWARD_SKEW_MS) either way: this computer's
    /// clock is wrong and its writes will be refused (ahead) or lose to earlier ones (behind).
    pub clock_offset_ms: Option<i64>,
}

/// `server - local` when it is beyond the tolerated skew.
fn clock_offset(server_time_ms: i64, local_ms: i64) -> Option<i64> {
    let offset = server_time_ms - local_ms;
    (server_time_ms > 0 && offset.abs() > zongwu_proto::MAX_FORWARD_SKEW_MS).then_some(offset)
}

/// A logged-in connection to one server.
#[derive(Debug, Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
    /// Changes per pull page and rows per snapshot page.
    page: i64,
}

impl SyncClient {
    /// A client for `base_url` (e.g. `http://127.0.0.1:8787`) with a token from [`SyncClient::login`].
    pub fn new(base_url: &str, token: &str) -> Result<SyncClient> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        Ok(SyncClient { http, base_url: base_url.trim_end_matches('/').to_string(), token: token.to_string(), page: PAGE })
    }

    /// Pull and snapshot pages of `rows` (1 to [`PAGE`]) instead of the server's maximum: tests
    /// use small pages to interleave pushes with a bootstrap.
    pub fn with_page(mut self, rows: i64) -> SyncClient {
        self.page = rows.clamp(1, PAGE);
        self
    }

    /// Log in as `login` from this store's device and return a client holding the token.
    pub async fn login(base_url: &str, store: &Store, login: &str, password: &str) -> Result<(SyncClient, LoginResponse)> {
        let mut client = SyncClient::new(base_url, "")?;
        let req =
            LoginRequest { login: login.to_string(), password: password.to_string(), device_id: store.device_id().to_string() };
        let resp = client.http.post(client.url("/api/v1/auth/login")).json(&req).send().await?;
        let answer: LoginResponse = decode(resp).await?;
        client.token = answer.token.clone();
        Ok((client, answer))
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Push the whole outbox, page by page. Returns how many changes the server acknowledged.
    ///
    /// Every answer carries the server's time; a clock far off then stamps at the server's time
    /// ([`Store::set_clock_offset`]). When the server refuses a push as stamped in the future
    /// (409 `clock_skew`: this clock ran fast while offline), the outbox is re-stamped at the
    /// corrected time ([`Store::restamp_outbox`]) and sent again, once.
    pub async fn push_once(&self, store: &Store) -> Result<u64> {
        let mut acknowledged = 0;
        let mut resent_after_gap = false;
        let mut restamped = false;
        while let Some(after) = store.outbox_start().await? {
            let page: Vec<_> = store.local_changes(after, PAGE).await?.into_iter().map(|(_, c)| c).collect();
            if page.is_empty() {
                break;
            }
            let req = PushRequest { device_id: store.device_id().to_string(), changes: page };
            let resp = self.http.post(self.url("/api/v1/sync/push")).bearer_auth(&self.token).json(&req).send().await?;
            match decode::<PushResponse>(resp).await {
                Ok(answer) => {
                    store.set_clock_offset(clock_offset(answer.server_time_ms, store.now_ms()).unwrap_or(0)).await?;
                    // Refused changes leave the outbox with the rest, their rows put back to the
                    // server's copy; nothing of the page blocks what follows.
                    if !answer.refused.is_empty() {
                        tracing::warn!(refused = answer.refused.len(), "the server refused some of our changes");
                        store.apply_refusals(&answer.refused).await?;
                    }
                    let marked = store.mark_pushed(answer.last_device_seq).await?;
                    acknowledged += marked;
                    if marked == 0 {
                        // The server stored none of this page and reported no gap: stop rather
                        // than send the same page forever.
                        break;
                    }
                }
                // The server is missing changes we believed pushed (it was restored): send them
                // again from where it stands, once.
                Err(SyncError::Refused { expected_seq: Some(expected), .. }) if !resent_after_gap => {
                    resent_after_gap = true;
                    store.unmark_pushed_from(expected).await?;
                }
                Err(SyncError::Refused { code: ErrorCode::ClockSkew, .. }) if !restamped => {
                    restamped = true;
                    // Learn the server's time: an empty push changes nothing and answers with it.
                    let empty = PushRequest { device_id: store.device_id().to_string(), changes: Vec::new() };
                    let resp = self.http.post(self.url("/api/v1/sync/push")).bearer_auth(&self.token).json(&empty).send().await?;
                    let answer: PushResponse = decode(resp).await?;
                    let offset = clock_offset(answer.server_time_ms, store.now_ms());
                    tracing::warn!(offset_ms = offset, "the server refused stamps from our future; re-stamping the outbox");
                    store.set_clock_offset(offset.unwrap_or(0)).await?;
                    store.restamp_outbox().await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(acknowledged)
    }

    /// Pull every page after the stored cursor, merging each with its cursor in one transaction.
    /// With no cursor this replays the whole log from the start (the slow way; [`SyncClient::sync_once`]
    /// bootstraps from the snapshot instead), and after a compaction it is
    /// [`SyncError::CursorCompacted`].
    /// The next page is fetched while the current one merges, so a first pull costs about the
    /// larger of the wire time and the merge time, not their sum.
    pub async fn pull_once(&self, store: &Store) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let saved = crate::store::meta_get(store.pool(), CURSOR_KEY).await?.unwrap_or_default();
        let (epoch, cursor) = parse_cursor(&saved);
        let mut next = Some(tokio::spawn(self.fetch_page(cursor, epoch)));
        while let Some(fetching) = next.take() {
            let page = fetching.await.map_err(|e| crate::Error::Internal(format!("pull: {e}")))??;
            if page.has_more {
                next = Some(tokio::spawn(self.fetch_page(page.next_cursor, page.epoch.clone())));
            }
            let saved = format!("{}:{}", page.epoch, page.next_cursor);
            let merged = store.merge_remote_with_meta(&page.changes, Some((CURSOR_KEY, saved.as_str()))).await;
            let (_, warnings) = match merged {
                Ok(m) => m,
                Err(e) => {
                    if let Some(n) = next.take() {
                        n.abort();
                    }
                    return Err(e.into());
                }
            };
            report.pulled += page.changes.len();
            report.pages += 1;
            report.skew_warnings.extend(warnings);
            report.clock_offset_ms = clock_offset(page.server_time_ms, store.now_ms());
            // A clock far off stamps at the server's time from now on (0 once it is right again).
            store.set_clock_offset(report.clock_offset_ms.unwrap_or(0)).await?;
        }
        Ok(report)
    }

    /// One pull page after `cursor` (a future that owns what it needs, so it can run on its own
    /// task while the previous page merges).
    fn fetch_page(&self, cursor: i64, epoch: String) -> impl std::future::Future<Output = Result<PullResponse>> + Send + 'static {
        let request = self.http.get(self.url("/api/v1/sync/pull")).bearer_auth(&self.token).query(&[
            ("cursor", cursor.to_string()),
            ("limit", self.page.to_string()),
            ("epoch", epoch),
        ]);
        async move { cursor_errors(decode(request.send().await?).await, cursor) }
    }

    /// Whether the store must bootstrap before it can follow the log: it has no cursor (a new
    /// desktop, a download-only join, a re-bootstrap), or a bootstrap is under way.
    pub async fn needs_bootstrap(store: &Store) -> Result<bool> {
        let cursor = crate::store::meta_get(store.pool(), CURSOR_KEY).await?.unwrap_or_default();
        let snapshot = crate::store::meta_get(store.pool(), SNAPSHOT_KEY).await?.unwrap_or_default();
        Ok(cursor.is_empty() || !snapshot.is_empty())
    }

    /// Download the server's current rows (the snapshot) page by page, each merged with this
    /// bootstrap's progress in one transaction (an interrupted bootstrap resumes after the last
    /// page it merged), then save the snapshot's sequence number as the cursor: the next
    /// [`SyncClient::pull_once`] follows the log from there. The rows merge like any remote
    /// change ([`Store::merge_remote_with_meta`]), so local changes not yet pushed keep their
    /// later clocks and a row already here is merged, not replaced. The next page is fetched
    /// while the current one merges.
    pub async fn bootstrap(&self, store: &Store) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let saved = crate::store::meta_get(store.pool(), SNAPSHOT_KEY).await?.unwrap_or_default();
        let resumed: Option<Bootstrap> = if saved.is_empty() { None } else { serde_json::from_str(&saved).ok() };
        let (mut progress, first) = match resumed {
            Some(p) => {
                let page = self.fetch_snapshot(Some(p.seq), p.after.clone(), p.epoch.clone()).await?;
                (p, page)
            }
            None => {
                let page = self.fetch_snapshot(None, None, String::new()).await?;
                let run = uuid::Uuid::now_v7().to_string();
                (Bootstrap { epoch: page.epoch.clone(), seq: page.seq, run, rows: 0, after: None }, page)
            }
        };
        tracing::info!(seq = progress.seq, resumed = progress.rows > 0, "bootstrapping from the server's snapshot");
        let device = format!("snapshot:{}", progress.run);
        let mut current = Some(first);
        while let Some(page) = current.take() {
            let next = page
                .has_more
                .then(|| tokio::spawn(self.fetch_snapshot(Some(progress.seq), page.after.clone(), progress.epoch.clone())));
            let rows: Vec<zongwu_proto::Change> = page
                .rows
                .into_iter()
                .enumerate()
                .map(|(i, mut row)| {
                    let n = progress.rows + i as i64 + 1;
                    row.change_id = format!("{device}:{n}");
                    row.device_id = device.clone();
                    row.device_seq = n;
                    row
                })
                .collect();
            progress.rows += rows.len() as i64;
            progress.after = page.after.or(progress.after);
            let saved = serde_json::to_string(&progress).map_err(crate::Error::from)?;
            let merged = match store.merge_remote_with_meta(&rows, Some((SNAPSHOT_KEY, saved.as_str()))).await {
                Ok((_, warnings)) => warnings,
                Err(e) => {
                    if let Some(n) = next {
                        n.abort();
                    }
                    return Err(e.into());
                }
            };
            report.snapshot_rows += rows.len();
            report.pulled += rows.len();
            report.pages += 1;
            report.skew_warnings.extend(merged);
            report.clock_offset_ms = clock_offset(page.server_time_ms, store.now_ms());
            store.set_clock_offset(report.clock_offset_ms.unwrap_or(0)).await?;
            if let Some(n) = next {
                current = Some(n.await.map_err(|e| crate::Error::Internal(format!("snapshot: {e}")))??);
            }
        }
        // Cursor first: a crash before the progress is cleared only resumes an empty remainder.
        crate::store::meta_set(store.pool(), CURSOR_KEY, &format!("{}:{}", progress.epoch, progress.seq)).await?;
        crate::store::meta_set(store.pool(), SNAPSHOT_KEY, "").await?;
        Ok(report)
    }

    /// One snapshot page (a future that owns what it needs, like [`SyncClient::fetch_page`]).
    fn fetch_snapshot(
        &self,
        seq: Option<i64>,
        after: Option<RowKey>,
        epoch: String,
    ) -> impl std::future::Future<Output = Result<SnapshotResponse>> + Send + 'static {
        let mut query = vec![("limit", self.page.to_string()), ("epoch", epoch)];
        if let Some(seq) = seq {
            query.push(("seq", seq.to_string()));
        }
        if let Some(key) = after {
            query.push(("after_table", key.table));
            query.push(("after_row", key.row_id));
        }
        let request = self.http.get(self.url("/api/v1/sync/snapshot")).bearer_auth(&self.token).query(&query);
        async move { cursor_errors(decode(request.send().await?).await, seq.unwrap_or(0)) }
    }

    /// Bootstrap when needed ([`SyncClient::needs_bootstrap`]), then follow the log.
    pub async fn catch_up(&self, store: &Store) -> Result<SyncReport> {
        let mut report = if Self::needs_bootstrap(store).await? { self.bootstrap(store).await? } else { SyncReport::default() };
        let pulled = self.pull_once(store).await?;
        report.pulled += pulled.pulled;
        report.pages += pulled.pages;
        report.skew_warnings.extend(pulled.skew_warnings);
        report.clock_offset_ms = pulled.clock_offset_ms.or(report.clock_offset_ms);
        Ok(report)
    }

    /// Push, then catch up ([`SyncClient::catch_up`]: a desktop without a cursor bootstraps from
    /// the snapshot first). When the server does not know our cursor (it was reset or restored
    /// from an older backup), re-bootstrap once: offer every local change again (the server
    /// keeps what it lacks and skips what it has) and bootstrap. When our cursor is below the
    /// server's compaction horizon, bootstrap again, once: the server holds all we pushed, so
    /// nothing is offered again.
    pub async fn sync_once(&self, store: &Store) -> Result<SyncReport> {
        let pushed = self.push_once(store).await?;
        let mut report = match self.catch_up(store).await {
            Err(SyncError::UnknownCursor(cursor)) => {
                tracing::warn!(cursor, "the server does not know our cursor; re-bootstrapping");
                self.rebootstrap(store).await?;
                let pushed_again = self.push_once(store).await?;
                let mut report = self.catch_up(store).await?;
                report.pushed += pushed_again;
                report.rebootstrapped = true;
                report
            }
            Err(SyncError::CursorCompacted(cursor)) => {
                tracing::warn!(cursor, "the server compacted the log past our cursor; bootstrapping from its snapshot");
                self.forget_cursor(store).await?;
                let mut report = self.catch_up(store).await?;
                report.rebootstrapped = true;
                report
            }
            other => other?,
        };
        report.pushed += pushed;
        Ok(report)
    }

    /// Forget what the server acknowledged and where we were: the next push offers every local
    /// change, the next round bootstraps.
    pub async fn rebootstrap(&self, store: &Store) -> Result<()> {
        store.unmark_pushed_from(1).await?;
        self.forget_cursor(store).await
    }

    /// Forget the cursor and any bootstrap under way: the next round bootstraps from scratch.
    async fn forget_cursor(&self, store: &Store) -> Result<()> {
        crate::store::meta_set(store.pool(), CURSOR_KEY, "").await?;
        crate::store::meta_set(store.pool(), SNAPSHOT_KEY, "").await?;
        Ok(())
    }
}

/// The server's answer to a cursor (or a snapshot's `seq`) it cannot serve, as our errors.
fn cursor_errors<T>(answer: Result<T>, cursor: i64) -> Result<T> {
    match answer {
        Err(SyncError::Refused { code: ErrorCode::UnknownCursor, .. }) => Err(SyncError::UnknownCursor(cursor)),
        Err(SyncError::Refused { code: ErrorCode::CursorCompacted, .. }) => Err(SyncError::CursorCompacted(cursor)),
        other => other,
    }
}

/// The saved cursor: `epoch:seq` (a bare number from before epochs means "any epoch").
fn parse_cursor(saved: &str) -> (String, i64) {
    match saved.rsplit_once(':') {
        Some((epoch, seq)) => (epoch.to_string(), seq.parse().unwrap_or(0)),
        None => (String::new(), saved.parse().unwrap_or(0)),
    }
}

/// The answer's body on success, or the server's `{code, message}` as [`SyncError::Refused`].
async fn decode<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp.json().await?);
    }
    let text = resp.text().await.unwrap_or_default();
    let body: ErrorBody = serde_json::from_str(&text).unwrap_or(ErrorBody {
        code: if status == StatusCode::PAYLOAD_TOO_LARGE { ErrorCode::TooLarge } else { ErrorCode::Unknown },
        message: text,
        expected_seq: None,
    });
    Err(SyncError::Refused { status: status.as_u16(), code: body.code, message: body.message, expected_seq: body.expected_seq })
}

#[cfg(test)]
mod tests {
    use crate::store::Table;

    #[test]
    fn the_server_accepts_exactly_the_tables_the_store_syncs() {
        let store: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(
            store,
            zongwu_proto::SYNCED_TABLES,
            "a table added to the store must be added to zongwu_proto::SYNCED_TABLES, or the server refuses its changes"
        );
    }
}
