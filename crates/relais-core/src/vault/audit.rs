//! The audit trail: who changed what, when, hash-chained so that an event edited or removed
//! behind the app's back (with raw SQL, by anyone holding the key) is detected.
//!
//! Event *n* stores `content_n = SHA-256(JSON [action, kind, record_id, person_id, fields])` and
//! `hash_n = SHA-256(JSON [2, seq, id, at, actor, content_n, hash_{n-1}])`; `audit_head` holds
//! the last `(seq, hash)`. Sequence numbers are contiguous from 1, so a deleted event leaves a
//! gap, an edited one a hash mismatch, and a deleted tail a head that points past the end. The
//! content has its own hash so that an event emptied by a destruction (its action, record and
//! fields gone) still proves its place, instant and author. Events written before schema 6 have
//! no content hash and were hashed whole (`SHA-256(JSON [seq, id, at, actor, action, kind,
//! record_id, person_id, fields, hash_{n-1}])`); once redacted, only their links are checked.
//!
//! A chain in the database proves nothing against someone who holds the key: they can rewrite
//! an event and recompute every hash after it. An [`Anchor`] is the head signed with the vault's
//! signing key, kept outside the database (in every backup, in every bundle and receipt sent to
//! a colleague, or in a file): [`verify_against`] then shows whether the chain still passes
//! through that point.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The action of an event whose content was removed when its person was destroyed.
pub const REDACTED: &str = "redacted";

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event, as read back.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// UUID v7 of the event.
    pub id: String,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who (the vault owner's name).
    pub actor: String,
    /// What (`create`, `update`, `vault.init`, `vault.passwd`…).
    pub action: String,
    /// Kind of record, if any.
    pub kind: Option<String>,
    /// Record id, if any.
    pub record_id: Option<String>,
    /// Person the record belongs to, if any.
    pub person_id: Option<String>,
    /// Names of the fields changed (never their values).
    pub fields: Vec<String>,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// Hash of this event.
    pub hash: String,
    /// Hash of its content (action, kind, record, person, fields); `None` for events written
    /// before schema 6.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub content_hash: Option<String>,
}

impl Event {
    fn content_digest(&self) -> String {
        let doc = json!([self.action, self.kind, self.record_id, self.person_id, self.fields]);
        hex::encode(Sha256::digest(doc.to_string().as_bytes()))
    }

    fn hash_with(&self, content: &str) -> String {
        let doc = json!([2, self.seq, self.id, self.at, self.actor, content, self.prev_hash]);
        hex::encode(Sha256::digest(doc.to_string().as_bytes()))
    }

    /// The hash of an event written before schema 6.
    fn legacy_hash(&self) -> String {
        let doc = json!([
            self.seq,
            self.id,
            self.at,
            self.actor,
            self.action,
            self.kind,
            self.record_id,
            self.person_id,
            self.fields,
            self.prev_hash
        ]);
        hex::encode(Sha256::digest(doc.to_string().as_bytes()))
    }
}

/// The end of the chain, carried through a write transaction.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub seq: i64,
    pub hash: String,
}

impl Head {
    pub fn load(conn: &Connection) -> Result<Head> {
        Ok(conn.query_row("SELECT seq, hash FROM audit_head WHERE one = 1", [], |r| Ok(Head { seq: r.get(0)?, hash: r.get(1)? }))?)
    }

    pub fn save(&self, conn: &Connection) -> Result<()> {
        conn.execute("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE one = 1", params![self.seq, self.hash])?;
        Ok(())
    }
}

/// What to record about one change.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub kind: Option<&'a str>,
    pub record_id: Option<&'a str>,
    pub person_id: Option<&'a str>,
    pub fields: Vec<String>,
}

/// Appends an event after `head` and advances it. The caller saves the head before commit.
pub(crate) fn append(conn: &Connection, head: &mut Head, actor: &str, at: &str, change: Change<'_>) -> Result<()> {
    let mut ev = Event {
        seq: head.seq + 1,
        id: uuid::Uuid::now_v7().to_string(),
        at: at.to_owned(),
        actor: actor.to_owned(),
        action: change.action.to_owned(),
        kind: change.kind.map(str::to_owned),
        record_id: change.record_id.map(str::to_owned),
        person_id: change.person_id.map(str::to_owned),
        fields: change.fields,
        prev_hash: head.hash.clone(),
        hash: String::new(),
        content_hash: None,
    };
    let content = ev.content_digest();
    ev.hash = ev.hash_with(&content);
    conn.prepare_cached(
        "INSERT INTO audit_events (seq, id, at, actor, action, kind, record_id, person_id, fields, prev_hash, hash, content_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        ev.seq,
        ev.id,
        ev.at,
        ev.actor,
        ev.action,
        ev.kind,
        ev.record_id,
        ev.person_id,
        serde_json::to_string(&ev.fields).expect("strings serialize"),
        ev.prev_hash,
        ev.hash,
        content
    ])?;
    head.seq = ev.seq;
    head.hash = ev.hash;
    Ok(())
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let fields: String = r.get(8)?;
    Ok(Event {
        seq: r.get(0)?,
        id: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        kind: r.get(5)?,
        record_id: r.get(6)?,
        person_id: r.get(7)?,
        // An unparsable list is kept visible (as one odd field) rather than hidden: verify
        // will flag the event anyway, since its hash no longer matches.
        fields: serde_json::from_str(&fields).unwrap_or_else(|_| vec![fields]),
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
        content_hash: r.get(11)?,
    })
}

