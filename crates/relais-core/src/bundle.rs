//! Hand-off bundles: one case or many, moved between vaults as a file only the intended
//! recipients can open, that proves who sent it, and that can be imported twice without
//! duplicating anything. Format: `schema/bundle.md` and `schema/bundle.schema.json`.
//!
//! The file is an age file (binary, or armored on request) encrypted to the recipients' X25519
//! keys. Its plaintext is a JSON document `{format, version, manifest, content, signature}`:
//! the manifest names the sender, the recipients, the cases, the counts and the SHA-256 of the
//! content; the Ed25519 signature covers the manifest (so the content too, through its hash),
//! recipients included, so a bundle re-encrypted to someone else is refused.
//!
//! Import = decrypt → parse → verify signature and content hash → check the sender against the
//! contact book → check this vault is a signed recipient → validate every record → plan (new,
//! updated, unchanged, conflicting) → apply in ONE transaction with its audit events. Any
//! failure before the commit changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::identity::{self, Identity};
use crate::record::{Fields, Kind, str_field};
use crate::store::{self, Store};

/// Format name in every bundle.
pub const FORMAT: &str = "relais.bundle";
/// The format version this build writes and the newest it reads.
pub const VERSION: u64 = 1;
/// The largest plaintext accepted (a bundle of 1 000 cases is about 20 MB).
pub const MAX_PLAINTEXT: u64 = 256 * 1024 * 1024;
/// What the signature is computed over: this prefix, then the canonical manifest.
const SIGN_CONTEXT: &[u8] = b"relais.bundle.v1 manifest\n";

/// Why a bundle was made.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// The cases move: the sender's copy becomes read-only until purged.
    Transfer,
    /// A copy for a colleague; the sender keeps working on the case.
    Share,
    /// The receiver's signed acknowledgement of a transfer.
    Receipt,
}

/// A recipient as named (and signed) in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// age X25519 recipient.
    pub age_recipient: String,
    /// Fingerprint of the recipient's keys.
    pub fingerprint: String,
}

/// The signed description of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// UUID v7 of this bundle (a replay is recognised by it).
    pub bundle_id: String,
    /// When it was made (RFC 3339 UTC).
    pub created_at: String,
    /// Transfer, share or receipt.
    pub kind: BundleKind,
    /// Who made and signed it.
    pub sender: Identity,
    /// Who may open it.
    pub recipients: Vec<Recipient>,
    /// The ids of the persons whose cases it carries.
    pub persons: Vec<String>,
    /// Records per kind name.
    pub counts: BTreeMap<String, u64>,
    /// SHA-256 (hex) of the canonical content.
    pub content_sha256: String,
    /// For a receipt: the transfer it acknowledges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_for: Option<String>,
}

/// The records, by kind name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Kind name → records (every column plus id, created_at, updated_at, revision).
    pub records: BTreeMap<String, Vec<Fields>>,
}

/// Compact JSON with sorted keys: the bytes that are hashed and signed.
pub fn canonical(v: &Value) -> String {
    // serde_json's Map is a BTreeMap (the preserve_order feature is not enabled): keys come out
    // sorted at every level, numbers and strings in one fixed form.
    v.to_string()
}

/// Feeds whatever is written to it into SHA-256: JSON is hashed as it is serialized, without
/// building the string first.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// SHA-256 of [`canonical`]`(v)`, streamed.
fn canonical_sha256(v: &Value) -> String {
    let mut h = HashWriter(Sha256::new());
    serde_json::to_writer(&mut h, v).expect("hashing cannot fail");
    store::hex_lower(&h.0.finalize())
}

/// The content hash of one record: its columns only (not ids, timestamps or revision), as the
/// canonical JSON object of those columns (sorted keys, missing ones null), streamed.
pub fn record_hash(kind: Kind, rec: &Fields) -> String {
    use std::io::Write;
    let mut h = HashWriter(Sha256::new());
    let _ = h.write_all(b"{");
    for (n, name) in sorted_columns(kind).iter().enumerate() {
        if n > 0 {
            let _ = h.write_all(b",");
        }
        serde_json::to_writer(&mut h, name).expect("hashing cannot fail");
        let _ = h.write_all(b":");
        serde_json::to_writer(&mut h, rec.get(*name).unwrap_or(&Value::Null)).expect("hashing cannot fail");
    }
    let _ = h.write_all(b"}");
    store::hex_lower(&h.0.finalize())
}

/// A kind's column names in the order of a canonical object's keys.
fn sorted_columns(kind: Kind) -> &'static [&'static str] {
    &sorted_names(kind).0
}

/// A kind's field names (the four base ones and its columns), sorted like a record's keys.
fn all_fields_sorted(kind: Kind) -> &'static [&'static str] {
    &sorted_names(kind).1
}

/// Per kind, sorted: (its column names, its column names and the four base fields).
fn sorted_names(kind: Kind) -> &'static (Vec<&'static str>, Vec<&'static str>) {
    type Names = (Vec<&'static str>, Vec<&'static str>);
    static ALL: std::sync::OnceLock<HashMap<Kind, Names>> = std::sync::OnceLock::new();
    &ALL.get_or_init(|| {
        Kind::ALL
            .iter()
            .map(|k| {
                let mut cols: Vec<&'static str> = k.columns().iter().map(|c| c.name).collect();
                cols.sort_unstable();
                let mut all = cols.clone();
                all.extend(["id", "created_at", "updated_at", "revision"]);
                all.sort_unstable();
                (*k, (cols, all))
            })
            .collect()
    })[&kind]
}

fn malformed(detail: impl Into<String>) -> Error {
    Error::MalformedBundle { detail: detail.into() }
}

/// Kinds a bundle may carry, parents first.
pub fn bundle_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| k.is_case_record() || *k == Kind::Organisation)
}

/// Progress of a long operation: (done, total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

