//! Serialization of a [`SeekIndex`]: the entries, the window area and the footer, and the two
//! homes (embedded skippable frame, sidecar file). See the [module docs](super) for the layout.

use std::io::{self, Read, Seek, SeekFrom};

use super::{Entry, EntryKind, SeekIndex, WindowRef};
use crate::codec::WINDOW_SIZE;
use crate::error::Error;
use crate::varint::{self, Reader};
use crate::xxh32::{xxh32, Xxh32};

/// Magic number of the skippable frame that holds an embedded index (zstd uses `0x184D2A5E`
/// for its seek table; this one is distinct).
pub const INDEX_FRAME_MAGIC: u32 = 0x184D_2A5C;
/// The last four bytes of every index: `"L4SI"`.
pub const FOOTER_MAGIC: &[u8; 4] = b"L4SI";
/// The index format version this library writes and reads.
pub const VERSION: u8 = 1;
/// Bytes of the fixed-size footer.
pub const FOOTER_LEN: usize = 4 + 1 + 1 + 8 + 4 + 4 + 4;
/// The fingerprint covers this many bytes at the start and at the end of the indexed data.
pub const FINGERPRINT_SPAN: usize = 4096;

const F_EMBEDDED: u8 = 1 << 0;
const F_WINDOWS: u8 = 1 << 1;
const KNOWN_FOOTER_FLAGS: u8 = F_EMBEDDED | F_WINDOWS;

const E_FRAME_START: u8 = 1 << 0;
const E_END: u8 = 1 << 1;
const E_WINDOW: u8 = 1 << 2;
const E_WINDOW_RAW: u8 = 1 << 3;
const E_LEGACY: u8 = 1 << 4;
const KNOWN_ENTRY_FLAGS: u8 = E_FRAME_START | E_END | E_WINDOW | E_WINDOW_RAW | E_LEGACY;

/// Smallest encoded entry: two one-byte varints and the flags byte.
const MIN_ENTRY_LEN: usize = 3;

fn bad(why: impl Into<String>) -> Error {
    Error::BadIndex(why.into())
}

/// Streaming fingerprint of the indexed data: XXH32 (seed 0) of its first
/// [`FINGERPRINT_SPAN`] bytes followed by its last `FINGERPRINT_SPAN` bytes (the two spans
/// overlap for data shorter than 8 KiB). Feed it every byte of the data, in order.
///
/// ```
/// use lz4framed_core::index::Fingerprinter;
/// let data = vec![7u8; 10_000];
/// let mut f = Fingerprinter::new();
/// for piece in data.chunks(333) {
///     f.update(piece);
/// }
/// assert_eq!(f.len(), 10_000);
/// assert_eq!(f.finish(), lz4framed_core::index::fingerprint_of(&data));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Fingerprinter {
    head: Vec<u8>,
    /// Ring of the last bytes: `tail` holds up to `2 * FINGERPRINT_SPAN` bytes and is trimmed.
    tail: Vec<u8>,
    len: u64,
}

impl Fingerprinter {
    /// An empty fingerprinter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed the next bytes of the data.
    pub fn update(&mut self, data: &[u8]) {
        self.len += data.len() as u64;
        if self.head.len() < FINGERPRINT_SPAN {
            let take = (FINGERPRINT_SPAN - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..take]);
        }
        if data.len() >= FINGERPRINT_SPAN {
            self.tail.clear();
            self.tail
                .extend_from_slice(&data[data.len() - FINGERPRINT_SPAN..]);
        } else {
            if self.tail.len() + data.len() > 2 * FINGERPRINT_SPAN {
                let cut = self.tail.len() - FINGERPRINT_SPAN;
                self.tail.drain(..cut);
            }
            self.tail.extend_from_slice(data);
        }
    }

    /// Bytes fed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was fed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The fingerprint of everything fed.
    pub fn finish(&self) -> u32 {
        let tail = &self.tail[self.tail.len().saturating_sub(FINGERPRINT_SPAN)..];
        let mut h = Xxh32::new(0);
        h.update(&self.head);
        h.update(tail);
        h.digest()
    }
}

/// The fingerprint of `data` (see [`Fingerprinter`]).
pub fn fingerprint_of(data: &[u8]) -> u32 {
    let n = data.len();
    let mut h = Xxh32::new(0);
    h.update(&data[..n.min(FINGERPRINT_SPAN)]);
    h.update(&data[n - n.min(FINGERPRINT_SPAN)..]);
    h.digest()
}

