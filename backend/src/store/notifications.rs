//! The queries behind notifications: channels, rules, the state of each watched condition,
//! events and their deliveries. Two compare-and-sets make several replicas on one database send
//! each message once: a condition's state moves only from the state a replica read (the one whose
//! update lands records the event), and a delivery is sent by the replica whose claim lands.

use phaseplan_model::access::AuditAction;
use phaseplan_model::notify::{ChannelKind, DeliveryState, Event, Trigger};
use sqlx::FromRow;

use super::{Actor, Store, StoreError, audit, new_id, now_ms, on_pool, rfc3339};

/// A channel as stored: its settings (no secret) and its encrypted secret.
#[derive(Debug, Clone)]
pub struct ChannelRow {
    pub id: String,
    pub kind: ChannelKind,
    pub name: String,
    pub settings: serde_json::Value,
    pub secret: String,
    pub secret_source: String,
    pub consecutive_failures: u32,
    pub failing: bool,
    pub last_error: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, FromRow)]
struct CRow {
    id: String,
    kind: String,
    name: String,
    settings: String,
    secret: String,
    secret_source: String,
    consecutive_failures: i64,
    failing: bool,
    last_error: Option<String>,
    created_at: i64,
    created_by: String,
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn unreadable(what: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("{what} cannot be read: {why}").into(),
    ))
}

impl TryFrom<CRow> for ChannelRow {
    type Error = StoreError;

    fn try_from(r: CRow) -> Result<Self, StoreError> {
        Ok(ChannelRow {
            kind: ChannelKind::parse(&r.kind).ok_or_else(|| unreadable(&r.id, &r.kind))?,
            settings: serde_json::from_str(&r.settings).map_err(|e| unreadable(&r.id, e))?,
            id: r.id,
            name: r.name,
            secret: r.secret,
            secret_source: r.secret_source,
            consecutive_failures: count(r.consecutive_failures),
            failing: r.failing,
            last_error: r.last_error,
            created_at: rfc3339(r.created_at),
            created_by: r.created_by,
        })
    }
}

const SELECT_CHANNEL: &str = "SELECT id, kind, name, settings, secret, secret_source, \
     consecutive_failures, failing, last_error, created_at, created_by FROM notification_channels";

/// A rule as stored.
#[derive(Debug, Clone)]
pub struct RuleRow {
    pub id: String,
    pub platform: String,
    pub trigger: Trigger,
    pub channels: Vec<String>,
    pub cooldown_ms: i64,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, FromRow)]
struct RRow {
    id: String,
    platform: String,
    trigger: String,
    channels: String,
    cooldown_ms: i64,
    created_at: i64,
    created_by: String,
}

impl TryFrom<RRow> for RuleRow {
    type Error = StoreError;

    fn try_from(r: RRow) -> Result<Self, StoreError> {
        Ok(RuleRow {
            trigger: serde_json::from_str(&r.trigger).map_err(|e| unreadable(&r.id, e))?,
            channels: serde_json::from_str(&r.channels).map_err(|e| unreadable(&r.id, e))?,
            id: r.id,
            platform: r.platform,
            cooldown_ms: r.cooldown_ms,
            created_at: rfc3339(r.created_at),
            created_by: r.created_by,
        })
    }
}

const SELECT_RULE: &str = "SELECT id, platform, trigger, channels, cooldown_ms, created_at, \
     created_by FROM notification_rules";

/// A delivery joined with its event.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub id: String,
    pub event: Event,
    pub channel_id: String,
    pub channel_name: String,
    pub attempts: u32,
    pub state: DeliveryState,
    pub last_error: Option<String>,
    pub next_at: i64,
    pub sent_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, FromRow)]
struct DRow {
    id: String,
    body: String,
    channel_id: String,
    channel_name: String,
    attempts: i64,
    state: String,
    last_error: Option<String>,
    next_at: i64,
    sent_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<DRow> for DeliveryRow {
    type Error = StoreError;

    fn try_from(r: DRow) -> Result<Self, StoreError> {
        Ok(DeliveryRow {
            event: serde_json::from_str(&r.body).map_err(|e| unreadable(&r.id, e))?,
            state: DeliveryState::parse(&r.state).ok_or_else(|| unreadable(&r.id, &r.state))?,
            id: r.id,
            channel_id: r.channel_id,
            channel_name: r.channel_name,
            attempts: count(r.attempts),
            last_error: r.last_error,
            next_at: r.next_at,
            sent_at: r.sent_at,
            created_at: r.created_at,
        })
    }
}

const SELECT_DELIVERY: &str = "SELECT d.id, e.body, d.channel_id, d.channel_name, d.attempts, \
     d.state, d.last_error, d.next_at, d.sent_at, d.created_at FROM notification_deliveries d \
     JOIN notification_events e ON e.id = d.event_id";

/// A new channel, checked and with its secret encrypted by the caller.
#[derive(Debug, Clone)]
pub struct NewChannelRow<'a> {
    pub kind: ChannelKind,
    pub name: &'a str,
    pub settings: &'a serde_json::Value,
    pub secret: &'a str,
    pub secret_source: &'a str,
}

