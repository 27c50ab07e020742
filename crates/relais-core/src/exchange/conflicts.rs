//! Conflicts: records changed on both sides since the last exchange, kept until the worker
//! chooses a side.

use serde::Serialize;
use serde_json::Value;

use rusqlite::OptionalExtension;

use super::*;
use crate::error::{Error, Result};
use crate::record::{Fields, Kind};
use crate::vault::store::{self, Store};

/// An open conflict.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ConflictItem {
    /// Conflict id (for `resolve`).
    pub id: String,
    /// Kind of record.
    pub kind: String,
    /// Record id.
    pub record_id: String,
    /// Person, if any.
    pub person_id: Option<String>,
    /// The bundle it came with.
    pub bundle_id: String,
    /// Fields whose values differ.
    pub fields: Vec<String>,
    /// The same fields with both values: (field, value here, value sent).
    #[cfg_attr(feature = "ts", ts(type = "Array<[string, JsonValue, JsonValue]>"))]
    pub changes: Vec<(String, Value, Value)>,
    /// `conflict` (changed on both sides), `proposal` (a change from someone who neither holds
    /// the case nor wrote the record) or `directory` (an organisation that differs).
    pub reason: String,
    /// Who sent it (fingerprint).
    pub sender: Option<String>,
    /// Who sent it, as this vault knows them (the contact book's name).
    pub from: Option<crate::case::person_file::Author>,
}

/// The conflicts not resolved yet.
pub fn conflicts(store: &Store) -> Result<Vec<ConflictItem>> {
    let mut st = store.conn().prepare(
        "SELECT id, kind, record_id, person_id, bundle_id, theirs, reason, sender FROM conflicts WHERE resolved_at IS NULL
         ORDER BY detected_at, id",
    )?;
    type Row = (String, String, String, Option<String>, String, String, String, Option<String>);
    let rows: Vec<Row> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Every sender named once, from one read of the contact book.
    let senders = crate::case::person_file::named(store, rows.iter().filter_map(|r| r.7.as_deref()))?;
    rows.into_iter()
        .map(|(id, kind, record_id, person_id, bundle_id, theirs, reason, sender)| {
            let k = Kind::from_name(&kind).ok_or_else(|| malformed("kind"))?;
            let theirs: Fields = serde_json::from_str(&theirs).map_err(|_| malformed("conflict"))?;
            // A record moved to the trash since: listed against nothing here.
            let mine = match store.get(k, &record_id) {
                Err(Error::NotFound { .. }) => Fields::new(),
                other => other?,
            };
            let changes: Vec<(String, Value, Value)> = k
                .columns()
                .iter()
                .map(|c| {
                    let v = |f: &Fields| f.get(c.name).cloned().unwrap_or(Value::Null);
                    (c.name.to_owned(), v(&mine), v(&theirs))
                })
                .filter(|(_, here, sent)| here != sent)
                .collect();
            let fields = changes.iter().map(|(f, _, _)| f.clone()).collect();
            let from = sender.as_ref().and_then(|fp| senders.get(fp).cloned());
            Ok(ConflictItem { id, kind, record_id, person_id, bundle_id, fields, changes, reason, sender, from })
        })
        .collect()
}

/// Resolves a conflict by keeping this vault's version or taking the sender's.
pub fn resolve(store: &mut Store, conflict_id: &str, keep_theirs: bool) -> Result<()> {
    let row: Option<(String, String, String, Option<String>)> = store
        .conn()
        .query_row("SELECT kind, record_id, theirs, sender FROM conflicts WHERE id = ?1 AND resolved_at IS NULL", [conflict_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let (kind, record_id, theirs, sender) = row.ok_or(Error::NotFound { kind: Kind::Contact })?;
    let k = Kind::from_name(&kind).ok_or_else(|| malformed("kind"))?;
    let theirs: Fields = serde_json::from_str(&theirs).map_err(|_| malformed("conflict"))?;
    store.write(|w| {
        // Either way the result holds every change of both versions, and one more of this
        // vault: it is newer than both, and goes back as such at the next exchange.
        w.merge_versions(k, &record_id, &store::versions_of(&theirs))?;
        if keep_theirs {
            let changes: Fields =
                k.columns().iter().map(|c| (c.name.to_owned(), theirs.get(c.name).cloned().unwrap_or(Value::Null))).collect();
            w.update(k, &record_id, changes)?;
        }
        w.conn().execute(
            "UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1",
            rusqlite::params![conflict_id, crate::time::to_db(w.now()), if keep_theirs { "theirs" } else { "mine" }],
        )?;
        let person = store::person_of(w.conn(), k, &theirs)?;
        let mut fields = vec![format!("keep={}", if keep_theirs { "theirs" } else { "mine" })];
        fields.extend(sender.map(|fp| format!("sender={fp}")));
        w.audit_event("conflict.resolve", person.as_deref(), fields)
    })
}
