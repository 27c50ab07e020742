//! The register of confidentiality incidents (Law 25, ss. 3.5–3.8): every incident involving
//! personal information (a lost laptop, a summary emailed to the wrong person…), with the date,
//! a description, the persons concerned, whether there is a risk of serious injury and why,
//! the notices given to the Commission d'accès à l'information and to the persons, and the
//! measures taken. Records of kind [`Kind::Incident`] (created, changed and audited like any
//! record); exported as CSV or JSON for the organisation's privacy officer.

use serde_json::Value;

use crate::error::Result;
use crate::lang::{Lang, tr};
use crate::record::{Fields, Kind};
use crate::vault::store::Store;

/// The register, oldest incident first.
pub fn list(store: &Store) -> Result<Vec<Fields>> {
    let mut all = store.list_all(Kind::Incident)?;
    all.sort_by(|a, b| {
        let key = |f: &Fields| {
            (
                f.get("occurred_on").and_then(Value::as_str).unwrap_or_default().to_owned(),
                f.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(all)
}

/// The register as JSON (an array of records, every field present).
pub fn json(store: &Store) -> Result<String> {
    Ok(serde_json::to_string_pretty(&list(store)?).expect("records serialize"))
}

/// The register as CSV, one line per incident, headers in `lang` (RFC 4180, UTF-8).
pub fn csv(store: &Store, lang: Lang) -> Result<String> {
    let cols = Kind::Incident.columns();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec![tr(lang, "incident.id", &[])];
    head.extend(cols.iter().map(|c| tr(lang, &format!("incident.{}", c.name), &[])));
    w.write_record(&head).map_err(csv_error)?;
    for rec in list(store)? {
        let mut row = vec![rec.get("id").and_then(Value::as_str).unwrap_or_default().to_owned()];
        row.extend(cols.iter().map(|c| match rec.get(c.name) {
            Some(Value::String(s)) => crate::lang::spreadsheet_safe(s).into_owned(),
            Some(Value::Bool(b)) => tr(lang, if *b { "incident.yes" } else { "incident.no" }, &[]),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }));
        w.write_record(&row).map_err(csv_error)?;
    }
    let bytes = w.into_inner().map_err(|e| crate::error::Error::Io(std::io::Error::other(e.to_string())))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings"))
}

/// How the register is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180, headers in the worker's language.
    Csv,
    /// An array of records.
    Json,
}

impl Format {
    /// `csv` or `json`.
    pub fn parse(s: &str) -> Result<Format> {
        match s {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(crate::error::Error::invalid(
                "format",
                crate::error::Problem::UnknownCode { list: "format".into(), valid: vec!["csv".into(), "json".into()] },
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// The register in `format`, the export recorded in the history (`incidents.export`) first.
pub fn export(store: &mut Store, format: Format, lang: Lang) -> Result<String> {
    let text = match format {
        Format::Csv => csv(store, lang)?,
        Format::Json => json(store)?,
    };
    store.write(|w| w.audit_vault("incidents.export", vec![format!("format={}", format.name())]))?;
    Ok(text)
}

fn csv_error(e: csv::Error) -> crate::error::Error {
    crate::error::Error::Io(std::io::Error::other(e.to_string()))
}
