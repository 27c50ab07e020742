//! Retention and destruction (Law 25: destroy personal information once the purpose is met).
//!
//! Closing a case starts its retention period: the organisation's (`retention_years` in
//! `vault_meta`, 5 by default) counted from `closed_on`, or a date set for that case with a
//! written reason. When it is over the case is *due*: the dashboard lists it, and
//! [`destroy_person`] removes it.
//!
//! Destruction removes every record of the person (and what hangs under them), their notes from
//! the full-text index, their conflicts, hand-offs, trash items and retention setting, their id
//! from the bundles seen, and redacts every audit event about them to a bare link of the chain
//! (see [`crate::vault::audit`]); it then writes one event without personal data ("case X destroyed
//! under policy Y"), merges the full-text index, checkpoints the WAL and vacuums, so that the
//! content is gone from the files and not only from the tables (`secure_delete` is on).

use chrono::{DateTime, Months, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use crate::error::{Error, Problem, Result};
use crate::record::Kind;
use crate::vault::erase;
use crate::vault::store::{Meta, Store};

/// The organisation's retention period when none was set, in years.
pub const DEFAULT_YEARS: u32 = 5;

/// Why a case is destroyed (kept, as a code, in the audit event that remains).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Its retention period is over.
    Retention,
    /// The person asked for it (or the purpose ended early): any time, the worker decides.
    Request,
}

impl Policy {
    /// Parses `retention` or `request`.
    pub fn parse(s: &str) -> Result<Policy> {
        match s {
            "retention" => Ok(Policy::Retention),
            "request" => Ok(Policy::Request),
            _ => Err(Error::invalid(
                "policy",
                Problem::UnknownCode { list: "destruction_policies".into(), valid: vec!["retention".into(), "request".into()] },
            )),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Policy::Retention => "retention",
            Policy::Request => "request",
        }
    }
}

/// The organisation's retention period, in years after closure.
pub fn years(store: &Store) -> Result<u32> {
    Ok(store.meta(Meta::RetentionYears)?.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_YEARS))
}

/// Sets the organisation's retention period (1 to 100 years), audited.
pub fn set_years(store: &mut Store, years: u32) -> Result<()> {
    if !(1..=100).contains(&years) {
        return Err(Error::invalid("retention_years", Problem::MalformedNumber));
    }
    store.write(|w| {
        w.set_meta(Meta::RetentionYears, &years.to_string())?;
        w.audit_vault("settings.retention", vec![format!("years={years}")])
    })
}

/// Sets (or, with `None`, removes) a case's own end of retention, with the worker's reason.
pub fn set_case(store: &mut Store, person_id: &str, until: Option<NaiveDate>, reason: Option<&str>) -> Result<()> {
    store.get(Kind::Person, person_id)?;
    store.write(|w| {
        match until {
            Some(d) => {
                let reason =
                    reason.map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| Error::invalid("reason", Problem::ReasonRequired))?;
                w.conn().execute(
                    "INSERT INTO retention (person_id, until, reason, set_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (person_id) DO UPDATE SET until = excluded.until, reason = excluded.reason, set_at = excluded.set_at",
                    params![person_id, d.to_string(), reason, crate::time::to_db(w.now())],
                )?;
            }
            None => {
                w.conn().execute("DELETE FROM retention WHERE person_id = ?1", [person_id])?;
            }
        }
        w.audit_event("retention.set", Some(person_id), vec![if until.is_some() { "until" } else { "cleared" }.to_owned(), "reason".into()])
    })
}

/// A closed case and the end of its retention.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseRetention {
    /// The person's id.
    pub person_id: String,
    /// Their alias.
    pub alias: String,
    /// When the case was closed.
    pub closed_on: String,
    /// The last day it is kept.
    pub until: String,
    /// Set for this case (with this reason) rather than by the organisation's period.
    pub reason: Option<String>,
}

/// The retention of every closed case, soonest first.
pub fn closed_cases(store: &Store) -> Result<Vec<CaseRetention>> {
    cases(store, years(store)?, None)
}

