//! A vault on disk: one directory with `vault.db` (SQLCipher 4), `vault.key.age` (the database
//! key, age-encrypted to the worker's passphrase) and, when the organisation set one,
//! `vault.recovery.age` (the same key, age-encrypted to the organisation's recovery X25519
//! recipient). Two key files because age allows a passphrase stanza only alone in a header.
//!
//! Both key files are standard age files: `age -d -i recovery.txt vault.recovery.age` gives the
//! 32 raw key bytes, and any SQLCipher 4 reader opens `vault.db` with `PRAGMA key = "x'…'"`.
//! Changing the passphrase (or recovering the vault) also gives the database a new key
//! ([`rotate`]): no copy of an older key file, in a backup or elsewhere, opens it afterwards.

pub mod audit;
pub mod backup;
pub mod erase;
pub(crate) mod keys;
pub mod ledger;
pub mod rotate;
pub mod store;

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::{DbKey, Passphrase};
pub use rotate::Rekey;
use store::{Meta, Store};

/// File name of the database.
pub const DB_FILE: &str = "vault.db";
/// File name of the passphrase-wrapped key.
pub const KEY_FILE: &str = "vault.key.age";
/// File name of the recovery-wrapped key.
pub const RECOVERY_FILE: &str = "vault.recovery.age";

/// scrypt's work factor (log2 N) of the key files Relais writes: 2^18 (256 MiB, about a second
/// on the 2-core machine of BENCHMARKS.md). Fixed rather than age's choice (about a second on
/// the machine that sets the passphrase): a vault made on a fast machine, where age would pick
/// 2^21 or more, must still open on the slowest laptop of the organisation.
pub const SCRYPT_LOG_N: u8 = 18;

/// The most scrypt work accepted when unwrapping: 2^22, sixteen times what Relais writes (older
/// vaults, whose factor age chose, open up to there); above, [`Error::KeyTooCostly`] at once,
/// before any work (a file asking for 2^30 would take 1 TiB).
pub const MAX_SCRYPT_LOG_N: u8 = 22;

/// Who the vault belongs to.
#[derive(Debug, Clone, Default)]
pub struct Owner {
    /// The worker's name (the actor of audit events).
    pub name: String,
    /// Their organisation.
    pub org: String,
}

/// A vault directory (locked until [`Vault::unlock`]).
#[derive(Debug, Clone)]
pub struct Vault {
    dir: PathBuf,
}

