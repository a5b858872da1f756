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
//! ## Organization
//!
//! * **The root**: the one-shot functions ([`compress`], [`compress_with`], [`decompress`],
//!   [`decompress_with`], [`frame_info`]), the streaming types ([`FrameEncoder`],
//!   [`FrameDecoder`], [`Compressor`], [`Decompressor`], and [`LegacyEncoder`] /
//!   [`LegacyCompressor`] for the legacy format of `lz4 -l`), the settings ([`FrameSettings`],
//!   [`BlockSize`], [`BlockMode`], [`Dictionary`]), [`FrameInfo`], [`Error`], and the choice of
//!   block backend ([`Backend`], [`backends`]).
//! * [`index`]: random access — the seek index ([`index::SeekIndex`]), reading at any offset
//!   ([`index::SeekableReader`]), writing with an index ([`index::SeekableEncoder`]), indexing
//!   an existing file ([`index::build_index`]).
//! * [`parallel`]: compression and decompression on several threads, with or without an index.
//! * [`frame`]: the frame format itself — magic numbers, descriptor fields, the frame walker
//!   ([`frame::FrameReader`]) that reads a stream's structure without decoding it.
//! * [`checkpoint`]: the format of [`Decompressor::checkpoint`].
//! * [`codec`]: for backend authors — the block-codec traits every backend implements
//!   ([`codec::BlockCodec`], [`codec::BlockCompressor`]), their error, the block rules they
//!   are checked against, and the registry a backend crate adds its codec to.
//!
//! The crates behind it: `lz4framed-core` (the frame format, safe Rust), and one crate per
//! backend: `lz4framed-backend-c`, `lz4framed-backend-rust`, `lz4framed-backend-simd`.
//!
//! ## Backends
//!
//! Every backend implements [`codec::BlockCodec`]. [`Backend::Auto`] picks the fastest one
//! available (see [`backends`]); the environment variable `LZ4FRAMED_BACKEND=c|rust|simd`
//! overrides it. Cargo features `backend-c`, `backend-rust`, `backend-simd` (all on by
//! default) leave backends out of a build; `cli` (on by default) builds the `lz4framed` tool.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(missing_debug_implementations)]

// The backends register their codecs with the core's registry when linked in.
#[cfg(feature = "backend-c")]
use lz4framed_backend_c as _;
#[cfg(feature = "backend-rust")]
use lz4framed_backend_rust as _;
#[cfg(feature = "backend-simd")]
use lz4framed_backend_simd as _;

pub use lz4framed_core::{
    backends, AutoFinishEncoder, Backend, BackendInfo, BlockMode, BlockSize, Compressor,
    Decompressor, Dictionary, Error, FrameDecoder, FrameEncoder, FrameInfo, FrameKind,
    FrameSettings, LegacyCompressor, LegacyEncoder, ParseBackendError, Status,
};
pub use lz4framed_core::{checkpoint, frame};

/// For backend authors: the block-codec traits every backend implements, the block rules they
/// are checked against, and the registry a backend crate adds its codec to.
pub mod codec {
    pub use lz4framed_core::block_rules;
    pub use lz4framed_core::codec::WINDOW_SIZE;
    pub use lz4framed_core::codec::{
        compress_bound, decompress_append_via_slices, AppendHistory, BlockCodec, BlockCompressor,
        BlockError,
    };
    pub use lz4framed_core::registry::CodecEntry;
}

/// Random access: the seek index ([`SeekIndex`](index::SeekIndex)), reading an indexed file at
/// any offset ([`SeekableReader`](index::SeekableReader)), compressing with an index
/// ([`SeekableEncoder`](index::SeekableEncoder)), and indexing an existing file
/// ([`build_index`](index::build_index)). The index format is documented in
/// `lz4framed_core::index`.
pub mod index {
    pub use lz4framed_core::index::{
        block_decompressed_size, build_index, index_file, sidecar_path, Entry, EntryKind,
        IndexBuilder, IndexOptions, IndexStore, SeekIndex, SeekableEncoder,
    };
    pub use lz4framed_core::SeekableReader;
}

pub mod parallel;

