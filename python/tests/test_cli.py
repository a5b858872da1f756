"""python -m lz4framed (compress|decompress) (INFILE|-) [OUTFILE]"""

from __future__ import annotations

import subprocess
import sys

from conftest import run_lz4

import lz4framed


def cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "lz4framed", *args], input=stdin, capture_output=True, timeout=120
    )


def test_round_trip_files(data, tmp_path):
    src, packed, out = tmp_path / "in", tmp_path / "in.lz4", tmp_path / "out"
    src.write_bytes(data)
    assert cli("compress", str(src), str(packed)).returncode == 0
    assert run_lz4(["-d", "-c", "-q", str(packed)]) == data  # the lz4 tool reads it
    assert cli("decompress", str(packed), str(out)).returncode == 0
    assert out.read_bytes() == data
    # OUTFILE is replaced, not appended to.
    assert cli("decompress", str(packed), str(out)).returncode == 0
    assert out.read_bytes() == data


def test_stdin_stdout(data):
    r = cli("compress", "-", stdin=data)
    assert r.returncode == 0
    assert lz4framed.decompress(r.stdout) == data
    tool = run_lz4(["-c", "-q"], stdin=data)
    r = cli("decompress", "-", stdin=tool + tool)  # concatenated frames
    assert r.returncode == 0 and r.stdout == data + data


def test_errors(data, tmp_path):
    r = cli()
    assert r.returncode == 1 and b"USAGE" in r.stderr
    assert cli("squash", "-").returncode == 1
    assert cli("compress", str(tmp_path / "missing")).returncode == 2
    assert cli("compress", "-", str(tmp_path / "no" / "dir" / "out"), stdin=b"x").returncode == 4
    frame = lz4framed.compress(data, checksum=True)
    r = cli("decompress", "-", stdin=frame[:-1] + bytes([frame[-1] ^ 1]))
    assert r.returncode == 8 and b"content checksum mismatch" in r.stderr
    r = cli("decompress", "-", stdin=frame[: len(frame) // 2])
    assert r.returncode == 8 and b"truncated" in r.stderr
