//! Frame compression: the push-style [`Compressor`] and the [`FrameEncoder`] `io::Write`
//! adapter built on it.

use crate::unwritten::Unwritten;
use std::io::{self, Write};

use crate::backend::Backend;
use crate::codec::{compress_bound, BlockCodec, BlockCompressor, WINDOW_SIZE};
use crate::error::Error;
use crate::frame::{FrameInfo, FrameKind, END_MARK, UNCOMPRESSED_FLAG};
use crate::index::{IndexBuilder, IndexOptions, Recorder};
use crate::settings::{BlockMode, ContentSize, FrameSettings};
use crate::xxh32::{xxh32, Xxh32};

/// Where a [`Compressor`] is in its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// `begin` not yet called.
    Idle,
    /// Header written; blocks may follow.
    Open,
    /// `end` called: the frame is complete.
    Ended,
}

/// Push-style frame compressor: `begin`, any number of `update`s, optional `flush`es, `end`;
/// each call appends the frame bytes it produces to a caller's `Vec<u8>`.
///
/// Input is gathered into blocks of the frame's block size; a block is compressed as soon as
/// it is full (or on `flush`/`end`). A block that does not shrink is stored uncompressed.
///
/// ```
/// use lz4framed::Compressor;
/// let mut c = Compressor::new();
/// let mut frame = Vec::new();
/// c.begin(&mut frame)?;
/// c.update(b"hello, ", &mut frame)?;
/// c.update(b"world", &mut frame)?;
/// c.end(&mut frame)?;
/// assert_eq!(lz4framed::decompress(&frame)?, b"hello, world");
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub struct Compressor {
    settings: FrameSettings,
    codec: &'static dyn BlockCodec,
    block: Box<dyn BlockCompressor>,
    phase: Phase,
    /// Staged input: `buf[..block_start]` is already compressed (its last 64 KiB are the
    /// history of linked blocks), `buf[block_start..]` the pending partial block.
    buf: Vec<u8>,
    block_start: usize,
    /// Compressed-block scratch, `compress_bound(block size)` bytes, reused.
    scratch: Vec<u8>,
    content_hash: Option<Xxh32>,
    /// Uncompressed bytes accepted so far.
    total_in: u64,
    declared_size: Option<u64>,
    /// Seek-index recording, when asked for ([`Compressor::record_index`]).
    recorder: Option<Box<Recorder>>,
}

impl Compressor {
    /// A compressor with the default settings ([`FrameSettings::new`]).
    ///
    /// It uses the codec `Auto` compresses with at level 1 (every backend has level 1).
    pub fn new() -> Self {
        let codec = Backend::Auto
            .codec_for_level(1)
            .unwrap_or_else(|_| crate::registry::auto());
        Self::build(FrameSettings::new(), codec)
            .unwrap_or_else(|e| unreachable!("the registry's default codec refuses level 1: {e}"))
    }

    /// A compressor with `settings` (level, block size and mode, checksums, content size,
    /// dictionary, backend).
    pub fn with_settings(settings: &FrameSettings) -> Result<Self, Error> {
        settings.check()?;
        let codec = settings.backend.codec_for_level(settings.level)?;
        Self::build(settings.clone(), codec)
    }

    fn build(settings: FrameSettings, codec: &'static dyn BlockCodec) -> Result<Self, Error> {
        let block = codec.compressor(settings.level)?;
        let bs = settings.block_size.bytes();
        // More than the worst case: some codecs (lz4_flex) refuse a destination smaller than
        // their own, looser bound and would otherwise compress via a copy.
        let scratch = vec![0u8; compress_bound(bs).max(bs + bs / 10 + 32)];
        Ok(Compressor {
            settings,
            codec,
            block,
            phase: Phase::Idle,
            buf: Vec::new(),
            block_start: 0,
            scratch,
            content_hash: None,
            total_in: 0,
            declared_size: None,
            recorder: None,
        })
    }

    /// The settings this compressor uses.
    pub fn settings(&self) -> &FrameSettings {
        &self.settings
    }

