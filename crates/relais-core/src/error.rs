//! The core's error type: one enum for the boundary, a stable `code()` the UI and the CLI branch
//! on, and a `message(lang)` in French or English that says what to do next.
//!
//! No message carries a secret or a value typed about a person (a malformed birth date is
//! reported by its field and the expected format, never echoed): messages end up on screens,
//! in terminals and in bug reports.

use std::path::PathBuf;

use crate::lang::{Lang, tr};
use crate::record::Kind;

/// The result of a core operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in the core. Each variant has a stable code ([`Error::code`]): its name,
/// unless an attribute names another.
#[derive(Debug, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(name(ErrorCode), derive(strum::IntoStaticStr, strum::EnumIter))]
#[strum_discriminants(doc = "Which error, without its details: the stable code of each variant.", allow(missing_docs))]
#[non_exhaustive]
pub enum Error {
    /// The passphrase does not open this vault's key file.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The key file asks for more work than Relais accepts (a file not written by Relais, or
    /// altered): unlocking it would take minutes and gigabytes.
    #[error("key file work factor 2^{log_n} above 2^22")]
    KeyTooCostly {
        /// Its scrypt work factor (log2 N).
        log_n: u8,
    },
    /// A new passphrase is too easy to guess.
    #[error("passphrase too weak")]
    WeakPassphrase,
    /// The two entries of a new passphrase differ.
    #[error("passphrases differ")]
    PassphraseMismatch,
    /// `init` on a directory that already holds a vault.
    #[error("a vault already exists there")]
    VaultExists(PathBuf),
    /// No vault at this directory.
    #[error("no vault there")]
    VaultNotFound(PathBuf),
    /// The vault was written by a newer version of Relais.
    #[error("vault schema {found} is newer than {supported}")]
    #[strum_discriminants(strum(serialize = "UnsupportedVersion"))]
    NewerSchema {
        /// Schema version found in the vault.
        found: i64,
        /// Newest schema version this build knows.
        supported: i64,
    },
    /// A key file is not what Relais writes (wrong length, not age, damaged).
    #[error("damaged key file")]
    DamagedKeyFile(PathBuf),
    /// The database does not open with the key its key file holds (damaged or swapped files).
    #[error("vault database damaged")]
    DamagedVault(PathBuf),
    /// The vault has no recovery key file.
    #[error("no recovery key")]
    NoRecoveryKey,
    /// Another program (the app, another `relais`) has the vault open while this one needs it
    /// alone (a key rotation).
    #[error("vault open elsewhere")]
    VaultBusy,
    /// An audit anchor that is not one: not JSON, another format, or its signature does not
    /// hold.
    #[error("invalid audit anchor")]
    InvalidAnchor,
    /// An audit anchor signed by another vault than the one it is checked against (or sent by
    /// someone else than its signer).
    #[error("audit anchor of another vault")]
    ForeignAnchor,
    /// The vault has a recovery key file but not its public key (set before rotation existed):
    /// a new key could not be wrapped to it.
    #[error("recovery recipient unknown")]
    RecoveryRecipientUnknown,
    /// A key rotation was interrupted after its commit and the passphrase given is the one
    /// from before it: the new one opens the vault.
    #[error("key rotation unfinished")]
    RotationUnfinished,
    /// The recovery identity does not open the recovery key file, or is not an age identity.
    #[error("wrong recovery identity")]
    WrongRecoveryIdentity,
    /// A recipient string is not an `age1…` X25519 recipient.
    #[error("invalid recipient")]
    InvalidRecipient,
    /// No record matches a reference (id or alias).
    #[error("{kind:?} not found")]
    NotFound {
        /// What was looked for.
        kind: Kind,
    },
    /// Several persons share this alias.
    #[error("ambiguous {kind:?} reference")]
    Ambiguous {
        /// What was looked for.
        kind: Kind,
        /// The ids that match.
        candidates: Vec<String>,
    },
    /// A field's value is refused; `problem` says how to fix it.
    #[error("invalid {field}: {problem:?}")]
    Invalid {
        /// The field (column) name, as the CLI and the forms know it.
        field: String,
        /// What is wrong.
        problem: Problem,
    },
    /// The record belongs to a case handed off to someone else: it is read-only here.
    #[error("case handed off: read-only")]
    HandedOff,
    /// A bundle file is not an age file at all.
    #[error("not an age file")]
    NotAgeFile,
    /// A bundle file ends too early.
    #[error("bundle truncated")]
    BundleTruncated,
    /// A bundle's bytes were changed after it was written (a MAC or content hash fails).
    #[error("bundle tampered")]
    BundleTampered,
    /// This vault's key does not open the bundle: it was encrypted for someone else.
    #[error("bundle not for this vault")]
    BundleNotForThisVault,
    /// The bundle opens, but its signed recipient list does not name this vault: someone
    /// re-encrypted it.
    #[error("bundle re-addressed")]
    BundleReaddressed,
    /// A valid age file whose content is not a Relais bundle.
    #[error("not a bundle")]
    NotABundle,
    /// A bundle in a format version this build does not know.
    #[error("bundle version {found}")]
    #[strum_discriminants(strum(serialize = "UnsupportedVersion"))]
    UnsupportedBundleVersion {
        /// The version found.
        found: u64,
    },
    /// A bundle in a format older than this build reads (version 1 says nothing of who wrote
    /// what, so it cannot be merged without rewriting someone's work).
    #[error("bundle version {found} too old")]
    #[strum_discriminants(strum(serialize = "OldBundleVersion"))]
    OldBundleVersion {
        /// The version found.
        found: u64,
    },
    /// A transfer of a case its sender does not hold the pen for here.
    #[error("sender does not own the case")]
    NotCaseOwner,
    /// A record's version credits this vault with more changes than it could have made (2²⁴,
    /// `MAX_CREDITED_HERE`).
    #[error("bundle credits this vault with changes it never made")]
    BundleCreditsThisVault,
    /// A record of the bundle has the id of one deleted here and waiting in the trash.
    #[error("a record of the bundle is in this vault's trash")]
    BundleRecordInTrash,
    /// This vault holds a copy of the case (a share), not the case: it cannot transfer it.
    #[error("a copy of a case cannot be transferred")]
    TransferOfACopy,
    /// A bundle touches a case its sender was never party to (neither owner nor a recipient of
    /// it from here).
    #[error("sender not party to the case")]
    NotPartyToCase,
    /// A record of a bundle would move to another person, or its author would change.
    #[error("bundle rewrites a record's person or author")]
    BundleRewritesRecord,
    /// A bundle carries a case this vault merged into another file.
    #[error("bundle carries a case merged here")]
    BundleCaseMerged {
        /// The alias of the file it was merged into.
        into: String,
    },
    /// Two files cannot be merged: the same file twice, a file this vault does not hold (handed
    /// off, held by a colleague), or one with changes from colleagues still to settle.
    #[error("these files cannot be merged")]
    CannotMerge {
        /// Why, as a key of the core's messages (`merge.same`, `merge.not_held`, `merge.pending`).
        why: &'static str,
    },
    /// A record added by someone who does not own the case claims another author.
    #[error("bundle attributes a record to someone else")]
    BundleForgedAuthor,
    /// A receipt for a transfer this vault never made to its sender.
    #[error("receipt for no transfer to its sender")]
    ReceiptNotForSender,
    /// No team folder is set for this vault.
    #[error("no team folder")]
    TeamFolderNotSet,
    /// The team folder cannot be reached (an unmounted share, a folder moved or removed).
    #[error("team folder unavailable")]
    TeamFolderUnavailable(PathBuf),
    /// An inbox of the team folder is a symbolic link: whoever syncs the folder could point it at
    /// any folder of the worker's disk, which Relais would then read, move files out of or write
    /// into.
    #[error("team folder inbox is a link")]
    TeamInboxIsALink(PathBuf),
    /// No file of that name waits in this vault's inbox.
    #[error("not in the inbox")]
    NotInInbox,
    /// The signature does not verify.
    #[error("bad signature")]
    BadSignature,
    /// Signed by a key that is not in the contact book.
    #[error("unknown sender")]
    UnknownSender,
    /// Signed by a contact whose fingerprint was never checked in person.
    #[error("unverified sender")]
    UnverifiedSender,
    /// The bundle's content breaks the format (a detail says where).
    #[error("malformed bundle: {detail}")]
    MalformedBundle {
        /// Where and what (no values).
        detail: String,
    },
    /// Two records of a bundle share an id.
    #[error("duplicate id in bundle")]
    BundleDuplicateId,
    /// A bundle's declared counts are not its content's.
    #[error("bundle counts do not match")]
    BundleCountMismatch,
    /// A record of a bundle refers to a person or record the bundle does not carry.
    #[error("dangling reference in bundle")]
    BundleDanglingReference,
    /// The bundle is larger than Relais accepts.
    #[error("bundle too large")]
    BundleTooLarge,
    /// The bundle's header names more recipients than a bundle may (`max`): it is not read
    /// (age's header parser takes time that grows with the square of the header).
    #[error("bundle with too many recipients")]
    BundleTooManyRecipients {
        /// The most a bundle may name.
        max: usize,
    },
    /// The database refused an operation.
    #[error("database: {0}")]
    Database(rusqlite::Error),
    /// A file could not be read or written.
    #[error("file: {0}")]
    Io(std::io::Error),
    /// A document was to be encrypted for a contact whose key was never checked in person.
    #[error("unverified contact")]
    UnverifiedContact,
    /// No consent of the person in force today covers this recipient (and no reason was
    /// written to go ahead without one).
    #[error("no consent covers this recipient")]
    ConsentMissing {
        /// The person's alias.
        person: String,
        /// The recipient, as named in the directory or the contact book.
        recipient: String,
    },
    /// The typed confirmation of a destruction is not the person's alias, exactly.
    #[error("confirmation mismatch")]
    ConfirmationMismatch,
    /// A case's retention period is not over (or the case is not closed): destroying it under
    /// the retention policy is refused.
    #[error("retention not over")]
    RetentionNotOver {
        /// The last day it is kept (empty: not closed).
        until: String,
    },
    /// No space left on the disk (or over quota): the operation was abandoned whole.
    #[error("disk full")]
    DiskFull,
    /// The age layer failed in a way not covered above.
    #[error("encryption: {0}")]
    Crypto(String),
    /// Not a Relais backup, or a truncated or altered one.
    #[error("invalid backup")]
    InvalidBackup,
    /// A needs ledger that is not one this version computes: another format or shape, a count
    /// out of bounds (what is wrong, in English, for the logs of the person who sent it).
    #[error("invalid ledger: {0}")]
    InvalidLedger(String),
    /// Ledgers of different periods cannot be added up.
    #[error("ledgers of different periods")]
    LedgerPeriods,
    /// A needs ledger is merged (`relais ledger merge`), never imported into a vault.
    #[error("a ledger is not imported")]
    LedgerNotImported,
    /// Two ledgers from the same organisation (the same sender): it would count twice.
    #[error("two ledgers from one sender")]
    LedgerDuplicateSender {
        /// The sender's name in the contact book.
        name: String,
    },
    /// A ledger whose sender's contact names no organisation: the merge counts organisations,
    /// not keys (one partner with two vaults would otherwise count twice).
    #[error("ledger from no organisation")]
    LedgerNoOrganisation {
        /// The sender's name in the contact book.
        name: String,
    },
    /// Fewer organisations than a published merge needs: a member could subtract its own
    /// counts from the merge and read another's.
    #[error("too few ledgers")]
    LedgerTooFew {
        /// How many organisations the merge would add up.
        found: u32,
        /// How many it needs.
        min: u32,
    },
    /// The summary PDF could not be typeset (a fault of the template, never of the data).
    #[error("typesetting: {0}")]
    Typeset(String),
    /// A document's file is empty (zero bytes): nothing to keep.
    #[error("empty document")]
    DocumentEmpty,
    /// A document's file is larger than Relais keeps ([`crate::case::documents::MAX_BYTES`]).
    #[error("document too large")]
    DocumentTooLarge {
        /// The file's size, in megabytes (rounded up).
        size_mb: u64,
        /// The limit, in megabytes.
        max_mb: u64,
    },
    /// An image whose declared size would take more memory to show than any scan needs (a
    /// decompression bomb), or whose header cannot be read.
    #[error("image refused")]
    DocumentImageRefused {
        /// Its width and height in pixels, as its header says (0 when unreadable).
        width: u64,
        /// Height in pixels.
        height: u64,
    },
    /// The documents chosen for a bundle would make it larger than a bundle can be.
    #[error("documents too large for a bundle")]
    DocumentsTooLargeForBundle {
        /// Their total size, in megabytes.
        total_mb: u64,
        /// What a bundle carries at most, in megabytes.
        max_mb: u64,
    },
    /// A CSV file could not be read.
    #[error("CSV line {line}: {problem:?}")]
    Csv {
        /// 1-based line number in the file.
        line: u64,
        /// What is wrong there.
        problem: CsvProblem,
    },
}

