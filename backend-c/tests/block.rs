//! Block codec tests for the C backend: round trips at every level with and without history,
//! the stream-continuation path, and malformed blocks.

mod common;

use common::{kinds, random, text, Rng};
use lz4framed_backend_c::{CCompressor, CODEC, MIN_LEVEL};
use lz4framed_core::{
    compress_bound, decompress_append_via_slices, AppendHistory, BlockCodec, BlockCompressor,
    BlockError, Error, WINDOW_SIZE,
};

const ALL_LEVELS: &[i32] = &[
    MIN_LEVEL, -1000, -17, -2, -1, 0, 1, 2, 3, 4, 6, 8, 9, 10, 11, 12,
];
const BIG_LEVELS: &[i32] = &[-5, 1, 2, 9];

/// Decodes `block` with `history` in a separate allocation and checks the result is `expect`.
fn check_decode_separate(block: &[u8], history: &[u8], expect: &[u8], what: &str) {
    let mut dst = vec![0xAA; expect.len()];
    let n = CODEC
        .decompress(block, history, &mut dst)
        .unwrap_or_else(|e| panic!("{what}: decode failed: {e}"));
    assert_eq!(n, expect.len(), "{what}: length");
    assert!(dst == expect, "{what}: content");
}

/// Decodes `block` with `history` directly before `dst` in one buffer (the prefix path).
fn check_decode_contiguous(block: &[u8], history: &[u8], expect: &[u8], what: &str) {
    let mut buf = history.to_vec();
    buf.resize(history.len() + expect.len() + 7, 0xAA);
    let (hist, dst) = buf.split_at_mut(history.len());
    let n = CODEC
        .decompress(block, hist, dst)
        .unwrap_or_else(|e| panic!("{what}: contiguous decode failed: {e}"));
    assert_eq!(n, expect.len(), "{what}: length");
    assert!(&dst[..n] == expect, "{what}: content");
}

fn compress(c: &mut dyn BlockCompressor, src: &[u8], history: &[u8]) -> Vec<u8> {
    let mut dst = vec![0; compress_bound(src.len())];
    let n = c
        .compress(src, history, &mut dst)
        .expect("compress_bound must suffice");
    dst.truncate(n);
    dst
}

#[test]
fn codec_metadata() {
    assert_eq!(CODEC.name(), "c");
    assert_eq!(CODEC.levels(), -65537..=12);
    for level in [MIN_LEVEL - 1, 13, 100, i32::MIN, i32::MAX] {
        match CODEC.compressor(level) {
            Err(Error::UnsupportedLevel {
                backend: "c",
                level: l,
            }) => assert_eq!(l, level),
            Err(e) => panic!("level {level}: wrong error {e}"),
            Ok(_) => panic!("level {level} must be unsupported"),
        }
    }
    for level in ALL_LEVELS {
        assert!(CODEC.compressor(*level).is_ok());
    }
    fn assert_send<T: Send>() {}
    assert_send::<CCompressor>();
    assert!(lz4framed_backend_c::lz4_version() >= 11000);
}

#[test]
fn round_trip_small_sizes_all_levels() {
    for &level in ALL_LEVELS {
        let mut c = CODEC.compressor(level).unwrap();
        for n in 0..=20 {
            for (kind, data) in kinds(n, n as u64) {
                let what = format!("level {level}, {kind} {n}");
                let block = compress(c.as_mut(), &data, &[]);
                check_decode_separate(&block, &[], &data, &what);
                // With history, separate and contiguous.
                let hist = text(300, 7);
                let block = compress(c.as_mut(), &data, &hist);
                check_decode_separate(&block, &hist, &data, &what);
                check_decode_contiguous(&block, &hist, &data, &what);
                let mut buf = hist.clone();
                buf.extend_from_slice(&data);
                let (h, s) = buf.split_at(hist.len());
                let block = compress(c.as_mut(), s, h);
                check_decode_separate(&block, h, s, &what);
                check_decode_contiguous(&block, h, s, &what);
            }
        }
    }
}

