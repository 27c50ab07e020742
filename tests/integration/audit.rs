//! The audit trail: every change writes an event in the same transaction, and events edited or
//! deleted with raw SQL are caught by `relais audit verify`.

use relais_core::vault::audit::{self, Break};
use relais_tests::TestVault;

fn setup() -> TestVault {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie"]);
    let p = tv.ok(&["person", "add", "--alias", "Luciole"]);
    tv.ok(&["need", "add", &p, "housing_emergency"]);
    tv.ok(&["note", "add", "Luciole", "--text", "Premier contact"]);
    tv.ok(&["person", "edit", "Luciole", "--region", "Laval"]);
    tv
}

#[test]
fn every_change_is_audited_with_fields_not_values() {
    let tv = setup();
    let store = tv.unlock();
    let mut st = store.conn().prepare("SELECT action, kind, fields, actor FROM audit_events ORDER BY seq").unwrap();
    let rows: Vec<(String, Option<String>, String, String)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    let actions: Vec<String> = rows.iter().map(|r| format!("{} {}", r.0, r.1.clone().unwrap_or_default())).collect();
    assert_eq!(actions, ["vault.init ", "identity.create ", "create person", "create need", "create note", "update person"]);
    assert_eq!(rows[5].2, r#"["region"]"#);
    assert!(rows.iter().all(|r| r.3 == "Marie"));
    assert!(!rows.iter().any(|r| r.2.contains("Laval") || r.2.contains("Premier")), "values leaked into the audit log");
    let v = audit::verify(&store).unwrap();
    assert_eq!(v.events, 6);
    assert_eq!(v.first_break, None);
    assert!(tv.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn an_edited_event_is_caught() {
    let tv = setup();
    tv.unlock().conn().execute("UPDATE audit_events SET actor = 'Quelqu''un' WHERE seq = 3", []).unwrap();
    let out = tv.run(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("n° 3 a été modifié"), "{}", String::from_utf8_lossy(&out.stdout));
    let out = tv.run(&["--json", "audit", "verify"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["first_break"], serde_json::json!({"problem": "edited", "seq": 3}));
}

#[test]
fn a_deleted_event_is_caught() {
    let tv = setup();
    tv.unlock().conn().execute("DELETE FROM audit_events WHERE seq = 2", []).unwrap();
    let v = audit::verify(&tv.unlock()).unwrap();
    assert_eq!(v.first_break, Some(Break::Missing { after: 1, next: 3 }));
    let out = tv.run(&["--lang", "en", "audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("missing between #1 and #3"));
}

#[test]
fn a_deleted_tail_and_a_renumbered_chain_are_caught() {
    let tv = setup();
    tv.unlock().conn().execute("DELETE FROM audit_events WHERE seq = 6", []).unwrap();
    assert_eq!(audit::verify(&tv.unlock()).unwrap().first_break, Some(Break::Truncated { last: 5, head: 6 }));

    // Deleting an event and renumbering the rest to hide the gap breaks the hashes.
    let tv = setup();
    let store = tv.unlock();
    store
        .conn()
        .execute_batch(
            "DELETE FROM audit_events WHERE seq = 2; UPDATE audit_events SET seq = seq - 1 WHERE seq > 2; UPDATE audit_head SET seq = 5;",
        )
        .unwrap();
    assert_eq!(audit::verify(&store).unwrap().first_break, Some(Break::Edited { seq: 2 }));
}

#[test]
fn a_failed_change_writes_no_event() {
    let tv = setup();
    let before: i64 = tv.unlock().conn().query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0)).unwrap();
    let out = tv.run(&["need", "add", "Luciole", "pas_un_code"]);
    assert_eq!(out.status.code(), Some(1));
    let after: i64 = tv.unlock().conn().query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0)).unwrap();
    assert_eq!(before, after);
}
