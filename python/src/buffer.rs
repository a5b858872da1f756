//! Borrowing the bytes of any buffer-protocol object (`bytes`, `bytearray`, `memoryview`,
//! `array.array`, NumPy arrays, `mmap`, …) without copying them, for reading (input data) and
//! for writing (`readinto`).
//!
//! The buffer protocol entered the limited C API (abi3) only in Python 3.11, so PyO3 offers no
//! `PyBuffer` for an abi3-py39 build. The two functions used here, `PyObject_GetBuffer` and
//! `PyBuffer_Release`, and the `Py_buffer` struct have had the same signature and layout since
//! Python 3.3, and every CPython interpreter exports them, so they are declared here
//! ([`ffi`]) and resolved when the module is loaded — except on Windows, where an abi3 module
//! links against `python3.dll`, which exports them only from 3.11 on: there the bytes of
//! objects other than `bytes` are copied once through `memoryview(obj).tobytes()`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// The buffer protocol's C API, as CPython defines it (`Include/pybuffer.h`).
#[cfg(not(windows))]
#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
mod ffi {
    use pyo3::ffi::{PyObject, Py_ssize_t};
    use std::ffi::{c_char, c_int, c_void};

    /// `Py_buffer` (layout unchanged since Python 3.3).
    #[repr(C)]
    pub struct Py_buffer {
        pub buf: *mut c_void,
        pub obj: *mut PyObject,
        pub len: Py_ssize_t,
        pub itemsize: Py_ssize_t,
        pub readonly: c_int,
        pub ndim: c_int,
        pub format: *mut c_char,
        pub shape: *mut Py_ssize_t,
        pub strides: *mut Py_ssize_t,
        pub suboffsets: *mut Py_ssize_t,
        pub internal: *mut c_void,
    }

    /// A contiguous buffer of bytes, read-only or not.
    pub const PyBUF_SIMPLE: c_int = 0;
    /// A contiguous, writable buffer of bytes.
    pub const PyBUF_WRITABLE: c_int = 1;

    extern "C" {
        pub fn PyObject_GetBuffer(obj: *mut PyObject, view: *mut Py_buffer, flags: c_int) -> c_int;
        pub fn PyBuffer_Release(view: *mut Py_buffer);
    }
}

/// A held buffer export (released on drop).
#[cfg(not(windows))]
pub struct Export {
    /// Boxed: exporters may keep pointers into the struct, so its address must not change.
    view: Box<ffi::Py_buffer>,
}

#[cfg(not(windows))]
impl Export {
    /// Ask `obj` for a contiguous buffer (writable when `writable`). The exporter raises
    /// `TypeError` when it has no buffer, `BufferError` when it cannot give a contiguous (or
    /// writable) one.
    fn get(obj: &Bound<'_, PyAny>, writable: bool) -> PyResult<Export> {
        let mut view = Box::new(ffi::Py_buffer {
            buf: std::ptr::null_mut(),
            obj: std::ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: std::ptr::null_mut(),
            shape: std::ptr::null_mut(),
            strides: std::ptr::null_mut(),
            suboffsets: std::ptr::null_mut(),
            internal: std::ptr::null_mut(),
        });
        let flags = if writable {
            ffi::PyBUF_WRITABLE
        } else {
            ffi::PyBUF_SIMPLE
        };
        // SAFETY: `obj` is a valid object (we hold the GIL through `Bound`), `view` points to a
        // writable `Py_buffer` that outlives the export (it lives as long as `Export`, which
        // releases it in `drop`).
        let rc = unsafe { ffi::PyObject_GetBuffer(obj.as_ptr(), &mut *view, flags) };
        if rc != 0 {
            return Err(PyErr::fetch(obj.py()));
        }
        Ok(Export { view })
    }

    fn len(&self) -> usize {
        usize::try_from(self.view.len).unwrap_or(0)
    }

