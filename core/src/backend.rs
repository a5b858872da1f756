//! [`Backend`]: the names of the block backends, as users choose them (settings, the
//! `LZ4FRAMED_BACKEND` environment variable, the command line). A leaf module: which codecs a
//! build has and which one `Auto` picks is the registry's business (`registry.rs`).

use std::fmt;
use std::str::FromStr;

/// Which block backend to use. [`Backend::Auto`] (the default) takes the fastest one this build
/// and CPU support for the job ([`crate::backends`] lists what it picks); the
/// `LZ4FRAMED_BACKEND` environment variable (`c`, `rust` or `simd`) overrides that choice.
///
/// Parsed from its lower-case name (`auto`, `c`, `rust`, `simd`; `rust-safe` too), so that
/// command-line parsers take it through [`FromStr`].
///
/// ```
/// use lz4framed::Backend;
/// let codec = Backend::Auto.codec()?;
/// println!("Auto decodes with {}", codec.name());
/// assert_eq!("simd".parse::<Backend>()?, Backend::Simd);
/// # Ok::<(), lz4framed::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// The fastest available backend for this CPU (or the one `LZ4FRAMED_BACKEND` names).
    #[default]
    Auto,
    /// The C reference library, LZ4 1.10 through lz4-sys (cargo feature `backend-c`).
    C,
    /// lz4_flex in safe mode (cargo feature `backend-rust`).
    Rust,
    /// lz4framed's own codec, hand-vectorized, with run-time kernel selection (cargo feature
    /// `backend-simd`).
    Simd,
}

impl Backend {
    /// Every backend, `Auto` first.
    pub const ALL: [Backend; 4] = [Backend::Auto, Backend::C, Backend::Rust, Backend::Simd];

    /// The backend's lower-case name as used by `LZ4FRAMED_BACKEND` and the command line
    /// (`auto`, `c`, `rust`, `simd`).
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::C => "c",
            Backend::Rust => "rust",
            Backend::Simd => "simd",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A backend name that is none of `auto`, `c`, `rust` (`rust-safe`), `simd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseBackendError(pub String);

impl fmt::Display for ParseBackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown backend {:?} (expected auto, c, rust or simd)",
            self.0
        )
    }
}

impl std::error::Error for ParseBackendError {}

impl FromStr for Backend {
    type Err = ParseBackendError;

    fn from_str(s: &str) -> Result<Self, ParseBackendError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Backend::Auto),
            "c" => Ok(Backend::C),
            "rust" | "rust-safe" => Ok(Backend::Rust),
            "simd" => Ok(Backend::Simd),
            _ => Err(ParseBackendError(s.to_string())),
        }
    }
}
