//! Hand-off bundles end to end through the core: round trip, idempotent re-import, replay,
//! merging by revision, conflicts, transfers making the sender's copy read-only, and the
//! signed recipient list.

use relais_core::exchange::identity;
use relais_core::exchange::{self, BundleKind, ExportRequest};
use relais_core::record::{Fields, Kind};
use relais_core::{Error, Store};
use relais_tests::TestVault;
use serde_json::json;

fn f(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Adds `other`'s card to `store`'s contacts, verified (through the card, as a person would).
pub fn befriend(store: &mut Store, other: &Store) -> String {
    let card = serde_json::to_string(&identity::card(other).unwrap()).unwrap();
    identity::parse_card(&card).unwrap();
    relais_tests::add_verified_contact(store, other)
}

/// A new vault and `of`, each the other's verified contact: the vault, and its id in `of`'s book.
pub fn newcomer(of: &mut Store) -> (TestVault, Store, String) {
    let (tv, mut s) = TestVault::new();
    let id = befriend(of, &s);
    befriend(&mut s, of);
    (tv, s, id)
}

/// A share needs each person's consent naming the colleague (tests/integration/consent.rs);
/// these tests are about the format: the consent is recorded once, where it is missing.
pub fn consent_to(from: &mut Store, to_contact: &str, persons: &[&str]) {
    let to = relais_core::case::consent::Recipient::contact(from.conn(), to_contact).unwrap();
    let today = relais_core::time::local_date(chrono::Utc::now());
    for p in persons {
        if relais_core::case::consent::covering(from.conn(), p, &to, today).unwrap().is_none() {
            let c = [("person_id", json!(p)), ("scope", json!("Suivi")), ("recipient", json!(to.label)), ("method", json!("written"))];
            from.write(|w| w.insert(Kind::Consent, c.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())).unwrap();
        }
    }
}

/// A bundle of `persons` for one contact, built but not recorded (the consent a share needs is
/// recorded first).
pub fn build(from: &mut Store, to_contact: &str, persons: &[&str], kind: BundleKind) -> (Vec<u8>, exchange::Manifest, exchange::Exported) {
    if kind == BundleKind::Share {
        consent_to(from, to_contact, persons);
    }
    let req = ExportRequest {
        persons: persons.iter().map(|s| s.to_string()).collect(),
        to: vec![to_contact.to_owned()],
        kind,
        armor: false,
        override_reason: None,
        documents: false,
    };
    exchange::build_export(from, &req, &mut |_, _| {}).unwrap()
}

pub fn export(from: &mut Store, to_contact: &str, persons: &[&str], kind: BundleKind) -> Vec<u8> {
    let (bytes, manifest, content) = build(from, to_contact, persons, kind);
    exchange::commit_export(from, &manifest, &content).unwrap();
    bytes
}

/// Exports through the team folder, as `relais export --team` and the app do.
pub fn send(from: &mut Store, to_contact: &str, persons: &[&str], kind: BundleKind) -> Vec<std::path::PathBuf> {
    let (bytes, manifest, content) = build(from, to_contact, persons, kind);
    let to: Vec<String> = manifest.recipients.iter().map(|r| r.fingerprint.clone()).collect();
    let files = exchange::team::deliver(from, &to, &bytes).unwrap();
    exchange::commit_export(from, &manifest, &content).unwrap();
    files
}

pub fn import(into: &mut Store, bytes: &[u8]) -> relais_core::Result<exchange::Preview> {
    let opened = exchange::open(into, bytes, false)?;
    exchange::apply(into, &opened, &mut |_, _| {})
}

fn total(m: &std::collections::BTreeMap<String, u64>) -> u64 {
    m.values().sum()
}

pub struct Pair {
    pub a: Store,
    pub b: Store,
    pub b_in_a: String,
    pub a_in_b: String,
    pub person: String,
    pub _tva: TestVault,
    pub _tvb: TestVault,
}

pub fn pair() -> Pair {
    let (tva, mut a) = TestVault::new();
    let (tvb, mut b) = TestVault::new();
    relais_core::demo::fill(&mut a, 3, 5, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &mut |_, _| {}).unwrap();
    let b_in_a = befriend(&mut a, &b);
    let a_in_b = befriend(&mut b, &a);
    let person = a.list_all(Kind::Person).unwrap().into_iter().find(|p| p["status"] == json!("active")).expect("an active case")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Pair { a, b, b_in_a, a_in_b, person, _tva: tva, _tvb: tvb }
}

#[test]
fn round_trip_then_reimport_changes_nothing() {
    let mut p = pair();
    let bytes = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    let r = import(&mut p.b, &bytes).unwrap();
    assert!(r.applied && !r.replay);
    let sent = relais_core::case::person_file::load(&p.a, &p.person).unwrap();
    let got = relais_core::case::person_file::load(&p.b, &p.person).unwrap();
    assert_eq!(sent.person, got.person);
    assert_eq!(sent.records, got.records, "every record arrives as it was");
    assert_eq!(
        total(&r.counts.new) as usize,
        1 + sent.records.values().map(Vec::len).sum::<usize>() + sent.directory["organisation"].len()
    );
    let before = relais_tests::dump_vault(&p.b);
    let again = import(&mut p.b, &bytes).unwrap();
    assert!(again.replay && !again.applied);
    assert_eq!(total(&again.counts.new), 0);
    assert_eq!(before, relais_tests::dump_vault(&p.b), "a replay changes nothing");
}

#[test]
fn changes_on_one_side_merge_and_on_both_sides_conflict() {
    let mut p = pair();
    let first = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    import(&mut p.b, &first).unwrap();
    // A, who holds the case, changes the region; B only receives. Then B adds a note of its own.
    p.a.write(|w| w.update(Kind::Person, &p.person, f(&[("region", json!("Gaspésie"))]))).unwrap();
    let from_a = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    let r = import(&mut p.b, &from_a).unwrap();
    assert_eq!(r.counts.updated.get("person"), Some(&1), "the holder's change applies");
    assert_eq!(p.b.get(Kind::Person, &p.person).unwrap()["region"], json!("Gaspésie"));
    let note = p.b.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p.person)), ("text", json!("Note de B"))]))).unwrap();
    let from_b = export(&mut p.b, &p.a_in_b, &[&p.person], BundleKind::Share);
    let r = import(&mut p.a, &from_b).unwrap();
    assert_eq!(r.counts.new.get("note"), Some(&1), "B's note reaches A, as B's");
    assert_eq!(total(&r.counts.updated) + total(&r.counts.conflicts) + total(&r.counts.proposals), 0);

    // Now both change B's note: its author and the case's holder, each without the other.
    p.a.write(|w| w.update(Kind::Note, &note, f(&[("text", json!("Version de A"))]))).unwrap();
    p.b.write(|w| w.update(Kind::Note, &note, f(&[("text", json!("Version de B"))]))).unwrap();
    let from_b = export(&mut p.b, &p.a_in_b, &[&p.person], BundleKind::Share);
    let r = import(&mut p.a, &from_b).unwrap();
    assert_eq!(r.counts.conflicts.get("note"), Some(&1));
    assert_eq!(p.a.get(Kind::Note, &note).unwrap()["text"], json!("Version de A"), "the local version is kept");
    let open = exchange::conflicts(&p.a).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].fields.as_slice(), open[0].reason.as_str()), (&["text".to_owned()][..], "conflict"));
    exchange::resolve(&mut p.a, &open[0].id, true).unwrap();
    assert_eq!(p.a.get(Kind::Note, &note).unwrap()["text"], json!("Version de B"));
    assert!(exchange::conflicts(&p.a).unwrap().is_empty());
    // The resolution holds both versions and one more: sent back, it updates B, no conflict.
    let back = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    let r = import(&mut p.b, &back).unwrap();
    assert_eq!((r.counts.updated.get("note"), total(&r.counts.conflicts)), (Some(&1), 0));
    assert_eq!(p.b.get(Kind::Note, &note).unwrap()["text"], json!("Version de B"));
}

