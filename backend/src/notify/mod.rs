//! Notifications on the server: detecting events (a watcher per replica reads every rule's
//! conditions each tick; a transition pushes its own), and delivering them (a worker per replica
//! claims due deliveries and sends each in a task of its own, retried with exponential backoff).
//! The database decides who sends: a condition's change is recorded by one compare-and-set and a
//! delivery is claimed by another, so several replicas send each message once.

pub mod mail;
pub mod secret;
pub mod send;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use phaseplan_model::Status;
use phaseplan_model::notify::alertmanager::FiringAlert;
use phaseplan_model::notify::{Channel, ChannelKind, Event, FAILING_AFTER, Trigger};
use phaseplan_model::operations::{MilestoneKey, MilestoneStatus, TransitionRecord};

use crate::config::{ConfigError, Settings};
use crate::live::LiveHub;
use crate::operations::{self as ops, Judged};
use crate::store::{ChannelRow, Observed, RuleRow, Store, new_id, now_ms, rfc3339};
use secret::{Cipher, SecretError, SecretRef};

/// Tries per delivery before it is marked failed.
pub const MAX_ATTEMPTS: u32 = 6;
/// How long a claim holds a delivery: longer than a try may take.
const CLAIM_MS: i64 = 60_000;

/// One condition a rule watches, as it is now.
#[derive(Debug)]
struct Condition {
    /// Which: a component, a milestone, the forecast.
    key: String,
    state: String,
    /// The usual state: a first look at it says nothing.
    quiet: bool,
    /// What to say when it changes to this state (a quiet state's: a recovery, where that is
    /// news).
    event: Option<Event>,
    /// A live reading, which must hold steady before it counts.
    live: bool,
}

/// What the notifier runs with, from the settings.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    pub secret_key: Option<Cipher>,
    pub secrets_dir: Option<PathBuf>,
    /// The server's address as people reach it, for links in messages.
    pub public_url: String,
    /// The first retry's wait; each next one doubles it.
    pub retry_base: Duration,
    /// How often the watcher reads the rules' conditions.
    pub watch_every: Duration,
    pub mailer: mail::Mailer,
}

impl NotifySettings {
    /// The notifier's settings, checked: a bad key, CA file or interval is a configuration error
    /// naming it.
    pub fn from_settings(settings: &Settings) -> Result<NotifySettings, ConfigError> {
        let secret_key = settings
            .secret_key
            .as_ref()
            .map(|k| Cipher::from_setting(k.expose()))
            .transpose()
            .map_err(|e| ConfigError::new("secret_key", e.to_string()))?;
        let seconds = |name: &str, v: f64, min: f64| {
            if v.is_finite() && (min..=3_600.0).contains(&v) {
                Ok(std::time::Duration::from_secs_f64(v))
            } else {
                Err(ConfigError::new(
                    name.to_owned(),
                    format!("must be between {min} and 3600 seconds (got {v})"),
                ))
            }
        };
        let mailer = mail::Mailer::new(settings.smtp_ca_file.as_deref())
            .map_err(|e| ConfigError::new("smtp_ca_file", e))?;
        let public_url = match &settings.public_url {
            Some(u) => {
                phaseplan_model::notify::check_url("public_url", u)
                    .or_else(|e| {
                        // Any http(s) URL names where people open the server.
                        if u.starts_with("http://") {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })
                    .map_err(|e| ConfigError::new("public_url", e.reason.to_string()))?;
                u.trim_end_matches('/').to_owned()
            }
            None => match settings.host {
                std::net::IpAddr::V6(h) => format!("http://[{h}]:{}", settings.port),
                std::net::IpAddr::V4(h) => format!("http://{h}:{}", settings.port),
            },
        };
        Ok(NotifySettings {
            secret_key,
            secrets_dir: settings.secrets_dir.clone(),
            public_url,
            retry_base: seconds("notify_retry_seconds", settings.notify_retry_seconds, 0.05)?,
            watch_every: seconds("notify_watch_seconds", settings.notify_watch_seconds, 0.1)?,
            mailer,
        })
    }
}

#[derive(Debug)]
pub struct Notifier {
    store: Store,
    settings: NotifySettings,
    http: reqwest::Client,
    /// Per condition, the state this replica's last passes read and how many in a row: a live
    /// status counts only once it holds for [`STEADY_PASSES`], so a reading that wavers on a
    /// threshold does not send a message per wobble.
    seen: std::sync::Mutex<BTreeMap<(String, String), (String, u32)>>,
}

/// Passes in a row a live status must hold before it counts as a change.
pub const STEADY_PASSES: u32 = 2;

/// Why a channel cannot be made or used.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl Notifier {
    pub fn new(store: Store, settings: NotifySettings) -> Arc<Notifier> {
        Arc::new(Notifier {
            store,
            settings,
            http: send::client(),
            seen: std::sync::Mutex::new(BTreeMap::new()),
        })
    }

