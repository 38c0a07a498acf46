//! The checklist toward the next phase: progress, each action (the plan's differences between
//! the two rungs, and those people added) with its state, and adding an action. A state change
//! names the version of the item it was read at; when someone else changed the item meanwhile
//! the server refuses (409), and the page says so and reads the list again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::live::LiveComponent;
use phaseplan_model::operations::{
    ActionOrigin, ActionState, Checklist, ChecklistEdit, ChecklistItem, NewChecklistItem,
};

use super::{Ops, Problem, count, is_conflict, phase_name};
use crate::api;
use crate::format::{percent, sentence, utc_time};
use crate::widgets::field::FieldError;

/// The inputs of the add form, as the server names them.
const FIELDS: [&str; 2] = ["title", "component"];

/// A state in words.
fn state_words(s: ActionState) -> &'static str {
    match s {
        ActionState::Pending => "pending",
        ActionState::InProgress => "in progress",
        ActionState::Completed => "completed",
    }
}

/// The badge class of a state.
fn state_class(s: ActionState) -> &'static str {
    match s {
        ActionState::Pending => "badge neutral",
        ActionState::InProgress => "badge info",
        ActionState::Completed => "badge optimal",
    }
}

/// Who changed an item last, and when.
fn who(item: &ChecklistItem) -> String {
    match (&item.updated_by, &item.updated_at) {
        (Some(by), Some(at)) => format!("{by} · {} UTC", utc_time(at)),
        (Some(by), None) => by.clone(),
        _ => "untouched".to_owned(),
    }
}

#[component]
pub(super) fn ChecklistPanel(ops: Ops) -> impl IntoView {
    let list = Memo::new(move |_| ops.with(|s| s.checklist.clone()));
    let heading = move || {
        ops.with(|s| match &s.checklist.toward {
            Some(k) => format!("Checklist toward {}", phase_name(&s.phases, k)),
            None => format!(
                "Checklist beyond {}, the top of the ladder",
                phase_name(&s.phases, &s.checklist.from)
            ),
        })
    };
    // A refusal of a state change, or the note that someone else changed an item.
    let note: RwSignal<Option<String>> = RwSignal::new(None);
    // The item whose change is on its way.
    let busy: RwSignal<Option<String>> = RwSignal::new(None);
    // Bumped to draw the rows again after a refused change, so each select shows the state the
    // item has, not the one picked.
    let redraw = RwSignal::new(0_u32);

    let set_state = move |item: ChecklistItem, to: ActionState| {
        if item.state == to {
            return;
        }
        note.set(None);
        busy.set(Some(item.id.clone()));
        let name = ops.name.get_untracked();
        let body = ChecklistEdit {
            id: item.id.clone(),
            state: to,
            version: item.version,
        };
        spawn_local(async move {
            let answer = ops
                .session
                .check(api::edit_checklist_item(&name, &body).await);
            busy.set(None);
            match answer {
                Ok(list) => {
                    apply(ops, list);
                    // The milestones follow the checklist: read everything again.
                    ops.reload();
                }
                Err(e) if is_conflict(&e) => {
                    note.set(Some(format!(
                        "Someone else changed “{}” since this page read it, so your change was not \
                         applied. The checklist has been reloaded: check its state and choose again.",
                        item.title
                    )));
                    ops.reload();
                }
                Err(e) => {
                    note.set(Some(format!(
                        "“{}” was not changed: {}",
                        item.title,
                        sentence(&e.message())
                    )));
                    redraw.update(|n| *n += 1);
                }
            }
        });
    };

    view! {
        <section class="panel ops" aria-labelledby="ops-checklist-title" data-testid="ops-checklist">
            <h2 id="ops-checklist-title">{heading}</h2>
            {move || list.get().map(|l| {
                let p = l.progress_percent;
                view! {
                    <p class="progress-line" data-testid="ops-progress" data-completed=l.completed data-total=l.total>
                        <strong>{format!("{} of {} completed", count(l.completed), count(l.total))}</strong>
                        {format!(" · {}", percent(p, 0))}
                    </p>
                    <div
                        class="progress"
                        role="progressbar"
                        aria-label="Checklist progress"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=format!("{p:.0}")
                        aria-valuetext=percent(p, 0)
                    >
                        <span style=format!("width: {:.1}%", p.clamp(0.0, 100.0))></span>
                    </div>
                }
            })}
            {move || note.get().map(|m| view! {
                <p class="error" role="alert" data-testid="checklist-note">{m}</p>
            })}
            <ul class="checklist" data-testid="checklist">
                {move || {
                    redraw.track();
                    let may_edit = ops.may_edit();
                    list.get()
                        .map(|l| l.items)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|item| item_row(item, may_edit, busy, set_state))
                        .collect_view()
                }}
            </ul>
            <Show when=move || ops.may_edit()>
                <AddAction ops=ops />
            </Show>
        </section>
    }
}

/// The list the server answered a write with, shown at once (the full status follows).
fn apply(ops: Ops, list: Checklist) {
    ops.status.update(|s| {
        if let Some(s) = s {
            s.checklist = list;
        }
    });
}

