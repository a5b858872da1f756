//! Compression, shared by `lz4framed compress` and the `lz4` personality: the frame settings
//! from a command line's choices, one input compressed into one frame (on the calling thread,
//! or on many with `lz4framed::parallel`, optionally recording a seek index), and the legacy
//! format (`lz4 -l`).

use std::io::{self, BufWriter, Read, Write};

use lz4framed::index::IndexOptions;
use lz4framed::index::SeekIndex;
use lz4framed::{BlockMode, BlockSize, Dictionary, Error, FrameSettings, LegacyEncoder};

use super::errors::{CliError, CliResult, Exit};
use super::input::{read_full, Input};
use super::output::Output;
use super::progress::Progress;

/// A frame's options as a command line chose them (independent of which command line).
#[derive(Debug, Clone)]
pub struct FrameSpec {
    /// Compression level (negative: fast with acceleration −level).
    pub level: i32,
    /// Maximum block size; `None`: 4 MiB, or the smallest that holds a smaller input file
    /// (as `lz4` does).
    pub block_size: Option<BlockSize>,
    /// Linked blocks (`-BD`) instead of independent ones.
    pub linked: bool,
    /// Append the content checksum.
    pub content_checksum: bool,
    /// Append a checksum after each block.
    pub block_checksum: bool,
    /// Record the content size when the input's size is known.
    pub content_size: bool,
    /// Dictionary.
    pub dict: Option<Dictionary>,
    /// Block backend.
    pub backend: lz4framed::Backend,
    /// Frame an input shorter than one block as `lz4` does (it compresses such an input with
    /// `LZ4F_compressFrame`): the smallest block size that holds it, never more than asked
    /// for (`LZ4F_optimalBSID`), and independent blocks (a single block links to nothing) — for
    /// any input, a pipe or an explicit block size included. (`lz4framed compress` keeps an
    /// explicit block size and mode.)
    pub single_block_as_lz4: bool,
}

impl FrameSpec {
    /// The frame settings for an input of `input_len` bytes (`None`: unknown, e.g. stdin).
    pub fn settings(&self, input_len: Option<u64>) -> FrameSettings {
        let block_size = match self.block_size {
            Some(b) => b,
            None => input_len
                .and_then(|len| BlockSize::ALL.into_iter().find(|b| b.bytes() as u64 >= len))
                .unwrap_or(BlockSize::Max4MB),
        };
        let mut s = FrameSettings::lz4_cli()
            .level(self.level)
            .block_size(block_size)
            .block_mode(if self.linked {
                BlockMode::Linked
            } else {
                BlockMode::Independent
            })
            .content_checksum(self.content_checksum)
            .block_checksum(self.block_checksum)
            .backend(self.backend);
        if !self.content_size || input_len.is_none() {
            s = s.content_size(None);
        }
        if let Some(d) = &self.dict {
            s = s.dictionary(d.clone());
        }
        s
    }
}

/// What a compression did.
#[derive(Debug)]
pub struct Encoded {
    /// Input bytes read.
    pub read: u64,
    /// Compressed bytes written (the seek index not included).
    pub written: u64,
    /// The seek index, when one was recorded.
    pub index: Option<SeekIndex>,
}

/// The error for a failed compression of `input`: output errors name the output, a file that
/// changed size while read is an input error.
fn failure(input: &str, out_name: &str, e: Error) -> CliError {
    match e {
        Error::Io(e) => CliError::output(out_name, &e),
        Error::InputSizeMismatch { .. } => CliError::new(
            Exit::Input,
            format!("{input}: file changed size while being read"),
        ),
        e => CliError::library(input, &e, None),
    }
}

