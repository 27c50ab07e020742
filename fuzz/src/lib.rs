//! The bodies of the fuzz targets, one function a door through which outside bytes come in:
//!
//! - `bundle_age`: the age layer of a bundle ([`exchange::decrypt`] with this vault's identity);
//! - `bundle_document`: the decrypted document ([`exchange::verify_document`]), read as well
//!   with its top level scanned whole ([`exchange::verify_document_scanned`]): the same result;
//! - `bundle_open`: a bundle file opened and previewed by a vault ([`exchange::open`], then
//!   [`exchange::preview`]), which must not write a byte to it;
//! - `bundle_sealed`: the same, for a document that a known contact signed and sealed: the input
//!   is the plaintext, and its content hash, signature and encryption are made here, so that the
//!   fuzzer reaches what a verified but hostile sender reaches (the plan of the import);
//! - `contact_card`: a contact card ([`identity::parse_card`]), then added as a contact;
//! - `directory_csv`: the directory's CSV import ([`directory::import_csv`]), all or nothing;
//! - `backup_restore`: a backup file restored ([`backup::restore`]), leaving nothing behind when
//!   it is refused.
//!
//! Each returns what the reader said. A panic, anywhere, is a finding; so is a broken promise
//! (checked with `assert!`): a refusal that is not a typed error said in both languages, a write
//! where there must be none. libFuzzer bounds the time and memory of each input.
//!
//! This file is also compiled into the regular test suite (`tests/integration/fuzz_replay.rs`
//! includes it as a module), which replays every crash ever found and every seed through these
//! same functions: it must build there too (no `crate::` paths, no unsafe code).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey};
use relais_core::case::directory;
use relais_core::exchange::{self, identity};
use relais_core::record::{Fields, Kind};
use relais_core::secret::{DbKey, Passphrase};
use relais_core::vault::{self, Owner, Vault, backup};
use relais_core::{Error, Lang, Store};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Every target, by name (the files of `fuzz/fuzz_targets/`).
pub const TARGETS: &[&str] =
    &["bundle_age", "bundle_document", "bundle_open", "bundle_sealed", "contact_card", "directory_csv", "backup_restore"];

/// Runs target `name` on `data` under the fuzzer (the fuzz targets' entry point): as [`run`],
/// with the vault's every-row hash taken only now and then (see [`Snapshot`]).
pub fn fuzz(name: &str, data: &[u8]) {
    UNDER_FUZZER.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = run(name, data);
}

static UNDER_FUZZER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Runs target `name` on `data` (the replay test's entry point).
pub fn run(name: &str, data: &[u8]) -> Result<(), Error> {
    match name {
        "bundle_age" => bundle_age(data),
        "bundle_document" => bundle_document(data),
        "bundle_open" => bundle_open(data),
        "bundle_sealed" => bundle_sealed(data),
        "contact_card" => contact_card(data),
        "directory_csv" => directory_csv(data),
        "backup_restore" => backup_restore(data),
        _ => panic!("no fuzz target {name}"),
    }
}

/// The passphrase of the vaults made here (the test vaults' own: strong enough for the check).
pub const PASS: &str = "lampe rivière carton 7 violon";

/// The fixed keys of the bundle vectors (`tests/vectors/bundles/keys.json`): the vault here is
/// the "receiver", "sender" is a verified contact, "stranger" an unverified one.
const KEYS: &str = include_str!("../../tests/vectors/bundles/keys.json");

/// A valid share from "sender" to "receiver", imported into the receiving vault beforehand so
/// that bundles about the same case reach the update, stale and conflict paths.
const VALID_SHARE: &[u8] = include_bytes!("../../tests/vectors/bundles/valid_share.vector");

/// The receiver's own case, which it shared with "sender" earlier (as the vectors' setup).
const RECEIVERS_CASE: &str = "01900000-0000-7000-8000-0000000000ca";

// ------------------------------------------------------------------------------------------
// The targets

/// The age layer: decrypted with the receiver's identity, or refused with a typed error.
pub fn bundle_age(data: &[u8]) -> Result<(), Error> {
    let id = keys().identity("receiver");
    let plain = clean(exchange::decrypt(data, &[&id as &dyn age::Identity]))?;
    assert!(plain.len() as u64 <= exchange::MAX_PLAINTEXT, "decrypt returned more than MAX_PLAINTEXT");
    Ok(())
}

/// The decrypted document: parsed and verified, or refused with a typed error.
pub fn bundle_document(data: &[u8]) -> Result<(), Error> {
    // The top level split without a scan (as Relais writes it) reads what the scan reads, and
    // refuses what it refuses, with the same error.
    let quick = exchange::verify_document(data);
    let scanned = exchange::verify_document_scanned(data);
    match (&quick, &scanned) {
        (Ok((m, c)), Ok((sm, sc))) => {
            assert!(
                m == sm && serde_json::to_value(c).ok() == serde_json::to_value(sc).ok(),
                "the split and the scan read different documents"
            )
        }
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "the split and the scan refuse differently"),
        _ => panic!(
            "the split and the scan disagree: {:?} / {:?}",
            quick.as_ref().map(|_| ()).map_err(Error::code),
            scanned.as_ref().map(|_| ()).map_err(Error::code)
        ),
    }
    clean(quick).map(|_| ())
}

