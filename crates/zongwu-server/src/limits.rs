//! Rate limits: failed logins per account and per client address (the lock-out, [`LoginLimiter`]),
//! public freshman requests per student number and per address (`AppState::public_limiter`).
//!
//! A [`RateLimiter`] counts events per key within a sliding window, each key with its own limit.
//! Where it counts is the database's choice ([`Database::rate_counts`]):
//!
//! - on PostgreSQL, in the `rate_counts` table ([`RateCounts`]), which every instance on the
//!   database sees: N instances behind a load balancer allow what one allows, and a restart
//!   forgets nothing;
//! - on SQLite, one instance by nature, in that instance's memory ([`LocalWindow`]); a restart
//!   forgets.
//!
//! Both keep the same events with the same sliding window, so a setting means the same on both.
//! Time is passed in (`now_ms`), never read here.

use crate::db::rate_counts::RateCounts;
use crate::db::Database;
use crate::error::Result;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

/// Events per key within a sliding window; see the module docs for where they are counted.
#[derive(Debug)]
pub enum RateLimiter {
    /// This instance's memory.
    Local(LocalWindow),
    /// A table every instance on the database sees.
    Shared(RateCounts),
}

impl RateLimiter {
    /// A limiter in this instance's memory.
    pub fn local(window_secs: i64) -> Self {
        RateLimiter::Local(LocalWindow::new(window_secs))
    }

    /// A limiter for `bucket` (a name of its own per kind of event, e.g. `login`, `public`)
    /// counting where `db` says: in the database when several instances may share it, else in
    /// memory.
    pub fn on(db: &dyn Database, bucket: &'static str, window_secs: i64) -> Self {
        db.rate_counts(bucket, window_secs).map_or_else(|| Self::local(window_secs), RateLimiter::Shared)
    }

    /// Whether every `(key, limit)` has fewer than `limit` events in the window.
    pub async fn allowed(&self, limits: &[(&str, usize)], now_ms: i64) -> Result<bool> {
        match self {
            RateLimiter::Local(w) => Ok(w.allowed(limits, now_ms)),
            RateLimiter::Shared(e) => e.allowed(limits, now_ms).await,
        }
    }

    /// Count an event against every key.
    pub async fn record(&self, keys: &[&str], now_ms: i64) -> Result<()> {
        match self {
            RateLimiter::Local(w) => {
                w.record(keys, now_ms);
                Ok(())
            }
            RateLimiter::Shared(e) => e.record(keys, now_ms).await,
        }
    }

    /// [`allowed`](Self::allowed), and if so [`record`](Self::record), as one step (under one
    /// lock, or atomically across instances): for limits that count every request, not only
    /// failures, so concurrent requests never get past a limit together.
    pub async fn admit(&self, limits: &[(&str, usize)], now_ms: i64) -> Result<bool> {
        match self {
            RateLimiter::Local(w) => Ok(w.admit(limits, now_ms)),
            RateLimiter::Shared(e) => e.admit(limits, now_ms).await,
        }
    }

    /// Forget a key's events.
    pub async fn clear(&self, key: &str) -> Result<()> {
        match self {
            RateLimiter::Local(w) => {
                w.clear(key);
                Ok(())
            }
            RateLimiter::Shared(e) => e.clear(key).await,
        }
    }
}

/// Events per key within a sliding window, in this instance's memory.
#[derive(Debug)]
pub struct LocalWindow {
    events: Mutex<HashMap<String, VecDeque<i64>>>,
    window_ms: i64,
}

impl LocalWindow {
    pub fn new(window_secs: i64) -> Self {
        LocalWindow { events: Mutex::new(HashMap::new()), window_ms: window_secs * 1000 }
    }

    /// Events of `key` still inside the window, dropping older ones.
    fn count(map: &mut HashMap<String, VecDeque<i64>>, key: &str, cutoff: i64) -> usize {
        map.get_mut(key).map_or(0, |q| {
            while q.front().is_some_and(|t| *t <= cutoff) {
                q.pop_front();
            }
            q.len()
        })
    }

    pub fn allowed(&self, limits: &[(&str, usize)], now_ms: i64) -> bool {
        let mut map = self.events.lock().expect("limiter lock");
        let cutoff = now_ms - self.window_ms;
        limits.iter().all(|(key, limit)| Self::count(&mut map, key, cutoff) < *limit)
    }

    pub fn record(&self, keys: &[&str], now_ms: i64) {
        let mut map = self.events.lock().expect("limiter lock");
        Self::record_locked(&mut map, keys.iter().copied(), now_ms, self.window_ms);
    }

