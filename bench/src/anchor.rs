//! The anchor every block-level speed figure is compared with: the bare C functions as a user of
//! the C library calls them (`LZ4_decompress_safe`, `LZ4_compress_default`, `LZ4_compress_HC`,
//! through `lz4framed_backend_c::raw`), presented as a [`BlockCodec`] named [`NAME`] so that the
//! benchmarks time it like any codec.
//!
//! It is not a backend and does not meet the block-codec contract: it accepts a match offset of
//! 0 (as the C decoder does; the backends reject it), and it compresses only blocks without
//! history (the block-level benchmarks use independent blocks). The C *backend* (`c`) is a row
//! of its own: it calls the C library's streaming functions and checks for offset 0 in a second
//! pass.

use std::ops::RangeInclusive;

use lz4framed::codec::{BlockCodec, BlockCompressor, BlockError};
use lz4framed::Error;
use lz4framed_backend_c::raw;

/// The anchor's codec name in every table.
pub const NAME: &str = "C";

/// The bare C block functions as a codec: level 1 is `LZ4_compress_default`, 2..=12
/// `LZ4_compress_HC`; decoding is `LZ4_decompress_safe` (`LZ4_decompress_safe_usingDict` with
/// history). Use the static [`BARE_C`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BareC;

/// The anchor codec.
pub static BARE_C: BareC = BareC;

/// Level 1 and the HC levels.
const LEVELS: RangeInclusive<i32> = 1..=12;

impl BlockCodec for BareC {
    fn name(&self) -> &'static str {
        NAME
    }

    fn levels(&self) -> RangeInclusive<i32> {
        LEVELS
    }

    fn compressor(&self, level: i32) -> Result<Box<dyn BlockCompressor>, Error> {
        if !LEVELS.contains(&level) {
            return Err(Error::UnsupportedLevel {
                backend: NAME,
                level,
            });
        }
        Ok(Box::new(BareCompressor { level }))
    }

    /// `LZ4_decompress_safe` (`LZ4_decompress_safe_usingDict` when `history` is not empty); a
    /// negative result is [`BlockError::Corrupt`] at the offset the C decoder reports. Accepts
    /// offset 0, like the C library.
    fn decompress(&self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Result<usize, BlockError> {
        let r = if history.is_empty() {
            raw::decompress_safe(src, dst)
        } else {
            raw::decompress_safe_using_dict(src, history, dst)
        };
        r.map_err(|n| {
            let at = (-(n as i64) - 1) as usize;
            BlockError::Corrupt {
                at: (at <= src.len()).then_some(at),
            }
        })
    }
}

/// One level of [`BareC`]: every call is one call of the C function.
#[derive(Debug)]
struct BareCompressor {
    level: i32,
}

impl BlockCompressor for BareCompressor {
    /// `LZ4_compress_default` / `LZ4_compress_HC` of `src`; `None` when it does not fit in `dst`
    /// or when `history` is not empty (the anchor compresses independent blocks only).
    fn compress(&mut self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Option<usize> {
        if !history.is_empty() {
            return None;
        }
        if self.level >= 2 {
            raw::compress_hc(src, dst, self.level)
        } else {
            raw::compress_default(src, dst)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_round_trips_and_matches_the_c_backend() {
        let data = crate::shapes::text(200_000, 5);
        let mut c = vec![0u8; lz4framed::codec::compress_bound(data.len())];
        let mut out = vec![0u8; data.len()];
        for level in [1, 9] {
            let n = BARE_C
                .compressor(level)
                .unwrap()
                .compress(&data, &[], &mut c)
                .unwrap();
            assert_eq!(BARE_C.decompress(&c[..n], &[], &mut out), Ok(data.len()));
            assert_eq!(out, data);
            // The C backend makes the same bytes for an independent block (LZ4F's choice).
            let mut b = vec![0u8; c.len()];
            let m = lz4framed_backend_c::CODEC
                .compressor(level)
                .unwrap()
                .compress(&data, &[], &mut b)
                .unwrap();
            assert_eq!(b[..m], c[..n]);
        }
        assert!(BARE_C.compressor(0).is_err());
        assert!(BARE_C
            .compressor(1)
            .unwrap()
            .compress(&data, b"history", &mut c)
            .is_none());
        assert!(BARE_C.decompress(&[0xF0], &[], &mut out).is_err());
    }
}
