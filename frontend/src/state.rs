//! The one scenario the whole app works on, shared by every page through Leptos context, its
//! evaluation (recomputed in WebAssembly whenever it changes), and its share link: the scenario
//! lives in the URL as `?s=v1.…` (see `phaseplan_model::share`), so reloading or sending the link
//! restores it exactly.

use leptos::prelude::*;
use phaseplan_model::ValidationError;
use phaseplan_model::api::SavedScenario;
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::evaluate::{Evaluation, evaluate_plan, simulate};
use phaseplan_model::presets::{Preset, default_preset, presets};
use phaseplan_model::scenario::Scenario;
use phaseplan_model::share;
use phaseplan_model::uncertainty::UncertaintyResult;
use phaseplan_model::valid::ValidScenario;

/// The app-wide planning state. `Copy`: every field is an arena handle.
#[derive(Debug, Clone, Copy)]
pub struct PlanState {
    pub scenario: RwSignal<Scenario>,
    /// The preset the scenario started from, if it did (a shared link may not match any).
    pub preset_key: RwSignal<Option<String>>,
    /// `Err` with the reason when the scenario is invalid; the UI keeps the last good result
    /// visible and shows the reason. The deterministic plan only: its `uncertainty` is empty.
    pub evaluation: Memo<Result<Evaluation, String>>,
    /// The Monte Carlo (10,000 paths by default). A memo is computed only while something reads
    /// it, so only the page with the fan charts pays for it on an edit.
    pub uncertainty: Memo<Result<UncertaintyResult, String>>,
    /// The scenario's first validation problem, naming its field (`phases[1].max_users`), so
    /// each input can show its own reason without validating the scenario again.
    pub problem: Memo<Option<ValidationError>>,
    /// The validated scenario (for what takes a `ValidScenario`: bundles).
    pub valid: Memo<Result<ValidScenario, ValidationError>>,
    /// Why the link the app was opened with could not be used, if it could not.
    pub link_error: RwSignal<Option<String>>,
    pub presets: StoredValue<Vec<Preset>>,
    /// The pricing catalog every figure comes from (sources and as-of dates for the UI).
    pub catalog: StoredValue<Result<Catalog, String>>,
    pub history: RwSignal<History>,
    /// The scenario's share code (`v1.…`) for the address bar and the share field. Computed in a
    /// task after the edit's updates, so compressing the scenario never delays the charts.
    pub share_code: RwSignal<String>,
    /// The saved revision the plan was opened from or last saved as; `None` for a plan that
    /// lives only in its link. Saving names this revision (`If-Match`), so a save made by someone
    /// else in between is a conflict, never overwritten.
    pub saved: RwSignal<Option<SavedScenario>>,
    /// The plan differs from its saved revision (the unsaved-changes marker).
    pub dirty: Memo<bool>,
}

/// Undo and redo. Consecutive edits of the same field are one step (typing 1-2-0-0 into a field
/// is one change, not four).
#[derive(Debug, Clone, Default)]
pub struct History {
    past: Vec<Scenario>,
    future: Vec<Scenario>,
    last_field: Option<String>,
}

/// Steps kept; older ones are dropped.
const HISTORY_LIMIT: usize = 100;

/// A query parameter of the current URL, if any.
pub fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name)
}

/// The `s` query parameter of the current URL, if any.
fn link_in_url() -> Option<String> {
    param("s")
}

