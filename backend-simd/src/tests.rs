//! Differential tests of every kernel against the C library (lz4-sys) and against each other.
//!
//! In-crate so that they can see the exact failure reason (`Fail::OffsetZero` is the one place
//! where we deliberately disagree with the C decoder, which accepts offset 0).

use std::ffi::{c_char, c_int};

use lz4framed_core::{compress_bound, AppendHistory, BlockCodec, BlockError, Error};

use crate::common::Fail;
use crate::dispatch;
use crate::{best, codec, Kernel};

extern "C" {
    // In lz4-sys's liblz4.a (LZ4 1.10), not bound by the crate.
    fn LZ4_decompress_safe_usingDict(
        src: *const c_char,
        dst: *mut c_char,
        src_size: c_int,
        dst_capacity: c_int,
        dict_start: *const c_char,
        dict_size: c_int,
    ) -> c_int;
}

/// The kernels this CPU can run.
pub(crate) fn kernels() -> Vec<Kernel> {
    Kernel::ALL
        .into_iter()
        .filter(|k| k.is_available())
        .collect()
}

/// xorshift64*.
pub(crate) struct Rng(u64);
impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// The C decoder with `history` in a separate buffer (never adjacent to `dst`).
pub(crate) fn c_decode(src: &[u8], history: &[u8], cap: usize) -> Option<Vec<u8>> {
    let mut hbuf = history.to_vec();
    hbuf.extend_from_slice(&[0; 16]);
    let mut dst = vec![0u8; cap];
    // SAFETY: pointers and lengths of live buffers; the C decoder stays within them.
    let n = unsafe {
        LZ4_decompress_safe_usingDict(
            src.as_ptr() as *const c_char,
            dst.as_mut_ptr() as *mut c_char,
            src.len() as c_int,
            cap as c_int,
            hbuf.as_ptr() as *const c_char,
            history.len() as c_int,
        )
    };
    if n < 0 {
        None
    } else {
        dst.truncate(n as usize);
        Some(dst)
    }
}

/// The C decoder with `history` directly before the destination in one buffer: C's prefix mode
/// (`LZ4_decompress_safe_usingDict` recognises the layout and decodes with
/// `LZ4_decompress_safe_withPrefix64k`, or `_withSmallPrefix` below 64 KiB - 1 of history).
pub(crate) fn c_decode_prefix(src: &[u8], history: &[u8], cap: usize) -> Option<Vec<u8>> {
    let hlen = history.len();
    let mut buf = history.to_vec();
    buf.resize(hlen + cap, 0);
    // SAFETY: pointers and lengths of live buffers; the history is `buf[..hlen]`, the destination
    // `buf[hlen..]`; the C decoder reads no further back than the history it is given.
    let n = unsafe {
        let base = buf.as_mut_ptr();
        LZ4_decompress_safe_usingDict(
            src.as_ptr() as *const c_char,
            base.add(hlen) as *mut c_char,
            src.len() as c_int,
            cap as c_int,
            base as *const c_char,
            hlen as c_int,
        )
    };
    if n < 0 {
        None
    } else {
        Some(buf[hlen..hlen + n as usize].to_vec())
    }
}

/// `LZ4_compress_fast`.
pub(crate) fn c_compress(src: &[u8], accel: i32) -> Vec<u8> {
    let mut dst = vec![0u8; compress_bound(src.len())];
    // SAFETY: pointers and lengths of live buffers.
    let n = unsafe {
        lz4_sys::LZ4_compress_fast(
            src.as_ptr() as *const c_char,
            dst.as_mut_ptr() as *mut c_char,
            src.len() as c_int,
            dst.len() as c_int,
            accel,
        )
    };
    assert!(n > 0);
    dst.truncate(n as usize);
    dst
}

/// Our decoder with one kernel, into a buffer of `cap` bytes prefilled with `fill`.
pub(crate) fn our_decode(
    k: Kernel,
    src: &[u8],
    history: &[u8],
    cap: usize,
    fill: u8,
) -> Result<Vec<u8>, Fail> {
    let mut dst = vec![fill; cap];
    // SAFETY: `k` is available (only available kernels are tested); start 0 <= dst.len().
    let n = unsafe { (dispatch::kernels(k).decompress)(src, history, &mut dst, 0) }?;
    assert!(n <= cap);
    dst.truncate(n);
    Ok(dst)
}

/// Our in-place decoder (`SimdCodec::in_place`, what `decompress_in_place` runs) with one
/// kernel: `history` and then `cap` bytes of `fill` in one buffer, decoding from `history.len()`
/// on. Checks that the history part of the buffer is left as it was.
pub(crate) fn our_decode_in_place(
    k: Kernel,
    src: &[u8],
    history: &[u8],
    cap: usize,
    fill: u8,
    want: Option<usize>,
) -> Result<Vec<u8>, Fail> {
    let hlen = history.len();
    let mut buf = history.to_vec();
    buf.resize(hlen + cap, fill);
    let n = codec(k).unwrap().in_place(src, &mut buf, hlen, want)?;
    assert!(n <= cap, "{k:?}: in place, {n} bytes > capacity {cap}");
    assert!(
        buf[..hlen] == *history,
        "{k:?}: in place, the history was written"
    );
    Ok(buf[hlen..hlen + n].to_vec())
}

/// `decompress_append` with one kernel: `cap` bytes of room after the history, which is in
/// the vector (`in_vec`, after 16 unrelated bytes that are not history) or a separate slice.
/// The vector's spare capacity holds `stale` bytes from an earlier use. Checks that the
/// vector's old bytes are unchanged, that it grew by the count returned, and on error that
/// its length is unchanged; returns the appended bytes.
pub(crate) fn our_decode_append(
    k: Kernel,
    src: &[u8],
    history: &[u8],
    cap: usize,
    want: Option<usize>,
    in_vec: bool,
    stale: u8,
) -> Result<Vec<u8>, BlockError> {
    let mut out = vec![stale; 16 + history.len() + cap + 64];
    out.truncate(0);
    out.extend_from_slice(b"not the history!");
    let from = out.len();
    let h = if in_vec {
        out.extend_from_slice(history);
        AppendHistory::InVec { from }
    } else {
        AppendHistory::Separate(history)
    };
    let before = out.clone();
    let r = codec(k)
        .unwrap()
        .decompress_append(src, h, &mut out, cap, want);
    assert!(
        out[..before.len().min(out.len())] == before[..before.len().min(out.len())],
        "{k:?}: append changed the bytes before it"
    );
    match r {
        Ok(n) => {
            assert!(n <= cap, "{k:?}: append, {n} bytes > capacity {cap}");
            assert_eq!(out.len(), before.len() + n, "{k:?}: append, length");
            Ok(out[before.len()..].to_vec())
        }
        Err(e) => {
            assert_eq!(
                out.len(),
                before.len(),
                "{k:?}: append failed, length changed"
            );
            Err(e)
        }
    }
}

