//! Dates as editors write them ("2021", "2021年6月", "2021-06-01") and the warning for one
//! that lies in the future although the entry says the thing has happened.

use std::time::{SystemTime, UNIX_EPOCH};

use super::EntryContext;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// A calendar day; missing month or day count as the first, so "2026" is 2026-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Day {
    /// Today in China (UTC+8), from the system clock.
    pub fn today() -> Day {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Day::from_days_since_epoch((seconds + 8 * 3600).div_euclid(86_400))
    }

    /// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic
    /// Gregorian date, exact for every day a site will ever carry.
    fn from_days_since_epoch(days: i64) -> Day {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
        Day { year, month, day }
    }

    /// The first date in free text: a four-digit year, then month and day if given.
    pub fn parse_loose(text: &str) -> Option<Day> {
        let mut numbers = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty());
        let year = numbers.next().filter(|y| y.len() == 4)?.parse().ok()?;
        let mut next = |max: u32| {
            numbers
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (1..=max).contains(n))
        };
        let month = next(12);
        let day = month.and_then(|_| next(31));
        Some(Day {
            year,
            month: month.unwrap_or(1),
            day: day.unwrap_or(1),
        })
    }
}

/// Warns when `text` is a date after `today`; `what` names the field and its claim.
pub(crate) fn warn_if_future(
    text: &str,
    span: std::ops::Range<usize>,
    what: &str,
    expected: &str,
    today: Day,
    ctx: &EntryContext,
    problems: &mut Diagnostics,
) {
    if Day::parse_loose(text).is_some_and(|day| day > today) {
        problems.push(
            Diagnostic::warning(
                ctx.file,
                span,
                format!("{what} `{text}` is in the future (today is {today})"),
            )
            .expected(expected),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_epoch_become_dates() {
        let day = |d| Day::from_days_since_epoch(d).to_string();
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(20_780), "2026-11-23");
        assert_eq!(day(11_016), "2000-02-29");
        assert_eq!(day(-1), "1969-12-31");
    }

    #[test]
    fn loose_dates_are_read_as_editors_write_them() {
        let parse = |t| Day::parse_loose(t).map(|d| d.to_string());
        assert_eq!(parse("2021").as_deref(), Some("2021-01-01"));
        assert_eq!(parse("2021年6月").as_deref(), Some("2021-06-01"));
        assert_eq!(parse("2021-06-15").as_deref(), Some("2021-06-15"));
        assert_eq!(parse("2021.13").as_deref(), Some("2021-01-01"));
        assert_eq!(parse("六月"), None);
        assert_eq!(parse("21-06"), None);
    }
}
