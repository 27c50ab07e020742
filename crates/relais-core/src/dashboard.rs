//! The dashboard: what needs the worker today and this week, computed from an explicit "now"
//! (tests pass a fixed clock). Only open cases (active or on hold) count.
//!
//! Each bucket holds its total and at most [`LIMIT`] items, most urgent first, so the page stays
//! fast on a 10 000-person vault.

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::error::Result;
use crate::store::Store;
use crate::time;

/// Items listed per bucket at most (the total is always exact).
pub const LIMIT: usize = 50;

/// One line of a bucket.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Item {
    /// The record's id.
    pub id: String,
    /// The person's id (absent for a task not tied to a person).
    pub person_id: Option<String>,
    /// The person's alias.
    pub alias: Option<String>,
    /// The date or instant that puts the item in the bucket.
    pub when: String,
    /// A code describing the item (appointment kind, milestone, deadline kind, referral status…).
    pub code: Option<String>,
    /// A short free label where the record has one (task title, deadline label).
    pub label: Option<String>,
}

/// A list on the dashboard.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Bucket {
    /// How many records fall in it.
    pub total: i64,
    /// The first [`LIMIT`] of them.
    pub items: Vec<Item>,
}

/// Unmet needs in one phase.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PhaseCount {
    /// Phase code.
    pub phase: String,
    /// Number of unmet needs.
    pub unmet: i64,
}

/// Everything on the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The "now" it was computed for.
    pub now: String,
    /// Today's date in the worker's time zone.
    pub today: String,
    /// Planned appointments today.
    pub appointments_today: Bucket,
    /// Planned appointments in the next 7 days (after today).
    pub appointments_week: Bucket,
    /// Open tasks past their due date.
    pub overdue_tasks: Bucket,
    /// Open referrals past their follow-up date.
    pub overdue_referrals: Bucket,
    /// Planned court milestones in the next 30 days.
    pub court_milestones: Bucket,
    /// Persons still inside the first 72 hours after intake (`when` = end of the window).
    pub intakes_72h: Bucket,
    /// Persons turning 18 within 6 months (`when` = the 18th birthday).
    pub turning_18: Bucket,
    /// Deadlines (IVAC, permits) not done and due within 60 days, overdue ones included.
    pub deadlines: Bucket,
    /// Unmet needs by phase, in catalogue order.
    pub unmet_needs_by_phase: Vec<PhaseCount>,
}

const OPEN: &str = "p.status IN ('active', 'on_hold')";

