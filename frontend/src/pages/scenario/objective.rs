//! The app tier's latency objective (e.g. p95 ≤ 300 ms): on, which percentile, how many
//! milliseconds. When on, the users at which the predicted percentile reaches it are one more
//! capacity limit of every phase (the model's `capacity::response`).

use std::sync::Arc;

use leptos::prelude::*;
use phaseplan_model::scenario::{LatencyObjective, LatencyPercentile};

use crate::state::use_plan;
use crate::widgets::field::{Field, NumberField, Toggle, ToggleField};

/// The objective a user switching it on starts from: the usual web target.
const STARTING: LatencyObjective = LatencyObjective {
    percentile: LatencyPercentile::P95,
    ms: 300.0,
};

#[component]
pub fn ObjectiveEditor() -> impl IntoView {
    let state = use_plan();
    let on = Toggle {
        path: "workload.latency_objective".to_owned(),
        label: "Set a response-time objective",
        help: "Predicted from the app tier's queue (M/M/c, slowed by σ and κ); a phase whose \
               percentile passes it is limited there.",
        get: Arc::new(|s| s.workload.latency_objective.is_some()),
        set: Arc::new(|s, on| s.workload.latency_objective = on.then_some(STARTING)),
    };
    let ms = Field {
        path: "workload.latency_objective.ms".to_owned(),
        label: "At most",
        unit: "ms",
        help: "The most that percentile of app-tier response times may be.",
        step: "10",
        get: Arc::new(|s| s.workload.latency_objective.map_or(f64::NAN, |o| o.ms)),
        set: Arc::new(|s, v| {
            let o = s.workload.latency_objective.get_or_insert(STARTING);
            o.ms = v;
            Ok(())
        }),
    };
    let set = move |key: String| {
        let Some(p) = LatencyPercentile::ALL.into_iter().find(|p| p.key() == key) else {
            return;
        };
        state.edit("workload.latency_objective.percentile", move |s| {
            s.workload
                .latency_objective
                .get_or_insert(STARTING)
                .percentile = p;
        });
    };
    let enabled = move || {
        state
            .scenario
            .with(|s| s.workload.latency_objective.is_some())
    };
    let current = move || {
        state.scenario.with(|s| {
            s.workload
                .latency_objective
                .map_or("p95", |o| o.percentile.key())
        })
    };
    view! {
        <section class="panel" aria-labelledby="group-objective" data-testid="latency-objective">
            <h2 id="group-objective">"Response time objective"</h2>
            <div class="fields">
                <ToggleField toggle=on />
                <Show when=enabled>
                    <div class="field">
                        <label for="f-workload-latency_objective-percentile">"Percentile"</label>
                        <select id="f-workload-latency_objective-percentile"
                            data-testid="workload.latency_objective.percentile"
                            prop:value=current
                            on:change=move |ev| set(event_target_value(&ev))>
                            {LatencyPercentile::ALL
                                .into_iter()
                                .map(|p| view! { <option value=p.key()>{p.key()}</option> })
                                .collect_view()}
                        </select>
                        <span class="help">"The share of requests the objective speaks for."</span>
                    </div>
                    <NumberField field=ms.clone() />
                </Show>
            </div>
        </section>
    }
}
