//! See `relais_fuzz::bundle_document` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| relais_fuzz::fuzz("bundle_document", data));
