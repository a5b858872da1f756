//! Decompression of any `.lz4` stream on several threads, without a seek index.
//!
//! The calling thread reads the input and runs the frame state machine with an output that
//! *hands out* the blocks of independent-block and legacy frames ([`Output::hands_out_blocks`]):
//! every header is still parsed and every block checksum checked there, but the blocks, with
//! the starts and ends of their frames, are gathered into batches of about [`CHUNK_SIZE`] of
//! output (many small frames share a batch) that the workers of an [`OrderedPool`] decode —
//! into a `Write`, the calling thread with them ([`OrderedPool::helped`]: one worker fewer,
//! and the calling thread decodes a batch whenever a worker already has one waiting). Linked
//! frames (each block needs the output before it) are decoded on the calling thread.
//!
//! A frame's content size and content checksum need its whole output, which may span batches:
//! each batch takes its turn with a [`Baton`] carrying the running size and checksum of the
//! frame open at its start, checks the frames that end in it and passes the state of the frame
//! still open at its end on. The thread that decoded a batch makes the checks itself, over
//! output still in its cache, if its turn has come; if not, it does not wait (that would
//! leave a core idle whenever a batch decodes faster than the one before it): it parks them
//! with the baton ([`Baton::take_turn_or_park`]) and goes on, and the thread that passes the
//! turn before on runs them, in order. The calling thread sends the batch's result on once it
//! is checked. (Into a `Write` destination the checks used to be left to the calling thread
//! whenever a batch's turn had not come: on 2 cores it then hashed about a third of the
//! output, cold, on the path that every batch's writing waits on.)
//! Results are written in stream order, so the output and the first error are those of
//! single-threaded decoding.
//!
//! The baton also carries the output offset: every output takes a turn (a batch, or output
//! decoded on the calling thread). Into a destination written at offsets
//! ([`decompress_stream_at`], a file), the thread that decoded a batch also writes it at its
//! place once its turn is taken: the copies into the page cache, which on a file take as long
//! as decoding, run on every thread instead of only on the calling one, which also reads the
//! input. Nothing is written after a batch whose decoding or checks failed.
//!
//! Blocks are decoded into the spare capacity of the batch's buffer
//! ([`BlockCodec::decompress_append`]), which is never zero-filled first.

use std::io::{self, Read, Write};

use crate::codec::{AppendHistory, BlockCodec, BlockError};
use crate::decompressor::Decompressor;
use crate::error::Error;
use crate::input::{read_full, InputBuf};
use crate::output::{HandOut, Output, ReusableBuf};
use crate::settings::Dictionary;
use crate::xxh32::Xxh32;

use crossbeam_channel::{bounded, Receiver};

use super::pool::{Baton, BufferPool, OrderedPool, Work};
use super::{thread_count, WriteAt, CHUNK_SIZE};

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

/// A batch is handed to a worker once its blocks may decode to this much, or once it holds
/// this many items (a stream of empty frames has no output to count).
const BATCH_ITEMS: usize = 4096;

/// A batch whose output bound is at most this is decoded on the calling thread when no other
/// batch is in flight: handing it over would cost more than it saves.
const SMALL_BATCH: usize = 256 * 1024;

/// A handed-out block larger than this (with its checksum) is read from the reader straight
/// into a buffer of its own, which becomes the block's buffer: no copy of the compressed
/// bytes. Smaller ones go through the read buffer (fewer, larger reads) and are copied.
const DIRECT_UNIT: usize = 64 * 1024;

/// Decompress every frame `reader` yields (concatenated, skippable and legacy frames included)
/// into `writer` on `threads` threads (0 = [`super::available_threads`]), with
/// `decompressor`'s backend, dictionary and checksum setting. No index is needed: the blocks of
/// independent-block frames (the `lz4` tool's default) are decoded in parallel, small frames
/// many to a batch; linked frames are decoded on the calling thread. The output and the checks
/// are those of single-threaded decoding, and so are the first error reported and the output
/// written before it; with one thread nothing is handed out. With `threads` > 1, `threads - 1`
/// workers decode, and the calling thread, which reads the input, parses the frames and
/// writes the output, decodes a batch itself whenever a worker already has one waiting.
///
/// `decompressor` must be fresh (nothing fed yet). At most `3 × threads` batches of
/// 4 MiB are in flight (each holds its compressed blocks and a buffer for its output).
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
pub fn decompress_stream<R: Read, W: Write>(
    reader: R,
    writer: W,
    decompressor: Decompressor,
    threads: usize,
) -> Result<(W, DecompressSummary), Error> {
    run_stream(reader, writer, None, decompressor, threads)
}

