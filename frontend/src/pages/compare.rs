//! Two to four plans side by side: this plan, saved revisions, share links. Every column is
//! evaluated here in WebAssembly, so once the scenarios are loaded comparing needs no server; an
//! edit of this plan recomputes its column and every delta at once. Deltas are against the first
//! column, on the bases of `phaseplan_model::compare` (the Overview's).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::compare::{KeyFigures, input_changes, result_deltas};
use phaseplan_model::evaluate::{Evaluation, evaluate_plan};
use phaseplan_model::format::{thousands, usd};
use phaseplan_model::scenario::Scenario;
use phaseplan_model::share;

use crate::api;
use crate::charts::compare::overlay_chart;
use crate::format::month_label;
use crate::pages::scenario::fields::{growth, workload};
use crate::state::use_plan;
use crate::widgets::chart::EChart;
use crate::widgets::field::{Field, NumberField};

/// Columns at most.
const MAX_COLUMNS: usize = 4;

/// A column, evaluated once. Its `key` names this evaluation: a loaded column keeps its key for
/// life and this plan's column gets a new one per edit, so the page rebuilds only the cells of a
/// column that changed (keyed lists) and compares columns by key instead of walking two
/// evaluations on every edit.
#[derive(Debug)]
struct Column {
    key: u64,
    label: String,
    scenario: Scenario,
    evaluation: Result<Evaluation, String>,
    /// What the table shows, taken out of the evaluation once.
    figures: Option<KeyFigures>,
}

impl Column {
    fn new(label: String, scenario: Scenario, evaluation: Result<Evaluation, String>) -> Arc<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Arc::new(Column {
            key: NEXT.fetch_add(1, Ordering::Relaxed),
            label,
            figures: evaluation.as_ref().ok().map(KeyFigures::of),
            scenario,
            evaluation,
        })
    }
}

/// Same key, same evaluation (see [`Column`]).
impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

/// Where a column's scenario comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// The plan being edited, live.
    Current,
    /// A loaded saved revision or share link, fixed.
    Fixed(Arc<Column>),
}

/// A signed USD delta, "+$120" / "−$40", or nothing for zero.
fn delta_usd(d: f64) -> String {
    if d.abs() < 0.5 {
        String::new()
    } else if d > 0.0 {
        format!(" (+{})", usd(d))
    } else {
        format!(" (−{})", usd(-d))
    }
}

/// A table cell's text: the column's figure, with its delta against the first column's.
fn with_delta(
    column: &Column,
    base: &Column,
    value: impl Fn(&KeyFigures) -> f64,
    tail: impl Fn(&KeyFigures) -> String,
) -> String {
    match (&column.figures, &base.figures) {
        (Some(k), Some(b)) if column.key != base.key => {
            format!(
                "{}{}{}",
                usd(value(k)),
                delta_usd(value(k) - value(b)),
                tail(k)
            )
        }
        (Some(k), _) => format!("{}{}", usd(value(k)), tail(k)),
        _ => "—".to_owned(),
    }
}

/// The inputs of this plan worth trying a change of, right here: the two that move every column
/// of a comparison most.
fn try_fields() -> Vec<Field> {
    const PATHS: [&str; 2] = ["workload.peak_concurrent_users", "growth.monthly_rate"];
    workload()
        .into_iter()
        .chain(growth())
        .filter(|f| PATHS.contains(&f.path.as_str()))
        .collect()
}

/// The columns being compared. Held by the app, not the page, so they stay while the plan is
/// edited on another page and "This plan" follows when you come back.
#[derive(Clone, Copy)]
struct Columns(RwSignal<Vec<Source>>);

