"""Benchmark: lz4framed against python-lz4's `lz4.frame`, side by side in one run.

    python python/bench.py [--rounds N] [--files dickens,xml,...] [--markdown]

Silesia files from $LZ4FRAMED_CORPUS (default: target/corpus, then /work/corpus). For each file
and each setting, the same data is compressed by both libraries and the same frame (the one
python-lz4 wrote, so both decoders read identical input) is decompressed by both; the rounds
interleave the libraries, and each figure is the median over the rounds. Ratios are
python-lz4 time / lz4framed time (above 1: lz4framed is faster); the summary is their
geometric mean over the files.

GIL: two Python threads compress at once (lz4framed.compress releases the GIL), against the
machine's ceiling measured in the same run: two processes compressing at once. Both are given
as the speedup over one thread, and their quotient should be near 1.
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

import lz4.frame  # noqa: E402

import lz4framed  # noqa: E402

SETTINGS = {
    # python-lz4's defaults (and the C library's): 64 KiB linked blocks, size recorded.
    "64K linked": dict(block_size_id=4, linked=True, checksum=False),
    # the lz4 tool's defaults: 4 MiB independent blocks, content checksum.
    "4M indep+cksum": dict(block_size_id=7, linked=False, checksum=True),
}
PY_LZ4_BLOCK = {4: lz4.frame.BLOCKSIZE_MAX64KB, 7: lz4.frame.BLOCKSIZE_MAX4MB}


def corpus_dir() -> Path:
    for c in (os.environ.get("LZ4FRAMED_CORPUS"), "target/corpus", "/work/corpus"):
        if c and Path(c).is_dir():
            return Path(c)
    sys.exit("no corpus: set LZ4FRAMED_CORPUS to the unpacked Silesia files")


def ours_compress(data: bytes, s: dict, threads: int = 1) -> bytes:
    return lz4framed.compress(
        data,
        block_size_id=s["block_size_id"],
        block_mode_linked=s["linked"],
        checksum=s["checksum"],
        level=0,
        threads=threads,
    )


def theirs_compress(data: bytes, s: dict) -> bytes:
    return lz4.frame.compress(
        data,
        compression_level=0,
        block_size=PY_LZ4_BLOCK[s["block_size_id"]],
        block_linked=s["linked"],
        content_checksum=s["checksum"],
        store_size=True,
    )


def timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def compare(files: list[Path], rounds: int) -> dict:
    """Per setting: per file (compression ratio ours/theirs time, decompression ratio)."""
    results: dict = {name: {} for name in SETTINGS}
    for path in files:
        data = path.read_bytes()
        for name, s in SETTINGS.items():
            frame = theirs_compress(data, s)
            assert lz4framed.decompress(frame) == data
            assert lz4.frame.decompress(ours_compress(data, s)) == data
            assert lz4framed.decompress(frame, threads=0) == data
            times: dict = {k: [] for k in ("c", "c1", "cN", "d", "d1", "dN")}
            for _ in range(rounds):
                times["c"].append(timed(theirs_compress, data, s))
                times["c1"].append(timed(ours_compress, data, s, 1))
                times["cN"].append(timed(ours_compress, data, s, 0))
                times["d"].append(timed(lz4.frame.decompress, frame))
                times["d1"].append(timed(lz4framed.decompress, frame))
                times["dN"].append(timed(lambda f: lz4framed.decompress(f, threads=0), frame))
            med = {k: statistics.median(v) for k, v in times.items()}
            results[name][path.name] = {
                "size": len(data),
                "compress": med["c"] / med["c1"],
                "compress_all": med["c"] / med["cN"],
                "decompress": med["d"] / med["d1"],
                "decompress_all": med["d"] / med["dN"],
                "c_mbs": (len(data) / med["c"] / 1e6, len(data) / med["c1"] / 1e6),
                "d_mbs": (len(data) / med["d"] / 1e6, len(data) / med["d1"] / 1e6),
                "ratio_size": len(ours_compress(data, s)) / len(frame),
            }
    return results


def _compress_loop(data: bytes, repeat: int) -> float:
    t = time.perf_counter()
    for _ in range(repeat):
        lz4framed.compress(data, block_size_id=7, block_mode_linked=False)
    return time.perf_counter() - t


def _process_worker(path: str, repeat: int, start, out) -> None:
    data = Path(path).read_bytes()
    _compress_loop(data, 1)  # warm up
    start.wait()
    out.put(_compress_loop(data, repeat))


def gil_release(path: Path, repeat: int, rounds: int) -> dict:
    """Speedup of two threads and of two processes over one thread, compressing `path`."""
    data = path.read_bytes()
    ctx = mp.get_context("spawn")
    one, two_threads, two_procs = [], [], []
    for _ in range(rounds):
        one.append(_compress_loop(data, repeat))

        barrier = threading.Barrier(2)
        durations: list[float] = []

        def worker(barrier=barrier, durations=durations) -> None:
            barrier.wait()
            durations.append(_compress_loop(data, repeat))

        ts = [threading.Thread(target=worker) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        two_threads.append(max(durations))

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
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--files", default="")
    ap.add_argument("--gil-file", default="dickens")
    ap.add_argument("--gil-repeat", type=int, default=8)
    args = ap.parse_args()
    corpus = corpus_dir()
    names = args.files.split(",") if args.files else sorted(p.name for p in corpus.iterdir())
    files = [corpus / n for n in names if (corpus / n).is_file()]
    print(
        f"lz4framed {lz4framed.__version__} (backend {lz4framed.BACKEND}, LZ4 "
        f"{lz4framed.LZ4_VERSION}) vs python-lz4 {lz4.__version__} (LZ4 "
        f"{lz4.library_version_string()}); {os.cpu_count()} CPUs; {args.rounds} interleaved "
        f"rounds, medians of wall time; ratio = python-lz4 time / lz4framed time; "
        f"'all cores' = threads=0\n"
    )
    res = compare(files, args.rounds)
    for name, per_file in res.items():
        print(f"### {name}\n")
        print(
            "| file | size | compress, 1 thread | compress, all cores | decompress, 1 thread "
            "| decompress, all cores | MB/s python-lz4 / lz4framed (c; d) | size vs python-lz4 |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for f, r in per_file.items():
            print(
                f"| {f} | {r['size']:,} | {r['compress']:.2f} × | {r['compress_all']:.2f} × "
                f"| {r['decompress']:.2f} × | {r['decompress_all']:.2f} × "
                f"| {r['c_mbs'][0]:.0f} / {r['c_mbs'][1]:.0f}; "
                f"{r['d_mbs'][0]:.0f} / {r['d_mbs'][1]:.0f} | {r['ratio_size'] - 1:+.2%} |"
            )
        g = {
            k: geomean([r[k] for r in per_file.values()])
            for k in ("compress", "compress_all", "decompress", "decompress_all")
        }
        print(
            f"| **geomean** | | **{g['compress']:.2f} ×** | **{g['compress_all']:.2f} ×** "
            f"| **{g['decompress']:.2f} ×** | **{g['decompress_all']:.2f} ×** | | |\n"
        )
    g = gil_release(corpus / args.gil_file, args.gil_repeat, max(3, args.rounds // 2))
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
