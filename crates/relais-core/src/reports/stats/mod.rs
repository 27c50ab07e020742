//! Anonymous statistics for a coalition or a funder: counts only, never a name, an id or free
//! text, and no count under [`THRESHOLD`].
//!
//! Every table is built from true counts inside this module, then *suppressed* before anything
//! leaves it: a [`Table`] holds only [`Cell`]s, either a count of at least 11 or "< 11".
//!
//! - **Primary suppression**: every count under 11 (zero included) is hidden.
//! - **Secondary suppression**: a table publishes its totals, so a single hidden cell of a row
//!   would be its total minus the others. Each relation of the table (a row and its total, a
//!   column and its total, the totals and the grand total) is made to hide either nothing or at
//!   least two cells whose sum is at least 11, by hiding the smallest other cells.
//! - **Audit**: the published counts and totals are then read as a system of linear equations
//!   over the hidden cells; while any hidden cell is uniquely determined by it (subtraction, or
//!   any combination of rows and columns), one more cell is hidden. Only then is the table
//!   returned.
//!
//! Tables where a unit counts in several rows (a person with two types of exploitation) have no
//! totals, hence no relation to protect: they get primary suppression only.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::error::Result;
use crate::lang::{Lang, tr};
use crate::model::catalogue::Catalogues;
use crate::vault::store::Store;

pub mod coalition;
pub mod count;
pub mod pdf;

pub use count::{Axis, Counts, Ledger, SumCounts};

/// The smallest count that may be published.
pub const THRESHOLD: u64 = 11;

/// A published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// At least [`THRESHOLD`].
    Count(u64),
    /// Hidden: under the threshold, or hidden so that another cannot be recovered.
    Suppressed,
    /// Not published although at least [`THRESHOLD`]: with the numbers beside it, it would give
    /// away a smaller one (the persons of a sum's total, next to its rows'). Printed « n.p. »
    /// (« non publié » / "not published").
    Withheld,
}

impl Cell {
    /// A count as published: itself from [`THRESHOLD`] on, hidden under it.
    pub fn of(n: u64) -> Cell {
        if n >= THRESHOLD { Cell::Count(n) } else { Cell::Suppressed }
    }

    /// A count at least [`THRESHOLD`] that is not published: « n.p. », or « < 11 » under it.
    pub fn withheld(n: u64) -> Cell {
        if n >= THRESHOLD { Cell::Withheld } else { Cell::Suppressed }
    }

    /// As printed: the number, "< 11", or "n.p.".
    pub fn text(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Suppressed => format!("< {THRESHOLD}"),
            Cell::Withheld => "n.p.".into(),
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Cell::Count(n) => s.serialize_u64(*n),
            Cell::Suppressed | Cell::Withheld => s.serialize_str(&self.text()),
        }
    }
}

/// A row or column heading: a catalogue code and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Head {
    /// Catalogue code (stable across languages).
    pub code: String,
    /// Label in the report's language.
    pub label: String,
}

/// One published table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Table {
    /// Stable identifier (`needs_by_phase_status`…).
    pub id: String,
    /// Title in the report's language.
    pub title: String,
    /// What is counted, and how, in the report's language.
    pub note: String,
    /// Row headings.
    pub rows: Vec<Head>,
    /// Column headings.
    pub columns: Vec<Head>,
    /// `cells[row][column]`.
    #[cfg_attr(feature = "ts", ts(type = "Array<Array<number | string>>"))]
    pub cells: Vec<Vec<Cell>>,
    /// Total of each row (two-way tables only).
    #[cfg_attr(feature = "ts", ts(type = "Array<number | string> | null"))]
    pub row_totals: Option<Vec<Cell>>,
    /// Total of each column (additive tables).
    #[cfg_attr(feature = "ts", ts(type = "Array<number | string> | null"))]
    pub column_totals: Option<Vec<Cell>>,
    /// Grand total (additive tables).
    #[cfg_attr(feature = "ts", ts(type = "number | string | null"))]
    pub total: Option<Cell>,
}

/// The median number of days from intake to first service.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Median {
    /// How many persons it is computed over.
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub persons: Cell,
    /// The median in days; none when fewer than [`THRESHOLD`] persons.
    pub days: Option<f64>,
    /// What it measures, in the report's language.
    pub label: String,
}

/// A sum (minutes, cents) over the persons it concerns, published only over at least
/// [`THRESHOLD`] of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Sum {
    /// What is added up: `intervention`, `accompaniment`, a fund's code, or `total`.
    pub code: String,
    /// Label in the report's language.
    pub label: String,
    /// How many persons it concerns.
    #[cfg_attr(feature = "ts", ts(type = "number | string"))]
    pub persons: Cell,
    /// The sum (minutes or cents); none when hidden.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub value: Option<i64>,
    /// The sum as read (« 130,5 h », « 1 200,50 $ »), or why it is hidden.
    pub text: String,
}

/// Sums of one measure by row, and their total.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Sums {
    /// Stable identifier (`time_by_kind`, `expenses_by_fund`).
    pub id: String,
    /// Title in the report's language.
    pub title: String,
    /// What is added up, and how, in the report's language.
    pub note: String,
    /// `minutes` or `cents`.
    pub unit: String,
    /// One sum per row.
    pub rows: Vec<Sum>,
    /// The total of the rows.
    pub total: Sum,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stats {
    /// First day covered.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub from: Option<NaiveDate>,
    /// Last day covered.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub to: NaiveDate,
    /// Language of the labels.
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// The organisation that publishes it (empty when the vault has none).
    pub organisation: String,
    /// How many organisations' ledgers it adds up (1: one vault's own report).
    pub organisations: u32,
    /// The period in words.
    pub period: String,
    /// The tables.
    pub tables: Vec<Table>,
    /// Median days from intake to first service.
    pub median_days_to_first_service: Median,
    /// Time recorded and money spent in the period.
    pub sums: Vec<Sums>,
}

/// A heading's label: a catalogue's, the report's own, or a month in words.
fn label(list: &str, code: &str, lang: Lang) -> String {
    if code == "not_recorded" {
        return tr(lang, "stats.not_recorded", &[]);
    }
    match list {
        "stats" => tr(lang, &format!("stats.head_{code}"), &[]),
        "months" if code == count::EARLIER => tr(lang, "stats.head_earlier", &[]),
        "months" => NaiveDate::parse_from_str(&format!("{code}-01"), "%Y-%m-%d")
            .map(|d| crate::time::month_year(d, lang))
            .unwrap_or_else(|_| code.to_owned()),
        _ => Catalogues::get().label(list, code, lang).to_owned(),
    }
}

fn heads(axis: &Axis, lang: Lang) -> Vec<Head> {
    axis.codes.iter().map(|c| Head { code: c.clone(), label: label(&axis.list, c, lang) }).collect()
}

