//! Prometheus alert rules from the phase's thresholds: a warning and a critical rule for CPU,
//! memory, database connections, cache memory, WebSocket connections and concurrent users
//! against the phase's capacity. Metric names are those of node_exporter, postgres_exporter and
//! redis_exporter; the app exports `app_concurrent_users` and `app_websocket_connections` gauges.

use std::fmt::Write as _;

use crate::live::LiveComponent;
use crate::phase::Band;

use super::BundleSpec;
use super::escape::{gotemplate, yaml};

/// One measured utilisation in percent, and the band its alerts fire at.
struct Signal {
    id: &'static str,
    /// The live component it measures: the alert's `component` label, which Phaseplan's
    /// Alertmanager receiver files the alert under.
    component: LiveComponent,
    what: &'static str,
    /// PromQL giving a percentage 0–100.
    expr: String,
    band: Band,
    /// How long the condition must hold: short for saturation, longer for slow resources.
    for_: &'static str,
}

fn signals(spec: &BundleSpec) -> Vec<Signal> {
    let p = &spec.phase;
    let t = &p.thresholds;
    vec![
        Signal {
            id: "Cpu",
            component: LiveComponent::AppCpu,
            what: "app CPU",
            expr: "100 * (1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))".to_owned(),
            band: t.cpu,
            for_: "10m",
        },
        Signal {
            id: "Memory",
            component: LiveComponent::AppMemory,
            what: "app memory",
            expr:
                "100 * (1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))"
                    .to_owned(),
            band: t.memory,
            for_: "10m",
        },
        Signal {
            id: "DbConnections",
            component: LiveComponent::DbConnections,
            what: "database connections",
            expr: "100 * sum(pg_stat_activity_count) / sum(pg_settings_max_connections)".to_owned(),
            band: t.connections,
            for_: "5m",
        },
        Signal {
            id: "CacheMemory",
            component: LiveComponent::CacheMemory,
            what: "Redis memory",
            expr: "100 * max(redis_memory_used_bytes / redis_memory_max_bytes)".to_owned(),
            band: t.memory,
            for_: "10m",
        },
        Signal {
            id: "WebSockets",
            component: LiveComponent::Websockets,
            what: "WebSocket connections",
            expr: format!(
                "100 * sum(app_websocket_connections) / {}",
                p.websocket_connections.max(1)
            ),
            band: t.capacity,
            for_: "5m",
        },
        Signal {
            id: "Capacity",
            component: LiveComponent::Capacity,
            what: "concurrent users against the phase's design target",
            expr: format!("100 * sum(app_concurrent_users) / {}", p.max_users),
            band: t.capacity,
            for_: "15m",
        },
    ]
}

/// Percentages as Prometheus and people write them (`70`, `72.5`).
fn pct(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

pub fn alert_rules(spec: &BundleSpec) -> String {
    let p = &spec.phase;
    let mut out = format!(
        "# Prometheus alert rules for {comment}: the phase's warning and critical thresholds.\n\
         # Check with: promtool check rules alerts.yml\n\
         groups:\n\
         \x20 - name: {name}\n\
         \x20   rules:\n",
        comment = yaml::comment(&spec.name()),
        name = yaml::scalar(&spec.name()),
    );
    // Labels and annotations are Go templates (Prometheus expands them when an alert fires), so
    // the phase's texts go in as template literals, then as YAML strings.
    let phase = yaml::scalar(&gotemplate::literal(&p.key));
    let platform = yaml::scalar(&gotemplate::literal(
        spec.platform
            .as_deref()
            .unwrap_or(crate::operations::DEFAULT_PLATFORM),
    ));
    let pname = gotemplate::literal(&p.name);
    for s in signals(spec) {
        for (level, threshold) in [
            ("warning", s.band.warning()),
            ("critical", s.band.critical()),
        ] {
            let title = if level == "warning" {
                "Warning"
            } else {
                "Critical"
            };
            let (what, th) = (s.what, pct(threshold));
            let summary = format!("{what} above {th} % ({level}) in phase {pname}");
            let advice = if level == "critical" {
                " Prepare the next phase (see the Phaseplan timeline)."
            } else {
                ""
            };
            let description = format!(
                "{what} is at {{{{ $value | printf \"%.1f\" }}}} %; the {pname} phase's {level} threshold is {th} %.{advice}"
            );
            let _ = write!(
                out,
                "      - alert: Phaseplan{id}{title}\n\
                 \x20       expr: {expr} > {th}\n\
                 \x20       for: {for_}\n\
                 \x20       labels:\n\
                 \x20         severity: {level}\n\
                 \x20         phase: {phase}\n\
                 \x20         platform: {platform}\n\
                 \x20         component: {component}\n\
                 \x20       annotations:\n\
                 \x20         summary: {summary}\n\
                 \x20         description: {description}\n",
                id = s.id,
                expr = s.expr,
                for_ = s.for_,
                component = s.component.key(),
                summary = yaml::quoted(&summary),
                description = yaml::quoted(&description),
            );
        }
    }
    out
}

/// The same signals for the dashboard: title, PromQL and thresholds.
pub(super) fn panels(spec: &BundleSpec) -> Vec<(String, String, f64, f64)> {
    signals(spec)
        .into_iter()
        .map(|s| {
            let mut title = s.what.to_owned();
            if let Some(first) = title.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            (title, s.expr, s.band.warning(), s.band.critical())
        })
        .collect()
}
