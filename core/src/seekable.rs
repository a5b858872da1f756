//! [`SeekableReader`]: random access into a `.lz4` file through its seek index.

use std::io::{self, BufRead, Read, Seek, SeekFrom};

use crate::backend::Backend;
use crate::codec::BlockCodec;
use crate::decompressor::Decompressor;
use crate::error::Error;
use crate::frame::{FrameInfo, MAX_DESCRIPTOR_LEN};
use crate::index::{parse_frame_header, EntryKind, SeekIndex};
use crate::input::{read_full, InputBuf};
use crate::output::ReusableBuf;
use crate::settings::Dictionary;

/// How far past the requested position a block is decoded when only its start is needed.
const PREFIX_SLACK: u64 = 64 * 1024;

/// Reads the decompressed content of an indexed `.lz4` file at any offset: `Read`, `BufRead`
/// and `Seek` over the decompressed bytes.
///
/// A seek decodes from the nearest restart point of the [`SeekIndex`] at or before the target:
/// at most one block in an independent-block frame, at most one restart interval in a linked
/// one. A read in the middle of a block decodes that block only up to a little past the
/// requested position. The last decoded block is kept, so reads near each other cost nothing,
/// and reading on continues the decoder without restarting. Frames restarted in the middle are not checked
/// against their content checksum (block checksums are).
///
/// ```
/// use lz4framed::{BlockMode, BlockSize, FrameSettings};
/// use lz4framed::index::{SeekableEncoder, SeekableReader};
/// use std::io::{Cursor, Read, Seek, SeekFrom, Write};
/// let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_be_bytes()).collect();
/// let settings = FrameSettings::new().block_size(BlockSize::Max64KB).block_mode(BlockMode::Linked);
/// let mut enc = SeekableEncoder::new(Vec::new(), &settings)?;
/// enc.write_all(&data)?;
/// let file = enc.finish()?;
///
/// let mut r = SeekableReader::new(Cursor::new(file))?;
/// assert_eq!(r.len(), data.len() as u64);
/// r.seek(SeekFrom::End(-8))?;
/// let mut tail = Vec::new();
/// r.read_to_end(&mut tail)?;
/// assert_eq!(tail, &data[data.len() - 8..]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SeekableReader<R> {
    reader: R,
    index: SeekIndex,
    codec: &'static dyn BlockCodec,
    dictionary: Option<Dictionary>,
    verify: bool,
    /// Entry indices of the frame-start entries, ascending.
    frame_starts: Vec<usize>,
    /// The descriptor of the frame last restarted in: (frame-start entry, bytes, info).
    descriptor_cache: Option<(usize, Vec<u8>, FrameInfo)>,
    /// The decoder, positioned after the block held in `out` (None: restart before decoding).
    dec: Option<Decompressor>,
    /// Compressed input read but not fed.
    input: InputBuf,
    /// The last decoded block and its decompressed offset.
    out: ReusableBuf,
    out_start: u64,
    /// Logical position in the decompressed content.
    pos: u64,
    /// The restart point whose decoding last stopped inside a block ([`PREFIX_SLACK`]): a
    /// restart there again decodes whole blocks.
    cut_at: Option<usize>,
    /// The restart point the decoder started from.
    restarted_at: usize,
    /// Whether the decoder decodes whole blocks (else only up to a little past the position
    /// asked for).
    whole_blocks: bool,
}