/// The closed cases, or only those closed on or before `closed_by` and those with a date of
/// their own (read from the index of closing dates: the dashboard asks at every look).
fn cases(store: &Store, years: u32, closed_by: Option<&str>) -> Result<Vec<CaseRetention>> {
    const COLUMNS: &str = "p.id, p.alias, p.closed_on, r.until, r.reason";
    const CLOSED: &str = "p.status = 'closed' AND p.closed_on IS NOT NULL";
    let sql = match closed_by {
        None => format!("SELECT {COLUMNS} FROM persons p LEFT JOIN retention r ON r.person_id = p.id WHERE {CLOSED}"),
        // The cases closed long enough ago (a range of their partial index), and those kept
        // their own time (the retention table, a few rows: read first, CROSS JOIN keeps that
        // order; the planner otherwise walked every closed case).
        Some(_) => format!(
            "SELECT {COLUMNS} FROM persons p INDEXED BY persons_closed_on LEFT JOIN retention r ON r.person_id = p.id
             WHERE {CLOSED} AND p.closed_on <= ?1
             UNION SELECT {COLUMNS} FROM retention r CROSS JOIN persons p ON p.id = r.person_id WHERE {CLOSED}"
        ),
    };
    let mut st = store.conn().prepare_cached(&sql)?;
    let args: Vec<&dyn rusqlite::ToSql> = closed_by.iter().map(|b| b as &dyn rusqlite::ToSql).collect();
    let rows = st.query_map(args.as_slice(), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (person_id, alias, closed_on, own, reason) = row?;
        let until = match own {
            Some(u) => u,
            None => {
                match NaiveDate::parse_from_str(&closed_on, "%Y-%m-%d").ok().and_then(|d| d.checked_add_months(Months::new(12 * years))) {
                    Some(d) => d.to_string(),
                    None => continue,
                }
            }
        };
        out.push(CaseRetention { person_id, alias, closed_on, until, reason });
    }
    out.sort_by(|a, b| a.until.cmp(&b.until).then(a.alias.cmp(&b.alias)));
    Ok(out)
}

/// The closed cases whose retention is over on `today` (kept until `until` inclusive).
pub fn due(store: &Store, today: NaiveDate) -> Result<Vec<CaseRetention>> {
    // A case kept the default number of years is due only if closed before about today minus
    // those years: a week's margin covers the months' unequal ends; the exact test follows.
    let years = years(store)?;
    let closed_by =
        today.checked_add_days(chrono::Days::new(7)).and_then(|d| d.checked_sub_months(Months::new(12 * years))).map(|d| d.to_string());
    let today = today.to_string();
    Ok(cases(store, years, closed_by.as_deref().or(Some("9999-12-31")))?.into_iter().filter(|c| c.until < today).collect())
}

/// What a destruction removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Destroyed {
    /// Records removed (the person and everything under them).
    pub records: usize,
    /// Audit events redacted.
    pub events_redacted: usize,
}

/// Destroys a person's case for good (see the module's documentation), once the worker typed the
/// person's alias again (`confirm`, exactly, spaces around it aside). Under
/// [`Policy::Retention`] only once the case is due; `now` is the clock of the check and the event.
pub fn destroy_person(store: &mut Store, person_id: &str, policy: Policy, confirm: &str, now: DateTime<Utc>) -> Result<Destroyed> {
    let person = store.get(Kind::Person, person_id)?;
    if person.get("alias").and_then(serde_json::Value::as_str) != Some(confirm.trim()) {
        return Err(Error::ConfirmationMismatch);
    }
    if policy == Policy::Retention {
        let today = crate::time::local_date(now);
        let until = closed_cases(store)?.into_iter().find(|c| c.person_id == person_id).map(|c| c.until);
        match until {
            Some(u) if u < today.to_string() => {}
            Some(u) => return Err(Error::RetentionNotOver { until: u }),
            None => return Err(Error::RetentionNotOver { until: String::new() }),
        }
    }
    let destroyed = store.write_at(now, |w| {
        let (records, events_redacted) = erase::destroy_case(w, person_id, policy.name())?;
        Ok(Destroyed { records, events_redacted })
    })?;
    // The destruction, outside the database, so that restoring an older backup destroys the
    // case again ([`crate::vault::ledger`]).
    if crate::vault::ledger::reconcile(store).is_err() {
        // A crash or a read-only folder: the destruction's transaction left the line pending,
        // and the next unlock writes it.
    }
    erase::scrub(store)?;
    Ok(destroyed)
}

/// The retention set for one case, if any: (until, reason).
pub fn case_setting(store: &Store, person_id: &str) -> Result<Option<(String, String)>> {
    Ok(store
        .conn()
        .query_row("SELECT until, reason FROM retention WHERE person_id = ?1", [person_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
