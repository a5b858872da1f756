//! `decompress --resume STATEFILE`: decompression that survives interruptions.
//!
//! Every `--checkpoint-every` MiB of output the partial output is flushed to disk and then the
//! decoder's checkpoint ([`lz4framed::Decompressor::checkpoint`]) is written to STATEFILE
//! atomically (temporary file + rename), so the state never claims more output than is on disk.
//! A rerun restores the decoder, cuts the partial output back to the checkpoint's position,
//! skips the input to the checkpoint's input position and continues. When the input ends early
//! the state is saved where it ended, so a rerun with the complete input continues from there.
//! The output is built in `.OUTFILE.lz4framed-partial` and renamed to OUTFILE only when
//! complete; STATEFILE is then removed. STATEFILE also keeps the last bytes of the input and
//! of the output before the checkpoint, and a rerun whose INFILE (a regular file) or partial
//! output differs there is refused: continuing another stream would mix two outputs, which
//! only a content checksum would notice. Bytes after the last frame that are no frame end the
//! run as they end `decompress`: the output is complete, a warning, exit code 5.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use lz4framed::{Decompressor, FrameDecoder};

use super::args::DecompressArgs;
use super::decode::{classify, decompressor, rest_len, trailing_offset, Decoded, Tracked};
use super::errors::{io_reason, CliError, CliResult, Exit};
use super::input::{refuse_terminal_stdin, Input};
use super::output::{publish, write_through, TemporaryFile};
use super::progress::Progress;

/// The hidden file the output is built in.
fn partial_path(target: &Path) -> CliResult<PathBuf> {
    let base = target.file_name().ok_or_else(|| {
        CliError::new(
            Exit::Output,
            format!("{}: not a file name", target.display()),
        )
    })?;
    let name = format!(".{}.lz4framed-partial", base.to_string_lossy());
    Ok(match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(name),
        _ => PathBuf::from(name),
    })
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced, then renamed. The
/// temporary file is removed when this fails, and by a signal that ends the process meanwhile
/// (as the output's temporary file is).
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _registered = TemporaryFile::register(&tmp);
    let written = File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    });
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Bytes of the input and of the output just before the checkpoint's positions that STATEFILE
/// keeps after the checkpoint, so that a rerun with another input (a file replaced meanwhile)
/// or another output's partial file is refused rather than continued into a mix of two
/// streams. Without a content checksum nothing else would notice.
const TAIL: u64 = 64;
/// The last bytes of a STATEFILE that holds those bytes after the checkpoint:
/// `checkpoint, input tail, output tail, input tail length (255: not kept), output tail length,
/// "L4RB"`. A bare checkpoint (as earlier versions wrote) is restored without the check.
const STATE_MAGIC: &[u8; 4] = b"L4RB";
/// The input tail length of a STATEFILE whose input was no regular file.
const NO_INPUT_TAIL: u8 = 255;

/// The up to [`TAIL`] bytes of the file at `path` before offset `end`.
fn tail_before(path: &Path, end: u64) -> io::Result<Vec<u8>> {
    let mut f = File::open(path)?;
    let start = end.saturating_sub(TAIL);
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity(TAIL as usize);
    f.take(end - start).read_to_end(&mut buf)?;
    Ok(buf)
}

/// What STATEFILE holds.
struct State<'a> {
    checkpoint: &'a [u8],
    /// The input's bytes before the checkpoint (`None`: the input was no regular file).
    input_tail: Option<&'a [u8]>,
    /// The output's bytes before the checkpoint (`None`: a bare checkpoint).
    output_tail: Option<&'a [u8]>,
}

