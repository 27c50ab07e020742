//! Import: open (decrypt, verify, check the sender and the recipients), plan (new, updated,
//! unchanged, conflicting) and apply in one transaction.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use serde_json::{Value, json};

use rusqlite::OptionalExtension;

use super::*;
use crate::error::{Error, Result};
use crate::exchange::identity::{self, Identity};
use crate::model::status::CaseStatus;
use crate::model::versions::{MAX_CREDITED_HERE, Order, Versions, is_fingerprint};
use crate::record::{Fields, Kind, Ty, str_field};
use crate::vault::store::{self, Store};

use super::stored_form::{self, Head};

/// The hasher of the sets and maps keyed by a bundle's ids (about 100 000 of them for 1 000
/// cases, looked up several times each): foldhash, several times faster than the standard
/// SipHash on short keys, and seeded at random per process, so that a sender cannot make ids
/// that collide in this vault's tables.
type Fast = foldhash::fast::RandomState;

/// A bundle opened and verified, not yet applied.
#[derive(Debug)]
pub struct Opened {
    /// The signed manifest.
    pub manifest: Manifest,
    /// The records, as the text they came in (parsed kind by kind when the import is planned).
    pub records: Records,
    /// A team report (bundles of kind `report`).
    pub report: Option<TeamReport>,
    /// A needs ledger (bundles of kind `ledger`), as JSON.
    pub ledger: Option<Value>,
    /// The documents' bytes, base64, by document id.
    pub documents: BTreeMap<String, String>,
    /// The sender's contact id in this vault.
    pub sender_contact: String,
    /// The sender's name in this vault's contact book.
    pub sender_name: String,
    /// The sender's fingerprint was checked in person.
    pub sender_verified: bool,
}

/// The records of an opened bundle: the decrypted document, where each record of each kind is
/// in it (found by the one scan that takes the content apart, while it is hashed), and the
/// persons (parsed: the preview names them). The records are read a part at a time by the
/// plan, on a second thread while the import writes, most of them in place ([`stored_form`]);
/// as trees they would be about 300 MB for 1 000 cases, never all held at once, and never by a
/// preview waiting for the worker's answer.
pub struct Records {
    /// The decrypted document (cleared from memory when dropped).
    text: Document,
    /// Kind name -> where each of its records is in `text`, in order.
    kinds: BTreeMap<String, Vec<std::ops::Range<usize>>>,
    persons: Vec<Fields>,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // What a bundle carries is never printed: only its kinds.
        f.debug_struct("Records").field("kinds", &self.kinds.keys().collect::<Vec<_>>()).finish_non_exhaustive()
    }
}

impl Records {
    /// The kinds named, in the document's order.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.kinds.keys().map(String::as_str)
    }

    /// No kind named at all.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The person records.
    pub fn persons(&self) -> &[Fields] {
        &self.persons
    }

    /// The size of the records' text.
    fn len(&self) -> usize {
        self.kinds.values().flatten().map(|r| r.len()).sum()
    }

    /// The records of one kind (none if the kind is not named).
    pub fn parse(&self, name: &str) -> Result<Vec<Fields>> {
        match self.kinds.get(name) {
            None => Ok(Vec::new()),
            Some(rows) => parse_kind(name, &self.text, rows),
        }
    }

    /// Whether every kind named holds no record (receipts, reports and ledgers carry none).
    pub fn hold_none(&self) -> bool {
        self.kinds().all(|k| self.parse(k).is_ok_and(|rows| rows.is_empty()))
    }
}

/// A kind's records (`rows`: where each one is in `doc`), parsed.
fn parse_kind(name: &str, doc: &str, rows: &[std::ops::Range<usize>]) -> Result<Vec<Fields>> {
    rows.iter().map(|r| serde_json::from_str::<Fields>(&doc[r.clone()]).map_err(|_| malformed(format!("content.records.{name}")))).collect()
}

/// Where each record of each kind is in a document, by kind name.
type Rows = BTreeMap<String, Vec<std::ops::Range<usize>>>;

/// The content as its text, taken apart: each record of each kind, the report, the documents
/// and the ledger left as text (one scan of the content, borrowing it).
struct ContentText<'a> {
    records: Option<BTreeMap<String, Vec<&'a serde_json::value::RawValue>>>,
    report: Option<&'a serde_json::value::RawValue>,
    documents: Option<&'a serde_json::value::RawValue>,
    ledger: Option<&'a serde_json::value::RawValue>,
}

impl<'de> serde::Deserialize<'de> for ContentText<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = ContentText<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> std::result::Result<ContentText<'de>, A::Error> {
                let mut c = ContentText { records: None, report: None, documents: None, ledger: None };
                // A key given twice: the last one counts (as in the tree the hash is checked on).
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "records" => c.records = Some(m.next_value()?),
                        "report" => c.report = Some(m.next_value()?),
                        "documents" => c.documents = Some(m.next_value()?),
                        "ledger" => c.ledger = Some(m.next_value()?),
                        other => return Err(serde::de::Error::custom(format_args!("champ/field {other}"))),
                    }
                }
                Ok(c)
            }
        }
        d.deserialize_map(Fields)
    }
}

/// `{"records": {kind: [record…]}, …}` taken apart, checked and hashed; the records stay text:
/// (everything but the records, where each record of each kind is in `doc`).
/// The largest team report's text accepted (10 000 cases of aliases up to 200 characters:
/// about 5 MB) and the largest ledger's (a real one is tens of kB; its histograms have at most
/// 36 600 days). Both are parsed into trees, several times their size: only in a bundle of
/// their kind, and only under these sizes (any contact can put a file in the inbox, read at
/// every unlock).
const MAX_REPORT_TEXT: usize = 16 * 1024 * 1024;
const MAX_LEDGER_TEXT: usize = 4 * 1024 * 1024;

fn content_parts<'a>(doc: &str, raw: &'a str, kind: BundleKind) -> Result<(ContentRest, Rows)> {
    let c: ContentText<'a> = serde_json::from_str(raw).map_err(|e| malformed(format!("content: {e}")))?;
    if c.report.is_some_and(|r| kind != BundleKind::Report || r.get().len() > MAX_REPORT_TEXT) {
        return Err(malformed("content.report"));
    }
    if c.ledger.is_some_and(|l| kind != BundleKind::Ledger || l.get().len() > MAX_LEDGER_TEXT) {
        return Err(malformed("content.ledger"));
    }
    let documents = match c.documents {
        None => BTreeMap::new(),
        Some(d) => serde_json::from_str::<BTreeMap<String, String>>(d.get()).map_err(|_| malformed("content.documents"))?,
    };
    let report = match c.report {
        None => None,
        Some(r) => Some(serde_json::from_str::<TeamReport>(r.get()).map_err(|e| malformed(format!("content.report: {e}")))?),
    };
    let ledger = match c.ledger.map(|l| serde_json::from_str::<Value>(l.get())) {
        None => None,
        Some(Ok(l @ Value::Object(_))) => Some(l),
        Some(_) => return Err(malformed("content.ledger")),
    };
    let base = doc.as_ptr() as usize;
    // Where a record is in the document (its text is borrowed from it).
    let at = |text: &str| (text.as_ptr() as usize).checked_sub(base).filter(|s| s + text.len() <= doc.len()).map(|s| s..s + text.len());
    let mut kinds = BTreeMap::new();
    for (name, rows) in c.records.ok_or_else(|| malformed("content.records"))? {
        kinds.insert(name, rows.iter().map(|r| at(r.get())).collect::<Option<Vec<_>>>().ok_or_else(|| malformed("content"))?);
    }
    Ok((ContentRest { report, documents, ledger }, kinds))
}

/// A content but its records.
struct ContentRest {
    report: Option<TeamReport>,
    documents: BTreeMap<String, String>,
    ledger: Option<Value>,
}

/// Parses and verifies a decrypted document (signature, content hash, format, version), and
/// every record in it.
pub fn verify_document(plaintext: &[u8]) -> Result<(Manifest, Content)> {
    let plaintext = as_document(plaintext)?;
    with_top(plaintext, |top| document_with(plaintext, top))
}

/// [`verify_document`] with the top level always read by scanning the whole document
/// ([`Top::scan`]): the reading the quick split must agree with, result and error (the fuzz
/// target `bundle_document` compares them, and its seeds are replayed by the tests).
#[doc(hidden)]
pub fn verify_document_scanned(plaintext: &[u8]) -> Result<(Manifest, Content)> {
    let plaintext = as_document(plaintext)?;
    document_with(plaintext, Top::scan(plaintext)?)
}

/// A document verified and parsed, its top level read as `top`.
fn document_with(plaintext: &str, top: Top<'_>) -> Result<(Manifest, Content)> {
    let signed = verify_signed(top)?;
    let (rest, kinds) = signed.content(plaintext)?;
    let records = kinds.iter().map(|(name, rows)| Ok((name.clone(), parse_kind(name, plaintext, rows)?))).collect::<Result<_>>()?;
    Ok((signed.manifest, Content { records, report: rest.report, documents: rest.documents, ledger: rest.ledger }))
}

/// The largest signed manifest accepted (a transfer of 10 000 cases names them in about 400 kB).
const MAX_MANIFEST: usize = 8 * 1024 * 1024;

/// A document whose manifest is signed by its sender; the content is still text, not parsed.
pub(super) struct Signed<'a> {
    pub manifest: Manifest,
    /// The content's text (not yet known to be JSON when the top level was split without
    /// scanning it: [`Top::split`]).
    content: &'a str,
}

