//! The checklist toward the next phase: the ladder's differences between the phase the platform
//! is on and the next one (what the plan's advice lists when it says "prepare"), each an action
//! with its state, plus actions people add. Only a state is ever stored for a plan action: its
//! words come from the plan each time, so moving the platform to a newer revision re-words the
//! list, and an action the new revision no longer needs drops out instead of lingering.

use serde::{Deserialize, Serialize};

use crate::capacity::components::ComponentKind;
use crate::error::{ValidationError, check_text};
use crate::evaluate::ladder_changes;
use crate::live::{LiveComponent, Reading};
use crate::units::Status;
use crate::valid::ValidScenario;

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ActionState {
    Pending,
    InProgress,
    Completed,
}

impl ActionState {
    pub const ALL: [ActionState; 3] = [
        ActionState::Pending,
        ActionState::InProgress,
        ActionState::Completed,
    ];

    /// The stored and wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionState::Pending => "pending",
            ActionState::InProgress => "in-progress",
            ActionState::Completed => "completed",
        }
    }

    pub fn parse(text: &str) -> Option<ActionState> {
        ActionState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Where an action comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionOrigin {
    /// A difference between two rungs of the ladder.
    Plan,
    /// Added by a person.
    Person,
}

/// One action toward the next phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    /// Stable within the platform: `<next phase>.<setting>` for a plan action
    /// (`growth.database.read_replicas`), a random id for one a person added.
    pub id: String,
    pub title: String,
    /// The part of the stack it relieves, where one does.
    pub component: Option<LiveComponent>,
    pub origin: ActionOrigin,
    pub state: ActionState,
    /// Not completed, and its component is at or past its warning threshold now (live).
    pub critical: bool,
    /// Counts the item's changes: an edit names the version it started from, so a stale one is
    /// refused instead of undoing somebody else's tick. 0 for a plan action nobody has touched.
    pub version: u32,
    /// Who changed the state last, and when (RFC 3339); `None` while untouched.
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

/// The checklist of a platform toward its next phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checklist {
    /// The phase the platform is on, and the one the list leads to (`None` at the top of the
    /// ladder: then the plan's one action is to extend it).
    pub from: String,
    pub toward: Option<String>,
    pub items: Vec<ChecklistItem>,
    pub completed: usize,
    pub total: usize,
    /// `completed / total × 100`; 100 when there is nothing to do.
    pub progress_percent: f64,
}

/// What the database holds of one item: a plan action's state, or a whole action a person
/// added.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    pub id: String,
    /// The phase key the item leads to ([`Checklist::toward`]; empty beyond the ladder).
    pub toward: String,
    pub title: String,
    pub component: Option<LiveComponent>,
    pub origin: ActionOrigin,
    pub state: ActionState,
    pub version: u32,
    pub updated_by: String,
    pub updated_at: String,
}

/// A person's action to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewChecklistItem {
    pub title: String,
    #[serde(default)]
    pub component: Option<LiveComponent>,
}

/// Longest action title.
pub const MAX_TITLE: usize = 200;
/// Actions people may add toward one phase.
pub const MAX_PERSON_ITEMS: usize = 100;

impl NewChecklistItem {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("title", &self.title, true, MAX_TITLE)
    }
}

/// A change of one item's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChecklistEdit {
    /// The item ([`ChecklistItem::id`]).
    pub id: String,
    pub state: ActionState,
    /// The version the edit started from ([`ChecklistItem::version`]).
    pub version: u32,
}

/// The key an action beyond the top of the ladder is stored under.
pub const EXTEND_LADDER: &str = "ladder.extend";

/// What each kind of component's readings are: the app tier is judged on CPU and memory.
fn readings_of(kind: ComponentKind) -> &'static [LiveComponent] {
    match kind {
        ComponentKind::App => &[LiveComponent::AppCpu, LiveComponent::AppMemory],
        ComponentKind::Database => &[LiveComponent::DbConnections],
        ComponentKind::Cache => &[LiveComponent::CacheMemory],
        ComponentKind::Websocket => &[LiveComponent::Websockets],
        // nginx and the load balancer carry every user: the users reading is theirs.
        ComponentKind::LoadBalancer => &[LiveComponent::Capacity],
        // Queueing on the app tier's vCPUs is what lengthens its response times.
        ComponentKind::ResponseTime => &[LiveComponent::AppCpu],
    }
}

