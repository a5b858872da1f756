//! One-shot functions of the original API: `compress`, `decompress`, `get_block_size`.

use std::cell::RefCell;
use std::io::Read;

use lz4framed::{Compressor, Decompressor, Error, FrameDecoder, FrameSettings};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::{new_bytes, to_bytes, Input};
use crate::errors::{self, Lz4FramedNoDataError};
use crate::settings::{self, OriginalArgs};
use crate::RELEASE_GIL_AT;

/// The largest output, decoded straight into the returned bytes object, that a frame header
/// may size. That buffer is zeroed before decoding (touching every page), so its size must be
/// believable before the blocks are checked: a declared content size up to 16 times the input
/// (LZ4 seldom does better) or 1 MiB is taken. Larger claims — LZ4 can reach 255-fold — are
/// decoded into memory that grows as the data decodes, then copied; a small hostile input
/// claiming terabytes costs nothing.
pub fn direct_output_limit(input_len: usize) -> u64 {
    let at_most = (input_len as u64)
        .saturating_mul(255)
        .saturating_add(1 << 16);
    (input_len as u64)
        .saturating_mul(16)
        .max(1 << 20)
        .min(at_most)
}

/// compress(b, block_size_id=LZ4F_BLOCKSIZE_DEFAULT, block_mode_linked=True, checksum=False,
/// level=LZ4F_COMPRESSION_MIN, block_checksum=False) -> bytes
///
/// Compress the bytes-like object `b` into one LZ4 frame that records its size. Levels below
/// LZ4F_COMPRESSION_MIN_HC (3) use the fast compressor, 3..12 high compression. As the C
/// library does, the block size shrinks to the smallest that holds `b`, and blocks are
/// independent when one holds it all.
///
/// `threads` (keyword only; not in the original): 1 (default) compresses on the calling thread,
/// 0 on all cores, N on N threads (at most 200) — the input is cut into 4 MiB chunks compressed in parallel
/// (linked chunks get the 64 KiB before them as history, as `lz4 -T` does).
///
/// Raises Lz4FramedNoDataError for empty input, ValueError for an invalid block_size_id or
/// level, TypeError for arguments of the wrong type. The GIL is released while compressing.
#[pyfunction]
#[pyo3(signature = (b, block_size_id=0, block_mode_linked=1, checksum=0, level=0, block_checksum=0, *, threads=1))]
#[allow(clippy::too_many_arguments)]
pub fn compress<'py>(
    py: Python<'py>,
    b: &Bound<'py, PyAny>,
    block_size_id: i32,
    block_mode_linked: i32,
    checksum: i32,
    level: i32,
    block_checksum: i32,
    threads: i64,
) -> PyResult<Bound<'py, PyBytes>> {
    let input = Input::new(b)?;
    let data = input.as_slice();
    if data.is_empty() {
        return Err(Lz4FramedNoDataError::new_err(()));
    }
    let settings = OriginalArgs {
        block_size_id,
        block_mode_linked,
        checksum,
        level,
        block_checksum,
    }
    .settings(Some(data.len()))?;
    let threads = crate::settings::threads(threads)?;
    if threads > 1 && data.len() > lz4framed::parallel::CHUNK_SIZE {
        let out = py
            .detach(|| lz4framed::parallel::compress(data, &settings, threads))
            .map_err(errors::to_pyerr)?;
        return to_bytes(py, &out);
    }
    let run = || compress_reusing(data, &settings);
    let done = if data.len() >= RELEASE_GIL_AT {
        py.detach(run)
    } else {
        run()
    }
    .map_err(errors::to_pyerr)?;
    let bytes = to_bytes(py, &done.out)?;
    done.keep();
    Ok(bytes)
}

/// A compressor and output buffer kept per thread by [`compress_reusing`].
struct Reused {
    settings: FrameSettings,
    compressor: Compressor,
    out: Vec<u8>,
}

thread_local! {
    static REUSED: RefCell<Option<Reused>> = const { RefCell::new(None) };
}

/// Output buffers larger than this are not kept for the next call.
const KEEP_OUTPUT: usize = 32 << 20;

impl Reused {
    /// Keep this compressor and buffer for the thread's next call.
    fn keep(self) {
        if self.out.capacity() <= KEEP_OUTPUT {
            REUSED.with(|r| *r.borrow_mut() = Some(self));
        }
    }
}

/// Compress `data` into one frame (content size recorded), as `lz4framed::compress_with`
/// does, reusing the thread's compressor and output buffer when the settings are those of its
/// last call: repeated calls then allocate (and fault in) no block scratch, match tables or
/// output pages — which, with several Python threads compressing at once, would also contend
/// for the process's memory-map lock.
fn compress_reusing(data: &[u8], settings: &FrameSettings) -> Result<Reused, Error> {
    let kept = REUSED
        .with(|r| r.borrow_mut().take())
        .filter(|r| r.settings == *settings);
    let mut r = match kept {
        Some(r) => r,
        None => Reused {
            settings: settings.clone(),
            compressor: Compressor::with_settings(settings)?,
            out: Vec::new(),
        },
    };
    let blocks = data.len() / settings.get_block_size().bytes() + 1;
    r.out.clear();
    r.out
        .reserve(lz4framed::codec::compress_bound(data.len()) + 4 * blocks + 32);
    r.compressor
        .begin_with_size(Some(data.len() as u64), &mut r.out)?;
    r.compressor.update(data, &mut r.out)?;
    r.compressor.end(&mut r.out)?;
    Ok(r)
}

