//! The dashboard: what needs the worker today and this week, computed from an explicit "now"
//! (tests pass a fixed clock). Only open cases (active or on hold) count.
//!
//! Each bucket holds at most [`LIMIT`] items, most urgent first, and its total counted up to
//! [`COUNT_CAP`] (beyond, `capped` is set and the page says "200+"): a worker needs the
//! first items and the order of magnitude, and counting thousands of overdue rows would make
//! the page slow on a 10 000-person vault. Every query walks a covering index in the order it
//! lists, so it stops after [`LIMIT`] rows.

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::error::Result;
use crate::time;
use crate::vault::store::Store;

/// Items listed per bucket at most.
pub const LIMIT: usize = 50;

/// Totals are exact up to this; above, [`Bucket::capped`] is set.
pub const COUNT_CAP: i64 = 200;

/// One line of a bucket.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Default)]
pub struct Bucket {
    /// How many records fall in it, at most [`COUNT_CAP`].
    pub total: i64,
    /// More than [`COUNT_CAP`] records fall in it.
    pub capped: bool,
    /// The first [`LIMIT`] of them.
    pub items: Vec<Item>,
}

/// Unmet needs in one phase.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PhaseCount {
    /// Phase code.
    pub phase: String,
    /// Number of unmet needs, at most [`COUNT_CAP`].
    pub unmet: i64,
    /// More than [`COUNT_CAP`] unmet needs.
    pub capped: bool,
}

/// Everything on the dashboard.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Closed cases whose retention period is over, to destroy (`when` = the last day kept).
    pub retention_due: Bucket,
    /// Consents in force that end within 30 days (`when` = the last day, `label` = the scope).
    pub expiring_consents: Bucket,
    /// Safety-plan items not done whose review date is within 7 days or past.
    pub safety_reviews: Bucket,
    /// Testimonial aids requested and not decided yet (`when` = the day requested).
    pub aids_pending: Bucket,
    /// Open cases with no contact for [`Dashboard::no_contact_days`] days or more (`when` = the
    /// last contact, or the intake when there was none).
    pub no_contact: Bucket,
    /// The number of days without contact that puts a case in [`Dashboard::no_contact`].
    pub no_contact_days: u32,
    /// Safe-contact flags (call, text, voice message) of every person the lists above name,
    /// by person id: shown next to the alias for a worker about to phone.
    pub safe_flags: std::collections::BTreeMap<String, SafeFlags>,
    /// Unmet needs by phase, in catalogue order.
    pub unmet_needs_by_phase: Vec<PhaseCount>,
}

/// Whether a person may be phoned, texted, left a voice message safely (`None`: not known).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
pub struct SafeFlags {
    /// Safe to call.
    pub call: Option<bool>,
    /// Safe to text.
    pub text: Option<bool>,
    /// Safe to leave a voice message.
    pub message: Option<bool>,
}

/// The days without contact the dashboard flags when none is set.
pub const NO_CONTACT_DAYS: u32 = 30;
/// The range accepted for that setting.
pub const NO_CONTACT_RANGE: std::ops::RangeInclusive<u32> = 7..=365;

/// Refuses a number of days without contact outside [`NO_CONTACT_RANGE`] (the dashboard, and the
/// app's setting before it is saved).
pub fn check_no_contact_days(days: u32) -> Result<()> {
    if NO_CONTACT_RANGE.contains(&days) {
        Ok(())
    } else {
        Err(crate::error::Error::invalid("no_contact_days", crate::error::Problem::MalformedNumber))
    }
}

/// Persons whose case is not open (closed, handed off), gathered once per dashboard into an
/// in-memory temp table (TEMP_STORE=3: never a file) so that each candidate row is checked with
/// one index probe instead of reading its person's row, or every query rebuilding the list.
const CLOSED: &str = "(SELECT id FROM temp.dashboard_closed)";

/// One bucket: `from` names the table with alias `x`, `filter` selects its rows (covered by an
/// index, so counting reads no wide row), `select` lists the item columns with `p` joined on
/// `person` for the alias.
struct Query<'a> {
    from: &'a str,
    filter: String,
    person: &'a str,
    select: &'a str,
    order: &'a str,
}