/// One action the plan asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanAction {
    pub id: String,
    pub title: String,
    /// The component shown beside it.
    pub component: Option<LiveComponent>,
    /// Every reading that makes it critical.
    pub judged_by: &'static [LiveComponent],
}

/// The plan's actions from phase `from` to the next, and the next phase's key.
pub fn plan_actions(s: &ValidScenario, from: usize) -> (Option<String>, Vec<PlanAction>) {
    let phases = s.ladder().phases();
    let Some(current) = phases.get(from) else {
        return (None, Vec::new());
    };
    match phases.get(from + 1) {
        Some(next) => {
            let items = ladder_changes(current, next)
                .into_iter()
                .map(|c| {
                    let judged_by = readings_of(c.component);
                    PlanAction {
                        id: format!("{}.{}", next.key, c.key),
                        title: c.text,
                        component: judged_by.first().copied(),
                        judged_by,
                    }
                })
                .collect();
            (Some(next.key.clone()), items)
        }
        None => (
            None,
            vec![PlanAction {
                id: EXTEND_LADDER.to_owned(),
                title: format!(
                    "Add a phase above {} and size its components for the peak",
                    current.name
                ),
                component: Some(LiveComponent::Capacity),
                judged_by: &[LiveComponent::Capacity],
            }],
        ),
    }
}

/// The checklist of a platform on phase `from` of `s`: the plan's actions with their stored
/// states, then the actions people added toward the same phase, each marked critical when a
/// component it relieves reads at or past warning in `readings`.
pub fn checklist(
    s: &ValidScenario,
    from: usize,
    stored: &[StoredItem],
    readings: &[Reading],
) -> Checklist {
    let phases = s.ladder().phases();
    let from_key = phases.get(from).map(|p| p.key.clone()).unwrap_or_default();
    let (toward, plan) = plan_actions(s, from);
    let toward_key = toward.clone().unwrap_or_default();
    let hot = |c: &LiveComponent| {
        readings
            .iter()
            .any(|r| r.component == *c && r.status != Status::Optimal)
    };
    let mut items = Vec::new();
    for a in plan {
        let saved = stored
            .iter()
            .find(|i| i.origin == ActionOrigin::Plan && i.id == a.id && i.toward == toward_key);
        let state = saved.map_or(ActionState::Pending, |i| i.state);
        items.push(ChecklistItem {
            critical: state != ActionState::Completed && a.judged_by.iter().any(hot),
            id: a.id,
            title: a.title,
            component: a.component,
            origin: ActionOrigin::Plan,
            state,
            version: saved.map_or(0, |i| i.version),
            updated_by: saved.map(|i| i.updated_by.clone()),
            updated_at: saved.map(|i| i.updated_at.clone()),
        });
    }
    for i in stored
        .iter()
        .filter(|i| i.origin == ActionOrigin::Person && i.toward == toward_key)
    {
        items.push(ChecklistItem {
            id: i.id.clone(),
            title: i.title.clone(),
            component: i.component,
            origin: ActionOrigin::Person,
            state: i.state,
            critical: i.state != ActionState::Completed && i.component.as_ref().is_some_and(hot),
            version: i.version,
            updated_by: Some(i.updated_by.clone()),
            updated_at: Some(i.updated_at.clone()),
        });
    }
    let total = items.len();
    let completed = items
        .iter()
        .filter(|i| i.state == ActionState::Completed)
        .count();
    Checklist {
        from: from_key,
        toward,
        progress_percent: progress(completed, total),
        completed,
        total,
        items,
    }
}

/// Completed over all, in percent, to one decimal; nothing to do is done.
fn progress(completed: usize, total: usize) -> f64 {
    if total == 0 {
        return 100.0;
    }
    // Counts of a checklist are small.
    #[allow(clippy::cast_precision_loss)]
    let p = completed as f64 / total as f64 * 100.0;
    (p * 10.0).round() / 10.0
}

impl Checklist {
    /// Whether anyone has started on the list (an item in progress or done).
    pub fn started(&self) -> bool {
        self.items.iter().any(|i| i.state != ActionState::Pending)
    }

