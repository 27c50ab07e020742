//! Dates and times: parsed strictly, stored in UTC (RFC 3339, `Z`), shown in local time.
//!
//! A date alone (`YYYY-MM-DD`) is a calendar date with no time zone (a birth date, a due date).
//! A date and time typed without an offset is read in the computer's local time zone, the one
//! the worker lives in.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};

use crate::error::{Error, Problem, Result};

/// Parses a calendar date `YYYY-MM-DD` (nothing else: no `12/03/26` ambiguity).
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return Err(Error::invalid(field, Problem::MalformedDate));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::invalid(field, Problem::MalformedDate))
}

/// [`parse_date`] of an optional value (an option not given stays none).
pub fn parse_optional_date(field: &str, s: Option<&str>) -> Result<Option<NaiveDate>> {
    s.map(|s| parse_date(field, s)).transpose()
}

/// Parses a date and time: RFC 3339 with an offset, or `YYYY-MM-DDTHH:MM[:SS]` /
/// `YYYY-MM-DD HH:MM[:SS]` in local time.
pub fn parse_datetime(field: &str, s: &str) -> Result<DateTime<Utc>> {
    parse_datetime_in(field, s, &Local)
}

/// [`parse_datetime`] with an explicit zone for times typed without an offset.
pub fn parse_datetime_in<Tz: TimeZone>(field: &str, s: &str, tz: &Tz) -> Result<DateTime<Utc>> {
    let s = s.trim();
    let bad = || Error::invalid(field, Problem::MalformedDateTime);
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            // In a DST gap the time does not exist; in an overlap take the earlier one.
            return tz.from_local_datetime(&naive).earliest().map(|d| d.with_timezone(&Utc)).ok_or_else(bad);
        }
    }
    Err(bad())
}

/// The storage form of an instant: RFC 3339 in UTC, seconds precision, `Z`.
pub fn to_db(dt: DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads the storage form back.
pub fn from_db(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

/// The worker's calendar date at `now` (their local zone, not UTC: at 8 p.m. in Montréal it is
/// already tomorrow in UTC).
pub fn local_date(now: DateTime<Utc>) -> chrono::NaiveDate {
    now.with_timezone(&Local).date_naive()
}

/// Now, as the local wall clock sees it (the dashboard's default "now").
pub fn local_now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("d", "2026-12-03").is_ok());
        for bad in ["2026-13-01", "2026-02-30", "03/12/2026", "2026-1-3", "", "demain"] {
            assert!(parse_date("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn datetimes_with_and_without_offset() {
        let tz = FixedOffset::west_opt(5 * 3600).unwrap();
        let a = parse_datetime_in("t", "2026-12-03T14:30", &tz).unwrap();
        assert_eq!(to_db(a), "2026-12-03T19:30:00Z");
        let b = parse_datetime_in("t", "2026-12-03T14:30:00-05:00", &Utc).unwrap();
        assert_eq!(a, b);
        assert!(parse_datetime_in("t", "2026-12-03 25:00", &tz).is_err());
    }
}
