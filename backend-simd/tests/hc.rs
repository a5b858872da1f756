//! Differential tests of the high-compression levels (2..=12): every block decodes with the C
//! decoder, lz4_flex and every kernel of our own decoder to the exact input, for every level,
//! with and without history (none, a separate buffer, contiguous linked blocks, a dictionary,
//! histories that change between calls); and without history the output is byte-identical to
//! the C library's `LZ4_compress_HC`.
//!
//! Silesia files are read from `LZ4FRAMED_CORPUS` (default `target/corpus` at the workspace
//! root; `bash ../shared/corpus/unpack.sh target/corpus`); those cases are skipped with a
//! message when the folder is absent.

use std::path::PathBuf;

use lz4framed_backend_simd::hc::HcCompressor;
use lz4framed_backend_simd::{codec, Kernel};
use lz4framed_core::{compress_bound, BlockCodec, BlockCompressor, WINDOW_SIZE};

const LEVELS: std::ops::RangeInclusive<i32> = 2..=12;

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut r = xorshift(seed);
    (0..n).map(|_| r() as u8).collect()
}

/// Pseudo-text: words from a small vocabulary, with runs and some noise.
fn text(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "lazy",
        "dog",
        "lorem",
        "ipsum",
        "compression",
        "block",
        "frame",
        "history",
        "dictionary",
        "aaaaaaaaaaaaaaaaaaaa",
        "\n",
        "0123456789",
        "zzzzzzzz",
        "abababababab",
        "xyzxyzxyzxyz",
    ];
    let mut r = xorshift(seed);
    let mut v = Vec::with_capacity(n + 32);
    while v.len() < n {
        let x = r();
        if x % 97 == 0 {
            v.push((x >> 8) as u8);
        } else {
            v.extend_from_slice(WORDS[(x >> 16) as usize % WORDS.len()].as_bytes());
            v.push(b' ');
        }
    }
    v.truncate(n);
    v
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("LZ4FRAMED_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/corpus"));
    dir.is_dir().then_some(dir)
}

/// Up to `max` bytes from the middle of a few Silesia files, or `None` (with a message).
fn corpus(max: usize) -> Option<Vec<(String, Vec<u8>)>> {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipping the Silesia cases: corpus folder absent (set LZ4FRAMED_CORPUS)");
        return None;
    };
    let mut out = Vec::new();
    for name in ["dickens", "mr", "ooffice", "xml", "osdb"] {
        if let Ok(data) = std::fs::read(dir.join(name)) {
            let start = (data.len() / 2).saturating_sub(max / 2);
            let end = (start + max).min(data.len());
            out.push((name.to_string(), data[start..end].to_vec()));
        }
    }
    Some(out)
}

/// Decodes `block` with the C decoder, lz4_flex and every available kernel of ours; each must
/// give exactly `expected`.
fn check_decodes(block: &[u8], history: &[u8], expected: &[u8], what: &str) {
    let mut decoders: Vec<&dyn BlockCodec> =
        vec![&lz4framed_backend_c::CODEC, &lz4framed_backend_rust::CODEC];
    for k in Kernel::ALL {
        if let Some(c) = codec(k) {
            decoders.push(c);
        }
    }
    let mut dst = vec![0u8; expected.len() + 64];
    for d in decoders {
        let n = d
            .decompress(block, history, &mut dst[..expected.len()])
            .unwrap_or_else(|e| panic!("{what}: {} decoder rejects the block: {e}", d.name()));
        assert_eq!(n, expected.len(), "{what}: {} decoded length", d.name());
        assert!(
            dst[..n] == *expected,
            "{what}: {} decodes to different bytes",
            d.name()
        );
    }
}

/// Compresses `src` after `history` and checks the block decodes everywhere; returns its size.
fn roundtrip(c: &mut dyn BlockCompressor, src: &[u8], history: &[u8], what: &str) -> usize {
    let mut dst = vec![0u8; compress_bound(src.len())];
    let n = c
        .compress(src, history, &mut dst)
        .unwrap_or_else(|| panic!("{what}: compress_bound output does not fit"));
    check_decodes(&dst[..n], history, src, what);
    n
}

fn shapes() -> Vec<(String, Vec<u8>)> {
    let mut v = vec![
        ("zeros-100k".to_string(), vec![0u8; 100_000]),
        ("random-70k".to_string(), random(70_000, 1)),
        ("text-64k".to_string(), text(64 * 1024, 2)),
        ("text-200k".to_string(), text(200_000, 3)),
    ];
    // Mixed: text, then random, then zeros, then text again (reaching far back).
    let mut mixed = text(30_000, 4);
    mixed.extend(random(5_000, 5));
    mixed.extend(vec![7u8; 20_000]);
    mixed.extend(text(30_000, 4));
    v.push(("mixed".to_string(), mixed));
    v
}

