//! The IPC commands. Each parses, calls the core, maps the error; nothing else.

use relais_core::case::{self, directory, person_file, search};
use relais_core::reports::dashboard;
use relais_core::secret::Passphrase;
use relais_core::vault::Owner;
use relais_core::{Error, Fields, Kind, Lang, Vault, demo};
use tauri::{AppHandle, Emitter, State};

use crate::api::{self, ApiError, AppInfo, CreateVaultArgs, OrganisationsArgs, RecordArgs, ReferralStatusArgs, UnlockArgs};
use crate::{AppState, Session, settings};

pub(crate) type Res<T> = Result<T, ApiError>;

/// The demo vault holds only fictional data; its passphrase is public on purpose.
const DEMO_PASSPHRASE: &str = "démo relais colibri 2026 fictif";
const DEMO_PERSONS: usize = 25;

fn core<T>(state: &AppState, r: relais_core::Result<T>) -> Res<T> {
    r.map_err(|e| ApiError::from_core(&e, state.lang()))
}

/// Runs `f` on the open vault (and counts as activity).
pub(crate) fn with_store<T>(state: &AppState, f: impl FnOnce(&mut relais_core::Store) -> relais_core::Result<T>) -> Res<T> {
    state.touch();
    let lang = state.lang();
    let mut guard = state.session.lock().expect("session lock");
    let session = guard.as_mut().ok_or_else(|| ApiError::app("Locked", lang))?;
    f(&mut session.store).map_err(|e| ApiError::from_core(&e, lang))
}

