//! Block-level speed of each SIMD kernel (and the C backend) against the bare C functions, per
//! input: the quick tool behind the speed work on backend-simd (the report, `src/bin/report.rs`,
//! is the complete comparison).
//!
//! ```text
//! bash ../shared/corpus/unpack.sh target/corpus
//! cargo run --release -p lz4framed-bench --example speed [-- BLOCK_KIB [FILES...]]
//! ```
//!
//! For each input: cut into blocks of `BLOCK_KIB` KiB (default 4096, the `lz4` tool's block
//! size; 0 = the whole input as one block), level 1 compression against `LZ4_compress_default`
//! and decompression (of the C library's blocks) against `LZ4_decompress_safe`; prints MB/s of
//! uncompressed data, speed ratios to C and compressed sizes against C's. Inputs: the files
//! given, else the Silesia files (`LZ4FRAMED_CORPUS`, default `target/corpus`); `SHAPES=1`
//! adds the generated shapes (`lz4framed_bench::shapes`, 4 MiB each).
//!
//! Contenders are timed in interleaved rounds (`ROUNDS`, default 5) of at least `MIN_MS`
//! milliseconds (default 200) each, on the thread's CPU clock (`/proc/thread-self/schedstat`,
//! nanoseconds), best round kept. `KERNELS=avx2,sse2` restricts the kernels (`c` names the C
//! backend, left out by default); `ONLY=comp|dec` the operations. `LINKED=1`: linked blocks,
//! each with the previous 64 KiB as history (C: `LZ4_compress_fast_continue` on one stream,
//! `LZ4_decompress_safe_usingDict`), decoded two ways: `dec` with the history in a separate
//! buffer (C's external-dictionary path; ours `decompress`) and `inpl` in place, every block
//! into one output buffer right after the blocks before it (C's prefix mode,
//! `LZ4_decompress_safe_withPrefix64k`, which `_usingDict` chooses for this layout; ours
//! `decompress_in_place`), as the frame decoders decode linked frames. `ONCE=1`: every operation runs once, untimed — for
//! instruction counts under `valgrind --tool=callgrind` (read the inclusive cost of
//! `LZ4_compress_default`, `LZ4_decompress_safe` and the kernels' `compress`/`decompress`).

use std::hint::black_box;

use lz4framed::codec::{compress_bound, BlockCodec, BlockCompressor};
use lz4framed_backend_c::raw;
use lz4framed_backend_simd::{codec, Kernel};
use lz4framed_bench::corpus::silesia;
use lz4framed_bench::measure::thread_cpu_time;
use lz4framed_bench::shapes::Shape;