impl Signed<'_> {
    /// Checks the content is the one the manifest's hash names (the hash of its canonical
    /// form) and takes it apart ([`content_parts`]; `doc` is the document it is in). Relais
    /// writes the content in that form, so the hash of the text as it came is checked first:
    /// when it matches, the text is the canonical form the sender hashed (SHA-256 is collision
    /// resistant) and serializing it again would only give the same bytes.
    fn content(&self, doc: &str) -> Result<(ContentRest, Rows)> {
        use sha2::{Digest, Sha256};
        let raw = self.content;
        let hashed = || crate::vault::store::hex_lower(&Sha256::digest(raw.as_bytes())) == self.manifest.content_sha256;
        // A large content is hashed on one core while it is taken apart on the other.
        let (as_sent, parts) = if raw.len() < 1 << 20 {
            (hashed(), content_parts(doc, raw, self.manifest.kind))
        } else {
            super::beside(hashed, || content_parts(doc, raw, self.manifest.kind))
        };
        // Text not in the canonical form (not written by Relais): checked through the tree it
        // parses to, before anything of it is used.
        if !as_sent {
            let c = serde_json::from_str::<Value>(raw).map_err(|e| malformed(format!("content: JSON ligne/line {}", e.line())))?;
            if canonical_sha256(&c) != self.manifest.content_sha256 {
                return Err(Error::BundleTampered);
            }
        }
        parts
    }
}

/// A document's top level: the content's text, borrowed, and every other field's text.
pub(super) struct Top<'a> {
    content: &'a str,
    fields: BTreeMap<String, String>,
}

impl<'a> Top<'a> {
    /// The top level read by scanning every byte of the document (each value kept as its text).
    fn scan(plaintext: &'a str) -> Result<Top<'a>> {
        use serde_json::value::RawValue;
        let doc: BTreeMap<String, &RawValue> =
            serde_json::from_str(plaintext).map_err(|e| malformed(format!("JSON ligne/line {}", e.line())))?;
        let content = doc.get("content").map(|c| c.get()).ok_or_else(|| malformed("content"))?;
        let fields = doc.into_iter().filter(|(k, _)| k != "content").map(|(k, v)| (k, v.get().to_owned())).collect();
        Ok(Top { content, fields })
    }

    /// The top level of a document as Relais writes it, `{"content":…,"format":…,"manifest":…,
    /// "signature":…,"version":…}` (keys sorted, the content first), read without scanning the
    /// content (51 MB for 1 000 cases, 27 ms): split before the last `},"format":`, what follows
    /// read as the rest of the object. No other place can hold those bytes in a document the
    /// scan accepts (a `"` inside a string is escaped, and no object of a valid manifest has a
    /// field `format`); a hand-made document can, and is read wrong: whatever is refused after
    /// this split is read again by [`Top::scan`] (`open`, `verify_document`), and what the
    /// content's reading accepts after it is what the scan gives (an object is self-delimiting,
    /// so a content that parses whole ends where the scan ends it). `None`: not written that way
    /// (the scan reads it).
    fn split(plaintext: &'a str) -> Option<Top<'a>> {
        use serde_json::value::RawValue;
        const HEAD: &str = "{\"content\":";
        const FORMAT: &str = "},\"format\":";
        let body = plaintext.strip_prefix(HEAD)?.trim_end_matches([' ', '\t', '\n', '\r']);
        let at = body.rfind(FORMAT)?;
        let (content, tail) = body.split_at(at + 1);
        let rest = format!("{{{}", &tail[1..]);
        // A second content in what follows (the scan would take the last one) is a field
        // `verify_signed` refuses: the document is then read by the scan.
        let doc: BTreeMap<String, &RawValue> = serde_json::from_str(&rest).ok()?;
        let fields = doc.into_iter().map(|(k, v)| (k, v.get().to_owned())).collect();
        Some(Top { content, fields })
    }
}

/// Checks format, version and the sender's signature of the manifest, without building a tree
/// of the content: until the sender is known, verified and the bundle addressed here, the
/// content of anyone who has this vault's public key (it is on the contact card) is only bytes.
pub(super) fn verify_signed(top: Top<'_>) -> Result<Signed<'_>> {
    let field = |k: &str| top.fields.get(k).map(String::as_str);
    if field("format").and_then(|f| serde_json::from_str::<String>(f).ok()).as_deref() != Some(FORMAT) {
        return Err(Error::NotABundle);
    }
    let version = field("version").and_then(|v| serde_json::from_str::<u64>(v).ok()).ok_or_else(|| malformed("version"))?;
    if version > VERSION {
        return Err(Error::UnsupportedBundleVersion { found: version });
    }
    if version < VERSION {
        return Err(Error::OldBundleVersion { found: version });
    }
    if let Some(extra) = top.fields.keys().find(|k| !["format", "version", "manifest", "signature"].contains(&k.as_str())) {
        return Err(malformed(format!("champ/field {extra}")));
    }
    let m_text = field("manifest").ok_or_else(|| malformed("manifest"))?;
    if m_text.len() > MAX_MANIFEST {
        return Err(malformed("manifest"));
    }
    let m: Value = serde_json::from_str(m_text).map_err(|e| malformed(format!("manifest: {e}")))?;
    let manifest: Manifest = serde_json::from_value(m.clone()).map_err(|e| malformed(format!("manifest: {e}")))?;
    if crate::time::from_db(&manifest.created_at).is_none() {
        return Err(malformed("manifest.created_at"));
    }
    let signing_key = identity::parse_signing_key(&manifest.sender.signing_key).map_err(|_| Error::BadSignature)?;
    let sig_hex = field("signature").and_then(|s| serde_json::from_str::<String>(s).ok()).ok_or(Error::BadSignature)?;
    let sig_bytes: [u8; 64] = hex::decode(sig_hex).ok().and_then(|b| b.try_into().ok()).ok_or(Error::BadSignature)?;
    let mut msg = SIGN_CONTEXT.to_vec();
    msg.extend_from_slice(canonical(&m).as_bytes());
    signing_key.verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig_bytes)).map_err(|_| Error::BadSignature)?;
    if identity::fingerprint(&manifest.sender.age_recipient, &manifest.sender.signing_key) != manifest.sender.fingerprint {
        return Err(Error::BadSignature);
    }
    Ok(Signed { manifest, content: top.content })
}

/// Reads a document's top level split without a scan ([`Top::split`]) and then `read`s it; when
/// that is refused, or the document is not written that way, reads it scanned ([`Top::scan`]):
/// the result, and the error said, are the scan's.
fn with_top<'a, T>(plaintext: &'a str, read: impl Fn(Top<'a>) -> Result<T>) -> Result<T> {
    if let Some(top) = Top::split(plaintext)
        && let Ok(done) = read(top)
    {
        return Ok(done);
    }
    read(Top::scan(plaintext)?)
}

/// An age file that decrypts but is not a JSON object is not a bundle.
fn is_object(plaintext: &[u8]) -> Result<()> {
    if plaintext.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::NotABundle);
    }
    Ok(())
}

/// A decrypted document as text: a JSON object that is not UTF-8 text is a damaged bundle.
fn as_document(plaintext: &[u8]) -> Result<&str> {
    is_object(plaintext)?;
    std::str::from_utf8(plaintext).map_err(|_| malformed("JSON: UTF-8"))
}

/// Text borrowed from the bytes it was read in.
type Str<'a> = &'a str;

self_cell::self_cell!(
    /// A decrypted document as text: its bytes ([`Plain`], wiped when dropped, kept where they
    /// were decrypted) checked UTF-8 once, and read as text from then on.
    struct Document {
        owner: Plain,
        #[covariant]
        dependent: Str,
    }
);

impl std::ops::Deref for Document {
    type Target = str;
    fn deref(&self) -> &str {
        self.borrow_dependent()
    }
}

/// The same, taking the decrypted bytes (wiped if they are not text).
fn into_document(plaintext: Plain) -> Result<Document> {
    is_object(&plaintext)?;
    Document::try_new(plaintext, |bytes| std::str::from_utf8(bytes)).map_err(|_| malformed("JSON: UTF-8"))
}

/// Decrypts with this vault's identity, verifies, and checks sender and recipients; only then
/// parses the content.
pub fn open(store: &Store, bytes: &[u8], accept_unverified: bool) -> Result<Opened> {
    let secrets = crate::vault::keys::secrets(store)?;
    open_plaintext(store, decrypt_plain(bytes, &[&secrets.age as &dyn age::Identity])?, accept_unverified)
}

/// [`open`] of a bundle file, decrypted from the file ([`decrypt_file`]: a large one without
/// reading it whole first).
pub fn open_file(store: &Store, path: &std::path::Path, accept_unverified: bool) -> Result<Opened> {
    let secrets = crate::vault::keys::secrets(store)?;
    open_plaintext(store, decrypt_file(path, &[&secrets.age as &dyn age::Identity])?, accept_unverified)
}

/// [`open`] once decrypted.
fn open_plaintext(store: &Store, plaintext: Plain, accept_unverified: bool) -> Result<Opened> {
    let plaintext = into_document(plaintext)?;
    let (manifest, rest, kinds, persons, (sender_contact, sender_name, sender_verified)) =
        with_top(&plaintext, |top| opened_parts(store, &plaintext, top, accept_unverified))?;
    let records = Records { text: plaintext, kinds, persons };
    Ok(Opened {
        manifest,
        records,
        report: rest.report,
        ledger: rest.ledger,
        documents: rest.documents,
        sender_contact,
        sender_name,
        sender_verified,
    })
}

