//! The papers of a case: a scan of identity documents, a signed consent form, an IVAC form, a
//! permit letter, a subpoena, a medical note. A document is a record of the case (`documents`:
//! title, kind, date, the record it goes with, and what its content is) whose bytes are one row
//! of `document_content`, in the same encrypted database, written in the same transaction as
//! the record and its audit event (docs/DESIGN.md, "Documents", says why not files beside it).
//!
//! What comes in is checked before anything is written: not empty, at most [`MAX_BYTES`], its
//! type read from its first bytes (never from its name), and an image's size read from its
//! header so that a decompression bomb is refused before anything decodes it. The name the
//! file had is kept as a label (its last component only) and never used as a path.

use rusqlite::OptionalExtension;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Problem, Result};
use crate::record::{DOCUMENT_CONTENT_COLS, Fields, Kind, str_field};
use crate::vault::store::{self, Store, Writer};

/// The largest document kept, in bytes: a 600 dpi colour scan of a few pages, a phone photo.
/// Several fit in a bundle ([`MAX_IN_BUNDLE`]).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The most pixels an image may declare: a letter-size page scanned at 600 dpi in colour is
/// about 34 million; 100 million RGBA pixels already take 400 MB to show.
pub const MAX_PIXELS: u64 = 100_000_000;
/// The most document bytes one bundle carries (they grow by a third in its JSON, and a
/// bundle's plaintext is at most 256 MiB, the cases' records included).
pub const MAX_IN_BUNDLE: u64 = 160 * 1024 * 1024;

/// What a document's bytes are, found by reading them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// The media type (`application/pdf`, `image/png`…), `application/octet-stream` when the
    /// first bytes say nothing Relais knows.
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
}

impl Content {
    /// An image Relais shows directly in the window.
    pub fn is_image(media_type: &str) -> bool {
        matches!(media_type, "image/png" | "image/jpeg")
    }
}

/// Checks `bytes` as a document and says what they are: refused when empty
/// ([`Error::DocumentEmpty`]), larger than [`MAX_BYTES`] ([`Error::DocumentTooLarge`]), or an
/// image whose header cannot be read or declares more than [`MAX_PIXELS`]
/// ([`Error::DocumentImageRefused`]).
pub fn inspect(bytes: &[u8]) -> Result<Content> {
    if bytes.is_empty() {
        return Err(Error::DocumentEmpty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Error::DocumentTooLarge { size_mb: (bytes.len() as u64).div_ceil(1_000_000), max_mb: (MAX_BYTES / 1_000_000) as u64 });
    }
    let media_type = media_type_of(bytes);
    if media_type.starts_with("image/") {
        // Every image whose header says its size, shown here or not: another program may open
        // a copy. One Relais shows (PNG, JPEG) must say it; another kind it cannot read (a
        // camera's raw format) is kept as it is, never shown.
        match imagesize::blob_size(bytes) {
            Ok(d) => {
                let (w, h) = (d.width as u64, d.height as u64);
                if w == 0 || h == 0 || w.saturating_mul(h) > MAX_PIXELS {
                    return Err(Error::DocumentImageRefused { width: w.max(1), height: h });
                }
            }
            Err(_) if Content::is_image(&media_type) => return Err(Error::DocumentImageRefused { width: 0, height: 0 }),
            Err(_) => {}
        }
    }
    Ok(Content { media_type, size: bytes.len() as u64, sha256: store::hex_lower(&Sha256::digest(bytes)) })
}

/// The media type the first bytes of `bytes` say, `application/octet-stream` otherwise.
pub fn media_type_of(bytes: &[u8]) -> String {
    infer::get(bytes).map_or("application/octet-stream", |t| t.mime_type()).to_owned()
}

/// The name to keep for a file called `name` on the worker's disk: its last component (after
/// any `/` or `\`), without control characters, at most 255 characters; `None` when nothing
/// is left (`..`, an empty name).
pub fn clean_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let clean = clean.trim().to_owned();
    (!clean.is_empty() && clean != "." && clean != "..").then_some(clean)
}

/// The name a save dialog suggests for a copy of a document (whose name may come from whoever
/// sent it): [`clean_file_name`], without what reorders or hides text
/// ([`crate::lang::reorders_or_hides`]: « facture\u{202e}fdp.exe » would read « factureexe.pdf »)
/// and without leading dots (« .bash_profile », saved in a home folder, would run at the next
/// login); `None` when nothing is left.
pub fn save_name(name: &str) -> Option<String> {
    let clean: String = clean_file_name(name)?.chars().filter(|c| !crate::lang::reorders_or_hides(*c)).collect();
    let clean = clean.trim_start_matches(|c: char| c == '.' || c.is_whitespace()).trim_end();
    (!clean.is_empty()).then(|| clean.to_owned())
}

