//! The app shell: navigation, routes, footer. [`Page`] owns every route path, so links and routes
//! cannot disagree. Before the shell, the session: a server that requires sign-in gets the
//! sign-in page instead, and the shell (with the plan state it creates) is built only for
//! someone the server knows, so everything it asks the server is asked as them.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use phaseplan_model::access::Action;

use crate::lazy::LazyPage;
use crate::pages::not_found::NotFound;
use crate::pages::overview::Overview;
use crate::pages::sign_in::SignInPage;
use crate::session::{Gate, Session, provide_session};
use crate::state::{ShareSync, provide_plan_state};
use crate::widgets::footer::Footer;
use crate::widgets::save_bar::SaveBar;
use crate::widgets::who::Who;

/// Every page of the app, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Overview,
    Scenario,
    Costs,
    Capacity,
    Decision,
    Bundles,
    Live,
    Operations,
    Scenarios,
    Compare,
    Admin,
}

impl Page {
    pub const ALL: [Page; 11] = [
        Page::Overview,
        Page::Scenario,
        Page::Costs,
        Page::Capacity,
        Page::Decision,
        Page::Bundles,
        Page::Live,
        Page::Operations,
        Page::Scenarios,
        Page::Compare,
        Page::Admin,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Page::Overview => "/",
            Page::Scenario => "/scenario",
            Page::Costs => "/costs",
            Page::Capacity => "/capacity",
            Page::Decision => "/decision",
            Page::Bundles => "/bundles",
            Page::Live => "/live",
            Page::Operations => "/operations",
            Page::Scenarios => "/scenarios",
            Page::Compare => "/compare",
            Page::Admin => "/admin",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Overview => "Overview",
            Page::Scenario => "Scenario",
            Page::Costs => "Costs",
            Page::Capacity => "Capacity",
            Page::Decision => "Decision",
            Page::Bundles => "Bundles",
            Page::Live => "Live",
            Page::Operations => "Operations",
            // "Library", not "Scenarios": beside "Scenario" in the navigation one letter would be
            // all that told them apart.
            Page::Scenarios => "Library",
            Page::Compare => "Compare",
            Page::Admin => "Admin",
        }
    }

    /// Whether the navigation offers this page. Tracked. The admin page is offered to admins of
    /// a server with sign-in; without sign-in everyone is the local admin, and the navigation
    /// stays as it was (the page still answers at its address).
    pub fn offered(self, session: &Session) -> bool {
        match self {
            Page::Admin => session.has_sign_in() && session.may(Action::Administer),
            _ => true,
        }
    }
}

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
