//! HTTPS without a proxy: the server terminates TLS itself from a PEM certificate chain and
//! private key (`tls_cert`, `tls_key`), on the same ring-backed rustls the rest of the server
//! uses. HTTP/1.1 only, as in plain mode (the ALPN offer says so).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;

/// Why TLS could not be set up, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("tls_cert {path}: {why}")]
    Cert { path: String, why: String },
    #[error("tls_key {path}: {why}")]
    Key { path: String, why: String },
    #[error("tls_cert and tls_key do not go together: {0}")]
    Mismatch(String),
}

/// A configured acceptor (rustls' has no `Debug`).
#[derive(Clone)]
pub struct Tls(pub TlsAcceptor);

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls(rustls acceptor)")
    }
}

/// The acceptor for `files`.
pub fn acceptor(files: &TlsFiles) -> Result<Tls, TlsError> {
    let shown = |p: &Path| p.display().to_string();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Cert {
            path: shown(&files.cert),
            why: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Cert {
            path: shown(&files.cert),
            why: "holds no certificate".to_owned(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::Key {
        path: shown(&files.key),
        why: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Mismatch(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Mismatch(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls(TlsAcceptor::from(Arc::new(config))))
}
