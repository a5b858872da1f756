//! `decompress --resume STATEFILE`: decompression that survives interruptions.
//!
//! Every `--checkpoint-every` MiB of output the partial output is flushed to disk and then the
//! decoder's checkpoint ([`lz4framed::Decompressor::checkpoint`]) is written to STATEFILE
//! atomically (temporary file + rename), so the state never claims more output than is on disk.
//! A rerun restores the decoder, cuts the partial output back to the checkpoint's position,
//! skips the input to the checkpoint's input position and continues. When the input ends early
//! the state is saved where it ended, so a rerun with the complete input continues from there.
//! The output is built in `.OUTFILE.lz4framed-partial` and renamed to OUTFILE only when
//! complete; STATEFILE is then removed. Bytes after the last frame that are no frame end the
//! run as they end `decompress`: the output is complete, a warning, exit code 5.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use lz4framed::{Decompressor, FrameDecoder};

use super::args::DecompressArgs;
use super::decode::{classify, decompressor, rest_len, trailing_offset, Decoded, Tracked};
use super::errors::{io_reason, CliError, CliResult, Exit};
use super::input::Input;
use super::output::publish;
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

/// Write `bytes` to `path` atomically: a temporary file beside it, synced, then renamed.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path)
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
    if target.exists() && !args.io.force {
        return Err(CliError::new(
            Exit::Output,
            format!("{target_name}: already exists (use -f to overwrite)"),
        ));
    }
    let partial = partial_path(target)?;
    let fresh = decompressor(&args.decode)?;

    // Restore the decoder, or start from the beginning when there is no state yet.
    let restored = match fs::read(state_path) {
        Ok(bytes) => {
            let backend = args.decode.backend;
            let mut d = Decompressor::from_checkpoint_with_backend(&bytes, backend)
                .map_err(|e| CliError::library(&state_name, &e, None))?
                .verify_checksums(!args.decode.no_verify);
            if let Some(dict) = fresh.dictionary() {
                d = d.with_dictionary(dict.clone());
            }
            Some(d)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(CliError::input(&state_name, &e)),
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
    out.set_len(out_pos)
        .and_then(|()| out.seek(SeekFrom::End(0)).map(drop))
        .map_err(|e| CliError::output(&partial_name, &e))?;

    let mut input = Input::open(&args.io.input)?;
    let name = input.name.clone();
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
        write_atomically(state_path, &dec.checkpoint())
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
