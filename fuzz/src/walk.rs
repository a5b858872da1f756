//! A structural walk over concatenated frames, mirroring lz4framed's decoder: where each frame
//! starts and ends, what kind it is, and a fix-up of the header and block checksums so that the
//! checksum-skipping target can still be compared with the C decoder (which always checks the
//! header checksum).

use lz4framed::frame::{
    header_checksum, is_skippable, LEGACY_BLOCK_SIZE, LEGACY_MAGIC, MAGIC, UNCOMPRESSED_FLAG,
};
use lz4framed::{compress_bound, xxh32::xxh32, FrameInfo};

/// What kind of frame the walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Magic `0x184D2204`.
    Standard,
    /// Magic `0x184C2102`.
    Legacy,
    /// Magic `0x184D2A5?`.
    Skippable,
    /// Anything else (or fewer than 4 bytes): the walk stops here.
    Unknown,
}

/// One frame of the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Kind of frame.
    pub kind: Kind,
    /// Offset of its magic number.
    pub start: usize,
    /// Offset after its last byte; `None` when the frame is malformed or truncated (the walk
    /// stops there).
    pub end: Option<usize>,
}

fn le32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Walks the frames of `data`. With `fix`, rewrites every standard frame's header checksum and
/// block checksums to the correct values on the way.
pub fn walk(data: &mut [u8], fix: bool) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let Some(magic) = le32(data, at) else {
            spans.push(Span {
                kind: Kind::Unknown,
                start: at,
                end: None,
            });
            break;
        };
        let (kind, end) = if magic == MAGIC {
            (Kind::Standard, standard(data, at, fix))
        } else if magic == LEGACY_MAGIC {
            (Kind::Legacy, legacy(data, at))
        } else if is_skippable(magic) {
            let end = le32(data, at + 4)
                .and_then(|n| (at + 8).checked_add(n as usize))
                .filter(|&e| e <= data.len());
            (Kind::Skippable, end)
        } else {
            (Kind::Unknown, None)
        };
        spans.push(Span {
            kind,
            start: at,
            end,
        });
        match end {
            Some(e) => at = e,
            None => break,
        }
    }
    spans
}

fn standard(data: &mut [u8], at: usize, fix: bool) -> Option<usize> {
    let flg = *data.get(at + 4)?;
    let dlen = FrameInfo::descriptor_len(flg);
    let desc_end = at + 4 + dlen;
    if desc_end > data.len() {
        return None;
    }
    if fix {
        data[desc_end - 1] = header_checksum(&data[at + 4..desc_end - 1]);
    }
    let bd = data[at + 5];
    let max = match (bd >> 4) & 7 {
        id @ 4..=7 => 1usize << (8 + 2 * id),
        _ => return None,
    };
    let block_checksum = flg & 0x10 != 0;
    let content_checksum = flg & 0x04 != 0;
    let mut p = desc_end;
    loop {
        let v = le32(data, p)?;
        p += 4;
        if v == 0 {
            p += if content_checksum { 4 } else { 0 };
            return (p <= data.len()).then_some(p);
        }
        let size = (v & !UNCOMPRESSED_FLAG) as usize;
        if size > max || p + size > data.len() {
            return None;
        }
        if block_checksum {
            let c = p + size;
            if c + 4 > data.len() {
                return None;
            }
            if fix {
                let sum = xxh32(&data[p..c], 0);
                data[c..c + 4].copy_from_slice(&sum.to_le_bytes());
            }
            p = c + 4;
        } else {
            p += size;
        }
    }
}

fn legacy(data: &[u8], at: usize) -> Option<usize> {
    let mut p = at + 4;
    loop {
        let Some(v) = le32(data, p) else {
            // The input may end between legacy blocks (or with a partial header: broken).
            return (p == data.len()).then_some(p);
        };
        if v as usize > compress_bound(LEGACY_BLOCK_SIZE)
            || v == MAGIC
            || v == LEGACY_MAGIC
            || is_skippable(v)
        {
            return Some(p);
        }
        if v == 0 || p + 4 + v as usize > data.len() {
            return None;
        }
        p += 4 + v as usize;
    }
}
