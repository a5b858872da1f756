//! A streaming XXH32 whose whole state is public, so that a decoder's running content checksum
//! can be written into a checkpoint and restored. One-shot hashing uses `xxhash-rust`; the two
//! are tested against each other.

const PRIME1: u32 = 0x9E37_79B1;
const PRIME2: u32 = 0x85EB_CA77;
const PRIME3: u32 = 0xC2B2_AE3D;
const PRIME4: u32 = 0x27D4_EB2F;
const PRIME5: u32 = 0x1656_67B1;

/// One-shot XXH32 of `data` with `seed`.
pub fn xxh32(data: &[u8], seed: u32) -> u32 {
    xxhash_rust::xxh32::xxh32(data, seed)
}

/// Streaming XXH32 state. All fields are public so the state can be serialized; a state read
/// back from untrusted bytes is harmless (any values give *some* hash, and `buffered_len` is
/// clamped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xxh32 {
    /// Total bytes hashed so far.
    pub total_len: u64,
    /// The four accumulator lanes.
    pub v: [u32; 4],
    /// Bytes not yet folded into the lanes (only the first `buffered_len` are meaningful).
    pub buffer: [u8; 16],
    /// How many bytes of `buffer` are meaningful (`0..16`).
    pub buffered_len: u8,
}

#[inline(always)]
fn round(acc: u32, input: u32) -> u32 {
    acc.wrapping_add(input.wrapping_mul(PRIME2))
        .rotate_left(13)
        .wrapping_mul(PRIME1)
}

#[inline(always)]
fn read_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

impl Xxh32 {
    /// A fresh state with `seed`.
    pub fn new(seed: u32) -> Self {
        Xxh32 {
            total_len: 0,
            v: [
                seed.wrapping_add(PRIME1).wrapping_add(PRIME2),
                seed.wrapping_add(PRIME2),
                seed,
                seed.wrapping_sub(PRIME1),
            ],
            buffer: [0; 16],
            buffered_len: 0,
        }
    }

    fn consume_stripe(v: &mut [u32; 4], stripe: &[u8]) {
        v[0] = round(v[0], read_u32(&stripe[0..4]));
        v[1] = round(v[1], read_u32(&stripe[4..8]));
        v[2] = round(v[2], read_u32(&stripe[8..12]));
        v[3] = round(v[3], read_u32(&stripe[12..16]));
    }

    /// Hash more bytes.
    pub fn update(&mut self, mut data: &[u8]) {
        self.total_len = self.total_len.wrapping_add(data.len() as u64);
        let buffered = usize::from(self.buffered_len.min(15));
        if buffered > 0 {
            let take = (16 - buffered).min(data.len());
            self.buffer[buffered..buffered + take].copy_from_slice(&data[..take]);
            data = &data[take..];
            if buffered + take < 16 {
                self.buffered_len = (buffered + take) as u8;
                return;
            }
            let stripe = self.buffer;
            Self::consume_stripe(&mut self.v, &stripe);
            self.buffered_len = 0;
        }
        let mut chunks = data.chunks_exact(16);
        let mut v = self.v;
        for stripe in &mut chunks {
            Self::consume_stripe(&mut v, stripe);
        }
        self.v = v;
        let rest = chunks.remainder();
        self.buffer[..rest.len()].copy_from_slice(rest);
        self.buffered_len = rest.len() as u8;
    }

    /// The hash of everything fed so far (the state is not consumed).
    pub fn digest(&self) -> u32 {
        let mut h = if self.total_len >= 16 {
            self.v[0]
                .rotate_left(1)
                .wrapping_add(self.v[1].rotate_left(7))
                .wrapping_add(self.v[2].rotate_left(12))
                .wrapping_add(self.v[3].rotate_left(18))
        } else {
            self.v[2].wrapping_add(PRIME5)
        };
        h = h.wrapping_add(self.total_len as u32);
        let rest = &self.buffer[..usize::from(self.buffered_len.min(15))];
        let mut words = rest.chunks_exact(4);
        for w in &mut words {
            h = h
                .wrapping_add(read_u32(w).wrapping_mul(PRIME3))
                .rotate_left(17)
                .wrapping_mul(PRIME4);
        }
        for &b in words.remainder() {
            h = h
                .wrapping_add(u32::from(b).wrapping_mul(PRIME5))
                .rotate_left(11)
                .wrapping_mul(PRIME1);
        }
        h ^= h >> 15;
        h = h.wrapping_mul(PRIME2);
        h ^= h >> 13;
        h = h.wrapping_mul(PRIME3);
        h ^ (h >> 16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Vec<u8> {
        let mut x = 0x1234_5678u32;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    #[test]
    fn matches_xxhash_rust_for_every_length_and_split() {
        let d = data(300);
        for len in 0..d.len() {
            for seed in [0u32, 1, 0x9E37_79B1] {
                let want = xxh32(&d[..len], seed);
                let mut one = Xxh32::new(seed);
                one.update(&d[..len]);
                assert_eq!(one.digest(), want, "len {len}");
                for split in [1usize, 3, 15, 16, 17] {
                    let mut s = Xxh32::new(seed);
                    for c in d[..len].chunks(split) {
                        s.update(c);
                    }
                    assert_eq!(s.digest(), want, "len {len} split {split}");
                }
            }
        }
    }

    #[test]
    fn state_survives_a_copy_mid_stream() {
        let d = data(1000);
        let mut s = Xxh32::new(0);
        s.update(&d[..333]);
        let copy = Xxh32 { ..s.clone() };
        let mut resumed = copy;
        resumed.update(&d[333..]);
        assert_eq!(resumed.digest(), xxh32(&d, 0));
    }
}
