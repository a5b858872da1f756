//! Compression and decompression on several threads; see `lz4framed_core::parallel` for how
//! the work is cut. Output is byte-identical whatever the thread count.
//!
//! ```
//! use lz4framed::FrameSettings;
//! use lz4framed::index::SeekIndex;
//! let data = b"many cores ".repeat(400_000);
//! let settings = FrameSettings::new();
//! // Compress on 2 threads, recording a seek index on the way.
//! let (mut file, summary) = lz4framed::parallel::compress_stream(
//!     &data[..], Vec::new(), &settings, 2, Some(data.len() as u64),
//!     Some(&lz4framed::index::IndexOptions::default()),
//! )?;
//! let index = summary.index.expect("asked for");
//! file.extend_from_slice(&index.to_embedded());
//! // Decompress on 2 threads from the index's restart points.
//! assert_eq!(lz4framed::parallel::decompress(&file, &index, 2)?, data);
//! # Ok::<(), lz4framed::Error>(())
//! ```

use std::io::{Read, Write};

use crate::index::SeekIndex;
use crate::{Decompressor, Dictionary, Error, FrameSettings};
pub use lz4framed_core::parallel::{
    available_threads, release_buffers, thread_count, CompressSummary, DecompressSummary,
    RandomAccess, WriteAt, CHUNK_SIZE, KEPT_INPUT_BUFFERS, MAX_THREADS,
};

/// Compress `data` into one frame on `threads` threads (0 = all cores).
pub fn compress(data: &[u8], settings: &FrameSettings, threads: usize) -> Result<Vec<u8>, Error> {
    lz4framed_core::parallel::compress(data, settings, threads)
}

/// Compress a stream into one frame on `threads` threads (0 = all cores), optionally recording
/// a seek index (returned in the summary; append [`SeekIndex::to_embedded`] or write a sidecar).
/// Up to [`KEPT_INPUT_BUFFERS`] input buffers of 4 MiB are kept for the next call
/// ([`release_buffers`] frees them).
pub fn compress_stream<R: Read, W: Write>(
    reader: R,
    writer: W,
    settings: &FrameSettings,
    threads: usize,
    size: Option<u64>,
    index: Option<&crate::index::IndexOptions>,
) -> Result<(W, CompressSummary), Error> {
    lz4framed_core::parallel::compress_stream(reader, writer, settings, threads, size, index)
}

/// Decompress the indexed file `data` on `threads` threads (0 = all cores).
pub fn decompress(data: &[u8], index: &SeekIndex, threads: usize) -> Result<Vec<u8>, Error> {
    lz4framed_core::parallel::decompress(data, index, threads)
}

/// Decompress the indexed file `source` on `threads` threads (0 = all cores) into `writer`, in
/// order, with bounded memory. Returns the writer and the bytes written.
pub fn decompress_to<S: RandomAccess + ?Sized, W: Write>(
    source: &S,
    index: &SeekIndex,
    threads: usize,
    dictionary: Option<&Dictionary>,
    writer: W,
) -> Result<(W, u64), Error> {
    lz4framed_core::parallel::decompress_to(source, index, threads, dictionary, writer)
}

/// Decompress every frame of a stream into `writer` on `threads` threads (0 = all cores),
/// without an index: the blocks of independent-block frames are decoded in parallel, linked
/// frames on the calling thread. `decompressor` (fresh) gives the backend, dictionary and
/// checksum setting.
pub fn decompress_stream<R: Read, W: Write>(
    reader: R,
    writer: W,
    decompressor: Decompressor,
    threads: usize,
) -> Result<(W, DecompressSummary), Error> {
    lz4framed_core::parallel::decompress_stream(reader, writer, decompressor, threads)
}

/// [`decompress_stream`] into a destination written at offsets (a file, [`WriteAt`]), from
/// byte `offset` on: each batch of decoded blocks is written at its place by the thread that
/// decoded it, so the copies into the page cache run on every thread. Output, checks, first
/// error and the output before it are those of single-threaded decoding (after an error of
/// `dest` itself, later batches may have been written past it). Returns the summary
/// (`bytes_out`: bytes written from `offset` on).
pub fn decompress_stream_at<R: Read, D: WriteAt>(
    reader: R,
    dest: &D,
    offset: u64,
    decompressor: Decompressor,
    threads: usize,
) -> Result<DecompressSummary, Error> {
    lz4framed_core::parallel::decompress_stream_at(reader, dest, offset, decompressor, threads)
}
