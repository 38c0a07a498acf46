//! What a bundle is generated from: one phase of a validated scenario on one provider, with the
//! bill of materials the cost model chose for it. Every generator reads this and nothing else,
//! so the files, the dashboard's numbers and the alerts all come from the same figures.

use crate::capacity::components::phase_capacity;
use crate::cost::bom::{Bill, CostComponent, PriceBook};
use crate::cost::catalog::{Catalog, ProviderId};
use crate::phase::Phase;
use crate::valid::ValidScenario;

use super::BundleError;

/// One bought item of the bill: what the cost model picked for a component.
#[derive(Debug, Clone, PartialEq)]
pub struct Bought {
    /// The catalog's SKU name (`m5.large`, `db-custom-2-7680`, `Shared 4 GB`, `CX22`).
    pub sku: String,
    /// Units of it.
    pub quantity: u32,
    /// Run on the provider's VMs because it has no managed service that fits.
    pub self_hosted: bool,
}

/// Everything the generators need about one phase on one provider.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleSpec {
    pub scenario_name: String,
    pub phase: Phase,
    pub phase_index: usize,
    pub provider: ProviderId,
    pub provider_name: String,
    /// The catalog region the prices are for; the Terraform region variable defaults to it.
    pub region: String,
    pub catalog_version: String,
    /// Peak concurrent users the phase carries before it must be left (its critical line under
    /// this workload): what it is sized for.
    pub peak_users: f64,
    /// Requests per second at that peak.
    pub peak_rps: f64,
    /// Requests a user makes per second on average at the peak (for rate limits).
    pub rps_per_user: f64,
    /// The bill at the peak: estimated monthly cost and the SKUs.
    pub bill: Bill,
    pub app: Bought,
    pub database: Bought,
    pub cache: Bought,
}

impl BundleSpec {
    /// Builds the spec for the phase with `phase_key` on `provider`.
    pub fn new(
        s: &ValidScenario,
        catalog: &Catalog,
        phase_key: &str,
        provider: ProviderId,
    ) -> Result<Self, BundleError> {
        let sc = s.scenario();
        let phases = s.ladder().phases();
        let (index, phase) = phases
            .iter()
            .enumerate()
            .find(|(_, p)| p.key == phase_key)
            .ok_or_else(|| BundleError::UnknownPhase {
                key: phase_key.to_owned(),
                known: phases.iter().map(|p| p.key.clone()).collect(),
            })?;
        let p = catalog
            .provider(provider)
            .ok_or(BundleError::ProviderNotPriced(provider))?;
        let demand = s.demand();
        let peak = phase_capacity(&demand, phase, index, 0.0).critical_users;
        let book = PriceBook::new(catalog, provider, phase, index, &sc.workload, &sc.pricing)
            .ok_or(BundleError::ProviderNotPriced(provider))?;
        let bill = book.bill(&demand, phase.app.vcpu, peak);
        let bought = |component: CostComponent| -> Option<Bought> {
            bill.lines
                .iter()
                .find(|l| l.component == component)
                .map(|l| Bought {
                    sku: l.item.clone(),
                    // Quantities of VMs and nodes are whole; the bill keeps them as f64.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    quantity: l.quantity.round().max(1.0) as u32,
                    self_hosted: l.self_hosted,
                })
        };
        let missing = |what: &str| BundleError::MissingLine {
            provider,
            what: what.to_owned(),
        };
        Ok(BundleSpec {
            scenario_name: sc.name.clone(),
            phase: phase.clone(),
            phase_index: index,
            provider,
            provider_name: p.name.clone(),
            region: p.region.clone(),
            catalog_version: catalog.version.clone(),
            peak_users: peak,
            peak_rps: peak * demand.rps_per_user,
            rps_per_user: demand.rps_per_user,
            app: bought(CostComponent::App).ok_or_else(|| missing("app tier"))?,
            database: bought(CostComponent::Database).ok_or_else(|| missing("database"))?,
            cache: bought(CostComponent::Cache).ok_or_else(|| missing("cache"))?,
            bill,
        })
    }

    /// App instances the autoscaler starts from and may reach.
    pub fn app_range(&self) -> (u32, u32) {
        (self.phase.app.min_instances, self.phase.app.max_instances)
    }

    /// Redis clients to allow: every app process keeps a small pool (assumed 20 connections per
    /// instance at the autoscaler's ceiling), plus the exporters and Sentinels, with headroom.
    /// The seeds set 200 at Growth.
    pub fn redis_max_clients(&self) -> u32 {
        (self.phase.app.max_instances * 20).max(100) * 2
    }

    /// nginx's per-IP request rate, per second: ten times a user's average rate (a page load
    /// fires several requests at once), at least 5.
    pub fn rate_limit_per_second(&self) -> u32 {
        // Bounded: rps_per_user comes from a validated per-minute rate (≤ 10,000 / min).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let r = (self.rps_per_user * 10.0).ceil() as u32;
        r.max(5)
    }

    /// The phase's key, which names files and resources.
    pub fn key(&self) -> &str {
        &self.phase.key
    }

    /// A DNS- and resource-name-safe prefix: `phaseplan-<phase>`.
    pub fn name(&self) -> String {
        format!("phaseplan-{}", self.phase.key)
    }

    /// Whether the bill buys a managed load balancer (else nginx alone fronts the app).
    pub fn managed_lb(&self) -> bool {
        self.phase.load_balancer.managed
            && self
                .bill
                .lines
                .iter()
                .any(|l| l.component == CostComponent::LoadBalancer && !l.self_hosted)
    }
}
