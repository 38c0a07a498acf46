//! Sending one event over HTTP: the generic webhook (the event as JSON, signed) and Slack's
//! incoming webhook.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use phaseplan_model::notify::{ChannelKind, Event, message};
use sha2::Sha256;

use crate::store::ChannelRow;

/// How long one try may take: a slow receiver fails this try, never holds the others.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// `sha256=<hex HMAC-SHA256 of "timestamp.body">` with the channel's secret: what a receiver
/// recomputes to know the message is the server's and recent.
pub fn signature(secret: &str, timestamp: u64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let bytes = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256=");
    for b in bytes {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The HTTP client for webhooks: no redirects (a receiver's redirect must not carry the body
/// elsewhere), a timeout per try.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(SEND_TIMEOUT)
        .user_agent(concat!("phaseplan/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// Why a try failed, in words for the delivery log (never a secret: a URL is shown without its
/// path or query, where Slack keeps its token).
fn failed(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the receiver did not answer in time".to_owned()
    } else if e.is_connect() {
        "cannot connect to the receiver".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    body: String,
    headers: &[(&str, String)],
) -> Result<(), String> {
    let mut req = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.send().await.map_err(|e| failed(&e))?;
    let status = res.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered HTTP {}", status.as_u16()))
    }
}

/// Sends `event` to a webhook or Slack `channel` with its resolved `secret` (e-mail goes through
/// [`super::mail::Mailer`]).
pub async fn send(
    http: &reqwest::Client,
    channel: &ChannelRow,
    secret: &str,
    event: &Event,
) -> Result<(), String> {
    let setting = |k: &str| channel.settings[k].as_str().unwrap_or_default().to_owned();
    match channel.kind {
        ChannelKind::Webhook => {
            let body = message::webhook(event);
            let ts = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let sig = signature(secret, ts, &body);
            post(
                http,
                &setting("url"),
                body,
                &[
                    ("X-Phaseplan-Timestamp", ts.to_string()),
                    ("X-Phaseplan-Signature", sig),
                    ("X-Phaseplan-Event", event.kind.clone()),
                ],
            )
            .await
        }
        ChannelKind::Slack => post(http, secret, message::slack(event).to_string(), &[]).await,
        ChannelKind::Email => Err("an e-mail channel is sent by the mailer".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: python3 -c "import hmac,hashlib;
        // print(hmac.new(b'Jefe', b'0.what do ya want for nothing?', hashlib.sha256).hexdigest())"
        assert_eq!(
            signature("Jefe", 0, "what do ya want for nothing?"),
            "sha256=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc"
        );
    }
}
