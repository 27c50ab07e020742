//! The worker's identities and contact book.
//!
//! Each vault holds an age X25519 identity (to receive bundles) and an Ed25519 signing key (to
//! sign them), both inside the encrypted database. Their public halves, with a short fingerprint
//! two people can read to each other, are what a colleague adds to their contact book; a
//! contact is trusted once its fingerprint was compared in person (`verified_on`).

use age::secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Problem, Result};
pub use crate::model::keys::{fingerprint, parse_recipient, parse_signing_key};
use crate::vault::keys::secrets;
use crate::vault::store::{Meta, Store};

/// Format name of a contact card.
pub const CARD_FORMAT: &str = "relais.contact-card";

/// The public face of a vault (or a contact): what colleagues need to send to it and to check
/// what it signed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Identity {
    /// The worker's name.
    pub name: String,
    /// Their organisation.
    #[serde(default)]
    pub org: String,
    /// The age X25519 recipient (`age1…`).
    pub age_recipient: String,
    /// The Ed25519 public key, 64 hex digits.
    pub signing_key: String,
    /// `XXXX-XXXX-XXXX-XXXX-XXXX`: compare it out loud before trusting.
    pub fingerprint: String,
}

/// A contact card as exchanged between colleagues (`identity card` / `contact import-card`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Card {
    /// Always [`CARD_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The identity.
    #[serde(flatten)]
    pub identity: Identity,
}

/// This vault's public identity.
pub fn show(store: &Store) -> Result<Identity> {
    let s = secrets(store)?;
    let age_recipient = s.age.to_public().to_string();
    let signing_key = hex::encode(s.sign.verifying_key().to_bytes());
    Ok(Identity {
        name: store.meta(Meta::OwnerName)?.unwrap_or_default(),
        org: store.meta(Meta::OwnerOrg)?.unwrap_or_default(),
        fingerprint: fingerprint(&age_recipient, &signing_key),
        age_recipient,
        signing_key,
    })
}

/// The age identity in the standard `AGE-SECRET-KEY-1…` form, so that the `age` command can
/// decrypt a bundle addressed to this vault. Whoever holds it can read those bundles.
pub fn export_age(store: &Store) -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(secrets(store)?.age.to_string().expose_secret().to_owned()))
}

/// This vault's contact card.
pub fn card(store: &Store) -> Result<Card> {
    Ok(Card { format: CARD_FORMAT.into(), version: 1, identity: show(store)? })
}

/// Reads a contact card, checking that its fingerprint matches its keys.
pub fn parse_card(text: &str) -> Result<Identity> {
    let card: Card = serde_json::from_str(text.trim()).map_err(|_| Error::invalid("card", Problem::MalformedKey))?;
    if card.format != CARD_FORMAT || card.version != 1 {
        return Err(Error::invalid("card", Problem::MalformedKey));
    }
    parse_recipient(&card.identity.age_recipient)?;
    parse_signing_key(&card.identity.signing_key)?;
    if fingerprint(&card.identity.age_recipient, &card.identity.signing_key) != card.identity.fingerprint {
        return Err(Error::invalid("fingerprint", Problem::FingerprintMismatch));
    }
    Ok(card.identity)
}

/// Adds a contact from a checked identity (a card, or keys typed in). Returns its id. The
/// fingerprint is computed, never taken on trust; the contact is not verified yet.
pub fn add_contact(store: &mut Store, ident: &Identity) -> Result<String> {
    let mut f = crate::record::Fields::new();
    f.insert("name".into(), serde_json::json!(ident.name));
    if !ident.org.is_empty() {
        f.insert("org".into(), serde_json::json!(ident.org));
    }
    f.insert("age_recipient".into(), serde_json::json!(ident.age_recipient));
    f.insert("signing_key".into(), serde_json::json!(ident.signing_key.to_ascii_lowercase()));
    store.write(|w| w.insert(crate::Kind::Contact, f))
}

/// Marks a contact's fingerprint as checked in person, today. Returns the fields changed.
pub fn verify_contact(store: &mut Store, id: &str) -> Result<Vec<String>> {
    let mut f = crate::record::Fields::new();
    f.insert("verified_on".into(), serde_json::json!(crate::time::local_now().date_naive().to_string()));
    store.write(|w| w.update(crate::Kind::Contact, id, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_short_stable_and_key_bound() {
        let f = fingerprint("age1abc", "00ff");
        assert_eq!(f.len(), 24);
        assert_eq!(f, fingerprint(" age1abc ", "00FF"));
        assert_ne!(f, fingerprint("age1abd", "00ff"));
        assert_ne!(f, fingerprint("age1abc", "00fe"));
    }
}
