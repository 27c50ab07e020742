//! The worker's agenda outside the dashboard: the reminders an open vault sends (an appointment
//! some minutes before, a court date, a deadline or a referral to follow up the morning it falls
//! due), and the calendar file (`.ics`) a worker may put in her phone.
//!
//! A reminder is decided by when it fires: an appointment `lead` minutes before it starts, a
//! dated item at [`MORNING_HOUR`] on its day. [`due_at`] gives those due now (the app asks every
//! half minute while the vault is open and shows each once); [`between`] those that fell in a
//! span of time: at unlock, the span the vault was locked (the missed ones, shown on the
//! dashboard rather than sent). What a notification says ([`notifications`]) names no one unless the worker chose it:
//! screens are shared and projected.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::lang::{Lang, tr};
use crate::reports::dashboard::local_midnight_utc;
use crate::time;
use crate::vault::store::Store;

/// The persons whose case is followed here: neither closed nor handed off (as `p`).
pub(crate) const OPEN_CASE: &str = "p.status NOT IN ('closed', 'handed_off')";

/// [`MORNING_HOUR`] of day `d` in the zone `tz`.
fn morning(tz: FixedOffset, d: NaiveDate) -> Option<DateTime<FixedOffset>> {
    tz.from_local_datetime(&d.and_time(NaiveTime::from_hms_opt(MORNING_HOUR, 0, 0).expect("an hour"))).single()
}

/// Minutes before an appointment its reminder fires, unless the worker set another.
pub const LEAD_MINUTES: i64 = 30;
/// The hour (local) at which a court date, a deadline or a follow-up is recalled on its day.
pub const MORNING_HOUR: u32 = 8;

/// What a reminder is about.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// A planned appointment.
    Appointment,
    /// A planned court milestone.
    Court,
    /// A deadline not done.
    Deadline,
    /// A referral to follow up.
    FollowUp,
}

/// One reminder.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// What it is about.
    pub kind: ReminderKind,
    /// The record (appointment, milestone, deadline, referral).
    pub record_id: String,
    /// The person.
    pub person_id: String,
    /// Her alias (shown in the app; in a notification only when the worker chose it).
    pub alias: String,
    /// When: an appointment's start (RFC 3339 UTC), or the day (`YYYY-MM-DD`).
    pub at: String,
    /// When it fires (RFC 3339 UTC).
    pub fires_at: String,
    /// The appointment's kind, the milestone's code, the deadline's kind (a catalogue code).
    pub code: String,
}

/// The reminders that fire in `[from, to)`: appointments planned to start `lead` minutes after
/// an instant of the span, and court dates, deadlines and follow-ups of open cases whose day's
/// [`MORNING_HOUR`] (in `to`'s time zone) falls in it. In firing order.
pub fn between(store: &Store, from: DateTime<FixedOffset>, to: DateTime<FixedOffset>, lead: i64) -> Result<Vec<Reminder>> {
    let mut out = Vec::new();
    if to <= from {
        return Ok(out);
    }
    let lead = Duration::minutes(lead.clamp(0, 24 * 60));
    let conn = store.conn();
    let utc = |d: DateTime<FixedOffset>| time::to_db(d.with_timezone(&Utc));
    let mut st = conn.prepare_cached(&format!(
        "SELECT a.id, a.person_id, p.alias, a.starts_at, a.kind FROM appointments a JOIN persons p ON p.id = a.person_id
         WHERE a.status = 'planned' AND a.starts_at >= ?1 AND a.starts_at < ?2 AND {OPEN_CASE}
         ORDER BY a.starts_at"
    ))?;
    let rows = st.query_map([utc(from + lead), utc(to + lead)], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
    })?;
    for row in rows {
        let (record_id, person_id, alias, at, code) = row?;
        let fires = time::from_db(&at).map(|d| time::to_db(d - lead)).unwrap_or_default();
        out.push(Reminder { kind: ReminderKind::Appointment, record_id, person_id, alias, at, fires_at: fires, code });
    }
    // The days whose morning falls in the span.
    let tz = *to.offset();
    let mut day = from.with_timezone(&tz).date_naive();
    let last = to.with_timezone(&tz).date_naive();
    let mut days = Vec::new();
    while day <= last {
        if let Some(m) = morning(tz, day).filter(|m| *m >= from && *m < to) {
            days.push((day.to_string(), time::to_db(m.with_timezone(&Utc))));
        }
        day = day.succ_opt().expect("a date in range");
    }
    const OPEN: &str = OPEN_CASE;
    let dated: [(ReminderKind, String); 3] = [
        (
            ReminderKind::Court,
            format!(
                "SELECT x.id, c.person_id, p.alias, x.code FROM milestones x JOIN proceedings c ON c.id = x.proceeding_id
                 JOIN persons p ON p.id = c.person_id WHERE x.due_on = ?1 AND x.status = 'planned' AND {OPEN} ORDER BY p.alias"
            ),
        ),
        (
            ReminderKind::Deadline,
            format!(
                "SELECT x.id, x.person_id, p.alias, x.kind FROM deadlines x JOIN persons p ON p.id = x.person_id
                 WHERE x.due_on = ?1 AND x.done_on IS NULL AND {OPEN} ORDER BY p.alias"
            ),
        ),
        (
            ReminderKind::FollowUp,
            format!(
                "SELECT x.id, x.person_id, p.alias, x.status FROM referrals x JOIN persons p ON p.id = x.person_id
                 WHERE x.follow_up_on = ?1 AND x.status IN {awaiting}
                 AND {OPEN} ORDER BY p.alias",
                awaiting = crate::model::status::ReferralStatus::AWAITING_SQL
            ),
        ),
    ];
    for (date, fires) in &days {
        for (kind, sql) in &dated {
            let mut st = conn.prepare_cached(sql)?;
            let rows = st.query_map([date], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })?;
            for row in rows {
                let (record_id, person_id, alias, code) = row?;
                out.push(Reminder { kind: *kind, record_id, person_id, alias, at: date.clone(), fires_at: fires.clone(), code });
            }
        }
    }
    out.sort_by(|a, b| (&a.fires_at, a.kind, &a.at).cmp(&(&b.fires_at, b.kind, &b.at)));
    Ok(out)
}

