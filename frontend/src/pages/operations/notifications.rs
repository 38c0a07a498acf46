//! Notifications: the channels messages go to (a webhook, Slack, e-mail), the rules of the
//! platform picked (what it tells, and to which channels), and the delivery log.
//!
//! Channels reach outside and hold secrets, so only an admin adds, tests, changes or removes one
//! ([`Action::Administer`]); a rule is an editor's ([`Action::EditScenarios`]); everyone who may
//! read sees the lists. A secret is sent once and never comes back: the list says only how it
//! was given (`inline`, `env:NAME`, `file:PATH`). Every refusal appears under the input the
//! server names; every text from the server is a text node.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::Action;
use phaseplan_model::live::LiveComponent;
use phaseplan_model::notify::{
    Channel, ChannelEdit, ChannelKind, Delivery, DeliveryState, MAX_COOLDOWN_MINUTES, NewChannel,
    NewRule, Rule, Trigger, check_url,
};

use super::{Ops, Problem};
use crate::api::{self, ApiError};
use crate::format::{sentence, thousands, utc_time};
use crate::widgets::field::FieldError;

/// What a server without a `secret_key` means, said plainly.
const NO_SECRET_KEY: &str =
    "The server has no secret_key: set PHASEPLAN_SECRET_KEY to store channel secrets.";

/// The help under every secret input.
const SECRET_HELP: &str = "inline, or env:NAME, or file:PATH under the server's secrets_dir; \
                           stored encrypted, never shown again.";

/// The kinds, in the order the form offers them.
const KINDS: [ChannelKind; 3] = [ChannelKind::Webhook, ChannelKind::Slack, ChannelKind::Email];

/// The triggers (their wire names), in the order the form offers them, with their words there.
const TRIGGERS: [(&str, &str); 7] = [
    ("status_change", "Live status changes"),
    ("next_phase_soon", "Next phase needed within the lead time"),
    ("milestone_due", "Milestone due within some days"),
    ("milestone_late", "Milestone late"),
    ("transition", "A transition is recorded"),
    ("channel_failing", "A channel keeps failing"),
    ("alert_firing", "An Alertmanager alert fires (any alert)"),
];

/// The inputs of the rule form, as the server names them.
const RULE_FIELDS: [&str; 3] = ["trigger.days", "channels", "cooldown_minutes"];

/// A kind for people.
fn kind_label(k: ChannelKind) -> &'static str {
    match k {
        ChannelKind::Webhook => "Webhook",
        ChannelKind::Slack => "Slack",
        ChannelKind::Email => "E-mail",
    }
}

/// The inputs of a kind's form, as the server names them.
fn channel_fields(k: ChannelKind) -> &'static [&'static str] {
    match k {
        ChannelKind::Webhook => &["name", "url", "secret"],
        ChannelKind::Slack => &["name", "url"],
        ChannelKind::Email => &["name", "host", "port", "username", "password", "from", "to"],
    }
}

/// Whether the server's `field` (`to`, `to[1]`, `channels[0]`) is the input `input`.
fn names(field: &str, input: &str) -> bool {
    field
        .strip_prefix(input)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('['))
}

/// The sentence for `input`, if the problem is about it (or one of its items).
fn about(this: Option<Problem>, input: &str) -> Option<String> {
    this.filter(|p| p.field.as_deref().is_some_and(|f| names(f, input)))
        .map(|p| p.message)
}

/// The sentence for the form as a whole, if the problem is about none of `inputs`.
fn general(this: Option<Problem>, inputs: &[&str]) -> Option<String> {
    this.filter(|p| {
        p.field
            .as_deref()
            .is_none_or(|f| !inputs.iter().any(|i| names(f, i)))
    })
    .map(|p| p.message)
}

/// The server's refusal; a server without a `secret_key` is said plainly.
fn refused(e: &ApiError) -> Problem {
    if e.field() == Some("secret_key") {
        Problem {
            field: None,
            message: NO_SECRET_KEY.to_owned(),
        }
    } else {
        Problem::refused(e)
    }
}

