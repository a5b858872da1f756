"""Benchmark: lz4framed against python-lz4's `lz4.frame`, side by side in one run.

    python python/bench.py [--rounds N] [--files dickens,xml,...]

Silesia files from $LZ4FRAMED_CORPUS (default: target/corpus, then /work/corpus).

Each library runs in worker processes of its own, one per operation, setting and thread count
— as in an application that reads (or writes) files of one kind with one of them. This matters:
the speed of a call that returns megabytes depends on whether its buffers come from fresh pages
(page faults) or from memory freed by earlier calls, which glibc's malloc decides from the
history of the process. python-lz4 allocates two output-sized buffers per decompression (its
own, then the bytes object it copies into), lz4framed one (it decodes into the bytes object).
The rounds interleave the workers; each figure is the median over the rounds of a timed batch
of calls. For every file and setting the same data is compressed by both, and the same frame
(written by python-lz4, so both decoders read identical input) is decompressed by both. Ratios are
python-lz4 time / lz4framed time (above 1: lz4framed is faster); the summary is their
geometric mean over the files. lz4framed is timed on one thread (its default) and on all cores
(`threads=0`). Calls on one thread are timed by the worker's CPU time (user + system: page
faults included), which other jobs on a busy machine do not inflate; calls on all cores by
wall time, against python-lz4's CPU time (a lower bound of its wall time).

GIL: two Python threads compress at once (lz4framed.compress releases the GIL), against the
machine's ceiling measured in the same run: two processes compressing at once. Both are
speedups over one thread; their quotient should be near 1.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time
from pathlib import Path

# Import the installed package, not the source folder this script sits in (python/lz4framed
# has no native module until built).
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]

SETTINGS = {
    # python-lz4's defaults (and the C library's): 64 KiB linked blocks, size recorded.
    "64K linked": {"block_size_id": 4, "linked": True, "checksum": False},
    # the lz4 tool's defaults: 4 MiB independent blocks, content checksum.
    "4M independent + checksum": {"block_size_id": 7, "linked": False, "checksum": True},
}
# Calls per timed batch: at least this long.
BATCH_SECONDS = 0.2


def corpus_dir() -> Path:
    for c in (os.environ.get("LZ4FRAMED_CORPUS"), "target/corpus", "/work/corpus"):
        if c and Path(c).is_dir():
            return Path(c)
    sys.exit("no corpus: set LZ4FRAMED_CORPUS to the unpacked Silesia files")


def _operations(lib: str):
    """The library's (compress, decompress) for a setting; imported in the worker only."""
    if lib == "lz4framed":
        import lz4framed

        def compress(data, s, threads=1):
            return lz4framed.compress(
                data,
                block_size_id=s["block_size_id"],
                block_mode_linked=s["linked"],
                checksum=s["checksum"],
                level=0,
                threads=threads,
            )

        def decompress(frame, threads=1):
            return lz4framed.decompress(frame, threads=threads)

    else:
        import lz4.frame

        sizes = {4: lz4.frame.BLOCKSIZE_MAX64KB, 7: lz4.frame.BLOCKSIZE_MAX4MB}

        def compress(data, s, threads=1):
            return lz4.frame.compress(
                data,
                compression_level=0,
                block_size=sizes[s["block_size_id"]],
                block_linked=s["linked"],
                content_checksum=s["checksum"],
                store_size=True,
            )

        def decompress(frame, threads=1):
            return lz4.frame.decompress(frame)

    return compress, decompress


