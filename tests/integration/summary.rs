//! The follow-up summary: golden Markdown in French and English, a self-contained HTML page, a
//! PDF read back with poppler's `pdftotext`, and the partner version proven free of what it
//! must leave out, in every format.

use chrono::{DateTime, NaiveDate};
use relais_core::record::{Fields, Kind};
use relais_core::reports::summary::{self, Level, Options};
use relais_core::{Lang, Store, demo};
use relais_tests::TestVault;
use serde_json::json;

fn now() -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339("2026-12-03T09:00:00-05:00").unwrap()
}

fn options(lang: Lang, level: Level) -> Options {
    Options { from: Some(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()), to: None, lang, level, now: now() }
}

/// A fixed demo person: same seed, same day, same summary.
fn demo_person() -> (TestVault, Store, String) {
    let (tv, mut s) = TestVault::new();
    demo::fill(&mut s, 3, 7, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(), &mut |_, _| {}).unwrap();
    let id: String = s.conn().query_row("SELECT id FROM persons ORDER BY alias LIMIT 1", [], |r| r.get(0)).unwrap();
    (tv, s, id)
}

#[test]
fn golden_markdown_in_french_and_english() {
    let (_tv, s, id) = demo_person();
    let fr = summary::markdown(&summary::build(&s, &id, &options(Lang::Fr, Level::Internal)).unwrap());
    let en = summary::markdown(&summary::build(&s, &id, &options(Lang::En, Level::Internal)).unwrap());
    snapbox::assert_data_eq!(fr.clone(), snapbox::file!["../golden/summary-fr.md"].raw());
    snapbox::assert_data_eq!(en.clone(), snapbox::file!["../golden/summary-en.md"].raw());
    // French typography: a no-break space before the colon, never a plain one.
    assert!(fr.contains("\u{a0}:") && !fr.contains(" :"), "French colons");
    assert!(fr.contains("## Besoins par phase") && en.contains("## Needs by phase"));
}

#[test]
fn the_html_page_is_self_contained_and_runs_nothing() {
    let (_tv, s, id) = demo_person();
    for level in [Level::Internal, Level::Partner] {
        let h = summary::html(&summary::build(&s, &id, &options(Lang::Fr, level)).unwrap());
        let lower = h.to_lowercase();
        for bad in ["<script", "javascript:", "http://", "https://", "src=", "href=", "@import", "url("] {
            assert!(!lower.contains(bad), "{bad} in the HTML summary");
        }
        assert!(h.contains("<svg") && h.contains("<style>"), "figures and style are inline");
        assert!(lower.starts_with("<!doctype html>") && h.contains("lang=\"fr-CA\""));
    }
}

