//! Load-test results in, measurements out: the outputs engineers already have, read into
//! [`Point`]s. One parser for the browser (files dropped on the Scenario page) and the server
//! (`POST /api/v1/measurements/parse`), so both read a file the same way.
//!
//! A file holds one run (a k6 summary, a Locust stats table) or several at different
//! concurrencies (a k6 CSV of a ramping test, a JMeter JTL of stepped thread groups, a Locust
//! history, wrk/hey/oha summaries one after another); each run at a steady concurrency becomes one
//! point. What the parser cannot read is an error naming the line; what it reads but doubts (a
//! ramp too short to be a level, failed requests) is a warning beside the points.

mod csv;
mod jmeter;
mod k6;
mod locust;
mod summary;

use serde::{Deserialize, Serialize};

use super::Point;

/// The largest file `POST /api/v1/measurements/parse` takes. [`parse`] itself reads any size
/// (the browser reads a dropped file of hundreds of megabytes locally).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The formats read, by their `?format=` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// k6 `--summary-export` JSON (or `handleSummary`'s `data`): one run.
    K6Json,
    /// k6 `--out csv`: every sample; levels of the `vus` gauge become points.
    K6Csv,
    /// JMeter JTL as CSV with its header: samples grouped by `allThreads`.
    Jmeter,
    /// Locust `--csv` output: `_stats_history.csv` (levels of `User Count`) or `_stats.csv` (one
    /// run, its concurrency given).
    Locust,
    /// wrk's text summary; several runs one after another.
    Wrk,
    /// hey's text summary; its concurrency from the command line above it (`hey -c 50 …`).
    Hey,
    /// oha's text summary, likewise.
    Oha,
    /// `concurrency,throughput[,latency_ms]` with that header.
    Csv,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::K6Json,
        Format::K6Csv,
        Format::Jmeter,
        Format::Locust,
        Format::Wrk,
        Format::Hey,
        Format::Oha,
        Format::Csv,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Format::K6Json => "k6-json",
            Format::K6Csv => "k6-csv",
            Format::Jmeter => "jmeter",
            Format::Locust => "locust",
            Format::Wrk => "wrk",
            Format::Hey => "hey",
            Format::Oha => "oha",
            Format::Csv => "csv",
        }
    }

    pub fn from_key(key: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.key() == key)
    }

    /// What the format is, for a picker.
    pub fn label(self) -> &'static str {
        match self {
            Format::K6Json => "k6 summary (JSON)",
            Format::K6Csv => "k6 CSV output",
            Format::Jmeter => "JMeter JTL (CSV)",
            Format::Locust => "Locust stats CSV",
            Format::Wrk => "wrk output",
            Format::Hey => "hey output",
            Format::Oha => "oha output",
            Format::Csv => "CSV: concurrency, throughput",
        }
    }

    /// Guesses the format of a dropped file from its content (and name): the header of a CSV, the
    /// shape of a JSON document, the lines of a text summary. `None` when nothing matches.
    pub fn detect(name: &str, text: &str) -> Option<Format> {
        let head: String = text
            .trim_start_matches('\u{feff}')
            .chars()
            .take(4_096)
            .collect();
        let first = head.lines().next().unwrap_or_default().to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        if head.trim_start().starts_with('{') {
            return (head.contains("\"metrics\"")).then_some(Format::K6Json);
        }
        if first.starts_with("metric_name,") {
            return Some(Format::K6Csv);
        }
        if first.contains("timestamp") && first.contains("elapsed") && first.contains("label") {
            return Some(Format::Jmeter);
        }
        if first.contains("user count") || first.contains("request count") {
            return Some(Format::Locust);
        }
        if first.contains("concurrency") && first.contains("throughput") {
            return Some(Format::Csv);
        }
        if head.contains("threads and") && head.contains("connections") {
            return Some(Format::Wrk);
        }
        if head.contains("Success rate:") || name.contains("oha") {
            return Some(Format::Oha);
        }
        if head.contains("Summary:") && head.contains("Requests/sec:") {
            return Some(Format::Hey);
        }
        None
    }
}