fn max_for(level: i32) -> usize {
    if level >= 11 {
        256 * 1024
    } else {
        1 << 20
    }
}

#[test]
fn small_inputs_every_level() {
    for level in LEVELS {
        let mut c = HcCompressor::new(level, false);
        for n in 0..=20 {
            for (kind, data) in [
                ("text", text(n, 9)),
                ("zeros", vec![0; n]),
                ("random", random(n, 9)),
            ] {
                roundtrip(
                    &mut c,
                    &data,
                    &[],
                    &format!("level {level}, {kind} {n} bytes"),
                );
                let hist = text(100, 10);
                roundtrip(
                    &mut c,
                    &data,
                    &hist,
                    &format!("level {level}, {kind} {n} bytes + history"),
                );
            }
        }
    }
}

#[test]
fn identical_to_c_without_history() {
    let mut cases = shapes();
    if let Some(files) = corpus(256 * 1024) {
        cases.extend(files);
    }
    for level in LEVELS {
        for favor in [false, true] {
            for (name, data) in &cases {
                let data = &data[..data.len().min(max_for(level) / 2)];
                let mut ours = HcCompressor::new(level, favor);
                let mut dst = vec![0u8; compress_bound(data.len())];
                let n = ours.compress(data, &[], &mut dst).unwrap();
                let reference = c_compress(level, favor, data);
                assert!(
                    dst[..n] == reference[..],
                    "level {level} favor {favor} {name}: ours {n} bytes, C {} bytes",
                    reference.len()
                );
            }
        }
    }
}

/// `LZ4_compress_HC` (or with `LZ4_favorDecompressionSpeed`) through the C library.
fn c_compress(level: i32, favor: bool, src: &[u8]) -> Vec<u8> {
    use std::ffi::{c_char, c_int, c_void};
    extern "C" {
        fn LZ4_createStreamHC() -> *mut c_void;
        fn LZ4_freeStreamHC(s: *mut c_void) -> c_int;
        fn LZ4_favorDecompressionSpeed(s: *mut c_void, favor: c_int);
        fn LZ4_compress_HC_extStateHC_fastReset(
            state: *mut c_void,
            src: *const c_char,
            dst: *mut c_char,
            src_size: c_int,
            dst_capacity: c_int,
            level: c_int,
        ) -> c_int;
    }
    let mut dst = vec![0u8; compress_bound(src.len())];
    // SAFETY: a fresh stream, freed below; src/dst live buffers with their lengths.
    let n = unsafe {
        let s = LZ4_createStreamHC();
        assert!(!s.is_null());
        LZ4_favorDecompressionSpeed(s, favor as c_int);
        let n = LZ4_compress_HC_extStateHC_fastReset(
            s,
            src.as_ptr().cast(),
            dst.as_mut_ptr().cast(),
            src.len() as c_int,
            dst.len() as c_int,
            level,
        );
        LZ4_freeStreamHC(s);
        n
    };
    assert!(n > 0);
    dst.truncate(n as usize);
    dst
}

/// Every level × history mode × data shape.
fn history_modes(data: &[u8], name: &str, level: i32, block: usize) {
    let data = &data[..data.len().min(max_for(level))];
    let dict = text(WINDOW_SIZE + 1000, 77);
    for favor in [false, true] {
        if favor && level < 10 {
            continue;
        }
        // No history: independent blocks, one compressor.
        let mut c = HcCompressor::new(level, favor);
        for (i, b) in data.chunks(block).enumerate() {
            roundtrip(
                &mut c,
                b,
                &[],
                &format!("{name} level {level} favor {favor} independent block {i}"),
            );
        }
        // Contiguous linked blocks: history is the preceding 64 KiB of the same buffer.
        let mut c = HcCompressor::new(level, favor);
        let mut pos = 0;
        while pos < data.len() {
            let end = (pos + block).min(data.len());
            let hist = &data[pos.saturating_sub(WINDOW_SIZE)..pos];
            roundtrip(
                &mut c,
                &data[pos..end],
                hist,
                &format!("{name} level {level} favor {favor} linked at {pos}"),
            );
            pos = end;
        }
        // Separate buffer: the same history, copied elsewhere; and a shorter one than last time.
        let mut c = HcCompressor::new(level, favor);
        let mut pos = 0;
        let mut k = 0;
        while pos < data.len() {
            let end = (pos + block).min(data.len());
            let keep = if k % 3 == 2 { 1000 } else { WINDOW_SIZE };
            let hist = data[pos.saturating_sub(keep)..pos].to_vec();
            roundtrip(
                &mut c,
                &data[pos..end],
                &hist,
                &format!("{name} level {level} favor {favor} separate at {pos}"),
            );
            pos = end;
            k += 1;
        }
        // Dictionary (longer than the window: only its last 64 KiB count), independent blocks;
        // every other block with a different (unrelated) history to force re-indexing.
        let mut c = HcCompressor::new(level, favor);
        let other = random(5000, 8);
        for (i, b) in data.chunks(block).enumerate() {
            let hist: &[u8] = if i % 2 == 0 { &dict } else { &other };
            roundtrip(
                &mut c,
                b,
                hist,
                &format!("{name} level {level} favor {favor} dictionary block {i}"),
            );
        }
    }
}

