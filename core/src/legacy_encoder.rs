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
    /// with acceleration, 3..=12 high compression) with the codec `backend` names.
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
/// Call [`LegacyEncoder::finish`] to write the last block; dropping it without `finish` loses
/// the buffered input.
pub struct LegacyEncoder<W: Write> {
    inner: W,
    compressor: LegacyCompressor,
    pending: Vec<u8>,
    out: Vec<u8>,
}

impl<W: Write> std::fmt::Debug for LegacyEncoder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyEncoder")
            .field("pending", &self.pending.len())
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
            out,
        })
    }

    fn emit(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.compressor
                .block(&self.pending, &mut self.out)
                .map_err(io::Error::other)?;
            self.pending.clear();
        }
        self.inner.write_all(&self.out)?;
        self.out.clear();
        Ok(())
    }

    /// Write the last block (and the magic number, for an empty input) and return the writer.
    pub fn finish(mut self) -> Result<W, Error> {
        self.emit().map_err(Error::Io)?;
        self.inner.flush().map_err(Error::Io)?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for LegacyEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = LEGACY_BLOCK_SIZE - self.pending.len();
        let n = buf.len().min(room);
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() == LEGACY_BLOCK_SIZE {
            self.emit()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        // A legacy block must be full unless it is the last: nothing can be flushed early.
        self.inner.flush()
    }
}
