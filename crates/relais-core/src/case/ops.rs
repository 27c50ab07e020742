//! Operations on a case that change several records at once: a referral and its status
//! history, the closure of a case and its reopening.

use serde_json::{Value, json};

use crate::error::{Error, Problem, Result};
use crate::model::status::CaseStatus;
use crate::record::{Fields, Kind, str_field};
use crate::vault::store::{self, Writer};

fn absent(f: &Fields, name: &str) -> bool {
    f.get(name).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
}

/// Creates a referral and the first entry of its status history, once the consent gate let it
/// through: a consent of the person in force today must name the organisation (it is linked
/// when the worker did not pick one), or the worker writes why they refer without one
/// (`override_reason`, kept and audited; see [`crate::case::consent`]).
pub fn add_referral(w: &mut Writer<'_>, mut fields: Fields, override_reason: Option<&str>) -> Result<String> {
    if let (Some(person), Some(org)) = (str_field(&fields, "person_id"), str_field(&fields, "org_id")) {
        let (person, org) = (person.to_owned(), org.to_owned());
        if !store::exists(w.conn(), Kind::Person, &person)? {
            return Err(Error::invalid("person_id", Problem::UnknownReference));
        }
        if !store::exists(w.conn(), Kind::Organisation, &org)? {
            return Err(Error::invalid("org_id", Problem::UnknownReference));
        }
        let to = crate::case::consent::Recipient::organisation(w.conn(), &org)?;
        let found = crate::case::consent::require(w, &person, &to, crate::case::consent::Purpose::Referral, override_reason)?;
        if absent(&fields, "consent_id")
            && let Some(c) = found
        {
            fields.insert("consent_id".into(), json!(c));
        }
    }
    let id = w.insert(Kind::Referral, fields)?;
    let rec = w_get(w, Kind::Referral, &id)?;
    let mut ev = Fields::new();
    ev.insert("referral_id".into(), json!(id));
    ev.insert("status".into(), rec["status"].clone());
    ev.insert("reason".into(), rec["status_reason"].clone());
    w.insert(Kind::ReferralEvent, ev)?;
    Ok(id)
}

/// Moves a referral to `status` (with a reason where one is needed) and records the change in
/// its history.
pub fn set_referral_status(w: &mut Writer<'_>, id: &str, status: &str, reason: Option<&str>) -> Result<()> {
    let mut ch = Fields::new();
    ch.insert("status".into(), json!(status));
    ch.insert("status_reason".into(), reason.map_or(Value::Null, |r| json!(r)));
    let changed = w.update(Kind::Referral, id, ch)?;
    if !changed.iter().any(|c| c == "status") {
        return Err(Error::invalid("status", Problem::Unchanged));
    }
    let mut ev = Fields::new();
    ev.insert("referral_id".into(), json!(id));
    ev.insert("status".into(), json!(status));
    ev.insert("reason".into(), reason.map_or(Value::Null, |r| json!(r)));
    w.insert(Kind::ReferralEvent, ev)?;
    Ok(())
}

/// Closes a case with a closure reason (and a note, required for `other`).
pub fn close_person(w: &mut Writer<'_>, id: &str, reason: &str, note: Option<&str>) -> Result<Vec<String>> {
    let mut ch = Fields::new();
    ch.insert("status".into(), json!(CaseStatus::Closed.code()));
    ch.insert("closure_reason".into(), json!(reason));
    if let Some(n) = note {
        ch.insert("closure_note".into(), json!(n));
    }
    let changed = w.update(Kind::Person, id, ch)?;
    if changed.is_empty() {
        return Err(Error::invalid("status", Problem::Unchanged));
    }
    Ok(changed)
}

/// Reopens a closed case (`reason` required, kept in the case's history): it is active again,
/// its closure reason, note and date are cleared, and with them its retention clock (and a
/// retention date set for it). Returns the fields that changed.
pub fn reopen_person(w: &mut Writer<'_>, id: &str, reason: &str) -> Result<Vec<String>> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid("reopen_reason", Problem::ReasonRequired));
    }
    if CaseStatus::of(&w_get(w, Kind::Person, id)?) != Some(CaseStatus::Closed) {
        return Err(Error::invalid("status", Problem::NotClosed));
    }
    let mut ch = Fields::new();
    ch.insert("status".into(), json!(CaseStatus::Active.code()));
    for field in ["closure_reason", "closure_note", "closed_on"] {
        ch.insert(field.into(), Value::Null);
    }
    let changed = w.update(Kind::Person, id, ch)?;
    let retention = w.conn().execute("DELETE FROM retention WHERE person_id = ?1", [id])?;
    let mut fields = vec![format!("reason={reason}")];
    if retention > 0 {
        fields.push("retention=cleared".into());
    }
    w.audit_event("person.reopen", Some(id), fields)?;
    Ok(changed)
}

fn w_get(w: &Writer<'_>, kind: Kind, id: &str) -> Result<Fields> {
    store::get(w.conn(), kind, id)
}
