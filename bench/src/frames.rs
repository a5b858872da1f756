//! Frame level: lz4framed's frame layer and its peers on the same settings.
//!
//! * lz4framed: one-shot [`lz4framed::compress_with`] / [`lz4framed::decompress_with`] and the
//!   streaming [`lz4framed::FrameDecoder`], per backend;
//! * lz4_flex's frame API (`lz4_flex::frame`; built in safe mode in this workspace, like the
//!   `rust` backend);
//! * the C library's frame API (`LZ4F_*`, LZ4 1.10) through `lz4framed_backend_c::frame`.

use std::io::{Read, Write};

use lz4framed::{Backend, BlockMode, BlockSize, Decompressor, FrameDecoder, FrameSettings};
use lz4framed_backend_c::frame as cframe;

/// The frame settings the benchmarks compare on (level 1 unless stated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameConfig {
    /// Short label, e.g. `4M-indep` or `64K-linked+xxh`.
    pub label: &'static str,
    /// Maximum block size.
    pub block_size: BlockSize,
    /// Linked or independent blocks.
    pub mode: BlockMode,
    /// Content checksum.
    pub checksum: bool,
}

/// 64 KiB linked and 4 MiB independent blocks, each without and with the content checksum.
pub const FRAME_CONFIGS: [FrameConfig; 4] = [
    FrameConfig {
        label: "4M-indep",
        block_size: BlockSize::Max4MB,
        mode: BlockMode::Independent,
        checksum: false,
    },
    FrameConfig {
        label: "4M-indep+xxh",
        block_size: BlockSize::Max4MB,
        mode: BlockMode::Independent,
        checksum: true,
    },
    FrameConfig {
        label: "64K-linked",
        block_size: BlockSize::Max64KB,
        mode: BlockMode::Linked,
        checksum: false,
    },
    FrameConfig {
        label: "64K-linked+xxh",
        block_size: BlockSize::Max64KB,
        mode: BlockMode::Linked,
        checksum: true,
    },
];

/// Size of the caller's buffer the streaming decoders are read into.
pub const READ_BUF: usize = 64 << 10;

impl FrameConfig {
    /// lz4framed settings for this configuration at `level` on `backend`.
    pub fn settings(&self, level: i32, backend: Backend) -> FrameSettings {
        FrameSettings::new()
            .level(level)
            .block_size(self.block_size)
            .block_mode(self.mode)
            .content_checksum(self.checksum)
            .backend(backend)
    }

    /// The C frame API's options for this configuration at `level` (content size written, as
    /// lz4framed's one-shot compression does).
    pub fn c_options(&self, level: i32) -> cframe::CFrameOptions<'static> {
        cframe::CFrameOptions {
            level,
            block_size_id: self.block_size.id(),
            linked: self.mode == BlockMode::Linked,
            content_checksum: self.checksum,
            content_size: true,
            ..Default::default()
        }
    }

    /// lz4_flex's frame info for this configuration, with content size `size`.
    pub fn flex_info(&self, size: usize) -> lz4_flex::frame::FrameInfo {
        let bs = match self.block_size {
            BlockSize::Max64KB => lz4_flex::frame::BlockSize::Max64KB,
            BlockSize::Max256KB => lz4_flex::frame::BlockSize::Max256KB,
            BlockSize::Max1MB => lz4_flex::frame::BlockSize::Max1MB,
            BlockSize::Max4MB => lz4_flex::frame::BlockSize::Max4MB,
        };
        let mode = match self.mode {
            BlockMode::Linked => lz4_flex::frame::BlockMode::Linked,
            BlockMode::Independent => lz4_flex::frame::BlockMode::Independent,
        };
        lz4_flex::frame::FrameInfo::new()
            .block_size(bs)
            .block_mode(mode)
            .content_checksum(self.checksum)
            .content_size(Some(size as u64))
    }
}

/// Compresses `data` into one frame with lz4framed (one-shot).
///
/// # Panics
///
/// If `backend` is unavailable or does not support `level`.
pub fn ours_compress(data: &[u8], cfg: &FrameConfig, level: i32, backend: Backend) -> Vec<u8> {
    lz4framed::compress_with(data, &cfg.settings(level, backend))
        .unwrap_or_else(|e| panic!("lz4framed compression on {backend}: {e}"))
}

/// Decompresses `frame` with lz4framed's one-shot API on `backend`.
///
/// # Panics
///
/// If `backend` is unavailable or `frame` does not decode.
pub fn ours_decompress(frame: &[u8], backend: Backend) -> Vec<u8> {
    let d = Decompressor::with_backend(backend)
        .unwrap_or_else(|e| panic!("lz4framed backend {backend}: {e}"));
    lz4framed::decompress_with(d, frame).unwrap_or_else(|e| panic!("lz4framed decode: {e}"))
}

