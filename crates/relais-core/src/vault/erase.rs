//! Removing data for good: a case's records, the exchange state nothing uses any more, the
//! trash's expired entries, and the scrub that takes the removed bytes out of the files.
//!
//! A removal commits first, then [`scrub`] merges the note index (a deleted note's words
//! otherwise stay in its older segments), moves everything into the main file, rebuilds it
//! without free pages (`VACUUM`) and empties the WAL. A scrub can fail after its removal
//! committed (VACUUM needs free space about the size of the file): the removal's transaction
//! marks a scrub as pending, and [`housekeeping`], run at every unlock, finishes it.

use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};
use crate::record::Kind;
use crate::vault::store::{Pending, Store, Writer};

/// How long the trash keeps a deleted record, in days.
pub const TRASH_DAYS: i64 = 30;

/// Deletes every record of a person's case, children before parents, with their trash entries
/// and retention setting; returns how many records.
pub(crate) fn delete_case(w: &mut Writer<'_>, person_id: &str) -> Result<usize> {
    w.conn().execute("DELETE FROM trash WHERE person_id = ?1", [person_id])?;
    w.conn().execute("DELETE FROM retention WHERE person_id = ?1", [person_id])?;
    let mut n = 0;
    for kind in Kind::ALL.into_iter().rev().filter(|k| k.is_case_record() && *k != Kind::Person) {
        let sql = match kind.owner() {
            Some(("person_id", _)) => format!("DELETE FROM {} WHERE person_id = ?1", kind.table()),
            Some((col, parent)) => {
                format!("DELETE FROM {} WHERE {col} IN (SELECT id FROM {} WHERE person_id = ?1)", kind.table(), parent.table())
            }
            None => continue,
        };
        n += w.conn().execute(&sql, [person_id])?;
    }
    n += w.conn().execute("DELETE FROM persons WHERE id = ?1", [person_id])?;
    drop_unreferenced_content(w)?;
    Ok(n)
}

/// Deletes the bytes of every document that is neither in the vault nor in the trash (its
/// record was deleted with its case, or its trash entry purged).
pub(crate) fn drop_unreferenced_content(w: &mut Writer<'_>) -> Result<usize> {
    Ok(w.conn().execute(
        "DELETE FROM document_content WHERE document_id NOT IN (SELECT id FROM documents)
           AND document_id NOT IN (SELECT json_extract(e.value, '$[1].id') FROM trash t, json_each(t.content) e
                                   WHERE json_extract(e.value, '$[0]') = 'document')",
        [],
    )?)
}

/// Destroys a person's case inside `w`'s transaction: every record ([`delete_case`]), the
/// conflicts and hand-offs about it, its id in the bundles seen, every audit event about it
/// redacted, a scrub marked pending, and one `person.destroy` event (`policy` says why).
/// Returns the records removed and the events redacted.
pub(crate) fn destroy_case(w: &mut Writer<'_>, person_id: &str, policy: &str) -> Result<(usize, usize)> {
    let records = delete_case(w, person_id)?;
    for sql in ["DELETE FROM conflicts WHERE person_id = ?1", "DELETE FROM handoffs WHERE person_id = ?1"] {
        w.conn().execute(sql, [person_id])?;
    }
    w.conn().execute(
        "UPDATE bundles_seen SET persons = (SELECT json_group_array(value) FROM json_each(bundles_seen.persons) WHERE value <> ?1)
         WHERE EXISTS (SELECT 1 FROM json_each(bundles_seen.persons) WHERE value = ?1)",
        [person_id],
    )?;
    let redacted = crate::vault::audit::redact_person(w.conn(), person_id)?;
    w.mark_pending(Pending::Scrub)?;
    w.mark_pending(Pending::Ledger)?;
    w.audit_destroyed(person_id, policy, records, &redacted)?;
    Ok((records, redacted.len()))
}

/// After a removal: merges the full-text index (a deleted note's words otherwise stay in its
/// older segments), then moves everything into the main file and rebuilds it without free pages
/// (`VACUUM`), and empties the WAL, which still held the old pages.
pub(crate) fn scrub(store: &mut Store) -> Result<()> {
    // A checkpoint that another connection's read keeps from finishing answers busy (1), not
    // an error: the old pages would stay in the files. The scrub then stays pending (the next
    // unlock does it) and the vault is said to be busy.
    let checkpoint = |conn: &rusqlite::Connection| -> Result<()> {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 { Ok(()) } else { Err(Error::VaultBusy) }
    };
    {
        let conn = store.conn();
        conn.execute("INSERT INTO notes_fts (notes_fts) VALUES ('optimize')", [])?;
        checkpoint(conn)?;
        conn.execute_batch("VACUUM")?;
        checkpoint(conn)?;
    }
    store.pending_done(Pending::Scrub)?;
    store.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Purges the trash entries deleted more than [`TRASH_DAYS`] days before `now` (all of them
/// with `all`), then scrubs the files. Returns how many entries went.
pub(crate) fn purge_trash(store: &mut Store, now: DateTime<Utc>, all: bool) -> Result<usize> {
    let cutoff = if all { crate::time::to_db(now + Duration::days(1)) } else { crate::time::to_db(now - Duration::days(TRASH_DAYS)) };
    let n: i64 = store.conn().query_row("SELECT count(*) FROM trash WHERE deleted_at < ?1", [&cutoff], |r| r.get(0))?;
    if n == 0 {
        return Ok(0);
    }
    store.write_at(now, |w| {
        // A conflict or proposal about a record purged with it holds a whole copy of it.
        w.conn().execute(
            "DELETE FROM conflicts WHERE record_id IN (
                 SELECT json_extract(e.value, '$[1].id') FROM trash t, json_each(t.content) e WHERE t.deleted_at < ?1)",
            [&cutoff],
        )?;
        w.conn().execute("DELETE FROM trash WHERE deleted_at < ?1", [&cutoff])?;
        drop_unreferenced_content(w)?;
        w.mark_pending(Pending::Scrub)?;
        w.audit_vault("trash.purge", vec![format!("entries={n}"), if all { "emptied" } else { "expired" }.to_owned()])
    })?;
    scrub(store)?;
    Ok(n as usize)
}

/// What every unlock does before handing the store out: purge the trash's expired entries and
/// finish what an earlier removal could not: the destruction ledger's line
/// ([`crate::vault::ledger::reconcile`]), the scrub.
pub(crate) fn housekeeping(store: &mut Store, now: DateTime<Utc>) -> Result<()> {
    purge_trash(store, now, false)?;
    // A folder where the ledger cannot be written keeps its line pending; the scrub does not
    // wait for it (the destroyed words would stay in free pages meanwhile).
    let ledger = if store.pending(Pending::Ledger)? { crate::vault::ledger::reconcile(store) } else { Ok(()) };
    if store.pending(Pending::Scrub)? {
        scrub(store)?;
    }
    ledger
}
