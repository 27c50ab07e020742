//! Human-readable output: labels from the catalogues in the chosen language, instants in local
//! time. `--json` bypasses all of this.

use std::fmt::Write;

use relais_core::Lang;
use relais_core::case::person_file::PersonFile;
use relais_core::case::search::Results;
use relais_core::model::catalogue::Catalogues;
use relais_core::record::{Fields, Kind, Ty};
use relais_core::reports::dashboard::{Bucket, Dashboard};
use relais_core::vault::audit::{Break, Verification};
use serde_json::Value;

use crate::tr;

/// Whether `c` must not reach a terminal as it is: a control character (C0 but for line feed and
/// tab, DEL, C1: ESC starts the sequences that move the cursor, erase lines, set the window's
/// title or the clipboard; CR goes back to the line's start) or a format character that reorders
/// or hides text (bidi overrides and isolates, zero-width ones, line and paragraph separators).
fn hidden_effect(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || relais_core::lang::reorders_or_hides(c)
}

fn escaped(text: &str, also: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| hidden_effect(c) || also(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden_effect(c) || also(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text for the terminal, whatever it holds: what [`hidden_effect`] names is shown as `\u{1b}`,
/// so that text from a vault, a bundle or a file name (a colleague's, or anyone's who can write
/// to the team folder) is read as it is and cannot rewrite what is on the screen.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, |_| false)
}

/// One line of it (a name, an alias, a file name, a value in a preview): a line feed or a tab
/// in it is shown as `\u{a}`, `\u{9}` too, so that it cannot draw a line of its own.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, |c| c == '\n' || c == '\t')
}

/// Field names as labels, in a list: « Statut, Motif de fermeture ».
pub fn field_labels(lang: Lang, names: &[String]) -> String {
    names.iter().map(|n| relais_core::lang::field_label(lang, n)).collect::<Vec<_>>().join(", ")
}

/// « : » after a label: a no-break space before it in French.
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\u{a0}:",
        Lang::En => ":",
    }
}

/// A stored date or instant in words, in the worker's zone: « 2 décembre 2030 à 10 h ».
pub fn when_in(lang: Lang, s: &str) -> String {
    match (relais_core::time::from_db(s), chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
        (Some(dt), _) if s.len() > 10 => relais_core::time::long_datetime(dt, lang),
        (_, Ok(d)) => relais_core::time::long_date(d, lang),
        _ => s.to_owned(),
    }
}

fn label(list: &str, code: &str, lang: Lang) -> String {
    Catalogues::get().label(list, code, lang).to_owned()
}

