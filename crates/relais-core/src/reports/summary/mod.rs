//! The follow-up summary of one person for a case conference or a hand-over: where they stand,
//! in the worker's language, at the level of detail the reader may see.
//!
//! The content is gathered once into a [`Doc`] (sections of lines, and two figures), then
//! written as Markdown or as one self-contained HTML page (inline CSS and SVG, no script, no
//! outside reference), or as a PDF typeset by typst (`pdf`). `partner` leaves out everything
//! identifying or sensitive: the legal name, date of birth, contact details, address,
//! immigration status, every field the model marks sensitive, the notes, appointment places,
//! and whatever no consent in force covers (referrals and appointments with an organisation no
//! consent names); the page says it is a partner version.

use chrono::{DateTime, NaiveDate, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use crate::case::person_file::{self, PersonFile};
use crate::error::Result;
use crate::lang::Lang;
use crate::model::catalogue::Catalogues;
use crate::model::status::{AppointmentStatus, MilestoneStatus, NeedStatus};
use crate::record::{Fields, Kind, str_field};
use crate::vault::store::Store;

pub(crate) mod pdf;
pub use pdf::pdf;

/// Who the summary is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The organisation itself: everything.
    Internal,
    /// A partner organisation: nothing identifying or sensitive, no notes.
    Partner,
}

/// What to summarise, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// First day of the period covered (inclusive); none: from the intake.
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive); none: today.
    pub to: Option<NaiveDate>,
    /// Language of the document.
    pub lang: Lang,
    /// Who it is for.
    pub level: Level,
    /// "Now", in the worker's zone (what is "coming" is after it).
    pub now: DateTime<chrono::FixedOffset>,
}

/// One line of a section: a label and its text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Line {
    /// What the line is about.
    pub label: String,
    /// Its text.
    pub text: String,
    /// Shown by the section's figure too (a court milestone): formats that draw the figure
    /// do not repeat it.
    pub in_figure: bool,
}

/// A figure drawn at the top of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Figure {
    /// Needs by phase: met, in progress, unmet.
    Needs,
    /// The court-preparation timeline.
    Court,
}

/// A titled part of the summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Section {
    /// Section title.
    pub title: String,
    /// The figure drawn before its lines, if any.
    pub figure: Option<Figure>,
    /// Its lines, in order.
    pub lines: Vec<Line>,
}

/// A step of the court timeline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    /// Milestone label.
    pub label: String,
    /// When it was done, or is due.
    pub date: String,
    /// Its status, in words.
    pub status: String,
    /// Done already.
    pub done: bool,
}

/// The summary, ready to be written in any format.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Doc {
    /// Language of the document.
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// Set for the partner version: said at the top of the page.
    pub banner: Option<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Needs by phase: (phase label, met, in progress, unmet).
    pub needs_figure: Vec<(String, usize, usize, usize)>,
    /// The court timeline, in order.
    pub court_figure: Vec<Step>,
    /// Who produced it, when, and that it is not encrypted.
    pub footer: String,
}

fn t(lang: Lang, key: &str) -> String {
    crate::lang::tr(lang, key, &[])
}

use crate::time::long_date;

/// French typography: a no-break space before « : ; ? ! » and inside « guillemets »; straight
/// quotes become « ». English is left as it is.
pub fn typo(text: &str, lang: Lang) -> String {
    if lang != Lang::Fr {
        return text.to_owned();
    }
    const NBSP: char = '\u{a0}';
    // The spaces before « : ; ? ! » first (as every message gets them), then the guillemets.
    let spaced = crate::lang::punctuate(text, lang);
    let mut out = String::with_capacity(spaced.len() + 8);
    let mut open = true;
    for c in spaced.chars() {
        if c == '"' {
            if open {
                out.push('«');
                out.push(NBSP);
            } else {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(NBSP);
                out.push('»');
            }
            open = !open;
        } else {
            out.push(c);
        }
    }
    out
}

/// The local day of a stored date (`YYYY-MM-DD`) or date-time (UTC RFC 3339).
pub(crate) fn date_of(v: Option<&str>) -> Option<NaiveDate> {
    let s = v?;
    if s.len() == 10 {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    } else {
        crate::time::from_db(s).map(|d| d.with_timezone(&chrono::Local).date_naive())
    }
}

struct Ctx<'a> {
    file: &'a PersonFile,
    o: &'a Options,
    cat: &'a Catalogues,
    from: NaiveDate,
    to: NaiveDate,
    /// Consents in force today.
    consents: Vec<&'a Fields>,
}

