//! JMeter's JTL results as CSV, with the header JMeter writes by default
//! (`timeStamp,elapsed,label,responseCode,…,success,…,grpThreads,allThreads,…`): one row per
//! sample, `timeStamp` its start in unix milliseconds and `elapsed` its time in milliseconds.
//! Samples are grouped by the active threads of all groups (`allThreads`); a level's throughput
//! is its samples over the time from its first start to its last end.

use super::csv::{Header, Records, field};
use super::{Level, ParseError, Parsed, number, trim};

/// Per level: the level, its first start and last end (ms).
struct Span {
    level: Level,
    first_ms: f64,
    last_ms: f64,
}

pub(crate) fn jtl(text: &str) -> Result<Parsed, ParseError> {
    let mut records = Records::new(text);
    let (line, header) = records
        .next()
        .ok_or_else(|| ParseError::whole("the file is empty"))??;
    let h = Header::new(&header);
    if h.find("timestamp").is_none()
        && header
            .first()
            .is_some_and(|f| f.trim().parse::<f64>().is_ok())
    {
        return Err(ParseError::at(
            line,
            "no header: save the JTL with its field names (jmeter.save.saveservice.print_field_names=true)",
        ));
    }
    let ts = h.require(line, "timestamp", "JMeter JTL")?;
    let elapsed = h.require(line, "elapsed", "JMeter JTL")?;
    let threads = h
        .find("allthreads")
        .or_else(|| h.find("grpthreads"))
        .ok_or_else(|| {
            ParseError::at(
                line,
                "no \"allThreads\" column: save the JTL with thread counts \
                 (jmeter.save.saveservice.thread_counts=true)",
            )
        })?;
    let success = h.find("success");
    let mut spans: Vec<Span> = Vec::new();
    for record in records {
        let (line, r) = record?;
        let start = number(line, "timeStamp", field(line, &r, ts, "timeStamp")?)?;
        let took = number(line, "elapsed", field(line, &r, elapsed, "elapsed")?)?;
        let n = number(line, "allThreads", field(line, &r, threads, "allThreads")?)?;
        if took < 0.0 || n < 0.0 {
            return Err(ParseError::at(
                line,
                "elapsed and allThreads must not be negative",
            ));
        }
        if n == 0.0 {
            continue;
        }
        let failed = success
            .and_then(|i| r.get(i))
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
        let i = match spans.iter().position(|s| s.level.concurrency == n) {
            Some(i) => i,
            None => {
                spans.push(Span {
                    level: Level {
                        concurrency: n,
                        first_line: line,
                        ..Level::default()
                    },
                    first_ms: start,
                    last_ms: start + took,
                });
                spans.len() - 1
            }
        };
        let s = &mut spans[i];
        s.level.requests += 1.0;
        s.level.failures += f64::from(u8::from(failed));
        s.level.latency_sum_ms += took;
        s.level.latency_count += 1.0;
        s.first_ms = s.first_ms.min(start);
        s.last_ms = s.last_ms.max(start + took);
    }
    let mut out = Parsed::default();
    for s in &spans {
        match s.level.point((s.last_ms - s.first_ms) / 1_000.0, "threads") {
            Ok(p) => {
                if s.level.failures > 0.0 {
                    out.warnings.push(format!(
                        "{} threads: {} of {} samples failed (counted in the throughput)",
                        trim(s.level.concurrency),
                        trim(s.level.failures),
                        trim(s.level.requests)
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

    const HEADER: &str = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n";

    #[test]
    fn samples_group_by_active_threads() {
        let mut text = String::from(HEADER);
        // 2 threads for 4 s: a sample every 100 ms of 50 ms each → 10 per second.
        for i in 0..40 {
            text.push_str(&format!(
                "{},50,GET /,200,OK,TG 1-1,text,true,,65,120,2,2,http://h/,49,0,1\n",
                1_700_000_000_000_i64 + i * 100
            ));
        }
        // A failure whose message holds a comma and quotes.
        text.push_str("1700000004000,80,GET /,500,\"Server Error, \"\"oops\"\"\",TG 1-2,text,false,\"500, body\",10,120,2,2,http://h/,79,0,1\n");
        let got = jtl(&text).unwrap();
        assert_eq!(got.points.len(), 1);
        let p = got.points[0];
        assert_eq!(p.concurrency, 2.0);
        // 41 samples from 0 to 4.08 s.
        assert!((p.throughput - 41.0 / 4.08).abs() < 1e-9, "{p:?}");
        assert!(
            got.warnings[0].contains("1 of 41 samples failed"),
            "{got:?}"
        );
    }

    #[test]
    fn a_jtl_without_header_or_thread_counts_says_what_to_save() {
        let e = jtl("1700000000000,50,GET /,200\n").unwrap_err();
        assert!(e.to_string().contains("print_field_names"), "{e}");
        let e = jtl("timeStamp,elapsed,label\n1,2,x\n").unwrap_err();
        assert!(e.to_string().contains("thread_counts"), "{e}");
        let e = jtl(&format!(
            "{HEADER}1700000000000,fifty,GET /,200,OK,T,text,true,,1,1,1,1,u,1,0,1\n"
        ))
        .unwrap_err();
        assert_eq!(e.to_string(), "line 2: elapsed \"fifty\" is not a number");
    }
}
