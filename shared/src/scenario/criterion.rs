//! The criteria of the provider choice, and a value for each of them.
//!
//! A criterion used to be a position in a list: the weights, each provider's values, the
//! normalised scores and the sensitivity rows all had to be written in the same order, and the
//! SPA mapped keys back to fields by hand. [`Criterion`] names each one and [`CriterionMap`] holds
//! exactly one value per criterion, so a missing, extra or shuffled value cannot be written.

use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

/// Whether more of a criterion is better or worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// One thing the provider choice weighs. Its wire name ([`Criterion::key`]) is the key of every
/// [`CriterionMap`] in a scenario or an evaluation, and the SPA's test ids (`weight-tco`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Monthly cost now, USD.
    MonthlyCost,
    /// Total cost over the horizon, USD.
    Tco,
    /// Capacity headroom of what is bought now (capacity over users, minus one).
    Headroom,
    /// Availability rating, 1–5: a judgement, from the scenario's ratings.
    Availability,
    /// Operations hours a month for self-hosted components.
    Operations,
    /// Lock-in rating, 1–5: a judgement, from the scenario's ratings.
    LockIn,
    /// Share (0–1) of the stateful services bought managed.
    Managed,
}

impl Criterion {
    /// Every criterion, in the order the SPA shows them (weights, radar axes, sensitivity rows).
    pub const ALL: [Criterion; 7] = [
        Criterion::MonthlyCost,
        Criterion::Tco,
        Criterion::Headroom,
        Criterion::Availability,
        Criterion::Operations,
        Criterion::LockIn,
        Criterion::Managed,
    ];

    /// The wire name, as serde writes it: field paths (`decision.weights.tco`) and test ids are
    /// built from it, so it must not drift from the JSON (a unit test holds them together).
    pub fn key(self) -> &'static str {
        match self {
            Criterion::MonthlyCost => "monthly_cost",
            Criterion::Tco => "tco",
            Criterion::Headroom => "headroom",
            Criterion::Availability => "availability",
            Criterion::Operations => "operations",
            Criterion::LockIn => "lock_in",
            Criterion::Managed => "managed",
        }
    }

    /// For people: table headers and weight labels.
    pub fn label(self) -> &'static str {
        match self {
            Criterion::MonthlyCost => "Monthly cost now",
            Criterion::Tco => "Total cost over the horizon",
            Criterion::Headroom => "Capacity headroom",
            Criterion::Availability => "Availability",
            Criterion::Operations => "Operations effort",
            Criterion::LockIn => "Lock-in",
            Criterion::Managed => "Managed-service coverage",
        }
    }

    /// Costs, effort and lock-in are better low; headroom, availability and managed coverage
    /// better high.
    pub fn direction(self) -> Direction {
        match self {
            Criterion::MonthlyCost | Criterion::Tco | Criterion::Operations | Criterion::LockIn => {
                Direction::LowerIsBetter
            }
            Criterion::Headroom | Criterion::Availability | Criterion::Managed => {
                Direction::HigherIsBetter
            }
        }
    }
}

/// One value for each criterion, no more and no fewer: a JSON object keyed by the criteria's
/// wire names (`{"monthly_cost": …, "tco": …, …}`), every key required, no other key accepted.
// The fields are private: the one way in is by criterion (`from_fn`, indexing with a
// `Criterion`), so no code reads a criterion's value from another's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CriterionMap<T> {
    /// Monthly cost now (lower is better).
    monthly_cost: T,
    /// Total cost over the horizon (lower is better).
    tco: T,
    /// Capacity headroom of what is bought now (higher is better).
    headroom: T,
    /// Availability rating (higher is better).
    availability: T,
    /// Operations hours a month for self-hosted components (lower is better).
    operations: T,
    /// Lock-in rating (lower is better).
    lock_in: T,
    /// Share of services bought managed (higher is better).
    managed: T,
}

