//! The block-level targets: every backend's block codec against the C reference.

use lz4framed::codec::{compress_bound, AppendHistory, BlockCodec, BlockError, WINDOW_SIZE};

use crate::{codecs, hex, oracle, pseudo_random, Reader};

/// Decodes `block` with `codec` into a destination of exactly `cap` bytes. With `contiguous`
/// the history lies directly before the destination in one allocation (the prefix path of
/// backends that recognise it); otherwise it is a separate allocation.
fn decode(
    codec: &dyn BlockCodec,
    block: &[u8],
    history: &[u8],
    cap: usize,
    contiguous: bool,
) -> Result<Vec<u8>, BlockError> {
    let (n, out) = if contiguous {
        let mut buf = Vec::with_capacity(history.len() + cap);
        buf.extend_from_slice(history);
        buf.resize(history.len() + cap, 0xA5);
        let (hist, dst) = buf.split_at_mut(history.len());
        let n = codec.decompress(block, hist, dst)?;
        (n, buf[history.len()..].to_vec())
    } else {
        let mut dst = vec![0xA5; cap];
        let n = codec.decompress(block, history, &mut dst)?;
        (n, dst)
    };
    assert!(
        n <= cap,
        "{}: decompress returned {n} > destination capacity {cap}",
        codec.name()
    );
    Ok(out[..n].to_vec())
}

/// Decodes `block` with `codec`'s `decompress_in_place` (`want`: `decompress_prefix_in_place`)
/// in one buffer holding `history` and then `cap` bytes, as the frame layer calls it for linked
/// blocks. The history part of the buffer must come back unchanged.
fn decode_in_place(
    codec: &dyn BlockCodec,
    block: &[u8],
    history: &[u8],
    cap: usize,
    want: Option<usize>,
) -> Result<Vec<u8>, BlockError> {
    let start = history.len();
    let mut buf = Vec::with_capacity(start + cap);
    buf.extend_from_slice(history);
    buf.resize(start + cap, 0x5A);
    let n = match want {
        None => codec.decompress_in_place(block, &mut buf, start),
        Some(want) => codec.decompress_prefix_in_place(block, &mut buf, start, want),
    }?;
    assert!(
        n <= cap,
        "{}: decompress_in_place returned {n} > destination capacity {cap}",
        codec.name()
    );
    assert!(
        buf[..start] == *history,
        "{}: decompress_in_place wrote into the history",
        codec.name()
    );
    Ok(buf[start..start + n].to_vec())
}

/// Decodes `block` with `codec`'s `decompress_append` (into the vector's spare capacity, which
/// holds stale bytes of an earlier use) with `cap` bytes of room, the history in the vector
/// after unrelated bytes (`in_vec`) or separate. The vector's old bytes must come back
/// unchanged, its length grown by the count returned, or not at all on error.
fn decode_append(
    codec: &dyn BlockCodec,
    block: &[u8],
    history: &[u8],
    cap: usize,
    want: Option<usize>,
    in_vec: bool,
) -> Result<Vec<u8>, BlockError> {
    let mut out = vec![0xC3; 8 + history.len() + cap];
    out.truncate(8);
    let h = if in_vec {
        out.extend_from_slice(history);
        AppendHistory::InVec { from: 8 }
    } else {
        AppendHistory::Separate(history)
    };
    let before = out.clone();
    let r = codec.decompress_append(block, h, &mut out, cap, want);
    let grown = *r.as_ref().unwrap_or(&0);
    assert!(
        grown <= cap && out.len() == before.len() + grown && out[..before.len()] == before,
        "{}: decompress_append returned {r:?}, the vector went from {} to {} bytes (capacity \
         {cap}) or its old bytes changed",
        codec.name(),
        before.len(),
        out.len()
    );
    r.map(|n| out[before.len()..before.len() + n].to_vec())
}

fn describe(r: &Result<Vec<u8>, BlockError>) -> String {
    match r {
        Ok(v) => format!("Ok({} bytes: {})", v.len(), hex(v, 48)),
        Err(e) => format!("Err({e:?})"),
    }
}

