//! The unlocked vault: an open SQLCipher connection and every read and write of the case model.
//!
//! All writes go through [`Store::write`], which runs one IMMEDIATE transaction and hands out a
//! [`Writer`]: the only type that can insert or change a record, and it always appends the
//! audit event in that same transaction. A failure anywhere rolls the whole thing back.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params_from_iter};
use serde_json::{Value, json};

use crate::error::{Error, Problem, Result};
use crate::model::catalogue::Catalogues;
use crate::model::status::CaseStatus;
use crate::model::versions::Versions;
use crate::record::{Col, Fields, Kind, ReadFields, Ty};
use crate::secret::{DbKey, SecretText};
use crate::vault::audit::{self, Change, Head};
use crate::{model, time};

/// The migrations, in order. Forward only: a released file is never edited, a change is a new
/// file. Applied each in its own IMMEDIATE transaction and recorded in `schema_migrations`.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../../../../schema/migrations/0001_initial.sql")),
    (2, "identities_bundles", include_str!("../../../../schema/migrations/0002_identities_bundles.sql")),
    (3, "privacy_duties", include_str!("../../../../schema/migrations/0003_privacy_duties.sql")),
    (4, "authorship", include_str!("../../../../schema/migrations/0004_authorship.sql")),
    (5, "senders_seen", include_str!("../../../../schema/migrations/0005_senders_seen.sql")),
    (6, "audit_anchors", include_str!("../../../../schema/migrations/0006_audit_anchors.sql")),
    (7, "intake_risk_identity", include_str!("../../../../schema/migrations/0007_intake_risk_identity.sql")),
    (8, "interpreters", include_str!("../../../../schema/migrations/0008_interpreters.sql")),
    (9, "time_and_expenses", include_str!("../../../../schema/migrations/0009_time_and_expenses.sql")),
    (10, "contact_indexes", include_str!("../../../../schema/migrations/0010_contact_indexes.sql")),
    (11, "merged_persons", include_str!("../../../../schema/migrations/0011_merged_persons.sql")),
    (12, "last_contact", include_str!("../../../../schema/migrations/0012_last_contact.sql")),
    (13, "team_reports", include_str!("../../../../schema/migrations/0013_team_reports.sql")),
    (14, "documents", include_str!("../../../../schema/migrations/0014_documents.sql")),
    (15, "permit_status", include_str!("../../../../schema/migrations/0015_permit_status.sql")),
    (16, "dashboard_counts", include_str!("../../../../schema/migrations/0016_dashboard_counts.sql")),
    (17, "closed_persons", include_str!("../../../../schema/migrations/0017_closed_persons.sql")),
    (18, "backup_index", include_str!("../../../../schema/migrations/0018_backup_index.sql")),
    (19, "statistics_indexes", include_str!("../../../../schema/migrations/0019_statistics_indexes.sql")),
    (20, "bundles_seen_by_sender", include_str!("../../../../schema/migrations/0020_bundles_seen_by_sender.sql")),
];

/// The fields every record has besides its kind's columns, in the order the store selects them.
pub const BASE_FIELDS: [&str; 7] = ["id", "created_at", "updated_at", "revision", "created_by", "updated_by", "versions"];
/// Where a kind's own columns start in a selected row.
const FIRST_COL: usize = BASE_FIELDS.len();

/// The newest schema this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// An unlocked vault database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    actor: String,
    memo: std::cell::RefCell<Vec<Memo>>,
    /// Which connection this is, of those the process opened ([`Mark`]).
    serial: u64,
    /// What the team inbox's files were found to be while this store is open, by what makes it
    /// hold (`exchange::team`, which alone knows the values' type): read again every half
    /// minute, an unchanged file is not decrypted again.
    inbox_memo: std::cell::RefCell<std::collections::HashMap<String, Box<dyn std::any::Any + Send>>>,
}

/// The connections the process opened so far (each store's [`Store::serial`]).
static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Stops a store's current read from another thread ([`Store::interrupt_handle`]).
pub struct Interrupt(rusqlite::InterruptHandle);

impl Interrupt {
    /// Makes the statement running on the store's connection fail; nothing if none runs or the
    /// connection is closed.
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

/// Where a store's data stands ([`Store::memo`]): which connection, the rows it inserted,
/// changed or deleted since it was opened (triggers included, a rolled-back write too), and
/// SQLite's count of commits by other connections. Any change to the data moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark(u64, u64, i64);

/// How many answers [`Store::memo`] keeps (a few periods of statistics).
const MEMO_ANSWERS: usize = 4;

/// One answer computed from the whole vault ([`Store::memo`]): its key, the vault's change
/// mark when it was computed, the answer.
type Memo = (String, Mark, Box<dyn std::any::Any + Send>);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// SQLCipher's memory security (every allocation SQLite frees wiped first, its pages locked out
/// of swap with `mlock`): off. It is process-wide and, once on, stays on; it costs a system call
/// per allocation: `make bench` measures it (BENCHMARKS.md, "cipher_memory_security": the test
/// suite ran about five times slower with it on). What it would protect, decrypted pages in
/// freed memory, lives in a process that cannot be dumped or read by another process of the
/// user (`secret::harden_process`), and the key's text form is wiped by Relais itself.
static MEMORY_SECURITY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns SQLCipher's memory security on for this process, before the first vault is opened:
/// for the benchmark that measures what it costs.
#[cfg(feature = "test-support")]
pub fn with_memory_security() {
    MEMORY_SECURITY.store(true, std::sync::atomic::Ordering::SeqCst);
}

impl Store {
    /// Opens (creating if needed) the database at `path` with the raw key, applies pending
    /// migrations, and refuses a vault written by a newer schema.
    pub(crate) fn open(path: &Path, key: &DbKey, create: bool) -> Result<Store> {
        let conn = open_connection(path, create)?;
        keyed(&conn, key)?;
        Self::finish_open(conn, path)
    }

    /// A store on `conn`, with its own serial ([`Mark`]) and nothing remembered yet.
    fn on(conn: Connection, path: &Path, actor: String) -> Store {
        Store {
            conn,
            path: path.to_owned(),
            actor,
            memo: std::cell::RefCell::new(Vec::new()),
            serial: OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            inbox_memo: std::cell::RefCell::new(std::collections::HashMap::new()),
        }
    }

    /// Opens a database WITHOUT encryption: plain SQLite, same schema and code. Only for the
    /// tests' controls and the SQLCipher/plain benchmark ratio.
    #[cfg(feature = "plaintext-control")]
    pub fn open_unencrypted_control(path: &Path, owner: &str) -> Result<Store> {
        let conn = open_connection(path, true)?;
        let mut s = Self::finish_open(conn, path)?;
        s.set_meta(Meta::OwnerName, owner)?;
        s.actor = owner.to_owned();
        crate::vault::keys::ensure(&mut s)?;
        Ok(s)
    }

