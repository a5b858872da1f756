//! The one frame walker: the structure of a stream of concatenated frames — standard, legacy
//! and skippable — unit by unit (magic number, descriptor, block header, block, content
//! checksum, skippable content), without decoding a byte of block data.
//!
//! [`FrameWalker`] is push-style: it says how many bytes its next unit has
//! ([`FrameWalker::need`]) and, given them, what the unit was ([`Unit`]). The decoder's state
//! machine is a `FrameWalker` plus block decoding and checksums; the seek-index builder runs
//! one over a reader, and [`FrameReader`] runs one over any reader for the frame-by-frame
//! view (`frame_info`, `lz4framed info`, the fuzz helpers), skipping block data it is not
//! asked for.
//!
//! Frames are numbered from 1 in input order, counting standard and legacy frames; skippable
//! frames are not counted. Every error and every report of lz4framed uses this numbering.
//!
//! The rules come from the LZ4 Frame Format Description (lz4 `doc/lz4_Frame_format.md`):
//! magic numbers, the descriptor (FLG, BD, content size, dictionary ID, header checksum),
//! block headers with bit 31 for uncompressed blocks, the end mark, block and content
//! checksums, skippable frames, and legacy frames, which have no end mark: they end where the
//! next frame's magic number (or a value no legacy block size can have) appears
//! ([`ends_legacy_frame`]).

use std::io::{self, BufReader, Read, Seek, SeekFrom};

use crate::codec::BlockError;
use crate::error::Error;
use crate::frame::{
    ends_legacy_frame, is_skippable, FrameInfo, FrameKind, END_MARK, LEGACY_MAGIC, MAGIC,
    MAX_DESCRIPTOR_LEN, UNCOMPRESSED_FLAG,
};
use crate::input::read_full;

/// Which unit the walker reads next. The numeric codes are those stored in checkpoints.
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

/// What a unit of input was ([`FrameWalker::accept`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit<'a> {
    /// Part of a header (a magic number that starts a standard or skippable frame, a frame
    /// descriptor's FLG byte, a block header): nothing to act on yet.
    Header,
    /// A skippable frame begins: `size` bytes of content follow, which the walker skips
    /// ([`FrameWalker::skip`]).
    Skippable {
        /// Its magic number (`0x184D2A50..=0x184D2A5F`).
        magic: u32,
        /// Bytes of content.
        size: u32,
    },
    /// A standard or legacy frame begins, its header complete: [`FrameWalker::frame`]
    /// describes it, [`FrameWalker::frame_number`] numbers it. When a legacy frame was open,
    /// it ended at this unit.
    FrameStart,
    /// A data block of the current frame.
    Block {
        /// Input offset of its block header (of the size field, for a legacy block).
        header_at: u64,
        /// Its stored bytes, without the block checksum (empty when skipped:
        /// [`FrameWalker::skip_block`]).
        data: &'a [u8],
        /// Stored size in bytes.
        size: u32,
        /// Stored uncompressed.
        raw: bool,
        /// The block checksum as stored, in frames that have block checksums (not checked
        /// here).
        checksum: Option<u32>,
    },
    /// A standard frame ends: its end mark was read, and its content checksum when it has one
    /// (as stored, not checked here).
    FrameEnd {
        /// The stored content checksum.
        checksum: Option<u32>,
    },
}

/// Where a stream of frames is, structurally: the push-style walker (see the module docs).
#[derive(Debug, Clone)]
pub struct FrameWalker {
    stage: Stage,
    /// The current (or last) standard frame's descriptor bytes as read, FLG through header
    /// checksum.
    descriptor: Vec<u8>,
    /// The current (or last) frame's header.
    frame: Option<FrameInfo>,
    /// Standard and legacy frames begun so far: the current frame's number.
    frame_number: u64,
    /// Whether header checksums are verified.
    verify: bool,
    /// The magic number of the skippable frame whose size is read next (reported with it;
    /// not kept in checkpoints).
    skippable_magic: u32,
}