/// A row is published when it concerns at least [`THRESHOLD`] persons. The total is published
/// when it does too and the hidden rows together concern none or at least [`THRESHOLD`]
/// persons: the total minus the published rows is then a sum over nobody or over enough
/// persons (the same rule as a hidden cell of a count table). Who has a share in which rows
/// comes from the ledger's membership masks, so a person in two hidden rows counts once.
///
/// The persons of a row or of the total are some of the persons followed (`whole`, when it is
/// published): they are withheld when the persons followed *without* a share in them would be
/// a small number.
fn suppress_sums(raw: &SumCounts, parts: &[&SumCounts], whole: Option<&Whole>, lang: Lang) -> Sums {
    let read = |unit: &str, v: i64| match unit {
        "minutes" => format!("{}\u{a0}h", crate::duration::format_hours(v, lang)),
        _ => crate::money::format_cents(v, lang),
    };
    let hidden_text = tr(lang, "stats.sum_hidden", &[]);
    let sum = |code: String, label: String, value: i64, persons: u64, shown: bool| {
        let shown = shown && persons >= THRESHOLD;
        Sum {
            code,
            label,
            persons: if shown { Cell::Count(persons) } else { Cell::withheld(persons) },
            value: shown.then_some(value),
            text: if shown { read(&raw.unit, value) } else { hidden_text.clone() },
        }
    };
    let of = |g: &SumCounts, mask: u64| g.persons.iter().filter(|(m, _)| *m & mask != 0).map(|(_, n)| n).sum::<u64>();
    let persons_in = |mask: u64| of(raw, mask);
    // In a merge, a member knows its own persons: what counts is what is left without the
    // largest organisation's (the dominance rule, as for the count tables).
    let protected = |mask: u64| persons_in(mask).saturating_sub(largest_share(parts, |p| of(p, mask)));
    let rest_small =
        |mask: u64| whole.is_some_and(|w| w.small_rest(persons_in(mask), &parts.iter().map(|p| of(p, mask)).collect::<Vec<_>>()));
    let mut hidden_mask = 0u64;
    let mut withheld = false;
    let mut rows = Vec::new();
    for (i, head) in heads(&raw.rows, lang).into_iter().enumerate() {
        let n = persons_in(1 << i);
        let shown = protected(1 << i) >= THRESHOLD;
        if !shown {
            hidden_mask |= 1 << i;
        }
        let mut row = sum(head.code, head.label, raw.values[i], n, shown);
        if shown && rest_small(1 << i) {
            row.persons = Cell::withheld(n);
            withheld = true;
        }
        rows.push(row);
    }
    let total_shown = persons_in(hidden_mask) == 0 || protected(hidden_mask) >= THRESHOLD;
    let total_shown = total_shown && protected(u64::MAX) >= THRESHOLD;
    let total = raw.values.iter().fold(0i64, |a, v| a.saturating_add(*v));
    let mut total = sum("total".into(), tr(lang, "stats.total", &[]), total, persons_in(u64::MAX), total_shown);
    // The persons of the total beside the rows': the rows' persons added up, minus the total's,
    // counts the shares beyond a person's first (persons in several rows); with a hidden row,
    // the total minus the published rows counts those in hidden rows only. Either may be small:
    // the total's persons are published only with every row's, and when that difference is 0
    // or at least 11 (what is left of it without the largest organisation's, in a merge).
    let overlap = |g: &SumCounts| {
        let rows: u64 = (0..g.rows.codes.len()).map(|i| of(g, 1 << i)).sum();
        rows - of(g, u64::MAX)
    };
    let (o, protected_overlap) = (overlap(raw), overlap(raw).saturating_sub(largest_share(parts, |p| overlap(p))));
    if withheld || rest_small(u64::MAX) || persons_in(hidden_mask) != 0 || (o != 0 && protected_overlap < THRESHOLD) {
        total.persons = Cell::withheld(persons_in(u64::MAX));
    }
    Sums {
        id: raw.id.clone(),
        title: tr(lang, &format!("stats.{}", raw.id), &[]),
        note: tr(lang, &format!("stats.{}_note", raw.id), &[]),
        unit: raw.unit.clone(),
        rows,
        total,
    }
}

/// `time_by_kind`'s two rows are the totals of `interventions_by_kind` and
/// `accompaniments_by_kind`: a row is hidden (and the total with it) when the detailed table
/// hides its own total, or the row minus the published details would give a small group's sum.
fn linked(mut sums: Vec<Sums>, lang: Lang) -> Vec<Sums> {
    let hidden_text = tr(lang, "stats.sum_hidden", &[]);
    let total_of = |id: &str, sums: &[Sums]| sums.iter().find(|g| g.id == id).map(|g| (g.total.value.is_none(), g.total.persons));
    let hide = [("intervention", total_of("interventions_by_kind", &sums)), ("accompaniment", total_of("accompaniments_by_kind", &sums))];
    if let Some(g) = sums.iter_mut().find(|g| g.id == "time_by_kind") {
        let mut any = false;
        for (code, detail) in hide {
            let Some((hidden, persons)) = detail else { continue };
            if let Some(row) = g.rows.iter_mut().find(|r| r.code == code) {
                // The same persons as the detail's total: published as it is there.
                if row.persons != persons && !matches!(row.persons, Cell::Suppressed) {
                    row.persons = persons;
                    any = true;
                }
                if hidden && row.value.is_some() {
                    row.value = None;
                    row.text = hidden_text.clone();
                    any = true;
                }
            }
        }
        if any {
            g.total.value = None;
            g.total.text = hidden_text;
            if let Cell::Count(n) = g.total.persons {
                g.total.persons = Cell::withheld(n);
            }
        }
    }
    sums
}

/// The median of a histogram of days, published over at least [`THRESHOLD`] persons (in a
/// merge, without the largest organisation's). Its persons are some of the new persons: their
/// number is withheld when the new persons are published and the new persons without a first
/// service would be a small number.
fn median(ledger: &Ledger, new: Option<&Whole>, lang: Lang) -> Median {
    let days = &ledger.days_to_first_service;
    let persons_of = |l: &Ledger| l.days_to_first_service.values().sum::<u64>();
    let n = persons_of(ledger);
    let parts = &ledger.parts;
    let largest = largest_share(parts, persons_of);
    let nth = |k: u64| {
        let mut seen = 0;
        for (d, c) in days {
            seen += c;
            if seen > k {
                return f64::from(*d);
            }
        }
        0.0
    };
    let enough = n.saturating_sub(largest) >= THRESHOLD;
    let value = enough.then(|| if n % 2 == 1 { nth(n / 2) } else { (nth(n / 2 - 1) + nth(n / 2)) / 2.0 });
    let withheld = new.is_some_and(|w| w.small_rest(n, &parts.iter().map(persons_of).collect::<Vec<_>>()));
    let persons = if enough && !withheld { Cell::Count(n) } else { Cell::withheld(n) };
    Median { persons, days: value, label: tr(lang, "stats.median_days", &[]) }
}

/// The period in words: « 1er avril 2026 au 31 mars 2027 ».
pub fn period_text(from: Option<NaiveDate>, to: NaiveDate, lang: Lang) -> String {
    let from = from.map_or_else(|| tr(lang, "stats.since_start", &[]), |d| crate::time::long_date(d, lang));
    tr(lang, "stats.period", &[("from", &from), ("to", &crate::time::long_date(to, lang))])
}

/// The fiscal year (1 April–31 March) that holds `day`: its first and last days.
pub fn fiscal_year(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let start_year = if day.month() >= 4 { day.year() } else { day.year() - 1 };
    let from = NaiveDate::from_ymd_opt(start_year, 4, 1).expect("1 April exists");
    let to = NaiveDate::from_ymd_opt(start_year + 1, 3, 31).expect("31 March exists");
    (from, to)
}

