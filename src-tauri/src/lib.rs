//! The Relais desktop app: a Tauri 2 shell over `relais-core`.
//!
//! Each IPC command parses its input, calls the core, and maps errors to `{code, message}` in
//! the worker's language; no business logic lives here. Long operations (the demo vault) run
//! off the UI thread and report progress as events.

rust_i18n::i18n!("locales", fallback = "fr");

pub mod api;
mod clipboard;
mod coalition;
mod commands;
mod documents;
mod handoff;
mod power;
mod privacy;
mod reminders;
mod reports;
mod safekeeping;
mod settings;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use relais_core::Lang;
use relais_core::vault::store::Store;
use rustix::time::{ClockId, clock_gettime};
use tauri::{Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

/// The open vault.
pub(crate) struct Session {
    pub store: Store,
    /// The fictional demo vault, not the worker's own.
    pub demo: bool,
}

/// What the app holds between commands.
pub(crate) struct AppState {
    /// Where the worker's vault and the demo vault live.
    pub data_dir: PathBuf,
    /// Where the settings file lives.
    pub config_dir: PathBuf,
    /// The open vault, if unlocked. Locking drops it (and with it the key).
    pub session: Mutex<Option<Session>>,
    /// The statistics being counted ahead since the unlock, if they are (stopped on lock and
    /// before a long command).
    pub ahead: Mutex<Option<Ahead>>,
    /// A bundle opened and previewed, waiting for the worker to confirm (decrypted: dropped on
    /// lock like the session).
    pub pending: Mutex<Option<(relais_core::exchange::Opened, Option<String>)>>,
    /// The last file the worker chose in a dialog, and whether to save to it: the only paths
    /// export and import use (the webview never hands a path to the file system).
    pub picked: Mutex<Option<(bool, PathBuf)>>,
    pub settings: Mutex<settings::Settings>,
    /// When the worker last used the app, on the [`IDLE_CLOCK`].
    pub last_activity: Mutex<Duration>,
    /// What the last copy from the app put on the clipboard (a hash, and a number telling copies
    /// apart), until it is cleared.
    pub copied: Mutex<Option<(u64, u64)>>,
    /// A long command (export, import, backup, destruction…) holds the vault.
    pub long_running: AtomicBool,
    /// The reminders already shown since the vault was opened ([`reminders`], by their key).
    pub reminded: Mutex<std::collections::HashSet<String>>,
    /// The reminders that fell while the vault was locked, for the dashboard.
    pub missed: Mutex<Vec<relais_core::reports::agenda::Reminder>>,
    /// The needs ledgers a coordinator added this session ([`coalition`]), dropped on lock.
    pub ledgers: Mutex<Vec<relais_core::reports::stats::coalition::Received>>,
    /// The coalition's published merge, until saved or the vault locks.
    pub coalition: Mutex<Option<relais_core::reports::stats::Stats>>,
}

/// The statistics being counted ahead on a snapshot of the vault
/// ([`commands::count_statistics_ahead`]), and how to stop it.
pub(crate) struct Ahead {
    /// Set: the thread gives up (it checks before taking the session).
    pub stop: std::sync::Arc<AtomicBool>,
    /// Makes the snapshot's running read fail.
    pub interrupt: relais_core::vault::store::Interrupt,
    pub thread: std::thread::JoinHandle<()>,
}

/// How a command holds the open vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    /// A read or a small write: milliseconds.
    Short,
    /// An export, an import, a backup, a destruction: seconds to minutes.
    Long,
}

/// A long command's hold on the vault; let go when dropped, however the command ends.
pub(crate) struct LongHold<'a>(&'a AtomicBool);

impl Drop for LongHold<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl AppState {
    pub fn vault_dir(&self) -> PathBuf {
        self.data_dir.join("vault")
    }

    pub fn demo_dir(&self) -> PathBuf {
        self.data_dir.join("demo-vault")
    }

    pub fn lang(&self) -> Lang {
        self.settings.lock().expect("settings lock").lang
    }

    pub fn touch(&self) {
        *self.last_activity.lock().expect("activity lock") = idle_clock_now();
    }