impl Default for FrameWalker {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameWalker {
    /// A walker at the start of a stream, verifying header checksums.
    pub fn new() -> Self {
        FrameWalker {
            stage: Stage::Magic,
            descriptor: Vec::new(),
            frame: None,
            frame_number: 0,
            verify: true,
            skippable_magic: 0,
        }
    }

    /// Whether descriptors' header checksums are verified (default: yes).
    #[must_use]
    pub fn verify_header_checksums(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// A walker inside frame number `frame_number` at a block boundary (a seek-index restart
    /// point), or between frames when `frame` is `None`.
    pub(crate) fn at_restart(
        frame: Option<(Vec<u8>, FrameInfo)>,
        frame_number: u64,
        verify: bool,
    ) -> Self {
        let mut w = FrameWalker {
            frame_number,
            verify,
            ..FrameWalker::new()
        };
        if let Some((descriptor, info)) = frame {
            w.stage = if info.kind == FrameKind::Legacy {
                Stage::LegacyBlockHeader
            } else {
                Stage::BlockHeader
            };
            w.descriptor = descriptor;
            w.frame = Some(info);
        }
        w
    }

    /// A walker from a checkpoint's fields (checked by the caller).
    pub(crate) fn from_parts(
        stage: Stage,
        descriptor: Vec<u8>,
        frame: Option<FrameInfo>,
        frame_number: u64,
        verify: bool,
    ) -> Self {
        FrameWalker {
            stage,
            descriptor,
            frame,
            frame_number,
            verify,
            skippable_magic: 0,
        }
    }

    pub(crate) fn stage(&self) -> Stage {
        self.stage
    }

    pub(crate) fn descriptor(&self) -> &[u8] {
        &self.descriptor
    }

    /// The current frame's header (between frames: the last one's); `None` before the first.
    pub fn frame(&self) -> Option<&FrameInfo> {
        self.frame.as_ref()
    }

    /// The current frame's number (1-based; 0 before the first frame). Skippable frames are
    /// not counted.
    pub fn frame_number(&self) -> u64 {
        self.frame_number
    }

    /// Whether the walker is between frames (the next unit is a magic number).
    pub fn between_frames(&self) -> bool {
        self.stage == Stage::Magic
    }

    /// Whether the next unit may be a magic number: between frames, or between a legacy
    /// frame's blocks (which end where a magic number appears).
    pub fn at_frame_boundary(&self) -> bool {
        matches!(self.stage, Stage::Magic | Stage::LegacyBlockHeader)
    }

    /// Whether the next unit is a block's data (of a standard or legacy frame).
    pub fn at_block_data(&self) -> bool {
        matches!(self.stage, Stage::Block { .. } | Stage::LegacyBlock { .. })
    }

    /// Whether the next unit is a skippable frame's content ([`FrameWalker::skip`]).
    pub fn in_skippable_content(&self) -> bool {
        matches!(self.stage, Stage::Skip { .. })
    }

    /// Whether the current frame is a standard frame with linked blocks.
    pub fn in_linked_frame(&self) -> bool {
        self.frame.as_ref().is_some_and(FrameInfo::is_linked)
    }

    /// Whether the walker is inside a standard frame's body: between its descriptor and the
    /// end of its content checksum.
    pub fn in_frame_body(&self) -> bool {
        matches!(
            self.stage,
            Stage::BlockHeader | Stage::Block { .. } | Stage::ContentChecksum
        )
    }

    fn block_checksum_len(&self) -> usize {
        match &self.frame {
            Some(f) if f.block_checksum => 4,
            _ => 0,
        }
    }

    /// Bytes of the next unit in all (`None` for skippable content, which is consumed in
    /// pieces of any size).
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

    /// Bytes of the next unit: what [`FrameWalker::accept`] wants next (for skippable content,
    /// the bytes left to skip). A zero-length unit (an empty stored block) is accepted with an
    /// empty slice.
    pub fn need(&self) -> usize {
        match self.stage {
            Stage::Skip { remaining } => remaining as usize,
            _ => self.unit_len().unwrap_or(0),
        }
    }

    /// Consume up to `n` bytes of skippable content; returns how many were consumed.
    pub fn skip(&mut self, n: usize) -> usize {
        let Stage::Skip { remaining } = self.stage else {
            return 0;
        };
        let take = (remaining as usize).min(n);
        let left = remaining - take as u32;
        self.stage = if left == 0 {
            Stage::Magic
        } else {
            Stage::Skip { remaining: left }
        };
        take
    }

    /// Take the next unit: `unit` holds exactly [`FrameWalker::need`] bytes, read at input
    /// offset `at`. Errors name what is wrong and where: a bad magic number
    /// ([`Error::BadMagic`] before the first frame, [`Error::TrailingData`] after one), a
    /// malformed descriptor, a block larger than the frame's maximum, an empty legacy block.
    pub fn accept<'a>(&mut self, unit: &'a [u8], at: u64) -> Result<Unit<'a>, Error> {
        debug_assert_eq!(Some(unit.len()), self.unit_len());
        match self.stage {
            Stage::Magic => self.magic(le32(unit), at),
            Stage::DescriptorFlg => {
                self.descriptor.clear();
                self.descriptor.push(unit[0]);
                let len = FrameInfo::descriptor_len(unit[0]);
                self.stage = Stage::DescriptorRest { len: len as u8 };
                Ok(Unit::Header)
            }
            Stage::DescriptorRest { .. } => {
                self.descriptor.extend_from_slice(unit);
                let info = FrameInfo::parse_descriptor(&self.descriptor, at - 1, self.verify)?;
                self.open_frame(info);
                Ok(Unit::FrameStart)
            }
            Stage::BlockHeader => {
                let v = le32(unit);
                if v == END_MARK {
                    if self.frame.as_ref().is_some_and(|f| f.content_checksum) {
                        self.stage = Stage::ContentChecksum;
                        return Ok(Unit::Header);
                    }
                    self.stage = Stage::Magic;
                    return Ok(Unit::FrameEnd { checksum: None });
                }
                let size = v & !UNCOMPRESSED_FLAG;
                let max = self.frame.as_ref().map_or(0, FrameInfo::block_max_size);
                if size as usize > max {
                    return Err(Error::BlockTooLarge {
                        offset: at,
                        frame: self.frame_number,
                        size: u64::from(size),
                        max: max as u64,
                    });
                }
                self.stage = Stage::Block {
                    size,
                    raw: v & UNCOMPRESSED_FLAG != 0,
                };
                Ok(Unit::Header)
            }
            Stage::Block { size, raw } => {
                let (data, checksum) = unit.split_at(size as usize);
                self.stage = Stage::BlockHeader;
                Ok(Unit::Block {
                    header_at: at - 4,
                    data,
                    size,
                    raw,
                    checksum: (!checksum.is_empty()).then(|| le32(checksum)),
                })
            }
            Stage::ContentChecksum => {
                self.stage = Stage::Magic;
                Ok(Unit::FrameEnd {
                    checksum: Some(le32(unit)),
                })
            }
            Stage::SkippableSize => {
                let size = le32(unit);
                self.stage = if size == 0 {
                    Stage::Magic
                } else {
                    Stage::Skip { remaining: size }
                };
                Ok(Unit::Skippable {
                    magic: self.skippable_magic,
                    size,
                })
            }
            Stage::Skip { .. } => Err(Error::InvalidState(
                "skippable content is consumed with FrameWalker::skip",
            )),
            Stage::LegacyBlockHeader => {
                let v = le32(unit);
                if ends_legacy_frame(v) {
                    return self.magic(v, at);
                }
                if v == 0 {
                    return Err(Error::CorruptBlock {
                        offset: at,
                        frame: self.frame_number,
                        source: BlockError::Corrupt { at: Some(0) },
                    });
                }
                self.stage = Stage::LegacyBlock { size: v };
                Ok(Unit::Header)
            }
            Stage::LegacyBlock { size } => {
                self.stage = Stage::LegacyBlockHeader;
                Ok(Unit::Block {
                    header_at: at - 4,
                    data: unit,
                    size,
                    raw: false,
                    checksum: None,
                })
            }
        }
    }

