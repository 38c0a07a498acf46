//! "Calibrate the plan": the workload inputs the live telemetry supports over a window
//! (`GET /api/v1/live/calibration`), beside the plan's own, and what taking them changes — phase
//! limits, when each phase is needed, cost — computed here against the plan being edited (the
//! model's `calibration::impact`), applied as one undoable edit.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::calibration::{CalibrationReport, Impact, Input, Window, impact};

use crate::api::live_calibration;
use crate::format::{month_label, thousands};
use crate::pages::scenario::measurements::sig3;
use crate::state::use_plan;

/// The undo history's name for the edit, so two applications stay two steps.
const EDIT: &str = "workload (calibrated from live telemetry)";

/// An estimate for people, in the input's own unit.
fn value(input: Input, v: f64) -> String {
    match input {
        Input::WebsocketShare => format!("{:.1} %", v * 100.0),
        _ => sig3(v),
    }
}

#[component]
pub fn CalibrationPanel() -> impl IntoView {
    let state = use_plan();
    let window = RwSignal::new(Window::Hour1);
    let busy = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<CalibrationReport, String>>);
    let applied = RwSignal::new(false);
    let fetch = move |_| {
        busy.set(true);
        applied.set(false);
        let w = window.get_untracked();
        spawn_local(async move {
            let got = live_calibration(w).await.map_err(|e| e.message());
            busy.set(false);
            answer.set(Some(got));
        });
    };
    // What the estimates change in the plan as it is edited now.
    let changes = Memo::new(move |_| {
        let report = answer.with(|a| a.as_ref().and_then(|r| r.as_ref().ok().cloned()))?;
        let after = state
            .scenario
            .with(|s| report.calibration.apply(s))
            .validate()
            .ok()?;
        // The plan's own evaluation, which every page shares, is the "before".
        state.evaluation.with(|before| {
            let before = before.as_ref().ok()?;
            state
                .catalog
                .with_value(|c| c.as_ref().ok().map(|c| impact(before, &after, c)))
        })
    });
    let apply = move |_| {
        let Some(Ok(report)) = answer.get_untracked() else {
            return;
        };
        state.edit(EDIT, move |s| *s = report.calibration.apply(s));
        applied.set(true);
    };
    let start = move || {
        state
            .scenario
            .with(|s| (s.growth.start_year, s.growth.start_month))
    };
    let month = move |m: Option<u32>| {
        let (year, first) = start();
        m.map_or_else(
            || "not within the horizon".to_owned(),
            |m| {
                if m == 0 {
                    return "now".to_owned();
                }
                let index = first - 1 + m;
                month_label(year + (index / 12) as i32, index % 12 + 1)
            },
        )
    };
    // "In the plan" is the plan being edited here (the server's `before` is its live plan's).
    let inputs = move |r: &CalibrationReport| {
        r.calibration
            .estimates
            .iter()
            .map(|e| {
                let input = e.input;
                let interval = e.interval.map_or_else(
                    || "—".to_owned(),
                    |[lo, hi]| format!("{} – {}", value(e.input, lo), value(e.input, hi)),
                );
                view! {
                    <tr data-input=e.field.clone()>
                        <th scope="row">{e.input.label()}</th>
                        <td class="num">{move || value(input, state.scenario.with(|s| input.get(&s.workload)))}</td>
                        <td class="num" data-testid="calibration-value">{value(e.input, e.value)}</td>
                        <td class="num">{interval}</td>
                        <td class="num">{e.samples}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let missing = move |r: &CalibrationReport| {
        r.calibration
            .missing
            .iter()
            .map(|m| view! { <li><strong>{m.input.label()}</strong>": "{m.reason.clone()}</li> })
            .collect_view()
    };
    let usl = move |r: &CalibrationReport| {
        let c = &r.calibration;
        match (&c.usl, &c.usl_refused) {
            (Some(f), _) => format!(
                "{} (requests in flight, throughput) points by Little's law; the scalability law over \
                 requests in flight fits σ {}, κ {} (R² {:.3}). Load-test measurements of \
                 instances, on the Scenario page, are what sets the app tier's σ and κ.",
                c.points.len(),
                sig3(f.sigma),
                sig3(f.kappa),
                f.r_squared
            ),
            (None, Some(why)) => format!(
                "{} (requests in flight, throughput) points by Little's law; no scalability fit: {why}",
                c.points.len()
            ),
            (None, None) => {
                "Too few paired samples of throughput and request time for Little's law points."
                    .to_owned()
            }
        }
    };
    let impact_rows = move |i: &Impact| {
        let limits = i.limits.iter().map(|l| view! {
            <tr>
                <th scope="row">{format!("{}: leave by (users)", l.phase)}</th>
                <td class="num">{thousands(l.before_users)}</td>
                <td class="num" data-testid="calibration-limit-after">{thousands(l.after_users)}</td>
            </tr>
        }).collect_view();
        let months = i
            .transitions
            .iter()
            .map(|t| {
                view! {
                    <tr>
                        <th scope="row">{format!("{} needed", t.phase)}</th>
                        <td>{month(t.before_month)}</td>
                        <td>{month(t.after_month)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            {limits}
            {months}
            <tr>
                <th scope="row">"Cost this month"</th>
                <td class="num">{format!("${}", thousands(i.monthly_usd[0]))}</td>
                <td class="num">{format!("${}", thousands(i.monthly_usd[1]))}</td>
            </tr>
            <tr>
                <th scope="row">"Cost over the horizon"</th>
                <td class="num">{format!("${}", thousands(i.tco_usd[0]))}</td>
                <td class="num">{format!("${}", thousands(i.tco_usd[1]))}</td>
            </tr>
        }
    };
    view! {
        <section class="panel" aria-labelledby="calibrate-label" data-testid="live-calibration">
            <h2 id="calibrate-label">"Calibrate the plan"</h2>
            <p class="help">
                "The workload inputs the live telemetry supports, each a mean of per-sample ratios "
                "with its 95 % interval (autocorrelation counted), beside the plan's; what the plan "
                "would say with them; and one step to take them (undo reverts it)."
            </p>
            <div class="toolbar calibration-bar">
                <label for="calibration-window">"Over the last"</label>
                <select id="calibration-window" data-testid="calibration-window"
                        on:change=move |ev| {
                            if let Some(w) = Window::parse(&event_target_value(&ev)) {
                                window.set(w);
                            }
                        }>
                        {Window::ALL.into_iter().map(|w| view! {
                            <option value=w.key() selected=w == Window::Hour1>{w.key()}</option>
                        }).collect_view()}
                    </select>
                <button type="button" class="primary" data-testid="calibrate" on:click=fetch disabled=move || busy.get()>
                    {move || if busy.get() { "Reading…" } else { "Estimate from live data" }}
                </button>
            </div>
            {move || match answer.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert" data-testid="calibration-error">{e}</p> }.into_any(),
                Some(Ok(r)) => {
                    let not_estimated = (!r.calibration.missing.is_empty()).then(|| view! {
                        <p>"Not estimated:"</p>
                        <ul data-testid="calibration-missing">{missing(&r)}</ul>
                    });
                    view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Workload inputs, plan and measured">
                        <table class="data" data-testid="calibration-inputs">
                            <thead><tr>
                                <th scope="col">"Input"</th>
                                <th scope="col">"In the plan"</th>
                                <th scope="col">"Measured"</th>
                                <th scope="col">"95 % interval"</th>
                                <th scope="col">"Samples"</th>
                            </tr></thead>
                            <tbody>{inputs(&r)}</tbody>
                        </table>
                    </div>
                    {not_estimated}
                    <p class="help" data-testid="calibration-usl">{usl(&r)}</p>
                    {move || changes.get().map(|i| view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label="What the measured inputs change">
                            <table class="data" data-testid="calibration-impact">
                                <thead><tr>
                                    <th scope="col">"What changes"</th>
                                    <th scope="col">"Now"</th>
                                    <th scope="col">"With the measured inputs"</th>
                                </tr></thead>
                                <tbody>{impact_rows(&i)}</tbody>
                            </table>
                        </div>
                    })}
                    <div class="toolbar">
                        <button type="button" class="primary" data-testid="calibration-apply" on:click=apply
                            disabled=move || applied.get() || changes.with(Option::is_none)>
                            "Apply to the plan"
                        </button>
                        <Show when=move || applied.get()>
                            <span class="muted" data-testid="calibration-applied">"Applied: the plan now uses the measured inputs. Undo reverts it."</span>
                        </Show>
                    </div>
                }.into_any()
                }
            }}
        </section>
    }
}
