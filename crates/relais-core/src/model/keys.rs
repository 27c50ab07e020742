//! Public keys as a contact record holds them: the age X25519 recipient, the Ed25519 signing
//! key, and the fingerprint people read to each other before trusting a pair.

use std::str::FromStr;

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use crate::error::{Error, Problem, Result};

/// The fingerprint of a pair of public keys: the first 80 bits of SHA-256 over both, in five
/// groups of four hex digits (easy to read aloud, hard to collide on purpose for a pair).
pub fn fingerprint(age_recipient: &str, signing_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"relais-fingerprint-v1\n");
    h.update(age_recipient.trim().as_bytes());
    h.update(b"\n");
    h.update(signing_key.trim().to_ascii_lowercase().as_bytes());
    let hex = hex::encode_upper(&h.finalize()[..10]);
    hex.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).expect("ascii")).collect::<Vec<_>>().join("-")
}

/// Checks a recipient string: an age X25519 recipient.
pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient> {
    age::x25519::Recipient::from_str(s.trim()).map_err(|_| Error::invalid("age_recipient", Problem::MalformedKey))
}

/// Checks a signing key string: 64 hex digits of a valid Ed25519 point.
pub fn parse_signing_key(s: &str) -> Result<VerifyingKey> {
    let bad = || Error::invalid("signing_key", Problem::MalformedKey);
    let bytes: [u8; 32] = hex::decode(s.trim()).map_err(|_| bad())?.try_into().map_err(|_| bad())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}
