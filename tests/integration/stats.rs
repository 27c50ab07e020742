//! Anonymous statistics: true where published, nothing under 11, no hidden cell recoverable by
//! subtraction from the totals, and nothing that names anyone.

use chrono::{DateTime, NaiveDate};
use relais_core::record::{Fields, Kind};
use relais_core::reports::stats::{self, Cell};
use relais_core::{Lang, Store};
use relais_tests::TestVault;
use serde_json::json;

fn now() -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339("2026-12-03T09:00:00-05:00").unwrap()
}

fn f(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// `domestic` + `international` persons, each with one unmet immediate need; aliases are canaries.
fn fill(s: &mut Store, domestic: usize, international: usize) -> Vec<String> {
    let mut planted = Vec::new();
    for (origin, n) in [("domestic", domestic), ("international", international)] {
        for i in 0..n {
            let alias = format!("CANARY-{origin}-{i}-5d2e");
            let id = s
                .write(|w| {
                    let id = w.insert(
                        Kind::Person,
                        f(&[("alias", json!(alias)), ("origin", json!(origin)), ("intake_at", json!("2026-10-01T10:00:00-04:00"))]),
                    )?;
                    w.insert(
                        Kind::Need,
                        f(&[
                            ("person_id", json!(id)),
                            ("code", json!("safety_protection")),
                            ("phase", json!("immediate")),
                            ("status", json!("unmet")),
                            // Within the period, whatever today is (left out, it is today).
                            ("identified_on", json!("2026-10-01")),
                        ]),
                    )?;
                    Ok(id)
                })
                .unwrap();
            planted.push(alias);
            planted.push(id);
        }
    }
    planted
}

fn origin_table(s: &stats::Stats) -> &stats::Table {
    s.tables.iter().find(|t| t.id == "persons_by_origin").unwrap()
}

#[test]
fn a_single_small_cell_is_not_left_to_subtraction() {
    let (_tv, mut s) = TestVault::new();
    fill(&mut s, 30, 4);
    let st = stats::compute(&s, None, None, Lang::Fr, now()).unwrap();
    let t = origin_table(&st);
    // 30 + 4 = 34. Publishing 30 and 34 would give 4 by subtraction: 30 is hidden too.
    assert_eq!(t.cells, vec![vec![Cell::Suppressed], vec![Cell::Suppressed]]);
    assert_eq!(t.total, Some(Cell::Count(34)), "the total stays true");
    // With enough on both sides, nothing is hidden (so the test above can fail).
    let (_tv, mut s) = TestVault::new();
    fill(&mut s, 30, 12);
    let st = stats::compute(&s, None, None, Lang::Fr, now()).unwrap();
    assert_eq!(origin_table(&st).cells, vec![vec![Cell::Count(30)], vec![Cell::Count(12)]]);
}

#[test]
fn no_count_under_eleven_and_no_name_in_any_format() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Coordination"]);
    let mut s = tv.unlock();
    let planted = fill(&mut s, 25, 3);
    drop(s);
    let json_out = tv.ok(&["--json", "stats", "--now", "2026-12-03T09:00:00-05:00"]);
    let csv_out = tv.ok(&["stats", "--csv", "--now", "2026-12-03T09:00:00-05:00"]);
    let text_out = tv.ok(&["--lang", "en", "stats", "--now", "2026-12-03T09:00:00-05:00"]);
    for out in [&json_out, &csv_out, &text_out] {
        for x in &planted {
            assert!(!out.contains(x.as_str()), "{x} in the statistics");
        }
    }
    // Every number published in the CSV is at least 11 (the median's days excepted).
    let mut rows = csv::Reader::from_reader(csv_out.as_bytes());
    let mut seen_hidden = false;
    for r in rows.records() {
        let r = r.unwrap();
        // The median's days and the sums' values are not counts (a sum is published only
        // over 11 persons or more, its persons row says how many).
        if ["days", "minutes", "cents"].contains(&&r[2]) {
            continue;
        }
        match r[3].parse::<u64>() {
            Ok(n) => assert!(n >= 11, "{r:?}"),
            Err(_) => {
                assert!(["< 11", "n.p."].contains(&&r[3]), "{r:?}");
                seen_hidden = true;
            }
        }
    }
    assert!(seen_hidden);
    let v: serde_json::Value = serde_json::from_str(&json_out).unwrap();
    let origin = &v["tables"][0];
    assert_eq!(origin["cells"], json!([["< 11"], ["< 11"]]), "25 and 3 of 28: both hidden");
    assert_eq!(origin["total"], json!(28));
    assert!(text_out.contains("Anonymous statistics") && text_out.contains("< 11"));
    // A malformed date: a clear error, exit 1.
    let r = tv.run(&["stats", "--from", "2026-02-30"]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("from"));
}

