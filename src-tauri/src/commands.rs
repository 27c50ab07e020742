//! The IPC commands. Each parses, calls the core, maps the error; nothing else.

use relais_core::case::{self, directory, person_file, search};
use relais_core::reports::{dashboard, stats};
use relais_core::secret::Passphrase;
use relais_core::vault::{self, Owner};
use relais_core::{Error, Fields, Kind, Lang, Vault, demo};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::api::{self, ApiError, AppInfo, CreateVaultArgs, OrganisationsArgs, RecordArgs, ReferralStatusArgs, UnlockArgs};
use crate::{AppState, Hold, settings};

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
    with_store_idle(state, f)
}

/// [`with_store`] for what the app does by itself (the inbox read every half minute): not the
/// worker's activity, so it does not keep the vault from locking itself.
pub(crate) fn with_store_idle<T>(state: &AppState, f: impl FnOnce(&mut relais_core::Store) -> relais_core::Result<T>) -> Res<T> {
    let lang = state.lang();
    let mut guard = state.session.lock().expect("session lock");
    let session = guard.as_mut().ok_or_else(|| ApiError::app("Locked", lang))?;
    f(&mut session.store).map_err(|e| ApiError::from_core(&e, lang))
}

/// [`on_store`] for a poll the page makes by itself, not the worker: it does not count as
/// activity (a poll every half minute would otherwise keep the vault open forever).
pub(crate) async fn on_store_polled<T: Send + 'static>(
    app: &AppHandle,
    f: impl FnOnce(&mut relais_core::Store) -> relais_core::Result<T> + Send + 'static,
) -> Res<T> {
    admitted(app, Hold::Short, false, f).await
}

/// Runs `f` on the open vault, off the UI thread, once admitted (see [`AppState::admit`]).
pub(crate) async fn on_store<T: Send + 'static>(
    app: &AppHandle,
    hold: Hold,
    f: impl FnOnce(&mut relais_core::Store) -> relais_core::Result<T> + Send + 'static,
) -> Res<T> {
    admitted(app, hold, true, f).await
}

async fn admitted<T: Send + 'static>(
    app: &AppHandle,
    hold: Hold,
    activity: bool,
    f: impl FnOnce(&mut relais_core::Store) -> relais_core::Result<T> + Send + 'static,
) -> Res<T> {
    let app = app.clone();
    let lang = app.state::<AppState>().lang();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let _admitted = state.admit(hold)?;
        if activity { with_store(&state, f) } else { with_store_idle(&state, f) }
    })
    .await
    .map_err(|_| ApiError::app("Busy", lang))?
}

/// Runs `f` off the UI thread (what waits for the vault's lock must not freeze the window).
pub(crate) async fn off_ui<T: Send + 'static>(app: &AppHandle, f: impl FnOnce(&AppState) -> Res<T> + Send + 'static) -> Res<T> {
    let app = app.clone();
    let lang = app.state::<AppState>().lang();
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>())).await.map_err(|_| ApiError::app("Busy", lang))?
}

fn kind(state: &AppState, name: &str) -> Res<Kind> {
    Kind::from_name(name)
        .filter(|k| k.is_case_record() || matches!(k, Kind::Organisation | Kind::Incident))
        .ok_or_else(|| ApiError::app("UnknownKind", state.lang()))
}

