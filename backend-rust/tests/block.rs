//! Block codec tests for the lz4_flex backend: round trips (checked with the C reference
//! decoder too, so lz4_flex's blocks obey the end-of-block rules), levels, malformed blocks.

use lz4framed_backend_c::CODEC as C;
use lz4framed_backend_rust::{RustCompressor, CODEC};
use lz4framed_core::{compress_bound, BlockCodec, BlockCompressor, BlockError, Error, WINDOW_SIZE};

/// xorshift64* — deterministic test data without a dependency.
struct Rng(u64);
impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| r.next_u64() as u8).collect()
}

fn text(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "frame",
        "block",
        "lz4",
        "compression",
        "history",
        "window",
        "match",
        "literal",
        "offset",
        "stream",
        "linked",
        "of",
        "a",
        "and",
        "decoder",
        "encoder",
        "buffer",
        "hash",
    ];
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(n + 16);
    while v.len() < n {
        if r.below(50) == 0 {
            v.push(r.next_u64() as u8);
        } else {
            v.extend_from_slice(WORDS[r.below(WORDS.len())].as_bytes());
            v.push(b' ');
        }
    }
    v.truncate(n);
    v
}

fn kinds(n: usize, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("zeros", vec![0; n]),
        ("random", random(n, seed)),
        ("text", text(n, seed)),
    ]
}

/// Compresses with the rust backend into a `compress_bound` destination, then decodes with
/// both decoders, history separate and (for C) directly before `dst`.
fn round_trip(c: &mut dyn BlockCompressor, src: &[u8], history: &[u8], what: &str) -> Vec<u8> {
    let mut block = vec![0; compress_bound(src.len())];
    let n = c
        .compress(src, history, &mut block)
        .expect("compress_bound must suffice");
    block.truncate(n);
    for (name, codec) in [("rust", &CODEC as &dyn BlockCodec), ("c", &C)] {
        let mut dst = vec![0xAA; src.len()];
        let n = codec
            .decompress(&block, history, &mut dst)
            .unwrap_or_else(|e| panic!("{what}: {name} decoder: {e}"));
        assert_eq!(n, src.len(), "{what}: {name} decoder length");
        assert!(dst == src, "{what}: {name} decoder content");
    }
    let mut buf = history.to_vec();
    buf.resize(history.len() + src.len(), 0);
    let (h, d) = buf.split_at_mut(history.len());
    assert_eq!(
        C.decompress(&block, h, d),
        Ok(src.len()),
        "{what}: C, contiguous"
    );
    assert!(d == src, "{what}: C contiguous content");
    block
}

#[test]
fn metadata_and_levels() {
    assert_eq!(CODEC.name(), "rust-safe");
    assert_eq!(CODEC.levels(), 0..=1);
    for level in [0, 1] {
        assert!(CODEC.compressor(level).is_ok());
    }
    for level in [-65537, -1, 2, 3, 9, 12, i32::MIN, i32::MAX] {
        match CODEC.compressor(level) {
            Err(Error::UnsupportedLevel {
                backend: "rust-safe",
                level: l,
            }) => assert_eq!(l, level),
            Err(e) => panic!("level {level}: wrong error {e}"),
            Ok(_) => panic!("level {level} must be unsupported"),
        }
        assert!(RustCompressor::new(level).is_err());
    }
}

#[test]
fn round_trips() {
    for level in [0, 1] {
        let mut c = CODEC.compressor(level).unwrap();
        let hist = text(WINDOW_SIZE, 77);
        for n in (0..=20).chain([1000, 64 * 1024, 4 << 20]) {
            for (kind, data) in kinds(n, n as u64) {
                let what = format!("level {level}, {kind} {n}");
                round_trip(c.as_mut(), &data, &[], &what);
                round_trip(
                    c.as_mut(),
                    &data,
                    &hist[..10],
                    &format!("{what}, 10 B history"),
                );
                round_trip(
                    c.as_mut(),
                    &data,
                    &[1, 2, 3],
                    &format!("{what}, 3 B history"),
                );
                let b = round_trip(c.as_mut(), &data, &hist, &format!("{what}, history"));
                if kind != "random" && n == 64 * 1024 {
                    assert!(b.len() < n / 2, "{what}: compresses");
                }
                // History directly before src in one buffer.
                let mut buf = hist.clone();
                buf.extend_from_slice(&data);
                let (h, s) = buf.split_at(hist.len());
                round_trip(c.as_mut(), s, h, &format!("{what}, contiguous history"));
            }
        }
    }
}

