"""Interoperability: frames from python-lz4 and the lz4 tool read here, ours read there."""

from __future__ import annotations

import io
import itertools

import lz4.frame
import pytest
from conftest import run_lz4

import lz4framed

PY_BLOCK = {
    64 << 10: lz4.frame.BLOCKSIZE_MAX64KB,
    256 << 10: lz4.frame.BLOCKSIZE_MAX256KB,
    1 << 20: lz4.frame.BLOCKSIZE_MAX1MB,
    4 << 20: lz4.frame.BLOCKSIZE_MAX4MB,
}
ORIGINAL_ID = {64 << 10: 4, 256 << 10: 5, 1 << 20: 6, 4 << 20: 7}


# -- python-lz4 -> lz4framed -----------------------------------------------------------------


@pytest.mark.parametrize(
    "block_size,linked,content_checksum,block_checksum,store_size,level",
    [
        (64 << 10, True, False, False, True, 0),
        (64 << 10, False, True, True, False, 0),
        (256 << 10, True, True, False, True, 9),
        (1 << 20, False, False, True, True, -5),
        (4 << 20, False, True, False, False, 0),
        (4 << 20, True, False, False, True, 16),
    ],
)
def test_python_lz4_frames_read_here(
    data, block_size, linked, content_checksum, block_checksum, store_size, level
):
    frame = lz4.frame.compress(
        data,
        compression_level=level,
        block_size=PY_BLOCK[block_size],
        block_linked=linked,
        content_checksum=content_checksum,
        block_checksum=block_checksum,
        store_size=store_size,
    )
    assert lz4framed.decompress(frame) == data
    assert lz4framed.decompress(frame, threads=2) == data
    for threads in (1, 2):
        with lz4framed.open(io.BytesIO(frame), threads=threads) as f:
            assert f.read() == data
    ctx = lz4framed.create_decompression_context()
    out = b"".join(
        b"".join(lz4framed.decompress_update(ctx, frame[i : i + 1000])[:-1])
        for i in range(0, len(frame), 1000)
    )
    assert out == data
    info = lz4framed.get_frame_info(ctx)
    # LZ4F_compressFrame makes a frame that fits one block independent.
    assert info["block_mode_linked"] == (linked and len(data) > block_size)
    assert info["checksum"] == content_checksum
    assert info["length"] == (len(data) if store_size else 0)


def test_python_lz4_streamed_frames_read_here(data):
    # LZ4FrameCompressor: a frame written piece by piece, concatenated with a second one.
    parts = []
    for linked in (True, False):
        c = lz4.frame.LZ4FrameCompressor(block_linked=linked, content_checksum=True)
        parts.append(c.begin())
        for i in range(0, len(data), 77777):
            parts.append(c.compress(data[i : i + 77777]))
        parts.append(c.flush())
    stream = b"".join(parts)
    assert lz4framed.decompress(stream) == data + data
    for threads in (1, 2):
        with lz4framed.open(io.BytesIO(stream), threads=threads) as f:
            assert f.read() == data + data


# -- lz4framed -> python-lz4 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "block_size,linked,checksum,block_checksum,level",
    list(
        itertools.product([64 << 10, 4 << 20], [True, False], [True, False], [False, True], [0, 9])
    )[::3],
)
def test_original_api_frames_read_by_python_lz4(
    data, block_size, linked, checksum, block_checksum, level
):
    frame = lz4framed.compress(
        data,
        block_size_id=ORIGINAL_ID[block_size],
        block_mode_linked=linked,
        checksum=checksum,
        level=level,
        block_checksum=block_checksum,
    )
    assert lz4.frame.decompress(frame) == data
    # Streaming with contexts.
    ctx = lz4framed.create_compression_context()
    out = [
        lz4framed.compress_begin(
            ctx,
            block_size_id=ORIGINAL_ID[block_size],
            block_mode_linked=linked,
            checksum=checksum,
            level=level,
        )
    ]
    for i in range(0, len(data), 100000):
        out.append(lz4framed.compress_update(ctx, data[i : i + 100000]))
    out.append(lz4framed.compress_end(ctx))
    assert lz4.frame.decompress(b"".join(out)) == data


