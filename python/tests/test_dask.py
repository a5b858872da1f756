"""lz4framed.dask: one .lz4 file split across a Dask cluster through its seek index.

The truth is the original bytes and Dask itself: every block must equal what fsspec's
`read_block` (which `dask.bytes.read_bytes` uses on uncompressed files) cuts from the original
bytes at the same offsets, every bag of lines what `dask.bag.read_text` makes of the
uncompressed file, and everything together the file decoded in one go.

The tasks run on a `distributed.LocalCluster` of two worker processes, shared by the module.
"""

from __future__ import annotations

import io
import logging
import pickle
import random
import subprocess
import uuid
from pathlib import Path

import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
fsspec = pytest.importorskip("fsspec")

import dask  # noqa: E402
import dask.bag  # noqa: E402
from conftest import lz4_tool  # noqa: E402
from fsspec.implementations.local import LocalFileSystem  # noqa: E402
from fsspec.implementations.memory import MemoryFileSystem  # noqa: E402
from fsspec.utils import read_block  # noqa: E402

import lz4framed  # noqa: E402
import lz4framed.dask as ld  # noqa: E402

BLOCK = 64 * 1024  # the block size of the test files: block boundaries at multiples of it
DELIMITERS = [None, b"\n", b"\r\n", b"<sep>"]


def _text(n: int, seed: int) -> bytes:
    """About `n` bytes of UTF-8 text in lines: words (some with multi-byte characters), empty
    lines, "\\r\\n" endings, the record separator "<sep>", and now and then a line longer than
    a block (so lines straddle block and restart boundaries). At every multiple of BLOCK (a
    block boundary, so a restart point) a delimiter straddles the boundary or starts right on
    it, in turn: "<sep>" (2 bytes before), "\\r\\n" (1 before), "\\n" (on it). No trailing
    newline."""
    rng = random.Random(seed)
    words = ["frame", "block", "window", "restart", "point", "split", "délimité", "€", "数据"]
    special = [(2, "<sep>"), (1, "\r\n"), (0, "\n")]
    out: list[str] = []
    size = 0
    boundary = BLOCK
    k = 0
    long_left = 0

    def put(s: str) -> None:
        nonlocal size, boundary, k
        b = len(s.encode())
        off, delim = special[k % 3]
        if size + b > boundary - off:
            pad = boundary - off - size
            out.append("y" * pad + delim)
            size += pad + len(delim.encode())
            boundary += BLOCK
            k += 1
        out.append(s)
        size += b

    while size < n:
        if long_left > 0:
            put(rng.choice(words[:6]) + " ")
            long_left -= 1
            continue
        r = rng.random()
        if r < 0.0004:
            long_left = rng.randrange(12_000, 20_000)  # ~100 KB without a newline
        elif r < 0.08:
            put("\n")
        elif r < 0.09:
            put("\r\n")
        elif r < 0.095:
            put("<sep>")
        else:
            put(rng.choice(words) + " ")
    text = "".join(out).encode()
    return text.rstrip(b"\r\n") + b"last line, no newline"


@pytest.fixture(scope="module")
def text() -> bytes:
    t = _text(3 * 1024 * 1024, 7)
    assert not t.endswith(b"\n")
    return t


def _write(path: Path, data: bytes, *, linked: bool, **kw) -> None:
    with lz4framed.open(path, "wb", block_size=BLOCK, block_linked=linked, **kw) as f:
        f.write(data)


@pytest.fixture(scope="module")
def files(tmp_path_factory, text: bytes) -> dict[str, Path]:
    """The text compressed three ways, each with a seek index."""
    d = tmp_path_factory.mktemp("dask")
    out = {}
    # Independent 64 KiB blocks with block checksums, index embedded while compressing.
    out["independent"] = d / "independent.lz4"
    _write(out["independent"], text, linked=False, block_checksum=True, seekable=True)
    # Linked 64 KiB blocks; an index with a restart point (and its window) every ~100 kB.
    out["linked"] = d / "linked.lz4"
    _write(out["linked"], text, linked=True)
    lz4framed.build_index(out["linked"], restart_interval=100_000)
    return out


