//! Frame-level criterion benchmarks: lz4framed's frame layer per backend against lz4_flex's
//! frame API and the C library's `LZ4F_*`, on 64 KiB linked and 4 MiB independent frames,
//! without and with the content checksum, level 1.
//!
//! Inputs: `silesia` (the corpus files concatenated) and the 66 KiB JSON-like text.
//!
//! * `frame-decompress/<config>/<input>/<impl>`: `ours-oneshot-<backend>` (one-shot
//!   `decompress_with`), `ours-stream-<backend>` (`FrameDecoder`, read into a 64 KiB buffer),
//!   `lz4_flex-stream` (its `FrameDecoder`, same buffer), `c-lz4f` (`LZ4F_decompress`, one-shot).
//!   Every decoder reads the C library's frame.
//! * `frame-compress/<config>/<input>/<impl>`: `ours-<backend>`, `lz4_flex`, `c-lz4f`.
//!
//! * `parallel/<input>/{compress,indexed-decompress}/<threads>`: threads 1 and 2;
//! * `random-read-4KiB/<file kind>`: 8 random 4 KiB reads per iteration (throughput in reads).
//!
//! Run: `cargo bench -p lz4framed-bench --bench frame [-- FILTER]`.

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use lz4framed_bench::corpus::{self, Sample};
use lz4framed_bench::frames::{self, FRAME_CONFIGS, READ_BUF};

fn inputs() -> Vec<Sample> {
    let all = corpus::samples(None);
    let mut v = vec![Sample {
        name: "silesia".into(),
        data: corpus::concatenated(&all),
        synthetic: false,
    }];
    v.extend(all.into_iter().filter(|s| s.name == "json-66k"));
    v
}

fn bench_frame(c: &mut Criterion) {
    let backends: Vec<_> = lz4framed::backends()
        .into_iter()
        .filter(|b| b.available)
        .map(|b| b.backend)
        .collect();
    let mut buf = vec![0u8; READ_BUF];
    for input in inputs() {
        let data = &input.data[..];
        for cfg in FRAME_CONFIGS {
            let frame = frames::c_compress(data, &cfg, 1);
            let mut g = c.benchmark_group(format!("frame-decompress/{}/{}", cfg.label, input.name));
            g.throughput(Throughput::Bytes(data.len() as u64));
            g.sample_size(10);
            for &b in &backends {
                g.bench_function(
                    BenchmarkId::from_parameter(format!("ours-oneshot-{b}")),
                    |bch| bch.iter(|| frames::ours_decompress(&frame, b).len()),
                );
                g.bench_function(
                    BenchmarkId::from_parameter(format!("ours-stream-{b}")),
                    |bch| bch.iter(|| frames::ours_stream_decode(&frame, b, &mut buf)),
                );
            }
            g.bench_function(BenchmarkId::from_parameter("lz4_flex-stream"), |bch| {
                bch.iter(|| frames::flex_stream_decode(&frame, &mut buf))
            });
            g.bench_function(BenchmarkId::from_parameter("c-lz4f"), |bch| {
                bch.iter(|| frames::c_decompress(&frame).len())
            });
            g.finish();

            let mut g = c.benchmark_group(format!("frame-compress/{}/{}", cfg.label, input.name));
            g.throughput(Throughput::Bytes(data.len() as u64));
            g.sample_size(10);
            g.sampling_mode(SamplingMode::Flat);
            for &b in &backends {
                g.bench_function(BenchmarkId::from_parameter(format!("ours-{b}")), |bch| {
                    bch.iter(|| frames::ours_compress(data, &cfg, 1, b).len())
                });
            }
            g.bench_function(BenchmarkId::from_parameter("lz4_flex"), |bch| {
                bch.iter(|| frames::flex_compress(data, &cfg).len())
            });
            g.bench_function(BenchmarkId::from_parameter("c-lz4f"), |bch| {
                bch.iter(|| frames::c_compress(data, &cfg, 1).len())
            });
            g.finish();
        }
    }
}

/// Parallel compression and indexed decompression on 1 and 2 threads (the `lz4` tool's
/// settings), and random 4 KiB reads through a `SeekableReader`.
fn bench_parallel(c: &mut Criterion) {
    use lz4framed::{BlockMode, BlockSize, FrameSettings};
    use lz4framed_bench::parallel as par;
    let all = corpus::samples(Some(4 << 20));
    let data = corpus::concatenated(&all);
    let settings = FrameSettings::lz4_cli();
    let (file, index) = par::indexed(&data, &settings, 4 << 20);

    let mut g = c.benchmark_group("parallel/silesia-4M-prefixes");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    for threads in [1, 2] {
        g.bench_function(BenchmarkId::new("compress", threads), |b| {
            b.iter(|| par::compress(&data, &settings, threads).len())
        });
        g.bench_function(BenchmarkId::new("indexed-decompress", threads), |b| {
            b.iter(|| par::decompress(&file, &index, threads).len())
        });
    }
    g.finish();

    const READS: usize = 8;
    let mut g = c.benchmark_group("random-read-4KiB");
    g.throughput(Throughput::Elements(READS as u64));
    g.sample_size(20);
    let linked = par::indexed(&data, &FrameSettings::new(), 1 << 20);
    let indep64 = par::indexed(
        &data,
        &FrameSettings::new()
            .block_size(BlockSize::Max64KB)
            .block_mode(BlockMode::Independent),
        1 << 20,
    );
    let kinds = [
        ("4M-indep", (file.clone(), index.clone())),
        ("64K-linked-restart-1M", linked),
        ("64K-indep", indep64),
    ];
    for (label, (f, i)) in &kinds {
        let mut reader = par::RandomReads::new(f, i.clone());
        let mut buf = [0u8; 4096];
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| reader.run(READS, &mut buf))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_frame, bench_parallel);
criterion_main!(benches);
