//! Retention and destruction, the trash, the incident register (Law 25). The destruction test
//! reads every page of the vault's files decrypted with its key (free pages and WAL frames
//! included) and finds none of the destroyed person's words, while another person's remain.

use chrono::{Duration, Utc};
use relais_core::Store;
use relais_core::case::retention::{self, Policy};
use relais_core::case::trash;
use relais_core::record::{Fields, Kind};
use relais_core::vault::audit;
use relais_tests::{TestVault, contains, dump_vault, plant_canaries};
use serde_json::json;

fn f(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// The canaries planted in a case's records (not in the directory or the incident register,
/// which belong to no one).
fn case_canaries(all: &[String], tag: &str) -> Vec<String> {
    let shared = ["organisation", "orgcontact", "service", "incident"].map(|k| format!("CNRY{tag}{k}x"));
    all.iter().filter(|c| !shared.iter().any(|s| c.starts_with(s.as_str()))).cloned().collect()
}

fn person_with_alias(s: &Store, alias: &str) -> String {
    s.conn().query_row("SELECT id FROM persons WHERE alias = ?1", [alias], |r| r.get(0)).unwrap()
}

/// Found as typed, or as the note index stores words (lower case).
fn found(hay: &[u8], canary: &str) -> bool {
    contains(hay, canary.as_bytes()) || contains(hay, canary.to_lowercase().as_bytes())
}

#[test]
fn destroying_a_person_leaves_none_of_their_words_in_the_files() {
    let (tv, mut s) = TestVault::new();
    let a = case_canaries(&plant_canaries(&mut s, "A"), "A");
    let b = case_canaries(&plant_canaries(&mut s, "B"), "B");
    let pa = person_with_alias(&s, "CNRYApersonxaliasQ");
    // More history for A: an edit, a note found by search, a bundle-side row.
    s.write(|w| w.update(Kind::Person, &pa, f(&[("region", json!("CNRYAextraxregionQ"))]))).unwrap();
    let before = tv.pages();
    assert!(a.iter().chain(&b).all(|c| found(&before, c)), "the scanner reads the pages (control)");
    assert!(contains(&before, b"cnryanotextextq"), "the note index holds A's note words (control)");

    let done = retention::destroy_person(&mut s, &pa, Policy::Request, "CNRYApersonxaliasQ", Utc::now()).unwrap();
    // The person and one record of each of the 14 kinds under a person (a document and its
    // bytes among them); their 15 creations and the edit.
    assert_eq!((done.records, done.events_redacted), (15, 16));
    drop(s);
    let after = tv.pages();
    let left: Vec<&String> = a.iter().filter(|c| found(&after, c)).collect();
    assert!(left.is_empty(), "{} of A's words remain, e.g. {:?}", left.len(), left.first());
    assert!(!found(&after, "CNRYAextraxregionQ") && !contains(&after, b"cnryanotextextq"));
    let gone: Vec<&String> = b.iter().filter(|c| !found(&after, c)).collect();
    assert!(gone.is_empty(), "B's words must remain: {gone:?}");
    for f in relais_tests::files_under(&tv.dir) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(a.iter().chain(&b).all(|c| !contains(&bytes, c.as_bytes())), "plaintext in {}", f.display());
    }

    // The trail: one event about the case, nothing about the person; the chain still verifies.
    let s = tv.unlock();
    assert!(audit::for_person(&s, &pa).unwrap().is_empty());
    let (action, fields): (String, String) =
        s.conn().query_row("SELECT action, fields FROM audit_events WHERE record_id = ?1", [&pa], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(action, "person.destroy");
    assert!(fields.contains("policy=request") && fields.contains("redacted="), "{fields}");
    let v = audit::verify(&s).unwrap();
    assert_eq!(v.first_break, None);
    let pb = person_with_alias(&s, "CNRYBpersonxaliasQ");
    assert!(!audit::for_person(&s, &pb).unwrap().is_empty());
}

#[test]
fn an_event_emptied_behind_the_apps_back_is_reported() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Martinet"))]))).unwrap();
    let q = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Grive"))]))).unwrap();
    retention::destroy_person(&mut s, &p, Policy::Request, "Martinet", Utc::now()).unwrap();
    assert_eq!(audit::verify(&s).unwrap().first_break, None);
    // Someone with the key makes Grive's creation look like part of a destruction.
    let seq: i64 = s.conn().query_row("SELECT seq FROM audit_events WHERE person_id = ?1", [&q], |r| r.get(0)).unwrap();
    s.conn()
        .execute(
            "UPDATE audit_events SET action = 'redacted', kind = NULL, record_id = NULL, person_id = NULL, fields = '[]' WHERE seq = ?1",
            [seq],
        )
        .unwrap();
    assert_eq!(audit::verify(&s).unwrap().first_break, Some(audit::Break::Edited { seq }));
}