#[test]
fn a_transfer_makes_the_senders_copy_read_only() {
    let mut p = pair();
    let bytes = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    assert_eq!(p.a.get(Kind::Person, &p.person).unwrap()["status"], json!("handed_off"));
    let e = p.a.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p.person)), ("text", json!("x"))]))).unwrap_err();
    assert_eq!(e.code(), "HandedOff");
    import(&mut p.b, &bytes).unwrap();
    assert_eq!(p.b.get(Kind::Person, &p.person).unwrap()["status"], json!("active"), "the receiver holds an open case");
    // Transferring a case already handed off is refused.
    let req = ExportRequest {
        persons: vec![p.person.clone()],
        to: vec![p.b_in_a.clone()],
        kind: BundleKind::Transfer,
        armor: false,
        override_reason: None,
        documents: false,
    };
    assert!(matches!(exchange::build_export(&p.a, &req, &mut |_, _| {}), Err(Error::HandedOff)));
}

#[test]
fn a_share_names_no_more_recipients_than_a_bundle_may() {
    let p = pair();
    let req = |n: usize| ExportRequest {
        persons: vec![p.person.clone()],
        to: vec![p.b_in_a.clone(); n],
        kind: BundleKind::Share,
        armor: false,
        override_reason: Some("Discussion de cas".into()),
        documents: false,
    };
    let e = exchange::build_export(&p.a, &req(exchange::MAX_RECIPIENTS + 1), &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field, problem: relais_core::error::Problem::TooMany { max } } if field == "to" && *max == exchange::MAX_RECIPIENTS),
        "{e:?}"
    );
    assert!(e.message(relais_core::Lang::Fr).contains("au plus 256"), "{}", e.message(relais_core::Lang::Fr));
    // As many as it may: built.
    exchange::build_export(&p.a, &req(exchange::MAX_RECIPIENTS), &mut |_, _| {}).unwrap();
}