/// The reminders due at `now`: appointments planned to start within `lead` minutes, and, once it
/// is [`MORNING_HOUR`], the court dates, deadlines and follow-ups of the day. The app shows each
/// once ([`Reminder::key`]): an appointment added ten minutes before it starts is still
/// recalled, which [`between`] (what *fell* in a span) would not do.
pub fn due_at(store: &Store, now: DateTime<FixedOffset>, lead: i64) -> Result<Vec<Reminder>> {
    let lead = lead.clamp(0, 24 * 60);
    // Appointments: those whose reminder fell in the last `lead` minutes (they start within
    // `lead` minutes from now).
    let mut out: Vec<Reminder> = between(store, now - Duration::minutes(lead), now + Duration::seconds(1), lead)?
        .into_iter()
        .filter(|r| r.kind == ReminderKind::Appointment)
        .collect();
    if let Some(m) = morning(*now.offset(), now.date_naive()).filter(|m| *m <= now) {
        out.extend(between(store, m, m + Duration::seconds(1), lead)?.into_iter().filter(|r| r.kind != ReminderKind::Appointment));
    }
    Ok(out)
}

impl Reminder {
    /// What tells this reminder from every other: its kind, its record and its time (a
    /// rescheduled appointment is recalled again).
    pub fn key(&self) -> String {
        format!("{:?}:{}:{}", self.kind, self.record_id, self.at)
    }
}

/// One desktop notification: a title, a line, and the case a click opens (none when it is about
/// several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// The title.
    pub title: String,
    /// The line under it.
    pub body: String,
    /// The case to open on a click.
    pub person_id: Option<String>,
}

/// What the desktop says for `reminders` at `now`: one notification per appointment
/// (« Rendez-vous dans 30 min », « À 14 h 30 »), one per kind of dated item (« 1 échéance
/// aujourd'hui »). Aliases only with `name_persons`.
pub fn notifications(reminders: &[Reminder], now: DateTime<FixedOffset>, lang: Lang, name_persons: bool) -> Vec<Notification> {
    let mut out = Vec::new();
    for r in reminders.iter().filter(|r| r.kind == ReminderKind::Appointment) {
        let Some(at) = time::from_db(&r.at) else { continue };
        let minutes = ((at - now.with_timezone(&Utc)).num_seconds().max(0) + 59).div_euclid(60);
        let local = at.with_timezone(now.offset());
        let clock = time::clock(local.time(), lang);
        let body = if name_persons {
            tr(lang, "reminder.appointment_with", &[("alias", &r.alias), ("time", &clock)])
        } else {
            tr(lang, "reminder.appointment_at", &[("time", &clock)])
        };
        out.push(Notification {
            title: tr(lang, "reminder.appointment_in", &[("minutes", &minutes.min(24 * 60).to_string())]),
            body,
            person_id: Some(r.person_id.clone()),
        });
    }
    for (kind, key) in [
        (ReminderKind::Court, "reminder.court_today"),
        (ReminderKind::Deadline, "reminder.deadline_today"),
        (ReminderKind::FollowUp, "reminder.follow_up_today"),
    ] {
        let of: Vec<&Reminder> = reminders.iter().filter(|r| r.kind == kind).collect();
        if of.is_empty() {
            continue;
        }
        let mut persons: Vec<&str> = of.iter().map(|r| r.person_id.as_str()).collect();
        persons.dedup();
        let body = if name_persons {
            let mut aliases: Vec<&str> = of.iter().map(|r| r.alias.as_str()).collect();
            aliases.dedup();
            aliases.join(", ")
        } else {
            tr(lang, "reminder.open_to_see", &[])
        };
        out.push(Notification {
            title: tr(lang, key, &[("n", &of.len().to_string())]),
            body,
            person_id: (persons.len() == 1).then(|| persons[0].to_owned()),
        });
    }
    out
}

