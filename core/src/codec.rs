//! The block-codec traits every backend implements.
//!
//! The frame layer in this crate never compresses or decompresses a byte itself: it hands each
//! block to a [`BlockCodec`]. Backends (the C reference, safe Rust, our SIMD codec) live in their
//! own crates, implement these traits and register their codec (`registry.rs`), which maps a
//! [`crate::Backend`] to one of them.

use std::ops::RangeInclusive;

pub use crate::error::BlockError;
use crate::error::Error;

/// The largest distance an LZ4 match may reach back (64 KiB - 1), and so the most history a
/// block can use.
pub const WINDOW_SIZE: usize = 64 * 1024;

/// The worst-case compressed size of `n` input bytes (the C library's `LZ4_COMPRESSBOUND`).
///
/// A destination of this size is always large enough for [`BlockCompressor::compress`].
pub const fn compress_bound(n: usize) -> usize {
    n + n / 255 + 16
}

/// An LZ4 block codec: one backend's block compressor factory and block decoder.
///
/// # Contract
///
/// Every implementation, checked by the workspace's differential tests and fuzz targets:
///
/// * **Encoders** emit blocks that the C reference decoder accepts: the last 5 bytes of a block
///   are literals and the last match starts at least 12 bytes before the end of the block; a
///   match never reaches further back than [`WINDOW_SIZE`]` - 1` bytes or before the given
///   history.
/// * **Decoders** never read outside `src` and `history`, never write outside `dst`, never expose
///   bytes they did not write (the returned length covers only bytes written by this call), and
///   return an error — never panic — for any malformed block, a match offset of 0, or an offset
///   reaching before the start of `history`. The in-place forms
///   ([`BlockCodec::decompress_in_place`]) behave exactly as the separate form given the same
///   history and destination capacity.
pub trait BlockCodec: Send + Sync + 'static {
    /// Short stable name: `"c"`, `"rust-safe"`, `"simd-avx2"`, …
    fn name(&self) -> &'static str;

    /// The compression levels this codec honours. Negative levels are the fast mode with
    /// acceleration `-level`; `0` and `1` are the default fast mode; `2..=12` are the
    /// high-compression levels.
    fn levels(&self) -> RangeInclusive<i32>;

    /// A compressor for `level`, or [`Error::UnsupportedLevel`] when this codec cannot honour it
    /// (never a silent substitute).
    fn compressor(&self, level: i32) -> Result<Box<dyn BlockCompressor>, Error>;

    /// Decode one block `src` into `dst` and return the number of bytes written.
    ///
    /// `history` holds the (at most [`WINDOW_SIZE`]) bytes of output that logically precede
    /// `dst`: the previous blocks of a linked frame or a dictionary; it is empty otherwise.
    /// `history` may lie anywhere in memory, directly before `dst` or not; a decoder must not
    /// read across the two slices even when they happen to be adjacent. Where the history does
    /// lie before the destination in one buffer, the frame layer calls
    /// [`decompress_in_place`](Self::decompress_in_place) instead.
    fn decompress(&self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Result<usize, BlockError>;

    /// Decode at least the first `want` bytes of block `src` (all of it when it is shorter)
    /// into `dst`, and return how many bytes were written: possibly more than `want`, up to the
    /// whole block. Random access uses this when only the start of a block is needed.
    ///
    /// The rules of [`decompress`](Self::decompress) hold for the part decoded. The rest of the
    /// block is not looked at, so a block that is malformed only past the returned length is
    /// not an error here. The default implementation decodes the whole block.
    fn decompress_prefix(
        &self,
        src: &[u8],
        history: &[u8],
        dst: &mut [u8],
        want: usize,
    ) -> Result<usize, BlockError> {
        let _ = want;
        self.decompress(src, history, dst)
    }

    /// Decode one block `src` into `buf[start..]`, right after its history `buf[..start]` in
    /// the same buffer, and return the number of bytes written (from `start` on).
    ///
    /// This is [`decompress`](Self::decompress) with `history = buf[start - h..start]`, `h =
    /// min(start, `[`WINDOW_SIZE`]`)`, and `dst = buf[start..]`: the same blocks are accepted
    /// and rejected and the same bytes written. In particular the end-of-block rules (the
    /// reference decoder's, which depend on the distance to the end of the destination) are
    /// measured against `buf.len() - start` as the destination capacity; a match offset of 0,
    /// or one reaching before `buf[start - h]` (for `start` below [`WINDOW_SIZE`]: before
    /// `buf[0]`), is an error; bytes of `buf[..start]` are never written, and neither are bytes
    /// of `buf[start..]` beyond what `decompress` may write. The linked blocks of a frame
    /// decoded into one buffer take this path, so that a decoder can copy a match from the
    /// history with the same code as a match inside the block (one buffer, one bound) instead
    /// of going through a separate slice. The default implementation splits `buf` and calls
    /// [`decompress`](Self::decompress).
    ///
    /// # Panics
    ///
    /// When `start > buf.len()` (a caller's error, as for `slice::split_at_mut`).
    fn decompress_in_place(
        &self,
        src: &[u8],
        buf: &mut [u8],
        start: usize,
    ) -> Result<usize, BlockError> {
        let (history, dst) = buf.split_at_mut(start);
        self.decompress(src, &history[start.saturating_sub(WINDOW_SIZE)..], dst)
    }

    /// [`decompress_prefix`](Self::decompress_prefix) in place: at least the first `want` bytes
    /// of block `src` (all of it when it is shorter) into `buf[start..]` after the history
    /// `buf[..start]`, with the rules of [`decompress_in_place`](Self::decompress_in_place) for
    /// the part decoded. The default implementation splits `buf` and calls
    /// [`decompress_prefix`](Self::decompress_prefix).
    ///
    /// # Panics
    ///
    /// When `start > buf.len()`.
    fn decompress_prefix_in_place(
        &self,
        src: &[u8],
        buf: &mut [u8],
        start: usize,
        want: usize,
    ) -> Result<usize, BlockError> {
        let (history, dst) = buf.split_at_mut(start);
        self.decompress_prefix(
            src,
            &history[start.saturating_sub(WINDOW_SIZE)..],
            dst,
            want,
        )
    }

    /// Decode one block `src` and append its bytes to `out`, writing them straight into `out`'s
    /// spare capacity; returns the number of bytes appended (`out.len()` grew by it).
    ///
    /// The frame layer's call when it decodes into a `Vec` (the push API's output, one-shot
    /// decoding, the `Read` adapter's buffer). It is [`decompress`](Self::decompress) /
    /// [`decompress_prefix`](Self::decompress_prefix) with `dst` = `capacity` bytes after
    /// `out.len()` and the history of `history` — or, for [`AppendHistory::InVec`],
    /// [`decompress_in_place`](Self::decompress_in_place) /
    /// [`decompress_prefix_in_place`](Self::decompress_prefix_in_place) with `buf =
    /// out[from..]` grown by `capacity` bytes and `start = out.len() - from` — with the same
    /// rules: the end-of-block rules measured against `capacity` (the frame layer passes the
    /// frame's maximum block size), a match offset of 0 or one reaching before the history an
    /// error, `want` (`Some`: at least that many bytes, as the prefix forms) honoured alike.
    /// Only the appended bytes are written; they are initialized by this call. On error, `out`
    /// has its old length (the bytes before it unchanged) and no byte that the decoder did not
    /// write ever becomes part of it. `out`'s capacity may grow by `capacity` bytes either way.
    ///
    /// The default implementation, [`decompress_append_via_slices`], zero-fills the `capacity`
    /// bytes first (a pass over up to 4 MiB per block); a backend that can write to
    /// uninitialized memory overrides it to skip that. Measured (the bench report's
    /// `frame-decompress` section, 4 MiB independent blocks, simd-avx2): the push API's time
    /// over raw block decoding went from +7 to +19 % with the zero-fill to +1 to +3 % without.
    ///
    /// # Panics
    ///
    /// When `history` is [`AppendHistory::InVec`] with `from > out.len()`.
    fn decompress_append(
        &self,
        src: &[u8],
        history: AppendHistory<'_>,
        out: &mut Vec<u8>,
        capacity: usize,
        want: Option<usize>,
    ) -> Result<usize, BlockError> {
        decompress_append_via_slices(self, src, history, out, capacity, want)
    }
}

