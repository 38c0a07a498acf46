//! Charts as pure functions: model result → `charming::Chart`. They run natively in unit tests
//! (serialised to JSON and checked) and in the browser.

pub mod capacity;
pub mod compare;
pub mod cost;
pub mod decision;
pub mod live;
pub mod phase_fit;
pub mod response;
pub mod theme;
pub mod usl;
