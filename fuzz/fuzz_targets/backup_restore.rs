//! See `relais_fuzz::backup_restore` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| relais_fuzz::fuzz("backup_restore", data));
