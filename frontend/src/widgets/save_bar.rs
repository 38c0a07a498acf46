//! Save, Save as and Open, on every page: which saved revision the plan is (or that it lives only
//! in its link), whether it has unsaved changes, and the stale-save conflict. A save names the
//! revision it started from; when someone saved since, the server refuses it (409) and this bar
//! offers to review the differences, overwrite, or save a copy — nothing is lost either way.
//! Someone whose role may not save (a viewer) sees which revision is open and Open, no Save.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::Action;
use phaseplan_model::api::{MAX_SAVED_NAME, SaveScenario, SavedScenario};
use phaseplan_model::compare::{InputChange, input_changes};

use crate::api::{self, ApiError};
use crate::session::use_session;
use crate::state::{PlanState, use_plan};

/// What the bar shows below itself.
#[derive(Debug, Clone, PartialEq)]
enum Notice {
    None,
    /// The "Save as" form.
    Naming,
    Saved(String),
    Error(String),
    /// A stale save: the latest revision, and how it differs from this plan.
    Conflict {
        latest: Box<SavedScenario>,
        changes: Vec<InputChange>,
    },
}

/// The body of a save of the current plan.
fn body(state: &PlanState, name: String, message: String) -> SaveScenario {
    let description = state
        .saved
        .with_untracked(|s| s.as_ref().map(|s| s.description.clone()))
        .unwrap_or_default();
    SaveScenario {
        name,
        description,
        scenario: state.scenario.get_untracked(),
        message,
    }
}

/// Checks the save the way the server will, so the message appears at once and names the field.
fn checked(b: SaveScenario) -> Result<SaveScenario, String> {
    match b.validate() {
        Ok(_) => Ok(b),
        Err(e) => Err(format!("Not saved: {e}")),
    }
}

