//! A Grafana dashboard to import: one time series per alert signal, with the phase's warning and
//! critical thresholds drawn as steps, on a Prometheus data source chosen at import.

use serde_json::{Value, json};

use super::BundleSpec;
use super::monitoring::panels;

pub fn dashboard(spec: &BundleSpec) -> String {
    let panels: Vec<Value> = panels(spec)
        .into_iter()
        .enumerate()
        .map(|(i, (title, expr, warning, critical))| {
            json!({
                "id": i + 1,
                "type": "timeseries",
                "title": format!("{title} (%)"),
                "datasource": { "type": "prometheus", "uid": "${DS_PROMETHEUS}" },
                "gridPos": { "h": 8, "w": 12, "x": (i % 2) * 12, "y": (i / 2) * 8 },
                "targets": [{ "refId": "A", "expr": expr, "legendFormat": title }],
                "fieldConfig": {
                    "defaults": {
                        "unit": "percent",
                        "min": 0,
                        "max": 100,
                        "thresholds": {
                            "mode": "absolute",
                            "steps": [
                                { "color": "green", "value": null },
                                { "color": "orange", "value": warning },
                                { "color": "red", "value": critical }
                            ]
                        },
                        "custom": { "thresholdsStyle": { "mode": "line+area" } }
                    },
                    "overrides": []
                },
                "options": { "legend": { "displayMode": "list", "placement": "bottom" } }
            })
        })
        .collect();
    let d = json!({
        "__inputs": [{
            "name": "DS_PROMETHEUS",
            "label": "Prometheus",
            "type": "datasource",
            "pluginId": "prometheus",
            "pluginName": "Prometheus"
        }],
        "title": format!("Phaseplan — {} ({})", spec.phase.name, spec.provider_name),
        "uid": format!("{}-{}", spec.name(), spec.provider.key()),
        "tags": ["phaseplan", spec.phase.key.clone()],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": true,
        "refresh": "30s",
        "time": { "from": "now-24h", "to": "now" },
        "panels": panels
    });
    // Serialising a `Value` cannot fail; an empty object would still import.
    serde_json::to_string_pretty(&d).unwrap_or_else(|_| "{}".to_owned()) + "\n"
}
