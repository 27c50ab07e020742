//! Backup and restore of a whole vault in one file.
//!
//! A backup is a POSIX tar archive (`tar tf` lists it) holding:
//! - `vault.db`: a consistent copy of the database made through SQLite's online backup API
//!   (never a raw copy of a file being written), still encrypted with the vault key;
//! - `vault.key.age` and, if the vault has one, `vault.recovery.age`: the wrapped keys, so the
//!   passphrase or the recovery identity opens the restored vault;
//! - `manifest.json`: the format version and the SHA-256 of each file;
//! - `audit-anchor.json` (from version 2): the vault's audit head when the backup was made,
//!   signed ([`crate::vault::audit::Anchor`]): `relais audit verify --against BACKUP` shows
//!   later whether the vault's log still passes through it. Its signature is its integrity.
//!
//! Nothing in it is in clear: the database pages are SQLCipher's, the keys are age files.
//! Restoring unpacks into a temporary directory beside the target, checks every hash, opens the
//! database with the passphrase and runs SQLite's and SQLCipher's integrity checks; only then is
//! the directory renamed into place. Any failure leaves nothing behind.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use rusqlite::OpenFlags;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::secret::{DbKey, Passphrase};
use crate::vault::store::Store;
use crate::vault::{DB_FILE, KEY_FILE, RECOVERY_FILE, Vault};

const MANIFEST: &str = "manifest.json";
const ANCHOR: &str = "audit-anchor.json";
const FORMAT: &str = "relais-backup";
/// 2: with the audit anchor. Version 1 backups (without it) still restore.
const VERSION: u32 = 2;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    created_at: String,
    /// File name → SHA-256 (hex).
    files: std::collections::BTreeMap<String, String>,
}

/// Removes a path when dropped, unless kept.
struct Cleanup(Option<PathBuf>);
impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        }
    }
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut h = Sha256::new();
    let mut r = BufReader::new(File::open(path)?);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Creates `path` (which must not exist) readable and writable by its owner only.
fn private_file(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    Ok(std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?)
}

fn sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{tag}-{}", uuid::Uuid::now_v7().simple()))
}

/// When the last backup was made (the `vault.backup` audit events), as stored (UTC RFC 3339).
pub fn last_backup(store: &Store) -> Result<Option<String>> {
    Ok(store.conn().query_row(
        "SELECT max(at) FROM audit_events INDEXED BY audit_events_backups WHERE action = 'vault.backup'",
        [],
        |r| r.get(0),
    )?)
}

