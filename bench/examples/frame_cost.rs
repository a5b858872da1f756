//! Where the frame layer's time goes: the frame decoders (push, one-shot, `FrameDecoder` into
//! 64 KiB, 128 KiB, 256 KiB and 8 MiB buffers, lz4_flex's) against block decoding of the same data laid out in
//! different ways (`raw`: independent blocks into one buffer; `rawlin`: history contiguous
//! before each block, given as a separate slice (`decompress`); `rawinp`: the same layout
//! decoded in place (`decompress_in_place`); `rawc`: the bare C decoder in that layout,
//! `LZ4_decompress_safe_usingDict` with the history before the destination, i.e. its prefix
//! mode, as LZ4F and python-lz4 decode linked blocks; `rawsep`: history in a separate 64 KiB
//! window copied after each block;
//! `rawalt`: history in the other of two block buffers, no copy; `rawpair`/`rawring4`: a decoder-owned
//! buffer of the window and one / four blocks, each block decoded in place and copied out, the
//! last 64 KiB slid to the front when full; `rawflex`: lz4_flex's block
//! decoder), on the corpus files' first 4 MiB concatenated, SIMD backend. Interleaved rounds
//! of ≥ 50 ms per case; prints best and median MB/s and the median of per-round ratios.
//!
//! ```text
//! cargo run -p lz4framed-bench --release --example frame_cost -- [all|CASE] [CONFIG] [ROUNDS]
//! ```
//!
//! CONFIG is a frame configuration label (`4M-indep`, `64K-linked+xxh`, ...); with a CASE
//! name only that case runs, ROUNDS times (for `valgrind --tool=callgrind`).
use std::time::Instant;

