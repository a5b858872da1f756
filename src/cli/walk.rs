//! A frame walker: reads frame headers and block headers only — nothing is decoded — and
//! reports each frame's layout (and, through a callback, each block's position). Used by
//! `info`; kept free of CLI concerns so that an index builder can reuse it.

use std::fs::File;
use std::io::{self, BufReader, Read};

use lz4framed::frame::{is_skippable, LEGACY_BLOCK_SIZE, LEGACY_MAGIC, MAGIC, UNCOMPRESSED_FLAG};
use lz4framed::{Error, FrameInfo};

/// What kind of frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkedKind {
    /// A standard LZ4 frame, with its header.
    Standard(FrameInfo),
    /// A legacy frame (`lz4 -l`).
    Legacy,
    /// A skippable frame with this magic number.
    Skippable(u32),
}

/// One frame's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSummary {
    /// 1-based position of the frame in the input (skippable frames count).
    pub index: u64,
    /// Input offset of the frame's magic number.
    pub offset: u64,
    /// The frame's kind (and header).
    pub kind: WalkedKind,
    /// Bytes of the whole frame, header to checksum.
    pub compressed_size: u64,
    /// Data blocks (the end mark not counted).
    pub blocks: u64,
    /// Of those, blocks stored uncompressed.
    pub stored_blocks: u64,
}

/// One data block, as reported to the walker's callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef {
    /// 1-based frame index.
    pub frame: u64,
    /// Input offset of the block header.
    pub offset: u64,
    /// Bytes of block data after the 4-byte header (checksum not included).
    pub size: u32,
    /// Whether the block is stored uncompressed.
    pub uncompressed: bool,
}

/// Something to walk: a reader that can also skip bytes.
pub trait Source: Read {
    /// Skip `n` bytes; returns how many were skipped (fewer only at the end of the input).
    fn skip(&mut self, n: u64) -> io::Result<u64>;
}

/// A regular file of known length (skipping seeks).
#[derive(Debug)]
pub struct FileSource {
    reader: BufReader<File>,
    pos: u64,
    len: u64,
}

impl FileSource {
    /// Walk `file` from its start.
    pub fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(FileSource {
            reader: BufReader::with_capacity(64 * 1024, file),
            pos: 0,
            len,
        })
    }
}

impl Read for FileSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Source for FileSource {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let n = n.min(self.len.saturating_sub(self.pos));
        let delta = i64::try_from(n).map_err(io::Error::other)?;
        self.reader.seek_relative(delta)?;
        self.pos += n;
        Ok(n)
    }
}

/// Any reader (skipping reads and discards).
#[derive(Debug)]
pub struct StreamSource<R>(pub R);

impl<R: Read> Read for StreamSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Source for StreamSource<R> {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        io::copy(&mut (&mut self.0).take(n), &mut io::sink())
    }
}

/// Walks the frames of a [`Source`], one [`Walker::next_frame`] call per frame.
#[derive(Debug)]
pub struct Walker<S> {
    src: S,
    pos: u64,
    index: u64,
    /// A magic number already read (a legacy frame ends where the next frame's magic appears).
    pending_magic: Option<u32>,
}

impl<S: Source> Walker<S> {
    /// A walker at the start of `src`.
    pub fn new(src: S) -> Self {
        Walker {
            src,
            pos: 0,
            index: 0,
            pending_magic: None,
        }
    }

    /// Input bytes walked so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Read exactly `buf.len()` bytes; `Ok(false)` when the input ends before the first byte.
    fn read_exact(&mut self, buf: &mut [u8], context: &'static str) -> Result<bool, Error> {
        let mut got = 0;
        while got < buf.len() {
            match self.src.read(&mut buf[got..]) {
                Ok(0) if got == 0 => return Ok(false),
                Ok(0) => {
                    return Err(Error::Truncated {
                        offset: self.pos + got as u64,
                        context,
                    })
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io(e)),
            }
        }
        self.pos += got as u64;
        Ok(true)
    }

    fn need(&mut self, buf: &mut [u8], context: &'static str) -> Result<(), Error> {
        if self.read_exact(buf, context)? {
            Ok(())
        } else {
            Err(Error::Truncated {
                offset: self.pos,
                context,
            })
        }
    }

    fn u32(&mut self, context: &'static str) -> Result<u32, Error> {
        let mut b = [0u8; 4];
        self.need(&mut b, context)?;
        Ok(u32::from_le_bytes(b))
    }

    fn skip(&mut self, n: u64, context: &'static str) -> Result<(), Error> {
        let skipped = self.src.skip(n).map_err(Error::Io)?;
        self.pos += skipped;
        if skipped < n {
            return Err(Error::Truncated {
                offset: self.pos,
                context,
            });
        }
        Ok(())
    }

