//! The dashboard: what needs the worker today and this week, computed from an explicit "now"
//! (tests pass a fixed clock). Only open cases (active or on hold) count.
//!
//! Each bucket holds at most [`LIMIT`] items, most urgent first, and its exact total. The lists
//! that grow with the caseload (overdue tasks and referrals, deadlines, safety reviews, court
//! milestones, appointments, unmet needs) are counted from `dashboard_counts`, which triggers
//! keep in the same transaction as every write (migration 0016): a count is the sum of a range
//! of dates, not a walk over thousands of rows. The others are bounded by their window (72
//! hours, six months of birthdays, thirty days of consents) and counted from their index.
//! Every list walks an index in the order it shows, so it stops after [`LIMIT`] rows.

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::error::{Error, Problem, Result};
use crate::time;
use crate::vault::store::Store;

/// Items listed per bucket at most.
pub const LIMIT: usize = 50;

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
    /// How many records fall in it.
    pub total: i64,
    /// The first [`LIMIT`] of them.
    pub items: Vec<Item>,
}

/// Unmet needs in one phase.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PhaseCount {
    /// Phase code.
    pub phase: String,
    /// Number of unmet needs.
    pub unmet: i64,
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

/// Persons whose case is not open (closed, handed off), kept by triggers (migration 0017): each
/// candidate row is checked with one probe of a small index instead of reading its person's row.
const CLOSED: &str = "(SELECT id FROM persons_closed)";

/// One bucket: `from` names the table with alias `x`, `filter` selects its rows, `select` lists
/// the item columns with `p` joined on `person` for the alias.
struct Query<'a> {
    from: &'a str,
    filter: String,
    person: &'a str,
    select: &'a str,
    order: &'a str,
}

/// How a bucket is counted: from `dashboard_counts` (`bucket`, keys from `lo` (included) to
/// `hi` (included or not)), or by counting the rows the filter selects (a bounded window).
enum Total<'a> {
    Kept { bucket: &'a str, lo: Option<String>, hi: Option<String>, hi_included: bool },
    Rows,
}

/// The exact count of one of the kept buckets over a range of keys.
fn kept(conn: &Connection, bucket: &str, lo: Option<&str>, hi: Option<&str>, hi_included: bool) -> Result<i64> {
    let op = if hi_included { "<=" } else { "<" };
    let sql = format!(
        "SELECT coalesce(sum(n), 0) FROM dashboard_counts WHERE bucket = ?1 AND (?2 IS NULL OR key >= ?2) AND (?3 IS NULL OR key {op} ?3)"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![bucket, lo, hi], |r| r.get(0))?)
}

/// The safe-contact flags of the persons the lists name, read with the lists.
type Flags = std::collections::BTreeMap<String, SafeFlags>;

