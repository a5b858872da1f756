//! Writing the legacy frame format — what `lz4 -l` writes and the Linux kernel's and many
//! initramfs tools' LZ4 decoders read.
//!
//! Layout (the LZ4 frame format description, section "Legacy frame"): the magic number
//! `0x184C2102` (little-endian), then blocks, each a 4-byte little-endian compressed size followed
//! by that many bytes of one LZ4 block. Every block but the last holds exactly
//! [`LEGACY_BLOCK_SIZE`] (8 MiB) of input; blocks are independent (no history), always
//! compressed (the format has no "stored" flag), and there is no end mark and no checksum: the
//! frame ends where the input ends, or where a "block size" reads as another frame's magic number.
//! Compressed sizes never exceed `compress_bound(8 MiB)`, so a decoder can tell them from a
//! following magic number (`lz4` does exactly that).
//!
//! An empty input gives the 4-byte magic number alone, as `lz4 -l` writes it.

use crate::unwritten::Unwritten;
use std::io::{self, Write};

use crate::backend::Backend;
use crate::codec::{compress_bound, BlockCompressor};
use crate::error::Error;
use crate::frame::{LEGACY_BLOCK_SIZE, LEGACY_MAGIC};

/// Push-style legacy-frame compressor: [`LegacyCompressor::begin`] writes the magic number,
/// [`LegacyCompressor::block`] one block of at most [`LEGACY_BLOCK_SIZE`] input bytes.
pub struct LegacyCompressor {
    block: Box<dyn BlockCompressor>,
    scratch: Vec<u8>,
}

impl std::fmt::Debug for LegacyCompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyCompressor").finish_non_exhaustive()
    }
}

impl LegacyCompressor {
    /// A compressor at `level` (as in [`crate::FrameSettings::level`]: 1 fast, negative = fast
    /// with acceleration, 2..=12 high compression) with the codec `backend` names.
    ///
    /// Errors: [`Error::BackendUnavailable`] / [`Error::UnsupportedLevel`] as for frames.
    pub fn new(level: i32, backend: impl Into<Backend>) -> Result<Self, Error> {
        let codec = backend.into().codec_for_level(level)?;
        let block = codec.compressor(level)?;
        Ok(LegacyCompressor {
            block,
            scratch: vec![0u8; compress_bound(LEGACY_BLOCK_SIZE)],
        })
    }

    /// Append the legacy magic number to `out` (once, before the first block).
    pub fn begin(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(&LEGACY_MAGIC.to_le_bytes());
    }

    /// Compress `src` (1 to [`LEGACY_BLOCK_SIZE`] bytes) into one block appended to `out`: the
    /// 4-byte little-endian compressed size, then the block. Only the last block of a frame may
    /// hold fewer than [`LEGACY_BLOCK_SIZE`] bytes (decoders rely on it).
    ///
    /// Errors: [`Error::InvalidSettings`] for an empty or oversized `src`;
    /// [`Error::InvalidState`] if the codec broke its contract (no room in a
    /// `compress_bound`-sized buffer).
    pub fn block(&mut self, src: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        if src.is_empty() || src.len() > LEGACY_BLOCK_SIZE {
            return Err(Error::InvalidSettings(format!(
                "a legacy block holds 1 to {LEGACY_BLOCK_SIZE} bytes, not {}",
                src.len()
            )));
        }
        let bound = compress_bound(src.len());
        let n = self
            .block
            .compress(src, &[], &mut self.scratch[..bound])
            .ok_or(Error::InvalidState(
                "the block codec found no room within compress_bound for a legacy block",
            ))?;
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.extend_from_slice(&self.scratch[..n]);
        Ok(())
    }
}