/// Checks one block against the C decoder with every kernel: same success, same bytes (an
/// offset-0 rejection is the allowed disagreement). Also checks that the output does not
/// depend on the stale content of `dst`, that C decodes alike with the history separate and
/// directly before the destination, and that every kernel's in-place decoding (history before
/// the destination in one buffer) gives exactly what it gives with the history separate.
pub(crate) fn check_decode(src: &[u8], history: &[u8], cap: usize) -> Option<Vec<u8>> {
    let c = c_decode(src, history, cap);
    assert!(
        c_decode_prefix(src, history, cap) == c,
        "C decodes differently with the history before the destination (cap {cap}, hist {}, \
         src {src:02x?})",
        history.len()
    );
    check_decode_with(src, history, cap, c)
}

/// [`check_decode`] against `c`, C's result with the history as a separate slice (its
/// external-dictionary mode, whose rules every decoder follows): also for blocks that C's
/// prefix mode decodes differently (a match from the history ending in the last 5 bytes).
pub(crate) fn check_decode_with(
    src: &[u8],
    history: &[u8],
    cap: usize,
    c: Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    for k in kernels() {
        let a = our_decode(k, src, history, cap, 0x00);
        let b = our_decode(k, src, history, cap, 0xA5);
        assert!(a == b, "{k:?}: output depends on stale dst bytes");
        for fill in [0x00, 0xA5] {
            let p = our_decode_in_place(k, src, history, cap, fill, None);
            assert!(
                p == a,
                "{k:?}: in place {:?} vs separate {:?} (cap {cap}, hist {}, src {src:02x?})",
                p.as_ref().map(|v| v.len()),
                a.as_ref().map(|v| v.len()),
                history.len()
            );
        }
        let block_err = a.clone().map_err(BlockError::from);
        for (in_vec, stale) in [(false, 0x00), (true, 0xA5)] {
            let v = our_decode_append(k, src, history, cap, None, in_vec, stale);
            assert!(
                v == block_err,
                "{k:?}: append (history in vec: {in_vec}) {:?} vs separate {:?} (cap {cap}, \
                 hist {}, src {src:02x?})",
                v.as_ref().map(|v| v.len()),
                a.as_ref().map(|v| v.len()),
                history.len()
            );
        }
        match (&a, &c) {
            (Ok(x), Some(y)) => assert!(
                x == y,
                "{k:?}: bytes differ from C (cap {cap}, src {src:02x?})"
            ),
            (Err(_), None) => {}
            (Err(Fail::OffsetZero(_)), Some(_)) => {}
            _ => panic!(
                "{k:?}: ours {:?} vs C {:?} (cap {cap}, hist {}, src {src:02x?})",
                a.as_ref().map(|v| v.len()),
                c.as_ref().map(|v| v.len()),
                history.len()
            ),
        }
    }
    c
}

/// Builds a block from sequences `(literals, offset, match_len)` and final literals.
pub(crate) fn build_block(seqs: &[(Vec<u8>, u16, usize)], last: &[u8]) -> Vec<u8> {
    fn len_bytes(out: &mut Vec<u8>, mut n: usize) {
        while n >= 255 {
            out.push(255);
            n -= 255;
        }
        out.push(n as u8);
    }
    let mut out = Vec::new();
    for (lits, off, ml) in seqs {
        assert!(*ml >= 4);
        let ll = lits.len();
        let mc = ml - 4;
        out.push(((ll.min(15) as u8) << 4) | mc.min(15) as u8);
        if ll >= 15 {
            len_bytes(&mut out, ll - 15);
        }
        out.extend_from_slice(lits);
        out.extend_from_slice(&off.to_le_bytes());
        if mc >= 15 {
            len_bytes(&mut out, mc - 15);
        }
    }
    let ll = last.len();
    out.push((ll.min(15) as u8) << 4);
    if ll >= 15 {
        len_bytes(&mut out, ll - 15);
    }
    out.extend_from_slice(last);
    out
}

/// Test inputs of several kinds.
pub(crate) fn sample(kind: usize, n: usize, rng: &mut Rng) -> Vec<u8> {
    match kind % 5 {
        0 => rng.bytes(n),
        1 => vec![b'a'; n],
        2 => {
            // Words from a small vocabulary: text-like, many matches.
            let words: [&[u8]; 8] = [
                b"the ", b"lz4 ", b"block ", b"frame ", b"match ", b"offset ", b"and ", b"of ",
            ];
            let mut v = Vec::with_capacity(n + 8);
            while v.len() < n {
                v.extend_from_slice(words[rng.below(8)]);
                if rng.below(10) == 0 {
                    v.push(rng.next() as u8);
                }
            }
            v.truncate(n);
            v
        }
        3 => {
            // Short periods.
            let p = 1 + rng.below(20);
            let pat = rng.bytes(p);
            (0..n).map(|i| pat[i % p]).collect()
        }
        _ => {
            // Mixed: random runs and copies from earlier.
            let mut v: Vec<u8> = Vec::with_capacity(n);
            while v.len() < n {
                if v.len() > 16 && rng.below(2) == 0 {
                    let off = 1 + rng.below(v.len().min(70_000));
                    let l = 4 + rng.below(60);
                    for _ in 0..l {
                        let b = v[v.len() - off];
                        v.push(b);
                    }
                } else {
                    let l = 1 + rng.below(20);
                    v.extend(rng.bytes(l));
                }
            }
            v.truncate(n);
            v
        }
    }
}

/// Compresses with one kernel through the public API.
fn our_compress(k: Kernel, level: i32, src: &[u8], history: &[u8]) -> Vec<u8> {
    let mut c = codec(k).unwrap().compressor(level).unwrap();
    let mut dst = vec![0u8; compress_bound(src.len())];
    let n = c
        .compress(src, history, &mut dst)
        .expect("fits in compress_bound");
    dst.truncate(n);
    dst
}

#[test]
fn api_names_levels_and_availability() {
    assert!(Kernel::Scalar.is_available());
    #[cfg(target_arch = "x86_64")]
    assert!(Kernel::Sse2.is_available());
    #[cfg(target_arch = "aarch64")]
    assert!(Kernel::Neon.is_available());
    for k in Kernel::ALL {
        assert_eq!(Kernel::from_name(k.name()), Some(k));
        match codec(k) {
            Some(c) => {
                assert_eq!(c.name(), k.name());
                assert_eq!(c.kernel(), k);
                assert_eq!(c.levels(), -65537..=12);
                for bad in [13, -65538, i32::MIN, i32::MAX] {
                    match c.compressor(bad) {
                        Err(Error::UnsupportedLevel { backend, level }) => {
                            assert_eq!(backend, k.name());
                            assert_eq!(level, bad);
                        }
                        Err(e) => panic!("{e}"),
                        Ok(_) => panic!("level {bad} accepted"),
                    }
                }
                for good in [12, 9, 3, 2, 1, 0, -1, -17, -65537] {
                    assert!(c.compressor(good).is_ok());
                }
            }
            None => assert!(!k.is_available()),
        }
    }
    assert!(crate::best_kernel().is_available());
    assert_eq!(crate::best().kernel(), crate::best_kernel());
}

