//! Overview. For now: the phase check — a peak-users slider that recomputes, in WebAssembly, the
//! phase that fits, its utilisation and status, and the load on every phase.

use leptos::prelude::*;
use phaseplan_model::{PhaseFit, PhaseLadder, Users};

use crate::charts::phase_fit::phase_fit_chart;
use crate::components::chart::EChart;
use crate::components::stat_card::StatCard;
use crate::components::status_badge::StatusBadge;

const SLIDER_MAX: f64 = 60_000.0;

fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.round());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[component]
pub fn Overview() -> impl IntoView {
    let ladder = StoredValue::new(PhaseLadder::seed());
    // The last valid peak drives everything; the raw text of the number field is kept apart so an
    // invalid entry is shown with its reason without blanking the results.
    let users = RwSignal::new(1_500.0_f64);
    let (error, set_error) = signal(None::<String>);
    let fit: Memo<PhaseFit> = Memo::new(move |_| {
        // `users` only ever holds validated values (see `on_input`); zero is a safe floor.
        let u = Users::new("peak_concurrent_users", users.get()).unwrap_or(Users::ZERO);
        ladder.with_value(|l| l.fit(u))
    });
    let on_input = move |raw: String| {
        let parsed = raw.trim().replace(',', "").parse::<f64>();
        match parsed {
            Ok(v) => match Users::new("peak concurrent users", v) {
                Ok(u) => {
                    set_error.set(None);
                    users.set(u.get());
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
                    .and_then(|key| ladder.with_value(|l| l.get(key).map(|p| p.name.clone())));
                match (next, f.status) {
                    (Some(n), phaseplan_model::Status::Optimal) => format!("Next: {n}"),
                    (Some(n), _) => format!("Prepare {n}"),
                    (None, _) => "Top of the ladder".to_owned(),
                }
            }
        })
    });

    view! {
        <header class="page-header">
            <h1>"Overview"</h1>
            <p>
                "Which scaling phase does your peak need? Move the slider: the phase, its load and "
                "the chart are recomputed in your browser as you go."
            </p>
        </header>

        <section class="panel" aria-labelledby="peak-label">
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

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(15_000.0), "15,000");
        assert_eq!(thousands(1_234_567.4), "1,234,567");
    }
}
