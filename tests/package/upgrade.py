"""The upgrade test of `make package-test`: last release's package, then this one over it.

1. The previous release's .deb is installed with `dpkg --root` into a throwaway root (its own
   dpkg database; the libraries the programs link come from this machine, which has them since
   it builds Tauri), and its `relais` makes a vault with data (0.1.0's package has no CLI: the
   `relais` built from the same tag stands in for it, tests/package/previous.sh).
2. This version's .deb is installed over it by dpkg (an upgrade, as `apt` would do it). Its
   `relais` opens the vault, migrates it to this version's schema and finds the same data: the
   person's whole file (records, directory, the history as a prefix), the document's bytes, an
   intact audit chain.
3. The reverse: the older `relais` must refuse a vault of a newer schema with UnsupportedVersion
   and a clear message, and leave every file byte for byte. When this version has the same
   schema as the previous one (0.2.0 added no migration), its vault is still readable by the
   older one, which is checked instead, and the vault is then stamped with the next schema
   number, as the next migration would (a row in schema_migrations and user_version), to stand
   for a vault of the next release. The schema is read and stamped from outside Relais: the
   database key is decrypted from vault.recovery.age with Debian's `age` and the organisation's
   recovery identity, the database opened with SQLCipher from PyPI (sqlcipher3).

usage: upgrade.py --releases DIR --version X.Y.Z --deb NEW.deb
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlcipher3

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "colibri mauve au bord du fleuve 42"


def fail(msg):
    print(f"ÉCHEC / FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def step(msg):
    print(f"-- {msg}", flush=True)


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def must(cmd, **kw):
    r = run(cmd, **kw)
    check(r.returncode == 0, f"{' '.join(map(str, cmd))}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def previous_release(releases, current):
    """The newest release directory older than `current` (tests/package/previous.sh made it)."""
    def key(v):
        return tuple(int(x) for x in v.split("."))
    done = [d.name for d in releases.iterdir() if (d / "ok").exists() and re.fullmatch(r"\d+\.\d+\.\d+", d.name)]
    older = sorted((v for v in done if key(v) < key(current)), key=key)
    check(older, f"no previous release in {releases}: tests/package/previous.sh")
    return releases / older[-1]


class Root:
    """A throwaway root with its own dpkg database."""

    def __init__(self, path):
        self.path = path
        for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"):
            (path / d).mkdir(parents=True)
        for f in ("status", "available"):
            (path / "var/lib/dpkg" / f).touch()

    def install(self, deb):
        # --force-depends: the root has no webkit of its own in its database; the programs run
        # with this machine's libraries.
        flags = ["--force-depends"] + (["--force-not-root"] if os.getuid() != 0 else [])
        must(["dpkg", f"--root={self.path}", *flags, "-i", deb])

    def version(self, package):
        return must(["dpkg-query", f"--root={self.path}", "-W", "-f=${Version}", package]).strip()


class Cli:
    def __init__(self, binary, env):
        self.binary, self.env = binary, env

    def run(self, *args, stdin=None):
        return run([self.binary, *args], env=self.env, input=stdin)

    def ok(self, *args, stdin=None):
        r = self.run(*args, stdin=stdin)
        check(r.returncode == 0, f"{self.binary} {' '.join(map(str, args))}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout

    def json(self, *args):
        return json.loads(self.ok("--json", *args))


def db_key(vault, identity):
    key = subprocess.run(["age", "-d", "-i", identity, vault / "vault.recovery.age"], capture_output=True, check=True).stdout
    check(len(key) == 32, f"the recovery file holds {len(key)} bytes, not a 32-byte key")
    return key.hex()


def open_db(vault, identity):
    con = sqlcipher3.connect(str(vault / "vault.db"), isolation_level=None)
    con.execute(f"PRAGMA key = \"x'{db_key(vault, identity)}'\"")
    return con


def schema(vault, identity):
    """(newest migration recorded, user_version) of the vault, read without Relais."""
    con = open_db(vault, identity)
    try:
        row = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        return row, con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def stamp_next(vault, identity, version):
    """What the next release's migration would record, without its SQL."""
    con = open_db(vault, identity)
    try:
        con.execute("BEGIN IMMEDIATE")
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        con.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, "next_release", now))
        con.execute(f"PRAGMA user_version = {version}")
        con.execute("COMMIT")
    finally:
        con.close()


