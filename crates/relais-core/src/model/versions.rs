//! Version vectors: which changes a version of a record holds, per vault.
//!
//! Each record carries `versions`, `{fingerprint: n}`: `n` changes made by that vault. A vault
//! changing a record adds one to its own count. Two versions compare as one holding every change
//! of the other (newer, older), the same changes (equal), or each holding a change the other
//! lacks (concurrent: a conflict). So an older bundle can never roll a record back: its version
//! is older than the one here, and nothing changes.
//!
//! Counts come from other vaults: they are bounded ([`MAX_COUNT`], [`MAX_VAULTS`]) and checked
//! before anything is written, so that no bundle can make a local change overflow.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::Value;

/// The largest count a vault may have in a vector (2³¹ − 1: a change a second for 68 years).
pub const MAX_COUNT: i64 = i32::MAX as i64;
/// The most changes a received version may credit the receiving vault with (2²⁴: sixteen
/// million changes of one record, which no one makes). A sender who could credit a colleague
/// with [`MAX_COUNT`] would stop that colleague's later changes to the record from counting
/// (the count stays at its ceiling), and every other vault would take them for the version it
/// has. The vault's own count then starts at most here, two billion changes below the ceiling.
/// (Another vault's count is not bounded below [`MAX_COUNT`] on receipt: it grows with its own
/// changes, and each vault holds the line for its own.)
pub const MAX_CREDITED_HERE: i64 = 1 << 24;
/// The most vaults a vector may name (every colleague who ever changed the record).
pub const MAX_VAULTS: usize = 64;

/// A version vector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Versions(BTreeMap<String, i64>);

/// How one version stands to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The same changes.
    Equal,
    /// Every change of the other, and more.
    Newer,
    /// Only changes the other has too, and fewer.
    Older,
    /// Each has a change the other lacks.
    Concurrent,
}

/// Whether `s` is a fingerprint as [`crate::model::keys::fingerprint`] writes it.
pub fn is_fingerprint(s: &str) -> bool {
    // Five groups of four, dash-separated: a dash at every fifth place, upper-case hex elsewhere.
    s.len() == 24
        && s.bytes().enumerate().all(|(i, b)| if i % 5 == 4 { b == b'-' } else { b.is_ascii_digit() || (b'A'..=b'F').contains(&b) })
}

impl Versions {
    /// A record's first version, made by `me`.
    pub fn first(me: &str) -> Versions {
        Versions(BTreeMap::from([(me.to_owned(), 1)]))
    }

    /// Reads a vector from JSON, refusing anything out of bounds: not an object, too many
    /// vaults, a key that is not a fingerprint, a count that is not an integer in 1..=MAX_COUNT.
    pub fn parse(v: &Value) -> Option<Versions> {
        let obj = v.as_object()?;
        if obj.is_empty() || obj.len() > MAX_VAULTS {
            return None;
        }
        let mut m = BTreeMap::new();
        for (k, n) in obj {
            let n = n.as_i64().filter(|n| (1..=MAX_COUNT).contains(n))?;
            if !is_fingerprint(k) {
                return None;
            }
            m.insert(k.clone(), n);
        }
        Some(Versions(m))
    }

