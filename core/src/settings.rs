//! Frame settings: the builder that chooses block size, block mode, checksums, content size,
//! dictionary, level and backend.

use std::sync::Arc;

use crate::backend::Backend;
use crate::codec::WINDOW_SIZE;
use crate::error::Error;
use crate::xxh32::xxh32;

/// Maximum size of the blocks of a frame (the frame descriptor's BD byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum BlockSize {
    /// 64 KiB blocks (ID 4), the reference library's default.
    #[default]
    Max64KB,
    /// 256 KiB blocks (ID 5).
    Max256KB,
    /// 1 MiB blocks (ID 6).
    Max1MB,
    /// 4 MiB blocks (ID 7), the `lz4` tool's default.
    Max4MB,
}

impl BlockSize {
    /// The block size ID stored in the BD byte (4..=7).
    pub fn id(self) -> u8 {
        match self {
            BlockSize::Max64KB => 4,
            BlockSize::Max256KB => 5,
            BlockSize::Max1MB => 6,
            BlockSize::Max4MB => 7,
        }
    }

    /// The block size for an ID of the BD byte, if it is one of 4..=7.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            4 => Some(BlockSize::Max64KB),
            5 => Some(BlockSize::Max256KB),
            6 => Some(BlockSize::Max1MB),
            7 => Some(BlockSize::Max4MB),
            _ => None,
        }
    }

    /// The maximum number of uncompressed bytes in one block.
    pub fn bytes(self) -> usize {
        1 << (8 + 2 * usize::from(self.id()))
    }

    /// Every block size, smallest first.
    pub const ALL: [BlockSize; 4] = [
        BlockSize::Max64KB,
        BlockSize::Max256KB,
        BlockSize::Max1MB,
        BlockSize::Max4MB,
    ];
}

/// Whether blocks may refer to the data of the blocks before them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BlockMode {
    /// Each block may reference up to 64 KiB of the preceding data (better ratio; the
    /// reference library's default).
    #[default]
    Linked,
    /// Each block decodes on its own (allows parallel and random-access decoding).
    Independent,
}

/// A dictionary: bytes that logically precede the data, so that even the first block finds
/// matches. Only the last 64 KiB matter and only those are kept.
///
/// The same bytes must be supplied to decompress. A frame may record the dictionary's ID
/// (`with_id`), so that a decoder can tell a missing or wrong dictionary from corrupt data.
#[derive(Clone, PartialEq, Eq)]
pub struct Dictionary {
    id: u32,
    tail: Arc<[u8]>,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dictionary")
            .field("id", &self.id)
            .field("len", &self.tail.len())
            .finish()
    }
}

impl Dictionary {
    /// A dictionary from `bytes` (only their last 64 KiB are kept), with ID 0 (none recorded
    /// in frames).
    pub fn new(bytes: &[u8]) -> Self {
        let start = bytes.len().saturating_sub(WINDOW_SIZE);
        Dictionary {
            id: 0,
            tail: Arc::from(&bytes[start..]),
        }
    }

    /// Sets the ID written into frames compressed with this dictionary (0 = write none).
    #[must_use]
    pub fn with_id(mut self, id: u32) -> Self {
        self.id = id;
        self
    }

    /// The dictionary ID (0 when none).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The bytes that act as history (the last ≤ 64 KiB of what was given).
    pub fn bytes(&self) -> &[u8] {
        &self.tail
    }

    /// XXH32 of [`Dictionary::bytes`], used to bind checkpoints to a dictionary.
    pub fn fingerprint(&self) -> u32 {
        xxh32(&self.tail, 0)
    }
}

/// How the content size field is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ContentSize {
    /// Written when the size is known up front (one-shot compression), not otherwise.
    #[default]
    Auto,
    /// Never written.
    Omit,
    /// Written with this value; the encoder checks that exactly this many bytes arrive.
    Exact(u64),
}

