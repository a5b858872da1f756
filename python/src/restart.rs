//! `RestartReader`: the content of a `.lz4` file read from a restart point of its seek index,
//! with nothing but the decoder's state there — the task side of `lz4framed.dask`.
//!
//! A task holds a decoder restored at a restart point (`SeekIndex.decompressor_at` on the
//! index cut down to that point) and a file object positioned at the point's compressed
//! offset. It reads the content in the sizes it asks for: each `read(n)` returns a bytes
//! object of `n` bytes that blocks are decoded straight into (through the frame decoder's
//! reusable buffers otherwise), so a split costs one output-sized allocation — which matters
//! in Dask's worker processes, whose `MALLOC_TRIM_THRESHOLD_` hands freed memory back to the
//! system at once, so that every fresh buffer is paid for in page faults. The compressed bytes
//! read from the file stop at a bound the caller sets and may raise (the end of a split's
//! compressed range, then, to find a delimiter, the end of the data).

use std::io::{Read, Take};

use lz4framed::{Error, FrameDecoder};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::new_bytes;
use crate::contexts::DecompressionContext;
use crate::errors::file_pyerr;
use crate::locked::Locked;
use crate::pyio::PyFile;

struct State {
    decoder: FrameDecoder<Take<PyFile>>,
    /// Frames of the file before the context's frame: added to the frame numbers of errors.
    frames_before: u64,
    /// Compressed offset in the file where reading started.
    start: u64,
    /// The bound reads were last given (`start` + the `Take` limit then).
    stop: u64,
}

/// RestartReader(file, context, stop)
///
/// The content of a `.lz4` file decoded by `context` (a DecompressionContext, e.g.
/// `SeekIndex.decompressor_at(i, header)`: copied, not consumed) from `file`, a binary file
/// object positioned at the context's compressed position (the restart point's
/// `compressed_offset`). At most up to compressed offset `stop` is read from the file
/// (reading ahead up to a block or 64 KiB short of it): the end of a split's range, or the
/// end of the data (without an embedded index after it); `stop` can be raised later. Frames
/// after the first are decoded as they come (skippable frames skipped). Reaching `stop` inside
/// a frame is the end of the data: `Lz4FramedEOFError`. `first_frame`: the file's number
/// (from 1, skippable frames not counted, as everywhere) of the frame the context is in, or
/// starts at its compressed position; error messages number frames as the file does from it.
/// (A context restored from an index cut down to one restart point counts frames from that
/// point's frame, as 1; the default keeps that.) ValueError for `stop` before the context's
/// position or `first_frame` < 1.
#[pyclass(module = "lz4framed", name = "RestartReader")]
pub struct RestartReader {
    state: Locked<State>,
}

#[pymethods]
impl RestartReader {
    #[new]
    #[pyo3(signature = (file, context, stop, first_frame=1))]
    fn new(
        py: Python<'_>,
        file: &Bound<'_, PyAny>,
        context: &Bound<'_, DecompressionContext>,
        stop: u64,
        first_frame: u64,
    ) -> PyResult<Self> {
        if first_frame == 0 {
            return Err(PyValueError::new_err(
                "first_frame is a frame number, from 1",
            ));
        }
        let decompressor = context.get().decompressor(py)?;
        let start = decompressor.compressed_position();
        if stop < start {
            return Err(PyValueError::new_err(format!(
                "stop {stop} is before the context's compressed position {start}"
            )));
        }
        let source = PyFile::new(file).take(stop - start);
        Ok(RestartReader {
            state: Locked::new(State {
                decoder: FrameDecoder::with_decompressor(source, decompressor),
                frames_before: first_frame - 1,
                start,
                stop,
            }),
        })
    }

    /// The compressed offset up to which the file may be read (see the class docs); setting
    /// it lower than what has been read already has no effect.
    #[getter]
    fn get_stop(&self, py: Python<'_>) -> PyResult<u64> {
        self.state.with(py, false, |st| st.stop)
    }

    #[setter]
    fn set_stop(&self, py: Python<'_>, stop: u64) -> PyResult<()> {
        self.state.with(py, false, |st| {
            let take = st.decoder.get_mut();
            let read = (st.stop - st.start) - take.limit();
            take.set_limit(stop.saturating_sub(st.start + read));
            st.stop = stop.max(st.start + read);
        })
    }

    /// read(size) -> bytes
    ///
    /// The next `size` bytes of content (fewer only at the end of the data; b"" there),
    /// decoded with the GIL released (it is taken for each call of the file object's `read`).
    /// Lz4FramedError for invalid data or a checksum mismatch, Lz4FramedEOFError when the data
    /// ends inside a frame; exceptions of the file object pass through.
    fn read<'py>(&self, py: Python<'py>, size: usize) -> PyResult<Bound<'py, PyBytes>> {
        let mut got = 0usize;
        let bytes = new_bytes(py, size, |buf| {
            self.state.with_detached(|st| {
                while got < buf.len() {
                    match st.decoder.read(&mut buf[got..]) {
                        Ok(0) => break,
                        Ok(n) => got += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(in_file_numbers(Error::from(e), st.frames_before)),
                    }
                }
                Ok(())
            })
        })?
        .map_err(|e| file_pyerr(py, e))?;
        if got == size {
            return Ok(bytes);
        }
        Ok(PyBytes::new(py, &bytes.as_bytes()[..got]))
    }
}

/// `e` with its frame numbers (and the count of frames before trailing data) counted in the
/// file: `before` frames precede the one the decoder counts as 1.
fn in_file_numbers(mut e: Error, before: u64) -> Error {
    match &mut e {
        Error::BlockTooLarge { frame, .. }
        | Error::BlockChecksum { frame, .. }
        | Error::ContentChecksum { frame, .. }
        | Error::ContentSizeMismatch { frame, .. }
        | Error::CorruptBlock { frame, .. }
        | Error::DictionaryMissing { frame, .. }
        | Error::DictionaryMismatch { frame, .. } => *frame += before,
        Error::TrailingData { frames, .. } => *frames += before,
        _ => {}
    }
    e
}
