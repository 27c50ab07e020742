//! What crosses the IPC boundary: every command's arguments, results and errors. The
//! TypeScript the UI uses is generated from these types ([`typescript`]) and committed as
//! `ui/src/lib/bindings.ts`; a test fails when it is stale (`RELAIS_BLESS=1` rewrites it).

use relais_core::record::{Col, Ty};
use relais_core::secret::Passphrase;
use relais_core::{Error, Fields, Kind, Lang};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Codes the app adds to the core's [`relais_core::error::codes`].
pub const APP_CODES: &[&str] = &["Locked", "NoVault", "UnknownKind", "Busy", "NothingToImport", "NoFileChosen", "NoCoalitionReport"];

/// An error as the UI receives it: a stable code, a message for a person in their language
/// (what happened, what to do) and, for a form, the field it is about.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ApiError {
    #[ts(type = "ErrorCode")]
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn from_core(e: &Error, lang: Lang) -> ApiError {
        let field = match e {
            Error::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        ApiError { code: e.code().to_owned(), message: e.message(lang), field }
    }

    pub fn app(code: &'static str, lang: Lang) -> ApiError {
        debug_assert!(APP_CODES.contains(&code));
        let key = match code {
            "Locked" => "error.locked",
            "NoVault" => "error.no_vault",
            "UnknownKind" => "error.unknown_kind",
            "NoFileChosen" => "error.no_file_chosen",
            "NothingToImport" => "error.nothing_to_import",
            "NoCoalitionReport" => "error.no_coalition_report",
            _ => "error.busy",
        };
        let message = relais_core::lang::finish(rust_i18n::t!(key, locale = lang.code()).into_owned(), lang, &[]);
        ApiError { code: code.to_owned(), message, field: None }
    }
}

/// What the first screen needs to know.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    /// The worker's own vault exists on this computer.
    pub vault_exists: bool,
    /// A vault is open.
    pub unlocked: bool,
    /// The open vault is the fictional demo.
    pub demo: bool,
    pub lang: Lang,
    pub autolock_minutes: u32,
    pub backup_reminder_days: u32,
    /// Days without contact before the dashboard flags a case.
    pub no_contact_days: u32,
    /// Minutes before an appointment its reminder shows.
    pub reminder_lead_minutes: u32,
    /// Reminders name the person.
    pub reminders_name_persons: bool,
    /// The open vault's owner.
    pub owner_name: Option<String>,
    pub version: String,
}

/// Passphrases from the page go straight into `Passphrase` (wiped when dropped, printed as
/// `***`): no argument struct holding one can be cloned.
#[derive(Debug, Deserialize, TS)]
pub struct CreateVaultArgs {
    pub name: String,
    pub org: String,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
    #[ts(type = "string")]
    pub confirm: Passphrase,
}

