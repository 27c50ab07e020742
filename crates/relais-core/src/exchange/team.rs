//! The team folder: bundles and receipts that travel by themselves through a folder an existing
//! sync engine replicates (Syncthing, a Nextcloud or SharePoint folder, a network share).
//! Relais grows no server: bundles are already encrypted to their recipients and signed, so the
//! folder, and whatever syncs it, sees nothing readable (what it does see is in docs/DESIGN.md,
//! "The team folder").
//!
//! Layout: `FOLDER/<fingerprint>/` holds what is addressed to the vault of that fingerprint,
//! each file named `<random id>.relais` (no alias, no name); `FOLDER/<fingerprint>/traite/`
//! what that vault imported, when it keeps them. A file is written under a temporary name the
//! sync engines skip, then renamed, so that no engine ships half a bundle.
//!
//! Reading the inbox decrypts and verifies each file but applies nothing: a share or a transfer
//! is imported only when the worker confirms it after its preview. Receipts (they carry no
//! record) are recorded as they arrive ([`take_receipts`]). A file that is partial, a sync
//! engine's conflict copy, damaged, not for this vault or already imported is reported and
//! never imported (twice).

use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::*;
use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::vault::store::{Meta, Store};

/// The sub-folder where a vault keeps what it imported, when it keeps it.
pub const DONE_DIR: &str = "traite";
/// Extension of a bundle file.
pub const EXT: &str = "relais";

/// What becomes of a file once imported (or found already imported).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Cleanup {
    /// Moved to the `traite/` sub-folder.
    #[default]
    Move,
    /// Deleted.
    Delete,
}

impl Cleanup {
    fn code(self) -> &'static str {
        match self {
            Cleanup::Move => "move",
            Cleanup::Delete => "delete",
        }
    }

    /// `move` or `delete`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "move" => Ok(Cleanup::Move),
            "delete" => Ok(Cleanup::Delete),
            _ => Err(Error::invalid(
                "cleanup",
                crate::error::Problem::UnknownCode { list: "cleanup".into(), valid: vec!["move".into(), "delete".into()] },
            )),
        }
    }
}

/// The team report sent by itself: to whom, how often.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ReportSchedule {
    /// The contact (a verified one: her supervisor).
    pub to: String,
    /// Every this many days (1 to 90).
    pub every_days: u32,
}

/// The team folder's settings.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TeamSettings {
    /// The folder, if one is set.
    pub folder: Option<String>,
    /// This vault's own sub-folder in it (its inbox).
    pub inbox: Option<String>,
    /// What becomes of an imported file.
    pub cleanup: Cleanup,
    /// The team report sent by itself, if set.
    pub report_schedule: Option<ReportSchedule>,
}

/// The settings as stored.
pub fn settings(store: &Store) -> Result<TeamSettings> {
    let folder = store.meta(Meta::TeamFolder)?;
    let cleanup = store.meta(Meta::TeamCleanup)?.and_then(|c| Cleanup::parse(&c).ok()).unwrap_or_default();
    let me = store.meta(Meta::Fingerprint)?.unwrap_or_default();
    let inbox = folder.as_ref().map(|f| Path::new(f).join(&me).display().to_string());
    let report_schedule = store.meta(Meta::TeamReportSchedule)?.and_then(|v| {
        let (to, every) = v.split_once(' ')?;
        Some(ReportSchedule { to: to.to_owned(), every_days: every.parse().ok()? })
    });
    Ok(TeamSettings { folder, inbox, cleanup, report_schedule })
}

/// Sets the team folder (an existing directory) and makes this vault's inbox in it. Audited.
pub fn set_folder(store: &mut Store, dir: &Path) -> Result<TeamSettings> {
    let dir = std::fs::canonicalize(dir).map_err(|_| Error::TeamFolderUnavailable(dir.to_owned()))?;
    if !dir.is_dir() {
        return Err(Error::TeamFolderUnavailable(dir));
    }
    let me = store.meta(Meta::Fingerprint)?.unwrap_or_default();
    std::fs::create_dir_all(dir.join(&me)).map_err(|_| Error::TeamFolderUnavailable(dir.clone()))?;
    let text = dir.to_str().ok_or_else(|| Error::TeamFolderUnavailable(dir.clone()))?.to_owned();
    store.write(|w| {
        w.set_meta(Meta::TeamFolder, &text)?;
        w.audit_event("team.folder", None, vec!["set".into()])
    })?;
    settings(store)
}

/// Forgets the team folder (the files in it stay). Audited.
pub fn clear_folder(store: &mut Store) -> Result<()> {
    store.write(|w| {
        w.delete_meta(Meta::TeamFolder)?;
        w.audit_event("team.folder", None, vec!["cleared".into()])
    })
}

/// Sets what becomes of an imported file. Audited.
pub fn set_cleanup(store: &mut Store, cleanup: Cleanup) -> Result<()> {
    store.write(|w| {
        w.set_meta(Meta::TeamCleanup, cleanup.code())?;
        w.audit_event("team.cleanup", None, vec![format!("cleanup={}", cleanup.code())])
    })
}

