//! lz4framed block backend (rust). Skeleton.
