//! `lz4framed`: compress, decompress, inspect and verify LZ4 frames from the command line.
//!
//! `lz4framed compress|decompress <INFILE|-> [OUTFILE]`, `lz4framed info FILE...`,
//! `lz4framed test FILE...`, `lz4framed backends`. Run `lz4framed --help` for the options and
//! the exit codes.
#![forbid(unsafe_code)]

mod cli;

fn main() {
    std::process::exit(cli::run());
}