fn bucket(conn: &Connection, q: Query<'_>, args: &[&dyn rusqlite::ToSql]) -> Result<Bucket> {
    let Query { from, filter, person, select, order } = q;
    // One walk of the index gives both the items and the (capped) count.
    let sql = format!(
        "SELECT {select} FROM {from} LEFT JOIN persons p ON p.id = {person} WHERE {filter} ORDER BY {order} LIMIT {}",
        COUNT_CAP + 1
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(args)?;
    let mut items = Vec::new();
    let mut counted = 0i64;
    while let Some(r) = rows.next()? {
        counted += 1;
        if items.len() < LIMIT {
            items.push(Item { id: r.get(0)?, person_id: r.get(1)?, alias: r.get(2)?, when: r.get(3)?, code: r.get(4)?, label: r.get(5)? });
        }
    }
    Ok(Bucket { total: counted.min(COUNT_CAP), capped: counted > COUNT_CAP, items })
}

pub(crate) fn local_midnight_utc(tz: &FixedOffset, d: NaiveDate) -> String {
    let local = tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")).single().expect("fixed offset");
    time::to_db(local.with_timezone(&Utc))
}

/// Computes the dashboard as of `now` (its offset is the worker's time zone), flagging cases
/// without contact for [`NO_CONTACT_DAYS`].
pub fn compute(store: &Store, now: DateTime<FixedOffset>) -> Result<Dashboard> {
    compute_with(store, now, NO_CONTACT_DAYS)
}

/// [`compute`], flagging cases without contact for `no_contact_days` (refused outside
/// [`NO_CONTACT_RANGE`]).
pub fn compute_with(store: &Store, now: DateTime<FixedOffset>, no_contact_days: u32) -> Result<Dashboard> {
    check_no_contact_days(no_contact_days)?;
    let conn = store.conn();
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS dashboard_closed (id TEXT PRIMARY KEY) WITHOUT ROWID;
         DELETE FROM temp.dashboard_closed;
         INSERT INTO temp.dashboard_closed SELECT id FROM persons WHERE status IN ('closed', 'handed_off');",
    )?;
    let tz = *now.offset();
    let today = now.date_naive();
    let day = |n: u64| today.checked_add_days(Days::new(n)).expect("date in range");
    let today_s = today.to_string();
    let now_utc = time::to_db(now.with_timezone(&Utc));

    let open = |col: &str| format!("{col} NOT IN {CLOSED}");
    let appts = |from: &String, to: &String| {
        bucket(
            conn,
            Query {
                from: "appointments x",
                filter: format!("x.starts_at >= ?1 AND x.starts_at < ?2 AND x.status = 'planned' AND {}", open("x.person_id")),
                person: "x.person_id",
                select: "x.id, x.person_id, p.alias, x.starts_at, x.kind, NULL",
                order: "x.starts_at, x.status, x.person_id",
            },
            &[from, to],
        )
    };
    let (t0, t1, t8) = (local_midnight_utc(&tz, today), local_midnight_utc(&tz, day(1)), local_midnight_utc(&tz, day(8)));
    let appointments_today = appts(&t0, &t1)?;
    let appointments_week = appts(&t1, &t8)?;

    let overdue_tasks = bucket(
        conn,
        Query {
            from: "tasks x",
            filter: format!("x.done_at IS NULL AND x.due_on < ?1 AND (x.person_id IS NULL OR {})", open("x.person_id")),
            person: "x.person_id",
            select: "x.id, x.person_id, p.alias, x.due_on, NULL, x.title",
            order: "x.due_on, x.person_id",
        },
        &[&today_s],
    )?;

    let overdue_referrals = bucket(
        conn,
        Query {
            from: "referrals x",
            filter: format!(
                "x.follow_up_on < ?1 AND x.status IN {} AND {}",
                crate::model::status::ReferralStatus::AWAITING_SQL,
                open("x.person_id")
            ),
            person: "x.person_id",
            select: "x.id, x.person_id, p.alias, x.follow_up_on, x.status, NULL",
            order: "x.follow_up_on, x.status, x.person_id",
        },
        &[&today_s],
    )?;

    let in30 = day(30).to_string();
    let court_milestones = bucket(
        conn,
        Query {
            from: "milestones x JOIN proceedings c ON c.id = x.proceeding_id",
            filter: format!(
                "x.due_on >= ?1 AND x.due_on <= ?2 AND x.status = 'planned' AND x.proceeding_id NOT IN (SELECT id FROM proceedings WHERE person_id IN {CLOSED})"
            ),
            person: "c.person_id",
            select: "x.id, c.person_id, p.alias, x.due_on, x.code, NULL",
            order: "x.due_on, x.status, x.proceeding_id",
        },
        &[&today_s, &in30],
    )?;

    let since = time::to_db(now.with_timezone(&Utc) - chrono::Duration::hours(72));
    let intakes_72h = bucket(
        conn,
        Query {
            from: "persons x",
            // The unary + keeps SQLite off the persons_status index, useless when most cases are open.
            filter: "x.intake_at > ?1 AND x.intake_at <= ?2 AND +x.status IN ('active', 'on_hold')".into(),
            person: "x.id",
            select: "x.id, x.id, x.alias, strftime('%Y-%m-%dT%H:%M:%SZ', x.intake_at, '+72 hours'), NULL, NULL",
            order: "x.intake_at",
        },
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
        Query {
            from: "persons x",
            filter: "x.birth_date >= ?1 AND x.birth_date <= ?2 AND +x.status IN ('active', 'on_hold')".into(),
            person: "x.id",
            select: "x.id, x.id, x.alias, date(x.birth_date, '+18 years'), NULL, NULL",
            order: "x.birth_date",
        },
        &[&born_from, &born_to],
    )?;

    let in60 = day(60).to_string();
    let deadlines = bucket(
        conn,
        Query {
            from: "deadlines x",
            filter: format!("x.done_on IS NULL AND x.due_on <= ?1 AND {}", open("x.person_id")),
            person: "x.person_id",
            select: "x.id, x.person_id, p.alias, x.due_on, x.kind, x.label",
            order: "x.due_on, x.person_id",
        },
        &[&in60],
    )?;

    let mut unmet_needs_by_phase = Vec::new();
    let mut st = conn.prepare_cached(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM needs n WHERE n.status = 'unmet' AND n.phase = ?1 AND n.person_id NOT IN {CLOSED} LIMIT {})",
        COUNT_CAP + 1
    ))?;
    for phase in crate::model::catalogue::Catalogues::get().list("phases") {
        let unmet: i64 = st.query_row(params![phase.code], |r| r.get(0))?;
        unmet_needs_by_phase.push(PhaseCount { phase: phase.code.clone(), unmet: unmet.min(COUNT_CAP), capped: unmet > COUNT_CAP });
    }

    let expiring_consents = bucket(
        conn,
        Query {
            from: "consents x",
            filter: format!(
                "x.withdrawn_on IS NULL AND x.ends_on >= ?1 AND x.ends_on <= ?2 AND x.starts_on <= ?1 AND {}",
                open("x.person_id")
            ),
            person: "x.person_id",
            select: "x.id, x.person_id, p.alias, x.ends_on, NULL, x.scope",
            order: "x.ends_on, x.person_id",
        },
        &[&today_s, &in30],
    )?;
    let in7 = day(7).to_string();
    let safety_reviews = bucket(
        conn,
        Query {
            from: "safety_items x",
            filter: format!("x.done_on IS NULL AND x.review_on <= ?1 AND {}", open("x.person_id")),
            person: "x.person_id",
            select: "x.id, x.person_id, p.alias, x.review_on, NULL, NULL",
            order: "x.review_on, x.person_id",
        },
        &[&in7],
    )?;
    let aids_pending = bucket(
        conn,
        Query {
            from: "testimonial_aids x JOIN proceedings c ON c.id = x.proceeding_id",
            filter: format!("x.status = 'requested' AND c.person_id NOT IN {CLOSED}"),
            person: "c.person_id",
            select: "x.id, c.person_id, p.alias, coalesce(x.requested_on, substr(x.created_at, 1, 10)), x.code, NULL",
            order: "coalesce(x.requested_on, substr(x.created_at, 1, 10)), c.person_id",
        },
        &[],
    )?;
    let cutoff = time::to_db(now.with_timezone(&Utc) - chrono::Duration::days(i64::from(no_contact_days)));
    // The last contact is kept on the person's row (migration 0012), in a partial index of the
    // open cases: the list is one range of it.
    let no_contact = bucket(
        conn,
        Query {
            from: "persons x",
            filter: "x.status IN ('active', 'on_hold') AND coalesce(x.last_contact, x.intake_at) < ?1".into(),
            person: "x.id",
            select: "x.id, x.id, x.alias, coalesce(x.last_contact, x.intake_at), NULL, NULL",
            order: "coalesce(x.last_contact, x.intake_at), x.id",
        },
        &[&cutoff],
    )?;

    let due = crate::case::retention::due(store, today)?;
    let retention_due = Bucket {
        total: (due.len() as i64).min(COUNT_CAP),
        capped: due.len() as i64 > COUNT_CAP,
        items: due
            .into_iter()
            .take(LIMIT)
            .map(|c| Item {
                id: c.person_id.clone(),
                person_id: Some(c.person_id),
                alias: Some(c.alias),
                when: c.until,
                code: None,
                label: None,
            })
            .collect(),
    };

    // The safe-contact flags of everyone named above, in one query.
    let mut safe_flags = std::collections::BTreeMap::new();
    {
        let named: std::collections::BTreeSet<&str> = [
            &appointments_today,
            &appointments_week,
            &overdue_tasks,
            &overdue_referrals,
            &court_milestones,
            &intakes_72h,
            &turning_18,
            &deadlines,
            &expiring_consents,
            &safety_reviews,
            &aids_pending,
            &no_contact,
        ]
        .into_iter()
        .flat_map(|b| b.items.iter().filter_map(|i| i.person_id.as_deref()))
        .collect();
        let ids = serde_json::to_string(&named).expect("ids serialize");
        let mut st = conn.prepare_cached(
            "SELECT id, safe_to_call, safe_to_text, safe_to_leave_message FROM persons WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows =
            st.query_map([ids], |r| Ok((r.get::<_, String>(0)?, SafeFlags { call: r.get(1)?, text: r.get(2)?, message: r.get(3)? })))?;
        for row in rows {
            let (id, flags) = row?;
            safe_flags.insert(id, flags);
        }
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
        retention_due,
        unmet_needs_by_phase,
        expiring_consents,
        safety_reviews,
        aids_pending,
        no_contact,
        no_contact_days,
        safe_flags,
    })
}

