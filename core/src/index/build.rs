//! Building a seek index: while compressing ([`SeekableEncoder`], or a recording
//! [`Compressor`]), or for an existing file in one pass ([`build_index`]).

use crate::unwritten::Unwritten;
use std::io::{self, Read, Write};

use super::format::Fingerprinter;
use super::walk::block_decompressed_size;
use super::{Entry, EntryKind, SeekIndex, WindowRef};
use crate::codec::{compress_bound, BlockCodec, BlockCompressor, WINDOW_SIZE};
use crate::compressor::Compressor;
use crate::engine::Engine;
use crate::error::Error;
use crate::frame::{FrameInfo, FrameKind, LEGACY_BLOCK_SIZE};
use crate::output::{Output, ReusableBuf};
use crate::settings::{Dictionary, FrameSettings};
use crate::walk::{FrameWalker, Stage, Unit};

/// How to build an index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Linked-block frames: a restart point (with its 64 KiB window) at the first block boundary
    /// after every this many decompressed bytes (default 4 MiB). Smaller: cheaper seeks and
    /// finer parallel decompression, larger index. Independent-block frames get a restart
    /// point at every block whatever this says.
    pub restart_interval: u64,
    /// The dictionary the file's frames were compressed with, if any (needed to decode linked
    /// frames when indexing an existing file).
    pub dictionary: Option<Dictionary>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            restart_interval: 4 << 20,
            dictionary: None,
        }
    }
}

impl IndexOptions {
    /// Set the restart interval of linked frames (at least 64 KiB is sensible).
    #[must_use]
    pub fn restart_interval(mut self, bytes: u64) -> Self {
        self.restart_interval = bytes.max(1);
        self
    }

    /// Set the dictionary.
    #[must_use]
    pub fn dictionary(mut self, dictionary: Dictionary) -> Self {
        self.dictionary = Some(dictionary);
        self
    }
}

/// Collects restart points, in file order, and turns them into a [`SeekIndex`]. Used by the
/// index builders of this crate; usable for custom writers (e.g. parallel compression).
pub struct IndexBuilder {
    entries: Vec<Entry>,
    windows: Vec<u8>,
    window_compressor: Option<Box<dyn BlockCompressor>>,
    scratch: Vec<u8>,
    interval: u64,
    /// Decompressed offset of the last restart point of the current frame.
    last_restart: u64,
}

impl std::fmt::Debug for IndexBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexBuilder")
            .field("entries", &self.entries.len())
            .field("window_bytes", &self.windows.len())
            .finish_non_exhaustive()
    }
}

impl IndexBuilder {
    /// A builder that compresses linked-frame windows with `codec` (level 1).
    pub fn new(codec: &dyn BlockCodec, options: &IndexOptions) -> Self {
        IndexBuilder {
            entries: Vec::new(),
            windows: Vec::new(),
            window_compressor: codec.compressor(1).ok(),
            scratch: vec![0u8; compress_bound(WINDOW_SIZE)],
            interval: options.restart_interval.max(1),
            last_restart: 0,
        }
    }

    /// A frame (standard or `legacy`) starts at `compressed` (its magic number); its output
    /// starts at `decompressed`.
    pub fn frame_start(&mut self, compressed: u64, decompressed: u64, legacy: bool) {
        self.entries.push(Entry {
            compressed,
            decompressed,
            kind: EntryKind::FrameStart,
            legacy,
            window: None,
        });
        self.last_restart = decompressed;
    }

