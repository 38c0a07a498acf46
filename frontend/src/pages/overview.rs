//! Overview: pick a preset, set the peak, and see — recomputed in WebAssembly on every input — the
//! headline plan (monthly cost now, 3-year TCO, cost per user, next transition, recommended
//! provider), the cost per provider over time, and the phase check (the phase that fits the peak,
//! its utilisation and the load on every phase).

use leptos::prelude::*;
use phaseplan_model::evaluate::Evaluation;
use phaseplan_model::{PhaseFit, PhaseLadder, Users};

use crate::charts::cost::cost_chart;
use crate::charts::phase_fit::phase_fit_chart;
use crate::state::use_plan;
use crate::widgets::chart::EChart;
use crate::widgets::share::ShareLink;
use crate::widgets::stat_card::StatCard;
use crate::widgets::status_badge::StatusBadge;

const SLIDER_MAX: f64 = 60_000.0;

use crate::format::{month_label, thousands, usd, usd_cents};

#[component]
pub fn Overview() -> impl IntoView {
    let state = use_plan();
    let all_presets = state.presets;
    let ladder = Memo::new(move |_| {
        state
            .scenario
            .with(|s| PhaseLadder::new(s.phases.clone()).ok())
            .unwrap_or_else(PhaseLadder::seed)
    });
    // The scenario's peak drives everything; the raw text of the number field is kept apart so
    // an invalid entry is shown with its reason without blanking the results.
    let users = Memo::new(move |_| state.scenario.with(|s| s.workload.peak_concurrent_users));
    let (error, set_error) = signal(None::<String>);
    let fit: Memo<PhaseFit> = Memo::new(move |_| {
        // The peak is validated before it is stored (see `on_input`); zero is a safe floor.
        let u = Users::new("peak_concurrent_users", users.get()).unwrap_or(Users::ZERO);
        ladder.with(|l| l.fit(u))
    });
    let on_preset = move |key: String| {
        set_error.set(None);
        state.load_preset(&key);
    };
    let evaluation = state.evaluation;
    let on_input = move |raw: String| {
        let parsed = raw.trim().replace(',', "").parse::<f64>();
        match parsed {
            Ok(v) => match Users::new("peak concurrent users", v) {
                Ok(u) => {
                    set_error.set(None);
                    state.edit("workload.peak_concurrent_users", |s| {
                        s.workload.peak_concurrent_users = u.get();
                    });
                }
                Err(e) => set_error.set(Some(e.reason.to_string())),
            },
            Err(_) => set_error.set(Some("must be a number".to_owned())),
        }
    };

    let chart = Signal::derive(move || fit.with(phase_fit_chart));
    let phase_name = Signal::derive(move || fit.with(|f| f.phase.name.clone()));
    let utilisation =
        Signal::derive(move || fit.with(|f| format!("{:.1} %", f.utilisation.percent())));
    let capacity = Signal::derive(move || {
        fit.with(|f| format!("of {} users", thousands(f64::from(f.phase.max_users))))
    });
    let status = Signal::derive(move || fit.with(|f| f.status));
    let next = Signal::derive(move || {
        fit.with(|f| {
            if f.exceeds_ladder {
                "Beyond the top phase: add a rung".to_owned()
            } else {
                let next = f
                    .next_phase
                    .as_deref()
                    .and_then(|key| ladder.with(|l| l.get(key).map(|p| p.name.clone())));
                match (next, f.status) {
                    (Some(n), phaseplan_model::Status::Optimal) => format!("Next: {n}"),
                    (Some(n), _) => format!("Prepare {n}"),
                    (None, _) => "Top of the ladder".to_owned(),
                }
            }
        })
    });

    let plan = move |f: fn(&Evaluation, &[String]) -> String| {
        Signal::derive(move || {
            let names: Vec<String> =
                ladder.with(|l| l.phases().iter().map(|p| p.name.clone()).collect());
            evaluation.with(|e| e.as_ref().map_or_else(|_| "—".to_owned(), |e| f(e, &names)))
        })
    };
    let cost_now = plan(|e, _| {
        e.providers
            .iter()
            .find(|p| p.provider == e.provider)
            .and_then(|p| p.monthly_usd.first())
            .map_or_else(|| "—".to_owned(), |c| usd(*c))
    });
    let provider_name = plan(|e, _| {
        e.providers
            .iter()
            .find(|p| p.provider == e.provider)
            .map_or_else(String::new, |p| format!("a month on {}", p.name))
    });
    let tco = plan(|e, _| {
        e.providers
            .iter()
            .find(|p| p.provider == e.provider)
            .map_or_else(|| "—".to_owned(), |p| usd(p.tco_usd))
    });
    let horizon = plan(|e, _| format!("over {} months", e.timeline.months.len()));
    let per_user = plan(|e, _| {
        e.providers
            .iter()
            .find(|p| p.provider == e.provider)
            .and_then(|p| p.cost_per_user_usd.first().copied().flatten())
            .map_or_else(|| "—".to_owned(), usd_cents)
    });
    let next_transition = plan(|e, names| {
        e.now
            .advice
            .next_transition
            .and_then(|t| {
                let m = e.timeline.months.get(t.month as usize)?;
                Some(format!(
                    "{} in {}",
                    names.get(t.to_index)?,
                    month_label(m.year, m.calendar_month)
                ))
            })
            .unwrap_or_else(|| "None within the horizon".to_owned())
    });
    let prepare_by = plan(|e, _| {
        e.now
            .advice
            .next_transition
            .and_then(|t| e.timeline.months.get(t.prepare_by as usize))
            .map_or_else(String::new, |m| {
                format!(
                    "start preparing by {}",
                    month_label(m.year, m.calendar_month)
                )
            })
    });
    let recommended = plan(|e, _| {
        e.decision
            .result
            .as_ref()
            .and_then(|d| d.ranking.first())
            .and_then(|r| e.providers.iter().find(|p| p.provider.key() == r.key))
            .map_or_else(|| "—".to_owned(), |p| p.name.clone())
    });
    let savings = plan(|e, _| recommendation_note(e));
    // The step first, in the words the Live page uses for the same step (`Action::label`), then
    // why.
    let advice = plan(|e, names| {
        let next = names.get(e.now.phase_index + 1).map(String::as_str);
        format!(
            "{}. {}",
            e.now.advice.action.label(next),
            e.now.advice.reason
        )
    });
    let costs_chart = Signal::derive(move || {
        let names: Vec<String> =
            ladder.with(|l| l.phases().iter().map(|p| p.name.clone()).collect());
        evaluation.with(|e| {
            e.as_ref()
                .map_or_else(|_| charming::Chart::new(), |e| cost_chart(e, &names))
        })
    });

    view! {
        <header class="page-header">
            <h1>"Overview"</h1>
            <p>
                "Pick a platform and set its peak: the plan — cost now and over time on every "
                "provider, the next phase and when to prepare it — is recomputed in your browser "
                "as you go."
            </p>
        </header>

        <section class="panel" aria-labelledby="peak-label">
            <div class="field">
                <label for="preset-picker">"Platform"</label>
                <select
                    id="preset-picker"
                    data-testid="preset-picker"
                    on:change=move |ev| on_preset(event_target_value(&ev))
                    prop:value=move || state.preset_key.get().unwrap_or_default()
                >
                    <Show when=move || state.preset_key.with(Option::is_none)>
                        <option value="">"Custom scenario (from a link)"</option>
                    </Show>
                    {all_presets.with_value(|all| {
                        all.iter()
                            .map(|p| view! { <option value=p.key.clone()>{p.name.clone()}</option> })
                            .collect_view()
                    })}
                </select>
                <span class="help">
                    {move || {
                        let key = state.preset_key.get();
                        all_presets.with_value(|all| {
                            all.iter()
                                .find(|p| Some(&p.key) == key.as_ref())
                                .map(|p| p.description.clone())
                                .unwrap_or_default()
                        })
                    }}
                </span>
            </div>
            <div class="field">
                <label id="peak-label" for="peak-users">"Peak concurrent users"</label>
                <div class="row">
                    <input
                        type="range"
                        min="0"
                        max=SLIDER_MAX
                        step="50"
                        aria-labelledby="peak-label"
                        data-testid="peak-slider"
                        prop:value=move || users.get().min(SLIDER_MAX).to_string()
                        on:input=move |ev| on_input(event_target_value(&ev))
                    />
                    <input
                        id="peak-users"
                        type="number"
                        min="0"
                        step="1"
                        inputmode="numeric"
                        data-testid="peak-input"
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby="peak-help peak-error"
                        prop:value=move || users.get().to_string()
                        on:input=move |ev| on_input(event_target_value(&ev))
                    />
                </div>
                <span id="peak-error" class="error" role="alert" data-testid="peak-error">
                    {move || error.get()}
                </span>
                <span id="peak-help" class="help">
                    "The most users connected at the same moment, at your busiest time."
                </span>
            </div>
        </section>

        <section class="cards" aria-label="Plan">
            <StatCard label="Monthly cost now" value=cost_now sub=provider_name test_id="cost-now" />
            <StatCard label="Total cost" value=tco sub=horizon test_id="tco" />
            <StatCard label="Cost per peak user" value=per_user sub=Signal::derive(|| "a month".to_owned()) test_id="cost-per-user" />
            <StatCard label="Next transition" value=next_transition sub=prepare_by test_id="next-transition" />
            <StatCard label="Recommended provider" value=recommended sub=savings test_id="recommended" />
        </section>
        <p class="advice" data-testid="advice">{advice}</p>
        <ShareLink />

        <section class="panel">
            <EChart chart=costs_chart label="Monthly cost per provider over the planning horizon" test_id="cost-chart" height=360 />
            <Show when=move || evaluation.with(Result::is_err)>
                <p class="error" role="alert">
                    "The plan cannot be computed: "
                    {move || evaluation.with(|e| e.as_ref().err().cloned())}
                </p>
            </Show>
        </section>

        <section class="cards" aria-label="Phase check">
            <StatCard label="Phase that fits" value=phase_name sub=capacity test_id="phase-name" />
            <StatCard label="Utilisation" value=utilisation test_id="utilisation" />
            <div class="card">
                <div class="label">"Status"</div>
                <div class="value"><StatusBadge status=status /></div>
                <div class="sub" data-testid="next-step">{next}</div>
            </div>
        </section>

        <div class="grid-2">
            <section class="panel">
                <EChart chart=chart label="Peak load as a percentage of each phase's capacity" test_id="phase-chart" />
            </section>
            <section class="panel">
                <h2>{move || format!("{} phase limits", phase_name.get())}</h2>
                <table class="spec">
                    <tbody>
                        {move || {
                            fit.with(|f| {
                                let p = &f.phase;
                                vec![
                                    ("Users", thousands(f64::from(p.max_users))),
                                    ("App instances", format!("{}–{} × {} vCPU", p.app.min_instances, p.app.max_instances, p.app.vcpu)),
                                    ("DB connections", thousands(f64::from(p.database.pool_size))),
                                    ("Redis memory", format!("{} MiB", thousands(p.cache.usable_mib()))),
                                    ("WebSockets", thousands(f64::from(p.websocket_connections))),
                                    ("nginx workers", p.load_balancer.nginx_worker_processes.to_string()),
                                    ("nginx connections", thousands(f64::from(p.load_balancer.nginx_worker_connections))),
                                    ("CPU alert", format!("{} / {} %", p.thresholds.cpu.warning(), p.thresholds.cpu.critical())),
                                ]
                                .into_iter()
                                .map(|(k, v)| view! { <tr><th scope="row">{k}</th><td>{v}</td></tr> })
                                .collect_view()
                            })
                        }}
                    </tbody>
                </table>
            </section>
        </div>
    }
}