    fn slice(&self) -> &[u8] {
        let len = self.len();
        if len == 0 || self.view.buf.is_null() {
            return &[];
        }
        // SAFETY: a PyBUF_SIMPLE (or PyBUF_WRITABLE) request yields a contiguous buffer of
        // `len` bytes at `buf` (the protocol's contract), kept alive and in place (a bytearray
        // with an export refuses to resize) until `PyBuffer_Release` in `drop`; the slice
        // borrows `self`, so it cannot outlive the export. Another Python thread may change
        // the bytes while the GIL is released; as with CPython's zlib and bz2 modules, which
        // also release the GIL over a borrowed buffer, the result is then unspecified output
        // or an error, never an access outside the buffer (the codecs index within the slice
        // whatever its content).
        unsafe { std::slice::from_raw_parts(self.view.buf as *const u8, len) }
    }

    fn slice_mut(&mut self) -> &mut [u8] {
        let len = self.len();
        if len == 0 || self.view.buf.is_null() {
            return &mut [];
        }
        // SAFETY: as in `slice`; the export was requested writable (PyBUF_WRITABLE), and the
        // slice borrows `self` mutably, so this code makes no other reference to the memory.
        // Other Python code could touch it while the GIL is released, as with
        // `io.FileIO.readinto`; that races on the caller's own data but never reaches outside
        // the buffer.
        unsafe { std::slice::from_raw_parts_mut(self.view.buf as *mut u8, len) }
    }
}

#[cfg(not(windows))]
impl Drop for Export {
    fn drop(&mut self) {
        Python::attach(|_| {
            // SAFETY: `view` holds an export obtained by a successful PyObject_GetBuffer and
            // not yet released; the GIL is held.
            unsafe { ffi::PyBuffer_Release(&mut *self.view) }
        });
    }
}

/// Input data borrowed from a Python object for the duration of a call.
pub enum Input<'py> {
    /// A `bytes` object: immutable, read in place.
    Bytes(Bound<'py, PyBytes>),
    /// Any other object exporting a contiguous buffer; the export is held (so the object
    /// cannot be resized) until this value is dropped.
    #[cfg(not(windows))]
    Buffer(Export),
}

fn not_bytes_like(obj: &Bound<'_, PyAny>) -> PyErr {
    let name = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    PyTypeError::new_err(format!("a bytes-like object is required, not '{name}'"))
}

impl<'py> Input<'py> {
    /// Borrow `obj`'s bytes. `TypeError` for objects without the buffer protocol (`str`
    /// included, as the original library's `y#` argument format did), `BufferError` for
    /// buffers that are not contiguous.
    pub fn new(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Input::Bytes(b.clone()));
        }
        #[cfg(not(windows))]
        {
            Export::get(obj, false).map(Input::Buffer).map_err(|e| {
                if e.is_instance_of::<PyTypeError>(obj.py()) {
                    not_bytes_like(obj)
                } else {
                    e
                }
            })
        }
        #[cfg(windows)]
        {
            let py = obj.py();
            let mv = py
                .get_type::<pyo3::types::PyMemoryView>()
                .call1((obj,))
                .map_err(|e| {
                    if e.is_instance_of::<PyTypeError>(py) {
                        not_bytes_like(obj)
                    } else {
                        e
                    }
                })?;
            let b = mv.call_method0("tobytes")?;
            Ok(Input::Bytes(b.cast_into::<PyBytes>()?))
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Input::Bytes(b) => b.as_bytes(),
            #[cfg(not(windows))]
            Input::Buffer(e) => e.slice(),
        }
    }
}

/// A writable buffer borrowed from a Python object (`readinto`).
pub struct OutputBuffer<'py> {
    #[cfg(not(windows))]
    export: Export,
    #[cfg(windows)]
    target: Bound<'py, PyAny>,
    #[cfg(windows)]
    scratch: Vec<u8>,
    _py: std::marker::PhantomData<&'py ()>,
}