    fn last_decompressed(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.decompressed)
    }

    /// A block of an independent-block (or legacy) frame has its header at `compressed` and
    /// its output at `decompressed`. (Skipped when no output lies between it and the previous
    /// restart point.)
    pub fn block(&mut self, compressed: u64, decompressed: u64, legacy: bool) {
        if decompressed > self.last_decompressed() {
            self.entries.push(Entry {
                compressed,
                decompressed,
                kind: EntryKind::Block,
                legacy,
                window: None,
            });
        }
    }

    /// Whether a linked-frame block whose output starts at `decompressed` should become a
    /// restart point (the restart interval has passed).
    pub fn wants_restart(&self, decompressed: u64) -> bool {
        decompressed >= self.last_restart + self.interval
    }

    /// A restart point at a block of a linked frame: header at `compressed`, output at
    /// `decompressed`, `window` the ≤ 64 KiB of the frame's output (after a dictionary, if any)
    /// just before it.
    pub fn linked_block(&mut self, compressed: u64, decompressed: u64, window: &[u8]) {
        if decompressed <= self.last_decompressed() {
            return;
        }
        let window = &window[window.len().saturating_sub(WINDOW_SIZE)..];
        let w = if window.is_empty() {
            None
        } else {
            let packed = self
                .window_compressor
                .as_mut()
                .and_then(|c| c.compress(window, &[], &mut self.scratch))
                .filter(|&n| n < window.len());
            let start = self.windows.len();
            Some(match packed {
                Some(n) => {
                    self.windows.extend_from_slice(&self.scratch[..n]);
                    WindowRef {
                        start,
                        stored_len: n,
                        raw_len: window.len(),
                        raw: false,
                    }
                }
                None => {
                    self.windows.extend_from_slice(window);
                    WindowRef {
                        start,
                        stored_len: window.len(),
                        raw_len: window.len(),
                        raw: true,
                    }
                }
            })
        };
        self.entries.push(Entry {
            compressed,
            decompressed,
            kind: EntryKind::Block,
            legacy: false,
            window: w,
        });
        self.last_restart = decompressed;
    }

    /// Finish: the indexed data is `data_len` bytes with fingerprint `fingerprint` (see
    /// [`super::Fingerprinter`]) and decodes to `decompressed_size` bytes.
    pub fn finish(mut self, data_len: u64, fingerprint: u32, decompressed_size: u64) -> SeekIndex {
        self.entries.push(Entry {
            compressed: data_len,
            decompressed: decompressed_size.max(self.last_decompressed()),
            kind: EntryKind::End,
            legacy: false,
            window: None,
        });
        SeekIndex {
            entries: self.entries,
            windows: self.windows,
            data_len,
            fingerprint,
        }
    }
}

/// The index-recording state a [`Compressor`] keeps when asked to
/// ([`Compressor::record_index`]).
#[derive(Debug)]
pub(crate) struct Recorder {
    pub(crate) builder: IndexBuilder,
    /// Compressor output bytes before the current call.
    pub(crate) out_total: u64,
    /// Decompressed offset of the current frame's start.
    pub(crate) frame_base: u64,
    /// Bytes of the current frame already compressed into blocks.
    pub(crate) frame_in: u64,
}

impl Recorder {
    /// A block is about to be appended at `out_pos` (bytes already appended in this call) of
    /// `len` input bytes; `history` is its linked-mode history, `None` for independent blocks.
    pub(crate) fn block(&mut self, out_pos: usize, len: usize, history: Option<&[u8]>) {
        let c = self.out_total + out_pos as u64;
        let d = self.frame_base + self.frame_in;
        match history {
            None => self.builder.block(c, d, false),
            Some(h) => {
                if self.builder.wants_restart(d) {
                    self.builder.linked_block(c, d, h);
                }
            }
        }
        self.frame_in += len as u64;
    }
}

/// An `io::Write` adapter that compresses into one frame and appends a seek index: embedded
/// after the frame ([`SeekableEncoder::finish`]) or returned for a sidecar file
/// ([`SeekableEncoder::finish_sidecar`]). The index is recorded while compressing, at no extra
/// pass.
///
/// ```
/// use lz4framed::{BlockMode, FrameSettings};
/// use lz4framed::index::{SeekableEncoder, SeekableReader};
/// use std::io::{Cursor, Read, Seek, SeekFrom, Write};
/// let data: Vec<u8> = (0..200_000u32).flat_map(|i| (i / 7).to_le_bytes()).collect();
/// let settings = FrameSettings::new().block_mode(BlockMode::Independent);
/// let mut enc = SeekableEncoder::new(Vec::new(), &settings)?;
/// enc.write_all(&data)?;
/// let file = enc.finish()?;
/// assert_eq!(lz4framed::decompress(&file)?, data); // still a plain .lz4 file
///
/// let mut r = SeekableReader::new(Cursor::new(file))?;
/// r.seek(SeekFrom::Start(500_000))?;
/// let mut buf = [0u8; 16];
/// r.read_exact(&mut buf)?;
/// assert_eq!(&buf[..], &data[500_000..500_016]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SeekableEncoder<W: Write> {
    writer: W,
    compressor: Compressor,
    /// Compressed bytes not yet accepted by the writer.
    out: Unwritten,
    /// Fingerprint of the bytes the writer accepted.
    fingerprint: Fingerprinter,
    total_in: u64,
    /// The index, once the frame has ended and all of it was written.
    index: Option<SeekIndex>,
    /// Whether the embedded index has been queued after the frame ([`Self::try_finish`]).
    index_queued: bool,
}

