//! The frame decoder's state machine, shared by [`crate::Decompressor`] and
//! [`crate::FrameDecoder`].
//!
//! The state machine reads the input as a sequence of *units* — a magic number, a descriptor,
//! a block header, a block (with its checksum), a content checksum, a skippable frame's size —
//! and keeps only the part of a unit that arrived so far (`pending`). A unit that lies whole in
//! the caller's input is processed in place, without copying. Between units the state is a
//! handful of integers, the running content checksum and (for linked frames) the 64 KiB window
//! of recent output; that is what a checkpoint stores.

use crate::codec::{BlockCodec, WINDOW_SIZE};
use crate::error::Error;
use crate::frame::{
    ends_legacy_frame, is_skippable, FrameInfo, FrameKind, LEGACY_MAGIC, MAGIC, UNCOMPRESSED_FLAG,
};
use crate::output::{HandOut, Output};
use crate::settings::{BlockMode, Dictionary};
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

/// Where the state machine is: which unit it reads next. The numeric codes are those stored in
/// checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Code 0: four bytes of a magic number (the start of a frame).
    Magic,
    /// Code 1: the FLG byte of a standard frame's descriptor.
    DescriptorFlg,
    /// Code 2: the rest of the descriptor (`len` bytes in all, FLG included).
    DescriptorRest {
        /// Descriptor length, FLG included.
        len: u8,
    },
    /// Code 3: a block header or end mark.
    BlockHeader,
    /// Code 4: a block's stored bytes (and its checksum if the frame has block checksums).
    Block {
        /// Stored size of the block.
        size: u32,
        /// Stored uncompressed.
        raw: bool,
    },
    /// Code 5: the content checksum.
    ContentChecksum,
    /// Code 6: a skippable frame's size field.
    SkippableSize,
    /// Code 7: skippable frame content still to skip.
    Skip {
        /// Bytes left to skip.
        remaining: u32,
    },
    /// Code 8: a legacy block's size field (or the magic number of the next frame).
    LegacyBlockHeader,
    /// Code 9: a legacy block.
    LegacyBlock {
        /// Compressed size.
        size: u32,
    },
}

/// The decoder state proper: plain data, cloned and serialized as it is.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    pub(crate) stage: Stage,
    /// The current (or last) frame's descriptor bytes as read, FLG through header checksum.
    pub(crate) descriptor: Vec<u8>,
    pub(crate) frame: Option<FrameInfo>,
    pub(crate) content_hash: Option<Xxh32>,
    /// The bytes of the current unit that arrived so far.
    pub(crate) pending: Vec<u8>,
    /// Linked frames: the last ≤ 64 KiB of the frame's output (or of the dictionary), as of
    /// the end of the last call.
    pub(crate) window: Vec<u8>,
    /// Input bytes consumed in all.
    pub(crate) compressed_position: u64,
    /// Output bytes produced in all.
    pub(crate) decompressed_position: u64,
    /// Frames begun so far (the current frame's 1-based number).
    pub(crate) frame_index: u64,
    /// Output bytes of the current frame.
    pub(crate) frame_decompressed: u64,
    /// Whether checksums are verified.
    pub(crate) verify: bool,
    /// An error was returned: the state is not trustworthy any more.
    pub(crate) failed: bool,
    /// Random access: output is needed only up to this decompressed position, so the block
    /// that reaches it may be decoded in part (not part of the persistent state).
    pub(crate) prefix_limit: Option<u64>,
    /// The last block was decoded only in part ([`Engine::prefix_limit`]): the state cannot go
    /// on (`failed` is set too).
    pub(crate) truncated: bool,
    /// The current frame's blocks are handed out to the output ([`Output::hand_out`]), which
    /// then also checks its output size and content checksum. Not part of the persistent
    /// state.
    handing_out: bool,
    /// Within one call: how many bytes of the call's frame output were already appended to
    /// `window` (not part of the persistent state; 0 between calls).
    pub(crate) window_synced: usize,
}