#[test]
fn the_period_limits_what_is_counted() {
    let (_tv, mut s) = TestVault::new();
    fill(&mut s, 12, 12);
    // Before anyone's intake: nobody followed.
    let st = stats::compute(&s, None, Some(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()), Lang::En, now()).unwrap();
    assert_eq!(origin_table(&st).total, Some(Cell::Suppressed));
    let st = stats::compute(&s, Some(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()), None, Lang::En, now()).unwrap();
    assert_eq!(origin_table(&st).total, Some(Cell::Count(24)));
    let needs = |st: &stats::Stats, code: &str| {
        let t = st.tables.iter().find(|t| t.id == "needs_by_phase_status").unwrap();
        t.cells[0][t.columns.iter().position(|c| c.code == code).unwrap()]
    };
    // Only unmet needs: the five empty statuses of that row add up to 0 next to a published
    // total, which would tell they are all 0. So the 24 is hidden too.
    assert_eq!(needs(&st, "unmet"), Cell::Suppressed);
    // Counts everywhere a zero would otherwise be read off a total: every phase has met and
    // unmet needs; then the gap the coalition reports is published.
    let persons: Vec<String> = s.list_all(Kind::Person).unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    s.write(|w| {
        for id in &persons {
            for (code, phase, status) in [
                ("basic_material", "immediate", "met"),
                ("accompaniment", "short_medium", "met"),
                ("legal_assistance", "short_medium", "unmet"),
                ("skills_development", "long_term", "met"),
                ("employment_support", "long_term", "unmet"),
            ] {
                w.insert(
                    Kind::Need,
                    f(&[
                        ("person_id", json!(id)),
                        ("code", json!(code)),
                        ("phase", json!(phase)),
                        ("status", json!(status)),
                        ("identified_on", json!("2026-10-01")),
                    ]),
                )?;
            }
        }
        Ok(())
    })
    .unwrap();
    let st = stats::compute(&s, Some(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()), None, Lang::En, now()).unwrap();
    assert_eq!(needs(&st, "unmet"), Cell::Count(24), "the gap the coalition reports");
    // The five empty statuses of the immediate row still add up to 0 beside its total: one more
    // cell of that row (the smaller-or-first, "met") is hidden with them.
    assert_eq!(needs(&st, "met"), Cell::Suppressed);
}