#[test]
fn senders_must_be_known_and_verified() {
    let (_tvc, mut c) = TestVault::new();
    let mut p = pair();
    let bytes = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    // C is not a recipient at all.
    let _ = befriend(&mut c, &p.a);
    assert!(matches!(import(&mut c, &bytes), Err(Error::BundleNotForThisVault)));
    // B without A in its contacts: unknown sender.
    p.b.conn().execute("DELETE FROM contacts", []).unwrap();
    assert!(matches!(import(&mut p.b, &bytes), Err(Error::UnknownSender)));
    // A known but unverified: refused unless accepted explicitly.
    let card = serde_json::to_string(&identity::card(&p.a).unwrap()).unwrap();
    let id = identity::parse_card(&card).unwrap();
    p.b.write(|w| {
        w.insert(
            Kind::Contact,
            f(&[("name", json!("A")), ("age_recipient", json!(id.age_recipient)), ("signing_key", json!(id.signing_key))]),
        )
    })
    .unwrap();
    assert!(matches!(import(&mut p.b, &bytes), Err(Error::UnverifiedSender)));
    let opened = exchange::open(&p.b, &bytes, true).unwrap();
    assert!(!opened.sender_verified);
    assert!(exchange::apply(&mut p.b, &opened, &mut |_, _| {}).unwrap().applied);
}

#[test]
fn contact_cards_are_checked() {
    let (_tv, s) = TestVault::new();
    let card = serde_json::to_string(&identity::card(&s).unwrap()).unwrap();
    assert!(identity::parse_card(&card).is_ok());
    let tampered = card.replacen(&identity::show(&s).unwrap().fingerprint[..4], "0000", 1);
    assert!(identity::parse_card(&tampered).is_err());
    assert!(identity::parse_card("{}").is_err());
}

#[test]
fn receipt_then_purge_erases_the_handed_off_case() {
    let mut p = pair();
    let canary = "CANARYPURGE7731";
    p.a.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p.person)), ("text", json!(canary))]))).unwrap();
    // A retention of its own and a trash entry go with the case.
    let until = chrono::NaiveDate::from_ymd_opt(2031, 1, 1);
    relais_core::case::retention::set_case(&mut p.a, &p.person, until, Some("Procès en appel")).unwrap();
    let trashed = p.a.write(|w| w.insert(Kind::Task, f(&[("person_id", json!(p.person)), ("title", json!("CANARYTRASH4412"))]))).unwrap();
    relais_core::case::trash::delete(&mut p.a, Kind::Task, &trashed).unwrap();
    let other = p.a.list_all(Kind::Person).unwrap().into_iter().find(|x| x["id"] != json!(p.person)).unwrap()["alias"].clone();
    let bytes = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    // No receipt yet: nothing to purge.
    assert_eq!(exchange::purge_handed_off(&mut p.a).unwrap(), 0);
    import(&mut p.b, &bytes).unwrap();
    let (receipt, m) = exchange::build_receipt(&p.b, None, true).unwrap();
    assert_eq!(m.receipt_for.as_deref().map(str::len), Some(36));
    assert!(receipt.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    let r = import(&mut p.a, &receipt).unwrap();
    assert!(r.applied);
    assert!(import(&mut p.a, &receipt).unwrap().replay, "a receipt imported twice changes nothing");
    assert_eq!(exchange::purge_handed_off(&mut p.a).unwrap(), 1);
    assert!(matches!(p.a.get(Kind::Person, &p.person), Err(Error::NotFound { .. })));
    assert!(p.a.list_by(Kind::Note, "person_id", &p.person).unwrap().is_empty());
    assert_eq!(relais_core::vault::audit::verify(&p.a).unwrap().first_break, None);
    // The other cases are untouched, the purged one is gone from the files too.
    assert!(p.a.list_all(Kind::Person).unwrap().iter().any(|x| x["alias"] == other));
    assert!(relais_core::case::trash::list(&p.a).unwrap().is_empty());
    drop(p.a);
    let hits = relais_tests::scan(p._tva.tmp.path(), &[canary.to_owned()]);
    assert!(hits.is_empty(), "{hits:?}");
    // Not in the decrypted pages either (free pages, WAL): the purge scrubs the files.
    let pages = p._tva.pages();
    for word in [canary, "CANARYTRASH4412", "Procès en appel"] {
        assert!(!relais_tests::contains(&pages, word.as_bytes()), "{word} left in the files");
    }
}

