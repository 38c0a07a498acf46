//! Live: the running platform against the plan. The server streams what its sources measure
//! (`/api/v1/live/stream`); this page analyses it here, in WebAssembly, against the plan in the
//! address bar — the same `phaseplan_model::live::analyse` the server runs — so an edited plan
//! (other thresholds, another ladder) is judged on live data at once.

mod calibration;

use leptos::prelude::*;
use phaseplan_model::Status;
use phaseplan_model::api::{LiveUpdate, SourceStatus};
use phaseplan_model::forecast::{Crossing, SECONDS_PER_MONTH};
use phaseplan_model::live::{
    LiveAnalysis, MIN_FORECAST_SPAN_SECONDS, Observations, Series, UtilisationSeries,
    analyse_with_history, planned_phase_now,
};
use phaseplan_model::valid::ValidScenario;

use crate::charts::live::{latest_words, utilisation_over_time};
use crate::format::{ago, metric_value, month_label, thousands, when_label};
use crate::live_feed::{Connection, LiveFeed, use_live_feed};
use crate::state::use_plan;
use crate::widgets::chart::EChart;
use crate::widgets::status_badge::StatusBadge;

/// The windows a stakeholder can look back over, in seconds.
const WINDOWS: [(f64, &str); 4] = [
    (900.0, "15 minutes"),
    (3_600.0, "1 hour"),
    (6.0 * 3_600.0, "6 hours"),
    (24.0 * 3_600.0, "24 hours"),
];

/// A forecast crossing with its band: "12 Mar 2027 (5 Feb 2027 – never)".
fn crossing_words(now: f64, c: &Crossing) -> String {
    let at = when_label(now, c.at);
    if c.at.is_none() {
        return at;
    }
    let early = when_label(now, c.earliest);
    let late = if c.latest.is_none() {
        "maybe never".to_owned()
    } else {
        when_label(now, c.latest)
    };
    if early == at && late == at {
        at
    } else {
        format!("{at} (95 %: {early} – {late})")
    }
}

/// A signed amount with separators: `+7,305.0`, `−0.25`.
fn signed(x: f64) -> String {
    let sign = if x < 0.0 { "−" } else { "+" };
    if x.abs() >= 100.0 {
        format!("{sign}{}", thousands(x.abs()))
    } else {
        format!("{sign}{:.2}", x.abs())
    }
}

/// A relative monthly growth as a percentage; a fit of hours compounds to absurd monthly rates,
/// which are capped in words rather than printed with a hundred digits.
fn growth(rate: f64) -> String {
    if rate > 10.0 {
        "more than +1,000 %".to_owned()
    } else {
        format!("{} %", signed(rate * 100.0)).replace(".00 %", " %")
    }
}

/// What the page computes from the plan and the feed.
#[derive(Debug, Clone, PartialEq)]
struct Judged {
    analysis: LiveAnalysis,
    series: Vec<UtilisationSeries>,
    /// `(key, name)` of every phase of the plan.
    phases: Vec<(String, String)>,
    /// The plan's transition to the next phase as a calendar month, if within the horizon.
    plan_transition: Option<String>,
}

fn judge(
    valid: &ValidScenario,
    picked: Option<&str>,
    update: &LiveUpdate,
    history: &Series,
) -> Judged {
    let phases: Vec<(String, String)> = valid
        .ladder()
        .phases()
        .iter()
        .map(|p| (p.key.clone(), p.name.clone()))
        .collect();
    let position = |key: &str| phases.iter().position(|(k, _)| k == key);
    // The picked phase, else the one the server says the platform is on, else the plan's own.
    let index = picked
        .and_then(position)
        .or_else(|| position(&update.analysis.phase_key))
        .unwrap_or_else(|| planned_phase_now(valid));
    let (analysis, series) = analyse_with_history(valid, index, &update.snapshot.values, history);
    let timeline = phaseplan_model::timeline::phase_timeline(valid);
    let plan_transition = analysis
        .forecast
        .as_ref()
        .and_then(|f| f.plan_transition_month)
        .and_then(|m| timeline.months.get(m as usize))
        .map(|m| month_label(m.year, m.calendar_month));
    Judged {
        analysis,
        series,
        phases,
        plan_transition,
    }
}

