//! Export: the cases chosen, read kind by kind in the document's order and streamed into a
//! signed document that a second thread hashes and encrypts while the reading goes on.

use std::collections::BTreeMap;

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
    // No more than a bundle may name (a receiver would not read it).
    if req.to.len() > MAX_RECIPIENTS {
        return Err(Error::invalid("to", crate::error::Problem::TooMany { max: MAX_RECIPIENTS }));
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
    // Only the holder hands the pen on: a copy transferred onward would make two vaults hold
    // the case, and every later exchange between them fail (NotPartyToCase) or conflict.
    // One query for all the cases (a transfer of 1 000 asked the holder of each in turn).
    if req.kind == BundleKind::Transfer {
        let copies: i64 = store.conn().query_row(
            "SELECT count(*) FROM persons WHERE owner IS NOT NULL AND id IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(&req.persons).expect("ids serialize")],
            |r| r.get(0),
        )?;
        if copies > 0 {
            return Err(Error::TransferOfACopy);
        }
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

/// The SQL condition that selects the records of `kind` belonging to the cases whose ids `?1`
/// holds (a JSON array): a person by id, a record by its person, a child by its parent's
/// condition, the directory entries by what those records name; none for the documents when the
/// bundle does not carry them. Every kind is then read by itself, in the document's order (kinds
/// by name), and streamed to the encryptor as it is read: nothing waits for another kind.
pub(super) fn scope(kind: Kind, documents: bool) -> Option<String> {
    const PERSONS: &str = "(SELECT value FROM json_each(?1))";
    match (kind, kind.owner()) {
        (Kind::Document, _) if !documents => None,
        (Kind::Organisation, _) => {
            let named: Vec<String> = bundle_kinds()
                .filter(|k| k.column("org_id").is_some())
                .filter_map(|k| Some(format!("SELECT org_id FROM {} WHERE {}", k.table(), scope(k, documents)?)))
                .collect();
            Some(if named.is_empty() { "0".into() } else { format!("id IN ({})", named.join(" UNION ")) })
        }
        (_, None) => Some(format!("id IN {PERSONS}")),
        (_, Some(("person_id", _))) => Some(format!("person_id IN {PERSONS}")),
        (_, Some((col, parent))) => Some(format!("{col} IN (SELECT id FROM {} WHERE {})", parent.table(), scope(parent, documents)?)),
    }
}

/// What is sent to the encryptor at a time: large enough that a piece costs nothing to pass,
/// small enough that hashing and encrypting follow the reading closely.
const CHUNK: usize = 256 * 1024;

/// Reads every record of the requested cases, kind by kind in document order (kinds sorted by
/// name, empty kinds left out), as canonical JSON, and sends the content on as it is read. The
/// reads share one snapshot of the vault: a record and the one it hangs from are read as they
/// were at the same moment.
pub(super) fn write_content(
    store: &Store,
    req: &ExportRequest,
    counts: &mut BTreeMap<String, u64>,
    exported: &mut Exported,
    to_enc: &std::sync::mpsc::SyncSender<Piece>,
    progress: Progress<'_>,
) -> Result<()> {
    let send = |b: Vec<u8>| to_enc.send(Piece::Content(b)).map_err(|_| encryption_stopped());
    let snapshot = store.conn().unchecked_transaction()?;
    let persons = serde_json::to_string(&req.persons).expect("strings serialize");
    // Canonical order: the documents' bytes (when it carries them) before the records.
    let docs = match scope(Kind::Document, req.carries_documents()) {
        Some(scope) => {
            let ids: Vec<String> = snapshot
                .prepare(&format!("SELECT id FROM {} WHERE {scope}", Kind::Document.table()))?
                .query_map([&persons], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            crate::case::documents::encoded(&snapshot, &ids)?
        }
        None => Vec::new(),
    };
    if docs.is_empty() {
        send(b"{".to_vec())?;
    } else {
        let mut head = b"{\"documents\":{".to_vec();
        for (n, (id, b64)) in docs.into_iter().enumerate() {
            head.extend_from_slice(format!("{}\"{id}\":\"", if n > 0 { "," } else { "" }).as_bytes());
            send(std::mem::take(&mut head))?;
            send(b64.into_bytes())?;
            head.push(b'"');
        }
        head.extend_from_slice(b"},");
        send(head)?;
    }
    send(b"\"records\":{".to_vec())?;
    let mut kinds: Vec<Kind> = bundle_kinds().collect();
    kinds.sort_by_key(|k| k.name());
    let mut sent_any = false;
    for (i, kind) in kinds.iter().enumerate() {
        if let Some(scope) = scope(*kind, req.carries_documents()) {
            let piece = || Vec::with_capacity(CHUNK + CHUNK / 4);
            let mut out = piece();
            if sent_any {
                out.push(b',');
            }
            out.extend_from_slice(format!("\"{}\":[", kind.name()).as_bytes());
            let mut flush = |buf: &mut Vec<u8>| send(std::mem::replace(buf, piece()));
            let n = store::write_json_where(&snapshot, *kind, &scope, &persons, &mut out, CHUNK, &mut flush)?;
            // A kind without records is left out: nothing of it was sent (a piece goes only
            // once a record is written).
            if n > 0 {
                out.push(b']');
                send(out)?;
                sent_any = true;
                counts.insert(kind.name().to_owned(), n as u64);
                exported.records += n;
            }
        }
        progress(i + 1, kinds.len());
    }
    send(b"}}".to_vec())?;
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
