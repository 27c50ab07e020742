//! The dashboard's buckets against a fixed clock: what falls in, what stays out, at the edges.

use chrono::DateTime;
use relais_core::record::{Fields, Kind};
use relais_core::reports::dashboard::{self, Bucket};
use relais_core::{Store, case};
use relais_tests::TestVault;
use serde_json::json;

fn f(pairs: &[(&str, serde_json::Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn ids(b: &Bucket) -> Vec<String> {
    b.items.iter().map(|i| i.label.clone().or(i.code.clone()).unwrap_or_else(|| i.alias.clone().unwrap_or_default())).collect()
}

fn person(s: &mut Store, alias: &str, extra: &[(&str, serde_json::Value)]) -> String {
    let mut fields = f(&[("alias", json!(alias)), ("intake_at", json!("2026-01-10T10:00:00-05:00")), ("origin", json!("international"))]);
    fields.extend(f(extra));
    s.write(|w| w.insert(Kind::Person, fields)).unwrap()
}

#[test]
fn buckets_against_a_fixed_clock() {
    let (_tv, mut s) = TestVault::new();
    // Thursday 3 December 2026, 09:00 in Montréal (UTC-5).
    let now = DateTime::parse_from_rfc3339("2026-12-03T09:00:00-05:00").unwrap();
    let a = person(&mut s, "Ambre", &[]);
    let closed = person(&mut s, "Fermée", &[]);
    let org = s.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("CLSC"))]))).unwrap();

    let appt = |s: &mut Store, p: &str, at: &str, status: &str, kind: &str| {
        s.write(|w| {
            w.insert(
                Kind::Appointment,
                f(&[("person_id", json!(p)), ("starts_at", json!(at)), ("status", json!(status)), ("kind", json!(kind))]),
            )
        })
        .unwrap();
    };
    appt(&mut s, &a, "2026-12-03T14:00:00-05:00", "planned", "health");
    appt(&mut s, &a, "2026-12-03T23:30:00-05:00", "planned", "legal"); // 04:30 UTC the next day: still today here
    appt(&mut s, &a, "2026-12-03T08:00:00-05:00", "cancelled", "police"); // not planned
    appt(&mut s, &a, "2026-12-04T00:00:00-05:00", "planned", "housing"); // tomorrow: the week
    appt(&mut s, &a, "2026-12-10T23:59:00-05:00", "planned", "court"); // day 7: the week
    appt(&mut s, &a, "2026-12-11T00:00:00-05:00", "planned", "ivac"); // day 8: out
    appt(&mut s, &closed, "2026-12-03T15:00:00-05:00", "planned", "immigration"); // closed case: out

    let task = |s: &mut Store, title: &str, due: &str, done: bool| {
        let mut t = f(&[("person_id", json!(a)), ("title", json!(title)), ("due_on", json!(due))]);
        if done {
            t.insert("done_at".into(), json!("2026-12-01T10:00:00Z"));
        }
        s.write(|w| w.insert(Kind::Task, t)).unwrap();
    };
    task(&mut s, "en retard", "2026-12-02", false);
    task(&mut s, "faite", "2026-11-20", true);
    task(&mut s, "aujourd'hui", "2026-12-03", false);
    s.write(|w| w.insert(Kind::Task, f(&[("title", json!("sans personne")), ("due_on", json!("2026-11-30"))]))).unwrap();

    let referral = |s: &mut Store, follow: &str, status: &str| {
        s.write(|w| {
            let id = case::add_referral(
                w,
                f(&[("person_id", json!(a)), ("org_id", json!(org)), ("follow_up_on", json!(follow))]),
                Some("Essai"),
            )?;
            if status != "requested" {
                case::set_referral_status(w, &id, status, None)?;
            }
            Ok(())
        })
        .unwrap();
    };
    referral(&mut s, "2026-12-02", "requested");
    referral(&mut s, "2026-11-01", "completed");
    referral(&mut s, "2026-12-03", "waitlisted");

    let proc_id = s.write(|w| w.insert(Kind::Proceeding, f(&[("person_id", json!(a))]))).unwrap();
    let ms = |s: &mut Store, code: &str, due: &str, status: &str| {
        s.write(|w| {
            w.insert(
                Kind::Milestone,
                f(&[("proceeding_id", json!(proc_id)), ("code", json!(code)), ("due_on", json!(due)), ("status", json!(status))]),
            )
        })
        .unwrap();
    };
    ms(&mut s, "crown_meeting", "2026-12-13", "planned");
    ms(&mut s, "trial", "2027-01-02", "planned"); // day 30: in
    ms(&mut s, "sentencing", "2027-01-03", "planned"); // day 31: out
    ms(&mut s, "disclosure", "2026-12-05", "done");

    person(&mut s, "Nouvelle", &[("intake_at", json!("2026-12-02T20:00:00-05:00"))]);
    person(&mut s, "Ancienne", &[("intake_at", json!("2026-11-30T08:59:00-05:00"))]); // 72 h 01 min ago
    person(&mut s, "Bientôt18", &[("birth_date", json!("2009-03-01"))]);
    person(&mut s, "Limite18", &[("birth_date", json!("2009-06-03"))]); // 18 exactly in 6 months: in
    person(&mut s, "Plus tard", &[("birth_date", json!("2009-06-04"))]);
    person(&mut s, "Déjà18", &[("birth_date", json!("2008-12-02"))]);

    let dl = |s: &mut Store, kind: &str, due: &str, done: bool| {
        let mut d = f(&[("person_id", json!(a)), ("kind", json!(kind)), ("due_on", json!(due))]);
        if done {
            d.insert("done_on".into(), json!("2026-11-01"));
        }
        s.write(|w| w.insert(Kind::Deadline, d)).unwrap();
    };
    dl(&mut s, "trp_expiry", "2027-01-31", false); // day 59
    dl(&mut s, "work_permit_expiry", "2027-03-01", false); // day 88: out
    dl(&mut s, "ivac_application", "2026-11-30", false); // overdue: in
    dl(&mut s, "study_permit_expiry", "2026-12-20", true); // done: out

    for (code, status) in
        [("housing_emergency", "unmet"), ("interpretation", "unmet"), ("employment_support", "unmet"), ("information", "met")]
    {
        s.write(|w| w.insert(Kind::Need, f(&[("person_id", json!(a)), ("code", json!(code)), ("status", json!(status))]))).unwrap();
    }
    s.write(|w| w.insert(Kind::Need, f(&[("person_id", json!(closed)), ("code", json!("information")), ("status", json!("unmet"))])))
        .unwrap();
    s.write(|w| case::close_person(w, &closed, "relocated", None)).unwrap();

    let d = dashboard::compute(&s, now).unwrap();
    assert_eq!(d.today, "2026-12-03");
    assert_eq!(ids(&d.appointments_today), ["health", "legal"]);
    assert_eq!(ids(&d.appointments_week), ["housing", "court"]);
    assert_eq!(ids(&d.overdue_tasks), ["sans personne", "en retard"]);
    assert_eq!(ids(&d.overdue_referrals), ["requested"]);
    assert_eq!(ids(&d.court_milestones), ["crown_meeting", "trial"]);
    assert_eq!(ids(&d.intakes_72h), ["Nouvelle"]);
    assert_eq!(d.intakes_72h.items[0].when, "2026-12-06T01:00:00Z");
    assert_eq!(ids(&d.turning_18), ["Bientôt18", "Limite18"]);
    assert_eq!(d.turning_18.items[0].when, "2027-03-01");
    assert_eq!(ids(&d.deadlines), ["ivac_application", "trp_expiry"]);
    let unmet: Vec<(String, i64)> = d.unmet_needs_by_phase.iter().map(|p| (p.phase.clone(), p.unmet)).collect();
    assert_eq!(unmet, [("immediate".into(), 2), ("short_medium".into(), 0), ("long_term".into(), 1)]);
    assert_eq!(d.appointments_today.total, 2);
}