impl Vault {
    /// The vault at `dir`, which must exist.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Vault> {
        let dir = dir.into();
        if !dir.join(KEY_FILE).is_file() || !dir.join(DB_FILE).is_file() {
            return Err(Error::VaultNotFound(dir));
        }
        Ok(Vault { dir })
    }

    /// Creates a vault in `dir` (created if missing, must not hold a vault): a fresh random
    /// key, wrapped to `passphrase` and, if given, to the organisation's recovery recipient.
    pub fn create(dir: impl Into<PathBuf>, passphrase: &Passphrase, owner: &Owner, recovery: Option<&str>) -> Result<(Vault, Store)> {
        let dir = dir.into();
        passphrase.check_strength(&[&owner.name, &owner.org, "relais"])?;
        let recipient = recovery.map(parse_recipient).transpose()?;
        if dir.join(KEY_FILE).exists() || dir.join(DB_FILE).exists() {
            return Err(Error::VaultExists(dir));
        }
        create_private_dir(&dir)?;
        let key = DbKey::generate();
        let mut store = Store::open(&dir.join(DB_FILE), &key, true)?;
        let now = crate::time::to_db(chrono::Utc::now());
        store.set_meta(Meta::VaultId, &uuid::Uuid::now_v7().to_string())?;
        store.set_meta(Meta::OwnerName, &owner.name)?;
        store.set_meta(Meta::OwnerOrg, &owner.org)?;
        store.set_meta(Meta::CreatedAt, &now)?;
        if let Some(r) = recovery {
            store.set_meta(Meta::RecoveryRecipient, r.trim())?;
        }
        store.write(|w| w.audit_vault("vault.init", vec![]))?;
        keys::ensure(&mut store)?;
        if let Some(r) = recipient {
            write_atomic(&dir.join(RECOVERY_FILE), &wrap_to_recipient(&key, &r)?)?;
        }
        // The passphrase key file is written last: a vault "exists" once it is there.
        write_atomic(&dir.join(KEY_FILE), &wrap_to_passphrase(&key, passphrase)?)?;
        Ok((Vault { dir }, store))
    }

    /// The vault's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Unwraps the key with `passphrase` and opens the database (see [`Vault::unlock_with_key`]).
    pub fn unlock(&self, passphrase: &Passphrase) -> Result<Store> {
        let key = self.unwrap_key(passphrase)?;
        self.unlock_with_key(&key)
    }

    /// Opens the database with an already unwrapped key, then does what every unlock does
    /// ([`erase::housekeeping`]: the trash's expired entries purged, an unfinished scrub
    /// finished). Housekeeping that fails (a full disk, a busy database) does not keep the worker
    /// out: the next unlock tries again, and nothing of it was half done.
    pub fn unlock_with_key(&self, key: &DbKey) -> Result<Store> {
        let mut store = Store::open(&self.dir.join(DB_FILE), key, false)?;
        if erase::housekeeping(&mut store, chrono::Utc::now()).is_err() {
            // Tried again at the next unlock; each step is its own transaction.
        }
        Ok(store)
    }

    /// Unwraps the database key (for an outside SQLCipher reader, or a backup). Treat the
    /// result like the vault itself. A key rotation a crash interrupted is put right first
    /// ([`rotate::settle`]).
    pub fn unwrap_key(&self, passphrase: &Passphrase) -> Result<DbKey> {
        rotate::settle(&self.dir, &|p| unwrap_with_passphrase(p, passphrase), KEY_FILE, rotate::KEY_NEXT)?;
        unwrap_with_passphrase(&self.dir.join(KEY_FILE), passphrase)
    }

    /// Replaces the passphrase and gives the database a new key ([`rotate`]): the old
    /// passphrase must open the key file, and `store` (this vault, open) is reopened under the
    /// new key. Afterwards neither the old passphrase nor any older copy of a key file opens the
    /// vault.
    pub fn change_passphrase(&self, store: &mut Store, old: &Passphrase, new: &Passphrase) -> Result<Rekey> {
        let key = self.unwrap_key(old)?;
        new.check_strength(&[store.actor(), "relais"])?;
        match rotate::rotate(self, store, &key, new, "vault.passwd")? {
            Rekey::Done => Ok(Rekey::Done),
            Rekey::RecoveryUnknown => {
                write_atomic(&self.dir.join(KEY_FILE), &wrap_to_passphrase(&key, new)?)?;
                store.write(|w| w.audit_vault("vault.passwd", vec![]))?;
                Ok(Rekey::RecoveryUnknown)
            }
        }
    }

    /// Gives the database a new key, with the same passphrase (`relais rotate-key`): for a
    /// worker who fears a copy of a key file (an old backup, a lost laptop's disk) together
    /// with an old passphrase.
    pub fn rotate_key(&self, store: &mut Store, passphrase: &Passphrase) -> Result<()> {
        let key = self.unwrap_key(passphrase)?;
        match rotate::rotate(self, store, &key, passphrase, "vault.rotate")? {
            Rekey::Done => Ok(()),
            Rekey::RecoveryUnknown => Err(Error::RecoveryRecipientUnknown),
        }
    }

    /// Whether the organisation's recovery key is set for this vault.
    pub fn has_recovery(&self) -> bool {
        self.dir.join(RECOVERY_FILE).is_file()
    }

    /// Sets (or replaces) the organisation's recovery key: the vault key wrapped to `recipient`
    /// (`age1…`), so that the organisation's identity can set a new passphrase later. The
    /// passphrase proves the right to do it.
    pub fn set_recovery(&self, passphrase: &Passphrase, recipient: &str) -> Result<()> {
        let r = parse_recipient(recipient)?;
        let key = self.unwrap_key(passphrase)?;
        let mut store = Store::open(&self.dir.join(DB_FILE), &key, false)?;
        write_atomic(&self.dir.join(RECOVERY_FILE), &wrap_to_recipient(&key, &r)?)?;
        store.set_meta(Meta::RecoveryRecipient, &r.to_string())?;
        store.write(|w| w.audit_vault("vault.recovery", vec![]))
    }

    /// Sets a new passphrase with the organisation's recovery identity (`AGE-SECRET-KEY-1…`),
    /// when the worker forgot theirs or left, and gives the database a new key: the passphrase
    /// the departed worker knew, with any copy of the old key file, no longer opens it.
    pub fn recover(&self, identity: &str, new: &Passphrase) -> Result<Rekey> {
        let path = self.dir.join(RECOVERY_FILE);
        if !path.is_file() {
            return Err(Error::NoRecoveryKey);
        }
        let identities = parse_identities(identity)?;
        let unwrap = |p: &Path| unwrap_with_identities(p, &identities);
        rotate::settle(&self.dir, &unwrap, RECOVERY_FILE, rotate::RECOVERY_NEXT)?;
        let key = unwrap(&path)?;
        let mut store = Store::open(&self.dir.join(DB_FILE), &key, false)?;
        new.check_strength(&[store.actor(), "relais"])?;
        match rotate::rotate(self, &mut store, &key, new, "vault.recover")? {
            Rekey::Done => Ok(Rekey::Done),
            Rekey::RecoveryUnknown => {
                write_atomic(&self.dir.join(KEY_FILE), &wrap_to_passphrase(&key, new)?)?;
                store.write(|w| w.audit_vault("vault.recover", vec![]))?;
                Ok(Rekey::RecoveryUnknown)
            }
        }
    }
}