/// This thread's CPU time in nanoseconds.
fn cpu_ns() -> u64 {
    thread_cpu_time()
        .expect("/proc/thread-self/schedstat (Linux)")
        .as_nanos() as u64
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Best CPU seconds per call of `f` over one round of at least `MIN_MS` ms.
fn time_round(f: &mut dyn FnMut()) -> f64 {
    let min_ns = env_num("MIN_MS", 200) as u64 * 1_000_000;
    let start = cpu_ns();
    let mut n = 0u32;
    loop {
        f();
        n += 1;
        let spent = cpu_ns() - start;
        if spent >= min_ns {
            return spent as f64 / 1e9 / f64::from(n);
        }
    }
}

/// One decoder's in-place call: `(block, buf, start)` decodes into `buf[start..]` after the
/// history `buf[..start]`; returns the decoded size.
type InPlaceFn<'a> = dyn Fn(&[u8], &mut [u8], usize) -> usize + 'a;

/// A contender: a codec of ours (a SIMD kernel or the C backend).
struct Contender {
    name: &'static str,
    codec: &'static dyn BlockCodec,
}

fn contenders() -> Vec<Contender> {
    let wanted = std::env::var("KERNELS").ok();
    let wants = |name: &str| match &wanted {
        None => name != "c",
        Some(list) => list
            .split(',')
            .any(|w| !w.trim().is_empty() && name.ends_with(w.trim())),
    };
    let mut list: Vec<Contender> = Kernel::ALL
        .into_iter()
        .filter_map(codec)
        .map(|c| Contender {
            name: c.kernel().name(),
            codec: c as &'static dyn BlockCodec,
        })
        .collect();
    list.push(Contender {
        name: "c",
        codec: &lz4framed_backend_c::CODEC,
    });
    list.retain(|c| wants(c.name));
    list
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let block_kib = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(4096usize);
    let mut inputs: Vec<(String, Vec<u8>)> = if args.len() > 1 {
        args[1..]
            .iter()
            .map(|f| {
                let name = f.rsplit('/').next().unwrap_or(f).to_string();
                (
                    name,
                    std::fs::read(f).unwrap_or_else(|e| panic!("{f}: {e}")),
                )
            })
            .collect()
    } else {
        silesia(None)
            .into_iter()
            .map(|s| (s.name, s.data))
            .collect()
    };
    if std::env::var("SHAPES").is_ok_and(|v| v == "1") {
        inputs.extend(
            Shape::ALL
                .iter()
                .map(|s| (s.name().to_string(), s.generate(4 << 20))),
        );
    }
    assert!(
        !inputs.is_empty(),
        "no inputs: unpack the corpus, pass files or set SHAPES=1"
    );
    let rounds = env_num("ROUNDS", 5).max(1);
    let once = std::env::var("ONCE").is_ok_and(|v| v == "1");
    let only = std::env::var("ONLY").unwrap_or_default();
    let (do_comp, do_dec) = (only != "dec", only != "comp");
    let linked = std::env::var("LINKED").is_ok_and(|v| v == "1");
    let cs = contenders();
    println!(
        "blocks: {}{}; C anchors: {}",
        if block_kib == 0 {
            "whole input".to_string()
        } else {
            format!("{block_kib} KiB")
        },
        if linked { ", linked" } else { "" },
        if linked {
            "LZ4_compress_fast_continue / LZ4_decompress_safe_usingDict"
        } else {
            "LZ4_compress_default / LZ4_decompress_safe"
        }
    );

    let n = cs.len();
    let (mut log_comp, mut log_dec) = (vec![0f64; n], vec![0f64; n]);
    let mut log_inpl = vec![0f64; n];
    let (mut total_c, mut total_ours) = (0usize, vec![0usize; n]);
    for (name, data) in &inputs {
        let bs = if block_kib == 0 {
            data.len().max(1)
        } else {
            block_kib << 10
        };
        let blocks: Vec<&[u8]> = data.chunks(bs).collect();
        let hists: Vec<&[u8]> = (0..blocks.len())
            .map(|i| {
                if linked {
                    &data[(i * bs).saturating_sub(65536)..i * bs]
                } else {
                    &data[..0]
                }
            })
            .collect();
        let mut scratch = vec![0u8; compress_bound(bs)];
        let mut out = vec![0u8; bs];

        // The C library's blocks: what every decoder decodes.
        let mut comp: Vec<Vec<u8>> = Vec::new();
        let c_compress = |scratch: &mut [u8], keep: &mut dyn FnMut(&[u8])| {
            if linked {
                raw::compress_linked(data, bs, scratch, keep).expect("fits");
            } else {
                for b in &blocks {
                    let k = raw::compress_default(b, scratch).expect("fits");
                    keep(&scratch[..k]);
                }
            }
        };
        c_compress(&mut scratch, &mut |c| comp.push(c.to_vec()));
        let c_size: usize = comp.iter().map(Vec::len).sum();
        total_c += c_size;
        let c_decompress = |out: &mut [u8]| {
            for (c, h) in comp.iter().zip(&hists) {
                let r = if linked {
                    raw::decompress_safe_using_dict(c, h, out)
                } else {
                    raw::decompress_safe(c, out)
                };
                black_box(r.expect("C decodes its own block"));
            }
        };
        // Linked blocks in place: block i into `whole[i * bs..]`, the 64 KiB before it as
        // history in the same buffer; `decode(block, buf, start)` is one decoder's call.
        let mut whole = vec![0u8; if linked { data.len() } else { 0 }];
        let in_place = |whole: &mut [u8], decode: &InPlaceFn<'_>| {
            for (i, c) in comp.iter().enumerate() {
                let at = i * bs;
                let lo = at.saturating_sub(65536);
                let end = (at + bs).min(whole.len());
                black_box(decode(c, &mut whole[lo..end], at - lo));
            }
        };
        let c_in_place = |c: &[u8], buf: &mut [u8], start: usize| {
            raw::decompress_safe_in_place(c, buf, start).expect("C decodes its own block")
        };

        let mut compressors: Vec<Box<dyn BlockCompressor>> = cs
            .iter()
            .map(|c| {
                let mut k = c.codec.compressor(1).expect("level 1");
                k.begin_frame(bs, linked);
                k
            })
            .collect();
        let mut sizes = vec![0usize; n];
        for (i, k) in compressors.iter_mut().enumerate() {
            for (b, h) in blocks.iter().zip(&hists) {
                sizes[i] += k.compress(b, h, &mut scratch).expect("fits");
            }
            total_ours[i] += sizes[i];
        }

        if once {
            if do_comp {
                c_compress(&mut scratch, &mut |c| {
                    black_box(c);
                });
                for k in compressors.iter_mut() {
                    for (b, h) in blocks.iter().zip(&hists) {
                        black_box(k.compress(b, h, &mut scratch));
                    }
                }
            }
            if do_dec {
                c_decompress(&mut out);
                for c in &cs {
                    for (b, h) in comp.iter().zip(&hists) {
                        black_box(c.codec.decompress(b, h, &mut out).expect("decodes"));
                    }
                }
                if linked {
                    in_place(&mut whole, &c_in_place);
                    for c in &cs {
                        in_place(&mut whole, &|b, buf, start| {
                            c.codec.decompress_in_place(b, buf, start).expect("decodes")
                        });
                    }
                }
            }
            continue;
        }
        if linked && do_dec {
            // Every decoder's in-place output is the input.
            for c in &cs {
                whole.fill(0);
                in_place(&mut whole, &|b, buf, start| {
                    c.codec.decompress_in_place(b, buf, start).expect("decodes")
                });
                assert!(whole == *data, "{}: in-place output differs", c.name);
            }
        }

        // Interleaved rounds: C, then every contender, rotating the start.
        let (mut tc, mut td, mut tp) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
        let (mut tk, mut tdk) = (vec![f64::INFINITY; n], vec![f64::INFINITY; n]);
        let mut tpk = vec![f64::INFINITY; n];
        for round in 0..rounds {
            for slot in 0..=n {
                let who = (slot + round) % (n + 1);
                if who == n {
                    if do_comp {
                        tc = tc.min(time_round(&mut || {
                            c_compress(&mut scratch, &mut |c| {
                                black_box(c);
                            })
                        }));
                    }
                    if do_dec {
                        td = td.min(time_round(&mut || c_decompress(&mut out)));
                        if linked {
                            tp = tp.min(time_round(&mut || in_place(&mut whole, &c_in_place)));
                        }
                    }
                    continue;
                }
                if do_comp {
                    let k = &mut compressors[who];
                    tk[who] = tk[who].min(time_round(&mut || {
                        for (b, h) in blocks.iter().zip(&hists) {
                            black_box(k.compress(b, h, &mut scratch));
                        }
                    }));
                }
                if do_dec {
                    let codec = cs[who].codec;
                    tdk[who] = tdk[who].min(time_round(&mut || {
                        for (b, h) in comp.iter().zip(&hists) {
                            black_box(codec.decompress(b, h, &mut out).expect("decodes"));
                        }
                    }));
                    if linked {
                        tpk[who] = tpk[who].min(time_round(&mut || {
                            in_place(&mut whole, &|b, buf, start| {
                                codec.decompress_in_place(b, buf, start).expect("decodes")
                            })
                        }));
                    }
                }
            }
        }
        let mb = data.len() as f64 / 1e6;
        let c_inpl = if linked {
            format!("  inpl {:7.1} MB/s", mb / tp)
        } else {
            String::new()
        };
        println!(
            "{name:10} C: comp {:7.1} MB/s  dec {:7.1} MB/s{c_inpl}  ratio {:.4}",
            mb / tc,
            mb / td,
            data.len() as f64 / c_size as f64
        );
        for (i, c) in cs.iter().enumerate() {
            let (rc, rd, rp) = (tc / tk[i], td / tdk[i], tp / tpk[i]);
            if do_comp {
                log_comp[i] += rc.ln();
            }
            if do_dec {
                log_dec[i] += rd.ln();
                log_inpl[i] += rp.ln();
            }
            let inpl = if linked {
                format!("  inpl {:7.1} MB/s ({rp:.3}x C)", mb / tpk[i])
            } else {
                String::new()
            };
            println!(
                "  {:12} comp {:7.1} MB/s ({rc:.3}x C)  dec {:7.1} MB/s ({rd:.3}x C){inpl}  size \
                 {:+.3}%",
                c.name,
                mb / tk[i],
                mb / tdk[i],
                (sizes[i] as f64 / c_size as f64 - 1.0) * 100.0
            );
        }
    }
    let k = inputs.len() as f64;
    for (i, c) in cs.iter().enumerate() {
        let inpl = if linked {
            format!("  inpl {:.3}x C", (log_inpl[i] / k).exp())
        } else {
            String::new()
        };
        println!(
            "geomean {:12} comp {:.3}x C  dec {:.3}x C{inpl}  total size {:+.3}%",
            c.name,
            (log_comp[i] / k).exp(),
            (log_dec[i] / k).exp(),
            (total_ours[i] as f64 / total_c as f64 - 1.0) * 100.0
        );
    }
}
