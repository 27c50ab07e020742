//! The follow-up summary (preview, then save) and the anonymous statistics.

use relais_core::reports::stats;
use relais_core::reports::summary::{self, Doc, Format, Level, Options};
use tauri::{AppHandle, Manager};

use crate::api::{StatsArgs, SummaryArgs, SummarySaveArgs, SummarySaved};
use crate::commands::{Res, on_store};
use crate::handoff::chosen;
use crate::{AppState, Hold};

/// An optional date from a form field: empty means none.
fn date(field: &str, v: &Option<String>) -> relais_core::Result<Option<chrono::NaiveDate>> {
    relais_core::time::parse_optional_date(field, v.as_deref().filter(|s| !s.trim().is_empty()))
}

fn options(args: &SummaryArgs, lang: relais_core::Lang) -> relais_core::Result<Options> {
    Ok(Options {
        from: date("from", &args.from)?,
        to: date("to", &args.to)?,
        lang,
        level: if args.partner { Level::Partner } else { Level::Internal },
        now: relais_core::time::local_now(),
    })
}

/// The summary, to show before saving (nothing is written, nothing is audited).
#[tauri::command]
pub async fn summary_preview(app: AppHandle, args: SummaryArgs) -> Res<Doc> {
    let lang = app.state::<AppState>().lang();
    on_store(&app, Hold::Short, move |s| summary::build(s, &args.person, &options(&args, lang)?)).await
}

/// Writes the summary to the file chosen in the save dialog, in clear or (with `to`) as an age
/// file only that contact can open. Audited as a disclosure, with its level.
#[tauri::command]
pub async fn save_summary(app: AppHandle, args: SummarySaveArgs) -> Res<SummarySaved> {
    let state = app.state::<AppState>();
    let lang = state.lang();
    let path = chosen(&state, true)?;
    on_store(&app, Hold::Long, move |s| {
        let options = options(&args.summary, lang)?;
        let person = &args.summary.person;
        let audience =
            summary::audience(s, person, options.level, args.recipient.as_deref(), args.to.as_deref(), args.override_reason.as_deref())?;
        let doc = summary::build(s, person, &options)?;
        let bytes = summary::render(&doc, Format::parse(&args.format)?)?;
        let bytes = match &args.to {
            Some(contact) => summary::encrypt_for_contact(s, contact, &bytes)?,
            None => bytes,
        };
        summary::save(s, &path, &bytes, person, &audience, args.to.as_deref())?;
        Ok(SummarySaved { path: path.display().to_string(), encrypted: args.to.is_some() })
    })
    .await
}

/// The anonymous statistics of a period, already suppressed.
#[tauri::command]
pub async fn stats(app: AppHandle, args: StatsArgs) -> Res<stats::Stats> {
    let lang = app.state::<AppState>().lang();
    on_store(&app, Hold::Short, move |s| {
        stats::compute(s, date("from", &args.from)?, date("to", &args.to)?, lang, relais_core::time::local_now())
    })
    .await
}

/// « Ma journée » as a PDF where the save dialog said (the page warned it is not encrypted).
#[tauri::command]
pub async fn save_day(app: AppHandle, day: String) -> Res<String> {
    let path = chosen(&app.state::<AppState>(), true)?;
    let lang = app.state::<AppState>().lang();
    on_store(&app, Hold::Short, move |s| {
        let now = relais_core::time::local_now();
        let day = relais_core::time::parse_date("day", &day)?;
        let bytes = relais_core::reports::day::pdf(s, day, now, lang)?;
        relais_core::vault::write_atomic(&path, &bytes)?;
        Ok(path.display().to_string())
    })
    .await
}

/// The calendar file (.ics) where the save dialog said: neutral titles, no alias nor place
/// unless asked (the page warned it is not encrypted). Returns the path and how many events.
#[tauri::command]
pub async fn export_calendar(app: AppHandle, args: crate::api::CalendarArgs) -> Res<crate::api::CalendarSaved> {
    use relais_core::reports::agenda;
    let path = chosen(&app.state::<AppState>(), true)?;
    let lang = app.state::<AppState>().lang();
    on_store(&app, Hold::Short, move |s| {
        let now = relais_core::time::local_now();
        let from = relais_core::time::parse_date("from", &args.from)?;
        let to = relais_core::time::parse_date("to", &args.to)?;
        let options = agenda::IcsOptions { with_alias: args.with_alias, with_place: args.with_place };
        let (text, events) = agenda::export_ics(s, from, to, *now.offset(), options, lang, chrono::Utc::now())?;
        relais_core::vault::write_atomic(&path, text.as_bytes())?;
        Ok(crate::api::CalendarSaved { path: path.display().to_string(), events })
    })
    .await
}

/// A published report as a file: the PDF (its footer says who printed it) or the workbook.
pub(crate) fn report_file(s: &relais_core::Store, st: &stats::Stats, pdf: bool, lang: relais_core::Lang) -> relais_core::Result<Vec<u8>> {
    if pdf { stats::pdf::pdf(st, &stats::pdf::printed_by(s, lang)?) } else { stats::xlsx(st) }
}

/// The statistics of the period as a file where the save dialog said (counts only, none under
/// 11: nothing personal leaves).
async fn save_stats_file(app: AppHandle, args: StatsArgs, pdf: bool) -> Res<String> {
    let path = chosen(&app.state::<AppState>(), true)?;
    let lang = app.state::<AppState>().lang();
    on_store(&app, if pdf { Hold::Long } else { Hold::Short }, move |s| {
        let st = stats::compute(s, date("from", &args.from)?, date("to", &args.to)?, lang, relais_core::time::local_now())?;
        relais_core::vault::write_atomic(&path, &report_file(s, &st, pdf, lang)?)?;
        Ok(path.display().to_string())
    })
    .await
}

/// The statistics of the period as an .xlsx workbook, one sheet per table.
#[tauri::command]
pub async fn save_stats_xlsx(app: AppHandle, args: StatsArgs) -> Res<String> {
    save_stats_file(app, args, false).await
}

/// The period report as a PDF (charts and tables, the organisation's name and the period).
#[tauri::command]
pub async fn save_stats_pdf(app: AppHandle, args: StatsArgs) -> Res<String> {
    save_stats_file(app, args, true).await
}
