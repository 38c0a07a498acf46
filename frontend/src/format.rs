//! Numbers for people: thousands separators, dollars, months as dates.

pub use phaseplan_model::format::{percent, quantity, thousands, usd, usd_cents};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `(2027, 4)` → `"Apr 2027"`.
pub fn month_label(year: i32, calendar_month: u32) -> String {
    let name = MONTHS
        .get(calendar_month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    format!("{name} {year}")
}

/// `(year, month 1–12, day)` of a unix time in UTC (Hinnant's civil-from-days).
fn civil(unix_seconds: f64) -> (i64, u32, u32) {
    #[allow(clippy::cast_possible_truncation)]
    let days = (unix_seconds / 86_400.0).floor() as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (year, month as u32, day as u32)
}

/// A unix time as a day: `"12 Mar 2027"` (UTC).
pub fn date_label(unix_seconds: f64) -> String {
    if !unix_seconds.is_finite() || unix_seconds.abs() > 1e12 {
        return "—".to_owned();
    }
    let (y, m, d) = civil(unix_seconds);
    let name = MONTHS.get(m as usize - 1).copied().unwrap_or("?");
    format!("{d} {name} {y}")
}

/// When a forecast crossing happens, said for people: "now", "12 Mar 2027", "beyond 10 years",
/// "not on this trend".
pub fn when_label(now: f64, at: Option<f64>) -> String {
    const TEN_YEARS: f64 = 10.0 * 365.25 * 86_400.0;
    match at {
        None => "not on this trend".to_owned(),
        Some(t) if t <= now => "now".to_owned(),
        Some(t) if t - now > TEN_YEARS => "beyond 10 years".to_owned(),
        Some(t) => date_label(t),
    }
}

/// A span of seconds, roughly: `"42 s"`, `"3 min"`, `"5 h"`.
pub fn ago(seconds: f64) -> String {
    let s = seconds.max(0.0);
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 90.0 * 60.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.0} h", s / 3_600.0)
    }
}

/// A server time (RFC 3339, UTC: `2026-03-12T14:05:09.123Z`) to the second, for tables:
/// `"2026-03-12 14:05:09"`. Anything else is shown as it came.
pub fn utc_time(rfc3339: &str) -> String {
    match rfc3339.get(..19) {
        Some(head) if rfc3339.ends_with('Z') && head.as_bytes().get(10) == Some(&b'T') => {
            head.replacen('T', " ", 1)
        }
        _ => rfc3339.to_owned(),
    }
}

/// A server message as a sentence of its own: the server writes them to follow a colon
/// (`"the name or the password is wrong"`); shown alone they start with a capital and end with
/// a full stop.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut s: String = first.to_uppercase().collect();
    s.push_str(chars.as_str());
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// A live metric's value for people: `"CPU 24.4 %"`, `"network in 1.2 MB/s"`, `"cache 12 MiB"`.
pub fn metric_value(m: phaseplan_model::live::Metric, v: f64) -> String {
    use phaseplan_model::live::Metric as M;
    let mib = |b: f64| format!("{:.0} MiB", b / 1_048_576.0);
    let rate = |b: f64| {
        if b >= 1e6 {
            format!("{:.1} MB/s", b / 1e6)
        } else {
            format!("{:.0} kB/s", b / 1e3)
        }
    };
    match m {
        M::ConcurrentUsers => format!("users {}", thousands(v)),
        M::RequestsPerSecond => format!("requests {}/s", thousands(v)),
        M::CpuPercent => format!("CPU {v:.1} %"),
        M::MemoryPercent => format!("memory {v:.1} %"),
        M::Load1 => format!("load {v:.2}"),
        M::NetworkRxBytesPerSecond => format!("network in {}", rate(v)),
        M::NetworkTxBytesPerSecond => format!("network out {}", rate(v)),
        M::DbConnections => format!("connections {}", thousands(v)),
        M::DbMaxConnections => format!("max_connections {}", thousands(v)),
        M::CacheMemoryBytes => format!("cache {}", mib(v)),
        M::CacheMaxMemoryBytes if v <= 0.0 => "maxmemory unlimited".to_owned(),
        M::CacheMaxMemoryBytes => format!("maxmemory {}", mib(v)),
        M::CacheClients => format!("clients {}", thousands(v)),
        M::CacheOpsPerSecond => format!("{} ops/s", thousands(v)),
        M::CacheHitRatePercent => format!("hit rate {v:.1} %"),
        M::WebsocketConnections => format!("WebSockets {}", thousands(v)),
        M::RequestDurationSeconds => format!("request time {:.1} ms", v * 1_000.0),
        M::DbQueriesPerSecond => format!("queries {}/s", thousands(v)),
        M::DbQuerySeconds => format!("query time {:.2} ms", v * 1_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(15_000.0), "15,000");
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(-2_500.0), "−2,500");
        assert_eq!(thousands(f64::NAN), "—");
    }

    #[test]
    fn money_and_months() {
        assert_eq!(usd(2_903.4), "$2,903");
        assert_eq!(usd(-853.0), "−$853");
        assert_eq!(usd_cents(0.1149), "$0.11");
        assert_eq!(month_label(2027, 4), "Apr 2027");
        assert_eq!(month_label(2028, 12), "Dec 2028");
    }

    #[test]
    fn server_times_to_the_second() {
        assert_eq!(utc_time("2026-03-12T14:05:09.123Z"), "2026-03-12 14:05:09");
        assert_eq!(utc_time("2026-03-12T14:05:09Z"), "2026-03-12 14:05:09");
        assert_eq!(utc_time("yesterday"), "yesterday");
        assert_eq!(utc_time(""), "");
    }

    #[test]
    fn server_messages_as_sentences() {
        assert_eq!(
            sentence("the last admin cannot be removed"),
            "The last admin cannot be removed."
        );
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn dates_from_unix_time() {
        assert_eq!(date_label(0.0), "1 Jan 1970");
        // 2026-11-23T12:00:00Z
        assert_eq!(date_label(1_795_435_200.0), "23 Nov 2026");
        // Leap day 2028-02-29T00:00:00Z.
        assert_eq!(date_label(1_835_395_200.0), "29 Feb 2028");
        assert_eq!(date_label(f64::NAN), "—");
        let now = 1_795_435_200.0;
        assert_eq!(when_label(now, None), "not on this trend");
        assert_eq!(when_label(now, Some(now - 5.0)), "now");
        assert_eq!(when_label(now, Some(now + 86_400.0 * 9.0)), "2 Dec 2026");
        assert_eq!(when_label(now, Some(now + 4e8)), "beyond 10 years");
        assert_eq!(ago(4.2), "4 s");
        assert_eq!(ago(600.0), "10 min");
        assert_eq!(ago(7_200.0), "2 h");
    }

    #[test]
    fn live_metrics_in_words() {
        use phaseplan_model::live::Metric;
        assert_eq!(metric_value(Metric::CpuPercent, 24.44), "CPU 24.4 %");
        assert_eq!(
            metric_value(Metric::NetworkRxBytesPerSecond, 1_234_567.0),
            "network in 1.2 MB/s"
        );
        assert_eq!(
            metric_value(Metric::CacheMemoryBytes, 12.0 * 1_048_576.0),
            "cache 12 MiB"
        );
        assert_eq!(
            metric_value(Metric::CacheMaxMemoryBytes, 0.0),
            "maxmemory unlimited"
        );
        assert_eq!(
            metric_value(Metric::CacheOpsPerSecond, 1_500.0),
            "1,500 ops/s"
        );
    }
}
