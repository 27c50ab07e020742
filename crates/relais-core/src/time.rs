//! Dates and times: parsed strictly, stored in UTC (RFC 3339, `Z`), shown in local time.
//!
//! A date alone (`YYYY-MM-DD`) is a calendar date with no time zone (a birth date, a due date).
//! A date and time typed without an offset is read in the computer's local time zone, the one
//! the worker lives in.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Timelike, Utc};

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

const FR_MONTHS: [&str; 12] =
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
const EN_MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// "3 décembre 2026" / "December 3, 2026".
pub fn long_date(d: NaiveDate, lang: crate::Lang) -> String {
    use chrono::Datelike;
    const FR: [&str; 12] = FR_MONTHS;
    const EN: [&str; 12] = EN_MONTHS;
    let m = d.month0() as usize;
    match lang {
        crate::Lang::Fr if d.day() == 1 => format!("1er {} {}", FR[m], d.year()),
        crate::Lang::Fr => format!("{} {} {}", d.day(), FR[m], d.year()),
        crate::Lang::En => format!("{} {}, {}", EN[m], d.day(), d.year()),
    }
}

/// A month in words: « avril 2026 » / "April 2026".
pub fn month_year(d: NaiveDate, lang: crate::Lang) -> String {
    use chrono::Datelike;
    let m = d.month0() as usize;
    match lang {
        crate::Lang::Fr => format!("{} {}", FR_MONTHS[m], d.year()),
        crate::Lang::En => format!("{} {}", EN_MONTHS[m], d.year()),
    }
}

/// A date with its weekday, for a day's heading: « lundi 30 novembre 2026 » / "Monday,
/// November 30, 2026".
pub fn weekday_date(d: NaiveDate, lang: crate::Lang) -> String {
    use chrono::Datelike;
    const FR: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
    const EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let w = d.weekday().num_days_from_monday() as usize;
    match lang {
        crate::Lang::Fr => format!("{} {}", FR[w], long_date(d, lang)),
        crate::Lang::En => format!("{}, {}", EN[w], long_date(d, lang)),
    }
}

/// A time of day as Quebec writes it: « 9 h », « 13 h 05 » (the space before « h » does not
/// break); "9:00 a.m.", "1:05 p.m." in English.
pub fn clock(t: NaiveTime, lang: crate::Lang) -> String {
    let (h, m) = (t.hour(), t.minute());
    match lang {
        crate::Lang::Fr if m == 0 => format!("{h}\u{a0}h"),
        crate::Lang::Fr => format!("{h}\u{a0}h\u{a0}{m:02}"),
        crate::Lang::En => {
            let h12 = if h % 12 == 0 { 12 } else { h % 12 };
            format!("{h12}:{m:02}\u{a0}{}", if h < 12 { "a.m." } else { "p.m." })
        }
    }
}

/// A stored instant in the worker's zone, in words: « 2 décembre 2030 à 10 h » / "December 2,
/// 2030 at 10:00 a.m.".
pub fn long_datetime(at: DateTime<Utc>, lang: crate::Lang) -> String {
    let local = at.with_timezone(&Local);
    let (d, t) = (long_date(local.date_naive(), lang), clock(local.time(), lang));
    match lang {
        crate::Lang::Fr => format!("{d} à {t}"),
        crate::Lang::En => format!("{d} at {t}"),
    }
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
    fn dates_and_times_are_written_the_quebec_way() {
        use crate::Lang;
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert_eq!(clock(t(9, 0), Lang::Fr), "9\u{a0}h");
        assert_eq!(clock(t(13, 5), Lang::Fr), "13\u{a0}h\u{a0}05");
        assert_eq!((clock(t(0, 30), Lang::En), clock(t(13, 5), Lang::En)), ("12:30\u{a0}a.m.".into(), "1:05\u{a0}p.m.".into()));
        let d = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!((long_date(d, Lang::Fr), long_date(d, Lang::En)), ("3 décembre 2026".into(), "December 3, 2026".into()));
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), Lang::Fr), "1er janvier 2027");
    }

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
