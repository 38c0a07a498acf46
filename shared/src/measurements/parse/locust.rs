//! Locust's `--csv` output. `_stats_history.csv` holds a row a second with the `User Count` and
//! the cumulative `Total Request Count` and `Total Average Response Time`: each stretch at one
//! user count becomes a point (its requests over its seconds, its mean latency from the running
//! totals). `_stats.csv` is one run's totals (the `Aggregated` row), whose user count the file
//! does not hold: it is given.

use super::csv::{Header, Records, field};
use super::{Level, Options, ParseError, Parsed, number, trim};
use crate::measurements::{LatencyPercentiles, Point};

pub(crate) fn stats(text: &str, options: &Options) -> Result<Parsed, ParseError> {
    let mut records = Records::new(text);
    let (line, header) = records
        .next()
        .ok_or_else(|| ParseError::whole("the file is empty"))??;
    let h = Header::new(&header);
    if h.find("user count").is_some() {
        history(records, &h, line)
    } else if h.find("request count").is_some() {
        totals(records, &h, line, options)
    } else {
        Err(ParseError::at(
            line,
            "neither a Locust _stats_history.csv (\"User Count\") nor a _stats.csv (\"Request Count\")",
        ))
    }
}

/// A number that Locust may write as `N/A`.
fn optional(line: usize, what: &str, text: &str) -> Result<Option<f64>, ParseError> {
    match text.trim() {
        "" | "N/A" => Ok(None),
        t => number(line, what, t).map(Some),
    }
}

/// The `50%`, `90%`, `95%` and `99%` columns of a row, those that hold a number.
fn percentiles(
    h: &Header,
    r: &[std::borrow::Cow<'_, str>],
    line: usize,
) -> Result<LatencyPercentiles, ParseError> {
    let mut p = LatencyPercentiles::default();
    for (col, at) in [("50%", 50.0), ("90%", 90.0), ("95%", 95.0), ("99%", 99.0)] {
        if let Some(v) = h.find(col).and_then(|i| r.get(i))
            && let Some(ms) = optional(line, col, v)?
        {
            p.set(at, ms);
        }
    }
    Ok(p)
}

/// One stretch at a user count: its first and last rows' totals.
struct Stretch {
    level: Level,
    first: (f64, f64, f64),
    last: (f64, f64, f64),
    percentiles: LatencyPercentiles,
}

fn history(records: Records<'_>, h: &Header, line: usize) -> Result<Parsed, ParseError> {
    let time = h.require(line, "timestamp", "Locust history")?;
    let users = h.require(line, "user count", "Locust history")?;
    let name = h.require(line, "name", "Locust history")?;
    let count = h.require(line, "total request count", "Locust history")?;
    let average = h.require(line, "total average response time", "Locust history")?;
    let failures = h.find("total failure count");
    let mut stretches: Vec<Stretch> = Vec::new();
    for record in records {
        let (line, r) = record?;
        if field(line, &r, name, "Name")?.trim() != "Aggregated" {
            continue;
        }
        let n = number(line, "User Count", field(line, &r, users, "User Count")?)?;
        let t = number(line, "Timestamp", field(line, &r, time, "Timestamp")?)?;
        let c = number(
            line,
            "Total Request Count",
            field(line, &r, count, "Total Request Count")?,
        )?;
        let a = optional(
            line,
            "Total Average Response Time",
            field(line, &r, average, "Total Average Response Time")?,
        )?
        .unwrap_or(0.0);
        let f = match failures.and_then(|i| r.get(i)) {
            Some(v) => optional(line, "Total Failure Count", v)?.unwrap_or(0.0),
            None => 0.0,
        };
        let p = percentiles(h, &r, line)?;
        match stretches.last_mut() {
            Some(s) if s.level.concurrency == n => {
                s.last = (t, c, a * c);
                s.level.failures = f;
                s.percentiles = p;
            }
            _ => stretches.push(Stretch {
                level: Level {
                    concurrency: n,
                    first_line: line,
                    failures: f,
                    ..Level::default()
                },
                first: (t, c, a * c),
                last: (t, c, a * c),
                percentiles: p,
            }),
        }
    }
    let mut out = Parsed::default();
    for s in stretches.iter_mut().filter(|s| s.level.concurrency > 0.0) {
        let done = s.last.1 - s.first.1;
        s.level.requests = done;
        s.level.latency_sum_ms = s.last.2 - s.first.2;
        s.level.latency_count = done;
        match s.level.point(s.last.0 - s.first.0, "users") {
            Ok(mut p) => {
                p.latency_percentiles_ms = (!s.percentiles.is_empty()).then_some(s.percentiles);
                out.points.push(p);
            }
            Err(w) => out.warnings.push(w),
        }
    }
    if stretches.iter().any(|s| s.level.failures > 0.0) {
        out.warnings.push(
            "some requests failed (Total Failure Count): their throughput is counted".to_owned(),
        );
    }
    Ok(out)
}

fn totals(
    records: Records<'_>,
    h: &Header,
    line: usize,
    options: &Options,
) -> Result<Parsed, ParseError> {
    let name = h.require(line, "name", "Locust stats")?;
    let rps = h.require(line, "requests/s", "Locust stats")?;
    let average = h.find("average response time");
    let Some(concurrency) = options.concurrency else {
        return Err(ParseError::whole(
            "a Locust _stats.csv does not hold the user count: give it (concurrency=N), or use \
             the _stats_history.csv of the same run",
        ));
    };
    for record in records {
        let (line, r) = record?;
        if field(line, &r, name, "Name")?.trim() != "Aggregated" {
            continue;
        }
        let throughput = number(line, "Requests/s", field(line, &r, rps, "Requests/s")?)?;
        let latency_ms = match average.and_then(|i| r.get(i)) {
            Some(v) => optional(line, "Average Response Time", v)?,
            None => None,
        };
        let p = percentiles(h, &r, line)?;
        return Ok(Parsed {
            points: vec![Point {
                concurrency,
                throughput,
                latency_ms,
                latency_percentiles_ms: (!p.is_empty()).then_some(p),
            }],
            warnings: vec![format!(
                "the user count ({}) is the one given, not read from the file",
                trim(concurrency)
            )],
        });
    }
    Err(ParseError::whole("no \"Aggregated\" row"))
}
