//! Block level: a whole input cut into independent blocks, each compressed or decompressed with
//! one [`BlockCodec`] call (no frame layer).

use lz4framed::codec::{compress_bound, BlockCodec, BlockCompressor};

/// The block size of the block-level benchmarks: 4 MiB, the `lz4` tool's frame block size, so
/// that raw block decoding does exactly the work of decoding a 4 MiB independent frame.
pub const BLOCK_SIZE: usize = 4 << 20;

/// An input compressed as independent blocks of `block_size` bytes.
#[derive(Debug, Clone)]
pub struct Blocks {
    /// Uncompressed size of the whole input.
    pub raw_len: usize,
    /// Uncompressed size of every block but the last.
    pub block_size: usize,
    /// The compressed blocks.
    pub blocks: Vec<Vec<u8>>,
}

impl Blocks {
    /// Total compressed size.
    pub fn compressed_len(&self) -> usize {
        self.blocks.iter().map(Vec::len).sum()
    }

    /// Compression ratio: uncompressed / compressed size.
    pub fn ratio(&self) -> f64 {
        self.raw_len as f64 / self.compressed_len().max(1) as f64
    }
}

/// A reusable destination for [`compress_into`]: `compress_bound(block_size)` bytes.
pub fn scratch(block_size: usize) -> Vec<u8> {
    vec![0u8; compress_bound(block_size)]
}

/// Compresses `data` as independent blocks of `block_size` into `scratch` (each block
/// overwriting the previous) and returns the total compressed size: the timed loop of
/// block compression, allocation free.
///
/// # Panics
///
/// If `scratch` is smaller than `compress_bound(block_size)` (the compressor then reports
/// "does not fit").
pub fn compress_into(
    compressor: &mut dyn BlockCompressor,
    data: &[u8],
    block_size: usize,
    scratch: &mut [u8],
) -> usize {
    data.chunks(block_size)
        .map(|chunk| {
            compressor
                .compress(chunk, &[], scratch)
                .expect("compress_bound-sized destination is always large enough")
        })
        .sum()
}

/// Compresses `data` as independent blocks of `block_size` with `codec` at `level`.
///
/// # Panics
///
/// If `codec` does not support `level`.
pub fn compress(codec: &dyn BlockCodec, level: i32, data: &[u8], block_size: usize) -> Blocks {
    let mut c = codec
        .compressor(level)
        .unwrap_or_else(|e| panic!("{} level {level}: {e}", codec.name()));
    let mut dst = scratch(block_size);
    let blocks = data
        .chunks(block_size)
        .map(|chunk| {
            let n = c
                .compress(chunk, &[], &mut dst)
                .expect("compress_bound-sized destination is always large enough");
            dst[..n].to_vec()
        })
        .collect();
    Blocks {
        raw_len: data.len(),
        block_size,
        blocks,
    }
}

/// Decodes every block of `blocks` into its place in `out` (at least `raw_len` bytes) with
/// `codec` and returns the number of bytes written: the timed loop of block decompression.
///
/// # Panics
///
/// If a block does not decode (the blocks come from [`compress`], so it would be a bug of the
/// codec) or `out` is too small.
pub fn decompress_into(codec: &dyn BlockCodec, blocks: &Blocks, out: &mut [u8]) -> usize {
    blocks
        .blocks
        .iter()
        .zip(out[..blocks.raw_len].chunks_mut(blocks.block_size))
        .map(|(src, dst)| {
            codec
                .decompress(src, &[], dst)
                .unwrap_or_else(|e| panic!("{} failed to decode a block: {e}", codec.name()))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::json_like;

    #[test]
    fn every_codec_round_trips_every_level() {
        let data = json_like(300_000, 3);
        for codec in crate::codecs() {
            for level in crate::codecs::levels_of(codec) {
                let blocks = compress(codec, level, &data, 64 << 10);
                assert_eq!(blocks.blocks.len(), 5);
                assert!(blocks.ratio() > 2.0, "{} {level}", codec.name());
                let mut c = codec.compressor(level).unwrap();
                let mut s = scratch(64 << 10);
                assert_eq!(
                    compress_into(c.as_mut(), &data, 64 << 10, &mut s),
                    blocks.compressed_len()
                );
                for other in crate::codecs() {
                    let mut out = vec![0u8; data.len()];
                    assert_eq!(decompress_into(other, &blocks, &mut out), data.len());
                    assert_eq!(out, data);
                }
            }
        }
    }
}
