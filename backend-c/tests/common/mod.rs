//! Test data shared by the backend-c integration tests.
#![allow(dead_code)]

/// A small deterministic PRNG (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.next_u64() as u8;
        }
    }
}

pub fn zeros(n: usize) -> Vec<u8> {
    vec![0; n]
}

pub fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut v = vec![0; n];
    Rng::new(seed).fill(&mut v);
    v
}

/// Text-like data: words from a small vocabulary with occasional random bytes, so it has
/// matches at all distances (including across 64 KiB blocks) but is not trivially repetitive.
pub fn text(n: usize, seed: u64) -> Vec<u8> {
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
        "independent",
        "checksum",
        "dictionary",
        "of",
        "a",
        "and",
        "decoder",
        "encoder",
        "buffer",
        "memory",
        "prefix",
        "continue",
        "hash",
        "table",
    ];
    let mut rng = Rng::new(seed);
    let mut v = Vec::with_capacity(n + 16);
    while v.len() < n {
        if rng.below(50) == 0 {
            v.push(rng.next_u64() as u8);
        } else {
            v.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
            v.push(if rng.below(12) == 0 { b'\n' } else { b' ' });
        }
    }
    v.truncate(n);
    v
}

/// Every kind of data at `n` bytes.
pub fn kinds(n: usize, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("zeros", zeros(n)),
        ("random", random(n, seed)),
        ("text", text(n, seed)),
    ]
}
