//! Backup and restore: one encrypted file, a restore equal table by table, consistent while
//! another connection writes, and a clear refusal (nothing created) for anything wrong.

use std::path::Path;

use relais_core::record::{Fields, Kind};
use relais_core::secret::Passphrase;
use relais_core::vault::Vault;
use relais_core::vault::backup::{self, Proof};
use relais_tests::{PASS, TestVault};
use serde_json::json;

/// Every row of every table, FTS and its shadow tables included.
fn all_tables(dir: &Path) -> Vec<(String, Vec<Vec<rusqlite::types::Value>>)> {
    let store = Vault::open(dir).unwrap().unlock(&Passphrase::new(PASS)).unwrap();
    let names: Vec<String> = store
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names
        .into_iter()
        .map(|t| {
            let mut st = store.conn().prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1")).unwrap();
            let n = st.column_count();
            let rows = st.query_map([], |r| (0..n).map(|i| r.get(i)).collect()).unwrap().map(Result::unwrap).collect();
            (t, rows)
        })
        .collect()
}

#[test]
fn a_restored_backup_equals_the_vault_table_by_table() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie Tremblay"]);
    tv.ok(&["demo", "--persons", "4", "--seed", "5", "--today", "2026-12-03"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    tv.ok(&["note", "add", "Colibri", "--text", "CANARY-backup-note-41ac"]);
    let before = all_tables(&tv.dir);
    let file = tv.tmp.path().join("vault.relais-backup");
    let out = tv.ok(&["backup", "-o", file.to_str().unwrap()]);
    assert!(out.contains("Sauvegarde écrite"), "{out}");
    // Readable by the worker only, like the vault (whatever the umask: the test's is 022).
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "a backup is private");
    // One file, nothing in clear in it, and the standard tar lists what it holds.
    let bytes = std::fs::read(&file).unwrap();
    assert!(!relais_tests::contains(&bytes, b"CANARY-backup-note-41ac") && !relais_tests::contains(&bytes, b"Colibri"));
    let listing = std::process::Command::new("tar").arg("tf").arg(&file).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&listing.stdout), "manifest.json\naudit-anchor.json\nvault.db\nvault.key.age\n");

    let restored = tv.tmp.path().join("restored");
    let r = tv.cmd().env("RELAIS_VAULT", &restored).args(["restore", file.to_str().unwrap()]).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(String::from_utf8_lossy(&r.stdout).contains("restaurée"));
    // Equal to the vault as it was when backed up (the vault has since recorded the backup).
    let (a, b) = (before, all_tables(&restored));
    assert!(a.len() > 20 && a.iter().any(|(t, rows)| t == "notes" && !rows.is_empty()), "the comparison sees the tables");
    assert_eq!(a.iter().map(|(t, _)| t).collect::<Vec<_>>(), b.iter().map(|(t, _)| t).collect::<Vec<_>>());
    for ((t, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "table {t} differs after restore");
    }
    let after: i64 =
        tv.unlock().conn().query_row("SELECT count(*) FROM audit_events WHERE action = 'vault.backup'", [], |r| r.get(0)).unwrap();
    assert_eq!(after, 1, "the backup is in the original's audit trail");
    // And the restored vault works: the note is found, the audit chain holds.
    let found = tv.cmd().env("RELAIS_VAULT", &restored).args(["search", "CANARY-backup-note-41ac"]).output().unwrap();
    assert!(String::from_utf8_lossy(&found.stdout).contains("Colibri"));
    let chain = tv.cmd().env("RELAIS_VAULT", &restored).args(["audit", "verify"]).output().unwrap();
    assert!(chain.status.success());
}

#[test]
fn the_recovery_identity_restores_a_backup_when_the_passphrase_is_lost() {
    let (tv, _s) = TestVault::new();
    let (identity, recipient) = relais_core::vault::generate_recovery_identity();
    Vault::open(&tv.dir).unwrap().set_recovery(&Passphrase::new(PASS), &recipient).unwrap();
    let file = tv.tmp.path().join("b.relais-backup");
    tv.ok(&["backup", "-o", file.to_str().unwrap()]);
    let new = Passphrase::new("nouvelle phrase marmotte 42 lanterne".to_owned());
    let target = tv.tmp.path().join("r");
    backup::restore(&file, &target, Proof::Recovery { identity: &identity, new: &new }).unwrap();
    Vault::open(&target).unwrap().unlock(&new).unwrap();
}