impl Ctx<'_> {
    fn label(&self, list: &str, code: Option<&str>) -> String {
        code.map(|c| self.cat.label(list, c, self.o.lang).to_owned()).unwrap_or_default()
    }
    fn date(&self, v: Option<&str>) -> String {
        date_of(v).map(|d| long_date(d, self.o.lang)).unwrap_or_default()
    }
    fn in_period(&self, v: Option<&str>) -> bool {
        date_of(v).is_some_and(|d| d >= self.from && d <= self.to)
    }
    fn recs(&self, kind: Kind) -> &[Fields] {
        self.file.of(kind)
    }
    fn org(&self, id: Option<&str>) -> String {
        let orgs = self.file.directory.get(Kind::Organisation.name()).map(Vec::as_slice).unwrap_or(&[]);
        id.and_then(|id| orgs.iter().find(|o| str_field(o, "id") == Some(id)))
            .and_then(|o| str_field(o, "name"))
            .unwrap_or_default()
            .to_owned()
    }
    /// A free-text field, only when the level shows sensitive fields.
    fn sensitive(&self, kind: Kind, r: &Fields, field: &str) -> Option<String> {
        let col = kind.column(field)?;
        if col.sensitive && self.o.level == Level::Partner {
            return None;
        }
        str_field(r, field).filter(|s| !s.trim().is_empty()).map(str::to_owned)
    }
    /// At `partner`, whether a consent in force covers sharing what concerns this organisation
    /// (or this referral, through the consent it names). Always true at `internal`.
    fn covered(&self, org_id: Option<&str>, consent_id: Option<&str>) -> bool {
        self.o.level == Level::Internal
            || self.consents.iter().any(|x| {
                (org_id.is_some() && str_field(x, "org_id") == org_id) || (consent_id.is_some() && str_field(x, "id") == consent_id)
            })
    }
    fn line(&self, label: impl Into<String>, parts: &[String]) -> Line {
        Line {
            label: label.into(),
            text: parts.iter().filter(|p| !p.is_empty()).cloned().collect::<Vec<_>>().join(" · "),
            in_figure: false,
        }
    }
}