/// One action: its words, component, origin, criticality, state and who changed it.
fn item_row(
    item: ChecklistItem,
    may_edit: bool,
    busy: RwSignal<Option<String>>,
    set_state: impl Fn(ChecklistItem, ActionState) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (origin, origin_help) = match item.origin {
        ActionOrigin::Plan => (
            "plan",
            "A difference between the two phases of the plan's ladder",
        ),
        ActionOrigin::Person => ("person", "Added by a person"),
    };
    let state = item.state;
    let control = if may_edit {
        let id = item.id.clone();
        let picked = item.clone();
        view! {
            <select
                data-testid="checklist-state"
                aria-label=format!("State of: {}", item.title)
                prop:disabled=move || busy.with(|b| b.as_deref() == Some(id.as_str()))
                on:change=move |ev| {
                    if let Some(to) = ActionState::parse(&event_target_value(&ev)) {
                        set_state(picked.clone(), to);
                    }
                }
            >
                {ActionState::ALL
                    .into_iter()
                    .map(|s| view! {
                        <option value=s.as_str() selected=s == state>{state_words(s)}</option>
                    })
                    .collect_view()}
            </select>
        }
        .into_any()
    } else {
        view! { <span class=state_class(state) data-testid="checklist-state-text">{state_words(state)}</span> }
            .into_any()
    };
    view! {
        <li
            data-testid="checklist-item"
            data-id=item.id.clone()
            data-state=state.as_str()
            class=item.critical.then_some("critical")
        >
            <div class="item-main">
                <span class="item-title" data-testid="checklist-title">{item.title.clone()}</span>
                <span class="item-meta">
                    {item.component.map(|c| view! { <span class="muted">{c.label()}</span> })}
                    <span class="badge neutral" title=origin_help>{origin}</span>
                    {item.critical.then(|| view! {
                        <span
                            class="badge critical"
                            data-testid="checklist-critical"
                            title="Not done, and its component reads at or past its warning line now"
                        >
                            "critical"
                        </span>
                    })}
                </span>
            </div>
            <div class="item-state">{control}</div>
            <div class="item-who muted" data-testid="checklist-who">{who(&item)}</div>
        </li>
    }
}

/// "Add an action": a title and, optionally, the component it relieves.
#[component]
fn AddAction(ops: Ops) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let component = RwSignal::new(None::<LiveComponent>);
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let added: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewChecklistItem {
            title: title.get_untracked().trim().to_owned(),
            component: component.get_untracked(),
        };
        added.set(None);
        if let Err(e) = body.validate() {
            problem.set(Some(Problem::checked(&e)));
            return;
        }
        problem.set(None);
        busy.set(true);
        let name = ops.name.get_untracked();
        spawn_local(async move {
            let answer = ops
                .session
                .check(api::add_checklist_item(&name, &body).await);
            busy.set(false);
            match answer {
                Ok(list) => {
                    added.set(Some(format!("Added “{}”.", body.title)));
                    title.set(String::new());
                    component.set(None);
                    apply(ops, list);
                    ops.reload();
                }
                Err(e) => problem.set(Some(Problem::refused(&e))),
            }
        });
    };
    let about =
        move |field: &'static str| Signal::derive(move || Problem::about(problem.get(), field));
    let title_error = about("title");

    view! {
        <h3>"Add an action"</h3>
        <form class="ops-form" on:submit=add novalidate>
            <div class="fields">
                <div class="field">
                    <label for="checklist-new-title">"Action"</label>
                    <input
                        id="checklist-new-title"
                        type="text"
                        data-testid="checklist-new-title"
                        maxlength="200"
                        placeholder="Load-test the new pool at 5,000 users"
                        aria-invalid=move || title_error.with(Option::is_some).then_some("true")
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                    <FieldError testid="checklist-new-title-error" message=title_error />
                </div>
                <div class="field">
                    <label for="checklist-new-component">"Component it relieves (optional)"</label>
                    <select
                        id="checklist-new-component"
                        data-testid="checklist-new-component"
                        on:change=move |ev| {
                            let key = event_target_value(&ev);
                            component.set(LiveComponent::ALL.into_iter().find(|c| c.key() == key));
                        }
                    >
                        <option value="" prop:selected=move || component.with(Option::is_none)>"None"</option>
                        {LiveComponent::ALL
                            .into_iter()
                            .map(|c| view! {
                                <option value=c.key() prop:selected=move || component.get() == Some(c)>
                                    {c.label()}
                                </option>
                            })
                            .collect_view()}
                    </select>
                    <FieldError testid="checklist-new-component-error" message=about("component") />
                </div>
            </div>
            <div class="form-actions">
                <button type="submit" data-testid="checklist-add" prop:disabled=move || busy.get()>
                    "Add an action"
                </button>
                {move || Problem::general(problem.get(), &FIELDS).map(|m| view! {
                    <span class="error" role="alert" data-testid="checklist-add-error">{m}</span>
                })}
                {move || added.get().map(|m| view! {
                    <span class="help" role="status" data-testid="checklist-added">{m}</span>
                })}
            </div>
        </form>
    }
}
