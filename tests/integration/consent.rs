//! The consent gate: a referral, a share bundle and a partner summary go only where a consent
//! of the person, in force that day, names the recipient; otherwise they are refused with a
//! message that says which consent is missing, and change nothing, unless the worker writes a
//! reason, which is kept in the case and audited in the same transaction.

use relais_core::exchange::{self, BundleKind, ExportRequest};
use relais_core::record::{Fields, Kind};
use relais_core::vault::audit;
use relais_core::{Lang, Store, case};
use relais_tests::{TestVault, dump_vault};
use serde_json::json;

fn f(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn today() -> String {
    relais_core::time::local_date(chrono::Utc::now()).to_string()
}

fn days_from_today(n: i64) -> String {
    (relais_core::time::local_date(chrono::Utc::now()) + chrono::Duration::days(n)).to_string()
}

/// A person and an organisation of the directory.
fn setup(s: &mut Store) -> (String, String) {
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Héron"))]))).unwrap();
    let org = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("Maison Flora-Tristan"))]))).unwrap();
    (p, org)
}

fn consent(s: &mut Store, p: &str, extra: &[(&str, serde_json::Value)]) -> String {
    let mut c = f(&[("person_id", json!(p)), ("scope", json!("Hébergement")), ("method", json!("written"))]);
    c.extend(f(extra));
    s.write(|w| w.insert(Kind::Consent, c)).unwrap()
}

fn refer(s: &mut Store, p: &str, org: &str, why: Option<&str>) -> relais_core::Result<String> {
    s.write(|w| case::add_referral(w, f(&[("person_id", json!(p)), ("org_id", json!(org))]), why))
}

#[test]
fn a_referral_needs_a_consent_in_force_that_names_the_organisation() {
    let (_tv, mut s) = TestVault::new();
    let (p, org) = setup(&mut s);
    let before = dump_vault(&s);
    let e = refer(&mut s, &p, &org, None).unwrap_err();
    assert_eq!(e.code(), "ConsentMissing");
    let fr = e.message(Lang::Fr);
    assert!(fr.contains("Héron") && fr.contains("«\u{a0}Maison Flora-Tristan\u{a0}»") && fr.contains("Rien n'a été fait"), "{fr}");
    assert!(e.message(Lang::En).contains("No consent of Héron in force today names \"Maison Flora-Tristan\""));
    assert_eq!(before, dump_vault(&s), "a refused referral wrote something");

    // A consent for another organisation, one withdrawn, one expired, one not started: still no.
    let other = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("CAVAC de Laval"))]))).unwrap();
    consent(&mut s, &p, &[("org_id", json!(other))]);
    consent(&mut s, &p, &[("org_id", json!(org)), ("starts_on", json!(days_from_today(-30))), ("withdrawn_on", json!(today()))]);
    consent(&mut s, &p, &[("org_id", json!(org)), ("starts_on", json!(days_from_today(-30))), ("ends_on", json!(days_from_today(-1)))]);
    consent(&mut s, &p, &[("org_id", json!(org)), ("starts_on", json!(days_from_today(1)))]);
    assert_eq!(refer(&mut s, &p, &org, None).unwrap_err().code(), "ConsentMissing");

    // One in force: the referral goes, linked to it when the worker picked none.
    let ok = consent(&mut s, &p, &[("org_id", json!(org)), ("ends_on", json!(today()))]);
    let r = refer(&mut s, &p, &org, None).unwrap();
    assert_eq!(s.get(Kind::Referral, &r).unwrap()["consent_id"], json!(ok));
}

#[test]
fn a_consent_may_name_the_recipient_in_words() {
    let (_tv, mut s) = TestVault::new();
    let (p, org) = setup(&mut s);
    consent(&mut s, &p, &[("recipient", json!("  maison  FLORA-tristan "))]);
    assert!(refer(&mut s, &p, &org, None).is_ok(), "case, spacing and accents do not matter");
    let (p2, _) = setup(&mut s);
    consent(&mut s, &p2, &[("recipient", json!("Maison Flora"))]);
    assert_eq!(refer(&mut s, &p2, &org, None).unwrap_err().code(), "ConsentMissing", "a part of the name is not the name");
}

