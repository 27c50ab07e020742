//! Helpers for the integration tests: a fresh vault in a temp dir, the `relais` binary, and the
//! scans that look for plaintext where there must be none.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use relais_core::Store;
use relais_core::secret::Passphrase;
use relais_core::vault::{Owner, Vault};

/// The passphrase of every test vault (strong enough for the strength check).
pub const PASS: &str = "lampe rivière carton 7 violon";

/// scrypt's work factor (log2 N) of the key files tests write: 2^10 takes a millisecond where
/// age's default takes a second and a half on this machine. Hundreds of vaults are made and
/// unlocked; the KDF's own behaviour is tested where it matters (`vault.rs`).
pub const TEST_LOG_N: u8 = 10;

pub mod syncthing;

/// Makes the key files this test process writes cheap to unwrap (see [`TEST_LOG_N`]).
pub fn fast_kdf() {
    relais_core::vault::set_test_work_factor(TEST_LOG_N);
}

/// The `relais` binary built next to this test binary (`make test` builds it first).
pub fn relais_bin() -> PathBuf {
    if let Ok(p) = std::env::var("RELAIS_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = dir.join("relais");
    assert!(bin.is_file(), "{} is missing: run `make test` (it builds the CLI before testing)", bin.display());
    bin
}

/// A vault in its own temp dir, driven through the CLI or the core.
pub struct TestVault {
    /// Holds the temp dir alive.
    pub tmp: tempfile::TempDir,
    /// The vault directory (inside `tmp`).
    pub dir: PathBuf,
    /// The `relais` to run (default: [`relais_bin`]).
    bin: Option<PathBuf>,
}

impl TestVault {
    /// An empty temp dir; the vault is not created yet.
    pub fn empty() -> TestVault {
        fast_kdf();
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("vault");
        TestVault { tmp, dir, bin: None }
    }

    /// Runs this `relais` (a CLI test passes `env!("CARGO_BIN_EXE_relais")`).
    pub fn with_bin(mut self, bin: impl Into<PathBuf>) -> TestVault {
        self.bin = Some(bin.into());
        self
    }

    /// A fresh vault created through the core (fast: one scrypt).
    pub fn new() -> (TestVault, Store) {
        let tv = TestVault::empty();
        let owner = Owner { name: "Intervenante Test".into(), org: "Organisme Test".into() };
        let (_v, store) = Vault::create(&tv.dir, &Passphrase::new(PASS), &owner, None).expect("create vault");
        (tv, store)
    }

    /// Unlocks it again through the core.
    pub fn unlock(&self) -> Store {
        Vault::open(&self.dir).expect("vault").unlock(&Passphrase::new(PASS)).expect("unlock")
    }

    /// A `relais` command on this vault, passphrase in the environment, fixed language.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(self.bin.clone().unwrap_or_else(relais_bin));
        c.env("RELAIS_VAULT", &self.dir)
            .env("RELAIS_PASSPHRASE", PASS)
            .env_remove("RELAIS_LANG")
            .env("TZ", "America/Toronto")
            .env(relais_core::vault::TEST_KDF_ENV, TEST_LOG_N.to_string())
            .env("TMPDIR", self.tmp.path().join("tmp"));
        let _ = std::fs::create_dir_all(self.tmp.path().join("tmp"));
        c
    }

    /// Every page of this vault's files, decrypted with its key (see [`decrypted_pages`]).
    pub fn pages(&self) -> Vec<u8> {
        let key = Vault::open(&self.dir).expect("vault").unwrap_key(&Passphrase::new(PASS)).expect("key");
        decrypted_pages(&self.dir.join(relais_core::vault::DB_FILE), key.expose())
    }

    /// Runs `relais ARGS` and returns its output, whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run relais")
    }

    /// Runs `relais ARGS`, asserts success, returns stdout trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "relais {args:?} failed ({:?}):\n{}", out.status.code(), String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
    }
}

/// The text values of a query's first column, in its order.
pub fn texts(store: &Store, sql: &str) -> Vec<String> {
    let mut st = store.conn().prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    st.query_map([], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}")).map(|v| v.expect("a text value")).collect()
}

