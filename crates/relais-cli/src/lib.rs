//! `relais`: the command-line tool over the Relais core, for scripting, supervisors, tests and
//! benchmarks. Anything the app does to data, this does through the same core.
//!
//! Exit codes: 0 success, 1 error, 2 usage error, 3 wrong passphrase.
//!
//! A library with one entry point, [`main`], so that the package's one program can be both
//! commands: `relais` (src/main.rs) during development and the tests, and in the `.deb`
//! `/usr/bin/relais`, a link to `relais-app`, which calls [`main`] when started under that name
//! (docs/DESIGN.md, "The package"). [`args`] is public for `relais-docs`.
#![forbid(unsafe_code)]

pub mod args;
mod render;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use relais_core::case::{self, directory, person_file, search};
use relais_core::error::Error as CoreError;
use relais_core::record::{Fields, Kind};
use relais_core::reports::dashboard;
use relais_core::secret::Passphrase;
use relais_core::vault::{Owner, Vault};
use relais_core::{Lang, Store, demo};
use serde_json::{Value, json};

use args::*;

rust_i18n::i18n!("locales", fallback = "fr");

/// Exit code for a wrong passphrase (scripts retry or ask again on it).
const EXIT_WRONG_PASSPHRASE: u8 = 3;

fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    relais_core::lang::finish(rust_i18n::t!(key, locale = lang.code()).into_owned(), lang, args)
}

/// The language asked for before clap has parsed anything (for usage errors).
fn early_lang() -> Lang {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--lang" {
            if let Some(v) = args.next() {
                return v.parse().unwrap_or_default();
            }
        } else if let Some(v) = a.strip_prefix("--lang=") {
            return v.parse().unwrap_or_default();
        }
    }
    std::env::var("RELAIS_LANG").ok().and_then(|v| v.parse().ok()).unwrap_or_default()
}

/// The whole command: parses the process's arguments, runs, and says how it ended.
pub fn main() -> ExitCode {
    relais_core::secret::harden_process();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand)
            {
                let _ = e.print();
                return ExitCode::from(if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { 2 } else { 0 });
            }
            say(&tr(early_lang(), "error.usage", &[]));
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    let lang = cli.lang;
    let json_errors = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (code, message, exit) = match e.downcast_ref::<CoreError>() {
                Some(core) => {
                    let exit = if matches!(core, CoreError::WrongPassphrase) { EXIT_WRONG_PASSPHRASE } else { 1 };
                    (core.code(), core.message(lang), exit)
                }
                None => ("Error", describe(&e, lang), 1),
            };
            if json_errors {
                eprintln!("{}", json!({"error": {"code": code, "message": message}}));
            } else {
                eprintln!("{}{}", tr(lang, "error.prefix", &[]), render::terminal_safe(&message));
            }
            ExitCode::from(exit)
        }
    }
}

/// Prints a message on the standard error, as [`render::terminal_safe`] text.
fn say(text: &str) {
    eprintln!("{}", render::terminal_safe(text));
}

/// An error that is not the core's, in `lang`: each cause after what it explains
/// (« Impossible de lire le fichier X : fichier introuvable »), a file's cause in words
/// ([`relais_core::error::io_reason`]) rather than the system's English text.
fn describe(e: &anyhow::Error, lang: Lang) -> String {
    e.chain()
        .map(|cause| {
            if let Some(core) = cause.downcast_ref::<CoreError>() {
                core.message(lang)
            } else if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                relais_core::error::io_reason(io, lang)
            } else {
                cause.to_string()
            }
        })
        .reduce(|what, why| tr(lang, "error.because", &[("what", &what), ("why", &why)]))
        .unwrap_or_default()
}

struct Ctx {
    lang: Lang,
    json: bool,
    vault_dir: PathBuf,
    passphrase_file: Option<PathBuf>,
}

impl Ctx {
    fn passphrase(&self) -> Result<Passphrase> {
        if let Some(p) = &self.passphrase_file {
            return read_secret_file(self.lang, p);
        }
        if let Ok(p) = std::env::var("RELAIS_PASSPHRASE") {
            return Ok(Passphrase::new(p));
        }
        if std::io::stdin().is_terminal() {
            let p = rpassword::prompt_password(tr(self.lang, "prompt.passphrase", &[]))?;
            return Ok(Passphrase::new(p));
        }
        Err(anyhow!(tr(self.lang, "error.no_passphrase", &[])))
    }

    /// A new passphrase: from a file, the environment, or typed twice on a terminal.
    fn new_passphrase(&self, file: Option<&Path>, env: &str, missing_key: &str) -> Result<Passphrase> {
        if let Some(p) = file {
            return read_secret_file(self.lang, p);
        }
        if let Ok(p) = std::env::var(env) {
            return Ok(Passphrase::new(p));
        }
        if std::io::stdin().is_terminal() {
            let a = rpassword::prompt_password(tr(self.lang, "prompt.new_passphrase", &[]))?;
            let b = rpassword::prompt_password(tr(self.lang, "prompt.repeat_passphrase", &[]))?;
            if a != b {
                return Err(CoreError::PassphraseMismatch.into());
            }
            return Ok(Passphrase::new(a));
        }
        Err(anyhow!(tr(self.lang, missing_key, &[])))
    }

    fn vault(&self) -> Result<Vault> {
        Ok(Vault::open(&self.vault_dir)?)
    }

    fn store(&self) -> Result<Store> {
        let vault = self.vault()?;
        Ok(vault.unlock(&self.passphrase()?)?)
    }

    /// Prints a value as JSON (with `--json`) or runs the human renderer.
    fn out(&self, value: &impl serde::Serialize, human: impl FnOnce() -> String) {
        let text = if self.json { serde_json::to_string_pretty(value).expect("serializable") } else { human() };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", render::terminal_safe(&text));
    }

    fn created(&self, id: &str) {
        self.out(&json!({ "id": id }), || id.to_owned());
    }

    fn updated(&self, kind: Kind, id: &str, changed: &[String]) {
        let kind_label = kind.label(self.lang);
        self.out(&json!({ "id": id, "changed": changed }), || {
            if changed.is_empty() {
                tr(self.lang, "done.unchanged", &[("kind", &kind_label), ("id", id)])
            } else {
                tr(self.lang, "done.updated", &[("kind", &kind_label), ("id", id), ("fields", &render::field_labels(self.lang, changed))])
            }
        });
    }
}