#[component]
pub fn Live() -> impl IntoView {
    let state = use_plan();
    let feed = use_live_feed(WINDOWS[1].0);
    let picked_phase = RwSignal::new(None::<String>);
    // A clock for "updated 4 s ago" and staleness, ticking once a second.
    let now = RwSignal::new(js_sys::Date::now() / 1_000.0);
    let tick = set_interval_with_handle(
        move || now.set(js_sys::Date::now() / 1_000.0),
        std::time::Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
    });

    let judged = Memo::new(move |_| {
        let valid = state.valid.with(|v| v.as_ref().ok().cloned())?;
        feed.update.with(|u| {
            let u = u.as_ref()?;
            let picked = picked_phase.get();
            Some(
                feed.history
                    .with(|h| judge(&valid, picked.as_deref(), u, h)),
            )
        })
    });

    view! {
        <header class="page-header">
            <h1>"Live"</h1>
            <p>
                "What the running platform measures, against the thresholds of the phase it is on, "
                "and when its trend reaches the next phase — judged here against the plan in the "
                "address bar, updated as samples arrive."
            </p>
        </header>

        <ConnectionBar feed=feed now=now picked_phase=picked_phase judged=judged />

        <Show when=move || state.valid.with(Result::is_err)>
            <p class="banner error" role="alert">
                "This plan is not valid, so live data cannot be judged against it: "
                {move || state.valid.with(|v| v.as_ref().err().map(ToString::to_string))}
            </p>
        </Show>
        <Show when=move || feed.error.with(Option::is_some)>
            <p class="banner error" role="alert" data-testid="live-error">{move || feed.error.get()}</p>
        </Show>

        <Show
            when=move || judged.with(Option::is_some)
            fallback=move || view! {
                <section class="panel" data-testid="live-waiting">
                    <p class="hint">"Waiting for the first sample from the server…"</p>
                </section>
            }
        >
            <ActionPanel judged=judged feed=feed />
            <Readings judged=judged />
            <Charts judged=judged feed=feed />
            <ForecastPanel judged=judged now=now />
        </Show>
        <calibration::CalibrationPanel />
        <Sources feed=feed now=now />
    }
}

