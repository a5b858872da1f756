//! Where compressed bytes come from or go to: a file the module opened itself (by path; all
//! I/O in Rust, no GIL) or a Python file object ([`PyFile`]).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::pyio::PyFile;

/// A file by path or a Python file object. Clones share the underlying file and its
/// position.
pub enum Source {
    /// A file opened by this module.
    File(Arc<File>),
    /// A Python file object.
    Py(PyFile),
}

impl Source {
    /// A path (`str`, `bytes` or `os.PathLike`), or `None` for other objects.
    pub fn path_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<PathBuf>> {
        if obj.is_instance_of::<pyo3::types::PyString>()
            || obj.is_instance_of::<pyo3::types::PyBytes>()
            || obj.hasattr("__fspath__")?
        {
            let os = obj.py().import("os")?;
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                let b = os.call_method1("fsencode", (obj,))?;
                let b = b.cast::<pyo3::types::PyBytes>()?;
                return Ok(Some(PathBuf::from(std::ffi::OsStr::from_bytes(
                    b.as_bytes(),
                ))));
            }
            #[cfg(not(unix))]
            {
                let p = os.call_method1("fsdecode", (obj,))?;
                return Ok(Some(PathBuf::from(p.extract::<String>()?)));
            }
        }
        Ok(None)
    }

    /// Another handle on the same file.
    pub fn clone_handle(&self) -> Source {
        match self {
            Source::File(f) => Source::File(Arc::clone(f)),
            Source::Py(p) => Source::Py(p.clone_ref()),
        }
    }

    /// Whether the position can be moved.
    pub fn seekable(&self) -> bool {
        match self {
            Source::File(f) => (&**f).stream_position().is_ok(),
            Source::Py(p) => p.seekable(),
        }
    }

    /// The operating system's file descriptor, for files opened by path.
    pub fn fileno(&self) -> Option<i64> {
        match self {
            #[cfg(unix)]
            Source::File(f) => Some(std::os::unix::io::AsRawFd::as_raw_fd(&**f).into()),
            #[cfg(windows)]
            Source::File(f) => Some(std::os::windows::io::AsRawHandle::as_raw_handle(&**f) as i64),
            _ => None,
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::File(f) => (&**f).read(buf),
            Source::Py(p) => p.read(buf),
        }
    }
}

impl Write for Source {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Source::File(f) => (&**f).write(buf),
            Source::Py(p) => p.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Source::File(f) => (&**f).flush(),
            Source::Py(p) => p.flush(),
        }
    }
}

impl Seek for Source {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Source::File(f) => (&**f).seek(pos),
            Source::Py(p) => p.seek(pos),
        }
    }
}