#[test]
fn retention_starts_at_closure_and_the_dashboard_lists_what_is_due() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Pluvier"))]))).unwrap();
    let today = relais_core::time::local_date(Utc::now());
    let now = relais_core::time::local_now();
    // Open: not due, and the retention policy refuses.
    let before = dump_vault(&s);
    let e = retention::destroy_person(&mut s, &p, Policy::Retention, "Pluvier", Utc::now()).unwrap_err();
    assert_eq!(e.code(), "RetentionNotOver");
    assert!(e.message(relais_core::Lang::Fr).contains("n'est pas fermé"));
    assert_eq!(before, dump_vault(&s), "a refused destruction changed something");

    // Closed three years ago: kept 5 years by default, so not due yet.
    s.write(|w| relais_core::case::close_person(w, &p, "plan_completed", None)).unwrap();
    let closed = (today - Duration::days(3 * 365)).to_string();
    s.write(|w| w.update(Kind::Person, &p, f(&[("closed_on", json!(closed))]))).unwrap();
    assert_eq!(retention::years(&s).unwrap(), 5);
    assert!(retention::due(&s, today).unwrap().is_empty());
    let e = retention::destroy_person(&mut s, &p, Policy::Retention, "Pluvier", Utc::now()).unwrap_err();
    assert!(
        matches!(&e, relais_core::Error::RetentionNotOver { until } if until.starts_with(&(today.year_ce().1 as i32 + 2).to_string())),
        "{e:?}"
    );

    // The organisation keeps closed cases 2 years: due, on the dashboard.
    retention::set_years(&mut s, 2).unwrap();
    assert_eq!(retention::due(&s, today).unwrap().len(), 1);
    let d = relais_core::reports::dashboard::compute(&s, now).unwrap();
    assert_eq!(d.retention_due.total, 1);
    assert_eq!(d.retention_due.items[0].alias.as_deref(), Some("Pluvier"));

    // This case is kept longer, for a reason (which is required).
    let later = today + Duration::days(400);
    let e = retention::set_case(&mut s, &p, Some(later), Some("  ")).unwrap_err();
    assert_eq!(e.code(), "Invalid");
    retention::set_case(&mut s, &p, Some(later), Some("Procès en appel")).unwrap();
    assert!(retention::due(&s, today).unwrap().is_empty());
    assert_eq!(relais_core::reports::dashboard::compute(&s, now).unwrap().retention_due.total, 0);
    retention::set_case(&mut s, &p, None, None).unwrap();
    let done = retention::destroy_person(&mut s, &p, Policy::Retention, "Pluvier", Utc::now()).unwrap();
    assert_eq!(done.records, 1);
    assert!(s.list_all(Kind::Person).unwrap().is_empty());
    assert!(s.conn().query_row("SELECT count(*) FROM retention", [], |r| r.get::<_, i64>(0)).unwrap() == 0);
}

use chrono::Datelike;