@pytest.fixture(scope="module")
def tool_file(tmp_path_factory, text: bytes) -> Path:
    """The text compressed by the lz4 tool (64 KiB linked blocks, content checksum), with a
    sidecar index."""
    d = tmp_path_factory.mktemp("dask-tool")
    src = d / "text"
    src.write_bytes(text)
    path = d / "tool.lz4"
    subprocess.run([lz4_tool(), "-q", "-B4", "-BD", str(src), str(path)], check=True)
    lz4framed.build_index(path, sidecar=True, restart_interval=100_000)
    return path


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        local_directory=str(tmp_path_factory.mktemp("dask-workers")),
        silence_logs=logging.ERROR,
    )
    c = distributed.Client(cluster, set_as_default=False)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def _compute(client, *objs):
    return dask.compute(*objs, scheduler=client)


def _check_blocks(data: bytes, planned: list[ld.Split], got: list[bytes], delimiter) -> None:
    """Each block is what fsspec's read_block cuts from the original bytes at the split's
    offsets (Dask's rule), and together they are the whole content."""
    assert len(got) == len(planned)
    for s, block in zip(planned, got):
        expected = read_block(io.BytesIO(data), s.start, s.stop - s.start, delimiter)
        assert block == expected, (s, len(block), len(expected))
    assert b"".join(got) == data


@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("kind", ["independent", "linked", "lz4-tool-sidecar"])
def test_read_bytes_cuts_as_dask(client, files, tool_file, text, kind, delimiter):
    path = tool_file if kind == "lz4-tool-sidecar" else files[kind]
    _, blocks = ld.read_bytes(str(path), blocksize=200_000, delimiter=delimiter)
    planned = ld.splits(str(path), blocksize=200_000, delimiter=delimiter)[0]
    assert len(blocks) == 1 and len(blocks[0]) == len(planned) >= 10
    index = lz4framed.SeekIndex.read(path)
    starts = {p.decompressed_offset for p in index.restart_points}
    assert all(s.start in starts for s in planned)
    if kind == "linked":
        assert any(index[index.restart_point_for(s.start)].has_window for s in planned)
    if delimiter is not None:
        # Splits start inside records, and records straddle them: the rule has work to do.
        assert any(not text[: s.start].endswith(delimiter) for s in planned[1:])
        if len(delimiter) > 1:
            starts = [s.start for s in planned[1:]]
            assert any(text.find(delimiter, p - len(delimiter) + 1) < p for p in starts)
    got = list(_compute(client, *blocks[0]))
    _check_blocks(text, planned, got, delimiter)
    assert got == [s.read() for s in planned]
    # The whole file decoded in one go agrees.
    assert lz4framed.decompress(path.read_bytes()) == text


def test_delimiter_right_on_a_split_start(files, text):
    """A delimiter that starts exactly at a split's start ends the split before it (the first
    delimiter at or after its end), and the split itself starts after it."""
    planned = ld.splits(str(files["independent"]), blocksize=200_000, delimiter=b"\n")[0]
    on = [s for s in planned[1:] if text[s.start : s.start + 1] == b"\n"]
    assert on, "the test text puts a newline on some block boundaries"
    got = [s.read() for s in planned]
    for s in on:
        i = planned.index(s)
        assert got[i - 1].endswith(text[: s.start + 1][-200:])
        assert text[s.start + 1 :].startswith(got[i][:200])
    _check_blocks(text, planned, got, b"\n")