#[test]
fn round_trip_64k_all_levels() {
    for &level in ALL_LEVELS {
        let mut c = CODEC.compressor(level).unwrap();
        for (kind, data) in kinds(64 * 1024, 3) {
            let what = format!("level {level}, {kind} 64K");
            let block = compress(c.as_mut(), &data, &[]);
            check_decode_separate(&block, &[], &data, &what);
            if kind != "random" && level >= -2 {
                assert!(block.len() < data.len() / 2, "{what}: compresses");
            }
            // History = the same kind of data, in a separate allocation and directly before.
            let all = match kind {
                "zeros" => vec![0; 2 * 64 * 1024],
                "random" => random(2 * 64 * 1024, 11),
                _ => text(2 * 64 * 1024, 11),
            };
            let (h, s) = all.split_at(64 * 1024);
            let hist_copy = h.to_vec();
            let block = compress(c.as_mut(), s, &hist_copy);
            check_decode_separate(&block, h, s, &what);
            check_decode_contiguous(&block, h, s, &what);
            let block = compress(c.as_mut(), s, h);
            check_decode_separate(&block, h, s, &what);
            check_decode_contiguous(&block, h, s, &what);
        }
    }
}

#[test]
fn round_trip_4m() {
    for &level in BIG_LEVELS {
        let mut c = CODEC.compressor(level).unwrap();
        for (kind, data) in kinds(4 << 20, 5) {
            let what = format!("level {level}, {kind} 4M");
            let block = compress(c.as_mut(), &data, &[]);
            check_decode_separate(&block, &[], &data, &what);
            let hist = text(WINDOW_SIZE, 9);
            let block = compress(c.as_mut(), &data, &hist);
            check_decode_separate(&block, &hist, &data, &what);
            check_decode_contiguous(&block, &hist, &data, &what);
        }
    }
}

/// Compresses `input` as a linked stream of `block`-byte blocks whose history is the preceding
/// ≤ 64 KiB of the same buffer (the continuation path), then decodes every block both ways.
fn linked_stream(level: i32, input: &[u8], block: usize, dict: Option<&[u8]>) {
    let mut c = CODEC.compressor(level).unwrap();
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < input.len() {
        let end = (start + block).min(input.len());
        let history: &[u8] = if start == 0 {
            dict.unwrap_or(&[])
        } else {
            &input[start.saturating_sub(WINDOW_SIZE)..start]
        };
        blocks.push((
            start,
            end,
            compress(c.as_mut(), &input[start..end], history),
        ));
        start = end;
    }
    // Decode in one output buffer (prefix path, like a linked frame decoder).
    let mut out = vec![0u8; input.len()];
    for (start, end, b) in &blocks {
        let what = format!("level {level}, block size {block}, block at {start}");
        let (done, rest) = out.split_at_mut(*start);
        let history: &[u8] = if *start == 0 {
            dict.unwrap_or(&[])
        } else {
            &done[start.saturating_sub(WINDOW_SIZE)..]
        };
        let n = CODEC
            .decompress(b, history, &mut rest[..end - start])
            .expect(&what);
        assert_eq!(n, end - start, "{what}");
        assert!(rest[..n] == input[*start..*end], "{what}");
        // And with the history copied elsewhere.
        let copy = history.to_vec(); // a separate allocation
        check_decode_separate(b, &copy, &input[*start..*end], &what);
    }
}

#[test]
fn linked_stream_continuation() {
    let data = text(1 << 20, 21);
    let dict = text(WINDOW_SIZE, 99);
    for &level in &[-3, 1, 2, 3, 9, 10, 12] {
        for block in [64 * 1024, 100 * 1024, 5000] {
            linked_stream(level, &data, block, None);
        }
        linked_stream(level, &data[..300 * 1024], 64 * 1024, Some(&dict));
    }
    // Tiny and odd block sizes (exercise "not searched" blocks and short histories).
    for &level in &[1, 2, 9, 12] {
        for block in [1, 7, 13, 64, 1000] {
            linked_stream(level, &data[..20_000], block, None);
        }
        linked_stream(level, &data[..20_000], 5, Some(&dict[..10]));
    }
    // Long matches that span blocks (HC may leave positions unindexed far back).
    let mut runs = vec![0u8; 600 * 1024];
    runs[300 * 1024..].copy_from_slice(&text(300 * 1024, 3));
    for &level in &[1, 2, 9, 12] {
        linked_stream(level, &runs, 64 * 1024, None);
        linked_stream(level, &runs, 200 * 1024, None);
    }
}

/// The history is in the memory the stream knows, but its content changed in place between
/// calls (a reused buffer): the output must still match the current bytes.
#[test]
fn continuation_after_in_place_change() {
    for &level in &[1, 2, 9, 12] {
        let mut c = CODEC.compressor(level).unwrap();
        let mut buf = text(3 * 64 * 1024, 1);
        let (h, s) = buf.split_at(64 * 1024);
        let b = compress(c.as_mut(), &s[..64 * 1024], h);
        check_decode_separate(&b, h, &s[..64 * 1024], "first");
        // Overwrite everything, then continue where the stream left off.
        buf.copy_from_slice(&text(3 * 64 * 1024, 2));
        let (h, s) = buf.split_at(2 * 64 * 1024);
        let h = &h[64 * 1024..];
        let b = compress(c.as_mut(), s, h);
        check_decode_separate(&b, h, s, &format!("level {level}: changed history"));
    }
}

