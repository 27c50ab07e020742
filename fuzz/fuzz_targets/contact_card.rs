//! See `relais_fuzz::contact_card` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| relais_fuzz::fuzz("contact_card", data));