/// Creates the state (from the URL's link, else the first preset) and provides it as context.
pub fn provide_plan_state() -> PlanState {
    let all = presets();
    let mut link_error = None;
    let from_link = link_in_url().and_then(|link| {
        match share::decode(&link)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                s.clone()
                    .validate()
                    .map(|_| s)
                    .map_err(|e| format!("this link's scenario is not valid: {e}"))
            }) {
            Ok(s) => Some(s),
            Err(e) => {
                link_error = Some(e);
                None
            }
        }
    });
    let (scenario, preset_key) = match from_link {
        Some(s) => {
            let key = all.iter().find(|p| p.scenario == s).map(|p| p.key.clone());
            (s, key)
        }
        None => {
            let p = default_preset();
            (p.scenario, Some(p.key))
        }
    };
    let catalog = StoredValue::new(Catalog::built_in().map_err(|e| e.to_string()));
    let scenario = RwSignal::new(scenario);
    // Validated once per change; the evaluation and every input's inline message read it.
    let validated = Memo::new(move |_| scenario.with(|s| s.clone().validate()));
    let problem = Memo::new(move |_| validated.with(|v| v.as_ref().err().cloned()));
    let evaluation = Memo::new(move |_| {
        let valid = validated.get().map_err(|e| e.to_string())?;
        catalog.with_value(|c| match c {
            Ok(c) => Ok(evaluate_plan(&valid, c)),
            Err(e) => Err(format!("the pricing catalog could not be loaded: {e}")),
        })
    });
    let uncertainty = Memo::new(move |_| {
        let valid = validated.get().map_err(|e| e.to_string())?;
        catalog.with_value(|c| match c {
            Ok(c) => Ok(simulate(&valid, c)),
            Err(e) => Err(format!("the pricing catalog could not be loaded: {e}")),
        })
    });
    let saved: RwSignal<Option<SavedScenario>> = RwSignal::new(None);
    let dirty = Memo::new(move |_| {
        saved.with(|s| {
            s.as_ref()
                .is_some_and(|s| scenario.with(|now| *now != s.scenario))
        })
    });
    let state = PlanState {
        scenario,
        preset_key: RwSignal::new(preset_key),
        evaluation,
        uncertainty,
        problem,
        valid: validated,
        link_error: RwSignal::new(link_error),
        presets: StoredValue::new(all),
        catalog,
        history: RwSignal::new(History::default()),
        share_code: RwSignal::new(scenario.with_untracked(share::encode)),
        saved,
        dirty,
    };
    // `?scenario={id}&revision={n}` names a saved revision: fetch it. With an `s=` too (a reload
    // of an edited plan), the link's scenario stays and the revision is what it is compared to.
    if let Some(id) = param("scenario") {
        let revision = param("revision").and_then(|r| r.parse::<u32>().ok());
        let keep_link = link_in_url().is_some() && state.link_error.get_untracked().is_none();
        let session = crate::session::use_session();
        leptos::task::spawn_local(async move {
            match session.check(crate::api::saved_scenario(&id, revision).await) {
                Ok(s) => {
                    if !keep_link {
                        state.scenario.set(s.scenario.clone());
                        state.preset_key.set(None);
                    }
                    state.saved.set(Some(s));
                }
                Err(e) => state
                    .link_error
                    .set(Some(format!("the saved scenario could not be opened: {e}"))),
            }
        });
    }
    Effect::new(move |first: Option<()>| {
        scenario.track();
        if first.is_some() {
            set_timeout(
                move || {
                    state
                        .share_code
                        .set(state.scenario.with_untracked(share::encode))
                },
                std::time::Duration::ZERO,
            );
        }
    });
    provide_context(state);
    state
}

/// The state provided by [`provide_plan_state`].
pub fn use_plan() -> PlanState {
    expect_context::<PlanState>()
}

impl PlanState {
    /// Starts over from a preset (one undoable step).
    pub fn load_preset(&self, key: &str) {
        if let Some(p) = self
            .presets
            .with_value(|all| all.iter().find(|p| p.key == key).cloned())
        {
            self.record(None);
            self.scenario.set(p.scenario);
            self.preset_key.set(Some(p.key));
        }
    }

    /// Changes the scenario through `change`, recording an undo step unless the previous edit was
    /// to the same `field`. An edited scenario no longer is its preset.
    pub fn edit(&self, field: &str, change: impl FnOnce(&mut Scenario)) {
        self.record(Some(field));
        self.scenario.update(change);
        self.preset_key.set(None);
    }

    fn record(&self, field: Option<&str>) {
        let current = self.scenario.get_untracked();
        self.history.update(|h| {
            let same = field.is_some() && h.last_field.as_deref() == field;
            if !same {
                h.past.push(current);
                if h.past.len() > HISTORY_LIMIT {
                    h.past.remove(0);
                }
            }
            h.future.clear();
            h.last_field = field.map(str::to_owned);
        });
    }

    pub fn undo(&self) {
        let mut previous = None;
        self.history.update(|h| {
            previous = h.past.pop();
            h.last_field = None;
        });
        if let Some(p) = previous {
            let current = self.scenario.get_untracked();
            self.history.update(|h| h.future.push(current));
            self.scenario.set(p);
            self.preset_key.set(None);
        }
    }