#[test]
fn a_backup_taken_during_writes_is_consistent() {
    let (tv, _s) = TestVault::new();
    let vault = Vault::open(&tv.dir).unwrap();
    let key = vault.unwrap_key(&Passphrase::new(PASS)).unwrap();
    let mut reader = vault.unlock_with_key(&key).unwrap();
    let mut writer = vault.unlock_with_key(&key).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let f = |pairs: &[(&str, serde_json::Value)]| -> Fields { pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() };
    let writes = std::thread::spawn(move || {
        let mut n = 0;
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            writer
                .write(|w| {
                    let p =
                        w.insert(Kind::Person, f(&[("alias", json!(format!("P{n}"))), ("intake_at", json!("2026-10-01T10:00:00-04:00"))]))?;
                    w.insert(
                        Kind::Note,
                        f(&[("person_id", json!(p)), ("at", json!("2026-10-02T10:00:00-04:00")), ("text", json!("x".repeat(2000)))]),
                    )
                })
                .unwrap();
            n += 1;
            // A person's pace, not a tight loop: the backup's own audit event must get its turn.
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        n
    });
    // Stop the writer even if an assertion below fails, before the vault's files go away.
    struct StopOnDrop(std::sync::Arc<std::sync::atomic::AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let _stop_guard = StopOnDrop(stop.clone());
    let mut sizes = Vec::new();
    for i in 0..4 {
        std::thread::sleep(std::time::Duration::from_millis(150));
        let file = tv.tmp.path().join(format!("during-{i}.relais-backup"));
        backup::backup(&mut reader, &key, &tv.dir, &file).unwrap();
        let target = tv.tmp.path().join(format!("restored-{i}"));
        backup::restore(&file, &target, Proof::Passphrase(&Passphrase::new(PASS))).unwrap();
        let s = Vault::open(&target).unwrap().unlock(&Passphrase::new(PASS)).unwrap();
        let q = |sql: &str| -> i64 { s.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        let persons = q("SELECT count(*) FROM persons");
        // Each person came with its note and its two audit events, in one transaction: a
        // snapshot holds all of a write or none of it, and the chain is whole.
        assert_eq!(q("SELECT count(*) FROM notes"), persons);
        assert_eq!(q("SELECT count(*) FROM audit_events WHERE kind IN ('person', 'note')"), 2 * persons);
        assert_eq!(q("SELECT count(*) FROM audit_events WHERE action = 'vault.backup'"), i, "the earlier backups are in the trail");
        assert!(relais_core::vault::audit::verify(&s).unwrap().first_break.is_none());
        sizes.push(persons);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writes.join().unwrap();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]) && sizes[3] > 0 && written > 0, "backups taken while writing ({sizes:?}, {written})");
}

