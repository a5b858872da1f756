//! The frame decoder's state machine, shared by [`crate::Decompressor`] and
//! [`crate::FrameDecoder`]: the [`FrameWalker`] (which unit comes next, what it says) plus
//! what decoding needs — the running content checksum, the 64 KiB window of linked frames,
//! positions, and the part of a unit that arrived so far.
//!
//! The input is read as a sequence of *units* (a magic number, a descriptor, a block header,
//! a block with its checksum, a content checksum, a skippable frame's size); only the part of
//! a unit that arrived so far is kept (`pending`), and a unit that lies whole in the caller's
//! input is processed in place, without copying. Between units the state is a handful of
//! integers, the running content checksum and (for linked frames) the window: what a
//! checkpoint stores.

use crate::codec::{AppendHistory, BlockCodec, BlockError, WINDOW_SIZE};
use crate::error::Error;
use crate::frame::{FrameInfo, FrameKind};
use crate::output::{HandOut, Output};
use crate::settings::Dictionary;
use crate::walk::{FrameWalker, Stage, Unit};
use crate::window::Window;
use crate::xxh32::{xxh32, Xxh32};

/// What one [`crate::Decompressor::decompress`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Input bytes consumed (always all of the input given, unless an error was returned).
    pub consumed: usize,
    /// How many more input bytes would complete the unit being read (a block header, a
    /// block, …): a good size for the next read. 0 when every frame of the input so far is
    /// complete (the input may end here).
    pub hint: usize,
}

/// The decoder state proper: plain data, cloned and serialized as it is.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    walker: FrameWalker,
    content_hash: Option<Xxh32>,
    /// The bytes of the current unit that arrived so far.
    pending: Vec<u8>,
    /// Linked frames: the last ≤ 64 KiB of the frame's output (or of the dictionary), as of
    /// the end of the last call; blocks decoded into it ([`Engine::set_blocks_into_window`])
    /// end its buffer.
    window: Window,
    /// Input bytes consumed in all.
    compressed_position: u64,
    /// Output bytes produced in all.
    decompressed_position: u64,
    /// Output bytes of the current frame.
    frame_decompressed: u64,
    /// Whether checksums are verified.
    verify: bool,
    /// An error was returned: the state is not trustworthy any more.
    failed: bool,
    /// Random access: output is needed only up to this decompressed position, so the block
    /// that reaches it may be decoded in part (not part of the persistent state).
    prefix_limit: Option<u64>,
    /// The last block was decoded only in part ([`Engine::prefix_limit`]): the state cannot go
    /// on (`failed` is set too).
    truncated: bool,
    /// The current frame's blocks are handed out to the output ([`Output::hand_out`]), which
    /// then also checks its output size and content checksum. Not part of the persistent
    /// state.
    handing_out: bool,
    /// Within one call: how many bytes of the call's frame output were already appended to
    /// `window` (not part of the persistent state; 0 between calls).
    window_synced: usize,
    /// Blocks of linked frames are decoded into `window`'s buffer, in place after their
    /// history, rather than into the output ([`Engine::set_blocks_into_window`]). Not part of
    /// the persistent state.
    blocks_into_window: bool,
    /// Bytes decoded into `window` since the last [`Engine::take_window_output`]: the end of
    /// [`Window::recent`].
    window_output: usize,
}

/// The persistent part of an [`Engine`], as a checkpoint stores it.
pub(crate) struct EngineParts {
    pub(crate) walker: FrameWalker,
    pub(crate) content_hash: Option<Xxh32>,
    pub(crate) pending: Vec<u8>,
    pub(crate) window: Vec<u8>,
    pub(crate) compressed_position: u64,
    pub(crate) decompressed_position: u64,
    pub(crate) frame_decompressed: u64,
    pub(crate) verify: bool,
    pub(crate) failed: bool,
}

impl Engine {
    pub(crate) fn new() -> Self {
        Engine::from_parts(EngineParts {
            walker: FrameWalker::new(),
            content_hash: None,
            pending: Vec::new(),
            window: Vec::new(),
            compressed_position: 0,
            decompressed_position: 0,
            frame_decompressed: 0,
            verify: true,
            failed: false,
        })
    }

