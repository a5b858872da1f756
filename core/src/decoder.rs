//! [`FrameDecoder`]: an `io::Read` + `io::BufRead` adapter that decodes frames from a reader.

use std::io::{self, BufRead, Read};

use crate::backend::Backend;
use crate::codec::WINDOW_SIZE;
use crate::decompressor::Decompressor;
use crate::error::Error;
use crate::frame::ends_legacy_frame;
use crate::input::InputBuf;
use crate::output::{Output, ReusableBuf, SliceOutput};
use crate::walk::Stage;

/// Smallest room left in the caller's buffer for which `read` decodes a linked frame's block
/// straight into it although the block's history is not all there (a separate window, slower
/// to decode against): below it the block goes into the window's buffer, in place, and is
/// copied out. `frame_cost`, 64K-linked: reads of 256 KiB gain 1-2 % through the window's
/// buffer, 8 MiB reads are level; blocks of 1 MiB and more always go straight in when they
/// fit (a copy of a whole large block costs more than its first 64 KiB decoded against a
/// separate window).
const LINKED_DIRECT_MIN: usize = 1024 * 1024;

/// Reads LZ4 frames from `R` and yields the decoded bytes, through `Read` and `BufRead`.
///
/// It decodes at most one block ahead, so memory stays below two blocks (one of input, one of
/// output) plus the 64 KiB window and a 64 KiB read buffer. The blocks of a linked frame that
/// are not decoded straight into the caller's buffer (see `read`) are decoded into the
/// window's buffer instead, in place after their history, and read out from there; that
/// buffer then holds 64 KiB + one block (the window is slid to the front before each block),
/// and no other output buffer is used.
///
/// The compressed input is read into a buffer of the decoder's own, a unit (block) at a time;
/// over a `BufRead` whose buffer holds whole blocks (a `&[u8]`, a memory-mapped file, a large
/// `BufReader`), [`FrameDecoder::with_buffer`] decodes in the reader's buffer instead and saves
/// that copy.
///
/// When the reader ends inside a frame, `read` returns an [`io::ErrorKind::UnexpectedEof`]
/// error and the decoder stays usable: give it a reader that continues where the old one's data
/// ended ([`FrameDecoder::replace_reader`]) and read on.
///
/// ```
/// use lz4framed::FrameDecoder;
/// use std::io::Read;
/// let frame = lz4framed::compress(b"streamed data");
/// let mut text = String::new();
/// FrameDecoder::new(&frame[..]).read_to_string(&mut text)?;
/// assert_eq!(text, "streamed data");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct FrameDecoder<R> {
    /// The reader and the input read from it but not yet fed.
    source: Source<R>,
    decompressor: Decompressor,
    /// Decoded output not yet read: `out.data()[out_pos..out_end]`, or, when `in_window`,
    /// `engine.window_recent()[out_pos..out_end]` (a linked frame's block decoded into the
    /// window's buffer).
    out: ReusableBuf,
    out_pos: usize,
    out_end: usize,
    in_window: bool,
    /// Stop after the first frame ([`FrameDecoder::single_frame`]).
    single_frame: bool,
    /// An error (of the reader, or of the data) met after output that `read` returned first:
    /// the next read's.
    failure: Option<io::Error>,
}

impl<R: Clone> Clone for FrameDecoder<R> {
    fn clone(&self) -> Self {
        FrameDecoder {
            source: self.source.clone(),
            decompressor: self.decompressor.clone(),
            out: self.out.clone(),
            out_pos: self.out_pos,
            out_end: self.out_end,
            in_window: self.in_window,
            single_frame: self.single_frame,
            failure: self
                .failure
                .as_ref()
                .map(|e| io::Error::new(e.kind(), e.to_string())),
        }
    }
}

impl<R> std::fmt::Debug for FrameDecoder<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameDecoder")
            .field("decompressor", &self.decompressor)
            .field("buffered_input", &self.source.buf.available().len())
            .field("buffered_output", &(self.out_end - self.out_pos))
            .finish_non_exhaustive()
    }
}

impl<R: Read> FrameDecoder<R> {
    /// A decoder on the `Auto` backend.
    pub fn new(reader: R) -> Self {
        Self::with_decompressor(reader, Decompressor::new())
    }

