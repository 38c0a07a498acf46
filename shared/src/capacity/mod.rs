//! Capacity formulas: how much load a component can carry.
//!
//! - [`usl`]: the Universal Scalability Law for the app tier over its instance count, and a
//!   least-squares fit of its coefficients from measurements.
//! - [`queueing`]: Little's law and Erlang C for connection pools.

pub mod queueing;
pub mod usl;