#[test]
fn how_persons_identify_is_counted_and_small_groups_stay_hidden() {
    let (_tv, mut s) = TestVault::new();
    let person = |s: &mut Store, i: usize, gender: Option<&str>, indigenous: Option<&str>| {
        let mut p =
            f(&[("alias", json!(format!("P{i}"))), ("origin", json!("domestic")), ("intake_at", json!("2026-10-01T10:00:00-04:00"))]);
        if let Some(g) = gender {
            p.insert("gender".into(), json!(g));
        }
        if let Some(x) = indigenous {
            p.insert("indigenous".into(), json!(x));
        }
        s.write(|w| w.insert(Kind::Person, p)).unwrap();
    };
    // 30 women, 12 non-binary persons, 2 Two-Spirit persons, 9 with nothing recorded.
    for i in 0..30 {
        person(&mut s, i, Some("woman"), Some("not_indigenous"));
    }
    for i in 30..42 {
        person(&mut s, i, Some("non_binary"), Some("first_nations"));
    }
    for i in 42..44 {
        person(&mut s, i, Some("two_spirit"), Some("first_nations"));
    }
    for i in 44..53 {
        person(&mut s, i, None, None);
    }
    let st = stats::compute(&s, None, None, Lang::Fr, now()).unwrap();
    let table = |id: &str| st.tables.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("{id} missing"));
    let row = |t: &stats::Table, label: &str| t.rows.iter().position(|r| r.label == label).unwrap_or_else(|| panic!("{label} missing"));
    let g = table("persons_by_gender");
    assert_eq!(g.cells[row(g, "Femme")], vec![Cell::Count(30)]);
    assert_eq!(g.cells[row(g, "Personne non binaire")], vec![Cell::Count(12)]);
    // 2 and 9 are hidden; together (11) they hide each other, so nothing more needs to be.
    assert_eq!(g.cells[row(g, "Personne bispirituelle")], vec![Cell::Suppressed]);
    assert_eq!(g.cells[row(g, "Non inscrit")], vec![Cell::Suppressed]);
    assert_eq!(g.total, Some(Cell::Count(53)));
    let x = table("persons_by_indigenous");
    assert_eq!(x.cells[row(x, "Non autochtone")], vec![Cell::Count(30)]);
    assert_eq!(x.total, Some(Cell::Count(53)));
    // Nothing under 11 is published anywhere in the two tables.
    for t in [g, x] {
        for c in t.cells.iter().flatten() {
            assert!(!matches!(c, Cell::Count(n) if *n > 0 && *n < 11), "{}: {c:?}", t.id);
        }
    }
}

