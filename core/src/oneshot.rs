//! One-shot functions: a whole input in, a whole output out.

use crate::codec::compress_bound;
use crate::compressor::Compressor;
use crate::decompressor::Decompressor;
use crate::error::Error;
use crate::frame::FrameInfo;
use crate::output::ReusableBuf;
use crate::settings::FrameSettings;

/// Compress `data` into one frame with `settings`. The content size is written unless
/// `settings` say otherwise.
pub fn compress_with(data: &[u8], settings: &FrameSettings) -> Result<Vec<u8>, Error> {
    let mut c = Compressor::with_settings(settings)?;
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
pub fn decompress_all(mut decompressor: Decompressor, data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = ReusableBuf::default();
    if let Ok(Some(size)) = frame_info(data).map(|i| i.content_size) {
        // A hint from untrusted input: LZ4 expands at most 255 times.
        let bound = (data.len() as u64)
            .saturating_mul(255)
            .saturating_add(1 << 16);
        // Room for the whole output at once (not initialised: blocks are decoded into it).
        out.buf = Vec::with_capacity(size.min(bound).min(usize::MAX as u64 / 2) as usize);
    }
    decompressor.feed(data, &mut out)?;
    decompressor.finish()?;
    Ok(out.buf)
}

/// The header of the first standard or legacy frame in `data` (skippable frames before it are
/// skipped). Only the header needs to be present.
pub fn frame_info(data: &[u8]) -> Result<FrameInfo, Error> {
    crate::walk::first_frame_info(data)
}
