//! The frame format's fixed parts: magic numbers, the frame descriptor (FLG, BD, content size,
//! dictionary ID, header checksum) and [`FrameInfo`].

use crate::error::Error;
use crate::settings::{BlockMode, BlockSize};
use crate::xxh32::xxh32;

pub use crate::walk::{
    BlockLayout, FrameKindSeen, FrameLayout, FrameReader, FrameWalker, Seeking, SkipRead, Streamed,
    Unit,
};

/// Magic number of an LZ4 frame.
pub const MAGIC: u32 = 0x184D_2204;
/// Magic number of a legacy frame (the format of `lz4 -l`).
pub const LEGACY_MAGIC: u32 = 0x184C_2102;
/// The first of the sixteen skippable-frame magic numbers (`0x184D2A50..=0x184D2A5F`).
pub const SKIPPABLE_MAGIC_FIRST: u32 = 0x184D_2A50;
/// The last skippable-frame magic number.
pub const SKIPPABLE_MAGIC_LAST: u32 = 0x184D_2A5F;
/// Maximum uncompressed size of a legacy block (8 MiB).
pub const LEGACY_BLOCK_SIZE: usize = 8 << 20;
/// The end mark: a block header of zero.
pub const END_MARK: u32 = 0;
/// Bit 31 of a block header: the block is stored uncompressed.
pub const UNCOMPRESSED_FLAG: u32 = 0x8000_0000;
/// Longest frame descriptor: FLG, BD, 8 bytes content size, 4 bytes dictionary ID, checksum.
pub const MAX_DESCRIPTOR_LEN: usize = 15;

/// FLG bits 7–6: the format version; only `01` exists (Frame format, "FLG byte").
pub const FLG_VERSION_MASK: u8 = 0xC0;
/// FLG version field value `01`.
pub const FLG_VERSION_01: u8 = 0x40;
/// FLG bit 5: blocks are independent (clear: linked, each may refer to earlier blocks).
pub const FLG_BLOCK_INDEPENDENCE: u8 = 0x20;
/// FLG bit 4: each block is followed by a 4-byte XXH32 of its stored bytes.
pub const FLG_BLOCK_CHECKSUM: u8 = 0x10;
/// FLG bit 3: the descriptor holds the 8-byte content size.
pub const FLG_CONTENT_SIZE: u8 = 0x08;
/// FLG bit 2: the frame ends with a 4-byte XXH32 of its content.
pub const FLG_CONTENT_CHECKSUM: u8 = 0x04;
/// FLG bit 1: reserved, must be 0.
pub const FLG_RESERVED: u8 = 0x02;
/// FLG bit 0: the descriptor holds a 4-byte dictionary ID.
pub const FLG_DICT_ID: u8 = 0x01;
/// BD bits 6–4: the block maximum size ID (4..=7: 64 KiB, 256 KiB, 1 MiB, 4 MiB).
pub const BD_BLOCK_MAX_SIZE_MASK: u8 = 0x70;
/// Shift of the block maximum size ID within BD.
pub const BD_BLOCK_MAX_SIZE_SHIFT: u8 = 4;
/// BD bits 7 and 3–0: reserved, must be 0.
pub const BD_RESERVED: u8 = 0x8F;

/// Whether `magic` is one of the skippable-frame magic numbers.
pub fn is_skippable(magic: u32) -> bool {
    (SKIPPABLE_MAGIC_FIRST..=SKIPPABLE_MAGIC_LAST).contains(&magic)
}

/// Whether the four bytes `v` where a legacy frame's next block size is expected end the frame
/// instead. Legacy frames have no end mark: what follows the last block is the next frame's
/// magic number (a standard, legacy or skippable one) or a value no legacy block can have
/// (larger than the bound of an 8 MiB block), as the `lz4` tool decides (lz4io.c,
/// `LZ4IO_decodeLegacyStream`).
pub fn ends_legacy_frame(v: u32) -> bool {
    v as usize > crate::codec::compress_bound(LEGACY_BLOCK_SIZE)
        || v == MAGIC
        || v == LEGACY_MAGIC
        || is_skippable(v)
}

/// Which kind of frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// A standard LZ4 frame (magic `0x184D2204`).
    Standard,
    /// A legacy frame (magic `0x184C2102`): 8 MiB independent blocks, no descriptor,
    /// no checksums.
    Legacy,
}