/// Gathers the summary of `person_id`.
pub fn build(store: &Store, person_id: &str, o: &Options) -> Result<Doc> {
    let file = person_file::load(store, person_id)?;
    let lang = o.lang;
    let p = &file.person;
    let today = o.now.date_naive();
    let intake = date_of(str_field(p, "intake_at")).unwrap_or(today);
    let consents = file.of(Kind::Consent).iter().filter(|x| crate::case::consent::in_force(x, today)).collect();
    let c = Ctx { file: &file, o, cat: Catalogues::get(), from: o.from.unwrap_or(intake), to: o.to.unwrap_or(today), consents };
    let mut sections = Vec::new();

    // Who, and the situation.
    let mut who = vec![c.line(t(lang, "summary.alias"), &[str_field(p, "alias").unwrap_or_default().to_owned()])];
    // Sensitive fields: `sensitive` leaves them out of the partner version.
    for (field, key) in [("legal_name", "summary.legal_name"), ("immigration_status", "summary.immigration_status")] {
        if let Some(v) = c.sensitive(Kind::Person, p, field) {
            who.push(c.line(t(lang, key), &[v]));
        }
    }
    if let Some(d) = c.sensitive(Kind::Person, p, "birth_date") {
        who.push(c.line(t(lang, "summary.birth_date"), &[c.date(Some(&d))]));
    }
    who.push(c.line(
        t(lang, "summary.status"),
        &[c.label("person_statuses", str_field(p, "status")), c.label("origins", str_field(p, "origin"))],
    ));
    let exploitation: Vec<String> = p
        .get("exploitation_types")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(|x| c.label("exploitation_types", Some(x))).collect())
        .unwrap_or_default();
    if !exploitation.is_empty() {
        who.push(c.line(t(lang, "summary.exploitation"), &[exploitation.join(", ")]));
    }
    // Risk, as the team assessed it: for the team only, never in a partner's copy.
    if o.level == Level::Internal && str_field(p, "risk_level").is_some() {
        let reviewed = str_field(p, "risk_reviewed_on")
            .map(|d| crate::lang::tr(lang, "summary.risk_reviewed", &[("date", &c.date(Some(d)))]))
            .unwrap_or_default();
        let crime = if p.get("organised_crime") == Some(&Value::Bool(true)) { t(lang, "summary.organised_crime") } else { String::new() };
        let protection = match (p.get("no_contact_order") == Some(&Value::Bool(true)), str_field(p, "protection_until")) {
            (true, Some(d)) => crate::lang::tr(lang, "summary.protection_until", &[("date", &c.date(Some(d)))]),
            (true, None) => t(lang, "summary.protection"),
            (false, _) => String::new(),
        };
        who.push(c.line(t(lang, "summary.risk"), &[c.label("risk_levels", str_field(p, "risk_level")), reviewed, crime, protection]));
    }
    // A closed case says why and when, for the team (the closure note stays in the file).
    if o.level == Level::Internal && str_field(p, "status") == Some("closed") {
        who.push(c.line(
            t(lang, "summary.closure"),
            &[c.label("closure_reasons", str_field(p, "closure_reason")), c.date(str_field(p, "closed_on"))],
        ));
    }
    if let Some(r) = str_field(p, "region") {
        who.push(c.line(t(lang, "summary.region"), &[r.to_owned()]));
    }
    who.push(c.line(t(lang, "summary.intake"), &[c.date(str_field(p, "intake_at"))]));
    who.push(c.line(t(lang, "summary.period"), &[format!("{} – {}", long_date(c.from, lang), long_date(c.to, lang))]));
    sections.push(Section { title: t(lang, "summary.who"), figure: None, lines: who });

    // Needs by phase, and the figure.
    let mut needs_figure = Vec::new();
    let mut needs = Vec::new();
    for phase in c.cat.list("phases") {
        let in_phase: Vec<&Fields> = c.recs(Kind::Need).iter().filter(|n| str_field(n, "phase") == Some(phase.code.as_str())).collect();
        let count = |keep: fn(NeedStatus) -> bool| in_phase.iter().filter(|n| NeedStatus::of(n).is_some_and(keep)).count();
        needs_figure.push((
            phase.label(lang).to_owned(),
            count(|s| s == NeedStatus::Met),
            count(NeedStatus::is_pending),
            count(|s| s == NeedStatus::Unmet),
        ));
        for n in in_phase {
            let changed = if c.in_period(str_field(n, "closed_on")) {
                t(lang, "summary.closed_in_period")
            } else if c.in_period(str_field(n, "identified_on")) {
                t(lang, "summary.new_in_period")
            } else {
                String::new()
            };
            needs.push(c.line(
                phase.label(lang).to_owned(),
                &[c.label("needs", str_field(n, "code")), c.label("need_statuses", str_field(n, "status")), changed],
            ));
        }
    }
    sections.push(Section { title: t(lang, "summary.needs"), figure: Some(Figure::Needs), lines: needs });

    // Appointments: held and missed in the period, coming.
    let mut appts = Vec::new();
    let now_db = crate::time::to_db(o.now.with_timezone(&Utc));
    let mut sorted: Vec<&Fields> = c.recs(Kind::Appointment).iter().collect();
    sorted.sort_by_key(|a| str_field(a, "starts_at").unwrap_or_default().to_owned());
    for a in sorted {
        let at = str_field(a, "starts_at");
        let status = AppointmentStatus::of(a);
        // A partner sees only the appointments with organisations a consent covers, and never
        // the place (a shelter's address says where the person is).
        let org = str_field(a, "org_id");
        if !c.covered(org, None) || (o.level == Level::Partner && org.is_none()) {
            continue;
        }
        let place = if o.level == Level::Partner { String::new() } else { str_field(a, "place").unwrap_or_default().to_owned() };
        let key = match status {
            Some(AppointmentStatus::Attended) if c.in_period(at) => "summary.held",
            Some(AppointmentStatus::NoShow | AppointmentStatus::Cancelled) if c.in_period(at) => "summary.missed",
            Some(AppointmentStatus::Planned) if at.is_some_and(|s| s >= now_db.as_str()) => "summary.coming",
            _ => continue,
        };
        appts.push(c.line(t(lang, key), &[c.date(at), c.label("appointment_kinds", str_field(a, "kind")), c.org(org), place]));
    }
    sections.push(Section { title: t(lang, "summary.appointments"), figure: None, lines: appts });

    // Referrals: current status and outcome.
    let referrals = c
        .recs(Kind::Referral)
        .iter()
        .filter(|r| c.covered(str_field(r, "org_id"), str_field(r, "consent_id")))
        .map(|r| {
            c.line(
                c.org(str_field(r, "org_id")),
                &[c.label("referral_statuses", str_field(r, "status")), c.sensitive(Kind::Referral, r, "outcome").unwrap_or_default()],
            )
        })
        .collect();
    sections.push(Section { title: t(lang, "summary.referrals"), figure: None, lines: referrals });

    // Court: the timeline (figure) and the testimonial aids.
    let mut court = Vec::new();
    let mut court_figure = Vec::new();
    for pr in c.recs(Kind::Proceeding) {
        let pid = str_field(pr, "id");
        let mut ms: Vec<&Fields> = c.recs(Kind::Milestone).iter().filter(|m| str_field(m, "proceeding_id") == pid).collect();
        ms.sort_by_key(|m| str_field(m, "done_on").or(str_field(m, "due_on")).unwrap_or("9999").to_owned());
        for m in ms {
            let done = MilestoneStatus::of(m) == Some(MilestoneStatus::Done);
            let when = str_field(m, "done_on").or(str_field(m, "due_on"));
            let step = Step {
                label: c.label("milestones", str_field(m, "code")),
                date: c.date(when),
                status: c.label("milestone_statuses", str_field(m, "status")),
                done,
            };
            court.push(Line {
                in_figure: true,
                ..c.line(
                    if done { t(lang, "summary.done") } else { t(lang, "summary.next") },
                    &[step.label.clone(), step.status.clone(), step.date.clone()],
                )
            });
            court_figure.push(step);
        }
        for aid in c.recs(Kind::TestimonialAid).iter().filter(|a| str_field(a, "proceeding_id") == pid) {
            court.push(c.line(
                t(lang, "summary.aid"),
                &[c.label("testimonial_aids", str_field(aid, "code")), c.label("aid_statuses", str_field(aid, "status"))],
            ));
        }
    }
    sections.push(Section { title: t(lang, "summary.court"), figure: Some(Figure::Court), lines: court });

    // Deadlines coming, open tasks.
    let mut coming: Vec<&Fields> = c.recs(Kind::Deadline).iter().filter(|d| str_field(d, "done_on").is_none()).collect();
    coming.sort_by_key(|d| str_field(d, "due_on").unwrap_or_default().to_owned());
    let deadlines = coming
        .into_iter()
        .map(|d| {
            c.line(
                c.label("deadline_kinds", str_field(d, "kind")),
                &[
                    c.date(str_field(d, "due_on")),
                    c.label("ivac_statuses", str_field(d, "ivac_status")),
                    c.label("permit_statuses", str_field(d, "permit_status")),
                    str_field(d, "label").unwrap_or_default().to_owned(),
                ],
            )
        })
        .collect();
    sections.push(Section { title: t(lang, "summary.deadlines"), figure: None, lines: deadlines });
    let mut open_tasks: Vec<&Fields> = c.recs(Kind::Task).iter().filter(|x| str_field(x, "done_at").is_none()).collect();
    open_tasks.sort_by_key(|x| str_field(x, "due_on").unwrap_or("9999").to_owned());
    let tasks = open_tasks
        .into_iter()
        .map(|x| c.line(c.date(str_field(x, "due_on")), &[str_field(x, "title").unwrap_or_default().to_owned()]))
        .collect();
    sections.push(Section { title: t(lang, "summary.tasks"), figure: None, lines: tasks });

    // Consents in force.
    let consents = c
        .consents
        .iter()
        .map(|x| {
            c.line(
                str_field(x, "scope").unwrap_or_default().to_owned(),
                &[c.org(str_field(x, "org_id")), str_field(x, "recipient").unwrap_or_default().to_owned(), c.date(str_field(x, "ends_on"))],
            )
        })
        .collect();
    sections.push(Section { title: t(lang, "summary.consents"), figure: None, lines: consents });

    // The notes of the period: internal only.
    if o.level == Level::Internal {
        let mut in_period: Vec<&Fields> = c.recs(Kind::Note).iter().filter(|n| c.in_period(str_field(n, "at"))).collect();
        in_period.sort_by_key(|n| date_of(str_field(n, "at")));
        // A colleague's note says whose it is (this vault's own notes need not).
        let author = |n: &Fields| -> String {
            let name = match str_field(n, "created_by").and_then(|fp| c.file.authors.get(fp)) {
                Some(person_file::Author::Contact(name)) => name.clone(),
                Some(person_file::Author::Unknown) => t(lang, "summary.author_unknown"),
                Some(person_file::Author::Me) | None => return String::new(),
            };
            crate::lang::tr(lang, "summary.written_by", &[("name", &name)])
        };
        let notes = in_period
            .into_iter()
            .map(|n| c.line(c.date(str_field(n, "at")), &[str_field(n, "text").unwrap_or_default().to_owned(), author(n)]))
            .collect();
        sections.push(Section { title: t(lang, "summary.notes"), figure: None, lines: notes });
    }

    // Time given and money spent in the period: internal only (a partner has no use for the
    // team's hours, and an expense can say where the person went).
    if o.level == Level::Internal {
        let dated = [(Kind::Note, "at"), (Kind::Appointment, "starts_at"), (Kind::Expense, "spent_on")];
        let c = &c;
        let totals = person_file::Totals::of(
            dated.into_iter().flat_map(|(k, at)| c.recs(k).iter().filter(move |r| c.in_period(str_field(r, at))).map(move |r| (k, r))),
        );
        if totals != person_file::Totals::default() {
            let (mins, money) = (crate::duration::format_minutes, crate::money::format_cents);
            let mut lines = vec![
                c.line(t(lang, "summary.intervention_time"), &[mins(totals.intervention_minutes, lang)]),
                c.line(t(lang, "summary.accompaniment_time"), &[mins(totals.accompaniment_minutes, lang)]),
            ];
            let by_fund: Vec<String> = totals
                .expenses_by_fund
                .iter()
                .map(|(f, cents)| {
                    crate::lang::punctuate(&format!("{}{} {}", c.label("funds", Some(f)), lang.pick(" :", ":"), money(*cents, lang)), lang)
                })
                .collect();
            lines.push(c.line(t(lang, "summary.expenses"), &[money(totals.expenses_cents, lang), by_fund.join(" · ")]));
            sections.push(Section { title: t(lang, "summary.time_money"), figure: None, lines });
        }
    }

    let generated = crate::lang::tr(
        lang,
        "summary.generated",
        &[("who", store.actor()), ("date", &long_date(today, lang)), ("time", &crate::time::clock(o.now.time(), lang))],
    );
    Ok(Doc {
        lang,
        title: crate::lang::tr(lang, "summary.title", &[("alias", str_field(p, "alias").unwrap_or_default())]),
        banner: (o.level == Level::Partner).then(|| t(lang, "summary.partner_banner")),
        sections,
        needs_figure,
        court_figure,
        footer: generated,
    })
}

