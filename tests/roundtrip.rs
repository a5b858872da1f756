//! Round trips over every settings combination and every backend, across backends, through
//! every API (one-shot, FrameEncoder/FrameDecoder, Compressor/Decompressor), checked against the
//! original bytes and the C library's frame decoder.

mod common;

use std::io::{BufRead, Read, Write};

use common::*;
use lz4framed::{
    Backend, BlockMode, BlockSize, Compressor, Decompressor, Dictionary, FrameDecoder,
    FrameEncoder, FrameSettings,
};
use lz4framed_backend_c::frame::decompress_frames as c_decompress;

fn all_settings() -> Vec<(FrameSettings, Option<Dictionary>)> {
    let dict_bytes = text_like(100_000, 99);
    let mut v = Vec::new();
    for bs in BlockSize::ALL {
        for mode in [BlockMode::Linked, BlockMode::Independent] {
            for flags in 0..16u32 {
                let mut s = FrameSettings::new()
                    .block_size(bs)
                    .block_mode(mode)
                    .content_checksum(flags & 1 != 0)
                    .block_checksum(flags & 2 != 0);
                if flags & 4 != 0 {
                    s = s.content_size(None);
                }
                let dict = match flags >> 3 {
                    1 if bs == BlockSize::Max64KB || flags & 1 != 0 => {
                        Some(Dictionary::new(&dict_bytes).with_id(0xC0FFEE))
                    }
                    1 => Some(Dictionary::new(&dict_bytes)),
                    _ => None,
                };
                if let Some(d) = &dict {
                    s = s.dictionary(d.clone());
                }
                v.push((s, dict));
            }
        }
    }
    v
}

fn decode_with(backend: Backend, dict: &Option<Dictionary>, frame: &[u8]) -> Vec<u8> {
    let mut d = Decompressor::with_backend(backend).unwrap();
    if let Some(dict) = dict {
        d = d.with_dictionary(dict.clone());
    }
    lz4framed::decompress_with(d, frame).unwrap()
}

#[test]
fn every_settings_combination_on_every_backend_and_across_backends() {
    let data = mixed(300_000, 1);
    let backends = available_backends();
    assert!(backends.contains(&Backend::C) && backends.contains(&Backend::Rust));
    for (settings, dict) in all_settings() {
        for &enc in &backends {
            let s = settings.clone().backend(enc);
            let frame = lz4framed::compress_with(&data, &s).unwrap();
            let info = lz4framed::frame_info(&frame).unwrap();
            assert_eq!(info.block_size, Some(s.get_block_size()));
            assert_eq!(info.block_mode, s.get_block_mode());
            assert_eq!(info.content_checksum, s.get_content_checksum());
            assert_eq!(info.block_checksum, s.get_block_checksum());
            for &dec in &backends {
                assert_eq!(
                    decode_with(dec, &dict, &frame),
                    data,
                    "{enc} -> {dec} {settings:?}"
                );
            }
            let c = c_decompress(&frame, dict.as_ref().map(|d| d.bytes())).unwrap();
            assert_eq!(c, data, "C frame decoder on {enc} output, {settings:?}");
        }
    }
}

#[test]
fn every_level_of_every_backend_round_trips_and_decodes_with_c() {
    let data = mixed(200_000, 2);
    for b in available_backends() {
        for level in levels(b) {
            for mode in [BlockMode::Linked, BlockMode::Independent] {
                let s = FrameSettings::new()
                    .backend(b)
                    .level(level)
                    .block_mode(mode);
                let frame = lz4framed::compress_with(&data, &s).unwrap();
                assert_eq!(lz4framed::decompress(&frame).unwrap(), data, "{b} {level}");
                assert_eq!(c_decompress(&frame, None).unwrap(), data, "{b} {level}");
            }
        }
    }
}

#[test]
fn unsupported_levels_are_refused_not_substituted() {
    let s = FrameSettings::new().backend(Backend::Rust).level(9);
    assert!(matches!(
        lz4framed::compress_with(b"x", &s),
        Err(lz4framed::Error::UnsupportedLevel { level: 9, .. })
    ));
    let s = FrameSettings::new().level(13);
    assert!(matches!(
        lz4framed::compress_with(b"x", &s),
        Err(lz4framed::Error::InvalidSettings(_))
    ));
}

#[test]
fn auto_picks_a_codec_that_supports_the_level() {
    for level in [-20, 1, 3, 12] {
        let s = FrameSettings::new().level(level);
        let data = text_like(100_000, 3);
        let frame = lz4framed::compress_with(&data, &s).unwrap();
        assert_eq!(lz4framed::decompress(&frame).unwrap(), data);
    }
}

