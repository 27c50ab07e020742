//! The true counts of a period, before any suppression: the [`Ledger`].
//!
//! A ledger is counts only (catalogue codes, numbers, a histogram of days), never a person, an
//! alias, an id, a date of birth or free text. It is what [`super::publish`] suppresses into the
//! published [`super::Stats`], and what an organisation sends, encrypted, to the coalition's
//! coordinator ([`super::coalition`]), whose Relais adds the ledgers up and suppresses only
//! after the merge ([`Ledger::merge`]).
//!
//! A ledger's *shape* (its tables, their rows and columns, in order) depends only on the
//! catalogues and the period: [`Ledger::check`] compares a received ledger with the shape this
//! version would compute for the same period, so a ledger can carry nothing but numbers in
//! known places.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::catalogue::Catalogues;
use crate::model::status::MilestoneStatus;
use crate::record::{Fields, Kind, ReadFields, str_field};
use crate::reports::summary::date_of as day;
use crate::vault::store::Store;

pub use crate::exchange::{LEDGER_FORMAT, LEDGER_MAX_COUNT as MAX_COUNT, LEDGER_MAX_SUM as MAX_SUM};

/// The longest delay the median reads, in days (about a hundred years).
pub const MAX_DAYS: u32 = 36_600;

/// The longest period a report covers, in months (its time series has a row per month).
pub const MAX_MONTHS: usize = 240;

/// The headings of one side of a table: codes of a catalogue list, or of the report's own
/// headings (`list` = `stats`), or months (`list` = `months`, codes `2026-04`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Where the labels come from.
    pub list: String,
    /// The codes, in order.
    pub codes: Vec<String>,
}

/// One table of true counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Stable identifier (`needs_by_phase_status`…).
    pub id: String,
    /// Row headings.
    pub rows: Axis,
    /// Column headings.
    pub columns: Axis,
    /// `counts[row][column]`.
    pub counts: Vec<Vec<u64>>,
    /// Each unit counts once (totals are published) or may count in several rows (no totals).
    pub additive: bool,
}

/// One measure (minutes, cents) added up by row, with who it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumCounts {
    /// Stable identifier (`time_by_kind`…).
    pub id: String,
    /// `minutes` or `cents`.
    pub unit: String,
    /// Row headings.
    pub rows: Axis,
    /// The sum of each row.
    pub values: Vec<i64>,
    /// How many persons have a share in exactly the rows of each bit mask (bit `i`: row `i`):
    /// the persons of a row, of the total, and of any group of rows are sums of these, and
    /// they add up across organisations.
    pub persons: BTreeMap<u64, u64>,
}

/// The true counts of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// [`LEDGER_FORMAT`].
    pub format: u32,
    /// First day covered; none: since the first intake.
    pub from: Option<NaiveDate>,
    /// Last day covered.
    pub to: NaiveDate,
    /// How many organisations' ledgers were added up (1 for one vault's own).
    pub organisations: u32,
    /// The count tables.
    pub tables: Vec<Counts>,
    /// The sums.
    pub sums: Vec<SumCounts>,
    /// Days from intake to first service, for the persons taken in during the period: how many
    /// persons waited each number of days (a median cannot be added up, a histogram can).
    pub days_to_first_service: BTreeMap<u32, u64>,
    /// In a merge, the organisations' own ledgers, for the dominance rule of [`super::publish`]
    /// (a member knows its own counts). Never written anywhere.
    #[serde(skip)]
    pub parts: Vec<Ledger>,
}

/// Where a record's person is in [`Data::persons`]; [`NOBODY`] when it names no person of the
/// vault.
type Who = u32;
const NOBODY: Who = Who::MAX;

/// A code read as its place in a catalogue list (none: absent or not of the list).
type At = Option<u16>;

/// A need, as [`count`] reads it.
struct Need {
    person: Who,
    identified_on: Option<NaiveDate>,
    phase: At,
    status: At,
}

/// A referral: its organisation's kind already looked up (`other` when it has none).
struct Referral {
    person: Who,
    created_on: Option<NaiveDate>,
    org_kind: At,
    status: At,
}

/// An appointment.
struct Appointment {
    person: Who,
    starts_on: Option<NaiveDate>,
    status: At,
    attended: bool,
    /// Its kind (`other` when none).
    kind: At,
    minutes: i64,
}

/// A court milestone: its proceeding's place in [`Data::proceedings`].
struct Milestone {
    proceeding: Who,
    done: bool,
    done_on: Option<NaiveDate>,
    code: At,
}

/// A note's time.
struct Note {
    person: Who,
    on: Option<NaiveDate>,
    /// Its kind (`other` when none).
    kind: At,
    minutes: i64,
}