/// Our output for a block of at least `LIMIT_64K` bytes without history (the large table: twice
/// C's entries, fewer step-1 probes; not byte-identical to C's `LZ4_compress_fast`) is at most
/// this many per mille of C's size plus [`SIZE_SLACK`] bytes, on the samples of
/// [`compress_decodes_with_c_near_c_size`] — the target of level 1 (within 1 % of C, which is
/// `lz4 -1`). Shorter blocks come out byte-identical to C's. Real data: see
/// `silesia_prefix_decodes_with_c` and the bench crate's `tests/ratio.rs`.
const SIZE_PERMILLE: usize = 1010;
/// Absolute slack of the size bound, for tiny outputs.
const SIZE_SLACK: usize = 16;

#[test]
fn compress_decodes_with_c_near_c_size() {
    // Every block uses the RelTable and a shorter step-1 search phase than C: C decodes it,
    // and its size stays near C's. Every kernel produces the same bytes.
    let mut rng = Rng::new(1);
    let sizes = [
        0usize, 1, 5, 12, 13, 14, 20, 31, 64, 100, 1000, 4096, 65_535, 65_546, 65_547, 70_000,
        200_000, 1_000_000,
    ];
    for &n in &sizes {
        for kind in 0..5 {
            let src = sample(kind, n, &mut rng);
            for accel in [1, 2, 9] {
                let c = c_compress(&src, accel);
                assert_eq!(c_decode(&c, &[], n).unwrap(), src);
                let level = if accel == 1 { 1 } else { -accel };
                let first = our_compress(kernels()[0], level, &src, &[]);
                for k in kernels() {
                    let ours = our_compress(k, level, &src, &[]);
                    assert!(
                        ours == first,
                        "{k:?} n={n} kind={kind} accel={accel}: differs from {:?}",
                        kernels()[0]
                    );
                }
                assert_eq!(
                    c_decode(&first, &[], n).unwrap(),
                    src,
                    "n={n} kind={kind} accel={accel}: C does not decode ours"
                );
                if n < crate::common::LIMIT_64K {
                    // The small table is C's 16-bit one, searched as C does.
                    assert!(
                        first == c,
                        "n={n} kind={kind} accel={accel}: {} bytes, not C's {}",
                        first.len(),
                        c.len()
                    );
                }
                assert!(
                    first.len() * 1000 <= c.len() * SIZE_PERMILLE + SIZE_SLACK * 1000,
                    "n={n} kind={kind} accel={accel}: {} bytes, C {}",
                    first.len(),
                    c.len()
                );
            }
        }
    }
}

#[test]
fn compress_output_too_small_is_none() {
    let mut rng = Rng::new(2);
    for kind in 0..5 {
        let src = sample(kind, 3000, &mut rng);
        // Our compressed size (with room to spare): a capacity of at least that succeeds.
        let full = our_compress(kernels()[0], 1, &src, &[]).len();
        for k in kernels() {
            let mut c = codec(k).unwrap().compressor(1).unwrap();
            for cap in [0, 1, full / 2, full - 1, full, full + 1] {
                let mut dst = vec![0u8; cap];
                match c.compress(&src, &[], &mut dst) {
                    Some(n) => {
                        assert!(n <= cap);
                        assert_eq!(c_decode(&dst[..n], &[], src.len()).unwrap(), src);
                    }
                    None => assert!(cap < full + 1, "{k:?}: None with cap {cap} >= {full}"),
                }
            }
        }
    }
}

#[test]
fn linked_and_dictionary_compression_decodes_with_c() {
    let mut rng = Rng::new(3);
    for kind in [2usize, 4, 3, 0] {
        let data = sample(kind, 300_000, &mut rng);
        for k in kernels() {
            for block in [1000usize, 65_536, 100_000] {
                // Linked: history = previous ≤ 64 KiB of input, contiguous in memory.
                let mut c = codec(k).unwrap().compressor(1).unwrap();
                let mut pos = 0;
                while pos < data.len() {
                    let end = (pos + block).min(data.len());
                    let hist = &data[pos.saturating_sub(65_536)..pos];
                    let mut dst = vec![0u8; compress_bound(end - pos)];
                    let n = c.compress(&data[pos..end], hist, &mut dst).unwrap();
                    let dec = c_decode(&dst[..n], hist, end - pos).expect("C accepts");
                    assert!(dec == data[pos..end], "{k:?} linked block at {pos}");
                    for k2 in kernels() {
                        assert!(our_decode(k2, &dst[..n], hist, end - pos, 0).unwrap() == dec);
                    }
                    pos = end;
                }
            }
            // Dictionary / unrelated history each time (table rebuilt), copies in other memory.
            let mut c = codec(k).unwrap().compressor(-3).unwrap();
            for i in 0..6 {
                let dict = data[i * 7000..i * 7000 + 1000 * i + 5].to_vec();
                let src = &data[50_000 + i * 9000..50_000 + i * 9000 + 8000];
                let mut dst = vec![0u8; compress_bound(src.len())];
                let n = c.compress(src, &dict, &mut dst).unwrap();
                assert!(c_decode(&dst[..n], &dict, src.len()).unwrap() == src);
            }
        }
    }
}

#[test]
fn kernels_compress_identically_with_history() {
    let mut rng = Rng::new(4);
    let data = sample(4, 400_000, &mut rng);
    let outs: Vec<Vec<Vec<u8>>> = kernels()
        .into_iter()
        .map(|k| {
            let mut c = codec(k).unwrap().compressor(1).unwrap();
            let mut v = Vec::new();
            for (i, pos) in (0..data.len()).step_by(50_000).enumerate() {
                let end = (pos + 50_000).min(data.len());
                // Alternate contiguous history, copied history and none.
                let hist: Vec<u8> = data[pos.saturating_sub(65_536)..pos].to_vec();
                let mut dst = vec![0u8; compress_bound(end - pos)];
                let n = match i % 3 {
                    0 => c.compress(
                        &data[pos..end],
                        &data[pos.saturating_sub(65_536)..pos],
                        &mut dst,
                    ),
                    1 => c.compress(&data[pos..end], &hist, &mut dst),
                    _ => c.compress(&data[pos..end], &[], &mut dst),
                }
                .unwrap();
                v.push(dst[..n].to_vec());
            }
            v
        })
        .collect();
    for o in &outs[1..] {
        assert!(o == &outs[0]);
    }
}