/// The published report of a ledger: every table suppressed, every sum and the median
/// published only over enough persons. `organisation` is the name printed on it.
pub fn publish(ledger: &Ledger, lang: Lang, organisation: &str) -> Stats {
    let title = if ledger.organisations > 1 {
        tr(lang, "stats.coalition_title", &[("n", &ledger.organisations.to_string())])
    } else {
        tr(lang, "stats.title", &[])
    };
    let mut tables: Vec<Table> = Vec::new();
    for (k, t) in ledger.tables.iter().enumerate() {
        let forced = across(ledger, &tables, t);
        tables.push(suppress_with(t, &ledger.parts.iter().map(|p| &p.tables[k]).collect::<Vec<_>>(), lang, &forced));
    }
    let (whole, new) = (Whole::followed(ledger, &tables), Whole::new(ledger, &tables));
    let sums = ledger
        .sums
        .iter()
        .enumerate()
        .map(|(k, g)| suppress_sums(g, &ledger.parts.iter().map(|p| &p.sums[k]).collect::<Vec<_>>(), whole.as_ref(), lang))
        .collect();
    Stats {
        from: ledger.from,
        to: ledger.to,
        lang,
        title,
        organisation: organisation.to_owned(),
        organisations: ledger.organisations,
        period: period_text(ledger.from, ledger.to, lang),
        tables,
        median_days_to_first_service: median(ledger, new.as_ref(), lang),
        sums: linked(sums, lang),
    }
}

/// In a merge, the largest organisation's share of something: a member knows its own counts,
/// so what is published must be enough without it (the dominance rule). Nothing in one
/// organisation's own report.
fn largest_share<T>(parts: &[T], share: impl Fn(&T) -> u64) -> u64 {
    if parts.len() > 1 { parts.iter().map(share).max().unwrap_or(0) } else { 0 }
}

/// A published number of persons, and each organisation's share of it in a merge: the whole
/// that a count of some of its persons is taken from.
struct Whole {
    all: u64,
    parts: Vec<u64>,
}

impl Whole {
    /// The persons followed (every table of persons' total), when the tables published so far
    /// show them.
    fn followed(ledger: &Ledger, published: &[Table]) -> Option<Whole> {
        let total = published.iter().find(|t| t.id == "persons_new_continuing").and_then(|t| t.total);
        matches!(total, Some(Cell::Count(_)))
            .then(|| Whole { all: ledger.followed(), parts: ledger.parts.iter().map(Ledger::followed).collect() })
    }

    /// The new persons (a row of `persons_new_continuing`), when the tables published so far
    /// show them.
    fn new(ledger: &Ledger, published: &[Table]) -> Option<Whole> {
        let row = published.iter().find(|t| t.id == "persons_new_continuing").and_then(|t| t.cells.first()).and_then(|r| r.first());
        matches!(row, Some(Cell::Count(_)))
            .then(|| Whole { all: ledger.new_persons(), parts: ledger.parts.iter().map(Ledger::new_persons).collect() })
    }

    /// Whether publishing `part` of the whole (and `parts`, each organisation's share) would
    /// give away the rest, the persons *without* something, as a small number: neither nobody
    /// nor at least [`THRESHOLD`] (once the largest organisation's rest is taken away).
    fn small_rest(&self, part: u64, parts: &[u64]) -> bool {
        let rest = self.all.saturating_sub(part);
        let rests: Vec<u64> = self.parts.iter().zip(parts).map(|(w, p)| w.saturating_sub(*p)).collect();
        let largest = largest_share(&rests, |r| *r);
        rest > 0 && rest.saturating_sub(largest) < THRESHOLD
    }
}

/// The cells of `table` to hide because of a table published before it (the tables of one
/// report are suppressed one by one; these are the relations between them):
/// - `intakes_by_month` adds up to the row « new » of `persons_new_continuing`: its total is
///   hidden when that row is;
/// - the closures are some of the persons followed: their total is hidden when the persons
///   followed minus the persons closed (those still followed at the end) is small.
fn across(ledger: &Ledger, published: &[Table], table: &Counts) -> Vec<(usize, usize)> {
    let total = (table.rows.codes.len(), 0);
    let sum = |l: &Ledger| l.tables.iter().find(|t| t.id == table.id).map_or(0, |t| t.counts.iter().flatten().sum::<u64>());
    let hide = match table.id.as_str() {
        "intakes_by_month" => Whole::new(ledger, published).is_none(),
        "closures_by_reason" => {
            Whole::followed(ledger, published).is_some_and(|w| w.small_rest(sum(ledger), &ledger.parts.iter().map(sum).collect::<Vec<_>>()))
        }
        _ => false,
    };
    if hide { vec![total] } else { vec![] }
}

/// The last day counted: `to`, or today when none or later; refused before `from`.
fn period_end(from: Option<NaiveDate>, to: Option<NaiveDate>, now: DateTime<FixedOffset>) -> Result<NaiveDate> {
    let to = to.map_or(now.date_naive(), |t| t.min(now.date_naive()));
    if from.is_some_and(|f| f > to) {
        return Err(crate::error::Error::invalid("from", crate::error::Problem::EndBeforeStart));
    }
    Ok(to)
}

/// Counts ahead, on `snapshot` (a [`Store::snapshot`] taken at `mark`), what [`compute`] will
/// read for the same period at `now`: the window counts the statistics it opens on (since the
/// first intake, to today) just after the unlock, without holding the vault, so that the screen
/// opens at once. Give the result to the store with [`count::Counted::offer`].
pub fn count_ahead(
    snapshot: &Store,
    mark: crate::vault::store::Mark,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<FixedOffset>,
) -> Result<count::Counted> {
    count::count_ahead(snapshot, mark, from, period_end(from, to, now)?)
}

/// Computes the statistics of the period `from..=to` (`from` none: since the first intake; `to`
/// none or after today: today, since nothing after today is known yet and a month to come would
/// count every open case as followed), already suppressed.
pub fn compute(store: &Store, from: Option<NaiveDate>, to: Option<NaiveDate>, lang: Lang, now: DateTime<FixedOffset>) -> Result<Stats> {
    let to = period_end(from, to, now)?;
    let organisation = store.meta(crate::vault::store::Meta::OwnerOrg)?.unwrap_or_default();
    Ok(publish(&count::ledger(store, from, to)?, lang, &organisation))
}
/// The grid of a table with its margins: interior `rows × cols`, then (additive) a totals
/// column for two-way tables and a totals row. `None` where a margin does not exist.
struct Grid {
    values: Vec<Vec<Option<u64>>>,
    hidden: Vec<Vec<bool>>,
    /// Each relation: the cells it adds up, with +1 or -1 (the total).
    relations: Vec<Vec<((usize, usize), i64)>>,
    interior: (usize, usize),
    /// In a coalition's merge, each organisation's share of every cell (margins included): a
    /// member knows its own share, so a cell or a group of cells counts as small when what is
    /// left once the largest share is taken away is under [`THRESHOLD`] (the dominance rule).
    parts: Vec<Vec<Vec<Option<u64>>>>,
}

