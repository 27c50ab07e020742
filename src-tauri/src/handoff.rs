//! Hand-off commands: identity and contacts, export and import of bundles, conflicts. Files
//! are chosen through the dialog plugin, on this side, and export and import use only the file
//! chosen there: the webview can show the path but never hands one to the file system.

use std::path::PathBuf;

use relais_core::exchange::identity;
use relais_core::exchange::{self, BundleKind, ExportRequest};
use relais_core::{Fields, Kind};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::DialogExt;

use relais_core::exchange::team;

use crate::api::{self, ApiError, ExportArgs, ExportDone, IdentityView, ImportArgs, Imported, PickArgs, ResolveArgs};
use crate::commands::{Res, on_store, on_store_polled, with_store};
use crate::{AppState, Hold};

#[tauri::command]
pub async fn identity(app: AppHandle) -> Res<IdentityView> {
    on_store(&app, Hold::Short, |s| {
        let card = identity::card(s)?;
        let text = serde_json::to_string_pretty(&card).expect("card serializes");
        let qr_svg = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .map(|q| q.render::<qrcode::render::svg::Color<'_>>().min_dimensions(220, 220).quiet_zone(true).build())
            .unwrap_or_default();
        Ok(IdentityView { card: text, qr_svg, identity: card.identity })
    })
    .await
}

#[tauri::command]
pub async fn contacts(app: AppHandle) -> Res<Vec<Fields>> {
    on_store(&app, Hold::Short, |s| s.list_all(Kind::Contact)).await
}

#[tauri::command]
pub async fn add_contact_card(app: AppHandle, card: String) -> Res<String> {
    on_store(&app, Hold::Short, move |s| {
        let ident = identity::parse_card(&card)?;
        identity::add_contact(s, &ident)
    })
    .await
}

#[tauri::command]
pub async fn verify_contact(app: AppHandle, id: String) -> Res<()> {
    on_store(&app, Hold::Short, move |s| identity::verify_contact(s, &id).map(|_| ())).await
}

#[tauri::command]
pub async fn remove_contact(app: AppHandle, id: String) -> Res<()> {
    on_store(&app, Hold::Short, move |s| s.write(|w| w.delete(Kind::Contact, &id))).await
}

/// Asks where to save, or which file to open (`.relais` bundles unless `ext` names other types).
/// `None`: the worker cancelled.
///
/// In the end-to-end build under WebDriver a native dialog cannot be driven; the run names a
/// directory instead ([`crate::e2e::files`]): saving goes there under the suggested name (its
/// last component only), opening takes the newest file of the first type there.
#[tauri::command]
pub async fn pick_file(app: AppHandle, args: PickArgs) -> Res<Option<String>> {
    let ext = if args.ext.is_empty() { "relais".to_owned() } else { args.ext.clone() };
    let name = suggested_name(&args.name);
    let types: Vec<&str> = ext.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
    let picked = if let Some(dir) = crate::e2e::files() {
        if args.save { (!name.is_empty()).then(|| dir.join(&name)) } else { newest(&dir, &types) }
    } else {
        let dialog = app.dialog().file().set_title(args.title);
        // `*`: any file (a document of any type).
        let dialog = if types == ["*"] { dialog } else { dialog.add_filter(types.join(", ").to_uppercase(), &types) };
        let chosen = if args.save { dialog.set_file_name(name).blocking_save_file() } else { dialog.blocking_pick_file() };
        chosen.and_then(|p| p.into_path().ok())
    };
    let shown = picked.as_ref().map(|p| p.display().to_string());
    *app.state::<AppState>().picked.lock().expect("picked lock") = picked.map(|p| (args.save, p));
    Ok(shown)
}

/// The name a save dialog suggests: [`relais_core::case::documents::save_name`] (a document's
/// file name comes from whoever sent it: « ../../.bashrc » suggests « bashrc »), or none.
fn suggested_name(name: &str) -> String {
    relais_core::case::documents::save_name(name).unwrap_or_default()
}

/// The file chosen last in a dialog, if it was chosen for this (`save` or open).
pub(crate) fn chosen(state: &AppState, save: bool) -> Res<PathBuf> {
    match state.picked.lock().expect("picked lock").as_ref() {
        Some((s, p)) if *s == save => Ok(p.clone()),
        _ => Err(ApiError::app("NoFileChosen", state.lang())),
    }
}

fn newest(dir: &std::path::Path, types: &[&str]) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file() && (types == ["*"] || e.path().extension().is_some_and(|x| types.iter().any(|t| x == *t))))
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
}

