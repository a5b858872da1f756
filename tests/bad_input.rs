//! Malformed input: truncation at every offset, bit flips, wrong checksums, reserved bits,
//! oversize blocks. Each gives its specific error with the right offset — never a panic.

mod common;

use std::io::Read;

use common::*;
use lz4framed::{BlockMode, BlockSize, Decompressor, Error, FrameDecoder, FrameSettings};

fn small_multiblock_frame(checksums: bool) -> (Vec<u8>, Vec<u8>) {
    let data = mixed(150_000, 11);
    let s = FrameSettings::new()
        .block_size(BlockSize::Max64KB)
        .content_checksum(checksums)
        .block_checksum(checksums);
    (lz4framed::compress_with(&data, &s).unwrap(), data)
}

#[test]
fn truncation_at_every_offset_is_reported_with_the_offset() {
    let (frame, _) = small_multiblock_frame(true);
    // Nothing at all is an empty stream; any part of a frame is truncated.
    assert_eq!(lz4framed::decompress(&frame[..0]).unwrap(), b"");
    for cut in 1..frame.len() {
        match lz4framed::decompress(&frame[..cut]) {
            Err(Error::Truncated { offset, .. }) => assert_eq!(offset, cut as u64, "cut {cut}"),
            other => panic!("cut {cut}: expected Truncated, got {other:?}"),
        }
    }
}

#[test]
fn truncated_stream_through_read_is_unexpected_eof() {
    let (frame, data) = small_multiblock_frame(false);
    for cut in [1, 5, 10, 100, frame.len() / 2, frame.len() - 1] {
        let mut r = FrameDecoder::new(&frame[..cut]);
        let mut out = Vec::new();
        let e = r.read_to_end(&mut out).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "cut {cut}");
        assert!(data.starts_with(&out));
    }
}

#[test]
fn every_bit_flip_is_detected_with_checksums_and_never_panics_without() {
    for checksums in [true, false] {
        let (frame, data) = small_multiblock_frame(checksums);
        // Every bit of the header and the first block's start, and a stride through the rest.
        let positions: Vec<usize> = (0..64).chain((64..frame.len()).step_by(97)).collect();
        for &pos in &positions {
            for bit in 0..8 {
                let mut bad = frame.clone();
                bad[pos] ^= 1 << bit;
                let r = lz4framed::decompress(&bad);
                if checksums {
                    assert!(r.is_err(), "flip at byte {pos} bit {bit} went unnoticed");
                } else if let Ok(out) = &r {
                    // Without checksums a flip in literal bytes can decode to different data,
                    // but never to more than the declared content size.
                    assert_eq!(out.len(), data.len());
                }
                // The streaming decoder must behave the same and not panic either.
                let mut d = Decompressor::new();
                let mut out = Vec::new();
                let streamed = bad
                    .chunks(1000)
                    .try_for_each(|c| d.decompress(c, &mut out).map(drop))
                    .and_then(|_| d.finish());
                assert_eq!(streamed.is_ok(), r.is_ok(), "byte {pos} bit {bit}");
            }
        }
    }
}

fn frame_with(settings: &FrameSettings, data: &[u8]) -> Vec<u8> {
    lz4framed::compress_with(data, settings).unwrap()
}

#[test]
fn specific_errors_for_specific_damage() {
    let data = text_like(100_000, 12);
    let s = FrameSettings::new()
        .content_checksum(true)
        .block_checksum(true)
        .content_size(None);
    let good = frame_with(&s, &data);
    assert_eq!(lz4framed::decompress(&good).unwrap(), data);

    // Bad magic.
    let mut bad = good.clone();
    bad[0] = 0x05;
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::BadMagic {
            offset: 0,
            found: 0x184D_2205
        })
    ));
    // Reserved bit in FLG.
    let mut bad = good.clone();
    bad[4] |= 0x02;
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::ReservedBitSet { offset: 4 })
    ));
    // Version 2.
    let mut bad = good.clone();
    bad[4] = (bad[4] & 0x3F) | 0x80;
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::UnsupportedVersion {
            offset: 4,
            version: 2
        })
    ));
    // Reserved bit in BD.
    let mut bad = good.clone();
    bad[5] |= 0x01;
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::ReservedBitSet { offset: 5 })
    ));
    // Block size ID 3 (with a correct header checksum, so the ID itself is what fails).
    let mut bad = good.clone();
    bad[5] = 0x30;
    bad[6] = lz4framed::frame::header_checksum(&bad[4..6]);
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::InvalidBlockSizeId { offset: 5, id: 3 })
    ));
    // Header checksum.
    let mut bad = good.clone();
    bad[6] ^= 0xFF;
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::HeaderChecksum { offset: 6, .. })
    ));
    // A block larger than the maximum block size.
    let mut bad = good.clone();
    bad[7..11].copy_from_slice(&(65_537u32).to_le_bytes());
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::BlockTooLarge {
            offset: 7,
            frame: 1,
            size: 65_537,
            max: 65_536
        })
    ));
    // Block checksum: flip a byte inside the first block.
    let mut bad = good.clone();
    bad[20] ^= 0x40;
    assert!(matches!(
        lz4framed::decompress(&bad),
        Err(Error::BlockChecksum {
            offset: 7,
            frame: 1
        })
    ));
    // Content checksum: the last four bytes.
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 1] ^= 0x01;
    match lz4framed::decompress(&bad) {
        Err(Error::ContentChecksum {
            offset, frame: 1, ..
        }) => assert_eq!(offset, n as u64 - 4),
        other => panic!("{other:?}"),
    }
    // The same with checks off decodes.
    let d = Decompressor::new().verify_checksums(false);
    assert_eq!(lz4framed::decompress_with(d, &bad).unwrap(), data);
}