impl<W: Write> std::fmt::Debug for SeekableEncoder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeekableEncoder")
            .field("compressor", &self.compressor)
            .field("total_in", &self.total_in)
            .finish_non_exhaustive()
    }
}

impl<W: Write> SeekableEncoder<W> {
    /// An encoder with `settings` and the default [`IndexOptions`].
    pub fn new(writer: W, settings: &FrameSettings) -> Result<Self, Error> {
        Self::with_options(writer, settings, &IndexOptions::default())
    }

    /// An encoder with `settings` and index `options`.
    pub fn with_options(
        writer: W,
        settings: &FrameSettings,
        options: &IndexOptions,
    ) -> Result<Self, Error> {
        Self::with_size(writer, settings, options, None)
    }

    /// Like [`SeekableEncoder::with_options`], with the content size known in advance (written
    /// into the frame header unless `settings` say otherwise).
    pub fn with_size(
        writer: W,
        settings: &FrameSettings,
        options: &IndexOptions,
        size: Option<u64>,
    ) -> Result<Self, Error> {
        let mut compressor = Compressor::with_settings(settings)?;
        compressor.record_index(options);
        let mut out = Vec::new();
        compressor.begin_with_size(size, &mut out)?;
        // The frame header is written by the first write, flush or finish.
        Ok(SeekableEncoder {
            writer,
            compressor,
            out: Unwritten::from_vec(out),
            fingerprint: Fingerprinter::new(),
            total_in: 0,
            index: None,
            index_queued: false,
        })
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.writer
    }

    /// The inner writer, mutably (writing to it directly corrupts the file and its index).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// Write the compressed bytes the writer has not accepted yet. On an error, what it did
    /// accept is remembered (and fingerprinted) and the rest is kept for the next call.
    fn write_pending(&mut self) -> io::Result<()> {
        let fingerprint = &mut self.fingerprint;
        self.out
            .write_to(&mut self.writer, |taken| fingerprint.update(taken))
    }

    /// End the frame and write all of it; the index is made once the writer has accepted the
    /// whole frame (it fingerprints the bytes written). Can be called again after an error.
    fn end(&mut self) -> Result<&SeekIndex, Error> {
        if self.index.is_none() {
            self.write_pending()?;
            if self.compressor.is_open() {
                self.compressor.end(&mut self.out.buf)?;
            }
            self.write_pending()?;
            let builder = self
                .compressor
                .take_index_builder()
                .ok_or(Error::InvalidState("index recording was switched off"))?;
            self.index = Some(builder.finish(
                self.fingerprint.len(),
                self.fingerprint.finish(),
                self.total_in,
            ));
        }
        self.index
            .as_ref()
            .ok_or(Error::InvalidState("the index was not made"))
    }

    /// End the frame, append the index as a skippable frame and flush the writer, keeping the
    /// encoder: after an error of the writer (say `WouldBlock`) call it again; it goes on where
    /// it stopped, writing no byte twice (the zstd-rs idiom; [`Self::finish`] consumes the
    /// encoder). Writing after it is an error ([`Error::InvalidState`]).
    pub fn try_finish(&mut self) -> Result<(), Error> {
        if !self.index_queued {
            let embedded = self.end()?.to_embedded();
            self.out.buf.extend_from_slice(&embedded);
            self.index_queued = true;
        }
        self.write_pending()?;
        self.writer.flush()?;
        Ok(())
    }

    /// End the frame, append the index as a skippable frame and return the writer (see
    /// [`Self::try_finish`] to retry after an error of the writer).
    pub fn finish(mut self) -> Result<W, Error> {
        self.try_finish()?;
        Ok(self.writer)
    }

    /// End the frame and return the writer and the index (for a sidecar file:
    /// [`SeekIndex::to_sidecar`]); nothing is appended to the data.
    pub fn finish_sidecar(mut self) -> Result<(W, SeekIndex), Error> {
        if self.index_queued {
            return Err(Error::InvalidState(
                "the index was already appended by try_finish",
            ));
        }
        self.end()?;
        self.writer.flush()?;
        let index = self
            .index
            .take()
            .ok_or(Error::InvalidState("the index was not made"))?;
        Ok((self.writer, index))
    }
}