/// Writes `text` atomically to `output` and says so (in `done_key`'s words), or prints it.
fn write_or_print(ctx: &Ctx, output: Option<PathBuf>, bytes: &[u8], done_key: &str) -> Result<()> {
    match output {
        Some(path) => {
            relais_core::vault::write_atomic(&path, bytes)
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &path.display().to_string())]))?;
            say(&tr(ctx.lang, done_key, &[("path", &path.display().to_string())]));
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            if !bytes.ends_with(b"\n") {
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

/// A report's period: `--fiscal-year` (1 April to 31 March), else `--from` / `--to`.
fn period(
    from: Option<&str>,
    to: Option<&str>,
    fiscal_year: Option<i32>,
) -> relais_core::Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> {
    if let Some(y) = fiscal_year {
        let day = chrono::NaiveDate::from_ymd_opt(y, 4, 1)
            .ok_or_else(|| CoreError::invalid("fiscal-year", relais_core::error::Problem::MalformedDate))?;
        let (f, t) = relais_core::reports::stats::fiscal_year(day);
        return Ok((Some(f), Some(t)));
    }
    let date = relais_core::time::parse_optional_date;
    Ok((date("from", from)?, date("to", to)?))
}

/// A published report as asked: PDF, workbook, CSV, JSON or text.
fn write_stats(
    ctx: &Ctx,
    store: &Store,
    stats: &relais_core::reports::stats::Stats,
    format: &args::StatsFormat,
    output: Option<PathBuf>,
) -> Result<()> {
    use relais_core::reports::stats;
    if format.pdf {
        let footer = stats::pdf::printed_by(store, ctx.lang)?;
        return write_or_print(ctx, output, &stats::pdf::pdf(stats, &footer)?, "done.stats");
    }
    if format.xlsx {
        return write_or_print(ctx, output, &stats::xlsx(stats)?, "done.stats");
    }
    let text = if format.csv {
        stats::csv(stats)
    } else if ctx.json {
        serde_json::to_string_pretty(stats)?
    } else {
        render::stats(stats)
    };
    write_or_print(ctx, output, text.as_bytes(), "done.stats")
}

/// `--now` (RFC 3339) for reproducible output, else the local time.
fn fixed_now(now: Option<String>) -> relais_core::Result<chrono::DateTime<chrono::FixedOffset>> {
    match now {
        Some(s) => {
            chrono::DateTime::parse_from_rfc3339(&s).map_err(|_| CoreError::invalid("now", relais_core::error::Problem::MalformedDateTime))
        }
        None => Ok(relais_core::time::local_now()),
    }
}

fn read_secret_file(lang: Lang, p: &Path) -> Result<Passphrase> {
    let s = std::fs::read_to_string(p).with_context(|| tr(lang, "error.read_file", &[("path", &p.display().to_string())]))?;
    Ok(Passphrase::new(s.lines().next().unwrap_or_default().to_owned()))
}

/// What a passphrase change or a recovery did, and whether the database got a new key.
fn rekey_said(lang: Lang, done: &str, rekey: relais_core::vault::Rekey) -> String {
    let mut s = tr(lang, done, &[]);
    s.push('\n');
    s.push_str(&tr(lang, if rekey == relais_core::vault::Rekey::Done { "done.rekeyed" } else { "done.not_rekeyed" }, &[]));
    s
}

fn default_vault_dir(lang: Lang) -> Result<PathBuf> {
    dirs::data_dir().map(|d| d.join("relais").join("vault")).ok_or_else(|| anyhow!(tr(lang, "error.no_data_dir", &[])))
}

fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx {
        lang: cli.lang,
        json: cli.json,
        vault_dir: match cli.vault {
            Some(v) => v,
            None => default_vault_dir(cli.lang)?,
        },
        passphrase_file: cli.passphrase_file,
    };
    match cli.cmd {
        Cmd::Init(a) => cmd_init(&ctx, a),
        Cmd::Passwd(a) => {
            let vault = ctx.vault()?;
            let old = ctx.passphrase()?;
            let new = ctx.new_passphrase(a.new_passphrase_file.as_deref(), "RELAIS_NEW_PASSPHRASE", "error.no_new_passphrase")?;
            let mut store = vault.unlock(&old)?;
            let rekey = vault.change_passphrase(&mut store, &old, &new)?;
            ctx.out(&json!({"ok": true, "rekey": rekey}), || rekey_said(ctx.lang, "done.passwd", rekey));
            Ok(())
        }
        Cmd::Recover(a) => {
            let vault = ctx.vault()?;
            let identity = std::fs::read_to_string(&a.identity)
                .with_context(|| tr(ctx.lang, "error.read_file", &[("path", &a.identity.display().to_string())]))?;
            let identity = zeroize::Zeroizing::new(identity);
            let new = ctx.new_passphrase(a.new_passphrase_file.as_deref(), "RELAIS_NEW_PASSPHRASE", "error.no_new_passphrase")?;
            let rekey = vault.recover(&identity, &new)?;
            ctx.out(&json!({"ok": true, "rekey": rekey}), || rekey_said(ctx.lang, "done.recover", rekey));
            Ok(())
        }
        Cmd::RecoveryKey(a) => {
            let vault = ctx.vault()?;
            vault.set_recovery(&ctx.passphrase()?, &a.recipient)?;
            ctx.out(&json!({"ok": true}), || tr(ctx.lang, "done.recovery_key", &[]));
            Ok(())
        }
        Cmd::RotateKey => {
            let vault = ctx.vault()?;
            let passphrase = ctx.passphrase()?;
            let mut store = vault.unlock(&passphrase)?;
            vault.rotate_key(&mut store, &passphrase)?;
            ctx.out(&json!({"ok": true}), || tr(ctx.lang, "done.rotate_key", &[]));
            Ok(())
        }
        Cmd::Backup(a) => {
            let vault = ctx.vault()?;
            let key = vault.unwrap_key(&ctx.passphrase()?)?;
            let mut store = vault.unlock_with_key(&key)?;
            relais_core::vault::backup::backup(&mut store, &key, vault.dir(), &a.output)
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &a.output.display().to_string())]))?;
            ctx.out(&json!({"ok": true, "path": a.output}), || tr(ctx.lang, "done.backup", &[("path", &a.output.display().to_string())]));
            Ok(())
        }
        Cmd::Restore(a) => {
            use relais_core::vault::backup::{Proof, restore};
            let restored = match &a.identity {
                Some(id_file) => {
                    let identity = std::fs::read_to_string(id_file)
                        .with_context(|| tr(ctx.lang, "error.read_file", &[("path", &id_file.display().to_string())]))?;
                    let identity = zeroize::Zeroizing::new(identity);
                    let new = ctx.new_passphrase(a.new_passphrase_file.as_deref(), "RELAIS_NEW_PASSPHRASE", "error.no_new_passphrase")?;
                    restore(&a.file, &ctx.vault_dir, Proof::Recovery { identity: identity.trim(), new: &new })?
                }
                None => restore(&a.file, &ctx.vault_dir, Proof::Passphrase(&ctx.passphrase()?))?,
            };
            let dir = ctx.vault_dir.display().to_string();
            let (persons, again) = (restored.persons.to_string(), restored.destroyed_again.to_string());
            ctx.out(&json!({"ok": true, "vault": dir, "persons": restored.persons, "destroyed_again": restored.destroyed_again}), || {
                let mut text = tr(ctx.lang, "done.restore", &[("path", &dir), ("persons", &persons)]);
                if restored.destroyed_again > 0 {
                    text = format!("{text}\n{}", tr(ctx.lang, "done.restore_destroyed_again", &[("n", &again)]));
                }
                text
            });
            Ok(())
        }
        Cmd::Person(c) => cmd_person(&ctx, c),
        Cmd::Retention(c) => cmd_retention(&ctx, c),
        Cmd::Delete(a) => {
            let mut store = ctx.store()?;
            let kind = Kind::from_name(&a.kind).ok_or_else(|| CoreError::invalid("kind", relais_core::error::Problem::UnknownField))?;
            let id = store.resolve(kind, &a.id)?;
            let trash_id = relais_core::case::trash::delete(&mut store, kind, &id)?;
            ctx.out(&json!({"trash_id": trash_id}), || {
                tr(ctx.lang, "done.trashed", &[("id", &trash_id), ("days", &relais_core::case::trash::DAYS.to_string())])
            });
            Ok(())
        }
        Cmd::Trash(c) => cmd_trash(&ctx, c),
        Cmd::Incident(c) => cmd_incident(&ctx, c),
        Cmd::Need(c) => cmd_need(&ctx, c),
        Cmd::Appointment(c) => cmd_appointment(&ctx, c),
        Cmd::Referral(c) => cmd_referral(&ctx, c),
        Cmd::Org(c) => cmd_org(&ctx, c),
        Cmd::Court(c) => cmd_court(&ctx, c),
        Cmd::Milestone(c) => cmd_milestone(&ctx, c),
        Cmd::Aid(c) => cmd_aid(&ctx, c),
        Cmd::Deadline(c) => cmd_deadline(&ctx, c),
        Cmd::Note(c) => cmd_note(&ctx, c),
        Cmd::Search(a) => {
            let store = ctx.store()?;
            let res = search::search(&store, &a.query, a.limit)?;
            ctx.out(&res, || render::search(ctx.lang, &res));
            Ok(())
        }
        Cmd::Consent(c) => cmd_consent(&ctx, c),
        Cmd::Safety(c) => cmd_safety(&ctx, c),
        Cmd::Task(c) => cmd_task(&ctx, c),
        Cmd::Expense(c) => cmd_expense(&ctx, c),
        Cmd::Doc(c) => cmd_doc(&ctx, c),
        Cmd::Dashboard(a) => {
            let store = ctx.store()?;
            let now = fixed_now(a.now)?;
            let d = dashboard::compute_with(&store, now, a.no_contact_days)?;
            ctx.out(&d, || render::dashboard(ctx.lang, &d));
            Ok(())
        }
        Cmd::Week(a) => {
            use chrono::Datelike;
            let store = ctx.store()?;
            let now = fixed_now(a.now)?;
            let day = relais_core::time::parse_optional_date("day", a.day.as_deref())?.unwrap_or(now.date_naive());
            let monday = day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()));
            match a.per_day {
                // The window's week: each day's count and its first appointments.
                Some(n) => {
                    let days = dashboard::calendar(&store, monday, 7, now.offset(), Some(n))?;
                    ctx.out(&days, || render::week_days(ctx.lang, monday, &days));
                }
                None => {
                    let items = dashboard::week(&store, monday, *now.offset())?;
                    ctx.out(&items, || render::week(ctx.lang, monday, &items, items.len()));
                }
            }
            Ok(())
        }
        Cmd::Reminders(a) => {
            use relais_core::reports::agenda;
            let store = ctx.store()?;
            let now = fixed_now(a.now)?;
            // Due now (what the open app shows), or what fell since a time (what it shows as
            // missed at unlock).
            let due = match a.since {
                Some(s) => agenda::between(&store, fixed_now(Some(s))?, now, a.lead)?,
                None => agenda::due_at(&store, now, a.lead)?,
            };
            let notes = agenda::notifications(&due, now, ctx.lang, a.names);
            ctx.out(&json!({"reminders": due, "notifications": notes}), || {
                if notes.is_empty() {
                    return tr(ctx.lang, "reminders.none", &[]);
                }
                notes.iter().map(|n| format!("{}\n  {}", n.title, n.body)).collect::<Vec<_>>().join("\n")
            });
            Ok(())
        }
        Cmd::Calendar(a) => {
            use relais_core::reports::agenda;
            let mut store = ctx.store()?;
            let now = relais_core::time::local_now();
            let from = relais_core::time::parse_optional_date("from", a.from.as_deref())?.unwrap_or(now.date_naive());
            let to = relais_core::time::parse_optional_date("to", a.to.as_deref())?.unwrap_or(from + chrono::Days::new(90));
            let options = agenda::IcsOptions { with_alias: a.with_alias, with_place: a.with_place };
            let (text, n) = agenda::export_ics(&mut store, from, to, *now.offset(), options, ctx.lang, chrono::Utc::now())?;
            relais_core::vault::write_atomic(&a.output, text.as_bytes())
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &a.output.display().to_string())]))?;
            let path = a.output.display().to_string();
            ctx.out(&json!({"path": path, "events": n}), || tr(ctx.lang, "done.calendar", &[("path", &path), ("n", &n.to_string())]));
            Ok(())
        }
        Cmd::Day(a) => {
            use relais_core::reports::{day, summary};
            let mut store = ctx.store()?;
            let now = relais_core::time::local_now();
            let date = relais_core::time::parse_optional_date("day", a.day.as_deref())?.unwrap_or(now.date_naive());
            let format = summary::Format::parse(&a.format)?;
            let bytes = match format {
                summary::Format::Pdf => {
                    if a.output.is_none() {
                        bail!(tr(ctx.lang, "error.pdf_needs_output", &[]));
                    }
                    day::pdf(&mut store, date, now, ctx.lang)?
                }
                other => summary::render(&day::doc(&store, date, now, ctx.lang)?, other)?,
            };
            match &a.output {
                Some(o) => {
                    relais_core::vault::write_atomic(o, &bytes)
                        .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &o.display().to_string())]))?;
                    let path = o.display().to_string();
                    ctx.out(&json!({"path": path}), || tr(ctx.lang, "done.day", &[("path", &path)]));
                }
                None => {
                    std::io::stdout().write_all(&bytes)?;
                }
            }
            Ok(())
        }
        Cmd::Summary(a) => {
            use relais_core::reports::summary::{self, Level, Options};
            let mut store = ctx.store()?;
            let id = store.resolve_person(&a.person)?;
            let now = fixed_now(a.now)?;
            let date = relais_core::time::parse_optional_date;
            let level = if a.level == "partner" { Level::Partner } else { Level::Internal };
            let options = Options { from: date("from", a.from.as_deref())?, to: date("to", a.to.as_deref())?, lang: ctx.lang, level, now };
            let format = summary::Format::parse(&a.format)?;
            if format == summary::Format::Pdf && a.output.is_none() {
                bail!(tr(ctx.lang, "error.pdf_needs_output", &[]));
            }
            let audience = summary::audience(&store, &id, level, a.recipient.as_deref(), None, a.override_reason.as_deref())?;
            let doc = summary::build(&store, &id, &options)?;
            let bytes = summary::render(&doc, format)?;
            match a.output {
                Some(path) => {
                    summary::save(&mut store, &path, &bytes, &id, &audience, None)
                        .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &path.display().to_string())]))?;
                    say(&tr(ctx.lang, "done.summary", &[("path", &path.display().to_string())]));
                    Ok(())
                }
                None => {
                    write_or_print(&ctx, None, &bytes, "done.summary")?;
                    Ok(summary::record(&mut store, &id, &audience, None)?)
                }
            }
        }
        Cmd::Stats(a) => {
            let store = ctx.store()?;
            let now = fixed_now(a.now)?;
            let (from, to) = period(a.from.as_deref(), a.to.as_deref(), a.fiscal_year)?;
            let stats = relais_core::reports::stats::compute(&store, from, to, ctx.lang, now)?;
            write_stats(&ctx, &store, &stats, &a.format, a.output)
        }
        Cmd::Ledger(LedgerCmd::Export(a)) => {
            let mut store = ctx.store()?;
            let contact = resolve_contact(&store, &a.contact)?;
            let (from, to) = period(a.from.as_deref(), a.to.as_deref(), a.fiscal_year)?;
            let (Some(from), Some(to)) = (from, to) else { unreachable!("clap requires the period") };
            let (bytes, manifest, to) = relais_core::reports::stats::coalition::export(&store, &contact, from, to)?;
            relais_core::vault::write_atomic(&a.output, &bytes)
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &a.output.display().to_string())]))?;
            relais_core::reports::stats::coalition::commit_export(&mut store, &manifest, from, to)?;
            say(&tr(ctx.lang, "ledger.sent", &[("path", &a.output.display().to_string()), ("to", &manifest.recipients[0].fingerprint)]));
            Ok(())
        }
        Cmd::Ledger(LedgerCmd::Merge(a)) => {
            let mut store = ctx.store()?;
            let mut received = Vec::new();
            for f in &a.files {
                let bytes = relais_core::exchange::read_bundle_file(f)?;
                let r = relais_core::reports::stats::coalition::open_ledger(&store, &bytes)
                    .with_context(|| tr(ctx.lang, "ledger.in_file", &[("path", &f.display().to_string())]))?;
                received.push(r);
            }
            let merged = relais_core::reports::stats::coalition::merge(&mut store, &received, a.own)?;
            let coalition = store.meta(relais_core::vault::store::Meta::OwnerOrg)?.unwrap_or_default();
            let stats = relais_core::reports::stats::publish(&merged, ctx.lang, &coalition);
            for r in &received {
                say(&tr(ctx.lang, "ledger.added", &[("name", &render::one_line(&r.sender_name)), ("fingerprint", &r.fingerprint)]));
            }
            write_stats(&ctx, &store, &stats, &a.format, a.output)
        }
        Cmd::ExportPerson(a) => {
            let mut store = ctx.store()?;
            let id = store.resolve_person(&a.person)?;
            // Giving a person their file is a disclosure: the core records it in their history.
            let text = person_file::disclose(&mut store, &id)?;
            write_or_print(&ctx, a.output, text.as_bytes(), "done.export_person")
        }
        Cmd::Audit(AuditCmd::Verify(a)) => {
            use relais_core::vault::{audit, backup};
            let anchor = a.against.as_deref().map(backup::anchor_of).transpose()?;
            let store = ctx.store()?;
            let v = match &anchor {
                Some(anchor) => audit::verify_against(&store, anchor)?,
                None => audit::verify(&store)?,
            };
            ctx.out(&json!({"events": v.events, "first_break": v.first_break, "anchor": anchor}), || {
                render::audit(ctx.lang, &v, anchor.as_ref())
            });
            if v.first_break.is_some() {
                std::process::exit(1);
            }
            Ok(())
        }
        Cmd::Audit(AuditCmd::Anchor(a)) => {
            use relais_core::vault::audit;
            let store = ctx.store()?;
            let anchor = match &a.of {
                None => audit::anchor(&store)?,
                Some(who) => {
                    let id = resolve_contact(&store, who)?;
                    let contact = store.get(relais_core::Kind::Contact, &id)?;
                    let key = contact.get("signing_key").and_then(|v| v.as_str()).unwrap_or_default();
                    audit::latest_received(&store, key)?.ok_or_else(|| anyhow!(tr(ctx.lang, "error.no_anchor_received", &[])))?
                }
            };
            relais_core::vault::write_atomic(&a.output, anchor.to_file().as_bytes())
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &a.output.display().to_string())]))?;
            ctx.out(&anchor, || {
                tr(ctx.lang, "done.anchor", &[("path", &a.output.display().to_string()), ("seq", &anchor.seq.to_string())])
            });
            Ok(())
        }
        Cmd::Identity(c) => cmd_identity(&ctx, c),
        Cmd::Contact(c) => cmd_contact(&ctx, c),
        Cmd::Export(a) => cmd_export(&ctx, a),
        Cmd::Import(a) => cmd_import(&ctx, a),
        Cmd::Conflicts(c) => cmd_conflicts(&ctx, c),
        Cmd::Receipt(a) => {
            let store = ctx.store()?;
            let (bytes, manifest) = relais_core::exchange::build_receipt(&store, a.bundle.as_deref(), a.armor)?;
            relais_core::vault::write_atomic(&a.output, &bytes)
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &a.output.display().to_string())]))?;
            ctx.out(&manifest, || tr(ctx.lang, "done.receipt", &[("path", &a.output.display().to_string())]));
            Ok(())
        }
        Cmd::Team(c) => cmd_team(&ctx, c),
        Cmd::Inbox(a) => cmd_inbox(&ctx, a.cmd.unwrap_or(InboxCmd::List)),
        Cmd::PurgeHandedOff => {
            let mut store = ctx.store()?;
            let n = relais_core::exchange::purge_handed_off(&mut store)?;
            ctx.out(&json!({"purged": n}), || tr(ctx.lang, "done.purged", &[("n", &n.to_string())]));
            Ok(())
        }
        Cmd::Demo(a) => {
            let mut store = ctx.store()?;
            let today = match a.today {
                Some(d) => relais_core::time::parse_date("today", &d)?,
                None => relais_core::time::local_now().date_naive(),
            };
            let report = demo::fill(&mut store, a.persons, a.seed, today, &mut progress_bar(&ctx, "progress.demo"))?;
            ctx.out(&report, || {
                tr(ctx.lang, "done.demo", &[("persons", &report.persons.to_string()), ("records", &report.records.to_string())])
            });
            Ok(())
        }
    }
}

