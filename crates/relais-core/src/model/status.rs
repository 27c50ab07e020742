//! The catalogue codes the logic branches on, as types: comparing strings in many places let a
//! typo compile. The catalogue (`schema/catalogues.json`) still holds every code and its labels;
//! a test checks these enums name exactly its codes.

use crate::record::{Fields, str_field};

/// A case's status (catalogue `person_statuses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    /// Followed.
    Active,
    /// Paused.
    OnHold,
    /// Closed with a closure reason: its retention runs.
    Closed,
    /// Transferred to a colleague: read-only here until purged.
    HandedOff,
}

impl CaseStatus {
    /// Every status, in the catalogue's order.
    pub const ALL: [CaseStatus; 4] = [CaseStatus::Active, CaseStatus::OnHold, CaseStatus::Closed, CaseStatus::HandedOff];

    /// The catalogue code.
    pub const fn code(self) -> &'static str {
        match self {
            CaseStatus::Active => "active",
            CaseStatus::OnHold => "on_hold",
            CaseStatus::Closed => "closed",
            CaseStatus::HandedOff => "handed_off",
        }
    }

    /// The status of a catalogue code.
    pub fn parse(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The status of a person record.
    pub fn of(person: &Fields) -> Option<CaseStatus> {
        str_field(person, "status").and_then(CaseStatus::parse)
    }

    /// Still followed (active or on hold).
    pub fn is_open(self) -> bool {
        matches!(self, CaseStatus::Active | CaseStatus::OnHold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::Catalogues;

    #[test]
    fn the_enum_names_the_catalogues_codes() {
        let codes: Vec<&str> = Catalogues::get().list("person_statuses").iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, CaseStatus::ALL.map(CaseStatus::code));
    }
}