#[test]
fn history_is_used_and_longer_history_is_windowed() {
    let all = text(3 * 64 * 1024, 5);
    let mut c = CODEC.compressor(1).unwrap();
    let src = &all[2 * 64 * 1024..];
    let without = round_trip(c.as_mut(), src, &[], "no history");
    // More than 64 KiB of history: only the last 64 KiB count, and decoders agree.
    let with = round_trip(c.as_mut(), src, &all[..2 * 64 * 1024], "long history");
    assert!(with.len() < without.len());
    // A linked stream of blocks with the previous 64 KiB as history.
    let data = text(1 << 20, 8);
    for bs in [1usize, 13, 4096, 64 * 1024, 100_000] {
        let mut start = 0;
        while start < data.len().min(if bs < 100 { 5000 } else { usize::MAX }) {
            let end = (start + bs).min(data.len());
            let h = &data[start.saturating_sub(WINDOW_SIZE)..start];
            round_trip(
                c.as_mut(),
                &data[start..end],
                h,
                &format!("linked {bs} at {start}"),
            );
            start = end;
        }
    }
}

#[test]
fn destination_too_small() {
    let data = random(10_000, 1);
    let mut c = CODEC.compressor(1).unwrap();
    let mut dst = vec![0; 5000];
    assert_eq!(c.compress(&data, &[], &mut dst), None);
    let mut empty: [u8; 0] = [];
    assert_eq!(c.compress(&[], &[], &mut empty), None);
    // Exactly compress_bound works even though lz4_flex's own bound is larger.
    let mut dst = vec![0; compress_bound(data.len())];
    assert!(c.compress(&data, &[], &mut dst).is_some());
    // Output larger than dst on decode.
    let t = text(1000, 2);
    let b = round_trip(c.as_mut(), &t, &[], "1000");
    let mut small = vec![0; 999];
    assert_eq!(
        CODEC.decompress(&b, &[], &mut small),
        Err(BlockError::OutputTooSmall)
    );
}

#[test]
fn malformed_blocks() {
    let mut dst = vec![0; 70_000];
    let is_err = |r: Result<usize, BlockError>, what: &str| {
        assert!(r.is_err(), "{what}: expected an error, got {r:?}");
    };
    is_err(CODEC.decompress(&[], &[], &mut dst), "empty");
    is_err(
        CODEC.decompress(&[0x10, b'a', 0, 0, 0x50, 1, 2, 3, 4, 5], &[], &mut dst),
        "offset 0",
    );
    is_err(
        CODEC.decompress(&[0x10, b'a', 2, 0, 0x50, 1, 2, 3, 4, 5], &[], &mut dst),
        "before",
    );
    let block = [0x00, 20, 0, 0x50, 1, 2, 3, 4, 5];
    is_err(
        CODEC.decompress(&block, &[7; 10], &mut dst),
        "before history",
    );
    assert_eq!(
        CODEC.decompress(&[0x00, 10, 0, 0x50, 1, 2, 3, 4, 5], &[7; 10], &mut dst),
        Ok(9)
    );
    let data = text(50_000, 2);
    let mut c = CODEC.compressor(1).unwrap();
    let block = round_trip(c.as_mut(), &data, &[], "50000");
    for cut in [1, 2, 5, block.len() / 2, block.len() - 1] {
        is_err(
            CODEC.decompress(&block[..cut], &[], &mut dst),
            &format!("truncated {cut}"),
        );
    }
    is_err(
        CODEC.decompress(&[0xF0, 200, 1, 2, 3], &[], &mut dst),
        "literals past end",
    );
    // Garbage and mutations: never a panic. Where the C decoder succeeds too, same bytes.
    let mut rng = Rng::new(9);
    for i in 0..3000u64 {
        let g = if i % 2 == 0 {
            random(1 + rng.below(300), i)
        } else {
            let mut b = block.clone();
            let at = rng.below(b.len());
            b[at] ^= 1 << (i % 8);
            b
        };
        let hist = &data[..rng.below(1000)];
        let cap = if i % 2 == 0 { rng.below(5000) } else { 50_000 };
        let mut a = vec![0; cap];
        let mut b = vec![0; cap];
        let ra = CODEC.decompress(&g, hist, &mut a);
        let rb = C.decompress(&g, hist, &mut b);
        if let Ok(n) = ra {
            assert!(n <= cap);
            if let Ok(m) = rb {
                assert_eq!(n, m, "case {i}: lengths differ");
                assert!(a[..n] == b[..m], "case {i}: bytes differ");
            }
        }
    }
}
