//! Ad-hoc speed comparison with the C library (not the benchmark harness, which is in `bench/`).
//!
//! ```text
//! bash ../shared/corpus/unpack.sh target/corpus
//! cargo run --release -p lz4framed-backend-simd --example speed [-- BLOCK_KIB [FILES...]]
//! ```
//!
//! For each file: the input cut into independent blocks of `BLOCK_KIB` KiB (default: the whole
//! file as one block), level 1 compression and decompression with C and each available kernel;
//! prints MB/s (of uncompressed data), our/C speed ratios and compressed sizes. Contenders are
//! timed in interleaved rounds (`ROUNDS`, default 5), best time kept; `KERNELS=avx2,sse2`
//! restricts the kernels, `ONLY=comp|dec` the operations; `CALIB=1` times the C decoder twice per round
//! (a check on the method). `LINKED=1`: linked blocks, each with the previous 64 KiB as history.
//! Compression is then C's `LZ4_compress_fast_continue` on one stream over the contiguous input
//! (a fresh stream per timed pass) against our compressors given `history` that ends where
//! `src` begins (as the frame layer passes it); decompression decodes C's linked blocks with that
//! history as a separate slice. Sizes are totals over all blocks, ours against C's.

use std::ffi::{c_char, c_int};
use std::hint::black_box;
use std::time::{Duration, Instant};

use lz4framed_backend_simd::{codec, Kernel};
use lz4framed_core::{compress_bound, BlockCodec};

fn c_compress(src: &[u8], dst: &mut [u8]) -> usize {
    // SAFETY: live buffers with their lengths.
    let n = unsafe {
        lz4_sys::LZ4_compress_default(
            src.as_ptr() as *const c_char,
            dst.as_mut_ptr() as *mut c_char,
            src.len() as c_int,
            dst.len() as c_int,
        )
    };
    assert!(n > 0);
    n as usize
}

fn c_decompress(src: &[u8], hist: &[u8], dst: &mut [u8]) -> usize {
    // SAFETY: live buffers with their lengths.
    let n = unsafe {
        LZ4_decompress_safe_usingDict(
            src.as_ptr() as *const c_char,
            dst.as_mut_ptr() as *mut c_char,
            src.len() as c_int,
            dst.len() as c_int,
            hist.as_ptr() as *const c_char,
            hist.len() as c_int,
        )
    };
    assert!(n >= 0);
    n as usize
}

extern "C" {
    fn LZ4_decompress_safe_usingDict(
        src: *const c_char,
        dst: *mut c_char,
        src_size: c_int,
        dst_capacity: c_int,
        dict: *const c_char,
        dict_size: c_int,
    ) -> c_int;
    fn getrusage(who: c_int, usage: *mut [i64; 18]) -> c_int;
    fn LZ4_createStream() -> *mut Stream;
    fn LZ4_freeStream(stream: *mut Stream) -> c_int;
    fn LZ4_compress_fast_continue(
        stream: *mut Stream,
        src: *const c_char,
        dst: *mut c_char,
        src_size: c_int,
        dst_capacity: c_int,
        acceleration: c_int,
    ) -> c_int;
}

/// `LZ4_stream_t` (opaque).
#[repr(C)]
struct Stream {
    _private: [u8; 0],
}

/// C's linked-block compression of `blocks` (consecutive slices of one buffer) on a fresh
/// stream; `each` receives every compressed block.
fn c_compress_linked(blocks: &[&[u8]], dst: &mut [u8], mut each: impl FnMut(&[u8])) {
    // SAFETY: a new stream, freed below; the blocks stay alive and unmoved (they are
    // consecutive in one buffer, so each continued call finds the previous block in place).
    unsafe {
        let st = LZ4_createStream();
        assert!(!st.is_null());
        for b in blocks {
            let n = LZ4_compress_fast_continue(
                st,
                b.as_ptr() as *const c_char,
                dst.as_mut_ptr() as *mut c_char,
                b.len() as c_int,
                dst.len() as c_int,
                1,
            );
            assert!(n > 0);
            each(&dst[..n as usize]);
        }
        LZ4_freeStream(st);
    }
}