/// What is wrong on a line of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvProblem {
    /// The file itself (its encoding, its quoting, a column that is not one): as the reader says.
    Text(String),
    /// A value refused, said in the worker's language.
    Field {
        /// The column.
        field: String,
        /// Why.
        problem: Problem,
    },
}

/// Why a field's value is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required field is missing or empty.
    Required,
    /// Not a date `YYYY-MM-DD`.
    MalformedDate,
    /// Not a date and time (`YYYY-MM-DDTHH:MM`, optionally with an offset).
    MalformedDateTime,
    /// Not a whole number / amount.
    MalformedNumber,
    /// Not a duration (« 1 h 30 », "90 min"), or more than a day.
    MalformedDuration,
    /// Not yes/no.
    MalformedBool,
    /// A code that the catalogue `list` does not hold.
    UnknownCode {
        /// The catalogue list (e.g. `needs`).
        list: String,
        /// The valid codes, for the message.
        valid: Vec<String>,
    },
    /// The end is before the start.
    EndBeforeStart,
    /// A date in the future where only the past makes sense (birth, intake).
    InFuture,
    /// This need exists only for persons trafficked internationally.
    InternationalOnly,
    /// The person asked for an interpreter from outside her community; not confirmed here.
    InterpreterOutsideCommunity,
    /// This need is not part of the given phase.
    NotInPhase {
        /// The phases where the need exists.
        phases: Vec<String>,
    },
    /// Too long for the field.
    TooLong {
        /// The maximum, in characters.
        max: usize,
    },
    /// A field this kind of record does not have.
    UnknownField,
    /// The referenced record does not exist.
    UnknownReference,
    /// A reason is required for this value (rejected referral, "other" closure…).
    ReasonRequired,
    /// Only one value is allowed here (a transfer goes to one person).
    OnlyOne,
    /// More values than allowed here.
    TooMany {
        /// The most allowed.
        max: usize,
    },
    /// The record is already in that state.
    Unchanged,
    /// Not a valid public key (age recipient `age1…` or Ed25519 key in hex).
    MalformedKey,
    /// The fingerprint does not match the keys it comes with.
    FingerprintMismatch,
    /// Already there (a contact with the same keys).
    Duplicate,
    /// A key of another contact, who has a different one beside it: one of the two cards is
    /// false or out of date.
    KeyOfAnother {
        /// The contact who holds it.
        name: String,
    },
    /// Other records (of the kind the field names) still point at this one.
    StillReferenced,
    /// A typed confirmation does not match what it confirms.
    Mismatch,
    /// Set by a step of its own, not by editing the field (a case is closed with its reason,
    /// handed off by a transfer).
    NotSettable,
    /// A closed case is reopened with a reason, not by changing its status.
    ReopenWithReason,
    /// Only a closed case can be reopened.
    NotClosed,
}