    /// A decoder on `backend`.
    pub fn with_backend(reader: R, backend: impl Into<Backend>) -> Result<Self, Error> {
        Ok(Self::with_decompressor(
            reader,
            Decompressor::with_backend(backend)?,
        ))
    }

    /// A decoder around a prepared [`Decompressor`] (with a dictionary, say, or one restored
    /// from a checkpoint; it continues from its state).
    pub fn with_decompressor(reader: R, mut decompressor: Decompressor) -> Self {
        let mut out = ReusableBuf::default();
        if !decompressor.carry.is_empty() {
            out.buf = std::mem::take(&mut decompressor.carry);
        }
        let out_end = out.len();
        FrameDecoder {
            source: Source {
                reader,
                buf: InputBuf::default(),
                reader_buffer: None,
            },
            decompressor,
            out,
            out_pos: 0,
            out_end,
            in_window: false,
            single_frame: false,
            failure: None,
        }
    }

    /// Decode one frame only (skippable frames before it are skipped): reading ends
    /// (`Ok(0)`) at the frame's end, and no byte past it is read from the reader, so a frame
    /// embedded in a container leaves the reader at what follows it. (Reads are then no larger
    /// than the unit being decoded; wrap an unbuffered reader in a `BufReader`.) A legacy frame
    /// has no end mark: it ends at the end of the input or at the next magic number, whose four
    /// bytes are then already read ([`FrameDecoder::buffered_input`]) — except when decoding
    /// in the reader's buffer ([`FrameDecoder::decode_in_reader_buffer`]) and that buffer holds
    /// all four: they then stay in the reader, and `read_position` is 4 bytes lower. Either
    /// way, `buffered_input` followed by what the reader still holds is what follows the frame.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut container = lz4framed::compress(b"first");
    /// container.extend_from_slice(b"trailer");
    /// let mut input = &container[..];
    /// let mut dec = lz4framed::FrameDecoder::new(&mut input).single_frame();
    /// let mut text = String::new();
    /// dec.read_to_string(&mut text)?;
    /// assert_eq!(text, "first");
    /// assert_eq!(input, b"trailer");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn single_frame(mut self) -> Self {
        self.single_frame = true;
        self
    }

    /// In single-frame mode: the frame has ended (for a legacy frame: the next four bytes,
    /// buffered, end it).
    fn single_frame_done(&self) -> bool {
        frame_done(
            &self.decompressor,
            self.single_frame,
            self.source.buf.available(),
        )
    }

    /// A checkpoint of this decoder ([`Decompressor::checkpoint`]) that includes the decoded
    /// bytes not yet read out, so that a decoder restored from it yields exactly what this one
    /// would yield next. Reopen the input at `decompressor().compressed_position()`.
    pub fn checkpoint(&self) -> Vec<u8> {
        self.decompressor
            .checkpoint_with_output(self.buffered_output())
    }

    /// Output bytes read out of this decoder so far, counting from where its decompressor
    /// started (for a restored one, from the checkpoint's position).
    pub fn output_position(&self) -> u64 {
        self.decompressor.decompressed_position() - (self.out_end - self.out_pos) as u64
    }

    /// Swap the input for `reader`, returning the old one. The new reader must continue where
    /// the old one's data ended (byte [`FrameDecoder::read_position`] of the compressed stream,
    /// counted from where this decoder started); decoding goes on from there, mid-block
    /// included.
    pub fn replace_reader(&mut self, reader: R) -> R {
        std::mem::replace(&mut self.source.reader, reader)
    }

    /// The decompressor inside (positions, frame info, …). Its state covers the input fed so
    /// far; bytes it decoded that were not yet read out are [`FrameDecoder::buffered_output`].
    pub fn decompressor(&self) -> &Decompressor {
        &self.decompressor
    }

    /// Bytes read from the reader(s) in all, counted from where this decoder started: where a
    /// replacement reader must start ([`FrameDecoder::replace_reader`]). Every byte a reader
    /// handed out counts, also when its next `read` failed mid-block: those bytes stay buffered
    /// and are decoded once the input continues.
    pub fn read_position(&self) -> u64 {
        self.source.buf.read_total()
    }

    /// Decoded bytes not yet read out.
    pub fn buffered_output(&self) -> &[u8] {
        let all = if self.in_window {
            self.decompressor.engine.window_recent()
        } else {
            self.out.data()
        };
        &all[self.out_pos..self.out_end]
    }

    /// Input bytes read from the reader but not yet decoded.
    pub fn buffered_input(&self) -> &[u8] {
        self.source.buf.available()
    }

    /// The reader.
    pub fn get_ref(&self) -> &R {
        &self.source.reader
    }

    /// The reader, mutably.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.source.reader
    }

    /// The reader, dropping the decoder.
    pub fn into_inner(self) -> R {
        self.source.reader
    }
}

