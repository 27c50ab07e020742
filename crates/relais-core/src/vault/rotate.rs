//! Key rotation: the database re-encrypted under a fresh key, and both key files rewrapped.
//!
//! A passphrase change alone rewrites only `vault.key.age`; every older copy of that file (each
//! backup holds one) with the older passphrase would still open today's `vault.db`, and so would
//! an older recovery file. Rotation gives the database a new key, so that no key file written
//! before it opens the database written after it.
//!
//! It is built from files that each change atomically, with one commit point:
//! 1. `vault.key.next.age` (and `vault.recovery.next.age` when the vault has a recovery key):
//!    the new key, wrapped;
//! 2. `vault.db.next`: the whole database exported under the new key (`sqlcipher_export`, which
//!    SQLCipher recommends over `PRAGMA rekey` for this: the old file stays whole until the
//!    end, and the copy holds no free page with words of destroyed records), with the audit
//!    events of the rotation in it;
//! 3. the commit: `vault.db.next` renamed over `vault.db`;
//! 4. the next key files renamed over the current ones.
//!
//! A crash anywhere leaves a vault that [`settle`] puts right at the next unlock: while
//! `vault.db.next` exists the commit has not happened and the next files go; once it is gone,
//! whichever key file's key opens `vault.db` is the current one. The old passphrase opens a
//! rotation interrupted before its commit, the new one a rotation interrupted after.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::OpenFlags;

use crate::error::{Error, Result};
use crate::secret::{DbKey, Passphrase};
use crate::vault::store::{Meta, Store};
use crate::vault::{DB_FILE, KEY_FILE, RECOVERY_FILE, Vault, parse_recipient, wrap_to_passphrase, wrap_to_recipient, write_atomic};

/// The database under its new key, until the commit.
pub const DB_NEXT: &str = "vault.db.next";
/// The new key wrapped to the passphrase, until the rotation is done.
pub const KEY_NEXT: &str = "vault.key.next.age";
/// The new key wrapped to the organisation's recovery key, until the rotation is done.
pub const RECOVERY_NEXT: &str = "vault.recovery.next.age";

/// Whether a change of passphrase (or a recovery) also gave the database a new key.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rekey {
    /// The database has a new key: no older key file opens it.
    Done,
    /// Only the key file changed: the vault has a recovery key file but its public key was
    /// never recorded (vaults from before rotation), so the new key could not be wrapped to it.
    /// Setting the recovery key again makes the next change rotate.
    RecoveryUnknown,
}

/// Test hook: the step after which a rotation stops as if the process were killed there
/// (`RELAIS_TEST_ROTATE_STOP=1..4`, with `test-support` only; the crash test also kills at
/// random moments without it).
#[cfg(feature = "test-support")]
fn stop_after(step: u8) -> Result<()> {
    if std::env::var("RELAIS_TEST_ROTATE_STOP").ok().and_then(|s| s.parse::<u8>().ok()) == Some(step) {
        std::process::exit(86);
    }
    Ok(())
}

#[cfg(not(feature = "test-support"))]
fn stop_after(_step: u8) -> Result<()> {
    Ok(())
}

/// Re-encrypts the vault of `store` (whose key is `old`) under a fresh key wrapped to
/// `passphrase` (and to the recorded recovery recipient), and reopens `store` on it. `action`
/// is audited with the rotation, in the new file. On an error
/// before the commit, nothing has changed and `store` is as it was.
pub(crate) fn rotate(vault: &Vault, store: &mut Store, old: &DbKey, passphrase: &Passphrase, action: &str) -> Result<Rekey> {
    let dir = vault.dir();
    let recovery = if dir.join(RECOVERY_FILE).is_file() {
        match store.meta(Meta::RecoveryRecipient)? {
            Some(r) => Some(parse_recipient(&r)?),
            None => return Ok(Rekey::RecoveryUnknown),
        }
    } else {
        None
    };
    discard(dir)?;
    let new = DbKey::generate();
    let prepared = prepare(dir, store, &new, passphrase, recovery.as_ref(), action);
    if let Err(e) = prepared {
        let _ = unlock_exclusive(store);
        discard(dir)?;
        return Err(e);
    }
    stop_after(2)?;
    // From here the old connection goes: the last one to close checkpoints the WAL into the
    // old file and removes it, so that no frame under the old key is left beside the new file.
    store.close_for_rotation()?;
    let db = dir.join(DB_FILE);
    let wal = sibling(&db, "-wal");
    if fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        // Not checkpointed: someone else still had the file open after all. Its frames are
        // committed data: keep them, and the old key.
        store.reopen(old)?;
        discard(dir)?;
        return Err(Error::VaultBusy);
    }
    for leftover in [wal, sibling(&db, "-shm")] {
        if leftover.exists() {
            fs::remove_file(&leftover)?;
        }
    }
    fs::rename(dir.join(DB_NEXT), &db)?;
    sync_dir(dir)?;
    stop_after(3)?;
    promote(dir)?;
    store.reopen(&new).or_else(|_| store.reopen(old))?;
    Ok(Rekey::Done)
}