/// What a frame's header says about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrameInfo {
    /// Standard or legacy frame.
    pub kind: FrameKind,
    /// The maximum block size (for a legacy frame, `None`: its blocks are up to 8 MiB).
    pub block_size: Option<BlockSize>,
    /// Linked or independent blocks (legacy frames: independent).
    pub block_mode: BlockMode,
    /// Whether the frame ends with a content checksum.
    pub content_checksum: bool,
    /// Whether each block is followed by a block checksum.
    pub block_checksum: bool,
    /// The content size recorded in the header, if any.
    pub content_size: Option<u64>,
    /// The dictionary ID recorded in the header, if any.
    pub dict_id: Option<u32>,
    /// Bytes of the header: magic and descriptor (4 for legacy frames).
    pub header_len: usize,
}

impl FrameInfo {
    /// Whether this is a standard frame with linked blocks (each block may refer to the 64 KiB
    /// of output before it).
    pub fn is_linked(&self) -> bool {
        self.kind == FrameKind::Standard && self.block_mode == BlockMode::Linked
    }

    /// Maximum uncompressed bytes in one block of this frame.
    pub fn block_max_size(&self) -> usize {
        match self.block_size {
            Some(bs) => bs.bytes(),
            None => LEGACY_BLOCK_SIZE,
        }
    }

    /// The info of a legacy frame.
    pub fn legacy() -> Self {
        FrameInfo {
            kind: FrameKind::Legacy,
            block_size: None,
            block_mode: BlockMode::Independent,
            content_checksum: false,
            block_checksum: false,
            content_size: None,
            dict_id: None,
            header_len: 4,
        }
    }

    /// The length of a standard frame's descriptor (FLG through header checksum) given its FLG
    /// byte.
    pub fn descriptor_len(flg: u8) -> usize {
        3 + if flg & FLG_CONTENT_SIZE != 0 { 8 } else { 0 }
            + if flg & FLG_DICT_ID != 0 { 4 } else { 0 }
    }

    /// Parse a standard frame descriptor (`desc` starts at FLG and is exactly
    /// [`FrameInfo::descriptor_len`] bytes). `offset` is the input offset of FLG, for errors.
    /// With `verify` false the header checksum is not checked.
    pub fn parse_descriptor(desc: &[u8], offset: u64, verify: bool) -> Result<FrameInfo, Error> {
        let flg = desc[0];
        debug_assert_eq!(desc.len(), Self::descriptor_len(flg));
        if flg & FLG_VERSION_MASK != FLG_VERSION_01 {
            return Err(Error::UnsupportedVersion {
                offset,
                version: (flg & FLG_VERSION_MASK) >> 6,
            });
        }
        if flg & FLG_RESERVED != 0 {
            return Err(Error::ReservedBitSet { offset });
        }
        let bd = desc[1];
        if bd & BD_RESERVED != 0 {
            return Err(Error::ReservedBitSet { offset: offset + 1 });
        }
        let id = (bd & BD_BLOCK_MAX_SIZE_MASK) >> BD_BLOCK_MAX_SIZE_SHIFT;
        let block_size = BlockSize::from_id(id).ok_or(Error::InvalidBlockSizeId {
            offset: offset + 1,
            id,
        })?;
        let mut at = 2;
        let content_size = if flg & FLG_CONTENT_SIZE != 0 {
            let mut b = [0u8; 8];
            b.copy_from_slice(&desc[at..at + 8]);
            at += 8;
            Some(u64::from_le_bytes(b))
        } else {
            None
        };
        let dict_id = if flg & FLG_DICT_ID != 0 {
            let mut b = [0u8; 4];
            b.copy_from_slice(&desc[at..at + 4]);
            at += 4;
            Some(u32::from_le_bytes(b))
        } else {
            None
        };
        let expected = header_checksum(&desc[..at]);
        let found = desc[at];
        if verify && expected != found {
            return Err(Error::HeaderChecksum {
                offset: offset + at as u64,
                expected,
                found,
            });
        }
        Ok(FrameInfo {
            kind: FrameKind::Standard,
            block_size: Some(block_size),
            block_mode: if flg & FLG_BLOCK_INDEPENDENCE != 0 {
                BlockMode::Independent
            } else {
                BlockMode::Linked
            },
            block_checksum: flg & FLG_BLOCK_CHECKSUM != 0,
            content_checksum: flg & FLG_CONTENT_CHECKSUM != 0,
            content_size,
            dict_id,
            header_len: 4 + desc.len(),
        })
    }

