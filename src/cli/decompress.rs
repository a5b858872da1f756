//! `lz4framed decompress`.

use std::path::{Path, PathBuf};

use super::args::DecompressArgs;
use super::decode::{self, decode, decompressor};
use super::errors::{CliResult, Exit};
use super::input::{remove_input, Input};
use super::jobs::run_jobs;
use super::output::Output;

/// Run `decompress`: one INFILE, or with -m each INFILE.lz4 to INFILE.
pub fn run(args: &DecompressArgs) -> CliResult<Exit> {
    if let Some(state) = &args.resume {
        return super::resume::run(args, state);
    }
    run_jobs(
        &args.io,
        |i: &Path| {
            let name = i.to_str().and_then(|s| s.strip_suffix(".lz4"));
            match name {
                Some(stem) if !stem.is_empty() && !stem.ends_with('/') => {
                    Ok(Some(PathBuf::from(stem)))
                }
                _ => Err(format!(
                    "{}: no .lz4 suffix to remove, cannot name the output (decompress it without -m, giving OUTFILE)",
                    i.display()
                )),
            }
        },
        |input, output| one(args, input, output),
    )
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
