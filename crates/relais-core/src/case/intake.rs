//! The first 72 hours: the immediate needs of the catalogue (for this person's origin), each
//! assessed or not yet. An immediate need is assessed once the file holds a need of that code,
//! whatever its status: identified, referred, met… or « sans objet » (`not_applicable`), which
//! is how the worker says she asked and it does not apply. Built from the case's needs, so it
//! travels with them and never disagrees with them.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::model::catalogue::Catalogues;
use crate::record::{Kind, str_field};
use crate::vault::store::Store;

/// One line of the checklist.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChecklistItem {
    /// The need's catalogue code.
    pub code: String,
    /// The status of the need recorded for it, none when not assessed yet.
    pub status: Option<String>,
}

/// The checklist of a person's first 72 hours.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Checklist {
    /// The end of the first 72 hours after intake (RFC 3339 UTC).
    pub window_ends: String,
    /// Whether `now` is still inside them.
    pub open: bool,
    /// The immediate needs, in catalogue order.
    pub items: Vec<ChecklistItem>,
    /// How many are assessed.
    pub assessed: usize,
}

/// The checklist of `person_id` as of `now`.
pub fn checklist(store: &Store, person_id: &str, now: DateTime<Utc>) -> Result<Checklist> {
    let person = store.get(Kind::Person, person_id)?;
    let international = str_field(&person, "origin") == Some("international");
    let intake = str_field(&person, "intake_at").and_then(crate::time::from_db).unwrap_or(now);
    let ends = intake + Duration::hours(72);
    let needs = store.list_by(Kind::Need, "person_id", person_id)?;
    let items: Vec<ChecklistItem> = Catalogues::get()
        .list("needs")
        .iter()
        .filter(|e| e.phases.iter().any(|p| p == "immediate") && (international || !e.international_only))
        .map(|e| ChecklistItem {
            code: e.code.clone(),
            status: needs
                .iter()
                .find(|n| str_field(n, "code") == Some(e.code.as_str()))
                .and_then(|n| str_field(n, "status"))
                .map(str::to_owned),
        })
        .collect();
    Ok(Checklist {
        window_ends: crate::time::to_db(ends),
        open: now < ends,
        assessed: items.iter().filter(|i| i.status.is_some()).count(),
        items,
    })
}