/// CPU time of this thread (Linux `RUSAGE_THREAD`): less disturbed than wall time on a shared
/// machine.
fn cpu_time() -> Duration {
    let mut r = [0i64; 18];
    // SAFETY: `struct rusage` is 18 longs on 64-bit Linux (two timevals, then 14 longs).
    let rc = unsafe { getrusage(1, &mut r) };
    assert_eq!(rc, 0);
    Duration::from_micros((r[0] * 1_000_000 + r[1] + r[2] * 1_000_000 + r[3]) as u64)
}

/// Best CPU time per call of a few runs of `f`, each repeated for at least `MIN_MS`
/// milliseconds (default 200: the thread CPU clock ticks in 4 ms steps on some kernels, so
/// shorter runs quantize the result). `run == false`: not timed (the operation is skipped).
fn time(run: bool, mut f: impl FnMut()) -> Duration {
    if !run {
        return Duration::from_secs(1);
    }
    let min = Duration::from_millis(
        std::env::var("MIN_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200),
    );
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = cpu_time();
        let w = Instant::now();
        let mut n = 0;
        while n == 0 || w.elapsed() < min {
            f();
            n += 1;
        }
        best = best.min((cpu_time() - t) / n);
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let block_kib: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(0);
    let mut files: Vec<String> = args.iter().skip(1).cloned().collect();
    if files.is_empty() {
        let dir = std::env::var("LZ4FRAMED_CORPUS").unwrap_or_else(|_| "target/corpus".into());
        let mut v: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no corpus in {dir}"))
            .flatten()
            .map(|e| e.path().to_string_lossy().into_owned())
            .collect();
        v.sort();
        files = v;
    }
    let mut kernels: Vec<Kernel> = Kernel::ALL
        .into_iter()
        .filter(|k| k.is_available())
        .collect();
    if let Ok(only) = std::env::var("KERNELS") {
        kernels.retain(|k| only.split(',').any(|n| k.name().ends_with(n.trim())));
    }
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    println!(
        "block: {}",
        if block_kib == 0 {
            "whole file".to_string()
        } else {
            format!("{block_kib} KiB")
        }
    );
    let mut geo_d = vec![0f64; kernels.len()];
    let mut geo_c = vec![0f64; kernels.len()];
    let mut total_c = 0usize;
    let mut total_k = vec![0usize; kernels.len()];
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let bs = if block_kib == 0 {
            data.len()
        } else {
            block_kib * 1024
        };
        let blocks: Vec<&[u8]> = data.chunks(bs).collect();
        let mut comp: Vec<Vec<u8>> = Vec::new();
        let mut scratch = vec![0u8; compress_bound(bs)];
        let mut out = vec![0u8; bs];
        // LINKED=1: blocks compressed by C against the previous 64 KiB, decoded with that
        // history as a separate slice; otherwise independent blocks compressed by C.
        let linked = std::env::var("LINKED").is_ok_and(|v| v == "1");
        let hists: Vec<&[u8]> = (0..blocks.len())
            .map(|i| {
                if linked {
                    &data[(i * bs).saturating_sub(65536)..i * bs]
                } else {
                    &data[..0]
                }
            })
            .collect();
        if linked {
            c_compress_linked(&blocks, &mut scratch, |c| comp.push(c.to_vec()));
        } else {
            for b in &blocks {
                let n = c_compress(b, &mut scratch);
                comp.push(scratch[..n].to_vec());
            }
        }
        let c_size: usize = comp.iter().map(|c| c.len()).sum();
        total_c += c_size;
        let mb = data.len() as f64 / 1e6;
        let name = path.rsplit('/').next().unwrap();
        let codecs: Vec<_> = kernels.iter().map(|&k| codec(k).unwrap()).collect();
        let mut cmps: Vec<_> = codecs.iter().map(|c| c.compressor(1).unwrap()).collect();
        let mut sizes = vec![0usize; kernels.len()];
        for (i, cmp) in cmps.iter_mut().enumerate() {
            for (b, h) in blocks.iter().zip(&hists) {
                sizes[i] += cmp.compress(b, h, &mut scratch).unwrap();
            }
        }
        // Interleaved rounds (the machine is shared): best time of each contender.
        let nk = kernels.len();
        let mut tc = Duration::MAX;
        let mut td = Duration::MAX;
        let mut tk = vec![Duration::MAX; nk];
        let mut tdk = vec![Duration::MAX; nk];
        let calib = std::env::var("CALIB").is_ok_and(|v| v == "1");
        let mut td_after = Duration::MAX;
        let only = std::env::var("ONLY").unwrap_or_default();
        let (do_c, do_d) = (only != "dec", only != "comp");
        for _ in 0..rounds {
            tc = tc.min(time(do_c, || {
                if linked {
                    c_compress_linked(&blocks, &mut scratch, |c| {
                        black_box(c);
                    });
                    return;
                }
                for b in &blocks {
                    black_box(c_compress(b, &mut scratch));
                }
            }));
            td = td.min(time(do_d, || {
                for (c, h) in comp.iter().zip(&hists) {
                    black_box(c_decompress(c, h, &mut out));
                }
            }));
            for i in 0..nk {
                let cmp = &mut cmps[i];
                tk[i] = tk[i].min(time(do_c, || {
                    for (b, h) in blocks.iter().zip(&hists) {
                        black_box(cmp.compress(b, h, &mut scratch));
                    }
                }));
                let cd = codecs[i];
                tdk[i] = tdk[i].min(time(do_d, || {
                    for (c, h) in comp.iter().zip(&hists) {
                        black_box(cd.decompress(c, h, &mut out).unwrap());
                    }
                }));
            }
            if calib {
                td_after = td_after.min(time(true, || {
                    for (c, h) in comp.iter().zip(&hists) {
                        black_box(c_decompress(c, h, &mut out));
                    }
                }));
            }
        }
        if calib {
            println!(
                "{name:10} calibration: C dec measured before/after the kernels in each round: {:.3}",
                td.as_secs_f64() / td_after.as_secs_f64()
            );
        }
        println!(
            "{name:10} C: comp {:7.1} MB/s  dec {:7.1} MB/s  ratio {:.4}",
            mb / tc.as_secs_f64(),
            mb / td.as_secs_f64(),
            data.len() as f64 / c_size as f64
        );
        for (i, &k) in kernels.iter().enumerate() {
            let (rc, rd) = (
                tc.as_secs_f64() / tk[i].as_secs_f64(),
                td.as_secs_f64() / tdk[i].as_secs_f64(),
            );
            geo_c[i] += rc.ln();
            total_k[i] += sizes[i];
            geo_d[i] += rd.ln();
            println!(
                "  {:12} comp {:7.1} MB/s ({:.3}x C)  dec {:7.1} MB/s ({:.3}x C)  size {:+.3}%",
                k.name(),
                mb / tk[i].as_secs_f64(),
                rc,
                mb / tdk[i].as_secs_f64(),
                rd,
                (sizes[i] as f64 / c_size as f64 - 1.0) * 100.0
            );
        }
    }
    let n = files.len() as f64;
    for (i, k) in kernels.iter().enumerate() {
        println!(
            "geomean {:12} comp {:.3}x C  dec {:.3}x C  total size {:+.3}%",
            k.name(),
            (geo_c[i] / n).exp(),
            (geo_d[i] / n).exp(),
            (total_k[i] as f64 / total_c as f64 - 1.0) * 100.0
        );
    }
}
