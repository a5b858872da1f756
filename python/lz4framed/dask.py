"""One `.lz4` file split across a Dask cluster, through its seek index.

`dask.bytes.read_bytes` refuses chunked reads of compressed files, so a `.lz4` file is one
partition on one worker however large it is. A seek index (embedded by
`lz4framed.open(path, "wb", seekable=True)`, or added to an existing file by
`lz4framed index FILE` / `lz4framed.build_index(path)`) makes it splittable: this module cuts
the *decompressed* content into splits, and each task restores the decoder at the restart point
where its split starts and decodes only its split.

    import lz4framed.dask
    lines = lz4framed.dask.read_text("s3://bucket/logs-*.lz4", blocksize="64 MiB")
    lines.filter(lambda s: "ERROR" in s).count().compute()

- `read_bytes(urlpath, blocksize, delimiter, sample, storage_options)` returns
  `(sample, [[Delayed bytes, ...] per file])`, the shape of `dask.bytes.read_bytes`, and
  `read_text(...)` a `dask.bag` of lines, as `dask.bag.read_text`. `urlpath` is a path, a glob
  or a list, opened through fsspec (local files, `memory://`, `s3://`, ...).
- `splits(...)` returns the `Split` descriptors themselves, for another engine (Spark, Ray, a
  process pool): each is picklable and `split.read()` returns its bytes.

**Splits.** Split boundaries are decompressed offsets at restart points (every block of an
independent-block frame; every restart interval, 4 MiB by default, of a linked one): as many
splits as `dask.bytes.read_bytes` would make of the decompressed content (its
`size // blocksize` rule), each boundary moved to the nearest restart point. With a delimiter,
Dask's rule (fsspec's `read_block`), on decompressed offsets: a split starts just after the
first delimiter at or after its start (the first split at 0) and ends just after the first
delimiter at or after its end (or at the end of the content), so every record lands in exactly
one split; the bytes between its start and that first delimiter belong to the split before.

**What a task carries and reads.** A task gets the file's fsspec filesystem (which pickles as its
storage options) and path, what restoring the decoder at the split's restart point takes — the
seek index cut down to that one point (`SeekIndex.restart_index`: a few dozen bytes; inside a
linked-block frame it holds the 64 KiB window, stored compressed) and the frame's header (at
most 19 bytes) — and the split's offsets; not the whole index. It opens the file itself,
reads from the restart point's compressed offset exactly to the next split's restart point,
and past it, with a delimiter, a block at a time (reads of at least 64 KiB) until the first
delimiter: never the whole file. It decodes its range straight into the bytes object it
returns. The client reads each file's seek index, a frame header per frame a split starts
inside, and the sample from the start of the first file.

Frames after the first are decoded as they come (a split may span several); skippable frames
are skipped. `read_bytes` offers Dask's `urlpath`, `blocksize`, `delimiter` and `sample`, not its
`compression` (the files are LZ4 frames), `not_zero` or `include_path`.

**Checks.** A split checks what can be checked from its restart point on: block checksums
(frames written with `block_checksum=True`, `lz4 -BX`), the block structure (every block
decodes to at most the block size, no match reaches before the window), and that the data does
not end inside a frame. It cannot check the content checksum of a frame it enters in the
middle (an XXH32 of the frame's whole content, which only a decoder that saw all of it can
compute); it does check those of frames it decodes from start to end — e.g. the single
partition of a file without an index, or `blocksize=None`. Corruption that a content checksum
alone would catch (a block without a block checksum that decodes to other bytes) goes unnoticed
by the splits. Verify a file once, end to end, with `lz4framed test FILE` (or by reading it
through `lz4framed.open(FILE)`); then split it as often as you like.

**Files without an index** are read correctly, as one partition decoded from the start (all
checks made), with a `NoIndexWarning` naming the remedy. A sidecar index `FILE.idx` beside the
file is used when the file has none embedded (it is checked against the file's size and
fingerprint). Frames with a dictionary are not supported.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import sys
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import fsspec.core  # type: ignore[import-untyped]  # fsspec ships no type information
from dask.base import tokenize
from dask.delayed import Delayed, delayed
from dask.utils import parse_bytes

from ._lz4framed import (
    LZ4F_ERROR_GENERIC,
    Lz4FramedError,
    RestartReader,
    SeekIndex,
    create_decompression_context,
)

__all__ = ["NoIndexWarning", "Split", "read_bytes", "read_text", "splits"]

# A frame header: magic number (4) + FLG, BD (2) + content size (8) + dictionary ID (4) +
# header checksum (1) (LZ4 frame format, section "General Structure of LZ4 Frame format").
_FRAME_HEADER_MAX = 19
# Decompressed bytes decoded at once past a split's end, looking for its delimiter (the file is
# read a block, or 64 KiB, at a time), and at once when reading a file without an index.
_SCAN_PIECE = 64 << 10
_WHOLE_PIECE = 16 << 20
# Decompressed bytes decoded at a time when a split's lines are read (small enough for malloc
# to recycle its buffers, where a split-sized one would be fresh memory every time).
_STREAM_PIECE = 64 << 10
# The fsspec open() options of every read: no read-ahead cache (remote filesystems would
# otherwise fetch a whole cache block — megabytes — past what is asked).
_OPEN_OPTIONS = {"cache_type": "none"}


class NoIndexWarning(UserWarning):
    """A file has no seek index: it is read as one partition on one worker."""


class Split:
    """One split of one `.lz4` file: all a task needs to decode it, and nothing more.

    Picklable (the filesystem pickles as its storage options; the restart state is a few
    dozen bytes, plus a linked frame's 64 KiB window stored compressed), so any engine can ship
    it and call `read()`. Offsets: `compressed_*` are byte offsets in the `.lz4` file,
    `start`/`stop` byte offsets in its decompressed content.

    Attributes:
        fs: the fsspec filesystem the file is on.
        path: the file's path on `fs`.
        file_size: the file's size (bytes) when it was split; `read()` refuses a file of another
            size (it changed, and the restart state no longer fits it).
        index: the file's seek index cut down to the split's restart point
            (`SeekIndex.restart_index`), whose last restart point is where decoding starts;
            None for a new decoder at the start of the file.
        frame_header: the header of the frame the restart point lies inside (read at
            `index.frame_header_offset(len(index) - 1)`), or None when none is needed.
        compressed_start: the restart point's compressed offset: where reading starts.
        compressed_stop: where the compressed bytes of `[start, stop)` end (the next split's
            restart point, or the end of the data); read past it only to find the delimiter.
        data_end: the end of the compressed data (before an embedded index): reading stops there.
        start: the decompressed offset of the restart point, where the split starts.
        stop: the decompressed offset where the split ends (before the delimiter rule); None for
            the end of the content.
        delimiter: None, or the record delimiter (bytes) of Dask's rule (see the module docs).
        first_frame: the file's number of the frame the restart point lies in (from 1;
            skippable frames are not counted), so that errors number frames as the file does.
    """

    __slots__ = (
        "compressed_start",
        "compressed_stop",
        "data_end",
        "delimiter",
        "file_size",
        "first_frame",
        "frame_header",
        "fs",
        "index",
        "path",
        "start",
        "stop",
    )

    def __init__(
        self,
        fs: Any,
        path: str,
        file_size: int,
        index: SeekIndex | None,
        frame_header: bytes | None,
        compressed_start: int,
        compressed_stop: int,
        data_end: int,
        start: int,
        stop: int | None,
        delimiter: bytes | None,
        first_frame: int = 1,
    ) -> None:
        self.fs = fs
        self.path = path
        self.file_size = file_size
        self.index = index
        self.frame_header = frame_header
        self.compressed_start = compressed_start
        self.compressed_stop = compressed_stop
        self.data_end = data_end
        self.start = start
        self.stop = stop
        self.delimiter = delimiter or None
        self.first_frame = first_frame

    def __reduce__(self) -> tuple[Any, ...]:
        return (Split, tuple(getattr(self, k) for k in _SPLIT_ARGS))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Split):
            return NotImplemented
        return all(_same(getattr(self, k), getattr(other, k)) for k in _SPLIT_ARGS)

    def __hash__(self) -> int:
        return hash((self.path, self.start, self.stop, self.delimiter))

    def __repr__(self) -> str:
        return (
            f"Split({self.path!r}, content [{self.start}, {self.stop}), compressed from "
            f"{self.compressed_start}, delimiter={self.delimiter!r})"
        )

    def read(self) -> bytes:
        """The split's bytes: `[start, stop)` of the decompressed content, or with a delimiter
        the records Dask's rule gives it.

        Raises Lz4FramedError (its message names the file) for data that does not decode, a
        block checksum mismatch, data that ends inside a frame, or a file whose size changed
        since it was split; OSError when the file cannot be read.
        """
        with self._content() as content:
            parts = list(_pieces(content, self))
        if len(parts) == 1 and isinstance(parts[0], bytes):
            return parts[0]
        return b"".join(parts)  # (b"" for none)

    def lines(
        self, encoding: str = "utf-8", errors: str = "strict", linedelimiter: str | None = None
    ) -> list[str]:
        """The split's lines, as `read_text` makes them (there `delimiter` is the line
        delimiter's bytes): decoded and cut piece by piece, never holding the split's bytes
        at once. Errors as `read()`, and UnicodeDecodeError with errors="strict"."""
        with self._content(_STREAM_PIECE) as content:
            return _lines(_pieces(content, self), encoding, errors, linedelimiter)

    @contextlib.contextmanager
    def _content(self, piece: int | None = None) -> Iterator[_Content]:
        """The file opened and checked, and a decoder at the split's restart point; errors of
        the library name the file and the split."""
        try:
            with self.fs.open(self.path, "rb", **_OPEN_OPTIONS) as f:
                size = f.seek(0, io.SEEK_END)
                if size != self.file_size:
                    raise Lz4FramedError(
                        f"the file changed since it was split: it has {size} bytes, it had "
                        f"{self.file_size}",
                        LZ4F_ERROR_GENERIC,
                    )
                f.seek(self.compressed_start)
                yield _Content(f, self, piece)
        except Lz4FramedError as e:
            message = e.args[0] if e.args else str(e)
            code = e.args[1] if len(e.args) > 1 else LZ4F_ERROR_GENERIC
            where = f"decompressed offsets {self.start}..{'' if self.stop is None else self.stop}"
            # The same class (Lz4FramedEOFError for data that ends inside a frame).
            raise type(e)(f"{self.path} (split at {where}): {message}", code) from e


_SPLIT_ARGS = (
    "fs",
    "path",
    "file_size",
    "index",
    "frame_header",
    "compressed_start",
    "compressed_stop",
    "data_end",
    "start",
    "stop",
    "delimiter",
    "first_frame",
)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, SeekIndex) and isinstance(b, SeekIndex):
        return a.to_bytes() == b.to_bytes()
    return bool(a == b)


class _Content:
    """The content decoded so far from a split's restart point on, kept as chunks (bytes) in
    content order; `end` is the decompressed offset just past the last one."""

    def __init__(self, f: Any, split: Split, piece: int | None = None) -> None:
        # piece: None to decode the rest of the split at once (into one bytes object), or the
        # most to decode at a time (streaming).
        self._piece = piece
        if split.index is None:
            ctx = create_decompression_context()
        else:
            ctx = split.index.decompressor_at(len(split.index) - 1, split.frame_header)
        # The file is read up to the split's compressed end; past it only when asked for more.
        self._reader = RestartReader(f, ctx, split.compressed_stop, split.first_frame)
        self._data_end = split.data_end
        self._stop = split.stop
        self.chunks: list[bytes] = []
        self.offsets: list[int] = []
        self.end = split.start

    def more(self) -> bool:
        """Decode the next piece: the rest of the split in one (one allocation, decoded into),
        then, past the split's end, _SCAN_PIECE at a time. False at the end of the data."""
        if self._stop is not None and self.end < self._stop:
            n = self._stop - self.end
            if self._piece is not None:
                n = min(n, self._piece)
        else:
            n = _SCAN_PIECE if self._stop is not None else _WHOLE_PIECE
            if self._reader.stop < self._data_end:
                self._reader.stop = self._data_end
        chunk = self._reader.read(n)
        if not chunk:
            return False
        self.chunks.append(chunk)
        self.offsets.append(self.end)
        self.end += len(chunk)
        return True

    def discard(self, before: int) -> None:
        """Forget the chunks that end at or before decompressed offset `before`."""
        k = 0
        while k < len(self.chunks) and self.offsets[k] + len(self.chunks[k]) <= before:
            k += 1
        del self.chunks[:k]
        del self.offsets[:k]

    def until(self, offset: int) -> None:
        """Decode until the content reaches `offset` (or the data ends)."""
        while self.end < offset and self.more():
            pass

    def find(self, needle: bytes, at: int) -> int | None:
        """The decompressed offset of the first occurrence of `needle` at or after `at`,
        decoding further as needed; None when the data ends first."""
        while True:
            found = self._find_decoded(needle, at)
            if found is not None:
                return found
            # Every occurrence before here would have been found in what is decoded.
            at = max(at, self.end - len(needle) + 1)
            if not self.more():
                return None

    def _find_decoded(self, needle: bytes, at: int) -> int | None:
        n = len(needle)
        first = max(bisect.bisect_right(self.offsets, at) - 1, 0)
        for k in range(first, len(self.chunks)):
            chunk, base = self.chunks[k], self.offsets[k]
            local = max(at - base, 0)
            i = chunk.find(needle, local)
            if i >= 0:
                return base + i
            # Occurrences that start in the chunk's last n - 1 bytes and run into the next.
            lo = base + max(local, len(chunk) - n + 1)
            hi = min(base + len(chunk) + n - 1, self.end)
            if hi - lo >= n:
                j = self.slice(lo, hi).find(needle)
                if j >= 0:
                    return lo + j
        return None

    def views(self, a: int, b: int) -> list[Any]:
        """The decoded content `[a, b)` as consecutive pieces (chunks, or memoryviews of them:
        no copy); `a` at or after the split's start, `b` at most `end`."""
        if a >= b:
            return []
        k = bisect.bisect_right(self.offsets, a) - 1
        parts: list[Any] = []
        while a < b:
            chunk, base = self.chunks[k], self.offsets[k]
            lo, hi = a - base, min(len(chunk), b - base)
            parts.append(chunk if lo == 0 and hi == len(chunk) else memoryview(chunk)[lo:hi])
            a = base + hi
            k += 1
        return parts

    def slice(self, a: int, b: int) -> bytes:
        """The decoded content `[a, b)` as one bytes object (a chunk itself when it is one)."""
        parts = self.views(a, b)
        if len(parts) == 1 and isinstance(parts[0], bytes):
            return parts[0]
        return b"".join(parts)


