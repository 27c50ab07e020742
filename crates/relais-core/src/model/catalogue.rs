//! The catalogues of the domain (needs by phase, statuses, milestones, closure reasons…), read
//! from `schema/catalogues.json`: data, not code, with French and English labels. Codes are
//! stable identifiers that vaults and bundles store; labels can be reworded freely.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, Problem, Result};
use crate::lang::Lang;

/// The catalogue file shipped with this build.
pub const CATALOGUES_JSON: &str = include_str!("../../../../schema/catalogues.json");

/// One entry of a catalogue list.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Entry {
    /// Stable code.
    pub code: String,
    /// French label.
    pub fr: String,
    /// English label.
    pub en: String,
    /// For needs: the phases the need belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<String>,
    /// For needs: only for persons trafficked internationally.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub international_only: bool,
}

impl Entry {
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.fr, &self.en)
    }
}

/// The `deadline_kinds` that record a permit (its expiry date), the only deadlines with a
/// `permit_status`.
pub const PERMIT_KINDS: [&str; 3] = ["trp_expiry", "work_permit_expiry", "study_permit_expiry"];

/// All catalogue lists by name (`needs`, `need_statuses`, `referral_statuses`…).
#[derive(Debug)]
pub struct Catalogues {
    lists: BTreeMap<String, Vec<Entry>>,
}

impl Catalogues {
    /// The catalogues of this build (parsed once).
    pub fn get() -> &'static Catalogues {
        static C: OnceLock<Catalogues> = OnceLock::new();
        C.get_or_init(|| {
            let mut raw: BTreeMap<String, serde_json::Value> =
                serde_json::from_str(CATALOGUES_JSON).expect("schema/catalogues.json is valid");
            raw.remove("version");
            let lists = raw
                .into_iter()
                .map(|(k, v)| {
                    let entries: Vec<Entry> = serde_json::from_value(v).expect("catalogue entries are valid");
                    (k, entries)
                })
                .collect();
            Catalogues { lists }
        })
    }

    /// The entries of a list, in catalogue order; empty if the list does not exist.
    pub fn list(&self, name: &str) -> &[Entry] {
        self.lists.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The names of all lists.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.lists.keys().map(String::as_str)
    }

    /// The entry with `code` in `list`.
    pub fn entry(&self, list: &str, code: &str) -> Option<&Entry> {
        self.list(list).iter().find(|e| e.code == code)
    }

    /// The label of `code` in `list`, or the code itself when unknown (a newer catalogue).
    pub fn label<'a>(&'a self, list: &str, code: &'a str, lang: Lang) -> &'a str {
        self.entry(list, code).map(|e| e.label(lang)).unwrap_or(code)
    }

    /// Checks that `code` is in `list`, for the field `field`.
    pub fn check(&self, list: &str, field: &str, code: &str) -> Result<()> {
        if self.entry(list, code).is_some() {
            Ok(())
        } else {
            Err(Error::invalid(
                field,
                Problem::UnknownCode { list: list.to_owned(), valid: self.list(list).iter().map(|e| e.code.clone()).collect() },
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_have_both_languages_and_unique_codes() {
        let c = Catalogues::get();
        assert!(c.names().count() >= 20);
        for name in c.names() {
            let mut seen = std::collections::HashSet::new();
            for e in c.list(name) {
                assert!(!e.fr.trim().is_empty() && !e.en.trim().is_empty(), "{name}/{}", e.code);
                assert!(seen.insert(&e.code), "duplicate {name}/{}", e.code);
            }
        }
    }

    #[test]
    fn needs_catalogue_matches_the_domain() {
        let c = Catalogues::get();
        assert_eq!(c.list("needs").len(), 31);
        let safety = c.entry("needs", "safety_protection").unwrap();
        assert_eq!(safety.phases, ["immediate", "short_medium"]);
        assert!(c.entry("needs", "detention_removal_defence").unwrap().international_only);
        assert_eq!(c.list("referral_statuses").len(), 11);
        assert_eq!(c.list("milestones").len(), 16);
        for n in c.list("needs") {
            for p in &n.phases {
                assert!(c.entry("phases", p).is_some(), "{} has unknown phase {p}", n.code);
            }
        }
    }
}
