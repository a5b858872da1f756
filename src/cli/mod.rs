//! The `lz4framed` command-line tool: argument parsing, the subcommands, safe output and
//! exit codes.
//!
//! Layout (each subcommand depends only on the shared modules below it, never on another
//! subcommand):
//! - subcommands: [`compress`], [`decompress`] (with its [`resume`] mode), [`verify`]
//!   (`test`), [`info`], [`index`], [`extract`], [`backends`];
//! - shared engines: [`encode`] (frames and legacy frames from an input), [`decode`] (every
//!   decoding path), [`indexed`] (finding a file's seek index);
//! - the `lz4` personality: [`lz4`] (its own parser, naming rules, `--list`, benchmark),
//!   on the same engines;
//! - leaves: [`args`] (every argument type), [`errors`] (exit codes, error classification),
//!   [`input`], [`output`] (safe and sparse output), [`progress`].

pub mod args;
pub mod backends;
pub mod compress;
pub mod decode;
pub mod decompress;
pub mod encode;
pub mod errors;
pub mod extract;
pub mod index;
pub mod indexed;
pub mod info;
pub mod input;
pub mod jobs;
pub mod lz4;
pub mod output;
pub mod progress;
pub mod resume;
pub mod verify;

use clap::Parser;

use args::{Cli, Command};
use errors::{report, Exit};

/// Parse the command line, run the command, and return the process exit code. Called by a
/// name of the `lz4` tool (`lz4`, `unlz4`, `lz4cat`: a link to this binary), it is that tool
/// ([`lz4`]); otherwise the `lz4framed` subcommands.
pub fn run() -> i32 {
    output::remove_temporaries_on_signals();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let name = argv
        .first()
        .map(std::path::Path::new)
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(p) = lz4::parse::Personality::from_name(&name) {
        return lz4::run(p, &argv[1..]);
    }
    let argv = args::normalize(argv);
    let mut cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage as i32
            } else {
                0
            };
        }
    };
    cli.dash_output_is_stdout();
    let result = match &cli.command {
        Command::Compress(a) => compress::run(a),
        Command::Decompress(a) => decompress::run(a),
        Command::Info(a) => info::run(a),
        Command::Test(a) => verify::test(a),
        Command::Backends => backends::run(),
        Command::Index(a) => index::index(a),
        Command::Extract(a) => extract::extract(a),
    };
    match result {
        Ok(exit) => exit as i32,
        Err(e) => {
            report(&e);
            e.exit as i32
        }
    }
}