impl Engine {
    pub(crate) fn new() -> Self {
        Engine {
            stage: Stage::Magic,
            descriptor: Vec::new(),
            frame: None,
            content_hash: None,
            pending: Vec::new(),
            window: Vec::new(),
            compressed_position: 0,
            decompressed_position: 0,
            frame_index: 0,
            frame_decompressed: 0,
            verify: true,
            failed: false,
            prefix_limit: None,
            truncated: false,
            handing_out: false,
            window_synced: 0,
        }
    }

    /// A state at a restart point of a seek index: at the start of a frame (`Stage::Magic`), or
    /// at a block boundary of the frame `frame` (`Stage::BlockHeader`, or
    /// `Stage::LegacyBlockHeader` for a legacy frame) with `window` (linked frames: the last
    /// ≤ 64 KiB of the frame's output). A state restarted inside a frame has no running content
    /// checksum, so that frame's content checksum is not verified.
    pub(crate) fn restart(
        frame: Option<(Vec<u8>, FrameInfo)>,
        window: Vec<u8>,
        compressed_position: u64,
        decompressed_position: u64,
        frame_index: u64,
        frame_decompressed: u64,
    ) -> Self {
        let mut e = Engine::new();
        e.compressed_position = compressed_position;
        e.decompressed_position = decompressed_position;
        e.frame_index = frame_index;
        if let Some((descriptor, info)) = frame {
            e.stage = if info.kind == FrameKind::Legacy {
                Stage::LegacyBlockHeader
            } else {
                Stage::BlockHeader
            };
            e.descriptor = descriptor;
            e.frame = Some(info);
            e.frame_decompressed = frame_decompressed;
            e.window = window;
        }
        e
    }

    fn block_checksum_len(&self) -> usize {
        match &self.frame {
            Some(f) if f.block_checksum => 4,
            _ => 0,
        }
    }

    /// Bytes of the current unit in all (`None` for the skip stage, which is not gathered).
    pub(crate) fn unit_len(&self) -> Option<usize> {
        Some(match self.stage {
            Stage::Magic
            | Stage::BlockHeader
            | Stage::ContentChecksum
            | Stage::SkippableSize
            | Stage::LegacyBlockHeader => 4,
            Stage::DescriptorFlg => 1,
            Stage::DescriptorRest { len } => usize::from(len) - 1,
            Stage::Block { size, .. } => size as usize + self.block_checksum_len(),
            Stage::LegacyBlock { size } => size as usize,
            Stage::Skip { .. } => return None,
        })
    }

    /// Whether the input may end here: between frames (after at least one), or between legacy
    /// blocks.
    pub(crate) fn is_complete(&self) -> bool {
        self.pending.is_empty()
            && self.frame_index > 0
            && matches!(self.stage, Stage::Magic | Stage::LegacyBlockHeader)
    }

    /// Whether the state sits between two units that are blocks, frames or frame parts, with no
    /// partial unit pending.
    pub(crate) fn at_block_boundary(&self) -> bool {
        self.pending.is_empty()
            && matches!(
                self.stage,
                Stage::Magic | Stage::BlockHeader | Stage::LegacyBlockHeader
            )
    }

    /// Bytes that would complete the unit being read.
    pub(crate) fn need(&self) -> usize {
        match self.stage {
            Stage::Skip { remaining } => remaining as usize,
            _ => self.unit_len().unwrap_or(0) - self.pending.len(),
        }
    }

