//! Costs: what the plan costs month by month on every provider, split by component on the
//! scenario's provider, the total over the horizon, this month's bill with every price's source,
//! a migration calculator, and the same numbers as a table and a CSV download.

use leptos::prelude::*;
use phaseplan_model::cost::catalog::ProviderId;
use phaseplan_model::evaluate::Evaluation;
use phaseplan_model::migration::{MigrationInput, Recommendation};

use crate::charts::cost::{breakdown_chart, cost_chart, tco_chart};
use crate::csv::timeline_csv;
use crate::format::{month_label, quantity, usd, usd_cents};
use crate::state::use_plan;
use crate::widgets::chart::EChart;

/// Mean of `xs[from..]` (the months after a move).
fn mean_from(xs: &[f64], from: usize) -> f64 {
    let tail = xs.get(from..).unwrap_or(&[]);
    if tail.is_empty() {
        0.0
    } else {
        tail.iter().sum::<f64>() / tail.len() as f64
    }
}

#[component]
pub fn Costs() -> impl IntoView {
    let state = use_plan();
    let evaluation = state.evaluation;
    let last_good = Memo::new(move |prev: Option<&Option<Evaluation>>| {
        evaluation.with(|e| match e {
            Ok(e) => Some(e.clone()),
            Err(_) => prev.cloned().flatten(),
        })
    });
    let phase_names = Memo::new(move |_| {
        state
            .scenario
            .with(|s| s.phases.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
    });
    let chart_of = move |f: fn(&Evaluation, &[String]) -> charming::Chart| {
        Signal::derive(move || {
            let names = phase_names.get();
            last_good.with(|e| {
                e.as_ref()
                    .map_or_else(charming::Chart::new, |e| f(e, &names))
            })
        })
    };
    let lines = chart_of(cost_chart);
    let stacked = chart_of(|e, _| breakdown_chart(e));
    let tco = chart_of(|e, _| tco_chart(e));
    let provider = Memo::new(move |_| state.scenario.with(|s| s.pricing.provider));
    let set_provider = move |key: String| {
        if let Ok(p) = ProviderId::parse("pricing.provider", &key) {
            state.edit("pricing.provider", |s| s.pricing.provider = p);
        }
    };
    let providers = Memo::new(move |_| {
        last_good.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.providers
                        .iter()
                        .map(|p| (p.provider, p.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });

    // Migration calculator: from the scenario's provider to a chosen one at a chosen month.
    let target = RwSignal::new(None::<ProviderId>);
    let start = RwSignal::new(0_u32);
    let one_time = Memo::new(move |_| state.scenario.with(|s| s.pricing.migration_cost_usd));
    let migration = Memo::new(move |_| {
        last_good.with(|e| {
            let e = e.as_ref()?;
            let from = e.providers.iter().find(|p| p.provider == e.provider)?;
            let to_id = target
                .get()
                .or_else(|| e.migration.as_ref().map(|m| m.to))
                .filter(|t| *t != e.provider)
                .or_else(|| {
                    e.providers
                        .iter()
                        .map(|p| p.provider)
                        .find(|p| *p != e.provider)
                })?;
            let to = e.providers.iter().find(|p| p.provider == to_id)?;
            let horizon = e.timeline.months.len() as u32;
            let m = start.get().min(horizon);
            let input = MigrationInput {
                current_monthly: mean_from(&from.monthly_usd, m as usize),
                target_monthly: mean_from(&to.monthly_usd, m as usize),
                one_time_cost: one_time.get(),
                start_month: m,
                horizon_months: horizon,
            };
            input.validate("migration").ok()?;
            Some((to_id, to.name.clone(), input, input.evaluate()))
        })
    });
    let csv_href = Signal::derive(move || {
        let names = phase_names.get();
        last_good.with(|e| {
            e.as_ref().map_or_else(String::new, |e| {
                format!(
                    "data:text/csv;charset=utf-8,{}",
                    String::from(js_sys::encode_uri_component(&timeline_csv(e, &names)))
                )
            })
        })
    });
    let source_note = move |price: &phaseplan_model::cost::catalog::Price| -> String {
        let title = state.catalog.with_value(|c| {
            c.as_ref()
                .ok()
                .and_then(|c| c.source(&price.source).map(|s| s.title.clone()))
                .unwrap_or_else(|| price.source.clone())
        });
        let mut note = format!(
            "{} {} per {} — source: {title}",
            price.currency.symbol(),
            price.amount,
            price.unit.label()
        );
        if let Some(d) = &price.as_of {
            note.push_str(&format!(", as of {d}"));
        }
        if price.third_party {
            note.push_str(" (third-party table)");
        }
        note
    };

    view! {
        <header class="page-header">
            <h1>"Costs"</h1>
            <p>
                "What the plan costs, month by month, on every provider — recomputed in your browser. "
                "Hover a price to see where it comes from."
            </p>
        </header>

        <section class="panel">
            <div class="field">
                <label for="provider-picker">"Provider the platform runs on"</label>
                <select
                    id="provider-picker"
                    data-testid="provider-picker"
                    prop:value=move || provider.get().key()
                    on:change=move |ev| set_provider(event_target_value(&ev))
                >
                    {move || providers.get().into_iter().map(|(id, name)| view! { <option value=id.key()>{name}</option> }).collect_view()}
                </select>
            </div>
        </section>

        <section class="panel">
            <EChart chart=lines label="Monthly cost per provider over the planning horizon" test_id="costs-lines" height=360 />
        </section>
        <div class="grid-2">
            <section class="panel">
                <EChart chart=stacked label="Monthly cost by component on the chosen provider" test_id="breakdown-chart" height=360 />
            </section>
            <section class="panel">
                <EChart chart=tco label="Total cost over the horizon per provider" test_id="tco-chart" height=360 />
            </section>
        </div>

        <section class="panel" aria-labelledby="bill-label">
            <h2 id="bill-label">"This month's bill"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="bill-label">
                <table class="data" data-testid="bill">
                    <thead><tr>
                        <th scope="col">"Component"</th><th scope="col">"Item"</th>
                        <th scope="col">"Quantity"</th><th scope="col">"Before discounts"</th>
                        <th scope="col">"Monthly"</th><th scope="col">"Note"</th>
                    </tr></thead>
                    <tbody>
                        {move || last_good.with(|e| {
                            let Some(bill) = e.as_ref().and_then(|e| e.now.bill.clone()) else { return Vec::new() };
                            bill.lines.iter().map(|l| {
                                let title = l.unit_price.as_ref().map(source_note).unwrap_or_else(|| "A stated assumption, not a price".to_owned());
                                view! {
                                    <tr>
                                        <td>{l.component.label()}</td>
                                        <td>{l.item.clone()}</td>
                                        <td class="num">{quantity(l.quantity)}</td>
                                        <td class="num">{usd(l.list_usd)}</td>
                                        <td class="num"><abbr class="price" title=title.clone() tabindex="0" aria-label=format!("{}; {}", usd(l.monthly_usd), title)>{usd(l.monthly_usd)}</abbr></td>
                                        <td class="note">{l.note.clone().unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
            <p class="help">
                {move || last_good.with(|e| e.as_ref().and_then(|e| e.now.bill.as_ref()).map(|b| {
                    let mut s = format!("Total {} a month ({} before discounts).", usd(b.total_usd), usd(b.list_usd));
                    if !b.unpriced.is_empty() {
                        s.push_str(&format!(" Not priced: {}.", b.unpriced.join(", ")));
                    }
                    s
                }).unwrap_or_default())}
            </p>
        </section>

        <section class="panel" aria-labelledby="migration-label">
            <h2 id="migration-label">"Migration calculator"</h2>
            <div class="migration-inputs">
                <div class="field">
                    <label for="mig-to">"Move to"</label>
                    <select id="mig-to" data-testid="mig-to"
                        prop:value=move || migration.with(|m| m.as_ref().map(|m| m.0.key()).unwrap_or_default())
                        on:change=move |ev| target.set(ProviderId::parse("to", &event_target_value(&ev)).ok())
                    >
                        {move || providers.get().into_iter().filter(|(id, _)| *id != provider.get()).map(|(id, name)| view! { <option value=id.key()>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="mig-cost">"One-time cost, $"</label>
                    <input id="mig-cost" type="number" min="0" step="100" data-testid="mig-cost"
                        prop:value=move || one_time.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).trim().parse::<f64>()
                                && v.is_finite() && v >= 0.0
                            {
                                state.edit("pricing.migration_cost_usd", |s| {
                                    s.pricing.migration_cost_usd = v;
                                });
                            }
                        }
                    />
                </div>
                <div class="field">
                    <label for="mig-start">"Move in month"</label>
                    <input id="mig-start" type="number" min="0" step="1" data-testid="mig-start"
                        prop:value=move || start.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() {
                                start.set(v);
                            }
                        }
                    />
                </div>
            </div>
            {move || migration.get().map(|(_, name, input, r)| view! {
                <div class="cards">
                    <div class="card"><div class="label">"Monthly savings"</div><div class="value" data-testid="mig-savings">{usd(r.monthly_savings)}</div><div class="sub">{format!("{} → {} a month (mean after the move)", usd(input.current_monthly), usd(input.target_monthly))}</div></div>
                    <div class="card"><div class="label">"Payback"</div><div class="value" data-testid="mig-payback">{r.payback_months.map_or_else(|| "never".to_owned(), |p| format!("{p:.1} months"))}</div><div class="sub">{format!("annual savings {}", usd(r.annual_savings))}</div></div>
                    <div class="card"><div class="label">"ROI over the horizon"</div><div class="value" data-testid="mig-roi">{r.roi.map_or_else(|| "—".to_owned(), |x| format!("{:.0} %", x * 100.0))}</div><div class="sub">{format!("net {}", usd(r.net_benefit))}</div></div>
                    <div class="card"><div class="label">"Recommendation"</div><div class="value" data-testid="mig-recommendation">{match r.recommendation { Recommendation::Migrate => format!("Move to {name}"), Recommendation::Stay => "Stay".to_owned() }}</div></div>
                </div>
            })}
        </section>

        <section class="panel" aria-labelledby="table-label">
            <h2 id="table-label">"By provider"</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="table-label">
                <table class="data" data-testid="cost-table">
                    <thead><tr>
                        <th scope="col">"Provider"</th><th scope="col">"Region"</th>
                        {move || last_good.with(|e| e.as_ref().map(|e| {
                            let last = e.timeline.months.len().saturating_sub(1);
                            [0, 12, 24, last].into_iter().filter(|&i| i <= last).filter_map(|i| e.timeline.months.get(i)).map(|m| view! { <th scope="col">{month_label(m.year, m.calendar_month)}</th> }).collect_view()
                        }))}
                        <th scope="col">"Total"</th><th scope="col">"Per peak user now"</th>
                    </tr></thead>
                    <tbody>
                        {move || last_good.with(|e| {
                            let Some(e) = e.as_ref() else { return Vec::new() };
                            let last = e.timeline.months.len().saturating_sub(1);
                            e.providers.iter().map(|p| {
                                let cells = [0, 12, 24, last].into_iter().filter(|&i| i <= last).map(|i| view! { <td class="num">{usd(p.monthly_usd.get(i).copied().unwrap_or(0.0))}</td> }).collect_view();
                                view! {
                                    <tr data-provider=p.provider.key()>
                                        <th scope="row">{p.name.clone()}</th>
                                        <td>{p.region.clone()}</td>
                                        {cells}
                                        <td class="num">{usd(p.tco_usd)}</td>
                                        <td class="num">{p.cost_per_user_usd.first().copied().flatten().map_or_else(|| "—".to_owned(), usd_cents)}</td>
                                    </tr>
                                }
                            }).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
            <a class="button" data-testid="csv-link" download="phaseplan-timeline.csv" href=csv_href>"Download the month-by-month plan (CSV)"</a>
        </section>
    }
}