def this_schema():
    """The schema this checkout's core migrates to: the number of MIGRATIONS in store.rs."""
    src = (REPO / "crates/relais-core/src/vault/store.rs").read_text()
    body = src.split("pub const MIGRATIONS", 1)[1].split("];", 1)[0]
    return len(re.findall(r'^\s*\((\d+), "', body, re.M))


def digest(tree):
    """Every file under `tree`, by relative path: its sha256."""
    return {str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(tree.rglob("*")) if p.is_file()}


def person_file(cli, out):
    cli.ok("export-person", "Colibri", "-o", out)
    return json.loads(Path(out).read_text())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--releases", type=Path, required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--deb", type=Path, required=True)
    a = ap.parse_args()

    prev = previous_release(a.releases, a.version)
    old_version = prev.name
    old_debs = list(prev.glob("*.deb"))
    check(len(old_debs) == 1, f"{prev}: not one .deb")
    package = must(["dpkg-deb", "-f", a.deb, "Package"]).strip()
    check(must(["dpkg-deb", "-f", old_debs[0], "Package"]).strip() == package, "the two packages have different names")
    print(f"== Mise à niveau / upgrade {old_version} → {a.version} ({package})")

    tmp = Path(tempfile.mkdtemp(prefix="relais-upgrade-"))
    try:
        root = Root(tmp / "root")
        home = tmp / "home"
        home.mkdir()
        data = tmp / "data"
        data.mkdir()
        vault = data / "vault"
        env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8", "TZ": "America/Toronto",
               "RELAIS_VAULT": str(vault), "RELAIS_PASSPHRASE": PASSPHRASE,
               "RELAIS_NEW_PASSPHRASE": PASSPHRASE, "RELAIS_LANG": "fr"}

        step(f"{old_version} installé dans une racine jetable / installed into a throwaway root")
        root.install(old_debs[0])
        check(root.version(package) == old_version, f"dpkg says {root.version(package)}")
        app = root.path / "usr/bin/relais-app"
        check(app.exists(), "the old package has no usr/bin/relais-app")
        old_app = hashlib.sha256(app.read_bytes()).hexdigest()
        old_cli = root.path / "usr/bin/relais"
        if not old_cli.exists():
            old_cli = prev / "relais"
            print(f"   (le paquet {old_version} n'a pas de CLI / has no CLI: {old_cli}, built from the same tag)")
        old = Cli(old_cli, env)
        check(old.ok("--version").strip() == f"relais {old_version}", "the old CLI is not the old version")

        step(f"un coffre avec des données, par / a vault with data, by {old_version}")
        identity = tmp / "organisme.txt"
        must(["age-keygen", "-o", identity])
        recipient = must(["age-keygen", "-y", identity]).strip()
        old.ok("init", "--name", "Marie Tremblay", "--org", "CATHII", "--recovery-recipient", recipient)
        old.ok("person", "add", "--alias", "Colibri", "--birth-date", "2009-03-14", "--origin", "international")
        old.ok("need", "add", "Colibri", "housing_emergency", "--status", "unmet")
        old.ok("appointment", "add", "Colibri", "--at", "2026-12-03T14:00", "--kind", "health", "--accompanied", "oui")
        old.ok("org", "add", "Maison L'Escale", "--kind", "shelter", "--open-24-7", "oui", "--needs", "housing_emergency")
        old.ok("consent", "add", "Colibri", "--scope", "Référence hébergement", "--org", "Maison L'Escale", "--method", "written")
        old.ok("referral", "add", "Colibri", "--org", "Maison L'Escale", "--follow-up", "2026-12-10", "--amount", "120,50")
        old.ok("note", "add", "Colibri", "--text", "-", stdin="Rencontre au CAVAC : « tout va bien », dit-elle.\n")
        old.ok("task", "add", "Colibri", "--title", "Appeler l'IVAC", "--due", "2026-12-15")
        scan = tmp / "scan.pdf"
        scan.write_bytes(b"%PDF-1.4\n% Relais upgrade test\n" + os.urandom(4096) + b"\n%%EOF\n")
        doc_id = old.ok("doc", "add", "Colibri", scan, "--title", "Passeport", "--kind", "identity", "--on", "2026-10-30").strip()
        before = person_file(old, tmp / "before.json")
        before_orgs = old.json("org", "list")
        before_audit = old.json("audit", "verify")
        check(before_audit["first_break"] is None, f"the old audit chain is broken: {before_audit}")
        old_schema = schema(vault, identity)
        check(old_schema[0] == old_schema[1], f"the old vault's migrations and user_version differ: {old_schema}")
        n_records = sum(len(v) for v in before["records"].values())
        print(f"   {n_records} enregistrements / records, {before_audit['events']} événements d'audit / audit events, schéma / schema {old_schema[0]}")

        step(f"{a.version} installé par-dessus / installed over it (dpkg -i)")
        root.install(a.deb)
        check(root.version(package) == a.version, f"dpkg says {root.version(package)} after the upgrade")
        check(hashlib.sha256(app.read_bytes()).hexdigest() != old_app, "usr/bin/relais-app was not replaced")
        for f in ("usr/bin/relais", "usr/share/man/man1/relais.1.gz", "usr/share/metainfo/ca.relais.desktop.metainfo.xml"):
            check((root.path / f).exists(), f"{f} missing after the upgrade")
        new = Cli(root.path / "usr/bin/relais", env)
        check(new.ok("--version").strip() == f"relais {a.version}", "usr/bin/relais is not the new version")

        step(f"{a.version} ouvre, migre et garde les données / opens, migrates and keeps the data")
        after = person_file(new, tmp / "after.json")
        new_schema = schema(vault, identity)
        expected = this_schema()
        check(new_schema == (expected, expected), f"the vault is at schema {new_schema}, this version's is {expected}")
        for part in ("person", "records", "directory"):
            check(after[part] == before[part], f"the person's {part} changed across the upgrade")
        check(after["history"][: len(before["history"])] == before["history"], "the person's history changed across the upgrade")
        check(new.json("org", "list") == before_orgs, "the directory changed across the upgrade")
        copy = tmp / "copie.pdf"
        new.ok("doc", "get", doc_id, "-o", copy)
        check(copy.read_bytes() == scan.read_bytes(), "the document's bytes changed across the upgrade")
        audit = new.json("audit", "verify")
        check(audit["first_break"] is None and audit["events"] > before_audit["events"], f"audit after the upgrade: {audit}")
        migrated = "aucune migration / no migration" if new_schema[0] == old_schema[0] else f"{new_schema[0] - old_schema[0]} migration(s)"
        print(f"   schéma / schema {old_schema[0]} → {new_schema[0]} ({migrated}); {n_records} records equal, document equal, audit chain intact ({audit['events']} events)")
        new.ok("note", "add", "Colibri", "--text", "-", stdin=f"Écrite par / written by {a.version}\n")

        step(f"{old_version} devant un coffre plus récent / facing a newer vault")
        if new_schema[0] == old_schema[0]:
            # Same schema: the older version still reads this version's vault; that is the truth
            # of this pair, so it is what is checked, before standing in for the next schema.
            notes = [r["text"] for r in old.json("export-person", "Colibri")["records"].get("note", [])]
            check(any(f"written by {a.version}" in n for n in notes), f"the old version does not read the new note: {notes}")
            stamp = new_schema[0] + 1
            stamp_next(vault, identity, stamp)
            check(schema(vault, identity) == (stamp, stamp), "the stamp did not take")
            print(f"   même schéma / same schema {new_schema[0]}: {old_version} lit le coffre de / reads the vault of {a.version}; "
                  f"coffre marqué schéma / vault stamped schema {stamp} (la prochaine migration / the next migration)")
        vault_schema = schema(vault, identity)[0]
        files = digest(data)
        r = old.run("person", "list")
        check(r.returncode == 1, f"{old_version} did not refuse a schema {vault_schema} vault: exit {r.returncode}\n{r.stdout}{r.stderr}")
        check(re.match(r"Erreur\s:\s", r.stderr) and "version plus récente" in r.stderr and f"schéma {vault_schema}" in r.stderr
              and f"connaît {old_schema[0]}" in r.stderr, f"French message: {r.stderr}")
        fr = r.stderr.strip()
        r = old.run("--lang", "en", "person", "list")
        check(r.returncode == 1 and "newer version of Relais" in r.stderr and f"schema {vault_schema}" in r.stderr, f"English message: {r.stderr}")
        en = r.stderr.strip()
        r = old.run("--json", "person", "list")
        check(r.returncode == 1 and json.loads(r.stderr)["error"]["code"] == "UnsupportedVersion", f"--json: {r.stderr}")
        check(digest(data) == files, "the refused vault's files changed")
        print(f"   {fr}\n   {en}\n   code UnsupportedVersion; {len(files)} fichiers inchangés / files unchanged, octet pour octet / byte for byte")
        print(f"== OK: {old_version} → {a.version}")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