fn kind(state: &AppState, name: &str) -> Res<Kind> {
    Kind::from_name(name)
        .filter(|k| k.is_case_record() || matches!(k, Kind::Organisation | Kind::Incident))
        .ok_or_else(|| ApiError::app("UnknownKind", state.lang()))
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let settings = state.settings.lock().expect("settings lock").clone();
    let session = state.session.lock().expect("session lock");
    AppInfo {
        vault_exists: state.vault_dir().join(relais_core::vault::KEY_FILE).is_file(),
        unlocked: session.is_some(),
        demo: session.as_ref().is_some_and(|s| s.demo),
        lang: settings.lang,
        autolock_minutes: settings.autolock_minutes,
        backup_reminder_days: settings.backup_reminder_days,
        owner_name: session.as_ref().and_then(|s| s.store.meta(relais_core::vault::store::Meta::OwnerName).ok().flatten()),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

#[tauri::command]
pub fn set_lang(state: State<'_, AppState>, lang: Lang) -> Res<()> {
    let mut s = state.settings.lock().expect("settings lock");
    s.lang = lang;
    s.save(&state.config_dir).map_err(|e| ApiError::from_core(&e, lang))
}

#[tauri::command]
pub fn set_autolock(state: State<'_, AppState>, minutes: u32) -> Res<()> {
    let lang = state.lang();
    if !settings::AUTOLOCK_RANGE.contains(&minutes) {
        return Err(ApiError::from_core(&Error::invalid("autolock_minutes", relais_core::error::Problem::MalformedNumber), lang));
    }
    let mut s = state.settings.lock().expect("settings lock");
    s.autolock_minutes = minutes;
    s.save(&state.config_dir).map_err(|e| ApiError::from_core(&e, lang))
}

#[tauri::command]
pub fn touch(state: State<'_, AppState>) {
    state.touch();
}

#[tauri::command]
pub async fn create_vault(state: State<'_, AppState>, args: CreateVaultArgs) -> Res<()> {
    let lang = state.lang();
    if args.passphrase != args.confirm {
        return Err(ApiError::from_core(&Error::PassphraseMismatch, lang));
    }
    let owner = Owner { name: args.name.trim().to_owned(), org: args.org.trim().to_owned() };
    if owner.name.is_empty() {
        return Err(ApiError::from_core(&Error::invalid("name", relais_core::error::Problem::Required), lang));
    }
    // The KDF takes about a second: off the UI thread (this is an async command).
    let (_vault, store) = core(&state, Vault::create(state.vault_dir(), &Passphrase::new(args.passphrase), &owner, None))?;
    *state.session.lock().expect("session lock") = Some(Session { store, demo: false });
    state.touch();
    Ok(())
}

#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, args: UnlockArgs) -> Res<()> {
    let lang = state.lang();
    let dir = state.vault_dir();
    if !dir.join(relais_core::vault::KEY_FILE).is_file() {
        return Err(ApiError::app("NoVault", lang));
    }
    let vault = core(&state, Vault::open(dir))?;
    let store = core(&state, vault.unlock(&Passphrase::new(args.passphrase)))?;
    *state.session.lock().expect("session lock") = Some(Session { store, demo: false });
    state.touch();
    Ok(())
}

/// Opens the fictional demo vault, creating and filling it the first time (progress events).
#[tauri::command]
pub async fn open_demo(app: AppHandle, state: State<'_, AppState>) -> Res<Option<demo::DemoReport>> {
    let dir = state.demo_dir();
    let pass = Passphrase::new(DEMO_PASSPHRASE);
    let lang = state.lang();
    let (store, report) = tauri::async_runtime::spawn_blocking(move || -> relais_core::Result<_> {
        if dir.join(relais_core::vault::KEY_FILE).is_file() {
            return Ok((Vault::open(&dir)?.unlock(&pass)?, None));
        }
        let owner = Owner { name: "Intervenante démo / Demo worker".into(), org: "Organisme démo / Demo organisation".into() };
        let (_v, mut store) = Vault::create(&dir, &pass, &owner, None)?;
        let today = chrono::Local::now().date_naive();
        let report = demo::fill(&mut store, DEMO_PERSONS, 7, today, &mut |done, total| {
            let _ = app.emit("progress", api::Progress { op: "demo".into(), done, total });
        })?;
        Ok((store, Some(report)))
    })
    .await
    .map_err(|_| ApiError::app("Busy", lang))?
    .map_err(|e| ApiError::from_core(&e, lang))?;
    *state.session.lock().expect("session lock") = Some(Session { store, demo: true });
    state.touch();
    Ok(report)
}

#[tauri::command]
pub fn lock(app: tauri::AppHandle, state: State<'_, AppState>) {
    state.lock();
    crate::clipboard::clear_if_ours(&app, None);
}

#[tauri::command]
pub fn dashboard(state: State<'_, AppState>) -> Res<dashboard::Dashboard> {
    with_store(&state, |s| dashboard::compute(s, chrono::Local::now().fixed_offset()))
}

/// The appointments of the week starting on `monday` (`YYYY-MM-DD`, local).
#[tauri::command]
pub fn week(state: State<'_, AppState>, monday: String) -> Res<Vec<dashboard::CalendarItem>> {
    let day = core(&state, relais_core::time::parse_date("monday", &monday))?;
    with_store(&state, |s| dashboard::week(s, day, *chrono::Local::now().fixed_offset().offset()))
}

#[tauri::command]
pub fn persons(state: State<'_, AppState>, status: Option<String>) -> Res<Vec<search::CaseRow>> {
    with_store(&state, |s| search::caseload(s, status.as_deref()))
}

#[tauri::command]
pub fn search(state: State<'_, AppState>, query: String) -> Res<search::Results> {
    with_store(&state, |s| search::search(s, &query, 50))
}

#[tauri::command]
pub fn person_file(state: State<'_, AppState>, id: String) -> Res<person_file::PersonFile> {
    with_store(&state, |s| person_file::load(s, &id))
}

#[tauri::command]
pub fn add_record(state: State<'_, AppState>, args: RecordArgs) -> Res<String> {
    let k = kind(&state, &args.kind)?;
    with_store(&state, |s| {
        s.write(|w| match k {
            Kind::Referral => case::add_referral(w, args.fields, args.override_reason.as_deref()),
            _ => w.insert(k, args.fields),
        })
    })
}

#[tauri::command]
pub fn update_record(state: State<'_, AppState>, args: RecordArgs) -> Res<Vec<String>> {
    let k = kind(&state, &args.kind)?;
    let id = args.id.unwrap_or_default();
    with_store(&state, |s| s.write(|w| w.update(k, &id, args.fields)))
}

#[tauri::command]
pub fn set_referral_status(state: State<'_, AppState>, args: ReferralStatusArgs) -> Res<()> {
    with_store(&state, |s| s.write(|w| case::set_referral_status(w, &args.id, &args.status, args.reason.as_deref())))
}

/// The open vault (its key files), for the operations on them.
pub(crate) fn open_vault(state: &AppState) -> Res<Vault> {
    let lang = state.lang();
    let demo = state.session.lock().expect("session lock").as_ref().map(|s| s.demo).ok_or_else(|| ApiError::app("Locked", lang))?;
    state.touch();
    core(state, Vault::open(if demo { state.demo_dir() } else { state.vault_dir() }))
}

/// Changes the passphrase of the open vault (its key file only; the data is not re-encrypted).
#[tauri::command]
pub async fn change_passphrase(state: State<'_, AppState>, args: api::ChangePassphraseArgs) -> Res<()> {
    if args.new != args.confirm {
        return Err(ApiError::from_core(&Error::PassphraseMismatch, state.lang()));
    }
    let vault = open_vault(&state)?;
    core(&state, vault.change_passphrase(&Passphrase::new(args.old), &Passphrase::new(args.new)))
}

/// Whether the organisation's recovery key is set for the open vault.
#[tauri::command]
pub fn recovery_status(state: State<'_, AppState>) -> Res<bool> {
    Ok(open_vault(&state)?.has_recovery())
}

/// Sets the organisation's recovery key (`age1…`), proven by the passphrase.
#[tauri::command]
pub async fn set_recovery(state: State<'_, AppState>, args: api::RecoveryArgs) -> Res<()> {
    let vault = open_vault(&state)?;
    core(&state, vault.set_recovery(&Passphrase::new(args.passphrase), &args.recipient))
}

#[tauri::command]
pub fn schema() -> api::Schema {
    api::Schema::build()
}

/// Resources for an open need, in the person's region and language first.
#[tauri::command]
pub fn suggest(state: State<'_, AppState>, need_id: String) -> Res<Vec<directory::Suggestion>> {
    with_store(&state, |s| {
        let need = s.get(Kind::Need, &need_id)?;
        let code = need.get("code").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let person = s.get(Kind::Person, need.get("person_id").and_then(|v| v.as_str()).unwrap_or_default())?;
        let region = person.get("region").and_then(|v| v.as_str());
        let language = person.get("languages").and_then(|v| v.as_array()).and_then(|a| a.first()).and_then(|v| v.as_str());
        directory::suggest(s, &code, region, language)
    })
}

#[tauri::command]
pub fn organisations(state: State<'_, AppState>, args: OrganisationsArgs) -> Res<Vec<Fields>> {
    with_store(&state, |s| match args.need.as_deref().filter(|n| !n.is_empty()) {
        Some(need) => {
            let hits = directory::suggest(s, need, args.region.as_deref(), args.language.as_deref())?;
            hits.iter().map(|h| s.get(Kind::Organisation, &h.org_id)).collect()
        }
        None => {
            let mut all = s.list_all(Kind::Organisation)?;
            all.sort_by_key(|o| o.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_lowercase());
            Ok(all)
        }
    })
}
