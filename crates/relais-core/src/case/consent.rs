//! The consent gate: nothing about a person leaves the vault for a recipient (a referral to an
//! organisation, a `share` bundle, a partner summary) unless a consent of that person, in force
//! that day, names the recipient. Without one the action is refused and the error says which
//! consent is missing; the worker may go ahead anyway only by writing why, and that reason is
//! kept in the case (a note of kind `consent_override`) and in the audit trail, in the same
//! transaction as the action.
//!
//! A consent names its recipient by an organisation of the directory (`org_id`) or by a name
//! (`recipient`: an organisation's or a colleague's). A recipient is covered when the consent's
//! organisation is theirs, or when the consent's name (or its organisation's name) is one of the
//! recipient's names, compared without case, accents or extra spaces.

use chrono::NaiveDate;
use serde_json::json;

use crate::error::{Error, Problem, Result};
use crate::record::{Fields, Kind, str_field};
use crate::vault::store::{self, Writer};

/// Who would receive something about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The organisation of the directory, when the recipient is one.
    pub org_id: Option<String>,
    /// The names that designate the recipient (an organisation's name; a colleague's name and
    /// organisation).
    pub names: Vec<String>,
    /// How messages name the recipient.
    pub label: String,
}

impl Recipient {
    /// An organisation of the directory.
    pub fn organisation(conn: &rusqlite::Connection, org_id: &str) -> Result<Recipient> {
        let org = store::get(conn, Kind::Organisation, org_id)?;
        let name = str_field(&org, "name").unwrap_or_default().to_owned();
        Ok(Recipient { org_id: Some(org_id.to_owned()), names: vec![name.clone()], label: name })
    }

    /// A colleague of the contact book (a share bundle, a summary sealed for them).
    pub fn contact(conn: &rusqlite::Connection, contact_id: &str) -> Result<Recipient> {
        let c = store::get(conn, Kind::Contact, contact_id)?;
        let name = str_field(&c, "name").unwrap_or_default().to_owned();
        let org = str_field(&c, "org").filter(|o| !o.trim().is_empty());
        let label = match org {
            Some(o) => format!("{name} ({o})"),
            None => name.clone(),
        };
        Ok(Recipient { org_id: None, names: std::iter::once(name).chain(org.map(str::to_owned)).collect(), label })
    }

    /// A recipient named by the worker (the partner a printed summary is for).
    pub fn named(name: &str) -> Result<Recipient> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("recipient", Problem::Required));
        }
        Ok(Recipient { org_id: None, names: vec![name.to_owned()], label: name.to_owned() })
    }
}

/// What a release is for (kept in the audit trail of an override).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A referral to an organisation.
    Referral,
    /// A `share` bundle for a colleague.
    Share,
    /// A partner summary.
    Summary,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Referral => "referral",
            Purpose::Share => "share",
            Purpose::Summary => "summary",
        }
    }
}

/// Whether a consent is in force on `day`: started, not ended, not withdrawn.
pub fn in_force(consent: &Fields, day: NaiveDate) -> bool {
    let date = |f: &str| str_field(consent, f).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    date("starts_on").is_none_or(|s| s <= day) && date("ends_on").is_none_or(|e| e >= day) && date("withdrawn_on").is_none_or(|w| w > day)
}

