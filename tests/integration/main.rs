//! One integration-test binary, one module per concern, a fresh temp dir per test.

mod agenda;
mod audit;
mod backup;
mod bundle;
mod canary;
mod consent;
mod crash;
mod dashboard;
mod destroy;
mod diskfull;
mod documents;
mod duplicates;
mod fuzz_replay;
mod interop;
mod ledger;
mod messages;
mod model;
mod ownership;
mod rotate;
mod schema;
mod startup;
mod stats;
mod summary;
mod syncthing;
mod team;
mod vault;
