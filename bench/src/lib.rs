//! Shared code of lz4framed's benchmarks: the criterion benches (`benches/block.rs`,
//! `benches/frame.rs`) and the `report` binary (`src/bin/report.rs`).
//!
//! * [`corpus`]: the Silesia files (env `LZ4FRAMED_CORPUS`, default `target/corpus` of the
//!   workspace) and synthetic shapes (zeros, random bytes, JSON-like text);
//! * [`anchor`]: the bare C functions (`LZ4_decompress_safe`, `LZ4_compress_default`,
//!   `LZ4_compress_HC`) as the codec every block-level figure is compared with;
//! * [`codecs`](mod@codecs): every block codec of this build (the anchor, each backend, each
//!   SIMD kernel), the list all benchmarks iterate over;
//! * [`block`]: block-level compression/decompression of a whole input cut into blocks;
//! * [`frames`]: frame-level compression/decompression with lz4framed and its peers (lz4_flex's
//!   frame API, the C library's `LZ4F_*`);
//! * [`measure`]: the interleaved best-of timing loop of the report, and MB/s and geomeans;
//! * [`parallel`]: parallel compression, indexed parallel decompression, random reads;
//! * [`machine`]: what the numbers were measured on;
//! * [`memory`]: peak resident memory from `/proc/self/status`;
//! * [`shapes`]: generated inputs of every kind (prose, numbers, CSV, logs, JSON, executable
//!   code, random bytes) at any size;
//! * [`ratio`]: compressed size at level 1 against the `lz4` tool with the same frame settings.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod anchor;
pub mod block;
pub mod codecs;
pub mod corpus;
pub mod frames;
pub mod machine;
pub mod measure;
pub mod memory;
pub mod parallel;
pub mod ratio;
pub mod shapes;

pub use codecs::codecs;
