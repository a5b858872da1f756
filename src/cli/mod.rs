//! The `lz4framed` command-line tool: argument parsing, the subcommands, safe output and
//! exit codes.

pub mod args;
pub mod backends;
pub mod compress;
pub mod decompress;
pub mod errors;
pub mod info;
pub mod input;
pub mod output;
pub mod progress;
pub mod resume;
pub mod seek;
pub mod walk;

use clap::Parser;

use args::{Cli, Command};
use errors::{CliError, Exit};

/// Print a failure's one line on stderr (unless it is silent).
pub fn report(e: &CliError) {
    if !e.silent {
        eprintln!("lz4framed: {}", e.message);
    }
}

/// The more serious of two exit codes (data errors over output over input over usage).
pub fn worse(a: Exit, b: Exit) -> Exit {
    // A warning (trailing data) ranks below every error.
    let rank = |e: Exit| match e {
        Exit::Ok => 0,
        Exit::Trailing => 1,
        e => 1 + e as i32,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

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
        Command::Test(a) => decompress::test(a),
        Command::Backends => backends::run(),
        Command::Index(a) => seek::index(a),
        Command::Extract(a) => seek::extract(a),
    };
    match result {
        Ok(exit) => exit as i32,
        Err(e) => {
            report(&e);
            e.exit as i32
        }
    }
}