#[test]
fn buckets_report_totals_beyond_the_listed_items() {
    let (_tv, mut s) = TestVault::new();
    let a = person(&mut s, "Capucine", &[]);
    s.write(|w| {
        for i in 0..(dashboard::LIMIT + 7) {
            w.insert(Kind::Task, f(&[("person_id", json!(a)), ("title", json!(format!("t{i}"))), ("due_on", json!("2026-11-01"))]))?;
        }
        Ok(())
    })
    .unwrap();
    let d = dashboard::compute(&s, DateTime::parse_from_rfc3339("2026-12-03T09:00:00-05:00").unwrap()).unwrap();
    assert_eq!(d.overdue_tasks.total, dashboard::LIMIT as i64 + 7);
    assert_eq!(d.overdue_tasks.items.len(), dashboard::LIMIT);
}

#[test]
fn the_week_calendar_runs_monday_to_sunday_in_local_time() {
    let (_tv, mut s) = TestVault::new();
    let a = person(&mut s, "Ambre", &[]);
    for (at, status) in [
        ("2026-11-29T23:59:00-05:00", "planned"),   // the Sunday before: out
        ("2026-11-30T00:00:00-05:00", "attended"),  // Monday midnight: in, whatever its status
        ("2026-12-06T23:30:00-05:00", "cancelled"), // Sunday 23:30 here, Monday 04:30 UTC: in
        ("2026-12-07T00:00:00-05:00", "planned"),   // the next Monday: out
    ] {
        s.write(|w| {
            w.insert(
                Kind::Appointment,
                f(&[("person_id", json!(a)), ("starts_at", json!(at)), ("status", json!(status)), ("kind", json!("health"))]),
            )
        })
        .unwrap();
    }
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let tz = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
    let week = dashboard::week(&s, monday, tz).unwrap();
    let got: Vec<(&str, &str)> = week.iter().map(|i| (i.starts_at.as_str(), i.status.as_str())).collect();
    assert_eq!(got, vec![("2026-11-30T05:00:00Z", "attended"), ("2026-12-07T04:30:00Z", "cancelled")]);
    assert!(week.iter().all(|i| i.alias == "Ambre" && i.person_id == a));
    // A worker about to call sees, next to the appointment, whether she may.
    assert!(week.iter().all(|i| (i.safe_to_call, i.safe_to_text, i.safe_to_leave_message) == (None, None, None)));
    s.write(|w| w.update(Kind::Person, &a, f(&[("safe_to_call", json!(false)), ("safe_to_text", json!(true))]))).unwrap();
    let week = dashboard::week(&s, monday, tz).unwrap();
    assert!(week.iter().all(|i| (i.safe_to_call, i.safe_to_text, i.safe_to_leave_message) == (Some(false), Some(true), None)));
}