/// An expense.
struct Expense {
    person: Who,
    spent_on: Option<NaiveDate>,
    /// Its fund (`other` when none).
    fund: At,
    cents: i64,
}

/// The records a ledger is counted from (all of them, the period is applied by [`count`]).
/// The numerous kinds are read straight into small rows (no map, no text kept): a vault of ten
/// thousand persons holds hundreds of thousands of records.
#[derive(Default)]
struct Data {
    persons: Vec<Fields>,
    proceedings: Vec<Fields>,
    needs: Vec<Need>,
    referrals: Vec<Referral>,
    appointments: Vec<Appointment>,
    milestones: Vec<Milestone>,
    aids: Vec<Fields>,
    deadlines: Vec<Fields>,
    notes: Vec<Note>,
    expenses: Vec<Expense>,
}

/// Reads every record of a kind, a few fields of each.
type Scan<'s> = dyn Fn(Kind, &[&str], &mut dyn FnMut(&dyn ReadFields)) -> Result<()> + 's;

/// The places of a catalogue list's codes.
struct Codes(Vec<String>);

impl Codes {
    fn of(list: &str) -> Codes {
        Codes(codes(list))
    }

    /// The place of `code` in the list.
    fn at(&self, code: Option<&str>) -> At {
        let c = code?;
        self.0.iter().position(|x| x == c).and_then(|i| u16::try_from(i).ok())
    }
}

/// The places of ids (persons, proceedings) in their list.
struct Places<'a>(HashMap<&'a str, Who>);

impl<'a> Places<'a> {
    fn new(recs: &'a [Fields]) -> Places<'a> {
        Places(recs.iter().enumerate().filter_map(|(i, r)| Some((str_field(r, "id")?, Who::try_from(i).ok()?))).collect())
    }

    fn of(&self, id: Option<&str>) -> Who {
        id.and_then(|id| self.0.get(id).copied()).unwrap_or(NOBODY)
    }
}

impl Data {
    /// Only the fields [`count`] reads: their texts and version vectors are most of a vault's
    /// bytes.
    fn read(store: &Store) -> Result<Data> {
        let person = "person_id";
        let fields = |kind, names: &[&str]| store.list_fields(kind, names);
        Data::gather(
            fields(
                Kind::Person,
                &[
                    "id",
                    "intake_at",
                    "closed_on",
                    "status",
                    "closure_reason",
                    "origin",
                    "birth_date",
                    "gender",
                    "indigenous",
                    "region",
                    "referral_source",
                    "exploitation_types",
                ],
            )?,
            fields(Kind::Organisation, &["id", "kind"])?,
            fields(Kind::Proceeding, &["id", person])?,
            fields(Kind::TestimonialAid, &["proceeding_id", "status", "decided_on", "code"])?,
            fields(Kind::Deadline, &[person, "kind", "created_at", "due_on", "ivac_status", "permit_status"])?,
            &|kind, names, each| store.scan_fields(kind, names, each),
        )
    }

    /// Every field of every record: what [`Data::read`] must give the same ledger as.
    #[cfg(feature = "test-support")]
    fn read_whole(store: &Store) -> Result<Data> {
        Data::gather(
            store.list_all(Kind::Person)?,
            store.list_all(Kind::Organisation)?,
            store.list_all(Kind::Proceeding)?,
            store.list_all(Kind::TestimonialAid)?,
            store.list_all(Kind::Deadline)?,
            &|kind, _, each| {
                for r in store.list_all(kind)? {
                    each(&r);
                }
                Ok(())
            },
        )
    }

