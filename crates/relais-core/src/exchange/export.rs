//! Export: the cases chosen, read parents first, streamed into a signed document that a
//! second thread hashes and encrypts while the next kinds are read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::*;
use crate::error::{Error, Result};
use crate::exchange::identity::{self, Identity};
use crate::model::status::CaseStatus;
use crate::record::{Fields, Kind, str_field};
use crate::vault::store::{self, Store};

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// Person ids.
    pub persons: Vec<String>,
    /// Contact ids of the recipients.
    pub to: Vec<String>,
    /// Transfer or share.
    pub kind: BundleKind,
    /// ASCII armor instead of binary.
    pub armor: bool,
    /// For a share, why it goes ahead when no consent of a person names a recipient (kept in
    /// their case and audited); none: such a share is refused.
    pub override_reason: Option<String>,
    /// For a share, the cases' documents go too (their records and their bytes); a transfer
    /// always carries them: the sender's copy is purged once the receiver has it.
    pub documents: bool,
}

impl ExportRequest {
    /// Whether the bundle carries the cases' documents.
    pub fn carries_documents(&self) -> bool {
        self.kind == BundleKind::Transfer || self.documents
    }
}

/// Builds the bundle file for `req` and records the exchange (and, for a transfer, marks the
/// cases handed off). Returns the file's bytes and its manifest; the caller writes the file
/// (atomically) BEFORE calling [`commit_export`], so that a failed write marks nothing.
pub fn build_export(store: &Store, req: &ExportRequest, progress: Progress<'_>) -> Result<(Vec<u8>, Manifest, Exported)> {
    if req.to.is_empty() {
        return Err(Error::invalid("to", crate::error::Problem::Required));
    }
    if req.persons.is_empty() {
        return Err(Error::invalid("person", crate::error::Problem::Required));
    }
    // A transfer hands the pen to one colleague: two would each believe they hold the case.
    if req.kind == BundleKind::Transfer && req.to.len() > 1 {
        return Err(Error::invalid("to", crate::error::Problem::OnlyOne));
    }
    let recipients: Vec<Identity> = req
        .to
        .iter()
        .map(|id| {
            let c = store.get(Kind::Contact, id)?;
            // A case goes only to a key checked in person: an impostor's card would otherwise
            // receive it, and could sign the receipt that lets this vault purge its copy.
            if c.get("verified_on").is_none_or(Value::is_null) {
                return Err(Error::UnverifiedContact);
            }
            Ok(contact_identity(&c))
        })
        .collect::<Result<_>>()?;
    // One query per kind for all the cases (children through their parents' ids), each row
    // written straight to canonical JSON.
    let persons = store::list_in(store.conn(), Kind::Person, "id", &req.persons)?;
    if persons.len() != req.persons.len() {
        return Err(Error::NotFound { kind: Kind::Person });
    }
    if req.kind == BundleKind::Transfer && persons.iter().any(|p| CaseStatus::of(p) == Some(CaseStatus::HandedOff)) {
        return Err(Error::HandedOff);
    }
    // A share discloses the cases to someone outside their file: each person's consent must
    // name each recipient. (A transfer moves the case to the colleague who takes it over.)
    let mut releases = Vec::new();
    if req.kind == BundleKind::Share {
        let today = crate::time::local_date(chrono::Utc::now());
        let mut tos = Vec::with_capacity(req.to.len());
        for cid in &req.to {
            let to = crate::case::consent::Recipient::contact(store.conn(), cid)?;
            crate::case::consent::check_all(store.conn(), &req.persons, &to, today, req.override_reason.as_deref())?;
            tos.push(to);
        }
        for pid in &req.persons {
            releases.extend(tos.iter().map(|to| (pid.clone(), to.clone())));
        }
    }
    if req.carries_documents() {
        let (_, bytes) = crate::case::documents::totals(store, &req.persons)?;
        if bytes > crate::case::documents::MAX_IN_BUNDLE {
            return Err(Error::DocumentsTooLargeForBundle {
                total_mb: bytes.div_ceil(1_000_000),
                max_mb: crate::case::documents::MAX_IN_BUNDLE / 1_000_000,
            });
        }
    }
    let secrets = crate::vault::keys::secrets(store)?;
    let age_recipients = recipients.iter().map(|r| identity::parse_recipient(&r.age_recipient)).collect::<Result<Vec<_>>>()?;
    let mut manifest = Manifest {
        bundle_id: uuid::Uuid::now_v7().to_string(),
        // To the millisecond: two bundles to the same colleague a few seconds apart are told
        // apart (which one is newer, in the preview).
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        kind: req.kind,
        sender: identity::show(store)?,
        recipients: recipients
            .iter()
            .map(|r| Recipient { age_recipient: r.age_recipient.clone(), fingerprint: r.fingerprint.clone() })
            .collect(),
        persons: req.persons.clone(),
        counts: BTreeMap::new(),
        content_sha256: String::new(),
        receipt_for: None,
        audit_anchor: Some(crate::vault::audit::anchor(store)?),
    };
    let mut exported = Exported { releases, override_reason: req.override_reason.clone(), ..Exported::default() };
    // The document is `{"content":…,"format":…,"manifest":…,"signature":…,"version":…}`: the
    // content comes first, so a second thread hashes and encrypts it while this one is still
    // reading the next kinds (the machine's other core); the signed tail follows.
    let (to_enc, from_main) = std::sync::mpsc::sync_channel::<Piece>(8);
    let (hash_tx, hash_rx) = std::sync::mpsc::sync_channel::<String>(1);
    let bytes = std::thread::scope(|scope| -> Result<Vec<u8>> {
        let encryptor = scope.spawn(move || {
            encrypt_with(&age_recipients, req.armor, Padding::Bucket, |w| {
                w.write_all(b"{\"content\":")?;
                let mut h = Sha256::new();
                for piece in from_main.iter() {
                    match piece {
                        Piece::Content(b) => {
                            h.update(&b);
                            w.write_all(&b)?;
                        }
                        Piece::EndOfContent => {
                            let _ = hash_tx.send(store::hex_lower(&std::mem::take(&mut h).finalize()));
                        }
                        Piece::Tail(b) => {
                            w.write_all(&b)?;
                            return Ok(());
                        }
                    }
                }
                // The reading side stopped on an error: it reports it.
                Err(Error::Io(std::io::Error::other("export interrompu / export interrupted")))
            })
        });
        let produced = write_content(store, req, &mut manifest.counts, &mut exported, &to_enc, progress);
        let finished = produced.and_then(|()| {
            to_enc.send(Piece::EndOfContent).map_err(|_| encryption_stopped())?;
            manifest.content_sha256 = hash_rx.recv().map_err(|_| encryption_stopped())?;
            to_enc.send(Piece::Tail(document_tail(&secrets, &manifest).into_bytes())).map_err(|_| encryption_stopped())
        });
        drop(to_enc);
        let encrypted = encryptor.join().expect("the encryption thread does not panic");
        finished?;
        encrypted
    })?;
    Ok((bytes, manifest, exported))
}

