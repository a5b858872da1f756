"""Truncated, corrupted and hostile input: specific errors (Lz4FramedError, or the original's
ValueError), never a crash, a Rust panic (PanicException) or an allocation driven by a
header's claims."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import sys
import time

import pytest

import lz4framed
from lz4framed import Lz4FramedError

ALLOWED = (Lz4FramedError, ValueError, lz4framed.Lz4FramedNoDataError)


def lz4_header(content_size=None, linked=False, checksum=False, block_id=7):
    flg = 0x40 | (0 if linked else 0x20) | (0x04 if checksum else 0)
    if content_size is not None:
        flg |= 0x08
    desc = bytes([flg, block_id << 4])
    if content_size is not None:
        desc += struct.pack("<Q", content_size)
    hc = (_xxh32(desc) >> 8) & 0xFF  # the header checksum (frame format spec)
    return struct.pack("<I", 0x184D2204) + desc + bytes([hc])


def _xxh32(data, seed=0):
    """XXH32 (for forging frame headers), checked against the library's headers below."""
    p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    m = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & m

    n = len(data)
    i = 0
    if n >= 16:
        v = [(seed + p1 + p2) & m, (seed + p2) & m, seed & m, (seed - p1) & m]
        while i + 16 <= n:
            for k in range(4):
                lane = struct.unpack_from("<I", data, i + 4 * k)[0]
                v[k] = (rotl((v[k] + lane * p2) & m, 13) * p1) & m
            i += 16
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & m
    else:
        h = (seed + p5) & m
    h = (h + n) & m
    while i + 4 <= n:
        h = (rotl((h + struct.unpack_from("<I", data, i)[0] * p3) & m, 17) * p4) & m
        i += 4
    while i < n:
        h = (rotl((h + data[i] * p5) & m, 11) * p1) & m
        i += 1
    h ^= h >> 15
    h = (h * p2) & m
    h ^= h >> 13
    h = (h * p3) & m
    h ^= h >> 16
    return h


def test_header_checksum_helper_matches_library():
    frame = lz4framed.compress(b"x" * 1000, block_size_id=7)
    assert lz4_header(content_size=1000, block_id=4) == frame[:15]


def test_one_tib_claim_in_30_bytes_fails_at_once():
    # A frame header that declares 1 TiB of content, then a tiny block: the declared size
    # must not size any buffer before the data arrives.
    hostile = lz4_header(content_size=1 << 40) + struct.pack("<I", 0x80000005) + b"hello"
    hostile += b"\0" * (30 - len(hostile))
    assert len(hostile) == 30
    t = time.perf_counter()
    with pytest.raises(ALLOWED) as info:
        lz4framed.decompress(hostile)
    assert time.perf_counter() - t < 5  # a 1 TiB allocation/zeroing would take far longer
    assert "PanicException" not in type(info.value).__name__
    with pytest.raises(Lz4FramedError, match="content size mismatch"):
        lz4framed.open(io.BytesIO(hostile)).read()
    ctx = lz4framed.create_decompression_context()
    try:
        lz4framed.decompress_update(ctx, hostile)
    except Lz4FramedError:
        pass
    assert lz4framed.get_frame_info(ctx)["length"] == 1 << 40


def test_claims_beyond_the_data():
    # A content size larger than any LZ4 data of this length can decode to, and a content
    # size smaller than what the frame holds: both are refused, nothing large is allocated.
    frame = lz4framed.compress(b"abc" * 100_000)
    body = frame[15:]
    for size in (10**15, 5, 0):
        forged = lz4_header(content_size=size, linked=False, block_id=4) + body
        with pytest.raises(Lz4FramedError):
            lz4framed.decompress(forged)
    # A skippable frame that claims 4 GiB.
    forged = struct.pack("<II", 0x184D2A50, 0xFFFFFFFF) + b"tiny"
    with pytest.raises(ValueError, match="frame incomplete"):
        lz4framed.decompress(forged)


def test_every_truncation(small_data):
    for kwargs in (
        {},
        {"checksum": True, "block_mode_linked": False, "block_size_id": 4},
        {"block_checksum": True},
    ):
        frame = lz4framed.compress(small_data, **kwargs)
        for cut in range(0, len(frame), 97):
            part = frame[:cut]
            if not part:
                with pytest.raises(lz4framed.Lz4FramedNoDataError):
                    lz4framed.decompress(part)
                continue
            with pytest.raises(ALLOWED) as info:
                lz4framed.decompress(part)
            assert isinstance(info.value, (ValueError, Lz4FramedError))
            with pytest.raises(lz4framed.Lz4FramedEOFError):
                lz4framed.open(io.BytesIO(part), threads=1).read()


def test_random_corruption(small_data):
    rng = random.Random(7)
    frames = [
        lz4framed.compress(small_data),
        lz4framed.compress(small_data, checksum=True, block_checksum=True),
        lz4framed.compress(small_data, block_mode_linked=False, block_size_id=4),
    ]
    for frame in frames:
        for _ in range(300):
            b = bytearray(frame)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            for fn in (
                lambda x: lz4framed.decompress(x),
                lambda x: lz4framed.decompress(x, threads=2),
                lambda x: lz4framed.open(io.BytesIO(x), threads=1).read(),
                lambda x: lz4framed.decompress_update(lz4framed.create_decompression_context(), x),
            ):
                try:
                    fn(bytes(b))
                except ALLOWED as e:
                    assert e.args and isinstance(e.args[0], str) and e.args[0]


