//! Scenario: every model input in one place, grouped, each with its unit, a one-line help and
//! inline validation (the model's own error, naming the field); preset picker, undo, redo and
//! reset. Edits apply at once and every page recomputes from them.

use leptos::prelude::*;
use phaseplan_model::scenario::Scenario;

use crate::state::use_plan;

/// One numeric input: where it lives in the scenario (the model's field path, which is also how
/// validation errors name it), how to read and write it, and how to explain it.
struct Field {
    path: &'static str,
    label: &'static str,
    unit: &'static str,
    help: &'static str,
    step: &'static str,
    get: fn(&Scenario) -> f64,
    set: fn(&mut Scenario, f64),
}

macro_rules! field {
    ($path:literal, $label:literal, $unit:literal, $step:literal, $help:literal, |$s:ident| $e:expr) => {
        Field {
            path: $path,
            label: $label,
            unit: $unit,
            help: $help,
            step: $step,
            get: |$s: &Scenario| $e as f64,
            set: |$s: &mut Scenario, v: f64| {
                // Integer fields take the nearest whole number; validation names what is out of
                // range.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                {
                    $e = v as _;
                }
            },
        }
    };
}

fn groups() -> Vec<(&'static str, &'static str, Vec<Field>)> {
    vec![
        (
            "workload",
            "Workload",
            vec![
                field!(
                    "workload.peak_concurrent_users",
                    "Peak concurrent users",
                    "users",
                    "10",
                    "The most users connected at the same moment, at your busiest time.",
                    |s| s.workload.peak_concurrent_users
                ),
                field!(
                    "workload.requests_per_user_per_minute",
                    "Requests per user",
                    "per minute",
                    "0.5",
                    "HTTP requests an active user makes each minute.",
                    |s| s.workload.requests_per_user_per_minute
                ),
                field!(
                    "workload.service_time_ms",
                    "CPU time per request",
                    "ms",
                    "1",
                    "How long a request holds one vCPU on the app tier.",
                    |s| s.workload.service_time_ms
                ),
                field!(
                    "workload.db_queries_per_request",
                    "Queries per request",
                    "queries",
                    "0.5",
                    "Database queries each request makes.",
                    |s| s.workload.db_queries_per_request
                ),
                field!(
                    "workload.db_read_share",
                    "Read share",
                    "0–1",
                    "0.05",
                    "Share of queries that are reads (replicas can serve them).",
                    |s| s.workload.db_read_share
                ),
                field!(
                    "workload.db_query_time_ms",
                    "Query time",
                    "ms",
                    "0.5",
                    "How long a query holds a database connection.",
                    |s| s.workload.db_query_time_ms
                ),
                field!(
                    "workload.cache_mib_per_user",
                    "Cache per user",
                    "MiB",
                    "0.05",
                    "Redis memory per active user (sessions, hot objects).",
                    |s| s.workload.cache_mib_per_user
                ),
                field!(
                    "workload.websocket_share",
                    "WebSocket share",
                    "0–1",
                    "0.05",
                    "Share of concurrent users holding a WebSocket.",
                    |s| s.workload.websocket_share
                ),
                field!(
                    "workload.egress_gb_per_user_month",
                    "Egress per user",
                    "GB / month",
                    "0.1",
                    "Data sent to each average user in a month.",
                    |s| s.workload.egress_gb_per_user_month
                ),
                field!(
                    "workload.peak_to_average",
                    "Peak to average",
                    "×",
                    "0.1",
                    "Peak concurrency over the daily average (≥ 1): egress is billed on the average.",
                    |s| s.workload.peak_to_average
                ),
                field!(
                    "workload.app_scaling.sigma",
                    "Contention σ",
                    "0–1",
                    "0.005",
                    "USL contention of the app tier over its instance count.",
                    |s| s.workload.app_scaling.sigma
                ),
                field!(
                    "workload.app_scaling.kappa",
                    "Coherency κ",
                    "0–1",
                    "0.0001",
                    "USL crosstalk: past √((1−σ)/κ) instances, throughput falls.",
                    |s| s.workload.app_scaling.kappa
                ),
            ],
        ),
        (
            "growth",
            "Growth",
            vec![
                field!(
                    "growth.monthly_rate",
                    "Monthly growth",
                    "fraction",
                    "0.01",
                    "Compound growth a month: 0.08 is +8 % a month (about 2.5× a year).",
                    |s| s.growth.monthly_rate
                ),
                field!(
                    "growth.horizon_months",
                    "Horizon",
                    "months",
                    "1",
                    "Months to plan over, 1–120.",
                    |s| s.growth.horizon_months
                ),
                field!(
                    "growth.lead_time_months",
                    "Lead time",
                    "months",
                    "1",
                    "Months needed to get the next phase ready.",
                    |s| s.growth.lead_time_months
                ),
                field!(
                    "growth.start_month",
                    "Start month",
                    "1–12",
                    "1",
                    "Calendar month of month 0 (lines up the seasonality).",
                    |s| s.growth.start_month
                ),
                field!(
                    "growth.start_year",
                    "Start year",
                    "year",
                    "1",
                    "Calendar year of month 0.",
                    |s| s.growth.start_year
                ),
            ],
        ),
        (
            "pricing",
            "Providers and discounts",
            vec![
                field!(
                    "pricing.commit_1y_share",
                    "1-year commitment",
                    "share 0–1",
                    "0.05",
                    "Share of steady compute bought on a 1-year commitment.",
                    |s| s.pricing.commit_1y_share
                ),
                field!(
                    "pricing.commit_3y_share",
                    "3-year commitment",
                    "share 0–1",
                    "0.05",
                    "Share bought on a 3-year commitment (the two sum to at most 1).",
                    |s| s.pricing.commit_3y_share
                ),
                field!(
                    "pricing.spot_share",
                    "Spot share",
                    "share 0–1",
                    "0.05",
                    "Share of the stateless app tier on spot / preemptible capacity.",
                    |s| s.pricing.spot_share
                ),
                field!(
                    "pricing.ops_hourly_rate_usd",
                    "Operations rate",
                    "$ / hour",
                    "5",
                    "What an hour of operations work costs (prices self-hosted upkeep).",
                    |s| s.pricing.ops_hourly_rate_usd
                ),
                field!(
                    "pricing.migration_cost_usd",
                    "Migration cost",
                    "$",
                    "100",
                    "One-time cost of moving provider.",
                    |s| s.pricing.migration_cost_usd
                ),
            ],
        ),
    ]
}