#[test]
fn only_the_receipt_of_a_cases_last_hand_off_lets_it_be_purged() {
    // A hands Colibri to B, gets B's receipt and keeps the case a while; B hands it back; A
    // hands it to C, who has not opened it yet. B's receipt said B had it, not C: the case
    // must stay until C's receipt, whichever order the receipts come in.
    let mut p = pair();
    let (_tc, mut c, c_in_a) = newcomer(&mut p.a);
    let to_b = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    import(&mut p.b, &to_b).unwrap();
    let (b_receipt, _) = exchange::build_receipt(&p.b, None, false).unwrap();
    assert!(import(&mut p.a, &b_receipt).unwrap().applied);
    assert_eq!(exchange::purgeable(&p.a).unwrap(), [p.person.clone()], "B has it: purgeable");
    let back = export(&mut p.b, &p.a_in_b, &[&p.person], BundleKind::Transfer);
    import(&mut p.a, &back).unwrap();
    assert_eq!(exchange::purgeable(&p.a).unwrap(), Vec::<String>::new(), "A holds it again");
    let to_c = export(&mut p.a, &c_in_a, &[&p.person], BundleKind::Transfer);
    assert_eq!(exchange::purgeable(&p.a).unwrap(), Vec::<String>::new(), "C has not acknowledged it");
    assert_eq!(exchange::purge_handed_off(&mut p.a).unwrap(), 0);
    assert!(p.a.get(Kind::Person, &p.person).is_ok());
    // C's receipt does.
    import(&mut c, &to_c).unwrap();
    let (c_receipt, _) = exchange::build_receipt(&c, None, false).unwrap();
    assert!(import(&mut p.a, &c_receipt).unwrap().applied);
    assert_eq!(exchange::purgeable(&p.a).unwrap(), [p.person.clone()]);
}

#[test]
fn a_receipt_kept_back_by_a_former_holder_does_not_purge_a_later_hand_off() {
    let mut p = pair();
    let (_tc, c) = TestVault::new();
    let c_in_a = befriend(&mut p.a, &c);
    let to_b = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    import(&mut p.b, &to_b).unwrap();
    // B's receipt, held back (a slow folder, or on purpose) until A handed the case on to C.
    let (b_receipt, _) = exchange::build_receipt(&p.b, None, false).unwrap();
    let back = export(&mut p.b, &p.a_in_b, &[&p.person], BundleKind::Transfer);
    import(&mut p.a, &back).unwrap();
    export(&mut p.a, &c_in_a, &[&p.person], BundleKind::Transfer);
    import(&mut p.a, &b_receipt).unwrap();
    assert_eq!(exchange::purgeable(&p.a).unwrap(), Vec::<String>::new(), "C never acknowledged it");
    assert_eq!(exchange::purge_handed_off(&mut p.a).unwrap(), 0);
    assert!(p.a.get(Kind::Person, &p.person).is_ok());
}

#[test]
fn a_receipt_for_an_earlier_hand_off_to_the_same_colleague_does_not_purge_the_later_one() {
    // A hands the case to B twice (B handed it back between): B's receipt of the first says
    // nothing of the second, which B may never have opened.
    let mut p = pair();
    let first = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    import(&mut p.b, &first).unwrap();
    let (first_receipt, _) = exchange::build_receipt(&p.b, None, false).unwrap();
    let back = export(&mut p.b, &p.a_in_b, &[&p.person], BundleKind::Transfer);
    import(&mut p.a, &back).unwrap();
    export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    import(&mut p.a, &first_receipt).unwrap();
    assert_eq!(exchange::purgeable(&p.a).unwrap(), Vec::<String>::new());
    assert_eq!(exchange::purge_handed_off(&mut p.a).unwrap(), 0);
}

