//! The bundle format: its name and version, the manifest, the content, the signed document
//! and the JSON Schema of its plaintext (`schema/bundle.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::error::{Error, Result};
use crate::exchange::identity::Identity;
use crate::record::Fields;

/// Format name in every bundle.
pub const FORMAT: &str = "relais.bundle";
/// The format version this build writes, and the only one it reads: version 1 carried no
/// authorship nor version vectors (see `schema/bundle.md`).
pub const VERSION: u64 = 2;
/// The largest plaintext accepted (a bundle of 1 000 cases is about 20 MB).
pub const MAX_PLAINTEXT: u64 = 256 * 1024 * 1024;
/// The largest bundle file accepted: the largest plaintext armored (base64, 64 characters a
/// line) and a header. A larger file is refused before it is read.
pub const MAX_BUNDLE_FILE: u64 = MAX_PLAINTEXT / 3 * 4 / 64 * 65 + 1024 * 1024;

/// The most recipients a bundle names (one stanza each in its age header): a share to a whole
/// team stays far below. A header naming more is not read (`Error::BundleTooManyRecipients`).
pub const MAX_RECIPIENTS: usize = 256;
/// What the signature is computed over: this prefix, then the canonical manifest.
/// The version is in it: a version 1 signature cannot pass for a version 2 bundle.
pub(super) const SIGN_CONTEXT: &[u8] = b"relais.bundle.v2 manifest\n";

/// The version of a needs ledger's layout; a ledger of another version is refused.
pub const LEDGER_FORMAT: u32 = 2;
/// The most a single count of a ledger may hold (far above any organisation, so that a sum of
/// ledgers cannot overflow).
pub const LEDGER_MAX_COUNT: u64 = 1_000_000_000;
/// The most a single sum of a ledger may hold (minutes or cents): ten billion dollars.
pub const LEDGER_MAX_SUM: i64 = 1_000_000_000_000;

/// Why a bundle was made.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// The cases move: the sender's copy becomes read-only until purged.
    Transfer,
    /// A copy for a colleague; the sender keeps working on the case.
    Share,
    /// The receiver's signed acknowledgement of a transfer.
    Receipt,
    /// A worker's periodic team report to her supervisor: no record, only per case the alias and
    /// where it stands ([`TeamReport`]).
    Report,
    /// An organisation's needs ledger for the coalition's coordinator: counts only, no record,
    /// no person (its content: `reports::stats::Ledger`).
    Ledger,
}

/// A worker's team report: per case she holds and that is open, only what a supervisor needs to
/// see the caseload's state (no notes, no legal names, no record). Carried by a bundle of kind
/// `report`; the supervisor's vault keeps the newest from each colleague.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamReport {
    /// The cases, by alias.
    pub cases: Vec<ReportCase>,
}

/// One case of a team report.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportCase {
    /// The person's alias (never the legal name).
    pub alias: String,
    /// The case's status (a `person_statuses` code).
    pub status: String,
    /// The phase of the newest need still open (a `phases` code).
    pub phase: Option<String>,
    /// The date of the next planned appointment (YYYY-MM-DD).
    pub next_appointment: Option<String>,
    /// Tasks and referral follow-ups overdue.
    pub overdue: u32,
    /// Days since the last contact (a contact note, call, visit or attended appointment).
    pub days_since_contact: Option<u32>,
}

/// A recipient as named (and signed) in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// age X25519 recipient.
    pub age_recipient: String,
    /// Fingerprint of the recipient's keys.
    pub fingerprint: String,
}

/// The signed description of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// UUID v7 of this bundle (a replay is recognised by it).
    pub bundle_id: String,
    /// When it was made (RFC 3339 UTC).
    pub created_at: String,
    /// Transfer, share or receipt.
    pub kind: BundleKind,
    /// Who made and signed it.
    pub sender: Identity,
    /// Who may open it.
    pub recipients: Vec<Recipient>,
    /// The ids of the persons whose cases it carries.
    pub persons: Vec<String>,
    /// Records per kind name.
    pub counts: BTreeMap<String, u64>,
    /// SHA-256 (hex) of the canonical content.
    pub content_sha256: String,
    /// For a receipt: the transfer it acknowledges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_for: Option<String>,
    /// The sender's audit head, signed ([`crate::vault::audit::Anchor`]): the receiver keeps
    /// it, so that the sender's log can later be shown not rewritten before that point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_anchor: Option<crate::vault::audit::Anchor>,
}

/// The records, by kind name (and, for a team report, the report).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Kind name → records (every column plus id, created_at, updated_at, revision).
    pub records: BTreeMap<String, Vec<Fields>>,
    /// A team report (bundles of kind `report` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<TeamReport>,
    /// A needs ledger (bundles of kind `ledger` only), as JSON: the reports room reads and
    /// checks it (`reports::stats::coalition`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Value>,
    /// The bytes of the documents the bundle carries, base64, by document id (each one a
    /// `document` record of `records`, whose size, SHA-256 and type they must match).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub documents: BTreeMap<String, String>,
}

pub(super) fn malformed(detail: impl Into<String>) -> Error {
    Error::MalformedBundle { detail: detail.into() }
}