/// The file formats of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown (`md`).
    Markdown,
    /// One self-contained HTML page (`html`).
    Html,
    /// PDF (`pdf`).
    Pdf,
}

impl Format {
    /// `md`, `html` or `pdf`.
    pub fn parse(s: &str) -> Result<Format> {
        match s {
            "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "pdf" => Ok(Format::Pdf),
            _ => Err(crate::error::Error::invalid(
                "format",
                crate::error::Problem::UnknownCode { list: "format".into(), valid: vec!["md".into(), "html".into(), "pdf".into()] },
            )),
        }
    }
}

/// The summary's file content in `format`.
pub fn render(doc: &Doc, format: Format) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Markdown => markdown(doc).into_bytes(),
        Format::Html => html(doc).into_bytes(),
        Format::Pdf => pdf(doc)?,
    })
}

/// Whom a partner summary is released to, once the consent gate let it through. Only
/// [`audience`] makes one, so a partner summary without its gate cannot be expressed.
#[derive(Debug, Clone)]
pub struct Release {
    recipient: crate::case::consent::Recipient,
    override_reason: Option<String>,
}

/// Who a summary that leaves the vault is for.
#[derive(Debug, Clone)]
pub enum Audience {
    /// The team: no consent gate.
    Internal,
    /// A partner, through the consent gate ([`audience`]).
    Partner(Release),
}

