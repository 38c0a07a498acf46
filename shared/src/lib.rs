//! # Phaseplan's planning model
//!
//! Every number Phaseplan shows is computed here, by one code path that compiles natively (for the
//! server) and to `wasm32` (for the browser). The crate is pure: no I/O, no clocks, no globals, no
//! randomness without an explicit seed, so the same input gives the same output everywhere.
//!
//! The first piece is the **phase ladder**: the scaling phases a platform climbs (Launch, Growth,
//! Scale…), each with the limits of its components and the thresholds its alerts use, and the
//! question "given this many peak concurrent users, which phase fits, and how full is it?".
//!
//! ```
//! use phaseplan_model::{PhaseLadder, Status, Users};
//!
//! let ladder = PhaseLadder::seed();
//! let users = Users::new("peak_concurrent_users", 1_500.0)?;
//! let fit = ladder.fit(users);
//! assert_eq!(fit.phase.key, "launch");
//! assert_eq!(fit.utilisation.percent(), 75.0); // 1,500 of Launch's 2,000
//! assert_eq!(fit.status, Status::Warning); // past 60 %, below 80 %
//! # Ok::<(), phaseplan_model::ValidationError>(())
//! ```
//!
//! Wire types (request and response bodies shared by the SPA and the server) live apart from the
//! domain in [`api`], so the two sides cannot disagree about a field name.

pub mod access;
pub mod api;
pub mod bundle;
pub mod calibration;
pub mod capacity;
pub mod compare;
pub mod cost;
pub mod decision;
mod error;
pub mod evaluate;
mod fit;
pub mod forecast;
pub mod format;
pub mod growth;
pub mod live;
pub mod measurements;
pub mod migration;
pub mod notify;
pub mod operations;
mod phase;
pub mod presets;
pub mod scenario;
pub mod share;
mod tiers;
pub mod timeline;
pub mod uncertainty;
mod units;
pub mod valid;

pub use error::{Reason, ValidationError};
pub use fit::{PhaseFit, PhaseLoad};
pub use phase::{Band, Phase, PhaseLadder, SEED_DEPARTURES, SeedDeparture, Thresholds};
pub use tiers::{AppTier, CacheMode, CacheTier, DatabaseTier, LoadBalancer};
pub use units::{Status, Users, Utilisation};
pub use valid::ValidScenario;