impl<'a> State<'a> {
    fn parse(bytes: &'a [u8]) -> State<'a> {
        let bare = State {
            checkpoint: bytes,
            input_tail: None,
            output_tail: None,
        };
        let Some(rest) = bytes.strip_suffix(STATE_MAGIC) else {
            return bare;
        };
        let [rest @ .., in_len, out_len] = rest else {
            return bare;
        };
        let kept_in = if *in_len == NO_INPUT_TAIL {
            0
        } else {
            *in_len as usize
        };
        let Some(split) = rest.len().checked_sub(kept_in + *out_len as usize) else {
            return bare;
        };
        let (checkpoint, tails) = rest.split_at(split);
        let (input_tail, output_tail) = tails.split_at(kept_in);
        State {
            checkpoint,
            input_tail: (*in_len != NO_INPUT_TAIL).then_some(input_tail),
            output_tail: Some(output_tail),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.checkpoint.to_vec();
        let input_tail = self.input_tail.unwrap_or_default();
        let output_tail = self.output_tail.unwrap_or_default();
        v.extend_from_slice(input_tail);
        v.extend_from_slice(output_tail);
        v.push(match self.input_tail {
            Some(t) => t.len() as u8,
            None => NO_INPUT_TAIL,
        });
        v.push(output_tail.len() as u8);
        v.extend_from_slice(STATE_MAGIC);
        v
    }
}

/// Skip `n` bytes of the input: a seek for regular files, reading otherwise.
fn skip_input(input: &mut Input, n: u64) -> io::Result<()> {
    if n == 0 {
        return Ok(());
    }
    if let Some(len) = input.len() {
        if len < n {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("input has {len} bytes, the checkpoint is at offset {n}"),
            ));
        }
    }
    let copied = io::copy(&mut (&mut input.reader).take(n), &mut io::sink())?;
    if copied < n {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("input ends at offset {copied}, the checkpoint is at offset {n}"),
        ));
    }
    Ok(())
}

