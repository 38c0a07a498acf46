//! The queries behind platforms: what each follows, the phase it is on, its transitions, its
//! checklist's states and its milestone durations. Every write is one transaction whose first
//! statement writes, and every change is a compare-and-set on what the writer read (the
//! platform's version, an item's version), so a stale edit is refused, never applied over
//! somebody else's.

use phaseplan_model::access::AuditAction;
use phaseplan_model::cost::catalog::ProviderId;
use phaseplan_model::live::LiveComponent;
use phaseplan_model::operations::checklist::StoredItem;
use phaseplan_model::operations::{ActionOrigin, ActionState, StepDurations};
use phaseplan_model::scenario::Scenario;
use sqlx::FromRow;

use super::{Actor, Store, StoreError, audit, new_id, now_ms, on_pool, rfc3339};

/// A platform's row.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformRow {
    pub name: String,
    pub scenario_id: String,
    pub revision: u32,
    pub provider: ProviderId,
    pub sources: Option<Vec<String>>,
    pub phase: String,
    /// Durations someone set, by the phase the step leads to.
    pub durations: std::collections::BTreeMap<String, StepDurations>,
    pub version: u32,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, FromRow)]
struct Row {
    name: String,
    scenario_id: String,
    revision: i64,
    provider: String,
    sources: Option<String>,
    phase: String,
    durations: String,
    version: i64,
    created_at: i64,
    updated_at: i64,
    updated_by: String,
}

const SELECT_PLATFORM: &str = "SELECT name, scenario_id, revision, provider, sources, phase, \
     durations, version, created_at, updated_at, updated_by FROM platforms";

fn number(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn corrupt(what: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("platform {what} cannot be read: {why}").into(),
    ))
}

impl TryFrom<Row> for PlatformRow {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let provider =
            ProviderId::parse("provider", &r.provider).map_err(|e| corrupt(&r.name, e))?;
        let sources = r
            .sources
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt(&r.name, e))?;
        let durations = serde_json::from_str(&r.durations).map_err(|e| corrupt(&r.name, e))?;
        Ok(PlatformRow {
            name: r.name,
            scenario_id: r.scenario_id,
            revision: number(r.revision),
            provider,
            sources,
            phase: r.phase,
            durations,
            version: number(r.version),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            updated_by: r.updated_by,
        })
    }
}

/// What a new platform starts with, checked by the caller against its scenario.
#[derive(Debug, Clone)]
pub struct NewPlatformRow<'a> {
    pub name: &'a str,
    pub scenario_id: &'a str,
    pub revision: u32,
    pub provider: ProviderId,
    pub sources: Option<&'a [String]>,
    pub phase: &'a str,
}

/// A change to a platform's settings, checked by the caller.
#[derive(Debug, Clone)]
pub struct PlatformChange<'a> {
    pub scenario_id: &'a str,
    pub revision: u32,
    pub provider: ProviderId,
    pub sources: Option<&'a [String]>,
    pub durations: &'a std::collections::BTreeMap<String, StepDurations>,
}

/// One transition as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionRow {
    pub number: u32,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub reason: String,
    pub forced: bool,
    pub scenario_id: String,
    pub revision: u32,
    pub provider: ProviderId,
    pub at_ms: i64,
    pub by: String,
    pub validated: bool,
}

#[derive(Debug, FromRow)]
struct TRow {
    number: i64,
    from_phase: String,
    from_name: String,
    to_phase: String,
    to_name: String,
    reason: String,
    forced: bool,
    scenario_id: String,
    revision: i64,
    provider: String,
    at: i64,
    by_name: String,
    validated_at: Option<i64>,
}

/// A transition to record, checked by the caller.
#[derive(Debug, Clone)]
pub struct NewTransitionRow<'a> {
    /// The phase and version the caller read: the move happens only from there.
    pub from: &'a str,
    pub from_name: &'a str,
    pub version: u32,
    pub to: &'a str,
    pub to_name: &'a str,
    pub reason: &'a str,
    pub forced: bool,
    pub scenario_id: &'a str,
    pub revision: u32,
    pub provider: ProviderId,
}

#[derive(Debug, FromRow)]
struct IRow {
    id: String,
    toward: String,
    origin: String,
    title: String,
    component: Option<String>,
    state: String,
    version: i64,
    updated_at: i64,
    updated_by: String,
}

