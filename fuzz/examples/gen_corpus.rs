//! Writes the seed corpora `corpus/<target>/` in each target's input layout (see the target
//! functions in `src/`). Deterministic; rerun after changing a layout:
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example gen_corpus [TARGET]
//! ```
//!
//! With a TARGET, only that target's corpus is rewritten.

use std::io::Write;
use std::path::Path;

use lz4framed::codec::{compress_bound, BlockCodec};
use lz4framed::index::IndexOptions;
use lz4framed::index::SeekableEncoder;
use lz4framed::{BlockMode, BlockSize, Dictionary, FrameSettings};
use lz4framed_backend_c::frame::{compress_frame, CFrameOptions};
use lz4framed_fuzz::{pseudo_random, FIXED_DICTIONARY};

fn text(len: usize, seed: u32) -> Vec<u8> {
    let words: Vec<&[u8]> = FIXED_DICTIONARY.split(|&b| b == b' ').collect();
    let r = pseudo_random(len, seed);
    let mut out = Vec::with_capacity(len + 16);
    let mut i = 0;
    while out.len() < len {
        out.extend_from_slice(words[usize::from(r[i % r.len().max(1)]) % words.len()]);
        out.push(if r[(i + 1) % r.len().max(1)].is_multiple_of(9) {
            b'\n'
        } else {
            b' '
        });
        i += 1;
    }
    out.truncate(len);
    out
}

fn block(codec: &dyn BlockCodec, level: i32, src: &[u8], history: &[u8]) -> Vec<u8> {
    let mut c = codec.compressor(level).unwrap();
    let mut dst = vec![0; compress_bound(src.len())];
    let n = c.compress(src, history, &mut dst).unwrap();
    dst.truncate(n);
    dst
}

struct Out {
    dir: std::path::PathBuf,
    n: usize,
}

