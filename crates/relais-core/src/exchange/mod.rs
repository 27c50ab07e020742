//! Hand-off bundles: one case or many, moved between vaults as a file only the intended
//! recipients can open, that proves who sent it, and that can be imported twice without
//! duplicating anything. Format: `schema/bundle.md` and `schema/bundle.schema.json`.
//!
//! The file is an age file (binary, or armored on request) encrypted to the recipients' X25519
//! keys. Its plaintext is a JSON document `{format, version, manifest, content, signature}`:
//! the manifest names the sender, the recipients, the cases, the counts and the SHA-256 of the
//! content; the Ed25519 signature covers the manifest (so the content too, through its hash),
//! recipients included, so a bundle re-encrypted to someone else is refused.
//!
//! Import = decrypt → parse → verify signature and content hash → check the sender against the
//! contact book → check this vault is a signed recipient → validate every record → plan (new,
//! updated, unchanged, conflicting) → apply in ONE transaction with its audit events. Any
//! failure before the commit changes nothing.
//!
//! The rooms of this module: [`format`] (manifest, content, signature, JSON Schema),
//! [`canonical`] (the hashed bytes), [`crypt`] (the age layer), [`export`], [`import`],
//! [`conflicts`], [`receipt`]; [`identity`], the vault's public face and the contact book; and
//! [`team`], the team folder a sync engine replicates; [`ledger`], the envelope of the needs
//! ledger an organisation sends the coalition's coordinator.

mod canonical;
mod conflicts;
mod crypt;
mod export;
mod format;
pub mod identity;
mod import;
pub mod ledger;
mod receipt;
mod stored_form;
pub mod team;

pub use canonical::*;
pub use conflicts::*;
pub use crypt::*;
pub use export::*;
pub use format::*;
pub use import::*;
pub use receipt::*;

use crate::record::Kind;

/// Kinds a bundle may carry, parents first.
pub fn bundle_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| k.in_bundles())
}

/// Progress of a long operation: (done, total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Runs `there` on another core while `here` runs on this one, and gives both results (a panic
/// on the other core goes on here).
pub(crate) fn beside<A: Send, B>(there: impl FnOnce() -> A + Send, here: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|s| {
        let other = s.spawn(there);
        let mine = here();
        (other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), mine)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::record::Fields;

    fn sha256_hex(s: &str) -> String {
        hex::encode(Sha256::digest(s.as_bytes()))
    }

    proptest::proptest! {
        /// An id's bits are the uuid crate's, for exactly the texts it reads as a hyphenated
        /// UUID with no upper case; any other text has none.
        #[test]
        fn an_ids_key_is_its_uuids_bits(
            s in "[0-9a-fA-F-]{36}|[0-9a-f-]{30,40}",
            u in proptest::prelude::any::<u128>(),
            at in 0usize..36,
            with in "[0-9a-fA-Fg{}:-]",
        ) {
            // Any text, and an id with one character changed.
            let written = uuid::Uuid::from_u128(u).hyphenated().to_string();
            let changed = format!("{}{with}{}", &written[..at], &written[at + 1..]);
            for s in [s, changed] {
                let expected = uuid::Uuid::parse_str(&s).ok().filter(|_| s.len() == 36 && !s.bytes().any(|b| b.is_ascii_uppercase())).map(|u| u.as_u128());
                proptest::prop_assert_eq!(import::lower_uuid_key(&s), expected, "{}", s);
            }
            proptest::prop_assert_eq!(import::lower_uuid_key(&written), Some(u));
        }
    }

    #[test]
    fn every_kind_is_read_through_the_cases_ids_and_documents_only_when_carried() {
        for k in bundle_kinds() {
            let s = export::scope(k, true).unwrap_or_else(|| panic!("{}: no scope", k.name()));
            assert!(s.contains("json_each(?1)"), "{}: {s}", k.name());
        }
        assert_eq!(export::scope(Kind::Document, false), None);
        // The directory entries: those that the records of the cases name, whatever their kind.
        let orgs = export::scope(Kind::Organisation, true).unwrap();
        for k in bundle_kinds().filter(|k| k.column("org_id").is_some()) {
            assert!(orgs.contains(&format!("SELECT org_id FROM {} WHERE", k.table())), "{} left out: {orgs}", k.name());
        }
    }

    /// An import checks the records kind by kind in `bundle_kinds`' order while it writes the
    /// kinds before (`import::check_records`): a reference it checks must name a kind already
    /// read, never one after.
    #[test]
    fn every_reference_a_bundle_carries_names_a_kind_before_its_own() {
        let place = |k: Kind| bundle_kinds().position(|b| b == k);
        for kind in bundle_kinds() {
            for col in kind.columns() {
                if let crate::record::Ty::Ref(target) = col.ty {
                    let (here, there) = (place(kind).unwrap(), place(target));
                    assert!(
                        there.is_some_and(|t| t < here),
                        "{}.{} names {}, which a bundle checks after it (or never)",
                        kind.name(),
                        col.name,
                        target.name()
                    );
                }
            }
        }
    }

    #[test]
    fn streamed_hashes_are_the_hashes_of_the_canonical_text() {
        let mut rec = Fields::new();
        rec.insert("title".into(), json!("Rendez-vous « IVAC »\n\"x\""));
        rec.insert("person_id".into(), json!("0190a0a0-0000-7000-8000-000000000001"));
        let cols: serde_json::Map<String, Value> =
            Kind::Task.columns().iter().map(|c| (c.name.to_owned(), rec.get(c.name).cloned().unwrap_or(Value::Null))).collect();
        assert_eq!(record_hash(Kind::Task, &rec), sha256_hex(&canonical(&Value::Object(cols))));
        let v = json!({"b": [1, "é"], "a": {"z": null, "y": true}});
        assert_eq!(canonical_sha256(&v), sha256_hex(&canonical(&v)));
    }
}