/// [`decompress_stream`] into a destination written at offsets (a file): the output goes to
/// `dest` from byte `offset` on, and each batch is written by the thread that decoded it, at
/// its place, as soon as its turn has given it (the batches before it decoded and checked):
/// the copies into the destination (the page cache, for a file) run on every thread, not on
/// the reading one. The output, the checks and the first error reported are those of
/// single-threaded decoding, and so is the output before that error (at most the bytes the
/// summary would count); after an error of `dest` itself, later batches may have been written
/// past it. Bytes of `dest` are written once each, in no particular order; none is written
/// past the end of the decoded output. With more than one thread, `threads` workers decode
/// and write while the calling thread reads the input and parses the frames (little work: it
/// is mostly asleep); at most `3 × threads` batches of 4 MiB are in flight.
///
/// ```
/// use lz4framed::{BlockMode, Decompressor, FrameSettings};
/// let data = b"written where it belongs ".repeat(600_000);
/// let settings = FrameSettings::new().block_mode(BlockMode::Independent).content_checksum(true);
/// let file = lz4framed::compress_with(&data, &settings)?;
/// let path = std::env::temp_dir().join(format!("lz4framed-doc-at-{}", std::process::id()));
/// let out = std::fs::File::create(&path)?;
/// let summary =
///     lz4framed::parallel::decompress_stream_at(&file[..], &out, 0, Decompressor::new(), 2)?;
/// assert_eq!(summary.bytes_out, data.len() as u64);
/// assert!(std::fs::read(&path)? == data);
/// std::fs::remove_file(&path)?;
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub fn decompress_stream_at<R: Read, D: WriteAt>(
    reader: R,
    dest: &D,
    offset: u64,
    decompressor: Decompressor,
    threads: usize,
) -> Result<DecompressSummary, Error> {
    let dest = Place {
        dest,
        start: offset,
    };
    run_stream(reader, io::sink(), Some(dest), decompressor, threads).map(|(_, s)| s)
}

/// Where the output goes when it is written at offsets: `dest`, from byte `start` on.
#[derive(Clone, Copy)]
struct Place<'a> {
    dest: &'a dyn WriteAt,
    start: u64,
}

