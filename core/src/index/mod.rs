//! Seek index: restart points into a `.lz4` file, so that it can be read from any offset
//! ([`crate::SeekableReader`]) and decompressed on many cores ([`crate::parallel`]).
//!
//! A *restart point* is a place in the compressed data where a decoder can start: the start of
//! a frame, or a block boundary inside one, with the decompressed offset it corresponds to and,
//! inside a linked-block frame, the 64 KiB of output before it (the *window*), stored
//! LZ4-compressed. Independent-block frames get a restart point at every block (they cost a few
//! bytes each); linked frames one every [`IndexOptions::restart_interval`] bytes of output.
//!
//! # Format, version 1
//!
//! All integers little-endian; varint = unsigned LEB128.
//!
//! ```text
//! entries, one per restart point, in file order:
//!     varint  compressed offset  - previous entry's (offset of a frame's magic number, or of a
//!                                  block header; absolute for the first entry)
//!     varint  decompressed offset - previous entry's (the first entry's is 0 for an index of
//!                                  the whole data; a cut-down index, as a Dask split carries,
//!                                  may start at a later restart point)
//!     u8      flags: bit 0 frame start, 1 end, 2 window, 3 window stored raw, 4 legacy frame
//!     [window: varint raw length (≤ 64 KiB), varint stored length (absent when stored raw)]
//!     The last entry (and only it) is the end entry: the end of the indexed data and the total
//!     decompressed size.
//! window area: the windows, in entry order, back to back (LZ4 blocks, or raw bytes)
//! footer (26 bytes):
//!     u32 entry count    u8 flags (bit 0 embedded, bit 1 windows present)    u8 version = 1
//!     u64 size of the indexed data (the bytes before an embedded index; the whole file for a
//!         sidecar index)
//!     u32 fingerprint: XXH32 of the data's first 4 KiB followed by its last 4 KiB
//!     u32 XXH32 of every index byte before it
//!     "L4SI"
//! ```
//!
//! **Embedded**, the index is the content of a skippable frame (magic `0x184D2A5C`) appended
//! after the last frame: every LZ4 decoder (the `lz4` tool included) decodes the file unchanged,
//! and a reader finds the index from the end of the file (footer magic, version, checksum, then
//! the skippable frame header at `size of the indexed data`). As a **sidecar** file
//! (`data.lz4.idx`, see [`sidecar_path`]) the same bytes stand alone, with the embedded flag
//! clear.
//!
//! The frame descriptor of the frame a restart point lies in is not stored: a reader reads it
//! again from the file at the frame's start (the closest preceding frame-start entry), which
//! costs one small read per restart and keeps the index at a few bytes per block.
//!
//! Deviations from the sketch in the design notes: window offsets are implicit (windows are
//! stored in entry order, so each entry records only its lengths), and the total decompressed
//! size travels in the end entry rather than in the footer.
//!
//! An index is bound to its file by the data size and the fingerprint; a mismatching, truncated
//! or damaged index is refused with [`Error::BadIndex`].

mod build;
mod file;
mod format;
mod walk;

use std::path::{Path, PathBuf};

pub(crate) use build::Recorder;
pub use build::{build_index, IndexBuilder, IndexOptions, SeekableEncoder};
pub use file::{index_file, IndexStore};
pub use format::{
    fingerprint_of, Fingerprinter, FINGERPRINT_SPAN, FOOTER_LEN, FOOTER_MAGIC, INDEX_FRAME_MAGIC,
    VERSION,
};
pub use walk::block_decompressed_size;

use crate::codec::BlockCodec;
use crate::error::Error;

/// What a restart point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The start of a frame (its magic number).
    FrameStart,
    /// A block header inside a frame.
    Block,
    /// The end of the indexed data (the last entry).
    End,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WindowRef {
    pub(crate) start: usize,
    pub(crate) stored_len: usize,
    pub(crate) raw_len: usize,
    pub(crate) raw: bool,
}

/// One restart point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Offset in the file of the frame's magic number or of the block header.
    pub compressed: u64,
    /// Decompressed offset (counted over all frames) of the first byte decoded from here.
    pub decompressed: u64,
    /// What kind of point it is.
    pub kind: EntryKind,
    /// Whether it lies in a legacy frame.
    pub legacy: bool,
    pub(crate) window: Option<WindowRef>,
}

impl Entry {
    /// Whether decoding from here needs a stored window (linked-block frames).
    pub fn has_window(&self) -> bool {
        self.window.is_some()
    }
}

