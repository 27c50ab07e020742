//! Time spent with a person (an intervention, an accompaniment): kept as whole minutes, typed
//! and read the way a worker writes a duration: « 1 h 30 », "90 min", "2 h", "1,5 h", "45".

use crate::lang::Lang;

/// The longest duration one record holds: a day. A court day with travel is long; a week is a
/// typing error (and bounds the totals a bundle could otherwise inflate).
pub const MAX_MINUTES: i64 = 24 * 60;

/// Minutes of a duration as typed: "90" and "90 min" (minutes), "2 h", "1 h 30", "1h30",
/// "1 h 30 min", "1:30", "1,5 h" / "1.5 h". `None` when it is not one (negative, zero hours
/// and letters, more than 59 minutes after hours, over [`MAX_MINUTES`]).
pub fn parse_minutes(s: &str) -> Option<i64> {
    let s: String = s.trim().to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    let digits = |t: &str| !t.is_empty() && t.len() <= 5 && t.bytes().all(|b| b.is_ascii_digit());
    let minutes = if let Some(m) = s.strip_suffix("min").or_else(|| s.strip_suffix("mn")) {
        // "90 min", or "1 h 30 min"
        match m.split_once('h') {
            Some((h, m)) if digits(h) && digits(m) => hours_and(h, m)?,
            None if digits(m) => m.parse().ok()?,
            _ => return None,
        }
    } else if let Some((h, m)) = s.split_once('h').or_else(|| s.split_once(':')) {
        if m.is_empty() {
            // "2 h", "1,5 h"
            let h = h.replace(',', ".");
            let (units, frac) = h.split_once('.').unwrap_or((&h, ""));
            if !digits(units) || (h.contains('.') && frac.is_empty()) || !(frac.is_empty() || (frac.len() <= 2 && digits(frac))) {
                return None;
            }
            let frac_minutes = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse::<i64>().ok()? * 60 / 100 };
            units.parse::<i64>().ok()?.checked_mul(60)?.checked_add(frac_minutes)?
        } else if digits(h) && digits(m) {
            hours_and(h, m)?
        } else {
            return None;
        }
    } else if digits(&s) {
        s.parse().ok()?
    } else {
        return None;
    };
    (minutes <= MAX_MINUTES).then_some(minutes)
}

fn hours_and(h: &str, m: &str) -> Option<i64> {
    let m: i64 = m.parse().ok()?;
    (m < 60).then_some(())?;
    h.parse::<i64>().ok()?.checked_mul(60)?.checked_add(m)
}

/// A duration in the reader's language, as Quebec usage writes one (non-breaking spaces):
/// « 45 min », « 2 h », « 1 h 30 min »; a total may run over a day (« 130 h 15 min »).
pub fn format_minutes(minutes: i64, _lang: Lang) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m}\u{a0}min"),
        (h, 0) => format!("{h}\u{a0}h"),
        (h, m) => format!("{h}\u{a0}h\u{a0}{m}\u{a0}min"),
    }
}

/// Hours as a decimal number for a table a funder reads: « 12,5 » / "12.5".
pub fn format_hours(minutes: i64, lang: Lang) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    let s = format!("{}.{}", tenths / 10, tenths % 10);
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_typed_as_workers_write_them() {
        for (typed, minutes) in [
            ("90", 90),
            ("90 min", 90),
            ("45min", 45),
            ("2 h", 120),
            ("2h", 120),
            ("1 h 30", 90),
            ("1h30", 90),
            ("1 h 30 min", 90),
            ("1:30", 90),
            ("1,5 h", 90),
            ("1.5h", 90),
            ("0,25 h", 15),
            ("24 h", 1440),
            ("0", 0),
        ] {
            assert_eq!(parse_minutes(typed), Some(minutes), "{typed}");
        }
        for typed in ["", "h", "-30", "1 h 75", "25 h", "1441", "une heure", "1.h", "1,555 h", "1h30h", "99999999999 h", "1 h -5"] {
            assert_eq!(parse_minutes(typed), None, "{typed}");
        }
    }

    #[test]
    fn durations_read_with_quebec_typography() {
        assert_eq!(format_minutes(45, Lang::Fr), "45\u{a0}min");
        assert_eq!(format_minutes(120, Lang::Fr), "2\u{a0}h");
        assert_eq!(format_minutes(90, Lang::En), "1\u{a0}h\u{a0}30\u{a0}min");
        assert_eq!(format_minutes(7815, Lang::Fr), "130\u{a0}h\u{a0}15\u{a0}min");
        assert_eq!(format_hours(90, Lang::Fr), "1,5");
        assert_eq!(format_hours(100, Lang::En), "1.7");
        assert_eq!(format_hours(0, Lang::En), "0.0");
        for m in [0, 1, 59, 60, 61, 90, 1439, 1440] {
            let shown = format_minutes(m, Lang::Fr).replace('\u{a0}', " ");
            assert_eq!(parse_minutes(&shown), Some(m), "{shown}");
        }
    }
}
