//! Tests of the LZ4F oracle wrappers (`lz4framed_backend_c::frame`).

mod common;

use common::{random, text};
use lz4framed_backend_c::frame::{compress_frame, decompress_frames, CFrameOptions};

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn empty_frame_golden_vectors() {
    // Independent blocks, no content size, no checksums: FLG 0x60 (version 01, block
    // independence), BD 0x40 (64 KiB), header checksum 0x82, then the EndMark. This is also
    // what LZ4F_compressFrame with default preferences writes for empty input (it switches a
    // single-block frame to independent blocks).
    let independent = CFrameOptions {
        linked: false,
        ..Default::default()
    };
    assert_eq!(
        hex(&compress_frame(&[], &independent)),
        "04 22 4D 18 60 40 82 00 00 00 00"
    );
    // The default options (linked blocks, as LZ4F's default preferences with
    // LZ4F_compressBegin): FLG 0x40, header checksum 0xC0.
    assert_eq!(
        hex(&compress_frame(&[], &CFrameOptions::default())),
        "04 22 4D 18 40 40 C0 00 00 00 00"
    );
    for opts in [independent, CFrameOptions::default()] {
        assert_eq!(
            decompress_frames(&compress_frame(&[], &opts), None),
            Ok(vec![])
        );
    }
}

#[test]
fn round_trip_every_option() {
    let dict = text(70_000, 42);
    let inputs = [
        vec![],
        b"x".to_vec(),
        text(1000, 1),
        text(300_000, 2),
        random(200_000, 3),
    ];
    for data in &inputs {
        for level in [-100, -1, 0, 1, 2, 9, 12] {
            for block_size_id in 4..=7 {
                for linked in [false, true] {
                    for flags in 0..8u32 {
                        for use_dict in [false, true] {
                            // Every flag combination at level 1; the others at a few.
                            if level != 1 && ![0, 7].contains(&flags) {
                                continue;
                            }
                            if level == 12 && data.len() > 1000 {
                                continue; // keep the slow level to small inputs
                            }
                            let opts = CFrameOptions {
                                level,
                                block_size_id,
                                linked,
                                content_checksum: flags & 1 != 0,
                                block_checksum: flags & 2 != 0,
                                content_size: flags & 4 != 0,
                                dict: use_dict.then_some(&dict[..]),
                                dict_id: if use_dict { 0xDEAD_BEEF } else { 0 },
                            };
                            let what = format!("{} bytes, {opts:?}", data.len());
                            let frame = compress_frame(data, &opts);
                            // Descriptor flags as requested.
                            let flg = frame[4];
                            assert_eq!(flg >> 6, 1, "{what}");
                            assert_eq!(flg & 0x20 != 0, !linked, "{what}");
                            assert_eq!(flg & 0x10 != 0, opts.block_checksum, "{what}");
                            assert_eq!(
                                flg & 0x08 != 0,
                                opts.content_size && !data.is_empty(),
                                "{what}"
                            );
                            assert_eq!(flg & 0x04 != 0, opts.content_checksum, "{what}");
                            assert_eq!(flg & 0x01 != 0, use_dict, "{what}");
                            assert_eq!(frame[5] >> 4, block_size_id, "{what}");
                            let dict_arg = use_dict.then_some(&dict[..]);
                            let out = decompress_frames(&frame, dict_arg)
                                .unwrap_or_else(|e| panic!("{what}: {e}"));
                            assert!(out == *data, "{what}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn dictionary_is_used_and_required() {
    let dict = text(64 * 1024, 5);
    // Data that repeats the dictionary compresses far better with it.
    let data = dict[1000..21000].to_vec();
    let opts = CFrameOptions {
        dict: Some(&dict),
        dict_id: 7,
        ..Default::default()
    };
    let with = compress_frame(&data, &opts);
    let without = compress_frame(&data, &CFrameOptions::default());
    assert!(
        with.len() * 4 < without.len(),
        "{} vs {}",
        with.len(),
        without.len()
    );
    assert_eq!(decompress_frames(&with, Some(&dict)), Ok(data.clone()));
    // Without the dictionary (or with a wrong one) decoding fails or yields other bytes; with a
    // content checksum it must fail.
    let opts = CFrameOptions {
        content_checksum: true,
        ..opts
    };
    let with = compress_frame(&data, &opts);
    assert!(decompress_frames(&with, None).is_err());
    assert!(decompress_frames(&with, Some(&text(64 * 1024, 6))).is_err());
}

#[test]
fn concatenated_and_skippable_frames() {
    let a = text(100_000, 1);
    let b = random(5000, 2);
    let mut all = compress_frame(&a, &CFrameOptions::default());
    // A skippable frame (magic 0x184D2A5C) with 6 bytes of payload.
    all.extend_from_slice(&[0x5C, 0x2A, 0x4D, 0x18, 6, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
    all.extend_from_slice(&compress_frame(
        &b,
        &CFrameOptions {
            level: 9,
            ..Default::default()
        },
    ));
    all.extend_from_slice(&compress_frame(&[], &CFrameOptions::default()));
    let mut expect = a.clone();
    expect.extend_from_slice(&b);
    assert_eq!(decompress_frames(&all, None), Ok(expect));
}

#[test]
fn errors() {
    // No input at all: no frame, an empty output (as the lz4 tool decodes an empty file).
    assert_eq!(decompress_frames(&[], None), Ok(Vec::new()));
    // Bad magic.
    let e = decompress_frames(b"not an lz4 frame", None).unwrap_err();
    assert!(e.contains("LZ4F_decompress"), "{e}");
    // Truncated anywhere inside the frame.
    let data = text(200_000, 9);
    let frame = compress_frame(
        &data,
        &CFrameOptions {
            content_checksum: true,
            ..Default::default()
        },
    );
    for cut in [
        1,
        4,
        6,
        7,
        10,
        frame.len() / 2,
        frame.len() - 4,
        frame.len() - 1,
    ] {
        assert!(decompress_frames(&frame[..cut], None).is_err(), "cut {cut}");
    }
    // A second frame that is truncated.
    let mut two = frame.clone();
    two.extend_from_slice(&frame[..20]);
    assert!(decompress_frames(&two, None).is_err());
    // Corrupt content checksum.
    let mut bad = frame.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(decompress_frames(&bad, None).is_err());
    // Header checksum.
    let mut bad = frame.clone();
    bad[6] ^= 1;
    assert!(decompress_frames(&bad, None).is_err());
}
