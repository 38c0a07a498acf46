//! The library of saved scenarios: search by name and description, sort by name or last change,
//! page through long lists, open, duplicate, archive and restore, and each scenario's history
//! (open any revision, or restore one as a new revision). Duplicating, archiving, restoring and
//! restoring a revision are offered only to a role that may edit scenarios; anyone may search,
//! read a history and open.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::Action;
use phaseplan_model::api::{RevisionSummary, SaveScenario, ScenarioSummary};

use crate::api;
use crate::session::use_session;
use crate::state::use_plan;

#[component]
pub fn ScenariosPage() -> impl IntoView {
    let state = use_plan();
    let session = use_session();
    let may_edit = move || session.may(Action::EditScenarios);
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new("updated".to_owned());
    let archived = RwSignal::new(false);
    let rows: RwSignal<Vec<ScenarioSummary>> = RwSignal::new(Vec::new());
    let next: RwSignal<Option<String>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let loading = RwSignal::new(true);
    // Which scenario's history is open, and its revisions.
    let history: RwSignal<Option<(String, Vec<RevisionSummary>)>> = RwSignal::new(None);
    // Each load has a number; an answer to an older one (the user typed on) is dropped.
    let generation = StoredValue::new(0_u64);

    let load = move |more: bool| {
        let cursor = if more { next.get_untracked() } else { None };
        if more && cursor.is_none() {
            return;
        }
        let ticket = generation.with_value(|g| g + 1);
        generation.set_value(ticket);
        loading.set(true);
        let (q, s, a) = (
            search.get_untracked(),
            sort.get_untracked(),
            archived.get_untracked(),
        );
        spawn_local(async move {
            let page = session.check(api::list_scenarios(&q, &s, a, cursor.as_deref()).await);
            // A page left while its list was on the way is gone: nothing to update.
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            loading.set(false);
            match page {
                Ok(p) => {
                    error.set(None);
                    if more {
                        rows.update(|r| r.extend(p.scenarios));
                    } else {
                        rows.set(p.scenarios);
                    }
                    next.set(p.next_cursor);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    Effect::new(move |_| {
        search.track();
        sort.track();
        archived.track();
        load(false);
    });

    // Opening goes to the Overview with the saved revision in the address bar.
    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());
    let open = move |id: String, revision: Option<u32>| {
        // The navigation disposes this page (and its stored values) as it happens: take the
        // function out first, and touch nothing of the page's after it.
        let go = navigate.get_value();
        spawn_local(async move {
            match session.check(api::saved_scenario(&id, revision).await) {
                Ok(s) => {
                    state.open_saved(s);
                    go(&format!("/?{}", state.query()), Default::default());
                }
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let act = move |what: &'static str, id: String| {
        spawn_local(async move {
            let result = match what {
                "duplicate" => api::duplicate(&id).await.map(|_| ()),
                "archive" => api::set_archived(&id, true).await.map(|_| ()),
                _ => api::set_archived(&id, false).await.map(|_| ()),
            };
            match session.check(result) {
                Ok(()) => load(false),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let show_history = move |id: String| {
        if history.with_untracked(|h| h.as_ref().is_some_and(|(open, _)| *open == id)) {
            history.set(None);
            return;
        }
        spawn_local(async move {
            match session.check(api::revisions(&id).await) {
                Ok(r) => history.set(Some((id, r.revisions))),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    // Restoring revision n: its scenario saved as the next revision, on top of the latest.
    let restore_revision = move |id: String, n: u32| {
        spawn_local(async move {
            let result = async {
                let old = api::saved_scenario(&id, Some(n)).await?;
                let body = SaveScenario {
                    name: old.name.clone(),
                    description: old.description.clone(),
                    scenario: old.scenario,
                    message: format!("Restored revision {n}"),
                };
                api::save_scenario(&id, old.latest_revision, &body).await
            }
            .await;
            match session.check(result) {
                Ok(_) => {
                    history.set(None);
                    load(false);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <header class="page-header">
            <h1>"Library"</h1>
            <p>
                "Saved scenarios, each with its history. Saving never overwrites someone else's save: a \
                 stale save is refused and you choose what to keep."
            </p>
        </header>
        <section class="panel library">
            <div class="toolbar row">
                <label class="field grow">
                    <span>"Search"</span>
                    <input
                        type="search"
                        data-testid="library-search"
                        placeholder="Name or description"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span>"Sort"</span>
                    <select
                        data-testid="library-sort"
                        on:change=move |ev| sort.set(event_target_value(&ev))
                    >
                        <option value="updated" selected>"Last change"</option>
                        <option value="name">"Name"</option>
                    </select>
                </label>
                <div class="field toggle">
                    <label>
                        <input
                            type="checkbox"
                            data-testid="library-archived"
                            prop:checked=move || archived.get()
                            on:change=move |ev| archived.set(event_target_checked(&ev))
                        />
                        "Show the archive"
                    </label>
                </div>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="table-scroll" tabindex="0" role="region" aria-label="Saved scenarios">
                <table class="data" data-testid="library">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th class="num">"Revision"</th>
                            <th>"Last change"</th>
                            <th>"By"</th>
                            <th>""</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            rows.get()
                                .into_iter()
                                .map(|r| {
                                    let (id1, id2, id3, id4) =
                                        (r.id.clone(), r.id.clone(), r.id.clone(), r.id.clone());
                                    let is_archived = r.archived;
                                    let revisions = move || {
                                        let id = id4.clone();
                                        history.with(|h| match h {
                                            Some((open_id, revs)) if *open_id == id => Some(revs.clone()),
                                            _ => None,
                                        })
                                        .map(|revs| {
                                            let id = id.clone();
                                            view! {
                                                <tr class="history">
                                                    <td colspan="5">
                                                        <ul data-testid="revisions">
                                                            {revs
                                                                .into_iter()
                                                                .map(|rev| {
                                                                    let (a, b) = (id.clone(), id.clone());
                                                                    let n = rev.revision;
                                                                    view! {
                                                                        <li>
                                                                            <strong>{format!("Revision {n}")}</strong>
                                                                            {format!(
                                                                                " · {} · {}",
                                                                                rev.created_at.replace('T', " ").trim_end_matches('Z'),
                                                                                rev.created_by
                                                                            )}
                                                                            {(!rev.message.is_empty())
                                                                                .then(|| format!(" · {}", rev.message))}
                                                                            " "
                                                                            <button
                                                                                type="button"
                                                                                class="link"
                                                                                on:click=move |_| open(a.clone(), Some(n))
                                                                            >
                                                                                "Open"
                                                                            </button>
                                                                            <Show when=may_edit>
                                                                                {
                                                                                    let b = b.clone();
                                                                                    view! {
                                                                                        <button
                                                                                            type="button"
                                                                                            class="link"
                                                                                            data-testid="restore-revision"
                                                                                            on:click=move |_| restore_revision(b.clone(), n)
                                                                                        >
                                                                                            "Restore as new revision"
                                                                                        </button>
                                                                                    }
                                                                                }
                                                                            </Show>
                                                                        </li>
                                                                    }
                                                                })
                                                                .collect_view()}
                                                        </ul>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                    };
                                    view! {
                                        <tr data-testid="library-row">
                                            <td>
                                                <strong>{r.name.clone()}</strong>
                                                {(!r.description.is_empty()).then(|| view! {
                                                    <div class="muted">{r.description.clone()}</div>
                                                })}
                                            </td>
                                            <td class="num">{r.revision}</td>
                                            <td>{r.updated_at.replace('T', " ").trim_end_matches('Z').to_owned()}</td>
                                            <td>{r.updated_by.clone()}</td>
                                            <td class="row-actions">
                                                <button type="button" data-testid="library-open" on:click=move |_| open(id1.clone(), None)>
                                                    "Open"
                                                </button>
                                                <button type="button" class="link" on:click=move |_| show_history(id2.clone())>
                                                    "History"
                                                </button>
                                                <Show when=may_edit>
                                                    {
                                                        let (dup, id) = (id3.clone(), r.id.clone());
                                                        view! {
                                                            <button
                                                                type="button"
                                                                class="link"
                                                                data-testid="library-duplicate"
                                                                on:click=move |_| act("duplicate", dup.clone())
                                                            >
                                                                "Duplicate"
                                                            </button>
                                                            <button
                                                                type="button"
                                                                class="link"
                                                                data-testid=if is_archived { "library-restore" } else { "library-archive" }
                                                                on:click=move |_| {
                                                                    act(if is_archived { "restore" } else { "archive" }, id.clone())
                                                                }
                                                            >
                                                                {if is_archived { "Restore" } else { "Archive" }}
                                                            </button>
                                                        }
                                                    }
                                                </Show>
                                            </td>
                                        </tr>
                                        {revisions}
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            <Show when=move || !loading.get() && rows.with(Vec::is_empty)>
                <p class="muted" data-testid="library-empty">
                    {move || if search.with(String::is_empty) {
                        "Nothing saved yet: Save on any page keeps the plan here."
                    } else {
                        "No saved scenario matches."
                    }}
                </p>
            </Show>
            <Show when=move || next.with(Option::is_some)>
                <button type="button" class="secondary" data-testid="library-more" on:click=move |_| load(true)>
                    "More"
                </button>
            </Show>
        </section>
    }
}