/// Decodes `frame` with lz4framed's push-style [`Decompressor`] on `backend`, appending to
/// `out` after clearing it (a reused `Vec` keeps its capacity, so no page is faulted in twice);
/// returns the decoded size.
///
/// # Panics
///
/// If `backend` is unavailable or `frame` does not decode.
pub fn ours_push_decode(frame: &[u8], backend: Backend, out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut d = Decompressor::with_backend(backend)
        .unwrap_or_else(|e| panic!("lz4framed backend {backend}: {e}"));
    let status = d
        .decompress(frame, out)
        .unwrap_or_else(|e| panic!("lz4framed decode: {e}"));
    assert_eq!(status.hint, 0, "frame incomplete");
    out.len()
}

/// Decodes `frame` with lz4framed's streaming [`FrameDecoder`] on `backend`, reading into
/// `buf` (the caller's buffer) and dropping the output; returns the decoded size.
///
/// # Panics
///
/// If `backend` is unavailable or `frame` does not decode.
pub fn ours_stream_decode(frame: &[u8], backend: Backend, buf: &mut [u8]) -> usize {
    let dec = FrameDecoder::with_backend(frame, backend)
        .unwrap_or_else(|e| panic!("lz4framed backend {backend}: {e}"));
    drain(dec, buf)
}

/// [`ours_stream_decode`] with the input decoded in the reader's own buffer
/// (`FrameDecoder::decode_in_reader_buffer`: `frame` is a `BufRead`), without copying it.
///
/// # Panics
///
/// If `backend` is unavailable or `frame` does not decode.
pub fn ours_stream_decode_in_place(frame: &[u8], backend: Backend, buf: &mut [u8]) -> usize {
    let dec = FrameDecoder::with_backend(frame, backend)
        .unwrap_or_else(|e| panic!("lz4framed backend {backend}: {e}"))
        .decode_in_reader_buffer();
    drain(dec, buf)
}

/// Compresses `data` into one frame with lz4_flex's `FrameEncoder` (level 1 is its only level).
pub fn flex_compress(data: &[u8], cfg: &FrameConfig) -> Vec<u8> {
    let out = Vec::with_capacity(lz4framed::codec::compress_bound(data.len()) + 1024);
    let mut enc = lz4_flex::frame::FrameEncoder::with_frame_info(cfg.flex_info(data.len()), out);
    enc.write_all(data).expect("writing to a Vec");
    enc.finish().expect("lz4_flex frame encoding")
}

/// Decodes `frame` with lz4_flex's streaming `FrameDecoder`, reading into `buf` and dropping
/// the output; returns the decoded size.
pub fn flex_stream_decode(frame: &[u8], buf: &mut [u8]) -> usize {
    drain(lz4_flex::frame::FrameDecoder::new(frame), buf)
}

/// Compresses `data` into one frame with the C library (`LZ4F_compressBegin/Update/End`).
pub fn c_compress(data: &[u8], cfg: &FrameConfig, level: i32) -> Vec<u8> {
    cframe::compress_frame(data, &cfg.c_options(level))
}

/// Decompresses every frame of `frame` with the C library (`LZ4F_decompress`, one-shot into a
/// growing `Vec`).
///
/// # Panics
///
/// If `frame` does not decode.
pub fn c_decompress(frame: &[u8]) -> Vec<u8> {
    cframe::decompress_frames(frame, None).unwrap_or_else(|e| panic!("LZ4F decode: {e}"))
}

/// The blocks of one standard frame, as the frame layer sees them: whether each is stored
/// uncompressed, and its stored bytes.
pub struct FrameBlocks<'a> {
    /// Linked blocks (each one's history is the output before it).
    pub linked: bool,
    /// The frame's maximum block size.
    pub max: usize,
    /// (stored uncompressed, stored bytes) per block.
    pub blocks: Vec<(bool, &'a [u8])>,
}

impl<'a> FrameBlocks<'a> {
    /// The blocks of the first frame of `frame`, found by walking its block headers.
    ///
    /// # Panics
    ///
    /// If `frame` does not start with a whole standard frame.
    pub fn of(frame: &'a [u8]) -> Self {
        let info = lz4framed::frame_info(frame).expect("a standard frame");
        let mut at = info.header_len;
        let mut blocks = Vec::new();
        loop {
            let word = u32::from_le_bytes(frame[at..at + 4].try_into().expect("4 bytes"));
            at += 4;
            if word == 0 {
                break;
            }
            let len = (word & 0x7FFF_FFFF) as usize;
            blocks.push((word & 0x8000_0000 != 0, &frame[at..at + len]));
            at += len + if info.block_checksum { 4 } else { 0 };
        }
        FrameBlocks {
            linked: info.is_linked(),
            max: info.block_max_size(),
            blocks,
        }
    }

    /// Decodes every block into its place in `out` (at least the decoded size plus one block)
    /// with `decode(stored, history, dst)`, the history of a linked block being the 64 KiB
    /// before it in `out`: block decoding of the frame without the frame layer. Returns the
    /// decoded size.
    ///
    /// # Panics
    ///
    /// If a block does not decode.
    pub fn decode_with(
        &self,
        out: &mut [u8],
        mut decode: impl FnMut(&[u8], &[u8], &mut [u8]) -> usize,
    ) -> usize {
        let mut at = 0;
        for &(raw, stored) in &self.blocks {
            let (before, rest) = out.split_at_mut(at);
            if raw {
                rest[..stored.len()].copy_from_slice(stored);
                at += stored.len();
                continue;
            }
            let history = if self.linked {
                &before[at.saturating_sub(lz4framed::codec::WINDOW_SIZE)..]
            } else {
                &[]
            };
            at += decode(stored, history, &mut rest[..self.max]);
        }
        at
    }

