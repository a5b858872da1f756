//! Compression and decompression on several threads.
//!
//! **Compression** cuts the input into chunks of whole blocks (4 MiB, or one block when blocks
//! are larger) and compresses the chunks on `threads` threads; a linked-block chunk gets the
//! 64 KiB of input before it as history, as `lz4` 1.10's `-T` does. The chunking does not depend
//! on the number of threads, so the output is byte-identical whatever `threads` is (for
//! independent blocks it is also identical to [`crate::Compressor`]'s; for linked blocks it
//! differs from it only in how the match finder is seeded at chunk starts, and decodes to the
//! same data). The seek index can be recorded on the way.
//!
//! **Decompression** uses a [`SeekIndex`]: the restart points cut the file into tasks of about
//! 4 MiB of output, decoded on `threads` threads (linked frames too, from their restart points'
//! windows) and written in order. The `lz4` tool cannot decompress in parallel at all.
//!
//! **Streams without an index** ([`decompress_stream`]): the blocks of independent-block frames
//! are handed out to threads as the input is read.
//!
//! Only safe Rust and `std::thread::scope`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Mutex;

use crate::codec::{compress_bound, BlockCodec, CodecRegistry, WINDOW_SIZE};
use crate::compressor::emit_block;
use crate::decompressor::Decompressor;
use crate::error::Error;
use crate::frame::{FrameInfo, FrameKind, END_MARK, MAX_DESCRIPTOR_LEN};
use crate::index::{parse_frame_header, Fingerprinter, IndexBuilder, IndexOptions, SeekIndex};
use crate::output::ReusableBuf;
use crate::settings::{BlockMode, ContentSize, Dictionary, FrameSettings};
use crate::xxh32::Xxh32;

mod hash_chain;
mod stream;

use hash_chain::{HashChain, HashStep};

pub use stream::{decompress_stream, DecompressSummary};

/// Target uncompressed bytes per compression chunk / decompression task.
pub const CHUNK_SIZE: usize = 4 << 20;

/// The number of threads the machine offers (at least 1): the default thread count.
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A thread-count argument: 0 means [`available_threads`].
pub fn thread_count(threads: usize) -> usize {
    if threads == 0 {
        available_threads()
    } else {
        threads
    }
}

/// A worker's next job from the shared queue; `None` once the queue is closed (or its lock
/// poisoned by a panicking worker).
fn next_job<T>(jobs: &Mutex<std::sync::mpsc::Receiver<T>>) -> Option<T> {
    jobs.lock().ok()?.recv().ok()
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

/// What [`compress_stream`] did.
#[derive(Debug)]
pub struct CompressSummary {
    /// Uncompressed bytes read.
    pub bytes_in: u64,
    /// Compressed bytes written (without any index).
    pub bytes_out: u64,
    /// The seek index, when asked for. Append [`SeekIndex::to_embedded`] to the output, or
    /// write [`SeekIndex::to_sidecar`] beside it.
    pub index: Option<SeekIndex>,
}

/// Compress `data` into one frame on `threads` threads (0 = [`available_threads`]). The
/// content size is recorded unless `settings` say otherwise. The workers read their chunks
/// straight from `data`; with one thread everything runs on the calling thread.
///
/// ```
/// use lz4framed::{BlockMode, FrameSettings};
/// let data = b"parallel ".repeat(1_000_000);
/// let settings = FrameSettings::new().block_mode(BlockMode::Independent);
/// let two = lz4framed::parallel::compress(&data, &settings, 2)?;
/// assert_eq!(two, lz4framed::parallel::compress(&data, &settings, 1)?);
/// assert_eq!(two, lz4framed::compress_with(&data, &settings)?);
/// assert_eq!(lz4framed::decompress(&two)?, data);
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub fn compress<G: CodecRegistry>(
    data: &[u8],
    settings: &FrameSettings,
    threads: usize,
) -> Result<Vec<u8>, Error> {
    let out = Vec::with_capacity(compress_bound(data.len()) / 2 + 64);
    let source: Source<'_, io::Empty> = Source::Slice { data, at: 0 };
    let (out, _) = compress_from::<_, _, G>(
        source,
        out,
        settings,
        threads,
        Some(data.len() as u64),
        None,
    )?;
    Ok(out)
}

struct Job<'a> {
    seq: usize,
    /// History prefix (linked frames) followed by the chunk: borrowed from an in-memory input
    /// where it lies there contiguously, else read (or assembled) into a buffer.
    buf: Cow<'a, [u8]>,
    prefix: usize,
    /// Decompressed offset of the chunk's first byte.
    offset: u64,
}

