//! Parallel compression and decompression: output equals serial output, for every block mode
//! and several block sizes and thread counts.

use std::io::Cursor;

mod common;

use lz4framed::index::SeekIndex;
use lz4framed::index::{build_index, IndexOptions};
use lz4framed::{BlockMode, BlockSize, FrameSettings};

fn sample(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if x % 13 == 0 {
            out.extend((0..(x % 300)).map(|i| (x >> (i % 56)) as u8));
        } else {
            out.extend_from_slice(format!("row {} value {};", x % 1000, (x >> 20) % 77).as_bytes());
        }
    }
    out.truncate(n);
    out
}

#[test]
fn parallel_compression_equals_serial() {
    let data = sample(9 << 20, 1);
    for mode in [BlockMode::Independent, BlockMode::Linked] {
        for size in [BlockSize::Max64KB, BlockSize::Max1MB, BlockSize::Max4MB] {
            let s = FrameSettings::new()
                .block_mode(mode)
                .block_size(size)
                .content_checksum(true)
                .block_checksum(size == BlockSize::Max1MB);
            let one = lz4framed::parallel::compress(&data, &s, 1).unwrap();
            for threads in [2, 3] {
                let n = lz4framed::parallel::compress(&data, &s, threads).unwrap();
                assert!(
                    n == one,
                    "{mode:?} {size:?}: {threads} threads differ from 1"
                );
            }
            if mode == BlockMode::Independent {
                assert!(one == lz4framed::compress_with(&data, &s).unwrap());
            }
            assert!(lz4framed::decompress(&one).unwrap() == data);
        }
    }
}

/// Streamed compressions running at once on several threads share the input buffers kept
/// between calls (`KEPT_INPUT_BUFFERS`): each call's frame still equals in-memory compression
/// of its own input (which borrows the input, no buffer), calls of different block modes and
/// sizes interleaved, and after many calls no more than the limit is kept.
#[test]
fn streamed_calls_at_once_keep_their_own_input() {
    let settings = [
        FrameSettings::new().content_checksum(true),
        FrameSettings::new()
            .block_mode(BlockMode::Linked)
            .block_size(BlockSize::Max1MB),
        FrameSettings::new().block_size(BlockSize::Max64KB),
    ];
    std::thread::scope(|s| {
        for t in 0..3u64 {
            let settings = &settings;
            s.spawn(move || {
                for round in 0..4u64 {
                    // Sizes that end mid-chunk, so reused buffers hold stale bytes past the input.
                    let data = sample(
                        (9 << 20) - (t as usize * 333_333) - round as usize,
                        t * 7 + round,
                    );
                    let st = &settings[((t + round) % 3) as usize];
                    let expected = lz4framed::parallel::compress(&data, st, 2).unwrap();
                    let (frame, summary) = lz4framed::parallel::compress_stream(
                        &data[..],
                        Vec::new(),
                        st,
                        2,
                        Some(data.len() as u64),
                        None,
                    )
                    .unwrap();
                    assert_eq!(summary.bytes_in, data.len() as u64);
                    assert!(
                        frame == expected,
                        "thread {t} round {round}: streamed frame differs"
                    );
                    assert!(lz4framed::decompress(&frame).unwrap() == data);
                }
            });
        }
    });
    let kept = lz4framed::parallel::release_buffers();
    assert!(kept <= lz4framed::parallel::KEPT_INPUT_BUFFERS * ((4 << 20) + (64 << 10)));
}

