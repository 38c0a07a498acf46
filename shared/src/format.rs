//! Numbers for people, written one way everywhere: the SPA's pages, the generated bundles'
//! READMEs and the live readings all call these, so a figure reads the same on every page and in
//! every file. Negative values take the minus sign (U+2212, `−`), thousands a comma; a value that
//! is not a number (NaN, ±∞) reads as an em dash (`—`) rather than as `NaN` or a huge integer.

/// Whole units with thousands separators: `1234567.4` → `"1,234,567"`, `-2500` → `"−2,500"`.
pub fn thousands(n: f64) -> String {
    grouped(n, 0)
}

/// Up to two decimals, trailing zeros dropped, thousands separated: `266.666…` → `"266.67"`,
/// `3.0` → `"3"`, `1234.5` → `"1,234.5"`. For quantities on a bill (GB of egress, instances).
pub fn quantity(n: f64) -> String {
    let s = grouped(n, 2);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// Whole dollars: `"$1,234"`, `"−$80"`.
pub fn usd(n: f64) -> String {
    let s = thousands(n);
    match s.strip_prefix('−') {
        Some(rest) => format!("−${rest}"),
        None if s == "—" => s,
        None => format!("${s}"),
    }
}

/// Dollars with cents, for small unit costs: `"$0.11"`, `"−$0.50"`.
pub fn usd_cents(n: f64) -> String {
    let s = grouped(n, 2);
    match s.strip_prefix('−') {
        Some(rest) => format!("−${rest}"),
        None if s == "—" => s,
        None => format!("${s}"),
    }
}

/// A percentage with `decimals` decimals: `72.456` → `"72.5 %"` (a space before `%`, as the pages write it).
pub fn percent(n: f64, decimals: usize) -> String {
    let s = grouped(n, decimals);
    if s == "—" { s } else { format!("{s} %") }
}

/// `n` rounded to `decimals`, its integer part grouped by thousands, `−` for negatives, `—` for
/// what is not a number. A value that rounds to zero has no sign.
fn grouped(n: f64, decimals: usize) -> String {
    if !n.is_finite() {
        return "—".to_owned();
    }
    // Half away from zero (2,518.5 → 2,519), as people round and `f64::round` does; `format!`
    // alone would round half to even.
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(0));
    let fixed = format!("{:.*}", decimals, (n.abs() * scale).round() / scale);
    let (int, frac) = fixed.split_once('.').unwrap_or((fixed.as_str(), ""));
    let rounds_to_zero = fixed.bytes().all(|b| b == b'0' || b == b'.');
    let mut out = String::with_capacity(fixed.len() + fixed.len() / 3 + 2);
    if n < 0.0 && !rounds_to_zero {
        out.push('−');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn thousands_group_round_and_sign() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(-2_500.0), "−2,500");
        assert_eq!(thousands(-0.4), "0");
        assert_eq!(thousands(2_518.5), "2,519");
        assert_eq!(thousands(f64::NAN), "—");
        assert_eq!(thousands(f64::NEG_INFINITY), "—");
    }

    #[test]
    fn quantities_keep_what_matters() {
        assert_eq!(quantity(266.666_666_666_666_63), "266.67");
        assert_eq!(quantity(3.0), "3");
        assert_eq!(quantity(1_234.5), "1,234.5");
        assert_eq!(quantity(0.004), "0");
    }

    #[test]
    fn money_and_percentages() {
        assert_eq!(usd(1_234.4), "$1,234");
        assert_eq!(usd(-80.0), "−$80");
        assert_eq!(usd(f64::NAN), "—");
        assert_eq!(usd_cents(0.114), "$0.11");
        assert_eq!(usd_cents(-0.5), "−$0.50");
        assert_eq!(percent(72.456, 1), "72.5 %");
        assert_eq!(percent(f64::INFINITY, 1), "—");
    }
}
