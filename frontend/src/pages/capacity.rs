//! Capacity: what each phase's components hold under the workload and which runs out first, how
//! full each component is now, the app tier's scalability fitted to load-test measurements, its
//! predicted response time against users and the latency objective, the phase timeline with its
//! uncertainty, and the cost fan.

use leptos::prelude::*;
use phaseplan_model::capacity::components::ComponentKind;
use phaseplan_model::capacity::response::ResponseTime;
use phaseplan_model::evaluate::Evaluation;
use phaseplan_model::scenario::LatencyPercentile;

use crate::charts::capacity::{component_capacity_chart, fan_chart, utilisation_chart};
use crate::charts::response::response_chart;
use crate::charts::usl::usl_chart;
use crate::format::{month_label, thousands};
use crate::pages::scenario::measurements::{fit_summary, measured_fit, sig3};
use crate::state::use_plan;
use crate::widgets::chart::EChart;

/// A month index as a date on the scenario's calendar.
fn date(e: &Evaluation, month: f64) -> String {
    let m = month.round().max(0.0) as usize;
    e.timeline.months.get(m).map_or_else(
        || format!("month {m}"),
        |m| month_label(m.year, m.calendar_month),
    )
}

#[component]
pub fn Capacity() -> impl IntoView {
    let state = use_plan();
    let evaluation = state.evaluation;
    // The plan with its Monte Carlo (computed only here, see `PlanState::uncertainty`).
    let uncertainty = state.uncertainty;
    let last_good = Memo::new(move |prev: Option<&Option<Evaluation>>| {
        let full = evaluation
            .with(|e| e.as_ref().ok().cloned())
            .and_then(|mut e| {
                uncertainty.with(|u| u.as_ref().ok().cloned()).map(|u| {
                    e.uncertainty = u;
                    e
                })
            });
        full.or_else(|| prev.cloned().flatten())
    });
    let chart_of = move |f: fn(&Evaluation) -> charming::Chart| {
        Signal::derive(move || last_good.with(|e| e.as_ref().map_or_else(charming::Chart::new, f)))
    };
    let capacity = chart_of(component_capacity_chart);
    let utilisation = chart_of(utilisation_chart);
    let users_fan = chart_of(|e| {
        let lines: Vec<(String, f64)> = e
            .phases
            .iter()
            .map(|p| (format!("{} critical", p.name), p.capacity.critical_users))
            .filter(|(_, v)| {
                // Only the lines within reach of the fan, so the scale stays readable.
                let top = e
                    .uncertainty
                    .users
                    .iter()
                    .map(|p| p.p90)
                    .fold(0.0, f64::max);
                *v <= top * 1.2
            })
            .collect();
        fan_chart(
            e,
            "Peak users",
            "concurrent users",
            &e.uncertainty.users,
            &lines,
        )
    });
    let cost_fan = chart_of(|e| {
        let name = e
            .providers
            .iter()
            .find(|p| p.provider == e.provider)
            .map_or_else(String::new, |p| p.name.clone());
        fan_chart(
            e,
            "Monthly cost",
            &format!("USD a month on {name}"),
            &e.uncertainty.cost_usd,
            &[],
        )
    });

    view! {
        <header class="page-header">
            <h1>"Capacity"</h1>
            <p>
                "How much each phase holds under your workload, what runs out first, and when each "
                "phase is needed — with the spread of outcomes, not just one line."
            </p>
        </header>

        <div class="grid-2">
            <section class="panel">
                <EChart chart=capacity label="Capacity of every component of every phase, in users" test_id="capacity-chart" height=380 />
            </section>
            <section class="panel">
                <EChart chart=utilisation label="Utilisation of each component now" test_id="utilisation-chart" height=380 />
            </section>
        </div>

        <section class="panel" aria-labelledby="phases-label">
            <h2 id="phases-label">"Phases"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="phases-label">
                <table class="data" data-testid="phase-table">
                    <thead><tr>
                        <th scope="col">"Phase"</th>
                        <th scope="col">"Design"</th>
                        <th scope="col">"Holds"</th>
                        <th scope="col">"Bottleneck"</th>
                        <th scope="col">"Leave by"</th>
                        <th scope="col">"Needed (plan)"</th>
                        <th scope="col">"Needed P10 – P90"</th>
                        <th scope="col">"Paths reaching it"</th>
                    </tr></thead>
                    <tbody>
                        {move || last_good.with(|e| {
                            let Some(e) = e.as_ref() else { return Vec::new() };
                            e.phases.iter().enumerate().map(|(i, p)| {
                                let c = &p.capacity;
                                let planned = e.timeline.transitions.iter().find(|t| t.to_index == i && t.to_index > t.from_index);
                                let spread = e.uncertainty.transitions.iter().find(|t| t.phase_index == i);
                                let bottleneck = c.bottleneck.map_or_else(|| "— (design target)".to_owned(), |k| k.label().to_owned());
                                view! {
                                    <tr data-phase=p.key.clone()>
                                        <th scope="row">{p.name.clone()}</th>
                                        <td class="num">{thousands(c.design_users)}</td>
                                        <td class="num">{thousands(c.capacity_users)}</td>
                                        <td class:bottleneck=c.bottleneck.is_some()>{bottleneck}</td>
                                        <td class="num">{thousands(c.critical_users)}</td>
                                        <td>{if i == 0 { "now".to_owned() } else { planned.map_or_else(|| "not within the horizon".to_owned(), |t| format!("{} (prepare by {})", date(e, f64::from(t.month)), date(e, f64::from(t.prepare_by)))) }}</td>
                                        <td>{spread.and_then(|s| s.month).map_or_else(|| "—".to_owned(), |m| format!("{} – {}", date(e, m.p10), date(e, m.p90)))}</td>
                                        <td class="num">{spread.map_or_else(|| "—".to_owned(), |s| format!("{:.0} %", s.reached_share * 100.0))}</td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
            <p class="help">
                "Holds: the smaller of the design target and what the components carry under the "
                "workload (USL for the app tier, Little's law for database connections, memory, "
                "WebSockets, nginx). Leave by: the users at which the first threshold turns critical."
            </p>
        </section>

        <ScalabilityPanel />
        <ResponsePanel />

        <div class="grid-2 even">
            <section class="panel">
                <EChart chart=users_fan label="Peak users over time: median and 10th–90th percentile band" test_id="users-fan" height=360 />
            </section>
            <section class="panel">
                <EChart chart=cost_fan label="Monthly cost over time: median and 10th–90th percentile band" test_id="cost-fan" height=360 />
            </section>
        </div>
    }
}

/// The app tier's USL fitted to the scenario's measurements: the curve with its band and what it
/// means for each phase (instances its users need; where more instances stop helping).
#[component]
fn ScalabilityPanel() -> impl IntoView {
    let state = use_plan();
    let (measured, fit) = measured_fit(state);
    let chart = Signal::derive(move || {
        fit.with(|f| match f {
            Some(Ok(f)) => {
                let points: Vec<(f64, f64)> =
                    measured.with(|m| m.iter().map(|m| (m.instances, m.throughput_rps)).collect());
                usl_chart(f, &points)
            }
            _ => charming::Chart::new(),
        })
    });
    let rows = move || {
        let peak = fit.with(|f| {
            f.as_ref()
                .and_then(|f| f.as_ref().ok())
                .and_then(|f| f.peak())
                .map(|p| p.0)
        });
        let phases = state.scenario.with(|s| {
            s.phases
                .iter()
                .map(|p| (p.name.clone(), p.app.max_instances))
                .collect::<Vec<_>>()
        });
        let needs = state.evaluation.with(|e| {
            e.as_ref().ok().map(|e| {
                e.phases
                    .iter()
                    .map(|p| {
                        let app = p
                            .capacity
                            .components
                            .iter()
                            .find(|c| c.component == ComponentKind::App)
                            .map(|c| c.capacity_users);
                        (p.capacity.app_instances, app)
                    })
                    .collect::<Vec<_>>()
            })
        });
        phases.into_iter().enumerate().map(|(i, (name, max))| {
            let (need, holds) = needs.as_ref().and_then(|n| n.get(i).copied()).map_or((None, None), |(n, h)| (Some(n), h));
            let past = peak.is_some_and(|n| f64::from(max) > n);
            let note = match peak {
                Some(n) if past => format!("{max} allowed, but past {} instances each one more lowers throughput", sig3(n)),
                Some(n) => format!("within the peak of {} instances", sig3(n)),
                None => "no peak (κ = 0): each instance adds less, none takes away".to_owned(),
            };
            view! {
                <tr data-phase=i>
                    <th scope="row">{name}</th>
                    <td class="num" data-testid="usl-instances">{need.map_or_else(|| "—".to_owned(), |n| n.to_string())}</td>
                    <td class="num">{max}</td>
                    <td class="num" data-testid="usl-app-holds">{holds.map_or_else(|| "—".to_owned(), thousands)}</td>
                    <td class:bottleneck=past>{note}</td>
                </tr>
            }
        }).collect_view()
    };
    view! {
        <section class="panel" aria-labelledby="usl-title" data-testid="usl-fit">
            <h2 id="usl-title">"App tier scalability"</h2>
            {move || match fit.get() {
                None => view! {
                    <p class="muted" data-testid="usl-none">
                        "No load-test measurements: the stated contention σ and coherency κ apply. "
                        <a href="/scenario">"Add or import measurements"</a>
                        " (on the Scenario page) to fit them."
                    </p>
                }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{format!("The measurements cannot be fitted: {e}.")}</p> }.into_any(),
                Some(Ok(f)) => view! {
                    <div class="grid-2">
                        <EChart chart=chart label="Measured throughput against instances, the fitted scalability law and its 95 % band" test_id="usl-chart" height=360 />
                        <div>{fit_summary(&f)}</div>
                    </div>
                }.into_any(),
            }}
            <div class="table-scroll" tabindex="0" role="region" aria-label="Instances per phase">
                <table class="data" data-testid="usl-phases">
                    <thead><tr>
                        <th scope="col">"Phase"</th>
                        <th scope="col">"Instances its peak needs"</th>
                        <th scope="col">"Most allowed"</th>
                        <th scope="col">"App tier holds (users)"</th>
                        <th scope="col">"Scaling out"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="help">
                "Instances its peak needs: what the autoscaler runs for the phase's critical users "
                "with CPU at the warning threshold, under the fitted (or stated) σ and κ. App tier "
                "holds: the users its best instance count up to the most allowed carries. The fit is "
                "nonlinear least squares on the measured throughput; the band is the 95 % confidence "
                "band of the curve."
            </p>
        </section>
    }
}

/// Milliseconds for people: three figures (`61.2`, `148`, `1,240`).
fn ms(v: f64) -> String {
    if v >= 1_000.0 { thousands(v) } else { sig3(v) }
}

/// Predicted response time against users per phase, and the latency objective as a limit.
#[component]
fn ResponsePanel() -> impl IntoView {
    let state = use_plan();
    let chart = Signal::derive(move || {
        state.valid.with(|v| {
            v.as_ref().map_or_else(
                |_| charming::Chart::new(),
                |s| response_chart(s, LatencyPercentile::P95),
            )
        })
    });
    let objective = move || state.scenario.with(|s| s.workload.latency_objective);
    let rows = move || {
        state.evaluation.with(|e| {
            let Ok(e) = e.as_ref() else { return Vec::new() };
            e.phases.iter().enumerate().map(|(i, p)| {
                let c = &p.capacity;
                let limit = c.components.iter().find(|k| k.component == ComponentKind::ResponseTime);
                let binds = c.bottleneck == Some(ComponentKind::ResponseTime);
                let (p50, p95, p99) = match c.response {
                    Some(ResponseTime::Predicted { p50_ms, p95_ms, p99_ms, .. }) => (ms(p50_ms), ms(p95_ms), ms(p99_ms)),
                    Some(ResponseTime::Saturated { .. }) => ("saturated".to_owned(), "saturated".to_owned(), "saturated".to_owned()),
                    None => ("—".to_owned(), "—".to_owned(), "—".to_owned()),
                };
                let held = match limit {
                    Some(l) if binds => format!("{} — the bottleneck", thousands(l.capacity_users)),
                    Some(l) => thousands(l.capacity_users),
                    None => "no objective".to_owned(),
                };
                view! {
                    <tr data-phase=i>
                        <th scope="row">{p.name.clone()}</th>
                        <td class="num">{thousands(c.users)}</td>
                        <td class="num">{c.app_instances}</td>
                        <td class="num">{p50}</td>
                        <td class="num" data-testid="response-p95">{p95}</td>
                        <td class="num">{p99}</td>
                        <td class="num" class:bottleneck=binds data-testid="response-objective-users">{held}</td>
                    </tr>
                }
            }).collect::<Vec<_>>()
        })
    };
    view! {
        <section class="panel" aria-labelledby="response-title" data-testid="response-time">
            <h2 id="response-title">"Response time"</h2>
            <p class="muted" data-testid="response-objective">
                {move || match objective() {
                    Some(o) => format!("Objective: {} ≤ {} ms. A phase holds only the users at which its predicted {} stays within it.", o.percentile.key(), ms(o.ms), o.percentile.key()),
                    None => "No objective set (the Scenario page's Response time objective): the p95 is shown, and limits nothing.".to_owned(),
                }}
            </p>
            <EChart chart=chart label="Predicted response time of each phase's app tier against concurrent users, with the objective" test_id="response-chart" height=340 />
            <div class="table-scroll" tabindex="0" role="region" aria-label="Predicted response time per phase">
                <table class="data" data-testid="response-phases">
                    <thead><tr>
                        <th scope="col">"Phase"</th>
                        <th scope="col">"At users (leave by)"</th>
                        <th scope="col">"Instances"</th>
                        <th scope="col">"p50 (ms)"</th>
                        <th scope="col">"p95 (ms)"</th>
                        <th scope="col">"p99 (ms)"</th>
                        <th scope="col">"Users within the objective"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="help">
                "The app tier as one queue of instances × vCPUs: each request holds a vCPU for the "
                "service time lengthened by the scalability law's crosstalk (1 + σ(n − 1) + κn(n − 1)), "
                "arrivals by Little's law from users × requests per user, waits by Erlang C. Service "
                "times are taken as exponential, so p95 is three service times even when idle. Time in "
                "the database, the cache and the network is not included."
            </p>
        </section>
    }
}
