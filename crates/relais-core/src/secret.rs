//! Secrets are types: they zeroize on drop, print as `***`, and derive neither `Clone` nor
//! `Serialize`, so that a key cannot end up in a log line or a JSON file by accident.

use std::fmt;

use age::secrecy::{ExposeSecret, SecretString};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result};

/// The 256-bit key of a vault's SQLCipher database.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct DbKey([u8; 32]);

impl DbKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        DbKey(k)
    }

    /// Reads a key from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(DbKey(arr))
    }

    /// The raw bytes, for wrapping with age.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// The `PRAGMA key` value SQLCipher takes for a raw key: `x'…'` (64 hex digits), so that
    /// SQLCipher skips its own PBKDF2 (age's scrypt already stretched the passphrase).
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        let mut hex = Zeroizing::new([0u8; 64]);
        hex::encode_to_slice(self.0, &mut hex[..]).expect("64 digits for 32 bytes");
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        s.push_str(std::str::from_utf8(&hex[..]).expect("hex digits are ASCII"));
        s.push('\'');
        s
    }

    /// Gives the key to SQLCipher on `conn`. The statement is built in a buffer wiped after use
    /// (rusqlite's `pragma_update` builds its own SQL text, freed but never wiped).
    pub(crate) fn apply(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        let value = self.pragma_value();
        let mut sql = Zeroizing::new(String::with_capacity(80));
        sql.push_str("PRAGMA key = \"");
        sql.push_str(&value);
        sql.push_str("\";");
        conn.execute_batch(&sql)
    }

    /// The key as 64 hex digits, for an outside SQLCipher reader (interop tests, recovery by
    /// hand). Treat the result like the key itself.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0))
    }
}

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey(***)")
    }
}

/// A secret held as text (the vault's age identity, its signing seed in hex): wiped on drop,
/// printed as `***`, neither `Clone` nor `Serialize`.
pub struct SecretText(Zeroizing<String>);

impl SecretText {
    pub(crate) fn new(s: String) -> Self {
        SecretText(Zeroizing::new(s))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(***)")
    }
}

/// A passphrase typed by a person.
pub struct Passphrase(SecretString);

impl Passphrase {
    /// Wraps a passphrase (trailing newline from a file or prompt removed).
    pub fn new(s: impl Into<String>) -> Self {
        let mut s: String = s.into();
        while s.ends_with('\n') || s.ends_with('\r') {
            s.pop();
        }
        Passphrase(SecretString::from(s))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub(crate) fn to_age(&self) -> SecretString {
        SecretString::from(self.0.expose_secret().to_owned())
    }

    /// Refuses a passphrase that is too easy to guess: fewer than 12 characters, or a
    /// zxcvbn score below 3 ("safely unguessable: moderate protection from offline attacks"),
    /// which matters here because a stolen laptop gives the attacker the key file to attack
    /// offline.
    pub fn check_strength(&self, context: &[&str]) -> Result<()> {
        let p = self.expose();
        if p.chars().count() < 12 {
            return Err(Error::WeakPassphrase);
        }
        let entropy = zxcvbn::zxcvbn(p, context);
        if (entropy.score() as u8) < 3 {
            return Err(Error::WeakPassphrase);
        }
        Ok(())
    }
}

impl PartialEq for Passphrase {
    /// Whether two entries are the same (a new passphrase and its confirmation).
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

/// From the app's page: the text goes straight into a `Passphrase` (wiped when dropped), never
/// into an argument struct that can be cloned or printed.
impl<'de> serde::Deserialize<'de> for Passphrase {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(Passphrase::new)
    }
}

/// Makes this process one that cannot be dumped (no core file, no ptrace attach or
/// `/proc/PID/mem` read by another process of the same user): a vault's key and a case's words
/// are in its memory while a vault is open. Called first thing by the CLI and the app.
pub fn harden_process() {
    // Best effort: a kernel that refuses leaves the process as it was, and Relais still works.
    if rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable).is_err() {
        eprintln!("relais: PR_SET_DUMPABLE refused");
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let k = DbKey::generate();
        assert_eq!(format!("{k:?}"), "DbKey(***)");
        let p = Passphrase::new("lampe rivière carton violon");
        assert_eq!(format!("{p:?}"), "Passphrase(***)");
    }

    #[test]
    fn weak_passphrases_are_refused() {
        for weak in ["short", "password1234", "aaaaaaaaaaaaaaaa", "123456789012"] {
            assert!(matches!(Passphrase::new(weak).check_strength(&[]), Err(Error::WeakPassphrase)), "{weak} should be refused");
        }
        Passphrase::new("lampe rivière carton 7 violon").check_strength(&[]).unwrap();
    }

    #[test]
    fn pragma_value_is_raw_key_syntax() {
        let k = DbKey::from_bytes(&[0xab; 32]).unwrap();
        let v = k.pragma_value();
        assert!(v.starts_with("x'abab") && v.ends_with("ab'") && v.len() == 67);
    }
}