const SELECT: &str =
    "SELECT seq, id, at, actor, action, kind, record_id, person_id, fields, prev_hash, hash, content_hash FROM audit_events";

/// The events about one person (their file's history), oldest first.
pub fn for_person(store: &crate::vault::store::Store, person_id: &str) -> Result<Vec<Event>> {
    let mut st = store.conn().prepare(&format!("{SELECT} WHERE person_id = ?1 ORDER BY seq"))?;
    let rows = st.query_map([person_id], row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first place where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Break {
    /// Event `seq` does not hash to what it stores: it was edited.
    Edited {
        /// Sequence number of the edited event.
        seq: i64,
    },
    /// Events between `after` and `next` are missing: they were deleted.
    Missing {
        /// Last good event before the gap (0: the start).
        after: i64,
        /// First event after the gap.
        next: i64,
    },
    /// Event `seq` does not point at the previous event's hash.
    Relinked {
        /// Sequence number of the event whose link is wrong.
        seq: i64,
    },
    /// The chain stops at `last` but the head says `head`: events were deleted at the end, or
    /// the head was changed.
    Truncated {
        /// Last event present.
        last: i64,
        /// What the head records.
        head: i64,
    },
    /// The chain holds together, but event `seq` no longer has the hash an anchor signed for
    /// it: the log was rewritten (and its hashes recomputed) at or before that event.
    Rewritten {
        /// The anchor's event.
        seq: i64,
    },
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    /// Events checked.
    pub events: i64,
    /// The first break, if any.
    pub first_break: Option<Break>,
}

/// Empties the events about a person, keeping of each only its place in the chain (seq, id,
/// instant, actor, links): the action becomes [`REDACTED`], and kind, record, person and fields
/// are cleared. Returns their sequence numbers, for the event that accounts for them.
pub(crate) fn redact_person(conn: &Connection, person_id: &str) -> Result<Vec<i64>> {
    let which = "action <> 'redacted' AND (person_id = ?1 OR record_id = ?1 OR instr(fields, ?1) > 0)";
    let seqs: Vec<i64> = conn
        .prepare(&format!("SELECT seq FROM audit_events WHERE {which} ORDER BY seq"))?
        .query_map([person_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute(
        &format!(
            "UPDATE audit_events SET action = '{REDACTED}', kind = NULL, record_id = NULL, person_id = NULL, fields = '[]' WHERE {which}"
        ),
        [person_id],
    )?;
    Ok(seqs)
}

/// `[1, 2, 3, 7, 9, 10]` as `"1-3,7,9-10"`.
pub(crate) fn ranges(seqs: &[i64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < seqs.len() {
        let start = seqs[i];
        while i + 1 < seqs.len() && seqs[i + 1] == seqs[i] + 1 {
            i += 1;
        }
        out.push(if seqs[i] == start { start.to_string() } else { format!("{start}-{}", seqs[i]) });
        i += 1;
    }
    out.join(",")
}

/// The sequence numbers an event says it redacted (its `redacted=…` field).
fn claimed(ev: &Event) -> Vec<i64> {
    let Some(list) = ev.fields.iter().find_map(|f| f.strip_prefix("redacted=")) else { return Vec::new() };
    list.split(',')
        .filter_map(|part| match part.split_once('-') {
            Some((a, b)) => Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)),
            None => part.parse::<i64>().ok().map(|n| (n, n)),
        })
        .flat_map(|(a, b)| a..=b.min(a + 10_000_000))
        .collect()
}

/// Walks the whole chain and reports the first broken link. A redacted event cannot be
/// rehashed (its content is gone) but still links its neighbours, and must be accounted for by
/// a later, intact destruction event that lists it: an event emptied behind the app's back is
/// reported as edited.
pub fn verify(store: &crate::vault::store::Store) -> Result<Verification> {
    let conn = store.conn();
    let mut st = conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
    let mut rows = st.query([])?;
    let mut prev_seq = 0i64;
    let mut prev_hash = GENESIS.to_owned();
    let mut count = 0;
    let mut unaccounted = std::collections::BTreeSet::new();
    let mut hashed_content = false;
    while let Some(r) = rows.next()? {
        let ev = row_to_event(r)?;
        count += 1;
        if ev.seq != prev_seq + 1 {
            return Ok(Verification { events: count, first_break: Some(Break::Missing { after: prev_seq, next: ev.seq }) });
        }
        // Once events have a content hash, every later one must: one without is an event
        // stripped of it to pass for an old one.
        hashed_content |= ev.content_hash.is_some();
        let intact = match &ev.content_hash {
            Some(c) => ev.hash_with(c) == ev.hash && (ev.action == REDACTED || ev.content_digest() == *c),
            None => !hashed_content && (ev.action == REDACTED || ev.legacy_hash() == ev.hash),
        };
        if !intact {
            return Ok(Verification { events: count, first_break: Some(Break::Edited { seq: ev.seq }) });
        }
        if ev.action == REDACTED {
            unaccounted.insert(ev.seq);
        } else {
            for s in claimed(&ev) {
                unaccounted.remove(&s);
            }
        }
        if ev.prev_hash != prev_hash {
            return Ok(Verification { events: count, first_break: Some(Break::Relinked { seq: ev.seq }) });
        }
        prev_seq = ev.seq;
        prev_hash = ev.hash;
    }
    if let Some(&seq) = unaccounted.first() {
        return Ok(Verification { events: count, first_break: Some(Break::Edited { seq }) });
    }
    let head: Option<(i64, String)> =
        conn.query_row("SELECT seq, hash FROM audit_head WHERE one = 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let broken = match head {
        Some((seq, hash)) if seq == prev_seq && hash == prev_hash => None,
        Some((seq, _)) => Some(Break::Truncated { last: prev_seq, head: seq }),
        None => Some(Break::Truncated { last: prev_seq, head: -1 }),
    };
    Ok(Verification { events: count, first_break: broken })
}

/// What an anchor file says it is.
pub const ANCHOR_FORMAT: &str = "relais-audit-anchor";
const ANCHOR_VERSION: u32 = 1;
/// What is signed, before the anchor's fields: no signature of something else (a bundle's
/// manifest) can pass for an anchor.
const ANCHOR_CONTEXT: &str = "relais-audit-anchor/1";
/// The most an anchor file may hold (it holds about 400 bytes).
pub const MAX_ANCHOR_FILE: u64 = 64 * 1024;

/// A vault's audit head, signed with its signing key: the chain passed through event `seq` with
/// hash `hash` at `at`. Plain JSON, kept anywhere (it holds no case data: the vault's id, a
/// count of events, a hash, a date).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// [`ANCHOR_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The vault's id.
    pub vault_id: String,
    /// The vault's Ed25519 public key (64 hex digits), which signed it.
    pub signing_key: String,
    /// The last event then.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// When the anchor was made (RFC 3339 UTC).
    pub at: String,
    /// Ed25519 signature (hex) of [`ANCHOR_CONTEXT`] and the fields above.
    pub signature: String,
}

impl Anchor {
    fn message(&self) -> Vec<u8> {
        json!([ANCHOR_CONTEXT, self.vault_id, self.signing_key, self.seq, self.hash, self.at]).to_string().into_bytes()
    }

    /// Checks the form and the signature (not whose key it is: see [`verify_against`]).
    pub fn check(&self) -> Result<()> {
        let well_formed = self.format == ANCHOR_FORMAT
            && self.version == ANCHOR_VERSION
            && self.seq >= 0
            && self.hash.len() == 64
            && self.hash.bytes().all(|b| b.is_ascii_hexdigit())
            && crate::time::from_db(&self.at).is_some();
        if !well_formed {
            return Err(Error::InvalidAnchor);
        }
        let key = crate::model::keys::parse_signing_key(&self.signing_key).map_err(|_| Error::InvalidAnchor)?;
        let sig: [u8; 64] = hex::decode(&self.signature).ok().and_then(|b| b.try_into().ok()).ok_or(Error::InvalidAnchor)?;
        key.verify_strict(&self.message(), &ed25519_dalek::Signature::from_bytes(&sig)).map_err(|_| Error::InvalidAnchor)
    }

    /// Reads an anchor from its JSON text, checked ([`Anchor::check`]).
    pub fn parse(bytes: &[u8]) -> Result<Anchor> {
        let a: Anchor = serde_json::from_slice(bytes).map_err(|_| Error::InvalidAnchor)?;
        a.check()?;
        Ok(a)
    }

    /// The anchor as a file's content (pretty JSON, a newline at the end).
    pub fn to_file(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("strings serialize");
        s.push('\n');
        s
    }
}

/// This vault's head now, signed.
pub fn anchor(store: &crate::vault::store::Store) -> Result<Anchor> {
    let head = Head::load(store.conn())?;
    let secrets = crate::vault::keys::secrets(store)?;
    let vault_id = store.meta(crate::vault::store::Meta::VaultId)?.unwrap_or_default();
    let mut a = Anchor {
        format: ANCHOR_FORMAT.into(),
        version: ANCHOR_VERSION,
        vault_id,
        signing_key: hex::encode(secrets.sign.verifying_key().to_bytes()),
        seq: head.seq,
        hash: head.hash,
        at: crate::time::to_db(chrono::Utc::now()),
        signature: String::new(),
    };
    a.signature = secrets.sign(&a.message());
    Ok(a)
}

/// [`verify`], and then whether the chain still passes through the point `anchor` signed: the
/// anchor must be this vault's (its signing key), and event `anchor.seq` must still have the
/// hash it had. A log rewritten with every hash recomputed passes [`verify`], not this.
pub fn verify_against(store: &crate::vault::store::Store, anchor: &Anchor) -> Result<Verification> {
    anchor.check()?;
    let secrets = crate::vault::keys::secrets(store)?;
    if anchor.signing_key != hex::encode(secrets.sign.verifying_key().to_bytes()) {
        return Err(Error::ForeignAnchor);
    }
    let v = verify(store)?;
    if v.first_break.is_some() || anchor.seq == 0 {
        return Ok(v);
    }
    let hash: Option<String> =
        store.conn().query_row("SELECT hash FROM audit_events WHERE seq = ?1", [anchor.seq], |r| r.get(0)).optional()?;
    let broken = match hash {
        Some(h) if h == anchor.hash => None,
        Some(_) => Some(Break::Rewritten { seq: anchor.seq }),
        None => Some(Break::Truncated { last: v.events, head: anchor.seq }),
    };
    Ok(Verification { events: v.events, first_break: broken })
}

/// Keeps an anchor a colleague sent (in a bundle or a receipt) whose signing key is
/// `sender_key`; one that is not theirs, or not signed, is refused.
pub(crate) fn keep_received(conn: &Connection, anchor: &Anchor, sender_key: &str, now: &str) -> Result<()> {
    anchor.check()?;
    if !anchor.signing_key.eq_ignore_ascii_case(sender_key.trim()) {
        return Err(Error::ForeignAnchor);
    }
    conn.execute(
        "INSERT INTO audit_anchors (signing_key, seq, vault_id, hash, at, signature, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
        params![anchor.signing_key, anchor.seq, anchor.vault_id, anchor.hash, anchor.at, anchor.signature, now],
    )?;
    Ok(())
}

/// The newest anchor received from the vault whose signing key is `signing_key`.
pub fn latest_received(store: &crate::vault::store::Store, signing_key: &str) -> Result<Option<Anchor>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT vault_id, seq, hash, at, signature FROM audit_anchors WHERE signing_key = ?1 ORDER BY seq DESC LIMIT 1",
            [signing_key],
            |r| {
                Ok(Anchor {
                    format: ANCHOR_FORMAT.into(),
                    version: ANCHOR_VERSION,
                    vault_id: r.get(0)?,
                    signing_key: signing_key.to_owned(),
                    seq: r.get(1)?,
                    hash: r.get(2)?,
                    at: r.get(3)?,
                    signature: r.get(4)?,
                })
            },
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_with(fields: &[&str]) -> Event {
        Event {
            seq: 9,
            id: String::new(),
            at: String::new(),
            actor: String::new(),
            action: "person.destroy".into(),
            kind: None,
            record_id: None,
            person_id: None,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            prev_hash: String::new(),
            hash: String::new(),
            content_hash: None,
        }
    }

    #[test]
    fn redacted_ranges_round_trip() {
        let seqs = [1, 2, 3, 7, 9, 10, 11, 20];
        assert_eq!(ranges(&seqs), "1-3,7,9-11,20");
        assert_eq!(claimed(&event_with(&["policy=request", &format!("redacted={}", ranges(&seqs))])), seqs);
        assert_eq!(ranges(&[]), "");
        assert!(claimed(&event_with(&["redacted="])).is_empty());
        assert!(claimed(&event_with(&["policy=request"])).is_empty());
        // A malformed part claims nothing rather than everything.
        assert_eq!(claimed(&event_with(&["redacted=4,x-9,12"])), [4, 12]);
    }
}