/// A person taken in on 2026-10-01, with what `more` adds to the case.
fn followed(s: &mut Store, alias: &str, more: impl FnOnce(&mut relais_core::vault::store::Writer<'_>, &str) -> relais_core::Result<()>) {
    s.write(|w| {
        let id = w.insert(
            Kind::Person,
            f(&[("alias", json!(alias)), ("origin", json!("domestic")), ("intake_at", json!("2026-10-01T10:00:00-04:00"))]),
        )?;
        more(w, &id)
    })
    .unwrap();
}

fn expense(w: &mut relais_core::vault::store::Writer<'_>, person: &str, fund: &str, dollars: &str) -> relais_core::Result<()> {
    w.insert(
        Kind::Expense,
        f(&[
            ("person_id", json!(person)),
            ("spent_on", json!("2026-11-20")),
            ("fund", json!(fund)),
            ("category", json!("taxi")),
            ("amount_cents", json!(dollars)),
        ]),
    )
    .map(drop)
}

#[test]
fn time_and_money_are_published_only_over_eleven_persons_and_never_left_to_subtraction() {
    let (_tv, mut s) = TestVault::new();
    for i in 0..12 {
        followed(&mut s, &format!("N{i}"), |w, id| {
            w.insert(
                Kind::Note,
                f(&[
                    ("person_id", json!(id)),
                    ("kind", json!("phone")),
                    ("at", json!("2026-11-15T10:00:00-05:00")),
                    ("text", json!("x")),
                    ("minutes", json!("1 h")),
                ]),
            )?;
            expense(w, id, "emergency", "100")
        });
    }
    for i in 0..3 {
        followed(&mut s, &format!("A{i}"), |w, id| {
            w.insert(
                Kind::Appointment,
                f(&[
                    ("person_id", json!(id)),
                    ("starts_at", json!("2026-11-16T09:00:00-05:00")),
                    ("kind", json!("court")),
                    ("status", json!("attended")),
                    ("accompaniment_minutes", json!("2 h")),
                ]),
            )?;
            expense(w, id, "organisation", "10")
        });
    }
    let sums = |st: &stats::Stats, id: &str| st.sums.iter().find(|g| g.id == id).cloned().unwrap();
    let row = |g: &stats::Sums, code: &str| g.rows.iter().find(|r| r.code == code).cloned().unwrap();
    let st = stats::compute(&s, None, None, Lang::Fr, relais_core::time::local_now()).unwrap();
    let time = sums(&st, "time_by_kind");
    // 15 persons followed, 12 of them with an intervention: the 12 beside the 15 would say that
    // 3 had none. The hours are published, their persons are not (« n.p. »).
    assert_eq!((row(&time, "intervention").value, row(&time, "intervention").persons), (Some(720), Cell::Withheld));
    // Eleven more persons followed, with no time recorded: 14 without, the 12 may be published.
    for i in 0..11 {
        followed(&mut s, &format!("Z{i}"), |_, _| Ok(()));
    }
    let st = stats::compute(&s, None, None, Lang::Fr, relais_core::time::local_now()).unwrap();
    let time = sums(&st, "time_by_kind");
    assert_eq!((row(&time, "intervention").value, row(&time, "intervention").persons), (Some(720), Cell::Count(12)));
    assert_eq!(row(&time, "intervention").text, "12,0\u{a0}h");
    // 3 persons' accompaniment is hidden, and so is the total it could be worked out from.
    assert_eq!((row(&time, "accompaniment").value, row(&time, "accompaniment").persons), (None, Cell::Suppressed));
    assert_eq!(time.total.value, None);
    // Nor the total's 15 persons: beside the published 12, it would say 3 had accompaniment only.
    assert_eq!(time.total.persons, Cell::Withheld);
    let money = sums(&st, "expenses_by_fund");
    assert_eq!(row(&money, "emergency").value, Some(120_000));
    assert_eq!(row(&money, "emergency").text, "1\u{a0}200,00\u{a0}$");
    assert_eq!(row(&money, "organisation").value, None, "2 persons' spending");
    assert_eq!(money.total.value, None, "the total minus the emergency fund would give it");
    // Nine more persons on another fund: the hidden rows now concern 12 persons together, so
    // the total may be published (it gives only their sum).
    for i in 0..9 {
        followed(&mut s, &format!("O{i}"), |w, id| expense(w, id, "other", "5"));
    }
    let st = stats::compute(&s, None, None, Lang::En, relais_core::time::local_now()).unwrap();
    let money = sums(&st, "expenses_by_fund");
    assert_eq!((row(&money, "other").value, row(&money, "organisation").value), (None, None));
    assert_eq!(money.total.value, Some(120_000 + 3_000 + 4_500));
    assert_eq!(money.total.text, "$1,275.00");
    // Closures by reason, with the count tables' rules.
    for i in 0..36 {
        let reason = if i < 25 { "relocated" } else { "lost_contact" };
        followed(&mut s, &format!("C{i}"), |w, id| relais_core::case::close_person(w, id, reason, None).map(drop));
    }
    let st = stats::compute(&s, None, None, Lang::En, relais_core::time::local_now()).unwrap();
    let closures = st.tables.iter().find(|t| t.id == "closures_by_reason").unwrap();
    let i = closures.rows.iter().position(|r| r.code == "relocated").unwrap();
    // The other reasons hold nothing (hidden, as every count under 11): lost_contact's 11 is
    // hidden with them so that the hidden cells add up to 11 or more.
    assert_eq!(closures.cells[i], vec![Cell::Count(25)]);
    assert_eq!(closures.total, Some(Cell::Count(36)));
}

/// Every sheet of an .xlsx as openpyxl reads it, in order: [name, rows of cell values].
const READ_XLSX: &str = r#"
import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(json.dumps([[ws.title, [list(r) for r in ws.iter_rows(values_only=True)]] for ws in wb.worksheets], default=str))
"#;

#[test]
fn the_workbook_holds_the_same_published_numbers_one_sheet_per_table() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Coordination"]);
    let mut s = tv.unlock();
    let planted = fill(&mut s, 25, 3);
    drop(s);
    let file = tv.tmp.path().join("stats.xlsx");
    tv.ok(&["stats", "--xlsx", "-o", file.to_str().unwrap(), "--now", "2026-12-03T09:00:00-05:00"]);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an Office Open XML zip");
    let python = std::env::var("RELAIS_TEST_PYTHON").expect("RELAIS_TEST_PYTHON: run `make test`");
    let out = std::process::Command::new(python).args(["-c", READ_XLSX]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sheets: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sheets: Vec<&serde_json::Value> = sheets.as_array().unwrap().iter().map(|s| &s[1]).collect();
    let v: serde_json::Value = serde_json::from_str(&tv.ok(&["--json", "stats", "--now", "2026-12-03T09:00:00-05:00"])).unwrap();
    let tables = v["tables"].as_array().unwrap();
    assert_eq!(sheets.len(), 1 + tables.len() + v["sums"].as_array().unwrap().len());
    let text = serde_json::to_string(&sheets).unwrap();
    for x in &planted {
        assert!(!text.contains(x.as_str()), "{x} in the workbook");
    }
    // Each table's cells, row by row, are the JSON's: counts as numbers, hidden ones as « < 11 ».
    for (k, t) in tables.iter().enumerate() {
        let rows = sheets[1 + k].as_array().unwrap();
        assert_eq!(rows[0][0], t["title"], "sheet {k} is table {k}");
        for (i, row) in t["cells"].as_array().unwrap().iter().enumerate() {
            let got = &rows[4 + i].as_array().unwrap()[1..=row.as_array().unwrap().len()];
            let want: Vec<serde_json::Value> =
                row.as_array().unwrap().iter().map(|c| if c.is_number() { json!(c.as_f64().unwrap() as i64) } else { c.clone() }).collect();
            assert_eq!(got, want.as_slice(), "{} row {i}", t["id"]);
            assert!(got.iter().all(|c| c != &json!(0)), "a hidden count is never written as zero");
        }
    }
    // The first table: 25 and 3 of 28 persons, both hidden, the total published.
    let origin = sheets[1].as_array().unwrap();
    assert_eq!(origin[4][1], json!("< 11"));
    assert!(origin.iter().any(|r| r.as_array().unwrap().contains(&json!(28))), "{origin:?}");
    let tmp: Vec<_> = std::fs::read_dir(tv.tmp.path().join("tmp")).unwrap().collect();
    assert!(tmp.is_empty(), "nothing written to the temp dir: {tmp:?}");
}

#[test]
fn the_pdf_report_reads_in_french_and_in_english() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Coordination", "--org", "Maison Test"]);
    let mut s = tv.unlock();
    let planted = fill(&mut s, 14, 12);
    drop(s);
    let dir = tempfile::tempdir().unwrap();
    for (lang, words) in [
        ("fr", ["Statistiques anonymes", "Besoins selon la phase et le statut actuel", "Personnes accueillies par mois", "1er avril 2026"]),
        ("en", ["Anonymous statistics", "Needs by phase and current status", "Persons taken in by month", "April 1, 2026"]),
    ] {
        let pdf = dir.path().join(format!("rapport-{lang}.pdf"));
        tv.ok(&[
            "--lang",
            lang,
            "stats",
            "--fiscal-year",
            "2026",
            "--pdf",
            "-o",
            pdf.to_str().unwrap(),
            "--now",
            "2026-12-03T09:00:00-05:00",
        ]);
        let out = std::process::Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().expect("pdftotext");
        let text = String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ");
        for w in words.iter().chain(&["Maison Test"]) {
            assert!(text.contains(w), "{lang}: {w} missing");
        }
        for x in &planted {
            assert!(!text.contains(x.as_str()), "{x} in the PDF");
        }
    }
    // The workbook's first sheet names the organisation too.
    let file = dir.path().join("stats.xlsx");
    tv.ok(&["stats", "--xlsx", "-o", file.to_str().unwrap(), "--now", "2026-12-03T09:00:00-05:00"]);
    let python = std::env::var("RELAIS_TEST_PYTHON").expect("RELAIS_TEST_PYTHON: run `make test`");
    let out = std::process::Command::new(python).args(["-c", READ_XLSX]).arg(&file).output().unwrap();
    let sheets: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sheets[0][1][3][0], json!("Maison Test"));
}
