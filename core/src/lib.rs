//! lz4framed-core: the LZ4 frame format, independent of any block codec.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
pub mod error;

pub use codec::{
    compress_bound, Backend, BlockCodec, BlockCompressor, BlockError, CodecRegistry, WINDOW_SIZE,
};
pub use error::Error;