def _worker(lib: str, conn) -> None:
    """Serve timing jobs. ("load", data, frame, setting) gives the input (the worker allocates
    nothing big before it); (op, threads) -> (median seconds per call, output size)."""
    compress, decompress = _operations(lib)
    data = frame = s = None
    while True:
        job = conn.recv()
        if job is None:
            return
        if job[0] == "load":
            data = frame = None
            _, data, frame, setting = job
            s = SETTINGS[setting]
            conn.send(None)
            continue
        op, threads = job

        def call(op=op, threads=threads, data=data, frame=frame, s=s):
            if op == "compress":
                return compress(data, s, threads)
            return decompress(frame, threads)

        out = call()  # warm up (and check)
        if op == "decompress":
            assert out == data, f"{lib} decodes wrong"
        size = len(out)
        del out
        wall, cpu = [], []
        start = time.perf_counter()
        while not wall or time.perf_counter() - start < BATCH_SECONDS:
            t, c = time.perf_counter(), time.process_time()
            call()
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - t)
        # One thread: its CPU time, which other processes on a busy machine do not inflate;
        # several: wall time (what parallelism saves).
        conn.send((statistics.median(wall if threads != 1 else cpu), size))


class Worker:
    def __init__(self, lib: str) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(lib, child), daemon=True)
        self.proc.start()
        self.loaded = None

    def time(self, op: str, key: str, data: bytes, frame: bytes, setting: str, threads: int):
        if self.loaded != (key, setting):
            self.conn.send(("load", data, frame, setting))
            self.conn.recv()
            self.loaded = (key, setting)
        self.conn.send((op, threads))
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send(None)
        self.proc.join()


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def compare(files: list[Path], rounds: int) -> dict:
    # One worker per library, operation, setting and thread count: a process that only
    # decompresses 4 MiB-block frames, say, as an application reading such files would.
    workers: dict = {}

    def worker(lib: str, op: str, setting: str, threads: int) -> Worker:
        key = (lib, op, setting, threads)
        if key not in workers:
            workers[key] = Worker(lib)
        return workers[key]

    results: dict = {name: {} for name in SETTINGS}
    try:
        reference = _operations("python-lz4")[0]
        for path in files:
            data = path.read_bytes()
            for setting in SETTINGS:
                # The same frame for both decoders: python-lz4's.
                frame = reference(data, SETTINGS[setting])
                t: dict = {k: [] for k in ("c", "c1", "cN", "d", "d1", "dN")}
                sizes = {}
                for r in range(rounds):
                    jobs = [
                        ("c", "python-lz4", "compress", 1),
                        ("c1", "lz4framed", "compress", 1),
                        ("cN", "lz4framed", "compress", 0),
                        ("d", "python-lz4", "decompress", 1),
                        ("d1", "lz4framed", "decompress", 1),
                        ("dN", "lz4framed", "decompress", 0),
                    ]
                    if r % 2:
                        jobs.reverse()
                    for key, lib, op, threads in jobs:
                        w = worker(lib, op, setting, threads)
                        secs, size = w.time(op, path.name, data, frame, setting, threads)
                        t[key].append(secs)
                        sizes[key] = size
                med = {k: statistics.median(v) for k, v in t.items()}
                n = path.stat().st_size
                results[setting][path.name] = {
                    "size": n,
                    "compress": med["c"] / med["c1"],
                    "compress_all": med["c"] / med["cN"],
                    "decompress": med["d"] / med["d1"],
                    "decompress_all": med["d"] / med["dN"],
                    "mbs": {k: n / v / 1e6 for k, v in med.items()},
                    "ratio_size": sizes["c1"] / sizes["c"],
                }
    finally:
        for w in workers.values():
            w.close()
    return results


def _compress_loop(data: bytes, repeat: int) -> float:
    import lz4framed

    t = time.perf_counter()
    for _ in range(repeat):
        lz4framed.compress(data, block_size_id=7, block_mode_linked=False)
    return time.perf_counter() - t


