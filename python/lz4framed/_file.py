"""The file API: `lz4framed.open()` and `LZ4FrameFile`, in the manner of `bz2` and `lzma`."""

from __future__ import annotations

import atexit
import io
import os
import sys
import weakref
from typing import IO, Any, Literal, Union, cast

from ._lz4framed import Reader as _Reader
from ._lz4framed import SeekIndex
from ._lz4framed import Writer as _Writer

__all__ = ["LZ4FrameFile", "open"]

_BLOCK_4MB = 4 << 20

StrOrBytesPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

# Files still open that write to a Python file object from a background thread (threads != 1).
# Left open at interpreter exit, their finalizers would run after the interpreter stopped
# letting other threads call Python, and the background thread could no longer write the
# frame to the file object: the output was lost. They are closed at exit instead, while it
# still can. (A text-mode file from open() is closed through its TextIOWrapper, so that what
# the wrapper buffers is written too.)
_threaded_writers: weakref.WeakSet[Any] = weakref.WeakSet()


@atexit.register
def _close_threaded_writers() -> None:
    for f in list(_threaded_writers):
        try:
            f.close()
        except Exception as ex:  # reported as a finalizer would report it
            print(f"lz4framed: closing {f!r} at exit: {ex!r}", file=sys.stderr)


class LZ4FrameFile(io.BufferedIOBase):
    """A `.lz4` file (LZ4 frames) read or written as its decompressed bytes.

    `filename` is a path (opened and read or written by the native module, without the GIL)
    or a binary file object: with `read()` (and `seek()`/`tell()` to seek) for reading, with
    `write()` for writing. A file object is not closed by close().

    Reading decodes every frame in order (concatenated, skippable and legacy frames as the
    `lz4` tool reads them). A file with a seek index — embedded at its end, the sidecar
    `PATH.idx` beside a path, or passed as `index=` — seeks at the cost of one restart
    interval (one block of an independent-block frame; up to 4 MiB of output of a linked one).
    Without an index, seeking forward decodes and discards and seeking backward starts over, as
    `bz2` does. Data that ends inside a frame raises `Lz4FramedEOFError` (an `Lz4FramedError`
    and an `EOFError`) after every complete block has been read out; corrupt data raises
    `Lz4FramedError` naming what is wrong and where.

    Writing compresses everything written into one frame, ended by close(); `seekable=True`
    appends an embedded seek index (a skippable frame: other LZ4 readers ignore it).

    `threads`: 0 = all cores, 1 = the calling thread only. With more than one, writing
    compresses 4 MiB chunks in parallel on a background thread, and reading from the start
    decodes in parallel (independent blocks of any file; every frame of an indexed file opened
    by path) until the first seek.
    """

    def __init__(
        self,
        filename: StrOrBytesPath | IO[bytes],
        mode: str = "r",
        *,
        level: int = 1,
        compresslevel: int | None = None,
        block_size: int = _BLOCK_4MB,
        block_linked: bool = True,
        content_checksum: bool = True,
        block_checksum: bool = False,
        seekable: bool = False,
        threads: int = 0,
        index: SeekIndex | Literal[False] | None = None,
    ) -> None:
        """
        Args:
            filename: a path or a binary file object.
            mode: "r"/"rb" to read; "w"/"wb" (truncate), "x"/"xb" (new file) or "a"/"ab"
                (append a frame) to write.
            level: compression level: 1 fast (default), 2..12 high compression (slower,
                smaller), 0 or below fast with acceleration -level (faster, larger).
            compresslevel: the same, under the name bz2.BZ2File and gzip.GzipFile use; give
                one of the two (both: TypeError).
            block_size: maximum block size in bytes: 65536, 262144, 1048576 or 4194304.
            block_linked: blocks may refer to the 64 KiB before them (better ratio).
            content_checksum: append an XXH32 of the content (checked when reading).
            block_checksum: append an XXH32 to every block.
            seekable: append a seek index (write modes "w" and "x").
            threads: 0 = all cores, 1 = no extra threads, N = N threads (at most 200).
            index: reading only: None to use the file's index if it has one, False to ignore
                it, or a SeekIndex (e.g. from SeekIndex.read()) for a file object.
        """
        level = _one_level(level, compresslevel)
        self._reader: Any = None
        self._writer: Any = None
        self._mode = ""
        if mode in ("r", "rb"):
            self._mode = "r"
            self._reader = _Reader(filename, threads=threads, index=index)
        elif mode in ("w", "wb", "x", "xb", "a", "ab"):
            self._mode = "w"
            self._writer = _Writer(
                filename,
                cast(Literal["w", "x", "a"], mode[0]),
                level=level,
                block_size=block_size,
                block_linked=block_linked,
                content_checksum=content_checksum,
                block_checksum=block_checksum,
                seekable=seekable,
                threads=threads,
            )
            if threads != 1 and not isinstance(filename, (str, bytes, os.PathLike)):
                _threaded_writers.add(self)
        else:
            raise ValueError(f"Invalid mode: {mode!r}")
        if isinstance(filename, (str, bytes, os.PathLike)):
            self.name: Any = os.fspath(filename)
        else:
            self.name = getattr(filename, "name", "")

    # -- state ------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """'rb' or 'wb'."""
        return self._mode + "b" if self._mode else ""

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return self._mode == ""

    def close(self) -> None:
        """Flush and close: in write mode the frame is ended (and the index appended). A file
        opened by path is closed; a file object is not."""
        if self._mode == "":
            return
        writer, reader = self._writer, self._reader
        try:
            if writer is not None:
                writer.close()  # idempotent: a concurrent close() waits, then does nothing
            if reader is not None:
                reader.close()
        finally:
            self._mode = ""
            self._reader = None
            self._writer = None
            super().close()

    def _check_not_closed(self) -> None:
        if self._mode == "":
            raise ValueError("I/O operation on closed file")

    def _check_can_read(self) -> Any:
        """The native reader (a closed one raises ValueError itself, should another thread
        close the file meanwhile)."""
        reader = self._reader
        if reader is None:
            self._check_not_closed()
            raise io.UnsupportedOperation("File not open for reading")
        return reader

    def _check_can_write(self) -> Any:
        """The native writer."""
        writer = self._writer
        if writer is None:
            self._check_not_closed()
            raise io.UnsupportedOperation("File not open for writing")
        return writer

    def fileno(self) -> int:
        """The file descriptor of a file opened by path."""
        native = self._reader or self._writer
        if native is None:
            self._check_not_closed()
        return native.fileno()

    def seekable(self) -> bool:
        """Whether seek() works: reading, from a seekable file."""
        reader = self._reader
        self._check_not_closed()
        return reader is not None and reader.seekable()

    def readable(self) -> bool:
        """Whether the file was opened for reading."""
        self._check_not_closed()
        return self._reader is not None

    def writable(self) -> bool:
        """Whether the file was opened for writing."""
        self._check_not_closed()
        return self._writer is not None

    @property
    def index(self) -> SeekIndex | None:
        """The seek index used for reading (None when there is none)."""
        return self._check_can_read().index

    # -- reading ----------------------------------------------------------------------------

    def read(self, size: int | None = -1) -> bytes:
        """Read up to `size` decompressed bytes (all to the end when negative or None)."""
        return self._check_can_read().read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        """Read up to `size` bytes with at most one decoding step; b'' only at the end."""
        return self._check_can_read().read1(size)

    def readinto(self, b: Any) -> int:
        """Read into the writable buffer `b` until it is full or the data ends."""
        return self._check_can_read().readinto(b)

    def readinto1(self, b: Any) -> int:
        """As readinto()."""
        return self.readinto(b)

    def readline(self, size: int | None = -1) -> bytes:
        """Read up to and including the next newline (at most `size` bytes)."""
        return self._check_can_read().readline(-1 if size is None else size)

    def peek(self, size: int = 0) -> bytes:
        """Return buffered bytes at the current position without consuming them."""
        return self._check_can_read().peek(size)

    def __iter__(self) -> LZ4FrameFile:
        self._check_can_read()
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to a position in the decompressed content and return it (past the end: the
        end). Indexed files restart at the nearest restart point; others decode forward or
        start over."""
        return self._check_can_read().seek(offset, whence)

    def tell(self) -> int:
        """The position in the decompressed content (bytes written so far, in write mode)."""
        native = self._reader or self._writer
        if native is None:
            self._check_not_closed()
        return native.tell()

    # -- writing ----------------------------------------------------------------------------

    def write(self, data: Any) -> int:
        """Compress the bytes-like object `data`; returns its length in bytes."""
        return self._check_can_write().write(data)

    def flush(self) -> None:
        """With one thread and no index, end the current block so that everything written so
        far can be read back, and flush the file object; otherwise nothing (the file is
        complete after close())."""
        writer = self._writer
        if writer is not None:
            writer.flush()

    def __repr__(self) -> str:
        state = "closed" if self.closed else self.mode
        return f"<lz4framed.LZ4FrameFile {self.name!r} {state}>"


def _one_level(level: int, compresslevel: int | None) -> int:
    """The compression level given as `level` or as `compresslevel` (the bz2/gzip name)."""
    if compresslevel is None:
        return level
    if level != 1:
        raise TypeError("give the compression level as 'level' or 'compresslevel', not both")
    return compresslevel


def open(
    filename: StrOrBytesPath | IO[bytes],
    mode: str = "rb",
    *,
    level: int = 1,
    compresslevel: int | None = None,
    block_size: int = _BLOCK_4MB,
    block_linked: bool = True,
    content_checksum: bool = True,
    block_checksum: bool = False,
    seekable: bool = False,
    threads: int = 0,
    index: SeekIndex | Literal[False] | None = None,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
) -> Any:
    """Open an LZ4 file in binary ("rb", "wb", "xb", "ab") or text ("rt", "wt", …) mode.

    Binary modes return an LZ4FrameFile (see it for the arguments); text modes wrap it in an
    io.TextIOWrapper with `encoding`, `errors` and `newline`, as bz2.open() does. The defaults
    follow the `lz4` tool: level 1, 4 MiB blocks, content checksum on; `threads=0` uses every
    core. `compresslevel` is `level` under the name bz2.open() and gzip.open() use.
    """
    if "t" in mode:
        if "b" in mode:
            raise ValueError(f"Invalid mode: {mode!r}")
    else:
        if encoding is not None:
            raise ValueError("Argument 'encoding' not supported in binary mode")
        if errors is not None:
            raise ValueError("Argument 'errors' not supported in binary mode")
        if newline is not None:
            raise ValueError("Argument 'newline' not supported in binary mode")
    file_mode = mode.replace("t", "")
    binary = LZ4FrameFile(
        filename,
        file_mode,
        level=_one_level(level, compresslevel),
        block_size=block_size,
        block_linked=block_linked,
        content_checksum=content_checksum,
        block_checksum=block_checksum,
        seekable=seekable,
        threads=threads,
        index=index,
    )
    if "t" in mode:
        encoding = io.text_encoding(encoding) if hasattr(io, "text_encoding") else encoding
        text = io.TextIOWrapper(binary, encoding, errors, newline)
        if binary in _threaded_writers:
            _threaded_writers.discard(binary)
            _threaded_writers.add(text)
        return text
    return binary
