//! The native reader behind `LZ4FrameFile` in read mode.
//!
//! Three ways of decoding, chosen per file and switched between as the file is used:
//!
//! - **stream** ([`FrameDecoder`]): any source, no index; seeking forward decodes and discards,
//!   seeking backward restarts from the beginning of the data (as `bz2` does);
//! - **indexed** ([`SeekableReader`]): a file with a seek index (embedded, sidecar, or given);
//!   a seek decodes from the nearest restart point: at most one block of an independent-block
//!   frame, at most one restart interval of a linked one;
//! - **pipeline**: with more than one thread, reading from the start goes through the
//!   library's parallel decoders on a background thread (`decompress_to` from the index's
//!   restart points for an indexed file opened by path, else `decompress_stream`, which
//!   decodes the blocks of independent-block frames in parallel). A seek away from the current
//!   position ends the pipeline (the indexed reader takes over, or the stream restarts).
//!
//! Reads are served from a read-ahead buffer (small reads, lines, `peek`) or decoded straight
//! into the caller's buffer (large `readinto`). When the data turns out truncated or corrupt
//! after some bytes of a read were produced, the read returns those bytes and the error is
//! raised by the next read — so every complete block is delivered before the error.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use lz4framed::index::{SeekIndex, SeekableReader};
use lz4framed::{Decompressor, Error, FrameDecoder};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::{new_bytes, to_bytes, OutputBuffer};
use crate::errors::{file_pyerr, CLOSED};
use crate::index::{find_embedded, find_for_path, PySeekIndex};
use crate::locked::{join_detached, Locked};
use crate::pyio::PyFile;
use crate::source::Source;

/// Size of the read-ahead buffer (and of the pieces the pipeline passes on).
const READ_AHEAD: usize = 1 << 20;
/// Pieces in flight between the pipeline thread and the reader.
const PIPELINE_DEPTH: usize = 4;

/// A message from the pipeline thread.
enum Msg {
    Data(Vec<u8>),
    End(Result<(), Error>),
}

/// The `io::Write` end of the pipeline: gathers output into pieces and sends them.
struct ChannelWriter {
    tx: SyncSender<Msg>,
    piece: Vec<u8>,
    stop: Arc<AtomicBool>,
}