    /// Admits a command to the vault. While a long command runs, any other command is answered
    /// `Busy` at once rather than left waiting behind it for minutes (a short one waits only for
    /// another short one); the page says so and the worker tries again.
    pub fn admit(&self, hold: Hold) -> Result<Option<LongHold<'_>>, api::ApiError> {
        let busy = || api::ApiError::app("Busy", self.lang());
        match hold {
            Hold::Short if self.long_running.load(Ordering::Acquire) => Err(busy()),
            Hold::Short => Ok(None),
            Hold::Long => match self.long_running.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    // A destruction's scrub, a key rotation need the files alone: no snapshot.
                    self.stop_counting_ahead();
                    Ok(Some(LongHold(&self.long_running)))
                }
                Err(_) => Err(busy()),
            },
        }
    }

    /// Makes `store` the open vault. What the worker previewed or chose in a dialog belongs to
    /// the vault it was done in: a bundle previewed in her own vault must not be applied to the
    /// demo vault (whose passphrase is public), nor a file chosen there be written from here.
    pub fn open_session(&self, store: relais_core::Store, demo: bool) {
        self.pending.lock().expect("pending lock").take();
        self.picked.lock().expect("picked lock").take();
        self.ledgers.lock().expect("ledgers lock").clear();
        self.coalition.lock().expect("coalition lock").take();
        reminders::on_unlock(self, &store);
        *self.session.lock().expect("session lock") = Some(Session { store, demo });
        self.touch();
    }

    /// Stops the statistics being counted ahead, if they are, and waits for its thread: once
    /// this returns, the snapshot's connection (and the key in it) is closed.
    pub fn stop_counting_ahead(&self) {
        let Some(ahead) = self.ahead.lock().expect("ahead lock").take() else { return };
        ahead.stop.store(true, Ordering::Release);
        ahead.interrupt.interrupt();
        if ahead.thread.join().is_err() {
            // It panicked: its snapshot was dropped with it all the same.
        }
    }

    /// Drops the open vault. Returns whether one was open.
    pub fn lock(&self) -> bool {
        self.stop_counting_ahead();
        self.pending.lock().expect("pending lock").take();
        self.picked.lock().expect("picked lock").take();
        self.ledgers.lock().expect("ledgers lock").clear();
        self.coalition.lock().expect("coalition lock").take();
        let was_open = self.session.lock().expect("session lock").take().is_some();
        if was_open {
            reminders::on_lock(self);
        }
        was_open
    }
}

