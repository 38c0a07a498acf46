//! One module per route.

pub mod admin;
pub mod bundles;
pub mod capacity;
pub mod compare;
pub mod costs;
pub mod decision;
pub mod live;
pub mod not_found;
pub mod operations;
pub mod overview;
pub mod scenario;
pub mod scenarios;
pub mod sign_in;