struct ChunkOut {
    bytes: Vec<u8>,
    /// Per recorded block: offset of its header in `bytes`, decompressed offset, window.
    blocks: Vec<(usize, u64, Option<Vec<u8>>)>,
}

struct ChunkParams<'a> {
    codec: &'static dyn BlockCodec,
    level: i32,
    block_size: usize,
    linked: bool,
    block_checksum: bool,
    dictionary: Option<&'a Dictionary>,
    /// Index recording: None = off; Some(interval) for linked frames' restart points.
    index: Option<u64>,
    /// The content checksum, when the frame has one: each job's input is hashed in turn by
    /// the worker that compressed it.
    checksum: Option<HashChain>,
    /// Output buffers written and free again (reused, so that their pages are faulted in
    /// once).
    spare: Mutex<Vec<Vec<u8>>>,
}

/// A compression worker's reusable state.
#[derive(Default)]
struct Worker {
    scratch: Vec<u8>,
    /// Independent blocks: one compressor for every chunk (each block starts from a reset
    /// state, so the output does not depend on which worker compresses a chunk).
    compressor: Option<Box<dyn crate::codec::BlockCompressor>>,
}

fn compress_chunk(p: &ChunkParams<'_>, w: &mut Worker, job: &Job<'_>) -> Result<ChunkOut, Error> {
    // Linked chunks get a fresh compressor: its state at the chunk's first block must not
    // depend on what this worker compressed before.
    let mut fresh;
    let compressor: &mut dyn crate::codec::BlockCompressor = if p.linked {
        fresh = p.codec.compressor(p.level)?;
        &mut *fresh
    } else {
        if w.compressor.is_none() {
            w.compressor = Some(p.codec.compressor(p.level)?);
        }
        &mut **w.compressor.as_mut().expect("set above")
    };
    let bs = p.block_size;
    compressor.begin_frame(bs, p.linked);
    if w.scratch.is_empty() {
        w.scratch = vec![0u8; compress_bound(bs).max(bs + bs / 10 + 32)];
    }
    let scratch = &mut w.scratch;
    let buf = &job.buf[..];
    let chunk_len = buf.len() - job.prefix;
    let blocks_in_chunk = chunk_len / bs + 1;
    let mut bytes = p
        .spare
        .lock()
        .ok()
        .and_then(|mut s| s.pop())
        .unwrap_or_default();
    bytes.clear();
    bytes.reserve(compress_bound(chunk_len) + 8 * blocks_in_chunk);
    let mut blocks = Vec::new();
    let mut pos = job.prefix;
    while pos < buf.len() {
        let end = (pos + bs).min(buf.len());
        let history: &[u8] = if p.linked {
            &buf[pos.saturating_sub(WINDOW_SIZE)..pos]
        } else {
            p.dictionary.map_or(&[], |d| d.bytes())
        };
        if let Some(interval) = p.index {
            let d = job.offset + (pos - job.prefix) as u64;
            if !p.linked {
                blocks.push((bytes.len(), d, None));
            } else if d >= bs as u64 && d / interval != (d - bs as u64) / interval {
                // The first block boundary at or after each multiple of the interval.
                blocks.push((bytes.len(), d, Some(history.to_vec())));
            }
        }
        emit_block(
            compressor,
            &buf[pos..end],
            history,
            scratch,
            p.block_checksum,
            &mut bytes,
        );
        pos = end;
    }
    Ok(ChunkOut { bytes, blocks })
}

