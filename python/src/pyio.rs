//! A Python file object as `io::Read + io::Write + io::Seek`, usable from any thread: every
//! call takes the GIL for the duration of one method call of the object (`read`, `write`,
//! `seek`, `flush`). A Python exception raised by the object travels inside the `io::Error`
//! and is raised again unchanged when it reaches Python ([`crate::errors::io_to_pyerr`]).

use std::io::{self, Read, Seek, SeekFrom, Write};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::Input;
use crate::errors::py_io_error;

/// A Python binary file object (anything with `read` or `write`, and `seek`/`tell` for
/// random access).
pub struct PyFile {
    obj: Py<PyAny>,
}

impl PyFile {
    /// Wrap `obj`.
    pub fn new(obj: &Bound<'_, PyAny>) -> Self {
        PyFile {
            obj: obj.clone().unbind(),
        }
    }

    /// Another handle on the same object (shares its position).
    pub fn clone_ref(&self) -> Self {
        Python::attach(|py| PyFile {
            obj: self.obj.clone_ref(py),
        })
    }

    /// Call the object. At interpreter shutdown, when the interpreter no longer lets this
    /// thread in (a background thread of an object finalized then), an error rather than a
    /// panic.
    fn call<R>(&self, f: impl FnOnce(&Bound<'_, PyAny>) -> PyResult<R>) -> io::Result<R> {
        Python::try_attach(|py| f(self.obj.bind(py)).map_err(py_io_error)).unwrap_or_else(|| {
            Err(io::Error::other(
                "the Python interpreter is shutting down: the file object cannot be used",
            ))
        })
    }

    /// `obj.seekable()` (False when the object has no such method or it fails).
    pub fn seekable(&self) -> bool {
        self.call(|o| {
            if !o.hasattr("seekable")? {
                return Ok(false);
            }
            o.call_method0("seekable")?.is_truthy()
        })
        .unwrap_or(false)
    }
}

fn would_block() -> io::Error {
    io::Error::new(
        io::ErrorKind::WouldBlock,
        "the file object is non-blocking and has no data ready (its read() returned None)",
    )
}

impl Read for PyFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.call(|o| {
            let data = o.call_method1("read", (buf.len(),))?;
            if data.is_none() {
                return Ok(Err(would_block()));
            }
            let input = Input::new(&data)?;
            let bytes = input.as_slice();
            if bytes.len() > buf.len() {
                return Err(PyTypeError::new_err(format!(
                    "the file object's read({}) returned {} bytes",
                    buf.len(),
                    bytes.len()
                )));
            }
            buf[..bytes.len()].copy_from_slice(bytes);
            Ok(Ok(bytes.len()))
        })?
    }
}

impl Write for PyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.call(|o| {
            let n = o.call_method1("write", (PyBytes::new(o.py(), buf),))?;
            if n.is_none() {
                // Binary files return the length written. Many file-like objects return None
                // (a write() that appends to a list, a web framework's response): bz2, gzip,
                // lzma and python-lz4 ignore write()'s result, and so everything was written.
                // (Only a raw non-blocking file returns None for "nothing written", and those
                // four lose data on one as well.)
                return Ok(Ok(buf.len()));
            }
            let n: usize = n.extract()?;
            Ok(Ok(n.min(buf.len())))
        })?
    }

    fn flush(&mut self) -> io::Result<()> {
        self.call(|o| {
            if o.hasattr("flush")? {
                o.call_method0("flush")?;
            }
            Ok(())
        })
    }
}

impl Seek for PyFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let (offset, whence): (i128, i32) = match pos {
            SeekFrom::Start(n) => (n.into(), 0),
            SeekFrom::Current(n) => (n.into(), 1),
            SeekFrom::End(n) => (n.into(), 2),
        };
        self.call(|o| o.call_method1("seek", (offset, whence))?.extract::<u64>())
    }
}
