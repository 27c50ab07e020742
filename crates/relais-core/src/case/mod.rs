//! A person's case and what is done with it: consents, retention and destruction, the trash,
//! the directory of resources, the incident register, search and the person's whole file.
//! Everything here writes through [`crate::vault::store::Writer`], so every change is audited.

pub mod consent;
pub mod directory;
pub mod documents;
pub mod duplicates;
pub mod incidents;
pub mod intake;
mod ops;
pub mod person_file;
pub mod retention;
pub mod search;
pub mod trash;

pub use ops::{add_referral, close_person, reopen_person, set_referral_status};
