//! lz4framed block backend over [lz4_flex](https://docs.rs/lz4_flex) in safe mode (features
//! `safe-encode` and `safe-decode`: no `unsafe` code on either side).
//!
//! lz4_flex has one compression strategy, LZ4's default fast mode, so [`CODEC`] honours levels
//! `0` and `1` only; any other level is [`Error::UnsupportedLevel`] (never a silent substitute).
//!
//! Its level 1 is not always `lz4 -1`'s ratio: lz4_flex hashes 5 bytes into a table of 4096
//! entries for every block, while the C library (and so the `lz4` tool) compresses blocks below
//! 64 KiB + 11 bytes with a 16-bit table of 8192 entries hashed over 4 bytes. Measured by the
//! bench crate's `tests/ratio.rs`: up to 18.4 % larger on numeric text (`seq`-like numbers in
//! 64 KiB blocks), up to 3.4 % on other shapes, within 1 % on larger blocks. lz4_flex offers no
//! setting for its table.
//!
//! History is passed to lz4_flex as an external dictionary (`compress_into_with_dict`,
//! `decompress_into_with_dict`). Safe Rust cannot decode into `dst` while also reading a
//! `history` that lies directly before it in the same buffer, so there is no prefix fast path;
//! the (≤ 64 KiB) history is only read, never copied.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::ops::RangeInclusive;

use lz4_flex::block::{self, CompressError, DecompressError};
use lz4framed_core::block_rules::validate_block;
use lz4framed_core::{BlockCodec, BlockCompressor, BlockError, Error, WINDOW_SIZE};

/// lz4_flex needs 4 bytes of history to find any match; shorter histories are ignored by it.
const MIN_DICT: usize = 4;

/// The safe-Rust codec (lz4_flex). Use the static [`CODEC`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCodec;

/// The safe-Rust codec, name `"rust-safe"`, levels `0..=1`.
pub static CODEC: RustCodec = RustCodec;

fn registered() -> Result<&'static dyn BlockCodec, &'static str> {
    Ok(&CODEC)
}

fn encode_rank() -> u8 {
    3
}

// The safe fallback: `Auto` takes it last.
inventory::submit! {
    lz4framed_core::registry::CodecEntry {
        backend: lz4framed_core::Backend::Rust,
        codec: registered,
        decode_rank: 2,
        encode_rank,
    }
}

/// The last `WINDOW_SIZE` bytes of `history`: no match can reach further back.
fn window(history: &[u8]) -> &[u8] {
    &history[history.len().saturating_sub(WINDOW_SIZE)..]
}

impl BlockCodec for RustCodec {
    fn name(&self) -> &'static str {
        "rust-safe"
    }

    fn levels(&self) -> RangeInclusive<i32> {
        0..=1
    }

    fn compressor(&self, level: i32) -> Result<Box<dyn BlockCompressor>, Error> {
        Ok(Box::new(RustCompressor::new(level)?))
    }

    /// Decodes with `lz4_flex::block::decompress_into_with_dict`. A block that decodes to more
    /// than `dst` holds is [`BlockError::OutputTooSmall`]; other malformations are
    /// [`BlockError::Corrupt`] (lz4_flex does not report where). An empty `src` is corrupt (a
    /// block has at least a token), as for the C decoder.
    fn decompress(&self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Result<usize, BlockError> {
        // lz4_flex draws the line between valid and malformed blocks elsewhere than the
        // reference near the block's end (fuzz findings F1, F2): check the reference's rules
        // first, so that this backend accepts exactly the blocks the others accept.
        let history = window(history);
        let expected = validate_block(src, history.len(), dst.len())?;
        let result = if history.is_empty() {
            block::decompress_into(src, dst)
        } else {
            block::decompress_into_with_dict(src, dst, history)
        };
        match result {
            Ok(n) if n == expected => Ok(n),
            Ok(_) => Err(BlockError::Corrupt { at: None }),
            Err(DecompressError::OutputTooSmall { .. }) => Err(BlockError::OutputTooSmall),
            Err(_) => Err(BlockError::Corrupt { at: None }),
        }
    }
}

/// An lz4_flex block compressor. lz4_flex keeps no state between blocks (its hash table is built
/// per call, seeded from `history`); this only holds a scratch buffer for destinations smaller
/// than lz4_flex's own worst-case bound.
#[derive(Debug, Default)]
pub struct RustCompressor {
    scratch: Vec<u8>,
}

impl RustCompressor {
    /// A compressor for `level`: `0` or `1`, otherwise [`Error::UnsupportedLevel`].
    pub fn new(level: i32) -> Result<Self, Error> {
        if !(0..=1).contains(&level) {
            return Err(Error::UnsupportedLevel {
                backend: "rust-safe",
                level,
            });
        }
        Ok(RustCompressor::default())
    }
}

fn compress_into(src: &[u8], history: &[u8], dst: &mut [u8]) -> Result<usize, CompressError> {
    if history.len() < MIN_DICT {
        block::compress_into(src, dst)
    } else {
        block::compress_into_with_dict(src, dst, history)
    }
}

impl BlockCompressor for RustCompressor {
    fn compress(&mut self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Option<usize> {
        let history = window(history);
        // lz4_flex refuses any destination smaller than its own bound (20 + 1.1 × input, larger
        // than LZ4's `compress_bound`), so compress into scratch and copy when `dst` is smaller.
        let bound = block::get_maximum_output_size(src.len());
        if dst.len() >= bound {
            return compress_into(src, history, dst).ok();
        }
        if self.scratch.len() < bound {
            self.scratch.resize(bound, 0);
        }
        let n = compress_into(src, history, &mut self.scratch).ok()?;
        let out = dst.get_mut(..n)?;
        out.copy_from_slice(&self.scratch[..n]);
        Some(n)
    }
}