impl<W: Write> Write for SeekableEncoder<W> {
    /// Takes up to one block of `buf` and returns how much it took, as
    /// [`crate::FrameEncoder`]'s `write` does: compressed bytes left over by an earlier call
    /// are written first; if that fails, the error is returned and nothing of `buf` is taken.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_pending()?;
        let take = buf
            .len()
            .min(self.compressor.settings().get_block_size().bytes());
        self.compressor.update(&buf[..take], &mut self.out.buf)?;
        self.total_in += take as u64;
        // The input is taken now: an error of the writer is reported by the next call, which
        // writes these bytes first.
        let _ = self.write_pending();
        Ok(take)
    }

    /// Compresses the pending partial block and flushes the writer, so everything written so
    /// far can be decoded, as [`crate::FrameEncoder`]'s `flush` does.
    fn flush(&mut self) -> io::Result<()> {
        if self.compressor.is_open() {
            self.compressor.flush(&mut self.out.buf)?;
        }
        self.write_pending()?;
        self.writer.flush()
    }
}

/// Buffered input with an absolute position, for the indexing pass.
struct Input<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// File offset of `buf[pos]`.
    offset: u64,
    /// Fingerprint of the bytes consumed.
    fp: Fingerprinter,
}

const READ_CHUNK: usize = 256 * 1024;

