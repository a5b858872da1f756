//! Decompression of any `.lz4` stream on several threads, without a seek index.
//!
//! The calling thread reads the input and runs the frame state machine in its *deferring* mode:
//! it parses every header, checks block checksums and hands the blocks of independent-block and
//! legacy frames out, in batches of about [`CHUNK_SIZE`] of output, to worker threads that
//! decode them. Linked frames (each block needs the output before it) are decoded on the
//! calling thread. The calling thread also writes the output in order and makes the checks that
//! need a handed-out frame's whole output: its content size and content checksum.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Mutex;

use crate::codec::{BlockCodec, BlockError, CodecRegistry};
use crate::decompressor::Decompressor;
use crate::engine::{Deferred, DeferredBlock};
use crate::error::Error;
use crate::input::InputBuf;
use crate::output::ReusableBuf;
use crate::settings::Dictionary;
use crate::xxh32::Xxh32;

use super::hash_chain::{HashChain, HashStep};
use super::{next_job, thread_count, CHUNK_SIZE};

/// What [`decompress_stream`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecompressSummary {
    /// Compressed bytes read.
    pub bytes_in: u64,
    /// Decompressed bytes written.
    pub bytes_out: u64,
    /// Frames decoded (skippable frames not counted).
    pub frames: u64,
}

