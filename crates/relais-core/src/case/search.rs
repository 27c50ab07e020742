//! Search across the caseload: aliases by substring, notes by full text (SQLite FTS5, accents
//! ignored, each word a prefix). Notes come newest written first: that is what a worker looks
//! for, and FTS5 walks its index in that order and stops at the limit, where ranking by
//! relevance would score every match first (too slow on a large vault).

use rusqlite::params;
use serde::Serialize;

use crate::error::Result;
use crate::vault::store::Store;

/// A person whose alias matches.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PersonHit {
    /// Person id.
    pub id: String,
    /// Alias.
    pub alias: String,
    /// Case status.
    pub status: String,
}

/// A note that matches.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoteHit {
    /// Note id.
    pub note_id: String,
    /// Person id.
    pub person_id: String,
    /// Person alias.
    pub alias: String,
    /// When the note was taken.
    pub at: String,
    /// Note kind code.
    pub kind: String,
    /// The matching passage, matches between `[` and `]`.
    pub snippet: String,
}

/// Search results.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Default)]
pub struct Results {
    /// Matching persons.
    pub persons: Vec<PersonHit>,
    /// Matching notes, newest written first.
    pub notes: Vec<NoteHit>,
}

/// Turns what a person typed into an FTS5 query that cannot be a syntax error: each word a
/// quoted prefix, all words required.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .map(|w| w.trim_matches(|c| c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect();
    if words.is_empty() { None } else { Some(words.join(" ")) }
}

/// Searches aliases and notes; at most `limit` of each.
pub fn search(store: &Store, input: &str, limit: usize) -> Result<Results> {
    let conn = store.conn();
    let mut out = Results::default();
    let needle = input.trim();
    if needle.is_empty() {
        return Ok(out);
    }
    let like = format!("%{}%", needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let mut st = conn.prepare_cached("SELECT id, alias, status FROM persons WHERE alias LIKE ?1 ESCAPE '\\' ORDER BY alias LIMIT ?2")?;
    out.persons = st
        .query_map(params![like, limit as i64], |r| Ok(PersonHit { id: r.get(0)?, alias: r.get(1)?, status: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(q) = fts_query(needle) {
        let mut st = conn.prepare_cached(
            "SELECT n.id, n.person_id, p.alias, n.at, n.kind, snippet(notes_fts, 0, '[', ']', '…', 12)
             FROM notes_fts JOIN notes n ON n.rowid = notes_fts.rowid JOIN persons p ON p.id = n.person_id
             WHERE notes_fts MATCH ?1 ORDER BY notes_fts.rowid DESC LIMIT ?2",
        )?;
        out.notes = st
            .query_map(params![q, limit as i64], |r| {
                Ok(NoteHit {
                    note_id: r.get(0)?,
                    person_id: r.get(1)?,
                    alias: r.get(2)?,
                    at: r.get(3)?,
                    kind: r.get(4)?,
                    snippet: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn queries_cannot_inject_fts_syntax() {
        assert_eq!(fts_query("IVAC réunion").unwrap(), "\"IVAC\"* \"réunion\"*");
        assert_eq!(fts_query("a\" OR NEAR(b").unwrap(), "\"a\"* \"OR\"* \"NEAR\"* \"b\"*");
        assert!(fts_query("  \"*()  ").is_none());
    }
}

/// A line of the caseload.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CaseRow {
    /// Person id.
    pub id: String,
    /// Alias.
    pub alias: String,
    /// Case status.
    pub status: String,
    /// Region.
    pub region: Option<String>,
    /// Domestic or international.
    pub origin: String,
    /// When the case was opened.
    pub intake_at: String,
    /// Needs still to meet (identified, in progress, referred, unmet).
    pub open_needs: i64,
    /// The last contact with the person: the latest contact, phone or visit note or attended
    /// appointment (`persons.last_contact`, kept by the triggers of migration 0012), if any.
    pub last_contact: Option<String>,
}

/// The caseload, by alias, optionally only the cases with `status`.
pub fn caseload(store: &Store, status: Option<&str>) -> Result<Vec<CaseRow>> {
    Ok(caseload_page(store, status.as_slice(), 0, None)?.rows)
}

/// One page of the caseload: what one screen shows, and how many cases there are in all.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CasePage {
    /// The cases of the page, by alias.
    pub rows: Vec<CaseRow>,
    /// How many cases there are with these statuses.
    pub total: u32,
    /// The position of the page's first case among them (from 0).
    pub offset: u32,
}

/// The cases with one of `statuses` (all when empty), by alias, from the `offset`-th, at most
/// `limit` of them (all when none): a caseload of ten thousand persons is shown a page at a
/// time, read a page at a time.
pub fn caseload_page(store: &Store, statuses: &[&str], offset: u32, limit: Option<u32>) -> Result<CasePage> {
    let statuses = serde_json::to_string(statuses).expect("strings serialize");
    let total: u32 = store
        .conn()
        .prepare_cached("SELECT count(*) FROM persons p WHERE ?1 = '[]' OR p.status IN (SELECT value FROM json_each(?1))")?
        .query_row([&statuses], |r| r.get(0))?;
    let mut st = store.conn().prepare_cached(
        "SELECT p.id, p.alias, p.status, p.region, p.origin, p.intake_at,
                (SELECT count(*) FROM needs n WHERE n.person_id = p.id
                   AND n.status IN ('identified', 'in_progress', 'referred', 'unmet')),
                p.last_contact
         FROM persons p WHERE ?1 = '[]' OR p.status IN (SELECT value FROM json_each(?1))
         ORDER BY p.alias COLLATE NOCASE, p.id LIMIT ?2 OFFSET ?3",
    )?;
    let limit = limit.map_or(-1, i64::from);
    let rows = st.query_map(rusqlite::params![statuses, limit, offset], |r| {
        Ok(CaseRow {
            id: r.get(0)?,
            alias: r.get(1)?,
            status: r.get(2)?,
            region: r.get(3)?,
            origin: r.get(4)?,
            intake_at: r.get(5)?,
            open_needs: r.get(6)?,
            last_contact: r.get(7)?,
        })
    })?;
    Ok(CasePage { rows: rows.collect::<rusqlite::Result<Vec<_>>>()?, total, offset })
}