    fn finish_open(conn: Connection, path: &Path) -> Result<Store> {
        // The first read decrypts page 1: with a key that does not match, SQLCipher answers
        // "file is not a database" here.
        // Anything else (a full disk that leaves no room for the WAL index…) is said as it is,
        // not as a damaged vault.
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::SystemIoFailure) => e.into(),
                _ => Error::DamagedVault(path.to_owned()),
            });
        }
        // WAL: readers do not block the writer, and a crash leaves either the old or the new
        // state. FULL: a committed transaction survives a power cut. secure_delete: freed pages
        // are overwritten. temp_store MEMORY (and the build's SQLITE_TEMP_STORE=3): no decrypted
        // temporary file, ever. 64 MiB cache: SQLCipher decrypts each page it reads, so a small
        // cache costs a lot (see BENCHMARKS.md).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&conn)?;
        let actor = get_meta(&conn, Meta::OwnerName.key())?.unwrap_or_default();
        let mut store = Store::on(conn, path, actor);
        // Vaults made before schema 2 get their identities here; a vault being created gets
        // them once its owner is recorded (Vault::create).
        if store.meta(Meta::VaultId)?.is_some() {
            crate::vault::keys::ensure(&mut store)?;
        }
        Ok(store)
    }

    /// The raw connection, for the core's own queries. Outside the core only with the
    /// `test-support` feature: a write through it would have no audit event.
    #[cfg(not(feature = "test-support"))]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The raw connection (`test-support`: tests that read or tamper with a vault on purpose).
    #[cfg(feature = "test-support")]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Closes the connection before a key rotation replaces the file: the last connection to
    /// close checkpoints the WAL and removes it. Until [`Store::reopen`], the store answers from
    /// an empty in-memory database (every query fails).
    pub(crate) fn close_for_rotation(&mut self) -> Result<()> {
        let old = std::mem::replace(&mut self.conn, connect(Path::new(":memory:"), OpenFlags::default())?);
        old.close().map_err(|(_, e)| e)?;
        Ok(())
    }

    /// Opens the file again, with `key` (after a key rotation).
    pub(crate) fn reopen(&mut self, key: &DbKey) -> Result<()> {
        *self = Store::open(&self.path, key, false)?;
        Ok(())
    }

    /// What the team inbox's files were found to be, kept while this store is open (see the
    /// field).
    pub(crate) fn inbox_memo(&self) -> &std::cell::RefCell<std::collections::HashMap<String, Box<dyn std::any::Any + Send>>> {
        &self.inbox_memo
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The vault owner's name, recorded as the actor of every audit event.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// A value of the vault's metadata. The vault's secret keys live in the same table but are
    /// not a [`Meta`]: they are read only by [`crate::vault::keys`], as secret types.
    pub fn meta(&self, key: Meta) -> Result<Option<String>> {
        get_meta(&self.conn, key.key())
    }

    /// A secret of the vault's metadata, as a type that is wiped on drop and never printed.
    pub(crate) fn secret_meta(&self, key: SecretMeta) -> Result<Option<SecretText>> {
        Ok(get_meta(&self.conn, key.key())?.map(SecretText::new))
    }

    pub(crate) fn set_meta(&mut self, key: Meta, value: &str) -> Result<()> {
        put_meta(&self.conn, key.key(), value)?;
        if key == Meta::OwnerName {
            self.actor = value.to_owned();
        }
        Ok(())
    }

    /// Whether a removal committed without the step after its commit (see [`Pending`]).
    pub(crate) fn pending(&self, step: Pending) -> Result<bool> {
        Ok(get_meta(&self.conn, step.key())?.is_some())
    }

    /// The step that followed a removal is done.
    pub(crate) fn pending_done(&mut self, step: Pending) -> Result<()> {
        self.conn.execute("DELETE FROM vault_meta WHERE key = ?1", [step.key()])?;
        Ok(())
    }

    /// Runs `f` in one IMMEDIATE transaction: everything it writes, audit events included,
    /// is committed together or not at all.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.write_at(Utc::now(), f)
    }

    /// [`Store::write`] with an explicit clock (demo data, tests).
    pub fn write_at<T>(&mut self, now: DateTime<Utc>, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let head = Head::load(&tx)?;
        let me = get_meta(&tx, Meta::Fingerprint.key())?;
        let mut w = Writer { tx, head, actor: self.actor.clone(), me, path: &self.path, now, now_db: time::to_db(now) };
        let out = f(&mut w)?;
        w.head.save(&w.tx)?;
        w.tx.commit()?;
        Ok(out)
    }

    /// One record by id.
    pub fn get(&self, kind: Kind, id: &str) -> Result<Fields> {
        get(&self.conn, kind, id)
    }

    /// The records of `kind` whose column `col` equals `value`, oldest first.
    pub fn list_by(&self, kind: Kind, col: &str, value: &str) -> Result<Vec<Fields>> {
        list_where(&self.conn, kind, Some((col, value)))
    }

    /// Every record of `kind`, oldest first.
    pub fn list_all(&self, kind: Kind) -> Result<Vec<Fields>> {
        list_where(&self.conn, kind, None)
    }

    /// Every record of `kind` with only `fields` (`id`, `created_at` or the kind's columns),
    /// in no particular order: what a report that reads a few fields of every record needs,
    /// without reading and decoding the rest (a note's text, a version vector).
    pub fn list_fields(&self, kind: Kind, fields: &[&str]) -> Result<Vec<Fields>> {
        let cols = named_columns(kind, fields)?;
        let mut st = self.conn.prepare(&select_columns(kind, &cols))?;
        let rows = st.query_map([], |r| {
            let mut f = Fields::new();
            for (i, (name, col)) in cols.iter().enumerate() {
                let v: Sql = r.get(i)?;
                let v = match (col, v) {
                    (Some(c), v) => sql_to_json(c, v),
                    (None, Sql::Text(s)) => Value::String(s),
                    (None, _) => Value::Null,
                };
                f.insert((*name).to_owned(), v);
            }
            Ok(f)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Calls `each` with every record of `kind`, as [`Store::list_fields`] would read it but
    /// without making a map per record: the fields are read from the row where it lies (text
    /// and integers as stored). A table's index that holds every field asked for is read instead
    /// of the table (SQLite's covering index), so a note's text is not even decrypted.
    pub fn scan_fields(&self, kind: Kind, fields: &[&str], each: &mut dyn FnMut(&dyn ReadFields)) -> Result<()> {
        let cols = named_columns(kind, fields)?;
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let mut st = self.conn.prepare(&select_columns(kind, &cols))?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            each(&RowFields { row, names: &names });
        }
        Ok(())
    }

    /// Where the vault stands, as this connection sees it.
    pub fn mark(&self) -> Result<Mark> {
        Ok(Mark(self.serial, self.conn.total_changes(), self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?))
    }

    /// A second connection to this vault, read-only, holding a snapshot of the vault as it
    /// stands now, and this store's mark: a report read from every record can be counted on it
    /// without holding this store (the window stays free), then offered back with
    /// [`Store::memo_offer`], which keeps it only if nothing changed since. Nothing can be
    /// written through it; dropping it ends the snapshot.
    pub fn snapshot(&self, key: &DbKey) -> Result<(Store, Mark)> {
        // The mark first: a commit by another process before the snapshot starts moves this
        // store's mark past it, and what is counted on the snapshot is then refused.
        let mark = self.mark()?;
        let conn = connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        keyed(&conn, key)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // A report reads each page once, in order: a small cache (8 MiB), not the store's 64.
        conn.pragma_update(None, "cache_size", -8192)?;
        // The read transaction starts at its first read: from here on, the snapshot.
        conn.execute_batch("BEGIN")?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(|_| Error::DamagedVault(self.path.clone()))?;
        Ok((Store::on(conn, &self.path, self.actor.clone()), mark))
    }

    /// Stops what this store's connection is reading, from another thread: the read fails
    /// (and with it, counting ahead on a snapshot), so that the snapshot can be closed at once
    /// when the vault is locked or a long command needs the files alone.
    pub fn interrupt_handle(&self) -> Interrupt {
        Interrupt(self.conn.get_interrupt_handle())
    }

    /// Keeps `value` as the answer for `key` ([`Store::memo`]) if this store still stands at
    /// `mark`: counted on a [`Store::snapshot`] taken then, it is this vault's answer now.
    /// Returns whether it was kept.
    pub fn memo_offer<T: Clone + Send + 'static>(&self, key: &str, mark: Mark, value: T) -> Result<bool> {
        if self.mark()? != mark {
            return Ok(false);
        }
        self.remember(key, mark, value);
        Ok(true)
    }

    fn remember<T: Send + 'static>(&self, key: &str, mark: Mark, value: T) {
        let mut memo = self.memo.borrow_mut();
        memo.retain(|(k, m, _)| k != key && *m == mark);
        if memo.len() >= MEMO_ANSWERS {
            memo.remove(0);
        }
        memo.push((key.to_owned(), mark, Box::new(value)));
    }

    /// The answer of `compute` for `key`, remembered until the vault changes: a report read
    /// from every record (the period's statistics) is computed once, and asked again, it is
    /// given back without reading anything. The last [`MEMO_ANSWERS`] answers are kept, in
    /// memory only, for as long as the vault is unlocked; a change to the vault forgets them.
    pub fn memo<T: Clone + Send + 'static>(&self, key: &str, compute: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let mark = self.mark()?;
        self.memo.borrow_mut().retain(|(_, m, _)| *m == mark);
        if let Some(v) = self.memo.borrow().iter().find(|(k, _, _)| k == key).and_then(|(_, _, v)| v.downcast_ref::<T>()) {
            return Ok(v.clone());
        }
        let value = compute(self)?;
        // The mark taken before computing: nothing writes in between (the store is borrowed).
        self.remember(key, mark, value.clone());
        Ok(value)
    }

    /// Finds a person by id or alias (case-insensitive).
    pub fn resolve_person(&self, reference: &str) -> Result<String> {
        resolve_named(&self.conn, Kind::Person, "alias", reference)
    }

    /// Finds an organisation by id or name (case-insensitive).
    pub fn resolve_org(&self, reference: &str) -> Result<String> {
        resolve_named(&self.conn, Kind::Organisation, "name", reference)
    }

    /// Checks that a record of `kind` with this id exists and returns the id normalised.
    pub fn resolve(&self, kind: Kind, id: &str) -> Result<String> {
        let id = id.trim().to_ascii_lowercase();
        if exists(&self.conn, kind, &id)? { Ok(id) } else { Err(Error::NotFound { kind }) }
    }
}