#[test]
fn a_bad_backup_or_passphrase_restores_nothing() {
    let (tv, _s) = TestVault::new();
    let file = tv.tmp.path().join("b.relais-backup");
    tv.ok(&["backup", "-o", file.to_str().unwrap()]);
    let good = std::fs::read(&file).unwrap();
    let target = tv.tmp.path().join("target");
    let pass = Passphrase::new(PASS);
    let nothing_left = || {
        let left: Vec<_> =
            std::fs::read_dir(tv.tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert!(!target.exists(), "target created");
        assert!(!left.iter().any(|n| n.contains("restoring")), "staging left behind: {left:?}");
    };
    // A wrong passphrase.
    let e = backup::restore(&file, &target, Proof::Passphrase(&Passphrase::new("pas la bonne phrase".to_owned()))).unwrap_err();
    assert_eq!(e.code(), "WrongPassphrase");
    nothing_left();
    // Tampered (a byte of the encrypted database flipped), truncated, foreign.
    let mut tampered = good.clone();
    let mid = good.len() / 2;
    tampered[mid] ^= 0x20;
    let bad = tv.tmp.path().join("bad.relais-backup");
    for (what, bytes) in
        [("tampered", tampered), ("truncated", good[..good.len() * 2 / 3].to_vec()), ("foreign", b"hello, not a backup".to_vec())]
    {
        std::fs::write(&bad, &bytes).unwrap();
        let e = backup::restore(&bad, &target, Proof::Passphrase(&pass)).unwrap_err();
        assert_eq!(e.code(), "InvalidBackup", "{what}");
        assert!(e.message(relais_core::Lang::Fr).contains("Rien n'a été restauré"), "{what}");
        nothing_left();
    }
    // Never over an existing vault; the CLI says so and exits 1.
    let r = tv.run(&["restore", file.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    // The good one still restores (so the refusals above can fail).
    backup::restore(&file, &target, Proof::Passphrase(&pass)).unwrap();
}

fn person_id(s: &relais_core::Store, alias: &str) -> String {
    s.conn().query_row("SELECT id FROM persons WHERE alias = ?1", [alias], |r| r.get(0)).unwrap()
}

/// A case destroyed after a backup was made stays destroyed when that backup is restored: the
/// destruction ledger beside the vault's folder says which, the restore destroys it again and
/// says so. The ledger names nobody and is the worker's alone.
#[test]
fn a_case_destroyed_after_the_backup_stays_destroyed_when_it_is_restored() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie Tremblay"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    tv.ok(&["note", "add", "Colibri", "--text", "CANARY-ledger-note-7c21"]);
    tv.ok(&["person", "add", "--alias", "Mésange"]);
    let (colibri, mesange) = {
        let s = tv.unlock();
        (person_id(&s, "Colibri"), person_id(&s, "Mésange"))
    };
    let file = tv.tmp.path().join("old.relais-backup");
    tv.ok(&["backup", "-o", file.to_str().unwrap()]);
    tv.ok(&["person", "destroy", "Colibri", "--policy", "request", "--confirm", "Colibri"]);

    let ledger = tv.tmp.path().join(relais_core::vault::ledger::FILE);
    let text = std::fs::read_to_string(&ledger).expect("the destruction wrote the ledger beside the vault's folder");
    assert_eq!(text.lines().count(), 2, "a header and one line:\n{text}");
    assert!(!text.contains(&colibri) && !text.contains("Colibri"), "the ledger names nobody:\n{text}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&ledger).unwrap().permissions().mode() & 0o777, 0o600);

    // The laptop's vault is lost; the worker restores the backup where it was.
    std::fs::remove_dir_all(&tv.dir).unwrap();
    let out = tv.ok(&["restore", file.to_str().unwrap()]);
    assert!(out.contains("détruits de nouveau dans le coffre restauré\u{a0}: 1"), "{out}");
    let s = tv.unlock();
    let ids = relais_tests::texts(&s, "SELECT id FROM persons");
    assert_eq!(ids, std::slice::from_ref(&mesange), "Colibri stays destroyed, Mésange is back");
    let policy: String = s
        .conn()
        .query_row(
            "SELECT fields FROM audit_events WHERE action = 'person.destroy' AND record_id = ?1 ORDER BY seq DESC",
            [&colibri],
            |r| r.get(0),
        )
        .unwrap();
    assert!(policy.contains("policy=ledger"), "the restored vault's trail says why: {policy}");
    assert!(relais_core::vault::audit::verify(&s).unwrap().first_break.is_none());
    drop(s);
    assert!(!relais_tests::contains(&tv.pages(), b"CANARY-ledger-note-7c21"), "the note's words are gone from the restored files");
    // The ledger did not grow: the line was already there.
    assert_eq!(std::fs::read_to_string(&ledger).unwrap(), text);
    // A second restore of the same backup elsewhere beside it: the same.
    let other = tv.tmp.path().join("other");
    let json = tv.cmd().env("RELAIS_VAULT", &other).args(["--json", "restore", file.to_str().unwrap()]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((v["persons"].as_i64(), v["destroyed_again"].as_u64()), (Some(1), Some(1)), "{v}");
}

/// Only a line written with the vault's key matches a case: a line planted by someone without
/// it (here: the case id's plain SHA-256, or another vault's tag) destroys nothing. A case
/// destroyed, then sent back by a colleague and kept, is in later backups after its
/// destruction: restoring one of those keeps it.
#[test]
fn the_ledger_destroys_only_what_this_vault_destroyed_since_the_backup() {
    use crate::bundle::{befriend, export, import};
    use chrono::Utc;
    use relais_core::case::retention::{self, Policy};
    use relais_core::exchange::BundleKind;
    use sha2::Digest;
    let (tm, mut marie) = TestVault::new();
    let (tj, mut jean) = TestVault::new();
    let jean_in_marie = befriend(&mut marie, &jean);
    befriend(&mut jean, &marie);
    let p = marie.write(|w| w.insert(Kind::Person, [("alias".to_owned(), json!("Grive"))].into_iter().collect())).unwrap();
    import(&mut jean, &export(&mut marie, &jean_in_marie, &[&p], BundleKind::Share)).unwrap();
    let pass = Passphrase::new(PASS);

    // A planted line: the plain hash of the case's id, in the folder beside Jean's vault.
    let ledger = tj.tmp.path().join(relais_core::vault::ledger::FILE);
    let plain = hex::encode(sha2::Sha256::digest(p.as_bytes()));
    std::fs::write(&ledger, format!("# relais-destructions 1\n{plain} 2026-12-01\n")).unwrap();
    let before = tj.tmp.path().join("before.relais-backup");
    let key = Vault::open(&tj.dir).unwrap().unwrap_key(&pass).unwrap();
    backup::backup(&mut jean, &key, &tj.dir, &before).unwrap();
    let r = backup::restore(&before, &tj.tmp.path().join("planted"), Proof::Passphrase(&pass)).unwrap();
    assert_eq!((r.persons, r.destroyed_again), (1, 0), "a line without the vault's key matches nothing");

    // Jean destroys the case; Marie sends it again and Jean keeps it; then a backup.
    retention::destroy_person(&mut jean, &p, Policy::Request, "Grive", Utc::now()).unwrap();
    assert_eq!(std::fs::read_to_string(&ledger).unwrap().lines().count(), 3, "the destruction's line was appended");
    // Marie's own ledger (beside her vault) knows nothing of it.
    assert!(!tm.tmp.path().join(relais_core::vault::ledger::FILE).exists());
    import(&mut jean, &export(&mut marie, &jean_in_marie, &[&p], BundleKind::Share)).unwrap();
    let after = tj.tmp.path().join("after.relais-backup");
    backup::backup(&mut jean, &key, &tj.dir, &after).unwrap();
    let r = backup::restore(&after, &tj.tmp.path().join("kept"), Proof::Passphrase(&pass)).unwrap();
    assert_eq!((r.persons, r.destroyed_again), (1, 0), "sent back after its destruction: kept");
    // The backup from before the destruction: destroyed again.
    let r = backup::restore(&before, &tj.tmp.path().join("again"), Proof::Passphrase(&pass)).unwrap();
    assert_eq!((r.persons, r.destroyed_again), (0, 1));
}

/// A destruction whose ledger line could not be written (the folder read-only, a crash) leaves
/// it pending in its transaction: the next unlock writes it.
#[test]
fn a_ledger_line_that_could_not_be_written_is_written_at_the_next_unlock() {
    use chrono::Utc;
    use relais_core::case::retention::{self, Policy};
    let (tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, [("alias".to_owned(), json!("Pic"))].into_iter().collect())).unwrap();
    let ledger = tv.tmp.path().join(relais_core::vault::ledger::FILE);
    // A directory where the ledger goes: it cannot be opened as a file.
    std::fs::create_dir(&ledger).unwrap();
    retention::destroy_person(&mut s, &p, Policy::Request, "Pic", Utc::now()).unwrap();
    drop(s);
    // Still not writable at the next unlock, and a scrub is pending: the scrub is not held up.
    let s = tv.unlock();
    s.conn().execute("INSERT INTO vault_meta (key, value) VALUES ('scrub_pending', '1')", []).unwrap();
    drop(s);
    let s = tv.unlock();
    let pending = relais_tests::texts(&s, "SELECT key FROM vault_meta WHERE key LIKE '%pending' ORDER BY key");
    assert_eq!(pending, ["ledger_pending"], "the scrub ran, the ledger's line waits");
    drop(s);
    std::fs::remove_dir(&ledger).unwrap();
    assert!(!ledger.exists());
    drop(tv.unlock());
    let text = std::fs::read_to_string(&ledger).expect("written at the next unlock");
    assert_eq!(text.lines().count(), 2, "{text}");
}