#[component]
fn NumberField(field: Field) -> impl IntoView {
    let state = use_plan();
    let Field {
        path,
        label,
        unit,
        help,
        step,
        get,
        set,
    } = field;
    let id = format!("f-{}", path.replace('.', "-"));
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    // The model's first validation error, if it names this field.
    let error = Memo::new(move |_| {
        state.scenario.with(|s| {
            s.clone()
                .validate()
                .err()
                .filter(|e| e.field == path)
                .map(|e| e.reason.to_string())
        })
    });
    let (typed, set_typed) = signal(None::<String>);
    let on_input = move |raw: String| match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => {
            set_typed.set(None);
            state.edit(path, |s| set(s, v));
        }
        _ => set_typed.set(Some("must be a number".to_owned())),
    };
    let message = Signal::derive(move || typed.get().or_else(|| error.get()));
    view! {
        <div class="field">
            <label for=id.clone()>{label}<span class="unit">{format!(" ({unit})")}</span></label>
            <input
                id=id
                type="number"
                step=step
                data-testid=path
                aria-invalid=move || message.with(Option::is_some).to_string()
                aria-describedby=format!("{help_id} {error_id}")
                prop:value=move || state.scenario.with(get).to_string()
                on:input=move |ev| on_input(event_target_value(&ev))
            />
            <span id=error_id class="error" role="alert" data-testid=format!("{path}-error")>
                {move || message.get()}
            </span>
            <span id=help_id class="help">{help}</span>
        </div>
    }
}

#[component]
pub fn ScenarioPage() -> impl IntoView {
    let state = use_plan();
    let all_presets = state.presets;
    // A problem the fields do not show (phases, seasonality, …) still gets said.
    let other_error = Memo::new(move |_| {
        state.scenario.with(|s| {
            let shown: Vec<&str> = groups()
                .iter()
                .flat_map(|(_, _, fs)| fs.iter().map(|f| f.path))
                .collect();
            s.clone()
                .validate()
                .err()
                .filter(|e| !shown.contains(&e.field.as_str()))
                .map(|e| e.to_string())
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

        {groups()
            .into_iter()
            .map(|(key, title, fields)| {
                let heading = format!("group-{key}");
                let labelled_by = heading.clone();
                view! {
                    <section class="panel" aria-labelledby=labelled_by>
                        <h2 id=heading>{title}</h2>
                        <div class="fields">
                            {fields.into_iter().map(|f| view! { <NumberField field=f /> }).collect_view()}
                        </div>
                    </section>
                }
            })
            .collect_view()}
        <p class="help">
            "The phase ladder, the seasonality and the uncertainty spreads keep the preset's values "
            "(see the Capacity page); editing them here is still to come."
        </p>
    }
}
