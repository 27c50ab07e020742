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

/// What someone holding the key does to hide an edit: rewrite event `seq`, then recompute every
/// hash after it, and the head, with the code's own formula (they have the code).
fn rewrite_and_rehash(store: &relais_core::Store, seq: i64, actor: &str) {
    use sha2::{Digest, Sha256};
    let c = store.conn();
    c.execute("UPDATE audit_events SET actor = ?2 WHERE seq = ?1", rusqlite::params![seq, actor]).unwrap();
    type Row = (i64, String, String, String, String, Option<String>, Option<String>, Option<String>, String);
    let rows: Vec<Row> = c
        .prepare("SELECT seq, id, at, actor, action, kind, record_id, person_id, fields FROM audit_events ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = audit::GENESIS.to_owned();
    for (s, id, at, actor, action, kind, record, person, fields) in rows {
        let fields: Vec<String> = serde_json::from_str(&fields).unwrap();
        let content = hex::encode(Sha256::digest(serde_json::json!([action, kind, record, person, fields]).to_string()));
        let hash = hex::encode(Sha256::digest(serde_json::json!([2, s, id, at, actor, content, prev]).to_string()));
        c.execute(
            "UPDATE audit_events SET content_hash = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            rusqlite::params![s, content, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    c.execute("UPDATE audit_head SET hash = ?1", [prev]).unwrap();
}

/// The chain alone does not catch a rewrite by someone with the key; an anchor kept outside
/// (a file, a backup) does.
#[test]
fn a_rewritten_log_passes_its_own_chain_but_not_an_earlier_anchor() {
    let tv = setup();
    let anchor_file = tv.tmp.path().join("ancre.json");
    let out = tv.ok(&["audit", "anchor", "--output", anchor_file.to_str().unwrap()]);
    assert!(out.contains("n° 6"), "{out}");
    let backup = tv.tmp.path().join("copie.relais-backup");
    tv.ok(&["backup", "--output", backup.to_str().unwrap()]);
    // Both anchors hold before anything is touched.
    for against in [&anchor_file, &backup] {
        let out = tv.ok(&["audit", "verify", "--against", against.to_str().unwrap()]);
        assert!(out.contains("toujours par l'ancre"), "{out}");
    }
    tv.ok(&["note", "add", "Luciole", "--text", "Deuxième rencontre"]);

    rewrite_and_rehash(&tv.unlock(), 3, "Quelqu'un d'autre");
    assert_eq!(audit::verify(&tv.unlock()).unwrap().first_break, None, "the rewrite fools the chain alone");
    for against in [&anchor_file, &backup] {
        let out = tv.run(&["audit", "verify", "--against", against.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stdout).contains("RÉÉCRIT"), "{}", String::from_utf8_lossy(&out.stdout));
    }
    let out = tv.run(&["--json", "audit", "verify", "--against", anchor_file.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["first_break"], serde_json::json!({"problem": "rewritten", "seq": 6}));
}

#[test]
fn an_anchor_that_is_forged_or_from_another_vault_is_refused() {
    let tv = setup();
    let file = tv.tmp.path().join("ancre.json");
    tv.ok(&["audit", "anchor", "-o", file.to_str().unwrap()]);
    let mut anchor: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // Another hash under the same signature: the signature no longer holds.
    anchor["hash"] = serde_json::json!("0".repeat(64));
    std::fs::write(&file, anchor.to_string()).unwrap();
    let out = tv.run(&["audit", "verify", "--against", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pas une ancre de journal Relais valide"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A genuine anchor of another vault says nothing about this one.
    let other = setup();
    other.ok(&["audit", "anchor", "-o", file.to_str().unwrap()]);
    let out = tv.run(&["--lang", "en", "audit", "verify", "--against", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("signed by another vault"), "{}", String::from_utf8_lossy(&out.stderr));
    // Not an anchor at all.
    std::fs::write(&file, b"{\"format\": \"autre chose\"}").unwrap();
    assert_eq!(tv.run(&["audit", "verify", "--against", file.to_str().unwrap()]).status.code(), Some(1));
}

/// A destruction empties a person's events; their place, instant and author stay proven.
#[test]
fn a_redacted_events_instant_and_author_are_still_covered() {
    let tv = setup();
    tv.ok(&["person", "destroy", "Luciole", "--policy", "request", "--confirm", "Luciole"]);
    let store = tv.unlock();
    assert_eq!(audit::verify(&store).unwrap().first_break, None);
    let redacted: i64 = store.conn().query_row("SELECT min(seq) FROM audit_events WHERE action = 'redacted'", [], |r| r.get(0)).unwrap();
    for edit in ["at = '2020-01-01T00:00:00Z'", "actor = 'Personne'", "id = '01900000-0000-7000-8000-000000000009'"] {
        let tv2 = TestVault::empty();
        copy_vault(&tv.dir, &tv2.dir);
        let s = tv2.unlock();
        s.conn().execute(&format!("UPDATE audit_events SET {edit} WHERE seq = ?1"), [redacted]).unwrap();
        assert_eq!(audit::verify(&s).unwrap().first_break, Some(Break::Edited { seq: redacted }), "{edit}");
    }
    // Nor can an event pass for one from before content hashes, to escape the check.
    store.conn().execute("UPDATE audit_events SET content_hash = NULL WHERE seq = ?1", [redacted]).unwrap();
    assert_eq!(audit::verify(&store).unwrap().first_break, Some(Break::Edited { seq: redacted }));
}

fn copy_vault(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in [relais_core::vault::DB_FILE, relais_core::vault::KEY_FILE] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
}

/// Bundles and receipts carry the sender's anchor; the receiver keeps it and can write it out
/// for the sender's vault to be checked against.
#[test]
fn a_colleague_keeps_the_anchors_that_come_with_bundles_and_receipts() {
    use relais_core::exchange::BundleKind;
    let mut p = crate::bundle::pair();
    let a_key = relais_core::exchange::identity::show(&p.a).unwrap().signing_key;
    let b_key = relais_core::exchange::identity::show(&p.b).unwrap().signing_key;
    let bytes = crate::bundle::export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    crate::bundle::import(&mut p.b, &bytes).unwrap();
    let from_a = audit::latest_received(&p.b, &a_key).unwrap().expect("the bundle's anchor is kept");
    assert_eq!(audit::verify_against(&p.a, &from_a).unwrap().first_break, None);
    let (receipt, _) = relais_core::exchange::build_receipt(&p.b, None, false).unwrap();
    crate::bundle::import(&mut p.a, &receipt).unwrap();
    let from_b = audit::latest_received(&p.a, &b_key).unwrap().expect("the receipt's anchor is kept");
    assert_eq!(audit::verify_against(&p.b, &from_b).unwrap().first_break, None);
    // A's anchor checked against B's vault: refused, not "intact".
    assert!(matches!(audit::verify_against(&p.b, &from_a), Err(relais_core::Error::ForeignAnchor)));
    rewrite_and_rehash(&p.a, 2, "Quelqu'un d'autre");
    assert_eq!(audit::verify_against(&p.a, &from_a).unwrap().first_break, Some(Break::Rewritten { seq: from_a.seq }));
}