fn cmd_identity(ctx: &Ctx, c: IdentityCmd) -> Result<()> {
    let store = ctx.store()?;
    match c {
        IdentityCmd::Show => {
            let id = relais_core::exchange::identity::show(&store)?;
            ctx.out(&id, || render::identity(ctx.lang, &id));
        }
        IdentityCmd::ExportAge(a) => {
            let secret = relais_core::exchange::identity::export_age(&store)?;
            let mut text = zeroize::Zeroizing::new(String::from("# Relais: clé age secrète de ce coffre / this vault's secret age key\n"));
            text.push_str(&secret);
            text.push('\n');
            relais_core::vault::write_atomic(&a.file, text.as_bytes())
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &a.file.display().to_string())]))?;
            say(&tr(ctx.lang, "warn.export_age", &[("path", &a.file.display().to_string())]));
        }
        IdentityCmd::Card => {
            let card = relais_core::exchange::identity::card(&store)?;
            println!("{}", serde_json::to_string_pretty(&card)?);
        }
    }
    Ok(())
}

fn resolve_contact(store: &Store, reference: &str) -> Result<String> {
    let reference = reference.trim();
    if let Ok(id) = store.resolve(Kind::Contact, reference) {
        return Ok(id);
    }
    let matches: Vec<String> = store
        .list_all(Kind::Contact)?
        .iter()
        .filter(|c| {
            c.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(reference))
                || c.get("fingerprint").and_then(Value::as_str) == Some(reference)
        })
        .filter_map(|c| c.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    match matches.len() {
        0 => Err(CoreError::NotFound { kind: Kind::Contact }.into()),
        1 => Ok(matches.into_iter().next().expect("one")),
        _ => Err(CoreError::Ambiguous { kind: Kind::Contact, candidates: matches }.into()),
    }
}

