//! The shape of demand over time and how uncertain it is: seasonality by calendar month, one-off
//! events (campaigns, launches), and the Monte Carlo's spreads.

use std::sync::Arc;

use leptos::prelude::*;
use phaseplan_model::scenario::{GrowthEvent, Scenario};
use phaseplan_model::uncertainty::{Spread, UncertaintyInput};

use crate::state::use_plan;
use crate::widgets::field::{Field, NumberField, whole};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn season_field(m: usize) -> Field {
    Field {
        path: format!("growth.seasonality[{m}]"),
        label: MONTHS[m],
        unit: "×",
        help: "Demand multiplier in this calendar month (1 = average).",
        step: "0.05",
        get: Arc::new(move |s: &Scenario| s.growth.seasonality.map_or(1.0, |a| a[m])),
        set: Arc::new(move |s: &mut Scenario, v: f64| {
            let a = s.growth.seasonality.get_or_insert([1.0; 12]);
            a[m] = v;
            Ok(())
        }),
    }
}

fn event_fields(i: usize) -> Vec<Field> {
    fn ev(s: &mut Scenario, i: usize) -> Result<&mut GrowthEvent, String> {
        s.growth
            .events
            .get_mut(i)
            .ok_or_else(|| "this event was removed".to_owned())
    }
    vec![
        Field {
            path: format!("growth.events[{i}].month"),
            label: "Starts in month",
            unit: "from now",
            help: "0 is the first month of the plan.",
            step: "1",
            get: Arc::new(move |s: &Scenario| {
                s.growth
                    .events
                    .get(i)
                    .map_or(f64::NAN, |e| f64::from(e.month))
            }),
            set: Arc::new(move |s: &mut Scenario, v: f64| {
                ev(s, i)?.month = whole(v)?;
                Ok(())
            }),
        },
        Field {
            path: format!("growth.events[{i}].duration_months"),
            label: "Lasts",
            unit: "months",
            help: "How long the extra demand lasts.",
            step: "1",
            get: Arc::new(move |s: &Scenario| {
                s.growth
                    .events
                    .get(i)
                    .map_or(f64::NAN, |e| f64::from(e.duration_months))
            }),
            set: Arc::new(move |s: &mut Scenario, v: f64| {
                ev(s, i)?.duration_months = whole(v)?;
                Ok(())
            }),
        },
        Field {
            path: format!("growth.events[{i}].multiplier"),
            label: "Demand",
            unit: "×",
            help: "1.5 is +50 % while it lasts.",
            step: "0.1",
            get: Arc::new(move |s: &Scenario| {
                s.growth.events.get(i).map_or(f64::NAN, |e| e.multiplier)
            }),
            set: Arc::new(move |s: &mut Scenario, v: f64| {
                ev(s, i)?.multiplier = v;
                Ok(())
            }),
        },
    ]
}

/// The spreads in effect: the scenario's own, or the stated defaults.
fn effective(s: &Scenario) -> UncertaintyInput {
    s.uncertainty.unwrap_or_else(|| s.default_uncertainty())
}

/// Low / likely / high of the demand multiplier, whatever shape the spread has.
fn demand_triple(d: Spread) -> (f64, f64, f64) {
    match d {
        Spread::Fixed { value } => (value, value, value),
        Spread::Normal { mean, sd } => (mean - 2.0 * sd, mean, mean + 2.0 * sd),
        Spread::Triangular { min, mode, max } => (min, mode, max),
        Spread::Uniform { min, max } => (min, (min + max) / 2.0, max),
    }
}