/// In-memory input (chunks borrowed from the slice) and streamed input (chunks read) give the
/// same bytes at any thread count, linked frames with a dictionary included: their first chunk's
/// history is the dictionary, the later ones' the input before them. The C library decodes the
/// result with the dictionary.
#[test]
fn in_memory_and_streamed_compression_agree_with_a_dictionary() {
    let data = sample(9 << 20, 4);
    let dict = lz4framed::Dictionary::new(&sample(100_000, 5));
    for mode in [BlockMode::Independent, BlockMode::Linked] {
        let s = FrameSettings::new()
            .block_mode(mode)
            .block_size(BlockSize::Max1MB)
            .content_checksum(true)
            .dictionary(dict.clone());
        let one = lz4framed::parallel::compress(&data, &s, 1).unwrap();
        for threads in [1, 2] {
            let (streamed, summary) = lz4framed::parallel::compress_stream(
                Cursor::new(&data),
                Vec::new(),
                &s,
                threads,
                Some(data.len() as u64),
                None,
            )
            .unwrap();
            assert!(streamed == one, "{mode:?}: streamed, {threads} threads");
            assert_eq!(summary.bytes_out, one.len() as u64);
            let two = lz4framed::parallel::compress(&data, &s, threads).unwrap();
            assert!(two == one, "{mode:?}: in memory, {threads} threads");
        }
        let back = lz4framed_backend_c::frame::decompress_frames(&one, Some(dict.bytes())).unwrap();
        assert!(back == data, "{mode:?}: LZ4F decodes to the input");
    }
}

#[test]
fn parallel_compression_edge_sizes() {
    let s = FrameSettings::new().content_checksum(true);
    for n in [0usize, 1, 100, 65_536, (4 << 20) + 1] {
        let data = sample(n, n as u64 + 2);
        let c = lz4framed::parallel::compress(&data, &s, 2).unwrap();
        assert_eq!(lz4framed::decompress(&c).unwrap(), data);
        assert_eq!(
            lz4framed::frame_info(&c).unwrap().content_size,
            Some(n as u64)
        );
    }
}

#[test]
fn parallel_decompression_equals_serial() {
    let data = sample(10 << 20, 2);
    for mode in [BlockMode::Independent, BlockMode::Linked] {
        for size in [BlockSize::Max64KB, BlockSize::Max4MB] {
            let s = FrameSettings::new()
                .block_mode(mode)
                .block_size(size)
                .content_checksum(true);
            let file = lz4framed::compress_with(&data, &s).unwrap();
            let opts = IndexOptions::default().restart_interval(1 << 20);
            let index = build_index(&file[..], &opts).unwrap();
            let serial = lz4framed::decompress(&file).unwrap();
            for threads in [1, 2, 3] {
                let out = lz4framed::parallel::decompress(&file, &index, threads).unwrap();
                assert!(out == serial, "{mode:?} {size:?} {threads} threads");
                let (w, n) = lz4framed::parallel::decompress_to(
                    &file[..],
                    &index,
                    threads,
                    None,
                    Vec::new(),
                )
                .unwrap();
                assert_eq!(n, data.len() as u64);
                assert!(w == serial);
            }
        }
    }
}

#[test]
fn parallel_round_trip_with_index_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(7 << 20, 3);
    for mode in [BlockMode::Independent, BlockMode::Linked] {
        let s = FrameSettings::new()
            .block_mode(mode)
            .block_size(BlockSize::Max256KB);
        let opts = IndexOptions::default().restart_interval(512 << 10);
        let (mut file, summary) = lz4framed::parallel::compress_stream(
            &data[..],
            Vec::new(),
            &s,
            2,
            Some(data.len() as u64),
            Some(&opts),
        )
        .unwrap();
        assert_eq!(summary.bytes_in, data.len() as u64);
        assert_eq!(summary.bytes_out, file.len() as u64);
        let index = summary.index.unwrap();
        // The recorded index equals the one a later pass builds for independent blocks.
        if mode == BlockMode::Independent {
            assert_eq!(index, build_index(&file[..], &opts).unwrap());
        }
        file.extend_from_slice(&index.to_embedded());
        let path = dir.path().join("p.lz4");
        std::fs::write(&path, &file).unwrap();
        let f = std::fs::File::open(&path).unwrap();
        let index = SeekIndex::read_embedded(&mut &f).unwrap();
        let (out, n) = lz4framed::parallel::decompress_to(&f, &index, 2, None, Vec::new()).unwrap();
        assert_eq!(n, data.len() as u64);
        assert!(out == data);
        assert!(lz4framed::parallel::decompress(&file, &index, 2).unwrap() == data);
        let mut r = lz4framed::index::SeekableReader::new(Cursor::new(&file)).unwrap();
        let mut buf = vec![0u8; 5000];
        std::io::Seek::seek(&mut r, std::io::SeekFrom::Start(5_000_000)).unwrap();
        std::io::Read::read_exact(&mut r, &mut buf).unwrap();
        assert_eq!(buf, &data[5_000_000..5_005_000]);
    }
}