#[test]
fn the_calendar_sends_each_days_first_appointments_and_its_count() {
    // A team's week holds thousands of appointments: the window asks for each day's first few
    // and the day's count, then a day's rest when the worker opens it.
    let (_tv, mut s) = TestVault::new();
    let a = person(&mut s, "Ambre", &[]);
    let b = person(&mut s, "Bruyère", &[]);
    let mut add = |p: &str, at: &str| {
        s.write(|w| {
            w.insert(
                Kind::Appointment,
                f(&[("person_id", json!(p)), ("starts_at", json!(at)), ("status", json!("planned")), ("kind", json!("health"))]),
            )
        })
        .unwrap();
    };
    // Tuesday: five, two at 10 h (Ambre before Bruyère); Thursday: one, at 23 h 30 here.
    for (p, at) in [
        (&b, "2026-12-01T10:00:00-05:00"),
        (&a, "2026-12-01T10:00:00-05:00"),
        (&a, "2026-12-01T09:00:00-05:00"),
        (&a, "2026-12-01T16:00:00-05:00"),
        (&b, "2026-12-01T13:00:00-05:00"),
        (&a, "2026-12-03T23:30:00-05:00"),
    ] {
        add(p, at);
    }
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let tz = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
    let days = dashboard::calendar(&s, monday, 7, &tz, Some(3)).unwrap();
    let dates: Vec<&str> = days.iter().map(|d| d.date.as_str()).collect();
    assert_eq!(dates, ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]);
    let totals: Vec<u32> = days.iter().map(|d| d.total).collect();
    assert_eq!(totals, [0, 5, 0, 1, 0, 0, 0]);
    let tuesday: Vec<(&str, &str)> = days[1].items.iter().map(|i| (i.starts_at.as_str(), i.alias.as_str())).collect();
    assert_eq!(tuesday, [("2026-12-01T14:00:00Z", "Ambre"), ("2026-12-01T15:00:00Z", "Ambre"), ("2026-12-01T15:00:00Z", "Bruyère")]);
    assert_eq!(days[3].items.len(), 1, "23 h 30 on Thursday here is Friday in UTC, and still Thursday's");
    // The day opened: all of it, in the same order, the same as the whole week's.
    let opened = dashboard::calendar(&s, days[1].date.parse().unwrap(), 1, &tz, None).unwrap();
    assert_eq!(opened.len(), 1);
    assert_eq!((opened[0].total, opened[0].items.len()), (5, 5));
    assert_eq!(opened[0].items[..3], days[1].items[..]);
    let week = dashboard::week(&s, monday, tz).unwrap();
    assert_eq!(week.len(), 6);
    assert_eq!(week[..5], opened[0].items[..]);
    // No day, or more than a month at once: refused.
    for n in [0, dashboard::CALENDAR_MAX_DAYS + 1] {
        assert!(matches!(dashboard::calendar(&s, monday, n, &tz, None), Err(relais_core::Error::Invalid { .. })), "{n} days");
    }
}