fn cmd_contact(ctx: &Ctx, c: ContactCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        ContactCmd::Add(a) => {
            let mut f = Fields::new();
            put(&mut f, "name", Some(a.name));
            put(&mut f, "org", a.org);
            put(&mut f, "age_recipient", Some(a.age));
            put(&mut f, "signing_key", Some(a.sign.to_ascii_lowercase()));
            let id = store.write(|w| w.insert(Kind::Contact, f))?;
            let fp = store.get(Kind::Contact, &id)?["fingerprint"].as_str().unwrap_or_default().to_owned();
            say(&tr(ctx.lang, "hint.verify_contact", &[("fingerprint", &fp)]));
            ctx.created(&id);
        }
        ContactCmd::ImportCard(a) => {
            let text = if a.file.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                s
            } else {
                std::fs::read_to_string(&a.file)
                    .with_context(|| tr(ctx.lang, "error.read_file", &[("path", &a.file.display().to_string())]))?
            };
            let ident = relais_core::exchange::identity::parse_card(&text)?;
            let id = relais_core::exchange::identity::add_contact(&mut store, &ident)?;
            say(&tr(ctx.lang, "hint.verify_contact", &[("fingerprint", &ident.fingerprint)]));
            ctx.created(&id);
        }
        ContactCmd::List => {
            let rows = store.list_all(Kind::Contact)?;
            ctx.out(&rows, || render::contacts(ctx.lang, &rows));
        }
        ContactCmd::Verify(a) => {
            let id = resolve_contact(&store, &a.contact)?;
            let changed = relais_core::exchange::identity::verify_contact(&mut store, &id)?;
            ctx.updated(Kind::Contact, &id, &changed);
        }
        ContactCmd::Remove(a) => {
            let id = resolve_contact(&store, &a.contact)?;
            store.write(|w| w.delete(Kind::Contact, &id))?;
            ctx.updated(Kind::Contact, &id, &["deleted".to_owned()]);
        }
    }
    Ok(())
}

/// A progress bar on a terminal's standard error; nothing otherwise.
/// A progress line on standard error (indicatif: drawn only on a terminal, a few times a
/// second however often it is told; hidden with `--json`).
fn progress_bar(ctx: &Ctx, key: &str) -> impl FnMut(usize, usize) {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::with_draw_target(None, if ctx.json { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() });
    // French typography: a non-breaking space before the colon (a lone « : » translated
    // through the catalogue loses it, having no word before it).
    let colon = ctx.lang.pick("\u{a0}: ", ": ");
    bar.set_style(ProgressStyle::with_template(&format!("{{msg}}{colon}{{pos}}/{{len}} ({{percent}} %)")).expect("a valid template"));
    bar.set_message(tr(ctx.lang, key, &[]));
    move |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done == total {
            bar.finish();
        }
    }
}

fn cmd_export(ctx: &Ctx, a: ExportArgs) -> Result<()> {
    use relais_core::exchange::{self, BundleKind, ExportRequest};
    let mut store = ctx.store()?;
    let persons = if a.all {
        store
            .list_all(Kind::Person)?
            .into_iter()
            .filter(|p| relais_core::model::status::CaseStatus::of(p).is_some_and(|s| s.is_open()))
            .filter_map(|p| p.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect()
    } else {
        a.person.iter().map(|p| store.resolve_person(p)).collect::<relais_core::Result<Vec<_>>>()?
    };
    let to = a.to.iter().map(|c| resolve_contact(&store, c)).collect::<Result<Vec<_>>>()?;
    let kind = if a.transfer { BundleKind::Transfer } else { BundleKind::Share };
    let req = ExportRequest { persons, to, kind, armor: a.armor, override_reason: a.override_reason, documents: a.documents };
    // What the bundle will weigh in documents, said before it is made.
    if req.carries_documents() && !ctx.json {
        let (n, bytes) = relais_core::case::documents::totals(&store, &req.persons)?;
        if n > 0 {
            let size = relais_core::lang::file_size(bytes, ctx.lang);
            say(&tr(ctx.lang, "export.documents", &[("n", &n.to_string()), ("size", &size)]));
        }
    }
    let (bytes, manifest, content) = exchange::build_export(&store, &req, &mut progress_bar(ctx, "progress.export"))?;
    // The file first, atomically; only then is the exchange recorded.
    let key = match &a.output {
        Some(output) => {
            relais_core::vault::write_atomic(output, &bytes)
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &output.display().to_string())]))?;
            "done.export"
        }
        None => {
            let to: Vec<String> = manifest.recipients.iter().map(|r| r.fingerprint.clone()).collect();
            exchange::team::deliver(&store, &to, &bytes)?;
            "done.export_team"
        }
    };
    exchange::commit_export(&mut store, &manifest, &content)?;
    let path = a.output.as_ref().map(|o| o.display().to_string()).unwrap_or_default();
    ctx.out(&manifest, || {
        tr(ctx.lang, key, &[("path", &path), ("persons", &manifest.persons.len().to_string()), ("id", &manifest.bundle_id)])
    });
    Ok(())
}

fn cmd_import(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    use relais_core::exchange;
    // A file that cannot be read is said before the passphrase is asked for (and its second of
    // key derivation spent): not there, not allowed, a folder.
    let cannot_read = || tr(ctx.lang, "error.read_file", &[("path", &a.file.display().to_string())]);
    std::fs::File::open(&a.file)
        .and_then(|f| if f.metadata()?.is_dir() { Err(std::io::ErrorKind::IsADirectory.into()) } else { Ok(()) })
        .with_context(cannot_read)?;
    let mut store = ctx.store()?;
    let opened = match exchange::open_file(&store, &a.file, a.accept_unverified) {
        // Gone or changed since (a sync engine replacing it).
        Err(relais_core::Error::Io(e)) => Err(e).with_context(cannot_read)?,
        other => other?,
    };
    let report = if a.dry_run {
        exchange::preview(&store, &opened)?
    } else {
        exchange::apply(&mut store, &opened, &mut progress_bar(ctx, "progress.import"))?
    };
    ctx.out(&report, || render::import(ctx.lang, &report));
    Ok(())
}