    /// The numerous kinds through `scan`, each field decoded as [`count`] reads it.
    fn gather(
        persons: Vec<Fields>,
        orgs: Vec<Fields>,
        proceedings: Vec<Fields>,
        aids: Vec<Fields>,
        deadlines: Vec<Fields>,
        scan: &Scan<'_>,
    ) -> Result<Data> {
        let (mut needs, mut referrals, mut appointments, mut milestones, mut notes, mut expenses) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        {
            let who = Places::new(&persons);
            // Minutes and cents: a negative or missing amount counts as none.
            let amount = |r: &dyn ReadFields, f: &str| r.int(f).unwrap_or(0).max(0);
            let (phases, need_statuses) = (Codes::of("phases"), Codes::of("need_statuses"));
            scan(Kind::Need, &["person_id", "identified_on", "phase", "status"], &mut |r| {
                needs.push(Need {
                    person: who.of(r.text("person_id")),
                    identified_on: day(r.text("identified_on")),
                    phase: phases.at(r.text("phase")),
                    status: need_statuses.at(r.text("status")),
                });
            })?;
            let org_kind: HashMap<&str, &str> =
                orgs.iter().filter_map(|o| Some((str_field(o, "id")?, str_field(o, "kind").unwrap_or("other")))).collect();
            let (org_kinds, referral_statuses) = (Codes::of("org_kinds"), Codes::of("referral_statuses"));
            scan(Kind::Referral, &["person_id", "created_at", "org_id", "status"], &mut |r| {
                let kind = r.text("org_id").and_then(|o| org_kind.get(o).copied());
                referrals.push(Referral {
                    person: who.of(r.text("person_id")),
                    created_on: day(r.text("created_at")),
                    org_kind: org_kinds.at(kind.or(Some("other"))),
                    status: referral_statuses.at(r.text("status")),
                });
            })?;
            let (appointment_statuses, appointment_kinds) = (Codes::of("appointment_statuses"), Codes::of("appointment_kinds"));
            scan(Kind::Appointment, &["person_id", "starts_at", "status", "kind", "accompaniment_minutes"], &mut |r| {
                appointments.push(Appointment {
                    person: who.of(r.text("person_id")),
                    starts_on: day(r.text("starts_at")),
                    status: appointment_statuses.at(r.text("status")),
                    attended: r.text("status") == Some("attended"),
                    kind: appointment_kinds.at(r.text("kind").or(Some("other"))),
                    minutes: amount(r, "accompaniment_minutes"),
                });
            })?;
            let of_proceeding = Places::new(&proceedings);
            let milestone_codes = Codes::of("milestones");
            scan(Kind::Milestone, &["proceeding_id", "status", "done_on", "code"], &mut |r| {
                milestones.push(Milestone {
                    proceeding: of_proceeding.of(r.text("proceeding_id")),
                    done: r.text("status").and_then(MilestoneStatus::parse) == Some(MilestoneStatus::Done),
                    done_on: day(r.text("done_on")),
                    code: milestone_codes.at(r.text("code")),
                });
            })?;
            let note_kinds = Codes::of("note_kinds");
            scan(Kind::Note, &["person_id", "at", "kind", "minutes"], &mut |r| {
                notes.push(Note {
                    person: who.of(r.text("person_id")),
                    on: day(r.text("at")),
                    kind: note_kinds.at(r.text("kind").or(Some("other"))),
                    minutes: amount(r, "minutes"),
                });
            })?;
            let funds = Codes::of("funds");
            scan(Kind::Expense, &["person_id", "spent_on", "fund", "amount_cents"], &mut |r| {
                expenses.push(Expense {
                    person: who.of(r.text("person_id")),
                    spent_on: day(r.text("spent_on")),
                    fund: funds.at(r.text("fund").or(Some("other"))),
                    cents: amount(r, "amount_cents"),
                });
            })?;
        }
        Ok(Data { persons, proceedings, needs, referrals, appointments, milestones, aids, deadlines, notes, expenses })
    }
}

/// The report's own headings that are not a catalogue's.
pub const NEW_CONTINUING: [&str; 2] = ["new", "continuing"];
/// The tables that count each person followed once (their totals are the same number).
pub const PERSONS_TABLES: [&str; 7] = [
    "persons_by_origin",
    "persons_new_continuing",
    "persons_by_age_band",
    "persons_by_gender",
    "persons_by_indigenous",
    "persons_by_region",
    "persons_by_referral_source",
];
/// The first row of `intakes_by_month` when its months do not cover the whole period.
pub const EARLIER: &str = "earlier";
/// Age bands at intake (then `not_recorded`).
pub const AGE_BANDS: [&str; 6] = ["under_18", "18_24", "25_34", "35_44", "45_64", "65_plus"];
use crate::model::catalogue::PERMIT_KINDS as PERMITS;

fn codes(list: &str) -> Vec<String> {
    Catalogues::get().list(list).iter().map(|e| e.code.clone()).collect()
}

fn axis(list: &str) -> Axis {
    Axis { list: list.into(), codes: codes(list) }
}

fn own(codes: &[&str]) -> Axis {
    Axis { list: "stats".into(), codes: codes.iter().map(|c| (*c).to_owned()).collect() }
}

/// A catalogue list with a last row for the files where nothing (or nothing recognised) is
/// recorded.
fn with_not_recorded(list: &str) -> Axis {
    let mut a = axis(list);
    a.codes.push("not_recorded".into());
    a
}

fn count_column() -> Axis {
    own(&["count"])
}

/// The first day of each month from `from`'s to `to`'s (at most [`MAX_MONTHS`]).
fn months(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let first = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    // A longer period shows its last MAX_MONTHS months.
    let from = first(from).max(first(to).checked_sub_months(chrono::Months::new(MAX_MONTHS as u32 - 1)).unwrap_or(from));
    let mut out = Vec::new();
    let mut m = from;
    while m <= to && out.len() < MAX_MONTHS {
        out.push(m);
        let Some(next) = m.checked_add_months(chrono::Months::new(1)) else { break };
        m = next;
    }
    out
}

/// The months a report's time series shows: those of the period, or the twelve up to its end
/// when it has no start.
fn series_start(from: Option<NaiveDate>, to: NaiveDate) -> NaiveDate {
    from.unwrap_or_else(|| to.with_day(1).unwrap_or(to).checked_sub_months(chrono::Months::new(11)).unwrap_or(to))
}

/// A free-text field (region, referral source) read as a catalogue code: the code itself, or a
/// French or English label, compared without case or accents; else a label found inside the
/// text (« Ligne d'écoute SOS Traite » is a hotline). Never the text itself: a heading that
/// someone typed could be a name.
pub fn match_code(list: &str, text: Option<&str>) -> Option<String> {
    use crate::case::consent::folded;
    let text = folded(text?);
    if text.is_empty() {
        return None;
    }
    let entries = Catalogues::get().list(list);
    let labels = |e: &crate::model::catalogue::Entry| [folded(&e.code), folded(&e.fr), folded(&e.en)];
    entries
        .iter()
        .find(|e| labels(e).contains(&text))
        .or_else(|| entries.iter().find(|e| labels(e).iter().skip(1).any(|l| !l.is_empty() && text.contains(l.as_str()))))
        .map(|e| e.code.clone())
}

fn age_band(birth: Option<NaiveDate>, intake: Option<NaiveDate>) -> Option<usize> {
    let (b, i) = (birth?, intake?);
    let years = i.years_since(b)?;
    Some(match years {
        0..=17 => 0,
        18..=24 => 1,
        25..=34 => 2,
        35..=44 => 3,
        45..=64 => 4,
        _ => 5,
    })
}

/// Counts the vault's records for the period `from..=to`. Asked again for the same period
/// while nothing changed in the vault, gives back the ledger counted the first time
/// ([`Store::memo`]): the screen, its PDF and its workbook read the same counts once.
pub fn ledger(store: &Store, from: Option<NaiveDate>, to: NaiveDate) -> Result<Ledger> {
    store.memo(&memo_key(from, to), |s| Ok(count(&Data::read(s)?, from, to)))
}

/// The ledger's key in [`Store::memo`].
fn memo_key(from: Option<NaiveDate>, to: NaiveDate) -> String {
    format!("ledger {from:?} {to}")
}

/// Counts the ledger of `from..=to` on `snapshot` (a [`Store::snapshot`] taken at `mark`), to
/// give to the store it was taken of ([`Counted::offer`]): [`ledger`] then answers at once.
pub fn count_ahead(snapshot: &Store, mark: crate::vault::store::Mark, from: Option<NaiveDate>, to: NaiveDate) -> Result<Counted> {
    Ok(Counted { key: memo_key(from, to), mark, ledger: count(&Data::read(snapshot)?, from, to) })
}

/// A ledger counted ahead on a snapshot ([`count_ahead`]), to give to the store.
pub struct Counted {
    key: String,
    mark: crate::vault::store::Mark,
    ledger: Ledger,
}

impl Counted {
    /// Gives the ledger to `store`, which keeps it if it still stands where the snapshot was
    /// taken. Returns whether it was kept.
    pub fn offer(self, store: &Store) -> Result<bool> {
        store.memo_offer(&self.key, self.mark, self.ledger)
    }
}

/// The ledger counted from every field of every record, the slow way: a test compares it with
/// [`ledger`], which reads only the fields it counts.
#[cfg(feature = "test-support")]
pub fn ledger_of_whole_records(store: &Store, from: Option<NaiveDate>, to: NaiveDate) -> Result<Ledger> {
    Ok(count(&Data::read_whole(store)?, from, to))
}

/// The ledger of an organisation with no record: the shape every ledger of the period has.
pub fn empty(from: Option<NaiveDate>, to: NaiveDate) -> Ledger {
    count(&Data::default(), from, to)
}

fn grid(rows: &Axis, cols: &Axis) -> Vec<Vec<u64>> {
    vec![vec![0u64; cols.codes.len()]; rows.codes.len()]
}

/// One count per person, in the row `row` gives (the last row when none).
fn per_person<'p>(persons: &[&'p Fields], rows: &Axis, mut row: impl FnMut(&Axis, &'p Fields) -> Option<usize>) -> Vec<Vec<u64>> {
    let mut c = vec![vec![0u64]; rows.codes.len()];
    for p in persons {
        c[row(rows, p).unwrap_or(rows.codes.len() - 1)][0] += 1;
    }
    c
}