    pub fn redo(&self) {
        let mut next = None;
        self.history.update(|h| {
            next = h.future.pop();
            h.last_field = None;
        });
        if let Some(n) = next {
            let current = self.scenario.get_untracked();
            self.history.update(|h| h.past.push(current));
            self.scenario.set(n);
            self.preset_key.set(None);
        }
    }

    pub fn can_undo(&self) -> bool {
        self.history.with(|h| !h.past.is_empty())
    }

    pub fn can_redo(&self) -> bool {
        self.history.with(|h| !h.future.is_empty())
    }

    /// Opens a saved revision: it becomes the plan (one undoable step) and what saves compare to.
    pub fn open_saved(&self, s: SavedScenario) {
        self.record(None);
        self.scenario.set(s.scenario.clone());
        self.preset_key.set(None);
        self.saved.set(Some(s));
    }

    /// The query every in-app link carries: the share code, and the saved revision if any.
    pub fn query(&self) -> String {
        let code = self.share_code.get();
        match self
            .saved
            .with(|s| s.as_ref().map(|s| (s.id.clone(), s.revision)))
        {
            Some((id, n)) => format!("s={code}&scenario={id}&revision={n}"),
            None => format!("s={code}"),
        }
    }

    /// The share link of the current scenario, for `path`.
    pub fn link(&self, path: &str) -> String {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let code = self.share_code.get();
        format!("{origin}{path}?s={code}")
    }
}

/// The query parameters that carry the plan ([`PlanState::query`]); any other belongs to the
/// page it was set on (the Operations page's `?platform=`).
const PLAN_PARAMS: [&str; 3] = ["s", "scenario", "revision"];

/// The name of a `key=value` pair of a query string, as it is written there.
fn key_of(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(k, _)| k)
}

/// The pairs of `search` (`?s=…&platform=prod`) that are not the plan's, each after a `&`, as
/// written (already encoded): what rewriting the plan's part of the address keeps.
fn page_params(search: &str) -> String {
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && !PLAN_PARAMS.contains(&key_of(p)))
        .map(|p| format!("&{p}"))
        .collect()
}

/// `search` with the page parameter `name` set to `value` (encoded), every other pair kept as
/// written.
fn with_param(search: &str, name: &str, value: &str) -> String {
    let mut query: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty() && key_of(p) != name)
        .map(str::to_owned)
        .collect();
    query.push(format!(
        "{name}={}",
        String::from(js_sys::encode_uri_component(value))
    ));
    query.join("&")
}

/// Sets a page's own parameter in the address bar (`?platform=production`), keeping the plan's
/// `?s=` and everything else; replaced, not pushed (a pick is not a page). [`ShareSync`] keeps
/// it while the page is open; a link to another page drops it.
pub fn set_param(name: &str, value: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let url = format!("{path}?{}", with_param(&search, name, value));
    if let Ok(history) = window.history() {
        // Failing to update the address bar only loses the pick on a reload; the page goes on.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Keeps the address bar's `?s=` in step with the scenario (replacing, not pushing, history
/// entries: an edit is not a page), and keeps the open page's own parameters beside it. Mount
/// once inside the router.
#[component]
pub fn ShareSync() -> impl IntoView {
    let state = use_plan();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        let query = state.query();
        // After the router's own history update for a navigation (which would drop the query):
        // a task runs after the microtasks the router updates the address bar in.
        set_timeout(
            move || {
                let Some(window) = web_sys::window() else {
                    return;
                };
                let path = window.location().pathname().unwrap_or_default();
                // The page's own parameters of the address as it is now (after a navigation:
                // the new page's, so another page's pick is not carried along).
                let own = page_params(&window.location().search().unwrap_or_default());
                if let Ok(history) = window.history() {
                    let url = format!("{path}?{query}{own}");
                    // Failing to update the address bar only loses the live link; the app goes on.
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&url),
                    );
                }
            },
            std::time::Duration::ZERO,
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_keeps_a_pages_own_parameters_beside_the_plans() {
        assert_eq!(page_params("?s=v1.abc&platform=prod"), "&platform=prod");
        assert_eq!(
            page_params("?s=v1.abc&scenario=x&revision=2&platform=a%20b"),
            "&platform=a%20b"
        );
        assert_eq!(page_params("?s=v1.abc"), "");
        assert_eq!(page_params(""), "");
    }
}
