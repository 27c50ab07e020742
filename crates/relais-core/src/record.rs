//! The record kinds of the case model and their columns, as data.
//!
//! Every kind is one table with the same four base columns (`id` UUID v7, `created_at`,
//! `updated_at`, `revision`) plus the columns listed here. Knowing the columns as data lets one
//! piece of code validate input, write the audit trail, export a person's whole file and
//! (later) merge bundles, instead of sixteen hand-written copies that drift apart. A test checks
//! that these lists match the tables of `schema/schema.sql`.

use serde_json::{Map, Value};

use crate::lang::Lang;

/// A record's fields by column name, as JSON values (dates as `YYYY-MM-DD` strings, instants as
/// RFC 3339 strings, flags as booleans, code lists as arrays).
pub type Fields = Map<String, Value>;

/// The kinds of record a vault holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A person accompanied.
    Person,
    /// A need of a person (catalogue `needs`), with phase and status.
    Need,
    /// An appointment.
    Appointment,
    /// An organisation of the directory of resources.
    Organisation,
    /// A contact person at an organisation.
    OrgContact,
    /// A service an organisation offers for a need.
    Service,
    /// A referral of a person to an organisation.
    Referral,
    /// One status change of a referral (its history).
    ReferralEvent,
    /// A court proceeding.
    Proceeding,
    /// A milestone of a proceeding.
    Milestone,
    /// A testimonial aid requested in a proceeding.
    TestimonialAid,
    /// A dated deadline (IVAC, permit expiry…).
    Deadline,
    /// A note (contact, phone, visit, case conference).
    Note,
    /// A consent to share information.
    Consent,
    /// An item of the safety plan.
    SafetyItem,
    /// A follow-up task.
    Task,
    /// A colleague in the contact book (their public keys), not part of any case.
    Contact,
    /// A confidentiality incident of the organisation's register (Law 25), not part of any case.
    Incident,
    /// An amount spent for a person (a bus ticket, hotel nights, a phone card), from a fund.
    Expense,
    /// A paper of the case (a scan, a signed form, a letter): its description here, its bytes
    /// in `document_content` ([`crate::case::documents`]).
    Document,
}

/// How a column's value is checked and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Text of at most this many characters.
    Text(usize),
    /// Yes/no, stored as 0/1.
    Bool,
    /// A whole number.
    Int,
    /// An amount of money in cents, stored as a whole number; typed in dollars ([`crate::money`]).
    Money,
    /// A duration in whole minutes, at most a day; typed « 1 h 30 » ([`crate::duration`]).
    Minutes,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// An instant, stored as RFC 3339 UTC.
    DateTime,
    /// A code of the named catalogue list.
    Code(&'static str),
    /// A list of codes of the named catalogue list, stored as a JSON array.
    Codes(&'static str),
    /// A list of free words (languages), stored as a JSON array.
    Words,
    /// The id of a record of that kind.
    Ref(Kind),
}

/// A column of a record kind.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// Column (and field) name.
    pub name: &'static str,
    /// Type.
    pub ty: Ty,
    /// Must be present and non-empty.
    pub required: bool,
    /// Identifies or endangers the person if shown to a partner (legal name, birth date,
    /// contact details, address, immigration status, free text): left out of partner summaries.
    pub sensitive: bool,
}

const fn c(name: &'static str, ty: Ty) -> Col {
    Col { name, ty, required: false, sensitive: false }
}
const fn req(name: &'static str, ty: Ty) -> Col {
    Col { name, ty, required: true, sensitive: false }
}
const fn sens(name: &'static str, ty: Ty) -> Col {
    Col { name, ty, required: false, sensitive: true }
}

const LINE: Ty = Ty::Text(300);
const LONG: Ty = Ty::Text(4000);
/// Notes can be long (a case-conference minute), but not unbounded.
pub const NOTE_MAX: usize = 100_000;