/// A bundle file, opened and previewed by the receiving vault: neither may write to it.
pub fn bundle_open(data: &[u8]) -> Result<(), Error> {
    open_and_preview(data)
}

/// A plaintext document, hashed, signed by the contact its manifest names (when its keys are
/// known here) and encrypted to the receiver, then opened and previewed as [`bundle_open`].
pub fn bundle_sealed(data: &[u8]) -> Result<(), Error> {
    open_and_preview(&seal(data))
}

/// A contact card: read (its fingerprint must be its keys'), then added to a vault's contacts;
/// a refused card changes nothing.
pub fn contact_card(data: &[u8]) -> Result<(), Error> {
    // Cards are text: the app and the CLI read them as UTF-8.
    let Ok(text) = std::str::from_utf8(data) else { return Ok(()) };
    let ident = clean(identity::parse_card(text))?;
    assert_eq!(
        identity::fingerprint(&ident.age_recipient, &ident.signing_key),
        ident.fingerprint,
        "card accepted with another fingerprint"
    );
    with_fixture(&SCRATCH, setup_scratch, |store, clean_state| {
        let r = clean(identity::add_contact(store, &ident));
        if r.is_err() {
            let after = snapshot(store, every_row_now());
            assert!(!after.committed_differs(clean_state), "a refused contact changed the vault: {after:?}, was {clean_state:?}");
        }
        r.map(|_| ())
    })
}

/// The directory's CSV import: all or nothing (a refused file changes nothing).
pub fn directory_csv(data: &[u8]) -> Result<(), Error> {
    with_fixture(&SCRATCH, setup_scratch, |store, clean_state| {
        let r = clean(directory::import_csv(store, data));
        if r.is_err() {
            let after = snapshot(store, every_row_now());
            assert!(!after.committed_differs(clean_state), "a refused CSV file changed the vault: {after:?}, was {clean_state:?}");
        }
        r.map(|_| ())
    })
}

/// A backup file restored into a new vault directory: refused with a typed error and nothing
/// left behind, or restored into a vault that opens.
pub fn backup_restore(data: &[u8]) -> Result<(), Error> {
    RESTORE_DIR.with(|d| {
        let mut d = d.borrow_mut();
        let root = d.get_or_insert_with(|| work_dir("restore")).path().to_owned();
        let file = root.join("in.relais-backup");
        let target = root.join("restored");
        std::fs::write(&file, data).expect("write the input");
        let r = clean(backup::restore(&file, &target, backup::Proof::Passphrase(&Passphrase::new(PASS))));
        std::fs::remove_file(&file).expect("remove the input");
        if r.is_ok() {
            Vault::open(&target).expect("a restored vault opens");
            std::fs::remove_dir_all(&target).expect("remove the restored vault");
        }
        let left: Vec<_> = std::fs::read_dir(&root).expect("read the work dir").flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "restore left {left:?} behind ({:?})", r.as_ref().map_err(Error::code));
        r.map(|_| ())
    })
}

// ------------------------------------------------------------------------------------------
// What every target checks

/// A refusal must be a typed error with a code and a message in each language (the message is
/// what a worker reads: building it must not panic either).
fn clean<T>(r: Result<T, Error>) -> Result<T, Error> {
    if let Err(e) = &r {
        assert!(!e.code().is_empty(), "an error without a code: {e:?}");
        for lang in [Lang::Fr, Lang::En] {
            assert!(!e.message(lang).trim().is_empty(), "{} has no message in {lang:?}", e.code());
        }
    }
    r
}

