//! The sync client: pushes this device's outbox to a zongwu server and pulls everyone else's
//! changes, following the rules in DESIGN.md (Sync).
//!
//! - Push reads the outbox (`change_log` rows with `origin = 'local' AND pushed = 0`) in pages and
//!   marks rows pushed only after the server answered with the last `device_seq` it stored. A
//!   resend after a lost answer is harmless: the server skips what it already has.
//! - Pull asks for pages after the stored cursor and merges each page with the cursor that follows
//!   it in one local transaction ([`Store::merge_remote_with_meta`]), so a crash between the two
//!   can neither lose nor duplicate a change.
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
use zongwu_proto::api::{ErrorBody, ErrorCode, LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse};
use zongwu_proto::SkewWarning;

/// The `meta` key holding `epoch:server_seq` of the last pulled page.
pub const CURSOR_KEY: &str = "sync_cursor";

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
    /// The server does not know our cursor (it was reset or compacted): a full re-bootstrap is
    /// needed (a later increment).
    #[error("同步游标 {0} 在服务器上不存在，需要重新同步")]
    UnknownCursor(i64),
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
            SyncError::UnknownCursor(_) => ErrorCode::Conflict,
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
    /// Remote changes received (including ones already known).
    pub pulled: usize,
    /// Pages pulled.
    pub pages: usize,
    /// Remote clocks far ahead of ours; the changes still merged by their stamps.
    pub skew_warnings: Vec<SkewWarning>,
    /// The server did not know our cursor and everything was offered and pulled again.
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
}

impl SyncClient {
    /// A client for `base_url` (e.g. `http://127.0.0.1:8787`) with a token from [`SyncClient::login`].
    pub fn new(base_url: &str, token: &str) -> Result<SyncClient> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        Ok(SyncClient { http, base_url: base_url.trim_end_matches('/').to_string(), token: token.to_string() })
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
            ("limit", PAGE.to_string()),
            ("epoch", epoch),
        ]);
        async move {
            match decode(request.send().await?).await {
                Err(SyncError::Refused { code: ErrorCode::UnknownCursor, .. }) => Err(SyncError::UnknownCursor(cursor)),
                other => other,
            }
        }
    }

    /// Push, then pull. When the server does not know our cursor (it was reset or restored from
    /// an older backup), re-bootstrap once: offer every local change again (the server keeps
    /// what it lacks and skips what it has) and pull from the start (merging what we already
    /// have is a no-op).
    pub async fn sync_once(&self, store: &Store) -> Result<SyncReport> {
        let pushed = self.push_once(store).await?;
        let mut report = match self.pull_once(store).await {
            Err(SyncError::UnknownCursor(cursor)) => {
                tracing::warn!(cursor, "the server does not know our cursor; re-bootstrapping");
                self.rebootstrap(store).await?;
                let pushed_again = self.push_once(store).await?;
                let mut report = self.pull_once(store).await?;
                report.pushed += pushed_again;
                report.rebootstrapped = true;
                report
            }
            other => other?,
        };
        report.pushed += pushed;
        Ok(report)
    }

    /// Forget what the server acknowledged and where we were: the next push offers every local
    /// change, the next pull starts at the beginning.
    pub async fn rebootstrap(&self, store: &Store) -> Result<()> {
        store.unmark_pushed_from(1).await?;
        crate::store::meta_set(store.pool(), CURSOR_KEY, "").await?;
        Ok(())
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
