//! Checkpoints: the whole decoder state as a few bytes, valid at any input position.
//!
//! # Format, version 1
//!
//! All integers little-endian; varint = unsigned LEB128.
//!
//! ```text
//! "L4CP"              magic (4)
//! version u8 = 1
//! stage u8            0 magic, 1 descriptor FLG, 2 descriptor rest, 3 block header,
//!                     4 block, 5 content checksum, 6 skippable size, 7 skippable content,
//!                     8 legacy block header, 9 legacy block
//! flags u8            bit 0 content-checksum state present, 1 pending input,
//!                     2 pending output, 3 window present, 4 dictionary,
//!                     5 checksums not verified, 6 decoder failed,
//!                     7 in a checksummed frame without its running content checksum (a
//!                     decoder restarted mid-frame from a seek index restart point: that
//!                     frame's content checksum cannot be verified)
//! descriptor          len u8 + the frame descriptor bytes as read (FLG .. HC); 0 = none
//! varint compressed_position      varint decompressed_position
//! varint frame_index              varint frame_decompressed
//! varint stage argument           stage 2: descriptor length; 4: block size | raw << 31;
//!                                 7: bytes left to skip; 9: legacy block size; else 0
//! [xxh32 state]       varint total_len, v1..v4 (4 × u32), u8 buffered len + buffered bytes
//! [pending input]     varint len + bytes (the part of the current unit read so far)
//! [pending output]    varint len + bytes (decoded, not yet handed to the caller)
//! [window]            varint raw_len, u8 encoding (0 raw, 1 LZ4 block), varint stored_len + bytes
//! [dictionary]        u32 dictionary ID + u32 XXH32 of the dictionary bytes
//! xxh32 (4)           of every byte above
//! ```
//!
//! The stage argument is the one addition to the layout sketched in the design: the block size
//! of a half-read block has to be stored somewhere.
//!
//! Reading is defensive: any byte string either yields a consistent decoder or
//! [`Error::BadCheckpoint`]; lengths are checked against their limits before anything is
//! allocated.

use crate::codec::{compress_bound, BlockCodec, WINDOW_SIZE};
use crate::engine::{Engine, EngineParts};
use crate::error::Error;
use crate::frame::{FrameInfo, FrameKind, LEGACY_BLOCK_SIZE, MAX_DESCRIPTOR_LEN};
use crate::settings::{BlockMode, Dictionary};
use crate::varint::{self, Reader};
use crate::walk::{FrameWalker, Stage};
use crate::xxh32::{xxh32, Xxh32};

const MAGIC: &[u8; 4] = b"L4CP";
const VERSION: u8 = 1;

const F_HASH: u8 = 1 << 0;
const F_PENDING_IN: u8 = 1 << 1;
const F_PENDING_OUT: u8 = 1 << 2;
const F_WINDOW: u8 = 1 << 3;
const F_DICT: u8 = 1 << 4;
const F_NO_VERIFY: u8 = 1 << 5;
const F_FAILED: u8 = 1 << 6;
const F_HASH_SKIPPED: u8 = 1 << 7;

/// Largest pending output a checkpoint may carry (one legacy block).
const MAX_PENDING_OUT: usize = LEGACY_BLOCK_SIZE;

/// Which dictionary a decoder state is bound to: its ID and the XXH32 of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DictBinding {
    pub(crate) id: u32,
    pub(crate) fingerprint: u32,
}

impl DictBinding {
    pub(crate) fn of(d: &Dictionary) -> Self {
        DictBinding {
            id: d.id(),
            fingerprint: d.fingerprint(),
        }
    }
}

/// A restored state.
pub(crate) struct Restored {
    pub(crate) engine: Engine,
    pub(crate) pending_output: Vec<u8>,
    pub(crate) dict: Option<DictBinding>,
}

