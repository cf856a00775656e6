//! Accounts, passwords, tokens and the login rate limit.
//!
//! Passwords are hashed with argon2id (on the server only). A login returns a random bearer token;
//! the server stores only its SHA-256, so a leaked database holds no usable token. Every route but
//! login and `/healthz` needs the token, and the token is bound to the device it logged in from.

use crate::db::User;
use crate::error::{Error, Result};
use crate::AppState;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use password_hash::rand_core::{OsRng, RngCore};
use password_hash::SaltString;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
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

/// Failed logins per account and per client address within a sliding window. In memory: a
/// restart forgets them, and each instance counts its own (enough against online guessing).
#[derive(Debug)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
    per_account: usize,
    per_address: usize,
    window_ms: i64,
}

impl LoginLimiter {
    pub fn new(per_account: usize, per_address: usize, window_secs: i64) -> Self {
        LoginLimiter { failures: Mutex::new(HashMap::new()), per_account, per_address, window_ms: window_secs * 1000 }
    }

    fn keys(login: &str, addr: Option<IpAddr>) -> (String, Option<String>) {
        (format!("login:{login}"), addr.map(|a| format!("addr:{a}")))
    }

    /// Whether another attempt is allowed now.
    pub fn allowed(&self, login: &str, addr: Option<IpAddr>, now_ms: i64) -> bool {
        let (account, address) = Self::keys(login, addr);
        let mut map = self.failures.lock().expect("limiter lock");
        let cutoff = now_ms - self.window_ms;
        let mut count = |key: &str| {
            map.get_mut(key).map_or(0, |q| {
                while q.front().is_some_and(|t| *t <= cutoff) {
                    q.pop_front();
                }
                q.len()
            })
        };
        let account_ok = count(&account) < self.per_account;
        let address_ok = address.as_deref().is_none_or(|a| count(a) < self.per_address);
        account_ok && address_ok
    }

    pub fn record_failure(&self, login: &str, addr: Option<IpAddr>, now_ms: i64) {
        let (account, address) = Self::keys(login, addr);
        let mut map = self.failures.lock().expect("limiter lock");
        if map.len() > 100_000 {
            let cutoff = now_ms - self.window_ms;
            map.retain(|_, q| q.back().is_some_and(|t| *t > cutoff));
        }
        map.entry(account).or_default().push_back(now_ms);
        if let Some(a) = address {
            map.entry(a).or_default().push_back(now_ms);
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, login: &str) {
        self.failures.lock().expect("limiter lock").remove(&format!("login:{login}"));
    }
}

/// The client's address, when the server was started with connection info (not in `oneshot` tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// The caller of an authenticated route: a live bearer token's user and device.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    pub device_id: String,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Error::Unauthorized)?;
        let hash = token_hash(token);
        let (user, device_id) = state.db.token_user(&hash, state.now_ms()).await?.ok_or(Error::Unauthorized)?;
        Ok(AuthUser { user, device_id, token_hash: hash })
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
}
