//! Block-level criterion benchmarks: every block codec of [`lz4framed_bench::codecs`] side by
//! side, per corpus file and synthetic shape.
//!
//! * `block-decompress/<file>/<codec>`: decoding the C library's level-1 blocks (the same input
//!   for every decoder), 4 MiB independent blocks;
//! * `block-compress-l<level>/<file>/<codec>`: compression at levels 1, 3, 6, 9, 12 where the
//!   codec supports them; the HC levels on the first 1 MiB of each input, to keep the run short.
//!   Compression ratios are printed on stderr (criterion has no column for them).
//!
//! Run: `cargo bench -p lz4framed-bench --bench block [-- FILTER]`.

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use lz4framed_bench::block::{self, BLOCK_SIZE};
use lz4framed_bench::codecs::{self, levels_of, LEVELS};
use lz4framed_bench::corpus;

/// The HC levels are measured on this prefix of each input.
const HC_PREFIX: usize = 1 << 20;

fn bench_block(c: &mut Criterion) {
    let samples = corpus::samples(None);
    let codecs = codecs::codecs();
    let reference = codecs[codecs::reference_index(&codecs).unwrap_or(0)];

    for s in &samples {
        let input = block::compress(reference, 1, &s.data, BLOCK_SIZE);
        let mut out = vec![0u8; s.data.len()];
        let mut g = c.benchmark_group(format!("block-decompress/{}", s.name));
        g.throughput(Throughput::Bytes(s.data.len() as u64));
        g.sample_size(20);
        for codec in &codecs {
            g.bench_function(BenchmarkId::from_parameter(codec.name()), |b| {
                b.iter(|| block::decompress_into(*codec, &input, &mut out))
            });
        }
        g.finish();
    }

    for level in LEVELS {
        for s in &samples {
            let data = if level > 1 {
                &s.data[..s.data.len().min(HC_PREFIX)]
            } else {
                &s.data[..]
            };
            let mut g = c.benchmark_group(format!("block-compress-l{level}/{}", s.name));
            g.throughput(Throughput::Bytes(data.len() as u64));
            g.sample_size(10);
            g.sampling_mode(SamplingMode::Flat);
            for codec in codecs.iter().filter(|c| levels_of(**c).contains(&level)) {
                let ratio = block::compress(*codec, level, data, BLOCK_SIZE).ratio();
                eprintln!(
                    "ratio block-compress-l{level}/{}/{}: {ratio:.4}",
                    s.name,
                    codec.name()
                );
                let mut compressor = codec.compressor(level).expect("level is supported");
                let mut scratch = block::scratch(BLOCK_SIZE);
                g.bench_function(BenchmarkId::from_parameter(codec.name()), |b| {
                    b.iter(|| {
                        block::compress_into(compressor.as_mut(), data, BLOCK_SIZE, &mut scratch)
                    })
                });
            }
            g.finish();
        }
    }
}

criterion_group!(benches, bench_block);
criterion_main!(benches);
