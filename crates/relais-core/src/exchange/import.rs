//! Import: open (decrypt, verify, check the sender and the recipients), plan (new, updated,
//! unchanged, conflicting) and apply in one transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use serde_json::{Value, json};

use rusqlite::OptionalExtension;

use super::*;
use crate::error::{Error, Result};
use crate::exchange::identity::{self, Identity};
use crate::model::status::CaseStatus;
use crate::record::{Fields, Kind, str_field};
use crate::vault::store::{self, Store};

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
pub(super) fn content_from_value(c: Value) -> Result<Content> {
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
    let secrets = crate::vault::keys::secrets(store)?;
    let plaintext = zeroize::Zeroizing::new(decrypt(bytes, &[&secrets.age as &dyn age::Identity])?);
    let (manifest, content) = verify_document(&plaintext)?;
    let contact: Option<(String, Option<String>, String)> = store
        .conn()
        .query_row(
            "SELECT id, verified_on, age_recipient FROM contacts WHERE signing_key = ?1",
            [manifest.sender.signing_key.to_ascii_lowercase()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
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
pub(super) enum Action {
    New,
    Update,
    Unchanged,
    Conflict,
}

pub(super) struct Plan {
    /// Each record, what to do with it, and its content hash.
    items: Vec<(Kind, Fields, Action, String)>,
    counts: Counts,
    replay: bool,
}

/// Validates every record and decides, for each, what importing it means here.
pub(super) fn plan(store: &Store, o: &Opened) -> Result<Plan> {
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

pub(super) fn validate_received(kind: Kind, r: &Fields, known: &dyn Fn(Kind, &str) -> Result<bool>) -> Result<Fields> {
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

pub(super) fn decide(conn: &rusqlite::Connection, kind: Kind, theirs: &Fields, h_theirs: &str) -> Result<Action> {
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
        let status: Option<String> = conn.query_row("SELECT status FROM persons WHERE id = ?1", [&p], |r| r.get(0)).optional()?;
        if status.as_deref().and_then(CaseStatus::parse) == Some(CaseStatus::HandedOff) {
            return Ok(Action::Update);
        }
    }
    let base: Option<String> = conn.query_row("SELECT hash FROM exchange_state WHERE record_id = ?1", [id], |r| r.get(0)).optional()?;
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

pub(super) fn make_preview(o: &Opened, counts: Counts, replay: bool, applied: bool) -> Preview {
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
                        w.conn().query_row("SELECT status FROM persons WHERE id = ?1", [str_field(&rec, "id")], |r| r.get(0)).optional()?;
                    if local.as_deref().and_then(CaseStatus::parse) == Some(CaseStatus::HandedOff) {
                        rec.insert("status".into(), json!(CaseStatus::HandedOff.code()));
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