def _pieces(content: _Content, split: Split) -> Iterator[Any]:
    """The split's bytes as pieces (bytes, or memoryviews of them), decoded as they are
    consumed, keeping only what the delimiter search needs: `[start, stop)`, or with a
    delimiter Dask's rule (see the module docs; fsspec's `read_block`) on decompressed
    offsets — from just after the first delimiter at or after `start` (from 0 when `start`
    is 0) to just after the first delimiter at or after `stop`, or the end of the data."""
    d = split.delimiter
    if not d or split.start == 0:
        pos = split.start
    else:
        at = content.find(d, split.start)
        pos = content.end if at is None else at + len(d)
    stop = sys.maxsize if split.stop is None else split.stop
    while pos < stop:
        if pos >= content.end and not content.more():
            return
        upto = min(content.end, stop)
        if upto > pos:
            yield from content.views(pos, upto)
            pos = upto
        content.discard(pos)
    if d and split.stop is not None:
        at = content.find(d, split.stop)
        end = content.end if at is None else at + len(d)
        yield from content.views(pos, end)


class _Chain(io.RawIOBase):
    """A binary stream over byte strings one after another, without joining them."""

    def __init__(self, parts: Iterable[Any]) -> None:
        self._parts = iter(parts)
        self._part: Any = b""
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while True:
            n = min(len(b), len(self._part) - self._at)
            if n > 0:
                b[:n] = self._part[self._at : self._at + n]
                self._at += n
                return n
            part = next(self._parts, None)
            if part is None:
                return 0
            self._part = part
            self._at = 0


