//! Reusable view pieces: the chart, a bound form field, the footer, the save bar, the share link,
//! a stat card, a status badge, who is signed in. Called *widgets*, not components: in Phaseplan a component is a part of the
//! stack (app, database, cache…), and Leptos's own `#[component]` is the macro every view uses.

pub mod chart;
pub mod field;
pub mod footer;
pub mod save_bar;
pub mod share;
pub mod stat_card;
pub mod status_badge;
pub mod who;