#[test]
fn a_destruction_needs_the_alias_typed_again_exactly() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Pic-bois"))]))).unwrap();
    let before = dump_vault(&s);
    for typed in ["pic-bois", "Pic", "", &p] {
        let e = retention::destroy_person(&mut s, &p, Policy::Request, typed, Utc::now()).unwrap_err();
        assert_eq!(e.code(), "ConfirmationMismatch", "{typed:?}");
        assert!(e.message(relais_core::Lang::Fr).contains("Rien n'a été détruit"));
    }
    assert_eq!(before, dump_vault(&s), "a refused destruction changed something");
    retention::destroy_person(&mut s, &p, Policy::Request, " Pic-bois ", Utc::now()).unwrap();
    assert!(s.list_all(Kind::Person).unwrap().is_empty());
}

#[test]
fn unlocking_purges_the_expired_trash_and_finishes_a_scrub() {
    let (tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Sittelle"))]))).unwrap();
    let old = s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("CNRYoldxnoteQ"))]))).unwrap();
    let new = s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("CNRYnewxnoteQ"))]))).unwrap();
    trash::delete(&mut s, Kind::Note, &old).unwrap();
    trash::delete(&mut s, Kind::Note, &new).unwrap();
    // The first went to the trash 31 days ago.
    let long_ago = relais_core::time::to_db(Utc::now() - Duration::days(31));
    s.conn().execute("UPDATE trash SET deleted_at = ?1 WHERE record_id = ?2", [&long_ago, &old]).unwrap();
    drop(s);
    let mut s = tv.unlock();
    let left: Vec<String> = trash::list(&s).unwrap().into_iter().map(|i| i.record_id).collect();
    assert_eq!(left, std::slice::from_ref(&new), "the unlock purged the expired entry only");
    let pages = tv.pages();
    assert!(!contains(&pages, b"CNRYoldxnoteQ") && !contains(&pages, b"cnryoldxnoteq"), "the purge scrubbed the files");
    assert!(found(&pages, "CNRYnewxnoteQ"));

    // A removal whose scrub did not run (the disk was full): its words stay in the note index
    // until the next unlock finishes the scrub.
    let gone = s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("CNRYpendingxnoteQ"))]))).unwrap();
    s.conn().execute("DELETE FROM notes WHERE id = ?1", [&gone]).unwrap();
    s.conn().execute("INSERT INTO vault_meta (key, value) VALUES ('scrub_pending', '1')", []).unwrap();
    drop(s);
    assert!(contains(&tv.pages(), b"cnrypendingxnoteq"), "the index still holds the words (control)");
    drop(tv.unlock());
    assert!(!contains(&tv.pages(), b"cnrypendingxnoteq"), "the unlock finished the scrub");
}

#[test]
fn a_scrub_that_another_reader_holds_back_stays_pending() {
    // A checkpoint held back by another connection's read (the window's statistics counted on a
    // snapshot, a second process) leaves the old pages in the files: the scrub is not marked
    // done, the vault is said to be busy, and the next unlock finishes it.
    let (tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Roitelet"))]))).unwrap();
    let note = s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("CNRYheldxnoteQ"))]))).unwrap();
    trash::delete(&mut s, Kind::Note, &note).unwrap();
    let key = relais_core::Vault::open(&tv.dir).unwrap().unwrap_key(&relais_core::secret::Passphrase::new(relais_tests::PASS)).unwrap();
    let (reader, _) = s.snapshot(&key).unwrap();
    assert!(matches!(trash::purge(&mut s, Utc::now(), true), Err(relais_core::Error::VaultBusy)));
    assert!(trash::list(&s).unwrap().is_empty(), "the entry is purged all the same");
    let pending =
        |s: &Store| s.conn().query_row("SELECT count(*) FROM vault_meta WHERE key = 'scrub_pending'", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(pending(&s), 1, "the scrub is still to do");
    let pages = tv.pages();
    assert!(contains(&pages, b"CNRYheldxnoteQ") || contains(&pages, b"cnryheldxnoteq"), "the words are still in the files");
    drop((reader, s));
    let s = tv.unlock();
    assert_eq!(pending(&s), 0, "the unlock did it");
    drop(s);
    let pages = tv.pages();
    assert!(!contains(&pages, b"CNRYheldxnoteQ") && !contains(&pages, b"cnryheldxnoteq"), "the unlock finished the scrub");
}