impl IRow {
    fn into_item(self) -> Result<StoredItem, StoreError> {
        let origin = match self.origin.as_str() {
            "plan" => ActionOrigin::Plan,
            _ => ActionOrigin::Person,
        };
        let state = ActionState::parse(&self.state)
            .ok_or_else(|| corrupt(&self.id, format!("state {:?}", self.state)))?;
        let component = self
            .component
            .as_deref()
            .and_then(|c| LiveComponent::ALL.into_iter().find(|l| l.key() == c));
        Ok(StoredItem {
            id: self.id,
            toward: self.toward,
            title: self.title,
            component,
            origin,
            state,
            version: number(self.version),
            updated_by: self.updated_by,
            updated_at: rfc3339(self.updated_at),
        })
    }
}

/// What the default platform is created from on first start.
#[derive(Debug, Clone)]
pub struct FirstPlatform<'a> {
    pub scenario_name: &'a str,
    pub scenario: &'a Scenario,
    pub provider: ProviderId,
    pub phase: &'a str,
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt("settings", e))
}

impl Store {
    /// Every platform, by name.
    pub async fn platforms(&self) -> Result<Vec<PlatformRow>, StoreError> {
        let sql = format!("{SELECT_PLATFORM} ORDER BY name");
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(PlatformRow::try_from).collect()
    }

