"""Benchmark: one ~200 MB text `.lz4` file counted by a Dask cluster, split through its index.

    python python/bench_dask.py [--size-mb 200] [--rounds 5] [--blocksize "8 MiB"] [--dir D]

Needs the package with its `dask` extra and `distributed` (python/requirements-test.txt).
It writes (once; kept in --dir, default $CARGO_TARGET_DIR/bench-dask or target/bench-dask) a
synthetic web-server log of --size-mb MB, compressed two ways with an embedded seek index:
4 MiB independent blocks (what `lz4` writes) and 4 MiB linked blocks. Then, in interleaved
rounds, it times `read_text(...).count()` (wall clock, submission to result):

- lz4framed.dask.read_text on a LocalCluster of 2 worker processes (1 thread each), and on one
  of 1 worker: the speedup of splitting;
- the machine's ceiling in the same run: two 1-worker clusters each counting the file at the
  same time (2 x one job's time / the pair's time) — on a machine whose cores are shared, the
  most any 2-worker job can gain;
- dask.bag.read_text of the same `.lz4` file (fsspec's lz4 codec, python-lz4: one partition,
  whatever the blocksize), on the 2-worker cluster;
- dask.bag.read_text of the uncompressed text with the same blocksize on 2 workers: what
  splitting costs when there is nothing to decompress.

Figures are medians over the rounds; the first (warm-up) round is not counted. Every job's
count is checked against the number of lines of the text.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

# Import the installed package, not the source folder this script sits in.
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]

import dask.bag  # noqa: E402
import distributed  # noqa: E402

import lz4framed  # noqa: E402
import lz4framed.dask  # noqa: E402


def make_text(size: int, seed: int = 14) -> bytes:
    """About `size` bytes of an access log: one request per line."""
    rng = random.Random(seed)
    ips = [".".join(str(rng.randrange(1, 255)) for _ in range(4)) for _ in range(20_000)]
    paths = [
        "/api/v1/items/",
        "/api/v1/users/",
        "/api/v2/orders/",
        "/static/js/app.",
        "/images/thumb/",
        "/search?q=",
        "/blog/2024/",
    ]
    agents = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15",
    ]
    methods = ["GET"] * 8 + ["POST", "PUT"]
    status = [200] * 30 + [201, 204, 301, 304, 304, 400, 403, 404, 404, 500]
    out = []
    n = 0
    t = 1_717_200_000.0
    while n < size:
        t += rng.expovariate(200.0)
        line = (
            f"{rng.choice(ips)} - - [{time.strftime('%d/%b/%Y:%H:%M:%S', time.gmtime(t))} +0000] "
            f'"{rng.choice(methods)} {rng.choice(paths)}{rng.randrange(10**7)} HTTP/1.1" '
            f"{rng.choice(status)} {rng.randrange(100, 60_000)} {rng.random() * 2:.3f} "
            f'"{rng.choice(agents)}"\n'
        )
        out.append(line)
        n += len(line)
    return "".join(out).encode()


def prepare(d: Path, size_mb: int) -> dict[str, Path]:
    d.mkdir(parents=True, exist_ok=True)
    files = {
        "plain": d / f"log-{size_mb}MB.txt",
        "independent": d / f"log-{size_mb}MB-4M-independent.lz4",
        "linked": d / f"log-{size_mb}MB-4M-linked.lz4",
    }
    if not all(p.exists() for p in files.values()):
        print(f"writing {size_mb} MB of text and its .lz4 files to {d} ...", flush=True)
        text = make_text(size_mb * 1_000_000)
        files["plain"].write_bytes(text)
        for kind in ("independent", "linked"):
            with lz4framed.open(
                files[kind], "wb", block_linked=kind == "linked", seekable=True, threads=0
            ) as f:
                f.write(text)
    return files


def cluster(workers: int) -> tuple[distributed.LocalCluster, distributed.Client]:
    c = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return c, distributed.Client(c, set_as_default=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--blocksize", default="8 MiB")
    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    ap.add_argument("--dir", type=Path, default=target / "bench-dask")
    args = ap.parse_args()

    files = prepare(args.dir, args.size_mb)
    plain = files["plain"]
    lines = plain.read_bytes().count(b"\n")
    for kind in ("independent", "linked"):
        path = files[kind]
        index = lz4framed.SeekIndex.read(path)
        parts = len(lz4framed.dask.splits(str(path), args.blocksize, b"\n")[0])
        print(
            f"{path.name}: {path.stat().st_size / 1e6:.1f} MB for {plain.stat().st_size / 1e6:.1f}"
            f" MB of text ({lines} lines), {len(index)} restart points, {parts} splits of"
            f" {args.blocksize}"
        )

    two = cluster(2)
    one = cluster(1)
    other = cluster(1)
    bs = args.blocksize

    def ours(path: Path):
        return lz4framed.dask.read_text(str(path), blocksize=bs).count()

    def run(client: distributed.Client, job) -> float:
        t = time.perf_counter()
        n = client.compute(job).result()
        assert n == lines, (n, lines)
        return time.perf_counter() - t

    def pair(path: Path) -> float:
        t = time.perf_counter()
        a = one[1].compute(ours(path))
        b = other[1].compute(ours(path))
        assert a.result() == lines and b.result() == lines
        return time.perf_counter() - t

    jobs = {
        "independent, 2 workers": lambda: run(two[1], ours(files["independent"])),
        "independent, 1 worker": lambda: run(one[1], ours(files["independent"])),
        "independent, two 1-worker jobs at once": lambda: pair(files["independent"]),
        "linked, 2 workers": lambda: run(two[1], ours(files["linked"])),
        "linked, 1 worker": lambda: run(one[1], ours(files["linked"])),
        "dask.bag.read_text(.lz4), 2 workers": lambda: run(
            two[1], dask.bag.read_text(str(files["independent"]), blocksize=None).count()
        ),
        "dask.bag.read_text(text), 2 workers": lambda: run(
            two[1], dask.bag.read_text(str(plain), blocksize=bs).count()
        ),
    }
    times: dict[str, list[float]] = {k: [] for k in jobs}
    names = list(jobs)
    for r in range(args.rounds + 1):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            t = jobs[name]()
            if r > 0:
                times[name].append(t)
        label = "warm-up" if r == 0 else f"round {r}/{args.rounds}"
        print(f"{label}: " + ", ".join(f"{k} {times[k][-1]:.2f}s" for k in names if times[k]))
    for c, client in (two, one, other):
        client.close()
        c.close()

    med = {k: statistics.median(v) for k, v in times.items()}
    mb = plain.stat().st_size / 1e6
    print()
    print(f"`read_text(...).count()` of {mb:.0f} MB of text, blocksize {bs}, medians of")
    print(f"{args.rounds} interleaved rounds (load average at the end: {os.getloadavg()[0]:.1f})")
    print()
    print("| job | time | MB/s of text |")
    print("|---|---:|---:|")
    for k in names:
        print(f"| {k} | {med[k]:.2f} s | {mb / med[k] * (2 if 'at once' in k else 1):.0f} |")
    print()

    def per_round(a: str, b: str, scale: float = 1.0) -> float:
        """The median of the rounds' own ratios a / b."""
        return statistics.median(scale * x / y for x, y in zip(times[a], times[b]))

    one_job = "independent, 1 worker"
    ceiling = 2 * med[one_job] / med["independent, two 1-worker jobs at once"]
    ceiling_r = per_round(one_job, "independent, two 1-worker jobs at once", 2.0)
    for kind in ("independent", "linked"):
        s = med[f"{kind}, 1 worker"] / med[f"{kind}, 2 workers"]
        s_r = per_round(f"{kind}, 1 worker", f"{kind}, 2 workers")
        print(
            f"- {kind}: 2 workers vs 1: {s:.2f} x (machine ceiling {ceiling:.2f} x: "
            f"{s / ceiling:.0%} of it); medians of the rounds' ratios: {s_r:.2f} x, "
            f"ceiling {ceiling_r:.2f} x"
        )
    d = med["dask.bag.read_text(.lz4), 2 workers"]
    print(
        f"- vs dask.bag.read_text of the same .lz4 (one partition): "
        f"{d / med['independent, 2 workers']:.2f} x on 2 workers, "
        f"{d / med['independent, 1 worker']:.2f} x on 1"
    )
    print(
        f"- vs dask.bag.read_text of the uncompressed text, 2 workers: "
        f"{med['dask.bag.read_text(text), 2 workers'] / med['independent, 2 workers']:.2f} x"
    )


if __name__ == "__main__":
    main()