/// The team folder, which must be reachable.
fn folder(store: &Store) -> Result<PathBuf> {
    let f = PathBuf::from(store.meta(Meta::TeamFolder)?.ok_or(Error::TeamFolderNotSet)?);
    if !f.is_dir() {
        return Err(Error::TeamFolderUnavailable(f));
    }
    Ok(f)
}

/// A fingerprint as a folder name: exactly what Relais makes (`XXXX-XXXX-…`, upper-case hex), so
/// that nothing a sender writes can name a path outside the team folder.
fn fingerprint_dir(fp: &str) -> Result<&str> {
    if crate::model::versions::is_fingerprint(fp) { Ok(fp) } else { Err(malformed("recipients.fingerprint")) }
}

/// Writes `bytes` into the inbox of each fingerprint in `to`, under a random name, through a
/// temporary name the sync engines skip (`~syncthing~…tmp`: Syncthing's own prefix for files
/// in transit; Nextcloud and OneDrive skip `~*.tmp`). Returns the files written.
pub fn deliver(store: &Store, to: &[String], bytes: &[u8]) -> Result<Vec<PathBuf>> {
    let root = folder(store)?;
    let mut written = Vec::new();
    for fp in to {
        let dir = root.join(fingerprint_dir(fp)?);
        std::fs::create_dir_all(&dir).map_err(|_| Error::TeamFolderUnavailable(root.clone()))?;
        not_a_link(&dir)?;
        let name = format!("{}.{EXT}", hex::encode(rand::random::<[u8; 16]>()));
        let path = dir.join(name);
        crate::vault::write_new(&path, bytes, "~syncthing~relais-")?;
        written.push(path);
    }
    Ok(written)
}

/// Where a file in the inbox stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InboxState {
    /// A share or a transfer, opened and verified, waiting for the worker to import it.
    Waiting,
    /// A receipt or a team report not recorded yet (its sender is not verified, or it did not
    /// apply). Neither carries a record: from a verified colleague, they are recorded as read.
    Receipt,
    /// Imported before (the same bundle delivered twice): nothing to do but clean it.
    AlreadyImported,
    /// The same bundle as an earlier file of this inbox.
    Duplicate,
    /// Refused: damaged, incomplete, not for this vault, unknown sender… (`problem` says).
    Refused,
}

/// A file of the inbox.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InboxItem {
    /// The file's name in this vault's inbox (its id for [`import`]).
    pub file: String,
    /// Where it stands.
    pub state: InboxState,
    /// The bundle's id, once opened.
    pub bundle_id: Option<String>,
    /// Share, transfer or receipt, once opened.
    pub kind: Option<BundleKind>,
    /// The sender's name in this vault's contact book.
    pub sender: Option<String>,
    /// Whether the sender's fingerprint was checked in person.
    pub sender_verified: bool,
    /// How many cases it carries (or, for a receipt, acknowledges).
    pub persons: usize,
    /// When the sender made it (as signed).
    pub created_at: Option<String>,
    /// The file's size in bytes.
    pub size: u64,
    /// Why it is refused: the error's code, and its message in the worker's language.
    pub problem: Option<(String, String)>,
}

/// A file of the inbox left alone, and why.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Ignored {
    /// The file's name.
    pub file: String,
    /// `in_transit` (a sync engine or Relais still writing it), `conflict_copy` (a sync
    /// engine's copy of a file changed on two sides) or `not_a_bundle` (not a `.relais` file).
    pub reason: String,
}

/// The inbox: what waits in this vault's sub-folder of the team folder.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct Inbox {
    /// This vault's inbox folder.
    pub folder: String,
    /// The bundles and receipts, oldest first.
    pub items: Vec<InboxItem>,
    /// Files left alone.
    pub ignored: Vec<Ignored>,
    /// Receipts recorded by this reading (see [`take_receipts`]).
    pub receipts: Vec<ReceiptTaken>,
    /// Team reports recorded by this reading (who sent them; see the team overview).
    pub reports: Vec<String>,
    /// Files imported before and cleaned by this reading.
    pub cleaned: usize,
    /// Cases handed off whose receipt came back: they can be purged.
    pub purgeable: usize,
}

/// A receipt recorded from the inbox.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReceiptTaken {
    /// Who sent it (name in the contact book).
    pub sender: String,
    /// How many handed-off cases it acknowledges.
    pub persons: usize,
}

/// Why a file is left alone, by its name alone: `None` for a bundle to open.
pub fn ignored_reason(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if lower.starts_with("~syncthing~") || lower.starts_with(".syncthing.") || lower.starts_with('.') || lower.ends_with(".tmp") {
        return Some("in_transit");
    }
    if lower.contains(".sync-conflict-") || lower.contains("conflicted copy") || lower.contains(" (conflict") {
        return Some("conflict_copy");
    }
    if !lower.ends_with(&format!(".{EXT}")) {
        return Some("not_a_bundle");
    }
    None
}