    /// The next frame, or `None` at the end of the input. `on_block` sees every data block.
    pub fn next_frame(
        &mut self,
        on_block: &mut dyn FnMut(&BlockRef),
    ) -> Result<Option<FrameSummary>, Error> {
        let offset = self.pos - if self.pending_magic.is_some() { 4 } else { 0 };
        let magic = match self.pending_magic.take() {
            Some(m) => m,
            None => {
                let mut b = [0u8; 4];
                if !self.read_exact(&mut b, "a magic number")? {
                    return Ok(None);
                }
                u32::from_le_bytes(b)
            }
        };
        self.index += 1;
        let index = self.index;
        let mut summary = FrameSummary {
            index,
            offset,
            kind: WalkedKind::Legacy,
            compressed_size: 0,
            blocks: 0,
            stored_blocks: 0,
        };
        if magic == MAGIC {
            let mut desc = [0u8; lz4framed::frame::MAX_DESCRIPTOR_LEN];
            self.need(&mut desc[..1], "a frame descriptor")?;
            let len = FrameInfo::descriptor_len(desc[0]);
            self.need(&mut desc[1..len], "a frame descriptor")?;
            let info = FrameInfo::parse_descriptor(&desc[..len], offset + 4, true)?;
            let max = info.block_max_size() as u64;
            let checksum_len = if info.block_checksum { 4 } else { 0 };
            loop {
                let at = self.pos;
                let header = self.u32("a block header")?;
                if header == 0 {
                    break;
                }
                let size = header & !UNCOMPRESSED_FLAG;
                if u64::from(size) > max {
                    return Err(Error::BlockTooLarge {
                        offset: at,
                        frame: index,
                        size: size.into(),
                        max,
                    });
                }
                let uncompressed = header & UNCOMPRESSED_FLAG != 0;
                summary.blocks += 1;
                summary.stored_blocks += u64::from(uncompressed);
                on_block(&BlockRef {
                    frame: index,
                    offset: at,
                    size,
                    uncompressed,
                });
                self.skip(u64::from(size) + checksum_len, "a block")?;
            }
            if info.content_checksum {
                self.skip(4, "the content checksum")?;
            }
            summary.kind = WalkedKind::Standard(info);
        } else if magic == LEGACY_MAGIC {
            let bound = lz4framed::compress_bound(LEGACY_BLOCK_SIZE) as u64;
            loop {
                let at = self.pos;
                let mut b = [0u8; 4];
                if !self.read_exact(&mut b, "a legacy block header")? {
                    break;
                }
                let size = u32::from_le_bytes(b);
                if u64::from(size) > bound {
                    // Not a block: the magic number of the next frame.
                    self.pending_magic = Some(size);
                    break;
                }
                summary.blocks += 1;
                on_block(&BlockRef {
                    frame: index,
                    offset: at,
                    size,
                    uncompressed: false,
                });
                self.skip(size.into(), "a legacy block")?;
            }
        } else if is_skippable(magic) {
            let size = self.u32("a skippable frame size")?;
            self.skip(size.into(), "a skippable frame")?;
            summary.kind = WalkedKind::Skippable(magic);
        } else {
            return Err(Error::BadMagic {
                offset,
                found: magic,
            });
        }
        let end = self.pos - if self.pending_magic.is_some() { 4 } else { 0 };
        summary.compressed_size = end - offset;
        Ok(Some(summary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(data: &[u8]) -> Result<Vec<FrameSummary>, Error> {
        let mut w = Walker::new(StreamSource(data));
        let mut v = Vec::new();
        while let Some(f) = w.next_frame(&mut |_| {})? {
            v.push(f);
        }
        Ok(v)
    }

    #[test]
    fn walks_standard_skippable_and_legacy_frames() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 97) as u8).collect();
        let settings = lz4framed::FrameSettings::lz4_cli()
            .block_size(lz4framed::BlockSize::Max64KB)
            .block_checksum(true);
        let a = lz4framed::compress_with(&data, &settings).unwrap();
        let mut input = a.clone();
        input.extend_from_slice(&0x184D_2A53u32.to_le_bytes());
        input.extend_from_slice(&3u32.to_le_bytes());
        input.extend_from_slice(b"abc");
        // A legacy frame with two tiny blocks, then the standard frame again.
        input.extend_from_slice(&LEGACY_MAGIC.to_le_bytes());
        input.extend_from_slice(&2u32.to_le_bytes());
        input.extend_from_slice(b"\x10x");
        input.extend_from_slice(&1u32.to_le_bytes());
        input.extend_from_slice(b"\x00");
        input.extend_from_slice(&a);
        let frames = walk(&input).unwrap();
        assert_eq!(frames.len(), 4);
        assert_eq!(frames[0].compressed_size, a.len() as u64);
        assert_eq!(frames[0].blocks, 4);
        assert!(matches!(frames[1].kind, WalkedKind::Skippable(0x184D_2A53)));
        assert_eq!(frames[1].compressed_size, 11);
        assert_eq!(frames[2].kind, WalkedKind::Legacy);
        assert_eq!(frames[2].blocks, 2);
        assert_eq!(frames[2].compressed_size, 4 + 4 + 2 + 4 + 1);
        assert_eq!(frames[3].offset, (a.len() + 11 + 15) as u64);
        assert_eq!(frames[3].compressed_size, a.len() as u64);
    }

    #[test]
    fn reports_truncation_and_bad_magic() {
        let a = lz4framed::compress(b"hello hello hello hello");
        let err = walk(&a[..a.len() - 2]).unwrap_err();
        assert!(matches!(err, Error::Truncated { offset, .. } if offset == a.len() as u64 - 2));
        let err = walk(b"nope").unwrap_err();
        assert!(matches!(err, Error::BadMagic { offset: 0, .. }));
    }
}