/// Opens `bytes` as a bundle in the receiving vault and previews it: whatever it holds, the vault
/// is exactly as it was (opening and previewing only read).
fn open_and_preview(bytes: &[u8]) -> Result<(), Error> {
    with_fixture(&RECEIVER, setup_receiver, |store, clean_state| {
        let r = clean(exchange::open(store, bytes, true)).and_then(|o| clean(exchange::preview(store, &o)));
        if let Ok(p) = &r {
            assert!(!p.applied, "a preview says it applied");
        }
        let after = snapshot(store, every_row_now());
        assert!(!after.differs(clean_state), "opening or previewing a bundle changed the vault: {after:?}, was {clean_state:?}");
        r.map(|_| ())
    })
}

/// What a vault holds: the rows this connection changed since it opened (SQLite's count: any
/// INSERT, UPDATE or DELETE), the size and time of the database and WAL files (anything
/// committed, DDL included, lands in the WAL), and a hash of every row of every table. The hash
/// costs four fifths of a bundle's time under the fuzzer, which takes it at every 64th snapshot
/// only (the first included); the replay test takes it every time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    changes: u64,
    rows: String,
    files: Vec<(String, u64, Option<std::time::SystemTime>)>,
}

impl Snapshot {
    /// Whether anything was written since `clean` (a full snapshot), even if rolled back: for
    /// readers that must not write at all.
    fn differs(&self, clean: &Snapshot) -> bool {
        self.changes != clean.changes || self.committed_differs(clean)
    }

    /// Whether what the vault holds changed since `clean`, as far as this snapshot looked: for
    /// writers that must leave nothing of a refusal (SQLite counts the rows of a transaction
    /// rolled back too).
    fn committed_differs(&self, clean: &Snapshot) -> bool {
        self.files != clean.files || (!self.rows.is_empty() && self.rows != clean.rows)
    }
}

fn snapshot(store: &Store, every_row: bool) -> Snapshot {
    let rows = if every_row { rows_hash(store) } else { String::new() };
    let db = store.path();
    let files = [db.to_owned(), PathBuf::from(format!("{}-wal", db.display()))]
        .iter()
        .map(|p| {
            let m = std::fs::metadata(p).ok();
            (p.display().to_string(), m.as_ref().map_or(0, |m| m.len()), m.and_then(|m| m.modified().ok()))
        })
        .collect();
    Snapshot { changes: store.conn().total_changes(), rows, files }
}

/// Whether this snapshot hashes every row (see [`Snapshot`]).
fn every_row_now() -> bool {
    if !UNDER_FUZZER.load(std::sync::atomic::Ordering::Relaxed) {
        return true;
    }
    thread_local!(static N: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
    N.with(|n| {
        n.set(n.get() + 1);
        n.get() % 64 == 1
    })
}

/// A hash of every row of every table (virtual tables through their shadow tables), and of the
/// schema.
fn rows_hash(store: &Store) -> String {
    let conn = store.conn();
    let mut h = Sha256::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("list tables");
    for t in tables.iter().map(String::as_str).chain(["sqlite_master"]) {
        let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).expect("select");
        let n = st.column_count();
        let mut rows = st.query([]).expect("query");
        h.update(t.as_bytes());
        while let Some(row) = rows.next().expect("row") {
            for i in 0..n {
                let v: rusqlite::types::Value = row.get(i).expect("value");
                h.update(format!("{v:?}\u{1f}").as_bytes());
            }
            h.update(b"\x1e");
        }
    }
    hex::encode(h.finalize())
}

// ------------------------------------------------------------------------------------------
// The vaults: made once a thread (scrypt is slow, even at the tests' work factor), put back as
// they were after any input that wrote to them.

/// A vault made once from `setup`, copied to a working directory; reopened from the copy
/// whenever an input changed it, so that every input meets the same vault.
struct Fixture {
    /// The temp dir holding both (removed when the thread ends; a fuzzer's process exits
    /// without that, so [`work_dir`] removes what dead processes left).
    tmp: tempfile::TempDir,
    key: DbKey,
    store: Option<Store>,
    clean: Option<Snapshot>,
}

