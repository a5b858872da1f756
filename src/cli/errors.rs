//! Exit codes and the one-line error every failure ends with.

use std::fmt;
use std::io;

/// The process exit codes of `lz4framed` (documented in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Bad command line (unknown option, bad value, missing argument) or an option this build
    /// or CPU cannot honour (an unavailable backend, an unsupported level).
    Usage = 1,
    /// An input could not be opened or read (INFILE, a dictionary).
    Input = 2,
    /// The output could not be written (exists without `-f`, no permission, disk full, …).
    Output = 3,
    /// The input is not valid LZ4 data: corrupt, truncated, bad checksum, wrong dictionary.
    Data = 4,
    /// Every frame was decoded and its output written, but the input goes on with bytes that
    /// are no frame (zero padding, a size word after a legacy stream): a warning names their
    /// offset and length. (`lz4` 1.9.4 writes the output too and exits with 1.)
    Trailing = 5,
}

/// A failure: the exit code and the one line to print (`name: what [at offset N]`).
#[derive(Debug)]
pub struct CliError {
    /// Exit code.
    pub exit: Exit,
    /// The message, without the program name and without a newline.
    pub message: String,
    /// Print nothing (e.g. a closed stdout pipe: the reader has gone away on purpose).
    pub silent: bool,
    /// For data errors: which kind, so that the `lz4` personality can give `lz4`'s exit status.
    pub fault: Option<DataFault>,
}

/// The kinds of bad input that the `lz4` tool tells apart by its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFault {
    /// The input ended inside a frame (`lz4`: "Unfinished stream", status 68).
    Truncated,
    /// No frame magic number at this input offset (`lz4`: "Unrecognized header" at offset 0,
    /// status 44; "Stream followed by undecodable data" after a complete frame, status 1).
    UnknownMagic {
        /// Input offset of the bytes that are not a magic number.
        offset: u64,
    },
    /// Anything else: corrupt block, checksum mismatch, bad header (`lz4`: status 66).
    Corrupt,
}

impl CliError {
    /// A failure with `exit` and a message.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
            silent: false,
            fault: None,
        }
    }

    /// A command-line problem.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// Reading `name` failed.
    pub fn input(name: &str, e: &io::Error) -> Self {
        Self::new(Exit::Input, format!("{name}: {}", io_reason(e)))
    }

    /// Writing `name` failed. A broken stdout pipe is reported silently.
    pub fn output(name: &str, e: &io::Error) -> Self {
        let mut err = Self::new(Exit::Output, format!("{name}: {}", io_reason(e)));
        err.silent = e.kind() == io::ErrorKind::BrokenPipe;
        err
    }

    /// A library error about `name`. `position` is the input offset the decoder had reached,
    /// used when the error itself names no offset.
    pub fn library(name: &str, e: &lz4framed::Error, position: Option<u64>) -> Self {
        use lz4framed::Error as E;
        let exit = match e {
            E::Io(_) => Exit::Input,
            E::UnsupportedLevel { .. }
            | E::BackendUnavailable { .. }
            | E::UnknownBackend(_)
            | E::InvalidSettings(_) => Exit::Usage,
            e if e.is_data_error() => Exit::Data,
            _ => Exit::Data,
        };
        let mut message = format!("{name}: {e}");
        if e.is_data_error() && e.offset().is_none() {
            if let Some(p) = position {
                message.push_str(&format!(" (at offset {p})"));
            }
        }
        let mut err = Self::new(exit, message);
        if exit == Exit::Data {
            err.fault = Some(match e {
                E::Truncated { .. } => DataFault::Truncated,
                E::BadMagic { offset, .. } | E::TrailingData { offset, .. } => {
                    DataFault::UnknownMagic { offset: *offset }
                }
                _ => DataFault::Corrupt,
            });
        }
        err
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An I/O error's reason without Rust's "(os error N)" suffix.
pub fn io_reason(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

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

/// Result of a CLI step.
pub type CliResult<T> = Result<T, CliError>;