#[test]
fn compressing_in_place_gives_the_bytes_of_separate_slices() {
    // `compress_in_place(buf, start)` reads history and block as one slice (no copy into the
    // compressor's window); its output must be `compress(src, history)`'s, byte for byte, for
    // every kernel and fast level, block sizes below and above WINDOW_COPY_MAX (where separate
    // slices are read as two), history shorter and longer than 64 KiB, and calls of both kinds
    // interleaved on one compressor (the match table carried over between them).
    let mut rng = Rng::new(11);
    let big = crate::common::WINDOW_COPY_MAX + 50_000;
    let mut data = sample(4, 200_000, &mut rng);
    let repeat = data[20_000..150_000].to_vec();
    data.extend_from_slice(&repeat);
    data.extend(sample(2, big + 100_000, &mut rng));
    for k in kernels() {
        for level in [1, -3] {
            for block in [1000usize, 65_536, 100_000, big] {
                let mut separate = codec(k).unwrap().compressor(level).unwrap();
                let mut joined = codec(k).unwrap().compressor(level).unwrap();
                let mut mixed = codec(k).unwrap().compressor(level).unwrap();
                let mut pos = 0;
                let mut i = 0;
                while pos < data.len() {
                    let end = (pos + block).min(data.len());
                    let hist = &data[pos.saturating_sub(65_536)..pos];
                    let bound = compress_bound(end - pos);
                    let (mut a, mut b, mut c) =
                        (vec![0u8; bound], vec![0u8; bound], vec![0u8; bound]);
                    let na = separate.compress(&data[pos..end], hist, &mut a).unwrap();
                    // The whole input before the block, not only its window.
                    let nb = joined.compress_in_place(&data[..end], pos, &mut b).unwrap();
                    let nc = if i % 2 == 0 {
                        // A buffer starting anywhere at or before the window.
                        let from = pos.saturating_sub(65_536 + 1000 * i);
                        mixed.compress_in_place(&data[from..end], pos - from, &mut c)
                    } else {
                        mixed.compress(&data[pos..end], hist, &mut c)
                    }
                    .unwrap();
                    assert!(
                        a[..na] == b[..nb],
                        "{k:?} level {level} block {block} at {pos}"
                    );
                    assert!(
                        a[..na] == c[..nc],
                        "{k:?} level {level} block {block} at {pos}, mixed"
                    );
                    assert!(c_decode(&b[..nb], hist, end - pos).unwrap() == data[pos..end]);
                    pos = end;
                    i += 1;
                }
            }
        }
    }
}

#[test]
fn long_blocks_with_history_read_two_slices() {
    // Above WINDOW_COPY_MAX, a block with history is not copied into the window: history and
    // src are read as separate slices (matches run from the history into src). Every kernel
    // makes the same bytes, C decodes them, with contiguous and with copied history.
    let mut rng = Rng::new(10);
    let n = crate::common::WINDOW_COPY_MAX + 100_000;
    let mut data = sample(4, 65_536, &mut rng);
    let repeat = data[..30_000].to_vec();
    data.extend_from_slice(&repeat);
    data.extend(sample(2, n - 30_000, &mut rng));
    let (hist, src) = data.split_at(65_536);
    let copy = hist.to_vec();
    for h in [hist, &copy[..]] {
        let first = our_compress(kernels()[0], 1, src, h);
        assert!(first.len() < src.len() / 2);
        assert!(c_decode(&first, h, src.len()).unwrap() == src);
        for k in kernels() {
            assert!(our_compress(k, 1, src, h) == first, "{k:?}");
        }
    }
}

#[test]
fn overlapping_matches_all_offsets() {
    let mut rng = Rng::new(5);
    for offset in 1..=64usize {
        for &ml in &[
            4usize, 5, 7, 8, 15, 16, 18, 19, 20, 31, 32, 33, 47, 64, 100, 270, 300, 1000,
        ] {
            for &pre in &[0usize, 3, 14, 15, 40] {
                let lits = rng.bytes(offset.max(pre));
                // The last match must start >= 12 bytes before the end.
                let nl = 5.max(12 - ml.min(12)) + rng.below(3);
                let last = rng.bytes(nl);
                let src = build_block(&[(lits.clone(), offset as u16, ml)], &last);
                let total = lits.len() + ml + last.len();
                for cap in [
                    total,
                    total + 1,
                    total + 7,
                    total + 20,
                    total + 33,
                    total + 64,
                    total + 200,
                ] {
                    let out = check_decode(&src, &[], cap).expect("valid block");
                    assert_eq!(out.len(), total);
                }
                // Two matches back to back, the second with a short literal run.
                let src2 = build_block(
                    &[
                        (lits.clone(), offset as u16, ml),
                        (vec![1, 2], offset as u16, ml),
                    ],
                    &last,
                );
                let total2 = total + 2 + ml;
                // Too small by one byte: an error.
                assert!(check_decode(&src, &[], total - 1).is_none());
                for cap in [total2, total2 + 5, total2 + 100] {
                    check_decode(&src2, &[], cap).expect("valid block");
                }
            }
        }
    }
}

/// The compressor's match count and catch-up at every match length up to past its vector
/// stride, ending at every distance from the end of the block (where `matchlimit` and the last
/// literals cut it): each kernel produces the scalar kernel's bytes, without history (the small
/// table: C's bytes) and with history (the large table), and C decodes them.
#[test]
fn match_lengths_at_every_distance_from_the_block_end() {
    let mut rng = Rng::new(11);
    let hist = rng.bytes(1000);
    for ml in 4..=90usize {
        let a = rng.bytes(ml);
        let lits = rng.bytes(20);
        for gap in 0..=40usize {
            let mut tail = rng.bytes(gap);
            if let Some(t) = tail.first_mut() {
                // The second copy of `a` ends where the first one's continuation differs.
                if *t == lits[0] {
                    *t ^= 0xFF;
                }
            }
            let src: Vec<u8> = [&a[..], &lits, &a, &tail].concat();
            for history in [&[][..], &hist[..]] {
                let first = our_compress(Kernel::Scalar, 1, &src, history);
                for k in kernels() {
                    assert!(
                        our_compress(k, 1, &src, history) == first,
                        "{k:?} ml={ml} gap={gap} history={}: differs from the scalar kernel",
                        history.len()
                    );
                }
                assert_eq!(
                    c_decode(&first, history, src.len()).as_deref(),
                    Some(&src[..]),
                    "ml={ml} gap={gap} history={}: C does not decode ours",
                    history.len()
                );
                if history.is_empty() {
                    assert!(
                        first == c_compress(&src, 1),
                        "ml={ml} gap={gap}: not C's bytes"
                    );
                }
            }
        }
    }
}