/// What a condition's observation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// The same state as stored: nothing to say.
    Same,
    /// Another state than stored (or the first seen), and this call's update landed: it may send.
    Changed {
        first: bool,
        /// When a message for this condition was last sent.
        last_sent: Option<i64>,
    },
}

impl Store {
    pub async fn add_channel(
        &self,
        c: &NewChannelRow<'_>,
        by: &Actor<'_>,
    ) -> Result<ChannelRow, StoreError> {
        let id = new_id()?;
        let now = now_ms();
        let settings = c.settings.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO notification_channels (id, kind, name, settings, secret, \
                 secret_source, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(c.kind.as_str())
            .bind(c.name)
            .bind(&settings)
            .bind(c.secret)
            .bind(c.secret_source)
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?;
            audit!(tx, now, by, AuditAction::ChannelAdd, format!("channel {id} ({})", c.kind.as_str()));
            tx.commit().await?;
        });
        self.channel(&id).await
    }

    /// Replaces a channel's name, settings and secret (the caller merged the edit).
    pub async fn edit_channel(
        &self,
        id: &str,
        c: &NewChannelRow<'_>,
        by: &Actor<'_>,
    ) -> Result<ChannelRow, StoreError> {
        let now = now_ms();
        let settings = c.settings.to_string();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE notification_channels SET name = $1, settings = $2, secret = $3, \
                 secret_source = $4 WHERE id = $5",
            )
            .bind(c.name)
            .bind(&settings)
            .bind(c.secret)
            .bind(c.secret_source)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                return Err(StoreError::UnknownChannel(id.to_owned()));
            }
            audit!(tx, now, by, AuditAction::ChannelEdit, format!("channel {id}"));
            tx.commit().await?;
        });
        self.channel(id).await
    }

    /// Removes a channel no rule names (the rules that do are listed in the refusal).
    pub async fn remove_channel(&self, id: &str, by: &Actor<'_>) -> Result<(), StoreError> {
        let users: Vec<String> = self
            .rules(None)
            .await?
            .into_iter()
            .filter(|r| r.channels.iter().any(|c| c == id))
            .map(|r| r.id)
            .collect();
        if !users.is_empty() {
            return Err(StoreError::ChannelInUse {
                id: id.to_owned(),
                rules: users,
            });
        }
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM notification_channels WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                return Err(StoreError::UnknownChannel(id.to_owned()));
            }
            audit!(tx, now, by, AuditAction::ChannelRemove, format!("channel {id}"));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn channels(&self) -> Result<Vec<ChannelRow>, StoreError> {
        let sql = format!("{SELECT_CHANNEL} ORDER BY name, id");
        let rows: Vec<CRow> = on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(ChannelRow::try_from).collect()
    }

    pub async fn channel(&self, id: &str) -> Result<ChannelRow, StoreError> {
        let sql = format!("{SELECT_CHANNEL} WHERE id = $1");
        let row: Option<CRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::UnknownChannel(id.to_owned()))?
            .try_into()
    }

    /// Records a delivery's outcome on its channel; returns whether the channel just started
    /// failing (`Some(true)`) or recovered (`Some(false)`): the update that flips it is this one.
    pub async fn channel_outcome(
        &self,
        id: &str,
        error: Option<&str>,
        failing_after: u32,
    ) -> Result<Option<bool>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let flipped = match error {
                None => sqlx::query(
                    "UPDATE notification_channels SET consecutive_failures = 0, failing = FALSE, \
                     last_error = NULL WHERE id = $1 AND failing = TRUE",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                .gt(&0)
                .then_some(false),
                Some(e) => {
                    sqlx::query(
                        "UPDATE notification_channels SET consecutive_failures = \
                         consecutive_failures + 1, last_error = $1 WHERE id = $2",
                    )
                    .bind(e)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE notification_channels SET failing = TRUE WHERE id = $1 \
                         AND failing = FALSE AND consecutive_failures >= $2",
                    )
                    .bind(id)
                    .bind(i64::from(failing_after))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    .gt(&0)
                    .then_some(true)
                }
            };
            if error.is_none() && flipped.is_none() {
                sqlx::query(
                    "UPDATE notification_channels SET consecutive_failures = 0, last_error = NULL \
                     WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(flipped)
        })
    }

    pub async fn add_rule(
        &self,
        platform: &str,
        trigger: &Trigger,
        channels: &[String],
        cooldown_ms: i64,
        by: &Actor<'_>,
    ) -> Result<RuleRow, StoreError> {
        let id = new_id()?;
        let now = now_ms();
        let trigger_json = serde_json::to_string(trigger).map_err(|e| unreadable("trigger", e))?;
        let channels_json =
            serde_json::to_string(channels).map_err(|e| unreadable("channels", e))?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO notification_rules (id, platform, trigger, channels, cooldown_ms, \
                 created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&id)
            .bind(platform)
            .bind(&trigger_json)
            .bind(&channels_json)
            .bind(cooldown_ms)
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?;
            audit!(tx, now, by, AuditAction::RuleAdd, format!("platform {platform}: rule {id} on {}", trigger.key()));
            tx.commit().await?;
        });
        self.rule(&id).await
    }

    pub async fn remove_rule(
        &self,
        platform: &str,
        id: &str,
        by: &Actor<'_>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM notification_rules WHERE id = $1 AND platform = $2")
                .bind(id)
                .bind(platform)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                return Err(StoreError::UnknownRule(id.to_owned()));
            }
            audit!(tx, now, by, AuditAction::RuleRemove, format!("platform {platform}: rule {id}"));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn rule(&self, id: &str) -> Result<RuleRow, StoreError> {
        let sql = format!("{SELECT_RULE} WHERE id = $1");
        let row: Option<RRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::UnknownRule(id.to_owned()))?
            .try_into()
    }

    /// The rules of a platform, or of every platform.
    pub async fn rules(&self, platform: Option<&str>) -> Result<Vec<RuleRow>, StoreError> {
        let rows: Vec<RRow> = match platform {
            Some(p) => {
                let sql = format!("{SELECT_RULE} WHERE platform = $1 ORDER BY created_at, id");
                on_pool!(self, pool => sqlx::query_as(&sql).bind(p).fetch_all(pool).await?)
            }
            None => {
                let sql = format!("{SELECT_RULE} ORDER BY platform, created_at, id");
                on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?)
            }
        };
        rows.into_iter().map(RuleRow::try_from).collect()
    }

    /// Records that `rule`'s condition `key` is in `state` now. The update moves the state only
    /// from another one, so of several replicas seeing the same change one gets `Changed`.
    pub async fn observe(
        &self,
        rule: &str,
        key: &str,
        state: &str,
    ) -> Result<Observed, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let moved = sqlx::query(
                "UPDATE notification_conditions SET state = $1, changed_at = $2 \
                 WHERE rule_id = $3 AND key = $4 AND state <> $1",
            )
            .bind(state)
            .bind(now)
            .bind(rule)
            .bind(key)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let observed = if moved > 0 {
                let (sent,): (Option<i64>,) = sqlx::query_as(
                    "SELECT sent_at FROM notification_conditions WHERE rule_id = $1 AND key = $2",
                )
                .bind(rule)
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
                Observed::Changed { first: false, last_sent: sent }
            } else {
                let added = sqlx::query(
                    "INSERT INTO notification_conditions (rule_id, key, state, changed_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (rule_id, key) DO NOTHING",
                )
                .bind(rule)
                .bind(key)
                .bind(state)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if added > 0 {
                    Observed::Changed { first: true, last_sent: None }
                } else {
                    Observed::Same
                }
            };
            tx.commit().await?;
            Ok(observed)
        })
    }

    /// Stores an event and one pending delivery per channel, due now; marks the condition sent.
    pub async fn enqueue(
        &self,
        event: &Event,
        channels: &[(String, String)],
        condition: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let body = serde_json::to_string(event).map_err(|e| unreadable("event", e))?;
        let mut ids = Vec::new();
        for _ in channels {
            ids.push(new_id()?);
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO notification_events (id, platform, kind, body, at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&event.id)
            .bind(&event.platform)
            .bind(&event.kind)
            .bind(&body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for ((channel, name), id) in channels.iter().zip(&ids) {
                sqlx::query(
                    "INSERT INTO notification_deliveries (id, event_id, channel_id, channel_name, \
                     state, next_at, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
                )
                .bind(id)
                .bind(&event.id)
                .bind(channel)
                .bind(name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            if let Some((rule, key)) = condition {
                sqlx::query(
                    "UPDATE notification_conditions SET sent_at = $1 WHERE rule_id = $2 AND key = $3",
                )
                .bind(now)
                .bind(rule)
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Claims up to `limit` deliveries due now for `hold_ms`: each is this replica's to send
    /// until then (a replica that dies mid-send leaves it to be claimed again). The claim counts
    /// an attempt. One statement claims the batch; its outer condition is re-checked on each row
    /// it updates, so two replicas claiming at once (PostgreSQL re-reads a row another
    /// transaction updated) never both win one delivery.
    pub async fn claim_due(
        &self,
        limit: u32,
        hold_ms: i64,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let now = now_ms();
        let ids: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "UPDATE notification_deliveries SET claimed_until = $1, attempts = attempts + 1 \
                 WHERE state = 'pending' AND claimed_until <= $2 AND id IN (SELECT id FROM \
                 notification_deliveries WHERE state = 'pending' AND next_at <= $2 \
                 AND claimed_until <= $2 ORDER BY next_at, id LIMIT $3) RETURNING id",
            )
            .bind(now + hold_ms)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        let mut claimed = Vec::with_capacity(ids.len());
        for (id,) in ids {
            claimed.push(self.delivery(&id).await?);
        }
        // RETURNING gives no order: the oldest due first, as selected.
        claimed.sort_by(|a, b| (a.next_at, &a.id).cmp(&(b.next_at, &b.id)));
        Ok(claimed)
    }

    pub async fn delivery(&self, id: &str) -> Result<DeliveryRow, StoreError> {
        let sql = format!("{SELECT_DELIVERY} WHERE d.id = $1");
        let row: Option<DRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        row.ok_or_else(|| unreadable(id, "no such delivery"))?
            .try_into()
    }

    /// A claimed delivery's outcome: sent, or failed with the next try at `retry_at` (`None`:
    /// out of tries).
    pub async fn delivered(
        &self,
        id: &str,
        error: Option<&str>,
        retry_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            match (error, retry_at) {
                (None, _) => sqlx::query(
                    "UPDATE notification_deliveries SET state = 'sent', sent_at = $1, \
                     last_error = NULL, claimed_until = 0 WHERE id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?,
                (Some(e), Some(at)) => sqlx::query(
                    "UPDATE notification_deliveries SET last_error = $1, next_at = $2, \
                     claimed_until = 0 WHERE id = $3",
                )
                .bind(e)
                .bind(at)
                .bind(id)
                .execute(pool)
                .await?,
                (Some(e), None) => sqlx::query(
                    "UPDATE notification_deliveries SET state = 'failed', last_error = $1, \
                     claimed_until = 0 WHERE id = $2",
                )
                .bind(e)
                .bind(id)
                .execute(pool)
                .await?,
            };
        });
        Ok(())
    }

    /// Deliveries newest first, after `cursor` (the last page's last `(created_at, id)`).
    pub async fn deliveries(
        &self,
        limit: u32,
        cursor: Option<(i64, String)>,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let (at, id) = cursor.unwrap_or((i64::MAX, String::new()));
        let sql = format!(
            "{SELECT_DELIVERY} WHERE (d.created_at < $1 OR (d.created_at = $1 AND d.id < $2) \
             OR $2 = '') AND ($2 <> '' OR d.created_at <= $1) \
             ORDER BY d.created_at DESC, d.id DESC LIMIT $3"
        );
        let rows: Vec<DRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(at)
                .bind(&id)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(DeliveryRow::try_from).collect()
    }

    /// Records an alert Alertmanager reported: its state now, and whether that is news (a new
    /// alert, or one whose state changed; Alertmanager repeats itself, and a repeat is not).
    pub async fn record_alert(
        &self,
        platform: &str,
        fingerprint: &str,
        firing: bool,
        body: &str,
    ) -> Result<AlertNews, StoreError> {
        let now = now_ms();
        let status = if firing { "firing" } else { "resolved" };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE alerts SET status = $1, body = $2, received_at = $3 \
                 WHERE platform = $4 AND fingerprint = $5 AND status <> $1",
            )
            .bind(status)
            .bind(body)
            .bind(now)
            .bind(platform)
            .bind(fingerprint)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let news = if changed > 0 {
                AlertNews::Changed
            } else {
                let added = sqlx::query(
                    "INSERT INTO alerts (platform, fingerprint, status, body, received_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform, fingerprint) DO NOTHING",
                )
                .bind(platform)
                .bind(fingerprint)
                .bind(status)
                .bind(body)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if added > 0 { AlertNews::New } else { AlertNews::Repeat }
            };
            tx.commit().await?;
            Ok(news)
        })
    }

    /// The alerts firing on a platform, oldest first (their stored JSON bodies).
    pub async fn firing_alerts(&self, platform: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT body FROM alerts WHERE platform = $1 AND status = 'firing' \
                 ORDER BY received_at, fingerprint",
            )
            .bind(platform)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(b,)| b).collect())
    }
}

/// What an alert's report was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertNews {
    /// Not seen before.
    New,
    /// Seen in the other state.
    Changed,
    /// As it was.
    Repeat,
}