@pytest.mark.parametrize(
    "block_size,linked,seekable,threads,level",
    [
        (64 << 10, True, False, 1, 1),
        (64 << 10, False, True, 1, 1),
        (256 << 10, True, True, 2, 3),
        (1 << 20, False, False, 2, -3),
        (4 << 20, True, True, 0, 1),
        (4 << 20, False, True, 2, 12),
    ],
)
def test_file_api_frames_read_by_python_lz4(data, block_size, linked, seekable, threads, level):
    buf = io.BytesIO()
    with lz4framed.open(
        buf,
        "wb",
        block_size=block_size,
        block_linked=linked,
        seekable=seekable,
        threads=threads,
        level=level,
        block_checksum=True,
    ) as f:
        for i in range(0, len(data), 300001):
            f.write(data[i : i + 300001])
    frame = buf.getvalue()
    # python-lz4 decodes the frame (and skips the index, a skippable frame).
    assert lz4.frame.decompress(frame) == data
    with lz4.frame.LZ4FrameFile(io.BytesIO(frame)) as f:
        assert f.read() == data


# -- the lz4 tool ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["-9"],
        ["-BD"],
        ["-B4"],
        ["-B5", "-BX"],
        ["-B6", "--no-frame-crc"],
        ["--content-size"],
        ["--fast=5"],
        ["-l"],
    ],
)
def test_lz4_tool_files_read_here(data, tmp_path, flags):
    src = tmp_path / "in"
    src.write_bytes(data)
    dst = tmp_path / "in.lz4"
    run_lz4([*flags, "-q", "-f", str(src), str(dst)])
    frame = dst.read_bytes()
    assert lz4framed.decompress(frame) == data
    for threads in (1, 2):
        with lz4framed.open(dst, threads=threads) as f:
            assert f.read() == data
    # Seeking without an index decodes forward / restarts.
    with lz4framed.open(dst, threads=1) as f:
        f.seek(len(data) // 2)
        assert f.read(1000) == data[len(data) // 2 : len(data) // 2 + 1000]
        f.seek(10)
        assert f.read(10) == data[10:20]


def test_lz4_tool_concatenated_files_and_stdin(data, tmp_path):
    a = run_lz4(["-c", "-q"], stdin=data[:100000])
    b = run_lz4(["-c", "-q", "-BD", "-9"], stdin=data[100000:])
    both = a + b
    assert lz4framed.decompress(both) == data
    p = tmp_path / "cat.lz4"
    p.write_bytes(both)
    for threads in (1, 2):
        with lz4framed.open(p, threads=threads) as f:
            assert f.read() == data


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"block_linked": False, "block_size": 64 << 10},
        {"seekable": True},
        {"seekable": True, "block_linked": False, "threads": 2},
        {"content_checksum": False, "block_checksum": True, "level": 9},
        {"threads": 2, "level": -10},
    ],
)
def test_files_written_here_read_by_lz4_tool(data, tmp_path, kwargs):
    p = tmp_path / "out.lz4"
    with lz4framed.open(p, "wb", **kwargs) as f:
        f.write(data)
    assert run_lz4(["-d", "-c", "-q", str(p)]) == data
    # `lz4 -t` tests integrity (checksums included).
    run_lz4(["-t", "-q", str(p)])


def test_original_api_frames_read_by_lz4_tool(data):
    for kwargs in (
        {},
        {"checksum": True, "block_mode_linked": False, "block_size_id": 7},
        {"level": 12, "block_checksum": True},
    ):
        frame = lz4framed.compress(data, **kwargs)
        assert run_lz4(["-d", "-c", "-q"], stdin=frame) == data


def test_build_index_keeps_file_readable_by_lz4_tool(data, tmp_path):
    p = tmp_path / "tool.lz4"
    (tmp_path / "src").write_bytes(data)
    run_lz4(["-q", "-f", "-BD", str(tmp_path / "src"), str(p)])
    index = lz4framed.build_index(p)
    assert index.decompressed_size == len(data)
    assert run_lz4(["-d", "-c", "-q", str(p)]) == data
    with lz4framed.open(p) as f:
        assert f.index is not None
        f.seek(len(data) - 100)
        assert f.read() == data[-100:]