/// This vault's inbox folder.
fn inbox_dir(store: &Store) -> Result<PathBuf> {
    let me = store.meta(Meta::Fingerprint)?.unwrap_or_default();
    let dir = folder(store)?.join(fingerprint_dir(&me)?);
    std::fs::create_dir_all(&dir)?;
    not_a_link(&dir)?;
    Ok(dir)
}

/// An inbox must be a folder of the team folder itself, not a link: whoever syncs the folder
/// could otherwise point it at any folder of the worker's disk, whose files Relais would list,
/// open, move into `traite/` or delete, or write bundles into.
fn not_a_link(dir: &Path) -> Result<()> {
    if std::fs::symlink_metadata(dir)?.file_type().is_symlink() { Err(Error::TeamInboxIsALink(dir.to_owned())) } else { Ok(()) }
}

/// Reads the inbox: opens and verifies every bundle in it (nothing is applied), records the
/// receipts that came back ([`take_receipts`]) and cleans files imported before. Messages in
/// `lang`.
pub fn inbox(store: &mut Store, lang: Lang) -> Result<Inbox> {
    let dir = inbox_dir(store)?;
    let contacts = contacts_state(store)?;
    let mut inbox = read_inbox(store, &dir, &contacts, lang)?;
    (inbox.receipts, inbox.reports) = take_receipts(store, &dir, &contacts, &mut inbox.items, lang)?;
    let cleanup = settings(store)?.cleanup;
    let before = inbox.items.len();
    inbox.items.retain(|i| {
        let done = matches!(i.state, InboxState::AlreadyImported | InboxState::Duplicate);
        // A file that cannot be moved stays listed: nothing is lost, it is tried again.
        !(done && clean(&dir, &i.file, cleanup).is_ok())
    });
    inbox.cleaned = before - inbox.items.len();
    inbox.purgeable = purgeable(store)?.len();
    Ok(inbox)
}

/// What makes what a file was found to be hold: the file unchanged (device, inode, size, times:
/// `ctime` moves with any write, rename or `chmod`, and no one can set it back) and the contact
/// book the same (a sender unknown yesterday may be a contact today, a name may change). Our own
/// identity never changes.
fn memo_key(name: &str, meta: &std::fs::Metadata, contacts: &str) -> String {
    #[cfg(unix)]
    let file = {
        use std::os::unix::fs::MetadataExt;
        format!(
            "{}:{}:{}:{}.{}:{}.{}",
            meta.dev(),
            meta.ino(),
            meta.size(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec()
        )
    };
    #[cfg(not(unix))]
    let file = format!("{}:{:?}", meta.len(), meta.modified().ok());
    format!("{name}\0{file}\0{contacts}")
}

/// The contact book as [`memo_key`] needs it: what `open` reads of it.
fn contacts_state(store: &Store) -> Result<String> {
    let rows: String = store.conn().query_row(
        "SELECT coalesce(group_concat(id || ' ' || signing_key || ' ' || age_recipient || ' ' || coalesce(verified_on, '') || ' ' || name, char(10)), '')
         FROM (SELECT * FROM contacts ORDER BY id)",
        [],
        |r| r.get(0),
    )?;
    Ok(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(rows.as_bytes())))
}