/// `block_decode_diff`: arbitrary bytes as one compressed block, with an arbitrary history and
/// destination capacity. Every backend's decoder must agree with the C decoder
/// (`LZ4_decompress_safe_usingDict`, history in a separate buffer) on success vs failure and,
/// on success, on every output byte — and must not panic. Each decoder's `decompress_prefix`,
/// wanting the number of bytes in bytes 3–4, must give the start of its full output. Each
/// decoder's `decompress_in_place` (history and destination in one buffer) must give exactly
/// what its `decompress` gave, and its `decompress_prefix_in_place` the start of that; its
/// `decompress_append` (into a vector's spare capacity) with the history in the vector exactly
/// what the in-place forms gave, error for error, and with the history separate the same
/// blocks and bytes. In fuzz builds the simd decoder's fast loop runs its two variants in turns
/// (every 40 output bytes); the simd codec then also decodes with each variant alone, which
/// must give the same bytes and errors (`check_fast_loop_variants`).
///
/// Input layout:
/// * byte 0, flags: bit 0 = synthesize the history (else: take it from the input); bit 1 = give
///   the tested decoders the history directly before the destination (one allocation); bit 2 =
///   synthesized history is pseudo-random (else zeros); bit 3 = destination capacity from bytes
///   3–4 (else ample: 255 × block + 64); bit 4 = synthesized length counts down from 64 KiB;
/// * bytes 1–2: history length (u16 LE; at most [`WINDOW_SIZE`]);
/// * bytes 3–4: destination capacity (u16 LE) when bit 3 is set;
/// * then, unless synthesized, the history bytes; the rest is the block.
pub fn block_decode_diff(data: &[u8]) {
    let mut r = Reader::new(data);
    let flags = r.u8();
    let hist_len = usize::from(r.u16());
    let cap_sel = usize::from(r.u16());
    let history: Vec<u8> = if flags & 1 != 0 {
        let len = if flags & 0x10 != 0 {
            WINDOW_SIZE - hist_len
        } else {
            hist_len
        };
        if flags & 4 != 0 {
            pseudo_random(len, hist_len as u32)
        } else {
            vec![0; len]
        }
    } else {
        r.take(hist_len).to_vec()
    };
    let block = r.rest();
    let cap = if flags & 8 != 0 {
        cap_sel
    } else {
        (block.len() * 255 + 64).min(8 << 20)
    };
    let contiguous = flags & 2 != 0;

    let expected = decode(oracle(), block, &history, cap, false);
    for codec in codecs() {
        let got = decode(*codec, block, &history, cap, contiguous);
        let agree = match (&expected, &got) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            // Open finding F1 (regressions/block_decode_diff/open-f1-*): lz4_flex accepts
            // blocks that break the end-of-block rules, which the C decoder rejects. Only
            // skipped when LZ4FRAMED_FUZZ_ALLOW_KNOWN=1 (long campaigns looking past it).
            (Err(_), Ok(out)) if crate::allow_known() => {
                check_block_rules(block, history.len(), out.len()).is_err()
                    // Open finding F2 (regressions/block_decode_diff/open-f2-*): with a
                    // destination of 0 bytes the C decoder accepts only the block `00`;
                    // lz4_flex also accepts a lone token with a match-length nibble (`01`…).
                    || (cap == 0 && out.is_empty())
            }
            _ => false,
        };
        assert!(
            agree,
            "block decoders disagree: C {} vs {} {} (history {} bytes{}, capacity {cap}, block {})",
            describe(&expected),
            codec.name(),
            describe(&got),
            history.len(),
            if contiguous { ", contiguous" } else { "" },
            hex(block, 64),
        );
        check_prefix(*codec, block, &history, cap, cap_sel, &got);
        let in_place = decode_in_place(*codec, block, &history, cap, None);
        let same = match (&in_place, &got) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        assert!(
            same,
            "{}: in place {} vs separate {} (history {} bytes, capacity {cap}, block {})",
            codec.name(),
            describe(&in_place),
            describe(&got),
            history.len(),
            hex(block, 64),
        );
        // History in the vector: the in-place forms' own buffer layout, the same result to the
        // error. History separate: the same blocks accepted, the same bytes.
        let appended = decode_append(*codec, block, &history, cap, None, true);
        let separate = decode_append(*codec, block, &history, cap, None, false);
        let same = match (&separate, &in_place) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        assert!(
            appended == in_place && same,
            "{}: append {} / with separate history {} vs in place {} (history {} bytes, \
             capacity {cap}, block {})",
            codec.name(),
            describe(&appended),
            describe(&separate),
            describe(&in_place),
            history.len(),
            hex(block, 64),
        );
        let prefix = decode_in_place(*codec, block, &history, cap, Some(cap_sel));
        #[cfg(fuzzing)]
        if codec.name().starts_with("simd-") {
            check_fast_loop_variants(
                *codec,
                block,
                &history,
                (cap, cap_sel),
                contiguous,
                [&got, &in_place, &appended, &prefix],
            );
        }
        let appended = decode_append(*codec, block, &history, cap, Some(cap_sel), true);
        assert!(
            appended == prefix,
            "{}: append prefix of {cap_sel} {} vs in place {} (history {} bytes, block {})",
            codec.name(),
            describe(&appended),
            describe(&prefix),
            history.len(),
            hex(block, 64),
        );
        match (prefix, &got) {
            (Ok(p), Ok(full)) => assert!(
                p.len() <= full.len()
                    && p.len() >= cap_sel.min(full.len())
                    && p[..] == full[..p.len()],
                "{}: in-place prefix of {cap_sel} gave {} bytes, the full decode {} (block {})",
                codec.name(),
                p.len(),
                full.len(),
                hex(block, 64)
            ),
            (Err(e), Ok(full)) => panic!(
                "{}: in-place prefix of {cap_sel} failed ({e}) where the full decode gave {} \
                 bytes (block {})",
                codec.name(),
                full.len(),
                hex(block, 64)
            ),
            (_, Err(_)) => {}
        }
    }
}

