// Generated from the Rust types by src-tauri (api.rs): do not edit.
// Regenerate with `RELAIS_BLESS=1 cargo test -p relais-app bindings`.

export type JsonValue = number | string | boolean | Array<JsonValue> | JsonMap | null;
export type JsonMap = { [key in string]?: JsonValue };

export type ApiError = { code: ErrorCode, message: string, field: string | null, };
export type AppInfo = { 
/**
 * The worker's own vault exists on this computer.
 */
vault_exists: boolean, 
/**
 * A vault is open.
 */
unlocked: boolean, 
/**
 * The open vault is the fictional demo.
 */
demo: boolean, lang: Lang, autolock_minutes: number, backup_reminder_days: number, 
/**
 * Days without contact before the dashboard flags a case.
 */
no_contact_days: number, 
/**
 * Minutes before an appointment its reminder shows.
 */
reminder_lead_minutes: number, 
/**
 * Reminders name the person.
 */
reminders_name_persons: boolean, 
/**
 * The open vault's owner.
 */
owner_name: string | null, version: string, };
export type CreateVaultArgs = { name: string, org: string, passphrase: string, confirm: string, };
export type UnlockArgs = { passphrase: string, };
export type RecordArgs = { 
/**
 * Kind name (`person`, `need`, `appointment`…).
 */
kind: string, 
/**
 * For an update: the record's id.
 */
id: string | null, fields: JsonMap, 
/**
 * With no consent naming the recipient: the worker's written reason to go ahead anyway.
 */
override_reason?: string, 
/**
 * A share carries the cases' documents (a transfer always does).
 */
documents?: boolean, };
export type ReferralStatusArgs = { id: string, status: string, reason: string | null, };
export type CloseArgs = { id: string, reason: string, note: string | null, };
export type ReopenArgs = { id: string, reason: string, };
export type OrganisationsArgs = { 
/**
 * A need code: organisations serving it, 24/7 first, then region, then language.
 */
need: string | null, region: string | null, language: string | null, };
export type FieldType = "text" | "long" | "bool" | "int" | "money" | "minutes" | "date" | "date_time" | "code" | "codes" | "words" | "ref";
export type FieldSpec = { name: string, ty: FieldType, 
/**
 * For codes: the catalogue list.
 */
list: string | null, 
/**
 * For references: the kind referred to.
 */
ref_kind: string | null, required: boolean, 
/**
 * For text: the most characters allowed.
 */
max: number | null, 
/**
 * Identifying or endangering if shared.
 */
sensitive: boolean, 
/**
 * The core fills it when left empty (a form need not insist).
 */
defaulted: boolean, };
export type KindSpec = { name: string, fields: Array<FieldSpec>, };
export type CatalogueList = { name: string, entries: Array<Entry>, };
export type Schema = { kinds: Array<KindSpec>, catalogues: Array<CatalogueList>, };
export type Progress = { 
/**
 * `demo`, `import`, `export`.
 */
op: string, done: number, total: number, };
export type ChangePassphraseArgs = { old: string, new: string, confirm: string, };
export type RecoveryArgs = { 
/**
 * The organisation's recovery recipient, `age1…`.
 */
recipient: string, 
/**
 * The vault's passphrase.
 */
passphrase: string, };
export type IdentityView = { identity: Identity, 
/**
 * The contact card as text (JSON), also shown as a QR code.
 */
card: string, 
/**
 * The card as a QR code, an SVG document.
 */
qr_svg: string, };
export type PickArgs = { 
/**
 * Save (true) or open (false).
 */
save: boolean, title: string, 
/**
 * Suggested file name when saving.
 */
name: string, 
/**
 * The file types offered by the dialog, comma-separated (`relais`, `pdf`, `html`, `md`, `age`,
 * `relais-anchor,relais-backup`); empty: `relais`; `*`: any file.
 */
ext: string, };
export type ExportArgs = { 
/**
 * Person ids.
 */
persons: Array<string>, 
/**
 * Contact ids.
 */
to: Array<string>, 
/**
 * The cases move (the copy here becomes read-only) instead of being shared.
 */
transfer: boolean, 
/**
 * Into the team folder rather than the file chosen in the save dialog.
 */
team?: boolean, 
/**
 * With no consent naming the recipient: the worker's written reason to go ahead anyway.
 */
override_reason?: string, 
/**
 * A share carries the cases' documents (a transfer always does).
 */
documents?: boolean, };
export type DocumentArgs = { person_id: string, title: string, 
/**
 * A code of `document_kinds`.
 */
kind: string, dated_on?: string, consent_id?: string, deadline_id?: string, proceeding_id?: string, };
export type RemindersArgs = { lead_minutes: number, name_persons: boolean, };
export type CalendarArgs = { 
/**
 * First and last day, `YYYY-MM-DD`.
 */
from: string, to: string, with_alias: boolean, with_place: boolean, };
export type CalendarSaved = { path: string, events: number, };
export type Reminder = { 
/**
 * What it is about.
 */
kind: ReminderKind, 
/**
 * The record (appointment, milestone, deadline, referral).
 */
record_id: string, 
/**
 * The person.
 */
person_id: string, 
/**
 * Her alias (shown in the app; in a notification only when the worker chose it).
 */
alias: string, 
/**
 * When: an appointment's start (RFC 3339 UTC), or the day (`YYYY-MM-DD`).
 */
at: string, 
/**
 * When it fires (RFC 3339 UTC).
 */
fires_at: string, 
/**
 * The appointment's kind, the milestone's code, the deadline's kind (a catalogue code).
 */
code: string, };
export type ReminderKind = "appointment" | "court" | "deadline" | "follow_up";
export type DocumentTotals = { count: number, bytes: number, 
/**
 * The most document bytes one bundle carries.
 */
max_bytes: number, };
export type ExportDone = { bundle_id: string, persons: number, records: number, path: string, };
export type SummaryArgs = { 
/**
 * Person id.
 */
person: string, 
/**
 * First day (`YYYY-MM-DD`); none or empty: from the intake.
 */
from: string | null, 
/**
 * Last day; none or empty: today.
 */
to: string | null, 
/**
 * The partner version (else internal).
 */
partner: boolean, };
export type SummarySaveArgs = { summary: SummaryArgs, 
/**
 * `pdf`, `html` or `md`.
 */
format: string, 
/**
 * A contact id: the file is encrypted (age) for them instead of written in clear.
 */
to: string | null, 
/**
 * At partner level, who it is for (else the contact it is encrypted for).
 */
recipient?: string, 
/**
 * With no consent naming the recipient: the worker's written reason to go ahead anyway.
 */
override_reason?: string, 
/**
 * A share carries the cases' documents (a transfer always does).
 */
documents?: boolean, };
export type SummarySaved = { path: string, encrypted: boolean, };
export type StatsArgs = { from: string | null, to: string | null, };
export type LedgerExportArgs = { 
/**
 * The coordinator's contact id (verified).
 */
contact: string, 
/**
 * First day of the period (YYYY-MM-DD).
 */
from: string, 
/**
 * Last day of the period.
 */
to: string, };
export type LedgerItem = { 
/**
 * The sender's name in the contact book.
 */
sender: string, 
/**
 * The sender's fingerprint.
 */
fingerprint: string, 
/**
 * The period it covers.
 */
from: string | null, to: string, };
export type BackupArgs = { passphrase: string, };
export type Restored = { 
/**
 * Persons in the restored vault.
 */
persons: number, 
/**
 * Cases the backup held that were destroyed after it was made, destroyed again in the
 * restored vault ([`crate::vault::ledger`]).
 */
destroyed_again: number, };
export type BackupStatus = { 
/**
 * When the last backup was made (UTC RFC 3339), if ever.
 */
last: string | null, remind_after_days: number, 
/**
 * Older than that, or never made.
 */
due: boolean, };
export type AuditCheck = { 
/**
 * Events checked.
 */
events: number, 
/**
 * The first break, if any.
 */
first_break: Break | null, 
/**
 * The anchor's event and when it was made (UTC RFC 3339), when checked against one.
 */
anchor_seq: number | null, anchor_at: string | null, };
export type AnchorWritten = { path: string, 
/**
 * The last event the anchor signs.
 */
seq: number, };
export type Break = { "problem": "edited", 
/**
 * Sequence number of the edited event.
 */
seq: number, } | { "problem": "missing", 
/**
 * Last good event before the gap (0: the start).
 */
after: number, 
/**
 * First event after the gap.
 */
next: number, } | { "problem": "relinked", 
/**
 * Sequence number of the event whose link is wrong.
 */
seq: number, } | { "problem": "truncated", 
/**
 * Last event present.
 */
last: number, 
/**
 * What the head records.
 */
head: number, } | { "problem": "rewritten", 
/**
 * The anchor's event.
 */
seq: number, };
export type RetentionInfo = { 
/**
 * The organisation's period, in years after closure.
 */
years: number, cases: Array<CaseRetention>, };
export type RetentionCaseArgs = { person: string, 
/**
 * `YYYY-MM-DD`; none: back to the organisation's period.
 */
until: string | null, reason: string | null, };
export type DestroyArgs = { person: string, policy: Policy, 
/**
 * The person's alias, typed again.
 */
confirm: string, };
export type MergeArgs = { 
/**
 * The file kept.
 */
keep: string, 
/**
 * The file merged into it, then removed.
 */
merge: string, 
/**
 * The removed file's alias, typed again.
 */
confirm: string, };
export type Candidate = { 
/**
 * Its person id.
 */
id: string, 
/**
 * Its alias.
 */
alias: string, 
/**
 * Its case status code.
 */
status: string, };
export type Checklist = { 
/**
 * The end of the first 72 hours after intake (RFC 3339 UTC).
 */
window_ends: string, 
/**
 * Whether `now` is still inside them.
 */
open: boolean, 
/**
 * The immediate needs, in catalogue order.
 */
items: Array<ChecklistItem>, 
/**
 * How many are assessed.
 */
assessed: number, };
export type ChecklistItem = { 
/**
 * The need's catalogue code.
 */
code: string, 
/**
 * The status of the need recorded for it, none when not assessed yet.
 */
status: string | null, };
export type Merged = { 
/**
 * The file kept.
 */
kept: string, 
/**
 * The file merged away (its id is remembered, not reused).
 */
merged: string, 
/**
 * Records moved to the file kept.
 */
moved: number, 
/**
 * Fields of the file kept filled from the other.
 */
filled: Array<string>, 
/**
 * Fields whose other value was kept in a note.
 */
noted: Array<string>, };
export type TrashArgs = { kind: string, id: string, };
export type IncidentExportArgs = { 
/**
 * `csv` or `json`.
 */
format: string, };
export type CaseRetention = { 
/**
 * The person's id.
 */
person_id: string, 
/**
 * Their alias.
 */
alias: string, 
/**
 * When the case was closed.
 */
closed_on: string, 
/**
 * The last day it is kept.
 */
until: string, 
/**
 * Set for this case (with this reason) rather than by the organisation's period.
 */
reason: string | null, };
export type Destroyed = { 
/**
 * Records removed (the person and everything under them).
 */
records: number, 
/**
 * Audit events redacted.
 */
events_redacted: number, };
export type Policy = "retention" | "request";
export type TrashItem = { 
/**
 * The trash entry's id (to restore it).
 */
id: string, 
/**
 * When it was deleted (RFC 3339 UTC).
 */
deleted_at: string, 
/**
 * When it will be purged (RFC 3339 UTC).
 */
purge_at: string, 
/**
 * Kind of the record deleted.
 */
kind: string, 
/**
 * Its id.
 */
record_id: string, 
/**
 * The person it belongs to, and their alias.
 */
person_id: string | null, 
/**
 * The person's alias.
 */
alias: string | null, 
/**
 * How many records it holds (the record and those under it).
 */
records: number, };
export type Doc = { 
/**
 * Language of the document.
 */
lang: Lang, 
/**
 * Title.
 */
title: string, 
/**
 * Set for the partner version: said at the top of the page.
 */
banner: string | null, 
/**
 * The sections, in order.
 */
sections: Array<Section>, 
/**
 * Needs by phase: (phase label, met, in progress, unmet).
 */
needs_figure: Array<[string, number, number, number]>, 
/**
 * The court timeline, in order.
 */
court_figure: Array<Step>, 
/**
 * Who produced it, when, and that it is not encrypted.
 */
footer: string, };
export type Section = { 
/**
 * Section title.
 */
title: string, 
/**
 * The figure drawn before its lines, if any.
 */
figure: Figure | null, 
/**
 * Its lines, in order.
 */
lines: Array<Line>, };
export type Line = { 
/**
 * What the line is about.
 */
label: string, 
/**
 * Its text.
 */
text: string, 
/**
 * Shown by the section's figure too (a court milestone): formats that draw the figure
 * do not repeat it.
 */
in_figure: boolean, };
export type Step = { 
/**
 * Milestone label.
 */
label: string, 
/**
 * When it was done, or is due.
 */
date: string, 
/**
 * Its status, in words.
 */
status: string, 
/**
 * Done already.
 */
done: boolean, };
export type Figure = "needs" | "court";
export type Stats = { 
/**
 * First day covered.
 */
from: string | null, 
/**
 * Last day covered.
 */
to: string, 
/**
 * Language of the labels.
 */
lang: Lang, 
/**
 * Title.
 */
title: string, 
/**
 * The organisation that publishes it (empty when the vault has none).
 */
organisation: string, 
/**
 * How many organisations' ledgers it adds up (1: one vault's own report).
 */
organisations: number, 
/**
 * The period in words.
 */
period: string, 
/**
 * The tables.
 */
tables: Array<Table>, 
/**
 * Median days from intake to first service.
 */
median_days_to_first_service: Median, 
/**
 * Time recorded and money spent in the period.
 */
sums: Array<Sums>, };
export type Table = { 
/**
 * Stable identifier (`needs_by_phase_status`…).
 */
id: string, 
/**
 * Title in the report's language.
 */
title: string, 
/**
 * What is counted, and how, in the report's language.
 */
note: string, 
/**
 * Row headings.
 */
rows: Array<Head>, 
/**
 * Column headings.
 */
columns: Array<Head>, 
/**
 * `cells[row][column]`.
 */
cells: Array<Array<number | string>>, 
/**
 * Total of each row (two-way tables only).
 */
row_totals: Array<number | string> | null, 
/**
 * Total of each column (additive tables).
 */
column_totals: Array<number | string> | null, 
/**
 * Grand total (additive tables).
 */
total: number | string | null, };
export type Head = { 
/**
 * Catalogue code (stable across languages).
 */
code: string, 
/**
 * Label in the report's language.
 */
label: string, };
export type Median = { 
/**
 * How many persons it is computed over.
 */
persons: number | string, 
/**
 * The median in days; none when fewer than [`THRESHOLD`] persons.
 */
days: number | null, 
/**
 * What it measures, in the report's language.
 */
label: string, };
export type Sum = { 
/**
 * What is added up: `intervention`, `accompaniment`, a fund's code, or `total`.
 */
code: string, 
/**
 * Label in the report's language.
 */
label: string, 
/**
 * How many persons it concerns.
 */
persons: number | string, 
/**
 * The sum (minutes or cents); none when hidden.
 */
value: number | null, 
/**
 * The sum as read (« 130,5 h », « 1 200,50 $ »), or why it is hidden.
 */
text: string, };
export type Sums = { 
/**
 * Stable identifier (`time_by_kind`, `expenses_by_fund`).
 */
id: string, 
/**
 * Title in the report's language.
 */
title: string, 
/**
 * What is added up, and how, in the report's language.
 */
note: string, 
/**
 * `minutes` or `cents`.
 */
unit: string, 
/**
 * One sum per row.
 */
rows: Array<Sum>, 
/**
 * The total of the rows.
 */
total: Sum, };
export type ImportArgs = { 
/**
 * Open it even though the sender's fingerprint was not checked in person.
 */
accept_unverified: boolean, 
/**
 * A file of the team folder's inbox (its name) rather than the file chosen in the dialog.
 */
file?: string, };
export type Imported = { preview: Preview, after: AfterImport | null, };
export type AfterImport = { 
/**
 * For a transfer: the receipt was written to the sender's inbox.
 */
receipt_sent: boolean, 
/**
 * Why it could not be (the message, in the worker's language); `relais team receipt`
 * or the app's inbox sends it again.
 */
receipt_problem: string | null, 
/**
 * The file was moved to `traite/` or deleted.
 */
cleaned: boolean, };
export type Cleanup = "move" | "delete";
export type TeamSettings = { 
/**
 * The folder, if one is set.
 */
folder: string | null, 
/**
 * This vault's own sub-folder in it (its inbox).
 */
inbox: string | null, 
/**
 * What becomes of an imported file.
 */
cleanup: Cleanup, 
/**
 * The team report sent by itself, if set.
 */
report_schedule: ReportSchedule | null, };
export type ReportSchedule = { 
/**
 * The contact (a verified one: her supervisor).
 */
to: string, 
/**
 * Every this many days (1 to 90).
 */
every_days: number, };
export type Inbox = { 
/**
 * This vault's inbox folder.
 */
folder: string, 
/**
 * The bundles and receipts, oldest first.
 */
items: Array<InboxItem>, 
/**
 * Files left alone.
 */
ignored: Array<Ignored>, 
/**
 * Receipts recorded by this reading (see [`take_receipts`]).
 */
receipts: Array<ReceiptTaken>, 
/**
 * Team reports recorded by this reading (who sent them; see the team overview).
 */
reports: Array<string>, 
/**
 * Files imported before and cleaned by this reading.
 */
cleaned: number, 
/**
 * Cases handed off whose receipt came back: they can be purged.
 */
purgeable: number, };
export type InboxItem = { 
/**
 * The file's name in this vault's inbox (its id for [`import`]).
 */
file: string, 
/**
 * Where it stands.
 */
state: InboxState, 
/**
 * The bundle's id, once opened.
 */
bundle_id: string | null, 
/**
 * Share, transfer or receipt, once opened.
 */
kind: BundleKind | null, 
/**
 * The sender's name in this vault's contact book.
 */
sender: string | null, 
/**
 * Whether the sender's fingerprint was checked in person.
 */
sender_verified: boolean, 
/**
 * How many cases it carries (or, for a receipt, acknowledges).
 */
persons: number, 
/**
 * When the sender made it (as signed).
 */
created_at: string | null, 
/**
 * The file's size in bytes.
 */
size: number, 
/**
 * Why it is refused: the error's code, and its message in the worker's language.
 */
problem: [string, string] | null, };
export type InboxState = "waiting" | "receipt" | "already_imported" | "duplicate" | "refused";
export type Ignored = { 
/**
 * The file's name.
 */
file: string, 
/**
 * `in_transit` (a sync engine or Relais still writing it), `conflict_copy` (a sync
 * engine's copy of a file changed on two sides) or `not_a_bundle` (not a `.relais` file).
 */
reason: string, };
export type ReceiptTaken = { 
/**
 * Who sent it (name in the contact book).
 */
sender: string, 
/**
 * How many handed-off cases it acknowledges.
 */
persons: number, };
export type Colleague = { 
/**
 * Her contact's id.
 */
contact_id: string, 
/**
 * Her name in the contact book.
 */
name: string, 
/**
 * Her organisation.
 */
org: string | null, 
/**
 * Whether her fingerprint was checked in person.
 */
verified: boolean, 
/**
 * The cases shared with or transferred to or from her through this vault (still here).
 */
cases: Array<TeamCase>, 
/**
 * The last bundle or receipt between her and this vault.
 */
last_exchange: string | null, 
/**
 * Transfers to her whose receipt has not come back (cases).
 */
pending_receipts: number, 
/**
 * Her changes that conflict with this vault's, waiting for a decision.
 */
conflicts: number, 
/**
 * Her proposals on cases this vault holds, waiting for a decision.
 */
proposals: number, 
/**
 * The newest team report she sent: when she made it, and its cases.
 */
report: [string, TeamReport] | null, };
export type TeamCase = { 
/**
 * The person's id.
 */
person_id: string, 
/**
 * Their alias.
 */
alias: string, 
/**
 * The case's status (code: `active`, `handed_off`…).
 */
status: string, 
/**
 * Who holds the pen on it.
 */
holder: Author, 
/**
 * The last bundle about it between this vault and the colleague (either way).
 */
last_exchange: string, 
/**
 * Handed to the colleague by a transfer whose receipt has not come back.
 */
awaiting_receipt: boolean, };
export type TeamReport = { 
/**
 * The cases, by alias.
 */
cases: Array<ReportCase>, };
export type ReportCase = { 
/**
 * The person's alias (never the legal name).
 */
alias: string, 
/**
 * The case's status (a `person_statuses` code).
 */
status: string, 
/**
 * The phase of the newest need still open (a `phases` code).
 */
phase: string | null, 
/**
 * The date of the next planned appointment (YYYY-MM-DD).
 */
next_appointment: string | null, 
/**
 * Tasks and referral follow-ups overdue.
 */
overdue: number, 
/**
 * Days since the last contact (a contact note, call, visit or attended appointment).
 */
days_since_contact: number | null, };
export type ResolveArgs = { 
/**
 * Conflict id.
 */
id: string, 
/**
 * Keep the version received (true) or the one here (false).
 */
keep_theirs: boolean, };
export type Lang = "fr" | "en";
export type Entry = { 
/**
 * Stable code.
 */
code: string, 
/**
 * French label.
 */
fr: string, 
/**
 * English label.
 */
en: string, 
/**
 * For needs: the phases the need belongs to.
 */
phases?: Array<string>, 
/**
 * For needs: only for persons trafficked internationally.
 */
international_only?: boolean, };
export type Item = { 
/**
 * The record's id.
 */
id: string, 
/**
 * The person's id (absent for a task not tied to a person).
 */
person_id: string | null, 
/**
 * The person's alias.
 */
alias: string | null, 
/**
 * The date or instant that puts the item in the bucket.
 */
when: string, 
/**
 * A code describing the item (appointment kind, milestone, deadline kind, referral status…).
 */
code: string | null, 
/**
 * A short free label where the record has one (task title, deadline label).
 */
label: string | null, };
export type Bucket = { 
/**
 * How many records fall in it.
 */
total: number, 
/**
 * The first [`LIMIT`] of them.
 */
items: Array<Item>, };
export type SafeFlags = { 
/**
 * Safe to call.
 */
call: boolean | null, 
/**
 * Safe to text.
 */
text: boolean | null, 
/**
 * Safe to leave a voice message.
 */
message: boolean | null, };
export type PhaseCount = { 
/**
 * Phase code.
 */
phase: string, 
/**
 * Number of unmet needs.
 */
unmet: number, };
export type Dashboard = { 
/**
 * The "now" it was computed for.
 */
now: string, 
/**
 * Today's date in the worker's time zone.
 */
today: string, 
/**
 * Planned appointments today.
 */
appointments_today: Bucket, 
/**
 * Planned appointments in the next 7 days (after today).
 */
appointments_week: Bucket, 
/**
 * Open tasks past their due date.
 */
overdue_tasks: Bucket, 
/**
 * Open referrals past their follow-up date.
 */
overdue_referrals: Bucket, 
/**
 * Planned court milestones in the next 30 days.
 */
court_milestones: Bucket, 
/**
 * Persons still inside the first 72 hours after intake (`when` = end of the window).
 */
intakes_72h: Bucket, 
/**
 * Persons turning 18 within 6 months (`when` = the 18th birthday).
 */
turning_18: Bucket, 
/**
 * Deadlines (IVAC, permits) not done and due within 60 days, overdue ones included.
 */
deadlines: Bucket, 
/**
 * Closed cases whose retention period is over, to destroy (`when` = the last day kept).
 */
retention_due: Bucket, 
/**
 * Consents in force that end within 30 days (`when` = the last day, `label` = the scope).
 */
expiring_consents: Bucket, 
/**
 * Safety-plan items not done whose review date is within 7 days or past.
 */
safety_reviews: Bucket, 
/**
 * Testimonial aids requested and not decided yet (`when` = the day requested).
 */
aids_pending: Bucket, 
/**
 * Open cases with no contact for [`Dashboard::no_contact_days`] days or more (`when` = the
 * last contact, or the intake when there was none).
 */
no_contact: Bucket, 
/**
 * The number of days without contact that puts a case in [`Dashboard::no_contact`].
 */
no_contact_days: number, 
/**
 * Safe-contact flags (call, text, voice message) of every person the lists above name,
 * by person id: shown next to the alias for a worker about to phone.
 */
safe_flags: { [key in string]: SafeFlags }, 
/**
 * Unmet needs by phase, in catalogue order.
 */
unmet_needs_by_phase: Array<PhaseCount>, };
export type CalendarItem = { 
/**
 * Appointment id.
 */
id: string, 
/**
 * Person id.
 */
person_id: string, 
/**
 * Person alias.
 */
alias: string, 
/**
 * Start (RFC 3339 UTC).
 */
starts_at: string, 
/**
 * End, if known.
 */
ends_at: string | null, 
/**
 * Appointment kind code.
 */
kind: string, 
/**
 * Status code (planned, attended…).
 */
status: string, 
/**
 * Place.
 */
place: string | null, 
/**
 * Whether the person may be phoned, texted, left a voice message safely (unknown: none),
 * shown next to the appointment for a worker about to call.
 */
safe_to_call: boolean | null, 
/**
 * See `safe_to_call`.
 */
safe_to_text: boolean | null, 
/**
 * See `safe_to_call`.
 */
safe_to_leave_message: boolean | null, 
/**
 * An interpreter is needed at this appointment.
 */
interpreter_needed: boolean | null, 
/**
 * In which language.
 */
interpreter_language: string | null, 
/**
 * From which provider.
 */
interpreter_provider: string | null, };
export type CalendarDay = { 
/**
 * The local date (`YYYY-MM-DD`).
 */
date: string, 
/**
 * How many appointments it holds, every status.
 */
total: number, 
/**
 * Its first appointments, in order: all of them unless fewer were asked.
 */
items: Array<CalendarItem>, };
export type PersonHit = { 
/**
 * Person id.
 */
id: string, 
/**
 * Alias.
 */
alias: string, 
/**
 * Case status.
 */
status: string, };
export type NoteHit = { 
/**
 * Note id.
 */
note_id: string, 
/**
 * Person id.
 */
person_id: string, 
/**
 * Person alias.
 */
alias: string, 
/**
 * When the note was taken.
 */
at: string, 
/**
 * Note kind code.
 */
kind: string, 
/**
 * The matching passage, matches between `[` and `]`.
 */
snippet: string, };
export type Results = { 
/**
 * Matching persons.
 */
persons: Array<PersonHit>, 
/**
 * Matching notes, newest written first.
 */
notes: Array<NoteHit>, };
export type CaseRow = { 
/**
 * Person id.
 */
id: string, 
/**
 * Alias.
 */
alias: string, 
/**
 * Case status.
 */
status: string, 
/**
 * Region.
 */
region: string | null, 
/**
 * Domestic or international.
 */
origin: string, 
/**
 * When the case was opened.
 */
intake_at: string, 
/**
 * Needs still to meet (identified, in progress, referred, unmet).
 */
open_needs: number, 
/**
 * The last contact with the person: the latest contact, phone or visit note or attended
 * appointment (`persons.last_contact`, kept by the triggers of migration 0012), if any.
 */
last_contact: string | null, };
export type CasePage = { 
/**
 * The cases of the page, by alias.
 */
rows: Array<CaseRow>, 
/**
 * How many cases there are with these statuses.
 */
total: number, 
/**
 * The position of the page's first case among them (from 0).
 */
offset: number, };
export type PersonFile = { 
/**
 * Always [`FORMAT`].
 */
format: string, 
/**
 * Always [`VERSION`].
 */
version: number, 
/**
 * When it was produced (RFC 3339 UTC).
 */
generated_at: string, 
/**
 * The person record.
 */
person: JsonMap, 
/**
 * The case's records by kind name (`need`, `appointment`…), oldest first.
 */
records: { [key in string]: Array<JsonMap> }, 
/**
 * Directory entries the case refers to (`organisation`).
 */
directory: { [key in string]: Array<JsonMap> }, 
/**
 * The audit events about this person.
 */
history: Array<Event>, 
/**
 * Who wrote the records of this file (their `created_by` and `updated_by`), and who sent
 * or received bundles about the person (its history's `sender=` and `to=`), by fingerprint.
 */
authors: { [key in string]: Author }, 
/**
 * The time and money the case's records hold, added up.
 */
totals: Totals, 
/**
 * The bytes of the case's documents, base64, by document id: only in the file written
 * for the person ([`disclose`]), which is hers whole.
 */
documents?: { [key in string]: string }, };
export type Author = { "who": "me" } | { "who": "contact", "name": string } | { "who": "unknown" };
export type Totals = { 
/**
 * Minutes of intervention: the time written on its notes.
 */
intervention_minutes: number, 
/**
 * Minutes of accompaniment: the time written on its appointments.
 */
accompaniment_minutes: number, 
/**
 * Every expense, in cents.
 */
expenses_cents: number, 
/**
 * Expenses in cents by fund code (`emergency`…), funds with none left out.
 */
expenses_by_fund: { [key in string]: number }, };
export type Event = { 
/**
 * Position in the chain, from 1.
 */
seq: number, 
/**
 * UUID v7 of the event.
 */
id: string, 
/**
 * When (RFC 3339 UTC).
 */
at: string, 
/**
 * Who (the vault owner's name).
 */
actor: string, 
/**
 * What (`create`, `update`, `vault.init`, `vault.passwd`…).
 */
action: string, 
/**
 * Kind of record, if any.
 */
kind: string | null, 
/**
 * Record id, if any.
 */
record_id: string | null, 
/**
 * Person the record belongs to, if any.
 */
person_id: string | null, 
/**
 * Names of the fields changed (never their values).
 */
fields: Array<string>, 
/**
 * Hash of the previous event.
 */
prev_hash: string, 
/**
 * Hash of this event.
 */
hash: string, };
export type Identity = { 
/**
 * The worker's name.
 */
name: string, 
/**
 * Their organisation.
 */
org: string, 
/**
 * The age X25519 recipient (`age1…`).
 */
age_recipient: string, 
/**
 * The Ed25519 public key, 64 hex digits.
 */
signing_key: string, 
/**
 * `XXXX-XXXX-XXXX-XXXX-XXXX`: compare it out loud before trusting.
 */
fingerprint: string, };
export type Suggestion = { 
/**
 * Organisation id.
 */
org_id: string, 
/**
 * Organisation name.
 */
name: string, 
/**
 * Region served.
 */
region: string | null, 
/**
 * Open around the clock.
 */
open_24_7: boolean, 
/**
 * Serves the person's region.
 */
region_match: boolean, 
/**
 * Serves in the person's language.
 */
language_match: boolean, };
export type DemoReport = { 
/**
 * Persons created.
 */
persons: number, 
/**
 * Records created in all (persons included, audit events not).
 */
records: number, };
export type BundleKind = "transfer" | "share" | "receipt" | "report" | "ledger";
export type Counts = { 
/**
 * Records not in this vault yet.
 */
new: { [key in string]: number }, 
/**
 * Records the sender changed after this vault's version, and may change: theirs replaces ours.
 */
updated: { [key in string]: number }, 
/**
 * Records the same here.
 */
unchanged: { [key in string]: number }, 
/**
 * Records older than this vault's version (a bundle sent before a later one): ignored.
 */
older: { [key in string]: number }, 
/**
 * Records changed on both sides: kept as they are here, listed to resolve.
 */
conflicts: { [key in string]: number }, 
/**
 * Changes from someone who neither holds the case nor wrote the record, and directory
 * entries that differ from this vault's: listed, accepted or declined, never applied.
 */
proposals: { [key in string]: number }, };
export type Preview = { 
/**
 * Bundle id.
 */
bundle_id: string, 
/**
 * Transfer or share.
 */
kind: BundleKind, 
/**
 * Who sent it, as signed in the bundle.
 */
sender: Identity, 
/**
 * The sender's name in this vault's contact book (the name inside the bundle is the
 * sender's own claim).
 */
sender_contact_name: string, 
/**
 * Whether their fingerprint was checked in person.
 */
sender_verified: boolean, 
/**
 * When it was made.
 */
created_at: string, 
/**
 * (id, alias) of the persons it carries.
 */
persons: Array<[string, string]>, 
/**
 * This bundle was imported before: nothing changes.
 */
replay: boolean, 
/**
 * Everything it carries is already here in the same or a later version: nothing changes.
 */
stale: boolean, 
/**
 * When the newest bundle already imported from the same sender was made, if after this
 * one (as the sender dated them: said, never used to decide).
 */
newer_seen: string | null, 
/**
 * Per kind: new, updated, unchanged, older, conflicts, proposals.
 */
counts: Counts, 
/**
 * Record by record, what changes (new records, and each field of an update, a conflict
 * or a proposal, before and after).
 */
changes: Array<RecordChange>, 
/**
 * Whether it was applied (false for a dry run or a replay).
 */
applied: boolean, };
export type ConflictItem = { 
/**
 * Conflict id (for `resolve`).
 */
id: string, 
/**
 * Kind of record.
 */
kind: string, 
/**
 * Record id.
 */
record_id: string, 
/**
 * Person, if any.
 */
person_id: string | null, 
/**
 * The bundle it came with.
 */
bundle_id: string, 
/**
 * Fields whose values differ.
 */
fields: Array<string>, 
/**
 * The same fields with both values: (field, value here, value sent).
 */
changes: Array<[string, JsonValue, JsonValue]>, 
/**
 * `conflict` (changed on both sides), `proposal` (a change from someone who neither holds
 * the case nor wrote the record) or `directory` (an organisation that differs).
 */
reason: string, 
/**
 * Who sent it (fingerprint).
 */
sender: string | null, 
/**
 * Who sent it, as this vault knows them (the contact book's name).
 */
from: Author | null, };
export type RecordChange = { 
/**
 * The person whose case it is (none for a directory entry).
 */
person_id: string | null, 
/**
 * Kind of record.
 */
kind: string, 
/**
 * Record id.
 */
record_id: string, 
/**
 * `new`, `updated`, `conflict` or `proposal`.
 */
action: string, 
/**
 * Who wrote it (fingerprint).
 */
created_by: string | null, 
/**
 * The fields that differ: (field, value here, value in the bundle). Empty for a new record.
 */
fields: Array<[string, JsonValue, JsonValue]>, };
export type Rekey = "done" | "recovery_unknown";

