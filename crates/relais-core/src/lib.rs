//! The Relais core: everything a pivot worker's case file is, with no desktop around it.
//!
//! A [`vault::Vault`] is a directory holding an SQLCipher database and the age-wrapped key that
//! opens it. Unlocking it gives a [`store::Store`], through which every record of the case model
//! ([`model`]) is created, changed and read; every change writes a hash-chained audit event
//! ([`audit`]) in the same transaction. The [`dashboard`] answers "what needs me this week".
//!
//! The CLI (`relais`) and the desktop app are thin layers over this crate, so that tests and
//! benchmarks exercise the same code paths a worker does.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

rust_i18n::i18n!("locales", fallback = "fr");

pub mod audit;
pub mod backup;
pub mod bundle;
pub mod catalogue;
pub mod consent;
pub mod dashboard;
pub mod demo;
pub mod directory;
pub mod error;
pub mod identity;
pub mod incidents;
pub mod lang;
pub mod model;
pub mod person_file;
pub mod record;
pub mod retention;
pub mod search;
pub mod secret;
pub mod stats;
pub mod store;
pub mod summary;
pub mod time;
pub mod trash;
pub mod vault;

pub use error::{Error, Result};
pub use lang::Lang;
pub use record::{Fields, Kind};
pub use store::Store;
pub use vault::Vault;