/// `fields` as the columns of `kind` (`id` and `created_at` are every table's).
fn named_columns<'a>(kind: Kind, fields: &[&'a str]) -> Result<Vec<(&'a str, Option<&'static Col>)>> {
    fields
        .iter()
        .map(|f| match *f {
            "id" | "created_at" => Ok((*f, None)),
            _ => kind.column(f).map(|c| (c.name, Some(c))).ok_or_else(|| Error::invalid(*f, Problem::UnknownField)),
        })
        .collect()
}

/// `SELECT` of those columns of every row of `kind`. Only names of the static specs reach the
/// SQL text ([`named_columns`]).
fn select_columns(kind: Kind, cols: &[(&str, Option<&Col>)]) -> String {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    format!("SELECT {} FROM {}", names.join(", "), kind.table())
}

/// One row of [`Store::scan_fields`].
struct RowFields<'r> {
    row: &'r rusqlite::Row<'r>,
    names: &'r [&'r str],
}

impl ReadFields for RowFields<'_> {
    fn text(&self, name: &str) -> Option<&str> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.row.get_ref(i).ok()?.as_str().ok()
    }
    fn int(&self, name: &str) -> Option<i64> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.row.get_ref(i).ok()?.as_i64().ok()
    }
}

/// Gives SQLCipher the key on `conn`, with the settings every connection to a vault has.
fn keyed(conn: &Connection, key: &DbKey) -> Result<()> {
    // SQLCipher logs decryption failures to stderr by default; the caller reports them.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    if MEMORY_SECURITY.load(std::sync::atomic::Ordering::SeqCst) {
        conn.pragma_update(None, "cipher_memory_security", "ON")?;
    }
    key.apply(conn)?;
    Ok(())
}

fn open_connection(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    Ok(connect(path, flags)?)
}

/// Opens a connection: the only place the core does (`rooms::connections_are_opened_only_through_connect`).
///
/// SQLite initialises itself at the first opening of a process, and says it is ready before
/// SQLCipher's own initialisation (its crypto provider, its private heap) has run. A connection
/// keyed in that window by another thread is refused ("An error occurred with PRAGMA key"): two
/// vaults opened at once as the process starts (the app's window and its team-folder watcher,
/// two tests) met it about once in a hundred starts. So the first opening is made alone: the
/// other threads wait until it has initialised both, to the end.
pub(crate) fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        // Opening is what initialises; a failure here is the next opening's to report.
        drop(Connection::open_in_memory());
    });
    Connection::open_with_flags(path, flags)
}

/// What a removal does after its commit, noted in its transaction (a `vault_meta` key) so that
/// the next unlock does it if a crash or a full disk stopped it ([`crate::vault::erase`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Take the removed bytes out of the files.
    Scrub,
    /// Write the destruction ledger's line ([`crate::vault::ledger`]).
    Ledger,
}

impl Pending {
    fn key(self) -> &'static str {
        match self {
            Pending::Scrub => "scrub_pending",
            Pending::Ledger => "ledger_pending",
        }
    }
}

/// The values of `vault_meta` anyone may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meta {
    /// The vault's id (UUID v7), fixed at creation.
    VaultId,
    /// The worker's name: the actor of every audit event.
    OwnerName,
    /// The worker's organisation.
    OwnerOrg,
    /// When the vault was created (RFC 3339).
    CreatedAt,
    /// The organisation's retention period in years (see [`crate::case::retention`]).
    RetentionYears,
    /// This vault's fingerprint (derived from its keys, kept here for the writer's authorship).
    Fingerprint,
    /// The organisation's recovery recipient (`age1…`, public), recorded when it is set, so that
    /// a key rotation can wrap the new key to it.
    RecoveryRecipient,
    /// The team folder a sync engine replicates (see [`crate::exchange::team`]).
    TeamFolder,
    /// What becomes of a bundle once imported from the team folder: `move` (to `traite/`) or
    /// `delete`.
    TeamCleanup,
    /// The team report's schedule: `<contact id> <days>` (see [`crate::exchange::team::report_if_due`]).
    TeamReportSchedule,
}

impl Meta {
    fn key(self) -> &'static str {
        match self {
            Meta::VaultId => "vault_id",
            Meta::OwnerName => "owner_name",
            Meta::OwnerOrg => "owner_org",
            Meta::CreatedAt => "created_at",
            Meta::RetentionYears => "retention_years",
            Meta::Fingerprint => "fingerprint",
            Meta::RecoveryRecipient => "recovery_recipient",
            Meta::TeamFolder => "team_folder",
            Meta::TeamCleanup => "team_cleanup",
            Meta::TeamReportSchedule => "team_report_schedule",
        }
    }
}

/// The secrets of `vault_meta`: the vault's age identity and its signing seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecretMeta {
    /// `AGE-SECRET-KEY-1…`: opens the bundles sent to this vault.
    AgeIdentity,
    /// 64 hex digits: the Ed25519 seed that signs what this vault sends.
    SigningSeed,
}

impl SecretMeta {
    fn key(self) -> &'static str {
        match self {
            SecretMeta::AgeIdentity => "age_identity",
            SecretMeta::SigningSeed => "signing_seed",
        }
    }
}

fn put_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO vault_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM vault_meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn migrate(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    let current: i64 = conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(Error::NewerSchema { found: current, supported: SCHEMA_VERSION });
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let applied = conn
            .execute_batch(sql)
            .and_then(|_| {
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    rusqlite::params![version, name, time::to_db(Utc::now())],
                )
            })
            .and_then(|_| conn.pragma_update(None, "user_version", version));
        match applied {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                conn.execute_batch("ROLLBACK")?;
                return Err(e.into());
            }
        }
    }
    Ok(())
}

fn select_sql(kind: Kind) -> String {
    let cols: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
    format!("SELECT {}, {} FROM {}", BASE_FIELDS.join(", "), cols.join(", "), kind.table())
}

fn row_to_fields(kind: Kind, r: &rusqlite::Row<'_>) -> rusqlite::Result<Fields> {
    let mut f = Fields::new();
    f.insert("id".into(), Value::String(r.get(0)?));
    f.insert("created_at".into(), Value::String(r.get(1)?));
    f.insert("updated_at".into(), Value::String(r.get(2)?));
    f.insert("revision".into(), json!(r.get::<_, i64>(3)?));
    f.insert("created_by".into(), r.get::<_, Option<String>>(4)?.map_or(Value::Null, Value::String));
    f.insert("updated_by".into(), r.get::<_, Option<String>>(5)?.map_or(Value::Null, Value::String));
    let versions = r.get::<_, Option<String>>(6)?.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    f.insert("versions".into(), versions);
    for (i, col) in kind.columns().iter().enumerate() {
        let v: Sql = r.get(i + FIRST_COL)?;
        f.insert(col.name.into(), sql_to_json(col, v));
    }
    Ok(f)
}

/// A record's version vector as stored (a vault from before them has none until its first
/// unlock fills them).
pub(crate) fn versions_of(rec: &Fields) -> Versions {
    rec.get("versions").and_then(Versions::parse).unwrap_or_default()
}

fn sql_to_json(col: &Col, v: Sql) -> Value {
    match (col.ty, v) {
        (_, Sql::Null) => Value::Null,
        (Ty::Bool, Sql::Integer(i)) => Value::Bool(i != 0),
        (_, Sql::Integer(i)) => json!(i),
        (_, Sql::Real(x)) => json!(x),
        (Ty::Codes(_) | Ty::Words, Sql::Text(s)) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        (_, Sql::Text(s)) => Value::String(s),
        (_, Sql::Blob(_)) => Value::Null,
    }
}

