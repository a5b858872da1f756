//! High-compression levels of backend-simd side by side with the bare `LZ4_compress_HC`: ratio
//! and speed per Silesia file, geomeans per level. The quick tool behind the HC work (the
//! report's HC table is the complete comparison); no assertions.
//!
//! ```text
//! bash ../shared/corpus/unpack.sh target/corpus
//! cargo run --release -p lz4framed-bench --example hc_ratio [-- FILES...]
//! ```
//!
//! Environment: `LEVELS` (default `3,6,9,12`), `ROUNDS` (default 3; C and ours alternate, the
//! best time is kept), `LIMIT_MIB` (default 8: at most this much of each file, from its start),
//! `BLOCK_KIB` (default 4096: independent blocks of this size), `FAVOR=1` (ours favours
//! decompression speed; `LZ4_compress_HC` has no such switch, so C runs without), `ONLY=c|ours`
//! (run one side only, for profiling), `LZ4FRAMED_CORPUS` (default `target/corpus`). Times are
//! the thread's CPU time.

use std::hint::black_box;
use std::time::Duration;

use lz4framed::codec::{compress_bound, BlockCompressor};
use lz4framed_backend_c::raw;
use lz4framed_backend_simd::hc::HcCompressor;
use lz4framed_bench::corpus::silesia;
use lz4framed_bench::measure::thread_cpu_time;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn cpu() -> Duration {
    thread_cpu_time().expect("/proc/thread-self/schedstat (Linux)")
}

/// Compresses `data` in independent blocks of `block` bytes with `f`; total size and CPU time.
fn run(
    data: &[u8],
    block: usize,
    dst: &mut [u8],
    f: &mut dyn FnMut(&[u8], &mut [u8]) -> usize,
) -> (usize, Duration) {
    let t = cpu();
    let total = data.chunks(block).map(|b| f(black_box(b), dst)).sum();
    (total, cpu() - t)
}

fn main() {
    let levels: Vec<i32> = std::env::var("LEVELS")
        .unwrap_or_else(|_| "3,6,9,12".into())
        .split(',')
        .map(|l| l.trim().parse().expect("LEVELS: comma-separated integers"))
        .collect();
    let rounds = env_num("ROUNDS", 3).max(1);
    let limit = env_num("LIMIT_MIB", 8) << 20;
    let block = env_num("BLOCK_KIB", 4096).max(1) << 10;
    let favor = std::env::var("FAVOR").is_ok_and(|v| v == "1");
    let only = match std::env::var("ONLY").as_deref() {
        Ok("c") => Some(0),
        Ok("ours") => Some(1),
        _ => None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let inputs: Vec<(String, Vec<u8>)> = if args.is_empty() {
        silesia(Some(limit))
            .into_iter()
            .map(|s| (s.name, s.data))
            .collect()
    } else {
        args.iter()
            .filter_map(|f| {
                let mut d = std::fs::read(f).ok()?;
                d.truncate(limit);
                Some((f.rsplit('/').next().unwrap_or(f).to_string(), d))
            })
            .collect()
    };
    if inputs.is_empty() {
        eprintln!("no input files (unpack the corpus or pass files)");
        return;
    }
    let mut dst = vec![0u8; compress_bound(block)];
    println!(
        "block {} KiB, {} MiB max per file, best of {rounds}, favor_dec_speed {favor}; \
         C = LZ4_compress_HC",
        block >> 10,
        limit >> 20
    );
    println!(
        "{:>5} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "level", "file", "C ratio", "ratio", "diff %", "C MB/s", "MB/s", "speed"
    );
    for &level in &levels {
        let (mut log_ratio, mut log_speed) = (0f64, 0f64);
        for (name, data) in &inputs {
            let mut best = [Duration::MAX; 2];
            let mut sizes = [0usize; 2];
            let mut ours = HcCompressor::new(level, favor);
            for _ in 0..rounds {
                for (i, best) in best.iter_mut().enumerate() {
                    if only.is_some_and(|o| o != i) {
                        continue;
                    }
                    let (n, t) = if i == 0 {
                        run(data, block, &mut dst, &mut |b, d| {
                            raw::compress_hc(b, d, level).expect("fits in compress_bound")
                        })
                    } else {
                        run(data, block, &mut dst, &mut |b, d| {
                            ours.compress(b, &[], d).expect("fits in compress_bound")
                        })
                    };
                    sizes[i] = n;
                    *best = (*best).min(t);
                }
            }
            let mb = data.len() as f64 / 1e6;
            let (rc, ro) = (
                data.len() as f64 / sizes[0] as f64,
                data.len() as f64 / sizes[1] as f64,
            );
            let (sc, so) = (mb / best[0].as_secs_f64(), mb / best[1].as_secs_f64());
            log_ratio += (ro / rc).ln();
            log_speed += (so / sc).ln();
            println!(
                "{level:>5} {name:>9} {rc:>8.4} {ro:>8.4} {:>+8.3} {sc:>8.1} {so:>8.1} {:>7.3}",
                (ro / rc - 1.0) * 100.0,
                so / sc
            );
        }
        let k = inputs.len() as f64;
        println!(
            "{level:>5} {:>9} {:>8} {:>8} {:>+8.3} {:>8} {:>8} {:>7.3}",
            "geomean",
            "",
            "",
            ((log_ratio / k).exp() - 1.0) * 100.0,
            "",
            "",
            (log_speed / k).exp()
        );
    }
}
