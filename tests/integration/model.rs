//! Invalid input is refused with a message that says what to fix, in French and in English, and
//! changes nothing.

use relais_core::record::{Fields, Kind};
use relais_core::{Error, Lang, case};
use relais_tests::TestVault;
use serde_json::json;

fn f(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn rows(store: &relais_core::Store) -> i64 {
    let mut total = 0;
    for k in Kind::ALL {
        total += store.conn().query_row(&format!("SELECT count(*) FROM {}", k.table()), [], |r| r.get::<_, i64>(0)).unwrap();
    }
    total + store.conn().query_row("SELECT count(*) FROM audit_events", [], |r| r.get::<_, i64>(0)).unwrap()
}

/// Asserts that `op` fails, that nothing was written, and returns the error.
fn refused(
    store: &mut relais_core::Store,
    op: impl FnOnce(&mut relais_core::vault::store::Writer<'_>) -> relais_core::Result<()>,
) -> Error {
    let before = rows(store);
    let err = store.write(op).expect_err("should be refused");
    assert_eq!(before, rows(store), "a refused change wrote something");
    err
}

#[test]
fn validation_messages_say_what_to_fix() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Alizé"))]))).unwrap();

    let e = refused(&mut s, |w| w.insert(Kind::Person, f(&[("alias", json!("X")), ("birth_date", json!("2009-02-30"))])).map(drop));
    assert_eq!(e.message(Lang::Fr), "Date de naissance\u{a0}: date invalide, format attendu AAAA-MM-JJ (ex. 2025-03-14)");
    assert_eq!(e.message(Lang::En), "Date of birth: invalid date, expected YYYY-MM-DD (e.g. 2025-03-14)");

    let e = refused(&mut s, |w| w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!("logement"))])).map(drop));
    let fr = e.message(Lang::Fr);
    assert!(
        fr.starts_with(
            "Type\u{a0}: code inconnu dans le catalogue «\u{a0}needs\u{a0}»\u{202f}; codes valides\u{a0}: safety_protection, basic_material"
        ),
        "{fr}"
    );

    // A permit's outcome belongs to a permit's deadline, nowhere else.
    let e = refused(&mut s, |w| {
        w.insert(
            Kind::Deadline,
            f(&[
                ("person_id", json!(p)),
                ("kind", json!("ivac_application")),
                ("due_on", json!("2027-01-05")),
                ("permit_status", json!("granted")),
            ]),
        )
        .map(drop)
    });
    assert!(e.message(Lang::Fr).starts_with("Issue de la demande de permis"), "{}", e.message(Lang::Fr));
    s.write(|w| {
        w.insert(
            Kind::Deadline,
            f(&[
                ("person_id", json!(p)),
                ("kind", json!("trp_expiry")),
                ("due_on", json!("2027-01-05")),
                ("permit_status", json!("granted")),
            ]),
        )
    })
    .unwrap();

    let e = refused(&mut s, |w| w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!("interpretation"))])).map(drop));
    assert!(e.message(Lang::En).contains("only to persons trafficked internationally"));

    let e = refused(&mut s, |w| {
        w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!("employment_support")), ("phase", json!("immediate"))])).map(drop)
    });
    assert_eq!(e.message(Lang::En), "Phase: this need does not exist in that phase; possible phases: long_term");

    let e = refused(&mut s, |w| {
        w.insert(
            Kind::Appointment,
            f(&[("person_id", json!(p)), ("starts_at", json!("2026-12-03T14:00")), ("ends_at", json!("2026-12-03T13:00"))]),
        )
        .map(drop)
    });
    assert_eq!(e.message(Lang::Fr), "Fin\u{a0}: la fin précède le début");

    let e = refused(&mut s, |w| w.insert(Kind::Appointment, f(&[("person_id", json!(p)), ("starts_at", json!("demain 14h"))])).map(drop));
    assert!(e.message(Lang::Fr).contains("date et heure invalides"));

    let e = refused(&mut s, |w| {
        w.insert(Kind::Note, f(&[("person_id", json!("01a21ee6-f4d7-70d2-af68-3c9de909e97f")), ("text", json!("x"))])).map(drop)
    });
    assert_eq!(e.message(Lang::En), "Person: the referenced record does not exist");

    let e =
        refused(&mut s, |w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("x")), ("colour", json!("red"))])).map(drop));
    assert_eq!(e.message(Lang::En), "colour: unknown field for this kind of record");

    let e = refused(&mut s, |w| w.insert(Kind::Person, f(&[("alias", json!("A".repeat(121)))])).map(drop));
    assert_eq!(e.message(Lang::Fr), "Pseudonyme\u{a0}: trop long (au plus 120 caractères)");

    let e = refused(&mut s, |w| w.insert(Kind::Person, f(&[("alias", json!("   "))])).map(drop));
    assert_eq!(e.message(Lang::Fr), "Pseudonyme\u{a0}: obligatoire");

    let e = refused(&mut s, |w| w.insert(Kind::Person, f(&[("alias", json!("B")), ("birth_date", json!("2999-01-01"))])).map(drop));
    assert_eq!(e.message(Lang::En), "Date of birth: this date cannot be in the future");

    let e = refused(&mut s, |w| case::close_person(w, &p, "other", None).map(drop));
    assert_eq!(e.message(Lang::Fr), "Note de fermeture\u{a0}: une raison est obligatoire pour cette valeur");

    let e = refused(&mut s, |w| {
        w.insert(
            Kind::Consent,
            f(&[
                ("person_id", json!(p)),
                ("scope", json!("tout")),
                ("method", json!("verbal")),
                ("starts_on", json!("2026-05-01")),
                ("ends_on", json!("2026-04-01")),
            ]),
        )
        .map(drop)
    });
    assert_eq!(e.code(), "Invalid");
    assert_eq!(e.message(Lang::En), "End: the end is before the start");
}

