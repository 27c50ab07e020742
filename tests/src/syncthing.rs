//! Two real Syncthing instances (Debian's `syncthing`) on the loopback interface, each with its
//! own home and a folder they share, paired through their REST API: the sync engine the team
//! folder is tested with. Nothing leaves 127.0.0.1 (discovery, relays, NAT traversal, usage
//! reports, crash reports and upgrades are off); the processes are killed when the pair is
//! dropped, and every wait is bounded.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The folder id both instances share.
const FOLDER: &str = "relais-team";

/// One running instance.
pub struct Instance {
    /// Its home (config, keys, database).
    pub home: PathBuf,
    /// The folder it shares.
    pub folder: PathBuf,
    /// Its device id.
    pub device: String,
    gui: u16,
    listen: u16,
    key: String,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e} (is Debian's syncthing installed? `make test` installs it)"));
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Instance {
    fn new(root: &Path, name: &str) -> Instance {
        let home = root.join(format!("{name}-home"));
        let folder = root.join(format!("{name}-team"));
        std::fs::create_dir_all(&folder).expect("folder");
        run(Command::new("syncthing").arg("generate").arg(format!("--home={}", home.display())).arg("--no-default-folder"));
        let device =
            run(Command::new("syncthing").arg("serve").arg(format!("--home={}", home.display())).arg("--device-id")).trim().to_owned();
        let (gui, listen) = (free_port(), free_port());
        let config = home.join("config.xml");
        let mut xml = std::fs::read_to_string(&config).expect("config.xml");
        let key = xml.split("<apikey>").nth(1).and_then(|s| s.split("</apikey>").next()).expect("apikey").to_owned();
        xml = xml.replacen("<address>127.0.0.1:8384</address>", &format!("<address>127.0.0.1:{gui}</address>"), 1);
        xml = xml.replace("<listenAddress>default</listenAddress>", &format!("<listenAddress>tcp://127.0.0.1:{listen}</listenAddress>"));
        for flag in ["globalAnnounceEnabled", "localAnnounceEnabled", "relaysEnabled", "natEnabled", "crashReportingEnabled"] {
            xml = xml.replace(&format!("<{flag}>true</{flag}>"), &format!("<{flag}>false</{flag}>"));
        }
        xml = xml.replace("<urAccepted>0</urAccepted>", "<urAccepted>-1</urAccepted>");
        xml = xml.replace("<autoUpgradeIntervalH>12</autoUpgradeIntervalH>", "<autoUpgradeIntervalH>0</autoUpgradeIntervalH>");
        assert!(
            xml.contains(&format!("127.0.0.1:{gui}")) && xml.contains(&format!("tcp://127.0.0.1:{listen}")),
            "config.xml not as expected"
        );
        std::fs::write(&config, xml).expect("config.xml");
        let log = std::fs::File::create(root.join(format!("{name}.log"))).expect("log");
        let child = Command::new("syncthing")
            .arg("serve")
            .arg(format!("--home={}", home.display()))
            .args(["--no-browser", "--no-upgrade", "--no-restart"])
            .env("STNOUPGRADE", "1")
            .env("STNODEFAULTFOLDER", "1")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("syncthing serve");
        let mut me = Instance { home, folder, device, gui, listen, key, child: Some(child) };
        let deadline = Instant::now() + Duration::from_secs(30);
        while me.rest("GET", "/rest/system/ping", None).is_err() {
            assert!(Instant::now() < deadline, "syncthing {name} did not answer in 30 s");
            if let Some(status) = me.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("syncthing {name} stopped: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        me
    }

    /// A call to the REST API (through curl, bounded to 10 s).
    pub fn rest(&self, method: &str, path: &str, body: Option<&str>) -> Result<String, String> {
        let mut c = Command::new("curl");
        c.args(["-sS", "-f", "--max-time", "10", "-X", method, "-H"])
            .arg(format!("X-API-Key: {}", self.key))
            .arg(format!("http://127.0.0.1:{}{path}", self.gui));
        if let Some(b) = body {
            c.args(["-H", "Content-Type: application/json", "--data-binary", b]);
        }
        let out = c.output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn ok(&self, method: &str, path: &str, body: &str) {
        if let Err(e) = self.rest(method, path, Some(body)) {
            panic!("{method} {path}: {e}");
        }
    }

    /// Stops (true) or resumes (false) talking to `other`.
    pub fn pause(&self, other: &Instance, paused: bool) {
        self.ok("PATCH", &format!("/rest/config/devices/{}", other.device), &format!(r#"{{"paused":{paused}}}"#));
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Two instances sharing one folder.
pub struct Pair {
    /// The first (a worker's machine, in the tests).
    pub a: Instance,
    /// The second (her supervisor's).
    pub b: Instance,
}

impl Pair {
    /// Starts both under `root` and pairs them on the loopback interface.
    pub fn start(root: &Path) -> Pair {
        let (a, b) = (Instance::new(root, "a"), Instance::new(root, "b"));
        for (me, other) in [(&a, &b), (&b, &a)] {
            me.ok(
                "POST",
                "/rest/config/devices",
                &serde_json::json!({"deviceID": other.device, "name": other.home.file_name().unwrap().to_string_lossy(), "addresses": [format!("tcp://127.0.0.1:{}", other.listen)]}).to_string(),
            );
        }
        for me in [&a, &b] {
            me.ok(
                "PUT",
                &format!("/rest/config/folders/{FOLDER}"),
                &serde_json::json!({
                    "id": FOLDER, "label": "Relais", "path": me.folder, "type": "sendreceive",
                    "devices": [{"deviceID": a.device}, {"deviceID": b.device}],
                    "rescanIntervalS": 1, "fsWatcherEnabled": true, "fsWatcherDelayS": 1
                })
                .to_string(),
            );
        }
        Pair { a, b }
    }
}

/// Waits until `check` holds, at most `limit`; panics with `what` otherwise.
pub fn wait_for(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}