fn json_to_sql(col: &Col, v: &Value) -> Sql {
    match v {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::Number(n) => n.as_i64().map(Sql::Integer).unwrap_or(Sql::Null),
        Value::String(s) => Sql::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => {
            debug_assert!(matches!(col.ty, Ty::Codes(_) | Ty::Words));
            Sql::Text(v.to_string())
        }
    }
}

pub(crate) fn get(conn: &Connection, kind: Kind, id: &str) -> Result<Fields> {
    let sql = format!("{} WHERE id = ?1", select_sql(kind));
    conn.prepare_cached(&sql)?.query_row([id], |r| row_to_fields(kind, r)).optional()?.ok_or(Error::NotFound { kind })
}

pub(crate) fn list_where(conn: &Connection, kind: Kind, filter: Option<(&str, &str)>) -> Result<Vec<Fields>> {
    let mut sql = select_sql(kind);
    if let Some((col, _)) = filter {
        // Only column names of the static specs reach the SQL text.
        let col = kind.column(col).map(|c| c.name).ok_or_else(|| Error::invalid(col, Problem::UnknownField))?;
        sql.push_str(&format!(" WHERE {col} = ?1"));
    }
    sql.push_str(" ORDER BY created_at, id");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = match filter {
        Some((_, v)) => st.query_map([v], |r| row_to_fields(kind, r))?.collect::<rusqlite::Result<Vec<_>>>()?,
        None => st.query_map([], |r| row_to_fields(kind, r))?.collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(rows)
}

/// The INSERT (or INSERT OR REPLACE) of a received record, built once per kind: an import
/// writes a hundred thousand of them.
/// Where `revision` and `versions` are among [`BASE_FIELDS`] (and the statement's values).
const REVISION: usize = 3;
const VERSIONS: usize = 6;

/// The names [`received_sql`] binds, with their places (the base fields, then the kind's
/// columns), sorted by name.
fn bound_names(kind: Kind) -> &'static [(&'static str, usize)] {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<Kind, Vec<(&'static str, usize)>>> = std::sync::OnceLock::new();
    debug_assert!(BASE_FIELDS[REVISION] == "revision" && BASE_FIELDS[VERSIONS] == "versions");
    let all = NAMES.get_or_init(|| {
        Kind::ALL
            .into_iter()
            .map(|k| {
                let mut names: Vec<(&'static str, usize)> =
                    BASE_FIELDS.iter().copied().chain(k.columns().iter().map(|c| c.name)).enumerate().map(|(i, n)| (n, i)).collect();
                names.sort_unstable();
                (k, names)
            })
            .collect()
    });
    &all[&kind]
}

fn received_sql(kind: Kind, replace: bool) -> &'static str {
    static SQL: std::sync::OnceLock<std::collections::HashMap<(Kind, bool), String>> = std::sync::OnceLock::new();
    let all = SQL.get_or_init(|| {
        let mut m = std::collections::HashMap::new();
        for k in Kind::ALL {
            for r in [false, true] {
                let cols = k.columns();
                let names: Vec<&str> = BASE_FIELDS.iter().copied().chain(cols.iter().map(|c| c.name)).collect();
                let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
                let mut sql = format!("INSERT INTO {} ({}) VALUES ({})", k.table(), names.join(", "), marks.join(", "));
                // An update in place, never INSERT OR REPLACE: a replaced row is deleted without
                // its delete trigger (SQLite fires it only with recursive_triggers), so the note
                // index kept the old words, which no later `optimize` could remove.
                if r {
                    let set: Vec<String> = names.iter().filter(|n| **n != "id").map(|n| format!("{n} = excluded.{n}")).collect();
                    sql.push_str(&format!(" ON CONFLICT (id) DO UPDATE SET {}", set.join(", ")));
                }
                m.insert((k, r), sql);
            }
        }
        m
    });
    all[&(kind, replace)].as_str()
}

/// The note index's insert trigger, dropped for a bulk insert ([`suspend_note_index`]).
pub(crate) struct SuspendedIndex {
    /// The trigger's SQL, to put it back.
    trigger: String,
    /// The largest rowid of the notes before: new notes are those after it (SQLite gives a new
    /// row the largest rowid plus one), unless it is the largest there can be.
    after: Option<i64>,
}

/// Drops the trigger that indexes each new note (inside a write transaction), for
/// [`resume_note_index`]: a bulk insert then indexes its notes in one statement.
pub(crate) fn suspend_note_index(conn: &Connection) -> Result<SuspendedIndex> {
    let trigger: String =
        conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'notes_fts_insert'", [], |r| r.get(0))?;
    let last: i64 = conn.query_row("SELECT coalesce(max(rowid), 0) FROM notes", [], |r| r.get(0))?;
    conn.execute_batch("DROP TRIGGER notes_fts_insert")?;
    Ok(SuspendedIndex { trigger, after: (last < i64::MAX).then_some(last) })
}

/// Indexes the notes inserted since [`suspend_note_index`] (`ids`, when their rowids cannot
/// tell them) and puts the trigger back.
pub(crate) fn resume_note_index(conn: &Connection, s: &SuspendedIndex, ids: &[String]) -> Result<()> {
    match s.after {
        // The rows after the largest rowid there was: read in rowid order, no lookup by id.
        Some(after) => conn.execute("INSERT INTO notes_fts (rowid, text) SELECT rowid, text FROM notes WHERE rowid > ?1", [after])?,
        None => conn.execute(
            "INSERT INTO notes_fts (rowid, text) SELECT rowid, text FROM notes WHERE id IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(ids).expect("strings serialize")],
        )?,
    };
    conn.execute_batch(&s.trigger)?;
    Ok(())
}

fn write_json_value(out: &mut Vec<u8>, ty: Option<Ty>, v: rusqlite::types::ValueRef<'_>) {
    use rusqlite::types::ValueRef as V;
    match (ty, v) {
        (_, V::Null) => out.extend_from_slice(b"null"),
        (Some(Ty::Bool), V::Integer(i)) => out.extend_from_slice(if i != 0 { b"true" } else { b"false" }),
        (_, V::Integer(i)) => {
            use std::io::Write;
            let _ = write!(out, "{i}");
        }
        (_, V::Real(x)) => serde_json::to_writer(&mut *out, &x).expect("writes to a Vec"),
        (Some(Ty::Codes(_) | Ty::Words), V::Text(t)) => {
            let v: Value = serde_json::from_slice(t).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(t).into_owned()));
            serde_json::to_writer(&mut *out, &v).expect("writes to a Vec");
        }
        (_, V::Text(t)) => match std::str::from_utf8(t) {
            Ok(t) => serde_json::to_writer(&mut *out, t).expect("writes to a Vec"),
            Err(_) => serde_json::to_writer(&mut *out, &String::from_utf8_lossy(t)).expect("writes to a Vec"),
        },
        (_, V::Blob(_)) => out.extend_from_slice(b"null"),
    }
}

/// Lower-case hex of a digest, as `hex::encode` writes it but without going through a `char`
/// iterator (it showed in the export profile: one per record).
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut buf = vec![0u8; bytes.len() * 2];
    hex::encode_to_slice(bytes, &mut buf).expect("the buffer is twice the input");
    String::from_utf8(buf).expect("hex digits are ASCII")
}

/// `SELECT … FROM kind WHERE col IN (ids given as a JSON array in ?1)`.
fn in_query(kind: Kind, col: &str) -> Result<String> {
    let col =
        if col == "id" { "id" } else { kind.column(col).map(|c| c.name).ok_or_else(|| Error::invalid(col, Problem::UnknownField))? };
    Ok(format!("{} WHERE {col} IN (SELECT value FROM json_each(?1))", select_sql(kind)))
}

