//! lz4framed facade.
