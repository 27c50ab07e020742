//! A person's whole file as one structured document: every record of the case, the directory
//! entries it references, and its history. This is what `relais export-person` writes for the
//! person's right of access (Quebec Law 25), and what `person show` and summaries read.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::record::{Fields, Kind, str_field};
use crate::vault::audit::{self, Event};
use crate::vault::store::Store;

/// Format name of the document.
pub const FORMAT: &str = "relais.person-file";
/// Format version; bump on any incompatible change.
pub const VERSION: u32 = 1;

/// One person's file.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct PersonFile {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// When it was produced (RFC 3339 UTC).
    pub generated_at: String,
    /// The person record.
    pub person: Fields,
    /// The case's records by kind name (`need`, `appointment`…), oldest first.
    pub records: BTreeMap<&'static str, Vec<Fields>>,
    /// Directory entries the case refers to (`organisation`).
    pub directory: BTreeMap<&'static str, Vec<Fields>>,
    /// The audit events about this person.
    pub history: Vec<Event>,
    /// Who wrote the records of this file (their `created_by` and `updated_by`), and who sent
    /// or received bundles about the person (its history's `sender=` and `to=`), by fingerprint.
    pub authors: BTreeMap<String, Author>,
    /// The time and money the case's records hold, added up.
    pub totals: Totals,
    /// The bytes of the case's documents, base64, by document id: only in the file written
    /// for the person ([`disclose`]), which is hers whole.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub documents: BTreeMap<String, String>,
}

/// The time and money recorded in a case (or a period of it), added up.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Minutes of intervention: the time written on its notes.
    pub intervention_minutes: i64,
    /// Minutes of accompaniment: the time written on its appointments.
    pub accompaniment_minutes: i64,
    /// Every expense, in cents.
    pub expenses_cents: i64,
    /// Expenses in cents by fund code (`emergency`…), funds with none left out.
    pub expenses_by_fund: BTreeMap<String, i64>,
}

impl Totals {
    /// Adds up the notes, appointments and expenses among `records`; each value is bounded by
    /// its type (a day, ten million dollars), and the sums saturate rather than wrap.
    pub fn of<'a>(records: impl IntoIterator<Item = (Kind, &'a Fields)>) -> Totals {
        let int = |r: &Fields, k: &str| r.get(k).and_then(Value::as_i64).unwrap_or(0).max(0);
        let mut t = Totals::default();
        for (kind, r) in records {
            match kind {
                Kind::Note => t.intervention_minutes = t.intervention_minutes.saturating_add(int(r, "minutes")),
                Kind::Appointment => t.accompaniment_minutes = t.accompaniment_minutes.saturating_add(int(r, "accompaniment_minutes")),
                Kind::Expense => {
                    let cents = int(r, "amount_cents");
                    t.expenses_cents = t.expenses_cents.saturating_add(cents);
                    let fund = t.expenses_by_fund.entry(str_field(r, "fund").unwrap_or("other").to_owned()).or_default();
                    *fund = fund.saturating_add(cents);
                }
                _ => {}
            }
        }
        t
    }
}

/// Who a fingerprint is, as this vault knows them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "who", content = "name", rename_all = "snake_case")]
pub enum Author {
    /// This vault: « Vous ».
    Me,
    /// Someone in the contact book, by the name written there.
    Contact(String),
    /// A key not in the contact book: « inconnu·e ».
    Unknown,
}

/// Names the authors of `records` (every `created_by` and `updated_by` they hold).
pub fn authors<'a>(store: &Store, records: impl Iterator<Item = &'a Fields>) -> Result<BTreeMap<String, Author>> {
    named(store, records.flat_map(|r| ["created_by", "updated_by"].into_iter().filter_map(|k| str_field(r, k))))
}

/// The fingerprints an audit event names in its fields (`sender=`, `to=`): who sent a bundle
/// about the person, whom it went to.
pub fn event_peers(ev: &Event) -> impl Iterator<Item = &str> {
    ev.fields.iter().filter_map(|f| f.strip_prefix("sender=").or_else(|| f.strip_prefix("to=")))
}

