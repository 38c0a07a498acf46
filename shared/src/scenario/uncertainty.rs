//! The Monte Carlo's inputs: a distribution for each uncertain quantity, the number of paths
//! and the seed. The simulation itself is [`crate::uncertainty`].

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_range};

/// The monthly growth rates a path may draw (as the plan's own rate).
pub const GROWTH_RANGE: (f64, f64) = (-0.5, 2.0);
/// The demand multipliers a path may draw.
pub const DEMAND_RANGE: (f64, f64) = (0.01, 100.0);

/// A distribution for one uncertain input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Spread {
    /// No uncertainty.
    Fixed {
        value: f64,
    },
    /// Normal, truncated at the input's valid range by clamping.
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Triangular: the pragmatic "low / likely / high" of planning.
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UncertaintyInput {
    /// Monthly growth rate (0.08 = 8 %), clamped to the scenario's valid range −0.5…2.
    pub growth_rate: Spread,
    /// Multiplier on per-user demand (1 = as planned), clamped to 0.01…100.
    pub demand: Spread,
    /// Number of paths, 1–100,000 (10,000 by default).
    pub paths: u32,
    pub seed: u64,
}

impl Default for UncertaintyInput {
    fn default() -> Self {
        UncertaintyInput {
            growth_rate: Spread::Fixed { value: 0.0 },
            demand: Spread::Fixed { value: 1.0 },
            paths: 10_000,
            seed: 42,
        }
    }
}

impl Spread {
    fn validate(&self, field: &str, (lo, hi): (f64, f64)) -> Result<(), ValidationError> {
        match *self {
            Spread::Fixed { value } => {
                check_range(&format!("{field}.value"), value, lo, hi)?;
            }
            Spread::Normal { mean, sd } => {
                check_range(&format!("{field}.mean"), mean, lo, hi)?;
                check_range(&format!("{field}.sd"), sd, 0.0, hi - lo)?;
            }
            Spread::Triangular { min, mode, max } => {
                check_range(&format!("{field}.min"), min, lo, hi)?;
                check_range(&format!("{field}.mode"), mode, min, hi)?;
                check_range(&format!("{field}.max"), max, mode, hi)?;
            }
            Spread::Uniform { min, max } => {
                check_range(&format!("{field}.min"), min, lo, hi)?;
                check_range(&format!("{field}.max"), max, min, hi)?;
            }
        }
        Ok(())
    }
}

impl UncertaintyInput {
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.growth_rate
            .validate("uncertainty.growth_rate", GROWTH_RANGE)?;
        self.demand.validate("uncertainty.demand", DEMAND_RANGE)?;
        if self.paths == 0 || self.paths > 100_000 {
            return Err(ValidationError::new(
                "uncertainty.paths",
                Reason::OutOfRange {
                    min: 1.0,
                    max: 100_000.0,
                },
            ));
        }
        Ok(())
    }
}