/// The records whose `field` is one of `ids`.
fn of_ids<'a>(recs: &'a [Fields], field: &str, ids: &HashSet<&str>) -> Vec<&'a Fields> {
    recs.iter().filter(|r| str_field(r, field).is_some_and(|id| ids.contains(id))).collect()
}

fn count(data: &Data, from: Option<NaiveDate>, to: NaiveDate) -> Ledger {
    let in_period = |d: Option<NaiveDate>| d.is_some_and(|d| from.is_none_or(|f| d >= f) && d <= to);
    // The persons followed in the period: taken in by its end, not closed before its start.
    let is_followed: Vec<bool> = data
        .persons
        .iter()
        .map(|p| {
            day(str_field(p, "intake_at")).is_some_and(|d| d <= to)
                && day(str_field(p, "closed_on")).is_none_or(|c| from.is_none_or(|f| c >= f))
        })
        .collect();
    let persons: Vec<&Fields> = data.persons.iter().zip(&is_followed).filter(|(_, f)| **f).map(|(p, _)| p).collect();
    let followed_ids: HashSet<&str> = persons.iter().filter_map(|p| str_field(p, "id")).collect();
    let followed = |who: Who| is_followed.get(who as usize).copied().unwrap_or(false);
    let of_followed = |recs| of_ids(recs, "person_id", &followed_ids);
    // A code's place as a cell's index.
    let ix = |a: At| a.map(usize::from);
    let at = |a: &Axis, code: Option<&str>| code.and_then(|c| a.codes.iter().position(|x| x == c));
    let mut tables = Vec::new();
    let mut push = |id: &str, rows: Axis, columns: Axis, additive: bool, counts: Vec<Vec<u64>>| {
        tables.push(Counts { id: id.into(), rows, columns, counts, additive });
    };

    let rows = axis("origins");
    let mut c = grid(&rows, &count_column());
    for p in &persons {
        if let Some(i) = at(&rows, str_field(p, "origin")) {
            c[i][0] += 1;
        }
    }
    push("persons_by_origin", rows, count_column(), true, c);
    let rows = own(&NEW_CONTINUING);
    let c =
        per_person(&persons, &rows, |_, p| Some(usize::from(from.is_some_and(|f| day(str_field(p, "intake_at")).is_some_and(|d| d < f)))));
    push("persons_new_continuing", rows, count_column(), true, c);
    let mut rows = own(&AGE_BANDS);
    rows.codes.push("not_recorded".into());
    let c = per_person(&persons, &rows, |_, p| age_band(day(str_field(p, "birth_date")), day(str_field(p, "intake_at"))));
    push("persons_by_age_band", rows, count_column(), true, c);
    for (id, list, field) in [("persons_by_gender", "genders", "gender"), ("persons_by_indigenous", "indigenous_identities", "indigenous")]
    {
        let rows = with_not_recorded(list);
        let c = per_person(&persons, &rows, |a, p| at(a, str_field(p, field)));
        push(id, rows, count_column(), true, c);
    }
    for (id, list, field) in
        [("persons_by_region", "regions", "region"), ("persons_by_referral_source", "referral_sources", "referral_source")]
    {
        let rows = with_not_recorded(list);
        // Many files say the same thing (« Montréal »): each text is read once.
        let mut read: HashMap<&str, Option<usize>> = HashMap::new();
        let c = per_person(&persons, &rows, |a, p| {
            let text = str_field(p, field).filter(|t| !t.trim().is_empty())?;
            *read.entry(text).or_insert_with(|| at(a, Some(&match_code(list, Some(text)).unwrap_or_else(|| "other".into()))))
        });
        push(id, rows, count_column(), true, c);
    }
    let (rows, cols) = (axis("exploitation_types"), axis("origins"));
    let mut c = grid(&rows, &cols);
    for p in &persons {
        let Some(o) = at(&cols, str_field(p, "origin")) else { continue };
        for t in p.get("exploitation_types").and_then(Value::as_array).into_iter().flatten() {
            if let Some(i) = at(&rows, t.as_str()) {
                c[i][o] += 1;
            }
        }
    }
    push("persons_by_exploitation", rows, cols, false, c);
    let (rows, cols) = (axis("phases"), axis("need_statuses"));
    let mut c = grid(&rows, &cols);
    for n in data.needs.iter().filter(|n| followed(n.person)) {
        if n.identified_on.is_some_and(|d| d > to) {
            continue;
        }
        if let (Some(i), Some(j)) = (ix(n.phase), ix(n.status)) {
            c[i][j] += 1;
        }
    }
    push("needs_by_phase_status", rows, cols, true, c);
    let (rows, cols) = (axis("org_kinds"), axis("referral_statuses"));
    let mut c = grid(&rows, &cols);
    for r in data.referrals.iter().filter(|r| followed(r.person)) {
        if r.created_on.is_some_and(|d| d > to) {
            continue;
        }
        if let (Some(i), Some(j)) = (ix(r.org_kind), ix(r.status)) {
            c[i][j] += 1;
        }
    }
    push("referrals_by_org_kind_status", rows, cols, true, c);
    let appointments: Vec<&Appointment> = data.appointments.iter().filter(|a| followed(a.person)).collect();
    let rows = axis("appointment_statuses");
    let mut c = grid(&rows, &count_column());
    for a in &appointments {
        if in_period(a.starts_on)
            && let Some(i) = ix(a.status)
        {
            c[i][0] += 1;
        }
    }
    push("appointments_by_status", rows, count_column(), true, c);
    let proceedings: HashSet<&str> = of_followed(&data.proceedings).into_iter().filter_map(|p| str_field(p, "id")).collect();
    let proceeding_followed: Vec<bool> =
        data.proceedings.iter().map(|p| str_field(p, "id").is_some_and(|id| proceedings.contains(id))).collect();
    let rows = axis("milestones");
    let mut c = grid(&rows, &count_column());
    for m in data.milestones.iter().filter(|m| proceeding_followed.get(m.proceeding as usize).copied().unwrap_or(false)) {
        if m.done
            && in_period(m.done_on)
            && let Some(i) = ix(m.code)
        {
            c[i][0] += 1;
        }
    }
    push("milestones_reached", rows, count_column(), true, c);
    let rows = axis("testimonial_aids");
    let mut c = grid(&rows, &count_column());
    for a in of_ids(&data.aids, "proceeding_id", &proceedings) {
        if str_field(a, "status") == Some("granted")
            && in_period(day(str_field(a, "decided_on")))
            && let Some(i) = at(&rows, str_field(a, "code"))
        {
            c[i][0] += 1;
        }
    }
    push("aids_granted", rows, count_column(), true, c);
    // IVAC applications (a deadline of that kind) by their status, each once.
    let rows = with_not_recorded("ivac_statuses");
    let mut c = grid(&rows, &count_column());
    for d in of_followed(&data.deadlines) {
        if str_field(d, "kind") == Some("ivac_application") && day(str_field(d, "created_at")).is_none_or(|c| c <= to) {
            c[at(&rows, str_field(d, "ivac_status")).unwrap_or(rows.codes.len() - 1)][0] += 1;
        }
    }
    push("ivac_by_status", rows, count_column(), true, c);
    // Permits (a deadline of a permit's kind) by their outcome, each once: those recorded by the
    // period's end and not expired before its start.
    let (rows, cols) = (
        Axis { list: "deadline_kinds".into(), codes: PERMITS.iter().map(|c| (*c).to_owned()).collect() },
        with_not_recorded("permit_statuses"),
    );
    let mut c = grid(&rows, &cols);
    for d in of_followed(&data.deadlines) {
        if let Some(i) = at(&rows, str_field(d, "kind"))
            && day(str_field(d, "created_at")).is_none_or(|c| c <= to)
            && day(str_field(d, "due_on")).is_none_or(|due| from.is_none_or(|f| due >= f))
        {
            c[i][at(&cols, str_field(d, "permit_status")).unwrap_or(cols.codes.len() - 1)] += 1;
        }
    }
    push("permits_by_status", rows, cols, true, c);
    let rows = axis("closure_reasons");
    let mut c = grid(&rows, &count_column());
    for p in &persons {
        if str_field(p, "status") == Some("closed")
            && in_period(day(str_field(p, "closed_on")))
            && let Some(i) = at(&rows, str_field(p, "closure_reason").or(Some("other")))
        {
            c[i][0] += 1;
        }
    }
    push("closures_by_reason", rows, count_column(), true, c);
    // Persons taken in during the period, by month of intake: the detail of the row « new » of
    // `persons_new_continuing` (its total is that row). A series of persons followed each month
    // would give, month to month, the intakes minus the closures by subtraction; this one adds
    // up. When the series does not start with the period (no start: the last twelve months;
    // over MAX_MONTHS), a first row counts the earlier intakes, so the rows still add up.
    let start = series_start(from, to);
    let month_list = months(start, to);
    let earlier = from.is_none_or(|f| month_list.first().is_some_and(|m| *m > f));
    let mut codes: Vec<String> = earlier.then(|| EARLIER.to_owned()).into_iter().collect();
    codes.extend(month_list.iter().map(|m| m.format("%Y-%m").to_string()));
    let rows = Axis { list: "months".into(), codes };
    let mut c = grid(&rows, &count_column());
    for p in &persons {
        let Some(intake) = day(str_field(p, "intake_at")).filter(|d| in_period(Some(*d))) else { continue };
        let row = month_list.iter().rposition(|m| *m <= intake).map(|i| i + usize::from(earlier));
        match row {
            Some(i) => c[i][0] += 1,
            None if earlier => c[0][0] += 1,
            None => {}
        }
    }
    push("intakes_by_month", rows, count_column(), true, c);

    // Sums: time recorded (notes: intervention; appointments: accompaniment) and money spent.
    let mut sums = Vec::new();
    let mut sum = |id: &str, unit: &str, rows: Axis, items: &mut dyn Iterator<Item = (At, i64, Who)>| {
        let mut values = vec![0i64; rows.codes.len()];
        let mut masks: HashMap<Who, u64> = HashMap::new();
        for (row, value, person) in items {
            let Some(i) = ix(row) else { continue };
            values[i] = values[i].saturating_add(value);
            *masks.entry(person).or_default() |= 1 << i;
        }
        let mut persons = BTreeMap::new();
        for mask in masks.into_values() {
            *persons.entry(mask).or_default() += 1;
        }
        sums.push(SumCounts { id: id.into(), unit: unit.into(), rows, values, persons });
    };
    let notes: Vec<&Note> = data.notes.iter().filter(|n| followed(n.person) && n.minutes > 0 && in_period(n.on)).collect();
    let accompaniments: Vec<&Appointment> = appointments.iter().copied().filter(|a| a.minutes > 0 && in_period(a.starts_on)).collect();
    sum(
        "time_by_kind",
        "minutes",
        own(&["intervention", "accompaniment"]),
        &mut notes.iter().map(|n| (Some(0), n.minutes, n.person)).chain(accompaniments.iter().map(|a| (Some(1), a.minutes, a.person))),
    );
    sum("interventions_by_kind", "minutes", axis("note_kinds"), &mut notes.iter().map(|n| (n.kind, n.minutes, n.person)));
    sum("accompaniments_by_kind", "minutes", axis("appointment_kinds"), &mut accompaniments.iter().map(|a| (a.kind, a.minutes, a.person)));
    sum(
        "expenses_by_fund",
        "cents",
        axis("funds"),
        &mut data.expenses.iter().filter(|e| followed(e.person) && in_period(e.spent_on)).map(|e| (e.fund, e.cents, e.person)),
    );

    // Days from intake to the first appointment attended, for persons taken in during the period.
    let mut served: HashMap<Who, Vec<NaiveDate>> = HashMap::new();
    for a in &appointments {
        if a.attended
            && let Some(d) = a.starts_on
            && d <= to
        {
            served.entry(a.person).or_default().push(d);
        }
    }
    let mut days_to_first_service = BTreeMap::new();
    for (who, p) in data.persons.iter().enumerate().filter(|(i, _)| is_followed[*i]) {
        let Some(intake) = day(str_field(p, "intake_at")).filter(|d| in_period(Some(*d))) else { continue };
        // The first service on or after the intake (an appointment dated before it is not one).
        let first = Who::try_from(who).ok().and_then(|w| served.get(&w)).and_then(|ds| ds.iter().filter(|d| **d >= intake).min());
        if let Some(served) = first {
            let days = u32::try_from((*served - intake).num_days()).unwrap_or(MAX_DAYS).min(MAX_DAYS);
            *days_to_first_service.entry(days).or_default() += 1;
        }
    }
    Ledger { format: LEDGER_FORMAT, from, to, organisations: 1, tables, sums, days_to_first_service, parts: Vec::new() }
}

