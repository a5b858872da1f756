//! The original API's streaming functions and their contexts: `create_compression_context`,
//! `compress_begin/update/end`, `create_decompression_context`, `decompress_update`,
//! `get_frame_info`, `decompress_dump`, `clone_decompression_context` and the
//! (un)marshalling of decompression contexts and their content-checksum state.
//!
//! The original's contexts were PyCapsules; here they are objects of two classes,
//! `CompressionContext` and `DecompressionContext`. Passing the wrong kind of object (or
//! anything else) where a context is expected raises `ValueError('ctx invalid')`, as the
//! original did. A context may be used from several Python threads: calls on it take turns.

use lz4framed::{Compressor, Decompressor, Error};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::buffer::Input;
use crate::checksum_state;
use crate::errors::{self, lz4_error, Lz4FramedNoDataError, GENERIC, HEADER_INCOMPLETE};
use crate::locked::Locked;
use crate::settings::OriginalArgs;
use crate::RELEASE_GIL_AT;

/// The state of a compression context.
#[derive(Default)]
struct CompressState {
    /// The frame being written (None before the first `compress_begin`).
    compressor: Option<Compressor>,
    /// `compress_begin(autoflush=True)`: every update ends with a flush.
    autoflush: bool,
}

/// A compression context (what `create_compression_context()` returns).
#[pyclass(frozen, module = "lz4framed")]
pub struct CompressionContext {
    state: Locked<CompressState>,
}

/// A decompression context (what `create_decompression_context()` returns): a decoder at some
/// point of an input stream.
#[pyclass(frozen, module = "lz4framed")]
pub struct DecompressionContext {
    state: Locked<Decompressor>,
}

#[pymethods]
impl CompressionContext {
    fn __repr__(&self) -> String {
        "<lz4framed.CompressionContext>".to_string()
    }
}

impl DecompressionContext {
    /// A context holding `d` (e.g. a decoder restored at a restart point of a seek index).
    pub fn new(d: Decompressor) -> Self {
        DecompressionContext {
            state: Locked::new(d),
        }
    }

    /// A copy of the context's decoder.
    pub fn decompressor(&self, py: Python<'_>) -> PyResult<Decompressor> {
        self.state.with(py, true, |d| d.clone())
    }
}

#[pymethods]
impl DecompressionContext {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (pos, out) = self.state.with(py, false, |d| {
            (d.compressed_position(), d.decompressed_position())
        })?;
        Ok(format!(
            "<lz4framed.DecompressionContext at input byte {pos}, output byte {out}>"
        ))
    }
}

fn ctx_invalid() -> PyErr {
    PyValueError::new_err("ctx invalid")
}

fn compression_ctx<'a, 'py>(
    ctx: &'a Bound<'py, PyAny>,
) -> PyResult<&'a Bound<'py, CompressionContext>> {
    ctx.cast::<CompressionContext>().map_err(|_| ctx_invalid())
}

fn decompression_ctx<'a, 'py>(
    ctx: &'a Bound<'py, PyAny>,
) -> PyResult<&'a Bound<'py, DecompressionContext>> {
    ctx.cast::<DecompressionContext>()
        .map_err(|_| ctx_invalid())
}

/// create_compression_context() -> CompressionContext
///
/// A context for compress_begin(), compress_update() and compress_end().
#[pyfunction]
pub fn create_compression_context() -> CompressionContext {
    CompressionContext {
        state: Locked::new(CompressState::default()),
    }
}

/// create_decompression_context() -> DecompressionContext
///
/// A context for decompress_update() (and get_frame_info(), the marshal functions, …).
#[pyfunction]
pub fn create_decompression_context() -> DecompressionContext {
    DecompressionContext {
        state: Locked::new(Decompressor::new()),
    }
}

