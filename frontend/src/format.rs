//! Numbers for people: thousands separators, dollars, months as dates.

/// `1234567.4` → `"1,234,567"`.
pub fn thousands(n: f64) -> String {
    if !n.is_finite() {
        return "—".to_owned();
    }
    let digits = format!("{:.0}", n.abs().round());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < -0.5 {
        out.push('−');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whole dollars: `"$1,234"`, `"−$80"`.
pub fn usd(n: f64) -> String {
    let s = thousands(n);
    match s.strip_prefix('−') {
        Some(rest) => format!("−${rest}"),
        None => format!("${s}"),
    }
}

/// Dollars with cents, for small unit costs: `"$0.11"`.
pub fn usd_cents(n: f64) -> String {
    if n.is_finite() {
        format!("${n:.2}")
    } else {
        "—".to_owned()
    }
}

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
}