/// A bundle's manifest, its content but the records, where each record is, the persons parsed,
/// and who sent it here (contact id, name, verified).
type OpenedParts = (Manifest, ContentRest, Rows, Vec<Fields>, (String, String, bool));

/// What [`open`] checks and reads of a decrypted document, its top level read as `top` says.
fn opened_parts(store: &Store, plaintext: &str, top: Top<'_>, accept_unverified: bool) -> Result<OpenedParts> {
    let signed = verify_signed(top)?;
    let manifest = &signed.manifest;
    let contact: Option<(String, Option<String>, String, String)> = store
        .conn()
        .query_row(
            "SELECT id, verified_on, age_recipient, name FROM contacts WHERE signing_key = ?1",
            [manifest.sender.signing_key.to_ascii_lowercase()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((sender_contact, verified_on, age_recipient, sender_name)) = contact else { return Err(Error::UnknownSender) };
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
    // Ids as Relais makes them (UUID v7, lower case): a replay is recognised by its id.
    if !is_lower_uuid(&manifest.bundle_id) {
        return Err(malformed("manifest.bundle_id"));
    }
    if manifest.receipt_for.as_deref().is_some_and(|r| !is_lower_uuid(r)) {
        return Err(malformed("manifest.receipt_for"));
    }
    // The sender's audit anchor must be theirs and hold: one that does not is a sender who
    // signs what it did not make.
    if let Some(a) = &manifest.audit_anchor
        && (a.check().is_err() || !a.signing_key.eq_ignore_ascii_case(&manifest.sender.signing_key))
    {
        return Err(malformed("manifest.audit_anchor"));
    }
    let (rest, kinds) = signed.content(plaintext)?;
    let manifest = signed.manifest;
    let persons = match kinds.get(Kind::Person.name()) {
        None => Vec::new(),
        Some(rows) => parse_kind(Kind::Person.name(), plaintext, rows)?,
    };
    Ok((manifest, rest, kinds, persons, (sender_contact, sender_name, sender_verified)))
}

/// What an import does (or would do) to each kind of record.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Records not in this vault yet.
    pub new: BTreeMap<String, u64>,
    /// Records the sender changed after this vault's version, and may change: theirs replaces ours.
    pub updated: BTreeMap<String, u64>,
    /// Records the same here.
    pub unchanged: BTreeMap<String, u64>,
    /// Records older than this vault's version (a bundle sent before a later one): ignored.
    pub older: BTreeMap<String, u64>,
    /// Records changed on both sides: kept as they are here, listed to resolve.
    pub conflicts: BTreeMap<String, u64>,
    /// Changes from someone who neither holds the case nor wrote the record, and directory
    /// entries that differ from this vault's: listed, accepted or declined, never applied.
    pub proposals: BTreeMap<String, u64>,
}

/// The preview of an import, and after it, the report.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// Bundle id.
    pub bundle_id: String,
    /// Transfer or share.
    pub kind: BundleKind,
    /// Who sent it, as signed in the bundle.
    pub sender: Identity,
    /// The sender's name in this vault's contact book (the name inside the bundle is the
    /// sender's own claim).
    pub sender_contact_name: String,
    /// Whether their fingerprint was checked in person.
    pub sender_verified: bool,
    /// When it was made.
    pub created_at: String,
    /// (id, alias) of the persons it carries.
    pub persons: Vec<(String, String)>,
    /// This bundle was imported before: nothing changes.
    pub replay: bool,
    /// Everything it carries is already here in the same or a later version: nothing changes.
    pub stale: bool,
    /// When the newest bundle already imported from the same sender was made, if after this
    /// one (as the sender dated them: said, never used to decide).
    pub newer_seen: Option<String>,
    /// Per kind: new, updated, unchanged, older, conflicts, proposals.
    pub counts: Counts,
    /// Record by record, what changes (new records, and each field of an update, a conflict
    /// or a proposal, before and after).
    pub changes: Vec<RecordChange>,
    /// Whether it was applied (false for a dry run or a replay).
    pub applied: bool,
}

/// What an import does to one record.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordChange {
    /// The person whose case it is (none for a directory entry).
    pub person_id: Option<String>,
    /// Kind of record.
    pub kind: String,
    /// Record id.
    pub record_id: String,
    /// `new`, `updated`, `conflict` or `proposal`.
    pub action: String,
    /// Who wrote it (fingerprint).
    pub created_by: Option<String>,
    /// The fields that differ: (field, value here, value in the bundle). Empty for a new record.
    #[cfg_attr(feature = "ts", ts(type = "Array<[string, JsonValue, JsonValue]>"))]
    pub fields: Vec<(String, Value, Value)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    New,
    Update,
    Unchanged,
    Older,
    Conflict,
    /// Held for the worker's decision: a change from someone without the right to make it, or
    /// a directory entry that differs.
    Proposal,
}

impl Action {
    /// Every action, in the order of their discriminants (`action as usize` is a place here).
    const ALL: [Action; 6] = [Action::New, Action::Update, Action::Unchanged, Action::Older, Action::Conflict, Action::Proposal];

    fn label(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Update => "updated",
            Action::Unchanged => "unchanged",
            Action::Older => "older",
            Action::Conflict => "conflict",
            Action::Proposal => "proposal",
        }
    }
}

/// What the sender may do to a case carried in the bundle, as this vault sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Right {
    /// The case is new here, or the sender holds its pen: their versions apply.
    Holder,
    /// The sender received the case from here (or sent this vault a copy before) but does not
    /// hold it: they may add records of their own and change those; anything else they change
    /// is a proposal.
    Party,
}

/// One record of a bundle as the plan decided it: its kind, the record in its stored form, what
/// to do with it, and whose case it is (none for a directory entry).
pub(super) type Item<'a> = (Kind, Rec<'a>, Action, Option<&'a str>);

/// A record of a bundle, checked and in its stored form: as it came (its head read in place,
/// its fields parsed only when the plan needs them: [`stored_form`]), or parsed, checked and
/// converted ([`validate_received`]).
pub(super) struct Rec<'a> {
    /// Its text in the bundle.
    raw: &'a str,
    /// Its id's bits ([`lower_uuid_key`]).
    key: u128,
    /// The bits of the id its kind's owner column names ([`Kind::owner`]), if that is an id.
    owner_key: Option<u128>,
    /// Read in place: it was in its stored form.
    head: Option<Head<'a>>,
    fields: Option<Fields>,
}

impl<'a> Rec<'a> {
    /// Its id (lower-case UUID).
    fn id(&self) -> &str {
        self.text("id").unwrap_or_default()
    }

    /// A text field of the head: `id`, `created_by` or the kind's owner column (none for any
    /// other name when read in place).
    fn text(&self, name: &str) -> Option<&str> {
        match (&self.head, &self.fields) {
            (Some(h), _) if name == "id" => Some(h.id),
            (Some(h), _) if name == "created_by" => Some(h.created_by),
            (Some(h), _) => h.owner.filter(|(col, _)| *col == name).map(|(_, v)| v),
            (None, Some(f)) => str_field(f, name),
            (None, None) => None,
        }
    }

    /// Its fields, parsed from its text the first time (it was checked: they parse).
    fn fields(&mut self) -> Result<&Fields> {
        if self.fields.is_none() {
            self.fields = Some(serde_json::from_str(self.raw).map_err(|_| malformed("records"))?);
        }
        self.fields.as_ref().ok_or_else(|| malformed("records"))
    }

    /// Its fields, if parsed.
    fn parsed(&self) -> Option<&Fields> {
        self.fields.as_ref()
    }

    /// Its fields, when the plan has parsed them (every record handed to an import has).
    pub(super) fn stored(&self) -> Result<&Fields> {
        self.fields.as_ref().ok_or_else(|| malformed("records"))
    }

    fn into_fields(mut self) -> Result<Fields> {
        self.fields()?;
        self.fields.ok_or_else(|| malformed("records"))
    }
}

/// What a plan keeps of the records it decided: each part of them is handed to the host and
/// let go as soon as it is decided (a bundle's records are never all in memory as fields at
/// once: they would be six times its text).
pub(super) struct Plan<'a> {
    /// Per person carried: how many of their records are new, updated, in conflict, proposed.
    per_person: HashMap<&'a str, [u64; 4], Fast>,
    /// The ids of the notes new here (an import indexes them at the end).
    new_notes: Vec<String>,
    counts: Counts,
    changes: Vec<RecordChange>,
    replay: bool,
    /// When the newest bundle already imported from this sender was made, if after this one.
    newer_seen: Option<String>,
    /// Per person carried: (here before, right of the sender).
    cases: BTreeMap<String, (bool, Right)>,
}

/// What a plan is made for: a preview reads; an import writes each part of the plan as soon as
/// it is decided, in the same transaction as the reads, while the records after it are read
/// and checked on another core.
pub(super) trait Host<'a> {
    /// The connection the plan reads this vault through.
    fn conn(&self) -> &rusqlite::Connection;
    /// The records just decided (their new records checked not to be here already).
    fn take(&mut self, items: &[Item<'a>]) -> Result<()>;
    /// Whether it needs every record's fields (an import writes them; a preview reads only the
    /// records it compares with this vault's).
    fn wants_fields(&self) -> bool;
}

/// A preview: the plan is only read.
struct Reading<'c>(&'c rusqlite::Connection);

impl<'a> Host<'a> for Reading<'_> {
    fn conn(&self) -> &rusqlite::Connection {
        self.0
    }
    fn take(&mut self, _: &[Item<'a>]) -> Result<()> {
        Ok(())
    }
    fn wants_fields(&self) -> bool {
        false
    }
}

