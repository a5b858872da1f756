//! Running `compress`/`decompress` over their (INFILE, OUTFILE) jobs: one without `-m`, one
//! per INFILE with it.

use std::path::{Path, PathBuf};

use super::args::IoArgs;
use super::errors::{report, worse, CliError, CliResult, Exit};

/// Run `one(input, output)` on every job of [`IoArgs::jobs`] (`name` derives an OUTFILE from an
/// INFILE under `-m`; `None` output = stdout). Without `-m` the one job's result is returned as
/// it is; with `-m` every job runs, a failed one is reported on its own line and the worst exit
/// status is returned (as `lz4 -m` goes on after a file it could not process).
pub fn run_jobs(
    io: &IoArgs,
    name: impl Fn(&Path) -> Result<Option<PathBuf>, String>,
    mut one: impl FnMut(&Path, Option<&Path>) -> CliResult<Exit>,
) -> CliResult<Exit> {
    let jobs = io.jobs(name);
    if !io.multiple {
        let (input, output) = &jobs[0];
        let output = output.clone().map_err(CliError::usage)?;
        return one(input, output.as_deref());
    }
    let mut worst = Exit::Ok;
    for (input, output) in &jobs {
        let r = output
            .clone()
            .map_err(CliError::usage)
            .and_then(|o| one(input, o.as_deref()));
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
