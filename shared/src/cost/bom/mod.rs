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

mod book;
mod services;

pub use book::PriceBook;

use super::catalog::{Price, ProviderId};

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

#[cfg(test)]
mod tests {
    use crate::capacity::components::Demand;
    use crate::cost::catalog::Catalog;
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
