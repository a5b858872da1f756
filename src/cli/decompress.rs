//! `lz4framed decompress` and `lz4framed test`.

use std::io::{self, BufRead, Read, Write};

use lz4framed::{Decompressor, FrameDecoder};

use super::args::{DecodeArgs, DecompressArgs, TestArgs};
use super::errors::{CliError, CliResult, Exit};
use super::input::{load_dictionary, Input};
use super::output::Output;
use super::progress::Progress;

/// A reader that remembers whether it failed, so that a read error of the input can be told
/// from bad data after the decoder has wrapped both into `io::Error`s.
pub(super) struct Tracked<R> {
    pub(super) inner: R,
    pub(super) failed: bool,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.inner.read(buf);
        if matches!(&r, Err(e) if e.kind() != io::ErrorKind::Interrupted) {
            self.failed = true;
        }
        r
    }
}

/// Counts what the threaded decoder reads, for the progress bar.
struct Metered<'a, R> {
    inner: R,
    progress: &'a mut Progress,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// What a successful decode produced.
#[derive(Debug, Clone, Copy)]
pub struct Decoded {
    /// Frames decoded (skippable frames not counted).
    pub frames: u64,
    /// Compressed bytes read (up to the trailing data, when there is some).
    pub compressed: u64,
    /// Decompressed bytes.
    pub decompressed: u64,
    /// Bytes after the last frame that are no frame: their offset and length.
    pub trailing: Option<(u64, u64)>,
}

impl Decoded {
    /// The warning about trailing data, if there is some.
    pub fn warn_trailing(&self, name: &str) {
        if let Some((offset, len)) = self.trailing {
            eprintln!(
                "lz4framed: {name}: warning: {len} trailing byte{} at offset {offset} after the \
                 last frame {} no LZ4 frame and {} not decoded",
                if len == 1 { "" } else { "s" },
                if len == 1 { "is" } else { "are" },
                if len == 1 { "was" } else { "were" },
            );
        }
    }
}