def _threads_worker(path: str, repeat: int, out) -> None:
    """In a fresh process: one thread compressing `repeat` times, then two threads at once."""
    data = Path(path).read_bytes()
    _compress_loop(data, 1)  # warm up
    one = _compress_loop(data, repeat)
    barrier = threading.Barrier(2)
    durations: list[float] = []

    def work() -> None:
        barrier.wait()
        durations.append(_compress_loop(data, repeat))

    ts = [threading.Thread(target=work) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((one, max(durations)))


def _process_worker(path: str, repeat: int, start, out) -> None:
    data = Path(path).read_bytes()
    _compress_loop(data, 1)  # warm up
    start.wait()
    out.put(_compress_loop(data, repeat))


def gil_release(path: Path, repeat: int, rounds: int) -> dict:
    """Speedup of two threads and of two processes over one thread, compressing `path` (every
    measurement in fresh processes, so that they share no history)."""
    ctx = mp.get_context("spawn")
    one, two_threads, two_procs = [], [], []
    for _ in range(rounds):
        out = ctx.Queue()
        p = ctx.Process(target=_threads_worker, args=(str(path), repeat, out))
        p.start()
        t1, t2 = out.get()
        p.join()
        one.append(t1)
        two_threads.append(t2)

        start, out = ctx.Event(), ctx.Queue()
        ps = [
            ctx.Process(target=_process_worker, args=(str(path), repeat, start, out))
            for _ in range(2)
        ]
        for p in ps:
            p.start()
        time.sleep(1.0)  # both warmed up and waiting
        start.set()
        durs = [out.get() for _ in ps]
        for p in ps:
            p.join()
        two_procs.append(max(durs))
    t1 = statistics.median(one)
    threads = 2 * t1 / statistics.median(two_threads)
    procs = 2 * t1 / statistics.median(two_procs)
    return {"threads": threads, "processes": procs, "quotient": threads / procs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", default="")
    ap.add_argument("--gil-file", default="dickens")
    ap.add_argument("--gil-repeat", type=int, default=8)
    ap.add_argument("--gil-rounds", type=int, default=9)
    args = ap.parse_args()
    corpus = corpus_dir()
    names = args.files.split(",") if args.files else sorted(p.name for p in corpus.iterdir())
    files = [corpus / n for n in names if (corpus / n).is_file()]

    import lz4
    import lz4.frame

    import lz4framed

    print(
        f"lz4framed {lz4framed.__version__} (backend {lz4framed.BACKEND}, LZ4 "
        f"{lz4framed.LZ4_VERSION}) vs python-lz4 {lz4.__version__} (LZ4 "
        f"{lz4.library_version_string()}); {os.cpu_count()} CPUs; each library in its own "
        f"process; {args.rounds} interleaved rounds, medians; ratio = python-lz4 time / "
        f"lz4framed time; one thread: CPU time; 'all cores' (threads=0): wall time\n"
    )
    res = compare(files, args.rounds)
    for name, per_file in res.items():
        print(f"### {name}\n")
        print(
            "| file | size | compress, 1 thread | compress, all cores | decompress, 1 thread "
            "| decompress, all cores | MB/s python-lz4 → lz4framed (c; d) | size vs python-lz4 |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for f, r in per_file.items():
            m = r["mbs"]
            print(
                f"| {f} | {r['size']:,} | {r['compress']:.2f} × | {r['compress_all']:.2f} × "
                f"| {r['decompress']:.2f} × | {r['decompress_all']:.2f} × "
                f"| {m['c']:.0f} → {m['c1']:.0f}; {m['d']:.0f} → {m['d1']:.0f} "
                f"| {r['ratio_size'] - 1:+.2%} |"
            )
        g = {
            k: geomean([r[k] for r in per_file.values()])
            for k in ("compress", "compress_all", "decompress", "decompress_all")
        }
        print(
            f"| **geomean** | | **{g['compress']:.2f} ×** | **{g['compress_all']:.2f} ×** "
            f"| **{g['decompress']:.2f} ×** | **{g['decompress_all']:.2f} ×** | | |\n"
        )
    g = gil_release(corpus / args.gil_file, args.gil_repeat, args.gil_rounds)
    print(
        "### GIL released: two threads vs two processes compressing at once "
        f"({args.gil_file}, 4 MiB independent blocks)\n"
    )
    print("| | speedup over one thread |")
    print("|---|---:|")
    print(f"| two Python threads | {g['threads']:.2f} × |")
    print(f"| two processes (the machine's ceiling) | {g['processes']:.2f} × |")
    print(f"| threads / ceiling | **{g['quotient']:.2f}** |")


if __name__ == "__main__":
    main()