/// Steps 1 and 2: the next key files and the database under the new key, fsynced.
fn prepare(
    dir: &Path,
    store: &mut Store,
    new: &DbKey,
    passphrase: &Passphrase,
    recovery: Option<&age::x25519::Recipient>,
    action: &str,
) -> Result<()> {
    write_atomic(&dir.join(KEY_NEXT), &wrap_to_passphrase(new, passphrase)?)?;
    if let Some(r) = recovery {
        write_atomic(&dir.join(RECOVERY_NEXT), &wrap_to_recipient(new, r)?)?;
    }
    stop_after(1)?;
    // Nobody else may write while the copy is made: another process that has the vault open
    // (the app while the CLI rotates) would write into a file about to be replaced.
    let conn = store.conn();
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;").map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => Error::VaultBusy,
        _ => e.into(),
    })?;
    let next = dir.join(DB_NEXT);
    // Created here, empty and private: an attached database opens with the connection's flags,
    // which do not allow creating files (and SQLite would follow the umask).
    {
        use std::os::unix::fs::OpenOptionsExt;
        fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&next)?;
    }
    let key = new.pragma_value();
    conn.execute("ATTACH DATABASE ?1 AS rekeyed KEY ?2", rusqlite::params![next.to_string_lossy(), key.as_str()])?;
    drop(key);
    let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
    let exported = conn
        .query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))
        .and_then(|_| conn.pragma_update(Some("rekeyed"), "user_version", version));
    conn.execute_batch("DETACH DATABASE rekeyed")?;
    exported?;
    // The rotation's audit event is written into the new file, so that it exists exactly when
    // the rotation does.
    let mut next_store = Store::open(&next, new, false)?;
    next_store.write(|w| {
        if action != "vault.rotate" {
            w.audit_vault(action, vec![])?;
        }
        w.audit_vault("vault.rotate", vec![])
    })?;
    next_store.conn().pragma_update(None, "journal_mode", "DELETE")?;
    drop(next_store);
    fs::File::open(&next)?.sync_all()?;
    sync_dir(dir)
}

/// Gives the old connection its normal locking back (after a rotation that failed).
fn unlock_exclusive(store: &Store) -> Result<()> {
    store.conn().pragma_update(None, "locking_mode", "NORMAL")?;
    store.conn().query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    Ok(())
}

/// Step 4, also after a crash: whichever next key files exist replace the current ones.
fn promote(dir: &Path) -> Result<()> {
    if dir.join(RECOVERY_NEXT).exists() {
        fs::rename(dir.join(RECOVERY_NEXT), dir.join(RECOVERY_FILE))?;
        stop_after(4)?;
    }
    if dir.join(KEY_NEXT).exists() {
        fs::rename(dir.join(KEY_NEXT), dir.join(KEY_FILE))?;
    }
    sync_dir(dir)
}

/// Removes what a rotation that did not commit left.
fn discard(dir: &Path) -> Result<()> {
    let next = dir.join(DB_NEXT);
    let files =
        [sibling(&next, "-journal"), sibling(&next, "-wal"), sibling(&next, "-shm"), next, dir.join(KEY_NEXT), dir.join(RECOVERY_NEXT)];
    for p in files {
        if p.exists() {
            fs::remove_file(&p)?;
        }
    }
    sync_dir(dir)
}

/// Whether a rotation was left unfinished in `dir`.
pub fn pending(dir: &Path) -> bool {
    [DB_NEXT, KEY_NEXT, RECOVERY_NEXT].iter().any(|f| dir.join(f).exists())
}

/// Puts right a rotation a crash interrupted, with what the worker typed: `unwrap` opens a key
/// file (with the passphrase, or the recovery identity). Before the commit the next files go;
/// after it, they replace the current ones. When neither key file the worker can open fits the
/// database (the old passphrase after the commit), nothing changes and the error says to use
/// the other passphrase.
pub(crate) fn settle(dir: &Path, unwrap: &dyn Fn(&Path) -> Result<DbKey>, current: &str, next: &str) -> Result<()> {
    if !pending(dir) {
        return Ok(());
    }
    if dir.join(DB_NEXT).exists() || !(dir.join(KEY_NEXT).exists() || dir.join(RECOVERY_NEXT).exists()) {
        return discard(dir);
    }
    let db = dir.join(DB_FILE);
    if dir.join(next).exists() {
        match unwrap(&dir.join(next)) {
            Ok(k) if opens(&db, &k) => return promote(dir),
            Ok(_) => return discard(dir),
            Err(Error::WrongPassphrase | Error::WrongRecoveryIdentity) => {}
            Err(e) => return Err(e),
        }
    }
    match unwrap(&dir.join(current)) {
        Ok(k) if opens(&db, &k) => discard(dir),
        Ok(_) => Err(Error::RotationUnfinished),
        Err(e) => Err(e),
    }
}

/// Whether `key` opens the database at `path` (read only, nothing written).
fn opens(path: &Path, key: &DbKey) -> bool {
    let Ok(conn) = crate::vault::store::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX) else {
        return false;
    };
    conn.pragma_update(None, "cipher_log_level", "NONE").is_ok()
        && key.apply(&conn).is_ok()
        && conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_ok()
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}