impl<'py> OutputBuffer<'py> {
    /// Borrow `obj`'s buffer for writing: `TypeError` for read-only or non-buffer objects,
    /// `BufferError` for buffers that are not contiguous.
    pub fn new(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        #[cfg(not(windows))]
        {
            let export = Export::get(obj, true).map_err(|e| {
                // A buffer that can be read but not written: TypeError, as io's readinto
                // raises for bytes.
                if Export::get(obj, false).is_ok() {
                    PyTypeError::new_err("readinto() argument must be a writable bytes-like object")
                } else {
                    e
                }
            })?;
            Ok(OutputBuffer {
                export,
                _py: std::marker::PhantomData,
            })
        }
        #[cfg(windows)]
        {
            let mv = obj
                .py()
                .get_type::<pyo3::types::PyMemoryView>()
                .call1((obj,))?;
            let n: usize = mv.getattr("nbytes")?.extract()?;
            Ok(OutputBuffer {
                target: mv,
                scratch: vec![0; n],
                _py: std::marker::PhantomData,
            })
        }
    }

    /// The bytes, for writing.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        #[cfg(not(windows))]
        {
            self.export.slice_mut()
        }
        #[cfg(windows)]
        {
            &mut self.scratch
        }
    }

    /// Make the first `n` bytes written visible in the object (a no-op where the buffer is
    /// written in place).
    pub fn commit(&mut self, n: usize) -> PyResult<()> {
        #[cfg(windows)]
        {
            let py = self.target.py();
            let data = PyBytes::new(py, &self.scratch[..n]);
            let cast = self.target.call_method1("cast", ("B",))?;
            cast.set_item(pyo3::types::PySlice::new(py, 0, n as isize, 1), data)?;
        }
        let _ = n;
        Ok(())
    }
}

/// A new `bytes` object of `len` bytes, filled by `fill` with the GIL released — zeroing the
/// memory included (`PyBytes::new_with` zeroes it holding the GIL, which for large outputs
/// would serialize threads that (de)compress at once). `fill`'s error is passed on (the object
/// is then dropped).
pub fn new_bytes<'py, E: Send>(
    py: Python<'py>,
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Result<(), E> + Send,
) -> PyResult<Result<Bound<'py, PyBytes>, E>> {
    let size = pyo3::ffi::Py_ssize_t::try_from(len)
        .map_err(|_| pyo3::exceptions::PyOverflowError::new_err("output too large"))?;
    // SAFETY: PyBytes_FromStringAndSize(NULL, n) allocates an uninitialised bytes object of n
    // bytes (or returns NULL with an exception set, which from_owned_ptr_or_err turns into an
    // error); we hold the GIL and own the new reference.
    let obj = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyBytes_FromStringAndSize(std::ptr::null(), size),
        )?
    };
    let obj = obj.cast_into::<PyBytes>()?;
    // SAFETY: the object is a bytes object (checked above); PyBytes_AsString returns its
    // buffer of `len` bytes (plus the terminating NUL), valid while the object lives.
    let ptr = unsafe { pyo3::ffi::PyBytes_AsString(obj.as_ptr()) } as usize;
    if ptr == 0 {
        return Err(PyErr::fetch(py));
    }
    let r = py.detach(move || {
        let p = ptr as *mut u8;
        // SAFETY: `p` is the buffer of the bytes object `obj`, which this function owns (its
        // only reference; no Python code can see it yet) and keeps alive until it returns, so
        // nothing else reads or writes these `len` bytes while the GIL is released. The
        // memory is zeroed before a slice over it is made, so the slice covers initialised
        // bytes only.
        let buf = unsafe {
            std::ptr::write_bytes(p, 0, len);
            std::slice::from_raw_parts_mut(p, len)
        };
        fill(buf)
    });
    Ok(r.map(|()| obj))
}

/// `data` as a new bytes object; large ones are copied with the GIL released.
pub fn to_bytes<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    if data.len() < crate::RELEASE_GIL_AT {
        return Ok(PyBytes::new(py, data));
    }
    new_bytes(py, data.len(), |buf| {
        buf.copy_from_slice(data);
        Ok::<(), std::convert::Infallible>(())
    })
    .map(|r| match r {
        Ok(b) => b,
        Err(never) => match never {},
    })
}