    pub fn settings(&self) -> &NotifySettings {
        &self.settings
    }

    /// The key secrets are sealed with, or why there is none.
    pub fn cipher(&self) -> Result<&Cipher, SecretError> {
        self.settings.secret_key.as_ref().ok_or(SecretError::NoKey)
    }

    /// A channel as the API lists it: where it delivers, never a secret.
    pub fn view(c: &ChannelRow) -> Channel {
        let s = &c.settings;
        let text = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
        let target = match c.kind {
            ChannelKind::Webhook => {
                let url = text("url");
                // Scheme, host and path: a query may carry a token.
                url.split(['?', '#']).next().unwrap_or_default().to_owned()
            }
            ChannelKind::Slack => "Slack incoming webhook".to_owned(),
            ChannelKind::Email => format!(
                "{} via {}:{}",
                s["to"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default(),
                text("host"),
                s["port"].as_u64().unwrap_or(587)
            ),
        };
        Channel {
            id: c.id.clone(),
            kind: c.kind,
            name: c.name.clone(),
            target,
            secret: c.secret_source.clone(),
            consecutive_failures: c.consecutive_failures,
            failing: c.failing,
            last_error: c.last_error.clone(),
            created_at: c.created_at.clone(),
            created_by: c.created_by.clone(),
        }
    }

    /// An event with a fresh id, now, linking to the platform's Operations page.
    pub fn event(&self, kind: &str, platform: &str, title: String, summary: String) -> Event {
        Event {
            id: new_id().unwrap_or_default(),
            kind: kind.to_owned(),
            platform: platform.to_owned(),
            title,
            summary,
            component: None,
            utilisation_percent: None,
            warning_percent: None,
            critical_percent: None,
            date: None,
            link: format!(
                "{}/operations?platform={platform}",
                self.settings.public_url.trim_end_matches('/')
            ),
            at: rfc3339(now_ms()),
        }
    }

    /// Sends `event` to `channel` now, once: the channel's test, and each delivery's try.
    pub async fn send_now(&self, channel: &ChannelRow, event: &Event) -> Result<(), String> {
        // No secret (an e-mail channel without a login) is stored as nothing, not sealed.
        let secret = if channel.secret.is_empty() {
            String::new()
        } else {
            self.cipher()
                .and_then(|c| c.open(&channel.secret))
                .and_then(|r| r.resolve(self.settings.secrets_dir.as_deref()))
                .map_err(|e| e.to_string())?
        };
        match tokio::time::timeout(send::SEND_TIMEOUT + Duration::from_secs(2), async {
            if channel.kind == ChannelKind::Email {
                self.settings.mailer.send(channel, &secret, event).await
            } else {
                send::send(&self.http, channel, &secret, event).await
            }
        })
        .await
        {
            Ok(r) => r,
            Err(_) => Err("the receiver did not answer in time".to_owned()),
        }
    }

    /// Queues `event` to each of `rule`'s channels that still exist.
    async fn enqueue(
        &self,
        rule: &RuleRow,
        event: &Event,
        condition: Option<&str>,
        except: Option<&str>,
    ) {
        let mut to = Vec::new();
        for id in &rule.channels {
            if Some(id.as_str()) == except {
                continue;
            }
            if let Ok(c) = self.store.channel(id).await {
                to.push((c.id, c.name));
            }
        }
        if let Err(e) = self
            .store
            .enqueue(event, &to, condition.map(|k| (rule.id.as_str(), k)))
            .await
        {
            tracing::warn!(error = %e, rule = %rule.id, "cannot queue a notification");
        }
    }

    /// Alertmanager reported news of an alert on `platform`: the alert rules that match say so.
    pub async fn alert_changed(&self, platform: &str, a: &FiringAlert, firing: bool) {
        let Ok(rules) = self.store.rules(Some(platform)).await else {
            return;
        };
        for rule in &rules {
            let Trigger::AlertFiring { names } = &rule.trigger else {
                continue;
            };
            if !names.is_empty() && !names.contains(&a.name) {
                continue;
            }
            let mut e = self.event(
                "alert_firing",
                platform,
                format!(
                    "Alert {} {} on {platform}",
                    a.name,
                    if firing { "firing" } else { "resolved" }
                ),
                a.summary.clone(),
            );
            e.component = a.component;
            e.date = Some(a.starts_at.chars().take(10).collect());
            self.enqueue(rule, &e, None, None).await;
        }
    }

    /// One pass of the watcher: every rule's conditions against its platform now.
    pub async fn watch_once(&self, hub: &LiveHub) {
        let Ok(rules) = self.store.rules(None).await else {
            return;
        };
        let mut judged: BTreeMap<String, Option<Judged>> = BTreeMap::new();
        for rule in &rules {
            if !judged.contains_key(&rule.platform) {
                let j = ops::judge(&self.store, hub, &rule.platform).await.ok();
                judged.insert(rule.platform.clone(), j);
            }
            let Some(Some(j)) = judged.get(&rule.platform) else {
                continue;
            };
            for c in self.conditions(rule, j) {
                if c.live && !self.steady(&rule.id, &c.key, &c.state) {
                    continue;
                }
                match self.store.observe(&rule.id, &c.key, &c.state).await {
                    Ok(Observed::Changed { first, last_sent }) => {
                        let cooled = last_sent.is_none_or(|t| now_ms() - t >= rule.cooldown_ms);
                        let worth = !(first && c.quiet);
                        if let (true, true, Some(e)) = (worth, cooled, &c.event) {
                            self.enqueue(rule, e, Some(&c.key), None).await;
                        }
                    }
                    Ok(Observed::Same) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, rule = %rule.id, "cannot record a condition")
                    }
                }
            }
        }
    }

    /// Whether `state` has held for [`STEADY_PASSES`] passes of this replica's watcher.
    fn steady(&self, rule: &str, key: &str, state: &str) -> bool {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = seen
            .entry((rule.to_owned(), key.to_owned()))
            .or_insert_with(|| (state.to_owned(), 0));
        if entry.0 == state {
            entry.1 = entry.1.saturating_add(1);
        } else {
            *entry = (state.to_owned(), 1);
        }
        entry.1 >= STEADY_PASSES
    }

    /// The conditions a rule watches on a judged platform.
    fn conditions(&self, rule: &RuleRow, j: &Judged) -> Vec<Condition> {
        let p = &j.loaded.row.name;
        let phase = &j.loaded.row.phase;
        let mut out = Vec::new();
        match &rule.trigger {
            Trigger::StatusChange { components } => {
                for r in &j.live.readings {
                    if !components.is_empty() && !components.contains(&r.component) {
                        continue;
                    }
                    let summary = match r.status {
                        Status::Optimal => {
                            format!("{} is back below its warning line on {phase}.", r.label)
                        }
                        Status::Warning => format!(
                            "{} is past its warning line on {phase}: prepare the next phase. {}",
                            r.label, r.basis
                        ),
                        Status::Critical => format!(
                            "{} is past its critical line on {phase}: the next phase is needed now. {}",
                            r.label, r.basis
                        ),
                    };
                    let mut e = self.event(
                        "status_change",
                        p,
                        format!("{} on {p}: {}", r.label, r.status.label()),
                        summary,
                    );
                    e.component = Some(r.component);
                    e.utilisation_percent = Some(r.utilisation_percent);
                    e.warning_percent = Some(r.warning_percent);
                    e.critical_percent = Some(r.critical_percent);
                    out.push(Condition {
                        key: r.component.key().to_owned(),
                        state: r.status.label().to_owned(),
                        quiet: r.status == Status::Optimal,
                        event: Some(e),
                        live: true,
                    });
                }
            }
            Trigger::NextPhaseSoon => {
                let lead =
                    f64::from(j.loaded.valid.scenario().growth.lead_time_months) * 30.436_875;
                let today = ops::today();
                let soon = j
                    .milestones
                    .forecast_date
                    .filter(|d| (today.days_until(*d) as f64) <= lead);
                let event = soon.map(|d| {
                    let mut e = self.event(
                        "next_phase_soon",
                        p,
                        format!("{p} needs its next phase by {d}"),
                        format!(
                            "The live forecast reaches the critical line by {d}, within the plan's lead time of {} months: start preparing now.",
                            j.loaded.valid.scenario().growth.lead_time_months
                        ),
                    );
                    e.date = Some(d.to_string());
                    e
                });
                out.push(Condition {
                    key: "forecast".to_owned(),
                    state: if soon.is_some() { "soon" } else { "later" }.to_owned(),
                    quiet: soon.is_none(),
                    event,
                    live: false,
                });
            }
            Trigger::MilestoneDue { days } => {
                let today = ops::today();
                for m in &j.milestones.items {
                    let due = m.status != MilestoneStatus::Completed
                        && m.target_date
                            .is_some_and(|d| (0..=i64::from(*days)).contains(&today.days_until(d)));
                    let event = due.then(|| {
                        let mut e = self.event(
                            "milestone_due",
                            p,
                            format!("{} on {p} is due", m.name),
                            format!("{}: {}", m.description, m.why),
                        );
                        e.date = m.target_date.map(|d| d.to_string());
                        e
                    });
                    out.push(Condition {
                        key: format!("{}.{}", m.toward, milestone_key(m.key)),
                        state: if due { "due" } else { "not_due" }.to_owned(),
                        quiet: !due,
                        event,
                        live: false,
                    });
                }
            }
            Trigger::MilestoneLate => {
                for m in &j.milestones.items {
                    let late = m.status == MilestoneStatus::Late;
                    let event = late.then(|| {
                        let mut e = self.event(
                            "milestone_late",
                            p,
                            format!("{} on {p} is late", m.name),
                            format!("{}: {}", m.description, m.why),
                        );
                        e.date = m.target_date.map(|d| d.to_string());
                        e
                    });
                    out.push(Condition {
                        key: format!("{}.{}", m.toward, milestone_key(m.key)),
                        state: if late { "late" } else { "on_time" }.to_owned(),
                        quiet: !late,
                        event,
                        live: false,
                    });
                }
            }
            Trigger::Transition | Trigger::ChannelFailing | Trigger::AlertFiring { .. } => {}
        }
        out
    }

    /// One pass of the worker: claims what is due and sends each in a task of its own, so a
    /// slow or failing receiver delays nobody else.
    pub async fn deliver_once(self: &Arc<Self>) {
        let due = match self.store.claim_due(16, CLAIM_MS).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim notifications");
                return;
            }
        };
        for d in due {
            let me = Arc::clone(self);
            tokio::spawn(async move {
                let outcome = match me.store.channel(&d.channel_id).await {
                    Ok(c) => me.send_now(&c, &d.event).await,
                    Err(_) => Err("the channel was removed".to_owned()),
                };
                let retry_at = (outcome.is_err() && d.attempts < MAX_ATTEMPTS).then(|| {
                    let wait = me.settings.retry_base.as_millis() as i64
                        * 2_i64.pow(d.attempts.saturating_sub(1).min(20));
                    now_ms() + wait
                });
                if let Err(e) = me
                    .store
                    .delivered(&d.id, outcome.as_ref().err().map(String::as_str), retry_at)
                    .await
                {
                    tracing::warn!(error = %e, delivery = %d.id, "cannot record a delivery");
                }
                if outcome.is_err() {
                    tracing::info!(delivery = %d.id, channel = %d.channel_id, attempt = d.attempts, "a notification failed");
                }
                match me
                    .store
                    .channel_outcome(
                        &d.channel_id,
                        outcome.as_ref().err().map(String::as_str),
                        FAILING_AFTER,
                    )
                    .await
                {
                    Ok(Some(failing)) => {
                        me.channel_flipped(&d.channel_id, &d.channel_name, failing)
                            .await
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot record a channel's outcome"),
                }
            });
        }
    }

    /// A channel started failing (or recovered): the channel-failing rules say so, through
    /// their other channels.
    async fn channel_flipped(&self, id: &str, name: &str, failing: bool) {
        let Ok(rules) = self.store.rules(None).await else {
            return;
        };
        for rule in rules
            .iter()
            .filter(|r| r.trigger == Trigger::ChannelFailing)
        {
            let e = self.event(
                "channel_failing",
                &rule.platform,
                if failing {
                    format!("Channel {name} keeps failing")
                } else {
                    format!("Channel {name} delivers again")
                },
                if failing {
                    format!("{FAILING_AFTER} deliveries in a row failed; its messages wait and are retried. Check its settings on the Operations page.")
                } else {
                    "A delivery succeeded after failures.".to_owned()
                },
            );
            self.enqueue(rule, &e, None, Some(id)).await;
        }
    }

    /// Starts the watcher and the worker of this replica.
    pub fn spawn(self: &Arc<Self>, hub: Arc<LiveHub>) {
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(me.settings.watch_every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                me.watch_once(&hub).await;
            }
        });
        let me = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                me.deliver_once().await;
            }
        });
    }
}

