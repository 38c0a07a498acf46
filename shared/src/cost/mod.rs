//! Prices and what they buy.
//!
//! - [`catalog`]: the versioned pricing catalog (shipped as `data/catalog.json`), every price with
//!   its source and as-of date, and user catalogs in the same format that extend or replace it.
//! - [`bom`]: what a phase buys on a provider and what it costs a month.
//! - [`money`]: amounts with an explicit currency, and the stated conversion to USD.

pub mod bom;
pub mod catalog;
pub mod money;
