//! Notifications: where messages go (channels), when (rules per platform), and what they say
//! (events rendered per channel, [`message`]). The server detects events and delivers them; the
//! wire types and the words are here, so the SPA shows the same fields the server checks.

pub mod alertmanager;
pub mod message;

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_text};
use crate::live::LiveComponent;

/// Where a channel delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A generic webhook: the event as JSON, signed with the channel's secret.
    Webhook,
    /// A Slack-compatible incoming webhook (`text` and blocks).
    Slack,
    /// Email over SMTP with STARTTLS, plain text and HTML.
    Email,
}

impl ChannelKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Webhook => "webhook",
            ChannelKind::Slack => "slack",
            ChannelKind::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<ChannelKind> {
        [ChannelKind::Webhook, ChannelKind::Slack, ChannelKind::Email]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// `POST /api/v1/notifications/channels`. Secrets (a webhook's `secret`, an SMTP `password`, a
/// Slack URL, which is itself the credential) are given inline once, or by reference:
/// `env:NAME` (an environment variable of the server, not one of its own `PHASEPLAN_*`
/// settings) or `file:PATH` (a file under the server's `secrets_dir`). They are stored
/// encrypted and never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewChannel {
    Webhook {
        name: String,
        /// `https://…` (or `http://` to a loopback address).
        url: String,
        secret: String,
    },
    Slack {
        name: String,
        /// The incoming webhook's URL (a secret: who has it may post).
        url: String,
    },
    Email {
        name: String,
        /// The SMTP server; STARTTLS is required.
        host: String,
        #[serde(default = "submission_port")]
        port: u16,
        #[serde(default)]
        username: String,
        #[serde(default)]
        password: String,
        from: String,
        to: Vec<String>,
    },
}

fn submission_port() -> u16 {
    587
}

/// Longest channel name and URL, and recipients per channel.
pub const MAX_NAME: usize = 100;
pub const MAX_URL: usize = 2_000;
pub const MAX_RECIPIENTS: usize = 20;

impl NewChannel {
    pub fn kind(&self) -> ChannelKind {
        match self {
            NewChannel::Webhook { .. } => ChannelKind::Webhook,
            NewChannel::Slack { .. } => ChannelKind::Slack,
            NewChannel::Email { .. } => ChannelKind::Email,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            NewChannel::Webhook { name, .. }
            | NewChannel::Slack { name, .. }
            | NewChannel::Email { name, .. } => name,
        }
    }

    /// Checks every field but what the secrets' references point at (the server checks that).
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("name", self.name(), true, MAX_NAME)?;
        match self {
            NewChannel::Webhook { url, secret, .. } => {
                check_url("url", url)?;
                check_text("secret", secret, true, 4_096)
            }
            NewChannel::Slack { url, .. } => check_url("url", url),
            NewChannel::Email {
                host,
                port,
                username,
                password,
                from,
                to,
                ..
            } => {
                check_host("host", host)?;
                if *port == 0 {
                    return Err(ValidationError::new(
                        "port",
                        Reason::OutOfRange {
                            min: 1.0,
                            max: 65_535.0,
                        },
                    ));
                }
                check_text("username", username, false, 256)?;
                check_text("password", password, false, 4_096)?;
                check_address("from", from)?;
                if to.is_empty() {
                    return Err(ValidationError::new("to", Reason::Empty));
                }
                if to.len() > MAX_RECIPIENTS {
                    return Err(ValidationError::new(
                        "to",
                        Reason::TooMany {
                            max: MAX_RECIPIENTS,
                            what: "recipients",
                        },
                    ));
                }
                for (i, a) in to.iter().enumerate() {
                    check_address(&format!("to[{i}]"), a)?;
                }
                Ok(())
            }
        }
    }
}

/// An `http(s)://host[:port]/path` URL without spaces or control characters. Plain `http` is
/// allowed only to loopback (a receiver on the same machine); anything else must be `https`.
pub fn check_url(field: &str, url: &str) -> Result<(), ValidationError> {
    check_text(field, url, true, MAX_URL)?;
    let bad = |why: &str| ValidationError::new(field, Reason::Unreadable(why.to_owned()));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("not a URL: it has no scheme"))?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default();
    let name = host
        .strip_prefix('[')
        .and_then(|h| h.split(']').next())
        .unwrap_or_else(|| host.split(':').next().unwrap_or_default());
    if url.chars().any(char::is_whitespace) || name.is_empty() {
        return Err(bad("not a URL: no host, or a space in it"));
    }
    let loopback = matches!(name, "localhost" | "127.0.0.1" | "::1");
    match scheme {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(bad(
            "must be https: a message says how full the platform is, and a signature does not \
             hide it",
        )),
        _ => Err(bad("must be an http(s) URL")),
    }
}

