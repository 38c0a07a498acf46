//! Decision: which provider, by a weighted matrix the user controls. Weights and the two
//! judgement ratings (availability, lock-in) are part of the scenario, so they travel in the share
//! link; the matrix, ranking, radar and sensitivity come from the model's evaluation.

use leptos::prelude::*;
use phaseplan_model::cost::catalog::ProviderId;
use phaseplan_model::decision::Criterion;
use phaseplan_model::evaluate::Evaluation;

use crate::charts::decision::radar_chart;
use crate::format::{thousands, usd};
use crate::state::use_plan;
use crate::widgets::chart::EChart;

/// A criterion's raw value, for people, in the criterion's unit.
fn raw(c: Criterion, v: f64) -> String {
    match c {
        Criterion::MonthlyCost | Criterion::Tco => usd(v),
        Criterion::Headroom => format!("{} %", thousands(v * 100.0)),
        Criterion::Operations => format!("{v:.0} h/mo"),
        Criterion::Managed => format!("{:.0} %", v * 100.0),
        Criterion::Availability | Criterion::LockIn => format!("{v:.1} / 5"),
    }
}

fn provider_name(e: &Evaluation, key: &str) -> String {
    e.providers
        .iter()
        .find(|p| p.provider.key() == key)
        .map_or_else(|| key.to_owned(), |p| p.name.clone())
}