/// The actions of a vault's audit trail, in order.
pub fn audit_actions(store: &Store) -> Vec<String> {
    texts(store, "SELECT action FROM audit_events ORDER BY seq")
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The canaries (of `canaries`) found in any file under `dir`, with the file.
pub fn scan(dir: &Path, canaries: &[String]) -> Vec<(String, PathBuf)> {
    let mut hits = Vec::new();
    for f in files_under(dir) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        for c in canaries {
            if contains(&bytes, c.as_bytes()) {
                hits.push((c.clone(), f.clone()));
            }
        }
    }
    hits
}

/// Byte substring search.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Temporary files SQLite holds open in this process: named `etilqs_…` (SQLite's prefix) or
/// already unlinked (`(deleted)`, as SQLite does right after opening one). Looked up through
/// /proc/self/fd, so a file unlinked at once is still seen.
pub fn sqlite_temp_files_open() -> Vec<String> {
    let mut out = Vec::new();
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else { return out };
    for fd in fds.flatten() {
        let Ok(target) = std::fs::read_link(fd.path()) else { continue };
        let t = target.to_string_lossy().to_string();
        if t.contains("etilqs_") || (t.starts_with('/') && t.ends_with(" (deleted)")) {
            out.push(t);
        }
    }
    out
}

/// Creates one record of every kind with a unique canary string in every text field, and
/// returns the canaries (well over 50). Required non-text fields get valid values.
pub fn plant_canaries(store: &mut Store, tag: &str) -> Vec<String> {
    use relais_core::model::catalogue::Catalogues;
    use relais_core::record::{Fields, Kind, Ty};
    use serde_json::{Value, json};
    let mut canaries = Vec::new();
    let mut ids: std::collections::HashMap<Kind, String> = std::collections::HashMap::new();
    store
        .write(|w| {
            // Contacts hold colleagues' public keys, not case data, and refuse non-keys.
            for kind in Kind::ALL.into_iter().filter(|k| *k != Kind::Contact) {
                let mut f = Fields::new();
                for col in kind.columns() {
                    // What a document's bytes are is read from them.
                    if kind == Kind::Document && relais_core::record::DOCUMENT_CONTENT_COLS.contains(&col.name) {
                        continue;
                    }
                    let v = match col.ty {
                        Ty::Text(_) => {
                            let c = format!("CNRY{tag}{}x{}Q", kind.name().replace('_', ""), col.name.replace('_', ""));
                            canaries.push(c.clone());
                            json!(c)
                        }
                        Ty::Words => {
                            let c = format!("CNRY{tag}{}x{}W", kind.name().replace('_', ""), col.name.replace('_', ""));
                            canaries.push(c.clone());
                            json!([c])
                        }
                        Ty::Ref(k) => ids.get(&k).map_or(Value::Null, |id| json!(id)),
                        _ if !col.required => Value::Null,
                        Ty::Code("needs") => json!("safety_protection"),
                        Ty::Code("phases") => json!("immediate"),
                        Ty::Code("origins") => json!("international"),
                        Ty::Code("person_statuses") => json!("active"),
                        Ty::Code(list) => json!(Catalogues::get().list(list)[0].code),
                        Ty::Date => json!("2026-01-05"),
                        Ty::DateTime => json!("2026-01-05T10:00:00Z"),
                        Ty::Money => json!(12050),
                        Ty::Minutes => json!(90),
                        other => panic!("no canary value for {other:?}"),
                    };
                    f.insert(col.name.to_owned(), v);
                }
                let id = if kind == Kind::Document {
                    // Its bytes hold a canary too.
                    let c = format!("CNRY{tag}documentxbytesQ");
                    canaries.push(c.clone());
                    relais_core::case::documents::add_in(w, f, format!("Lettre, {c}.").as_bytes())?
                } else {
                    w.insert(kind, f)?
                };
                ids.insert(kind, id);
            }
            Ok(())
        })
        .expect("plant canaries");
    canaries
}