/// `io::Write` adapter that compresses everything written into one legacy frame on `W`.
/// Call [`LegacyEncoder::finish`] (or [`LegacyEncoder::try_finish`], which can be retried after
/// an error of the writer) to write the last block; dropping it without that loses the
/// buffered input.
///
/// `write` follows `io::Write`'s contract as [`crate::FrameEncoder`] does: an error means no
/// byte of that call was taken, so retrying the same bytes is right; compressed bytes the
/// writer did not accept yet are kept and written first by the next call.
///
/// ```
/// use std::io::Write;
/// let mut enc = lz4framed::LegacyEncoder::new(Vec::new(), 1, lz4framed::Backend::Auto)?;
/// enc.write_all(b"for the kernel's decoder")?;
/// let frame = enc.finish()?;
/// assert_eq!(lz4framed::decompress(&frame)?, b"for the kernel's decoder");
/// # Ok::<(), lz4framed::Error>(())
/// ```
pub struct LegacyEncoder<W: Write> {
    inner: W,
    compressor: LegacyCompressor,
    /// Input of the block being gathered (blocks are compressed when full, or at the end).
    pending: Vec<u8>,
    /// Compressed bytes not yet accepted by the writer: `out[out_pos..]`.
    out: Unwritten,
    /// The last block was produced (by `try_finish`).
    ended: bool,
}

impl<W: Write> std::fmt::Debug for LegacyEncoder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyEncoder")
            .field("pending", &self.pending.len())
            .field("pending_output", &self.out.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<W: Write> LegacyEncoder<W> {
    /// An encoder writing to `inner` at `level` with `backend`; the magic number is written
    /// with the first block or by [`LegacyEncoder::finish`].
    pub fn new(inner: W, level: i32, backend: impl Into<Backend>) -> Result<Self, Error> {
        let mut compressor = LegacyCompressor::new(level, backend)?;
        let mut out = Vec::with_capacity(compress_bound(LEGACY_BLOCK_SIZE) + 8);
        compressor.begin(&mut out);
        Ok(LegacyEncoder {
            inner,
            compressor,
            pending: Vec::with_capacity(LEGACY_BLOCK_SIZE),
            out: Unwritten::from_vec(out),
            ended: false,
        })
    }

    /// Write the compressed bytes the writer has not accepted yet. On an error, what it did
    /// accept is remembered and the rest is kept for the next call.
    fn write_pending(&mut self) -> io::Result<()> {
        self.out.write_to(&mut self.inner, |_| {})
    }

    /// Compress the gathered input as one block into the output not yet written.
    fn compress_pending(&mut self) -> Result<(), Error> {
        if !self.pending.is_empty() {
            self.compressor.block(&self.pending, &mut self.out.buf)?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Write the last block (and the magic number, for an empty input) and flush the writer,
    /// keeping the encoder. After an error of the writer it can be called again and continues
    /// where it stopped; once it succeeded, writing more is an error.
    pub fn try_finish(&mut self) -> Result<(), Error> {
        if !self.ended {
            self.compress_pending()?;
            self.ended = true;
        }
        self.write_pending()?;
        self.inner.flush()?;
        Ok(())
    }

    /// Write the last block (and the magic number, for an empty input) and return the writer.
    pub fn finish(mut self) -> Result<W, Error> {
        self.try_finish()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for LegacyEncoder<W> {
    /// Takes up to the rest of the current 8 MiB block from `buf` and returns how much it
    /// took; a full block is compressed. Compressed bytes left over by an earlier call are
    /// written first; if that fails, the error is returned and nothing of `buf` is taken.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.ended {
            return Err(Error::InvalidState("write after the frame was finished").into());
        }
        self.write_pending()?;
        let n = buf.len().min(LEGACY_BLOCK_SIZE - self.pending.len());
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() == LEGACY_BLOCK_SIZE {
            if let Err(e) = self.compress_pending() {
                self.pending.truncate(LEGACY_BLOCK_SIZE - n);
                return Err(e.into());
            }
            // The input is taken now: an error of the writer is reported by the next call,
            // which writes these bytes first.
            let _ = self.write_pending();
        }
        Ok(n)
    }

    /// Writes the compressed blocks not yet written and flushes the writer. The block being
    /// gathered stays (only the last block of a legacy frame may be short).
    fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        self.inner.flush()
    }
}