#[component]
fn ConnectionBar(
    feed: LiveFeed,
    now: RwSignal<f64>,
    picked_phase: RwSignal<Option<String>>,
    judged: Memo<Option<Judged>>,
) -> impl IntoView {
    let interval = move || {
        feed.update
            .with(|u| u.as_ref().map(|u| u.snapshot.interval_seconds))
    };
    let state_words = move || match feed.connection.get() {
        Connection::Connecting => ("connecting", "Connecting…".to_owned()),
        Connection::Open => ("open", "Live".to_owned()),
        Connection::Lost { retry_ms: Some(ms) } => (
            "lost",
            format!(
                "Connection lost — retrying in {:.0} s",
                f64::from(ms) / 1_000.0
            ),
        ),
        Connection::Lost { retry_ms: None } => {
            ("lost", "Connection lost — reconnecting…".to_owned())
        }
    };
    let updated = move || {
        let at = feed.update.with(|u| u.as_ref().map(|u| u.snapshot.at))?;
        let every = interval().map_or_else(String::new, |i| format!(" · a sample every {i:.0} s"));
        Some(format!("last sample {} ago{every}", ago(now.get() - at)))
    };
    view! {
        <section class="panel toolbar live-bar" aria-label="Live connection">
            <div class="connection" role="status" data-testid="live-connection"
                data-state=move || state_words().0
                data-at=move || feed.update.with(|u| u.as_ref().map(|u| format!("{:.3}", u.snapshot.at)))>
                <span class="dot" aria-hidden="true"></span>
                <strong>{move || state_words().1}</strong>
                <span class="muted">{updated}</span>
            </div>
            <div class="field">
                <label for="live-phase">"Phase the platform is on"</label>
                <select id="live-phase" data-testid="live-phase"
                    prop:value=move || judged.with(|j| j.as_ref().map(|j| j.analysis.phase_key.clone()).unwrap_or_default())
                    on:change=move |ev| picked_phase.set(Some(event_target_value(&ev)))>
                    {move || judged.with(|j| j.as_ref().map(|j| j.phases.clone()).unwrap_or_default())
                        .into_iter()
                        .map(|(k, n)| view! { <option value=k>{n}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="live-window">"Look back"</label>
                <select id="live-window" data-testid="live-window"
                    prop:value=move || format!("{:.0}", feed.window_seconds.get())
                    on:change=move |ev| {
                        if let Ok(w) = event_target_value(&ev).parse::<f64>() {
                            feed.window_seconds.set(w);
                        }
                    }>
                    {WINDOWS.iter().map(|(s, n)| view! { <option value=format!("{s:.0}")>{*n}</option> }).collect_view()}
                </select>
            </div>
        </section>
    }
}

#[component]
fn ActionPanel(judged: Memo<Option<Judged>>, feed: LiveFeed) -> impl IntoView {
    let analysis = move || judged.with(|j| j.as_ref().map(|j| j.analysis.clone()));
    let status = Signal::derive(move || analysis().map_or(Status::Optimal, |a| a.status));
    // The server judges against its own configured plan; say so when it disagrees.
    let server_differs = move || {
        let ours = analysis()?;
        feed.update.with(|u| {
            let theirs = &u.as_ref()?.analysis;
            (theirs.action != ours.action || theirs.phase_key != ours.phase_key).then(|| {
                format!(
                    "The server's own analysis, against its configured plan ({}), says: {}",
                    theirs.phase_name, theirs.reason
                )
            })
        })
    };
    view! {
        <section class=move || format!("panel action {}", status.get().label()) data-testid="live-action">
            <div class="action-head">
                <h2 data-testid="live-action-words">
                    {move || analysis().map(|a| a.action.label(a.next_phase.as_deref()))}
                </h2>
                <StatusBadge status=status />
            </div>
            <p data-testid="live-reason">{move || analysis().map(|a| a.reason)}</p>
            <p class="muted">
                {move || analysis().map(|a| format!(
                    "Judged against {}'s thresholds{}.",
                    a.phase_name,
                    a.bottleneck.map_or_else(String::new, |b| format!("; closest to its critical line: {}", b.label()))
                ))}
            </p>
            {move || server_differs().map(|t| view! { <p class="muted" data-testid="live-server-differs">{t}</p> })}
        </section>
    }
}

#[component]
fn Readings(judged: Memo<Option<Judged>>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="readings-label">
            <h2 id="readings-label">"Now"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="readings-label">
                <table class="data" data-testid="live-readings">
                    <thead><tr>
                        <th scope="col">"Component"</th>
                        <th scope="col">"Utilisation"</th>
                        <th scope="col">"Warning at"</th>
                        <th scope="col">"Critical at"</th>
                        <th scope="col">"Measured"</th>
                        <th scope="col">"Status"</th>
                    </tr></thead>
                    <tbody>
                        {move || judged.with(|j| {
                            let Some(j) = j.as_ref() else { return Vec::new() };
                            if j.analysis.readings.is_empty() {
                                return vec![view! {
                                    <tr><td colspan="6" class="muted">
                                        "No source reports a metric this phase is measured on."
                                    </td></tr>
                                }.into_any()];
                            }
                            j.analysis.readings.iter().map(|r| {
                                let status = r.status;
                                view! {
                                    <tr data-component=r.component.key()>
                                        <th scope="row">{r.label.clone()}</th>
                                        <td class="num" data-testid="reading-percent">{format!("{:.1} %", r.utilisation_percent)}</td>
                                        <td class="num">{format!("{:.0} %", r.warning_percent)}</td>
                                        <td class="num">{format!("{:.0} %", r.critical_percent)}</td>
                                        <td>{r.basis.clone()}</td>
                                        <td><StatusBadge status=Signal::derive(move || status) /></td>
                                    </tr>
                                }.into_any()
                            }).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Charts(judged: Memo<Option<Judged>>, feed: LiveFeed) -> impl IntoView {
    // One chart per component that has data; keyed by component so a chart survives updates.
    let components = Memo::new(move |_| {
        judged.with(|j| {
            j.as_ref()
                .map(|j| j.series.iter().map(|s| s.component).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    view! {
        <section class="live-charts" aria-label="Utilisation over time">
            <For
                each=move || components.get()
                key=|c| *c
                children=move |component| {
                    let interval = move || feed.update.with(|u| u.as_ref().map_or(5.0, |u| u.snapshot.interval_seconds));
                    // A memo: a chart is handed to ECharts (and redrawn) only when it changes,
                    // not on every update of any source (see `Span`: a long window changes a
                    // bucket at a time).
                    let chart = Memo::new(move |_| {
                        let interval = interval();
                        let window = feed.window_seconds.get();
                        judged.with(|j| {
                            let j = j.as_ref()?;
                            let series = j.series.iter().find(|s| s.component == component)?;
                            let status = j.analysis.readings.iter().find(|r| r.component == component).map_or(Status::Optimal, |r| r.status);
                            Some(utilisation_over_time(series, status, interval, window))
                        })
                        .unwrap_or_default()
                    });
                    let latest = move || {
                        let interval = interval();
                        let window = feed.window_seconds.get();
                        judged.with(|j| {
                            j.as_ref()?
                                .series
                                .iter()
                                .find(|s| s.component == component)
                                .map(|s| latest_words(s, window, interval))
                        })
                    };
                    view! {
                        <div class="panel" data-component=component.key()>
                            <EChart chart=chart label=component.label() test_id="live-chart" height=240 />
                            <p class="chart-latest" data-testid="live-latest">{latest}</p>
                        </div>
                    }
                }
            />
        </section>
    }
}

#[component]
fn ForecastPanel(judged: Memo<Option<Judged>>, now: RwSignal<f64>) -> impl IntoView {
    let forecast = move || {
        judged.with(|j| {
            let j = j.as_ref()?;
            Some((
                j.analysis.clone(),
                j.analysis.forecast.clone()?,
                j.plan_transition.clone(),
            ))
        })
    };
    view! {
        <section class="panel" aria-labelledby="forecast-label" data-testid="live-forecast">
            <h2 id="forecast-label">"When the next phase is needed"</h2>
            {move || {
                let Some((a, f, plan_month)) = forecast() else {
                    return view! {
                        <p class="hint" data-testid="forecast-empty">
                            "The forecast needs at least three samples of a component; it appears as the history grows."
                        </p>
                    }.into_any();
                };
                let t = now.get_untracked();
                let next = a.next_phase.clone().unwrap_or_else(|| "a phase beyond the ladder".to_owned());
                let headline = if f.components.is_empty() {
                    format!(
                        "Not enough history yet: a trend needs {} of samples and the window holds {}.",
                        ago(MIN_FORECAST_SPAN_SECONDS),
                        ago(f.history_seconds),
                    )
                } else {
                    f.first_crossing().map_or_else(
                        || format!("No component of {} rises significantly: on this trend {} is not needed.", a.phase_name, next),
                        |c| if f.indicative {
                            format!("Indicative only, from {} of history: {next} around {}, when {} reaches its critical line ({:.0} %).", ago(f.history_seconds), crossing_words(t, &c.crossing), c.label, c.trend.threshold)
                        } else {
                            format!("{next}: {} — when {} reaches its critical line ({:.0} %).", crossing_words(t, &c.crossing), c.label, c.trend.threshold)
                        },
                    )
                };
                let caveat = (f.indicative && !f.components.is_empty()).then(|| view! {
                    <p class="muted" data-testid="forecast-caveat">
                        "Less than a week of samples holds daily and weekly cycles that a trend fit cannot tell from growth. "
                        "Keep a longer history (the server's history_hours) or read from Prometheus, whose history the server loads at start."
                    </p>
                });
                let plan = match (&plan_month, &a.next_phase) {
                    (Some(m), Some(n)) => format!("The plan moves to {n} in {m}, assuming {:+.1} % users a month.", f.plan_growth_per_month * 100.0),
                    _ => format!("The plan does not leave {} within its horizon (growth {:+.1} % a month).", a.phase_name, f.plan_growth_per_month * 100.0),
                };
                let users = f.users.as_ref().and_then(|u| u.exponential.as_ref()).map_or_else(
                    || "No concurrent-users history to compare with the plan's growth: map `concurrent_users` to a Prometheus query in the server's [live] settings.".to_owned(),
                    |e| format!("Live users trend: {} a month (fitted on {} samples); {} users is {}'s critical line.", growth(e.growth_per_month), e.fit.points, thousands(f.critical_users), a.phase_name),
                );
                let table = (!f.components.is_empty()).then(|| view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Forecast per component">
                        <table class="data" data-testid="forecast-table">
                            <thead><tr>
                                <th scope="col">"Component"</th>
                                <th scope="col">"Critical at"</th>
                                <th scope="col">"Straight line"</th>
                                <th scope="col">"Compound growth"</th>
                                <th scope="col">"Significant"</th>
                            </tr></thead>
                            <tbody>
                                {f.components.iter().map(|c| {
                                    let lin = c.trend.linear.as_ref().map_or_else(
                                        || "—".to_owned(),
                                        |l| format!("{} points a month → {}", signed(l.growth_per_month), crossing_words(t, &l.crossing)),
                                    );
                                    let exp = c.trend.exponential.as_ref().map_or_else(
                                        || "—".to_owned(),
                                        |e| format!("{} a month → {}", growth(e.growth_per_month), crossing_words(t, &e.crossing)),
                                    );
                                    view! {
                                        <tr class:bottleneck=Some(c.component) == f.first>
                                            <th scope="row">{c.label.clone()}</th>
                                            <td class="num">{format!("{:.0} %", c.trend.threshold)}</td>
                                            <td class="note">{lin}</td>
                                            <td class="note">{exp}</td>
                                            <td>{if c.significant { "yes" } else { "no: may be flat" }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                });
                view! {
                    <p class="forecast-headline" data-testid="forecast-headline"><strong>{headline}</strong></p>
                    {caveat}
                    <p data-testid="forecast-plan">{plan}</p>
                    <p class="muted" data-testid="forecast-users">{users}</p>
                    {table}
                }.into_any()
            }}
            <p class="help">
                "Each component's utilisation over the window shown is fitted by least squares as a "
                "straight line and as compound growth (a line through its logarithm); a component "
                "reaches its critical line where the fit does, and the band uses the slope's 95 % "
                "interval (Student t, widened for samples that follow each other). Only a significant rise (the interval excludes a flat line) gives "
                "a date; the headline takes the sooner of the two fits. Hours extrapolated over "
                "months are a hint, not a plan: daily cycles dominate short windows, so look back "
                "as far as the server's history allows before deciding. "
                {format!("A month here is {:.2} days.", SECONDS_PER_MONTH / 86_400.0)}
            </p>
        </section>
    }
}

#[component]
fn Sources(feed: LiveFeed, now: RwSignal<f64>) -> impl IntoView {
    let row = move |s: SourceStatus, values: &Observations| {
        let (class, words) = if s.stale {
            (
                "critical",
                if s.error.is_some() {
                    "failing"
                } else {
                    "stale"
                },
            )
        } else if s.healthy {
            ("optimal", "healthy")
        } else {
            ("warning", "failing")
        };
        // Only this text follows the clock: the row is rebuilt when an update arrives, not
        // every second.
        let at = s.last_success;
        let last = move || {
            at.map_or_else(
                || "never".to_owned(),
                |t| format!("{} ago", ago(now.get() - t)),
            )
        };
        // The latest value of each metric it reports while fresh, else only their names.
        let metrics = s
            .metrics
            .iter()
            .map(|m| match values.get(m) {
                Some(v) if !s.stale => metric_value(*m, *v),
                _ => format!("{} —", m.key().replace('_', " ")),
            })
            .collect::<Vec<_>>()
            .join(" · ");
        view! {
            <tr data-source=s.name.clone() data-stale=s.stale.to_string()>
                <th scope="row">{s.name.clone()}</th>
                <td>{s.kind.clone()}</td>
                <td><span class=format!("badge {class}") data-testid="source-state">{words}</span></td>
                <td>{last}</td>
                <td class="note">{metrics}</td>
                <td class="note" data-testid="source-error">{s.error.clone().unwrap_or_default()}</td>
            </tr>
        }
    };
    view! {
        <section class="panel" aria-labelledby="sources-label">
            <h2 id="sources-label">"Sources"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="sources-label">
                <table class="data" data-testid="live-sources">
                    <thead><tr>
                        <th scope="col">"Source"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Last good sample"</th>
                        <th scope="col">"Reports (latest)"</th>
                        <th scope="col">"Error"</th>
                    </tr></thead>
                    <tbody>
                        {move || feed.update.with(|u| {
                            let Some(u) = u.as_ref() else { return Vec::new() };
                            if u.snapshot.sources.is_empty() {
                                return vec![view! {
                                    <tr><td colspan="6" class="muted" data-testid="no-sources">
                                        "This server has no live sources configured."
                                    </td></tr>
                                }.into_any()];
                            }
                            u.snapshot.sources.iter().map(|s| row(s.clone(), &u.snapshot.values).into_any()).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
            <p class="help">
                "Sources are set in the server's configuration ([live] sources: host, Prometheus, "
                "PostgreSQL, Redis). A source with no good sample for three intervals is stale: its "
                "values are left out of the analysis until it recovers."
            </p>
        </section>
    }
}