    /// Append this frame's header (magic and descriptor) to `out`. Legacy frames get their
    /// magic only.
    pub fn write_header(&self, out: &mut Vec<u8>) {
        if self.kind == FrameKind::Legacy {
            out.extend_from_slice(&LEGACY_MAGIC.to_le_bytes());
            return;
        }
        out.extend_from_slice(&MAGIC.to_le_bytes());
        let start = out.len();
        let mut flg = FLG_VERSION_01;
        if self.block_mode == BlockMode::Independent {
            flg |= FLG_BLOCK_INDEPENDENCE;
        }
        if self.block_checksum {
            flg |= FLG_BLOCK_CHECKSUM;
        }
        if self.content_size.is_some() {
            flg |= FLG_CONTENT_SIZE;
        }
        if self.content_checksum {
            flg |= FLG_CONTENT_CHECKSUM;
        }
        if self.dict_id.is_some() {
            flg |= FLG_DICT_ID;
        }
        out.push(flg);
        out.push(self.block_size.unwrap_or(BlockSize::Max4MB).id() << BD_BLOCK_MAX_SIZE_SHIFT);
        if let Some(n) = self.content_size {
            out.extend_from_slice(&n.to_le_bytes());
        }
        if let Some(id) = self.dict_id {
            out.extend_from_slice(&id.to_le_bytes());
        }
        let hc = header_checksum(&out[start..]);
        out.push(hc);
    }
}

/// The header checksum byte: the second byte of XXH32 of the descriptor (FLG up to, not
/// including, the checksum) with seed 0.
pub fn header_checksum(descriptor: &[u8]) -> u8 {
    (xxh32(descriptor, 0) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_for_every_flag_combination() {
        for bits in 0..32u32 {
            for bs in BlockSize::ALL {
                let info = FrameInfo {
                    kind: FrameKind::Standard,
                    block_size: Some(bs),
                    block_mode: if bits & 1 != 0 {
                        BlockMode::Independent
                    } else {
                        BlockMode::Linked
                    },
                    block_checksum: bits & 2 != 0,
                    content_checksum: bits & 4 != 0,
                    content_size: (bits & 8 != 0).then_some(0x0123_4567_89AB),
                    dict_id: (bits & 16 != 0).then_some(0xDEAD_BEEF),
                    header_len: 0,
                };
                let mut out = Vec::new();
                info.write_header(&mut out);
                assert_eq!(&out[..4], &MAGIC.to_le_bytes());
                assert_eq!(FrameInfo::descriptor_len(out[4]), out.len() - 4);
                let back = FrameInfo::parse_descriptor(&out[4..], 4, true).unwrap();
                assert_eq!(
                    back,
                    FrameInfo {
                        header_len: out.len(),
                        ..info
                    }
                );
            }
        }
    }

    #[test]
    fn descriptor_errors_name_their_byte() {
        // 64 KiB linked, no options: FLG 0x40, BD 0x40, HC 0xC0 (known from the empty frame).
        let good = [0x60u8, 0x40, 0x82];
        assert!(FrameInfo::parse_descriptor(&good, 4, true).is_ok());
        let mut bad = good;
        bad[0] = 0x20 | 0x80 | 0x40;
        assert!(matches!(
            FrameInfo::parse_descriptor(&bad, 4, true),
            Err(Error::UnsupportedVersion {
                offset: 4,
                version: 3
            })
        ));
        let mut bad = good;
        bad[0] |= 0x02;
        assert!(matches!(
            FrameInfo::parse_descriptor(&bad, 4, true),
            Err(Error::ReservedBitSet { offset: 4 })
        ));
        let mut bad = good;
        bad[1] = 0x30;
        bad[2] = header_checksum(&bad[..2]);
        assert!(matches!(
            FrameInfo::parse_descriptor(&bad, 4, true),
            Err(Error::InvalidBlockSizeId { offset: 5, id: 3 })
        ));
        let mut bad = good;
        bad[2] ^= 1;
        assert!(matches!(
            FrameInfo::parse_descriptor(&bad, 4, true),
            Err(Error::HeaderChecksum { offset: 6, .. })
        ));
        assert!(FrameInfo::parse_descriptor(&bad, 4, false).is_ok());
    }
}
