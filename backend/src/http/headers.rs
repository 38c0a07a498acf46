//! Security headers on every response.
//!
//! The SPA's `index.html` gets a Content-Security-Policy that lets it run and nothing else:
//! scripts only from this origin plus the inline loader trunk writes, allowed by its SHA-256 hash
//! (computed from the very bytes served, see [`spa_policy`]), `'wasm-unsafe-eval'` to compile the
//! WebAssembly, styles inline (ECharts and Leptos set `style` attributes), images from `data:` and
//! `blob:` (chart exports). Every other response (JSON, assets) gets `default-src 'none'`. All of
//! them: `frame-ancestors 'none'` (no framing, no clickjacking), `Referrer-Policy: no-referrer`
//! (share links carry the whole scenario in the query string), `nosniff`, a Permissions-Policy
//! that turns off device APIs, and HSTS when the server is told it is behind TLS.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Everything but the SPA's page: nothing may load, nothing may frame it.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
     magnetometer=(), microphone=(), payment=(), usb=()";

/// The policy for an HTML page whose inline scripts are `page`'s: each allowed by its hash.
pub fn spa_policy(page: &str) -> String {
    let hashes: String = inline_scripts(page)
        .map(|body| {
            let digest = Sha256::digest(body.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The bodies of the `<script>` elements without a `src` (what a CSP hash covers: the text
/// between the tags, exactly).
fn inline_scripts(page: &str) -> impl Iterator<Item = &str> {
    let mut rest = page;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("<script")?;
            let after = &rest[start..];
            let tag_end = after.find('>')?;
            let tag = &after[..tag_end];
            let body_start = start + tag_end + 1;
            let close = rest[body_start..].find("</script>")?;
            let body = &rest[body_start..body_start + close];
            rest = &rest[body_start + close + "</script>".len()..];
            if !tag.contains(" src=") {
                return Some(body);
            }
        }
    })
}

/// Adds the headers every response carries; a response that set its own CSP (the SPA's page)
/// keeps it.
pub async fn add(State(behind_tls): State<bool>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    set_all(res.headers_mut(), behind_tls);
    res
}

fn set_all(h: &mut HeaderMap, behind_tls: bool) {
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, API_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("permissions-policy"),
        PERMISSIONS_POLICY,
    );
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if behind_tls {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let page = "<html><script src=\"/echarts.js\"></script>\
                    <script type=\"module\">import init from '/app.js';\ninit();</script></html>";
        let scripts: Vec<&str> = inline_scripts(page).collect();
        assert_eq!(scripts, ["import init from '/app.js';\ninit();"]);
        let policy = spa_policy(page);
        // echo -n "import init from '/app.js';\ninit();" | openssl dgst -sha256 -binary | base64
        let digest = Sha256::digest(scripts[0].as_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(policy.contains(&format!("'sha256-{b64}'")), "{policy}");
        assert!(policy.contains("'wasm-unsafe-eval'"));
        let script_src = policy
            .split(';')
            .find(|d| d.trim_start().starts_with("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"), "{script_src}");
        assert!(policy.ends_with("frame-ancestors 'none'"));
    }

    #[test]
    fn hsts_only_behind_tls() {
        let mut h = HeaderMap::new();
        set_all(&mut h, false);
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        let mut h = HeaderMap::new();
        set_all(&mut h, true);
        assert!(
            h[header::STRICT_TRANSPORT_SECURITY]
                .to_str()
                .unwrap()
                .starts_with("max-age=")
        );
    }
}