/// Compress `data` into one frame with the default settings (level 1, 64 KiB linked blocks,
/// content size recorded, no checksums).
///
/// ```
/// let frame = lz4framed::compress(b"some data");
/// assert_eq!(lz4framed::decompress(&frame)?, b"some data");
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub fn compress(data: &[u8]) -> Vec<u8> {
    compress_with(data, &FrameSettings::new())
        .unwrap_or_else(|e| unreachable!("default settings on the Auto backend failed: {e}"))
}

/// Compress `data` into one frame with `settings`. Errors: settings a backend cannot honour
/// ([`Error::UnsupportedLevel`], [`Error::BackendUnavailable`], [`Error::InvalidSettings`]).
pub fn compress_with(data: &[u8], settings: &FrameSettings) -> Result<Vec<u8>, Error> {
    lz4framed_core::oneshot::compress_with(data, settings)
}

/// Decompress every frame in `data`, in order (skippable frames are skipped, legacy frames
/// decoded). Input that ends inside a frame gives [`Error::Truncated`] with the offset; bytes
/// after the last frame that are no frame give [`Error::TrailingData`].
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

/// The header of the first frame in `data` (skippable frames before it are skipped). Only
/// the header needs to be present.
pub fn frame_info(data: &[u8]) -> Result<FrameInfo, Error> {
    lz4framed_core::oneshot::frame_info(data)
}

// Names that moved in 0.2, reachable at their old paths for one release. (rustc does not warn
// about `#[deprecated]` on re-exports: the attribute documents the move; the type aliases and
// functions below do warn.)
#[deprecated(since = "0.2.0", note = "moved to lz4framed::index::SeekableReader")]
#[doc(hidden)]
pub type SeekableReader<R> = index::SeekableReader<R>;
#[deprecated(since = "0.2.0", note = "moved to lz4framed::index::SeekableEncoder")]
#[doc(hidden)]
pub type SeekableEncoder<W> = index::SeekableEncoder<W>;
#[deprecated(since = "0.2.0", note = "moved to lz4framed::index::SeekIndex")]
#[doc(hidden)]
pub type SeekIndex = index::SeekIndex;
#[deprecated(since = "0.2.0", note = "moved to lz4framed::codec::BlockError")]
#[doc(hidden)]
pub type BlockError = codec::BlockError;
#[deprecated(since = "0.2.0", note = "moved to lz4framed::codec::block_rules")]
#[doc(hidden)]
pub use codec::block_rules;
#[deprecated(since = "0.2.0", note = "moved to lz4framed::codec::BlockCodec")]
#[doc(hidden)]
pub use codec::BlockCodec;
#[deprecated(since = "0.2.0", note = "moved to lz4framed::codec::BlockCompressor")]
#[doc(hidden)]
pub use codec::BlockCompressor;
#[deprecated(since = "0.2.0", note = "moved to lz4framed::codec::WINDOW_SIZE")]
#[doc(hidden)]
pub const WINDOW_SIZE: usize = codec::WINDOW_SIZE;

/// The worst-case compressed size of `n` bytes: moved to [`codec::compress_bound`].
#[deprecated(since = "0.2.0", note = "moved to lz4framed::codec::compress_bound")]
#[doc(hidden)]
pub const fn compress_bound(n: usize) -> usize {
    codec::compress_bound(n)
}

/// Streaming XXH32 (an internal of the frame layer): no longer part of the API.
#[deprecated(since = "0.2.0", note = "an internal; use the xxhash-rust crate")]
#[doc(hidden)]
pub use lz4framed_core::xxh32;

// The public types can cross threads (compile-time check). Compressors hold a block
// compressor's match-finder state, which is `Send` but not shared: they are `Send` only.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send::<Compressor>();
    send_sync::<Decompressor>();
    send_sync::<FrameSettings>();
    send_sync::<Dictionary>();
    send_sync::<FrameInfo>();
    send_sync::<Error>();
    send_sync::<index::SeekIndex>();
    send::<FrameEncoder<Vec<u8>>>();
    send_sync::<FrameDecoder<&[u8]>>();
    send_sync::<index::SeekableReader<std::io::Cursor<Vec<u8>>>>();
    send::<index::SeekableEncoder<Vec<u8>>>();
    send::<LegacyEncoder<Vec<u8>>>();
    send_sync::<Backend>();
};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
