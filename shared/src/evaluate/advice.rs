//! The plan's advice for now: stay, prepare the next phase (with the ladder's differences as
//! steps), optimise a component of the current one, or extend the ladder.

use serde::{Deserialize, Serialize};

use crate::capacity::components::{ComponentKind, ComponentLoad, PhaseCapacity};

use crate::timeline::PhaseTimeline;

use crate::phase::Phase;
use crate::units::{Status, Utilisation};
use crate::valid::ValidScenario;

/// The step to take on the phase ladder now, by the plan (the seeds' transition rule). The live
/// analysis says the same steps under the same names ([`crate::live::LiveAction`]).
///
/// The plan has no "move to the next phase now": its phase for this month is the one its timeline
/// requires, the lowest that holds this month's users below its critical line — so it is never
/// past critical, and where no phase is, the step is [`Action::ExtendLadder`]. Moving now is what
/// live data says of a phase the platform still runs ([`crate::live::LiveAction::MoveToNextPhase`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Everything is below its warning threshold and no transition is due within the lead time.
    Stay,
    /// The phase is past warning or the next transition is within the lead time: get the next
    /// phase ready.
    PrepareNextPhase,
    /// The phase as a whole has room but a component is past warning: fix that component.
    OptimiseCurrent,
    /// The top phase is past its warning line, or the users are past even its critical line:
    /// there is no next phase to prepare, the ladder needs another rung.
    ExtendLadder,
}