impl<T> CriterionMap<T> {
    /// The map with `f(c)` for every criterion `c`, called in [`Criterion::ALL`] order.
    pub fn from_fn(mut f: impl FnMut(Criterion) -> T) -> Self {
        CriterionMap {
            monthly_cost: f(Criterion::MonthlyCost),
            tco: f(Criterion::Tco),
            headroom: f(Criterion::Headroom),
            availability: f(Criterion::Availability),
            operations: f(Criterion::Operations),
            lock_in: f(Criterion::LockIn),
            managed: f(Criterion::Managed),
        }
    }

    /// Every criterion with its value, in [`Criterion::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Criterion, &T)> + '_ {
        Criterion::ALL.into_iter().map(move |c| (c, &self[c]))
    }

    /// The map of `f(c, value)`.
    pub fn map<U>(&self, mut f: impl FnMut(Criterion, &T) -> U) -> CriterionMap<U> {
        CriterionMap::from_fn(|c| f(c, &self[c]))
    }
}

impl<T> Index<Criterion> for CriterionMap<T> {
    type Output = T;

    fn index(&self, c: Criterion) -> &T {
        match c {
            Criterion::MonthlyCost => &self.monthly_cost,
            Criterion::Tco => &self.tco,
            Criterion::Headroom => &self.headroom,
            Criterion::Availability => &self.availability,
            Criterion::Operations => &self.operations,
            Criterion::LockIn => &self.lock_in,
            Criterion::Managed => &self.managed,
        }
    }
}

impl<T> IndexMut<Criterion> for CriterionMap<T> {
    fn index_mut(&mut self, c: Criterion) -> &mut T {
        match c {
            Criterion::MonthlyCost => &mut self.monthly_cost,
            Criterion::Tco => &mut self.tco,
            Criterion::Headroom => &mut self.headroom,
            Criterion::Availability => &mut self.availability,
            Criterion::Operations => &mut self.operations,
            Criterion::LockIn => &mut self.lock_in,
            Criterion::Managed => &mut self.managed,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_key_is_the_wire_name_and_the_map_is_keyed_by_it() {
        for c in Criterion::ALL {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.key())
            );
            assert_eq!(
                serde_json::from_str::<Criterion>(&format!("\"{}\"", c.key())).unwrap(),
                c
            );
        }
        // Each field of the map holds the value of the criterion its name says, in ALL order.
        let fields: Vec<String> = Criterion::ALL
            .iter()
            .map(|c| format!("\"{0}\":\"{0}\"", c.key()))
            .collect();
        assert_eq!(
            serde_json::to_string(&CriterionMap::from_fn(Criterion::key)).unwrap(),
            format!("{{{}}}", fields.join(","))
        );
    }

    #[test]
    fn a_map_needs_every_criterion_and_no_other() {
        let full = serde_json::to_value(CriterionMap::from_fn(|_| 1.0)).unwrap();
        assert!(serde_json::from_value::<CriterionMap<f64>>(full.clone()).is_ok());
        let mut missing = full.clone();
        missing.as_object_mut().unwrap().remove("tco");
        assert!(serde_json::from_value::<CriterionMap<f64>>(missing).is_err());
        let mut extra = full;
        extra
            .as_object_mut()
            .unwrap()
            .insert("price".to_owned(), 1.0.into());
        assert!(serde_json::from_value::<CriterionMap<f64>>(extra).is_err());
    }

    #[test]
    fn indexing_reads_and_writes_the_criterions_own_value() {
        let mut m = CriterionMap::from_fn(|c| c as usize);
        for c in Criterion::ALL {
            assert_eq!(m[c], c as usize);
        }
        m[Criterion::LockIn] = 99;
        assert_eq!(m.iter().filter(|&(_, v)| *v == 99).count(), 1);
        assert_eq!(
            m.map(|c, v| (c, *v))[Criterion::LockIn],
            (Criterion::LockIn, 99)
        );
    }
}
