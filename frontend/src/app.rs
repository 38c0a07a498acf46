//! The app shell: navigation, routes, footer. [`Page`] owns every route path, so links and routes
//! cannot disagree.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::pages::bundles::Bundles;
use crate::pages::capacity::Capacity;
use crate::pages::compare::ComparePage;
use crate::pages::costs::Costs;
use crate::pages::decision::Decision;
use crate::pages::live::Live;
use crate::pages::not_found::NotFound;
use crate::pages::overview::Overview;
use crate::pages::scenario::ScenarioPage;
use crate::pages::scenarios::ScenariosPage;
use crate::state::{ShareSync, provide_plan_state};
use crate::widgets::footer::Footer;
use crate::widgets::save_bar::SaveBar;

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
    Scenarios,
    Compare,
}

impl Page {
    pub const ALL: [Page; 9] = [
        Page::Overview,
        Page::Scenario,
        Page::Costs,
        Page::Capacity,
        Page::Decision,
        Page::Bundles,
        Page::Live,
        Page::Scenarios,
        Page::Compare,
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
            Page::Scenarios => "/scenarios",
            Page::Compare => "/compare",
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
            // "Library", not "Scenarios": beside "Scenario" in the navigation one letter would be
            // all that told them apart.
            Page::Scenarios => "Library",
            Page::Compare => "Compare",
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
    let state = provide_plan_state();
    crate::pages::compare::provide_comparison();
    view! {
        <Router>
            <ShareSync />
            <a class="skip-link" href="#main">"Skip to content"</a>
            <div class="shell">
                <aside class="sidebar">
                    <a class="brand" href=move || format!("/?{}", state.query())>
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
                                    <NavLink page=page />
                                }
                            })
                            .collect_view()}
                    </nav>
                    <Footer />
                </aside>
                <main id="main" class="content">
                    <LinkError />
                    <SaveBar />
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=Overview />
                        <Route path=path!("/scenario") view=ScenarioPage />
                        <Route path=path!("/costs") view=Costs />
                        <Route path=path!("/capacity") view=Capacity />
                        <Route path=path!("/decision") view=Decision />
                        <Route path=path!("/bundles") view=Bundles />
                        <Route path=path!("/live") view=Live />
                        <Route path=path!("/scenarios") view=ScenariosPage />
                        <Route path=path!("/compare") view=ComparePage />
                    </Routes>
                </main>
            </div>
        </Router>
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