#[cfg(feature = "test-support")]
thread_local! {
    static DECRYPTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many inbox files readings of the inbox decrypted (to list them, or to record a receipt
/// or a report) on this thread (tests).
#[cfg(feature = "test-support")]
pub fn inbox_files_decrypted() -> usize {
    DECRYPTED.with(std::cell::Cell::get)
}

/// How many files' findings the store keeps (tests).
#[cfg(feature = "test-support")]
pub fn inbox_files_remembered(store: &Store) -> usize {
    store.inbox_memo().borrow().len()
}

/// What a file of the inbox was found to be, kept while the vault stays open under
/// [`memo_key`]: every reading (each half minute) would otherwise decrypt every file again,
/// holding the vault, and the worker's « Verrouiller », while it does. A junk file (anyone who
/// has the worker's card can encrypt one to her, up to the largest bundle) costs one decryption.
#[derive(Clone)]
enum Found {
    /// Opened and verified: what the list shows of it. Whether it was imported is read anew.
    Opened(Summary),
    /// Refused: the error's code, its French and its English message.
    Refused([String; 3]),
}

impl Found {
    /// What is kept of an error: a refusal, unless the disk or the database failed (said, not
    /// kept: the next reading tries again).
    fn refusal(e: &Error) -> Option<Found> {
        (!matches!(e, Error::Io(_) | Error::Database(_)))
            .then(|| Found::Refused([e.code().to_owned(), e.message(Lang::Fr), e.message(Lang::En)]))
    }
}

#[derive(Clone)]
struct Summary {
    bundle_id: String,
    kind: BundleKind,
    sender_fingerprint: String,
    sender_name: String,
    sender_verified: bool,
    persons: usize,
    created_at: String,
}

fn read_inbox(store: &Store, dir: &Path, contacts: &str, lang: Lang) -> Result<Inbox> {
    let mut files: Vec<(std::time::SystemTime, String, u64, String)> = Vec::new();
    let mut ignored = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        // Only plain files: a symbolic link could point anywhere on the disk.
        let meta = entry.metadata()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !meta.is_file() {
            continue;
        }
        match ignored_reason(&name) {
            Some(reason) => ignored.push(Ignored { file: name, reason: reason.into() }),
            None => {
                let key = memo_key(&name, &meta, contacts);
                files.push((meta.modified().unwrap_or(std::time::UNIX_EPOCH), name, meta.len(), key));
            }
        }
    }
    files.sort();
    ignored.sort_by(|a, b| a.file.cmp(&b.file));
    let mut items: Vec<InboxItem> = Vec::new();
    // (sender, bundle id) of the bundles listed so far: a second file of the same is a copy.
    let mut listed: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    // What was found of files gone (or changed, or read under another contact book) is let go:
    // the memo holds at most what the inbox holds.
    let current: std::collections::HashSet<&String> = files.iter().map(|(_, _, _, key)| key).collect();
    store.inbox_memo().borrow_mut().retain(|key, _| current.contains(key));
    for (_, name, size, key) in files {
        let mut item = InboxItem {
            file: name.clone(),
            state: InboxState::Refused,
            bundle_id: None,
            kind: None,
            sender: None,
            sender_verified: false,
            persons: 0,
            created_at: None,
            size,
            problem: None,
        };
        let known = store.inbox_memo().borrow().get(&key).and_then(|m| m.downcast_ref::<Found>()).cloned();
        let found = match known {
            Some(found) => found,
            None => {
                #[cfg(feature = "test-support")]
                DECRYPTED.with(|d| d.set(d.get() + 1));
                let found = match open_file(store, &dir.join(&name), true) {
                    Ok(o) => Found::Opened(Summary {
                        bundle_id: o.manifest.bundle_id.clone(),
                        kind: o.manifest.kind,
                        sender_fingerprint: o.manifest.sender.fingerprint.clone(),
                        sender_name: o.sender_name.clone(),
                        sender_verified: o.sender_verified,
                        persons: o.manifest.persons.len(),
                        created_at: o.manifest.created_at.clone(),
                    }),
                    Err(e) => match Found::refusal(&e) {
                        Some(refused) => refused,
                        None => {
                            item.problem = Some((e.code().to_owned(), e.message(lang)));
                            items.push(item);
                            continue;
                        }
                    },
                };
                store.inbox_memo().borrow_mut().insert(key, Box::new(found.clone()));
                found
            }
        };
        match found {
            Found::Opened(m) => {
                item.state = if seen_from(store.conn(), &m.sender_fingerprint, &m.bundle_id)? {
                    InboxState::AlreadyImported
                } else if !listed.insert((m.sender_fingerprint.clone(), m.bundle_id.clone())) {
                    InboxState::Duplicate
                } else if matches!(m.kind, BundleKind::Receipt | BundleKind::Report) {
                    InboxState::Receipt
                } else {
                    InboxState::Waiting
                };
                item.bundle_id = Some(m.bundle_id);
                item.kind = Some(m.kind);
                item.sender = Some(m.sender_name);
                item.sender_verified = m.sender_verified;
                item.persons = m.persons;
                item.created_at = Some(m.created_at);
            }
            Found::Refused([code, fr, en]) => item.problem = Some((code, lang.pick(&fr, &en).to_owned())),
        }
        items.push(item);
    }
    Ok(Inbox { folder: dir.display().to_string(), items, ignored, ..Inbox::default() })
}

/// Whether this bundle of this sender was imported here before. By both: a bundle's id is its
/// sender's to choose, and every recipient of a share reads it; the same id from someone else
/// is another bundle.
pub(super) fn seen_from(conn: &rusqlite::Connection, sender: &str, bundle_id: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT count(*) FROM bundles_seen WHERE bundle_id = ?1 AND direction = 'in' AND peer = ?2",
        [bundle_id, sender],
        |r| r.get::<_, i64>(0),
    )? > 0)
}

/// Records the receipts of the inbox whose sender is verified: they carry no record, and each
/// must name exactly the cases a transfer of this vault handed to its sender (or it is refused,
/// and stays listed with the reason). A recorded receipt's file is cleaned.
fn take_receipts(
    store: &mut Store,
    dir: &Path,
    contacts: &str,
    items: &mut Vec<InboxItem>,
    lang: Lang,
) -> Result<(Vec<ReceiptTaken>, Vec<String>)> {
    let mut taken = Vec::new();
    let mut reports = Vec::new();
    let cleanup = settings(store)?.cleanup;
    let mut keep = Vec::with_capacity(items.len());
    for mut item in std::mem::take(items) {
        if item.state == InboxState::Receipt && item.sender_verified {
            #[cfg(feature = "test-support")]
            DECRYPTED.with(|d| d.set(d.get() + 1));
            let applied = open_file(store, &dir.join(&item.file), false).and_then(|o| {
                apply(store, &o, &mut |_, _| {})?;
                Ok(o)
            });
            match applied {
                Ok(o) => {
                    if o.manifest.kind == BundleKind::Report {
                        reports.push(o.sender_name);
                    } else {
                        taken.push(ReceiptTaken { sender: o.sender_name, persons: o.manifest.persons.len() });
                    }
                    if clean(dir, &item.file, cleanup).is_ok() {
                        continue;
                    }
                    item.state = InboxState::AlreadyImported;
                }
                Err(e) => {
                    // Kept as read_inbox keeps a refusal: it would be opened in full again at
                    // every reading otherwise.
                    if let Some(refused) = Found::refusal(&e)
                        && let Ok(meta) = std::fs::symlink_metadata(dir.join(&item.file))
                    {
                        store.inbox_memo().borrow_mut().insert(memo_key(&item.file, &meta, contacts), Box::new(refused));
                    }
                    item.state = InboxState::Refused;
                    item.problem = Some((e.code().to_owned(), e.message(lang)));
                }
            }
        }
        keep.push(item);
    }
    *items = keep;
    Ok((taken, reports))
}