def test_garbage_everywhere():
    rng = random.Random(11)
    for n in [*range(64), 100, 1000, 100_000]:
        junk = rng.randbytes(n)
        for magic in (
            b"",
            struct.pack("<I", 0x184D2204),
            struct.pack("<I", 0x184C2102),
            struct.pack("<I", 0x184D2A55),
        ):
            blob = magic + junk
            if not blob:
                continue
            for fn in (
                lambda x: lz4framed.decompress(x),
                lambda x: lz4framed.open(io.BytesIO(x), threads=1).read(),
                lambda x: lz4framed.open(io.BytesIO(x), threads=2).read(),
            ):
                try:
                    fn(blob)
                except ALLOWED:
                    pass


def test_unmarshal_garbage(data):
    frame = lz4framed.compress(data, checksum=True)
    ctx = lz4framed.create_decompression_context()
    lz4framed.decompress_update(ctx, frame[: len(frame) // 2])
    good = lz4framed.marshal_decompression_context(ctx)
    assert lz4framed.unmarshal_decompression_context(good) is not None
    rng = random.Random(3)
    candidates = [b"", b"L4CP", good[:-1], good + b"\0", rng.randbytes(200)]
    for _ in range(500):
        b = bytearray(good)
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        candidates.append(bytes(b))
    for _ in range(100):
        candidates.append(good[: rng.randrange(len(good))])
    for c in candidates:
        with pytest.raises(Lz4FramedError) as info:
            lz4framed.unmarshal_decompression_context(c)
        assert "checkpoint" in info.value.args[0]
    with pytest.raises(TypeError):
        lz4framed.unmarshal_decompression_context("L4CP")
    # The checksum state: wrong length, magic, version, inconsistent lengths.
    state = lz4framed.marshal_decompression_checksum_context(ctx)
    assert len(state) == 48
    for bad in (
        b"",
        state[:-1],
        b"x" * 48,
        state[:4] + b"\x02" + state[5:],
        state[:5] + b"\x07" + state[6:],
        state[:6] + b"\x10" + state[7:],
    ):
        with pytest.raises(Lz4FramedError):
            lz4framed.unmarshal_decompression_checksum_context(ctx, bad)
    # A state where the context keeps none (before any frame) is refused too.
    with pytest.raises(Lz4FramedError):
        lz4framed.unmarshal_decompression_checksum_context(
            lz4framed.create_decompression_context(), state
        )


def test_seek_index_garbage(data, tmp_path):
    p = tmp_path / "g.lz4"
    with lz4framed.open(p, "wb", seekable=True) as f:
        f.write(data)
    good = lz4framed.SeekIndex.read(p).to_bytes()
    rng = random.Random(5)
    for _ in range(300):
        b = bytearray(good)
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        with pytest.raises(Lz4FramedError):
            lz4framed.SeekIndex.from_bytes(bytes(b))
    for n in range(0, len(good), 7):
        with pytest.raises(Lz4FramedError):
            lz4framed.SeekIndex.from_bytes(good[:n])
    # A damaged embedded index: the file still decodes when the index is ignored, and the
    # damage is reported when it is used.
    raw = bytearray(p.read_bytes())
    raw[-10] ^= 0xFF
    p.write_bytes(bytes(raw))
    with pytest.raises(Lz4FramedError, match="seek index"):
        lz4framed.open(p)
    with lz4framed.open(p, index=False) as f:
        assert f.read() == data


def test_wrong_argument_types():
    with pytest.raises(TypeError):
        lz4framed.compress("text")
    with pytest.raises(TypeError):
        lz4framed.decompress(None)
    with pytest.raises(TypeError):
        lz4framed.open(12.5)
    with pytest.raises((ValueError, OverflowError)):
        lz4framed.open(io.BytesIO(), "wb", threads=-1)


def test_content_size_claims_do_not_size_buffers(small_data):
    # A real frame whose header claims 100 times its size (LZ4 could reach that, so the claim
    # is possible, but not believed before the data is decoded): no buffer of that size is
    # zeroed; the mismatch is reported. Peak RSS is measured in a fresh interpreter.
    frame = lz4framed.compress(small_data, block_mode_linked=False, block_size_id=4)
    claim = 100 * len(frame)
    assert claim > 16 * len(frame) and claim > 10 * 2**20
    forged = lz4_header(content_size=claim, block_id=4) + frame[15:]
    code = (
        "import resource, sys, lz4framed\n"
        "forged = sys.stdin.buffer.read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    lz4framed.decompress(forged)\n"
        "except lz4framed.Lz4FramedError as e:\n"
        "    assert 'content size mismatch' in e.args[0], e\n"
        "else:\n"
        "    sys.exit('no error')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], input=forged, capture_output=True)
    assert r.returncode == 0, r.stderr.decode()
    assert int(r.stdout) * 1024 < claim / 4, (int(r.stdout), claim)
