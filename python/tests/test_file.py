"""The file API: lz4framed.open / LZ4FrameFile, seeking, seek indexes, SeekIndex."""

from __future__ import annotations

import bz2
import io
import os
import pickle
import random

import pytest
from conftest import run_lz4

import lz4framed
from lz4framed import Lz4FramedEOFError, Lz4FramedError, LZ4FrameFile, SeekIndex


def write_file(path_or_obj, data, **kwargs):
    with lz4framed.open(path_or_obj, "wb", **kwargs) as f:
        assert f.write(data) == len(data)
        assert f.tell() == len(data)


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 2, 0])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"block_size": 64 << 10},
        {"block_size": 256 << 10, "block_linked": False, "block_checksum": True},
        {"block_size": 1 << 20, "content_checksum": False, "level": 9},
        {"level": -20},
        {"seekable": True},
        {"seekable": True, "block_linked": False, "block_size": 64 << 10},
    ],
)
def test_round_trip_path(data, tmp_path, threads, kwargs):
    p = tmp_path / "f.lz4"
    write_file(p, data, threads=threads, **kwargs)
    with lz4framed.open(p, threads=threads) as f:
        assert (f.index is not None) == bool(kwargs.get("seekable"))
        assert f.read() == data
        assert f.read() == b""
        assert f.tell() == len(data)
    # The file is plain LZ4 frames (plus an index in a skippable frame).
    assert lz4framed.decompress(p.read_bytes()) == data


@pytest.mark.parametrize("threads", [1, 2])
def test_round_trip_file_objects(data, threads):
    buf = io.BytesIO()
    with LZ4FrameFile(buf, "wb", threads=threads, seekable=True) as f:
        for i in range(0, len(data), 4096):
            f.write(memoryview(data)[i : i + 4096])
    assert not buf.closed  # file objects are not closed
    buf.seek(0)
    with LZ4FrameFile(buf, threads=threads) as f:
        chunks = []
        while chunk := f.read(100_000):
            chunks.append(chunk)
    assert b"".join(chunks) == data


@pytest.mark.parametrize("threads", [1, 2])
def test_write_to_a_file_like_object_whose_write_returns_none(data, threads):
    # A write() that keeps the bytes and returns nothing (as many sinks do): bz2 writes to it,
    # and so does LZ4FrameFile.
    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, b):
            self.parts.append(bytes(b))

    for opener in (bz2.open, lz4framed.open):
        sink = Sink()
        kwargs = {} if opener is bz2.open else {"threads": threads}
        with opener(sink, "wb", **kwargs) as f:
            f.write(data)
        back = bz2 if opener is bz2.open else lz4framed
        assert back.decompress(b"".join(sink.parts)) == data


def test_empty_file(tmp_path):
    p = tmp_path / "empty.lz4"
    write_file(p, b"")
    with lz4framed.open(p) as f:
        assert f.read() == b""
    assert run_lz4(["-d", "-c", "-q", str(p)]) == b""


def test_compresslevel_is_level_under_the_bz2_name(data, tmp_path):
    a, b = tmp_path / "a.lz4", tmp_path / "b.lz4"
    write_file(a, data, level=9, threads=1)
    with lz4framed.open(b, "wb", compresslevel=9, threads=1) as f:
        f.write(data)
    with LZ4FrameFile(tmp_path / "c.lz4", "wb", compresslevel=9, threads=1) as f:
        f.write(data)
    assert b.read_bytes() == a.read_bytes() == (tmp_path / "c.lz4").read_bytes()
    assert run_lz4(["-d", "-c", "-q", str(b)]) == data
    # Level 9 really was used: smaller than the level-1 frame.
    fast = tmp_path / "fast.lz4"
    write_file(fast, data, level=1, threads=1)
    assert len(b.read_bytes()) < len(fast.read_bytes())
    with pytest.raises(TypeError, match="not both"):
        lz4framed.open(tmp_path / "d.lz4", "wb", level=3, compresslevel=9)


