//! Ownership, authorship and merges that cannot go backwards (docs/DESIGN.md, "Who holds a
//! case, who wrote what"): an older bundle changes nothing, a share's recipient proposes rather
//! than rewrites, a directory entry is suggested, never written over, cases go only to verified
//! contacts, and three vaults passing a case around end with what each should hold.

use relais_core::case::person_file::Author;
use relais_core::exchange::{self, BundleKind, ExportRequest, identity};
use relais_core::record::{Fields, Kind};
use relais_core::{Error, Store};
use relais_tests::TestVault;
use serde_json::{Value, json};

use crate::bundle::{befriend, export, import, newcomer};

fn f(pairs: &[(&str, Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn fingerprint(s: &Store) -> String {
    identity::show(s).unwrap().fingerprint
}

fn field(s: &Store, kind: Kind, id: &str, name: &str) -> Value {
    s.get(kind, id).unwrap()[name].clone()
}

/// Marie's vault with one case, Colibri (a note in it), and Jean's, each the other's verified
/// contact.
struct Two {
    marie: Store,
    jean: Store,
    jean_in_marie: String,
    marie_in_jean: String,
    colibri: String,
    _dirs: (TestVault, TestVault),
}

fn two() -> Two {
    let (tm, mut marie) = TestVault::new();
    let (tj, mut jean) = TestVault::new();
    let jean_in_marie = befriend(&mut marie, &jean);
    let marie_in_jean = befriend(&mut jean, &marie);
    let colibri = marie
        .write(|w| {
            w.insert(
                Kind::Person,
                f(&[("alias", json!("Colibri")), ("region", json!("Montérégie")), ("intake_at", json!("2026-11-02T10:00:00Z"))]),
            )
        })
        .unwrap();
    marie.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(colibri)), ("text", json!("Première rencontre"))]))).unwrap();
    Two { marie, jean, jean_in_marie, marie_in_jean, colibri, _dirs: (tm, tj) }
}

#[test]
fn an_older_bundle_changes_nothing_and_says_so() {
    let mut t = two();
    let first = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    t.marie.write(|w| w.update(Kind::Person, &t.colibri, f(&[("region", json!("Estrie"))]))).unwrap();
    // Bundles are dated to the millisecond: make sure the second is later.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    let r = import(&mut t.jean, &second).unwrap();
    assert_eq!(r.newer_seen, None, "nothing newer from Marie was seen before the second bundle");
    assert_eq!(field(&t.jean, Kind::Person, &t.colibri, "region"), json!("Estrie"));
    let second_made = exchange::open(&t.jean, &second, false).unwrap().manifest.created_at;

    let before = relais_tests::dump_records(&t.jean);
    let opened = exchange::open(&t.jean, &first, false).unwrap();
    let dry = exchange::preview(&t.jean, &opened).unwrap();
    assert!(dry.stale, "the dry run says the bundle is older");
    let seen = dry.newer_seen.as_deref().and_then(relais_core::time::from_db);
    assert_eq!(seen, relais_core::time::from_db(&second_made), "the preview says when the newer bundle from Marie was made");
    assert_eq!(dry.counts.older.get("person"), Some(&1));
    assert!(dry.counts.updated.is_empty() && dry.changes.is_empty(), "nothing would be updated: {:?}", dry.changes);
    let r = import(&mut t.jean, &first).unwrap();
    assert!(r.stale);
    assert_eq!(field(&t.jean, Kind::Person, &t.colibri, "region"), json!("Estrie"), "the region does not go back");
    // Only the bundle's own traces (seen, audited): the records are as they were.
    assert_eq!(relais_tests::dump_records(&t.jean), before);
}

