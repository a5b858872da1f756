//! lz4framed-core: the LZ4 frame format, independent of any block codec.
//!
//! This crate holds everything about LZ4 *frames* — the descriptor, blocks, checksums,
//! skippable, concatenated, legacy and dictionary frames — as safe Rust, and leaves the
//! compression and decompression of each *block* to a [`BlockCodec`]. Backends implement that
//! trait in their own crates; the `lz4framed` crate ties them together, picks one at run time
//! and is what applications use. Its documentation has the user guide.
//!
//! Backend crates add their codec to the [`registry`] when they are linked in; a [`Backend`]
//! names one (`Auto`: the fastest this CPU has), and `lz4framed` links the backends its cargo
//! features ask for.
//!
//! ## Organization
//!
//! | module | holds |
//! |---|---|
//! | [`frame`] | magic numbers, descriptor fields (FLG/BD constants), [`FrameInfo`]; the frame walker (`walk.rs`): [`frame::FrameWalker`], [`frame::FrameReader`] |
//! | `engine.rs` | the decoder's state machine: the walker plus block decoding, checksums, the window |
//! | [`decompressor`], [`decoder`] | the push-style [`Decompressor`] and the `io::Read` [`FrameDecoder`] on it |
//! | [`compressor`], [`legacy_encoder`] | the push-style [`Compressor`], [`FrameEncoder`]; legacy frames |
//! | [`oneshot`] | whole input in, whole output out |
//! | [`checkpoint`] | the decoder state as bytes (format v1) |
//! | [`index`], [`seekable`] | the seek index (format v1, building it) and [`SeekableReader`] |
//! | [`parallel`] | several threads on one ordered work pool: compression, indexed and stream decompression |
//! | [`codec`], [`block_rules`], [`registry`] | the block-codec traits, the rules blocks obey, the codec registry |
//! | [`settings`], [`error`], [`xxh32`], [`varint`] | settings, the error type, streaming XXH32, LEB128 |
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(missing_debug_implementations)]

mod backend;
pub mod block_rules;
pub mod checkpoint;
pub mod codec;
pub mod compressor;
pub mod decoder;
pub mod decompressor;
mod engine;
pub mod error;
pub mod frame;
pub mod index;
mod input;
pub mod legacy_encoder;
pub mod oneshot;
mod output;
pub mod parallel;
pub mod registry;
pub mod seekable;
pub mod settings;
mod unwritten;
pub mod varint;
mod walk;
mod window;
pub mod xxh32;

pub use backend::{Backend, ParseBackendError};
pub use codec::{
    compress_bound, decompress_append_via_slices, AppendHistory, BlockCodec, BlockCompressor,
    BlockError, WINDOW_SIZE,
};
pub use compressor::{AutoFinishEncoder, Compressor, FrameEncoder};
pub use decoder::FrameDecoder;
pub use decompressor::Decompressor;
pub use engine::Status;
pub use error::Error;
pub use frame::{FrameInfo, FrameKind};
pub use index::{SeekIndex, SeekableEncoder};
pub use legacy_encoder::{LegacyCompressor, LegacyEncoder};
pub use registry::{backends, BackendInfo};
pub use seekable::SeekableReader;
pub use settings::{BlockMode, BlockSize, Dictionary, FrameSettings};