#[test]
fn an_override_keeps_its_reason_in_the_case_and_the_audit_trail() {
    let (_tv, mut s) = TestVault::new();
    let (p, org) = setup(&mut s);
    let before = dump_vault(&s);
    assert_eq!(refer(&mut s, &p, &org, Some("   ")).unwrap_err().code(), "ConsentMissing", "a blank reason is no reason");
    assert_eq!(before, dump_vault(&s));

    let head = audit::verify(&s).unwrap().events;
    let reason = "Urgence : elle doit quitter le logement ce soir";
    let r = refer(&mut s, &p, &org, Some(reason)).unwrap();
    assert!(s.get(Kind::Referral, &r).unwrap()["consent_id"].is_null());
    let notes = s.list_by(Kind::Note, "person_id", &p).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["kind"], json!("consent_override"));
    assert_eq!(notes[0]["text"], json!(format!("Maison Flora-Tristan — {reason}")));

    // Note, override, referral and its history: one transaction, consecutive events.
    let events = audit::for_person(&s, &p).unwrap();
    let new: Vec<_> = events.iter().filter(|e| e.seq > head as i64).collect();
    let actions: Vec<_> = new.iter().map(|e| (e.action.as_str(), e.kind.as_deref())).collect();
    assert_eq!(
        actions,
        [("create", Some("note")), ("consent.override", None), ("create", Some("referral")), ("create", Some("referral_event"))]
    );
    assert!(new.windows(2).all(|w| w[1].seq == w[0].seq + 1 && w[1].at == w[0].at));
    let note_id = notes[0]["id"].as_str().unwrap();
    assert_eq!(new[1].fields, ["purpose=referral".to_owned(), format!("note={note_id}")]);
    // The trail names fields, never values: the reason is not in it.
    let all = s.conn().query_row("SELECT group_concat(fields || action, ' ') FROM audit_events", [], |r| r.get::<_, String>(0)).unwrap();
    assert!(!all.contains("Urgence"));
    assert!(audit::verify(&s).unwrap().first_break.is_none());
}

#[test]
fn withdrawing_a_consent_is_audited_and_stops_what_it_allowed() {
    let (_tv, mut s) = TestVault::new();
    let (p, org) = setup(&mut s);
    let c = consent(&mut s, &p, &[("org_id", json!(org)), ("starts_on", json!(days_from_today(-10)))]);
    refer(&mut s, &p, &org, None).unwrap();
    s.write(|w| w.update(Kind::Consent, &c, f(&[("withdrawn_on", json!(today()))]))).unwrap();
    let last = audit::for_person(&s, &p).unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.kind.as_deref(), last.fields.clone()),
        ("update", Some("consent"), vec!["withdrawn_on".to_owned()])
    );
    assert_eq!(refer(&mut s, &p, &org, None).unwrap_err().code(), "ConsentMissing");
    // The person file shows it withdrawn.
    let file = relais_core::case::person_file::load(&s, &p).unwrap();
    assert_eq!(file.of(Kind::Consent)[0]["withdrawn_on"], json!(today()));
}

#[test]
fn a_share_needs_a_consent_that_names_the_colleague() {
    let (tv, mut a) = TestVault::new();
    let (_tvb, b) = TestVault::new();
    let to = relais_tests::add_verified_contact(&mut a, &b);
    let (p, _) = setup(&mut a);
    let req = |why: Option<&str>| ExportRequest {
        persons: vec![p.clone()],
        to: vec![to.clone()],
        kind: BundleKind::Share,
        armor: false,
        override_reason: why.map(str::to_owned),
        documents: false,
    };
    let e = exchange::build_export(&a, &req(None), &mut |_, _| {}).unwrap_err();
    assert_eq!(e.code(), "ConsentMissing");
    assert!(e.message(Lang::Fr).contains("«\u{a0}Intervenante Test\u{a0}»"), "{}", e.message(Lang::Fr));
    assert!(relais_tests::files_under(tv.tmp.path()).iter().all(|f| f.extension().is_none_or(|e| e != "relais")));

    // By override: the bundle is made, the reason lands in the case when the export is committed.
    let (_, manifest, exported) = exchange::build_export(&a, &req(Some("Conférence de cas demain")), &mut |_, _| {}).unwrap();
    assert!(a.list_by(Kind::Note, "person_id", &p).unwrap().is_empty());
    exchange::commit_export(&mut a, &manifest, &exported).unwrap();
    let notes = a.list_by(Kind::Note, "person_id", &p).unwrap();
    assert_eq!(notes[0]["text"], json!("Intervenante Test — Conférence de cas demain"));

    // With a consent naming her, no override is needed and none is recorded.
    consent(&mut a, &p, &[("recipient", json!("Intervenante Test"))]);
    let (_, manifest, exported) = exchange::build_export(&a, &req(None), &mut |_, _| {}).unwrap();
    exchange::commit_export(&mut a, &manifest, &exported).unwrap();
    assert_eq!(a.list_by(Kind::Note, "person_id", &p).unwrap().len(), 1);
}

