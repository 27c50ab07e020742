//! Golden tests of the CLI: messages (French and English) and `--json` shapes. Ids, the
//! instants the clock stamps and today's date are replaced by placeholders; every date the
//! script types is in 2030–2031, so it can never be mistaken for the day the test runs. To accept a deliberate change: `SNAPSHOTS=overwrite cargo test
//! -p relais-cli --test golden`, then review the diff of `tests/golden/`. The `relais` run is the one
//! cargo builds for this test (`CARGO_BIN_EXE_relais`).

use regex::Regex;
use relais_tests::TestVault;

struct Transcript {
    tv: TestVault,
    text: String,
    /// Other paths to hide (another vault's temp dir).
    hide: Vec<String>,
    /// Every local date seen while the script ran: a run that crosses midnight stamps two.
    days: std::collections::BTreeSet<String>,
}

/// Today in the children's zone (TestVault::cmd sets it), whatever this process's zone is.
fn local_today() -> String {
    let date = std::process::Command::new("date").env("TZ", "America/Toronto").arg("+%F").output().unwrap();
    String::from_utf8(date.stdout).unwrap().trim().to_owned()
}

impl Transcript {
    fn run(&mut self, args: &[&str]) -> String {
        let out = self.tv.run(args);
        self.record(args, out)
    }

    fn record(&mut self, args: &[&str], out: std::process::Output) -> String {
        // The command ran before this call: the date after it bounds the dates it stamped,
        // and the one before the first command is taken when the transcript is made.
        self.days.insert(local_today());
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        self.text.push_str(&format!("$ relais {}\n", args.join(" ")));
        self.text.push_str(&stdout);
        if !stderr.is_empty() {
            self.text.push_str(&format!("[stderr] {stderr}"));
        }
        self.text.push_str(&format!("[exit {}]\n\n", out.status.code().unwrap_or(-1)));
        stdout.trim().to_owned()
    }

