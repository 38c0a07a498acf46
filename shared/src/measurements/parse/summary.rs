//! The text summaries of wrk, hey and oha, one run after another in one file (a shell loop's
//! output). wrk states its connections (`12 threads and 400 connections`); hey and oha do not
//! print their concurrency, so it comes from the command line above each run (`$ hey -c 50 …`,
//! as `set -x` or a script's echo writes it; without `-c` both default to 50), or is given for
//! a file of one run.

use super::{Options, ParseError, Parsed, number, shorten, trim};
use crate::measurements::{LatencyPercentiles, Point};

/// hey's and oha's concurrency when `-c` is not given.
const DEFAULT_CONCURRENCY: f64 = 50.0;

/// `text` without terminal colour codes (oha colours its summary unless told not to).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A wrk duration (`82.23us`, `4.38ms`, `1.02s`, `2.00m`) in milliseconds.
fn wrk_ms(token: &str) -> Option<f64> {
    let split = token.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = token.split_at(split);
    let n: f64 = n.parse().ok()?;
    let ms = match unit {
        "us" => n / 1e3,
        "ms" => n,
        "s" => n * 1e3,
        "m" => n * 60e3,
        "h" => n * 3_600e3,
        _ => return None,
    };
    Some(ms).filter(|x| x.is_finite())
}

/// A run being read.
#[derive(Default)]
struct Run {
    line: usize,
    concurrency: Option<f64>,
    throughput: Option<f64>,
    latency_ms: Option<f64>,
    percentiles: LatencyPercentiles,
}

impl Run {
    fn finish(self, tool: &str, out: &mut Parsed) -> Result<(), ParseError> {
        let throughput = self.throughput.ok_or_else(|| {
            ParseError::at(
                self.line,
                format!("this {tool} run has no \"Requests/sec:\" line"),
            )
        })?;
        let concurrency = self.concurrency.ok_or_else(|| {
            ParseError::at(self.line, format!("this {tool} run states no concurrency"))
        })?;
        out.points.push(Point {
            concurrency,
            throughput,
            latency_ms: self.latency_ms,
            latency_percentiles_ms: (!self.percentiles.is_empty()).then_some(self.percentiles),
        });
        Ok(())
    }
}

/// wrk: a run starts at `Running …`.
pub(crate) fn wrk(text: &str) -> Result<Parsed, ParseError> {
    let text = plain(text);
    let mut out = Parsed::default();
    let mut run: Option<Run> = None;
    let mut in_distribution = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.starts_with("Running ") {
            if let Some(r) = run.take() {
                r.finish("wrk", &mut out)?;
            }
            run = Some(Run {
                line,
                ..Run::default()
            });
            in_distribution = false;
            continue;
        }
        let Some(r) = run.as_mut() else { continue };
        let words: Vec<&str> = t.split_whitespace().collect();
        if in_distribution {
            if let [p, v] = words.as_slice()
                && let (Some(p), Some(ms)) = (p.strip_suffix('%'), wrk_ms(v))
            {
                r.percentiles.set(number(line, "percentile", p)?, ms);
                continue;
            }
            in_distribution = false;
        }
        match words.as_slice() {
            [threads, "threads", "and", connections, "connections"] => {
                let _ = threads;
                r.concurrency = Some(number(line, "connections", connections)?);
            }
            ["Latency", avg, ..] if r.latency_ms.is_none() => {
                r.latency_ms = Some(wrk_ms(avg).ok_or_else(|| {
                    ParseError::at(
                        line,
                        format!("latency {:?} is not a duration", shorten(avg)),
                    )
                })?);
            }
            ["Latency", "Distribution", ..] => in_distribution = true,
            ["Requests/sec:", x] => r.throughput = Some(number(line, "Requests/sec", x)?),
            ["Socket", "errors:", ..] | ["Non-2xx", ..] => out.warnings.push(format!(
                "line {line}: {} (their throughput is counted)",
                shorten(t)
            )),
            _ => {}
        }
    }
    match run {
        Some(r) => r.finish("wrk", &mut out)?,
        None => {
            return Err(ParseError::whole(
                "no \"Running … test @ …\" line: not wrk's output",
            ));
        }
    }
    Ok(out)
}

/// The concurrency a command line sets (`-c 50`, `-c=50`, `-c50`), if the line runs `tool`.
fn command_concurrency(
    line: usize,
    t: &str,
    tool: &str,
) -> Result<Option<Option<f64>>, ParseError> {
    let words: Vec<&str> = t.split_whitespace().collect();
    let Some(at) = words
        .iter()
        .position(|w| *w == tool || w.ends_with(&format!("/{tool}")))
    else {
        return Ok(None);
    };
    let args = &words[at + 1..];
    for (k, w) in args.iter().enumerate() {
        let value = if *w == "-c" {
            args.get(k + 1).copied()
        } else {
            w.strip_prefix("-c=")
                .or_else(|| w.strip_prefix("-c").filter(|v| !v.is_empty()))
        };
        if let Some(v) = value {
            return Ok(Some(Some(number(line, "-c", v)?)));
        }
    }
    Ok(Some(None))
}