fn invalid(why: &str) -> Error {
    Error::InvalidLedger(why.to_owned())
}

impl Ledger {
    /// Refuses a ledger that is not one this version computes for its period: another format,
    /// another shape (tables, headings, units), a count or sum out of bounds, a membership mask
    /// naming a row that does not exist.
    pub fn check(&self) -> Result<()> {
        if self.format != LEDGER_FORMAT {
            return Err(invalid("format"));
        }
        let sane = |d: NaiveDate| (2000..=2100).contains(&d.year());
        if !sane(self.to) || self.from.is_some_and(|f| !sane(f) || f > self.to) {
            return Err(invalid("period"));
        }
        if self.organisations == 0 || self.organisations > 10_000 {
            return Err(invalid("organisations"));
        }
        let shape = empty(self.from, self.to);
        if self.tables.len() != shape.tables.len() || self.sums.len() != shape.sums.len() {
            return Err(invalid("tables"));
        }
        for (t, s) in self.tables.iter().zip(&shape.tables) {
            if t.id != s.id || t.rows != s.rows || t.columns != s.columns || t.additive != s.additive {
                return Err(invalid(&format!("table {}", s.id)));
            }
            if t.counts.len() != s.counts.len()
                || t.counts.iter().any(|r| r.len() != s.columns.codes.len() || r.iter().any(|n| *n > MAX_COUNT))
            {
                return Err(invalid(&format!("counts {}", s.id)));
            }
        }
        for (g, s) in self.sums.iter().zip(&shape.sums) {
            if g.id != s.id || g.unit != s.unit || g.rows != s.rows || g.values.len() != s.values.len() {
                return Err(invalid(&format!("sum {}", s.id)));
            }
            let all = (1u64 << g.rows.codes.len()) - 1;
            if g.values.iter().any(|v| !(0..=MAX_SUM).contains(v))
                || g.persons.iter().any(|(mask, n)| *mask == 0 || mask & !all != 0 || *n == 0 || *n > MAX_COUNT)
            {
                return Err(invalid(&format!("sum {}", s.id)));
            }
        }
        if self.days_to_first_service.iter().any(|(d, n)| *d > MAX_DAYS || *n == 0 || *n > MAX_COUNT) {
            return Err(invalid("days"));
        }
        self.check_agreement()
    }

