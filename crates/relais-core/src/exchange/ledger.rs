//! The envelope of the coalition's needs ledger: a bundle of kind `ledger`, signed, encrypted to
//! the coordinator's verified contact only, that carries no record and names no person; its
//! content is the ledger as JSON (`content.ledger`). What a ledger holds, how it is checked and
//! added up is [`crate::reports::stats::coalition`]'s: this room only seals and opens.

use serde_json::Value;

use super::export::contact_identity;
use super::format::{BundleKind, Content, Manifest, Recipient, malformed, sign_document};
use super::{canonical_sha256, encrypt, identity, open};
use crate::error::{Error, Result};
use crate::vault::store::Store;

/// `ledger` sealed for the contact `to_contact` (verified): the file's bytes and its manifest.
/// Nothing is recorded until [`commit_sent`].
pub fn seal(store: &Store, to_contact: &str, ledger: Value) -> Result<(Vec<u8>, Manifest)> {
    let c = store.get(crate::record::Kind::Contact, to_contact)?;
    if c.get("verified_on").is_none_or(Value::is_null) {
        return Err(Error::UnverifiedContact);
    }
    let recipient = contact_identity(&c);
    let content = Content { ledger: Some(ledger), ..Content::default() };
    let manifest = Manifest {
        bundle_id: uuid::Uuid::now_v7().to_string(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        kind: BundleKind::Ledger,
        sender: identity::show(store)?,
        recipients: vec![Recipient { age_recipient: recipient.age_recipient.clone(), fingerprint: recipient.fingerprint.clone() }],
        persons: Vec::new(),
        counts: Default::default(),
        content_sha256: canonical_sha256(&serde_json::to_value(&content).expect("content serializes")),
        receipt_for: None,
        audit_anchor: None,
    };
    let plaintext = zeroize::Zeroizing::new(sign_document(&crate::vault::keys::secrets(store)?, &manifest, &content)?);
    let bytes = encrypt(&plaintext, &[identity::parse_recipient(&recipient.age_recipient)?], false)?;
    Ok((bytes, manifest))
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
    let c = o.content;
    if o.manifest.kind != BundleKind::Ledger {
        return Err(malformed("manifest.kind"));
    }
    if !c.records.values().all(Vec::is_empty) || !c.documents.is_empty() || c.report.is_some() {
        return Err(malformed("content"));
    }
    if !o.manifest.persons.is_empty() || !o.manifest.counts.is_empty() {
        return Err(malformed("manifest.persons"));
    }
    let ledger = c.ledger.ok_or_else(|| malformed("content.ledger"))?;
    Ok(Opened { sender_name: o.sender_name, fingerprint: o.manifest.sender.fingerprint, bundle_id: o.manifest.bundle_id, ledger })
}
