//! Small value types that keep units and invariants out of the way of the formulas.

use serde::{Deserialize, Serialize};

use crate::error::{ValidationError, check_range};

/// Concurrent users: finite, non-negative, at most [`Users::MAX`].
///
/// The upper bound is not a business limit but a sanity one: a billion concurrent users is more
/// than any platform has served, so a bigger number is a typo or an attack, and refusing it keeps
/// every later computation (costs, instance counts) far from overflow.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Users(f64);

impl Users {
    pub const MAX: f64 = 1_000_000_000.0;
    pub const ZERO: Users = Users(0.0);

    /// Validates `value` as a user count, naming `field` in the error.
    pub fn new(field: &str, value: f64) -> Result<Self, ValidationError> {
        check_range(field, value, 0.0, Self::MAX).map(Users)
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// A load as a fraction of a capacity: 0.75 means 75 % used. It may exceed 1 (overloaded).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Utilisation(f64);

impl Utilisation {
    /// `load / capacity`; a zero capacity with a load is treated as infinitely full (reported as
    /// `f64::MAX` so it stays a valid JSON number), and zero over zero as empty.
    pub fn of(load: f64, capacity: f64) -> Self {
        if capacity > 0.0 {
            Utilisation(load / capacity)
        } else if load > 0.0 {
            Utilisation(f64::MAX)
        } else {
            Utilisation(0.0)
        }
    }

    pub fn fraction(self) -> f64 {
        self.0
    }

    pub fn percent(self) -> f64 {
        self.0 * 100.0
    }
}

/// Health of a component or phase against its thresholds, as the seeds define it:
/// below the warning threshold is optimal, from warning to critical is a warning, and at or above
/// critical is critical ("scale now").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Optimal,
    Warning,
    Critical,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Warning => "warning",
            Status::Critical => "critical",
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn users_refuses_what_is_not_a_user_count() {
        assert!(Users::new("u", 0.0).is_ok());
        assert!(Users::new("u", Users::MAX).is_ok());
        for bad in [
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            Users::MAX * 2.0,
            1e300,
        ] {
            let err = Users::new("u", bad).unwrap_err();
            assert_eq!(err.field, "u", "{bad}");
        }
    }

    #[test]
    fn utilisation_handles_zero_capacity() {
        assert_eq!(Utilisation::of(50.0, 200.0).percent(), 25.0);
        assert_eq!(Utilisation::of(0.0, 0.0).fraction(), 0.0);
        assert!(Utilisation::of(1.0, 0.0).fraction().is_finite());
    }
}