/// Where the history of a block decoded by [`BlockCodec::decompress_append`] lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendHistory<'a> {
    /// In the output vector itself: `out[from..]` precedes the block (its last [`WINDOW_SIZE`]
    /// bytes count), as `buf[..start]` does for [`BlockCodec::decompress_in_place`].
    InVec {
        /// Index in `out` where the history begins; at most `out.len()`.
        from: usize,
    },
    /// A separate slice, as the `history` of [`BlockCodec::decompress`] (empty: no history).
    Separate(&'a [u8]),
}

impl AppendHistory<'_> {
    /// Check the precondition of [`BlockCodec::decompress_append`] for an output vector of
    /// `len` bytes: a history in the vector starts inside it.
    ///
    /// # Panics
    ///
    /// When `self` is [`AppendHistory::InVec`] with `from > len` (a caller's error, as for
    /// `slice::split_at`).
    pub fn assert_within(&self, len: usize) {
        if let AppendHistory::InVec { from } = *self {
            assert!(
                from <= len,
                "decompress_append: history from {from} past the output's {len} bytes"
            );
        }
    }
}

/// [`BlockCodec::decompress_append`] through the slice methods: grow `out` by `capacity`
/// zeroed bytes, decode with [`BlockCodec::decompress_in_place`] /
/// [`BlockCodec::decompress`] (or their prefix forms), and shrink it to the bytes written. The
/// trait's default implementation, and what an implementation that overrides the method may
/// fall back to (a kernel that cannot write to uninitialized memory).
///
/// # Panics
///
/// When `history` is [`AppendHistory::InVec`] with `from > out.len()`.
pub fn decompress_append_via_slices<C: BlockCodec + ?Sized>(
    codec: &C,
    src: &[u8],
    history: AppendHistory<'_>,
    out: &mut Vec<u8>,
    capacity: usize,
    want: Option<usize>,
) -> Result<usize, BlockError> {
    let len = out.len();
    history.assert_within(len);
    out.resize(len + capacity, 0);
    let r = match (history, want) {
        (AppendHistory::InVec { from }, None) => {
            codec.decompress_in_place(src, &mut out[from..], len - from)
        }
        (AppendHistory::InVec { from }, Some(w)) => {
            codec.decompress_prefix_in_place(src, &mut out[from..], len - from, w)
        }
        (AppendHistory::Separate(h), None) => codec.decompress(src, h, &mut out[len..]),
        (AppendHistory::Separate(h), Some(w)) => {
            codec.decompress_prefix(src, h, &mut out[len..], w)
        }
    };
    match r {
        Ok(n) if n <= capacity => {
            out.truncate(len + n);
            Ok(n)
        }
        Ok(_) => {
            out.truncate(len);
            Err(BlockError::OutputTooSmall)
        }
        Err(e) => {
            out.truncate(len);
            Err(e)
        }
    }
}