/// [`compress_chunk`], then the job's turn in the content checksum.
fn compress_job(p: &ChunkParams<'_>, w: &mut Worker, job: &Job<'_>) -> Result<ChunkOut, Error> {
    let r = compress_chunk(p, w, job);
    if let Some(chain) = &p.checksum {
        let input = r.is_ok().then(|| &job.buf[job.prefix..]);
        chain.pass(job.seq, Some(HashStep::Continue), input);
    }
    r
}

/// Where the input comes from: a slice (chunks are borrowed) or a reader (chunks are read).
enum Source<'a, R> {
    Slice { data: &'a [u8], at: usize },
    Reader(R),
}

/// Cuts the input into jobs, keeping the linked frames' history on the way.
struct Chunker<'a, R> {
    source: Source<'a, R>,
    chunk: usize,
    linked: bool,
    /// Whether a dictionary precedes the input (then the first 64 KiB of input have history
    /// that is not in the input).
    dictionary: bool,
    /// Linked frames: the last ≤ 64 KiB of (dictionary ++ input), the next chunk's history.
    tail: Vec<u8>,
    total_in: u64,
    declared: Option<u64>,
    seq: usize,
    eof: bool,
}

impl<'a, R: Read> Chunker<'a, R> {
    /// The next job, or None at the end of the input.
    fn next_job(&mut self) -> Result<Option<Job<'a>>, Error> {
        if self.eof {
            return Ok(None);
        }
        let prefix = self.tail.len();
        let buf = match &mut self.source {
            Source::Slice { data, at } => {
                let data: &'a [u8] = data;
                let start = *at;
                let end = start + self.chunk.min(data.len() - start);
                *at = end;
                if end - start < self.chunk {
                    self.eof = true;
                }
                if start == end {
                    return Ok(None);
                }
                if !self.dictionary || start >= WINDOW_SIZE {
                    // The history is the input before the chunk.
                    Cow::Borrowed(&data[start - prefix..end])
                } else {
                    let mut buf = Vec::with_capacity(prefix + end - start);
                    buf.extend_from_slice(&self.tail);
                    buf.extend_from_slice(&data[start..end]);
                    Cow::Owned(buf)
                }
            }
            Source::Reader(reader) => {
                let mut buf = Vec::with_capacity(prefix + self.chunk);
                buf.extend_from_slice(&self.tail);
                let n = read_chunk(reader, &mut buf, self.chunk)?;
                if n < self.chunk {
                    self.eof = true;
                }
                if n == 0 {
                    return Ok(None);
                }
                Cow::Owned(buf)
            }
        };
        let n = buf.len() - prefix;
        if self.linked {
            let from = buf.len().saturating_sub(WINDOW_SIZE);
            self.tail.clear();
            self.tail.extend_from_slice(&buf[from..]);
        }
        let job = Job {
            seq: self.seq,
            buf,
            prefix,
            offset: self.total_in,
        };
        self.seq += 1;
        self.total_in += n as u64;
        if let Some(d) = self.declared {
            if self.total_in > d {
                return Err(Error::ContentSizeMismatch {
                    offset: self.total_in,
                    frame: 1,
                    declared: d,
                    actual: self.total_in,
                });
            }
        }
        Ok(Some(job))
    }
}

/// Writes the compressed chunks in order, recording the index and the fingerprint.
struct Sink<W> {
    writer: W,
    builder: Option<IndexBuilder>,
    fp: Fingerprinter,
    bytes_out: u64,
}

impl<W: Write> Sink<W> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.writer.write_all(bytes)?;
        self.fp.update(bytes);
        self.bytes_out += bytes.len() as u64;
        Ok(())
    }

    /// Write a compressed chunk; its buffer goes back to `params` for the next one.
    fn chunk(&mut self, out: ChunkOut, params: &ChunkParams<'_>) -> Result<(), Error> {
        if let Some(b) = &mut self.builder {
            for (at, d, window) in &out.blocks {
                let c = self.bytes_out + *at as u64;
                match window {
                    None => b.block(c, *d, false),
                    Some(w) => b.linked_block(c, *d, w),
                }
            }
        }
        self.write(&out.bytes)?;
        if let Ok(mut spare) = params.spare.lock() {
            spare.push(out.bytes);
        }
        Ok(())
    }
}