#[test]
fn a_receipt_for_a_transfer_never_made_is_refused() {
    let mut p = pair();
    let bytes = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    import(&mut p.b, &bytes).unwrap();
    let (receipt, _) = exchange::build_receipt(&p.b, None, false).unwrap();
    // The transfer's hand-off is forgotten on A: the receipt matches nothing and changes nothing.
    p.a.conn().execute("DELETE FROM handoffs", []).unwrap();
    let before = relais_tests::dump_vault(&p.a);
    assert!(matches!(import(&mut p.a, &receipt), Err(Error::ReceiptNotForSender)));
    assert_eq!(before, relais_tests::dump_vault(&p.a));
}

#[test]
fn committed_json_schema_is_the_generated_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/bundle.schema.json");
    let generated = serde_json::to_string_pretty(&exchange::json_schema()).unwrap() + "\n";
    if std::env::var_os("RELAIS_BLESS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    assert_eq!(std::fs::read_to_string(path).expect("schema/bundle.schema.json is committed"), generated);
}

/// If this fails, the bundle format changed: bump `exchange::VERSION` and document it in
/// schema/bundle.md; do not edit the expected bytes to make it pass.
#[test]
fn frozen_manifest_bytes() {
    let m = exchange::Manifest {
        bundle_id: "01900000-0000-7000-8000-000000000001".into(),
        created_at: "2026-12-03T14:00:00Z".into(),
        kind: BundleKind::Transfer,
        sender: identity::Identity {
            name: "Marie".into(),
            org: "CATHII".into(),
            age_recipient: "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj".into(),
            signing_key: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a".into(),
            fingerprint: identity::fingerprint(
                "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            ),
        },
        recipients: vec![exchange::Recipient {
            age_recipient: "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef".into(),
            fingerprint: "0000-1111-2222-3333-4444".into(),
        }],
        persons: vec!["01900000-0000-7000-8000-000000000002".into()],
        counts: [("person".to_owned(), 1u64), ("note".to_owned(), 3u64)].into_iter().collect(),
        content_sha256: "ab".repeat(32),
        receipt_for: None,
        audit_anchor: None,
    };
    let expected = concat!(
        r#"{"bundle_id":"01900000-0000-7000-8000-000000000001","content_sha256":"abababababababababababababababababababababababababababababababab","#,
        r#""counts":{"note":3,"person":1},"created_at":"2026-12-03T14:00:00Z","kind":"transfer","persons":["01900000-0000-7000-8000-000000000002"],"#,
        r#""recipients":[{"age_recipient":"age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef","fingerprint":"0000-1111-2222-3333-4444"}],"#,
        r#""sender":{"age_recipient":"age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj","fingerprint":"0CF7-ED6F-0EC3-55A5-494A","#,
        r#""name":"Marie","org":"CATHII","signing_key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}}"#
    );
    assert_eq!(exchange::canonical(&serde_json::to_value(&m).unwrap()), expected);
}

/// A file larger than any bundle can be is refused on its size, before a byte is read (anyone
/// with this vault's public key, printed on its contact card, can send one).
#[test]
fn a_file_larger_than_any_bundle_is_refused_before_it_is_read() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie"]);
    let huge = tv.tmp.path().join("enorme.relais");
    // Sparse: its length says 350 MB, the disk holds nothing.
    std::fs::File::create(&huge).unwrap().set_len(exchange::MAX_BUNDLE_FILE + 1).unwrap();
    let before = relais_tests::dump_vault(&tv.unlock());
    let out = tv.run(&["import", huge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dépasse la taille acceptée") && err.contains("256"), "{err}");
    assert_eq!(relais_tests::dump_vault(&tv.unlock()), before, "nothing changed");
    // One byte under the limit is read (and refused for what it is: not an age file).
    std::fs::File::create(&huge).unwrap().set_len(exchange::MAX_BUNDLE_FILE).unwrap();
    assert_eq!(exchange::read_bundle_file(&huge).unwrap().len() as u64, exchange::MAX_BUNDLE_FILE);
}

/// `content` re-signed with `from`'s own keys for `recipient`, its hash and counts made to match: what
/// a colleague who holds a valid key can send.
fn resealed(from: &Store, recipient: &str, doc: &serde_json::Value, content: serde_json::Value) -> Vec<u8> {
    let mut manifest = doc["manifest"].clone();
    manifest["content_sha256"] = json!(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(exchange::canonical(&content).as_bytes())));
    manifest["counts"] = json!(
        content["records"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_array().unwrap().len()))
            .collect::<std::collections::BTreeMap<_, _>>()
    );
    relais_tests::seal_as(from, recipient, &manifest, &content)
}