/// The kind's name in the format (`share`, `transfer`, `receipt`).
pub fn kind_name(k: BundleKind) -> &'static str {
    match k {
        BundleKind::Transfer => "transfer",
        BundleKind::Share => "share",
        BundleKind::Receipt => "receipt",
        BundleKind::Report => "report",
        BundleKind::Ledger => "ledger",
    }
}

/// What follows the content in the document: format, signed manifest, signature, version.
pub(super) fn document_tail(secrets: &crate::vault::keys::Secrets, manifest: &Manifest) -> String {
    let m = canonical(&serde_json::to_value(manifest).expect("manifest serializes"));
    let mut msg = SIGN_CONTEXT.to_vec();
    msg.extend_from_slice(m.as_bytes());
    let sig = secrets.sign(&msg);
    format!(r#","format":"{FORMAT}","manifest":{m},"signature":"{sig}","version":{VERSION}}}"#)
}

pub(crate) fn sign_document(secrets: &crate::vault::keys::Secrets, manifest: &Manifest, content: &Content) -> Result<Vec<u8>> {
    let content_json = serde_json::to_string(content).expect("content serializes");
    Ok(format!(r#"{{"content":{content_json}{}"#, document_tail(secrets, manifest)).into_bytes())
}

/// The JSON Schema (draft 2020-12) of a bundle's plaintext, generated from the record specs so
/// it cannot drift from the code; `schema/bundle.schema.json` is this, committed (a test checks).
pub fn json_schema() -> Value {
    use crate::record::Ty;
    let base = json!({
        "id": {"type": "string", "format": "uuid"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "revision": {"type": "integer", "minimum": 1, "description": "the total of versions"},
        "created_by": {"type": "string", "pattern": "^[0-9A-F]{4}(-[0-9A-F]{4}){4}$", "description": "fingerprint of the vault that created the record"},
        "updated_by": {"type": "string", "pattern": "^[0-9A-F]{4}(-[0-9A-F]{4}){4}$", "description": "fingerprint of the vault that changed it last"},
        "versions": {
            "type": "object",
            "description": "version vector: fingerprint -> number of changes that vault made",
            "minProperties": 1,
            "maxProperties": crate::model::versions::MAX_VAULTS,
            "propertyNames": {"pattern": "^[0-9A-F]{4}(-[0-9A-F]{4}){4}$"},
            "additionalProperties": {"type": "integer", "minimum": 1, "maximum": crate::model::versions::MAX_COUNT}
        }
    });
    let mut defs = serde_json::Map::new();
    let mut records = serde_json::Map::new();
    for kind in bundle_kinds() {
        let mut props = base.as_object().expect("object").clone();
        let mut required: Vec<&str> = crate::vault::store::BASE_FIELDS.to_vec();
        for col in kind.columns() {
            let t = match col.ty {
                Ty::Text(max) => json!({"type": ["string", "null"], "maxLength": max}),
                Ty::Bool => json!({"type": ["boolean", "null"]}),
                Ty::Int => json!({"type": ["integer", "null"]}),
                Ty::Money => json!({"type": ["integer", "null"], "minimum": 0, "maximum": crate::money::MAX_CENTS}),
                Ty::Minutes => json!({"type": ["integer", "null"], "minimum": 0, "maximum": crate::duration::MAX_MINUTES}),
                Ty::Date => json!({"type": ["string", "null"], "format": "date"}),
                Ty::DateTime => json!({"type": ["string", "null"], "format": "date-time"}),
                Ty::Code(list) => json!({"type": ["string", "null"], "description": format!("a code of the catalogue '{list}'")}),
                Ty::Codes(list) => {
                    json!({"type": ["array", "null"], "items": {"type": "string"}, "description": format!("codes of the catalogue '{list}'")})
                }
                Ty::Words => json!({"type": ["array", "null"], "items": {"type": "string", "maxLength": 60}}),
                Ty::Ref(k) => json!({"type": ["string", "null"], "format": "uuid", "description": format!("id of a {}", k.name())}),
            };
            props.insert(col.name.into(), t);
            if col.required {
                required.push(col.name);
            }
        }
        defs.insert(
            kind.name().into(),
            json!({"type": "object", "properties": props, "required": required, "additionalProperties": false}),
        );
        records.insert(kind.name().into(), json!({"type": "array", "items": {"$ref": format!("#/$defs/{}", kind.name())}}));
    }
    let identity = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "org": {"type": "string"},
            "age_recipient": {"type": "string", "pattern": "^age1[02-9ac-hj-np-z]+$"},
            "signing_key": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "fingerprint": {"type": "string", "pattern": "^[0-9A-F]{4}(-[0-9A-F]{4}){4}$"}
        },
        "required": ["name", "age_recipient", "signing_key", "fingerprint"],
        "additionalProperties": false
    });
    defs.insert("identity".into(), identity);
    defs.insert(
        "ledger_axis".into(),
        json!({
            "type": "object",
            "properties": {"list": {"type": "string"}, "codes": {"type": "array", "items": {"type": "string"}}},
            "required": ["list", "codes"],
            "additionalProperties": false
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:relais:bundle:1",
        "title": "Relais hand-off bundle (plaintext of the age file), format version 1",
        "type": "object",
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "manifest": {
                "type": "object",
                "properties": {
                    "bundle_id": {"type": "string", "format": "uuid"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "kind": {"enum": ["transfer", "share", "receipt", "report", "ledger"]},
                    "sender": {"$ref": "#/$defs/identity"},
                    "recipients": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": {
                                "age_recipient": {"type": "string", "pattern": "^age1[02-9ac-hj-np-z]+$"},
                                "fingerprint": {"type": "string", "pattern": "^[0-9A-F]{4}(-[0-9A-F]{4}){4}$"}
                            },
                            "required": ["age_recipient", "fingerprint"],
                            "additionalProperties": false
                        }
                    },
                    "persons": {"type": "array", "items": {"type": "string", "format": "uuid"}},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
                    "content_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "receipt_for": {"type": "string", "format": "uuid"},
                    "audit_anchor": {
                        "type": "object",
                        "properties": {
                            "format": {"const": crate::vault::audit::ANCHOR_FORMAT},
                            "version": {"const": 1},
                            "vault_id": {"type": "string"},
                            "signing_key": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            "seq": {"type": "integer", "minimum": 0},
                            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            "at": {"type": "string", "format": "date-time"},
                            "signature": {"type": "string", "pattern": "^[0-9a-f]{128}$"}
                        },
                        "required": ["format", "version", "vault_id", "signing_key", "seq", "hash", "at", "signature"],
                        "additionalProperties": false
                    }
                },
                "required": ["bundle_id", "created_at", "kind", "sender", "recipients", "persons", "counts", "content_sha256"],
                "additionalProperties": false
            },
            "content": {
                "type": "object",
                "properties": {
                    "records": {"type": "object", "properties": records, "additionalProperties": false},
                    "documents": {
                        "description": "The bytes of the documents carried, base64, by the id of their `document` record (whose size, sha256 and media_type they match).",
                        "type": "object",
                        "propertyNames": {"pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
                        "additionalProperties": {"type": "string", "contentEncoding": "base64", "maxLength": 44739244}
                    },
                    "ledger": {
                        "description": "An organisation's needs ledger (kind `ledger` only): true counts by catalogue code, no person. Its tables, headings and units must be exactly those the reader computes for the same period (schema/bundle.md).",
                        "type": "object",
                        "properties": {
                            "format": {"const": LEDGER_FORMAT},
                            "from": {"type": ["string", "null"], "format": "date"},
                            "to": {"type": "string", "format": "date"},
                            "organisations": {"type": "integer", "minimum": 1, "maximum": 10000},
                            "tables": {"type": "array", "items": {"type": "object", "properties": {
                                "id": {"type": "string"},
                                "rows": {"$ref": "#/$defs/ledger_axis"},
                                "columns": {"$ref": "#/$defs/ledger_axis"},
                                "counts": {"type": "array", "items": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": LEDGER_MAX_COUNT}}},
                                "additive": {"type": "boolean"}
                            }, "required": ["id", "rows", "columns", "counts", "additive"], "additionalProperties": false}},
                            "sums": {"type": "array", "items": {"type": "object", "properties": {
                                "id": {"type": "string"},
                                "unit": {"enum": ["minutes", "cents"]},
                                "rows": {"$ref": "#/$defs/ledger_axis"},
                                "values": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": LEDGER_MAX_SUM}},
                                "persons": {"type": "object", "propertyNames": {"pattern": "^[1-9][0-9]*$"}, "additionalProperties": {"type": "integer", "minimum": 1}}
                            }, "required": ["id", "unit", "rows", "values", "persons"], "additionalProperties": false}},
                            "days_to_first_service": {"type": "object", "propertyNames": {"pattern": "^(0|[1-9][0-9]*)$"}, "additionalProperties": {"type": "integer", "minimum": 1}}
                        },
                        "required": ["format", "from", "to", "organisations", "tables", "sums", "days_to_first_service"],
                        "additionalProperties": false
                    },
                    "report": {
                        "type": "object",
                        "properties": {"cases": {"type": "array", "maxItems": 10000, "items": {
                            "type": "object",
                            "properties": {
                                "alias": {"type": "string", "minLength": 1, "maxLength": 800},
                                "status": {"type": "string"},
                                "phase": {"type": ["string", "null"]},
                                "next_appointment": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                                "overdue": {"type": "integer", "minimum": 0},
                                "days_since_contact": {"type": ["integer", "null"], "minimum": 0}
                            },
                            "required": ["alias", "status", "phase", "next_appointment", "overdue", "days_since_contact"],
                            "additionalProperties": false
                        }}},
                        "required": ["cases"],
                        "additionalProperties": false
                    }
                },
                "required": ["records"],
                "additionalProperties": false
            },
            "signature": {"type": "string", "pattern": "^[0-9a-f]{128}$"}
        },
        "required": ["format", "version", "manifest", "content", "signature"],
        "additionalProperties": false,
        "$defs": defs
    })
}