#[component]
pub fn SaveBar() -> impl IntoView {
    let state = use_plan();
    let session = use_session();
    let may_save = move || session.may(Action::EditScenarios);
    let notice = RwSignal::new(Notice::None);
    let busy = RwSignal::new(false);
    let message = RwSignal::new(String::new());
    let new_name = RwSignal::new(String::new());

    let finish = move |result: Result<SavedScenario, ApiError>, what: &'static str| {
        busy.set(false);
        match session.check(result) {
            Ok(s) => {
                notice.set(Notice::Saved(format!("{what} as revision {}", s.revision)));
                message.set(String::new());
                state.saved.set(Some(s));
            }
            Err(e) => match e.current_revision() {
                Some(_) => {
                    // Someone saved since: fetch their revision to show what differs.
                    let Some(id) = state
                        .saved
                        .with_untracked(|s| s.as_ref().map(|s| s.id.clone()))
                    else {
                        notice.set(Notice::Error(e.to_string()));
                        return;
                    };
                    spawn_local(async move {
                        match session.check(api::saved_scenario(&id, None).await) {
                            Ok(latest) => {
                                let changes = state
                                    .scenario
                                    .with_untracked(|mine| input_changes(&latest.scenario, mine));
                                notice.set(Notice::Conflict {
                                    latest: Box::new(latest),
                                    changes,
                                });
                            }
                            Err(e) => notice.set(Notice::Error(e.to_string())),
                        }
                    });
                }
                None => notice.set(Notice::Error(format!("Not saved: {e}"))),
            },
        }
    };

    // Save: the next revision of the open one, from the revision it was opened at.
    let save_from = move |from: u32| {
        let Some((id, name)) = state
            .saved
            .with_untracked(|s| s.as_ref().map(|s| (s.id.clone(), s.name.clone())))
        else {
            return;
        };
        let b = match checked(body(&state, name, message.get_untracked())) {
            Ok(b) => b,
            Err(e) => return notice.set(Notice::Error(e)),
        };
        busy.set(true);
        spawn_local(async move { finish(api::save_scenario(&id, from, &b).await, "Saved") });
    };
    let save = move |_| match state
        .saved
        .with_untracked(|s| s.as_ref().map(|s| s.revision))
    {
        Some(from) => save_from(from),
        None => {
            new_name.set(state.scenario.with_untracked(|s| s.name.clone()));
            notice.set(Notice::Naming);
        }
    };
    // Save as: a new scenario (revision 1) named in the form.
    let save_as_named = move |name: String| {
        let b = match checked(body(&state, name, message.get_untracked())) {
            Ok(b) => b,
            Err(e) => return notice.set(Notice::Error(e)),
        };
        busy.set(true);
        spawn_local(async move { finish(api::create_scenario(&b).await, "Saved") });
    };

    let status = move || match state.saved.get() {
        None => view! {
            <span data-testid="save-status">"Not saved: this plan lives in its link"</span>
        }
        .into_any(),
        Some(s) => view! {
            <span data-testid="save-status">
                <strong>{s.name.clone()}</strong>
                {format!(" · revision {}", s.revision)}
                {(s.revision < s.latest_revision)
                    .then(|| format!(" of {}", s.latest_revision))}
            </span>
        }
        .into_any(),
    };

    view! {
        <section class="save-bar" aria-label="Saving">
            <div class="row">
                {status}
                <Show when=move || state.dirty.get()>
                    <span class="unsaved" data-testid="unsaved-marker">"● unsaved changes"</span>
                </Show>
                <Show when=move || state.dirty.get() && may_save()>
                    <input
                        type="text"
                        class="message"
                        placeholder="What changed? (optional)"
                        aria-label="What changed"
                        data-testid="save-message"
                        maxlength="500"
                        prop:value=move || message.get()
                        on:input=move |ev| message.set(event_target_value(&ev))
                    />
                </Show>
                <span class="actions">
                    <Show
                        when=may_save
                        fallback=|| view! {
                            <span class="muted" data-testid="save-viewing">"Viewing: your role cannot save"</span>
                        }
                    >
                        <button
                            type="button"
                            data-testid="save"
                            prop:disabled=move || {
                                busy.get() || (state.saved.with(Option::is_some) && !state.dirty.get())
                            }
                            on:click=save
                        >
                            "Save"
                        </button>
                        <button
                            type="button"
                            class="secondary"
                            data-testid="save-as"
                            prop:disabled=move || busy.get()
                            on:click=move |_| {
                                let name = state
                                    .saved
                                    .with_untracked(|s| s.as_ref().map(|s| format!("{} (copy)", s.name)))
                                    .unwrap_or_else(|| state.scenario.with_untracked(|s| s.name.clone()));
                                new_name.set(name.chars().take(MAX_SAVED_NAME).collect());
                                notice.set(Notice::Naming);
                            }
                        >
                            "Save as…"
                        </button>
                    </Show>
                    <a
                        class="button secondary"
                        data-testid="open"
                        href=move || format!("/scenarios?{}", state.query())
                    >
                        "Open…"
                    </a>
                </span>
            </div>
            {move || match notice.get() {
                Notice::None => ().into_any(),
                Notice::Saved(text) => view! {
                    <p class="help" role="status" data-testid="save-notice">{text}</p>
                }
                .into_any(),
                Notice::Error(text) => view! {
                    <p class="error" role="alert" data-testid="save-error">{text}</p>
                }
                .into_any(),
                Notice::Naming => view! {
                    <form
                        class="row"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            save_as_named(new_name.get_untracked());
                        }
                    >
                        <label for="save-name">"Save as"</label>
                        <input
                            id="save-name"
                            type="text"
                            data-testid="save-name"
                            maxlength="200"
                            prop:value=move || new_name.get()
                            on:input=move |ev| new_name.set(event_target_value(&ev))
                        />
                        <button type="submit" data-testid="save-as-confirm" prop:disabled=move || busy.get()>
                            "Save"
                        </button>
                        <button type="button" class="secondary" on:click=move |_| notice.set(Notice::None)>
                            "Cancel"
                        </button>
                    </form>
                }
                .into_any(),
                Notice::Conflict { latest, changes } => {
                    let latest_revision = latest.revision;
                    let by = latest.created_by.clone();
                    let theirs = (*latest).clone();
                    let copy_name: String = format!("{} (copy)", latest.name)
                        .chars()
                        .take(MAX_SAVED_NAME)
                        .collect();
                    view! {
                        <div class="conflict" role="alert" data-testid="save-conflict">
                            <p>
                                <strong>"Not saved: "</strong>
                                {format!(
                                    "{by} saved revision {latest_revision} since this plan was opened. \
                                     Between their revision and this plan, {} input(s) differ:",
                                    changes.len()
                                )}
                            </p>
                            <ul class="changes" data-testid="conflict-changes">
                                {changes
                                    .iter()
                                    .take(20)
                                    .map(|c| view! {
                                        <li>
                                            <code>{c.field.clone()}</code>
                                            {format!(": {} → {}", c.from, c.to)}
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                            <div class="row">
                                <button
                                    type="button"
                                    data-testid="conflict-overwrite"
                                    on:click=move |_| save_from(latest_revision)
                                >
                                    {format!("Overwrite: save this plan as revision {}", latest_revision + 1)}
                                </button>
                                <button
                                    type="button"
                                    class="secondary"
                                    data-testid="conflict-copy"
                                    on:click=move |_| save_as_named(copy_name.clone())
                                >
                                    "Save this plan as a copy"
                                </button>
                                <button
                                    type="button"
                                    class="secondary"
                                    data-testid="conflict-theirs"
                                    on:click=move |_| {
                                        state.open_saved(theirs.clone());
                                        notice.set(Notice::Saved(
                                            "Opened their revision; undo brings yours back".to_owned(),
                                        ));
                                    }
                                >
                                    "Take theirs"
                                </button>
                            </div>
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