#[test]
fn a_recipients_change_to_the_holders_record_is_a_proposal_and_their_note_comes_back_as_theirs() {
    let mut t = two();
    let share = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    import(&mut t.jean, &share).unwrap();
    // Jean changes Marie's record of the person, and adds a note of his own.
    t.jean.write(|w| w.update(Kind::Person, &t.colibri, f(&[("region", json!("Gaspésie"))]))).unwrap();
    let note = t.jean.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(t.colibri)), ("text", json!("Note de Jean"))]))).unwrap();
    let back = export(&mut t.jean, &t.marie_in_jean, &[&t.colibri], BundleKind::Share);

    // Marie named him her own way in her contact book: that is the name she reads.
    t.marie.write(|w| w.update(Kind::Contact, &t.jean_in_marie, f(&[("name", json!("Jean (CAVAC)"))]))).unwrap();
    let opened = exchange::open(&t.marie, &back, false).unwrap();
    let dry = exchange::preview(&t.marie, &opened).unwrap();
    assert_eq!(dry.sender_contact_name, "Jean (CAVAC)", "named from Marie's contact book");
    assert_ne!(dry.sender.name, dry.sender_contact_name, "not the name written in the bundle");
    let change = dry.changes.iter().find(|c| c.kind == "person").expect("the person's change is listed");
    assert_eq!(change.action, "proposal");
    assert_eq!(change.fields, vec![("region".to_owned(), json!("Montérégie"), json!("Gaspésie"))], "before → after");
    let r = import(&mut t.marie, &back).unwrap();
    assert_eq!((r.counts.proposals.get("person"), r.counts.new.get("note")), (Some(&1), Some(&1)));
    assert_eq!(field(&t.marie, Kind::Person, &t.colibri, "region"), json!("Montérégie"), "not applied");
    assert_eq!(field(&t.marie, Kind::Note, &note, "created_by"), json!(fingerprint(&t.jean)), "Jean's note, as Jean's");
    assert_eq!(field(&t.marie, Kind::Person, &t.colibri, "created_by"), json!(fingerprint(&t.marie)));
    let open = exchange::conflicts(&t.marie).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].reason.as_str(), open[0].sender.clone()), ("proposal", Some(fingerprint(&t.jean))));
    // The list says what the proposal changes and who proposes it, by Marie's name for him.
    assert_eq!(open[0].changes, vec![("region".to_owned(), json!("Montérégie"), json!("Gaspésie"))]);
    assert_eq!(open[0].from, Some(Author::Contact("Jean (CAVAC)".into())));
    // Marie accepts it: applied, and newer than both versions.
    exchange::resolve(&mut t.marie, &open[0].id, true).unwrap();
    assert_eq!(field(&t.marie, Kind::Person, &t.colibri, "region"), json!("Gaspésie"));
    let again = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    let r = import(&mut t.jean, &again).unwrap();
    assert_eq!((r.counts.updated.get("person"), r.counts.conflicts.len()), (Some(&1), 0));

    // Marie's history of the case names Jean where he acted: what he sent, what she settled.
    let file = relais_core::case::person_file::load(&t.marie, &t.colibri).unwrap();
    let jean = fingerprint(&t.jean);
    let received = file.history.iter().find(|e| e.action == "bundle.import").expect("the import is in the history");
    for expected in [format!("sender={jean}"), "kind=share".into(), "new=1".into(), "proposals=1".into()] {
        assert!(received.fields.contains(&expected), "{expected} in {:?}", received.fields);
    }
    let settled = file.history.iter().find(|e| e.action == "conflict.resolve").expect("the decision is in the history");
    assert!(settled.fields.contains(&format!("sender={jean}")), "{:?}", settled.fields);
    let shared = file.history.iter().find(|e| e.action == "bundle.export.share").expect("the share is in the history");
    assert!(shared.fields.contains(&format!("to={jean}")), "{:?}", shared.fields);
    assert_eq!(file.authors.get(&jean), Some(&Author::Contact("Jean (CAVAC)".into())), "named from the contact book");
}

