//! Compression on several threads: the input is cut into chunks of whole blocks (4 MiB, or
//! one block when blocks are larger), compressed by the workers of an [`OrderedPool`] and
//! written in order. A linked-block chunk gets the 64 KiB of input before it as history, as
//! `lz4` 1.10's `-T` does, and a fresh match finder, so the output does not depend on the
//! thread count. The content checksum is computed by the calling thread as it cuts the chunks,
//! in order (so no worker ever waits for another's turn); a seek index can be recorded on the
//! way.

use std::io::{self, Read, Write};

use crate::codec::{compress_bound, BlockCodec, BlockCompressor, WINDOW_SIZE};
use crate::compressor::BlockInput;
use crate::error::Error;
use crate::frame::{FrameInfo, FrameKind, END_MARK, UNCOMPRESSED_FLAG};
use crate::index::{Fingerprinter, IndexBuilder, IndexOptions, SeekIndex};
use crate::input::read_full;
use crate::settings::{BlockMode, ContentSize, Dictionary, FrameSettings};
use crate::xxh32::{xxh32, Xxh32};

use super::pool::{BufferPool, OrderedPool, Work};
use super::{thread_count, CHUNK_SIZE};

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

/// Compress `data` into one frame on `threads` threads (0 = [`super::available_threads`]). The
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
pub fn compress(data: &[u8], settings: &FrameSettings, threads: usize) -> Result<Vec<u8>, Error> {
    let out = Vec::with_capacity(compress_bound(data.len()) / 2 + 64);
    let source: Source<'_, io::Empty> = Source::Slice { data, at: 0 };
    let (out, _) = compress_from::<_, _>(
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
    /// History prefix (linked frames) followed by the chunk.
    buf: JobInput<'a>,
    prefix: usize,
    /// Decompressed offset of the chunk's first byte.
    offset: u64,
}

/// A job's input: borrowed from an in-memory input where it lies there contiguously, else
/// read (or assembled) into a buffer of the pool.
enum JobInput<'a> {
    Borrowed(&'a [u8]),
    /// The input is `buf[..len]`; the rest is initialized scratch kept from earlier chunks, so
    /// that a reused buffer is read into without zeroing it again first.
    Owned {
        buf: Vec<u8>,
        len: usize,
    },
}

impl JobInput<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            JobInput::Borrowed(b) => b,
            JobInput::Owned { buf, len } => &buf[..*len],
        }
    }
}

struct ChunkOut {
    /// The compressed chunk is `bytes[..len]` (the rest is scratch kept for reuse).
    bytes: Vec<u8>,
    len: usize,
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
    /// Output buffers written and free again.
    spare: BufferPool,
    /// Input buffers of chunks read from a reader, compressed and free again.
    inputs: BufferPool,
}

/// A compression worker's reusable state.
#[derive(Default)]
struct Worker {
    /// Independent blocks: one compressor for every chunk (each block starts from a reset
    /// state, so the output does not depend on which worker compresses a chunk).
    compressor: Option<Box<dyn BlockCompressor>>,
}

/// Room for a chunk of `len` bytes in blocks of `block_size` compressed in place: for each
/// block its header, [`compress_bound`] and its checksum.
fn out_bound(len: usize, block_size: usize) -> usize {
    len + len / 255 + 24 * (len / block_size + 1)
}

/// Compress block `src` straight into `out` at `*len` — header, stored bytes (compressed, or
/// `src` itself when that is not smaller, as [`emit_block`](crate::compressor) does), block
/// checksum — and advance `*len`. `out` is initialized scratch with room for
/// [`compress_bound`] of the block after its header: no copy of the compressed bytes.
fn emit_block_in_place(
    compressor: &mut dyn BlockCompressor,
    input: BlockInput<'_>,
    block_checksum: bool,
    out: &mut [u8],
    len: &mut usize,
) {
    let src = input.src();
    let at = *len;
    let (head, room) = out[at..].split_at_mut(4);
    let limit = compress_bound(src.len()).min(room.len());
    let (word, stored) = match input.compress(compressor, &mut room[..limit]) {
        Some(n) if n < src.len() && n <= limit => (n as u32, n),
        _ => {
            room[..src.len()].copy_from_slice(src);
            (src.len() as u32 | UNCOMPRESSED_FLAG, src.len())
        }
    };
    head.copy_from_slice(&word.to_le_bytes());
    let mut end = at + 4 + stored;
    if block_checksum {
        let sum = xxh32(&out[at + 4..end], 0);
        out[end..end + 4].copy_from_slice(&sum.to_le_bytes());
        end += 4;
    }
    *len = end;
}