    /// The name of the block codec in use (e.g. `"c"`).
    pub fn codec_name(&self) -> &'static str {
        self.codec.name()
    }

    /// Uncompressed bytes accepted so far in the current frame.
    pub fn total_in(&self) -> u64 {
        self.total_in
    }

    /// Record a seek index ([`crate::index`]) of everything this compressor appends from now
    /// on: a restart point at every block of independent-block frames, and every
    /// `options.restart_interval` bytes (with the 64 KiB window, compressed) in linked frames.
    /// Offsets count from the first byte appended after this call. Costs nothing per block
    /// beyond a few integers (plus one window compression per restart point in linked frames).
    /// Collect the result with [`Compressor::take_index_builder`].
    pub fn record_index(&mut self, options: &IndexOptions) {
        self.recorder = Some(Box::new(Recorder {
            builder: IndexBuilder::new(self.codec, options),
            out_total: 0,
            frame_base: 0,
            frame_in: 0,
        }));
    }

    /// Stop recording and return the restart points recorded so far; finish them into a
    /// [`crate::index::SeekIndex`] with [`IndexBuilder::finish`].
    pub fn take_index_builder(&mut self) -> Option<IndexBuilder> {
        self.recorder.take().map(|r| r.builder)
    }

    /// Index recording: `out[base..]` was appended by the current call.
    fn account(&mut self, out: &[u8], base: usize) {
        if let Some(r) = &mut self.recorder {
            r.out_total += (out.len() - base) as u64;
        }
    }

    /// Start a frame: append its header to `out`. Called again after [`Compressor::end`], it
    /// starts the next frame with the same settings.
    pub fn begin(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.begin_with_size(None, out)
    }

    /// Like [`Compressor::begin`], telling the compressor how many bytes will follow; with the
    /// default content-size setting that size is written into the header.
    pub fn begin_with_size(&mut self, size: Option<u64>, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.phase == Phase::Open {
            return Err(Error::InvalidState("begin called on an open frame"));
        }
        if let Some(r) = &mut self.recorder {
            r.frame_base += r.frame_in;
            r.frame_in = 0;
            r.builder.frame_start(r.out_total, r.frame_base, false);
        }
        let base = out.len();
        self.declared_size = match self.settings.content_size {
            ContentSize::Auto => size,
            ContentSize::Omit => None,
            ContentSize::Exact(n) => Some(n),
        };
        let dict = self.settings.dictionary.as_ref();
        let info = FrameInfo {
            kind: FrameKind::Standard,
            block_size: Some(self.settings.block_size),
            block_mode: self.settings.block_mode,
            content_checksum: self.settings.content_checksum,
            block_checksum: self.settings.block_checksum,
            content_size: self.declared_size,
            dict_id: dict.map(|d| d.id()).filter(|&id| id != 0),
            header_len: 0,
        };
        info.write_header(out);
        self.content_hash = self.settings.content_checksum.then(|| Xxh32::new(0));
        self.total_in = 0;
        let bs = self.settings.block_size.bytes();
        self.block
            .begin_frame(bs, self.settings.block_mode == BlockMode::Linked);
        // Linked frames stage input behind up to 64 KiB of history; a staging area of several
        // blocks keeps history contiguous with the next block for most blocks.
        let cap = match self.settings.block_mode {
            BlockMode::Linked => WINDOW_SIZE + bs.max(1 << 20),
            BlockMode::Independent => bs,
        };
        self.buf.clear();
        self.buf.reserve(cap);
        self.block_start = 0;
        if let (BlockMode::Linked, Some(d)) = (self.settings.block_mode, dict) {
            self.buf.extend_from_slice(d.bytes());
            self.block_start = self.buf.len();
        }
        self.phase = Phase::Open;
        self.account(out, base);
        Ok(())
    }

    /// Compress `data`, appending every completed block to `out`.
    pub fn update(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        if self.phase != Phase::Open {
            return Err(Error::InvalidState("update called outside begin..end"));
        }
        let new_total = self.total_in + data.len() as u64;
        if let Some(declared) = self.declared_size {
            if new_total > declared {
                return Err(Error::InputSizeMismatch {
                    declared,
                    given: new_total,
                });
            }
        }
        self.total_in = new_total;
        if let Some(h) = &mut self.content_hash {
            h.update(data);
        }
        let base = out.len();
        let bs = self.settings.block_size.bytes();
        // Top up a pending partial block first.
        if self.buf.len() > self.block_start {
            let take = (bs - (self.buf.len() - self.block_start)).min(data.len());
            self.stage(&data[..take]);
            data = &data[take..];
            if self.buf.len() - self.block_start == bs {
                self.compress_staged(out, base);
            }
        }
        // Whole blocks straight from the caller's slice, without staging.
        if data.len() >= bs {
            let linked = self.settings.block_mode == BlockMode::Linked;
            let mut pos = 0;
            while data.len() - pos >= bs {
                let input = if !linked {
                    BlockInput::Separate {
                        src: &data[pos..pos + bs],
                        history: self.settings.dictionary.as_ref().map_or(&[], |d| d.bytes()),
                    }
                } else if pos > 0 {
                    BlockInput::InPlace {
                        buf: &data[..pos + bs],
                        start: pos,
                    }
                } else {
                    // The first block: its history is what was staged before.
                    BlockInput::Separate {
                        src: &data[..bs],
                        history: &self.buf
                            [self.block_start.saturating_sub(WINDOW_SIZE)..self.block_start],
                    }
                };
                if let Some(r) = &mut self.recorder {
                    r.block(out.len() - base, bs, linked.then(|| input.history()));
                }
                emit_block(
                    &mut *self.block,
                    input,
                    &mut self.scratch,
                    self.settings.block_checksum,
                    out,
                );
                pos += bs;
            }
            if linked {
                // Keep the last 64 KiB of what was compressed as the next history.
                self.buf.clear();
                self.buf
                    .extend_from_slice(&data[pos - WINDOW_SIZE.min(pos)..pos]);
                self.block_start = self.buf.len();
            }
            data = &data[pos..];
        }
        if !data.is_empty() {
            self.stage(data);
        }
        self.account(out, base);
        Ok(())
    }

    /// Append `data` to the staging area, first dropping compressed bytes that are no longer
    /// needed as history when the area is full.
    fn stage(&mut self, data: &[u8]) {
        if self.buf.len() + data.len() > self.buf.capacity() {
            let keep_from = match self.settings.block_mode {
                BlockMode::Linked => self.block_start.saturating_sub(WINDOW_SIZE),
                BlockMode::Independent => self.block_start,
            };
            self.buf.drain(..keep_from);
            self.block_start -= keep_from;
        }
        self.buf.extend_from_slice(data);
    }

    /// Compress the staged partial block (if any) as one block.
    fn compress_staged(&mut self, out: &mut Vec<u8>, base: usize) {
        if self.buf.len() == self.block_start {
            return;
        }
        let linked = self.settings.block_mode == BlockMode::Linked;
        let dictionary = self
            .settings
            .dictionary
            .as_ref()
            .map_or(&[][..], |d| d.bytes());
        let input = BlockInput::new(&self.buf, self.block_start, linked, dictionary);
        if let Some(r) = &mut self.recorder {
            let len = self.buf.len() - self.block_start;
            r.block(out.len() - base, len, linked.then(|| input.history()));
        }
        emit_block(
            &mut *self.block,
            input,
            &mut self.scratch,
            self.settings.block_checksum,
            out,
        );
        match self.settings.block_mode {
            BlockMode::Linked => self.block_start = self.buf.len(),
            BlockMode::Independent => {
                self.buf.clear();
                self.block_start = 0;
            }
        }
    }

    /// Compress whatever input is pending as a (short) block, so that everything accepted so
    /// far can be decoded from `out`.
    pub fn flush(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.phase != Phase::Open {
            return Err(Error::InvalidState("flush called outside begin..end"));
        }
        let base = out.len();
        self.compress_staged(out, base);
        self.account(out, base);
        Ok(())
    }

    /// Finish the frame: the last block, the end mark and the content checksum. Fails if a
    /// declared content size was not reached.
    pub fn end(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        self.flush(out)?;
        let base = out.len();
        if let Some(declared) = self.declared_size {
            if declared != self.total_in {
                self.phase = Phase::Ended;
                return Err(Error::InputSizeMismatch {
                    declared,
                    given: self.total_in,
                });
            }
        }
        out.extend_from_slice(&END_MARK.to_le_bytes());
        if let Some(h) = self.content_hash.take() {
            out.extend_from_slice(&h.digest().to_le_bytes());
        }
        self.buf.clear();
        self.block_start = 0;
        self.phase = Phase::Ended;
        self.account(out, base);
        Ok(())
    }

    /// Whether a frame has been begun and not yet ended.
    pub fn is_open(&self) -> bool {
        self.phase == Phase::Open
    }
}