thread_local! {
    static RECEIVER: RefCell<Option<Fixture>> = const { RefCell::new(None) };
    static SCRATCH: RefCell<Option<Fixture>> = const { RefCell::new(None) };
    static RESTORE_DIR: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

impl Fixture {
    fn new(setup: fn(&mut Store)) -> Fixture {
        let tmp = work_dir("vault");
        vault::set_test_work_factor(10);
        let owner = Owner { name: "Intervenante Fuzz".into(), org: "Organisme Fuzz".into() };
        let (v, mut store) = Vault::create(tmp.path().join("template"), &Passphrase::new(PASS), &owner, None).expect("create vault");
        setup(&mut store);
        drop(store);
        let key = v.unwrap_key(&Passphrase::new(PASS)).expect("key");
        let mut f = Fixture { tmp, key, store: None, clean: None };
        f.reset();
        f
    }

    fn reset(&mut self) {
        self.store = None;
        let (template, work) = (self.tmp.path().join("template"), self.tmp.path().join("work"));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir(&work).expect("work dir");
        for e in std::fs::read_dir(&template).expect("template").flatten() {
            std::fs::copy(e.path(), work.join(e.file_name())).expect("copy template");
        }
        let store = Vault::open(&work).and_then(|v| v.unlock_with_key(&self.key)).expect("open the copy");
        self.clean = Some(snapshot(&store, true));
        self.store = Some(store);
    }
}

/// Drops this thread's vaults (the replay test, after a panic that may have left one changed):
/// the next input gets new ones.
pub fn forget_fixtures() {
    RECEIVER.with(|c| c.replace(None));
    SCRATCH.with(|c| c.replace(None));
}

/// Runs `f` on the thread's vault of this kind (made by `setup` the first time), then puts it
/// back as it was if `f` changed it.
fn with_fixture<R>(
    which: &'static std::thread::LocalKey<RefCell<Option<Fixture>>>,
    setup: fn(&mut Store),
    f: impl FnOnce(&mut Store, &Snapshot) -> R,
) -> R {
    which.with(|cell| {
        let mut cell = cell.borrow_mut();
        let fx = cell.get_or_insert_with(|| Fixture::new(setup));
        let clean_state = fx.clean.clone().expect("snapshot");
        let store = fx.store.as_mut().expect("store");
        let r = f(store, &clean_state);
        if snapshot(store, every_row_now()).committed_differs(&clean_state) {
            fx.reset();
        }
        r
    })
}

/// A fresh temp dir for this process, on /dev/shm when there is one (SQLite's fsyncs cost
/// nothing there). The first call also removes what earlier fuzzing processes left behind (a
/// fuzzer exits without running destructors).
fn work_dir(what: &str) -> tempfile::TempDir {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let shm = Path::new("/dev/shm");
    let root = if shm.is_dir() && tempfile::tempdir_in(shm).is_ok() { shm.to_owned() } else { std::env::temp_dir() };
    SWEPT.call_once(|| {
        for e in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix("relais-fuzz-").and_then(|r| r.split('-').next()).and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists()) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    });
    tempfile::Builder::new().prefix(&format!("relais-fuzz-{}-{what}-", std::process::id())).tempdir_in(root).expect("temp dir")
}