// ---------------------------------------------------------------------------------------------
// Export

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
    let recipients: Vec<Identity> = req
        .to
        .iter()
        .map(|id| {
            let c = store.get(Kind::Contact, id)?;
            Ok(contact_identity(&c))
        })
        .collect::<Result<_>>()?;
    // One query per kind for all the cases (children through their parents' ids), each row
    // written straight to canonical JSON.
    let persons = store::list_in(store.conn(), Kind::Person, "id", &req.persons)?;
    if persons.len() != req.persons.len() {
        return Err(Error::NotFound { kind: Kind::Person });
    }
    if req.kind == BundleKind::Transfer && persons.iter().any(|p| str_field(p, "status") == Some("handed_off")) {
        return Err(Error::HandedOff);
    }
    // A share discloses the cases to someone outside their file: each person's consent must
    // name each recipient. (A transfer moves the case to the colleague who takes it over.)
    let mut releases = Vec::new();
    if req.kind == BundleKind::Share {
        let today = crate::time::local_date(chrono::Utc::now());
        for pid in &req.persons {
            for cid in &req.to {
                let to = crate::consent::Recipient::contact(store.conn(), cid)?;
                crate::consent::check(store.conn(), pid, &to, today, req.override_reason.as_deref())?;
                releases.push((pid.clone(), to));
            }
        }
    }
    let secrets = identity::secrets(store)?;
    let age_recipients = recipients.iter().map(|r| identity::parse_recipient(&r.age_recipient)).collect::<Result<Vec<_>>>()?;
    let mut manifest = Manifest {
        bundle_id: uuid::Uuid::now_v7().to_string(),
        created_at: crate::time::to_db(chrono::Utc::now()),
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
    };
    let mut exported = Exported { releases, override_reason: req.override_reason.clone(), ..Exported::default() };
    // The document is `{"content":…,"format":…,"manifest":…,"signature":…,"version":…}`: the
    // content comes first, so a second thread hashes and encrypts it while this one is still
    // reading the next kinds (the machine's other core); the signed tail follows.
    let (to_enc, from_main) = std::sync::mpsc::sync_channel::<Piece>(8);
    let (hash_tx, hash_rx) = std::sync::mpsc::sync_channel::<String>(1);
    let bytes = std::thread::scope(|scope| -> Result<Vec<u8>> {
        let encryptor = scope.spawn(move || {
            encrypt_with(&age_recipients, req.armor, |w| {
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

fn encryption_stopped() -> Error {
    Error::Io(std::io::Error::other("le chiffrement s'est arrêté / encryption stopped"))
}

/// What the reading side sends to the encrypting one, in document order.
enum Piece {
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
fn read_order() -> Vec<Kind> {
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
fn write_content(
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
    to_enc.send(Piece::Content(b"{\"records\":{".to_vec())).map_err(|_| encryption_stopped())?;
    for (i, kind) in order.iter().enumerate() {
        let (col, ids): (&str, &[String]) = match (kind, kind.owner()) {
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
            written.push(r.id.clone());
            exported.records.push((*kind, r));
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
    records: Vec<(Kind, store::WrittenRow)>,
    /// For a share: each (person, recipient) the consent gate let through.
    releases: Vec<(String, crate::consent::Recipient)>,
    override_reason: Option<String>,
}

impl Exported {
    /// Number of records written.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Nothing was written.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// After the file is safely written: remembers what was sent (so a later import can tell who
/// changed what) and, for a transfer, marks the cases handed off. One transaction.
pub fn commit_export(store: &mut Store, manifest: &Manifest, exported: &Exported) -> Result<()> {
    let peers: Vec<String> = manifest.recipients.iter().map(|r| r.fingerprint.clone()).collect();
    store.write(|w| {
        for (pid, to) in &exported.releases {
            crate::consent::require(w, pid, to, crate::consent::Purpose::Share, exported.override_reason.as_deref())?;
        }
        for (kind, r) in &exported.records {
            remember_written(w.conn(), *kind, &r.id, r.revision, &r.hash)?;
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
                let mut ch = Fields::new();
                ch.insert("status".into(), json!("handed_off"));
                w.update(Kind::Person, pid, ch)?;
                for fp in &peers {
                    w.conn().execute(
                        "INSERT OR IGNORE INTO handoffs (person_id, bundle_id, to_fingerprint, at) VALUES (?1, ?2, ?3, ?4)",
                        rusqlite::params![pid, manifest.bundle_id, fp, manifest.created_at],
                    )?;
                }
            }
            w.audit_event(&format!("bundle.export.{}", kind_name(manifest.kind)), Some(pid), vec![manifest.bundle_id.clone()])?;
        }
        Ok(())
    })
}

fn kind_name(k: BundleKind) -> &'static str {
    match k {
        BundleKind::Transfer => "transfer",
        BundleKind::Share => "share",
        BundleKind::Receipt => "receipt",
    }
}

fn contact_identity(c: &Fields) -> Identity {
    let s = |k: &str| str_field(c, k).unwrap_or_default().to_owned();
    Identity {
        name: s("name"),
        org: s("org"),
        age_recipient: s("age_recipient"),
        signing_key: s("signing_key"),
        fingerprint: s("fingerprint"),
    }
}

fn remember_exchange(conn: &rusqlite::Connection, kind: Kind, r: &Fields) -> Result<()> {
    remember_exchange_hash(conn, kind, r, &record_hash(kind, r))
}

fn remember_exchange_hash(conn: &rusqlite::Connection, kind: Kind, r: &Fields, hash: &str) -> Result<()> {
    remember_written(conn, kind, str_field(r, "id").unwrap_or_default(), r.get("revision").and_then(Value::as_i64).unwrap_or(1), hash)
}

fn remember_written(conn: &rusqlite::Connection, kind: Kind, id: &str, revision: i64, hash: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO exchange_state (record_id, kind, revision, hash) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (record_id) DO UPDATE SET revision = excluded.revision, hash = excluded.hash",
    )?
    .execute(rusqlite::params![id, kind.name(), revision, hash])?;
    Ok(())
}

/// What follows the content in the document: format, signed manifest, signature, version.
fn document_tail(secrets: &identity::Secrets, manifest: &Manifest) -> String {
    let m = canonical(&serde_json::to_value(manifest).expect("manifest serializes"));
    let mut msg = SIGN_CONTEXT.to_vec();
    msg.extend_from_slice(m.as_bytes());
    let sig = secrets.sign(&msg);
    format!(r#","format":"{FORMAT}","manifest":{m},"signature":"{sig}","version":{VERSION}}}"#)
}

pub(crate) fn sign_document(secrets: &identity::Secrets, manifest: &Manifest, content: &Content) -> Result<Vec<u8>> {
    let content_json = serde_json::to_string(content).expect("content serializes");
    Ok(format!(r#"{{"content":{content_json}{}"#, document_tail(secrets, manifest)).into_bytes())
}

fn encrypt(plaintext: &[u8], to: &[age::x25519::Recipient], armor: bool) -> Result<Vec<u8>> {
    encrypt_with(to, armor, |w| Ok(w.write_all(plaintext)?))
}

/// Encrypts to `to` whatever `write` writes, into one age file (armored or binary).
pub(crate) fn encrypt_with(
    to: &[age::x25519::Recipient],
    armor: bool,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Vec<u8>> {
    let enc = age::Encryptor::with_recipients(to.iter().map(|r| r as &dyn age::Recipient))?;
    let mut out = Vec::new();
    let format = if armor { age::armor::Format::AsciiArmor } else { age::armor::Format::Binary };
    let armored = age::armor::ArmoredWriter::wrap_output(&mut out, format)?;
    let mut w = enc.wrap_output(armored)?;
    write(&mut w)?;
    w.finish()?.finish()?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Import

const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
const ARMOR_END: &[u8] = b"-----END AGE ENCRYPTED FILE-----";

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

/// The binary age file inside an armored one (whitespace around the armor is allowed).
fn dearmor(bytes: &[u8]) -> Result<Vec<u8>> {
    let trimmed = trim_ascii(bytes);
    if !trimmed.ends_with(ARMOR_END) {
        return Err(Error::BundleTruncated);
    }
    let mut out = Vec::new();
    age::armor::ArmoredReader::new(trimmed).take(MAX_PLAINTEXT + 1).read_to_end(&mut out).map_err(|_| Error::NotAgeFile)?;
    if out.len() as u64 > MAX_PLAINTEXT {
        return Err(Error::BundleTooLarge);
    }
    Ok(out)
}

/// The age header's syntax, stricter than the age crate: every stanza ends with a short body
/// line (even empty), body lines are at most 64 characters, the header ends with its MAC line.
fn check_header(bin: &[u8]) -> Result<()> {
    const INTRO: &[u8] = b"age-encryption.org/v1\n";
    if !bin.starts_with(INTRO) {
        return Err(if INTRO.starts_with(bin) { Error::BundleTruncated } else { Error::NotAgeFile });
    }
    let mut rest = &bin[INTRO.len()..];
    let mut next_line = || -> Result<&[u8]> {
        let nl = rest.iter().position(|&c| c == b'\n').ok_or(Error::BundleTruncated)?;
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        Ok(line)
    };
    let mut line = next_line()?;
    loop {
        if line.starts_with(b"--- ") {
            return Ok(());
        }
        if !line.starts_with(b"-> ") {
            return Err(Error::NotAgeFile);
        }
        loop {
            line = next_line()?;
            if line.starts_with(b"-> ") || line.starts_with(b"---") || line.len() > 64 {
                return Err(Error::NotAgeFile);
            }
            if line.len() < 64 {
                break;
            }
        }
        line = next_line()?;
    }
}

/// Decrypts an age file (binary or armored) with `identities`, mapping each failure to what a
/// person can act on. At most [`MAX_PLAINTEXT`] bytes are read, and nothing is returned unless
/// the whole payload authenticated.
pub fn decrypt(bytes: &[u8], identities: &[&dyn age::Identity]) -> Result<Vec<u8>> {
    let armored = trim_ascii(bytes).starts_with(ARMOR_BEGIN);
    let dearmored;
    let bin: &[u8] = if armored {
        dearmored = dearmor(bytes)?;
        &dearmored
    } else {
        bytes
    };
    check_header(bin)?;
    let dec = match age::Decryptor::new_buffered(bin) {
        Ok(d) => d,
        Err(age::DecryptError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(Error::BundleTruncated),
        Err(age::DecryptError::InvalidMac) => return Err(Error::BundleTampered),
        Err(_) => return Err(Error::NotAgeFile),
    };
    let mut r = match dec.decrypt(identities.iter().copied()) {
        Ok(r) => r,
        // No stanza opened with our key (for X25519 "not ours" and "damaged" look the same).
        Err(age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed) => return Err(Error::BundleNotForThisVault),
        Err(age::DecryptError::InvalidMac) => return Err(Error::BundleTampered),
        Err(age::DecryptError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(Error::BundleTruncated),
        Err(_) => return Err(Error::BundleTampered),
    };
    let mut out = Vec::new();
    match (&mut r).take(MAX_PLAINTEXT + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > MAX_PLAINTEXT => Err(Error::BundleTooLarge),
        Ok(_) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(Error::BundleTruncated),
        // A payload chunk that does not authenticate: altered, or cut inside the payload (the
        // age format cannot tell those apart).
        Err(_) => Err(Error::BundleTampered),
    }
}

/// A bundle opened and verified, not yet applied.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The signed manifest.
    pub manifest: Manifest,
    /// The records.
    pub content: Content,
    /// The sender's contact id in this vault.
    pub sender_contact: String,
    /// The sender's fingerprint was checked in person.
    pub sender_verified: bool,
}

/// `{"records": {kind: [record…]}}` taken apart without copying the records (what
/// `serde_json::from_value::<Content>` does, field by field, for 100 000 records).
fn content_from_value(c: Value) -> Result<Content> {
    let Value::Object(mut c) = c else { return Err(malformed("content")) };
    if let Some(extra) = c.keys().find(|k| k.as_str() != "records") {
        return Err(malformed(format!("content: champ/field {extra}")));
    }
    let Some(Value::Object(kinds)) = c.remove("records") else { return Err(malformed("content.records")) };
    let mut records = BTreeMap::new();
    for (name, rows) in kinds {
        let Value::Array(rows) = rows else { return Err(malformed(format!("content.records.{name}"))) };
        let rows = rows
            .into_iter()
            .map(|r| match r {
                Value::Object(f) => Ok(f),
                _ => Err(malformed(format!("content.records.{name}"))),
            })
            .collect::<Result<Vec<Fields>>>()?;
        records.insert(name, rows);
    }
    Ok(Content { records })
}

/// Parses and verifies a decrypted document (signature, content hash, format, version).
pub fn verify_document(plaintext: &[u8]) -> Result<(Manifest, Content)> {
    // Something that does not even start like a JSON object is not a bundle; a JSON object that
    // does not parse is a damaged one.
    if plaintext.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::NotABundle);
    }
    let mut doc: Value = serde_json::from_slice(plaintext).map_err(|e| malformed(format!("JSON ligne/line {}", e.line())))?;
    let obj = doc.as_object_mut().ok_or(Error::NotABundle)?;
    if obj.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(Error::NotABundle);
    }
    let version = obj.get("version").and_then(Value::as_u64).ok_or_else(|| malformed("version"))?;
    if version > VERSION {
        return Err(Error::UnsupportedBundleVersion { found: version });
    }
    if let Some(extra) = obj.keys().find(|k| !["format", "version", "manifest", "content", "signature"].contains(&k.as_str())) {
        return Err(malformed(format!("champ/field {extra}")));
    }
    let m = obj.get("manifest").ok_or_else(|| malformed("manifest"))?;
    let manifest: Manifest = serde_json::from_value(m.clone()).map_err(|e| malformed(format!("manifest: {e}")))?;
    let signing_key = identity::parse_signing_key(&manifest.sender.signing_key).map_err(|_| Error::BadSignature)?;
    let sig_hex = obj.get("signature").and_then(Value::as_str).ok_or(Error::BadSignature)?;
    let sig_bytes: [u8; 64] = hex::decode(sig_hex).ok().and_then(|b| b.try_into().ok()).ok_or(Error::BadSignature)?;
    let mut msg = SIGN_CONTEXT.to_vec();
    msg.extend_from_slice(canonical(m).as_bytes());
    signing_key.verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig_bytes)).map_err(|_| Error::BadSignature)?;
    if identity::fingerprint(&manifest.sender.age_recipient, &manifest.sender.signing_key) != manifest.sender.fingerprint {
        return Err(Error::BadSignature);
    }
    let c = obj.remove("content").ok_or_else(|| malformed("content"))?;
    if canonical_sha256(&c) != manifest.content_sha256 {
        return Err(Error::BundleTampered);
    }
    let content = content_from_value(c)?;
    Ok((manifest, content))
}

/// Decrypts with this vault's identity, verifies, and checks sender and recipients.
pub fn open(store: &Store, bytes: &[u8], accept_unverified: bool) -> Result<Opened> {
    let secrets = identity::secrets(store)?;
    let plaintext = zeroize::Zeroizing::new(decrypt(bytes, &[&secrets.age as &dyn age::Identity])?);
    let (manifest, content) = verify_document(&plaintext)?;
    let contact: Option<(String, Option<String>, String)> = store
        .conn()
        .query_row(
            "SELECT id, verified_on, age_recipient FROM contacts WHERE signing_key = ?1",
            [manifest.sender.signing_key.to_ascii_lowercase()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ok();
    let Some((sender_contact, verified_on, age_recipient)) = contact else { return Err(Error::UnknownSender) };
    if age_recipient != manifest.sender.age_recipient {
        return Err(Error::UnknownSender);
    }
    let sender_verified = verified_on.is_some();
    if !sender_verified && !accept_unverified {
        return Err(Error::UnverifiedSender);
    }
    let me = identity::show(store)?;
    if !manifest.recipients.iter().any(|r| r.fingerprint == me.fingerprint && r.age_recipient == me.age_recipient) {
        return Err(Error::BundleReaddressed);
    }
    Ok(Opened { manifest, content, sender_contact, sender_verified })
}

/// What an import does (or would do) to each kind of record.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Records not in this vault yet.
    pub new: BTreeMap<String, u64>,
    /// Records changed only by the sender since the last exchange: theirs replaces ours.
    pub updated: BTreeMap<String, u64>,
    /// Records identical here, or changed only here.
    pub unchanged: BTreeMap<String, u64>,
    /// Records changed on both sides: kept as they are here, listed to resolve.
    pub conflicts: BTreeMap<String, u64>,
}

/// The preview of an import, and after it, the report.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// Bundle id.
    pub bundle_id: String,
    /// Transfer or share.
    pub kind: BundleKind,
    /// Who sent it.
    pub sender: Identity,
    /// Whether their fingerprint was checked in person.
    pub sender_verified: bool,
    /// When it was made.
    pub created_at: String,
    /// (id, alias) of the persons it carries.
    pub persons: Vec<(String, String)>,
    /// This bundle was imported before: nothing changes.
    pub replay: bool,
    /// Per kind: new, updated, unchanged, conflicts.
    pub counts: Counts,
    /// Whether it was applied (false for a dry run or a replay).
    pub applied: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    New,
    Update,
    Unchanged,
    Conflict,
}

struct Plan {
    /// Each record, what to do with it, and its content hash.
    items: Vec<(Kind, Fields, Action, String)>,
    counts: Counts,
    replay: bool,
}

/// Validates every record and decides, for each, what importing it means here.
fn plan(store: &Store, o: &Opened) -> Result<Plan> {
    let conn = store.conn();
    let replay: bool =
        conn.query_row("SELECT count(*) FROM bundles_seen WHERE bundle_id = ?1", [&o.manifest.bundle_id], |r| r.get::<_, i64>(0))? > 0;
    // Declared counts must be the content's.
    let actual: BTreeMap<String, u64> = o.content.records.iter().map(|(k, v)| (k.clone(), v.len() as u64)).collect();
    if actual != o.manifest.counts.clone().into_iter().filter(|(_, n)| *n > 0).collect() {
        return Err(Error::BundleCountMismatch);
    }
    let allowed: HashSet<Kind> = bundle_kinds().collect();
    let mut ids: HashMap<Kind, HashSet<String>> = HashMap::new();
    for (name, rows) in &o.content.records {
        let kind = Kind::from_name(name).filter(|k| allowed.contains(k)).ok_or_else(|| malformed(format!("type/kind {name}")))?;
        for r in rows {
            let id = str_field(r, "id").filter(|s| uuid::Uuid::parse_str(s).is_ok()).ok_or_else(|| malformed(format!("{name}.id")))?;
            if !ids.entry(kind).or_default().insert(id.to_ascii_lowercase()) {
                return Err(Error::BundleDuplicateId);
            }
        }
    }
    let persons_in: BTreeSet<&str> = ids.get(&Kind::Person).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default();
    let declared: BTreeSet<&str> = o.manifest.persons.iter().map(String::as_str).collect();
    let receipt = o.manifest.kind == BundleKind::Receipt;
    if (receipt && (!o.content.records.is_empty() || o.manifest.receipt_for.is_none())) || (!receipt && persons_in != declared) {
        return Err(malformed("persons"));
    }
    let known = |kind: Kind, id: &str| -> Result<bool> {
        Ok(ids.get(&kind).is_some_and(|s| s.contains(id)) || (kind == Kind::Organisation && store::exists(conn, kind, id)?))
    };
    let mut items = Vec::new();
    let mut counts = Counts::default();
    // Record id -> the person it belongs to, filled parents first (bundle_kinds' order).
    let mut owners: HashMap<String, String> = HashMap::new();
    let mut known_person: HashMap<String, bool> = HashMap::new();
    for kind in bundle_kinds() {
        for r in o.content.records.get(kind.name()).map(Vec::as_slice).unwrap_or(&[]) {
            let rec = validate_received(kind, r, &known)?;
            // Case records must belong to a person carried by this bundle.
            if kind != Kind::Organisation {
                let person = match kind.owner() {
                    None => str_field(&rec, "id").unwrap_or_default().to_owned(),
                    Some(("person_id", _)) => str_field(&rec, "person_id").unwrap_or_default().to_owned(),
                    Some((col, _)) => {
                        owners.get(str_field(&rec, col).unwrap_or_default()).cloned().ok_or(Error::BundleDanglingReference)?
                    }
                };
                if !declared.contains(person.as_str()) {
                    return Err(Error::BundleDanglingReference);
                }
                owners.insert(str_field(&rec, "id").unwrap_or_default().to_owned(), person);
            }
            let hash = record_hash(kind, &rec);
            // A case this vault does not have yet brings only new records: no lookup needed.
            let person_here = match owners.get(str_field(&rec, "id").unwrap_or_default()) {
                Some(p) => *known_person.entry(p.clone()).or_insert_with(|| store::exists(conn, Kind::Person, p).unwrap_or(true)),
                None => true,
            };
            let action = if person_here { decide(conn, kind, &rec, &hash)? } else { Action::New };
            let bucket = match action {
                Action::New => &mut counts.new,
                Action::Update => &mut counts.updated,
                Action::Unchanged => &mut counts.unchanged,
                Action::Conflict => &mut counts.conflicts,
            };
            *bucket.entry(kind.name().into()).or_default() += 1;
            items.push((kind, rec, action, hash));
        }
    }
    Ok(Plan { items, counts, replay })
}

fn validate_received(kind: Kind, r: &Fields, known: &dyn Fn(Kind, &str) -> Result<bool>) -> Result<Fields> {
    let bad = |what: &str| malformed(format!("{}.{what}", kind.name()));
    // Both key lists are sorted: one walk finds a key that is not a field of this kind.
    let mut known_keys = all_fields_sorted(kind).iter().peekable();
    for k in r.keys() {
        while known_keys.next_if(|f| **f < k.as_str()).is_some() {}
        if known_keys.next_if(|f| **f == k.as_str()).is_none() {
            return Err(bad(k));
        }
    }
    let mut fields: Vec<(String, Value)> = Vec::with_capacity(kind.columns().len() + 4);
    let id = str_field(r, "id").ok_or_else(|| bad("id"))?;
    fields.push(("id".into(), Value::String(id.to_ascii_lowercase())));
    for stamp in ["created_at", "updated_at"] {
        let v = str_field(r, stamp).filter(|v| crate::time::from_db(v).is_some()).ok_or_else(|| bad(stamp))?;
        fields.push((stamp.into(), Value::String(v.to_owned())));
    }
    let rev = r.get("revision").and_then(Value::as_i64).filter(|n| *n >= 1).ok_or_else(|| bad("revision"))?;
    fields.push(("revision".into(), json!(rev)));
    for col in kind.columns() {
        let v = r.get(col.name).unwrap_or(&Value::Null);
        let n = store::normalize_with(col, v, known).map_err(|e| match e {
            Error::Invalid { problem: crate::error::Problem::UnknownReference, .. } => Error::BundleDanglingReference,
            Error::Invalid { field, problem } => malformed(format!("{}.{field}: {}", kind.name(), problem.message(crate::Lang::En))),
            other => other,
        })?;
        fields.push((col.name.into(), n));
    }
    // Built in one go from sorted pairs rather than key by key.
    fields.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(fields.into_iter().collect())
}

fn decide(conn: &rusqlite::Connection, kind: Kind, theirs: &Fields, h_theirs: &str) -> Result<Action> {
    let id = str_field(theirs, "id").unwrap_or_default();
    let mine = match store::get(conn, kind, id) {
        Ok(m) => m,
        Err(Error::NotFound { .. }) => return Ok(Action::New),
        Err(e) => return Err(e),
    };
    let h_mine = record_hash(kind, &mine);
    if h_mine == h_theirs {
        return Ok(Action::Unchanged);
    }
    // A case handed off from here is read-only: whatever differs was changed by its new holder.
    if let Some(p) = store::person_of(conn, kind, &mine)? {
        let status: Option<String> = conn.query_row("SELECT status FROM persons WHERE id = ?1", [&p], |r| r.get(0)).ok();
        if status.as_deref() == Some("handed_off") {
            return Ok(Action::Update);
        }
    }
    let base: Option<String> = conn.query_row("SELECT hash FROM exchange_state WHERE record_id = ?1", [id], |r| r.get(0)).ok();
    let (rev_mine, rev_theirs) = (mine["revision"].as_i64().unwrap_or(1), theirs["revision"].as_i64().unwrap_or(1));
    Ok(match base {
        Some(b) if b == h_mine => Action::Update,       // only they changed it
        Some(b) if b == *h_theirs => Action::Unchanged, // only we changed it
        Some(_) => Action::Conflict,                    // both did
        None if rev_theirs > rev_mine => Action::Update,
        None if rev_mine > rev_theirs => Action::Unchanged,
        None => Action::Conflict,
    })
}

/// Opens a bundle and says what importing it would do, without changing anything.
pub fn preview(store: &Store, o: &Opened) -> Result<Preview> {
    let p = plan(store, o)?;
    Ok(make_preview(o, p.counts, p.replay, false))
}

fn make_preview(o: &Opened, counts: Counts, replay: bool, applied: bool) -> Preview {
    let persons = o
        .content
        .records
        .get(Kind::Person.name())
        .map(|rows| {
            rows.iter()
                .map(|r| (str_field(r, "id").unwrap_or_default().to_owned(), str_field(r, "alias").unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Preview {
        bundle_id: o.manifest.bundle_id.clone(),
        kind: o.manifest.kind,
        sender: o.manifest.sender.clone(),
        sender_verified: o.sender_verified,
        created_at: o.manifest.created_at.clone(),
        persons,
        replay,
        counts,
        applied,
    }
}

/// Applies an opened bundle in one transaction: new records inserted, records changed only by
/// the sender replaced, conflicts recorded (local version kept), the exchange remembered, one
/// audit event for the bundle and one per person. A replay changes nothing.
pub fn apply(store: &mut Store, o: &Opened, progress: Progress<'_>) -> Result<Preview> {
    let p = plan(store, o)?;
    if p.replay {
        return Ok(make_preview(o, p.counts, true, false));
    }
    if o.manifest.kind == BundleKind::Receipt {
        return apply_receipt(store, o, p.counts);
    }
    let total = p.items.len();
    let bundle_id = o.manifest.bundle_id.clone();
    store.write(|w| {
        for (i, (kind, rec, action, hash)) in p.items.iter().enumerate() {
            match action {
                Action::New => w.put_received(*kind, rec, false)?,
                Action::Update if *kind == Kind::Person && o.manifest.kind == BundleKind::Share => {
                    // A shared copy of a case handed off from here stays read-only here: the
                    // case is still the sender's.
                    let mut rec = rec.clone();
                    let local: Option<String> =
                        w.conn().query_row("SELECT status FROM persons WHERE id = ?1", [str_field(&rec, "id")], |r| r.get(0)).ok();
                    if local.as_deref() == Some("handed_off") {
                        rec.insert("status".into(), json!("handed_off"));
                    }
                    w.put_received(*kind, &rec, true)?
                }
                Action::Update => w.put_received(*kind, rec, true)?,
                Action::Unchanged => {}
                Action::Conflict => {
                    w.conn().execute(
                        "INSERT INTO conflicts (id, kind, record_id, person_id, bundle_id, theirs, detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        rusqlite::params![
                            uuid::Uuid::now_v7().to_string(),
                            kind.name(),
                            str_field(rec, "id"),
                            store::person_of(w.conn(), *kind, rec)?,
                            bundle_id,
                            serde_json::to_string(rec).expect("record serializes"),
                            crate::time::to_db(w.now())
                        ],
                    )?;
                }
            }
            if *action != Action::Conflict {
                remember_exchange_hash(w.conn(), *kind, rec, hash)?;
            }
            if i % 1000 == 999 || i + 1 == total {
                progress(i + 1, total);
            }
        }
        w.conn().execute(
            "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                bundle_id,
                kind_name(o.manifest.kind),
                o.manifest.sender.fingerprint,
                crate::time::to_db(w.now()),
                serde_json::to_string(&p.counts).expect("counts serialize"),
                serde_json::to_string(&o.manifest.persons).expect("ids serialize")
            ],
        )?;
        let summary = |m: &BTreeMap<String, u64>| m.values().sum::<u64>().to_string();
        let fields = vec![
            format!("bundle={bundle_id}"),
            format!("sender={}", o.manifest.sender.fingerprint),
            format!("new={}", summary(&p.counts.new)),
            format!("updated={}", summary(&p.counts.updated)),
            format!("conflicts={}", summary(&p.counts.conflicts)),
        ];
        w.audit_event(&format!("bundle.import.{}", kind_name(o.manifest.kind)), None, fields)?;
        for pid in &o.manifest.persons {
            w.audit_event("bundle.import", Some(pid), vec![format!("bundle={bundle_id}")])?;
        }
        Ok(())
    })?;
    Ok(make_preview(o, p.counts, false, true))
}

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
}

/// The conflicts not resolved yet.
pub fn conflicts(store: &Store) -> Result<Vec<ConflictItem>> {
    let mut st = store.conn().prepare(
        "SELECT id, kind, record_id, person_id, bundle_id, theirs FROM conflicts WHERE resolved_at IS NULL ORDER BY detected_at, id",
    )?;
    let rows: Vec<(String, String, String, Option<String>, String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?.collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(id, kind, record_id, person_id, bundle_id, theirs)| {
            let k = Kind::from_name(&kind).ok_or_else(|| malformed("kind"))?;
            let theirs: Fields = serde_json::from_str(&theirs).map_err(|_| malformed("conflict"))?;
            let mine = store.get(k, &record_id)?;
            let fields = k.columns().iter().filter(|c| mine.get(c.name) != theirs.get(c.name)).map(|c| c.name.to_owned()).collect();
            Ok(ConflictItem { id, kind, record_id, person_id, bundle_id, fields })
        })
        .collect()
}

/// Resolves a conflict by keeping this vault's version or taking the sender's.
pub fn resolve(store: &mut Store, conflict_id: &str, keep_theirs: bool) -> Result<()> {
    let row: Option<(String, String, String)> = store
        .conn()
        .query_row("SELECT kind, record_id, theirs FROM conflicts WHERE id = ?1 AND resolved_at IS NULL", [conflict_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .ok();
    let (kind, record_id, theirs) = row.ok_or(Error::NotFound { kind: Kind::Contact })?;
    let k = Kind::from_name(&kind).ok_or_else(|| malformed("kind"))?;
    let theirs: Fields = serde_json::from_str(&theirs).map_err(|_| malformed("conflict"))?;
    store.write(|w| {
        if keep_theirs {
            let changes: Fields =
                k.columns().iter().map(|c| (c.name.to_owned(), theirs.get(c.name).cloned().unwrap_or(Value::Null))).collect();
            w.update(k, &record_id, changes)?;
        }
        // Either way, the sender's version is now known here: the next exchange starts from it.
        remember_exchange(w.conn(), k, &theirs)?;
        w.conn().execute(
            "UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1",
            rusqlite::params![conflict_id, crate::time::to_db(w.now()), if keep_theirs { "theirs" } else { "mine" }],
        )?;
        let person = store::person_of(w.conn(), k, &theirs)?;
        w.audit_event("conflict.resolve", person.as_deref(), vec![format!("keep={}", if keep_theirs { "theirs" } else { "mine" })])
    })
}

// ---------------------------------------------------------------------------------------------
// Receipts and purge

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
        .ok();
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
    };
    let plaintext = sign_document(&identity::secrets(store)?, &manifest, &content)?;
    let bytes = encrypt(&plaintext, &[identity::parse_recipient(&to.age_recipient)?], armor)?;
    Ok((bytes, manifest))
}

fn apply_receipt(store: &mut Store, o: &Opened, counts: Counts) -> Result<Preview> {
    let for_id = o.manifest.receipt_for.clone().ok_or_else(|| malformed("receipt_for"))?;
    let sender = o.manifest.sender.fingerprint.clone();
    store.write(|w| {
        let n = w.conn().execute(
            "UPDATE handoffs SET receipt_at = ?3 WHERE bundle_id = ?1 AND to_fingerprint = ?2 AND receipt_at IS NULL",
            rusqlite::params![for_id, sender, crate::time::to_db(w.now())],
        )?;
        if n == 0 {
            return Err(malformed("receipt_for"));
        }
        w.conn().execute(
            "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES (?1, 'in', 'receipt', ?2, ?3, '{}', ?4)",
            rusqlite::params![o.manifest.bundle_id, sender, crate::time::to_db(w.now()), serde_json::to_string(&o.manifest.persons).expect("ids")],
        )?;
        for pid in &o.manifest.persons {
            w.audit_event("bundle.receipt", Some(pid), vec![format!("bundle={for_id}")])?;
        }
        Ok(())
    })?;
    Ok(make_preview(o, counts, false, true))
}

/// Removes every record of the cases handed off whose receipt came back, keeping only audit
/// events (which name fields, never values). Returns the number of cases purged.
pub fn purge_handed_off(store: &mut Store) -> Result<usize> {
    let ids: Vec<String> = store
        .conn()
        .prepare(
            "SELECT DISTINCT h.person_id FROM handoffs h JOIN persons p ON p.id = h.person_id
             WHERE h.receipt_at IS NOT NULL AND h.purged_at IS NULL AND p.status = 'handed_off'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if ids.is_empty() {
        return Ok(0);
    }
    store.write(|w| {
        for pid in &ids {
            crate::retention::delete_case(w, pid)?;
            w.conn().execute("DELETE FROM conflicts WHERE person_id = ?1", [pid])?;
            w.conn()
                .execute("UPDATE handoffs SET purged_at = ?2 WHERE person_id = ?1", rusqlite::params![pid, crate::time::to_db(w.now())])?;
            w.audit_event("case.purged", Some(pid), vec!["policy=handed_off_with_receipt".into()])?;
        }
        crate::retention::forget_exchanges(w.conn())
    })?;
    // secure_delete zeroed the freed pages; the scrub merges the note index, moves that into the
    // main file, vacuums and empties the WAL, which still held the old pages.
    crate::retention::scrub(store)?;
    Ok(ids.len())
}

// ---------------------------------------------------------------------------------------------
// The format's JSON Schema

/// The JSON Schema (draft 2020-12) of a bundle's plaintext, generated from the record specs so
/// it cannot drift from the code; `schema/bundle.schema.json` is this, committed (a test checks).
pub fn json_schema() -> Value {
    use crate::record::Ty;
    let base = json!({
        "id": {"type": "string", "format": "uuid"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "revision": {"type": "integer", "minimum": 1}
    });
    let mut defs = serde_json::Map::new();
    let mut records = serde_json::Map::new();
    for kind in bundle_kinds() {
        let mut props = base.as_object().expect("object").clone();
        let mut required: Vec<&str> = vec!["id", "created_at", "updated_at", "revision"];
        for col in kind.columns() {
            let t = match col.ty {
                Ty::Text(max) => json!({"type": ["string", "null"], "maxLength": max}),
                Ty::Bool => json!({"type": ["boolean", "null"]}),
                Ty::Int => json!({"type": ["integer", "null"]}),
                Ty::Date => json!({"type": ["string", "null"], "format": "date"}),
                Ty::DateTime => json!({"type": ["string", "null"], "format": "date-time"}),
                Ty::Code(list) => json!({"type": ["string", "null"], "description": format!("a code of the catalogue '{list}'")}),
                Ty::Codes(list) => {
                    json!({"type": ["array", "null"], "items": {"type": "string"}, "description": format!("codes of the catalogue '{list}'")})
                }
                Ty::Words => json!({"type": ["array", "null"], "items": {"type": "string", "maxLength": 60}}),
                Ty::Ref(k) => json!({"type": ["string", "null"], "format": "uuid", "description": format!("id of a {}", k.name())}),
            };
            props.insert(col.name.into(), t);
            if col.required {
                required.push(col.name);
            }
        }
        defs.insert(
            kind.name().into(),
            json!({"type": "object", "properties": props, "required": required, "additionalProperties": false}),
        );
        records.insert(kind.name().into(), json!({"type": "array", "items": {"$ref": format!("#/$defs/{}", kind.name())}}));
    }
    let identity = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "org": {"type": "string"},
            "age_recipient": {"type": "string", "pattern": "^age1[02-9ac-hj-np-z]+$"},
            "signing_key": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "fingerprint": {"type": "string", "pattern": "^[0-9A-F]{4}(-[0-9A-F]{4}){4}$"}
        },
        "required": ["name", "age_recipient", "signing_key", "fingerprint"],
        "additionalProperties": false
    });
    defs.insert("identity".into(), identity);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:relais:bundle:1",
        "title": "Relais hand-off bundle (plaintext of the age file), format version 1",
        "type": "object",
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "manifest": {
                "type": "object",
                "properties": {
                    "bundle_id": {"type": "string", "format": "uuid"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "kind": {"enum": ["transfer", "share", "receipt"]},
                    "sender": {"$ref": "#/$defs/identity"},
                    "recipients": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": {
                                "age_recipient": {"type": "string", "pattern": "^age1[02-9ac-hj-np-z]+$"},
                                "fingerprint": {"type": "string", "pattern": "^[0-9A-F]{4}(-[0-9A-F]{4}){4}$"}
                            },
                            "required": ["age_recipient", "fingerprint"],
                            "additionalProperties": false
                        }
                    },
                    "persons": {"type": "array", "items": {"type": "string", "format": "uuid"}},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
                    "content_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "receipt_for": {"type": "string", "format": "uuid"}
                },
                "required": ["bundle_id", "created_at", "kind", "sender", "recipients", "persons", "counts", "content_sha256"],
                "additionalProperties": false
            },
            "content": {
                "type": "object",
                "properties": {"records": {"type": "object", "properties": records, "additionalProperties": false}},
                "required": ["records"],
                "additionalProperties": false
            },
            "signature": {"type": "string", "pattern": "^[0-9a-f]{128}$"}
        },
        "required": ["format", "version", "manifest", "content", "signature"],
        "additionalProperties": false,
        "$defs": defs
    })
}

/// Encrypts arbitrary bytes to `to` (test vectors: a valid age file that is not a bundle).
#[doc(hidden)]
pub fn encrypt_for_test_vectors(plaintext: &[u8], to: &[&str]) -> Result<Vec<u8>> {
    let recipients = to.iter().map(|r| identity::parse_recipient(r)).collect::<Result<Vec<_>>>()?;
    encrypt(plaintext, &recipients, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_hex(s: &str) -> String {
        hex::encode(Sha256::digest(s.as_bytes()))
    }

    #[test]
    fn kinds_are_read_parents_first_and_organisations_after_what_refers_to_them() {
        let order = read_order();
        assert_eq!(order.len(), bundle_kinds().count());
        let pos = |k: Kind| order.iter().position(|o| *o == k).unwrap();
        for k in bundle_kinds() {
            if let Some((_, parent)) = k.owner() {
                assert!(pos(parent) < pos(k), "{} read before its parent {}", k.name(), parent.name());
            }
            if k.columns().iter().any(|c| matches!(c.ty, crate::record::Ty::Ref(Kind::Organisation))) {
                assert!(pos(k) < pos(Kind::Organisation), "{} refers to organisations read before it", k.name());
            }
        }
    }

    #[test]
    fn streamed_hashes_are_the_hashes_of_the_canonical_text() {
        let mut rec = Fields::new();
        rec.insert("title".into(), json!("Rendez-vous « IVAC »\n\"x\""));
        rec.insert("person_id".into(), json!("0190a0a0-0000-7000-8000-000000000001"));
        let cols: serde_json::Map<String, Value> =
            Kind::Task.columns().iter().map(|c| (c.name.to_owned(), rec.get(c.name).cloned().unwrap_or(Value::Null))).collect();
        assert_eq!(record_hash(Kind::Task, &rec), sha256_hex(&canonical(&Value::Object(cols))));
        let v = json!({"b": [1, "é"], "a": {"z": null, "y": true}});
        assert_eq!(canonical_sha256(&v), sha256_hex(&canonical(&v)));
    }
}