/// [`decompress_stream`] into `writer` (by the calling thread, in order), or, with `place`, at
/// offsets by the threads that decode ([`decompress_stream_at`]; `writer` is then unused).
fn run_stream<R: Read, W: Write>(
    mut reader: R,
    writer: W,
    place: Option<Place<'_>>,
    mut decompressor: Decompressor,
    threads: usize,
) -> Result<(W, DecompressSummary), Error> {
    if decompressor.compressed_position() != 0 {
        return Err(Error::InvalidState(
            "decompress_stream needs a decompressor that has not been fed yet",
        ));
    }
    let threads = thread_count(threads);
    let buffers = BufferPool::default();
    let units = BufferPool::default();
    let work = BatchDecoding {
        codec: decompressor.codec,
        dictionary: decompressor.dictionary.clone(),
        open_frame: Baton::new(Running {
            carry: Carry::Between,
            out: 0,
        }),
        buffers: &buffers,
        units: &units,
        place,
    };
    let mut sink = Sink {
        writer,
        place,
        bytes_out: 0,
        buffers: &buffers,
        checks: &work.open_frame,
        failed: false,
    };
    let bytes_in = std::thread::scope(|s| -> Result<u64, Error> {
        // Into a `Write` the calling thread copies every batch's output: it decodes too, beside
        // one worker fewer. At offsets the workers write their batches themselves and wait
        // for their turns (they need their offsets), so the calling thread only feeds them.
        let mut pool = if place.is_some() {
            OrderedPool::new(s, &work, threads)
        } else {
            OrderedPool::helped(s, &work, threads)
        };
        let mut out = HandingOut {
            decoded: ReusableBuf::default(),
            hand_out: threads > 1,
            batch: Batch::default(),
            turns: 0,
            units: &units,
            owned_unit: false,
            took_unit: false,
        };
        let r = feed_all(
            &mut reader,
            &mut decompressor,
            &mut out,
            &mut pool,
            &mut sink,
        );
        // After a failure of the input, what came before it is still decoded and written, so
        // that an earlier error (found in a batch) is the one reported. After a failure of the
        // output or of a batch, nothing more is written.
        if !sink.failed {
            flush_batch(&mut out, &mut pool, &mut sink, true)?;
            pool.finish(&mut |item| sink.write(item))?;
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

/// Feed the whole input to the state machine unit by unit; what it decodes or hands out goes
/// to the pool in stream order. Returns the compressed bytes read.
fn feed_all<R: Read, W: Write>(
    reader: &mut R,
    dec: &mut Decompressor,
    out: &mut HandingOut<'_>,
    pool: &mut OrderedPool<'_, BatchDecoding<'_>>,
    sink: &mut Sink<'_, W>,
) -> Result<u64, Error> {
    let mut input = InputBuf::default();
    let mut read = 0u64;
    loop {
        let need = dec.engine.want_input();
        if need > DIRECT_UNIT
            && out.hand_out
            && dec.engine.next_unit_is_handed_out_block()
            && input.available().len() < need
        {
            if let Some(n) = feed_direct(reader, dec, out, &mut input, need)? {
                read += n;
                if out.batch.is_full() {
                    flush_batch(out, pool, sink, false)?;
                }
                continue;
            }
            // The reader has ended before the unit: the general path reports it.
        }
        read += input.fill(reader, need)?;
        let avail = input.available().len();
        if avail == 0 {
            dec.finish()?;
            return Ok(read);
        }
        let take = avail.min(need);
        out.decoded.clear();
        let fed = dec.feed(&input.available()[..take], out);
        input.consume(take);
        if out.batch.is_full() {
            flush_batch(out, pool, sink, false)?;
        }
        if out.decoded.len() > 0 {
            // Output decoded here (a linked frame's, or the block before an error, which a
            // serial decoder hands out too): behind every batch before it.
            flush_batch(out, pool, sink, true)?;
            let turn = out.next_turn();
            if pool.in_flight() == 0 {
                sink.output_here(out.decoded.data(), turn)?;
            } else {
                let item =
                    Decoded::copy_of(out.decoded.data(), sink.buffers.take(), turn, sink.checks);
                pool.ready(Outcome::Ready(item), &mut |item| sink.write(item))?;
            }
        }
        fed?;
    }
}

/// Read a handed-out block unit of `need` bytes (what `input` holds of it, then the rest from
/// `reader`) into a buffer that the handed-out block keeps, and feed it. Returns the bytes read
/// from `reader`, or `None` when nothing of the unit could be had (the reader has ended; the
/// input then ends here, which the caller's general path reports).
fn feed_direct<R: Read>(
    reader: &mut R,
    dec: &mut Decompressor,
    out: &mut HandingOut<'_>,
    input: &mut InputBuf,
    need: usize,
) -> Result<Option<u64>, Error> {
    let mut unit = out.units.take();
    grow(&mut unit, need);
    let have = input.available().len();
    unit[..have].copy_from_slice(input.available());
    input.consume(have);
    let got = have + read_full(reader, &mut unit[have..need])?;
    if got == 0 {
        out.units.give(unit);
        return Ok(None);
    }
    out.decoded.clear();
    out.owned_unit = true;
    let r = dec.feed(&unit[..got], out);
    out.owned_unit = false;
    match out.batch.items.last_mut() {
        Some(Item::Block { data, .. }) if std::mem::take(&mut out.took_unit) => *data = unit,
        _ => out.units.give(unit),
    }
    r?;
    Ok(Some((got - have) as u64))
}

/// Make `buf` at least `len` bytes long. A reused buffer keeps its length between uses (its
/// bytes are scratch), so this makes no pass over it; a new one is a zeroed allocation, whose
/// pages come zeroed.
fn grow(buf: &mut Vec<u8>, len: usize) {
    if buf.capacity() == 0 {
        *buf = vec![0; len];
    } else if buf.len() < len {
        buf.resize(len, 0);
    }
}

/// Send the gathered batch off (or decode it here when it is small and nothing else is in
/// flight; `last`: no more items follow it for now).
fn flush_batch<W: Write>(
    out: &mut HandingOut<'_>,
    pool: &mut OrderedPool<'_, BatchDecoding<'_>>,
    sink: &mut Sink<'_, W>,
    last: bool,
) -> Result<(), Error> {
    if out.batch.items.is_empty() {
        return Ok(());
    }
    let mut batch = std::mem::take(&mut out.batch);
    batch.turn = out.next_turn();
    let mut deliver = |item| sink.write(item);
    if last && batch.bound <= SMALL_BATCH && pool.in_flight() == 0 {
        pool.run_here(batch, &mut deliver)
    } else {
        pool.submit_or_run(batch, &mut deliver)
    }
}

/// The calling thread's output: linked frames' blocks decoded into `decoded`, the rest handed
/// out into `batch`.
struct HandingOut<'a> {
    decoded: ReusableBuf,
    hand_out: bool,
    batch: Batch,
    /// Outputs (batches, and output decoded here) made so far: the next one's turn with the
    /// baton.
    turns: usize,
    /// Buffers of handed-out blocks, given back as soon as their batch is decoded.
    units: &'a BufferPool,
    /// The input being fed is one whole block unit in a buffer of its own
    /// ([`feed_direct`]): a block handed out now takes that buffer instead of a copy.
    owned_unit: bool,
    /// A handed-out block took the unit's buffer: the caller moves it into the block.
    took_unit: bool,
}

impl Output for HandingOut<'_> {
    fn reserve(&mut self, n: usize) -> (&mut [u8], usize) {
        self.decoded.reserve(n)
    }
    fn commit(&mut self, n: usize) {
        self.decoded.commit(n);
    }
    fn as_vec(&mut self) -> Option<(&mut Vec<u8>, usize)> {
        self.decoded.as_vec()
    }
    fn start_frame(&mut self) {
        self.decoded.start_frame();
    }
    fn frame_output(&self) -> &[u8] {
        self.decoded.frame_output()
    }
    fn begin_call(&mut self) {
        self.decoded.begin_call();
    }
    fn hands_out_blocks(&self) -> bool {
        self.hand_out
    }
    fn hand_out(&mut self, item: HandOut<'_>) {
        let item = match item {
            HandOut::FrameStart {
                frame,
                checksum,
                content_size,
            } => Item::FrameStart {
                frame,
                checksum,
                content_size,
            },
            HandOut::Block {
                data,
                raw,
                header_at,
                frame,
                max,
                dictionary,
            } => {
                // The block's bytes are the start of the unit (a checksum may follow them).
                let buf = if self.owned_unit {
                    self.took_unit = true;
                    Vec::new()
                } else {
                    let mut buf = self.units.take();
                    grow(&mut buf, data.len());
                    buf[..data.len()].copy_from_slice(data);
                    buf
                };
                self.batch.bound += if raw { data.len() } else { max };
                Item::Block {
                    data: buf,
                    len: data.len(),
                    raw,
                    header_at,
                    frame,
                    max,
                    dictionary,
                }
            }
            HandOut::FrameEnd { at, checksum } => Item::FrameEnd { at, checksum },
        };
        self.batch.items.push(item);
    }
}

impl HandingOut<'_> {
    /// The turn with the baton of the next output (a batch, or output decoded here).
    fn next_turn(&mut self) -> usize {
        self.turns += 1;
        self.turns - 1
    }
}

/// Handed-out items in stream order, for one worker.
#[derive(Default)]
struct Batch {
    items: Vec<Item>,
    /// The most its blocks can decode to.
    bound: usize,
    /// Its turn with the baton (set when it is sent).
    turn: usize,
}

impl Batch {
    fn is_full(&self) -> bool {
        self.bound >= CHUNK_SIZE || self.items.len() >= BATCH_ITEMS
    }
}

/// [`HandOut`], owned.
enum Item {
    FrameStart {
        frame: u64,
        checksum: bool,
        content_size: Option<u64>,
    },
    Block {
        /// The stored bytes are `data[..len]`.
        data: Vec<u8>,
        len: usize,
        raw: bool,
        header_at: u64,
        frame: u64,
        max: usize,
        dictionary: bool,
    },
    FrameEnd {
        at: u64,
        checksum: Option<u32>,
    },
}

/// The state of a handed-out frame across batches.
#[derive(Clone)]
struct OpenFrame {
    frame: u64,
    /// Output so far.
    len: u64,
    content_size: Option<u64>,
    /// The running content checksum, when it is verified.
    hash: Option<Xxh32>,
}

/// What the baton carries from output to output.
struct Running {
    /// The state of the handed-out frames.
    carry: Carry,
    /// Output bytes before the turn's (its offset from the start of the output).
    out: u64,
}

/// The frame state the baton carries from batch to batch.
enum Carry {
    /// No handed-out frame is open.
    Between,
    /// This frame is open (its blocks continue in the next batch).
    Open(OpenFrame),
    /// A batch failed: later batches' output is never written.
    Failed,
}

/// An output in stream order, its turn taken: `buf[..len]` to write, then `error` (output
/// before an error is written first, as a serial decoder would have written it).
struct Decoded {
    buf: Vec<u8>,
    len: usize,
    error: Option<Error>,
    /// The output's offset from the start of all output.
    at: u64,
    /// Already written at its place ([`decompress_stream_at`]) by the thread that decoded it.
    placed: bool,
}

/// A worker's result: its batch checked, or to be checked by the thread that passes the turn
/// before it on ([`Baton::take_turn_or_park`]), which sends it here.
enum Outcome {
    Ready(Decoded),
    Later(Receiver<Decoded>),
}

impl Outcome {
    /// The checked output (waiting for its checks if they are still to be made: the caller
    /// delivers in order, so the turns before it are done or being run).
    fn resolve(self) -> Decoded {
        match self {
            Outcome::Ready(d) => d,
            // Disconnected: the baton was cancelled and dropped the parked checks.
            Outcome::Later(rx) => rx.recv().unwrap_or_else(|_| Decoded::cancelled()),
        }
    }
}

impl Decoded {
    /// Output decoded on the calling thread, copied into `buf`, with its turn `turn` taken now
    /// (it has no frame checks to make, but its length moves the offset of the outputs after
    /// it on). Taking the turn when the output is made, not when it is written, means that no
    /// worker ever waits for this thread to deliver something, and that no batch's checks wait
    /// for it (this thread may be waiting for that batch's result, or running a batch after
    /// it); it waits for the batches before it to be checked, which needs nothing of this
    /// thread.
    fn copy_of(bytes: &[u8], mut buf: Vec<u8>, turn: usize, baton: &Baton<'_, Running>) -> Decoded {
        buf.clear();
        buf.extend_from_slice(bytes);
        let len = buf.len();
        baton
            .take_turn(turn, move |r| Decoded::in_turn(r, buf, &[], &[len], None))
            .unwrap_or_else(Decoded::cancelled)
    }

    /// The result of a batch whose turn never came (a panic elsewhere, or the caller gave up).
    fn cancelled() -> Decoded {
        Decoded {
            buf: Vec::new(),
            len: 0,
            error: Some(Error::InvalidState("decompression was cancelled")),
            at: 0,
            placed: false,
        }
    }

    /// Decoded output `buf` (`ends[i]`: its length after item `i` of `items`; shorter than
    /// `items` when block `failure` failed) in its turn, with the running state `r`: make the
    /// frames' checks and move the state on. Sets the output's offset, the length to write
    /// and the error.
    fn in_turn(
        r: &mut Running,
        buf: Vec<u8>,
        items: &[Item],
        ends: &[usize],
        failure: Option<Error>,
    ) -> Decoded {
        let failed = check_frames(&mut r.carry, items, ends, &buf, failure.is_some());
        let at = r.out;
        let (len, error) = match failed {
            Some((len, e)) => (len, Some(e)),
            None => (ends.last().copied().unwrap_or(0), failure),
        };
        r.out += len as u64;
        Decoded {
            buf,
            len,
            error,
            at,
            placed: false,
        }
    }

    /// Write the output at its place in `place` (its checks made), on the calling thread;
    /// a failed write becomes the error (its bytes come before any error of the batch).
    fn write_at(&mut self, place: Place<'_>) {
        self.placed = true;
        if self.len == 0 {
            return;
        }
        if let Err(e) = place
            .dest
            .write_all_at(&self.buf[..self.len], place.start + self.at)
        {
            self.error = Some(e.into());
        }
    }
}

/// The workers' job: decode a batch, then make its frames' checks in turn.
struct BatchDecoding<'a> {
    codec: &'static dyn BlockCodec,
    dictionary: Option<Dictionary>,
    /// The frame state running through the outputs (the parked checks own what they use).
    open_frame: Baton<'static, Running>,
    buffers: &'a BufferPool,
    /// Where the blocks' buffers go once decoded.
    units: &'a BufferPool,
    /// Output written at offsets by the workers: they wait for their turn rather than leave
    /// the checks to the calling thread.
    place: Option<Place<'a>>,
}