    /// Decodes every block into its place in `out` (at least the decoded size plus one block)
    /// with `decode(stored, buf, start)`, which decodes into `buf[start..]` (a block's bound)
    /// after the history `buf[..start]`: the 64 KiB before the block in `out` for a linked
    /// block, nothing for an independent one. Block decoding of the frame without the frame
    /// layer, in the layout the frame layer decodes linked blocks in (`decompress_in_place`).
    /// Returns the decoded size.
    ///
    /// # Panics
    ///
    /// If a block does not decode.
    pub fn decode_in_place_with(
        &self,
        out: &mut [u8],
        mut decode: impl FnMut(&[u8], &mut [u8], usize) -> usize,
    ) -> usize {
        let mut at = 0;
        for &(raw, stored) in &self.blocks {
            if raw {
                out[at..at + stored.len()].copy_from_slice(stored);
                at += stored.len();
                continue;
            }
            let low = if self.linked {
                at.saturating_sub(lz4framed::codec::WINDOW_SIZE)
            } else {
                at
            };
            at += decode(stored, &mut out[low..at + self.max], at - low);
        }
        at
    }

    /// [`FrameBlocks::decode_in_place_with`] the block codec `codec`
    /// (`BlockCodec::decompress_in_place`, as the frame layer calls it).
    pub fn decode(&self, codec: &dyn lz4framed::codec::BlockCodec, out: &mut [u8]) -> usize {
        self.decode_in_place_with(out, |src, buf, start| {
            codec
                .decompress_in_place(src, buf, start)
                .unwrap_or_else(|e| panic!("{}: {e}", codec.name()))
        })
    }

    /// [`FrameBlocks::decode_in_place_with`] the bare C decoder: `LZ4_decompress_safe_usingDict`
    /// with the history directly before the destination, i.e. the C library's prefix mode
    /// (`LZ4_decompress_safe_withPrefix64k`), as LZ4F decodes linked blocks into a caller's
    /// buffer; `LZ4_decompress_safe` for independent blocks.
    pub fn decode_c(&self, out: &mut [u8]) -> usize {
        self.decode_in_place_with(out, |src, buf, start| {
            lz4framed_backend_c::raw::decompress_safe_in_place(src, buf, start)
                .unwrap_or_else(|e| panic!("C: {e}"))
        })
    }

    /// [`FrameBlocks::decode_with`] lz4_flex's block decoder (safe mode, as the workspace
    /// builds it).
    pub fn decode_flex(&self, out: &mut [u8]) -> usize {
        self.decode_with(out, |src, history, dst| {
            lz4_flex::block::decompress_into_with_dict(src, dst, history)
                .unwrap_or_else(|e| panic!("lz4_flex: {e}"))
        })
    }
}

/// Reads `r` to its end into `buf`, dropping the data; returns the byte count.
///
/// # Panics
///
/// On a read error (benchmark inputs are valid frames).
pub fn drain(mut r: impl Read, buf: &mut [u8]) -> usize {
    let mut total = 0;
    loop {
        match r.read(buf) {
            Ok(0) => return total,
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => panic!("streaming decode failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::json_like;

    #[test]
    fn everyone_reads_everyone() {
        let data = json_like(200_000, 9);
        let mut buf = vec![0u8; READ_BUF];
        for cfg in FRAME_CONFIGS {
            let mut frames = vec![flex_compress(&data, &cfg), c_compress(&data, &cfg, 1)];
            for b in lz4framed::backends().into_iter().filter(|b| b.available) {
                frames.push(ours_compress(&data, &cfg, 1, b.backend));
            }
            for f in &frames {
                let info = lz4framed::frame_info(f).unwrap();
                assert_eq!(info.content_checksum, cfg.checksum, "{}", cfg.label);
                assert_eq!(c_decompress(f), data);
                assert_eq!(flex_stream_decode(f, &mut buf), data.len());
                for b in lz4framed::backends().into_iter().filter(|b| b.available) {
                    assert_eq!(ours_decompress(f, b.backend), data);
                    let mut out = Vec::new();
                    assert_eq!(ours_push_decode(f, b.backend, &mut out), data.len());
                    assert_eq!(out, data);
                    assert_eq!(ours_stream_decode(f, b.backend, &mut buf), data.len());
                    let blocks = FrameBlocks::of(f);
                    let mut out = vec![0u8; data.len() + blocks.max];
                    let n = blocks.decode(b.backend.codec().unwrap(), &mut out);
                    assert!(out[..n] == data[..]);
                    out.fill(0);
                    let n = blocks.decode_flex(&mut out);
                    assert!(out[..n] == data[..]);
                    out.fill(0);
                    let n = blocks.decode_c(&mut out);
                    assert!(out[..n] == data[..]);
                }
            }
        }
    }
}