/// Moves an imported file to `traite/` or deletes it.
fn clean(dir: &Path, file: &str, cleanup: Cleanup) -> Result<()> {
    let from = dir.join(file);
    match cleanup {
        Cleanup::Delete => std::fs::remove_file(&from)?,
        Cleanup::Move => {
            let done = dir.join(DONE_DIR);
            // Never through a link: anyone who syncs the folder could make `traite` point
            // anywhere on this disk. The file then stays in the inbox, listed.
            match std::fs::symlink_metadata(&done) {
                Ok(m) if !m.is_dir() => return Err(Error::TeamFolderUnavailable(done)),
                Ok(_) => {}
                Err(_) => std::fs::create_dir(&done)?,
            }
            std::fs::rename(&from, done.join(file))?;
        }
    }
    Ok(())
}

/// The path of an inbox file named by the worker: a plain name of a file in the inbox, never a
/// path elsewhere.
fn inbox_file(store: &Store, file: &str) -> Result<PathBuf> {
    let dir = inbox_dir(store)?;
    let plain = Path::new(file).file_name().is_some_and(|n| n == file) && ignored_reason(file).is_none();
    let path = dir.join(file);
    if !plain || !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return Err(Error::NotInInbox);
    }
    Ok(path)
}

/// Opens a file of the inbox (decrypt, verify sender and recipients): what [`preview`] and
/// [`apply`] take.
pub fn open_item(store: &Store, file: &str, accept_unverified: bool) -> Result<Opened> {
    let path = inbox_file(store, file)?;
    open_file(store, &path, accept_unverified)
}

/// What followed an import from the inbox.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct AfterImport {
    /// For a transfer: the receipt was written to the sender's inbox.
    pub receipt_sent: bool,
    /// Why it could not be (the message, in the worker's language); `relais team receipt`
    /// or the app's inbox sends it again.
    pub receipt_problem: Option<String>,
    /// The file was moved to `traite/` or deleted.
    pub cleaned: bool,
}

/// After a bundle of the inbox was applied (or found already imported): for a transfer, sends
/// its receipt back through the team folder; then cleans the file. The import itself stands
/// whatever happens here.
pub fn after_import(store: &Store, file: &str, o: &Opened, lang: Lang) -> Result<AfterImport> {
    let mut done = AfterImport::default();
    if o.manifest.kind == BundleKind::Transfer {
        match send_receipt(store, Some(&o.manifest.bundle_id)) {
            Ok(_) => done.receipt_sent = true,
            Err(e) => done.receipt_problem = Some(e.message(lang)),
        }
    }
    let dir = inbox_dir(store)?;
    done.cleaned = clean(&dir, file, settings(store)?.cleanup).is_ok();
    Ok(done)
}

/// Takes a file out of the inbox without importing it (one refused, or not wanted): moved to
/// `traite/` or deleted, as for an imported one. Audited.
pub fn discard(store: &mut Store, file: &str) -> Result<()> {
    let path = inbox_file(store, file)?;
    let cleanup = settings(store)?.cleanup;
    let dir = path.parent().expect("an inbox file has a folder").to_owned();
    store.write(|w| w.audit_event("team.discard", None, vec![format!("file={file}")]))?;
    clean(&dir, file, cleanup)
}

/// Writes the receipt of an imported transfer (the latest when `bundle_id` is `None`) into its
/// sender's inbox.
pub fn send_receipt(store: &Store, bundle_id: Option<&str>) -> Result<Manifest> {
    let (bytes, manifest) = build_receipt(store, bundle_id, false)?;
    let to: Vec<String> = manifest.recipients.iter().map(|r| r.fingerprint.clone()).collect();
    deliver(store, &to, &bytes)?;
    Ok(manifest)
}

/// A case exchanged with a colleague through this vault.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TeamCase {
    /// The person's id.
    pub person_id: String,
    /// Their alias.
    pub alias: String,
    /// The case's status (code: `active`, `handed_off`…).
    pub status: String,
    /// Who holds the pen on it.
    pub holder: crate::case::person_file::Author,
    /// The last bundle about it between this vault and the colleague (either way).
    pub last_exchange: String,
    /// Handed to the colleague by a transfer whose receipt has not come back.
    pub awaiting_receipt: bool,
}

