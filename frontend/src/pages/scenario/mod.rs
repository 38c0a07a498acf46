//! Scenario: every model input in one place, grouped (workload, growth, seasonality and events,
//! phases, providers and discounts, uncertainty), each with its unit, a one-line help and inline
//! validation (the model's own reason, under the field it names); preset picker, undo, redo and
//! reset. Edits apply at once and every page recomputes from them.

pub(crate) mod fields;
mod ladder;
pub(crate) mod measurements;
mod objective;
mod spread;

use leptos::prelude::*;
use phaseplan_model::cost::catalog::ProviderId;

use crate::state::use_plan;
use crate::widgets::field::{Field, NumberField};

/// Where a problem is shown when no input on the page carries its path.
fn shown_inline(field: &str) -> bool {
    const PREFIXES: [&str; 5] = [
        "workload.",
        "growth.",
        "pricing.",
        "phases[",
        "uncertainty.",
    ];
    // Phase keys and load-test measurements have no input here (keys are generated).
    PREFIXES.iter().any(|p| field.starts_with(p))
        && !field.ends_with(".key")
        && !field.contains(".measured")
}

#[component]
fn FieldGroup(
    key: &'static str,
    title: &'static str,
    fields: Vec<Field>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let heading = format!("group-{key}");
    let labelled_by = heading.clone();
    view! {
        <section class="panel" aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            <div class="fields">
                {children.map(|c| c())}
                {fields.into_iter().map(|f| view! { <NumberField field=f /> }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn ProviderField() -> impl IntoView {
    let state = use_plan();
    let names = state.catalog.with_value(|c| {
        ProviderId::ALL
            .into_iter()
            .map(|id| {
                let name = c
                    .as_ref()
                    .ok()
                    .and_then(|c| c.provider(id))
                    .map_or_else(|| id.key().to_owned(), |p| p.name.clone());
                (id, name)
            })
            .collect::<Vec<_>>()
    });
    view! {
        <div class="field">
            <label for="f-pricing-provider">"Provider"</label>
            <select
                id="f-pricing-provider"
                data-testid="pricing.provider"
                aria-describedby="f-pricing-provider-help"
                prop:value=move || state.scenario.with(|s| s.pricing.provider.key())
                on:change=move |ev| {
                    if let Ok(p) = ProviderId::parse("pricing.provider", &event_target_value(&ev)) {
                        state.edit("pricing.provider", move |s| s.pricing.provider = p);
                    }
                }
            >
                {names.into_iter().map(|(id, name)| view! { <option value=id.key()>{name}</option> }).collect_view()}
            </select>
            <span id="f-pricing-provider-help" class="help">"Where the platform runs (or will); every provider is costed either way."</span>
        </div>
    }
}

#[component]
pub fn ScenarioPage() -> impl IntoView {
    let state = use_plan();
    let all_presets = state.presets;
    // A problem no input shows (the scenario's name, the decision weights…) still gets said.
    let other_error = Memo::new(move |_| {
        state.problem.with(|p| {
            p.as_ref()
                .filter(|e| !shown_inline(&e.field))
                .map(ToString::to_string)
        })
    });
    let reset = move |_| {
        let key = state
            .preset_key
            .get_untracked()
            .or_else(|| all_presets.with_value(|p| p.first().map(|p| p.key.clone())))
            .unwrap_or_default();
        state.load_preset(&key);
    };
    let name = move || state.scenario.with(|s| s.name.clone());

    view! {
        <header class="page-header">
            <h1>"Scenario"</h1>
            <p>"Every input of the plan. Changes apply at once on every page and travel in the share link."</p>
        </header>

        <section class="panel toolbar" aria-label="Scenario actions">
            <div class="field">
                <label for="scenario-preset">"Start from"</label>
                <select
                    id="scenario-preset"
                    data-testid="scenario-preset"
                    prop:value=move || state.preset_key.get().unwrap_or_default()
                    on:change=move |ev| state.load_preset(&event_target_value(&ev))
                >
                    <Show when=move || state.preset_key.with(Option::is_none)>
                        <option value="">{move || format!("{} (edited)", name())}</option>
                    </Show>
                    {all_presets.with_value(|all| {
                        all.iter()
                            .map(|p| view! { <option value=p.key.clone()>{p.name.clone()}</option> })
                            .collect_view()
                    })}
                </select>
            </div>
            <div class="buttons">
                <button type="button" data-testid="undo" on:click=move |_| state.undo() disabled=move || !state.can_undo()>"Undo"</button>
                <button type="button" data-testid="redo" on:click=move |_| state.redo() disabled=move || !state.can_redo()>"Redo"</button>
                <button type="button" data-testid="reset" on:click=reset>"Reset"</button>
            </div>
        </section>

        <Show when=move || other_error.with(Option::is_some)>
            <p class="banner error" role="alert" data-testid="scenario-error">{move || other_error.get()}</p>
        </Show>

        <FieldGroup key="workload" title="Workload" fields=fields::workload() />
        <measurements::MeasurementsEditor />
        <objective::ObjectiveEditor />
        <FieldGroup key="growth" title="Growth" fields=fields::growth() />
        <spread::SeasonalityEditor />
        <ladder::LadderEditor />
        <FieldGroup key="pricing" title="Providers and discounts" fields=fields::pricing()>
            <ProviderField />
        </FieldGroup>
        <spread::UncertaintyEditor />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_without_an_input_go_to_the_banner() {
        assert!(shown_inline("phases[2].thresholds.cpu.warning"));
        assert!(shown_inline("growth.events[0].month"));
        assert!(!shown_inline("name"));
        assert!(!shown_inline("decision.weights.tco"));
        assert!(!shown_inline("phases"));
        assert!(!shown_inline("phases[1].key"));
        assert!(!shown_inline("workload.app_scaling.measured[0].instances"));
    }
}