/// Who holds the pen for a case here: `None` for this vault (or a case not here).
pub(super) fn holder(conn: &rusqlite::Connection, person_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT owner FROM persons WHERE id = ?1")?
        .query_row([person_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Whether `peer` was ever party to a case through this vault: sent it from here, or sent it here.
fn party(conn: &rusqlite::Connection, peer: &str, person_id: &str) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM bundles_seen b
          WHERE ((b.direction = 'out' AND instr(',' || b.peer || ',', ',' || ?1 || ',') > 0) OR (b.direction = 'in' AND b.peer = ?1))
            AND b.kind IN ('share', 'transfer')
            AND EXISTS (SELECT 1 FROM json_each(b.persons) WHERE value = ?2)",
        [peer, person_id],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// The sender's right over each case the bundle carries; refuses a transfer of a case the
/// sender does not hold and any bundle touching a case the sender was never party to.
fn rights(conn: &rusqlite::Connection, o: &Opened) -> Result<BTreeMap<String, (bool, Right)>> {
    let sender = o.manifest.sender.fingerprint.as_str();
    let mut out = BTreeMap::new();
    // The cases already here, in one query (one per case took 3 ms for 1 000 cases, with the
    // other cores idle).
    let here: HashSet<String> =
        in_manifest(conn, o, "SELECT p.id FROM json_each(?1) AS j CROSS JOIN persons AS p ON p.id = j.value", |r| r.get(0))?
            .into_iter()
            .collect();
    for pid in &o.manifest.persons {
        let here = here.contains(pid);
        let right = if !here {
            Right::Holder
        } else {
            let holds = holder(conn, pid)?.as_deref() == Some(sender);
            match o.manifest.kind {
                _ if holds => Right::Holder,
                BundleKind::Transfer => return Err(Error::NotCaseOwner),
                _ if party(conn, sender, pid)? => Right::Party,
                _ => return Err(Error::NotPartyToCase),
            }
        };
        out.insert(pid.clone(), (here, right));
    }
    Ok(out)
}

/// The rows of `sql`, its `?1` the manifest's persons as a JSON list, each read by `row`.
fn in_manifest<T>(
    conn: &rusqlite::Connection,
    o: &Opened,
    sql: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let persons = serde_json::to_string(&o.manifest.persons).expect("strings serialize");
    Ok(conn.prepare_cached(sql)?.query_map([persons], row)?.collect::<rusqlite::Result<_>>()?)
}

/// A kind's place in [`Kind::ALL`].
fn kind_index(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).expect("every kind is in Kind::ALL")
}

/// What is checked of a bundle before its records, and read once for them all.
pub(super) struct Prelude<'a> {
    replay: bool,
    /// Per person carried: (here before, right of the sender).
    cases: BTreeMap<String, (bool, Right)>,
    /// The same, by the bits of the person's id ([`lower_uuid_key`]), with the id as the
    /// manifest spells it.
    case_of: HashMap<u128, (&'a str, (bool, Right)), Fast>,
    /// This vault's directory (a record may name an entry the bundle does not carry).
    orgs_here: HashSet<String, Fast>,
    /// This vault's fingerprint.
    me: String,
}

/// The checks of a bundle as a whole (counts, kinds, persons, merged cases, the sender's right
/// over each case), before any record is looked at.
pub(super) fn prelude<'a>(conn: &rusqlite::Connection, o: &'a Opened, me: String) -> Result<Prelude<'a>> {
    let replay: bool = super::team::seen_from(conn, &o.manifest.sender.fingerprint, &o.manifest.bundle_id)?;
    // Declared counts must be the content's: the same kinds here (each kind's count is checked
    // when its records are read), the persons' now.
    let declared_kinds: BTreeSet<&str> = o.manifest.counts.iter().filter(|(_, n)| **n > 0).map(|(k, _)| k.as_str()).collect();
    let persons = o.records.persons();
    if o.records.kinds().collect::<BTreeSet<_>>() != declared_kinds
        || o.manifest.counts.get(Kind::Person.name()).copied().unwrap_or_default() != persons.len() as u64
    {
        return Err(Error::BundleCountMismatch);
    }
    // Every kind named is one a bundle carries.
    let allowed: HashSet<Kind> = bundle_kinds().collect();
    for name in o.records.kinds() {
        Kind::from_name(name).filter(|k| allowed.contains(k)).ok_or_else(|| malformed(format!("type/kind {name}")))?;
    }
    let mut persons_in: HashSet<&str> = HashSet::with_capacity(persons.len());
    for r in persons {
        let id = str_field(r, "id").filter(|s| is_lower_uuid(s)).ok_or_else(|| malformed("person.id"))?;
        if !persons_in.insert(id) {
            return Err(Error::BundleDuplicateId);
        }
    }
    let declared: HashSet<&'a str> = o.manifest.persons.iter().map(String::as_str).collect();
    if o.manifest.kind == BundleKind::Ledger {
        return Err(Error::LedgerNotImported);
    }
    // A ledger or a report field outside its own kind was refused at opening (content_parts).
    let receipt = o.manifest.kind == BundleKind::Receipt;
    if (receipt && (!o.records.is_empty() || o.manifest.receipt_for.is_none())) || (!receipt && persons_in != declared) {
        return Err(malformed("persons"));
    }
    // A case merged here into another file: refused, saying which (bringing it back as a new
    // case would split the person's file again); the first one in the manifest's order. The
    // merged cases in one query.
    let merged: HashMap<String, String> =
        in_manifest(conn, o, "SELECT m.id, m.into_id FROM json_each(?1) AS j CROSS JOIN merged_persons AS m ON m.id = j.value", |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .into_iter()
        .collect();
    for pid in &o.manifest.persons {
        if let Some(into) = merged.get(pid) {
            let alias: String =
                conn.query_row("SELECT alias FROM persons WHERE id = ?1", [&into], |r| r.get(0)).optional()?.unwrap_or_default();
            return Err(Error::BundleCaseMerged { into: alias });
        }
    }
    let cases = if receipt { BTreeMap::new() } else { rights(conn, o)? };
    // Each case carried by its id: whether it is here, and the sender's right over it.
    let case_of: HashMap<u128, (&'a str, (bool, Right)), Fast> =
        declared.iter().filter_map(|p| Some((lower_uuid_key(p)?, (*p, *cases.get(*p)?)))).collect();
    // The directory's ids, read once, so that checking the records needs no connection.
    let orgs_here: HashSet<String, Fast> = conn
        .prepare(&format!("SELECT id FROM {}", Kind::Organisation.table()))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Prelude { replay, cases, case_of, orgs_here, me })
}

/// A record checked ([`validate_received`]) and in its stored form, with its kind.
type Checked<'a> = (Kind, Rec<'a>);

/// How many records are checked, then decided, at a time.
const CHUNK: usize = 2048;

/// Reads and checks every record, kind by kind in `bundle_kinds`' order (parents first), and
/// hands them on a part at a time as they are read (`emit` returns false to stop): each record
/// checked ([`Known`]), its id a lower-case UUID, none twice in a kind; its references may
/// name a record of a kind before it (every reference of the format points to an earlier kind:
/// a test holds it) or of this vault's directory; each kind as many records as the manifest
/// declares. The first error in that order is handed on, and nothing after it. With `fields`,
/// every record's fields are parsed here (for an import to write); with `two`, each kind is
/// checked whole, half on each core, and handed on whole (a preview's plan has little else to
/// do; [`KindChecker::take_all`]), otherwise [`CHUNK`] records at a time.
fn check_records<'a>(
    o: &'a Opened,
    orgs_here: &HashSet<String, Fast>,
    fields: bool,
    two: bool,
    emit: &mut dyn FnMut(Result<Vec<Checked<'a>>>) -> bool,
) {
    let mut known = Known::new(orgs_here);
    for kind in bundle_kinds() {
        let Some(rows) = o.records.kinds.get(kind.name()) else { continue };
        let mut c = KindChecker {
            kind,
            known: &known,
            fields,
            emit: &mut *emit,
            ids: HashSet::default(),
            handed: 0,
            part: Vec::new(),
            stopped: false,
        };
        if two {
            c.take_all(&o.records.text, rows);
        } else {
            for row in rows {
                if !c.take(&o.records.text[row.clone()]) {
                    break;
                }
            }
            c.flush();
        }
        if !c.stopped && c.ids.len() as u64 != o.manifest.counts.get(kind.name()).copied().unwrap_or_default() {
            c.fail(Error::BundleCountMismatch);
        }
        if c.stopped {
            return;
        }
        let kind_ids = std::mem::take(&mut c.ids);
        drop(c);
        known.add(kind, kind_ids);
    }
}

/// The ids a reference may name while a bundle is read (parents first): those of the kinds of
/// the bundle read so far that some reference names ([`lower_uuid_key`]), and this vault's
/// directory.
struct Known<'o> {
    named: HashSet<Kind>,
    ids: HashMap<Kind, HashSet<u128, Fast>>,
    orgs_here: &'o HashSet<String, Fast>,
}

