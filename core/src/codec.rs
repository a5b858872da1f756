//! The block-codec traits every backend implements, and the backend selector.
//!
//! The frame layer in this crate never compresses or decompresses a byte itself: it hands each
//! block to a [`BlockCodec`]. Backends (the C reference, safe Rust, our SIMD codec) live in their
//! own crates and implement these traits; the `lz4framed` facade maps a [`Backend`] to one of them
//! through a [`CodecRegistry`].

use std::fmt;
use std::ops::RangeInclusive;

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

/// A block decoding failure. Backends report *that* and, where they know it, *where* a block is
/// malformed; the frame layer adds which frame and block, and the input offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockError {
    /// The block is malformed: a token, length or offset that does not describe valid output
    /// (offset 0, an offset reaching before the available history, a literal run or match past
    /// the end of the input, a block that does not end in literals).
    /// `at` is the byte offset in the compressed block where the decoder stopped, if known.
    Corrupt {
        /// Offset in the compressed block where decoding failed, when the backend can tell.
        at: Option<usize>,
    },
    /// The block decodes to more bytes than the destination holds (more than the frame's
    /// maximum block size).
    OutputTooSmall,
}

impl fmt::Display for BlockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockError::Corrupt { at: Some(at) } => {
                write!(f, "corrupt block data at byte {at} of the block")
            }
            BlockError::Corrupt { at: None } => f.write_str("corrupt block data"),
            BlockError::OutputTooSmall => {
                f.write_str("block decodes to more than the maximum block size")
            }
        }
    }
}

impl std::error::Error for BlockError {}

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
///   reaching before the start of `history`.
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
    /// `history` may lie directly before `dst` in memory (the frame layer arranges this where it
    /// can, so backends that recognise it need not copy anything) but it need not.
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
}

/// Which block backend to use. [`Backend::Auto`] (the default) takes the fastest one this build
/// and CPU support; the `LZ4FRAMED_BACKEND` environment variable (`c`, `rust` or `simd`)
/// overrides what `Auto` picks.
///
/// The mapping from a `Backend` to a codec is done by a [`CodecRegistry`]; the `lz4framed`
/// facade provides it (`Backend::codec` there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// The fastest available backend for this CPU (or the one named by `LZ4FRAMED_BACKEND`).
    #[default]
    Auto,
    /// The C reference library (lz4-sys).
    C,
    /// lz4_flex, in safe mode.
    Rust,
    /// lz4framed's own codec, hand-vectorized, with run-time kernel selection.
    Simd,
}

impl Backend {
    /// The backend's lower-case name as used by `LZ4FRAMED_BACKEND` and the CLI
    /// (`auto`, `c`, `rust`, `simd`).
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::C => "c",
            Backend::Rust => "rust",
            Backend::Simd => "simd",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Backend {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Backend::Auto),
            "c" => Ok(Backend::C),
            "rust" | "rust-safe" => Ok(Backend::Rust),
            "simd" => Ok(Backend::Simd),
            _ => Err(Error::UnknownBackend(s.to_string())),
        }
    }
}

/// Maps a [`Backend`] to a block codec. The frame types of this crate are generic over a
/// registry so that `Decompressor::new()` can pick a codec without the caller naming one; the
/// `lz4framed` facade supplies the registry of the backends it was built with.
pub trait CodecRegistry: 'static {
    /// The codec `Backend::Auto` stands for. It must support level 1 (the default level): the
    /// infallible constructors (`Decompressor::new`, `Compressor::new`, …) rely on it.
    fn auto() -> &'static dyn BlockCodec;

    /// The codec for `backend`, or [`Error::BackendUnavailable`] when it is not in this build or
    /// not supported by this CPU.
    fn codec(backend: Backend) -> Result<&'static dyn BlockCodec, Error>;

    /// The codec for compressing at `level` with `backend`. For `Auto` it may differ from the
    /// decoding choice ([`CodecRegistry::codec`]): the fastest encoder need not be the fastest
    /// decoder, and not every codec has every level. The default just calls `codec`.
    fn codec_for_level(backend: Backend, level: i32) -> Result<&'static dyn BlockCodec, Error> {
        let _ = level;
        Self::codec(backend)
    }
}
