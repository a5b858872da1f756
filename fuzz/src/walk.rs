//! A structural walk over concatenated frames, with lz4framed's own frame walker: where each frame
//! starts and ends, what kind it is, and a fix-up of the header and block checksums so that the
//! checksum-skipping target can still be compared with the C decoder (which always checks the
//! header checksum).

use lz4framed::frame::{
    ends_legacy_frame, header_checksum, is_skippable, FrameWalker, Unit, LEGACY_MAGIC, MAGIC,
};
use lz4framed_core::xxh32::xxh32;

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

/// Walks the frames of `data` with lz4framed's own frame walker (header checksums not
/// verified). With `fix`, rewrites every standard frame's header checksum and block checksums
/// to the correct values on the way.
pub fn walk(data: &mut [u8], fix: bool) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut w = FrameWalker::new().verify_header_checksums(false);
    let mut open: Option<Span> = None;
    let mut at = 0usize;
    let close = |spans: &mut Vec<Span>, open: &mut Option<Span>, end: Option<usize>| {
        if let Some(span) = open.take() {
            spans.push(Span { end, ..span });
        }
    };
    loop {
        if w.in_skippable_content() {
            let n = w.need();
            if at + n > data.len() {
                close(&mut spans, &mut open, None);
                break;
            }
            w.skip(n);
            at += n;
            close(&mut spans, &mut open, Some(at));
            continue;
        }
        if w.at_frame_boundary() {
            let magic = data
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            match magic {
                // The input ends between frames (or between a legacy frame's blocks).
                None if at == data.len() => {
                    close(&mut spans, &mut open, Some(at));
                    break;
                }
                Some(v) if w.between_frames() || ends_legacy_frame(v) => {
                    close(&mut spans, &mut open, Some(at));
                    let kind = if v == MAGIC {
                        Kind::Standard
                    } else if v == LEGACY_MAGIC {
                        Kind::Legacy
                    } else if is_skippable(v) {
                        Kind::Skippable
                    } else {
                        Kind::Unknown
                    };
                    open = Some(Span {
                        kind,
                        start: at,
                        end: None,
                    });
                }
                _ => {}
            }
        }
        let n = w.need();
        if at + n > data.len() {
            spans.extend(open.take().or(Some(Span {
                kind: Kind::Unknown,
                start: at,
                end: None,
            })));
            break;
        }
        if fix
            && open
                .as_ref()
                .is_some_and(|s| s.kind == Kind::Standard && at == s.start + 5)
        {
            // The descriptor after FLG: its last byte is the header checksum.
            let start = at - 1;
            data[at + n - 1] = header_checksum(&data[start..at + n - 1]);
        }
        let block = match w.accept(&data[at..at + n], at as u64) {
            Ok(Unit::Block {
                header_at,
                size,
                checksum: Some(_),
                ..
            }) => Some((header_at as usize + 4, size as usize)),
            Ok(_) => None,
            Err(_) => {
                close(&mut spans, &mut open, None);
                break;
            }
        };
        if let (true, Some((start, size))) = (fix, block) {
            let sum = xxh32(&data[start..start + size], 0);
            data[start + size..start + size + 4].copy_from_slice(&sum.to_le_bytes());
        }
        at += n;
        if w.between_frames() {
            close(&mut spans, &mut open, Some(at));
        }
    }
    spans
}