/// Writes a backup of the open vault `store` (whose files are in `vault_dir`, opened with `key`)
/// to `out`, atomically: a failure (a full disk…) leaves no partial file. Recorded in the audit
/// trail (a copy of every case was made) once the file is in place.
pub fn backup(store: &mut Store, key: &DbKey, vault_dir: &Path, out: &Path) -> Result<()> {
    // 1. A consistent copy of the database, through the backup API, in one step (one read
    //    transaction: writers on other connections wait or go to the WAL, the copy is a snapshot).
    let db_copy = sibling(out, "db");
    let _db_guard = Cleanup(Some(db_copy.clone()));
    // Only the worker may read what a backup is made of, as the vault's own files (SQLite and
    // File::create would follow the umask: usually 0644).
    private_file(&db_copy)?;
    {
        let mut dst = crate::vault::store::connect(&db_copy, OpenFlags::default())?;
        dst.pragma_update(None, "cipher_log_level", "NONE")?;
        key.apply(&dst)?;
        let b = rusqlite::backup::Backup::new(store.conn(), &mut dst)?;
        loop {
            match b.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
    }
    // 2. The archive, next to its destination, then renamed into place.
    let mut files = vec![(DB_FILE, db_copy.clone()), (KEY_FILE, vault_dir.join(KEY_FILE))];
    if vault_dir.join(RECOVERY_FILE).is_file() {
        files.push((RECOVERY_FILE, vault_dir.join(RECOVERY_FILE)));
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        created_at: crate::time::to_db(chrono::Utc::now()),
        files: files.iter().map(|(n, p)| Ok((n.to_string(), sha256_file(p)?))).collect::<Result<_>>()?,
    };
    let tmp = sibling(out, "tmp");
    let mut tmp_guard = Cleanup(Some(tmp.clone()));
    {
        let mut tar = tar::Builder::new(private_file(&tmp)?);
        tar.mode(tar::HeaderMode::Deterministic);
        // Every entry readable by its owner only.
        let mut append = |name: &str, len: u64, data: &mut dyn Read| -> Result<()> {
            let mut header = tar::Header::new_ustar();
            header.set_size(len);
            header.set_mode(0o600);
            Ok(tar.append_data(&mut header, name, data)?)
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Io(std::io::Error::other(e)))?;
        append(MANIFEST, json.len() as u64, &mut json.as_slice())?;
        let anchor = crate::vault::audit::anchor(store)?.to_file();
        append(ANCHOR, anchor.len() as u64, &mut anchor.as_bytes())?;
        for (name, path) in &files {
            let mut f = File::open(path)?;
            append(name, f.metadata()?.len(), &mut f)?;
        }
        let f = tar.into_inner()?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, out)?;
    tmp_guard.0 = None;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    store.write(|w| w.audit_vault("vault.backup", vec![]))
}

/// The audit anchor in `file`: an anchor file (`relais audit anchor`), or a backup (version 2
/// and later hold one). Read without unpacking anything else, at most [`MAX_ANCHOR_FILE`]
/// bytes of it.
///
/// [`MAX_ANCHOR_FILE`]: crate::vault::audit::MAX_ANCHOR_FILE
pub fn anchor_of(file: &Path) -> Result<crate::vault::audit::Anchor> {
    use crate::vault::audit::{Anchor, MAX_ANCHOR_FILE};
    let mut first = [0u8; 1];
    let mut f = File::open(file)?;
    let n = f.read(&mut first)?;
    // At most MAX_ANCHOR_FILE bytes: anything longer is not an anchor.
    let bounded = |r: &mut dyn Read| -> Result<Anchor> {
        let mut bytes = Vec::new();
        r.take(MAX_ANCHOR_FILE + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_ANCHOR_FILE {
            return Err(Error::InvalidAnchor);
        }
        Anchor::parse(&bytes)
    };
    if n == 1 && first[0] == b'{' {
        return bounded(&mut File::open(file)?);
    }
    let mut archive = tar::Archive::new(BufReader::new(File::open(file)?));
    let entries = archive.entries().map_err(|_| Error::InvalidAnchor)?;
    for entry in entries {
        let mut entry = entry.map_err(|_| Error::InvalidAnchor)?;
        if entry.path().map_err(|_| Error::InvalidAnchor)?.to_str() == Some(ANCHOR) {
            // A backup that cannot be read to the end of its anchor holds no anchor.
            return bounded(&mut entry).map_err(|e| if matches!(e, Error::Io(_)) { Error::InvalidAnchor } else { e });
        }
    }
    Err(Error::InvalidAnchor)
}

/// How the restored vault is opened to check it.
pub enum Proof<'a> {
    /// The vault's passphrase.
    Passphrase(&'a Passphrase),
    /// The recovery identity (`AGE-SECRET-KEY-1…`), for a lost passphrase; the restored vault
    /// then gets `new` as its passphrase.
    Recovery {
        /// The identity.
        identity: &'a str,
        /// The new passphrase.
        new: &'a Passphrase,
    },
}

fn malformed(_what: &str) -> Error {
    Error::InvalidBackup
}

/// What a restore gave back.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// Persons in the restored vault.
    pub persons: i64,
    /// Cases the backup held that were destroyed after it was made, destroyed again in the
    /// restored vault ([`crate::vault::ledger`]).
    pub destroyed_again: usize,
}

/// Restores the backup `file` into the new vault directory `dir` (which must not hold a vault),
/// after checking it whole. The cases destroyed since the backup was made (the destruction
/// ledger beside `dir` says which) are destroyed again before the vault is put in place.
pub fn restore(file: &Path, dir: &Path, proof: Proof<'_>) -> Result<Restored> {
    if dir.join(DB_FILE).exists() || dir.join(KEY_FILE).exists() {
        return Err(Error::VaultExists(dir.to_owned()));
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let staging = sibling(dir, "restoring");
    let mut guard = Cleanup(Some(staging.clone()));
    std::fs::create_dir(&staging)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o700))?;
    }
    // Unpack only the names we know, each once, to files we name ourselves.
    let mut manifest: Option<Manifest> = None;
    let mut seen = std::collections::BTreeSet::new();
    let mut archive = tar::Archive::new(BufReader::new(File::open(file)?));
    let entries = archive.entries().map_err(|_| malformed("not a tar archive"))?;
    for entry in entries {
        let mut entry = entry.map_err(|_| Error::InvalidBackup)?;
        let name = entry.path().map_err(|_| malformed("bad name"))?.to_string_lossy().into_owned();
        if !seen.insert(name.clone()) {
            return Err(malformed("duplicate entry"));
        }
        match name.as_str() {
            MANIFEST => {
                let mut s = Vec::new();
                entry.by_ref().take(1 << 20).read_to_end(&mut s).map_err(|_| Error::InvalidBackup)?;
                manifest = Some(serde_json::from_slice(&s).map_err(|_| malformed("manifest"))?);
            }
            // Read elsewhere (audit verify --against); not part of the restored vault.
            ANCHOR => {}
            DB_FILE | KEY_FILE | RECOVERY_FILE => {
                let mut out = File::create(staging.join(&name))?;
                let n = std::io::copy(&mut entry, &mut out)
                    .map_err(|e| if e.kind() == std::io::ErrorKind::UnexpectedEof { Error::InvalidBackup } else { Error::from(e) })?;
                if n != entry.header().size().unwrap_or(u64::MAX) {
                    return Err(Error::InvalidBackup);
                }
                out.sync_all()?;
            }
            _ => return Err(malformed("unexpected entry")),
        }
    }
    let manifest = manifest.ok_or_else(|| malformed("no manifest"))?;
    if manifest.format != FORMAT {
        return Err(Error::InvalidBackup);
    }
    if !(1..=VERSION).contains(&manifest.version) {
        return Err(Error::InvalidBackup);
    }
    for name in [DB_FILE, KEY_FILE] {
        if !manifest.files.contains_key(name) {
            return Err(malformed("missing file"));
        }
    }
    for (name, hash) in &manifest.files {
        // Only the files a backup holds: a name such as « ../secret.txt » would have this hash
        // a file outside the staging folder, and the error after it say whether that file is
        // what the backup's maker guessed.
        if ![DB_FILE, KEY_FILE, RECOVERY_FILE].contains(&name.as_str()) {
            return Err(malformed("unexpected file"));
        }
        let path = staging.join(name);
        if !path.is_file() {
            return Err(Error::InvalidBackup);
        }
        if &sha256_file(&path)? != hash {
            return Err(Error::InvalidBackup);
        }
    }
    // Open it as the worker will, and check every page.
    let vault = Vault::open(&staging)?;
    let mut store = match proof {
        Proof::Passphrase(p) => vault.unlock(p)?,
        Proof::Recovery { identity, new } => {
            vault.recover(identity, new)?;
            vault.unlock(new)?
        }
    };
    let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    let cipher_bad = store.conn().prepare("PRAGMA cipher_integrity_check")?.query_map([], |r| r.get::<_, String>(0))?.count();
    if ok != "ok" || cipher_bad != 0 {
        return Err(Error::DamagedVault(file.to_owned()));
    }
    // A case destroyed after this backup was made stays destroyed: each in its own transaction,
    // as the worker's destruction, then one scrub. A failure leaves nothing in place.
    let again = crate::vault::ledger::destroyed_since(&store)?;
    for pid in &again {
        store.write(|w| crate::vault::erase::destroy_case(w, pid, "ledger").map(|_| ()))?;
    }
    if !again.is_empty() {
        crate::vault::erase::scrub(&mut store)?;
        store.pending_done(crate::vault::store::Pending::Ledger)?;
    }
    let persons: i64 = store.conn().query_row("SELECT count(*) FROM persons", [], |r| r.get(0))?;
    drop(store);
    drop(vault);
    // The target may exist as an empty directory (made by the user): replace it.
    if dir.is_dir() {
        std::fs::remove_dir(dir)?;
    }
    std::fs::rename(&staging, dir)?;
    guard.0 = None;
    Ok(Restored { persons, destroyed_again: again.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backup whose manifest names, besides its own files, `../secret.txt` with `guess` as
    /// its hash.
    fn probing(dir: &Path, guess: &str) -> PathBuf {
        let (db, key) = (b"pas une base".as_slice(), b"pas une cle".as_slice());
        let hash = |b: &[u8]| crate::vault::store::hex_lower(&Sha256::digest(b));
        let files = [(DB_FILE, hash(db)), (KEY_FILE, hash(key)), ("../secret.txt", guess.to_owned())];
        let manifest = Manifest {
            format: FORMAT.into(),
            version: VERSION,
            created_at: "2026-12-06T12:00:00Z".into(),
            files: files.into_iter().map(|(n, h)| (n.to_owned(), h)).collect(),
        };
        let path = dir.join(format!("{guess}.relais-backup"));
        let mut tar = tar::Builder::new(File::create(&path).unwrap());
        let json = serde_json::to_vec(&manifest).unwrap();
        for (name, data) in [(MANIFEST, json.as_slice()), (DB_FILE, db), (KEY_FILE, key)] {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o600);
            tar.append_data(&mut header, name, data).unwrap();
        }
        tar.finish().unwrap();
        path
    }

    #[test]
    fn a_backup_cannot_probe_a_file_outside_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"le mot de passe du wifi").unwrap();
        let right = crate::vault::store::hex_lower(&Sha256::digest(b"le mot de passe du wifi"));
        let wrong = "0".repeat(64);
        let pass = crate::secret::Passphrase::new("lampe riviere carton 7 violon");
        // The same refusal whether the guess is right or wrong, before anything is hashed.
        for guess in [right.as_str(), wrong.as_str()] {
            let e = restore(&probing(dir.path(), guess), &dir.path().join("cible"), Proof::Passphrase(&pass)).unwrap_err();
            assert!(matches!(e, Error::InvalidBackup), "{guess}: {e:?}");
        }
    }

    #[test]
    fn names_beside_the_target_are_hidden_and_unique() {
        let a = super::sibling(std::path::Path::new("/tmp/x/backup.relais-backup"), "tmp");
        let b = super::sibling(std::path::Path::new("/tmp/x/backup.relais-backup"), "tmp");
        assert_ne!(a, b);
        assert!(a.file_name().unwrap().to_string_lossy().starts_with(".backup.relais-backup.tmp-"));
        assert_eq!(a.parent(), Some(std::path::Path::new("/tmp/x")));
    }
}