fn uncertainty_fields() -> Vec<Field> {
    fn demand(which: usize, label: &'static str, help: &'static str) -> Field {
        let name = ["min", "mode", "max"][which];
        Field {
            path: format!("uncertainty.demand.{name}"),
            label,
            unit: "×",
            help,
            step: "0.05",
            get: Arc::new(move |s: &Scenario| {
                let (lo, mid, hi) = demand_triple(effective(s).demand);
                [lo, mid, hi][which]
            }),
            set: Arc::new(move |s: &mut Scenario, v: f64| {
                let mut u = effective(s);
                let mut t = demand_triple(u.demand);
                match which {
                    0 => t.0 = v,
                    1 => t.1 = v,
                    _ => t.2 = v,
                }
                u.demand = Spread::Triangular {
                    min: t.0,
                    mode: t.1,
                    max: t.2,
                };
                s.uncertainty = Some(u);
                Ok(())
            }),
        }
    }
    vec![
        Field {
            path: "uncertainty.growth_rate.sd".to_owned(),
            label: "Growth spread",
            unit: "SD",
            help: "Standard deviation of the monthly growth rate around the plan's (normal).",
            step: "0.005",
            get: Arc::new(|s: &Scenario| match effective(s).growth_rate {
                Spread::Normal { sd, .. } => sd,
                Spread::Fixed { .. } => 0.0,
                // Same variance as the scenario's spread, shown as a normal one.
                Spread::Triangular { min, mode, max } => {
                    ((min * min + mode * mode + max * max - min * mode - min * max - mode * max)
                        / 18.0)
                        .sqrt()
                }
                Spread::Uniform { min, max } => (max - min) / 12f64.sqrt(),
            }),
            set: Arc::new(|s: &mut Scenario, v: f64| {
                let mut u = effective(s);
                u.growth_rate = Spread::Normal {
                    mean: s.growth.monthly_rate,
                    sd: v,
                };
                s.uncertainty = Some(u);
                Ok(())
            }),
        },
        demand(
            0,
            "Demand per user, low",
            "Multiplier on per-user demand at the low end.",
        ),
        demand(
            1,
            "Demand per user, likely",
            "The most likely multiplier (1 = as planned).",
        ),
        demand(2, "Demand per user, high", "Multiplier at the high end."),
        Field {
            path: "uncertainty.paths".to_owned(),
            label: "Simulated paths",
            unit: "paths",
            help: "More paths give smoother bands and take longer (10,000 ≈ a few ms).",
            step: "1000",
            get: Arc::new(|s: &Scenario| f64::from(effective(s).paths)),
            set: Arc::new(|s: &mut Scenario, v: f64| {
                let mut u = effective(s);
                u.paths = whole(v)?;
                s.uncertainty = Some(u);
                Ok(())
            }),
        },
        Field {
            path: "uncertainty.seed".to_owned(),
            label: "Random seed",
            unit: "integer",
            help: "The same seed gives the same bands on every machine.",
            step: "1",
            #[allow(clippy::cast_precision_loss)]
            get: Arc::new(|s: &Scenario| effective(s).seed as f64),
            set: Arc::new(|s: &mut Scenario, v: f64| {
                let mut u = effective(s);
                u.seed = u64::from(whole(v)?);
                s.uncertainty = Some(u);
                Ok(())
            }),
        },
    ]
}

#[component]
pub fn SeasonalityEditor() -> impl IntoView {
    let state = use_plan();
    let seasonal = Memo::new(move |_| state.scenario.with(|s| s.growth.seasonality.is_some()));
    view! {
        <section class="panel" aria-labelledby="group-seasonality">
            <h2 id="group-seasonality">"Seasonality and events"</h2>
            <div class="field toggle">
                <label for="f-growth-seasonality">
                    <input
                        id="f-growth-seasonality"
                        type="checkbox"
                        data-testid="growth.seasonality"
                        prop:checked=seasonal
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            state.edit("growth.seasonality", move |s| {
                                s.growth.seasonality = on.then_some([1.0; 12]);
                            });
                        }
                    />
                    "Demand varies by calendar month"
                </label>
                <span class="help">"Multipliers on the trend, January first; the plan sizes for the peak month."</span>
            </div>
            <Show when=move || seasonal.get()>
                <div class="fields months">
                    {(0..12).map(|m| view! { <NumberField field=season_field(m) /> }).collect_view()}
                </div>
            </Show>
            <EventsEditor />
        </section>
    }
}

