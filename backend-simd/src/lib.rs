//! lz4framed block backend (simd). Skeleton.
