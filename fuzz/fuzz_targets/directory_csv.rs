//! See `relais_fuzz::directory_csv` (fuzz/src/lib.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| relais_fuzz::fuzz("directory_csv", data));