/// An import writes each part of its plan as soon as it is decided, while the next part is
/// checked (`exchange::import::plan_with`): a record refused in the last part of a large
/// bundle, by its checks or by what this vault holds, must leave nothing of the parts before.
#[test]
fn a_record_refused_at_the_end_of_a_large_bundle_leaves_nothing_of_it() {
    let (_ta, mut a) = TestVault::new();
    let (_tb, mut b) = TestVault::new();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    relais_core::demo::fill(&mut a, 60, 5, today, &mut |_, _| {}).unwrap();
    // The receiver's own cases: a record of the bundle will take the id of one of theirs.
    relais_core::demo::fill(&mut b, 2, 9, today, &mut |_, _| {}).unwrap();
    let to = befriend(&mut a, &b);
    befriend(&mut b, &a);
    let req = relais_tests::share_all(&a, to, "Essai");
    let (bytes, _, _) = exchange::build_export(&a, &req, &mut |_, _| {}).unwrap();
    let b_id: age::x25519::Identity = identity::export_age(&b).unwrap().parse().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&exchange::decrypt(&bytes, &[&b_id as &dyn age::Identity]).unwrap()).unwrap();
    let records = doc["content"]["records"].as_object().unwrap();
    let total: usize = records.values().map(|r| r.as_array().unwrap().len()).sum();
    // From 1 MB of records, they are read and checked on another core (a preview's on two) and
    // handed on 2 048 at a time.
    let size = serde_json::to_string(records).unwrap().len();
    assert!(size > 1 << 20 && total > 2 * 2048, "{total} records, {size} bytes: not a large bundle");
    // The last record of the last kind checked (parents first), and one of the receiver's
    // records of the same kind.
    let last = exchange::bundle_kinds().filter(|k| records.contains_key(k.name())).last().unwrap();
    let theirs = b.list_all(last).unwrap().first().expect("the receiver has a record of that kind")["id"].clone();
    let recipient = identity::show(&b).unwrap().age_recipient;
    let forged = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut content = doc["content"].clone();
        change(content["records"][last.name()].as_array_mut().unwrap().last_mut().unwrap());
        resealed(&a, &recipient, &doc, content)
    };
    assert!(last.column("person_id").is_some(), "{} has no person", last.name());
    // A preview checks each kind whole, half on each core, and hands the records on in order:
    // with a record refused in each half, the first one's error is said.
    let both_halves = {
        let mut content = doc["content"].clone();
        let rows = content["records"][last.name()].as_array_mut().unwrap();
        assert!(rows.len() >= 64, "{}: {} records, checked on one core", last.name(), rows.len());
        rows[0]["person_id"] = json!("0193a000-0000-7000-8000-0000000000ff");
        rows.last_mut().unwrap()["created_by"] = json!("Marie");
        resealed(&a, &recipient, &doc, content)
    };
    // The kind of the most records, of more than one part: its records changed.
    let (big, rows) = records.iter().max_by_key(|(_, r)| r.as_array().unwrap().len()).unwrap();
    let (big, n) = (relais_core::record::Kind::from_name(big).unwrap(), rows.as_array().unwrap().len());
    assert!(n > 2048 + 64, "{}: {n} records, one part", big.name());
    let theirs_big = b.list_all(big).unwrap().first().expect("the receiver has a record of that kind")["id"].clone();
    let in_big = |change: &dyn Fn(&mut Vec<serde_json::Value>)| {
        let mut content = doc["content"].clone();
        change(content["records"][big.name()].as_array_mut().unwrap());
        resealed(&a, &recipient, &doc, content)
    };
    let cases: [(&str, Vec<u8>, &str); 11] = [
        ("its first record names a person the bundle does not carry, its last one is malformed", both_halves, "BundleDanglingReference"),
        ("an id twice in a kind, once in each half", in_big(&|rows| rows[n - 1]["id"] = rows[0]["id"].clone()), "BundleDuplicateId"),
        ("an id twice in a kind's first half", in_big(&|rows| rows[1]["id"] = rows[0]["id"].clone()), "BundleDuplicateId"),
        ("an id twice in a kind's second half", in_big(&|rows| rows[n - 2]["id"] = rows[n - 1]["id"].clone()), "BundleDuplicateId"),
        // Decided a part of 2 048 records at a time, a part with a refused record not at all: a
        // record of the first part refused by what this vault holds is said before a record of
        // a later part refused by its checks, whichever half of the kind each one is in.
        (
            "a record of a kind's first part takes the id of one of theirs, one of its second part is malformed",
            in_big(&|rows| {
                rows[0]["id"] = theirs_big.clone();
                rows[2048 + 10]["created_by"] = json!("Marie");
            }),
            "BundleRewritesRecord",
        ),
        (
            "a record of a kind's second part takes the id of one of theirs, one of its first part is malformed",
            in_big(&|rows| {
                rows[2048 + 10]["id"] = theirs_big.clone();
                rows[5]["created_by"] = json!("Marie");
            }),
            "MalformedBundle",
        ),
        (
            "a record takes the id of one of theirs, a later one of the same part is malformed",
            in_big(&|rows| {
                rows[2048 + 10]["id"] = theirs_big.clone();
                rows[2048 + 20]["created_by"] = json!("Marie");
            }),
            "MalformedBundle",
        ),
        (
            "the last record of a kind's first half takes the id of one of theirs, the first of its second half, in the same part, is malformed",
            in_big(&|rows| {
                assert!((n / 2) % 2048 != 0, "{}: {n} records, the halves meet between parts", big.name());
                rows[n / 2 - 1]["id"] = theirs_big.clone();
                rows[n / 2]["created_by"] = json!("Marie");
            }),
            "MalformedBundle",
        ),
        ("its author is not a fingerprint", forged(&|r| r["created_by"] = json!("Marie")), "MalformedBundle"),
        (
            "it names a person the bundle does not carry",
            forged(&|r| r["person_id"] = json!("0193a000-0000-7000-8000-0000000000ff")),
            "BundleDanglingReference",
        ),
        ("it takes the id of a record of another case here", forged(&|r| r["id"] = theirs.clone()), "BundleRewritesRecord"),
    ];
    for (what, bytes, code) in cases {
        let before = relais_tests::dump_vault(&b);
        let o = exchange::open(&b, &bytes, false).unwrap();
        assert_eq!(exchange::preview(&b, &o).map(|_| ()).unwrap_err().code(), code, "preview: {what}");
        assert_eq!(exchange::apply(&mut b, &o, &mut |_, _| {}).map(|_| ()).unwrap_err().code(), code, "import: {what}");
        assert!(relais_tests::dump_vault(&b) == before, "{what}: the refused bundle changed the vault");
    }
    // The same bundle re-signed untouched is taken whole: the forgeries differ by one record.
    let o = exchange::open(&b, &forged(&|_| {}), false).unwrap();
    assert_eq!(exchange::preview(&b, &o).unwrap().counts.new.values().sum::<u64>(), total as u64);
    let report = exchange::apply(&mut b, &o, &mut |_, _| {}).unwrap();
    assert_eq!(report.counts.new.values().sum::<u64>(), total as u64);
}

