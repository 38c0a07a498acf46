//! Milestones toward the next phase: on a time axis (each milestone's target date in its
//! status's colour, beside the plan's date, the prepare-by date, the live forecast's date and
//! today) and in a table with why each stands where it does; the step's durations, which an
//! editor can change or set back to the seeds', and marking the last move validated.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::operations::{
    Day, MilestoneEdit, MilestoneKey, MilestoneStatus, Milestones, Span, StepDurations,
};

use super::{Ops, Problem, count, is_conflict, phase_name};
use crate::api;
use crate::widgets::field::FieldError;

/// The inputs of the durations form, as the server names them.
const FIELDS: [&str; 3] = ["preparation", "execution", "validation"];

/// A status in words.
fn status_words(s: MilestoneStatus) -> &'static str {
    match s {
        MilestoneStatus::Completed => "completed",
        MilestoneStatus::InProgress => "in progress",
        MilestoneStatus::Pending => "pending",
        MilestoneStatus::AtRisk => "at risk",
        MilestoneStatus::Late => "late",
    }
}

/// The class of a status (its colour on the axis), as the wire writes it.
fn status_key(s: MilestoneStatus) -> &'static str {
    match s {
        MilestoneStatus::Completed => "completed",
        MilestoneStatus::InProgress => "in-progress",
        MilestoneStatus::Pending => "pending",
        MilestoneStatus::AtRisk => "at-risk",
        MilestoneStatus::Late => "late",
    }
}

/// The badge of a status: the colours of the status badges (the word carries the meaning).
fn status_badge(s: MilestoneStatus) -> &'static str {
    match s {
        MilestoneStatus::Completed => "badge optimal",
        MilestoneStatus::InProgress => "badge info",
        MilestoneStatus::Pending => "badge neutral",
        MilestoneStatus::AtRisk => "badge warning",
        MilestoneStatus::Late => "badge critical",
    }
}

/// A milestone's key, as the wire writes it.
fn key_name(k: MilestoneKey) -> &'static str {
    match k {
        MilestoneKey::Prepare => "prepare",
        MilestoneKey::Ready => "ready",
        MilestoneKey::Move => "move",
        MilestoneKey::Validated => "validated",
    }
}

/// The stretch of calendar the axis shows: every date on it, with a margin at both ends so no
/// mark sits on an end.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Axis {
    start: Day,
    end: Day,
}

impl Axis {
    fn around(days: impl IntoIterator<Item = Day>) -> Option<Axis> {
        let days: Vec<Day> = days.into_iter().collect();
        let (first, last) = (*days.iter().min()?, *days.iter().max()?);
        let margin = (first.days_until(last) / 20).max(7);
        Some(Axis {
            start: first.plus_days(-margin),
            end: last.plus_days(margin),
        })
    }

    /// Where `d` is, in per cent of the axis' width.
    fn at(self, d: Day) -> f64 {
        // Spans of days are far below 2^52.
        #[allow(clippy::cast_precision_loss)]
        let (from_start, total) = (
            self.start.days_until(d) as f64,
            self.start.days_until(self.end).max(1) as f64,
        );
        (from_start / total * 100.0).clamp(0.0, 100.0)
    }
}

/// Rows for marks at `positions` (per cent), so that close ones do not cover each other: each
/// takes the lowest row with no mark closer than `gap`, up to `rows` rows (the last is shared).
fn stack(positions: &[f64], gap: f64, rows: usize) -> Vec<usize> {
    let mut taken: Vec<Vec<f64>> = vec![Vec::new(); rows.max(1)];
    positions
        .iter()
        .map(|&x| {
            let row = (0..taken.len())
                .find(|&r| taken[r].iter().all(|&y| (x - y).abs() >= gap))
                .unwrap_or(taken.len() - 1);
            taken[row].push(x);
            row
        })
        .collect()
}

/// The dates beside the milestones: `(class, label, date)`.
fn references(m: &Milestones) -> [(&'static str, &'static str, Option<Day>); 4] {
    [
        ("today", "Today", Some(m.today)),
        ("plan", "The plan's date", m.plan_date),
        ("prepare", "Prepare by", m.prepare_by),
        ("forecast", "The forecast's date", m.forecast_date),
    ]
}

/// Pixels from the top of the axis to a milestone of `row`: row 0 just above the line.
fn dot_top(row: usize) -> usize {
    48_usize.saturating_sub(22 * row)
}

