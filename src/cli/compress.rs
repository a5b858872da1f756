//! `lz4framed compress`.

use std::io::{IsTerminal, Write};

use lz4framed::{BlockMode, BlockSize, Compressor, Error, FrameSettings};

use super::args::CompressArgs;
use super::errors::{CliError, CliResult, Exit};
use super::input::{load_dictionary, read_full, Input};
use super::output::Output;
use super::progress::Progress;

/// Smallest read from the input.
const MIN_CHUNK: usize = 1 << 20;

/// The frame settings the options ask for, given the input size (when known).
pub fn settings(args: &CompressArgs, input_len: Option<u64>) -> CliResult<FrameSettings> {
    let level = match args.fast {
        Some(acceleration) => -acceleration,
        None => args.level.unwrap_or(1),
    };
    let block_size = match args.block_size {
        Some(b) => b,
        // As the lz4 tool: a file that fits in a smaller block gets that block size.
        None => input_len
            .and_then(|len| BlockSize::ALL.into_iter().find(|b| b.bytes() as u64 >= len))
            .unwrap_or(BlockSize::Max4MB),
    };
    let mut s = FrameSettings::lz4_cli()
        .level(level)
        .block_size(block_size)
        .block_mode(if args.linked {
            BlockMode::Linked
        } else {
            BlockMode::Independent
        })
        .content_checksum(!args.no_content_checksum)
        .block_checksum(args.block_checksum)
        .backend(lz4framed::Backend::from(args.backend));
    if args.no_content_size || input_len.is_none() {
        s = s.content_size(None);
    }
    if let Some(path) = &args.dict {
        s = s.dictionary(load_dictionary(path)?);
    }
    Ok(s)
}

/// Run `compress`.
pub fn run(args: &CompressArgs) -> CliResult<Exit> {
    let threads = super::seek::threads(args.threads);
    if args.seekable || threads > 1 {
        return super::seek::compress(args);
    }
    let mut input = Input::open(&args.io.input)?;
    let len = input.len();
    if len.is_none() && args.content_size && !args.io.quiet {
        eprintln!(
            "lz4framed: warning: {}: size unknown, content size not recorded",
            input.name
        );
    }
    let settings = settings(args, len)?;
    let mut compressor = Compressor::with_settings(&settings)
        .map_err(|e| CliError::library(&input.name, &e, None))?;
    let mut output = match &args.io.output {
        Some(p) => Output::file(p, args.io.force)?,
        None => {
            if std::io::stdout().is_terminal() && !args.io.force {
                return Err(CliError::usage(
                    "refusing to write compressed data to a terminal (redirect stdout, give OUTFILE, or use -f)",
                ));
            }
            Output::stdout()?
        }
    };
    let out_name = output.name();
    let chunk = settings.get_block_size().bytes().max(MIN_CHUNK);
    let mut buf = vec![0u8; chunk];
    let mut out = Vec::with_capacity(lz4framed::compress_bound(chunk) + 1024);
    let mut progress = Progress::new(&input.name, len, args.io.quiet);
    let size = if args.no_content_size { None } else { len };
    let changed = |e: Error| match e {
        Error::InputSizeMismatch { .. } => CliError::new(
            Exit::Input,
            format!("{}: file changed size while being read", input.name),
        ),
        e => CliError::library(&input.name, &e, None),
    };
    compressor
        .begin_with_size(size, &mut out)
        .map_err(|e| CliError::library(&input.name, &e, None))?;
    loop {
        let n =
            read_full(&mut input.reader, &mut buf).map_err(|e| CliError::input(&input.name, &e))?;
        if n == 0 {
            break;
        }
        compressor.update(&buf[..n], &mut out).map_err(changed)?;
        output
            .write_all(&out)
            .map_err(|e| CliError::output(&out_name, &e))?;
        out.clear();
        progress.advance(n as u64);
        if n < chunk {
            break;
        }
    }
    compressor.end(&mut out).map_err(changed)?;
    output
        .write_all(&out)
        .map_err(|e| CliError::output(&out_name, &e))?;
    progress.finish();
    if let Some(m) = &input.metadata {
        output.copy_metadata_from(m);
    }
    output.commit()?;
    Ok(Exit::Ok)
}
