//! How long a step of a phase transition takes, as the seeds write it: a range and a unit
//! (`"2-3 weeks"`, `"2-4 hours"`, `"1-2 days"`), and the seeds' durations as defaults.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Reason, ValidationError};

/// A unit a duration is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanUnit {
    Hours,
    Days,
    Weeks,
    Months,
}

impl SpanUnit {
    const ALL: [SpanUnit; 4] = [
        SpanUnit::Hours,
        SpanUnit::Days,
        SpanUnit::Weeks,
        SpanUnit::Months,
    ];

    fn word(self) -> &'static str {
        match self {
            SpanUnit::Hours => "hours",
            SpanUnit::Days => "days",
            SpanUnit::Weeks => "weeks",
            SpanUnit::Months => "months",
        }
    }

    /// Days in one unit: a month is the mean Gregorian month (365.2425 / 12 days).
    fn days(self) -> f64 {
        match self {
            SpanUnit::Hours => 1.0 / 24.0,
            SpanUnit::Days => 1.0,
            SpanUnit::Weeks => 7.0,
            SpanUnit::Months => 30.436_875,
        }
    }
}

/// A duration as a range, `low` to `high` whole units (`low ≤ high`, `high` at most a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    low: u32,
    high: u32,
    unit: SpanUnit,
}

/// The longest step a transition plan may hold: a year.
const MAX_SPAN_DAYS: f64 = 366.0;

impl Span {
    /// A range of whole `unit`s; `None` when `low > high`, `high` is 0 or longer than a year.
    pub fn new(low: u32, high: u32, unit: SpanUnit) -> Option<Span> {
        (low <= high && high > 0 && f64::from(high) * unit.days() <= MAX_SPAN_DAYS)
            .then_some(Span { low, high, unit })
    }

    /// Reads `"2-3 weeks"`, `"2–3 weeks"`, `"3 days"` or `"1 week"`, naming `field` when it is
    /// none of these.
    pub fn parse(field: &str, text: &str) -> Result<Span, ValidationError> {
        let bad = || {
            ValidationError::new(
                field,
                Reason::BadSpan {
                    got: text.chars().take(40).collect(),
                },
            )
        };
        let mut words = text.split_whitespace();
        let (Some(range), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let unit = SpanUnit::ALL
            .into_iter()
            .find(|u| unit == u.word() || unit == u.word().trim_end_matches('s'))
            .ok_or_else(bad)?;
        let number = |t: &str| {
            (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u32>().ok())
                .flatten()
        };
        let (low, high) = match range.split_once(['-', '–']) {
            Some((a, b)) => (number(a), number(b)),
            None => (number(range), number(range)),
        };
        let (Some(low), Some(high)) = (low, high) else {
            return Err(bad());
        };
        Span::new(low, high, unit).ok_or_else(bad)
    }

    /// The short end in days.
    pub fn low_days(self) -> f64 {
        f64::from(self.low) * self.unit.days()
    }

    /// The long end in days: what a schedule plans for.
    pub fn high_days(self) -> f64 {
        f64::from(self.high) * self.unit.days()
    }

    /// The long end in whole days, rounded up (a 4-hour window takes a day on the calendar).
    pub fn high_whole_days(self) -> i64 {
        // At most MAX_SPAN_DAYS.
        #[allow(clippy::cast_possible_truncation)]
        let d = self.high_days().ceil() as i64;
        d
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = self.unit.word();
        if self.low == self.high {
            let unit = if self.high == 1 {
                unit.trim_end_matches('s')
            } else {
                unit
            };
            write!(f, "{} {unit}", self.high)
        } else {
            write!(f, "{}-{} {unit}", self.low, self.high)
        }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Span::parse("duration", &text).map_err(|e| serde::de::Error::custom(e.reason))
    }
}

/// How long the three steps of one transition take: preparing it (the checklist), executing it
/// (the change window) and validating it (watching the new phase under load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepDurations {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2-3 weeks"))]
    pub preparation: Span,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2-4 hours"))]
    pub execution: Span,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1-2 days"))]
    pub validation: Span,
}

impl StepDurations {
    /// The seeds' transition timeline for the move onto rung `to_index` of the ladder: Launch →
    /// Growth takes 2–3 weeks to prepare, 2–4 hours to execute and 1–2 days to validate; Growth
    /// → Scale 4–6 weeks, 4–8 hours and 3–5 days. The seeds stop there, so every later step
    /// defaults to Growth → Scale (a bigger platform does not prepare faster).
    pub fn seed_default(to_index: usize) -> StepDurations {
        let s = |low, high, unit| Span { low, high, unit };
        if to_index <= 1 {
            StepDurations {
                preparation: s(2, 3, SpanUnit::Weeks),
                execution: s(2, 4, SpanUnit::Hours),
                validation: s(1, 2, SpanUnit::Days),
            }
        } else {
            StepDurations {
                preparation: s(4, 6, SpanUnit::Weeks),
                execution: s(4, 8, SpanUnit::Hours),
                validation: s(3, 5, SpanUnit::Days),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn spans_read_and_write_as_the_seeds_do() {
        for (text, shown, high) in [
            ("2-3 weeks", "2-3 weeks", 21.0),
            ("2–4 hours", "2-4 hours", 4.0 / 24.0),
            ("1 week", "1 week", 7.0),
            ("5 days", "5 days", 5.0),
            ("2-3 months", "2-3 months", 91.310_625),
        ] {
            let s = Span::parse("preparation", text).unwrap();
            assert_eq!(s.to_string(), shown);
            assert!((s.high_days() - high).abs() < 1e-9, "{text}");
        }
        for bad in [
            "",
            "3",
            "weeks",
            "3-2 weeks",
            "0 days",
            "2-3 fortnights",
            "1-60 weeks",
            "-1 days",
            "1.5 days",
            "2 - 3 weeks",
        ] {
            let e = Span::parse("validation", bad).unwrap_err();
            assert_eq!(e.field, "validation", "{bad:?}");
        }
    }

    #[test]
    fn later_steps_default_to_growth_to_scale() {
        assert_eq!(
            StepDurations::seed_default(1).preparation.to_string(),
            "2-3 weeks"
        );
        assert_eq!(
            StepDurations::seed_default(2).execution.to_string(),
            "4-8 hours"
        );
        assert_eq!(
            StepDurations::seed_default(3),
            StepDurations::seed_default(2)
        );
        assert_eq!(
            StepDurations::seed_default(1).validation.high_whole_days(),
            2
        );
    }
}
