//! lz4framed-core: the LZ4 frame format, independent of any block codec.
//!
//! This crate holds everything about LZ4 *frames* — the descriptor, blocks, checksums,
//! skippable, concatenated, legacy and dictionary frames — as safe Rust, and leaves the
//! compression and decompression of each *block* to a [`BlockCodec`]. Backends implement that
//! trait in their own crates; the `lz4framed` crate ties them together, picks one at run time
//! and is what applications use. Its documentation has the user guide.
//!
//! The frame types here are generic over a [`CodecRegistry`], the mapping from [`Backend`] to
//! codec; `lz4framed` fixes it with type aliases (`lz4framed::Decompressor` is
//! `lz4framed_core::Decompressor<lz4framed::Registry>`), so users never name it.
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
pub mod varint;
mod walk;
pub mod xxh32;

pub use backend::{Backend, ParseBackendError};
pub use codec::{compress_bound, BlockCodec, BlockCompressor, BlockError, WINDOW_SIZE};
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
