//! lz4framed benchmarks. Skeleton until the bench issue.
