//! Accounts, passwords, tokens and the login rate limit.
//!
//! Passwords are hashed with argon2id (on the server only). A login returns a random bearer token;
//! the server stores only its SHA-256, so a leaked database holds no usable token. Every route but
//! login and `/healthz` needs the token, and the token is bound to the device it logged in from
//! (the extractor that checks it is [`crate::app::AuthUser`]).

use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use password_hash::rand_core::{OsRng, RngCore};
use password_hash::SaltString;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

/// Hash a password with argon2id at the given memory cost (KiB). Slow on purpose: call it from
/// `spawn_blocking`.
pub fn hash_password(password: &str, memory_kib: u32) -> Result<String> {
    let params = Params::new(memory_kib, 2, 1, None).map_err(|e| Error::Internal(e.to_string()))?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Check a password against a stored hash; the parameters come from the hash itself.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fresh bearer token: 32 random bytes as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Events per key within a sliding window, each key with its own limit: failed logins per
/// account and per address, public lookups per student number and per address. In memory: a
/// restart forgets them, and each instance counts its own (enough against online guessing; with
/// several instances behind a load balancer the effective limit is the sum).
#[derive(Debug)]
pub struct RateLimiter {
    events: Mutex<HashMap<String, VecDeque<i64>>>,
    window_ms: i64,
}

impl RateLimiter {
    pub fn new(window_secs: i64) -> Self {
        RateLimiter { events: Mutex::new(HashMap::new()), window_ms: window_secs * 1000 }
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

    /// Whether every `(key, limit)` has fewer than `limit` events in the window.
    pub fn allowed(&self, limits: &[(&str, usize)], now_ms: i64) -> bool {
        let mut map = self.events.lock().expect("limiter lock");
        let cutoff = now_ms - self.window_ms;
        limits.iter().all(|(key, limit)| Self::count(&mut map, key, cutoff) < *limit)
    }

    /// Count an event against every key.
    pub fn record<'a>(&self, keys: impl IntoIterator<Item = &'a str>, now_ms: i64) {
        let mut map = self.events.lock().expect("limiter lock");
        Self::record_locked(&mut map, keys, now_ms, self.window_ms);
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

    /// [`allowed`](Self::allowed), and if so [`record`](Self::record), under one lock: for limits
    /// that count every request, not only failures.
    pub fn admit(&self, limits: &[(&str, usize)], now_ms: i64) -> bool {
        let mut map = self.events.lock().expect("limiter lock");
        let cutoff = now_ms - self.window_ms;
        if !limits.iter().all(|(key, limit)| Self::count(&mut map, key, cutoff) < *limit) {
            return false;
        }
        Self::record_locked(&mut map, limits.iter().map(|(k, _)| *k), now_ms, self.window_ms);
        true
    }

    /// Forget a key's events.
    pub fn clear(&self, key: &str) {
        self.events.lock().expect("limiter lock").remove(key);
    }
}

/// Failed logins per account and per client address within a sliding window (a [`RateLimiter`]
/// that counts failures only).
#[derive(Debug)]
pub struct LoginLimiter {
    failures: RateLimiter,
    per_account: usize,
    per_address: usize,
}

impl LoginLimiter {
    pub fn new(per_account: usize, per_address: usize, window_secs: i64) -> Self {
        LoginLimiter { failures: RateLimiter::new(window_secs), per_account, per_address }
    }

    fn keys(login: &str, addr: Option<IpAddr>) -> (String, Option<String>) {
        (format!("login:{login}"), addr.map(|a| format!("addr:{a}")))
    }

    /// Whether another attempt is allowed now.
    pub fn allowed(&self, login: &str, addr: Option<IpAddr>, now_ms: i64) -> bool {
        let (account, address) = Self::keys(login, addr);
        let mut limits = vec![(account.as_str(), self.per_account)];
        if let Some(a) = &address {
            limits.push((a.as_str(), self.per_address));
        }
        self.failures.allowed(&limits, now_ms)
    }

    pub fn record_failure(&self, login: &str, addr: Option<IpAddr>, now_ms: i64) {
        let (account, address) = Self::keys(login, addr);
        self.failures.record(std::iter::once(account.as_str()).chain(address.as_deref()), now_ms);
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, login: &str) {
        self.failures.clear(&format!("login:{login}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse", 1024).unwrap();
        assert!(verify_password("correct horse", &h), "the right password must verify");
        assert!(!verify_password("wrong", &h), "a wrong password must not verify");
        assert!(!h.contains("correct horse"), "the hash must not contain the password");
    }

    #[test]
    fn limiter_blocks_after_failures_and_forgets_after_the_window() {
        let l = LoginLimiter::new(3, 10, 60);
        let a = Some(IpAddr::from([127, 0, 0, 1]));
        for i in 0..3 {
            assert!(l.allowed("u", a, i), "attempt {i} is within the limit");
            l.record_failure("u", a, i);
        }
        assert!(!l.allowed("u", a, 10), "the fourth attempt within the window is refused");
        assert!(l.allowed("other", a, 10), "another account from the same address is still allowed");
        assert!(l.allowed("u", a, 61_000), "failures older than the window no longer count");
    }

    #[test]
    fn admit_counts_every_request_against_every_key() {
        let l = RateLimiter::new(60);
        for i in 0..2 {
            assert!(l.admit(&[("student:1", 2), ("addr:a", 3)], i), "request {i} is within both limits");
        }
        assert!(!l.admit(&[("student:1", 2), ("addr:a", 3)], 2), "the student's third request is refused");
        assert!(l.admit(&[("student:2", 2), ("addr:a", 3)], 3), "another student from the address is admitted");
        assert!(!l.admit(&[("student:3", 2), ("addr:a", 3)], 4), "the address's fourth request is refused");
        assert!(l.admit(&[("student:1", 2), ("addr:a", 3)], 61_000), "the window moves on");
    }
}