#[test]
fn the_calendar_keeps_each_appointment_on_its_local_day_across_a_change_of_time() {
    // Montréal leaves daylight time on Sunday 1 November 2026 at 2 h. Sunday 23 h 30 is then
    // 04 h 30 UTC on Monday; with the offset of the Monday before (UTC-4), Sunday would end at
    // 04 h UTC and lose it. `make test` runs in America/Toronto (the Makefile's TZ).
    assert_eq!(std::env::var("TZ").as_deref(), Ok("America/Toronto"), "run with TZ=America/Toronto, as make test does");
    let (_tv, mut s) = TestVault::new();
    let a = person(&mut s, "Ambre", &[]);
    for at in ["2026-10-26T00:30:00-04:00", "2026-11-01T23:30:00-05:00", "2026-11-02T00:30:00-05:00"] {
        s.write(|w| {
            w.insert(
                Kind::Appointment,
                f(&[("person_id", json!(a)), ("starts_at", json!(at)), ("status", json!("planned")), ("kind", json!("health"))]),
            )
        })
        .unwrap();
    }
    let days = dashboard::calendar(&s, chrono::NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(), 8, &chrono::Local, None).unwrap();
    let on: Vec<(&str, Vec<&str>)> =
        days.iter().filter(|d| d.total > 0).map(|d| (d.date.as_str(), d.items.iter().map(|i| i.starts_at.as_str()).collect())).collect();
    assert_eq!(
        on,
        [
            ("2026-10-26", vec!["2026-10-26T04:30:00Z"]),
            ("2026-11-01", vec!["2026-11-02T04:30:00Z"]),
            ("2026-11-02", vec!["2026-11-02T05:30:00Z"]),
        ]
    );
}

#[test]
fn the_caseload_counts_open_needs_and_filters_by_status() {
    let (_tv, mut s) = TestVault::new();
    let b = person(&mut s, "bleuet", &[]);
    let a = person(&mut s, "Ambre", &[]);
    let c = person(&mut s, "Cèdre", &[]);
    for (p, code, status) in [
        (&a, "safety_protection", "identified"),
        (&a, "information", "met"),
        (&a, "accompaniment", "unmet"),
        (&b, "information", "declined"),
    ] {
        s.write(|w| w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!(code)), ("status", json!(status))]))).unwrap();
    }
    s.write(|w| case::close_person(w, &c, "plan_completed", None)).unwrap();
    let all = relais_core::case::search::caseload(&s, None).unwrap();
    // By alias, case ignored.
    assert_eq!(all.iter().map(|r| r.alias.as_str()).collect::<Vec<_>>(), vec!["Ambre", "bleuet", "Cèdre"]);
    assert_eq!(all.iter().map(|r| r.open_needs).collect::<Vec<_>>(), vec![2, 0, 0]);
    let active = relais_core::case::search::caseload(&s, Some("active")).unwrap();
    assert_eq!(active.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), vec![a.as_str(), b.as_str()]);
    assert_eq!(relais_core::case::search::caseload(&s, Some("closed")).unwrap()[0].id, c);
    // A page at a time, with the number of cases in all.
    use relais_core::case::search::caseload_page;
    let page = caseload_page(&s, &[], 1, Some(1)).unwrap();
    assert_eq!((page.rows.len(), page.rows[0].alias.as_str(), page.total, page.offset), (1, "bleuet", 3, 1));
    let page = caseload_page(&s, &["on_hold", "closed"], 0, Some(10)).unwrap();
    assert_eq!((page.rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), page.total), (vec![c.as_str()], 1));
    let page = caseload_page(&s, &["active", "closed"], 2, Some(10)).unwrap();
    assert_eq!((page.rows.iter().map(|r| r.alias.as_str()).collect::<Vec<_>>(), page.total), (vec!["Cèdre"], 3));
    assert_eq!(caseload_page(&s, &[], 3, Some(10)).unwrap().rows, vec![], "past the end: an empty page");
}

