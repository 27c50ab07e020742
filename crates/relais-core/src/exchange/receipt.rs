//! Receipts: the receiver's signed word that a transfer arrived, which lets the sender purge
//! the handed-off cases.

use std::collections::BTreeMap;

use rusqlite::OptionalExtension;

use super::*;
use crate::error::{Error, Result};
use crate::exchange::identity::{self};
use crate::record::{Fields, Kind};
use crate::vault::store::Store;

/// Builds the signed receipt of an imported transfer (the latest one when `bundle_id` is
/// `None`), encrypted to its sender. Importing it lets the sender purge the cases.
pub fn build_receipt(store: &Store, bundle_id: Option<&str>, armor: bool) -> Result<(Vec<u8>, Manifest)> {
    let row: Option<(String, String, String)> = store
        .conn()
        .query_row(
            "SELECT bundle_id, peer, persons FROM bundles_seen WHERE direction = 'in' AND kind = 'transfer'
             AND (?1 IS NULL OR bundle_id = ?1) ORDER BY at DESC, bundle_id DESC LIMIT 1",
            [bundle_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (for_id, peer, persons) = row.ok_or(Error::NotFound { kind: Kind::Person })?;
    let contact: Fields = store.list_by(Kind::Contact, "fingerprint", &peer)?.into_iter().next().ok_or(Error::UnknownSender)?;
    let to = contact_identity(&contact);
    let content = Content::default();
    let manifest = Manifest {
        bundle_id: uuid::Uuid::now_v7().to_string(),
        created_at: crate::time::to_db(chrono::Utc::now()),
        kind: BundleKind::Receipt,
        sender: identity::show(store)?,
        recipients: vec![Recipient { age_recipient: to.age_recipient.clone(), fingerprint: to.fingerprint.clone() }],
        persons: serde_json::from_str(&persons).map_err(|_| malformed("persons"))?,
        counts: BTreeMap::new(),
        content_sha256: canonical_sha256(&serde_json::to_value(&content).expect("content serializes")),
        receipt_for: Some(for_id),
        audit_anchor: Some(crate::vault::audit::anchor(store)?),
    };
    let plaintext = sign_document(&crate::vault::keys::secrets(store)?, &manifest, &content)?;
    let bytes = encrypt(&plaintext, &[identity::parse_recipient(&to.age_recipient)?], armor)?;
    Ok((bytes, manifest))
}

pub(super) fn apply_receipt(store: &mut Store, o: &Opened, counts: Counts) -> Result<Preview> {
    let for_id = o.manifest.receipt_for.clone().ok_or_else(|| malformed("receipt_for"))?;
    let sender = o.manifest.sender.fingerprint.clone();
    // A receipt carries no records, and names exactly the cases that transfer handed to its
    // sender: a list of others would write their receipt into other persons' histories.
    if !o.records.hold_none() {
        return Err(malformed("receipt: records"));
    }
    let handed: std::collections::BTreeSet<String> = store
        .conn()
        .prepare("SELECT person_id FROM handoffs WHERE bundle_id = ?1 AND to_fingerprint = ?2")?
        .query_map([&for_id, &sender], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if handed.is_empty() || handed != o.manifest.persons.iter().cloned().collect() {
        return Err(Error::ReceiptNotForSender);
    }
    store.write(|w| {
        let n = w.conn().execute(
            "UPDATE handoffs SET receipt_at = ?3 WHERE bundle_id = ?1 AND to_fingerprint = ?2 AND receipt_at IS NULL",
            rusqlite::params![for_id, sender, crate::time::to_db(w.now())],
        )?;
        if n == 0 {
            return Err(Error::ReceiptNotForSender);
        }
        w.conn().execute(
            "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES (?1, 'in', 'receipt', ?2, ?3, '{}', ?4)",
            rusqlite::params![o.manifest.bundle_id, sender, crate::time::to_db(w.now()), serde_json::to_string(&o.manifest.persons).expect("ids")],
        )?;
        if let Some(a) = &o.manifest.audit_anchor {
            crate::vault::audit::keep_received(w.conn(), a, &o.manifest.sender.signing_key, &crate::time::to_db(w.now()))?;
        }
        for pid in &o.manifest.persons {
            w.audit_event("bundle.receipt", Some(pid), vec![format!("bundle={for_id}"), format!("sender={sender}")])?;
        }
        Ok(())
    })?;
    Ok(make_preview(o, counts, Vec::new(), false, None, true))
}

/// The cases handed off whose receipt came back and that are still here: what
/// [`purge_handed_off`] erases. The receipt must be that of the case's last hand-off, to the
/// colleague who holds it now: a case can come back and go out again, and a receipt of an
/// earlier hand-off (kept back, or only slow to come) says nothing of the later one, which its
/// receiver may never have opened.
pub fn purgeable(store: &Store) -> Result<Vec<String>> {
    Ok(store
        .conn()
        .prepare(
            "SELECT DISTINCT h.person_id FROM handoffs h JOIN persons p ON p.id = h.person_id
             WHERE h.receipt_at IS NOT NULL AND h.purged_at IS NULL AND p.status = 'handed_off'
             AND h.to_fingerprint = p.owner
             AND NOT EXISTS (SELECT 1 FROM handoffs later WHERE later.person_id = h.person_id
                             AND julianday(later.at) > julianday(h.at))",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Removes every record of the cases handed off whose receipt came back, keeping only audit
/// events (which name fields, never values). Returns the number of cases purged.
pub fn purge_handed_off(store: &mut Store) -> Result<usize> {
    let ids = purgeable(store)?;
    if ids.is_empty() {
        return Ok(0);
    }
    store.write(|w| {
        for pid in &ids {
            crate::vault::erase::delete_case(w, pid)?;
            w.conn().execute("DELETE FROM conflicts WHERE person_id = ?1", [pid])?;
            w.conn()
                .execute("UPDATE handoffs SET purged_at = ?2 WHERE person_id = ?1", rusqlite::params![pid, crate::time::to_db(w.now())])?;
            w.audit_event("case.purged", Some(pid), vec!["policy=handed_off_with_receipt".into()])?;
        }
        w.mark_pending(crate::vault::store::Pending::Scrub)
    })?;
    // secure_delete zeroed the freed pages; the scrub merges the note index, moves that into the
    // main file, vacuums and empties the WAL, which still held the old pages.
    crate::vault::erase::scrub(store)?;
    Ok(ids.len())
}
