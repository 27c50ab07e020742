//! The vault's own secret keys: an age X25519 identity (to receive bundles) and an Ed25519
//! signing key (to sign them), kept inside the encrypted database and read only here, as secret
//! types. Their public halves are the vault's identity ([`crate::exchange::identity`]).

use std::str::FromStr;

use age::secrecy::ExposeSecret;
use ed25519_dalek::{Signer, SigningKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::SecretText;
use crate::vault::store::{Meta, SecretMeta, Store};

/// The secret halves, loaded only when a bundle is made or opened.
pub(crate) struct Secrets {
    pub age: age::x25519::Identity,
    pub sign: SigningKey,
}

impl Secrets {
    /// Signs `msg`; the signature in hex.
    pub fn sign(&self, msg: &[u8]) -> String {
        hex::encode(self.sign.sign(msg).to_bytes())
    }
}

/// Creates the keys of a vault that has none (new vaults, and vaults from before schema 2).
/// Idempotent.
pub(crate) fn ensure(store: &mut Store) -> Result<()> {
    if store.secret_meta(SecretMeta::AgeIdentity)?.is_none() || store.secret_meta(SecretMeta::SigningSeed)?.is_none() {
        let age_id = age::x25519::Identity::generate();
        let mut seed = Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed[..]);
        store.write(|w| {
            w.set_secret_meta(SecretMeta::AgeIdentity, &SecretText::new(age_id.to_string().expose_secret().to_owned()))?;
            w.set_secret_meta(SecretMeta::SigningSeed, &SecretText::new(hex::encode(*seed)))?;
            w.audit_vault("identity.create", vec![])
        })?;
    }
    ensure_authorship(store)
}

/// Keeps the vault's fingerprint where the writer reads it, and gives the records from before
/// schema 4 this vault as their author and a first version vector (its own count, their
/// revision). Idempotent: only what is missing is filled.
fn ensure_authorship(store: &mut Store) -> Result<()> {
    let s = secrets(store)?;
    let me = crate::model::keys::fingerprint(&s.age.to_public().to_string(), &hex::encode(s.sign.verifying_key().to_bytes()));
    if store.meta(Meta::Fingerprint)?.as_deref() == Some(me.as_str()) {
        return Ok(());
    }
    store.write(|w| {
        w.set_meta(Meta::Fingerprint, &me)?;
        let mut filled = 0;
        for kind in crate::record::Kind::ALL {
            filled += w.conn().execute(
                &format!(
                    "UPDATE {} SET created_by = coalesce(created_by, ?1), updated_by = coalesce(updated_by, ?1),
                     versions = coalesce(versions, json_object(?1, revision))
                     WHERE created_by IS NULL OR updated_by IS NULL OR versions IS NULL",
                    kind.table()
                ),
                [&me],
            )?;
        }
        if filled > 0 {
            w.audit_vault("authorship.fill", vec![format!("records={filled}")])?;
        }
        Ok(())
    })
}

/// The vault's secret keys.
pub(crate) fn secrets(store: &Store) -> Result<Secrets> {
    let damaged = || Error::DamagedVault(store.path().to_owned());
    let age_s = store.secret_meta(SecretMeta::AgeIdentity)?.ok_or_else(damaged)?;
    let seed_s = store.secret_meta(SecretMeta::SigningSeed)?.ok_or_else(damaged)?;
    let age = age::x25519::Identity::from_str(age_s.expose()).map_err(|_| damaged())?;
    let seed = Zeroizing::new(hex::decode(seed_s.expose()).map_err(|_| damaged())?);
    let seed: [u8; 32] = seed.as_slice().try_into().map_err(|_| damaged())?;
    Ok(Secrets { age, sign: SigningKey::from_bytes(&seed) })
}