    /// Step over the next unit, a block's data, without its bytes (for walks that only want
    /// the structure: the input must be skipped by [`FrameWalker::need`] bytes). `at` is its
    /// input offset. Returns the block, with empty `data` and no checksum.
    pub fn skip_block(&mut self, at: u64) -> Result<Unit<'static>, Error> {
        let (size, raw) = match self.stage {
            Stage::Block { size, raw } => (size, raw),
            Stage::LegacyBlock { size } => (size, false),
            _ => return Err(Error::InvalidState("skip_block outside a block")),
        };
        self.stage = match self.stage {
            Stage::LegacyBlock { .. } => Stage::LegacyBlockHeader,
            _ => Stage::BlockHeader,
        };
        Ok(Unit::Block {
            header_at: at - 4,
            data: &[],
            size,
            raw,
            checksum: None,
        })
    }

    /// A magic number read at `at` (where a frame starts, or after a legacy frame's blocks).
    fn magic(&mut self, magic: u32, at: u64) -> Result<Unit<'static>, Error> {
        if magic == MAGIC {
            self.stage = Stage::DescriptorFlg;
            Ok(Unit::Header)
        } else if magic == LEGACY_MAGIC {
            self.descriptor.clear();
            self.open_frame(FrameInfo::legacy());
            Ok(Unit::FrameStart)
        } else if is_skippable(magic) {
            self.skippable_magic = magic;
            self.stage = Stage::SkippableSize;
            Ok(Unit::Header)
        } else if self.frame_number > 0 {
            Err(Error::TrailingData {
                offset: at,
                frames: self.frame_number,
            })
        } else {
            Err(Error::BadMagic {
                offset: at,
                found: magic,
            })
        }
    }

    fn open_frame(&mut self, info: FrameInfo) {
        self.frame_number += 1;
        self.stage = if info.kind == FrameKind::Legacy {
            Stage::LegacyBlockHeader
        } else {
            Stage::BlockHeader
        };
        self.frame = Some(info);
    }

    /// Whether the input may end here, with `pending` bytes of the next unit read: between
    /// frames after at least one, or between a legacy frame's blocks.
    pub(crate) fn may_end(&self, pending: usize) -> bool {
        pending == 0
            && self.frame_number > 0
            && matches!(self.stage, Stage::Magic | Stage::LegacyBlockHeader)
    }

    /// The error for input that ends here, at input offset `position` with `pending` bytes of
    /// the next unit read, or `Ok` when it may end here (between frames, between a legacy
    /// frame's blocks, or before any frame: an empty stream). After complete frames, 1–3 bytes that
    /// cannot hold a magic number, or a legacy frame's last "block size" with not one byte of
    /// block after it (the size word boot images append to a legacy stream), are trailing
    /// data ([`Error::TrailingData`]); anything else is [`Error::Truncated`].
    pub(crate) fn check_end(&self, pending: usize, position: u64) -> Result<(), Error> {
        // An empty stream, or skippable frames only, is a stream of no frames (as the `lz4`
        // tool and LZ4F decode it: empty output).
        if self.may_end(pending) || (self.stage == Stage::Magic && pending == 0) {
            return Ok(());
        }
        let trailing = match self.stage {
            Stage::Magic if self.frame_number > 0 => Some(pending as u64),
            Stage::LegacyBlock { .. } if pending == 0 => Some(4),
            _ => None,
        };
        if let Some(len) = trailing {
            return Err(Error::TrailingData {
                // Saturating: a state restored from a checkpoint (untrusted bytes) may claim a
                // position before the bytes its stage says were read.
                offset: position.saturating_sub(len),
                frames: self.frame_number,
            });
        }
        let context = match self.stage {
            Stage::Magic if self.frame_number == 0 => "the first frame's magic number",
            Stage::Magic => "a magic number",
            Stage::DescriptorFlg | Stage::DescriptorRest { .. } => "a frame descriptor",
            Stage::BlockHeader => "a block header",
            Stage::Block { .. } => "a block",
            Stage::ContentChecksum => "a content checksum",
            Stage::SkippableSize | Stage::Skip { .. } => "a skippable frame",
            Stage::LegacyBlockHeader | Stage::LegacyBlock { .. } => "a legacy block",
        };
        Err(Error::Truncated {
            offset: position,
            context,
        })
    }
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// A frame as [`FrameReader`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameKindSeen {
    /// A standard frame, with its header.
    Standard(FrameInfo),
    /// A legacy frame (`lz4 -l`).
    Legacy,
    /// A skippable frame with this magic number.
    Skippable(u32),
}