/// A rule's trigger in words.
fn trigger_words(t: &Trigger) -> String {
    match t {
        Trigger::StatusChange { components } if components.is_empty() => {
            "Live status changes: all components".to_owned()
        }
        Trigger::StatusChange { components } => format!(
            "Live status changes: {}",
            components
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Trigger::NextPhaseSoon => "Next phase needed within the lead time".to_owned(),
        Trigger::MilestoneDue { days: 1 } => "Milestone due within 1 day".to_owned(),
        Trigger::MilestoneDue { days } => {
            format!("Milestone due within {} days", thousands(f64::from(*days)))
        }
        Trigger::MilestoneLate => "Milestone late".to_owned(),
        Trigger::Transition => "A transition is recorded".to_owned(),
        Trigger::ChannelFailing => "A channel keeps failing".to_owned(),
        Trigger::AlertFiring { names } if names.is_empty() => {
            "An Alertmanager alert fires: any alert".to_owned()
        }
        Trigger::AlertFiring { names } => {
            format!("An Alertmanager alert fires: {}", names.join(", "))
        }
    }
}

/// A cooldown for people.
fn cooldown_words(minutes: u32) -> String {
    if minutes == 0 {
        "none".to_owned()
    } else {
        format!("{} min", thousands(f64::from(minutes)))
    }
}

/// The channels a rule names, by name (an id the list lacks: a channel removed since).
fn channel_names(ids: &[String], list: &[Channel], loaded: bool) -> String {
    ids.iter()
        .map(|id| match list.iter().find(|c| c.id == *id) {
            Some(c) => c.name.clone(),
            None if loaded => format!("{id} (removed)"),
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An e-mail channel's recipients as typed: separated by commas, semicolons or spaces.
fn recipients(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A whole number typed into `field`'s input, or the sentence saying what it must be.
fn whole(text: &str, field: &str, what: &str) -> Result<u32, Problem> {
    text.trim().parse::<u32>().map_err(|_| Problem {
        field: Some(field.to_owned()),
        message: what.to_owned(),
    })
}

/// The channel list, shared by the channels panel and the rule form. `Copy`: arena handles.
#[derive(Debug, Clone, Copy)]
struct Channels {
    list: RwSignal<Vec<Channel>>,
    /// Whether a list has arrived ("none yet" is said only then).
    loaded: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    refresh: RwSignal<u32>,
}

impl Channels {
    fn reload(&self) {
        self.refresh.update(|n| *n += 1);
    }
}

/// The three notification panels, after the milestones.
#[component]
pub(super) fn NotificationPanels(ops: Ops) -> impl IntoView {
    let channels = Channels {
        list: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(false),
        error: RwSignal::new(None),
        refresh: RwSignal::new(0),
    };
    // Each read has a number; an older one's answer is dropped.
    let generation = StoredValue::new(0_u64);
    Effect::new(move |_| {
        channels.refresh.track();
        ops.refresh.track();
        let ticket = generation.with_value(|g| g + 1);
        generation.set_value(ticket);
        spawn_local(async move {
            let answer = ops.session.check(api::channels().await);
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(l) => {
                    channels.error.set(None);
                    channels.list.set(l.channels);
                    channels.loaded.set(true);
                }
                Err(e) => channels.error.set(Some(format!(
                    "The channels could not be read: {}",
                    sentence(&e.message())
                ))),
            }
        });
    });
    view! {
        <ChannelsPanel ops=ops channels=channels />
        <RulesPanel ops=ops channels=channels />
        <DeliveriesPanel ops=ops />
    }
}

/// What a channel's row says after an action on it.
#[derive(Debug, Clone, PartialEq)]
enum RowNote {
    /// The test message was sent.
    Sent,
    /// The test message was not sent: why.
    NotSent(String),
    /// The removal was refused: why (rules still name it).
    Refused(String),
}

/// What a channel's row may do (admins), and what it shows meanwhile. `Copy`: arena handles.
#[derive(Clone, Copy)]
struct RowActions {
    notes: RwSignal<BTreeMap<String, RowNote>>,
    testing: RwSignal<Option<String>>,
    confirming: RwSignal<Option<String>>,
    editing: RwSignal<Option<Channel>>,
    test: Callback<String>,
    remove: Callback<String>,
}

#[component]
fn ChannelsPanel(ops: Ops, channels: Channels) -> impl IntoView {
    let admin = move || ops.session.may(Action::Administer);
    let notes: RwSignal<BTreeMap<String, RowNote>> = RwSignal::new(BTreeMap::new());
    let testing: RwSignal<Option<String>> = RwSignal::new(None);
    let confirming: RwSignal<Option<String>> = RwSignal::new(None);
    let editing: RwSignal<Option<Channel>> = RwSignal::new(None);
    let edited: RwSignal<Option<String>> = RwSignal::new(None);

    let test = Callback::new(move |id: String| {
        testing.set(Some(id.clone()));
        notes.update(|n| {
            n.remove(&id);
        });
        spawn_local(async move {
            let answer = ops.session.check(api::test_channel(&id).await);
            testing.set(None);
            let note = match answer {
                Ok(r) if r.sent => RowNote::Sent,
                Ok(r) => RowNote::NotSent(r.error.map_or_else(
                    || "Not sent.".to_owned(),
                    |e| format!("Not sent: {}", sentence(&e)),
                )),
                Err(e) => RowNote::NotSent(format!("Not sent: {}", sentence(&e.message()))),
            };
            notes.update(|n| {
                n.insert(id, note);
            });
        });
    });
    let remove = Callback::new(move |id: String| {
        confirming.set(None);
        notes.update(|n| {
            n.remove(&id);
        });
        spawn_local(async move {
            match ops.session.check(api::remove_channel(&id).await) {
                Ok(()) => {
                    if editing.with_untracked(|e| e.as_ref().is_some_and(|c| c.id == id)) {
                        editing.set(None);
                    }
                    channels.reload();
                }
                Err(e) => notes.update(|n| {
                    n.insert(id, RowNote::Refused(sentence(&e.message())));
                }),
            }
        });
    });
    let actions = RowActions {
        notes,
        testing,
        confirming,
        editing,
        test,
        remove,
    };

    view! {
        <section class="panel ops" aria-labelledby="ops-channels-title" data-testid="ops-channels">
            <h2 id="ops-channels-title">"Notification channels"</h2>
            <p class="hint">
                "Where messages go: a webhook (the event as JSON, signed with its secret), a Slack \
                 incoming webhook, or e-mail. The same channels serve every platform; a secret is \
                 never shown, only how it was given."
            </p>
            {move || channels.error.get().map(|e| view! {
                <p class="error" role="alert" data-testid="channels-error">{e}</p>
            })}
            <Show
                when=move || channels.list.with(|l| !l.is_empty())
                fallback=move || view! {
                    <Show when=move || channels.loaded.get()>
                        <p class="muted" data-testid="channels-empty">"No channel yet."</p>
                    </Show>
                }
            >
                <div class="table-scroll" tabindex="0" role="region" aria-label="Notification channels">
                    <table class="data" data-testid="channels">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Delivers to"</th>
                                <th scope="col">"Secret"</th>
                                <th scope="col">"Health"</th>
                                <th scope="col">"Created (UTC)"</th>
                                <th scope="col">"By"</th>
                                {move || admin().then(|| view! { <th scope="col">"Actions"</th> })}
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                let admin = admin();
                                channels
                                    .list
                                    .get()
                                    .into_iter()
                                    .map(|c| channel_row(c, admin, actions))
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            </Show>
            <Show
                when=admin
                fallback=|| view! {
                    <p class="help" data-testid="channels-admin-only">
                        "Only an admin adds, tests, changes or removes channels."
                    </p>
                }
            >
                {move || edited.get().map(|m| view! {
                    <p class="help" role="status" data-testid="channel-edited">{m}</p>
                })}
                {move || editing.get().map(|c| view! {
                    <EditChannel ops=ops channels=channels channel=c editing=editing edited=edited />
                })}
                <AddChannel ops=ops channels=channels />
            </Show>
        </section>
    }
}

/// A channel's health: failing or not, the failures in a row, the last error.
fn health(c: &Channel) -> impl IntoView + use<> {
    let badge = if c.failing {
        view! { <span class="badge critical" data-testid="channel-failing">"failing"</span> }
            .into_any()
    } else if c.consecutive_failures > 0 {
        view! { <span class="badge warning">"failed lately"</span> }.into_any()
    } else {
        view! { <span class="badge optimal">"ok"</span> }.into_any()
    };
    let failures = (c.consecutive_failures > 0).then(|| {
        let n = c.consecutive_failures;
        let words = if n == 1 { "failure" } else { "failures" };
        view! {
            " "
            <span data-testid="channel-failures" data-count=n>
                {format!("{} {words} in a row", thousands(f64::from(n)))}
            </span>
        }
    });
    let last = c.last_error.clone().map(|e| {
        view! {
            <span class="cell-line muted" data-testid="channel-last-error">{format!("Last error: {e}")}</span>
        }
    });
    view! { {badge} {failures} {last} }
}

/// One channel: what it is, where it delivers, how its secret was given, its health, and (for
/// admins) Test, Edit and Remove.
fn channel_row(c: Channel, admin: bool, a: RowActions) -> impl IntoView {
    let controls = admin.then(|| {
        let id = c.id.clone();
        let (test_id, busy_id, note_id) = (id.clone(), id.clone(), id.clone());
        let busy = move || a.testing.with(|t| t.as_deref() == Some(busy_id.as_str()));
        let busy_label = busy.clone();
        let picked = c.clone();
        let name = c.name.clone();
        let remove_id = id.clone();
        let remove_control = move || {
            let id = remove_id.clone();
            if a.confirming.with(|x| x.as_deref() == Some(id.as_str())) {
                view! {
                    <span class="confirm">
                        {format!("Remove {name}?")}
                        <button
                            type="button"
                            class="danger"
                            data-testid="channel-remove-confirm"
                            on:click=move |_| a.remove.run(id.clone())
                        >
                            "Remove"
                        </button>
                        <button
                            type="button"
                            class="link"
                            data-testid="channel-remove-cancel"
                            on:click=move |_| a.confirming.set(None)
                        >
                            "Cancel"
                        </button>
                    </span>
                }
                .into_any()
            } else {
                view! {
                    <button
                        type="button"
                        class="link"
                        data-testid="channel-remove"
                        on:click=move |_| {
                            a.notes.update(|n| {
                                n.remove(&id);
                            });
                            a.confirming.set(Some(id.clone()));
                        }
                    >
                        "Remove"
                    </button>
                }
                .into_any()
            }
        };
        let note = move || {
            a.notes.with(|n| n.get(&note_id).cloned()).map(|note| match note {
                RowNote::Sent => view! {
                    <span class="row-note sent" role="status" data-testid="channel-test-result" data-sent="true">
                        "sent"
                    </span>
                }
                .into_any(),
                RowNote::NotSent(m) => view! {
                    <span class="row-note error" role="alert" data-testid="channel-test-result" data-sent="false">
                        {m}
                    </span>
                }
                .into_any(),
                RowNote::Refused(m) => view! {
                    <span class="row-note error" role="alert" data-testid="channel-remove-error">{m}</span>
                }
                .into_any(),
            })
        };
        view! {
            <td>
                <div class="row-actions">
                    <button
                        type="button"
                        class="link"
                        data-testid="channel-test"
                        prop:disabled=busy
                        on:click=move |_| a.test.run(test_id.clone())
                    >
                        {move || if busy_label() { "Testing…" } else { "Test" }}
                    </button>
                    <button
                        type="button"
                        class="link"
                        data-testid="channel-edit"
                        on:click=move |_| a.editing.set(Some(picked.clone()))
                    >
                        "Edit"
                    </button>
                    {remove_control}
                    {note}
                </div>
            </td>
        }
    });
    view! {
        <tr
            data-testid="channel-row"
            data-id=c.id.clone()
            data-name=c.name.clone()
            data-kind=c.kind.as_str()
            data-failing=c.failing.to_string()
        >
            <th scope="row" data-testid="channel-row-name">{c.name.clone()}</th>
            <td>{kind_label(c.kind)}</td>
            <td class="note" data-testid="channel-target">{c.target.clone()}</td>
            <td data-testid="channel-secret-source">{c.secret.clone()}</td>
            <td class="note" data-testid="channel-health">{health(&c)}</td>
            <td>{utc_time(&c.created_at)}</td>
            <td>{c.created_by.clone()}</td>
            {controls}
        </tr>
    }
}

/// One text input of a notification form: its DOM id (also its test id), its error's test id,
/// its label, its type and placeholder, and its help line.
#[derive(Debug, Clone, Copy)]
struct Input {
    id: &'static str,
    error_testid: &'static str,
    label: &'static str,
    kind: &'static str,
    placeholder: &'static str,
    help: Option<&'static str>,
}

impl Input {
    const fn text(id: &'static str, error_testid: &'static str, label: &'static str) -> Input {
        Input {
            id,
            error_testid,
            label,
            kind: "text",
            placeholder: "",
            help: None,
        }
    }

    const fn secret(self) -> Input {
        Input {
            kind: "password",
            ..self
        }
    }

    const fn number(self) -> Input {
        Input {
            kind: "number",
            ..self
        }
    }

    const fn placeholder(self, placeholder: &'static str) -> Input {
        Input {
            placeholder,
            ..self
        }
    }

    const fn help(self, help: &'static str) -> Input {
        Input {
            help: Some(help),
            ..self
        }
    }

    /// The input bound to `value`, with `error` under it.
    fn view(self, value: RwSignal<String>, error: Signal<Option<String>>) -> impl IntoView {
        let help_id = self.help.map(|_| format!("{}-help", self.id));
        let autocomplete = if self.kind == "password" {
            "new-password"
        } else {
            "off"
        };
        view! {
            <div class="field">
                <label for=self.id>{self.label}</label>
                <input
                    id=self.id
                    type=self.kind
                    data-testid=self.id
                    placeholder=self.placeholder
                    autocomplete=autocomplete
                    spellcheck="false"
                    min=(self.kind == "number").then_some("0")
                    step=(self.kind == "number").then_some("1")
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby=help_id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <FieldError testid=self.error_testid message=error />
                {self.help.map(|h| view! { <span id=help_id.clone() data-testid=help_id class="help">{h}</span> })}
            </div>
        }
    }
}

/// The inputs of the add form. `Copy`: arena handles.
#[derive(Debug, Clone, Copy)]
struct ChannelForm {
    name: RwSignal<String>,
    url: RwSignal<String>,
    secret: RwSignal<String>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl ChannelForm {
    fn new() -> ChannelForm {
        ChannelForm {
            name: RwSignal::new(String::new()),
            url: RwSignal::new(String::new()),
            secret: RwSignal::new(String::new()),
            host: RwSignal::new(String::new()),
            port: RwSignal::new("587".to_owned()),
            username: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
        }
    }

    /// Empties every input (the secrets first of all).
    fn clear(&self) {
        for s in [
            self.name,
            self.url,
            self.secret,
            self.host,
            self.username,
            self.password,
            self.from,
            self.to,
        ] {
            s.set(String::new());
        }
        self.port.set("587".to_owned());
    }

    /// The channel the inputs describe, for `kind`.
    fn channel(&self, kind: ChannelKind) -> Result<NewChannel, Problem> {
        let text = |s: RwSignal<String>| s.get_untracked().trim().to_owned();
        let name = text(self.name);
        Ok(match kind {
            ChannelKind::Webhook => NewChannel::Webhook {
                name,
                url: text(self.url),
                secret: self.secret.get_untracked(),
            },
            ChannelKind::Slack => NewChannel::Slack {
                name,
                url: text(self.url),
            },
            ChannelKind::Email => {
                let port = text(self.port);
                let port = if port.is_empty() {
                    587
                } else {
                    port.parse::<u16>()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| Problem {
                            field: Some("port".to_owned()),
                            message: "Port must be a whole number from 1 to 65,535.".to_owned(),
                        })?
                };
                NewChannel::Email {
                    name,
                    host: text(self.host),
                    port,
                    username: text(self.username),
                    password: self.password.get_untracked(),
                    from: text(self.from),
                    to: recipients(&self.to.get_untracked()),
                }
            }
        })
    }
}

/// "Add a channel": the kind, and that kind's inputs.
#[component]
fn AddChannel(ops: Ops, channels: Channels) -> impl IntoView {
    let kind = RwSignal::new(ChannelKind::Webhook);
    let form = ChannelForm::new();
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let added: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        added.set(None);
        let body = match form.channel(kind.get_untracked()) {
            Ok(b) => b,
            Err(p) => return problem.set(Some(p)),
        };
        if let Err(e) = body.validate() {
            problem.set(Some(Problem::checked(&e)));
            return;
        }
        problem.set(None);
        busy.set(true);
        spawn_local(async move {
            let answer = ops.session.check(api::add_channel(&body).await);
            busy.set(false);
            match answer {
                Ok(c) => {
                    added.set(Some(format!("Added the channel {}.", c.name)));
                    form.clear();
                    channels.reload();
                }
                Err(e) => problem.set(Some(refused(&e))),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || about(problem.get(), field));

    let name = Input::text("channel-name", "channel-name-error", "Name").placeholder("ops-hook");
    let inputs = move || match kind.get() {
        ChannelKind::Webhook => view! {
            {name.view(form.name, error("name"))}
            {Input::text("channel-url", "channel-url-error", "URL")
                .placeholder("https://hooks.example.com/phaseplan")
                .help("https://, or http:// to this machine (127.0.0.1, localhost).")
                .view(form.url, error("url"))}
            {Input::text("channel-secret", "channel-secret-error", "Signing secret")
                .secret()
                .help(SECRET_HELP)
                .view(form.secret, error("secret"))}
        }
        .into_any(),
        ChannelKind::Slack => view! {
            {name.view(form.name, error("name"))}
            {Input::text("channel-url", "channel-url-error", "Incoming webhook URL")
                .secret()
                .placeholder("https://hooks.slack.com/services/…")
                .help("The URL is itself the credential: stored encrypted, never shown again.")
                .view(form.url, error("url"))}
        }
        .into_any(),
        ChannelKind::Email => view! {
            {name.view(form.name, error("name"))}
            {Input::text("channel-host", "channel-host-error", "SMTP server")
                .placeholder("smtp.example.com")
                .view(form.host, error("host"))}
            {Input::text("channel-port", "channel-port-error", "Port")
                .number()
                .help("STARTTLS is required; 587 unless the server says otherwise.")
                .view(form.port, error("port"))}
            {Input::text("channel-username", "channel-username-error", "User name (optional)")
                .view(form.username, error("username"))}
            {Input::text("channel-password", "channel-password-error", "Password (optional)")
                .secret()
                .help(SECRET_HELP)
                .view(form.password, error("password"))}
            {Input::text("channel-from", "channel-from-error", "From")
                .placeholder("phaseplan@example.com")
                .view(form.from, error("from"))}
            {Input::text("channel-to", "channel-to-error", "To")
                .placeholder("oncall@example.com, ops@example.com")
                .help("Up to 20 addresses, separated by commas.")
                .view(form.to, error("to"))}
        }
        .into_any(),
    };

    view! {
        <h3>"Add a channel"</h3>
        <form class="ops-form" data-testid="channel-form" on:submit=add novalidate>
            <div class="fields">
                <div class="field">
                    <label for="channel-kind">"Kind"</label>
                    <select
                        id="channel-kind"
                        data-testid="channel-kind"
                        on:change=move |ev| {
                            if let Some(k) = ChannelKind::parse(&event_target_value(&ev)) {
                                kind.set(k);
                                problem.set(None);
                            }
                        }
                    >
                        {KINDS
                            .into_iter()
                            .map(|k| view! {
                                <option value=k.as_str() prop:selected=move || kind.get() == k>
                                    {kind_label(k)}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </div>
                {inputs}
            </div>
            <div class="form-actions">
                <button type="submit" data-testid="channel-add" prop:disabled=move || busy.get()>
                    "Add the channel"
                </button>
                {move || general(problem.get(), channel_fields(kind.get())).map(|m| view! {
                    <span class="error" role="alert" data-testid="channel-add-error">{m}</span>
                })}
                {move || added.get().map(|m| view! {
                    <span class="help" role="status" data-testid="channel-added">{m}</span>
                })}
            </div>
        </form>
    }
}

/// Changing a channel: its name, and for its kind the URL and the secret (empty: unchanged).
#[component]
fn EditChannel(
    ops: Ops,
    channels: Channels,
    channel: Channel,
    editing: RwSignal<Option<Channel>>,
    edited: RwSignal<Option<String>>,
) -> impl IntoView {
    let kind = channel.kind;
    let id = channel.id.clone();
    let was = channel.name.clone();
    let name = RwSignal::new(channel.name.clone());
    let url = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let fields: &'static [&'static str] = match kind {
        ChannelKind::Webhook => &["name", "url", "secret"],
        ChannelKind::Slack => &["name", "url"],
        ChannelKind::Email => &["name", "password"],
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        edited.set(None);
        let new_name = name.get_untracked().trim().to_owned();
        let new_url = url.get_untracked().trim().to_owned();
        let new_secret = secret.get_untracked();
        let body = ChannelEdit {
            name: (new_name != was).then_some(new_name),
            url: (kind != ChannelKind::Email && !new_url.is_empty()).then_some(new_url),
            secret: (kind == ChannelKind::Webhook && !new_secret.is_empty())
                .then(|| new_secret.clone()),
            password: (kind == ChannelKind::Email && !new_secret.is_empty()).then_some(new_secret),
            ..ChannelEdit::default()
        };
        if body == ChannelEdit::default() {
            problem.set(Some(Problem {
                field: None,
                message: "Nothing to change: type a new name, URL or secret.".to_owned(),
            }));
            return;
        }
        if let Some(Err(e)) = body.url.as_deref().map(|u| check_url("url", u)) {
            problem.set(Some(Problem::checked(&e)));
            return;
        }
        problem.set(None);
        busy.set(true);
        let id = id.clone();
        spawn_local(async move {
            let answer = ops.session.check(api::edit_channel(&id, &body).await);
            busy.set(false);
            match answer {
                Ok(c) => {
                    edited.set(Some(format!("Saved the channel {}.", c.name)));
                    editing.set(None);
                    channels.reload();
                }
                Err(e) => problem.set(Some(refused(&e))),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || about(problem.get(), field));

    let name_input = Input::text("channel-edit-name", "channel-edit-name-error", "Name")
        .view(name, error("name"));
    let url_input = match kind {
        ChannelKind::Webhook => Some(
            Input::text("channel-edit-url", "channel-edit-url-error", "New URL")
                .placeholder("unchanged")
                .help("Empty: the URL stays.")
                .view(url, error("url"))
                .into_any(),
        ),
        ChannelKind::Slack => Some(
            Input::text(
                "channel-edit-url",
                "channel-edit-url-error",
                "New incoming webhook URL",
            )
            .secret()
            .placeholder("unchanged")
            .help("Empty: the stored URL stays. Stored encrypted, never shown again.")
            .view(url, error("url"))
            .into_any(),
        ),
        ChannelKind::Email => None,
    };
    let secret_input = match kind {
        ChannelKind::Webhook => Some(
            Input::text(
                "channel-edit-secret",
                "channel-edit-secret-error",
                "New signing secret",
            )
            .secret()
            .placeholder("unchanged")
            .help(SECRET_HELP)
            .view(secret, error("secret"))
            .into_any(),
        ),
        ChannelKind::Email => Some(
            Input::text(
                "channel-edit-password",
                "channel-edit-password-error",
                "New password",
            )
            .secret()
            .placeholder("unchanged")
            .help(SECRET_HELP)
            .view(secret, error("password"))
            .into_any(),
        ),
        ChannelKind::Slack => None,
    };

    view! {
        <div class="ops-edit" data-testid="channel-edit-form" data-id=channel.id.clone()>
            <h3>{format!("Change the channel {}", channel.name)}</h3>
            <p class="help">{format!("Delivers to {} now; an empty input leaves its value as it is.", channel.target)}</p>
            <form class="ops-form" on:submit=save novalidate>
                <div class="fields">{name_input} {url_input} {secret_input}</div>
                <div class="form-actions">
                    <button type="submit" data-testid="channel-edit-save" prop:disabled=move || busy.get()>
                        "Save"
                    </button>
                    <button
                        type="button"
                        class="secondary"
                        data-testid="channel-edit-cancel"
                        on:click=move |_| editing.set(None)
                    >
                        "Cancel"
                    </button>
                    {move || general(problem.get(), fields).map(|m| view! {
                        <span class="error" role="alert" data-testid="channel-edit-error">{m}</span>
                    })}
                </div>
            </form>
        </div>
    }
}

/// The rules of the platform picked: what each listens for, the channels it tells, its
/// cooldown; removing one and adding one (editors).
#[component]
fn RulesPanel(ops: Ops, channels: Channels) -> impl IntoView {
    let rules: RwSignal<Vec<Rule>> = RwSignal::new(Vec::new());
    let loaded = RwSignal::new(false);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let refresh = RwSignal::new(0_u32);
    let row_error: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let removing: RwSignal<Option<String>> = RwSignal::new(None);
    let generation = StoredValue::new(0_u64);

    Effect::new(move |_| {
        let name = ops.name.get();
        ops.refresh.track();
        refresh.track();
        let ticket = generation.with_value(|g| g + 1);
        generation.set_value(ticket);
        spawn_local(async move {
            let answer = ops.session.check(api::notification_rules(&name).await);
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(l) => {
                    error.set(None);
                    rules.set(l.rules);
                    loaded.set(true);
                }
                Err(e) => error.set(Some(format!(
                    "The rules of {name} could not be read: {}",
                    sentence(&e.message())
                ))),
            }
        });
    });

    let remove = Callback::new(move |rule: String| {
        row_error.set(None);
        removing.set(Some(rule.clone()));
        let name = ops.name.get_untracked();
        spawn_local(async move {
            let answer = ops.session.check(api::remove_rule(&name, &rule).await);
            removing.set(None);
            match answer {
                Ok(()) => refresh.update(|n| *n += 1),
                Err(e) => row_error.set(Some((rule, sentence(&e.message())))),
            }
        });
    });

    view! {
        <section class="panel ops" aria-labelledby="ops-rules-title" data-testid="ops-rules">
            <h2 id="ops-rules-title">{move || format!("Notification rules of {}", ops.name.get())}</h2>
            <p class="hint">
                "When this platform sends a message, and to which channels. After a message the same \
                 condition sends no other until its cooldown has passed."
            </p>
            {move || error.get().map(|e| view! {
                <p class="error" role="alert" data-testid="rules-error">{e}</p>
            })}
            <Show
                when=move || rules.with(|r| !r.is_empty())
                fallback=move || view! {
                    <Show when=move || loaded.get()>
                        <p class="muted" data-testid="rules-empty">"No rule on this platform yet."</p>
                    </Show>
                }
            >
                <div class="table-scroll" tabindex="0" role="region" aria-label="Notification rules">
                    <table class="data" data-testid="rules">
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Tells"</th>
                                <th scope="col" class="num">"Cooldown"</th>
                                <th scope="col">"Created (UTC)"</th>
                                <th scope="col">"By"</th>
                                {move || ops.may_edit().then(|| view! { <th scope="col">"Actions"</th> })}
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                let may_edit = ops.may_edit();
                                let loaded = channels.loaded.get();
                                channels.list.with(|list| {
                                    rules
                                        .get()
                                        .into_iter()
                                        .map(|r| {
                                            let tells = channel_names(&r.channels, list, loaded);
                                            rule_row(r, tells, may_edit, removing, row_error, remove)
                                        })
                                        .collect_view()
                                })
                            }}
                        </tbody>
                    </table>
                </div>
            </Show>
            <Show
                when=move || ops.may_edit()
                fallback=|| view! {
                    <p class="help" data-testid="rules-editor-only">"Only an editor adds or removes rules."</p>
                }
            >
                <AddRule ops=ops channels=channels refresh=refresh />
            </Show>
        </section>
    }
}

/// One rule.
fn rule_row(
    r: Rule,
    tells: String,
    may_edit: bool,
    removing: RwSignal<Option<String>>,
    row_error: RwSignal<Option<(String, String)>>,
    remove: Callback<String>,
) -> impl IntoView {
    let controls = may_edit.then(|| {
        let (go, busy_id, err_id) = (r.id.clone(), r.id.clone(), r.id.clone());
        let refusal = move || {
            row_error.with(|e| {
                e.as_ref()
                    .filter(|(id, _)| *id == err_id)
                    .map(|(_, m)| m.clone())
            })
        };
        view! {
            <td>
                <div class="row-actions">
                    <button
                        type="button"
                        class="link"
                        data-testid="rule-remove"
                        prop:disabled=move || removing.with(|x| x.as_deref() == Some(busy_id.as_str()))
                        on:click=move |_| remove.run(go.clone())
                    >
                        "Remove"
                    </button>
                    {move || refusal().map(|m| view! {
                        <span class="row-note error" role="alert" data-testid="rule-remove-error">{m}</span>
                    })}
                </div>
            </td>
        }
    });
    view! {
        <tr data-testid="rule-row" data-id=r.id.clone() data-trigger=r.trigger.key()>
            <th scope="row" class="note" data-testid="rule-trigger-words">{trigger_words(&r.trigger)}</th>
            <td class="note" data-testid="rule-channels">{tells}</td>
            <td class="num" data-testid="rule-cooldown-words">{cooldown_words(r.cooldown_minutes)}</td>
            <td>{utc_time(&r.created_at)}</td>
            <td>{r.created_by.clone()}</td>
            {controls}
        </tr>
    }
}

/// "Add a rule": the trigger (with its components or days), the channels, the cooldown.
#[component]
fn AddRule(ops: Ops, channels: Channels, refresh: RwSignal<u32>) -> impl IntoView {
    let on = RwSignal::new(TRIGGERS[0].0);
    let components: RwSignal<Vec<LiveComponent>> = RwSignal::new(Vec::new());
    let days = RwSignal::new("7".to_owned());
    let picked: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let cooldown = RwSignal::new("30".to_owned());
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let added: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let trigger = move || -> Result<Trigger, Problem> {
        Ok(match on.get_untracked() {
            "status_change" => Trigger::StatusChange {
                components: components.with_untracked(|picked| {
                    LiveComponent::ALL
                        .into_iter()
                        .filter(|c| picked.contains(c))
                        .collect()
                }),
            },
            "next_phase_soon" => Trigger::NextPhaseSoon,
            "milestone_due" => Trigger::MilestoneDue {
                days: whole(
                    &days.get_untracked(),
                    "trigger.days",
                    "Days must be a whole number from 1 to 365.",
                )?,
            },
            "milestone_late" => Trigger::MilestoneLate,
            "transition" => Trigger::Transition,
            "alert_firing" => Trigger::AlertFiring { names: Vec::new() },
            _ => Trigger::ChannelFailing,
        })
    };

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        added.set(None);
        let built = trigger().and_then(|trigger| {
            let cooldown_minutes = whole(
                &cooldown.get_untracked(),
                "cooldown_minutes",
                &format!(
                    "Cooldown must be a whole number of minutes from 0 to {}.",
                    thousands(f64::from(MAX_COOLDOWN_MINUTES))
                ),
            )?;
            // In the list's order; a channel removed meanwhile is not sent.
            let ids = picked.with_untracked(|p| {
                channels.list.with_untracked(|l| {
                    l.iter()
                        .filter(|c| p.contains(&c.id))
                        .map(|c| c.id.clone())
                        .collect()
                })
            });
            Ok(NewRule {
                trigger,
                channels: ids,
                cooldown_minutes,
            })
        });
        let body = match built {
            Ok(b) => b,
            Err(p) => return problem.set(Some(p)),
        };
        if let Err(e) = body.validate() {
            problem.set(Some(Problem::checked(&e)));
            return;
        }
        problem.set(None);
        busy.set(true);
        let name = ops.name.get_untracked();
        spawn_local(async move {
            let answer = ops.session.check(api::add_rule(&name, &body).await);
            busy.set(false);
            match answer {
                Ok(r) => {
                    added.set(Some(format!("Added: {}.", trigger_words(&r.trigger))));
                    components.set(Vec::new());
                    days.set("7".to_owned());
                    picked.set(Vec::new());
                    cooldown.set("30".to_owned());
                    refresh.update(|n| *n += 1);
                }
                Err(e) => problem.set(Some(refused(&e))),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || about(problem.get(), field));
    let channels_error = error("channels");

    let extra = move || {
        match on.get() {
        "status_change" => Some(
            view! {
                <fieldset class="field checks" data-testid="rule-components">
                    <legend>"Components"</legend>
                    <div class="check-list">
                        {LiveComponent::ALL
                            .into_iter()
                            .map(|c| view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        data-testid="rule-component"
                                        data-component=c.key()
                                        prop:checked=move || components.with(|p| p.contains(&c))
                                        on:change=move |ev| {
                                            let ticked = event_target_checked(&ev);
                                            components.update(|p| {
                                                p.retain(|x| *x != c);
                                                if ticked {
                                                    p.push(c);
                                                }
                                            });
                                        }
                                    />
                                    {c.label()}
                                </label>
                            })
                            .collect_view()}
                    </div>
                    <span class="help">"None ticked: all components."</span>
                </fieldset>
            }
            .into_any(),
        ),
        "milestone_due" => Some(
            Input::text("rule-days", "rule-days-error", "Within (days)")
                .number()
                .help("A milestone not completed whose target date is this close, from 1 to 365 days.")
                .view(days, error("trigger.days"))
                .into_any(),
        ),
        _ => None,
    }
    };

    view! {
        <h3>"Add a rule"</h3>
        <form class="ops-form" data-testid="rule-form" on:submit=add novalidate>
            <div class="fields">
                <div class="field">
                    <label for="rule-trigger">"When"</label>
                    <select
                        id="rule-trigger"
                        data-testid="rule-trigger"
                        on:change=move |ev| {
                            let key = event_target_value(&ev);
                            if let Some((k, _)) = TRIGGERS.iter().find(|(k, _)| *k == key) {
                                on.set(k);
                                problem.set(None);
                            }
                        }
                    >
                        {TRIGGERS
                            .into_iter()
                            .map(|(key, words)| view! {
                                <option value=key prop:selected=move || on.get() == key>{words}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                {extra}
                <fieldset
                    class="field checks"
                    data-testid="rule-channels-pick"
                    aria-invalid=move || channels_error.with(Option::is_some).then_some("true")
                >
                    <legend>"Tell these channels"</legend>
                    {move || {
                        let list = channels.list.get();
                        if list.is_empty() {
                            return view! {
                                <p class="muted" data-testid="rule-no-channels">
                                    "No channel yet: an admin adds one under Notification channels."
                                </p>
                            }
                            .into_any();
                        }
                        view! {
                            <div class="check-list">
                                {list
                                    .into_iter()
                                    .map(|c| {
                                        let (is, flip) = (c.id.clone(), c.id.clone());
                                        view! {
                                            <label class="check">
                                                <input
                                                    type="checkbox"
                                                    data-testid="rule-channel"
                                                    data-id=c.id.clone()
                                                    value=c.id.clone()
                                                    prop:checked=move || picked.with(|p| p.contains(&is))
                                                    on:change=move |ev| {
                                                        let ticked = event_target_checked(&ev);
                                                        picked.update(|p| {
                                                            p.retain(|x| *x != flip);
                                                            if ticked {
                                                                p.push(flip.clone());
                                                            }
                                                        });
                                                    }
                                                />
                                                {format!("{} ({})", c.name, kind_label(c.kind))}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                        .into_any()
                    }}
                    <FieldError testid="rule-channels-error" message=channels_error />
                </fieldset>
                {Input::text("rule-cooldown", "rule-cooldown-error", "Cooldown (minutes)")
                    .number()
                    .help("After a message, the same condition sends no other for this long (0: none).")
                    .view(cooldown, error("cooldown_minutes"))}
            </div>
            <div class="form-actions">
                <button type="submit" data-testid="rule-add" prop:disabled=move || busy.get()>
                    "Add the rule"
                </button>
                {move || general(problem.get(), &RULE_FIELDS).map(|m| view! {
                    <span class="error" role="alert" data-testid="rule-add-error">{m}</span>
                })}
                {move || added.get().map(|m| view! {
                    <span class="help" role="status" data-testid="rule-added">{m}</span>
                })}
            </div>
        </form>
    }
}

/// A delivery's state: its words and badge class.
fn state_badge(s: DeliveryState) -> (&'static str, &'static str) {
    match s {
        DeliveryState::Pending => ("pending", "badge info"),
        DeliveryState::Sent => ("sent", "badge optimal"),
        DeliveryState::Failed => ("failed", "badge critical"),
    }
}

/// When a delivery was sent, or will be tried next.
fn next_or_sent(d: &Delivery) -> String {
    match d.state {
        DeliveryState::Sent => d
            .sent_at
            .as_deref()
            .map_or_else(|| "sent".to_owned(), |t| format!("sent {}", utc_time(t))),
        DeliveryState::Pending => d.next_attempt_at.as_deref().map_or_else(
            || "due now".to_owned(),
            |t| format!("next try {}", utc_time(t)),
        ),
        DeliveryState::Failed => "out of tries".to_owned(),
    }
}

/// How often the log is read again while a delivery is still being tried.
const FOLLOW_SECONDS: u64 = 5;

/// The delivery log: every event to every channel, newest first, 50 at a time.
#[component]
fn DeliveriesPanel(ops: Ops) -> impl IntoView {
    let deliveries: RwSignal<Vec<Delivery>> = RwSignal::new(Vec::new());
    let next: RwSignal<Option<String>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let loading = RwSignal::new(true);
    // Each load has a number; an older one's answer (a Refresh overtook it) is dropped.
    let generation = StoredValue::new(0_u64);

    let load = move |more: bool| {
        let cursor = if more { next.get_untracked() } else { None };
        if more && cursor.is_none() {
            return;
        }
        let ticket = generation.with_value(|g| g + 1);
        generation.set_value(ticket);
        loading.set(true);
        spawn_local(async move {
            let page = ops.session.check(api::deliveries(cursor.as_deref()).await);
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            loading.set(false);
            match page {
                Ok(p) => {
                    error.set(None);
                    if more {
                        deliveries.update(|d| d.extend(p.deliveries));
                    } else {
                        deliveries.set(p.deliveries);
                    }
                    next.set(p.next_cursor);
                }
                Err(e) => error.set(Some(format!(
                    "The delivery log could not be read: {}",
                    sentence(&e.message())
                ))),
            }
        });
    };
    Effect::new(move |_| {
        ops.refresh.track();
        load(false);
    });
    // The log follows the worker on its own: while a delivery is still being tried, the first
    // page is read again every few seconds (never while the reader pages back through older
    // ones, nor while the tab is hidden).
    let follow = set_interval_with_handle(
        move || {
            let paged = deliveries
                .with_untracked(|d| d.len() > phaseplan_model::notify::DELIVERY_PAGE as usize);
            let trying = deliveries.with_untracked(|d| {
                d.iter()
                    .any(|x| x.state == phaseplan_model::notify::DeliveryState::Pending)
            });
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if trying && !paged && !hidden && !loading.get_untracked() {
                load(false);
            }
        },
        std::time::Duration::from_secs(FOLLOW_SECONDS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(f) = follow {
            f.clear();
        }
    });

    view! {
        <section class="panel ops" aria-labelledby="ops-deliveries-title" data-testid="ops-deliveries">
            <div class="panel-head">
                <h2 id="ops-deliveries-title">"Delivery log"</h2>
                <button
                    type="button"
                    class="secondary"
                    data-testid="deliveries-refresh"
                    on:click=move |_| load(false)
                >
                    "Refresh"
                </button>
            </div>
            <p class="hint">
                "Every message to every channel, of every platform, newest first; times in UTC. A \
                 failed try is tried again, each time after a longer wait."
            </p>
            {move || error.get().map(|e| view! {
                <p class="error" role="alert" data-testid="deliveries-error">{e}</p>
            })}
            <div class="table-scroll" tabindex="0" role="region" aria-label="Delivery log">
                <table class="data" data-testid="deliveries" aria-busy=move || loading.get().then_some("true")>
                    <thead>
                        <tr>
                            <th scope="col">"Time (UTC)"</th>
                            <th scope="col">"Event"</th>
                            <th scope="col">"Channel"</th>
                            <th scope="col">"State"</th>
                            <th scope="col" class="num">"Attempts"</th>
                            <th scope="col">"Last error"</th>
                            <th scope="col">"Next try or sent (UTC)"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || deliveries.get().into_iter().map(delivery_row).collect_view()}
                    </tbody>
                </table>
            </div>
            <Show when=move || !loading.get() && deliveries.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="muted" data-testid="deliveries-empty">"Nothing delivered yet."</p>
            </Show>
            <Show when=move || next.with(Option::is_some)>
                <button type="button" class="secondary" data-testid="deliveries-more" on:click=move |_| load(true)>
                    "More"
                </button>
            </Show>
        </section>
    }
}

/// One delivery.
fn delivery_row(d: Delivery) -> impl IntoView {
    let (words, class) = state_badge(d.state);
    let when = next_or_sent(&d);
    view! {
        <tr
            data-testid="delivery-row"
            data-id=d.id.clone()
            data-state=d.state.as_str()
            data-kind=d.event.kind.clone()
            data-channel=d.channel_id.clone()
        >
            <td>{utc_time(&d.event.at)}</td>
            <td class="note" data-testid="delivery-title">{d.event.title.clone()}</td>
            <td data-testid="delivery-channel">{d.channel_name.clone()}</td>
            <td><span class=class data-testid="delivery-state">{words}</span></td>
            <td class="num" data-testid="delivery-attempts">{thousands(f64::from(d.attempts))}</td>
            <td class="note" data-testid="delivery-error">{d.last_error.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td data-testid="delivery-when">{when}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::api::{ErrorBody, ErrorCode};

    #[test]
    fn triggers_in_words() {
        assert_eq!(
            trigger_words(&Trigger::StatusChange {
                components: vec![LiveComponent::CacheMemory]
            }),
            "Live status changes: Cache memory"
        );
        assert_eq!(
            trigger_words(&Trigger::StatusChange { components: vec![] }),
            "Live status changes: all components"
        );
        assert_eq!(
            trigger_words(&Trigger::MilestoneDue { days: 7 }),
            "Milestone due within 7 days"
        );
        assert_eq!(
            trigger_words(&Trigger::Transition),
            "A transition is recorded"
        );
        assert_eq!(cooldown_words(30), "30 min");
        assert_eq!(cooldown_words(0), "none");
    }

    #[test]
    fn a_refusal_of_an_item_lands_under_its_list() {
        let p = Some(Problem {
            field: Some("to[1]".to_owned()),
            message: "To[1]: not an address.".to_owned(),
        });
        assert_eq!(
            about(p.clone(), "to").as_deref(),
            Some("To[1]: not an address.")
        );
        assert_eq!(about(p.clone(), "token"), None);
        assert_eq!(general(p.clone(), &["name", "to"]), None);
        assert!(general(p, &["name"]).is_some());
        assert!(!names("token", "to"));
    }

    #[test]
    fn no_secret_key_is_said_plainly() {
        let e = ApiError::Server {
            status: 409,
            body: ErrorBody::new(
                ErrorCode::Conflict,
                "the server has no secret_key (PHASEPLAN_SECRET_KEY): channel secrets cannot be stored",
                Some("secret_key".to_owned()),
            ),
            retry_after: None,
        };
        let p = refused(&e);
        assert_eq!(p.field, None);
        assert_eq!(p.message, NO_SECRET_KEY);
    }

    #[test]
    fn recipients_split_on_commas_and_spaces() {
        assert_eq!(
            recipients(" a@example.com, b@example.com;c@example.com\n"),
            ["a@example.com", "b@example.com", "c@example.com"]
        );
    }
}