    /// An engine from its persistent parts (a checkpoint, checked by the caller).
    pub(crate) fn from_parts(p: EngineParts) -> Self {
        Engine {
            walker: p.walker,
            content_hash: p.content_hash,
            pending: p.pending,
            window: Window::from_vec(p.window),
            compressed_position: p.compressed_position,
            decompressed_position: p.decompressed_position,
            frame_decompressed: p.frame_decompressed,
            verify: p.verify,
            failed: p.failed,
            prefix_limit: None,
            truncated: false,
            handing_out: false,
            window_synced: 0,
            blocks_into_window: false,
            window_output: 0,
        }
    }

    /// A state at a restart point of a seek index: at the start of a frame, or at a block
    /// boundary of the frame `frame` (number `frame_number`) with `window` (linked frames: the
    /// last ≤ 64 KiB of the frame's output; `frame_decompressed`: the frame's output before the
    /// restart point). A state restarted inside a frame has no running content checksum, so
    /// that frame's content checksum is not verified.
    pub(crate) fn restart(
        frame: Option<(Vec<u8>, FrameInfo)>,
        window: Vec<u8>,
        compressed_position: u64,
        decompressed_position: u64,
        frame_number: u64,
        frame_decompressed: u64,
    ) -> Self {
        let inside = frame.is_some();
        let mut e = Engine::new();
        e.walker = FrameWalker::at_restart(frame, frame_number, true);
        e.compressed_position = compressed_position;
        e.decompressed_position = decompressed_position;
        if inside {
            e.frame_decompressed = frame_decompressed;
            e.window = Window::from_vec(window);
        }
        e
    }

    /// A state at the start of a frame for the index builder's decoding pass: that frame's
    /// content checksum is computed (not verified by a caller that does not read it).
    pub(crate) fn restart_with_checksum(mut self) -> Self {
        if self.walker.frame().is_some_and(|f| f.content_checksum) {
            self.content_hash = Some(Xxh32::new(0));
        }
        self
    }

    pub(crate) fn walker(&self) -> &FrameWalker {
        &self.walker
    }

    pub(crate) fn stage(&self) -> Stage {
        self.walker.stage()
    }

    pub(crate) fn frame(&self) -> Option<&FrameInfo> {
        self.walker.frame()
    }

    pub(crate) fn frame_number(&self) -> u64 {
        self.walker.frame_number()
    }

    pub(crate) fn content_hash(&self) -> Option<&Xxh32> {
        self.content_hash.as_ref()
    }

    pub(crate) fn pending(&self) -> &[u8] {
        &self.pending
    }

    pub(crate) fn window(&self) -> &[u8] {
        self.window.as_slice()
    }

    /// Decode the blocks of linked frames into the window's buffer, each in place right after
    /// its history, instead of into the output (`on`), or into the output (the default). The
    /// decoded bytes are then the last [`Engine::take_window_output`] bytes of
    /// [`Engine::window_recent`]; they stay there until the next block is decoded. For a reader
    /// that hands out small pieces: in place decoding without a copy of the window per block.
    pub(crate) fn set_blocks_into_window(&mut self, on: bool) {
        self.blocks_into_window = on;
    }

    /// How many bytes were decoded into the window since the last call (they end
    /// [`Engine::window_recent`]), resetting the count.
    pub(crate) fn take_window_output(&mut self) -> usize {
        std::mem::take(&mut self.window_output)
    }

    /// The output the window's buffer holds, oldest first (its last ≤ 64 KiB are the window).
    pub(crate) fn window_recent(&self) -> &[u8] {
        self.window.recent()
    }

    pub(crate) fn compressed_position(&self) -> u64 {
        self.compressed_position
    }

    pub(crate) fn decompressed_position(&self) -> u64 {
        self.decompressed_position
    }

    pub(crate) fn frame_decompressed(&self) -> u64 {
        self.frame_decompressed
    }