/// The addresses the window may show: the app's own pages, nothing else.
fn allowed_url(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// The end-to-end run's hooks, compiled only with the `e2e` feature (`make e2e` builds with it;
/// `make package` builds without it and checks the binary holds none of their names): under
/// WebDriver (tauri-driver sets TAURI_WEBVIEW_AUTOMATION), a persistent web context, dialogs
/// pointed at a directory (RELAIS_E2E_FILES), shorter minutes (RELAIS_E2E_MINUTE_SECONDS).
#[cfg(feature = "e2e")]
pub(crate) mod e2e {
    /// Whether the app runs under WebDriver.
    pub fn automated() -> bool {
        std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
    }

    /// The directory dialogs use instead of asking (a native dialog cannot be driven).
    pub fn files() -> Option<std::path::PathBuf> {
        std::env::var_os("RELAIS_E2E_FILES").filter(|_| automated()).map(std::path::PathBuf::from)
    }

    /// How many seconds a minute of the app's timers lasts, 6 to 60.
    pub fn minute_seconds() -> Option<u64> {
        std::env::var("RELAIS_E2E_MINUTE_SECONDS").ok().and_then(|s| s.parse().ok()).filter(|s| automated() && (6..=60).contains(s))
    }
}

/// Without the `e2e` feature (the package): no hook, whatever the environment says.
#[cfg(not(feature = "e2e"))]
pub(crate) mod e2e {
    pub fn automated() -> bool {
        false
    }

    pub fn files() -> Option<std::path::PathBuf> {
        None
    }

    pub fn minute_seconds() -> Option<u64> {
        None
    }
}

/// How long a minute of the app's timers (auto-lock, clipboard) lasts: a minute, except in the
/// end-to-end run, which may shorten it rather than wait real minutes ([`e2e`]). Only ever
/// shorter: no setting makes the vault stay open longer.
pub(crate) fn minute() -> Duration {
    Duration::from_secs(e2e::minute_seconds().unwrap_or(60))
}

/// The idle timer's clock: CLOCK_BOOTTIME, which goes on counting while the laptop sleeps.
/// `Instant` reads CLOCK_MONOTONIC, which stops: a night asleep counted as no time at all, and
/// a vault left open in the evening was still open when the lid was lifted in the morning.
const IDLE_CLOCK: ClockId = ClockId::Boottime;

/// Now on the [`IDLE_CLOCK`]: the time since the machine booted, sleep included.
fn idle_clock_now() -> Duration {
    Duration::try_from(clock_gettime(IDLE_CLOCK)).expect("the time since boot is never negative")
}

/// Whether the vault is due to lock: the worker last used the app at `last_activity`, it is
/// `now` (both on the [`IDLE_CLOCK`]) and the auto-lock is set to `limit`.
fn idle_lock_due(last_activity: Duration, now: Duration, limit: Duration) -> bool {
    now.saturating_sub(last_activity) >= limit
}

/// Locks the vault once nobody has used the app for the configured time, time asleep included.
fn auto_lock(app: tauri::AppHandle) {
    let minute = minute();
    loop {
        std::thread::sleep(minute / 12);
        let state = app.state::<AppState>();
        let limit = minute * state.settings.lock().expect("settings lock").autolock_minutes;
        let last_activity = *state.last_activity.lock().expect("activity lock");
        if idle_lock_due(last_activity, idle_clock_now(), limit) && state.lock() {
            clipboard::clear_if_ours(&app, None);
            let _ = app.emit("locked", "idle");
        }
    }
}

/// Locks the vault because the machine is going to sleep or the screen locked ([`power`]), as
/// the idle timer does; the clipboard is cleared of what was copied from the app either way.
fn lock_now(app: &tauri::AppHandle, cause: power::Cause) {
    let state = app.state::<AppState>();
    let was_open = state.lock();
    clipboard::clear_if_ours(app, None);
    if was_open {
        let _ = app.emit("locked", cause.event());
    }
}

/// Starts the app.
pub fn run() {
    draw_on_the_cpu_without_a_gpu();
    relais_core::secret::harden_process();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler({
            // The handler of every command of `commands.in.rs`, the one list of them.
            macro_rules! relais_commands {
                ($($module:ident :: $name:ident : $args:literal => $result:literal),* $(,)?) => {
                    tauri::generate_handler![$($module::$name),*]
                };
            }
            include!("../commands.in.rs")
        })
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            let config_dir = app.path().app_config_dir()?;
            let settings = settings::Settings::load(&config_dir);
            app.manage(AppState {
                data_dir,
                config_dir,
                session: Mutex::new(None),
                ahead: Mutex::new(None),
                pending: Mutex::new(None),
                picked: Mutex::new(None),
                settings: Mutex::new(settings),
                last_activity: Mutex::new(idle_clock_now()),
                copied: Mutex::new(None),
                long_running: AtomicBool::new(false),
                reminded: Mutex::new(std::collections::HashSet::new()),
                missed: Mutex::new(Vec::new()),
                ledgers: Mutex::new(Vec::new()),
                coalition: Mutex::new(None),
            });
            // One window, built here so that navigation away from the app is refused and
            // the webview keeps nothing on disk (an ephemeral, incognito web context). Under
            // WebDriver WebKit only automates a persistent context, so the end-to-end build
            // uses one, and its canary scan of the app's data and cache dirs then checks the
            // worst case: nothing lands there either.
            let automated = e2e::automated();
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("Relais")
                .inner_size(1280.0, 800.0)
                .min_inner_size(900.0, 600.0)
                .incognito(!automated)
                .on_navigation(allowed_url)
                .build()?;
            let handle = app.handle().clone();
            std::thread::spawn(move || auto_lock(handle));
            let handle = app.handle().clone();
            std::thread::spawn(move || reminders::run(handle));
            // Off the main thread: connecting to the buses must not hold up the window.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                if power::watch(power::Buses::connect(), move |cause| lock_now(&handle, cause)).nothing() {
                    eprintln!("Relais : pas de D-Bus, la veille et le verrouillage de l'écran ne verrouillent pas le coffre / no D-Bus: sleep and screen lock do not lock the vault");
                }
            });
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("Relais n'a pas pu démarrer / Relais could not start")
        .run(|app, event| {
            // Quitting: what was copied from a case does not outlive the app on the clipboard
            // (where a clipboard manager would keep it), and the vault is closed.
            if let tauri::RunEvent::Exit = event
                && let Some(state) = app.try_state::<AppState>()
            {
                clipboard::clear_if_ours(app, None);
                state.lock();
            }
        });
}