fn unwrap_with_passphrase(path: &Path, passphrase: &Passphrase) -> Result<DbKey> {
    let bytes = fs::read(path)?;
    let dec = age::Decryptor::new_buffered(&bytes[..]).map_err(|_| Error::DamagedKeyFile(path.to_owned()))?;
    if !dec.is_scrypt() {
        return Err(Error::DamagedKeyFile(path.to_owned()));
    }
    let mut id = age::scrypt::Identity::new(passphrase.to_age());
    id.set_max_work_factor(MAX_SCRYPT_LOG_N);
    let mut reader = match dec.decrypt(std::iter::once(&id as &dyn age::Identity)) {
        Ok(r) => r,
        Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys | age::DecryptError::KeyDecryptionFailed) => {
            return Err(Error::WrongPassphrase);
        }
        Err(age::DecryptError::ExcessiveWork { required, .. }) => return Err(Error::KeyTooCostly { log_n: required }),
        Err(_) => return Err(Error::DamagedKeyFile(path.to_owned())),
    };
    read_key(&mut reader, path)
}

fn unwrap_with_identities(path: &Path, identities: &[age::x25519::Identity]) -> Result<DbKey> {
    let bytes = fs::read(path)?;
    let dec = age::Decryptor::new_buffered(&bytes[..]).map_err(|_| Error::DamagedKeyFile(path.to_owned()))?;
    let mut reader = dec.decrypt(identities.iter().map(|i| i as &dyn age::Identity)).map_err(|_| Error::WrongRecoveryIdentity)?;
    read_key(&mut reader, path)
}

fn read_key(reader: &mut impl Read, path: &Path) -> Result<DbKey> {
    let mut buf = Zeroizing::new(Vec::with_capacity(33));
    reader.take(33).read_to_end(&mut buf).map_err(|_| Error::DamagedKeyFile(path.to_owned()))?;
    DbKey::from_bytes(&buf).ok_or_else(|| Error::DamagedKeyFile(path.to_owned()))
}