#[test]
fn history_modes_synthetic() {
    for level in LEVELS {
        for (name, data) in shapes() {
            history_modes(&data, &name, level, 48 * 1024);
        }
    }
}

#[test]
fn history_modes_silesia() {
    let Some(files) = corpus(1 << 20) else { return };
    for level in LEVELS {
        for (name, data) in &files {
            history_modes(data, name, level, 256 * 1024);
        }
    }
}

#[test]
fn dictionary_helps_and_matches_reach_into_it() {
    let dict = text(WINDOW_SIZE, 21);
    let src = dict[1000..9000].to_vec();
    for level in LEVELS {
        let mut c = HcCompressor::new(level, false);
        let with = roundtrip(&mut c, &src, &dict, &format!("level {level} dictionary"));
        let without = roundtrip(&mut c, &src, &[], &format!("level {level} no dictionary"));
        assert!(
            with * 4 < without,
            "level {level}: {with} with dictionary, {without} without"
        );
    }
}

#[test]
fn output_too_small_is_none_not_panic() {
    let data = text(50_000, 31);
    for level in LEVELS {
        let mut c = HcCompressor::new(level, false);
        let mut full = vec![0u8; compress_bound(data.len())];
        let n = c.compress(&data, &[], &mut full).unwrap();
        for cap in [0, 1, n / 2, n - 1] {
            let mut dst = vec![0u8; cap];
            assert_eq!(
                c.compress(&data, &[], &mut dst),
                None,
                "level {level} cap {cap}"
            );
        }
        let mut dst = vec![0u8; n];
        assert_eq!(
            c.compress(&data, &[], &mut dst),
            Some(n),
            "level {level} exact"
        );
        assert!(dst == full[..n]);
    }
}

/// Thousands of calls whose history never continues the previous one: the virtual index jumps
/// by more than a window each time, passes its limit and the tables are cleared and restarted.
#[test]
fn many_unrelated_histories_wrap_the_index() {
    let src = text(300, 41);
    let hist_a = text(200, 42);
    let hist_b = random(200, 43);
    for level in [2, 3, 9, 10] {
        let mut c = HcCompressor::new(level, false);
        let mut dst = vec![0u8; compress_bound(src.len())];
        for i in 0..17_000 {
            let hist = if i % 2 == 0 { &hist_a } else { &hist_b };
            let n = c.compress(&src, hist, &mut dst).unwrap();
            if i % 1000 == 0 || i > 16_300 {
                check_decodes(&dst[..n], hist, &src, &format!("level {level} call {i}"));
            }
        }
    }
}

/// Randomised stress (`cargo test --release -p lz4framed-backend-simd --test hc -- --ignored`;
/// `HC_STRESS_ITERS`, default 50): random mixtures of text, runs, noise and repeats, random
/// block sizes, histories (none, linked, separate copies, unrelated) and levels.
#[test]
#[ignore]
fn stress_random() {
    let iters: u64 = std::env::var("HC_STRESS_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    for it in 0..iters {
        let mut r = xorshift(0x9E37_79B9 + it);
        let mut data = Vec::new();
        let target = (r() % 300_000) as usize;
        while data.len() < target {
            let len = (r() % 5000) as usize + 1;
            match r() % 5 {
                0 => data.extend(text(len, r())),
                1 => data.extend(std::iter::repeat_n((r() % 4) as u8, len)),
                2 => data.extend(random(len.min(300), r())),
                3 if data.len() > 10 => {
                    let from = (r() as usize) % data.len();
                    let n = len.min(data.len() - from);
                    let copy = data[from..from + n].to_vec();
                    data.extend(copy);
                }
                _ => {
                    let period = (r() % 7 + 1) as usize;
                    let pat = random(period, r());
                    data.extend((0..len).map(|i| pat[i % period]));
                }
            }
        }
        let level = (r() % 11) as i32 + 2;
        let favor = r() % 3 == 0;
        let block = [1usize, 13, 100, 4096, 65536, 200_000][(r() % 6) as usize];
        let mut c = HcCompressor::new(level, favor);
        let mut pos = 0;
        while pos < data.len() {
            let end = (pos + block).min(data.len());
            let hist: Vec<u8> = match r() % 4 {
                0 => Vec::new(),
                1 | 2 => data[pos.saturating_sub(WINDOW_SIZE)..pos].to_vec(),
                _ => random((r() % 70_000) as usize, r()),
            };
            let what = format!("iter {it} level {level} favor {favor} block {block} at {pos}");
            roundtrip(&mut c, &data[pos..end], &hist, &what);
            pos = end;
        }
    }
}
