//! kill -9 in the middle of a large write transaction, at random moments: the vault always
//! opens, both integrity checks pass, the audit chain holds, and the transaction is all there
//! or not at all.

use std::time::{Duration, Instant};

use rand::Rng;
use relais_tests::TestVault;

const PERSONS: i64 = 60;
/// Kills per test: `RELAIS_CRASH_ROUNDS` (`make fuzz` sets hundreds), else `default`: enough
/// for `make test` to catch a transaction that is not atomic, few enough to keep it short.
fn rounds(default: usize) -> usize {
    std::env::var("RELAIS_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).filter(|n| *n >= 4).unwrap_or(default)
}

fn check(tv: &TestVault) -> i64 {
    let store = tv.unlock();
    let c = store.conn();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let cipher_errors: Vec<String> =
        c.prepare("PRAGMA cipher_integrity_check").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(cipher_errors.is_empty(), "{cipher_errors:?}");
    let v = relais_core::vault::audit::verify(&store).unwrap();
    assert_eq!(v.first_break, None);
    let persons: i64 = c.query_row("SELECT count(*) FROM persons", [], |r| r.get(0)).unwrap();
    let fills: i64 = c.query_row("SELECT count(*) FROM audit_events WHERE action = 'demo.fill'", [], |r| r.get(0)).unwrap();
    assert_eq!(persons, fills * PERSONS, "a partial transaction is visible: {persons} persons for {fills} fills");
    persons
}

#[test]
fn kill_9_during_a_large_write_leaves_all_or_nothing() {
    let (tv, store) = TestVault::new();
    drop(store);
    // How long an unlock and one full fill take here, to aim the kills inside the transaction.
    let t = Instant::now();
    tv.ok(&["person", "list"]);
    let unlock = t.elapsed();
    let t = Instant::now();
    tv.ok(&["demo", "--persons", &PERSONS.to_string(), "--seed", "1"]);
    let full = t.elapsed();
    let span = full.saturating_sub(unlock).as_millis().max(20) as u64;
    let mut expected = check(&tv);
    assert_eq!(expected, PERSONS);
    let mut rng = rand::thread_rng();
    let mut rolled_back = 0;
    let rounds = rounds(20);
    for round in 0..rounds {
        let mut child = tv
            .cmd()
            .args(["demo", "--persons", &PERSONS.to_string(), "--seed", &round.to_string()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wait = unlock.as_millis() as u64 * 8 / 10 + rng.gen_range(0..span);
        std::thread::sleep(Duration::from_millis(wait));
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            child.kill().unwrap(); // SIGKILL
        }
        let status = child.wait().unwrap();
        let persons = check(&tv);
        if status.success() {
            expected += PERSONS;
        } else if persons == expected + PERSONS {
            // Killed after the commit, while exiting: the whole fill is there, as it should.
            expected += PERSONS;
        } else {
            rolled_back += 1;
        }
        assert_eq!(persons, expected, "round {round}: waited {wait} ms, finished={finished}");
    }
    assert!(rolled_back >= rounds / 4, "only {rolled_back} of {rounds} runs were killed before their commit");
}

/// A directory copied file by file (a closed vault: db and key files).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn kill_9_during_the_import_of_1000_cases_leaves_all_or_nothing() {
    use relais_core::exchange;
    const CASES: usize = 1000;
    let (tva, mut a) = TestVault::new();
    let (tvb, mut b) = TestVault::new();
    relais_core::demo::fill(&mut a, CASES, 11, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &mut |_, _| {}).unwrap();
    let to = relais_tests::add_verified_contact(&mut a, &b);
    relais_tests::add_verified_contact(&mut b, &a);
    let req = relais_tests::share_all(&a, to, "Essai");
    let (bytes, _, _) = exchange::build_export(&a, &req, &mut |_, _| {}).unwrap();
    let file = tva.tmp.path().join("mille.relais");
    std::fs::write(&file, &bytes).unwrap();
    drop(b);
    drop(a);

    // One uninterrupted import on a copy, to know how long the transaction lasts.
    let round_vault = |n: usize| -> TestVault {
        let tv = TestVault::empty();
        copy_dir(&tvb.dir, &tv.dir);
        let _ = n;
        tv
    };
    let probe = round_vault(0);
    let t = Instant::now();
    probe.ok(&["person", "list"]);
    let unlock = t.elapsed();
    let t = Instant::now();
    probe.ok(&["import", file.to_str().unwrap()]);
    let full = t.elapsed();
    assert_eq!(probe.unlock().conn().query_row("SELECT count(*) FROM persons", [], |r| r.get::<_, i64>(0)).unwrap(), CASES as i64);
    let span = full.saturating_sub(unlock).as_millis().max(20) as u64;

    let mut rng = rand::thread_rng();
    let mut interrupted = 0;
    // Each round imports 40 000 notes: about 5 s in a debug build.
    let rounds = rounds(6);
    for round in 1..=rounds {
        let tv = round_vault(round);
        let mut child = tv.cmd().args(["import", file.to_str().unwrap()]).stdout(std::process::Stdio::null()).spawn().unwrap();
        let wait = unlock.as_millis() as u64 + rng.gen_range(0..span);
        std::thread::sleep(Duration::from_millis(wait));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let store = tv.unlock();
        let c = store.conn();
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok", "round {round}");
        let cipher_errors: i64 = c.prepare("PRAGMA cipher_integrity_check").unwrap().query_map([], |_| Ok(())).unwrap().count() as i64;
        assert_eq!(cipher_errors, 0);
        assert_eq!(relais_core::vault::audit::verify(&store).unwrap().first_break, None);
        let persons: i64 = c.query_row("SELECT count(*) FROM persons", [], |r| r.get(0)).unwrap();
        let notes: i64 = c.query_row("SELECT count(*) FROM notes", [], |r| r.get(0)).unwrap();
        let seen: i64 = c.query_row("SELECT count(*) FROM bundles_seen", [], |r| r.get(0)).unwrap();
        match persons {
            0 => {
                assert_eq!((notes, seen), (0, 0), "round {round}: half an import");
                interrupted += 1;
            }
            n if n == CASES as i64 => assert_eq!((notes, seen), (40 * CASES as i64, 1), "round {round}"),
            n => panic!("round {round}: {n} persons after a kill at {wait} ms (exit {status:?})"),
        }
    }
    assert!(interrupted >= rounds / 4, "only {interrupted} of {rounds} imports were killed before their commit");
}