/// Writes the records of `kind` that `scope` selects (an SQL condition on its columns, whose
/// `?1` is `param`; the condition is SQL text, so it is made of this program's names only,
/// never of a value: values go through `param`) as canonical JSON objects (sorted keys, compact: exactly what serializing
/// their `Fields` gives), comma-separated, appended to `out`, straight from the rows: an export
/// of a thousand cases does not build a map per record. Whenever `out` holds `chunk` bytes or
/// more after a record, it is handed to `flush`, which takes what it holds. Returns how many
/// records were written.
pub(crate) fn write_json_where(
    conn: &Connection,
    kind: Kind,
    scope: &str,
    param: &str,
    out: &mut Vec<u8>,
    chunk: usize,
    flush: &mut dyn FnMut(&mut Vec<u8>) -> Result<()>,
) -> Result<usize> {
    // No ORDER BY: sorting every row would cost more than all the rest; the order is the
    // index's (grouped by owner), the same for the same vault.
    let sql = format!("{} WHERE {scope}", select_sql(kind));
    let cols = kind.columns();
    // (key, row index, type) sorted by key.
    // The version vector is stored as canonical JSON text (Versions::to_json, or SQLite's
    // json_object for one vault): written as it is.
    let versions_idx = BASE_FIELDS.iter().position(|f| *f == "versions").expect("a base field");
    let mut all: Vec<(&str, usize, Option<Ty>)> = BASE_FIELDS.iter().enumerate().map(|(i, f)| (*f, i, None)).collect();
    all.extend(cols.iter().enumerate().map(|(i, c)| (c.name, i + FIRST_COL, Some(c.ty))));
    all.sort_by(|a, b| a.0.cmp(b.0));
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query([param])?;
    // Each record is written once, straight into `out`.
    let mut written = 0;
    while let Some(r) = rows.next()? {
        if written > 0 {
            out.push(b',');
        }
        out.push(b'{');
        for (n, (key, idx, ty)) in all.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":");
            match r.get_ref(*idx)? {
                rusqlite::types::ValueRef::Text(json) if *idx == versions_idx => out.extend_from_slice(json),
                v => write_json_value(out, *ty, v),
            }
        }
        out.push(b'}');
        written += 1;
        if out.len() >= chunk {
            flush(out)?;
        }
    }
    Ok(written)
}

/// The records of `kind` whose `col` is one of `values`, oldest first (one query for many
/// persons: an export of a thousand cases).
pub(crate) fn list_in(conn: &Connection, kind: Kind, col: &str, values: &[String]) -> Result<Vec<Fields>> {
    let sql = format!("{} ORDER BY created_at, id", in_query(kind, col)?);
    let list = serde_json::to_string(values).expect("strings serialize");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([list], |r| row_to_fields(kind, r))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// How many of `ids` (each once, given as their 128 bits) are records of `kind` here (one query
/// for a bundle's thousands). The list is walked, each id looked up in the table's key (`CROSS
/// JOIN` keeps that order): `id IN (SELECT value FROM json_each(…))` first copied the list into
/// a temporary index, a third of the query's time for a bundle's 100 000 ids.
pub(crate) fn count_in(conn: &Connection, kind: Kind, ids: &[u128]) -> Result<i64> {
    let sql = format!("SELECT count(*) FROM json_each(?1) AS j CROSS JOIN {t} ON {t}.id = j.value", t = kind.table());
    Ok(conn.prepare_cached(&sql)?.query_row([json_ids(ids)], |r| r.get(0))?)
}

/// How many of `ids` are records of `kind` deleted here and waiting in the trash (a record
/// given one of their ids would take its place, and a document its bytes).
pub(crate) fn count_in_trash(conn: &Connection, kind: Kind, ids: &[u128]) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM trash WHERE kind = ?2 AND record_id IN (SELECT value FROM json_each(?1))")?
        .query_row(rusqlite::params![json_ids(ids), kind.name()], |r| r.get(0))?)
}

/// `ids` as a JSON array of their texts (hyphenated, lower case, as Relais writes ids), written
/// from their bits: an import's ids are no longer read from the bundle's text, which its
/// checking left minutes of cache ago, nor escaped (serde_json's escaping alone took 10 ms for a
/// bundle's 100 000 ids).
fn json_ids(ids: &[u128]) -> String {
    let mut out = String::with_capacity(2 + ids.len() * 39);
    out.push('[');
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(uuid::Uuid::from_u128(*id).hyphenated().encode_lower(&mut buf));
        out.push('"');
    }
    out.push(']');
    out
}

pub(crate) fn exists(conn: &Connection, kind: Kind, id: &str) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {} WHERE id = ?1", kind.table());
    Ok(conn.prepare_cached(&sql)?.query_row([id], |_| Ok(())).optional()?.is_some())
}

fn resolve_named(conn: &Connection, kind: Kind, name_col: &str, reference: &str) -> Result<String> {
    let reference = reference.trim();
    if uuid::Uuid::parse_str(reference).is_ok() {
        let id = reference.to_ascii_lowercase();
        if exists(conn, kind, &id)? {
            return Ok(id);
        }
    }
    let sql = format!("SELECT id FROM {} WHERE {name_col} = ?1 COLLATE NOCASE ORDER BY created_at LIMIT 6", kind.table());
    let ids: Vec<String> = conn.prepare_cached(&sql)?.query_map([reference], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    match ids.len() {
        0 => Err(Error::NotFound { kind }),
        1 => Ok(ids.into_iter().next().expect("one")),
        _ => Err(Error::Ambiguous { kind, candidates: ids }),
    }
}

/// The person a record belongs to, following `owner()` links (a milestone → its proceeding →
/// its person).
pub(crate) fn person_of(conn: &Connection, kind: Kind, rec: &Fields) -> Result<Option<String>> {
    let Some((col, parent)) = kind.owner() else {
        return Ok(match kind {
            Kind::Person => rec.get("id").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        });
    };
    let Some(parent_id) = rec.get(col).and_then(Value::as_str) else { return Ok(None) };
    if parent == Kind::Person {
        return Ok(Some(parent_id.to_owned()));
    }
    let parent_rec = get(conn, parent, parent_id)?;
    person_of(conn, parent, &parent_rec)
}

impl model::Lookup for Connection {
    fn record(&self, kind: Kind, id: &str) -> Result<Fields> {
        get(self, kind, id)
    }

    fn key_holder(&self, age_recipient: &str, signing_key: &str, except: Option<&str>) -> Result<Option<(String, bool, bool)>> {
        Ok(self
            .query_row(
                "SELECT name, age_recipient = ?1, signing_key = ?2 FROM contacts
                  WHERE (age_recipient = ?1 OR signing_key = ?2) AND id IS NOT ?3
                  ORDER BY (age_recipient = ?1) + (signing_key = ?2) DESC LIMIT 1",
                rusqlite::params![age_recipient, signing_key, except],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }
}

/// Checks one input value against its column and returns its stored form.
fn normalize(conn: &Connection, col: &Col, v: &Value) -> Result<Value> {
    normalize_with(col, v, &|kind, id| exists(conn, kind, id)).map(Cow::into_owned)
}

/// [`normalize`] with the existence of referenced records decided by `known` (an import checks
/// references against the bundle and the vault together). The value itself when it is already
/// in its stored form (as every value Relais writes in a bundle is): an import of 100 000
/// records checks them without copying them.
pub(crate) fn normalize_with<'v>(col: &Col, v: &'v Value, known: &dyn Fn(Kind, &str) -> Result<bool>) -> Result<Cow<'v, Value>> {
    let bad = |p: Problem| Error::invalid(col.name, p);
    let v = match v {
        Value::String(s) if s.trim().is_empty() => &Value::Null,
        other => other,
    };
    if v.is_null() {
        return if col.required { Err(bad(Problem::Required)) } else { Ok(Cow::Borrowed(v)) };
    }
    let text = || v.as_str().map(str::trim).ok_or_else(|| bad(Problem::UnknownField));
    // The value as it came when `s` is all of its text, a new one otherwise.
    let same_or = |s: String| if v.as_str() == Some(s.as_str()) { Cow::Borrowed(v) } else { Cow::Owned(Value::String(s)) };
    Ok(match col.ty {
        Ty::Text(max) => {
            let s = text()?;
            if s.chars().count() > max {
                return Err(bad(Problem::TooLong { max }));
            }
            if s.len() == v.as_str().map_or(0, str::len) { Cow::Borrowed(v) } else { Cow::Owned(Value::String(s.to_owned())) }
        }
        Ty::Bool => match v {
            Value::Bool(_) => Cow::Borrowed(v),
            Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => Cow::Owned(Value::Bool(n.as_i64() == Some(1))),
            Value::String(s) => match s.trim().to_lowercase().as_str() {
                "oui" | "o" | "yes" | "y" | "true" | "vrai" | "1" => Cow::Owned(Value::Bool(true)),
                "non" | "n" | "no" | "false" | "faux" | "0" => Cow::Owned(Value::Bool(false)),
                _ => return Err(bad(Problem::MalformedBool)),
            },
            _ => return Err(bad(Problem::MalformedBool)),
        },
        Ty::Int => match v {
            Value::Number(n) if n.as_i64().is_some() => Cow::Borrowed(v),
            Value::Number(_) => return Err(bad(Problem::MalformedNumber)),
            Value::String(s) => Cow::Owned(json!(s.trim().parse::<i64>().map_err(|_| bad(Problem::MalformedNumber))?)),
            _ => return Err(bad(Problem::MalformedNumber)),
        },
        Ty::Money => match v {
            Value::Number(n) if n.as_i64().is_some_and(|c| (0..=crate::money::MAX_CENTS).contains(&c)) => Cow::Borrowed(v),
            Value::String(s) => Cow::Owned(json!(crate::money::parse_cents(s).ok_or_else(|| bad(Problem::MalformedNumber))?)),
            _ => return Err(bad(Problem::MalformedNumber)),
        },
        Ty::Minutes => match v {
            Value::Number(n) if n.as_i64().is_some_and(|m| (0..=crate::duration::MAX_MINUTES).contains(&m)) => Cow::Borrowed(v),
            Value::String(s) => Cow::Owned(json!(crate::duration::parse_minutes(s).ok_or_else(|| bad(Problem::MalformedDuration))?)),
            _ => return Err(bad(Problem::MalformedDuration)),
        },
        Ty::Date => same_or(time::parse_date(col.name, text()?)?.to_string()),
        Ty::DateTime => same_or(time::to_db(time::parse_datetime(col.name, text()?)?)),
        Ty::Code(list) => {
            let s = text()?;
            Catalogues::get().check(list, col.name, s)?;
            if s.len() == v.as_str().map_or(0, str::len) { Cow::Borrowed(v) } else { Cow::Owned(Value::String(s.to_owned())) }
        }
        Ty::Codes(_) | Ty::Words => {
            let items: Vec<String> = match v {
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map(|s| s.trim().to_owned()).ok_or_else(|| bad(Problem::UnknownField)))
                    .collect::<Result<_>>()?,
                Value::String(s) => s.split(',').map(|x| x.trim().to_owned()).collect(),
                _ => return Err(bad(Problem::UnknownField)),
            };
            let mut out: Vec<String> = Vec::new();
            for item in items.into_iter().filter(|s| !s.is_empty()) {
                if let Ty::Codes(list) = col.ty {
                    Catalogues::get().check(list, col.name, &item)?;
                }
                if item.chars().count() > 60 {
                    return Err(bad(Problem::TooLong { max: 60 }));
                }
                if !out.contains(&item) {
                    out.push(item);
                }
            }
            match v {
                Value::Array(a) if a.len() == out.len() && a.iter().zip(&out).all(|(x, o)| x.as_str() == Some(o)) => Cow::Borrowed(v),
                _ => Cow::Owned(json!(out)),
            }
        }
        Ty::Ref(kind) => {
            let id = text()?.to_ascii_lowercase();
            if uuid::Uuid::parse_str(&id).is_err() || !known(kind, &id)? {
                return Err(bad(Problem::UnknownReference));
            }
            same_or(id)
        }
    })
}

