//! What the parallel paths cost: wall time, CPU time (user + system, from `/proc/self/stat`)
//! and minor page faults per call of compression, stream decompression and indexed
//! decompression of the Silesia files concatenated, on 1 thread, 2 threads, and as two
//! independent 1-thread calls at once (per call, the machine's ceiling). Run it pinned to one
//! CPU (`taskset -c 1`) to see the cost of a second thread when no core is free.
//!
//! ```text
//! cargo run -p lz4framed-bench --release --example par_cost -- [ROUNDS] [CASE-PREFIX] [CALLS]
//! ```
//!
//! Each case runs for 0.3 s per round, or exactly CALLS calls per round when given (so that
//! a profile, `perf record`, can be divided by the number of calls).
use std::time::Instant;

use lz4framed::FrameSettings;
use lz4framed_bench::corpus;
use lz4framed_bench::measure::Case;
use lz4framed_bench::parallel as par;

fn faults() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    f[7].parse::<f64>().unwrap()
}

fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    let tick = 100.0;
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / tick
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let only = std::env::args().nth(2).unwrap_or_default();
    let calls: Option<usize> = std::env::args().nth(3).and_then(|s| s.parse().ok());
    let data = corpus::concatenated(&corpus::silesia(None));
    let settings = FrameSettings::lz4_cli();
    let (file, index) = par::indexed(&data, &settings, 4 << 20);
    let mut outs: Vec<Vec<u8>> = (0..12).map(|_| Vec::with_capacity(data.len())).collect();
    let [c1, c2, s1, s2, i1, i2, c3, c4, s3, s4, i3, i4] = &mut outs[..] else {
        unreachable!()
    };
    fn pair(a: impl FnOnce() -> usize + Send, b: impl FnOnce() -> usize) -> usize {
        std::thread::scope(|s| {
            let h = s.spawn(a);
            let n = b();
            h.join().unwrap() + n
        })
    }
    let (data, file, index, settings) = (&data[..], &file[..], &index, &settings);
    let mut cases: Vec<(&str, Case<'_>)> = vec![
        (
            "compress 1",
            Box::new(|| par::compress_into(data, settings, 1, c1)),
        ),
        (
            "compress 2",
            Box::new(|| par::compress_into(data, settings, 2, c2)),
        ),
        (
            "compress pair/2",
            Box::new(|| {
                pair(
                    || par::compress_into(data, settings, 1, c3),
                    || par::compress_into(data, settings, 1, c4),
                )
            }),
        ),
        ("stream 1", Box::new(|| par::stream_decompress(file, 1, s1))),
        ("stream 2", Box::new(|| par::stream_decompress(file, 2, s2))),
        (
            "stream pair/2",
            Box::new(|| {
                pair(
                    || par::stream_decompress(file, 1, s3),
                    || par::stream_decompress(file, 1, s4),
                )
            }),
        ),
        (
            "indexed 1",
            Box::new(|| par::indexed_decompress_into(file, index, 1, i1)),
        ),
        (
            "indexed 2",
            Box::new(|| par::indexed_decompress_into(file, index, 2, i2)),
        ),
        (
            "indexed pair/2",
            Box::new(|| {
                pair(
                    || par::indexed_decompress_into(file, index, 1, i3),
                    || par::indexed_decompress_into(file, index, 1, i4),
                )
            }),
        ),
    ];
    if !only.is_empty() {
        cases.retain(|(n, _)| n.starts_with(&only));
    }
    let mut wall = vec![Vec::new(); cases.len()];
    let mut cpus = vec![Vec::new(); cases.len()];
    let mut flt = vec![Vec::new(); cases.len()];
    for r in 0..rounds {
        for k in 0..cases.len() {
            let i = (k + r) % cases.len();
            let (f0, c0, t) = (faults(), cpu(), Instant::now());
            let mut n = 0;
            while calls.map_or(t.elapsed().as_secs_f64() < 0.3, |c| n < c) {
                std::hint::black_box((cases[i].1)());
                n += 1;
            }
            wall[i].push(t.elapsed().as_secs_f64() / n as f64);
            cpus[i].push((cpu() - c0) / n as f64);
            flt[i].push((faults() - f0) / n as f64);
        }
    }
    for (i, (n, _)) in cases.iter().enumerate() {
        let half = if n.contains("pair") { 2.0 } else { 1.0 };
        let mut w: Vec<f64> = wall[i].iter().map(|x| x / half).collect();
        w.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut c: Vec<f64> = cpus[i].iter().map(|x| x / half).collect();
        c.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{n:16} wall best {:6.1} ms median {:6.1} ms   cpu median {:6.1} ms  faults {:6.0}",
            w[0] * 1e3,
            w[rounds / 2] * 1e3,
            c[rounds / 2] * 1e3,
            flt[i][rounds / 2] / half
        );
    }
}