fn bucket(conn: &Connection, from_where: &str, select: &str, order: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Bucket> {
    let total: i64 = conn.prepare_cached(&format!("SELECT count(*) {from_where}"))?.query_row(args, |r| r.get(0))?;
    let sql = format!("SELECT {select} {from_where} ORDER BY {order} LIMIT {LIMIT}");
    let mut st = conn.prepare_cached(&sql)?;
    let items = st
        .query_map(args, |r| {
            Ok(Item { id: r.get(0)?, person_id: r.get(1)?, alias: r.get(2)?, when: r.get(3)?, code: r.get(4)?, label: r.get(5)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Bucket { total, items })
}

fn local_midnight_utc(tz: &FixedOffset, d: NaiveDate) -> String {
    let local = tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")).single().expect("fixed offset");
    time::to_db(local.with_timezone(&Utc))
}

/// Computes the dashboard as of `now` (its offset is the worker's time zone).
pub fn compute(store: &Store, now: DateTime<FixedOffset>) -> Result<Dashboard> {
    let conn = store.conn();
    let tz = *now.offset();
    let today = now.date_naive();
    let day = |n: u64| today.checked_add_days(Days::new(n)).expect("date in range");
    let today_s = today.to_string();
    let now_utc = time::to_db(now.with_timezone(&Utc));

    let appt_from = format!(
        "FROM appointments a JOIN persons p ON p.id = a.person_id WHERE a.starts_at >= ?1 AND a.starts_at < ?2 AND a.status = 'planned' AND {OPEN}"
    );
    let appt_sel = "a.id, a.person_id, p.alias, a.starts_at, a.kind, NULL";
    let (t0, t1, t8) = (local_midnight_utc(&tz, today), local_midnight_utc(&tz, day(1)), local_midnight_utc(&tz, day(8)));
    let appointments_today = bucket(conn, &appt_from, appt_sel, "a.starts_at", &[&t0, &t1])?;
    let appointments_week = bucket(conn, &appt_from, appt_sel, "a.starts_at", &[&t1, &t8])?;

    let overdue_tasks = bucket(
        conn,
        &format!(
            "FROM tasks t LEFT JOIN persons p ON p.id = t.person_id WHERE t.done_at IS NULL AND t.due_on < ?1 AND (t.person_id IS NULL OR {OPEN})"
        ),
        "t.id, t.person_id, p.alias, t.due_on, NULL, t.title",
        "t.due_on, t.id",
        &[&today_s],
    )?;

    let overdue_referrals = bucket(
        conn,
        &format!(
            "FROM referrals r JOIN persons p ON p.id = r.person_id WHERE r.follow_up_on < ?1 AND r.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') AND {OPEN}"
        ),
        "r.id, r.person_id, p.alias, r.follow_up_on, r.status, NULL",
        "r.follow_up_on, r.id",
        &[&today_s],
    )?;

    let in30 = day(30).to_string();
    let court_milestones = bucket(
        conn,
        &format!(
            "FROM milestones m JOIN proceedings c ON c.id = m.proceeding_id JOIN persons p ON p.id = c.person_id WHERE m.due_on >= ?1 AND m.due_on <= ?2 AND m.status = 'planned' AND {OPEN}"
        ),
        "m.id, c.person_id, p.alias, m.due_on, m.code, NULL",
        "m.due_on, m.id",
        &[&today_s, &in30],
    )?;

    let since = time::to_db(now.with_timezone(&Utc) - chrono::Duration::hours(72));
    let intakes_72h = bucket(
        conn,
        &format!("FROM persons p WHERE p.intake_at > ?1 AND p.intake_at <= ?2 AND {OPEN}"),
        "p.id, p.id, p.alias, strftime('%Y-%m-%dT%H:%M:%SZ', p.intake_at, '+72 hours'), NULL, NULL",
        "p.intake_at",
        &[&since, &now_utc],
    )?;

    // Born between (today - 18 years) and (today + 6 months - 18 years): 18 within 6 months.
    let born_from = today.checked_sub_months(Months::new(18 * 12)).expect("date in range").to_string();
    let born_to = today
        .checked_add_months(Months::new(6))
        .and_then(|d| d.checked_sub_months(Months::new(18 * 12)))
        .expect("date in range")
        .to_string();
    let turning_18 = bucket(
        conn,
        &format!("FROM persons p WHERE p.birth_date >= ?1 AND p.birth_date <= ?2 AND {OPEN}"),
        "p.id, p.id, p.alias, date(p.birth_date, '+18 years'), NULL, NULL",
        "p.birth_date",
        &[&born_from, &born_to],
    )?;

    let in60 = day(60).to_string();
    let deadlines = bucket(
        conn,
        &format!("FROM deadlines d JOIN persons p ON p.id = d.person_id WHERE d.done_on IS NULL AND d.due_on <= ?1 AND {OPEN}"),
        "d.id, d.person_id, p.alias, d.due_on, d.kind, d.label",
        "d.due_on, d.id",
        &[&in60],
    )?;

    let mut unmet_needs_by_phase = Vec::new();
    let mut st = conn.prepare_cached(&format!(
        "SELECT count(*) FROM needs n JOIN persons p ON p.id = n.person_id WHERE n.status = 'unmet' AND n.phase = ?1 AND {OPEN}"
    ))?;
    for phase in crate::catalogue::Catalogues::get().list("phases") {
        let unmet: i64 = st.query_row(params![phase.code], |r| r.get(0))?;
        unmet_needs_by_phase.push(PhaseCount { phase: phase.code.clone(), unmet });
    }

    Ok(Dashboard {
        now: now.to_rfc3339(),
        today: today_s,
        appointments_today,
        appointments_week,
        overdue_tasks,
        overdue_referrals,
        court_milestones,
        intakes_72h,
        turning_18,
        deadlines,
        unmet_needs_by_phase,
    })
}
