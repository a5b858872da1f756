//! `lz4 -b#` benchmark mode (`-b#` first level, `-e#` last level, `-i#` seconds per level):
//! for each level, the given files (joined, as `lz4` does) are compressed into an LZ4 frame
//! with the `lz4` tool's settings and decompressed again, in memory on one thread, repeated
//! until the time is up; one line per level in lz4's shape:
//! `level#name : input size -> compressed size (ratio), compression MB/s, decompression MB/s`
//! (MB = 10^6 bytes), on stderr as lz4 prints them. The round trip is checked: a mismatch is an error.

use std::time::{Duration, Instant};

use lz4framed::{BlockSize, Decompressor, FrameSettings};

use super::parse::{BlockSizeArg, Lz4Args};

/// Repeat `f` until `budget` is spent (at least once); returns the fastest run.
fn fastest(
    budget: Duration,
    mut f: impl FnMut() -> Result<(), String>,
) -> Result<Duration, String> {
    let start = Instant::now();
    let mut best = Duration::MAX;
    loop {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed());
        if start.elapsed() >= budget {
            return Ok(best);
        }
    }
}

/// Run the benchmark; returns the exit status.
pub fn run(a: &Lz4Args) -> i32 {
    let mut data = Vec::new();
    for f in &a.files {
        match std::fs::read(f) {
            Ok(d) => data.extend_from_slice(&d),
            Err(e) => {
                eprintln!(
                    "{}: {}",
                    f.to_string_lossy(),
                    crate::cli::errors::io_reason(&e)
                );
                return 1;
            }
        }
    }
    if a.files.is_empty() {
        eprintln!("No input files given to benchmark (lz4framed benchmarks files, not stdin)");
        return 1;
    }
    let name = if a.files.len() == 1 {
        std::path::Path::new(&a.files[0])
            .file_name()
            .unwrap_or(a.files[0].as_os_str())
            .to_string_lossy()
            .into_owned()
    } else {
        format!("{} files", a.files.len())
    };
    let budget = Duration::from_secs(u64::from(a.bench_seconds.unwrap_or(3)));
    let first = a.level.clamp(-65537, 12);
    let last = a.level_last.unwrap_or(first).clamp(first, 12);
    let block = match a.block_size {
        Some(BlockSizeArg::Id(id)) => BlockSize::from_id(id).unwrap_or(BlockSize::Max4MB),
        Some(BlockSizeArg::Bytes(b)) => BlockSize::ALL
            .into_iter()
            .find(|s| s.bytes() as u64 >= u64::from(b))
            .unwrap_or(BlockSize::Max4MB),
        None => BlockSize::Max4MB,
    };
    for level in first..=last {
        let settings = FrameSettings::lz4_cli()
            .level(if level == 0 { 1 } else { level })
            .block_size(block)
            .block_mode(if a.linked {
                lz4framed::BlockMode::Linked
            } else {
                lz4framed::BlockMode::Independent
            })
            .content_checksum(a.content_checksum)
            .block_checksum(a.block_checksum)
            .content_size(a.content_size.then_some(data.len() as u64));
        let mut frame = Vec::new();
        let c = fastest(budget, || {
            frame = lz4framed::compress_with(&data, &settings).map_err(|e| e.to_string())?;
            Ok(())
        });
        let c = match c {
            Ok(c) => c,
            Err(e) => {
                eprintln!("Error : level {level}: {e}");
                return 1;
            }
        };
        let mut back = Vec::new();
        let d = fastest(budget, || {
            back = lz4framed::decompress_with(Decompressor::new(), &frame)
                .map_err(|e| e.to_string())?;
            Ok(())
        });
        match d {
            Ok(_) if back != data => {
                eprintln!("Error : level {level}: the decompressed data differs from the input");
                return 1;
            }
            Err(e) => {
                eprintln!("Error : level {level}: {e}");
                return 1;
            }
            Ok(d) => {
                let mbs = |t: Duration| data.len() as f64 / t.as_secs_f64().max(1e-9) / 1e6;
                if a.display_level >= 1 {
                    eprintln!(
                        "{level:>2}#{name:<17.17} :{:>10} ->{:>10} ({:5.3}),{:>6.1} MB/s ,{:>6.1} MB/s ",
                        data.len(),
                        frame.len(),
                        data.len() as f64 / frame.len().max(1) as f64,
                        mbs(c),
                        mbs(d)
                    );
                }
            }
        }
    }
    0
}