/// One frame's layout, from [`FrameReader::next_frame`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLayout {
    /// The frame's number (standard and legacy frames from 1; `None` for skippable frames,
    /// which are not numbered).
    pub number: Option<u64>,
    /// Input offset of its magic number.
    pub offset: u64,
    /// Kind (and header).
    pub kind: FrameKindSeen,
    /// Bytes of the whole frame, magic number to content checksum.
    pub compressed_size: u64,
    /// Data blocks (the end mark not counted).
    pub blocks: u64,
    /// Of those, blocks stored uncompressed.
    pub stored_blocks: u64,
}

/// A block as [`FrameReader::next_frame`] reports it to its callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockLayout {
    /// The frame's number.
    pub frame: u64,
    /// Input offset of the block header.
    pub offset: u64,
    /// Stored bytes after the header (block checksum not included).
    pub size: u32,
    /// Stored uncompressed.
    pub uncompressed: bool,
}

/// A reader the walk can skip forward in: seeking for files, reading and discarding for
/// anything else.
pub trait SkipRead: Read {
    /// Skip `n` bytes; returns how many were skipped (fewer only at the end of the input).
    fn skip_forward(&mut self, n: u64) -> io::Result<u64>;
}

/// Skips by reading and discarding (any reader: pipes, slices).
#[derive(Debug)]
pub struct Streamed<R>(pub R);