const PERSON: &[Col] = &[
    req("alias", Ty::Text(120)),
    sens("legal_name", LINE),
    sens("birth_date", Ty::Date),
    sens("phone", Ty::Text(60)),
    sens("email", LINE),
    sens("address", LONG),
    c("region", Ty::Text(120)),
    c("languages", Ty::Words),
    c("interpreter_needed", Ty::Bool),
    c("interpreter_language", Ty::Text(60)),
    c("safe_to_call", Ty::Bool),
    c("safe_to_text", Ty::Bool),
    c("safe_to_leave_message", Ty::Bool),
    c("exploitation_types", Ty::Codes("exploitation_types")),
    c("means_of_control", Ty::Codes("means_of_control")),
    c("labour_sector", Ty::Code("labour_sectors")),
    req("origin", Ty::Code("origins")),
    sens("immigration_status", LINE),
    req("intake_at", Ty::DateTime),
    c("referral_source", LINE),
    req("status", Ty::Code("person_statuses")),
    c("closure_reason", Ty::Code("closure_reasons")),
    sens("closure_note", LONG),
    c("closed_on", Ty::Date),
    // Intake: the Law 25 notice, who consented, a DPJ report for a minor (migration 0007).
    c("notice_given_on", Ty::Date),
    c("consent_by", Ty::Code("consent_givers")),
    c("dpj_reported_on", Ty::Date),
    // Risk, as the worker assesses it and keeps it current.
    c("risk_level", Ty::Code("risk_levels")),
    c("risk_reviewed_on", Ty::Date),
    c("organised_crime", Ty::Bool),
    c("no_contact_order", Ty::Bool),
    sens("protection_conditions", LONG),
    c("protection_until", Ty::Date),
    // Self-identification, never required; identifying for a partner.
    sens("gender", Ty::Code("genders")),
    sens("indigenous", Ty::Code("indigenous_identities")),
    // She asked for interpreters from outside her own community (migration 0008).
    c("interpreter_outside_community", Ty::Bool),
];
const NEED: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    req("code", Ty::Code("needs")),
    req("phase", Ty::Code("phases")),
    req("status", Ty::Code("need_statuses")),
    c("identified_on", Ty::Date),
    c("closed_on", Ty::Date),
    sens("note", LONG),
];
const APPOINTMENT: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    c("need_id", Ty::Ref(Kind::Need)),
    req("starts_at", Ty::DateTime),
    c("ends_at", Ty::DateTime),
    c("place", LINE),
    c("org_id", Ty::Ref(Kind::Organisation)),
    c("with_whom", LINE),
    req("kind", Ty::Code("appointment_kinds")),
    c("accompanied", Ty::Bool),
    c("interpreter_language", Ty::Text(60)),
    c("transport", LINE),
    req("status", Ty::Code("appointment_statuses")),
    sens("outcome", LONG),
    // Interpreter: needed, from which provider, confirmed from outside her community (0008).
    c("interpreter_needed", Ty::Bool),
    c("interpreter_provider", LINE),
    c("interpreter_outside_confirmed", Ty::Bool),
    // The worker's time on it, travel and waiting included (migration 0009).
    c("accompaniment_minutes", Ty::Minutes),
];
const ORGANISATION: &[Col] = &[
    req("name", LINE),
    c("kind", Ty::Code("org_kinds")),
    c("region", Ty::Text(120)),
    c("address", LONG),
    c("phone", Ty::Text(60)),
    c("email", LINE),
    c("website", LINE),
    c("languages", Ty::Words),
    c("open_24_7", Ty::Bool),
    c("notes", LONG),
];
const ORG_CONTACT: &[Col] =
    &[req("org_id", Ty::Ref(Kind::Organisation)), req("name", LINE), c("role", LINE), c("phone", Ty::Text(60)), c("email", LINE)];