/// Decompress every frame `reader` yields (concatenated, skippable and legacy frames included)
/// into `writer` on `threads` threads (0 = [`available_threads`]), with `decompressor`'s
/// backend, dictionary and checksum setting. No index is needed: the blocks of independent-block
/// frames (the `lz4` tool's default) are decoded in parallel; linked frames are decoded on the
/// calling thread. The output and the checks are those of single-threaded decoding (a frame
/// whose blocks were handed out has its content size checked at its end, rather than at the
/// first block past it); with one thread nothing is handed out.
///
/// `decompressor` must be fresh (nothing fed yet). At most about `2 × threads` batches of
/// 4 MiB are in flight.
///
/// ```
/// use lz4framed::{BlockMode, Decompressor, FrameSettings};
/// let data = b"decoded on every core ".repeat(600_000);
/// let settings = FrameSettings::new().block_mode(BlockMode::Independent).content_checksum(true);
/// let file = lz4framed::compress_with(&data, &settings)?;
/// let (out, summary) =
///     lz4framed::parallel::decompress_stream(&file[..], Vec::new(), Decompressor::new(), 2)?;
/// assert_eq!(out, data);
/// assert_eq!(summary.bytes_in, file.len() as u64);
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub fn decompress_stream<R: Read, W: Write, G: CodecRegistry>(
    mut reader: R,
    writer: W,
    mut decompressor: Decompressor<G>,
    threads: usize,
) -> Result<(W, DecompressSummary), Error> {
    if decompressor.compressed_position() != 0 {
        return Err(Error::InvalidState(
            "decompress_stream needs a decompressor that has not been fed yet",
        ));
    }
    let threads = thread_count(threads);
    if threads > 1 {
        decompressor.engine.deferred = Some(Vec::new());
    }
    let codec = decompressor.codec;
    let dictionary = decompressor.dictionary.clone();
    let verify = decompressor.engine.verify;
    let chain = HashChain::default();
    let mut sink = OrderedSink {
        writer,
        chain: &chain,
        frame_len: 0,
        bytes_out: 0,
    };
    let (job_tx, job_rx) = sync_channel::<Job>(threads);
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = channel::<(usize, Result<Decoded, Error>)>();
    // Output buffers go back and forth between the workers and the writer, so that their
    // pages are faulted in (and zeroed) once.
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let bytes_in = std::thread::scope(|s| -> Result<u64, Error> {
        let workers = if threads > 1 { threads } else { 0 };
        for _ in 0..workers {
            let res_tx = res_tx.clone();
            let (job_rx, dictionary, pool, chain) = (&job_rx, dictionary.as_ref(), &pool, &chain);
            s.spawn(move || {
                while let Some(job) = next_job(job_rx) {
                    let buf = pool
                        .lock()
                        .ok()
                        .and_then(|mut p| p.pop())
                        .unwrap_or_default();
                    let r = decode_blocks(codec, dictionary, &job.blocks, buf);
                    // The frame's content checksum runs through the batches in order, each hashed
                    // by the worker that decoded it while its output is still in cache.
                    chain.pass(
                        job.hash_turn,
                        job.hash,
                        r.as_ref().ok().map(|(b, n)| &b[..*n]),
                    );
                    let r = r.map(|(buf, n)| (buf, n, job.blocks));
                    if res_tx.send((job.seq, r)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(res_tx);
        let mut queue = Queue {
            job_tx,
            res_rx,
            pool: &pool,
            failed: false,
            pending: BTreeMap::new(),
            sent: 0,
            written: 0,
            limit: 2 * threads,
            batch: Vec::new(),
            batch_bound: 0,
            hash_turns: 0,
            frame_hash: None,
            frame_check: false,
            recycled: Vec::new(),
        };
        let r = feed_all(
            &mut reader,
            &mut decompressor,
            verify,
            &mut queue,
            &mut sink,
        );
        // After a failure of the input, what came before it is still written, so that an
        // earlier error (found by a worker) is the one reported. After a failure of the output
        // or of a handed-out block, nothing more is written.
        if !queue.failed {
            queue.drain(&mut sink)?;
        }
        r
    })?;
    Ok((
        sink.writer,
        DecompressSummary {
            bytes_in,
            bytes_out: sink.bytes_out,
            frames: decompressor.frame_number(),
        },
    ))
}

/// A batch of handed-out blocks for a worker.
struct Job {
    /// Its place among the output items.
    seq: usize,
    blocks: Vec<DeferredBlock>,
    /// Its turn in the [`HashChain`] (every batch has one).
    hash_turn: usize,
    /// Whether its output goes into the content checksum, and whether it starts the frame's.
    hash: Option<HashStep>,
}

/// A worker's output: the buffer, how much of it is output, and the batch's blocks (their
/// buffers are reused).
type Decoded = (Vec<u8>, usize, Vec<DeferredBlock>);

/// An item of the output, in stream order.
enum Item {
    /// Output decoded on the calling thread, or by a worker (the first `.1` bytes).
    Output(Vec<u8>, usize),
    /// A handed-out frame begins.
    FrameStart,
    /// The end of a handed-out frame. `check`: its content checksum is to be verified;
    /// `hashed`: batches of it went through the hash chain (else its content is empty).
    FrameEnd {
        end: Deferred,
        check: bool,
        hashed: bool,
    },
}

/// The calling thread's side of the workers: batches going out, results coming back, and the
/// items waiting for the ones before them.
struct Queue<'a> {
    job_tx: std::sync::mpsc::SyncSender<Job>,
    res_rx: std::sync::mpsc::Receiver<(usize, Result<Decoded, Error>)>,
    /// Where written buffers go back to.
    pool: &'a Mutex<Vec<Vec<u8>>>,
    /// An item failed (or could not be written): nothing more is written.
    failed: bool,
    pending: BTreeMap<usize, Result<Item, Error>>,
    /// Items numbered so far.
    sent: usize,
    /// Items written so far.
    written: usize,
    /// Most items in flight.
    limit: usize,
    /// Blocks gathered for the next batch, and their output bound.
    batch: Vec<DeferredBlock>,
    batch_bound: usize,
    /// Batches sent so far (the next batch's hash turn).
    hash_turns: usize,
    /// The current handed-out frame's checksum step for its next batch (None: not hashed).
    frame_hash: Option<HashStep>,
    /// Whether the current handed-out frame's content checksum is verified.
    frame_check: bool,
    /// Block buffers back from the workers, for the state machine to reuse.
    recycled: Vec<Vec<u8>>,
}

impl Queue<'_> {
    /// A handed-out frame begins.
    fn frame_start<W: Write>(
        &mut self,
        checked: bool,
        sink: &mut OrderedSink<W>,
    ) -> Result<(), Error> {
        self.frame_check = checked;
        self.frame_hash = checked.then_some(HashStep::Start);
        self.ready(Item::FrameStart, sink)
    }

    /// A handed-out frame ends: its checks are queued behind its output.
    fn frame_end<W: Write>(
        &mut self,
        end: Deferred,
        sink: &mut OrderedSink<W>,
    ) -> Result<(), Error> {
        self.flush_batch(sink)?;
        let hashed = self.frame_hash == Some(HashStep::Continue);
        let check = std::mem::take(&mut self.frame_check);
        self.frame_hash = None;
        self.ready(Item::FrameEnd { end, check, hashed }, sink)
    }

    /// Queue an item that is ready now (waiting while too many are in flight, so that the
    /// output of a long linked frame behind a batch is not piled up in memory).
    fn ready<W: Write>(&mut self, item: Item, sink: &mut OrderedSink<W>) -> Result<(), Error> {
        self.flush_batch(sink)?;
        while self.sent - self.written >= self.limit {
            self.receive_one(sink)?;
        }
        self.pending.insert(self.sent, Ok(item));
        self.sent += 1;
        self.write_ready(sink)
    }

    /// Output decoded on the calling thread: written at once when nothing is in flight, else
    /// queued behind what is.
    fn output<W: Write>(&mut self, bytes: &[u8], sink: &mut OrderedSink<W>) -> Result<(), Error> {
        if self.batch.is_empty() && self.written == self.sent {
            let r = sink.output(bytes);
            self.failed |= r.is_err();
            return r;
        }
        self.ready(Item::Output(bytes.to_vec(), bytes.len()), sink)
    }

    /// Gather a block; a batch goes out once it may decode to [`CHUNK_SIZE`].
    fn block<W: Write>(
        &mut self,
        b: DeferredBlock,
        sink: &mut OrderedSink<W>,
    ) -> Result<(), Error> {
        self.batch_bound += if b.raw { b.data.len() } else { b.max };
        self.batch.push(b);
        if self.batch_bound >= CHUNK_SIZE {
            self.flush_batch(sink)?;
        }
        Ok(())
    }

    fn flush_batch<W: Write>(&mut self, sink: &mut OrderedSink<W>) -> Result<(), Error> {
        if self.batch.is_empty() {
            return Ok(());
        }
        while self.sent - self.written >= self.limit {
            self.receive_one(sink)?;
        }
        let job = Job {
            seq: self.sent,
            blocks: std::mem::take(&mut self.batch),
            hash_turn: self.hash_turns,
            hash: self.frame_hash,
        };
        if self.frame_hash.is_some() {
            self.frame_hash = Some(HashStep::Continue);
        }
        self.batch_bound = 0;
        self.job_tx
            .send(job)
            .map_err(|_| Error::InvalidState("decompression worker stopped"))?;
        self.sent += 1;
        self.hash_turns += 1;
        Ok(())
    }

    /// Wait for one result from the workers, then write what is ready.
    fn receive_one<W: Write>(&mut self, sink: &mut OrderedSink<W>) -> Result<(), Error> {
        let (seq, r) = self
            .res_rx
            .recv()
            .map_err(|_| Error::InvalidState("decompression worker stopped"))?;
        let item = r.map(|(buf, n, blocks)| {
            if self.recycled.len() < 64 {
                self.recycled.extend(blocks.into_iter().map(|b| b.data));
            }
            Item::Output(buf, n)
        });
        self.pending.insert(seq, item);
        self.write_ready(sink)
    }

    fn write_ready<W: Write>(&mut self, sink: &mut OrderedSink<W>) -> Result<(), Error> {
        while let Some(item) = self.pending.remove(&self.written) {
            self.written += 1;
            let r = item.and_then(|item| match item {
                Item::Output(buf, n) => {
                    let r = sink.output(&buf[..n]);
                    if let Ok(mut p) = self.pool.lock() {
                        p.push(buf);
                    }
                    r
                }
                Item::FrameStart => {
                    sink.frame_len = 0;
                    Ok(())
                }
                Item::FrameEnd { end, check, hashed } => sink.frame_end(end, check, hashed),
            });
            if r.is_err() {
                self.failed = true;
                return r;
            }
        }
        Ok(())
    }

    /// Send the last batch and write everything still in flight.
    fn drain<W: Write>(&mut self, sink: &mut OrderedSink<W>) -> Result<(), Error> {
        self.flush_batch(sink)?;
        while self.written < self.sent {
            self.receive_one(sink)?;
        }
        Ok(())
    }
}

/// Feed the whole input to the state machine unit by unit; what it decodes or hands out goes
/// to the queue. Returns the compressed bytes read.
fn feed_all<R: Read, W: Write, G: CodecRegistry>(
    reader: &mut R,
    dec: &mut Decompressor<G>,
    verify: bool,
    queue: &mut Queue<'_>,
    sink: &mut OrderedSink<W>,
) -> Result<u64, Error> {
    let mut input = InputBuf::default();
    let mut out = ReusableBuf::default();
    let mut read = 0u64;
    loop {
        let need = dec.engine.want_input();
        read += input.fill(reader, need)?;
        let avail = input.available().len();
        if avail == 0 {
            dec.finish()?;
            return Ok(read);
        }
        let take = avail.min(need);
        out.clear();
        dec.feed(&input.available()[..take], &mut out)?;
        input.consume(take);
        if let Some(items) = dec.engine.deferred.as_mut() {
            for d in std::mem::take(items) {
                match d {
                    Deferred::Block(b) => queue.block(b, sink)?,
                    Deferred::FrameStart { checksum } => {
                        queue.frame_start(checksum && verify, sink)?
                    }
                    end @ Deferred::FrameEnd { .. } => queue.frame_end(end, sink)?,
                }
            }
            dec.engine.spare_blocks.append(&mut queue.recycled);
        }
        if out.filled > 0 {
            queue.output(out.data(), sink)?;
        }
    }
}

/// Decode a batch of handed-out blocks into `out` (grown as needed; its earlier content is
/// scratch). Returns the buffer and the output length.
fn decode_blocks(
    codec: &dyn BlockCodec,
    dictionary: Option<&Dictionary>,
    blocks: &[DeferredBlock],
    mut out: Vec<u8>,
) -> Result<(Vec<u8>, usize), Error> {
    let bound: usize = blocks
        .iter()
        .map(|b| if b.raw { b.data.len() } else { b.max })
        .sum();
    if out.len() < bound {
        out.resize(bound, 0);
    }
    let mut at = 0;
    let history = dictionary.map_or(&[][..], |d| d.bytes());
    for b in blocks {
        let n = if b.raw {
            out[at..at + b.data.len()].copy_from_slice(&b.data);
            Ok(b.data.len())
        } else {
            let dst = &mut out[at..at + b.max];
            match codec.decompress(&b.data, history, dst) {
                Ok(n) if n <= b.max => Ok(n),
                Ok(_) => Err(BlockError::OutputTooSmall),
                Err(e) => Err(e),
            }
        }
        .map_err(|source| Error::CorruptBlock {
            offset: b.header_at,
            frame: b.frame,
            source,
        })?;
        at += n;
    }
    Ok((out, at))
}

/// Writes the output in order and checks the handed-out frames' sizes and content checksums.
struct OrderedSink<'a, W> {
    writer: W,
    /// Where the handed-out frames' content checksums are computed.
    chain: &'a HashChain,
    /// Output of the current handed-out frame so far.
    frame_len: u64,
    bytes_out: u64,
}

impl<W: Write> OrderedSink<'_, W> {
    fn output(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.frame_len += bytes.len() as u64;
        self.bytes_out += bytes.len() as u64;
        self.writer.write_all(bytes)?;
        Ok(())
    }

    /// The checks at the end of a handed-out frame, in the order single-threaded decoding
    /// makes them. `check`: verify its content checksum; `hashed`: its output went through the
    /// hash chain (else it is empty).
    fn frame_end(&mut self, end: Deferred, check: bool, hashed: bool) -> Result<(), Error> {
        let Deferred::FrameEnd {
            frame,
            at,
            content_size,
            checksum,
        } = end
        else {
            return Err(Error::InvalidState("a frame end expected"));
        };
        let frame_len = self.frame_len;
        if let (Some((found, offset)), true) = (checksum, check) {
            let expected = if hashed {
                self.chain.digest()
            } else {
                Some(Xxh32::new(0).digest())
            };
            if let Some(expected) = expected {
                if found != expected {
                    return Err(Error::ContentChecksum {
                        offset,
                        frame,
                        expected,
                        found,
                    });
                }
            }
        }
        if let Some(declared) = content_size {
            if declared != frame_len {
                return Err(Error::ContentSizeMismatch {
                    offset: at,
                    frame,
                    declared,
                    actual: frame_len,
                });
            }
        }
        Ok(())
    }
}
