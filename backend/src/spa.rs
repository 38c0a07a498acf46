//! Serving the single-page app.
//!
//! The release binary embeds `frontend/dist` (built by trunk), so one file runs anywhere; with
//! `static_dir` set, the same handler reads that directory instead (development). Either way:
//! - a path that names an asset gets it, with its MIME type (`application/wasm` for `.wasm`);
//! - any other path without a file extension is a deep link and gets `index.html`;
//! - hashed names (trunk's files, the split app's directory) are cached as immutable,
//!   `index.html` is `no-cache` so a new deploy is picked up at once, anything else is cached
//!   for an hour;
//! - every asset carries a strong `ETag`, and `If-None-Match` is answered with 304;
//! - `index.html` carries the Content-Security-Policy that allows its inline loader by hash;
//! - a file with a precompressed copy beside it (`NAME.br`, `NAME.gz`, written at build time by
//!   `cargo xtask` at brotli 11 / gzip 9) is sent as that copy when the browser accepts its
//!   encoding, with `Content-Encoding`; every asset says `Vary: Accept-Encoding`. A file without
//!   a copy is compressed on the fly by the router's compression layer, as before.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../frontend/dist"]
#[allow_missing = true]
struct Embedded;

/// Where the SPA's files come from.
#[derive(Debug, Clone)]
pub enum SpaSource {
    Embedded,
    Dir(PathBuf),
}

struct Asset {
    bytes: Cow<'static, [u8]>,
    etag: String,
}

/// A precompressed copy's encoding, in the server's order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    const PREFERRED: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The copy's file-name suffix.
    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    /// The `Content-Encoding` token.
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// Whether `Accept-Encoding` allows `encoding`: listed by name (or `*`) with a quality above 0.
/// Quality values only decide between the two when one is refused with `q=0`; otherwise brotli,
/// the smaller, wins, as browsers that send both expect.
fn accepts(headers: &HeaderMap, encoding: Encoding) -> bool {
    let mut named = None;
    let mut wildcard = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if name.eq_ignore_ascii_case(encoding.token()) {
                named = Some(q > 0.0);
            } else if name == "*" {
                wildcard = Some(q > 0.0);
            }
        }
    }
    named.or(wildcard).unwrap_or(false)
}

impl SpaSource {
    /// True when the source holds an `index.html`, i.e. the SPA was built.
    pub async fn is_built(&self) -> bool {
        self.get("index.html").await.is_some()
    }

    async fn get(&self, path: &str) -> Option<Asset> {
        match self {
            SpaSource::Embedded => Embedded::get(path).map(|f| Asset {
                etag: hex(&f.metadata.sha256_hash()[..8]),
                bytes: f.data,
            }),
            SpaSource::Dir(root) => {
                let rel = safe_relative(path)?;
                let bytes = tokio::fs::read(root.join(rel)).await.ok()?;
                let etag = fnv1a(&bytes);
                Some(Asset {
                    bytes: Cow::Owned(bytes),
                    etag: format!("{etag:016x}"),
                })
            }
        }
    }

    /// The bytes to send for `name`: its precompressed copy in the first encoding the request
    /// accepts, or the file itself.
    async fn representation(
        &self,
        name: &str,
        raw: Asset,
        headers: &HeaderMap,
    ) -> (Asset, Option<Encoding>) {
        for encoding in Encoding::PREFERRED {
            if accepts(headers, encoding)
                && let Some(copy) = self.get(&format!("{name}.{}", encoding.suffix())).await
            {
                return (
                    Asset {
                        bytes: copy.bytes,
                        etag: raw.etag,
                    },
                    Some(encoding),
                );
            }
        }
        (raw, None)
    }

    /// The fallback handler for everything that is not an API route.
    pub async fn serve(&self, uri: &Uri, headers: &HeaderMap) -> Response {
        let path = uri.path().trim_start_matches('/');
        let path = if path.is_empty() { "index.html" } else { path };
        let (name, asset) = match self.get(path).await {
            Some(a) => (path, a),
            None if looks_like_file(path) => {
                return (StatusCode::NOT_FOUND, "not found").into_response();
            }
            None => match self.get("index.html").await {
                Some(a) => ("index.html", a),
                None => return not_built(),
            },
        };
        let cache = cache_control(name);
        // The page's policy allows exactly its own inline loader, by hash (of the page itself,
        // not of a compressed copy).
        let csp = (name == "index.html")
            .then(|| crate::http::headers::spa_policy(&String::from_utf8_lossy(&asset.bytes)))
            .and_then(|p| HeaderValue::from_str(&p).ok());
        let (asset, encoding) = self.representation(name, asset, headers).await;
        // Each representation has its own validator: a cached gzip body must not be revalidated
        // as the brotli one.
        let etag = match encoding {
            Some(e) => format!("\"{}-{}\"", asset.etag, e.suffix()),
            None => format!("\"{}\"", asset.etag),
        };
        if headers
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v.as_bytes() == etag.as_bytes())
        {
            let mut res = (
                StatusCode::NOT_MODIFIED,
                [
                    (header::ETAG, etag),
                    (header::CACHE_CONTROL, cache.to_owned()),
                    (header::VARY, header::ACCEPT_ENCODING.as_str().to_owned()),
                ],
            )
                .into_response();
            // A browser updates the cached page's headers from a 304's: without the page's own
            // policy here, the API's `default-src 'none'` would replace it and every revisit of
            // the app would load nothing.
            if let Some(v) = csp {
                res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
            }
            return res;
        }
        let mime = mime_guess::from_path(name).first_or_octet_stream();
        let mut res = Response::new(Body::from(asset.bytes));
        let h = res.headers_mut();
        if let Some(v) = csp {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
            h.insert(header::CONTENT_TYPE, v);
        }
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        h.insert(
            header::VARY,
            HeaderValue::from_static(header::ACCEPT_ENCODING.as_str()),
        );
        if let Some(e) = encoding {
            h.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(e.token()),
            );
        }
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        res
    }
}

fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "The Phaseplan web app has not been built into this server.\n\
         Run `cargo xtask run`, or start the server with --static-dir frontend/dist.\n",
    )
        .into_response()
}

/// Cache policy by file name: trunk puts a content hash in the names of the files it builds
/// (`style-0123456789abcdef.css`), and the xtask puts the split wasm app in a directory named by
/// the hash of all its files (`app-0123456789abcdef/phaseplan_web_bg.wasm`, xtask `split.rs`), so
/// those never change and can be cached forever;
/// `index.html` names them and must always be revalidated. The hash is a `u64` printed without
/// leading zeros, so it has up to 16 hex digits; 12 or more are accepted (a hash shorter than
/// that has odds of about 1 in 65,000 and merely gets the one-hour policy).
fn cache_control(name: &str) -> &'static str {
    if name == "index.html" {
        "no-cache"
    } else if is_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    }
}

fn is_hashed(name: &str) -> bool {
    name.split(['/', '-', '_', '.'])
        .any(|part| (12..=16).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A deep link (`/costs`, `/scenario/x`) has no extension in its last segment; a missing asset
/// (`/app.js`) does, and gets a 404 rather than HTML that a script tag would choke on.
fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Only plain relative components: `..`, absolute paths and prefixes are refused.
fn safe_relative(path: &str) -> Option<&Path> {
    let p = Path::new(path);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(p)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// FNV-1a, 64 bit: a fast content hash for development ETags (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn hashed_names_are_immutable_and_index_is_revalidated() {
        assert_eq!(cache_control("index.html"), "no-cache");
        assert_eq!(
            cache_control("phaseplan-web-0123456789abcdef_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("style-fedcba9876543210.css"),
            "public, max-age=31536000, immutable"
        );
        // A hash with a leading zero is printed with 15 digits.
        assert_eq!(
            cache_control("phaseplan-web-59029132d3e2736_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        // Every file of the split app, named by its directory's hash.
        assert_eq!(
            cache_control("app-0123456789abcdef/__wasm_split.js"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("favicon.svg"), "public, max-age=3600");
        assert_eq!(cache_control("photo-20261123.png"), "public, max-age=3600");
    }

    #[test]
    fn traversal_is_refused() {
        assert!(safe_relative("a/b.js").is_some());
        assert!(safe_relative("../etc/passwd").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("a/../../b").is_none());
    }

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn accept_encoding_is_read_with_its_qualities() {
        let chrome = accept("gzip, deflate, br, zstd");
        assert!(accepts(&chrome, Encoding::Brotli));
        assert!(accepts(&chrome, Encoding::Gzip));
        let no_br = accept("br;q=0, gzip;q=0.5");
        assert!(!accepts(&no_br, Encoding::Brotli));
        assert!(accepts(&no_br, Encoding::Gzip));
        assert!(accepts(&accept("*"), Encoding::Brotli));
        assert!(!accepts(&accept("*, gzip;q=0"), Encoding::Gzip));
        assert!(!accepts(&accept("identity"), Encoding::Gzip));
        assert!(!accepts(&HeaderMap::new(), Encoding::Brotli));
        assert!(accepts(&accept("GZIP ; q=1.0"), Encoding::Gzip));
    }

    /// A directory with a file and its copies (their content marks which one was sent).
    fn dir_with_copies() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("phaseplan-spa-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js"), "raw").unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js.br"), "brotli").unwrap();
        std::fs::write(dir.join("app-0123456789abcdef.js.gz"), "gzip").unwrap();
        dir
    }

    async fn fetch(spa: &SpaSource, accept_encoding: &str) -> (Response, String) {
        let uri: Uri = "/app-0123456789abcdef.js".parse().unwrap();
        let res = spa.serve(&uri, &accept(accept_encoding)).await;
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (
            Response::from_parts(parts, Body::empty()),
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn precompressed_copies_are_sent_with_their_encoding() {
        let dir = dir_with_copies();
        let spa = SpaSource::Dir(dir.clone());
        let (res, body) = fetch(&spa, "gzip, deflate, br").await;
        assert_eq!(body, "brotli");
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(res.headers()[header::VARY], "accept-encoding");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/javascript",
            "the type of the file, not of its copy"
        );
        let br_etag = res.headers()[header::ETAG].clone();

        let (res, body) = fetch(&spa, "gzip").await;
        assert_eq!(body, "gzip");
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        assert_ne!(res.headers()[header::ETAG], br_etag);

        let (res, body) = fetch(&spa, "identity").await;
        assert_eq!(body, "raw");
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(res.headers()[header::VARY], "accept-encoding");

        // Revalidating the brotli copy with its own validator.
        let mut h = accept("br");
        h.insert(header::IF_NONE_MATCH, br_etag);
        let uri: Uri = "/app-0123456789abcdef.js".parse().unwrap();
        let res = spa.serve(&uri, &h).await;
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn deep_links_are_not_files() {
        assert!(!looks_like_file("costs"));
        assert!(!looks_like_file("scenario/edit"));
        assert!(looks_like_file("app-1234.js"));
    }
}
