//! # lz4framed
//!
//! The LZ4 frame format (the `.lz4` files of the `lz4` tool) for Rust: one-shot and streaming
//! compression and decompression with every frame option, decompression that can be resumed on
//! a new input, and pluggable block backends — the C reference library, safe Rust (lz4_flex)
//! and lz4framed's own vectorized codec — chosen at run time.
//!
//! ```
//! let data = b"an example, an example, an example";
//! let frame = lz4framed::compress(data);
//! assert_eq!(lz4framed::decompress(&frame)?, data);
//!
//! // Settings: a builder.
//! use lz4framed::{BlockMode, BlockSize, FrameSettings};
//! let settings = FrameSettings::new()
//!     .level(9)
//!     .block_size(BlockSize::Max4MB)
//!     .block_mode(BlockMode::Independent)
//!     .content_checksum(true);
//! let frame = lz4framed::compress_with(data, &settings)?;
//! let info = lz4framed::frame_info(&frame)?;
//! assert_eq!(info.content_size, Some(data.len() as u64));
//! assert_eq!(lz4framed::decompress(&frame)?, data);
//! # Ok::<(), lz4framed::Error>(())
//! ```
//!
//! Streaming: [`FrameEncoder`] (`io::Write`) and [`FrameDecoder`] (`io::Read` + `BufRead`), and
//! their push-style twins [`Compressor`] and [`Decompressor`], which take input in slices of any
//! size — the shape for network streams.
//!
//! ## Backends
//!
//! Every backend implements [`BlockCodec`]. [`Backend::Auto`] picks the fastest one available
//! (see [`backends`]); the environment variable `LZ4FRAMED_BACKEND=c|rust|simd` overrides it.
//! Cargo features `backend-c`, `backend-rust`, `backend-simd` (all on by default) leave
//! backends out of a build.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backend;

pub use backend::{backends, Backend, BackendInfo, Registry};
pub use lz4framed_core::block_rules;
pub use lz4framed_core::{
    compress_bound, frame, xxh32, BlockCodec, BlockCompressor, BlockError, BlockMode, BlockSize,
    Dictionary, Error, FrameInfo, FrameKind, FrameSettings, Status, WINDOW_SIZE,
};

/// Push-style frame compressor (`begin`/`update`/`flush`/`end` into a `Vec<u8>`).
pub type Compressor = lz4framed_core::Compressor<Registry>;
/// Push-style frame decompressor: any slices of input in, decoded bytes appended to a `Vec`.
pub type Decompressor = lz4framed_core::Decompressor<Registry>;
/// `io::Write` adapter that compresses into one frame.
pub type FrameEncoder<W> = lz4framed_core::FrameEncoder<W, Registry>;
/// Push-style compressor into the legacy frame format (`lz4 -l`: 8 MiB independent blocks, no
/// checksums), for the Linux kernel and initramfs tools.
pub type LegacyCompressor = lz4framed_core::LegacyCompressor<Registry>;
/// `io::Write` adapter that compresses into one legacy frame (`lz4 -l`).
pub type LegacyEncoder<W> = lz4framed_core::LegacyEncoder<W, Registry>;
/// A [`FrameEncoder`] that finishes its frame when dropped ([`FrameEncoder::auto_finish`]).
pub type AutoFinishEncoder<W> = lz4framed_core::AutoFinishEncoder<W, Registry>;
/// `io::Read` + `io::BufRead` adapter that decompresses frames.
pub type FrameDecoder<R> = lz4framed_core::FrameDecoder<R, Registry>;

/// Compress `data` into one frame with the default settings (level 1, 64 KiB linked blocks,
/// content size recorded, no checksums).
pub fn compress(data: &[u8]) -> Vec<u8> {
    compress_with(data, &FrameSettings::new())
        .unwrap_or_else(|e| unreachable!("default settings on the Auto backend failed: {e}"))
}

/// Compress `data` into one frame with `settings`.
pub fn compress_with(data: &[u8], settings: &FrameSettings) -> Result<Vec<u8>, Error> {
    lz4framed_core::oneshot::compress_with::<Registry>(data, settings)
}

/// Decompress every frame in `data`, in order (skippable frames are skipped, legacy frames
/// decoded). Input that ends inside a frame gives [`Error::Truncated`] with the offset.
pub fn decompress(data: &[u8]) -> Result<Vec<u8>, Error> {
    lz4framed_core::oneshot::decompress_all(Decompressor::new(), data)
}

/// Like [`decompress`], with a prepared [`Decompressor`] (backend, dictionary, checksum
/// verification).
///
/// ```
/// use lz4framed::{Dictionary, Decompressor, FrameSettings};
/// let dict = Dictionary::new(b"common words and phrases").with_id(7);
/// let frame = lz4framed::compress_with(b"common words", &FrameSettings::new().dictionary(dict.clone()))?;
/// let back = lz4framed::decompress_with(Decompressor::new().with_dictionary(dict), &frame)?;
/// assert_eq!(back, b"common words");
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub fn decompress_with(decompressor: Decompressor, data: &[u8]) -> Result<Vec<u8>, Error> {
    lz4framed_core::oneshot::decompress_all(decompressor, data)
}

/// The header of the first frame in `data` (skippable frames before it are skipped).
pub fn frame_info(data: &[u8]) -> Result<FrameInfo, Error> {
    lz4framed_core::oneshot::frame_info(data)
}

/// Random access: the seek index ([`index::SeekIndex`], building it, its format) — see
/// [`SeekableReader`] and [`SeekableEncoder`].
pub mod index {
    pub use lz4framed_core::index::*;
}

/// Reads an indexed `.lz4` file at any offset: `Read + Seek + BufRead` over the decompressed
/// content (see `lz4framed_core::SeekableReader`).
pub type SeekableReader<R> = lz4framed_core::SeekableReader<R, Registry>;
/// `io::Write` adapter that compresses into one frame and records a seek index on the way.
pub type SeekableEncoder<W> = lz4framed_core::SeekableEncoder<W, Registry>;
pub use lz4framed_core::SeekIndex;

pub mod parallel;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
