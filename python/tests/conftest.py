"""Shared test data and helpers."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest


def _text_like(n: int, seed: int) -> bytes:
    """Compressible bytes shaped like text with some noise: words from a small vocabulary,
    numbers, and now and then a run of random bytes."""
    rng = random.Random(seed)
    words = [
        b"frame",
        b"block",
        b"window",
        b"dictionary",
        b"checksum",
        b"the",
        b"of",
        b"and",
        b"restart",
        b"point",
        b"seek",
        b"index",
        b"compressed",
        b"offset",
        b"LZ4",
        b"data",
    ]
    out = bytearray()
    while len(out) < n:
        r = rng.random()
        if r < 0.02:
            out += rng.randbytes(rng.randrange(1, 200))
        elif r < 0.1:
            out += str(rng.randrange(10**9)).encode()
        else:
            out += rng.choice(words)
        out += b"\n" if rng.random() < 0.08 else b" "
    return bytes(out[:n])


@pytest.fixture(scope="session")
def data() -> bytes:
    """About 3 MiB of text-like data: several 64 KiB / 256 KiB / 1 MiB blocks."""
    return _text_like(3 * 1024 * 1024 + 12345, 1)


@pytest.fixture(scope="session")
def small_data() -> bytes:
    """200 KiB of text-like data."""
    return _text_like(200 * 1024 + 7, 2)


def corpus_dir() -> Path | None:
    for c in (os.environ.get("LZ4FRAMED_CORPUS"), "target/corpus", "../target/corpus"):
        if c and Path(c).is_dir() and any(Path(c).iterdir()):
            return Path(c)
    return None


@pytest.fixture(scope="session")
def corpus_file() -> bytes:
    """A Silesia file (dickens) when the corpus is unpacked, else text-like data of its size."""
    d = corpus_dir()
    if d is not None and (d / "dickens").is_file():
        return (d / "dickens").read_bytes()
    return _text_like(10 * 1024 * 1024, 3)


def lz4_tool() -> str:
    exe = shutil.which("lz4")
    if exe is None:
        pytest.skip("the lz4 command-line tool is not installed (apt-get install lz4)")
    return exe


def run_lz4(args: list[str], stdin: bytes | None = None) -> bytes:
    """Run the lz4 tool; its stdout."""
    r = subprocess.run([lz4_tool(), *args], input=stdin, capture_output=True, check=True)
    return r.stdout
