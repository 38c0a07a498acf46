//! The live status of each component: the server's analysis of the platform's own sources
//! against the phase it is on (the step to take and why, and each reading against its warning
//! and critical lines).

use leptos::prelude::*;
use phaseplan_model::Status;

use super::Ops;
use crate::format::percent;
use crate::widgets::status_badge::StatusBadge;

#[component]
pub(super) fn LivePanel(ops: Ops) -> impl IntoView {
    let live = Memo::new(move |_| ops.with(|s| s.live.clone()));
    let status =
        Signal::derive(move || live.with(|l| l.as_ref().map_or(Status::Optimal, |l| l.status)));
    view! {
        <section
            class=move || format!("panel ops action {}", status.get().label())
            aria-labelledby="ops-live-title"
            data-testid="ops-live"
        >
            <div class="action-head">
                <h2 id="ops-live-title" data-testid="ops-live-action">
                    {move || live.with(|l| l.as_ref().map(|l| {
                        format!("Live: {}", l.action.label(l.next_phase.as_deref()))
                    }))}
                </h2>
                <StatusBadge status=status />
            </div>
            <p data-testid="ops-live-reason">{move || live.with(|l| l.as_ref().map(|l| l.reason.clone()))}</p>
            <p class="muted">
                {move || live.with(|l| l.as_ref().map(|l| format!(
                    "Its live sources against {}'s thresholds{}.",
                    l.phase_name,
                    l.bottleneck.map_or_else(String::new, |b| format!("; closest to its critical line: {}", b.label()))
                )))}
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Live readings">
                <table class="data" data-testid="ops-readings">
                    <thead>
                        <tr>
                            <th scope="col">"Component"</th>
                            <th scope="col" class="num">"Utilisation"</th>
                            <th scope="col" class="num">"Warning at"</th>
                            <th scope="col" class="num">"Critical at"</th>
                            <th scope="col">"Measured"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || live.with(|l| {
                            let readings = l.as_ref().map(|l| l.readings.clone()).unwrap_or_default();
                            if readings.is_empty() {
                                return vec![view! {
                                    <tr><td colspan="6" class="muted">
                                        "No live source of this platform reports a metric its phase is measured on."
                                    </td></tr>
                                }.into_any()];
                            }
                            readings.into_iter().map(|r| {
                                let status = r.status;
                                view! {
                                    <tr data-testid="ops-reading" data-component=r.component.key()>
                                        <th scope="row">{r.label.clone()}</th>
                                        <td class="num" data-testid="ops-reading-percent">{percent(r.utilisation_percent, 1)}</td>
                                        <td class="num">{percent(r.warning_percent, 0)}</td>
                                        <td class="num">{percent(r.critical_percent, 0)}</td>
                                        <td>{r.basis.clone()}</td>
                                        <td><StatusBadge status=Signal::derive(move || status) /></td>
                                    </tr>
                                }.into_any()
                            }).collect::<Vec<_>>()
                        })}
                    </tbody>
                </table>
            </div>
            <h3>"Alerts firing (from Alertmanager)"</h3>
            {move || {
                let alerts = ops.with(|s| s.alerts.clone()).unwrap_or_default();
                if alerts.is_empty() {
                    return view! {
                        <p class="muted" data-testid="ops-alerts-none">
                            "None. Alertmanager posts to /api/v1/alertmanager?platform=NAME; the bundles' alert rules label each alert with its platform and component."
                        </p>
                    }.into_any();
                }
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Alerts firing">
                        <table class="data" data-testid="ops-alerts">
                            <thead>
                                <tr>
                                    <th scope="col">"Alert"</th>
                                    <th scope="col">"Component"</th>
                                    <th scope="col">"Severity"</th>
                                    <th scope="col">"Summary"</th>
                                    <th scope="col">"Since"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {alerts.into_iter().map(|a| view! {
                                    <tr data-testid="ops-alert">
                                        <th scope="row">{a.name.clone()}</th>
                                        <td>{a.component.map_or("—", |c| c.label())}</td>
                                        <td>{a.severity.clone().unwrap_or_default()}</td>
                                        <td>{a.summary.clone()}</td>
                                        <td>{a.starts_at.clone()}</td>
                                    </tr>
                                }).collect::<Vec<_>>()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