/// Every value [`Error::code`] can return, once each (the app's TypeScript error type is
/// generated from it).
pub fn codes() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for code in <ErrorCode as strum::IntoEnumIterator>::iter() {
        let name: &'static str = code.into();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

impl Error {
    /// A stable identifier the UI and scripts branch on; never changes once published.
    pub fn code(&self) -> &'static str {
        ErrorCode::from(self).into()
    }

    /// Shorthand for an [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, problem: Problem) -> Self {
        Error::Invalid { field: field.into(), problem }
    }

    /// The message for a person, in `lang`: what happened and what to do.
    pub fn message(&self, lang: Lang) -> String {
        let t = |key: &str, args: &[(&str, &str)]| tr(lang, key, args);
        match self {
            Error::WrongPassphrase => t("error.wrong_passphrase", &[]),
            Error::KeyTooCostly { log_n } => t("error.key_too_costly", &[("log_n", &log_n.to_string())]),
            Error::WeakPassphrase => t("error.weak_passphrase", &[]),
            Error::PassphraseMismatch => t("error.passphrase_mismatch", &[]),
            Error::VaultExists(p) => t("error.vault_exists", &[("path", &p.display().to_string())]),
            Error::VaultNotFound(p) => t("error.vault_not_found", &[("path", &p.display().to_string())]),
            Error::NewerSchema { found, supported } => {
                t("error.newer_schema", &[("found", &found.to_string()), ("supported", &supported.to_string())])
            }
            Error::DamagedKeyFile(p) => t("error.damaged_key_file", &[("path", &p.display().to_string())]),
            Error::DamagedVault(p) => t("error.damaged_vault", &[("path", &p.display().to_string())]),
            Error::NoRecoveryKey => t("error.no_recovery_key", &[]),
            Error::VaultBusy => t("error.vault_busy", &[]),
            Error::InvalidAnchor => t("error.invalid_anchor", &[]),
            Error::ForeignAnchor => t("error.foreign_anchor", &[]),
            Error::RecoveryRecipientUnknown => t("error.recovery_recipient_unknown", &[]),
            Error::RotationUnfinished => t("error.rotation_unfinished", &[]),
            Error::WrongRecoveryIdentity => t("error.wrong_recovery_identity", &[]),
            Error::InvalidRecipient => t("error.invalid_recipient", &[]),
            Error::NotFound { kind } => {
                let hint = match kind {
                    Kind::Person => t("hint.person", &[]),
                    Kind::Organisation => t("hint.organisation", &[]),
                    _ => t("hint.record", &[]),
                };
                t("error.not_found", &[("kind", &kind.label(lang)), ("hint", &hint)])
            }
            Error::Ambiguous { kind, candidates } => t("error.ambiguous", &[("kind", &kind.label(lang)), ("ids", &candidates.join(", "))]),
            Error::Invalid { field, problem } => {
                let what = problem.message(lang);
                t("error.invalid", &[("field", &crate::lang::field_label(lang, field)), ("problem", &what)])
            }
            Error::HandedOff => t("error.handed_off", &[]),
            Error::NotAgeFile => t("error.not_age_file", &[]),
            Error::BundleTruncated => t("error.bundle_truncated", &[]),
            Error::BundleTampered => t("error.bundle_tampered", &[]),
            Error::BundleNotForThisVault => t("error.bundle_not_for_this_vault", &[]),
            Error::BundleReaddressed => t("error.bundle_readdressed", &[]),
            Error::NotABundle => t("error.not_a_bundle", &[]),
            Error::UnsupportedBundleVersion { found } => t("error.bundle_version", &[("found", &found.to_string())]),
            Error::OldBundleVersion { found } => t("error.bundle_version_old", &[("found", &found.to_string())]),
            Error::NotCaseOwner => t("error.not_case_owner", &[]),
            Error::TransferOfACopy => t("error.transfer_of_a_copy", &[]),
            Error::BundleRecordInTrash => t("error.bundle_record_in_trash", &[]),
            Error::BundleCreditsThisVault => t("error.bundle_credits_this_vault", &[]),
            Error::NotPartyToCase => t("error.not_party_to_case", &[]),
            Error::BundleRewritesRecord => t("error.bundle_rewrites_record", &[]),
            Error::BundleCaseMerged { into } => t("error.bundle_case_merged", &[("into", into)]),
            Error::CannotMerge { why } => format!("{} {}", t("error.cannot_merge", &[]), t(why, &[])),
            Error::BundleForgedAuthor => t("error.bundle_forged_author", &[]),
            Error::ReceiptNotForSender => t("error.receipt_not_for_sender", &[]),
            Error::TeamFolderNotSet => t("error.team_folder_not_set", &[]),
            Error::TeamFolderUnavailable(p) => t("error.team_folder_unavailable", &[("path", &p.display().to_string())]),
            Error::TeamInboxIsALink(p) => t("error.team_inbox_is_a_link", &[("path", &p.display().to_string())]),
            Error::NotInInbox => t("error.not_in_inbox", &[]),
            Error::BadSignature => t("error.bad_signature", &[]),
            Error::UnknownSender => t("error.unknown_sender", &[]),
            Error::UnverifiedSender => t("error.unverified_sender", &[]),
            Error::MalformedBundle { detail } => t("error.malformed_bundle", &[("detail", detail)]),
            Error::BundleTooLarge => t("error.bundle_too_large", &[]),
            Error::BundleTooManyRecipients { max } => t("error.bundle_too_many_recipients", &[("max", &max.to_string())]),
            Error::BundleDuplicateId => t("error.bundle_duplicate_id", &[]),
            Error::BundleCountMismatch => t("error.bundle_count_mismatch", &[]),
            Error::BundleDanglingReference => t("error.bundle_dangling_reference", &[]),
            Error::Database(e) => t("error.database", &[("detail", &e.to_string())]),
            Error::Io(e) => t("error.io", &[("detail", &io_reason(e, lang))]),
            Error::Crypto(e) => t("error.crypto", &[("detail", e)]),
            Error::Typeset(_) => t("error.summary_pdf", &[]),
            Error::InvalidBackup => t("error.invalid_backup", &[]),
            Error::InvalidLedger(_) => t("error.invalid_ledger", &[]),
            Error::LedgerPeriods => t("error.ledger_periods", &[]),
            Error::LedgerNotImported => t("error.ledger_not_imported", &[]),
            Error::LedgerDuplicateSender { name } => t("error.ledger_duplicate_sender", &[("name", name)]),
            Error::LedgerNoOrganisation { name } => t("error.ledger_no_organisation", &[("name", name)]),
            Error::LedgerTooFew { found, min } => t("error.ledger_too_few", &[("found", &found.to_string()), ("min", &min.to_string())]),
            Error::DiskFull => t("error.disk_full", &[]),
            Error::UnverifiedContact => t("error.unverified_contact", &[]),
            Error::ConfirmationMismatch => t("error.confirmation_mismatch", &[]),
            Error::RetentionNotOver { until } if until.is_empty() => t("error.retention_not_closed", &[]),
            Error::RetentionNotOver { until } => t("error.retention_not_over", &[("until", until)]),
            Error::ConsentMissing { person, recipient } => t("error.consent_missing", &[("person", person), ("recipient", recipient)]),
            Error::DocumentEmpty => t("error.document_empty", &[]),
            Error::DocumentTooLarge { size_mb, max_mb } => {
                t("error.document_too_large", &[("size", &size_mb.to_string()), ("max", &max_mb.to_string())])
            }
            Error::DocumentImageRefused { width: 0, .. } => t("error.document_image_unreadable", &[]),
            Error::DocumentImageRefused { width, height } => {
                t("error.document_image_too_large", &[("width", &width.to_string()), ("height", &height.to_string())])
            }
            Error::DocumentsTooLargeForBundle { total_mb, max_mb } => {
                t("error.documents_too_large_for_bundle", &[("total", &total_mb.to_string()), ("max", &max_mb.to_string())])
            }
            Error::Csv { line, problem } => {
                let detail = match problem {
                    CsvProblem::Text(text) => text.clone(),
                    CsvProblem::Field { field, problem } => {
                        let template = if lang == Lang::Fr { "%{field} : %{problem}" } else { "%{field}: %{problem}" };
                        crate::lang::finish(template.into(), lang, &[("field", field), ("problem", &problem.message(lang))])
                    }
                };
                t("error.csv", &[("line", &line.to_string()), ("detail", &detail)])
            }
        }
    }
}