#[component]
fn EventsEditor() -> impl IntoView {
    let state = use_plan();
    let count = Memo::new(move |_| state.scenario.with(|s| s.growth.events.len()));
    let add = move |_: leptos::ev::MouseEvent| {
        state.edit("growth.events", |s| {
            let month = s.growth.horizon_months.min(6);
            s.growth.events.push(GrowthEvent {
                label: "Campaign".to_owned(),
                month,
                duration_months: 1,
                multiplier: 1.5,
            });
        });
    };
    view! {
        <h3>"One-off events"</h3>
        <p class="help">"Campaigns, launches or seasons the multipliers do not cover."</p>
        {move || {
            (0..count.get())
                .map(|i| {
                    let label_path = format!("growth.events[{i}].label");
                    view! {
                        <div class="event-row" data-testid=format!("event-{i}")>
                            <div class="field">
                                <label for=format!("f-growth-events-{i}-label")>"Event"</label>
                                <input
                                    id=format!("f-growth-events-{i}-label")
                                    type="text"
                                    maxlength="80"
                                    prop:value=move || state.scenario.with(|s| s.growth.events.get(i).map(|e| e.label.clone()).unwrap_or_default())
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        state.edit(&label_path, move |s| {
                                            if let Some(e) = s.growth.events.get_mut(i) {
                                                e.label = v;
                                            }
                                        });
                                    }
                                />
                            </div>
                            {event_fields(i).into_iter().map(|f| view! { <NumberField field=f /> }).collect_view()}
                            <button
                                type="button"
                                class="secondary"
                                aria-label=format!("Remove event {}", i + 1)
                                on:click=move |_| state.edit("growth.events", move |s| {
                                    if i < s.growth.events.len() {
                                        s.growth.events.remove(i);
                                    }
                                })
                            >
                                "Remove"
                            </button>
                        </div>
                    }
                })
                .collect_view()
        }}
        <button type="button" class="secondary" data-testid="add-event" disabled=move || { count.get() >= 50 } on:click=add>
            "Add an event"
        </button>
    }
}

#[component]
pub fn UncertaintyEditor() -> impl IntoView {
    let state = use_plan();
    let custom = Memo::new(move |_| state.scenario.with(|s| s.uncertainty.is_some()));
    view! {
        <section class="panel" aria-labelledby="group-uncertainty">
            <h2 id="group-uncertainty">"Uncertainty"</h2>
            <p class="hint">
                "The Monte Carlo behind the P10–P90 bands on the Capacity page. "
                {move || if custom.get() {
                    "This scenario sets its own spreads."
                } else {
                    "Showing the stated defaults: growth ± a quarter of the plan's rate, demand −15 % to +25 %."
                }}
            </p>
            <div class="fields">
                {uncertainty_fields().into_iter().map(|f| view! { <NumberField field=f /> }).collect_view()}
            </div>
            <button
                type="button"
                class="secondary"
                data-testid="uncertainty-defaults"
                disabled=move || !custom.get()
                on:click=move |_| state.edit("uncertainty", |s| s.uncertainty = None)
            >
                "Use the defaults"
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::presets::default_preset;

    #[test]
    fn editing_one_spread_keeps_the_others_and_validates() {
        let mut s = default_preset().scenario;
        let fields = uncertainty_fields();
        (fields[2].set)(&mut s, 0.9).ok();
        let u = s.uncertainty.expect("set");
        assert_eq!(
            u.demand,
            Spread::Triangular {
                min: 0.85,
                mode: 0.9,
                max: 1.25
            }
        );
        assert_eq!(u.paths, 10_000);
        assert!(s.clone().validate().is_ok());
        (fields[4].set)(&mut s, 0.0).ok();
        assert_eq!(
            s.validate().map_err(|e| e.field).err().as_deref(),
            Some("uncertainty.paths")
        );
    }

    #[test]
    fn a_month_multiplier_turns_seasonality_on_and_is_checked() {
        let mut s = default_preset().scenario;
        (season_field(10).set)(&mut s, 1.3).ok();
        assert_eq!(s.growth.seasonality.map(|a| a[10]), Some(1.3));
        (season_field(3).set)(&mut s, 0.0).ok();
        assert_eq!(
            s.validate().map_err(|e| e.field).err().as_deref(),
            Some("growth.seasonality[3]")
        );
    }
}
