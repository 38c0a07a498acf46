//! Notifications: channels (`/api/v1/notifications/channels`, managed by admins: they hold
//! secrets and reach outside), rules per platform (`/api/v1/platforms/{id}/notification-rules`,
//! editors), and the delivery log (`/api/v1/notifications/deliveries`, anyone who may read).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use phaseplan_model::api::ErrorBody;
use phaseplan_model::notify::{
    ChannelEdit, ChannelKind, ChannelList, Delivery, DeliveryPage, DeliveryState, NewChannel,
    NewRule, Rule, RuleList, TestResult,
};
use phaseplan_model::{Reason, ValidationError};
use serde_json::json;

use crate::auth::{Admin, Editor};
use crate::error::{AppError, AppJson, AppPath, AppQuery};
use crate::notify::{Notifier, seal};
use crate::store::{ChannelRow, DeliveryRow, NewChannelRow, RuleRow, Store, rfc3339};

/// A channel's settings without its secret, and the secret as given.
fn split(c: &NewChannel) -> (serde_json::Value, Option<(&str, &'static str)>) {
    match c {
        NewChannel::Webhook { url, secret, .. } => (json!({"url": url}), Some((secret, "secret"))),
        NewChannel::Slack { url, .. } => (json!({}), Some((url, "url"))),
        NewChannel::Email {
            host,
            port,
            username,
            password,
            from,
            to,
            ..
        } => (
            json!({"host": host, "port": port, "username": username, "from": from, "to": to}),
            Some((password, "password")),
        ),
    }
}

#[utoipa::path(get, path = "/api/v1/notifications/channels", tag = "notifications", operation_id = "list_channels",
    responses((status = 200, description = "Every channel, without secrets", body = ChannelList)))]
pub async fn channels(State(store): State<Store>) -> Result<AppJson<ChannelList>, AppError> {
    let channels = store.channels().await?.iter().map(Notifier::view).collect();
    Ok(AppJson(ChannelList { channels }))
}

#[utoipa::path(post, path = "/api/v1/notifications/channels", tag = "notifications", operation_id = "add_channel",
    request_body(content = NewChannel, description = "A webhook, a Slack incoming webhook or an e-mail channel; secrets inline, `env:NAME` or `file:PATH`",
        example = json!({"kind": "webhook", "name": "ops-hook", "url": "https://hooks.example.com/phaseplan", "secret": "env:OPS_HOOK_SECRET"})),
    responses(
        (status = 201, description = "Added; its `id`, never its secret", body = phaseplan_model::notify::Channel),
        (status = 409, description = "The server has no `secret_key` to store secrets with (`field`: `secret_key`)", body = ErrorBody),
        (status = 422, description = "A field is invalid (named): a URL not https, a reference to a variable that is not set or a file outside `secrets_dir`", body = ErrorBody),
    ))]
pub async fn add_channel(
    Admin(who): Admin,
    State(store): State<Store>,
    State(notifier): State<Arc<Notifier>>,
    AppJson(body): AppJson<NewChannel>,
) -> Result<Response, AppError> {
    body.validate()?;
    let (settings, secret) = split(&body);
    let (sealed, source) = match secret {
        Some((given, field)) if !given.is_empty() => seal(&notifier, given, field)?,
        _ => (String::new(), "none".to_owned()),
    };
    let row = store
        .add_channel(
            &NewChannelRow {
                kind: body.kind(),
                name: body.name(),
                settings: &settings,
                secret: &sealed,
                secret_source: &source,
            },
            &who.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, AppJson(Notifier::view(&row))).into_response())
}

