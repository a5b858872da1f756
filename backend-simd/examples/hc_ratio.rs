//! High-compression levels side by side with the C library: ratio and speed per Silesia file,
//! geomeans per level. Ad-hoc (the benchmark harness is in `bench/`); no assertions.
//!
//! ```text
//! bash ../shared/corpus/unpack.sh target/corpus
//! cargo run --release -p lz4framed-backend-simd --example hc_ratio [-- FILES...]
//! ```
//!
//! Environment: `LEVELS` (default `3,6,9,12`), `ROUNDS` (default 3; C and ours alternate, the
//! best time is kept), `LIMIT_MIB` (default 8: at most this much of each file, from its start),
//! `BLOCK_KIB` (default 4096: independent blocks of this size), `FAVOR=1` (ours favours
//! decompression speed; the C backend has no such switch, so C runs without), `ONLY=c|ours`
//! (run one side only, for profiling), `LZ4FRAMED_CORPUS` (default `target/corpus`).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lz4framed_backend_simd::hc::HcCompressor;
use lz4framed_core::{compress_bound, BlockCodec, BlockCompressor};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Compresses `data` in independent blocks; total compressed size and time.
fn run(
    c: &mut dyn BlockCompressor,
    data: &[u8],
    block: usize,
    dst: &mut [u8],
) -> (usize, Duration) {
    let t = Instant::now();
    let mut total = 0;
    for b in data.chunks(block) {
        total += c
            .compress(black_box(b), &[], dst)
            .expect("fits in compress_bound");
    }
    (total, t.elapsed())
}

fn main() {
    let levels: Vec<i32> = std::env::var("LEVELS")
        .unwrap_or_else(|_| "3,6,9,12".into())
        .split(',')
        .map(|l| l.trim().parse().expect("LEVELS: comma-separated integers"))
        .collect();
    let rounds = env_num("ROUNDS", 3).max(1);
    let limit = env_num("LIMIT_MIB", 8) << 20;
    let block = env_num("BLOCK_KIB", 4096) << 10;
    let favor = std::env::var("FAVOR").is_ok_and(|v| v == "1");
    let only = match std::env::var("ONLY").as_deref() {
        Ok("c") => Some(0),
        Ok("ours") => Some(1),
        _ => None,
    };
    let dir = std::env::var_os("LZ4FRAMED_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/corpus"));
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        files = ["dickens", "mr", "nci", "ooffice", "osdb", "reymont", "xml"]
            .iter()
            .map(|f| dir.join(f).to_string_lossy().into_owned())
            .collect();
    }
    let inputs: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter_map(|f| {
            let mut d = std::fs::read(f).ok()?;
            d.truncate(limit);
            let name = PathBuf::from(f).file_name()?.to_string_lossy().into_owned();
            Some((name, d))
        })
        .collect();
    if inputs.is_empty() {
        eprintln!("no input files (unpack the corpus or pass files)");
        return;
    }
    let mut dst = vec![0u8; compress_bound(block)];
    println!(
        "block {} KiB, {} MiB max per file, best of {rounds}, favor_dec_speed {favor}",
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
            for _ in 0..rounds {
                for (i, best) in best.iter_mut().enumerate() {
                    if only.is_some_and(|o| o != i) {
                        continue;
                    }
                    let mut c: Box<dyn BlockCompressor> = if i == 0 {
                        lz4framed_backend_c::CODEC.compressor(level).unwrap()
                    } else {
                        Box::new(HcCompressor::new(level, favor))
                    };
                    let (n, t) = run(&mut *c, data, block, &mut dst);
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