impl Problem {
    /// What is wrong with the value, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let t = |key: &str, args: &[(&str, &str)]| tr(lang, key, args);
        match self {
            Problem::Required => t("problem.required", &[]),
            Problem::MalformedDate => t("problem.malformed_date", &[]),
            Problem::MalformedDateTime => t("problem.malformed_datetime", &[]),
            Problem::MalformedNumber => t("problem.malformed_number", &[]),
            Problem::MalformedDuration => t("problem.malformed_duration", &[]),
            Problem::MalformedBool => t("problem.malformed_bool", &[]),
            Problem::UnknownCode { list, valid } => t("problem.unknown_code", &[("list", list), ("valid", &valid.join(", "))]),
            Problem::EndBeforeStart => t("problem.end_before_start", &[]),
            Problem::InFuture => t("problem.in_future", &[]),
            Problem::InternationalOnly => t("problem.international_only", &[]),
            Problem::InterpreterOutsideCommunity => t("problem.interpreter_outside_community", &[]),
            Problem::NotInPhase { phases } => t("problem.not_in_phase", &[("phases", &phases.join(", "))]),
            Problem::TooLong { max } => t("problem.too_long", &[("max", &max.to_string())]),
            Problem::UnknownField => t("problem.unknown_field", &[]),
            Problem::UnknownReference => t("problem.unknown_reference", &[]),
            Problem::ReasonRequired => t("problem.reason_required", &[]),
            Problem::OnlyOne => t("problem.only_one", &[]),
            Problem::TooMany { max } => t("problem.too_many", &[("max", &max.to_string())]),
            Problem::Unchanged => t("problem.unchanged", &[]),
            Problem::MalformedKey => t("problem.malformed_key", &[]),
            Problem::FingerprintMismatch => t("problem.fingerprint_mismatch", &[]),
            Problem::Duplicate => t("problem.duplicate", &[]),
            Problem::KeyOfAnother { name } => t("problem.key_of_another", &[("name", name)]),
            Problem::StillReferenced => t("problem.still_referenced", &[]),
            Problem::Mismatch => t("problem.mismatch", &[]),
            Problem::NotSettable => t("problem.not_settable", &[]),
            Problem::ReopenWithReason => t("problem.reopen_with_reason", &[]),
            Problem::NotClosed => t("problem.not_closed", &[]),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // SQLITE_FULL, or SQLITE_IOERR_SHMSIZE (4874: no room to grow the WAL index).
        let shm_full = matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == 4874);
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => Error::DiskFull,
            _ if shm_full => Error::DiskFull,
            _ => Error::Database(e),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        // ENOSPC (28) and EDQUOT (122 on Linux) are the same story for the worker.
        if e.kind() == std::io::ErrorKind::StorageFull || e.kind() == std::io::ErrorKind::QuotaExceeded || e.raw_os_error() == Some(28) {
            Error::DiskFull
        } else {
            Error::Io(e)
        }
    }
}