pub(super) fn encryption_stopped() -> Error {
    Error::Io(std::io::Error::other("le chiffrement s'est arrêté / encryption stopped"))
}

/// What the reading side sends to the encrypting one, in document order.
pub(super) enum Piece {
    /// Bytes of the content (hashed and encrypted).
    Content(Vec<u8>),
    /// The content is complete: send back its hash.
    EndOfContent,
    /// The rest of the document, after the content (encrypted only).
    Tail(Vec<u8>),
}

/// The order in which kinds are read: a parent before its children, every kind that refers
/// to organisations before the organisations, and otherwise by name, the order in which they
/// appear in the document, so that most kinds can be sent on as soon as they are read.
pub(super) fn read_order() -> Vec<Kind> {
    let mut left: Vec<Kind> = bundle_kinds().collect();
    left.sort_by_key(|k| k.name());
    let refers_to_orgs = |k: Kind| k.columns().iter().any(|c| matches!(c.ty, crate::record::Ty::Ref(Kind::Organisation)));
    let mut order = Vec::new();
    while !left.is_empty() {
        let ready = |k: &Kind| match (*k, k.owner()) {
            (Kind::Organisation, _) => left.iter().all(|o| !refers_to_orgs(*o)),
            (_, Some((_, parent))) => !left.contains(&parent),
            _ => true,
        };
        let i = left.iter().position(ready).expect("kinds form no cycle");
        order.push(left.remove(i));
    }
    order
}