impl<R: Read> Input<R> {
    /// Make `n` bytes available at `buf[pos..]`; false when the reader ends first (the bytes
    /// there are then all that is left).
    fn fill(&mut self, n: usize) -> io::Result<bool> {
        if self.end - self.pos >= n {
            return Ok(true);
        }
        if self.buf.len() - self.pos < n {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
            if self.buf.len() < n.max(READ_CHUNK) {
                self.buf.resize(n.max(READ_CHUNK), 0);
            }
        }
        while self.end - self.pos < n {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    fn take(&mut self, n: usize, context: &'static str) -> Result<&[u8], Error> {
        if !self.fill(n)? {
            return Err(Error::Truncated {
                offset: self.offset + (self.end - self.pos) as u64,
                context,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.fp.update(s);
        self.pos += n;
        self.offset += n as u64;
        Ok(s)
    }

    /// Whether the input continues with an embedded seek index that ends the stream (which is
    /// then not part of the indexed data).
    fn is_trailing_index(&mut self) -> io::Result<bool> {
        if !self.fill(8)? {
            return Ok(false);
        }
        let b = &self.buf[self.pos..self.pos + 8];
        let magic = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let size = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
        if magic != super::INDEX_FRAME_MAGIC || size > 256 << 20 {
            return Ok(false);
        }
        let more = self.fill(8 + size + 1)?;
        Ok(!more && self.end - self.pos == 8 + size)
    }

    fn skip(&mut self, mut n: u64, context: &'static str) -> Result<(), Error> {
        while n > 0 {
            let step = n.min(READ_CHUNK as u64) as usize;
            self.take(step, context)?;
            n -= step as u64;
        }
        Ok(())
    }
}

/// Build the seek index of an existing `.lz4` stream (every frame, skippable frames skipped,
/// legacy frames included) in one pass over `reader`.
///
/// Independent-block and legacy frames are not decoded: a size-only walk over each block's
/// sequence tokens ([`super::block_decompressed_size`]) gives the decompressed offsets, which is
/// faster than decoding. Linked-block frames are decoded once, recording a restart point with
/// its window every [`IndexOptions::restart_interval`] bytes. Codecs come from `G` (`Auto`).
///
/// If the stream already ends in an embedded index, pass only the data before it (or use the
/// index as it is).
pub fn build_index<R: Read>(reader: R, options: &IndexOptions) -> Result<SeekIndex, Error> {
    build_index_with_codec(reader, options, crate::registry::auto())
}

fn build_index_with_codec<R: Read>(
    reader: R,
    options: &IndexOptions,
    codec: &'static dyn BlockCodec,
) -> Result<SeekIndex, Error> {
    let mut input = Input {
        reader,
        buf: Vec::new(),
        pos: 0,
        end: 0,
        offset: 0,
        fp: Fingerprinter::new(),
    };
    let mut builder = IndexBuilder::new(codec, options);
    let dict = options.dictionary.as_ref();
    let dict_len = dict.map_or(0, |x| x.bytes().len());
    let mut walker = FrameWalker::new();
    // Decompressed offset, and the current frame's output (independent and legacy frames).
    let mut d = 0u64;
    let mut frame_out = 0u64;
    loop {
        if walker.in_skippable_content() {
            let n = walker.need();
            input.skip(n as u64, "a skippable frame")?;
            walker.skip(n);
            continue;
        }
        let n = walker.need();
        let at = input.offset;
        let may_end = walker.between_frames() || walker.may_end(0);
        if !input.fill(n)? {
            let available = input.end - input.pos;
            if available == 0 && may_end {
                break;
            }
            return Err(walker
                .check_end(available, at + available as u64)
                .err()
                .unwrap_or(Error::Truncated {
                    offset: at + available as u64,
                    context: "a frame",
                }));
        }
        // An embedded index that ends the input is not part of the indexed data.
        if may_end && input.is_trailing_index()? {
            break;
        }
        let unit = input.take(n, "a frame")?;
        match walker.accept(unit, at)? {
            Unit::FrameStart => {
                let Some(info) = walker.frame().cloned() else {
                    return Err(Error::InvalidState("frame start without a header"));
                };
                let legacy = info.kind == FrameKind::Legacy;
                builder.frame_start(at + n as u64 - info.header_len as u64, d, legacy);
                frame_out = 0;
                if let (Some(dict_id), None) = (info.dict_id, dict) {
                    return Err(Error::DictionaryMissing {
                        frame: walker.frame_number(),
                        dict_id,
                    });
                }
                if info.is_linked() {
                    // Decode, recording restart points with their windows.
                    let engine = Engine::restart(
                        Some((walker.descriptor().to_vec(), info)),
                        dict.map(|x| x.bytes().to_vec()).unwrap_or_default(),
                        input.offset,
                        d,
                        walker.frame_number(),
                        0,
                    );
                    (walker, d) =
                        decode_linked_frame(engine, &mut input, &mut builder, codec, dict)?;
                }
            }
            Unit::Block {
                header_at,
                data,
                raw,
                ..
            } => {
                let frame = walker.frame();
                let legacy = frame.is_some_and(|f| f.kind == FrameKind::Legacy);
                let max = frame.map_or(LEGACY_BLOCK_SIZE, FrameInfo::block_max_size);
                builder.block(header_at, d, legacy);
                let n = if raw {
                    data.len()
                } else {
                    let history = if legacy { 0 } else { dict_len };
                    block_decompressed_size(data, history, max).map_err(|source| {
                        Error::CorruptBlock {
                            offset: header_at,
                            frame: walker.frame_number(),
                            source,
                        }
                    })?
                };
                d += n as u64;
                frame_out += n as u64;
            }
            Unit::FrameEnd { .. } => {
                if let Some(cs) = walker.frame().and_then(|f| f.content_size) {
                    if cs != frame_out {
                        return Err(Error::ContentSizeMismatch {
                            offset: at,
                            frame: walker.frame_number(),
                            declared: cs,
                            actual: frame_out,
                        });
                    }
                }
            }
            Unit::Header | Unit::Skippable { .. } => {}
        }
    }
    if walker.frame_number() == 0 {
        return Err(Error::Truncated {
            offset: input.offset,
            context: "the first frame's magic number",
        });
    }
    Ok(builder.finish(input.offset, input.fp.finish(), d))
}

/// Decode a linked frame's body from `input` with `engine` (restarted at its first block
/// header), recording a restart point with its window every restart interval. Returns the
/// walker after the frame and the decompressed offset there.
fn decode_linked_frame<R: Read>(
    engine: Engine,
    input: &mut Input<R>,
    builder: &mut IndexBuilder,
    codec: &'static dyn BlockCodec,
    dict: Option<&Dictionary>,
) -> Result<(FrameWalker, u64), Error> {
    let mut engine = engine.restart_with_checksum();
    // Only the window is wanted: each block is decoded in place after its history in the
    // window's buffer (no output buffer, no copy of the window per block).
    engine.set_blocks_into_window(true);
    let mut out = ReusableBuf::default();
    loop {
        if engine.at_block_boundary()
            && engine.stage() == Stage::BlockHeader
            && builder.wants_restart(engine.decompressed_position())
        {
            builder.linked_block(
                engine.compressed_position(),
                engine.decompressed_position(),
                engine.window(),
            );
        }
        let need = engine.need();
        let at = input.offset;
        if !input.fill(need)? {
            let available = input.end - input.pos;
            return Err(engine
                .walker()
                .check_end(available, at + available as u64)
                .err()
                .unwrap_or(Error::Truncated {
                    offset: at + available as u64,
                    context: "a block",
                }));
        }
        let unit = input.take(need, "a block")?;
        out.clear();
        out.begin_call();
        engine.feed(codec, dict, unit, &mut out)?;
        // Nothing reads the block's output from the window: let it slide away.
        engine.take_window_output();
        if engine.walker().between_frames() {
            return Ok((engine.walker().clone(), engine.decompressed_position()));
        }
    }
}
