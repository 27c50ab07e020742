"""`make bench`, the window (issue 18): a release build of the app driven through WebDriver
(Xvfb + tauri-driver + WebKitWebDriver + selenium, as tests/e2e/e2e.py) on a vault of 10 000
fictional persons, and its idle memory next to a Tauri hello world built the same way.

Usage: ui.py RELEASE_DIR [--md BENCHMARKS.md] [--shots DIR]

RELEASE_DIR holds `relais` (the CLI), `relais-app` (built with the feature `e2e`: under WebDriver
its dialogs point at a directory) and `examples/hello` (src-tauri/examples/hello). With --md, the
tables replace the section « Fenêtre / window » of that file (or are appended to it, after what
tests/benches/vault.rs wrote).

What is timed, each the median of RUNS runs (min–max), all measured INSIDE the page: a script sent
through WebDriver notes `performance.now()`, does what the worker does (clicks the button, or
sends the input events of typing), and a MutationObserver notes when the screen's content is in
the DOM ("DOM"); "frame" is the end of the next animation frame after that, about when it is
painted. No WebDriver round trip is in any figure.

Environment: RELAIS_UI_BENCH_PERSONS (10000), RELAIS_UI_BENCH_RUNS (5), RELAIS_UI_BENCH_IDLE
(seconds idle before a memory reading, 10), RELAIS_UI_BENCH_CACHE: where the prepared vaults are
kept between runs (default ~/.cache/relais/ui-bench, about 1.3 GB; "none": a temp dir). They are
made again when the CLI binary, the size or the day changed (the demo is dated around its day),
which costs about 3 minutes.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

PASS = "lampe rivière carton 7 violon"
OWNER = "Banc d'essai Fenêtre"
COLLEAGUE = "Collègue Banc"
DISPLAY = ":96"
PORT = 4484  # and PORT + 1 for WebKitWebDriver; e2e.py uses 4444 and 4464
PERSONS = int(os.environ.get("RELAIS_UI_BENCH_PERSONS", "10000"))
RUNS = int(os.environ.get("RELAIS_UI_BENCH_RUNS", "5"))
IDLE = float(os.environ.get("RELAIS_UI_BENCH_IDLE", "10"))
BUNDLE_CASES = 1000
FILE_RECORDS = 500
# Cases on a page of the caseload (ui/src/screens/Caseload.svelte).
CASELOAD_PAGE = 100
TARGET_MS = 200
# The vault bench's queries (tests/benches/vault.rs), one per run.
QUERIES = ["IVAC", "palais", "hébergement", "thérapie sommeil", "Colibri 12", "interprète audience", "texto", "urgence"]
# The app's search field waits this long after the last keystroke before searching
# (ui/src/screens/Caseload.svelte, searchSoon).
SEARCH_DEBOUNCE_MS = 120


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --- the vaults, made with the CLI ----------------------------------------------------------------


class Cli:
    def __init__(self, binary):
        self.binary = binary

    def run(self, vault, *args, stdin=None, passphrase=PASS, check=True):
        env = dict(os.environ, RELAIS_VAULT=vault, RELAIS_PASSPHRASE=passphrase, RELAIS_LANG="fr")
        r = subprocess.run([self.binary, *args], env=env, input=stdin, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"relais {' '.join(args[:3])}…: exit {r.returncode}: {r.stderr.strip()[-500:]}")
        return r

    def json(self, vault, *args, **kw):
        return json.loads(self.run(vault, "--json", *args, **kw).stdout)


def prepare(cli, ready):
    """In `ready`: vault/ (PERSONS persons, one of them with about FILE_RECORDS records, and a
    verified colleague), files/bench.relais (BUNDLE_CASES demo cases shared by that colleague) and
    prep.json (what was made)."""
    os.makedirs(ready, exist_ok=True)
    a, b, files = os.path.join(ready, "vault"), os.path.join(ready, "colleague"), os.path.join(ready, "files")
    os.makedirs(files, exist_ok=True)
    t = time.time()
    cli.run(a, "init", "--name", OWNER, "--org", "Relais")
    # A few more than PERSONS: merging some into one person makes the file of FILE_RECORDS.
    extra = 4
    log(f"prepare: demo of {PERSONS + extra} persons (about 14 s per 1 000)…")
    cli.run(a, "demo", "--persons", str(PERSONS + extra), "--seed", "42")
    persons = cli.json(a, "person", "list")
    big = persons[0]
    count = lambda f: 1 + sum(len(v) for v in f["records"].values())
    records = count(cli.json(a, "person", "show", big["id"]))
    merged = 0
    # Each demo person holds about 100 records: merged until within 5 % of FILE_RECORDS.
    for p in persons[1:]:
        if records >= FILE_RECORDS * 0.95:
            break
        cli.run(a, "person", "merge", big["id"], p["id"], "--confirm", p["alias"])
        records = count(cli.json(a, "person", "show", big["id"]))
        merged += 1
    log(f"prepare: {big['alias']} holds {records} records after {merged} merges")

    cli.run(b, "init", "--name", COLLEAGUE, "--org", "Organisme voisin")
    cli.run(b, "demo", "--persons", str(BUNDLE_CASES), "--seed", "7")
    cli.run(b, "contact", "import-card", "-", stdin=cli.run(a, "identity", "card").stdout)
    cli.run(b, "contact", "verify", OWNER)
    cli.run(a, "contact", "import-card", "-", stdin=cli.run(b, "identity", "card").stdout)
    cli.run(a, "contact", "verify", COLLEAGUE)
    ids = [p["id"] for p in cli.json(b, "person", "list")]
    args = ["export", "--to", OWNER, "--share", "--override-reason", "Banc d'essai", "-o", os.path.join(files, "bench.relais")]
    for i in ids:
        args += ["--person", i]
    cli.run(b, *args)
    shutil.rmtree(b)
    prep = {
        "persons": len(persons) - merged,
        "demo_persons": len(persons),
        "big_alias": big["alias"],
        "big_id": big["id"],
        "big_records": records,
        "bundle_cases": len(ids),
        "bundle_mb": os.path.getsize(os.path.join(files, "bench.relais")) / 1e6,
        "vault_mb": sum(os.path.getsize(os.path.join(a, f)) for f in os.listdir(a)) / 1e6,
        "seconds": time.time() - t,
    }
    with open(os.path.join(ready, "prep.json"), "w") as f:
        json.dump(prep, f)
    log(f"prepare: done in {prep['seconds']:.0f} s")
    return prep


def kdf_ms(cli, vault):
    """The passphrase KDF as the CLI pays it: a command refused for a wrong passphrase (scrypt
    runs in full before the key file says no); median of 3, process start included, after 2
    not counted: right after the vault's 1.2 GB copy, the first took twice as long (its 256 MB
    found no free memory until the copy's page cache was reclaimed)."""
    out = []
    for _ in range(2):
        cli.run(vault, "dashboard", passphrase="pas la bonne phrase de passe", check=False)
    for _ in range(3):
        t = time.perf_counter()
        r = cli.run(vault, "dashboard", passphrase="pas la bonne phrase de passe", check=False)
        out.append((time.perf_counter() - t) * 1000)
        if r.returncode != 3:
            raise RuntimeError(f"a wrong passphrase should exit 3, not {r.returncode}: {r.stderr}")
    return statistics.median(out)