/// What went wrong with a file, in `lang`: the common cases in words (« fichier introuvable »),
/// any other by the system's number, never the system's own English text.
pub fn io_reason(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let key = match e.kind() {
        K::NotFound => "io.not_found",
        K::PermissionDenied => "io.permission_denied",
        K::AlreadyExists => "io.already_exists",
        K::IsADirectory => "io.is_a_directory",
        K::NotADirectory => "io.not_a_directory",
        K::ReadOnlyFilesystem => "io.read_only",
        K::StorageFull | K::QuotaExceeded => "io.disk_full",
        K::InvalidData => "io.invalid_data",
        K::UnexpectedEof => "io.unexpected_eof",
        K::FileTooLarge => "io.too_large",
        K::InvalidFilename => "io.invalid_filename",
        _ => match e.raw_os_error() {
            Some(code) => return tr(lang, "io.os_error", &[("code", &code.to_string())]),
            None => "io.other",
        },
    };
    tr(lang, key, &[])
}

impl From<age::DecryptError> for Error {
    fn from(e: age::DecryptError) -> Self {
        Error::Crypto(e.to_string())
    }
}

impl From<age::EncryptError> for Error {
    fn from(e: age::EncryptError) -> Self {
        Error::Crypto(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_variant_names_once_each() {
        let codes = codes();
        assert_eq!(Error::NewerSchema { found: 9, supported: 3 }.code(), "UnsupportedVersion");
        assert_eq!(Error::UnsupportedBundleVersion { found: 9 }.code(), "UnsupportedVersion");
        assert_eq!(Error::ConfirmationMismatch.code(), "ConfirmationMismatch");
        assert_eq!(codes.iter().filter(|c| **c == "UnsupportedVersion").count(), 1);
        assert!(codes.contains(&"WrongPassphrase") && !codes.contains(&"NewerSchema"));
    }

    /// A file error says its cause in the person's language, never the system's English text.
    #[test]
    fn a_file_error_says_its_cause_in_words() {
        let missing = std::fs::read("/nonexistent/relais/absent").unwrap_err();
        assert_eq!(Error::Io(missing).message(Lang::Fr), "Erreur de fichier (fichier ou dossier introuvable).");
        let folder = std::fs::read(std::env::temp_dir()).unwrap_err();
        assert_eq!(io_reason(&folder, Lang::En), "it is a folder, not a file");
        // A cause without words of its own: the system's number (ENOTCONN).
        let other = std::io::Error::from_raw_os_error(107);
        assert_eq!(io_reason(&other, Lang::Fr), "erreur du système numéro 107");
        assert_eq!(io_reason(&std::io::Error::other("boom"), Lang::En), "read or write error");
        for e in [std::io::Error::from_raw_os_error(2), std::io::Error::from_raw_os_error(13), other] {
            let (fr, en) = (io_reason(&e, Lang::Fr), io_reason(&e, Lang::En));
            assert!(!fr.contains(&e.to_string()) && !en.contains(&e.to_string()) && fr != en, "{fr} / {en}");
        }
    }
}