/// Gives the app its comparison (call once, at the root).
pub fn provide_comparison() {
    provide_context(Columns(RwSignal::new(vec![Source::Current])));
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let state = use_plan();
    let Columns(sources) = expect_context::<Columns>();
    let session = crate::session::use_session();
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let saved_list = RwSignal::new(Vec::new());
    let pick = RwSignal::new(String::new());
    let pick_revision = RwSignal::new(String::new());
    let link = RwSignal::new(String::new());
    spawn_local(async move {
        match session.check(api::list_scenarios("", "updated", false, None).await) {
            Ok(p) => saved_list.set(p.scenarios),
            // Without a server the page still compares share links and this plan.
            Err(e) => error.set(Some(format!("saved scenarios are not available: {e}"))),
        }
    });

    // Evaluated in the browser, deterministic plan only (no Monte Carlo).
    let evaluate = move |scenario: &Scenario| -> Result<Evaluation, String> {
        let valid = scenario.clone().validate().map_err(|e| e.to_string())?;
        state.catalog.with_value(|c| {
            c.as_ref()
                .map(|c| evaluate_plan(&valid, c))
                .map_err(Clone::clone)
        })
    };
    // This plan's column follows every edit (reusing the plan's own evaluation); the others
    // were evaluated once, when added.
    let current = Memo::new(move |_| {
        Column::new(
            "This plan".to_owned(),
            state.scenario.get(),
            state.evaluation.get(),
        )
    });
    let columns = Memo::new(move |_| {
        sources.with(|all| {
            all.iter()
                .map(|s| match s {
                    Source::Current => current.get(),
                    Source::Fixed(c) => Arc::clone(c),
                })
                .collect::<Vec<_>>()
        })
    });
    // Each column with its index and the first column, for keyed rows: a cell is rebuilt only
    // when its column, its place or (for deltas) the first column changes.
    let keyed = move || {
        columns.with(|cols| {
            let Some(first) = cols.first() else {
                return Vec::new();
            };
            cols.iter()
                .enumerate()
                .map(|(i, c)| (i, Arc::clone(first), Arc::clone(c)))
                .collect::<Vec<_>>()
        })
    };
    let others = move || keyed().into_iter().skip(1).collect::<Vec<_>>();
    type Keyed = (usize, Arc<Column>, Arc<Column>);
    let own_key = |(i, _, c): &Keyed| (*i, c.key, 0);
    let delta_key = |(i, b, c): &Keyed| (*i, c.key, b.key + 1);

    let add = move |label: String, scenario: Scenario| {
        if sources.with_untracked(|s| s.len() >= MAX_COLUMNS) {
            return;
        }
        let evaluation = evaluate(&scenario);
        sources.update(|s| s.push(Source::Fixed(Column::new(label, scenario, evaluation))));
    };
    let add_saved = move |_| {
        let id = pick.get_untracked();
        if id.is_empty() {
            return;
        }
        let revision = pick_revision.get_untracked().trim().parse::<u32>().ok();
        spawn_local(async move {
            match session.check(api::saved_scenario(&id, revision).await) {
                Ok(s) => {
                    error.set(None);
                    add(format!("{} · r{}", s.name, s.revision), s.scenario);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let add_link = move |_| {
        let text = link.get_untracked();
        // A whole URL or only its code.
        let code = text
            .split("s=")
            .nth(1)
            .map_or(text.trim(), |rest| rest.split('&').next().unwrap_or(rest))
            .trim()
            .to_owned();
        match share::decode(&code) {
            Ok(s) => {
                error.set(None);
                link.set(String::new());
                add(format!("Link: {}", s.name), s);
            }
            Err(e) => error.set(Some(format!("that link cannot be opened: {e}"))),
        }
    };

    // The ranking names providers by key; people read the catalog's name.
    let provider_name = move |key: &str| -> String {
        state.catalog.with_value(|c| {
            c.as_ref()
                .ok()
                .and_then(|c| c.providers.iter().find(|p| p.id.key() == key))
                .map_or_else(|| key.to_owned(), |p| p.name.clone())
        })
    };
    // One line per column over the longest horizon's months; `values` picks what is drawn.
    let overlay = move |title: &'static str,
                        subtitle: &'static str,
                        unit: &'static str,
                        values: fn(&Evaluation) -> Option<Vec<f64>>| {
        Signal::derive(move || {
            columns.with(|cols| {
                let months = cols
                    .iter()
                    .filter_map(|c| c.evaluation.as_ref().ok())
                    .max_by_key(|e| e.timeline.months.len())
                    .map(|e| {
                        e.timeline
                            .months
                            .iter()
                            .map(|m| month_label(m.year, m.calendar_month))
                            .collect()
                    })
                    .unwrap_or_default();
                let series: Vec<(String, Vec<f64>)> = cols
                    .iter()
                    .filter_map(|c| Some((c.label.clone(), values(c.evaluation.as_ref().ok()?)?)))
                    .collect();
                overlay_chart(title, subtitle, unit, months, &series)
            })
        })
    };
    let cost_chart = overlay(
        "Monthly cost",
        "USD a month, each plan on its own provider",
        "$ / month",
        |e| {
            e.providers
                .iter()
                .find(|p| p.provider == e.provider)
                .map(|p| p.monthly_usd.clone())
        },
    );
    let users_chart = overlay(
        "Peak concurrent users",
        "each plan's growth, month by month",
        "users",
        |e| Some(e.timeline.months.iter().map(|m| m.users).collect()),
    );

    view! {
        <header class="page-header">
            <h1>"Compare"</h1>
            <p>
                "Up to four plans side by side — this one, saved revisions, share links — computed \
                 in your browser. Deltas are against the first column."
            </p>
        </header>
        <section class="panel compare-pickers">
            <div class="row">
                <label class="field grow">
                    <span>"Saved scenario"</span>
                    <select data-testid="compare-saved" on:change=move |ev| pick.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || saved_list.get().into_iter().map(|s| view! {
                            <option value=s.id.clone()>{format!("{} (revision {})", s.name, s.revision)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Revision"</span>
                    <input
                        type="text"
                        inputmode="numeric"
                        placeholder="latest"
                        data-testid="compare-revision"
                        prop:value=move || pick_revision.get()
                        on:input=move |ev| pick_revision.set(event_target_value(&ev))
                    />
                </label>
                <button type="button" data-testid="compare-add-saved" on:click=add_saved
                    prop:disabled=move || sources.with(|s| s.len() >= MAX_COLUMNS)>
                    "Add"
                </button>
            </div>
            <div class="row">
                <label class="field grow">
                    <span>"Share link"</span>
                    <input
                        type="text"
                        placeholder="Paste a Phaseplan link"
                        data-testid="compare-link"
                        prop:value=move || link.get()
                        on:input=move |ev| link.set(event_target_value(&ev))
                    />
                </label>
                <button type="button" data-testid="compare-add-link" on:click=add_link
                    prop:disabled=move || sources.with(|s| s.len() >= MAX_COLUMNS)>
                    "Add"
                </button>
            </div>
            {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="compare-error">{e}</p> })}
        </section>

        <section class="panel compare-try">
            <h2>"Try a change to this plan"</h2>
            <p class="help">"Every column's deltas follow at once; the other columns stay as they were loaded."</p>
            <div class="fields">
                {try_fields().into_iter().map(|field| view! { <NumberField field /> }).collect_view()}
            </div>
        </section>

        <section class="panel">
            <h2>"Key figures"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Key figures">
                <table class="data compare" data-testid="compare-table">
                    <thead>
                        <tr>
                            <th>""</th>
                            <For each=keyed key=own_key let((i, _, c))>
                                <th>
                                    {c.label.clone()}
                                    {(i > 0).then(|| view! {
                                        " "
                                        <button type="button" class="link" aria-label="Remove this column"
                                            on:click=move |_| sources.update(|s| { if i < s.len() { s.remove(i); } })>
                                            "×"
                                        </button>
                                    })}
                                </th>
                            </For>
                        </tr>
                    </thead>
                    <tbody>
                        <tr>
                            <th>"Cost now"</th>
                            <For each=keyed key=delta_key let((_, base, c))>
                                <td class="num" data-testid="compare-cost-now">
                                    {with_delta(&c, &base, |k| k.cost_now_usd, |_| String::new())}
                                </td>
                            </For>
                        </tr>
                        <tr>
                            <th>"Total over the horizon"</th>
                            <For each=keyed key=delta_key let((_, base, c))>
                                <td class="num" data-testid="compare-total">
                                    {with_delta(&c, &base, |k| k.total_cost_usd, |k| format!(" over {} months", k.horizon_months))}
                                </td>
                            </For>
                        </tr>
                        <tr>
                            <th>"Transitions"</th>
                            <For each=keyed key=own_key let((_, _, c))>
                                <td data-testid="compare-transitions">{match &c.evaluation {
                                    Ok(e) => {
                                        let text: Vec<String> = e.timeline.transitions.iter().filter_map(|t| {
                                            let m = e.timeline.months.get(t.month as usize)?;
                                            let name = &e.phases.get(t.to_index)?.name;
                                            Some(format!("{name} {}", month_label(m.year, m.calendar_month)))
                                        }).collect();
                                        if text.is_empty() { "none within the horizon".to_owned() } else { text.join(", ") }
                                    }
                                    Err(_) => "—".to_owned(),
                                }}</td>
                            </For>
                        </tr>
                        <tr>
                            <th>"Bottleneck now"</th>
                            <For each=keyed key=own_key let((_, _, c))>
                                <td>{c.figures.as_ref().map_or_else(|| "—".to_owned(), |k| k.bottleneck.map_or("the design target".to_owned(), |b| b.label().to_owned()))}</td>
                            </For>
                        </tr>
                        <tr>
                            <th>"Recommended provider"</th>
                            <For each=keyed key=own_key let((_, _, c))>
                                <td data-testid="compare-recommended">{c.figures.as_ref().and_then(|k| k.recommended_provider.clone()).map_or_else(|| "—".to_owned(), |key| provider_name(&key))}</td>
                            </For>
                        </tr>
                        <tr>
                            <th>"Peak users now"</th>
                            <For each=keyed key=own_key let((_, _, c))>
                                <td class="num">{c.evaluation.as_ref().map_or("—".to_owned(), |e| thousands(e.now.users))}</td>
                            </For>
                        </tr>
                    </tbody>
                </table>
            </div>
            {move || columns.with(|cols| cols.iter().filter_map(|c| c.evaluation.as_ref().err().map(|e| format!("{}: {e}", c.label))).collect::<Vec<_>>()).into_iter().map(|text| view! {
                <p class="error" role="alert">{text}</p>
            }).collect_view()}
        </section>

        <div class="grid-2 even">
            <section class="panel">
                <EChart chart=cost_chart label="Monthly cost of each compared plan" test_id="compare-cost-chart" height=320 />
            </section>
            <section class="panel">
                <EChart chart=users_chart label="Peak users of each compared plan" test_id="compare-users-chart" height=320 />
            </section>
        </div>

        <section class="panel">
            <h2>"What differs from the first column"</h2>
            {move || (columns.with(Vec::len) < 2).then(|| view! {
                <p class="muted">"Add a saved scenario or a share link to compare."</p>
            })}
            <For each=others key=delta_key let((_, first, c))>
                {
                    let changes = input_changes(&first.scenario, &c.scenario);
                    let results = match (&first.evaluation, &c.evaluation) {
                        (Ok(a), Ok(b)) => Some(result_deltas(a, b)),
                        _ => None,
                    };
                    view! {
                        <h3>{c.label.clone()}</h3>
                        <p class="muted" data-testid="compare-summary">{match results {
                            Some(r) => format!(
                                "{} input(s) differ; cost now{}, total{}{}",
                                changes.len(),
                                if r.cost_now_delta_usd.abs() < 0.5 { " the same".to_owned() } else { delta_usd(r.cost_now_delta_usd) },
                                if r.total_cost_delta_usd.abs() < 0.5 { " the same".to_owned() } else { delta_usd(r.total_cost_delta_usd) },
                                if r.recommendation_changed { "; another provider is recommended" } else { "" },
                            ),
                            None => format!("{} input(s) differ", changes.len()),
                        }}</p>
                        <ul class="changes" data-testid="compare-changes">
                            {changes.into_iter().take(40).map(|ch| view! {
                                <li><code>{ch.field}</code>{format!(": {} → {}", ch.from, ch.to)}</li>
                            }).collect_view()}
                        </ul>
                    }
                }
            </For>
        </section>

        <section class="panel">
            <h2>"Bills of materials now"</h2>
            <div class="bills" data-testid="compare-bills">
                <For each=keyed key=own_key let((_, _, c))>
                    <div class="bill">
                        <h3>{c.label.clone()}</h3>
                        {match c.evaluation.as_ref().ok().and_then(|e| e.now.bill.clone()) {
                            Some(bill) => view! {
                                <div class="table-scroll" tabindex="0" role="region" aria-label=format!("This month's bill: {}", c.label)>
                                <table class="data">
                                    <tbody>
                                        {bill.lines.into_iter().map(|l| view! {
                                            <tr>
                                                <td>{l.component.label()}</td>
                                                <td>{l.item}</td>
                                                <td class="num">{phaseplan_model::format::quantity(l.quantity)}</td>
                                                <td class="num">{usd(l.monthly_usd)}</td>
                                            </tr>
                                        }).collect_view()}
                                        <tr class="total"><th colspan="3">"Total a month"</th><td class="num">{usd(bill.total_usd)}</td></tr>
                                    </tbody>
                                </table>
                                </div>
                            }.into_any(),
                            None => view! { <p class="muted">"No bill: the plan is invalid or its provider unpriced."</p> }.into_any(),
                        }}
                    </div>
                </For>
            </div>
        </section>
    }
}