/// Compress all of `input` into one frame on `output` with `lz4framed::parallel::compress_stream`
/// on `threads` threads (1: on the calling thread); the bytes are the same for any thread
/// count.
pub fn frame(
    input: &mut Input,
    output: &mut Output,
    spec: &FrameSpec,
    threads: usize,
    index: Option<&IndexOptions>,
    quiet: bool,
) -> CliResult<Encoded> {
    let len = input.len();
    let mut settings = spec.settings(len);
    let mut size = if spec.content_size { len } else { None };
    let out_name = output.name();
    let before = output.written();
    let mut progress = Progress::new(&input.name, len, quiet);
    // Always the chunked compressor, on the calling thread when `threads` is 1: its output
    // does not depend on the thread count (linked blocks included, where a serial
    // Compressor's differs at chunk starts), as `compress --help` promises.
    let mut reader = Metered {
        inner: &mut input.reader,
        progress: &mut progress,
        read: 0,
    };
    let mut head = Vec::new();
    if spec.single_block_as_lz4 {
        // lz4 reads one block, and frames an input that ends before it fills one alone.
        let asked = spec.block_size.unwrap_or(BlockSize::Max4MB);
        head.resize(asked.bytes(), 0);
        let n = read_full(&mut reader, &mut head).map_err(|e| CliError::input(&input.name, &e))?;
        head.truncate(n);
        if n < asked.bytes() {
            let fits = BlockSize::ALL
                .into_iter()
                .find(|b| b.bytes() >= n)
                .filter(|b| b.bytes() < asked.bytes())
                .unwrap_or(asked);
            settings = settings.block_size(fits).block_mode(BlockMode::Independent);
            if n == 0 {
                // LZ4F's content size 0 means "unknown": an empty input records none.
                size = None;
            }
        }
    }
    let mut reader = io::Cursor::new(head).chain(reader);
    let writer = BufWriter::with_capacity(1 << 20, &mut *output);
    let (mut writer, summary) =
        lz4framed::parallel::compress_stream(&mut reader, writer, &settings, threads, size, index)
            .map_err(|e| failure(&input.name, &out_name, e))?;
    writer
        .flush()
        .map_err(|e| CliError::output(&out_name, &e))?;
    let read = reader.get_ref().1.read;
    drop(writer);
    progress.finish();
    Ok(Encoded {
        read,
        written: output.written() - before,
        index: summary.index,
    })
}

/// Compress all of `input` into one legacy frame (`lz4 -l`) on `output`. Levels below 3 are
/// the fast mode (as `lz4 -l` does), 3..=12 high compression.
pub fn legacy(
    input: &mut Input,
    output: &mut Output,
    level: i32,
    backend: lz4framed::Backend,
    quiet: bool,
) -> CliResult<Encoded> {
    let level = if (0..3).contains(&level) {
        1
    } else {
        level.min(12)
    };
    let out_name = output.name();
    let before = output.written();
    let mut progress = Progress::new(&input.name, input.len(), quiet);
    let mut encoder = LegacyEncoder::new(&mut *output, level, backend)
        .map_err(|e| CliError::library(&input.name, &e, None))?;
    let mut buf = vec![0u8; lz4framed::frame::LEGACY_BLOCK_SIZE];
    let mut read = 0u64;
    loop {
        let n =
            read_full(&mut input.reader, &mut buf).map_err(|e| CliError::input(&input.name, &e))?;
        if n == 0 {
            break;
        }
        read += n as u64;
        encoder
            .write_all(&buf[..n])
            .map_err(|e| CliError::output(&out_name, &e))?;
        progress.advance(n as u64);
        if n < buf.len() {
            break;
        }
    }
    encoder
        .finish()
        .map_err(|e| failure(&input.name, &out_name, e))?;
    progress.finish();
    Ok(Encoded {
        read,
        written: output.written() - before,
        index: None,
    })
}

/// Counts what the parallel compressor reads, for the progress bar and the summary.
struct Metered<'a, R: ?Sized> {
    inner: &'a mut R,
    progress: &'a mut Progress,
    read: u64,
}

impl<R: Read + ?Sized> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        self.read += n as u64;
        Ok(n)
    }
}
