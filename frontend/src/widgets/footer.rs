use leptos::prelude::*;

use crate::api;

/// The server's name and version, from `/api/v1/health`; says so plainly when it is unreachable.
#[component]
pub fn Footer() -> impl IntoView {
    let health = LocalResource::new(api::health);
    view! {
        <footer class="footer" aria-live="polite">
            {move || match health.get() {
                None => "Connecting…".to_owned(),
                Some(Ok(h)) => format!("Server {} v{}", h.name, h.version),
                Some(Err(e)) => format!("Server unavailable ({e})"),
            }}
        </footer>
    }
}