/// Reads a file the worker chose as a document: refused on its size before a byte is read
/// ([`Error::DocumentTooLarge`]), then read whole into memory wiped when dropped (nothing of it
/// is written anywhere else). For the CLI and the app alike.
pub fn read_file(path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>> {
    let len = std::fs::metadata(path)?.len();
    if len > MAX_BYTES as u64 {
        return Err(Error::DocumentTooLarge { size_mb: len.div_ceil(1_000_000), max_mb: (MAX_BYTES / 1_000_000) as u64 });
    }
    Ok(Zeroizing::new(std::fs::read(path)?))
}

/// Adds a document to a person's case: `fields` are its description (`person_id`, `title`,
/// `kind`, and optionally `dated_on`, `consent_id`, `deadline_id`, `proceeding_id`,
/// `file_name`), `bytes` its content. The record, its content and its audit event are one
/// transaction. Returns the new document's id.
pub fn add(store: &mut Store, fields: Fields, bytes: &[u8]) -> Result<String> {
    let content = inspect(bytes)?;
    store.write(|w| insert(w, fields, &content, bytes))
}

/// [`add`] inside a transaction already open (several documents, or a document with other
/// records, in one).
pub fn add_in(w: &mut Writer<'_>, fields: Fields, bytes: &[u8]) -> Result<String> {
    let content = inspect(bytes)?;
    insert(w, fields, &content, bytes)
}

fn insert(w: &mut Writer<'_>, mut fields: Fields, content: &Content, bytes: &[u8]) -> Result<String> {
    for col in DOCUMENT_CONTENT_COLS {
        if fields.contains_key(col) {
            return Err(Error::invalid(col, Problem::NotSettable));
        }
    }
    if let Some(name) = fields.remove("file_name")
        && let Some(clean) = name.as_str().and_then(clean_file_name)
    {
        fields.insert("file_name".into(), json!(clean));
    }
    fields.insert("media_type".into(), json!(content.media_type));
    fields.insert("size".into(), json!(content.size));
    fields.insert("sha256".into(), json!(content.sha256));
    let id = w.insert_document(fields)?;
    put_content(w, &id, bytes)?;
    Ok(id)
}

/// Writes a document's bytes (inside the transaction that writes or received its record).
pub(crate) fn put_content(w: &mut Writer<'_>, id: &str, bytes: &[u8]) -> Result<()> {
    w.conn().execute("INSERT OR IGNORE INTO document_content (document_id, bytes) VALUES (?1, ?2)", rusqlite::params![id, bytes])?;
    Ok(())
}

/// Whether this vault holds the bytes of document `id`.
pub(crate) fn has_content(conn: &rusqlite::Connection, id: &str) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM document_content WHERE document_id = ?1")?.query_row([id], |_| Ok(())).optional()?.is_some())
}

/// A person's documents, newest first (by their date, then when they were added).
pub fn list(store: &Store, person_id: &str) -> Result<Vec<Fields>> {
    store.get(Kind::Person, person_id)?;
    let mut docs = store.list_by(Kind::Document, "person_id", person_id)?;
    docs.sort_by(|a, b| {
        let key = |r: &Fields| {
            (str_field(r, "dated_on").unwrap_or_default().to_owned(), str_field(r, "created_at").unwrap_or_default().to_owned())
        };
        key(b).cmp(&key(a))
    });
    Ok(docs)
}

/// The bytes of document `id`, in memory wiped when dropped, checked against the SHA-256 its
/// record holds ([`Error::DamagedVault`] otherwise).
pub fn content(store: &Store, id: &str) -> Result<(Fields, Zeroizing<Vec<u8>>)> {
    let rec = store.get(Kind::Document, id)?;
    let bytes: Option<Vec<u8>> =
        store.conn().query_row("SELECT bytes FROM document_content WHERE document_id = ?1", [id], |r| r.get(0)).optional()?;
    let bytes = Zeroizing::new(bytes.ok_or_else(|| Error::DamagedVault(store.path().to_owned()))?);
    if Some(store::hex_lower(&Sha256::digest(&bytes[..])).as_str()) != str_field(&rec, "sha256") {
        return Err(Error::DamagedVault(store.path().to_owned()));
    }
    Ok((rec, bytes))
}