export type ErrorCode = "WrongPassphrase" | "KeyTooCostly" | "WeakPassphrase" | "PassphraseMismatch" | "VaultExists" | "VaultNotFound" | "UnsupportedVersion" | "DamagedKeyFile" | "DamagedVault" | "NoRecoveryKey" | "VaultBusy" | "InvalidAnchor" | "ForeignAnchor" | "RecoveryRecipientUnknown" | "RotationUnfinished" | "WrongRecoveryIdentity" | "InvalidRecipient" | "NotFound" | "Ambiguous" | "Invalid" | "HandedOff" | "NotAgeFile" | "BundleTruncated" | "BundleTampered" | "BundleNotForThisVault" | "BundleReaddressed" | "NotABundle" | "OldBundleVersion" | "NotCaseOwner" | "BundleCreditsThisVault" | "BundleRecordInTrash" | "TransferOfACopy" | "NotPartyToCase" | "BundleRewritesRecord" | "BundleCaseMerged" | "CannotMerge" | "BundleForgedAuthor" | "ReceiptNotForSender" | "TeamFolderNotSet" | "TeamFolderUnavailable" | "TeamInboxIsALink" | "NotInInbox" | "BadSignature" | "UnknownSender" | "UnverifiedSender" | "MalformedBundle" | "BundleDuplicateId" | "BundleCountMismatch" | "BundleDanglingReference" | "BundleTooLarge" | "BundleTooManyRecipients" | "Database" | "Io" | "UnverifiedContact" | "ConsentMissing" | "ConfirmationMismatch" | "RetentionNotOver" | "DiskFull" | "Crypto" | "InvalidBackup" | "InvalidLedger" | "LedgerPeriods" | "LedgerNotImported" | "LedgerDuplicateSender" | "LedgerNoOrganisation" | "LedgerTooFew" | "Typeset" | "DocumentEmpty" | "DocumentTooLarge" | "DocumentImageRefused" | "DocumentsTooLargeForBundle" | "Csv" | "Locked" | "NoVault" | "UnknownKind" | "Busy" | "NothingToImport" | "NoFileChosen" | "NoCoalitionReport";

