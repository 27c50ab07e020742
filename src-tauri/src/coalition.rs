//! The coalition's needs ledger in the app, through the same core functions as `relais ledger`:
//! an organisation writes its ledger for the coordinator; the coordinator adds the received
//! ledgers one file at a time (each opened and checked as it is added), then publishes the
//! merge, which the Statistics screen shows and saves like its own report. The ledgers and the
//! published merge are kept for the session only, and dropped on lock.

use relais_core::reports::stats::{self, coalition};
use tauri::{AppHandle, Manager};

use crate::api::{ApiError, LedgerExportArgs, LedgerItem};
use crate::commands::{Res, on_store};
use crate::handoff::chosen;
use crate::{AppState, Hold};

fn items(state: &AppState) -> Vec<LedgerItem> {
    state
        .ledgers
        .lock()
        .expect("ledgers lock")
        .iter()
        .map(|r| LedgerItem {
            sender: r.sender_name.clone(),
            fingerprint: r.fingerprint.clone(),
            from: r.ledger.from.map(|d| d.to_string()),
            to: r.ledger.to.to_string(),
        })
        .collect()
}

/// This vault's ledger of the period, for a verified contact (the coordinator), where the save
/// dialog said; recorded in the trail once written.
#[tauri::command]
pub async fn ledger_export(app: AppHandle, args: LedgerExportArgs) -> Res<String> {
    let path = chosen(&app.state::<AppState>(), true)?;
    on_store(&app, Hold::Short, move |s| {
        let from = relais_core::time::parse_date("from", &args.from)?;
        let to = relais_core::time::parse_date("to", &args.to)?;
        let (bytes, manifest, to) = coalition::export(s, &args.contact, from, to)?;
        relais_core::vault::write_atomic(&path, &bytes)?;
        coalition::commit_export(s, &manifest, from, to)?;
        Ok(path.display().to_string())
    })
    .await
}

/// Opens and checks the ledger file the open dialog chose, and adds it to the session's list.
#[tauri::command]
pub async fn ledger_add(app: AppHandle) -> Res<Vec<LedgerItem>> {
    let path = chosen(&app.state::<AppState>(), false)?;
    let received = on_store(&app, Hold::Short, move |s| {
        let bytes = relais_core::exchange::read_bundle_file(&path)?;
        coalition::open_ledger(s, &bytes)
    })
    .await?;
    let state = app.state::<AppState>();
    state.ledgers.lock().expect("ledgers lock").push(received);
    state.coalition.lock().expect("coalition lock").take();
    Ok(items(&state))
}

/// Empties the session's list of received ledgers.
#[tauri::command]
pub async fn ledger_clear(app: AppHandle) -> Res<Vec<LedgerItem>> {
    let state = app.state::<AppState>();
    state.ledgers.lock().expect("ledgers lock").clear();
    state.coalition.lock().expect("coalition lock").take();
    Ok(items(&state))
}

/// Adds up the received ledgers (and this vault's own when `own`), then publishes: the merge,
/// suppressed, kept for « Enregistrer » and returned for the screen.
#[tauri::command]
pub async fn ledger_merge(app: AppHandle, own: bool) -> Res<stats::Stats> {
    let state = app.state::<AppState>();
    let lang = state.lang();
    let received = state.ledgers.lock().expect("ledgers lock").clone();
    let published = on_store(&app, Hold::Short, move |s| {
        let merged = coalition::merge(s, &received, own)?;
        let org = s.meta(relais_core::vault::store::Meta::OwnerOrg)?.unwrap_or_default();
        Ok(stats::publish(&merged, lang, &org))
    })
    .await?;
    *app.state::<AppState>().coalition.lock().expect("coalition lock") = Some(published.clone());
    Ok(published)
}

/// The published merge as a PDF (`format` = `pdf`) or a workbook (`xlsx`) where the save dialog
/// said.
#[tauri::command]
pub async fn save_coalition(app: AppHandle, format: String) -> Res<String> {
    let state = app.state::<AppState>();
    let lang = state.lang();
    let path = chosen(&state, true)?;
    let published = state.coalition.lock().expect("coalition lock").clone().ok_or_else(|| ApiError::app("NoCoalitionReport", lang))?;
    on_store(&app, Hold::Long, move |s| {
        relais_core::vault::write_atomic(&path, &crate::reports::report_file(s, &published, format != "xlsx", lang)?)?;
        Ok(path.display().to_string())
    })
    .await
}