/// A share of many cases reads their consents together: each person's own consents count for
/// her alone, and the refusal names the person whose consents do not cover the colleague.
#[test]
fn a_share_of_many_cases_is_refused_for_the_one_person_whose_consent_does_not_name_the_colleague() {
    let (_tv, mut a) = TestVault::new();
    let (_tvb, b) = TestVault::new();
    let to = relais_tests::add_verified_contact(&mut a, &b);
    let persons: Vec<String> = ["Héron", "Mésange", "Sittelle"]
        .iter()
        .map(|alias| a.write(|w| w.insert(Kind::Person, f(&[("alias", json!(alias))]))).unwrap())
        .collect();
    // Héron and Sittelle name her; Mésange's consent names someone else, and her older one
    // that named her has ended.
    consent(&mut a, &persons[0], &[("recipient", json!("Intervenante Test"))]);
    consent(&mut a, &persons[1], &[("recipient", json!("Maison Flora-Tristan"))]);
    consent(
        &mut a,
        &persons[1],
        &[("recipient", json!("Intervenante Test")), ("starts_on", json!("2020-01-01")), ("ends_on", json!("2020-12-31"))],
    );
    consent(&mut a, &persons[2], &[("recipient", json!("Intervenante Test"))]);
    let req = |persons: Vec<String>| ExportRequest {
        persons,
        to: vec![to.clone()],
        kind: BundleKind::Share,
        armor: false,
        override_reason: None,
        documents: false,
    };
    let e = exchange::build_export(&a, &req(persons.clone()), &mut |_, _| {}).unwrap_err();
    assert_eq!(e.code(), "ConsentMissing");
    assert!(e.message(Lang::Fr).contains("Mésange"), "{}", e.message(Lang::Fr));
    // Without her, the others go, each on her own consent.
    let (_, manifest, _) = exchange::build_export(&a, &req(vec![persons[0].clone(), persons[2].clone()]), &mut |_, _| {}).unwrap();
    assert_eq!(manifest.persons.len(), 2);
}

#[test]
fn a_partner_summary_names_its_recipient_and_needs_their_consent() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie", "--org", "CATHII"]);
    tv.ok(&["person", "add", "--alias", "Héron", "--origin", "domestic"]);
    let out = tv.tmp.path().join("resume.md");
    let o = out.to_str().unwrap();
    let base = ["summary", "Héron", "--level", "partner", "--format", "md", "-o", o];

    let no_recipient = tv.run(&base);
    assert_eq!(no_recipient.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_recipient.stderr).contains("Destinataire"));
    let refused = tv.run(&[&base[..], &["--for", "CAVAC de Montréal"]].concat());
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("Aucun consentement de Héron en vigueur aujourd'hui ne nomme «\u{a0}CAVAC de Montréal\u{a0}»"), "{err}");
    assert!(!out.exists(), "a refused summary left a file");

    tv.ok(&["consent", "add", "Héron", "--scope", "Suivi judiciaire", "--recipient", "CAVAC de Montréal", "--method", "verbal"]);
    tv.ok(&[&base[..], &["--for", "cavac de montreal"]].concat());
    assert!(out.exists());
    // Internal summaries stay with the team: no gate.
    tv.ok(&["summary", "Héron", "--format", "md"]);
    // Someone else, by override.
    std::fs::remove_file(&out).unwrap();
    tv.ok(&[&base[..], &["--for", "Avocate de la défense", "--override-reason", "Ordonnance du tribunal"]].concat());
    assert!(out.exists());
    let show = tv.ok(&["person", "show", "Héron"]);
    assert!(show.contains("Avocate de la défense — Ordonnance du tribunal"), "{show}");
}
