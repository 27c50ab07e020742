//! Canonical JSON: the bytes that are hashed and signed, and the per-record hashes that tell
//! what changed since the last exchange.

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::record::{Fields, Kind};
use crate::vault::store::{self};

/// Compact JSON with sorted keys: the bytes that are hashed and signed.
pub fn canonical(v: &Value) -> String {
    // serde_json's Map is a BTreeMap (the preserve_order feature is not enabled): keys come out
    // sorted at every level, numbers and strings in one fixed form.
    v.to_string()
}

/// SHA-256 of [`canonical`]`(v)`, streamed: the hasher is an `io::Write`, so JSON is hashed as
/// it is serialized, without building the string first.
pub(super) fn canonical_sha256(v: &Value) -> String {
    let mut h = Sha256::new();
    serde_json::to_writer(&mut h, v).expect("hashing cannot fail");
    store::hex_lower(&h.finalize())
}

/// The content hash of one record: its columns only (not ids, timestamps or revision), as the
/// canonical JSON object of those columns (sorted keys, missing ones null), streamed.
pub fn record_hash(kind: Kind, rec: &Fields) -> String {
    let mut h = Sha256::new();
    h.update(b"{");
    for (n, name) in sorted_columns(kind).iter().enumerate() {
        if n > 0 {
            h.update(b",");
        }
        serde_json::to_writer(&mut h, name).expect("hashing cannot fail");
        h.update(b":");
        serde_json::to_writer(&mut h, rec.get(*name).unwrap_or(&Value::Null)).expect("hashing cannot fail");
    }
    h.update(b"}");
    store::hex_lower(&h.finalize())
}

/// A kind's column names in the order of a canonical object's keys.
pub(super) fn sorted_columns(kind: Kind) -> &'static [&'static str] {
    &sorted_names(kind).0
}

/// A kind's field names (the four base ones and its columns), sorted like a record's keys.
pub(super) fn all_fields_sorted(kind: Kind) -> &'static [&'static str] {
    &sorted_names(kind).1
}

/// Per kind, sorted: (its column names, its column names and the four base fields).
pub(super) fn sorted_names(kind: Kind) -> &'static (Vec<&'static str>, Vec<&'static str>) {
    type Names = (Vec<&'static str>, Vec<&'static str>);
    static ALL: std::sync::OnceLock<HashMap<Kind, Names>> = std::sync::OnceLock::new();
    &ALL.get_or_init(|| {
        Kind::ALL
            .iter()
            .map(|k| {
                let mut cols: Vec<&'static str> = k.columns().iter().map(|c| c.name).collect();
                cols.sort_unstable();
                let mut all = cols.clone();
                all.extend(crate::vault::store::BASE_FIELDS);
                all.sort_unstable();
                (*k, (cols, all))
            })
            .collect()
    })[&kind]
}
