use leptos::prelude::*;

/// A headline number with a label and an optional line of context.
#[component]
pub fn StatCard(
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into, optional)] sub: Option<Signal<String>>,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    view! {
        <div class="card">
            <div class="label">{label}</div>
            <div class="value" data-testid=test_id>{value}</div>
            {sub.map(|s| view! { <div class="sub">{s}</div> })}
        </div>
    }
}