/// Checks a channel's secret as given and seals it.
pub fn seal(
    n: &Notifier,
    given: &str,
    field: &'static str,
) -> Result<(String, String), crate::error::AppError> {
    let r = SecretRef::parse(given);
    let bad = |e: SecretError| match e {
        SecretError::NoKey => crate::error::AppError::Conflict {
            message: e.to_string(),
            current_revision: None,
            field: Some("secret_key"),
        },
        other => phaseplan_model::ValidationError::new(
            field,
            phaseplan_model::Reason::Unreadable(other.to_string()),
        )
        .into(),
    };
    r.check(n.settings.secrets_dir.as_deref()).map_err(bad)?;
    let sealed = n.cipher().map_err(bad)?.seal(&r).map_err(bad)?;
    Ok((sealed, r.source()))
}

/// A milestone's wire name, for a condition's key.
fn milestone_key(k: MilestoneKey) -> &'static str {
    match k {
        MilestoneKey::Prepare => "prepare",
        MilestoneKey::Ready => "ready",
        MilestoneKey::Move => "move",
        MilestoneKey::Validated => "validated",
    }
}

impl ops::TransitionListener for Notifier {
    /// A transition was recorded: every transition rule of its platform sends.
    async fn transition_recorded(&self, platform: &str, t: &TransitionRecord) {
        let Ok(rules) = self.store.rules(Some(platform)).await else {
            return;
        };
        for rule in rules.iter().filter(|r| r.trigger == Trigger::Transition) {
            let mut e = self.event(
                "transition",
                platform,
                format!("{platform} moved from {} to {}", t.from_name, t.to_name),
                format!(
                    "Recorded by {}{}{}. Deploy the {} bundle: {}{}",
                    t.by,
                    if t.reason.is_empty() { "" } else { ": " },
                    t.reason,
                    t.to_name,
                    self.settings.public_url.trim_end_matches('/'),
                    t.bundle
                ),
            );
            e.date = Some(t.at.chars().take(10).collect());
            self.enqueue(rule, &e, None, None).await;
        }
    }
}