/// WebKitGTK's variable that turns its DMA-BUF renderer off.
#[cfg(target_os = "linux")]
const NO_DMABUF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// On a machine without a GPU that can render (no DRM render node: a virtual machine, some old
/// laptops, `make bench`'s Xvfb), WebKitGTK's DMA-BUF renderer draws through Mesa's software
/// OpenGL (llvmpipe) and, after every screen change, burns about 1.5 cores for 3 to 4 s: the
/// next click shares a two-core laptop with it (`make bench`: WebKit used 4.8 s of CPU in the 6 s
/// after a screen change, 0.6 s without it). Its other path draws on the CPU without that. The variable
/// must be in the environment before GTK starts, and setting it in the process takes unsafe code
/// (which the workspace forbids): the program starts itself again with it, once, by `exec` (the
/// same process, program and arguments). A value already set, `0` included, is left as it is;
/// a machine with a render node is left to WebKit's choice. The hello world of `make bench`
/// calls it too, so that the memory compared is drawn the same way.
pub fn draw_on_the_cpu_without_a_gpu() {
    #[cfg(target_os = "linux")]
    if std::env::var_os(NO_DMABUF).is_none() && !has_render_node(std::path::Path::new("/dev/dri")) {
        use std::os::unix::process::CommandExt;
        let Ok(exe) = std::env::current_exe() else { return };
        let mut args = std::env::args_os();
        let argv0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
        // Returns only if it failed: the app then starts as it is.
        let _started_as_it_is = std::process::Command::new(&exe).arg0(argv0).args(args).env(NO_DMABUF, "1").exec();
    }
}

