//! The agenda outside the dashboard: which reminders fall in a span of time and what the desktop
//! says of them (no one named unless chosen), and the calendar file read back by a standard
//! iCalendar parser (PyPI's `icalendar`, installed by `make test` into the tests' venv).

use chrono::{DateTime, FixedOffset};
use relais_core::Lang;
use relais_core::record::{Fields, Kind};
use relais_core::reports::agenda::{self, ReminderKind};
use relais_tests::TestVault;
use serde_json::{Value, json};

fn f(pairs: &[(&str, Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// Colibri (open) with a planned appointment at 14:30 (a court one), one attended, one at 17:00,
/// a deadline, a court date and a referral follow-up on 2026-12-03; Héron (closed) with an
/// appointment at 14:30 too.
fn vault() -> (TestVault, relais_core::Store, String) {
    let (tv, mut s) = TestVault::new();
    let p = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Colibri")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    let q = s.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Héron")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    s.write(|w| {
        let appt = |w: &mut relais_core::vault::store::Writer<'_>, person: &str, starts: &str, kind: &str, status: &str| {
            w.insert(
                Kind::Appointment,
                f(&[
                    ("person_id", json!(person)),
                    ("starts_at", json!(starts)),
                    ("kind", json!(kind)),
                    ("status", json!(status)),
                    ("place", json!("Palais de justice, salle 4.07")),
                ]),
            )
        };
        appt(w, &p, "2026-12-03T14:30:00-05:00", "court", "planned")?;
        appt(w, &p, "2026-12-03T14:40:00-05:00", "health", "attended")?;
        appt(w, &p, "2026-12-03T17:00:00-05:00", "health", "planned")?;
        appt(w, &q, "2026-12-03T14:30:00-05:00", "health", "planned")?;
        w.insert(Kind::Deadline, f(&[("person_id", json!(p)), ("kind", json!("ivac_application")), ("due_on", json!("2026-12-03"))]))?;
        w.insert(Kind::Deadline, f(&[("person_id", json!(p)), ("kind", json!("trp_expiry")), ("due_on", json!("2026-12-20"))]))?;
        let c = w.insert(Kind::Proceeding, f(&[("person_id", json!(p)), ("court", json!("Cour du Québec"))]))?;
        w.insert(Kind::Milestone, f(&[("proceeding_id", json!(c)), ("code", json!("first_appearance")), ("due_on", json!("2026-12-03"))]))?;
        let org = w.insert(Kind::Organisation, f(&[("name", json!("Maison L'Escale"))]))?;
        w.insert(Kind::Referral, f(&[("person_id", json!(p)), ("org_id", json!(org)), ("follow_up_on", json!("2026-12-03"))]))?;
        Ok(())
    })
    .unwrap();
    s.write(|w| relais_core::case::close_person(w, &q, "relocated", None)).unwrap();
    (tv, s, p)
}

#[test]
fn reminders_fall_when_they_should_and_name_no_one_by_default() {
    let (_tv, s, p) = vault();
    // 14:00: the court appointment's half hour before; the closed case's is not recalled, the
    // attended one neither, the one at 17:00 not yet.
    let due = agenda::between(&s, at("2026-12-03T13:59:30-05:00"), at("2026-12-03T14:00:30-05:00"), 30).unwrap();
    assert_eq!(due.iter().map(|r| (r.kind, r.person_id.as_str())).collect::<Vec<_>>(), [(ReminderKind::Appointment, p.as_str())]);
    // The same span half a minute later misses it: each reminder falls in one span only.
    assert!(agenda::between(&s, at("2026-12-03T14:00:30-05:00"), at("2026-12-03T14:01:00-05:00"), 30).unwrap().is_empty());
    let n = agenda::notifications(&due, at("2026-12-03T14:00:00-05:00"), Lang::Fr, false);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].title.as_str(), n[0].body.as_str()), ("Rendez-vous dans 30\u{a0}min", "À 14\u{a0}h\u{a0}30"));
    assert_eq!(n[0].person_id.as_deref(), Some(p.as_str()), "a click opens her case");
    let named = agenda::notifications(&due, at("2026-12-03T14:00:00-05:00"), Lang::En, true);
    assert_eq!((named[0].title.as_str(), named[0].body.as_str()), ("Appointment in 30 min", "Colibri, at 2:30\u{a0}p.m."));

    // The morning: the court date, the deadline and the follow-up of the day, at 8 h.
    let morning = agenda::between(&s, at("2026-12-03T07:59:00-05:00"), at("2026-12-03T08:01:00-05:00"), 30).unwrap();
    let kinds: Vec<ReminderKind> = morning.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ReminderKind::Court, ReminderKind::Deadline, ReminderKind::FollowUp]);
    let n = agenda::notifications(&morning, at("2026-12-03T08:00:00-05:00"), Lang::Fr, false);
    let titles: Vec<&str> = n.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["1 date de cour aujourd'hui", "1 échéance aujourd'hui", "1 référence à relancer aujourd'hui"]);
    assert!(n.iter().all(|n| !n.title.contains("Colibri") && !n.body.contains("Colibri")), "{n:?}");

    // Due now: an appointment within the half hour, whenever it was added; the day's items
    // from 8 h on, not before.
    let now = agenda::due_at(&s, at("2026-12-03T14:10:00-05:00"), 30).unwrap();
    let kinds: Vec<ReminderKind> = now.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ReminderKind::Appointment, ReminderKind::Court, ReminderKind::Deadline, ReminderKind::FollowUp]);
    assert_eq!(agenda::notifications(&now, at("2026-12-03T14:10:00-05:00"), Lang::Fr, false)[0].title, "Rendez-vous dans 20\u{a0}min");
    let early = agenda::due_at(&s, at("2026-12-03T07:30:00-05:00"), 30).unwrap();
    assert!(early.is_empty(), "{early:?}");
    assert!(
        agenda::due_at(&s, at("2026-12-03T14:31:00-05:00"), 30).unwrap().iter().all(|r| r.kind != ReminderKind::Appointment),
        "started: no more"
    );

    // A vault locked all day: everything it would have said, in order (the missed reminders).
    let missed = agenda::between(&s, at("2026-12-03T07:00:00-05:00"), at("2026-12-03T18:00:00-05:00"), 30).unwrap();
    assert_eq!(missed.len(), 5, "{missed:?}");
    assert!(missed.windows(2).all(|w| w[0].fires_at <= w[1].fires_at));
}

