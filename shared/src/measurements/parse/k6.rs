//! k6: the end-of-test summary as JSON (`--summary-export`, or `handleSummary`'s `data` whose
//! metrics nest their figures under `values`), and the CSV output (`--out csv`: one row per
//! sample — `metric_name,timestamp,metric_value,…` — with the `vus` gauge every second).

use std::collections::BTreeSet;

use serde_json::Value;

use super::csv::{Header, Records, field};
use super::{Level, ParseError, Parsed, number, trim};
use crate::measurements::{LatencyPercentiles, Point};

/// A metric's figures, whichever of the two JSON layouts holds them.
fn figures<'a>(metrics: &'a Value, name: &str) -> Option<&'a Value> {
    let m = metrics.get(name)?;
    Some(m.get("values").unwrap_or(m))
}

fn figure(metrics: &Value, name: &str, key: &str) -> Option<f64> {
    figures(metrics, name)?
        .get(key)?
        .as_f64()
        .filter(|x| x.is_finite())
}

/// The summary: one run at the test's most virtual users.
pub(crate) fn summary(text: &str) -> Result<Parsed, ParseError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| ParseError::at(e.line(), format!("not JSON: {e}")))?;
    let metrics = doc
        .get("metrics")
        .filter(|m| m.is_object())
        .ok_or_else(|| {
            ParseError::whole(
                "no \"metrics\" object: not a k6 summary (export it with --summary-export)",
            )
        })?;
    let concurrency = figure(metrics, "vus_max", "max")
        .or_else(|| figure(metrics, "vus_max", "value"))
        .or_else(|| figure(metrics, "vus", "max"))
        .ok_or_else(|| ParseError::whole("the summary has no \"vus_max\" or \"vus\" metric"))?;
    let throughput = figure(metrics, "http_reqs", "rate")
        .or_else(|| figure(metrics, "iterations", "rate"))
        .ok_or_else(|| ParseError::whole("the summary has no \"http_reqs\" rate"))?;
    let mut out = Parsed::default();
    if figure(metrics, "vus", "min").is_some_and(|min| min < concurrency) {
        out.warnings.push(format!(
            "the virtual users varied during the run (from {} to {}): the point is at the most, \
             and reads low if the test ramped; export k6's CSV output to see each level",
            trim(figure(metrics, "vus", "min").unwrap_or_default()),
            trim(concurrency)
        ));
    }
    if let Some(failed) = figure(metrics, "http_req_failed", "rate")
        .or_else(|| figure(metrics, "http_req_failed", "value"))
        .filter(|f| *f > 0.0)
    {
        out.warnings.push(format!(
            "{:.1} % of the requests failed: their throughput is counted",
            failed * 100.0
        ));
    }
    let mut p = LatencyPercentiles::default();
    for (key, at) in [
        ("med", 50.0),
        ("p(50)", 50.0),
        ("p(90)", 90.0),
        ("p(95)", 95.0),
        ("p(99)", 99.0),
    ] {
        if let Some(ms) = figure(metrics, "http_req_duration", key) {
            p.set(at, ms);
        }
    }
    out.points.push(Point {
        concurrency,
        throughput,
        latency_ms: figure(metrics, "http_req_duration", "avg"),
        latency_percentiles_ms: (!p.is_empty()).then_some(p),
    });
    Ok(out)
}

/// k6 writes unix seconds by default, milli-, micro- or nanoseconds when asked; all to seconds.
fn seconds(line: usize, text: &str) -> Result<f64, ParseError> {
    let t = number(line, "timestamp", text).map_err(|_| {
        ParseError::at(
            line,
            format!(
                "timestamp {:?} is not unix time: write the CSV with k6's default time format",
                super::shorten(text)
            ),
        )
    })?;
    Ok(match t {
        t if t > 1e17 => t / 1e9,
        t if t > 1e14 => t / 1e6,
        t if t > 1e11 => t / 1e3,
        t => t,
    })
}