    /// As JSON (an object with sorted keys, as the store and bundles keep it).
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.iter().map(|(k, n)| (k.clone(), Value::from(*n))).collect())
    }

    /// The canonical JSON text.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// The count of one vault.
    pub fn get(&self, who: &str) -> i64 {
        self.0.get(who).copied().unwrap_or(0)
    }

    /// How many changes in all: a record's `revision`.
    pub fn total(&self) -> i64 {
        self.0.values().sum()
    }

    /// One more change by `me`. Saturates at [`MAX_COUNT`] rather than overflow: unreachable, as
    /// no received version credits this vault with more than [`MAX_CREDITED_HERE`].
    pub fn bump(&mut self, me: &str) {
        let n = self.0.entry(me.to_owned()).or_insert(0);
        *n = (*n + 1).min(MAX_COUNT);
    }

    /// Every change of both.
    pub fn merge(&self, other: &Versions) -> Versions {
        let mut m = self.0.clone();
        for (k, n) in &other.0 {
            let e = m.entry(k.clone()).or_insert(0);
            *e = (*e).max(*n);
        }
        Versions(m)
    }

    /// How `self` stands to `other`.
    pub fn compare(&self, other: &Versions) -> Order {
        let mut ahead = false;
        let mut behind = false;
        for k in self.0.keys().chain(other.0.keys()) {
            match self.get(k).cmp(&other.get(k)) {
                Ordering::Greater => ahead = true,
                Ordering::Less => behind = true,
                Ordering::Equal => {}
            }
        }
        match (ahead, behind) {
            (false, false) => Order::Equal,
            (true, false) => Order::Newer,
            (false, true) => Order::Older,
            (true, true) => Order::Concurrent,
        }
    }

    /// The vaults whose count in `self` is above their count in `base`: whose changes `self`
    /// brings that `base` lacks.
    pub fn ahead_of<'a>(&'a self, base: &'a Versions) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, n)| **n > base.get(k)).map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "AAAA-AAAA-AAAA-AAAA-AAAA";
    const B: &str = "BBBB-BBBB-BBBB-BBBB-BBBB";

    fn v(pairs: &[(&str, i64)]) -> Versions {
        Versions(pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect())
    }

    /// A fingerprint as the contact card shows it: five groups of four upper-case hex digits.
    fn fingerprint_as_said(s: &str) -> bool {
        s.len() == 24
            && s.split('-').count() == 5
            && s.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)))
    }

    #[test]
    fn fingerprints() {
        for s in ["ABCD-0123-4567-89AB-CDEF", A, "0000-1111-2222-3333-4444"] {
            assert!(is_fingerprint(s), "{s}");
        }
        for s in [
            "",
            "abcd-0123-4567-89AB-CDEF",
            "ABCD-0123-4567-89AB-CDEG",
            "ABCD-0123-4567-89AB-CDE-",
            "ABCD0-123-4567-89AB-CDEF",
            "ABCD-0123-4567-89AB-CDEF-",
            "ABCD-0123-4567-89ABCCDEF",
            "ABCD 0123 4567 89AB CDEF",
            "ABCD-0123-4567-89AB-CDÉ",
        ] {
            assert!(!is_fingerprint(s), "{s}");
        }
    }

    proptest::proptest! {
        /// Read a byte at a time, it is the same as said.
        #[test]
        fn fingerprint_read_as_said(s in "[0-9A-Fa-g-]{0,6}|[0-9A-F-]{22,26}|([0-9A-F]{4}-){4}[0-9A-Fé-]{3,5}") {
            proptest::prop_assert_eq!(is_fingerprint(&s), fingerprint_as_said(&s), "{}", s);
        }
    }

    #[test]
    fn versions_compare_by_the_changes_they_hold() {
        assert_eq!(v(&[(A, 2)]).compare(&v(&[(A, 1)])), Order::Newer);
        assert_eq!(v(&[(A, 1)]).compare(&v(&[(A, 2)])), Order::Older, "an older bundle is older");
        assert_eq!(v(&[(A, 1), (B, 1)]).compare(&v(&[(A, 1), (B, 1)])), Order::Equal);
        assert_eq!(v(&[(A, 2)]).compare(&v(&[(A, 1), (B, 1)])), Order::Concurrent, "both sides changed it");
        assert_eq!(v(&[(A, 1), (B, 1)]).compare(&v(&[(A, 1)])), Order::Newer);
        let merged = v(&[(A, 2)]).merge(&v(&[(A, 1), (B, 3)]));
        assert_eq!(merged, v(&[(A, 2), (B, 3)]));
        let mut m = merged.clone();
        m.bump(A);
        assert_eq!(m.compare(&merged), Order::Newer);
        assert_eq!(m.total(), 6);
        assert_eq!(v(&[(A, 3), (B, 1)]).ahead_of(&v(&[(A, 3)])).collect::<Vec<_>>(), vec![B]);
    }

    #[test]
    fn numbers_from_outside_are_bounded() {
        assert_eq!(Versions::parse(&json!({A: 2, B: 1})), Some(v(&[(A, 2), (B, 1)])));
        for bad in [
            json!({A: i64::MAX}),
            json!({A: MAX_COUNT + 1}),
            json!({A: 0}),
            json!({A: -1}),
            json!({A: 1.5}),
            json!({A: "1"}),
            json!({"not-a-fingerprint": 1}),
            json!({"aaaa-aaaa-aaaa-aaaa-aaaa": 1}),
            json!({}),
            json!([1]),
            json!(null),
        ] {
            assert_eq!(Versions::parse(&bad), None, "{bad}");
        }
        let many: serde_json::Map<String, Value> = (0..=MAX_VAULTS).map(|i| (format!("{i:04X}-AAAA-AAAA-AAAA-AAAA"), json!(1))).collect();
        assert_eq!(Versions::parse(&Value::Object(many)), None, "too many vaults");
        let mut top = v(&[(A, MAX_COUNT)]);
        top.bump(A);
        assert_eq!(top.get(A), MAX_COUNT, "a local change never overflows");
    }
}