impl Action {
    /// In words, for a heading (`next`: the next phase's name). The live analysis says its steps
    /// in these words too ([`crate::live::LiveAction::label`]).
    pub fn label(self, next: Option<&str>) -> String {
        match self {
            Action::Stay => "Stay on this phase".to_owned(),
            Action::PrepareNextPhase => format!("Prepare {}", next.unwrap_or("the next phase")),
            Action::OptimiseCurrent => "Optimise this phase".to_owned(),
            Action::ExtendLadder => "Extend the ladder".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Advice {
    pub action: Action,
    /// One sentence: why.
    pub reason: String,
    /// Concrete steps, most important first.
    pub steps: Vec<String>,
    /// The next transition, if any within the horizon: its month and when to start preparing.
    pub next_transition: Option<NextTransition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextTransition {
    pub to_index: usize,
    pub month: u32,
    pub prepare_by: u32,
}

/// What changes from `from` to `to`, as steps.
pub(super) fn upgrade_steps(from: &Phase, to: &Phase) -> Vec<String> {
    ladder_changes(from, to)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

/// One difference between two rungs of the ladder: what to do, and which part of the stack it
/// relieves. The key names the setting, so a checklist can recognise the same action when the
/// plan is re-read (a new revision, another day's wording).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LadderChange {
    /// The setting that changes, as a stable identifier (`database.read_replicas`).
    pub key: &'static str,
    /// The component whose capacity it raises.
    pub component: ComponentKind,
    /// What to do, in words.
    pub text: String,
}

/// The differences from `from` to `to`, in the order an engineer would work through them (the
/// app tier, the database, the cache, then the edge).
pub fn ladder_changes(from: &Phase, to: &Phase) -> Vec<LadderChange> {
    let mut steps = Vec::new();
    let mut push = |key: &'static str, component: ComponentKind, text: String| {
        steps.push(LadderChange {
            key,
            component,
            text,
        });
    };
    let (a, b) = (&from.app, &to.app);
    if (a.vcpu, a.min_instances, a.max_instances) != (b.vcpu, b.min_instances, b.max_instances) {
        push(
            "app.instances",
            ComponentKind::App,
            format!(
                "App tier: {} vCPU / {} GiB instances, {}–{} of them (from {} vCPU, {}–{})",
                b.vcpu,
                b.memory_gib,
                b.min_instances,
                b.max_instances,
                a.vcpu,
                a.min_instances,
                a.max_instances
            ),
        );
    }
    if !from.kubernetes && to.kubernetes {
        push(
            "app.kubernetes",
            ComponentKind::App,
            "Move the app tier to Kubernetes with a HorizontalPodAutoscaler".to_owned(),
        );
    }
    let (a, b) = (&from.database, &to.database);
    if b.read_replicas > a.read_replicas {
        push(
            "database.read_replicas",
            ComponentKind::Database,
            format!(
                "Deploy read replicas: {} per shard (from {})",
                b.read_replicas, a.read_replicas
            ),
        );
    }
    if b.pgbouncer && !a.pgbouncer {
        push(
            "database.pgbouncer",
            ComponentKind::Database,
            format!(
                "Put PgBouncer in front of PostgreSQL (pool {})",
                b.pool_size
            ),
        );
    } else if b.pool_size != a.pool_size {
        push(
            "database.pool_size",
            ComponentKind::Database,
            format!(
                "Database pool: {} connections (from {})",
                b.pool_size, a.pool_size
            ),
        );
    }
    if b.high_availability && !a.high_availability {
        push(
            "database.high_availability",
            ComponentKind::Database,
            "Enable automatic database failover (hot standby)".to_owned(),
        );
    }
    if b.shards > a.shards {
        push(
            "database.shards",
            ComponentKind::Database,
            format!(
                "Shard the database: {} shards (from {})",
                b.shards, a.shards
            ),
        );
    }
    if (b.vcpu, b.memory_gib) != (a.vcpu, a.memory_gib) {
        push(
            "database.nodes",
            ComponentKind::Database,
            format!(
                "Database nodes: {} vCPU / {} GiB (from {} / {})",
                b.vcpu, b.memory_gib, a.vcpu, a.memory_gib
            ),
        );
    }
    let (a, b) = (&from.cache, &to.cache);
    if a.mode != b.mode {
        push(
            "cache.mode",
            ComponentKind::Cache,
            format!("Redis: {} mode (from {})", b.mode.label(), a.mode.label()),
        );
    }
    if b.usable_mib() != a.usable_mib() {
        push(
            "cache.memory",
            ComponentKind::Cache,
            format!(
                "Redis memory: {} MiB usable (from {})",
                b.usable_mib(),
                a.usable_mib()
            ),
        );
    }
    if to.websocket_connections != from.websocket_connections {
        push(
            "websocket.connections",
            ComponentKind::Websocket,
            format!(
                "WebSocket limit: {} connections (from {})",
                to.websocket_connections, from.websocket_connections
            ),
        );
    }
    let (a, b) = (&from.load_balancer, &to.load_balancer);
    if b.managed && !a.managed {
        push(
            "load_balancer.managed",
            ComponentKind::LoadBalancer,
            "Put a managed load balancer in front of the app tier".to_owned(),
        );
    }
    if b.sticky_sessions && !a.sticky_sessions {
        push(
            "load_balancer.sticky_sessions",
            ComponentKind::Websocket,
            "Enable sticky sessions for WebSockets".to_owned(),
        );
    }
    if (b.nginx_worker_processes, b.nginx_worker_connections)
        != (a.nginx_worker_processes, a.nginx_worker_connections)
    {
        push(
            "load_balancer.nginx",
            ComponentKind::LoadBalancer,
            format!(
                "nginx: {} workers × {} connections",
                b.nginx_worker_processes, b.nginx_worker_connections
            ),
        );
    }
    steps
}

/// How to relieve a component past its warning threshold without changing phase.
pub(super) fn optimise_step(phase: &Phase, c: ComponentKind, wait: f64) -> String {
    match c {
        ComponentKind::App => format!(
            "App tier: raise max instances above {} or use instances larger than {} vCPU",
            phase.app.max_instances, phase.app.vcpu
        ),
        ComponentKind::Database => format!(
            "Database: raise the pool above {} connections or add read replicas (a query waits for \
             a connection with probability {:.1} %)",
            phase.database.pool_size,
            wait * 100.0
        ),
        ComponentKind::Cache => format!(
            "Cache: raise Redis memory above {} MiB or cut memory per user",
            phase.cache.usable_mib()
        ),
        ComponentKind::Websocket => format!(
            "WebSockets: raise the limit above {} connections",
            phase.websocket_connections
        ),
        ComponentKind::LoadBalancer => format!(
            "nginx: raise worker_connections above {} or add workers",
            phase.load_balancer.nginx_worker_connections
        ),
        ComponentKind::ResponseTime => format!(
            "Response time: the latency objective binds; raise max instances above {}, use \
             instances larger than {} vCPU or shorten the service time",
            phase.app.max_instances, phase.app.vcpu
        ),
    }
}

pub(super) fn advise(
    s: &ValidScenario,
    timeline: &PhaseTimeline,
    capacity: &PhaseCapacity,
    beyond: bool,
) -> Advice {
    let phases = s.ladder().phases();
    let current = &phases[capacity.phase_index];
    let next = timeline
        .transitions
        .iter()
        .find(|t| t.to_index > t.from_index)
        .map(|t| NextTransition {
            to_index: t.to_index,
            month: t.month,
            prepare_by: t.prepare_by,
        });
    let warned: Vec<&ComponentLoad> = capacity
        .components
        .iter()
        .filter(|c| c.status != Status::Optimal)
        .collect();
    if beyond {
        return Advice {
            action: Action::ExtendLadder,
            reason: format!(
                "{} users are past the critical line of the top phase, {}.",
                capacity.users.round(),
                current.name
            ),
            steps: vec![format!(
                "Add a phase above {} and size its components for the peak",
                current.name
            )],
            next_transition: next,
        };
    }
    // The phase as a whole is judged on its design target; a component that fills up earlier is
    // something to optimise within the phase, unless it forces the transition (then `due`).
    let design = Utilisation::of(capacity.users, capacity.design_users);
    let status = current.thresholds.capacity.classify(design);
    let due = next.filter(|n| n.prepare_by == 0);
    if status != Status::Optimal || due.is_some() {
        let target = phases.get(capacity.phase_index + 1);
        let reason = match (status != Status::Optimal, due) {
            (true, _) => format!(
                "{} is at {:.0} % of its capacity, past its warning threshold.",
                current.name,
                design.percent()
            ),
            (false, Some(n)) => format!(
                "{} will be needed in month {}, within the lead time.",
                phases[n.to_index].name, n.month
            ),
            (false, None) => String::new(),
        };
        let steps = match target {
            Some(t) => upgrade_steps(current, t),
            None => vec![format!("Add a phase above {}", current.name)],
        };
        return Advice {
            action: if target.is_some() {
                Action::PrepareNextPhase
            } else {
                Action::ExtendLadder
            },
            reason,
            steps,
            next_transition: next,
        };
    }
    if !warned.is_empty() {
        return Advice {
            action: Action::OptimiseCurrent,
            reason: format!(
                "{} has room overall, but {} past its warning threshold.",
                current.name,
                warned
                    .iter()
                    .map(|c| c.component.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" and ")
                    + if warned.len() == 1 { " is" } else { " are" }
            ),
            steps: warned
                .iter()
                .map(|c| optimise_step(current, c.component, capacity.db_wait_probability))
                .collect(),
            next_transition: next,
        };
    }
    Advice {
        action: Action::Stay,
        reason: match next {
            Some(n) => format!(
                "Everything is below its warning threshold; {} is due in month {}.",
                phases[n.to_index].name, n.month
            ),
            None => "Everything is below its warning threshold for the whole horizon.".to_owned(),
        },
        steps: next
            .map(|n| {
                vec![format!(
                    "Start preparing {} by month {}",
                    phases[n.to_index].name, n.prepare_by
                )]
            })
            .unwrap_or_default(),
        next_transition: next,
    }
}