#[test]
fn the_trash_puts_back_then_purges_with_the_same_rigour() {
    let (tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Sittelle"))]))).unwrap();
    let org = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("CLSC"))]))).unwrap();
    let words = "CNRYTRASHnotexQ";
    let note = s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!(format!("Rencontre {words}")))]))).unwrap();
    let original = s.get(Kind::Note, &note).unwrap();
    let r = s.write(|w| relais_core::case::add_referral(w, f(&[("person_id", json!(p)), ("org_id", json!(org))]), Some("Essai"))).unwrap();
    s.write(|w| relais_core::case::set_referral_status(w, &r, "accepted", None)).unwrap();

    // A need an appointment points at cannot go: it would leave the appointment dangling.
    let need = s.write(|w| w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!("safety_protection"))]))).unwrap();
    s.write(|w| {
        w.insert(
            Kind::Appointment,
            f(&[
                ("person_id", json!(p)),
                ("need_id", json!(need)),
                ("starts_at", json!("2026-12-01T10:00:00Z")),
                ("kind", json!("health")),
            ]),
        )
    })
    .unwrap();
    let before = dump_vault(&s);
    assert_eq!(trash::delete(&mut s, Kind::Need, &need).unwrap_err().code(), "Invalid");
    assert_eq!(trash::delete(&mut s, Kind::Person, &p).unwrap_err().code(), "Invalid", "a case is destroyed, not trashed");
    assert_eq!(before, dump_vault(&s));

    // A referral goes with its history, and comes back as it was.
    let history = s.list_by(Kind::ReferralEvent, "referral_id", &r).unwrap();
    let t = trash::delete(&mut s, Kind::Referral, &r).unwrap();
    assert!(s.list_by(Kind::ReferralEvent, "referral_id", &r).unwrap().is_empty());
    let items = trash::list(&s).unwrap();
    assert_eq!((items[0].kind.as_str(), items[0].records, items[0].alias.as_deref()), ("referral", 3, Some("Sittelle")));
    // The same record back by another way (a bundle): the restore says so and changes nothing.
    let back = s.conn().query_row("SELECT content FROM trash WHERE id = ?1", [&t], |r| r.get::<_, String>(0)).unwrap();
    let referral: Vec<(String, Fields)> = serde_json::from_str(&back).unwrap();
    s.conn()
        .execute(
            "INSERT INTO referrals (id, created_at, updated_at, revision, person_id, org_id, status) VALUES (?1, 'x', 'x', 1, ?2, ?3, 'requested')",
            rusqlite::params![referral[0].1["id"].as_str().unwrap(), p, org],
        )
        .unwrap();
    let before = dump_vault(&s);
    assert_eq!(trash::restore(&mut s, &t).unwrap_err().code(), "Invalid");
    assert_eq!(before, dump_vault(&s));
    s.conn().execute("DELETE FROM referrals WHERE id = ?1", [referral[0].1["id"].as_str().unwrap()]).unwrap();
    trash::restore(&mut s, &t).unwrap();
    assert_eq!(s.list_by(Kind::ReferralEvent, "referral_id", &r).unwrap(), history);
    assert!(trash::list(&s).unwrap().is_empty());

    // A note: out of search while in the trash, back with the same id and revision.
    trash::delete(&mut s, Kind::Note, &note).unwrap();
    assert!(relais_core::case::search::search(&s, "cnrytrashnotexq", 10).unwrap().notes.is_empty());
    let t = trash::list(&s).unwrap()[0].id.clone();
    trash::restore(&mut s, &t).unwrap();
    assert_eq!(s.get(Kind::Note, &note).unwrap(), original);
    assert_eq!(relais_core::case::search::search(&s, "cnrytrashnotexq", 10).unwrap().notes.len(), 1);
    let actions: Vec<String> = audit::for_person(&s, &p).unwrap().into_iter().map(|e| e.action).collect();
    assert!(
        actions.iter().filter(|a| *a == "delete").count() == 4 && actions.iter().filter(|a| *a == "restore").count() == 4,
        "{actions:?}"
    );

    // Deleted again: kept 30 days, then purged at the next unlock; nothing left in the files.
    trash::delete(&mut s, Kind::Note, &note).unwrap();
    assert_eq!(trash::purge(&mut s, Utc::now() + Duration::days(29), false).unwrap(), 0);
    assert!(found_in(&tv, words), "still in the trash (control)");
    assert_eq!(trash::purge(&mut s, Utc::now() + Duration::days(31), false).unwrap(), 1);
    drop(s);
    assert!(!found_in(&tv, words), "a purged note left words in the files");
    let s = tv.unlock();
    assert!(trash::list(&s).unwrap().is_empty());
    assert_eq!(audit::verify(&s).unwrap().first_break, None);
}