const SERVICE: &[Col] = &[
    req("org_id", Ty::Ref(Kind::Organisation)),
    req("need_code", Ty::Code("needs")),
    c("region", Ty::Text(120)),
    c("languages", Ty::Words),
    c("open_24_7", Ty::Bool),
    c("notes", LONG),
];
const REFERRAL: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    req("org_id", Ty::Ref(Kind::Organisation)),
    c("need_id", Ty::Ref(Kind::Need)),
    c("consent_id", Ty::Ref(Kind::Consent)),
    req("status", Ty::Code("referral_statuses")),
    c("status_reason", LONG),
    c("follow_up_on", Ty::Date),
    c("amount_cents", Ty::Money),
    sens("outcome", LONG),
    sens("note", LONG),
];
const REFERRAL_EVENT: &[Col] = &[
    req("referral_id", Ty::Ref(Kind::Referral)),
    req("status", Ty::Code("referral_statuses")),
    req("at", Ty::DateTime),
    c("reason", LONG),
];
const PROCEEDING: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    sens("file_number", Ty::Text(100)),
    c("court", LINE),
    c("district", Ty::Text(120)),
    c("role", Ty::Code("court_roles")),
    c("prosecutor", LINE),
    sens("note", LONG),
];
const MILESTONE: &[Col] = &[
    req("proceeding_id", Ty::Ref(Kind::Proceeding)),
    req("code", Ty::Code("milestones")),
    req("status", Ty::Code("milestone_statuses")),
    c("due_on", Ty::Date),
    c("done_on", Ty::Date),
    sens("note", LONG),
];
const TESTIMONIAL_AID: &[Col] = &[
    req("proceeding_id", Ty::Ref(Kind::Proceeding)),
    req("code", Ty::Code("testimonial_aids")),
    req("status", Ty::Code("aid_statuses")),
    c("requested_on", Ty::Date),
    c("decided_on", Ty::Date),
    sens("note", LONG),
];
const DEADLINE: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    req("kind", Ty::Code("deadline_kinds")),
    req("due_on", Ty::Date),
    c("label", LINE),
    c("ivac_status", Ty::Code("ivac_statuses")),
    c("permit_status", Ty::Code("permit_statuses")),
    c("done_on", Ty::Date),
    sens("note", LONG),
];
const NOTE: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    req("kind", Ty::Code("note_kinds")),
    req("at", Ty::DateTime),
    Col { name: "text", ty: Ty::Text(NOTE_MAX), required: true, sensitive: true },
    // The time of the intervention it records (migration 0009).
    c("minutes", Ty::Minutes),
];
const CONSENT: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    req("scope", Ty::Text(500)),
    c("org_id", Ty::Ref(Kind::Organisation)),
    c("recipient", LINE),
    req("starts_on", Ty::Date),
    c("ends_on", Ty::Date),
    req("method", Ty::Code("consent_methods")),
    c("withdrawn_on", Ty::Date),
    sens("note", LONG),
];
const SAFETY_ITEM: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    Col { name: "text", ty: LONG, required: true, sensitive: true },
    c("review_on", Ty::Date),
    c("done_on", Ty::Date),
];
const CONTACT: &[Col] = &[
    req("name", LINE),
    c("org", LINE),
    req("age_recipient", Ty::Text(100)),
    req("signing_key", Ty::Text(64)),
    req("fingerprint", Ty::Text(30)),
    c("verified_on", Ty::Date),
];
const INCIDENT: &[Col] = &[
    req("occurred_on", Ty::Date),
    c("discovered_on", Ty::Date),
    Col { name: "description", ty: LONG, required: true, sensitive: true },
    sens("persons_concerned", LONG),
    c("serious_risk", Ty::Bool),
    sens("risk_assessment", LONG),
    c("cai_notified_on", Ty::Date),
    c("persons_notified_on", Ty::Date),
    sens("measures", LONG),
];
const EXPENSE: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    req("spent_on", Ty::Date),
    req("fund", Ty::Code("funds")),
    req("category", Ty::Code("expense_categories")),
    req("amount_cents", Ty::Money),
    sens("note", LONG),
];
/// The columns of a document that describe its content: set from the bytes when it is added,
/// never changed afterwards (by a form or by a bundle).
pub const DOCUMENT_CONTENT_COLS: [&str; 3] = ["media_type", "size", "sha256"];
const DOCUMENT: &[Col] = &[
    req("person_id", Ty::Ref(Kind::Person)),
    Col { name: "title", ty: LINE, required: true, sensitive: true },
    req("kind", Ty::Code("document_kinds")),
    c("dated_on", Ty::Date),
    // The record it goes with, if any: a consent form, an IVAC deadline, a court proceeding.
    c("consent_id", Ty::Ref(Kind::Consent)),
    c("deadline_id", Ty::Ref(Kind::Deadline)),
    c("proceeding_id", Ty::Ref(Kind::Proceeding)),
    // The name the file had on the worker's disk (its last component only), never used as a path.
    sens("file_name", Ty::Text(255)),
    req("media_type", Ty::Text(100)),
    req("size", Ty::Int),
    req("sha256", Ty::Text(64)),
];
const TASK: &[Col] =
    &[c("person_id", Ty::Ref(Kind::Person)), req("title", Ty::Text(500)), c("due_on", Ty::Date), c("done_at", Ty::DateTime)];

