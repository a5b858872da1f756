#![no_main]
//! Thin libFuzzer wrapper; the target itself is `lz4framed_fuzz::seek_index`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| lz4framed_fuzz::seek_index(data));
