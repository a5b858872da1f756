//! The native writer behind `LZ4FrameFile` in write mode: everything written becomes one LZ4
//! frame, optionally followed by an embedded seek index.
//!
//! With one thread the frame is compressed as data arrives ([`FrameEncoder`], or
//! [`SeekableEncoder`] when an index is asked for). With more, the data goes through a channel
//! to a background thread running the library's parallel compressor
//! (`lz4framed::parallel::compress_stream`, which also records the index), and `write` only
//! copies it into 4 MiB pieces. Errors of the background thread (including the file object's)
//! are raised by the next `write` or by `close`.

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Read, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use lz4framed::index::IndexOptions;
use lz4framed::index::SeekableEncoder;
use lz4framed::{BlockMode, BlockSize, Compressor, Error, FrameEncoder, FrameSettings};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::buffer::Input;
use crate::errors::{file_pyerr, CLOSED};
use crate::locked::{join_detached, Locked};
use crate::pyio::PyFile;
use crate::reader::path_error;
use crate::source::Source;
use crate::RELEASE_GIL_AT;

/// Pieces handed to the compressing thread (its chunk size).
const PIECE: usize = lz4framed::parallel::CHUNK_SIZE;
/// Pieces in flight.
const DEPTH: usize = 2;
/// Buffer between the compressor and the sink (fewer, larger writes to Python objects).
const SINK_BUFFER: usize = 256 * 1024;

type Sink = BufWriter<Source>;

/// The `io::Read` end of the channel, for `compress_stream`.
struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    piece: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.piece.len() {
            match self.rx.recv() {
                Ok(p) => {
                    self.piece = p;
                    self.at = 0;
                }
                Err(_) => return Ok(0), // the writer closed: end of input
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Compression on a background thread.
struct Threaded {
    tx: Option<SyncSender<Vec<u8>>>,
    staged: Vec<u8>,
    handle: Option<JoinHandle<Result<Sink, Error>>>,
}

impl Threaded {
    fn start(
        sink: Sink,
        settings: FrameSettings,
        threads: usize,
        seekable: bool,
    ) -> Result<Threaded, Error> {
        let (tx, rx) = sync_channel::<Vec<u8>>(DEPTH);
        let handle = std::thread::Builder::new()
            .name("lz4framed-writer".into())
            .spawn(move || -> Result<Sink, Error> {
                let reader = ChannelReader {
                    rx,
                    piece: Vec::new(),
                    at: 0,
                };
                let options = seekable.then(IndexOptions::default);
                let (mut sink, summary) = lz4framed::parallel::compress_stream(
                    reader,
                    sink,
                    &settings,
                    threads,
                    None,
                    options.as_ref(),
                )?;
                if let Some(index) = summary.index {
                    sink.write_all(&index.to_embedded())?;
                }
                Ok(sink)
            })?;
        Ok(Threaded {
            tx: Some(tx),
            staged: Vec::new(),
            handle: Some(handle),
        })
    }

    /// The thread's error, once it has stopped (after a failed send).
    fn failure(&mut self) -> Error {
        self.tx = None;
        match self.handle.take().map(join_detached) {
            Some(Ok(Err(e))) => e,
            _ => Error::InvalidState("the compressing thread stopped"),
        }
    }

    fn send(&mut self, piece: Vec<u8>) -> Result<(), Error> {
        let sent = self.tx.as_ref().map(|tx| tx.send(piece));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => Err(self.failure()),
        }
    }

    fn write(&mut self, mut data: &[u8]) -> Result<(), Error> {
        while !data.is_empty() {
            let take = (PIECE - self.staged.len()).min(data.len());
            self.staged.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.staged.len() == PIECE {
                let piece = std::mem::take(&mut self.staged);
                self.send(piece)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Sink, Error> {
        if !self.staged.is_empty() {
            let piece = std::mem::take(&mut self.staged);
            self.send(piece)?;
        }
        self.tx = None;
        match self.handle.take().map(join_detached) {
            Some(Ok(r)) => r,
            _ => Err(Error::InvalidState("the compressing thread stopped")),
        }
    }
}

impl Drop for Threaded {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = join_detached(h);
        }
    }
}

/// How the frame is being written.
enum Mode {
    Serial(Box<FrameEncoder<Sink>>),
    Seekable(Box<SeekableEncoder<Sink>>),
    Threaded(Box<Threaded>),
    /// Closed (or failed).
    Done,
}

struct State {
    mode: Mode,
    /// Uncompressed bytes written.
    pos: u64,
}

impl State {
    fn write(&mut self, data: &[u8]) -> Result<(), Error> {
        let r = match &mut self.mode {
            Mode::Serial(e) => e.write_all(data).map_err(Error::from),
            Mode::Seekable(e) => e.write_all(data).map_err(Error::from),
            Mode::Threaded(t) => t.write(data),
            Mode::Done => return Err(Error::InvalidState(CLOSED)),
        };
        if r.is_err() {
            self.mode = Mode::Done;
        }
        r?;
        self.pos += data.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        match &mut self.mode {
            Mode::Serial(e) => e.flush().map_err(Error::from),
            // The seekable encoder's blocks are its restart points, and the threaded one cuts
            // its input into chunks itself: both flush only at the end.
            Mode::Seekable(_) | Mode::Threaded(_) | Mode::Done => Ok(()),
        }
    }

    fn close(&mut self) -> Result<(), Error> {
        let sink = match std::mem::replace(&mut self.mode, Mode::Done) {
            Mode::Serial(e) => e.finish()?,
            Mode::Seekable(e) => e.finish()?,
            Mode::Threaded(t) => t.finish()?,
            Mode::Done => return Ok(()),
        };
        let mut source = sink.into_inner().map_err(|e| Error::from(e.into_error()))?;
        source.flush().map_err(Error::from)?;
        Ok(())
    }
}

/// The native writer of `LZ4FrameFile` (write mode). See `lz4framed.open` for the
/// user-facing documentation.
#[pyclass(frozen, module = "lz4framed._lz4framed")]
pub struct Writer {
    state: Locked<State>,
    fileno: Option<i64>,
    /// Compressing on a background thread.
    threaded: bool,
    /// The frame's block size in bytes.
    block_size: u64,
}

/// The block size for a size in bytes.
fn block_size(bytes: i64) -> PyResult<BlockSize> {
    BlockSize::ALL
        .into_iter()
        .find(|b| b.bytes() as i64 == bytes)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "block_size must be 65536, 262144, 1048576 or 4194304 bytes, not {bytes}"
            ))
        })
}