/// Names compare without case, accents or spacing ("CAVAC  de Montréal" = "cavac de montreal").
pub(crate) fn folded(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `consent` names `to`.
pub fn covers(conn: &rusqlite::Connection, consent: &Fields, to: &Recipient) -> Result<bool> {
    let org = str_field(consent, "org_id");
    if org.is_some() && org == to.org_id.as_deref() {
        return Ok(true);
    }
    let mut names: Vec<String> = str_field(consent, "recipient").into_iter().map(str::to_owned).collect();
    if let Some(o) = org {
        names.extend(str_field(&store::get(conn, Kind::Organisation, o)?, "name").map(str::to_owned));
    }
    let theirs: Vec<String> = to.names.iter().map(|n| folded(n)).filter(|n| !n.is_empty()).collect();
    Ok(names.iter().map(|n| folded(n)).any(|n| !n.is_empty() && theirs.contains(&n)))
}

/// The consent of `person_id` in force on `day` that covers `to`, if any (the most recent).
pub fn covering(conn: &rusqlite::Connection, person_id: &str, to: &Recipient, day: NaiveDate) -> Result<Option<String>> {
    let mut consents = store::list_where(conn, Kind::Consent, Some(("person_id", person_id)))?;
    first_covering(conn, &mut consents, to, day)
}

/// The read-only half of the gate, before anything is built or written: passes when a consent
/// covers `to` or when the worker wrote a reason to go ahead without one.
pub fn check(conn: &rusqlite::Connection, person_id: &str, to: &Recipient, day: NaiveDate, override_reason: Option<&str>) -> Result<()> {
    if covering(conn, person_id, to, day)?.is_some() || reason(override_reason).is_some() {
        return Ok(());
    }
    Err(missing(conn, person_id, to))
}

/// [`check`] for many persons and one recipient: the persons' consents read in one query (a
/// share of a thousand cases asked a thousand). Refuses naming the first person, in `persons`'
/// order, whose consents do not cover `to`; with a reason, passes without reading them.
pub fn check_all(
    conn: &rusqlite::Connection,
    persons: &[String],
    to: &Recipient,
    day: NaiveDate,
    override_reason: Option<&str>,
) -> Result<()> {
    if reason(override_reason).is_some() {
        return Ok(());
    }
    let mut by_person: std::collections::HashMap<String, Vec<Fields>> = std::collections::HashMap::new();
    for c in store::list_in(conn, Kind::Consent, "person_id", persons)? {
        by_person.entry(str_field(&c, "person_id").unwrap_or_default().to_owned()).or_default().push(c);
    }
    for pid in persons {
        let consents = by_person.get_mut(pid.as_str()).map(Vec::as_mut_slice).unwrap_or_default();
        if first_covering(conn, consents, to, day)?.is_none() {
            return Err(missing(conn, pid, to));
        }
    }
    Ok(())
}

/// The most recent of `consents` in force on `day` that covers `to`.
fn first_covering(conn: &rusqlite::Connection, consents: &mut [Fields], to: &Recipient, day: NaiveDate) -> Result<Option<String>> {
    consents.sort_by(|a, b| str_field(b, "starts_on").cmp(&str_field(a, "starts_on")));
    for c in consents.iter().filter(|c| in_force(c, day)) {
        if covers(conn, c, to)? {
            return Ok(str_field(c, "id").map(str::to_owned));
        }
    }
    Ok(None)
}

fn reason(r: Option<&str>) -> Option<&str> {
    r.map(str::trim).filter(|r| !r.is_empty())
}

fn missing(conn: &rusqlite::Connection, person_id: &str, to: &Recipient) -> Error {
    let alias = store::get(conn, Kind::Person, person_id).ok().and_then(|p| str_field(&p, "alias").map(str::to_owned)).unwrap_or_default();
    Error::ConsentMissing { person: alias, recipient: to.label.clone() }
}

/// The gate, in the transaction of the action: returns the consent that covers `to`; without
/// one, with a reason, keeps the reason as a `consent_override` note of the case and audits the
/// override (`consent.override`, naming the purpose and the note, never the reason); without
/// either, refuses with [`Error::ConsentMissing`].
pub fn require(
    w: &mut Writer<'_>,
    person_id: &str,
    to: &Recipient,
    purpose: Purpose,
    override_reason: Option<&str>,
) -> Result<Option<String>> {
    let day = crate::time::local_date(w.now());
    if let Some(id) = covering(w.conn(), person_id, to, day)? {
        return Ok(Some(id));
    }
    let Some(why) = reason(override_reason) else {
        return Err(missing(w.conn(), person_id, to));
    };
    let mut note = Fields::new();
    note.insert("person_id".into(), json!(person_id));
    note.insert("kind".into(), json!("consent_override"));
    note.insert("text".into(), json!(format!("{} — {why}", to.label)));
    let note_id = w.insert(Kind::Note, note)?;
    w.audit_event("consent.override", Some(person_id), vec![format!("purpose={}", purpose.name()), format!("note={note_id}")])?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect()
    }

    #[test]
    fn in_force_follows_start_end_and_withdrawal() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let c = consent(&[("starts_on", "2030-01-10"), ("ends_on", "2030-06-30")]);
        assert!(!in_force(&c, d("2030-01-09")));
        assert!(in_force(&c, d("2030-01-10")));
        assert!(in_force(&c, d("2030-06-30")));
        assert!(!in_force(&c, d("2030-07-01")));
        let w = consent(&[("starts_on", "2030-01-10"), ("withdrawn_on", "2030-03-01")]);
        assert!(in_force(&w, d("2030-02-28")));
        assert!(!in_force(&w, d("2030-03-01")));
    }

    #[test]
    fn names_compare_without_case_accents_or_spacing() {
        assert_eq!(folded("  CAVAC  de Montréal "), "cavac de montreal");
        assert_ne!(folded("CAVAC Laval"), folded("CAVAC Montréal"));
    }
}