/// The only way to change a vault's records: inside [`Store::write`]'s transaction, each change
/// writing its audit event.
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    head: Head,
    actor: String,
    /// This vault's fingerprint: the author of what it writes.
    me: Option<String>,
    path: &'a Path,
    now: DateTime<Utc>,
    now_db: String,
}

impl Writer<'_> {
    /// The transaction, for the core's own queries inside it.
    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The instant this transaction stamps on what it writes.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// This vault's fingerprint, the author of what it writes.
    pub(crate) fn me(&self) -> Result<&str> {
        self.me.as_deref().ok_or_else(|| Error::DamagedVault(self.path.to_owned()))
    }

    /// Creates a record from `input` (field name → value), after filling defaults and checking
    /// every field and the domain's rules. Returns the new id.
    pub fn insert(&mut self, kind: Kind, input: Fields) -> Result<String> {
        // A document comes with its bytes (`case::documents::add`), which set what it is.
        if kind == Kind::Document {
            return Err(Error::invalid("sha256", Problem::NotSettable));
        }
        self.insert_checked(kind, input)
    }

    /// [`Writer::insert`] of a document whose content columns `case::documents` set from its
    /// bytes (which it writes in this transaction).
    pub(crate) fn insert_document(&mut self, input: Fields) -> Result<String> {
        self.insert_checked(Kind::Document, input)
    }

    fn insert_checked(&mut self, kind: Kind, mut input: Fields) -> Result<String> {
        model::defaults(kind, &mut input, self.now);
        let mut rec = Fields::new();
        for (name, v) in &input {
            let col = kind.column(name).ok_or_else(|| Error::invalid(name.clone(), Problem::UnknownField))?;
            rec.insert(name.clone(), normalize(&self.tx, col, v)?);
        }
        for col in kind.columns() {
            let v = rec.entry(col.name).or_insert(Value::Null);
            if col.required && v.is_null() {
                return Err(Error::invalid(col.name, Problem::Required));
            }
        }
        model::check(kind, &*self.tx, &rec, None)?;
        let id = uuid::Uuid::now_v7().to_string();
        rec.insert("id".into(), json!(id));
        let person = person_of(&self.tx, kind, &rec)?;
        if let Some(p) = person.as_deref().filter(|_| kind != Kind::Person) {
            self.ensure_writable(p)?;
        }
        let cols = kind.columns();
        let me = self.me()?.to_owned();
        let mut values: Vec<Sql> = vec![
            Sql::Text(id.clone()),
            Sql::Text(self.now_db.clone()),
            Sql::Text(self.now_db.clone()),
            Sql::Integer(1),
            Sql::Text(me.clone()),
            Sql::Text(me.clone()),
            Sql::Text(Versions::first(&me).to_json()),
        ];
        values.extend(cols.iter().map(|c| json_to_sql(c, &rec[c.name])));
        self.tx.prepare_cached(received_sql(kind, false))?.execute(params_from_iter(values))?;
        let fields = cols.iter().filter(|c| !rec[c.name].is_null()).map(|c| c.name.to_owned()).collect();
        self.audit(Change { action: "create", kind: Some(kind.name()), record_id: Some(&id), person_id: person.as_deref(), fields })?;
        Ok(id)
    }

    /// Changes the fields given in `changes` (a null or empty value clears an optional field).
    /// Returns the names of the fields that actually changed; nothing changed means no write,
    /// no new revision and no audit event.
    pub fn update(&mut self, kind: Kind, id: &str, changes: Fields) -> Result<Vec<String>> {
        let current = get(&self.tx, kind, id)?;
        let person = person_of(&self.tx, kind, &current)?;
        if let Some(p) = &person {
            self.ensure_writable(p)?;
        }
        let mut merged = current.clone();
        for (name, v) in &changes {
            let col = kind.column(name).ok_or_else(|| Error::invalid(name.clone(), Problem::UnknownField))?;
            if kind == Kind::Document && crate::record::DOCUMENT_CONTENT_COLS.contains(&col.name) && *v != current[col.name] {
                return Err(Error::invalid(col.name, Problem::NotSettable));
            }
            merged.insert(name.clone(), normalize(&self.tx, col, v)?);
        }
        model::complete_update(kind, &mut merged, &current, self.now);
        model::check(kind, &*self.tx, &merged, Some(&current))?;
        let changed: Vec<&Col> = kind.columns().iter().filter(|c| merged[c.name] != current[c.name]).collect();
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        // One more change by this vault, on top of every change this version holds.
        let me = self.me()?.to_owned();
        let mut versions = versions_of(&current);
        versions.bump(&me);
        let sets: Vec<String> = changed.iter().enumerate().map(|(i, c)| format!("{} = ?{}", c.name, i + 6)).collect();
        let sql = format!(
            "UPDATE {} SET updated_at = ?2, updated_by = ?3, versions = ?4, revision = ?5, {} WHERE id = ?1",
            kind.table(),
            sets.join(", ")
        );
        let mut values = vec![
            Sql::Text(id.to_owned()),
            Sql::Text(self.now_db.clone()),
            Sql::Text(me),
            Sql::Text(versions.to_json()),
            Sql::Integer(versions.total()),
        ];
        values.extend(changed.iter().map(|c| json_to_sql(c, &merged[c.name])));
        self.tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
        let names: Vec<String> = changed.iter().map(|c| c.name.to_owned()).collect();
        self.audit(Change {
            action: "update",
            kind: Some(kind.name()),
            record_id: Some(id),
            person_id: person.as_deref(),
            fields: names.clone(),
        })?;
        Ok(names)
    }

    /// Moves a record of a person's case to another person (a merge of two files of the same
    /// person): its `person_id` changes, as one more change by this vault, audited like an
    /// update of that field. The caller checked both persons; the record's own rules are not
    /// run again (its references move with it, the whole file at once).
    pub(crate) fn reparent(&mut self, kind: Kind, id: &str, to_person: &str) -> Result<()> {
        let current = get(&self.tx, kind, id)?;
        let me = self.me()?.to_owned();
        let mut versions = versions_of(&current);
        versions.bump(&me);
        self.tx
            .prepare_cached(&format!(
                "UPDATE {} SET person_id = ?2, updated_at = ?3, updated_by = ?4, versions = ?5, revision = ?6 WHERE id = ?1",
                kind.table()
            ))?
            .execute(rusqlite::params![id, to_person, self.now_db, me, versions.to_json(), versions.total()])?;
        self.audit(Change {
            action: "update",
            kind: Some(kind.name()),
            record_id: Some(id),
            person_id: Some(to_person),
            fields: vec!["person_id".to_owned()],
        })
    }

    /// Sets a value of the vault's metadata, in this transaction.
    pub(crate) fn set_meta(&mut self, key: Meta, value: &str) -> Result<()> {
        if key == Meta::Fingerprint {
            self.me = Some(value.to_owned());
        }
        self.put_meta(key.key(), value)
    }

    /// Sets a secret of the vault's metadata, in this transaction.
    pub(crate) fn set_secret_meta(&mut self, key: SecretMeta, value: &SecretText) -> Result<()> {
        self.put_meta(key.key(), value.expose())
    }

    /// Notes, in this removal's transaction, that `step` must follow it: it runs after the
    /// commit, and the next unlock runs it again if it could not.
    pub(crate) fn mark_pending(&mut self, step: Pending) -> Result<()> {
        self.put_meta(step.key(), "1")
    }

    fn put_meta(&mut self, key: &str, value: &str) -> Result<()> {
        put_meta(&self.tx, key, value)
    }

    /// Removes a value of the vault's metadata, in this transaction.
    pub(crate) fn delete_meta(&mut self, key: Meta) -> Result<()> {
        self.tx.execute("DELETE FROM vault_meta WHERE key = ?1", [key.key()])?;
        Ok(())
    }

    /// Deletes a record that nothing references (a contact), with its audit event.
    pub fn delete(&mut self, kind: Kind, id: &str) -> Result<()> {
        let current = get(&self.tx, kind, id)?;
        let person = person_of(&self.tx, kind, &current)?;
        self.tx.execute(&format!("DELETE FROM {} WHERE id = ?1", kind.table()), [id])?;
        if kind == Kind::Contact {
            // Her last team report (aliases of cases she holds) goes with her: shown nowhere
            // once she is gone, it would only be kept.
            self.tx.execute("DELETE FROM team_reports WHERE sender = ?1", [current.get("fingerprint").and_then(Value::as_str)])?;
        }
        self.audit(Change { action: "delete", kind: Some(kind.name()), record_id: Some(id), person_id: person.as_deref(), fields: vec![] })
    }

    /// Writes a record received in a bundle as it is (its id, timestamps, authors and
    /// versions; its revision is their total), over the local one if `replace`. The caller
    /// validated it and writes the audit events.
    pub(crate) fn put_received(&mut self, kind: Kind, rec: &Fields, replace: bool) -> Result<()> {
        self.put_received_all(kind, replace, std::iter::once(rec))
    }

    /// [`Writer::put_received`] for many records of one kind, through one statement (a bundle
    /// of 1 000 cases is 100 000 records: looking the statement up for each was a tenth of
    /// writing them).
    pub(crate) fn put_received_all<'r>(&mut self, kind: Kind, replace: bool, recs: impl IntoIterator<Item = &'r Fields>) -> Result<()> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        let cols = kind.columns();
        let names = bound_names(kind);
        let mut st = self.tx.prepare_cached(received_sql(kind, replace))?;
        let mut values: Vec<ToSqlOutput<'_>> = Vec::with_capacity(BASE_FIELDS.len() + cols.len());
        for rec in recs {
            // Bound as borrowed text: a bundle of 1 000 cases is about 1.5 million values. The
            // record's fields and the statement's names are both sorted: one walk of each puts
            // every value in its place (a lookup by name for each was a tenth of the writing).
            values.clear();
            values.resize_with(BASE_FIELDS.len() + cols.len(), || ToSqlOutput::Borrowed(ValueRef::Null));
            let (mut revision, mut versions) = (None, None);
            let mut wanted = names.iter().peekable();
            for (k, v) in rec {
                while wanted.next_if(|(n, _)| *n < k.as_str()).is_some() {}
                let Some((_, place)) = wanted.next_if(|(n, _)| *n == k.as_str()) else { continue };
                match *place {
                    REVISION => revision = v.as_i64(),
                    VERSIONS => versions = Some(v),
                    p if p < BASE_FIELDS.len() => values[p] = v.as_str().map_or(ToSqlOutput::Borrowed(ValueRef::Null), |s| s.into()),
                    p => {
                        values[p] = match v {
                            Value::String(s) => s.as_str().into(),
                            other => ToSqlOutput::Owned(json_to_sql(&cols[p - BASE_FIELDS.len()], other)),
                        }
                    }
                }
            }
            // A received record was validated (its vector parses, its revision is the vector's
            // total) and a restored one is this vault's own: the vector is written as it is, not
            // parsed again. A record from before version vectors gets an empty one.
            let (revision, versions) = match (versions, revision) {
                (Some(v @ Value::Object(_)), Some(n)) => (n.max(1), v.to_string()),
                _ => {
                    let v = versions_of(rec);
                    (v.total().max(1), v.to_json())
                }
            };
            values[REVISION] = ToSqlOutput::Owned(Sql::Integer(revision));
            values[VERSIONS] = ToSqlOutput::Owned(Sql::Text(versions));
            st.execute(params_from_iter(values.drain(..)))?;
        }
        Ok(())
    }

    /// Records an event, about a person or not, that is not the change of one record (a bundle
    /// imported or exported, a receipt, a purge, a disclosure, a consent override).
    pub(crate) fn audit_event(&mut self, action: &str, person_id: Option<&str>, fields: Vec<String>) -> Result<()> {
        self.audit(Change { action, kind: None, record_id: None, person_id, fields })
    }

    /// Records the one event a destroyed case leaves: its id, the policy, how many records went
    /// and which events were redacted; nothing about the person.
    pub(crate) fn audit_destroyed(&mut self, person_id: &str, policy: &str, records: usize, redacted: &[i64]) -> Result<()> {
        let fields =
            vec![format!("policy={policy}"), format!("records={records}"), format!("redacted={}", crate::vault::audit::ranges(redacted))];
        self.audit(Change {
            action: "person.destroy",
            kind: Some(Kind::Person.name()),
            record_id: Some(person_id),
            person_id: None,
            fields,
        })
    }

    /// Records an event about one record written outside [`Writer::insert`] and
    /// [`Writer::update`] (moved to the trash, restored from it).
    pub(crate) fn audit_record(&mut self, action: &str, kind: Kind, id: &str, person_id: Option<&str>, fields: Vec<String>) -> Result<()> {
        self.audit(Change { action, kind: Some(kind.name()), record_id: Some(id), person_id, fields })
    }

    /// Records a vault-level event (init, passphrase change, demo fill…).
    pub fn audit_vault(&mut self, action: &str, fields: Vec<String>) -> Result<()> {
        self.audit(Change { action, kind: None, record_id: None, person_id: None, fields })
    }

    fn audit(&mut self, change: Change<'_>) -> Result<()> {
        audit::append(&self.tx, &mut self.head, &self.actor, &self.now_db, change)
    }

    /// Takes in the changes of another version of a record (a conflict or a proposal settled)
    /// and adds one of this vault's: the record is then newer than both. Audited.
    pub(crate) fn merge_versions(&mut self, kind: Kind, id: &str, other: &Versions) -> Result<()> {
        let current = get(&self.tx, kind, id)?;
        let me = self.me()?.to_owned();
        let mut versions = versions_of(&current).merge(other);
        versions.bump(&me);
        self.tx.execute(
            &format!("UPDATE {} SET versions = ?2, revision = ?3, updated_by = ?4, updated_at = ?5 WHERE id = ?1", kind.table()),
            rusqlite::params![id, versions.to_json(), versions.total(), me, self.now_db],
        )?;
        let person = person_of(&self.tx, kind, &current)?;
        self.audit(Change {
            action: "update",
            kind: Some(kind.name()),
            record_id: Some(id),
            person_id: person.as_deref(),
            fields: vec!["versions".into()],
        })
    }

    /// Marks a case handed off to `owner` (a fingerprint): read-only here from now on. The
    /// status is this vault's own view of the case, not a change of its content: no new
    /// version, an audit event naming the field.
    pub(crate) fn hand_off(&mut self, person_id: &str, owner: &str) -> Result<()> {
        self.set_holder(person_id, Some(CaseStatus::HandedOff), Some(owner))
    }

    /// Records who holds the pen for a case (`None`: this vault), and, when given, the case's
    /// status as this vault sees it. Not a new version of the record; audited.
    pub(crate) fn set_holder(&mut self, person_id: &str, status: Option<CaseStatus>, owner: Option<&str>) -> Result<()> {
        // Prepared once: an import sets the holder of each of its thousand cases, and compiling
        // this statement compiles the counting triggers on persons with it.
        let n = self
            .tx
            .prepare_cached("UPDATE persons SET owner = ?2, status = coalesce(?3, status) WHERE id = ?1")?
            .execute(rusqlite::params![person_id, owner, status.map(CaseStatus::code)])?;
        if n == 0 {
            return Err(Error::NotFound { kind: Kind::Person });
        }
        let mut fields = vec!["owner".to_owned()];
        if status.is_some() {
            fields.push("status".to_owned());
        }
        self.audit(Change {
            action: "update",
            kind: Some(Kind::Person.name()),
            record_id: Some(person_id),
            person_id: Some(person_id),
            fields,
        })
    }

    pub(crate) fn ensure_writable(&self, person_id: &str) -> Result<()> {
        let status: Option<String> =
            self.tx.prepare_cached("SELECT status FROM persons WHERE id = ?1")?.query_row([person_id], |r| r.get(0)).optional()?;
        match status.as_deref() {
            Some(s) if CaseStatus::parse(s) == Some(CaseStatus::HandedOff) => Err(Error::HandedOff),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A value for a column, any text the vault could hold (quotes, controls, accents, emoji).
    fn value(col: &Col) -> BoxedStrategy<Value> {
        let text = any::<String>().prop_map(Value::String);
        let v = match col.ty {
            Ty::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Ty::Int => any::<i64>().prop_map(|i| json!(i)).boxed(),
            Ty::Money => (0..=crate::money::MAX_CENTS).prop_map(|i| json!(i)).boxed(),
            Ty::Minutes => (0..=crate::duration::MAX_MINUTES).prop_map(|i| json!(i)).boxed(),
            Ty::Codes(_) | Ty::Words => prop::collection::vec(any::<String>(), 0..4).prop_map(|v| json!(v)).boxed(),
            _ => text.boxed(),
        };
        if col.required { v } else { prop_oneof![1 => Just(Value::Null), 3 => v].boxed() }
    }

    fn person() -> impl Strategy<Value = Fields> {
        let cols = Kind::Person.columns();
        let count = 1..=crate::model::versions::MAX_COUNT;
        (cols.iter().map(value).collect::<Vec<_>>(), count.clone(), count).prop_map(move |(values, a, b)| {
            let mut f: Fields = cols.iter().zip(values).map(|(c, v)| (c.name.to_owned(), v)).collect();
            let (author, editor) = ("AAAA-0000-AAAA-0000-AAAA", "B0B0-B0B0-B0B0-B0B0-B0B0");
            f.insert("id".into(), json!(uuid::Uuid::now_v7().to_string()));
            f.insert("created_at".into(), json!("2026-11-02T10:00:00Z"));
            f.insert("updated_at".into(), json!("2026-11-03T10:00:00Z"));
            f.insert("created_by".into(), json!(author));
            f.insert("updated_by".into(), json!(editor));
            f.insert("versions".into(), json!({author: a, editor: b}));
            f.insert("revision".into(), json!(a + b));
            f
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The export's streaming writer (values straight from SQL) and serde_json's canonical
        /// form of the same record are the same bytes.
        #[test]
        fn the_export_writer_writes_canonical_json(rec in person()) {
            let dir = tempfile::tempdir().unwrap();
            let mut store = Store::open(&dir.path().join("v.db"), &DbKey::generate(), true).unwrap();
            store.write(|w| w.put_received(Kind::Person, &rec, false)).unwrap();
            let id = rec["id"].as_str().unwrap().to_owned();
            let mut out = Vec::new();
            let list = serde_json::to_string(&[&id]).unwrap();
            let scope = "id IN (SELECT value FROM json_each(?1))";
            let written = write_json_where(store.conn(), Kind::Person, scope, &list, &mut out, usize::MAX, &mut |_| Ok(())).unwrap();
            let expected = serde_json::to_string(&Value::Object(rec.clone())).unwrap();
            prop_assert_eq!(String::from_utf8(out).unwrap(), expected);
            prop_assert_eq!(written, 1);
        }
    }

    proptest! {
        /// Ids written from their bits: what serde_json writes of their texts.
        #[test]
        fn json_ids_is_serde_jsons(ids in proptest::collection::vec(any::<u128>(), 0..6)) {
            let texts: Vec<String> = ids.iter().map(|i| uuid::Uuid::from_u128(*i).hyphenated().to_string()).collect();
            prop_assert_eq!(json_ids(&ids), serde_json::to_string(&texts).unwrap());
        }
    }

    #[test]
    fn count_in_counts_the_ids_here() {
        use proptest::strategy::ValueTree;
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("v.db"), &DbKey::generate(), true).unwrap();
        let template = person().new_tree(&mut proptest::test_runner::TestRunner::deterministic()).unwrap().current();
        let id = |n: usize| format!("0190a0a0-0000-7000-8000-{n:012x}");
        // Here: every third of the first 1 200; asked: 1 300.
        let here: Vec<String> = (0..1200).step_by(3).map(id).collect();
        store
            .write(|w| {
                for i in &here {
                    let mut rec = template.clone();
                    rec.insert("id".into(), json!(i));
                    w.put_received(Kind::Person, &rec, false)?;
                }
                Ok(())
            })
            .unwrap();
        let asked: Vec<u128> = (0..1300).map(|n| uuid::Uuid::parse_str(&id(n)).unwrap().as_u128()).collect();
        assert_eq!(count_in(store.conn(), Kind::Person, &asked).unwrap(), 400);
        for n in [0, 1, 2, 511, 512, 513, 1031] {
            let expected = (0..n.min(1200)).filter(|i| i % 3 == 0).count() as i64;
            assert_eq!(count_in(store.conn(), Kind::Person, &asked[..n]).unwrap(), expected, "{n} asked");
        }
        // Only ids not here, or another kind's: none.
        assert_eq!(count_in(store.conn(), Kind::Person, &asked[1200..]).unwrap(), 0);
        assert_eq!(count_in(store.conn(), Kind::Note, &asked).unwrap(), 0);
    }

    #[test]
    fn canonical_json_sorts_keys_whatever_the_insertion_order() {
        // serde_json's `preserve_order` feature, if any dependency ever turned it on, would
        // keep insertion order and break every signature and hash: this fails first.
        let mut m = serde_json::Map::new();
        m.insert("zeta".into(), json!(1));
        m.insert("alpha".into(), json!({"y": 2, "b": 3}));
        assert_eq!(Value::Object(m).to_string(), r#"{"alpha":{"b":3,"y":2},"zeta":1}"#);
    }
}