/// A colleague, and what this vault exchanged with her: the supervisor's view of her team.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Colleague {
    /// Her contact's id.
    pub contact_id: String,
    /// Her name in the contact book.
    pub name: String,
    /// Her organisation.
    pub org: Option<String>,
    /// Whether her fingerprint was checked in person.
    pub verified: bool,
    /// The cases shared with or transferred to or from her through this vault (still here).
    pub cases: Vec<TeamCase>,
    /// The last bundle or receipt between her and this vault.
    pub last_exchange: Option<String>,
    /// Transfers to her whose receipt has not come back (cases).
    pub pending_receipts: usize,
    /// Her changes that conflict with this vault's, waiting for a decision.
    pub conflicts: usize,
    /// Her proposals on cases this vault holds, waiting for a decision.
    pub proposals: usize,
    /// The newest team report she sent: when she made it, and its cases.
    pub report: Option<(String, TeamReport)>,
}

/// For each contact, what this vault exchanged with her (colleagues with no exchange last).
pub fn overview(store: &Store) -> Result<Vec<Colleague>> {
    let contacts = store.list_all(crate::record::Kind::Contact)?;
    // Who holds each case, by name: every holder named once (not the contact book per case).
    let names = crate::case::person_file::named(
        store,
        contacts.iter().filter_map(|c| crate::record::str_field(c, "fingerprint")).chain(store.meta(Meta::Fingerprint)?.as_deref()),
    )?;
    let conn = store.conn();
    // Every bundle seen, either way: (peer fingerprints, when, persons).
    let mut seen = conn.prepare("SELECT peer, at, persons FROM bundles_seen")?;
    let bundles: Vec<(String, String, String)> =
        seen.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for c in &contacts {
        let s = |k: &str| crate::record::str_field(c, k).map(str::to_owned);
        let fp = s("fingerprint").unwrap_or_default();
        let mut last: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        let mut last_exchange: Option<String> = None;
        for (peer, at, persons) in &bundles {
            if !peer.split(',').any(|p| p == fp) {
                continue;
            }
            if last_exchange.as_ref().is_none_or(|l| at > l) {
                last_exchange = Some(at.clone());
            }
            for pid in serde_json::from_str::<Vec<String>>(persons).unwrap_or_default() {
                let e = last.entry(pid).or_default();
                if at > e {
                    *e = at.clone();
                }
            }
        }
        let awaiting: std::collections::BTreeSet<String> = conn
            .prepare_cached("SELECT person_id FROM handoffs WHERE to_fingerprint = ?1 AND receipt_at IS NULL AND purged_at IS NULL")?
            .query_map([&fp], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut cases = Vec::new();
        for (pid, at) in last {
            let Some((alias, status, owner)) = conn
                .prepare_cached("SELECT alias, status, owner FROM persons WHERE id = ?1")?
                .query_row([&pid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))
                .optional()?
            else {
                continue; // purged or destroyed since
            };
            let holder_fp = owner.filter(|o| !o.is_empty());
            let holder = match holder_fp {
                None => crate::case::person_file::Author::Me,
                Some(h) => names.get(&h).cloned().unwrap_or(crate::case::person_file::Author::Unknown),
            };
            cases.push(TeamCase { awaiting_receipt: awaiting.contains(&pid), person_id: pid, alias, status, holder, last_exchange: at });
        }
        cases.sort_by(|a, b| a.alias.cmp(&b.alias));
        let count = |reason: &str| -> Result<usize> {
            Ok(conn.query_row(
                "SELECT count(*) FROM conflicts WHERE sender = ?1 AND reason = ?2 AND resolved_at IS NULL",
                [&fp, reason],
                |r| r.get::<_, i64>(0),
            )? as usize)
        };
        out.push(Colleague {
            contact_id: s("id").unwrap_or_default(),
            name: s("name").unwrap_or_default(),
            org: s("org"),
            verified: c.get("verified_on").is_some_and(|v| !v.is_null()),
            pending_receipts: awaiting.len(),
            conflicts: count("conflict")?,
            proposals: count("proposal")?,
            report: received_report(store, &fp)?,
            cases,
            last_exchange,
        });
    }
    out.sort_by(|a, b| b.last_exchange.cmp(&a.last_exchange).then_with(|| a.name.cmp(&b.name)));
    Ok(out)
}

/// The most cases a team report may carry (a worker's caseload is a few dozen).
const MAX_REPORT_CASES: usize = 10_000;

/// This vault's team report as of `today`: per case it holds that is open (active or on hold),
/// the alias, status, phase of the newest open need, next planned appointment, overdue tasks and
/// referral follow-ups, days since the last contact. Nothing else: no notes, no legal names.
pub fn build_report(store: &Store, today: chrono::NaiveDate) -> Result<TeamReport> {
    let today_s = today.to_string();
    let now = crate::time::to_db(chrono::Utc::now());
    let mut stmt = store.conn().prepare(&format!(
        "SELECT p.alias, p.status,
                (SELECT n.phase FROM needs n WHERE n.person_id = p.id AND n.closed_on IS NULL
                  ORDER BY n.identified_on DESC, n.created_at DESC LIMIT 1),
                (SELECT min(a.starts_at) FROM appointments a WHERE a.person_id = p.id AND a.status = 'planned' AND a.starts_at >= ?2),
                (SELECT count(*) FROM tasks t WHERE t.person_id = p.id AND t.done_at IS NULL AND t.due_on < ?1)
                + (SELECT count(*) FROM referrals r WHERE r.person_id = p.id AND r.follow_up_on < ?1
                    AND r.status IN {awaiting}),
                p.last_contact
           FROM persons p
          WHERE p.status IN ('active', 'on_hold') AND (p.owner IS NULL OR p.owner = '')
          ORDER BY p.alias",
        awaiting = crate::model::status::ReferralStatus::AWAITING_SQL
    ))?;
    let rows = stmt.query_map([&today_s, &now], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut cases = Vec::new();
    for row in rows {
        let (alias, status, phase, next, overdue, last) = row?;
        let local_date = |s: &str| crate::time::from_db(s).map(crate::time::local_date);
        cases.push(ReportCase {
            alias,
            status,
            phase,
            next_appointment: next.as_deref().and_then(local_date).map(|d| d.to_string()),
            overdue: u32::try_from(overdue).unwrap_or(u32::MAX),
            days_since_contact: last
                .as_deref()
                .and_then(local_date)
                .map(|d| u32::try_from((today - d).num_days().max(0)).unwrap_or(u32::MAX)),
        });
    }
    Ok(TeamReport { cases })
}

/// Builds, signs and encrypts this vault's team report for the contact `to` (verified only).
/// Returns the file's bytes and its manifest; nothing is recorded until [`commit_report`].
pub fn report_bundle(store: &Store, to: &str, today: chrono::NaiveDate) -> Result<(Vec<u8>, Manifest, usize)> {
    let report = build_report(store, today)?;
    let cases = report.cases.len();
    let content = Content { report: Some(report), ..Content::default() };
    let (bytes, manifest) = super::export::seal_for_contact(store, to, BundleKind::Report, content, true)?;
    Ok((bytes, manifest, cases))
}

/// Records that a team report was sent (after its file is written): audited, with the number of
/// cases it names.
pub fn commit_report(store: &mut Store, manifest: &Manifest, cases: usize) -> Result<()> {
    store.write(|w| {
        w.conn().execute(
            "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES (?1, 'out', 'report', ?2, ?3, '{}', '[]')",
            rusqlite::params![manifest.bundle_id, manifest.recipients[0].fingerprint, manifest.created_at],
        )?;
        w.audit_event(
            "team.report.sent",
            None,
            vec![format!("bundle={}", manifest.bundle_id), format!("to={}", manifest.recipients[0].fingerprint), format!("cases={cases}")],
        )
    })
}

/// Sends this vault's team report to `to` through the team folder. Returns how many cases it
/// names.
pub fn send_report(store: &mut Store, to: &str, today: chrono::NaiveDate) -> Result<usize> {
    let (bytes, manifest, cases) = report_bundle(store, to, today)?;
    deliver(store, &[manifest.recipients[0].fingerprint.clone()], &bytes)?;
    commit_report(store, &manifest, cases)?;
    Ok(cases)
}

/// Checks a received team report: no record, no person, a report of bounded size whose every
/// value is what Relais writes. Returns whether it was imported before (a replay).
pub(super) fn check_report(store: &Store, o: &Opened) -> Result<bool> {
    let r = o.report.as_ref().ok_or_else(|| malformed("content.report"))?;
    // A supervisor's view is only what verified colleagues said (an import that accepts an
    // unverified sender does not take a report from one).
    if !o.sender_verified {
        return Err(Error::UnverifiedSender);
    }
    report_made(o)?;
    if !o.records.is_empty()
        || !o.documents.is_empty()
        || !o.manifest.persons.is_empty()
        || !o.manifest.counts.is_empty()
        || o.manifest.receipt_for.is_some()
    {
        return Err(malformed("report: records"));
    }
    if r.cases.len() > MAX_REPORT_CASES {
        return Err(malformed("content.report.cases"));
    }
    let cat = crate::model::catalogue::Catalogues::get();
    for c in &r.cases {
        let date_ok = |d: &Option<String>| d.as_deref().is_none_or(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
        // What build_report sends: open cases only (active or on hold), counts a caseload can
        // reach (a hundred years of days, ten thousand overdue items).
        if c.alias.trim().is_empty()
            || c.alias.chars().count() > 200
            || !matches!(c.status.as_str(), "active" | "on_hold")
            || c.overdue > 10_000
            || c.days_since_contact.is_some_and(|d| d > 36_600)
            || c.phase.as_deref().is_some_and(|p| cat.entry("phases", p).is_none())
            || !date_ok(&c.next_appointment)
        {
            return Err(malformed("content.report.cases"));
        }
    }
    seen_from(store.conn(), &o.manifest.sender.fingerprint, &o.manifest.bundle_id)
}

/// When a report was made, as its manifest says, read as an instant: no later than a day from
/// now. Compared as text, a date written another way, or one in 2099 (a hostile sender, a
/// laptop's clock gone wrong), kept a colleague's row frozen and every later report dropped.
fn report_made(o: &Opened) -> Result<chrono::DateTime<chrono::Utc>> {
    crate::time::from_db(&o.manifest.created_at)
        .filter(|t| *t <= chrono::Utc::now() + chrono::Duration::days(1))
        .ok_or_else(|| malformed("manifest.created_at"))
}

/// Keeps a received team report: the newest from each colleague replaces the one before (an
/// older one arriving late changes nothing but is remembered as seen). One transaction, audited.
pub(super) fn apply_report(store: &mut Store, o: &Opened) -> Result<Preview> {
    let replay = check_report(store, o)?;
    let preview = |applied| make_preview(o, Counts::default(), Vec::new(), replay, None, applied);
    if replay {
        return Ok(preview(false));
    }
    let r = o.report.as_ref().expect("checked");
    // In one form (as Relais writes a manifest's: UTC, milliseconds), so that text compares as time.
    let made = report_made(o)?.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let sender = o.manifest.sender.fingerprint.clone();
    store.write(|w| {
        let now = crate::time::to_db(w.now());
        w.conn().execute(
            "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES (?1, 'in', 'report', ?2, ?3, '{}', '[]')",
            rusqlite::params![o.manifest.bundle_id, sender, now],
        )?;
        w.conn().execute(
            "INSERT INTO team_reports (sender, bundle_id, created_at, received_at, body) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (sender) DO UPDATE SET bundle_id = excluded.bundle_id, created_at = excluded.created_at,
                received_at = excluded.received_at, body = excluded.body
             WHERE excluded.created_at > team_reports.created_at",
            rusqlite::params![sender, o.manifest.bundle_id, made, now, serde_json::to_string(r).expect("report serializes")],
        )?;
        if let Some(a) = &o.manifest.audit_anchor {
            crate::vault::audit::keep_received(w.conn(), a, &o.manifest.sender.signing_key, &now)?;
        }
        w.audit_event(
            "team.report.received",
            None,
            vec![format!("bundle={}", o.manifest.bundle_id), format!("sender={sender}"), format!("cases={}", r.cases.len())],
        )
    })?;
    Ok(preview(true))
}

/// The newest team report received from `fingerprint`: (when she made it, the report).
pub fn received_report(store: &Store, fingerprint: &str) -> Result<Option<(String, TeamReport)>> {
    let row: Option<(String, String)> = store
        .conn()
        .query_row("SELECT created_at, body FROM team_reports WHERE sender = ?1", [fingerprint], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(at, body)| Ok((at, serde_json::from_str(&body).map_err(|_| malformed("team_reports.body"))?))).transpose()
}

/// Sets (or, with `None`, stops) the team report sent by itself every `every_days` days to a
/// verified contact. Audited.
pub fn set_report_schedule(store: &mut Store, schedule: Option<&ReportSchedule>) -> Result<()> {
    if let Some(s) = schedule {
        if !(1..=90).contains(&s.every_days) {
            return Err(Error::invalid("every_days", crate::error::Problem::MalformedNumber));
        }
        let c = store.get(crate::record::Kind::Contact, &s.to)?;
        if c.get("verified_on").is_none_or(serde_json::Value::is_null) {
            return Err(Error::UnverifiedContact);
        }
    }
    store.write(|w| {
        match schedule {
            Some(s) => w.set_meta(Meta::TeamReportSchedule, &format!("{} {}", s.to, s.every_days))?,
            None => w.delete_meta(Meta::TeamReportSchedule)?,
        }
        let what = schedule.map_or("off".to_owned(), |s| format!("every_days={}", s.every_days));
        w.audit_event("team.report.schedule", None, vec![what])
    })
}

/// Sends the scheduled team report when it is due at `now`: none was sent to that contact yet,
/// or the last one is `every_days` old. Returns how many cases it named, `None` when nothing was
/// due (or no schedule, or no team folder). The app checks at each unlock and each inbox read.
pub fn report_if_due(store: &mut Store, now: chrono::DateTime<chrono::Utc>) -> Result<Option<usize>> {
    let Some(s) = settings(store)?.report_schedule else { return Ok(None) };
    if store.meta(Meta::TeamFolder)?.is_none() {
        return Ok(None);
    }
    let fp: String =
        store.conn().query_row("SELECT fingerprint FROM contacts WHERE id = ?1", [&s.to], |r| r.get(0)).optional()?.unwrap_or_default();
    let last: Option<String> = store.conn().query_row(
        "SELECT max(at) FROM bundles_seen WHERE direction = 'out' AND kind = 'report' AND peer = ?1",
        [&fp],
        |r| r.get(0),
    )?;
    let due = last.as_deref().and_then(crate::time::from_db).is_none_or(|at| now - at >= chrono::Duration::days(i64::from(s.every_days)));
    if !due {
        return Ok(None);
    }
    send_report(store, &s.to, crate::time::local_date(now)).map(Some)
}