impl Out {
    fn new(root: &Path, target: &str) -> Self {
        let only = std::env::args().nth(1);
        let dir = if only.as_deref().is_none_or(|t| t == target) {
            root.join("corpus").join(target)
        } else {
            std::env::temp_dir()
                .join("lz4framed-gen-corpus")
                .join(target)
        };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Out { dir, n: 0 }
    }
    fn put(&mut self, name: &str, bytes: &[u8]) {
        assert!(bytes.len() < 4096, "{name}: {} bytes", bytes.len());
        self.n += 1;
        std::fs::write(self.dir.join(format!("{:02}-{name}", self.n)), bytes).unwrap();
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let c = lz4framed_fuzz::oracle();

    // block_decode_diff: flags, hist_len u16, cap u16, [history], block.
    let mut o = Out::new(root, "block_decode_diff");
    for (i, &level) in [1, -5, 9, 12].iter().enumerate() {
        let hist = text(300, i as u32);
        let src = text(1500, 10 + i as u32);
        let b = block(c, level, &src, &hist);
        let mut v = vec![0u8];
        v.extend_from_slice(&(hist.len() as u16).to_le_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(&hist);
        v.extend_from_slice(&b);
        o.put(&format!("text-level{level}-history"), &v);
        v[0] = 2; // contiguous
        o.put(&format!("text-level{level}-history-contiguous"), &v);
        let b = block(c, level, &src, &[]);
        let mut v = vec![8u8];
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(&(src.len() as u16).to_le_bytes());
        v.extend_from_slice(&b);
        o.put(&format!("text-level{level}-exact-capacity"), &v);
    }
    // Synthesized 64 KiB pseudo-random history, a block matching far back into it.
    let hist = pseudo_random(65535, 65535);
    let src: Vec<u8> = hist[10..2000].to_vec();
    let b = block(c, 9, &src, &hist);
    let mut v = vec![1 | 4];
    v.extend_from_slice(&65535u16.to_le_bytes());
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(&b);
    o.put("far-offsets-synth-history", &v);
    v[0] |= 2;
    o.put("far-offsets-synth-history-contiguous", &v);
    // Malformed blocks.
    for (name, blk) in [
        ("empty", &[][..]),
        ("token-only", &[0x00][..]),
        (
            "offset-zero",
            &[0x40, b'a', b'b', b'c', b'd', 0, 0, 0x00][..],
        ),
        ("offset-before-start", &[0x10, b'a', 2, 0, 0x00][..]),
        (
            "rle-1",
            &[0x1F, b'a', 1, 0, 0xFF, 0x10, 0x50, 1, 2, 3, 4, 5][..],
        ),
        ("literal-overrun", &[0xF0, 0xFF, 0x10, 1, 2][..]),
        ("match-at-end", &[0x14, b'a', 1, 0][..]),
    ] {
        let mut v = vec![0, 0, 0, 0, 0];
        v.extend_from_slice(blk);
        o.put(&format!("malformed-{name}"), &v);
    }
    let mut v = vec![1 | 8, 16, 0, 40, 0];
    v.extend_from_slice(&[0x10, b'x', 16, 0, 0xF0, 0x00]);
    o.put("offset-into-zero-history-small-capacity", &v);

    // block_roundtrip: flags, level, dict_len u16, split, [dict], data.
    let mut o = Out::new(root, "block_roundtrip");
    let data = text(2500, 7);
    for (flags, level_sel, split, name) in [
        (0u8, 1u8, 0u8, "fast-one-block"),
        (0, 9, 0, "hc9-one-block"),
        (0, 12, 0x08, "hc12-1000-byte-blocks"),
        (1, 1, 0x08, "fast-separate-history"),
        (0x10, 2, 0x06, "lz4mid-alternating-history"),
        (0x02, 19, 0x09, "max-acceleration-contiguous-decode"),
        (0x04, 1, 0x07, "tight-destination"),
        (0x08, 1, 0xF0, "amplified-x16"),
        (0x08 | 0x10, 9, 0xFB, "amplified-65535-blocks"),
        (0x20, 1, 0x08, "independent-with-dict"),
        (0, 1, 0x03, "12-byte-blocks"),
        (0, 16, 0x01, "1-byte-blocks"),
    ] {
        let dict_len: u16 = if flags & 0x20 != 0 || name.contains("history") {
            500
        } else {
            0
        };
        let mut v = vec![flags, level_sel];
        v.extend_from_slice(&dict_len.to_le_bytes());
        v.push(split);
        v.extend_from_slice(&data[..usize::from(dict_len) + 2000 - usize::from(dict_len)]);
        o.put(name, &v);
    }
    o.put("empty", &[0, 1, 0, 0, 0]);

    // frame_roundtrip: flags, level, sizes, pieces, dict_len u16, [dict], data.
    let mut o = Out::new(root, "frame_roundtrip");
    for (flags, level_sel, sizes, pieces, name) in [
        (0u8, 1u8, 0u8, 0u8, "defaults"),
        (0x06, 9, 1, 3, "checksums-hc9-256k-pieces"),
        (0x01, 1, 3, 0x81, "independent-4m-flush"),
        (0x08, 13, 0, 1, "no-content-size-fast-acc1"),
        (0x10, 4, 2, 0, "exact-content-size"),
        (0x20, 1, 0, 2, "dictionary"),
        (0x60 | 0x02, 12, 0, 0, "dictionary-id-hc12"),
        (0x21, 1, 0, 1, "independent-dictionary"),
        (0x80, 1, 0xF0, 0, "amplified-multi-block"),
        (
            0x80 | 0x04 | 0x01,
            2,
            0x30,
            4,
            "amplified-independent-block-checksums",
        ),
    ] {
        let dict_len: u16 = if flags & 0x20 != 0 { 700 } else { 0 };
        let mut v = vec![flags, level_sel, sizes, pieces];
        v.extend_from_slice(&dict_len.to_le_bytes());
        v.extend_from_slice(&text(usize::from(dict_len) + 1800, u32::from(flags)));
        o.put(name, &v);
    }
    o.put("empty", &[0, 1, 0, 0, 0, 0]);

    // frame_decode_diff / frame_decode_deep: mode, frame bytes.
    for target in ["frame_decode_diff", "frame_decode_deep"] {
        let mut o = Out::new(root, target);
        let data = text(3000, 99);
        let put = |o: &mut Out, name: &str, mode: u8, frame: &[u8]| {
            let mut v = vec![mode];
            v.extend_from_slice(frame);
            o.put(name, &v);
        };
        let s = FrameSettings::new();
        put(&mut o, "default", 0, &lz4framed::compress(&data));
        put(
            &mut o,
            "default-pieces-7",
            2 | (6 << 2),
            &lz4framed::compress(&data),
        );
        put(
            &mut o,
            "checksums-independent",
            0,
            &lz4framed::compress_with(
                &data,
                &s.clone()
                    .content_checksum(true)
                    .block_checksum(true)
                    .block_mode(BlockMode::Independent),
            )
            .unwrap(),
        );
        put(
            &mut o,
            "4m-blocks-hc",
            2 | (63 << 2),
            &lz4framed::compress_with(&data, &s.clone().level(9).block_size(BlockSize::Max4MB))
                .unwrap(),
        );
        let dict = Dictionary::new(FIXED_DICTIONARY);
        put(
            &mut o,
            "dictionary",
            1,
            &lz4framed::compress_with(&data, &s.clone().dictionary(dict.clone())).unwrap(),
        );
        put(
            &mut o,
            "dictionary-id",
            1 | 2,
            &lz4framed::compress_with(&data, &s.clone().dictionary(dict.with_id(42))).unwrap(),
        );
        let small = text(200, 5);
        let mut two = lz4framed::compress(&small);
        two.extend_from_slice(
            &lz4framed::compress_with(&small, &s.clone().content_checksum(true)).unwrap(),
        );
        put(&mut o, "two-frames", 0, &two);
        let mut skip = vec![0x50, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5];
        put(&mut o, "skippable-only", 0, &skip);
        skip.extend_from_slice(&lz4framed::compress(&small));
        put(&mut o, "skippable-then-frame", 0, &skip);
        let mut legacy = vec![0x02, 0x21, 0x4C, 0x18];
        let b = block(c, 1, &small, &[]);
        legacy.extend_from_slice(&(b.len() as u32).to_le_bytes());
        legacy.extend_from_slice(&b);
        put(&mut o, "legacy", 0, &legacy);
        legacy.extend_from_slice(&lz4framed::compress(&small));
        put(&mut o, "legacy-then-frame", 0, &legacy);
        let c_frame = compress_frame(
            &data,
            &CFrameOptions {
                level: 3,
                content_checksum: true,
                block_checksum: true,
                content_size: true,
                ..CFrameOptions::default()
            },
        );
        put(&mut o, "c-frame", 0, &c_frame);
        let mut raw = lz4framed::compress_with(&pseudo_random(500, 1), &s).unwrap();
        put(&mut o, "uncompressed-block", 0, &raw);
        raw.truncate(raw.len() - 3);
        put(&mut o, "truncated", 0, &raw);
        let empty = lz4framed::compress(&[]);
        put(&mut o, "empty-content", 0, &empty);
        put(&mut o, "empty-input", 0, &[]);
        let mut garbage = lz4framed::compress(&small);
        garbage.extend_from_slice(b"junk");
        put(&mut o, "trailing-garbage", 0, &garbage);
    }
    // checkpoint: [mode, cut1 u16, cut2 u16, frame] or [0x80|0x40, len u16, checkpoint, more].
    let mut o = Out::new(root, "checkpoint");
    let data = text(3000, 77);
    let s = FrameSettings::new();
    let frames: Vec<(&str, u8, Vec<u8>)> = vec![
        ("default", 0, lz4framed::compress(&data)),
        (
            "checksums",
            0,
            lz4framed::compress_with(
                &data,
                &s.clone().content_checksum(true).block_checksum(true),
            )
            .unwrap(),
        ),
        (
            "dictionary-id",
            1,
            lz4framed::compress_with(
                &data,
                &s.clone()
                    .dictionary(Dictionary::new(FIXED_DICTIONARY).with_id(9)),
            )
            .unwrap(),
        ),
        (
            "independent-no-verify",
            4,
            lz4framed::compress_with(&data, &s.clone().block_mode(BlockMode::Independent)).unwrap(),
        ),
    ];
    for (name, mode, frame) in &frames {
        for (c1, c2) in [(5u16, 300u16), (11, 11), (0, frame.len() as u16 - 2)] {
            let mut v = vec![*mode];
            v.extend_from_slice(&c1.to_le_bytes());
            v.extend_from_slice(&c2.to_le_bytes());
            v.extend_from_slice(frame);
            o.put(&format!("{name}-cuts-{c1}-{c2}"), &v);
        }
        let cut = frame.len() / 3;
        let mut d = lz4framed::Decompressor::new();
        if mode & 1 != 0 {
            d = d.with_dictionary(Dictionary::new(FIXED_DICTIONARY));
        }
        d.decompress(&frame[..cut], &mut Vec::new()).unwrap();
        let cp = d.checkpoint();
        let mut v = vec![0x80 | 0x40 | mode];
        v.extend_from_slice(&(cp.len() as u16).to_le_bytes());
        v.extend_from_slice(&cp);
        v.extend_from_slice(&frame[cut..]);
        if v.len() < 4096 {
            o.put(&format!("{name}-restore"), &v);
        }
    }

    // seek_index, round trip: [flags, repeat, 4 × (offset u16, length u16), data].
    let mut o = Out::new(root, "seek_index");
    let pairs: [(u16, u16); 4] = [(0, 100), (30_000, 4_000), (65_535, 50), (20_000, 40_000)];
    let seed = text(2900, 31);
    for (flags, repeat, data, name) in [
        (0x00u8, 90u8, &seed[..], "linked-64k-embedded"),
        (0x02, 90, &seed[..], "independent-64k-embedded"),
        (
            0x01 | 0x04 | 0x08 | 0x10,
            100,
            &seed[..],
            "linked-256k-checksum-sidecar",
        ),
        (
            0x01 | 0x02 | 0x10 | 0x20 | 0x40,
            100,
            &seed[..],
            "independent-256k-hc-sidecar",
        ),
        (
            0x40 | 0x08,
            60,
            &pseudo_random(3000, 5)[..],
            "linked-incompressible-raw-windows",
        ),
        (0x00, 0, &seed[..1000], "one-block"),
        (0x10, 0, &[][..], "empty-sidecar"),
    ] {
        let mut v = vec![flags, repeat];
        for (a, b) in pairs {
            v.extend_from_slice(&a.to_le_bytes());
            v.extend_from_slice(&b.to_le_bytes());
        }
        v.extend_from_slice(data);
        o.put(name, &v);
    }
    // seek_index, arbitrary: [0x80 | fix 0x40, split u16, 4 × position u16, data + payload].
    let seekable = |data: &[u8], settings: &FrameSettings, interval: u64| {
        let options = IndexOptions::default().restart_interval(interval);
        let mut enc = SeekableEncoder::with_options(Vec::new(), settings, &options).unwrap();
        enc.write_all(data).unwrap();
        enc.finish_sidecar().unwrap()
    };
    let arbitrary = |o: &mut Out, name: &str, mode: u8, split: usize, rest: &[u8]| {
        let mut v = vec![mode];
        v.extend_from_slice(&(split as u16).to_le_bytes());
        for p in [0u16, 1000, 40_000, 65_535] {
            v.extend_from_slice(&p.to_le_bytes());
        }
        v.extend_from_slice(rest);
        o.put(name, &v);
    };
    let long: Vec<u8> = seed[..400].iter().cycle().take(140_000).copied().collect();
    let linked = FrameSettings::new().block_size(BlockSize::Max64KB);
    let independent = linked.clone().block_mode(BlockMode::Independent);
    for (name, data, settings) in [
        ("linked-windows", &long[..], &linked),
        ("independent", &long[..], &independent),
        ("small", &seed[..700], &linked),
    ] {
        let (frame, index) = seekable(data, settings, 64 << 10);
        let mut rest = frame.clone();
        rest.extend_from_slice(&index.to_sidecar());
        arbitrary(
            &mut o,
            &format!("{name}-sidecar-fixed"),
            0xC0,
            frame.len(),
            &rest,
        );
        let mut file = frame.clone();
        file.extend_from_slice(&index.to_embedded());
        arbitrary(&mut o, &format!("{name}-embedded-file"), 0x80, 0, &file);
    }
    let (frame, index) = seekable(&seed[..500], &linked, 64 << 10);
    let payload = index.to_sidecar();
    arbitrary(&mut o, "index-only-unfixed", 0x80, 0, &payload);
    let mut rest = frame;
    rest.extend_from_slice(&payload[..payload.len() - 9]);
    rest.extend_from_slice(b"L4SI");
    arbitrary(
        &mut o,
        "truncated-index-fixed",
        0xC0,
        rest.len() - payload.len() + 5,
        &rest,
    );
    arbitrary(&mut o, "footer-magic-only", 0x80, 0, b"L4SI");

    // parallel_decode_diff: [threads | amplify, damage at u16, damage xor, cut, records of
    // (kind, len, data)].
    let mut o = Out::new(root, "parallel_decode_diff");
    let record = |v: &mut Vec<u8>, kind: u8, data: &[u8]| {
        v.push(kind);
        v.push(data.len() as u8);
        v.extend_from_slice(data);
    };
    let words = text(250, 40);
    for (name, mode, damage, cut, records) in [
        (
            "two-checksummed",
            0u8,
            0u8,
            0u8,
            vec![(8u8, &b"one\n"[..]), (8, &b"two\n"[..])],
        ),
        (
            "mixed-kinds",
            5,
            0,
            0,
            vec![
                (8, &words[..]),
                (4 | 8, &words[..200]),
                (1, &b"skip"[..]),
                (2, &words[..100]),
                (8 | 16, &b""[..]),
                (32, &b"z"[..]),
                (0, &words[..]),
            ],
        ),
        (
            "one-byte-frames",
            2,
            0,
            0,
            (0..40).map(|_| (8u8, &b"z"[..])).collect(),
        ),
        (
            "damaged-checksum",
            1,
            0x21,
            0,
            vec![(8, &words[..]), (8, &words[..50])],
        ),
        (
            "cut-in-second",
            3,
            0,
            20,
            vec![(8, &words[..]), (4 | 8, &words[..])],
        ),
        (
            "amplified-spanning-batches",
            0x80 | 1,
            0,
            0,
            vec![(8, &words[..]), (8, &b"ab"[..]), (4 | 8, &words[..90])],
        ),
        (
            "frame-then-garbage",
            0,
            0,
            0,
            vec![(8, &words[..]), (3, &[0u8; 16][..])],
        ),
    ] {
        let mut v = vec![mode];
        v.extend_from_slice(&1000u16.to_le_bytes());
        v.push(damage);
        v.push(cut);
        for (kind, data) in records {
            record(&mut v, kind, data);
        }
        o.put(name, &v);
    }

    println!("corpora written under {}", root.join("corpus").display());
}