def test_modes(data, tmp_path):
    p = tmp_path / "m.lz4"
    write_file(p, data[:1000])
    with pytest.raises(FileExistsError):
        lz4framed.open(p, "xb")
    with lz4framed.open(p, "ab") as f:  # appends a second frame
        f.write(data[1000:2000])
    with lz4framed.open(p, "rb") as f:
        assert f.read() == data[:2000]
    with lz4framed.open(p, "wb") as f:  # truncates
        f.write(b"new")
    with lz4framed.open(p) as f:
        assert f.read() == b"new"
    with pytest.raises(ValueError):
        lz4framed.open(p, "r+b")
    with pytest.raises(ValueError):
        lz4framed.open(p, "ab", seekable=True)
    with pytest.raises(ValueError):
        lz4framed.open(p, "wb", block_size=12345)
    with pytest.raises(ValueError):
        lz4framed.open(p, "wb", level=13)
    # Negative counts and sizes are ValueErrors naming the argument (not OverflowError).
    with pytest.raises(ValueError, match="block_size"):
        lz4framed.open(p, "wb", block_size=-1)
    for mode in ("rb", "wb"):
        with pytest.raises(ValueError, match="threads"):
            lz4framed.open(p, mode, threads=-1)
    with pytest.raises(ValueError, match="threads"):
        lz4framed.compress(b"x", threads=-1)
    with pytest.raises(ValueError, match="threads"):
        lz4framed.decompress(lz4framed.compress(b"x"), threads=-2)
    with pytest.raises(FileNotFoundError):
        lz4framed.open(tmp_path / "missing.lz4")


@pytest.mark.parametrize(
    ("name", "mode", "error"),
    [
        ("missing.lz4", "rb", FileNotFoundError),
        ("no/such/dir/new.lz4", "wb", FileNotFoundError),
        ("exists.lz4", "xb", FileExistsError),
        (".", "rb", IsADirectoryError),
        (".", "wb", IsADirectoryError),
    ],
)
def test_os_errors_are_those_of_open(tmp_path, name, mode, error):
    # errno, strerror and filename as open() (and bz2.open()) give them, not "[Errno None] None".
    (tmp_path / "exists.lz4").write_bytes(lz4framed.compress(b"x"))
    path = str(tmp_path / name)
    with pytest.raises(error) as ours:
        lz4framed.open(path, mode)
    with pytest.raises(error) as builtin:
        open(path, mode)
    assert ours.value.errno == builtin.value.errno
    assert ours.value.strerror == builtin.value.strerror
    assert ours.value.filename == path
    assert str(ours.value) == f"[Errno {builtin.value.errno}] {builtin.value.strerror}: {path!r}"
    with pytest.raises(error) as ours:
        lz4framed.SeekIndex.read(path) if mode == "rb" else lz4framed.open(path, mode)
    assert ours.value.errno == builtin.value.errno


def test_text_mode(tmp_path):
    p = tmp_path / "t.lz4"
    lines = [f"line {i} ünïcode\n" for i in range(10000)]
    with lz4framed.open(p, "wt", encoding="utf-8") as f:
        f.writelines(lines)
    with lz4framed.open(p, "rt", encoding="utf-8") as f:
        assert f.readlines() == lines
    with pytest.raises(ValueError):
        lz4framed.open(p, "rb", encoding="utf-8")


def test_read_methods(data, tmp_path):
    p = tmp_path / "r.lz4"
    write_file(p, data, block_size=64 << 10)
    with lz4framed.open(p, threads=1) as f:
        assert f.readable() and f.seekable() and not f.writable()
        assert f.peek(5)[:5] == data[:5]
        assert f.tell() == 0
        assert f.read(10) == data[:10]
        b = bytearray(5000)
        assert f.readinto(b) == 5000 and bytes(b) == data[10:5010]
        one = f.read1(100)
        assert 0 < len(one) <= 100 and one == data[5010 : 5010 + len(one)]
        pos = 5010 + len(one)
        line = f.readline()
        assert line == data[pos : data.index(b"\n", pos) + 1]
        pos += len(line)
        assert f.readline(3) == data[pos : pos + 3]
        pos += 3
        f.seek(0)
        lines = list(f)
        assert b"".join(lines) == data
        assert all(line.index(b"\n") == len(line) - 1 for line in lines[:-1])
        assert f.fileno() == f._reader.fileno()
    with pytest.raises(ValueError):
        f.read()


def test_large_reads_and_readinto(corpus_file, tmp_path):
    p = tmp_path / "big.lz4"
    write_file(p, corpus_file, threads=2, block_size=1 << 20)
    for threads in (1, 2):
        with lz4framed.open(p, threads=threads) as f:
            buf = bytearray(3_000_000)
            got = bytearray()
            while n := f.readinto(buf):
                got += buf[:n]
            assert bytes(got) == corpus_file