#[test]
fn a_directory_entry_that_differs_is_suggested_never_written_over() {
    let mut t = two();
    let org = t
        .marie
        .write(|w| w.insert(Kind::Organisation, f(&[("name", json!("Maison Marguerite")), ("phone", json!("514 555-0100"))])))
        .unwrap();
    t.marie.write(|w| w.insert(Kind::Referral, f(&[("person_id", json!(t.colibri)), ("org_id", json!(org))]))).unwrap();
    let share = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    let r = import(&mut t.jean, &share).unwrap();
    assert_eq!(r.counts.new.get("organisation"), Some(&1), "the share carries the organisation its referral names");
    // Jean's entry has his own number; Marie changes hers and shares again.
    t.jean.write(|w| w.update(Kind::Organisation, &org, f(&[("phone", json!("514 555-0199"))]))).unwrap();
    t.marie.write(|w| w.update(Kind::Organisation, &org, f(&[("phone", json!("514 555-0111"))]))).unwrap();
    let again = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    let r = import(&mut t.jean, &again).unwrap();
    assert_eq!(r.counts.proposals.get("organisation"), Some(&1));
    assert_eq!(field(&t.jean, Kind::Organisation, &org, "phone"), json!("514 555-0199"), "Jean's entry is kept");
    let open = exchange::conflicts(&t.jean).unwrap();
    assert_eq!(open.iter().map(|c| c.reason.as_str()).collect::<Vec<_>>(), ["directory"]);
}

#[test]
fn cases_go_only_to_verified_contacts() {
    let (_tm, mut marie) = TestVault::new();
    let (_tz, zoe) = TestVault::new();
    let card = serde_json::to_string(&identity::card(&zoe).unwrap()).unwrap();
    let zoe_id = identity::add_contact(&mut marie, &identity::parse_card(&card).unwrap()).unwrap();
    let p = marie.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Héron")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    for kind in [BundleKind::Share, BundleKind::Transfer] {
        let req = ExportRequest {
            persons: vec![p.clone()],
            to: vec![zoe_id.clone()],
            kind,
            armor: false,
            override_reason: Some("Essai".into()),
            documents: false,
        };
        let e = exchange::build_export(&marie, &req, &mut |_, _| {}).unwrap_err();
        assert!(matches!(e, Error::UnverifiedContact), "{kind:?}: {e:?}");
        assert!(e.message(relais_core::Lang::Fr).contains("relais contact verify"), "says how to verify");
    }
    identity::verify_contact(&mut marie, &zoe_id).unwrap();
    let req = ExportRequest {
        persons: vec![p],
        to: vec![zoe_id],
        kind: BundleKind::Share,
        armor: false,
        override_reason: Some("Essai".into()),
        documents: false,
    };
    assert!(exchange::build_export(&marie, &req, &mut |_, _| {}).is_ok(), "once verified, the share goes");
}

#[test]
fn a_copy_of_a_case_is_not_transferred_onward() {
    // Jean received a share of Marie's Colibri: he may share it on, not hand its pen to Sylvie
    // (two vaults would then hold the case).
    let mut t = two();
    let (_ts, _sylvie, sylvie_in_jean) = newcomer(&mut t.jean);
    let share = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    import(&mut t.jean, &share).unwrap();
    let req = ExportRequest {
        persons: vec![t.colibri.clone()],
        to: vec![sylvie_in_jean],
        kind: BundleKind::Transfer,
        armor: false,
        override_reason: None,
        documents: false,
    };
    let before = relais_tests::dump_vault(&t.jean);
    let e = exchange::build_export(&t.jean, &req, &mut |_, _| {}).unwrap_err();
    assert!(matches!(e, Error::TransferOfACopy), "{e:?}");
    assert!(
        e.message(relais_core::Lang::Fr).contains("seule la personne qui le détient peut le transférer"),
        "{}",
        e.message(relais_core::Lang::Fr)
    );
    assert_eq!(relais_tests::dump_vault(&t.jean), before, "nothing changed");
    assert_eq!(field(&t.jean, Kind::Person, &t.colibri, "status"), json!("active"));
    // The holder may.
    let req = ExportRequest { to: vec![t.jean_in_marie.clone()], ..req };
    exchange::build_export(&t.marie, &req, &mut |_, _| {}).unwrap();
}