#[test]
fn consents_ending_reviews_due_aids_pending_and_cases_without_contact() {
    let (_tv, mut s) = TestVault::new();
    // Thursday 3 December 2026, 09:00 in Montréal.
    let now = DateTime::parse_from_rfc3339("2026-12-03T09:00:00-05:00").unwrap();
    let a = person(&mut s, "Ambre", &[("safe_to_call", json!(false)), ("safe_to_text", json!(true))]);
    let b = person(&mut s, "Brume", &[]);
    let c = person(&mut s, "Cerise", &[]);
    let closed = person(&mut s, "Fermée", &[]);
    let consent = |s: &mut Store, p: &str, scope: &str, ends: &str, withdrawn: Option<&str>| {
        let mut r = f(&[
            ("person_id", json!(p)),
            ("scope", json!(scope)),
            ("starts_on", json!("2026-01-10")),
            ("ends_on", json!(ends)),
            ("method", json!("written")),
        ]);
        if let Some(w) = withdrawn {
            r.insert("withdrawn_on".into(), json!(w));
        }
        s.write(|w| w.insert(Kind::Consent, r)).unwrap();
    };
    consent(&mut s, &a, "fin aujourd'hui", "2026-12-03", None);
    consent(&mut s, &a, "fin jour 30", "2027-01-02", None);
    consent(&mut s, &a, "fin jour 31", "2027-01-03", None); // out
    consent(&mut s, &a, "déjà finie", "2026-12-02", None); // out
    consent(&mut s, &a, "retirée", "2026-12-20", Some("2026-11-01")); // out
    consent(&mut s, &closed, "dossier fermé", "2026-12-20", None); // out
    let safety = |s: &mut Store, p: &str, text: &str, review: &str, done: bool| {
        let mut r = f(&[("person_id", json!(p)), ("text", json!(text)), ("review_on", json!(review))]);
        if done {
            r.insert("done_on".into(), json!("2026-11-30"));
        }
        s.write(|w| w.insert(Kind::SafetyItem, r)).unwrap();
    };
    safety(&mut s, &b, "jour 7", "2026-12-10", false);
    safety(&mut s, &b, "en retard", "2026-11-01", false);
    safety(&mut s, &b, "jour 8", "2026-12-11", false); // out
    safety(&mut s, &b, "fait", "2026-11-01", true); // out
    let proceeding = s.write(|w| w.insert(Kind::Proceeding, f(&[("person_id", json!(c))]))).unwrap();
    for (code, status) in [("s486_2", "requested"), ("s486_1", "granted"), ("s486_3", "requested")] {
        s.write(|w| {
            w.insert(
                Kind::TestimonialAid,
                f(&[
                    ("proceeding_id", json!(proceeding)),
                    ("code", json!(code)),
                    ("status", json!(status)),
                    ("requested_on", json!("2026-11-02")),
                ]),
            )
        })
        .unwrap();
    }
    // Contacts: Ambre phoned 10 days ago, Brume visited 40 days ago (a case conference since
    // is not a contact with her), Cerise seen at an appointment 31 days ago, Fermée closed.
    let note = |s: &mut Store, p: &str, kind: &str, at: &str| {
        s.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(p)), ("kind", json!(kind)), ("at", json!(at)), ("text", json!("x"))])))
            .unwrap();
    };
    note(&mut s, &a, "phone", "2026-11-23T10:00:00-05:00");
    note(&mut s, &b, "visit", "2026-10-24T10:00:00-04:00");
    note(&mut s, &b, "case_conference", "2026-12-01T10:00:00-05:00");
    s.write(|w| {
        w.insert(
            Kind::Appointment,
            f(&[
                ("person_id", json!(c)),
                ("starts_at", json!("2026-11-02T10:00:00-05:00")),
                ("status", json!("attended")),
                ("kind", json!("health")),
            ]),
        )
    })
    .unwrap();
    s.write(|w| case::close_person(w, &closed, "relocated", None)).unwrap();

    let d = dashboard::compute(&s, now).unwrap();
    assert_eq!(ids(&d.expiring_consents), ["fin aujourd'hui", "fin jour 30"]);
    assert_eq!(d.safety_reviews.items.iter().map(|i| i.when.as_str()).collect::<Vec<_>>(), ["2026-11-01", "2026-12-10"]);
    assert_eq!(ids(&d.aids_pending), ["s486_2", "s486_3"]);
    assert_eq!(ids(&d.no_contact), ["Brume", "Cerise"], "30 days by default");
    assert_eq!(d.no_contact.items[0].when, "2026-10-24T14:00:00Z", "the last contact, not the case conference");
    assert_eq!(d.no_contact_days, 30);
    // The setting moves the line; out of range is refused.
    let d = dashboard::compute_with(&s, now, 35).unwrap();
    assert_eq!(ids(&d.no_contact), ["Brume"]);
    let d = dashboard::compute_with(&s, now, 7).unwrap();
    assert_eq!(ids(&d.no_contact), ["Brume", "Cerise", "Ambre"]);
    assert!(dashboard::compute_with(&s, now, 0).is_err() && dashboard::compute_with(&s, now, 366).is_err());
    // Everyone named carries her safe-contact flags.
    assert_eq!(d.safe_flags[&a], dashboard::SafeFlags { call: Some(false), text: Some(true), message: None });
    assert!(d.safe_flags.contains_key(&b) && d.safe_flags.contains_key(&c) && !d.safe_flags.contains_key(&closed));
    // The caseload shows each one's last contact.
    let rows = relais_core::case::search::caseload(&s, None).unwrap();
    let last = |alias: &str| rows.iter().find(|r| r.alias == alias).unwrap().last_contact.clone();
    assert_eq!(last("Ambre").as_deref(), Some("2026-11-23T15:00:00Z"));
    assert_eq!(last("Cerise").as_deref(), Some("2026-11-02T15:00:00Z"));
    assert_eq!(last("Fermée"), None);
    // Kept by triggers: a note moved to the trash, or an appointment no longer attended, takes
    // its contact away; an older note added does not move it back.
    let phone = s.list_by(Kind::Note, "person_id", &a).unwrap()[0]["id"].as_str().unwrap().to_owned();
    relais_core::case::trash::delete(&mut s, Kind::Note, &phone).unwrap();
    note(&mut s, &b, "contact", "2026-10-01T10:00:00-04:00");
    let seen = s.list_by(Kind::Appointment, "person_id", &c).unwrap()[0]["id"].as_str().unwrap().to_owned();
    s.write(|w| w.update(Kind::Appointment, &seen, f(&[("status", json!("no_show"))]))).unwrap();
    let rows = relais_core::case::search::caseload(&s, None).unwrap();
    let last = |alias: &str| rows.iter().find(|r| r.alias == alias).unwrap().last_contact.clone();
    assert_eq!((last("Ambre"), last("Cerise")), (None, None));
    assert_eq!(last("Brume").as_deref(), Some("2026-10-24T14:00:00Z"));
}

