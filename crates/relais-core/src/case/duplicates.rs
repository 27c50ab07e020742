//! The same person in two files (referred by two organisations, taken in twice): a warning when
//! a file is created or edited, and a merge that keeps every record of both.
//!
//! **Warning.** Two files look like the same person when they have the same birth date and a
//! similar name: alias or legal name of one against alias or legal name of the other, compared
//! without case, accents or spacing, equal or within a small edit distance (one letter for a
//! short name, two from 8 letters), or one containing the other. Without a birth date nothing
//! is said: a common first name alone would warn about everyone.
//!
//! **Merge.** [`merge`] moves every record of the file merged away to the one kept (each move
//! one more audited change, `person_id`), fills the kept file's empty fields from the other,
//! writes the values that differed into a note of the kept file (nothing is lost), deletes the
//! merged-away person and remembers its id in `merged_persons`: a bundle that later brings it is
//! refused ([`crate::Error::BundleCaseMerged`]), telling the worker which file it went into.
//! Only files this vault holds, with no colleague's change left to settle, can be merged.

use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::record::{Fields, Kind, str_field};
use crate::vault::store::{Store, Writer};

/// A file that may be the same person.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Candidate {
    /// Its person id.
    pub id: String,
    /// Its alias.
    pub alias: String,
    /// Its case status code.
    pub status: String,
}

/// A name as compared: as the consent gate folds names (no case, accents or extra spaces), and
/// punctuation read as a space ("Marie-Ève" = "marie eve").
fn folded(s: &str) -> String {
    super::consent::folded(&s.replace(|c: char| !c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c), " "))
}

/// Two names that may be the same person's.
pub fn similar_names(a: &str, b: &str) -> bool {
    let (a, b) = (folded(a), folded(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let shorter = a.chars().count().min(b.chars().count());
    // "Marie" in "Marie Dupuis": one contains the other, a real name not a letter or two.
    if shorter >= 3 && (a.contains(&b) || b.contains(&a)) {
        return true;
    }
    let allowed = if shorter >= 8 {
        2
    } else if shorter >= 4 {
        1
    } else {
        0
    };
    strsim::damerau_levenshtein(&a, &b) <= allowed
}

/// The other files that may be the same person as `person` (a stored or a proposed person
/// record: its `birth_date`, `alias`, `legal_name`; its `id` is left out).
pub fn candidates(store: &Store, person: &Fields) -> Result<Vec<Candidate>> {
    let Some(birth) = str_field(person, "birth_date").filter(|s| !s.is_empty()) else { return Ok(Vec::new()) };
    let own_id = str_field(person, "id");
    let names: Vec<&str> = ["alias", "legal_name"].iter().filter_map(|k| str_field(person, k)).collect();
    let mut st =
        store.conn().prepare_cached("SELECT id, alias, legal_name, status FROM persons WHERE birth_date = ?1 ORDER BY alias, id")?;
    let rows = st.query_map([birth], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, alias, legal, status) = row?;
        if Some(id.as_str()) == own_id {
            continue;
        }
        let theirs: Vec<&str> = std::iter::once(alias.as_str()).chain(legal.as_deref()).collect();
        if names.iter().any(|a| theirs.iter().any(|b| similar_names(a, b))) {
            out.push(Candidate { id, alias, status });
        }
    }
    Ok(out)
}

/// The other files that may be the same person as the stored person `id`.
pub fn candidates_of(store: &Store, id: &str) -> Result<Vec<Candidate>> {
    candidates(store, &store.get(Kind::Person, id)?)
}

/// What a merge did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Merged {
    /// The file kept.
    pub kept: String,
    /// The file merged away (its id is remembered, not reused).
    pub merged: String,
    /// Records moved to the file kept.
    pub moved: u64,
    /// Fields of the file kept filled from the other.
    pub filled: Vec<String>,
    /// Fields whose other value was kept in a note.
    pub noted: Vec<String>,
}