# -- planning (on the client) ------------------------------------------------------------------


def _boundaries(size: int, blocksize: int | None) -> list[int]:
    """Where `dask.bytes.read_bytes` cuts `size` bytes into blocks of about `blocksize`: the
    same number of parts, spread evenly (its "shrink blocksize to give same number of parts").
    Returns the inner cut offsets."""
    if blocksize is None or size <= blocksize:
        return []
    step = size / (size // blocksize) if size % blocksize else blocksize
    cuts = []
    place = 0.0
    while size - place > step * 2 - 1:
        place += step
        cuts.append(int(place))
    return cuts


def _split_ranges(index: SeekIndex, blocksize: int | None) -> list[tuple[int, int]]:
    """The decompressed ranges of one indexed file: Dask's cuts, each moved to the nearest
    restart point (ties: the earlier one)."""
    total = index.decompressed_size
    if total == 0:
        return []
    n = len(index)
    edges = [0]
    for cut in _boundaries(total, blocksize):
        i = index.restart_point_for(cut)
        if i is None:
            continue
        lo = index[i].decompressed_offset
        hi = index[i + 1].decompressed_offset if i + 1 < n else total
        at = lo if cut - lo <= hi - cut else hi
        if edges[-1] < at < total:
            edges.append(at)
    edges.append(total)
    return list(zip(edges, edges[1:]))


def _compressed_end(index: SeekIndex, stop: int) -> int:
    """Where the compressed bytes of the content before decompressed offset `stop` (a restart
    point's, or the end) end: the first restart point at `stop`, or the end of the data."""
    i = index.restart_point_for(stop)
    if i is None:
        return index.compressed_size
    while i > 0 and index[i - 1].decompressed_offset == stop:
        i -= 1
    return index[i].compressed_offset


def _find_index(fs: Any, path: str, f: Any) -> SeekIndex | None:
    """The seek index of the open file `f`: embedded, else the sidecar `PATH.idx` (checked
    against the file); None when there is neither."""
    index = SeekIndex.read(f, missing_ok=True)
    if index is not None:
        return index
    sidecar = path + ".idx"
    if not fs.exists(sidecar):
        return None
    index = SeekIndex.from_bytes(fs.cat_file(sidecar))
    try:
        index.verify(f)
    except Lz4FramedError as e:
        raise Lz4FramedError(f"{sidecar}: {e.args[0]}", *e.args[1:]) from e
    return index


def _read_at(f: Any, offset: int, n: int) -> bytes:
    f.seek(offset)
    out = b""
    while len(out) < n:
        more = f.read(n - len(out))
        if not more:
            break
        out += more
    return out


def _plan_file(
    fs: Any, path: str, blocksize: int | None, delimiter: bytes | None
) -> tuple[list[Split], int, int]:
    """The splits of one file, its size and the end of its compressed data."""
    with fs.open(path, "rb", **_OPEN_OPTIONS) as f:
        size = f.seek(0, io.SEEK_END)
        if size == 0:
            return [], 0, 0
        index = _find_index(fs, path, f)
        if index is None:
            warnings.warn(
                f"{path} has no seek index: it is read as one partition on one worker. Index it "
                f"once with `lz4framed index FILE` (or lz4framed.build_index(path)) to split it",
                NoIndexWarning,
                stacklevel=3,
            )
            whole = Split(fs, path, size, None, None, 0, size, size, 0, None, delimiter)
            return [whole], size, size
        data_end = index.compressed_size
        # The restart points where frames start: the file's number of the frame of restart
        # point i is how many of them are at or before it.
        frame_starts = [k for k, p in enumerate(index.restart_points) if p.frame_start]
        headers: dict[int, bytes] = {}
        out = []
        for start, stop in _split_ranges(index, blocksize):
            i = index.restart_point_for(start)
            assert i is not None
            sub = index.restart_index(i)
            point = sub[-1]
            assert point.decompressed_offset == start
            at = sub.frame_header_offset(len(sub) - 1)
            if at is not None and at not in headers:
                headers[at] = _read_at(f, at, min(_FRAME_HEADER_MAX, data_end - at))
            out.append(
                Split(
                    fs,
                    path,
                    size,
                    sub,
                    None if at is None else headers[at],
                    point.compressed_offset,
                    _compressed_end(index, stop),
                    data_end,
                    start,
                    stop,
                    delimiter,
                    bisect.bisect_right(frame_starts, i),
                )
            )
        return out, size, data_end


def _paths(urlpath: Any, storage_options: dict[str, Any] | None) -> tuple[Any, str, list[str]]:
    fs, fs_token, paths = fsspec.core.get_fs_token_paths(
        urlpath, mode="rb", storage_options=storage_options
    )
    if not paths:
        raise OSError(f"{urlpath} resolved to no files")
    return fs, fs_token, paths


def _blocksize(blocksize: int | str | None) -> int | None:
    if isinstance(blocksize, str):
        blocksize = parse_bytes(blocksize)
    if blocksize is not None:
        if int(blocksize) != blocksize or blocksize <= 0:
            raise ValueError(f"blocksize must be a positive number of bytes, not {blocksize!r}")
        blocksize = int(blocksize)
    return blocksize


def splits(
    urlpath: Any,
    blocksize: int | str | None = "128 MiB",
    delimiter: bytes | None = None,
    storage_options: dict[str, Any] | None = None,
) -> list[list[Split]]:
    """The splits of every file of `urlpath` (a path, glob or list of them, with an fsspec
    protocol or none), one list per file: what `read_bytes` makes tasks of, for any engine.

    `blocksize`: decompressed bytes per split (an int, or a string as "64 MiB"; None: one split
    per file); splits start at restart points. `delimiter`: bytes of Dask's record rule, or
    None. An empty file has no split; a file without an index one (with a NoIndexWarning).
    OSError when `urlpath` matches no file; Lz4FramedError for a damaged index, or a sidecar
    index of another file.
    """
    fs, _, paths = _paths(urlpath, storage_options)
    size = _blocksize(blocksize)
    out = []
    for path in paths:
        out.append(_plan_file(fs, path, size, delimiter)[0])
    return out


def _read_split_task(split: Split) -> bytes:
    return split.read()


def read_bytes(
    urlpath: Any,
    blocksize: int | str | None = "128 MiB",
    delimiter: bytes | None = None,
    sample: int | str | bool = "10 kiB",
    storage_options: dict[str, Any] | None = None,
) -> tuple[bytes | bool, list[list[Delayed]]]:
    """`dask.bytes.read_bytes` for `.lz4` files: blocks of the *decompressed* content.

    Returns `(sample, blocks)`: `blocks` holds, for each file of `urlpath` (a path, glob or
    list, opened through fsspec with `storage_options`), a list of `dask.delayed` objects, one
    per split, each computing to that split's bytes (see the module docs for the splits and
    the delimiter rule; `blocksize=None` makes one block per file). `sample`: False, or the
    first `sample` bytes (an int, or a string as "10 kiB"; True is "10 kiB") of the first
    file's content — with a delimiter, through the first delimiter after them.

    A file without a seek index gives one block (and a NoIndexWarning). OSError when
    `urlpath` matches no file; Lz4FramedError for a damaged or foreign index, or, when
    computed, for data that does not decode.
    """
    fs, fs_token, paths = _paths(urlpath, storage_options)
    size = _blocksize(blocksize)
    out = []
    first: tuple[list[Split], int, int] | None = None
    for path in paths:
        plan = _plan_file(fs, path, size, delimiter)
        first = first or plan
        token = tokenize(fs_token, path, fs.ukey(path), delimiter, size)
        out.append(
            [
                delayed(_read_split_task, pure=True)(
                    s, dask_key_name=f"read-lz4-block-{s.start}-{token}"
                )
                for s in plan[0]
            ]
        )
    head_bytes: bytes | bool = False
    if sample:
        if sample is True:
            sample = "10 kiB"
        n = parse_bytes(sample) if isinstance(sample, str) else int(sample)
        assert first is not None
        _, file_size, data_end = first
        # The first n bytes: a split from the start of the file to n, with the delimiter rule.
        head = Split(fs, paths[0], file_size, None, None, 0, data_end, data_end, 0, n, delimiter)
        head_bytes = head.read() if data_end else b""
    return head_bytes, out


def _lines(
    parts: Iterable[Any], encoding: str, errors: str, linedelimiter: str | None
) -> list[str]:
    """The lines of a split's bytes (`parts`, one after another), as `dask.bag.read_text` makes
    them: universal newlines ("\\n", "\\r", "\\r\\n", translated to "\\n") for linedelimiter
    None, the `newline` rules of `io` for "", "\\n", "\\r" and "\\r\\n", else split after each
    delimiter; line ends kept."""
    if linedelimiter in (None, "", "\n", "\r", "\r\n"):
        # Dask decodes the whole block and reads lines from io.StringIO: the same lines, but a
        # TextIOWrapper over the pieces is a few times faster and joins nothing.
        raw = io.BufferedReader(_Chain(parts), _STREAM_PIECE)
        text_file = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline=linedelimiter)
        # Decode a piece at a time rather than 8 KiB (a fifth less time here; the attribute is
        # in both io implementations, C and Python).
        text_file._CHUNK_SIZE = _STREAM_PIECE  # type: ignore[attr-defined]  # not in typeshed
        return list(text_file)
    text = b"".join(parts).decode(encoding, errors)
    if not text:
        return []
    pieces = text.split(linedelimiter)
    out = [p + linedelimiter for p in pieces[:-1]]
    if pieces[-1]:
        out.append(pieces[-1])
    return out