impl<R> std::fmt::Debug for SeekableReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeekableReader")
            .field("codec", &self.codec.name())
            .field("len", &self.index.decompressed_size())
            .field("restart_points", &self.index.entries().len())
            .field("position", &self.pos)
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> SeekableReader<R> {
    /// A reader over a file with an embedded index (found at the end of the file, checked, and
    /// bound to the file by its fingerprint), on the `Auto` backend.
    pub fn new(mut reader: R) -> Result<Self, Error> {
        let index = SeekIndex::read_embedded(&mut reader)?;
        Ok(Self::build(reader, index, crate::registry::auto()))
    }

    /// A reader over `reader` with a separately loaded index (a sidecar file, see
    /// [`SeekIndex::from_sidecar`]). The index is refused ([`Error::BadIndex`]) unless it was
    /// built for this data.
    pub fn with_index(mut reader: R, index: SeekIndex) -> Result<Self, Error> {
        index.verify_file(&mut reader)?;
        Ok(Self::build(reader, index, crate::registry::auto()))
    }

    fn build(reader: R, index: SeekIndex, codec: &'static dyn BlockCodec) -> Self {
        let frame_starts = index.frame_starts();
        SeekableReader {
            reader,
            index,
            codec,
            dictionary: None,
            verify: true,
            frame_starts,
            descriptor_cache: None,
            dec: None,
            input: InputBuf::default(),
            out: ReusableBuf::default(),
            out_start: 0,
            pos: 0,
            cut_at: None,
            restarted_at: 0,
            whole_blocks: false,
        }
    }

    /// Decode with `backend` instead of `Auto`.
    pub fn backend(mut self, backend: impl Into<Backend>) -> Result<Self, Error> {
        self.codec = backend.into().codec()?;
        self.invalidate();
        Ok(self)
    }

    /// Use `dictionary` for frames compressed with one.
    #[must_use]
    pub fn with_dictionary(mut self, dictionary: Dictionary) -> Self {
        self.dictionary = Some(dictionary);
        self.invalidate();
        self
    }

    /// Whether to verify header and block checksums (default: yes).
    #[must_use]
    pub fn verify_checksums(mut self, verify: bool) -> Self {
        self.verify = verify;
        self.invalidate();
        self
    }

    fn invalidate(&mut self) {
        self.dec = None;
        self.out.clear();
        self.out_start = 0;
        self.cut_at = None;
    }

    /// The index in use.
    pub fn index(&self) -> &SeekIndex {
        &self.index
    }

    /// Size of the decompressed content.
    pub fn len(&self) -> u64 {
        self.index.decompressed_size()
    }

    /// Whether the decompressed content is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The current position in the decompressed content.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// The inner reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The inner reader (and the index), dropping the decoder.
    pub fn into_inner(self) -> (R, SeekIndex) {
        (self.reader, self.index)
    }

    /// Read the whole range `offset..offset + buf.len()` of the decompressed content into
    /// `buf` (an error if it reaches past the end). Moves the position to its end.
    pub fn read_exact_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.pos = offset;
        self.read_exact(buf)
    }

    /// The frame descriptor (bytes and info) of the frame starting at entry `fs`.
    fn descriptor(&mut self, fs: usize) -> Result<(Vec<u8>, FrameInfo), Error> {
        if let Some((at, d, i)) = &self.descriptor_cache {
            if *at == fs {
                return Ok((d.clone(), i.clone()));
            }
        }
        let at = self.index.entries()[fs].compressed;
        self.reader.seek(SeekFrom::Start(at))?;
        let mut head = [0u8; 4 + MAX_DESCRIPTOR_LEN];
        let n = read_full(&mut self.reader, &mut head)?;
        let (desc, info) = parse_frame_header(&head[..n], at, self.verify)?;
        self.descriptor_cache = Some((fs, desc.clone(), info.clone()));
        Ok((desc, info))
    }

    /// Position the decoder at restart point `i`.
    fn restart(&mut self, i: usize) -> Result<(), Error> {
        let frame_no = self.frame_starts.partition_point(|&s| s <= i);
        let needs_desc =
            self.index.entries()[i].kind == EntryKind::Block && !self.index.entries()[i].legacy;
        let desc = if needs_desc {
            Some(self.descriptor(self.frame_starts[frame_no - 1])?)
        } else {
            None
        };
        let engine = self.index.restart_engine(
            i,
            &self.frame_starts,
            |_| desc.ok_or(Error::InvalidState("descriptor")),
            self.codec,
            self.dictionary.as_ref(),
        )?;
        let dec = Decompressor::from_engine(self.codec, engine, self.dictionary.clone())
            .verify_checksums(self.verify);
        self.reader
            .seek(SeekFrom::Start(self.index.entries()[i].compressed))?;
        self.input.clear();
        self.dec = Some(dec);
        self.restarted_at = i;
        Ok(())
    }

    /// Decode the next block (or the rest of the current unit sequence up to a block boundary
    /// with output) into `out`. Returns false at the end of the input.
    fn decode_next(&mut self) -> Result<bool, Error> {
        let Some(mut dec) = self.dec.take() else {
            return Err(Error::InvalidState("no decoder"));
        };
        let r = self.decode_with(&mut dec);
        // A block decoded in part ends this decoder.
        if dec.engine.was_cut_short() {
            self.cut_at = Some(self.restarted_at);
        } else {
            self.dec = Some(dec);
        }
        r
    }

    fn decode_with(&mut self, dec: &mut Decompressor) -> Result<bool, Error> {
        self.out.clear();
        self.out_start = dec.decompressed_position();
        loop {
            let need = dec.engine.want_input();
            if self.input.available().len() < need {
                self.input.fill(&mut self.reader, need)?;
            }
            let avail = self.input.available().len();
            if avail == 0 {
                dec.finish()?;
                return Ok(self.out.len() > 0);
            }
            let take = avail.min(need);
            dec.feed(&self.input.available()[..take], &mut self.out)?;
            self.input.consume(take);
            if self.out.len() > 0 && dec.engine.at_block_boundary() {
                return Ok(true);
            }
        }
    }

    fn fill(&mut self) -> Result<(), Error> {
        let total = self.len();
        if self.pos >= total {
            return Ok(());
        }
        let covered = self.out_start..self.out_start + self.out.len() as u64;
        if covered.contains(&self.pos) {
            return Ok(());
        }
        // `pos < len`: only an index whose first restart point lies past offset 0 (a cut-down
        // index, or one put together with `IndexBuilder`) has no entry for it.
        let Some(target) = self.index.entry_for(self.pos) else {
            return Err(Error::BadIndex(format!(
                "no restart point at or before decompressed offset {}",
                self.pos
            )));
        };
        let restart_d = self.index.entries()[target].decompressed;
        let cont = self.dec.as_ref().is_some_and(|d| {
            let at = d.decompressed_position();
            at <= self.pos && at >= restart_d
        });
        if !cont {
            self.out.clear();
            self.restart(target)?;
            // Decode the block holding `pos` only up to a little past it, unless the last
            // decoding from this restart point stopped early (reading on through the block):
            // then whole blocks, so that reading a block from end to end costs at most twice.
            self.whole_blocks = self.cut_at == Some(target);
            self.cut_at = None;
        }
        if !self.whole_blocks {
            if let Some(dec) = &mut self.dec {
                dec.engine
                    .set_prefix_limit(Some(self.pos.saturating_add(PREFIX_SLACK)));
            }
        }
        let result = (|| loop {
            if !self.decode_next()? {
                return Err(Error::BadIndex(format!(
                    "the data ends before decompressed offset {}, which the index promises",
                    self.pos
                )));
            }
            let end = self.out_start + self.out.len() as u64;
            if self.pos < end {
                return Ok(());
            }
        })();
        if result.is_err() {
            self.invalidate();
        }
        result
    }
}

impl<R: Read + Seek> BufRead for SeekableReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.fill()?;
        if self.pos >= self.len() {
            return Ok(&[]);
        }
        let at = (self.pos - self.out_start) as usize;
        Ok(&self.out.data()[at..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
    }
}

impl<R: Read + Seek> Read for SeekableReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for SeekableReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let (base, delta) = match to {
            SeekFrom::Start(n) => {
                self.pos = n;
                return Ok(n);
            }
            SeekFrom::End(d) => (self.len(), d),
            SeekFrom::Current(d) => (self.pos, d),
        };
        match base.checked_add_signed(delta) {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative or overflowing position",
            )),
        }
    }
}
