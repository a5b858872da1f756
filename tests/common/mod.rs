//! Shared test data and helpers.
#![allow(dead_code)]

use lz4framed::Backend;

/// Deterministic pseudo-random bytes.
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Text-like, compressible bytes.
pub fn text_like(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "lorem ",
        "ipsum ",
        "dolor ",
        "sit ",
        "amet, ",
        "frame ",
        "block ",
        "window ",
        "checksum ",
        "\n",
        "lz4 ",
        "stream ",
        "resume ",
        "index ",
        "{\"key\": ",
        "42}, ",
    ];
    let r = random_bytes(n / 4 + 1, seed);
    let mut out = Vec::with_capacity(n + 16);
    let mut i = 0;
    while out.len() < n {
        out.extend_from_slice(WORDS[(r[i % r.len()] & 15) as usize].as_bytes());
        i += 1;
    }
    out.truncate(n);
    out
}

/// A mix: compressible text, random stretches, zero runs.
pub fn mixed(n: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    let mut k = 0u64;
    while out.len() < n {
        let len = 1000 + (k as usize * 7919) % 40_000;
        match k % 3 {
            0 => out.extend(text_like(len, seed + k)),
            1 => out.extend(random_bytes(len / 4, seed + k)),
            _ => out.extend(std::iter::repeat_n(0u8, len / 2)),
        }
        k += 1;
    }
    out.truncate(n);
    out
}

/// The concrete backends available in this build.
pub fn available_backends() -> Vec<Backend> {
    lz4framed::backends()
        .into_iter()
        .filter(|b| b.available)
        .map(|b| b.backend)
        .collect()
}

/// Levels worth testing on `backend` (a fast, a default and, where supported, HC levels).
pub fn levels(backend: Backend) -> Vec<i32> {
    let supported = backend.codec().unwrap().levels();
    [-3, 1, 2, 9]
        .into_iter()
        .filter(|l| supported.contains(l))
        .collect()
}

/// A reader that hands out at most `step` bytes per call, so that units arrive split.
pub struct Trickle<'a> {
    pub data: &'a [u8],
    pub step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A legacy frame (`lz4 -l`: magic 0x184C2102, then size-prefixed independent blocks of up to
/// 8 MiB), made with the C backend's block compressor (the reference, not our legacy encoder).
pub fn legacy_frame(data: &[u8]) -> Vec<u8> {
    let mut c = lz4framed::Backend::C
        .codec()
        .unwrap()
        .compressor(1)
        .unwrap();
    let mut out = 0x184C_2102u32.to_le_bytes().to_vec();
    for chunk in data.chunks(8 << 20) {
        let mut dst = vec![0u8; lz4framed::codec::compress_bound(chunk.len())];
        let n = c.compress(chunk, &[], &mut dst).unwrap();
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.extend_from_slice(&dst[..n]);
    }
    out
}