// The records of each kind, as the core stores and sends them.
export interface PersonRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  alias: string;
  legal_name: string | null;
  birth_date: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  region: string | null;
  languages: Array<string> | null;
  interpreter_needed: boolean | null;
  interpreter_language: string | null;
  safe_to_call: boolean | null;
  safe_to_text: boolean | null;
  safe_to_leave_message: boolean | null;
  exploitation_types: Array<string> | null;
  means_of_control: Array<string> | null;
  labour_sector: string | null;
  origin: string;
  immigration_status: string | null;
  intake_at: string;
  referral_source: string | null;
  status: string;
  closure_reason: string | null;
  closure_note: string | null;
  closed_on: string | null;
  notice_given_on: string | null;
  consent_by: string | null;
  dpj_reported_on: string | null;
  risk_level: string | null;
  risk_reviewed_on: string | null;
  organised_crime: boolean | null;
  no_contact_order: boolean | null;
  protection_conditions: string | null;
  protection_until: string | null;
  gender: string | null;
  indigenous: string | null;
  interpreter_outside_community: boolean | null;
}
export interface OrganisationRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  name: string;
  kind: string | null;
  region: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  languages: Array<string> | null;
  open_24_7: boolean | null;
  notes: string | null;
}
export interface OrgContactRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  org_id: string;
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
}
export interface ServiceRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  org_id: string;
  need_code: string;
  region: string | null;
  languages: Array<string> | null;
  open_24_7: boolean | null;
  notes: string | null;
}
export interface NeedRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  code: string;
  phase: string;
  status: string;
  identified_on: string | null;
  closed_on: string | null;
  note: string | null;
}
export interface ConsentRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  scope: string;
  org_id: string | null;
  recipient: string | null;
  starts_on: string;
  ends_on: string | null;
  method: string;
  withdrawn_on: string | null;
  note: string | null;
}
export interface AppointmentRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  need_id: string | null;
  starts_at: string;
  ends_at: string | null;
  place: string | null;
  org_id: string | null;
  with_whom: string | null;
  kind: string;
  accompanied: boolean | null;
  interpreter_language: string | null;
  transport: string | null;
  status: string;
  outcome: string | null;
  interpreter_needed: boolean | null;
  interpreter_provider: string | null;
  interpreter_outside_confirmed: boolean | null;
  accompaniment_minutes: number | null;
}
export interface ReferralRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  org_id: string;
  need_id: string | null;
  consent_id: string | null;
  status: string;
  status_reason: string | null;
  follow_up_on: string | null;
  amount_cents: number | null;
  outcome: string | null;
  note: string | null;
}
export interface ReferralEventRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  referral_id: string;
  status: string;
  at: string;
  reason: string | null;
}
export interface ProceedingRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  file_number: string | null;
  court: string | null;
  district: string | null;
  role: string | null;
  prosecutor: string | null;
  note: string | null;
}
export interface MilestoneRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  proceeding_id: string;
  code: string;
  status: string;
  due_on: string | null;
  done_on: string | null;
  note: string | null;
}
export interface TestimonialAidRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  proceeding_id: string;
  code: string;
  status: string;
  requested_on: string | null;
  decided_on: string | null;
  note: string | null;
}
export interface DeadlineRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  kind: string;
  due_on: string;
  label: string | null;
  ivac_status: string | null;
  permit_status: string | null;
  done_on: string | null;
  note: string | null;
}
export interface NoteRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  kind: string;
  at: string;
  text: string;
  minutes: number | null;
}
export interface SafetyItemRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  text: string;
  review_on: string | null;
  done_on: string | null;
}
export interface TaskRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string | null;
  title: string;
  due_on: string | null;
  done_at: string | null;
}
export interface ExpenseRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  spent_on: string;
  fund: string;
  category: string;
  amount_cents: number;
  note: string | null;
}
export interface DocumentRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  person_id: string;
  title: string;
  kind: string;
  dated_on: string | null;
  consent_id: string | null;
  deadline_id: string | null;
  proceeding_id: string | null;
  file_name: string | null;
  media_type: string;
  size: number;
  sha256: string;
}
export interface ContactRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  name: string;
  org: string | null;
  age_recipient: string;
  signing_key: string;
  fingerprint: string;
  verified_on: string | null;
}
export interface IncidentRecord {
  id: string;
  created_at: string;
  updated_at: string;
  revision: number;
  created_by: string;
  updated_by: string;
  versions: { [fingerprint: string]: number };
  occurred_on: string;
  discovered_on: string | null;
  description: string;
  persons_concerned: string | null;
  serious_risk: boolean | null;
  risk_assessment: string | null;
  cai_notified_on: string | null;
  persons_notified_on: string | null;
  measures: string | null;
}

