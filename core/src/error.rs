//! The one error type of lz4framed.
//!
//! Every failure has its own variant; variants about input data carry the input byte offset
//! where the problem was found (counted from the start of everything fed to the decoder) and,
//! where it applies, the 1-based number of the frame, so that a message tells a user what is
//! wrong and where.

use std::fmt;
use std::io;

use crate::backend::{Backend, ParseBackendError};

/// A block decoding failure. Backends report *that* and, where they know it, *where* a block is
/// malformed; the frame layer adds which frame and block, and the input offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockError {
    /// The block is malformed: a token, length or offset that does not describe valid output
    /// (offset 0, an offset reaching before the available history, a literal run or match past
    /// the end of the input, a block that does not end in literals).
    /// `at` is the byte offset in the compressed block where the decoder stopped, if known.
    Corrupt {
        /// Offset in the compressed block where decoding failed, when the backend can tell.
        at: Option<usize>,
    },
    /// The block decodes to more bytes than the destination holds (more than the frame's
    /// maximum block size).
    OutputTooSmall,
}

impl fmt::Display for BlockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockError::Corrupt { at: Some(at) } => {
                write!(f, "corrupt block data at byte {at} of the block")
            }
            BlockError::Corrupt { at: None } => f.write_str("corrupt block data"),
            BlockError::OutputTooSmall => {
                f.write_str("block decodes to more than the maximum block size")
            }
        }
    }
}

