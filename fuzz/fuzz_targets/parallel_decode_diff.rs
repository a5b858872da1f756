#![no_main]
//! Thin libFuzzer wrapper; the target itself is `lz4framed_fuzz::parallel_decode_diff`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| lz4framed_fuzz::parallel_decode_diff(data));