// The record type of each kind, by the kind's name.
export interface KindRecords {
  person: PersonRecord;
  organisation: OrganisationRecord;
  org_contact: OrgContactRecord;
  service: ServiceRecord;
  need: NeedRecord;
  consent: ConsentRecord;
  appointment: AppointmentRecord;
  referral: ReferralRecord;
  referral_event: ReferralEventRecord;
  proceeding: ProceedingRecord;
  milestone: MilestoneRecord;
  testimonial_aid: TestimonialAidRecord;
  deadline: DeadlineRecord;
  note: NoteRecord;
  safety_item: SafetyItemRecord;
  task: TaskRecord;
  expense: ExpenseRecord;
  document: DocumentRecord;
  contact: ContactRecord;
  incident: IncidentRecord;
}

export const KIND_FIELDS: { readonly [K in keyof KindRecords]: ReadonlyArray<keyof KindRecords[K] & string> } = {
  person: ["alias", "legal_name", "birth_date", "phone", "email", "address", "region", "languages", "interpreter_needed", "interpreter_language", "safe_to_call", "safe_to_text", "safe_to_leave_message", "exploitation_types", "means_of_control", "labour_sector", "origin", "immigration_status", "intake_at", "referral_source", "status", "closure_reason", "closure_note", "closed_on", "notice_given_on", "consent_by", "dpj_reported_on", "risk_level", "risk_reviewed_on", "organised_crime", "no_contact_order", "protection_conditions", "protection_until", "gender", "indigenous", "interpreter_outside_community"],
  organisation: ["name", "kind", "region", "address", "phone", "email", "website", "languages", "open_24_7", "notes"],
  org_contact: ["org_id", "name", "role", "phone", "email"],
  service: ["org_id", "need_code", "region", "languages", "open_24_7", "notes"],
  need: ["person_id", "code", "phase", "status", "identified_on", "closed_on", "note"],
  consent: ["person_id", "scope", "org_id", "recipient", "starts_on", "ends_on", "method", "withdrawn_on", "note"],
  appointment: ["person_id", "need_id", "starts_at", "ends_at", "place", "org_id", "with_whom", "kind", "accompanied", "interpreter_language", "transport", "status", "outcome", "interpreter_needed", "interpreter_provider", "interpreter_outside_confirmed", "accompaniment_minutes"],
  referral: ["person_id", "org_id", "need_id", "consent_id", "status", "status_reason", "follow_up_on", "amount_cents", "outcome", "note"],
  referral_event: ["referral_id", "status", "at", "reason"],
  proceeding: ["person_id", "file_number", "court", "district", "role", "prosecutor", "note"],
  milestone: ["proceeding_id", "code", "status", "due_on", "done_on", "note"],
  testimonial_aid: ["proceeding_id", "code", "status", "requested_on", "decided_on", "note"],
  deadline: ["person_id", "kind", "due_on", "label", "ivac_status", "permit_status", "done_on", "note"],
  note: ["person_id", "kind", "at", "text", "minutes"],
  safety_item: ["person_id", "text", "review_on", "done_on"],
  task: ["person_id", "title", "due_on", "done_at"],
  expense: ["person_id", "spent_on", "fund", "category", "amount_cents", "note"],
  document: ["person_id", "title", "kind", "dated_on", "consent_id", "deadline_id", "proceeding_id", "file_name", "media_type", "size", "sha256"],
  contact: ["name", "org", "age_recipient", "signing_key", "fingerprint", "verified_on"],
  incident: ["occurred_on", "discovered_on", "description", "persons_concerned", "serious_risk", "risk_assessment", "cai_notified_on", "persons_notified_on", "measures"],
};

