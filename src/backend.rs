//! Backend registry and selection: which block codecs this build has, which one `Auto` picks,
//! and the `LZ4FRAMED_BACKEND` override.

use std::fmt;
use std::str::FromStr;

use lz4framed_core::{BlockCodec, CodecRegistry, Error};

/// Which block backend to use. [`Backend::Auto`] (the default) picks the fastest backend this
/// build and CPU support for the job; the environment variable `LZ4FRAMED_BACKEND`
/// (`c`, `rust` or `simd`) overrides what `Auto` picks.
///
/// ```
/// use lz4framed::Backend;
/// let codec = Backend::Auto.codec()?;
/// println!("Auto uses {}", codec.name());
/// # Ok::<(), lz4framed::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// The fastest available backend (or the one `LZ4FRAMED_BACKEND` names).
    #[default]
    Auto,
    /// The C reference library, LZ4 1.10 (cargo feature `backend-c`).
    C,
    /// lz4_flex in safe mode (cargo feature `backend-rust`).
    Rust,
    /// lz4framed's own vectorized codec (cargo feature `backend-simd`).
    Simd,
}

impl Backend {
    /// Every backend, `Auto` first.
    pub const ALL: [Backend; 4] = [Backend::Auto, Backend::C, Backend::Rust, Backend::Simd];

    /// The codec this backend stands for; for `Auto`, the default choice (see
    /// [`backends`]).
    pub fn codec(self) -> Result<&'static dyn BlockCodec, Error> {
        Registry::codec(self.into())
    }

    /// Lower-case name: `auto`, `c`, `rust`, `simd`.
    pub fn as_str(self) -> &'static str {
        lz4framed_core::Backend::from(self).as_str()
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Backend {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        lz4framed_core::Backend::from_str(s).map(Backend::from)
    }
}

impl From<Backend> for lz4framed_core::Backend {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Auto => lz4framed_core::Backend::Auto,
            Backend::C => lz4framed_core::Backend::C,
            Backend::Rust => lz4framed_core::Backend::Rust,
            Backend::Simd => lz4framed_core::Backend::Simd,
        }
    }
}

impl From<lz4framed_core::Backend> for Backend {
    fn from(b: lz4framed_core::Backend) -> Self {
        match b {
            lz4framed_core::Backend::Auto => Backend::Auto,
            lz4framed_core::Backend::C => Backend::C,
            lz4framed_core::Backend::Rust => Backend::Rust,
            lz4framed_core::Backend::Simd => Backend::Simd,
        }
    }
}

/// One backend of this build, as [`backends`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendInfo {
    /// The backend.
    pub backend: Backend,
    /// The codec's name (e.g. `"c"`, `"rust-safe"`, `"simd-avx2"`), or the backend's name when
    /// it is unavailable.
    pub name: &'static str,
    /// Compiled in and supported by this CPU.
    pub available: bool,
    /// Why it is unavailable, when it is.
    pub unavailable_reason: Option<&'static str>,
    /// The compression levels it supports (empty when unavailable).
    pub levels: std::ops::RangeInclusive<i32>,
    /// Whether `Auto` picks it for decompression.
    pub chosen_by_auto: bool,
    /// Whether `Auto` picks it for compression at the default level 1.
    pub chosen_by_auto_for_compression: bool,
}

/// The backends of this build (simd, c, rust), with what `Auto` picks for decompression and for
/// compression.
pub fn backends() -> Vec<BackendInfo> {
    let auto = Registry::auto().name();
    let auto_compress = Registry::codec_for_level(lz4framed_core::Backend::Auto, 1)
        .map(|c| c.name())
        .unwrap_or(auto);
    [Backend::Simd, Backend::C, Backend::Rust]
        .into_iter()
        .map(|b| match concrete(b) {
            Ok(c) => BackendInfo {
                backend: b,
                name: c.name(),
                available: true,
                unavailable_reason: None,
                levels: c.levels(),
                chosen_by_auto: c.name() == auto,
                chosen_by_auto_for_compression: c.name() == auto_compress,
            },
            Err(reason) => BackendInfo {
                backend: b,
                name: b.as_str(),
                available: false,
                unavailable_reason: Some(reason),
                #[allow(clippy::reversed_empty_ranges)]
                levels: 1..=0,
                chosen_by_auto: false,
                chosen_by_auto_for_compression: false,
            },
        })
        .collect()
}

/// The codec of a concrete (non-Auto) backend, or why there is none.
fn concrete(b: Backend) -> Result<&'static dyn BlockCodec, &'static str> {
    match b {
        Backend::Auto => Err("Auto is not a concrete backend"),
        #[cfg(feature = "backend-c")]
        Backend::C => Ok(&lz4framed_backend_c::CODEC),
        #[cfg(not(feature = "backend-c"))]
        Backend::C => Err("not compiled in (cargo feature backend-c)"),
        #[cfg(feature = "backend-rust")]
        Backend::Rust => Ok(&lz4framed_backend_rust::CODEC),
        #[cfg(not(feature = "backend-rust"))]
        Backend::Rust => Err("not compiled in (cargo feature backend-rust)"),
        Backend::Simd => simd_codec(),
    }
}