def test_read_text_equals_dask_bag_read_text(client, files, tmp_path, text):
    plain = tmp_path / "text"
    plain.write_bytes(text)
    for kind in ("independent", "linked"):
        bag = ld.read_text(str(files[kind]), blocksize=300_000)
        assert bag.npartitions >= 8
        (ours,) = _compute(client, bag)
        (theirs,) = _compute(client, dask.bag.read_text(str(plain), blocksize=300_000))
        assert ours == theirs
        assert ours == io.StringIO(text.decode(), newline=None).readlines()
        assert ours[-1].endswith("last line, no newline")
        (count,) = _compute(client, ld.read_text(str(files[kind]), blocksize=300_000).count())
        assert count == len(theirs)
    # Another line delimiter cuts the splits and ends the lines, as in Dask.
    bag = ld.read_text(str(files["linked"]), blocksize=250_000, linedelimiter="<sep>")
    theirs = dask.bag.read_text(str(plain), blocksize=250_000, linedelimiter="<sep>")
    (a, b) = _compute(client, bag, theirs)
    assert a == b
    # "\r\n": lines end only there, and nothing is rewritten (Dask's io.StringIO would turn
    # each lone "\n" into "\r\n": its newline translation on write).
    (a,) = _compute(client, ld.read_text(str(files["linked"]), 250_000, linedelimiter="\r\n"))
    parts = text.decode().split("\r\n")
    assert a == [p + "\r\n" for p in parts[:-1]] + [parts[-1]]


@pytest.mark.parametrize("piece", [997, 64 * 1024])
def test_lines_streamed_equal_the_bytes(files, text, monkeypatch, piece):
    """Split.lines() decodes piece by piece (small, odd pieces here: delimiters straddle them)
    and must cut exactly where read() does."""
    monkeypatch.setattr(ld, "_STREAM_PIECE", piece)
    for linedelimiter in (None, "\r\n", "<sep>"):
        delimiter = linedelimiter.encode() if linedelimiter else b"\n"
        planned = ld.splits(str(files["linked"]), blocksize=300_000, delimiter=delimiter)[0]
        for s in planned:
            lines = s.lines(linedelimiter=linedelimiter)
            block = s.read()
            if linedelimiter is None:
                assert lines == io.StringIO(block.decode(), newline=None).readlines()
            else:
                assert "".join(lines) == block.decode()
                assert all(x.endswith(linedelimiter) for x in lines[:-1])


def _memory_put(path: str, data: bytes | None) -> None:
    fs = fsspec.filesystem("memory")
    if data is None:
        fs.rm(path)
    else:
        fs.pipe_file(path, data)


def test_memory_filesystem(client, files, text):
    """A memory:// file (put into every worker process's memory filesystem too): fsspec
    opens it in the tasks, not the local path."""
    path = f"/lz4framed-test-{uuid.uuid4().hex}/text.lz4"
    data = files["linked"].read_bytes()
    _memory_put(path, data)
    client.run(_memory_put, path, data)
    try:
        for delimiter in (None, b"\n"):
            _, blocks = ld.read_bytes("memory://" + path, blocksize="256 kiB", delimiter=delimiter)
            planned = ld.splits("memory://" + path, blocksize="256 kiB", delimiter=delimiter)[0]
            assert len(blocks[0]) >= 8
            assert all(isinstance(s.fs, MemoryFileSystem) for s in planned)
            _check_blocks(text, planned, list(_compute(client, *blocks[0])), delimiter)
    finally:
        _memory_put(path, None)
        client.run(_memory_put, path, None)


def test_file_without_index(client, tmp_path, text):
    """python-lz4 writes a file without an index: it is read correctly, as one partition,
    with a warning that names the remedy."""
    lz4 = pytest.importorskip("lz4.frame")
    path = tmp_path / "plain.lz4"
    path.write_bytes(lz4.compress(text, block_size=lz4.BLOCKSIZE_MAX64KB, content_checksum=True))
    assert lz4framed.SeekIndex.read(path, missing_ok=True) is None
    for delimiter in (None, b"\n"):
        with pytest.warns(ld.NoIndexWarning, match=r"lz4framed index FILE.*build_index"):
            _, blocks = ld.read_bytes(str(path), blocksize=100_000, delimiter=delimiter)
        assert len(blocks[0]) == 1
        (got,) = _compute(client, *blocks[0])
        assert got == text
    with pytest.warns(ld.NoIndexWarning, match=str(path)):
        bag = ld.read_text(str(path), blocksize=100_000)
    assert bag.npartitions == 1
    (lines,) = _compute(client, bag)
    assert lines == io.StringIO(text.decode(), newline=None).readlines()
    # Indexed afterwards, the same file splits.
    lz4framed.build_index(path, restart_interval=100_000)
    assert len(ld.splits(str(path), blocksize=100_000)[0]) > 10