/// The CSV output: each second's requests counted at the `vus` level then in force; a level
/// becomes a point once it held for [`super::MIN_LEVEL_SECONDS`].
pub(crate) fn csv(text: &str) -> Result<Parsed, ParseError> {
    let mut records = Records::new(text);
    let (line, header) = records
        .next()
        .ok_or_else(|| ParseError::whole("the file is empty"))??;
    let h = Header::new(&header);
    let name = h.require(line, "metric_name", "k6 CSV")?;
    let time = h.require(line, "timestamp", "k6 CSV")?;
    let value = h.require(line, "metric_value", "k6 CSV")?;
    // Levels in the order they first appear; the seconds each was in force.
    let mut levels: Vec<(Level, BTreeSet<i64>)> = Vec::new();
    let mut current: Option<usize> = None;
    let mut saw_vus = false;
    for record in records {
        let (line, r) = record?;
        let metric = field(line, &r, name, "metric_name")?.trim();
        match metric {
            "vus" => {
                saw_vus = true;
                let v = number(line, "vus", field(line, &r, value, "metric_value")?)?;
                let i = match levels.iter().position(|(l, _)| l.concurrency == v) {
                    Some(i) => i,
                    None => {
                        levels.push((
                            Level {
                                concurrency: v,
                                first_line: line,
                                ..Level::default()
                            },
                            BTreeSet::new(),
                        ));
                        levels.len() - 1
                    }
                };
                current = (v > 0.0).then_some(i);
            }
            "http_reqs" | "http_req_duration" | "http_req_failed" => {
                let Some(i) = current else { continue };
                let v = number(line, metric, field(line, &r, value, "metric_value")?)?;
                let t = seconds(line, field(line, &r, time, "timestamp")?)?;
                let (level, secs) = &mut levels[i];
                match metric {
                    "http_reqs" => {
                        level.requests += v;
                        #[allow(clippy::cast_possible_truncation)]
                        secs.insert(t.floor() as i64);
                    }
                    "http_req_duration" => {
                        level.latency_sum_ms += v;
                        level.latency_count += 1.0;
                    }
                    _ => level.failures += v,
                }
            }
            _ => {}
        }
    }
    if !saw_vus {
        return Err(ParseError::whole(
            "no \"vus\" samples: k6 writes the gauge every second; was the file cut short?",
        ));
    }
    let mut out = Parsed::default();
    for (level, secs) in &levels {
        if level.concurrency <= 0.0 {
            continue;
        }
        #[allow(clippy::cast_precision_loss)]
        match level.point(secs.len() as f64, "virtual users") {
            Ok(p) => {
                if level.failures > 0.0 {
                    out.warnings.push(format!(
                        "{} virtual users: {} requests failed (counted in the throughput)",
                        trim(level.concurrency),
                        trim(level.failures)
                    ));
                }
                out.points.push(p);
            }
            Err(w) => out.warnings.push(w),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn both_summary_layouts_give_the_same_point() {
        let export = r#"{"metrics": {"http_reqs": {"count": 3000, "rate": 100.5},
            "vus_max": {"value": 20, "min": 20, "max": 20},
            "http_req_duration": {"avg": 12.5, "med": 10.0, "p(95)": 30.0}}}"#;
        let data = r#"{"metrics": {"http_reqs": {"type": "counter", "values": {"count": 3000, "rate": 100.5}},
            "vus_max": {"type": "gauge", "values": {"value": 20, "min": 20, "max": 20}},
            "http_req_duration": {"type": "trend", "values": {"avg": 12.5, "med": 10.0, "p(95)": 30.0}}}}"#;
        let a = summary(export).unwrap();
        assert_eq!(a, summary(data).unwrap());
        let p = a.points[0];
        assert_eq!(
            (p.concurrency, p.throughput, p.latency_ms),
            (20.0, 100.5, Some(12.5))
        );
        assert_eq!(p.latency_percentiles_ms.unwrap().p95, Some(30.0));
    }

    #[test]
    fn damaged_k6_files_name_the_line() {
        let e = summary("{\"metrics\": {\n\"http_reqs\": ").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = csv("metric_name,timestamp,metric_value\nvus,1700000000,5\nhttp_reqs,soon,1\n")
            .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().contains("not unix time"), "{e}");
    }
}
