//! Whether the kernel writes one file from several threads in parallel: writes 1 GiB into a
//! new file in 4 MiB `pwrite`s from one thread, then from two threads (each its own half, at
//! its own offsets, as `lz4framed decompress -T2` does), then from two threads into two files
//! (the control: what two 1-thread processes do), and prints the wall and CPU time (user +
//! system, from `/proc/self/stat`) of each. When, with a core free, CPU time ≈ wall time with
//! two threads into one file but ≈ 2 × wall time into two files, the writes into one file ran
//! one at a time: Linux takes the inode's lock for every buffered write (ext4, xfs, tmpfs), so
//! the copies into one file's page cache do not run in parallel.
//! This bounds the CLI's multi-threaded file-to-file decompression, where these copies are
//! most of the work (`perf record`: `copy_folio_from_iter_atomic`, 50-65 % of the process's
//! CPU time), below the ceiling of two 1-thread processes writing two files.
//!
//! ```text
//! cargo run -p lz4framed-bench --release --example write_lanes -- [DIR] [ROUNDS]
//! ```
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::Instant;

const PIECE: usize = 4 << 20;
const PIECES: usize = 256;

fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let f: Vec<&str> = s
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn write(dir: &std::path::Path, threads: usize, files: usize, buf: &[u8]) -> (f64, f64) {
    let paths: Vec<_> = (0..files)
        .map(|f| dir.join(format!("write_lanes.{}.{threads}.{f}", std::process::id())))
        .collect();
    let handles: Vec<File> = paths
        .iter()
        .map(|p| File::create(p).expect("create the file"))
        .collect();
    let (t, c) = (Instant::now(), cpu());
    std::thread::scope(|s| {
        for k in 0..threads {
            let file = &handles[k % files];
            s.spawn(move || {
                for i in (k..PIECES).step_by(threads) {
                    file.write_all_at(buf, (i * PIECE) as u64).expect("write");
                }
            });
        }
    });
    let r = (t.elapsed().as_secs_f64(), cpu() - c);
    drop(handles);
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
    r
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(std::env::temp_dir, Into::into);
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let buf: Vec<u8> = (0..PIECE).map(|i| (i * 31 + i / 4096) as u8).collect();
    for r in 0..rounds {
        for (threads, files) in [(1, 1), (2, 1), (2, 2)] {
            let (wall, cpu) = write(&dir, threads, files, &buf);
            println!(
                "round {r}: {threads} thread(s), {files} file(s): wall {:6.1} ms, CPU {:6.1} ms, \
                 CPU / wall {:.2}",
                wall * 1e3,
                cpu * 1e3,
                cpu / wall
            );
        }
    }
}