impl std::error::Error for BlockError {}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input ended inside a frame (or before the first frame began).
    Truncated {
        /// Input offset where more bytes were needed (the length of the input).
        offset: u64,
        /// What was being read when the input ended.
        context: &'static str,
    },
    /// Four bytes where a frame must begin are no LZ4, legacy or skippable frame magic number.
    BadMagic {
        /// Input offset of the four bytes.
        offset: u64,
        /// The value found (little-endian).
        found: u32,
    },
    /// After one or more complete frames, the input goes on with bytes that are no frame (no
    /// LZ4, legacy or skippable magic number): zero padding, a size word after a legacy
    /// stream (boot images), other data. Everything before `offset` was decoded. The `lz4`
    /// tool reports the same case as "Stream followed by undecodable data at position N"
    /// (exit status 1) after writing all decoded data.
    TrailingData {
        /// Input offset of the first byte that is not part of a frame.
        offset: u64,
        /// Frames decoded before it.
        frames: u64,
    },
    /// A reserved bit of the frame descriptor is set.
    ReservedBitSet {
        /// Input offset of the descriptor byte.
        offset: u64,
    },
    /// The frame descriptor names a format version this library does not know (only `01`).
    UnsupportedVersion {
        /// Input offset of the FLG byte.
        offset: u64,
        /// The version bits found.
        version: u8,
    },
    /// The BD byte names a block maximum size ID outside 4..=7.
    InvalidBlockSizeId {
        /// Input offset of the BD byte.
        offset: u64,
        /// The ID found.
        id: u8,
    },
    /// A block header declares a block larger than the frame's maximum block size.
    BlockTooLarge {
        /// Input offset of the block header.
        offset: u64,
        /// 1-based frame number.
        frame: u64,
        /// Declared size.
        size: u64,
        /// The frame's maximum.
        max: u64,
    },
    /// The frame descriptor's header checksum byte does not match.
    HeaderChecksum {
        /// Input offset of the checksum byte.
        offset: u64,
        /// Checksum computed from the descriptor.
        expected: u8,
        /// Checksum byte found.
        found: u8,
    },
    /// A block checksum does not match the block's data.
    BlockChecksum {
        /// Input offset of the block header.
        offset: u64,
        /// 1-based frame number.
        frame: u64,
    },
    /// The content checksum at the end of a frame does not match the decoded data.
    ContentChecksum {
        /// Input offset of the checksum.
        offset: u64,
        /// 1-based frame number.
        frame: u64,
        /// Checksum of the decoded data.
        expected: u32,
        /// Checksum stored in the frame.
        found: u32,
    },
    /// The frame declared a content size that differs from what it decoded to.
    ContentSizeMismatch {
        /// Input offset of the end mark where the mismatch was detected (or of the block that
        /// overran the declared size).
        offset: u64,
        /// 1-based frame number.
        frame: u64,
        /// Content size declared in the frame header.
        declared: u64,
        /// Bytes the frame decoded to (so far, when it overran).
        actual: u64,
    },
    /// The data given to a compressor does not match the content size declared for its frame
    /// (too much in an `update`, too little at the `end`): the caller's mistake, not corrupt
    /// data (`io::ErrorKind::InvalidInput`).
    InputSizeMismatch {
        /// The content size the frame header declares.
        declared: u64,
        /// Bytes given so far (with the call that overran, when too many).
        given: u64,
    },
    /// A compressed block is malformed.
    CorruptBlock {
        /// Input offset of the block header.
        offset: u64,
        /// 1-based frame number.
        frame: u64,
        /// What the block decoder reported.
        source: BlockError,
    },
    /// The frame was compressed with a dictionary (it carries a dictionary ID) and none was
    /// supplied.
    DictionaryMissing {
        /// 1-based frame number.
        frame: u64,
        /// The frame's dictionary ID.
        dict_id: u32,
    },
    /// The supplied dictionary's ID differs from the one the frame names.
    DictionaryMismatch {
        /// 1-based frame number.
        frame: u64,
        /// The frame's dictionary ID.
        expected: u32,
        /// The supplied dictionary's ID.
        found: u32,
    },
    /// A compression level the chosen backend cannot honour.
    UnsupportedLevel {
        /// Backend name.
        backend: &'static str,
        /// The level asked for.
        level: i32,
    },
    /// The backend is not compiled into this build or not supported by this CPU.
    BackendUnavailable {
        /// The backend asked for.
        backend: Backend,
        /// Why it is unavailable.
        reason: &'static str,
    },
    /// A backend name that is none of `auto`, `c`, `rust`, `simd`.
    UnknownBackend(String),
    /// Frame settings that contradict each other or the format.
    InvalidSettings(String),
    /// The bytes given to `Decompressor::from_checkpoint` are not a valid checkpoint.
    BadCheckpoint(String),
    /// The file has no embedded seek index: it does not end with one (the `"L4SI"` footer).
    /// Build one with `lz4framed index` / `build_index`, or use a sidecar index.
    NoIndex {
        /// The file's size in bytes.
        file_len: u64,
    },
    /// A seek index is damaged, of an unknown version, or belongs to other data.
    BadIndex(String),
    /// The operation is not valid in the current state (e.g. data after `end`).
    InvalidState(&'static str),
    /// An I/O error from the underlying reader or writer.
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated { offset, context } => {
                write!(f, "input truncated at offset {offset} (while reading {context})")
            }
            Error::BadMagic { offset, found } => write!(
                f,
                "not an LZ4 frame: bad magic number 0x{found:08X} at offset {offset}"
            ),
            Error::TrailingData { offset, frames } => write!(
                f,
                "data after the last frame at offset {offset} is not an LZ4 frame ({frames} \
                 frame{} decoded before it)",
                if *frames == 1 { "" } else { "s" }
            ),
            Error::ReservedBitSet { offset } => {
                write!(f, "reserved bit set in frame descriptor at offset {offset}")
            }
            Error::UnsupportedVersion { offset, version } => write!(
                f,
                "unsupported frame version {version} at offset {offset} (only version 1 exists)"
            ),
            Error::InvalidBlockSizeId { offset, id } => write!(
                f,
                "invalid block maximum size ID {id} at offset {offset} (must be 4..=7)"
            ),
            Error::BlockTooLarge { offset, frame, size, max } => write!(
                f,
                "block of {size} bytes exceeds the maximum block size {max} in frame {frame} at offset {offset}"
            ),
            Error::HeaderChecksum { offset, expected, found } => write!(
                f,
                "header checksum mismatch at offset {offset}: stored 0x{found:02X}, computed 0x{expected:02X}"
            ),
            Error::BlockChecksum { offset, frame } => {
                write!(f, "block checksum mismatch in frame {frame} at offset {offset}")
            }
            Error::ContentChecksum { offset, frame, expected, found } => write!(
                f,
                "content checksum mismatch in frame {frame} at offset {offset}: stored 0x{found:08X}, computed 0x{expected:08X}"
            ),
            Error::ContentSizeMismatch { offset, frame, declared, actual } => write!(
                f,
                "content size mismatch in frame {frame} at offset {offset}: header declares {declared} bytes, frame decodes to {actual}"
            ),
            Error::InputSizeMismatch { declared, given } => write!(
                f,
                "the frame declares a content size of {declared} bytes, the compressor was given {given}"
            ),
            Error::CorruptBlock { offset, frame, source } => {
                write!(f, "{source} in frame {frame}, block at offset {offset}")
            }
            Error::DictionaryMissing { frame, dict_id } => write!(
                f,
                "frame {frame} needs dictionary with ID {dict_id} and none was supplied"
            ),
            Error::DictionaryMismatch { frame, expected, found } => write!(
                f,
                "frame {frame} needs dictionary ID {expected}, the supplied dictionary has ID {found}"
            ),
            Error::UnsupportedLevel { backend, level } => {
                write!(f, "backend {backend} does not support compression level {level}")
            }
            Error::BackendUnavailable { backend, reason } => {
                write!(f, "backend {backend} unavailable: {reason}")
            }
            Error::UnknownBackend(name) => {
                write!(f, "unknown backend {name:?} (expected auto, c, rust or simd)")
            }
            Error::InvalidSettings(why) => write!(f, "invalid frame settings: {why}"),
            Error::BadCheckpoint(why) => write!(f, "bad checkpoint: {why}"),
            Error::NoIndex { file_len } => write!(
                f,
                "no embedded seek index at the end of the file ({file_len} bytes); build one \
                 with `lz4framed index`, or use a sidecar index"
            ),
            Error::BadIndex(why) => write!(f, "bad seek index: {why}"),
            Error::InvalidState(why) => write!(f, "invalid state: {why}"),
            Error::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::CorruptBlock { source, .. } => Some(source),
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ParseBackendError> for Error {
    fn from(e: ParseBackendError) -> Self {
        Error::UnknownBackend(e.0)
    }
}

/// An `io::Error` becomes [`Error::Io`], except one that carries an `Error` (what the `io`
/// adapters — [`crate::FrameDecoder`], [`crate::FrameEncoder`], [`crate::SeekableReader`] —
/// return for bad data, settings or state): that comes back as itself, so `?` from an adapter
/// into a function returning `Error` keeps the variant, its offset and
/// [`Error::is_data_error`].
///
/// ```
/// use std::io::Read;
/// fn read_all(frame: &[u8]) -> Result<Vec<u8>, lz4framed::Error> {
///     let mut out = Vec::new();
///     lz4framed::FrameDecoder::new(frame).read_to_end(&mut out)?;
///     Ok(out)
/// }
/// let e = read_all(b"not lz4!").unwrap_err();
/// assert!(matches!(e, lz4framed::Error::BadMagic { offset: 0, .. }));
/// ```
impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        if !e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            return Error::Io(e);
        }
        match e.into_inner().map(|inner| inner.downcast::<Error>()) {
            Some(Ok(inner)) => *inner,
            _ => unreachable!("the io::Error was just checked to carry an Error"),
        }
    }
}