/// Merges the file `merged` into `kept` (see the module's documentation), in the caller's
/// transaction. `confirm` is the merged-away file's alias typed again: a merge is undone only by
/// hand.
pub fn merge(w: &mut Writer<'_>, kept: &str, merged: &str, confirm: &str) -> Result<Merged> {
    if kept == merged {
        return Err(Error::CannotMerge { why: "merge.same" });
    }
    let get = |w: &Writer<'_>, id: &str| crate::vault::store::get(w.conn(), Kind::Person, id);
    let (keep, away) = (get(w, kept)?, get(w, merged)?);
    if confirm.trim() != str_field(&away, "alias").unwrap_or_default() {
        return Err(Error::ConfirmationMismatch);
    }
    for (id, p) in [(kept, &keep), (merged, &away)] {
        let owner: Option<String> = w.conn().query_row("SELECT owner FROM persons WHERE id = ?1", [id], |r| r.get(0))?;
        if owner.is_some() || str_field(p, "status") == Some(crate::model::status::CaseStatus::HandedOff.code()) {
            return Err(Error::CannotMerge { why: "merge.not_held" });
        }
    }
    let pending: i64 = w.conn().query_row("SELECT count(*) FROM conflicts WHERE person_id = ?1", [merged], |r| r.get(0))?;
    if pending > 0 {
        return Err(Error::CannotMerge { why: "merge.pending" });
    }
    // Every record that names the person moves; what hangs under those records (milestones
    // under a proceeding, a referral's history) follows its parent without changing.
    let mut moved = 0u64;
    for kind in Kind::ALL.into_iter().filter(|k| matches!(k.owner(), Some(("person_id", _)))) {
        let ids: Vec<String> = w
            .conn()
            .prepare(&format!("SELECT id FROM {} WHERE person_id = ?1 ORDER BY id", kind.table()))?
            .query_map([merged], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in ids {
            w.reparent(kind, &id, kept)?;
            moved += 1;
        }
    }
    // The person's own fields: the empty ones of the file kept are filled from the other; the
    // ones that differ are written into a note of the file kept.
    let (mut fill, mut filled, mut differ, mut noted) = (Fields::new(), Vec::new(), Vec::new(), Vec::new());
    let lang = crate::lang::Lang::Fr;
    for col in Kind::Person.columns() {
        let (mine, theirs) = (keep.get(col.name).unwrap_or(&Value::Null), away.get(col.name).unwrap_or(&Value::Null));
        let empty = |v: &Value| v.is_null() || v.as_str().is_some_and(str::is_empty) || v.as_array().is_some_and(Vec::is_empty);
        if empty(theirs) || mine == theirs || matches!(col.name, "status" | "closure_reason" | "closure_note" | "closed_on") {
            continue;
        }
        if empty(mine) {
            fill.insert(col.name.to_owned(), theirs.clone());
            filled.push(col.name.to_owned());
        } else {
            let shown = match theirs {
                Value::String(s) => s.clone(),
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
                other => other.to_string(),
            };
            differ.push(format!("{} : {shown}", crate::lang::field_label(lang, col.name)));
            noted.push(col.name.to_owned());
        }
    }
    if !fill.is_empty() {
        w.update(Kind::Person, kept, fill)?;
    }
    let alias = str_field(&away, "alias").unwrap_or_default();
    let values = if differ.is_empty() { "—".to_owned() } else { differ.join(" ; ") };
    let text = crate::lang::tr(lang, "merge.note", &[("alias", alias), ("values", &values)]);
    w.insert(
        Kind::Note,
        [("person_id", json!(kept)), ("kind", json!("other")), ("at", json!(crate::time::to_db(w.now()))), ("text", json!(text))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )?;
    // What is in the trash from the merged-away file is restored into the file kept.
    let trashed: Vec<(String, String)> = w
        .conn()
        .prepare("SELECT id, content FROM trash WHERE person_id = ?1")?
        .query_map([merged], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, content) in trashed {
        let mut items: Vec<(String, Fields)> = serde_json::from_str(&content).unwrap_or_default();
        for (_, rec) in &mut items {
            if str_field(rec, "person_id") == Some(merged) {
                rec.insert("person_id".into(), json!(kept));
            }
        }
        let content = serde_json::to_string(&items).expect("records serialize");
        w.conn().execute("UPDATE trash SET person_id = ?2, content = ?3 WHERE id = ?1", rusqlite::params![id, kept, content])?;
    }
    // The merged-away person goes; its id is remembered, and its retention setting with it.
    w.conn().execute("DELETE FROM retention WHERE person_id = ?1", [merged])?;
    w.conn().execute(
        "INSERT INTO merged_persons (id, into_id, merged_at) VALUES (?1, ?2, ?3)",
        rusqlite::params![merged, kept, crate::time::to_db(w.now())],
    )?;
    w.delete(Kind::Person, merged)?;
    let fields = vec![format!("merged={merged}"), format!("moved={moved}")];
    w.audit_event("person.merge", Some(kept), fields)?;
    w.audit_event("person.merged_into", Some(merged), vec![format!("into={kept}")])?;
    Ok(Merged { kept: kept.to_owned(), merged: merged.to_owned(), moved, filled, noted })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_may_be_the_same_person() {
        for (a, b) in [
            ("Colibri", "colibri"),
            ("Hélène", "Helene"),
            ("He\u{301}le\u{300}ne", "Hélène"),
            ("Marie Dupuis", "Marie"),
            ("Marie-Ève Tremblay", "Marie Eve Tremblay"),
            ("Jasmine", "Jazmine"),
            ("Alexandra Pelletier", "Alexandra Peltier"),
        ] {
            assert!(similar_names(a, b), "{a} ~ {b}");
        }
        for (a, b) in [("Colibri", "Aurore"), ("Ana", "Eva"), ("Jade", "Jude Roy"), ("", "Jade"), ("Li", "Lu")] {
            assert!(!similar_names(a, b), "{a} !~ {b}");
        }
    }
}