#[test]
fn the_first_72_hours_checklist_follows_the_needs_recorded() {
    use relais_core::case::intake;
    let (_tv, mut s) = TestVault::new();
    let now = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&chrono::Utc);
    let domestic = person(&mut s, "Ambre", &[("origin", json!("domestic")), ("intake_at", json!("2026-12-02T10:00:00-05:00"))]);
    let international = person(&mut s, "Brume", &[("intake_at", json!("2026-12-02T10:00:00-05:00"))]);
    let c = intake::checklist(&s, &domestic, now("2026-12-03T09:00:00-05:00")).unwrap();
    let codes: Vec<&str> = c.items.iter().map(|i| i.code.as_str()).collect();
    assert!(codes.contains(&"safety_protection") && !codes.contains(&"interpretation"), "international-only needs left out: {codes:?}");
    assert_eq!((c.assessed, c.open, c.window_ends.as_str()), (0, true, "2026-12-05T15:00:00Z"));
    let ci = intake::checklist(&s, &international, now("2026-12-03T09:00:00-05:00")).unwrap();
    assert_eq!(ci.items.len(), c.items.len() + 2, "interpretation and removal defence for international trafficking");
    // A need recorded, whatever its status, or « sans objet »: assessed.
    for (code, status) in [("safety_protection", "identified"), ("spiritual_support", "not_applicable")] {
        s.write(|w| {
            w.insert(
                Kind::Need,
                f(&[("person_id", json!(domestic)), ("code", json!(code)), ("phase", json!("immediate")), ("status", json!(status))]),
            )
        })
        .unwrap();
    }
    let c = intake::checklist(&s, &domestic, now("2026-12-05T09:59:00-05:00")).unwrap();
    assert_eq!(c.assessed, 2);
    let status = |c: &intake::Checklist, code: &str| c.items.iter().find(|i| i.code == code).unwrap().status.clone();
    assert_eq!(status(&c, "spiritual_support").as_deref(), Some("not_applicable"));
    assert_eq!(status(&c, "housing_emergency"), None);
    assert!(c.open);
    assert!(!intake::checklist(&s, &domestic, now("2026-12-05T10:00:00-05:00")).unwrap().open, "72 hours after intake, closed");
}

