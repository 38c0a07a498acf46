//! Validation errors. Every input is checked once, at the edge, into typed values; the error names
//! the field (as a dotted path such as `phases[1].max_users`) and the reason, so the UI can put the
//! message next to the right input and the API can return it in its JSON error body.

use std::fmt;

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// NaN or ±infinity.
    NotFinite,
    /// Below zero where only non-negative values make sense.
    Negative,
    /// Outside the accepted range (both ends inclusive).
    OutOfRange { min: f64, max: f64 },
    /// Values that must increase do not (e.g. phases out of order).
    NotIncreasing { previous: f64 },
    /// A warning threshold at or above its critical threshold.
    WarningNotBelowCritical,
    /// A list that must not be empty is empty.
    Empty,
    /// A name that is not one of the known ones (provider, SKU, source…).
    Unknown(String),
    /// The same key twice where each must be unique.
    Duplicate(String),
    /// Values of which at least one must be above zero (weights, whose ratios are all that
    /// matter) are all zero.
    AllZero,
    /// A name or label holds a character that breaks a line ([`breaks_lines`]): `found`, at
    /// `position` (counted in characters, from 1).
    ControlCharacter { found: char, position: usize },
    /// A text longer than `max` characters.
    TooLong { max: usize },
    /// A list longer than `max` items (`what` names them: "phases", "events").
    TooMany { max: usize, what: &'static str },
    /// A key (used in URLs and file names) that is not 1–32 lowercase letters, digits or dashes.
    BadKey,
    /// A provider's plan identifier (instance type, size slug) that is not 1–64 ASCII letters,
    /// digits, dots, underscores or dashes: it lands in Terraform and in API calls as is.
    BadPlanId,
    /// An account or token name that is not 1–64 ASCII letters, digits, dots, underscores or
    /// dashes starting with a letter or digit: it appears in logs, the audit log and URLs.
    BadAccountName,
    /// Fewer characters than a secret (a password) needs.
    TooShort { min: usize },
    /// Shares that together exceed the whole (1-year plus 3-year commitments).
    SharesOverOne { sum: f64 },
    /// Load-test measurements the scalability law cannot be fitted to; the text says why.
    CannotFit(String),
    /// A value that must be one of `known`.
    NotOneOf { got: String, known: Vec<String> },
    /// Not a number where one is expected (a query parameter).
    NotANumber,
    /// A date that is not `YYYY-MM-DD`.
    BadDate { got: String },
    /// A price in a unit the item is not sold by.
    WrongUnit { expected: Vec<String> },
    /// A price in a currency the catalog has no exchange rate for.
    NoExchangeRate { currency: String },
    /// An unbounded egress tier before the last one (tiers after it could never apply).
    UnboundedTierNotLast,
    /// A query string the server cannot read; the text is the decoder's.
    Unreadable(String),
    /// A duration that is not a range of whole hours, days, weeks or months (`"2-3 weeks"`).
    BadSpan { got: String },
    /// A transition that passes over phases of the ladder (`over` names them) without `force`.
    SkipsPhases { over: Vec<String> },
    /// A transition to the phase the platform is on already.
    SamePhase,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotFinite => f.write_str("must be a finite number"),
            Reason::Negative => f.write_str("must not be negative"),
            Reason::OutOfRange { min, max } => write!(f, "must be between {min} and {max}"),
            Reason::NotIncreasing { previous } => {
                write!(f, "must be greater than the previous value ({previous})")
            }
            Reason::WarningNotBelowCritical => {
                f.write_str("warning threshold must be below the critical threshold")
            }
            Reason::Empty => f.write_str("must not be empty"),
            Reason::Unknown(name) => write!(f, "unknown value {name:?}"),
            Reason::Duplicate(name) => write!(f, "{name:?} appears more than once"),
            Reason::AllZero => f.write_str("must not all be zero"),
            Reason::ControlCharacter { found, position } => write!(
                f,
                "must not contain control characters (found U+{:04X} at character {position})",
                u32::from(*found)
            ),
            Reason::TooLong { max } => write!(f, "must be at most {max} characters long"),
            Reason::TooMany { max, what } => write!(f, "must hold at most {max} {what}"),
            Reason::BadKey => f.write_str(
                "must be 1–32 lowercase letters, digits or dashes, not starting with a dash",
            ),
            Reason::BadPlanId => f.write_str(
                "must be a plan identifier of 1–64 letters, digits, dots, underscores or dashes",
            ),
            Reason::BadAccountName => f.write_str(
                "must be 1–64 letters, digits, dots, underscores or dashes, starting with a \
                 letter or digit",
            ),
            Reason::TooShort { min } => write!(f, "must be at least {min} characters long"),
            Reason::SharesOverOne { sum } => write!(
                f,
                "the 1-year and 3-year shares must sum to at most 1 (they sum to {sum})"
            ),
            Reason::CannotFit(why) => write!(f, "cannot be fitted: {why}"),
            Reason::NotOneOf { got, known } => {
                write!(f, "must be one of {} (got {got:?})", known.join(", "))
            }
            Reason::NotANumber => f.write_str("must be a number"),
            Reason::BadDate { got } => write!(f, "must be a YYYY-MM-DD date (got {got:?})"),
            Reason::WrongUnit { expected } => {
                write!(f, "must be a price per {}", expected.join(" or "))
            }
            Reason::NoExchangeRate { currency } => {
                write!(f, "has no exchange rate for {currency} in the catalog")
            }
            Reason::UnboundedTierNotLast => f.write_str("only the last tier may be unbounded"),
            Reason::Unreadable(what) => write!(f, "cannot be read: {what}"),
            Reason::BadSpan { got } => write!(
                f,
                "must be a duration like \"2-3 weeks\" or \"4 hours\" (hours, days, weeks or \
                 months, at most a year; got {got:?})"
            ),
            Reason::SkipsPhases { over } => write!(
                f,
                "skips {}: record each step, or send \"force\": true to record this one anyway",
                over.join(", ")
            ),
            Reason::SamePhase => f.write_str("is the phase the platform is on already"),
        }
    }
}