def test_truncated_file_without_index(tmp_path, text):
    """Data that ends inside a frame is an Lz4FramedEOFError naming the file, not short data."""
    path = tmp_path / "truncated.lz4"
    whole = lz4framed.compress(text, block_size_id=lz4framed.LZ4F_BLOCKSIZE_MAX64KB)
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.warns(ld.NoIndexWarning):
        (split,) = ld.splits(str(path), delimiter=b"\n")[0]
    with pytest.raises(lz4framed.Lz4FramedEOFError, match=f"{path}.*(end|trunc)"):
        split.read()


class CountingFileSystem(LocalFileSystem):
    """Local files whose reads are logged, one line `OPEN-ID OFFSET LENGTH` each, to the file
    `log` (shared by the processes of the cluster)."""

    protocol = "lz4framed-counting"

    def __init__(self, log: str, **kwargs):
        super().__init__(**kwargs)
        self.log = log

    def _open(self, path, mode="rb", block_size=None, **kwargs):
        return _CountingFile(super()._open(path, mode, block_size, **kwargs), self.log)


class _CountingFile:
    def __init__(self, f, log: str):
        self._f = f
        self._log = log
        self._id = uuid.uuid4().hex

    def read(self, n: int = -1) -> bytes:
        at = self._f.tell()
        b = self._f.read(n)
        with open(self._log, "a") as log:
            log.write(f"{self._id} {at} {len(b)}\n")
        return b

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __getattr__(self, name):
        return getattr(self._f, name)


def _reads(log: Path) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            i, at, n = line.split()
            if int(n):
                out.setdefault(i, []).append((int(at), int(n)))
    return out


@pytest.mark.parametrize("kind", ["independent", "linked"])
def test_tasks_read_only_their_range(client, tmp_path, kind):
    """The client reads the index, frame headers and the sample; each task reads from its
    restart point to the next split's, and past it only as far as the delimiter needs —
    nothing before, never the whole file."""
    data = _text(8 << 20, 11)
    path = tmp_path / "big.lz4"
    _write(path, data, linked=kind == "linked", seekable=kind == "independent")
    if kind == "linked":
        lz4framed.build_index(path, restart_interval=200_000)
    index = lz4framed.SeekIndex.read(path)
    size = path.stat().st_size
    fsspec.register_implementation(CountingFileSystem.protocol, CountingFileSystem, clobber=True)
    url = f"{CountingFileSystem.protocol}://{path}"
    for delimiter in (None, b"\n"):
        log = tmp_path / f"reads-{delimiter!r}.log"
        options = {"log": str(log)}
        _, blocks = ld.read_bytes(url, "512 kiB", delimiter, "10 kiB", options)
        client_reads = sum(n for reads in _reads(log).values() for _, n in reads)
        # The embedded index, plus at most the first block or two for the sample.
        assert client_reads <= (size - index.compressed_size) + 4 * BLOCK
        log.unlink()
        planned = ld.splits(url, "512 kiB", delimiter, options)[0]
        log.unlink()
        got = list(_compute(client, *blocks[0]))
        _check_blocks(data, planned, got, delimiter)
        tasks = _reads(log)
        assert len(tasks) == len(planned) >= 12
        by_start = {min(at for at, _ in reads): reads for reads in tasks.values()}
        assert sorted(by_start) == [s.compressed_start for s in planned]
        bodies = 0
        for s in planned:
            reads = by_start[s.compressed_start]
            # Contiguous, from the restart point on.
            end = s.compressed_start
            for at, n in reads:
                assert at == end
                end += n
            body = s.compressed_stop - s.compressed_start
            if delimiter is None:
                assert end == s.compressed_stop
            else:
                # Past the split's end: up to the block that holds the end of the first
                # delimiter (at most up to the next restart point), and the decoder's
                # read-ahead (it reads 64 KiB at a time).
                assert end >= s.compressed_stop
                if s.stop < index.decompressed_size:
                    d_end = data.find(delimiter, s.stop) + len(delimiter)
                    need = _compressed_end_of(index, d_end) - s.compressed_stop
                    assert end - s.compressed_stop <= need + 64 * 1024
            assert end - s.compressed_start < size / 4
            bodies += body
        # The splits' compressed ranges tile the data: nothing is read twice but the tails.
        assert bodies == index.compressed_size


