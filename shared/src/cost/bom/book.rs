//! The price book of one phase on one provider: what its fixed components cost (bought once from
//! the catalog when the book is made) and how the app tier and egress scale with users.

use super::{Bill, BomLine, Breakdown, CostComponent};
use crate::capacity::components::Demand;
use crate::cost::catalog::{Catalog, ComputeSku, Price, ProviderCatalog, ProviderId};
use crate::cost::money::Money;
use crate::phase::Phase;
use crate::scenario::{PricingOptions, Workload};

/// A fixed (user-independent) line, priced once per phase and provider.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fixed {
    pub(super) line: BomLine,
    /// Operations hours this line implies.
    pub(super) ops_hours: f64,
}

/// Everything needed to price one phase on one provider at any user count, computed once: SKU
/// choices, discounts and fixed lines. [`PriceBook::monthly`] is then allocation-free, for the
/// timeline and the Monte Carlo.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBook {
    pub(super) provider: ProviderId,
    pub(super) phase_index: usize,
    pub(super) app_sku: ComputeSku,
    /// Catalog instances per app instance (> 1 when no SKU is big enough).
    pub(super) app_multiple: u32,
    pub(super) app_unit_list_usd: f64,
    pub(super) app_unit_usd: f64,
    pub(super) app_vcpu: u32,
    pub(super) app_min: u32,
    pub(super) app_max: u32,
    pub(super) cpu_target: f64,
    pub(super) fixed: Vec<Fixed>,
    pub(super) fixed_usd: Breakdown,
    pub(super) egress: Vec<(Option<f64>, f64)>,
    pub(super) egress_price: Option<Price>,
    pub(super) gb_per_peak_user: f64,
    pub(super) unpriced: Vec<String>,
    pub(super) managed_share: f64,
    pub(super) cache_mib: f64,
}

/// Price multipliers from the scenario's buying options and the provider's discounts.
pub(super) struct Multipliers {
    /// App tier: spot and commitments.
    pub(super) app: f64,
    /// Self-hosted VMs: commitments only (stateful nodes do not run on spot).
    pub(super) vm: f64,
}

pub(super) fn multipliers(p: &ProviderCatalog, o: &PricingOptions) -> Multipliers {
    let d =
        |f: &Option<crate::cost::catalog::SourcedFactor>| f.as_ref().map_or(0.0, |f| f.fraction);
    let committed = o.commit_1y_share * (1.0 - d(&p.discounts.commit_1y))
        + o.commit_3y_share * (1.0 - d(&p.discounts.commit_3y))
        + (1.0 - o.commit_1y_share - o.commit_3y_share);
    Multipliers {
        app: o.spot_share * (1.0 - d(&p.discounts.spot)) + (1.0 - o.spot_share) * committed,
        vm: committed,
    }
}

pub(super) fn usd(catalog: &Catalog, price: &Price) -> Option<f64> {
    price.monthly().map(|m| catalog.to_usd(m).amount)
}

/// The cheapest compute SKU with at least `vcpu` and `memory_gib`; if none is big enough, the
/// largest and how many of it make one.
pub(super) fn compute_for(
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

    pub(super) fn push(&mut self, line: BomLine, ops_hours: f64) {
        self.fixed.push(Fixed { line, ops_hours });
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
    pub(super) fn egress_usd(&self, gb: f64) -> f64 {
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