#[test]
fn small_and_edge_sizes() {
    for n in (0..40).chain([65_535, 65_536, 65_537, 131_072, 262_145]) {
        let data = text_like(n, n as u64);
        for mode in [BlockMode::Linked, BlockMode::Independent] {
            let s = FrameSettings::new().block_mode(mode).content_checksum(true);
            let frame = lz4framed::compress_with(&data, &s).unwrap();
            assert_eq!(lz4framed::decompress(&frame).unwrap(), data, "n={n}");
            match c_decompress(&frame, None) {
                Ok(c) => assert!(c == data, "C decodes n={n} {mode:?} differently"),
                Err(e) => panic!(
                    "C refuses n={n} {mode:?}: {e}; frame head {:02X?}",
                    &frame[..frame.len().min(40)]
                ),
            }
        }
    }
}

#[test]
fn incompressible_data_is_stored_raw_and_round_trips() {
    let data = random_bytes(200_000, 4);
    let frame = lz4framed::compress(&data);
    assert!(frame.len() < data.len() + 64, "raw blocks add only headers");
    assert_eq!(lz4framed::decompress(&frame).unwrap(), data);
}

#[test]
fn streaming_encoder_and_decoder_in_odd_chunks() {
    let data = mixed(700_000, 5);
    for b in available_backends() {
        for (settings, dict) in all_settings().into_iter().step_by(7) {
            let s = settings.backend(b);
            let mut enc = FrameEncoder::with_settings(Vec::new(), &s).unwrap();
            for (i, piece) in data.chunks(30_011).enumerate() {
                enc.write_all(piece).unwrap();
                if i == 3 {
                    enc.flush().unwrap();
                }
            }
            let frame = enc.finish().unwrap();
            let c = c_decompress(&frame, dict.as_ref().map(|d| d.bytes())).unwrap();
            assert_eq!(c, data);

            let mut d = Decompressor::with_backend(b).unwrap();
            if let Some(dict) = &dict {
                d = d.with_dictionary(dict.clone());
            }
            let mut dec = FrameDecoder::with_decompressor(&frame[..], d.clone());
            let mut out = Vec::new();
            let mut buf = vec![0u8; 7777];
            loop {
                let n = dec.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, data);

            // Push-style, fed in small uneven pieces.
            let mut out = Vec::new();
            let mut pos = 0;
            let mut step = 1;
            while pos < frame.len() {
                let end = (pos + step).min(frame.len());
                let st = d.decompress(&frame[pos..end], &mut out).unwrap();
                assert_eq!(st.consumed, end - pos);
                pos = end;
                step = step * 3 % 9973 + 1;
            }
            d.finish().unwrap();
            assert_eq!(out, data);
        }
    }
}

#[test]
fn decompressor_output_may_be_drained_between_calls() {
    // The caller empties its buffer after every call: linked history must survive that.
    let data = text_like(500_000, 6);
    let frame = lz4framed::compress(&data);
    let mut d = Decompressor::new();
    let mut all = Vec::new();
    let mut out = Vec::new();
    for piece in frame.chunks(1000) {
        d.decompress(piece, &mut out).unwrap();
        all.append(&mut out);
    }
    assert!(d.is_complete());
    assert_eq!(all, data);
}

#[test]
fn compressor_push_api_matches_one_shot_output() {
    let data = mixed(300_000, 7);
    let s = FrameSettings::new()
        .content_checksum(true)
        .content_size(Some(data.len() as u64));
    let mut c = Compressor::with_settings(&s).unwrap();
    let mut frame = Vec::new();
    c.begin(&mut frame).unwrap();
    for piece in data.chunks(65_536) {
        c.update(piece, &mut frame).unwrap();
    }
    c.end(&mut frame).unwrap();
    assert_eq!(
        lz4framed::frame_info(&frame).unwrap().content_size,
        Some(data.len() as u64)
    );
    assert_eq!(lz4framed::decompress(&frame).unwrap(), data);
    assert_eq!(c_decompress(&frame, None).unwrap(), data);
    // A declared size that is not met is an error.
    let mut c = Compressor::with_settings(&s).unwrap();
    let mut frame = Vec::new();
    c.begin(&mut frame).unwrap();
    c.update(&data[..10], &mut frame).unwrap();
    assert!(matches!(
        c.end(&mut frame),
        Err(lz4framed::Error::InputSizeMismatch {
            declared: 300_000,
            given: 10
        })
    ));
}