#[test]
fn literal_runs_and_small_blocks() {
    let mut rng = Rng::new(6);
    for ll in 0..=300usize {
        let lits = rng.bytes(ll);
        let src = build_block(&[], &lits);
        for cap in [ll, ll + 1, ll + 16, ll + 40] {
            assert_eq!(check_decode(&src, &[], cap).unwrap(), lits);
        }
        if ll > 0 {
            assert!(check_decode(&src, &[], ll - 1).is_none());
        }
        // Literal run followed by a match then last literals.
        if ll >= 1 {
            let s = build_block(&[(lits.clone(), 1, 10)], &[9; 5]);
            for cap in [ll + 15, ll + 16, ll + 30, ll + 60, ll + 100] {
                check_decode(&s, &[], cap);
            }
        }
    }
    // Blocks of 0..20 bytes, all caps 0..40: everything C says.
    for n in 0..=20usize {
        for _ in 0..50 {
            let src = rng.bytes(n);
            for cap in 0..40 {
                check_decode(&src, &[], cap);
            }
        }
    }
    // The empty block.
    for cap in [0, 1, 10] {
        assert_eq!(check_decode(&[0], &[], cap).unwrap(), Vec::<u8>::new());
    }
    assert!(check_decode(&[], &[], 10).is_none());
}

#[test]
fn history_bounds_and_offset_zero() {
    let mut rng = Rng::new(7);
    for hlen in [0usize, 1, 4, 10, 100, 1000, 65_535, 65_536] {
        let hist = rng.bytes(hlen);
        for lit in [0usize, 1, 5, 20] {
            let lits = rng.bytes(lit);
            let max = hlen + lit;
            for offset in [max.saturating_sub(1), max, max + 1] {
                if offset == 0 || offset > 65_535 {
                    continue;
                }
                for ml in [8usize, 20, 100, 70_000] {
                    let src = build_block(&[(lits.clone(), offset as u16, ml)], &[1, 2, 3, 4, 5]);
                    let cap = lit + ml + 5;
                    let c = check_decode(&src, &hist, cap);
                    assert_eq!(
                        c.is_some(),
                        offset <= max,
                        "hlen {hlen} lit {lit} off {offset}"
                    );
                    let c_big = check_decode(&src, &hist, cap + 100);
                    assert_eq!(c_big.is_some(), offset <= max);
                    if offset > max {
                        for k in kernels() {
                            let e = codec(k).unwrap().decompress(&src, &hist, &mut vec![0; cap]);
                            assert!(matches!(e, Err(BlockError::Corrupt { .. })));
                        }
                    }
                }
            }
        }
    }
    // Offset 0: an error for us whatever C says.
    for lit in [0usize, 3, 20] {
        for ml in [8usize, 18, 19, 50] {
            let src = build_block(&[(vec![7; lit], 0, ml)], &[1, 2, 3, 4, 5]);
            for hist in [&[][..], &[1u8; 10][..]] {
                for k in kernels() {
                    for cap in [lit + ml + 5, 1000] {
                        let r = our_decode(k, &src, hist, cap, 0);
                        assert!(matches!(r, Err(Fail::OffsetZero(_))), "{k:?} {r:?}");
                        let e = codec(k).unwrap().decompress(&src, hist, &mut vec![0; cap]);
                        assert!(matches!(e, Err(BlockError::Corrupt { .. })));
                    }
                }
            }
        }
    }
}

#[test]
fn in_place_history_bounds() {
    // One match into the history in the same buffer: offsets across every copy path (pattern
    // copies below 16, 16-byte strides, wide copies from 64), up to the history bound and one
    // past it, matches that run from the history into the block's output, tight and ample
    // capacities. `check_decode` compares in-place decoding with separate decoding and with C
    // in both layouts; here also what the result must be.
    let mut rng = Rng::new(11);
    for hlen in [
        0usize, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 65_535, 65_536, 100_000,
    ] {
        let hist = rng.bytes(hlen);
        for lit in [0usize, 5, 20] {
            let lits = rng.bytes(lit);
            // The furthest a match may reach back from the end of the literals.
            let max = (hlen + lit).min(65_535);
            let mut offsets: Vec<usize> = [1, 7, 8, 15, 16, 17, 31, 32, 63, 64, 65, 300]
                .into_iter()
                .map(|o| o + lit)
                .collect();
            offsets.extend([max.saturating_sub(1), max, max + 1, 65_535]);
            offsets.retain(|&o| (1..=65_535).contains(&o));
            offsets.sort_unstable();
            offsets.dedup();
            for &offset in &offsets {
                for ml in [4usize, 18, 19, 40, 300] {
                    // A second sequence after the first, so that the first one is decoded by
                    // the fast loop when the capacity allows.
                    let src = build_block(
                        &[
                            (lits.clone(), offset as u16, ml),
                            (rng.bytes(3), 9.min(lit as u16 + ml as u16).max(1), 20),
                        ],
                        &rng.bytes(30),
                    );
                    let total = lit + ml + 3 + 20 + 30;
                    for cap in [total, total + 40, total + 100] {
                        let c = check_decode(&src, &hist, cap);
                        assert_eq!(
                            c.is_some(),
                            offset <= max,
                            "hlen {hlen} lit {lit} offset {offset} ml {ml} cap {cap}"
                        );
                        if offset <= max {
                            // The expected bytes, decoded by hand.
                            let mut all = hist.clone();
                            all.extend_from_slice(&lits);
                            for _ in 0..ml {
                                all.push(all[all.len() - offset]);
                            }
                            assert!(c.unwrap()[..lit + ml] == all[hlen..]);
                        }
                    }
                }
            }
        }
    }
    // More than 64 KiB before `start`: only the last 64 KiB are history, and the bytes before
    // them are neither read nor written.
    let data = sample(4, 300_000, &mut rng);
    let (hist, src_data) = data.split_at(200_000);
    let mut c = codec(Kernel::Scalar).unwrap().compressor(1).unwrap();
    let mut blk = vec![0u8; compress_bound(src_data.len())];
    let n = c
        .compress(src_data, &hist[hist.len() - 65_536..], &mut blk)
        .unwrap();
    for k in kernels() {
        let mut buf = hist.to_vec();
        buf.resize(300_000, 0x33);
        let got = codec(k)
            .unwrap()
            .decompress_in_place(&blk[..n], &mut buf, 200_000);
        assert_eq!(got, Ok(100_000), "{k:?}");
        assert!(buf == data, "{k:?}");
        // The same with the distant bytes garbled: only the last 64 KiB count.
        let mut buf = vec![0x77u8; 200_000 - 65_536];
        buf.extend_from_slice(&hist[hist.len() - 65_536..]);
        buf.resize(300_000, 0);
        let got = codec(k)
            .unwrap()
            .decompress_in_place(&blk[..n], &mut buf, 200_000);
        assert_eq!(got, Ok(100_000), "{k:?}");
        assert!(buf[200_000..] == data[200_000..], "{k:?}");
    }
    // Offset 0 in place: an error (the C decoder accepts it), with or without history.
    for hlen in [0usize, 10, 70_000] {
        let hist = vec![5u8; hlen];
        for ml in [8usize, 18, 19, 50] {
            let src = build_block(&[(vec![7; 20], 0, ml)], &[1, 2, 3, 4, 5]);
            for k in kernels() {
                for cap in [20 + ml + 5, 1000] {
                    let r = our_decode_in_place(k, &src, &hist, cap, 0, None);
                    assert!(matches!(r, Err(Fail::OffsetZero(_))), "{k:?} {r:?}");
                }
            }
        }
    }
}