impl<R: Read> Read for Streamed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> SkipRead for Streamed<R> {
    fn skip_forward(&mut self, n: u64) -> io::Result<u64> {
        io::copy(&mut (&mut self.0).take(n), &mut io::sink())
    }
}

/// Skips by seeking (a file of known length: the skip stops at its end); reads are buffered.
#[derive(Debug)]
pub struct Seeking<R> {
    inner: BufReader<R>,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Seeking<R> {
    /// Walk `inner` from its current position to its end.
    pub fn new(mut inner: R) -> io::Result<Self> {
        let pos = inner.stream_position()?;
        let len = inner.seek(SeekFrom::End(0))?;
        inner.seek(SeekFrom::Start(pos))?;
        Ok(Seeking {
            inner: BufReader::with_capacity(64 * 1024, inner),
            pos,
            len,
        })
    }
}

impl<R: Read + Seek> Read for Seeking<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> SkipRead for Seeking<R> {
    fn skip_forward(&mut self, n: u64) -> io::Result<u64> {
        let n = n.min(self.len.saturating_sub(self.pos));
        let delta = i64::try_from(n).map_err(io::Error::other)?;
        self.inner.seek_relative(delta)?;
        self.pos += n;
        Ok(n)
    }
}

/// The frame-by-frame view of a stream: a [`FrameWalker`] over a reader that reads headers
/// only and skips block data (seeking in files). Nothing is decoded and no checksum but the
/// header checksum is checked.
///
/// ```
/// use lz4framed::frame::{FrameKindSeen, FrameReader, Streamed};
/// let mut file = lz4framed::compress(b"first");
/// file.extend(lz4framed::compress(b"second"));
/// let mut frames = FrameReader::new(Streamed(&file[..]));
/// let a = frames.next_frame(&mut |_| {})?.expect("a frame");
/// let b = frames.next_frame(&mut |_| {})?.expect("a frame");
/// assert_eq!((a.number, b.number), (Some(1), Some(2)));
/// assert_eq!(b.offset, a.compressed_size);
/// assert!(matches!(b.kind, FrameKindSeen::Standard(_)));
/// assert!(frames.next_frame(&mut |_| {})?.is_none());
/// # Ok::<(), lz4framed::Error>(())
/// ```
#[derive(Debug)]
pub struct FrameReader<S> {
    src: S,
    walker: FrameWalker,
    /// Input offset of the next unread byte.
    pos: u64,
    /// A unit read ahead: the magic number that ended a legacy frame.
    next_magic: Option<(u32, u64)>,
}

impl<S: SkipRead> FrameReader<S> {
    /// A reader at the start of `src`, verifying header checksums.
    pub fn new(src: S) -> Self {
        FrameReader {
            src,
            walker: FrameWalker::new(),
            pos: 0,
            next_magic: None,
        }
    }