fn cmd_team(ctx: &Ctx, c: TeamCmd) -> Result<()> {
    use relais_core::exchange::team;
    let mut store = ctx.store()?;
    let settings = match c {
        TeamCmd::Show => team::settings(&store)?,
        TeamCmd::SetFolder(a) => team::set_folder(&mut store, &a.file)?,
        TeamCmd::ClearFolder => {
            team::clear_folder(&mut store)?;
            team::settings(&store)?
        }
        TeamCmd::Cleanup(a) => {
            team::set_cleanup(&mut store, team::Cleanup::parse(&a.cleanup)?)?;
            team::settings(&store)?
        }
        TeamCmd::Report(a) => {
            let to = resolve_contact(&store, &a.to)?;
            let n = team::send_report(&mut store, &to, relais_core::time::local_now().date_naive())?;
            ctx.out(&json!({"cases": n}), || tr(ctx.lang, "done.report_sent", &[("n", &n.to_string())]));
            return Ok(());
        }
        TeamCmd::Schedule(a) => {
            let schedule = match a.to {
                Some(to) => Some(team::ReportSchedule { to: resolve_contact(&store, &to)?, every_days: a.every }),
                None => None,
            };
            team::set_report_schedule(&mut store, schedule.as_ref())?;
            team::settings(&store)?
        }
        TeamCmd::Overview => {
            let team = team::overview(&store)?;
            ctx.out(&team, || render::team_overview(ctx.lang, &team));
            return Ok(());
        }
        TeamCmd::Receipt(a) => {
            let manifest = team::send_receipt(&store, a.bundle.as_deref())?;
            ctx.out(&manifest, || tr(ctx.lang, "done.receipt_team", &[]));
            return Ok(());
        }
    };
    ctx.out(&settings, || render::team_settings(ctx.lang, &settings));
    Ok(())
}

fn cmd_inbox(ctx: &Ctx, c: InboxCmd) -> Result<()> {
    use relais_core::exchange::{self, team};
    let mut store = ctx.store()?;
    match c {
        InboxCmd::List => {
            if let Some(n) = team::report_if_due(&mut store, chrono::Utc::now())? {
                say(&tr(ctx.lang, "done.report_sent", &[("n", &n.to_string())]));
            }
            let inbox = team::inbox(&mut store, ctx.lang)?;
            ctx.out(&inbox, || render::inbox(ctx.lang, &inbox));
        }
        InboxCmd::Import(a) => {
            let opened = team::open_item(&store, &a.file, a.accept_unverified)?;
            if a.dry_run {
                let report = exchange::preview(&store, &opened)?;
                ctx.out(&report, || render::import(ctx.lang, &report));
                return Ok(());
            }
            let report = exchange::apply(&mut store, &opened, &mut progress_bar(ctx, "progress.import"))?;
            let after = team::after_import(&store, &a.file, &opened, ctx.lang)?;
            ctx.out(&json!({"import": report, "after": after}), || {
                let mut s = render::import(ctx.lang, &report);
                s.push('\n');
                s.push_str(&render::after_import(ctx.lang, &after));
                s
            });
        }
        InboxCmd::Discard(a) => {
            team::discard(&mut store, &a.file)?;
            ctx.out(&json!({"discarded": a.file}), || tr(ctx.lang, "done.discarded", &[]));
        }
    }
    Ok(())
}

fn cmd_conflicts(ctx: &Ctx, c: ConflictsCmd) -> Result<()> {
    use relais_core::exchange;
    let mut store = ctx.store()?;
    match c {
        ConflictsCmd::List => {
            let items = exchange::conflicts(&store)?;
            ctx.out(&items, || render::conflicts(ctx.lang, &items));
        }
        ConflictsCmd::Resolve(a) => {
            let theirs = match a.keep.as_str() {
                "theirs" => true,
                "mine" => false,
                _ => {
                    return Err(CoreError::invalid(
                        "keep",
                        relais_core::error::Problem::UnknownCode { list: "keep".into(), valid: vec!["mine".into(), "theirs".into()] },
                    )
                    .into());
                }
            };
            exchange::resolve(&mut store, &a.id, theirs)?;
            ctx.out(&json!({"id": a.id, "keep": a.keep}), || tr(ctx.lang, "done.resolved", &[]));
        }
    }
    Ok(())
}

fn cmd_init(ctx: &Ctx, a: InitArgs) -> Result<()> {
    let passphrase = ctx.new_passphrase(ctx.passphrase_file.as_deref(), "RELAIS_PASSPHRASE", "error.no_passphrase")?;
    let owner = Owner { name: a.name.unwrap_or_default(), org: a.org.unwrap_or_default() };
    let (vault, _store) = Vault::create(&ctx.vault_dir, &passphrase, &owner, a.recovery_recipient.as_deref())?;
    let path = vault.dir().display().to_string();
    ctx.out(&json!({"vault": path, "recovery": a.recovery_recipient.is_some()}), || {
        let mut s = tr(ctx.lang, "done.init", &[("path", &path)]);
        if a.recovery_recipient.is_some() {
            s.push('\n');
            s.push_str(&tr(ctx.lang, "done.init_recovery", &[]));
        }
        s
    });
    Ok(())
}

/// Adds `value` under `key` when given.
fn put(f: &mut Fields, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        f.insert(key.to_owned(), v.into());
    }
}

fn person_fields(p: PersonFieldArgs) -> Fields {
    let mut f = Fields::new();
    put(&mut f, "alias", p.alias);
    put(&mut f, "legal_name", p.legal_name);
    put(&mut f, "birth_date", p.birth_date);
    put(&mut f, "phone", p.phone);
    put(&mut f, "email", p.email);
    put(&mut f, "address", p.address);
    put(&mut f, "region", p.region);
    put(&mut f, "languages", p.languages);
    put(&mut f, "interpreter_needed", p.interpreter_needed);
    put(&mut f, "interpreter_language", p.interpreter_language);
    put(&mut f, "safe_to_call", p.safe_to_call);
    put(&mut f, "safe_to_text", p.safe_to_text);
    put(&mut f, "safe_to_leave_message", p.safe_to_leave_message);
    put(&mut f, "exploitation_types", p.exploitation_types);
    put(&mut f, "means_of_control", p.means_of_control);
    put(&mut f, "labour_sector", p.labour_sector);
    put(&mut f, "origin", p.origin);
    put(&mut f, "immigration_status", p.immigration_status);
    put(&mut f, "intake_at", p.intake_at);
    put(&mut f, "referral_source", p.referral_source);
    put(&mut f, "status", p.status);
    put(&mut f, "notice_given_on", p.notice_given_on);
    put(&mut f, "consent_by", p.consent_by);
    put(&mut f, "dpj_reported_on", p.dpj_reported_on);
    put(&mut f, "risk_level", p.risk_level);
    put(&mut f, "risk_reviewed_on", p.risk_reviewed_on);
    put(&mut f, "organised_crime", p.organised_crime);
    put(&mut f, "no_contact_order", p.no_contact_order);
    put(&mut f, "protection_conditions", p.protection_conditions);
    put(&mut f, "protection_until", p.protection_until);
    put(&mut f, "gender", p.gender);
    put(&mut f, "indigenous", p.indigenous);
    put(&mut f, "interpreter_outside_community", p.interpreter_outside_community);
    f
}

