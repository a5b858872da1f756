//! Parallel compression and decompression: output equals serial output, for every block mode
//! and several block sizes and thread counts.

use std::io::Cursor;

use lz4framed::index::{build_index, IndexOptions};
use lz4framed::{BlockMode, BlockSize, FrameSettings, Registry, SeekIndex};

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
            let index = build_index::<_, Registry>(&file[..], &opts).unwrap();
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
            assert_eq!(index, build_index::<_, Registry>(&file[..], &opts).unwrap());
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
        let mut r = lz4framed::SeekableReader::new(Cursor::new(&file)).unwrap();
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
    let index = build_index::<_, Registry>(&file[..], &IndexOptions::default()).unwrap();
    // Damage a block in the middle (keep the fingerprinted head and tail intact).
    let mid = file.len() / 2;
    for b in &mut file[mid..mid + 64] {
        *b ^= 0xA5;
    }
    assert!(lz4framed::parallel::decompress(&file, &index, 2).is_err());
    assert!(lz4framed::parallel::decompress_to(&file[..], &index, 2, None, Vec::new()).is_err());
}