impl<R: BufRead> FrameDecoder<R> {
    /// A decoder on the `Auto` backend that decodes each unit (block, header) straight from
    /// the reader's own buffer when the buffer holds it whole, without copying the compressed
    /// input into a buffer of its own ([`FrameDecoder::decode_in_reader_buffer`]). Best with
    /// a reader whose buffer holds whole blocks: a `&[u8]` (an in-memory or memory-mapped
    /// file), a `Cursor`, a `BufReader` with a capacity of at least the frame's block size.
    ///
    /// ```
    /// use lz4framed::FrameDecoder;
    /// use std::io::Read;
    /// let frame = lz4framed::compress(&b"in place ".repeat(1000));
    /// let mut out = Vec::new();
    /// FrameDecoder::with_buffer(&frame[..]).read_to_end(&mut out)?;
    /// assert_eq!(out, b"in place ".repeat(1000));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with_buffer(reader: R) -> Self {
        Self::new(reader).decode_in_reader_buffer()
    }

    /// Decode units straight from the reader's own buffer ([`BufRead::fill_buf`]) when it holds
    /// the whole unit, consuming from the reader exactly the bytes decoded; a unit the
    /// reader's buffer holds only part of is gathered into the decoder's buffer, as without
    /// this setting (a unit partly gathered that way is finished there). The decoded output,
    /// the errors and the decompressor's positions are the same either way, and so is
    /// everything a replacement reader needs ([`FrameDecoder::replace_reader`]): what changes
    /// is one copy of the compressed input fewer (`frame_cost`, 64K-linked, 64 KiB reads: the
    /// copy out of a `&[u8]` reader was 7 % of the decoding time), and that
    /// [`FrameDecoder::read_position`] counts the bytes taken from the reader, which here are
    /// the bytes decoded, where the copying decoder reads up to 64 KiB ahead.
    #[must_use]
    pub fn decode_in_reader_buffer(mut self) -> Self {
        self.source.reader_buffer = Some(ReaderBuffer {
            fill: R::fill_buf,
            consume: R::consume,
        });
        self
    }
}

/// In single-frame mode: the frame has ended (for a legacy frame: the next four bytes, the
/// first of `input`, end it).
fn frame_done(decompressor: &Decompressor, single_frame: bool, input: &[u8]) -> bool {
    let engine = &decompressor.engine;
    if !single_frame || engine.frame_number() == 0 || !engine.pending().is_empty() {
        return false;
    }
    match engine.stage() {
        Stage::Magic => true,
        Stage::LegacyBlockHeader => match input {
            [a, b, c, d, ..] => ends_legacy_frame(u32::from_le_bytes([*a, *b, *c, *d])),
            _ => false,
        },
        _ => false,
    }
}

/// The [`BufRead`] methods of the reader of [`FrameDecoder::decode_in_reader_buffer`], kept
/// as function pointers so that the adapter, bound by `Read` only, can use its buffer.
struct ReaderBuffer<R> {
    fill: fn(&mut R) -> io::Result<&[u8]>,
    consume: fn(&mut R, usize),
}

impl<R> Clone for ReaderBuffer<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for ReaderBuffer<R> {}

/// Where the input of the next unit lies ([`Source::unit`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnitSource {
    /// In the decoder's own buffer.
    Own,
    /// In the reader's buffer ([`FrameDecoder::decode_in_reader_buffer`]).
    Reader,
}