impl Work for BatchDecoding<'_> {
    type Job = Batch;
    type Output = Outcome;
    type State = ();

    fn state(&self) {}

    fn run(&self, _: &mut (), batch: Batch) -> Outcome {
        // Decode every block first (the slow part, in parallel with the other batches), each
        // appended to the buffer's spare capacity (no pass to zero it first), then make the
        // frames' checks in the batch's turn.
        let mut buf = self.buffers.take();
        buf.clear();
        buf.reserve(batch.bound);
        let mut ends = Vec::with_capacity(batch.items.len());
        let mut failure = None;
        let dictionary = self.dictionary.as_ref().map_or(&[][..], |d| d.bytes());
        for item in &batch.items {
            if let Item::Block {
                data,
                len: stored,
                raw,
                header_at,
                frame,
                max,
                dictionary: with_dictionary,
            } = item
            {
                let data = &data[..*stored];
                let history =
                    AppendHistory::Separate(if *with_dictionary { dictionary } else { &[] });
                let n = if *raw {
                    buf.extend_from_slice(data);
                    Ok(data.len())
                } else {
                    match self
                        .codec
                        .decompress_append(data, history, &mut buf, *max, None)
                    {
                        Ok(n) if n <= *max => Ok(n),
                        Ok(_) => Err(BlockError::OutputTooSmall),
                        Err(e) => Err(e),
                    }
                };
                if let Err(source) = n {
                    failure = Some(Error::CorruptBlock {
                        offset: *header_at,
                        frame: *frame,
                        source,
                    });
                    break;
                }
            }
            ends.push(buf.len());
        }
        let mut items = batch.items;
        for item in &mut items {
            if let Item::Block { data, .. } = item {
                self.units.give(std::mem::take(data));
            }
        }
        let Some(place) = self.place else {
            // Checked now if the turn has come, else by the thread that passes the turn
            // before it on, which sends the result to the calling thread.
            let (tx, rx) = bounded(1);
            self.open_frame.take_turn_or_park(
                batch.turn,
                Box::new(move |r: &mut Running| {
                    let _ = tx.send(Decoded::in_turn(r, buf, &items, &ends, failure));
                }),
            );
            return match rx.try_recv() {
                Ok(d) => Outcome::Ready(d),
                Err(_) => Outcome::Later(rx),
            };
        };
        // Written at its place by this thread, which waits for the turn: the batch's offset
        // is known then.
        let mut d = self
            .open_frame
            .take_turn(batch.turn, |r| {
                Decoded::in_turn(r, buf, &items, &ends, failure)
            })
            .unwrap_or_else(Decoded::cancelled);
        d.write_at(place);
        // Written: the buffer is free now, not when the result is delivered (fewer buffers
        // in use, fewer fresh pages to fault in).
        self.buffers.give(std::mem::take(&mut d.buf));
        Outcome::Ready(d)
    }

    fn cancel(&self) {
        self.open_frame.cancel();
    }
}

