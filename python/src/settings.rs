//! The original library's compression arguments (`block_size_id`, `block_mode_linked`,
//! `checksum`, `level`, `block_checksum`) as [`FrameSettings`], checked as py-lz4framed_ph4
//! 0.9.11 checked them.

use lz4framed::{BlockMode, BlockSize, FrameSettings};
use pyo3::exceptions::PyValueError;
use pyo3::PyResult;

/// `LZ4F_BLOCKSIZE_DEFAULT`: the C library's default block size, 64 KiB.
pub const BLOCKSIZE_DEFAULT: i32 = 0;
/// `LZ4F_COMPRESSION_MIN`.
pub const COMPRESSION_MIN: i32 = 0;
/// `LZ4F_COMPRESSION_MIN_HC`: levels from here on are high compression (`LZ4HC_CLEVEL_MIN`).
pub const COMPRESSION_MIN_HC: i32 = 3;
/// `LZ4F_COMPRESSION_MAX` (`LZ4HC_CLEVEL_MAX`).
pub const COMPRESSION_MAX: i32 = 12;

/// The block size for a `block_size_id` (0 = default = 64 KiB, 4..=7); `None` for others.
pub fn block_size(id: i32) -> Option<BlockSize> {
    match id {
        BLOCKSIZE_DEFAULT => Some(BlockSize::Max64KB),
        4..=7 => BlockSize::from_id(id as u8),
        _ => None,
    }
}

/// `ValueError` unless `id` is a valid block size ID.
pub fn check_block_size_id(id: i32) -> PyResult<BlockSize> {
    block_size(id).ok_or_else(|| PyValueError::new_err(format!("block_size_id ({id}) invalid")))
}

/// The original's compression arguments.
#[derive(Debug, Clone, Copy)]
pub struct OriginalArgs {
    /// `block_size_id`.
    pub block_size_id: i32,
    /// `block_mode_linked` (any int, as the C `i` format took it).
    pub block_mode_linked: i32,
    /// `checksum`: a content checksum.
    pub checksum: i32,
    /// `level`: 0..=12; below [`COMPRESSION_MIN_HC`] the fast compressor.
    pub level: i32,
    /// `block_checksum` (py-lz4framed 0.14).
    pub block_checksum: i32,
}

impl OriginalArgs {
    /// Check the arguments (`ValueError` for a bad block size ID or level, with the original's
    /// messages) and build the settings. `content_len` is the one-shot input length: as
    /// `LZ4F_compressFrame` does, the block size then shrinks to the smallest that holds the
    /// input, blocks are independent when one block holds it all, and the size is recorded.
    pub fn settings(&self, content_len: Option<usize>) -> PyResult<FrameSettings> {
        let mut bs = check_block_size_id(self.block_size_id)?;
        if !(COMPRESSION_MIN..=COMPRESSION_MAX).contains(&self.level) {
            return Err(PyValueError::new_err(format!(
                "level ({}) invalid",
                self.level
            )));
        }
        // The C library compresses levels below LZ4HC_CLEVEL_MIN with the fast compressor
        // (acceleration 1), our level 1; from 3 on the levels are the same HC levels.
        let level = if self.level < COMPRESSION_MIN_HC {
            1
        } else {
            self.level
        };
        let mut mode = if self.block_mode_linked != 0 {
            BlockMode::Linked
        } else {
            BlockMode::Independent
        };
        if let Some(len) = content_len {
            if let Some(smaller) = BlockSize::ALL
                .into_iter()
                .find(|b| b.bytes() >= len && *b < bs)
            {
                bs = smaller;
            }
            if len <= bs.bytes() {
                mode = BlockMode::Independent;
            }
        }
        Ok(FrameSettings::new()
            .level(level)
            .block_size(bs)
            .block_mode(mode)
            .content_checksum(self.checksum != 0)
            .block_checksum(self.block_checksum != 0))
    }
}

/// The most threads a `threads=` argument starts: the `lz4` tool's limit (`NB_WORKERS_MAX`,
/// 200). More than the machine has cores only cost memory, and a number in the thousands
/// failed as a `PanicException` (the operating system refused to start the threads).
pub const MAX_THREADS: usize = 200;

/// The thread count a `threads=` argument asks for: 0 = all cores, at most [`MAX_THREADS`].
/// A negative count is a `ValueError` (an unsigned parameter would raise `OverflowError`,
/// which says nothing about the argument).
pub fn threads(n: i64) -> PyResult<usize> {
    let n = usize::try_from(n).map_err(|_| {
        PyValueError::new_err(format!(
            "threads must be 0 (all cores) or a positive number of threads, not {n}"
        ))
    })?;
    Ok(lz4framed::parallel::thread_count(n).min(MAX_THREADS))
}
