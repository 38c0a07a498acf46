//! Password hashes: argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's
//! minimum recommendation), as PHC strings that carry their own parameters and salt, so
//! stronger parameters later still verify the old hashes. Hashing takes tens of milliseconds
//! of CPU on purpose; callers run it on a blocking thread.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Why a hash could not be made or read.
#[derive(Debug, thiserror::Error)]
#[error("password hashing: {0}")]
pub struct HashError(String);

/// A new hash of `password`, with a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches `stored` (a PHC string). A stored hash that does not parse is an
/// error, not a mismatch: it means a damaged database.
pub fn verify(password: &str, stored: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(stored).map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// A hash no password matches, verified against when a sign-in names no account, so that an
/// unknown name costs the same time as a wrong password and timing does not tell them apart.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut random = [0u8; 32];
        // Without randomness the decoy is still a valid hash of a fixed string nobody types.
        let _ = getrandom::fill(&mut random);
        let secret: String = random.iter().map(|b| format!("{b:02x}")).collect();
        hash(&secret).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(verify("correct horse battery", &h).unwrap());
        assert!(!verify("correct horse batterx", &h).unwrap());
        // Salted: the same password hashes differently each time.
        assert_ne!(h, hash("correct horse battery").unwrap());
        assert!(!verify("anything at all", decoy()).unwrap());
        assert!(verify("x", "not a hash").is_err());
    }
}
