//! Random tokens, their hashes, and password hashing (argon2id, off the
//! async runtime).

use crate::error::ServiceError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// A random token of `bytes` bytes, hex-encoded.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Tokens are long random values: a fast hash is enough to keep them
/// unusable if the database leaks.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) async fn hash_password(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// A hash of a random password, verified against when the account does not
/// exist so that both cases take the same time.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(random_token(16).as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Verifies `password` against `stored` (or against a decoy when there is
/// no stored hash).
pub(crate) async fn verify_password(
    password: String,
    stored: Option<String>,
) -> Result<bool, ServiceError> {
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| decoy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && real
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Warms the decoy hash so that the first unknown-account sign-in is not
/// measurably slower than the others.
pub(crate) fn warm_up() {
    let _ = decoy_hash();
}
