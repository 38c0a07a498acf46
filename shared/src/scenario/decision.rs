//! The provider choice's settings, part of the scenario (and so of every share link): how much
//! each criterion matters, and the two criteria that are judgements rather than computations.

use serde::{Deserialize, Serialize};

use super::criterion::{Criterion, CriterionMap};
use crate::cost::catalog::ProviderId;
use crate::error::{Reason, ValidationError, check_range};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionSettings {
    /// Relative importance of each criterion, 0–100; only ratios matter. On the wire as every
    /// share link of format 1 has it: `{"monthly_cost": 3.0, "tco": 3.0, …}`.
    pub weights: CriterionMap<f64>,
    /// Availability and lock-in per provider, 1–5. The defaults are stated assumptions for the
    /// user to replace with their own assessment; a provider not listed rates 3 on both.
    pub ratings: Vec<ProviderRating>,
}

/// A provider's values on the two criteria that are judgements rather than computations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProviderRating {
    pub provider: ProviderId,
    /// 1 (weak) – 5 (strong): regions, zones, SLA, track record.
    pub availability: f64,
    /// 1 (easy to leave) – 5 (hard to leave): proprietary services in the plan.
    pub lock_in: f64,
}

impl Default for DecisionSettings {
    /// Cost first, then availability and operations effort. Ratings (assumed): the three
    /// hyperscalers 5 for availability (many regions and zones) and 4 for lock-in; Linode and
    /// DigitalOcean 4 and 2; Hetzner 3 and 1 (few regions, plain VMs).
    fn default() -> Self {
        use ProviderId as P;
        let rating = |provider, availability, lock_in| ProviderRating {
            provider,
            availability,
            lock_in,
        };
        DecisionSettings {
            weights: CriterionMap::from_fn(|c| match c {
                Criterion::MonthlyCost | Criterion::Tco => 3.0,
                Criterion::Availability | Criterion::Operations => 2.0,
                Criterion::Headroom | Criterion::LockIn | Criterion::Managed => 1.0,
            }),
            ratings: vec![
                rating(P::Aws, 5.0, 4.0),
                rating(P::Gcp, 5.0, 4.0),
                rating(P::Azure, 5.0, 4.0),
                rating(P::Linode, 4.0, 2.0),
                rating(P::DigitalOcean, 4.0, 2.0),
                rating(P::Hetzner, 3.0, 1.0),
            ],
        }
    }
}

impl DecisionSettings {
    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        for (c, w) in self.weights.iter() {
            check_range(&format!("decision.weights.{}", c.key()), *w, 0.0, 100.0)?;
        }
        if self.weights.iter().all(|(_, w)| *w == 0.0) {
            return Err(ValidationError::new("decision.weights", Reason::AllZero));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, r) in self.ratings.iter().enumerate() {
            let f = format!("decision.ratings[{i}]");
            if !seen.insert(r.provider) {
                return Err(ValidationError::new(
                    format!("{f}.provider"),
                    Reason::Duplicate(r.provider.key().to_owned()),
                ));
            }
            check_range(&format!("{f}.availability"), r.availability, 1.0, 5.0)?;
            check_range(&format!("{f}.lock_in"), r.lock_in, 1.0, 5.0)?;
        }
        Ok(())
    }

    /// A provider's rating: the listed one, or 3 on both when it is not rated.
    pub fn rating(&self, provider: ProviderId) -> ProviderRating {
        self.ratings
            .iter()
            .find(|r| r.provider == provider)
            .copied()
            .unwrap_or(ProviderRating {
                provider,
                availability: 3.0,
                lock_in: 3.0,
            })
    }

    /// The listed rating of `provider` for editing, added (from [`DecisionSettings::rating`])
    /// when it is not listed yet.
    pub fn rating_mut(&mut self, provider: ProviderId) -> &mut ProviderRating {
        let i = match self.ratings.iter().position(|r| r.provider == provider) {
            Some(i) => i,
            None => {
                self.ratings.push(self.rating(provider));
                self.ratings.len() - 1
            }
        };
        &mut self.ratings[i]
    }
}

impl ProviderRating {
    /// The rating behind criterion `c`, for the two criteria that are judgements; `None` for
    /// the ones the model computes.
    pub fn get_mut(&mut self, c: Criterion) -> Option<&mut f64> {
        match c {
            Criterion::Availability => Some(&mut self.availability),
            Criterion::LockIn => Some(&mut self.lock_in),
            Criterion::MonthlyCost
            | Criterion::Tco
            | Criterion::Headroom
            | Criterion::Operations
            | Criterion::Managed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn weights_are_checked_by_criterion_and_not_all_zero() {
        let mut d = DecisionSettings::default();
        assert_eq!(d.validate(), Ok(()));
        d.weights[Criterion::LockIn] = 101.0;
        let e = d.validate().unwrap_err();
        assert_eq!(e.field, "decision.weights.lock_in");
        d.weights = CriterionMap::from_fn(|_| 0.0);
        let e = d.validate().unwrap_err();
        assert_eq!(
            (e.field.as_str(), &e.reason),
            ("decision.weights", &Reason::AllZero)
        );
        assert_eq!(e.to_string(), "decision.weights: must not all be zero");
        d.weights[Criterion::Managed] = 0.5;
        assert_eq!(d.validate(), Ok(()));
    }

    #[test]
    fn an_unrated_provider_rates_3_until_edited() {
        let mut d = DecisionSettings::default();
        d.ratings.retain(|r| r.provider != ProviderId::Linode);
        let linode = d.rating(ProviderId::Linode);
        assert_eq!((linode.availability, linode.lock_in), (3.0, 3.0));
        *d.rating_mut(ProviderId::Linode)
            .get_mut(Criterion::LockIn)
            .unwrap() = 2.5;
        let linode = d.rating(ProviderId::Linode);
        assert_eq!((linode.availability, linode.lock_in), (3.0, 2.5));
        assert_eq!(d.ratings.len(), 6);
        // Editing a listed one changes it in place.
        *d.rating_mut(ProviderId::Aws)
            .get_mut(Criterion::Availability)
            .unwrap() = 4.0;
        assert_eq!(d.rating(ProviderId::Aws).availability, 4.0);
        assert_eq!(d.ratings.len(), 6);
        assert_eq!(d.rating_mut(ProviderId::Aws).get_mut(Criterion::Tco), None);
    }

    /// The weights keep the shape share links of format 1 wrote: an object keyed by the wire
    /// names (the fixture itself is opened in `share`'s tests).
    #[test]
    fn the_default_weights_serialise_as_format_1_wrote_them() {
        assert_eq!(
            serde_json::to_value(DecisionSettings::default().weights).unwrap(),
            serde_json::json!({
                "monthly_cost": 3.0, "tco": 3.0, "headroom": 1.0, "availability": 2.0,
                "operations": 2.0, "lock_in": 1.0, "managed": 1.0
            })
        );
    }
}
