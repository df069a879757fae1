//! Password hashing: argon2id with the crate's defaults (19 MiB, 2 passes,
//! one lane: OWASP's recommended minimum), on the blocking pool so a login
//! never stalls the requests beside it.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::{Result, StoreError};

/// Hashes `password` into a PHC string (salt and parameters inside).
pub(crate) async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Location(std::io::Error::other(format!("hashing a password failed: {e}"))))
    })
    .await
    .map_err(|e| StoreError::Location(std::io::Error::other(format!("the hashing task failed: {e}"))))?
}

/// Whether `password` is the one `stored` was made from. With no stored hash
/// (no such account) a hash is still checked, so an answer takes as long for
/// an unknown address as for a wrong password and does not tell which.
pub(crate) async fn verify(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY.clone());
        PasswordHash::new(&stored)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            && !stored.is_empty()
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, made once: what unknown addresses are checked against.
static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut bytes = [0u8; 24];
    let _ = getrandom::fill(&mut bytes);
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(&bytes, &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let stored = hash("correct horse battery".into()).await.expect("hashed");

        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(Some(stored.clone()), "correct horse battery".into()).await);
        assert!(!verify(Some(stored), "correct horse battery!".into()).await);
        assert!(!verify(None, "correct horse battery".into()).await);
        assert!(!verify(Some("not a hash".into()), "x".into()).await);
    }
}
