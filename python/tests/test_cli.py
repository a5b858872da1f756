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
    for flag in ("-h", "--help"):  # asked for: the usage on stdout, success
        r = cli(flag)
        assert r.returncode == 0 and r.stdout.startswith(b"USAGE") and not r.stderr
    assert cli("squash", "-").returncode == 1
    assert cli("compress", str(tmp_path / "missing")).returncode == 2
    assert cli("compress", "-", str(tmp_path / "no" / "dir" / "out"), stdin=b"x").returncode == 4
    frame = lz4framed.compress(data, checksum=True)
    r = cli("decompress", "-", stdin=frame[:-1] + bytes([frame[-1] ^ 1]))
    assert r.returncode == 8 and b"content checksum mismatch" in r.stderr
    r = cli("decompress", "-", stdin=frame[: len(frame) // 2])
    assert r.returncode == 8 and b"truncated" in r.stderr


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_outfile_is_replaced_only_on_success(data, tmp_path):
    """OUTFILE is built beside itself and renamed into place on success: a failure leaves no
    OUTFILE (and an existing one as it was), no temporary file; INFILE may be OUTFILE."""
    packed = tmp_path / "in.lz4"
    packed.write_bytes(lz4framed.compress(data, checksum=True))
    plain = tmp_path / "plain"
    plain.write_bytes(b"not lz4 data at all")
    r = cli("decompress", str(plain), str(tmp_path / "new"))
    assert r.returncode == 8 and b"bad magic number" in r.stderr
    assert _names(tmp_path) == ["in.lz4", "plain"]
    old = tmp_path / "old"
    old.write_bytes(b"precious")
    old.chmod(0o640)
    r = cli("decompress", "-", str(old), stdin=packed.read_bytes()[:-1])  # cut short
    assert r.returncode == 8 and b"truncated" in r.stderr
    assert old.read_bytes() == b"precious"
    assert _names(tmp_path) == ["in.lz4", "old", "plain"]
    # Success replaces it, keeping its permissions.
    assert cli("decompress", str(packed), str(old)).returncode == 0
    assert old.read_bytes() == data and (old.stat().st_mode & 0o777) == 0o640
    # INFILE as OUTFILE: read whole before the rename (open(OUTFILE, "wb") emptied it first).
    same = tmp_path / "same"
    same.write_bytes(data)
    assert cli("compress", str(same), str(same)).returncode == 0
    assert lz4framed.decompress(same.read_bytes()) == data
    assert cli("decompress", str(same), str(same)).returncode == 0
    assert same.read_bytes() == data
    assert _names(tmp_path) == ["in.lz4", "old", "plain", "same"]


def test_outfile_symlink_and_device(data, tmp_path):
    """A symlinked OUTFILE is written through (as by the lz4 tool and the lz4framed command
    line); /dev/null is written, not replaced."""
    packed = tmp_path / "in.lz4"
    packed.write_bytes(lz4framed.compress(data))
    real = tmp_path / "real"
    real.write_bytes(b"old")
    link = tmp_path / "link"
    link.symlink_to(real)
    assert cli("decompress", str(packed), str(link)).returncode == 0
    assert link.is_symlink() and real.read_bytes() == data
    assert cli("decompress", str(packed), "/dev/null").returncode == 0
    assert _names(tmp_path) == ["in.lz4", "link", "real"]


def test_interrupt_leaves_no_partial_output(data, tmp_path):
    """Ctrl-C while compressing a stream that has not ended: status 130, a message, no
    OUTFILE and no temporary file; an existing OUTFILE is left as it was."""
    import signal
    import time

    out = tmp_path / "out.lz4"
    out.write_bytes(b"previous")
    p = subprocess.Popen(
        [sys.executable, "-m", "lz4framed", "compress", "-", str(out)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    p.stdin.write(data)
    p.stdin.flush()
    # Interrupt once the output is being written (its temporary file exists); the input has
    # not ended.
    deadline = time.monotonic() + 60
    while len(_names(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_names(tmp_path)) == 2, _names(tmp_path)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and b"interrupted" in err, err
    assert out.read_bytes() == b"previous"
    assert _names(tmp_path) == ["out.lz4"]
