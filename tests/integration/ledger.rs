//! The funder report and the coalition's needs ledger: the report's numbers are those an
//! independent count finds (SQL written here, not the report's code); ledgers from several
//! organisations add up and only then are suppressed; a signed but hostile member's ledger is
//! refused whole, and a ledger is never imported as cases.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use relais_core::exchange;
use relais_core::record::{Fields, Kind};
use relais_core::reports::stats::coalition as ledger;
use relais_core::reports::stats::{self, Cell, Ledger, count};
use relais_core::{Lang, Store};
use relais_tests::{TestVault, add_verified_contact};
use serde_json::{Value, json};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn table<'a>(l: &'a Ledger, id: &str) -> &'a count::Counts {
    l.tables.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("{id} missing"))
}

/// The ledger's count in `id` at (`row`, `col`) codes.
fn at(l: &Ledger, id: &str, row: &str, col: &str) -> u64 {
    let t = table(l, id);
    let i = t.rows.codes.iter().position(|c| c == row).unwrap_or_else(|| panic!("{id}: row {row}"));
    let j = t.columns.codes.iter().position(|c| c == col).unwrap_or_else(|| panic!("{id}: column {col}"));
    t.counts[i][j]
}

/// `SELECT code, n` as a map.
fn grouped(s: &Store, sql: &str, from: NaiveDate, to: NaiveDate) -> BTreeMap<String, i64> {
    let mut st = s.conn().prepare(sql).unwrap();
    let (from, to) = (from.to_string(), to.to_string());
    let params: Vec<(&str, &dyn rusqlite::ToSql)> =
        [(":from", &from as &dyn rusqlite::ToSql), (":to", &to)].into_iter().filter(|(k, _)| sql.contains(k)).collect();
    let rows = st
        .query_map(params.as_slice(), |r| {
            Ok((r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "not_recorded".into()), r.get::<_, i64>(1)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn the_ledger_read_from_the_fields_it_counts_is_the_ledger_of_whole_records() {
    let (_tv, mut s) = TestVault::new();
    relais_core::demo::fill(&mut s, 120, 5, d("2026-12-03"), &mut |_, _| {}).unwrap();
    for (from, to) in [(None, d("2026-12-03")), (Some(d("2026-04-01")), d("2027-03-31")), (Some(d("2025-04-01")), d("2026-03-31"))] {
        let fast = count::ledger(&s, from, to).unwrap();
        assert!(fast.followed() > 0 && !fast.days_to_first_service.is_empty(), "the demonstration counts something");
        assert_eq!(fast, count::ledger_of_whole_records(&s, from, to).unwrap(), "{from:?}..{to}");
    }
}

/// A visit of `minutes` minutes with `person`, on 30 November 2026; its id.
fn add_visit(s: &mut Store, person: &str, minutes: i64) -> String {
    let note: Fields = [
        ("person_id", json!(person)),
        ("kind", json!("visit")),
        ("at", json!("2026-11-30T15:00:00Z")),
        ("text", json!("…")),
        ("minutes", json!(minutes)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    s.write(|w| w.insert(Kind::Note, note)).unwrap()
}

#[test]
fn a_change_to_the_vault_is_counted_at_once() {
    // The ledger is remembered while the vault is unchanged: asked again, the same counts; after
    // a write (a note's time, a deletion), the new counts, those of every record read again.
    let (_tv, mut s) = TestVault::new();
    relais_core::demo::fill(&mut s, 40, 7, d("2026-12-03"), &mut |_, _| {}).unwrap();
    let to = d("2026-12-03");
    let minutes = |l: &Ledger| l.sums.iter().find(|g| g.id == "time_by_kind").unwrap().values[0];
    let first = count::ledger(&s, None, to).unwrap();
    assert_eq!(count::ledger(&s, None, to).unwrap(), first);
    let person = s.list_all(Kind::Person).unwrap()[0]["id"].as_str().unwrap().to_owned();
    let note = add_visit(&mut s, &person, 95);
    let added = count::ledger(&s, None, to).unwrap();
    assert_eq!(minutes(&added), minutes(&first) + 95, "the note's time is counted at once");
    assert_eq!(added, count::ledger_of_whole_records(&s, None, to).unwrap());
    // Another period is counted for itself, then the first one is still right.
    assert_ne!(count::ledger(&s, Some(d("2026-11-01")), to).unwrap(), added);
    assert_eq!(count::ledger(&s, None, to).unwrap(), added);
    s.write(|w| w.delete(Kind::Note, &note)).unwrap();
    assert_eq!(count::ledger(&s, None, to).unwrap(), first, "the deletion is counted at once");
}

#[test]
fn counted_ahead_on_a_snapshot_the_ledger_is_kept_only_if_nothing_changed_since() {
    // The window counts the statistics on a second, read-only connection just after the
    // unlock; the counts are kept only if the vault still stands where the snapshot was taken.
    let (tv, mut s) = TestVault::new();
    relais_core::demo::fill(&mut s, 30, 9, d("2026-12-03"), &mut |_, _| {}).unwrap();
    let key = relais_core::Vault::open(&tv.dir).unwrap().unwrap_key(&relais_core::secret::Passphrase::new(relais_tests::PASS)).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00-05:00").unwrap();
    let to = d("2026-12-03");

    let (mut snapshot, mark) = s.snapshot(&key).unwrap();
    assert!(snapshot.list_all(Kind::Person).unwrap().len() >= 30, "the snapshot reads the vault");
    let first = s.list_all(Kind::Person).unwrap()[0]["id"].as_str().unwrap().to_owned();
    let refused = snapshot.write(|w| w.delete(Kind::Person, &first));
    assert!(refused.is_err(), "nothing is written through a snapshot");
    let counted = stats::count_ahead(&snapshot, mark, None, None, now).unwrap();
    drop(snapshot);
    assert!(counted.offer(&s).unwrap(), "nothing changed: kept");
    assert_eq!(count::ledger(&s, None, to).unwrap(), count::ledger_of_whole_records(&s, None, to).unwrap());

    // A write after the snapshot: the counts of the snapshot are not this vault's any more.
    let (snapshot, mark) = s.snapshot(&key).unwrap();
    let person = s.list_all(Kind::Person).unwrap()[1]["id"].as_str().unwrap().to_owned();
    add_visit(&mut s, &person, 40);
    let stale = stats::count_ahead(&snapshot, mark, None, None, now).unwrap();
    drop(snapshot);
    assert!(!stale.offer(&s).unwrap(), "the vault changed: refused");
    let now_counted = count::ledger(&s, None, to).unwrap();
    assert_eq!(now_counted, count::ledger_of_whole_records(&s, None, to).unwrap(), "the note is counted");

    // Counts of another opening of the vault (locked, unlocked again) are not given to this one,
    // even when both openings changed nothing.
    drop(s);
    let vault = relais_core::Vault::open(&tv.dir).unwrap();
    let before = vault.unlock_with_key(&key).unwrap();
    let (snapshot, mark) = before.snapshot(&key).unwrap();
    let other = stats::count_ahead(&snapshot, mark, None, None, now).unwrap();
    drop((snapshot, before));
    let reopened = vault.unlock_with_key(&key).unwrap();
    assert!(!other.offer(&reopened).unwrap(), "another connection: refused");
}

const FOLLOWED: &str = "substr(p.intake_at, 1, 10) <= :to AND (p.closed_on IS NULL OR p.closed_on >= :from)";

#[test]
fn the_period_report_counts_what_an_independent_count_finds() {
    let (_tv, mut s) = TestVault::new();
    relais_core::demo::fill(&mut s, 90, 11, d("2026-12-03"), &mut |_, _| {}).unwrap();
    let (from, to) = stats::fiscal_year(d("2026-12-03"));
    assert_eq!((from, to), (d("2026-04-01"), d("2027-03-31")), "the fiscal year runs 1 April to 31 March");
    // Asked mid-year, the report stops at today: no month to come counts every open case.
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00-05:00").unwrap();
    let published = stats::compute(&s, Some(from), Some(to), Lang::Fr, now).unwrap();
    assert_eq!(published.to, d("2026-12-03"));
    assert_eq!(published.tables.iter().find(|t| t.id == "intakes_by_month").unwrap().rows.last().unwrap().code, "2026-12");
    let l = count::ledger(&s, Some(from), to).unwrap();
    let n = |sql: &str| grouped(&s, sql, from, to);

    // Persons followed, new and continuing.
    let persons = n(&format!(
        "SELECT CASE WHEN substr(p.intake_at, 1, 10) >= :from THEN 'new' ELSE 'continuing' END, count(*) FROM persons p WHERE {FOLLOWED} GROUP BY 1"
    ));
    assert!(persons["new"] > 0 && persons["continuing"] > 0, "the demonstration has both: {persons:?}");
    for (code, want) in &persons {
        assert_eq!(at(&l, "persons_new_continuing", code, "count") as i64, *want, "{code}");
    }
    // Age at intake, computed here from the two dates.
    let mut bands: BTreeMap<&str, u64> = BTreeMap::new();
    let mut st = s.conn().prepare(&format!("SELECT p.birth_date, substr(p.intake_at, 1, 10) FROM persons p WHERE {FOLLOWED}")).unwrap();
    let rows = st
        .query_map(rusqlite::named_params! {":from": from.to_string(), ":to": to.to_string()}, |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
        })
        .unwrap();
    for row in rows {
        let (birth, intake) = row.unwrap();
        let band = birth.map_or("not_recorded", |b| {
            let (b, i) = (d(&b), d(&intake));
            let age = i.year() - b.year() - i32::from((i.month(), i.day()) < (b.month(), b.day()));
            match age {
                ..18 => "under_18",
                18..25 => "18_24",
                25..35 => "25_34",
                35..45 => "35_44",
                45..65 => "45_64",
                _ => "65_plus",
            }
        });
        *bands.entry(band).or_default() += 1;
    }
    assert!(bands.len() >= 3, "{bands:?}");
    for (band, want) in &bands {
        assert_eq!(at(&l, "persons_by_age_band", band, "count"), *want, "age band {band}");
    }
    // Region and referral source: the text typed, recognised, never published.
    let montreal = n(&format!("SELECT 'montreal', count(*) FROM persons p WHERE {FOLLOWED} AND p.region = 'Montréal'"));
    assert_eq!(at(&l, "persons_by_region", "montreal", "count") as i64, montreal["montreal"]);
    let hotline = n(&format!("SELECT 'hotline', count(*) FROM persons p WHERE {FOLLOWED} AND p.referral_source LIKE 'Ligne d''écoute%'"));
    assert!(hotline["hotline"] > 0);
    assert_eq!(at(&l, "persons_by_referral_source", "hotline", "count") as i64, hotline["hotline"]);
    // Needs by phase and status, the unmet ones among them.
    let needs = n(&format!(
        "SELECT x.phase || '/' || x.status, count(*) FROM needs x JOIN persons p ON p.id = x.person_id
         WHERE {FOLLOWED} AND (x.identified_on IS NULL OR x.identified_on <= :to) GROUP BY 1"
    ));
    assert!(needs.keys().any(|k| k.ends_with("/unmet")));
    for (k, want) in &needs {
        let (phase, status) = k.split_once('/').unwrap();
        assert_eq!(at(&l, "needs_by_phase_status", phase, status) as i64, *want, "needs {k}");
    }
    // Testimonial aids granted in the period, IVAC applications by status.
    let aids = n(&format!(
        "SELECT a.code, count(*) FROM testimonial_aids a JOIN proceedings c ON c.id = a.proceeding_id JOIN persons p ON p.id = c.person_id
         WHERE {FOLLOWED} AND a.status = 'granted' AND a.decided_on BETWEEN :from AND :to GROUP BY 1"
    ));
    assert!(!aids.is_empty());
    for (code, want) in &aids {
        assert_eq!(at(&l, "aids_granted", code, "count") as i64, *want, "aid {code}");
    }
    let ivac = n(&format!(
        "SELECT x.ivac_status, count(*) FROM deadlines x JOIN persons p ON p.id = x.person_id
         WHERE {FOLLOWED} AND x.kind = 'ivac_application' GROUP BY 1"
    ));
    assert!(ivac.len() >= 3, "{ivac:?}");
    for (code, want) in &ivac {
        assert_eq!(at(&l, "ivac_by_status", code, "count") as i64, *want, "IVAC {code}");
    }
    // Permits by outcome (the demonstration records temporary resident permits).
    let permits = n(&format!(
        "SELECT x.permit_status, count(*) FROM deadlines x JOIN persons p ON p.id = x.person_id
         WHERE {FOLLOWED} AND x.kind = 'trp_expiry' AND (x.due_on IS NULL OR x.due_on >= :from) GROUP BY 1"
    ));
    assert!(permits.len() >= 3, "{permits:?}");
    for (code, want) in &permits {
        assert_eq!(at(&l, "permits_by_status", "trp_expiry", code) as i64, *want, "permit {code}");
    }
    // Hours of intervention by kind of note.
    let minutes = n(&format!(
        "SELECT x.kind, sum(x.minutes) FROM notes x JOIN persons p ON p.id = x.person_id
         WHERE {FOLLOWED} AND x.minutes > 0 AND substr(x.at, 1, 10) BETWEEN :from AND :to GROUP BY 1"
    ));
    let g = l.sums.iter().find(|g| g.id == "interventions_by_kind").unwrap();
    for (kind, want) in &minutes {
        let i = g.rows.codes.iter().position(|c| c == kind).unwrap();
        assert_eq!(g.values[i], *want, "minutes of {kind}");
    }
    // Persons taken in, month by month: the detail of the new persons.
    let by_month = n(&format!(
        "SELECT substr(p.intake_at, 1, 7), count(*) FROM persons p WHERE {FOLLOWED} AND substr(p.intake_at, 1, 10) >= :from GROUP BY 1"
    ));
    assert!(by_month.len() >= 6, "{by_month:?}");
    for (month, want) in &by_month {
        assert_eq!(at(&l, "intakes_by_month", month, "count") as i64, *want, "intakes of {month}");
    }
    assert_eq!(by_month.values().sum::<i64>(), persons["new"]);
    assert_eq!(table(&l, "intakes_by_month").rows.codes.len(), 12, "one row per month of the fiscal year");

    // What is published is the count itself, or hidden; never another number.
    let published = stats::publish(&l, Lang::Fr, "Maison Test");
    for (t, raw) in published.tables.iter().zip(&l.tables) {
        for (i, row) in t.cells.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                if let Cell::Count(v) = c {
                    assert_eq!(*v, raw.counts[i][j], "{} [{i}][{j}]", t.id);
                    assert!(*v >= 11);
                }
            }
        }
    }
    assert!(published.period.contains("1er avril 2026") && published.period.contains("31 mars 2027"), "{}", published.period);
}

/// Three organisations, each with `per_origin` persons of each origin taken in this autumn.
fn organisation(name: &str, per_origin: usize) -> (TestVault, Store) {
    let (tv, mut s) = TestVault::new();
    s.conn().execute("UPDATE vault_meta SET value = ?1 WHERE key IN ('owner_name', 'owner_org')", [name]).unwrap();
    s.write(|w| {
        for origin in ["domestic", "international"] {
            for i in 0..per_origin {
                let f: Fields = [
                    ("alias", json!(format!("CANARY-{name}-{origin}-{i}"))),
                    ("origin", json!(origin)),
                    ("intake_at", json!("2026-10-01T15:00:00Z")),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
                w.insert(Kind::Person, f)?;
            }
        }
        Ok(())
    })
    .unwrap();
    (tv, s)
}

/// `member` in the coordinator's contact book, verified, with its organisation (as its card
/// names it): a merge counts organisations.
fn member_of(coord: &mut Store, member: &Store) {
    let id = add_verified_contact(coord, member);
    let org = exchange::identity::show(member).unwrap().org;
    coord.conn().execute("UPDATE contacts SET org = ?1 WHERE id = ?2", [&org, &id]).unwrap();
}

fn origin_cells(st: &stats::Stats) -> Vec<Cell> {
    st.tables.iter().find(|t| t.id == "persons_by_origin").unwrap().cells.iter().map(|r| r[0]).collect()
}

#[test]
fn ledgers_add_up_before_anything_is_hidden() {
    let (from, to) = (d("2026-04-01"), d("2027-03-31"));
    let (_tc, mut coord) = TestVault::new();
    let mut members = Vec::new();
    for name in ["Org A", "Org B", "Org C", "Org D"] {
        let (tv, mut s) = organisation(name, 6);
        let to_coord = add_verified_contact(&mut s, &coord);
        member_of(&mut coord, &s);
        members.push((tv, s, to_coord));
    }
    // Alone, each organisation publishes nothing of its 6 + 6.
    let alone = stats::compute(&members[0].1, Some(from), Some(to), Lang::Fr, relais_core::time::local_now()).unwrap();
    assert_eq!(origin_cells(&alone), [Cell::Suppressed, Cell::Suppressed]);
    let mut files = Vec::new();
    for (_, s, to_coord) in members.iter_mut() {
        let (bytes, manifest, to) = ledger::export(s, to_coord, from, to).unwrap();
        ledger::commit_export(s, &manifest, from, to).unwrap();
        // The file names nobody: no alias, no id, in clear or in the ciphertext.
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("CANARY"));
        files.push(bytes);
    }
    let received: Vec<_> = files[..3].iter().map(|b| ledger::open_ledger(&coord, b).unwrap()).collect();
    // Nothing in a received ledger but counts: no person's id, no alias.
    let json = serde_json::to_string(&received[0].ledger).unwrap();
    assert!(!json.contains("CANARY"));
    for p in members[0].1.list_all(Kind::Person).unwrap() {
        assert!(!json.contains(p["id"].as_str().unwrap()));
    }
    let merged = ledger::merge(&mut coord, &received, false).unwrap();
    assert_eq!(merged.organisations, 3);
    assert_eq!(at(&merged, "persons_by_origin", "domestic", "count"), 18);
    let published = stats::publish(&merged, Lang::En, "Coalition");
    // 18 and 18 are publishable once added up: even the largest member, taking its own 6 away,
    // is left with 12 it does not know.
    assert_eq!(origin_cells(&published), [Cell::Count(18), Cell::Count(18)], "18 and 18 are publishable once added up");
    assert!(published.title.contains("3 organisations"), "{}", published.title);
    // Every table of the merge is exactly the sum of the three.
    for (k, t) in merged.tables.iter().enumerate() {
        for (i, row) in t.counts.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let sum: u64 = received.iter().map(|r| r.ledger.tables[k].counts[i][j]).sum();
                assert_eq!(*v, sum, "{} [{i}][{j}]", t.id);
            }
        }
    }
    let trail =
        coord.conn().query_row("SELECT count(*) FROM audit_events WHERE action = 'ledger.merge'", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(trail, 1, "the merge is in the coordinator's trail");
    let sent = members[0]
        .1
        .conn()
        .query_row("SELECT count(*) FROM audit_events WHERE action = 'ledger.sent'", [], |r| r.get::<_, i64>(0))
        .unwrap();
    assert_eq!(sent, 1, "the export is in the member's trail");

    // Two organisations: one could subtract its own counts and read the other's.
    let e = ledger::merge(&mut coord, &received[..2], false).unwrap_err();
    assert_eq!(e.code(), "LedgerTooFew");
    // The same organisation twice would count twice.
    let twice = [received[0].clone(), received[1].clone(), ledger::open_ledger(&coord, &files[0]).unwrap()];
    assert_eq!(ledger::merge(&mut coord, &twice, false).unwrap_err().code(), "LedgerDuplicateSender");
    // Another period.
    let (other, _, _) = ledger::export(&members[3].1, &members[3].2, d("2025-04-01"), d("2026-03-31")).unwrap();
    let mixed = [received[0].clone(), received[1].clone(), ledger::open_ledger(&coord, &other).unwrap()];
    assert_eq!(ledger::merge(&mut coord, &mixed, false).unwrap_err().code(), "LedgerPeriods");
    // A ledger is never imported as cases, and importing one changes nothing.
    let before = relais_tests::dump_vault(&coord);
    let o = exchange::open(&coord, &files[3], false).unwrap();
    assert_eq!(exchange::apply(&mut coord, &o, &mut |_, _| {}).unwrap_err().code(), "LedgerNotImported");
    assert_eq!(exchange::preview(&coord, &o).unwrap_err().code(), "LedgerNotImported");
    assert_eq!(relais_tests::dump_vault(&coord), before);
}

/// A ledger bundle signed with `signer`'s real keys around any `ledger` JSON: what a member who
/// holds a valid key can send.
fn forged(signer: &Store, to: &Store, ledger: Value) -> Vec<u8> {
    relais_tests::signed_by(signer, to, "0193a000-0000-7000-8000-000000000001", "ledger", &json!({"records": {}, "ledger": ledger}))
}

#[test]
fn a_hostile_members_ledger_is_refused_whole() {
    let (from, to) = (d("2026-04-01"), d("2027-03-31"));
    let (_tc, mut coord) = TestVault::new();
    let (_tm, mut member) = organisation("Org M", 3);
    add_verified_contact(&mut member, &coord);
    member_of(&mut coord, &member);
    let honest = serde_json::to_value(count::ledger(&member, Some(from), to).unwrap()).unwrap();
    // The honest ledger, signed by hand, opens: the forgeries below differ from it by one thing.
    ledger::open_ledger(&coord, &forged(&member, &coord, honest.clone())).unwrap();
    type Forgery<'a> = (&'a str, Box<dyn Fn(&mut Value)>);
    let cases: Vec<Forgery> = vec![
        ("a date chrono reads but no calendar holds", Box::new(|l| l["from"] = json!("+262142-12-01"))),
        (
            "no start, an end far away",
            Box::new(|l| {
                l["from"] = Value::Null;
                l["to"] = json!("+262142-12-31");
            }),
        ),
        ("a name where a heading goes", Box::new(|l| l["tables"][0]["rows"]["codes"][0] = json!("Marie Tremblay"))),
        (
            "a table of its own",
            Box::new(|l| {
                let mut extra = l["tables"][0].clone();
                extra["id"] = json!("persons_by_name");
                l["tables"].as_array_mut().unwrap().push(extra);
            }),
        ),
        ("a count beyond any organisation", Box::new(|l| l["tables"][0]["counts"][0][0] = json!(u64::MAX))),
        ("a negative sum", Box::new(|l| l["sums"][0]["values"][0] = json!(-600))),
        ("a share in a row that does not exist", Box::new(|l| l["sums"][0]["persons"] = json!({"4": 2}))),
        ("posing as a merge of many", Box::new(|l| l["organisations"] = json!(40))),
        ("an older format", Box::new(|l| l["format"] = json!(1))),
        ("an unknown field", Box::new(|l| l["aliases"] = json!(["Colibri"]))),
        ("a delay of a thousand years", Box::new(|l| l["days_to_first_service"] = json!({"365000": 1}))),
        // Each table within bounds, but not the same persons: published together, the
        // difference between two tables would be a number no table holds.
        (
            "intakes by month that do not add up to the new persons",
            Box::new(|l| {
                let t = l["tables"].as_array_mut().unwrap().iter_mut().find(|t| t["id"] == "intakes_by_month").unwrap();
                let n = t["counts"][1][0].as_u64().unwrap();
                t["counts"][1][0] = json!(n + 5);
            }),
        ),
        (
            "a table of persons with more persons than the others",
            Box::new(|l| {
                let t = l["tables"].as_array_mut().unwrap().iter_mut().find(|t| t["id"] == "persons_by_gender").unwrap();
                t["counts"][0][0] = json!(t["counts"][0][0].as_u64().unwrap() + 1);
            }),
        ),
        ("a sum concerning more persons than were followed", Box::new(|l| l["sums"][0]["persons"] = json!({"1": 100_000}))),
        ("more persons served than taken in", Box::new(|l| l["days_to_first_service"] = json!({"3": 100_000}))),
    ];
    for (what, change) in cases {
        let mut l = honest.clone();
        change(&mut l);
        let e = ledger::open_ledger(&coord, &forged(&member, &coord, l)).expect_err(what);
        assert!(["InvalidLedger", "MalformedBundle"].contains(&e.code()), "{what}: {}", e.code());
        assert!(!e.message(Lang::Fr).is_empty());
    }
}

/// Two vaults of one partner are one organisation: their ledgers are added up before the merge
/// counts members. Counted as two, the partner with 40 + 12 persons could take its own 52 from a
/// merge of "three" and read the third's 3 and 8 whole. Organisations are compared as their
/// names in the coordinator's contact book, without case, accents or punctuation; a contact
/// that names none is refused.
#[test]
fn two_vaults_of_one_partner_count_as_one_organisation() {
    let (from, to) = (d("2026-04-01"), d("2027-03-31"));
    let (_tc, mut coord) = TestVault::new();
    let mut open = |name: &str, org: &str, per_origin: usize| {
        let (tv, mut s) = organisation(name, per_origin);
        s.conn().execute("UPDATE vault_meta SET value = ?1 WHERE key = 'owner_org'", [org]).unwrap();
        let to_coord = add_verified_contact(&mut s, &coord);
        member_of(&mut coord, &s);
        let (bytes, _, _) = ledger::export(&s, &to_coord, from, to).unwrap();
        drop((tv, s));
        bytes
    };
    let files = [
        open("Xavière", "Maison L'Escale", 40),
        open("Xénia", "MAISON L ESCALE", 12),
        open("Yara", "Le Phare", 3),
        open("Zoé", "Clinique Nord", 11),
        open("Anonyme", "", 11),
    ];
    let received: Vec<_> = files.iter().map(|b| ledger::open_ledger(&coord, b).unwrap()).collect();
    let e = ledger::merge(&mut coord, &received[..3], false).unwrap_err();
    assert!(matches!(e, relais_core::Error::LedgerTooFew { found: 2, .. }), "{e:?}");
    let merged = ledger::merge(&mut coord, &received[..4], false).unwrap();
    assert_eq!(merged.organisations, 3);
    assert_eq!(merged.parts.len(), 3);
    assert_eq!(at(&merged, "persons_by_origin", "domestic", "count"), 40 + 12 + 3 + 11);
    let e = ledger::merge(&mut coord, &received, false).unwrap_err();
    assert!(matches!(&e, relais_core::Error::LedgerNoOrganisation { name } if name == "Anonyme"), "{e:?}");
    assert!(e.message(Lang::Fr).contains("ne nomme aucun organisme"), "{}", e.message(Lang::Fr));
}

/// A ledger or a team report is parsed into a tree several times its size: only in a bundle of
/// its kind, under a size no real one comes near. Any contact can drop a file in the inbox, and
/// the inbox is read at every unlock: before, a share carrying a `ledger` of hundreds of
/// megabytes was parsed whole at opening, and refused only at import.
#[test]
fn a_ledger_or_a_report_is_read_only_in_its_own_kind_and_size() {
    let (_tc, mut coord) = TestVault::new();
    let (_tm, mut member) = organisation("Org M", 1);
    add_verified_contact(&mut member, &coord);
    member_of(&mut coord, &member);
    let id = "0193a000-0000-7000-8000-000000000002";
    let open = |kind: &str, content: Value| {
        exchange::open(&coord, &relais_tests::signed_by(&member, &coord, id, kind, &content), true)
            .map(|_| ())
            .map_err(|e| e.message(Lang::En))
    };
    let big = json!({"pad": "0".repeat(5 << 20)});
    for (kind, content, field) in [
        ("share", json!({"records": {}, "ledger": {}}), "content.ledger"),
        ("receipt", json!({"records": {}, "ledger": {}}), "content.ledger"),
        ("report", json!({"records": {}, "ledger": {}}), "content.ledger"),
        ("share", json!({"records": {}, "report": {}}), "content.report"),
        ("ledger", json!({"records": {}, "report": {}}), "content.report"),
        ("ledger", json!({"records": {}, "ledger": big}), "content.ledger"),
    ] {
        let e = open(kind, content).expect_err(kind);
        assert!(e.contains(field), "{kind}: {e}");
    }
    // Of its kind and size, a ledger is read (and checked by the reports room).
    assert!(open("ledger", json!({"records": {}, "ledger": {}})).is_ok());
}

/// Merged ledgers as published, from three organisations' `persons_by_origin` counts.
fn merged_origins(orgs: [[u64; 2]; 3]) -> Vec<Cell> {
    let (from, to) = (Some(d("2026-04-01")), d("2026-11-30"));
    let ledgers: Vec<Ledger> = orgs
        .iter()
        .map(|[domestic, international]| {
            let mut l = count::empty(from, to);
            let t = l.tables.iter_mut().find(|t| t.id == "persons_by_origin").unwrap();
            t.counts = vec![vec![*domestic], vec![*international]];
            // The other tables of persons count the same persons (all « continuing », none
            // recorded), or the ledger is refused as disagreeing with itself.
            for t in l.tables.iter_mut().filter(|t| count::PERSONS_TABLES.contains(&t.id.as_str()) && t.id != "persons_by_origin") {
                t.counts.last_mut().unwrap()[0] = domestic + international;
            }
            l
        })
        .collect();
    origin_cells(&stats::publish(&Ledger::merge(&ledgers).unwrap(), Lang::En, "Coalition"))
}

#[test]
fn no_member_reads_another_members_small_count_by_subtracting_its_own() {
    // 40 + 2 + 0 domestic: publishing 42 would tell the first organisation that the others had 2.
    assert_eq!(merged_origins([[40, 30], [2, 0], [0, 0]])[0], Cell::Suppressed);
    // A member padding every cell with 11 to have everything published learns nothing under 11
    // either: once its own share is taken away, 2 + 3 is still small.
    assert_eq!(merged_origins([[11, 11], [2, 20], [3, 20]])[0], Cell::Suppressed);
    // Enough from the others: published.
    assert_eq!(merged_origins([[11, 11], [6, 20], [6, 20]]), [Cell::Count(23), Cell::Count(51)]);
}
