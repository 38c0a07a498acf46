//! The one door from the inputs to the computations: [`Scenario::validate`] checks every field
//! ([`crate::scenario`]'s own checks, the ladder's) and what needs a computation to check — the
//! scalability law fitted to load-test measurements — and returns a [`ValidScenario`], which every
//! computation takes. It sits above the input layer and below the computations.

use crate::capacity::usl::Usl;
use crate::error::{Reason, ValidationError};
use crate::phase::PhaseLadder;
use crate::scenario::{AppScaling, MAX_KAPPA, MAX_SIGMA, Scenario};

/// A scenario that passed [`Scenario::validate`]; the only way to obtain one.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidScenario {
    scenario: Scenario,
    ladder: PhaseLadder,
    usl: Usl,
}

impl ValidScenario {
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn ladder(&self) -> &PhaseLadder {
        &self.ladder
    }

    /// The app tier's USL coefficients in effect (fitted when measurements were given); `lambda`
    /// is the fitted per-instance throughput, or 0 when the defaults are used (then each phase's
    /// throughput per instance follows from its vCPUs and the service time).
    pub fn app_scaling(&self) -> Usl {
        self.usl
    }
}

impl Scenario {
    /// Validates every field, naming the first bad one by its path
    /// (`workload.service_time_ms`, `growth.seasonality[3]`, `phases[1].max_users`).
    pub fn validate(self) -> Result<ValidScenario, ValidationError> {
        self.check_fields()?;
        let usl = fitted(&self.workload.app_scaling)?;
        let ladder = PhaseLadder::new(self.phases.clone())?;
        Ok(ValidScenario {
            scenario: self,
            ladder,
            usl,
        })
    }
}

/// The coefficients to use: fitted from the measurements if there are any (by nonlinear least
/// squares, [`Usl::fit`]), else the stated ones.
fn fitted(scaling: &AppScaling) -> Result<Usl, ValidationError> {
    if scaling.measured.is_empty() {
        return Ok(Usl {
            lambda: 0.0,
            sigma: scaling.sigma,
            kappa: scaling.kappa,
        });
    }
    let points: Vec<(f64, f64)> = scaling
        .measured
        .iter()
        .map(|m| (m.instances, m.throughput_rps))
        .collect();
    let usl = Usl::fit(&points).map_err(|e| {
        ValidationError::new(
            "workload.app_scaling.measured",
            Reason::CannotFit(e.to_string()),
        )
    })?;
    // A fit can land anywhere; keep it within the range the stated coefficients accept.
    Ok(Usl {
        sigma: usl.sigma.min(MAX_SIGMA),
        kappa: usl.kappa.min(MAX_KAPPA),
        ..usl
    })
}