    /// The tables of one organisation describe the same persons: every table of persons has
    /// the same total (the persons followed), the intakes by month add up to the new persons,
    /// the closures, the median's persons and each sum's persons are among them. A ledger whose
    /// tables disagree is not one Relais counted; publishing a merge with it would let the
    /// differences between tables say something no table says.
    fn check_agreement(&self) -> Result<()> {
        let followed = self.followed();
        let total = |id: &str| self.tables.iter().find(|t| t.id == id).map(|t| t.counts.iter().flatten().sum::<u64>());
        for id in PERSONS_TABLES {
            if total(id) != Some(followed) {
                return Err(invalid(&format!("{id} disagrees")));
            }
        }
        let new = self.new_persons();
        if total("intakes_by_month") != Some(new) {
            return Err(invalid("intakes_by_month disagrees"));
        }
        if total("closures_by_reason").is_none_or(|c| c > followed) || self.days_to_first_service.values().sum::<u64>() > new {
            return Err(invalid("persons disagree"));
        }
        if self.sums.iter().any(|g| g.persons.values().sum::<u64>() > followed) {
            return Err(invalid("sums disagree"));
        }
        Ok(())
    }

    /// The persons followed in the period (the total of every table of persons).
    pub fn followed(&self) -> u64 {
        self.tables.iter().find(|t| t.id == "persons_new_continuing").map_or(0, |t| t.counts.iter().flatten().sum())
    }

