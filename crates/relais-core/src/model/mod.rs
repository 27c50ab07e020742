//! The model: the catalogues, public keys as records hold them, and the domain's rules over the
//! generic records ([`crate::record`]): defaults a worker would expect, and checks across fields
//! (an end after its start, a need in its phase, an international-only need). The rules are
//! pure: what they need of other records they ask a [`Lookup`]. Operations that change several
//! records at once are in [`crate::case`].

pub mod catalogue;
pub mod keys;
pub mod status;
pub mod versions;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::error::{Error, Problem, Result};
use crate::model::catalogue::Catalogues;
use crate::model::status::{AidStatus, AppointmentStatus, CaseStatus, MilestoneStatus, NeedStatus, ReferralStatus};
use crate::record::{Fields, Kind, str_field};

/// What the rules need to know of other records. The vault's connection answers; the rules
/// never write.
pub trait Lookup {
    /// One record by id ([`Error::NotFound`] if there is none).
    fn record(&self, kind: Kind, id: &str) -> Result<Fields>;
    /// A contact other than `except` that already holds either of these keys: its name, and
    /// which of the keys it holds (`age_recipient`, `signing_key`, or both).
    fn key_holder(&self, age_recipient: &str, signing_key: &str, except: Option<&str>) -> Result<Option<(String, bool, bool)>>;
}

fn absent(f: &Fields, name: &str) -> bool {
    f.get(name).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
}

fn default(f: &mut Fields, name: &str, v: Value) {
    if absent(f, name) {
        f.insert(name.to_owned(), v);
    }
}

use crate::time::local_date as local_today;

/// The fields [`defaults`] fills when the worker leaves them empty (a form need not insist).
pub fn defaulted_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Person => &["status", "origin", "intake_at"],
        Kind::Need => &["status", "identified_on", "phase"],
        Kind::Appointment => &["status", "kind"],
        Kind::Referral => &["status"],
        Kind::ReferralEvent => &["at"],
        Kind::Milestone => &["status"],
        Kind::TestimonialAid => &["status", "requested_on"],
        Kind::Note => &["kind", "at"],
        Kind::Consent => &["starts_on"],
        Kind::Contact => &["fingerprint"],
        _ => &[],
    }
}

/// Fills what a new record of `kind` gets when the worker does not say.
pub(crate) fn defaults(kind: Kind, f: &mut Fields, now: DateTime<Utc>) {
    let today = json!(local_today(now).to_string());
    let now_s = json!(crate::time::to_db(now));
    match kind {
        Kind::Person => {
            default(f, "status", json!(CaseStatus::Active.code()));
            default(f, "origin", json!("domestic"));
            default(f, "intake_at", now_s);
        }
        Kind::Need => {
            default(f, "status", json!(NeedStatus::Identified.code()));
            default(f, "identified_on", today);
            if absent(f, "phase") {
                let first = str_field(f, "code").and_then(|c| Catalogues::get().entry("needs", c)).and_then(|e| e.phases.first().cloned());
                if let Some(p) = first {
                    f.insert("phase".into(), json!(p));
                }
            }
        }
        Kind::Appointment => {
            default(f, "status", json!(AppointmentStatus::Planned.code()));
            default(f, "kind", json!("other"));
        }
        Kind::Referral => default(f, "status", json!(ReferralStatus::Requested.code())),
        Kind::ReferralEvent => default(f, "at", now_s),
        Kind::Milestone => {
            let done = !absent(f, "done_on");
            default(f, "status", json!(if done { MilestoneStatus::Done } else { MilestoneStatus::Planned }.code()));
        }
        Kind::TestimonialAid => {
            default(f, "status", json!(AidStatus::Requested.code()));
            default(f, "requested_on", today);
        }
        Kind::Note => {
            default(f, "kind", json!("contact"));
            default(f, "at", now_s);
        }
        Kind::Consent => default(f, "starts_on", today),
        Kind::Contact => {
            // The fingerprint is always computed from the keys, never typed.
            if let (Some(a), Some(k)) = (str_field(f, "age_recipient"), str_field(f, "signing_key")) {
                let fp = crate::model::keys::fingerprint(a, k);
                f.insert("fingerprint".into(), json!(fp));
            }
        }
        _ => {}
    }
}