#[test]
fn corrupt_block_data_and_content_size_mismatch() {
    let data = text_like(50_000, 13);
    // Without block checksums, damage in the block reaches the block decoder.
    let s = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .content_size(None);
    let good = frame_with(&s, &data);
    let mut bad = good.clone();
    // First token byte of the first block: claim 15+ literals running off the end.
    let block_len = u32::from_le_bytes(bad[7..11].try_into().unwrap()) as usize;
    for b in &mut bad[11..11 + block_len] {
        *b = 0xFF;
    }
    match lz4framed::decompress(&bad) {
        Err(Error::CorruptBlock {
            offset: 7,
            frame: 1,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // Declared content size that does not match.
    let s = FrameSettings::new().content_size(Some(data.len() as u64));
    let mut frame = frame_with(&s, &data);
    frame[6..14].copy_from_slice(&(data.len() as u64 + 1).to_le_bytes());
    frame[14] = lz4framed::frame::header_checksum(&frame[4..14]);
    assert!(matches!(
        lz4framed::decompress(&frame),
        Err(Error::ContentSizeMismatch { frame: 1, .. })
    ));
    frame[6..14].copy_from_slice(&10u64.to_le_bytes());
    frame[14] = lz4framed::frame::header_checksum(&frame[4..14]);
    assert!(matches!(
        lz4framed::decompress(&frame),
        Err(Error::ContentSizeMismatch {
            frame: 1,
            declared: 10,
            ..
        })
    ));
}

#[test]
fn dictionary_missing_or_mismatched() {
    let dict = lz4framed::Dictionary::new(b"a shared dictionary of words").with_id(42);
    let s = FrameSettings::new().dictionary(dict.clone());
    let frame = frame_with(&s, b"words of a shared dictionary");
    assert!(matches!(
        lz4framed::decompress(&frame),
        Err(Error::DictionaryMissing {
            frame: 1,
            dict_id: 42
        })
    ));
    let other = lz4framed::Dictionary::new(b"another").with_id(43);
    assert!(matches!(
        lz4framed::decompress_with(Decompressor::new().with_dictionary(other), &frame),
        Err(Error::DictionaryMismatch {
            frame: 1,
            expected: 42,
            found: 43
        })
    ));
    let back = lz4framed::decompress_with(Decompressor::new().with_dictionary(dict), &frame);
    assert_eq!(back.unwrap(), b"words of a shared dictionary");
}

#[test]
fn garbage_and_hostile_headers_never_panic_or_overallocate() {
    // A header declaring a huge content size over a tiny body: no giant allocation, an error.
    let mut f = vec![0x04, 0x22, 0x4D, 0x18, 0x48, 0x40];
    f.extend_from_slice(&u64::MAX.to_le_bytes());
    f.push(lz4framed::frame::header_checksum(&f[4..14]));
    f.extend_from_slice(&[0, 0, 0, 0]);
    assert!(matches!(
        lz4framed::decompress(&f),
        Err(Error::ContentSizeMismatch { .. })
    ));
    // A skippable frame claiming 4 GiB over a few bytes: truncated.
    let mut f = 0x184D_2A50u32.to_le_bytes().to_vec();
    f.extend_from_slice(&u32::MAX.to_le_bytes());
    f.extend_from_slice(b"tiny");
    assert!(matches!(
        lz4framed::decompress(&f),
        Err(Error::Truncated { offset: 12, .. })
    ));
    for seed in 0..300 {
        let junk = random_bytes(seed as usize % 200, seed);
        let _ = lz4framed::decompress(&junk);
        let mut with_magic = vec![0x04, 0x22, 0x4D, 0x18];
        with_magic.extend_from_slice(&junk);
        let _ = lz4framed::decompress(&with_magic);
        let d = Decompressor::new().verify_checksums(false);
        let _ = lz4framed::decompress_with(d, &with_magic);
    }
    // No frame at all is an empty stream, as the lz4 tool and LZ4F decode it; a part of a
    // magic number is not.
    assert_eq!(lz4framed::decompress(b"").unwrap(), b"");
    let skippable = [0x50, 0x2A, 0x4D, 0x18, 1, 0, 0, 0, 9];
    assert_eq!(lz4framed::decompress(&skippable).unwrap(), b"");
    assert!(matches!(
        lz4framed::decompress(b"\x04\x22"),
        Err(Error::Truncated { offset: 2, .. })
    ));
}

#[test]
fn a_failed_decompressor_stays_failed() {
    let mut d = Decompressor::new();
    let mut out = Vec::new();
    assert!(d.decompress(b"junkjunk", &mut out).is_err());
    assert!(matches!(
        d.decompress(b"more", &mut out),
        Err(Error::InvalidState(_))
    ));
}

#[test]
fn a_huge_skippable_frame_is_skipped_in_pieces_not_buffered() {
    // A skippable frame claiming 4 GiB, followed by 1 MiB of its "content" and then the end:
    // the reader must consume it piecewise (bounded memory) and report the truncation.
    let mut f = 0x184D_2A50u32.to_le_bytes().to_vec();
    f.extend_from_slice(&u32::MAX.to_le_bytes());
    f.extend(std::iter::repeat_n(0xAAu8, 1 << 20));
    let mut r = FrameDecoder::new(&f[..]);
    let mut out = Vec::new();
    let e = r.read_to_end(&mut out).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
    assert!(r.buffered_input().len() <= 64 * 1024);
    assert_eq!(r.decompressor().compressed_position(), f.len() as u64);
}
