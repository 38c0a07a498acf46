//! Credentials in settings that must never print: a source's URL may carry a password, so it
//! is a [`SourceUrl`] whose `Debug` and `Display` redact it, and driver messages that quote it go
//! through [`redact`] before they reach a log, an error or a response.

use std::fmt;

/// `text` with every credential of `url` (the password, and any query parameter whose name
/// speaks of a secret) replaced by `***`, as written and percent-decoded: driver messages may
/// quote the URL they were given.
pub fn redact(text: &str, url: &str) -> String {
    let mut secrets = Vec::new();
    if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            secrets.push(password.to_owned());
        }
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split('&') {
            if let Some((k, v)) = pair.split_once('=') {
                let k = k.to_ascii_lowercase();
                if ["pass", "secret", "token", "key", "auth"]
                    .iter()
                    .any(|s| k.contains(s))
                {
                    secrets.push(v.to_owned());
                }
            }
        }
    }
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "***");
        let decoded = percent_decode(s);
        if !decoded.is_empty() && decoded != *s {
            out = out.replace(decoded.as_str(), "***");
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len() + 1
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A source's URL: it may carry a password, so it prints redacted (`Debug`, `Display`) and is
/// handed to a driver only through [`SourceUrl::expose`].
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SourceUrl(String);

impl SourceUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SourceUrl {
    fn from(s: String) -> Self {
        SourceUrl(s)
    }
}

impl From<&str> for SourceUrl {
    fn from(s: &str) -> Self {
        SourceUrl(s.to_owned())
    }
}

impl fmt::Display for SourceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0, &self.0))
    }
}

impl fmt::Debug for SourceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact(&self.0, &self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_print() {
        let url = "postgres://monitor:s3cr%21t@db:5432/postgres?sslmode=require&sslpassword=k3y";
        let text = format!("cannot connect to {url}: password s3cr!t rejected, key k3y");
        let r = redact(&text, url);
        assert!(!r.contains("s3cr") && !r.contains("k3y"), "{r}");
        assert!(r.contains("monitor:***@db"), "{r}");
        let shown = format!("{} {:?}", SourceUrl::from(url), SourceUrl::from(url));
        assert!(!shown.contains("s3cr") && !shown.contains("k3y"), "{shown}");
        assert_eq!(redact("no secrets", "redis://cache:6379"), "no secrets");
    }
}
