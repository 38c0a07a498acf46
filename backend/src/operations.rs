//! Platforms on the server: loading one with the revision it follows, judging it against its own
//! live sources, and recording what people do — the one place the native routes
//! (`/api/v1/platforms/…`) and the seeds' scaling API (`/api/scaling/…`) share, so both tell the
//! same figures. The derivations themselves are the model's ([`phaseplan_model::operations`]).

use std::sync::Arc;

use phaseplan_model::api::SavedScenario;
use phaseplan_model::bundle::{BundleSpec, render};
use phaseplan_model::cost::catalog::{Catalog, ProviderId};
use phaseplan_model::evaluate::ladder_changes;
use phaseplan_model::live::{LiveAnalysis, Observations};
use phaseplan_model::operations::checklist::{self, Checklist};
use phaseplan_model::operations::milestones::{self, LastMove, MilestoneInputs, Milestones};
use phaseplan_model::operations::{
    DEFAULT_PLATFORM, Day, PhaseStep, Platform, PlatformStatus, StepDurations, TransitionRecord,
    check_reason,
};
use phaseplan_model::timeline::phase_timeline;
use phaseplan_model::valid::ValidScenario;
use phaseplan_model::{Reason, ValidationError};

use crate::error::AppError;
use crate::http::work::WorkPool;
use crate::live::{LiveHub, LivePlan, now_unix};
use crate::store::{Actor, FirstPlatform, NewTransitionRow, PlatformRow, Store, TransitionRow};

/// A platform with the revision it follows, validated, and its phase's place on the ladder.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub row: PlatformRow,
    pub saved: SavedScenario,
    pub valid: ValidScenario,
    pub phase_index: usize,
}

/// Loads platform `name`; a phase the followed revision lacks cannot happen (a move to a
/// revision without it is refused), so finding none is a corrupt database.
pub async fn load(store: &Store, name: &str) -> Result<Loaded, AppError> {
    let row = store.platform(name).await?;
    let saved = store.revision(&row.scenario_id, row.revision).await?;
    let valid = saved
        .scenario
        .clone()
        .validate()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("platform {name}'s revision: {e}")))?;
    let phase_index = valid
        .ladder()
        .phases()
        .iter()
        .position(|p| p.key == row.phase)
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "platform {name} is on {:?}, which its revision's ladder lacks",
                row.phase
            ))
        })?;
    Ok(Loaded {
        row,
        saved,
        valid,
        phase_index,
    })
}

impl Loaded {
    pub fn view(&self) -> Platform {
        let phases = self.valid.ladder().phases();
        Platform {
            name: self.row.name.clone(),
            scenario_id: self.row.scenario_id.clone(),
            scenario_name: self.saved.name.clone(),
            revision: self.row.revision,
            latest_revision: self.saved.latest_revision,
            scenario_archived: self.saved.archived,
            provider: self.row.provider,
            sources: self.row.sources.clone(),
            phase: self.row.phase.clone(),
            phase_name: phases[self.phase_index].name.clone(),
            next_phase: phases.get(self.phase_index + 1).map(|p| p.key.clone()),
            version: self.row.version,
            created_at: self.row.created_at.clone(),
            updated_at: self.row.updated_at.clone(),
            updated_by: self.row.updated_by.clone(),
        }
    }

    pub fn live_plan(&self) -> LivePlan {
        LivePlan {
            scenario: self.valid.clone(),
            phase_index: self.phase_index,
        }
    }

    /// The durations of the step onto rung `to` and whether someone set them.
    pub fn durations(&self, to: usize) -> (StepDurations, bool) {
        let key = self.valid.ladder().phases().get(to).map(|p| p.key.as_str());
        match key.and_then(|k| self.row.durations.get(k)) {
            Some(d) => (*d, true),
            None => (StepDurations::seed_default(to), false),
        }
    }
}

/// Today, as the milestones count it (UTC).
pub fn today() -> Day {
    Day::from_unix_seconds(now_unix())
}

/// The bundle of a platform's phase (or another phase of its ladder) for its provider, where a
/// download of it is: the revision it was generated from is named, so the file is the same.
pub fn bundle_path(scenario_id: &str, revision: u32, phase: &str, provider: ProviderId) -> String {
    format!(
        "/api/v1/bundles/{phase}/{}.zip?scenario={scenario_id}&revision={revision}",
        provider.key()
    )
}

pub fn record_view(t: &TransitionRow) -> TransitionRecord {
    TransitionRecord {
        number: t.number,
        from: t.from.clone(),
        from_name: t.from_name.clone(),
        to: t.to.clone(),
        to_name: t.to_name.clone(),
        reason: t.reason.clone(),
        forced: t.forced,
        by: t.by.clone(),
        at: crate::store::rfc3339(t.at_ms),
        scenario_id: t.scenario_id.clone(),
        revision: t.revision,
        provider: t.provider,
        bundle: bundle_path(&t.scenario_id, t.revision, &t.to, t.provider),
    }
}

