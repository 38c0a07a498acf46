//! Running the platform from the plan: a **platform** ("production", "staging") follows one
//! saved scenario revision on one provider and is on one phase of its ladder; it keeps its
//! transition history, a checklist toward the next phase ([`checklist`]), milestones dated from
//! the plan and judged against the live forecast ([`milestones`]), and answers the seeds'
//! scaling API in the seeds' own shapes ([`scaling`]).
//!
//! The server stores what people did (the phase, transitions, ticks, durations); everything
//! else is derived here from the plan each time it is read, so the checklist and the dates can
//! never disagree with the scenario the platform follows.

pub mod checklist;
pub mod date;
pub mod milestones;
pub mod scaling;
pub mod span;

use serde::{Deserialize, Deserializer, Serialize};

use crate::access::check_name;
use crate::cost::catalog::ProviderId;
use crate::error::{Reason, ValidationError, check_text};
use crate::live::LiveAnalysis;

pub use checklist::{
    ActionOrigin, ActionState, Checklist, ChecklistEdit, ChecklistItem, NewChecklistItem,
};
pub use date::Day;
pub use milestones::{Milestone, MilestoneKey, MilestoneStatus, Milestones};
pub use span::{Span, StepDurations};

/// The platform created on first start when there is none.
pub const DEFAULT_PLATFORM: &str = "default";
/// Longest reason of a transition.
pub const MAX_REASON: usize = 500;
/// Live sources a platform may name.
pub const MAX_SOURCES: usize = 32;

/// A platform as stored, with the names of what it follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Platform {
    /// Its id: 1–64 letters, digits, dots, underscores or dashes (`production`).
    pub name: String,
    pub scenario_id: String,
    pub scenario_name: String,
    /// The revision it follows, and the scenario's latest (a newer one is adopted on purpose).
    pub revision: u32,
    pub latest_revision: u32,
    /// The scenario is archived: the platform can be read, not moved, until it is restored or
    /// follows another scenario.
    pub scenario_archived: bool,
    pub provider: ProviderId,
    /// The live sources it reads, by name; `None` reads all of them.
    pub sources: Option<Vec<String>>,
    /// The phase it is on (its key and name) and the next one up, if any.
    pub phase: String,
    pub phase_name: String,
    pub next_phase: Option<String>,
    /// Counts changes to the platform's settings and phase: an edit names the version it
    /// started from.
    pub version: u32,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// `POST /api/v1/platforms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPlatform {
    pub name: String,
    pub scenario_id: String,
    /// Default: the scenario's latest revision.
    #[serde(default)]
    pub revision: Option<u32>,
    /// Default: the scenario's own provider.
    #[serde(default)]
    pub provider: Option<ProviderId>,
    /// Default (absent or null): every configured source.
    #[serde(default)]
    pub sources: Option<Vec<String>>,
    /// Default: the phase the plan requires now.
    #[serde(default)]
    pub phase: Option<String>,
}

/// `PATCH /api/v1/platforms/{id}`: follow another revision (or scenario), change provider or
/// sources. Absent fields stay; `"sources": null` reads every source again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlatformEdit {
    /// The version the edit started from ([`Platform::version`]).
    pub version: u32,
    #[serde(default)]
    pub scenario_id: Option<String>,
    #[serde(default)]
    pub revision: Option<u32>,
    #[serde(default)]
    pub provider: Option<ProviderId>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub sources: Option<Option<Vec<String>>>,
}

/// A field that is present (even as `null`) is `Some`, so `null` and absent differ.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Checks a platform's name and sources.
pub fn check_platform(name: &str, sources: Option<&[String]>) -> Result<(), ValidationError> {
    check_name("name", name)?;
    if let Some(sources) = sources {
        if sources.len() > MAX_SOURCES {
            return Err(ValidationError::new(
                "sources",
                Reason::TooMany {
                    max: MAX_SOURCES,
                    what: "sources",
                },
            ));
        }
        for (i, s) in sources.iter().enumerate() {
            check_text(&format!("sources[{i}]"), s, true, 64)?;
            if sources[..i].contains(s) {
                return Err(ValidationError::new(
                    format!("sources[{i}]"),
                    Reason::Duplicate(s.clone()),
                ));
            }
        }
    }
    Ok(())
}

/// One recorded move between phases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionRecord {
    /// Counted from 1 per platform.
    pub number: u32,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub reason: String,
    /// Recorded with `force` (it skipped phases).
    pub forced: bool,
    pub by: String,
    pub at: String,
    /// The bundle deployed: the scenario revision and provider it was generated from, and where
    /// to download it.
    pub scenario_id: String,
    pub revision: u32,
    pub provider: ProviderId,
    pub bundle: String,
}

/// `POST /api/v1/platforms/{id}/transitions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTransition {
    /// The phase to move to (its key).
    pub to: String,
    #[serde(default)]
    pub reason: String,
    /// Record it even though it skips phases.
    #[serde(default)]
    pub force: bool,
}

/// The seeds' `POST /api/scaling/transition/{phase}` body: both fields optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub force: bool,
}

/// `PATCH /api/v1/platforms/{id}/milestones`: the durations of the step toward `toward`, and
/// its validation mark. Absent fields stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MilestoneEdit {
    /// The phase whose transition the edit is about.
    pub toward: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2-3 weeks"))]
    pub preparation: Option<Span>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2-4 hours"))]
    pub execution: Option<Span>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "1-2 days"))]
    pub validation: Option<Span>,
    /// Back to the seeds' durations.
    #[serde(default)]
    pub reset_durations: bool,
    /// Marks the move onto `toward` validated (or not).
    #[serde(default)]
    pub validated: Option<bool>,
}

/// Checks a transition's reason.
pub fn check_reason(reason: &str) -> Result<(), ValidationError> {
    check_text("reason", reason, false, MAX_REASON)
}

/// Everything the Operations page shows of one platform, in one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformStatus {
    pub platform: Platform,
    /// The ladder's phases, in order: `(key, name)`.
    pub phases: Vec<PhaseStep>,
    /// The live analysis of the platform's sources against its phase.
    pub live: LiveAnalysis,
    pub checklist: Checklist,
    pub milestones: Milestones,
    /// Newest first.
    pub transitions: Vec<TransitionRecord>,
    /// What Alertmanager reports firing on the platform now (`POST /api/v1/alertmanager`).
    pub alerts: Vec<crate::notify::alertmanager::FiringAlert>,
}

/// One rung of the phase track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhaseStep {
    pub key: String,
    pub name: String,
    pub max_users: u32,
}