/// Random mixes of contiguous, separate, shorter and sequential histories against one
/// compressor, so that the continuity bookkeeping sees every transition.
#[test]
fn random_history_layouts() {
    let arena_len = 1 << 20;
    for &level in &[-2, 1, 2, 5, 9, 11] {
        let mut rng = Rng::new((level + 1000) as u64);
        let mut arena = text(arena_len, 77);
        let mut c = CODEC.compressor(level).unwrap();
        let mut next = 0usize;
        for step in 0..150 {
            if rng.below(20) == 0 {
                // Change some bytes of the arena in place.
                let at = rng.below(arena_len - 1000);
                let mut r = Rng::new(step);
                r.fill(&mut arena[at..at + 1000]);
            }
            let len = match rng.below(4) {
                0 => rng.below(20),
                1 => rng.below(2000),
                _ => rng.below(150_000),
            };
            let start = if rng.below(3) != 0 && next + len <= arena_len {
                next
            } else {
                rng.below(arena_len - len)
            };
            let hist_len = match rng.below(4) {
                0 => 0,
                1 => rng.below(100),
                _ => WINDOW_SIZE,
            }
            .min(start);
            let src = &arena[start..start + len];
            let what = format!("level {level}, step {step}, src {start}+{len}, hist {hist_len}");
            let block = if rng.below(4) == 0 {
                let hist = arena[start - hist_len..start].to_vec();
                let b = compress(c.as_mut(), src, &hist);
                check_decode_separate(&b, &hist, src, &what);
                b
            } else {
                let hist = &arena[start - hist_len..start];
                let b = compress(c.as_mut(), src, hist);
                check_decode_contiguous(&b, hist, src, &what);
                b
            };
            assert!(!block.is_empty());
            next = start + len;
        }
    }
}

#[test]
fn too_small_destination_then_recovery() {
    for &level in &[-1, 1, 2, 9, 12] {
        let mut c = CODEC.compressor(level).unwrap();
        let data = random(100_000, 4);
        let (h, s) = data.split_at(50_000);
        let b = compress(c.as_mut(), s, h);
        check_decode_separate(&b, h, s, "first");
        // Random data does not fit in half its size.
        let mut small = vec![0; 10_000];
        let more = random(50_000, 5);
        assert_eq!(c.compress(&more, s, &mut small), None, "level {level}");
        // The stream is usable again afterwards, also on the "continuation" layout.
        let b = compress(c.as_mut(), s, h);
        check_decode_separate(&b, h, s, "after failure");
        let mut empty: [u8; 0] = [];
        assert_eq!(c.compress(b"abc", &[], &mut empty), None);
        let b = compress(c.as_mut(), b"abc", &[]);
        check_decode_separate(&b, &[], b"abc", "tiny");
    }
}

#[test]
fn output_too_large_for_dst_is_error() {
    let data = text(1000, 1);
    let mut c = CODEC.compressor(1).unwrap();
    let block = compress(c.as_mut(), &data, &[]);
    let mut dst = vec![0; 999];
    assert!(CODEC.decompress(&block, &[], &mut dst).is_err());
    let mut dst = vec![0; 1000];
    assert_eq!(CODEC.decompress(&block, &[], &mut dst), Ok(1000));
    let mut empty: [u8; 0] = [];
    assert!(CODEC.decompress(&block, &[], &mut empty).is_err());
}

