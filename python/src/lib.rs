//! `lz4framed._lz4framed`: the native module of the Python package `lz4framed`.
//!
//! Thin bindings over the `lz4framed` crate; the Python files of the package hold what is
//! better written in Python (the original library's `Compressor` and `Decompressor` classes,
//! `LZ4FrameFile`, the command line). Layers:
//!
//! 1. the API of py-lz4framed_ph4 0.9.11 (plus py-lz4framed 0.14's `block_checksum` keyword and
//!    any-buffer input): [`oneshot`], [`contexts`], [`errors`];
//! 2. the file API's native reader and writer ([`reader`], [`writer`]) and the seek index
//!    ([`index`]);
//! 3. what `lz4framed.dask` adds: reading from one restart point ([`restart`]).
//!
//! Every call that (de)compresses more than a few KiB releases the GIL; input is borrowed from
//! any buffer-protocol object without a copy ([`buffer`]).
//!
//! `unsafe` code: only at the Python boundary ([`buffer`]: borrowing a `Py_buffer`'s memory),
//! each block with a `// SAFETY:` comment.

mod buffer;
mod checksum_state;
mod contexts;
mod errors;
mod index;
mod locked;
mod oneshot;
mod pyio;
mod reader;
mod restart;
mod settings;
mod source;
mod writer;

use pyo3::prelude::*;

/// Calls given at least this many bytes of input release the GIL (8 KiB, as the original
/// library did; decoding, which can expand input 255-fold, releases it from 1 KiB).
pub const RELEASE_GIL_AT: usize = 8 * 1024;

/// The C library's version as a string (`"1.10.0"`), from `LZ4_versionNumber`.
fn lz4_version_string() -> String {
    let n = lz4framed_backend_c::lz4_version();
    format!("{}.{}.{}", n / 10000, n / 100 % 100, n % 100)
}

#[pymodule]
fn _lz4framed(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("LZ4_VERSION", lz4_version_string())?;
    // LZ4F_VERSION of lz4frame.h: the frame API version, 100 in every LZ4 release.
    m.add("LZ4F_VERSION", 100)?;
    m.add("LZ4F_BLOCKSIZE_DEFAULT", settings::BLOCKSIZE_DEFAULT)?;
    m.add("LZ4F_BLOCKSIZE_MAX64KB", 4)?;
    m.add("LZ4F_BLOCKSIZE_MAX256KB", 5)?;
    m.add("LZ4F_BLOCKSIZE_MAX1MB", 6)?;
    m.add("LZ4F_BLOCKSIZE_MAX4MB", 7)?;
    m.add("LZ4F_COMPRESSION_MIN", settings::COMPRESSION_MIN)?;
    m.add("LZ4F_COMPRESSION_MIN_HC", settings::COMPRESSION_MIN_HC)?;
    m.add("LZ4F_COMPRESSION_MAX", settings::COMPRESSION_MAX)?;
    for (name, code) in errors::ERROR_CODES {
        m.add(format!("LZ4F_ERROR_{name}"), *code)?;
    }
    m.add("Lz4FramedError", py.get_type::<errors::Lz4FramedError>())?;
    m.add(
        "Lz4FramedNoDataError",
        py.get_type::<errors::Lz4FramedNoDataError>(),
    )?;
    m.add("Lz4FramedEOFError", errors::eof_error_type(py)?)?;
    m.add(
        "BACKEND",
        lz4framed::Backend::Auto
            .codec()
            .map(|c| c.name())
            .unwrap_or("none"),
    )?;

    m.add_function(wrap_pyfunction!(oneshot::compress, m)?)?;
    m.add_function(wrap_pyfunction!(oneshot::decompress, m)?)?;
    m.add_function(wrap_pyfunction!(oneshot::get_block_size, m)?)?;

    m.add_class::<contexts::CompressionContext>()?;
    m.add_class::<contexts::DecompressionContext>()?;
    m.add_function(wrap_pyfunction!(contexts::create_compression_context, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::create_decompression_context, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::compress_begin, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::compress_update, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::compress_end, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::decompress_update, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::get_frame_info, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::decompress_dump, m)?)?;
    m.add_function(wrap_pyfunction!(contexts::clone_decompression_context, m)?)?;
    m.add_function(wrap_pyfunction!(
        contexts::marshal_decompression_context,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(
        contexts::unmarshal_decompression_context,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(
        contexts::marshal_decompression_checksum_context,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(
        contexts::unmarshal_decompression_checksum_context,
        m
    )?)?;

    m.add_class::<reader::Reader>()?;
    m.add_class::<writer::Writer>()?;
    m.add_class::<index::PySeekIndex>()?;
    m.add_class::<index::RestartPoint>()?;
    m.add_class::<restart::RestartReader>()?;
    m.add_function(wrap_pyfunction!(index::build_index, m)?)?;
    m.add_function(wrap_pyfunction!(writer::release_buffers, m)?)?;
    Ok(())
}