/// A refused input: which field, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// Dotted path of the field, e.g. `peak_concurrent_users` or `phases[2].thresholds.cpu`.
    pub field: String,
    pub reason: Reason,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, reason: Reason) -> Self {
        Self {
            field: field.into(),
            reason,
        }
    }
}

/// Checks that `value` is finite and within `[min, max]`, naming `field` otherwise.
pub(crate) fn check_range(
    field: &str,
    value: f64,
    min: f64,
    max: f64,
) -> Result<f64, ValidationError> {
    if !value.is_finite() {
        return Err(ValidationError::new(field, Reason::NotFinite));
    }
    if value < 0.0 && min >= 0.0 {
        return Err(ValidationError::new(field, Reason::Negative));
    }
    if value < min || value > max {
        return Err(ValidationError::new(field, Reason::OutOfRange { min, max }));
    }
    Ok(value)
}

/// Whether `c` ends or breaks a line for some reader: every Unicode control character (C0, DEL
/// and C1, which includes NEL U+0085), plus the line and paragraph separators U+2028 and U+2029
/// (line breaks for YAML 1.1, JavaScript and many editors). Validation refuses them in names and
/// labels, and the bundle escapers ([`crate::bundle::escape`]) neutralise them wherever text
/// reaches a generated file: one rule for both.
pub fn breaks_lines(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Checks a name or label: not blank when `required`, no character that [`breaks_lines`], at
/// most `max` characters. Names are shown in the UI and written into generated config files and
/// CSV exports; a line break in one is how text from a shared link would turn into configuration.
pub(crate) fn check_text(
    field: &str,
    text: &str,
    required: bool,
    max: usize,
) -> Result<(), ValidationError> {
    if required && text.trim().is_empty() {
        return Err(ValidationError::new(field, Reason::Empty));
    }
    if let Some((i, found)) = text.chars().enumerate().find(|(_, c)| breaks_lines(*c)) {
        return Err(ValidationError::new(
            field,
            Reason::ControlCharacter {
                found,
                position: i + 1,
            },
        ));
    }
    if text.chars().count() > max {
        return Err(ValidationError::new(field, Reason::TooLong { max }));
    }
    Ok(())
}

/// Refuses a document whose `format_version` is not the one this crate reads.
pub(crate) fn check_format_version(got: u32, supported: u32) -> Result<(), ValidationError> {
    if got == supported {
        Ok(())
    } else {
        let v = f64::from(supported);
        Err(ValidationError::new(
            "format_version",
            Reason::OutOfRange { min: v, max: v },
        ))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn each_reason_says_what_is_wrong() {
        let says = |r: Reason| ValidationError::new("f", r).to_string();
        assert_eq!(
            says(Reason::TooMany {
                max: 12,
                what: "phases"
            }),
            "f: must hold at most 12 phases"
        );
        assert_eq!(
            says(Reason::SharesOverOne { sum: 1.25 }),
            "f: the 1-year and 3-year shares must sum to at most 1 (they sum to 1.25)"
        );
        assert_eq!(
            says(Reason::BadDate {
                got: "2025-13-01".to_owned()
            }),
            "f: must be a YYYY-MM-DD date (got \"2025-13-01\")"
        );
        assert_eq!(
            says(Reason::NotOneOf {
                got: "x".to_owned(),
                known: vec!["a".to_owned(), "b".to_owned()]
            }),
            "f: must be one of a, b (got \"x\")"
        );
        assert!(says(Reason::BadKey).contains("lowercase letters, digits or dashes"));
    }

    #[test]
    fn range_check_names_the_field_and_the_reason() {
        let check = |v| check_range("a.b", v, 0.0, 10.0).map_err(|e| e.to_string());
        assert_eq!(check(5.0), Ok(5.0));
        assert_eq!(
            check(f64::NAN),
            Err("a.b: must be a finite number".to_owned())
        );
        assert_eq!(
            check(f64::INFINITY),
            Err("a.b: must be a finite number".to_owned())
        );
        assert_eq!(check(-1.0), Err("a.b: must not be negative".to_owned()));
        assert_eq!(check(11.0), Err("a.b: must be between 0 and 10".to_owned()));
    }

    #[test]
    fn text_check_refuses_blanks_line_breaks_and_long_texts() {
        let check = |t: &str, required| check_text("n", t, required, 5).map_err(|e| e.reason);
        assert_eq!(check("Scale", true), Ok(()));
        assert_eq!(check("", false), Ok(()));
        assert_eq!(check("", true), Err(Reason::Empty));
        assert_eq!(check(" \t", true), Err(Reason::Empty));
        assert_eq!(check("éééééé", true), Err(Reason::TooLong { max: 5 }));
        assert_eq!(check("ééééé", true), Ok(()));
        for (text, found, position) in [
            ("a\nb", '\n', 2),
            ("\rab", '\r', 1),
            ("ab\t", '\t', 3),
            ("a\u{0}", '\u{0}', 2),
            ("a\u{7f}", '\u{7f}', 2),
            ("a\u{85}", '\u{85}', 2),
            ("é\u{2028}", '\u{2028}', 2),
            ("é\u{2029}", '\u{2029}', 2),
            ("\u{1b}[31m", '\u{1b}', 1),
        ] {
            assert_eq!(
                check(text, true),
                Err(Reason::ControlCharacter { found, position }),
                "{text:?}"
            );
        }
        let e = check_text("phases[0].name", "Launch\nresource", true, 60).unwrap_err();
        assert_eq!(
            e.to_string(),
            "phases[0].name: must not contain control characters (found U+000A at character 7)"
        );
        assert_eq!(
            check_text("x", "toolong", false, 3)
                .unwrap_err()
                .to_string(),
            "x: must be at most 3 characters long"
        );
    }
}