# --- processes and memory -------------------------------------------------------------------------


def descendants(root):
    children = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(p))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def cpu_ms(pid):
    """CPU time (user + system) a process has used so far, in ms; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            x = f.read().rsplit(")", 1)[1].split()
        return (int(x[11]) + int(x[12])) * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0


# The pause before each of the preview's command calls timed after a pause.
PAUSE_S = 3

# How long the CPU used after a screen change is watched.
AFTER_S = 6


def cpu_after_screen_change(w):
    """The CPU the app's processes use in the AFTER_S seconds after a screen change (dashboard →
    hand-off), by process name: what the next click has to share the cores with."""
    w.wait_css(DASH_CSS)
    time.sleep(AFTER_S)
    pids = descendants(w.app_pid())
    before = {p: cpu_ms(p) for p in pids}
    w.js_click("nav-handoff")
    time.sleep(AFTER_S)
    used = {}
    for p in pids:
        used[comm(p)] = used.get(comm(p), 0) + cpu_ms(p) - before[p]
    w.js_click("nav-dashboard")
    return used


def shoot(path):
    """The Xvfb screen (the app's window) as a PNG, through ImageMagick's `import`: WebKitWebDriver's
    screenshot can wait a minute for a rendering update when WebKit draws on the CPU."""
    subprocess.run(["import", "-window", "root", path], env={**os.environ, "DISPLAY": DISPLAY}, check=True, timeout=30)


def renderer(pid):
    """How WebKit draws the app's window, from the app's environment (the app turns the DMA-BUF
    renderer off on a machine without a GPU that can render)."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        env = dict(v.split(b"=", 1) for v in f.read().split(b"\0") if b"=" in v)
    if env.get(b"WEBKIT_DISABLE_DMABUF_RENDERER") == b"1":
        return "on the CPU (`WEBKIT_DISABLE_DMABUF_RENDERER=1`: no DRM render node on this machine)"
    return "through its DMA-BUF renderer"


def page_reporting():
    """This machine's free page reporting (a VM handing the memory its guest freed back to the
    host, in blocks of 2^order pages), as (order, KiB reported so far), or None."""
    base = "/sys/module/page_reporting/parameters"
    try:
        with open(f"{base}/page_reporting_order") as f:
            order = int(f.read())
        with open(f"{base}/reported_kib") as f:
            return order, int(f.read())
    except (OSError, ValueError):
        return None


def reporting_note(res):
    """What the machine's free page reporting did while the previews ran, if it has any."""
    before, after = res.get("reporting_before"), res.get("reporting")
    if not before or not after:
        return ""
    mb = f"{(after[1] - before[1]) / 1024:,.0f}".replace(",", "\u202f")
    return (
        f" This machine is a VM that hands the memory its processes free back to its host (free page reporting, in blocks of "
        f"{4 << before[0] >> 10} MB; {mb} MB while the previews ran): memory handed back and used again is rebuilt by the host "
        "page by page, and the 51 MB a preview decrypts into are new memory each time (compare its command back to back and "
        f"after {PAUSE_S} s idle)."
    )


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def find_exe(root, binary):
    """The process under `root` running `binary`."""
    want = os.path.realpath(binary)
    for pid in descendants(root):
        try:
            if os.path.realpath(f"/proc/{pid}/exe") == want:
                return pid
        except OSError:
            continue
    return None


def available_gb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 / 1024
    return float("inf")


# The app keeps what each statistics screen allocated (gigabytes on 10 000 persons): the runs stop
# before the machine runs out of memory, with fewer runs said in the report.
LOW_MEMORY_GB = 4


def tree_pss(app_pid):
    """PSS of the app and every process under it (WebKit's web and network processes…), in MB,
    by process name, and how many processes mapping WebKit ran outside it (`strangers`)."""
    by = {}
    for pid in descendants(app_pid):
        by[comm(pid)] = by.get(comm(pid), 0) + pss_kb(pid)
    return sum(by.values()) / 1024, {k: v / 1024 for k, v in sorted(by.items(), key=lambda kv: -kv[1])}, len(strangers(app_pid))


def strangers(app_pid):
    """The processes on the machine outside the tree measured that map WebKit's library (another
    webview; WebKitWebDriver does not). PSS splits a shared page between every process that maps
    it: each figure here comes out lower, the libraries' part more than the app's own, and the
    ratio to the hello world higher (the hello world measured alone: 199 MB; while another one
    ran: 136 MB)."""
    mine = set(descendants(app_pid))

    def maps_webkit(pid):
        try:
            with open(f"/proc/{pid}/maps") as f:
                return any("libwebkit2gtk" in line for line in f)
        except OSError:
            return False

    return [pid for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()) if pid not in mine and maps_webkit(pid)]