/// compress_begin(ctx, block_size_id=LZ4F_BLOCKSIZE_DEFAULT, block_mode_linked=True,
/// checksum=False, autoflush=False, level=LZ4F_COMPRESSION_MIN, block_checksum=False) -> bytes
///
/// Start a frame with these settings and return its header (7 bytes: no content size is
/// recorded). With autoflush, every compress_update() returns all it was given, compressed,
/// rather than waiting for a full block. Calling it again after compress_end() starts the next
/// frame; calling it on an open frame abandons that frame.
///
/// ValueError for an invalid context, block_size_id or level; TypeError for arguments of the
/// wrong type.
#[pyfunction]
#[pyo3(signature = (ctx, block_size_id=0, block_mode_linked=1, checksum=0, autoflush=0, level=0, block_checksum=0))]
#[allow(clippy::too_many_arguments)]
pub fn compress_begin<'py>(
    py: Python<'py>,
    ctx: &Bound<'py, PyAny>,
    block_size_id: i32,
    block_mode_linked: i32,
    checksum: i32,
    autoflush: i32,
    level: i32,
    block_checksum: i32,
) -> PyResult<Bound<'py, PyBytes>> {
    let ctx = compression_ctx(ctx)?;
    let settings = OriginalArgs {
        block_size_id,
        block_mode_linked,
        checksum,
        level,
        block_checksum,
    }
    .settings(None)?;
    let header = ctx
        .get()
        .state
        .with(py, false, |st| -> Result<Vec<u8>, Error> {
            let mut c = Compressor::with_settings(&settings)?;
            let mut header = Vec::with_capacity(15);
            c.begin(&mut header)?;
            st.compressor = Some(c);
            st.autoflush = autoflush != 0;
            Ok(header)
        })?;
    Ok(PyBytes::new(py, &header.map_err(errors::to_pyerr)?))
}

fn not_begun() -> Error {
    Error::InvalidState("compress_begin() has not been called on this context")
}

/// compress_update(ctx, b) -> bytes
///
/// Compress the bytes-like object `b` into the frame begun with compress_begin() and return
/// the compressed blocks completed (possibly none: input is gathered into whole blocks unless
/// autoflush was set). The GIL is released while compressing.
///
/// Lz4FramedNoDataError for empty `b` (handy to end a read loop), Lz4FramedError (code
/// LZ4F_ERROR_GENERIC) before compress_begin() or after compress_end(), ValueError for an
/// invalid context.
#[pyfunction]
pub fn compress_update<'py>(
    py: Python<'py>,
    ctx: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let input = Input::new(b)?;
    let ctx = compression_ctx(ctx)?;
    let data = input.as_slice();
    if data.is_empty() {
        return Err(Lz4FramedNoDataError::new_err(()));
    }
    // Input is gathered into whole blocks: a small update that completes a block (or any
    // update with autoflush) compresses a whole block, which is worth releasing the GIL for.
    let completes_block = ctx.get().state.with(py, false, |st| {
        st.compressor.as_ref().is_some_and(|c| {
            let bs = c.settings().get_block_size().bytes() as u64;
            st.autoflush || c.total_in() % bs + data.len() as u64 >= bs
        })
    })?;
    let out = ctx
        .get()
        .state
        .with(py, completes_block || data.len() >= RELEASE_GIL_AT, |st| {
            let autoflush = st.autoflush;
            let c = st
                .compressor
                .as_mut()
                .filter(|c| c.is_open())
                .ok_or_else(not_begun)?;
            let mut out = Vec::new();
            c.update(data, &mut out)?;
            if autoflush {
                c.flush(&mut out)?;
            }
            Ok(out)
        })?
        .map_err(errors::to_pyerr)?;
    Ok(PyBytes::new(py, &out))
}

/// compress_end(ctx) -> bytes
///
/// Compress what is pending, end the frame and return the rest of it (last block, end mark,
/// content checksum). The context can then begin another frame. Lz4FramedError when no frame
/// is open, ValueError for an invalid context.
#[pyfunction]
pub fn compress_end<'py>(
    py: Python<'py>,
    ctx: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let ctx = compression_ctx(ctx)?;
    // The last block (up to a block size of pending input) is compressed here.
    let out = ctx
        .get()
        .state
        .with(py, true, |st| {
            let c = st
                .compressor
                .as_mut()
                .filter(|c| c.is_open())
                .ok_or_else(not_begun)?;
            let mut out = Vec::new();
            c.end(&mut out)?;
            Ok(out)
        })?
        .map_err(errors::to_pyerr)?;
    Ok(PyBytes::new(py, &out))
}