fn compress_chunk(p: &ChunkParams<'_>, w: &mut Worker, job: &Job<'_>) -> Result<ChunkOut, Error> {
    // Linked chunks get a fresh compressor: its state at the chunk's first block must not
    // depend on what this worker compressed before.
    let mut fresh;
    let compressor: &mut dyn BlockCompressor = if p.linked {
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
    let buf = job.buf.bytes();
    let chunk_len = buf.len() - job.prefix;
    // A reused buffer keeps its length (initialized scratch): no pass over it.
    let mut bytes = p.spare.take();
    let room = out_bound(chunk_len, bs);
    if bytes.capacity() == 0 {
        // A fresh zeroed allocation: its pages come zeroed, no pass over them.
        bytes = vec![0; room];
    } else if bytes.len() < room {
        bytes.resize(room, 0);
    }
    let mut len = 0;
    let mut blocks = Vec::new();
    let mut pos = job.prefix;
    while pos < buf.len() {
        let end = (pos + bs).min(buf.len());
        let dictionary = p.dictionary.map_or(&[][..], |d| d.bytes());
        let input = BlockInput::new(&buf[..end], pos, p.linked, dictionary);
        if let Some(interval) = p.index {
            let d = job.offset + (pos - job.prefix) as u64;
            if !p.linked {
                blocks.push((len, d, None));
            } else if d >= bs as u64 && d / interval != (d - bs as u64) / interval {
                // The first block boundary at or after each multiple of the interval.
                blocks.push((len, d, Some(input.history().to_vec())));
            }
        }
        emit_block_in_place(compressor, input, p.block_checksum, &mut bytes, &mut len);
        pos = end;
    }
    Ok(ChunkOut { bytes, len, blocks })
}

impl<'a> Work for ChunkParams<'a> {
    type Job = Job<'a>;
    type Output = Result<ChunkOut, Error>;
    type State = Worker;

    fn state(&self) -> Worker {
        Worker::default()
    }

    /// [`compress_chunk`]; the input buffer goes back for reuse.
    fn run(&self, w: &mut Worker, job: Job<'a>) -> Result<ChunkOut, Error> {
        let r = compress_chunk(self, w, &job);
        if let JobInput::Owned { buf, .. } = job.buf {
            self.inputs.give(buf);
        }
        r
    }
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
    /// The content checksum of the input so far, when the frame has one.
    checksum: Option<Xxh32>,
    total_in: u64,
    declared: Option<u64>,
    eof: bool,
    /// Input buffers of compressed chunks, back for reuse (read input only).
    inputs: &'a BufferPool,
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
                    JobInput::Borrowed(&data[start - prefix..end])
                } else {
                    let mut buf = Vec::with_capacity(prefix + end - start);
                    buf.extend_from_slice(&self.tail);
                    buf.extend_from_slice(&data[start..end]);
                    let len = buf.len();
                    JobInput::Owned { buf, len }
                }
            }
            Source::Reader(reader) => {
                let mut buf = self.inputs.take();
                let room = prefix + self.chunk;
                if buf.capacity() == 0 {
                    // A fresh zeroed allocation: its pages come zeroed, no pass over them.
                    buf = vec![0; room];
                } else if buf.len() < room {
                    // Exactly: a doubled capacity would be kept between calls.
                    buf.reserve_exact(room - buf.len());
                    buf.resize(room, 0);
                }
                buf[..prefix].copy_from_slice(&self.tail);
                // Into the buffer's initialized scratch: `read_to_end` into spare capacity
                // zeroes it before every read for a reader that is no std type (the CLI's
                // progress meter).
                let n = read_full(reader, &mut buf[prefix..room])?;
                if n < self.chunk {
                    self.eof = true;
                }
                if n == 0 {
                    self.inputs.give(buf);
                    return Ok(None);
                }
                JobInput::Owned {
                    buf,
                    len: prefix + n,
                }
            }
        };
        let bytes = buf.bytes();
        let n = bytes.len() - prefix;
        if let Some(h) = &mut self.checksum {
            h.update(&bytes[prefix..]);
        }
        if self.linked {
            let from = bytes.len().saturating_sub(WINDOW_SIZE);
            self.tail.clear();
            self.tail.extend_from_slice(&bytes[from..]);
        }
        let job = Job {
            buf,
            prefix,
            offset: self.total_in,
        };
        self.total_in += n as u64;
        if let Some(d) = self.declared {
            if self.total_in > d {
                return Err(Error::InputSizeMismatch {
                    declared: d,
                    given: self.total_in,
                });
            }
        }
        Ok(Some(job))
    }
}

