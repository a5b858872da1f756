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

use super::{available_threads, CHUNK_SIZE};

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
    let threads = if threads == 0 {
        available_threads()
    } else {
        threads
    };
    if threads > 1 {
        decompressor.engine.deferred = Some(Vec::new());
    }
    let codec = decompressor.codec;
    let dictionary = decompressor.dictionary.clone();
    let mut sink = OrderedSink {
        writer,
        verify: decompressor.engine.verify,
        hash: None,
        frame_len: 0,
        bytes_out: 0,
    };
    let (job_tx, job_rx) = sync_channel::<(usize, Vec<DeferredBlock>)>(threads);
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = channel::<(usize, Result<Decoded, Error>)>();
    // Output buffers go back and forth between the workers and the writer, so that their
    // pages are faulted in (and zeroed) once.
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let bytes_in = std::thread::scope(|s| -> Result<u64, Error> {
        let workers = if threads > 1 { threads } else { 0 };
        for _ in 0..workers {
            let res_tx = res_tx.clone();
            let (job_rx, dictionary, pool) = (&job_rx, dictionary.as_ref(), &pool);
            s.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, blocks)) = job else { return };
                let buf = pool
                    .lock()
                    .ok()
                    .and_then(|mut p| p.pop())
                    .unwrap_or_default();
                let r = decode_blocks(codec, dictionary, &blocks, buf);
                if res_tx.send((seq, r)).is_err() {
                    return;
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
        };
        let r = feed_all(&mut reader, &mut decompressor, &mut queue, &mut sink);
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

/// A worker's output: the buffer and how much of it is output.
type Decoded = (Vec<u8>, usize);

/// An item of the output, in stream order.
enum Item {
    /// Output decoded on the calling thread, or by a worker (the first `.1` bytes).
    Output(Vec<u8>, usize),
    /// A handed-out frame begins or ends.
    Deferred(Deferred),
}

/// The calling thread's side of the workers: batches going out, results coming back, and the
/// items waiting for the ones before them.
struct Queue<'a> {
    job_tx: std::sync::mpsc::SyncSender<(usize, Vec<DeferredBlock>)>,
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
}

impl Queue<'_> {
    /// Queue an item that is ready now.
    fn ready<W: Write>(&mut self, item: Item, sink: &mut OrderedSink<W>) -> Result<(), Error> {
        self.flush_batch(sink)?;
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
        let batch = std::mem::take(&mut self.batch);
        self.batch_bound = 0;
        self.job_tx
            .send((self.sent, batch))
            .map_err(|_| Error::InvalidState("decompression worker stopped"))?;
        self.sent += 1;
        Ok(())
    }

    /// Wait for one result from the workers, then write what is ready.
    fn receive_one<W: Write>(&mut self, sink: &mut OrderedSink<W>) -> Result<(), Error> {
        let (seq, r) = self
            .res_rx
            .recv()
            .map_err(|_| Error::InvalidState("decompression worker stopped"))?;
        self.pending
            .insert(seq, r.map(|(buf, n)| Item::Output(buf, n)));
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
                Item::Deferred(d) => sink.deferred(d),
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
                    other => queue.ready(Item::Deferred(other), sink)?,
                }
            }
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
) -> Result<Decoded, Error> {
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
struct OrderedSink<W> {
    writer: W,
    verify: bool,
    /// The running content checksum of the handed-out frame being written, if it has one.
    hash: Option<Xxh32>,
    /// Output of that frame so far.
    frame_len: u64,
    bytes_out: u64,
}

impl<W: Write> OrderedSink<W> {
    fn output(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if let Some(h) = &mut self.hash {
            h.update(bytes);
        }
        self.frame_len += bytes.len() as u64;
        self.bytes_out += bytes.len() as u64;
        self.writer.write_all(bytes)?;
        Ok(())
    }

    fn deferred(&mut self, d: Deferred) -> Result<(), Error> {
        match d {
            Deferred::FrameStart { checksum, .. } => {
                self.hash = (checksum && self.verify).then(|| Xxh32::new(0));
                self.frame_len = 0;
            }
            Deferred::FrameEnd {
                frame,
                at,
                content_size,
                checksum,
            } => {
                // In the order single-threaded decoding checks them.
                if let (Some((found, offset)), Some(h)) = (checksum, self.hash.take()) {
                    let expected = h.digest();
                    if found != expected {
                        return Err(Error::ContentChecksum {
                            offset,
                            frame,
                            expected,
                            found,
                        });
                    }
                }
                if let Some(declared) = content_size {
                    if declared != self.frame_len {
                        return Err(Error::ContentSizeMismatch {
                            offset: at,
                            frame,
                            declared,
                            actual: self.frame_len,
                        });
                    }
                }
            }
            Deferred::Block(_) => return Err(Error::InvalidState("a block outside a batch")),
        }
        Ok(())
    }
}