impl Audience {
    /// The redaction level this audience reads.
    pub fn level(&self) -> Level {
        match self {
            Audience::Internal => Level::Internal,
            Audience::Partner(_) => Level::Partner,
        }
    }
}

/// The consent gate of a summary, before anything is built or written. At `internal` (a
/// document for the team) there is none; at `partner` the recipient is required (`to`, else the
/// contact it is sealed for) and a consent of the person in force today must name them, or the
/// worker writes why it goes without one.
pub fn audience(
    store: &Store,
    person: &str,
    level: Level,
    to: Option<&str>,
    sealed_for: Option<&str>,
    override_reason: Option<&str>,
) -> Result<Audience> {
    if level == Level::Internal {
        return Ok(Audience::Internal);
    }
    let recipient = match (to.filter(|t| !t.trim().is_empty()), sealed_for) {
        (Some(name), _) => crate::case::consent::Recipient::named(name)?,
        (None, Some(contact)) => crate::case::consent::Recipient::contact(store.conn(), contact)?,
        (None, None) => return Err(crate::error::Error::invalid("recipient", crate::error::Problem::Required)),
    };
    let today = crate::time::local_date(chrono::Utc::now());
    crate::case::consent::check(store.conn(), person, &recipient, today, override_reason)?;
    Ok(Audience::Partner(Release { recipient, override_reason: override_reason.map(str::to_owned) }))
}

