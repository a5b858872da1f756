//! The block codecs every benchmark iterates over.

use lz4framed::BlockCodec;

/// Every block codec of this build that runs on this CPU, the C reference first.
///
/// It holds each available backend of [`lz4framed::backends`] once. Per-kernel codecs of the
/// SIMD backend (scalar, sse2, avx2, neon: each measured on its own, not only the one `Auto`
/// picks) are added by one line below once `lz4framed-backend-simd` exposes them; duplicates
/// (by name) are dropped.
pub fn codecs() -> Vec<&'static dyn BlockCodec> {
    let mut list: Vec<&'static dyn BlockCodec> = lz4framed::backends()
        .into_iter()
        .filter(|b| b.available)
        .filter_map(|b| b.backend.codec().ok())
        .collect();
    // SIMD kernels, once the crate exposes them (add `lz4framed-backend-simd` to bench/Cargo.toml):
    // list.extend(lz4framed_backend_simd::Kernel::ALL.into_iter().filter_map(lz4framed_backend_simd::codec).map(|c| c as &'static dyn BlockCodec));
    let mut seen = Vec::new();
    list.retain(|c| {
        let fresh = !seen.contains(&c.name());
        seen.push(c.name());
        fresh
    });
    // The reference first, then in the registry's order.
    list.sort_by_key(|c| c.name() != REFERENCE);
    list
}

/// Name of the reference codec every figure is compared to: the C library.
pub const REFERENCE: &str = "c";

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
    }
}