/// A decoder's compressed input: its reader, the input read from it into the decoder's own
/// buffer and not yet fed, and, set by [`FrameDecoder::decode_in_reader_buffer`], the reader's
/// `BufRead` methods.
#[derive(Clone)]
struct Source<R> {
    reader: R,
    buf: InputBuf,
    reader_buffer: Option<ReaderBuffer<R>>,
}

impl<R: Read> Source<R> {
    /// The input buffered for the next unit, `need` bytes of it or more (fewer only where the
    /// reader has ended), and where it lies: in the reader's own buffer when `reader_buffer`
    /// is set, the decoder's buffer is empty and the reader's holds all `need` bytes; else in
    /// the decoder's buffer, filled from the reader first (reading no byte past `need` when
    /// `exact`). `None` when the reader's `fill_buf` was interrupted: call again
    /// (`FrameDecoder::new` never returns `Interrupted`, its reads are retried, nor may a
    /// decoder reading from the reader's buffer).
    fn unit(&mut self, need: usize, exact: bool) -> io::Result<Option<(&[u8], UnitSource)>> {
        if let Some(rb) = self.reader_buffer {
            if self.buf.available().is_empty() {
                let held = match (rb.fill)(&mut self.reader) {
                    Ok(b) => b.len(),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(None),
                    Err(e) => return Err(e),
                };
                if held == 0 {
                    // The reader has ended (an empty `fill_buf`): reading it again is no use.
                    return Ok(Some((self.buf.available(), UnitSource::Own)));
                }
                if held >= need {
                    // Buffered already: this second call returns the same bytes without
                    // reading (a reader may still fail it).
                    return match (rb.fill)(&mut self.reader) {
                        Ok(b) => Ok(Some((b, UnitSource::Reader))),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
                        Err(e) => Err(e),
                    };
                }
            }
        }
        self.buf.fill_up_to(&mut self.reader, need, exact)?;
        Ok(Some((self.buf.available(), UnitSource::Own)))
    }

    /// Mark `n` bytes of the next unit's input fed, where [`Source::unit`] found them.
    fn consume(&mut self, from: UnitSource, n: usize) {
        match (from, self.reader_buffer) {
            (UnitSource::Reader, Some(rb)) => {
                (rb.consume)(&mut self.reader, n);
                self.buf.count_read(n);
            }
            _ => self.buf.consume(n),
        }
    }
}

impl<R: Read> BufRead for FrameDecoder<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_pos == self.out_end {
            if let Some(e) = self.failure.take() {
                return Err(e);
            }
        }
        while self.out_pos == self.out_end {
            self.forget_output();
            let need = self.decompressor.engine.want_input();
            if self.single_frame_done() {
                return Ok(&[]);
            }
            let Some((avail, from)) = self.source.unit(need, self.single_frame)? else {
                continue; // interrupted: try again
            };
            if frame_done(&self.decompressor, self.single_frame, avail) {
                return Ok(&[]);
            }
            if avail.is_empty() {
                // The reader has ended.
                return match self.decompressor.finish() {
                    Ok(()) => Ok(&[]),
                    Err(e) => Err(e.into()),
                };
            }
            // At most one unit per feed: a block decoded into the window stays there until it
            // is read out.
            let take = avail.len().min(need);
            let engine = &mut self.decompressor.engine;
            engine.set_blocks_into_window(true);
            self.decompressor.feed(&avail[..take], &mut self.out)?;
            self.source.consume(from, take);
            let engine = &mut self.decompressor.engine;
            let in_window = engine.take_window_output();
            if in_window > 0 {
                let held = engine.window_recent().len();
                if in_window > held || self.out.len() > 0 {
                    return Err(Error::InvalidState("a block's output left the window").into());
                }
                self.in_window = true;
                self.out_pos = held - in_window;
                self.out_end = held;
            } else {
                self.out_end = self.out.len();
            }
        }
        Ok(self.buffered_output())
    }

    fn consume(&mut self, amt: usize) {
        self.out_pos = (self.out_pos + amt).min(self.out_end);
    }
}