/// Settings for compressing a frame: a builder.
///
/// Defaults follow the reference library: level 1, 64 KiB linked blocks, no checksums,
/// content size written when known (one-shot compression), no dictionary, the `Auto` backend.
///
/// ```
/// use lz4framed_core::{BlockMode, BlockSize, FrameSettings};
/// let settings = FrameSettings::new()
///     .level(9)
///     .block_size(BlockSize::Max4MB)
///     .block_mode(BlockMode::Independent)
///     .content_checksum(true);
/// assert_eq!(settings.get_level(), 9);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSettings {
    pub(crate) level: i32,
    pub(crate) block_size: BlockSize,
    pub(crate) block_mode: BlockMode,
    pub(crate) content_checksum: bool,
    pub(crate) block_checksum: bool,
    pub(crate) content_size: ContentSize,
    pub(crate) dictionary: Option<Dictionary>,
    pub(crate) backend: Backend,
}

impl FrameSettings {
    /// The defaults (see the type's documentation); the same as [`FrameSettings::default`].
    pub fn new() -> Self {
        FrameSettings {
            level: 1,
            block_size: BlockSize::default(),
            block_mode: BlockMode::default(),
            content_checksum: false,
            block_checksum: false,
            content_size: ContentSize::default(),
            dictionary: None,
            backend: Backend::default(),
        }
    }

    /// The settings of the `lz4` command-line tool: level 1, 4 MiB independent blocks,
    /// content checksum on.
    pub fn lz4_cli() -> Self {
        FrameSettings::new()
            .block_size(BlockSize::Max4MB)
            .block_mode(BlockMode::Independent)
            .content_checksum(true)
    }

    /// Compression level: negative = fast with acceleration `-level`, 0 or 1 = default fast,
    /// 2..=12 = high compression (backends that cannot honour a level refuse it).
    #[must_use]
    pub fn level(mut self, level: i32) -> Self {
        self.level = level;
        self
    }

    /// Maximum block size.
    #[must_use]
    pub fn block_size(mut self, block_size: BlockSize) -> Self {
        self.block_size = block_size;
        self
    }

    /// Linked or independent blocks.
    #[must_use]
    pub fn block_mode(mut self, block_mode: BlockMode) -> Self {
        self.block_mode = block_mode;
        self
    }

    /// Append an XXH32 of the whole content after the last block.
    #[must_use]
    pub fn content_checksum(mut self, on: bool) -> Self {
        self.content_checksum = on;
        self
    }

    /// Append an XXH32 of each block's stored bytes after the block.
    #[must_use]
    pub fn block_checksum(mut self, on: bool) -> Self {
        self.block_checksum = on;
        self
    }

    /// `Some(n)`: write content size `n` into the header (the encoder then refuses any other
    /// amount of data); `None`: never write it. Without this call, one-shot compression writes
    /// the size it knows and streaming compression writes none.
    #[must_use]
    pub fn content_size(mut self, size: Option<u64>) -> Self {
        self.content_size = match size {
            Some(n) => ContentSize::Exact(n),
            None => ContentSize::Omit,
        };
        self
    }

    /// Compress with a dictionary (its ID, when non-zero, is recorded in the frame).
    #[must_use]
    pub fn dictionary(mut self, dictionary: Dictionary) -> Self {
        self.dictionary = Some(dictionary);
        self
    }

    /// The block backend to compress with.
    #[must_use]
    pub fn backend(mut self, backend: impl Into<Backend>) -> Self {
        self.backend = backend.into();
        self
    }

    /// The compression level.
    pub fn get_level(&self) -> i32 {
        self.level
    }

    /// The maximum block size.
    pub fn get_block_size(&self) -> BlockSize {
        self.block_size
    }

    /// The block mode.
    pub fn get_block_mode(&self) -> BlockMode {
        self.block_mode
    }

    /// Whether a content checksum is written.
    pub fn get_content_checksum(&self) -> bool {
        self.content_checksum
    }

    /// Whether block checksums are written.
    pub fn get_block_checksum(&self) -> bool {
        self.block_checksum
    }

    /// The dictionary, if any.
    pub fn get_dictionary(&self) -> Option<&Dictionary> {
        self.dictionary.as_ref()
    }

    /// The backend.
    pub fn get_backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if !(-65537..=12).contains(&self.level) {
            return Err(Error::InvalidSettings(format!(
                "compression level {} is outside -65537..=12",
                self.level
            )));
        }
        Ok(())
    }
}

/// The defaults of [`FrameSettings::new`] (level 1, not the 0 a derived `Default` would give).
impl Default for FrameSettings {
    fn default() -> Self {
        FrameSettings::new()
    }
}