/// Append up to `n` bytes from `r` to `buf` (fewer only at the end of the reader); returns the
/// bytes appended.
fn read_chunk<R: Read>(r: &mut R, buf: &mut Vec<u8>, n: usize) -> io::Result<usize> {
    let before = buf.len();
    r.take(n as u64).read_to_end(buf)?;
    Ok(buf.len() - before)
}

/// Compress everything `reader` yields into one frame on `writer`, on `threads` threads
/// (0 = [`available_threads`]); the calling thread reads and writes (with one thread
/// it also compresses). `size`: the input size if known (recorded in the header unless
/// `settings` say otherwise; checked). With `index`, a seek index is recorded on the way and
/// returned in the summary.
pub fn compress_stream<R: Read, W: Write, G: CodecRegistry>(
    reader: R,
    writer: W,
    settings: &FrameSettings,
    threads: usize,
    size: Option<u64>,
    index: Option<&IndexOptions>,
) -> Result<(W, CompressSummary), Error> {
    compress_from::<R, W, G>(
        Source::Reader(reader),
        writer,
        settings,
        threads,
        size,
        index,
    )
}

fn compress_from<R: Read, W: Write, G: CodecRegistry>(
    source: Source<'_, R>,
    writer: W,
    settings: &FrameSettings,
    threads: usize,
    size: Option<u64>,
    index: Option<&IndexOptions>,
) -> Result<(W, CompressSummary), Error> {
    settings.check()?;
    let threads = thread_count(threads);
    let codec = G::codec_for_level(settings.backend, settings.level)?;
    codec.compressor(settings.level)?;
    let declared = match settings.content_size {
        ContentSize::Auto => size,
        ContentSize::Omit => None,
        ContentSize::Exact(n) => Some(n),
    };
    let dict = settings.dictionary.as_ref();
    let linked = settings.block_mode == BlockMode::Linked;
    let bs = settings.block_size.bytes();
    let params = ChunkParams {
        codec,
        level: settings.level,
        block_size: bs,
        linked,
        block_checksum: settings.block_checksum,
        dictionary: dict,
        index: index.map(|o| o.restart_interval.max(1)),
        checksum: settings.content_checksum.then(HashChain::default),
        spare: Mutex::new(Vec::new()),
    };
    let mut sink = Sink {
        writer,
        builder: index.map(|o| IndexBuilder::new(codec, o)),
        fp: Fingerprinter::new(),
        bytes_out: 0,
    };
    let mut header = Vec::with_capacity(32);
    FrameInfo {
        kind: FrameKind::Standard,
        block_size: Some(settings.block_size),
        block_mode: settings.block_mode,
        content_checksum: settings.content_checksum,
        block_checksum: settings.block_checksum,
        content_size: declared,
        dict_id: dict.map(|d| d.id()).filter(|&id| id != 0),
        header_len: 0,
    }
    .write_header(&mut header);
    if let Some(b) = &mut sink.builder {
        b.frame_start(0, 0, false);
    }
    sink.write(&header)?;
    let mut chunker = Chunker {
        source,
        chunk: bs * (CHUNK_SIZE / bs).max(1),
        linked,
        dictionary: dict.is_some(),
        tail: match (linked, dict) {
            (true, Some(d)) => d.bytes()[d.bytes().len().saturating_sub(WINDOW_SIZE)..].to_vec(),
            _ => Vec::new(),
        },
        total_in: 0,
        declared,
        seq: 0,
        eof: false,
    };
    if threads == 1 {
        let mut worker = Worker::default();
        while let Some(job) = chunker.next_job()? {
            let out = compress_job(&params, &mut worker, &job)?;
            sink.chunk(out, &params)?;
        }
    } else {
        compress_on_threads(&mut chunker, &mut sink, &params, threads)?;
    }
    let total_in = chunker.total_in;
    if let Some(d) = declared {
        if d != total_in {
            return Err(Error::ContentSizeMismatch {
                offset: total_in,
                frame: 1,
                declared: d,
                actual: total_in,
            });
        }
    }
    let mut trailer = END_MARK.to_le_bytes().to_vec();
    if let Some(chain) = &params.checksum {
        let digest = chain
            .digest()
            .ok_or(Error::InvalidState("a compression worker panicked"))?;
        trailer.extend_from_slice(&digest.to_le_bytes());
    }
    sink.write(&trailer)?;
    let Sink {
        mut writer,
        builder,
        fp,
        bytes_out,
    } = sink;
    writer.flush()?;
    let index = builder.map(|b| b.finish(fp.len(), fp.finish(), total_in));
    Ok((
        writer,
        CompressSummary {
            bytes_in: total_in,
            bytes_out,
            index,
        },
    ))
}