fn check_host(field: &str, host: &str) -> Result<(), ValidationError> {
    check_text(field, host, true, 253)?;
    if host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            Reason::Unknown(host.to_owned()),
        ))
    }
}

/// A mailbox `local@domain` (no display name, spaces or angle brackets: it goes into SMTP
/// commands as is).
pub fn check_address(field: &str, a: &str) -> Result<(), ValidationError> {
    check_text(field, a, true, 254)?;
    let ok = a.split_once('@').is_some_and(|(l, d)| {
        !l.is_empty()
            && !d.is_empty()
            && !a
                .chars()
                .any(|c| c.is_whitespace() || "<>,;\"()[]\\".contains(c))
    });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            Reason::Unreadable("not an e-mail address (local@domain)".to_owned()),
        ))
    }
}

/// A channel as listed: never a secret, only where it delivers and how it fares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channel {
    pub id: String,
    pub kind: ChannelKind,
    pub name: String,
    /// Where it delivers, without credentials: a webhook's scheme, host and path; "Slack
    /// incoming webhook"; an e-mail's recipients and server.
    pub target: String,
    /// How its secret was given: `inline`, `env:NAME` or `file:PATH`.
    pub secret: String,
    /// Deliveries failed in a row; at [`FAILING_AFTER`] it is marked failing until one succeeds.
    pub consecutive_failures: u32,
    pub failing: bool,
    pub last_error: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

/// Failures in a row after which a channel is marked failing.
pub const FAILING_AFTER: u32 = 3;

/// `GET /api/v1/notifications/channels`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelList {
    pub channels: Vec<Channel>,
}

/// What a rule listens for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Trigger {
    /// A component's live status changes (optimal → warning → critical, and back); `components`
    /// empty means all of them.
    StatusChange {
        #[serde(default)]
        components: Vec<LiveComponent>,
    },
    /// The live forecast needs the next phase within the plan's lead time.
    NextPhaseSoon,
    /// A milestone not completed is due within `days`.
    MilestoneDue { days: u32 },
    /// A milestone is late.
    MilestoneLate,
    /// A transition is recorded.
    Transition,
    /// A channel starts failing (or delivers again).
    ChannelFailing,
    /// Alertmanager reports an alert firing (or resolved) on the platform; `names` empty means
    /// any alert.
    AlertFiring {
        #[serde(default)]
        names: Vec<String>,
    },
}

impl Trigger {
    pub fn key(&self) -> &'static str {
        match self {
            Trigger::StatusChange { .. } => "status_change",
            Trigger::NextPhaseSoon => "next_phase_soon",
            Trigger::MilestoneDue { .. } => "milestone_due",
            Trigger::MilestoneLate => "milestone_late",
            Trigger::Transition => "transition",
            Trigger::ChannelFailing => "channel_failing",
            Trigger::AlertFiring { .. } => "alert_firing",
        }
    }
}

/// `POST /api/v1/platforms/{id}/notification-rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    pub trigger: Trigger,
    /// Channel ids.
    pub channels: Vec<String>,
    /// After a message, the same condition sends no other for this long.
    #[serde(default = "default_cooldown")]
    pub cooldown_minutes: u32,
}

fn default_cooldown() -> u32 {
    30
}

/// Channels a rule may name, and the longest cooldown (a week).
pub const MAX_RULE_CHANNELS: usize = 10;
pub const MAX_COOLDOWN_MINUTES: u32 = 7 * 24 * 60;

impl NewRule {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.channels.is_empty() {
            return Err(ValidationError::new("channels", Reason::Empty));
        }
        if self.channels.len() > MAX_RULE_CHANNELS {
            return Err(ValidationError::new(
                "channels",
                Reason::TooMany {
                    max: MAX_RULE_CHANNELS,
                    what: "channels",
                },
            ));
        }
        for (i, c) in self.channels.iter().enumerate() {
            if self.channels[..i].contains(c) {
                return Err(ValidationError::new(
                    format!("channels[{i}]"),
                    Reason::Duplicate(c.clone()),
                ));
            }
        }
        if self.cooldown_minutes > MAX_COOLDOWN_MINUTES {
            return Err(ValidationError::new(
                "cooldown_minutes",
                Reason::OutOfRange {
                    min: 0.0,
                    max: f64::from(MAX_COOLDOWN_MINUTES),
                },
            ));
        }
        if let Trigger::MilestoneDue { days } = self.trigger
            && !(1..=365).contains(&days)
        {
            return Err(ValidationError::new(
                "trigger.days",
                Reason::OutOfRange {
                    min: 1.0,
                    max: 365.0,
                },
            ));
        }
        Ok(())
    }
}