/// Run `decompress --resume STATEFILE`.
pub fn run(args: &DecompressArgs, state_path: &Path) -> CliResult<Exit> {
    let target = args.io.output.as_deref().ok_or_else(|| {
        CliError::usage("--resume needs an OUTFILE (the output is resumed in place of a file)")
    })?;
    let target_name = target.display().to_string();
    let state_name = state_path.display().to_string();
    refuse_terminal_stdin(&args.io.input)?;
    match fs::metadata(target) {
        Ok(m) if !m.is_file() => {
            return Err(CliError::new(
                Exit::Output,
                format!("{target_name}: not a regular file (--resume builds the output in a file beside OUTFILE and renames it into place)"),
            ))
        }
        Ok(_) if !args.io.force => {
            return Err(CliError::new(
                Exit::Output,
                format!("{target_name}: already exists (use -f to overwrite)"),
            ))
        }
        _ => {}
    }
    // A symlinked OUTFILE is written through, as without --resume: the partial output is
    // built beside the file the link points to and renamed onto it; the link stays.
    let resolved = write_through(target);
    let target = resolved.as_path();
    let partial = partial_path(target)?;
    let fresh = decompressor(&args.decode)?;

    // Restore the decoder, or start from the beginning when there is no state yet.
    let state_bytes = match fs::read(state_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(CliError::input(&state_name, &e)),
    };
    let state = state_bytes.as_deref().map(State::parse);
    let restored = match &state {
        Some(state) => {
            let backend = args.decode.backend;
            let mut d = Decompressor::from_checkpoint_with_backend(state.checkpoint, backend)
                .map_err(|e| CliError::library(&state_name, &e, None))?
                .verify_checksums(!args.decode.no_verify);
            if let Some(dict) = fresh.dictionary() {
                d = d.with_dictionary(dict.clone());
            }
            Some(d)
        }
        None => None,
    };
    let (dec, in_pos, out_pos) = match restored {
        Some(d) => {
            let (i, o) = (d.compressed_position(), d.decompressed_position());
            (d, i, o)
        }
        None => (fresh, 0, 0),
    };

    // The partial output must hold everything up to the checkpoint; cut off what came later.
    let partial_name = partial.display().to_string();
    let mut out = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&partial)
        .map_err(|e| CliError::output(&partial_name, &e))?;
    let have = out
        .metadata()
        .map_err(|e| CliError::output(&partial_name, &e))?
        .len();
    if have < out_pos {
        return Err(CliError::new(
            Exit::Data,
            format!(
                "{state_name}: the checkpoint is at output offset {out_pos} but {partial_name} has only {have} bytes; delete {state_name} to start over"
            ),
        ));
    }
    let stranger = |what: &str| {
        CliError::new(
            Exit::Data,
            format!(
                "{state_name}: the checkpoint is not of {what}: its bytes before the checkpoint differ; delete {state_name} to start over"
            ),
        )
    };
    if let Some(kept) = state.as_ref().and_then(|s| s.output_tail) {
        let now =
            tail_before(&partial, out_pos).map_err(|e| CliError::output(&partial_name, &e))?;
        if now != kept {
            return Err(stranger(&partial_name));
        }
    }
    out.set_len(out_pos)
        .and_then(|()| out.seek(SeekFrom::End(0)).map(drop))
        .map_err(|e| CliError::output(&partial_name, &e))?;

    let mut input = Input::open(&args.io.input)?;
    let name = input.name.clone();
    let input_is_file = input.metadata.is_some();
    if let Some(kept) = state.as_ref().and_then(|s| s.input_tail) {
        if input_is_file && input.len().is_some_and(|len| len >= in_pos) {
            let now =
                tail_before(&args.io.input, in_pos).map_err(|e| CliError::input(&name, &e))?;
            if now != kept {
                return Err(stranger(&name));
            }
        }
    }
    skip_input(&mut input, in_pos).map_err(|e| {
        CliError::new(
            Exit::Input,
            format!("{name}: cannot resume: {}", io_reason(&e)),
        )
    })?;
    let total = input.len().map(|l| l.saturating_sub(in_pos));
    let mut progress = Progress::new(&name, total, args.io.quiet);
    let tracked = Tracked {
        inner: input.reader,
        failed: false,
    };
    let mut dec = FrameDecoder::with_decompressor(tracked, dec);
    let every = args.checkpoint_every.saturating_mul(1 << 20);
    let mut since_checkpoint = 0u64;
    let mut read_before = 0;
    let save = |dec: &FrameDecoder<Tracked<Box<dyn Read>>>, out: &mut File| -> CliResult<()> {
        out.sync_data()
            .map_err(|e| CliError::output(&partial_name, &e))?;
        let checkpoint = dec.checkpoint();
        // The positions a rerun restores, and the bytes before them.
        let restored = Decompressor::from_checkpoint(&checkpoint)
            .map_err(|e| CliError::library(&state_name, &e, None))?;
        let input_tail = if input_is_file {
            Some(
                tail_before(&args.io.input, restored.compressed_position())
                    .map_err(|e| CliError::input(&name, &e))?,
            )
        } else {
            None
        };
        let output_tail = tail_before(&partial, restored.decompressed_position())
            .map_err(|e| CliError::output(&partial_name, &e))?;
        let state = State {
            checkpoint: &checkpoint,
            input_tail: input_tail.as_deref(),
            output_tail: Some(&output_tail),
        };
        write_atomically(state_path, &state.to_bytes())
            .map_err(|e| CliError::output(&state_name, &e))
    };
    let mut trailing = None;
    loop {
        let buf = match dec.fill_buf() {
            Ok(b) => b,
            Err(e) => {
                if let Some(offset) = trailing_offset(&e).filter(|_| !dec.get_ref().failed) {
                    // Bytes after the last frame that are no frame: the output is complete, as
                    // for decompress without --resume (a warning, exit code 5).
                    let read = in_pos + dec.read_position();
                    let rest = rest_len(&mut dec.get_mut().inner)?;
                    trailing = Some((offset, read + rest - offset));
                    break;
                }
                let err = classify(&name, &dec, &e);
                if e.kind() == io::ErrorKind::UnexpectedEof && !dec.get_ref().failed {
                    // The input ended early: keep what was decoded and where, for a rerun.
                    save(&dec, &mut out)?;
                    return Err(CliError::new(
                        err.exit,
                        format!(
                            "{}; progress saved to {state_name}, run the same command again with the complete input to continue",
                            err.message
                        ),
                    ));
                }
                return Err(err);
            }
        };
        if buf.is_empty() {
            break;
        }
        let n = buf.len();
        out.write_all(buf)
            .map_err(|e| CliError::output(&partial_name, &e))?;
        dec.consume(n);
        since_checkpoint += n as u64;
        if since_checkpoint >= every {
            save(&dec, &mut out)?;
            since_checkpoint = 0;
        }
        let read = dec.read_position();
        progress.advance(read - read_before);
        read_before = read;
    }
    progress.finish();
    out.sync_all()
        .map_err(|e| CliError::output(&partial_name, &e))?;
    drop(out);
    publish(&partial, target, args.io.force)?;
    let _ = fs::remove_file(state_path);
    if trailing.is_some() {
        let decoded = Decoded {
            frames: dec.decompressor().frame_number(),
            compressed: trailing.map_or(0, |(offset, _)| offset),
            decompressed: dec.decompressor().decompressed_position(),
            trailing,
        };
        if !args.io.quiet {
            decoded.warn_trailing(&name);
        }
        return Ok(Exit::Trailing);
    }
    Ok(Exit::Ok)
}
