//! Locking the vault when the laptop goes to sleep or the screen locks.
//!
//! Both come as D-Bus signals:
//! - logind's `PrepareForSleep(true)` (system bus, `org.freedesktop.login1.Manager`), just
//!   before the machine suspends or hibernates;
//! - the logind session's `Lock` (system bus, `org.freedesktop.login1.Session`, at the path of
//!   the worker's own session: `loginctl lock-session`, and desktops that lock through logind);
//! - the screensaver's `ActiveChanged(true)` (session bus): `org.freedesktop.ScreenSaver` (KDE
//!   and others), `org.gnome.ScreenSaver`, and the same interface of MATE, Cinnamon and Xfce.
//!
//! A signal that arrives as the machine goes to sleep may only be read when it wakes up: the
//! processes are frozen right after it. So the watcher holds a logind "delay" inhibitor, which
//! logind waits for (`InhibitDelayMaxSec`, 5 s by default) before suspending: the vault is
//! locked, then the inhibitor let go, and a new one taken on waking. Where logind refuses one,
//! the vault still locks on the signal, at the latest as the machine wakes.
//!
//! The watcher takes the buses and what to do as arguments: the app passes the machine's buses
//! and its locking, the tests a private bus and a channel. Without a bus (a container, a CI
//! machine) or without logind, nothing or less is watched and the app runs as before, the idle
//! timer still counting time asleep.
//!
//! zbus's blocking API: one small thread per signal, asleep until one comes; nothing else here
//! needs async.

use std::sync::Arc;

use zbus::blocking::{Connection, MessageIterator, Proxy, proxy::SignalIterator};
use zbus::message::Type;
use zbus::proxy::CacheProperties;
use zbus::zvariant::{OwnedFd, OwnedObjectPath};
use zbus::{MatchRule, Message};

const LOGIND: &str = "org.freedesktop.login1";
const MANAGER_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";
const USER: &str = "org.freedesktop.login1.User";

/// The screensavers' interfaces whose `ActiveChanged(true)` locks the vault.
const SCREENSAVERS: [&str; 5] =
    ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver", "org.mate.ScreenSaver", "org.cinnamon.ScreenSaver", "org.xfce.ScreenSaver"];

/// Why the vault locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The machine is going to sleep (suspend, hibernation).
    Sleep,
    /// The screen locked, or the screensaver came on.
    Screen,
}

impl Cause {
    /// The payload of the `locked` event the page gets.
    pub fn event(self) -> &'static str {
        match self {
            Cause::Sleep => "sleep",
            Cause::Screen => "screen",
        }
    }
}

/// The buses to watch: the system bus (logind) and the session bus (the screensaver).
pub(crate) struct Buses {
    pub system: Option<Connection>,
    pub session: Option<Connection>,
}

impl Buses {
    /// The machine's buses, those there are.
    pub fn connect() -> Self {
        Buses { system: Connection::system().ok(), session: Connection::session().ok() }
    }
}

/// What is being watched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Watching {
    /// logind's `PrepareForSleep`.
    pub sleep: bool,
    /// Whether a delay inhibitor is held, so that the vault locks before the machine sleeps.
    pub inhibitor: bool,
    /// The worker's logind session's `Lock`.
    pub session_lock: bool,
    /// The screensavers' `ActiveChanged`.
    pub screensaver: bool,
}

impl Watching {
    pub fn nothing(self) -> bool {
        !(self.sleep || self.session_lock || self.screensaver)
    }
}

