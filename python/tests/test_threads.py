"""Threads: objects shared by Python threads stay consistent, the GIL is released while
(de)compressing, the parallel paths agree with the serial ones, and a process forked after
threads were used still works."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading

import pytest

import lz4framed


def run_threads(n, target, *args):
    errors = []

    def wrap(i):
        try:
            target(i, *args)
        except BaseException as e:
            errors.append(e)

    ts = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]


def test_gil_released_while_compressing(corpus_file):
    # While one thread compresses and decompresses ~10 MB a few times, another thread keeps
    # running Python code: it could not if the calls held the GIL throughout.
    big = corpus_file * 2
    frame = lz4framed.compress(big)
    progress = []
    done = threading.Event()

    def work():
        for _ in range(3):
            lz4framed.compress(big)
            lz4framed.decompress(frame)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        progress.append(1)
    t.join()
    # Each call runs for milliseconds; with the GIL held, this loop would be frozen during
    # all of them and see at most a handful of iterations between calls.
    assert len(progress) > 1000


def test_shared_compression_context():
    # compress_update calls from several threads on one context take turns: the frame holds
    # every piece exactly once (in some order).
    ctx = lz4framed.create_compression_context()
    header = lz4framed.compress_begin(ctx, block_mode_linked=False)
    pieces = {i: bytes([65 + i]) * 100_000 for i in range(8)}
    outputs = []
    lock = threading.Lock()

    def work(i):
        for _ in range(20):
            out = lz4framed.compress_update(ctx, pieces[i])
            with lock:
                outputs.append(out)

    run_threads(8, work)
    frame = header + b"".join(outputs) + lz4framed.compress_end(ctx)
    decoded = lz4framed.decompress(frame)
    assert len(decoded) == 8 * 20 * 100_000
    for p in pieces.values():
        assert decoded.count(p[:1]) == 20 * 100_000


def test_shared_decompression_context(data):
    # decompress_update on one context from several threads: each call is atomic, so feeding
    # the pieces in one global order under a lock gives the data back; without the lock,
    # the calls still never crash and either decode or raise Lz4FramedError.
    frame = lz4framed.compress(data, checksum=True)
    pieces = [frame[i : i + 5000] for i in range(0, len(frame), 5000)]
    ctx = lz4framed.create_decompression_context()
    order_lock = threading.Lock()
    nxt = [0]
    out = {}

    def ordered(_):
        while True:
            with order_lock:
                i = nxt[0]
                if i >= len(pieces):
                    return
                nxt[0] += 1
                out[i] = b"".join(lz4framed.decompress_update(ctx, pieces[i])[:-1])

    run_threads(4, ordered)
    assert b"".join(out[i] for i in range(len(pieces))) == data

    ctx = lz4framed.create_decompression_context()

    def racing(i):
        for p in pieces[i::4]:
            try:
                lz4framed.decompress_update(ctx, p)
                lz4framed.marshal_decompression_context(ctx)
                lz4framed.clone_decompression_context(ctx)
            except lz4framed.Lz4FramedError:
                pass

    run_threads(4, racing)


def test_shared_reader(data, tmp_path):
    # Several threads seek and read one indexed file: each read returns the bytes at some
    # position of the data (the positions interleave, the bytes are never mixed up).
    p = tmp_path / "shared.lz4"
    with lz4framed.open(p, "wb", seekable=True, block_size=64 << 10, block_linked=False) as f:
        f.write(data)
    f = lz4framed.open(p)
    lock = threading.Lock()

    def work(i):
        for k in range(200):
            off = (i * 7919 + k * 104729) % len(data)
            with lock:  # seek + read as one step: exact bytes
                f.seek(off)
                assert f.read(1000) == data[off : off + 1000]
            chunk = f.read(64)  # unlocked: some position's bytes
            assert chunk == b"" or chunk in data

    run_threads(4, work)
    f.close()


def test_shared_writer():
    # Writes from several threads land whole (one frame holding every piece once).
    buf = io.BytesIO()
    w = lz4framed.open(buf, "wb", threads=2)
    pieces = [bytes([i]) * 50_000 for i in range(16)]

    def work(i):
        for _ in range(10):
            w.write(pieces[i])

    run_threads(16, work)
    w.close()
    out = lz4framed.decompress(buf.getvalue())
    assert len(out) == 16 * 10 * 50_000
    assert sorted(set(out)) == list(range(16))


def test_parallel_paths_agree(corpus_file):
    for linked in (True, False):
        for bs in (4, 7):
            one = lz4framed.compress(
                corpus_file, block_size_id=bs, block_mode_linked=linked, checksum=True
            )
            many = lz4framed.compress(
                corpus_file, block_size_id=bs, block_mode_linked=linked, checksum=True, threads=2
            )
            for frame in (one, many):
                assert lz4framed.decompress(frame, threads=2) == corpus_file
                assert lz4framed.decompress(frame, threads=1) == corpus_file


def test_huge_thread_counts_are_capped(corpus_file, tmp_path):
    # threads=10**6 started threads until the OS refused one: a PanicException. Now at most
    # 200 threads (the lz4 tool's limit) are started, and the result is the same.
    many = 10**6
    frame = lz4framed.compress(
        corpus_file, block_size_id=4, block_mode_linked=False, checksum=True, threads=many
    )
    assert frame == lz4framed.compress(
        corpus_file, block_size_id=4, block_mode_linked=False, checksum=True, threads=2
    )
    assert lz4framed.decompress(frame, threads=many) == corpus_file
    p = tmp_path / "many.lz4"
    with lz4framed.open(p, "wb", threads=many, block_linked=False) as f:
        f.write(corpus_file)
    with lz4framed.open(p, threads=many) as f:
        assert f.read() == corpus_file


def test_concatenated_frames_on_threads(data):
    # Field fault: concatenated checksummed frames failed at random on several threads.
    small = lz4framed.compress(data[:100_000], block_mode_linked=False, checksum=True)
    large = lz4framed.compress(data, block_size_id=7, block_mode_linked=False, checksum=True)
    for stream, expected in (
        (small + large, data[:100_000] + data),
        (large + small, data + data[:100_000]),
    ):
        for _ in range(30):
            assert lz4framed.decompress(stream, threads=2) == expected
            with lz4framed.open(io.BytesIO(stream), threads=2) as f:
                assert f.read() == expected


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_fork_after_threads(data, tmp_path):
    # Use every parallel path, then fork: the child (which has no worker threads) uses them
    # again. The workers are scoped to each call, so nothing is left waiting in the child.
    p = tmp_path / "fork.lz4"
    with lz4framed.open(p, "wb", threads=2, seekable=True) as f:
        f.write(data)
    with lz4framed.open(p, threads=2) as f:
        assert f.read() == data
    assert lz4framed.decompress(lz4framed.compress(data, threads=2), threads=2) == data
    code = (
        "import os, sys, lz4framed\n"
        f"p = {str(p)!r}\n"
        "data = lz4framed.open(p, threads=1).read()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    ok = lz4framed.decompress(lz4framed.compress(data, threads=2), threads=2) == data\n"
        "    with lz4framed.open(p, threads=2) as f:\n"
        "        ok = ok and f.read() == data\n"
        "    os._exit(0 if ok else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') "
        "else status >> 8)\n"
    )
    # In this process too (pytest may have threads of its own, so the check above runs in a
    # clean interpreter as well).
    pid = os.fork()
    if pid == 0:
        try:
            ok = lz4framed.decompress(lz4framed.compress(data, threads=2), threads=2) == data
            with lz4framed.open(p, threads=2) as f:
                ok = ok and f.read() == data
        finally:
            os._exit(0 if ok else 3)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    r = subprocess.run([sys.executable, "-c", code], timeout=120)
    assert r.returncode == 0


def test_small_writes_to_a_file_object_on_threads(corpus_file):
    # Many small writes hand 4 MiB pieces to the compressing thread, which writes to the
    # Python file object (taking the GIL): no write may wait for it holding the GIL.
    buf = io.BytesIO()
    with lz4framed.open(buf, "wb", threads=2) as f:
        for i in range(0, len(corpus_file), 1000):
            f.write(corpus_file[i : i + 1000])
    assert lz4framed.decompress(buf.getvalue()) == corpus_file


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="counts threads in /proc")
def test_native_objects_dropped_unclosed(corpus_file):
    # A reader and a writer dropped without close() end their background threads, which may
    # be waiting for the GIL to use a Python file object.
    import gc

    from lz4framed._lz4framed import Reader, Writer

    def os_threads():
        with open(f"/proc/{os.getpid()}/status") as st:
            return next(int(x.split()[1]) for x in st if x.startswith("Threads:"))

    frame = lz4framed.compress(corpus_file, block_size_id=4, block_mode_linked=False)
    before = os_threads()
    for _ in range(5):
        r = Reader(io.BytesIO(frame), threads=2)
        assert r.read(10) == corpus_file[:10]
        del r
        w = Writer(io.BytesIO(), threads=2)
        w.write(corpus_file)
        del w
        gc.collect()
    assert os_threads() == before


def test_files_left_open_at_interpreter_exit(data, tmp_path):
    # Files on threads left open (module globals) are closed by their finalizers at interpreter
    # shutdown: a written file is complete, and nothing panics (joining the background thread
    # attached to an interpreter that no longer accepts it: a Rust panic on stderr).
    src = tmp_path / "src.lz4"
    with lz4framed.open(src, "wb", block_linked=False, block_size=64 << 10) as f:
        f.write(data)
    out = tmp_path / "out.lz4"
    code = (
        "import io, lz4framed\n"
        f"r = lz4framed.open({str(src)!r}, threads=2)\n"
        "assert r.read(10)\n"
        f"t = io.TextIOWrapper(lz4framed.open({str(src)!r}, threads=2), 'latin-1')\n"
        "assert t.read(10)\n"
        f"w = lz4framed.open({str(out)!r}, 'wb', threads=2)\n"
        f"w.write(open({str(src)!r}, 'rb').read() * 3)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stderr == b"", r.stderr.decode()
    with lz4framed.open(out) as f:
        assert f.read() == src.read_bytes() * 3


def test_file_object_writers_left_open_at_interpreter_exit(data, tmp_path):
    # A file writing to a Python file object on threads, left open: the background thread
    # could not write to the file object from the finalizer at shutdown (a panic on that
    # thread, and an empty output). Binary and text mode, as bz2 and python-lz4 write them.
    binary, text, raw = tmp_path / "b.lz4", tmp_path / "t.lz4", tmp_path / "raw"
    raw.write_bytes(data)
    code = (
        "import lz4framed\n"
        f"w = lz4framed.open(open({str(binary)!r}, 'wb'), 'wb', threads=2)\n"
        f"w.write(open({str(raw)!r}, 'rb').read())\n"
        f"t = lz4framed.open(open({str(text)!r}, 'wb'), 'wt', threads=2, encoding='ascii')\n"
        "t.write('some text')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stderr == b"", r.stderr.decode()
    assert lz4framed.decompress(binary.read_bytes()) == data
    assert lz4framed.decompress(text.read_bytes()) == b"some text"
    # The native writer alone (no atexit close): dropped at shutdown, its thread cannot
    # write any more, and says nothing rather than panic.
    code = (
        "import io\n"
        "from lz4framed._lz4framed import Writer\n"
        "w = Writer(io.BytesIO(), threads=2)\n"
        "w.write(bytes(5_000_000))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    assert b"panicked" not in r.stderr, r.stderr.decode()


def test_close_while_other_threads_read(data, tmp_path):
    # Closing a file other threads are reading: they get data, or ValueError (closed file).
    p = tmp_path / "c.lz4"
    with lz4framed.open(p, "wb", seekable=True) as f:
        f.write(data)
    for _ in range(20):
        f = lz4framed.open(p, threads=2)

        def work(i, f=f):
            if i == 0:
                f.close()
                return
            try:
                while f.read(10_000):
                    pass
            except ValueError as e:
                assert "closed file" in str(e)

        run_threads(4, work)


def test_release_buffers_frees_what_threaded_writes_kept(tmp_path, corpus_file):
    # A write on two threads keeps its 4 MiB input buffers for the next one (at most 8, each a
    # chunk of 4 MiB and up to 64 KiB of history); release_buffers frees them, once.
    data = (corpus_file * 2)[: 9 << 20]
    lz4framed.release_buffers()
    path = tmp_path / "kept.lz4"
    with lz4framed.LZ4FrameFile(path, "wb", threads=2) as f:
        f.write(data)
    freed = lz4framed.release_buffers()
    assert 4 << 20 <= freed <= 8 * ((4 << 20) + (64 << 10))
    assert lz4framed.release_buffers() == 0
    assert lz4framed.decompress(path.read_bytes()) == data