#[test]
fn corrupt_data_is_an_error_not_a_panic() {
    let data = sample(3 << 20, 4);
    let s = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .block_size(BlockSize::Max64KB);
    let mut file = lz4framed::compress_with(&data, &s).unwrap();
    let index = build_index(&file[..], &IndexOptions::default()).unwrap();
    // Damage a block in the middle (keep the fingerprinted head and tail intact).
    let mid = file.len() / 2;
    for b in &mut file[mid..mid + 64] {
        *b ^= 0xA5;
    }
    assert!(lz4framed::parallel::decompress(&file, &index, 2).is_err());
    assert!(lz4framed::parallel::decompress_to(&file[..], &index, 2, None, Vec::new()).is_err());
}

fn stream_decode(
    file: &[u8],
    step: usize,
    d: lz4framed::Decompressor,
    threads: usize,
) -> Result<(Vec<u8>, lz4framed::parallel::DecompressSummary), lz4framed::Error> {
    lz4framed::parallel::decompress_stream(
        common::Trickle { data: file, step },
        Vec::new(),
        d,
        threads,
    )
}

/// Streams without an index: independent frames of every block size (with and without block
/// and content checksums and content size), a linked frame, a skippable frame and a legacy
/// frame, concatenated — decoded on 1..3 threads, fed whole or in pieces, equal the data, as
/// single-threaded decoding gives it.
#[test]
fn stream_decompression_without_an_index_equals_serial() {
    let data = sample(6 << 20, 31);
    let mut file = Vec::new();
    let mut expected = Vec::new();
    let mut frames = 0;
    for (i, size) in [
        BlockSize::Max64KB,
        BlockSize::Max256KB,
        BlockSize::Max1MB,
        BlockSize::Max4MB,
    ]
    .into_iter()
    .enumerate()
    {
        let part = &data[..(1 << 20) * (i + 2) + i * 77];
        let s = FrameSettings::new()
            .block_mode(BlockMode::Independent)
            .block_size(size)
            .content_checksum(i % 2 == 0)
            .block_checksum(i == 1)
            .content_size(if i == 2 {
                None
            } else {
                Some(part.len() as u64)
            });
        file.extend(lz4framed::compress_with(part, &s).unwrap());
        expected.extend_from_slice(part);
        frames += 1;
    }
    file.extend_from_slice(&[0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    let linked = FrameSettings::new().content_checksum(true);
    file.extend(lz4framed::compress_with(&data[..3_000_000], &linked).unwrap());
    expected.extend_from_slice(&data[..3_000_000]);
    // An independent frame after a linked one (its size check must not count the linked
    // frame's output), with an empty checksummed frame between them.
    let indep = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .block_size(BlockSize::Max64KB)
        .content_checksum(true);
    file.extend(lz4framed::compress_with(b"", &indep).unwrap());
    file.extend(lz4framed::compress_with(&data[..500_000], &indep).unwrap());
    expected.extend_from_slice(&data[..500_000]);
    frames += 2;
    file.extend(common::legacy_frame(&data[1000..(9 << 20).min(data.len())]));
    expected.extend_from_slice(&data[1000..]);
    frames += 2;
    assert!(lz4framed::decompress(&file).unwrap() == expected);
    for threads in [1, 2, 3] {
        for step in [usize::MAX, 100_003] {
            let (out, summary) =
                stream_decode(&file, step, lz4framed::Decompressor::new(), threads).unwrap();
            assert!(out == expected, "{threads} threads, step {step}");
            assert_eq!(summary.bytes_in, file.len() as u64);
            assert_eq!(summary.bytes_out, expected.len() as u64);
            assert_eq!(summary.frames, frames);
        }
    }
    // A frame with a dictionary, on each backend.
    let dict = lz4framed::Dictionary::new(&data[..100_000]);
    let s = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .block_size(BlockSize::Max64KB)
        .dictionary(dict.clone());
    let f = lz4framed::compress_with(&data[..2_000_000], &s).unwrap();
    for b in common::available_backends() {
        let d = lz4framed::Decompressor::with_backend(b)
            .unwrap()
            .with_dictionary(dict.clone());
        let (out, _) = stream_decode(&f, usize::MAX, d, 2).unwrap();
        assert!(out == data[..2_000_000], "{b:?} with a dictionary");
    }
    // Without the dictionary (the frame records no ID): what single-threaded decoding says.
    let without = stream_decode(&f, usize::MAX, lz4framed::Decompressor::new(), 2);
    match lz4framed::decompress(&f) {
        Ok(v) => assert!(without.unwrap().0 == v),
        Err(e) => assert_eq!(without.unwrap_err().to_string(), e.to_string()),
    }
}

/// Damage found by a worker, by the calling thread or only at a frame's end is reported like
/// single-threaded decoding reports it (same error, same offset), never a panic or a hang.
#[test]
fn stream_decompression_errors_match_serial() {
    let data = sample(5 << 20, 32);
    let s = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .block_size(BlockSize::Max256KB)
        .content_checksum(true);
    let good = lz4framed::compress_with(&data, &s).unwrap();
    let serial = |f: &[u8]| lz4framed::decompress(f).unwrap_err().to_string();
    let mut cases: Vec<Vec<u8>> = Vec::new();
    // A block's data damaged (found by a worker), in the middle and in the last block.
    for at in [good.len() / 2, good.len() - 40] {
        let mut f = good.clone();
        f[at] ^= 0x55;
        cases.push(f);
    }
    // A block header too large (found by the calling thread), after good blocks.
    let mut f = good.clone();
    let second = 7 + 4 + u32::from_le_bytes(good[7..11].try_into().unwrap()) as usize;
    f[second + 3] = 0x7F;
    cases.push(f);
    // Truncated input.
    cases.push(good[..good.len() - 3].to_vec());
    cases.push(good[..good.len() / 3].to_vec());
    // Content checksum wrong (found at the frame's end).
    let mut f = good.clone();
    let n = f.len();
    f[n - 1] ^= 1;
    cases.push(f);
    for (i, f) in cases.iter().enumerate() {
        let want = serial(f);
        for threads in [1, 2] {
            let got = stream_decode(f, usize::MAX, lz4framed::Decompressor::new(), threads)
                .unwrap_err()
                .to_string();
            assert_eq!(got, want, "case {i}, {threads} threads");
        }
        // Written at offsets: the same error, after the same output.
        let before = stream_result(f, 1).0;
        for threads in [1, 2, 3] {
            let (out, got) = stream_result_at(f, threads);
            assert_eq!(
                got,
                Err(want.clone()),
                "case {i}, at offsets, {threads} threads"
            );
            assert!(
                out == before,
                "case {i}, at offsets, {threads} threads: output"
            );
        }
    }
    // A declared content size that is wrong: an error at the end of the frame.
    let wrong = {
        let s = FrameSettings::new()
            .block_mode(BlockMode::Independent)
            .content_size(Some(data.len() as u64));
        let mut f = lz4framed::compress_with(&data, &s).unwrap();
        // Content size field: after FLG and BD; patch it and the header checksum.
        f[6] ^= 1;
        let desc_len = 2 + 8;
        let hc = (lz4framed_core::xxh32::xxh32(&f[4..4 + desc_len], 0) >> 8) as u8;
        f[4 + desc_len] = hc;
        f
    };
    assert!(matches!(
        lz4framed::decompress(&wrong),
        Err(lz4framed::Error::ContentSizeMismatch { .. })
    ));
    assert!(matches!(
        stream_decode(&wrong, usize::MAX, lz4framed::Decompressor::new(), 2),
        Err(lz4framed::Error::ContentSizeMismatch { .. })
    ));
}

/// The input ends where a large block (larger than a read, so read straight into a buffer of
/// its own on several threads) was announced, or was begun: the same error as serial
/// decoding, on every thread count, whether the input is fed whole or in pieces — never a
/// hang. (A legacy frame followed by a block size word with no block after it is trailing
/// data, as the `lz4` tool writes it at the end of boot images; a standard frame cut inside a
/// block is truncated.)
#[test]
fn input_ending_before_or_inside_a_large_block_is_reported_on_every_thread_count() {
    let data = sample(3 << 20, 77);
    let legacy = common::legacy_frame(&data);
    let indep = lz4framed::compress_with(
        &data,
        &FrameSettings::new()
            .block_mode(BlockMode::Independent)
            .block_size(BlockSize::Max4MB),
    )
    .unwrap();
    let cases: Vec<Vec<u8>> = vec![
        [&legacy[..], &9_000_000u32.to_le_bytes()].concat(),
        [&legacy[..], &300_000u32.to_le_bytes()].concat(),
        [&legacy[..], &300_000u32.to_le_bytes(), &[7u8; 1000]].concat(),
        indep[..indep.len() / 2].to_vec(),
        indep[..7 + 4].to_vec(),
    ];
    for (i, f) in cases.iter().enumerate() {
        let want = lz4framed::decompress(f).unwrap_err().to_string();
        for threads in [1, 2, 3] {
            for step in [usize::MAX, 100_000] {
                let got = stream_decode(f, step, lz4framed::Decompressor::new(), threads)
                    .unwrap_err()
                    .to_string();
                assert_eq!(got, want, "case {i}, {threads} threads, step {step}");
            }
        }
    }
}

/// A frame of one piece of a mixed sequence, and what it decodes to.
struct Piece {
    name: &'static str,
    bytes: Vec<u8>,
    data: Vec<u8>,
}

/// Every kind of frame a stream can hold: independent and linked, with and without content and
/// block checksums and content size, empty and one-byte frames, skippable and legacy frames,
/// frames spanning several batches (over 4 MiB of 64 KiB blocks) and runs of more tiny frames
/// than a batch holds.
fn pieces() -> Vec<Piece> {
    let data = sample(5 << 20, 77);
    let indep = |ck: bool| {
        FrameSettings::new()
            .block_mode(BlockMode::Independent)
            .block_size(BlockSize::Max64KB)
            .content_checksum(ck)
    };
    let frame = |name, s: &FrameSettings, d: &[u8]| Piece {
        name,
        bytes: lz4framed::compress_with(d, s).unwrap(),
        data: d.to_vec(),
    };
    let mut v = vec![
        frame("one-checksummed", &indep(true), b"one\n"),
        frame("two-checksummed", &indep(true), b"two\n"),
        frame("plain", &indep(false), b"plain frame\n"),
        frame("empty-checksummed", &indep(true), b""),
        frame("empty", &indep(false).content_size(None), b""),
        frame("one-byte", &indep(true), b"z"),
        frame(
            "block-checksums",
            &indep(true).block_checksum(true),
            &data[..300_000],
        ),
        frame(
            "linked",
            &FrameSettings::new().content_checksum(true),
            &data[..200_000],
        ),
        frame(
            "linked-empty",
            &FrameSettings::new().content_checksum(true),
            b"",
        ),
        frame("large-independent", &indep(true).content_size(None), &data),
        frame(
            "large-4m-blocks",
            &FrameSettings::new()
                .block_mode(BlockMode::Independent)
                .block_size(BlockSize::Max4MB)
                .content_checksum(true),
            &data[..(4 << 20) + 5],
        ),
    ];
    v.push(Piece {
        name: "skippable",
        bytes: vec![0x5F, 0x2A, 0x4D, 0x18, 2, 0, 0, 0, 9, 9],
        data: Vec::new(),
    });
    v.push(Piece {
        name: "legacy",
        bytes: common::legacy_frame(&data[..100_000]),
        data: data[..100_000].to_vec(),
    });
    // More tiny frames than one batch holds.
    let tiny = lz4framed::compress_with(b"z", &indep(true)).unwrap();
    v.push(Piece {
        name: "2000-tiny-frames",
        bytes: tiny.repeat(2000),
        data: b"z".repeat(2000),
    });
    v
}

/// Decode with `decompress_stream` into a Vec that survives an error: the output written
/// before the error and the error.
fn stream_result(file: &[u8], threads: usize) -> (Vec<u8>, Result<(), String>) {
    let mut out = Vec::new();
    let r = lz4framed::parallel::decompress_stream(
        file,
        &mut out,
        lz4framed::Decompressor::new(),
        threads,
    );
    let r = r.map(drop).map_err(|e| e.to_string());
    (out, r)
}

/// A destination written at offsets ([`lz4framed::parallel::WriteAt`]) held in memory: bytes
/// never written read as zeros; every write's range is recorded.
#[derive(Default)]
struct Placed {
    bytes: std::sync::Mutex<(Vec<u8>, Vec<Range>)>,
}

/// A written range of bytes: start and end offsets.
type Range = (usize, usize);

impl lz4framed::parallel::WriteAt for Placed {
    fn write_all_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        let mut g = self.bytes.lock().unwrap();
        let (start, end) = (offset as usize, offset as usize + buf.len());
        if g.0.len() < end {
            g.0.resize(end, 0);
        }
        g.0[start..end].copy_from_slice(buf);
        g.1.push((start, end));
        Ok(())
    }
}

/// Decode with `decompress_stream_at` after 4 bytes already in the destination: the output
/// written (after them) and the error. Checks that the 4 bytes stay, that no byte is written
/// twice, and that a success's summary counts the bytes written.
/// `file` decoded on `threads` threads, into a `Write` and at offsets, gives `serial`'s output
/// and error (`what` names the case in a failure).
fn assert_as_serial(
    file: &[u8],
    threads: usize,
    serial: &(Vec<u8>, Result<(), String>),
    what: &str,
) {
    for (how, got) in [
        ("into a Write", stream_result(file, threads)),
        ("at offsets", stream_result_at(file, threads)),
    ] {
        assert!(
            got.0 == serial.0 && got.1 == serial.1,
            "{what}, {how} on {threads} threads: {:?} vs serial {:?}",
            got.1,
            serial.1
        );
    }
}

fn stream_result_at(file: &[u8], threads: usize) -> (Vec<u8>, Result<(), String>) {
    let dest = Placed::default();
    dest.bytes.lock().unwrap().0.extend_from_slice(b"kept");
    let r = lz4framed::parallel::decompress_stream_at(
        file,
        &dest,
        4,
        lz4framed::Decompressor::new(),
        threads,
    );
    let (mut out, mut ranges) = dest.bytes.into_inner().unwrap();
    assert_eq!(&out[..4], b"kept");
    ranges.sort_unstable();
    assert!(
        ranges.windows(2).all(|w| w[0].1 <= w[1].0),
        "a byte written twice"
    );
    assert!(ranges.iter().all(|r| r.0 >= 4));
    if let Ok(s) = &r {
        assert_eq!(s.bytes_out, out.len() as u64 - 4);
    }
    let out = out.split_off(4);
    (out, r.map(drop).map_err(|e| e.to_string()))
}

/// Field fault: two checksummed frames back to back failed at random on several threads (a
/// race in the content checksum's hand-over). Every sequence of frames of every kind, and
/// damaged variants of them, gives on 2..=8 threads, run after run, exactly what one thread
/// gives: the same output (written before any error) and the same error. Valid sequences
/// decode to the concatenated original data.
#[test]
fn every_frame_sequence_gives_the_serial_result_on_every_thread_count() {
    let pieces = pieces();
    // Every pair of the pieces, and pseudo-random longer sequences.
    let mut sequences: Vec<Vec<usize>> = Vec::new();
    for a in 0..pieces.len() {
        for b in 0..pieces.len() {
            sequences.push(vec![a, b]);
        }
    }
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..30 {
        let mut seq = Vec::new();
        for _ in 0..3 + x % 5 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            seq.push((x % pieces.len() as u64) as usize);
        }
        sequences.push(seq);
    }
    let case = |seq: &[usize]| seq.iter().map(|&i| pieces[i].name).collect::<Vec<_>>();
    for seq in &sequences {
        let file: Vec<u8> = seq.iter().flat_map(|&i| pieces[i].bytes.clone()).collect();
        let data: Vec<u8> = seq.iter().flat_map(|&i| pieces[i].data.clone()).collect();
        let serial = stream_result(&file, 1);
        let only_skippable = seq.iter().all(|&i| pieces[i].name == "skippable");
        if !only_skippable {
            assert!(serial.0 == data, "{:?}: serial output", case(seq));
            assert_eq!(serial.1, Ok(()), "{:?}", case(seq));
        }
        let large = seq.iter().any(|&i| pieces[i].bytes.len() > 1 << 20);
        let rounds = if large { 2 } else { 10 };
        for threads in 2..=8 {
            for round in 0..rounds {
                let got = stream_result(&file, threads);
                assert!(
                    got.0 == serial.0 && got.1 == serial.1,
                    "{:?} on {threads} threads, run {round}: {:?} vs serial {:?}",
                    case(seq),
                    got.1,
                    serial.1
                );
                let got = stream_result_at(&file, threads);
                assert!(
                    got.0 == serial.0 && got.1 == serial.1,
                    "{:?} at offsets on {threads} threads, run {round}: {:?} vs serial {:?}",
                    case(seq),
                    got.1,
                    serial.1
                );
            }
        }
        // Damaged: the last byte of each frame (a content checksum, an end mark or block
        // data) flipped, and the stream cut in the middle of the second frame.
        let mut damaged = Vec::new();
        let mut at = 0;
        for &i in seq {
            at += pieces[i].bytes.len();
            let mut f = file.clone();
            f[at - 1] ^= 0x21;
            damaged.push(f);
        }
        let first = pieces[seq[0]].bytes.len();
        damaged.push(file[..first + pieces[seq[1]].bytes.len() / 2].to_vec());
        for f in &damaged {
            let serial = stream_result(f, 1);
            for threads in [2, 3, 8] {
                assert_as_serial(f, threads, &serial, &format!("{:?} damaged", case(seq)));
            }
        }
    }
}