/// What decoding into a buffer of the declared content size found.
enum Direct {
    /// The buffer holds the whole content.
    Done,
    /// More output follows (concatenated frames): decode the general way.
    MoreOutput,
}

/// Decode all of `data` into `buf`, which is exactly the first frame's declared content size;
/// on `threads` threads when more than one.
fn decode_into(data: &[u8], buf: &mut [u8], threads: usize) -> Result<Direct, Error> {
    if threads > 1 {
        let len = buf.len();
        let mut rest: &mut [u8] = buf;
        return match lz4framed::parallel::decompress_stream(
            data,
            &mut rest,
            Decompressor::new(),
            threads,
        ) {
            Ok((_, summary)) if summary.bytes_out == len as u64 => Ok(Direct::Done),
            Ok(_) => Ok(Direct::MoreOutput),
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::WriteZero => {
                Ok(Direct::MoreOutput)
            }
            Err(e) => Err(e),
        };
    }
    let mut dec = FrameDecoder::with_buffer(data);
    dec.read_exact(buf).map_err(Error::from)?;
    let mut probe = [0u8; 1];
    match dec.read(&mut probe).map_err(Error::from)? {
        0 => Ok(Direct::Done),
        _ => Ok(Direct::MoreOutput),
    }
}

/// decompress(b, buffer_size=1024) -> bytes
///
/// Decompress every frame in the bytes-like object `b` (concatenated frames in order,
/// skippable frames skipped, legacy frames decoded — the original stopped after the first
/// frame). When the first frame records its size, the output is decoded straight into the
/// returned bytes object. `buffer_size` (> 0) is accepted for compatibility; output buffers
/// are sized from the data.
///
/// `threads` (keyword only; not in the original): 1 (default) decodes on the calling thread,
/// 0 on all cores, N on N threads (at most 200): the blocks of independent-block frames (the `lz4` tool's
/// default) are decoded in parallel; linked-block frames need each block's predecessor and are
/// decoded in order whatever `threads` says.
///
/// Raises Lz4FramedNoDataError for empty input, ValueError('frame incomplete: …') when the
/// input ends inside a frame, Lz4FramedError(message, code) for invalid data. The GIL is
/// released while decoding.
#[pyfunction]
#[pyo3(signature = (b, buffer_size=1024, *, threads=1))]
pub fn decompress<'py>(
    py: Python<'py>,
    b: &Bound<'py, PyAny>,
    buffer_size: i32,
    threads: i64,
) -> PyResult<Bound<'py, PyBytes>> {
    let input = Input::new(b)?;
    let data = input.as_slice();
    if data.is_empty() {
        return Err(Lz4FramedNoDataError::new_err(()));
    }
    if buffer_size <= 0 {
        return Err(PyValueError::new_err(format!(
            "buffer_size ({buffer_size}) invalid"
        )));
    }
    let release = data.len() >= RELEASE_GIL_AT / 8;
    // The first frame's header, for its content size. An incomplete header is the original's
    // Lz4FramedError(LZ4F_ERROR_frameHeader_incomplete); input that ends elsewhere (say,
    // inside a skippable frame) is left to the decoder, which names the place.
    let info = match lz4framed::frame_info(data) {
        Ok(info) => Some(info),
        Err(Error::Truncated { context, .. }) if !context.contains("descriptor") => None,
        Err(e) => return Err(errors::to_pyerr(e)),
    };
    // Threads pay off from a few blocks on, for frames whose blocks are independent (the
    // blocks of a linked frame are decoded in order whatever the thread count).
    let independent = info
        .as_ref()
        .is_some_and(|i| i.block_mode == lz4framed::BlockMode::Independent);
    let threads = match crate::settings::threads(threads)? {
        n if n > 1 && independent && data.len() >= 1 << 20 => n,
        _ => 1,
    };
    if let Some(size) = info
        .as_ref()
        .and_then(|i| i.content_size)
        .filter(|&s| s > 0 && s <= direct_output_limit(data.len()))
    {
        let mut outcome = Direct::Done;
        let bytes = new_bytes(py, size as usize, |buf| {
            decode_into(data, buf, threads).map(|o| outcome = o)
        })?
        .map_err(decode_error)?;
        if let Direct::Done = outcome {
            return Ok(bytes);
        }
    }
    let run = || {
        if threads > 1 {
            lz4framed::parallel::decompress_stream(data, Vec::new(), Decompressor::new(), threads)
                .map(|(v, _)| v)
        } else {
            lz4framed::decompress(data)
        }
    };
    let out = if release { py.detach(run) } else { run() }.map_err(decode_error)?;
    to_bytes(py, &out)
}

/// The original's errors for one-shot decoding: input that ends inside a frame is
/// `ValueError('frame incomplete')` (our message follows), the rest `Lz4FramedError`.
fn decode_error(e: Error) -> PyErr {
    match e {
        Error::Truncated { .. } => PyValueError::new_err(format!("frame incomplete: {e}")),
        e => errors::to_pyerr(e),
    }
}

/// get_block_size(id=LZ4F_BLOCKSIZE_DEFAULT) -> int
///
/// The block size in bytes for an LZ4F_BLOCKSIZE_* id (e.g. from get_frame_info()).
/// ValueError for other ids.
#[pyfunction]
#[pyo3(signature = (id=0))]
pub fn get_block_size(id: i32) -> PyResult<usize> {
    settings::block_size(id)
        .map(|b| b.bytes())
        .ok_or_else(|| PyValueError::new_err(format!("id ({id}) invalid")))
}