impl<'o> Known<'o> {
    fn new(orgs_here: &'o HashSet<String, Fast>) -> Known<'o> {
        let named =
            bundle_kinds().flat_map(|k| k.columns().iter().filter_map(|c| if let Ty::Ref(t) = c.ty { Some(t) } else { None })).collect();
        Known { named, ids: HashMap::new(), orgs_here }
    }

    /// A kind read whole: its ids (kept if a reference may name them).
    fn add(&mut self, kind: Kind, ids: HashSet<u128, Fast>) {
        if self.named.contains(&kind) {
            let known = self.ids.entry(kind).or_default();
            if known.is_empty() {
                *known = ids;
            } else {
                known.extend(ids);
            }
        }
    }

    /// Whether `id` names a record of `kind` read so far (written as Relais writes ids: ids
    /// are compared as text, and a bundle's are lower case), or an entry of this vault's
    /// directory.
    fn contains(&self, kind: Kind, id: &str) -> bool {
        self.ids.get(&kind).is_some_and(|s| lower_uuid_key(id).is_some_and(|key| s.contains(&key)))
            || (kind == Kind::Organisation && self.orgs_here.contains(id))
    }

    /// A record checked, in its stored form: read in place when it came in it
    /// ([`stored_form::in_stored_form`]), otherwise parsed and checked ([`validate_received`]).
    /// With `fields`, its fields parsed either way.
    fn check<'a>(&self, kind: Kind, raw: &'a str, fields: bool) -> Result<Rec<'a>> {
        if let Some(head) = stored_form::in_stored_form(kind, raw, &|k, id| self.contains(k, id)) {
            let key = lower_uuid_key(head.id).ok_or_else(|| malformed("records"))?;
            let owner_key = head.owner.and_then(|(_, id)| lower_uuid_key(id));
            let mut rec = Rec { raw, key, owner_key, head: Some(head), fields: None };
            if fields {
                rec.fields()?;
            }
            return Ok(rec);
        }
        let r: Fields = serde_json::from_str(raw).map_err(|_| malformed(format!("content.records.{}", kind.name())))?;
        let stored = match validate_received(kind, &r, &|k, id| Ok(self.contains(k, id)))? {
            Cow::Borrowed(_) => None,
            Cow::Owned(stored) => Some(stored),
        };
        let fields = stored.unwrap_or(r);
        // Checked: its id is a lower-case UUID.
        let key = str_field(&fields, "id").and_then(lower_uuid_key).ok_or_else(|| malformed("records"))?;
        let owner_key = kind.owner().and_then(|(col, _)| str_field(&fields, col)).and_then(lower_uuid_key);
        Ok(Rec { raw, key, owner_key, head: None, fields: Some(fields) })
    }
}

/// Checks records of `kind` in order, each id noted in `ids`, until the first one refused or
/// whose id is there already: the records checked before it, and that error.
fn check_run<'a>(
    known: &Known<'_>,
    kind: Kind,
    fields: bool,
    raws: impl IntoIterator<Item = &'a str>,
    ids: &mut HashSet<u128, Fast>,
) -> (Vec<Checked<'a>>, Option<Error>) {
    let raws = raws.into_iter();
    let mut checked = Vec::with_capacity(raws.size_hint().0);
    for raw in raws {
        match known.check(kind, raw, fields) {
            Ok(rec) if ids.insert(rec.key) => checked.push((kind, rec)),
            Ok(_) => return (checked, Some(Error::BundleDuplicateId)),
            Err(e) => return (checked, Some(e)),
        }
    }
    (checked, None)
}

/// The records of one kind as they are read: checked a part at a time, each part handed on.
struct KindChecker<'c, 'a> {
    kind: Kind,
    known: &'c Known<'c>,
    /// Parse every record's fields.
    fields: bool,
    emit: &'c mut dyn FnMut(Result<Vec<Checked<'a>>>) -> bool,
    /// The kind's ids so far.
    ids: HashSet<u128, Fast>,
    /// How many of the kind's records were handed on.
    handed: usize,
    part: Vec<&'a str>,
    /// An error was handed on, or the plan stopped listening: nothing more is.
    stopped: bool,
}

impl<'a> KindChecker<'_, 'a> {
    /// Takes the next record's text; false once stopped.
    fn take(&mut self, raw: &'a str) -> bool {
        self.part.push(raw);
        if self.part.len() == CHUNK {
            self.flush();
        }
        !self.stopped
    }

    /// Checks the records taken since the last part and hands them on: each id once in the
    /// kind, and at the first error, the error alone ([`Self::hand_on`]).
    fn flush(&mut self) {
        if self.stopped || self.part.is_empty() {
            return;
        }
        let part = std::mem::take(&mut self.part);
        let (checked, failed) = check_run(self.known, self.kind, self.fields, part, &mut self.ids);
        self.hand_on(checked, failed);
    }

    /// Checks all the kind's records at once, half on each core, each half noting its ids and
    /// stopping at its first error (a record refused, or an id twice in the half); then an id of
    /// the second half that the first has is an id twice, and the kind is handed on whole, up
    /// to its first error in order ([`Self::hand_on`]). For a preview, whose plan, deciding on a
    /// third thread, takes a core part of the time: two halves joined at every part (2 048
    /// records, a millisecond or two each) waited for each other whenever it did, and the ids
    /// then kept as text, each one copied and hashed on this thread after the halves, left a
    /// core idle for 40 of the preview's 140 ms.
    fn take_all(&mut self, text: &'a str, rows: &[std::ops::Range<usize>]) {
        let (kind, known, fields) = (self.kind, self.known, self.fields);
        let check = |rows: &[std::ops::Range<usize>]| {
            let mut ids: HashSet<u128, Fast> = HashSet::with_capacity_and_hasher(rows.len(), Fast::default());
            let (checked, failed) = check_run(known, kind, fields, rows.iter().map(|r| &text[r.clone()]), &mut ids);
            (checked, ids, failed)
        };
        let (first, second) = rows.split_at(rows.len() / 2);
        let ((mut rest, rest_ids, mut rest_failed), (checked, ids, failed)) = if rows.len() < 64 {
            // Not worth a thread.
            (check(second), check(first))
        } else {
            super::beside(|| check(second), || check(first))
        };
        if failed.is_some() {
            return self.hand_on(checked, failed);
        }
        if let Some(twice) = rest.iter().position(|(_, rec)| ids.contains(&rec.key)) {
            rest.truncate(twice);
            rest_failed = Some(Error::BundleDuplicateId);
        }
        // The kind's ids: the larger set takes the other's.
        let (mut all, other) = if ids.len() >= rest_ids.len() { (ids, rest_ids) } else { (rest_ids, ids) };
        all.extend(other);
        self.ids = all;
        // The halves handed on as they are (the plan decides a part at a time either way):
        // joined, they took a third vector as large as both, new memory each time (8 MB for
        // 50 000 records), and the copy of every record into it.
        self.hand_on_runs([checked, rest], rest_failed);
    }

    /// Hands on records checked, then, if any, the error that stopped them. The plan decides
    /// a kind's records [`CHUNK`] at a time, and a part with an error is not decided: the
    /// records handed on before an error are those of the parts before its own (a preview and
    /// an import of the same bundle then say the same error).
    fn hand_on(&mut self, checked: Vec<Checked<'a>>, failed: Option<Error>) {
        self.hand_on_runs([checked], failed);
    }

    /// [`Self::hand_on`] of runs of records that follow each other, each handed on as it is.
    fn hand_on_runs<const N: usize>(&mut self, mut runs: [Vec<Checked<'a>>; N], failed: Option<Error>) {
        if failed.is_some() {
            // The error's place in the kind, and how many before it are kept: those of the
            // parts before its own.
            let at = self.handed + runs.iter().map(Vec::len).sum::<usize>();
            let mut keep = (at / CHUNK * CHUNK).saturating_sub(self.handed);
            for run in &mut runs {
                run.truncate(keep);
                keep -= run.len();
            }
        }
        for run in runs {
            self.handed += run.len();
            if !run.is_empty() && !(self.emit)(Ok(run)) {
                self.stopped = true;
                return;
            }
        }
        if let Some(e) = failed {
            (self.emit)(Err(e));
            self.stopped = true;
        }
    }

    /// Hands an error on, after the records taken before it.
    fn fail(&mut self, e: Error) {
        self.flush();
        if !self.stopped {
            (self.emit)(Err(e));
            self.stopped = true;
        }
    }
}

