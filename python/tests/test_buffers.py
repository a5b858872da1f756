"""Any buffer-protocol object as input (read in place), writable buffers for readinto."""

from __future__ import annotations

import array
import io
import mmap

import pytest

import lz4framed


def inputs(data: bytes):
    yield data
    yield bytearray(data)
    yield memoryview(data)
    yield memoryview(b"xx" + data + b"yy")[2:-2]  # a contiguous slice
    a = array.array("I")
    a.frombytes(data[: len(data) // 4 * 4])
    yield a
    m = mmap.mmap(-1, len(data))
    m.write(data)
    yield m
    try:
        import numpy as np
    except ImportError:
        return
    yield np.frombuffer(data, dtype=np.uint8)
    yield np.frombuffer(data[: len(data) // 8 * 8], dtype=np.float64)


def as_bytes(obj) -> bytes:
    return bytes(memoryview(obj).cast("B"))


def test_every_input_type(small_data):
    frame = lz4framed.compress(small_data)
    for obj in inputs(small_data):
        raw = as_bytes(obj)
        assert lz4framed.decompress(lz4framed.compress(obj)) == raw
        ctx = lz4framed.create_compression_context()
        out = lz4framed.compress_begin(ctx) + lz4framed.compress_update(ctx, obj)
        assert lz4framed.decompress(out + lz4framed.compress_end(ctx)) == raw
        buf = io.BytesIO()
        with lz4framed.open(buf, "wb") as f:
            f.write(obj)
        assert lz4framed.decompress(buf.getvalue()) == raw
    for obj in inputs(frame):
        if len(as_bytes(obj)) != len(frame):
            continue  # truncated to whole items
        assert lz4framed.decompress(obj) == small_data
        ctx = lz4framed.create_decompression_context()
        assert b"".join(lz4framed.decompress_update(ctx, obj)[:-1]) == small_data


def test_rejected_inputs(small_data):
    with pytest.raises(TypeError):
        lz4framed.compress("a str")
    with pytest.raises(TypeError):
        lz4framed.compress(12)
    with pytest.raises(BufferError):
        lz4framed.compress(memoryview(small_data)[::2])  # not contiguous


def test_readinto_targets(small_data):
    frame = lz4framed.compress(small_data)
    n = 1000
    targets = [bytearray(n), memoryview(bytearray(n)), array.array("B", bytes(n)), mmap.mmap(-1, n)]
    for t in targets:
        with lz4framed.open(io.BytesIO(frame)) as f:
            assert f.readinto(t) == n
            assert as_bytes(t) == small_data[:n]
    with lz4framed.open(io.BytesIO(frame)) as f:
        with pytest.raises(TypeError):
            f.readinto(bytes(n))  # read-only
        with pytest.raises(BufferError):
            f.readinto(memoryview(bytearray(2 * n))[::2])


def test_input_cannot_be_resized_while_borrowed(small_data):
    # A bytearray being compressed cannot be resized meanwhile (its buffer export is held),
    # so the library never reads freed memory.
    ba = bytearray(small_data)
    with lz4framed.open(io.BytesIO(), "wb") as f:
        f.write(ba)
    ba.extend(b"more")  # fine once the call returned
    assert len(ba) == len(small_data) + 4
