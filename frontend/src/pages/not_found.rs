use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <header class="page-header">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. " <a href="/">"Go to the overview"</a> "."</p>
        </header>
    }
}