fn value_text(lang: Lang, ty: Ty, v: &Value) -> Option<String> {
    Some(match (ty, v) {
        (_, Value::Null) => return None,
        (Ty::Bool, Value::Bool(b)) => tr(lang, if *b { "value.yes" } else { "value.no" }, &[]),
        (Ty::Code(list), Value::String(s)) => label(list, s, lang),
        (Ty::Codes(list), Value::Array(a)) => {
            a.iter().filter_map(Value::as_str).map(|c| label(list, c, lang)).collect::<Vec<_>>().join(", ")
        }
        (Ty::Words, Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        (Ty::DateTime | Ty::Date, Value::String(s)) => when_in(lang, s),
        (Ty::Money, Value::Number(n)) if n.as_i64().is_some() => relais_core::money::format_cents(n.as_i64().unwrap_or_default(), lang),
        (Ty::Minutes, Value::Number(n)) if n.as_i64().is_some() => {
            relais_core::duration::format_minutes(n.as_i64().unwrap_or_default(), lang)
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    })
}

/// A person's safe-contact flags in words (« Appel possible · Pas de texto · … »), as the app
/// labels them.
fn safe_words(lang: Lang, call: Option<bool>, text: Option<bool>, message: Option<bool>) -> String {
    relais_core::lang::safe_contact_words(lang, call, text, message)
}

fn bucket(out: &mut String, lang: Lang, title_key: &str, b: &Bucket, code_list: Option<&str>) {
    bucket_flagged(out, lang, &tr(lang, title_key, &[]), b, code_list, None);
}

/// A dashboard list; with `flags`, each person's safe-contact flags under her line.
fn bucket_flagged(
    out: &mut String,
    lang: Lang,
    title: &str,
    b: &Bucket,
    code_list: Option<&str>,
    flags: Option<&std::collections::BTreeMap<String, relais_core::reports::dashboard::SafeFlags>>,
) {
    let _ = writeln!(out, "\n{title} ({})", b.total);
    if b.items.is_empty() {
        let _ = writeln!(out, "  {}", tr(lang, "list.empty", &[]));
    }
    for it in &b.items {
        let what = match (&it.code, code_list) {
            (Some(c), Some(list)) => label(list, c, lang),
            (Some(c), None) => c.clone(),
            _ => String::new(),
        };
        let extra = it.label.clone().unwrap_or_default();
        let parts: Vec<&str> = [what.as_str(), extra.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
        let line = format!("  {}  {}  {}", when_in(lang, &it.when), it.alias.as_deref().unwrap_or("—"), parts.join(" · "));
        let _ = writeln!(out, "{}", line.trim_end());
        if let Some(f) = flags.zip(it.person_id.as_ref()).and_then(|(m, p)| m.get(p)) {
            let _ = writeln!(out, "      {}", safe_words(lang, f.call, f.text, f.message));
        }
    }
    let shown = b.items.len() as i64;
    if b.total > shown {
        let _ = writeln!(out, "  {}", tr(lang, "dash.more", &[("n", &(b.total - shown).to_string())]));
    }
}

/// The dashboard.
pub fn dashboard(lang: Lang, d: &Dashboard) -> String {
    let mut out = tr(lang, "dash.title", &[("today", &when_in(lang, &d.today))]);
    out.push('\n');
    let flags = Some(&d.safe_flags);
    bucket_flagged(&mut out, lang, &tr(lang, "dash.intakes_72h", &[]), &d.intakes_72h, None, flags);
    bucket_flagged(&mut out, lang, &tr(lang, "dash.appointments_today", &[]), &d.appointments_today, Some("appointment_kinds"), flags);
    bucket(&mut out, lang, "dash.appointments_week", &d.appointments_week, Some("appointment_kinds"));
    let days = d.no_contact_days.to_string();
    bucket_flagged(&mut out, lang, &tr(lang, "dash.no_contact", &[("days", &days)]), &d.no_contact, None, flags);
    bucket(&mut out, lang, "dash.overdue_tasks", &d.overdue_tasks, None);
    bucket(&mut out, lang, "dash.overdue_referrals", &d.overdue_referrals, Some("referral_statuses"));
    bucket(&mut out, lang, "dash.court_milestones", &d.court_milestones, Some("milestones"));
    bucket(&mut out, lang, "dash.deadlines", &d.deadlines, Some("deadline_kinds"));
    bucket(&mut out, lang, "dash.turning_18", &d.turning_18, None);
    bucket(&mut out, lang, "dash.retention_due", &d.retention_due, None);
    bucket(&mut out, lang, "dash.expiring_consents", &d.expiring_consents, None);
    bucket(&mut out, lang, "dash.safety_reviews", &d.safety_reviews, None);
    bucket(&mut out, lang, "dash.aids_pending", &d.aids_pending, Some("testimonial_aids"));
    let _ = writeln!(out, "\n{}", tr(lang, "dash.unmet", &[]));
    for p in &d.unmet_needs_by_phase {
        let _ = writeln!(out, "  {}{} {}", label("phases", &p.phase, lang), colon(lang), p.unmet);
    }
    out.trim_end().to_owned()
}

/// The week calendar as the window shows it: each day's first appointments, then how many more
/// the day holds.
pub fn week_days(lang: Lang, monday: chrono::NaiveDate, days: &[relais_core::reports::dashboard::CalendarDay]) -> String {
    use relais_core::time::{long_date, weekday_date};
    let sunday = monday + chrono::Days::new(6);
    let total: u32 = days.iter().map(|d| d.total).sum();
    let mut out =
        tr(lang, "week.title", &[("from", &long_date(monday, lang)), ("to", &long_date(sunday, lang)), ("n", &total.to_string())]);
    if total == 0 {
        let _ = write!(out, "\n  {}", tr(lang, "list.empty", &[]));
    }
    for d in days.iter().filter(|d| d.total > 0) {
        let Ok(date) = d.date.parse::<chrono::NaiveDate>() else { continue };
        let _ = write!(out, "\n\n{}", weekday_date(date, lang));
        for it in &d.items {
            appointment(&mut out, it, lang);
        }
        let more = (d.total as usize).saturating_sub(d.items.len()).to_string();
        if d.items.is_empty() {
            let _ = write!(out, "\n  {}", tr(lang, "week.day_count", &[("n", &more)]));
        } else if d.total as usize > d.items.len() {
            let _ = write!(out, "\n  {}", tr(lang, "week.more", &[("n", &more)]));
        }
    }
    out
}

/// The week calendar: each day's appointments, with the person's safe-contact flags for a
/// worker about to phone.
pub fn week(lang: Lang, monday: chrono::NaiveDate, items: &[relais_core::reports::dashboard::CalendarItem], total: usize) -> String {
    use relais_core::time::{from_db, long_date, weekday_date};
    let sunday = monday + chrono::Days::new(6);
    let n = total.to_string();
    let mut out = tr(lang, "week.title", &[("from", &long_date(monday, lang)), ("to", &long_date(sunday, lang)), ("n", &n)]);
    if total == 0 {
        let _ = write!(out, "\n  {}", tr(lang, "list.empty", &[]));
    }
    let mut day = None;
    for it in items {
        let Some(start) = from_db(&it.starts_at).map(|t| t.with_timezone(&chrono::Local)) else { continue };
        if day != Some(start.date_naive()) {
            day = Some(start.date_naive());
            let _ = write!(out, "\n\n{}", weekday_date(start.date_naive(), lang));
        }
        appointment(&mut out, it, lang);
    }
    out
}

/// One appointment of the week: its hours, who, what, the safe-contact flags, the interpreter.
fn appointment(out: &mut String, it: &relais_core::reports::dashboard::CalendarItem, lang: Lang) {
    use relais_core::time::{clock, from_db};
    let Some(start) = from_db(&it.starts_at).map(|t| t.with_timezone(&chrono::Local)) else { return };
    let mut hours = clock(start.time(), lang);
    if let Some(end) = it.ends_at.as_deref().and_then(from_db).map(|t| t.with_timezone(&chrono::Local)) {
        hours = format!("{hours} – {}", clock(end.time(), lang));
    }
    let what: Vec<String> =
        [Some(label("appointment_kinds", &it.kind, lang)), Some(label("appointment_statuses", &it.status, lang)), it.place.clone()]
            .into_iter()
            .flatten()
            .collect();
    let _ = write!(
        out,
        "\n  {hours}  {}  {}\n      {}",
        it.alias,
        what.join(" · "),
        safe_words(lang, it.safe_to_call, it.safe_to_text, it.safe_to_leave_message)
    );
    // An interpreter to book or to expect: the language and who provides it.
    if it.interpreter_needed == Some(true) || it.interpreter_language.is_some() {
        let details: Vec<&str> = [it.interpreter_language.as_deref(), it.interpreter_provider.as_deref()].into_iter().flatten().collect();
        let _ = write!(out, "\n      {}", tr(lang, "week.interpreter", &[("details", &details.join(", "))]).trim_end());
    }
}

/// Search results.
pub fn search(lang: Lang, r: &Results) -> String {
    let mut out = format!("{} ({})", tr(lang, "search.persons", &[]), r.persons.len());
    for p in &r.persons {
        let _ = write!(out, "\n  {}  {}  {}", p.alias, label("person_statuses", &p.status, lang), p.id);
    }
    let _ = write!(out, "\n{} ({})", tr(lang, "search.notes", &[]), r.notes.len());
    for n in &r.notes {
        let _ = write!(out, "\n  {}  {}  {}", when_in(lang, &n.at), n.alias, n.snippet);
    }
    out
}

/// The audit verification.
pub fn audit(lang: Lang, v: &Verification, anchor: Option<&relais_core::vault::audit::Anchor>) -> String {
    match &v.first_break {
        None => {
            let mut s = tr(lang, "audit.ok", &[("events", &v.events.to_string())]);
            if let Some(a) = anchor {
                s.push('\n');
                s.push_str(&tr(lang, "audit.anchor_ok", &[("seq", &a.seq.to_string()), ("at", &when_in(lang, &a.at))]));
            }
            s
        }
        Some(Break::Rewritten { seq }) => tr(lang, "audit.rewritten", &[("seq", &seq.to_string())]),
        Some(Break::Edited { seq }) => tr(lang, "audit.edited", &[("seq", &seq.to_string())]),
        Some(Break::Missing { after, next }) => tr(lang, "audit.missing", &[("after", &after.to_string()), ("next", &next.to_string())]),
        Some(Break::Relinked { seq }) => tr(lang, "audit.relinked", &[("seq", &seq.to_string())]),
        Some(Break::Truncated { last, head }) => tr(lang, "audit.truncated", &[("last", &last.to_string()), ("head", &head.to_string())]),
    }
}

/// The list of persons.
/// The first 72 hours' checklist.
pub fn checklist(lang: Lang, alias: &str, c: &relais_core::case::intake::Checklist) -> String {
    let (n, total) = (c.assessed.to_string(), c.items.len().to_string());
    let key = if c.open { "checklist.title_open" } else { "checklist.title_closed" };
    let mut out = tr(lang, key, &[("alias", alias), ("until", &when_in(lang, &c.window_ends)), ("n", &n), ("total", &total)]);
    for it in &c.items {
        let status = it.status.as_deref().map(|s| format!(" — {}", label("need_statuses", s, lang))).unwrap_or_default();
        let _ = write!(out, "\n  [{}] {}{status}", if it.status.is_some() { "x" } else { " " }, label("needs", &it.code, lang));
    }
    if c.assessed < c.items.len() {
        let _ = write!(out, "\n{}", tr(lang, "checklist.hint", &[]));
    }
    out
}

/// Files that may be the same person.
pub fn duplicates(lang: Lang, found: &[relais_core::case::duplicates::Candidate]) -> String {
    if found.is_empty() {
        return tr(lang, "dup.none", &[]);
    }
    found.iter().map(|c| format!("{}  {}  {}", c.alias, label("person_statuses", &c.status, lang), c.id)).collect::<Vec<_>>().join("\n")
}

pub fn person_list(lang: Lang, page: &relais_core::case::search::CasePage) -> String {
    let mut out = tr(lang, "list.persons_header", &[]);
    if page.rows.is_empty() {
        out.push_str("\n  ");
        out.push_str(&tr(lang, "list.empty", &[]));
    }
    for p in &page.rows {
        let _ = write!(out, "\n{} | {} | {} | {}", p.alias, label("person_statuses", &p.status, lang), when_in(lang, &p.intake_at), p.id);
    }
    // A page of a longer list says which.
    if page.offset > 0 || (page.rows.len() as u32) < page.total {
        let n = |i: u32| relais_core::lang::number(u64::from(i), lang);
        let (first, last) = (page.offset + 1, page.offset + page.rows.len() as u32);
        let key = if page.rows.is_empty() { "list.page_past_end" } else { "list.page" };
        out.push('\n');
        out.push_str(&tr(lang, key, &[("first", &n(first)), ("last", &n(last)), ("total", &n(page.total))]));
    }
    out
}

/// The directory listing.
/// A person's documents: date in words, kind, title, size and type, id.
pub fn documents(lang: Lang, docs: &[Fields]) -> String {
    if docs.is_empty() {
        return tr(lang, "documents.none", &[]);
    }
    let s = |r: &Fields, k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    docs.iter()
        .map(|d| {
            let date = relais_core::time::parse_date("dated_on", &s(d, "dated_on"))
                .map(|d| relais_core::time::long_date(d, lang))
                .unwrap_or_else(|_| tr(lang, "documents.undated", &[]));
            let size = relais_core::lang::file_size(d.get("size").and_then(Value::as_u64).unwrap_or(0), lang);
            let title = if lang == Lang::Fr { format!("«\u{a0}{}\u{a0}»", s(d, "title")) } else { format!("\"{}\"", s(d, "title")) };
            format!(
                "{date}  {}  {title}  {size}, {}  [{}]",
                label("document_kinds", &s(d, "kind"), lang),
                media_label(lang, &s(d, "media_type")),
                s(d, "id")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a media type is, in words (« PDF », « image JPEG », « fichier »).
fn media_label(lang: Lang, media_type: &str) -> String {
    match media_type {
        "application/pdf" => "PDF".into(),
        "image/jpeg" => lang.pick("image JPEG", "JPEG image").into(),
        "image/png" => lang.pick("image PNG", "PNG image").into(),
        t if t.starts_with("image/") => lang.pick("image", "image").into(),
        t if t.starts_with("audio/") => lang.pick("enregistrement audio", "audio recording").into(),
        _ => lang.pick("fichier", "file").into(),
    }
}

pub fn org_list(lang: Lang, rows: &[Value]) -> String {
    if rows.is_empty() {
        return tr(lang, "list.empty", &[]);
    }
    rows.iter()
        .map(|o| {
            let h24 = if o["open_24_7"] == Value::Bool(true) { " · 24/7" } else { "" };
            let kind = o["kind"].as_str().map(|k| label("org_kinds", k, lang)).unwrap_or_default();
            format!(
                "{}{}  {}  {}  {}",
                o["name"].as_str().unwrap_or_default(),
                h24,
                kind,
                o["region"].as_str().unwrap_or_default(),
                o["id"].as_str().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn record_lines(out: &mut String, lang: Lang, kind: Kind, r: &Fields, orgs: &[Fields]) {
    let parts: Vec<String> = kind
        .columns()
        .iter()
        .filter(|c| !matches!(c.ty, Ty::Ref(Kind::Person)))
        .filter_map(|c| {
            let text = match c.ty {
                // An organisation is shown by its name, not its id.
                Ty::Ref(Kind::Organisation) => {
                    orgs.iter().find(|o| o["id"] == r[c.name]).and_then(|o| o["name"].as_str()).map(str::to_owned)
                }
                _ => value_text(lang, c.ty, &r[c.name]),
            };
            text.map(|v| format!("{}{} {v}", relais_core::lang::field_label(lang, c.name), colon(lang)))
        })
        .collect();
    let _ = writeln!(out, "  - {}  [{}]", parts.join(" · "), r["id"].as_str().unwrap_or_default());
}

/// How a person reading the file calls an author: « vous », the contact book's name, or
/// « inconnu·e ».
fn author_name(lang: Lang, who: &relais_core::case::person_file::Author) -> String {
    use relais_core::case::person_file::Author;
    match who {
        Author::Me => tr(lang, "author.me", &[]),
        Author::Contact(n) => n.clone(),
        Author::Unknown => tr(lang, "author.unknown", &[]),
    }
}

/// Who wrote a record, when it was not this vault alone: « écrit par Jean », « modifié par
/// inconnu·e ».
fn authorship(
    lang: Lang,
    r: &Fields,
    authors: &std::collections::BTreeMap<String, relais_core::case::person_file::Author>,
) -> Option<String> {
    use relais_core::case::person_file::Author;
    let name = |key: &str| -> Option<(bool, String)> {
        let who = authors.get(r.get(key)?.as_str()?)?;
        Some((*who == Author::Me, author_name(lang, who)))
    };
    let (created_by_me, creator) = name("created_by")?;
    let editor = name("updated_by").filter(|_| r.get("updated_by") != r.get("created_by"));
    if created_by_me && editor.as_ref().is_none_or(|(me, _)| *me) {
        return None;
    }
    let mut parts = vec![tr(lang, "author.created_by", &[("name", &creator)])];
    if let Some((_, e)) = editor {
        parts.push(tr(lang, "author.updated_by", &[("name", &e)]));
    }
    Some(parts.join(" · "))
}

/// One event of a person's history in words: what happened, and who sent or received a bundle
/// about the person, by the name in the contact book.
fn history_event(
    lang: Lang,
    e: &relais_core::vault::audit::Event,
    authors: &std::collections::BTreeMap<String, relais_core::case::person_file::Author>,
) -> String {
    let value = |key: &str| e.fields.iter().find_map(|f| f.strip_prefix(key)?.strip_prefix('='));
    let name = |fp: &str| authors.get(fp).map_or_else(|| tr(lang, "author.unknown", &[]), |who| author_name(lang, who));
    let kind = e.kind.as_deref().map(|k| relais_core::lang::tr(lang, &format!("kind.{k}"), &[])).unwrap_or_default();
    let sender = value("sender").map(name).unwrap_or_else(|| tr(lang, "author.unknown", &[]));
    let to: Vec<String> = e.fields.iter().filter_map(|f| f.strip_prefix("to=")).map(name).collect();
    let to = if to.is_empty() { tr(lang, "author.unknown", &[]) } else { to.join(", ") };
    let count = |key: &str| value(key).unwrap_or("0").to_owned();
    match e.action.as_str() {
        "update" if !e.fields.is_empty() => {
            tr(lang, "history.update_fields", &[("kind", &kind), ("fields", &field_labels(lang, &e.fields))])
        }
        "create" | "update" | "delete" | "restore" => tr(lang, &format!("history.{}", e.action), &[("kind", &kind)]),
        "bundle.import" => match value("kind") {
            Some(k @ ("share" | "transfer")) => tr(
                lang,
                &format!("history.import.{k}"),
                &[
                    ("who", &sender),
                    ("new", &count("new")),
                    ("updated", &count("updated")),
                    ("conflicts", &count("conflicts")),
                    ("proposals", &count("proposals")),
                ],
            ),
            // Events from before the sender was written into them.
            _ => tr(lang, "history.import", &[]),
        },
        "bundle.export.share"
        | "bundle.export.transfer"
        | "bundle.receipt"
        | "conflict.resolve"
        | "consent.override"
        | "person.export"
        | "person.summary"
        | "retention.set" => tr(
            lang,
            &format!("history.{}", e.action),
            &[("who", &sender), ("to", &to), ("keep", &tr(lang, &format!("history.keep.{}", value("keep").unwrap_or("mine")), &[]))],
        ),
        "person.reopen" => tr(lang, "history.person.reopen", &[("reason", value("reason").unwrap_or_default())]),
        "person.merge" => tr(lang, "history.person.merge", &[("moved", &count("moved"))]),
        // Anything else is shown as recorded, with its details.
        other => format!("{other} {}", e.fields.join(", ")).trim_end().to_owned(),
    }
}

/// A person's whole file.
pub fn person_file(lang: Lang, f: &PersonFile) -> String {
    let mut out = format!("{} — {}\n", tr(lang, "show.person", &[]), f.person["alias"].as_str().unwrap_or_default());
    for c in Kind::Person.columns() {
        if let Some(v) = value_text(lang, c.ty, &f.person[c.name]) {
            let _ = writeln!(out, "  {}{} {v}", relais_core::lang::field_label(lang, c.name), colon(lang));
        }
    }
    let _ = writeln!(out, "  id: {}", f.person["id"].as_str().unwrap_or_default());
    for kind in Kind::ALL {
        let rows = f.of(kind);
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} ({})", kind.label(lang), rows.len());
        for r in rows {
            record_lines(&mut out, lang, kind, r, f.directory.get("organisation").map(Vec::as_slice).unwrap_or(&[]));
            if let Some(line) = authorship(lang, r, &f.authors) {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let t = &f.totals;
    if *t != relais_core::case::person_file::Totals::default() {
        let (c, mins, money) = (colon(lang), relais_core::duration::format_minutes, relais_core::money::format_cents);
        let _ = writeln!(out, "\n{}", tr(lang, "show.totals", &[]));
        let _ = writeln!(out, "  {}{c} {}", tr(lang, "show.intervention_time", &[]), mins(t.intervention_minutes, lang));
        let _ = writeln!(out, "  {}{c} {}", tr(lang, "show.accompaniment_time", &[]), mins(t.accompaniment_minutes, lang));
        let _ = writeln!(out, "  {}{c} {}", tr(lang, "show.expenses_total", &[]), money(t.expenses_cents, lang));
        for (fund, cents) in &t.expenses_by_fund {
            let _ = writeln!(out, "    {}{c} {}", label("funds", fund, lang), money(*cents, lang));
        }
    }
    let _ = writeln!(out, "\n{} ({})", tr(lang, "show.history", &[]), f.history.len());
    for e in &f.history {
        let _ = writeln!(out, "  {}  {}  {}", when_in(lang, &e.at), e.actor, history_event(lang, e, &f.authors));
    }
    out.trim_end().to_owned()
}

/// This vault's identity.
pub fn identity(lang: Lang, id: &relais_core::exchange::identity::Identity) -> String {
    format!(
        "{}\n  {}\n  age: {}\n  signature: {}\n  {} : {}",
        tr(lang, "identity.title", &[]),
        format!("{}  {}", id.name, id.org).trim_end(),
        id.age_recipient,
        id.signing_key,
        tr(lang, "identity.fingerprint", &[]),
        id.fingerprint
    )
}

/// The contact book.
pub fn contacts(lang: Lang, rows: &[Fields]) -> String {
    if rows.is_empty() {
        return tr(lang, "list.empty", &[]);
    }
    rows.iter()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let v = match c.get("verified_on").and_then(Value::as_str) {
                Some(d) => format!("{} {d}", tr(lang, "contacts.verified", &[])),
                None => tr(lang, "contacts.unverified", &[]),
            };
            format!("{}  {}  {}  ({v})  {}", one_line(&s("name")), one_line(&s("org")), s("fingerprint"), s("id"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn sum(m: &std::collections::BTreeMap<String, u64>) -> String {
    m.values().sum::<u64>().to_string()
}

/// An import preview or report.
pub fn import(lang: Lang, p: &relais_core::exchange::Preview) -> String {
    let mut out = tr(
        lang,
        "import.title",
        &[
            ("id", &p.bundle_id),
            ("sender", &one_line(&p.sender_contact_name)),
            ("fingerprint", &p.sender.fingerprint),
            ("at", &when_in(lang, &p.created_at)),
        ],
    );
    if !p.sender_verified {
        let _ = write!(out, "\n{}", tr(lang, "import.unverified", &[]));
    }
    for (_, alias) in &p.persons {
        let _ = write!(out, "\n  - {}", one_line(alias));
    }
    let c = &p.counts;
    if p.kind != relais_core::exchange::BundleKind::Receipt {
        let _ = write!(
            out,
            "\n{}",
            tr(
                lang,
                "import.counts",
                &[
                    ("new", &sum(&c.new)),
                    ("updated", &sum(&c.updated)),
                    ("unchanged", &sum(&c.unchanged)),
                    ("older", &sum(&c.older)),
                    ("conflicts", &sum(&c.conflicts)),
                    ("proposals", &sum(&c.proposals))
                ]
            )
        );
        // What changes, record by record: the fields of each update, conflict or proposal.
        let aliases: std::collections::HashMap<&str, &str> = p.persons.iter().map(|(id, a)| (id.as_str(), a.as_str())).collect();
        for ch in p.changes.iter().filter(|c| c.action != "new") {
            let whose = ch.person_id.as_deref().and_then(|id| aliases.get(id)).copied().unwrap_or_default();
            let action = tr(lang, &format!("import.action.{}", ch.action), &[]);
            let kind = relais_core::lang::tr(lang, &format!("kind.{}", ch.kind), &[]);
            let _ = write!(out, "\n  {}", tr(lang, "import.change", &[("action", &action), ("kind", &kind), ("whose", &one_line(whose))]));
            for line in field_changes(lang, &ch.kind, &ch.fields) {
                let _ = write!(out, "\n    {line}");
            }
        }
    }
    let status = if p.replay {
        "import.replay"
    } else if p.stale {
        "import.stale"
    } else if p.applied && p.kind == relais_core::exchange::BundleKind::Receipt {
        "import.receipt"
    } else if p.applied {
        "import.applied"
    } else {
        "import.dry_run"
    };
    if let Some(date) = p.newer_seen.as_deref().and_then(relais_core::time::from_db) {
        let date = relais_core::time::long_date(relais_core::time::local_date(date), lang);
        let _ = write!(out, "\n{}", tr(lang, "import.newer_seen", &[("date", &date)]));
    }
    let _ = write!(out, "\n{}", tr(lang, status, &[]));
    if p.applied && (!c.conflicts.is_empty() || !c.proposals.is_empty()) {
        let _ = write!(out, "\n{}", tr(lang, "import.conflicts_hint", &[]));
    }
    out
}

/// Open conflicts.
pub fn conflicts(lang: Lang, items: &[relais_core::exchange::ConflictItem]) -> String {
    if items.is_empty() {
        return tr(lang, "list.empty", &[]);
    }
    let mut out = Vec::new();
    for c in items {
        let from = c.from.as_ref().map(|who| author_name(lang, who)).unwrap_or_default();
        out.push(format!("{}  {}  {}  {}", c.id, c.kind, c.record_id, from).trim_end().to_owned());
        out.extend(field_changes(lang, &c.kind, &c.changes).into_iter().map(|l| format!("    {l}")));
    }
    out.join("\n")
}

/// Each field of a change, « champ : avant → après », values as the worker reads them.
fn field_changes(lang: Lang, kind: &str, fields: &[(String, Value, Value)]) -> Vec<String> {
    let kind = Kind::from_name(kind);
    fields
        .iter()
        .map(|(field, before, after)| {
            let show = |v: &Value| match kind.and_then(|k| k.column(field)) {
                Some(col) => value_text(lang, col.ty, v).unwrap_or_else(|| "—".to_owned()),
                None => v.to_string(),
            };
            let (before, after) = (show(before), show(after));
            tr(lang, "import.field", &[("field", &one_line(field)), ("before", &one_line(&before)), ("after", &one_line(&after))])
        })
        .collect()
}

/// The anonymous statistics as aligned text tables.
pub fn stats(s: &relais_core::reports::stats::Stats) -> String {
    use relais_core::lang::tr;
    use relais_core::reports::stats::Cell;
    let lang = s.lang;
    let day = |d| relais_core::time::long_date(d, lang);
    let since = s.from.map(day).unwrap_or_else(|| tr(lang, "stats.since_start", &[]));
    let mut out =
        format!("{}\n{}\n{}\n", s.title, tr(lang, "stats.period", &[("from", &since), ("to", &day(s.to))]), tr(lang, "stats.rule", &[]));
    let total = tr(lang, "stats.total", &[]);
    for t in &s.tables {
        let _ = writeln!(out, "\n{}\n  ({})", t.title, t.note);
        let mut header: Vec<String> = vec![String::new()];
        header.extend(t.columns.iter().map(|c| c.label.clone()));
        if t.row_totals.is_some() {
            header.push(total.clone());
        }
        let mut grid = vec![header];
        for (i, row) in t.rows.iter().enumerate() {
            let mut line = vec![row.label.clone()];
            line.extend(t.cells[i].iter().map(Cell::text));
            if let Some(rt) = &t.row_totals {
                line.push(rt[i].text());
            }
            grid.push(line);
        }
        if let Some(ct) = &t.column_totals {
            let mut line = vec![total.clone()];
            line.extend(ct.iter().map(Cell::text));
            if t.row_totals.is_some() {
                line.extend(t.total.iter().map(Cell::text));
            }
            grid.push(line);
        }
        let widths: Vec<usize> = (0..grid[0].len()).map(|j| grid.iter().map(|r| r[j].chars().count()).max().unwrap_or(0)).collect();
        for row in &grid {
            let mut line = String::from("  ");
            for (j, cell) in row.iter().enumerate() {
                let pad = widths[j] - cell.chars().count();
                if j == 0 {
                    let _ = write!(line, "{cell}{}", " ".repeat(pad));
                } else {
                    let _ = write!(line, "  {}{cell}", " ".repeat(pad));
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    let m = &s.median_days_to_first_service;
    let value = match m.days {
        Some(d) => format!("{d} ({} {})", m.persons.text(), tr(lang, "stats.persons", &[]).to_lowercase()),
        None => tr(lang, "stats.median_hidden", &[]),
    };
    let _ = writeln!(out, "\n{}{} {value}", m.label, colon(lang));
    let persons = tr(lang, "stats.persons", &[]).to_lowercase();
    for g in &s.sums {
        let _ = writeln!(out, "\n{}\n  ({})", g.title, g.note);
        let width = g.rows.iter().chain([&g.total]).map(|r| r.label.chars().count()).max().unwrap_or(0);
        for r in g.rows.iter().chain([&g.total]) {
            let pad = " ".repeat(width - r.label.chars().count());
            let _ = writeln!(out, "  {}{pad}  {}  ({} {persons})", r.label, r.text, r.persons.text());
        }
    }
    out.trim_end().to_owned()
}

/// The team folder's settings.
pub fn team_settings(lang: Lang, s: &relais_core::exchange::team::TeamSettings) -> String {
    match (&s.folder, &s.inbox) {
        (Some(folder), Some(inbox)) => {
            let mut out = tr(
                lang,
                "team.settings",
                &[("folder", folder), ("inbox", inbox), ("cleanup", &tr(lang, &format!("team.cleanup.{}", cleanup_code(s.cleanup)), &[]))],
            );
            if let Some(r) = &s.report_schedule {
                let _ = write!(out, "\n{}", tr(lang, "team.schedule", &[("n", &r.every_days.to_string())]));
            }
            out
        }
        _ => tr(lang, "team.no_folder", &[]),
    }
}

fn cleanup_code(c: relais_core::exchange::team::Cleanup) -> &'static str {
    match c {
        relais_core::exchange::team::Cleanup::Move => "move",
        relais_core::exchange::team::Cleanup::Delete => "delete",
    }
}

/// The inbox: what waits, what was recorded, what was left alone.
pub fn inbox(lang: Lang, i: &relais_core::exchange::team::Inbox) -> String {
    use relais_core::exchange::team::InboxState;
    let mut out = tr(lang, "inbox.title", &[("folder", &i.folder), ("n", &i.items.len().to_string())]);
    for r in &i.receipts {
        let _ = write!(out, "\n{}", tr(lang, "inbox.receipt_taken", &[("sender", &r.sender), ("n", &r.persons.to_string())]));
    }
    for sender in &i.reports {
        let _ = write!(out, "\n{}", tr(lang, "inbox.report_taken", &[("sender", sender)]));
    }
    if i.purgeable > 0 {
        let _ = write!(out, "\n{}", tr(lang, "inbox.purgeable", &[("n", &i.purgeable.to_string())]));
    }
    if i.cleaned > 0 {
        let _ = write!(out, "\n{}", tr(lang, "inbox.cleaned", &[("n", &i.cleaned.to_string())]));
    }
    for item in &i.items {
        let state = match item.state {
            InboxState::Waiting => "waiting",
            InboxState::Receipt => "receipt",
            InboxState::AlreadyImported => "already_imported",
            InboxState::Duplicate => "duplicate",
            InboxState::Refused => "refused",
        };
        let _ = write!(out, "\n\n  {}\n    {}", one_line(&item.file), tr(lang, &format!("inbox.state.{state}"), &[]));
        if let (Some(kind), Some(sender)) = (item.kind, &item.sender) {
            let kind = tr(lang, &format!("inbox.kind.{}", relais_core::exchange::kind_name(kind)), &[]);
            let verified = tr(lang, if item.sender_verified { "inbox.verified" } else { "inbox.unverified" }, &[]);
            let at = item.created_at.as_deref().map(|a| when_in(lang, a)).unwrap_or_default();
            let _ = write!(
                out,
                "\n    {}",
                tr(
                    lang,
                    "inbox.item",
                    &[
                        ("kind", &kind),
                        ("sender", &one_line(sender)),
                        ("verified", &verified),
                        ("n", &item.persons.to_string()),
                        ("at", &at)
                    ]
                )
            );
        }
        if let Some((_, message)) = &item.problem {
            let _ = write!(out, "\n    {message}");
        }
    }
    for g in &i.ignored {
        let _ = write!(out, "\n\n  {}\n    {}", one_line(&g.file), tr(lang, &format!("inbox.ignored.{}", g.reason), &[]));
    }
    if i.items.iter().any(|i| i.state == InboxState::Waiting) {
        let _ = write!(out, "\n\n{}", tr(lang, "inbox.hint", &[]));
    }
    out
}

/// What followed an import from the inbox.
pub fn after_import(lang: Lang, a: &relais_core::exchange::team::AfterImport) -> String {
    let mut out = Vec::new();
    if a.receipt_sent {
        out.push(tr(lang, "inbox.receipt_sent", &[]));
    }
    if let Some(p) = &a.receipt_problem {
        out.push(tr(lang, "inbox.receipt_not_sent", &[("problem", p)]));
    }
    if a.cleaned {
        out.push(tr(lang, "inbox.file_cleaned", &[]));
    }
    out.join("\n")
}

/// The supervisor's view: each colleague and what this vault exchanged with her.
pub fn team_overview(lang: Lang, team: &[relais_core::exchange::team::Colleague]) -> String {
    if team.is_empty() {
        return tr(lang, "team.overview_empty", &[]);
    }
    let mut out = String::new();
    for c in team {
        let verified = tr(lang, if c.verified { "inbox.verified" } else { "inbox.unverified" }, &[]);
        let last = c.last_exchange.as_deref().map(|a| when_in(lang, a)).unwrap_or_else(|| tr(lang, "team.never", &[]));
        let org = c.org.as_deref().map(|o| format!(" · {o}")).unwrap_or_default();
        let _ = write!(out, "{}{org} ({verified})\n  {}", c.name, tr(lang, "team.last_exchange", &[("at", &last)]));
        let _ = write!(
            out,
            "\n  {}",
            tr(
                lang,
                "team.waiting",
                &[
                    ("receipts", &c.pending_receipts.to_string()),
                    ("conflicts", &c.conflicts.to_string()),
                    ("proposals", &c.proposals.to_string())
                ]
            )
        );
        if let Some((at, report)) = &c.report {
            let _ =
                write!(out, "\n  {}", tr(lang, "team.report_line", &[("at", &when_in(lang, at)), ("n", &report.cases.len().to_string())]));
            let none = || "—".to_owned();
            for k in &report.cases {
                let _ = write!(
                    out,
                    "\n    {}",
                    tr(
                        lang,
                        "team.report_case",
                        &[
                            ("alias", &k.alias),
                            ("status", &label("person_statuses", &k.status, lang)),
                            ("phase", &k.phase.as_deref().map(|p| label("phases", p, lang)).unwrap_or_else(none)),
                            ("next", &k.next_appointment.as_deref().map(|d| when_in(lang, d)).unwrap_or_else(none)),
                            ("overdue", &k.overdue.to_string()),
                            ("days", &k.days_since_contact.map(|n| tr(lang, "team.days", &[("n", &n.to_string())])).unwrap_or_else(none)),
                        ]
                    )
                );
            }
        }
        for k in &c.cases {
            let holder = author_name(lang, &k.holder);
            let awaiting = if k.awaiting_receipt { format!(" — {}", tr(lang, "team.awaiting_receipt", &[])) } else { String::new() };
            let _ = write!(
                out,
                "\n  - {} | {} | {} | {}{awaiting}",
                k.alias,
                label("person_statuses", &k.status, lang),
                tr(lang, "team.holder", &[("who", &holder)]),
                when_in(lang, &k.last_exchange)
            );
        }
        out.push_str("\n\n");
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use relais_core::case::person_file::Author;
    use relais_core::exchange::ConflictItem;
    use serde_json::json;

    use super::*;

    /// French typography (no-break spaces), accents, tabs and line feeds pass; what moves the
    /// cursor or reorders text is shown.
    #[test]
    fn the_terminal_gets_typography_as_it_is_and_controls_as_escapes() {
        let prose = "Statut\u{a0}: prêt\u{202f}? 9\u{a0}h\tÉlodie — « oui »\nfin";
        assert_eq!(terminal_safe(prose), prose);
        assert_eq!(
            terminal_safe("a\u{1b}[2Kb\rc\u{9b}d\u{7f}e\u{202e}f\u{2066}g\u{200b}h\u{2028}i"),
            "a\\u{1b}[2Kb\\u{d}c\\u{9b}d\\u{7f}e\\u{202e}f\\u{2066}g\\u{200b}h\\u{2028}i"
        );
        assert_eq!(one_line("a\nb\tc\u{a0}d"), "a\\u{a}b\\u{9}c\u{a0}d");
    }

    /// A proposal reads as the app shows it: who sent it, each field here → sent, in words.
    #[test]
    fn a_proposal_lists_its_sender_and_each_field_before_and_after() {
        let item = ConflictItem {
            id: "c1".into(),
            kind: "person".into(),
            record_id: "p1".into(),
            person_id: Some("p1".into()),
            bundle_id: "b1".into(),
            fields: vec!["region".into()],
            changes: vec![("region".into(), json!("Montérégie"), json!("Gaspésie"))],
            reason: "proposal".into(),
            sender: Some("AAAA".into()),
            from: Some(Author::Contact("Jean (CAVAC)".into())),
        };
        let text = conflicts(Lang::Fr, &[item]);
        assert!(text.contains("Jean (CAVAC)"), "{text}");
        assert!(text.contains("Montérégie → Gaspésie"), "{text}");
    }
}