/// Relais writes every record of a bundle in the form it stores, and an import reads such a
/// record in place, without building its fields (`exchange::stored_form`). Another program, or
/// a colleague's hand, may send a record that is valid but not in that form: a padded text, an
/// upper-case reference, a local time, « oui » for yes. Such a record is read the canonical
/// way and stored converted, in a small bundle (checked on one thread) as in a large one
/// (checked a part at a time for an import; each kind whole, half on each core, for a preview).
#[test]
fn records_valid_but_not_in_stored_form_are_imported_converted() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for persons in [1, 60] {
        let (_ta, mut a) = TestVault::new();
        let (_tb, mut b) = TestVault::new();
        relais_core::demo::fill(&mut a, persons, 5, today, &mut |_, _| {}).unwrap();
        let to = befriend(&mut a, &b);
        befriend(&mut b, &a);
        let (bytes, _, _) = exchange::build_export(&a, &relais_tests::share_all(&a, to, "Essai"), &mut |_, _| {}).unwrap();
        let b_id: age::x25519::Identity = identity::export_age(&b).unwrap().parse().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&exchange::decrypt(&bytes, &[&b_id as &dyn age::Identity]).unwrap()).unwrap();
        let mut content = doc["content"].clone();
        // One change per note, each on every third note (some in each half of each part).
        let mut changed = Vec::new();
        for (i, n) in content["records"]["note"].as_array_mut().unwrap().iter_mut().enumerate() {
            let text = n["text"].as_str().unwrap().to_owned();
            match i % 3 {
                0 => n["text"] = json!(format!("  {text}\u{a0}")),
                1 => n["person_id"] = json!(n["person_id"].as_str().unwrap().to_uppercase()),
                _ => n["at"] = json!("2026-11-30 10:00"),
            }
            changed.push((i, n["id"].as_str().unwrap().to_owned(), text));
        }
        let person = &mut content["records"]["person"][0];
        person["safe_to_call"] = json!("oui");
        let person_id = person["id"].as_str().unwrap().to_owned();
        let notes = content["records"]["note"].as_array().unwrap().len();
        assert!(!changed.is_empty() && (persons == 1 || notes > 2048), "{persons} persons: {notes} notes");
        let total: u64 = content["records"].as_object().unwrap().values().map(|r| r.as_array().unwrap().len() as u64).sum();
        let o = exchange::open(&b, &resealed(&a, &identity::show(&b).unwrap().age_recipient, &doc, content), false).unwrap();
        assert_eq!(exchange::preview(&b, &o).unwrap().counts.new.values().sum::<u64>(), total, "{persons} persons: preview");
        let report = exchange::apply(&mut b, &o, &mut |_, _| {}).unwrap();
        assert_eq!(report.counts.new.values().sum::<u64>(), total, "{persons} persons: import");
        let at = relais_core::time::to_db(relais_core::time::parse_datetime("at", "2026-11-30 10:00").unwrap());
        for (i, id, text) in changed {
            let n = b.get(Kind::Note, &id).unwrap();
            assert_eq!(n["text"], json!(text), "note {i}: text trimmed");
            if i % 3 == 2 {
                assert_eq!(n["at"], json!(at), "note {i}: time in UTC");
            }
            let pid = n["person_id"].as_str().unwrap();
            assert_eq!(pid, pid.to_lowercase(), "note {i}: reference in lower case");
            assert!(b.get(Kind::Person, pid).is_ok(), "note {i}: its person is here");
        }
        assert_eq!(b.get(Kind::Person, &person_id).unwrap()["safe_to_call"], json!(true));
    }
}

