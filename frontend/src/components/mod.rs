//! Reusable view pieces.

pub mod chart;
pub mod field;
pub mod footer;
pub mod share;
pub mod stat_card;
pub mod status_badge;