/// The most input buffers (of one chunk and its history each: 4 MiB + 64 KiB at most) kept from
/// one call of [`compress_stream`] to the next ([`release_buffers`] frees them).
///
/// A call on several threads reads its input into up to 3 buffers per thread. Freed at the
/// end of each call, they went back to the kernel (glibc returns freed memory above its trim
/// threshold), and the next call faulted their pages in again: about 4,800 page faults per
/// call on 2 threads, 10 % more CPU time than two 1-thread calls over the same input
/// (`par_cost compress`: 2-thread compression ÷ two 1-thread jobs at once, 0.84–0.87 → 0.91).
pub const KEPT_INPUT_BUFFERS: usize = 8;

/// The input buffers kept between calls (see [`KEPT_INPUT_BUFFERS`]).
static KEPT_INPUTS: BufferPool = BufferPool::new();

/// Frees the input buffers that [`compress_stream`] keeps from one call to the next (at most
/// [`KEPT_INPUT_BUFFERS`], of up to 4 MiB + 64 KiB each); returns the bytes of memory freed.
/// Calls after it allocate their buffers afresh, and keep them in turn. [`compress`], which
/// borrows its input, uses none.
///
/// ```
/// use lz4framed::FrameSettings;
/// let data = vec![7u8; 9 << 20];
/// lz4framed::parallel::compress_stream(&data[..], Vec::new(), &FrameSettings::new(), 2, None, None)?;
/// let freed = lz4framed::parallel::release_buffers();
/// // Three chunks of 4 MiB on two threads: at least one buffer, at most the limit.
/// assert!(freed >= 4 << 20);
/// assert!(freed <= lz4framed::parallel::KEPT_INPUT_BUFFERS * ((4 << 20) + (64 << 10)));
/// assert_eq!(lz4framed::parallel::release_buffers(), 0);
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub fn release_buffers() -> usize {
    KEPT_INPUTS.clear()
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
        self.write(&out.bytes[..out.len])?;
        params.spare.give(out.bytes);
        Ok(())
    }
}

/// Compress everything `reader` yields into one frame on `writer`, on `threads` threads
/// (0 = [`super::available_threads`]): `threads` workers compress while the calling thread
/// reads, computes the content checksum and writes (with one thread it also compresses).
/// `size`: the input size if known (recorded in the header unless `settings` say otherwise;
/// checked). With `index`, a seek index is recorded on the way and returned in the summary.
///
/// The input is read into buffers of one chunk (4 MiB) each; up to [`KEPT_INPUT_BUFFERS`] of
/// them are kept for the next call, so that repeated calls do not fault their pages in again
/// ([`release_buffers`] frees them).
pub fn compress_stream<R: Read, W: Write>(
    reader: R,
    writer: W,
    settings: &FrameSettings,
    threads: usize,
    size: Option<u64>,
    index: Option<&IndexOptions>,
) -> Result<(W, CompressSummary), Error> {
    compress_from::<R, W>(
        Source::Reader(reader),
        writer,
        settings,
        threads,
        size,
        index,
    )
}

fn compress_from<R: Read, W: Write>(
    source: Source<'_, R>,
    writer: W,
    settings: &FrameSettings,
    threads: usize,
    size: Option<u64>,
    index: Option<&IndexOptions>,
) -> Result<(W, CompressSummary), Error> {
    settings.check()?;
    let threads = thread_count(threads);
    let codec = settings.backend.codec_for_level(settings.level)?;
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
        spare: BufferPool::default(),
        inputs: BufferPool::default(),
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
        checksum: settings.content_checksum.then(|| Xxh32::new(0)),
        total_in: 0,
        declared,
        eof: false,
        inputs: &params.inputs,
    };
    KEPT_INPUTS.move_into(&params.inputs, usize::MAX);
    let run = std::thread::scope(|s| -> Result<(), Error> {
        let mut pool = OrderedPool::new(s, &params, threads);
        let mut deliver = |r: Result<ChunkOut, Error>| sink.chunk(r?, &params);
        while let Some(job) = chunker.next_job()? {
            pool.submit(job, &mut deliver)?;
        }
        pool.finish(&mut deliver)
    });
    params.inputs.move_into(&KEPT_INPUTS, KEPT_INPUT_BUFFERS);
    run?;
    let total_in = chunker.total_in;
    if let Some(d) = declared {
        if d != total_in {
            return Err(Error::InputSizeMismatch {
                declared: d,
                given: total_in,
            });
        }
    }
    let mut trailer = END_MARK.to_le_bytes().to_vec();
    if let Some(h) = &chunker.checksum {
        trailer.extend_from_slice(&h.digest().to_le_bytes());
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