/// Decides, for each record of a bundle, what importing it means here, and hands each part of
/// the plan to `host` as soon as it is decided, while the records after it are checked on
/// another core ([`check_records`]). A record of a case new here must not be here already
/// (under another case): checked for each part before it is handed on.
pub(super) fn plan_with<'a>(host: &mut dyn Host<'a>, o: &'a Opened, pre: Prelude<'a>) -> Result<Plan<'a>> {
    let Prelude { replay, cases, case_of, orgs_here, me } = pre;
    let sender = o.manifest.sender.fingerprint.as_str();
    // As many as declared (each kind's count is checked when it is read).
    let total: usize = o.manifest.counts.values().map(|n| *n as usize).sum();
    let mut decided = 0;
    let mut per_person: HashMap<&'a str, [u64; 4], Fast> = HashMap::default();
    let mut new_notes = Vec::new();
    // The document records, checked against the documents' bytes at the end.
    let mut documents: Vec<(Fields, Action)> = Vec::new();
    // Per kind (by its place in Kind::ALL), how many records of each action.
    let mut tally = [[0u64; 6]; Kind::ALL.len()];
    let mut changes = Vec::new();
    // Per kind, record id -> the person it belongs to, for the records that others name as
    // their parent (a referral's events, a proceeding's milestones), filled parents first; the
    // person's id borrowed from the manifest (ids were checked to be written in lower case, as
    // stored). By kind: ids are unique within a kind only, and a proceeding that took a
    // referral's id must not pass for it.
    // Both ids by their bits.
    let mut owners: HashMap<Kind, HashMap<u128, u128, Fast>> = HashMap::new();
    let parents: HashSet<Kind> =
        bundle_kinds().filter_map(|k| k.owner()).filter(|(col, _)| *col != "person_id").map(|(_, parent)| parent).collect();
    let wants_fields = host.wants_fields();
    // Returns the part's records, to be let go (a document's are kept for the end).
    let mut decide_part = |host: &mut dyn Host<'a>, part: &mut dyn Iterator<Item = Checked<'a>>| -> Result<Vec<Rec<'a>>> {
        let mut items: Vec<Item<'a>> = Vec::with_capacity(CHUNK);
        // The records of cases new here, by their place in `items`.
        let mut fresh: Vec<usize> = Vec::new();
        for (kind, mut rec) in part {
            // Case records must belong to a person carried by this bundle.
            let case: Option<(&'a str, (bool, Right))> = if kind == Kind::Organisation {
                None
            } else {
                let person = match kind.owner() {
                    None => Some(rec.key),
                    Some(("person_id", _)) => rec.owner_key,
                    Some((_, parent)) => Some(
                        owners
                            .get(&parent)
                            .zip(rec.owner_key)
                            .and_then(|(ids, of)| ids.get(&of))
                            .copied()
                            .ok_or(Error::BundleDanglingReference)?,
                    ),
                };
                let (person_key, case) = person.and_then(|p| case_of.get_key_value(&p)).ok_or(Error::BundleDanglingReference)?;
                if parents.contains(&kind) {
                    owners.entry(kind).or_default().insert(rec.key, *person_key);
                }
                Some(*case)
            };
            let person = case.map(|(p, _)| p);
            let (action, mine) = match case {
                None => decide_directory(host.conn(), rec.fields()?)?,
                // A case this vault does not have yet brings only new records (checked below,
                // one query per kind of the part: one of them here means a record of another
                // case moved in).
                Some((_, (false, _))) => {
                    fresh.push(items.len());
                    (Action::New, None)
                }
                Some((_, (true, right))) => decide(host.conn(), kind, rec.fields()?, sender, right)?,
            };
            // No version credits this vault with more changes than MAX_CREDITED_HERE (a record
            // read in place has no count above it: those whose fields were parsed are checked,
            // by the one count, without building the vector: an import parses every record).
            if let Some(f) = rec.parsed()
                && f.get("versions").and_then(|v| v.get(&me)).and_then(Value::as_i64).is_some_and(|n| n > MAX_CREDITED_HERE)
            {
                return Err(Error::BundleCreditsThisVault);
            }
            tally[kind_index(kind)][action as usize] += 1;
            // What changes in a record already here (new ones are counted, not listed).
            if !matches!(action, Action::New | Action::Unchanged | Action::Older) {
                let created_by = rec.text("created_by").map(str::to_owned);
                let record_id = rec.id().to_owned();
                let rec = rec.fields()?;
                let fields = match &mine {
                    Some(m) => kind
                        .columns()
                        .iter()
                        .filter(|c| m.get(c.name) != rec.get(c.name))
                        .map(|c| (c.name.to_owned(), m.get(c.name).cloned().unwrap_or(Value::Null), rec[c.name].clone()))
                        .collect(),
                    None => Vec::new(),
                };
                changes.push(RecordChange {
                    person_id: person.map(str::to_owned),
                    kind: kind.name().into(),
                    record_id,
                    action: action.label().into(),
                    created_by,
                    fields,
                });
            }
            if wants_fields {
                rec.fields()?;
            }
            items.push((kind, rec, action, person));
        }
        let mut by_kind: HashMap<Kind, Vec<u128>> = HashMap::new();
        for i in fresh {
            let (kind, rec, ..) = &items[i];
            by_kind.entry(*kind).or_default().push(rec.key);
        }
        for (kind, ids) in &by_kind {
            if store::count_in(host.conn(), *kind, ids)? > 0 {
                return Err(Error::BundleRewritesRecord);
            }
            if store::count_in_trash(host.conn(), *kind, ids)? > 0 {
                return Err(Error::BundleRecordInTrash);
            }
        }
        host.take(&items)?;
        // What the rest of the import needs of the part; its records go.
        decided += items.len();
        let mut done = Vec::with_capacity(items.len());
        for (kind, rec, action, person) in items {
            let slot = match action {
                Action::New => Some(0),
                Action::Update => Some(1),
                Action::Conflict => Some(2),
                Action::Proposal => Some(3),
                Action::Unchanged | Action::Older => None,
            };
            if let (Some(slot), Some(pid)) = (slot, person) {
                per_person.entry(pid).or_default()[slot] += 1;
            }
            match kind {
                Kind::Document => documents.push((rec.into_fields()?, action)),
                _ => {
                    if kind == Kind::Note && action == Action::New {
                        // From its bits: its text is far behind in the bundle.
                        new_notes.push(uuid::Uuid::from_u128(rec.key).hyphenated().to_string());
                    }
                    done.push(rec);
                }
            }
        }
        Ok(done)
    };
    if o.records.len() < 1 << 20 {
        // A small bundle: read and checked, then decided, on this thread.
        let mut parts = Vec::new();
        check_records(o, &orgs_here, wants_fields, false, &mut |part| {
            parts.push(part);
            true
        });
        for part in parts {
            let mut part = part?.into_iter();
            while part.len() > 0 {
                decide_part(host, &mut part.by_ref().take(CHUNK))?;
            }
        }
    } else {
        // Read and checked on another thread while this one decides (and an import writes); a
        // preview's checking takes both cores, its deciding little.
        std::thread::scope(|s| -> Result<()> {
            // For an import, up to 4 parts ahead: enough that the plan seldom waits for the
            // reading, few enough that the records in memory as fields stay a few megabytes
            // (each part is let go once decided, and its memory serves the next). A preview's
            // records are their text and a few borrowed fields (about 100 bytes a record), a
            // kind at a time: up to 16 kinds ahead (all of them), so that the checking never
            // waits for the plan.
            let ahead = if wants_fields { 4 } else { 16 };
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Checked<'a>>>>(ahead);
            // The parts decided go back to be freed on the thread that parsed them, whose
            // allocator then has their memory at hand for the next part.
            let (back, done) = std::sync::mpsc::channel::<Vec<Rec<'a>>>();
            let orgs_here = &orgs_here;
            s.spawn(move || {
                check_records(o, orgs_here, wants_fields, !wants_fields, &mut |part| {
                    while let Ok(records) = done.try_recv() {
                        drop(records);
                    }
                    tx.send(part).is_ok()
                });
                // The plan's last parts, until it is done.
                drop(tx);
                for records in done.iter() {
                    drop(records);
                }
            });
            // The receiver goes with this closure: a checker still running then stops.
            let rx = rx;
            for part in rx.iter() {
                // A kind checked whole is decided a part at a time (as an import decides it).
                let mut part = part?.into_iter();
                while part.len() > 0 {
                    let records = decide_part(host, &mut part.by_ref().take(CHUNK))?;
                    // Refused only if the checker panicked (the scope then says so): freed here.
                    back.send(records).ok();
                }
            }
            Ok(())
        })?;
    }
    if decided != total {
        // The checker stopped without saying why (it cannot: every stop sends an error first).
        return Err(malformed("records"));
    }
    check_documents(host.conn(), o, &documents)?;
    let newer_seen = newer_seen(host.conn(), &o.manifest)?;
    let mut counts = Counts::default();
    for (kind, row) in Kind::ALL.iter().zip(&tally) {
        for (action, n) in Action::ALL.iter().zip(row).filter(|(_, n)| **n > 0) {
            let bucket = match action {
                Action::New => &mut counts.new,
                Action::Update => &mut counts.updated,
                Action::Unchanged => &mut counts.unchanged,
                Action::Older => &mut counts.older,
                Action::Conflict => &mut counts.conflicts,
                Action::Proposal => &mut counts.proposals,
            };
            bucket.insert(kind.name().into(), *n);
        }
    }
    Ok(Plan { per_person, new_notes, counts, changes, replay, newer_seen, cases })
}

/// This vault's fingerprint, as the writer reads it to count this vault's changes (kept in the
/// metadata at every unlock: nothing to derive from the keys again).
fn this_vault(store: &Store) -> Result<String> {
    Ok(store.meta(store::Meta::Fingerprint)?.unwrap_or_default())
}

/// Validates every record and decides, for each, what importing it means here (a preview).
pub(super) fn plan<'a>(store: &Store, o: &'a Opened) -> Result<Plan<'a>> {
    let pre = prelude(store.conn(), o, this_vault(store)?)?;
    plan_with(&mut Reading(store.conn()), o, pre)
}

/// The documents' bytes a bundle carries: each one belongs to a document record of the bundle
/// and matches it ([`crate::case::documents::decode_received`]), and every document record
/// that would be written here comes with its bytes unless this vault has them already. Checked
/// before the preview: nothing is shown of a bundle that would fail to apply.
fn check_documents(conn: &rusqlite::Connection, o: &Opened, records: &[(Fields, Action)]) -> Result<()> {
    let docs: HashMap<&str, &Fields> = records.iter().map(|(r, _)| (str_field(r, "id").unwrap_or_default(), r)).collect();
    for (id, b64) in &o.documents {
        let rec = docs.get(id.as_str()).ok_or_else(|| malformed(format!("documents.{id}")))?;
        crate::case::documents::decode_received(rec, b64)?;
    }
    for (rec, action) in records {
        let id = str_field(rec, "id").unwrap_or_default();
        let here = crate::case::documents::has_content(conn, id)?;
        // A new record's bytes here can only be those of a document deleted here (kept in the
        // trash until it is emptied): not this record's, whatever it says.
        if *action == Action::New && here {
            return Err(Error::BundleRecordInTrash);
        }
        if matches!(action, Action::New | Action::Update) && !o.documents.contains_key(id) && !here {
            return Err(malformed(format!("documents.{id}: contenu manquant/content missing")));
        }
    }
    Ok(())
}

