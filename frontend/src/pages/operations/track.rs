//! The phase track (the ladder left to right, the current phase marked), the transition
//! history with the bundle each move deployed, and recording a transition.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::operations::{NewTransition, TransitionRecord, check_reason};

use super::{Ops, Problem, download_href, is_conflict, provider_name};
use crate::api::{self, TransitionOutcome};
use crate::format::{thousands, utc_time};
use crate::state::use_plan;
use crate::widgets::field::FieldError;

/// The inputs of the transition form, as the server names them.
const FIELDS: [&str; 3] = ["phase", "reason", "force"];

#[component]
pub(super) fn Track(ops: Ops) -> impl IntoView {
    let steps = move || {
        ops.with(|s| {
            let at = s.phases.iter().position(|p| p.key == s.platform.phase);
            (s.phases.clone(), at)
        })
        .unwrap_or_default()
    };
    let transitions = Memo::new(move |_| ops.with(|s| s.transitions.clone()).unwrap_or_default());
    view! {
        <section class="panel ops" aria-labelledby="ops-track-title">
            <h2 id="ops-track-title">"Phase track"</h2>
            <ol class="phase-track" data-testid="ops-track">
                {move || {
                    let (phases, at) = steps();
                    phases
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| {
                            let here = at == Some(i);
                            let class = if here {
                                "current"
                            } else if at.is_some_and(|a| i < a) {
                                "passed"
                            } else {
                                ""
                            };
                            let step = if here {
                                format!("Step {} · current", i + 1)
                            } else {
                                format!("Step {}", i + 1)
                            };
                            view! {
                                <li class=class data-phase=p.key.clone() aria-current=here.then_some("step")>
                                    <span class="phase-step">{step}</span>
                                    <span class="phase-name">{p.name.clone()}</span>
                                    <span class="muted">
                                        {format!("up to {} users", thousands(f64::from(p.max_users)))}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            <h3>"Transitions"</h3>
            <Show
                when=move || transitions.with(|t| !t.is_empty())
                fallback=move || view! {
                    <p class="muted" data-testid="ops-history-empty">
                        {move || ops.with(|s| format!(
                            "No transition recorded yet: the platform has been on {} since it was created.",
                            s.platform.phase_name
                        ))}
                    </p>
                }
            >
                <div class="table-scroll" tabindex="0" role="region" aria-label="Transition history">
                    <table class="data" data-testid="ops-history">
                        <thead>
                            <tr>
                                <th scope="col" class="num">"#"</th>
                                <th scope="col">"Move"</th>
                                <th scope="col">"By"</th>
                                <th scope="col">"When (UTC)"</th>
                                <th scope="col">"Why"</th>
                                <th scope="col">"Bundle deployed"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || transitions.get().into_iter().map(history_row).collect_view()}
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}

/// One recorded transition.
fn history_row(t: TransitionRecord) -> impl IntoView {
    let bundle = download_href(&t.bundle).map(|href| {
        view! {
            <a href=href download data-testid="transition-row-bundle">
                {format!("{} on {}, revision {}", t.to_name, t.provider.key(), thousands(f64::from(t.revision)))}
            </a>
        }
    });
    view! {
        <tr data-testid="transition-row" data-from=t.from.clone() data-to=t.to.clone()>
            <td class="num">{thousands(f64::from(t.number))}</td>
            <td>
                {format!("{} → {}", t.from_name, t.to_name)}
                {t.forced.then(|| view! {
                    " "
                    <span class="badge warning" title="Recorded with force: it skipped phases">"forced"</span>
                })}
            </td>
            <td>{t.by.clone()}</td>
            <td>{utc_time(&t.at)}</td>
            <td class="note">{if t.reason.is_empty() { "—".to_owned() } else { t.reason.clone() }}</td>
            <td>{bundle}</td>
        </tr>
    }
}

/// Recording a move to another phase; on success, what changed and what to do next, and the new
/// phase's bundle to download.
#[component]
pub(super) fn TransitionForm(ops: Ops) -> impl IntoView {
    let state = use_plan();
    // The phase picked; `None` is the default: the next one up, else the one below.
    let to = RwSignal::new(None::<String>);
    let reason = RwSignal::new(String::new());
    let force = RwSignal::new(false);
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let outcome: RwSignal<Option<TransitionOutcome>> = RwSignal::new(None);
    let busy = RwSignal::new(false);

    // Every phase but the current one, and the default pick.
    let choices = Memo::new(move |_| {
        ops.with(|s| {
            let at = s.phases.iter().position(|p| p.key == s.platform.phase);
            let others: Vec<(String, String)> = s
                .phases
                .iter()
                .filter(|p| p.key != s.platform.phase)
                .map(|p| (p.key.clone(), p.name.clone()))
                .collect();
            let default = s.platform.next_phase.clone().or_else(|| {
                at.and_then(|a| a.checked_sub(1))
                    .and_then(|i| s.phases.get(i))
                    .map(|p| p.key.clone())
            });
            (others, default)
        })
        .unwrap_or_default()
    });
    let pick = move |to: Option<String>,
                     (others, default): (Vec<(String, String)>, Option<String>)| {
        to.filter(|k| others.iter().any(|(o, _)| o == k))
            .or(default)
    };
    let picked = Memo::new(move |_| pick(to.get(), choices.get()));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(target) = pick(to.get_untracked(), choices.get_untracked()) else {
            return;
        };
        let body = NewTransition {
            to: target,
            reason: reason.get_untracked().trim().to_owned(),
            force: force.get_untracked(),
        };
        if let Err(e) = check_reason(&body.reason) {
            problem.set(Some(Problem::checked(&e)));
            return;
        }
        problem.set(None);
        outcome.set(None);
        busy.set(true);
        let name = ops.name.get_untracked();
        spawn_local(async move {
            let answer = ops
                .session
                .check(api::record_transition(&name, &body).await);
            busy.set(false);
            match answer {
                Ok(o) => {
                    outcome.set(Some(o));
                    to.set(None);
                    reason.set(String::new());
                    force.set(false);
                    ops.reload();
                }
                Err(e) => {
                    problem.set(Some(Problem::refused(&e)));
                    // Moved meanwhile: show where it is now.
                    if is_conflict(&e) {
                        ops.reload();
                    }
                }
            }
        });
    };

    let about =
        move |field: &'static str| Signal::derive(move || Problem::about(problem.get(), field));
    let phase_error = about("phase");
    let reason_error = about("reason");

    view! {
        <section class="panel ops" aria-labelledby="ops-transition-title">
            <h2 id="ops-transition-title">"Record a transition"</h2>
            <p class="hint">
                "Record the move once it is deployed: the platform's phase, its checklist and its \
                 milestones follow. One step at a time, unless forced."
            </p>
            <form class="ops-form" on:submit=submit novalidate>
                <div class="fields">
                    <div class="field">
                        <label for="transition-to">"Move to"</label>
                        <select
                            id="transition-to"
                            data-testid="transition-to"
                            aria-invalid=move || phase_error.with(Option::is_some).then_some("true")
                            on:change=move |ev| to.set(Some(event_target_value(&ev)))
                        >
                            {move || {
                                choices
                                    .get()
                                    .0
                                    .into_iter()
                                    .map(|(key, name)| {
                                        let is = key.clone();
                                        view! {
                                            <option value=key prop:selected=move || picked.get().as_deref() == Some(is.as_str())>
                                                {name}
                                            </option>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </select>
                        <FieldError testid="transition-to-error" message=phase_error />
                    </div>
                    <div class="field">
                        <label for="transition-reason">"Reason"</label>
                        <input
                            id="transition-reason"
                            type="text"
                            data-testid="transition-reason"
                            maxlength="500"
                            placeholder="Users passed 60 % of the phase"
                            aria-invalid=move || reason_error.with(Option::is_some).then_some("true")
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))
                        />
                        <FieldError testid="transition-reason-error" message=reason_error />
                    </div>
                    <div class="field toggle">
                        <label for="transition-force">
                            <input
                                id="transition-force"
                                type="checkbox"
                                data-testid="transition-force"
                                prop:checked=move || force.get()
                                on:change=move |ev| force.set(event_target_checked(&ev))
                            />
                            "Force (skips phases)"
                        </label>
                        <span class="help">"Only to record a move that passed over phases."</span>
                    </div>
                </div>
                <div class="form-actions">
                    <button
                        type="submit"
                        data-testid="transition-record"
                        prop:disabled=move || busy.get() || picked.with(Option::is_none)
                    >
                        "Record transition"
                    </button>
                    {move || Problem::general(problem.get(), &FIELDS).map(|m| view! {
                        <span class="error" role="alert" data-testid="transition-error">{m}</span>
                    })}
                </div>
            </form>
            {move || outcome.get().map(|o| {
                let t = o.transition;
                let provider = provider_name(&state, t.provider);
                let bundle = download_href(&t.bundle).map(|href| view! {
                    <a class="button" href=href download data-testid="transition-bundle">
                        {format!("Download the {} bundle for {provider}", t.to_name)}
                    </a>
                });
                view! {
                    <div class="ops-outcome" role="status" data-testid="transition-outcome" data-to=t.to.clone()>
                        <p>
                            <strong>{format!("Recorded: {} → {}", t.from_name, t.to_name)}</strong>
                            {t.forced.then_some(" (forced: it skipped phases)")}
                        </p>
                        <h3>"What changed between the two bundles"</h3>
                        {if o.changes.is_empty() {
                            view! { <p class="muted">"Nothing: the two phases' bundles are the same."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="changes" data-testid="transition-changes">
                                    {o.changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <h3>"Next steps"</h3>
                        <ol class="changes" data-testid="transition-next-steps">
                            {o.next_steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                        </ol>
                        {bundle}
                        " "
                        <button type="button" class="link" on:click=move |_| outcome.set(None)>"Dismiss"</button>
                    </div>
                }
            })}
            {move || ops.with(|s| {
                s.platform.scenario_archived.then(|| view! {
                    <p class="muted">"Its scenario is archived: the server refuses transitions until it is restored."</p>
                })
            }).flatten()}
        </section>
    }
}