/// The simd decoder with its fast loop forced to each variant alone (fuzz builds, where the
/// variants otherwise take turns every 40 output bytes): `decompress`, `decompress_in_place`,
/// `decompress_append` with the history in the vector and `decompress_prefix_in_place` wanting
/// `want` bytes must give exactly what they gave with the variants in turns (`seen`, in that
/// order), the same bytes or the same error.
#[cfg(fuzzing)]
fn check_fast_loop_variants(
    codec: &dyn BlockCodec,
    block: &[u8],
    history: &[u8],
    (cap, want): (usize, usize),
    contiguous: bool,
    seen: [&Result<Vec<u8>, BlockError>; 4],
) {
    for long in [false, true] {
        lz4framed_backend_simd::force_fast_loop_variant(Some(long));
        let forced = [
            decode(codec, block, history, cap, contiguous),
            decode_in_place(codec, block, history, cap, None),
            decode_append(codec, block, history, cap, None, true),
            decode_in_place(codec, block, history, cap, Some(want)),
        ];
        lz4framed_backend_simd::force_fast_loop_variant(None);
        for (what, (f, s)) in ["decompress", "in place", "append", "prefix in place"]
            .iter()
            .zip(forced.iter().zip(seen))
        {
            assert!(
                f == s,
                "{}: {what} with only the {} fast-loop variant {} vs in turns {} (history {} \
                 bytes, capacity {cap}, block {})",
                codec.name(),
                if long { "long" } else { "short" },
                describe(f),
                describe(s),
                history.len(),
                hex(block, 64),
            );
        }
    }
}

/// `decompress_prefix` (random access) wanting `want` bytes: what it returns must be the start
/// of what `decompress` gave (`full`), at least `want` bytes of it; it may only fail where
/// `decompress` failed too.
fn check_prefix(
    codec: &dyn BlockCodec,
    block: &[u8],
    history: &[u8],
    cap: usize,
    want: usize,
    full: &Result<Vec<u8>, BlockError>,
) {
    let mut dst = vec![0x5A; cap];
    match (
        codec.decompress_prefix(block, history, &mut dst, want),
        full,
    ) {
        (Ok(n), Ok(out)) => assert!(
            n <= out.len() && n >= want.min(out.len()) && dst[..n] == out[..n],
            "{}: prefix of {want} gave {n} bytes, the full decode {} (block {})",
            codec.name(),
            out.len(),
            hex(block, 64)
        ),
        (Ok(n), Err(_)) => assert!(
            n <= cap,
            "{}: prefix decode returned {n} > capacity {cap}",
            codec.name()
        ),
        (Err(e), Ok(out)) => panic!(
            "{}: prefix of {want} failed ({e}) where the full decode gave {} bytes (block {})",
            codec.name(),
            out.len(),
            hex(block, 64)
        ),
        (Err(_), Err(_)) => {}
    }
}

