//! Amounts of money (an IVAC claim, a transport fare a referral costs): kept as whole cents,
//! typed and read in dollars the way each language writes them: « 1 200,50 $ » in French
//! (Quebec: comma, non-breaking spaces, the sign after), "$1,200.50" in English.

use crate::lang::Lang;

/// The largest amount accepted: ten million dollars, far above any case's expense, far below
/// any overflow.
pub const MAX_CENTS: i64 = 1_000_000_000;

/// Cents of an amount typed in dollars: "125", "125.5", "120,50", "120,50 $", "$1,200.50",
/// "1 200,50 $". `None` when it is not an amount (negative, more than two decimals, letters,
/// over [`MAX_CENTS`]).
pub fn parse_cents(s: &str) -> Option<i64> {
    let s: String = s.trim().trim_end_matches('$').trim_start_matches('$').chars().filter(|c| !c.is_whitespace()).collect();
    // "1,200.50": the comma groups thousands; "1200,50" or "1 200,50": the comma is decimal.
    let s = if s.contains('.') && s.contains(',') { s.replace(',', "") } else { s.replace(',', ".") };
    let (units, frac) = s.split_once('.').unwrap_or((&s, ""));
    if units.is_empty() || !units.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    let cents = units.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)?;
    (cents <= MAX_CENTS).then_some(cents)
}

/// An amount in the reader's language: « 120,50 $ » (non-breaking spaces), "$120.50".
pub fn format_cents(cents: i64, lang: Lang) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (units, frac) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    let grouped = crate::lang::number(units, lang);
    match lang {
        Lang::Fr => format!("{sign}{grouped},{frac:02}\u{a0}$"),
        Lang::En => format!("{sign}${grouped}.{frac:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_typed_the_quebec_or_the_english_way() {
        for (typed, cents) in [
            ("125", 12500),
            ("125.5", 12550),
            ("120,50", 12050),
            ("120,50 $", 12050),
            ("120,50\u{a0}$", 12050),
            ("$1,200.50", 120050),
            ("1 200,50 $", 120050),
            ("0,05", 5),
        ] {
            assert_eq!(parse_cents(typed), Some(cents), "{typed}");
        }
        for bad in ["", "-5", "12,345", "1.2.3", "douze", "12.", ".5", "10000000.01", "99999999999999999999"] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_read_the_quebec_or_the_english_way() {
        assert_eq!(format_cents(12050, Lang::Fr), "120,50\u{a0}$");
        assert_eq!(format_cents(120050, Lang::Fr), "1\u{a0}200,50\u{a0}$");
        assert_eq!(format_cents(12050, Lang::En), "$120.50");
        assert_eq!(format_cents(123456789, Lang::En), "$1,234,567.89");
        assert_eq!(format_cents(5, Lang::Fr), "0,05\u{a0}$");
    }
}