/// Completes an update the way a worker expects: a need that reaches a final status gets its
/// closing date, a milestone marked done its date, a closed case its closing date.
pub(crate) fn complete_update(kind: Kind, merged: &mut Fields, current: &Fields, now: DateTime<Utc>) {
    let today = json!(local_today(now).to_string());
    let became = |status: &str| str_field(merged, "status") == Some(status) && str_field(current, "status") != Some(status);
    match kind {
        Kind::Need => {
            let final_status = NeedStatus::of(merged).is_some_and(NeedStatus::is_final);
            if final_status && absent(merged, "closed_on") && merged.get("status") != current.get("status") {
                merged.insert("closed_on".into(), today);
            }
        }
        Kind::Milestone if became(MilestoneStatus::Done.code()) && absent(merged, "done_on") => {
            merged.insert("done_on".into(), today);
        }
        Kind::Person if became(CaseStatus::Closed.code()) && absent(merged, "closed_on") => {
            merged.insert("closed_on".into(), today);
        }
        _ => {}
    }
}

fn date(f: &Fields, name: &str) -> Option<NaiveDate> {
    str_field(f, name).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn not_before(f: &Fields, start: &str, end: &str) -> Result<()> {
    match (str_field(f, start), str_field(f, end)) {
        // Both are in their stored form (ISO dates or RFC 3339 UTC), which sorts as text.
        (Some(s), Some(e)) if e < s => Err(Error::invalid(end, Problem::EndBeforeStart)),
        _ => Ok(()),
    }
}

fn same_person(db: &dyn Lookup, f: &Fields, col: &str, kind: Kind) -> Result<()> {
    let (Some(id), Some(person)) = (str_field(f, col), str_field(f, "person_id")) else { return Ok(()) };
    let other = db.record(kind, id)?;
    if str_field(&other, "person_id") != Some(person) {
        return Err(Error::invalid(col, Problem::UnknownReference));
    }
    Ok(())
}

/// Checks the rules that span fields or records. `rec` is complete (every column present).
pub(crate) fn check(kind: Kind, db: &dyn Lookup, rec: &Fields, current: Option<&Fields>) -> Result<()> {
    let today = local_today(Utc::now());
    match kind {
        Kind::Person => {
            let (was, now) = (current.and_then(CaseStatus::of), CaseStatus::of(rec));
            // "Handed off" is what a transfer leaves here, never a status to pick.
            if now == Some(CaseStatus::HandedOff) && was != Some(CaseStatus::HandedOff) {
                return Err(Error::invalid("status", Problem::NotSettable));
            }
            // A closed case reopens with a reason (case::reopen_person clears the closure).
            if was == Some(CaseStatus::Closed) && now.is_some_and(CaseStatus::is_open) && !absent(rec, "closure_reason") {
                return Err(Error::invalid("status", Problem::ReopenWithReason));
            }
            if date(rec, "birth_date").is_some_and(|d| d > today) {
                return Err(Error::invalid("birth_date", Problem::InFuture));
            }
            if CaseStatus::of(rec) == Some(CaseStatus::Closed) && absent(rec, "closure_reason") {
                return Err(Error::invalid("closure_reason", Problem::Required));
            }
            if str_field(rec, "closure_reason") == Some("other") && absent(rec, "closure_note") {
                return Err(Error::invalid("closure_note", Problem::ReasonRequired));
            }
        }
        Kind::Need => {
            let code = str_field(rec, "code").unwrap_or_default();
            let phase = str_field(rec, "phase").unwrap_or_default();
            let entry = Catalogues::get().entry("needs", code).ok_or_else(|| Error::invalid("code", Problem::Required))?;
            if !entry.phases.iter().any(|p| p == phase) {
                return Err(Error::invalid("phase", Problem::NotInPhase { phases: entry.phases.clone() }));
            }
            if entry.international_only {
                let person = db.record(Kind::Person, str_field(rec, "person_id").unwrap_or_default())?;
                if str_field(&person, "origin") != Some("international") {
                    return Err(Error::invalid("code", Problem::InternationalOnly));
                }
            }
            not_before(rec, "identified_on", "closed_on")?;
        }
        Kind::Appointment => {
            not_before(rec, "starts_at", "ends_at")?;
            same_person(db, rec, "need_id", Kind::Need)?;
            // She asked that the interpreter not come from her community: each appointment
            // with an interpreter says it was checked (a warning ignored is no protection).
            if rec.get("interpreter_needed") == Some(&Value::Bool(true))
                && rec.get("interpreter_outside_confirmed") != Some(&Value::Bool(true))
            {
                let person = db.record(Kind::Person, str_field(rec, "person_id").unwrap_or_default())?;
                if person.get("interpreter_outside_community") == Some(&Value::Bool(true)) {
                    return Err(Error::invalid("interpreter_outside_confirmed", Problem::InterpreterOutsideCommunity));
                }
            }
        }
        Kind::Referral => {
            if ReferralStatus::of(rec) == Some(ReferralStatus::Rejected) && absent(rec, "status_reason") {
                return Err(Error::invalid("status_reason", Problem::ReasonRequired));
            }
            same_person(db, rec, "need_id", Kind::Need)?;
            same_person(db, rec, "consent_id", Kind::Consent)?;
        }
        Kind::Consent => {
            not_before(rec, "starts_on", "ends_on")?;
            not_before(rec, "starts_on", "withdrawn_on")?;
        }
        Kind::Deadline if !absent(rec, "ivac_status") && str_field(rec, "kind") != Some("ivac_application") => {
            return Err(Error::invalid("ivac_status", Problem::UnknownField));
        }
        Kind::Deadline
            if !absent(rec, "permit_status")
                && !str_field(rec, "kind").is_some_and(|k| crate::model::catalogue::PERMIT_KINDS.contains(&k)) =>
        {
            return Err(Error::invalid("permit_status", Problem::UnknownField));
        }
        Kind::TestimonialAid => not_before(rec, "requested_on", "decided_on")?,
        Kind::Incident => {
            not_before(rec, "occurred_on", "discovered_on")?;
            not_before(rec, "occurred_on", "cai_notified_on")?;
            not_before(rec, "occurred_on", "persons_notified_on")?;
        }
        Kind::Contact => {
            crate::model::keys::parse_recipient(str_field(rec, "age_recipient").unwrap_or_default())?;
            crate::model::keys::parse_signing_key(str_field(rec, "signing_key").unwrap_or_default())?;
            let holder = db.key_holder(
                str_field(rec, "age_recipient").unwrap_or_default(),
                str_field(rec, "signing_key").unwrap_or_default(),
                str_field(rec, "id"),
            )?;
            match holder {
                None => {}
                // The same keys: the same colleague, there already.
                Some((_, true, true)) => return Err(Error::invalid("age_recipient", Problem::Duplicate)),
                // One key of another contact with a key of its own: one of the two cards is
                // false (a colleague's signing key put beside someone else's encryption key
                // would otherwise keep that colleague out of the book) or out of date.
                Some((name, age, _)) => {
                    return Err(Error::invalid(if age { "age_recipient" } else { "signing_key" }, Problem::KeyOfAnother { name }));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaulted_fields_are_what_defaults_fills() {
        for kind in Kind::ALL {
            let mut f = Fields::new();
            // What a need's phase and a contact's fingerprint are computed from.
            f.insert("code".into(), json!("safety_protection"));
            f.insert("age_recipient".into(), json!("age1x"));
            f.insert("signing_key".into(), json!("00"));
            let before: Vec<String> = f.keys().cloned().collect();
            defaults(kind, &mut f, chrono::Utc::now());
            let mut filled: Vec<&str> = f.keys().map(String::as_str).filter(|k| !before.iter().any(|b| b == k)).collect();
            filled.sort_unstable();
            let mut said = defaulted_fields(kind).to_vec();
            said.sort_unstable();
            assert_eq!(filled, said, "{}", kind.name());
        }
    }
}