def _compressed_end_of(index: lz4framed.SeekIndex, offset: int) -> int:
    """The compressed offset of the first restart point at or after decompressed `offset`."""
    for p in index.restart_points:
        if p.decompressed_offset >= offset:
            return p.compressed_offset
    return index.compressed_size


def test_splits_pickle_small_and_read_anywhere(files, text):
    for kind, limit in (("independent", 1024), ("linked", 70 * 1024)):
        planned = ld.splits(str(files[kind]), blocksize=200_000, delimiter=b"\n")[0]
        for s in planned:
            b = pickle.dumps(s)
            assert len(b) < limit
            back = pickle.loads(b)
            assert back == s and back.index.to_bytes() == s.index.to_bytes()
        assert b"".join(pickle.loads(pickle.dumps(s)).read() for s in planned) == text


def test_sample(files, text):
    path = str(files["independent"])
    sample, _ = ld.read_bytes(path, blocksize=200_000)
    assert sample == text[: 10 * 1024]
    sample, _ = ld.read_bytes(path, blocksize=200_000, sample=100_000, delimiter=b"<sep>")
    assert sample == text[: text.index(b"<sep>", 100_000) + 5]
    sample, _ = ld.read_bytes(path, sample=False)
    assert sample is False
    sample, _ = ld.read_bytes(path, sample=len(text) + 10, delimiter=b"\n")
    assert sample == text


def test_glob_list_and_blocksize_none(client, files, tool_file, text, tmp_path):
    d = tmp_path / "many"
    d.mkdir()
    for i in range(3):
        (d / f"part-{i}.lz4").write_bytes(files["linked"].read_bytes())
    _, blocks = ld.read_bytes(str(d / "part-*.lz4"), blocksize=1 << 20, delimiter=b"\n")
    assert len(blocks) == 3 and all(len(b) == 3 for b in blocks)
    results = _compute(client, *[b for bs in blocks for b in bs])
    assert b"".join(results) == text * 3
    # A list of files, and one block per file.
    _, blocks = ld.read_bytes([str(files["independent"]), str(tool_file)], blocksize=None)
    assert [len(b) for b in blocks] == [1, 1]
    assert _compute(client, blocks[0][0], blocks[1][0]) == (text, text)
    with pytest.raises(OSError, match="resolved to no files"):
        ld.read_bytes(str(d / "nothing-*.lz4"))