fn bucket(conn: &Connection, q: Query<'_>, total: Total<'_>, flags: &mut Flags, args: &[&dyn rusqlite::ToSql]) -> Result<Bucket> {
    let Query { from, filter, person, select, order } = q;
    let sql = format!(
        "SELECT {select}, p.safe_to_call, p.safe_to_text, p.safe_to_leave_message FROM {from} LEFT JOIN persons p ON p.id = {person}
         WHERE {filter} ORDER BY {order} LIMIT {LIMIT}"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(args)?;
    let mut items = Vec::new();
    while let Some(r) = rows.next()? {
        let item = Item { id: r.get(0)?, person_id: r.get(1)?, alias: r.get(2)?, when: r.get(3)?, code: r.get(4)?, label: r.get(5)? };
        if let Some(p) = &item.person_id {
            flags.insert(p.clone(), SafeFlags { call: r.get(6)?, text: r.get(7)?, message: r.get(8)? });
        }
        items.push(item);
    }
    let total = match total {
        Total::Kept { bucket, lo, hi, hi_included } => kept(conn, bucket, lo.as_deref(), hi.as_deref(), hi_included)?,
        // A window shorter than a page holds everything already.
        Total::Rows if items.len() < LIMIT => items.len() as i64,
        Total::Rows => conn.prepare_cached(&format!("SELECT count(*) FROM {from} WHERE {filter}"))?.query_row(args, |r| r.get(0))?,
    };
    Ok(Bucket { total, items })
}

/// The quarter of an hour an instant (`time::to_db`) falls in, as `dashboard_counts` keys a
/// planned appointment: `2026-12-03T05:15`. `None` when the instant is not on a quarter.
fn quarter(instant: &str) -> Option<String> {
    let (head, minutes) = (instant.get(..14)?, instant.get(14..16)?);
    let rest = instant.get(16..)?;
    (matches!(minutes, "00" | "15" | "30" | "45") && rest == ":00Z").then(|| format!("{head}{minutes}"))
}

/// The first instant of day `d` in `tz`, as stored: its midnight, or the first minute after
/// it where a change of time skips midnight.
pub(crate) fn local_midnight_utc<Tz: TimeZone>(tz: &Tz, d: NaiveDate) -> String {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight");
    let first = (0..=120)
        .find_map(|m| tz.from_local_datetime(&(midnight + chrono::Duration::minutes(m))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc());
    time::to_db(first)
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
    let tz = *now.offset();
    let today = now.date_naive();
    let day = |n: u64| today.checked_add_days(Days::new(n)).expect("date in range");
    let today_s = today.to_string();
    let now_utc = time::to_db(now.with_timezone(&Utc));

    let open = |col: &str| format!("{col} NOT IN {CLOSED}");
    let mut flags = Flags::new();
    let appts = |from: &String, to: &String, flags: &mut Flags| {
        // Local midnights are whole quarters of an hour in every zone in use; an offset that is
        // not (a test's, a historical one) is counted row by row, exactly too.
        let total = match (quarter(from), quarter(to)) {
            (Some(lo), Some(hi)) => Total::Kept { bucket: "appointment", lo: Some(lo), hi: Some(hi), hi_included: false },
            _ => Total::Rows,
        };
        bucket(
            conn,
            Query {
                // Planned ones only, in the order of their partial index: the list stops after its
                // first rows instead of sorting the whole week's.
                from: "appointments x INDEXED BY appointments_planned",
                filter: format!("x.starts_at >= ?1 AND x.starts_at < ?2 AND x.status = 'planned' AND {}", open("x.person_id")),
                person: "x.person_id",
                select: "x.id, x.person_id, p.alias, x.starts_at, x.kind, NULL",
                order: "x.starts_at, x.person_id",
            },
            total,
            flags,
            &[from, to],
        )
    };
    let (t0, t1, t8) = (local_midnight_utc(&tz, today), local_midnight_utc(&tz, day(1)), local_midnight_utc(&tz, day(8)));
    let appointments_today = appts(&t0, &t1, &mut flags)?;
    let appointments_week = appts(&t1, &t8, &mut flags)?;

    let overdue_tasks = bucket(
        conn,
        Query {
            from: "tasks x",
            filter: format!("x.done_at IS NULL AND x.due_on < ?1 AND (x.person_id IS NULL OR {})", open("x.person_id")),
            person: "x.person_id",
            select: "x.id, x.person_id, p.alias, x.due_on, NULL, x.title",
            order: "x.due_on, x.person_id",
        },
        Total::Kept { bucket: "task", lo: None, hi: Some(today_s.clone()), hi_included: false },
        &mut flags,
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
        Total::Kept { bucket: "referral", lo: None, hi: Some(today_s.clone()), hi_included: false },
        &mut flags,
        &[&today_s],
    )?;

    let in30 = day(30).to_string();
    let court_milestones = bucket(
        conn,
        Query {
            from: "milestones x INDEXED BY milestones_planned JOIN proceedings c ON c.id = x.proceeding_id",
            filter: format!("x.due_on >= ?1 AND x.due_on <= ?2 AND x.status = 'planned' AND c.person_id NOT IN {CLOSED}"),
            person: "c.person_id",
            select: "x.id, c.person_id, p.alias, x.due_on, x.code, NULL",
            order: "x.due_on, x.proceeding_id",
        },
        Total::Kept { bucket: "milestone", lo: Some(today_s.clone()), hi: Some(in30.clone()), hi_included: true },
        &mut flags,
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
        Total::Rows,
        &mut flags,
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
            from: "persons x INDEXED BY persons_birth_open",
            filter: "x.birth_date >= ?1 AND x.birth_date <= ?2 AND x.status IN ('active', 'on_hold')".into(),
            person: "x.id",
            select: "x.id, x.id, x.alias, date(x.birth_date, '+18 years'), NULL, NULL",
            order: "x.birth_date",
        },
        Total::Rows,
        &mut flags,
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
        Total::Kept { bucket: "deadline", lo: None, hi: Some(in60.clone()), hi_included: true },
        &mut flags,
        &[&in60],
    )?;

    let mut unmet_needs_by_phase = Vec::new();
    for phase in crate::model::catalogue::Catalogues::get().list("phases") {
        let unmet = kept(conn, "unmet", Some(&phase.code), Some(&phase.code), true)?;
        unmet_needs_by_phase.push(PhaseCount { phase: phase.code.clone(), unmet });
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
        Total::Rows,
        &mut flags,
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
        Total::Kept { bucket: "safety", lo: None, hi: Some(in7.clone()), hi_included: true },
        &mut flags,
        &[&in7],
    )?;
    let aids_pending = bucket(
        conn,
        Query {
            from: "testimonial_aids x INDEXED BY testimonial_aids_requested JOIN proceedings c ON c.id = x.proceeding_id",
            filter: format!("x.status = 'requested' AND c.person_id NOT IN {CLOSED}"),
            person: "c.person_id",
            select: "x.id, c.person_id, p.alias, coalesce(x.requested_on, substr(x.created_at, 1, 10)), x.code, NULL",
            order: "coalesce(x.requested_on, substr(x.created_at, 1, 10)), c.person_id",
        },
        Total::Rows,
        &mut flags,
        &[],
    )?;
    let cutoff = time::to_db(now.with_timezone(&Utc) - chrono::Duration::days(i64::from(no_contact_days)));
    // The last contact is kept on the person's row (migration 0012), in a partial index of the
    // open cases: the list is one range of it.
    let no_contact = bucket(
        conn,
        Query {
            from: "persons x INDEXED BY persons_no_contact",
            filter: "x.status IN ('active', 'on_hold') AND coalesce(x.last_contact, x.intake_at) < ?1".into(),
            person: "x.id",
            select: "x.id, x.id, x.alias, coalesce(x.last_contact, x.intake_at), NULL, NULL",
            order: "coalesce(x.last_contact, x.intake_at), x.id",
        },
        Total::Rows,
        &mut flags,
        &[&cutoff],
    )?;

    let due = crate::case::retention::due(store, today)?;
    let retention_due = Bucket {
        total: due.len() as i64,
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

    // The safe-contact flags of everyone the lists name (read with them).
    let safe_flags = flags;

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

/// One day of the calendar: how many appointments it holds, and the first of them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CalendarDay {
    /// The local date (`YYYY-MM-DD`).
    pub date: String,
    /// How many appointments it holds, every status.
    pub total: u32,
    /// Its first appointments, in order: all of them unless fewer were asked.
    pub items: Vec<CalendarItem>,
}

/// The longest stretch [`calendar`] reads at once, in days.
pub const CALENDAR_MAX_DAYS: u32 = 31;

/// The appointments of `days` days from `first` (local dates in `tz`, each day's own midnight:
/// a week across a change of time keeps each appointment on its day), every status, in order,
/// day by day: each day's count, and its first `per_day` appointments (all: none). A team's
/// week holds thousands of appointments; the window shows each day's first and asks for a
/// day's rest when the worker opens it.
pub fn calendar<Tz: TimeZone>(store: &Store, first: NaiveDate, days: u32, tz: &Tz, per_day: Option<u32>) -> Result<Vec<CalendarDay>> {
    if days == 0 || days > CALENDAR_MAX_DAYS {
        return Err(Error::invalid("days", Problem::MalformedNumber));
    }
    let conn = store.conn();
    let mut count = conn.prepare_cached("SELECT count(*) FROM appointments WHERE starts_at >= ?1 AND starts_at < ?2")?;
    let mut list = conn.prepare_cached(
        "SELECT a.id, a.person_id, p.alias, a.starts_at, a.ends_at, a.kind, a.status, a.place,
                p.safe_to_call, p.safe_to_text, p.safe_to_leave_message,
                a.interpreter_needed, a.interpreter_language, a.interpreter_provider
         FROM appointments a JOIN persons p ON p.id = a.person_id
         WHERE a.starts_at >= ?1 AND a.starts_at < ?2 ORDER BY a.starts_at, p.alias, a.id LIMIT ?3",
    )?;
    let limit = per_day.map_or(-1, i64::from);
    let mut out = Vec::new();
    for i in 0..days {
        let day = first.checked_add_days(Days::new(u64::from(i))).ok_or_else(|| Error::invalid("first", Problem::MalformedDate))?;
        let next = day.checked_add_days(Days::new(1)).ok_or_else(|| Error::invalid("first", Problem::MalformedDate))?;
        let (from, to) = (local_midnight_utc(tz, day), local_midnight_utc(tz, next));
        let total: i64 = count.query_row([&from, &to], |r| r.get(0))?;
        let items = list
            .query_map(rusqlite::params![from, to, limit], |r| {
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
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(CalendarDay { date: day.to_string(), total: u32::try_from(total).unwrap_or(u32::MAX), items });
    }
    Ok(out)
}

/// The appointments of the 7 days from `monday` (local dates in `tz`), every status, in order.
pub fn week(store: &Store, monday: NaiveDate, tz: FixedOffset) -> Result<Vec<CalendarItem>> {
    Ok(calendar(store, monday, 7, &tz, None)?.into_iter().flat_map(|d| d.items).collect())
}