#[test]
fn referral_history_and_reasons() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Opale"))]))).unwrap();
    let org = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("Logis Transition"))]))).unwrap();
    s.write(|w| {
        w.insert(
            Kind::Consent,
            f(&[("person_id", json!(p)), ("scope", json!("Hébergement")), ("org_id", json!(org)), ("method", json!("written"))]),
        )
    })
    .unwrap();
    // An amount is typed in dollars, the Quebec way or the English way, and kept in cents;
    // a negative or malformed one is refused and explained.
    for bad in [json!(-1), json!("-3"), json!("douze"), json!("1,234")] {
        let e = refused(&mut s, |w| {
            case::add_referral(w, f(&[("person_id", json!(p)), ("org_id", json!(org)), ("amount_cents", bad.clone())]), None).map(drop)
        });
        assert_eq!(e.message(Lang::En), "Amount: invalid number (e.g. 125 or 120.50)", "{bad}");
    }
    let r = s
        .write(|w| {
            case::add_referral(w, f(&[("person_id", json!(p)), ("org_id", json!(org)), ("amount_cents", json!("1 200,50 $"))]), None)
        })
        .unwrap();
    assert_eq!(s.get(Kind::Referral, &r).unwrap()["amount_cents"], json!(120050));
    let e = refused(&mut s, |w| case::set_referral_status(w, &r, "rejected", None));
    assert_eq!(e.message(Lang::En), "Status reason: a reason is required for this value");
    s.write(|w| case::set_referral_status(w, &r, "waitlisted", None)).unwrap();
    s.write(|w| case::set_referral_status(w, &r, "rejected", Some("Plus de places"))).unwrap();
    let history: Vec<String> =
        s.list_by(Kind::ReferralEvent, "referral_id", &r).unwrap().iter().map(|e| e["status"].as_str().unwrap().to_owned()).collect();
    assert_eq!(history, ["requested", "waitlisted", "rejected"]);
    let rec = s.get(Kind::Referral, &r).unwrap();
    assert_eq!(rec["revision"], json!(3));
    // Same status again: refused, nothing written.
    let e = refused(&mut s, |w| case::set_referral_status(w, &r, "rejected", Some("Plus de places")));
    assert_eq!(e.message(Lang::En), "Status: already in that state");
}

#[test]
fn aliases_resolve_and_ambiguity_is_reported() {
    let (_tv, mut s) = TestVault::new();
    let a = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Jade"))]))).unwrap();
    assert_eq!(s.resolve_person("jade").unwrap(), a);
    assert_eq!(s.resolve_person(&a.to_uppercase()).unwrap(), a);
    s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("JADE"))]))).unwrap();
    let e = s.resolve_person("Jade").unwrap_err();
    assert_eq!(e.code(), "Ambiguous");
    assert!(e.message(Lang::Fr).contains(&a));
    assert_eq!(s.resolve_person("Personne").unwrap_err().code(), "NotFound");
}

#[test]
fn updates_bump_revision_and_noop_updates_write_nothing() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Dune")), ("region", json!("Laval"))]))).unwrap();
    let before = rows(&s);
    let changed = s.write(|w| w.update(Kind::Person, &p, f(&[("region", json!("Laval"))]))).unwrap();
    assert!(changed.is_empty());
    assert_eq!(before, rows(&s));
    let changed = s.write(|w| w.update(Kind::Person, &p, f(&[("region", json!("Estrie")), ("safe_to_call", json!("non"))]))).unwrap();
    assert_eq!(changed, ["region", "safe_to_call"]);
    let rec = s.get(Kind::Person, &p).unwrap();
    assert_eq!((rec["revision"].clone(), rec["safe_to_call"].clone()), (json!(2), json!(false)));
}