    fn record_locked<'a>(
        map: &mut HashMap<String, VecDeque<i64>>,
        keys: impl IntoIterator<Item = &'a str>,
        now_ms: i64,
        window_ms: i64,
    ) {
        if map.len() > 100_000 {
            let cutoff = now_ms - window_ms;
            map.retain(|_, q| q.back().is_some_and(|t| *t > cutoff));
        }
        for key in keys {
            match map.get_mut(key) {
                Some(q) => q.push_back(now_ms),
                None => {
                    map.insert(key.to_string(), VecDeque::from([now_ms]));
                }
            }
        }
    }

    pub fn admit(&self, limits: &[(&str, usize)], now_ms: i64) -> bool {
        let mut map = self.events.lock().expect("limiter lock");
        let cutoff = now_ms - self.window_ms;
        if !limits.iter().all(|(key, limit)| Self::count(&mut map, key, cutoff) < *limit) {
            return false;
        }
        Self::record_locked(&mut map, limits.iter().map(|(k, _)| *k), now_ms, self.window_ms);
        true
    }

    pub fn clear(&self, key: &str) {
        self.events.lock().expect("limiter lock").remove(key);
    }
}

/// Failed logins per account and per client address within a sliding window (a [`RateLimiter`]
/// that counts failures only).
///
/// The check comes before the password check and the failure is counted after it, so attempts
/// in flight at the same moment all pass the check: a burst of N parallel guesses costs N
/// failures before the lock-out holds. That is so on one instance as on several.
#[derive(Debug)]
pub struct LoginLimiter {
    failures: RateLimiter,
    per_account: usize,
    per_address: usize,
}

impl LoginLimiter {
    pub fn new(failures: RateLimiter, per_account: usize, per_address: usize) -> Self {
        LoginLimiter { failures, per_account, per_address }
    }

    fn keys(login: &str, addr: Option<IpAddr>) -> (String, Option<String>) {
        (format!("login:{login}"), addr.map(|a| format!("addr:{a}")))
    }

    /// Whether another attempt is allowed now.
    pub async fn allowed(&self, login: &str, addr: Option<IpAddr>, now_ms: i64) -> Result<bool> {
        let (account, address) = Self::keys(login, addr);
        let mut limits = vec![(account.as_str(), self.per_account)];
        if let Some(a) = &address {
            limits.push((a.as_str(), self.per_address));
        }
        self.failures.allowed(&limits, now_ms).await
    }

    pub async fn record_failure(&self, login: &str, addr: Option<IpAddr>, now_ms: i64) -> Result<()> {
        let (account, address) = Self::keys(login, addr);
        let keys: Vec<&str> = std::iter::once(account.as_str()).chain(address.as_deref()).collect();
        self.failures.record(&keys, now_ms).await
    }

    /// A successful login clears the account's failures (not the address's).
    pub async fn record_success(&self, login: &str) -> Result<()> {
        self.failures.clear(&Self::keys(login, None).0).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limiter_blocks_after_failures_and_forgets_after_the_window() {
        let l = LoginLimiter::new(RateLimiter::local(60), 3, 10);
        let a = Some(IpAddr::from([127, 0, 0, 1]));
        for i in 0..3 {
            assert!(l.allowed("u", a, i).await.unwrap(), "attempt {i} is within the limit");
            l.record_failure("u", a, i).await.unwrap();
        }
        assert!(!l.allowed("u", a, 10).await.unwrap(), "the fourth attempt within the window is refused");
        assert!(l.allowed("other", a, 10).await.unwrap(), "another account from the same address is still allowed");
        assert!(l.allowed("u", a, 61_000).await.unwrap(), "failures older than the window no longer count");
    }

    #[tokio::test]
    async fn success_clears_the_account_but_not_the_address() {
        let l = LoginLimiter::new(RateLimiter::local(60), 2, 3);
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        for i in 0..2 {
            l.record_failure("u", a, i).await.unwrap();
        }
        assert!(!l.allowed("u", a, 2).await.unwrap(), "two failures lock the account");
        l.record_success("u").await.unwrap();
        assert!(l.allowed("u", a, 3).await.unwrap(), "a success forgets the account's failures");
        l.record_failure("v", a, 4).await.unwrap();
        assert!(!l.allowed("w", a, 5).await.unwrap(), "the address still counts all three failures");
    }

    #[test]
    fn admit_counts_every_request_against_every_key() {
        let l = LocalWindow::new(60);
        for i in 0..2 {
            assert!(l.admit(&[("student:1", 2), ("addr:a", 3)], i), "request {i} is within both limits");
        }
        assert!(!l.admit(&[("student:1", 2), ("addr:a", 3)], 2), "the student's third request is refused");
        assert!(l.admit(&[("student:2", 2), ("addr:a", 3)], 3), "another student from the address is admitted");
        assert!(!l.admit(&[("student:3", 2), ("addr:a", 3)], 4), "the address's fourth request is refused");
        assert!(l.admit(&[("student:1", 2), ("addr:a", 3)], 61_000), "the window moves on");
    }
}