def _read_lines_task(
    split: Split, encoding: str, errors: str, linedelimiter: str | None
) -> list[str]:
    return split.lines(encoding, errors, linedelimiter)


def read_text(
    urlpath: Any,
    blocksize: int | str | None = "128 MiB",
    encoding: str = "utf-8",
    errors: str = "strict",
    linedelimiter: str | None = None,
    storage_options: dict[str, Any] | None = None,
) -> Any:
    """`dask.bag.read_text` for `.lz4` files: a `dask.bag.Bag` of the lines of every file of
    `urlpath`, one partition per split (see `read_bytes`), line ends kept.

    Lines are what `dask.bag.read_text(..., blocksize=...)` gives for the decompressed files:
    with `linedelimiter` None, splits end after "\\n" and lines follow universal newlines
    ("\\r\\n" and "\\r" become "\\n"); another `linedelimiter` (a str, searched for as its
    UTF-8 bytes, as Dask does) both cuts the splits and ends the lines, kept as they are. (For
    "\\r" and "\\r\\n" Dask also turns every other "\\n" into the delimiter, by io.StringIO's
    newline translation on write; here the text is left as it is.)
    `encoding` and `errors` decode each split as `bytes.decode` does. An empty bag when every
    file is empty. Errors as `read_bytes`, and UnicodeDecodeError (with errors="strict").
    """
    import dask.bag

    delimiter = linedelimiter.encode() if linedelimiter else b"\n"
    fs, fs_token, paths = _paths(urlpath, storage_options)
    size = _blocksize(blocksize)
    parts = []
    for path in paths:
        token = tokenize(fs_token, path, fs.ukey(path), size, encoding, errors, linedelimiter)
        for s in _plan_file(fs, path, size, delimiter)[0]:
            parts.append(
                delayed(_read_lines_task, pure=True)(
                    s, encoding, errors, linedelimiter, dask_key_name=f"lz4-lines-{s.start}-{token}"
                )
            )
    if not parts:
        return dask.bag.from_sequence([], npartitions=1)
    return dask.bag.from_delayed(parts)
