//! `lz4framed compress`.

use std::io::{IsTerminal, Write};

use lz4framed::index::{sidecar_path, IndexOptions};

use super::args::CompressArgs;
use super::encode::{self, FrameSpec};
use super::errors::{CliError, CliResult, Exit};
use super::input::{load_dictionary, Input};
use super::output::Output;

/// The frame options `args` ask for.
pub fn spec(args: &CompressArgs) -> CliResult<FrameSpec> {
    let level = match args.fast {
        Some(acceleration) => -acceleration,
        None => args.level.unwrap_or(1),
    };
    Ok(FrameSpec {
        level,
        block_size: args.block_size,
        linked: args.linked,
        content_checksum: !args.no_content_checksum,
        block_checksum: args.block_checksum,
        content_size: !args.no_content_size,
        dict: match &args.dict {
            Some(p) => Some(load_dictionary(p)?),
            None => None,
        },
        backend: lz4framed::Backend::from(args.backend),
    })
}

/// Run `compress`.
pub fn run(args: &CompressArgs) -> CliResult<Exit> {
    if args.sidecar && args.io.output.is_none() {
        return Err(CliError::usage("--sidecar needs an OUTFILE"));
    }
    let spec = spec(args)?;
    let mut input = Input::open(&args.io.input)?;
    if input.len().is_none() && args.content_size && !args.io.quiet {
        eprintln!(
            "lz4framed: warning: {}: size unknown, content size not recorded",
            input.name
        );
    }
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
    let index = args.seekable.then(IndexOptions::default);
    let threads = super::args::threads(args.threads);
    let done = encode::frame(
        &mut input,
        &mut output,
        &spec,
        threads,
        index.as_ref(),
        args.io.quiet,
    )?;
    if let (Some(index), false) = (&done.index, args.sidecar) {
        output
            .write_all(&index.to_embedded())
            .map_err(|e| CliError::output(&out_name, &e))?;
    }
    if let Some(m) = &input.metadata {
        output.copy_metadata_from(m);
    }
    output.commit()?;
    if let (Some(index), true, Some(p)) = (&done.index, args.sidecar, &args.io.output) {
        let side = sidecar_path(p);
        let mut o = Output::file(&side, args.io.force)?;
        o.write_all(&index.to_sidecar())
            .map_err(|e| CliError::output(&side.display().to_string(), &e))?;
        o.commit()?;
    }
    Ok(Exit::Ok)
}