use lz4framed::{Backend, BlockMode};
use lz4framed_backend_c::raw;
use lz4framed_bench::block;
use lz4framed_bench::corpus::{self, Sample};
use lz4framed_bench::frames::{self, FRAME_CONFIGS, READ_BUF};
use lz4framed_bench::measure::Case;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only = args.first().cloned().unwrap_or_default();
    let cfg_label = args.get(1).cloned().unwrap_or_else(|| "4M-indep".into());
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(15);
    let samples = corpus::samples(None);
    let prefixes: Vec<Sample> = samples
        .iter()
        .map(|s| Sample {
            data: s.data[..s.data.len().min(4 << 20)].to_vec(),
            ..s.clone()
        })
        .collect();
    let data = corpus::concatenated(&prefixes);
    let cfg = *FRAME_CONFIGS
        .iter()
        .find(|c| c.label == cfg_label)
        .expect("config");
    let frame = frames::ours_compress(&data, &cfg, 1, Backend::C);
    let raw = block::compress(
        Backend::C.codec().unwrap(),
        1,
        &data,
        cfg.block_size.bytes(),
    );
    let codec = Backend::Simd.codec().unwrap();
    let mut raw_out = vec![0u8; data.len()];
    let mut push_out = Vec::with_capacity(data.len());
    let mut buf = vec![0u8; READ_BUF];
    let mut buf2 = vec![0u8; READ_BUF];
    let mut buf3 = vec![0u8; 8 << 20];
    let mut buf128 = vec![0u8; 128 << 10];
    let mut buf256 = vec![0u8; 256 << 10];
    let indep = cfg.mode == BlockMode::Independent;
    // Linked blocks made by C, decoded with the history contiguous before dst / separate.
    let bs = cfg.block_size.bytes();
    let mut lblocks = Vec::new();
    {
        let mut c = Backend::C.codec().unwrap().compressor(1).unwrap();
        let mut dst = vec![0u8; lz4framed::codec::compress_bound(bs)];
        let mut at = 0;
        while at < data.len() {
            let end = (at + bs).min(data.len());
            let h = if indep {
                &data[..0]
            } else {
                &data[at.saturating_sub(65536)..at]
            };
            let n = c.compress(&data[at..end], h, &mut dst).unwrap();
            lblocks.push(dst[..n].to_vec());
            at = end;
        }
    }
    let lblocks2 = lblocks.clone();
    let lblocks3 = lblocks.clone();
    let mut lin_out = vec![0u8; data.len() + bs];
    let mut inp_out = vec![0u8; data.len() + bs];
    let mut c_out = vec![0u8; data.len() + bs];
    let mut sep_out = vec![0u8; bs];
    let mut sep_win = vec![0u8; 65536];
    let flex_dec = move |blocks: &[Vec<u8>], out: &mut Vec<u8>| {
        let mut at = 0;
        for b in blocks {
            let (h, d) = out.split_at_mut(at);
            let hist = if indep {
                &h[..0]
            } else {
                &h[at.saturating_sub(65536)..]
            };
            at += lz4_flex::block::decompress_into_with_dict(b, &mut d[..bs], hist).unwrap();
        }
        at
    };
    let mut flex_out = vec![0u8; data.len() + bs];
    let mut cases: Vec<(&str, Case<'_>)> = vec![];
    if indep {
        cases.push((
            "raw",
            Box::new(|| block::decompress_into(codec, &raw, &mut raw_out)),
        ));
    }
    cases.push((
        "rawlin",
        Box::new(|| {
            let mut at = 0;
            for b in &lblocks {
                let (h, d) = lin_out.split_at_mut(at);
                let hist = &h[at.saturating_sub(65536)..];
                at += codec
                    .decompress(b, if indep { &[] } else { hist }, &mut d[..bs])
                    .unwrap();
            }
            at
        }),
    ));
    cases.push((
        "rawinp",
        Box::new(|| {
            // The history before each block in one buffer, decoded in place.
            let mut at = 0usize;
            for b in &lblocks {
                let lo = if indep { at } else { at.saturating_sub(65536) };
                let end = (at + bs).min(inp_out.len());
                at += codec
                    .decompress_in_place(b, &mut inp_out[lo..end], at - lo)
                    .unwrap();
            }
            at
        }),
    ));
    cases.push((
        "rawc",
        Box::new(|| {
            // The bare C decoder in the same layout: LZ4_decompress_safe_usingDict with the
            // history directly before the destination (its prefix mode, as in LZ4F).
            let mut at = 0usize;
            for b in &lblocks {
                let (lo, end) = (
                    if indep { at } else { at.saturating_sub(65536) },
                    (at + bs).min(c_out.len()),
                );
                at += raw::decompress_safe_in_place(b, &mut c_out[lo..end], at - lo).unwrap();
            }
            at
        }),
    ));
    cases.push((
        "rawsep",
        Box::new(|| {
            let mut total = 0;
            for (i, b) in lblocks.iter().enumerate() {
                let n = codec
                    .decompress(
                        b,
                        if i == 0 || indep { &[] } else { &sep_win },
                        &mut sep_out[..bs],
                    )
                    .unwrap();
                if n >= 65536 {
                    sep_win.copy_from_slice(&sep_out[n - 65536..n]);
                }
                total += n;
            }
            total
        }),
    ));
    let mut alt = [vec![0u8; bs], vec![0u8; bs]];
    cases.push((
        "rawalt",
        Box::new(move || {
            let mut total = 0;
            for (i, b) in lblocks2.iter().enumerate() {
                let [x, y] = &mut alt;
                let (h, d) = if i % 2 == 0 { (&*y, x) } else { (&*x, y) };
                let hist = if i == 0 || indep {
                    &h[..0]
                } else {
                    &h[h.len() - 65536..]
                };
                total += codec.decompress(b, hist, &mut d[..bs]).unwrap();
            }
            total
        }),
    ));
    // A decoder-owned buffer [history | blocks]: each block decoded in place after its
    // history, copied out (as `Read` hands it to the caller), the last 64 KiB slid to the
    // front when the next block would not fit; `rawpair` holds one block, `rawring4` four.
    for (name, k) in [("rawpair", 1usize), ("rawring4", 4)] {
        let mut ring = vec![0u8; k * bs + 65536];
        let mut copy_dst = vec![0u8; bs];
        let blocks = &lblocks3;
        cases.push((
            name,
            Box::new(move || {
                let mut total = 0;
                let mut at = 0;
                for b in blocks {
                    if at + bs > ring.len() {
                        ring.copy_within(at - 65536..at, 0);
                        at = 65536;
                    }
                    let lo = if indep { at } else { at.saturating_sub(65536) };
                    let n = codec
                        .decompress_in_place(b, &mut ring[lo..at + bs], at - lo)
                        .unwrap();
                    copy_dst[..n].copy_from_slice(&ring[at..at + n]);
                    at += n;
                    total += n;
                }
                total
            }),
        ));
    }
    cases.push(("rawflex", Box::new(|| flex_dec(&lblocks, &mut flex_out))));
    cases.push((
        "push",
        Box::new(|| frames::ours_push_decode(&frame, Backend::Simd, &mut push_out)),
    ));
    cases.push((
        "oneshot",
        Box::new(|| frames::ours_decompress(&frame, Backend::Simd).len()),
    ));
    cases.push((
        "stream",
        Box::new(|| frames::ours_stream_decode(&frame, Backend::Simd, &mut buf)),
    ));
    cases.push((
        "stream128K",
        Box::new(|| frames::ours_stream_decode(&frame, Backend::Simd, &mut buf128)),
    ));
    cases.push((
        "stream256K",
        Box::new(|| frames::ours_stream_decode(&frame, Backend::Simd, &mut buf256)),
    ));
    cases.push((
        "stream8M",
        Box::new(|| frames::ours_stream_decode(&frame, Backend::Simd, &mut buf3)),
    ));
    cases.push((
        "flex",
        Box::new(|| frames::flex_stream_decode(&frame, &mut buf2)),
    ));
    if !only.is_empty() && only != "all" {
        let (_, f) = cases.iter_mut().find(|(n, _)| *n == only).expect("case");
        for _ in 0..rounds {
            assert_eq!(f(), data.len());
        }
        return;
    }
    for (n, f) in cases.iter_mut() {
        assert_eq!(f(), data.len(), "{n}");
    }
    let mut times = vec![Vec::new(); cases.len()];
    for r in 0..rounds {
        for k in 0..cases.len() {
            let i = (k + r) % cases.len();
            let f = &mut cases[i].1;
            let t = Instant::now();
            let mut it = 0;
            while t.elapsed().as_secs_f64() < 0.05 {
                std::hint::black_box(f());
                it += 1;
            }
            times[i].push(t.elapsed().as_secs_f64() / it as f64);
        }
    }
    let base = times.len() - 1; // flex
    println!(
        "{cfg_label}, {:.1} MB, {rounds} rounds",
        data.len() as f64 / 1e6
    );
    for (i, (n, _)) in cases.iter().enumerate() {
        let mut best = times[i].clone();
        best.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut ratios: Vec<f64> = (0..rounds).map(|r| times[base][r] / times[i][r]).collect();
        ratios.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let rawr = if indep {
            let mut v: Vec<f64> = (0..rounds).map(|r| times[i][r] / times[0][r]).collect();
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            format!("{:+.1} %", (v[rounds / 2] - 1.0) * 100.0)
        } else {
            String::new()
        };
        println!(
            "{n:10} best {:7.0} MB/s  median {:7.0} MB/s  x flex (median of rounds) {:.3}  over raw {rawr}",
            data.len() as f64 / best[0] / 1e6,
            data.len() as f64 / best[rounds / 2] / 1e6,
            ratios[rounds / 2]
        );
    }
}
