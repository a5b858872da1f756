"""Memory, file descriptors and threads stay flat over thousands of calls, failed ones
included. Memory is measured as the process's resident set (tracemalloc cannot see Rust's
allocations)."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys

import pytest

import lz4framed

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/status"), reason="reads /proc/self (Linux)"
)


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def threads() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads")


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def one_round(data, frame, bad, path):
    # The original API, successful and failing.
    assert lz4framed.decompress(lz4framed.compress(data)) == data
    assert lz4framed.decompress(frame, threads=2) == data
    for b in bad:
        try:
            lz4framed.decompress(b)
        except (lz4framed.Lz4FramedError, ValueError):
            pass
    ctx = lz4framed.create_decompression_context()
    lz4framed.decompress_update(ctx, frame[:1000])
    cp = lz4framed.marshal_decompression_context(ctx)
    lz4framed.unmarshal_decompression_context(cp)
    try:
        lz4framed.unmarshal_decompression_context(cp[:-1])
    except lz4framed.Lz4FramedError:
        pass
    c = lz4framed.create_compression_context()
    lz4framed.compress_begin(c)
    lz4framed.compress_update(c, data)
    # The file API: paths (file descriptors), threads, failures.
    with lz4framed.open(path, "wb", threads=2, seekable=True) as f:
        f.write(data)
    with lz4framed.open(path, threads=2) as f:
        f.read(1000)
        f.seek(len(data) // 2)
        f.read(10)
    with lz4framed.open(path, threads=1) as f:
        f.read()
    try:
        with lz4framed.open(io.BytesIO(bad[0]), threads=2) as f:
            f.read()
    except lz4framed.Lz4FramedError:
        pass
    r = lz4framed.open(path)  # not closed: released by garbage collection
    r.read(10)
    del r


def measure(rounds_warm: int, segments: int, rounds: int, path) -> list[dict]:
    """Run the rounds in this process: RSS, fds and threads after the warm-up and after each
    segment of `rounds` rounds."""
    from conftest import _text_like

    data = _text_like(200 * 1024 + 7, 2)
    frame = lz4framed.compress(data, block_size_id=4, block_mode_linked=False, checksum=True)
    bad = [frame[: len(frame) // 2], frame[:-1] + b"\0", b"\x04\x22\x4d\x18" + b"\xff" * 50]
    for _ in range(rounds_warm):  # warm up: allocator pools, lazily created objects
        one_round(data, frame, bad, path)
    samples = []
    for _ in range(segments + 1):
        if samples:
            for _ in range(rounds):
                one_round(data, frame, bad, path)
        gc.collect()
        samples.append({"rss": rss_kib(), "fds": fds(), "threads": threads()})
    return samples


def test_flat_over_thousands_of_calls(tmp_path):
    # In a fresh interpreter with at most two malloc arenas: glibc gives threads arenas of
    # their own (up to 8 per core), each keeping freed blocks, which looks like growth until
    # every arena has been used; with two, the warm-up reaches the plateau.
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "from test_resources import measure\n"
        f"print(json.dumps(measure(300, 3, 1000, {str(tmp_path / 'r.lz4')!r})))\n"
    )
    env = dict(os.environ, MALLOC_ARENA_MAX="2")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr.decode()
    samples = json.loads(r.stdout)
    growth = [b["rss"] - a["rss"] for a, b in zip(samples, samples[1:])]
    # Each round moves ~2 MB through the library. A leak grows every segment of 1000 rounds
    # (by 1 MiB for 1 KiB per round); the allocator's heap grows in occasional steps. So: one
    # segment at least is flat, and all of them together grew little.
    assert min(growth) < 512, f"RSS grew by {growth} KiB in segments of 1000 rounds"
    assert sum(growth) < 16 * 1024, f"RSS grew by {growth} KiB in segments of 1000 rounds"
    assert all(s["fds"] == samples[0]["fds"] for s in samples), samples
    assert all(s["threads"] == samples[0]["threads"] for s in samples), samples
