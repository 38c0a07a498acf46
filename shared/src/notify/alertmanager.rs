//! Alertmanager's webhook, in: its payload (version 4 of its webhook format), read strictly
//! enough that a malformed one is refused with the field named, and the alerts it carries as
//! the platform status shows them. The bundles' alert rules label each alert with its
//! `platform` and `component`, so an alert lands where the plan's own reading of that component
//! is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_text};
use crate::live::LiveComponent;

/// Alerts one payload may carry, and labels per alert.
pub const MAX_ALERTS: usize = 1_000;
pub const MAX_LABELS: usize = 64;

/// The webhook's body, as Alertmanager sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    pub version: String,
    #[serde(default)]
    pub group_key: String,
    #[serde(default)]
    pub truncated_alerts: u64,
    /// `firing` or `resolved`.
    pub status: String,
    #[serde(default)]
    pub receiver: String,
    #[serde(default)]
    pub group_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(default, rename = "externalURL")]
    pub external_url: String,
    pub alerts: Vec<AmAlert>,
}

/// One alert of a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AmAlert {
    pub status: String,
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: String,
    /// Alertmanager's id of the alert (its labels' hash); derived the same way when absent.
    #[serde(default)]
    pub fingerprint: String,
}

/// An alert as Phaseplan keeps it: firing until Alertmanager says resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FiringAlert {
    pub fingerprint: String,
    /// `labels.alertname`.
    pub name: String,
    pub component: Option<LiveComponent>,
    pub severity: Option<String>,
    /// `annotations.summary`, else the name.
    pub summary: String,
    pub starts_at: String,
    pub labels: BTreeMap<String, String>,
}

fn check_map(field: &str, m: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    if m.len() > MAX_LABELS {
        return Err(ValidationError::new(
            field,
            Reason::TooMany {
                max: MAX_LABELS,
                what: "labels",
            },
        ));
    }
    for (k, v) in m {
        check_text(&format!("{field}.{k}"), k, true, 128)?;
        if v.chars().count() > 4_096 {
            return Err(ValidationError::new(
                format!("{field}.{k}"),
                Reason::TooLong { max: 4_096 },
            ));
        }
    }
    Ok(())
}

impl Payload {
    /// Checks the parts Phaseplan reads, naming the field (`alerts[2].status`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.version != "4" {
            return Err(ValidationError::new(
                "version",
                Reason::NotOneOf {
                    got: self.version.chars().take(20).collect(),
                    known: vec!["4".to_owned()],
                },
            ));
        }
        let states = ["firing".to_owned(), "resolved".to_owned()];
        if !states.contains(&self.status) {
            return Err(ValidationError::new(
                "status",
                Reason::NotOneOf {
                    got: self.status.chars().take(20).collect(),
                    known: states.to_vec(),
                },
            ));
        }
        if self.alerts.len() > MAX_ALERTS {
            return Err(ValidationError::new(
                "alerts",
                Reason::TooMany {
                    max: MAX_ALERTS,
                    what: "alerts",
                },
            ));
        }
        for (i, a) in self.alerts.iter().enumerate() {
            let f = |name: &str| format!("alerts[{i}].{name}");
            if !states.contains(&a.status) {
                return Err(ValidationError::new(
                    f("status"),
                    Reason::NotOneOf {
                        got: a.status.chars().take(20).collect(),
                        known: states.to_vec(),
                    },
                ));
            }
            check_map(&f("labels"), &a.labels)?;
            check_map(&f("annotations"), &a.annotations)?;
            if !a.labels.contains_key("alertname") {
                return Err(ValidationError::new(f("labels.alertname"), Reason::Empty));
            }
            check_text(&f("startsAt"), &a.starts_at, true, 64)?;
            check_text(&f("fingerprint"), &a.fingerprint, false, 64)?;
        }
        Ok(())
    }
}

impl AmAlert {
    /// Its fingerprint, or (Alertmanager's leaves none out, but a hand-made payload may) a
    /// stable hash of its sorted labels.
    pub fn fingerprint(&self) -> String {
        if !self.fingerprint.is_empty() {
            return self.fingerprint.clone();
        }
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (k, v) in &self.labels {
            for b in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xfe]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }

    /// As the platform status shows it.
    pub fn firing(&self) -> FiringAlert {
        let name = self.labels.get("alertname").cloned().unwrap_or_default();
        FiringAlert {
            fingerprint: self.fingerprint(),
            component: self
                .labels
                .get("component")
                .and_then(|c| LiveComponent::ALL.into_iter().find(|l| l.key() == c)),
            severity: self.labels.get("severity").cloned(),
            summary: self
                .annotations
                .get("summary")
                .cloned()
                .unwrap_or_else(|| name.clone()),
            name,
            starts_at: self.starts_at.clone(),
            labels: self.labels.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Alertmanager's own example of its webhook payload (its documentation's configuration
    /// page, `<webhook_config>`), with a bundle rule's labels.
    pub const EXAMPLE: &str = r#"{
      "version": "4",
      "groupKey": "{}:{alertname=\"PhaseplanDbConnectionsWarning\"}",
      "truncatedAlerts": 0,
      "status": "firing",
      "receiver": "phaseplan",
      "groupLabels": {"alertname": "PhaseplanDbConnectionsWarning"},
      "commonLabels": {"alertname": "PhaseplanDbConnectionsWarning", "severity": "warning"},
      "commonAnnotations": {},
      "externalURL": "http://alertmanager:9093",
      "alerts": [{
        "status": "firing",
        "labels": {"alertname": "PhaseplanDbConnectionsWarning", "severity": "warning", "phase": "launch", "platform": "default", "component": "db_connections"},
        "annotations": {"summary": "database connections above 70 % (warning) in phase Launch"},
        "startsAt": "2026-12-01T10:00:00.000Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=...",
        "fingerprint": "c4b2b8c4f2a1d0e9"
      }]
    }"#;

    #[test]
    fn the_example_reads_and_bad_payloads_name_their_field() {
        let p: Payload = serde_json::from_str(EXAMPLE).unwrap();
        p.validate().unwrap();
        let a = p.alerts[0].firing();
        assert_eq!(a.component, Some(LiveComponent::DbConnections));
        assert_eq!(a.fingerprint, "c4b2b8c4f2a1d0e9");
        assert!(a.summary.contains("database connections"));
        let mut bad = p.clone();
        bad.alerts[0].status = "pending".into();
        assert_eq!(bad.validate().unwrap_err().field, "alerts[0].status");
        let mut bad = p.clone();
        bad.version = "3".into();
        assert_eq!(bad.validate().unwrap_err().field, "version");
        let mut bad = p.clone();
        bad.alerts[0].labels.remove("alertname");
        assert_eq!(
            bad.validate().unwrap_err().field,
            "alerts[0].labels.alertname"
        );
        let mut unprinted = p.alerts[0].clone();
        unprinted.fingerprint.clear();
        assert_eq!(
            unprinted.fingerprint(),
            unprinted.clone().fingerprint(),
            "stable"
        );
        assert_eq!(unprinted.fingerprint().len(), 16);
    }
}