def wait_webkit(app_pid, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        names = {comm(p) for p in descendants(app_pid)}
        if any("WebProcess" in n or n.startswith("WebKitWeb") for n in names):
            return
        time.sleep(0.2)


def home_env(home, files=None):
    env = dict(os.environ)
    env.update(
        DISPLAY=DISPLAY,
        XDG_DATA_HOME=os.path.join(home, "data"),
        XDG_CONFIG_HOME=os.path.join(home, "config"),
        XDG_CACHE_HOME=os.path.join(home, "cache"),
    )
    for d in ("data", "config", "cache"):
        os.makedirs(os.path.join(home, d), exist_ok=True)
    if files:
        env["RELAIS_E2E_FILES"] = files
    return env


def plain_memory(binary, home):
    """The binary started as a worker starts it (no WebDriver: the webview is incognito), left
    alone IDLE seconds, then its tree's PSS."""
    proc = subprocess.Popen([binary], env=home_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_webkit(proc.pid)
        time.sleep(IDLE)
        if proc.poll() is not None:
            raise RuntimeError(f"{binary} stopped (exit {proc.returncode})")
        return tree_pss(proc.pid)
    finally:
        stop_group(proc)


def stop_group(proc):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(5)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


# --- the window, through WebDriver ----------------------------------------------------------------


def wait_port(port, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


class Window:
    """One app under tauri-driver, one WebDriver session (as e2e.py's App)."""

    def __init__(self, binary, home, files=None):
        self.binary = binary
        # The previous window's driver may still be on its way out: up to 10 s for it to go.
        for p in (PORT, PORT + 1):
            deadline = time.time() + 10
            while True:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", p)) != 0:
                        break
                if time.time() > deadline:
                    raise RuntimeError(f"port {p} is taken: is an earlier run still going?")
                time.sleep(0.2)
        self.driver_proc = subprocess.Popen(
            ["tauri-driver", "--port", str(PORT), "--native-port", str(PORT + 1), "--native-driver", "/usr/bin/WebKitWebDriver"],
            env=home_env(home, files),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_port(PORT)
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {"application": binary})
        for attempt in range(4):
            try:
                self.d = webdriver.Remote(command_executor=f"http://127.0.0.1:{PORT}", options=opts)
                break
            except Exception:
                if attempt == 3:
                    stop_group(self.driver_proc)
                    raise
                time.sleep(2)
        self.d.set_script_timeout(180)
        self.wait = WebDriverWait(self.d, 180)

    def app_pid(self):
        pid = find_exe(self.driver_proc.pid, self.binary)
        if pid is None:
            raise RuntimeError(f"no {self.binary} process under tauri-driver")
        return pid

    def memory(self):
        pid = self.app_pid()
        wait_webkit(pid)
        time.sleep(IDLE)
        return tree_pss(pid)

    def quit(self):
        try:
            self.d.quit()
        except Exception:
            pass
        stop_group(self.driver_proc)

    def el(self, testid):
        return self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]'))

    def present(self, css):
        return self.d.execute_script("return !!document.querySelector(arguments[0])", css)

    def wait_css(self, css):
        self.wait.until(lambda d: self.present(css))

    def unlock(self):
        """Types the passphrase and unlocks (untimed), until the dashboard's content is in."""
        self.el("passphrase").send_keys(PASS)
        self.js_click("unlock")
        self.wait.until(lambda d: self.present(DASH_CSS) or self.present("[data-testid='start-error']"))
        if self.present("[data-testid='start-error']"):
            raise RuntimeError("the app refused to unlock: " + self.d.find_element(By.CSS_SELECTOR, "[data-testid='start-error']").text)

    def js_click(self, testid):
        self.d.execute_script("arguments[0].click()", self.el(testid))

    def timed(self, action, ready, target=None, marks="", left=None, settle=0.5):
        """Times, in the page, from `action` (JS; `target` is arguments[0]) to `ready` (a JS
        expression) holding after a DOM change. `marks`: JS run at each change before `ready` is
        checked, which may note intermediate times in `out` with `mark(name)`. `left`: a CSS
        selector of the screen left; the time it is gone from the page is noted as `left`."""
        if left:
            marks += "if (!document.querySelector(%s)) mark('left');" % json.dumps(left)
        # As a worker looks at a screen before the next click: what the last one still had to do
        # (its other commands, its layout) is not counted in the next.
        time.sleep(settle)
        script = """
const done = arguments[arguments.length - 1];
const target = arguments[0];
const out = {};
let finished = false;
const ready = () => (%s);
if (ready()) { done({error: 'ready before the action'}); return; }
const t0 = performance.now();
const mark = (name) => { if (out[name] === undefined) out[name] = performance.now() - t0; };
let finish = (o) => { if (!finished) { finished = true; done(o); } };
// An error the page shows (class "error": the screens' alerts) stops the timing.
const errors = document.getElementsByClassName('error');
const before = new Set([...errors]);
let seen = false;
const check = () => {
  if (seen) return;
  for (const e of errors) if (!before.has(e) && e.textContent.trim()) { mo.disconnect(); finish({error: 'the page says: ' + e.textContent.trim()}); return; }
  %s
  if (ready()) {
    seen = true;
    mo.disconnect();
    out.dom = performance.now() - t0;
    requestAnimationFrame(() => setTimeout(() => { out.frame = performance.now() - t0; finish(out); }, 0));
    setTimeout(() => finish(out), 10000);
  }
};
const mo = new MutationObserver(check);
mo.observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
setTimeout(() => { mo.disconnect(); finish({error: 'timeout', out}); }, 170000);
%s
""" % (ready, marks, action)
        r = self.d.execute_async_script(script, target)
        if not r or "error" in r:
            raise RuntimeError(f"timing failed: {r} (ready: {ready})")
        return r


CLICK = "target.click();"
# Marks when each command the page invokes was sent (« name> ») and answered (« name< »), the
# first time each, by wrapping the `fetch` that Tauri's IPC goes through (`ipc://localhost/name`;
# its invoke itself cannot be wrapped) until the timing ends: where the time between the click
# and the screen goes (IPC, the core, the page).
WATCH_INVOKE = """
const fetch0 = window.fetch;
window.fetch = async (url, ...rest) => {
  const cmd = String(url).startsWith('ipc:') ? decodeURIComponent(String(url).replace(/^ipc:[/][/][^/]*[/]/, '')) : null;
  if (cmd) mark(cmd + '>');
  try { return await fetch0(url, ...rest); } finally { if (cmd) mark(cmd + '<'); }
};
const finish0 = finish;
finish = (o) => { window.fetch = fetch0; finish0(o); };
"""
CASE_ROWS = "document.querySelector('[data-testid=\"caseload\"] tbody') && document.querySelector('[data-testid=\"caseload\"] tbody').childElementCount >= %d"
DASH_CSS = "[data-testid='unmet-needs']"
DASHBOARD = "!!document.querySelector('[data-testid=\"unmet-needs\"]')"


def bench_window(w, prep, shots):
    """The timings, RUNS each. Returns {measure: [runs]}, each run {dom, frame, …} in ms."""
    res = {k: [] for k in ("unlock", "caseload", "search", "file", "stats", "calendar", "dashboard", "handoff", "preview")}

    # Unlock → dashboard: the unlock button is clicked with the passphrase typed; marked: the
    # unlock command answered (the button enabled again), the app's shell shown, the dashboard's
    # content in.
    unlock_marks = """
const b = document.querySelector('[data-testid="unlock"]');
if (b && b.disabled) out.busy = true;
if (out.busy && b && !b.disabled) mark('command');
if (document.querySelector('[data-testid="nav-dashboard"]')) mark('shell');
"""
    for r in range(RUNS):
        if r:
            w.js_click("lock")
        w.el("unlock-form")
        box = w.el("passphrase")
        box.clear()
        box.send_keys(PASS)
        res["unlock"].append(w.timed(CLICK, DASHBOARD, w.el("unlock"), unlock_marks))
        log(f"  unlock {r + 1}: {res['unlock'][-1]}")
    # The bench clicks from a script (no pointer events): the vault would lock itself after the
    # default 5 minutes without use.
    w.d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI_INTERNALS__.invoke('set_autolock', {minutes: 60}).then(() => done('ok'), (e) => done(String(e)));"
    )

    # The caseload shows a page of CASELOAD_PAGE cases.
    rows = CASE_ROWS % min(prep["persons"], CASELOAD_PAGE)
    big = json.dumps(prep["big_alias"])
    for r in range(RUNS):
        if available_gb() < LOW_MEMORY_GB:
            res["stopped"] = f"screens stopped after {r} runs: {available_gb():.1f} GB of memory left, relais-app holds {tree_pss(w.app_pid())[1].get('relais-app', 0) / 1024:.1f} GB"
            log("  " + res["stopped"])
            break
        w.wait_css("[data-testid='unmet-needs']")
        res["caseload"].append(w.timed(CLICK, rows, w.el("nav-caseload"), left=DASH_CSS))
        if r == 0 and shots:
            shoot(os.path.join(shots, "caseload.png"))
        # A search as the worker types it: one input event per character, 60 ms apart (typing
        # fast, so the field's wait of SEARCH_DEBOUNCE_MS runs once, after the last); timed from
        # the last keystroke to the results in.
        q = QUERIES[r % len(QUERIES)]
        typing = """
const box = document.querySelector('[data-testid="search"]');
const q = %s;
let i = 0;
const key = () => {
  i += 1;
  box.value = q.slice(0, i);
  if (i === q.length) { mark('last_key'); }
  box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: q[i - 1]}));
  if (i < q.length) setTimeout(key, 60);
};
key();
""" % json.dumps(q)
        t = w.timed(typing, "!!document.querySelector('[data-testid=\"search-results\"]')", marks="")
        t["query"] = q
        # From the last keystroke.
        for k in ("dom", "frame"):
            t[k] -= t["last_key"]
        res["search"].append(t)
        # The person file of FILE_RECORDS records, opened from the caseload (whose rows leave the
        # page at the same time).
        link = w.d.execute_script(
            "return [...document.querySelectorAll('[data-testid=\"caseload\"] [data-testid=\"person-link\"]')].find(b => b.textContent === arguments[0])",
            prep["big_alias"],
        )
        res["file"].append(
            w.timed(
                CLICK,
                f"!!document.querySelector('[data-testid=\"overview\"]') && document.querySelector('[data-testid=\"person-alias\"]').textContent === {big}",
                link,
                left="[data-testid='caseload']",
            )
        )
        res["stats"].append(w.timed(CLICK, "!!document.querySelector('[data-testid=\"stats-persons_by_origin\"]')", w.el("nav-stats"), left="[data-testid='overview']"))
        res["calendar"].append(
            w.timed(CLICK, "!!document.querySelector('[data-testid=\"week\"] .appt')", w.el("nav-calendar"), left="[data-testid='stats-persons_by_origin']")
        )
        res["calendar"][-1]["appts"] = w.d.execute_script("return document.querySelectorAll('[data-testid=\"week\"] .appt').length")
        res["calendar"][-1]["week"] = res["calendar"][-1]["appts"] + w.d.execute_script(
            "return [...document.querySelectorAll('[data-testid=\"day-more\"]')].reduce((n, b) => n + Number(b.dataset.more), 0)"
        )
        res["dashboard"].append(w.timed(CLICK, DASHBOARD, w.el("nav-dashboard"), left="[data-testid='week']"))
        log(f"  screens {r + 1}: " + ", ".join(f"{k} {res[k][-1]['dom']:.0f}" for k in ("caseload", "search", "file", "stats", "calendar", "dashboard")))

    # The import preview of the bundle: from the hand-off screen (itself timed: it lists every
    # open case to choose from), « Choisir un fichier » (the dialog points at the bundle under
    # WebDriver) until the preview is shown; then « Annuler ».
    res["reporting_before"] = page_reporting()
    for r in range(RUNS):
        w.wait_css("[data-testid='unmet-needs']")
        res["handoff"].append(w.timed(CLICK, "!!document.querySelector('[data-testid=\"export-recipient\"]')", w.el("nav-handoff"), left=DASH_CSS))
        res["preview"].append(w.timed(WATCH_INVOKE + CLICK, "!!document.querySelector('[data-testid=\"preview\"]')", w.el("choose-bundle"), settle=1.5))
        if r == 0 and shots:
            w.d.execute_script("document.querySelector('[data-testid=\"preview\"]').scrollIntoView()")
            time.sleep(0.5)
            shoot(os.path.join(shots, "import-preview.png"))
        w.d.execute_script(
            "[...document.querySelectorAll('[data-testid=\"preview\"] .actions button')].find(b => !b.dataset.testid).click()"
        )
        w.wait.until(lambda d: not w.present("[data-testid='preview']"))
        w.js_click("nav-dashboard")
        log(f"  hand-off {r + 1}: screen {res['handoff'][-1]['dom']:.0f}, preview {res['preview'][-1]['dom']:.0f}")
    res["reporting"] = page_reporting()
    res["after_change"] = cpu_after_screen_change(w)
    res["renderer"] = renderer(w.app_pid())
    log(f"  CPU in the {AFTER_S} s after a screen change: {res['after_change']}")
    res["commands"] = commands_alone(w, prep)
    return res


INVOKE = """
const done = arguments[arguments.length - 1];
const [cmd, args, n, before] = [arguments[0], arguments[1], arguments[2], arguments[3]];
const invoke = window.__TAURI_INTERNALS__.invoke;
(async () => {
  const times = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (before) await invoke(before[0], before[1]);
    const t = performance.now();
    const r = await invoke(cmd, args);
    times.push(performance.now() - t);
    if (i === 0) size = JSON.stringify(r === undefined ? null : r).length;
    if (cmd === 'open_import') await invoke('cancel_import', {});
  }
  done({times, size});
})().catch((e) => done({error: String((e && (e.code || e.message)) || e)}));
"""


def commands_alone(w, prep):
    """Each screen's command called from the page by itself, as the screen calls it: invoke →
    answer (IPC, the core's work, JSON both ways), no rendering. {measure: (median ms, JSON bytes)}."""
    today = datetime.date.today()
    monday = (today - datetime.timedelta(days=today.weekday())).isoformat()
    pick = ["pick_file", {"args": {"save": False, "title": "bench", "name": "", "ext": "relais"}}]
    calls = {
        "ipc": ("app_info", {}, None),
        "caseload": ("persons", {"statuses": [], "offset": 0, "limit": CASELOAD_PAGE}, None),
        "search": ("search", {"query": "hébergement"}, None),
        "file": ("person_file", {"id": prep["big_id"]}, None),
        "stats": ("stats", {"args": {"from": None, "to": None}}, None),
        "calendar": ("week", {"first": monday, "days": 7, "limit": 25}, None),
        "dashboard": ("dashboard", {}, None),
        "backup_status": ("backup_status", {}, None),
        "missed_reminders": ("missed_reminders", {}, None),
        "conflicts": ("conflicts", {}, None),
        "preview": ("open_import", {"args": {"accept_unverified": False}}, pick),
    }
    out = {}
    for k, (cmd, args, before) in calls.items():
        if k == "stats" and available_gb() < LOW_MEMORY_GB:
            log(f"  command {cmd}: not run, {available_gb():.1f} GB of memory left")
            out[k] = (float("nan"), 0, 0)
            continue
        r = w.d.execute_async_script(INVOKE, cmd, args, 1, before)
        if "error" not in r and r["times"][0] < 5000:
            # Up to 3 in all, or RUNS for the empty round trip; a command of seconds once.
            more = w.d.execute_async_script(INVOKE, cmd, args, (RUNS if k == "ipc" else 3) - 1, before)
            r = more if "error" in more else {"times": r["times"] + more["times"], "size": r["size"]}
        if "error" in r:
            raise RuntimeError(f"invoke {cmd}: {r['error']}")
        out[k] = (statistics.median(r["times"]), r["size"], len(r["times"]))
        log(f"  command {cmd}: {out[k][0]:.0f} ms, {out[k][1] / 1e3:.0f} kB of JSON")
    # The preview's command again, each call after a pause as long as the one before a click
    # of the window's runs: on a VM that hands the memory its guest frees back to the host
    # (free page reporting), the 51 MB the preview decrypts into are then new to the host too.
    paused = []
    for _ in range(3):
        time.sleep(PAUSE_S)
        r = w.d.execute_async_script(INVOKE, "open_import", calls["preview"][1], 1, pick)
        if "error" in r:
            raise RuntimeError(f"invoke open_import: {r['error']}")
        paused += r["times"]
    out["preview_paused"] = (statistics.median(paused), r["size"], len(paused))
    log(f"  command open_import after {PAUSE_S} s idle: {out['preview_paused'][0]:.0f} ms")
    # What a date costs the page: the screens format each with a new Intl.DateTimeFormat
    # (ui/src/lib/format.ts); the same dates through one formatter made once, for comparison.
    out["intl"] = w.d.execute_script("""
const n = 2000, d = new Date('2026-11-20T15:00:00Z');
const opts = {day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit'};
let t = performance.now();
for (let i = 0; i < n; i++) new Intl.DateTimeFormat('fr-CA', opts).format(d);
const fresh = (performance.now() - t) / n;
const f = new Intl.DateTimeFormat('fr-CA', opts);
t = performance.now();
for (let i = 0; i < n; i++) f.format(d);
return [fresh, (performance.now() - t) / n];
""")
    log(f"  a date with a new Intl.DateTimeFormat: {out['intl'][0]:.3f} ms; with one made once: {out['intl'][1]:.4f} ms")
    return out


# --- the report -----------------------------------------------------------------------------------


def ms(x):
    return f"{x:,.0f}".replace(",", "\u202f") + " ms"


def summary(values):
    return statistics.median(values), min(values), max(values)


def row(name, workload, runs, key="dom", target=TARGET_MS, subtract=0.0, extra=""):
    if all("left" in r for r in runs):
        gone = f"the screen left gone after {ms(statistics.median(r['left'] for r in runs))}"
        extra = f"{gone}; {extra}" if extra else gone
    dom = [r[key] - subtract for r in runs]
    frame = [r["frame"] - subtract for r in runs if r.get("frame") is not None]
    med, lo, hi = summary(dom)
    ok = "✓" if med <= target else "✗"
    cell = f"{ms(med)} ({ms(lo)[:-3]}–{ms(hi)}); frame {ms(statistics.median(frame))}" if frame else f"{ms(med)} ({ms(lo)[:-3]}–{ms(hi)})"
    if extra:
        cell += "; " + extra
    return f"| {name} | {workload} | {cell} | ≤ {target} ms {ok} |", med


def invoke_steps(runs):
    """The medians of when the page's commands were sent and answered, from the click: « ; in
    the page: pick_file answered 5 ms, open_import sent 9 ms, answered 260 ms »."""
    names = [k for k in runs[0] if k.endswith(("<", ">"))]
    if not names or not all(all(k in r for k in names) for r in runs):
        return ""
    steps = [f"{k[:-1]} {'sent' if k.endswith('>') else 'answered'} {ms(statistics.median(r[k] for r in runs))}" for k in sorted(names, key=lambda k: statistics.median(r[k] for r in runs))]
    return "; from the click: " + ", ".join(steps)


def report(prep, kdf, res, mem, started):
    p = f"{prep['persons']:,}".replace(",", "\u202f")
    lines = [
        "## Fenêtre / window",
        "",
        "Produced by `make bench` (tests/benches/ui.py): the release build (`--features e2e`) driven through WebDriver "
        "(Xvfb, tauri-driver, WebKitWebDriver); do not edit by hand.",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M UTC}; vault of {p} demo persons ({prep['vault_mb']:.0f} MB), made with the CLI",
        "- Times measured inside the page with `performance.now()`: from the click (or keystroke) dispatched in the page to "
        "the screen's content in the DOM (a MutationObserver); « frame »: to the end of the next animation frame, about when "
        f"it is painted. No WebDriver round trip is counted. Median of {RUNS} runs (min–max).",
        "",
        "| Mesure / measure | Charge / workload | Médiane / median (min–max) | Cible / target |",
        "|---|---|---|---|",
    ]
    u = res["unlock"]
    tot = statistics.median(r["dom"] for r in u)
    cmd = statistics.median(r["command"] for r in u)
    after = statistics.median(r["dom"] - r["command"] for r in u)
    c = res["commands"]

    def alone(k):
        t, size, _n = c[k]
        kb = f"{size / 1e3:,.0f}".replace(",", "\u202f")
        return f"its command alone {ms(t)}, {kb} kB of JSON"

    search_med = statistics.median(r["dom"] for r in res["search"])
    table = [
        row(
            "Déverrouillage → tableau de bord, sans le KDF / unlock → dashboard minus the KDF",
            f"{p} persons; KDF {ms(kdf)} (CLI, refused passphrase) subtracted",
            u,
            subtract=kdf,
            extra=f"in all {ms(tot)}: unlock command {ms(cmd)}, then shell and dashboard {ms(after)}",
        ),
        row("Liste des dossiers / caseload", f"first page of {CASELOAD_PAGE} of {p} cases, from the dashboard", res["caseload"], extra=alone("caseload")),
        row(
            "Recherche en tapant / search as you type",
            f"last keystroke → results, the field's {SEARCH_DEBOUNCE_MS} ms wait included; {len(set(r['query'] for r in res['search']))} queries",
            res["search"],
            extra=f"without the wait {ms(search_med - SEARCH_DEBOUNCE_MS)}; " + alone("search"),
        ),
        row("Dossier d'une personne / person file", f"{prep['big_records']} records, opened from the caseload", res["file"], extra=alone("file")),
        row(
            "Statistiques, première ouverture / statistics, first opening",
            f"{p} persons, from the person file, the first time since the unlock: counted from the vault",
            res["stats"][:1],
        ),
        row(
            "Statistiques / statistics",
            f"{p} persons, from the person file, opened again with nothing changed (the counts kept in memory)",
            res["stats"][1:],
            extra=alone("stats"),
        ),
        row(
            "Calendrier / calendar",
            f"this week ({statistics.median(r['week'] for r in res['calendar']):.0f} appointments, {statistics.median(r['appts'] for r in res['calendar']):.0f} drawn: each day's first, the rest a click away), from the statistics",
            res["calendar"],
            extra=alone("calendar"),
        ),
        row(
            "Tableau de bord / dashboard",
            "from the calendar",
            res["dashboard"],
            extra=alone("dashboard") + f"; with it backup_status {ms(c['backup_status'][0])}, missed_reminders {ms(c['missed_reminders'][0])}",
        ),
        row("Écran des transferts / hand-off screen", f"the open cases to choose from, {CASELOAD_PAGE} a page", res["handoff"]),
        row(
            "Aperçu d'une importation / import preview",
            f"bundle of {prep['bundle_cases']} cases ({prep['bundle_mb']:.0f} MB) from a verified contact",
            res["preview"],
            extra=alone("preview") + f" back to back, {ms(c['preview_paused'][0])} each after {PAUSE_S} s idle" + invoke_steps(res["preview"]),
        ),
    ]
    lines += [t for t, _ in table]
    if res.get("stopped"):
        lines += ["", f"**{res['stopped']}.**"]
    over = [t.split(" | ")[0].lstrip("| ") for t, m in table if m > TARGET_MS]
    lines += [
        "",
        f"Over {TARGET_MS} ms: {', '.join(over) if over else 'none'}. « Its command alone »: the screen's command invoked from the page "
        f"by itself (IPC, the core, JSON both ways; no rendering), median of 3 (once when it takes seconds); an empty round trip "
        f"(`app_info`) takes {ms(c['ipc'][0])}. "
        f"A date formatted as the screens do, with a new `Intl.DateTimeFormat` each: {c['intl'][0]:.3f} ms; "
        f"through one formatter made once: {c['intl'][1]:.4f} ms. "
        f"In the {AFTER_S} s after a screen change (dashboard → hand-off), the app's processes used "
        + ", ".join(f"{n} {ms(t)}" for n, t in sorted(res["after_change"].items(), key=lambda x: -x[1]))
        + f" of CPU: what the next click shares the 2 cores with. WebKit draws {res['renderer']}."
        + reporting_note(res),
        "",
    ]

    lines += [
        "### Mémoire / memory",
        "",
        f"PSS (/proc/PID/smaps_rollup) of the app and every process under it, summed, after {IDLE:.0f} s idle; "
        "the hello world is src-tauri/examples/hello (same tauri crate, features and profile, one window, a page of a few words). "
        "Each alone under the same Xvfb, one after the other.",
        (
            "No other process mapping WebKit ran on the machine while they were measured."
            if not any(m[2] for m in mem.values())
            else "⚠ Other processes mapping WebKit ran on the machine while some were measured (column PSS): they share the libraries' pages, "
            "so those figures are lower and their ratios higher than measured alone."
        ),
        "",
        "| Mesure / measure | Charge / workload | PSS | Rapport / ratio (cible / target ≤ 1.2) |",
        "|---|---|---|---|",
    ]
    hello_plain, hello_wd = mem["hello_plain"][0], mem["hello_webdriver"][0]
    for key, name, load, base in [
        ("hello_plain", "Hello world", "started by itself (incognito webview)", None),
        ("relais_plain", "Relais", "started by itself, unlock screen", hello_plain),
        ("hello_webdriver", "Hello world", "under WebDriver", None),
        ("relais_webdriver_locked", "Relais", "under WebDriver, unlock screen", hello_wd),
        ("relais_webdriver_dashboard", "Relais", f"under WebDriver, dashboard of {p} persons", hello_wd),
        ("relais_webdriver_after", "Relais", f"under WebDriver, dashboard after every screen above (the statistics shown {len(res['stats'])} times, its command called {c['stats'][2]} more)", hello_wd),
    ]:
        total, by, others = mem[key]
        parts = ", ".join(f"{k} {v:.0f}" for k, v in by.items()) + (f"; {others} other processes mapping WebKit running" if others else "")
        ratio = f"{total / base:.2f} {'✓' if total / base <= 1.2 else '✗'}" if base else "—"
        lines.append(f"| {name} | {load} | {total:.0f} MB ({parts}) | {ratio} |")
    lines.append("")
    return "\n".join(lines)


