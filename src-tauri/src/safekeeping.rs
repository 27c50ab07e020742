//! Backups from the app: the reminder when the last one is too old, and making one.

use relais_core::Error;
use tauri::{AppHandle, Manager, State};

use crate::api::{AnchorWritten, ApiError, AuditCheck, BackupArgs, BackupStatus};
use crate::commands::{Res, on_store, open_vault, with_store};
use crate::handoff::chosen;
use crate::{AppState, Hold, settings};

/// When the last backup was made, and whether the worker should be reminded to make one.
#[tauri::command]
pub async fn backup_status(app: AppHandle) -> Res<BackupStatus> {
    let days = app.state::<AppState>().settings.lock().expect("settings lock").backup_reminder_days;
    let last = on_store(&app, Hold::Short, |s| relais_core::vault::backup::last_backup(s)).await?;
    let due = match last.as_deref().and_then(relais_core::time::from_db) {
        Some(at) => chrono::Utc::now() - at > chrono::Duration::days(i64::from(days)),
        None => true,
    };
    Ok(BackupStatus { last, remind_after_days: days, due })
}

/// After how many days without a backup the dashboard reminds the worker.
#[tauri::command]
pub fn set_backup_reminder(state: State<'_, AppState>, days: u32) -> Res<()> {
    let lang = state.lang();
    if !settings::BACKUP_REMINDER_RANGE.contains(&days) {
        return Err(ApiError::from_core(&Error::invalid("backup_reminder_days", relais_core::error::Problem::MalformedNumber), lang));
    }
    let mut s = state.settings.lock().expect("settings lock");
    s.backup_reminder_days = days;
    s.save(&state.config_dir).map_err(|e| ApiError::from_core(&e, lang))
}

/// Writes a backup of the open vault to the file chosen in the save dialog. The passphrase is
/// asked again: it proves the worker is the one at the keyboard, and it unwraps the key the
/// copy is encrypted with.
#[tauri::command]
pub async fn backup_vault(app: AppHandle, args: BackupArgs) -> Res<String> {
    let lang = app.state::<AppState>().lang();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let path = chosen(&state, true)?;
        let _admitted = state.admit(Hold::Long)?;
        let vault = open_vault(&state)?;
        let key = vault.unwrap_key(&args.passphrase).map_err(|e| ApiError::from_core(&e, lang))?;
        with_store(&state, |s| relais_core::vault::backup::backup(s, &key, vault.dir(), &path))?;
        Ok(path.display().to_string())
    })
    .await
    .map_err(|_| ApiError::app("Busy", lang))?
}

/// Restores the backup chosen in the open dialog into this computer's vault, which must not
/// exist yet (a new laptop, a lost one): the backup's passphrase unwraps it, as `relais restore`.
/// Then the start screen unlocks it as usual.
#[tauri::command]
pub async fn restore_backup(app: AppHandle, args: BackupArgs) -> Res<relais_core::vault::backup::Restored> {
    let lang = app.state::<AppState>().lang();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let file = chosen(&state, false)?;
        let _admitted = state.admit(Hold::Long)?;
        relais_core::vault::backup::restore(&file, &state.vault_dir(), relais_core::vault::backup::Proof::Passphrase(&args.passphrase))
            .map_err(|e| ApiError::from_core(&e, lang))
    })
    .await
    .map_err(|_| ApiError::app("Busy", lang))?
}

/// Checks the audit log, as `relais audit verify`; with `against`, against the anchor in the
/// file chosen in the open dialog (an anchor file or a backup), as `--against FILE`.
#[tauri::command]
pub async fn audit_verify(app: AppHandle, against: bool) -> Res<AuditCheck> {
    use relais_core::vault::{audit, backup};
    let lang = app.state::<AppState>().lang();
    let anchor = if against {
        let path = chosen(&app.state::<AppState>(), false)?;
        Some(backup::anchor_of(&path).map_err(|e| ApiError::from_core(&e, lang))?)
    } else {
        None
    };
    on_store(&app, Hold::Long, move |s| {
        let v = match &anchor {
            Some(a) => audit::verify_against(s, a)?,
            None => audit::verify(s)?,
        };
        Ok(AuditCheck {
            events: v.events,
            first_break: v.first_break,
            anchor_seq: anchor.as_ref().map(|a| a.seq),
            anchor_at: anchor.map(|a| a.at),
        })
    })
    .await
}

/// Writes the vault's signed audit head to the file chosen in the save dialog, as `relais audit
/// anchor -o FILE`: kept off this computer, it shows later that the log was not rewritten.
#[tauri::command]
pub async fn audit_anchor(app: AppHandle) -> Res<AnchorWritten> {
    let path = chosen(&app.state::<AppState>(), true)?;
    on_store(&app, Hold::Short, move |s| {
        let anchor = relais_core::vault::audit::anchor(s)?;
        relais_core::vault::write_atomic(&path, anchor.to_file().as_bytes())?;
        Ok(AnchorWritten { path: path.display().to_string(), seq: anchor.seq })
    })
    .await
}