/// The receiving vault of the bundle vectors: their receiver's keys, "sender" as a verified
/// contact and "stranger" as an unverified one, its own case (shared with "sender" earlier), and
/// the valid share from "sender" imported.
fn setup_receiver(store: &mut Store) {
    let k = keys();
    let conn = store.conn();
    for (key, value) in [
        ("age_identity", k.s("receiver", "age_identity")),
        ("signing_seed", k.s("receiver", "signing_seed")),
        ("fingerprint", k.fingerprint("receiver")),
    ] {
        conn.execute("UPDATE vault_meta SET value = ?2 WHERE key = ?1", [key, &value]).expect("set identity");
    }
    for (who, verified) in [("sender", true), ("stranger", false)] {
        let (age, sign) = k.public(who);
        let mut f: Fields = [("name", json!(who)), ("age_recipient", json!(age)), ("signing_key", json!(sign))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        if verified {
            f.insert("verified_on".into(), json!("2026-11-01"));
        }
        store.write(|w| w.insert(Kind::Contact, f)).expect("contact");
    }
    let f: Fields = [("alias", json!("Dossier du receveur")), ("intake_at", json!("2026-11-01T10:00:00Z"))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let id = store.write(|w| w.insert(Kind::Person, f)).expect("case");
    let conn = store.conn();
    conn.execute("UPDATE persons SET id = ?2 WHERE id = ?1", [&id, RECEIVERS_CASE]).expect("case id");
    conn.execute(
        "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES ('earlier', 'out', 'share', ?1, '2026-11-01T12:00:00Z', '{}', ?2)",
        [k.fingerprint("sender"), json!([RECEIVERS_CASE]).to_string()],
    )
    .expect("shared earlier");
    let o = exchange::open(store, vector_body(VALID_SHARE), false).expect("open the valid share");
    exchange::apply(store, &o, &mut |_, _| {}).expect("import the valid share");
}

/// A vault with two organisations in its directory (so that a CSV file can update one).
fn setup_scratch(store: &mut Store) {
    let csv = "name,kind,region,languages,open_24_7,needs\n\
               Maison L'Escale,shelter,Montréal,français;anglais,oui,housing_emergency;safety_protection\n\
               Clinique Le Phare,legal,Laval,français,non,legal_assistance\n";
    directory::import_csv(store, csv.as_bytes()).expect("directory");
}

/// The body of a test vector file (`key: value` lines, a blank line, then the bytes).
pub fn vector_body(file: &[u8]) -> &[u8] {
    let split = file.windows(2).position(|w| w == b"\n\n").expect("header and body");
    &file[split + 2..]
}

// ------------------------------------------------------------------------------------------
// The fixed keys, and sealing a document as its sender would

/// The fixed test keys of `tests/vectors/bundles/keys.json`.
pub struct Keys(Value);

/// The keys, parsed once.
pub fn keys() -> &'static Keys {
    static K: std::sync::OnceLock<Keys> = std::sync::OnceLock::new();
    K.get_or_init(|| Keys(serde_json::from_str(KEYS).expect("keys.json")))
}

impl Keys {
    fn s(&self, who: &str, k: &str) -> String {
        self.0[who][k].as_str().expect("key").to_owned()
    }

    /// `who`'s age identity.
    pub fn identity(&self, who: &str) -> age::x25519::Identity {
        self.s(who, "age_identity").parse().expect("age identity")
    }

    /// `who`'s signing key.
    pub fn signer(&self, who: &str) -> SigningKey {
        SigningKey::from_bytes(&hex::decode(self.s(who, "signing_seed")).expect("hex").try_into().expect("32 bytes"))
    }

    /// `who`'s public keys: age recipient, signing key (hex).
    pub fn public(&self, who: &str) -> (String, String) {
        (self.s(who, "age_recipient"), hex::encode(self.signer(who).verifying_key().to_bytes()))
    }

    /// `who`'s fingerprint.
    pub fn fingerprint(&self, who: &str) -> String {
        let (age, sign) = self.public(who);
        identity::fingerprint(&age, &sign)
    }
}

/// `data` as its sender would send it to the receiver: when it is a JSON object with a manifest,
/// the manifest gets the content's hash and the signature of the key it names (if that key is
/// one of the fixed ones; else "sender" signs, and the signature does not verify); then the whole
/// is encrypted to the receiver. Anything else is encrypted as it is.
pub fn seal(data: &[u8]) -> Vec<u8> {
    let k = keys();
    let plain = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(mut doc)) if doc.get("manifest").is_some_and(Value::is_object) => {
            let content_sha = doc.get("content").map(|c| hex::encode(Sha256::digest(exchange::canonical(c).as_bytes())));
            let version = doc.get("version").and_then(Value::as_u64).unwrap_or(exchange::VERSION);
            let Some(Value::Object(m)) = doc.get_mut("manifest") else { unreachable!() };
            if let Some(h) = content_sha {
                m.insert("content_sha256".into(), json!(h));
            }
            let named = m.get("sender").and_then(|s| s.get("signing_key")).and_then(Value::as_str).unwrap_or_default();
            let who =
                ["sender", "stranger", "receiver"].into_iter().find(|w| k.public(w).1.eq_ignore_ascii_case(named)).unwrap_or("sender");
            let mut msg = format!("relais.bundle.v{version} manifest\n").into_bytes();
            msg.extend_from_slice(exchange::canonical(&Value::Object(m.clone())).as_bytes());
            doc.insert("signature".into(), json!(hex::encode(k.signer(who).sign(&msg).to_bytes())));
            serde_json::to_vec(&Value::Object(doc)).expect("serialize")
        }
        _ => data.to_vec(),
    };
    exchange::encrypt_for_test_vectors(&plain, &[&k.s("receiver", "age_recipient")]).expect("encrypt")
}