/// A frame of many batches (18 MiB of 256 KiB blocks, content checksum and size): on 2 to 4
/// threads the calling thread decodes some batches itself and the checks of batches decoded
/// before the one ahead of them are left (parked) to the thread that checks that one. Whole,
/// and damaged in a block of each of several batches or in its content checksum, it gives
/// what one thread gives: the same output written before the error and the same error, into
/// a `Write` and at offsets.
#[test]
fn a_frame_of_many_batches_gives_the_serial_result_whoever_decodes_and_checks_each_batch() {
    let data = sample(18 << 20, 41);
    let s = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .block_size(BlockSize::Max256KB)
        .content_checksum(true)
        .content_size(Some(data.len() as u64));
    let file = lz4framed::compress_with(&data, &s).unwrap();
    let mut files = vec![("whole".to_string(), file.clone())];
    // A stored byte in the middle of the input of batches 1, 3 and 4 (of about 4 MiB of
    // output each): whatever it does to the block, the serial result is the reference.
    for at in [0.2, 0.45, 0.7] {
        let mut f = file.clone();
        let i = (f.len() as f64 * at) as usize;
        f[i] ^= 0x5A;
        files.push((format!("byte {i} damaged"), f));
    }
    let mut f = file.clone();
    let n = f.len();
    f[n - 2] ^= 1;
    files.push(("content checksum damaged".to_string(), f));
    for (name, f) in &files {
        let serial = stream_result(f, 1);
        if name == "whole" {
            assert!(serial.0 == data && serial.1.is_ok());
        } else {
            assert!(serial.1.is_err(), "{name}: the damage is found");
        }
        for threads in 2..=4 {
            for round in 0..3 {
                assert_as_serial(f, threads, &serial, &format!("{name}, run {round}"));
            }
        }
    }
}