/// The threaded part of [`compress_from`]: `threads` workers compress the chunker's jobs; the
/// calling thread feeds them (at most two jobs a thread ahead) and writes their output in
/// order.
fn compress_on_threads<'a, R: Read, W: Write>(
    chunker: &mut Chunker<'a, R>,
    sink: &mut Sink<W>,
    params: &ChunkParams<'_>,
    threads: usize,
) -> Result<(), Error> {
    let (job_tx, job_rx) = sync_channel::<Job<'a>>(threads);
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = channel::<(usize, Result<ChunkOut, Error>)>();
    std::thread::scope(|s| -> Result<(), Error> {
        for _ in 0..threads {
            let res_tx = res_tx.clone();
            let job_rx = &job_rx;
            s.spawn(move || {
                let mut worker = Worker::default();
                while let Some(job) = next_job(job_rx) {
                    let r = compress_job(params, &mut worker, &job);
                    if res_tx.send((job.seq, r)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(res_tx);
        let job_tx = job_tx;
        let mut sent = 0usize;
        let mut written = 0usize;
        let mut pending = BTreeMap::new();
        loop {
            while sent < written + 2 * threads {
                let Some(job) = chunker.next_job()? else {
                    break;
                };
                job_tx
                    .send(job)
                    .map_err(|_| Error::InvalidState("compression worker stopped"))?;
                sent += 1;
            }
            if written == sent {
                return Ok(());
            }
            let (seq, r) = res_rx
                .recv()
                .map_err(|_| Error::InvalidState("compression worker stopped"))?;
            pending.insert(seq, r);
            while let Some(r) = pending.remove(&written) {
                sink.chunk(r?, params)?;
                written += 1;
            }
        }
    })
}

/// Decompression tasks: `(first entry, end entry)` ranges of about [`CHUNK_SIZE`] output.
fn tasks(index: &SeekIndex) -> Vec<(usize, usize)> {
    let e = index.entries();
    let last = e.len() - 1;
    let mut out = Vec::new();
    let mut a = 0;
    for b in 1..=last {
        if b == last || e[b].decompressed - e[a].decompressed >= CHUNK_SIZE as u64 {
            out.push((a, b));
            a = b;
        }
    }
    out
}

/// Check that `index` belongs to `source` (size and fingerprint).
fn verify_source<S: RandomAccess + ?Sized>(source: &S, index: &SeekIndex) -> Result<(), Error> {
    let size = source.size()?;
    let n = index.data_len();
    if size < n {
        return Err(Error::BadIndex(format!(
            "the index belongs to another file: it was built for {n} bytes of data, this file has {size}"
        )));
    }
    let span = crate::index::FINGERPRINT_SPAN.min(n as usize);
    let mut s1 = Vec::new();
    let mut s2 = Vec::new();
    let head = source.read_range(0, span, &mut s1)?;
    let tail = source.read_range(n - span as u64, span, &mut s2)?;
    let mut h = Xxh32::new(0);
    h.update(head);
    h.update(tail);
    let found = h.digest();
    if found != index.fingerprint() {
        return Err(Error::BadIndex(format!(
            "the index belongs to another file: fingerprint 0x{:08X} recorded, the file's is 0x{found:08X}",
            index.fingerprint()
        )));
    }
    // An index that promises more output than LZ4 can expand to is refused before anything is
    // allocated for it.
    if index.decompressed_size() > n.saturating_mul(255).saturating_add(1 << 16) {
        return Err(Error::BadIndex(
            "the decompressed size it records is impossible for the data".into(),
        ));
    }
    Ok(())
}

struct Decoding<'a, S: ?Sized> {
    source: &'a S,
    index: &'a SeekIndex,
    frame_starts: Vec<usize>,
    codec: &'static dyn BlockCodec,
    dictionary: Option<&'a Dictionary>,
}

impl<S: RandomAccess + ?Sized> Decoding<'_, S> {
    /// Decode task `(a, b)` into `out` (cleared first).
    fn run<G: CodecRegistry>(
        &self,
        (a, b): (usize, usize),
        out: &mut ReusableBuf,
        scratch: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let e = self.index.entries();
        let data_len = self.index.data_len();
        let engine = self.index.restart_engine(
            a,
            &self.frame_starts,
            |fs| {
                let at = e[fs].compressed;
                let n = ((4 + MAX_DESCRIPTOR_LEN) as u64).min(data_len - at) as usize;
                let mut s = Vec::new();
                let head = self.source.read_range(at, n, &mut s)?;
                parse_frame_header(head, at, true)
            },
            self.codec,
            self.dictionary,
        )?;
        let mut dec = Decompressor::<G>::from_engine(self.codec, engine, self.dictionary.cloned());
        let (c0, c1) = (e[a].compressed, e[b].compressed);
        let input = self.source.read_range(c0, (c1 - c0) as usize, scratch)?;
        out.clear();
        dec.feed(input, out)?;
        if b == e.len() - 1 {
            dec.finish()?;
        }
        let want = e[b].decompressed - e[a].decompressed;
        if out.filled as u64 != want {
            return Err(Error::BadIndex(format!(
                "restart points {a}..{b} decode to {} bytes, the index says {want}",
                out.filled
            )));
        }
        Ok(())
    }
}

/// Decompress the indexed `data` (a `.lz4` file in memory, with or without its embedded index)
/// on `threads` threads (0 = [`available_threads`]), from the restart points of `index`.
/// Output equals single-threaded decompression's.
///
/// ```
/// use lz4framed::{FrameSettings, SeekIndex};
/// let data = b"decoded on many cores ".repeat(500_000);
/// let mut file = Vec::new();
/// let mut enc = lz4framed::SeekableEncoder::new(&mut file, &FrameSettings::new())?;
/// std::io::Write::write_all(&mut enc, &data)?;
/// enc.finish()?;
/// let index = SeekIndex::read_embedded(&mut std::io::Cursor::new(&file))?;
/// let back = lz4framed::parallel::decompress(&file, &index, 2)?;
/// assert_eq!(back, data);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decompress<G: CodecRegistry>(
    data: &[u8],
    index: &SeekIndex,
    threads: usize,
) -> Result<Vec<u8>, Error> {
    decompress_with::<G>(data, index, threads, None)
}

/// [`decompress`] with a dictionary for frames compressed with one.
pub fn decompress_with<G: CodecRegistry>(
    data: &[u8],
    index: &SeekIndex,
    threads: usize,
    dictionary: Option<&Dictionary>,
) -> Result<Vec<u8>, Error> {
    verify_source(data, index)?;
    let threads = thread_count(threads);
    let ctx = Decoding {
        source: data,
        index,
        frame_starts: index.frame_starts(),
        codec: G::auto(),
        dictionary,
    };
    let tasks = tasks(index);
    let e = index.entries();
    let mut result = vec![0u8; index.decompressed_size() as usize];
    let mut slots = Vec::with_capacity(tasks.len());
    let mut rest: &mut [u8] = &mut result;
    for &(a, b) in &tasks {
        let (head, tail) = rest.split_at_mut((e[b].decompressed - e[a].decompressed) as usize);
        slots.push(Mutex::new(Some(head)));
        rest = tail;
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_error: Mutex<Option<(usize, Error)>> = Mutex::new(None);
    let work = || {
        let mut out = ReusableBuf::default();
        let mut scratch = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&task) = tasks.get(i) else { break };
            match ctx.run::<G>(task, &mut out, &mut scratch) {
                Ok(()) => {
                    let slot = slots[i].lock().ok().and_then(|mut s| s.take());
                    if let Some(dst) = slot {
                        dst.copy_from_slice(out.data());
                    }
                }
                Err(err) => {
                    stop.store(true, Ordering::Relaxed);
                    if let Ok(mut f) = first_error.lock() {
                        if !matches!(f.as_ref(), Some((j, _)) if *j <= i) {
                            *f = Some((i, err));
                        }
                    }
                }
            }
        }
    };
    let workers = threads.min(tasks.len()).max(1);
    if workers == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(work);
            }
        });
    }
    if let Some((_, err)) = first_error.into_inner().ok().flatten() {
        return Err(err);
    }
    Ok(result)
}

