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

criterion_group!(benches, bench_frame);
criterion_main!(benches);