pub(crate) fn parse_recipient(s: &str) -> Result<age::x25519::Recipient> {
    age::x25519::Recipient::from_str(s.trim()).map_err(|_| Error::InvalidRecipient)
}

fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>> {
    let ids: Vec<_> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(age::x25519::Identity::from_str)
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::WrongRecoveryIdentity)?;
    if ids.is_empty() {
        return Err(Error::WrongRecoveryIdentity);
    }
    Ok(ids)
}

pub(crate) fn wrap_to_passphrase(key: &DbKey, passphrase: &Passphrase) -> Result<Vec<u8>> {
    let mut recipient = age::scrypt::Recipient::new(passphrase.to_age());
    recipient.set_work_factor(test_work_factor().unwrap_or(SCRYPT_LOG_N));
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))?;
    finish_wrap(enc, key)
}

/// Tests make hundreds of vaults: with `test-support`, [`set_test_work_factor`] (in the test
/// process) or `RELAIS_TEST_KDF_LOG_N` (for a `relais` it starts) sets scrypt's work factor of
/// the key files written, 1 to 20, instead of age's one second. A key file says its own cost,
/// so every later unlock of such a vault is as fast. Never in a release build: the `.deb` is
/// built without `test-support`.
#[cfg(feature = "test-support")]
fn test_work_factor() -> Option<u8> {
    let set = TEST_LOG_N.load(std::sync::atomic::Ordering::Relaxed);
    let n = if set != 0 { set } else { std::env::var(TEST_KDF_ENV).ok()?.parse().ok()? };
    (1..=20).contains(&n).then_some(n)
}

#[cfg(feature = "test-support")]
static TEST_LOG_N: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets scrypt's work factor (log2 N) of the key files this process writes from now on
/// (`test-support` only; see [`TEST_KDF_ENV`]).
#[cfg(feature = "test-support")]
pub fn set_test_work_factor(log_n: u8) {
    TEST_LOG_N.store(log_n, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(not(feature = "test-support"))]
fn test_work_factor() -> Option<u8> {
    None
}

/// The variable [`test_work_factor`] reads (only with `test-support`).
pub const TEST_KDF_ENV: &str = "RELAIS_TEST_KDF_LOG_N";

pub(crate) fn wrap_to_recipient(key: &DbKey, r: &age::x25519::Recipient) -> Result<Vec<u8>> {
    let enc = age::Encryptor::with_recipients(std::iter::once(r as &dyn age::Recipient))?;
    finish_wrap(enc, key)
}

fn finish_wrap(enc: age::Encryptor, key: &DbKey) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out)?;
    w.write_all(key.expose())?;
    w.finish()?;
    Ok(out)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if !dir.exists() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    Ok(())
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one, never a
/// mix: a temporary file in the same directory (mode 0600, removed if anything fails), fsync,
/// rename over, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_through_temp(path, bytes, ".relais-", true)
}

/// Writes a new file the same way, through a temporary file named `prefix…tmp` (one a sync
/// engine skips, for the team folder), never replacing a file already there.
pub fn write_new(path: &Path, bytes: &[u8], prefix: &str) -> Result<()> {
    write_through_temp(path, bytes, prefix, false)
}

fn write_through_temp(path: &Path, bytes: &[u8], prefix: &str, replace: bool) -> Result<()> {
    // A bare file name has an empty parent: that is the current directory.
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(prefix).suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if replace { tmp.persist(path) } else { tmp.persist_noclobber(path) }.map_err(|e| e.error)?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// For tests and `recover`: the recovery recipient of an identity string.
pub fn recipient_of_identity(identity: &str) -> Result<String> {
    let ids = parse_identities(identity)?;
    Ok(ids[0].to_public().to_string())
}

/// Generates an organisation recovery identity: `(AGE-SECRET-KEY-1…, age1…)`.
pub fn generate_recovery_identity() -> (Zeroizing<String>, String) {
    let id = age::x25519::Identity::generate();
    (Zeroizing::new(id.to_string().expose_secret().to_owned()), id.to_public().to_string())
}
