//! Key rotation: after a passphrase change, a recovery or `relais rotate-key`, no key file
//! written before (a backup's, an old recovery file) opens the database, the data is all there,
//! and a crash at any moment leaves a vault that the old or the new passphrase opens.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::Rng;
use relais_core::secret::Passphrase;
use relais_core::vault::{self, Rekey, Vault, rotate};
use relais_core::{Error, Fields, Kind};
use relais_tests::{PASS, TestVault};
use serde_json::json;

const NEW: &str = "le héron guette au bord du fleuve 12";

/// A directory holding today's database with the key files of `keys` (an old backup's).
fn with_old_keys(tv: &TestVault, keys: &Path) -> Vault {
    let mixed = tv.tmp.path().join(format!("mixed-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&mixed).unwrap();
    std::fs::copy(tv.dir.join(vault::DB_FILE), mixed.join(vault::DB_FILE)).unwrap();
    for f in [vault::KEY_FILE, vault::RECOVERY_FILE] {
        if keys.join(f).exists() {
            std::fs::copy(keys.join(f), mixed.join(f)).unwrap();
        }
    }
    Vault::open(&mixed).unwrap()
}

fn keep_key_files(tv: &TestVault) -> std::path::PathBuf {
    let old = tv.tmp.path().join("old-keys");
    std::fs::create_dir_all(&old).unwrap();
    for f in [vault::KEY_FILE, vault::RECOVERY_FILE] {
        if tv.dir.join(f).exists() {
            std::fs::copy(tv.dir.join(f), old.join(f)).unwrap();
        }
    }
    old
}

fn fields(v: serde_json::Value) -> Fields {
    v.as_object().unwrap().clone()
}

/// A vault with a recovery key, a person and a note, and its records dumped.
fn vault_with_recovery() -> (TestVault, Vault, String, zeroize::Zeroizing<String>) {
    let tv = TestVault::empty();
    let (identity, recipient) = vault::generate_recovery_identity();
    let owner = vault::Owner { name: "Marie".into(), org: "Le Phare".into() };
    let (v, mut store) = Vault::create(&tv.dir, &Passphrase::new(PASS), &owner, Some(&recipient)).unwrap();
    let pid = store.write(|w| w.insert(Kind::Person, fields(json!({"alias": "Colibri"})))).unwrap();
    store.write(|w| w.insert(Kind::Note, fields(json!({"person_id": pid, "text": "rencontre au refuge"})))).unwrap();
    let dump = relais_tests::dump_records(&store);
    drop(store);
    (tv, v, dump, identity)
}

#[test]
fn a_passphrase_change_gives_the_database_a_new_key_that_no_older_key_file_opens() {
    let (tv, v, dump, identity) = vault_with_recovery();
    let old_keys = keep_key_files(&tv);
    let salt_before = std::fs::read(tv.dir.join(vault::DB_FILE)).unwrap()[..16].to_vec();
    let mut store = v.unlock(&Passphrase::new(PASS)).unwrap();
    assert_eq!(v.change_passphrase(&mut store, &Passphrase::new(PASS), &Passphrase::new(NEW)).unwrap(), Rekey::Done);
    // The store handed back works, under the new key, with everything in it.
    assert_eq!(relais_tests::dump_records(&store), dump);
    let acts = relais_tests::audit_actions(&store);
    assert!(acts.ends_with(&["vault.passwd".to_owned(), "vault.rotate".to_owned()]), "{acts:?}");
    assert_eq!(relais_core::vault::audit::verify(&store).unwrap().first_break, None);
    let free: i64 = store.conn().query_row("PRAGMA freelist_count", [], |r| r.get(0)).unwrap();
    assert_eq!(free, 0, "the new file holds no free page of the old one");
    drop(store);
    assert_ne!(std::fs::read(tv.dir.join(vault::DB_FILE)).unwrap()[..16], salt_before[..], "a new file, not the old one");
    assert!(!rotate::pending(&tv.dir));

    // The old passphrase with the old key file (as in any older backup): the database refuses it.
    assert!(matches!(with_old_keys(&tv, &old_keys).unlock(&Passphrase::new(PASS)), Err(Error::DamagedVault(_))));
    // The old recovery file with the organisation's identity: same.
    let old_recovery = with_old_keys(&tv, &old_keys);
    assert!(old_recovery.recover(&identity, &Passphrase::new("une toute autre phrase 77 ici")).is_err());
    // Today's files: the new passphrase opens, the old one does not; today's recovery file works.
    assert!(matches!(v.unlock(&Passphrase::new(PASS)), Err(Error::WrongPassphrase)));
    assert_eq!(relais_tests::dump_records(&v.unlock(&Passphrase::new(NEW)).unwrap()), dump);
    let third = Passphrase::new("troisième phrase assez longue 31");
    assert_eq!(v.recover(&identity, &third).unwrap(), Rekey::Done);
    assert_eq!(relais_tests::dump_records(&v.unlock(&third).unwrap()), dump);
}

#[test]
fn a_recovery_gives_the_database_a_new_key_the_departed_workers_files_do_not_open() {
    let (tv, v, dump, identity) = vault_with_recovery();
    let old_keys = keep_key_files(&tv);
    assert_eq!(v.recover(&identity, &Passphrase::new(NEW)).unwrap(), Rekey::Done);
    assert!(matches!(with_old_keys(&tv, &old_keys).unlock(&Passphrase::new(PASS)), Err(Error::DamagedVault(_))));
    let store = v.unlock(&Passphrase::new(NEW)).unwrap();
    assert_eq!(relais_tests::dump_records(&store), dump);
    assert!(relais_tests::audit_actions(&store).ends_with(&["vault.recover".to_owned(), "vault.rotate".to_owned()]));
}

#[test]
fn rotate_key_through_the_cli_keeps_the_passphrase_and_retires_the_old_key_files() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    let old_keys = keep_key_files(&tv);
    let out = tv.ok(&["rotate-key"]);
    assert!(out.contains("nouvelle clé"), "{out}");
    assert!(tv.ok(&["person", "list"]).contains("Colibri"));
    assert!(matches!(with_old_keys(&tv, &old_keys).unlock(&Passphrase::new(PASS)), Err(Error::DamagedVault(_))));
    let json: serde_json::Value = serde_json::from_str(&tv.ok(&["--json", "rotate-key"])).unwrap();
    assert_eq!(json["ok"], true);
    // A passphrase change says what it did to the key.
    let out = tv.cmd().env("RELAIS_NEW_PASSPHRASE", NEW).args(["--json", "passwd"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["rekey"], "done");
}

/// The vault open elsewhere (the app while the CLI rotates): refused, nothing changed.
#[test]
fn a_rotation_refuses_while_the_vault_is_open_elsewhere() {
    let (tv, v, dump, _identity) = vault_with_recovery();
    let elsewhere = v.unlock(&Passphrase::new(PASS)).unwrap();
    let files_before: Vec<_> = relais_tests::files_under(&tv.dir);
    let mut store = v.unlock(&Passphrase::new(PASS)).unwrap();
    let err = v.rotate_key(&mut store, &Passphrase::new(PASS)).unwrap_err();
    assert!(matches!(err, Error::VaultBusy), "{err:?}");
    assert!(err.message(relais_core::Lang::Fr).contains("ouvert dans un autre programme"));
    assert_eq!(relais_tests::files_under(&tv.dir), files_before, "no next file left behind");
    // Both connections still work, and the store can write.
    assert_eq!(relais_tests::dump_records(&store), dump);
    store.write(|w| w.audit_vault("test.after", vec![])).unwrap();
    assert_eq!(relais_tests::dump_records(&elsewhere), dump);
    drop(elsewhere);
    v.rotate_key(&mut store, &Passphrase::new(PASS)).unwrap();
}

/// A vault whose recovery key was set before Relais kept its public key: the passphrase still
/// changes (and says the key did not), an explicit rotation says what to do.
#[test]
fn a_vault_whose_recovery_recipient_is_unknown_changes_its_passphrase_and_says_the_key_did_not() {
    let (tv, v, dump, _identity) = vault_with_recovery();
    let store = v.unlock(&Passphrase::new(PASS)).unwrap();
    store.conn().execute("DELETE FROM vault_meta WHERE key = 'recovery_recipient'", []).unwrap();
    drop(store);
    let mut store = v.unlock(&Passphrase::new(PASS)).unwrap();
    assert!(matches!(v.rotate_key(&mut store, &Passphrase::new(PASS)), Err(Error::RecoveryRecipientUnknown)));
    assert_eq!(v.change_passphrase(&mut store, &Passphrase::new(PASS), &Passphrase::new(NEW)).unwrap(), Rekey::RecoveryUnknown);
    assert_eq!(relais_tests::dump_records(&v.unlock(&Passphrase::new(NEW)).unwrap()), dump);
    let out = tv.cmd().env("RELAIS_PASSPHRASE", NEW).env("RELAIS_NEW_PASSPHRASE", PASS).args(["passwd"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("relais recovery-key"), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Which passphrase opens the vault now (the other one must not), with every check passed.
fn opens_with(tv: &TestVault, dump: &str, a: &str, b: &str) -> String {
    let v = Vault::open(&tv.dir).unwrap();
    let mut opened = None;
    for p in [a, b] {
        match v.unlock(&Passphrase::new(p)) {
            Ok(store) => {
                let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
                assert_eq!(ok, "ok");
                assert_eq!(relais_tests::dump_records(&store), dump);
                assert_eq!(relais_core::vault::audit::verify(&store).unwrap().first_break, None);
                opened = Some(p.to_owned());
                break;
            }
            Err(Error::WrongPassphrase | Error::RotationUnfinished) => {}
            Err(e) => panic!("{p}: {e:?}"),
        }
    }
    let opened = opened.expect("neither passphrase opens the vault");
    assert!(!rotate::pending(&tv.dir), "the unlock settled the rotation");
    opened
}

/// Stopped after each step of a passphrase change: before the commit the old passphrase
/// opens, after it the new one (and the old one says so, instead of "damaged").
#[test]
fn a_rotation_stopped_after_each_step_opens_with_the_old_or_the_new_passphrase() {
    for (step, expect) in [(1, PASS), (2, PASS), (3, NEW), (4, NEW)] {
        let (tv, _v, dump, _identity) = vault_with_recovery();
        let out =
            tv.cmd().env("RELAIS_NEW_PASSPHRASE", NEW).env("RELAIS_TEST_ROTATE_STOP", step.to_string()).args(["passwd"]).output().unwrap();
        assert_eq!(out.status.code(), Some(86), "step {step}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(rotate::pending(&tv.dir), "step {step}: the stop left the rotation's files");
        if expect == NEW {
            let err = Vault::open(&tv.dir).unwrap().unlock(&Passphrase::new(PASS)).unwrap_err();
            assert!(matches!(err, Error::RotationUnfinished), "step {step}: {err:?}");
            assert!(err.message(relais_core::Lang::Fr).contains("nouvelle phrase de passe"));
        }
        assert_eq!(opens_with(&tv, &dump, PASS, NEW), expect, "step {step}");
    }
}

/// kill -9 at random moments of passphrase changes back and forth: every time, one of the two
/// passphrases opens the vault, whole.
#[test]
fn kill_9_during_key_rotations_leaves_a_vault_the_old_or_the_new_passphrase_opens() {
    let (tv, v, _, _identity) = vault_with_recovery();
    // Enough in the vault for a rotation to take a while (the export copies every page).
    let mut store = v.unlock(&Passphrase::new(PASS)).unwrap();
    relais_core::demo::fill(&mut store, 60, 5, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &mut |_, _| {}).unwrap();
    let dump = relais_tests::dump_records(&store);
    drop(store);
    // How long a whole change takes here (the shorter of two), to aim the kills inside it.
    let mut span = u64::MAX;
    for (from, to) in [(PASS, NEW), (NEW, PASS)] {
        let t = Instant::now();
        let out = tv.cmd().env("RELAIS_PASSPHRASE", from).env("RELAIS_NEW_PASSPHRASE", to).args(["passwd"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        span = span.min(t.elapsed().as_millis().max(10) as u64);
    }
    let mut current = PASS.to_owned();
    let mut rng = rand::thread_rng();
    let (mut killed, mut rounds) = (0, 0);
    let total = std::env::var("RELAIS_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    while rounds < total {
        rounds += 1;
        let other = if current == PASS { NEW } else { PASS };
        let mut child = tv
            .cmd()
            .env("RELAIS_PASSPHRASE", &current)
            .env("RELAIS_NEW_PASSPHRASE", other)
            .args(["passwd"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..span)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
        current = opens_with(&tv, &dump, &current, other);
    }
    assert!(killed >= total / 4, "only {killed} of {total} rotations were killed before they ended");
}
