//! « Ma journée »: one page for the worker's day, to take along when the laptop stays at the
//! office: the day's appointments with their times and places and the person's safe-contact
//! flags (may she be phoned, texted, left a message), the court dates and deadlines of the day,
//! the referrals to follow up and the tasks due. Made like the follow-up summary (a
//! [`summary::Doc`], typeset by the same template), at the internal level: aliases, no legal
//! name, no notes. Printing it is recorded in the vault's trail (`day.print`).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::error::Result;
use crate::lang::{Lang, tr};
use crate::model::catalogue::Catalogues;
use crate::reports::summary::{Doc, Line, Section};
use crate::time;
use crate::vault::store::Store;

fn label(list: &str, code: &str, lang: Lang) -> String {
    Catalogues::get().label(list, code, lang).to_owned()
}

/// The most lines a section prints (the page holds four sections of them).
const MAX_LINES: usize = 10;

/// The day `day` (in `now`'s time zone) as a one-page document.
pub fn doc(store: &Store, day: NaiveDate, now: DateTime<FixedOffset>, lang: Lang) -> Result<Doc> {
    let tz = *now.offset();
    let midnight = |d: NaiveDate| crate::reports::dashboard::local_midnight_utc(&tz, d);
    let next = day.succ_opt().expect("a date in range");
    let conn = store.conn();
    use crate::reports::agenda::OPEN_CASE as OPEN;
    let mut appointments = Vec::new();
    let mut st = conn.prepare(&format!(
        "SELECT a.starts_at, p.alias, a.kind, a.place, a.with_whom, a.interpreter_needed, a.interpreter_language,
                p.safe_to_call, p.safe_to_text, p.safe_to_leave_message
         FROM appointments a JOIN persons p ON p.id = a.person_id
         WHERE a.status = 'planned' AND a.starts_at >= ?1 AND a.starts_at < ?2 AND {OPEN} ORDER BY a.starts_at, p.alias"
    ))?;
    let rows = st.query_map([midnight(day), midnight(next)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<bool>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<bool>>(7)?,
            r.get::<_, Option<bool>>(8)?,
            r.get::<_, Option<bool>>(9)?,
        ))
    })?;
    for row in rows {
        let (at, alias, kind, place, with, interp, interp_lang, call, text, message) = row?;
        let Some(at) = time::from_db(&at) else { continue };
        let mut parts = vec![format!("{alias} — {}", label("appointment_kinds", &kind, lang))];
        parts.extend(place.filter(|p| !p.trim().is_empty()));
        if let Some(w) = with.filter(|w| !w.trim().is_empty()) {
            parts.push(tr(lang, "day.with", &[("who", &w)]));
        }
        if interp == Some(true) {
            parts.push(tr(lang, "day.interpreter", &[("language", interp_lang.as_deref().unwrap_or("?"))]));
        }
        parts.push(crate::lang::safe_contact_words(lang, call, text, message));
        appointments.push(Line { label: time::clock(at.with_timezone(&tz).time(), lang), text: parts.join(" · "), in_figure: false });
    }
    let dated = |sql: &str, list: &str| -> Result<Vec<Line>> {
        let mut st = conn.prepare(sql)?;
        let rows = st.query_map([day.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, alias) = row?;
            out.push(Line { label: label(list, &code, lang), text: alias, in_figure: false });
        }
        Ok(out)
    };
    let mut due = dated(
        &format!(
            "SELECT x.code, p.alias FROM milestones x JOIN proceedings c ON c.id = x.proceeding_id JOIN persons p ON p.id = c.person_id
             WHERE x.due_on = ?1 AND x.status = 'planned' AND {OPEN} ORDER BY p.alias"
        ),
        "milestones",
    )?;
    due.extend(dated(
        &format!("SELECT x.kind, p.alias FROM deadlines x JOIN persons p ON p.id = x.person_id WHERE x.due_on = ?1 AND x.done_on IS NULL AND {OPEN} ORDER BY p.alias"),
        "deadline_kinds",
    )?);
    let follow = dated(
        &format!(
            "SELECT x.status, p.alias || ' — ' || o.name FROM referrals x JOIN persons p ON p.id = x.person_id JOIN organisations o ON o.id = x.org_id
             WHERE x.follow_up_on <= ?1 AND x.status IN {awaiting} AND {OPEN}
             ORDER BY x.follow_up_on, p.alias",
            awaiting = crate::model::status::ReferralStatus::AWAITING_SQL
        ),
        "referral_statuses",
    )?;
    let mut tasks = Vec::new();
    let mut st = conn.prepare(&format!(
        "SELECT t.due_on, t.title, p.alias FROM tasks t LEFT JOIN persons p ON p.id = t.person_id
         WHERE t.done_at IS NULL AND t.due_on <= ?1 AND (p.id IS NULL OR {OPEN}) ORDER BY t.due_on, t.title"
    ))?;
    let rows = st.query_map([day.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))?;
    for row in rows {
        let (due_on, title, alias) = row?;
        let label = if due_on == day.to_string() {
            tr(lang, "day.today", &[])
        } else {
            NaiveDate::parse_from_str(&due_on, "%Y-%m-%d").map(|d| time::long_date(d, lang)).unwrap_or(due_on)
        };
        tasks.push(Line { label, text: alias.map_or(title.clone(), |a| format!("{title} ({a})")), in_figure: false });
    }
    // One page: a long list ends with how many more the dashboard shows.
    let section = |key: &str, mut lines: Vec<Line>| {
        if lines.len() > MAX_LINES {
            let more = lines.len() - (MAX_LINES - 1);
            lines.truncate(MAX_LINES - 1);
            lines.push(Line { label: "…".into(), text: tr(lang, "day.more", &[("n", &more.to_string())]), in_figure: false });
        }
        Section { title: tr(lang, key, &[]), figure: None, lines }
    };
    let owner = store.meta(crate::vault::store::Meta::OwnerName)?.unwrap_or_default();
    Ok(Doc {
        lang,
        title: tr(lang, "day.title", &[("date", &time::weekday_date(day, lang))]),
        banner: None,
        sections: vec![
            section("day.appointments", appointments),
            section("day.due", due),
            section("day.follow_ups", follow),
            section("day.tasks", tasks),
        ],
        needs_figure: Vec::new(),
        court_figure: Vec::new(),
        footer: tr(lang, "day.footer", &[("who", &owner), ("when", &time::long_datetime(now.with_timezone(&Utc), lang))]),
    })
}

/// [`doc`] as a PDF, recorded in the trail first (a printed page leaves the vault).
pub fn pdf(store: &mut Store, day: NaiveDate, now: DateTime<FixedOffset>, lang: Lang) -> Result<Vec<u8>> {
    let d = doc(store, day, now, lang)?;
    store.write(|w| w.audit_vault("day.print", vec![format!("day={day}")]))?;
    crate::reports::summary::pdf(&d)
}
