//! The `[live]` settings checked into what the hub runs with, when the configuration is loaded:
//! a bad one is a configuration error naming it (`live.interval_seconds`, `live.sources[2]`).

use std::time::Duration;

use phaseplan_model::api::SourceStatus;
use phaseplan_model::live::planned_phase_now;
use phaseplan_model::presets::preset;
use phaseplan_model::valid::ValidScenario;

use super::sources::Source;
use crate::config::{ConfigError, LiveSettings, MAX_HISTORY_POINTS, MIN_LIVE_INTERVAL_SECONDS};

/// What the live hub runs with.
#[derive(Debug)]
pub struct LiveConfig {
    pub interval: Duration,
    /// The history window.
    pub history: Duration,
    /// Samples per metric the window holds.
    pub capacity: usize,
    /// The plan the live data is read against, and the phase running now.
    pub scenario: ValidScenario,
    pub phase_index: usize,
    /// Each source with its status before the first sample.
    pub sources: Vec<(SourceStatus, Source)>,
}

impl LiveConfig {
    pub fn from_settings(settings: &LiveSettings) -> Result<Self, ConfigError> {
        let interval = settings.interval_seconds;
        if !(interval.is_finite() && (MIN_LIVE_INTERVAL_SECONDS..=3_600.0).contains(&interval)) {
            return Err(ConfigError::new(
                "live.interval_seconds",
                format!(
                    "must be between {MIN_LIVE_INTERVAL_SECONDS} and 3600 seconds (got {interval}): \
                     every sample re-reads the sources and re-analyses the history"
                ),
            ));
        }
        let hours = settings.history_hours;
        if !(hours.is_finite() && hours > 0.0 && hours <= 24.0 * 31.0) {
            return Err(ConfigError::new(
                "live.history_hours",
                format!("must be more than 0 and at most 744 (31 days); got {hours}"),
            ));
        }
        let points = (hours * 3_600.0 / interval).ceil();
        if points > MAX_HISTORY_POINTS {
            return Err(ConfigError::new(
                "live.history_hours",
                format!(
                    "{hours} h at live.interval_seconds = {interval} is {points} samples per metric; \
                     at most {MAX_HISTORY_POINTS}: shorten the window or lengthen the interval"
                ),
            ));
        }
        let scenario = preset(&settings.preset)
            .ok_or_else(|| {
                ConfigError::new(
                    "live.preset",
                    format!("unknown preset {:?}", settings.preset),
                )
            })?
            .scenario
            .validate()
            .map_err(|e| ConfigError::new("live.preset", e.to_string()))?;
        let phase_index = match &settings.phase {
            Some(key) => scenario
                .ladder()
                .phases()
                .iter()
                .position(|p| &p.key == key)
                .ok_or_else(|| ConfigError::new("live.phase", format!("unknown phase {key:?}")))?,
            None => planned_phase_now(&scenario),
        };
        let mut sources = Vec::new();
        for (i, s) in settings.sources.iter().enumerate() {
            let source = Source::from_settings(s)
                .map_err(|e| ConfigError::new(format!("live.sources[{i}]"), e))?;
            let status = SourceStatus {
                name: s.name().to_owned(),
                kind: s.kind().to_owned(),
                healthy: false,
                stale: true,
                last_success: None,
                error: None,
                metrics: source.metrics(),
            };
            sources.push((status, source));
        }
        // Bounded by MAX_HISTORY_POINTS above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let capacity = points as usize;
        Ok(LiveConfig {
            interval: Duration::from_secs_f64(interval),
            history: Duration::from_secs_f64(hours * 3_600.0),
            capacity,
            scenario,
            phase_index,
            sources,
        })
    }
}
