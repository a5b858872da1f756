//! The seek index from Python: `SeekIndex` (read, inspect, split, pickle) and
//! `build_index(path, sidecar=False)`.
//!
//! This is the interface for splitting one `.lz4` file across workers. Either a worker gets
//! the index (pickled: a few bytes per restart point) and a decompressed byte range from
//! [`PySeekIndex::split`], opens the file as `LZ4FrameFile(fileobj, index=index)`, seeks to the
//! range's start — which is a restart point, so nothing before it is decoded — and reads the
//! range; or (what `lz4framed.dask` does) the client cuts the index down to one restart point
//! ([`PySeekIndex::restart_index`]: a few dozen bytes, the window of a linked frame included)
//! and a worker restores the decoder there ([`PySeekIndex::decompressor_at`]) and feeds it the
//! file from the restart point's compressed offset on — it needs neither the whole index nor
//! any byte before that offset (but the frame header, which the client reads for it).

use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lz4framed::index::SeekIndex;
use lz4framed::index::{sidecar_path, EntryKind, IndexBuilder, IndexOptions, IndexStore};
use lz4framed::Error;
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::buffer::Input;
use crate::contexts::DecompressionContext;
use crate::errors::{self, to_pyerr};
use crate::pyio::PyFile;
use crate::source::Source;

/// One restart point of a seek index: a place in the compressed file where decoding can
/// start.
#[pyclass(frozen, eq, module = "lz4framed", get_all)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartPoint {
    /// Offset in the compressed file (bytes) of the frame's magic number or of the block
    /// header where decoding starts.
    pub compressed_offset: u64,
    /// Offset in the decompressed content (bytes, counted over all frames) of the first byte
    /// decoded from here.
    pub decompressed_offset: u64,
    /// True at the start of a frame, False at a block inside one.
    pub frame_start: bool,
    /// Whether decoding from here needs the 64 KiB window stored in the index (restart points
    /// inside linked-block frames); see `SeekIndex.window(i)`.
    pub has_window: bool,
}

#[pymethods]
impl RestartPoint {
    fn __repr__(&self) -> String {
        format!(
            "RestartPoint(compressed_offset={}, decompressed_offset={}, frame_start={}, has_window={})",
            self.compressed_offset,
            self.decompressed_offset,
            if self.frame_start { "True" } else { "False" },
            if self.has_window { "True" } else { "False" },
        )
    }
}

/// The seek index of one `.lz4` file: its restart points (see `restart_points`), bound to the
/// file by its size and a fingerprint of its first and last 4 KiB.
///
/// Get one with `SeekIndex.read(file)` (embedded in the file, or the sidecar `FILE.idx`
/// beside a path), `build_index(path)`, or `SeekIndex.from_bytes(b)`; it pickles as its bytes.
#[pyclass(frozen, name = "SeekIndex", module = "lz4framed")]
pub struct PySeekIndex {
    pub index: Arc<SeekIndex>,
}

impl PySeekIndex {
    fn restart_count(&self) -> usize {
        self.index.entries().len().saturating_sub(1)
    }

    /// Restart point `i` (not the end entry); IndexError past the last one.
    fn checked(&self, i: usize) -> PyResult<usize> {
        if i >= self.restart_count() {
            return Err(PyIndexError::new_err(format!(
                "restart point {i} out of range (the index has {})",
                self.restart_count()
            )));
        }
        Ok(i)
    }

    fn restart_point(&self, i: usize) -> RestartPoint {
        let e = &self.index.entries()[i];
        RestartPoint {
            compressed_offset: e.compressed,
            decompressed_offset: e.decompressed,
            frame_start: e.kind == EntryKind::FrameStart,
            has_window: e.has_window(),
        }
    }
}