impl Error {
    /// Whether this error is about the data (corrupt, truncated, checksum) rather than about
    /// settings, backends or I/O.
    pub fn is_data_error(&self) -> bool {
        !matches!(
            self,
            Error::UnsupportedLevel { .. }
                | Error::NoIndex { .. }
                | Error::InputSizeMismatch { .. }
                | Error::BackendUnavailable { .. }
                | Error::UnknownBackend(_)
                | Error::InvalidSettings(_)
                | Error::InvalidState(_)
                | Error::Io(_)
        )
    }

    /// The input offset the error refers to, when it refers to one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            Error::Truncated { offset, .. }
            | Error::BadMagic { offset, .. }
            | Error::TrailingData { offset, .. }
            | Error::ReservedBitSet { offset }
            | Error::UnsupportedVersion { offset, .. }
            | Error::InvalidBlockSizeId { offset, .. }
            | Error::BlockTooLarge { offset, .. }
            | Error::HeaderChecksum { offset, .. }
            | Error::BlockChecksum { offset, .. }
            | Error::ContentChecksum { offset, .. }
            | Error::ContentSizeMismatch { offset, .. }
            | Error::CorruptBlock { offset, .. } => Some(*offset),
            _ => None,
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(e) => e,
            Error::Truncated { .. } => io::Error::new(io::ErrorKind::UnexpectedEof, e),
            e if e.is_data_error() => io::Error::new(io::ErrorKind::InvalidData, e),
            Error::InputSizeMismatch { .. }
            | Error::InvalidSettings(_)
            | Error::UnsupportedLevel { .. }
            | Error::UnknownBackend(_) => io::Error::new(io::ErrorKind::InvalidInput, e),
            Error::BackendUnavailable { .. } => io::Error::new(io::ErrorKind::Unsupported, e),
            Error::NoIndex { .. } => io::Error::new(io::ErrorKind::NotFound, e),
            e => io::Error::other(e),
        }
    }
}