/// Reads every record of the requested cases, kind by kind, as canonical JSON, and sends the
/// content on in document order (kinds sorted by name, empty kinds left out).
pub(super) fn write_content(
    store: &Store,
    req: &ExportRequest,
    counts: &mut BTreeMap<String, u64>,
    exported: &mut Exported,
    to_enc: &std::sync::mpsc::SyncSender<Piece>,
    progress: Progress<'_>,
) -> Result<()> {
    let order = read_order();
    let mut doc_order: Vec<Kind> = order.clone();
    doc_order.sort_by_key(|k| k.name());
    let mut next = 0; // index in doc_order of the next kind to send
    let mut sent_any = false;
    let mut done: HashMap<Kind, Vec<u8>> = HashMap::new();
    let mut ids_of: HashMap<Kind, Vec<String>> = HashMap::new();
    let mut org_ids = BTreeSet::new();
    // Canonical order: the documents' bytes (when it carries them) before the records.
    let docs = if req.carries_documents() {
        let list = serde_json::to_string(&req.persons).expect("strings serialize");
        let ids: Vec<String> = store
            .conn()
            .prepare("SELECT id FROM documents WHERE person_id IN (SELECT value FROM json_each(?1))")?
            .query_map([list], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        crate::case::documents::encoded(store.conn(), &ids)?
    } else {
        Vec::new()
    };
    if docs.is_empty() {
        to_enc.send(Piece::Content(b"{".to_vec())).map_err(|_| encryption_stopped())?;
    } else {
        let mut head = b"{\"documents\":{".to_vec();
        for (n, (id, b64)) in docs.into_iter().enumerate() {
            head.extend_from_slice(format!("{}\"{id}\":\"", if n > 0 { "," } else { "" }).as_bytes());
            to_enc.send(Piece::Content(std::mem::take(&mut head))).map_err(|_| encryption_stopped())?;
            to_enc.send(Piece::Content(b64.into_bytes())).map_err(|_| encryption_stopped())?;
            head.push(b'"');
        }
        head.extend_from_slice(b"},");
        to_enc.send(Piece::Content(head)).map_err(|_| encryption_stopped())?;
    }
    to_enc.send(Piece::Content(b"\"records\":{".to_vec())).map_err(|_| encryption_stopped())?;
    for (i, kind) in order.iter().enumerate() {
        let (col, ids): (&str, &[String]) = match (kind, kind.owner()) {
            // A share without its documents: none of their records either.
            (Kind::Document, _) if !req.carries_documents() => ("id", &[]),
            (Kind::Organisation, _) => {
                ids_of.insert(Kind::Organisation, std::mem::take(&mut org_ids).into_iter().collect());
                ("id", &ids_of[&Kind::Organisation])
            }
            (_, None) => ("id", &req.persons),
            (_, Some(("person_id", _))) => ("person_id", &req.persons),
            (_, Some((col, parent))) => (col, ids_of.get(&parent).map(Vec::as_slice).unwrap_or(&[])),
        };
        let mut buf = Vec::new();
        let rows = store::write_json_in(store.conn(), *kind, col, ids, &mut buf)?;
        if !rows.is_empty() {
            counts.insert(kind.name().to_owned(), rows.len() as u64);
        }
        let mut written = Vec::with_capacity(rows.len());
        for r in rows {
            if let Some(o) = &r.org_id {
                org_ids.insert(o.clone());
            }
            written.push(r.id);
            exported.records += 1;
        }
        ids_of.insert(*kind, written);
        done.insert(*kind, buf);
        // Send on every kind whose turn has come.
        while next < doc_order.len() {
            let Some(buf) = done.remove(&doc_order[next]) else { break };
            if !buf.is_empty() {
                let mut head = Vec::with_capacity(32);
                if sent_any {
                    head.push(b',');
                }
                head.extend_from_slice(format!("\"{}\":[", doc_order[next].name()).as_bytes());
                to_enc.send(Piece::Content(head)).map_err(|_| encryption_stopped())?;
                to_enc.send(Piece::Content(buf)).map_err(|_| encryption_stopped())?;
                to_enc.send(Piece::Content(b"]".to_vec())).map_err(|_| encryption_stopped())?;
                sent_any = true;
            }
            next += 1;
        }
        progress(i + 1, order.len());
    }
    to_enc.send(Piece::Content(b"}}".to_vec())).map_err(|_| encryption_stopped())?;
    Ok(())
}

/// What an export wrote, for [`commit_export`].
#[derive(Debug, Clone, Default)]
pub struct Exported {
    records: usize,
    /// For a share: each (person, recipient) the consent gate let through.
    releases: Vec<(String, crate::case::consent::Recipient)>,
    override_reason: Option<String>,
}

impl Exported {
    /// Number of records written.
    pub fn len(&self) -> usize {
        self.records
    }

    /// Nothing was written.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }
}

/// After the file is safely written: remembers the bundle (to whom, which cases: who was party
/// to a case) and, for a transfer, marks the cases handed off. One transaction.
pub fn commit_export(store: &mut Store, manifest: &Manifest, exported: &Exported) -> Result<()> {
    let peers: Vec<String> = manifest.recipients.iter().map(|r| r.fingerprint.clone()).collect();
    store.write(|w| {
        for (pid, to) in &exported.releases {
            crate::case::consent::require(w, pid, to, crate::case::consent::Purpose::Share, exported.override_reason.as_deref())?;
        }
        w.conn().execute(
            "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES (?1, 'out', ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                manifest.bundle_id,
                kind_name(manifest.kind),
                peers.join(","),
                manifest.created_at,
                serde_json::to_string(&manifest.counts).expect("counts serialize"),
                serde_json::to_string(&manifest.persons).expect("ids serialize")
            ],
        )?;
        for pid in &manifest.persons {
            if manifest.kind == BundleKind::Transfer {
                // The receiver now holds the pen; this copy becomes read-only. Not a new
                // version of the record: the receiver's copy is the same version, and what
                // the receiver sends back must not look concurrent with it.
                w.hand_off(pid, &peers[0])?;
                for fp in &peers {
                    w.conn().execute(
                        "INSERT OR IGNORE INTO handoffs (person_id, bundle_id, to_fingerprint, at) VALUES (?1, ?2, ?3, ?4)",
                        rusqlite::params![pid, manifest.bundle_id, fp, manifest.created_at],
                    )?;
                }
            }
            let mut fields = vec![format!("bundle={}", manifest.bundle_id)];
            fields.extend(peers.iter().map(|fp| format!("to={fp}")));
            w.audit_event(&format!("bundle.export.{}", kind_name(manifest.kind)), Some(pid), fields)?;
        }
        Ok(())
    })
}

