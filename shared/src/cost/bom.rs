//! Bill of materials and monthly cost of one phase on one provider.
//!
//! For each component the phase configures, the cheapest catalog SKU that meets its size is
//! bought:
//!
//! - **App tier**: the cheapest compute SKU with at least the tier's vCPUs and memory, as many
//!   instances as the autoscaler runs for the month's peak (CPU at the warning threshold, within
//!   min/max: [`crate::capacity::components::Demand::app_instances`]). Priced as if the peak lasted
//!   the whole month: conservative, since autoscaling follows the daily curve.
//! - **Database**: the cheapest managed PostgreSQL SKU meeting vCPU and memory; per shard a primary
//!   (its HA price, or the catalog's HA multiplier, or a second node, when the phase wants HA) and
//!   the read replicas; storage per node. Without a managed SKU that fits, the nodes run on
//!   compute VMs with block storage, plus operations effort.
//! - **Cache**: the cheapest managed Redis SKU with the node's memory, per the mode (standard: one;
//!   sentinel: its HA price or two nodes; cluster: that per shard). Self-hosted: VMs with 1.5× the
//!   memory (copy-on-write headroom for persistence) per node, plus operations effort.
//! - **Load balancer**: the provider's, when the phase wants one (a small VM running nginx where
//!   there is none). **Kubernetes**: the control-plane fee (three small VMs and operations effort
//!   where there is no managed control plane).
//! - **Egress**: average users (`peak / peak_to_average`) × GB per user, through the tiers.
//! - **Operations**: hours per self-hosted component ([`OPS_HOURS`]) at the scenario's hourly rate.
//!
//! **Discounts** apply to compute (the app tier and self-hosted VMs), as the catalog's commitment
//! and spot figures are compute discounts: with spot share `s` (app tier only) and commitment
//! shares `c₁`, `c₃`, the price multiplier is `s·(1 − d_spot) + (1 − s)·(c₁(1 − d₁) + c₃(1 − d₃) +
//! (1 − c₁ − c₃))`. A discount the catalog has no source for counts as zero. Managed services are
//! priced on demand.
//!
//! Everything is converted to USD at the catalog's stated rate; each line keeps its catalog
//! price (amount, currency, source, as-of date) so every figure can be traced.

use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, ComputeSku, Price, ProviderCatalog, ProviderId};
use super::money::Money;
use crate::capacity::components::Demand;
use crate::components::CacheMode;
use crate::phase::Phase;
use crate::scenario::{PricingOptions, Workload};

/// What a cost line pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CostComponent {
    App,
    Database,
    Cache,
    LoadBalancer,
    Kubernetes,
    Storage,
    Egress,
    Operations,
}

impl CostComponent {
    pub const ALL: [CostComponent; 8] = [
        CostComponent::App,
        CostComponent::Database,
        CostComponent::Cache,
        CostComponent::LoadBalancer,
        CostComponent::Kubernetes,
        CostComponent::Storage,
        CostComponent::Egress,
        CostComponent::Operations,
    ];

    /// The wire name, as serde writes it (a unit test holds them together).
    pub fn key(self) -> &'static str {
        match self {
            CostComponent::App => "app",
            CostComponent::Database => "database",
            CostComponent::Cache => "cache",
            CostComponent::LoadBalancer => "load_balancer",
            CostComponent::Kubernetes => "kubernetes",
            CostComponent::Storage => "storage",
            CostComponent::Egress => "egress",
            CostComponent::Operations => "operations",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CostComponent::App => "App tier",
            CostComponent::Database => "Database",
            CostComponent::Cache => "Cache",
            CostComponent::LoadBalancer => "Load balancer",
            CostComponent::Kubernetes => "Kubernetes",
            CostComponent::Storage => "Storage",
            CostComponent::Egress => "Egress",
            CostComponent::Operations => "Operations",
        }
    }
}

/// Operations hours a month per self-hosted component: patching, backups, failover drills,
/// upgrades. Stated assumptions, not prices; the hourly rate is the scenario's.
pub const OPS_HOURS: OpsHours = OpsHours {
    database: 6.0,
    cache: 2.0,
    load_balancer: 1.0,
    kubernetes: 8.0,
};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpsHours {
    pub database: f64,
    pub cache: f64,
    pub load_balancer: f64,
    pub kubernetes: f64,
}