/// Writes a copy of document `id` to `path`, unencrypted (the worker chose it and was told),
/// and records in the person's history that a copy left the vault (`document.copy`), first: a
/// disclosure is written down even if the file then fails, never the other way round.
pub fn save_copy(store: &mut Store, id: &str, path: &std::path::Path) -> Result<()> {
    let (rec, bytes) = content(store, id)?;
    let person = str_field(&rec, "person_id").map(str::to_owned);
    store.write(|w| w.audit_event("document.copy", person.as_deref(), vec![format!("document={id}")]))?;
    crate::vault::write_atomic(path, &bytes)
}

/// How many documents the cases `persons` hold and their total size in bytes (shown before a
/// bundle is made with them).
pub fn totals(store: &Store, persons: &[String]) -> Result<(u64, u64)> {
    let list = serde_json::to_string(persons).expect("strings serialize");
    Ok(store.conn().query_row(
        "SELECT count(*), coalesce(sum(size), 0) FROM documents WHERE person_id IN (SELECT value FROM json_each(?1))",
        [list],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )?)
}

/// The contents of documents `ids`, base64, by id (a bundle's `documents`, the right-of-access
/// export's).
pub(crate) fn encoded(conn: &rusqlite::Connection, ids: &[String]) -> Result<Vec<(String, String)>> {
    use base64::Engine;
    let list = serde_json::to_string(ids).expect("strings serialize");
    let mut st = conn.prepare(
        "SELECT document_id, bytes FROM document_content WHERE document_id IN (SELECT value FROM json_each(?1)) ORDER BY document_id",
    )?;
    let rows = st.query_map([list], |r| {
        let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(r.get(1)?);
        Ok((r.get::<_, String>(0)?, base64::engine::general_purpose::STANDARD.encode(&bytes[..])))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Decodes a document's content as a bundle carries it and checks it against its record: the
/// same size, SHA-256 and media type (found again from the bytes), within the limits a
/// document added here has. A sender cannot give a record bytes that are not its own, or
/// label a file as something it is not.
pub(crate) fn decode_received(rec: &Fields, b64: &str) -> Result<Zeroizing<Vec<u8>>> {
    use base64::Engine;
    let bad = |what: &str| Error::MalformedBundle { detail: format!("documents.{}: {what}", str_field(rec, "id").unwrap_or_default()) };
    // Checked before decoding: no sender makes this vault allocate more than a document.
    if b64.len() > MAX_BYTES.div_ceil(3) * 4 {
        return Err(bad("size"));
    }
    let bytes = Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad("base64"))?);
    let content = inspect(&bytes).map_err(|_| bad("content"))?;
    let field = |k: &str| rec.get(k).cloned().unwrap_or(Value::Null);
    if field("size") != json!(content.size) || field("sha256") != json!(content.sha256) || field("media_type") != json!(content.media_type)
    {
        return Err(bad("sha256"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_last_component_only() {
        assert_eq!(clean_file_name("../../x").as_deref(), Some("x"));
        assert_eq!(clean_file_name("C:\\Users\\a\\passeport.pdf").as_deref(), Some("passeport.pdf"));
        assert_eq!(clean_file_name("a/b/\u{7}bell\n.png").as_deref(), Some("bell.png"));
        assert_eq!(clean_file_name("../.."), None);
        assert_eq!(clean_file_name("dir/"), None);
    }

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        assert_eq!(media_type_of(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(media_type_of(b"hello"), "application/octet-stream");
        assert_eq!(media_type_of(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']), "image/jpeg");
    }

    #[test]
    fn empty_oversized_and_bomb_images_are_refused() {
        assert!(matches!(inspect(b""), Err(Error::DocumentEmpty)));
        assert!(matches!(inspect(&vec![1u8; MAX_BYTES + 1]), Err(Error::DocumentTooLarge { max_mb: 33, .. })));
        assert!(inspect(&vec![1u8; MAX_BYTES]).is_ok());
        // A PNG header declaring 100 000 × 100 000 pixels: a few dozen bytes that would take
        // 40 GB to show.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        assert!(matches!(inspect(&png), Err(Error::DocumentImageRefused { width: 100_000, height: 100_000 })));
        // The same header at 100 × 100 passes.
        png[16..24].copy_from_slice(&[0, 0, 0, 100, 0, 0, 0, 100]);
        assert_eq!(inspect(&png).unwrap().media_type, "image/png");
        // A PNG signature with no header.
        assert!(matches!(inspect(b"\x89PNG\r\n\x1a\n"), Err(Error::DocumentImageRefused { width: 0, .. })));
    }
}