/// Counts bytes passing through a reader or writer.
struct Counted<T> {
    inner: T,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Bytes left in `r` (read and thrown away), for the length of trailing data on a pipe.
fn rest_len(r: &mut dyn Read) -> CliResult<u64> {
    io::copy(r, &mut io::sink()).map_err(|e| CliError::input("trailing data", &e))
}

/// The decompressor the options ask for.
pub fn decompressor(args: &DecodeArgs) -> CliResult<Decompressor> {
    let mut d = Decompressor::with_backend(lz4framed::Backend::from(args.backend))
        .map_err(|e| CliError::library("--backend", &e, None))?;
    if let Some(path) = &args.dict {
        d = d.with_dictionary(load_dictionary(path)?);
    }
    Ok(d.verify_checksums(!args.no_verify))
}

/// Decode all of `input`, writing to `output` when there is one, on `threads` threads (more
/// than one: `lz4framed::parallel::decompress_stream`, independent blocks in parallel).
pub fn decode(
    input: Input,
    decompressor: Decompressor,
    output: Option<&mut Output>,
    quiet: bool,
    threads: usize,
) -> CliResult<Decoded> {
    if threads > 1 {
        decode_threaded(input, decompressor, output, quiet, threads)
    } else {
        decode_serial(input, decompressor, output, quiet)
    }
}

/// [`decode`] on the calling thread.
fn decode_serial(
    input: Input,
    decompressor: Decompressor,
    mut output: Option<&mut Output>,
    quiet: bool,
) -> CliResult<Decoded> {
    let name = input.name.clone();
    let out_name = output.as_ref().map(|o| o.name()).unwrap_or_default();
    let mut progress = Progress::new(&name, input.len(), quiet);
    let tracked = Tracked {
        inner: input.reader,
        failed: false,
    };
    let mut dec = FrameDecoder::with_decompressor(tracked, decompressor);
    let mut read_before = 0;
    let mut decompressed = 0u64;
    let mut trailing = None;
    loop {
        let buf = match dec.fill_buf() {
            Ok(b) => b,
            Err(e) => match trailing_offset(&e) {
                Some(offset) if !dec.get_ref().failed => {
                    let read = dec.read_position();
                    let rest = rest_len(&mut dec.get_mut().inner)?;
                    trailing = Some((offset, read + rest - offset));
                    break;
                }
                _ => return Err(classify(&name, &dec, &e)),
            },
        };
        if buf.is_empty() {
            break;
        }
        let n = buf.len();
        if let Some(out) = output.as_deref_mut() {
            out.write_all(buf)
                .map_err(|e| CliError::output(&out_name, &e))?;
        }
        dec.consume(n);
        decompressed += n as u64;
        let read = dec.read_position();
        progress.advance(read - read_before);
        read_before = read;
    }
    progress.finish();
    Ok(Decoded {
        frames: dec.decompressor().frame_number(),
        compressed: trailing.map_or(dec.read_position(), |(offset, _)| offset),
        decompressed,
        trailing,
    })
}

/// The offset of trailing data, when `e` reports it.
fn trailing_offset(e: &io::Error) -> Option<u64> {
    match e.get_ref()?.downcast_ref::<lz4framed::Error>()? {
        lz4framed::Error::TrailingData { offset, .. } => Some(*offset),
        _ => None,
    }
}

/// [`decode`] on `threads` threads: independent blocks in parallel, linked frames on this
/// thread.
fn decode_threaded(
    input: Input,
    decompressor: Decompressor,
    output: Option<&mut Output>,
    quiet: bool,
    threads: usize,
) -> CliResult<Decoded> {
    let name = input.name.clone();
    let out_name = output.as_ref().map(|o| o.name()).unwrap_or_default();
    let mut sink = io::sink();
    let mut writer = Counted {
        inner: match output {
            Some(o) => o as &mut dyn Write,
            None => &mut sink,
        },
        count: 0,
    };
    let mut progress = Progress::new(&name, input.len(), quiet);
    let mut tracked = Tracked {
        inner: Counted {
            inner: Metered {
                inner: input.reader,
                progress: &mut progress,
            },
            count: 0,
        },
        failed: false,
    };
    let r =
        lz4framed::parallel::decompress_stream(&mut tracked, &mut writer, decompressor, threads);
    let input_failed = tracked.failed;
    let summary = match r {
        Ok((_, summary)) => Decoded {
            frames: summary.frames,
            compressed: summary.bytes_in,
            decompressed: summary.bytes_out,
            trailing: None,
        },
        Err(lz4framed::Error::TrailingData { offset, frames }) => {
            let rest = rest_len(&mut tracked.inner)?;
            Decoded {
                frames,
                compressed: offset,
                decompressed: writer.count,
                trailing: Some((offset, tracked.inner.count + rest - offset)),
            }
        }
        Err(lz4framed::Error::Io(e)) if input_failed => {
            return Err(CliError::new(
                Exit::Input,
                format!("{name}: read error: {}", super::errors::io_reason(&e)),
            ))
        }
        Err(lz4framed::Error::Io(e)) => return Err(CliError::output(&out_name, &e)),
        Err(e) => return Err(CliError::library(&name, &e, None)),
    };
    progress.finish();
    Ok(summary)
}

/// Turn the decoder's `io::Error` back into what happened: a read error of the input, or a
/// data error with its offset.
pub(super) fn classify<R: Read>(
    name: &str,
    dec: &FrameDecoder<Tracked<R>>,
    e: &io::Error,
) -> CliError {
    if dec.get_ref().failed {
        let at = dec.read_position();
        return CliError::new(
            Exit::Input,
            format!(
                "{name}: read error at offset {at}: {}",
                super::errors::io_reason(e)
            ),
        );
    }
    let position = dec.decompressor().compressed_position();
    match e
        .get_ref()
        .and_then(|i| i.downcast_ref::<lz4framed::Error>())
    {
        Some(le) => CliError::library(name, le, Some(position)),
        None => CliError::new(Exit::Data, format!("{name}: {e} (at offset {position})")),
    }
}

/// Run `decompress`.
pub fn run(args: &DecompressArgs) -> CliResult<Exit> {
    if let Some(state) = &args.resume {
        return super::resume::run(args, state);
    }
    if let Some(exit) = super::seek::try_parallel_decompress(
        &args.io.input,
        args.io.output.as_deref(),
        args.io.force,
        &args.decode,
        args.threads,
    )? {
        return Ok(exit);
    }
    let input = Input::open(&args.io.input)?;
    let d = decompressor(&args.decode)?;
    let metadata = input.metadata.clone();
    let mut output = match &args.io.output {
        Some(p) => Output::file(p, args.io.force)?,
        None => Output::stdout()?,
    };
    let threads = super::seek::threads(args.threads);
    let name = input.name.clone();
    let decoded = decode(input, d, Some(&mut output), args.io.quiet, threads)?;
    if let Some(m) = &metadata {
        output.copy_metadata_from(m);
    }
    // Trailing data: every frame before it was decoded and verified, so the output is kept.
    output.commit()?;
    decoded.warn_trailing(&name);
    Ok(if decoded.trailing.is_some() {
        Exit::Trailing
    } else {
        Exit::Ok
    })
}

/// Run `test`: every file is decoded and verified; failures are reported one line each and
/// the worst exit code is returned.
pub fn test(args: &TestArgs) -> CliResult<Exit> {
    let mut worst = Exit::Ok;
    let stdout = io::stdout();
    for path in &args.files {
        let result = Input::open(path).and_then(|input| {
            let name = input.name.clone();
            let d = decompressor(&args.decode)?;
            decode(
                input,
                d,
                None,
                args.quiet,
                super::seek::threads(args.threads),
            )
            .map(|r| (name, r))
        });
        match result {
            Ok((name, r)) => {
                r.warn_trailing(&name);
                if r.trailing.is_some() {
                    worst = super::worse(worst, Exit::Trailing);
                }
                if !args.quiet {
                    let _ = writeln!(
                        stdout.lock(),
                        "{name}: OK ({} frame{}, {} -> {} bytes)",
                        r.frames,
                        if r.frames == 1 { "" } else { "s" },
                        r.compressed,
                        r.decompressed
                    );
                }
            }
            Err(e) => {
                super::report(&e);
                worst = super::worse(worst, e.exit);
            }
        }
    }
    Ok(worst)
}