#[component]
pub(super) fn MilestonesPanel(ops: Ops) -> impl IntoView {
    let milestones = Memo::new(move |_| ops.with(|s| s.milestones.clone()));
    view! {
        <section class="panel ops" aria-labelledby="ops-milestones-title" data-testid="ops-milestones-panel">
            <h2 id="ops-milestones-title">
                {move || ops.with(|s| match &s.milestones.toward {
                    Some(k) => format!("Milestones toward {}", phase_name(&s.phases, k)),
                    None => "Milestones".to_owned(),
                })}
            </h2>
            <p data-testid="ops-time-to-next">
                <strong>"Time to the next phase: "</strong>
                {move || milestones.with(|m| m.as_ref().map(|m| m.estimated_time_to_next_phase.clone()))}
            </p>
            {move || milestones.get().map(|m| axis_view(&m))}
            <div class="table-scroll" tabindex="0" role="region" aria-label="Milestones">
                <table class="data" data-testid="ops-milestones">
                    <thead>
                        <tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">"Milestone"</th>
                            <th scope="col">"Description"</th>
                            <th scope="col">"Target date"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Why"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || milestones.with(|m| {
                            let items = m.as_ref().map(|m| m.items.clone()).unwrap_or_default();
                            if items.is_empty() {
                                return vec![view! {
                                    <tr><td colspan="6" class="muted">"No milestone: there is no next phase to reach."</td></tr>
                                }.into_any()];
                            }
                            items.into_iter().enumerate().map(|(i, ms)| view! {
                                <tr
                                    data-testid="milestone-row"
                                    data-key=key_name(ms.key)
                                    data-toward=ms.toward.clone()
                                    data-status=status_key(ms.status)
                                >
                                    <td class="num">{count(i + 1)}</td>
                                    <th scope="row">{ms.name.clone()}</th>
                                    <td class="note">{ms.description.clone()}</td>
                                    <td>{ms.target_date.map_or_else(|| "—".to_owned(), |d| d.to_string())}</td>
                                    <td><span class=status_badge(ms.status)>{status_words(ms.status)}</span></td>
                                    <td class="note">{ms.why.clone()}</td>
                                </tr>
                            }.into_any()).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
            <Show when=move || ops.may_edit()>
                <ValidateMove ops=ops />
                <DurationsForm ops=ops />
            </Show>
        </section>
    }
}

/// The time axis: a line from the first date to the last, the milestones on it (numbered as in
/// the table, coloured by status), the reference dates as ticks, and a legend naming them. The
/// drawing is for the eye only: the legend and the table say everything it shows.
fn axis_view(m: &Milestones) -> Option<impl IntoView + use<>> {
    let refs = references(m);
    let dated: Vec<(usize, Day, MilestoneStatus, String)> = m
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, ms)| {
            ms.target_date
                .map(|d| (i + 1, d, ms.status, ms.name.clone()))
        })
        .collect();
    let axis = Axis::around(
        refs.iter()
            .filter_map(|(_, _, d)| *d)
            .chain(dated.iter().map(|(_, d, _, _)| *d)),
    )?;
    let positions: Vec<f64> = dated.iter().map(|(_, d, _, _)| axis.at(*d)).collect();
    let rows = stack(&positions, 6.0, 3);
    let today_at = axis.at(m.today);
    let ticks = refs
        .iter()
        .filter_map(|(class, label, d)| d.map(|d| (*class, *label, d)))
        .map(|(class, label, d)| {
            view! {
                <span
                    class=format!("ms-ref {class}")
                    style=format!("left: {:.2}%", axis.at(d))
                    title=format!("{label}: {d}")
                    data-date=d.to_string()
                ></span>
            }
        })
        .collect_view();
    let dots = dated
        .into_iter()
        .zip(positions.iter().zip(rows))
        .map(|((n, d, status, name), (x, row))| {
            view! {
                <span
                    class=format!("ms-dot {}", status_key(status))
                    style=format!("left: {x:.2}%; top: {}px", dot_top(row))
                    title=format!("{name}: {d} ({})", status_words(status))
                    data-date=d.to_string()
                >
                    {count(n)}
                </span>
            }
        })
        .collect_view();
    let legend = refs
        .into_iter()
        .map(|(class, label, d)| {
            let date = match (class, d) {
                (_, Some(d)) => d.to_string(),
                ("forecast", None) => "none yet (no live trend reaches it)".to_owned(),
                (_, None) => "beyond the plan's horizon".to_owned(),
            };
            view! {
                <li data-testid=format!("ms-legend-{class}")>
                    <span class=format!("swatch {class}") aria-hidden="true"></span>
                    {format!("{label}: {date}")}
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <figure class="ms-figure">
            <div class="ms-axis" aria-hidden="true" data-testid="ms-axis">
                <div class="ms-line"></div>
                {ticks}
                {dots}
                // The ends' dates where today's label leaves them room (even on a phone).
                {(today_at > 40.0).then(|| view! {
                    <span class="ms-end start">{axis.start.to_string()}</span>
                })}
                <span class="ms-end today" style=format!("left: {today_at:.2}%")>"today"</span>
                {(today_at < 60.0).then(|| view! {
                    <span class="ms-end finish">{axis.end.to_string()}</span>
                })}
            </div>
            <figcaption>
                <ul class="ms-legend">{legend}</ul>
            </figcaption>
        </figure>
    })
}

