//! Channel secrets: given inline once or by reference (`env:NAME`, `file:PATH` under the
//! server's `secrets_dir`), stored encrypted with the server's `secret_key`
//! (ChaCha20-Poly1305, a fresh random nonce per secret), resolved only when a message is sent.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

/// How a secret was given.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    Inline(String),
    Env(String),
    File(PathBuf),
}

impl std::fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source())
    }
}

/// Why a secret cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "the server has no secret_key (PHASEPLAN_SECRET_KEY): channel secrets cannot be stored"
    )]
    NoKey,
    #[error("secret_key must be 32 bytes, as 64 hex digits or base64")]
    BadKey,
    #[error("the environment variable {0:?} is not set on the server")]
    MissingEnv(String),
    #[error("{0:?} names one of the server's own settings: refer to a variable of its own")]
    ServerSetting(String),
    #[error("file: references need the server's secrets_dir setting")]
    NoSecretsDir,
    #[error("{0} is not a readable file under the server's secrets_dir")]
    OutsideDir(String),
    #[error("a stored secret does not decrypt with this secret_key")]
    Undecryptable,
}

impl SecretRef {
    /// Reads `env:NAME`, `file:PATH`, or anything else as the secret itself.
    pub fn parse(text: &str) -> SecretRef {
        if let Some(name) = text.strip_prefix("env:") {
            SecretRef::Env(name.to_owned())
        } else if let Some(path) = text.strip_prefix("file:") {
            SecretRef::File(PathBuf::from(path))
        } else {
            SecretRef::Inline(text.to_owned())
        }
    }

    /// What the API shows: `inline`, `env:NAME`, `file:PATH`.
    pub fn source(&self) -> String {
        match self {
            SecretRef::Inline(_) => "inline".to_owned(),
            SecretRef::Env(n) => format!("env:{n}"),
            SecretRef::File(p) => format!("file:{}", p.display()),
        }
    }

    /// The text stored (encrypted): the value or the reference.
    fn stored(&self) -> String {
        match self {
            SecretRef::Inline(v) => v.clone(),
            other => other.source(),
        }
    }

    /// Checks that the reference can be resolved now (so a mistake is said when the channel
    /// is made, not at its first message), and that it reads nothing it should not: no variable
    /// of the server's own settings, no file outside `secrets_dir`.
    pub fn check(&self, secrets_dir: Option<&Path>) -> Result<(), SecretError> {
        self.resolve(secrets_dir).map(drop)
    }

    pub fn resolve(&self, secrets_dir: Option<&Path>) -> Result<String, SecretError> {
        match self {
            SecretRef::Inline(v) => Ok(v.clone()),
            SecretRef::Env(name) => {
                if name.starts_with("PHASEPLAN_") {
                    return Err(SecretError::ServerSetting(name.clone()));
                }
                std::env::var(name).map_err(|_| SecretError::MissingEnv(name.clone()))
            }
            SecretRef::File(path) => {
                let dir = secrets_dir.ok_or(SecretError::NoSecretsDir)?;
                let shown = path.display().to_string();
                let dir = dir
                    .canonicalize()
                    .map_err(|_| SecretError::OutsideDir(shown.clone()))?;
                let file = dir
                    .join(path)
                    .canonicalize()
                    .map_err(|_| SecretError::OutsideDir(shown.clone()))?;
                if !file.starts_with(&dir) {
                    return Err(SecretError::OutsideDir(shown));
                }
                std::fs::read_to_string(&file)
                    .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
                    .map_err(|_| SecretError::OutsideDir(shown))
            }
        }
    }
}

/// The key secrets are stored under.
#[derive(Clone)]
pub struct Cipher(ChaCha20Poly1305);

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(<redacted>)")
    }
}

impl Cipher {
    /// From `secret_key`: 32 bytes as 64 hex digits or (standard or URL-safe) base64.
    pub fn from_setting(text: &str) -> Result<Cipher, SecretError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| SecretError::BadKey)?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
                .map_err(|_| SecretError::BadKey)?
        };
        if bytes.len() != 32 {
            return Err(SecretError::BadKey);
        }
        Ok(Cipher(ChaCha20Poly1305::new(Key::from_slice(&bytes))))
    }

    /// base64 of a random nonce followed by the ciphertext of `secret`'s stored text.
    pub fn seal(&self, secret: &SecretRef) -> Result<String, SecretError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|_| SecretError::Undecryptable)?;
        let sealed = self
            .0
            .encrypt(Nonce::from_slice(&nonce), secret.stored().as_bytes())
            .map_err(|_| SecretError::Undecryptable)?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<SecretRef, SecretError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| SecretError::Undecryptable)?;
        if bytes.len() < 12 {
            return Err(SecretError::Undecryptable);
        }
        let (nonce, body) = bytes.split_at(12);
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| SecretError::Undecryptable)?;
        let text = String::from_utf8(plain).map_err(|_| SecretError::Undecryptable)?;
        Ok(SecretRef::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_and_another_key_reads_nothing() {
        let a = Cipher::from_setting(&"ab".repeat(32)).unwrap();
        let b = Cipher::from_setting(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
            .unwrap();
        for s in ["s3cret", "env:HOOK_SECRET", "file:hook.txt"] {
            let r = SecretRef::parse(s);
            let sealed = a.seal(&r).unwrap();
            assert!(!sealed.contains("s3cret") && !sealed.contains("HOOK"));
            assert_eq!(a.open(&sealed).unwrap(), r);
            assert_ne!(a.seal(&r).unwrap(), sealed, "a fresh nonce each time");
            assert_eq!(b.open(&sealed), Err(SecretError::Undecryptable));
        }
        assert_eq!(
            Cipher::from_setting("short").unwrap_err(),
            SecretError::BadKey
        );
        assert_eq!(format!("{:?}", SecretRef::parse("hunter2")), "inline");
    }

    #[test]
    fn references_read_only_what_they_may() {
        let dir = std::env::temp_dir().join(format!("phaseplan-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hook.txt"), "from a file\n").unwrap();
        assert_eq!(
            SecretRef::parse("file:hook.txt")
                .resolve(Some(&dir))
                .unwrap(),
            "from a file"
        );
        assert_eq!(
            SecretRef::parse("file:hook.txt").resolve(None),
            Err(SecretError::NoSecretsDir)
        );
        assert!(matches!(
            SecretRef::parse("file:../../etc/passwd").resolve(Some(&dir)),
            Err(SecretError::OutsideDir(_))
        ));
        assert!(matches!(
            SecretRef::parse("file:/etc/passwd").resolve(Some(&dir)),
            Err(SecretError::OutsideDir(_))
        ));
        assert!(matches!(
            SecretRef::parse("env:PHASEPLAN_DATABASE_URL").resolve(None),
            Err(SecretError::ServerSetting(_))
        ));
        assert!(matches!(
            SecretRef::parse("env:SURELY_NOT_SET_4242").resolve(None),
            Err(SecretError::MissingEnv(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
