//! Capacity formulas: how much load a component can carry.
//!
//! - [`usl`]: the Universal Scalability Law for the app tier over its instance count, and a
//!   least-squares fit of its coefficients from measurements.
//! - [`queueing`]: Little's law and Erlang C for connection pools.
//! - [`response`]: the app tier's response time from both (an M/M/c queue slowed by the USL), and
//!   the users at which a latency objective is reached.
//! - [`components`]: both applied to a phase's components under a workload: each component's
//!   capacity in users, the bottleneck and the headroom.

pub mod components;
pub mod queueing;
pub mod response;
pub mod usl;