/// Who each of `fingerprints` is, as this vault knows them.
pub fn named<'a>(store: &Store, fingerprints: impl Iterator<Item = &'a str>) -> Result<BTreeMap<String, Author>> {
    let me = store.meta(crate::vault::store::Meta::Fingerprint)?;
    let contacts: BTreeMap<String, String> = store
        .list_all(Kind::Contact)?
        .into_iter()
        .filter_map(|c| Some((str_field(&c, "fingerprint")?.to_owned(), str_field(&c, "name")?.to_owned())))
        .collect();
    let mut out = BTreeMap::new();
    for fp in fingerprints {
        let who =
            if me.as_deref() == Some(fp) { Author::Me } else { contacts.get(fp).map_or(Author::Unknown, |n| Author::Contact(n.clone())) };
        out.insert(fp.to_owned(), who);
    }
    Ok(out)
}

impl PersonFile {
    /// The records of one kind.
    pub fn of(&self, kind: Kind) -> &[Fields] {
        self.records.get(kind.name()).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Loads the whole file of `person_id`.
pub fn load(store: &Store, person_id: &str) -> Result<PersonFile> {
    let person = store.get(Kind::Person, person_id)?;
    let mut records: BTreeMap<&'static str, Vec<Fields>> = BTreeMap::new();
    for kind in Kind::ALL {
        if kind == Kind::Person || !kind.is_case_record() {
            continue;
        }
        let rows = match kind.owner() {
            Some(("person_id", _)) => store.list_by(kind, "person_id", person_id)?,
            Some((col, parent)) => {
                let mut rows = Vec::new();
                for p in records.get(parent.name()).cloned().unwrap_or_default() {
                    rows.extend(store.list_by(kind, col, str_field(&p, "id").unwrap_or_default())?);
                }
                rows
            }
            None => Vec::new(),
        };
        records.insert(kind.name(), rows);
    }
    let mut org_ids = BTreeSet::new();
    for rows in records.values() {
        for r in rows {
            if let Some(Value::String(id)) = r.get("org_id") {
                org_ids.insert(id.clone());
            }
        }
    }
    let orgs = org_ids.iter().map(|id| store.get(Kind::Organisation, id)).collect::<Result<Vec<_>>>()?;
    let mut directory = BTreeMap::new();
    directory.insert(Kind::Organisation.name(), orgs);
    let history = audit::for_person(store, person_id)?;
    let mut authors = authors(store, std::iter::once(&person).chain(records.values().flatten()))?;
    authors.extend(named(store, history.iter().flat_map(event_peers))?);
    let totals = Totals::of(
        [Kind::Note, Kind::Appointment, Kind::Expense]
            .into_iter()
            .flat_map(|k| records.get(k.name()).into_iter().flatten().map(move |r| (k, r))),
    );
    Ok(PersonFile {
        format: FORMAT,
        version: VERSION,
        generated_at: crate::time::to_db(chrono::Utc::now()),
        person,
        records,
        directory,
        history,
        authors,
        totals,
        documents: BTreeMap::new(),
    })
}

/// The person's whole file as JSON, for the person (Law 25 right of access), recorded first in
/// the person's history as a disclosure (`person.export`): a disclosure is written down even if
/// the file then fails to reach its destination, never the other way round. The event is the
/// person's, so a destruction redacts it with the rest.
pub fn disclose(store: &mut Store, person_id: &str) -> Result<String> {
    let mut file = load(store, person_id)?;
    let ids: Vec<String> = file.of(Kind::Document).iter().filter_map(|d| str_field(d, "id").map(str::to_owned)).collect();
    file.documents = crate::case::documents::encoded(store.conn(), &ids)?.into_iter().collect();
    let text = serde_json::to_string_pretty(&file).expect("a person file serializes");
    store.write(|w| w.audit_event("person.export", Some(person_id), vec![]))?;
    Ok(text)
}