/// An appointment in the week calendar.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CalendarItem {
    /// Appointment id.
    pub id: String,
    /// Person id.
    pub person_id: String,
    /// Person alias.
    pub alias: String,
    /// Start (RFC 3339 UTC).
    pub starts_at: String,
    /// End, if known.
    pub ends_at: Option<String>,
    /// Appointment kind code.
    pub kind: String,
    /// Status code (planned, attended…).
    pub status: String,
    /// Place.
    pub place: Option<String>,
    /// Whether the person may be phoned, texted, left a voice message safely (unknown: none),
    /// shown next to the appointment for a worker about to call.
    pub safe_to_call: Option<bool>,
    /// See `safe_to_call`.
    pub safe_to_text: Option<bool>,
    /// See `safe_to_call`.
    pub safe_to_leave_message: Option<bool>,
    /// An interpreter is needed at this appointment.
    pub interpreter_needed: Option<bool>,
    /// In which language.
    pub interpreter_language: Option<String>,
    /// From which provider.
    pub interpreter_provider: Option<String>,
}

/// The appointments of the 7 days from `monday` (local dates in `tz`), every status, in order.
pub fn week(store: &Store, monday: NaiveDate, tz: FixedOffset) -> Result<Vec<CalendarItem>> {
    let end = monday.checked_add_days(Days::new(7)).expect("date in range");
    let mut st = store.conn().prepare_cached(
        "SELECT a.id, a.person_id, p.alias, a.starts_at, a.ends_at, a.kind, a.status, a.place,
                p.safe_to_call, p.safe_to_text, p.safe_to_leave_message,
                a.interpreter_needed, a.interpreter_language, a.interpreter_provider
         FROM appointments a JOIN persons p ON p.id = a.person_id
         WHERE a.starts_at >= ?1 AND a.starts_at < ?2 ORDER BY a.starts_at, p.alias",
    )?;
    let rows = st.query_map([local_midnight_utc(&tz, monday), local_midnight_utc(&tz, end)], |r| {
        Ok(CalendarItem {
            id: r.get(0)?,
            person_id: r.get(1)?,
            alias: r.get(2)?,
            starts_at: r.get(3)?,
            ends_at: r.get(4)?,
            kind: r.get(5)?,
            status: r.get(6)?,
            place: r.get(7)?,
            safe_to_call: r.get(8)?,
            safe_to_text: r.get(9)?,
            safe_to_leave_message: r.get(10)?,
            interpreter_needed: r.get(11)?,
            interpreter_language: r.get(12)?,
            interpreter_provider: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