/// decompress_update(ctx, b, chunk_len=65536) -> list
///
/// Decode the bytes-like object `b`, the next piece of the compressed stream (of any length:
/// partial blocks are kept in the context). Returns the decoded bytes as a list of chunks of
/// at most `chunk_len` bytes, followed by the input hint: how many bytes would complete the
/// unit being read (0 once every frame given so far is complete). Frames that follow each
/// other in the stream are all decoded. The GIL is released while decoding.
///
/// Lz4FramedNoDataError for empty `b`, ValueError for an invalid context or chunk_len,
/// Lz4FramedError(message, code) for invalid data (after which the context is spent).
#[pyfunction]
#[pyo3(signature = (ctx, b, chunk_len=65536))]
pub fn decompress_update<'py>(
    py: Python<'py>,
    ctx: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    chunk_len: i64,
) -> PyResult<Bound<'py, PyList>> {
    let input = Input::new(b)?;
    let ctx = decompression_ctx(ctx)?;
    let data = input.as_slice();
    if data.is_empty() {
        return Err(Lz4FramedNoDataError::new_err(()));
    }
    if chunk_len <= 0 {
        return Err(PyValueError::new_err("chunk_len invalid"));
    }
    let chunk_len = usize::try_from(chunk_len).unwrap_or(usize::MAX);
    let (out, hint) = ctx
        .get()
        .state
        .with(py, data.len() >= RELEASE_GIL_AT / 8, |d| {
            let mut out = Vec::new();
            d.decompress(data, &mut out).map(|s| (out, s.hint))
        })?
        .map_err(errors::to_pyerr)?;
    let list = PyList::empty(py);
    for chunk in out.chunks(chunk_len) {
        list.append(PyBytes::new(py, chunk))?;
    }
    list.append(hint)?;
    Ok(list)
}

/// get_frame_info(ctx) -> dict
///
/// The header of the frame being decoded (or of the last one): a dict with `input_hint` (as
/// decompress_update() returns it), `length` (the recorded content size, 0 when none),
/// `block_size_id` (LZ4F_BLOCKSIZE_*), `block_mode_linked` and `checksum` (content checksum).
/// Lz4FramedError with code LZ4F_ERROR_frameHeader_incomplete before the header has been
/// read; ValueError for an invalid context.
#[pyfunction]
pub fn get_frame_info<'py>(
    py: Python<'py>,
    ctx: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let ctx = decompression_ctx(ctx)?;
    let (info, hint) = ctx
        .get()
        .state
        .with(py, false, |d| (d.frame_info().cloned(), d.hint()))?;
    let info = info.ok_or_else(|| {
        lz4_error(
            "the frame header has not been read yet (give decompress_update() more data)",
            HEADER_INCOMPLETE,
        )
    })?;
    let dict = PyDict::new(py);
    dict.set_item("input_hint", hint)?;
    dict.set_item("length", info.content_size.unwrap_or(0))?;
    // A legacy frame has no block size ID; its 8 MiB blocks are closest to the 4 MiB ID.
    dict.set_item("block_size_id", info.block_size.map_or(7, |b| b.id()))?;
    dict.set_item(
        "block_mode_linked",
        info.block_mode == lz4framed::BlockMode::Linked,
    )?;
    dict.set_item("checksum", info.content_checksum)?;
    Ok(dict)
}

/// decompress_dump(ctx) -> None
///
/// Write the state of a decompression context to sys.stderr (for debugging).
#[pyfunction]
pub fn decompress_dump(py: Python<'_>, ctx: &Bound<'_, PyAny>) -> PyResult<()> {
    let ctx = decompression_ctx(ctx)?;
    let text = ctx.get().state.with(py, false, |d| {
        format!(
            "StateDump: codec={} input_position={} output_position={} frame={} \
             at_block_boundary={} input_hint={} frame_info={:?}\n",
            d.codec_name(),
            d.compressed_position(),
            d.decompressed_position(),
            d.frame_number(),
            d.at_block_boundary(),
            d.hint(),
            d.frame_info(),
        )
    })?;
    py.import("sys")?
        .getattr("stderr")?
        .call_method1("write", (text,))?;
    Ok(())
}