/// Everything about a platform now: the parts the Operations page, the native status route and
/// the seeds' status all read.
#[derive(Debug, Clone)]
pub struct Judged {
    pub loaded: Loaded,
    pub live: LiveAnalysis,
    pub latest: Observations,
    pub checklist: Checklist,
    pub milestones: Milestones,
    pub transitions: Vec<TransitionRow>,
    /// Firing, as Alertmanager last said.
    pub alerts: Vec<phaseplan_model::notify::alertmanager::FiringAlert>,
}

/// Judges a platform: its sources against its phase, its checklist against those readings, its
/// milestones against today and the live forecast.
pub async fn judge(store: &Store, hub: &LiveHub, name: &str) -> Result<Judged, AppError> {
    let loaded = load(store, name).await?;
    let (live, latest) = hub.analyse_for(loaded.row.sources.as_deref(), &loaded.live_plan());
    let stored = store.checklist_items(name).await?;
    let list = checklist::checklist(&loaded.valid, loaded.phase_index, &stored, &live.readings);
    let transitions = store.transitions(name).await?;
    let phases = loaded.valid.ladder().phases();
    let last_move = transitions
        .first()
        .filter(|t| t.to == loaded.row.phase)
        .and_then(|t| {
            let from = phases.iter().position(|p| p.key == t.from)?;
            (from < loaded.phase_index).then(|| LastMove {
                to: t.to.clone(),
                to_name: t.to_name.clone(),
                day: Day::from_unix_seconds(t.at_ms as f64 / 1_000.0),
                validation: loaded.durations(loaded.phase_index).0.validation,
                validated: t.validated,
            })
        });
    // The forecast dates the next phase only from a significant rise (`first`).
    let forecast = live
        .forecast
        .as_ref()
        .and_then(|f| f.first_crossing())
        .and_then(|c| c.crossing.at)
        .map(Day::from_unix_seconds);
    let (durations, custom) = loaded.durations(loaded.phase_index + 1);
    let milestones = milestones::milestones(&MilestoneInputs {
        scenario: &loaded.valid,
        phase_index: loaded.phase_index,
        today: today(),
        durations,
        custom_durations: custom,
        checklist: &list,
        forecast,
        last_move,
        validated_next: false,
    });
    // A stored alert that no longer reads is left out, not a failure of the whole status.
    let alerts = store
        .firing_alerts(name)
        .await?
        .iter()
        .filter_map(|b| serde_json::from_str(b).ok())
        .collect();
    Ok(Judged {
        loaded,
        live,
        latest,
        checklist: list,
        milestones,
        transitions,
        alerts,
    })
}

impl Judged {
    pub fn status(&self) -> PlatformStatus {
        PlatformStatus {
            platform: self.loaded.view(),
            phases: self
                .loaded
                .valid
                .ladder()
                .phases()
                .iter()
                .map(|p| PhaseStep {
                    key: p.key.clone(),
                    name: p.name.clone(),
                    max_users: p.max_users,
                })
                .collect(),
            live: self.live.clone(),
            checklist: self.checklist.clone(),
            milestones: self.milestones.clone(),
            transitions: self.transitions.iter().map(record_view).collect(),
            alerts: self.alerts.clone(),
        }
    }

    /// The plan's projected users in this calendar month (its first month before the plan
    /// starts, its last after it ends).
    pub fn plan_users(&self) -> f64 {
        let (y, m, _) = today().civil();
        let months = phase_timeline(&self.loaded.valid).months;
        let now = months
            .iter()
            .find(|p| (p.year, p.calendar_month) == (y, m))
            .or_else(|| {
                let first = months.first()?;
                if (y, m) < (first.year, first.calendar_month) {
                    Some(first)
                } else {
                    months.last()
                }
            });
        now.map_or(0.0, |p| p.users)
    }
}

/// What recording a transition did: the record, what changed between the two bundles, and what
/// to do next.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub record: TransitionRecord,
    pub changes: Vec<String>,
    pub next_steps: Vec<String>,
}

/// Who hears of a recorded transition: the notifier. A parameter of [`transition`], so no route
/// that records one can forget to tell; a trait, so this module need not import the notifier
/// (which judges platforms through this one).
pub trait TransitionListener: Sync {
    /// Platform `platform` moved as `t` says (already stored).
    fn transition_recorded(
        &self,
        platform: &str,
        t: &TransitionRecord,
    ) -> impl std::future::Future<Output = ()> + Send;
}