/// Checks a received record against its kind; returns it as it came when every field is
/// already in its stored form (as Relais writes them), its stored form otherwise.
pub(super) fn validate_received<'r>(
    kind: Kind,
    r: &'r Fields,
    known: &(dyn Fn(Kind, &str) -> Result<bool> + Sync),
) -> Result<Cow<'r, Fields>> {
    let bad = |what: &str| malformed(format!("{}.{what}", kind.name()));
    // Both key lists are sorted: one walk finds a key that is not a field of this kind.
    let mut known_keys = all_fields_sorted(kind).iter().peekable();
    for k in r.keys() {
        while known_keys.next_if(|f| **f < k.as_str()).is_some() {}
        if known_keys.next_if(|f| **f == k.as_str()).is_none() {
            return Err(bad(k));
        }
    }
    // Ids are written in lower case: one spelling per record, compared as text everywhere.
    str_field(r, "id").filter(|id| is_lower_uuid(id)).ok_or_else(|| bad("id"))?;
    for stamp in ["created_at", "updated_at"] {
        str_field(r, stamp).filter(|v| crate::time::from_db(v).is_some()).ok_or_else(|| bad(stamp))?;
    }
    for author in ["created_by", "updated_by"] {
        str_field(r, author).filter(|v| is_fingerprint(v)).ok_or_else(|| bad(author))?;
    }
    // Numbers from outside are bounded before anything is written: each count of the version
    // vector, and the revision, which must be their total (so never near i64::MAX). A vector
    // that parses is in its stored form (an object with sorted keys and integer counts).
    let versions = r.get("versions").and_then(Versions::parse).ok_or_else(|| bad("versions"))?;
    r.get("revision").and_then(Value::as_i64).filter(|n| *n == versions.total()).ok_or_else(|| bad("revision"))?;
    if versions.get(str_field(r, "updated_by").unwrap_or_default()) == 0 {
        return Err(bad("updated_by"));
    }
    let mut columns: Vec<(&'static str, Cow<'r, Value>)> = Vec::with_capacity(kind.columns().len());
    for col in kind.columns() {
        let v = r.get(col.name).unwrap_or(&Value::Null);
        let n = store::normalize_with(col, v, known).map_err(|e| match e {
            Error::Invalid { problem: crate::error::Problem::UnknownReference, .. } => Error::BundleDanglingReference,
            Error::Invalid { field, problem } => malformed(format!("{}.{field}: {}", kind.name(), problem.message(crate::Lang::En))),
            other => other,
        })?;
        columns.push((col.name, n));
    }
    // Every key was checked to be a field, once: as many keys as fields means all are there.
    if r.len() == all_fields_sorted(kind).len() && columns.iter().all(|(_, v)| matches!(v, Cow::Borrowed(_))) {
        return Ok(Cow::Borrowed(r));
    }
    let mut fields: Fields = store::BASE_FIELDS.iter().filter_map(|k| r.get(*k).map(|v| ((*k).to_owned(), v.clone()))).collect();
    fields.extend(columns.into_iter().map(|(k, v)| (k.to_owned(), v.into_owned())));
    Ok(Cow::Owned(fields))
}

/// A UUID as Relais writes it: hyphenated, lower case.
pub(super) fn is_lower_uuid(s: &str) -> bool {
    lower_uuid_key(s).is_some()
}

/// The 128 bits of a UUID written as Relais writes it (hyphenated, lower case), `None` for any
/// other text: one number per id, so that a bundle's 100 000 ids are told apart without
/// hashing (or copying) their text.
pub(super) fn lower_uuid_key(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut key = 0u128;
    for (i, &c) in b.iter().enumerate() {
        let digit = match c {
            b'-' if matches!(i, 8 | 13 | 18 | 23) => continue,
            b'0'..=b'9' if !matches!(i, 8 | 13 | 18 | 23) => c - b'0',
            b'a'..=b'f' if !matches!(i, 8 | 13 | 18 | 23) => c - b'a' + 10,
            _ => return None,
        };
        key = key << 4 | u128::from(digit);
    }
    Some(key)
}

/// A directory entry: added when new; when it differs from this vault's, a proposal (the
/// shelter's number here is every case's), unless it is an older version of it.
fn decide_directory(conn: &rusqlite::Connection, theirs: &Fields) -> Result<(Action, Option<Fields>)> {
    let id = str_field(theirs, "id").unwrap_or_default();
    let mine = match store::get(conn, Kind::Organisation, id) {
        Ok(m) => m,
        Err(Error::NotFound { .. }) => return Ok((Action::New, None)),
        Err(e) => return Err(e),
    };
    if record_hash(Kind::Organisation, &mine) == record_hash(Kind::Organisation, theirs) {
        return Ok((Action::Unchanged, None));
    }
    let action = match store::versions_of(theirs).compare(&store::versions_of(&mine)) {
        Order::Older | Order::Equal => Action::Older,
        Order::Newer | Order::Concurrent => Action::Proposal,
    };
    Ok((action, Some(mine)))
}

/// A record of a case that is here: what the sender's version means, given its version vector
/// and the sender's right. Refuses a record moved to another person or given another author.
fn decide(conn: &rusqlite::Connection, kind: Kind, theirs: &Fields, sender: &str, right: Right) -> Result<(Action, Option<Fields>)> {
    let id = str_field(theirs, "id").unwrap_or_default();
    let mine = match store::get(conn, kind, id) {
        Ok(m) => m,
        Err(Error::NotFound { .. }) => {
            // Someone who does not hold the case adds only records of their own.
            if right == Right::Party && str_field(theirs, "created_by") != Some(sender) {
                return Err(Error::BundleForgedAuthor);
            }
            return Ok((Action::New, None));
        }
        Err(e) => return Err(e),
    };
    // Where a record belongs and who wrote it never change, nor what a document holds.
    let parent = kind.owner().map(|(col, _)| col);
    if parent.is_some_and(|col| mine.get(col) != theirs.get(col))
        || (kind == Kind::Document && crate::record::DOCUMENT_CONTENT_COLS.iter().any(|c| mine.get(*c) != theirs.get(*c)))
        || (mine.get("created_by").is_some_and(|v| !v.is_null()) && mine.get("created_by") != theirs.get("created_by"))
    {
        return Err(Error::BundleRewritesRecord);
    }
    let (v_mine, v_theirs) = (store::versions_of(&mine), store::versions_of(theirs));
    let author = str_field(&mine, "created_by") == Some(sender);
    let action = match v_theirs.compare(&v_mine) {
        // The same changes: the same version (what differs is this vault's own view of the
        // case, such as "handed off").
        Order::Equal => Action::Unchanged,
        Order::Older => Action::Older,
        // The holder's newer version applies; the author's too, when the only changes it brings
        // are the author's own.
        Order::Newer if right == Right::Holder => Action::Update,
        Order::Newer if author && v_theirs.ahead_of(&v_mine).all(|who| who == sender) => Action::Update,
        Order::Concurrent if right == Right::Holder || author => Action::Conflict,
        Order::Newer | Order::Concurrent => Action::Proposal,
    };
    Ok((action, Some(mine)))
}

/// Opens a bundle and says what importing it would do, without changing anything.
pub fn preview(store: &Store, o: &Opened) -> Result<Preview> {
    if o.manifest.kind == BundleKind::Report {
        let replay = super::team::check_report(store, o)?;
        return Ok(make_preview(o, Counts::default(), Vec::new(), replay, None, false));
    }
    let Plan { counts, changes, replay, newer_seen, .. } = plan(store, o)?;
    Ok(make_preview(o, counts, changes, replay, newer_seen, false))
}

/// When the newest bundle imported from this bundle's sender was made, if later than this one
/// (both as the sender signed them).
fn newer_seen(conn: &rusqlite::Connection, m: &Manifest) -> Result<Option<String>> {
    let seen: Option<String> = conn
        .prepare_cached("SELECT created_at FROM senders_seen WHERE sender = ?1")?
        .query_row([&m.sender.fingerprint], |r| r.get(0))
        .optional()?;
    let later = |a: &str, b: &str| matches!((crate::time::from_db(a), crate::time::from_db(b)), (Some(a), Some(b)) if a > b);
    Ok(seen.filter(|s| later(s, &m.created_at)))
}

pub(super) fn make_preview(
    o: &Opened,
    counts: Counts,
    changes: Vec<RecordChange>,
    replay: bool,
    newer_seen: Option<String>,
    applied: bool,
) -> Preview {
    let persons = o
        .records
        .persons()
        .iter()
        .map(|r| (str_field(r, "id").unwrap_or_default().to_owned(), str_field(r, "alias").unwrap_or_default().to_owned()))
        .collect();
    let moving = |m: &BTreeMap<String, u64>| m.values().sum::<u64>();
    let stale = moving(&counts.older) > 0
        && moving(&counts.new) + moving(&counts.updated) + moving(&counts.conflicts) + moving(&counts.proposals) == 0;
    Preview {
        bundle_id: o.manifest.bundle_id.clone(),
        kind: o.manifest.kind,
        sender: o.manifest.sender.clone(),
        sender_contact_name: o.sender_name.clone(),
        sender_verified: o.sender_verified,
        created_at: o.manifest.created_at.clone(),
        persons,
        replay,
        stale,
        newer_seen,
        counts,
        changes,
        applied,
    }
}