/// A seek index: the restart points of one `.lz4` file (see the [module docs](self)).
///
/// ```
/// use lz4framed::{BlockMode, BlockSize, FrameSettings};
/// use lz4framed::index::{build_index, IndexOptions, SeekIndex};
/// let data: Vec<u8> = (0..300_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
/// let settings = FrameSettings::new()
///     .block_size(BlockSize::Max64KB)
///     .block_mode(BlockMode::Independent);
/// let file = lz4framed::compress_with(&data, &settings)?;
/// let index: SeekIndex = build_index(&file[..], &IndexOptions::default())?;
/// assert_eq!(index.decompressed_size(), data.len() as u64);
/// let bytes = index.to_sidecar();
/// let back = SeekIndex::from_sidecar(&bytes)?;
/// back.verify_file(&mut std::io::Cursor::new(&file))?;
/// # Ok::<(), lz4framed::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeekIndex {
    pub(crate) entries: Vec<Entry>,
    pub(crate) windows: Vec<u8>,
    pub(crate) data_len: u64,
    pub(crate) fingerprint: u32,
}

impl SeekIndex {
    /// The restart points, in file order; the last is the [`EntryKind::End`] entry.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Total decompressed size of the indexed data.
    pub fn decompressed_size(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.decompressed)
    }

    /// Size of the indexed data (the file without an embedded index).
    pub fn data_len(&self) -> u64 {
        self.data_len
    }

    /// The fingerprint recorded for the indexed data.
    pub fn fingerprint(&self) -> u32 {
        self.fingerprint
    }

    /// Size of the index as a sidecar file (the embedded form adds 8 bytes).
    pub fn encoded_len(&self) -> usize {
        self.to_sidecar().len()
    }

    /// The index of the restart point to decode from to reach decompressed offset `pos`: the
    /// last entry (not the end entry) at or before `pos`; prefers a block entry over a frame
    /// start at the same offset. `None` when `pos` is at or past the end.
    pub fn entry_for(&self, pos: u64) -> Option<usize> {
        let n = self.entries.len().checked_sub(1)?;
        if pos >= self.decompressed_size() {
            return None;
        }
        // First entry with decompressed > pos, then step back.
        let i = self.entries[..n].partition_point(|e| e.decompressed <= pos);
        i.checked_sub(1)
    }

    /// The index of the frame-start entry of the frame entry `i` lies in.
    pub fn frame_start_of(&self, i: usize) -> Option<usize> {
        self.entries[..=i.min(self.entries.len() - 1)]
            .iter()
            .rposition(|e| e.kind == EntryKind::FrameStart)
    }

    /// Where the frame header must be read for restarting at entry `i`
    /// ([`SeekIndex::decompressor_at`]): the compressed offset of the standard frame the entry
    /// lies inside, or `None` when no header is needed (a frame start, the end, a legacy frame).
    pub fn frame_header_offset(&self, i: usize) -> Option<u64> {
        let e = self.entries.get(i)?;
        if e.kind != EntryKind::Block || e.legacy {
            return None;
        }
        Some(self.entries[self.frame_start_of(i)?].compressed)
    }

    /// A decompressor restored at restart point `i`: fed the file's bytes from
    /// `entries()[i].compressed` on, it yields the content from `entries()[i].decompressed` on
    /// (block checksums are checked; the content checksum of a frame entered in the middle
    /// cannot be). `frame_header` is the start of the frame the point lies in — at least its
    /// magic number and descriptor, read at [`SeekIndex::frame_header_offset`] (empty when
    /// that says `None`). Its [`crate::Decompressor::checkpoint`] is the restart point's whole
    /// state in a few bytes (the window included), e.g. for a task on another machine.
    ///
    /// ```
    /// use lz4framed::index::{IndexOptions, SeekIndex, SeekableEncoder};
    /// use lz4framed::{Decompressor, FrameSettings};
    /// let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251 ^ i / 997) as u8).collect();
    /// // Linked blocks: a restart point (with its window) every 100 kB.
    /// let options = IndexOptions::default().restart_interval(100_000);
    /// let mut enc = SeekableEncoder::with_options(Vec::new(), &FrameSettings::new(), &options)?;
    /// std::io::Write::write_all(&mut enc, &data)?;
    /// let file = enc.finish()?;
    /// let index = SeekIndex::read_embedded(&mut std::io::Cursor::new(&file))?;
    /// let i = index.entry_for(700_000).expect("inside the content");
    /// assert!(index.entries()[i].has_window());
    /// let header = index.frame_header_offset(i).map_or(&[][..], |at| &file[at as usize..]);
    /// let state = index.decompressor_at(i, header, None)?.checkpoint();
    /// // Elsewhere: restore the state and decode from the restart point.
    /// let mut d = Decompressor::from_checkpoint(&state)?;
    /// let mut out = Vec::new();
    /// let e = &index.entries()[i];
    /// d.decompress(&file[e.compressed as usize..], &mut out)?;
    /// assert!(out[..] == data[e.decompressed as usize..]);
    /// # Ok::<(), lz4framed::Error>(())
    /// ```
    pub fn decompressor_at(
        &self,
        i: usize,
        frame_header: &[u8],
        dictionary: Option<crate::settings::Dictionary>,
    ) -> Result<crate::Decompressor, Error> {
        if i + 1 >= self.entries.len() {
            return Err(Error::BadIndex(format!(
                "restart point {i} does not exist (the index has {})",
                self.entries.len().saturating_sub(1)
            )));
        }
        let codec = crate::registry::auto();
        let header = match self.frame_header_offset(i) {
            Some(at) => Some(parse_frame_header(frame_header, at, true)?),
            None => None,
        };
        let engine = self.restart_engine(
            i,
            &self.frame_starts(),
            |_| header.ok_or(Error::InvalidState("a frame header is needed")),
            codec,
            dictionary.as_ref(),
        )?;
        Ok(crate::Decompressor::from_engine(codec, engine, dictionary))
    }

    /// The decoded window of entry `i` (empty when it has none), decompressed with `codec`.
    pub fn window(&self, i: usize, codec: &dyn BlockCodec) -> Result<Vec<u8>, Error> {
        let Some(w) = self.entries.get(i).and_then(|e| e.window.as_ref()) else {
            return Ok(Vec::new());
        };
        let stored = &self.windows[w.start..w.start + w.stored_len];
        if w.raw {
            return Ok(stored.to_vec());
        }
        let mut out = vec![0u8; w.raw_len];
        match codec.decompress(stored, &[], &mut out) {
            Ok(n) if n == w.raw_len => Ok(out),
            _ => Err(Error::BadIndex(format!(
                "the window of restart point {i} does not decode"
            ))),
        }
    }
}

