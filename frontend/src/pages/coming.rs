//! Placeholders for pages that are planned but not built yet: clearly marked, with what they
//! will hold, so a deep link lands somewhere honest.

use leptos::prelude::*;

use crate::app::Page;

fn plan(page: Page) -> (&'static str, &'static [&'static str]) {
    match page {
        Page::Scenario => (
            "Every model input in one place.",
            &[
                "Workload, growth, phases, providers and discounts, each with units and help",
                "Preset picker, undo and redo, reset",
                "Inline validation that names the field and the reason",
            ],
        ),
        Page::Costs => (
            "What the plan costs, month by month, per provider.",
            &[
                "Monthly cost per provider with phase transitions marked",
                "Cost per component, 3-year TCO and cost per user",
                "Migration calculator: payback, ROI and a recommendation",
            ],
        ),
        Page::Capacity => (
            "How much each phase holds and what runs out first.",
            &[
                "Capacity per component per phase, bottleneck highlighted",
                "Utilisation against warning and critical thresholds",
                "P10–P90 uncertainty bands for users and cost",
            ],
        ),
        Page::Decision => (
            "Which provider wins for your priorities.",
            &[
                "Weighted decision matrix with editable weights",
                "Ranking, radar chart per provider",
                "How far each weight can move before the winner changes",
            ],
        ),
        Page::Bundles => (
            "Configuration generated from the plan.",
            &[
                "Terraform per provider, Kubernetes with HPA, docker-compose, nginx",
                "PgBouncer, Redis / Sentinel, Prometheus alert rules, env files",
                "Preview, diff between phases, download as zip",
            ],
        ),
        Page::Live => (
            "The running platform against its plan.",
            &[
                "Live utilisation per component with the phase's thresholds",
                "Forecast of when the next phase is needed",
                "Source health: host, Prometheus, PostgreSQL, Redis",
            ],
        ),
        Page::Overview => ("", &[]),
    }
}

#[component]
pub fn Coming(page: Page) -> impl IntoView {
    let (summary, items) = plan(page);
    view! {
        <header class="page-header">
            <h1>{page.title()}</h1>
            <p>{summary}</p>
        </header>
        <section class="panel coming" data-testid="coming-soon">
            <span class="tag-soon">"Coming soon"</span>
            <p class="hint">"This page is planned and not built yet. It will hold:"</p>
            <ul>{items.iter().map(|i| view! { <li>{*i}</li> }).collect_view()}</ul>
        </section>
    }
}
