//! Exceptions, and how an [`lz4framed::Error`] becomes one.
//!
//! Every data error is raised as `Lz4FramedError(message, code)`: `message` is the library's own
//! message (what is wrong and where, e.g. `content checksum mismatch in frame 1 at offset 3712`)
//! and `code` the number the C library's `LZ4F_getErrorCode` would give for the same failure.
//! The numbers are those of LZ4 1.7.5, the library py-lz4framed_ph4 0.9.11 was built on: a
//! corrupt block or a block larger than the frame allows is `LZ4F_ERROR_GENERIC` there (later
//! LZ4 versions have codes of their own for them), as the original's tests expect.

use std::io;
use std::path::Path;

use lz4framed::Error;
use pyo3::create_exception;
use pyo3::exceptions::{PyEOFError, PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

create_exception!(
    lz4framed,
    Lz4FramedError,
    PyException,
    "Raised when LZ4 data or a request is invalid. `args` are (message, code): the message says \
     what is wrong and where; the code is one of the LZ4F_ERROR_* constants."
);
create_exception!(
    lz4framed,
    Lz4FramedNoDataError,
    PyException,
    "Raised by compress(), compress_update(), decompress() and decompress_update() when the data \
     given is empty, and by Decompressor when its file object returns no more data before the \
     frame is complete."
);

/// The error codes of the C library's frame API (`LZ4F_errorCodes`, LZ4 1.7.5 names and
/// numbers), as `(name without the LZ4F_ERROR_ prefix, number)`.
pub const ERROR_CODES: &[(&str, u32)] = &[
    ("GENERIC", 1),
    ("maxBlockSize_invalid", 2),
    ("blockMode_invalid", 3),
    ("contentChecksumFlag_invalid", 4),
    ("compressionLevel_invalid", 5),
    ("headerVersion_wrong", 6),
    ("blockChecksum_unsupported", 7),
    // The name LZ4 1.8 (py-lz4framed 0.14) gives the same number.
    ("blockChecksum_invalid", 7),
    ("reservedFlag_set", 8),
    ("allocation_failed", 9),
    ("srcSize_tooLarge", 10),
    ("dstMaxSize_tooSmall", 11),
    ("frameHeader_incomplete", 12),
    ("frameType_unknown", 13),
    ("frameSize_wrong", 14),
    ("srcPtr_wrong", 15),
    ("decompressionFailed", 16),
    ("headerChecksum_invalid", 17),
    ("contentChecksum_invalid", 18),
    ("frameDecoding_alreadyStarted", 19),
];

/// `LZ4F_ERROR_GENERIC`.
pub const GENERIC: u32 = 1;
/// `LZ4F_ERROR_compressionLevel_invalid`.
pub const LEVEL_INVALID: u32 = 5;
/// `LZ4F_ERROR_frameHeader_incomplete`.
pub const HEADER_INCOMPLETE: u32 = 12;

/// The `LZ4F_ERROR_*` number for an error (see the module docs for the choice).
pub fn code(e: &Error) -> u32 {
    match e {
        Error::Truncated { context, .. } if context.contains("descriptor") => HEADER_INCOMPLETE,
        Error::BadMagic { .. } => 13,
        Error::ReservedBitSet { .. } => 8,
        Error::UnsupportedVersion { .. } => 6,
        Error::InvalidBlockSizeId { .. } => 2,
        Error::HeaderChecksum { .. } => 17,
        Error::BlockChecksum { .. } => 7,
        Error::ContentChecksum { .. } => 18,
        Error::ContentSizeMismatch { .. } => 14,
        Error::UnsupportedLevel { .. } => LEVEL_INVALID,
        _ => GENERIC,
    }
}

/// `Lz4FramedError((message, code))`.
pub fn lz4_error(message: impl Into<String>, code: u32) -> PyErr {
    Lz4FramedError::new_err((message.into(), code))
}

/// The exception for a library error in the original API and the one-shot functions. Errors
/// of an underlying Python file object come back as they were raised.
pub fn to_pyerr(e: Error) -> PyErr {
    match e {
        Error::Io(io) => io_to_pyerr(io),
        Error::InvalidSettings(ref why) => PyValueError::new_err(why.clone()),
        e => lz4_error(e.to_string(), code(&e)),
    }
}

/// The state error of a file used after close() (a `ValueError`, as `io` raises).
pub const CLOSED: &str = "I/O operation on closed file";

/// The exception for a library error in the file API: as [`to_pyerr`], except that input
/// ending inside a frame raises `Lz4FramedEOFError`, which is both an `Lz4FramedError` and an
/// `EOFError` (as `bz2` and `lzma` raise `EOFError`), and a closed file `ValueError`.
pub fn file_pyerr(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::InvalidState(CLOSED) => PyValueError::new_err(CLOSED),
        Error::Truncated { .. } => match eof_error_type(py) {
            Ok(t) => PyErr::from_type(t.clone(), (e.to_string(), code(&e))),
            Err(err) => err,
        },
        e => to_pyerr(e),
    }
}