#[test]
#[should_panic(expected = "past the buffer")]
fn in_place_start_past_the_buffer_panics() {
    let _ = codec(Kernel::Scalar)
        .unwrap()
        .decompress_in_place(&[0], &mut [0u8; 4], 5);
}

#[test]
fn random_and_mutated_blocks_agree_with_c() {
    let mut rng = Rng::new(8);
    // LZ4FRAMED_SIMD_FUZZ_ITERS scales this up for a longer run (e.g. 1000000 with --release).
    let iters = std::env::var("LZ4FRAMED_SIMD_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 3000 } else { 20000 });
    for it in 0..iters {
        let nh = rng.below(3) * rng.below(200);
        let hist = rng.bytes(nh);
        let (src, cap) = if it % 4 == 3 {
            // A block compressed with the history (linked or dictionary): its matches reach
            // into it, near and far, then damaged.
            let nh = 1 + rng.below(if it % 8 == 3 { 70_000 } else { 2000 });
            let n = 1 + rng.below(3000);
            let whole = sample(rng.below(5), nh + n, &mut rng);
            let (h, data) = whole.split_at(nh);
            let mut c = codec(Kernel::Scalar).unwrap().compressor(1).unwrap();
            let mut blk = vec![0u8; compress_bound(n)];
            let len = c.compress(data, h, &mut blk).unwrap();
            blk.truncate(len);
            for _ in 0..rng.below(3) {
                let i = rng.below(blk.len());
                blk[i] = rng.next() as u8;
            }
            let cap = match rng.below(3) {
                0 => n,
                1 => n + rng.below(64),
                _ => rng.below(n + 1),
            };
            check_decode(&blk, h, cap);
            continue;
        } else if it % 2 == 0 {
            let n = 1 + rng.below(80);
            (rng.bytes(n), rng.below(400))
        } else {
            let n = 1 + rng.below(3000);
            let data = sample(rng.below(5), n, &mut rng);
            let mut blk = c_compress(&data, 1);
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(blk.len());
                blk[i] = rng.next() as u8;
            }
            if rng.below(4) == 0 {
                blk.truncate(rng.below(blk.len()) + 1);
            }
            let cap = match rng.below(3) {
                0 => n,
                1 => n + rng.below(64),
                _ => rng.below(n + 1),
            };
            (blk, cap)
        };
        check_decode(&src, &hist, cap);
    }
}

#[test]
fn tables_reused_across_unrelated_blocks() {
    // A compressor fed blocks whose history lies about being the previous input still makes
    // valid output (candidates are verified).
    let mut rng = Rng::new(9);
    let a = sample(2, 100_000, &mut rng);
    let b = sample(4, 100_000, &mut rng);
    for k in kernels() {
        let mut c = codec(k).unwrap().compressor(1).unwrap();
        for i in 0..8 {
            let (src, hist): (&[u8], &[u8]) = match i % 4 {
                0 => (&a[65_536..], &a[..65_536]),
                1 => (&b[65_536..], &a[..65_536]), // lying history: same tail? no, but same length
                2 => (&b[30_000..40_000], &b[..30_000]),
                _ => (&a[1000..2000], &b[..1000]),
            };
            let mut dst = vec![0u8; compress_bound(src.len())];
            let n = c.compress(src, hist, &mut dst).unwrap();
            assert!(c_decode(&dst[..n], hist, src.len()).unwrap() == src);
        }
    }
}

/// Silesia files: `LZ4FRAMED_CORPUS` or `target/corpus` (from `../shared/corpus/unpack.sh`).
pub(crate) fn corpus_files() -> Vec<(String, Vec<u8>)> {
    let dir = std::env::var("LZ4FRAMED_CORPUS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/corpus").to_string());
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(d) = std::fs::read(&p) {
                out.push((p.file_name().unwrap().to_string_lossy().into_owned(), d));
            }
        }
    }
    if out.is_empty() {
        println!(
            "corpus not found in {dir}: skipping (run ../shared/corpus/unpack.sh target/corpus)"
        );
    }
    out
}

#[test]
fn silesia_prefix_decodes_with_c() {
    // The first 1 MiB of each file (debug-mode runtime), as one block and as linked 64 KiB blocks.
    // As one block: every kernel's output is the same, C decodes it, each file is within 1 % of
    // C's size and the total within 0.5 % (the targets of level 1).
    let (mut ours_total, mut c_total) = (0usize, 0usize);
    for (name, data) in corpus_files() {
        let data = &data[..data.len().min(1 << 20)];
        let c = c_compress(data, 1);
        let first = our_compress(kernels()[0], 1, data, &[]);
        assert!(c_decode(&first, &[], data.len()).unwrap() == data, "{name}");
        assert!(
            first.len() * 100 <= c.len() * 101,
            "{name}: {} bytes, C {}",
            first.len(),
            c.len()
        );
        ours_total += first.len();
        c_total += c.len();
        for k in kernels() {
            let ours = our_compress(k, 1, data, &[]);
            assert!(
                ours == first,
                "{name}: {k:?} differs from {:?}",
                kernels()[0]
            );
            assert!(
                our_decode(k, &c, &[], data.len(), 0).unwrap() == data,
                "{name} {k:?}"
            );
            assert!(
                our_decode(k, &ours, &[], data.len(), 0).unwrap() == data,
                "{name} {k:?}"
            );
            let mut comp = codec(k).unwrap().compressor(1).unwrap();
            let mut pos = 0;
            while pos < data.len() {
                let end = (pos + 65_536).min(data.len());
                let hist = &data[pos.saturating_sub(65_536)..pos];
                let mut dst = vec![0u8; compress_bound(end - pos)];
                let n = comp.compress(&data[pos..end], hist, &mut dst).unwrap();
                let out = our_decode(k, &dst[..n], hist, end - pos, 0).unwrap();
                assert!(out == data[pos..end], "{name} {k:?} linked at {pos}");
                assert!(c_decode(&dst[..n], hist, end - pos).unwrap() == out);
                let inp = our_decode_in_place(k, &dst[..n], hist, end - pos, 0, None).unwrap();
                assert!(inp == out, "{name} {k:?} linked in place at {pos}");
                pos = end;
            }
        }
    }
    // The 1 MiB prefixes: -3.1 % against C's total when this was written.
    assert!(
        ours_total * 1000 <= c_total * 1005,
        "total {ours_total} bytes, C {c_total}"
    );
}