/// Adds `other`'s public identity to `store`'s contacts, already verified; returns the contact id.
pub fn add_verified_contact(store: &mut Store, other: &Store) -> String {
    let id = relais_core::exchange::identity::show(other).expect("identity");
    let fields: relais_core::record::Fields = [
        ("name", serde_json::json!(id.name)),
        ("age_recipient", serde_json::json!(id.age_recipient)),
        ("signing_key", serde_json::json!(id.signing_key)),
        ("verified_on", serde_json::json!("2026-11-01")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    store.write(|w| w.insert(relais_core::record::Kind::Contact, fields)).expect("add contact")
}

/// A share of every case of `from` for the contact `to`: the demo's consents name
/// organisations, not a colleague, so it goes by override (`reason`).
pub fn share_all(from: &Store, to: String, reason: &str) -> relais_core::exchange::ExportRequest {
    let persons = from.list_all(relais_core::record::Kind::Person).expect("persons");
    relais_core::exchange::ExportRequest {
        persons: persons.iter().map(|p| p["id"].as_str().expect("an id").to_owned()).collect(),
        to: vec![to],
        kind: relais_core::exchange::BundleKind::Share,
        armor: false,
        override_reason: Some(reason.into()),
        documents: false,
    }
}

/// A bundle document around `manifest` and `content`, signed with `signer`'s own key and
/// encrypted to `recipient`: what a colleague who holds a valid key can send, whatever it holds.
pub fn seal_as(signer: &Store, recipient: &str, manifest: &serde_json::Value, content: &serde_json::Value) -> Vec<u8> {
    use ed25519_dalek::Signer;
    use relais_core::exchange;
    let seed: String =
        signer.conn().query_row("SELECT value FROM vault_meta WHERE key = 'signing_seed'", [], |r| r.get(0)).expect("signing seed");
    let key = ed25519_dalek::SigningKey::from_bytes(&hex::decode(seed).expect("hex").try_into().expect("32 bytes"));
    let mut msg = b"relais.bundle.v2 manifest\n".to_vec();
    msg.extend_from_slice(exchange::canonical(manifest).as_bytes());
    let sig = hex::encode(key.sign(&msg).to_bytes());
    let doc = serde_json::json!({"format": "relais.bundle", "version": 2, "manifest": manifest, "content": content, "signature": sig});
    exchange::encrypt_for_test_vectors(&serde_json::to_vec(&doc).expect("JSON"), &[recipient]).expect("encrypts")
}

/// A bundle of `kind` carrying `content` and naming no person, signed by `signer` under
/// `bundle_id` and encrypted to `to` alone ([`seal_as`]): a colleague's own hand-made bundle.
pub fn signed_by(signer: &Store, to: &Store, bundle_id: &str, kind: &str, content: &serde_json::Value) -> Vec<u8> {
    use relais_core::exchange;
    let (me, them) = (exchange::identity::show(signer).expect("identity"), exchange::identity::show(to).expect("identity"));
    let manifest = serde_json::json!({
        "bundle_id": bundle_id,
        "created_at": "2026-12-01T10:00:00.000Z",
        "kind": kind,
        "sender": me,
        "recipients": [{"age_recipient": them.age_recipient, "fingerprint": them.fingerprint}],
        "persons": [],
        "counts": {},
        "content_sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(exchange::canonical(content).as_bytes())),
    });
    seal_as(signer, &them.age_recipient, &manifest, content)
}

/// Every row of every table a change could touch (records, bundle bookkeeping, audit trail,
/// metadata), as text: two dumps are equal only if nothing changed.
/// The records of a vault (every kind, every field), who holds each case, and what waits for a
/// decision: its content, without the traces an exchange leaves (bundles seen, audit events).
pub fn dump_records(store: &Store) -> String {
    let mut out = String::new();
    for k in relais_core::record::Kind::ALL {
        out.push_str(&format!("{:?}\n", store.list_all(k).expect("list")));
    }
    for q in ["SELECT id, owner FROM persons ORDER BY id", "SELECT record_id, reason, theirs FROM conflicts ORDER BY id"] {
        let mut st = store.conn().prepare(q).expect("query");
        let n = st.column_count();
        let rows: Vec<Vec<rusqlite::types::Value>> =
            st.query_map([], |r| (0..n).map(|i| r.get(i)).collect()).expect("rows").map(Result::unwrap).collect();
        out.push_str(&format!("{rows:?}\n"));
    }
    out
}

/// Who holds a case in this vault: its fingerprint, or `None` for the vault itself.
pub fn holder(store: &Store, person_id: &str) -> Option<String> {
    store.conn().query_row("SELECT owner FROM persons WHERE id = ?1", [person_id], |r| r.get(0)).expect("a case")
}

pub fn dump_vault(store: &Store) -> String {
    let mut out = String::new();
    for k in relais_core::record::Kind::ALL {
        out.push_str(&format!("{:?}\n", store.list_all(k).expect("list")));
    }
    for t in ["conflicts", "bundles_seen", "senders_seen", "handoffs", "audit_events", "audit_head", "vault_meta", "document_content"] {
        let mut st = store.conn().prepare(&format!("SELECT * FROM {t} ORDER BY 1")).expect("table");
        let n = st.column_count();
        let rows: Vec<Vec<rusqlite::types::Value>> =
            st.query_map([], |r| (0..n).map(|i| r.get(i)).collect()).expect("rows").map(Result::unwrap).collect();
        out.push_str(&format!("{t}={rows:?}\n"));
    }
    out
}

/// Every page of an SQLCipher 4 database file (and of its WAL, if any), decrypted with its raw
/// key, concatenated: what the files hold, free pages and old WAL frames included, as the
/// database engine would see it. SQLCipher's defaults: 4096-byte pages, each encrypted with
/// AES-256-CBC under the raw key, the last 80 bytes reserved (16-byte IV, then a 64-byte HMAC);
/// the file's first 16 bytes are its salt, in place of page 1's header.
pub fn decrypted_pages(db: &Path, key: &[u8; 32]) -> Vec<u8> {
    use aes::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    const PAGE: usize = 4096;
    const RESERVE: usize = 80;
    let decrypt = |page: &[u8], first: bool, out: &mut Vec<u8>| {
        let start = if first { 16 } else { 0 };
        let iv = &page[PAGE - RESERVE..PAGE - RESERVE + 16];
        let mut data = page[start..PAGE - RESERVE].to_vec();
        let plain =
            cbc::Decryptor::<aes::Aes256>::new(key.into(), iv.into()).decrypt_padded_mut::<NoPadding>(&mut data).expect("whole blocks");
        out.extend_from_slice(plain);
    };
    let mut out = Vec::new();
    let bytes = std::fs::read(db).expect("read the database file");
    for (i, page) in bytes.chunks_exact(PAGE).enumerate() {
        decrypt(page, i == 0, &mut out);
    }
    // WAL: a 32-byte header, then frames of a 24-byte header and one page.
    let wal = std::fs::read(db.with_extension("db-wal")).unwrap_or_default();
    if wal.len() > 32 {
        for frame in wal[32..].chunks_exact(24 + PAGE) {
            let page_no = u32::from_be_bytes(frame[..4].try_into().expect("4 bytes"));
            decrypt(&frame[24..], page_no == 1, &mut out);
        }
    }
    out
}

/// What is wrong with a message catalogue (a `locales/` folder of rust-i18n): a key in one
/// language only, an empty text, `%{…}` substitutions that differ between French and English.
/// Read with rust-i18n's own loader, so the check sees what the binaries embed.
pub fn catalogue_problems(dir: &Path) -> Vec<String> {
    let all = rust_i18n_support::load_locales(dir.to_str().expect("utf-8 path"), |_| false);
    let (Some(fr), Some(en)) = (all.get("fr"), all.get("en")) else {
        return vec![format!("{}: no French or no English messages", dir.display())];
    };
    let vars = |s: &str| {
        // `%{n|dossier|dossiers}` is a plural form of `n` (lang::plurals): its forms differ by language.
        let mut v: Vec<String> =
            s.split("%{").skip(1).filter_map(|p| p.split_once('}').map(|x| x.0.split('|').next().unwrap_or_default().to_owned())).collect();
        v.sort();
        v.dedup();
        v
    };
    let mut problems = Vec::new();
    for key in fr.keys().chain(en.keys()).collect::<std::collections::BTreeSet<_>>() {
        match (fr.get(key), en.get(key)) {
            (Some(f), Some(e)) if !f.trim().is_empty() && !e.trim().is_empty() => {
                if vars(f) != vars(e) {
                    problems.push(format!("{key}: substitutions differ"));
                }
            }
            _ => problems.push(format!("{key}: missing fr or en")),
        }
    }
    problems
}