#[test]
fn the_partner_version_leaves_out_what_it_must() {
    let (_tv, mut s) = TestVault::new();
    let secret = |tag: &str| format!("SECRET-{tag}-7c1f");
    let f = |pairs: &[(&str, serde_json::Value)]| -> Fields { pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() };
    let p = s
        .write(|w| {
            w.insert(
                Kind::Person,
                f(&[
                    ("alias", json!("Héron")),
                    ("legal_name", json!(secret("legal"))),
                    ("birth_date", json!("2008-02-29")),
                    ("phone", json!(secret("phone"))),
                    ("email", json!(format!("{}@example.org", secret("email")))),
                    ("address", json!(secret("address"))),
                    ("immigration_status", json!(secret("immigration"))),
                    ("intake_at", json!("2026-10-01T10:00:00-04:00")),
                    ("risk_level", json!("imminent")),
                    ("no_contact_order", json!(true)),
                    ("protection_until", json!("2027-06-30")),
                    ("protection_conditions", json!(secret("protection"))),
                    ("gender", json!("two_spirit")),
                ]),
            )
        })
        .unwrap();
    let org = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("CLSC Partenaire"))]))).unwrap();
    // An organisation no consent covers: its referral and appointment stay out of the partner version.
    let hidden_org = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!(secret("uncovered-org")))]))).unwrap();
    s.write(|w| {
        w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!("safety_protection")), ("note", json!(secret("need-note")))]))?;
        w.insert(
            Kind::Note,
            f(&[
                ("person_id", json!(p)),
                ("at", json!("2026-11-20T10:00:00-05:00")),
                ("text", json!(secret("note"))),
                ("minutes", json!("1 h 30")),
            ]),
        )?;
        // Money spent for her: the team's, and it can say where she went.
        w.insert(
            Kind::Expense,
            f(&[
                ("person_id", json!(p)),
                ("spent_on", json!("2026-11-21")),
                ("fund", json!("emergency")),
                ("category", json!("travel_ticket")),
                ("amount_cents", json!("120,50")),
            ]),
        )?;
        w.insert(
            Kind::Consent,
            f(&[
                ("person_id", json!(p)),
                ("scope", json!("Suivi")),
                ("org_id", json!(org)),
                ("starts_on", json!("2026-10-01")),
                ("method", json!("written")),
            ]),
        )?;
        // Withdrawn: covers nothing any more.
        w.insert(
            Kind::Consent,
            f(&[
                ("person_id", json!(p)),
                ("scope", json!(secret("withdrawn-scope"))),
                ("org_id", json!(hidden_org)),
                ("starts_on", json!("2026-10-01")),
                ("withdrawn_on", json!("2026-11-01")),
                ("method", json!("verbal")),
            ]),
        )?;
        w.insert(
            Kind::Appointment,
            f(&[
                ("person_id", json!(p)),
                ("org_id", json!(org)),
                ("starts_at", json!("2026-11-10T10:00:00-05:00")),
                ("kind", json!("health")),
                ("status", json!("attended")),
                ("place", json!(secret("place"))),
            ]),
        )?;
        w.insert(
            Kind::Appointment,
            f(&[
                ("person_id", json!(p)),
                ("org_id", json!(hidden_org)),
                ("starts_at", json!("2026-11-12T10:00:00-05:00")),
                ("kind", json!("legal")),
                ("status", json!("attended")),
            ]),
        )?;
        relais_core::case::add_referral(
            w,
            f(&[("person_id", json!(p)), ("org_id", json!(hidden_org)), ("status", json!("requested"))]),
            Some("Urgence : hébergement le soir même"),
        )?;
        relais_core::case::add_referral(
            w,
            f(&[("person_id", json!(p)), ("org_id", json!(org)), ("status", json!("completed")), ("outcome", json!(secret("outcome")))]),
            None,
        )
    })
    .unwrap();
    let left_out = [
        "legal",
        "phone",
        "email",
        "address",
        "immigration",
        "need-note",
        "note",
        "outcome",
        "place",
        "uncovered-org",
        "withdrawn-scope",
        "protection",
    ]
    .map(secret);
    for lang in [Lang::Fr, Lang::En] {
        let doc = summary::build(&s, &p, &options(lang, Level::Partner)).unwrap();
        let pdf_text = pdftotext(&summary::pdf(&doc).unwrap());
        for text in [summary::markdown(&doc), summary::html(&doc), pdf_text] {
            for x in &left_out {
                assert!(!text.contains(x.as_str()), "{x} in the partner version");
            }
            assert!(!text.contains("2008") && !text.contains("29 février") && !text.contains("February 29"), "date of birth left out");
            // The team's risk assessment and how the person identifies stay with the team.
            for x in ["Danger imminent", "Imminent danger", "2027", "bispirituelle", "Two-Spirit", "120,50", "120.50"] {
                assert!(!text.contains(x), "{x} in the partner version");
            }
            assert!(text.contains("Héron") && text.contains("CLSC Partenaire"), "what a partner may see is there");
            assert!(text.contains(if lang == Lang::Fr { "Version partenaire" } else { "Partner version" }), "the page says so");
        }
        // The internal version has them (so the test above can fail), in the PDF too.
        let internal = summary::build(&s, &p, &options(lang, Level::Internal)).unwrap();
        let internal_pdf = pdftotext(&summary::pdf(&internal).unwrap());
        for text in [summary::markdown(&internal), internal_pdf] {
            for x in ["legal", "immigration", "note", "place", "uncovered-org"].map(secret) {
                assert!(text.contains(x.as_str()), "{x} missing from the internal version");
            }
            let risk = if lang == Lang::Fr { "Danger imminent" } else { "Imminent danger" };
            let until = if lang == Lang::Fr { "30 juin 2027" } else { "June 30, 2027" };
            assert!(text.contains(risk) && text.contains(until), "the risk line is in the internal version");
            assert!(text.contains(if lang == Lang::Fr { "120,50" } else { "120.50" }), "the expenses are in the internal version");
        }
        let md = summary::markdown(&internal).replace('\u{a0}', " ");
        let (time, fund) = if lang == Lang::Fr {
            ("Intervention :** 1 h 30 min", "Fonds d'urgence : 120,50 $")
        } else {
            ("Intervention:** 1 h 30 min", "Emergency fund: $120.50")
        };
        assert!(md.contains(time) && md.contains(fund), "time and money of the period, by fund:\n{md}");
    }
}