/// A rule as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: String,
    pub platform: String,
    pub trigger: Trigger,
    pub channels: Vec<String>,
    pub cooldown_minutes: u32,
    pub created_at: String,
    pub created_by: String,
}

/// `GET /api/v1/platforms/{id}/notification-rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleList {
    pub rules: Vec<Rule>,
}

/// What happened, with the numbers behind it: one event per real change, rendered per channel
/// ([`message`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: String,
    /// `status_change`, `next_phase_soon`, `milestone_due`, `milestone_late`, `transition`,
    /// `channel_failing`, or `test`.
    pub kind: String,
    pub platform: String,
    /// One line: "Database connections on production: warning".
    pub title: String,
    /// What it means and what to do, in a sentence or two.
    pub summary: String,
    pub component: Option<LiveComponent>,
    pub utilisation_percent: Option<f64>,
    pub warning_percent: Option<f64>,
    pub critical_percent: Option<f64>,
    /// A date the event is about (a forecast, a milestone's target), `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The page that shows it.
    pub link: String,
    /// RFC 3339.
    pub at: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) try.
    Pending,
    Sent,
    /// Out of tries.
    Failed,
}

impl DeliveryState {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Sent,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One event to one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: String,
    pub event: Event,
    pub channel_id: String,
    pub channel_name: String,
    pub attempts: u32,
    pub state: DeliveryState,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When the next try is due (pending), RFC 3339.
    pub next_attempt_at: Option<String>,
    pub sent_at: Option<String>,
}

/// Deliveries on one page of the log when the reader asks for no other size.
pub const DELIVERY_PAGE: u32 = 50;

/// `GET /api/v1/notifications/deliveries`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryPage {
    pub deliveries: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

/// `PATCH /api/v1/notifications/channels/{id}`: what changes; absent fields stay. The kind
/// cannot change (make another channel).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelEdit {
    #[serde(default)]
    pub name: Option<String>,
    /// A webhook's or Slack's URL.
    #[serde(default)]
    pub url: Option<String>,
    /// A webhook's secret (inline, `env:NAME` or `file:PATH`).
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<Vec<String>>,
}

/// What a channel's test answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestResult {
    pub sent: bool,
    /// Why it failed.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn urls_are_https_or_loopback() {
        for ok in [
            "https://hooks.example.com/x?y=1",
            "http://127.0.0.1:9000/hook",
            "http://[::1]:80/",
            "http://localhost/x",
        ] {
            check_url("url", ok).unwrap();
        }
        for bad in [
            "http://example.com/x",
            "ftp://x/",
            "example.com",
            "https:// a",
            "https://",
            "https://a\nb",
        ] {
            assert_eq!(check_url("url", bad).unwrap_err().field, "url", "{bad:?}");
        }
    }

    #[test]
    fn channels_and_rules_name_their_bad_fields() {
        let email = |to: Vec<&str>| NewChannel::Email {
            name: "oncall".into(),
            host: "smtp.example.com".into(),
            port: 587,
            username: String::new(),
            password: String::new(),
            from: "phaseplan@example.com".into(),
            to: to.into_iter().map(str::to_owned).collect(),
        };
        email(vec!["a@example.com"]).validate().unwrap();
        assert_eq!(email(vec![]).validate().unwrap_err().field, "to");
        assert_eq!(
            email(vec!["a@example.com", "b c@x"])
                .validate()
                .unwrap_err()
                .field,
            "to[1]"
        );
        let rule = |channels: Vec<&str>, trigger| NewRule {
            trigger,
            channels: channels.into_iter().map(str::to_owned).collect(),
            cooldown_minutes: 30,
        };
        rule(vec!["a"], Trigger::Transition).validate().unwrap();
        assert_eq!(
            rule(vec![], Trigger::Transition)
                .validate()
                .unwrap_err()
                .field,
            "channels"
        );
        assert_eq!(
            rule(vec!["a", "a"], Trigger::Transition)
                .validate()
                .unwrap_err()
                .field,
            "channels[1]"
        );
        assert_eq!(
            rule(vec!["a"], Trigger::MilestoneDue { days: 0 })
                .validate()
                .unwrap_err()
                .field,
            "trigger.days"
        );
        let parsed: NewChannel = serde_json::from_str(
            r#"{"kind":"slack","name":"ops","url":"https://hooks.example.com/T/B/x"}"#,
        )
        .unwrap();
        assert_eq!(parsed.kind(), ChannelKind::Slack);
        let t: NewRule = serde_json::from_str(
            r#"{"trigger":{"on":"status_change","components":["db_connections"]},"channels":["c1"]}"#,
        )
        .unwrap();
        assert_eq!(t.cooldown_minutes, 30);
        assert_eq!(t.trigger.key(), "status_change");
    }
}