#[test]
fn malformed_blocks() {
    let mut dst = vec![0; 70_000];
    let corrupt = |r: Result<usize, BlockError>, what: &str| match r {
        Err(BlockError::Corrupt { at }) => {
            if let Some(at) = at {
                assert!(at <= 70_000, "{what}: offset {at}");
            }
        }
        other => panic!("{what}: expected Corrupt, got {other:?}"),
    };
    // Empty block.
    corrupt(CODEC.decompress(&[], &[], &mut dst), "empty");
    // Offset 0: one literal, then a match with offset 0, then 5 literals.
    corrupt(
        CODEC.decompress(&[0x10, b'a', 0, 0, 0x50, 1, 2, 3, 4, 5], &[], &mut dst),
        "offset 0",
    );
    // Offset reaching before the (empty) history.
    corrupt(
        CODEC.decompress(&[0x10, b'a', 2, 0, 0x50, 1, 2, 3, 4, 5], &[], &mut dst),
        "before",
    );
    // Offset reaching before a 10-byte history (and, separately, a contiguous one).
    let block = [0x00, 20, 0, 0x50, 1, 2, 3, 4, 5];
    let hist = [7u8; 10];
    corrupt(CODEC.decompress(&block, &hist, &mut dst), "before history");
    let mut buf = [7u8; 100];
    let (h, d) = buf.split_at_mut(10);
    corrupt(CODEC.decompress(&block, h, d), "before contiguous history");
    // ... but within it is fine.
    let ok = [0x00, 10, 0, 0x50, 1, 2, 3, 4, 5];
    assert_eq!(CODEC.decompress(&ok, &hist, &mut dst), Ok(4 + 5));
    // Truncated blocks of real data.
    let data = text(50_000, 2);
    let mut c = CODEC.compressor(1).unwrap();
    let block = compress(c.as_mut(), &data, &[]);
    for cut in [1, 2, 5, block.len() / 2, block.len() - 1] {
        corrupt(
            CODEC.decompress(&block[..cut], &[], &mut dst),
            &format!("truncated {cut}"),
        );
    }
    // Offset 0 after a long literal run and in a later sequence; a valid block still decodes.
    let mut b = vec![0xF0, 10];
    b.extend_from_slice(&[b'x'; 25]);
    b.extend_from_slice(&[0, 0, 0x50, 1, 2, 3, 4, 5]);
    corrupt(
        CODEC.decompress(&b, &[], &mut dst),
        "offset 0 after 25 literals",
    );
    let b = [0x1F, b'a', 1, 0, 3, 0x10, b'b', 0, 0, 0x50, 1, 2, 3, 4, 5];
    corrupt(
        CODEC.decompress(&b, &[], &mut dst),
        "offset 0 in 2nd sequence",
    );
    let b = [0x1F, b'a', 1, 0, 3, 0x10, b'b', 1, 0, 0x50, 1, 2, 3, 4, 5];
    assert_eq!(CODEC.decompress(&b, &[], &mut dst), Ok(1 + 22 + 1 + 4 + 5));
    // Literal run past the end of the input.
    corrupt(
        CODEC.decompress(&[0xF0, 200, 1, 2, 3], &[], &mut dst),
        "literals past end",
    );
    // Garbage: never a panic, never a length beyond dst.
    let mut rng = Rng::new(3);
    for i in 0..2000 {
        let len = 1 + rng.below(300);
        let g = random(len, i);
        let mut small = vec![0; rng.below(5000)];
        if let Ok(n) = CODEC.decompress(&g, &data[..rng.below(1000)], &mut small) {
            assert!(n <= small.len());
        }
    }
    // Mutated real blocks.
    for i in 0..2000u64 {
        let mut b = block.clone();
        let at = rng.below(b.len());
        b[at] ^= 1 << (i % 8);
        if let Ok(n) = CODEC.decompress(&b, &[], &mut dst[..50_000]) {
            assert!(n <= 50_000);
        }
    }
}

/// `decompress_prefix` (`LZ4_decompress_safe_partial_usingDict`): the start of the block, at
/// least the bytes asked for, with and without history; a match offset of 0 is refused inside
/// the decoded part only.
#[test]
fn prefix_decoding() {
    let data = text(300_000, 5);
    let (history, src) = data.split_at(100_000);
    let mut c = CCompressor::new(1).unwrap();
    for history in [&[][..], history] {
        let block = compress(&mut c, src, history);
        for want in [0usize, 1, 17, 65_536, 150_000, src.len(), src.len() + 9] {
            let mut dst = vec![0xAA; src.len()];
            let n = CODEC
                .decompress_prefix(&block, history, &mut dst, want)
                .unwrap_or_else(|e| panic!("want {want}: {e}"));
            assert!(
                n >= want.min(src.len()) && n <= src.len(),
                "want {want}: {n}"
            );
            assert!(dst[..n] == src[..n], "want {want}: content");
        }
    }
    // 4 literals, a match at offset 0 of length 4, 5 final literals.
    let bad = [
        0x40, b'a', b'b', b'c', b'd', 0x00, 0x00, 0x50, b'x', b'y', b'z', b'w', b'1',
    ];
    let mut dst = [0u8; 13];
    assert!(CODEC.decompress(&bad, &[], &mut dst).is_err());
    assert!(CODEC.decompress_prefix(&bad, &[], &mut dst, 10).is_err());
    assert_eq!(CODEC.decompress_prefix(&bad, &[], &mut dst, 2), Ok(2));
    assert_eq!(&dst[..2], b"ab");
}

