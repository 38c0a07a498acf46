//! The seeds' scaling API, in the seeds' shapes (camelCase, a `message` beside the payload,
//! actions as lists of strings, durations as `"2-3 months"`), so a seed platform's own clients
//! can use Phaseplan as their scaling service. Every figure is the one the native API and the
//! Operations page show: these types only re-dress [`super::PlatformStatus`]'s parts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checklist::{ActionState, Checklist};
use super::milestones::{MilestoneStatus, Milestones};
use crate::bundle::{Bundle, BundleSpec, env};
use crate::capacity::components::phase_capacity;
use crate::evaluate::ladder_changes;
use crate::live::{LiveAction, LiveAnalysis, Metric, Observations};
use crate::valid::ValidScenario;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StatusResponse {
    pub message: String,
    pub status: ScalingStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScalingStatus {
    pub current_phase: String,
    pub next_phase: Option<String>,
    pub current_capacity: CurrentCapacity,
    pub phase_progress: PhaseProgress,
    pub recommendations: Recommendations,
    pub infrastructure: Infrastructure,
    pub timeline: Timeline,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CurrentCapacity {
    /// The users the current phase holds under the plan's workload (its design target, or less
    /// where a component fills first): the 100 % mark of the Live page's users reading.
    pub max_concurrent_users: u64,
    /// The most loaded live reading against its own 100 % mark; the plan's projection for this
    /// month where no live source reports anything (`utilizationBasis` says which).
    pub utilization_percentage: f64,
    pub utilization_basis: UtilizationBasis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum UtilizationBasis {
    Live,
    Plan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PhaseProgress {
    pub completed_actions: Vec<String>,
    /// Pending and in-progress actions.
    pub pending_actions: Vec<String>,
    /// Not completed, with their component at or past warning now.
    pub critical_actions: Vec<String>,
    pub progress_percentage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Recommendations {
    /// The live step and the critical actions, and milestones late or at risk.
    pub immediate: Vec<String>,
    /// The rest of the checklist toward the next phase.
    pub short_term: Vec<String>,
    /// What the phase after the next one will ask for.
    pub long_term: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Infrastructure {
    pub database: Connections,
    pub redis: Memory,
    pub websocket: Connections,
    pub nginx: Nginx,
}

/// A limit and what a live source reports against it (`null` when none does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Connections {
    pub max_connections: u32,
    pub current_connections: Option<u64>,
}

/// Redis memory as the seeds write it, `"512MB"`: megabytes in Redis's own sense (`maxmemory
/// 512mb` is 512 × 1024² bytes), so the figures match the generated `redis.conf`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Memory {
    pub max_memory: String,
    pub current_memory: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Nginx {
    pub worker_connections: u32,
    pub worker_processes: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub estimated_time_to_next_phase: String,
    pub milestones: Vec<SeedMilestone>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SeedMilestone {
    pub name: String,
    pub description: String,
    /// `YYYY-MM-DD`; `null` when the plan does not reach the next phase within its horizon.
    pub target_date: Option<String>,
    pub status: MilestoneStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TransitionResponse {
    pub message: String,
    pub result: TransitionResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TransitionResult {
    pub success: bool,
    pub message: String,
    /// What changed between the two phases' bundles: environment variables and files.
    pub actions: Vec<String>,
    /// What to do to run the new phase: the ladder's differences, then the bundle to deploy.
    pub next_steps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfigsResponse {
    pub message: String,
    pub configs: DeploymentConfigs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfigs {
    /// The compose file, for a phase that runs on one machine; `null` otherwise.
    pub docker_compose: Option<String>,
    /// The `.env` file's variables, unquoted.
    pub environment_variables: BTreeMap<String, String>,
    pub nginx_config: String,
    /// Every manifest as one YAML stream, when the phase runs on Kubernetes; `null` otherwise.
    pub kubernetes_manifests: Option<String>,
    /// Every file of the phase's bundle, by its path in the bundle.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PhaseSummaryResponse {
    pub message: String,
    pub summary: ScalingSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ScalingSummary {
    pub current_phase: String,
    pub next_phase: Option<String>,
    pub capacity: CurrentCapacity,
    pub progress: f64,
    pub critical_actions: Vec<String>,
    pub timeline: String,
}

/// What the status is built from: the platform's plan and phase, its live analysis and latest
/// readings, its checklist and milestones.
#[derive(Debug, Clone, Copy)]
pub struct StatusParts<'a> {
    pub scenario: &'a ValidScenario,
    pub phase_index: usize,
    pub live: &'a LiveAnalysis,
    pub latest: &'a Observations,
    pub checklist: &'a Checklist,
    pub milestones: &'a Milestones,
    /// The plan's projected users this month.
    pub plan_users: f64,
}

/// Bytes in Redis's megabyte.
const REDIS_MB: f64 = 1024.0 * 1024.0;

fn megabytes(bytes: f64) -> String {
    format!("{:.0}MB", bytes / REDIS_MB)
}

/// The seeds' status of one platform.
pub fn status(p: &StatusParts<'_>) -> ScalingStatus {
    let phases = p.scenario.ladder().phases();
    let index = p.phase_index.min(phases.len().saturating_sub(1));
    let phase = &phases[index];
    let next = phases.get(index + 1);
    let capacity = phase_capacity(&p.scenario.demand(), phase, index, 0.0);
    let max_users = capacity.capacity_users;
    // Whole users the phase holds, rounded down: it does not hold the fraction.
    let users_held = whole(max_users);
    let current_capacity = match p
        .live
        .readings
        .iter()
        .map(|r| r.utilisation_percent)
        .reduce(f64::max)
    {
        Some(u) => CurrentCapacity {
            max_concurrent_users: users_held,
            utilization_percentage: round1(u),
            utilization_basis: UtilizationBasis::Live,
        },
        None => CurrentCapacity {
            max_concurrent_users: users_held,
            utilization_percentage: round1(if max_users > 0.0 {
                p.plan_users / max_users * 100.0
            } else {
                0.0
            }),
            utilization_basis: UtilizationBasis::Plan,
        },
    };
    let titles = |f: &dyn Fn(&super::ChecklistItem) -> bool| -> Vec<String> {
        p.checklist
            .items
            .iter()
            .filter(|i| f(i))
            .map(|i| i.title.clone())
            .collect()
    };
    let critical = titles(&|i| i.critical);
    let mut immediate = Vec::new();
    match p.live.action {
        LiveAction::Stay => {}
        action => immediate.push(format!(
            "{}: {}",
            action.label(next.map(|n| n.name.as_str())),
            p.live.reason
        )),
    }
    immediate.extend(critical.iter().cloned());
    for m in &p.milestones.items {
        match m.status {
            MilestoneStatus::Late => immediate.push(format!("{} is late: {}", m.name, m.why)),
            MilestoneStatus::AtRisk => immediate.push(format!("{} is at risk: {}", m.name, m.why)),
            _ => {}
        }
    }
    let long_term = match (next, phases.get(index + 2)) {
        (Some(n), Some(after)) => ladder_changes(n, after)
            .into_iter()
            .map(|c| format!("For {}: {}", after.name, c.text))
            .collect(),
        (Some(n), None) => vec![format!("Plan a phase above {}", n.name)],
        (None, _) => Vec::new(),
    };
    let get = |m: Metric| {
        p.latest
            .get(&m)
            .copied()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    ScalingStatus {
        current_phase: phase.key.clone(),
        next_phase: next.map(|n| n.key.clone()),
        current_capacity,
        phase_progress: PhaseProgress {
            completed_actions: titles(&|i| i.state == ActionState::Completed),
            pending_actions: titles(&|i| i.state != ActionState::Completed),
            critical_actions: critical,
            progress_percentage: p.checklist.progress_percent,
        },
        recommendations: Recommendations {
            immediate,
            short_term: titles(&|i| i.state != ActionState::Completed && !i.critical),
            long_term,
        },
        infrastructure: Infrastructure {
            database: Connections {
                max_connections: phase.database.pool_size,
                current_connections: get(Metric::DbConnections).map(whole),
            },
            redis: Memory {
                max_memory: megabytes(f64::from(phase.cache.memory_mib) * REDIS_MB),
                current_memory: get(Metric::CacheMemoryBytes).map(megabytes),
            },
            websocket: Connections {
                max_connections: phase.websocket_connections,
                current_connections: get(Metric::WebsocketConnections).map(whole),
            },
            nginx: Nginx {
                worker_connections: phase.load_balancer.nginx_worker_connections,
                worker_processes: phase.load_balancer.nginx_worker_processes,
            },
        },
        timeline: Timeline {
            estimated_time_to_next_phase: p.milestones.estimated_time_to_next_phase.clone(),
            milestones: p
                .milestones
                .items
                .iter()
                .map(|m| SeedMilestone {
                    name: m.name.clone(),
                    description: m.description.clone(),
                    target_date: m.target_date.map(|d| d.to_string()),
                    status: m.status,
                })
                .collect(),
        },
    }
}

/// The status in the summary's shorter form.
pub fn summary(s: &ScalingStatus) -> ScalingSummary {
    ScalingSummary {
        current_phase: s.current_phase.clone(),
        next_phase: s.next_phase.clone(),
        capacity: s.current_capacity.clone(),
        progress: s.phase_progress.progress_percentage,
        critical_actions: s.phase_progress.critical_actions.clone(),
        timeline: s.timeline.estimated_time_to_next_phase.clone(),
    }
}

/// A count as a whole number (rounded down; negative and NaN as 0, which `get` never passes).
fn whole(v: f64) -> u64 {
    // Counts of users and connections are far below 2^53.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = v.max(0.0).floor() as u64;
    n
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The phase's deployment configuration from its bundle (and the spec it was rendered from, for
/// the environment's unquoted values).
pub fn deployment_configs(spec: &BundleSpec, bundle: &Bundle) -> DeploymentConfigs {
    let file = |path: &str| bundle.file(path).map(|f| f.contents.clone());
    let manifests: Vec<&str> = bundle
        .files
        .iter()
        .filter(|f| {
            f.path.starts_with("kubernetes/")
                && (f.path.ends_with(".yaml") || f.path.ends_with(".yml"))
        })
        .map(|f| f.contents.as_str())
        .collect();
    DeploymentConfigs {
        docker_compose: file("docker-compose.yml"),
        environment_variables: env::variables(spec)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        nginx_config: file("nginx/nginx.conf").unwrap_or_default(),
        kubernetes_manifests: (!manifests.is_empty()).then(|| {
            manifests
                .iter()
                .map(|m| {
                    let m = m.strip_prefix("---\n").unwrap_or(m);
                    format!("---\n{}", m.trim_end_matches('\n'))
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        }),
        files: bundle
            .files
            .iter()
            .map(|f| (f.path.clone(), f.contents.clone()))
            .collect(),
    }
}

/// What a move from one phase's bundle to another's changes, as the seeds list it: the
/// environment variables updated, then each configuration file added, changed or removed.
pub fn bundle_changes(from: (&BundleSpec, &Bundle), to: (&BundleSpec, &Bundle)) -> Vec<String> {
    let before: BTreeMap<_, _> = env::variables(from.0).into_iter().collect();
    let after: BTreeMap<_, _> = env::variables(to.0).into_iter().collect();
    let changed = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .count()
        + before.keys().filter(|k| !after.contains_key(*k)).count();
    let mut out = vec![format!(
        "Updated {changed} environment variable{}",
        if changed == 1 { "" } else { "s" }
    )];
    for f in &to.1.files {
        if f.path == ".env" || f.path == "README.md" {
            continue;
        }
        match from.1.file(&f.path) {
            None => out.push(format!("Generated {}", f.path)),
            Some(old) if old.contents != f.contents => out.push(format!("Updated {}", f.path)),
            Some(_) => {}
        }
    }
    for f in &from.1.files {
        if to.1.file(&f.path).is_none() {
            out.push(format!("Removed {}", f.path));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::bundle::render;
    use crate::cost::catalog::{Catalog, ProviderId};
    use crate::presets::preset;

    #[test]
    fn configs_and_changes_come_from_the_bundles() {
        let s = preset("ride-hailing").unwrap().scenario.validate().unwrap();
        let catalog = Catalog::built_in().unwrap();
        let spec = |k| BundleSpec::new(&s, &catalog, k, ProviderId::Aws).unwrap();
        let (a, b) = (spec("launch"), spec("scale"));
        let (ba, bb) = (render(&a).unwrap(), render(&b).unwrap());
        let launch = deployment_configs(&a, &ba);
        assert!(launch.docker_compose.is_some());
        assert_eq!(launch.kubernetes_manifests, None);
        assert_eq!(launch.environment_variables["SCALING_PHASE"], "launch");
        assert_eq!(launch.files.len(), ba.files.len());
        assert_eq!(
            launch.nginx_config,
            ba.file("nginx/nginx.conf").unwrap().contents
        );
        let scale = deployment_configs(&b, &bb);
        assert!(scale.docker_compose.is_none());
        let stream = scale.kubernetes_manifests.unwrap();
        assert!(stream.starts_with("---\n") && stream.contains("HorizontalPodAutoscaler"));
        let changes = bundle_changes((&a, &ba), (&b, &bb));
        assert!(changes[0].starts_with("Updated ") && changes[0].contains("environment variables"));
        assert!(
            changes
                .iter()
                .any(|c| c.starts_with("Generated kubernetes/")),
            "{changes:?}"
        );
        assert!(
            changes.iter().any(|c| c == "Removed docker-compose.yml"),
            "{changes:?}"
        );
    }
}
