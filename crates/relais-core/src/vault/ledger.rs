//! The destruction ledger: what was destroyed, kept outside the database so that restoring an
//! older backup does not bring a destroyed case back.
//!
//! A backup is a copy of the vault as it was: a case destroyed after it was made is whole in
//! it. Each destruction therefore also writes a line to `relais-destructions.ledger`, in the
//! folder that holds the vault's folder (the same folder for every vault of the worker's
//! account, the app's demo included; a restore goes to a folder beside it). A line is a tag
//! and a day:
//!
//! ```text
//! # relais-destructions 1
//! 3f1c…(64 hex) 2026-12-02
//! ```
//!
//! The tag is HMAC-SHA256 of the case's id under a key derived from the vault's signing key: the
//! file names nobody (no alias, no id: a tag cannot be linked to a case without the vault's
//! key), and nobody without the key can write a line that matches a case (a planted line cannot
//! make Relais destroy anything). A restored backup holds the same signing key, so its cases'
//! tags are the ones the ledger knows.
//!
//! [`crate::vault::backup::restore`] destroys again, in the restored copy, each case whose tag is
//! in the ledger and whose destruction that copy does not record (a case destroyed, then sent
//! back by a colleague and kept, is in a later backup with its destruction before it: it stays),
//! and says how many. The worker's own destruction writes its line after its commit; if that
//! fails, the transaction left the line pending and the next unlock writes it ([`reconcile`]).
//!
//! What it does not cover: a restore into a folder elsewhere (another disk, another computer)
//! finds no ledger, and a vault folder copied back by hand is not a restore.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::Result;
use crate::vault::store::{Pending, Store};

/// The ledger's file name, in the folder that holds the vault's folder.
pub const FILE: &str = "relais-destructions.ledger";
const HEADER: &str = "# relais-destructions 1";
/// A ledger is a few lines a destruction; past this size it is not one of ours.
const MAX_LEDGER: u64 = 16 << 20;

/// The ledger beside the vault folder of `store`.
pub fn path(store: &Store) -> Option<PathBuf> {
    let vault_dir = store.path().parent()?;
    Some(vault_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join(FILE))
}

/// Tags case ids for this vault.
struct Tagger(Zeroizing<[u8; 32]>);

impl Tagger {
    fn of(store: &Store) -> Result<Tagger> {
        let secrets = crate::vault::keys::secrets(store)?;
        let mut h = Sha256::new();
        h.update(b"relais destruction ledger 1\0");
        h.update(secrets.sign.to_bytes());
        Ok(Tagger(Zeroizing::new(h.finalize().into())))
    }

    fn tag(&self, person_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("HMAC takes any key length");
        mac.update(person_id.to_ascii_lowercase().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The tags in the ledger at `path` (none if there is no ledger). Lines that are not a tag and
/// a day are skipped: they match no case.
fn read(path: &Path) -> Result<BTreeSet<String>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(e.into()),
    };
    let mut text = String::new();
    file.take(MAX_LEDGER).read_to_string(&mut text).map_err(|_| std::io::Error::other("ledger"))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(tag, day)| tag.len() == 64 && tag.bytes().all(|b| b.is_ascii_hexdigit()) && day.len() == 10)
        .map(|(tag, _)| tag.to_ascii_lowercase())
        .collect())
}

/// The cases this vault's audit trail says it destroyed (the `person.destroy` events keep the
/// case's id, and nothing else about it).
fn destroyed_here(store: &Store) -> Result<Vec<(String, String)>> {
    let mut st = store
        .conn()
        .prepare("SELECT record_id, substr(at, 1, 10) FROM audit_events WHERE action = 'person.destroy' AND record_id IS NOT NULL")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Writes the ledger's line for every destruction this vault's trail records and the ledger
/// does not hold yet, then clears the pending mark. Run after a destruction and, when one left
/// it pending, at unlock.
pub(crate) fn reconcile(store: &mut Store) -> Result<()> {
    let Some(path) = path(store) else { return Ok(()) };
    let tagger = Tagger::of(store)?;
    let known = read(&path)?;
    let missing: Vec<String> = destroyed_here(store)?
        .into_iter()
        .map(|(id, day)| (tagger.tag(&id), day))
        .filter(|(tag, _)| !known.contains(tag))
        .map(|(tag, day)| format!("{tag} {day}\n"))
        .collect();
    if !missing.is_empty() {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new().append(true).create(true).mode(0o600).open(&path)?;
        let mut text = String::new();
        if f.metadata()?.len() == 0 {
            text.push_str(HEADER);
            text.push('\n');
        }
        text.extend(missing);
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    store.pending_done(Pending::Ledger)
}

/// The cases of `store` (a restored copy) whose destruction the ledger beside it records and
/// the copy's own trail does not: destroyed after the backup was made.
pub(crate) fn destroyed_since(store: &Store) -> Result<Vec<String>> {
    let Some(path) = path(store) else { return Ok(Vec::new()) };
    let known = read(&path)?;
    if known.is_empty() {
        return Ok(Vec::new());
    }
    let tagger = Tagger::of(store)?;
    let here: BTreeSet<String> = destroyed_here(store)?.into_iter().map(|(id, _)| id).collect();
    let mut st = store.conn().prepare("SELECT id FROM persons ORDER BY id")?;
    let ids = st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids.into_iter().filter(|id| !here.contains(id) && known.contains(&tagger.tag(id))).collect())
}
