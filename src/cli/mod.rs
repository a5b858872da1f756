//! The `lz4framed` command-line tool: argument parsing, the subcommands, safe output and
//! exit codes.
//!
//! Layout (each subcommand depends only on the shared modules below it, never on another
//! subcommand):
//! - subcommands: [`compress`], [`decompress`] (with its [`resume`] mode), [`verify`]
//!   (`test`), [`info`], [`index`], [`extract`], [`backends`];
//! - shared engines: [`encode`] (frames and legacy frames from an input), [`decode`] (every
//!   decoding path), [`indexed`] (finding a file's seek index), [`walk`] (frame layout);
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
pub mod output;
pub mod progress;
pub mod resume;
pub mod verify;
pub mod walk;

use clap::Parser;

use args::{Cli, Command};
use errors::{report, Exit};

/// Parse the command line, run the command, and return the process exit code.
pub fn run() -> i32 {
    let argv = args::normalize(std::env::args_os());
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