/// What the calendar file holds besides times: by default nothing that names or places anyone.
#[derive(Debug, Clone, Copy, Default)]
pub struct IcsOptions {
    /// Each event's title names the person (her alias).
    pub with_alias: bool,
    /// Appointments say where they are.
    pub with_place: bool,
}

/// The appointments planned and the court dates and deadlines to come between `from` and `to`
/// (inclusive, in `tz`), as an iCalendar file (RFC 5545): neutral titles (« Rendez-vous »,
/// « Accompagnement à la cour », « Date de cour », « Échéance »), no alias and no place unless
/// `options` say so, no notes. Returns the text and how many events it holds.
pub fn ics(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    tz: FixedOffset,
    options: IcsOptions,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(String, usize)> {
    use icalendar::{Calendar, Component, Event, EventLike};
    let span = [local_midnight_utc(&tz, from), local_midnight_utc(&tz, to.succ_opt().expect("a date in range"))];
    let conn = store.conn();
    let title = |key: &str, alias: &str| {
        let t = tr(lang, key, &[]);
        if options.with_alias { format!("{t} — {}", ics_text(alias)) } else { t }
    };
    let mut cal = Calendar::new();
    cal.name(&tr(lang, "ics.calendar_name", &[]));
    let mut n = 0;
    let mut st = conn.prepare(&format!(
        "SELECT a.id, p.alias, a.starts_at, a.ends_at, a.kind, a.place FROM appointments a JOIN persons p ON p.id = a.person_id
         WHERE a.status = 'planned' AND a.starts_at >= ?1 AND a.starts_at < ?2 AND {OPEN_CASE}
         ORDER BY a.starts_at"
    ))?;
    let rows = st.query_map(span, |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    for row in rows {
        let (id, alias, starts, ends, kind, place) = row?;
        let Some(s) = time::from_db(&starts) else { continue };
        let e = ends.as_deref().and_then(time::from_db).filter(|e| *e > s).unwrap_or(s + Duration::hours(1));
        let mut ev = Event::new();
        ev.uid(&format!("{id}@relais")).timestamp(now).starts(s).ends(e);
        ev.summary(&title(if kind == "court" { "ics.court_appointment" } else { "ics.appointment" }, &alias));
        if let Some(p) = place.filter(|p| options.with_place && !p.trim().is_empty()) {
            ev.location(&ics_text(&p));
        }
        cal.push(ev.done());
        n += 1;
    }
    let day_items: [(&str, String); 2] = [
        (
            "ics.milestone",
            format!(
                "SELECT x.id, p.alias, x.due_on FROM milestones x JOIN proceedings c ON c.id = x.proceeding_id JOIN persons p ON p.id = c.person_id
                 WHERE x.status = 'planned' AND x.due_on >= ?1 AND x.due_on <= ?2 AND {OPEN_CASE} ORDER BY x.due_on"
            ),
        ),
        (
            "ics.deadline",
            format!(
                "SELECT x.id, p.alias, x.due_on FROM deadlines x JOIN persons p ON p.id = x.person_id
                 WHERE x.done_on IS NULL AND x.due_on >= ?1 AND x.due_on <= ?2 AND {OPEN_CASE} ORDER BY x.due_on"
            ),
        ),
    ];
    for (key, sql) in day_items {
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map([from.to_string(), to.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (id, alias, day) = row?;
            let Ok(d) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else { continue };
            let mut ev = Event::new();
            ev.uid(&format!("{id}@relais")).timestamp(now).all_day(d).summary(&title(key, &alias));
            cal.push(ev.done());
            n += 1;
        }
    }
    Ok((cal.done().to_string(), n))
}

/// Text from the vault for a calendar property: every kind of line break becomes the one
/// `icalendar` escapes (`\n`), any other control character a space. Its escaper leaves a lone
/// CR as it is, and readers such as ical4j (Android's calendars) end a line there: a place or an
/// alias sent by a colleague could otherwise add events, alarms or attendees to the file.
fn ics_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => '\n',
            '\n' => '\n',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// [`ics`] for a file that leaves the vault: recorded in the trail first (`calendar.export`, with
/// the span and what it holds), as a printed day or a document's copy is.
pub fn export_ics(
    store: &mut Store,
    from: NaiveDate,
    to: NaiveDate,
    tz: FixedOffset,
    options: IcsOptions,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(String, usize)> {
    let out = ics(store, from, to, tz, options, lang, now)?;
    let mut fields = vec![format!("from={from}"), format!("to={to}"), format!("events={}", out.1)];
    fields.extend(options.with_alias.then(|| "with_alias".to_owned()));
    fields.extend(options.with_place.then(|| "with_place".to_owned()));
    store.write(|w| w.audit_vault("calendar.export", fields))?;
    Ok(out)
}