/// Writes a bundle of the chosen cases for the chosen contacts (progress events `export`).
#[tauri::command]
pub async fn export_bundle(app: AppHandle, args: ExportArgs) -> Res<ExportDone> {
    let team = args.team.unwrap_or(false);
    let path = if team { None } else { Some(chosen(&app.state::<AppState>(), true)?) };
    let events = app.clone();
    on_store(&app, Hold::Long, move |s| {
        let req = ExportRequest {
            persons: args.persons,
            to: args.to,
            kind: if args.transfer { BundleKind::Transfer } else { BundleKind::Share },
            armor: false,
            override_reason: args.override_reason,
            documents: args.documents.unwrap_or(false),
        };
        let (bytes, manifest, exported) = exchange::build_export(s, &req, &mut |done, total| {
            let _ = events.emit("progress", api::Progress { op: "export".into(), done, total });
        })?;
        // The file first, atomically; only then is the exchange recorded (and, for a
        // transfer, the cases marked handed off).
        let shown = match &path {
            Some(path) => {
                relais_core::vault::write_atomic(path, &bytes)?;
                path.display().to_string()
            }
            None => {
                let to: Vec<String> = manifest.recipients.iter().map(|r| r.fingerprint.clone()).collect();
                team::deliver(s, &to, &bytes)?;
                String::new()
            }
        };
        exchange::commit_export(s, &manifest, &exported)?;
        Ok(ExportDone { bundle_id: manifest.bundle_id, persons: manifest.persons.len(), records: exported.len(), path: shown })
    })
    .await
}

/// Opens a bundle (the file chosen in the dialog, or one of the inbox) and previews what
/// importing it would do; nothing changes yet.
#[tauri::command]
pub async fn open_import(app: AppHandle, args: ImportArgs) -> Res<exchange::Preview> {
    let path = if args.file.is_none() { Some(chosen(&app.state::<AppState>(), false)?) } else { None };
    let file = args.file.clone();
    let (opened, preview) = on_store(&app, Hold::Long, move |s| {
        let opened = match (&path, &args.file) {
            (Some(path), _) => exchange::open_file(s, path, args.accept_unverified)?,
            (None, Some(file)) => team::open_item(s, file, args.accept_unverified)?,
            (None, None) => unreachable!("a path or a file"),
        };
        let preview = exchange::preview(s, &opened)?;
        Ok((opened, preview))
    })
    .await?;
    *app.state::<AppState>().pending.lock().expect("pending lock") = Some((opened, file));
    Ok(preview)
}

/// Applies the bundle previewed last, in one transaction (progress events `import`); for a file
/// of the inbox, then sends a transfer's receipt back and cleans the file.
#[tauri::command]
pub async fn apply_import(app: AppHandle) -> Res<Imported> {
    let lang = app.state::<AppState>().lang();
    let events = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        // Admitted first: a worker told Busy keeps the previewed bundle for the next try.
        let _admitted = state.admit(Hold::Long)?;
        let (opened, file) = state.pending.lock().expect("pending lock").take().ok_or_else(|| ApiError::app("NothingToImport", lang))?;
        with_store(&state, |s| {
            let preview = exchange::apply(s, &opened, &mut |done, total| {
                let _ = events.emit("progress", api::Progress { op: "import".into(), done, total });
            })?;
            let after = file.map(|f| team::after_import(s, &f, &opened, lang)).transpose()?;
            Ok(Imported { preview, after })
        })
    })
    .await
    .map_err(|_| ApiError::app("Busy", lang))?
}

/// Forgets a previewed bundle (the worker cancelled).
#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>) {
    state.pending.lock().expect("pending lock").take();
}

#[tauri::command]
pub async fn conflicts(app: AppHandle) -> Res<Vec<exchange::ConflictItem>> {
    on_store(&app, Hold::Short, |s| exchange::conflicts(s)).await
}

#[tauri::command]
pub async fn resolve_conflict(app: AppHandle, args: ResolveArgs) -> Res<()> {
    on_store(&app, Hold::Short, move |s| exchange::resolve(s, &args.id, args.keep_theirs)).await
}

#[tauri::command]
pub async fn team_settings(app: AppHandle) -> Res<team::TeamSettings> {
    on_store(&app, Hold::Short, |s| team::settings(s)).await
}

