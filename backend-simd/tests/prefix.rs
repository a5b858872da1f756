//! `decompress_prefix` (random access decodes only the start of a block), on every kernel this
//! CPU can run: the bytes it returns are the start of what the full decode (and the C library)
//! produces, at least `want` of them; a block the full decoder accepts is accepted; and on
//! mutated blocks it never claims more than the full decoder would give, and never panics.
//! `decompress_prefix_in_place` (the history before the destination in one buffer) gives the
//! same as `decompress_prefix` with the history apart. The C and Rust backends' implementations
//! (the trait's defaults for the in-place forms) are held to the same.

use lz4framed_backend_simd::{codec, Kernel};
use lz4framed_core::{compress_bound, BlockCodec, WINDOW_SIZE};

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

/// Compressible data with short and long matches, runs (small offsets) and literal stretches.
fn sample(n: usize, seed: u64) -> Vec<u8> {
    let mut r = xorshift(seed);
    let mut v: Vec<u8> = Vec::with_capacity(n + 300);
    while v.len() < n {
        match r() % 5 {
            0 => v.extend((0..r() % 40).map(|_| r() as u8)),
            1 => v.extend(std::iter::repeat_n(r() as u8, (r() % 300) as usize)),
            2 if v.len() > 64 => {
                let back = 1 + (r() as usize) % v.len().min(WINDOW_SIZE - 1);
                let len = 4 + (r() % 200) as usize;
                for _ in 0..len {
                    let b = v[v.len() - back];
                    v.push(b);
                }
            }
            _ => v.extend_from_slice(b"prefix decoding of an lz4 block; "),
        }
    }
    v.truncate(n);
    v
}

/// Every kernel this CPU runs, and the other backends (whose in-place methods are the trait's
/// default implementations).
fn kernels() -> Vec<&'static dyn BlockCodec> {
    let mut v: Vec<&'static dyn BlockCodec> = Kernel::ALL
        .into_iter()
        .filter_map(|k| codec(k).map(|c| c as &dyn BlockCodec))
        .collect();
    v.push(&lz4framed_backend_c::CODEC);
    v.push(&lz4framed_backend_rust::CODEC);
    v
}

/// Compresses with the C backend's reference encoder (level 1), `history` before `src`.
fn c_block(src: &[u8], history: &[u8]) -> Vec<u8> {
    let mut c = lz4framed_backend_c::CODEC.compressor(1).unwrap();
    let mut dst = vec![0u8; compress_bound(src.len())];
    let n = c.compress(src, history, &mut dst).unwrap();
    dst.truncate(n);
    dst
}

#[test]
fn prefixes_are_the_start_of_the_full_output() {
    for (seed, n) in [
        (1u64, 0usize),
        (2, 1),
        (3, 17),
        (4, 1000),
        (5, 70_000),
        (6, 1 << 20),
    ] {
        let data = sample(n + 40_000, seed);
        let (history, src) = data.split_at(40_000);
        for history in [&[][..], history] {
            let block = c_block(src, history);
            let cap = src.len().max(1);
            let wants = [
                0,
                1,
                2,
                15,
                16,
                100,
                n / 3,
                n / 2,
                n.saturating_sub(1),
                n,
                n + 1,
            ];
            for k in kernels() {
                let mut full = vec![0u8; cap];
                let m = k.decompress(&block, history, &mut full).unwrap();
                assert_eq!(&full[..m], src, "{} full decode", k.name());
                for &want in &wants {
                    let mut dst = vec![0xA5u8; cap];
                    let got = k
                        .decompress_prefix(&block, history, &mut dst, want)
                        .unwrap_or_else(|e| panic!("{} want {want}: {e}", k.name()));
                    assert!(
                        got >= want.min(n) && got <= n,
                        "{} n {n} want {want}: returned {got}",
                        k.name()
                    );
                    assert!(
                        dst[..got] == src[..got],
                        "{} n {n} want {want}: wrong bytes",
                        k.name()
                    );
                    // In place, the history before the destination in one buffer: the same
                    // count and bytes, the history untouched.
                    let mut buf = history.to_vec();
                    buf.resize(history.len() + cap, 0x5A);
                    let got_in_place = k
                        .decompress_prefix_in_place(&block, &mut buf, history.len(), want)
                        .unwrap_or_else(|e| panic!("{} in place, want {want}: {e}", k.name()));
                    assert_eq!(got_in_place, got, "{} n {n} want {want}", k.name());
                    assert!(buf[..history.len()] == *history, "{}", k.name());
                    assert!(
                        buf[history.len()..history.len() + got] == src[..got],
                        "{} n {n} want {want}: wrong bytes in place",
                        k.name()
                    );
                }
            }
        }
    }
}

#[test]
fn mutated_blocks_never_give_more_than_the_full_decoder() {
    // Also in place (`decompress_prefix_in_place`): the same result as with the history apart.
    let mut r = xorshift(9);
    let all = sample(240_000, 10);
    let (history, src) = all.split_at(40_000);
    let good = [c_block(src, &[]), c_block(src, history)];
    for round in 0..300 {
        let mut block = good[round % 2].clone();
        for _ in 0..1 + round % 4 {
            let at = (r() as usize) % block.len();
            block[at] = r() as u8;
        }
        if round % 7 == 0 {
            block.truncate((r() as usize) % block.len());
        }
        let want = (r() as usize) % (src.len() + 10);
        // Half the rounds without history, half with a block whose matches reach into it.
        let history = if round % 2 == 0 { &[][..] } else { history };
        for k in kernels() {
            let mut full = vec![0u8; src.len()];
            let whole = k.decompress(&block, history, &mut full);
            let mut dst = vec![0u8; src.len()];
            let mut buf = history.to_vec();
            buf.resize(history.len() + src.len(), 0);
            let in_place = k.decompress_prefix_in_place(&block, &mut buf, history.len(), want);
            let prefix = k.decompress_prefix(&block, history, &mut dst, want);
            // In place: the same result as with the history separate.
            assert_eq!(
                in_place.is_ok(),
                prefix.is_ok(),
                "{} round {round}",
                k.name()
            );
            if let (Ok(a), Ok(b)) = (&in_place, &prefix) {
                assert_eq!(a, b, "{} round {round}", k.name());
                assert!(buf[history.len()..history.len() + a] == dst[..*b]);
            }
            match prefix {
                Ok(got) => {
                    if let Ok(m) = whole {
                        assert!(got <= m, "{} round {round}", k.name());
                        assert!(dst[..got] == full[..got], "{} round {round}", k.name());
                    }
                }
                // An error in the decoded part is an error of the whole block too.
                Err(e) => assert!(whole.is_err(), "{} round {round}: {e}", k.name()),
            }
        }
    }
}