#[pymethods]
impl Writer {
    /// Writer(file, mode="w", *, level=1, block_size=4194304, block_linked=True,
    /// content_checksum=True, block_checksum=False, seekable=False, threads=1)
    ///
    /// `file`: a path (opened in Rust: mode "w" truncates, "x" creates a new file, "a"
    /// appends) or a binary file object with `write`.
    #[new]
    #[pyo3(signature = (file, mode="w", *, level=1, block_size=4_194_304, block_linked=true, content_checksum=true, block_checksum=false, seekable=false, threads=1))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        file: &Bound<'_, PyAny>,
        mode: &str,
        level: i32,
        block_size: i64,
        block_linked: bool,
        content_checksum: bool,
        block_checksum: bool,
        seekable: bool,
        threads: i64,
    ) -> PyResult<Writer> {
        let settings = FrameSettings::new()
            .level(level)
            .block_size(self::block_size(block_size)?)
            .block_mode(if block_linked {
                BlockMode::Linked
            } else {
                BlockMode::Independent
            })
            .content_checksum(content_checksum)
            .block_checksum(block_checksum);
        // Check the settings now (an invalid level is a ValueError at open, not at close).
        if let Err(e) = Compressor::with_settings(&settings) {
            return Err(match e {
                Error::InvalidSettings(why) => PyValueError::new_err(why),
                Error::UnsupportedLevel { .. } => PyValueError::new_err(e.to_string()),
                e => file_pyerr(py, e),
            });
        }
        if seekable && mode == "a" {
            return Err(PyValueError::new_err(
                "seekable=True cannot append to a file (its index would not cover the data \
                 before); write a new file, or append and then call build_index()",
            ));
        }
        let source = match Source::path_of(file)? {
            Some(p) => {
                let mut o = OpenOptions::new();
                match mode {
                    "w" => o.write(true).create(true).truncate(true),
                    "x" => o.write(true).create_new(true),
                    "a" => o.append(true).create(true),
                    _ => {
                        return Err(PyValueError::new_err(format!(
                            "mode must be 'w', 'x' or 'a', not {mode:?}"
                        )))
                    }
                };
                Source::File(Arc::new(o.open(&p).map_err(|e| path_error(e, &p))?))
            }
            None => {
                if !file.hasattr("write")? {
                    return Err(pyo3::exceptions::PyTypeError::new_err(
                        "file must be a path or a binary file object with write()",
                    ));
                }
                Source::Py(PyFile::new(file))
            }
        };
        let fileno = source.fileno();
        let sink = BufWriter::with_capacity(SINK_BUFFER, source);
        let threads = crate::settings::threads(threads)?;
        let mode = py
            .detach(|| -> Result<Mode, Error> {
                Ok(if threads > 1 {
                    Mode::Threaded(Box::new(Threaded::start(
                        sink, settings, threads, seekable,
                    )?))
                } else if seekable {
                    Mode::Seekable(Box::new(SeekableEncoder::new(sink, &settings)?))
                } else {
                    Mode::Serial(Box::new(FrameEncoder::with_settings(sink, &settings)?))
                })
            })
            .map_err(|e| file_pyerr(py, e))?;
        let threaded = matches!(mode, Mode::Threaded(_));
        Ok(Writer {
            state: Locked::new(State { mode, pos: 0 }),
            fileno,
            threaded,
            block_size: block_size as u64, // validated above: one of the four sizes
        })
    }

    /// write(b) -> int: compress the bytes-like object `b`; returns len(b).
    fn write(&self, py: Python<'_>, b: &Bound<'_, PyAny>) -> PyResult<usize> {
        let input = Input::new(b)?;
        let data = input.as_slice();
        // With a compressing thread, a write may wait for it, and it may need the GIL to write
        // to a Python file object: never wait holding the GIL.
        // ... and a small write that completes a block compresses a whole block.
        let completes_block = self.state.with(py, false, |st| {
            st.pos % self.block_size + data.len() as u64 >= self.block_size
        })?;
        let release = data.len() >= RELEASE_GIL_AT || self.threaded || completes_block;
        self.state
            .with(py, release, |st| st.write(data))?
            .map_err(|e| file_pyerr(py, e))?;
        Ok(data.len())
    }

    /// flush(): with one thread and no index, end the current block so that everything
    /// written so far can be decoded, and flush the file object; otherwise nothing (the data
    /// is complete after close()).
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.state
            .with(py, true, |st| st.flush())?
            .map_err(|e| file_pyerr(py, e))
    }

    /// tell() -> int: uncompressed bytes written so far.
    fn tell(&self, py: Python<'_>) -> PyResult<u64> {
        self.state.with(py, false, |st| st.pos)
    }

    /// The file descriptor, for files opened by path.
    fn fileno(&self) -> PyResult<i64> {
        self.fileno.ok_or_else(|| {
            PyValueError::new_err("the underlying file object has no file descriptor here")
        })
    }

    /// close(): end the frame, append the index (seekable=True), flush, and (for a path)
    /// close the file. Raises the error of a failed write that was not raised yet.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.state
            .with(py, true, |st| st.close())?
            .map_err(|e| file_pyerr(py, e))
    }

    /// Whether close() was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyResult<bool> {
        self.state
            .with(py, false, |st| matches!(st.mode, Mode::Done))
    }
}

/// `release_buffers() -> int`: frees the input buffers that writing on several threads keeps
/// for the next such write, and returns the bytes of memory freed.
///
/// `LZ4FrameFile` in write mode with `threads` other than 1 compresses through the library's
/// parallel compressor, which keeps up to 8 of its 4 MiB input buffers when a file is closed,
/// so that the next file does not fault their pages in again (that cost about 10 % of a
/// two-thread write). Call this after the last such write to give the memory back; later writes
/// allocate buffers afresh. Nothing else keeps buffers between calls.
#[pyfunction]
pub fn release_buffers() -> usize {
    lz4framed::parallel::release_buffers()
}