/// Decompress the indexed file `source` on `threads` threads (0 = [`available_threads`]) and
/// write the output to `writer` in order, holding at most about `2 × threads` tasks of 4 MiB in
/// memory: the shape for files larger than memory. Returns the writer and the bytes written.
pub fn decompress_to<S: RandomAccess + ?Sized, W: Write, G: CodecRegistry>(
    source: &S,
    index: &SeekIndex,
    threads: usize,
    dictionary: Option<&Dictionary>,
    mut writer: W,
) -> Result<(W, u64), Error> {
    verify_source(source, index)?;
    let threads = thread_count(threads);
    let ctx = Decoding {
        source,
        index,
        frame_starts: index.frame_starts(),
        codec: G::auto(),
        dictionary,
    };
    let tasks = tasks(index);
    if threads == 1 {
        let mut out = ReusableBuf::default();
        let mut scratch = Vec::new();
        let mut total = 0u64;
        for &task in &tasks {
            ctx.run::<G>(task, &mut out, &mut scratch)?;
            writer.write_all(out.data())?;
            total += out.filled as u64;
        }
        writer.flush()?;
        return Ok((writer, total));
    }
    let (job_tx, job_rx) = sync_channel::<usize>(threads);
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = channel::<(usize, Result<Vec<u8>, Error>)>();
    let mut total = 0u64;
    std::thread::scope(|s| -> Result<(), Error> {
        for _ in 0..threads {
            let res_tx = res_tx.clone();
            let (job_rx, ctx, tasks) = (&job_rx, &ctx, &tasks);
            s.spawn(move || {
                let mut out = ReusableBuf::default();
                let mut scratch = Vec::new();
                while let Some(i) = next_job(job_rx) {
                    let r = ctx
                        .run::<G>(tasks[i], &mut out, &mut scratch)
                        .map(|()| out.data().to_vec());
                    if res_tx.send((i, r)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(res_tx);
        let job_tx = job_tx;
        let (mut sent, mut written) = (0usize, 0usize);
        let mut pending = BTreeMap::new();
        while written < tasks.len() {
            while sent < tasks.len() && sent < written + 2 * threads {
                job_tx
                    .send(sent)
                    .map_err(|_| Error::InvalidState("decompression worker stopped"))?;
                sent += 1;
            }
            let (i, r) = res_rx
                .recv()
                .map_err(|_| Error::InvalidState("decompression worker stopped"))?;
            pending.insert(i, r);
            while let Some(r) = pending.remove(&written) {
                let out = r?;
                writer.write_all(&out)?;
                total += out.len() as u64;
                written += 1;
            }
        }
        Ok(())
    })?;
    writer.flush()?;
    Ok((writer, total))
}
