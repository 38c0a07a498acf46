use leptos::prelude::*;
use phaseplan_model::Status;

/// Optimal / warning / critical, in words and colour (the word carries the meaning for people
/// who cannot tell the colours apart).
#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<Status>) -> impl IntoView {
    view! {
        <span class=move || format!("badge {}", status.get().label()) data-testid="status">
            {move || status.get().label()}
        </span>
    }
}