/// The sidecar index path of a data file: `data.lz4` → `data.lz4.idx`.
///
/// ```
/// use std::path::Path;
/// assert_eq!(
///     lz4framed::index::sidecar_path(Path::new("dir/data.lz4")),
///     Path::new("dir/data.lz4.idx")
/// );
/// ```
pub fn sidecar_path(data: &Path) -> PathBuf {
    let mut s = data.as_os_str().to_os_string();
    s.push(".idx");
    PathBuf::from(s)
}

impl SeekIndex {
    /// Entry indices of the frame-start entries, ascending.
    pub(crate) fn frame_starts(&self) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == EntryKind::FrameStart)
            .map(|(i, _)| i)
            .collect()
    }

    /// The decoder state at restart point `i`. `frame_starts` is [`SeekIndex::frame_starts`];
    /// `descriptor` reads a standard frame's descriptor given the frame-start entry index.
    pub(crate) fn restart_engine(
        &self,
        i: usize,
        frame_starts: &[usize],
        descriptor: impl FnOnce(usize) -> Result<(Vec<u8>, crate::frame::FrameInfo), Error>,
        codec: &dyn BlockCodec,
        dictionary: Option<&crate::settings::Dictionary>,
    ) -> Result<crate::engine::Engine, Error> {
        use crate::engine::Engine;
        let e = &self.entries[i];
        let frame_no = frame_starts.partition_point(|&s| s <= i);
        Ok(match e.kind {
            EntryKind::FrameStart | EntryKind::End => Engine::restart(
                None,
                Vec::new(),
                e.compressed,
                e.decompressed,
                frame_no.saturating_sub(1) as u64,
                0,
            ),
            EntryKind::Block => {
                let fs = frame_starts[frame_no - 1];
                let frame_d = self.entries[fs].decompressed;
                let (desc, info) = if e.legacy {
                    (Vec::new(), crate::frame::FrameInfo::legacy())
                } else {
                    descriptor(fs)?
                };
                let window = if e.has_window() {
                    self.window(i, codec)?
                } else if info.block_mode == crate::settings::BlockMode::Linked && !e.legacy {
                    dictionary.map(|d| d.bytes().to_vec()).unwrap_or_default()
                } else {
                    Vec::new()
                };
                Engine::restart(
                    Some((desc, info)),
                    window,
                    e.compressed,
                    e.decompressed,
                    frame_no as u64,
                    e.decompressed - frame_d,
                )
            }
        })
    }
}

/// Parse the frame header at the start of `head` (bytes read at `at`, the frame-start offset
/// the index gives): the descriptor bytes and info.
pub(crate) fn parse_frame_header(
    head: &[u8],
    at: u64,
    verify: bool,
) -> Result<(Vec<u8>, crate::frame::FrameInfo), Error> {
    let bad = || {
        Error::BadIndex(format!(
            "no frame header at offset {at}, where the index says a frame starts"
        ))
    };
    if head.len() < 7
        || u32::from_le_bytes([head[0], head[1], head[2], head[3]]) != crate::frame::MAGIC
    {
        return Err(bad());
    }
    let len = crate::frame::FrameInfo::descriptor_len(head[4]);
    if head.len() < 4 + len {
        return Err(bad());
    }
    let desc = head[4..4 + len].to_vec();
    let info = crate::frame::FrameInfo::parse_descriptor(&desc, at + 4, verify)?;
    Ok((desc, info))
}