def test_write_methods(tmp_path):
    p = tmp_path / "w.lz4"
    with lz4framed.open(p, "wb", threads=1) as f:
        assert f.writable() and not f.readable() and not f.seekable()
        f.write(b"abc")
        f.flush()  # ends the block: everything so far is readable
        ctx = lz4framed.create_decompression_context()
        decoded = lz4framed.decompress_update(ctx, p.read_bytes())
        assert b"".join(decoded[:-1]) == b"abc" and decoded[-1] > 0
        f.write(bytearray(b"def"))
        with pytest.raises(io.UnsupportedOperation):
            f.read()
    with lz4framed.open(p) as f:
        assert f.read() == b"abcdef"
        with pytest.raises(io.UnsupportedOperation):
            f.write(b"x")


# -- seeking ---------------------------------------------------------------------------------


def check_random_seeks(f, data, rng, count=300):
    for _ in range(count):
        off = rng.randrange(len(data) + 10)
        n = rng.choice([1, 17, 4096, 70000, 300000])
        whence = rng.choice([0, 1, 2])
        if whence == 0:
            assert f.seek(off) == min(off, len(data))
        elif whence == 1:
            assert f.seek(off - f.tell(), 1) == min(off, len(data))
        else:
            assert f.seek(off - len(data), 2) == min(off, len(data))
        assert f.tell() == min(off, len(data))
        assert f.read(n) == data[off : off + n]