/// Marking the move onto the current phase validated, when its "validated" milestone is listed
/// (the first phase has no step toward it to validate).
#[component]
fn ValidateMove(ops: Ops) -> impl IntoView {
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let open = Memo::new(move |_| {
        ops.with(|s| {
            let phase = &s.platform.phase;
            let above_first = s.phases.iter().position(|p| p.key == *phase).unwrap_or(0) > 0;
            let listed = s
                .milestones
                .items
                .iter()
                .any(|m| m.key == MilestoneKey::Validated && m.toward == *phase);
            (above_first && listed).then(|| (phase.clone(), s.platform.phase_name.clone()))
        })
        .flatten()
    });
    let validate = move |toward: String| {
        problem.set(None);
        busy.set(true);
        let name = ops.name.get_untracked();
        let body = MilestoneEdit {
            toward,
            preparation: None,
            execution: None,
            validation: None,
            reset_durations: false,
            validated: Some(true),
        };
        spawn_local(async move {
            let answer = ops.session.check(api::edit_milestones(&name, &body).await);
            busy.set(false);
            match answer {
                Ok(_) => ops.reload(),
                Err(e) => {
                    problem.set(Some(Problem::refused(&e).message));
                    if is_conflict(&e) {
                        ops.reload();
                    }
                }
            }
        });
    };
    move || {
        open.get().map(|(key, name)| {
            view! {
                <div class="form-actions">
                    <button
                        type="button"
                        class="secondary"
                        data-testid="milestone-validate"
                        prop:disabled=move || busy.get()
                        on:click=move |_| validate(key.clone())
                    >
                        {format!("Mark the move to {name} validated")}
                    </button>
                    {move || problem.get().map(|m| view! {
                        <span class="error" role="alert" data-testid="milestone-validate-error">{m}</span>
                    })}
                </div>
            }
        })
    }
}