#[test]
fn no_sender_can_stop_a_colleagues_changes_from_counting() {
    // Marie, hostile, signs a note whose versions credit Jean with more changes than any vault
    // makes: were it taken, Jean's count would be at its ceiling, his correction would make no
    // new version, and Sylvie, who has the note, would keep her old text without a word.
    let t = two();
    let (mut marie, mut jean) = (t.marie, t.jean);
    let (_ts, mut sylvie, sylvie_in_jean) = newcomer(&mut jean);
    let (fm, fj) = (fingerprint(&marie), fingerprint(&jean));
    let note = marie.list_by(Kind::Note, "person_id", &t.colibri).unwrap()[0]["id"].as_str().unwrap().to_owned();
    let forge = |marie: &mut Store, jeans: i64| {
        // What a hostile vault signs: written in its own table, which its export carries as is.
        let v = json!({ fm.clone(): 1, fj.clone(): jeans });
        marie
            .conn()
            .execute("UPDATE notes SET versions = ?2, revision = ?3 WHERE id = ?1", rusqlite::params![note, v.to_string(), 1 + jeans])
            .unwrap();
    };
    forge(&mut marie, relais_core::model::versions::MAX_CREDITED_HERE + 1);
    let share = export(&mut marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    let e = import(&mut jean, &share).unwrap_err();
    assert!(matches!(e, Error::BundleCreditsThisVault), "{e:?}");
    assert!(e.message(relais_core::Lang::Fr).contains("que vous n'avez jamais faites"), "{}", e.message(relais_core::Lang::Fr));
    let opened = exchange::open(&jean, &share, false).unwrap();
    assert!(matches!(exchange::preview(&jean, &opened), Err(Error::BundleCreditsThisVault)), "the preview says it first");
    assert!(jean.get(Kind::Person, &t.colibri).is_err(), "nothing imported");
    // At the bound, taken; and Jean's changes count on from it.
    forge(&mut marie, relais_core::model::versions::MAX_CREDITED_HERE);
    let transfer = export(&mut marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Transfer);
    import(&mut jean, &transfer).unwrap();
    let first = export(&mut jean, &sylvie_in_jean, &[&t.colibri], BundleKind::Share);
    import(&mut sylvie, &first).unwrap();
    jean.write(|w| w.update(Kind::Note, &note, f(&[("text", json!("Correction de Jean"))]))).unwrap();
    assert_eq!(field(&jean, Kind::Note, &note, "versions")[&fj], json!(relais_core::model::versions::MAX_CREDITED_HERE + 1));
    let second = export(&mut jean, &sylvie_in_jean, &[&t.colibri], BundleKind::Share);
    let r = import(&mut sylvie, &second).unwrap();
    assert_eq!(r.counts.updated.get("note"), Some(&1), "{:?}", r.counts);
    assert_eq!(field(&sylvie, Kind::Note, &note, "text"), json!("Correction de Jean"));
}

#[test]
fn a_bundle_id_taken_by_another_sender_is_another_bundle() {
    // Sylvie, who received the same share from Marie, sends Jean a bundle of her own under its
    // id first: Marie's share is still Marie's, and still comes in.
    let mut t = two();
    let (_ts, sylvie) = TestVault::new();
    befriend(&mut t.jean, &sylvie);
    let real = export(&mut t.marie, &t.jean_in_marie, &[&t.colibri], BundleKind::Share);
    let real_id = exchange::open(&t.jean, &real, false).unwrap().manifest.bundle_id;
    let forged_with_id = |id: &str| relais_tests::signed_by(&sylvie, &t.jean, id, "share", &json!({"records": {}}));
    let (same_id, bad_id) = (forged_with_id(&real_id), forged_with_id("bundle-1"));
    let first = import(&mut t.jean, &same_id).unwrap();
    assert!(!first.replay);
    let r = import(&mut t.jean, &real).unwrap();
    assert!(!r.replay && r.applied, "Marie's share taken for a replay of Sylvie's bundle");
    assert!(t.jean.get(Kind::Person, &t.colibri).is_ok());
    // Each is a replay of itself only.
    assert!(import(&mut t.jean, &real).unwrap().replay);
    assert!(import(&mut t.jean, &same_id).unwrap().replay);
    // An id Relais would not make is refused.
    let e = import(&mut t.jean, &bad_id).unwrap_err();
    assert!(matches!(&e, Error::MalformedBundle { detail } if detail == "manifest.bundle_id"), "{e:?}");
}

#[test]
fn three_vaults_pass_a_case_around_and_each_ends_with_what_it_should() {
    // Marie (worker) transfers Colibri to Sylvie (supervisor), who shares it with Jean (another
    // worker). Everyone writes; Jean's note goes back to Sylvie, who now holds the case.
    let (_tm, mut marie) = TestVault::new();
    let (_ts, mut sylvie) = TestVault::new();
    let (_tj, mut jean) = TestVault::new();
    let sylvie_in_marie = befriend(&mut marie, &sylvie);
    befriend(&mut sylvie, &marie);
    let jean_in_sylvie = befriend(&mut sylvie, &jean);
    let sylvie_in_jean = befriend(&mut jean, &sylvie);
    befriend(&mut marie, &jean);
    let marie_in_jean = befriend(&mut jean, &marie);
    let (fm, fs, fj) = (fingerprint(&marie), fingerprint(&sylvie), fingerprint(&jean));
    let c =
        marie.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Colibri")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    marie.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(c)), ("text", json!("Note de Marie"))]))).unwrap();

    let transfer = export(&mut marie, &sylvie_in_marie, &[&c], BundleKind::Transfer);
    import(&mut sylvie, &transfer).unwrap();
    let n_sylvie = sylvie.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(c)), ("text", json!("Note de Sylvie"))]))).unwrap();
    sylvie.write(|w| w.update(Kind::Person, &c, f(&[("region", json!("Montérégie"))]))).unwrap();
    let share = export(&mut sylvie, &jean_in_sylvie, &[&c], BundleKind::Share);
    import(&mut jean, &share).unwrap();
    jean.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(c)), ("text", json!("Note de Jean"))]))).unwrap();
    // Jean also edits Sylvie's note: a proposal for Sylvie.
    jean.write(|w| w.update(Kind::Note, &n_sylvie, f(&[("text", json!("Note de Sylvie, corrigée par Jean"))]))).unwrap();
    let back = export(&mut jean, &sylvie_in_jean, &[&c], BundleKind::Share);
    let r = import(&mut sylvie, &back).unwrap();
    assert_eq!((r.counts.new.get("note"), r.counts.proposals.get("note")), (Some(&1), Some(&1)));

    // Marie, whose copy is read-only, cannot be rewritten by Jean, who never got the case from her.
    let stray = export(&mut jean, &marie_in_jean, &[&c], BundleKind::Share);
    let before = relais_tests::dump_vault(&marie);
    assert!(matches!(import(&mut marie, &stray), Err(Error::NotPartyToCase)));
    assert_eq!(before, relais_tests::dump_vault(&marie), "refused, nothing changed");

    // What each vault holds at the end.
    let notes = |s: &Store| -> Vec<(String, String, String)> {
        let mut v: Vec<_> = s
            .list_by(Kind::Note, "person_id", &c)
            .unwrap()
            .into_iter()
            .map(|n| {
                (
                    n["text"].as_str().unwrap().to_owned(),
                    n["created_by"].as_str().unwrap().to_owned(),
                    n["updated_by"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        notes(&sylvie),
        vec![
            ("Note de Jean".into(), fj.clone(), fj.clone()),
            ("Note de Marie".into(), fm.clone(), fm.clone()),
            ("Note de Sylvie".into(), fs.clone(), fs.clone()),
        ],
        "Sylvie: her note unchanged (Jean's edit waits as a proposal), Jean's note as his, Marie's as hers"
    );
    assert_eq!(
        notes(&jean),
        vec![
            ("Note de Jean".into(), fj.clone(), fj.clone()),
            ("Note de Marie".into(), fm.clone(), fm.clone()),
            ("Note de Sylvie, corrigée par Jean".into(), fs.clone(), fj.clone()),
        ],
        "Jean: his own copy, his edit of Sylvie's note signed as his"
    );
    assert_eq!(notes(&marie), vec![("Note de Marie".into(), fm.clone(), fm.clone())], "Marie: her read-only copy as she sent it");
    assert_eq!(field(&marie, Kind::Person, &c, "status"), json!("handed_off"));
    assert_eq!(field(&sylvie, Kind::Person, &c, "status"), json!("active"));
    assert_eq!(relais_tests::holder(&marie, &c), Some(fs.clone()), "Marie's copy is held by Sylvie");
    assert_eq!(relais_tests::holder(&sylvie, &c), None, "Sylvie holds the case");
    assert_eq!(relais_tests::holder(&jean, &c), Some(fs.clone()), "Jean's copy is held by Sylvie");

    // Sylvie reads who wrote what, by the names in her contact book; « vous » for her own.
    sylvie.write(|w| w.update(Kind::Contact, &jean_in_sylvie, f(&[("name", json!("Jean Tremblay"))]))).unwrap();
    let file = relais_core::case::person_file::load(&sylvie, &c).unwrap();
    use relais_core::case::person_file::Author;
    assert_eq!(file.authors.get(&fj), Some(&Author::Contact("Jean Tremblay".into())));
    assert_eq!(file.authors.get(&fs), Some(&Author::Me));
    let options = |lang| relais_core::reports::summary::Options {
        from: None,
        to: None,
        lang,
        level: relais_core::reports::summary::Level::Internal,
        now: relais_core::time::local_now(),
    };
    let doc = relais_core::reports::summary::build(&sylvie, &c, &options(relais_core::Lang::Fr)).unwrap();
    let text = relais_core::reports::summary::markdown(&doc);
    assert!(text.contains("Note de Jean · écrite par Jean Tremblay"), "{text}");
    assert!(!text.contains("Note de Sylvie · écrite"), "her own notes need no name");
}

#[test]
fn records_from_before_authorship_get_this_vault_as_their_author_at_unlock() {
    let (tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Mésange")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    s.write(|w| w.update(Kind::Person, &p, f(&[("region", json!("Estrie"))]))).unwrap();
    let me = fingerprint(&s);
    // As a vault of schema 3 left them: no authors, no versions, no fingerprint kept.
    s.conn()
        .execute_batch(
            "UPDATE persons SET created_by = NULL, updated_by = NULL, versions = NULL;
             DELETE FROM vault_meta WHERE key = 'fingerprint';",
        )
        .unwrap();
    drop(s);
    let s = tv.unlock();
    let person = s.get(Kind::Person, &p).unwrap();
    assert_eq!((person["created_by"].clone(), person["updated_by"].clone()), (json!(me), json!(me)));
    assert_eq!(person["versions"], json!({me.as_str(): 2}), "its own count is its revision");
    assert_eq!(person["revision"], json!(2));
    let events = relais_core::vault::audit::for_person(&s, &p).unwrap();
    assert!(!events.is_empty());
    let filled: i64 = s.conn().query_row("SELECT count(*) FROM audit_events WHERE action = 'authorship.fill'", [], |r| r.get(0)).unwrap();
    assert_eq!(filled, 1, "the fill is audited, once");
    drop(s);
    let s = tv.unlock();
    let again: i64 = s.conn().query_row("SELECT count(*) FROM audit_events WHERE action = 'authorship.fill'", [], |r| r.get(0)).unwrap();
    assert_eq!(again, 1, "and not done again");
}