#[test]
fn append_prefixes_agree_with_in_place_and_separate() {
    // `want` prefixes through `decompress_append`: the same bytes (and errors) as the prefix
    // forms over initialized slices, history in the vector or separate, and a prefix of C's
    // whole-block output.
    let mut rng = Rng::new(21);
    for it in 0..300 {
        let nh = if it % 3 == 0 {
            0
        } else {
            1 + rng.below(70_000)
        };
        let n = 1 + rng.below(20_000);
        let whole = sample(rng.below(5), nh + n, &mut rng);
        let (h, data) = whole.split_at(nh);
        let mut c = codec(Kernel::Scalar).unwrap().compressor(1).unwrap();
        let mut blk = vec![0u8; compress_bound(n)];
        let len = c.compress(data, h, &mut blk).unwrap();
        blk.truncate(len);
        if it % 5 == 4 {
            let i = rng.below(blk.len());
            blk[i] = rng.next() as u8;
        }
        let cap = n + rng.below(100);
        let want = rng.below(n + 1);
        let whole_c = c_decode(&blk, h, cap);
        for k in kernels() {
            let sep = codec(k)
                .unwrap()
                .decompress_prefix(&blk, h, &mut vec![0u8; cap], want);
            let inp =
                our_decode_in_place(k, &blk, h, cap, 0x5A, Some(want)).map_err(BlockError::from);
            assert_eq!(
                inp.as_ref().map(|v| v.len()).map_err(|e| *e),
                sep,
                "{k:?}: in place vs separate"
            );
            for (in_vec, stale) in [(true, 0x00), (false, 0xFF)] {
                let got = our_decode_append(k, &blk, h, cap, Some(want), in_vec, stale);
                assert!(
                    got == inp,
                    "{k:?}: append prefix {want} (in vec {in_vec}), it {it}"
                );
                if let (Ok(p), Some(w)) = (&got, &whole_c) {
                    assert!(p.len() >= want.min(w.len()), "{k:?}: prefix too short");
                    assert!(w.starts_with(p), "{k:?}: prefix differs from C's block");
                }
            }
        }
    }
}

#[test]
fn silesia_blocks_append_like_c() {
    // 4 MiB independent blocks (the first of each file) and linked 64 KiB blocks decoded
    // into one vector, history in it, appended: the bytes of the file, as C decodes them.
    for (name, data) in corpus_files() {
        let data = &data[..data.len().min(if cfg!(debug_assertions) {
            1 << 20
        } else {
            4 << 20
        })];
        let blk = c_compress(data, 1);
        for k in kernels() {
            for stale in [0x00, 0xA5] {
                let got = our_decode_append(k, &blk, &[], 4 << 20, None, false, stale).unwrap();
                assert!(got == data, "{name} {k:?}: independent block");
            }
            let mut comp = codec(Kernel::Scalar).unwrap().compressor(1).unwrap();
            let mut out = Vec::new();
            let mut pos = 0;
            while pos < data.len() {
                let end = (pos + 65_536).min(data.len());
                let hist = &data[pos.saturating_sub(65_536)..pos];
                let mut dst = vec![0u8; compress_bound(end - pos)];
                let n = comp.compress(&data[pos..end], hist, &mut dst).unwrap();
                let before = out.len();
                let m = codec(k)
                    .unwrap()
                    .decompress_append(
                        &dst[..n],
                        AppendHistory::InVec { from: 0 },
                        &mut out,
                        65_536,
                        None,
                    )
                    .unwrap();
                assert_eq!(out.len(), before + m);
                assert!(
                    out[before..] == data[pos..end],
                    "{name} {k:?}: linked at {pos}"
                );
                assert!(c_decode(&dst[..n], hist, 65_536).unwrap() == out[before..]);
                pos = end;
            }
        }
    }
}

#[test]
#[should_panic(expected = "past the output")]
fn append_history_past_the_vector_panics() {
    let mut out = vec![0u8; 4];
    let _ = best().decompress_append(&[0], AppendHistory::InVec { from: 5 }, &mut out, 8, None);
}

/// Sequences meant for the fast loop's long variant and its edges: literal runs of 0-16 bytes
/// and long ones (its own room rule), match offsets 1-70 (the 64-byte copy needs 16 or more,
/// the pattern copy takes 1-15), 0 and beyond the history, match lengths around 18/19 (one
/// continuation byte or none), 64/65 (the copy's end), 273/274 (a continuation byte of 254 or
/// 255) and longer, ending at every distance from the block end; history separate or in place.
fn variant_block(rng: &mut Rng, hlen: usize) -> (Vec<u8>, usize) {
    const LENS: [usize; 24] = [
        4, 5, 17, 18, 19, 20, 33, 47, 63, 64, 65, 66, 79, 80, 81, 96, 97, 150, 272, 273, 274, 275,
        529, 1000,
    ];
    let mut seqs = Vec::new();
    let mut total = 0usize;
    for _ in 0..1 + rng.below(24) {
        let ll = match rng.below(6) {
            0 => 0,
            1 => 15 + rng.below(3),
            2 => 16 + rng.below(300),
            _ => rng.below(15),
        };
        let lits = rng.bytes(ll);
        total += ll;
        let reach = total + hlen;
        let offset = match rng.below(20) {
            0 => 0,
            1 => reach + 1 + rng.below(3),
            2..=5 => 16 + rng.below(48),
            6..=8 => 1 + rng.below(15),
            _ => 1 + rng.below(70),
        };
        // Mostly offsets that reach into the output or the history.
        let offset = if rng.below(8) != 0 && reach > 0 && offset > reach {
            1 + rng.below(reach)
        } else {
            offset
        };
        let ml = if rng.below(3) == 0 {
            4 + rng.below(40)
        } else {
            LENS[rng.below(LENS.len())]
        };
        total += ml;
        seqs.push((lits, offset.min(65_535) as u16, ml));
    }
    let nl = if rng.below(4) == 0 {
        rng.below(5)
    } else {
        5 + rng.below(70)
    };
    let last = rng.bytes(nl);
    total += last.len();
    let cap = match rng.below(4) {
        0 => total,
        1 => total + [1, 5, 12, 31, 32, 33, 63, 64, 95, 96, 97, 128][rng.below(12)],
        2 => total.saturating_sub(1 + rng.below(40)),
        _ => total + rng.below(300),
    };
    (build_block(&seqs, &last), cap)
}