#[component]
pub fn Decision() -> impl IntoView {
    let state = use_plan();
    let evaluation = state.evaluation;
    // The last good evaluation stays on screen while an edit is invalid.
    let last_good = Memo::new(move |prev: Option<&Option<Evaluation>>| {
        evaluation.with(|e| match e {
            Ok(e) => Some(e.clone()),
            Err(_) => prev.cloned().flatten(),
        })
    });
    let problem = Memo::new(move |_| evaluation.with(|e| e.as_ref().err().cloned()));
    let weights = Memo::new(move |_| state.scenario.with(|s| s.decision.weights));
    let set_weight = move |c: Criterion, raw: String| {
        let value = raw.trim().parse::<f64>().unwrap_or(f64::NAN);
        state.edit(&format!("decision.weights.{}", c.key()), |s| {
            s.decision.weights[c] = value;
        });
    };
    let set_rating = move |provider: ProviderId, c: Criterion, raw: String| {
        let value = raw.trim().parse::<f64>().unwrap_or(f64::NAN);
        state.edit(
            &format!("decision.ratings.{}.{}", provider.key(), c.key()),
            |s| {
                if let Some(rating) = s.decision.rating_mut(provider).get_mut(c) {
                    *rating = value;
                }
            },
        );
    };
    let radar = Signal::derive(move || {
        last_good.with(|e| {
            e.as_ref().map_or_else(charming::Chart::new, |e| {
                radar_chart(&e.decision, &|k| provider_name(e, k))
            })
        })
    });
    let winner = Signal::derive(move || {
        last_good.with(|e| {
            e.as_ref()
                .and_then(|e| {
                    let r = e.decision.result.as_ref()?.ranking.first()?;
                    Some(provider_name(e, &r.key))
                })
                .unwrap_or_else(|| "—".to_owned())
        })
    });

    view! {
        <header class="page-header">
            <h1>"Decision"</h1>
            <p>
                "Which provider fits best, by what matters to you. Weigh the criteria; the ranking, "
                "the radar and how firm the choice is are recomputed as you type."
            </p>
        </header>

        <Show when=move || problem.with(Option::is_some)>
            <p class="banner error" role="alert" data-testid="decision-error">
                {move || problem.get()}
            </p>
        </Show>

        <div class="grid-2">
            <section class="panel" aria-labelledby="weights-label">
                <h2 id="weights-label">"Weights"</h2>
                <p class="help">"0 ignores a criterion; only the ratios between weights matter."</p>
                <div class="weights">
                    {Criterion::ALL.into_iter().map(|c| {
                        let id = format!("weight-{}", c.key());
                        view! {
                            <div class="field">
                                <label for=id.clone()>{c.label()}</label>
                                <input
                                    id=id.clone()
                                    type="number"
                                    min="0"
                                    max="100"
                                    step="0.5"
                                    data-testid=id
                                    prop:value=move || weights.with(|w| w[c].to_string())
                                    on:input=move |ev| set_weight(c, event_target_value(&ev))
                                />
                            </div>
                        }
                    }).collect_view()}
                </div>
            </section>
            <section class="panel">
                <div class="card winner">
                    <div class="label">"Best fit"</div>
                    <div class="value" data-testid="winner">{winner}</div>
                </div>
                <EChart chart=radar label="Each provider's normalised score on every criterion" test_id="radar-chart" height=380 />
            </section>
        </div>

        <section class="panel" aria-labelledby="ranking-label">
            <h2 id="ranking-label">"Ranking"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="ranking-label">
                <table class="data" data-testid="ranking">
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"Provider"</th>
                            <th scope="col">"Score"</th>
                            {Criterion::ALL.into_iter().map(|c| view! { <th scope="col">{c.label()}</th> }).collect_view()}
                            <th scope="col">"Availability (1–5)"</th>
                            <th scope="col">"Lock-in (1–5)"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || last_good.with(|e| {
                            let Some(e) = e.as_ref() else { return Vec::new() };
                            let d = &e.decision;
                            let Some(result) = d.result.as_ref() else { return Vec::new() };
                            result.ranking.iter().enumerate().map(|(i, r)| {
                                let values = d.matrix.alternatives.iter().find(|a| a.key == r.key).map(|a| a.values);
                                let provider = ProviderId::parse("provider", &r.key).ok();
                                let (availability, lock_in) = state.scenario.with_untracked(|s| provider.map_or((3.0, 3.0), |p| {
                                    let r = s.decision.rating(p);
                                    (r.availability, r.lock_in)
                                }));
                                let cells = values.map(|v| Criterion::ALL.into_iter().map(|c| view! { <td class="num">{raw(c, v[c])}</td> }).collect_view());
                                let key = r.key.clone();
                                view! {
                                    <tr data-provider=key.clone()>
                                        <td class="num">{i + 1}</td>
                                        <th scope="row">{provider_name(e, &r.key)}</th>
                                        <td class="num">{format!("{:.0}", r.score * 100.0)}</td>
                                        {cells}
                                        <td>
                                            <input type="number" min="1" max="5" step="0.5" class="rating"
                                                aria-label=format!("Availability rating of {}", provider_name(e, &key))
                                                data-testid=format!("availability-{key}")
                                                prop:value=availability.to_string()
                                                on:change=move |ev| if let Some(p) = provider { set_rating(p, Criterion::Availability, event_target_value(&ev)) }
                                            />
                                        </td>
                                        <td>
                                            <input type="number" min="1" max="5" step="0.5" class="rating"
                                                aria-label=format!("Lock-in rating of {}", provider_name(e, &key))
                                                data-testid=format!("lock-in-{key}")
                                                prop:value=lock_in.to_string()
                                                on:change=move |ev| if let Some(p) = provider { set_rating(p, Criterion::LockIn, event_target_value(&ev)) }
                                            />
                                        </td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
            <p class="help">
                "Availability and lock-in are judgements, not measurements: the defaults are stated "
                "assumptions (hyperscalers 5 and 4, Linode and DigitalOcean 4 and 2, Hetzner 3 and 1); "
                "replace them with your own."
            </p>
        </section>

        <section class="panel" aria-labelledby="sensitivity-label">
            <h2 id="sensitivity-label">"How firm is the choice?"</h2>
            <p class="help">"For each weight, the range it can move through (the others fixed) before another provider wins."</p>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="sensitivity-label">
            <table class="data" data-testid="sensitivity">
                <thead>
                    <tr>
                        <th scope="col">"Criterion"</th>
                        <th scope="col">"Weight"</th>
                        <th scope="col">"Winner holds from"</th>
                        <th scope="col">"to"</th>
                        <th scope="col">"Then wins"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || last_good.with(|e| {
                        let Some(e) = e.as_ref() else { return Vec::new() };
                        let Some(result) = e.decision.result.as_ref() else { return Vec::new() };
                        result.sensitivity.iter().map(|(c, s)| {
                            view! {
                                <tr>
                                    <th scope="row">{c.label()}</th>
                                    <td class="num">{format!("{}", s.weight)}</td>
                                    <td class="num">{format!("{:.2}", s.min_weight)}</td>
                                    <td class="num">{s.max_weight.map_or_else(|| "any".to_owned(), |w| format!("{w:.2}"))}</td>
                                    <td>{s.challenger.as_deref().map_or_else(|| "—".to_owned(), |k| provider_name(e, k))}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()
                    })}
                </tbody>
            </table>
            </div>
        </section>
    }
}
