//! Phaseplan's server, as a library so integration tests can start it on a random port.
//!
//! The binary (`src/main.rs`) only parses configuration, sets up telemetry and calls
//! [`startup::Application::build`]. Routes are thin: they decode, call the model crate, encode.

pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod http;
pub mod live;
pub mod metrics;
pub mod notify;
pub mod operations;
pub mod routes;
pub mod secret;
pub mod spa;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