/// An import indexes its new notes in one statement, found by their rowids (after the largest
/// there was); when the largest rowid is the largest SQLite allows, new rows get random ones,
/// and the notes are found by their ids instead. Either way, every imported note is searchable.
#[test]
fn notes_imported_after_the_largest_rowid_there_can_be_are_found_by_a_search() {
    use relais_core::case::search;
    let mut p = pair();
    let note = |s: &mut Store, person: &str, text: &str| {
        s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(person)), ("text", json!(text)), ("at", json!("2026-11-30T10:00:00Z"))])))
            .unwrap()
    };
    note(&mut p.a, &p.person, "Rencontre au tribunal de Longueuil");
    let mine =
        p.b.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Pinson")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    let planted = note(&mut p.b, &mine, "Note d'ici");
    p.b.conn().execute("UPDATE notes SET rowid = 9223372036854775807 WHERE id = ?1", [&planted]).unwrap();
    let bytes = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    let o = exchange::open(&p.b, &bytes, false).unwrap();
    exchange::apply(&mut p.b, &o, &mut |_, _| {}).unwrap();
    let hits = search::search(&p.b, "Longueuil", 10).unwrap();
    assert_eq!(hits.notes.len(), 1, "the imported note is not in the index");
}

#[test]
fn a_card_with_a_key_of_another_contact_says_whose_and_what_to_do() {
    // A card puts colleague B's signing key beside someone else's encryption key (C's): taken
    // first, it would keep the real B out of the book. B's own card then names the contact that
    // holds the key, instead of « already exists » on a key B has never shown.
    let (_ta, mut a) = TestVault::new();
    let (_tb, b) = TestVault::new();
    let (_tc, c) = TestVault::new();
    let (bi, ci) = (identity::show(&b).unwrap(), identity::show(&c).unwrap());
    let contact = |name: &str, age: &str, sign: &str| -> Fields {
        f(&[("name", json!(name)), ("age_recipient", json!(age)), ("signing_key", json!(sign))])
    };
    a.write(|w| w.insert(Kind::Contact, contact("Imposteur", &ci.age_recipient, &bi.signing_key))).unwrap();
    let before = relais_tests::dump_vault(&a);
    let e = a.write(|w| w.insert(Kind::Contact, contact("Béatrice", &bi.age_recipient, &bi.signing_key))).unwrap_err();
    assert!(
        matches!(&e, Error::Invalid { field, problem: relais_core::error::Problem::KeyOfAnother { name } } if field == "signing_key" && name == "Imposteur"),
        "{e:?}"
    );
    let fr = e.message(relais_core::Lang::Fr);
    assert!(fr.contains("Imposteur") && fr.contains("en personne"), "{fr}");
    assert!(e.message(relais_core::Lang::En).contains("Imposteur"));
    assert_eq!(relais_tests::dump_vault(&a), before, "nothing added");
    // The same keys again: the same contact, there already.
    let e = a.write(|w| w.insert(Kind::Contact, contact("Encore", &ci.age_recipient, &bi.signing_key))).unwrap_err();
    assert!(matches!(&e, Error::Invalid { problem: relais_core::error::Problem::Duplicate, .. }), "{e:?}");
}