/// One line of a bill of materials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BomLine {
    pub component: CostComponent,
    /// What is bought: a SKU, a service, "egress".
    pub item: String,
    /// Units bought (instances, nodes, GB, hours).
    pub quantity: f64,
    /// The catalog price of one unit, with its source; `None` for operations hours (a scenario
    /// assumption, not a price).
    pub unit_price: Option<Price>,
    /// Before discounts, USD a month.
    pub list_usd: f64,
    /// After discounts, USD a month.
    pub monthly_usd: f64,
    /// Run on the provider's VMs because it has no managed service that fits.
    pub self_hosted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The bill of one phase on one provider at a number of users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bill {
    pub provider: ProviderId,
    pub phase_index: usize,
    pub users: f64,
    pub lines: Vec<BomLine>,
    /// USD a month, after discounts.
    pub total_usd: f64,
    /// USD a month, before discounts.
    pub list_usd: f64,
    /// Operations hours a month for self-hosted components.
    pub ops_hours: f64,
    /// Components the phase uses that the catalog has no price for (left out of the total).
    pub unpriced: Vec<String>,
    /// Share (0–1) of the phase's stateful services (database, cache, load balancer, Kubernetes
    /// control plane, as used) bought as managed services.
    pub managed_share: f64,
    /// App-tier vCPUs per instance actually bought (≥ the phase's).
    pub app_vcpu: u32,
    /// Cache memory usable by the data set, MiB, as bought.
    pub cache_mib: f64,
}

/// Monthly cost split by component, USD: one figure per cost component, a JSON object keyed by
/// the components' wire names (`{"app": …, "database": …, …}`), every key required.
// The fields are private: the one way in is by component (indexing with a `CostComponent`), so
// no code reads a component's cost from a position.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Breakdown {
    app: f64,
    database: f64,
    cache: f64,
    load_balancer: f64,
    kubernetes: f64,
    storage: f64,
    egress: f64,
    operations: f64,
}

impl Breakdown {
    /// The month's total, summed in [`CostComponent::ALL`] order.
    pub fn total(&self) -> f64 {
        self.iter().map(|(_, usd)| usd).sum()
    }

    /// Every component with its cost, in [`CostComponent::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (CostComponent, f64)> + '_ {
        CostComponent::ALL.into_iter().map(move |c| (c, self[c]))
    }
}

impl Index<CostComponent> for Breakdown {
    type Output = f64;

    fn index(&self, c: CostComponent) -> &f64 {
        match c {
            CostComponent::App => &self.app,
            CostComponent::Database => &self.database,
            CostComponent::Cache => &self.cache,
            CostComponent::LoadBalancer => &self.load_balancer,
            CostComponent::Kubernetes => &self.kubernetes,
            CostComponent::Storage => &self.storage,
            CostComponent::Egress => &self.egress,
            CostComponent::Operations => &self.operations,
        }
    }
}

impl IndexMut<CostComponent> for Breakdown {
    fn index_mut(&mut self, c: CostComponent) -> &mut f64 {
        match c {
            CostComponent::App => &mut self.app,
            CostComponent::Database => &mut self.database,
            CostComponent::Cache => &mut self.cache,
            CostComponent::LoadBalancer => &mut self.load_balancer,
            CostComponent::Kubernetes => &mut self.kubernetes,
            CostComponent::Storage => &mut self.storage,
            CostComponent::Egress => &mut self.egress,
            CostComponent::Operations => &mut self.operations,
        }
    }
}

/// A fixed (user-independent) line, priced once per phase and provider.
#[derive(Debug, Clone, PartialEq)]
struct Fixed {
    line: BomLine,
    /// Operations hours this line implies.
    ops_hours: f64,
}

/// Everything needed to price one phase on one provider at any user count, computed once: SKU
/// choices, discounts and fixed lines. [`PriceBook::monthly`] is then allocation-free, for the
/// timeline and the Monte Carlo.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBook {
    provider: ProviderId,
    phase_index: usize,
    app_sku: ComputeSku,
    /// Catalog instances per app instance (> 1 when no SKU is big enough).
    app_multiple: u32,
    app_unit_list_usd: f64,
    app_unit_usd: f64,
    app_vcpu: u32,
    app_min: u32,
    app_max: u32,
    cpu_target: f64,
    fixed: Vec<Fixed>,
    fixed_usd: Breakdown,
    egress: Vec<(Option<f64>, f64)>,
    egress_price: Option<Price>,
    gb_per_peak_user: f64,
    unpriced: Vec<String>,
    managed_share: f64,
    cache_mib: f64,
}

/// Price multipliers from the scenario's buying options and the provider's discounts.
struct Multipliers {
    /// App tier: spot and commitments.
    app: f64,
    /// Self-hosted VMs: commitments only (stateful nodes do not run on spot).
    vm: f64,
}