#[tauri::command]
pub async fn app_info(app: AppHandle) -> Res<AppInfo> {
    off_ui(&app, |state| {
        let settings = state.settings.lock().expect("settings lock").clone();
        let session = state.session.lock().expect("session lock");
        Ok(AppInfo {
            vault_exists: state.vault_dir().join(relais_core::vault::KEY_FILE).is_file(),
            unlocked: session.is_some(),
            demo: session.as_ref().is_some_and(|s| s.demo),
            lang: settings.lang,
            autolock_minutes: settings.autolock_minutes,
            backup_reminder_days: settings.backup_reminder_days,
            no_contact_days: settings.no_contact_days,
            reminder_lead_minutes: settings.reminder_lead_minutes,
            reminders_name_persons: settings.reminders_name_persons,
            owner_name: session.as_ref().and_then(|s| s.store.meta(relais_core::vault::store::Meta::OwnerName).ok().flatten()),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })
    })
    .await
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

/// After how many days without contact the dashboard flags a case.
#[tauri::command]
pub fn set_no_contact_days(state: State<'_, AppState>, days: u32) -> Res<()> {
    let lang = state.lang();
    dashboard::check_no_contact_days(days).map_err(|e| ApiError::from_core(&e, lang))?;
    let mut s = state.settings.lock().expect("settings lock");
    s.no_contact_days = days;
    s.save(&state.config_dir).map_err(|e| ApiError::from_core(&e, lang))
}

/// How long before an appointment its reminder shows, and whether reminders name the person.
#[tauri::command]
pub fn set_reminders(state: State<'_, AppState>, args: crate::api::RemindersArgs) -> Res<()> {
    let lang = state.lang();
    if !settings::REMINDER_LEAD_RANGE.contains(&args.lead_minutes) {
        return Err(ApiError::from_core(&Error::invalid("reminder_lead_minutes", relais_core::error::Problem::MalformedNumber), lang));
    }
    let mut s = state.settings.lock().expect("settings lock");
    s.reminder_lead_minutes = args.lead_minutes;
    s.reminders_name_persons = args.name_persons;
    s.save(&state.config_dir).map_err(|e| ApiError::from_core(&e, lang))
}

/// What fell due while the vault was locked (computed at unlock, forgotten at lock), for the
/// dashboard.
#[tauri::command]
pub fn missed_reminders(state: State<'_, AppState>) -> Vec<relais_core::reports::agenda::Reminder> {
    state.missed.lock().expect("missed lock").clone()
}

/// The worker has seen them.
#[tauri::command]
pub fn dismiss_missed_reminders(state: State<'_, AppState>) {
    state.missed.lock().expect("missed lock").clear();
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
    let (_vault, store) = core(&state, Vault::create(state.vault_dir(), &args.passphrase, &owner, None))?;
    state.open_session(store, false);
    Ok(())
}

#[tauri::command]
pub async fn unlock(app: AppHandle, state: State<'_, AppState>, args: UnlockArgs) -> Res<()> {
    let lang = state.lang();
    let dir = state.vault_dir();
    if !dir.join(relais_core::vault::KEY_FILE).is_file() {
        return Err(ApiError::app("NoVault", lang));
    }
    let vault = core(&state, Vault::open(dir))?;
    let key = core(&state, vault.unwrap_key(&args.passphrase))?;
    let mut store = core(&state, vault.unlock_with_key(&key))?;
    // The scheduled team report, when due. Best effort: an unreachable team folder must not
    // keep the worker out of her vault; the inbox, which checks again, says what is wrong.
    let _unreachable_folder_is_said_by_the_inbox = relais_core::exchange::team::report_if_due(&mut store, chrono::Utc::now());
    let snapshot = store.snapshot(&key);
    drop(key);
    state.open_session(store, false);
    if let Ok((snapshot, mark)) = snapshot {
        count_statistics_ahead(app, snapshot, mark);
    }
    Ok(())
}

/// Counts the statistics the screen opens on (since the first intake, to today) on a snapshot
/// of the vault just unlocked, on a thread of its own: at 10 000 persons that takes most of a
/// second, and the vault stays free for the screens meanwhile. The counts are kept only if
/// nothing changed in the vault since the snapshot; otherwise the screen counts them itself,
/// as it did before. Nothing is written anywhere. Locking, or a long command, stops it first
/// ([`AppState::stop_counting_ahead`]).
fn count_statistics_ahead(app: AppHandle, snapshot: relais_core::Store, mark: relais_core::vault::store::Mark) {
    let state = app.state::<AppState>();
    state.stop_counting_ahead();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let interrupt = snapshot.interrupt_handle();
    let stopped = stop.clone();
    let handle = app.clone();
    let started = std::thread::Builder::new().name("statistics-ahead".into()).spawn(move || {
        // Behind the window's own work on a laptop of two cores: this thread only (Linux
        // gives each thread its nice value). Counted at the usual priority if refused.
        let _lower_priority_if_allowed = rustix::process::nice(10);
        let counted = stats::count_ahead(&snapshot, mark, None, None, relais_core::time::local_now());
        drop(snapshot);
        let Ok(counted) = counted else { return };
        let state = handle.state::<AppState>();
        // Never waits on the session while told to stop: whoever stops this thread may hold it.
        loop {
            if stopped.load(std::sync::atomic::Ordering::Acquire) {
                return;
            }
            match state.session.try_lock() {
                Ok(session) => {
                    if let Some(session) = session.as_ref() {
                        let _kept_unless_the_vault_changed = counted.offer(&session.store);
                    }
                    return;
                }
                Err(std::sync::TryLockError::WouldBlock) => std::thread::sleep(std::time::Duration::from_millis(5)),
                Err(std::sync::TryLockError::Poisoned(_)) => return,
            }
        }
    });
    // No thread (the system refuses one): the screen counts when it opens.
    if let Ok(thread) = started {
        *state.ahead.lock().expect("ahead lock") = Some(crate::Ahead { stop, interrupt, thread });
    }
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
    state.open_session(store, true);
    Ok(report)
}

/// Locks now; a long command running finishes first (it holds the vault), then the lock falls.
#[tauri::command]
pub async fn lock(app: AppHandle) -> Res<()> {
    let handle = app.clone();
    off_ui(&app, move |state| {
        state.lock();
        crate::clipboard::clear_if_ours(&handle, None);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn dashboard(app: AppHandle) -> Res<dashboard::Dashboard> {
    let days = app.state::<AppState>().settings.lock().expect("settings lock").no_contact_days;
    on_store(&app, Hold::Short, move |s| dashboard::compute_with(s, chrono::Local::now().fixed_offset(), days)).await
}

/// The calendar of `days` days from `first` (`YYYY-MM-DD`, local): each day's count and its
/// first `limit` appointments (all: none). The week shows each day's first; a day opened asks
/// for its rest. (One-word arguments: Tauri expects a two-word one in camelCase from the page.)
#[tauri::command]
pub async fn week(app: AppHandle, first: String, days: u32, limit: Option<u32>) -> Res<Vec<dashboard::CalendarDay>> {
    on_store(&app, Hold::Short, move |s| {
        let day = relais_core::time::parse_date("first", &first)?;
        dashboard::calendar(s, day, days, &chrono::Local, limit)
    })
    .await
}

/// A page of the caseload: the window shows a page, never ten thousand rows at once.
#[tauri::command]
pub async fn persons(app: AppHandle, statuses: Vec<String>, offset: u32, limit: u32) -> Res<search::CasePage> {
    on_store(&app, Hold::Short, move |s| {
        let statuses: Vec<&str> = statuses.iter().map(String::as_str).collect();
        search::caseload_page(s, &statuses, offset, Some(limit.min(1_000)))
    })
    .await
}

#[tauri::command]
pub async fn search(app: AppHandle, query: String) -> Res<search::Results> {
    on_store(&app, Hold::Short, move |s| search::search(s, &query, 50)).await
}

#[tauri::command]
pub async fn person_file(app: AppHandle, id: String) -> Res<person_file::PersonFile> {
    on_store(&app, Hold::Short, move |s| person_file::load(s, &id)).await
}

#[tauri::command]
pub async fn add_record(app: AppHandle, args: RecordArgs) -> Res<String> {
    let k = kind(&app.state::<AppState>(), &args.kind)?;
    on_store(&app, Hold::Short, move |s| {
        s.write(|w| match k {
            Kind::Referral => case::add_referral(w, args.fields, args.override_reason.as_deref()),
            _ => w.insert(k, args.fields),
        })
    })
    .await
}

#[tauri::command]
pub async fn update_record(app: AppHandle, args: RecordArgs) -> Res<Vec<String>> {
    let k = kind(&app.state::<AppState>(), &args.kind)?;
    let id = args.id.unwrap_or_default();
    on_store(&app, Hold::Short, move |s| s.write(|w| w.update(k, &id, args.fields))).await
}

#[tauri::command]
pub async fn set_referral_status(app: AppHandle, args: ReferralStatusArgs) -> Res<()> {
    on_store(&app, Hold::Short, move |s| s.write(|w| case::set_referral_status(w, &args.id, &args.status, args.reason.as_deref()))).await
}

/// Closes a case with its reason (its retention starts); as `relais person close`.
#[tauri::command]
pub async fn close_case(app: AppHandle, args: api::CloseArgs) -> Res<Vec<String>> {
    on_store(&app, Hold::Short, move |s| s.write(|w| case::close_person(w, &args.id, &args.reason, args.note.as_deref()))).await
}

/// Reopens a closed case with a reason (its retention stops); as `relais person reopen`.
#[tauri::command]
pub async fn reopen_case(app: AppHandle, args: api::ReopenArgs) -> Res<Vec<String>> {
    on_store(&app, Hold::Short, move |s| s.write(|w| case::reopen_person(w, &args.id, &args.reason))).await
}

/// The open vault (its key files), for the operations on them.
pub(crate) fn open_vault(state: &AppState) -> Res<Vault> {
    let lang = state.lang();
    let demo = state.session.lock().expect("session lock").as_ref().map(|s| s.demo).ok_or_else(|| ApiError::app("Locked", lang))?;
    state.touch();
    core(state, Vault::open(if demo { state.demo_dir() } else { state.vault_dir() }))
}

/// Changes the passphrase of the open vault and gives its database a new key (the session's
/// store is reopened under it).
#[tauri::command]
pub async fn change_passphrase(app: AppHandle, args: api::ChangePassphraseArgs) -> Res<vault::Rekey> {
    off_ui(&app, move |state| {
        if args.new != args.confirm {
            return Err(ApiError::from_core(&Error::PassphraseMismatch, state.lang()));
        }
        let _admitted = state.admit(Hold::Long)?;
        let vault = open_vault(state)?;
        with_store(state, |s| vault.change_passphrase(s, &args.old, &args.new))
    })
    .await
}

/// Re-encrypts the open vault under a new key, same passphrase (`relais rotate-key`).
#[tauri::command]
pub async fn rotate_key(app: AppHandle, passphrase: Passphrase) -> Res<()> {
    off_ui(&app, move |state| {
        let _admitted = state.admit(Hold::Long)?;
        let vault = open_vault(state)?;
        with_store(state, |s| vault.rotate_key(s, &passphrase))
    })
    .await
}

/// Whether the organisation's recovery key is set for the open vault.
#[tauri::command]
pub async fn recovery_status(app: AppHandle) -> Res<bool> {
    off_ui(&app, |state| {
        let _admitted = state.admit(Hold::Short)?;
        Ok(open_vault(state)?.has_recovery())
    })
    .await
}

/// Sets the organisation's recovery key (`age1…`), proven by the passphrase.
#[tauri::command]
pub async fn set_recovery(app: AppHandle, args: api::RecoveryArgs) -> Res<()> {
    off_ui(&app, move |state| {
        let _admitted = state.admit(Hold::Long)?;
        let vault = open_vault(state)?;
        core(state, vault.set_recovery(&args.passphrase, &args.recipient))
    })
    .await
}

#[tauri::command]
pub fn schema() -> api::Schema {
    api::Schema::build()
}

/// Resources for an open need, in the person's region and language first.
#[tauri::command]
pub async fn suggest(app: AppHandle, need_id: String) -> Res<Vec<directory::Suggestion>> {
    on_store(&app, Hold::Short, move |s| {
        let need = s.get(Kind::Need, &need_id)?;
        let code = need.get("code").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let person = s.get(Kind::Person, need.get("person_id").and_then(|v| v.as_str()).unwrap_or_default())?;
        let region = person.get("region").and_then(|v| v.as_str());
        let language = person.get("languages").and_then(|v| v.as_array()).and_then(|a| a.first()).and_then(|v| v.as_str());
        directory::suggest(s, &code, region, language)
    })
    .await
}

#[tauri::command]
pub async fn organisations(app: AppHandle, args: OrganisationsArgs) -> Res<Vec<Fields>> {
    on_store(&app, Hold::Short, move |s| match args.need.as_deref().filter(|n| !n.is_empty()) {
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
    .await
}