/// The dashboard's totals, counted here with SQL of this test (every row of the open cases in
/// each window, no cap), for `now` in Montréal time (UTC-5 in December).
fn truth(s: &Store, today: &str, t0: &str, t1: &str, t8: &str) -> Vec<(&'static str, i64)> {
    let open = "person_id NOT IN (SELECT id FROM persons WHERE status IN ('closed', 'handed_off'))";
    let n = |sql: String| -> i64 { s.conn().query_row(&sql, [], |r| r.get(0)).unwrap() };
    let day = |days: i64| (chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap() + chrono::Duration::days(days)).to_string();
    let mut out = vec![
        (
            "appointments_today",
            n(format!(
                "SELECT count(*) FROM appointments WHERE status = 'planned' AND starts_at >= '{t0}' AND starts_at < '{t1}' AND {open}"
            )),
        ),
        (
            "appointments_week",
            n(format!(
                "SELECT count(*) FROM appointments WHERE status = 'planned' AND starts_at >= '{t1}' AND starts_at < '{t8}' AND {open}"
            )),
        ),
        (
            "overdue_tasks",
            n(format!("SELECT count(*) FROM tasks WHERE done_at IS NULL AND due_on < '{today}' AND (person_id IS NULL OR {open})")),
        ),
        (
            "overdue_referrals",
            n(format!(
                "SELECT count(*) FROM referrals WHERE follow_up_on < '{today}' AND status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') AND {open}"
            )),
        ),
        (
            "court_milestones",
            n(format!(
                "SELECT count(*) FROM milestones m JOIN proceedings c ON c.id = m.proceeding_id WHERE m.status = 'planned' AND m.due_on BETWEEN '{today}' AND '{}' AND c.{open}",
                day(30)
            )),
        ),
        ("deadlines", n(format!("SELECT count(*) FROM deadlines WHERE done_on IS NULL AND due_on <= '{}' AND {open}", day(60)))),
        ("safety_reviews", n(format!("SELECT count(*) FROM safety_items WHERE done_on IS NULL AND review_on <= '{}' AND {open}", day(7)))),
    ];
    for phase in ["immediate", "short_medium", "long_term"] {
        out.push((phase, n(format!("SELECT count(*) FROM needs WHERE status = 'unmet' AND phase = '{phase}' AND {open}"))));
    }
    out
}

fn totals(d: &dashboard::Dashboard) -> Vec<(&'static str, i64)> {
    let mut out = vec![
        ("appointments_today", d.appointments_today.total),
        ("appointments_week", d.appointments_week.total),
        ("overdue_tasks", d.overdue_tasks.total),
        ("overdue_referrals", d.overdue_referrals.total),
        ("court_milestones", d.court_milestones.total),
        ("deadlines", d.deadlines.total),
        ("safety_reviews", d.safety_reviews.total),
    ];
    let phase = |code: &str| d.unmet_needs_by_phase.iter().find(|p| p.phase == code).map_or(-1, |p| p.unmet);
    out.extend([("immediate", phase("immediate")), ("short_medium", phase("short_medium")), ("long_term", phase("long_term"))]);
    out
}

