//! Phaseplan's SPA: Leptos, client-side rendered, built by trunk. Every what-if is computed here,
//! in WebAssembly, by the shared model crate; the server is only asked for what it alone knows
//! (its version, who is signed in, saved scenarios, accounts and tokens, live metrics).

mod api;
mod app;
mod bundle_diff;
mod charts;
mod csv;
mod format;
mod highlight;
mod lazy;
mod live_feed;
mod page;
mod pages;
mod session;
mod state;
mod widgets;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