/// hey or oha: a run starts at `Summary:`; the command line above it names its concurrency.
pub(crate) fn hey_or_oha(text: &str, tool: &str, options: &Options) -> Result<Parsed, ParseError> {
    let text = plain(text);
    let mut out = Parsed::default();
    let mut run: Option<Run> = None;
    // The concurrency of the last command line seen: `Some(None)` = the command gave no `-c`.
    let mut command: Option<Option<f64>> = None;
    let mut runs = 0;
    let mut in_distribution = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t == "Summary:" {
            if let Some(r) = run.take() {
                r.finish(tool, &mut out)?;
            }
            runs += 1;
            let concurrency = match (command.take(), options.concurrency) {
                (Some(Some(c)), _) => c,
                (Some(None), _) => {
                    out.warnings.push(format!(
                        "line {line}: the command gives no -c, so the run used {tool}'s default \
                         of {}",
                        trim(DEFAULT_CONCURRENCY)
                    ));
                    DEFAULT_CONCURRENCY
                }
                (None, Some(c)) if runs == 1 => c,
                (None, _) => {
                    return Err(ParseError::at(
                        line,
                        format!(
                            "{tool} does not print its concurrency: put the command line \
                             (`{tool} -c 50 …`) above each run's output{}",
                            if runs == 1 {
                                ", or give it (concurrency=N)"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
            };
            run = Some(Run {
                line,
                concurrency: Some(concurrency),
                ..Run::default()
            });
            in_distribution = false;
            continue;
        }
        if let Some(c) = command_concurrency(line, t, tool)? {
            if let Some(r) = run.take() {
                r.finish(tool, &mut out)?;
            }
            command = Some(c);
            continue;
        }
        let Some(r) = run.as_mut() else { continue };
        let words: Vec<&str> = t.split_whitespace().collect();
        if in_distribution {
            // `10% in 0.0002 secs` (hey), `10.00% in 0.0004 secs` (oha).
            if let [p, "in", v, "secs" | "sec"] = words.as_slice()
                && let Some(p) = p.strip_suffix('%')
            {
                let s = number(line, "latency", v)?;
                r.percentiles.set(number(line, "percentile", p)?, s * 1e3);
                continue;
            }
            in_distribution = false;
        }
        match words.as_slice() {
            ["Requests/sec:", x] => r.throughput = Some(number(line, "Requests/sec", x)?),
            ["Average:", x, "secs" | "sec"] => {
                r.latency_ms = Some(number(line, "Average", x)? * 1e3);
            }
            ["Latency", "distribution:"] | ["Response", "time", "distribution:"] => {
                in_distribution = true;
            }
            ["Error", "distribution:"] => out.warnings.push(format!(
                "line {line}: the run reports errors (their throughput is counted)"
            )),
            _ => {}
        }
    }
    match run {
        Some(r) => r.finish(tool, &mut out)?,
        None => {
            return Err(ParseError::whole(format!(
                "no \"Summary:\" line: not {tool}'s text output"
            )));
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
    fn wrk_durations_read_in_every_unit() {
        assert_eq!(wrk_ms("82.23us"), Some(0.082_23));
        assert_eq!(wrk_ms("4.38ms"), Some(4.38));
        assert_eq!(wrk_ms("1.50s"), Some(1_500.0));
        assert_eq!(wrk_ms("2.00m"), Some(120_000.0));
        assert_eq!(wrk_ms("soon"), None);
    }

    #[test]
    fn oha_colours_are_ignored_and_its_command_line_names_the_concurrency() {
        let text = "$ oha -z 5s -c 16 --no-tui http://h/\n\u{1b}[1mSummary:\u{1b}[0m\n  Success rate:\t100.00%\n  Total:\t5.0003 secs\n  Average:\t0.0010 secs\n  Requests/sec:\t15000.5000\n\nResponse time distribution:\n  10.00% in 0.0004 secs\n  50.00% in 0.0009 secs\n  99.00% in 0.0031 secs\n";
        let got = hey_or_oha(text, "oha", &Options::default()).unwrap();
        let p = got.points[0];
        assert_eq!((p.concurrency, p.throughput), (16.0, 15_000.5));
        assert!((p.latency_ms.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(p.latency_percentiles_ms.unwrap().p99, Some(3.1));
    }

    #[test]
    fn hey_without_a_command_line_needs_the_concurrency_given() {
        let text = "Summary:\n  Average:\t0.0002 secs\n  Requests/sec:\t4341.0824\n";
        let e = hey_or_oha(text, "hey", &Options::default()).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.to_string().contains("concurrency=N"), "{e}");
        let given = Options {
            concurrency: Some(8.0),
        };
        assert_eq!(
            hey_or_oha(text, "hey", &given).unwrap().points[0].concurrency,
            8.0
        );
        let e = hey_or_oha(
            "$ hey -c 2 u\nSummary:\n  Average:\t0.0002 secs\n",
            "hey",
            &given,
        )
        .unwrap_err();
        assert!(e.to_string().contains("no \"Requests/sec:\""), "{e}");
        let default = hey_or_oha(
            &format!("hey http://h/\n{text}"),
            "hey",
            &Options::default(),
        )
        .unwrap();
        assert_eq!(default.points[0].concurrency, 50.0);
        assert!(default.warnings[0].contains("default of 50"));
    }
}