fn cmd_person(ctx: &Ctx, c: PersonCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        PersonCmd::Add(p) => {
            let fields = person_fields(p);
            let id = store.write(|w| w.insert(Kind::Person, fields))?;
            ctx.created(&id);
            warn_duplicates(ctx, &store, &id)?;
        }
        PersonCmd::List(a) => {
            // The app's caseload, through the same function.
            let statuses: Vec<&str> = a.status.iter().map(String::as_str).collect();
            let page = relais_core::case::search::caseload_page(&store, &statuses, a.offset.unwrap_or(0), a.limit)?;
            if a.offset.is_some() || a.limit.is_some() {
                ctx.out(&page, || render::person_list(ctx.lang, &page));
            } else {
                ctx.out(&page.rows, || render::person_list(ctx.lang, &page));
            }
        }
        PersonCmd::Show(a) => {
            let id = store.resolve_person(&a.person)?;
            let file = person_file::load(&store, &id)?;
            ctx.out(&file, || render::person_file(ctx.lang, &file));
        }
        PersonCmd::Edit(a) => {
            let id = store.resolve_person(&a.person)?;
            let fields = person_fields(a.fields);
            let changed = store.write(|w| w.update(Kind::Person, &id, fields))?;
            ctx.updated(Kind::Person, &id, &changed);
            if changed.iter().any(|f| ["alias", "legal_name", "birth_date"].contains(&f.as_str())) {
                warn_duplicates(ctx, &store, &id)?;
            }
        }
        PersonCmd::Close(a) => {
            let id = store.resolve_person(&a.person)?;
            let changed = store.write(|w| case::close_person(w, &id, &a.reason, a.note.as_deref()))?;
            ctx.updated(Kind::Person, &id, &changed);
        }
        PersonCmd::Reopen(a) => {
            let id = store.resolve_person(&a.person)?;
            let changed = store.write(|w| case::reopen_person(w, &id, &a.reason))?;
            ctx.updated(Kind::Person, &id, &changed);
        }
        PersonCmd::Duplicates(a) => {
            let id = store.resolve_person(&a.person)?;
            let found = relais_core::case::duplicates::candidates_of(&store, &id)?;
            ctx.out(&found, || render::duplicates(ctx.lang, &found));
        }
        PersonCmd::Checklist(a) => {
            let id = store.resolve_person(&a.person)?;
            let now = fixed_now(a.now)?;
            let list = relais_core::case::intake::checklist(&store, &id, now.with_timezone(&chrono::Utc))?;
            let alias = store.get(Kind::Person, &id)?["alias"].as_str().unwrap_or_default().to_owned();
            ctx.out(&list, || render::checklist(ctx.lang, &alias, &list));
        }
        PersonCmd::Merge(a) => {
            let (keep, merge) = (store.resolve_person(&a.keep)?, store.resolve_person(&a.merge)?);
            let done = store.write(|w| relais_core::case::duplicates::merge(w, &keep, &merge, &a.confirm))?;
            ctx.out(&done, || tr(ctx.lang, "done.merged", &[("moved", &done.moved.to_string())]));
        }
        PersonCmd::Destroy(a) => {
            use relais_core::case::retention::{Policy, destroy_person};
            let id = store.resolve_person(&a.person)?;
            let done = destroy_person(&mut store, &id, Policy::parse(&a.policy)?, &a.confirm, chrono::Utc::now())?;
            ctx.out(&done, || {
                tr(ctx.lang, "done.destroyed", &[("records", &done.records.to_string()), ("events", &done.events_redacted.to_string())])
            });
        }
    }
    Ok(())
}

/// After a file is created or edited: the files that may be the same person, on standard error
/// (the id on standard output stays what scripts read).
fn warn_duplicates(ctx: &Ctx, store: &Store, id: &str) -> Result<()> {
    let found = relais_core::case::duplicates::candidates_of(store, id)?;
    for c in &found {
        say(&tr(ctx.lang, "warn.duplicate", &[("alias", &render::one_line(&c.alias)), ("id", &c.id), ("new", id)]));
    }
    Ok(())
}

/// An organisation's fields as given on the command line.
fn org_fields(a: OrgFieldArgs) -> Fields {
    let mut f = Fields::new();
    for (k, v) in [
        ("kind", a.kind),
        ("region", a.region),
        ("address", a.address),
        ("phone", a.phone),
        ("email", a.email),
        ("website", a.website),
        ("languages", a.languages),
        ("open_24_7", a.open_24_7),
        ("notes", a.notes),
    ] {
        put(&mut f, k, v);
    }
    f
}

fn cmd_retention(ctx: &Ctx, c: RetentionCmd) -> Result<()> {
    use relais_core::case::retention;
    let mut store = ctx.store()?;
    match c {
        RetentionCmd::Show(a) => {
            let today = fixed_now(a.now)?.date_naive();
            let years = retention::years(&store)?;
            let cases = if a.due { retention::due(&store, today)? } else { retention::closed_cases(&store)? };
            ctx.out(&json!({"years": years, "cases": cases}), || {
                let mut out = tr(ctx.lang, "retention.years", &[("years", &years.to_string())]);
                for c in &cases {
                    let due = if c.until < today.to_string() { tr(ctx.lang, "retention.due", &[]) } else { String::new() };
                    let why = c.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
                    let (closed, until) = (render::when_in(ctx.lang, &c.closed_on), render::when_in(ctx.lang, &c.until));
                    out.push_str(&format!("\n  {}  {closed} → {until}{why}  {due}  [{}]", c.alias, c.person_id));
                }
                out.trim_end().to_owned()
            });
        }
        RetentionCmd::Set(a) => {
            retention::set_years(&mut store, a.years)?;
            ctx.out(&json!({"years": a.years}), || tr(ctx.lang, "retention.years", &[("years", &a.years.to_string())]));
        }
        RetentionCmd::Case(a) => {
            let id = store.resolve_person(&a.person)?;
            let until = relais_core::time::parse_optional_date("until", a.until.as_deref())?;
            retention::set_case(&mut store, &id, until, a.reason.as_deref())?;
            ctx.updated(Kind::Person, &id, &["retention".to_owned()]);
        }
    }
    Ok(())
}

fn cmd_trash(ctx: &Ctx, c: TrashCmd) -> Result<()> {
    use relais_core::case::trash;
    let mut store = ctx.store()?;
    match c {
        TrashCmd::List => {
            let items = trash::list(&store)?;
            ctx.out(&items, || {
                if items.is_empty() {
                    return tr(ctx.lang, "trash.empty", &[]);
                }
                let lines: Vec<String> = items
                    .iter()
                    .map(|i| {
                        let kind = Kind::from_name(&i.kind).map(|k| k.label(ctx.lang)).unwrap_or_default();
                        let purge = i.purge_at.get(..10).unwrap_or_default();
                        let who = i.alias.as_deref().unwrap_or("-");
                        format!(
                            "{}  {kind} ({})  {who}  {}  [{}]",
                            i.deleted_at.get(..10).unwrap_or_default(),
                            i.records,
                            tr(ctx.lang, "trash.purge_on", &[("date", purge)]),
                            i.id
                        )
                    })
                    .collect();
                lines.join("\n")
            });
        }
        TrashCmd::Restore(a) => {
            trash::restore(&mut store, &a.id)?;
            ctx.out(&json!({"restored": a.id}), || tr(ctx.lang, "done.restored_from_trash", &[]));
        }
        TrashCmd::Empty => {
            let n = trash::purge(&mut store, chrono::Utc::now(), true)?;
            ctx.out(&json!({"purged": n}), || tr(ctx.lang, "done.trash_emptied", &[("n", &n.to_string())]));
        }
    }
    Ok(())
}

fn incident_fields(a: IncidentArgs) -> Fields {
    let mut f = Fields::new();
    put(&mut f, "occurred_on", a.occurred);
    put(&mut f, "discovered_on", a.discovered);
    put(&mut f, "description", a.description);
    put(&mut f, "persons_concerned", a.persons);
    put(&mut f, "serious_risk", a.serious_risk);
    put(&mut f, "risk_assessment", a.assessment);
    put(&mut f, "cai_notified_on", a.cai_notified);
    put(&mut f, "persons_notified_on", a.persons_notified);
    put(&mut f, "measures", a.measures);
    f
}