/// What the recommendation rests on, and what moving would cost, on one named basis: the
/// top-ranked provider's score and the criteria it leads on (the weighted ones where no other
/// provider scores higher), then the mean monthly cost after the move against staying — the
/// migration calculator's own basis, so the card and the Costs page never disagree.
pub fn recommendation_note(e: &Evaluation) -> String {
    let Some(result) = &e.decision.result else {
        return "no provider could be priced".to_owned();
    };
    let Some(top) = result.ranking.first() else {
        return "no provider could be priced".to_owned();
    };
    let weights = &e.decision.matrix.weights;
    let mut leads: Vec<(f64, &'static str)> = top
        .normalised
        .iter()
        .filter(|(c, v)| {
            weights[*c] > 0.0
                && result
                    .ranking
                    .iter()
                    .all(|r| r.normalised[*c] <= **v + 1e-9)
        })
        .map(|(c, _)| (weights[c], c.label()))
        .collect();
    leads.sort_by(|a, b| b.0.total_cmp(&a.0));
    let leads: Vec<&str> = leads.iter().take(3).map(|(_, l)| *l).collect();
    let basis = if leads.is_empty() {
        format!("score {:.2} of 1", top.score)
    } else {
        format!("score {:.2} of 1, best on {}", top.score, leads.join(", "))
    };
    let cost = match &e.migration {
        Some(m) if m.result.monthly_savings > 0.0 => format!(
            "moving saves {} a month (mean after the move), payback {:.1} months",
            usd(m.result.monthly_savings),
            m.result.payback_months.unwrap_or(0.0)
        ),
        Some(m) => format!(
            "moving costs {} a month more (mean after the move): stay",
            usd(-m.result.monthly_savings)
        ),
        None => "the scenario's own provider".to_owned(),
    };
    format!("{basis}; {cost}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::cost::catalog::Catalog;
    use phaseplan_model::evaluate::evaluate_plan;
    use phaseplan_model::presets::presets;

    #[test]
    fn the_recommendation_says_what_it_rests_on_and_names_its_cost_basis() {
        let catalog = Catalog::built_in().unwrap();
        for p in presets() {
            let e = evaluate_plan(&p.scenario.validate().unwrap(), &catalog);
            let note = recommendation_note(&e);
            assert!(
                note.starts_with("score 0.") || note.starts_with("score 1."),
                "{note}"
            );
            assert!(!note.contains("than now"), "{note}");
            match &e.migration {
                Some(m) if m.result.monthly_savings > 0.0 => {
                    assert!(note.contains("(mean after the move), payback"), "{note}");
                }
                Some(_) => assert!(note.ends_with("(mean after the move): stay"), "{note}"),
                None => assert!(note.ends_with("the scenario's own provider"), "{note}"),
            }
        }
    }
}