/// A bundle that carries no record and names no person (a team report, a needs ledger), signed
/// by this vault and encrypted to the verified contact `to_contact` only; with this vault's audit
/// anchor when `anchor`. Returns the file's bytes and its manifest; nothing is recorded.
pub(super) fn seal_for_contact(
    store: &Store,
    to_contact: &str,
    kind: BundleKind,
    content: Content,
    anchor: bool,
) -> Result<(Vec<u8>, Manifest)> {
    let c = store.get(Kind::Contact, to_contact)?;
    if c.get("verified_on").is_none_or(Value::is_null) {
        return Err(Error::UnverifiedContact);
    }
    let to = contact_identity(&c);
    let manifest = Manifest {
        bundle_id: uuid::Uuid::now_v7().to_string(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        kind,
        sender: identity::show(store)?,
        recipients: vec![Recipient { age_recipient: to.age_recipient.clone(), fingerprint: to.fingerprint.clone() }],
        persons: Vec::new(),
        counts: Default::default(),
        content_sha256: canonical_sha256(&serde_json::to_value(&content).expect("content serializes")),
        receipt_for: None,
        audit_anchor: if anchor { Some(crate::vault::audit::anchor(store)?) } else { None },
    };
    let plaintext = zeroize::Zeroizing::new(sign_document(&crate::vault::keys::secrets(store)?, &manifest, &content)?);
    let bytes = encrypt(&plaintext, &[identity::parse_recipient(&to.age_recipient)?], false)?;
    Ok((bytes, manifest))
}

pub(super) fn contact_identity(c: &Fields) -> Identity {
    let s = |k: &str| str_field(c, k).unwrap_or_default().to_owned();
    Identity {
        name: s("name"),
        org: s("org"),
        age_recipient: s("age_recipient"),
        signing_key: s("signing_key"),
        fingerprint: s("fingerprint"),
    }
}