fn cmd_incident(ctx: &Ctx, c: IncidentCmd) -> Result<()> {
    use relais_core::case::incidents;
    let mut store = ctx.store()?;
    match c {
        IncidentCmd::Add(a) => {
            let f = incident_fields(a);
            let id = store.write(|w| w.insert(Kind::Incident, f))?;
            ctx.created(&id);
        }
        IncidentCmd::Edit(a) => {
            let id = store.resolve(Kind::Incident, &a.id)?;
            let f = incident_fields(a.fields);
            let changed = store.write(|w| w.update(Kind::Incident, &id, f))?;
            ctx.updated(Kind::Incident, &id, &changed);
        }
        IncidentCmd::List => {
            let all = incidents::list(&store)?;
            ctx.out(&all, || {
                if all.is_empty() {
                    return tr(ctx.lang, "incident.none", &[]);
                }
                let s = |r: &Fields, k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                all.iter()
                    .map(|r| {
                        format!("{}  {}  [{}]", s(r, "occurred_on"), s(r, "description").lines().next().unwrap_or_default(), s(r, "id"))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        IncidentCmd::Export(a) => {
            let text = incidents::export(&mut store, incidents::Format::parse(&a.format)?, ctx.lang)?;
            write_or_print(ctx, a.output, text.as_bytes(), "done.incidents")?;
        }
    }
    Ok(())
}

fn cmd_need(ctx: &Ctx, c: NeedCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        NeedCmd::Add(a) => {
            let person = store.resolve_person(&a.person)?;
            let mut f = Fields::new();
            put(&mut f, "person_id", Some(person));
            put(&mut f, "code", Some(a.code));
            put(&mut f, "phase", a.phase);
            put(&mut f, "status", a.status);
            put(&mut f, "note", a.note);
            let id = store.write(|w| w.insert(Kind::Need, f))?;
            ctx.created(&id);
        }
        NeedCmd::Set(a) => {
            let id = store.resolve(Kind::Need, &a.id)?;
            let mut f = Fields::new();
            put(&mut f, "status", a.status);
            put(&mut f, "phase", a.phase);
            put(&mut f, "note", a.note);
            let changed = store.write(|w| w.update(Kind::Need, &id, f))?;
            ctx.updated(Kind::Need, &id, &changed);
        }
    }
    Ok(())
}

fn appointment_fields(store: &Store, a: AppointmentFieldArgs) -> Result<Fields> {
    let mut f = Fields::new();
    put(&mut f, "starts_at", a.at);
    put(&mut f, "ends_at", a.end);
    put(&mut f, "kind", a.kind);
    put(&mut f, "place", a.place);
    if let Some(o) = a.org {
        put(&mut f, "org_id", Some(store.resolve_org(&o)?));
    }
    put(&mut f, "with_whom", a.with);
    put(&mut f, "need_id", a.need);
    put(&mut f, "accompanied", a.accompanied);
    put(&mut f, "interpreter_language", a.interpreter);
    put(&mut f, "transport", a.transport);
    put(&mut f, "interpreter_needed", a.interpreter_needed);
    put(&mut f, "interpreter_provider", a.interpreter_provider);
    put(&mut f, "interpreter_outside_confirmed", a.interpreter_outside_confirmed);
    put(&mut f, "status", a.status);
    put(&mut f, "outcome", a.outcome);
    put(&mut f, "accompaniment_minutes", a.accompaniment_time);
    Ok(f)
}

fn cmd_appointment(ctx: &Ctx, c: AppointmentCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        AppointmentCmd::Add(a) => {
            let person = store.resolve_person(&a.person)?;
            let mut f = appointment_fields(&store, a.fields)?;
            put(&mut f, "person_id", Some(person));
            let id = store.write(|w| w.insert(Kind::Appointment, f))?;
            ctx.created(&id);
        }
        AppointmentCmd::Set(a) => {
            let id = store.resolve(Kind::Appointment, &a.id)?;
            let f = appointment_fields(&store, a.fields)?;
            let changed = store.write(|w| w.update(Kind::Appointment, &id, f))?;
            ctx.updated(Kind::Appointment, &id, &changed);
        }
    }
    Ok(())
}

fn cmd_referral(ctx: &Ctx, c: ReferralCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        ReferralCmd::Add(a) => {
            let person = store.resolve_person(&a.person)?;
            let org = store.resolve_org(&a.org)?;
            let mut f = Fields::new();
            put(&mut f, "person_id", Some(person));
            put(&mut f, "org_id", Some(org));
            put(&mut f, "need_id", a.need);
            put(&mut f, "consent_id", a.consent);
            put(&mut f, "status", a.status);
            put(&mut f, "status_reason", a.reason);
            put(&mut f, "follow_up_on", a.follow_up);
            // Dollars as typed ("120,50", "120,50 $"): the core turns them into cents, or explains.
            put(&mut f, "amount_cents", a.amount);
            put(&mut f, "note", a.note);
            let id = store.write(|w| case::add_referral(w, f, a.override_reason.as_deref()))?;
            ctx.created(&id);
        }
        ReferralCmd::Status(a) => {
            let id = store.resolve(Kind::Referral, &a.id)?;
            store.write(|w| case::set_referral_status(w, &id, &a.status, a.reason.as_deref()))?;
            ctx.updated(Kind::Referral, &id, &["status".to_owned()]);
        }
    }
    Ok(())
}

fn cmd_org(ctx: &Ctx, c: OrgCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        OrgCmd::Edit(a) => {
            let id = store.resolve_org(&a.org)?;
            let mut f = org_fields(a.fields);
            put(&mut f, "name", a.name);
            let changed = store.write(|w| w.update(Kind::Organisation, &id, f))?;
            ctx.updated(Kind::Organisation, &id, &changed);
        }
        OrgCmd::Add(a) => {
            let (region, languages) = (a.fields.region.clone(), a.fields.languages.clone());
            let mut f = org_fields(a.fields);
            put(&mut f, "name", Some(a.name));
            let needs: Vec<String> =
                a.needs.map(|n| n.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
            let id = store.write(|w| {
                let id = w.insert(Kind::Organisation, f)?;
                for code in needs {
                    let mut s = Fields::new();
                    put(&mut s, "org_id", Some(id.clone()));
                    put(&mut s, "need_code", Some(code));
                    put(&mut s, "region", region.clone());
                    put(&mut s, "languages", languages.clone());
                    w.insert(Kind::Service, s)?;
                }
                Ok(id)
            })?;
            ctx.created(&id);
        }
        OrgCmd::List(a) => {
            let orgs = store.list_all(Kind::Organisation)?;
            let services = store.list_all(Kind::Service)?;
            let rows: Vec<Value> = orgs
                .iter()
                .filter_map(|o| {
                    let needs: Vec<&Value> = services.iter().filter(|s| s["org_id"] == o["id"]).map(|s| &s["need_code"]).collect();
                    if a.need.as_ref().is_some_and(|n| !needs.iter().any(|v| v.as_str() == Some(n))) {
                        return None;
                    }
                    Some(json!({"id": o["id"], "name": o["name"], "kind": o["kind"], "region": o["region"], "open_24_7": o["open_24_7"], "needs": needs}))
                })
                .collect();
            ctx.out(&rows, || render::org_list(ctx.lang, &rows));
        }
        OrgCmd::Import(a) => {
            let path = a.file;
            let mut text = Vec::new();
            std::fs::File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut text))
                .with_context(|| tr(ctx.lang, "error.read_file", &[("path", &path.display().to_string())]))?;
            let r = directory::import_csv(&mut store, &text[..])?;
            ctx.out(&r, || {
                tr(
                    ctx.lang,
                    "done.org_import",
                    &[
                        ("created", &r.created.to_string()),
                        ("updated", &r.updated.to_string()),
                        ("unchanged", &r.unchanged.to_string()),
                        ("services", &r.services_added.to_string()),
                    ],
                )
            });
        }
    }
    Ok(())
}

fn cmd_court(ctx: &Ctx, c: CourtCmd) -> Result<()> {
    let mut store = ctx.store()?;
    let CourtCmd::Add(a) = c;
    let person = store.resolve_person(&a.person)?;
    let mut f = Fields::new();
    put(&mut f, "person_id", Some(person));
    put(&mut f, "file_number", a.file_number);
    put(&mut f, "court", a.court);
    put(&mut f, "district", a.district);
    put(&mut f, "role", a.role);
    put(&mut f, "prosecutor", a.prosecutor);
    put(&mut f, "note", a.note);
    let id = store.write(|w| w.insert(Kind::Proceeding, f))?;
    ctx.created(&id);
    Ok(())
}

fn cmd_milestone(ctx: &Ctx, c: MilestoneCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        MilestoneCmd::Add(a) => {
            let proceeding = store.resolve(Kind::Proceeding, &a.proceeding)?;
            let mut f = Fields::new();
            put(&mut f, "proceeding_id", Some(proceeding));
            put(&mut f, "code", Some(a.code));
            put(&mut f, "status", a.status);
            put(&mut f, "due_on", a.due);
            put(&mut f, "done_on", a.done);
            put(&mut f, "note", a.note);
            let id = store.write(|w| w.insert(Kind::Milestone, f))?;
            ctx.created(&id);
        }
        MilestoneCmd::Set(a) => {
            let id = store.resolve(Kind::Milestone, &a.id)?;
            let mut f = Fields::new();
            put(&mut f, "status", a.status);
            put(&mut f, "due_on", a.due);
            put(&mut f, "done_on", a.done);
            put(&mut f, "note", a.note);
            let changed = store.write(|w| w.update(Kind::Milestone, &id, f))?;
            ctx.updated(Kind::Milestone, &id, &changed);
        }
    }
    Ok(())
}

