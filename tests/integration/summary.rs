//! The follow-up summary: golden Markdown in French and English, a self-contained HTML page,
//! and the partner version proven free of what it must leave out.

use chrono::{DateTime, NaiveDate};
use relais_core::record::{Fields, Kind};
use relais_core::summary::{self, Level, Options};
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
        assert!(h.starts_with("<!doctype html>") && h.contains("lang=\"fr-CA\""));
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
                ]),
            )
        })
        .unwrap();
    let org = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("CLSC Partenaire"))]))).unwrap();
    s.write(|w| {
        w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!("safety_protection")), ("note", json!(secret("need-note")))]))?;
        w.insert(Kind::Note, f(&[("person_id", json!(p)), ("at", json!("2026-11-20T10:00:00-05:00")), ("text", json!(secret("note")))]))?;
        relais_core::model::add_referral(
            w,
            f(&[("person_id", json!(p)), ("org_id", json!(org)), ("status", json!("completed")), ("outcome", json!(secret("outcome")))]),
        )
    })
    .unwrap();
    let left_out = ["legal", "phone", "email", "address", "immigration", "need-note", "note", "outcome"].map(secret);
    for lang in [Lang::Fr, Lang::En] {
        let doc = summary::build(&s, &p, &options(lang, Level::Partner)).unwrap();
        for text in [summary::markdown(&doc), summary::html(&doc)] {
            for x in &left_out {
                assert!(!text.contains(x.as_str()), "{x} in the partner version");
            }
            assert!(!text.contains("2008") && !text.contains("29 février") && !text.contains("February 29"), "date of birth left out");
            assert!(text.contains("Héron") && text.contains("CLSC Partenaire"), "what a partner may see is there");
        }
        assert!(doc.banner.as_deref().is_some_and(|b| b.contains(if lang == Lang::Fr { "Version partenaire" } else { "Partner version" })));
        // The internal version has them (so the test above can fail).
        let internal = summary::markdown(&summary::build(&s, &p, &options(lang, Level::Internal)).unwrap());
        for x in ["legal", "immigration", "note"].map(secret) {
            assert!(internal.contains(x.as_str()), "{x} missing from the internal version");
        }
    }
}

#[test]
fn the_cli_writes_a_summary_and_refuses_a_malformed_date() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie Tremblay"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    let out = tv.tmp.path().join("colibri.html");
    tv.ok(&["summary", "Colibri", "--format", "html", "--level", "partner", "-o", out.to_str().unwrap()]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Version partenaire") && html.contains("Colibri"));
    let md = tv.ok(&["--lang", "en", "summary", "Colibri", "--format", "md"]);
    assert!(md.starts_with("# Follow-up summary: Colibri"), "{md}");
    // A malformed date: a clear error, exit 1, no file.
    let bad = tv.tmp.path().join("bad.md");
    let r = tv.run(&["summary", "Colibri", "--format", "md", "--from", "2026-13-01", "-o", bad.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("from"), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(!bad.exists());
}