def test_split_count_follows_dask(files, text):
    """As many splits as dask.bytes.read_bytes makes of the decompressed size, each moved to
    the nearest restart point."""
    for blocksize in (150_000, 400_000, 1 << 20, 10 << 20):
        planned = ld.splits(str(files["independent"]), blocksize=blocksize)[0]
        parts = max(len(text) // blocksize, 1)
        assert len(planned) == parts
        for k, s in enumerate(planned[1:], 1):
            cut = int(k * len(text) / parts)
            assert abs(s.start - cut) <= BLOCK // 2
    with pytest.raises(ValueError, match="blocksize"):
        ld.splits(str(files["independent"]), blocksize=0)


def test_empty_content(client, tmp_path):
    empty = tmp_path / "empty.lz4"
    _write(empty, b"", linked=False, seekable=True)
    zero = tmp_path / "zero.lz4"
    zero.write_bytes(b"")
    for path in (empty, zero):
        sample, blocks = ld.read_bytes(str(path), delimiter=b"\n")
        assert blocks == [[]] and sample == b""
        bag = ld.read_text(str(path))
        assert _compute(client, bag.count()) == (0,)


def test_block_checksum_mismatch_is_caught_by_the_split(files, tmp_path, text):
    """A split checks the block checksums of what it decodes; the error names the file."""
    index = lz4framed.SeekIndex.read(files["independent"])
    point = index[len(index) // 2]
    broken = bytearray(files["independent"].read_bytes())
    broken[point.compressed_offset + 4 + 100] ^= 0x55  # inside the block's data
    path = tmp_path / "broken.lz4"
    path.write_bytes(bytes(broken))
    planned = ld.splits(str(path), blocksize=200_000)[0]
    bad = [s for s in planned if s.start <= point.decompressed_offset < s.stop]
    for s in planned:
        if s in bad:
            with pytest.raises(lz4framed.Lz4FramedError, match=f"{path}.*block checksum"):
                s.read()
        else:
            assert s.read() == text[s.start : s.stop]


def test_split_errors_number_frames_as_the_file(tmp_path, text):
    """A split's decoder starts at its restart point, knowing nothing before it; its errors
    must still name the frame by the file's number (skippable frames not counted), as
    decoding the whole file does: 5 frames and a skippable frame, a block of frame 4 damaged
    (its block checksum catches it in every split that decodes it, whether the split starts
    in frame 4, at its start, or in an earlier frame)."""
    parts = [text[k * 300_000 : (k + 1) * 300_000] for k in range(5)]
    frames = [
        lz4framed.compress(
            p,
            block_size_id=lz4framed.LZ4F_BLOCKSIZE_MAX64KB,
            block_mode_linked=False,
            block_checksum=True,
        )
        for p in parts
    ]
    skippable = (0x184D2A51).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"skip!"
    at = sum(map(len, frames[:3])) + len(skippable)
    data = b"".join(frames[:2]) + skippable + b"".join(frames[2:])
    path = tmp_path / "frames.lz4"
    path.write_bytes(data)
    index = lz4framed.build_index(path)
    frame4 = [p for p in index.restart_points if at <= p.compressed_offset < at + len(frames[3])]
    victim = frame4[3]  # the third block of frame 4 (frame4[0] is the frame start)
    assert not victim.frame_start
    with open(path, "r+b") as f:  # damaged after indexing, as a disk or a transfer would
        f.seek(victim.compressed_offset + 4 + 50)
        b = f.read(1)
        f.seek(-1, io.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x55]))
    whole = r"block checksum mismatch in frame 4 at offset " + str(victim.compressed_offset)
    with pytest.raises(lz4framed.Lz4FramedError, match=whole):
        lz4framed.decompress(path.read_bytes())
    content = b"".join(parts)
    for blocksize in (100_000, 200_000, 700_000):
        planned = ld.splits(str(path), blocksize=blocksize)[0]
        failed = 0
        for s in planned:
            if s.start <= victim.decompressed_offset < s.stop:
                for split in (s, pickle.loads(pickle.dumps(s))):
                    with pytest.raises(lz4framed.Lz4FramedError, match=whole):
                        split.read()
                failed += 1
            else:
                assert s.read() == content[s.start : s.stop]
        assert failed == 1