def write_md(path, section):
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    m = re.search(r"^## Fenêtre / window\n", text, re.M)
    if m:
        nxt = re.search(r"^## ", text[m.end():], re.M)
        text = text[: m.start()] + (text[m.end() + nxt.start():] if nxt else "")
    text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# --- the run --------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("release_dir")
    ap.add_argument("--md", help="BENCHMARKS.md to write the section into")
    ap.add_argument("--shots", help="where to save screenshots")
    a = ap.parse_args()
    rel = os.path.abspath(a.release_dir)
    cli, app, hello = Cli(os.path.join(rel, "relais")), os.path.join(rel, "relais-app"), os.path.join(rel, "examples", "hello")
    for b in (cli.binary, app, hello):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: cargo build --release -p relais-cli, then -p relais-app --features relais-app/e2e --bin relais-app --example hello")
    if a.shots:
        os.makedirs(a.shots, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    tmp = tempfile.mkdtemp(prefix="relais-ui-bench-")
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1280x800x24", "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if os.path.exists("/tmp/.X11-unix/X" + DISPLAY[1:]):
                break
            time.sleep(0.1)
        cache = os.environ.get("RELAIS_UI_BENCH_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "relais", "ui-bench"))
        keep = None if cache in ("", "none") else cache
        ready = keep or os.path.join(tmp, "ready")
        with open(cli.binary, "rb") as f:
            key = f"{hashlib.sha256(f.read()).hexdigest()[:16]} {PERSONS} {datetime.date.today()}"
        try:
            prep = json.load(open(os.path.join(ready, "prep.json")))
        except (OSError, ValueError):
            prep = {}
        if keep and prep.get("key") == key:
            prep["reused"] = True
            log(f"prepare: the vaults of {keep} (same CLI, size and day)")
        else:
            shutil.rmtree(ready, ignore_errors=True)
            prep = prepare(cli, ready)
            prep["key"] = key
            with open(os.path.join(ready, "prep.json"), "w") as f:
                json.dump(prep, f)
        home, files = os.path.join(tmp, "home"), os.path.join(tmp, "files")
        vault = os.path.join(home, "data", "ca.relais.desktop", "vault")
        os.makedirs(os.path.dirname(vault))
        copy = shutil.copytree if keep else shutil.move
        copy(os.path.join(ready, "vault"), vault)
        copy(os.path.join(ready, "files"), files)
        kdf = kdf_ms(cli, vault)
        log(f"KDF (CLI, refused passphrase): {kdf:.0f} ms")

        # Import preview by the CLI, for comparison: the core's work without the window.
        t = time.perf_counter()
        cli.run(vault, "import", "--dry-run", os.path.join(files, "bench.relais"))
        prep["cli_preview_ms"] = (time.perf_counter() - t) * 1000
        log(f"CLI import --dry-run (KDF included): {prep['cli_preview_ms']:.0f} ms")

        mem = {}
        log("memory: hello world, then Relais, each started by itself")
        mem["hello_plain"] = plain_memory(hello, os.path.join(tmp, "hello-plain"))
        mem["relais_plain"] = plain_memory(app, home)
        log(f"  {mem['hello_plain'][0]:.0f} MB, {mem['relais_plain'][0]:.0f} MB")

        log("memory: hello world under WebDriver")
        w = Window(hello, os.path.join(tmp, "hello-wd"))
        try:
            w.el("hello")
            mem["hello_webdriver"] = w.memory()
        finally:
            w.quit()
        log(f"  {mem['hello_webdriver'][0]:.0f} MB")

        log("the window: Relais under WebDriver")
        w = Window(app, home, files)
        try:
            w.el("unlock-form")
            mem["relais_webdriver_locked"] = w.memory()
            log(f"  memory, unlock screen: {mem['relais_webdriver_locked'][0]:.0f} MB")
            # On the dashboard after the first unlock, before any other screen was shown.
            w.unlock()
            mem["relais_webdriver_dashboard"] = w.memory()
            log(f"  memory, dashboard after unlock: {mem['relais_webdriver_dashboard'][0]:.0f} MB")
            w.js_click("lock")
            res = bench_window(w, prep, a.shots)
            # Back on the dashboard after every screen, RUNS times each.
            w.wait_css("[data-testid='unmet-needs']")
            mem["relais_webdriver_after"] = w.memory()
            log(f"  memory, dashboard after the screens: {mem['relais_webdriver_after'][0]:.0f} MB")
        except Exception:
            if a.shots:
                shoot(os.path.join(a.shots, "failure.png"))
                log(f"the window at the failure: {os.path.join(a.shots, 'failure.png')}")
            raise
        finally:
            w.quit()
        section = report(prep, kdf, res, mem, started)
        section += (
            f"\n{'Vaults reused from an earlier run of the day, prepared' if prep.get('reused') else 'Prepared'} in {prep['seconds']:.0f} s: `relais demo --persons {prep.get('demo_persons', '')}`, then `relais person merge` of demo persons "
            f"into « {prep['big_alias']} » until {prep['big_records']} records; a colleague's vault of {prep['bundle_cases']} demo cases, "
            "contacts exchanged and verified, `relais export --share`. "
            f"`relais import --dry-run` of the bundle by the CLI: {ms(prep['cli_preview_ms'])}, KDF included.\n"
        )
        print(section)
        with open(os.path.join(tmp, "raw.json"), "w") as f:
            json.dump({"prep": prep, "kdf": kdf, "res": res, "mem": mem}, f)
        if a.shots:
            shutil.copy(os.path.join(tmp, "raw.json"), os.path.join(a.shots, "ui-bench.json"))
        if a.md:
            write_md(a.md, section)
            log(f"written to {a.md}")
    finally:
        xvfb.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