    fn redacted(&self) -> String {
        let id = Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
        let vault = self.tv.dir.display().to_string();
        // Instants stamped by the clock (creation time) vary; dates typed in the script do not.
        let stamp = Regex::new(r#""(created_at|updated_at|generated_at)": "[^"]+""#).unwrap();
        let s = id.replace_all(&self.text, "[ID]");
        let s = stamp.replace_all(&s, r#""$1": "[NOW]""#);
        // Defaults and history stamp today's date (and time): replace them, in local time.
        let days = self.days.iter().cloned().collect::<Vec<_>>().join("|");
        let today_re = Regex::new(&format!(r"({days})([ T]\d\d:\d\d(:\d\dZ?)?)?")).unwrap();
        let s = today_re.replace_all(&s, "[TODAY]");
        // The same days in words (« 2 décembre 2026 à 10 h 44 », "December 2, 2026 at 10:44 a.m.").
        let words: Vec<String> = self
            .days
            .iter()
            .filter_map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .flat_map(|d| [relais_core::Lang::Fr, relais_core::Lang::En].map(|l| regex::escape(&relais_core::time::long_date(d, l))))
            .collect();
        let today_words =
            Regex::new(&format!(r"({})(( à \d+\u{{a0}}h(\u{{a0}}\d\d)?)|( at \d+:\d\d\u{{a0}}[ap]\.m\.))?", words.join("|"))).unwrap();
        let s = today_words.replace_all(&s, "[TODAY]");
        let fp = Regex::new(r"[0-9A-F]{4}(-[0-9A-F]{4}){4}").unwrap();
        let age = Regex::new(r"age1[0-9a-z]{58}").unwrap();
        let key = Regex::new(r"\b[0-9a-f]{64}\b").unwrap();
        let s = fp.replace_all(&s, "[FINGERPRINT]");
        let s = age.replace_all(&s, "[AGE-RECIPIENT]");
        let s = key.replace_all(&s, "[KEY]");
        let mut s = s.replace(&vault, "[VAULT]").replace(&self.tv.tmp.path().display().to_string(), "[TMP]");
        for h in &self.hide {
            s = s.replace(h, "[OTHER]");
        }
        s
    }
}

#[test]
fn cli_transcript() {
    let mut t = Transcript {
        tv: TestVault::empty().with_bin(env!("CARGO_BIN_EXE_relais")),
        text: String::new(),
        hide: Vec::new(),
        days: [local_today()].into(),
    };
    t.run(&["init", "--name", "Marie Tremblay", "--org", "CATHII"]);
    t.run(&[
        "person",
        "add",
        "--alias",
        "Colibri",
        "--birth-date",
        "2013-03-14",
        "--origin",
        "international",
        "--intake-at",
        "2030-12-02T10:00",
        "--languages",
        "espagnol, français",
    ]);
    t.run(&["--json", "person", "add", "--alias", "Aurore", "--intake-at", "2030-11-02T09:00"]);
    t.run(&["person", "add", "--alias", "Zinnia", "--birth-date", "14/03/2013"]);
    t.run(&["person", "list"]);
    t.run(&["--json", "person", "list"]);
    // A page of the list, as the app's caseload reads it; then past the end.
    t.run(&["person", "list", "--offset", "1", "--limit", "1"]);
    t.run(&["--json", "person", "list", "--status", "active", "--status", "closed", "--limit", "1"]);
    t.run(&["--lang", "en", "person", "list", "--offset", "5"]);
    t.run(&["need", "add", "Colibri", "interpretation"]);
    t.run(&["need", "add", "Aurore", "interpretation"]);
    t.run(&["need", "add", "Aurore", "logement"]);
    let need = t.run(&["need", "add", "Aurore", "housing_emergency", "--status", "unmet"]);
    t.run(&["need", "set", &need, "--status", "unmet"]);
    t.run(&[
        "org",
        "add",
        "Maison L'Escale",
        "--kind",
        "shelter",
        "--open-24-7",
        "oui",
        "--needs",
        "housing_emergency",
        "--region",
        "Montréal",
    ]);
    t.run(&["--json", "org", "list"]);
    t.run(&["org", "edit", "Maison L'Escale", "--phone", "514 555-0142"]);
    // No consent names the shelter yet (the one below starts in 2030): refused, then by override.
    t.run(&["referral", "add", "Colibri", "--org", "Maison L'Escale", "--follow-up", "2030-12-01", "--amount", "120,50"]);
    t.run(&["--lang", "en", "referral", "add", "Colibri", "--org", "Maison L'Escale"]);
    t.run(&[
        "referral",
        "add",
        "Colibri",
        "--org",
        "Maison L'Escale",
        "--follow-up",
        "2030-12-01",
        "--amount",
        "120,50",
        "--override-reason",
        "Hébergement d'urgence le soir même",
    ]);
    t.run(&["referral", "add", "Colibri", "--org", "Inconnu"]);
    t.run(&["appointment", "add", "Colibri", "--at", "2030-12-03T14:00", "--end", "2030-12-03T13:00", "--kind", "health"]);
    t.run(&["appointment", "add", "Colibri", "--at", "2030-12-03T14:00", "--kind", "health", "--accompanied", "oui"]);
    let proc_id = t.run(&["court", "add", "Colibri", "--role", "complainant", "--district", "Montréal"]);
    t.run(&["milestone", "add", &proc_id, "trial", "--due", "2030-12-20"]);
    t.run(&["aid", "add", &proc_id, "s486_2"]);
    t.run(&["deadline", "add", "Colibri", "trp_expiry", "--due", "2031-01-15"]);
    t.run(&["note", "add", "Colibri", "--text", "Rencontre au CLSC, suivi IVAC à prévoir", "--at", "2030-12-02T11:00"]);
    t.run(&[
        "consent",
        "add",
        "Colibri",
        "--scope",
        "Référence hébergement",
        "--method",
        "written",
        "--org",
        "Maison L'Escale",
        "--from",
        "2030-12-02",
    ]);
    t.run(&["safety", "add", "Colibri", "--text", "Mot code convenu", "--review", "2031-01-10"]);
    t.run(&["task", "add", "Colibri", "--title", "Appeler l'avocate", "--due", "2030-12-01"]);
    // The first 72 hours: Colibri's immediate needs, the one recorded assessed.
    t.run(&["person", "checklist", "Colibri", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["search", "ivac"]);
    t.run(&["dashboard", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["--json", "dashboard", "--now", "2030-12-03T09:00:00-05:00"]);
    // The week calendar of the app, with the safe-contact flags beside each appointment.
    t.run(&["week", "--day", "2030-12-04", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["--lang", "en", "week", "--day", "2030-12-04", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["--json", "week", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["week", "--day", "2030-12-04", "--per-day", "1", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["--json", "week", "--day", "2030-12-04", "--per-day", "1", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["week", "--day", "2030-12-11"]);
    t.run(&["week", "--day", "2030-13-45"]);
    // Intake, risk and self-identification: catalogue codes, labels in the file, bad codes refused.
    t.run(&["person", "edit", "Colibri", "--risk-level", "extreme"]);
    t.run(&[
        "person",
        "edit",
        "Colibri",
        "--notice-given-on",
        "2030-12-02",
        "--consent-by",
        "parent",
        "--dpj-reported-on",
        "2030-12-02",
        "--risk-level",
        "high",
        "--risk-reviewed-on",
        "2030-12-02",
        "--no-contact-order",
        "oui",
        "--protection-until",
        "2031-06-30",
        "--gender",
        "no_answer",
        "--interpreter-outside-community",
        "oui",
    ]);
    // She asked for an interpreter from outside her community: refused until checked.
    t.run(&[
        "appointment",
        "add",
        "Colibri",
        "--at",
        "2030-12-05T10:00",
        "--kind",
        "legal",
        "--interpreter",
        "espagnol",
        "--interpreter-needed",
        "oui",
    ]);
    t.run(&[
        "appointment",
        "add",
        "Colibri",
        "--at",
        "2030-12-05T10:00",
        "--kind",
        "legal",
        "--interpreter",
        "espagnol",
        "--interpreter-needed",
        "oui",
        "--interpreter-provider",
        "Banque interrégionale d'interprètes",
        "--interpreter-outside-confirmed",
        "oui",
    ]);
    // The week shows the interpreter to expect, and from whom.
    t.run(&["week", "--day", "2030-12-05", "--now", "2030-12-03T09:00:00-05:00"]);
    // Only how many each day holds (the window asks for a few and the count).
    t.run(&["week", "--day", "2030-12-05", "--per-day", "0", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["--lang", "en", "week", "--day", "2030-12-05", "--per-day", "0", "--now", "2030-12-03T09:00:00-05:00"]);
    // Time and money: durations as workers write them, amounts in dollars, totals in the file.
    t.run(&["note", "add", "Colibri", "--text", "Appel de suivi", "--kind", "phone", "--at", "2030-12-04T09:00", "--minutes", "1 h 30"]);
    t.run(&["note", "add", "Colibri", "--text", "Trop long", "--at", "2030-12-04T09:00", "--minutes", "25 h"]);
    t.run(&[
        "appointment",
        "add",
        "Colibri",
        "--at",
        "2030-12-06T09:00",
        "--kind",
        "court",
        "--accompanied",
        "oui",
        "--accompaniment-time",
        "3 h 15",
    ]);
    t.run(&["expense", "add", "Colibri", "--amount", "120,50", "--fund", "emergency", "--category", "bus_ticket", "--on", "2030-12-04"]);
    t.run(&["expense", "add", "Colibri", "--amount", "1 200 $", "--fund", "program", "--category", "lodging", "--on", "2030-12-05"]);
    t.run(&["expense", "add", "Colibri", "--amount=-5", "--fund", "emergency", "--category", "taxi"]);
    t.run(&["expense", "add", "Colibri", "--amount", "12", "--fund", "piggy_bank", "--category", "taxi"]);
    t.run(&["person", "close", "Aurore", "--reason", "other"]);
    t.run(&["person", "close", "Aurore", "--reason", "lost_contact"]);
    t.run(&["person", "show", "Colibri"]);
    t.run(&["--lang", "en", "person", "show", "Colibri"]);
    t.run(&["audit", "verify"]);
    t.run(&["--lang", "en", "need", "add", "Aurore", "logement"]);
    t.run(&["--lang", "en", "person", "add", "--alias", "Zinnia", "--birth-date", "14/03/2013"]);
    t.run(&["--lang", "en", "dashboard", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["--lang", "en", "audit", "verify"]);
    t.run(&["--json", "need", "add", "Nobody", "information"]);
    // Retention and destruction: not under the retention policy while open; the typed
    // confirmation must repeat the alias exactly; then one event remains, the chain verifies.
    t.run(&["retention", "case", "Aurore", "--until", "2031-06-30"]);
    t.run(&["retention", "case", "Aurore", "--until", "2031-06-30", "--reason", "Procès en appel"]);
    t.run(&["retention", "show"]);
    t.run(&["person", "destroy", "Colibri", "--policy", "retention", "--confirm", "Colibri"]);
    t.run(&["person", "destroy", "Colibri", "--policy", "request", "--confirm", "colibri"]);
    t.run(&["person", "destroy", "Colibri", "--policy", "request", "--confirm", "Colibri"]);
    t.run(&["person", "show", "Colibri"]);
    t.run(&["audit", "verify"]);
    t.run(&["trash", "list"]);
    // A closed case reopens with a reason only; its retention stops.
    t.run(&["person", "edit", "Aurore", "--status", "active"]);
    t.run(&["person", "reopen", "Aurore", "--reason", " "]);
    t.run(&["person", "reopen", "Aurore", "--reason", "Nouvelle plainte déposée"]);
    t.run(&["person", "reopen", "Aurore", "--reason", "Encore"]);
    t.run(&["retention", "show"]);
    // A day holding more than the window draws: its rest counted under it.
    t.run(&["appointment", "add", "Aurore", "--at", "2030-12-10T09:00", "--kind", "health"]);
    t.run(&["appointment", "add", "Aurore", "--at", "2030-12-10T11:00", "--kind", "legal"]);
    t.run(&["week", "--day", "2030-12-10", "--per-day", "1", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["--lang", "en", "week", "--day", "2030-12-10", "--per-day", "1", "--now", "2030-12-03T09:00:00-05:00"]);
    t.run(&["person", "frobnicate"]);
    snapbox::assert_data_eq!(t.redacted(), snapbox::file!["golden/cli.txt"].raw());
}

#[test]
fn cli_transcript_bundles() {
    let mut a = Transcript {
        tv: TestVault::empty().with_bin(env!("CARGO_BIN_EXE_relais")),
        text: String::new(),
        hide: Vec::new(),
        days: [local_today()].into(),
    };
    let b = TestVault::empty().with_bin(env!("CARGO_BIN_EXE_relais"));
    a.hide.push(b.tmp.path().display().to_string());
    let dir = a.tv.tmp.path().to_owned();
    let p = |name: &str| dir.join(name).display().to_string();
    // Commands on B are run through B's vault but recorded in the same transcript.
    let on_b = |a: &mut Transcript, args: &[&str]| -> String {
        let out = b.run(args);
        let mut shown = vec!["[B]"];
        shown.extend_from_slice(args);
        a.record(&shown, out)
    };
    a.run(&["init", "--name", "Marie"]);
    on_b(&mut a, &["init", "--name", "Jean"]);
    a.run(&["person", "add", "--alias", "Colibri", "--intake-at", "2030-11-02T10:00"]);
    a.run(&["note", "add", "Colibri", "--text", "Première rencontre", "--at", "2030-11-02T11:00"]);
    a.run(&["identity", "show"]);
    std::fs::write(dir.join("jean.card"), on_b(&mut a, &["identity", "card"])).unwrap();
    std::fs::write(dir.join("marie.card"), a.run(&["identity", "card"])).unwrap();
    a.run(&["contact", "import-card", &p("jean.card")]);
    a.run(&["contact", "import-card", &p("jean.card")]);
    a.run(&["contact", "list"]);
    // A case goes only to a contact whose fingerprint was checked.
    a.run(&["export", "--to", "Jean", "--person", "Colibri", "-o", &p("partage.relais")]);
    a.run(&["contact", "verify", "Jean"]);
    // A share needs Colibri's consent naming Jean.
    a.run(&["export", "--to", "Jean", "--person", "Colibri", "-o", &p("partage.relais")]);
    a.run(&[
        "consent",
        "add",
        "Colibri",
        "--scope",
        "Suivi du dossier",
        "--recipient",
        "Jean",
        "--method",
        "verbal",
        "--from",
        "2025-01-01",
    ]);
    a.run(&["export", "--to", "Jean", "--person", "Colibri", "-o", &p("partage.relais")]);
    on_b(&mut a, &["import", &p("partage.relais")]);
    on_b(&mut a, &["contact", "import-card", &p("marie.card")]);
    on_b(&mut a, &["import", &p("partage.relais")]);
    on_b(&mut a, &["contact", "verify", "Marie"]);
    on_b(&mut a, &["import", "--dry-run", &p("partage.relais")]);
    on_b(&mut a, &["import", &p("partage.relais")]);
    on_b(&mut a, &["--json", "import", &p("partage.relais")]);
    a.run(&["export", "--to", "Jean", "--person", "Colibri", "--transfer", "--armor", "-o", &p("transfert.relais")]);
    a.run(&["person", "list"]);
    a.run(&["note", "add", "Colibri", "--text", "Trop tard"]);
    on_b(&mut a, &["import", &p("transfert.relais")]);
    // Each side's history names the other from its own contact book.
    on_b(&mut a, &["person", "show", "Colibri"]);
    on_b(&mut a, &["receipt", "-o", &p("accuse.relais")]);
    a.run(&["purge-handed-off"]);
    a.run(&["import", &p("accuse.relais")]);
    a.run(&["person", "show", "Colibri"]);
    a.run(&["purge-handed-off"]);
    a.run(&["person", "list"]);
    let bytes = std::fs::read(dir.join("partage.relais")).unwrap();
    std::fs::write(dir.join("coupe.relais"), &bytes[..40]).unwrap();
    on_b(&mut a, &["import", &p("coupe.relais")]);
    on_b(&mut a, &["--lang", "en", "import", &p("coupe.relais")]);
    std::fs::write(dir.join("texte.relais"), "bonjour").unwrap();
    on_b(&mut a, &["--lang", "en", "import", &p("texte.relais")]);
    // A file that is not there, or a folder: the cause in words, not the system's English.
    on_b(&mut a, &["import", &p("absent.relais")]);
    on_b(&mut a, &["--lang", "en", "import", &p("absent.relais")]);
    on_b(&mut a, &["import", "--dry-run", &dir.display().to_string()]);
    on_b(&mut a, &["conflicts", "list"]);
    on_b(&mut a, &["audit", "verify"]);
    snapbox::assert_data_eq!(a.redacted(), snapbox::file!["golden/cli-bundles.txt"].raw());
}