#[cfg(feature = "backend-simd")]
fn simd_codec() -> Result<&'static dyn BlockCodec, &'static str> {
    // The best kernel this CPU supports (detected once, cached by the backend).
    Ok(lz4framed_backend_simd::best())
}

#[cfg(not(feature = "backend-simd"))]
fn simd_codec() -> Result<&'static dyn BlockCodec, &'static str> {
    Err("not compiled in (cargo feature backend-simd)")
}

/// Whether the simd backend runs a vector kernel here (sse2, avx2, neon), not the portable
/// scalar reference, which is not faster than C.
#[cfg(feature = "backend-simd")]
fn simd_vectorized() -> bool {
    lz4framed_backend_simd::best_kernel() != lz4framed_backend_simd::Kernel::Scalar
}

#[cfg(not(feature = "backend-simd"))]
fn simd_vectorized() -> bool {
    false
}

/// `Auto`'s order of preference for decoding: the SIMD decoder is the fastest that meets the
/// block-decoder contract (the C backend pays for a validation pass that rejects offset 0;
/// bench report, block decompression: simd-avx2 1.58 × the C backend).
const DECODE_PREFERENCE: [Backend; 3] = [Backend::Simd, Backend::C, Backend::Rust];

/// `Auto`'s order of preference for compression when the simd backend has a vector kernel:
/// its encoders are faster than the C library's at every level.
/// * Fast levels (`..=1`), at about the same total size (`backend-simd/examples/speed.rs`,
///   Silesia in 64 KiB blocks, level 1: sse2/avx2 1.16–1.20 × `LZ4_compress_fast` independent,
///   1.06–1.09 × `LZ4_compress_fast_continue` linked; total size +0.13 % / −0.06 %; larger
///   independent blocks ~1.13 ×).
/// * HC levels (`2..=12`), with output byte-identical to `LZ4_compress_HC`
///   (`backend-simd/examples/hc_ratio.rs`, 4 MiB of each Silesia file, three runs: level 3
///   1.06–1.10 ×, 6 1.08–1.10 ×, 9 1.02–1.06 ×, 12 0.99–1.05 ×).
const VECTOR_ENCODE_PREFERENCE: [Backend; 3] = [Backend::Simd, Backend::C, Backend::Rust];

/// `Auto`'s order of preference for compression when simd has only its scalar kernel: the C
/// library is the fastest there.
const ENCODE_PREFERENCE: [Backend; 3] = [Backend::C, Backend::Simd, Backend::Rust];

/// The backend `LZ4FRAMED_BACKEND` names, if it is set (and not `auto`).
fn env_override() -> Result<Option<Backend>, Error> {
    match std::env::var("LZ4FRAMED_BACKEND") {
        Ok(v) if !v.trim().is_empty() => match v.parse::<Backend>()? {
            Backend::Auto => Ok(None),
            b => Ok(Some(b)),
        },
        _ => Ok(None),
    }
}

fn unavailable(b: Backend, reason: &'static str) -> Error {
    Error::BackendUnavailable {
        backend: b.into(),
        reason,
    }
}

/// The [`CodecRegistry`] of this build: maps [`Backend`] to the compiled-in codecs.
#[derive(Debug, Clone, Copy)]
pub struct Registry;

impl CodecRegistry for Registry {
    fn auto() -> &'static dyn BlockCodec {
        if let Ok(Some(b)) = env_override() {
            if let Ok(c) = concrete(b) {
                return c;
            }
        }
        DECODE_PREFERENCE
            .into_iter()
            .find_map(|b| concrete(b).ok())
            .expect(
            "lz4framed needs at least one backend feature (backend-c, backend-rust, backend-simd)",
        )
    }

    fn codec(backend: lz4framed_core::Backend) -> Result<&'static dyn BlockCodec, Error> {
        match Backend::from(backend) {
            Backend::Auto => match env_override()? {
                Some(b) => concrete(b).map_err(|r| unavailable(b, r)),
                None => Ok(Self::auto()),
            },
            b => concrete(b).map_err(|r| unavailable(b, r)),
        }
    }

    fn codec_for_level(
        backend: lz4framed_core::Backend,
        level: i32,
    ) -> Result<&'static dyn BlockCodec, Error> {
        match Backend::from(backend) {
            Backend::Auto => {
                if let Some(b) = env_override()? {
                    return concrete(b).map_err(|r| unavailable(b, r));
                }
                let mut first = None;
                let preference = if simd_vectorized() {
                    VECTOR_ENCODE_PREFERENCE
                } else {
                    ENCODE_PREFERENCE
                };
                for b in preference {
                    if let Ok(c) = concrete(b) {
                        first.get_or_insert(c);
                        if c.levels().contains(&level) {
                            return Ok(c);
                        }
                    }
                }
                // No codec has the level: let the first one refuse it with a clear error.
                first.ok_or_else(|| unavailable(Backend::Auto, "no backend compiled in"))
            }
            b => concrete(b).map_err(|r| unavailable(b, r)),
        }
    }
}

#[cfg(not(any(
    feature = "backend-c",
    feature = "backend-rust",
    feature = "backend-simd"
)))]
compile_error!(
    "lz4framed needs at least one backend feature: backend-c, backend-rust or backend-simd"
);
