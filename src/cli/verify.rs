//! `lz4framed test`: decode and verify files, writing nothing.

use std::io::{self, Write};

use super::args::threads;
use super::args::TestArgs;
use super::decode::{decode, decompressor};
use super::errors::{report, worse, CliResult, Exit};
use super::input::Input;

/// Run `test`: every file is decoded and verified; failures are reported one line each and
/// the worst exit code is returned.
pub fn test(args: &TestArgs) -> CliResult<Exit> {
    let mut worst = Exit::Ok;
    let stdout = io::stdout();
    for path in &args.files {
        let result = Input::open_compressed(path).and_then(|input| {
            let name = input.name.clone();
            let d = decompressor(&args.decode)?;
            decode(input, d, None, args.quiet, threads(args.threads)).map(|r| (name, r))
        });
        match result {
            Ok((name, r)) => {
                r.warn_trailing(&name);
                if r.trailing.is_some() {
                    worst = worse(worst, Exit::Trailing);
                }
                if !args.quiet {
                    let _ = writeln!(
                        stdout.lock(),
                        "{name}: OK ({} frame{}, {} -> {} bytes)",
                        r.frames,
                        if r.frames == 1 { "" } else { "s" },
                        r.compressed,
                        r.decompressed
                    );
                }
            }
            Err(e) => {
                report(&e);
                worst = worse(worst, e.exit);
            }
        }
    }
    Ok(worst)
}