/// Whether `dri` (`/dev/dri`) holds a DRM render node (`renderD128`…): a GPU that can render.
#[cfg(target_os = "linux")]
fn has_render_node(dri: &std::path::Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(path: &str) -> serde_json::Value {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn a_render_node_is_a_gpu_that_can_render() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dri.path().join("absent")));
        assert!(!has_render_node(dri.path()));
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dri.path()), "a card alone (display, no rendering)");
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dri.path()));
    }

    /// Loosening the CSP must be a visible, reviewed change: this test holds it exactly.
    #[test]
    fn the_csp_is_strict() {
        let conf = json("tauri.conf.json");
        let security = &conf["app"]["security"];
        let expected = serde_json::json!({
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "connect-src": "ipc: http://ipc.localhost",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'none'",
            "frame-src": "'none'",
            "frame-ancestors": "'none'"
        });
        assert_eq!(security["csp"], expected);
        assert_eq!(security["freezePrototype"], true);
        assert!(security.get("dangerousDisableAssetCspModification").is_none());
        assert!(security.get("devCsp").is_none(), "no looser CSP for development either");
        assert_eq!(conf["app"]["withGlobalTauri"], false);
        assert_eq!(conf["app"]["windows"], serde_json::json!([]), "the one window is built in code, with its navigation guard");
    }

    /// The Tauri bundler refuses to package when the UI's @tauri-apps/api and the tauri crate
    /// are on different minor releases; catch it here, not at `make package`.
    #[test]
    fn the_ui_and_rust_sides_use_the_same_tauri_minor_release() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
        let crate_version = lock
            .split("[[package]]")
            .find(|p| p.contains("\nname = \"tauri\"\n"))
            .unwrap()
            .split("version = \"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let package = json("../ui/package.json");
        let npm_version = package["dependencies"]["@tauri-apps/api"].as_str().unwrap().trim_start_matches(['^', '~', '=']);
        let minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
        assert_eq!(minor(crate_version), minor(npm_version), "tauri crate {crate_version} vs @tauri-apps/api {npm_version}");
    }

    /// The capability set is a small explicit allow-list: no shell, http or fs plugin.
    #[test]
    fn the_capabilities_are_an_explicit_allow_list() {
        let cap = json("capabilities/main.json");
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
        let granted: Vec<String> = cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
        let mut expected: Vec<String> = ["core:event:allow-listen", "core:event:allow-unlisten"].map(String::from).to_vec();
        expected.extend(api::command_names().map(|c| format!("allow-{}", c.replace('_', "-"))));
        assert_eq!(granted, expected);
        let cargo = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
        for forbidden in ["tauri-plugin-shell", "tauri-plugin-http", "tauri-plugin-fs", "tauri-plugin-store", "tauri-plugin-sql"] {
            assert!(!cargo.contains(forbidden), "{forbidden} must not be a dependency");
        }
    }

    fn state() -> AppState {
        AppState {
            data_dir: PathBuf::new(),
            config_dir: PathBuf::new(),
            session: Mutex::new(None),
            ahead: Mutex::new(None),
            pending: Mutex::new(None),
            picked: Mutex::new(None),
            settings: Mutex::new(settings::Settings::default()),
            last_activity: Mutex::new(idle_clock_now()),
            copied: Mutex::new(None),
            long_running: AtomicBool::new(false),
            reminded: Mutex::new(std::collections::HashSet::new()),
            missed: Mutex::new(Vec::new()),
            ledgers: Mutex::new(Vec::new()),
            coalition: Mutex::new(None),
        }
    }

    #[test]
    fn a_poll_the_page_makes_by_itself_is_not_the_workers_activity() {
        let state = state();
        *state.last_activity.lock().unwrap() = Duration::ZERO;
        let _locked = commands::with_store_idle(&state, |_| Ok(()));
        assert_eq!(*state.last_activity.lock().unwrap(), Duration::ZERO, "the inbox poll must not keep the vault open");
        let _locked = commands::with_store(&state, |_| Ok(()));
        assert_ne!(*state.last_activity.lock().unwrap(), Duration::ZERO, "what the worker asks counts");
    }

    #[test]
    fn locking_and_a_long_command_stop_the_statistics_counted_ahead_first() {
        // The snapshot's connection holds the key: locking must close it, and a destruction's
        // scrub or a key rotation needs the files alone. Both stop the count and wait for it.
        use std::sync::Arc;
        let dir = tempfile::tempdir().unwrap();
        let pass = relais_core::secret::Passphrase::new("lampe rivière carton 7 violon");
        let owner = relais_core::vault::Owner { name: "Test".into(), org: "Test".into() };
        let (vault, store) = relais_core::Vault::create(dir.path().join("vault"), &pass, &owner, None).unwrap();
        let key = vault.unwrap_key(&pass).unwrap();
        let state = state();
        for by_a_long_command in [false, true] {
            let (snapshot, _) = store.snapshot(&key).unwrap();
            let (stop, finished) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
            let (told, done) = (stop.clone(), finished.clone());
            let interrupt = snapshot.interrupt_handle();
            // A count of three seconds unless told to stop.
            let thread = std::thread::spawn(move || {
                for _ in 0..600 {
                    if told.load(Ordering::Acquire) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                drop(snapshot);
                done.store(true, Ordering::Release);
            });
            *state.ahead.lock().unwrap() = Some(Ahead { stop, interrupt, thread });
            if by_a_long_command {
                assert!(state.admit(Hold::Long).unwrap().is_some());
            } else {
                state.lock();
            }
            assert!(finished.load(Ordering::Acquire), "stopped and joined (by a long command: {by_a_long_command})");
            assert!(state.ahead.lock().unwrap().is_none());
        }
    }

    #[test]
    fn while_a_long_command_runs_the_others_are_told_busy() {
        let state = state();
        assert!(state.admit(Hold::Short).unwrap().is_none(), "short commands run side by side");
        let export = state.admit(Hold::Long).unwrap();
        assert!(export.is_some());
        for hold in [Hold::Short, Hold::Long] {
            let err = state.admit(hold).err().expect("busy");
            assert_eq!(err.code, "Busy");
            assert!(!err.message.is_empty() && err.message != "error.busy", "{}", err.message);
        }
        drop(export);
        assert!(state.admit(Hold::Long).unwrap().is_some(), "free again once the long command ends");
        // A long command that fails (an error or a panic unwinding through it) lets go too.
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _hold = state.admit(Hold::Long).unwrap();
            panic!("boom");
        }));
        assert!(failed.is_err());
        assert!(state.admit(Hold::Short).is_ok());
    }

    /// The package is built without the `e2e` feature, as `cargo test` builds this crate: no
    /// hook is compiled in, not even the names of the variables it would read (`make package`
    /// checks the release binary the same way).
    #[cfg(not(feature = "e2e"))]
    #[test]
    fn without_the_e2e_feature_no_test_hook_is_compiled_in() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        // Spelt backwards here, or this test would put them in the binary itself.
        for name in ["SELIF_E2E_SIALER", "SDNOCES_ETUNIM_E2E_SIALER"].map(|r| r.chars().rev().collect::<String>()) {
            assert!(memchr::memmem::find(&me, name.as_bytes()).is_none(), "{name} is in the binary");
        }
        assert!(!e2e::automated());
        assert_eq!(minute(), Duration::from_secs(60));
    }

    #[test]
    fn the_idle_time_counts_from_the_last_activity_to_now() {
        let minute = Duration::from_secs(60);
        let limit = 5 * minute;
        let t = Duration::from_secs(40_000);
        assert!(!idle_lock_due(t, t, limit), "just used");
        assert!(!idle_lock_due(t, t + limit - Duration::from_millis(1), limit), "a moment before the limit");
        assert!(idle_lock_due(t, t + limit, limit), "at the limit");
        // Used at 18:00, the lid closed at 18:01, opened at 8:00 the next day: on CLOCK_BOOTTIME
        // the fourteen hours asleep are there, and the vault locks on the first tick.
        assert!(idle_lock_due(t, t + 14 * 60 * minute, limit));
        // A clock read before the last activity (another thread touched in between): not idle.
        assert!(!idle_lock_due(t, t - Duration::from_secs(1), limit));
    }

    /// The idle time must include time asleep: the clock is CLOCK_BOOTTIME, not the
    /// CLOCK_MONOTONIC `Instant` reads (which stops during suspend), and activity is recorded
    /// on it.
    #[test]
    fn the_idle_timer_counts_time_asleep() {
        assert_eq!(IDLE_CLOCK, ClockId::Boottime);
        let state = state();
        let before = Duration::try_from(clock_gettime(ClockId::Boottime)).unwrap();
        state.touch();
        let after = Duration::try_from(clock_gettime(ClockId::Boottime)).unwrap();
        let touched = *state.last_activity.lock().unwrap();
        assert!(before <= touched && touched <= after, "{before:?} <= {touched:?} <= {after:?}");
    }

    #[test]
    fn opening_a_vault_forgets_what_was_chosen_in_another() {
        let state = state();
        let dir = tempfile::tempdir().unwrap();
        *state.picked.lock().unwrap() = Some((false, dir.path().join("partage.relais")));
        let owner = relais_core::vault::Owner { name: "Démo".into(), org: String::new() };
        let pass = relais_core::secret::Passphrase::new("une phrase de passe de démonstration");
        let (_vault, store) = relais_core::Vault::create(dir.path().join("demo"), &pass, &owner, None).unwrap();
        state.open_session(store, true);
        assert!(state.picked.lock().unwrap().is_none(), "the file chosen in the other vault is forgotten");
        assert!(state.pending.lock().unwrap().is_none());
        assert!(state.session.lock().unwrap().as_ref().is_some_and(|s| s.demo));
    }

    #[test]
    fn only_the_apps_own_pages_can_be_shown() {
        for ok in ["tauri://localhost/", "tauri://localhost/index.html", "http://tauri.localhost/x"] {
            assert!(allowed_url(&ok.parse().unwrap()), "{ok}");
        }
        for bad in ["https://example.org/", "tauri://evil/", "file:///etc/passwd", "data:text/html,x", "http://localhost:1420/"] {
            assert!(!allowed_url(&bad.parse().unwrap()), "{bad}");
        }
    }
}
