//! The envelope of the coalition's needs ledger: a bundle of kind `ledger`, signed, encrypted to
//! the coordinator's verified contact only, that carries no record and names no person; its
//! content is the ledger as JSON (`content.ledger`). What a ledger holds, how it is checked and
//! added up is [`crate::reports::stats::coalition`]'s: this room only seals and opens.

use serde_json::Value;

use super::export::seal_for_contact;
use super::format::{BundleKind, Content, Manifest, malformed};
use super::open;
use crate::error::Result;
use crate::vault::store::Store;

/// `ledger` sealed for the contact `to_contact` (verified): the file's bytes and its manifest.
/// Nothing is recorded until [`commit_sent`].
pub fn seal(store: &Store, to_contact: &str, ledger: Value) -> Result<(Vec<u8>, Manifest)> {
    seal_for_contact(store, to_contact, BundleKind::Ledger, Content { ledger: Some(ledger), ..Content::default() }, false)
}

/// Records, after the file is written, that this vault's counts left it: to whom, and `what`
/// (the period).
pub fn commit_sent(store: &mut Store, manifest: &Manifest, what: Vec<String>) -> Result<()> {
    store.write(|w| {
        let mut fields = vec![format!("bundle={}", manifest.bundle_id), format!("to={}", manifest.recipients[0].fingerprint)];
        fields.extend(what);
        w.audit_vault("ledger.sent", fields)
    })
}

/// A ledger bundle, opened: who sent it, and its ledger as JSON (not yet checked).
#[derive(Debug, Clone)]
pub struct Opened {
    /// The sender's name in this vault's contact book.
    pub sender_name: String,
    /// The sender's fingerprint.
    pub fingerprint: String,
    /// The bundle's id.
    pub bundle_id: String,
    /// `content.ledger`.
    pub ledger: Value,
}

/// Opens a ledger bundle sent to this vault by a verified contact: kind `ledger`, no record,
/// no document, no report, no person, a ledger.
pub fn unseal(store: &Store, bytes: &[u8]) -> Result<Opened> {
    let o = open(store, bytes, false)?;
    if o.manifest.kind != BundleKind::Ledger {
        return Err(malformed("manifest.kind"));
    }
    // (A report field outside a report was refused at opening.)
    if !o.records.hold_none() || !o.documents.is_empty() {
        return Err(malformed("content"));
    }
    if !o.manifest.persons.is_empty() || !o.manifest.counts.is_empty() {
        return Err(malformed("manifest.persons"));
    }
    let ledger = o.ledger.ok_or_else(|| malformed("content.ledger"))?;
    Ok(Opened { sender_name: o.sender_name, fingerprint: o.manifest.sender.fingerprint, bundle_id: o.manifest.bundle_id, ledger })
}
