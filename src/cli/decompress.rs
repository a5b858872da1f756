//! `lz4framed decompress`.

use std::path::{Path, PathBuf};

use super::args::DecompressArgs;
use super::decode::{self, decode, decompressor};
use super::errors::{report, worse, CliError, CliResult, Exit};
use super::input::{remove_input, Input};
use super::output::Output;

/// Run `decompress`: one INFILE, or with -m each INFILE.lz4 to INFILE.
pub fn run(args: &DecompressArgs) -> CliResult<Exit> {
    if let Some(state) = &args.resume {
        return super::resume::run(args, state);
    }
    let jobs = args.io.jobs(|i: &Path| {
        let name = i.to_str().and_then(|s| s.strip_suffix(".lz4"));
        match name {
            Some(stem) if !stem.is_empty() && !stem.ends_with('/') => Ok(Some(PathBuf::from(stem))),
            _ => Err(format!(
                "{}: no .lz4 suffix to remove, cannot name the output (decompress it without -m, giving OUTFILE)",
                i.display()
            )),
        }
    });
    if !args.io.multiple {
        let (input, output) = &jobs[0];
        let output = output.clone().map_err(CliError::usage)?;
        return one(args, input, output.as_deref());
    }
    let mut worst = Exit::Ok;
    for (input, output) in &jobs {
        let r = output
            .clone()
            .map_err(CliError::usage)
            .and_then(|o| one(args, input, o.as_deref()));
        match r {
            Ok(exit) => worst = worse(worst, exit),
            Err(e) => {
                report(&e);
                worst = worse(worst, e.exit);
            }
        }
    }
    Ok(worst)
}

/// Decompress `input` to `output` (`None`: stdout).
fn one(args: &DecompressArgs, input_path: &Path, output_path: Option<&Path>) -> CliResult<Exit> {
    let sparse_files = !args.no_sparse;
    let done = decode::try_parallel_decompress(
        input_path,
        output_path,
        args.io.force,
        &args.decode,
        args.threads,
        (sparse_files, args.sparse),
    )?;
    if done.is_none() {
        let input = Input::open_compressed(input_path)?;
        let d = decompressor(&args.decode)?;
        let metadata = input.metadata.clone();
        let mut output = match output_path {
            Some(p) => Output::file(p, args.io.force)?.sparse(sparse_files),
            None => Output::stdout()?.sparse(args.sparse),
        };
        let threads = super::args::threads(args.threads);
        let name = input.name.clone();
        let decoded = decode(input, d, Some(&mut output), args.io.quiet, threads)?;
        if let Some(m) = &metadata {
            output.copy_metadata_from(m);
        }
        // Trailing data: every frame before it was decoded and verified, so the output is kept.
        output.commit()?;
        if !args.io.quiet {
            decoded.warn_trailing(&name);
        }
        if decoded.trailing.is_some() {
            // Not removed with --rm: the input holds bytes that were not decoded.
            return Ok(Exit::Trailing);
        }
    }
    if args.io.remove_input() {
        remove_input(input_path)?;
    }
    Ok(Exit::Ok)
}