/// Asks for the team folder in the native dialog and sets it; `None`: the worker cancelled. In
/// the end-to-end build, the run's files directory's `equipe/` stands for the choice.
#[tauri::command]
pub async fn choose_team_folder(app: AppHandle) -> Res<Option<team::TeamSettings>> {
    let lang = app.state::<AppState>().lang();
    let picked = if let Some(dir) = crate::e2e::files() {
        let d = dir.join("equipe");
        std::fs::create_dir_all(&d).map_err(|e| ApiError::from_core(&relais_core::Error::Io(e), lang))?;
        Some(d)
    } else {
        let title = if lang == relais_core::Lang::Fr { "Dossier d'équipe" } else { "Team folder" };
        app.dialog().file().set_title(title).blocking_pick_folder().and_then(|p| p.into_path().ok())
    };
    let Some(dir) = picked else { return Ok(None) };
    on_store(&app, Hold::Short, move |s| team::set_folder(s, &dir).map(Some)).await
}

#[tauri::command]
pub async fn clear_team_folder(app: AppHandle) -> Res<()> {
    on_store(&app, Hold::Short, team::clear_folder).await
}

#[tauri::command]
pub async fn set_team_cleanup(app: AppHandle, cleanup: team::Cleanup) -> Res<()> {
    on_store(&app, Hold::Short, move |s| team::set_cleanup(s, cleanup)).await
}

/// Reads the inbox (receipts are recorded as they are read; nothing else is applied).
#[tauri::command]
pub async fn inbox(app: AppHandle) -> Res<team::Inbox> {
    let lang = app.state::<AppState>().lang();
    // Short: read every 15 seconds while the hand-off screen is shown, it must not turn the
    // screen's other calls away as busy. Polled by the page, not asked by the worker: it does
    // not count as activity (it kept the vault from ever locking itself).
    on_store_polled(&app, move |s| {
        team::report_if_due(s, chrono::Utc::now())?;
        team::inbox(s, lang)
    })
    .await
}

#[tauri::command]
pub async fn discard_inbox_item(app: AppHandle, file: String) -> Res<()> {
    on_store(&app, Hold::Short, move |s| team::discard(s, &file)).await
}

/// Erases the handed-off cases whose receipt came back; returns how many.
#[tauri::command]
pub async fn purge_handed_off(app: AppHandle) -> Res<usize> {
    on_store(&app, Hold::Long, exchange::purge_handed_off).await
}

/// The supervisor's view: each colleague and what this vault exchanged with her.
#[tauri::command]
pub async fn team_overview(app: AppHandle) -> Res<Vec<team::Colleague>> {
    on_store(&app, Hold::Short, |s| team::overview(s)).await
}

/// Sends this vault's team report to a verified contact through the team folder (aliases,
/// statuses, phases, next appointments, overdue items, days without contact; nothing else).
/// Returns how many cases it names.
#[tauri::command]
pub async fn send_team_report(app: AppHandle, to: String) -> Res<usize> {
    on_store(&app, Hold::Short, move |s| team::send_report(s, &to, relais_core::time::local_now().date_naive())).await
}

/// Sets (or stops, with `null`) the team report sent by itself.
#[tauri::command]
pub async fn set_report_schedule(app: AppHandle, schedule: Option<team::ReportSchedule>) -> Res<()> {
    on_store(&app, Hold::Short, move |s| team::set_report_schedule(s, schedule.as_ref())).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_save_dialog_suggests_a_name_not_a_path() {
        assert_eq!(super::suggested_name("../../.bashrc"), "bashrc");
        assert_eq!(super::suggested_name(". .xsessionrc"), "xsessionrc");
        assert_eq!(super::suggested_name("facture\u{202e}fdp.exe"), "facturefdp.exe");
        assert_eq!(super::suggested_name("a\u{200b}\u{2066}b.pdf"), "ab.pdf");
        assert_eq!(super::suggested_name("..."), "");
        assert_eq!(super::suggested_name("C:\\Users\\x\\passeport.pdf"), "passeport.pdf");
        assert_eq!(super::suggested_name("scan\u{7}\u{1b}[2J.pdf"), "scan[2J.pdf");
        assert_eq!(super::suggested_name(".."), "");
        assert_eq!(super::suggested_name("Rapport d'équipe.pdf"), "Rapport d'équipe.pdf");
    }
}