#[test]
fn concatenated_and_skippable_frames_decode_in_order() {
    let a = text_like(100_000, 8);
    let b = random_bytes(5_000, 9);
    let mut stream = Vec::new();
    stream.extend_from_slice(&0x184D_2A53u32.to_le_bytes());
    stream.extend_from_slice(&5u32.to_le_bytes());
    stream.extend_from_slice(b"skip!");
    stream.extend(lz4framed::compress(&a));
    stream.extend(lz4framed::compress_with(&b, &FrameSettings::lz4_cli()).unwrap());
    stream.extend_from_slice(&0x184D_2A5Fu32.to_le_bytes());
    stream.extend_from_slice(&0u32.to_le_bytes());
    stream.extend(lz4framed::compress(b""));
    let want: Vec<u8> = a.iter().chain(&b).copied().collect();
    assert_eq!(lz4framed::decompress(&stream).unwrap(), want);
    assert_eq!(c_decompress(&stream, None).unwrap(), want);
    let mut r = FrameDecoder::new(&stream[..]);
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert_eq!(out, want);
    // BufRead works too.
    let mut r = FrameDecoder::new(&stream[..]);
    let first = r.fill_buf().unwrap().len();
    assert!(first > 0);
    r.consume(first);
    assert_eq!(r.decompressor().frame_number(), 1);
}

/// `FrameDecoder::read` decodes a block straight into the caller's buffer when it fits, and
/// through its own buffer otherwise: every buffer size gives the same bytes over a stream of
/// linked and independent frames of several block sizes, a large skippable frame and a legacy
/// frame, whatever the reader hands out per call.
#[test]
fn frame_decoder_reads_with_any_buffer_size() {
    let data = text_like(3 << 20, 12);
    let mut stream = Vec::new();
    let mut want = Vec::new();
    for (i, (size, mode)) in [
        (BlockSize::Max64KB, BlockMode::Linked),
        (BlockSize::Max64KB, BlockMode::Independent),
        (BlockSize::Max1MB, BlockMode::Linked),
        (BlockSize::Max4MB, BlockMode::Independent),
    ]
    .into_iter()
    .enumerate()
    {
        let part = &data[i * 1000..(i + 1) * 700_000];
        let s = FrameSettings::new()
            .block_size(size)
            .block_mode(mode)
            .content_checksum(i % 2 == 0)
            .block_checksum(i == 1);
        stream.extend(lz4framed::compress_with(part, &s).unwrap());
        want.extend_from_slice(part);
        if i == 1 {
            // A skippable frame larger than any read.
            stream.extend_from_slice(&0x184D_2A51u32.to_le_bytes());
            stream.extend_from_slice(&(300_000u32).to_le_bytes());
            stream.extend(std::iter::repeat_n(0xEEu8, 300_000));
        }
    }
    // A legacy frame (lz4 -l): size-prefixed independent blocks.
    let mut c = Backend::C.codec().unwrap().compressor(1).unwrap();
    let mut block = vec![0u8; lz4framed::codec::compress_bound(200_000)];
    let n = c.compress(&data[..200_000], &[], &mut block).unwrap();
    stream.extend_from_slice(&0x184C_2102u32.to_le_bytes());
    stream.extend_from_slice(&(n as u32).to_le_bytes());
    stream.extend_from_slice(&block[..n]);
    want.extend_from_slice(&data[..200_000]);
    assert!(lz4framed::decompress(&stream).unwrap() == want);
    for buf_len in [
        1usize,
        1000,
        65_535,
        65_536,
        65_537,
        1 << 20,
        4 << 20,
        9 << 20,
    ] {
        for step in [usize::MAX, 7_000] {
            let src = Trickle {
                data: &stream,
                step,
            };
            let mut r = FrameDecoder::new(src);
            let mut buf = vec![0u8; buf_len];
            let mut out = Vec::new();
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert!(out == want, "buffer {buf_len}, step {step}");
        }
    }
}

#[test]
fn frame_info_reports_the_header() {
    let s = FrameSettings::lz4_cli().block_checksum(true);
    let frame = lz4framed::compress_with(b"abc", &s).unwrap();
    let info = lz4framed::frame_info(&frame).unwrap();
    assert_eq!(info.block_size, Some(BlockSize::Max4MB));
    assert_eq!(info.block_mode, BlockMode::Independent);
    assert!(info.content_checksum && info.block_checksum);
    assert_eq!(info.content_size, Some(3));
    assert_eq!(info.dict_id, None);
    assert_eq!(info.header_len, 15);
}