/// The compression level a selector byte stands for: every HC level, the default fast level,
/// a range of accelerations down to the C library's maximum.
pub(crate) fn level(sel: u8) -> i32 {
    match sel % 24 {
        l @ 0..=12 => i32::from(l),
        13 => -1,
        14 => -2,
        15 => -3,
        16 => -10,
        17 => -100,
        18 => -1000,
        19 => -65537,
        _ => 1,
    }
}

/// Block sizes a split selector stands for (`usize::MAX`: one block).
const SPLITS: [usize; 16] = [
    usize::MAX,
    1,
    5,
    12,
    13,
    17,
    64,
    255,
    1000,
    4096,
    16384,
    65535,
    65536,
    100_000,
    7,
    31,
];

/// `block_roundtrip`: data (with a dictionary in front) split into blocks is compressed, block
/// after block with one compressor per backend (linked blocks: each block's history is the
/// ≤ 64 KiB before it), and every block decodes with every backend — the C decoder included —
/// to exactly its input. Every encoded block keeps LZ4's end-of-block rules
/// ([`check_block_rules`]); `compress` with a `compress_bound` destination never refuses.
///
/// Input layout:
/// * byte 0, flags: bit 0 = compress with the history copied to a separate buffer (else it lies
///   directly before the block, so C streams continue); bit 1 = decode with the history
///   directly before the destination; bit 2 = tight destination for compression (block
///   length: the compressor may refuse); bit 3 = amplify the data (repeat it); bit 4 = alternate
///   separate/contiguous history per block; bit 5 = independent blocks (history = dictionary);
///   bit 6 = linked blocks through `compress_in_place`, all the input before the block in the
///   same buffer;
/// * byte 1: level selector (`level`: 0..=12, -1, -2, -3, -10, -100, -1000, -65537, 1);
/// * bytes 2–3: dictionary length (u16 LE), taken from the input;
/// * byte 4: low nibble = block size (`SPLITS`), high nibble = repeat count when amplifying;
/// * the dictionary, then the data.
pub fn block_roundtrip(data: &[u8]) {
    let mut r = Reader::new(data);
    let flags = r.u8();
    let level = level(r.u8());
    let dict_len = usize::from(r.u16());
    let split = r.u8();
    let dict = r.take(dict_len.min(WINDOW_SIZE));
    let input = r.rest();
    let mut all = dict.to_vec();
    if flags & 8 != 0 {
        // Copies alternate between the input and the input with every byte xor-ed by the copy
        // number, so that there are matches both within and across copies.
        for k in 0..=usize::from(split >> 4) {
            let x = if k % 2 == 0 { 0 } else { k as u8 };
            all.extend(input.iter().map(|b| b ^ x));
        }
    } else {
        all.extend_from_slice(input);
    }
    let data_len = all.len() - dict.len();
    let block_size = SPLITS[usize::from(split & 15)];
    let mut blocks = Vec::new();
    let mut at = dict.len();
    loop {
        let end = at + block_size.min(all.len() - at);
        blocks.push(at..end);
        at = end;
        if at == all.len() {
            break;
        }
    }
    let independent = flags & 0x20 != 0;
    let decode_contiguous = flags & 2 != 0;

    for enc in codecs() {
        if !enc.levels().contains(&level) {
            continue;
        }
        let mut compressor = enc.compressor(level).unwrap_or_else(|e| {
            panic!("{}: level {level} in levels() but refused: {e}", enc.name())
        });
        for (i, range) in blocks.iter().enumerate() {
            let src = &all[range.clone()];
            let hist_start = if independent {
                0
            } else {
                range.start.saturating_sub(WINDOW_SIZE)
            };
            let hist_end = if independent { dict.len() } else { range.start };
            let history = &all[hist_start..hist_end];
            let separate = if flags & 0x10 != 0 {
                (flags & 1 != 0) ^ (i % 2 == 1)
            } else {
                flags & 1 != 0
            };
            let tight = flags & 4 != 0;
            let cap = if tight {
                src.len()
            } else {
                compress_bound(src.len())
            };
            let mut dst = vec![0u8; cap];
            // Linked blocks also through `compress_in_place`, the whole input before the block
            // in the same buffer (more than the window).
            let in_place = !independent && flags & 0x40 != 0;
            let n = if in_place {
                compressor.compress_in_place(&all[..range.end], range.start, &mut dst)
            } else if separate {
                let copy = history.to_vec();
                compressor.compress(src, &copy, &mut dst)
            } else {
                compressor.compress(src, history, &mut dst)
            };
            let what = format!(
                "{} level {level}, block {i} ({} bytes at {} of {data_len}), history {} bytes{}",
                enc.name(),
                src.len(),
                range.start - dict.len(),
                history.len(),
                if in_place {
                    " (in place)"
                } else if separate {
                    " (separate)"
                } else {
                    ""
                }
            );
            let Some(n) = n else {
                assert!(
                    tight,
                    "{what}: compress refused a compress_bound destination"
                );
                continue;
            };
            assert!(n <= cap, "{what}: compressed size {n} > capacity {cap}");
            let block = &dst[..n];
            if let Err(e) = check_block_rules(block, history.len(), src.len()) {
                panic!(
                    "{what}: encoded block breaks the LZ4 block rules: {e}; block {}",
                    hex(block, 64)
                );
            }
            for dec in codecs() {
                match decode(*dec, block, history, src.len(), decode_contiguous) {
                    Ok(out) => assert!(
                        out == src,
                        "{what}: {} decodes the block to different bytes ({} vs {} bytes)",
                        dec.name(),
                        out.len(),
                        src.len()
                    ),
                    Err(e) => panic!(
                        "{what}: {} fails to decode it: {e:?}; block {}",
                        dec.name(),
                        hex(block, 64)
                    ),
                }
            }
        }
    }
}