/// `Ok(None)` when `src` does not end in an embedded index (no "L4SI" footer); the index when
/// it does; an error when it ends in one that is refused (damaged, or of another file).
pub fn find_embedded<R: Read + Seek + ?Sized>(src: &mut R) -> Result<Option<SeekIndex>, Error> {
    match SeekIndex::read_embedded(src) {
        Ok(index) => Ok(Some(index)),
        Err(Error::NoIndex { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The index of the file at `path`: embedded, else the sidecar file; `Ok(None)` for none.
pub fn find_for_path<R: Read + Seek + ?Sized>(
    path: &Path,
    file: &mut R,
) -> Result<Option<SeekIndex>, Error> {
    if let Some(i) = find_embedded(file)? {
        return Ok(Some(i));
    }
    match std::fs::read(sidecar_path(path)) {
        Ok(bytes) => {
            let index = SeekIndex::from_sidecar(&bytes)
                .map_err(|e| with_context(e, &sidecar_path(path)))?;
            index
                .verify_file(file)
                .map_err(|e| with_context(e, &sidecar_path(path)))?;
            Ok(Some(index))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io(e)),
    }
}

fn with_context(e: Error, path: &Path) -> Error {
    match e {
        Error::BadIndex(why) => Error::BadIndex(format!("{}: {why}", path.display())),
        e => e,
    }
}

#[pymethods]
impl PySeekIndex {
    /// SeekIndex.read(file, missing_ok=False) -> SeekIndex | None
    ///
    /// The index of `file`: a path (the index embedded at its end, else the sidecar file
    /// `PATH.idx`) or a seekable binary file object (an embedded index; its position moves).
    /// Lz4FramedError when it is refused (damaged, or built for other data), and when there
    /// is none — unless `missing_ok`, which returns None then.
    #[staticmethod]
    #[pyo3(signature = (file, missing_ok=false))]
    fn read(
        py: Python<'_>,
        file: &Bound<'_, PyAny>,
        missing_ok: bool,
    ) -> PyResult<Option<PySeekIndex>> {
        let found = if let Some(path) = Source::path_of(file)? {
            py.detach(|| -> Result<Option<SeekIndex>, Error> {
                let mut f = File::open(&path)?;
                find_for_path(&path, &mut f)
            })
        } else {
            let mut src = PyFile::new(file);
            py.detach(|| find_embedded(&mut src))
        }
        .map_err(to_pyerr)?;
        if found.is_none() && missing_ok {
            return Ok(None);
        }
        let index = found.ok_or_else(|| {
            errors::lz4_error(
                "the file has no seek index (build one with lz4framed.build_index(path), or \
                 write it with lz4framed.open(path, 'wb', seekable=True))",
                errors::GENERIC,
            )
        })?;
        Ok(Some(PySeekIndex {
            index: Arc::new(index),
        }))
    }

    /// verify(file) -> None
    ///
    /// Check that this index belongs to `file` (a path or a seekable binary file object; its
    /// position moves): the size of the indexed data (with or without this index embedded
    /// after it) and the fingerprint of its first and last 4 KiB — what `read` checks for an
    /// embedded or sidecar index, for an index that came from elsewhere (`from_bytes`, e.g. a
    /// sidecar file on remote storage). Lz4FramedError when it does not belong; OSError when
    /// the file cannot be read.
    fn verify(&self, py: Python<'_>, file: &Bound<'_, PyAny>) -> PyResult<()> {
        let index = Arc::clone(&self.index);
        if let Some(path) = Source::path_of(file)? {
            py.detach(|| -> Result<(), Error> { index.verify_file(&mut File::open(&path)?) })
        } else {
            let mut src = PyFile::new(file);
            py.detach(|| index.verify_file(&mut src))
        }
        .map_err(to_pyerr)
    }

    /// SeekIndex.from_bytes(b) -> SeekIndex
    ///
    /// An index from `to_bytes()` (the sidecar format). Lz4FramedError for bytes that are not
    /// a valid index.
    #[staticmethod]
    fn from_bytes(b: &Bound<'_, PyAny>) -> PyResult<PySeekIndex> {
        let input = Input::new(b)?;
        let index = SeekIndex::from_sidecar(input.as_slice()).map_err(to_pyerr)?;
        Ok(PySeekIndex {
            index: Arc::new(index),
        })
    }

    /// The index as bytes (the sidecar file format): what `from_bytes` reads.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.index.to_sidecar())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let ctor = py.get_type::<PySeekIndex>().getattr("from_bytes")?;
        let args = PyTuple::new(py, [slf.get().to_bytes(py)])?;
        PyTuple::new(py, [ctor.into_any(), args.into_any()])
    }

    /// Size of the decompressed content, in bytes.
    #[getter]
    fn decompressed_size(&self) -> u64 {
        self.index.decompressed_size()
    }

    /// Size of the indexed compressed data, in bytes (the file without an embedded index).
    #[getter]
    fn compressed_size(&self) -> u64 {
        self.index.data_len()
    }

    /// Number of restart points.
    fn __len__(&self) -> usize {
        self.restart_count()
    }

    /// The restart points in file order (a list of RestartPoint).
    #[getter]
    fn restart_points(&self) -> Vec<RestartPoint> {
        (0..self.restart_count())
            .map(|i| self.restart_point(i))
            .collect()
    }

    /// index[i] -> RestartPoint
    ///
    /// Restart point `i` (negative counts from the end), without building the whole list.
    /// IndexError out of range.
    fn __getitem__(&self, i: isize) -> PyResult<RestartPoint> {
        let n = self.restart_count() as isize;
        let j = if i < 0 { i + n } else { i };
        if !(0..n).contains(&j) {
            return Err(PyIndexError::new_err("restart point index out of range"));
        }
        Ok(self.restart_point(j as usize))
    }

    /// frame_header_offset(i) -> int | None
    ///
    /// Where to read the frame header that `decompressor_at(i, frame_header)` needs: the
    /// compressed offset of the frame restart point `i` lies inside (its magic number and
    /// descriptor are there: at most 19 bytes), or None when no header is needed (the point is
    /// a frame start, or lies in a legacy frame). IndexError for a bad `i`.
    fn frame_header_offset(&self, i: usize) -> PyResult<Option<u64>> {
        Ok(self.index.frame_header_offset(self.checked(i)?))
    }

    /// restart_index(i) -> SeekIndex
    ///
    /// This index cut down to what restarting at restart point `i` needs: the start of its
    /// frame, the point itself (with its window, in a linked-block frame) and the end of the
    /// data, bound to the same file. Its last restart point is where decoding starts
    /// (restart point `i`, or its frame's start when that yields the same content). It pickles
    /// to a few dozen bytes (plus the window, stored compressed): what a task on another
    /// machine gets to decode from there, with `decompressor_at(len(sub) - 1, frame_header)`.
    /// (A decoder restored from it numbers frames from the point's own frame, as 1; give
    /// `RestartReader` the file's number as `first_frame` to have errors say the file's.
    /// Offsets are the file's. `LZ4FrameFile(index=sub)` refuses it for a file with an embedded index, whose
    /// size counts that index.) IndexError for a bad `i`; Lz4FramedError when the stored
    /// window does not decode.
    fn restart_index(&self, py: Python<'_>, i: usize) -> PyResult<PySeekIndex> {
        let i = self.checked(i)?;
        let index = Arc::clone(&self.index);
        let sub = py
            .detach(|| -> Result<SeekIndex, Error> {
                let codec = lz4framed::Backend::Auto.codec()?;
                let entries = index.entries();
                let e = &entries[i];
                let mut b = IndexBuilder::new(codec, &IndexOptions::default());
                if e.kind == EntryKind::Block {
                    let fs = index.frame_start_of(i).ok_or_else(|| {
                        Error::BadIndex(format!("restart point {i} has no frame"))
                    })?;
                    let f = &entries[fs];
                    b.frame_start(f.compressed, f.decompressed, f.legacy);
                    if e.has_window() {
                        b.linked_block(e.compressed, e.decompressed, &index.window(i, codec)?);
                    } else {
                        b.block(e.compressed, e.decompressed, e.legacy);
                    }
                } else {
                    b.frame_start(e.compressed, e.decompressed, e.legacy);
                }
                Ok(b.finish(
                    index.data_len(),
                    index.fingerprint(),
                    index.decompressed_size(),
                ))
            })
            .map_err(to_pyerr)?;
        Ok(PySeekIndex {
            index: Arc::new(sub),
        })
    }

    /// decompressor_at(i, frame_header=None) -> DecompressionContext
    ///
    /// A decompression context restored at restart point `i`: fed (with `decompress_update`)
    /// the file's bytes from `index[i].compressed_offset` on, it yields the content from
    /// `index[i].decompressed_offset` on, checking block checksums and the block structure
    /// (the content checksum of a frame entered in the middle cannot be checked; frames after
    /// it are checked fully). `frame_header`: the bytes at `frame_header_offset(i)` (at least
    /// the magic number and the descriptor; more is fine); None when that is None. Frames
    /// with a dictionary are not supported here.
    ///
    /// IndexError for a bad `i`; Lz4FramedError when `frame_header` is not a valid frame
    /// header or is missing, or the stored window does not decode.
    #[pyo3(signature = (i, frame_header=None))]
    fn decompressor_at(
        &self,
        i: usize,
        frame_header: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<DecompressionContext> {
        let i = self.checked(i)?;
        let header = frame_header.map(Input::new).transpose()?;
        let header = header.as_ref().map_or(&[][..], |h| h.as_slice());
        let d = self
            .index
            .decompressor_at(i, header, None)
            .map_err(to_pyerr)?;
        Ok(DecompressionContext::new(d))
    }

    /// window(i) -> bytes
    ///
    /// The decoded window of restart point `i` (the up to 64 KiB of content before it, which
    /// linked blocks refer to); empty for restart points that need none. IndexError for a bad
    /// `i`, Lz4FramedError when the stored window does not decode.
    fn window<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyBytes>> {
        if i >= self.restart_count() {
            return Err(PyIndexError::new_err("restart point index out of range"));
        }
        let codec = lz4framed::Backend::Auto.codec().map_err(to_pyerr)?;
        let w = self.index.window(i, codec).map_err(to_pyerr)?;
        Ok(PyBytes::new(py, &w))
    }

    /// restart_point_for(offset) -> int | None
    ///
    /// The index of the restart point to start decoding from to reach decompressed `offset`
    /// (the last one at or before it); None at or past the end of the content.
    fn restart_point_for(&self, offset: u64) -> Option<usize> {
        self.index.entry_for(offset)
    }

    /// split(size) -> list[tuple[int, int]]
    ///
    /// Cut the decompressed content into consecutive ranges `(start, stop)` (decompressed
    /// offsets, stop exclusive) of about `size` bytes each, every `start` a restart point — so
    /// a worker decodes exactly its range and nothing before it. A range is at least one
    /// restart interval long (a block of an independent-block frame; for linked frames the
    /// interval the index was built with). Together the ranges cover the whole content; an
    /// empty file gives no range. ValueError for size <= 0.
    fn split(&self, size: i64) -> PyResult<Vec<(u64, u64)>> {
        if size <= 0 {
            return Err(PyValueError::new_err("size must be positive"));
        }
        Ok(split_ranges(&self.index, size as u64))
    }

    fn __repr__(&self) -> String {
        format!(
            "<lz4framed.SeekIndex: {} restart points, {} bytes of content in {} compressed bytes>",
            self.restart_count(),
            self.index.decompressed_size(),
            self.index.data_len()
        )
    }
}

/// The ranges of [`PySeekIndex::split`].
pub fn split_ranges(index: &SeekIndex, size: u64) -> Vec<(u64, u64)> {
    let total = index.decompressed_size();
    let mut starts: Vec<u64> = index
        .entries()
        .iter()
        .filter(|e| e.kind != EntryKind::End)
        .map(|e| e.decompressed)
        .collect();
    starts.dedup();
    let mut out = Vec::new();
    let mut begin = 0u64;
    for &s in &starts {
        if s >= total {
            break;
        }
        if s > begin && s - begin >= size {
            out.push((begin, s));
            begin = s;
        }
    }
    if begin < total {
        out.push((begin, total));
    }
    out
}

/// build_index(path, sidecar=False, restart_interval=4194304) -> SeekIndex
///
/// Index an existing `.lz4` file, as the `lz4framed index` command does: the index is
/// appended to the file as a skippable frame (every LZ4 reader, the `lz4` tool included,
/// still reads the file unchanged; an index already embedded is replaced), or with
/// `sidecar=True` written beside it as `PATH.idx`. `restart_interval`: bytes of content
/// between the restart points of linked-block frames (independent blocks are all restart
/// points). Returns the index. Lz4FramedError for invalid data (the file is left as it was),
/// OSError for I/O errors. The GIL is released throughout.
#[pyfunction]
#[pyo3(signature = (path, sidecar=false, restart_interval=4_194_304))]
pub fn build_index(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    sidecar: bool,
    restart_interval: u64,
) -> PyResult<PySeekIndex> {
    let path: PathBuf = Source::path_of(path)?.ok_or_else(|| {
        pyo3::exceptions::PyTypeError::new_err("path must be str, bytes or os.PathLike")
    })?;
    if restart_interval == 0 {
        return Err(PyValueError::new_err("restart_interval must be positive"));
    }
    let index = py
        .detach(|| index_file(&path, sidecar, restart_interval))
        .map_err(to_pyerr)?;
    Ok(PySeekIndex {
        index: Arc::new(index),
    })
}

/// Build the index of the file at `path` and store it (see [`build_index`]).
fn index_file(path: &Path, sidecar: bool, restart_interval: u64) -> Result<SeekIndex, Error> {
    let store = if sidecar {
        IndexStore::Sidecar
    } else {
        IndexStore::Embedded
    };
    let options = IndexOptions::default().restart_interval(restart_interval);
    lz4framed::index::index_file(path, store, &options)
}