fn found_in(tv: &TestVault, words: &str) -> bool {
    found(&tv.pages(), words)
}

#[test]
fn the_incident_register_is_kept_and_exported() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie"]);
    let bad = tv.run(&["incident", "add", "--occurred", "2026-11-20", "--discovered", "2026-11-19", "--description", "Portable perdu"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Date de constat"));
    let missing = tv.run(&["incident", "add", "--occurred", "2026-11-20"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("Description"));
    let id = tv.ok(&[
        "incident",
        "add",
        "--occurred",
        "2026-11-20",
        "--discovered",
        "2026-11-21",
        "--description",
        "Ordinateur portable volé dans une voiture, \"coffre\" chiffré",
        "--persons",
        "12 personnes suivies",
        "--serious-risk",
        "non",
        "--assessment",
        "Coffre chiffré, phrase de passe non compromise",
    ]);
    tv.ok(&["incident", "edit", &id, "--measures", "Clé de récupération changée; appareil signalé", "--cai-notified", "2026-11-22"]);
    // A cell a spreadsheet would run as a formula is written as text.
    tv.ok(&["incident", "edit", &id, "--persons", "=HYPERLINK(\"http://exemple.invalid\";\"Ouvrir\")"]);
    let csv = tv.ok(&["incident", "export", "--format", "csv"]);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let head: Vec<String> = rows.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(head[1], "Date de l'incident");
    assert!(head.contains(&"Avis à la Commission d'accès à l'information".to_owned()));
    let recs: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 1);
    assert_eq!(&recs[0][3], "Ordinateur portable volé dans une voiture, \"coffre\" chiffré");
    assert_eq!(&recs[0][4], "'=HYPERLINK(\"http://exemple.invalid\";\"Ouvrir\")", "no formula in the export");
    assert_eq!(&recs[0][5], "non");
    assert_eq!(&recs[0][9], "Clé de récupération changée; appareil signalé");
    let en = tv.ok(&["--lang", "en", "incident", "export"]);
    assert!(en.starts_with("Id,Date of the incident,"));
    let json: serde_json::Value = serde_json::from_str(&tv.ok(&["incident", "export", "--format", "json"])).unwrap();
    assert_eq!(json[0]["cai_notified_on"], "2026-11-22");
    assert_eq!(json[0]["serious_risk"], false);
    let history = tv.ok(&["audit", "verify"]);
    assert!(history.contains("intact"), "{history}");
}

#[test]
fn a_right_of_access_export_is_the_persons_event_and_goes_with_them() {
    let (tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Bruant"))]))).unwrap();
    drop(s);
    let out = tv.tmp.path().join("bruant.json");
    tv.ok(&["export-person", "Bruant", "-o", out.to_str().unwrap()]);
    let s = tv.unlock();
    assert_eq!(audit::for_person(&s, &p).unwrap().iter().filter(|e| e.action == "person.export").count(), 1);
    drop(s);
    tv.ok(&["person", "destroy", "Bruant", "--policy", "request", "--confirm", "Bruant"]);
    let s = tv.unlock();
    // Only the destruction's own mention keeps the case id.
    let mentions: Vec<String> = s
        .conn()
        .prepare("SELECT action FROM audit_events WHERE instr(coalesce(fields, ''), ?1) > 0 OR person_id = ?1 OR record_id = ?1")
        .unwrap()
        .query_map([&p], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(mentions, ["person.destroy"]);
}

/// A note a colleague's bundle brought, then updated by a second bundle: after the person is
/// destroyed, no word of either version is left in any page (the update went through the
/// note index, which an `INSERT OR REPLACE` bypassed, leaving the first version's words).
#[test]
fn a_note_updated_by_an_import_leaves_no_word_of_either_version_after_destruction() {
    use crate::bundle::{befriend, export, import};
    use relais_core::exchange::BundleKind;
    let (_tm, mut marie) = TestVault::new();
    let (tj, mut jean) = TestVault::new();
    let jean_in_marie = befriend(&mut marie, &jean);
    befriend(&mut jean, &marie);
    let p = marie.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Mésange"))]))).unwrap();
    let note = marie.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("CNRYfirstxversionQ"))]))).unwrap();
    import(&mut jean, &export(&mut marie, &jean_in_marie, &[&p], BundleKind::Share)).unwrap();
    // The new note is indexed (in one statement at the end of the import), and the index's
    // trigger is back for Jean's own notes.
    assert_eq!(relais_core::case::search::search(&jean, "cnryfirstxversionq", 10).unwrap().notes.len(), 1);
    jean.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("CNRYjeansxownQ"))]))).unwrap();
    assert_eq!(relais_core::case::search::search(&jean, "cnryjeansxownq", 10).unwrap().notes.len(), 1);
    marie.write(|w| w.update(Kind::Note, &note, f(&[("text", json!("CNRYsecondxversionQ"))]))).unwrap();
    let r = import(&mut jean, &export(&mut marie, &jean_in_marie, &[&p], BundleKind::Share)).unwrap();
    assert_eq!(r.counts.updated.get("note"), Some(&1), "the second bundle updates the note");
    // Search finds the new words only: the index followed the update.
    assert!(relais_core::case::search::search(&jean, "cnryfirstxversionq", 10).unwrap().notes.is_empty());
    assert_eq!(relais_core::case::search::search(&jean, "cnrysecondxversionq", 10).unwrap().notes.len(), 1);
    drop(jean);
    assert!(found(&tj.pages(), "CNRYsecondxversionQ"), "the scanner finds the note (control)");

    let mut jean = tj.unlock();
    retention::destroy_person(&mut jean, &p, Policy::Request, "Mésange", Utc::now()).unwrap();
    drop(jean);
    let pages = tj.pages();
    for words in ["CNRYfirstxversionQ", "CNRYsecondxversionQ", "CNRYjeansxownQ"] {
        assert!(!found(&pages, words), "{words} left in Jean's files after the destruction");
    }
}

