//! Ad-hoc measurements for the seek index and the parallel paths (no assertions):
//! `cargo run --release --example seek_bench -- [CORPUS_DIR]` (default `target/corpus`, the
//! Silesia files unpacked by `../shared/corpus/unpack.sh`, concatenated in name order).

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use lz4framed::index::SeekableReader;
use lz4framed::index::{build_index, IndexOptions};
use lz4framed::{BlockMode, BlockSize, FrameDecoder, FrameSettings};

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        last = Some(r);
    }
    (best, last.expect("runs > 0"))
}

/// CPU time of the calling thread (Linux), for figures on a loaded machine.
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn mbs(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/corpus".into());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut data = Vec::new();
    for n in &names {
        data.extend_from_slice(&std::fs::read(n).unwrap());
    }
    println!(
        "corpus: {} files, {} bytes; backend {}; {} cores",
        names.len(),
        data.len(),
        lz4framed::Backend::Auto.codec().unwrap().name(),
        lz4framed::parallel::available_threads()
    );
    let runs = 5;
    let configs = [
        (
            "4 MiB independent (lz4 CLI default)",
            BlockMode::Independent,
            BlockSize::Max4MB,
        ),
        (
            "64 KiB linked (library default)",
            BlockMode::Linked,
            BlockSize::Max64KB,
        ),
        (
            "64 KiB independent",
            BlockMode::Independent,
            BlockSize::Max64KB,
        ),
    ];
    for (name, mode, size) in configs {
        println!("\n## {name}");
        let s = FrameSettings::new()
            .block_mode(mode)
            .block_size(size)
            .content_checksum(true);
        let (t1, c1) = best(runs, || {
            lz4framed::parallel::compress(&data, &s, 1).unwrap()
        });
        let (t2, c2) = best(runs, || {
            lz4framed::parallel::compress(&data, &s, 2).unwrap()
        });
        assert!(c1 == c2);
        let (ts, _) = best(runs, || lz4framed::compress_with(&data, &s).unwrap());
        println!(
            "compress: serial Compressor {:.0} MB/s, parallel 1 thread {:.0} MB/s, 2 threads {:.0} MB/s -> {:.2}x (ratio {:.3})",
            mbs(data.len(), ts),
            mbs(data.len(), t1),
            mbs(data.len(), t2),
            t1.as_secs_f64() / t2.as_secs_f64(),
            data.len() as f64 / c1.len() as f64
        );
        let file = c1;
        let opts = IndexOptions::default();
        let (ti, index) = best(runs, || build_index(&file[..], &opts).unwrap());
        let (td, _) = best(runs, || {
            let mut out = Vec::with_capacity(data.len());
            FrameDecoder::new(&file[..]).read_to_end(&mut out).unwrap();
            out
        });
        let (to, _) = best(runs, || lz4framed::decompress(&file).unwrap());
        let isize = index.to_embedded().len();
        println!(
            "index: {} restart points, {} bytes = {:.4} % of the compressed size; built at {:.0} MB/s (of output) vs FrameDecoder {:.0} MB/s, one-shot decompress {:.0} MB/s -> index pass = {:.2}x FrameDecoder",
            index.entries().len(),
            isize,
            isize as f64 * 100.0 / file.len() as f64,
            mbs(data.len(), ti),
            mbs(data.len(), td),
            mbs(data.len(), to),
            td.as_secs_f64() / ti.as_secs_f64()
        );
        let (d1, o1) = best(runs, || {
            lz4framed::parallel::decompress(&file, &index, 1).unwrap()
        });
        let (d2, o2) = best(runs, || {
            lz4framed::parallel::decompress(&file, &index, 2).unwrap()
        });
        assert!(o1 == data && o2 == data);
        println!(
            "indexed decompress: 1 thread {:.0} MB/s, 2 threads {:.0} MB/s -> {:.2}x (2 threads vs one-shot serial: {:.2}x)",
            mbs(data.len(), d1),
            mbs(data.len(), d2),
            d1.as_secs_f64() / d2.as_secs_f64(),
            to.as_secs_f64() / d2.as_secs_f64()
        );
        // Random 4 KiB reads.
        let mut seekable = file.clone();
        seekable.extend_from_slice(&index.to_embedded());
        let mut r = SeekableReader::new(Cursor::new(&seekable)).unwrap();
        let mut x = 0x1234_5678_9abc_def1u64;
        let mut buf = vec![0u8; 4096];
        let n = 2000;
        let t = Instant::now();
        let c0 = thread_cpu();
        for _ in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = (x >> 11) % (data.len() as u64 - 4096);
            r.seek(SeekFrom::Start(at)).unwrap();
            r.read_exact(&mut buf).unwrap();
            debug_assert_eq!(buf, &data[at as usize..at as usize + 4096]);
        }
        let e = t.elapsed();
        let c = thread_cpu() - c0;
        println!(
            "random 4 KiB reads through SeekableReader: {:.0} reads/s wall ({:.3} ms each), {:.0} reads per CPU-second",
            n as f64 / e.as_secs_f64(),
            e.as_secs_f64() * 1000.0 / n as f64,
            n as f64 / c.as_secs_f64()
        );
    }
}
