//! `lz4framed decompress`.

use super::args::DecompressArgs;
use super::decode::{self, decode, decompressor};
use super::errors::{CliResult, Exit};
use super::input::Input;
use super::output::Output;

/// Run `decompress`.
pub fn run(args: &DecompressArgs) -> CliResult<Exit> {
    if let Some(state) = &args.resume {
        return super::resume::run(args, state);
    }
    if let Some(exit) = decode::try_parallel_decompress(
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
    let threads = super::args::threads(args.threads);
    decode(input, d, Some(&mut output), args.io.quiet, threads)?;
    if let Some(m) = &metadata {
        output.copy_metadata_from(m);
    }
    output.commit()?;
    Ok(Exit::Ok)
}