/// Checks the rules of the LZ4 block format that every encoder must keep (and that decoders
/// need not check): the block parses into sequences that decode to exactly `len` bytes; no
/// match offset is 0 or reaches before the `history_len` bytes of history; every match starts
/// at least 12 bytes before the end (`MFLIMIT`) and ends at least 5 bytes before it
/// (`LASTLITERALS`); the block ends with a literals-only sequence.
pub fn check_block_rules(block: &[u8], history_len: usize, len: usize) -> Result<(), String> {
    let byte = |ip: usize| -> Result<u8, String> {
        block
            .get(ip)
            .copied()
            .ok_or_else(|| format!("block ends inside a sequence at {ip}"))
    };
    let length = |ip: &mut usize, base: usize| -> Result<usize, String> {
        let mut n = base;
        if base == 15 {
            loop {
                let b = byte(*ip)?;
                *ip += 1;
                n += usize::from(b);
                if b != 255 {
                    break;
                }
            }
        }
        Ok(n)
    };
    let (mut ip, mut op) = (0usize, 0usize);
    loop {
        let token = byte(ip)?;
        ip += 1;
        let lit = length(&mut ip, usize::from(token >> 4))?;
        if block.len() - ip < lit {
            return Err(format!(
                "literal run of {lit} at {ip} passes the end of the block"
            ));
        }
        ip += lit;
        op += lit;
        if ip == block.len() {
            break;
        }
        let offset = usize::from(u16::from_le_bytes([byte(ip)?, byte(ip + 1)?]));
        ip += 2;
        if offset == 0 || offset > op + history_len {
            return Err(format!(
                "match offset {offset} at output {op} (history {history_len})"
            ));
        }
        let ml = length(&mut ip, usize::from(token & 15))? + 4;
        if op + 12 > len {
            return Err(format!(
                "match at output {op} starts less than 12 bytes before the end ({len})"
            ));
        }
        op += ml;
        if op + 5 > len {
            return Err(format!(
                "match ends at {op}, less than 5 bytes before the end ({len})"
            ));
        }
    }
    if op != len {
        return Err(format!("block decodes to {op} bytes, expected {len}"));
    }
    Ok(())
}
