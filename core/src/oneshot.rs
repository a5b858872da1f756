//! One-shot functions: a whole input in, a whole output out.

use crate::codec::{compress_bound, CodecRegistry};
use crate::compressor::Compressor;
use crate::decompressor::Decompressor;
use crate::error::Error;
use crate::frame::{is_skippable, FrameInfo, LEGACY_MAGIC, MAGIC};
use crate::output::ReusableBuf;
use crate::settings::FrameSettings;

/// Compress `data` into one frame with `settings`. The content size is written unless
/// `settings` say otherwise.
pub fn compress_with<G: CodecRegistry>(
    data: &[u8],
    settings: &FrameSettings,
) -> Result<Vec<u8>, Error> {
    let mut c = Compressor::<G>::with_settings(settings)?;
    let blocks = data.len() / settings.block_size.bytes() + 1;
    let mut out = Vec::with_capacity(compress_bound(data.len()) + 4 * blocks + 32);
    c.begin_with_size(Some(data.len() as u64), &mut out)?;
    c.update(data, &mut out)?;
    c.end(&mut out)?;
    Ok(out)
}

/// Decompress every frame in `data` (skippable frames skipped, legacy frames decoded) with
/// `decompressor`'s backend, dictionary and checksum settings. Input that ends inside a frame is
/// [`Error::Truncated`].
pub fn decompress_all<G: CodecRegistry>(
    mut decompressor: Decompressor<G>,
    data: &[u8],
) -> Result<Vec<u8>, Error> {
    let mut out = ReusableBuf::default();
    if let Ok(Some(size)) = frame_info(data).map(|i| i.content_size) {
        // A hint from untrusted input: LZ4 expands at most 255 times.
        let bound = (data.len() as u64)
            .saturating_mul(255)
            .saturating_add(1 << 16);
        out.buf = vec![0u8; size.min(bound).min(usize::MAX as u64 / 2) as usize];
    }
    decompressor.feed(data, &mut out)?;
    decompressor.finish()?;
    out.buf.truncate(out.filled);
    Ok(out.buf)
}

/// The header of the first LZ4 or legacy frame in `data` (skippable frames before it are
/// skipped). Only the header needs to be present.
pub fn frame_info(data: &[u8]) -> Result<FrameInfo, Error> {
    let mut at = 0usize;
    loop {
        let magic = read_u32(data, at, "a magic number")?;
        if magic == MAGIC {
            let flg = *data.get(at + 4).ok_or(Error::Truncated {
                offset: data.len() as u64,
                context: "a frame descriptor",
            })?;
            let len = FrameInfo::descriptor_len(flg);
            let desc = data.get(at + 4..at + 4 + len).ok_or(Error::Truncated {
                offset: data.len() as u64,
                context: "a frame descriptor",
            })?;
            return FrameInfo::parse_descriptor(desc, at as u64 + 4, true);
        } else if magic == LEGACY_MAGIC {
            return Ok(FrameInfo::legacy());
        } else if is_skippable(magic) {
            let size = read_u32(data, at + 4, "a skippable frame")?;
            at = at
                .checked_add(8 + size as usize)
                .ok_or(Error::InvalidState("skippable frame size overflows"))?;
        } else {
            return Err(Error::BadMagic {
                offset: at as u64,
                found: magic,
            });
        }
    }
}

fn read_u32(data: &[u8], at: usize, context: &'static str) -> Result<u32, Error> {
    match data.get(at..at.saturating_add(4)) {
        Some(b) if b.len() == 4 => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        _ => Err(Error::Truncated {
            offset: data.len().min(at) as u64 + data.len().saturating_sub(at).min(4) as u64,
            context,
        }),
    }
}