    /// Whether header checksums are verified (default: yes).
    #[must_use]
    pub fn verify_header_checksums(mut self, verify: bool) -> Self {
        self.walker = self.walker.verify_header_checksums(verify);
        self
    }

    /// Input bytes walked so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// The reader, positioned after the bytes walked so far.
    pub fn into_inner(self) -> S {
        self.src
    }

    /// Read exactly `buf.len()` bytes; `Ok(false)` when the input ends before the first one.
    fn read_unit(&mut self, buf: &mut [u8]) -> Result<bool, Error> {
        let got = read_full(&mut self.src, buf).map_err(Error::Io)?;
        if got == 0 && !buf.is_empty() {
            return Ok(false);
        }
        self.pos += got as u64;
        if got < buf.len() {
            return self.walker.check_end(got, self.pos).map(|()| false);
        }
        Ok(true)
    }

    fn skip(&mut self, n: u64) -> Result<(), Error> {
        let skipped = self.src.skip_forward(n).map_err(Error::Io)?;
        self.pos += skipped;
        if skipped < n {
            return self.walker.check_end(skipped as usize, self.pos);
        }
        Ok(())
    }

    /// The next frame (skippable ones included), or `None` at the end of the input.
    /// `on_block` sees every data block. Errors are the decoder's, for the structure: bad
    /// magic, trailing data, malformed descriptor, oversized block, truncation.
    pub fn next_frame(
        &mut self,
        on_block: &mut dyn FnMut(&BlockLayout),
    ) -> Result<Option<FrameLayout>, Error> {
        let mut unit = [0u8; MAX_DESCRIPTOR_LEN];
        let (magic, offset) = match self.next_magic.take() {
            Some(m) => m,
            None => {
                let at = self.pos;
                if !self.read_unit(&mut unit[..4])? {
                    return self.walker.check_end(0, self.pos).map(|()| None);
                }
                (le32(&unit), at)
            }
        };
        let mut layout = FrameLayout {
            number: None,
            offset,
            kind: FrameKindSeen::Legacy,
            compressed_size: 0,
            blocks: 0,
            stored_blocks: 0,
        };
        let mut seen = self.walker.magic(magic, offset)?;
        loop {
            match seen {
                Unit::Header | Unit::FrameStart => {}
                Unit::Skippable { magic, size } => {
                    self.skip(u64::from(size))?;
                    self.walker.skip(size as usize);
                    layout.kind = FrameKindSeen::Skippable(magic);
                    break;
                }
                Unit::Block {
                    header_at,
                    size,
                    raw,
                    ..
                } => {
                    layout.blocks += 1;
                    layout.stored_blocks += u64::from(raw);
                    on_block(&BlockLayout {
                        frame: self.walker.frame_number(),
                        offset: header_at,
                        size,
                        uncompressed: raw,
                    });
                }
                Unit::FrameEnd { .. } => break,
            }
            if self.walker.at_block_data() {
                let at = self.pos;
                self.skip(self.walker.need() as u64)?;
                seen = self.walker.skip_block(at)?;
                continue;
            }
            let n = self.walker.need();
            let at = self.pos;
            let legacy_end = self.walker.stage == Stage::LegacyBlockHeader;
            if !self.read_unit(&mut unit[..n])? {
                // The input ends before the unit's first byte: between a legacy frame's
                // blocks it may; anywhere else in a frame it is cut short (not a frame that
                // ends there).
                if !legacy_end {
                    self.walker.check_end(0, self.pos)?;
                }
                break;
            }
            if legacy_end && ends_legacy_frame(le32(&unit)) {
                self.next_magic = Some((le32(&unit), at));
                break;
            }
            seen = self.walker.accept(&unit[..n], at)?;
        }
        if !matches!(layout.kind, FrameKindSeen::Skippable(_)) {
            layout.number = Some(self.walker.frame_number());
            layout.kind = match self.walker.frame() {
                Some(f) if f.kind == FrameKind::Standard => FrameKindSeen::Standard(f.clone()),
                _ => FrameKindSeen::Legacy,
            };
        }
        let end = self.next_magic.map_or(self.pos, |(_, at)| at);
        layout.compressed_size = end - offset;
        Ok(Some(layout))
    }
}

/// The header of the first standard or legacy frame in `data` (skippable frames before it are
/// skipped). Only the header needs to be present.
pub(crate) fn first_frame_info(data: &[u8]) -> Result<FrameInfo, Error> {
    let mut walker = FrameWalker::new();
    let mut at = 0usize;
    loop {
        if walker.in_skippable_content() {
            let n = walker.need();
            at = at
                .checked_add(n)
                .filter(|&end| end <= data.len())
                .ok_or(Error::Truncated {
                    offset: data.len() as u64,
                    context: "a skippable frame",
                })?;
            walker.skip(n);
            continue;
        }
        let n = walker.need();
        let Some(unit) = data.get(at..at + n) else {
            return Err(walker
                .check_end(data.len() - at, data.len() as u64)
                .err()
                .unwrap_or(Error::Truncated {
                    offset: data.len() as u64,
                    context: "a frame header",
                }));
        };
        if let Unit::FrameStart = walker.accept(unit, at as u64)? {
            return walker
                .frame()
                .cloned()
                .ok_or(Error::InvalidState("frame start without a header"));
        }
        at += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{BlockMode, BlockSize};

    /// A standard frame of stored blocks (no codec needed), with the options given.
    fn stored_frame(blocks: &[&[u8]], checksums: bool) -> Vec<u8> {
        let mut out = Vec::new();
        FrameInfo {
            kind: FrameKind::Standard,
            block_size: Some(BlockSize::Max64KB),
            block_mode: BlockMode::Independent,
            content_checksum: checksums,
            block_checksum: checksums,
            content_size: Some(blocks.iter().map(|b| b.len() as u64).sum()),
            dict_id: None,
            header_len: 0,
        }
        .write_header(&mut out);
        for b in blocks {
            out.extend_from_slice(&(b.len() as u32 | UNCOMPRESSED_FLAG).to_le_bytes());
            out.extend_from_slice(b);
            if checksums {
                out.extend_from_slice(&crate::xxh32::xxh32(b, 0).to_le_bytes());
            }
        }
        out.extend_from_slice(&END_MARK.to_le_bytes());
        if checksums {
            out.extend_from_slice(&crate::xxh32::xxh32(&blocks.concat(), 0).to_le_bytes());
        }
        out
    }

    fn layouts(data: &[u8]) -> (Vec<FrameLayout>, Vec<BlockLayout>, Result<(), Error>) {
        let mut r = FrameReader::new(Streamed(data));
        let mut frames = Vec::new();
        let mut blocks = Vec::new();
        loop {
            match r.next_frame(&mut |b| blocks.push(*b)) {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => return (frames, blocks, Ok(())),
                Err(e) => return (frames, blocks, Err(e)),
            }
        }
    }

    #[test]
    fn frames_are_numbered_skippable_frames_are_not() {
        let a = stored_frame(&[b"hello", b"world"], true);
        let skip = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3];
        // A legacy frame "block" is opaque to the walker (nothing is decoded): 2 blocks.
        let mut legacy = LEGACY_MAGIC.to_le_bytes().to_vec();
        for b in [&b"\x50abcde"[..], b"\x30xyz"] {
            legacy.extend_from_slice(&(b.len() as u32).to_le_bytes());
            legacy.extend_from_slice(b);
        }
        let b = stored_frame(&[b"!"], false);
        let data = [&a[..], &skip, &legacy, &b].concat();
        let (frames, blocks, end) = layouts(&data);
        end.unwrap();
        let numbers: Vec<_> = frames.iter().map(|f| f.number).collect();
        assert_eq!(numbers, [Some(1), None, Some(2), Some(3)]);
        let offsets: Vec<_> = frames.iter().map(|f| f.offset).collect();
        let sizes: Vec<_> = frames.iter().map(|f| f.compressed_size).collect();
        assert_eq!(
            offsets,
            [
                0,
                a.len() as u64,
                (a.len() + 11) as u64,
                (a.len() + 11 + legacy.len()) as u64
            ]
        );
        assert_eq!(
            sizes,
            [a.len() as u64, 11, legacy.len() as u64, b.len() as u64]
        );
        assert_eq!(frames[1].kind, FrameKindSeen::Skippable(0x184D_2A50));
        assert_eq!(frames[2].kind, FrameKindSeen::Legacy);
        assert_eq!((frames[0].blocks, frames[0].stored_blocks), (2, 2));
        assert_eq!(frames[2].blocks, 2);
        let frame_of_blocks: Vec<_> = blocks.iter().map(|b| b.frame).collect();
        assert_eq!(frame_of_blocks, [1, 1, 2, 2, 3]);
        // The push walker and the one-shot header lookup agree.
        assert_eq!(
            first_frame_info(&data[a.len()..]).unwrap().kind,
            FrameKind::Legacy
        );
    }

    #[test]
    fn trailing_bytes_and_truncation_are_told_apart() {
        let a = stored_frame(&[b"data"], true);
        for (tail, trailing) in [
            (&[0u8; 9][..], true),
            (&[1, 2][..], true),
            (&b"garbage!"[..], true),
        ] {
            let data = [&a[..], tail].concat();
            let (frames, _, end) = layouts(&data);
            assert_eq!(frames.len(), 1);
            match end {
                Err(Error::TrailingData { offset, frames: 1 }) if trailing => {
                    assert_eq!(offset, a.len() as u64)
                }
                e => panic!("{tail:?}: {e:?}"),
            }
        }
        for cut in 1..a.len() {
            let (frames, _, end) = layouts(&a[..cut]);
            assert!(
                matches!(end, Err(Error::Truncated { .. })),
                "cut {cut}: {end:?}"
            );
            // Nothing is reported as a frame that ended there (a cut after the magic number
            // or at a block header was a "legacy frame" 0, or a whole frame).
            assert!(frames.is_empty(), "cut {cut}: {frames:?}");
        }
        let (_, _, end) = layouts(b"not lz4 at all");
        assert!(matches!(end, Err(Error::BadMagic { offset: 0, .. })));
    }
}