#[derive(Debug, Deserialize, TS)]
pub struct UnlockArgs {
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct RecordArgs {
    /// Kind name (`person`, `need`, `appointment`…).
    pub kind: String,
    /// For an update: the record's id.
    pub id: Option<String>,
    pub fields: Fields,
    /// With no consent naming the recipient: the worker's written reason to go ahead anyway.
    #[serde(default)]
    #[ts(optional)]
    pub override_reason: Option<String>,
    /// A share carries the cases' documents (a transfer always does).
    #[serde(default)]
    #[ts(optional)]
    pub documents: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ReferralStatusArgs {
    pub id: String,
    pub status: String,
    pub reason: Option<String>,
}

/// Closing a case: the closure reason (a `closure_reasons` code) and a note (required for
/// `other`).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CloseArgs {
    pub id: String,
    pub reason: String,
    pub note: Option<String>,
}

/// Reopening a closed case, with the reason kept in its history.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ReopenArgs {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct OrganisationsArgs {
    /// A need code: organisations serving it, 24/7 first, then region, then language.
    pub need: Option<String>,
    pub region: Option<String>,
    pub language: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
pub struct ChangePassphraseArgs {
    #[ts(type = "string")]
    pub old: Passphrase,
    #[ts(type = "string")]
    pub new: Passphrase,
    #[ts(type = "string")]
    pub confirm: Passphrase,
}

#[derive(Debug, Deserialize, TS)]
pub struct RecoveryArgs {
    /// The organisation's recovery recipient, `age1…`.
    pub recipient: String,
    /// The vault's passphrase.
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

/// The worker's own identity, and the card to give to colleagues.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IdentityView {
    pub identity: relais_core::exchange::identity::Identity,
    /// The contact card as text (JSON), also shown as a QR code.
    pub card: String,
    /// The card as a QR code, an SVG document.
    pub qr_svg: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct PickArgs {
    /// Save (true) or open (false).
    pub save: bool,
    pub title: String,
    /// Suggested file name when saving.
    pub name: String,
    /// The file types offered by the dialog, comma-separated (`relais`, `pdf`, `html`, `md`, `age`,
    /// `relais-anchor,relais-backup`); empty: `relais`; `*`: any file.
    #[serde(default)]
    pub ext: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SummaryArgs {
    /// Person id.
    pub person: String,
    /// First day (`YYYY-MM-DD`); none or empty: from the intake.
    pub from: Option<String>,
    /// Last day; none or empty: today.
    pub to: Option<String>,
    /// The partner version (else internal).
    pub partner: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct SummarySaveArgs {
    pub summary: SummaryArgs,
    /// `pdf`, `html` or `md`.
    pub format: String,
    /// A contact id: the file is encrypted (age) for them instead of written in clear.
    pub to: Option<String>,
    /// At partner level, who it is for (else the contact it is encrypted for).
    #[serde(default)]
    #[ts(optional)]
    pub recipient: Option<String>,
    /// With no consent naming the recipient: the worker's written reason to go ahead anyway.
    #[serde(default)]
    #[ts(optional)]
    pub override_reason: Option<String>,
    /// A share carries the cases' documents (a transfer always does).
    #[serde(default)]
    #[ts(optional)]
    pub documents: Option<bool>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SummarySaved {
    pub path: String,
    pub encrypted: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RetentionInfo {
    /// The organisation's period, in years after closure.
    pub years: u32,
    pub cases: Vec<relais_core::case::retention::CaseRetention>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct RetentionCaseArgs {
    pub person: String,
    /// `YYYY-MM-DD`; none: back to the organisation's period.
    pub until: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct DestroyArgs {
    pub person: String,
    pub policy: relais_core::case::retention::Policy,
    /// The person's alias, typed again.
    pub confirm: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct MergeArgs {
    /// The file kept.
    pub keep: String,
    /// The file merged into it, then removed.
    pub merge: String,
    /// The removed file's alias, typed again.
    pub confirm: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct TrashArgs {
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct IncidentExportArgs {
    /// `csv` or `json`.
    pub format: String,
}

#[derive(Debug, Deserialize, TS)]
pub struct BackupArgs {
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupStatus {
    /// When the last backup was made (UTC RFC 3339), if ever.
    pub last: Option<String>,
    pub remind_after_days: u32,
    /// Older than that, or never made.
    pub due: bool,
}

/// The audit log checked ([`relais_core::vault::audit::verify`]), against an anchor when one was
/// chosen (an anchor file or a backup).
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditCheck {
    /// Events checked.
    pub events: i64,
    /// The first break, if any.
    pub first_break: Option<relais_core::vault::audit::Break>,
    /// The anchor's event and when it was made (UTC RFC 3339), when checked against one.
    pub anchor_seq: Option<i64>,
    pub anchor_at: Option<String>,
}

/// An anchor written to the file chosen in the save dialog.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AnchorWritten {
    pub path: String,
    /// The last event the anchor signs.
    pub seq: i64,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct StatsArgs {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// This vault's needs ledger for the coalition's coordinator.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct LedgerExportArgs {
    /// The coordinator's contact id (verified).
    pub contact: String,
    /// First day of the period (YYYY-MM-DD).
    pub from: String,
    /// Last day of the period.
    pub to: String,
}

/// A received ledger, as listed before the merge.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LedgerItem {
    /// The sender's name in the contact book.
    pub sender: String,
    /// The sender's fingerprint.
    pub fingerprint: String,
    /// The period it covers.
    pub from: Option<String>,
    pub to: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ExportArgs {
    /// Person ids.
    pub persons: Vec<String>,
    /// Contact ids.
    pub to: Vec<String>,
    /// The cases move (the copy here becomes read-only) instead of being shared.
    pub transfer: bool,
    /// Into the team folder rather than the file chosen in the save dialog.
    #[serde(default)]
    #[ts(optional)]
    pub team: Option<bool>,
    /// With no consent naming the recipient: the worker's written reason to go ahead anyway.
    #[serde(default)]
    #[ts(optional)]
    pub override_reason: Option<String>,
    /// A share carries the cases' documents (a transfer always does).
    #[serde(default)]
    #[ts(optional)]
    pub documents: Option<bool>,
}

/// What the calendar file holds.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CalendarArgs {
    /// First and last day, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub with_alias: bool,
    pub with_place: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CalendarSaved {
    pub path: String,
    pub events: usize,
}

/// How reminders behave.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct RemindersArgs {
    pub lead_minutes: u32,
    pub name_persons: bool,
}

/// A document to attach (its file is the one chosen last in the open dialog).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct DocumentArgs {
    pub person_id: String,
    pub title: String,
    /// A code of `document_kinds`.
    pub kind: String,
    #[serde(default)]
    #[ts(optional)]
    pub dated_on: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub consent_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub deadline_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub proceeding_id: Option<String>,
}

/// The documents of the cases about to be sent.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DocumentTotals {
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The most document bytes one bundle carries.
    #[ts(type = "number")]
    pub max_bytes: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportDone {
    pub bundle_id: String,
    pub persons: usize,
    pub records: usize,
    pub path: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ImportArgs {
    /// Open it even though the sender's fingerprint was not checked in person.
    pub accept_unverified: bool,
    /// A file of the team folder's inbox (its name) rather than the file chosen in the dialog.
    #[serde(default)]
    #[ts(optional)]
    pub file: Option<String>,
}

/// An import applied, and for a file of the inbox, what followed (receipt, clean-up).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Imported {
    pub preview: relais_core::exchange::Preview,
    pub after: Option<relais_core::exchange::team::AfterImport>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct ResolveArgs {
    /// Conflict id.
    pub id: String,
    /// Keep the version received (true) or the one here (false).
    pub keep_theirs: bool,
}

/// The type of a field, for the forms.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Long,
    Bool,
    Int,
    /// Cents, typed and shown in dollars.
    Money,
    /// Whole minutes, typed and shown as « 1 h 30 min ».
    Minutes,
    Date,
    DateTime,
    Code,
    Codes,
    Words,
    Ref,
}

/// One field of a kind of record, as the core defines it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FieldSpec {
    pub name: String,
    pub ty: FieldType,
    /// For codes: the catalogue list.
    pub list: Option<String>,
    /// For references: the kind referred to.
    pub ref_kind: Option<String>,
    pub required: bool,
    /// For text: the most characters allowed.
    pub max: Option<u32>,
    /// Identifying or endangering if shared.
    pub sensitive: bool,
    /// The core fills it when left empty (a form need not insist).
    pub defaulted: bool,
}

impl FieldSpec {
    fn of(kind: Kind, c: &Col) -> FieldSpec {
        let (ty, list, ref_kind, max) = match c.ty {
            Ty::Text(n) if n > 300 => (FieldType::Long, None, None, Some(n as u32)),
            Ty::Text(n) => (FieldType::Text, None, None, Some(n as u32)),
            Ty::Bool => (FieldType::Bool, None, None, None),
            Ty::Int => (FieldType::Int, None, None, None),
            Ty::Money => (FieldType::Money, None, None, None),
            Ty::Minutes => (FieldType::Minutes, None, None, None),
            Ty::Date => (FieldType::Date, None, None, None),
            Ty::DateTime => (FieldType::DateTime, None, None, None),
            Ty::Code(l) => (FieldType::Code, Some(l.to_owned()), None, None),
            Ty::Codes(l) => (FieldType::Codes, Some(l.to_owned()), None, None),
            Ty::Words => (FieldType::Words, None, None, None),
            Ty::Ref(k) => (FieldType::Ref, None, Some(k.name().to_owned()), None),
        };
        FieldSpec {
            name: c.name.to_owned(),
            ty,
            list,
            ref_kind,
            required: c.required,
            max,
            sensitive: c.sensitive,
            defaulted: relais_core::model::defaulted_fields(kind).contains(&c.name),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct KindSpec {
    pub name: String,
    pub fields: Vec<FieldSpec>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CatalogueList {
    pub name: String,
    pub entries: Vec<relais_core::model::catalogue::Entry>,
}

/// The kinds of records and the catalogues: what the forms are built from.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Schema {
    pub kinds: Vec<KindSpec>,
    pub catalogues: Vec<CatalogueList>,
}

impl Schema {
    pub fn build() -> Schema {
        let cat = relais_core::model::catalogue::Catalogues::get();
        Schema {
            kinds: Kind::ALL
                .iter()
                .map(|k| KindSpec { name: k.name().to_owned(), fields: k.columns().iter().map(|c| FieldSpec::of(*k, c)).collect() })
                .collect(),
            catalogues: cat.names().map(|n| CatalogueList { name: n.to_owned(), entries: cat.list(n).to_vec() }).collect(),
        }
    }
}

/// Progress of a long operation, sent as the `progress` event.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Progress {
    /// `demo`, `import`, `export`.
    pub op: String,
    pub done: usize,
    pub total: usize,
}

/// Every command: its arguments (as passed to `invoke`) and its result.
/// Each command's name, arguments and result (TypeScript), from `commands.in.rs`.
macro_rules! relais_commands {
    ($($module:ident :: $name:ident : $args:literal => $result:literal),* $(,)?) => {
        &[$((stringify!($name), $args, $result)),*]
    };
}
const COMMANDS: &[(&str, &str, &str)] = include!("../commands.in.rs");

/// The names of the commands, as registered.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|(n, _, _)| *n)
}

/// The generated TypeScript: every type above and those of the core they use, the error
/// codes, and the map of commands.
pub fn typescript() -> String {
    use relais_core::case::{directory, person_file, search};
    use relais_core::demo;
    use relais_core::exchange::{self, identity};
    use relais_core::reports::dashboard;
    use relais_core::vault::audit;
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri (api.rs): do not edit.\n\
         // Regenerate with `RELAIS_BLESS=1 cargo test -p relais-app bindings`.\n\n\
         export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;\n\
         export type JsonMap = { [key in string]?: JsonValue };\n\n",
    );
    // Counts are i64 in Rust, but never near 2^53: plain JSON numbers for the UI.
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        ApiError::decl(&cfg),
        AppInfo::decl(&cfg),
        CreateVaultArgs::decl(&cfg),
        UnlockArgs::decl(&cfg),
        RecordArgs::decl(&cfg),
        ReferralStatusArgs::decl(&cfg),
        CloseArgs::decl(&cfg),
        ReopenArgs::decl(&cfg),
        OrganisationsArgs::decl(&cfg),
        FieldType::decl(&cfg),
        FieldSpec::decl(&cfg),
        KindSpec::decl(&cfg),
        CatalogueList::decl(&cfg),
        Schema::decl(&cfg),
        Progress::decl(&cfg),
        ChangePassphraseArgs::decl(&cfg),
        RecoveryArgs::decl(&cfg),
        IdentityView::decl(&cfg),
        PickArgs::decl(&cfg),
        ExportArgs::decl(&cfg),
        DocumentArgs::decl(&cfg),
        RemindersArgs::decl(&cfg),
        CalendarArgs::decl(&cfg),
        CalendarSaved::decl(&cfg),
        relais_core::reports::agenda::Reminder::decl(&cfg),
        relais_core::reports::agenda::ReminderKind::decl(&cfg),
        DocumentTotals::decl(&cfg),
        ExportDone::decl(&cfg),
        SummaryArgs::decl(&cfg),
        SummarySaveArgs::decl(&cfg),
        SummarySaved::decl(&cfg),
        StatsArgs::decl(&cfg),
        LedgerExportArgs::decl(&cfg),
        LedgerItem::decl(&cfg),
        BackupArgs::decl(&cfg),
        relais_core::vault::backup::Restored::decl(&cfg),
        BackupStatus::decl(&cfg),
        AuditCheck::decl(&cfg),
        AnchorWritten::decl(&cfg),
        audit::Break::decl(&cfg),
        RetentionInfo::decl(&cfg),
        RetentionCaseArgs::decl(&cfg),
        DestroyArgs::decl(&cfg),
        MergeArgs::decl(&cfg),
        relais_core::case::duplicates::Candidate::decl(&cfg),
        relais_core::case::intake::Checklist::decl(&cfg),
        relais_core::case::intake::ChecklistItem::decl(&cfg),
        relais_core::case::duplicates::Merged::decl(&cfg),
        TrashArgs::decl(&cfg),
        IncidentExportArgs::decl(&cfg),
        relais_core::case::retention::CaseRetention::decl(&cfg),
        relais_core::case::retention::Destroyed::decl(&cfg),
        relais_core::case::retention::Policy::decl(&cfg),
        relais_core::case::trash::Item::decl(&cfg),
        relais_core::reports::summary::Doc::decl(&cfg),
        relais_core::reports::summary::Section::decl(&cfg),
        relais_core::reports::summary::Line::decl(&cfg),
        relais_core::reports::summary::Step::decl(&cfg),
        relais_core::reports::summary::Figure::decl(&cfg),
        relais_core::reports::stats::Stats::decl(&cfg),
        relais_core::reports::stats::Table::decl(&cfg),
        relais_core::reports::stats::Head::decl(&cfg),
        relais_core::reports::stats::Median::decl(&cfg),
        relais_core::reports::stats::Sum::decl(&cfg),
        relais_core::reports::stats::Sums::decl(&cfg),
        ImportArgs::decl(&cfg),
        Imported::decl(&cfg),
        relais_core::exchange::team::AfterImport::decl(&cfg),
        relais_core::exchange::team::Cleanup::decl(&cfg),
        relais_core::exchange::team::TeamSettings::decl(&cfg),
        relais_core::exchange::team::ReportSchedule::decl(&cfg),
        relais_core::exchange::team::Inbox::decl(&cfg),
        relais_core::exchange::team::InboxItem::decl(&cfg),
        relais_core::exchange::team::InboxState::decl(&cfg),
        relais_core::exchange::team::Ignored::decl(&cfg),
        relais_core::exchange::team::ReceiptTaken::decl(&cfg),
        relais_core::exchange::team::Colleague::decl(&cfg),
        relais_core::exchange::team::TeamCase::decl(&cfg),
        relais_core::exchange::TeamReport::decl(&cfg),
        relais_core::exchange::ReportCase::decl(&cfg),
        ResolveArgs::decl(&cfg),
        Lang::decl(&cfg),
        relais_core::model::catalogue::Entry::decl(&cfg),
        dashboard::Item::decl(&cfg),
        dashboard::Bucket::decl(&cfg),
        dashboard::SafeFlags::decl(&cfg),
        dashboard::PhaseCount::decl(&cfg),
        dashboard::Dashboard::decl(&cfg),
        dashboard::CalendarItem::decl(&cfg),
        dashboard::CalendarDay::decl(&cfg),
        search::PersonHit::decl(&cfg),
        search::NoteHit::decl(&cfg),
        search::Results::decl(&cfg),
        search::CaseRow::decl(&cfg),
        search::CasePage::decl(&cfg),
        person_file::PersonFile::decl(&cfg),
        person_file::Author::decl(&cfg),
        person_file::Totals::decl(&cfg),
        audit::Event::decl(&cfg),
        identity::Identity::decl(&cfg),
        directory::Suggestion::decl(&cfg),
        demo::DemoReport::decl(&cfg),
        exchange::BundleKind::decl(&cfg),
        exchange::Counts::decl(&cfg),
        exchange::Preview::decl(&cfg),
        exchange::ConflictItem::decl(&cfg),
        exchange::RecordChange::decl(&cfg),
        relais_core::vault::Rekey::decl(&cfg),
    ];
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push('\n');
    }
    let codes: Vec<String> = relais_core::error::codes().into_iter().chain(APP_CODES.iter().copied()).map(|c| format!("\"{c}\"")).collect();
    out.push_str(&format!("\nexport type ErrorCode = {};\n", codes.join(" | ")));
    out.push_str(&record_types());
    out.push_str("\nexport interface Commands {\n");
    for (name, args, result) in COMMANDS {
        out.push_str(&format!("  {name}: {{ args: {args}; result: {result} }};\n"));
    }
    out.push_str("}\n");
    // serde_json's map is spelled out by ts-rs; one name for it reads better.
    out.replace("{ [key in string]?: JsonValue }", "JsonMap").replace("{ [key in string]: JsonValue }", "JsonMap").replacen(
        "export type JsonMap = JsonMap;",
        "export type JsonMap = { [key in string]?: JsonValue };",
        1,
    )
}

/// One interface per record kind, from the kinds' columns (`PersonRecord`, `NeedRecord`…), and
/// `KindRecords` (each kind's name to its interface) and `KIND_FIELDS`, every kind's columns,
/// which the UI's catalogue test checks against the labels.
fn record_types() -> String {
    let mut out = String::from("\n// The records of each kind, as the core stores and sends them.\n");
    let mut fields = String::from(
        "\nexport const KIND_FIELDS: { readonly [K in keyof KindRecords]: ReadonlyArray<keyof KindRecords[K] & string> } = {\n",
    );
    let mut by_kind = String::from("\n// The record type of each kind, by the kind's name.\nexport interface KindRecords {\n");
    for kind in Kind::ALL {
        let name: String = kind.name().split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
        out.push_str(&format!(
            "export interface {name}Record {{\n  id: string;\n  created_at: string;\n  updated_at: string;\n  revision: number;\n  \
             created_by: string;\n  updated_by: string;\n  versions: {{ [fingerprint: string]: number }};\n"
        ));
        for col in kind.columns() {
            let ty = match col.ty {
                Ty::Bool => "boolean",
                Ty::Int | Ty::Money | Ty::Minutes => "number",
                Ty::Codes(_) | Ty::Words => "Array<string>",
                Ty::Text(_) | Ty::Date | Ty::DateTime | Ty::Code(_) | Ty::Ref(_) => "string",
            };
            let null = if col.required { "" } else { " | null" };
            out.push_str(&format!("  {}: {ty}{null};\n", col.name));
        }
        out.push_str("}\n");
        by_kind.push_str(&format!("  {}: {name}Record;\n", kind.name()));
        let cols: Vec<String> = kind.columns().iter().map(|c| format!("\"{}\"", c.name)).collect();
        fields.push_str(&format!("  {}: [{}],\n", kind.name(), cols.join(", ")));
    }
    fields.push_str("};\n");
    by_kind.push_str("}\n");
    out + &by_kind + &fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let fresh = typescript();
        if std::env::var_os("RELAIS_BLESS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/lib/bindings.ts is stale: run `RELAIS_BLESS=1 cargo test -p relais-app bindings` and commit it"
        );
    }

    /// Splits `text` at the commas outside brackets (`<>`, `()`, `{}`, `[]`).
    fn top_level(text: &str) -> Vec<String> {
        let (mut depth, mut part, mut out) = (0i32, String::new(), Vec::new());
        for c in text.chars() {
            match c {
                '<' | '(' | '{' | '[' => depth += 1,
                '>' | ')' | '}' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(std::mem::take(&mut part));
                    continue;
                }
                _ => {}
            }
            part.push(c);
        }
        out.push(part);
        out.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
    }

    #[test]
    fn the_arguments_the_page_sends_are_the_parameters_tauri_reads() {
        // Tauri reads a command's parameters from the page's object under their camelCase
        // names: `per_day` sent as such is silently ignored (the calendar got every appointment
        // of the week). Each command's TypeScript arguments must be its Rust parameters', in
        // camelCase, in order (the app's handle, state and window are not sent).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let sources: String =
            std::fs::read_dir(&dir).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default()).collect();
        for (path, args, _) in COMMANDS {
            let name = path.rsplit("::").next().unwrap();
            let start = sources
                .find(&format!("pub async fn {name}("))
                .or_else(|| sources.find(&format!("pub fn {name}(")))
                .unwrap_or_else(|| panic!("command {name} not found"));
            let open = start + sources[start..].find('(').unwrap() + 1;
            let mut depth = 1;
            let close = open
                + sources[open..]
                    .char_indices()
                    .find(|(_, c)| {
                        depth += match c {
                            '(' => 1,
                            ')' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .unwrap()
                    .0;
            let rust: Vec<String> = top_level(&sources[open..close])
                .into_iter()
                .filter_map(|p| {
                    let (ident, ty) = p.split_once(':')?;
                    let sent = !["AppHandle", "State<", "Window", "WebviewWindow"].iter().any(|t| ty.trim().starts_with(t));
                    sent.then(|| {
                        let ident = ident.trim().trim_start_matches("mut ").to_owned();
                        let mut parts = ident.split('_');
                        let first = parts.next().unwrap_or_default().to_owned();
                        first + &parts.map(|w| w[..1].to_uppercase() + &w[1..]).collect::<String>()
                    })
                })
                .collect();
            let ts: Vec<String> = if *args == "Record<string, never>" {
                Vec::new()
            } else {
                let inner = args.trim().trim_start_matches('{').trim_end_matches('}');
                top_level(inner).iter().map(|a| a.split(':').next().unwrap().trim().to_owned()).collect()
            };
            assert_eq!(ts, rust, "{name}: the page's arguments are not the command's parameters");
        }
    }

    #[test]
    fn the_capability_grants_exactly_the_commands() {
        // build.rs writes the capability from `commands.in.rs`; the committed file is that.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let cap: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("capabilities/main.json")).unwrap()).unwrap();
        let granted: Vec<&str> = cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        let mut expected = vec!["core:event:allow-listen".to_owned(), "core:event:allow-unlisten".to_owned()];
        expected.extend(command_names().map(|n| format!("allow-{}", n.replace('_', "-"))));
        assert_eq!(granted, expected);
    }
}
