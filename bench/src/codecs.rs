//! The block codecs every benchmark iterates over.

use lz4framed::codec::BlockCodec;

use crate::anchor;

/// Every block codec of this build that runs on this CPU, the anchor first: the bare C
/// functions ([`anchor::BARE_C`], the reference of every block-level figure), the codec of each
/// available backend ([`backend_codecs`], the C backend among them) and then every SIMD kernel
/// this CPU runs (scalar, sse2, avx2, neon: each measured on its own, not only the one `Auto`
/// picks). Duplicates (by name) are dropped, so the backend's own SIMD kernel appears once.
pub fn codecs() -> Vec<&'static dyn BlockCodec> {
    let mut list = anchored(backend_codecs());
    // Per-kernel codecs of backend-simd; another family of codecs is one more line like this.
    list.extend(
        lz4framed_backend_simd::Kernel::ALL
            .into_iter()
            .filter_map(lz4framed_backend_simd::codec)
            .map(|c| c as &'static dyn BlockCodec),
    );
    dedup(list)
}

/// [`anchor::BARE_C`] followed by `list`.
pub fn anchored(list: Vec<&'static dyn BlockCodec>) -> Vec<&'static dyn BlockCodec> {
    let mut all: Vec<&'static dyn BlockCodec> = vec![&anchor::BARE_C];
    all.extend(list);
    dedup(all)
}

/// The codec of each available backend of [`lz4framed::backends`] (what `Backend::C`,
/// `Backend::Rust`, `Backend::Simd` resolve to on this CPU), the C backend first.
pub fn backend_codecs() -> Vec<&'static dyn BlockCodec> {
    dedup(
        lz4framed::backends()
            .into_iter()
            .filter(|b| b.available)
            .filter_map(|b| b.backend.codec().ok())
            .collect(),
    )
}

/// Whether `codec` is what a backend of [`lz4framed::backends`] resolves to (rather than a
/// SIMD kernel the dispatcher would not pick on this CPU).
pub fn is_backend_codec(codec: &dyn BlockCodec) -> bool {
    backend_codecs().iter().any(|c| c.name() == codec.name())
}

fn dedup(mut list: Vec<&'static dyn BlockCodec>) -> Vec<&'static dyn BlockCodec> {
    let mut seen = Vec::new();
    list.retain(|c| {
        let fresh = !seen.contains(&c.name());
        seen.push(c.name());
        fresh
    });
    // The anchor, then the C backend, then in the registry's order (stable sort).
    list.sort_by_key(|c| (c.name() != REFERENCE, c.name() != "c"));
    list
}

/// Name of the reference codec every block-level figure is compared to: the bare C functions
/// ([`anchor::NAME`]).
pub const REFERENCE: &str = anchor::NAME;

/// Position of the reference codec in `list`, if it is there.
pub fn reference_index(list: &[&'static dyn BlockCodec]) -> Option<usize> {
    list.iter().position(|c| c.name() == REFERENCE)
}

/// The compression levels the benchmarks measure: 1 (fast) and the HC levels 3, 6, 9, 12.
pub const LEVELS: [i32; 5] = [1, 3, 6, 9, 12];

/// The levels of [`LEVELS`] that `codec` supports.
pub fn levels_of(codec: &dyn BlockCodec) -> Vec<i32> {
    LEVELS
        .into_iter()
        .filter(|l| codec.levels().contains(l))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_first_and_unique() {
        let list = codecs();
        assert!(!list.is_empty());
        assert_eq!(reference_index(&list), Some(0));
        let mut names: Vec<_> = list.iter().map(|c| c.name()).collect();
        names.dedup();
        assert_eq!(names.len(), list.len());
        assert!(levels_of(list[0]).contains(&1));
        assert!(backend_codecs().len() < list.len());
        assert!(list.iter().any(|c| c.name() == "simd-scalar"));
        assert!(!is_backend_codec(list[0]));
        assert_eq!(list[1].name(), "c");
        assert!(is_backend_codec(list[1]));
        assert_eq!(anchored(backend_codecs())[0].name(), REFERENCE);
    }
}
