//! Compression and decompression on several threads, each job kind in its own file, all on
//! one ordered work pool (`pool.rs`: jobs in, results out in order, bounded in flight, buffers
//! reused).
//!
//! * **Compression** (`compress.rs`, [`compress()`], [`compress_stream()`]) cuts the input into
//!   chunks of whole blocks (4 MiB, or one block when blocks are larger); a linked-block chunk
//!   gets the 64 KiB of input before it as history, as `lz4` 1.10's `-T` does. The chunking does
//!   not depend on the number of threads, so the output is byte-identical whatever `threads`
//!   is (for independent blocks it is also identical to [`crate::Compressor`]'s; for linked
//!   blocks it differs from it only in how the match finder is seeded at chunk starts, and
//!   decodes to the same data). The seek index can be recorded on the way.
//! * **Indexed decompression** (`indexed.rs`, [`decompress`], [`decompress_to`]): the restart
//!   points of a [`crate::SeekIndex`] cut the file into tasks of about 4 MiB of output,
//!   decoded in parallel (linked frames too, from their restart points' windows).
//! * **Streams without an index** (`stream.rs`, [`decompress_stream`],
//!   [`decompress_stream_at`]): the blocks of independent-block frames are handed out to
//!   threads as the input is read; into a [`WriteAt`] destination (a file), the threads that
//!   decode also write, each batch at its own offset.
//!
//! Only safe Rust, `std::thread::scope` and crossbeam's channels.

use std::io;

mod compress;
mod indexed;
mod pool;
mod stream;

pub use compress::{
    compress, compress_stream, release_buffers, CompressSummary, KEPT_INPUT_BUFFERS,
};
pub use indexed::{decompress, decompress_to, decompress_with};
pub use stream::{decompress_stream, decompress_stream_at, DecompressSummary};

/// Target uncompressed bytes per compression chunk / decompression task.
pub const CHUNK_SIZE: usize = 4 << 20;

/// The number of threads the machine offers (at least 1): the default thread count.
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The most threads the parallel paths start (the `lz4` tool's limit is 200).
pub const MAX_THREADS: usize = 256;

/// A thread-count argument: 0 means [`available_threads`]; at most [`MAX_THREADS`]. With more
/// than one, compression and indexed decompression start that many worker threads while the
/// calling thread reads the input and writes the output (sleeping while it waits for them);
/// stream decompression into a `Write` ([`decompress_stream`]) starts one fewer, and the
/// calling thread, besides reading and writing, decodes a batch itself whenever the workers
/// have one waiting.
/// With one, everything runs on the calling thread. (Should the system refuse a thread, the
/// work goes on with the threads it gave, the calling thread at least.)
pub fn thread_count(threads: usize) -> usize {
    if threads == 0 {
        available_threads()
    } else {
        threads
    }
    .min(MAX_THREADS)
}

/// A source that can be read at any offset from several threads: a byte slice, or a file
/// (positioned reads, `pread`).
pub trait RandomAccess: Sync {
    /// Total size in bytes.
    fn size(&self) -> io::Result<u64>;
    /// The `len` bytes at `offset`, either borrowed from the source or read into `scratch`.
    fn read_range<'a>(
        &'a self,
        offset: u64,
        len: usize,
        scratch: &'a mut Vec<u8>,
    ) -> io::Result<&'a [u8]>;
}

impl RandomAccess for [u8] {
    fn size(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }

    fn read_range<'a>(
        &'a self,
        offset: u64,
        len: usize,
        _scratch: &'a mut Vec<u8>,
    ) -> io::Result<&'a [u8]> {
        usize::try_from(offset)
            .ok()
            .and_then(|o| self.get(o..o.checked_add(len)?))
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "range past the end"))
    }
}

#[cfg(any(unix, windows))]
impl RandomAccess for std::fs::File {
    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }

    fn read_range<'a>(
        &'a self,
        offset: u64,
        len: usize,
        scratch: &'a mut Vec<u8>,
    ) -> io::Result<&'a [u8]> {
        if scratch.len() < len {
            scratch.resize(len, 0);
        }
        let buf = &mut scratch[..len];
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(self, buf, offset)?;
        }
        #[cfg(windows)]
        {
            let mut done = 0;
            while done < len {
                let n = std::os::windows::fs::FileExt::seek_read(
                    self,
                    &mut buf[done..],
                    offset + done as u64,
                )?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                done += n;
            }
        }
        Ok(buf)
    }
}

/// A destination that several threads can write at once, each at its own offset: a file
/// (positioned writes, `pwrite`). [`decompress_stream_at`] writes through it.
pub trait WriteAt: Sync {
    /// Write all of `buf` at byte `offset` of the destination (bytes before `offset` that were
    /// never written read back as zeros, as in a file).
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
}

#[cfg(any(unix, windows))]
impl WriteAt for std::fs::File {
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::write_all_at(self, buf, offset)
        }
        #[cfg(windows)]
        {
            let mut done = 0;
            while done < buf.len() {
                let n = std::os::windows::fs::FileExt::seek_write(
                    self,
                    &buf[done..],
                    offset + done as u64,
                )?;
                if n == 0 {
                    return Err(io::ErrorKind::WriteZero.into());
                }
                done += n;
            }
            Ok(())
        }
    }
}