def test_content_checksum_is_checked_only_by_a_split_over_the_whole_frame(tmp_path, text):
    """What the docs say: a split that enters a frame in the middle cannot check the frame's
    content checksum; one that decodes the frame from its start through its end does. The file
    is two frames (decoded one after the other, as every LZ4 reader does), the first with a
    wrong content checksum."""
    path = tmp_path / "checksum.lz4"
    _write(path, text, linked=True)
    second = text[:500_000]
    with lz4framed.open(path, "ab", block_size=BLOCK) as f:
        f.write(second)
    index = lz4framed.build_index(path, restart_interval=100_000)
    frame2 = next(p for p in index.restart_points[1:] if p.frame_start)
    with open(path, "r+b") as f:
        f.seek(frame2.compressed_offset - 1)  # the last byte of frame 1's content checksum
        b = f.read(1)
        f.seek(-1, io.SEEK_CUR)
        f.write(bytes([b[0] ^ 1]))
    planned = ld.splits(str(path), blocksize=200_000)[0]
    assert len(planned) > 10 and all(s.start != 0 for s in planned[1:])
    assert b"".join(s.read() for s in planned) == text + second
    (whole,) = ld.splits(str(path), blocksize=None)[0]
    with pytest.raises(lz4framed.Lz4FramedError, match="content checksum mismatch in frame 1"):
        whole.read()
    with pytest.raises(lz4framed.Lz4FramedError, match="content checksum"):
        lz4framed.decompress(path.read_bytes())


def test_a_changed_file_is_refused(files, tmp_path, text):
    path = tmp_path / "changing.lz4"
    path.write_bytes(files["independent"].read_bytes())
    planned = ld.splits(str(path), blocksize=200_000)[0]
    with open(path, "ab") as f:
        f.write(b"\0" * 10)
    with pytest.raises(lz4framed.Lz4FramedError, match="changed since it was split"):
        planned[1].read()


def test_sidecar_of_another_file_is_refused(files, tmp_path):
    path = tmp_path / "other.lz4"
    _write(path, b"other data\n" * 50_000, linked=False)
    # A sidecar index built for another file (of other content), put beside this one.
    tmp = tmp_path / "copy.lz4"
    tmp.write_bytes(files["independent"].read_bytes())
    lz4framed.build_index(tmp, sidecar=True)
    Path(str(path) + ".idx").write_bytes(Path(str(tmp) + ".idx").read_bytes())
    with pytest.raises(lz4framed.Lz4FramedError, match=r"other\.lz4\.idx"):
        ld.splits(str(path))


def test_seek_index_restart_bindings(files, text):
    """The native pieces the tasks use: restart_index + decompressor_at, against the text."""
    path = files["linked"]
    raw = path.read_bytes()
    index = lz4framed.SeekIndex.read(path)
    assert index[-1] == index.restart_points[-1] and index[0] == index.restart_points[0]
    with pytest.raises(IndexError):
        index[len(index)]
    for i in (0, 1, len(index) // 2, len(index) - 1):
        sub = index.restart_index(i)
        point = sub[-1]
        assert point == index[i] or (point.frame_start and i > 0)
        at = sub.frame_header_offset(len(sub) - 1)
        header = None if at is None else raw[at : at + 19]
        ctx = sub.decompressor_at(len(sub) - 1, header)
        out = lz4framed.decompress_update(ctx, raw[point.compressed_offset :], 1 << 40)
        assert out.pop() == 0
        assert b"".join(out) == text[point.decompressed_offset :]
    j = next(i for i, p in enumerate(index.restart_points) if p.has_window)
    with pytest.raises(lz4framed.Lz4FramedError):
        index.decompressor_at(j, None)  # inside a frame: its header is needed
    with pytest.raises(lz4framed.Lz4FramedError):
        index.decompressor_at(j, b"\x04\x22\x4d\x18\x64\x40\x00")  # bad header checksum
    index.verify(path)
    with open(path, "rb") as f:
        index.verify(f)
    other = lz4framed.SeekIndex.read(files["independent"])
    with pytest.raises(lz4framed.Lz4FramedError, match=r"another file|fingerprint"):
        other.verify(path)
