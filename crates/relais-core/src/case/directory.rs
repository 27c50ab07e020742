//! The directory of resources: organisations, their contact persons and the services they offer
//! by need code, region and language, with the 24/7 ones marked (24/7 services are rare and the
//! first 72 hours need them). Loaded by hand or from a CSV file.

use std::io::Read;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{CsvProblem, Error, Result};
use crate::record::{Fields, Kind};
use crate::vault::store::{Store, Writer};

/// Columns of a directory CSV file (header row required, any order, unknown columns refused).
/// `languages` and `needs` hold several values separated by `;`.
pub const CSV_COLUMNS: &[&str] =
    &["name", "kind", "region", "address", "phone", "email", "website", "languages", "open_24_7", "notes", "needs"];

/// What a CSV import did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    /// Organisations created.
    pub created: usize,
    /// Organisations already there whose fields changed.
    pub updated: usize,
    /// Organisations already there and identical.
    pub unchanged: usize,
    /// Services (need codes) added.
    pub services_added: usize,
}

/// Imports organisations from CSV in one transaction: a bad line stops the import with its line
/// number and nothing is written. An organisation whose name is already in the directory is
/// updated rather than duplicated (its empty cells leave its fields as they are), so importing
/// the same file twice changes nothing.
pub fn import_csv(store: &mut Store, input: impl Read) -> Result<ImportReport> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(input);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::Csv { line: 1, problem: CsvProblem::Text(e.to_string()) })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if let Some(bad) = headers.iter().find(|h| !CSV_COLUMNS.contains(&h.as_str())) {
        return Err(Error::Csv { line: 1, problem: CsvProblem::Text(format!("{bad} ∉ {}", CSV_COLUMNS.join(", "))) });
    }
    if !headers.iter().any(|h| h == "name") {
        return Err(Error::Csv { line: 1, problem: CsvProblem::Text("name".into()) });
    }
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| Error::Csv { line, problem: CsvProblem::Text(e.to_string()) })?;
        rows.push((line, headers.iter().cloned().zip(rec.iter().map(str::to_owned)).collect::<Vec<_>>()));
    }
    store.write(|w| {
        let mut report = ImportReport::default();
        for (line, row) in rows {
            import_row(w, row, &mut report).map_err(|e| match e {
                Error::Invalid { field, problem } => Error::Csv { line, problem: CsvProblem::Field { field, problem } },
                other => other,
            })?;
        }
        Ok(report)
    })
}

fn import_row(w: &mut Writer<'_>, row: Vec<(String, String)>, report: &mut ImportReport) -> Result<()> {
    let mut org = Fields::new();
    let mut needs = Vec::new();
    for (col, value) in row {
        match col.as_str() {
            "needs" => needs = value.split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
            "languages" => {
                let langs: Vec<&str> = value.split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
                org.insert(col, json!(langs));
            }
            _ => {
                org.insert(col, Value::String(value));
            }
        }
    }
    let name = org.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let existing: Option<String> = w
        .conn()
        .prepare_cached("SELECT id FROM organisations WHERE name = ?1 COLLATE NOCASE ORDER BY created_at LIMIT 1")?
        .query_row([name.trim()], |r| r.get(0))
        .optional()?;
    let id = match existing {
        Some(id) => {
            org.remove("name");
            // An empty cell says nothing: it leaves the entry's field as it is (a shorter file,
            // or a partner's with fewer columns filled, must not wipe a shelter's number). A
            // field is cleared on the organisation itself.
            let given: Fields = org.iter().filter(|(_, v)| !is_empty_cell(v)).map(|(k, v)| (k.clone(), v.clone())).collect();
            if w.update(Kind::Organisation, &id, given)?.is_empty() {
                report.unchanged += 1;
            } else {
                report.updated += 1;
            }
            id
        }
        None => {
            report.created += 1;
            w.insert(Kind::Organisation, org.clone())?
        }
    };
    for code in needs {
        let known: bool = w
            .conn()
            .prepare_cached("SELECT count(*) FROM services WHERE org_id = ?1 AND need_code = ?2")?
            .query_row(params![id, code], |r| r.get::<_, i64>(0))?
            > 0;
        if !known {
            let mut s = Fields::new();
            s.insert("org_id".into(), json!(id));
            s.insert("need_code".into(), json!(code));
            for k in ["region", "languages", "open_24_7"] {
                if let Some(v) = org.get(k) {
                    s.insert(k.into(), v.clone());
                }
            }
            w.insert(Kind::Service, s)?;
            report.services_added += 1;
        }
    }
    Ok(())
}

fn is_empty_cell(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A resource suggested for a need.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Suggestion {
    /// Organisation id.
    pub org_id: String,
    /// Organisation name.
    pub name: String,
    /// Region served.
    pub region: Option<String>,
    /// Open around the clock.
    pub open_24_7: bool,
    /// Serves the person's region.
    pub region_match: bool,
    /// Serves in the person's language.
    pub language_match: bool,
}

/// The organisations serving `need_code`, best first: 24/7 first, then same region, then same
/// language (the source document's "trajectoire de services").
pub fn suggest(store: &Store, need_code: &str, region: Option<&str>, language: Option<&str>) -> Result<Vec<Suggestion>> {
    let mut st = store.conn().prepare_cached(
        "SELECT o.id, o.name, coalesce(s.region, o.region), coalesce(s.open_24_7, o.open_24_7, 0),
                coalesce(s.region, o.region) = ?2 COLLATE NOCASE,
                EXISTS (SELECT 1 FROM json_each(coalesce(s.languages, o.languages)) WHERE value = ?3 COLLATE NOCASE)
         FROM services s JOIN organisations o ON o.id = s.org_id
         WHERE s.need_code = ?1
         ORDER BY 4 DESC, 5 DESC, 6 DESC, o.name",
    )?;
    let rows = st.query_map(params![need_code, region, language], |r| {
        Ok(Suggestion {
            org_id: r.get(0)?,
            name: r.get(1)?,
            region: r.get(2)?,
            open_24_7: r.get::<_, Option<bool>>(3)?.unwrap_or(false),
            region_match: r.get::<_, Option<bool>>(4)?.unwrap_or(false),
            language_match: r.get::<_, Option<bool>>(5)?.unwrap_or(false),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
