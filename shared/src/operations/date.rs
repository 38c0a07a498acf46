//! Calendar dates for milestones: the model has no clock, so the caller says what day it is,
//! and dates are whole days in the proleptic Gregorian calendar (UTC), written `YYYY-MM-DD`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Reason, ValidationError};

/// A day, as the number of days since 1970-01-01 (negative before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// The day of a Unix time in seconds (UTC).
    pub fn from_unix_seconds(seconds: f64) -> Day {
        // Finite times of any real platform are far inside i64 days.
        #[allow(clippy::cast_possible_truncation)]
        let days = (seconds / 86_400.0).floor() as i64;
        Day(days)
    }

    /// The first day of a calendar month (`month` 1–12).
    pub fn first_of(year: i32, month: u32) -> Day {
        Day::ymd(year, month, 1)
    }

    /// Howard Hinnant's `days_from_civil`: exact for every Gregorian date.
    pub fn ymd(year: i32, month: u32, day: u32) -> Day {
        let y = i64::from(year) - i64::from(month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Day(era * 146_097 + doe - 719_468)
    }

    /// The inverse of [`Day::ymd`] (`civil_from_days`).
    pub fn civil(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        // Bounded: days of real plans are within ±5 million years of 1970.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        (y as i32, m as u32, d as u32)
    }

    /// `n` days later (earlier for negative `n`).
    pub fn plus_days(self, n: i64) -> Day {
        Day(self.0 + n)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        later.0 - self.0
    }

    /// Reads `YYYY-MM-DD`, naming `field` when it is not a real date.
    pub fn parse(field: &str, text: &str) -> Result<Day, ValidationError> {
        let bad = || {
            ValidationError::new(
                field,
                Reason::BadDate {
                    got: text.chars().take(40).collect(),
                },
            )
        };
        let mut parts = text.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(bad());
        };
        let day = Day::ymd(y, m, d);
        if (1..=12).contains(&m) && day.civil() == (y, m, d) {
            Ok(day)
        } else {
            Err(bad())
        }
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Day::parse("date", &text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Date,
            )))
            .examples([serde_json::json!("2027-03-01")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Day {}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn days_round_trip_through_the_calendar() {
        assert_eq!(Day::ymd(1970, 1, 1), Day(0));
        assert_eq!(Day::ymd(2000, 3, 1).0, 11_017);
        assert_eq!(Day::ymd(2024, 2, 29).plus_days(1).civil(), (2024, 3, 1));
        assert_eq!(Day::ymd(2026, 12, 31).plus_days(1).civil(), (2027, 1, 1));
        for n in (-800_000..800_000).step_by(997) {
            let (y, m, d) = Day(n).civil();
            assert_eq!(Day::ymd(y, m, d), Day(n));
        }
        assert_eq!(
            Day::from_unix_seconds(1_796_083_200.0).to_string(),
            "2026-12-01"
        );
    }

    #[test]
    fn only_real_dates_parse() {
        assert_eq!(
            Day::parse("d", "2027-02-28").unwrap().to_string(),
            "2027-02-28"
        );
        for bad in [
            "2027-02-29",
            "2027-13-01",
            "27-01-01",
            "2027-1-01",
            "x",
            "2027-01-01T00",
        ] {
            let e = Day::parse("target_date", bad).unwrap_err();
            assert_eq!(e.field, "target_date", "{bad}");
        }
    }
}