fn stage_code(stage: Stage) -> (u8, u64) {
    match stage {
        Stage::Magic => (0, 0),
        Stage::DescriptorFlg => (1, 0),
        Stage::DescriptorRest { len } => (2, u64::from(len)),
        Stage::BlockHeader => (3, 0),
        Stage::Block { size, raw } => (4, u64::from(size) | (u64::from(raw) << 31)),
        Stage::ContentChecksum => (5, 0),
        Stage::SkippableSize => (6, 0),
        Stage::Skip { remaining } => (7, u64::from(remaining)),
        Stage::LegacyBlockHeader => (8, 0),
        Stage::LegacyBlock { size } => (9, u64::from(size)),
    }
}

/// Serialize `engine` (plus output not yet handed out and the dictionary binding). `codec`
/// compresses the window.
pub(crate) fn write(
    engine: &Engine,
    codec: &dyn BlockCodec,
    pending_output: &[u8],
    dict: Option<DictBinding>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + engine.pending().len() + pending_output.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    let (code, arg) = stage_code(engine.stage());
    out.push(code);
    let mut flags = 0;
    if engine.content_hash().is_some() {
        flags |= F_HASH;
    }
    if !engine.pending().is_empty() {
        flags |= F_PENDING_IN;
    }
    if !pending_output.is_empty() {
        flags |= F_PENDING_OUT;
    }
    if !engine.window().is_empty() {
        flags |= F_WINDOW;
    }
    if dict.is_some() {
        flags |= F_DICT;
    }
    if !engine.verifies() {
        flags |= F_NO_VERIFY;
    }
    if engine.has_failed() {
        flags |= F_FAILED;
    }
    if engine.content_hash().is_none()
        && engine.walker().in_frame_body()
        && engine.frame().is_some_and(|f| f.content_checksum)
    {
        flags |= F_HASH_SKIPPED;
    }
    out.push(flags);
    out.push(engine.walker().descriptor().len() as u8);
    out.extend_from_slice(engine.walker().descriptor());
    varint::put(&mut out, engine.compressed_position());
    varint::put(&mut out, engine.decompressed_position());
    varint::put(&mut out, engine.frame_number());
    varint::put(&mut out, engine.frame_decompressed());
    varint::put(&mut out, arg);
    if let Some(h) = engine.content_hash() {
        varint::put(&mut out, h.total_len);
        for v in h.v {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let n = h.buffered_len.min(15);
        out.push(n);
        out.extend_from_slice(&h.buffer[..usize::from(n)]);
    }
    if !engine.pending().is_empty() {
        varint::put(&mut out, engine.pending().len() as u64);
        out.extend_from_slice(engine.pending());
    }
    if !pending_output.is_empty() {
        varint::put(&mut out, pending_output.len() as u64);
        out.extend_from_slice(pending_output);
    }
    if !engine.window().is_empty() {
        let w = engine.window();
        varint::put(&mut out, w.len() as u64);
        let mut scratch = vec![0u8; compress_bound(w.len())];
        let packed = codec
            .compressor(1)
            .ok()
            .and_then(|mut c| c.compress(w, &[], &mut scratch))
            .filter(|&n| n < w.len());
        match packed {
            Some(n) => {
                out.push(1);
                varint::put(&mut out, n as u64);
                out.extend_from_slice(&scratch[..n]);
            }
            None => {
                out.push(0);
                varint::put(&mut out, w.len() as u64);
                out.extend_from_slice(w);
            }
        }
    }
    if let Some(d) = dict {
        out.extend_from_slice(&d.id.to_le_bytes());
        out.extend_from_slice(&d.fingerprint.to_le_bytes());
    }
    let sum = xxh32(&out, 0);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

fn bad(why: &str) -> Error {
    Error::BadCheckpoint(why.to_string())
}

/// Parse and validate a checkpoint. `codec` decodes the window.
pub(crate) fn read(bytes: &[u8], codec: &dyn BlockCodec) -> Result<Restored, Error> {
    if bytes.len() < 4 + 3 + 1 + 5 + 4 {
        return Err(bad("too short"));
    }
    if &bytes[..4] != MAGIC {
        return Err(bad("not a checkpoint (magic is not \"L4CP\")"));
    }
    if bytes[4] != VERSION {
        return Err(Error::BadCheckpoint(format!(
            "version {} is not supported (this library reads version {VERSION})",
            bytes[4]
        )));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 4);
    if xxh32(body, 0).to_le_bytes() != sum {
        return Err(bad("checksum mismatch (damaged or truncated)"));
    }
    let mut r = Reader::new(&body[5..]);
    let eof = || bad("ends early");
    let code = r.u8().ok_or_else(eof)?;
    let flags = r.u8().ok_or_else(eof)?;
    let desc_len = usize::from(r.u8().ok_or_else(eof)?);
    if desc_len > MAX_DESCRIPTOR_LEN {
        return Err(bad("descriptor too long"));
    }
    let descriptor = r.bytes(desc_len).ok_or_else(eof)?.to_vec();
    let compressed_position = r.varint().ok_or_else(eof)?;
    let decompressed_position = r.varint().ok_or_else(eof)?;
    let frame_index = r.varint().ok_or_else(eof)?;
    let frame_decompressed = r.varint().ok_or_else(eof)?;
    let arg = r.varint().ok_or_else(eof)?;

    let verify = flags & F_NO_VERIFY == 0;
    // The frame the state is in, from the descriptor (standard frames) or the stage (legacy).
    let frame = match desc_len {
        0 => None,
        1 => None, // only FLG read so far (stage 2)
        _ => {
            if FrameInfo::descriptor_len(descriptor[0]) != desc_len {
                return Err(bad("descriptor length does not match its FLG byte"));
            }
            Some(
                FrameInfo::parse_descriptor(&descriptor, 0, flags & F_NO_VERIFY == 0)
                    .map_err(|e| Error::BadCheckpoint(format!("descriptor: {e}")))?,
            )
        }
    };
    let in_frame_body = matches!(code, 3..=5);
    let in_legacy = matches!(code, 8 | 9);
    let stage = match code {
        0 => Stage::Magic,
        1 => Stage::DescriptorFlg,
        2 => {
            if desc_len != 1 || arg != FrameInfo::descriptor_len(descriptor[0]) as u64 {
                return Err(bad("descriptor stage inconsistent"));
            }
            Stage::DescriptorRest { len: arg as u8 }
        }
        3 => Stage::BlockHeader,
        4 => {
            let size = (arg & 0x7FFF_FFFF) as u32;
            let max = frame.as_ref().map_or(0, FrameInfo::block_max_size);
            if arg >> 32 != 0 || size as usize > max {
                return Err(bad("block size out of range"));
            }
            Stage::Block {
                size,
                raw: arg & (1 << 31) != 0,
            }
        }
        5 => Stage::ContentChecksum,
        6 => Stage::SkippableSize,
        7 => {
            if arg == 0 || arg > u64::from(u32::MAX) {
                return Err(bad("skip length out of range"));
            }
            Stage::Skip {
                remaining: arg as u32,
            }
        }
        8 => Stage::LegacyBlockHeader,
        9 => {
            if arg == 0 || arg > compress_bound(LEGACY_BLOCK_SIZE) as u64 {
                return Err(bad("legacy block size out of range"));
            }
            Stage::LegacyBlock { size: arg as u32 }
        }
        _ => return Err(bad("unknown stage")),
    };
    if !matches!(stage, Stage::Block { .. } | Stage::DescriptorRest { .. })
        && !matches!(stage, Stage::Skip { .. } | Stage::LegacyBlock { .. })
        && arg != 0
    {
        return Err(bad("stage argument where none belongs"));
    }
    if in_frame_body && frame.is_none() {
        return Err(bad("block stage without a frame descriptor"));
    }
    if in_legacy && desc_len != 0 {
        return Err(bad("legacy stage with a descriptor"));
    }
    let frame = if in_legacy {
        Some(FrameInfo::legacy())
    } else {
        frame
    };
    if frame_index == 0
        && !matches!(
            stage,
            Stage::Magic
                | Stage::DescriptorFlg
                | Stage::DescriptorRest { .. }
                | Stage::SkippableSize
                | Stage::Skip { .. }
        )
    {
        return Err(bad("frame stage before any frame"));
    }
    let info = frame.clone();
    let walker = FrameWalker::from_parts(stage, descriptor, frame, frame_index, verify);
    if let Some(cs) = info.as_ref().and_then(|f| f.content_size) {
        if in_frame_body && frame_decompressed > cs {
            return Err(bad("more output than the frame's content size"));
        }
    }

    let checksummed = in_frame_body && info.as_ref().is_some_and(|f| f.content_checksum);
    let skipped = flags & F_HASH_SKIPPED != 0;
    if skipped && (!checksummed || flags & F_HASH != 0) {
        return Err(bad(
            "content-checksum state marked skipped where no content checksum runs",
        ));
    }
    let wants_hash = checksummed && !skipped;
    if (flags & F_HASH != 0) != wants_hash {
        return Err(bad(
            "content-checksum state present where none belongs, or missing",
        ));
    }
    let mut content_hash = None;
    if wants_hash {
        let total_len = r.varint().ok_or_else(eof)?;
        let mut v = [0u32; 4];
        for x in &mut v {
            *x = r.u32().ok_or_else(eof)?;
        }
        let n = r.u8().ok_or_else(eof)?;
        if n > 15 || u64::from(n) != total_len % 16 {
            return Err(bad("content-checksum buffer inconsistent"));
        }
        let mut buffer = [0u8; 16];
        buffer[..usize::from(n)].copy_from_slice(r.bytes(usize::from(n)).ok_or_else(eof)?);
        content_hash = Some(Xxh32 {
            total_len,
            v,
            buffer,
            buffered_len: n,
        });
    }

    let mut pending = Vec::new();
    if flags & F_PENDING_IN != 0 {
        let unit = walker.unit_len().unwrap_or(0);
        // The pending bytes were read before the compressed position, so they cannot be more.
        let n = r
            .len(unit.saturating_sub(1))
            .filter(|&n| n as u64 <= compressed_position)
            .ok_or_else(|| bad("pending input too long"))?;
        if n == 0 {
            return Err(bad("empty pending input"));
        }
        pending = r.bytes(n).ok_or_else(eof)?.to_vec();
    }
    let mut pending_output = Vec::new();
    if flags & F_PENDING_OUT != 0 {
        let n = r
            .len(MAX_PENDING_OUT)
            .filter(|&n| n > 0 && n as u64 <= decompressed_position)
            .ok_or_else(|| bad("pending output length out of range"))?;
        pending_output = r.bytes(n).ok_or_else(eof)?.to_vec();
    }
    let linked = info
        .as_ref()
        .is_some_and(|f| f.kind == FrameKind::Standard && f.block_mode == BlockMode::Linked);
    let mut window = Vec::new();
    if flags & F_WINDOW != 0 {
        if !(linked && in_frame_body) {
            return Err(bad("window outside a linked frame"));
        }
        let raw_len = r
            .len(WINDOW_SIZE)
            .filter(|&n| n > 0)
            .ok_or_else(|| bad("window length out of range"))?;
        let encoding = r.u8().ok_or_else(eof)?;
        let stored_len = r.len(r.remaining()).ok_or_else(eof)?;
        let stored = r.bytes(stored_len).ok_or_else(eof)?;
        window = match encoding {
            0 if stored_len == raw_len => stored.to_vec(),
            1 => {
                let mut w = vec![0u8; raw_len];
                match codec.decompress(stored, &[], &mut w) {
                    Ok(n) if n == raw_len => w,
                    _ => return Err(bad("window does not decode")),
                }
            }
            _ => return Err(bad("bad window encoding")),
        };
    }
    let dict = if flags & F_DICT != 0 {
        Some(DictBinding {
            id: r.u32().ok_or_else(eof)?,
            fingerprint: r.u32().ok_or_else(eof)?,
        })
    } else {
        None
    };
    if r.remaining() != 0 {
        return Err(bad("trailing bytes"));
    }
    Ok(Restored {
        engine: Engine::from_parts(EngineParts {
            walker,
            content_hash,
            pending,
            window,
            compressed_position,
            decompressed_position,
            frame_decompressed,
            verify,
            failed: flags & F_FAILED != 0,
        }),
        pending_output,
        dict,
    })
}