export interface Commands {
  app_info: { args: Record<string, never>; result: AppInfo };
  set_lang: { args: { lang: Lang }; result: null };
  set_autolock: { args: { minutes: number }; result: null };
  set_no_contact_days: { args: { days: number }; result: null };
  touch: { args: Record<string, never>; result: null };
  set_reminders: { args: { args: RemindersArgs }; result: null };
  missed_reminders: { args: Record<string, never>; result: Array<Reminder> };
  dismiss_missed_reminders: { args: Record<string, never>; result: null };
  create_vault: { args: { args: CreateVaultArgs }; result: null };
  unlock: { args: { args: UnlockArgs }; result: null };
  open_demo: { args: Record<string, never>; result: DemoReport | null };
  lock: { args: Record<string, never>; result: null };
  dashboard: { args: Record<string, never>; result: Dashboard };
  week: { args: { first: string, days: number, limit: number | null }; result: Array<CalendarDay> };
  persons: { args: { statuses: Array<string>, offset: number, limit: number }; result: CasePage };
  search: { args: { query: string }; result: Results };
  person_file: { args: { id: string }; result: PersonFile };
  add_record: { args: { args: RecordArgs }; result: string };
  update_record: { args: { args: RecordArgs }; result: Array<string> };
  set_referral_status: { args: { args: ReferralStatusArgs }; result: null };
  close_case: { args: { args: CloseArgs }; result: Array<string> };
  reopen_case: { args: { args: ReopenArgs }; result: Array<string> };
  schema: { args: Record<string, never>; result: Schema };
  change_passphrase: { args: { args: ChangePassphraseArgs }; result: Rekey };
  rotate_key: { args: { passphrase: string }; result: null };
  recovery_status: { args: Record<string, never>; result: boolean };
  set_recovery: { args: { args: RecoveryArgs }; result: null };
  identity: { args: Record<string, never>; result: IdentityView };
  contacts: { args: Record<string, never>; result: Array<JsonMap> };
  add_contact_card: { args: { card: string }; result: string };
  verify_contact: { args: { id: string }; result: null };
  remove_contact: { args: { id: string }; result: null };
  pick_file: { args: { args: PickArgs }; result: string | null };
  export_bundle: { args: { args: ExportArgs }; result: ExportDone };
  open_import: { args: { args: ImportArgs }; result: Preview };
  apply_import: { args: Record<string, never>; result: Imported };
  team_settings: { args: Record<string, never>; result: TeamSettings };
  choose_team_folder: { args: Record<string, never>; result: TeamSettings | null };
  clear_team_folder: { args: Record<string, never>; result: null };
  set_team_cleanup: { args: { cleanup: Cleanup }; result: null };
  inbox: { args: Record<string, never>; result: Inbox };
  discard_inbox_item: { args: { file: string }; result: null };
  purge_handed_off: { args: Record<string, never>; result: number };
  team_overview: { args: Record<string, never>; result: Array<Colleague> };
  send_team_report: { args: { to: string }; result: number };
  set_report_schedule: { args: { schedule: ReportSchedule | null }; result: null };
  cancel_import: { args: Record<string, never>; result: null };
  conflicts: { args: Record<string, never>; result: Array<ConflictItem> };
  resolve_conflict: { args: { args: ResolveArgs }; result: null };
  suggest: { args: { needId: string }; result: Array<Suggestion> };
  organisations: { args: { args: OrganisationsArgs }; result: Array<JsonMap> };
  summary_preview: { args: { args: SummaryArgs }; result: Doc };
  save_summary: { args: { args: SummarySaveArgs }; result: SummarySaved };
  stats: { args: { args: StatsArgs }; result: Stats };
  save_stats_xlsx: { args: { args: StatsArgs }; result: string };
  save_stats_pdf: { args: { args: StatsArgs }; result: string };
  ledger_export: { args: { args: LedgerExportArgs }; result: string };
  ledger_add: { args: Record<string, never>; result: Array<LedgerItem> };
  ledger_clear: { args: Record<string, never>; result: Array<LedgerItem> };
  ledger_merge: { args: { own: boolean }; result: Stats };
  save_coalition: { args: { format: string }; result: string };
  save_day: { args: { day: string }; result: string };
  export_calendar: { args: { args: CalendarArgs }; result: CalendarSaved };
  backup_status: { args: Record<string, never>; result: BackupStatus };
  set_backup_reminder: { args: { days: number }; result: null };
  backup_vault: { args: { args: BackupArgs }; result: string };
  audit_verify: { args: { against: boolean }; result: AuditCheck };
  audit_anchor: { args: Record<string, never>; result: AnchorWritten };
  retention_info: { args: Record<string, never>; result: RetentionInfo };
  set_retention_years: { args: { years: number }; result: null };
  set_case_retention: { args: { args: RetentionCaseArgs }; result: null };
  destroy_person: { args: { args: DestroyArgs }; result: Destroyed };
  person_duplicates: { args: { id: string }; result: Array<Candidate> };
  intake_checklist: { args: { id: string }; result: Checklist };
  export_person_file: { args: { person: string }; result: string };
  restore_backup: { args: { args: BackupArgs }; result: Restored };
  merge_persons: { args: { args: MergeArgs }; result: Merged };
  trash_list: { args: Record<string, never>; result: Array<TrashItem> };
  trash_delete: { args: { args: TrashArgs }; result: string };
  trash_restore: { args: { id: string }; result: null };
  trash_empty: { args: Record<string, never>; result: number };
  incidents: { args: Record<string, never>; result: Array<JsonMap> };
  export_incidents: { args: { args: IncidentExportArgs }; result: string };
  copied: { args: Record<string, never>; result: null };
  add_document: { args: { args: DocumentArgs }; result: string };
  document_content: { args: { id: string }; result: ArrayBuffer };
  save_document_copy: { args: { id: string }; result: string };
  document_totals: { args: { persons: Array<string> }; result: DocumentTotals };
}