/// A block compressor with its match-finder state, made by [`BlockCodec::compressor`] for one
/// level. One per stream; not shared between threads.
pub trait BlockCompressor: Send {
    /// Compress `src` into `dst` and return the compressed size, or `None` when the result would
    /// not fit in `dst` (the frame layer then stores the block uncompressed). A `dst` of
    /// [`compress_bound`]`(src.len())` bytes is always large enough.
    ///
    /// `history` holds the (at most [`WINDOW_SIZE`]) bytes of input that precede `src`: the
    /// previous input of a linked frame or a dictionary; it is empty for an independent block
    /// without dictionary. Matches may reach into it. The frame layer keeps a linked frame's
    /// input contiguous where it can (`history` ends where `src` begins in memory) so that an
    /// implementation may carry its match tables over from the previous call; an implementation
    /// that does so must still only emit matches whose bytes equal the current `history`/`src`.
    fn compress(&mut self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Option<usize>;

    /// Called by the frame layer before the first block of each frame (and of each chunk a
    /// parallel worker compresses): the frame's maximum block size in bytes and whether its
    /// blocks are linked. A compressor may choose its strategy by them, as the reference's frame
    /// API does (`LZ4F` compresses a linked frame's first block with its streaming function but
    /// a frame of one block, or an independent block, with the one-shot function, whose match
    /// table differs below 64 KiB + 11 bytes). Until the first call a compressor assumes
    /// independent blocks. The default does nothing.
    fn begin_frame(&mut self, block_size: usize, linked: bool) {
        let _ = (block_size, linked);
    }

    /// [`compress`](Self::compress) of the block `buf[start..]` whose history is the input
    /// before it in the same buffer, `buf[..start]` (its last [`WINDOW_SIZE`] bytes count): how
    /// the frame layer holds a linked frame's blocks, one after the other in one input buffer.
    /// The same output as `compress(&buf[start..], &buf[start.saturating_sub(WINDOW_SIZE)..start],
    /// dst)`; an implementation may read history and block as one slice rather than joining
    /// them into a buffer of its own (C's prefix mode, `LZ4_compress_fast_continue` on
    /// contiguous input). The default implementation splits `buf` and calls `compress`.
    ///
    /// # Panics
    ///
    /// When `start > buf.len()` (a caller's error, as for `slice::split_at`).
    fn compress_in_place(&mut self, buf: &[u8], start: usize, dst: &mut [u8]) -> Option<usize> {
        let (history, src) = buf.split_at(start);
        self.compress(src, &history[start.saturating_sub(WINDOW_SIZE)..], dst)
    }
}