    pub async fn platform(&self, name: &str) -> Result<PlatformRow, StoreError> {
        let sql = format!("{SELECT_PLATFORM} WHERE name = $1");
        let row: Option<Row> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(name).fetch_optional(pool).await?);
        row.ok_or_else(|| StoreError::UnknownPlatform(name.to_owned()))?
            .try_into()
    }

    pub async fn create_platform(
        &self,
        p: &NewPlatformRow<'_>,
        by: &Actor<'_>,
    ) -> Result<PlatformRow, StoreError> {
        let now = now_ms();
        let sources = p.sources.map(json).transpose()?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let added = sqlx::query(
                "INSERT INTO platforms (name, scenario_id, revision, provider, sources, phase, \
                 durations, version, created_at, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, '{}', 1, $7, $7, $8) ON CONFLICT (name) DO NOTHING",
            )
            .bind(p.name)
            .bind(p.scenario_id)
            .bind(i64::from(p.revision))
            .bind(p.provider.key())
            .bind(&sources)
            .bind(p.phase)
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 0 {
                tx.rollback().await?;
                return Err(StoreError::NameTaken { what: "platform", name: p.name.to_owned() });
            }
            audit!(tx, now, by, AuditAction::PlatformCreate, format!("platform {} on {} ({} revision {})", p.name, p.phase, p.scenario_id, p.revision));
            tx.commit().await?;
        });
        self.platform(p.name).await
    }

    /// Creates the platform `default` with its scenario as revision 1, unless any platform
    /// exists: on the first start of a database. Replicas starting together may both try; the
    /// platform's name is the key, so one commits and the other's whole transaction (its
    /// scenario too) rolls back. Returns whether this call created it.
    pub async fn ensure_first_platform(
        &self,
        f: &FirstPlatform<'_>,
        by: &Actor<'_>,
    ) -> Result<bool, StoreError> {
        let none: Option<(String,)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT name FROM platforms LIMIT 1").fetch_optional(pool).await?
        });
        if none.is_some() {
            return Ok(false);
        }
        let id = new_id()?;
        let now = now_ms();
        let scenario = json(f.scenario)?;
        let name = phaseplan_model::operations::DEFAULT_PLATFORM;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO scenarios (id, name, description, latest_revision, archived, \
                 created_at, updated_at, updated_by) VALUES ($1, $2, $3, 1, FALSE, $4, $4, $5)",
            )
            .bind(&id)
            .bind(f.scenario_name)
            .bind("The plan the default platform follows, made from the live settings' preset on first start")
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?;
            sqlx::query(super::scenarios::INSERT_REVISION)
                .bind(&id)
                .bind(1_i64)
                .bind(i64::from(f.scenario.format_version))
                .bind(&scenario)
                .bind("Created for the default platform")
                .bind(now)
                .bind(by.name)
                .execute(&mut *tx)
                .await?;
            let added = sqlx::query(
                "INSERT INTO platforms (name, scenario_id, revision, provider, sources, phase, \
                 durations, version, created_at, updated_at, updated_by) \
                 VALUES ($1, $2, 1, $3, NULL, $4, '{}', 1, $5, $5, $6) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(&id)
            .bind(f.provider.key())
            .bind(f.phase)
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            audit!(tx, now, by, AuditAction::ScenarioCreate, format!("scenario {id} revision 1"));
            audit!(tx, now, by, AuditAction::PlatformCreate, format!("platform {name} on {} ({id} revision 1)", f.phase));
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Changes what a platform follows, if its version is still `expected`.
    pub async fn edit_platform(
        &self,
        name: &str,
        expected: u32,
        c: &PlatformChange<'_>,
        by: &Actor<'_>,
        action: AuditAction,
        what: &str,
    ) -> Result<PlatformRow, StoreError> {
        let now = now_ms();
        let sources = c.sources.map(json).transpose()?;
        let durations = json(c.durations)?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let moved = sqlx::query(
                "UPDATE platforms SET scenario_id = $1, revision = $2, provider = $3, sources = $4, \
                 durations = $5, version = version + 1, updated_at = $6, updated_by = $7 \
                 WHERE name = $8 AND version = $9",
            )
            .bind(c.scenario_id)
            .bind(i64::from(c.revision))
            .bind(c.provider.key())
            .bind(&sources)
            .bind(&durations)
            .bind(now)
            .bind(by.name)
            .bind(name)
            .bind(i64::from(expected))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                tx.rollback().await?;
                return Err(self.stale_platform(name).await);
            }
            audit!(tx, now, by, action, format!("platform {name}: {what}"));
            tx.commit().await?;
        });
        self.platform(name).await
    }

    /// The error for a compare-and-set on a platform that moved nothing.
    async fn stale_platform(&self, name: &str) -> StoreError {
        match self.platform(name).await {
            Ok(p) => StoreError::StalePlatform { current: p.version },
            Err(e) => e,
        }
    }

    /// Moves the platform from `t.from` (at version `t.version`) to `t.to` and records the
    /// transition, both or neither.
    pub async fn record_transition(
        &self,
        name: &str,
        t: &NewTransitionRow<'_>,
        by: &Actor<'_>,
    ) -> Result<TransitionRow, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let moved = sqlx::query(
                "UPDATE platforms SET phase = $1, version = version + 1, updated_at = $2, \
                 updated_by = $3 WHERE name = $4 AND phase = $5 AND version = $6",
            )
            .bind(t.to)
            .bind(now)
            .bind(by.name)
            .bind(name)
            .bind(t.from)
            .bind(i64::from(t.version))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                tx.rollback().await?;
                return Err(self.stale_platform(name).await);
            }
            sqlx::query(
                "INSERT INTO transitions (platform, number, from_phase, from_name, to_phase, \
                 to_name, reason, forced, scenario_id, revision, provider, at, by_name) \
                 SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                 $11, $12 FROM transitions WHERE platform = $1",
            )
            .bind(name)
            .bind(t.from)
            .bind(t.from_name)
            .bind(t.to)
            .bind(t.to_name)
            .bind(t.reason)
            .bind(t.forced)
            .bind(t.scenario_id)
            .bind(i64::from(t.revision))
            .bind(t.provider.key())
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?;
            audit!(tx, now, by, AuditAction::PlatformTransition, format!("platform {name}: {} → {}{}", t.from, t.to, if t.forced { " (forced)" } else { "" }));
            tx.commit().await?;
        });
        self.transitions(name)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| corrupt(name, "the transition just recorded is missing"))
    }

    /// A platform's transitions, newest first.
    pub async fn transitions(&self, name: &str) -> Result<Vec<TransitionRow>, StoreError> {
        let rows: Vec<TRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT number, from_phase, from_name, to_phase, to_name, reason, forced, \
                 scenario_id, revision, provider, at, by_name, validated_at FROM transitions \
                 WHERE platform = $1 ORDER BY number DESC",
            )
            .bind(name)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(TransitionRow {
                    number: number(r.number),
                    provider: ProviderId::parse("provider", &r.provider)
                        .map_err(|e| corrupt(name, e))?,
                    from: r.from_phase,
                    from_name: r.from_name,
                    to: r.to_phase,
                    to_name: r.to_name,
                    reason: r.reason,
                    forced: r.forced,
                    scenario_id: r.scenario_id,
                    revision: number(r.revision),
                    at_ms: r.at,
                    by: r.by_name,
                    validated: r.validated_at.is_some(),
                })
            })
            .collect()
    }

    /// Marks transition `n` validated (or not).
    pub async fn set_validated(
        &self,
        name: &str,
        n: u32,
        validated: bool,
        by: &Actor<'_>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE transitions SET validated_at = $1, validated_by = $2 \
                 WHERE platform = $3 AND number = $4",
            )
            .bind(validated.then_some(now))
            .bind(validated.then_some(by.name))
            .bind(name)
            .bind(i64::from(n))
            .execute(&mut *tx)
            .await?;
            audit!(tx, now, by, AuditAction::MilestoneEdit, format!("platform {name}: transition {n} {}", if validated { "validated" } else { "not validated" }));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every stored checklist item of a platform.
    pub async fn checklist_items(&self, name: &str) -> Result<Vec<StoredItem>, StoreError> {
        let rows: Vec<IRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, toward, origin, title, component, state, version, updated_at, \
                 updated_by FROM checklist_items WHERE platform = $1 ORDER BY created_at, id",
            )
            .bind(name)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(IRow::into_item).collect()
    }

    /// Adds a person's action toward `toward`; at most `max` of them per phase.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_item(
        &self,
        name: &str,
        toward: &str,
        title: &str,
        component: Option<LiveComponent>,
        max: usize,
        by: &Actor<'_>,
    ) -> Result<String, StoreError> {
        let id = new_id()?;
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO checklist_items (platform, id, toward, origin, title, component, \
                 state, version, created_at, updated_at, updated_by) \
                 VALUES ($1, $2, $3, 'person', $4, $5, 'pending', 1, $6, $6, $7)",
            )
            .bind(name)
            .bind(&id)
            .bind(toward)
            .bind(title)
            .bind(component.map(LiveComponent::key))
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?;
            let (count,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM checklist_items WHERE platform = $1 AND toward = $2 \
                 AND origin = 'person'",
            )
            .bind(name)
            .bind(toward)
            .fetch_one(&mut *tx)
            .await?;
            if usize::try_from(count).unwrap_or(usize::MAX) > max {
                tx.rollback().await?;
                return Err(StoreError::TooManyItems(max));
            }
            audit!(tx, now, by, AuditAction::ChecklistAdd, format!("platform {name}: item {id} toward {toward}"));
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Sets an item's state if its version is still `expected`. A plan action nobody has touched
    /// (version 0) has no row yet: the first edit inserts it, and a second edit from version 0
    /// finds the row taken and is refused as stale.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_item(
        &self,
        name: &str,
        id: &str,
        plan: Option<(&str, &str, Option<LiveComponent>)>,
        state: ActionState,
        expected: u32,
        by: &Actor<'_>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = match (expected, plan) {
                (0, Some((toward, title, component))) => sqlx::query(
                    "INSERT INTO checklist_items (platform, id, toward, origin, title, component, \
                     state, version, created_at, updated_at, updated_by) \
                     VALUES ($1, $2, $3, 'plan', $4, $5, $6, 1, $7, $7, $8) \
                     ON CONFLICT (platform, id) DO NOTHING",
                )
                .bind(name)
                .bind(id)
                .bind(toward)
                .bind(title)
                .bind(component.map(LiveComponent::key))
                .bind(state.as_str())
                .bind(now)
                .bind(by.name)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                _ => sqlx::query(
                    "UPDATE checklist_items SET state = $1, version = version + 1, \
                     updated_at = $2, updated_by = $3 WHERE platform = $4 AND id = $5 \
                     AND version = $6",
                )
                .bind(state.as_str())
                .bind(now)
                .bind(by.name)
                .bind(name)
                .bind(id)
                .bind(i64::from(expected))
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            };
            if changed == 0 {
                let current: Option<(i64,)> = sqlx::query_as(
                    "SELECT version FROM checklist_items WHERE platform = $1 AND id = $2",
                )
                .bind(name)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                tx.rollback().await?;
                return Err(match current {
                    Some((v,)) => StoreError::StaleItem { id: id.to_owned(), current: number(v) },
                    None if plan.is_some() => StoreError::StaleItem { id: id.to_owned(), current: 0 },
                    None => StoreError::UnknownItem(id.to_owned()),
                });
            }
            audit!(tx, now, by, AuditAction::ChecklistEdit, format!("platform {name}: item {id} {}", state.as_str()));
            tx.commit().await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transition_row_names_its_provider_by_key() {
        assert_eq!(
            ProviderId::parse("provider", ProviderId::Hetzner.key()).unwrap(),
            ProviderId::Hetzner
        );
    }
}
