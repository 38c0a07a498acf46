//! The app shell: navigation, routes, footer. Routes and links both come from [`Page`], so they
//! cannot disagree. Before the shell, the session: a server that requires sign-in gets the
//! sign-in page instead, and the shell (with the plan state it creates) is built only for
//! someone the server knows, so everything it asks the server is asked as them.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::lazy::LazyPage;
use crate::page::Page;
use crate::pages::not_found::NotFound;
use crate::pages::overview::Overview;
use crate::pages::sign_in::SignInPage;
use crate::session::{Gate, provide_session};
use crate::state::{ShareSync, provide_plan_state};
use crate::widgets::footer::Footer;
use crate::widgets::save_bar::SaveBar;
use crate::widgets::who::Who;

/// A main-navigation link carrying the share code; marked current on its page.
#[component]
fn NavLink(page: Page) -> impl IntoView {
    let state = crate::state::use_plan();
    let location = use_location();
    let path = page.path();
    view! {
        <a
            href=move || format!("{path}?{}", state.query())
            data-path=path
            aria-current=move || (location.pathname.get() == path).then_some("page")
        >
            <span>{page.title()}</span>
        </a>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let session = provide_session();
    view! {
        <Router>
            {move || match session.gate.get() {
                // A moment while the server is asked (at most `ASK_PATIENCE`).
                Gate::Waiting => view! {
                    <p class="gate-wait muted" role="status">"Connecting…"</p>
                }
                .into_any(),
                Gate::SignIn => view! { <SignInPage /> }.into_any(),
                Gate::Open => view! { <Shell /> }.into_any(),
            }}
        </Router>
    }
}

/// The app itself: sidebar, save bar, pages. Built anew after each sign-in, from the address
/// bar (which holds the whole plan), so an expired session loses no edit.
#[component]
fn Shell() -> impl IntoView {
    let session = crate::session::use_session();
    let state = provide_plan_state();
    crate::pages::compare::provide_comparison();
    crate::lazy::prefetch();
    view! {
        <ShareSync />
        <a class="skip-link" href="#main">"Skip to content"</a>
        <div class="shell">
            <aside class="sidebar">
                <a class="brand" aria-label="Phaseplan" href=move || format!("/?{}", state.query())>
                    <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
                        <rect width="32" height="32" rx="7" fill="#2563eb" />
                        <path d="M7 23h5v-6H7zm6.5 0h5V13h-5zM20 23h5V8h-5z" fill="#fff" />
                    </svg>
                    <span>"Phaseplan"</span>
                </a>
                <nav class="nav" aria-label="Main">
                    {Page::ALL
                        .into_iter()
                        .map(|page| {
                            // The scenario travels with every navigation (the router keeps
                            // the query it is given), so the address bar always holds the
                            // whole plan: a reload or a copied URL never loses an edit.
                            view! {
                                <Show when=move || page.offered(&session)>
                                    <NavLink page=page />
                                </Show>
                            }
                        })
                        .collect_view()}
                </nav>
                <Who />
                <Footer />
            </aside>
            <main id="main" class="content">
                <LinkError />
                <SaveBar />
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Overview />
                    <Route path=path!("/scenario") view=|| view! { <LazyPage page=Page::Scenario /> } />
                    <Route path=path!("/costs") view=|| view! { <LazyPage page=Page::Costs /> } />
                    <Route path=path!("/capacity") view=|| view! { <LazyPage page=Page::Capacity /> } />
                    <Route path=path!("/decision") view=|| view! { <LazyPage page=Page::Decision /> } />
                    <Route path=path!("/bundles") view=|| view! { <LazyPage page=Page::Bundles /> } />
                    <Route path=path!("/live") view=|| view! { <LazyPage page=Page::Live /> } />
                    <Route path=path!("/operations") view=|| view! { <LazyPage page=Page::Operations /> } />
                    <Route path=path!("/scenarios") view=|| view! { <LazyPage page=Page::Scenarios /> } />
                    <Route path=path!("/compare") view=|| view! { <LazyPage page=Page::Compare /> } />
                    <Route path=path!("/admin") view=|| view! { <LazyPage page=Page::Admin /> } />
                </Routes>
            </main>
        </div>
    }
}

/// A link that could not be opened says why, above whatever page it pointed at.
#[component]
fn LinkError() -> impl IntoView {
    let state = crate::state::use_plan();
    view! {
        <Show when=move || state.link_error.with(Option::is_some)>
            <div class="banner error" role="alert" data-testid="link-error">
                <strong>"This link could not be opened: "</strong>
                {move || state.link_error.get()}
                ". Showing the default plan instead."
                <button type="button" on:click=move |_| state.link_error.set(None)>"Dismiss"</button>
            </div>
        </Show>
    }
}