/// Records platform `name`'s move to the phase `to`, with the checks the API promises: an
/// unknown phase is a 404 naming `phase`, the phase it is on or a skip without `force` a 422
/// naming `phase`, a platform following an archived scenario a 409 naming `scenario_id`, and a
/// move raced by another a 409. Once stored, `listener` hears of it.
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    store: &Store,
    hub: &LiveHub,
    catalog: &Arc<Catalog>,
    work: &WorkPool,
    listener: &impl TransitionListener,
    by: &Actor<'_>,
    name: &str,
    to: &str,
    reason: &str,
    force: bool,
) -> Result<Recorded, AppError> {
    check_reason(reason)?;
    let loaded = load(store, name).await?;
    if loaded.saved.archived {
        return Err(AppError::Conflict {
            message: format!(
                "the scenario {:?} the platform follows is archived: restore it, or move the \
                 platform to another scenario, before recording a transition",
                loaded.saved.name
            ),
            current_revision: None,
            field: Some("scenario_id"),
        });
    }
    let phases = loaded.valid.ladder().phases();
    let from = loaded.phase_index;
    let target =
        phases
            .iter()
            .position(|p| p.key == to)
            .ok_or_else(|| AppError::UnknownInPath {
                field: "phase",
                message: format!(
                    "the plan has no phase {to:?}; its phases: {}",
                    phases
                        .iter()
                        .map(|p| p.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
    if target == from {
        return Err(ValidationError::new("phase", Reason::SamePhase).into());
    }
    let (low, high) = (from.min(target), from.max(target));
    if high - low > 1 && !force {
        let over = phases[low + 1..high]
            .iter()
            .map(|p| p.name.clone())
            .collect();
        return Err(ValidationError::new("phase", Reason::SkipsPhases { over }).into());
    }
    let provider = loaded.row.provider;
    let (valid, catalog_) = (loaded.valid.clone(), Arc::clone(catalog));
    let (from_key, to_key) = (phases[from].key.clone(), phases[target].key.clone());
    let changes = work
        .run("the bundles of both phases", move || {
            let spec = |k: &str| BundleSpec::new(&valid, &catalog_, k, provider);
            let (a, b) = (spec(&from_key)?, spec(&to_key)?);
            let (ba, bb) = (render(&a)?, render(&b)?);
            Ok::<_, AppError>(phaseplan_model::operations::scaling::bundle_changes(
                (&a, &ba),
                (&b, &bb),
            ))
        })
        .await??;
    let mut next_steps: Vec<String> = if target > from {
        phases[from..=target]
            .windows(2)
            .flat_map(|w| ladder_changes(&w[0], &w[1]))
            .map(|c| c.text)
            .collect()
    } else {
        vec![format!(
            "Scale back to {}: apply its bundle and watch the readings against its thresholds",
            phases[target].name
        )]
    };
    next_steps.push(format!(
        "Deploy the {} bundle for {}: {}",
        phases[target].name,
        provider.key(),
        bundle_path(&loaded.row.scenario_id, loaded.row.revision, to, provider)
    ));
    let row = store
        .record_transition(
            name,
            &NewTransitionRow {
                from: &phases[from].key,
                from_name: &phases[from].name,
                version: loaded.row.version,
                to,
                to_name: &phases[target].name,
                reason,
                forced: high - low > 1,
                scenario_id: &loaded.row.scenario_id,
                revision: loaded.row.revision,
                provider,
            },
            by,
        )
        .await?;
    if name == DEFAULT_PLATFORM {
        hub.follow(LivePlan {
            scenario: loaded.valid.clone(),
            phase_index: target,
        });
    }
    let record = record_view(&row);
    listener.transition_recorded(name, &record).await;
    Ok(Recorded {
        record,
        changes,
        next_steps,
    })
}

/// On a database's first start, creates the platform `default` from the live settings' preset
/// (saved as a scenario, revision 1) on the phase `[live] phase` names or the plan requires now;
/// then the live stream follows the default platform's recorded phase.
/// The hub starts with that preset and phase ([`crate::live::LiveConfig`] checked both).
pub async fn start(store: &Store, hub: &LiveHub) -> Result<(), AppError> {
    let plan = hub.plan();
    let phases = plan.scenario.ladder().phases();
    let index = plan.phase_index;
    let scenario = plan.scenario.scenario();
    let name = format!("{} (default platform)", scenario.name);
    let created = store
        .ensure_first_platform(
            &FirstPlatform {
                scenario_name: &name,
                scenario,
                provider: scenario.pricing.provider,
                phase: &phases[index].key,
            },
            &Actor {
                name: "server",
                address: "first start",
            },
        )
        .await?;
    if created {
        tracing::info!(phase = %phases[index].key, "created the default platform");
    }
    follow_default(store, hub).await
}

/// Points the live stream at the default platform's plan and phase, if there is one.
pub async fn follow_default(store: &Store, hub: &LiveHub) -> Result<(), AppError> {
    match load(store, DEFAULT_PLATFORM).await {
        Ok(l) => {
            hub.follow(l.live_plan());
            Ok(())
        }
        Err(AppError::UnknownInPath { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}