    /// How much input a reader should gather before the next feed: the rest of the current
    /// unit, but at most 64 KiB of a skippable frame's content (which may claim up to 4 GiB and
    /// is consumed in pieces rather than buffered).
    pub(crate) fn want_input(&self) -> usize {
        match self.stage {
            Stage::Skip { remaining } => (remaining as usize).min(64 * 1024),
            _ => self.need(),
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

    /// The Truncated error for input that ends here, or Ok when it may end here.
    pub(crate) fn check_complete(&self) -> Result<(), Error> {
        if self.is_complete() {
            return Ok(());
        }
        // After complete frames: 1–3 bytes that cannot even hold a magic number, or a legacy
        // frame's last "block size" with not one byte of block after it (the size word that
        // boot images append to a legacy stream) are trailing data, not a truncated frame.
        let trailing = match self.stage {
            Stage::Magic if self.frame_index > 0 => Some(self.pending.len() as u64),
            Stage::LegacyBlock { .. } if self.pending.is_empty() => Some(4),
            _ => None,
        };
        if let Some(len) = trailing {
            return Err(Error::TrailingData {
                offset: self.compressed_position - len,
                frames: self.frame_index,
            });
        }
        let context = match self.stage {
            Stage::Magic if self.frame_index == 0 => "the first frame's magic number",
            Stage::Magic => "a magic number",
            Stage::DescriptorFlg | Stage::DescriptorRest { .. } => "a frame descriptor",
            Stage::BlockHeader => "a block header",
            Stage::Block { .. } => "a block",
            Stage::ContentChecksum => "a content checksum",
            Stage::SkippableSize | Stage::Skip { .. } => "a skippable frame",
            Stage::LegacyBlockHeader | Stage::LegacyBlock { .. } => "a legacy block",
        };
        Err(Error::Truncated {
            offset: self.compressed_position,
            context,
        })
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
        if self.failed {
            return Err(Error::InvalidState(
                "the decompressor returned an error before; start a new one",
            ));
        }
        out.begin_call();
        let r = self.feed_inner(codec, dict, input, out);
        self.sync_window(&*out);
        match r {
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
            if let Stage::Skip { remaining } = self.stage {
                let take = (remaining as usize).min(input.len() - pos);
                pos += take;
                self.compressed_position += take as u64;
                let left = remaining - take as u32;
                self.stage = if left == 0 {
                    Stage::Magic
                } else {
                    Stage::Skip { remaining: left }
                };
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

    /// Handle one complete unit.
    fn process(
        &mut self,
        codec: &dyn BlockCodec,
        dict: Option<&Dictionary>,
        unit: &[u8],
        at: u64,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        match self.stage {
            Stage::Magic => self.start_frame(le32(unit), at, dict, out),
            Stage::DescriptorFlg => {
                self.descriptor.clear();
                self.descriptor.push(unit[0]);
                let len = FrameInfo::descriptor_len(unit[0]);
                self.stage = Stage::DescriptorRest { len: len as u8 };
                Ok(())
            }
            Stage::DescriptorRest { .. } => {
                self.descriptor.extend_from_slice(unit);
                let info = FrameInfo::parse_descriptor(&self.descriptor, at - 1, self.verify)?;
                self.open_frame(info, dict, out)
            }
            Stage::BlockHeader => {
                let v = le32(unit);
                if v == 0 {
                    let checksum = self.frame.as_ref().is_some_and(|f| f.content_checksum);
                    if checksum {
                        self.stage = Stage::ContentChecksum;
                        Ok(())
                    } else if self.handing_out {
                        self.end_handed_out_frame(at, None, out)
                    } else {
                        self.end_frame(at)
                    }
                } else {
                    let size = v & !UNCOMPRESSED_FLAG;
                    let max = self.frame.as_ref().map_or(0, |f| f.block_max_size());
                    if size as usize > max {
                        return Err(Error::BlockTooLarge {
                            offset: at,
                            frame: self.frame_index,
                            size: u64::from(size),
                            max: max as u64,
                        });
                    }
                    self.stage = Stage::Block {
                        size,
                        raw: v & UNCOMPRESSED_FLAG != 0,
                    };
                    Ok(())
                }
            }
            Stage::Block { size, raw } => {
                let (data, checksum) = unit.split_at(size as usize);
                let header_at = at - 4;
                if self.verify && !checksum.is_empty() && xxh32(data, 0) != le32(checksum) {
                    return Err(Error::BlockChecksum {
                        offset: header_at,
                        frame: self.frame_index,
                    });
                }
                if self.handing_out {
                    self.hand_out_block(data, raw, header_at, out);
                } else {
                    self.decode_block(codec, dict, data, raw, header_at, out)?;
                }
                self.stage = Stage::BlockHeader;
                Ok(())
            }
            Stage::ContentChecksum => {
                let found = le32(unit);
                if self.handing_out {
                    return self.end_handed_out_frame(at, Some(found), out);
                }
                let expected = self.content_hash.as_ref().map_or(found, Xxh32::digest);
                if self.verify && found != expected {
                    return Err(Error::ContentChecksum {
                        offset: at,
                        frame: self.frame_index,
                        expected,
                        found,
                    });
                }
                self.end_frame(at)
            }
            Stage::SkippableSize => {
                let remaining = le32(unit);
                self.stage = if remaining == 0 {
                    Stage::Magic
                } else {
                    Stage::Skip { remaining }
                };
                Ok(())
            }
            Stage::Skip { .. } => unreachable!("skip is not gathered"),
            Stage::LegacyBlockHeader => {
                let v = le32(unit);
                if ends_legacy_frame(v) {
                    // Legacy frames have no end mark: a value that cannot be a block size is
                    // the next frame's magic number.
                    self.start_frame(v, at, dict, out)
                } else if v == 0 {
                    Err(Error::CorruptBlock {
                        offset: at,
                        frame: self.frame_index,
                        source: crate::codec::BlockError::Corrupt { at: Some(0) },
                    })
                } else {
                    self.stage = Stage::LegacyBlock { size: v };
                    Ok(())
                }
            }
            Stage::LegacyBlock { .. } => {
                if self.handing_out {
                    self.hand_out_block(unit, false, at - 4, out);
                } else {
                    self.decode_block(codec, None, unit, false, at - 4, out)?;
                }
                self.stage = Stage::LegacyBlockHeader;
                Ok(())
            }
        }
    }

    fn start_frame(
        &mut self,
        magic: u32,
        at: u64,
        dict: Option<&Dictionary>,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        if magic == MAGIC {
            self.stage = Stage::DescriptorFlg;
            Ok(())
        } else if magic == LEGACY_MAGIC {
            self.descriptor.clear();
            self.open_frame(FrameInfo::legacy(), dict, out)?;
            self.stage = Stage::LegacyBlockHeader;
            Ok(())
        } else if is_skippable(magic) {
            self.stage = Stage::SkippableSize;
            Ok(())
        } else if self.frame_index > 0 {
            Err(Error::TrailingData {
                offset: at,
                frames: self.frame_index,
            })
        } else {
            Err(Error::BadMagic {
                offset: at,
                found: magic,
            })
        }
    }

    fn open_frame(
        &mut self,
        info: FrameInfo,
        dict: Option<&Dictionary>,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        self.frame_index += 1;
        if let Some(want) = info.dict_id {
            match dict {
                None => {
                    return Err(Error::DictionaryMissing {
                        frame: self.frame_index,
                        dict_id: want,
                    })
                }
                Some(d) if d.id() != 0 && d.id() != want => {
                    return Err(Error::DictionaryMismatch {
                        frame: self.frame_index,
                        expected: want,
                        found: d.id(),
                    })
                }
                Some(_) => {}
            }
        }
        let linked = info.kind == FrameKind::Standard && info.block_mode == BlockMode::Linked;
        self.handing_out = out.hands_out_blocks() && !linked;
        if self.handing_out {
            out.hand_out(HandOut::FrameStart {
                frame: self.frame_index,
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
                self.window.extend_from_slice(d.bytes());
            }
        }
        out.start_frame();
        self.frame = Some(info);
        self.stage = Stage::BlockHeader;
        Ok(())
    }

    /// Hand out a block of a handed-out frame.
    fn hand_out_block(&mut self, data: &[u8], raw: bool, header_at: u64, out: &mut dyn Output) {
        let (max, legacy) = self.frame.as_ref().map_or((0, false), |f| {
            (f.block_max_size(), f.kind == FrameKind::Legacy)
        });
        out.hand_out(HandOut::Block {
            data,
            raw,
            header_at,
            frame: self.frame_index,
            max,
            dictionary: !legacy,
        });
    }

    /// The end of a handed-out frame: its checks go out with its blocks. `checksum`: the
    /// stored content checksum (at `at`).
    fn end_handed_out_frame(
        &mut self,
        at: u64,
        checksum: Option<u32>,
        out: &mut dyn Output,
    ) -> Result<(), Error> {
        out.hand_out(HandOut::FrameEnd { at, checksum });
        self.handing_out = false;
        self.stage = Stage::Magic;
        self.window.clear();
        Ok(())
    }

    fn end_frame(&mut self, at: u64) -> Result<(), Error> {
        if let Some(declared) = self.frame.as_ref().and_then(|f| f.content_size) {
            if declared != self.frame_decompressed {
                return Err(Error::ContentSizeMismatch {
                    offset: at,
                    frame: self.frame_index,
                    declared,
                    actual: self.frame_decompressed,
                });
            }
        }
        self.stage = Stage::Magic;
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
        let Some(frame) = &self.frame else {
            return Err(Error::InvalidState("block outside a frame"));
        };
        let linked = frame.block_mode == BlockMode::Linked && frame.kind == FrameKind::Standard;
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
        let (in_buffer, dst) = out.reserve(room);
        let result = if raw {
            dst[..data.len()].copy_from_slice(data);
            Ok(data.len())
        } else {
            let history: &[u8] = if !linked {
                dict.map_or(&[], |d| d.bytes())
            } else if in_buffer.len() >= WINDOW_SIZE {
                &in_buffer[in_buffer.len() - WINDOW_SIZE..]
            } else if in_buffer.is_empty() {
                &self.window
            } else {
                // Part of the history is this call's output, part the saved window: make it
                // contiguous in the window (only until this call has produced 64 KiB).
                append_window(&mut self.window, in_buffer, self.window_synced);
                self.window_synced = in_buffer.len();
                &self.window
            };
            let decoded = match want {
                Some(want) => codec.decompress_prefix(data, history, dst, want),
                None => codec.decompress(data, history, dst),
            };
            match decoded {
                Ok(n) if n <= dst.len() => Ok(n),
                Ok(_) => Err(crate::codec::BlockError::OutputTooSmall),
                Err(e) => Err(e),
            }
        };
        let written = match result {
            Ok(n) => n,
            Err(source) => {
                out.commit(0);
                return Err(Error::CorruptBlock {
                    offset: header_at,
                    frame: self.frame_index,
                    source,
                });
            }
        };
        if let Some(h) = &mut self.content_hash {
            h.update(&dst[..written]);
        }
        out.commit(written);
        if want.is_some_and(|w| written >= w) {
            // Possibly cut short: the output so far is right, but nothing can follow it.
            self.truncated = true;
            self.failed = true;
        }
        self.frame_decompressed += written as u64;
        self.decompressed_position += written as u64;
        if let Some(declared) = self.frame.as_ref().and_then(|f| f.content_size) {
            if self.frame_decompressed > declared {
                return Err(Error::ContentSizeMismatch {
                    offset: header_at,
                    frame: self.frame_index,
                    declared,
                    actual: self.frame_decompressed,
                });
            }
        }
        Ok(())
    }

    /// At the end of a call: make `window` the last 64 KiB of the linked frame's output again.
    fn sync_window(&mut self, out: &dyn Output) {
        // Only inside a linked frame's body: once it has ended, `frame` still describes it
        // while the next frame's magic, descriptor or a skippable frame is read, and its
        // output must not come back as a window (a checkpoint there would be refused).
        let linked =
            self.frame.as_ref().is_some_and(|f| {
                f.kind == FrameKind::Standard && f.block_mode == BlockMode::Linked
            }) && matches!(
                self.stage,
                Stage::BlockHeader | Stage::Block { .. } | Stage::ContentChecksum
            );
        if linked {
            append_window(&mut self.window, out.frame_output(), self.window_synced);
        }
        self.window_synced = 0;
    }
}

/// Append `tail[synced..]` to `window`, keeping only the last 64 KiB.
fn append_window(window: &mut Vec<u8>, tail: &[u8], synced: usize) {
    let new = &tail[synced.min(tail.len())..];
    if new.len() >= WINDOW_SIZE {
        window.clear();
        window.extend_from_slice(&new[new.len() - WINDOW_SIZE..]);
    } else {
        let total = window.len() + new.len();
        if total > WINDOW_SIZE {
            window.drain(..total - WINDOW_SIZE);
        }
        window.extend_from_slice(new);
    }
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