/// A proposal about a record holds a whole copy of the sender's version: when the record is
/// purged from the trash, the copy goes too.
#[test]
fn purging_a_record_from_the_trash_removes_the_proposals_about_it() {
    use crate::bundle::{befriend, export, import};
    use relais_core::exchange::{self, BundleKind};
    let (tm, mut marie) = TestVault::new();
    let (_tj, mut jean) = TestVault::new();
    let jean_in_marie = befriend(&mut marie, &jean);
    let marie_in_jean = befriend(&mut jean, &marie);
    let p = marie.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Roitelet"))]))).unwrap();
    let task = marie.write(|w| w.insert(Kind::Task, f(&[("person_id", json!(p)), ("title", json!("Appeler la Cour"))]))).unwrap();
    import(&mut jean, &export(&mut marie, &jean_in_marie, &[&p], BundleKind::Share)).unwrap();
    // Jean changes Marie's task: a proposal for her, which keeps his whole version.
    jean.write(|w| w.update(Kind::Task, &task, f(&[("title", json!("CNRYproposedxtitleQ"))]))).unwrap();
    import(&mut marie, &export(&mut jean, &marie_in_jean, &[&p], BundleKind::Share)).unwrap();
    assert_eq!(exchange::conflicts(&marie).unwrap().len(), 1);
    assert!(found(&tm.pages(), "CNRYproposedxtitleQ"), "the proposal holds Jean's words (control)");

    trash::delete(&mut marie, Kind::Task, &task).unwrap();
    // While the task is in the trash the list still opens, the proposal with it.
    let open = exchange::conflicts(&marie).unwrap();
    assert_eq!(open.len(), 1);
    assert!(open[0].changes.iter().any(|(field, here, _)| field == "title" && here.is_null()), "{:?}", open[0].changes);
    trash::purge(&mut marie, Utc::now(), true).unwrap();
    assert!(exchange::conflicts(&marie).unwrap().is_empty(), "no proposal about a record that is gone");
    drop(marie);
    assert!(!found(&tm.pages(), "CNRYproposedxtitleQ"), "the proposal's copy left words in the files");
}