/// An `io::Error` as a Python exception: a Python exception raised by a file object travels
/// inside the `io::Error` ([`py_io_error`]) and is restored; a library error inside it becomes
/// `Lz4FramedError`; anything else becomes `OSError`.
pub fn io_to_pyerr(e: io::Error) -> PyErr {
    if e.get_ref().is_some_and(|i| i.is::<PyErr>()) {
        let inner = e.into_inner().expect("checked above");
        return *inner.downcast::<PyErr>().expect("checked above");
    }
    if e.get_ref().is_some_and(|i| i.is::<Error>()) {
        let inner = e.into_inner().expect("checked above");
        return to_pyerr(*inner.downcast::<Error>().expect("checked above"));
    }
    os_error(e, None)
}

/// An operating-system error as Python's own I/O raises it: `OSError(errno, strerror[,
/// filename])`, which Python turns into the subclass for the errno (`FileNotFoundError`,
/// `PermissionError`, …) with `errno`, `strerror` and `filename` set. An error without an
/// errno becomes the `OSError` subclass for its kind, with the message only.
pub fn os_error(e: io::Error, path: Option<&Path>) -> PyErr {
    let Some(errno) = e.raw_os_error() else {
        return PyErr::from(e);
    };
    let text = e.to_string();
    // Rust's message is the C library's strerror() followed by " (os error N)".
    let strerror = text
        .split(" (os error ")
        .next()
        .unwrap_or_default()
        .to_string();
    match path {
        Some(p) => PyOSError::new_err((errno, strerror, p.to_string_lossy().into_owned())),
        None => PyOSError::new_err((errno, strerror)),
    }
}

/// An `io::Error` carrying a Python exception, so that it survives a trip through the
/// library's `io::Read`/`io::Write` plumbing.
pub fn py_io_error(e: PyErr) -> io::Error {
    io::Error::other(e)
}

static EOF_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `Lz4FramedEOFError`, a subclass of both `Lz4FramedError` and `EOFError`, created on first
/// use (`create_exception!` allows one base class only).
pub fn eof_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    EOF_ERROR
        .get_or_try_init(py, || -> PyResult<Py<PyType>> {
            let bases = PyTuple::new(
                py,
                [
                    py.get_type::<Lz4FramedError>().into_any(),
                    py.get_type::<PyEOFError>().into_any(),
                ],
            )?;
            let ns = PyDict::new(py);
            ns.set_item("__module__", "lz4framed")?;
            ns.set_item(
                "__doc__",
                "Raised by the file API when the compressed data ends inside a frame, after \
                 every complete block has been read out. An Lz4FramedError (args are (message, \
                 code)) and an EOFError.",
            )?;
            let t = py
                .get_type::<PyType>()
                .call1(("Lz4FramedEOFError", bases, ns))?;
            Ok(t.cast_into::<PyType>()?.unbind())
        })
        .map(|t| t.bind(py))
}