/// Records that a summary of `person` left the vault (a disclosure), with its level and, when it
/// was sealed for a contact, for whom; a partner summary passes the consent gate again in the
/// same transaction (an override keeps its reason in the case).
pub fn record(store: &mut Store, person: &str, audience: &Audience, encrypted_to: Option<&str>) -> Result<()> {
    let mut detail = vec![if audience.level() == Level::Partner { "level=partner" } else { "level=internal" }.to_owned()];
    if let Some(c) = encrypted_to {
        detail.push(format!("encrypted_to={c}"));
    }
    store.write(|w| {
        if let Audience::Partner(r) = audience {
            crate::case::consent::require(w, person, &r.recipient, crate::case::consent::Purpose::Summary, r.override_reason.as_deref())?;
        }
        w.audit_event("person.summary", Some(person), detail)
    })
}

/// Writes a summary file atomically, then records it. The file comes first, so that a full disk
/// leaves no history entry for a summary that was never written; if the history cannot take
/// it, the file is removed: a summary not in the history must not exist.
pub fn save(
    store: &mut Store,
    path: &std::path::Path,
    bytes: &[u8],
    person: &str,
    audience: &Audience,
    encrypted_to: Option<&str>,
) -> Result<()> {
    crate::vault::write_atomic(path, bytes)?;
    if let Err(e) = record(store, person, audience, encrypted_to) {
        // The history refused it: the file goes too (a failure to remove it changes nothing
        // of the error the worker sees).
        std::fs::remove_file(path).ok();
        return Err(e);
    }
    Ok(())
}

/// A summary file encrypted for one verified contact: an age file that only they can open
/// (`age -d -i their-key`), instead of a document in clear on disk or in an email.
pub fn encrypt_for_contact(store: &Store, contact_id: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    let contact = store.get(Kind::Contact, contact_id)?;
    // Only to a key checked in person: an unverified card could be an impostor's.
    if str_field(&contact, "verified_on").is_none() {
        return Err(crate::error::Error::UnverifiedContact);
    }
    let recipient = crate::exchange::identity::parse_recipient(str_field(&contact, "age_recipient").unwrap_or_default())?;
    crate::exchange::encrypt_with(&[recipient], false, crate::exchange::Padding::None, |w| Ok(w.write_all(bytes)?))
}

/// The summary as Markdown. Text from the vault is escaped so it cannot become markup.
pub fn markdown(doc: &Doc) -> String {
    let lang = doc.lang;
    let esc = |s: &str| {
        let mut o = String::with_capacity(s.len());
        for ch in s.chars() {
            if "\\`*_{}[]<>#|!".contains(ch) {
                o.push('\\');
            }
            // Every line end CommonMark knows (a lone CR too) and every other control: a space,
            // so that nothing from the vault starts a line (a fence, a heading, a list).
            // Every line end CommonMark knows (a lone CR too) and every other control: a space,
            // so that nothing from the vault starts a line (a fence, a heading, a list).
            o.push(if ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}') { ' ' } else { ch });
        }
        o
    };
    let mut out = format!("# {}\n\n", esc(&typo(&doc.title, lang)));
    if let Some(b) = &doc.banner {
        out.push_str(&format!("> **{}**\n\n", typo(b, lang)));
    }
    for s in &doc.sections {
        out.push_str(&format!("## {}\n\n", typo(&s.title, lang)));
        if s.figure == Some(Figure::Needs) && !doc.needs_figure.is_empty() {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n|---|---:|---:|---:|\n",
                typo(&t(lang, "summary.phase"), lang),
                t(lang, "summary.met"),
                t(lang, "summary.in_progress"),
                t(lang, "summary.unmet")
            ));
            for (phase, met, prog, unmet) in &doc.needs_figure {
                out.push_str(&format!("| {} | {met} | {prog} | {unmet} |\n", esc(phase)));
            }
            out.push('\n');
        }
        if s.lines.is_empty() {
            out.push_str(&format!("_{}_\n\n", t(lang, "summary.nothing")));
            continue;
        }
        for l in &s.lines {
            out.push_str(&format!("- **{}** {}\n", esc(&typo(&format!("{}:", l.label), lang)), esc(&typo(&l.text, lang))));
        }
        out.push('\n');
    }
    out.push_str(&format!("---\n\n{}\n", esc(&typo(&doc.footer, lang))));
    out
}