impl Grid {
    // Index loops read as the sums they are (rows, columns, margins).
    #[allow(clippy::needless_range_loop)]
    fn new(counts: &[Vec<u64>], additive: bool) -> Grid {
        let (r, c) = (counts.len(), counts.first().map_or(0, Vec::len));
        let two_way = additive && c > 1;
        let (gr, gc) = (r + usize::from(additive), c + usize::from(two_way));
        let mut values = vec![vec![None; gc]; gr];
        for (i, row) in counts.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                values[i][j] = Some(*v);
            }
        }
        let mut relations = Vec::new();
        if additive {
            // Column totals (and the grand total under the row totals).
            for j in 0..gc {
                values[r][j] = Some((0..r).map(|i| values[i][j].unwrap_or(0)).sum());
                let mut rel: Vec<_> = (0..r).map(|i| ((i, j), 1)).collect();
                rel.push(((r, j), -1));
                relations.push(rel);
            }
            if two_way {
                for i in 0..r {
                    values[i][c] = Some(counts[i].iter().sum());
                    let mut rel: Vec<_> = (0..c).map(|j| ((i, j), 1)).collect();
                    rel.push(((i, c), -1));
                    relations.push(rel);
                }
                values[r][c] = Some(counts.iter().flatten().sum());
                let mut rel: Vec<_> = (0..c).map(|j| ((r, j), 1)).collect();
                rel.push(((r, c), -1));
                relations.push(rel);
            }
        }
        let hidden = values.iter().map(|row| row.iter().map(|v| v.is_some_and(|v| v < THRESHOLD)).collect()).collect();
        Grid { values, hidden, relations, interior: (r, c), parts: Vec::new() }
    }

    fn value(&self, (i, j): (usize, usize)) -> u64 {
        self.values[i][j].unwrap_or(0)
    }

    /// The merge of several organisations' `parts` (the same shape as the table): the primary
    /// suppression redone under the dominance rule.
    fn with_parts(mut self, parts: &[&Counts]) -> Grid {
        if parts.len() > 1 {
            self.parts = parts.iter().map(|p| Grid::new(&p.counts, p.additive).values).collect();
            for i in 0..self.values.len() {
                for j in 0..self.values[i].len() {
                    self.hidden[i][j] = self.values[i][j].is_some() && self.small(&[(i, j)]);
                }
            }
        }
        self
    }

    /// Whether the cells together are too few to publish (or to leave hidden as a group next
    /// to a published total): under [`THRESHOLD`], or, in a merge, under it once the largest
    /// organisation's share is taken away.
    fn small(&self, cells: &[(usize, usize)]) -> bool {
        let total: u64 = cells.iter().map(|c| self.value(*c)).sum();
        let largest = self.parts.iter().map(|p| cells.iter().map(|&(i, j)| p[i][j].unwrap_or(0)).sum::<u64>()).max().unwrap_or(0);
        total.saturating_sub(largest) < THRESHOLD
    }

    /// Hides the smallest visible cell of `rel`, interior cells first. False if none is left.
    fn hide_one_more(&mut self, rel: &[((usize, usize), i64)]) -> bool {
        let (r, c) = self.interior;
        let best = rel
            .iter()
            .map(|(cell, _)| *cell)
            .filter(|&(i, j)| !self.hidden[i][j])
            .min_by_key(|&(i, j)| (i >= r || j >= c, self.value((i, j)), i, j));
        match best {
            Some((i, j)) => {
                self.hidden[i][j] = true;
                true
            }
            None => false,
        }
    }

    /// The heuristic pass: no relation hides exactly one cell, nor a group under the threshold
    /// next to a published total.
    fn secondary(&mut self) {
        loop {
            let mut changed = false;
            for k in 0..self.relations.len() {
                let rel = self.relations[k].clone();
                let hidden: Vec<_> = rel.iter().filter(|((i, j), _)| self.hidden[*i][*j]).collect();
                if hidden.is_empty() {
                    continue;
                }
                let total_visible = rel.iter().any(|((i, j), coef)| *coef < 0 && !self.hidden[*i][*j]);
                let group: Vec<(usize, usize)> = hidden.iter().filter(|(_, coef)| *coef > 0).map(|(cell, _)| *cell).collect();
                if (hidden.len() == 1 || (total_visible && self.small(&group))) && self.hide_one_more(&rel) {
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// Hidden cells that the published counts determine exactly, by any linear combination of
    /// the table's relations.
    fn determined(&self) -> Vec<(usize, usize)> {
        let vars: Vec<(usize, usize)> = (0..self.values.len())
            .flat_map(|i| (0..self.values[i].len()).map(move |j| (i, j)))
            .filter(|&(i, j)| self.values[i][j].is_some() && self.hidden[i][j])
            .collect();
        let rows: Vec<Vec<f64>> = self
            .relations
            .iter()
            .map(|rel| {
                let mut row = vec![0.0; vars.len()];
                for (cell, coef) in rel {
                    if let Some(k) = vars.iter().position(|v| v == cell) {
                        row[k] = *coef as f64;
                    }
                }
                row
            })
            .collect();
        determined_columns(rows, vars.len()).into_iter().map(|k| vars[k]).collect()
    }
}

/// The variables fixed by the equations `rows` (coefficients only; the right-hand sides are
/// known): those whose unit vector is in the row space, i.e. a row of the reduced echelon form
/// with a single non-zero entry.
fn determined_columns(mut rows: Vec<Vec<f64>>, n: usize) -> Vec<usize> {
    const EPS: f64 = 1e-9;
    let mut pivot_row = 0;
    for col in 0..n {
        let Some(p) = (pivot_row..rows.len()).find(|&r| rows[r][col].abs() > EPS) else { continue };
        rows.swap(pivot_row, p);
        let lead = rows[pivot_row][col];
        for x in rows[pivot_row].iter_mut() {
            *x /= lead;
        }
        for r in 0..rows.len() {
            if r != pivot_row && rows[r][col].abs() > EPS {
                let f = rows[r][col];
                let pivot = rows[pivot_row].clone();
                for (x, p) in rows[r].iter_mut().zip(pivot) {
                    *x -= f * p;
                }
            }
        }
        pivot_row += 1;
    }
    rows.iter()
        .filter_map(|row| {
            let nz: Vec<usize> = (0..n).filter(|&k| row[k].abs() > EPS).collect();
            (nz.len() == 1).then(|| nz[0])
        })
        .collect()
}

#[cfg(test)]
fn suppress(raw: &Counts, parts: &[&Counts], lang: Lang) -> Table {
    suppress_with(raw, parts, lang, &[])
}

/// [`suppress`], with `forced` cells (of the grid: the total of a one-way table is `(rows, 0)`)
/// hidden first because another table gives them away, then as many more as that takes.
fn suppress_with(raw: &Counts, parts: &[&Counts], lang: Lang, forced: &[(usize, usize)]) -> Table {
    let mut g = Grid::new(&raw.counts, raw.additive).with_parts(parts);
    for &(i, j) in forced {
        if g.values.get(i).and_then(|row| row.get(j)).is_some_and(Option::is_some) {
            g.hidden[i][j] = true;
        }
    }
    if raw.additive {
        g.secondary();
        // The audit: hide more until no hidden cell can be worked out.
        while let Some(cell) = g.determined().first().copied() {
            let rels: Vec<_> = g.relations.iter().filter(|rel| rel.iter().any(|(c, _)| *c == cell)).cloned().collect();
            if !rels.iter().any(|rel| g.hide_one_more(rel)) {
                break; // everything around it is hidden already
            }
            g.secondary();
        }
    }
    let (r, c) = g.interior;
    let cell = |i: usize, j: usize| if g.hidden[i][j] { Cell::Suppressed } else { Cell::Count(g.value((i, j))) };
    let two_way = raw.additive && c > 1;
    Table {
        id: raw.id.clone(),
        title: tr(lang, &format!("stats.{}", raw.id), &[]),
        note: tr(lang, &format!("stats.{}_note", raw.id), &[]),
        cells: (0..r).map(|i| (0..c).map(|j| cell(i, j)).collect()).collect(),
        row_totals: two_way.then(|| (0..r).map(|i| cell(i, c)).collect()),
        column_totals: raw.additive.then(|| (0..c).map(|j| cell(r, j)).collect()),
        total: raw.additive.then(|| if two_way { cell(r, c) } else { cell(r, 0) }),
        rows: heads(&raw.rows, lang),
        columns: heads(&raw.columns, lang),
    }
}

/// The statistics as an `.xlsx` workbook, the format funders ask for: a first sheet with the
/// title, the period, the suppression rule and the median, then one sheet per table (its
/// title, what it counts, row and column headings in words, the counts as numbers and every
/// suppressed cell as the text « < 11 », never as zero), then one per sum. The same published
/// numbers as the CSV and the JSON; written in memory.
pub fn xlsx(stats: &Stats) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let lang = stats.lang;
    let err = |e: rust_xlsxwriter::XlsxError| crate::error::Error::Io(std::io::Error::other(e.to_string()));
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    // Sheet names: at most 31 characters, none of : \ / ? * [ ], unique.
    let mut used = std::collections::BTreeSet::new();
    let mut name = |title: &str| {
        let clean: String = title.chars().filter(|c| !matches!(c, ':' | '\\' | '/' | '?' | '*' | '[' | ']')).take(28).collect();
        let clean = clean.trim().to_owned();
        let mut n = clean.clone();
        let mut k = 2;
        while !used.insert(n.clone()) {
            n = format!("{clean} {k}");
            k += 1;
        }
        n
    };
    let cell = |ws: &mut Worksheet, r: u32, c: u16, v: &Cell| -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
        match v {
            Cell::Count(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
            Cell::Suppressed | Cell::Withheld => ws.write_string(r, c, v.text()).map(|_| ()),
        }
    };
    let period = &stats.period;
    {
        let ws = book.add_worksheet();
        ws.set_name(name(&stats.title)).map_err(err)?;
        ws.write_string_with_format(0, 0, &stats.title, &bold).map_err(err)?;
        ws.write_string(1, 0, period).map_err(err)?;
        ws.write_string(2, 0, tr(lang, "stats.rule", &[])).map_err(err)?;
        if !stats.organisation.is_empty() {
            ws.write_string_with_format(3, 0, &stats.organisation, &bold).map_err(err)?;
        }
        let m = &stats.median_days_to_first_service;
        ws.write_string_with_format(4, 0, &m.label, &bold).map_err(err)?;
        match m.days {
            Some(d) => ws.write_number(4, 1, d).map(|_| ()).map_err(err)?,
            None => ws.write_string(4, 1, tr(lang, "stats.median_hidden", &[])).map(|_| ()).map_err(err)?,
        }
        ws.write_string(5, 0, tr(lang, "stats.persons", &[])).map_err(err)?;
        cell(ws, 5, 1, &m.persons).map_err(err)?;
        ws.set_column_width(0, 60).map_err(err)?;
    }
    let total = tr(lang, "stats.total", &[]);
    for t in &stats.tables {
        let ws = book.add_worksheet();
        ws.set_name(name(&t.title)).map_err(err)?;
        ws.write_string_with_format(0, 0, &t.title, &bold).map_err(err)?;
        ws.write_string(1, 0, &t.note).map_err(err)?;
        let head = 3u32;
        for (j, c) in t.columns.iter().enumerate() {
            ws.write_string_with_format(head, j as u16 + 1, &c.label, &bold).map_err(err)?;
        }
        let with_row_totals = t.row_totals.is_some();
        if with_row_totals {
            ws.write_string_with_format(head, t.columns.len() as u16 + 1, &total, &bold).map_err(err)?;
        }
        for (i, r) in t.rows.iter().enumerate() {
            let row = head + 1 + i as u32;
            ws.write_string(row, 0, &r.label).map_err(err)?;
            for (j, v) in t.cells[i].iter().enumerate() {
                cell(ws, row, j as u16 + 1, v).map_err(err)?;
            }
            if let Some(rt) = &t.row_totals {
                cell(ws, row, t.columns.len() as u16 + 1, &rt[i]).map_err(err)?;
            }
        }
        if let Some(ct) = &t.column_totals {
            let row = head + 1 + t.rows.len() as u32;
            ws.write_string_with_format(row, 0, &total, &bold).map_err(err)?;
            for (j, v) in ct.iter().enumerate() {
                cell(ws, row, j as u16 + 1, v).map_err(err)?;
            }
            if let (Some(tt), true) = (&t.total, with_row_totals) {
                cell(ws, row, t.columns.len() as u16 + 1, tt).map_err(err)?;
            }
        }
        ws.set_column_width(0, 45).map_err(err)?;
    }
    for sums in &stats.sums {
        let ws = book.add_worksheet();
        ws.set_name(name(&sums.title)).map_err(err)?;
        ws.write_string_with_format(0, 0, &sums.title, &bold).map_err(err)?;
        ws.write_string(1, 0, &sums.note).map_err(err)?;
        ws.write_string_with_format(3, 1, tr(lang, "stats.persons", &[]), &bold).map_err(err)?;
        for (i, s) in sums.rows.iter().chain(std::iter::once(&sums.total)).enumerate() {
            let row = 4 + i as u32;
            ws.write_string(row, 0, &s.label).map_err(err)?;
            cell(ws, row, 1, &s.persons).map_err(err)?;
            ws.write_string(row, 2, &s.text).map_err(err)?;
        }
        ws.set_column_width(0, 45).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

/// The report as CSV: one line per published number (`table,row,column,count`), codes not labels
/// in the first columns so a spreadsheet can join years, labels after.
pub fn csv(stats: &Stats) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let total = Head { code: "total".into(), label: tr(stats.lang, "stats.total", &[]) };
    let _ = w.write_record(["table", "row", "column", "count", "row_label", "column_label"]);
    for t in &stats.tables {
        let mut put = |row: &Head, col: &Head, cell: &Cell| {
            let safe = crate::lang::spreadsheet_safe;
            let _ = w.write_record([t.id.as_str(), &row.code, &col.code, &cell.text(), &safe(&row.label), &safe(&col.label)]);
        };
        for (i, row) in t.rows.iter().enumerate() {
            for (j, col) in t.columns.iter().enumerate() {
                put(row, col, &t.cells[i][j]);
            }
            if let Some(rt) = &t.row_totals {
                put(row, &total, &rt[i]);
            }
        }
        if let Some(ct) = &t.column_totals {
            for (j, col) in t.columns.iter().enumerate() {
                put(&total, col, &ct[j]);
            }
        }
        if let (Some(tt), Some(_)) = (&t.total, &t.row_totals) {
            put(&total, &total, tt);
        }
    }
    let m = &stats.median_days_to_first_service;
    let median = Head { code: "median_days_to_first_service".into(), label: m.label.clone() };
    let persons = Head { code: "persons".into(), label: tr(stats.lang, "stats.persons", &[]) };
    let days = Head { code: "days".into(), label: tr(stats.lang, "stats.days", &[]) };
    let _ = w.write_record(["median_days_to_first_service", &median.code, &persons.code, &m.persons.text(), &median.label, &persons.label]);
    let value = m.days.map(|d| d.to_string()).unwrap_or_default();
    let _ = w.write_record(["median_days_to_first_service", &median.code, &days.code, &value, &median.label, &days.label]);
    // Sums: the persons each concerns, then the value in its unit (empty when hidden).
    for g in &stats.sums {
        let unit = Head { code: g.unit.clone(), label: tr(stats.lang, &format!("stats.unit_{}", g.unit), &[]) };
        for r in g.rows.iter().chain(std::iter::once(&g.total)) {
            let safe = crate::lang::spreadsheet_safe;
            let _ = w.write_record([g.id.as_str(), &r.code, &persons.code, &r.persons.text(), &safe(&r.label), &persons.label]);
            let v = r.value.map(|v| v.to_string()).unwrap_or_default();
            let _ = w.write_record([g.id.as_str(), &r.code, &unit.code, &v, &safe(&r.label), &unit.label]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn table(counts: Vec<Vec<u64>>) -> Table {
        let c = counts[0].len();
        let h = |n: usize, p: &str| Axis { list: "test".into(), codes: (0..n).map(|i| format!("{p}{i}")).collect() };
        suppress(
            &Counts { id: "persons_by_origin".into(), rows: h(counts.len(), "r"), columns: h(c, "c"), counts, additive: true },
            &[],
            Lang::En,
        )
    }

    fn n(c: &Cell) -> Option<u64> {
        match c {
            Cell::Count(n) => Some(*n),
            Cell::Suppressed | Cell::Withheld => None,
        }
    }

    #[test]
    fn the_subtraction_case_is_closed() {
        // 50 + 5 + 30 = 85: hiding only the 5 would leave it as 85 - 50 - 30.
        let t = table(vec![vec![50], vec![5], vec![30]]);
        let cells: Vec<_> = t.cells.iter().map(|r| n(&r[0])).collect();
        assert_eq!(cells, [Some(50), None, None], "the smallest other cell is hidden too");
        assert_eq!(t.total, Some(Cell::Count(85)), "the total stays true");
        // Nothing under the threshold is ever published.
        let t = table(vec![vec![3], vec![4], vec![40]]);
        assert!(t.cells.iter().flatten().chain(t.total.iter()).all(|c| n(c).is_none_or(|v| v >= THRESHOLD)));
        // 3 + 4 hidden, total 47 shown: their sum (7) would say both are small; 40 is hidden too.
        assert_eq!(t.cells[2][0], Cell::Suppressed);
    }

    #[test]
    fn nothing_is_hidden_when_nothing_needs_to_be() {
        let t = table(vec![vec![20, 30], vec![40, 11]]);
        assert_eq!(t.cells, vec![vec![Cell::Count(20), Cell::Count(30)], vec![Cell::Count(40), Cell::Count(11)]]);
        assert_eq!(t.row_totals, Some(vec![Cell::Count(50), Cell::Count(51)]));
        assert_eq!(t.column_totals, Some(vec![Cell::Count(60), Cell::Count(41)]));
        assert_eq!(t.total, Some(Cell::Count(101)));
    }

    #[test]
    fn a_two_way_table_hides_a_rectangle_not_a_cell() {
        let t = table(vec![vec![30, 2, 25], vec![40, 50, 60], vec![20, 35, 45]]);
        assert_eq!(t.cells[0][1], Cell::Suppressed);
        // Row 0 and column 1 each hide at least one more cell.
        assert!(t.cells[0].iter().filter(|c| n(c).is_none()).count() >= 2);
        assert!(t.cells.iter().filter(|r| n(&r[1]).is_none()).count() >= 2);
    }

    #[test]
    fn a_person_with_a_share_in_two_hidden_rows_counts_once() {
        // Rows a, b, c: 20 persons in a only; in b and c, 2 + 2 alone and 6 in both. b and c
        // concern 8 each (hidden), 10 together: the total would give away a sum over 10
        // persons, so it is hidden (adding 8 + 8 would have said 16 and published it).
        let rows = Axis { list: "stats".into(), codes: vec!["a".into(), "b".into(), "c".into()] };
        let raw = |persons: BTreeMap<u64, u64>| SumCounts {
            id: "expenses_by_fund".into(),
            unit: "cents".into(),
            rows: rows.clone(),
            values: vec![10_000, 2_000, 3_000],
            persons,
        };
        let s = suppress_sums(&raw(BTreeMap::from([(0b001, 20), (0b010, 2), (0b100, 2), (0b110, 6)])), &[], None, Lang::En);
        assert_eq!(s.rows.iter().map(|r| r.persons).collect::<Vec<_>>(), [Cell::Count(20), Cell::Suppressed, Cell::Suppressed]);
        assert_eq!((s.rows[0].value, s.rows[1].value), (Some(10_000), None));
        assert_eq!(s.total.persons, Cell::Withheld, "30 beside the published 20 would say 10 are in b or c only");
        assert_eq!(s.total.value, None, "b and c together concern 10 persons");
        // One more person in b alone: 11 together, the total is published.
        let s = suppress_sums(&raw(BTreeMap::from([(0b001, 20), (0b010, 3), (0b100, 2), (0b110, 6)])), &[], None, Lang::En);
        assert_eq!(s.total.value, Some(15_000));
    }

    #[test]
    fn the_persons_of_a_total_are_published_only_when_they_give_nothing_small_away() {
        let rows = Axis { list: "stats".into(), codes: vec!["a".into(), "b".into()] };
        let raw = |persons: BTreeMap<u64, u64>| SumCounts {
            id: "expenses_by_fund".into(),
            unit: "cents".into(),
            rows: rows.clone(),
            values: vec![10_000, 2_000],
            persons,
        };
        // 30 and 25 persons, 50 in all: 5 had both, which 30 + 25 - 50 would tell.
        let s = suppress_sums(&raw(BTreeMap::from([(0b01, 25), (0b10, 20), (0b11, 5)])), &[], None, Lang::En);
        assert_eq!((s.rows[0].persons, s.rows[1].persons), (Cell::Count(30), Cell::Count(25)));
        assert_eq!((s.total.value, s.total.persons), (Some(12_000), Cell::Withheld));
        assert_eq!(s.total.persons.text(), "n.p.");
        // 11 in both: published.
        let s = suppress_sums(&raw(BTreeMap::from([(0b01, 19), (0b10, 14), (0b11, 11)])), &[], None, Lang::En);
        assert_eq!(s.total.persons, Cell::Count(44));
        // Nobody in both: published.
        let s = suppress_sums(&raw(BTreeMap::from([(0b01, 30), (0b10, 25)])), &[], None, Lang::En);
        assert_eq!(s.total.persons, Cell::Count(55));
    }

    #[test]
    fn an_hours_row_is_hidden_when_its_detail_hides_its_total() {
        let mut l = count::empty(NaiveDate::from_ymd_opt(2026, 4, 1), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let mut set = |id: &str, values: Vec<i64>, persons: BTreeMap<u64, u64>| {
            let g = l.sums.iter_mut().find(|g| g.id == id).unwrap();
            g.values = values;
            g.persons = persons;
        };
        // Phone notes for 30 persons, visits for 3: the detail hides the visits and its total.
        set("interventions_by_kind", vec![3000, 0, 600, 0, 0, 0], BTreeMap::from([(0b001, 30), (0b100, 3)]));
        set("time_by_kind", vec![3600, 0], BTreeMap::from([(0b01, 33)]));
        let st = publish(&l, Lang::En, "");
        let detail = st.sums.iter().find(|g| g.id == "interventions_by_kind").unwrap();
        assert_eq!((detail.rows[0].value, detail.rows[2].value, detail.total.value), (Some(3000), None, None));
        let time = st.sums.iter().find(|g| g.id == "time_by_kind").unwrap();
        assert_eq!(time.rows[0].value, None, "3600 - 3000 would be the 3 persons' visits");
        assert_eq!(time.total.value, None);
    }

    #[test]
    fn the_median_of_a_histogram_is_the_median_of_its_persons() {
        let of = |days: BTreeMap<u32, u64>| {
            let mut l = count::empty(None, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
            l.days_to_first_service = days;
            median(&l, None, Lang::En)
        };
        let m = of(BTreeMap::from([(2, 5), (10, 5), (30, 1)]));
        assert_eq!((m.persons, m.days), (Cell::Count(11), Some(10.0)));
        let m = of(BTreeMap::from([(2, 6), (10, 6)]));
        assert_eq!(m.days, Some(6.0), "even: the mean of the two middle values");
        assert_eq!(of(BTreeMap::from([(2, 10)])).days, None, "under 11 persons");
    }

    #[test]
    fn the_audit_finds_what_subtraction_finds() {
        // x + y = known, y = known: x is determined; two unknowns in one equation are not.
        assert_eq!(determined_columns(vec![vec![1.0, 1.0], vec![0.0, 1.0]], 2), vec![0, 1]);
        assert!(determined_columns(vec![vec![1.0, 1.0]], 2).is_empty());
    }

    /// Rank over the rationals, exactly (integer elimination), for the independent check.
    fn rank(mut m: Vec<Vec<i128>>) -> usize {
        let cols = m.first().map_or(0, Vec::len);
        let mut rank = 0;
        for col in 0..cols {
            let Some(p) = (rank..m.len()).find(|&r| m[r][col] != 0) else { continue };
            m.swap(rank, p);
            for r in rank + 1..m.len() {
                if m[r][col] != 0 {
                    let (a, b) = (m[rank][col], m[r][col]);
                    let pivot = m[rank].clone();
                    for (x, p) in m[r].iter_mut().zip(pivot) {
                        *x = *x * a - p * b;
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    /// A table as its grid (cells, then the totals column, then the totals row).
    fn grid_of(t: &Table) -> Vec<Vec<Cell>> {
        let mut grid: Vec<Vec<Cell>> = t.cells.clone();
        if let Some(rt) = &t.row_totals {
            for (i, row) in grid.iter_mut().enumerate() {
                row.push(rt[i]);
            }
        }
        let mut last = t.column_totals.clone().unwrap();
        if t.row_totals.is_some() {
            last.push(t.total.unwrap());
        }
        grid.push(last);
        grid
    }

    /// What an attacker holds: the published cells and totals and the table's sums. A hidden
    /// cell is exposed when its unit vector lies in the span of the sums over hidden cells.
    fn exposed(t: &Table) -> Vec<String> {
        exposed_across(&[t], &[])
    }

    /// The same over several tables, with `same`: pairs of cells (table, row, column of its
    /// grid) that are the same number (a table's total and another's row).
    #[allow(clippy::type_complexity)]
    fn exposed_across(tables: &[&Table], same: &[((usize, usize, usize), (usize, usize, usize))]) -> Vec<String> {
        let grids: Vec<Vec<Vec<Cell>>> = tables.iter().map(|t| grid_of(t)).collect();
        let hidden: Vec<(usize, usize, usize)> = grids
            .iter()
            .enumerate()
            .flat_map(|(k, g)| (0..g.len()).flat_map(move |i| (0..g[i].len()).map(move |j| (k, i, j))))
            .filter(|&(k, i, j)| grids[k][i][j] == Cell::Suppressed)
            .collect();
        let var = |cell: (usize, usize, usize)| hidden.iter().position(|h| *h == cell);
        let mut eqs: Vec<Vec<i128>> = Vec::new();
        for (k, t) in tables.iter().enumerate() {
            let (r, c) = (t.cells.len(), t.columns.len());
            let mut sum = |cells: Vec<(usize, usize)>, total: (usize, usize)| {
                let mut row = vec![0i128; hidden.len()];
                for (i, j) in cells {
                    if let Some(v) = var((k, i, j)) {
                        row[v] += 1;
                    }
                }
                if let Some(v) = var((k, total.0, total.1)) {
                    row[v] -= 1;
                }
                eqs.push(row);
            };
            for j in 0..grids[k][0].len() {
                sum((0..r).map(|i| (i, j)).collect(), (r, j));
            }
            if t.row_totals.is_some() {
                for i in 0..=r {
                    sum((0..c).map(|j| (i, j)).collect(), (i, c));
                }
            }
        }
        for (a, b) in same {
            let mut row = vec![0i128; hidden.len()];
            if let Some(v) = var(*a) {
                row[v] += 1;
            }
            if let Some(v) = var(*b) {
                row[v] -= 1;
            }
            eqs.push(row);
        }
        let base = rank(eqs.clone());
        hidden
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                let mut with = eqs.clone();
                let mut unit = vec![0i128; hidden.len()];
                unit[*k] = 1;
                with.push(unit);
                rank(with) == base
            })
            .map(|(_, cell)| format!("{cell:?}"))
            .collect()
    }

    #[test]
    fn the_independent_check_sees_a_single_hidden_cell() {
        // Built by hand, unsuppressed: 5 hidden alone next to a published total is exposed.
        let h = |s: &str| Head { code: s.into(), label: s.into() };
        let t = Table {
            id: "x".into(),
            title: String::new(),
            note: String::new(),
            rows: vec![h("a"), h("b")],
            columns: vec![h("n")],
            cells: vec![vec![Cell::Count(50)], vec![Cell::Suppressed]],
            row_totals: None,
            column_totals: Some(vec![Cell::Count(55)]),
            total: Some(Cell::Count(55)),
        };
        assert_eq!(exposed(&t), ["(0, 1, 0)"]);
    }

    /// Days from 1 January 2025 to the intake, then to the closing; a pick; days to a first
    /// service; minutes of an intervention.
    type Person = (i64, Option<i64>, usize, Option<i64>, Option<i64>);

    /// A vault of `persons` (days from 1 January 2025 to the intake, to the closing, to a
    /// first service, an origin, a closure reason, minutes of an intervention) counted for the
    /// fiscal year 2026 (or since the start) and published.
    fn published(persons: &[Person], since_start: bool) -> Stats {
        let day = |n: i64| (NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(n as u64)).to_string();
        let origins = Catalogues::get().list("origins");
        let reasons = Catalogues::get().list("closure_reasons");
        let (mut ps, mut appts, mut notes) = (Vec::new(), Vec::new(), Vec::new());
        for (k, (intake, closed, pick, served, minutes)) in persons.iter().enumerate() {
            let id = format!("p{k}");
            let mut p = serde_json::json!({
                "id": id, "intake_at": day(*intake), "origin": origins[pick % origins.len()].code,
            });
            if let Some(c) = closed {
                p["status"] = "closed".into();
                p["closed_on"] = day(intake + c).into();
                p["closure_reason"] = reasons[pick % reasons.len()].code.clone().into();
            }
            ps.push(p.as_object().unwrap().clone());
            if let Some(d) = served {
                let a = serde_json::json!({"id": format!("a{k}"), "person_id": id, "status": "attended", "starts_at": day(intake + d)});
                appts.push(a.as_object().unwrap().clone());
            }
            if let Some(m) = minutes {
                let n = serde_json::json!({"id": format!("n{k}"), "person_id": id, "kind": "other", "minutes": m, "at": day(intake + 1)});
                notes.push(n.as_object().unwrap().clone());
            }
        }
        let (from, to) = (NaiveDate::from_ymd_opt(2026, 4, 1), NaiveDate::from_ymd_opt(2027, 3, 31).unwrap());
        let ledger = count::of_records(ps, appts, notes, if since_start { None } else { from }, to);
        ledger.check().expect("a ledger Relais counted agrees with itself");
        publish(&ledger, Lang::En, "")
    }

    fn find<'a>(st: &'a Stats, id: &str) -> &'a Table {
        st.tables.iter().find(|t| t.id == id).unwrap()
    }

    /// `whole - part`, when both are published: neither nobody nor fewer than 11.
    fn rest_is_safe(whole: &Cell, part: &Cell) -> bool {
        match (whole, part) {
            (Cell::Count(w), Cell::Count(p)) => w == p || w - p >= THRESHOLD,
            _ => true,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// The tables of one report read together: the intakes by month and the new persons,
        /// the closures and the persons followed, the median's persons and the new persons,
        /// a sum's persons and the persons followed. No difference between two tables is a
        /// small number, and no hidden cell is determined by the tables together.
        #[test]
        fn no_table_gives_a_small_count_away_with_another(
            persons in proptest::collection::vec(
                (0i64..800, proptest::option::of(0i64..500), 0usize..20, proptest::option::of(0i64..90), proptest::option::of(1i64..600)),
                0..70,
            ),
            since_start in proptest::bool::ANY,
        ) {
            let st = published(&persons, since_start);
            let nc = find(&st, "persons_new_continuing");
            let (new, followed) = (nc.cells[0][0], nc.total.unwrap());
            let months = find(&st, "intakes_by_month");
            // The intakes by month add up to the new persons, published or hidden alike.
            proptest::prop_assert_eq!(months.total.unwrap(), new);
            let last = months.rows.len();
            let exposed = exposed_across(&[nc, months], &[((0, 0, 0), (1, last, 0))]);
            proptest::prop_assert!(exposed.is_empty(), "exposed {:?}: {:?} / {:?}", exposed, nc.cells, months.cells);
            let closures = find(&st, "closures_by_reason");
            proptest::prop_assert!(exposed_across(&[closures], &[]).is_empty());
            proptest::prop_assert!(rest_is_safe(&followed, &closures.total.unwrap()), "{:?} followed, {:?} closed", followed, closures.total);
            let m = &st.median_days_to_first_service;
            proptest::prop_assert!(rest_is_safe(&new, &m.persons), "{:?} new, {:?} served", new, m.persons);
            for g in &st.sums {
                for p in g.rows.iter().map(|r| &r.persons).chain([&g.total.persons]) {
                    proptest::prop_assert!(rest_is_safe(&followed, p), "{}: {:?} followed, {:?}", g.id, followed, p);
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Three organisations' needs tables, each mostly small, added up then published: what
        /// is published is the sum, never under 11, and no hidden cell can be worked out.
        #[test]
        fn a_merge_of_ledgers_publishes_nothing_small_nor_recoverable(
            orgs in proptest::collection::vec(proptest::collection::vec(0u64..9, 21), 3..5)
        ) {
            let (from, to) = (NaiveDate::from_ymd_opt(2026, 4, 1), NaiveDate::from_ymd_opt(2027, 3, 31).unwrap());
            let ledgers: Vec<Ledger> = orgs.iter().map(|v| {
                let mut l = count::empty(from, to);
                let t = l.tables.iter_mut().find(|t| t.id == "needs_by_phase_status").unwrap();
                for (i, row) in t.counts.iter_mut().enumerate() {
                    row.copy_from_slice(&v[i * 7..i * 7 + 7]);
                }
                l
            }).collect();
            let merged = Ledger::merge(&ledgers).unwrap();
            proptest::prop_assert_eq!(merged.organisations as usize, orgs.len());
            let raw = merged.tables.iter().find(|t| t.id == "needs_by_phase_status").unwrap();
            let parts: Vec<&Counts> = ledgers.iter().map(|l| l.tables.iter().find(|t| t.id == "needs_by_phase_status").unwrap()).collect();
            let t = suppress(raw, &parts, Lang::En);
            for (i, row) in t.cells.iter().enumerate() {
                for (j, cell) in row.iter().enumerate() {
                    let sum: u64 = orgs.iter().map(|v| v[i * 7 + j]).sum();
                    proptest::prop_assert_eq!(raw.counts[i][j], sum);
                    if let Cell::Count(v) = cell {
                        proptest::prop_assert_eq!(*v, sum);
                        // What any one member does not know of it is at least 11.
                        let largest = orgs.iter().map(|v| v[i * 7 + j]).max().unwrap();
                        proptest::prop_assert!(*v - largest >= THRESHOLD, "{} - {} published", v, largest);
                    }
                }
            }
            let exposed = exposed(&t);
            proptest::prop_assert!(exposed.is_empty(), "exposed {:?}", exposed);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        #[test]
        fn no_small_count_is_published_nor_recoverable(
            counts in proptest::collection::vec(proptest::collection::vec(0u64..45, 1..5), 1..6)
        ) {
            let width = counts[0].len();
            let counts: Vec<Vec<u64>> = counts.into_iter().map(|mut r| { r.resize(width, 7); r }).collect();
            let t = table(counts.clone());
            // What is published is true, and never under the threshold.
            for (i, row) in t.cells.iter().enumerate() {
                for (j, cell) in row.iter().enumerate() {
                    if let Cell::Count(v) = cell {
                        proptest::prop_assert_eq!(*v, counts[i][j]);
                        proptest::prop_assert!(*v >= THRESHOLD);
                    }
                }
            }
            let all = t.row_totals.iter().flatten().chain(t.column_totals.iter().flatten()).chain(t.total.iter());
            for c in all {
                proptest::prop_assert!(n(c).is_none_or(|v| v >= THRESHOLD));
            }
            let total: u64 = counts.iter().flatten().sum();
            proptest::prop_assert!(t.total.and_then(|c| n(&c)).is_none_or(|v| v == total));
            // No hidden cell can be worked out from the rest.
            let exposed = exposed(&t);
            proptest::prop_assert!(exposed.is_empty(), "exposed {:?} in {:?} -> {:?}", exposed, counts, t.cells);
        }
    }
}
