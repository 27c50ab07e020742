//! The privacy duties in the app: retention of closed cases, destruction (with a typed
//! confirmation), the 30-day trash, and the register of confidentiality incidents.

use relais_core::case::retention::{self, Destroyed};
use relais_core::case::{incidents, trash};
use relais_core::record::Kind;
use tauri::{AppHandle, Manager, State};

use crate::AppState;
use crate::api::{ApiError, DestroyArgs, IncidentExportArgs, RetentionCaseArgs, RetentionInfo, TrashArgs};
use crate::commands::{Res, with_store};
use crate::handoff::chosen;

/// The organisation's retention period and every closed case with the end of its retention.
#[tauri::command]
pub fn retention_info(state: State<'_, AppState>) -> Res<RetentionInfo> {
    with_store(&state, |s| Ok(RetentionInfo { years: retention::years(s)?, cases: retention::closed_cases(s)? }))
}

/// Sets the organisation's retention period, in years after closure.
#[tauri::command]
pub fn set_retention_years(state: State<'_, AppState>, years: u32) -> Res<()> {
    with_store(&state, |s| retention::set_years(s, years))
}

/// Sets (or clears) one case's own end of retention, with the reason.
#[tauri::command]
pub fn set_case_retention(state: State<'_, AppState>, args: RetentionCaseArgs) -> Res<()> {
    with_store(&state, |s| {
        let until = relais_core::time::parse_optional_date("until", args.until.as_deref())?;
        retention::set_case(s, &args.person, until, args.reason.as_deref())
    })
}

/// Destroys a case for good, once the worker typed its alias again.
#[tauri::command]
pub fn destroy_person(state: State<'_, AppState>, args: DestroyArgs) -> Res<Destroyed> {
    with_store(&state, |s| retention::destroy_person(s, &args.person, args.policy, &args.confirm, chrono::Utc::now()))
}

/// What the trash holds.
#[tauri::command]
pub fn trash_list(state: State<'_, AppState>) -> Res<Vec<trash::Item>> {
    with_store(&state, |s| trash::list(s))
}

/// Moves a record of a case (and what hangs under it) to the trash.
#[tauri::command]
pub fn trash_delete(state: State<'_, AppState>, args: TrashArgs) -> Res<String> {
    let lang = state.lang();
    let kind = Kind::from_name(&args.kind).ok_or_else(|| ApiError::app("UnknownKind", lang))?;
    with_store(&state, |s| trash::delete(s, kind, &args.id))
}

/// Puts a trash entry back.
#[tauri::command]
pub fn trash_restore(state: State<'_, AppState>, id: String) -> Res<()> {
    with_store(&state, |s| trash::restore(s, &id))
}

/// Empties the trash now, for good.
#[tauri::command]
pub fn trash_empty(state: State<'_, AppState>) -> Res<usize> {
    with_store(&state, |s| trash::purge(s, chrono::Utc::now(), true))
}

/// The incident register, oldest first.
#[tauri::command]
pub fn incidents(state: State<'_, AppState>) -> Res<Vec<relais_core::record::Fields>> {
    with_store(&state, |s| incidents::list(s))
}

/// Writes the register (CSV or JSON) to the file chosen in the save dialog; audited.
#[tauri::command]
pub async fn export_incidents(app: AppHandle, args: IncidentExportArgs) -> Res<String> {
    let lang = app.state::<AppState>().lang();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let path = chosen(&state, true)?;
        with_store(&state, |s| {
            let format = if args.format == "json" { incidents::Format::Json } else { incidents::Format::Csv };
            let text = incidents::export(s, format, lang)?;
            relais_core::vault::write_atomic(&path, text.as_bytes())?;
            Ok(path.display().to_string())
        })
    })
    .await
    .map_err(|_| ApiError::app("Busy", lang))?
}