/// A `decompress_append` implementation under test: `(block, history, out, capacity, want)`.
type AppendFn<'a> = &'a dyn Fn(
    &[u8],
    AppendHistory<'_>,
    &mut Vec<u8>,
    usize,
    Option<usize>,
) -> Result<usize, BlockError>;

/// `decompress_append` with the history in the vector (after `junk` bytes that are not
/// history) or separate: returns the appended bytes, checking the length on error.
fn append(
    f: AppendFn<'_>,
    block: &[u8],
    history: &[u8],
    in_vec: bool,
    cap: usize,
    want: Option<usize>,
) -> Result<Vec<u8>, BlockError> {
    let junk = b"unrelated bytes";
    let mut out = junk.to_vec();
    let h = if in_vec {
        out.extend_from_slice(history);
        AppendHistory::InVec { from: junk.len() }
    } else {
        AppendHistory::Separate(history)
    };
    let before = out.clone();
    match f(block, h, &mut out, cap, want) {
        Ok(n) => {
            assert!(
                n <= cap && out.len() == before.len() + n,
                "length after append"
            );
            assert!(
                out[..before.len()] == before,
                "bytes before the block changed"
            );
            Ok(out[before.len()..].to_vec())
        }
        Err(e) => {
            assert!(out == before, "a failed append changed the vector");
            Err(e)
        }
    }
}

/// `decompress_append` (into uninitialized spare capacity) gives the blocks, bytes and errors
/// of the slice forms (`decompress_append_via_slices`: zero-filled room, `decompress` /
/// `decompress_in_place` and their prefix forms), with history in the vector or separate,
/// for whole blocks, prefixes, mutated and truncated blocks and small capacities.
#[test]
fn append_matches_the_slice_forms() {
    let direct = |b: &[u8], h: AppendHistory<'_>, o: &mut Vec<u8>, c: usize, w: Option<usize>| {
        CODEC.decompress_append(b, h, o, c, w)
    };
    let slices = |b: &[u8], h: AppendHistory<'_>, o: &mut Vec<u8>, c: usize, w: Option<usize>| {
        decompress_append_via_slices(&CODEC, b, h, o, c, w)
    };
    let mut rng = Rng::new(77);
    let mut c = CCompressor::new(1).unwrap();
    for it in 0..400 {
        let nh = if it % 3 == 0 {
            0
        } else {
            1 + rng.below(70_000)
        };
        let n = 1 + rng.below(40_000);
        let whole = kinds(nh + n, it as u64).swap_remove(it % 3).1;
        let (history, src) = whole.split_at(nh);
        let mut block = compress(&mut c, src, history);
        match it % 4 {
            1 => {
                let at = rng.below(block.len());
                block[at] ^= 1 << (it % 8);
            }
            2 => block.truncate(rng.below(block.len()) + 1),
            _ => {}
        }
        let cap = match it % 5 {
            0 => n,
            1 => rng.below(n + 1),
            _ => n + rng.below(100),
        };
        let want = (it % 2 == 1).then(|| rng.below(n + 1));
        let mut sep = vec![0u8; cap];
        let expect = match want {
            None => CODEC.decompress(&block, history, &mut sep),
            Some(w) => CODEC.decompress_prefix(&block, history, &mut sep, w),
        }
        .map(|m| sep[..m].to_vec());
        for in_vec in [false, true] {
            let a = append(&direct, &block, history, in_vec, cap, want);
            let b = append(&slices, &block, history, in_vec, cap, want);
            assert!(a == b, "it {it}: append vs via slices (in vec {in_vec})");
            assert!(
                a == expect,
                "it {it}: append vs decompress (in vec {in_vec})"
            );
            if let (Ok(v), 0, None) = (&a, it % 4, want) {
                assert!(cap < n || v[..] == src[..], "it {it}: content");
            }
        }
    }
    // Offset 0 and an offset before the history: errors, the vector unchanged.
    let zero = [0x10, b'a', 0, 0, 0x50, 1, 2, 3, 4, 5];
    let before = [0x00, 20, 0, 0x50, 1, 2, 3, 4, 5];
    for in_vec in [false, true] {
        assert!(append(&direct, &zero, &[], in_vec, 100, None).is_err());
        assert!(append(&direct, &before, &[7; 10], in_vec, 100, None).is_err());
        assert_eq!(
            append(
                &direct,
                &[0x00, 10, 0, 0x50, 1, 2, 3, 4, 5],
                &[7; 10],
                in_vec,
                100,
                None
            ),
            Ok(vec![7, 7, 7, 7, 1, 2, 3, 4, 5])
        );
    }
}
