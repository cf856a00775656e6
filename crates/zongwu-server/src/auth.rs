//! Passwords and tokens (the login rate limit is [`crate::limits`]'s).
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
}