impl Default for Compressor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Compressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compressor")
            .field("codec", &self.codec.name())
            .field("settings", &self.settings)
            .field("total_in", &self.total_in)
            .finish_non_exhaustive()
    }
}

/// A block to compress and its history.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BlockInput<'a> {
    /// `src` after `history`, anywhere in memory (an independent block's dictionary, or none).
    Separate { src: &'a [u8], history: &'a [u8] },
    /// `buf[start..]` after the input before it, `buf[..start]` (a linked frame's block in the
    /// buffer that holds its history): compressed without joining the two.
    InPlace { buf: &'a [u8], start: usize },
}

impl<'a> BlockInput<'a> {
    /// A linked frame's block `buf[start..]` (its history `buf[..start]`), or an independent
    /// block `buf[start..]` with the separate `history` (the dictionary, or nothing).
    pub(crate) fn new(buf: &'a [u8], start: usize, linked: bool, history: &'a [u8]) -> Self {
        if linked {
            BlockInput::InPlace { buf, start }
        } else {
            BlockInput::Separate {
                src: &buf[start..],
                history,
            }
        }
    }

    /// The block's bytes.
    pub(crate) fn src(&self) -> &'a [u8] {
        match *self {
            BlockInput::Separate { src, .. } => src,
            BlockInput::InPlace { buf, start } => &buf[start..],
        }
    }

    /// Its history: the last [`WINDOW_SIZE`] bytes before it.
    pub(crate) fn history(&self) -> &'a [u8] {
        match *self {
            BlockInput::Separate { history, .. } => history,
            BlockInput::InPlace { buf, start } => &buf[start.saturating_sub(WINDOW_SIZE)..start],
        }
    }

    /// Compress it with `compressor` into `dst` ([`BlockCompressor::compress`] or
    /// [`BlockCompressor::compress_in_place`]).
    pub(crate) fn compress(
        &self,
        compressor: &mut dyn BlockCompressor,
        dst: &mut [u8],
    ) -> Option<usize> {
        match *self {
            BlockInput::Separate { src, history } => compressor.compress(src, history, dst),
            BlockInput::InPlace { buf, start } => {
                // Only the window is history: the buffer may hold older input.
                let cut = start.saturating_sub(WINDOW_SIZE);
                compressor.compress_in_place(&buf[cut..], start - cut, dst)
            }
        }
    }
}