    /// Whether every action is completed (and there is at least one).
    pub fn done(&self) -> bool {
        self.total > 0 && self.completed == self.total
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::live::Reading;
    use crate::presets::preset;

    fn ride() -> ValidScenario {
        preset("ride-hailing").unwrap().scenario.validate().unwrap()
    }

    fn reading(component: LiveComponent, status: Status) -> Reading {
        Reading {
            component,
            label: component.label().to_owned(),
            utilisation_percent: 70.0,
            warning_percent: 60.0,
            critical_percent: 80.0,
            status,
            basis: String::new(),
        }
    }

    #[test]
    fn the_plan_lists_the_ladders_differences_with_their_states() {
        let s = ride();
        let list = checklist(&s, 0, &[], &[]);
        assert_eq!(list.toward.as_deref(), Some("growth"));
        assert!(list.total >= 3, "{list:#?}");
        assert_eq!(list.progress_percent, 0.0);
        let ids: Vec<&str> = list.items.iter().map(|i| i.id.as_str()).collect();
        assert!(ids.contains(&"growth.database.read_replicas"), "{ids:?}");
        assert!(ids.contains(&"growth.database.pgbouncer"), "{ids:?}");
        assert!(ids.contains(&"growth.cache.mode"), "{ids:?}");
        let pgb = list
            .items
            .iter()
            .find(|i| i.id == "growth.database.pgbouncer")
            .unwrap();
        assert!(
            pgb.title.contains("PgBouncer") && pgb.title.contains("pool"),
            "{}",
            pgb.title
        );

        let stored = vec![
            StoredItem {
                id: "growth.database.pgbouncer".to_owned(),
                toward: "growth".to_owned(),
                title: String::new(),
                component: None,
                origin: ActionOrigin::Plan,
                state: ActionState::Completed,
                version: 2,
                updated_by: "ana".to_owned(),
                updated_at: "2026-12-01T10:00:00.000Z".to_owned(),
            },
            StoredItem {
                id: "abc".to_owned(),
                toward: "growth".to_owned(),
                title: "Load-test the new pool".to_owned(),
                component: Some(LiveComponent::DbConnections),
                origin: ActionOrigin::Person,
                state: ActionState::InProgress,
                version: 1,
                updated_by: "ben".to_owned(),
                updated_at: "2026-12-01T11:00:00.000Z".to_owned(),
            },
            // Toward another phase: not on this list.
            StoredItem {
                id: "old".to_owned(),
                toward: "launch".to_owned(),
                title: "Old".to_owned(),
                component: None,
                origin: ActionOrigin::Person,
                state: ActionState::Pending,
                version: 1,
                updated_by: "ben".to_owned(),
                updated_at: "2026-12-01T11:00:00.000Z".to_owned(),
            },
        ];
        let hot = [reading(LiveComponent::DbConnections, Status::Warning)];
        let list = checklist(&s, 0, &stored, &hot);
        assert_eq!(list.total, list.items.len());
        assert_eq!(list.completed, 1);
        let want = (1.0 / list.total as f64 * 1000.0).round() / 10.0;
        assert_eq!(list.progress_percent, want);
        let pgb = list
            .items
            .iter()
            .find(|i| i.id == "growth.database.pgbouncer")
            .unwrap();
        assert_eq!(
            (pgb.state, pgb.version, pgb.critical),
            (ActionState::Completed, 2, false)
        );
        let replicas = list
            .items
            .iter()
            .find(|i| i.id == "growth.database.read_replicas")
            .unwrap();
        assert!(
            replicas.critical,
            "a database action while connections read warning"
        );
        let cache = list
            .items
            .iter()
            .find(|i| i.id == "growth.cache.mode")
            .unwrap();
        assert!(!cache.critical);
        let person = list.items.last().unwrap();
        assert_eq!((person.id.as_str(), person.critical), ("abc", true));
        assert!(!list.items.iter().any(|i| i.id == "old"));
        assert!(list.started() && !list.done());
    }

    #[test]
    fn the_top_of_the_ladder_asks_for_another_rung() {
        let s = ride();
        let top = s.ladder().phases().len() - 1;
        let list = checklist(&s, top, &[], &[]);
        assert_eq!(list.toward, None);
        assert_eq!(list.items.len(), 1);
        assert_eq!(list.items[0].id, EXTEND_LADDER);
    }
}
