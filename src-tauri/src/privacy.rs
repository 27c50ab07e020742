//! The privacy duties in the app: retention of closed cases, destruction (with a typed
//! confirmation), the 30-day trash, and the register of confidentiality incidents.

use relais_core::case::retention::{self, Destroyed};
use relais_core::case::{incidents, trash};
use relais_core::record::Kind;
use tauri::{AppHandle, Manager};

use crate::api::{ApiError, DestroyArgs, IncidentExportArgs, MergeArgs, RetentionCaseArgs, RetentionInfo, TrashArgs};
use crate::commands::{Res, on_store};
use crate::handoff::chosen;
use crate::{AppState, Hold};

/// The organisation's retention period and every closed case with the end of its retention.
#[tauri::command]
pub async fn retention_info(app: AppHandle) -> Res<RetentionInfo> {
    on_store(&app, Hold::Short, |s| Ok(RetentionInfo { years: retention::years(s)?, cases: retention::closed_cases(s)? })).await
}

/// Sets the organisation's retention period, in years after closure.
#[tauri::command]
pub async fn set_retention_years(app: AppHandle, years: u32) -> Res<()> {
    on_store(&app, Hold::Short, move |s| retention::set_years(s, years)).await
}

/// Sets (or clears) one case's own end of retention, with the reason.
#[tauri::command]
pub async fn set_case_retention(app: AppHandle, args: RetentionCaseArgs) -> Res<()> {
    on_store(&app, Hold::Short, move |s| {
        let until = relais_core::time::parse_optional_date("until", args.until.as_deref())?;
        retention::set_case(s, &args.person, until, args.reason.as_deref())
    })
    .await
}

/// Destroys a case for good, once the worker typed its alias again.
#[tauri::command]
pub async fn destroy_person(app: AppHandle, args: DestroyArgs) -> Res<Destroyed> {
    on_store(&app, Hold::Long, move |s| retention::destroy_person(s, &args.person, args.policy, &args.confirm, chrono::Utc::now())).await
}

/// The person's whole file as JSON, for the person (Law 25 right of access), to the file
/// chosen in the save dialog, as `relais export-person`: recorded first in her history as a
/// disclosure. The worker chose to hand it over; it leaves the vault in clear on purpose.
#[tauri::command]
pub async fn export_person_file(app: AppHandle, person: String) -> Res<String> {
    let path = chosen(&app.state::<AppState>(), true)?;
    on_store(&app, Hold::Long, move |s| {
        let text = relais_core::case::person_file::disclose(s, &person)?;
        relais_core::vault::write_atomic(&path, text.as_bytes())?;
        Ok(path.display().to_string())
    })
    .await
}

/// The immediate needs of the person's first 72 hours, assessed or not.
#[tauri::command]
pub async fn intake_checklist(app: AppHandle, id: String) -> Res<relais_core::case::intake::Checklist> {
    on_store(&app, Hold::Short, move |s| relais_core::case::intake::checklist(s, &id, chrono::Utc::now())).await
}

/// The other files that may be the same person as this one.
#[tauri::command]
pub async fn person_duplicates(app: AppHandle, id: String) -> Res<Vec<relais_core::case::duplicates::Candidate>> {
    on_store(&app, Hold::Short, move |s| relais_core::case::duplicates::candidates_of(s, &id)).await
}

/// Merges a file of the same person into this one, once the worker typed its alias again.
#[tauri::command]
pub async fn merge_persons(app: AppHandle, args: MergeArgs) -> Res<relais_core::case::duplicates::Merged> {
    on_store(&app, Hold::Short, move |s| s.write(|w| relais_core::case::duplicates::merge(w, &args.keep, &args.merge, &args.confirm))).await
}

/// What the trash holds.
#[tauri::command]
pub async fn trash_list(app: AppHandle) -> Res<Vec<trash::Item>> {
    on_store(&app, Hold::Short, |s| trash::list(s)).await
}

/// Moves a record of a case (and what hangs under it) to the trash.
#[tauri::command]
pub async fn trash_delete(app: AppHandle, args: TrashArgs) -> Res<String> {
    let lang = app.state::<AppState>().lang();
    let kind = Kind::from_name(&args.kind).ok_or_else(|| ApiError::app("UnknownKind", lang))?;
    on_store(&app, Hold::Short, move |s| trash::delete(s, kind, &args.id)).await
}

/// Puts a trash entry back.
#[tauri::command]
pub async fn trash_restore(app: AppHandle, id: String) -> Res<()> {
    on_store(&app, Hold::Short, move |s| trash::restore(s, &id)).await
}

/// Empties the trash now, for good.
#[tauri::command]
pub async fn trash_empty(app: AppHandle) -> Res<usize> {
    on_store(&app, Hold::Long, |s| trash::purge(s, chrono::Utc::now(), true)).await
}

/// The incident register, oldest first.
#[tauri::command]
pub async fn incidents(app: AppHandle) -> Res<Vec<relais_core::record::Fields>> {
    on_store(&app, Hold::Short, |s| incidents::list(s)).await
}

/// Writes the register (CSV or JSON) to the file chosen in the save dialog; audited.
#[tauri::command]
pub async fn export_incidents(app: AppHandle, args: IncidentExportArgs) -> Res<String> {
    let state = app.state::<AppState>();
    let lang = state.lang();
    let path = chosen(&state, true)?;
    on_store(&app, Hold::Long, move |s| {
        let format = if args.format == "json" { incidents::Format::Json } else { incidents::Format::Csv };
        let text = incidents::export(s, format, lang)?;
        relais_core::vault::write_atomic(&path, text.as_bytes())?;
        Ok(path.display().to_string())
    })
    .await
}