/// clone_decompression_context(ctx) -> DecompressionContext
///
/// An independent copy of a decompression context: decoding can go on from the same point in
/// both (e.g. to retry after a failure). ValueError for an invalid context.
#[pyfunction]
pub fn clone_decompression_context(
    py: Python<'_>,
    ctx: &Bound<'_, PyAny>,
) -> PyResult<DecompressionContext> {
    let ctx = decompression_ctx(ctx)?;
    // A copy of up to a block of pending data and the 64 KiB window.
    let d = ctx.get().state.with(py, true, |d| d.clone())?;
    Ok(DecompressionContext {
        state: Locked::new(d),
    })
}

/// marshal_decompression_context(ctx) -> bytes
///
/// The whole state of a decompression context as bytes (a checkpoint: positions, the frame
/// header, the running content checksum, any partial block and, in linked-block frames, the
/// 64 KiB window stored compressed), valid at any point of the stream. At a block boundary of
/// an independent-block frame it is a few dozen bytes. Restore it with
/// unmarshal_decompression_context() and feed the stream from where it was taken.
#[pyfunction]
pub fn marshal_decompression_context<'py>(
    py: Python<'py>,
    ctx: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let ctx = decompression_ctx(ctx)?;
    let bytes = ctx.get().state.with(py, true, |d| d.checkpoint())?;
    Ok(PyBytes::new(py, &bytes))
}

/// unmarshal_decompression_context(ctx) -> DecompressionContext
///
/// A decompression context from marshal_decompression_context() bytes (any bytes-like
/// object). Bytes that are not such a state — damaged, truncated, tampered with — raise
/// Lz4FramedError naming what is wrong; they never yield an inconsistent decoder.
#[pyfunction]
pub fn unmarshal_decompression_context(
    py: Python<'_>,
    ctx: &Bound<'_, PyAny>,
) -> PyResult<DecompressionContext> {
    let input = Input::new(ctx)?;
    let bytes = input.as_slice();
    let d = py
        .detach(|| Decompressor::from_checkpoint(bytes))
        .map_err(errors::to_pyerr)?;
    Ok(DecompressionContext {
        state: Locked::new(d),
    })
}

/// marshal_decompression_checksum_context(ctx) -> bytes
///
/// The running content checksum (XXH32 state) of a decompression context, as 48 bytes (see
/// unmarshal_decompression_checksum_context()). A context that keeps no content checksum —
/// between frames, or in a frame without one — gives an "absent" state.
#[pyfunction]
pub fn marshal_decompression_checksum_context<'py>(
    py: Python<'py>,
    ctx: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let ctx = decompression_ctx(ctx)?;
    let bytes = ctx
        .get()
        .state
        .with(py, true, |d| checksum_state::marshal(d))?
        .map_err(errors::to_pyerr)?;
    Ok(PyBytes::new(py, &bytes))
}

/// unmarshal_decompression_checksum_context(ctx, checksum) -> None
///
/// Replace the running content checksum of a decompression context with one from
/// marshal_decompression_checksum_context(). Lz4FramedError when `checksum` is not such a
/// state (wrong length, magic or version, inconsistent lengths) or when it does not fit the
/// context (a state where the context keeps none, or the reverse). The lanes of the hash are
/// not checked: a wrong state is found when the frame's content checksum does not match.
#[pyfunction]
#[pyo3(signature = (ctx, checksum))]
pub fn unmarshal_decompression_checksum_context(
    py: Python<'_>,
    ctx: &Bound<'_, PyAny>,
    checksum: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let ctx = decompression_ctx(ctx)?;
    let input = Input::new(checksum)?;
    let bytes = input.as_slice();
    let state = checksum_state::parse(bytes).map_err(|why| lz4_error(why, GENERIC))?;
    ctx.get()
        .state
        .with(py, true, |d| checksum_state::apply(d, &state))?
        .map_err(errors::to_pyerr)
}