/// The durations of the step toward the next phase: three spans ("2-3 weeks"), checked here as
/// the server reads them, saved or set back to the seeds'.
#[component]
fn DurationsForm(ops: Ops) -> impl IntoView {
    // The step, its durations, and whether they are this platform's own.
    let step = Memo::new(move |_| {
        ops.with(|s| {
            let m = &s.milestones;
            m.toward.clone().zip(m.durations).map(|(toward, d)| {
                (
                    toward.clone(),
                    phase_name(&s.phases, &toward),
                    d,
                    m.custom_durations,
                )
            })
        })
        .flatten()
    });
    let preparation = RwSignal::new(String::new());
    let execution = RwSignal::new(String::new());
    let validation = RwSignal::new(String::new());
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let saved: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    // The inputs show the durations the server has, again whenever they change there.
    let durations = Memo::new(move |_| step.with(|s| s.as_ref().map(|(_, _, d, _)| *d)));
    Effect::new(move |_| {
        if let Some(d) = durations.get() {
            let StepDurations {
                preparation: p,
                execution: e,
                validation: v,
            } = d;
            preparation.set(p.to_string());
            execution.set(e.to_string());
            validation.set(v.to_string());
        }
    });

    let send = move |body: MilestoneEdit, done: &'static str| {
        problem.set(None);
        saved.set(None);
        busy.set(true);
        let name = ops.name.get_untracked();
        spawn_local(async move {
            let answer = ops.session.check(api::edit_milestones(&name, &body).await);
            busy.set(false);
            match answer {
                Ok(m) => {
                    ops.status.update(|s| {
                        if let Some(s) = s {
                            s.milestones = m;
                        }
                    });
                    saved.set(Some(done.to_owned()));
                    ops.reload();
                }
                Err(e) => {
                    problem.set(Some(Problem::refused(&e)));
                    if is_conflict(&e) {
                        ops.reload();
                    }
                }
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((toward, ..)) = step.get_untracked() else {
            return;
        };
        let read = |field: &str, text: RwSignal<String>| {
            Span::parse(field, text.get_untracked().trim()).map_err(|e| Problem::checked(&e))
        };
        let spans = read("preparation", preparation).and_then(|p| {
            Ok((
                p,
                read("execution", execution)?,
                read("validation", validation)?,
            ))
        });
        match spans {
            Ok((p, e, v)) => send(
                MilestoneEdit {
                    toward,
                    preparation: Some(p),
                    execution: Some(e),
                    validation: Some(v),
                    reset_durations: false,
                    validated: None,
                },
                "Saved: the milestones are dated with these durations.",
            ),
            Err(p) => problem.set(Some(p)),
        }
    };
    let reset = move |_| {
        let Some((toward, ..)) = step.get_untracked() else {
            return;
        };
        send(
            MilestoneEdit {
                toward,
                preparation: None,
                execution: None,
                validation: None,
                reset_durations: true,
                validated: None,
            },
            "Back to the seeds' durations.",
        );
    };
    let about =
        move |field: &'static str| Signal::derive(move || Problem::about(problem.get(), field));
    let input = move |field: &'static str, label: &'static str, value: RwSignal<String>| {
        let id = format!("milestone-{field}");
        let error = about(field);
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input
                    id=id.clone()
                    type="text"
                    data-testid=id.clone()
                    maxlength="40"
                    autocomplete="off"
                    spellcheck="false"
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <FieldError testid=field_error(field) message=error />
            </div>
        }
    };

    move || {
        step.get().map(|(_, next, _, custom)| {
            view! {
                <h3>{format!("Durations of the step to {next}")}</h3>
                <p class="help" data-testid="milestone-durations-source">
                    {if custom {
                        "This platform's own durations. Spans like \"2-3 weeks\" or \"4 hours\" (hours, days, weeks or months)."
                    } else {
                        "The seeds' durations. Spans like \"2-3 weeks\" or \"4 hours\" (hours, days, weeks or months)."
                    }}
                </p>
                <form class="ops-form" on:submit=save novalidate>
                    <div class="fields">
                        {input("preparation", "Preparation", preparation)}
                        {input("execution", "Execution (the change window)", execution)}
                        {input("validation", "Validation", validation)}
                    </div>
                    <div class="form-actions">
                        <button type="submit" data-testid="milestone-save" prop:disabled=move || busy.get()>
                            "Save"
                        </button>
                        {custom.then(|| view! {
                            <button
                                type="button"
                                class="secondary"
                                data-testid="milestone-reset"
                                prop:disabled=move || busy.get()
                                on:click=reset
                            >
                                "Back to the seeds' durations"
                            </button>
                        })}
                        {move || Problem::general(problem.get(), &FIELDS).map(|m| view! {
                            <span class="error" role="alert" data-testid="milestone-error">{m}</span>
                        })}
                        {move || saved.get().map(|m| view! {
                            <span class="help" role="status" data-testid="milestone-saved">{m}</span>
                        })}
                    </div>
                </form>
            }
        })
    }
}

/// The test id of a duration's error line.
fn field_error(field: &'static str) -> &'static str {
    match field {
        "preparation" => "milestone-preparation-error",
        "execution" => "milestone-execution-error",
        _ => "milestone-validation-error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_spans_every_date_with_a_margin() {
        let today = Day::ymd(2026, 12, 1);
        let axis = Axis::around([today, today.plus_days(100)]).unwrap();
        assert_eq!(axis.start, today.plus_days(-7));
        assert_eq!(axis.end, today.plus_days(107));
        assert!((axis.at(axis.start) - 0.0).abs() < 1e-9);
        assert!((axis.at(axis.end) - 100.0).abs() < 1e-9);
        assert!(axis.at(today) > 0.0 && axis.at(today) < 10.0);
        // One date alone still has a width.
        let one = Axis::around([today]).unwrap();
        assert!((one.at(today) - 50.0).abs() < 1e-9);
        assert_eq!(Axis::around(std::iter::empty()), None);
    }

    #[test]
    fn close_marks_take_rows_of_their_own() {
        assert_eq!(
            stack(&[10.0, 12.0, 30.0, 13.0, 14.0], 6.0, 3),
            [0, 1, 0, 2, 2]
        );
        assert_eq!(dot_top(0), 48);
        assert_eq!(dot_top(2), 4);
    }
}