impl ChannelWriter {
    fn send_piece(&mut self) -> std::io::Result<()> {
        if self.piece.is_empty() {
            return Ok(());
        }
        let piece = std::mem::take(&mut self.piece);
        self.tx
            .send(Msg::Data(piece))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "reader closed"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "reader closed",
            ));
        }
        self.piece.extend_from_slice(buf);
        if self.piece.len() >= READ_AHEAD {
            self.send_piece()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the pipeline thread decodes.
enum Job {
    /// A stream read from the start.
    Stream(Source),
    /// An indexed file read at its restart points.
    Indexed(Arc<std::fs::File>, Arc<SeekIndex>),
}

/// Decoding on a background thread (see the module docs).
struct Pipeline {
    rx: Option<Receiver<Msg>>,
    piece: Vec<u8>,
    at: usize,
    done: bool,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Pipeline {
    fn start(job: Job, threads: usize) -> Result<Pipeline, Error> {
        let (tx, rx) = sync_channel(PIPELINE_DEPTH);
        let stop = Arc::new(AtomicBool::new(false));
        let mut w = ChannelWriter {
            tx,
            piece: Vec::new(),
            stop: Arc::clone(&stop),
        };
        let handle = std::thread::Builder::new()
            .name("lz4framed-reader".into())
            .spawn(move || {
                let r = match job {
                    Job::Stream(src) => lz4framed::parallel::decompress_stream(
                        src,
                        &mut w,
                        Decompressor::new(),
                        threads,
                    )
                    .map(|_| ()),
                    Job::Indexed(file, index) => {
                        lz4framed::parallel::decompress_to(&*file, &index, threads, None, &mut w)
                            .map(|_| ())
                    }
                };
                // Whatever was decoded before an error is delivered before the error.
                let r = match w.send_piece() {
                    Ok(()) => r,
                    Err(_) => return,
                };
                let _ = w.tx.send(Msg::End(r));
            })?;
        Ok(Pipeline {
            rx: Some(rx),
            piece: Vec::new(),
            at: 0,
            done: false,
            stop,
            handle: Some(handle),
        })
    }

    fn read(&mut self, out: &mut [u8]) -> Result<usize, Error> {
        loop {
            if self.at < self.piece.len() {
                let n = out.len().min(self.piece.len() - self.at);
                out[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.done || out.is_empty() {
                return Ok(0);
            }
            let msg = self.rx.as_ref().map(|rx| rx.recv());
            match msg {
                Some(Ok(Msg::Data(v))) => {
                    self.piece = v;
                    self.at = 0;
                }
                Some(Ok(Msg::End(r))) => {
                    self.done = true;
                    r?;
                }
                _ => {
                    self.done = true;
                    return Err(Error::InvalidState(
                        "the decoding thread ended without a result",
                    ));
                }
            }
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        drop(self.rx.take());
        if let Some(h) = self.handle.take() {
            let _ = join_detached(h);
        }
    }
}

/// How the data is being decoded.
enum Mode {
    /// Nothing decoded yet: the first read picks the way.
    Fresh,
    Stream(Box<FrameDecoder<Source>>),
    Indexed(Box<SeekableReader<Source>>),
    Pipeline(Box<Pipeline>),
}

/// The reader's state (behind the object's lock).
struct State {
    /// A handle on the source (for restarts; the decoders hold their own).
    source: Source,
    /// Offset in the source where the compressed data starts.
    start: u64,
    seekable: bool,
    index: Option<Arc<SeekIndex>>,
    threads: usize,
    mode: Mode,
    /// Decompressed bytes taken out of `mode` so far (its position).
    mode_pos: u64,
    /// Read-ahead: `buf[lo..hi]` are the decompressed bytes just before `mode_pos`.
    buf: Vec<u8>,
    lo: usize,
    hi: usize,
    /// An error met after the bytes of a read were produced: raised by the next read.
    pending: Option<Error>,
    closed: bool,
}

impl State {
    fn pos(&self) -> u64 {
        self.mode_pos - (self.hi - self.lo) as u64
    }

    fn buffered(&self) -> &[u8] {
        &self.buf[self.lo..self.hi]
    }

    fn check_open(&self) -> Result<(), Error> {
        if self.closed {
            Err(Error::InvalidState(CLOSED))
        } else {
            Ok(())
        }
    }

    fn take_pending(&mut self) -> Result<(), Error> {
        self.check_open()?;
        match self.pending.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The indexed reader, created on first use.
    fn indexed(&mut self) -> Result<&mut SeekableReader<Source>, Error> {
        if !matches!(self.mode, Mode::Indexed(_)) {
            let index = self
                .index
                .as_ref()
                .ok_or(Error::InvalidState("no seek index"))?;
            let r = SeekableReader::with_index(self.source.clone_handle(), (**index).clone())?;
            self.mode = Mode::Indexed(Box::new(r));
        }
        match &mut self.mode {
            Mode::Indexed(r) => Ok(r),
            _ => unreachable!("set above"),
        }
    }

    /// Start decoding at decompressed offset 0.
    fn start(&mut self) -> Result<(), Error> {
        self.mode = Mode::Fresh; // ends a running pipeline first
        self.mode_pos = 0;
        self.lo = 0;
        self.hi = 0;
        if self.threads > 1 {
            let job = match (&self.source, &self.index) {
                (Source::File(f), Some(ix)) => Job::Indexed(Arc::clone(f), Arc::clone(ix)),
                _ => {
                    let mut s = self.source.clone_handle();
                    if self.seekable {
                        s.seek(SeekFrom::Start(self.start))?;
                    }
                    Job::Stream(s)
                }
            };
            self.mode = Mode::Pipeline(Box::new(Pipeline::start(job, self.threads)?));
        } else if self.index.is_some() {
            self.indexed()?.seek(SeekFrom::Start(0))?;
        } else {
            let mut s = self.source.clone_handle();
            if self.seekable {
                s.seek(SeekFrom::Start(self.start))?;
            }
            self.mode = Mode::Stream(Box::new(FrameDecoder::new(s)));
        }
        Ok(())
    }

    /// Decode into `out` from the current mode; 0 at the end of the data.
    fn mode_read(&mut self, out: &mut [u8]) -> Result<usize, Error> {
        if matches!(self.mode, Mode::Fresh) {
            self.start()?;
        }
        let n = match &mut self.mode {
            Mode::Stream(d) => d.read(out).map_err(Error::from)?,
            Mode::Indexed(r) => r.read(out).map_err(Error::from)?,
            Mode::Pipeline(p) => p.read(out)?,
            Mode::Fresh => 0,
        };
        self.mode_pos += n as u64;
        Ok(n)
    }

    /// Refill the read-ahead buffer (when empty); false at the end of the data.
    fn refill(&mut self) -> Result<bool, Error> {
        if self.lo < self.hi {
            return Ok(true);
        }
        if self.buf.len() < READ_AHEAD {
            self.buf.resize(READ_AHEAD, 0);
        }
        let mut buf = std::mem::take(&mut self.buf);
        let r = self.mode_read(&mut buf);
        self.buf = buf;
        self.lo = 0;
        self.hi = r?;
        Ok(self.hi > 0)
    }

    /// Fill `out` (until it is full or the data ends); see the module docs for errors.
    fn read_into(&mut self, out: &mut [u8]) -> Result<usize, Error> {
        self.take_pending()?;
        let mut n = 0;
        while n < out.len() {
            // Some(k): k more bytes in `out` (0: the read-ahead buffer was refilled);
            // None: the end of the data.
            let step = if self.lo < self.hi {
                let k = (out.len() - n).min(self.hi - self.lo);
                out[n..n + k].copy_from_slice(&self.buf[self.lo..self.lo + k]);
                self.lo += k;
                Ok(Some(k))
            } else if out.len() - n >= READ_AHEAD {
                self.mode_read(&mut out[n..]).map(|k| (k > 0).then_some(k))
            } else {
                self.refill().map(|more| more.then_some(0))
            };
            match step {
                Ok(Some(k)) => n += k,
                Ok(None) => break,
                Err(e) if n > 0 => {
                    self.pending = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// Up to `size` bytes, for sizes too large to allocate up front.
    fn read_up_to(&mut self, size: usize) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        while out.len() < size {
            let len = out.len();
            let grow = (size - len).min(READ_AHEAD.max(len));
            out.resize(len + grow, 0);
            match self.read_into(&mut out[len..]) {
                Ok(k) => {
                    out.truncate(len + k);
                    if k < grow {
                        break;
                    }
                }
                Err(e) if len > 0 => {
                    out.truncate(len);
                    self.pending = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Everything to the end of the data. An error loses what this call read.
    fn read_all(&mut self) -> Result<Vec<u8>, Error> {
        self.take_pending()?;
        let known = self
            .index
            .as_ref()
            .map(|i| i.decompressed_size().saturating_sub(self.pos()) as usize);
        let mut out = Vec::with_capacity(known.unwrap_or(0).saturating_add(1));
        out.extend_from_slice(self.buffered());
        self.lo = self.hi;
        loop {
            if out.capacity() - out.len() < READ_AHEAD / 4 {
                out.reserve(READ_AHEAD.max(out.len() / 2));
            }
            let len = out.len();
            out.resize(out.capacity(), 0);
            match self.mode_read(&mut out[len..]) {
                Ok(0) => {
                    out.truncate(len);
                    return Ok(out);
                }
                Ok(k) => out.truncate(len + k),
                Err(e) => return Err(e),
            }
        }
    }

    /// Up to `size` bytes from what one decoding step yields (`read1`).
    fn read_some(&mut self, size: usize) -> Result<Vec<u8>, Error> {
        self.take_pending()?;
        if size == 0 || !self.refill()? {
            return Ok(Vec::new());
        }
        let k = size.min(self.hi - self.lo);
        let v = self.buf[self.lo..self.lo + k].to_vec();
        self.lo += k;
        Ok(v)
    }

    /// A line (up to and including b'\n'), at most `limit` bytes.
    fn read_line(&mut self, limit: Option<usize>) -> Result<Vec<u8>, Error> {
        self.take_pending()?;
        let mut line = Vec::new();
        loop {
            let want = limit.map_or(usize::MAX, |l| l - line.len());
            if want == 0 {
                return Ok(line);
            }
            match self.refill() {
                Ok(false) => return Ok(line),
                Ok(true) => {}
                Err(e) if !line.is_empty() => {
                    self.pending = Some(e);
                    return Ok(line);
                }
                Err(e) => return Err(e),
            }
            let avail = &self.buf[self.lo..self.hi];
            let scan = &avail[..avail.len().min(want)];
            match scan.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    line.extend_from_slice(&scan[..=i]);
                    self.lo += i + 1;
                    return Ok(line);
                }
                None => {
                    line.extend_from_slice(scan);
                    self.lo += scan.len();
                }
            }
        }
    }

    /// A line, if the read-ahead buffer holds all of it (no decoding, so no GIL release).
    fn buffered_line(&mut self, limit: Option<usize>) -> Option<Vec<u8>> {
        if self.closed || self.pending.is_some() {
            return None;
        }
        let avail = self.buffered();
        let scan = &avail[..avail.len().min(limit.unwrap_or(usize::MAX))];
        let end = match scan.iter().position(|&b| b == b'\n') {
            Some(i) => i + 1,
            None if limit.is_some_and(|l| l <= avail.len()) => scan.len(),
            None => return None,
        };
        let line = scan[..end].to_vec();
        self.lo += end;
        Some(line)
    }

    /// The decompressed size when known without decoding (an index).
    fn known_size(&self) -> Option<u64> {
        self.index.as_ref().map(|i| i.decompressed_size())
    }

    fn seek(&mut self, target: u64) -> Result<u64, Error> {
        self.check_open()?;
        self.pending = None;
        let target = match self.known_size() {
            Some(len) => target.min(len),
            None => target,
        };
        // Inside the read-ahead buffer (which holds the bytes just before `mode_pos`).
        let buf_start = self.mode_pos - self.hi as u64;
        if (buf_start..=self.mode_pos).contains(&target) {
            self.lo = (target - buf_start) as usize;
            return Ok(target);
        }
        self.lo = 0;
        self.hi = 0;
        if self.index.is_some() {
            let r = self.indexed()?;
            r.seek(SeekFrom::Start(target))?;
            self.mode_pos = target;
            return Ok(target);
        }
        if target < self.mode_pos {
            self.start()?;
        }
        // Decode forward to `target` (or the end of the data).
        let mut scratch = vec![0u8; READ_AHEAD.min((target - self.mode_pos) as usize).max(1)];
        while self.mode_pos < target {
            let want = ((target - self.mode_pos) as usize).min(scratch.len());
            if self.mode_read(&mut scratch[..want])? == 0 {
                break;
            }
        }
        Ok(self.mode_pos)
    }

    /// The decompressed size, decoding to the end if it is not known (for `seek(0, 2)`).
    fn size(&mut self) -> Result<u64, Error> {
        if let Some(n) = self.known_size() {
            return Ok(n);
        }
        let here = self.pos();
        let end = self.seek(u64::MAX)?;
        self.seek(here)?;
        Ok(end)
    }

    fn close(&mut self) {
        self.mode = Mode::Fresh;
        self.closed = true;
        self.buf = Vec::new();
        self.lo = 0;
        self.hi = 0;
    }
}

/// The native reader of `LZ4FrameFile` (read mode): decompressed bytes of a `.lz4` file or
/// file object, every frame in order. Methods follow `io.BufferedReader`; see
/// `lz4framed.LZ4FrameFile` for the user-facing documentation.
#[pyclass(frozen, module = "lz4framed._lz4framed")]
pub struct Reader {
    state: Locked<State>,
    fileno: Option<i64>,
    index: Option<Py<PySeekIndex>>,
}

#[pymethods]
impl Reader {
    /// Reader(file, threads=1, index=None)
    ///
    /// `file`: a path (opened and read in Rust) or a binary file object with `read` (and
    /// `seek`/`tell` for seeking; reading starts at its current position). `threads`: 0 = all
    /// cores, 1 = this thread only. `index`: None = use the file's index if it has one
    /// (embedded, or for a path the sidecar `PATH.idx`), False = none, or a SeekIndex.
    #[new]
    #[pyo3(signature = (file, threads=1, index=None))]
    fn new(
        py: Python<'_>,
        file: &Bound<'_, PyAny>,
        threads: i64,
        index: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Reader> {
        let (given, no_index): (Option<Arc<SeekIndex>>, bool) = match index {
            None => (None, false),
            Some(i) if i.is_none() => (None, false),
            Some(i) if i.is_instance_of::<PySeekIndex>() => (
                Some(Arc::clone(&i.cast::<PySeekIndex>()?.get().index)),
                false,
            ),
            Some(i) if i.is_instance_of::<pyo3::types::PyBool>() && !i.is_truthy()? => (None, true),
            Some(_) => {
                return Err(PyValueError::new_err(
                    "index must be None, False or a SeekIndex",
                ))
            }
        };
        let threads = crate::settings::threads(threads)?;
        let path = Source::path_of(file)?;
        let mut source = match &path {
            Some(p) => {
                let f = std::fs::File::open(p).map_err(|e| path_error(e, p))?;
                if f.metadata().is_ok_and(|m| m.is_dir()) {
                    // What open() raises for a directory (Linux opens one for reading, and
                    // only the first read fails).
                    let eisdir: i32 = py.import("errno")?.getattr("EISDIR")?.extract()?;
                    return Err(path_error(std::io::Error::from_raw_os_error(eisdir), p));
                }
                Source::File(Arc::new(f))
            }
            None => {
                if !file.hasattr("read")? {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "file must be a path or a binary file object with read()",
                    ));
                }
                Source::Py(PyFile::new(file))
            }
        };
        let seekable = source.seekable();
        let (start, index) = py
            .detach(|| -> Result<(u64, Option<SeekIndex>), Error> {
                let start = if seekable {
                    source.stream_position()?
                } else {
                    0
                };
                let found = if no_index || !seekable {
                    None
                } else if let Some(i) = &given {
                    i.verify_file(&mut source)?;
                    None
                } else if let (Some(p), Source::File(f)) = (&path, &source) {
                    find_for_path(p, &mut &**f)?
                } else if start == 0 {
                    find_embedded(&mut source)?
                } else {
                    None
                };
                if seekable {
                    source.seek(SeekFrom::Start(start))?;
                }
                Ok((start, found))
            })
            .map_err(|e| file_pyerr(py, e))?;
        let index = given.or(index.map(Arc::new));
        let fileno = source.fileno();
        let py_index = match &index {
            Some(i) => Some(Py::new(
                py,
                PySeekIndex {
                    index: Arc::clone(i),
                },
            )?),
            None => None,
        };
        Ok(Reader {
            state: Locked::new(State {
                source,
                start,
                seekable,
                index,
                threads,
                mode: Mode::Fresh,
                mode_pos: 0,
                buf: Vec::new(),
                lo: 0,
                hi: 0,
                pending: None,
                closed: false,
            }),
            fileno,
            index: py_index,
        })
    }

    /// readinto(b) -> int: fill the writable buffer `b`; fewer bytes only at the end of the
    /// data (or before an error, which the next read raises).
    fn readinto(&self, py: Python<'_>, b: &Bound<'_, PyAny>) -> PyResult<usize> {
        let mut out = OutputBuffer::new(b)?;
        let slice = out.as_mut_slice();
        let n = self
            .state
            .with(py, true, |st| st.read_into(slice))?
            .map_err(|e| file_pyerr(py, e))?;
        out.commit(n)?;
        Ok(n)
    }

    /// read(size=-1) -> bytes: `size` bytes (fewer at the end), or everything to the end for
    /// a negative size.
    #[pyo3(signature = (size=-1))]
    fn read<'py>(&self, py: Python<'py>, size: Option<i64>) -> PyResult<Bound<'py, PyBytes>> {
        let size = size.unwrap_or(-1);
        if size < 0 {
            let v = self
                .state
                .with(py, true, |st| st.read_all())?
                .map_err(|e| file_pyerr(py, e))?;
            return to_bytes(py, &v);
        }
        let size = size as usize;
        if let Some(mut st) = self.state.try_get()? {
            if st.pending.is_none() && !st.closed && st.hi - st.lo >= size {
                let lo = st.lo;
                st.lo += size;
                return Ok(PyBytes::new(py, &st.buf[lo..lo + size]));
            }
        }
        // Not more than what is left (when known), so that read(huge) allocates nothing big.
        let known = self.state.with(py, false, |st| {
            st.known_size()
                .map(|n| size.min(n.saturating_sub(st.pos()) as usize))
        })?;
        let cap = match known {
            Some(0) => return Ok(PyBytes::new(py, b"")),
            Some(n) => n,
            None if size <= 16 << 20 => size,
            None => {
                let v = self
                    .state
                    .with(py, true, |st| st.read_up_to(size))?
                    .map_err(|e| file_pyerr(py, e))?;
                return to_bytes(py, &v);
            }
        };
        let mut got = 0usize;
        let bytes = new_bytes(py, cap, |buf| {
            self.state
                .with_detached(|st| st.read_into(buf))
                .map(|n| got = n)
        })?
        .map_err(|e| file_pyerr(py, e))?;
        if got == cap {
            return Ok(bytes);
        }
        Ok(PyBytes::new(py, &bytes.as_bytes()[..got]))
    }

    /// read1(size=-1) -> bytes: at most `size` bytes from one decoding step (or what is
    /// buffered); b'' only at the end.
    #[pyo3(signature = (size=-1))]
    fn read1<'py>(&self, py: Python<'py>, size: Option<i64>) -> PyResult<Bound<'py, PyBytes>> {
        let size = match size.unwrap_or(-1) {
            n if n < 0 => usize::MAX,
            n => n as usize,
        };
        let v = self
            .state
            .with(py, true, |st| st.read_some(size))?
            .map_err(|e| file_pyerr(py, e))?;
        to_bytes(py, &v)
    }

    /// readline(size=-1) -> bytes: up to and including the next b'\n' (at most `size` bytes).
    #[pyo3(signature = (size=-1))]
    fn readline<'py>(&self, py: Python<'py>, size: Option<i64>) -> PyResult<Bound<'py, PyBytes>> {
        let limit = match size.unwrap_or(-1) {
            n if n < 0 => None,
            n => Some(n as usize),
        };
        if let Some(mut st) = self.state.try_get()? {
            if let Some(line) = st.buffered_line(limit) {
                return Ok(PyBytes::new(py, &line));
            }
        }
        let v = self
            .state
            .with(py, true, |st| st.read_line(limit))?
            .map_err(|e| file_pyerr(py, e))?;
        to_bytes(py, &v)
    }

    /// peek(size=0) -> bytes: buffered bytes from the current position without moving it (at
    /// least one unless at the end).
    #[pyo3(signature = (size=0))]
    fn peek<'py>(&self, py: Python<'py>, size: i64) -> PyResult<Bound<'py, PyBytes>> {
        let _ = size;
        let v = self
            .state
            .with(py, true, |st| -> Result<Vec<u8>, Error> {
                st.take_pending()?;
                st.refill()?;
                Ok(st.buffered().to_vec())
            })?
            .map_err(|e| file_pyerr(py, e))?;
        to_bytes(py, &v)
    }

    /// seek(offset, whence=0) -> int: move to a decompressed position (whence 0: from the
    /// start, 1: from the current position, 2: from the end; past the end means the end,
    /// before the start the start, as `bz2`, `lzma`, `gzip` and `lz4.frame` file objects do).
    #[pyo3(signature = (offset, whence=0))]
    fn seek(&self, py: Python<'_>, offset: i64, whence: i32) -> PyResult<u64> {
        if !self.seekable(py)? {
            return Err(unsupported("the underlying file is not seekable"));
        }
        let r = self
            .state
            .with(py, true, |st| -> Result<Option<u64>, Error> {
                let base = match whence {
                    0 => 0,
                    1 => st.pos(),
                    2 => st.size()?,
                    _ => return Ok(None),
                };
                let target = (base as i128 + offset as i128).clamp(0, u64::MAX as i128);
                st.seek(target as u64).map(Some)
            })?;
        match r.map_err(|e| file_pyerr(py, e))? {
            Some(p) => Ok(p),
            None => Err(PyValueError::new_err(format!(
                "invalid whence {whence} for seek (0: from the start, 1: from the current \
                 position, 2: from the end)"
            ))),
        }
    }

    /// tell() -> int: the current decompressed position.
    fn tell(&self, py: Python<'_>) -> PyResult<u64> {
        self.state.with(py, false, |st| st.pos())
    }

    /// Whether seek() works: the source is seekable (positions come from the index when
    /// there is one, else by decoding).
    fn seekable(&self, py: Python<'_>) -> PyResult<bool> {
        self.state.with(py, false, |st| st.seekable)
    }

    /// The seek index in use (None: seeking decodes from the start or onward).
    #[getter]
    fn index(&self, py: Python<'_>) -> Option<Py<PySeekIndex>> {
        self.index.as_ref().map(|i| i.clone_ref(py))
    }

    /// The file descriptor, for files opened by path.
    fn fileno(&self) -> PyResult<i64> {
        self.fileno
            .ok_or_else(|| unsupported("the underlying file object has no file descriptor here"))
    }

    /// Release the decoder, its threads and (for a path) the file.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.state.with(py, true, |st| st.close())
    }

    /// Whether close() was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyResult<bool> {
        self.state.with(py, false, |st| st.closed)
    }
}

fn unsupported(why: &str) -> PyErr {
    Python::attach(|py| {
        match py
            .import("io")
            .and_then(|io| io.getattr("UnsupportedOperation"))
        {
            Ok(t) => PyErr::from_type(t.cast_into().expect("a type"), why.to_string()),
            Err(e) => e,
        }
    })
}

/// An OSError naming the path (errno, strerror and filename set, as `open()` raises it).
pub fn path_error(e: std::io::Error, path: &std::path::Path) -> PyErr {
    crate::errors::os_error(e, Some(path))
}