/// The channel `row` with `edit` applied, as a new channel to check.
fn merged(row: &ChannelRow, e: &ChannelEdit) -> NewChannel {
    let s = &row.settings;
    let text = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
    let name = e.name.clone().unwrap_or_else(|| row.name.clone());
    match row.kind {
        ChannelKind::Webhook => NewChannel::Webhook {
            name,
            url: e.url.clone().unwrap_or_else(|| text("url")),
            // Checked only when given: the stored one stays sealed.
            secret: e.secret.clone().unwrap_or_else(|| "stored".to_owned()),
        },
        ChannelKind::Slack => NewChannel::Slack {
            name,
            url: e
                .url
                .clone()
                .unwrap_or_else(|| "https://stored.invalid/".to_owned()),
        },
        ChannelKind::Email => NewChannel::Email {
            name,
            host: e.host.clone().unwrap_or_else(|| text("host")),
            port: e
                .port
                .or_else(|| s["port"].as_u64().and_then(|p| u16::try_from(p).ok()))
                .unwrap_or(587),
            username: e.username.clone().unwrap_or_else(|| text("username")),
            password: e.password.clone().unwrap_or_default(),
            from: e.from.clone().unwrap_or_else(|| text("from")),
            to: e.to.clone().unwrap_or_else(|| {
                s["to"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            }),
        },
    }
}

#[utoipa::path(patch, path = "/api/v1/notifications/channels/{id}", tag = "notifications", operation_id = "edit_channel",
    params(("id" = String, Path, description = "The channel's id")),
    request_body(content = ChannelEdit, description = "What changes; absent fields stay, a secret given replaces the stored one",
        example = json!({"name": "ops-hook (primary)"})),
    responses(
        (status = 200, description = "Changed", body = phaseplan_model::notify::Channel),
        (status = 404, description = "No such channel (`field`: `id`)", body = ErrorBody),
        (status = 409, description = "No `secret_key` for a new secret", body = ErrorBody),
        (status = 422, description = "A field is invalid (named), or does not belong to the channel's kind", body = ErrorBody),
    ))]
pub async fn edit_channel(
    Admin(who): Admin,
    State(store): State<Store>,
    State(notifier): State<Arc<Notifier>>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<ChannelEdit>,
) -> Result<AppJson<phaseplan_model::notify::Channel>, AppError> {
    let row = store.channel(&id).await?;
    let foreign = match row.kind {
        ChannelKind::Webhook => [
            ("host", body.host.is_some()),
            ("port", body.port.is_some()),
            ("username", body.username.is_some()),
            ("password", body.password.is_some()),
            ("from", body.from.is_some()),
            ("to", body.to.is_some()),
        ]
        .to_vec(),
        ChannelKind::Slack => [
            ("secret", body.secret.is_some()),
            ("host", body.host.is_some()),
            ("port", body.port.is_some()),
            ("username", body.username.is_some()),
            ("password", body.password.is_some()),
            ("from", body.from.is_some()),
            ("to", body.to.is_some()),
        ]
        .to_vec(),
        ChannelKind::Email => [
            ("url", body.url.is_some()),
            ("secret", body.secret.is_some()),
        ]
        .to_vec(),
    };
    if let Some((field, _)) = foreign.into_iter().find(|(_, given)| *given) {
        return Err(ValidationError::new(
            field,
            Reason::Unknown(format!("a {} channel has no {field}", row.kind.as_str())),
        )
        .into());
    }
    let next = merged(&row, &body);
    next.validate()?;
    let (settings, _) = split(&next);
    let given = match row.kind {
        ChannelKind::Webhook => body.secret.as_deref().map(|s| (s, "secret")),
        ChannelKind::Slack => body.url.as_deref().map(|s| (s, "url")),
        ChannelKind::Email => body.password.as_deref().map(|s| (s, "password")),
    };
    let (sealed, source) = match given {
        Some((g, field)) if !g.is_empty() => seal(&notifier, g, field)?,
        Some(_) => (String::new(), "none".to_owned()),
        None => (row.secret.clone(), row.secret_source.clone()),
    };
    let settings = if row.kind == ChannelKind::Slack {
        json!({})
    } else {
        settings
    };
    let row = store
        .edit_channel(
            &id,
            &NewChannelRow {
                kind: row.kind,
                name: next.name(),
                settings: &settings,
                secret: &sealed,
                secret_source: &source,
            },
            &who.actor(),
        )
        .await?;
    Ok(AppJson(Notifier::view(&row)))
}

#[utoipa::path(delete, path = "/api/v1/notifications/channels/{id}", tag = "notifications", operation_id = "remove_channel",
    params(("id" = String, Path, description = "The channel's id")),
    responses(
        (status = 204, description = "Removed; its deliveries stay in the log"),
        (status = 404, description = "No such channel (`field`: `id`)", body = ErrorBody),
        (status = 409, description = "Rules still name it (listed): change them first", body = ErrorBody),
    ))]