#[test]
fn the_dashboards_totals_are_exact_through_every_kind_of_write() {
    use relais_core::case::retention::{self, Policy};
    let (_tv, mut s) = TestVault::new();
    relais_core::demo::fill(&mut s, 80, 5, chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(), &mut |_, _| {}).unwrap();
    let now = DateTime::parse_from_rfc3339("2026-12-03T09:00:00-05:00").unwrap();
    let ids = |s: &Store, sql: &str| -> Vec<String> {
        let mut st = s.conn().prepare(sql).unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let check = |s: &Store, step: &str| {
        let want = truth(s, "2026-12-03", "2026-12-03T05:00:00Z", "2026-12-04T05:00:00Z", "2026-12-11T05:00:00Z");
        assert_eq!(totals(&dashboard::compute(s, now).unwrap()), want, "{step}");
        // The lists leave out the cases the triggers keep as not open (migration 0017).
        assert_eq!(
            ids(s, "SELECT id FROM persons_closed ORDER BY id"),
            ids(s, "SELECT id FROM persons WHERE status IN ('closed', 'handed_off') ORDER BY id"),
            "{step}: the cases not open"
        );
        want
    };
    let first = check(&s, "the demonstration");
    // The demonstration fills windows beyond a page: there the totals are counts, not lists.
    assert!(first.iter().filter(|(_, n)| *n > dashboard::LIMIT as i64).count() >= 2, "{first:?}");
    // Closing cases takes their rows out; reopening one puts its rows back.
    let open = ids(&s, "SELECT id FROM persons WHERE status = 'active' ORDER BY id LIMIT 6");
    for p in &open {
        s.write(|w| case::close_person(w, p, "relocated", None).map(drop)).unwrap();
    }
    check(&s, "six cases closed");
    s.write(|w| case::reopen_person(w, &open[0], "retour").map(drop)).unwrap();
    check(&s, "one reopened");
    // Edits that move a row from one day to another, out of a list, or into it.
    let task = ids(
        &s,
        "SELECT id FROM tasks WHERE done_at IS NULL AND due_on < '2026-12-03' AND person_id IN (SELECT id FROM persons WHERE status = 'active') LIMIT 3",
    );
    s.write(|w| w.update(Kind::Task, &task[0], f(&[("done_at", json!("2026-12-02T10:00:00-05:00"))])).map(drop)).unwrap();
    s.write(|w| w.update(Kind::Task, &task[1], f(&[("due_on", json!("2026-12-20"))])).map(drop)).unwrap();
    let appt = ids(
        &s,
        "SELECT id FROM appointments WHERE status = 'planned' AND starts_at >= '2026-12-04T05:00:00Z' AND person_id IN (SELECT id FROM persons WHERE status = 'active') LIMIT 2",
    );
    s.write(|w| w.update(Kind::Appointment, &appt[0], f(&[("starts_at", json!("2026-12-03T15:10:00-05:00"))])).map(drop)).unwrap();
    s.write(|w| w.update(Kind::Appointment, &appt[1], f(&[("status", json!("cancelled"))])).map(drop)).unwrap();
    let need =
        ids(&s, "SELECT id FROM needs WHERE status = 'unmet' AND person_id IN (SELECT id FROM persons WHERE status = 'active') LIMIT 1");
    s.write(|w| w.update(Kind::Need, &need[0], f(&[("status", json!("met"))])).map(drop)).unwrap();
    check(&s, "edits");
    // A task for nobody in particular counts too.
    s.write(|w| w.insert(Kind::Task, f(&[("title", json!("Commander des cartes")), ("due_on", json!("2026-11-30"))])).map(drop)).unwrap();
    check(&s, "a task with no person");
    // The trash: a proceeding goes with its milestones, and comes back with them.
    let proceeding = ids(
        &s,
        "SELECT c.id FROM proceedings c JOIN milestones m ON m.proceeding_id = c.id WHERE m.status = 'planned' AND c.person_id IN (SELECT id FROM persons WHERE status = 'active') LIMIT 1",
    );
    let trashed = case::trash::delete(&mut s, Kind::Proceeding, &proceeding[0]).unwrap();
    let referral = ids(
        &s,
        "SELECT id FROM referrals WHERE follow_up_on < '2026-12-03' AND person_id IN (SELECT id FROM persons WHERE status = 'active') LIMIT 1",
    );
    case::trash::delete(&mut s, Kind::Referral, &referral[0]).unwrap();
    check(&s, "in the trash");
    case::trash::restore(&mut s, &trashed).unwrap();
    check(&s, "restored");
    // A person destroyed at her request, her rows with her.
    let gone = ids(&s, "SELECT id FROM persons WHERE status = 'active' ORDER BY id DESC LIMIT 1");
    let alias: String = s.conn().query_row("SELECT alias FROM persons WHERE id = ?1", [&gone[0]], |r| r.get(0)).unwrap();
    retention::destroy_person(&mut s, &gone[0], Policy::Request, &alias, chrono::Utc::now()).unwrap();
    check(&s, "destroyed");
    // A zone whose midnight is not a quarter of an hour: counted row by row, exactly too.
    let odd = DateTime::parse_from_rfc3339("2026-12-03T09:00:00+00:07").unwrap();
    let d = dashboard::compute(&s, odd).unwrap();
    let n = |sql: &str| -> i64 { s.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    let open = "person_id NOT IN (SELECT id FROM persons WHERE status IN ('closed', 'handed_off'))";
    assert_eq!(
        d.appointments_week.total,
        n(&format!(
            "SELECT count(*) FROM appointments WHERE status = 'planned' AND starts_at >= '2026-12-03T23:53:00Z' AND starts_at < '2026-12-10T23:53:00Z' AND {open}"
        ))
    );
}
