//! The multi-threaded and random-access paths: parallel compression, indexed parallel
//! decompression, stream decompression without an index and random reads through a
//! [`SeekableReader`].

use std::io::Cursor;

use lz4framed::index::IndexOptions;
use lz4framed::index::{SeekIndex, SeekableReader};
use lz4framed::FrameSettings;

use crate::corpus::Rng;

/// Compresses `data` on `threads` threads with `settings` (`lz4framed::parallel::compress`).
///
/// # Panics
///
/// If compression fails (bad settings).
pub fn compress(data: &[u8], settings: &FrameSettings, threads: usize) -> Vec<u8> {
    lz4framed::parallel::compress(data, settings, threads)
        .unwrap_or_else(|e| panic!("parallel compression: {e}"))
}

/// Compresses `data` with `settings`, recording a seek index with restart points every
/// `restart_interval` bytes (linked frames; independent frames restart at every block).
/// Returns the file (without the index) and the index.
///
/// # Panics
///
/// If compression fails (bad settings).
pub fn indexed(
    data: &[u8],
    settings: &FrameSettings,
    restart_interval: u64,
) -> (Vec<u8>, SeekIndex) {
    let opts = IndexOptions::default().restart_interval(restart_interval);
    let (file, summary) = lz4framed::parallel::compress_stream(
        data,
        Vec::new(),
        settings,
        2,
        Some(data.len() as u64),
        Some(&opts),
    )
    .unwrap_or_else(|e| panic!("indexed compression: {e}"));
    (file, summary.index.expect("an index was asked for"))
}

/// Decompresses the indexed `file` on `threads` threads (`lz4framed::parallel::decompress`).
///
/// # Panics
///
/// If `file` does not decode.
pub fn decompress(file: &[u8], index: &SeekIndex, threads: usize) -> Vec<u8> {
    lz4framed::parallel::decompress(file, index, threads)
        .unwrap_or_else(|e| panic!("parallel decompression: {e}"))
}

/// Decompresses the indexed `file` on `threads` threads into `out` (cleared first; a reused
/// buffer keeps its pages) through `lz4framed::parallel::decompress_to`; returns the decoded
/// size.
///
/// # Panics
///
/// If `file` does not decode.
pub fn indexed_decompress_into(
    file: &[u8],
    index: &SeekIndex,
    threads: usize,
    out: &mut Vec<u8>,
) -> usize {
    out.clear();
    lz4framed::parallel::decompress_to(file, index, threads, None, &mut *out)
        .unwrap_or_else(|e| panic!("parallel decompression: {e}"));
    out.len()
}

/// Decompresses the whole stream `file` on `threads` threads without an index
/// (`lz4framed::parallel::decompress_stream`) into `out` (cleared first; a reused buffer keeps
/// its pages, so that the timing is the decoder's, not the page faults of a fresh one);
/// returns the decoded size.
///
/// # Panics
///
/// If `file` does not decode.
pub fn stream_decompress(file: &[u8], threads: usize, out: &mut Vec<u8>) -> usize {
    out.clear();
    lz4framed::parallel::decompress_stream(
        file,
        &mut *out,
        lz4framed::Decompressor::new(),
        threads,
    )
    .unwrap_or_else(|e| panic!("stream decompression: {e}"));
    out.len()
}

/// Builds the seek index of the stream `file` in one pass (`lz4framed::index::build_index`,
/// default options: restart points every 4 MiB in linked frames).
///
/// # Panics
///
/// If `file` does not decode.
pub fn build(file: &[u8]) -> SeekIndex {
    let opts = IndexOptions::default();
    lz4framed::index::build_index(file, &opts).unwrap_or_else(|e| panic!("index build: {e}"))
}

/// Compresses `data` on `threads` threads with `settings` into `out` (cleared first; a reused
/// buffer keeps its pages, so that the timing is the compressor's rather than the page faults
/// of a fresh output), through `lz4framed::parallel::compress_stream`; returns the compressed
/// size.
///
/// # Panics
///
/// If compression fails (bad settings).
pub fn compress_into(
    data: &[u8],
    settings: &FrameSettings,
    threads: usize,
    out: &mut Vec<u8>,
) -> usize {
    out.clear();
    lz4framed::parallel::compress_stream(
        data,
        &mut *out,
        settings,
        threads,
        Some(data.len() as u64),
        None,
    )
    .unwrap_or_else(|e| panic!("parallel compression: {e}"));
    out.len()
}

/// Random reads of `buf.len()` bytes at pseudo-random offsets through one [`SeekableReader`].
pub struct RandomReads<'a> {
    reader: SeekableReader<Cursor<&'a [u8]>>,
    rng: Rng,
    len: u64,
}

impl<'a> RandomReads<'a> {
    /// A reader over `file` with its `index`.
    ///
    /// # Panics
    ///
    /// If the index does not match the file.
    pub fn new(file: &'a [u8], index: SeekIndex) -> Self {
        let reader = SeekableReader::with_index(Cursor::new(file), index)
            .unwrap_or_else(|e| panic!("seekable reader: {e}"));
        let len = reader.len();
        RandomReads {
            reader,
            rng: Rng::new(7),
            len,
        }
    }

    /// Reads `count` times `buf.len()` bytes at random offsets; returns the bytes read.
    ///
    /// # Panics
    ///
    /// On a read error, or when the content is shorter than `buf`.
    pub fn run(&mut self, count: usize, buf: &mut [u8]) -> usize {
        let span = self.len - buf.len() as u64;
        for _ in 0..count {
            let at = self.rng.next_u64() % (span + 1);
            self.reader
                .read_exact_at(at, buf)
                .unwrap_or_else(|e| panic!("random read at {at}: {e}"));
        }
        count * buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::json_like;
    use lz4framed::{BlockMode, BlockSize};

    #[test]
    fn parallel_and_random_access_round_trip() {
        let data = json_like(600_000, 5);
        let indep = FrameSettings::new()
            .block_size(BlockSize::Max64KB)
            .block_mode(BlockMode::Independent);
        let one = compress(&data, &indep, 1);
        assert_eq!(compress(&data, &indep, 2), one);
        let mut out = Vec::new();
        assert_eq!(compress_into(&data, &indep, 2, &mut out), one.len());
        assert_eq!(out, one);
        assert_eq!(lz4framed::decompress(&one).unwrap(), data);
        for settings in [indep, FrameSettings::new()] {
            let (file, index) = indexed(&data, &settings, 128 << 10);
            assert_eq!(decompress(&file, &index, 2), data);
            let mut out = Vec::new();
            assert_eq!(stream_decompress(&file, 2, &mut out), data.len());
            assert_eq!(out, data);
            let mut r = RandomReads::new(&file, index);
            let mut buf = [0u8; 4096];
            assert_eq!(r.run(5, &mut buf), 5 * 4096);
        }
    }
}