    /// The persons taken in during the period.
    pub fn new_persons(&self) -> u64 {
        self.tables.iter().find(|t| t.id == "persons_new_continuing").and_then(|t| t.counts.first()).map_or(0, |r| r[0])
    }

    /// Adds up ledgers of the same period (each checked first). The result is the coalition's
    /// true counts; only [`super::publish`] makes them publishable.
    pub fn merge(ledgers: &[Ledger]) -> Result<Ledger> {
        let Some(first) = ledgers.first() else { return Err(invalid("none")) };
        for l in ledgers {
            l.check()?;
            if (l.from, l.to) != (first.from, first.to) {
                return Err(Error::LedgerPeriods);
            }
        }
        let mut out = first.clone();
        out.parts = ledgers.iter().map(|l| Ledger { parts: Vec::new(), ..l.clone() }).collect();
        let add = |a: u64, b: u64| a.checked_add(b).filter(|n| *n <= MAX_COUNT * 10_000).ok_or_else(|| invalid("overflow"));
        for l in &ledgers[1..] {
            out.organisations = out.organisations.saturating_add(l.organisations);
            for (t, u) in out.tables.iter_mut().zip(&l.tables) {
                for (row, other) in t.counts.iter_mut().zip(&u.counts) {
                    for (n, m) in row.iter_mut().zip(other) {
                        *n = add(*n, *m)?;
                    }
                }
            }
            for (g, h) in out.sums.iter_mut().zip(&l.sums) {
                for (v, w) in g.values.iter_mut().zip(&h.values) {
                    *v = v.checked_add(*w).ok_or_else(|| invalid("overflow"))?;
                }
                for (mask, n) in &h.persons {
                    let e = g.persons.entry(*mask).or_default();
                    *e = add(*e, *n)?;
                }
            }
            for (d, n) in &l.days_to_first_service {
                let e = out.days_to_first_service.entry(*d).or_default();
                *e = add(*e, *n)?;
            }
        }
        Ok(out)
    }
}

/// The ledger of persons, appointments and notes given as records (the tests' vault).
#[cfg(test)]
pub(super) fn of_records(
    persons: Vec<Fields>,
    appointments: Vec<Fields>,
    notes: Vec<Fields>,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> Ledger {
    let scan = |kind: Kind, _: &[&str], each: &mut dyn FnMut(&dyn ReadFields)| {
        for r in match kind {
            Kind::Appointment => &appointments,
            Kind::Note => &notes,
            _ => &[][..],
        } {
            each(r);
        }
        Ok(())
    };
    let data = Data::gather(persons, Vec::new(), Vec::new(), Vec::new(), Vec::new(), &scan).expect("records in memory");
    count(&data, from, to)
}