/// The checks of the frames in a batch, over its decoded output (`ends[i]`: output length
/// after item `i`; shorter than `items` when a block failed). Updates the carried state and
/// returns the first failed check with the output length before it.
fn check_frames(
    carry: &mut Carry,
    items: &[Item],
    ends: &[usize],
    out: &[u8],
    failed: bool,
) -> Option<(usize, Error)> {
    let mut open = match std::mem::replace(carry, Carry::Failed) {
        Carry::Failed => return Some((0, Error::InvalidState("an earlier batch failed"))),
        Carry::Between => None,
        Carry::Open(f) => Some(f),
    };
    let mut at = 0;
    for (item, &end) in items.iter().zip(ends) {
        match item {
            Item::FrameStart {
                frame,
                checksum,
                content_size,
            } => {
                open = Some(OpenFrame {
                    frame: *frame,
                    len: 0,
                    content_size: *content_size,
                    hash: checksum.then(|| Xxh32::new(0)),
                });
            }
            Item::Block { header_at, .. } => {
                if let Some(f) = &mut open {
                    f.len += (end - at) as u64;
                    if let Some(h) = &mut f.hash {
                        h.update(&out[at..end]);
                    }
                    // As single-threaded decoding: an overrun is found at the block that makes
                    // it, after that block's output.
                    if let Some(declared) = f.content_size.filter(|&d| f.len > d) {
                        return Some((
                            end,
                            Error::ContentSizeMismatch {
                                offset: *header_at,
                                frame: f.frame,
                                declared,
                                actual: f.len,
                            },
                        ));
                    }
                }
            }
            Item::FrameEnd {
                at: offset,
                checksum,
            } => {
                if let Some(f) = open.take() {
                    if let Err(e) = f.check_end(*offset, *checksum) {
                        return Some((at, e));
                    }
                }
            }
        }
        at = end;
    }
    if !failed {
        *carry = open.map_or(Carry::Between, Carry::Open);
    }
    None
}