/// Watches `buses` and calls `on_lock` when the machine goes to sleep or the screen locks,
/// from background threads, for as long as the process runs. Returns once subscribed: a signal
/// sent after that is not missed. Whatever cannot be watched is left out, silently.
pub(crate) fn watch(buses: Buses, on_lock: impl Fn(Cause) + Send + Sync + 'static) -> Watching {
    let on_lock = Arc::new(on_lock);
    let mut watching = Watching::default();
    if let Some(system) = &buses.system
        && let Ok(manager) = proxy(system, MANAGER_PATH.try_into().expect("a valid path"), MANAGER)
    {
        if let Ok(signals) = manager.receive_signal("PrepareForSleep") {
            let inhibitor = inhibit(&manager);
            watching.sleep = true;
            watching.inhibitor = inhibitor.is_some();
            let (manager, on_lock) = (manager.clone(), on_lock.clone());
            std::thread::spawn(move || on_sleep(&manager, signals, inhibitor, &*on_lock));
        }
        if let Some(path) = own_session(system, &manager)
            && let Ok(session) = proxy(system, path, SESSION)
            && let Ok(signals) = session.receive_signal("Lock")
        {
            watching.session_lock = true;
            let on_lock = on_lock.clone();
            std::thread::spawn(move || {
                let _session = session;
                signals.for_each(|_| on_lock(Cause::Screen));
            });
        }
    }
    if let Some(session) = &buses.session
        && let Ok(rule) = MatchRule::builder().msg_type(Type::Signal).member("ActiveChanged").map(|r| r.build())
        && let Ok(signals) = MessageIterator::for_match_rule(rule, session, None)
    {
        watching.screensaver = true;
        std::thread::spawn(move || {
            for message in signals.flatten() {
                if screen_locked(&message) {
                    on_lock(Cause::Screen);
                }
            }
        });
    }
    watching
}

/// A proxy to logind's object at `path`, without the property cache (logind's manager has
/// dozens of properties, none needed).
fn proxy(system: &Connection, path: zbus::zvariant::ObjectPath<'static>, interface: &'static str) -> zbus::Result<Proxy<'static>> {
    zbus::blocking::proxy::Builder::new(system)
        .destination(LOGIND)?
        .path(path)?
        .interface(interface)?
        .cache_properties(CacheProperties::No)
        .build()
}

/// A delay inhibitor for sleep: logind waits for it to be let go (closed) before suspending,
/// for a few seconds at most. `None` where logind or polkit refuses it.
fn inhibit(manager: &Proxy<'_>) -> Option<OwnedFd> {
    let why = "Verrouiller le coffre avant la mise en veille / Lock the vault before sleep";
    manager.call("Inhibit", &("sleep", "Relais", why, "delay")).ok()
}

/// Locks on `PrepareForSleep(true)`, then lets logind go on; takes a new inhibitor on waking
/// (`PrepareForSleep(false)`).
fn on_sleep(manager: &Proxy<'_>, signals: SignalIterator<'_>, mut inhibitor: Option<OwnedFd>, on_lock: &(dyn Fn(Cause) + Send + Sync)) {
    for message in signals {
        match message.body().deserialize::<bool>() {
            Ok(true) => {
                on_lock(Cause::Sleep);
                drop(inhibitor.take());
            }
            Ok(false) if inhibitor.is_none() => inhibitor = inhibit(manager),
            _ => {}
        }
    }
}