/// What a parse needs besides the file: the concurrency of a run whose output does not state it
/// (hey or oha without their command line, Locust's `_stats.csv`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options {
    pub concurrency: Option<f64>,
}

/// `POST /api/v1/measurements/parse`'s answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Parsed {
    /// One per run at a steady concurrency, in the order of the file.
    pub points: Vec<Point>,
    /// What was read but doubted, or left out, and why.
    pub warnings: Vec<String>,
}

/// Why a file cannot be read: the line (from 1) where it went wrong, if one is to blame.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl ParseError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: Some(line),
            message: message.into(),
        }
    }

    pub(crate) fn whole(message: impl Into<String>) -> ParseError {
        ParseError {
            line: None,
            message: message.into(),
        }
    }
}

/// Reads `text` as `format`.
pub fn parse(format: Format, text: &str, options: &Options) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ParseError::whole("the file is empty"));
    }
    let parsed = match format {
        Format::K6Json => k6::summary(text)?,
        Format::K6Csv => k6::csv(text)?,
        Format::Jmeter => jmeter::jtl(text)?,
        Format::Locust => locust::stats(text, options)?,
        Format::Wrk => summary::wrk(text)?,
        Format::Hey => summary::hey_or_oha(text, "hey", options)?,
        Format::Oha => summary::hey_or_oha(text, "oha", options)?,
        Format::Csv => csv::plain(text)?,
    };
    if parsed.points.is_empty() {
        return Err(ParseError::whole(format!(
            "no measurement found in this {} file{}",
            format.label(),
            parsed
                .warnings
                .first()
                .map(|w| format!(": {w}"))
                .unwrap_or_default()
        )));
    }
    for (i, p) in parsed.points.iter().enumerate() {
        p.validate(&format!("points[{i}]"))
            .map_err(|e| ParseError::whole(format!("run {}: {e}", i + 1)))?;
    }
    Ok(parsed)
}

/// Samples at one concurrency, accumulated: requests, the seconds they span, latencies.
#[derive(Debug, Clone, Default)]
pub(crate) struct Level {
    pub concurrency: f64,
    pub requests: f64,
    pub failures: f64,
    pub latency_sum_ms: f64,
    pub latency_count: f64,
    pub first_line: usize,
}

impl Level {
    /// The level as a point over `seconds`, or why it is left out.
    pub fn point(&self, seconds: f64, what: &str) -> Result<Point, String> {
        if seconds < MIN_LEVEL_SECONDS {
            return Err(format!(
                "{} {what} held for {seconds:.1} s only (from line {}): a ramp, not a level; left \
                 out",
                trim(self.concurrency),
                self.first_line
            ));
        }
        if self.requests <= 0.0 {
            return Err(format!(
                "{} {what} completed no request (from line {}); left out",
                trim(self.concurrency),
                self.first_line
            ));
        }
        Ok(Point {
            concurrency: self.concurrency,
            throughput: self.requests / seconds,
            latency_ms: (self.latency_count > 0.0)
                .then(|| self.latency_sum_ms / self.latency_count),
            latency_percentiles_ms: None,
        })
    }
}

/// The shortest steady stretch that counts as a run at one concurrency.
pub(crate) const MIN_LEVEL_SECONDS: f64 = 3.0;

/// `12` for 12.0, `2.5` for 2.5.
pub(crate) fn trim(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// A number in a file, or an error naming the line and what it was meant to be.
pub(crate) fn number(line: usize, what: &str, text: &str) -> Result<f64, ParseError> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(ParseError::at(
            line,
            format!("{what} {:?} is not a number", shorten(t)),
        )),
    }
}

/// At most 40 characters of `t`, for messages (a damaged file may hold a megabyte on a line).
pub(crate) fn shorten(t: &str) -> String {
    let mut s: String = t.chars().take(40).collect();
    if t.chars().nth(40).is_some() {
        s.push('…');
    }
    s
}