/// The text of a PDF, as poppler's `pdftotext` reads it (the real tool, not our code).
fn pdftotext(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed by `make test`");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext could not read the PDF");
    // Lines wrap where the page ends them: join them to search phrases.
    String::from_utf8(out.stdout).unwrap().split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pdf_opens_and_holds_the_sections_in_its_language() {
    let (_tv, s, id) = demo_person();
    for (lang, sections) in [
        (
            Lang::Fr,
            [
                "Résumé de suivi",
                "La personne",
                "Besoins par phase",
                "Rendez-vous",
                "Références",
                "Préparation à la cour",
                "Notes de la période",
            ],
        ),
        (
            Lang::En,
            ["Follow-up summary", "The person", "Needs by phase", "Appointments", "Referrals", "Court preparation", "Notes of the period"],
        ),
    ] {
        let doc = summary::build(&s, &id, &options(lang, Level::Internal)).unwrap();
        let pdf = summary::pdf(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        let text = pdftotext(&pdf);
        for title in sections {
            assert!(text.contains(title), "{title:?} missing from the {lang:?} PDF: {text}");
        }
        let other = if lang == Lang::Fr { "Needs by phase" } else { "Besoins par phase" };
        assert!(!text.contains(other), "the other language leaked into the {lang:?} PDF");
        // Every line of every section made it to the page (court milestones through the timeline).
        for sec in &doc.sections {
            for line in &sec.lines {
                // Its first words, up to any punctuation French typography spaces out.
                let first = line.text.split(|c| ":;?!·(\"".contains(c)).next().unwrap_or_default();
                let words = first.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
                assert!(text.contains(&words), "{words:?} ({}) missing from the PDF", sec.title);
            }
        }
        // French typography survives typesetting: a space before the colon (poppler extracts the
        // no-break space as a plain one), none in English.
        if lang == Lang::Fr {
            assert!(text.contains("Résumé de suivi :"), "space before « : »");
        } else {
            assert!(text.contains("Follow-up summary:"), "no space before the colon in English");
        }
    }
    // The fonts are embedded: poppler's pdffonts lists them all as "emb yes".
    let pdf = summary::pdf(&summary::build(&s, &id, &options(Lang::Fr, Level::Internal)).unwrap()).unwrap();
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &pdf).unwrap();
    let fonts = std::process::Command::new("pdffonts").arg(tmp.path()).output().unwrap();
    let listing = String::from_utf8_lossy(&fonts.stdout);
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no font listed: {listing}");
    for row in rows {
        assert!(row.contains(" yes yes "), "font not embedded: {row}");
    }
}

#[test]
fn the_cli_writes_a_summary_and_refuses_a_malformed_date() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie Tremblay"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    let out = tv.tmp.path().join("colibri.html");
    tv.ok(&["consent", "add", "Colibri", "--scope", "Suivi", "--recipient", "CLSC Partenaire", "--method", "written"]);
    tv.ok(&["summary", "Colibri", "--format", "html", "--level", "partner", "--for", "CLSC Partenaire", "-o", out.to_str().unwrap()]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Version partenaire") && html.contains("Colibri"));
    let md = tv.ok(&["--lang", "en", "summary", "Colibri", "--format", "md"]);
    assert!(md.starts_with("# Follow-up summary: Colibri"), "{md}");
    let pdf = tv.tmp.path().join("colibri.pdf");
    tv.ok(&["summary", "Colibri", "--format", "pdf", "-o", pdf.to_str().unwrap()]);
    assert!(pdftotext(&std::fs::read(&pdf).unwrap()).contains("Colibri"));
    // A PDF needs a file: a clear error, not binary on the terminal.
    let r = tv.run(&["--lang", "en", "summary", "Colibri", "--format", "pdf"]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("-o FILE.pdf"), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(r.stdout.is_empty());
    // A malformed date: a clear error, exit 1, no file.
    let bad = tv.tmp.path().join("bad.md");
    let r = tv.run(&["summary", "Colibri", "--format", "md", "--from", "2026-13-01", "-o", bad.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("from"), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(!bad.exists());
}

#[test]
fn a_summary_encrypted_for_a_verified_contact_opens_with_the_age_command() {
    let (tv, mut s, id) = demo_person();
    let (other, o) = TestVault::new();
    let contact = relais_tests::add_verified_contact(&mut s, &o);
    let pdf = summary::pdf(&summary::build(&s, &id, &options(Lang::Fr, Level::Partner)).unwrap()).unwrap();
    let sealed = summary::encrypt_for_contact(&s, &contact, &pdf).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n-> X25519 "));
    let file = tv.tmp.path().join("resume.pdf.age");
    std::fs::write(&file, &sealed).unwrap();
    drop(o);
    let identity = other.tmp.path().join("id.txt");
    other.ok(&["identity", "export-age", identity.to_str().unwrap()]);
    let out = std::process::Command::new("age").args(["-d", "-i", identity.to_str().unwrap(), file.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, pdf, "the standard age command gives back the PDF");
    // Never to a key nobody checked.
    s.write(|w| w.update(Kind::Contact, &contact, [("verified_on".to_owned(), serde_json::Value::Null)].into_iter().collect())).unwrap();
    let e = summary::encrypt_for_contact(&s, &contact, &pdf).unwrap_err();
    assert_eq!(e.code(), "UnverifiedContact");
}
