//! The coalition's needs ledger: an organisation sends its period's true counts (a [`Ledger`],
//! unsuppressed) to the coalition's coordinator, encrypted to her and signed
//! ([`crate::exchange::ledger`] seals it); the coordinator's Relais opens the ledgers of the
//! member organisations, adds them up and only then suppresses ([`super::publish`]): counts under
//! 11 in each organisation become publishable in the sum, and nothing under 11 of the sum is
//! ever published.
//!
//! What a signed but hostile member can do, and what stops it: a ledger of another shape, with
//! text where a count goes, or counts out of bounds is refused whole ([`Ledger::check`]); two
//! ledgers from one sender would count it twice (refused), and the ledgers of one organisation
//! (two vaults, as the contact book names their organisation) are one member; a ledger of another period is
//! refused; a merge of fewer than [`MIN_ORGANISATIONS`] is refused, since a member could subtract
//! its own counts from a published sum of two and read the other's. A member can still send
//! false numbers: the merge says whose ledgers it adds up (DESIGN.md, « The coalition's needs
//! ledger »).

use chrono::NaiveDate;

use super::{Ledger, count};
use rusqlite::OptionalExtension;

use crate::error::{Error, Result};
use crate::exchange::{self, Manifest};
use crate::vault::store::Store;

/// The fewest organisations a published merge adds up.
pub const MIN_ORGANISATIONS: u32 = 3;

/// This vault's ledger of `from..=to` (`to` after today: today, as the report) as a bundle for
/// the contact `to_contact` (verified): the file's bytes, its manifest and the period's last day.
/// Nothing is recorded until [`commit_export`].
pub fn export(store: &Store, to_contact: &str, from: NaiveDate, to: NaiveDate) -> Result<(Vec<u8>, Manifest, NaiveDate)> {
    let to = to.min(crate::time::local_now().date_naive());
    if from > to {
        return Err(Error::invalid("from", crate::error::Problem::EndBeforeStart));
    }
    let ledger = count::ledger(store, Some(from), to)?;
    ledger.check()?;
    let (bytes, manifest) = exchange::ledger::seal(store, to_contact, serde_json::to_value(&ledger).expect("a ledger serializes"))?;
    Ok((bytes, manifest, to))
}

/// Records, after the file is written, that this vault's counts left it: to whom and for which
/// period.
pub fn commit_export(store: &mut Store, manifest: &Manifest, from: NaiveDate, to: NaiveDate) -> Result<()> {
    exchange::ledger::commit_sent(store, manifest, vec![format!("from={from}"), format!("until={to}")])
}

/// An organisation's name as a merge compares it: lower case, without accents, spaces and
/// punctuation (« Maison L'Escale » and « MAISON L ESCALE » are one).
fn organisation_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfkd().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// One member's ledger, opened and checked.
#[derive(Debug, Clone)]
pub struct Received {
    /// The sender's name in this vault's contact book.
    pub sender_name: String,
    /// The sender's fingerprint.
    pub fingerprint: String,
    /// The bundle's id.
    pub bundle_id: String,
    /// The counts.
    pub ledger: Ledger,
}

/// Opens a ledger bundle sent to this vault by a verified contact, and checks it: nothing but a
/// ledger, of a shape this version computes, one organisation's.
pub fn open_ledger(store: &Store, bytes: &[u8]) -> Result<Received> {
    let o = exchange::ledger::unseal(store, bytes)?;
    let ledger: Ledger = serde_json::from_value(o.ledger).map_err(|e| Error::MalformedBundle { detail: format!("content.ledger: {e}") })?;
    ledger.check()?;
    if ledger.organisations != 1 {
        return Err(Error::InvalidLedger("organisations".into()));
    }
    Ok(Received { sender_name: o.sender_name, fingerprint: o.fingerprint, bundle_id: o.bundle_id, ledger })
}

/// Adds up the ledgers `received` (and this vault's own for the same period when `own`): one per
/// organisation, the same period, at least [`MIN_ORGANISATIONS`]. Recorded in the trail with
/// the senders and bundles it adds up.
pub fn merge(store: &mut Store, received: &[Received], own: bool) -> Result<Ledger> {
    // By organisation (as this vault's contact book names it), not by key: two vaults of one
    // partner (two workers, a key before and after a rotation) are one member, whose ledgers
    // are added up first. Counted as two, that partner could subtract its own from a merge of
    // "three" and read the third's cells whole, past the minimum and the dominance rule.
    let mut by_org: std::collections::BTreeMap<String, Vec<Ledger>> = std::collections::BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let me = exchange::identity::show(store)?.fingerprint;
    for r in received {
        if !seen.insert(r.fingerprint.clone()) || (own && r.fingerprint == me) {
            return Err(Error::LedgerDuplicateSender { name: r.sender_name.clone() });
        }
        let org: Option<String> = store
            .conn()
            .query_row("SELECT org FROM contacts WHERE fingerprint = ?1", [&r.fingerprint], |row| row.get(0))
            .optional()?
            .flatten();
        let org = org.as_deref().map(organisation_key).filter(|o| !o.is_empty());
        let org = org.ok_or_else(|| Error::LedgerNoOrganisation { name: r.sender_name.clone() })?;
        by_org.entry(org).or_default().push(r.ledger.clone());
    }
    if own && let Some(first) = received.first() {
        let mine = organisation_key(&store.meta(crate::vault::store::Meta::OwnerOrg)?.unwrap_or_default());
        by_org.entry(mine).or_default().push(count::ledger(store, first.ledger.from, first.ledger.to)?);
    }
    let mut ledgers: Vec<Ledger> = Vec::with_capacity(by_org.len());
    for group in by_org.into_values() {
        ledgers.push(match group.len() {
            1 => group.into_iter().next().expect("one"),
            _ => Ledger { organisations: 1, parts: Vec::new(), ..Ledger::merge(&group)? },
        });
    }
    let merged = Ledger::merge(&ledgers)?;
    if merged.organisations < MIN_ORGANISATIONS {
        return Err(Error::LedgerTooFew { found: merged.organisations, min: MIN_ORGANISATIONS });
    }
    store.write(|w| {
        let mut fields: Vec<String> = received.iter().map(|r| format!("ledger={} from={}", r.bundle_id, r.fingerprint)).collect();
        fields.push(format!("own={own}"));
        fields.push(format!("organisations={}", merged.organisations));
        w.audit_vault("ledger.merge", fields)
    })?;
    Ok(merged)
}
