//! lz4framed block backend (c). Skeleton.
