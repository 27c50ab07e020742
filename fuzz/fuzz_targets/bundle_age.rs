//! See `relais_fuzz::bundle_age` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| relais_fuzz::fuzz("bundle_age", data));