impl<R: Read> FrameDecoder<R> {
    /// Decode units straight into `direct` while they fit (see `read`).
    fn read_direct(&mut self, direct: &mut SliceOutput<'_>) -> io::Result<()> {
        loop {
            let room = direct.room();
            if room == 0 {
                return Ok(());
            }
            let engine = &self.decompressor.engine;
            let fits = match engine.stage() {
                Stage::Skip { .. } => false,
                _ => self.next_block_output_bound().is_none_or(|bound| {
                    // A linked frame's block whose history is not all in `buf` (less than
                    // 64 KiB of the frame's output before it there) would be decoded with the
                    // window as a separate slice, slower than in place in the window's buffer
                    // and then copied out: worth it only when the block is large or several
                    // follow in `buf`. (Also a frame's first blocks, whose history, if any, is
                    // in `buf`: the window's buffer is then allocated once, at its size.)
                    let separate = engine.walker().in_linked_frame()
                        && direct.frame_output().len() < WINDOW_SIZE;
                    bound <= room && (!separate || room >= LINKED_DIRECT_MIN)
                }),
            };
            if !fits || self.single_frame_done() {
                return Ok(());
            }
            let need = self.decompressor.engine.need();
            let Some((avail, from)) = self.source.unit(need, self.single_frame)? else {
                continue; // interrupted: try again
            };
            if frame_done(&self.decompressor, self.single_frame, avail) || avail.len() < need {
                return Ok(()); // short input: the buffered path reports it
            }
            self.decompressor.engine.set_blocks_into_window(false);
            if let Err(e) = self.decompressor.feed_units(&avail[..need], direct) {
                if direct.filled == 0 {
                    return Err(e.into());
                }
                // The output decoded before the error is read out first; the error is the
                // next read's.
                self.failure = Some(e.into());
                return Ok(());
            }
            self.source.consume(from, need);
        }
    }

    /// With all output read out: empty the output buffer (keeping its allocation) and point
    /// the read-out state at it.
    fn forget_output(&mut self) {
        self.out.clear();
        self.out_pos = 0;
        self.out_end = 0;
        self.in_window = false;
    }

    /// The most output the next unit can produce when it is a block, `None` for other units.
    fn next_block_output_bound(&self) -> Option<usize> {
        let engine = &self.decompressor.engine;
        let max = engine.frame()?.block_max_size();
        match engine.stage() {
            Stage::Block { size, raw: true } => Some(size as usize),
            Stage::Block { raw: false, .. } | Stage::LegacyBlock { .. } => Some(max),
            _ => None,
        }
    }
}

impl<R: Read> Read for FrameDecoder<R> {
    /// Reads decoded bytes. When nothing is buffered, blocks are decoded straight into `buf`,
    /// one after the other while the next one's output bound still fits, without an
    /// intermediate copy; a linked frame's blocks find their history in `buf` itself. A linked
    /// frame's block whose history is not all in `buf` goes straight in only when `buf` has
    /// 1 MiB of room left; else it is decoded in place in the window's buffer and copied out
    /// (faster than decoding it against a separate window).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        // Units go straight through while they fit `buf`: headers (no output), and blocks whose
        // output bound fits what is left of it. A skippable frame's content is left to the
        // buffered path, which consumes it in pieces. One decoding call spans them all, so the
        // 64 KiB window of a linked frame is synced once, at the end.
        if self.out_pos == self.out_end {
            // Nothing buffered: forget where the last output lay, which blocks decoded
            // straight into `buf` leave stale (a new frame resets the window's buffer it was
            // in, and `buffered_output` would index past its end).
            self.forget_output();
            let mut direct = SliceOutput::new(buf);
            direct.begin_call();
            let r = self.read_direct(&mut direct);
            self.decompressor.engine.end_call(&direct);
            match r {
                Ok(()) if direct.filled > 0 => return Ok(direct.filled),
                Ok(()) if self.single_frame_done() => return Ok(0),
                Ok(()) => {}
                // An error of the reader after some output: the output first, the error on the
                // next call.
                Err(e) if direct.filled > 0 => {
                    self.failure = Some(e);
                    return Ok(direct.filled);
                }
                Err(e) => return Err(e),
            }
        }
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}
