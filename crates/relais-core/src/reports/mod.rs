//! What is read out of a vault: the dashboard, the anonymous statistics and the follow-up
//! summary. Reports only read, except for the audit event that records a summary was made.

pub mod agenda;
pub mod dashboard;
pub mod day;
pub mod stats;
pub mod summary;