pub async fn remove_channel(
    Admin(who): Admin,
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, AppError> {
    store.remove_channel(&id, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/notifications/channels/{id}/test", tag = "notifications", operation_id = "test_channel",
    params(("id" = String, Path, description = "The channel's id")),
    responses(
        (status = 200, description = "A test message was tried now: `sent`, or why not", body = TestResult),
        (status = 404, description = "No such channel (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn test_channel(
    Admin(_): Admin,
    State(store): State<Store>,
    State(notifier): State<Arc<Notifier>>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<TestResult>, AppError> {
    let row = store.channel(&id).await?;
    let event = notifier.event(
        "test",
        phaseplan_model::operations::DEFAULT_PLATFORM,
        format!("Test message for channel {}", row.name),
        "Phaseplan can reach this channel. Rules that name it send here.".to_owned(),
    );
    let outcome = notifier.send_now(&row, &event).await;
    Ok(AppJson(TestResult {
        sent: outcome.is_ok(),
        error: outcome.err(),
    }))
}

fn rule_view(r: RuleRow) -> Rule {
    Rule {
        id: r.id,
        platform: r.platform,
        trigger: r.trigger,
        channels: r.channels,
        cooldown_minutes: u32::try_from(r.cooldown_ms / 60_000).unwrap_or(u32::MAX),
        created_at: r.created_at,
        created_by: r.created_by,
    }
}

#[utoipa::path(get, path = "/api/v1/platforms/{id}/notification-rules", tag = "notifications", operation_id = "list_rules",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    responses(
        (status = 200, description = "The platform's rules", body = RuleList),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
    ))]
pub async fn rules(
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<RuleList>, AppError> {
    store.platform(&id).await?;
    let rules = store
        .rules(Some(&id))
        .await?
        .into_iter()
        .map(rule_view)
        .collect();
    Ok(AppJson(RuleList { rules }))
}

#[utoipa::path(post, path = "/api/v1/platforms/{id}/notification-rules", tag = "notifications", operation_id = "add_rule",
    params(("id" = String, Path, description = "The platform's name", example = "default")),
    request_body(content = NewRule, description = "What to listen for, the channels to tell, and a cooldown",
        example = json!({"trigger": {"on": "status_change", "components": []}, "channels": ["<channel id>"], "cooldown_minutes": 30})),
    responses(
        (status = 201, description = "Added", body = Rule),
        (status = 404, description = "No such platform (`field`: `id`)", body = ErrorBody),
        (status = 422, description = "A field is invalid, or names a channel there is not (`channels[i]`)", body = ErrorBody),
    ))]
pub async fn add_rule(
    Editor(who): Editor,
    State(store): State<Store>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<NewRule>,
) -> Result<Response, AppError> {
    body.validate()?;
    store.platform(&id).await?;
    for (i, c) in body.channels.iter().enumerate() {
        if store.channel(c).await.is_err() {
            return Err(
                ValidationError::new(format!("channels[{i}]"), Reason::Unknown(c.clone())).into(),
            );
        }
    }
    let row = store
        .add_rule(
            &id,
            &body.trigger,
            &body.channels,
            i64::from(body.cooldown_minutes) * 60_000,
            &who.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, AppJson(rule_view(row))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/platforms/{id}/notification-rules/{rule}", tag = "notifications", operation_id = "remove_rule",
    params(("id" = String, Path, description = "The platform's name", example = "default"), ("rule" = String, Path, description = "The rule's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such platform or rule (`field` names which)", body = ErrorBody),
    ))]
pub async fn remove_rule(
    Editor(who): Editor,
    State(store): State<Store>,
    AppPath((id, rule)): AppPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    store.platform(&id).await?;
    store.remove_rule(&id, &rule, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/notifications/deliveries` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryParams {
    /// Deliveries per page, 1–200 (default 50).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn delivery_view(d: DeliveryRow) -> Delivery {
    Delivery {
        id: d.id,
        event: d.event,
        channel_id: d.channel_id,
        channel_name: d.channel_name,
        attempts: d.attempts,
        state: d.state,
        last_error: d.last_error,
        next_attempt_at: (d.state == DeliveryState::Pending).then(|| rfc3339(d.next_at)),
        sent_at: d.sent_at.map(rfc3339),
    }
}

#[utoipa::path(get, path = "/api/v1/notifications/deliveries", tag = "notifications", operation_id = "list_deliveries", params(DeliveryParams),
    responses(
        (status = 200, description = "The delivery log, newest first: event, channel, attempts, sent or failed with the reason, the next try", body = DeliveryPage),
        (status = 422, description = "A parameter out of range, or a cursor from elsewhere", body = ErrorBody),
    ))]
pub async fn deliveries(
    State(store): State<Store>,
    AppQuery(p): AppQuery<DeliveryParams>,
) -> Result<AppJson<DeliveryPage>, AppError> {
    let limit = super::page_limit(p.limit, phaseplan_model::notify::DELIVERY_PAGE, 200)?;
    let cursor = match &p.cursor {
        None => None,
        Some(c) => Some(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| serde_json::from_slice::<(i64, String)>(&b).ok())
                .filter(|(_, id)| !id.is_empty())
                .ok_or_else(|| {
                    ValidationError::new(
                        "cursor",
                        Reason::Unreadable("not a cursor this server gave".to_owned()),
                    )
                })?,
        ),
    };
    let rows = store.deliveries(limit + 1, cursor).await?;
    let more = rows.len() > limit as usize;
    let rows: Vec<DeliveryRow> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more.then(|| rows.last()).flatten().map(|d| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&(d.created_at, &d.id)).unwrap_or_default())
    });
    Ok(AppJson(DeliveryPage {
        deliveries: rows.into_iter().map(delivery_view).collect(),
        next_cursor,
    }))
}

/// `POST /api/v1/alertmanager` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlertParams {
    /// The platform the alerts are of (default `default`).
    platform: Option<String>,
}

/// What the receiver did with a payload.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AlertsReceived {
    /// Alerts in the payload.
    pub received: usize,
    /// Of those, new or changed (the rest repeat what was known).
    pub news: usize,
    /// Alerts firing on the platform now.
    pub firing: usize,
}

#[utoipa::path(post, path = "/api/v1/alertmanager", tag = "notifications", operation_id = "alertmanager_webhook", params(AlertParams),
    request_body(content = phaseplan_model::notify::alertmanager::Payload, description = "Alertmanager's webhook payload (version 4)"),
    responses(
        (status = 200, description = "Filed under the platform: firing alerts show on its status and Operations page, and alert rules send", body = AlertsReceived),
        (status = 404, description = "No such platform (`field`: `platform`)", body = ErrorBody),
    ))]
pub async fn alertmanager(
    Editor(_): Editor,
    State(store): State<Store>,
    State(notifier): State<Arc<Notifier>>,
    AppQuery(q): AppQuery<AlertParams>,
    AppJson(body): AppJson<phaseplan_model::notify::alertmanager::Payload>,
) -> Result<AppJson<AlertsReceived>, AppError> {
    body.validate()?;
    let platform = q
        .platform
        .unwrap_or_else(|| phaseplan_model::operations::DEFAULT_PLATFORM.to_owned());
    store
        .platform(&platform)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::UnknownInPath { message, .. } => AppError::UnknownInPath {
                field: "platform",
                message,
            },
            other => other,
        })?;
    let mut news = 0;
    for a in &body.alerts {
        let firing = a.status == "firing";
        let shown = a.firing();
        let json = serde_json::to_string(&shown).map_err(|e| AppError::Internal(e.into()))?;
        let what = store
            .record_alert(&platform, &shown.fingerprint, firing, &json)
            .await?;
        let tell = match what {
            crate::store::AlertNews::New => firing,
            crate::store::AlertNews::Changed => true,
            crate::store::AlertNews::Repeat => false,
        };
        if what != crate::store::AlertNews::Repeat {
            news += 1;
        }
        if tell {
            notifier.alert_changed(&platform, &shown, firing).await;
        }
    }
    let firing = store.firing_alerts(&platform).await?.len();
    Ok(AppJson(AlertsReceived {
        received: body.alerts.len(),
        news,
        firing,
    }))
}
