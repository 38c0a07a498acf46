//! What a bundle is generated from: one phase of a validated scenario on one provider, with the
//! bill of materials the cost model chose for it. Every generator reads this and nothing else,
//! so the files, the dashboard's numbers and the alerts all come from the same figures.

use crate::capacity::components::phase_capacity;
use crate::cost::bom::{Bill, BomLine, CostComponent, PriceBook};
use crate::cost::catalog::{Catalog, PlanId, ProviderCatalog, ProviderId};
use crate::phase::Phase;
use crate::valid::ValidScenario;

use super::BundleError;

/// One bought item of the bill: what the cost model picked for a component.
#[derive(Debug, Clone, PartialEq)]
pub struct Bought {
    /// The catalog's SKU name (`m5.large`, `db-custom-2-7680`, `Shared 4 GB`, `CX22`): for
    /// people, in comments.
    pub sku: String,
    /// What the provider's API calls it (`m5.large`, `g6-standard-2`, `cx22`; a Memorystore
    /// size): the catalog's data for that SKU, what Terraform is written with.
    pub plan: PlanId,
    /// Units of it.
    pub quantity: u32,
    /// Run on the provider's VMs because it has no managed service that fits.
    pub self_hosted: bool,
}

/// The saved revision a bundle was built from, cited in its README so a file on disk says which
/// plan it came from. Both the SPA and the server fill it from the same saved revision, so they
/// still build the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRevision {
    pub id: String,
    /// The saved scenario's name in the library (anyone's text: escaped where written).
    pub name: String,
    pub revision: u32,
    /// When the revision was saved, RFC 3339.
    pub saved_at: String,
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
    /// The VMs of a self-managed Kubernetes control plane, when the phase runs on Kubernetes and
    /// the provider has no managed one (Hetzner).
    pub control_plane: Option<Bought>,
    /// The saved revision this bundle is of, if it is of one.
    pub saved: Option<SavedRevision>,
    /// The platform it is deployed as: the alert rules' `platform` label (`default` unless
    /// the bundle is a platform's, as the scaling API's deployment configs are).
    pub platform: Option<String>,
}

/// The plan of the SKU a bill line bought, looked up by its exact catalog name in the list the
/// cost model chose it from: VMs for the app tier and anything self-hosted, else the managed
/// service's own list. A name the catalog does not hold is an error, never a guessed size.
fn plan_of(
    p: &ProviderCatalog,
    component: CostComponent,
    self_hosted: bool,
    sku: &str,
) -> Result<PlanId, BundleError> {
    let vm = || {
        p.compute
            .iter()
            .find(|c| c.sku == sku)
            .map(|c| PlanId::Id(c.plan.clone()))
    };
    let plan = match component {
        _ if self_hosted => vm(),
        CostComponent::App => vm(),
        CostComponent::Database => p
            .postgres
            .iter()
            .find(|d| d.sku == sku)
            .map(|d| PlanId::Id(d.plan.clone())),
        CostComponent::Cache => p
            .redis
            .iter()
            .find(|c| c.sku == sku)
            .map(|c| c.plan.clone()),
        // A managed fee (load balancer, control plane) has no size to look up.
        _ => None,
    };
    plan.ok_or_else(|| BundleError::UnknownSku {
        provider: p.id,
        sku: sku.to_owned(),
    })
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
        let missing = |what: &str| BundleError::MissingLine {
            provider,
            what: what.to_owned(),
        };
        let buy = |l: &BomLine| -> Result<Bought, BundleError> {
            Ok(Bought {
                sku: l.item.clone(),
                plan: plan_of(p, l.component, l.self_hosted, &l.item)?,
                // Quantities of VMs and nodes are whole; the bill keeps them as f64.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                quantity: l.quantity.round().max(1.0) as u32,
                self_hosted: l.self_hosted,
            })
        };
        let bought = |component: CostComponent, what: &str| -> Result<Bought, BundleError> {
            let line = bill.lines.iter().find(|l| l.component == component);
            buy(line.ok_or_else(|| missing(what))?)
        };
        let control_plane = bill
            .lines
            .iter()
            .find(|l| phase.kubernetes && l.component == CostComponent::Kubernetes && l.self_hosted)
            .map(buy)
            .transpose()?;
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
            app: bought(CostComponent::App, "app tier")?,
            database: bought(CostComponent::Database, "database")?,
            cache: bought(CostComponent::Cache, "cache")?,
            control_plane,
            saved: None,
            platform: None,
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

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// A bill line naming a SKU the catalog does not hold is an error, never a guessed size; a
    /// known one gets exactly the catalog's plan, whatever its display name says.
    #[test]
    fn plans_are_looked_up_by_exact_sku_name() {
        let catalog = Catalog::built_in().expect("catalog");
        let linode = catalog.provider(ProviderId::Linode).expect("linode");
        assert_eq!(
            plan_of(linode, CostComponent::Database, false, "Dedicated 8 GB"),
            Ok(PlanId::Id("g6-dedicated-4".to_owned()))
        );
        // Self-hosted services run on VMs: the VM's plan.
        assert_eq!(
            plan_of(linode, CostComponent::Cache, true, "g6-standard-2"),
            Ok(PlanId::Id("g6-standard-2".to_owned()))
        );
        assert_eq!(
            plan_of(linode, CostComponent::Database, false, "Dedicated 9 GB"),
            Err(BundleError::UnknownSku {
                provider: ProviderId::Linode,
                sku: "Dedicated 9 GB".to_owned()
            })
        );
        let gcp = catalog.provider(ProviderId::Gcp).expect("gcp");
        assert_eq!(
            plan_of(gcp, CostComponent::Cache, false, "Memorystore Basic 5 GB"),
            Ok(PlanId::MemoryGb(5))
        );
    }
}