/// The fingerprint of the first `len` bytes of `r` (reads at most 8 KiB; leaves the position
/// anywhere).
pub(crate) fn fingerprint_reader<R: Read + Seek + ?Sized>(r: &mut R, len: u64) -> io::Result<u32> {
    let span = FINGERPRINT_SPAN as u64;
    let mut head = vec![0u8; len.min(span) as usize];
    r.seek(SeekFrom::Start(0))?;
    r.read_exact(&mut head)?;
    let mut tail = vec![0u8; len.min(span) as usize];
    r.seek(SeekFrom::Start(len - len.min(span)))?;
    r.read_exact(&mut tail)?;
    let mut h = Xxh32::new(0);
    h.update(&head);
    h.update(&tail);
    Ok(h.digest())
}

impl SeekIndex {
    /// The index payload (entries, window area, footer) with the footer's embedded flag set as
    /// given.
    fn payload(&self, embedded: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entries.len() * 6 + self.windows.len() + 32);
        let (mut c, mut d) = (0u64, 0u64);
        for e in &self.entries {
            varint::put(&mut out, e.compressed - c);
            varint::put(&mut out, e.decompressed - d);
            c = e.compressed;
            d = e.decompressed;
            let mut flags = match e.kind {
                EntryKind::FrameStart => E_FRAME_START,
                EntryKind::Block => 0,
                EntryKind::End => E_END,
            };
            if e.legacy {
                flags |= E_LEGACY;
            }
            if let Some(w) = &e.window {
                flags |= E_WINDOW;
                if w.raw {
                    flags |= E_WINDOW_RAW;
                }
            }
            out.push(flags);
            if let Some(w) = &e.window {
                varint::put(&mut out, w.raw_len as u64);
                if !w.raw {
                    varint::put(&mut out, w.stored_len as u64);
                }
            }
        }
        out.extend_from_slice(&self.windows);
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        let mut flags = 0;
        if embedded {
            flags |= F_EMBEDDED;
        }
        if !self.windows.is_empty() {
            flags |= F_WINDOWS;
        }
        out.push(flags);
        out.push(VERSION);
        out.extend_from_slice(&self.data_len.to_le_bytes());
        out.extend_from_slice(&self.fingerprint.to_le_bytes());
        let sum = xxh32(&out, 0);
        out.extend_from_slice(&sum.to_le_bytes());
        out.extend_from_slice(FOOTER_MAGIC);
        out
    }

    /// The index as a skippable frame (magic `0x184D2A5C`) to append right after the indexed
    /// data. Every LZ4 decoder skips it.
    pub fn to_embedded(&self) -> Vec<u8> {
        let payload = self.payload(true);
        let mut out = Vec::with_capacity(payload.len() + 8);
        out.extend_from_slice(&INDEX_FRAME_MAGIC.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// The index as the content of a sidecar file (`data.lz4.idx` beside `data.lz4`).
    pub fn to_sidecar(&self) -> Vec<u8> {
        self.payload(false)
    }

    /// Parse a sidecar file's bytes. The result is not yet bound to a file: check it with
    /// [`SeekIndex::verify_file`] (the [`crate::SeekableReader`] constructors do).
    pub fn from_sidecar(bytes: &[u8]) -> Result<SeekIndex, Error> {
        let (index, embedded) = parse_payload(bytes)?;
        if embedded {
            return Err(bad(
                "this is an embedded index (taken from inside a .lz4 file), not a sidecar file",
            ));
        }
        Ok(index)
    }

    /// Read the index embedded at the end of `r` (the skippable frame [`SeekIndex::to_embedded`]
    /// writes) and check that it belongs to the data before it.
    pub fn read_embedded<R: Read + Seek + ?Sized>(r: &mut R) -> Result<SeekIndex, Error> {
        let file_len = r.seek(SeekFrom::End(0))?;
        if file_len < (FOOTER_LEN + 8) as u64 {
            return Err(Error::NoIndex { file_len });
        }
        let mut footer = [0u8; FOOTER_LEN];
        r.seek(SeekFrom::Start(file_len - FOOTER_LEN as u64))?;
        r.read_exact(&mut footer)?;
        if &footer[FOOTER_LEN - 4..] != FOOTER_MAGIC {
            return Err(Error::NoIndex { file_len });
        }
        let data_len = u64::from_le_bytes(footer[6..14].try_into().expect("8 bytes"));
        let Some(frame_len) = file_len.checked_sub(data_len) else {
            return Err(bad(format!(
                "the index was built for {data_len} bytes of data, the file has only {file_len}"
            )));
        };
        if !(FOOTER_LEN as u64 + 8..=u64::from(u32::MAX) + 8).contains(&frame_len) {
            return Err(bad(format!(
                "the index records {data_len} bytes of indexed data, which does not fit this \
                 file of {file_len} bytes: it belongs to another file or is damaged"
            )));
        }
        let mut frame = vec![0u8; frame_len as usize];
        r.seek(SeekFrom::Start(data_len))?;
        r.read_exact(&mut frame)?;
        let magic = u32::from_le_bytes(frame[..4].try_into().expect("4 bytes"));
        let size = u32::from_le_bytes(frame[4..8].try_into().expect("4 bytes"));
        if magic != INDEX_FRAME_MAGIC || u64::from(size) != frame_len - 8 {
            return Err(bad(format!(
                "the index at the end of the file does not describe the data before it: it \
                 records {data_len} bytes of indexed data, but does not start at offset \
                 {data_len} (seekable files concatenated, data appended after the index, or \
                 an index of other data); index the whole file with `lz4framed index`"
            )));
        }
        let (index, embedded) = parse_payload(&frame[8..])?;
        if !embedded {
            return Err(bad(
                "the index at the end of the file is marked as a sidecar index",
            ));
        }
        index.check_fingerprint(r)?;
        Ok(index)
    }

    /// Check that this index belongs to the data in `r`: for a sidecar index `r` must be
    /// exactly the indexed data; for an embedded one, the data followed by this index. The
    /// fingerprint (first and last 4 KiB of the data) must match.
    pub fn verify_file<R: Read + Seek + ?Sized>(&self, r: &mut R) -> Result<(), Error> {
        let file_len = r.seek(SeekFrom::End(0))?;
        if file_len != self.data_len && !Self::index_frame_between(r, self.data_len, file_len)? {
            return Err(bad(format!(
                "the index belongs to another file: it was built for {} bytes of data, \
                 this file has {file_len}",
                self.data_len
            )));
        }
        self.check_fingerprint(r)
    }

    /// Whether the bytes of `r` from `data_len` to `file_len` are one embedded-index frame
    /// (this index, or another index of the same data: a copy cut down to a few restart points
    /// checks the file as the whole index does).
    fn index_frame_between<R: Read + Seek + ?Sized>(
        r: &mut R,
        data_len: u64,
        file_len: u64,
    ) -> Result<bool, Error> {
        if file_len < data_len + 8 {
            return Ok(false);
        }
        let mut head = [0u8; 8];
        r.seek(SeekFrom::Start(data_len))?;
        r.read_exact(&mut head)?;
        let magic = u32::from_le_bytes(head[..4].try_into().expect("4 bytes"));
        let size = u32::from_le_bytes(head[4..].try_into().expect("4 bytes"));
        Ok(magic == INDEX_FRAME_MAGIC && data_len + 8 + u64::from(size) == file_len)
    }

    fn check_fingerprint<R: Read + Seek + ?Sized>(&self, r: &mut R) -> Result<(), Error> {
        let found = fingerprint_reader(r, self.data_len)?;
        if found != self.fingerprint {
            return Err(bad(format!(
                "the index belongs to another file: fingerprint 0x{:08X} recorded, \
                 the file's is 0x{found:08X}",
                self.fingerprint
            )));
        }
        Ok(())
    }
}

/// Parse and validate an index payload; returns it and the footer's embedded flag.
fn parse_payload(bytes: &[u8]) -> Result<(SeekIndex, bool), Error> {
    if bytes.len() < FOOTER_LEN {
        return Err(bad(format!(
            "truncated: {} bytes, the footer alone has {FOOTER_LEN}",
            bytes.len()
        )));
    }
    let (body, footer) = bytes.split_at(bytes.len() - FOOTER_LEN);
    if &footer[FOOTER_LEN - 4..] != FOOTER_MAGIC {
        return Err(bad("not a seek index (no \"L4SI\" footer magic)"));
    }
    let version = footer[5];
    if version != VERSION {
        return Err(bad(format!(
            "version {version} is not supported (this library reads version {VERSION})"
        )));
    }
    let sum_at = bytes.len() - 8;
    let stored_sum = u32::from_le_bytes(bytes[sum_at..sum_at + 4].try_into().expect("4 bytes"));
    if xxh32(&bytes[..sum_at], 0) != stored_sum {
        return Err(bad("checksum mismatch: the index is damaged or truncated"));
    }
    let count = u32::from_le_bytes(footer[..4].try_into().expect("4 bytes")) as usize;
    let flags = footer[4];
    let data_len = u64::from_le_bytes(footer[6..14].try_into().expect("8 bytes"));
    let fingerprint = u32::from_le_bytes(footer[14..18].try_into().expect("4 bytes"));
    if flags & !KNOWN_FOOTER_FLAGS != 0 {
        return Err(bad("unknown footer flags"));
    }
    if count == 0 || count > body.len() / MIN_ENTRY_LEN {
        return Err(bad("entry count out of range"));
    }
    let mut r = Reader::new(body);
    let eof = || bad("entries end early");
    let mut entries = Vec::with_capacity(count);
    let (mut c, mut d) = (0u64, 0u64);
    let mut window_area = 0usize;
    let mut in_frame = false;
    for i in 0..count {
        let dc = r.varint().ok_or_else(eof)?;
        let dd = r.varint().ok_or_else(eof)?;
        c = c.checked_add(dc).ok_or_else(|| bad("offset overflow"))?;
        d = d.checked_add(dd).ok_or_else(|| bad("offset overflow"))?;
        let f = r.u8().ok_or_else(eof)?;
        if f & !KNOWN_ENTRY_FLAGS != 0 {
            return Err(bad("unknown entry flags"));
        }
        let kind = match f & (E_FRAME_START | E_END) {
            0 => EntryKind::Block,
            E_FRAME_START => EntryKind::FrameStart,
            E_END => EntryKind::End,
            _ => return Err(bad("entry both frame start and end")),
        };
        if (kind == EntryKind::End) != (i == count - 1) {
            return Err(bad("the end entry must be the last one, and only it"));
        }
        match kind {
            EntryKind::FrameStart => in_frame = true,
            EntryKind::Block if !in_frame => {
                return Err(bad("block entry before any frame start"));
            }
            _ => {}
        }
        if c > data_len {
            return Err(bad("entry offset beyond the indexed data"));
        }
        let window = if f & E_WINDOW != 0 {
            if kind != EntryKind::Block || f & E_LEGACY != 0 {
                return Err(bad("window on an entry that cannot have one"));
            }
            let raw = f & E_WINDOW_RAW != 0;
            let raw_len = r
                .len(WINDOW_SIZE)
                .filter(|&n| n > 0)
                .ok_or_else(|| bad("window length out of range"))?;
            let stored_len = if raw {
                raw_len
            } else {
                r.len(WINDOW_SIZE + WINDOW_SIZE / 255 + 16)
                    .filter(|&n| n > 0)
                    .ok_or_else(|| bad("stored window length out of range"))?
            };
            let w = WindowRef {
                start: window_area,
                stored_len,
                raw_len,
                raw,
            };
            window_area = window_area
                .checked_add(stored_len)
                .ok_or_else(|| bad("window area overflow"))?;
            Some(w)
        } else if f & E_WINDOW_RAW != 0 {
            return Err(bad("raw-window flag without a window"));
        } else {
            None
        };
        entries.push(Entry {
            compressed: c,
            decompressed: d,
            kind,
            legacy: f & E_LEGACY != 0,
            window,
        });
    }
    if entries.last().map(|e| e.compressed) != Some(data_len) {
        return Err(bad(
            "the end entry does not sit at the end of the indexed data",
        ));
    }
    let windows = r.bytes(r.remaining()).unwrap_or(&[]);
    if windows.len() != window_area {
        return Err(bad("window area size does not match the entries"));
    }
    if (flags & F_WINDOWS != 0) == windows.is_empty() {
        return Err(bad("window flag does not match the window area"));
    }
    Ok((
        SeekIndex {
            entries,
            windows: windows.to_vec(),
            data_len,
            fingerprint,
        },
        flags & F_EMBEDDED != 0,
    ))
}
