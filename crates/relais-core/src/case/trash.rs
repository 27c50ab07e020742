//! The 30-day trash: a record of a case deleted by mistake (a note, an appointment, a referral
//! with its history, a court proceeding with its milestones…) goes here with what hangs under
//! it, and can be put back as it was for 30 days. Then, or when the worker empties the trash, it
//! is purged with the rigour of a destruction: rows deleted, the note index merged, the WAL
//! checkpointed and the file vacuumed (see [`crate::case::retention`]).
//!
//! A person's whole case is never trashed: it is closed, then destroyed.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use crate::error::{Error, Problem, Result};
use crate::record::{Fields, Kind, str_field};
use crate::vault::store::{self, Store};

/// How long the trash keeps a deleted record, in days.
pub use crate::vault::erase::TRASH_DAYS as DAYS;

/// One entry of the trash.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "TrashItem"))]
pub struct Item {
    /// The trash entry's id (to restore it).
    pub id: String,
    /// When it was deleted (RFC 3339 UTC).
    pub deleted_at: String,
    /// When it will be purged (RFC 3339 UTC).
    pub purge_at: String,
    /// Kind of the record deleted.
    pub kind: String,
    /// Its id.
    pub record_id: String,
    /// The person it belongs to, and their alias.
    pub person_id: Option<String>,
    /// The person's alias.
    pub alias: Option<String>,
    /// How many records it holds (the record and those under it).
    pub records: usize,
}

/// The kinds under `kind` (a referral's history, a proceeding's milestones and aids).
fn children(kind: Kind) -> impl Iterator<Item = (Kind, &'static str)> {
    Kind::ALL.into_iter().filter_map(move |k| match k.owner() {
        Some((col, parent)) if parent == kind => Some((k, col)),
        _ => None,
    })
}

/// Other records that point at `id` without belonging to it (an appointment linked to a need):
/// deleting it would leave them dangling.
fn referenced_by(conn: &rusqlite::Connection, kind: Kind, id: &str) -> Result<Option<Kind>> {
    for k in Kind::ALL {
        for col in k.columns() {
            let points_here = matches!(col.ty, crate::record::Ty::Ref(t) if t == kind);
            let owned = k.owner().is_some_and(|(c, _)| c == col.name);
            if points_here && !owned {
                let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {} WHERE {} = ?1", k.table(), col.name), [id], |r| r.get(0))?;
                if n > 0 {
                    return Ok(Some(k));
                }
            }
        }
    }
    Ok(None)
}

/// Moves a case record (and what hangs under it) to the trash; returns the trash entry's id.
/// Audited as one `delete` event per record, in the same transaction.
pub fn delete(store: &mut Store, kind: Kind, id: &str) -> Result<String> {
    if !kind.is_case_record() || kind == Kind::Person {
        return Err(Error::invalid("kind", Problem::UnknownField));
    }
    let rec = store.get(kind, id)?;
    if let Some(other) = referenced_by(store.conn(), kind, id)? {
        return Err(Error::invalid(other.name(), Problem::StillReferenced));
    }
    let person = store::person_of(store.conn(), kind, &rec)?;
    let mut content = vec![(kind, rec)];
    let mut i = 0;
    while i < content.len() {
        let (k, r) = (content[i].0, str_field(&content[i].1, "id").unwrap_or_default().to_owned());
        for (child, col) in children(k) {
            content.extend(store.list_by(child, col, &r)?.into_iter().map(|c| (child, c)));
        }
        i += 1;
    }
    let trash_id = uuid::Uuid::now_v7().to_string();
    let json = Value::Array(content.iter().map(|(k, r)| json!([k.name(), r])).collect());
    store.write(|w| {
        if let Some(p) = &person {
            w.ensure_writable(p)?;
        }
        w.conn().execute(
            "INSERT INTO trash (id, deleted_at, kind, record_id, person_id, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![trash_id, crate::time::to_db(w.now()), kind.name(), id, person, json.to_string()],
        )?;
        // Children before parents.
        for (k, r) in content.iter().rev() {
            let rid = str_field(r, "id").unwrap_or_default();
            w.conn().execute(&format!("DELETE FROM {} WHERE id = ?1", k.table()), [rid])?;
            w.audit_record("delete", *k, rid, person.as_deref(), vec![format!("trash={trash_id}")])?;
        }
        Ok(())
    })?;
    Ok(trash_id)
}

/// What the trash holds, newest first.
pub fn list(store: &Store) -> Result<Vec<Item>> {
    let mut st = store.conn().prepare(
        "SELECT t.id, t.deleted_at, t.kind, t.record_id, t.person_id, p.alias, json_array_length(t.content)
         FROM trash t LEFT JOIN persons p ON p.id = t.person_id ORDER BY t.deleted_at DESC, t.id DESC",
    )?;
    let rows = st.query_map([], |r| {
        let deleted_at: String = r.get(1)?;
        let purge_at = crate::time::from_db(&deleted_at).map(|d| crate::time::to_db(d + Duration::days(DAYS))).unwrap_or_default();
        Ok(Item {
            id: r.get(0)?,
            deleted_at,
            purge_at,
            kind: r.get(2)?,
            record_id: r.get(3)?,
            person_id: r.get(4)?,
            alias: r.get(5)?,
            records: r.get::<_, i64>(6)? as usize,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Puts a trash entry back as it was (same ids, revisions and dates), audited as `restore`.
pub fn restore(store: &mut Store, trash_id: &str) -> Result<()> {
    let content: String = store
        .conn()
        .query_row("SELECT content FROM trash WHERE id = ?1", [trash_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::invalid("trash", Problem::UnknownReference))?;
    let items: Vec<(String, Fields)> = serde_json::from_str(&content).map_err(|_| Error::invalid("trash", Problem::UnknownReference))?;
    store.write(|w| {
        for (name, rec) in &items {
            let kind = Kind::from_name(name).ok_or_else(|| Error::invalid("trash", Problem::UnknownReference))?;
            let person = store::person_of(w.conn(), kind, rec).map_err(|_| Error::invalid("person_id", Problem::UnknownReference))?;
            if let Some(p) = &person {
                w.ensure_writable(p)?;
            }
            // Already back (a colleague's bundle brought the same record again): say so.
            if store::exists(w.conn(), kind, str_field(rec, "id").unwrap_or_default())? {
                return Err(Error::invalid("trash", Problem::Duplicate));
            }
            w.put_received(kind, rec, false)?;
            let fields = kind.columns().iter().filter(|c| !rec.get(c.name).is_none_or(Value::is_null)).map(|c| c.name.to_owned()).collect();
            w.audit_record("restore", kind, str_field(rec, "id").unwrap_or_default(), person.as_deref(), fields)?;
        }
        w.conn().execute("DELETE FROM trash WHERE id = ?1", [trash_id])?;
        Ok(())
    })
}

/// Purges the entries deleted more than [`DAYS`] days before `now` (all of them with `all`), then
/// scrubs the files. Returns how many entries went. Unlocking a vault purges the expired ones.
pub fn purge(store: &mut Store, now: DateTime<Utc>, all: bool) -> Result<usize> {
    crate::vault::erase::purge_trash(store, now, all)
}