fn multipliers(p: &ProviderCatalog, o: &PricingOptions) -> Multipliers {
    let d = |f: &Option<super::catalog::SourcedFactor>| f.as_ref().map_or(0.0, |f| f.fraction);
    let committed = o.commit_1y_share * (1.0 - d(&p.discounts.commit_1y))
        + o.commit_3y_share * (1.0 - d(&p.discounts.commit_3y))
        + (1.0 - o.commit_1y_share - o.commit_3y_share);
    Multipliers {
        app: o.spot_share * (1.0 - d(&p.discounts.spot)) + (1.0 - o.spot_share) * committed,
        vm: committed,
    }
}

fn usd(catalog: &Catalog, price: &Price) -> Option<f64> {
    price.monthly().map(|m| catalog.to_usd(m).amount)
}

/// The cheapest compute SKU with at least `vcpu` and `memory_gib`; if none is big enough, the
/// largest and how many of it make one.
fn compute_for(
    catalog: &Catalog,
    p: &ProviderCatalog,
    vcpu: u32,
    memory_gib: f64,
) -> Option<(ComputeSku, u32, f64)> {
    let fits = p
        .compute
        .iter()
        .filter(|c| c.vcpu >= vcpu && c.memory_gib >= memory_gib)
        .filter_map(|c| usd(catalog, &c.price).map(|u| (c, u)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((c, u)) = fits {
        return Some((c.clone(), 1, u));
    }
    let (largest, u) = p
        .compute
        .iter()
        .filter_map(|c| usd(catalog, &c.price).map(|u| (c, u)))
        .max_by(|a, b| {
            (a.0.vcpu, a.0.memory_gib)
                .partial_cmp(&(b.0.vcpu, b.0.memory_gib))
                .unwrap_or(std::cmp::Ordering::Equal)
        })?;
    let by_cpu = vcpu.div_ceil(largest.vcpu.max(1));
    let by_mem = (memory_gib / largest.memory_gib).ceil() as u32;
    Some((largest.clone(), by_cpu.max(by_mem).max(1), u))
}

/// What a service runs on when no managed one fits: VMs of a size (vCPU, GiB), how many, why, and
/// the operations hours a month they cost on top (assumed, [`OPS_HOURS`]).
struct SelfHosted {
    component: CostComponent,
    size: (u32, f64),
    nodes: u32,
    note: String,
    ops_hours: f64,
}

impl PriceBook {
    /// Prices `phase` on `provider`. `None` only when the provider is not in the catalog or has
    /// no usable compute price.
    pub fn new(
        catalog: &Catalog,
        provider: ProviderId,
        phase: &Phase,
        phase_index: usize,
        workload: &Workload,
        options: &PricingOptions,
    ) -> Option<PriceBook> {
        let p = catalog.provider(provider)?;
        let m = multipliers(p, options);
        let (app_sku, app_multiple, app_unit_list_usd) =
            compute_for(catalog, p, phase.app.vcpu, phase.app.memory_gib)?;
        let mut book = PriceBook {
            provider,
            phase_index,
            app_unit_usd: app_unit_list_usd * f64::from(app_multiple) * m.app,
            app_unit_list_usd: app_unit_list_usd * f64::from(app_multiple),
            app_vcpu: app_sku.vcpu * app_multiple,
            app_sku,
            app_multiple,
            app_min: phase.app.min_instances,
            app_max: phase.app.max_instances,
            cpu_target: phase.thresholds.cpu.warning() / 100.0,
            fixed: Vec::new(),
            fixed_usd: Breakdown::default(),
            egress: p
                .egress
                .iter()
                .map(|t| {
                    let per_gb = catalog
                        .to_usd(Money {
                            amount: t.price.amount,
                            currency: t.price.currency,
                        })
                        .amount;
                    (t.up_to_gb, per_gb)
                })
                .collect(),
            egress_price: p
                .egress
                .iter()
                .find(|t| t.price.amount > 0.0)
                .map(|t| t.price.clone()),
            gb_per_peak_user: workload.egress_gb_per_user_month / workload.peak_to_average,
            unpriced: Vec::new(),
            managed_share: 1.0,
            cache_mib: phase.cache.usable_mib(),
        };
        if p.egress.is_empty() && workload.egress_gb_per_user_month > 0.0 {
            book.unpriced.push("egress (no sourced price)".to_owned());
        }
        let mut services = 0u32;
        let mut managed = 0u32;
        let mut count = |is_managed: bool| {
            services += 1;
            managed += u32::from(is_managed);
        };
        count(book.add_database(catalog, p, phase, &m, options));
        count(book.add_cache(catalog, p, phase, &m, options));
        if phase.load_balancer.managed {
            count(book.add_load_balancer(catalog, p, &m, options));
        }
        if phase.kubernetes {
            count(book.add_kubernetes(catalog, p, &m, options));
        }
        book.managed_share = f64::from(managed) / f64::from(services.max(1));
        for f in &book.fixed {
            book.fixed_usd[f.line.component] += f.line.monthly_usd;
        }
        Some(book)
    }

    fn push(&mut self, line: BomLine, ops_hours: f64) {
        self.fixed.push(Fixed { line, ops_hours });
    }

    #[allow(clippy::too_many_arguments)]
    fn vm_line(
        &mut self,
        catalog: &Catalog,
        p: &ProviderCatalog,
        component: CostComponent,
        (vcpu, memory_gib): (u32, f64),
        nodes: u32,
        m: &Multipliers,
        note: String,
    ) {
        if let Some((sku, multiple, unit)) = compute_for(catalog, p, vcpu, memory_gib) {
            let quantity = f64::from(nodes * multiple);
            self.push(
                BomLine {
                    component,
                    item: sku.sku.clone(),
                    quantity,
                    unit_price: Some(sku.price.clone()),
                    list_usd: unit * quantity,
                    monthly_usd: unit * quantity * m.vm,
                    self_hosted: true,
                    note: Some(note),
                },
                0.0,
            );
        }
    }

    fn ops_line(&mut self, component: CostComponent, hours: f64, options: &PricingOptions) {
        let cost = hours * options.ops_hourly_rate_usd;
        self.push(
            BomLine {
                component: CostComponent::Operations,
                item: format!("{} operations", component.label().to_lowercase()),
                quantity: hours,
                unit_price: None,
                list_usd: cost,
                monthly_usd: cost,
                self_hosted: true,
                note: Some(format!(
                    "{hours} h a month (assumed) at ${} an hour",
                    options.ops_hourly_rate_usd
                )),
            },
            hours,
        );
    }

    /// The one rule every service follows: the managed line when the catalog prices a service
    /// that fits, else VMs of the stated size plus the operations hours they need. `then` runs
    /// right after the service's own line (the database adds its storage there), before the
    /// operations line. Returns whether the service is managed.
    #[allow(clippy::too_many_arguments)]
    fn managed_or_self_hosted(
        &mut self,
        managed: Option<BomLine>,
        fallback: SelfHosted,
        catalog: &Catalog,
        p: &ProviderCatalog,
        m: &Multipliers,
        options: &PricingOptions,
        then: impl FnOnce(&mut Self, bool),
    ) -> bool {
        match managed {
            Some(line) => {
                self.push(line, 0.0);
                then(self, true);
                true
            }
            None => {
                let SelfHosted {
                    component,
                    size,
                    nodes,
                    note,
                    ops_hours,
                } = fallback;
                self.vm_line(catalog, p, component, size, nodes, m, note);
                then(self, false);
                self.ops_line(component, ops_hours, options);
                false
            }
        }
    }

    fn storage_line(&mut self, price: Option<&Price>, catalog: &Catalog, gb: f64, what: &str) {
        match price.and_then(|pr| {
            (pr.unit == super::catalog::PriceUnit::GbMonth).then(|| {
                let per_gb = catalog
                    .to_usd(Money {
                        amount: pr.amount,
                        currency: pr.currency,
                    })
                    .amount;
                (pr, per_gb)
            })
        }) {
            Some((pr, per_gb)) => self.push(
                BomLine {
                    component: CostComponent::Storage,
                    item: what.to_owned(),
                    quantity: gb,
                    unit_price: Some(pr.clone()),
                    list_usd: per_gb * gb,
                    monthly_usd: per_gb * gb,
                    self_hosted: false,
                    note: None,
                },
                0.0,
            ),
            None => self
                .unpriced
                .push(format!("{what} (no sourced per-GB price)")),
        }
    }

    /// Returns whether the database is managed.
    fn add_database(
        &mut self,
        catalog: &Catalog,
        p: &ProviderCatalog,
        phase: &Phase,
        m: &Multipliers,
        options: &PricingOptions,
    ) -> bool {
        let db = &phase.database;
        let nodes = db.nodes();
        let storage_gb = f64::from(db.storage_gb) * f64::from(nodes);
        // Per shard: the primary (HA-priced when wanted) and the replicas.
        let managed = p
            .postgres
            .iter()
            .filter(|s| s.vcpu >= db.vcpu && s.memory_gib >= db.memory_gib)
            .filter_map(|s| {
                let single = usd(catalog, &s.price)?;
                let (primary, how) = if !db.high_availability {
                    (single, None)
                } else if let Some(ha) = s.ha_price.as_ref().and_then(|h| usd(catalog, h)) {
                    (ha, Some("HA plan"))
                } else if let Some(mult) = &p.postgres_ha_multiplier {
                    (single * mult.fraction, Some("HA: catalog multiplier"))
                } else {
                    (single * 2.0, Some("HA: standby priced as a second node"))
                };
                let per_shard = primary + single * f64::from(db.read_replicas);
                Some((s, single, per_shard, how))
            })
            .min_by(|a, b| a.2.total_cmp(&b.2));
        let line = managed.map(|(sku, _, per_shard, how)| {
            let mut note = vec![format!(
                "{} shard(s) × (primary + {} replica(s))",
                db.shards, db.read_replicas
            )];
            note.extend(how.map(str::to_owned));
            let total = per_shard * f64::from(db.shards);
            BomLine {
                component: CostComponent::Database,
                item: sku.sku.clone(),
                quantity: f64::from(db.shards * (1 + db.read_replicas)),
                unit_price: Some(sku.price.clone()),
                list_usd: total,
                monthly_usd: total,
                self_hosted: false,
                note: Some(note.join("; ")),
            }
        });
        let fallback = SelfHosted {
            component: CostComponent::Database,
            size: (db.vcpu, db.memory_gib),
            nodes,
            note: format!(
                "self-hosted PostgreSQL: no managed SKU with {} vCPU / {} GiB",
                db.vcpu, db.memory_gib
            ),
            ops_hours: OPS_HOURS.database,
        };
        self.managed_or_self_hosted(line, fallback, catalog, p, m, options, |book, managed| {
            if managed {
                let storage = p.postgres_storage.as_ref();
                book.storage_line(storage, catalog, storage_gb, "database storage");
            } else {
                let volumes = p.block_storage.as_ref();
                book.storage_line(volumes, catalog, storage_gb, "database volumes");
            }
        })
    }

    fn add_cache(
        &mut self,
        catalog: &Catalog,
        p: &ProviderCatalog,
        phase: &Phase,
        m: &Multipliers,
        options: &PricingOptions,
    ) -> bool {
        let cache = &phase.cache;
        let need_gib = f64::from(cache.memory_mib) / 1_024.0;
        let groups = match cache.mode {
            CacheMode::Standard | CacheMode::Sentinel => 1,
            CacheMode::Cluster => cache.shards,
        };
        let replicated = cache.mode != CacheMode::Standard;
        let managed = p
            .redis
            .iter()
            .filter(|s| s.memory_gib >= need_gib)
            .filter_map(|s| {
                let single = usd(catalog, &s.price)?;
                let per_group = match (replicated, s.ha_price.as_ref()) {
                    (false, _) => single,
                    (true, Some(ha)) => usd(catalog, ha)?,
                    (true, None) => single * 2.0,
                };
                Some((s, per_group))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let line = managed.map(|(sku, per_group)| {
            let total = per_group * f64::from(groups);
            self.cache_mib = sku.memory_gib * 1_024.0 * f64::from(groups);
            let how = match cache.mode {
                CacheMode::Standard => "one node".to_owned(),
                CacheMode::Sentinel => "primary with failover replica".to_owned(),
                CacheMode::Cluster => format!("{groups} shards, each with a replica"),
            };
            BomLine {
                component: CostComponent::Cache,
                item: sku.sku.clone(),
                quantity: f64::from(groups * if replicated { 2 } else { 1 }),
                unit_price: Some(sku.price.clone()),
                list_usd: total,
                monthly_usd: total,
                self_hosted: false,
                note: Some(how),
            }
        });
        let fallback = SelfHosted {
            component: CostComponent::Cache,
            size: (1, need_gib * 1.5),
            nodes: cache.nodes(),
            note: format!(
                "self-hosted Redis ({}): no managed SKU with {need_gib} GiB",
                cache.mode.key()
            ),
            ops_hours: OPS_HOURS.cache,
        };
        self.managed_or_self_hosted(line, fallback, catalog, p, m, options, |_, _| {})
    }

    fn add_load_balancer(
        &mut self,
        catalog: &Catalog,
        p: &ProviderCatalog,
        m: &Multipliers,
        options: &PricingOptions,
    ) -> bool {
        let line = p
            .load_balancer
            .as_ref()
            .and_then(|pr| Some((pr, usd(catalog, pr)?)))
            .map(|(price, monthly)| BomLine {
                component: CostComponent::LoadBalancer,
                item: format!("{} load balancer", p.name),
                quantity: 1.0,
                unit_price: Some(price.clone()),
                list_usd: monthly,
                monthly_usd: monthly,
                self_hosted: false,
                note: Some("fixed hourly charge; usage-based units not included".to_owned()),
            });
        let fallback = SelfHosted {
            component: CostComponent::LoadBalancer,
            size: (1, 1.0),
            nodes: 1,
            note: "self-hosted nginx load balancer: no sourced managed price".to_owned(),
            ops_hours: OPS_HOURS.load_balancer,
        };
        self.managed_or_self_hosted(line, fallback, catalog, p, m, options, |_, _| {})
    }

    fn add_kubernetes(
        &mut self,
        catalog: &Catalog,
        p: &ProviderCatalog,
        m: &Multipliers,
        options: &PricingOptions,
    ) -> bool {
        let line = p
            .kubernetes_control_plane
            .as_ref()
            .and_then(|pr| Some((pr, usd(catalog, pr)?)))
            .map(|(price, monthly)| BomLine {
                component: CostComponent::Kubernetes,
                item: "managed control plane".to_owned(),
                quantity: 1.0,
                unit_price: Some(price.clone()),
                list_usd: monthly,
                monthly_usd: monthly,
                self_hosted: false,
                note: None,
            });
        let fallback = SelfHosted {
            component: CostComponent::Kubernetes,
            size: (2, 4.0),
            nodes: 3,
            note: "self-managed control plane (3 nodes): no managed Kubernetes".to_owned(),
            ops_hours: OPS_HOURS.kubernetes,
        };
        self.managed_or_self_hosted(line, fallback, catalog, p, m, options, |_, _| {})
    }

    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// Egress GB a month at `users` peak concurrent users.
    fn egress_gb(&self, users: f64) -> f64 {
        users * self.gb_per_peak_user
    }

    /// Tiered egress cost, USD: each tier's price applies to the GB between the previous tier's
    /// bound and its own.
    fn egress_usd(&self, gb: f64) -> f64 {
        let mut cost = 0.0;
        let mut from = 0.0;
        for &(up_to, per_gb) in &self.egress {
            let to = up_to.unwrap_or(f64::INFINITY);
            if gb > from {
                cost += (gb.min(to) - from) * per_gb;
            }
            from = to;
        }
        // Beyond a bounded last tier the catalog has no price; the last one continues.
        if let Some(&(Some(last), per_gb)) = self.egress.last()
            && gb > last
        {
            cost += (gb - last) * per_gb;
        }
        cost
    }

    /// Monthly cost at `users`, USD, split by component. Allocation-free.
    pub fn monthly(&self, demand: &Demand, phase_vcpu: u32, users: f64) -> Breakdown {
        let mut b = self.fixed_usd;
        let n = demand.app_instances(
            phase_vcpu,
            self.app_min,
            self.app_max,
            self.cpu_target,
            users,
        );
        b[CostComponent::App] += f64::from(n) * self.app_unit_usd;
        b[CostComponent::Egress] += self.egress_usd(self.egress_gb(users));
        b
    }

    /// The full bill at `users`.
    pub fn bill(&self, demand: &Demand, phase_vcpu: u32, users: f64) -> Bill {
        let n = demand.app_instances(
            phase_vcpu,
            self.app_min,
            self.app_max,
            self.cpu_target,
            users,
        );
        let quantity = f64::from(n * self.app_multiple);
        let mut lines = vec![BomLine {
            component: CostComponent::App,
            item: self.app_sku.sku.clone(),
            quantity,
            unit_price: Some(self.app_sku.price.clone()),
            list_usd: f64::from(n) * self.app_unit_list_usd,
            monthly_usd: f64::from(n) * self.app_unit_usd,
            self_hosted: false,
            note: Some(format!(
                "{n} instance(s) for the peak (min {}, max {})",
                self.app_min, self.app_max
            )),
        }];
        lines.extend(self.fixed.iter().map(|f| f.line.clone()));
        let gb = self.egress_gb(users);
        if gb > 0.0 && !self.egress.is_empty() {
            let cost = self.egress_usd(gb);
            lines.push(BomLine {
                component: CostComponent::Egress,
                item: "egress".to_owned(),
                quantity: gb,
                unit_price: self.egress_price.clone(),
                list_usd: cost,
                monthly_usd: cost,
                self_hosted: false,
                note: Some("tiered; average users × GB per user".to_owned()),
            });
        }
        Bill {
            provider: self.provider,
            phase_index: self.phase_index,
            users,
            total_usd: lines.iter().map(|l| l.monthly_usd).sum(),
            list_usd: lines.iter().map(|l| l.list_usd).sum(),
            ops_hours: self.fixed.iter().map(|f| f.ops_hours).sum(),
            unpriced: self.unpriced.clone(),
            managed_share: self.managed_share,
            app_vcpu: self.app_vcpu,
            cache_mib: self.cache_mib,
            lines,
        }
    }

    /// Operations hours a month.
    pub fn ops_hours(&self) -> f64 {
        self.fixed.iter().map(|f| f.ops_hours).sum()
    }

    pub fn managed_share(&self) -> f64 {
        self.managed_share
    }

    /// vCPUs per app instance as bought, and usable cache MiB as bought.
    pub fn bought(&self) -> (u32, f64) {
        (self.app_vcpu, self.cache_mib)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::scenario::tests::example;

    fn book(
        provider: ProviderId,
        phase: usize,
        tweak: impl Fn(&mut crate::scenario::Scenario),
    ) -> (PriceBook, Demand, u32) {
        let mut sc = example();
        tweak(&mut sc);
        let s = sc.validate().unwrap();
        let c = Catalog::built_in().unwrap();
        let p = &s.ladder().phases()[phase];
        let b = PriceBook::new(
            &c,
            provider,
            p,
            phase,
            &s.scenario().workload,
            &s.scenario().pricing,
        )
        .unwrap();
        (b, s.demand(), p.app.vcpu)
    }

    fn line(bill: &Bill, c: CostComponent) -> &BomLine {
        bill.lines.iter().find(|l| l.component == c).unwrap()
    }

    #[test]
    fn aws_launch_buys_the_cheapest_skus_that_fit() {
        let (b, d, vcpu) = book(ProviderId::Aws, 0, |_| {});
        let bill = b.bill(&d, vcpu, 0.0);
        // 2 vCPU / 4 GiB → t3.medium at $0.0416 × 730 h; one instance at the minimum.
        let app = line(&bill, CostComponent::App);
        assert_eq!((app.item.as_str(), app.quantity), ("t3.medium", 1.0));
        assert!((app.monthly_usd - 0.0416 * 730.0).abs() < 1e-9);
        assert_eq!(app.unit_price.as_ref().unwrap().source, "IC-ec2");
        // 2 vCPU / 2 GiB, no HA → db.t3.small; 20 GB at $0.115.
        let db = line(&bill, CostComponent::Database);
        assert_eq!(db.item, "db.t3.small");
        assert!((db.monthly_usd - 0.036 * 730.0).abs() < 1e-9);
        assert!((line(&bill, CostComponent::Storage).monthly_usd - 2.3).abs() < 1e-9);
        // 512 MiB → cache.t3.micro (0.5 GiB), one node.
        assert_eq!(line(&bill, CostComponent::Cache).item, "cache.t3.micro");
        assert_eq!(bill.managed_share, 1.0);
        assert_eq!(bill.ops_hours, 0.0);
        assert!(bill.unpriced.is_empty());
        let sum: f64 = bill.lines.iter().map(|l| l.monthly_usd).sum();
        assert!((bill.total_usd - sum).abs() < 1e-9);
    }

    #[test]
    fn aws_growth_prices_multi_az_with_the_catalog_multiplier() {
        let (b, d, vcpu) = book(ProviderId::Aws, 1, |_| {});
        let bill = b.bill(&d, vcpu, 0.0);
        // 2 vCPU / 4 GiB → db.t3.medium $0.072: primary ×2 (Multi-AZ) + one replica.
        let db = line(&bill, CostComponent::Database);
        assert_eq!(db.item, "db.t3.medium");
        assert!((db.monthly_usd - 0.072 * 730.0 * 3.0).abs() < 1e-9);
        assert_eq!(line(&bill, CostComponent::LoadBalancer).quantity, 1.0);
    }

    #[test]
    fn hetzner_self_hosts_in_euros_with_operations_effort() {
        let (b, d, vcpu) = book(ProviderId::Hetzner, 0, |_| {});
        let bill = b.bill(&d, vcpu, 0.0);
        let app = line(&bill, CostComponent::App);
        assert_eq!(app.item, "CX22");
        // €3.79 at the catalog's stated 1.08 USD per EUR.
        assert!((app.monthly_usd - 3.79 * 1.08).abs() < 1e-9);
        let db = line(&bill, CostComponent::Database);
        assert!(db.self_hosted);
        let ops: f64 = bill
            .lines
            .iter()
            .filter(|l| l.component == CostComponent::Operations)
            .map(|l| l.quantity)
            .sum();
        assert_eq!(ops, OPS_HOURS.database + OPS_HOURS.cache);
        assert_eq!(bill.ops_hours, ops);
        assert_eq!(bill.managed_share, 0.0);
    }

    #[test]
    fn spot_and_commitments_discount_the_app_tier_by_the_stated_formula() {
        let (full, d, vcpu) = book(ProviderId::Aws, 0, |_| {});
        let (disc, _, _) = book(ProviderId::Aws, 0, |s| {
            s.pricing.spot_share = 0.5;
            s.pricing.commit_1y_share = 0.2;
            s.pricing.commit_3y_share = 0.3;
        });
        let f = line(&full.bill(&d, vcpu, 0.0), CostComponent::App).monthly_usd;
        let bill = disc.bill(&d, vcpu, 0.0);
        let app = line(&bill, CostComponent::App);
        // AWS: spot 59 %, 1-year 37 %, 3-year 57 % off.
        let committed = 0.2 * 0.63 + 0.3 * 0.43 + 0.5;
        let factor = 0.5 * 0.41 + 0.5 * committed;
        assert!((app.monthly_usd - f * factor).abs() < 1e-9);
        assert!((app.list_usd - f).abs() < 1e-9);
        // Managed services are not discounted.
        assert_eq!(
            line(&bill, CostComponent::Database).monthly_usd,
            line(&bill, CostComponent::Database).list_usd
        );
    }

    #[test]
    fn egress_walks_the_tiers() {
        let (b, _, _) = book(ProviderId::Aws, 0, |_| {});
        // AWS: first 100 GB free, then $0.09 up to 10,240 GB, then $0.085.
        assert_eq!(b.egress_usd(100.0), 0.0);
        assert!((b.egress_usd(1_100.0) - 90.0).abs() < 1e-9);
        let big = 10_240.0 + 1_000.0;
        assert!((b.egress_usd(big) - (10_140.0 * 0.09 + 1_000.0 * 0.085)).abs() < 1e-6);
    }

    #[test]
    fn a_components_key_is_its_wire_name_and_the_breakdowns_field() {
        let mut b = Breakdown::default();
        for (i, c) in CostComponent::ALL.into_iter().enumerate() {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.key())
            );
            b[c] = i as f64;
        }
        // Each field of the breakdown holds its component's cost, in ALL order.
        let fields: Vec<String> = CostComponent::ALL
            .into_iter()
            .enumerate()
            .map(|(i, c)| format!("\"{}\":{i}.0", c.key()))
            .collect();
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            format!("{{{}}}", fields.join(","))
        );
        assert_eq!(b.total(), 28.0);
        let mut missing = serde_json::to_value(b).unwrap();
        missing.as_object_mut().unwrap().remove("egress");
        assert!(serde_json::from_value::<Breakdown>(missing).is_err());
    }

    #[test]
    fn the_monthly_split_adds_up_to_the_bill() {
        let (b, d, vcpu) = book(ProviderId::Hetzner, 1, |_| {});
        let split = b.monthly(&d, vcpu, 3_000.0);
        let bill = b.bill(&d, vcpu, 3_000.0);
        for c in CostComponent::ALL {
            let lines: f64 = bill
                .lines
                .iter()
                .filter(|l| l.component == c)
                .map(|l| l.monthly_usd)
                .sum();
            assert!(
                (split[c] - lines).abs() < 1e-9,
                "{c:?}: {} vs {lines}",
                split[c]
            );
        }
        assert!((split.total() - bill.total_usd).abs() < 1e-9);
    }

    #[test]
    fn within_a_phase_more_users_never_cost_less() {
        for provider in ProviderId::ALL {
            for phase in 0..4 {
                let (b, d, vcpu) = book(provider, phase, |_| {});
                let mut last = 0.0;
                for users in (0..200).map(|i| f64::from(i) * 300.0) {
                    let c = b.monthly(&d, vcpu, users).total();
                    assert!(
                        c >= last,
                        "{provider:?} phase {phase} at {users}: {c} < {last}"
                    );
                    last = c;
                }
            }
        }
    }
}