/// The colours of the figures: met, in progress, unmet (the same as the PDF's).
const MET: &str = "#1d5e2a";
const IN_PROGRESS: &str = "#b58100";
const UNMET: &str = "#9b1c1c";

/// The needs by phase as stacked horizontal bars (met, in progress, unmet), in SVG.
fn needs_svg(doc: &Doc) -> Markup {
    let lang = doc.lang;
    let max = doc.needs_figure.iter().map(|(_, a, b, c)| a + b + c).max().unwrap_or(0).max(1);
    let (w, row) = (420.0, 30.0);
    let height = row * doc.needs_figure.len() as f64 + 30.0;
    let ly = height - 10.0;
    html! {
        svg role="img" aria-label=(t(lang, "summary.needs_figure")) width="640" height=(height) viewBox=(format!("0 0 640 {height}")) {
            @for (i, (phase, met, prog, unmet)) in doc.needs_figure.iter().enumerate() {
                @let y = i as f64 * row;
                text x="0" y=(y + 18.0) font-size="12" { (phase) }
                @for (x, len, n, color) in bars(&[(*met, MET), (*prog, IN_PROGRESS), (*unmet, UNMET)], w / max as f64) {
                    rect x=(format!("{x:.1}")) y=(y + 4.0) width=(format!("{len:.1}")) height="20" fill=(color) {}
                    text x=(format!("{:.1}", x + 4.0)) y=(y + 18.0) font-size="11" fill="#fff" { (n) }
                }
            }
            @for (i, (key, color)) in [("summary.met", MET), ("summary.in_progress", IN_PROGRESS), ("summary.unmet", UNMET)].iter().enumerate() {
                @let x = 190.0 + i as f64 * 150.0;
                rect x=(x) y=(ly - 10.0) width="12" height="12" fill=(color) {}
                text x=(x + 16.0) y=(ly) font-size="12" { (t(lang, key)) }
            }
        }
    }
}

