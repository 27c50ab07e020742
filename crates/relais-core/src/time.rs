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

/// Whether `s` is a date as the store writes it: what [`parse_date`] reads and writes back the
/// same. A date written that way (`YYYY-MM-DD`, a day of the calendar) is known by its bytes;
/// anything else is parsed (the quick answer is only ever yes, and only where the parse says
/// yes: a test compares both on every form near it). An import checks 100 000 dates and times
/// for 1 000 cases: parsed and written back, they took 15 ms.
pub fn is_stored_date(s: &str) -> bool {
    ymd(s.as_bytes()).is_some() || parse_date("", s).is_ok_and(|d| d.to_string() == s)
}

/// Whether `s` is a date and time as the store writes it: what [`parse_datetime`] reads and
/// [`to_db`] writes back the same (`YYYY-MM-DDTHH:MM:SSZ`), known by its bytes when written that
/// way with a real day and time (a leap second, `:60`, is parsed), parsed otherwise.
pub fn is_stored_datetime(s: &str) -> bool {
    quick_datetime(s) || parse_datetime("", s).is_ok_and(|t| to_db(t) == s)
}

/// Whether `s` is a date and time [`from_db`] reads (RFC 3339): the store's own form known by
/// its bytes, any other parsed.
pub fn is_rfc3339(s: &str) -> bool {
    quick_datetime(s) || from_db(s).is_some()
}

/// `YYYY-MM-DDTHH:MM:SSZ`, a day of the calendar and a time of the day (seconds 0 to 59).
fn quick_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && (b[10], b[13], b[16], b[19]) == (b'T', b':', b':', b'Z')
        && ymd(&b[..10]).is_some()
        && matches!((digits(&b[11..13]), digits(&b[14..16]), digits(&b[17..19])), (Some(h), Some(m), Some(sec)) if h < 24 && m < 60 && sec < 60)
}

/// `YYYY-MM-DD` read from its bytes, when it is a day of the calendar.
fn ymd(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// ASCII digits as a number (none: not all digits).
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
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
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        /// Known by their bytes or parsed, the same answer: on the store's forms, near them (a
        /// digit too many, a separator changed, a day past the month's, a leap second) and
        /// padded.
        #[test]
        fn a_date_or_time_known_by_its_bytes_is_one_the_parse_accepts(
            d in "[ +-]?[0-9]{4,5}-[0-1][0-9]-[0-3][0-9]",
            t in "[ +-]?[0-9]{4}-[0-1][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-6][0-9](:[0-6][0-9])?(Z|[+-]0[0-9]:00| )?",
        ) {
            prop_assert_eq!(is_stored_date(&d), parse_date("", &d).is_ok_and(|x| x.to_string() == d), "{}", d);
            prop_assert_eq!(is_stored_datetime(&t), parse_datetime("", &t).is_ok_and(|x| to_db(x) == t), "{}", t);
            prop_assert_eq!(is_rfc3339(&t), from_db(&t).is_some(), "{}", t);
        }
    }

    #[test]
    fn the_stores_forms_are_known_by_their_bytes() {
        for s in ["2026-12-06", "0000-01-01", "2024-02-29", "9999-12-31"] {
            assert!(ymd(s.as_bytes()).is_some() && is_stored_date(s), "{s}");
        }
        for s in ["2026-12-06T15:04:05Z", "0000-01-01T00:00:00Z", "2024-02-29T23:59:59Z"] {
            assert!(quick_datetime(s) && is_stored_datetime(s) && is_rfc3339(s), "{s}");
        }
        for s in ["2026-02-30", "2026-13-01", "2026-1-01", "2026/12/06", " 2026-12-06"] {
            assert!(ymd(s.as_bytes()).is_none() && !is_stored_date(s), "{s}");
        }
        for s in ["2026-12-06T24:00:00Z", "2026-12-06T15:60:00Z", "2026-12-06T15:04:05+00:00", "2026-12-06T15:04Z"] {
            assert!(!quick_datetime(s) && !is_stored_datetime(s), "{s}");
        }
    }

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
