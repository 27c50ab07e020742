//! The same person in two files: the warning (same birth date and a similar name, and not
//! otherwise), the merge that keeps every record of both, audited, and a bundle that later
//! brings the merged-away file.

use relais_core::case::duplicates;
use relais_core::case::person_file;
use relais_core::exchange::BundleKind;
use relais_core::record::{Fields, Kind};
use relais_core::{Error, Store};
use relais_tests::TestVault;
use serde_json::json;

use crate::bundle::{export, import, pair};

fn f(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn person(s: &mut Store, fields: &[(&str, serde_json::Value)]) -> String {
    let mut p = f(&[("origin", json!("domestic")), ("intake_at", json!("2026-10-01T10:00:00-04:00"))]);
    p.extend(f(fields));
    s.write(|w| w.insert(Kind::Person, p)).unwrap()
}

fn aliases(found: &[duplicates::Candidate]) -> Vec<&str> {
    found.iter().map(|c| c.alias.as_str()).collect()
}

#[test]
fn the_warning_fires_on_the_same_birth_date_and_a_similar_name_and_not_otherwise() {
    let (_tv, mut s) = TestVault::new();
    let colibri =
        person(&mut s, &[("alias", json!("Colibri")), ("birth_date", json!("2001-04-12")), ("legal_name", json!("Marie-Ève Tremblay"))]);
    person(&mut s, &[("alias", json!("Aurore")), ("birth_date", json!("2001-04-12"))]); // same date, another name
    person(&mut s, &[("alias", json!("Colibri")), ("birth_date", json!("1999-01-01"))]); // same name, another date
    person(&mut s, &[("alias", json!("Colibri"))]); // no date: nothing said
    let check = |s: &Store, fields: &[(&str, serde_json::Value)]| aliases(&duplicates::candidates(s, &f(fields)).unwrap()).join(",");
    // A similar alias, or the legal name written another way, with the same date.
    assert_eq!(check(&s, &[("alias", json!("colibri")), ("birth_date", json!("2001-04-12"))]), "Colibri");
    assert_eq!(check(&s, &[("alias", json!("Colibrie")), ("birth_date", json!("2001-04-12"))]), "Colibri");
    assert_eq!(
        check(&s, &[("alias", json!("Pinson")), ("legal_name", json!("Marie Eve Tremblay")), ("birth_date", json!("2001-04-12"))]),
        "Colibri"
    );
    // Not otherwise.
    assert_eq!(check(&s, &[("alias", json!("Pinson")), ("birth_date", json!("2001-04-12"))]), "");
    assert_eq!(check(&s, &[("alias", json!("Colibri")), ("birth_date", json!("2001-04-13"))]), "");
    assert_eq!(check(&s, &[("alias", json!("Colibri"))]), "");
    // A stored file is not its own duplicate.
    let stored = s.get(Kind::Person, &colibri).unwrap();
    assert_eq!(aliases(&duplicates::candidates(&s, &stored).unwrap()), Vec::<&str>::new());

    // The CLI warns on standard error at creation, and prints the id alone on standard output.
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Intervenante"]);
    tv.ok(&["person", "add", "--alias", "Colibri", "--birth-date", "2001-04-12"]);
    let r = tv.run(&["person", "add", "--alias", "Colibrie", "--birth-date", "2001-04-12"]);
    assert_eq!(r.status.code(), Some(0));
    let err = String::from_utf8_lossy(&r.stderr).replace('\u{a0}', " ");
    assert!(err.contains("même personne que « Colibri »") && err.contains("relais person merge"), "{err}");
    assert_eq!(String::from_utf8_lossy(&r.stdout).trim().len(), 36, "the new id only");
    let r = tv.run(&["person", "add", "--alias", "Pinson", "--birth-date", "2001-04-12"]);
    assert!(r.stderr.is_empty(), "no warning for another name");
}

/// Every record of a file, by kind (the person's own record left out).
fn counts(s: &Store, id: &str) -> std::collections::BTreeMap<String, usize> {
    person_file::load(s, id).unwrap().records.into_iter().map(|(k, v)| (k.to_owned(), v.len())).filter(|(_, n)| *n > 0).collect()
}

#[test]
fn a_merge_keeps_every_record_of_both_files_audited_and_a_later_bundle_of_the_merged_file_is_refused() {
    let mut p = pair();
    // Vault A holds a demo case; the same person was taken in again as « Colibri 2 ».
    let original = p.a.get(Kind::Person, &p.person).unwrap();
    let birth = original["birth_date"].clone();
    let alias = original["alias"].as_str().unwrap().to_owned();
    let again = person(
        &mut p.a,
        &[("alias", json!(format!("{alias}e"))), ("birth_date", birth), ("region", json!("Abitibi")), ("phone", json!("514-555-0199"))],
    );
    p.a.write(|w| {
        w.insert(
            Kind::Note,
            f(&[("person_id", json!(again)), ("at", json!("2026-11-02T10:00:00-05:00")), ("text", json!("Deuxième accueil"))]),
        )
    })
    .unwrap();
    assert_eq!(aliases(&duplicates::candidates(&p.a, &p.a.get(Kind::Person, &again).unwrap()).unwrap()), [alias.as_str()]);
    // A shares the original with B before the merge; B adds a note to it.
    let share = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    import(&mut p.b, &share).unwrap();

    let (before_kept, before_merged) = (counts(&p.a, &again), counts(&p.a, &p.person));
    // The alias typed again, or nothing happens.
    let e = p.a.write(|w| duplicates::merge(w, &again, &p.person, "pas le bon")).unwrap_err();
    assert!(matches!(e, Error::ConfirmationMismatch));
    let e = p.a.write(|w| duplicates::merge(w, &again, &again, &format!("{alias}e"))).unwrap_err();
    assert!(matches!(e, Error::CannotMerge { why: "merge.same" }));
    let done = p.a.write(|w| duplicates::merge(w, &again, &p.person, &alias)).unwrap();
    let after = counts(&p.a, &again);
    let mut expected = before_kept.clone();
    for (k, n) in &before_merged {
        *expected.entry(k.clone()).or_default() += n;
    }
    *expected.entry("note".into()).or_default() += 1; // the merge's note
    assert_eq!(after, expected, "every record of both files, in the file kept");
    // Each record that names the person moved once; what hangs under them followed.
    let direct: usize = before_merged
        .iter()
        .filter(|(k, _)| Kind::from_name(k).is_some_and(|k| matches!(k.owner(), Some(("person_id", _)))))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(done.moved as usize, direct);
    assert!(matches!(p.a.get(Kind::Person, &p.person), Err(Error::NotFound { .. })), "the merged-away person is gone");
    // Its empty fields were filled from the other; the values that differed are in a note.
    let kept = p.a.get(Kind::Person, &again).unwrap();
    assert_eq!(kept["intake_at"], json!("2026-10-01T14:00:00Z"), "the file kept keeps its own values");
    if original["legal_name"].is_string() {
        assert_eq!(kept["legal_name"], original["legal_name"], "filled from the other file");
    }
    let notes = p.a.list_by(Kind::Note, "person_id", &again).unwrap();
    let merge_note = notes.iter().find(|n| n["text"].as_str().unwrap().starts_with("Fusion avec le dossier")).expect("the merge's note");
    assert!(done.noted.iter().any(|n| n == "intake_at"), "{:?}", done.noted);
    assert!(merge_note["text"].as_str().unwrap().contains(original["intake_at"].as_str().unwrap()), "the other intake is kept in the note");
    // Audited: each move, and the merge on both ids; the chain holds.
    let history = relais_core::vault::audit::for_person(&p.a, &again).unwrap();
    assert!(history.iter().any(|e| e.action == "person.merge"));
    assert_eq!(history.iter().filter(|e| e.action == "update" && e.fields == ["person_id"]).count(), done.moved as usize);
    assert!(relais_core::vault::audit::verify(&p.a).unwrap().first_break.is_none());

    // B sends its note on the merged-away file: refused, naming the file it went into, and
    // nothing changes.
    p.b.write(|w| {
        w.insert(
            Kind::Note,
            f(&[("person_id", json!(p.person)), ("at", json!("2026-12-01T10:00:00-05:00")), ("text", json!("Suivi de B"))]),
        )
    })
    .unwrap();
    let back = export(&mut p.b, &p.a_in_b, &[&p.person], BundleKind::Share);
    let head = relais_core::vault::audit::verify(&p.a).unwrap().events;
    let e = import(&mut p.a, &back).unwrap_err();
    assert!(matches!(&e, Error::BundleCaseMerged { into } if *into == format!("{alias}e")), "{e:?}");
    assert!(e.message(relais_core::Lang::Fr).contains("fusionné"), "{}", e.message(relais_core::Lang::Fr));
    assert_eq!(relais_core::vault::audit::verify(&p.a).unwrap().events, head, "nothing written");
    assert!(matches!(p.a.get(Kind::Person, &p.person), Err(Error::NotFound { .. })), "not brought back as a new case");
    assert_eq!(counts(&p.a, &again), after);
}

#[test]
fn only_files_this_vault_holds_are_merged() {
    let mut p = pair();
    let share = export(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    import(&mut p.b, &share).unwrap();
    // In B the case is A's copy: B cannot merge it away.
    let alias = p.b.get(Kind::Person, &p.person).unwrap()["alias"].as_str().unwrap().to_owned();
    let mine = person(&mut p.b, &[("alias", json!("Autre"))]);
    let e = p.b.write(|w| duplicates::merge(w, &mine, &p.person, &alias)).unwrap_err();
    assert!(matches!(e, Error::CannotMerge { why: "merge.not_held" }), "{e:?}");
    assert!(p.b.get(Kind::Person, &p.person).is_ok());
}