    pub(crate) fn verifies(&self) -> bool {
        self.verify
    }

    pub(crate) fn has_failed(&self) -> bool {
        self.failed
    }

    /// Whether checksums (header, block, content) are verified.
    pub(crate) fn set_verify(&mut self, verify: bool) {
        self.verify = verify;
        self.walker = self.walker.clone().verify_header_checksums(verify);
    }

    /// Random access: only output up to decompressed position `limit` is needed.
    pub(crate) fn set_prefix_limit(&mut self, limit: Option<u64>) {
        self.prefix_limit = limit;
    }

    /// Whether the last block was decoded only in part ([`Engine::set_prefix_limit`]).
    pub(crate) fn was_cut_short(&self) -> bool {
        self.truncated
    }

    /// Bytes of the current unit in all (`None` for skippable content).
    pub(crate) fn unit_len(&self) -> Option<usize> {
        self.walker.unit_len()
    }

    /// Whether the input may end here: between frames (after at least one), or between legacy
    /// blocks.
    pub(crate) fn is_complete(&self) -> bool {
        self.walker.may_end(self.pending.len())
    }

    /// Whether the next unit is a whole block (nothing of it pending) of a frame whose blocks
    /// are handed out to the output ([`Output::hands_out_blocks`]).
    pub(crate) fn next_unit_is_handed_out_block(&self) -> bool {
        self.handing_out
            && self.pending.is_empty()
            && matches!(
                self.walker.stage(),
                Stage::Block { .. } | Stage::LegacyBlock { .. }
            )
    }

    /// Whether the state sits between two units that are blocks, frames or frame parts, with no
    /// partial unit pending.
    pub(crate) fn at_block_boundary(&self) -> bool {
        self.pending.is_empty()
            && matches!(
                self.walker.stage(),
                Stage::Magic | Stage::BlockHeader | Stage::LegacyBlockHeader
            )
    }

    /// Bytes that would complete the unit being read.
    pub(crate) fn need(&self) -> usize {
        self.walker.need() - self.pending.len()
    }

    /// How much input a reader should gather before the next feed: the rest of the current
    /// unit, but at most 64 KiB of a skippable frame's content (which may claim up to 4 GiB and
    /// is consumed in pieces rather than buffered).
    pub(crate) fn want_input(&self) -> usize {
        if self.walker.in_skippable_content() {
            self.walker.need().min(64 * 1024)
        } else {
            self.need()
        }
        .max(1)
    }

    pub(crate) fn hint(&self) -> usize {
        if self.is_complete() {
            0
        } else {
            self.need()
        }
    }

    /// The error for input that ends here ([`Error::Truncated`], or [`Error::TrailingData`]
    /// after complete frames), or Ok when it may end here.
    pub(crate) fn check_complete(&self) -> Result<(), Error> {
        self.walker
            .check_end(self.pending.len(), self.compressed_position)
    }

    /// Feed `input`; decoded bytes go to `out`. All of `input` is consumed unless an error is
    /// returned.
    pub(crate) fn feed(
        &mut self,
        codec: &dyn BlockCodec,
        dict: Option<&Dictionary>,
        input: &[u8],
        out: &mut dyn Output,
    ) -> Result<Status, Error> {
        out.begin_call();
        let r = self.feed_units(codec, dict, input, out);
        self.end_call(&*out);
        r
    }

