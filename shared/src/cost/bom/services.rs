//! What each fixed service costs: the managed line when the catalog prices one that fits, else
//! VMs plus operations hours — one rule, [`PriceBook::managed_or_self_hosted`].

use super::book::{Multipliers, PriceBook, compute_for, usd};
use super::{BomLine, CostComponent, OPS_HOURS};
use crate::cost::catalog::{Catalog, Price, ProviderCatalog};
use crate::cost::money::Money;
use crate::phase::Phase;
use crate::scenario::PricingOptions;
use crate::tiers::CacheMode;

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
            (pr.unit == crate::cost::catalog::PriceUnit::GbMonth).then(|| {
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
    pub(super) fn add_database(
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

    pub(super) fn add_cache(
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

    pub(super) fn add_load_balancer(
        &mut self,
        catalog: &Catalog,
        p: &ProviderCatalog,
        m: &Multipliers,
        options: &PricingOptions,
    ) -> bool {
        let line = fixed_fee(
            catalog,
            p.load_balancer.as_ref(),
            CostComponent::LoadBalancer,
            format!("{} load balancer", p.name),
            Some("fixed hourly charge; usage-based units not included".to_owned()),
        );
        let fallback = SelfHosted {
            component: CostComponent::LoadBalancer,
            size: (1, 1.0),
            nodes: 1,
            note: "self-hosted nginx load balancer: no sourced managed price".to_owned(),
            ops_hours: OPS_HOURS.load_balancer,
        };
        self.managed_or_self_hosted(line, fallback, catalog, p, m, options, |_, _| {})
    }

    pub(super) fn add_kubernetes(
        &mut self,
        catalog: &Catalog,
        p: &ProviderCatalog,
        m: &Multipliers,
        options: &PricingOptions,
    ) -> bool {
        let line = fixed_fee(
            catalog,
            p.kubernetes_control_plane.as_ref(),
            CostComponent::Kubernetes,
            "managed control plane".to_owned(),
            None,
        );
        let fallback = SelfHosted {
            component: CostComponent::Kubernetes,
            size: (2, 4.0),
            nodes: 3,
            note: "self-managed control plane (3 nodes): no managed Kubernetes".to_owned(),
            ops_hours: OPS_HOURS.kubernetes,
        };
        self.managed_or_self_hosted(line, fallback, catalog, p, m, options, |_, _| {})
    }
}

/// One managed unit at a fixed monthly fee (a load balancer, a control plane), when the catalog
/// prices it.
fn fixed_fee(
    catalog: &Catalog,
    price: Option<&Price>,
    component: CostComponent,
    item: String,
    note: Option<String>,
) -> Option<BomLine> {
    let price = price?;
    let monthly = usd(catalog, price)?;
    Some(BomLine {
        component,
        item,
        quantity: 1.0,
        unit_price: Some(price.clone()),
        list_usd: monthly,
        monthly_usd: monthly,
        self_hosted: false,
        note,
    })
}
