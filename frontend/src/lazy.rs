//! Pages whose code is loaded when they are first shown.
//!
//! Every page but the Overview (and the not-found page) is a split point: the xtask's build
//! (`xtask/src/split.rs`) moves the code only that page reaches into a wasm chunk of its own, so
//! the first visit downloads the shell, the Overview and the model, and nothing of Bundles'
//! generators, the Live page's statistics or the Scenario editor. A page's chunk is fetched the
//! first time the page is shown; once the first page is interactive, [`prefetch`] fetches the
//! others, so navigation is instant afterwards and keeps working offline.
//!
//! The split functions are `fallible`: a chunk that cannot be fetched (offline before the
//! prefetch finished, a deploy that replaced the files) is an inline message with a Retry, not a
//! panic that would stop the whole app. Natively (the unit tests) the functions are plain calls.

use leptos::prelude::*;
use leptos::wasm_split::{SplitLoaderError, wasm_split};

use crate::page::Page;
use crate::pages::admin::AdminPage;
use crate::pages::bundles::Bundles;
use crate::pages::capacity::Capacity;
use crate::pages::compare::ComparePage;
use crate::pages::costs::Costs;
use crate::pages::decision::Decision;
use crate::pages::live::Live;
use crate::pages::operations::Operations;
use crate::pages::scenario::ScenarioPage;
use crate::pages::scenarios::ScenariosPage;
use crate::widgets::chart::{echarts_loaded, when_echarts_loaded};

/// A page's code could not be fetched. The loader has logged the reason to the console; the
/// next attempt starts afresh (failures are not remembered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkUnavailable;

impl From<SplitLoaderError> for ChunkUnavailable {
    fn from(_: SplitLoaderError) -> Self {
        ChunkUnavailable
    }
}

/// The attribute on `<html>` that says how the prefetch went: `loading`, `done` or `failed`.
pub const PREFETCH_ATTRIBUTE: &str = "data-pages";

/// Declares one split point per page: the function that builds the page's view inside its chunk,
/// and the one that only fetches the chunk.
macro_rules! split_pages {
    ($($load:ident, $prefetch:ident => $component:ident;)*) => {
        $(
            #[wasm_split(
                $load,
                fallible,
                wasm_split_path = ::leptos::wasm_split,
                preload($prefetch)
            )]
            fn $load() -> Result<AnyView, ChunkUnavailable> {
                Ok(view! { <$component /> }.into_any())
            }
        )*
    };
}

split_pages! {
    scenario_page, prefetch_scenario => ScenarioPage;
    costs_page, prefetch_costs => Costs;
    capacity_page, prefetch_capacity => Capacity;
    decision_page, prefetch_decision => Decision;
    bundles_page, prefetch_bundles => Bundles;
    live_page, prefetch_live => Live;
    operations_page, prefetch_operations => Operations;
    library_page, prefetch_library => ScenariosPage;
    compare_page, prefetch_compare => ComparePage;
    admin_page, prefetch_admin => AdminPage;
}

/// The page's view, built in its chunk once the chunk is here; `None` for a page that is not
/// split off (the Overview is in the main module).
async fn load(page: Page) -> Option<Result<AnyView, ChunkUnavailable>> {
    Some(match page {
        Page::Overview => return None,
        Page::Scenario => scenario_page().await,
        Page::Costs => costs_page().await,
        Page::Capacity => capacity_page().await,
        Page::Decision => decision_page().await,
        Page::Bundles => bundles_page().await,
        Page::Live => live_page().await,
        Page::Operations => operations_page().await,
        Page::Scenarios => library_page().await,
        Page::Compare => compare_page().await,
        Page::Admin => admin_page().await,
    })
}

/// Fetches a page's chunk without building the page.
async fn fetch(page: Page) -> Result<(), SplitLoaderError> {
    match page {
        Page::Overview => Ok(()),
        Page::Scenario => prefetch_scenario().await,
        Page::Costs => prefetch_costs().await,
        Page::Capacity => prefetch_capacity().await,
        Page::Decision => prefetch_decision().await,
        Page::Bundles => prefetch_bundles().await,
        Page::Live => prefetch_live().await,
        Page::Operations => prefetch_operations().await,
        Page::Scenarios => prefetch_library().await,
        Page::Compare => prefetch_compare().await,
        Page::Admin => prefetch_admin().await,
    }
}

/// A split-off page: its view once its chunk is here; until then a line that says so; if the
/// chunk cannot be fetched, why, and a button that tries again.
///
/// The chunk is fetched asynchronously, but the view is built synchronously, in this
/// component's own reactive scope, once it is here: a view built inside a `Suspense`'s future
/// could outlive the shell it reads from (signing out rebuilds the shell) and read its disposed
/// signals.
#[component]
pub fn LazyPage(page: Page) -> impl IntoView {
    // None while the chunk is on its way, then whether it came.
    let fetched = RwSignal::new(None::<bool>);
    let start = move || {
        fetched.set(None);
        leptos::task::spawn_local(async move {
            let ok = fetch(page).await.is_ok();
            // The page may have been left meanwhile.
            fetched.try_set(Some(ok));
        });
    };
    start();
    move || match fetched.get() {
        None => view! {
            <p class="muted page-loading" role="status">{format!("Loading {}…", page.title())}</p>
        }
        .into_any(),
        // The chunk is here, so the split function's wrapper is ready at its first poll.
        Some(true) => match ready_now(load(page)) {
            Some(Some(Ok(view))) => view,
            Some(Some(Err(ChunkUnavailable))) | None => unavailable(page, start),
            Some(None) => ().into_any(),
        },
        Some(false) => unavailable(page, start),
    }
}

/// Why the page is not shown, with a button that fetches its chunk again.
fn unavailable(page: Page, retry: impl Fn() + Copy + 'static) -> AnyView {
    view! {
        <div class="banner error" role="alert" data-testid="page-unavailable">
            <strong>{format!("The {} page could not be loaded. ", page.title())}</strong>
            "Its code is fetched the first time it is shown; check the connection and try again."
            <button type="button" on:click=move |_| retry()>"Retry"</button>
        </div>
    }
    .into_any()
}

/// The future's output if it is ready at its first poll.
fn ready_now<F: std::future::Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

/// Fetches every split-off page's chunk, one after another, once the first page is interactive:
/// ECharts has arrived (it is fetched after the wasm) and the browser is idle, so the first
/// view's own downloads never share the link with these. Says how it went on `<html>`
/// ([`PREFETCH_ATTRIBUTE`]): a failure is not an error anyone must see, the page loads again
/// when it is opened.
pub fn prefetch() {
    if echarts_loaded() {
        prefetch_when_idle();
    } else {
        when_echarts_loaded(prefetch_when_idle);
    }
}

fn prefetch_when_idle() {
    request_idle_callback(|| {
        mark("loading");
        leptos::task::spawn_local(async {
            let mut ok = true;
            for page in Page::ALL {
                ok &= fetch(page).await.is_ok();
            }
            mark(if ok { "done" } else { "failed" });
        });
    });
}

fn mark(state: &str) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute(PREFETCH_ATTRIBUTE, state);
    }
}