/// Compress one block and append header, data and optional checksum to `out`.
pub(crate) fn emit_block(
    compressor: &mut dyn BlockCompressor,
    input: BlockInput<'_>,
    scratch: &mut [u8],
    block_checksum: bool,
    out: &mut Vec<u8>,
) {
    let src = input.src();
    let stored: &[u8] = match input.compress(compressor, scratch) {
        Some(n) if n < src.len() && n <= scratch.len() => {
            out.extend_from_slice(&(n as u32).to_le_bytes());
            &scratch[..n]
        }
        _ => {
            out.extend_from_slice(&(src.len() as u32 | UNCOMPRESSED_FLAG).to_le_bytes());
            src
        }
    };
    out.extend_from_slice(stored);
    if block_checksum {
        out.extend_from_slice(&xxh32(stored, 0).to_le_bytes());
    }
}

/// An `io::Write` adapter that compresses everything written into one frame on the inner
/// writer. Call [`FrameEncoder::finish`] at the end (or [`FrameEncoder::try_finish`], which can
/// be retried after an error of the writer): it writes the end of the frame and returns the
/// writer. Dropping an unfinished encoder leaves an incomplete frame; [`FrameEncoder::auto_finish`]
/// gives an encoder that finishes on drop.
///
/// `write` follows `io::Write`'s contract to the letter: an error means no byte of that call
/// was taken, so retrying the same bytes is right. It takes at most one block of input per call
/// (`write_all` loops), and compressed bytes the inner writer did not accept yet are kept and
/// written first by the next call, so memory stays at about three blocks (the partial block
/// of input, one compressed block, the output not yet written; at least 1 MiB of input
/// staging for linked blocks) whatever the size of a write: 1.4 MiB for the default 64 KiB
/// blocks, 13 MiB for 4 MiB blocks (`tests/encoder_memory.rs`).
///
/// ```
/// use lz4framed::FrameEncoder;
/// use std::io::Write;
/// let mut enc = FrameEncoder::new(Vec::new());
/// enc.write_all(b"some data")?;
/// let frame: Vec<u8> = enc.finish()?;
/// assert_eq!(lz4framed::decompress(&frame)?, b"some data");
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub struct FrameEncoder<W: Write> {
    inner: W,
    compressor: Compressor,
    /// Compressed bytes not yet accepted by the writer.
    out: Unwritten,
    /// The frame's end was produced (by `try_finish`).
    ended: bool,
}

impl<W: Write> FrameEncoder<W> {
    /// An encoder with the default settings.
    pub fn new(writer: W) -> Self {
        Self::from_compressor(writer, Compressor::new())
    }

    /// An encoder with `settings`.
    pub fn with_settings(writer: W, settings: &FrameSettings) -> Result<Self, Error> {
        Ok(Self::from_compressor(
            writer,
            Compressor::with_settings(settings)?,
        ))
    }

    /// An encoder using a prepared [`Compressor`] (which must not have begun a frame).
    pub fn from_compressor(writer: W, compressor: Compressor) -> Self {
        FrameEncoder {
            inner: writer,
            compressor,
            out: Unwritten::default(),
            ended: false,
        }
    }