/// Where each non-empty bar of a row starts, its length, its count and colour.
fn bars(counts: &[(usize, &'static str)], scale: f64) -> Vec<(f64, f64, usize, &'static str)> {
    let mut x = 190.0;
    let mut out = Vec::new();
    for &(n, color) in counts {
        let len = scale * n as f64;
        if n > 0 {
            out.push((x, len, n, color));
        }
        x += len;
    }
    out
}

/// The court timeline, top to bottom: one dot per step on a line, filled when done.
fn court_svg(doc: &Doc) -> Markup {
    let row = 26.0;
    let height = row * doc.court_figure.len() as f64 + 8.0;
    html! {
        svg role="img" aria-label=(t(doc.lang, "summary.court_figure")) width="640" height=(height) viewBox=(format!("0 0 640 {height}")) {
            @if doc.court_figure.len() > 1 {
                line x1="12" y1="17" x2="12" y2=(height - 17.0) stroke="#46525c" stroke-width="2" {}
            }
            @for (i, s) in doc.court_figure.iter().enumerate() {
                @let y = 17.0 + row * i as f64;
                circle cx="12" cy=(y) r="6" fill=(if s.done { MET } else { "#fff" }) stroke="#0b4f7c" stroke-width="2.5" {}
                text x="30" y=(y + 4.0) font-size="12" fill="#46525c" { (s.date) }
                text x="190" y=(y + 4.0) font-size="12" font-weight=(if s.done { "400" } else { "700" }) {
                    (typo(&s.label, doc.lang)) " · " (s.status)
                }
            }
        }
    }
}

const CSS: &str = "body{font-family:'DejaVu Sans','Noto Sans',sans-serif;color:#14212b;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.15rem;border-bottom:2px solid #c9d0d6;padding-bottom:.2rem;margin-top:1.6rem;break-after:avoid}\
.banner{border:2px solid #7a3e00;background:#fff7e0;padding:.5rem .75rem;font-weight:700}\
ul{padding-left:1.1rem}li{margin:.2rem 0;break-inside:avoid}.label{font-weight:700}.nothing{color:#46525c;font-style:italic}\
footer{margin-top:2rem;border-top:1px solid #c9d0d6;padding-top:.5rem;color:#46525c;font-size:.9rem}\
@media print{body{margin:0;max-width:none}a{color:inherit}}";

/// The summary as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.
/// Written with maud, which escapes every value it is given: text from the vault cannot become
/// markup (only the constant style sheet goes in unescaped).
pub fn html(doc: &Doc) -> String {
    let lang = doc.lang;
    let e = |s: &str| typo(s, lang);
    html! {
        (DOCTYPE)
        html lang=(if lang == Lang::En { "en-CA" } else { "fr-CA" }) {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                title { (e(&doc.title)) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { (e(&doc.title)) }
                @if let Some(b) = &doc.banner {
                    p.banner { (e(b)) }
                }
                @for s in &doc.sections {
                    @let drawn = s.figure == Some(Figure::Court) && !doc.court_figure.is_empty();
                    // What the figure shows is not repeated under it.
                    @let lines: Vec<&Line> = s.lines.iter().filter(|l| !(drawn && l.in_figure)).collect();
                    section {
                        h2 { (e(&s.title)) }
                        @if s.figure == Some(Figure::Needs) && !doc.needs_figure.is_empty() {
                            (needs_svg(doc))
                        }
                        @if drawn {
                            (court_svg(doc))
                        }
                        @if s.lines.is_empty() {
                            p.nothing { (e(&t(lang, "summary.nothing"))) }
                        } @else if !lines.is_empty() {
                            ul {
                                @for l in lines {
                                    li { span.label { (e(&format!("{}:", l.label))) } " " (e(&l.text)) }
                                }
                            }
                        }
                    }
                }
                footer { (e(&doc.footer)) }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_typography() {
        assert_eq!(typo("Statut : actif ; prêt ? oui !", Lang::Fr), "Statut\u{a0}: actif\u{202f}; prêt\u{202f}? oui\u{202f}!");
        assert_eq!(typo("Statut: actif", Lang::Fr), "Statut\u{a0}: actif");
        assert_eq!(typo("à 14:30", Lang::Fr), "à 14:30", "no space inside a time");
        assert_eq!(typo("19 novembre 2026: appel", Lang::Fr), "19 novembre 2026\u{a0}: appel", "after a date, yes");
        assert_eq!(typo("dit \"oui\"", Lang::Fr), "dit «\u{a0}oui\u{a0}»");
        assert_eq!(typo("Status: active", Lang::En), "Status: active");
    }

    /// A summary of one section holding one line.
    fn one_line(title: &str, label: &str, text: &str) -> Doc {
        Doc {
            lang: Lang::En,
            title: title.into(),
            banner: None,
            sections: vec![Section {
                title: "Notes".into(),
                figure: None,
                lines: vec![Line { label: label.into(), text: text.into(), in_figure: false }],
            }],
            needs_figure: vec![],
            court_figure: vec![],
            footer: String::new(),
        }
    }

    #[test]
    fn markup_in_vault_text_stays_text() {
        let doc = one_line("Summary: <b>x</b>", "<script>", "a *b* [c](d) <img src=x>");
        let h = html(&doc);
        assert!(!h.contains("<script>") && !h.contains("<img") && !h.contains("<b>"));
        assert!(h.contains("&lt;script&gt;") && h.contains("&lt;img src=x&gt;"));
        let m = markdown(&doc);
        assert!(m.contains("\\<script\\>") && m.contains("\\*b\\*") && m.contains("\\[c\\]"));
    }

    /// A received note with a lone CR (a line end for CommonMark) cannot open a fence or a
    /// heading that would swallow or forge the rest of the summary.
    #[test]
    fn line_ends_in_vault_text_start_no_line() {
        let doc = one_line("Summary", "Note", "Call.\r~~~\r\n# Closed\u{2028}- done\u{1b}[2K");
        let m = markdown(&doc);
        assert!(!m.contains(['\r', '\u{2028}', '\u{1b}']), "{m:?}");
        assert!(m.lines().all(|l| !l.starts_with("~~~") && !l.starts_with("\\# Closed") && !l.starts_with("- done")), "{m}");
        assert!(m.contains("Call. ~~~  \\# Closed - done \\[2K"), "{m}");
    }
}
