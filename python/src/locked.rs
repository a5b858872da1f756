//! State shared by Python threads: a mutex taken without holding the GIL while waiting.
//!
//! Every native object of this module that has state (contexts, file readers and writers)
//! keeps it in a [`Locked`]. Two Python threads using one object at once take turns; a thread
//! waiting for the lock does not hold the GIL, so other Python threads run meanwhile (and the
//! thread holding the lock can take the GIL back when it needs it).

use std::sync::{Mutex, MutexGuard, TryLockError};

use pyo3::prelude::*;

use crate::errors::lz4_error;
use crate::errors::GENERIC;

/// A value behind a mutex.
#[derive(Debug, Default)]
pub struct Locked<T>(Mutex<T>);

impl<T: Send> Locked<T> {
    /// Wrap `value`.
    pub fn new(value: T) -> Self {
        Locked(Mutex::new(value))
    }

    /// Run `f` on the value. With `release_gil`, the GIL is released for the wait and for `f`;
    /// without it, `f` runs holding the GIL unless the lock is taken, in which case the wait and
    /// `f` run without it. A lock poisoned by a panic (a bug) is reported as an
    /// `Lz4FramedError`, not passed on.
    pub fn with<R: Send>(
        &self,
        py: Python<'_>,
        release_gil: bool,
        f: impl FnOnce(&mut T) -> R + Send,
    ) -> PyResult<R> {
        if !release_gil {
            match self.0.try_lock() {
                Ok(mut guard) => return Ok(f(&mut guard)),
                Err(TryLockError::Poisoned(_)) => return Err(poisoned()),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        py.detach(|| self.0.lock().map(|mut g| f(&mut g)).map_err(|_| ()))
            .map_err(|()| poisoned())
    }

    /// Run `f` on the value, on a thread that does not hold the GIL (inside `Python::detach`).
    /// A poisoned lock is `Error::InvalidState`.
    pub fn with_detached<R>(
        &self,
        f: impl FnOnce(&mut T) -> Result<R, lz4framed::Error>,
    ) -> Result<R, lz4framed::Error> {
        match self.0.lock() {
            Ok(mut g) => f(&mut g),
            Err(_) => Err(lz4framed::Error::InvalidState(POISONED)),
        }
    }

    /// The value, when no other thread holds it (for quick reads under the GIL).
    pub fn try_get(&self) -> PyResult<Option<MutexGuard<'_, T>>> {
        match self.0.try_lock() {
            Ok(g) => Ok(Some(g)),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Poisoned(_)) => Err(poisoned()),
        }
    }
}

const POISONED: &str = "this object is unusable: an earlier call on it failed inside the library";

fn poisoned() -> PyErr {
    lz4_error(POISONED, GENERIC)
}

/// Wait for a background thread of ours without holding the GIL, whether or not the calling
/// thread holds it: the background thread may need the GIL to use a Python file object, and a
/// drop (or close) can run with the GIL held. At interpreter shutdown (a file left open, closed
/// by its finalizer after the interpreter stopped accepting new threads) attaching is refused;
/// the calling thread then holds no GIL, and waits as it is.
pub fn join_detached<T: Send>(handle: std::thread::JoinHandle<T>) -> std::thread::Result<T> {
    let mut handle = Some(handle);
    let mut join = || handle.take().map(|h| h.join());
    if let Some(Some(joined)) = Python::try_attach(|py| py.detach(&mut join)) {
        return joined;
    }
    join().expect("the thread is joined once")
}
