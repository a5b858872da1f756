//! `lz4framed compress`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use lz4framed::index::{sidecar_path, IndexOptions};

use super::args::CompressArgs;
use super::encode::{self, FrameSpec};
use super::errors::{CliError, CliResult, Exit};
use super::input::{load_dictionary, remove_input, Input};
use super::jobs::run_jobs;
use super::output::Output;

/// The frame options `args` ask for.
pub fn spec(args: &CompressArgs) -> CliResult<FrameSpec> {
    Ok(FrameSpec {
        level: level(args),
        block_size: args.block_size,
        linked: args.linked,
        content_checksum: !args.no_content_checksum,
        block_checksum: args.block_checksum,
        content_size: !args.no_content_size,
        dict: match &args.dict {
            Some(p) => Some(load_dictionary(p)?),
            None => None,
        },
        backend: args.backend,
        single_block_as_lz4: false,
    })
}

fn level(args: &CompressArgs) -> i32 {
    match args.fast {
        Some(acceleration) => -acceleration,
        None => args.level.unwrap_or(1),
    }
}

/// Run `compress`: one INFILE, or with -m each INFILE to INFILE.lz4.
pub fn run(args: &CompressArgs) -> CliResult<Exit> {
    if args.sidecar && args.io.output.is_none() {
        return Err(CliError::usage("--sidecar needs an OUTFILE"));
    }
    if args.sidecar && args.io.multiple {
        return Err(CliError::usage(
            "--sidecar works on one INFILE, not with -m",
        ));
    }
    let spec = spec(args)?;
    run_jobs(
        &args.io,
        |i: &Path| {
            let mut name = i.as_os_str().to_owned();
            name.push(".lz4");
            Ok(Some(PathBuf::from(name)))
        },
        |input, output| one(args, &spec, input, output),
    )
}

/// Compress `input` to `output` (`None`: stdout).
fn one(
    args: &CompressArgs,
    spec: &FrameSpec,
    input_path: &Path,
    output_path: Option<&Path>,
) -> CliResult<Exit> {
    let mut input = Input::open(input_path)?;
    if input.len().is_none() && args.content_size && !args.io.quiet {
        eprintln!(
            "lz4framed: warning: {}: size unknown, content size not recorded",
            input.name
        );
    }
    let mut output = match output_path {
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
    let threads = super::args::threads(args.threads);
    let done = if args.legacy {
        encode::legacy(
            &mut input,
            &mut output,
            level(args),
            spec.backend,
            args.io.quiet,
        )?
    } else {
        let index = args.seekable.then(IndexOptions::default);
        encode::frame(
            &mut input,
            &mut output,
            spec,
            threads,
            index.as_ref(),
            args.io.quiet,
        )?
    };
    if let (Some(index), false) = (&done.index, args.sidecar) {
        output
            .write_all(&index.to_embedded())
            .map_err(|e| CliError::output(&out_name, &e))?;
    }
    if let Some(m) = &input.metadata {
        output.copy_metadata_from(m);
    }
    drop(input);
    output.commit()?;
    if let (Some(index), true, Some(p)) = (&done.index, args.sidecar, output_path) {
        let side = sidecar_path(p);
        let mut o = Output::file(&side, args.io.force)?;
        o.write_all(&index.to_sidecar())
            .map_err(|e| CliError::output(&side.display().to_string(), &e))?;
        o.commit()?;
    }
    if args.io.remove_input() {
        remove_input(input_path)?;
    }
    Ok(Exit::Ok)
}