    /// Feed `input` within a decoding call that spans several feeds into one output (begun
    /// with `out.begin_call()`, ended with [`Engine::end_call`]): the output's bytes of the
    /// whole call stay history, and the window is synced once, at the end, rather than after
    /// every feed (a copy of up to 64 KiB each time).
    pub(crate) fn feed_units(
        &mut self,
        codec: &dyn BlockCodec,
        dict: Option<&Dictionary>,
        input: &[u8],
        out: &mut dyn Output,
    ) -> Result<Status, Error> {
        if self.failed {
            return Err(Error::InvalidState(
                "the decompressor returned an error before; start a new one",
            ));
        }
        match self.feed_inner(codec, dict, input, out) {
            Ok(()) => Ok(Status {
                consumed: input.len(),
                hint: self.hint(),
            }),
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }

    /// End a decoding call: the window is the last 64 KiB of the linked frame's output again.
    pub(crate) fn end_call(&mut self, out: &dyn Output) {
        self.sync_window(out);
    }

    fn feed_inner(
        &mut self,
        codec: &dyn BlockCodec,
        dict: Option<&Dictionary>,
        input: &[u8],
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        let mut pos = 0;
        // A unit of zero bytes (an empty stored block) is processed even at the end of the input.
        while pos < input.len() || self.unit_len() == Some(0) {
            if self.walker.in_skippable_content() {
                let take = self.walker.skip(input.len() - pos);
                pos += take;
                self.compressed_position += take as u64;
                continue;
            }
            let need = self.unit_len().unwrap_or(0);
            let unit_start = self.compressed_position - self.pending.len() as u64;
            if self.pending.is_empty() && input.len() - pos >= need {
                let unit = &input[pos..pos + need];
                pos += need;
                self.compressed_position += need as u64;
                self.process(codec, dict, unit, unit_start, out)?;
            } else {
                let take = (need - self.pending.len()).min(input.len() - pos);
                self.pending.extend_from_slice(&input[pos..pos + take]);
                pos += take;
                self.compressed_position += take as u64;
                if self.pending.len() == need {
                    let unit = std::mem::take(&mut self.pending);
                    let r = self.process(codec, dict, &unit, unit_start, out);
                    self.pending = unit;
                    self.pending.clear();
                    r?;
                }
            }
        }
        Ok(())
    }

    /// Handle one complete unit, read at input offset `at`.
    fn process(
        &mut self,
        codec: &dyn BlockCodec,
        dict: Option<&Dictionary>,
        unit: &[u8],
        at: u64,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        match self.walker.accept(unit, at)? {
            Unit::Header | Unit::Skippable { .. } => Ok(()),
            Unit::FrameStart => self.open_frame(dict, out),
            Unit::Block {
                header_at,
                data,
                raw,
                checksum,
                ..
            } => {
                if let (true, Some(stored)) = (self.verify, checksum) {
                    if xxh32(data, 0) != stored {
                        return Err(Error::BlockChecksum {
                            offset: header_at,
                            frame: self.walker.frame_number(),
                        });
                    }
                }
                let legacy = self
                    .walker
                    .frame()
                    .is_some_and(|f| f.kind == FrameKind::Legacy);
                if self.handing_out {
                    out.hand_out(HandOut::Block {
                        data,
                        raw,
                        header_at,
                        frame: self.walker.frame_number(),
                        max: self.walker.frame().map_or(0, FrameInfo::block_max_size),
                        dictionary: !legacy,
                    });
                    Ok(())
                } else {
                    let dict = if legacy { None } else { dict };
                    self.decode_block(codec, dict, data, raw, header_at, out)
                }
            }
            Unit::FrameEnd { checksum } => {
                if self.handing_out {
                    out.hand_out(HandOut::FrameEnd { at, checksum });
                    self.handing_out = false;
                    self.window.clear();
                    return Ok(());
                }
                if let Some(found) = checksum {
                    let expected = self.content_hash.as_ref().map_or(found, Xxh32::digest);
                    if self.verify && found != expected {
                        return Err(Error::ContentChecksum {
                            offset: at,
                            frame: self.walker.frame_number(),
                            expected,
                            found,
                        });
                    }
                }
                self.end_frame(at)
            }
        }
    }

    /// A standard or legacy frame begins (the walker has read its header).
    fn open_frame(&mut self, dict: Option<&Dictionary>, out: &mut dyn Output) -> Result<(), Error> {
        let Some(info) = self.walker.frame() else {
            return Err(Error::InvalidState("frame start without a header"));
        };
        let number = self.walker.frame_number();
        if let Some(want) = info.dict_id {
            match dict {
                None => {
                    return Err(Error::DictionaryMissing {
                        frame: number,
                        dict_id: want,
                    })
                }
                Some(d) if d.id() != 0 && d.id() != want => {
                    return Err(Error::DictionaryMismatch {
                        frame: number,
                        expected: want,
                        found: d.id(),
                    })
                }
                Some(_) => {}
            }
        }
        let linked = info.is_linked();
        self.handing_out = out.hands_out_blocks() && !linked;
        if self.handing_out {
            out.hand_out(HandOut::FrameStart {
                frame: number,
                checksum: info.content_checksum && self.verify,
                content_size: info.content_size,
            });
        }
        // A handed-out frame's content checksum is computed by whoever decodes its blocks.
        self.content_hash = (info.content_checksum && !self.handing_out).then(|| Xxh32::new(0));
        self.frame_decompressed = 0;
        self.window.clear();
        self.window_synced = 0;
        if linked {
            if let Some(d) = dict {
                self.window.append(d.bytes());
            }
        }
        out.start_frame();
        Ok(())
    }

    fn end_frame(&mut self, at: u64) -> Result<(), Error> {
        if let Some(declared) = self.walker.frame().and_then(|f| f.content_size) {
            if declared != self.frame_decompressed {
                return Err(Error::ContentSizeMismatch {
                    offset: at,
                    frame: self.walker.frame_number(),
                    declared,
                    actual: self.frame_decompressed,
                });
            }
        }
        self.content_hash = None;
        self.window.clear();
        Ok(())
    }

    /// Decode (or copy) one block into `out`.
    fn decode_block(
        &mut self,
        codec: &dyn BlockCodec,
        dict: Option<&Dictionary>,
        data: &[u8],
        raw: bool,
        header_at: u64,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        let Some(frame) = self.walker.frame() else {
            return Err(Error::InvalidState("block outside a frame"));
        };
        let linked = frame.is_linked();
        // Always the frame's block size, never less: the reference decoder's rules for the end of
        // a block are measured against the destination's capacity, so a smaller destination
        // would refuse blocks that every other decoder (and LZ4F) accepts.
        let room = if raw {
            data.len()
        } else {
            frame.block_max_size()
        };
        // Random access: the bytes still wanted of this block, if only a prefix is needed.
        let want = match self.prefix_limit {
            Some(limit) if limit <= self.decompressed_position => {
                // Reached: whole blocks from here on.
                self.prefix_limit = None;
                None
            }
            Some(limit) if !raw => {
                Some(usize::try_from(limit - self.decompressed_position).unwrap_or(usize::MAX))
            }
            _ => None,
        };
        let into_window = linked && self.blocks_into_window;
        let result = if into_window {
            // In the window's buffer, right after the history: in place.
            let (buf, start) = self.window.reserve(room, self.window_output);
            let r = decode_into(codec, data, raw, want, buf, start, None);
            if let (Ok(n), Some(h)) = (&r, &mut self.content_hash) {
                h.update(&buf[start..start + n]);
            }
            match r {
                Ok(n) => self.window.commit(n),
                Err(_) => self.window.commit(0),
            }
            if let Ok(n) = r {
                self.window_output += n;
            }
            r
        } else if let Some((vec, frame_start)) = out.as_vec() {
            // Appended to the vector, in its spare capacity (no byte initialised before the
            // decoder writes it).
            let len = vec.len();
            let start = len - frame_start;
            let history = if !linked {
                AppendHistory::Separate(dict.map_or(&[][..], |d| d.bytes()))
            } else if start >= WINDOW_SIZE || self.window.is_empty() {
                // As below: the whole history is in the vector, in place.
                AppendHistory::InVec { from: frame_start }
            } else {
                if start > 0 {
                    self.window
                        .append(&vec[frame_start + self.window_synced.min(start)..]);
                    self.window_synced = start;
                }
                AppendHistory::Separate(self.window.as_slice())
            };
            let r = if raw {
                vec.extend_from_slice(data);
                Ok(data.len())
            } else {
                match codec.decompress_append(data, history, vec, room, want) {
                    Ok(n) if n <= room && vec.len() == len + n => Ok(n),
                    Ok(_) => {
                        vec.truncate(len);
                        Err(BlockError::OutputTooSmall)
                    }
                    Err(e) => Err(e),
                }
            };
            if let (Ok(n), Some(h)) = (&r, &mut self.content_hash) {
                h.update(&vec[len..len + n]);
            }
            r
        } else {
            let (buf, start) = out.reserve(room);
            let history = if !linked {
                Some(dict.map_or(&[][..], |d| d.bytes()))
            } else if start >= WINDOW_SIZE || self.window.is_empty() {
                // The whole history is this frame's output before the block, in the buffer (at
                // least 64 KiB of it, or all there is: nothing came before this call): in place.
                None
            } else {
                if start > 0 {
                    // Part of the history is this call's output, part the saved window: make
                    // it contiguous in the window (only until this call has produced 64 KiB).
                    self.window
                        .append(&buf[self.window_synced.min(start)..start]);
                    self.window_synced = start;
                }
                Some(self.window.as_slice())
            };
            let r = decode_into(codec, data, raw, want, buf, start, history);
            if let (Ok(n), Some(h)) = (&r, &mut self.content_hash) {
                h.update(&buf[start..start + n]);
            }
            out.commit(*r.as_ref().unwrap_or(&0));
            r
        };
        let written = match result {
            Ok(n) => n,
            Err(source) => {
                return Err(Error::CorruptBlock {
                    offset: header_at,
                    frame: self.walker.frame_number(),
                    source,
                });
            }
        };
        if want.is_some_and(|w| written >= w) {
            // Possibly cut short: the output so far is right, but nothing can follow it.
            self.truncated = true;
            self.failed = true;
        }
        self.frame_decompressed += written as u64;
        self.decompressed_position += written as u64;
        if let Some(declared) = self.walker.frame().and_then(|f| f.content_size) {
            if self.frame_decompressed > declared {
                return Err(Error::ContentSizeMismatch {
                    offset: header_at,
                    frame: self.walker.frame_number(),
                    declared,
                    actual: self.frame_decompressed,
                });
            }
        }
        Ok(())
    }

    /// At the end of a call: make `window` the last 64 KiB of the linked frame's output again.
    fn sync_window(&mut self, out: &dyn Output) {
        // Only inside a linked frame's body: once it has ended, the walker still describes it
        // while the next frame's magic, descriptor or a skippable frame is read, and its output
        // must not come back as a window (a checkpoint there would be refused).
        if self.walker.in_linked_frame() && self.walker.in_frame_body() {
            let tail = out.frame_output();
            self.window
                .append(&tail[self.window_synced.min(tail.len())..]);
        }
        self.window_synced = 0;
    }
}

/// Decode (or copy, `raw`) one block `data` into `buf[start..]`, after its history: `None`, the
/// bytes before `start` in `buf` (in place), or a separate slice. `want`: only that many bytes
/// are needed (random access). Returns the bytes written, at most `buf.len() - start`.
fn decode_into(
    codec: &dyn BlockCodec,
    data: &[u8],
    raw: bool,
    want: Option<usize>,
    buf: &mut [u8],
    start: usize,
    history: Option<&[u8]>,
) -> Result<usize, BlockError> {
    let cap = buf.len() - start;
    if raw {
        // The room reserved for a stored block is its size.
        buf[start..start + data.len()].copy_from_slice(data);
        return Ok(data.len());
    }
    let decoded = match (history, want) {
        (None, Some(want)) => codec.decompress_prefix_in_place(data, buf, start, want),
        (None, None) => codec.decompress_in_place(data, buf, start),
        (Some(h), Some(want)) => codec.decompress_prefix(data, h, &mut buf[start..], want),
        (Some(h), None) => codec.decompress(data, h, &mut buf[start..]),
    };
    match decoded {
        Ok(n) if n <= cap => Ok(n),
        Ok(_) => Err(BlockError::OutputTooSmall),
        Err(e) => Err(e),
    }
}