    fn ensure_begun(&mut self) -> Result<(), Error> {
        if !self.compressor.is_open() && !self.ended {
            self.compressor.begin(&mut self.out.buf)?;
        }
        Ok(())
    }

    /// Write the compressed bytes the writer has not accepted yet. On an error, what it did
    /// accept is remembered and the rest is kept for the next call.
    fn write_pending(&mut self) -> io::Result<()> {
        self.out.write_to(&mut self.inner, |_| {})
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer, mutably (writing to it directly corrupts the frame).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The compressor.
    pub fn compressor(&self) -> &Compressor {
        &self.compressor
    }

    /// Complete the frame (last block, end mark, checksum), write everything and flush the
    /// writer, keeping the encoder. After an error of the writer it can be called again and
    /// continues where it stopped; once it succeeded, writing more is an error.
    pub fn try_finish(&mut self) -> Result<(), Error> {
        if !self.ended {
            self.ensure_begun()?;
            self.compressor.end(&mut self.out.buf)?;
            self.ended = true;
        }
        self.write_pending()?;
        self.inner.flush()?;
        Ok(())
    }

    /// Complete the frame (last block, end mark, checksum), flush, and return the writer.
    pub fn finish(mut self) -> Result<W, Error> {
        self.try_finish()?;
        Ok(self.inner)
    }

    /// An encoder that finishes the frame when dropped (errors at that point are lost: call
    /// [`AutoFinishEncoder::finish`] to see them).
    ///
    /// ```
    /// use std::io::Write;
    /// let mut frame = Vec::new();
    /// {
    ///     let mut enc = lz4framed::FrameEncoder::new(&mut frame).auto_finish();
    ///     enc.write_all(b"finished on drop")?;
    /// }
    /// assert_eq!(lz4framed::decompress(&frame)?, b"finished on drop");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn auto_finish(self) -> AutoFinishEncoder<W> {
        AutoFinishEncoder {
            encoder: Some(self),
        }
    }
}

impl<W: Write> Write for FrameEncoder<W> {
    /// Takes up to one block of `buf` and returns how much it took. Compressed bytes left
    /// over by an earlier call are written first; if that fails, the error is returned and
    /// nothing of `buf` is taken.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.ended {
            return Err(Error::InvalidState("write after the frame was finished").into());
        }
        self.write_pending()?;
        if buf.is_empty() {
            return Ok(0);
        }
        self.ensure_begun()?;
        let bs = self.compressor.settings().block_size.bytes();
        let take = buf.len().min(bs);
        // Room for the block's output at once (growing by doubling would reserve twice it).
        self.out.buf.reserve(compress_bound(take) + 64);
        self.compressor.update(&buf[..take], &mut self.out.buf)?;
        // The input is taken now: an error of the writer is reported by the next call, which
        // writes these bytes first.
        let _ = self.write_pending();
        Ok(take)
    }

    /// Compresses the pending partial block and flushes the writer, so everything written so
    /// far can be decoded (at some cost in ratio if called often).
    fn flush(&mut self) -> io::Result<()> {
        if self.compressor.is_open() {
            self.compressor.flush(&mut self.out.buf)?;
        }
        self.write_pending()?;
        self.inner.flush()
    }
}

impl<W: Write> std::fmt::Debug for FrameEncoder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameEncoder")
            .field("compressor", &self.compressor)
            .field("pending_output", &self.out.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// A [`FrameEncoder`] that finishes its frame when dropped ([`FrameEncoder::auto_finish`]).
pub struct AutoFinishEncoder<W: Write> {
    encoder: Option<FrameEncoder<W>>,
}

impl<W: Write> AutoFinishEncoder<W> {
    /// Finish now, reporting errors, and return the writer.
    pub fn finish(mut self) -> Result<W, Error> {
        match self.encoder.take() {
            Some(e) => e.finish(),
            None => Err(Error::InvalidState("the encoder was finished already")),
        }
    }

    /// The encoder inside.
    pub fn get_ref(&self) -> Option<&FrameEncoder<W>> {
        self.encoder.as_ref()
    }
}

impl<W: Write> Write for AutoFinishEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.encoder {
            Some(e) => e.write(buf),
            None => Err(Error::InvalidState("write after the frame was finished").into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encoder.as_mut().map_or(Ok(()), Write::flush)
    }
}

impl<W: Write> Drop for AutoFinishEncoder<W> {
    fn drop(&mut self) {
        if let Some(e) = &mut self.encoder {
            let _ = e.try_finish();
        }
    }
}

impl<W: Write> std::fmt::Debug for AutoFinishEncoder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoFinishEncoder")
            .field("encoder", &self.encoder)
            .finish()
    }
}
