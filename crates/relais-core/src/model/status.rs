//! The catalogue codes the logic branches on, as types: comparing strings in many places let a
//! typo compile. The catalogue (`schema/catalogues.json`) still holds every code and its labels;
//! a test checks each enum names exactly its list's codes, in its order.

use crate::record::{Fields, str_field};

/// An enum of one catalogue list: its codes, parsed and written back.
macro_rules! codes {
    ($(#[$doc:meta])* $name:ident = $list:literal { $($(#[$vdoc:meta])* $variant:ident = $code:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant),*
        }

        impl $name {
            /// Every code, in the catalogue's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The catalogue list the codes come from.
            pub const LIST: &'static str = $list;

            /// The catalogue code.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),*
                }
            }

            /// The value of a catalogue code.
            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|s| s.code() == code)
            }

            /// The `status` of a record.
            pub fn of(rec: &Fields) -> Option<$name> {
                str_field(rec, "status").and_then($name::parse)
            }
        }
    };
}

codes! {
    /// A case's status.
    CaseStatus = "person_statuses" {
        /// Followed.
        Active = "active",
        /// Paused.
        OnHold = "on_hold",
        /// Closed with a closure reason: its retention runs.
        Closed = "closed",
        /// Transferred to a colleague: read-only here until purged.
        HandedOff = "handed_off",
    }
}

impl CaseStatus {
    /// Still followed (active or on hold).
    pub fn is_open(self) -> bool {
        matches!(self, CaseStatus::Active | CaseStatus::OnHold)
    }
}

codes! {
    /// A need's status.
    NeedStatus = "need_statuses" {
        /// Identified, nothing done yet.
        Identified = "identified",
        /// Being worked on.
        InProgress = "in_progress",
        /// Referred to an organisation.
        Referred = "referred",
        /// Met.
        Met = "met",
        /// Not met: what the statistics and the coalition count.
        Unmet = "unmet",
        /// The person declined.
        Declined = "declined",
        /// Does not apply.
        NotApplicable = "not_applicable",
    }
}

impl NeedStatus {
    /// A final status: the need gets its closing date.
    pub fn is_final(self) -> bool {
        matches!(self, NeedStatus::Met | NeedStatus::Unmet | NeedStatus::Declined | NeedStatus::NotApplicable)
    }

    /// Still being answered (the summary's "in progress" bar).
    pub fn is_pending(self) -> bool {
        matches!(self, NeedStatus::Identified | NeedStatus::InProgress | NeedStatus::Referred)
    }
}

codes! {
    /// A court milestone's status.
    MilestoneStatus = "milestone_statuses" {
        /// Planned.
        Planned = "planned",
        /// Done.
        Done = "done",
        /// Cancelled.
        Cancelled = "cancelled",
    }
}

codes! {
    /// An appointment's status.
    AppointmentStatus = "appointment_statuses" {
        /// Planned.
        Planned = "planned",
        /// Held, the person came.
        Attended = "attended",
        /// The person did not come.
        NoShow = "no_show",
        /// Cancelled.
        Cancelled = "cancelled",
        /// Moved to another date.
        Rescheduled = "rescheduled",
    }
}

codes! {
    /// A testimonial aid's status.
    AidStatus = "aid_statuses" {
        /// Asked of the court.
        Requested = "requested",
        /// Granted.
        Granted = "granted",
        /// Refused.
        Refused = "refused",
        /// Withdrawn.
        Withdrawn = "withdrawn",
    }
}

codes! {
    /// A referral's status.
    ReferralStatus = "referral_statuses" {
        /// Being prepared.
        Draft = "draft",
        /// Sent.
        Requested = "requested",
        /// Received by the organisation.
        Received = "received",
        /// Accepted.
        Accepted = "accepted",
        /// Refused by the organisation (a reason is required).
        Rejected = "rejected",
        /// On a waiting list.
        Waitlisted = "waitlisted",
        /// Under way.
        InProgress = "in_progress",
        /// Completed.
        Completed = "completed",
        /// Cancelled.
        Cancelled = "cancelled",
        /// Expired.
        Expired = "expired",
        /// Revoked.
        Revoked = "revoked",
    }
}

impl ReferralStatus {
    /// The statuses of a referral still waiting for an answer or under way: its follow-up date
    /// still matters (the dashboard, the reminders, the printed day, the team report), as an SQL
    /// list.
    pub const AWAITING_SQL: &'static str = "('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress')";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalogue::Catalogues;

    fn catalogue(list: &str) -> Vec<&'static str> {
        Catalogues::get().list(list).iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn each_enum_names_its_catalogues_codes_in_order() {
        assert_eq!(catalogue(CaseStatus::LIST), CaseStatus::ALL.iter().map(|s| s.code()).collect::<Vec<_>>());
        assert_eq!(catalogue(NeedStatus::LIST), NeedStatus::ALL.iter().map(|s| s.code()).collect::<Vec<_>>());
        assert_eq!(catalogue(MilestoneStatus::LIST), MilestoneStatus::ALL.iter().map(|s| s.code()).collect::<Vec<_>>());
        assert_eq!(catalogue(AppointmentStatus::LIST), AppointmentStatus::ALL.iter().map(|s| s.code()).collect::<Vec<_>>());
        assert_eq!(catalogue(AidStatus::LIST), AidStatus::ALL.iter().map(|s| s.code()).collect::<Vec<_>>());
        assert_eq!(catalogue(ReferralStatus::LIST), ReferralStatus::ALL.iter().map(|s| s.code()).collect::<Vec<_>>());
    }

    #[test]
    fn codes_parse_back() {
        assert_eq!(NeedStatus::parse("unmet"), Some(NeedStatus::Unmet));
        assert_eq!(NeedStatus::parse("Unmet"), None);
        assert!(NeedStatus::Unmet.is_final() && !NeedStatus::Referred.is_final());
    }
}