#[test]
fn a_handed_off_case_is_read_only() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Saule"))]))).unwrap();
    s.conn().execute("UPDATE persons SET status = 'handed_off' WHERE id = ?1", [&p]).unwrap();
    let e = refused(&mut s, |w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("x"))])).map(drop));
    assert_eq!(e.code(), "HandedOff");
    let e = refused(&mut s, |w| w.update(Kind::Person, &p, f(&[("region", json!("Estrie"))])).map(drop));
    assert_eq!(e.code(), "HandedOff");
}

#[test]
fn directory_csv_import_is_all_or_nothing_and_idempotent() {
    let (_tv, mut s) = TestVault::new();
    let good = "name,kind,region,languages,open_24_7,needs\n\
                Maison L'Escale,shelter,Montréal,français;anglais,oui,housing_emergency;safety_protection\n\
                Clinique Le Phare,legal,Laval,français,non,legal_assistance\n";
    let r = relais_core::case::directory::import_csv(&mut s, good.as_bytes()).unwrap();
    assert_eq!((r.created, r.services_added), (2, 3));
    let r = relais_core::case::directory::import_csv(&mut s, good.as_bytes()).unwrap();
    assert_eq!((r.created, r.updated, r.unchanged, r.services_added), (0, 0, 2, 0));
    // A file with fewer cells filled wipes nothing; a cell that differs is written.
    let escale = |s: &relais_core::Store| {
        s.list_all(Kind::Organisation).unwrap().into_iter().find(|o| o["name"] == json!("Maison L'Escale")).unwrap()
    };
    let sparse = "name,kind,region,languages,open_24_7,phone
MAISON L'ESCALE,,,,,514-555-0101
";
    let r = relais_core::case::directory::import_csv(&mut s, sparse.as_bytes()).unwrap();
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 0));
    let o = escale(&s);
    assert_eq!(
        (&o["kind"], &o["region"], &o["languages"], &o["open_24_7"], &o["phone"]),
        (&json!("shelter"), &json!("Montréal"), &json!(["français", "anglais"]), &json!(true), &json!("514-555-0101"))
    );
    let bad = "name,kind,needs\nRessource A,shelter,housing_emergency\nRessource B,pas_un_type,\n";
    let before = rows(&s);
    let e = relais_core::case::directory::import_csv(&mut s, bad.as_bytes()).unwrap_err();
    assert!(e.message(Lang::Fr).starts_with("Fichier CSV, ligne 3\u{a0}: kind\u{a0}: code inconnu"), "{}", e.message(Lang::Fr));
    assert!(e.message(Lang::En).contains("line 3: kind: unknown code"), "{}", e.message(Lang::En));
    assert_eq!(before, rows(&s));
    let sugg = relais_core::case::directory::suggest(&s, "housing_emergency", Some("Montréal"), Some("anglais")).unwrap();
    assert_eq!(sugg.len(), 1);
    assert!(sugg[0].open_24_7 && sugg[0].region_match && sugg[0].language_match);
}

#[test]
fn notes_are_searchable_ignoring_accents() {
    let (_tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Iris"))]))).unwrap();
    s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("Réunion au palais de justice avec la procureure"))])))
        .unwrap();
    let r = relais_core::case::search::search(&s, "reunion proc", 10).unwrap();
    assert_eq!(r.notes.len(), 1);
    assert!(r.notes[0].snippet.contains("[Réunion]"), "{}", r.notes[0].snippet);
    assert!(relais_core::case::search::search(&s, "hébergement", 10).unwrap().notes.is_empty());
    // FTS syntax typed by a person is not an error.
    relais_core::case::search::search(&s, "\"NEAR( OR *", 10).unwrap();
}

#[test]
fn an_interpreter_from_outside_her_community_is_confirmed_when_she_asked() {
    let (_tv, mut s) = TestVault::new();
    let asked =
        s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Iris")), ("interpreter_outside_community", json!(true))]))).unwrap();
    let other = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Lys"))]))).unwrap();
    let appt = |p: &str, confirmed: Option<bool>| {
        let mut a = f(&[
            ("person_id", json!(p)),
            ("starts_at", json!("2030-12-05T10:00")),
            ("kind", json!("legal")),
            ("interpreter_needed", json!(true)),
            ("interpreter_language", json!("tigrinya")),
        ]);
        if let Some(c) = confirmed {
            a.insert("interpreter_outside_confirmed".into(), json!(c));
        }
        a
    };
    let e = refused(&mut s, |w| w.insert(Kind::Appointment, appt(&asked, None)).map(drop));
    assert_eq!(
        e.message(Lang::Fr),
        "Interprète hors de sa communauté (vérifié)\u{a0}: la personne a demandé un·e interprète qui ne soit pas de sa communauté\u{a0}: confirmez-le pour ce rendez-vous"
    );
    refused(&mut s, |w| w.insert(Kind::Appointment, appt(&asked, Some(false))).map(drop));
    s.write(|w| w.insert(Kind::Appointment, appt(&asked, Some(true)))).unwrap();
    // Nobody asked: no confirmation needed.
    s.write(|w| w.insert(Kind::Appointment, appt(&other, None))).unwrap();
}
