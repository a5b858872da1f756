//! The codec registry: which block codecs this build has, and which one `Auto` picks.
//!
//! Each backend crate registers its codec with [`inventory::submit!`] (a [`CodecEntry`]);
//! this crate never names a backend crate. `Auto` takes, among the registered codecs that this
//! CPU supports, the one with the lowest rank for the job: for decoding
//! [`CodecEntry::decode_rank`], for compressing at a level the lowest
//! [`CodecEntry::encode_rank`] among those that have the level. The environment variable
//! `LZ4FRAMED_BACKEND` (`c`, `rust`, `simd`) overrides the choice.

use std::ops::RangeInclusive;

use crate::backend::Backend;
use crate::codec::BlockCodec;
use crate::error::Error;

/// A backend's entry in the registry, submitted by its crate:
///
/// ```ignore
/// inventory::submit! {
///     lz4framed_core::registry::CodecEntry {
///         backend: Backend::C,
///         codec: || Ok(&CODEC),
///         decode_rank: 1,
///         encode_rank: || 1,
///     }
/// }
/// ```
#[derive(Debug)]
pub struct CodecEntry {
    /// The backend it stands for (not `Auto`).
    pub backend: Backend,
    /// The codec on this CPU, or why there is none.
    pub codec: fn() -> Result<&'static dyn BlockCodec, &'static str>,
    /// `Auto`'s preference for decoding: lower is preferred.
    pub decode_rank: u8,
    /// `Auto`'s preference for compressing, on this CPU: lower is preferred.
    pub encode_rank: fn() -> u8,
}

inventory::collect!(CodecEntry);

fn entry(b: Backend) -> Option<&'static CodecEntry> {
    inventory::iter::<CodecEntry>
        .into_iter()
        .find(|e| e.backend == b)
}

/// The codec of a concrete (non-Auto) backend, or why there is none.
fn concrete(b: Backend) -> Result<&'static dyn BlockCodec, Error> {
    let reason = match entry(b) {
        Some(e) => match (e.codec)() {
            Ok(c) => return Ok(c),
            Err(reason) => reason,
        },
        None if b == Backend::Auto => "Auto is not a concrete backend",
        None => match b {
            Backend::C => "not compiled in (cargo feature backend-c of lz4framed)",
            Backend::Rust => "not compiled in (cargo feature backend-rust of lz4framed)",
            _ => "not compiled in (cargo feature backend-simd of lz4framed)",
        },
    };
    Err(Error::BackendUnavailable { backend: b, reason })
}

/// The backend `LZ4FRAMED_BACKEND` names, if it is set (and not `auto`).
fn env_override() -> Result<Option<Backend>, Error> {
    match std::env::var("LZ4FRAMED_BACKEND") {
        Ok(v) if !v.trim().is_empty() => match v.parse::<Backend>() {
            Ok(Backend::Auto) => Ok(None),
            Ok(b) => Ok(Some(b)),
            Err(e) => Err(Error::UnknownBackend(e.0)),
        },
        _ => Ok(None),
    }
}

/// The available codecs, ordered by `rank`.
fn ranked(rank: impl Fn(&CodecEntry) -> u8) -> Vec<(&'static CodecEntry, &'static dyn BlockCodec)> {
    let mut v: Vec<_> = inventory::iter::<CodecEntry>
        .into_iter()
        .filter_map(|e| Some((e, (e.codec)().ok()?)))
        .collect();
    v.sort_by_key(|(e, _)| rank(e));
    v
}

/// The codec `Auto` decodes with (`LZ4FRAMED_BACKEND` first, when it names an available
/// backend).
///
/// # Panics
///
/// When no backend is registered at all: a build of `lz4framed` has at least one (its cargo
/// features make sure), so only a program that uses `lz4framed-core` without any backend
/// crate gets here.
pub(crate) fn auto() -> &'static dyn BlockCodec {
    if let Ok(Some(b)) = env_override() {
        if let Ok(c) = concrete(b) {
            return c;
        }
    }
    ranked(|e| e.decode_rank)
        .first()
        .map(|(_, c)| *c)
        .expect("lz4framed: no block backend in this build (cargo features backend-c, backend-rust, backend-simd)")
}

impl Backend {
    /// The codec this backend stands for (for `Auto`: the one it decodes with, see
    /// [`backends`]), or [`Error::BackendUnavailable`] when it is not in this build or not
    /// supported by this CPU.
    pub fn codec(self) -> Result<&'static dyn BlockCodec, Error> {
        match self {
            Backend::Auto => match env_override()? {
                Some(b) => concrete(b),
                None => Ok(auto()),
            },
            b => concrete(b),
        }
    }

    /// The codec for compressing at `level` with this backend. For `Auto` it may differ from
    /// the decoding choice: the fastest encoder need not be the fastest decoder, and not every
    /// codec has every level; when none has the level, the first refuses it with a clear error
    /// later ([`BlockCodec::compressor`]).
    pub fn codec_for_level(self, level: i32) -> Result<&'static dyn BlockCodec, Error> {
        match self {
            Backend::Auto => {
                if let Some(b) = env_override()? {
                    return concrete(b);
                }
                let codecs = ranked(|e| (e.encode_rank)());
                codecs
                    .iter()
                    .find(|(_, c)| c.levels().contains(&level))
                    .or(codecs.first())
                    .map(|(_, c)| *c)
                    .ok_or(Error::BackendUnavailable {
                        backend: Backend::Auto,
                        reason: "no backend compiled in",
                    })
            }
            b => concrete(b),
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
    pub levels: RangeInclusive<i32>,
    /// Whether `Auto` picks it for decompression.
    pub chosen_by_auto: bool,
    /// Whether `Auto` picks it for compression at the default level 1.
    pub chosen_by_auto_for_compression: bool,
}

/// The backends (simd, c, rust), whether this build and CPU have them, and what `Auto` picks
/// for decompression and for compression at level 1.
///
/// ```
/// for b in lz4framed::backends() {
///     println!("{:5} {:10} available: {}", b.backend, b.name, b.available);
/// }
/// assert!(lz4framed::backends().iter().any(|b| b.chosen_by_auto));
/// ```
pub fn backends() -> Vec<BackendInfo> {
    let auto = Backend::Auto.codec().ok().map(|c| c.name());
    let auto_compress = Backend::Auto.codec_for_level(1).ok().map(|c| c.name());
    [Backend::Simd, Backend::C, Backend::Rust]
        .into_iter()
        .map(|b| match concrete(b) {
            Ok(c) => BackendInfo {
                backend: b,
                name: c.name(),
                available: true,
                unavailable_reason: None,
                levels: c.levels(),
                chosen_by_auto: Some(c.name()) == auto,
                chosen_by_auto_for_compression: Some(c.name()) == auto_compress,
            },
            Err(e) => BackendInfo {
                backend: b,
                name: b.as_str(),
                available: false,
                unavailable_reason: Some(match e {
                    Error::BackendUnavailable { reason, .. } => reason,
                    _ => "unavailable",
                }),
                #[allow(clippy::reversed_empty_ranges)]
                levels: 1..=0,
                chosen_by_auto: false,
                chosen_by_auto_for_compression: false,
            },
        })
        .collect()
}