/// The fast loop's two variants decode alike: every block of [`variant_block`] (and damaged
/// copies of it) gives the same bytes or the same error whether the loop runs only the short
/// variant, only the long one, or both in turns, with the history separate, in place and in a
/// vector (appended); and C's result (`check_decode`) each time.
#[test]
fn fast_loop_variants_decode_alike() {
    use crate::fast::{FORCED_VARIANT, LONG_VARIANT_BYTES};
    let mut rng = Rng::new(31);
    let iters = std::env::var("LZ4FRAMED_SIMD_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 600 } else { 6000 });
    let big_hist = rng.bytes(70_000);
    LONG_VARIANT_BYTES.with(|c| c.set(0));
    for it in 0..iters {
        let hlen = [0, 0, 20, 1000, 70_000][rng.below(5)];
        let hist = &big_hist[..hlen];
        let (mut src, cap) = variant_block(&mut rng, hlen);
        if it % 3 == 2 {
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(src.len());
                src[i] = rng.next() as u8;
            }
        }
        let mut results = Vec::new();
        for force in [None, Some(false), Some(true)] {
            FORCED_VARIANT.with(|f| f.set(force));
            // Blocks that C decodes differently in its prefix mode are judged by its
            // external-dictionary mode (the contract's rules) alone.
            let c = c_decode(&src, hist, cap);
            let c = if c_decode_prefix(&src, hist, cap) == c {
                check_decode(&src, hist, cap)
            } else {
                check_decode_with(&src, hist, cap, c)
            };
            let ours: Vec<_> = kernels()
                .into_iter()
                .map(|k| {
                    (
                        our_decode(k, &src, hist, cap, 0x3C),
                        our_decode_in_place(k, &src, hist, cap, 0xC3, Some(cap / 3)),
                    )
                })
                .collect();
            results.push((c, ours));
        }
        FORCED_VARIANT.with(|f| f.set(None));
        assert!(
            results[0] == results[1] && results[1] == results[2],
            "it {it}: the variants decode differently (cap {cap}, hist {hlen}, src {src:02x?})"
        );
    }
    assert!(
        LONG_VARIANT_BYTES.with(|c| c.get()) > 100_000,
        "the long variant hardly ran"
    );
}

/// Every Silesia file's first 1 MiB (a 4 MiB independent block and linked 64 KiB blocks)
/// decodes to its bytes with each variant of the fast loop forced.
#[test]
fn silesia_blocks_decode_with_each_variant() {
    use crate::fast::FORCED_VARIANT;
    for (name, data) in corpus_files() {
        let data = &data[..data.len().min(1 << 20)];
        let blk = c_compress(data, 1);
        for force in [Some(false), Some(true)] {
            FORCED_VARIANT.with(|f| f.set(force));
            for k in kernels() {
                let got = our_decode_append(k, &blk, &[], 4 << 20, None, false, 0x77).unwrap();
                assert!(got == data, "{name} {k:?} {force:?}: independent block");
                let mut comp = codec(Kernel::Scalar).unwrap().compressor(1).unwrap();
                let mut pos = 0;
                while pos < data.len() {
                    let end = (pos + 65_536).min(data.len());
                    let hist = &data[pos.saturating_sub(65_536)..pos];
                    let mut dst = vec![0u8; compress_bound(end - pos)];
                    let n = comp.compress(&data[pos..end], hist, &mut dst).unwrap();
                    for in_vec in [false, true] {
                        let got = our_decode_append(k, &dst[..n], hist, 65_536, None, in_vec, 0x77)
                            .unwrap();
                        assert!(
                            got == data[pos..end],
                            "{name} {k:?} {force:?}: linked at {pos} (in vec {in_vec})"
                        );
                    }
                    pos = end;
                }
            }
        }
        FORCED_VARIANT.with(|f| f.set(None));
    }
}

/// `decompress_append` into a vector's fresh spare capacity (from the allocator, never
/// written), with each fast-loop variant and the history separate or in the vector: what the
/// kernel gives over an initialized slice (checked against C elsewhere), the same bytes or the
/// same error, and Silesia blocks to their bytes. Run under valgrind's memcheck
/// (`LZ4FRAMED_SIMD_FUZZ_ITERS=300 valgrind --error-exitcode=1 <test binary>
/// append_into_fresh_capacity`), an unwritten byte handed out, or one that steers the decoder,
/// is reported.
#[test]
fn append_into_fresh_capacity() {
    use crate::fast::FORCED_VARIANT;
    let mut rng = Rng::new(41);
    let iters = std::env::var("LZ4FRAMED_SIMD_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let big_hist = rng.bytes(70_000);
    fn fresh(hist: &[u8], in_vec: bool, cap: usize) -> (Vec<u8>, AppendHistory<'_>) {
        let mut out = Vec::with_capacity(hist.len() + cap);
        let h = if in_vec {
            out.extend_from_slice(hist);
            AppendHistory::InVec { from: 0 }
        } else {
            AppendHistory::Separate(hist)
        };
        (out, h)
    }
    for it in 0..iters {
        let hlen = [0, 20, 1000, 70_000][rng.below(4)];
        let hist = &big_hist[..hlen];
        let (mut src, cap) = variant_block(&mut rng, hlen);
        if it % 3 == 2 {
            let i = rng.below(src.len());
            src[i] = rng.next() as u8;
        }
        for force in [Some(false), Some(true)] {
            FORCED_VARIANT.with(|f| f.set(force));
            for k in kernels() {
                let expect = our_decode(k, &src, hist, cap, 0x11).map_err(BlockError::from);
                for in_vec in [false, true] {
                    let (mut out, h) = fresh(hist, in_vec, cap);
                    let before = out.len();
                    let got = codec(k)
                        .unwrap()
                        .decompress_append(&src, h, &mut out, cap, None)
                        .map(|n| out[before..before + n].to_vec());
                    assert!(
                        got == expect,
                        "it {it} {k:?} {force:?} (in vec {in_vec}): fresh capacity {:?} vs \
                         initialized {:?}",
                        got.as_ref().map(|v| v.len()),
                        expect.as_ref().map(|v| v.len())
                    );
                    assert_eq!(out.len(), before + got.map_or(0, |v| v.len()));
                }
            }
        }
        FORCED_VARIANT.with(|f| f.set(None));
    }
    for (name, data) in corpus_files() {
        let data = &data[..data.len().min(256 << 10)];
        let blk = c_compress(data, 1);
        for force in [Some(false), Some(true)] {
            FORCED_VARIANT.with(|f| f.set(force));
            for k in kernels() {
                let (mut out, h) = fresh(&[], false, 4 << 20);
                let n = codec(k)
                    .unwrap()
                    .decompress_append(&blk, h, &mut out, 4 << 20, None)
                    .unwrap();
                assert!(n == data.len() && out == data, "{name} {k:?} {force:?}");
            }
        }
        FORCED_VARIANT.with(|f| f.set(None));
    }
}