fn python() -> String {
    std::env::var("RELAIS_TEST_PYTHON").unwrap_or_else(|_| panic!("RELAIS_TEST_PYTHON is not set: run `make test`"))
}

/// The events of an .ics file as a standard parser reads them: (summary, start, location).
const PARSE: &str = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = []
for ev in cal.walk('VEVENT'):
    out.append([str(ev.get('SUMMARY')), ev.decoded('DTSTART').isoformat(), str(ev.get('LOCATION')) if ev.get('LOCATION') else None])
print(json.dumps(out))
"#;

fn parse(file: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let out = std::process::Command::new(python()).args(["-c", PARSE]).arg(file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_calendar_file_parses_and_says_neither_who_nor_where_unless_asked() {
    let (tv, s, _p) = vault();
    drop(s);
    let file = tv.tmp.path().join("agenda.ics");
    let said = tv.ok(&["calendar", "-o", file.to_str().unwrap(), "--from", "2026-12-01", "--to", "2026-12-31"]);
    assert!(said.contains("5 événements") && said.contains("PAS chiffré"), "{said}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("Colibri") && !text.contains("Héron") && !text.contains("Palais"), "no alias, no place:\n{text}");
    let mut events = parse(&file);
    events.sort();
    assert_eq!(
        events,
        [
            ("Accompagnement à la cour".to_owned(), "2026-12-03T19:30:00+00:00".to_owned(), None),
            ("Date de cour".to_owned(), "2026-12-03".to_owned(), None),
            ("Rendez-vous".to_owned(), "2026-12-03T22:00:00+00:00".to_owned(), None),
            ("Échéance".to_owned(), "2026-12-03".to_owned(), None),
            ("Échéance".to_owned(), "2026-12-20".to_owned(), None),
        ],
        "the planned appointments, the court date and the deadline still to do; nothing of the closed case"
    );
    tv.ok(&["calendar", "-o", file.to_str().unwrap(), "--from", "2026-12-01", "--to", "2026-12-31", "--with-alias", "--with-place"]);
    let events = parse(&file);
    assert!(
        events.iter().any(|(s, _, l)| s == "Accompagnement à la cour — Colibri" && l.as_deref() == Some("Palais de justice, salle 4.07")),
        "{events:?}"
    );
    let s = tv.unlock();
    assert_eq!(relais_tests::audit_actions(&s).last().map(String::as_str), Some("calendar.export"), "what left the vault is recorded");
    drop(s);
    // English titles.
    let out = tv
        .cmd()
        .env("RELAIS_LANG", "en")
        .args(["calendar", "-o", file.to_str().unwrap(), "--from", "2026-12-01", "--to", "2026-12-31"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(parse(&file).iter().any(|(s, _, _)| s == "Court accompaniment"));
}

/// A place or an alias is text a colleague may have sent: whatever line breaks it holds (a lone
/// CR, which `icalendar` leaves as it is and ical4j ends a line at; U+2028), it stays inside
/// its own property and adds no event.
#[test]
fn line_breaks_in_a_place_or_an_alias_stay_inside_their_event() {
    let (tv, mut s, p) = vault();
    let forged = "Clinique\rEND:VEVENT\rBEGIN:VEVENT\rDTSTART:20261204T090000Z\rSUMMARY:Cour annulée\u{2028}BEGIN:VALARM\u{1b}[2K";
    let appointment: String =
        s.conn().query_row("SELECT id FROM appointments WHERE person_id = ?1 AND kind = 'court'", [&p], |r| r.get(0)).unwrap();
    s.write(|w| w.update(Kind::Appointment, &appointment, f(&[("place", json!(forged))]))).unwrap();
    s.write(|w| w.update(Kind::Person, &p, f(&[("alias", json!("Colibri\r\nEND:VEVENT\rX"))]))).unwrap();
    drop(s);
    let file = tv.tmp.path().join("agenda.ics");
    tv.ok(&["calendar", "-o", file.to_str().unwrap(), "--from", "2026-12-01", "--to", "2026-12-31", "--with-alias", "--with-place"]);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines.iter().all(|l| !l.contains(['\r', '\n', '\u{2028}', '\u{1b}'])), "only CRLF ends a line:\n{text:?}");
    assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 5, "{text}");
    let events = parse(&file);
    assert_eq!(events.len(), 5, "{events:?}");
    let court = events.iter().find(|(_, start, _)| start == "2026-12-03T19:30:00+00:00").expect("the court appointment");
    assert_eq!(court.0, "Accompagnement à la cour — Colibri\nEND:VEVENT\nX");
    assert_eq!(
        court.2.as_deref(),
        Some("Clinique\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20261204T090000Z\nSUMMARY:Cour annulée\nBEGIN:VALARM [2K")
    );
}

#[test]
fn my_day_prints_on_one_page_with_times_places_and_safe_contact_flags() {
    let (tv, mut s, p) = vault();
    s.write(|w| w.update(Kind::Person, &p, f(&[("safe_to_call", json!(false)), ("safe_to_text", json!(true))]))).unwrap();
    s.write(|w| {
        w.insert(Kind::Task, f(&[("person_id", json!(p)), ("title", json!("Rappeler l'avocate")), ("due_on", json!("2026-12-02"))]))
    })
    .unwrap();
    // A long list of late tasks still prints on one page, ending with how many more.
    for i in 0..25 {
        s.write(|w| w.insert(Kind::Task, f(&[("title", json!(format!("Tâche en retard {i:02}"))), ("due_on", json!("2026-12-03"))])))
            .unwrap();
    }
    drop(s);
    let pdf = tv.tmp.path().join("journee.pdf");
    let said = tv.ok(&["day", "--day", "2026-12-03", "-o", pdf.to_str().unwrap()]);
    assert!(said.contains("pas chiffré"), "{said}");
    let info = std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "one page:\n{info}");
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Ma journée — jeudi 3 décembre 2026",
        "14 h 30",
        "Colibri — Cour",
        "Palais de justice, salle 4.07",
        "Ne pas appeler · Texto possible",
        "17 h",
        "Comparution",
        "Demande à l'IVAC",
        "Rappeler l'avocate (Colibri)",
        "Maison L'Escale",
        "et 17 autres : voir le tableau de bord",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    assert!(!text.contains("Héron"), "a closed case is not in her day");
    assert!(!text.contains("14 h 40"), "an appointment already attended is not either");
    let s = tv.unlock();
    assert_eq!(relais_tests::audit_actions(&s).last().map(String::as_str), Some("day.print"));
}