/// A closed case is reopened with a reason, which stops its retention clock: it is no longer
/// due, its retention date set for it is gone, and the history says why. Its status cannot be
/// changed back by an edit (the closure would stay), nor set to "handed off" by hand.
#[test]
fn reopening_a_closed_case_needs_a_reason_and_stops_its_retention() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Bécasse"))]))).unwrap();
    let today = relais_core::time::local_date(Utc::now());
    // An open case cannot be reopened; nor handed off by an edit.
    let e = s.write(|w| relais_core::case::reopen_person(w, &p, "Retour")).unwrap_err();
    assert_eq!(e.message(relais_core::Lang::Fr), "Statut\u{a0}: seul un dossier fermé peut être rouvert");
    let e = s.write(|w| w.update(Kind::Person, &p, f(&[("status", json!("handed_off"))]))).unwrap_err();
    assert!(e.message(relais_core::Lang::Fr).contains("ne se choisit pas ici"), "{e}");

    s.write(|w| relais_core::case::close_person(w, &p, "plan_completed", None)).unwrap();
    let closed = (today - Duration::days(3 * 365)).to_string();
    s.write(|w| w.update(Kind::Person, &p, f(&[("closed_on", json!(closed))]))).unwrap();
    retention::set_years(&mut s, 2).unwrap();
    assert_eq!(retention::due(&s, today).unwrap().len(), 1, "closed and due (control)");
    retention::set_case(&mut s, &p, Some(today + Duration::days(30)), Some("Appel en cours")).unwrap();
    assert!(retention::case_setting(&s, &p).unwrap().is_some());

    // Back to active by an edit: refused, nothing changes.
    let before = dump_vault(&s);
    let e = s.write(|w| w.update(Kind::Person, &p, f(&[("status", json!("active"))]))).unwrap_err();
    assert!(e.message(relais_core::Lang::Fr).contains("Rouvrir le dossier"), "{e}");
    // Reopened without a reason: refused.
    let e = s.write(|w| relais_core::case::reopen_person(w, &p, "  ")).unwrap_err();
    assert!(e.message(relais_core::Lang::En).contains("a reason is required"), "{e}");
    assert_eq!(before, dump_vault(&s), "refusals change nothing");

    let changed = s.write(|w| relais_core::case::reopen_person(w, &p, "Nouvelle plainte déposée")).unwrap();
    assert_eq!(changed, ["status", "closure_reason", "closed_on"]);
    let person = s.get(Kind::Person, &p).unwrap();
    assert_eq!((person["status"].clone(), person["closed_on"].clone()), (json!("active"), json!(null)));
    assert!(retention::due(&s, today).unwrap().is_empty(), "no longer due");
    assert_eq!(retention::case_setting(&s, &p).unwrap(), None, "its own retention date went with the closure");
    let e = retention::destroy_person(&mut s, &p, Policy::Retention, "Bécasse", Utc::now()).unwrap_err();
    assert_eq!(e.code(), "RetentionNotOver");
    let reopen = audit::for_person(&s, &p).unwrap().into_iter().find(|e| e.action == "person.reopen").expect("in the history");
    assert!(reopen.fields.iter().any(|f| f == "reason=Nouvelle plainte déposée") && reopen.fields.iter().any(|f| f == "retention=cleared"));
}