@pytest.mark.parametrize("linked", [True, False])
@pytest.mark.parametrize("where", ["embedded", "sidecar", "given"])
@pytest.mark.parametrize("threads", [1, 2])
def test_random_seeks_indexed(data, tmp_path, linked, where, threads):
    p = tmp_path / "s.lz4"
    if where == "embedded":
        write_file(
            p, data, seekable=True, block_linked=linked, block_size=64 << 10, threads=threads
        )
    else:
        write_file(p, data, block_linked=linked, block_size=64 << 10, threads=threads)
        index = lz4framed.build_index(p, sidecar=True, restart_interval=256 << 10)
        assert os.path.exists(str(p) + ".idx")
    rng = random.Random(f"{linked}{where}{threads}")
    if where == "given":
        os.remove(str(p) + ".idx")
        with open(p, "rb") as raw, LZ4FrameFile(raw, index=index, threads=threads) as f:
            assert f.index is not None
            check_random_seeks(f, data, rng)
        return
    with lz4framed.open(p, threads=threads) as f:
        assert f.index is not None
        assert f.index.decompressed_size == len(data)
        # Sequential reading first (the parallel pipeline with threads), then random access.
        assert f.read(len(data) // 3) == data[: len(data) // 3]
        check_random_seeks(f, data, rng)
        f.seek(0)
        assert f.read() == data


@pytest.mark.parametrize("threads", [1, 2])
def test_seeks_without_index(data, tmp_path, threads):
    p = tmp_path / "n.lz4"
    write_file(p, data, block_size=256 << 10, threads=threads)
    with lz4framed.open(p, threads=threads) as f:
        assert f.index is None and f.seekable()
        check_random_seeks(f, data, random.Random(threads), count=40)
    # A file object with index=False ignores an embedded index.
    write_file(p, data, seekable=True)
    with open(p, "rb") as raw, LZ4FrameFile(raw, index=False) as f:
        assert f.index is None
        f.seek(len(data) - 5)
        assert f.read() == data[-5:]


def test_seek_errors(data, tmp_path):
    p = tmp_path / "e.lz4"
    write_file(p, data[:1000])
    with lz4framed.open(p) as f:
        # Before the start is the start, as bz2/lzma/gzip/lz4.frame file objects clamp it.
        ref = bz2.open(io.BytesIO(bz2.compress(data[:1000])))
        f.read(7)
        ref.read(7)
        assert f.seek(-1) == ref.seek(-1) == 0
        f.read(7)
        ref.read(7)
        assert f.seek(-100, io.SEEK_CUR) == ref.seek(-100, io.SEEK_CUR) == 0
        assert f.seek(-(10**6), io.SEEK_END) == ref.seek(-(10**6), io.SEEK_END) == 0
        assert f.read(5) == data[:5]
        with pytest.raises(ValueError, match="whence"):
            f.seek(0, 3)
        assert f.seek(10**12) == 1000
        assert f.read() == b""


def test_non_seekable_source(data):
    class Pipe(io.RawIOBase):
        def __init__(self, b):
            self.b = io.BytesIO(b)

        def readable(self):
            return True

        def readinto(self, buf):
            return self.b.readinto(buf)

    frame = lz4framed.compress(data)
    with LZ4FrameFile(Pipe(frame)) as f:
        assert not f.seekable()
        with pytest.raises(io.UnsupportedOperation):
            f.seek(0)
        assert f.read() == data


def test_reader_starts_at_file_object_position(data):
    frame = lz4framed.compress(data[:5000])
    buf = io.BytesIO(b"HEADER" + frame)
    buf.seek(6)
    with LZ4FrameFile(buf) as f:
        assert f.read() == data[:5000]
        f.seek(100)
        assert f.read(10) == data[100:110]


# -- seek index API ----------------------------------------------------------------------------


def test_seek_index_api(data, tmp_path):
    p = tmp_path / "i.lz4"
    write_file(p, data, seekable=True, block_linked=True, block_size=64 << 10, threads=1)
    idx = SeekIndex.read(p)
    with open(p, "rb") as raw:
        assert SeekIndex.read(raw).to_bytes() == idx.to_bytes()
    assert idx.decompressed_size == len(data)
    assert 0 < idx.compressed_size < os.path.getsize(p)
    points = idx.restart_points
    assert len(points) == len(idx) > 0
    assert points[0].compressed_offset == 0 and points[0].frame_start
    assert [q.decompressed_offset for q in points] == sorted(q.decompressed_offset for q in points)
    for i, q in enumerate(points):
        w = idx.window(i)
        if q.has_window:
            assert w == data[max(0, q.decompressed_offset - 65536) : q.decompressed_offset]
        else:
            assert w == b""
    with pytest.raises(IndexError):
        idx.window(len(idx))
    assert idx.restart_point_for(0) == 0
    assert idx.restart_point_for(len(data)) is None
    # Pickles as its bytes (Dask ships it to workers).
    again = pickle.loads(pickle.dumps(idx))
    assert again.to_bytes() == idx.to_bytes()
    assert SeekIndex.from_bytes(idx.to_bytes()).decompressed_size == len(data)
    # split: ranges covering the content, each starting at a restart point.
    starts = {q.decompressed_offset for q in points}
    for size in (1, 100_000, 1 << 20, 10**12):
        ranges = idx.split(size)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        assert all(start in starts for start, _ in ranges)
        with open(p, "rb") as raw, LZ4FrameFile(raw, index=again, threads=1) as f:
            for start, stop in ranges[:: max(1, len(ranges) // 5)]:
                f.seek(start)
                assert f.read(stop - start) == data[start:stop]
    with pytest.raises(ValueError):
        idx.split(0)


def test_seek_index_refused_for_other_files(data, tmp_path):
    a, b = tmp_path / "a.lz4", tmp_path / "b.lz4"
    write_file(a, data, seekable=True)
    write_file(b, data[::-1])
    idx = SeekIndex.read(a)
    with open(b, "rb") as raw, pytest.raises(Lz4FramedError, match="another file"):
        LZ4FrameFile(raw, index=idx)
    with pytest.raises(Lz4FramedError, match="no seek index"):
        SeekIndex.read(b)


def test_build_index_embedded_and_replaced(data, tmp_path):
    p = tmp_path / "b.lz4"
    write_file(p, data, block_linked=True, block_size=64 << 10)
    size = os.path.getsize(p)
    first = lz4framed.build_index(p)
    grown = os.path.getsize(p)
    assert grown > size
    second = lz4framed.build_index(p, restart_interval=128 << 10)  # replaces the first
    assert len(second) > len(first)
    assert lz4framed.decompress(p.read_bytes()) == data
    with lz4framed.open(p) as f:
        assert len(f.index) == len(second)
        check_random_seeks(f, data, random.Random(5), count=50)


def test_truncated_file_raises_eof_after_complete_blocks(data, tmp_path):
    frame = lz4framed.compress(data, block_size_id=4, block_mode_linked=False)
    # Block boundaries: decode block by block with the original API to learn them.
    for cut in (len(frame) // 3, len(frame) - 9, 20):
        truncated = frame[:cut]
        ctx = lz4framed.create_decompression_context()
        complete = b"".join(lz4framed.decompress_update(ctx, truncated)[:-1])
        for threads in (1, 2):
            got = bytearray()
            with LZ4FrameFile(io.BytesIO(truncated), threads=threads) as f:
                with pytest.raises(Lz4FramedEOFError) as info:
                    while chunk := f.read(50_000):
                        got += chunk
            assert bytes(got) == complete
            assert isinstance(info.value, EOFError)
            assert isinstance(info.value, Lz4FramedError)
            assert "truncated" in info.value.args[0]
