//! kill -9 in the middle of a large write transaction, at random moments: the vault always
//! opens, both integrity checks pass, the audit chain holds, and the transaction is all there
//! or not at all.

use std::time::{Duration, Instant};

use rand::Rng;
use relais_tests::TestVault;

const PERSONS: i64 = 60;
const ROUNDS: usize = 20;

fn check(tv: &TestVault) -> i64 {
    let store = tv.unlock();
    let c = store.conn();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let cipher_errors: Vec<String> =
        c.prepare("PRAGMA cipher_integrity_check").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(cipher_errors.is_empty(), "{cipher_errors:?}");
    let v = relais_core::audit::verify(c).unwrap();
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
    for round in 0..ROUNDS {
        let mut child = tv.cmd().args(["demo", "--persons", &PERSONS.to_string(), "--seed", &round.to_string()]).spawn().unwrap();
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
    assert!(rolled_back >= ROUNDS / 4, "only {rolled_back} of {ROUNDS} runs were killed before their commit");
}
