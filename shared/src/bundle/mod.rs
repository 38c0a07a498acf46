//! Config bundles: for one phase of a scenario on one provider, the files that run it —
//! Terraform, Kubernetes manifests (or a docker-compose file for single-node phases), nginx,
//! PgBouncer, PostgreSQL and Redis settings, Prometheus alert rules, a Grafana dashboard, an env
//! file and a README — generated from the same model the planners see.
//!
//! Generation is pure and deterministic: the same scenario, phase and provider give the same
//! files in the same order, and [`archive`] packs them with fixed timestamps, so the SPA and the
//! server produce byte-identical archives. No file holds a secret: secrets are Terraform
//! variables or `.env` entries marked `change-me`.
//!
//! ```
//! use phaseplan_model::bundle::generate;
//! use phaseplan_model::cost::catalog::{Catalog, ProviderId};
//! use phaseplan_model::presets::preset;
//!
//! let catalog = Catalog::built_in()?;
//! let scenario = preset("ride-hailing").expect("built in").scenario.validate()?;
//! let bundle = generate(&scenario, &catalog, "growth", ProviderId::Aws)?;
//! assert!(bundle.file("terraform/main.tf").is_some_and(|f| f.contents.contains("aws_db_instance")));
//! assert!(bundle.file(".env").is_some_and(|f| f.contents.contains("SCALING_PHASE=growth")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod archive;
mod compose;
pub(crate) mod env;
pub mod escape;
mod grafana;
mod kubernetes;
mod monitoring;
mod nginx;
mod postgres;
mod readme;
mod redis;
pub mod spec;
mod terraform;

use crate::cost::catalog::{Catalog, ProviderId};
use crate::tiers::CacheMode;
use crate::valid::ValidScenario;

pub use spec::{BundleSpec, SavedRevision};

/// Why a bundle cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BundleError {
    #[error("unknown phase {key:?}; the scenario's phases are {known:?}")]
    UnknownPhase { key: String, known: Vec<String> },
    #[error("the pricing catalog has no usable prices for {}", .0.key())]
    ProviderNotPriced(ProviderId),
    #[error("the bill for {} has no {what} line", .provider.key())]
    MissingLine { provider: ProviderId, what: String },
    #[error("the {} catalog has no SKU named {sku:?}", .provider.key())]
    UnknownSku { provider: ProviderId, sku: String },
    /// A plan of another kind than the provider's API takes for this service (a node type where
    /// Memorystore takes a size in GB): [`Catalog::validate`] refuses such catalogs, so only a
    /// hand-built spec gets here.
    #[error("{} sizes its {service} by {expected}, not by {got}", .provider.key())]
    PlanKind {
        provider: ProviderId,
        service: &'static str,
        expected: &'static str,
        got: &'static str,
    },
    /// A part the provider's generator does not write, because the bill never buys it there (a
    /// self-managed control plane where a managed one is priced): only a hand-built spec.
    #[error("the {} Terraform has no {what}", .provider.key())]
    NotWritten {
        provider: ProviderId,
        what: &'static str,
    },
    /// The bill buys a managed service the provider does not offer (only a hand-built spec).
    #[error("{} has no managed {service}", .provider.key())]
    NoManagedService {
        provider: ProviderId,
        service: &'static str,
    },
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleFile {
    /// Relative path inside the bundle, `/`-separated (`terraform/main.tf`).
    pub path: String,
    pub contents: String,
}

/// The files of one phase on one provider, sorted by path.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bundle {
    pub phase: String,
    pub provider: ProviderId,
    /// The phase's estimated monthly cost on the provider at its peak, USD.
    pub monthly_usd: f64,
    pub files: Vec<BundleFile>,
}

/// Files a bundle may hold at most, and bytes per file; generation stays far below both.
pub const MAX_FILES: usize = 64;
pub const MAX_FILE_BYTES: usize = 256 * 1024;

impl Bundle {
    pub fn file(&self, path: &str) -> Option<&BundleFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The archive's base name: `phaseplan-<phase>-<provider>`.
    pub fn name(&self) -> String {
        format!("phaseplan-{}-{}", self.phase, self.provider.key())
    }
}

/// Whether the phase runs on one machine (no Kubernetes, no managed load balancer, one
/// database node, one Redis node): then a docker-compose file runs all of it.
pub fn single_node(spec: &BundleSpec) -> bool {
    let p = &spec.phase;
    !p.kubernetes
        && !p.load_balancer.managed
        && p.database.nodes() == 1
        && p.cache.mode == CacheMode::Standard
}

/// Generates the bundle for the phase `phase_key` of `s` on `provider`.
pub fn generate(
    s: &ValidScenario,
    catalog: &Catalog,
    phase_key: &str,
    provider: ProviderId,
) -> Result<Bundle, BundleError> {
    render(&BundleSpec::new(s, catalog, phase_key, provider)?)
}

/// Generates the bundle a spec describes. [`generate`] is the usual way in; this one takes the
/// spec itself so that its texts can be anything: the generators escape every text they write
/// ([`escape`]) instead of trusting validation, and the tests hold them to that with texts
/// validation would refuse. It fails only where the spec asks for what a provider cannot run (a
/// plan of the wrong kind, a managed service it lacks), which a spec from [`BundleSpec::new`]
/// never does.
pub fn render(spec: &BundleSpec) -> Result<Bundle, BundleError> {
    let mut files = Vec::new();
    let mut add = |path: &str, contents: String| {
        files.push(BundleFile {
            path: path.to_owned(),
            contents,
        });
    };
    add("README.md", readme::render(spec));
    add(".env", env::render(spec));
    add("nginx/nginx.conf", nginx::render(spec));
    add("postgres/postgresql.conf", postgres::postgresql_conf(spec));
    if spec.phase.database.pgbouncer {
        add("postgres/pgbouncer.ini", postgres::pgbouncer_ini(spec));
        add("postgres/userlist.txt", postgres::userlist(spec));
    }
    add("redis/redis.conf", redis::redis_conf(spec));
    if spec.phase.cache.mode == CacheMode::Sentinel {
        add("redis/sentinel.conf", redis::sentinel_conf(spec));
    }
    add("monitoring/alerts.yml", monitoring::alert_rules(spec));
    add(
        "monitoring/grafana-dashboard.json",
        grafana::dashboard(spec),
    );
    if single_node(spec) {
        add("docker-compose.yml", compose::render(spec));
    }
    if spec.phase.kubernetes {
        for (path, contents) in kubernetes::manifests(spec) {
            add(&format!("kubernetes/{path}"), contents);
        }
    }
    for (path, contents) in terraform::files(spec)? {
        add(&format!("terraform/{path}"), contents);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Bundle {
        phase: spec.phase.key.clone(),
        provider: spec.provider,
        monthly_usd: spec.bill.total_usd,
        files,
    })
}

/// Formats a number of GiB for config files without a trailing `.0`.
fn gib(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// MiB in a GiB figure, rounded down.
fn mib_of_gib(v: f64) -> u64 {
    // Bounded by the validated memory sizes (≤ 65,536 GiB).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let m = (v * 1_024.0).floor() as u64;
    m
}

#[cfg(test)]
mod tests;
