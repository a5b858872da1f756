//! Decoding, shared by every command that reads LZ4 data (`decompress`, `test`, `--resume`,
//! the `lz4` personality): the decompressor the options ask for, the serial and threaded
//! stream paths, the indexed parallel path, and turning the decoder's errors back into what
//! happened (a read error of the input, or bad data at an offset).

use std::fs::File;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use lz4framed::{Decompressor, FrameDecoder};

use super::args::DecodeArgs;
use super::errors::{io_reason, CliError, CliResult, Exit};
use super::indexed::find_index;
use super::input::{load_dictionary, Input};
use super::output::Output;
use super::progress::Progress;

/// A reader that remembers whether it failed, so that a read error of the input can be told
/// from bad data after the decoder has wrapped both into `io::Error`s.
pub struct Tracked<R> {
    /// The reader.
    pub inner: R,
    /// Set once a read failed.
    pub failed: bool,
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
pub fn rest_len(r: &mut dyn Read) -> CliResult<u64> {
    io::copy(r, &mut io::sink()).map_err(|e| CliError::input("trailing data", &e))
}

/// The decompressor the options ask for.
pub fn decompressor(args: &DecodeArgs) -> CliResult<Decompressor> {
    let mut d = Decompressor::with_backend(args.backend)
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
pub fn trailing_offset(e: &io::Error) -> Option<u64> {
    match e.get_ref()?.downcast_ref::<lz4framed::Error>()? {
        lz4framed::Error::TrailingData { offset, .. } => Some(*offset),
        _ => None,
    }
}

/// [`decode`] on `threads` threads: independent blocks in parallel, linked frames on this
/// thread. A new output file is written at offsets by the threads that decode (the copies into
/// the page cache then run on every thread, not only on this one, which reads the input);
/// stdout and special files are written in order by this thread.
fn decode_threaded(
    input: Input,
    decompressor: Decompressor,
    output: Option<&mut Output>,
    quiet: bool,
    threads: usize,
) -> CliResult<Decoded> {
    let name = input.name.clone();
    let out_name = output.as_ref().map(|o| o.name()).unwrap_or_default();
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
    let mut sink = io::sink();
    // The output's bytes written (`None`: the stream failed before its end) and the stream's
    // result.
    let (written, r) = match output.as_deref().and_then(Output::positioned) {
        Some(dest) => {
            let start = output.as_deref().map_or(0, Output::written);
            let r = lz4framed::parallel::decompress_stream_at(
                &mut tracked,
                &dest,
                start,
                decompressor,
                threads,
            );
            let written = dest.bytes();
            if let (Some(out), Ok(_) | Err(lz4framed::Error::TrailingData { .. })) = (output, &r) {
                out.placed(written)
                    .map_err(|e| CliError::output(&out_name, &e))?;
            }
            (written, r)
        }
        None => {
            let mut writer = Counted {
                inner: match output {
                    Some(o) => o as &mut dyn Write,
                    None => &mut sink,
                },
                count: 0,
            };
            let r = lz4framed::parallel::decompress_stream(
                &mut tracked,
                &mut writer,
                decompressor,
                threads,
            );
            let r = r.map(|(_, summary)| summary);
            (writer.count, r)
        }
    };
    let input_failed = tracked.failed;
    let summary = match r {
        Ok(summary) => Decoded {
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
                decompressed: written,
                trailing: Some((offset, tracked.inner.count + rest - offset)),
            }
        }
        Err(lz4framed::Error::Io(e)) if input_failed => {
            return Err(CliError::new(
                Exit::Input,
                format!("{name}: read error: {}", io_reason(&e)),
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
pub fn classify<R: Read>(name: &str, dec: &FrameDecoder<Tracked<R>>, e: &io::Error) -> CliError {
    if dec.get_ref().failed {
        let at = dec.read_position();
        return CliError::new(
            Exit::Input,
            format!("{name}: read error at offset {at}: {}", io_reason(e)),
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

/// `decompress --threads N` (N > 1) on an indexed regular file with linked frames: decode from
/// the index's restart points on N threads. Returns `None` when this does not apply (no index,
/// no linked frames, stdin, one thread), so that the caller decodes as a stream; otherwise the
/// decompressed byte count. `sparse`:
/// whether an output file, and a regular-file stdout, get holes for zero runs.
pub fn try_parallel_decompress(
    input_path: &Path,
    output: Option<&Path>,
    force: bool,
    decode: &DecodeArgs,
    threads_arg: u32,
    sparse: (bool, bool),
) -> CliResult<Option<u64>> {
    let n = super::args::threads(threads_arg);
    if n <= 1 || input_path.as_os_str() == "-" || decode.no_verify {
        return Ok(None);
    }
    let name = input_path.display().to_string();
    let Ok(mut file) = File::open(input_path) else {
        return Ok(None);
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    // A file without a usable index (none, or one that does not describe the whole file, as
    // in seekable files concatenated) is decoded as a stream, which skips any index frame.
    let Ok(Some(index)) = find_index(input_path, &mut file) else {
        return Ok(None);
    };
    // Without linked frames the stream path is as parallel, and it also verifies content
    // checksums (restart points in the middle of a frame cannot).
    if !index.entries().iter().any(|e| e.has_window()) {
        return Ok(None);
    }
    let dict = match &decode.dict {
        Some(d) => Some(load_dictionary(d)?),
        None => None,
    };
    let metadata = file.metadata().ok();
    let mut out = match output {
        Some(p) => Output::file(p, force)?.sparse(sparse.0),
        None => Output::stdout()?.sparse(sparse.1),
    };
    let out_name = out.name();
    let (_, written) =
        lz4framed::parallel::decompress_to(&file, &index, n, dict.as_ref(), &mut out).map_err(
            |e| match e {
                lz4framed::Error::Io(e) => CliError::output(&out_name, &e),
                e => CliError::library(&name, &e, None),
            },
        )?;
    if let Some(m) = &metadata {
        out.copy_metadata_from(m);
    }
    out.commit()?;
    Ok(Some(written))
}