/// The path of the worker's logind session: the one this process belongs to, or the one its
/// environment names, or (for a program started by the user's service manager, which is in no
/// session) the user's graphical session.
fn own_session(system: &Connection, manager: &Proxy<'_>) -> Option<zbus::zvariant::ObjectPath<'static>> {
    let path = manager
        .call::<_, _, OwnedObjectPath>("GetSessionByPID", &(std::process::id(),))
        .ok()
        .or_else(|| {
            let id = std::env::var("XDG_SESSION_ID").ok().filter(|id| !id.is_empty())?;
            manager.call::<_, _, OwnedObjectPath>("GetSession", &(id,)).ok()
        })
        .or_else(|| {
            let user = manager.call::<_, _, OwnedObjectPath>("GetUser", &(rustix::process::getuid().as_raw(),)).ok()?;
            let user = proxy(system, user.into_inner(), USER).ok()?;
            // ("", "/") when the user has no graphical session.
            let (_id, session) = user.get_property::<(String, OwnedObjectPath)>("Display").ok()?;
            Some(session)
        })?;
    (path.as_str() != "/").then(|| path.into_inner())
}

/// Whether `message` is a screensaver's `ActiveChanged(true)`.
fn screen_locked(message: &Message) -> bool {
    let header = message.header();
    header.member().is_some_and(|m| m.as_str() == "ActiveChanged")
        && header.interface().is_some_and(|i| SCREENSAVERS.contains(&i.as_str()))
        && message.body().deserialize::<bool>().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Child, Command, Stdio};
    use std::sync::Mutex;
    use std::sync::mpsc::{self, Receiver};
    use std::time::Duration;

    use zbus::fdo;

    use super::*;

    /// Long enough for a signal to go through the bus daemon on a busy machine.
    const WAIT: Duration = Duration::from_secs(10);
    /// How long to wait for a signal that must not lock; ordering on the one connection makes
    /// most of these checks exact (see the tests).
    const QUIET: Duration = Duration::from_millis(300);

    /// A private bus: a dbus-daemon of our own on a socket in a temporary directory, stopped
    /// when dropped. Without dbus-daemon (Debian package `dbus`, which `make deps` installs)
    /// the tests fail, they do not pass unchecked.
    struct Bus {
        daemon: Child,
        address: String,
        _dir: tempfile::TempDir,
    }

    impl Bus {
        fn start() -> Bus {
            let dir = tempfile::tempdir().unwrap();
            let config = dir.path().join("bus.conf");
            std::fs::write(
                &config,
                format!(
                    r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                    dir.path().join("bus").display()
                ),
            )
            .unwrap();
            let mut daemon = Command::new("dbus-daemon")
                .arg(format!("--config-file={}", config.display()))
                .args(["--nofork", "--nopidfile", "--print-address"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                // Its complaints (as root: "Failed to set fd limit") go to a file, shown if it fails.
                .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("dbus-daemon, which these tests need, could not start ({e}): `make deps` installs it (Debian package dbus)")
                });
            let mut address = String::new();
            BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut address).unwrap();
            let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
            assert!(!address.trim().is_empty(), "dbus-daemon printed no address: {stderr}");
            Bus { daemon, address: address.trim().to_owned(), _dir: dir }
        }

        fn connect(&self) -> Connection {
            zbus::blocking::connection::Builder::address(self.address.as_str()).unwrap().build().unwrap()
        }
    }

    impl Drop for Bus {
        fn drop(&mut self) {
            let _ = self.daemon.kill();
            let _ = self.daemon.wait();
        }
    }

    const OUR_SESSION: &str = "/org/freedesktop/login1/session/_37";
    const OTHER_SESSION: &str = "/org/freedesktop/login1/session/_99";
    const OUR_USER: &str = "/org/freedesktop/login1/user/_1000";
    /// The user's graphical session, when the app's process is in none.
    const DISPLAY_SESSION: &str = "/org/freedesktop/login1/session/c2";

    /// The read end of each inhibitor handed out, with its arguments (what, who, why, mode).
    type Inhibitors = Arc<Mutex<Vec<(std::io::PipeReader, [String; 4])>>>;

    /// logind's manager, as much of it as the watcher uses.
    struct FakeManager {
        /// What `GetSessionByPID` answers (an error when `None`).
        session_by_pid: Option<&'static str>,
        inhibitors: Inhibitors,
    }

    #[zbus::interface(name = "org.freedesktop.login1.Manager")]
    impl FakeManager {
        #[zbus(name = "GetSessionByPID")]
        fn get_session_by_pid(&self, _pid: u32) -> fdo::Result<OwnedObjectPath> {
            let path = self.session_by_pid.ok_or_else(|| fdo::Error::Failed("PID does not belong to any known session".into()))?;
            Ok(OwnedObjectPath::try_from(path).unwrap())
        }

        fn get_user(&self, _uid: u32) -> OwnedObjectPath {
            OwnedObjectPath::try_from(OUR_USER).unwrap()
        }

        fn inhibit(&self, what: String, who: String, why: String, mode: String) -> fdo::Result<OwnedFd> {
            let (reader, writer) = std::io::pipe().map_err(|e| fdo::Error::Failed(e.to_string()))?;
            self.inhibitors.lock().unwrap().push((reader, [what, who, why, mode]));
            Ok(std::os::fd::OwnedFd::from(writer).into())
        }
    }

    /// A logind user, for its graphical session.
    struct FakeUser;

    #[zbus::interface(name = "org.freedesktop.login1.User")]
    impl FakeUser {
        #[zbus(property)]
        fn display(&self) -> (String, OwnedObjectPath) {
            ("c2".into(), OwnedObjectPath::try_from(DISPLAY_SESSION).unwrap())
        }
    }

    /// A logind on `bus`: owns its name, serves the manager and the user.
    struct Logind {
        conn: Connection,
        inhibitors: Inhibitors,
    }

    impl Logind {
        fn start(bus: &Bus, session_by_pid: Option<&'static str>) -> Logind {
            let inhibitors = Arc::new(Mutex::new(Vec::new()));
            let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
                .unwrap()
                .name(LOGIND)
                .unwrap()
                .serve_at(MANAGER_PATH, FakeManager { session_by_pid, inhibitors: inhibitors.clone() })
                .unwrap()
                .serve_at(OUR_USER, FakeUser)
                .unwrap()
                .build()
                .unwrap();
            Logind { conn, inhibitors }
        }

        fn prepare_for_sleep(&self, going: bool) {
            self.conn.emit_signal(None::<&str>, MANAGER_PATH, MANAGER, "PrepareForSleep", &(going,)).unwrap();
        }

        fn lock_session(&self, path: &str) {
            self.conn.emit_signal(None::<&str>, path, SESSION, "Lock", &()).unwrap();
        }

        /// Waits for `n` inhibitors to be held, and takes them.
        fn take_inhibitors(&self, n: usize) -> Vec<(std::io::PipeReader, [String; 4])> {
            let start = std::time::Instant::now();
            loop {
                let mut held = self.inhibitors.lock().unwrap();
                if held.len() >= n || start.elapsed() > WAIT {
                    return held.drain(..).collect();
                }
                drop(held);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// The lock callback: each call sent on a channel.
    fn recorder() -> (impl Fn(Cause) + Send + Sync + 'static, Receiver<Cause>) {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        (move |cause| tx.lock().unwrap().send(cause).unwrap(), rx)
    }

    #[test]
    fn going_to_sleep_locks_the_vault_before_logind_may_suspend() {
        let bus = Bus::start();
        let logind = Logind::start(&bus, Some(OUR_SESSION));
        let order = Arc::new(Mutex::new(Vec::new()));
        let (tx, locked) = mpsc::channel();
        let tx = Mutex::new(tx);
        let watching = watch(Buses { system: Some(bus.connect()), session: None }, {
            let order = order.clone();
            move |cause| {
                // Locking takes a moment (it waits for a long command): logind must wait too.
                std::thread::sleep(Duration::from_millis(200));
                order.lock().unwrap().push("locked");
                tx.lock().unwrap().send(cause).unwrap();
            }
        });
        assert_eq!(watching, Watching { sleep: true, inhibitor: true, session_lock: true, screensaver: false });
        let mut inhibitors = logind.take_inhibitors(1);
        assert_eq!(inhibitors.len(), 1, "one delay inhibitor held from the start");
        let (mut inhibitor, args) = inhibitors.pop().unwrap();
        assert_eq!([&args[0], &args[1], &args[3]], ["sleep", "Relais", "delay"]);
        let (tx, released) = mpsc::channel();
        std::thread::spawn({
            let order = order.clone();
            move || {
                // End of file once every copy of the write end is closed: the inhibitor let go.
                let _ = inhibitor.read_to_end(&mut Vec::new());
                order.lock().unwrap().push("released");
                tx.send(()).unwrap();
            }
        });

        logind.prepare_for_sleep(true);
        assert_eq!(locked.recv_timeout(WAIT), Ok(Cause::Sleep));
        released.recv_timeout(WAIT).expect("the inhibitor is let go once the vault is locked");
        assert_eq!(*order.lock().unwrap(), ["locked", "released"], "locked first, then logind may suspend");

        // Waking up: nothing locks, and a new inhibitor is taken for the next time.
        logind.prepare_for_sleep(false);
        assert_eq!(logind.take_inhibitors(1).len(), 1, "a new inhibitor on waking");
        assert_eq!(locked.recv_timeout(QUIET), Err(mpsc::RecvTimeoutError::Timeout), "waking does not lock");

        // And the next sleep locks again.
        logind.prepare_for_sleep(true);
        assert_eq!(locked.recv_timeout(WAIT), Ok(Cause::Sleep));
    }

    #[test]
    fn locking_the_workers_session_locks_the_vault_and_another_session_does_not() {
        let bus = Bus::start();
        let logind = Logind::start(&bus, Some(OUR_SESSION));
        let (on_lock, locked) = recorder();
        let watching = watch(Buses { system: Some(bus.connect()), session: None }, on_lock);
        assert!(watching.session_lock);
        // Another session, and the user's graphical session (watched only when the app's
        // process is in no session): nothing.
        logind.lock_session(OTHER_SESSION);
        logind.lock_session(DISPLAY_SESSION);
        assert_eq!(locked.recv_timeout(QUIET), Err(mpsc::RecvTimeoutError::Timeout), "another session's lock locks nothing");
        logind.lock_session(OUR_SESSION);
        assert_eq!(locked.recv_timeout(WAIT), Ok(Cause::Screen));
    }

    /// An app started by the user's service manager belongs to no session: the user's
    /// graphical session is the one watched.
    #[test]
    fn outside_any_session_the_users_graphical_session_is_watched() {
        let bus = Bus::start();
        let logind = Logind::start(&bus, None);
        let (on_lock, locked) = recorder();
        let watching = watch(Buses { system: Some(bus.connect()), session: None }, on_lock);
        assert!(watching.session_lock);
        logind.lock_session(OTHER_SESSION);
        logind.lock_session(DISPLAY_SESSION);
        assert_eq!(locked.recv_timeout(WAIT), Ok(Cause::Screen));
        assert_eq!(locked.recv_timeout(QUIET), Err(mpsc::RecvTimeoutError::Timeout));
    }

    #[test]
    fn the_screensaver_coming_on_locks_the_vault() {
        let bus = Bus::start();
        let (on_lock, locked) = recorder();
        let watching = watch(Buses { system: None, session: Some(bus.connect()) }, on_lock);
        assert_eq!(watching, Watching { screensaver: true, ..Watching::default() });
        let screensaver = bus.connect();
        let active_changed = |path: &str, interface: &str, active: bool| {
            screensaver.emit_signal(None::<&str>, path, interface, "ActiveChanged", &(active,)).unwrap();
        };
        for (path, interface) in [
            ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
            ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
            ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
        ] {
            // Same connection, so in this order: a lock on the first two would come first.
            active_changed(path, interface, false);
            active_changed(path, "org.example.Player", true);
            active_changed(path, interface, true);
            assert_eq!(locked.recv_timeout(WAIT), Ok(Cause::Screen), "{interface} at {path}");
        }
        assert_eq!(locked.recv_timeout(QUIET), Err(mpsc::RecvTimeoutError::Timeout), "nothing else locked");
    }

    /// logind started after the app (or restarted): its signals are still followed.
    #[test]
    fn a_bus_without_logind_is_watched_for_when_it_comes() {
        let bus = Bus::start();
        let (on_lock, locked) = recorder();
        let watching = watch(Buses { system: Some(bus.connect()), session: None }, on_lock);
        assert_eq!(watching, Watching { sleep: true, ..Watching::default() }, "no inhibitor, no session without logind");
        let logind = Logind::start(&bus, Some(OUR_SESSION));
        logind.prepare_for_sleep(true);
        assert_eq!(locked.recv_timeout(WAIT), Ok(Cause::Sleep));
    }

    /// No bus at all (a container, a CI machine): nothing watched, nothing fails.
    #[test]
    fn without_a_bus_nothing_is_watched() {
        let watching = watch(Buses { system: None, session: None }, |_| panic!("nothing can lock"));
        assert!(watching.nothing());
        let dir = tempfile::tempdir().unwrap();
        let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
        assert!(zbus::blocking::connection::Builder::address(nowhere.as_str()).unwrap().build().is_err());
    }

    #[test]
    fn the_page_is_told_why() {
        assert_eq!(Cause::Sleep.event(), "sleep");
        assert_eq!(Cause::Screen.event(), "screen");
    }
}