/// What a kind is, in one row: its stable name (the audit log, JSON, bundles), its table and
/// its columns. In the enum's order (a test checks it), so that a kind finds its row by index.
struct Spec {
    kind: Kind,
    name: &'static str,
    table: &'static str,
    columns: &'static [Col],
}

const SPECS: [Spec; 20] = [
    Spec { kind: Kind::Person, name: "person", table: "persons", columns: PERSON },
    Spec { kind: Kind::Need, name: "need", table: "needs", columns: NEED },
    Spec { kind: Kind::Appointment, name: "appointment", table: "appointments", columns: APPOINTMENT },
    Spec { kind: Kind::Organisation, name: "organisation", table: "organisations", columns: ORGANISATION },
    Spec { kind: Kind::OrgContact, name: "org_contact", table: "org_contacts", columns: ORG_CONTACT },
    Spec { kind: Kind::Service, name: "service", table: "services", columns: SERVICE },
    Spec { kind: Kind::Referral, name: "referral", table: "referrals", columns: REFERRAL },
    Spec { kind: Kind::ReferralEvent, name: "referral_event", table: "referral_events", columns: REFERRAL_EVENT },
    Spec { kind: Kind::Proceeding, name: "proceeding", table: "proceedings", columns: PROCEEDING },
    Spec { kind: Kind::Milestone, name: "milestone", table: "milestones", columns: MILESTONE },
    Spec { kind: Kind::TestimonialAid, name: "testimonial_aid", table: "testimonial_aids", columns: TESTIMONIAL_AID },
    Spec { kind: Kind::Deadline, name: "deadline", table: "deadlines", columns: DEADLINE },
    Spec { kind: Kind::Note, name: "note", table: "notes", columns: NOTE },
    Spec { kind: Kind::Consent, name: "consent", table: "consents", columns: CONSENT },
    Spec { kind: Kind::SafetyItem, name: "safety_item", table: "safety_items", columns: SAFETY_ITEM },
    Spec { kind: Kind::Task, name: "task", table: "tasks", columns: TASK },
    Spec { kind: Kind::Contact, name: "contact", table: "contacts", columns: CONTACT },
    Spec { kind: Kind::Incident, name: "incident", table: "incidents", columns: INCIDENT },
    Spec { kind: Kind::Expense, name: "expense", table: "expenses", columns: EXPENSE },
    Spec { kind: Kind::Document, name: "document", table: "documents", columns: DOCUMENT },
];