/// Applies an opened bundle in one transaction: new records inserted, records the sender may
/// change and changed after this vault's version replaced, conflicts and proposals held (local
/// version kept), who holds each case recorded, the bundle remembered, one audit event for the
/// bundle and one per person. A replay changes nothing.
pub fn apply(store: &mut Store, o: &Opened, progress: Progress<'_>) -> Result<Preview> {
    if o.manifest.kind == BundleKind::Report {
        return super::team::apply_report(store, o);
    }
    let pre = prelude(store.conn(), o, this_vault(store)?)?;
    if pre.replay || o.manifest.kind == BundleKind::Receipt {
        let p = plan_with(&mut Reading(store.conn()), o, pre)?;
        if p.replay {
            return Ok(make_preview(o, p.counts, p.changes, true, p.newer_seen, false));
        }
        return apply_receipt(store, o, p.counts);
    }
    let total = o.manifest.counts.values().map(|n| *n as usize).sum();
    let bundle_id = o.manifest.bundle_id.clone();
    let sender = o.manifest.sender.fingerprint.clone();
    let p = store.write(|w| {
        // New notes are indexed in one statement at the end rather than by the insert trigger:
        // once the full-text index is part of a transaction, SQLite asks it to flush at every
        // later statement's savepoint, so a trigger per note wrote one index segment per note
        // (a quarter of a 1 000-case import). The trigger is dropped and put back inside this
        // transaction: a failure anywhere rolls both back.
        let notes = o.records.kinds().any(|k| k == Kind::Note.name());
        let trigger = if notes { Some(store::suspend_note_index(w.conn())?) } else { None };
        // Each part of the plan is written as soon as it is decided (one transaction: an error
        // in a later part rolls back the earlier ones).
        let p = plan_with(&mut Applying { w: &mut *w, done: 0, total, progress, bundle_id: &bundle_id, sender: &sender }, o, pre)?;
        // The documents' bytes, for the records now here that lack them (checked by the plan).
        for (id, b64) in &o.documents {
            if store::exists(w.conn(), Kind::Document, id)? && !crate::case::documents::has_content(w.conn(), id)? {
                let rec = store::get(w.conn(), Kind::Document, id)?;
                let bytes = crate::case::documents::decode_received(&rec, b64)?;
                crate::case::documents::put_content(w, id, &bytes)?;
            }
        }
        if let Some(trigger) = trigger {
            store::resume_note_index(w.conn(), &trigger, &p.new_notes)?;
        }
        // Who holds each case now: a share's sender holds a case new here; a transfer makes
        // this vault the holder (and a case that was handed off from here active again).
        for (pid, (here, _)) in &p.cases {
            match o.manifest.kind {
                BundleKind::Transfer => {
                    let theirs = o
                        .records
                        .persons()
                        .iter()
                        .find(|r| str_field(r, "id") == Some(pid.as_str()))
                        .and_then(|r| str_field(r, "status"))
                        .and_then(CaseStatus::parse);
                    w.set_holder(pid, theirs.filter(|s| *s != CaseStatus::HandedOff), None)?
                }
                _ if !here => w.set_holder(pid, None, Some(&sender))?,
                _ => {}
            }
        }
        w.conn().execute(
            "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                bundle_id,
                kind_name(o.manifest.kind),
                sender,
                crate::time::to_db(w.now()),
                serde_json::to_string(&p.counts).expect("counts serialize"),
                serde_json::to_string(&o.manifest.persons).expect("ids serialize")
            ],
        )?;
        // The sender's signed audit head, kept to show later that their log was not rewritten.
        if let Some(a) = &o.manifest.audit_anchor {
            crate::vault::audit::keep_received(w.conn(), a, &o.manifest.sender.signing_key, &crate::time::to_db(w.now()))?;
        }
        // The newest bundle seen from this sender (by the date the sender signed).
        if p.newer_seen.is_none() {
            let created = crate::time::from_db(&o.manifest.created_at)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .unwrap_or_default();
            w.conn().execute(
                "INSERT INTO senders_seen (sender, created_at, bundle_id, imported_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sender) DO UPDATE SET created_at = excluded.created_at, bundle_id = excluded.bundle_id,
                                                    imported_at = excluded.imported_at",
                rusqlite::params![sender, created, bundle_id, crate::time::to_db(w.now())],
            )?;
        }
        let summary = |m: &BTreeMap<String, u64>| m.values().sum::<u64>().to_string();
        let fields = vec![
            format!("bundle={bundle_id}"),
            format!("sender={sender}"),
            format!("new={}", summary(&p.counts.new)),
            format!("updated={}", summary(&p.counts.updated)),
            format!("older={}", summary(&p.counts.older)),
            format!("conflicts={}", summary(&p.counts.conflicts)),
            format!("proposals={}", summary(&p.counts.proposals)),
        ];
        w.audit_event(&format!("bundle.import.{}", kind_name(o.manifest.kind)), None, fields)?;
        // Each person's history says who sent what about them (by fingerprint: named from the
        // contact book when read).
        for pid in &o.manifest.persons {
            let [new, updated, conflicts, proposals] = p.per_person.get(pid.as_str()).copied().unwrap_or_default();
            let fields = vec![
                format!("bundle={bundle_id}"),
                format!("kind={}", kind_name(o.manifest.kind)),
                format!("sender={sender}"),
                format!("new={new}"),
                format!("updated={updated}"),
                format!("conflicts={conflicts}"),
                format!("proposals={proposals}"),
            ];
            w.audit_event("bundle.import", Some(pid), fields)?;
        }
        Ok(p)
    })?;
    let Plan { counts, changes, newer_seen, .. } = p;
    Ok(make_preview(o, counts, changes, false, newer_seen, true))
}

/// An import: each part of the plan written as soon as it is decided.
struct Applying<'w, 'x, 'p> {
    w: &'w mut store::Writer<'x>,
    /// Records written so far, of `total`.
    done: usize,
    total: usize,
    progress: Progress<'p>,
    bundle_id: &'w str,
    sender: &'w str,
}

impl<'a> Host<'a> for Applying<'_, '_, '_> {
    fn conn(&self) -> &rusqlite::Connection {
        self.w.conn()
    }

    fn take(&mut self, items: &[Item<'a>]) -> Result<()> {
        write_items(self.w, items, self.bundle_id, self.sender)?;
        self.done += items.len();
        (self.progress)(self.done, self.total);
        Ok(())
    }

    fn wants_fields(&self) -> bool {
        true
    }
}

/// Writes what the plan decided for these records: new ones inserted, updates applied (a
/// person's own view of the case kept), conflicts and proposals held.
fn write_items(w: &mut store::Writer<'_>, items: &[Item<'_>], bundle_id: &str, sender: &str) -> Result<()> {
    let mut i = 0;
    while i < items.len() {
        let (kind, rec, action, _) = &items[i];
        let rec = rec.stored()?;
        let mut step = 1;
        match action {
            // New records of one kind, one after the other (the plan lists them kind by kind):
            // through one statement.
            Action::New => {
                step = items[i..].iter().take_while(|(k, _, a, _)| k == kind && *a == Action::New).count();
                let recs = items[i..i + step].iter().map(|(_, r, _, _)| r.stored()).collect::<Result<Vec<_>>>()?;
                w.put_received_all(*kind, false, recs)?;
            }
            Action::Update if *kind == Kind::Person => {
                // This vault's own view of the case (handed off from here, read-only) is kept;
                // a transfer below says who holds it now.
                let mut rec: Fields = Fields::clone(rec);
                let local: Option<String> =
                    w.conn().query_row("SELECT status FROM persons WHERE id = ?1", [str_field(&rec, "id")], |r| r.get(0)).optional()?;
                if local.as_deref().and_then(CaseStatus::parse) == Some(CaseStatus::HandedOff) {
                    rec.insert("status".into(), json!(CaseStatus::HandedOff.code()));
                }
                let owner = holder(w.conn(), str_field(&rec, "id").unwrap_or_default())?;
                w.put_received(*kind, &rec, true)?;
                let pid = str_field(&rec, "id").unwrap_or_default().to_owned();
                w.conn().execute("UPDATE persons SET owner = ?2 WHERE id = ?1", rusqlite::params![pid, owner])?;
            }
            Action::Update => w.put_received(*kind, rec, true)?,
            Action::Unchanged | Action::Older => {}
            Action::Conflict | Action::Proposal => {
                let reason = match (action, *kind) {
                    (Action::Conflict, _) => "conflict",
                    (_, Kind::Organisation) => "directory",
                    _ => "proposal",
                };
                w.conn().execute(
                    "INSERT INTO conflicts (id, kind, record_id, person_id, bundle_id, theirs, detected_at, reason, sender)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    rusqlite::params![
                        uuid::Uuid::now_v7().to_string(),
                        kind.name(),
                        str_field(rec, "id"),
                        store::person_of(w.conn(), *kind, rec)?,
                        bundle_id,
                        serde_json::to_string(rec).expect("record serializes"),
                        crate::time::to_db(w.now()),
                        reason,
                        sender
                    ],
                )?;
            }
        }
        i += step;
    }
    Ok(())
}