impl OpenFrame {
    /// The checks at the frame's end, in the order single-threaded decoding makes them.
    fn check_end(&self, at: u64, stored: Option<u32>) -> Result<(), Error> {
        if let (Some(found), Some(h)) = (stored, &self.hash) {
            let expected = h.digest();
            if found != expected {
                return Err(Error::ContentChecksum {
                    offset: at,
                    frame: self.frame,
                    expected,
                    found,
                });
            }
        }
        match self.content_size {
            Some(declared) if declared != self.len => Err(Error::ContentSizeMismatch {
                offset: at,
                frame: self.frame,
                declared,
                actual: self.len,
            }),
            _ => Ok(()),
        }
    }
}

/// Writes the output in order.
struct Sink<'a, W> {
    writer: W,
    /// Output written at offsets instead ([`decompress_stream_at`]; `writer` unused).
    place: Option<Place<'a>>,
    bytes_out: u64,
    buffers: &'a BufferPool,
    /// The state running through the outputs: output of this thread takes its turn with it.
    checks: &'a Baton<'static, Running>,
    /// Something failed: nothing more is written.
    failed: bool,
}

impl<W: Write> Sink<'_, W> {
    /// Write output decoded on the calling thread, whose turn with the baton is `turn`, when
    /// nothing is in flight (every turn before it has been taken).
    fn output_here(&mut self, bytes: &[u8], turn: usize) -> Result<(), Error> {
        let n = bytes.len() as u64;
        let at = self.checks.take_turn(turn, |r| {
            r.out += n;
            r.out - n
        });
        let r = match (at, self.place) {
            (None, _) => Err(Error::InvalidState("decompression was cancelled")),
            (Some(at), Some(p)) => p
                .dest
                .write_all_at(bytes, p.start + at)
                .map_err(Error::from),
            (Some(_), None) => self.writer.write_all(bytes).map_err(Error::from),
        };
        self.bytes_out += n;
        self.failed |= r.is_err();
        r
    }

    fn write(&mut self, d: Outcome) -> Result<(), Error> {
        if self.failed {
            return Ok(());
        }
        let mut d = d.resolve();
        let r = match self.place {
            Some(p) if !d.placed => {
                d.write_at(p);
                Ok(())
            }
            Some(_) => Ok(()),
            None => self.writer.write_all(&d.buf[..d.len]).map_err(Error::from),
        };
        self.bytes_out += d.len as u64;
        self.failed |= r.is_err();
        if d.buf.capacity() > 0 {
            self.buffers.give(d.buf);
        }
        r?;
        match d.error {
            Some(e) => {
                self.failed = true;
                Err(e)
            }
            None => Ok(()),
        }
    }
}