impl Kind {
    fn spec(self) -> &'static Spec {
        let spec = &SPECS[self as usize];
        debug_assert_eq!(spec.kind, self, "SPECS is in the enum's order");
        spec
    }

    /// The table holding this kind.
    pub fn table(self) -> &'static str {
        self.spec().table
    }

    /// The columns beyond the four base ones.
    pub fn columns(self) -> &'static [Col] {
        self.spec().columns
    }

    /// The stable name used in the audit log, JSON and bundles.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Every kind, parents before children (the order to create tables and import records).
    pub const ALL: [Kind; 20] = [
        Kind::Person,
        Kind::Organisation,
        Kind::OrgContact,
        Kind::Service,
        Kind::Need,
        Kind::Consent,
        Kind::Appointment,
        Kind::Referral,
        Kind::ReferralEvent,
        Kind::Proceeding,
        Kind::Milestone,
        Kind::TestimonialAid,
        Kind::Deadline,
        Kind::Note,
        Kind::SafetyItem,
        Kind::Task,
        Kind::Expense,
        Kind::Document,
        Kind::Contact,
        Kind::Incident,
    ];

    /// The column by name.
    pub fn column(self, name: &str) -> Option<&'static Col> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// How a record of this kind reaches its person: `(column, kind it points to)`, or `None`
    /// for directory records, which belong to no one.
    pub fn owner(self) -> Option<(&'static str, Kind)> {
        match self {
            Kind::Person | Kind::Organisation | Kind::OrgContact | Kind::Service | Kind::Contact | Kind::Incident => None,
            Kind::ReferralEvent => Some(("referral_id", Kind::Referral)),
            Kind::Milestone | Kind::TestimonialAid => Some(("proceeding_id", Kind::Proceeding)),
            _ => Some(("person_id", Kind::Person)),
        }
    }

    /// Part of a person's case (as opposed to the shared directory).
    pub fn is_case_record(self) -> bool {
        !matches!(self, Kind::Organisation | Kind::OrgContact | Kind::Service | Kind::Contact | Kind::Incident)
    }

    /// Travels in hand-off bundles: a case's records and the directory's organisations.
    pub fn in_bundles(self) -> bool {
        self.is_case_record() || self == Kind::Organisation
    }

    /// Parses [`Kind::name`].
    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// What a person calls this kind, in `lang` (`kind.NAME` in the core's messages).
    pub fn label(self, lang: Lang) -> String {
        crate::lang::tr(lang, &format!("kind.{}", self.name()), &[])
    }
}

/// A record's fields read one at a time, without building a [`Fields`] map: a decoded record,
/// or a row straight from the database ([`crate::vault::store::Store::scan_fields`]). A report
/// that reads a few fields of hundreds of thousands of records reads them this way.
pub trait ReadFields {
    /// A text field (none when absent, null or not text).
    fn text(&self, name: &str) -> Option<&str>;
    /// An integer field (none when absent, null or not an integer).
    fn int(&self, name: &str) -> Option<i64>;
}

impl ReadFields for Fields {
    fn text(&self, name: &str) -> Option<&str> {
        str_field(self, name)
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }
}

/// Reads a string field.
pub fn str_field<'a>(f: &'a Fields, name: &str) -> Option<&'a str> {
    f.get(name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_tables_are_distinct() {
        for (i, spec) in SPECS.iter().enumerate() {
            assert_eq!(spec.kind as usize, i, "SPECS is in the enum's order");
        }
        let mut tables = std::collections::HashSet::new();
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(k));
            assert!(tables.insert(k.table()));
        }
    }

    #[test]
    fn every_code_column_names_an_existing_catalogue() {
        let c = crate::model::catalogue::Catalogues::get();
        for k in Kind::ALL {
            for col in k.columns() {
                if let Ty::Code(list) | Ty::Codes(list) = col.ty {
                    assert!(!c.list(list).is_empty(), "{}.{} -> {list}", k.name(), col.name);
                }
            }
        }
    }
}