fn cmd_aid(ctx: &Ctx, c: AidCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        AidCmd::Add(a) => {
            let proceeding = store.resolve(Kind::Proceeding, &a.proceeding)?;
            let mut f = Fields::new();
            put(&mut f, "proceeding_id", Some(proceeding));
            put(&mut f, "code", Some(a.code));
            put(&mut f, "status", a.status);
            put(&mut f, "requested_on", a.requested);
            let id = store.write(|w| w.insert(Kind::TestimonialAid, f))?;
            ctx.created(&id);
        }
        AidCmd::Set(a) => {
            let id = store.resolve(Kind::TestimonialAid, &a.id)?;
            let mut f = Fields::new();
            put(&mut f, "status", Some(a.status));
            put(&mut f, "decided_on", a.decided);
            let changed = store.write(|w| w.update(Kind::TestimonialAid, &id, f))?;
            ctx.updated(Kind::TestimonialAid, &id, &changed);
        }
    }
    Ok(())
}

fn cmd_deadline(ctx: &Ctx, c: DeadlineCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        DeadlineCmd::Add(a) => {
            let person = store.resolve_person(&a.person)?;
            let mut f = Fields::new();
            put(&mut f, "person_id", Some(person));
            put(&mut f, "kind", Some(a.kind));
            put(&mut f, "due_on", Some(a.due));
            put(&mut f, "label", a.label);
            put(&mut f, "ivac_status", a.ivac_status);
            put(&mut f, "permit_status", a.permit_status);
            let id = store.write(|w| w.insert(Kind::Deadline, f))?;
            ctx.created(&id);
        }
        DeadlineCmd::Set(a) => {
            let id = store.resolve(Kind::Deadline, &a.id)?;
            let mut f = Fields::new();
            put(&mut f, "due_on", a.due);
            put(&mut f, "ivac_status", a.ivac_status);
            put(&mut f, "permit_status", a.permit_status);
            put(&mut f, "done_on", a.done);
            let changed = store.write(|w| w.update(Kind::Deadline, &id, f))?;
            ctx.updated(Kind::Deadline, &id, &changed);
        }
    }
    Ok(())
}

fn cmd_note(ctx: &Ctx, c: NoteCmd) -> Result<()> {
    let mut store = ctx.store()?;
    let NoteCmd::Add(a) = c;
    let person = store.resolve_person(&a.person)?;
    // `--text -` reads the note from standard input, so it stays out of the shell history.
    let text = if a.text == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        a.text
    };
    let mut f = Fields::new();
    put(&mut f, "person_id", Some(person));
    put(&mut f, "text", Some(text));
    put(&mut f, "kind", a.kind);
    put(&mut f, "at", a.at);
    put(&mut f, "minutes", a.minutes);
    let id = store.write(|w| w.insert(Kind::Note, f))?;
    ctx.created(&id);
    Ok(())
}

fn cmd_consent(ctx: &Ctx, c: ConsentCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        ConsentCmd::Add(a) => {
            let person = store.resolve_person(&a.person)?;
            let mut f = Fields::new();
            put(&mut f, "person_id", Some(person));
            put(&mut f, "scope", Some(a.scope));
            put(&mut f, "method", Some(a.method));
            if let Some(o) = a.org {
                put(&mut f, "org_id", Some(store.resolve_org(&o)?));
            }
            put(&mut f, "recipient", a.recipient);
            put(&mut f, "starts_on", a.from);
            put(&mut f, "ends_on", a.to);
            put(&mut f, "note", a.note);
            let id = store.write(|w| w.insert(Kind::Consent, f))?;
            ctx.created(&id);
        }
        ConsentCmd::Withdraw(a) => {
            let id = store.resolve(Kind::Consent, &a.id)?;
            let on = a.on.unwrap_or_else(|| relais_core::time::local_now().date_naive().to_string());
            let mut f = Fields::new();
            put(&mut f, "withdrawn_on", Some(on));
            let changed = store.write(|w| w.update(Kind::Consent, &id, f))?;
            ctx.updated(Kind::Consent, &id, &changed);
        }
    }
    Ok(())
}

fn cmd_safety(ctx: &Ctx, c: SafetyCmd) -> Result<()> {
    let mut store = ctx.store()?;
    let SafetyCmd::Add(a) = c;
    let person = store.resolve_person(&a.person)?;
    let mut f = Fields::new();
    put(&mut f, "person_id", Some(person));
    put(&mut f, "text", Some(a.text));
    put(&mut f, "review_on", a.review);
    let id = store.write(|w| w.insert(Kind::SafetyItem, f))?;
    ctx.created(&id);
    Ok(())
}

fn cmd_doc(ctx: &Ctx, c: DocCmd) -> Result<()> {
    use relais_core::case::documents;
    let mut store = ctx.store()?;
    match c {
        DocCmd::Add(a) => {
            let person = store.resolve_person(&a.person)?;
            let bytes = documents::read_file(&a.file).map_err(|e| match e {
                relais_core::Error::Io(e) => {
                    anyhow::Error::new(e).context(tr(ctx.lang, "error.read_file", &[("path", &a.file.display().to_string())]))
                }
                other => other.into(),
            })?;
            let mut f = Fields::new();
            put(&mut f, "person_id", Some(person));
            put(&mut f, "title", Some(a.title));
            put(&mut f, "kind", Some(a.kind));
            put(&mut f, "dated_on", a.on);
            put(&mut f, "consent_id", a.consent.map(|c| store.resolve(Kind::Consent, &c)).transpose()?);
            put(&mut f, "deadline_id", a.deadline.map(|c| store.resolve(Kind::Deadline, &c)).transpose()?);
            put(&mut f, "proceeding_id", a.proceeding.map(|c| store.resolve(Kind::Proceeding, &c)).transpose()?);
            put(&mut f, "file_name", a.file.file_name().map(|n| n.to_string_lossy().into_owned()));
            let id = documents::add(&mut store, f, &bytes)?;
            ctx.created(&id);
        }
        DocCmd::List(a) => {
            let person = store.resolve_person(&a.person)?;
            let docs = documents::list(&store, &person)?;
            ctx.out(&docs, || render::documents(ctx.lang, &docs));
        }
        DocCmd::Get(a) => {
            let id = store.resolve(Kind::Document, &a.id)?;
            documents::save_copy(&mut store, &id, &a.output)
                .with_context(|| tr(ctx.lang, "error.write_file", &[("path", &a.output.display().to_string())]))?;
            let path = a.output.display().to_string();
            ctx.out(&json!({"id": id, "path": path}), || tr(ctx.lang, "done.document_copy", &[("path", &path)]));
        }
        DocCmd::Edit(a) => {
            let id = store.resolve(Kind::Document, &a.id)?;
            let mut f = Fields::new();
            for (k, v) in [("title", a.title), ("kind", a.kind), ("dated_on", a.on)] {
                if let Some(v) = v {
                    f.insert(k.into(), json!(v));
                }
            }
            let changed = store.write(|w| w.update(Kind::Document, &id, f))?;
            ctx.updated(Kind::Document, &id, &changed);
        }
        DocCmd::Remove(a) => {
            let id = store.resolve(Kind::Document, &a.id)?;
            let trash_id = relais_core::case::trash::delete(&mut store, Kind::Document, &id)?;
            ctx.out(&json!({"trash_id": trash_id}), || {
                tr(ctx.lang, "done.trashed", &[("id", &trash_id), ("days", &relais_core::case::trash::DAYS.to_string())])
            });
        }
    }
    Ok(())
}

fn cmd_expense(ctx: &Ctx, c: ExpenseCmd) -> Result<()> {
    let mut store = ctx.store()?;
    let ExpenseCmd::Add(a) = c;
    let person = store.resolve_person(&a.person)?;
    let mut f = Fields::new();
    put(&mut f, "person_id", Some(person));
    put(&mut f, "amount_cents", Some(a.amount));
    put(&mut f, "fund", Some(a.fund));
    put(&mut f, "category", Some(a.category));
    put(&mut f, "spent_on", Some(a.on.unwrap_or_else(|| relais_core::time::local_now().date_naive().to_string())));
    put(&mut f, "note", a.note);
    let id = store.write(|w| w.insert(Kind::Expense, f))?;
    ctx.created(&id);
    Ok(())
}

fn cmd_task(ctx: &Ctx, c: TaskCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match c {
        TaskCmd::Add(a) => {
            let mut f = Fields::new();
            if let Some(p) = a.person {
                put(&mut f, "person_id", Some(store.resolve_person(&p)?));
            }
            put(&mut f, "title", Some(a.title));
            put(&mut f, "due_on", a.due);
            let id = store.write(|w| w.insert(Kind::Task, f))?;
            ctx.created(&id);
        }
        TaskCmd::Done(a) => {
            let id = store.resolve(Kind::Task, &a.id)?;
            let mut f = Fields::new();
            put(&mut f, "done_at", Some(relais_core::time::to_db(chrono::Utc::now())));
            let changed = store.write(|w| w.update(Kind::Task, &id, f))?;
            ctx.updated(Kind::Task, &id, &changed);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
