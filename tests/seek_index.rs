//! Seek index: random-offset reads against the plain data for every block mode and block size,
//! indexes built while compressing and for existing files, refusal of foreign, damaged and
//! truncated indexes, and `lz4 -d` on seekable files.

use std::io::{BufRead, Cursor, Read, Seek, SeekFrom, Write};

use lz4framed::index::{build_index, sidecar_path, IndexOptions};
use lz4framed::index::{SeekIndex, SeekableEncoder, SeekableReader};
use lz4framed::{Backend, BlockMode, BlockSize, Error, FrameSettings};

/// Deterministic compressible data with some incompressible stretches.
fn sample(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let words: [&[u8]; 8] = [
        b"seek ",
        b"index ",
        b"frame ",
        b"block ",
        b"lz4 ",
        b"window ",
        b"restart ",
        b"\n",
    ];
    let mut out = Vec::with_capacity(n + 16);
    while out.len() < n {
        let r = next();
        if r % 97 == 0 {
            for _ in 0..(r >> 8) % 600 {
                out.push(next() as u8);
            }
        } else {
            out.extend_from_slice(words[(r >> 16) as usize % words.len()]);
            if r % 5 == 0 {
                out.extend_from_slice(format!("{}", r % 10_000).as_bytes());
            }
        }
    }
    out.truncate(n);
    out
}

fn check_random_reads<R: Read + Seek>(r: &mut SeekableReader<R>, data: &[u8], seed: u64) {
    assert_eq!(r.len(), data.len() as u64);
    let mut x = seed | 1;
    for i in 0..120 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let at = (x >> 20) % (data.len() as u64 + 1);
        let len = ((x >> 8) % 9000) as usize;
        let len = len.min(data.len() - at as usize);
        let mut buf = vec![0u8; len];
        if i % 3 == 0 {
            r.seek(SeekFrom::End(at as i64 - data.len() as i64))
                .unwrap();
        } else {
            r.seek(SeekFrom::Start(at)).unwrap();
        }
        r.read_exact(&mut buf).unwrap();
        assert_eq!(
            buf,
            &data[at as usize..at as usize + len],
            "read at {at}+{len}"
        );
        assert_eq!(r.position(), at + len as u64);
    }
    // Past the end: nothing.
    r.seek(SeekFrom::Start(data.len() as u64 + 10)).unwrap();
    assert_eq!(r.read(&mut [0u8; 8]).unwrap(), 0);
    // Sequential from the start.
    r.seek(SeekFrom::Start(0)).unwrap();
    let mut all = Vec::new();
    r.read_to_end(&mut all).unwrap();
    assert!(all == data, "sequential read differs");
}

fn settings(mode: BlockMode, size: BlockSize) -> FrameSettings {
    FrameSettings::new()
        .block_mode(mode)
        .block_size(size)
        .content_checksum(true)
}

/// A read in the middle of a block decodes only the start of it (on backends that can, simd
/// here): reading on from there, in small pieces through the rest of the block and into the
/// next ones, jumping back into the same block and forward past the part decoded, must still
/// give the plain data, on every backend.
#[test]
fn reading_on_after_a_seek_into_the_middle_of_a_block() {
    let data = sample(9 << 20, 21);
    let cases = [
        (BlockMode::Independent, BlockSize::Max4MB),
        (BlockMode::Linked, BlockSize::Max1MB),
    ];
    for (mode, size) in cases {
        let s = settings(mode, size);
        let opts = IndexOptions::default().restart_interval(1 << 20);
        let mut enc = SeekableEncoder::with_options(Vec::new(), &s, &opts).unwrap();
        enc.write_all(&data).unwrap();
        let file = enc.finish().unwrap();
        for backend in [Backend::Auto, Backend::C, Backend::Rust, Backend::Simd] {
            let mut r = SeekableReader::new(Cursor::new(&file))
                .unwrap()
                .backend(backend)
                .unwrap();
            let starts = [5_000_000u64, 5_000_000 - 70_000, 5_100_000, 4_194_000, 123];
            for at in starts {
                r.seek(SeekFrom::Start(at)).unwrap();
                let mut got = Vec::new();
                let mut piece = [0u8; 1000];
                while got.len() < 300_000 {
                    let n = r.read(&mut piece).unwrap();
                    assert!(n > 0);
                    got.extend_from_slice(&piece[..n]);
                }
                let at = at as usize;
                assert!(
                    got == data[at..at + got.len()],
                    "{backend:?} {mode:?}: reading on from {at}"
                );
            }
        }
    }
}

#[test]
fn random_reads_every_mode_and_block_size() {
    for mode in [BlockMode::Independent, BlockMode::Linked] {
        for size in [
            BlockSize::Max64KB,
            BlockSize::Max256KB,
            BlockSize::Max1MB,
            BlockSize::Max4MB,
        ] {
            let n = (size.bytes() * 2 + size.bytes() / 3).min(3 << 20);
            let data = sample(n, size.bytes() as u64);
            let s = settings(mode, size);
            let opts = IndexOptions::default().restart_interval(300_000);

            // Embedded, recorded while compressing.
            let mut enc = SeekableEncoder::with_options(Vec::new(), &s, &opts).unwrap();
            for piece in data.chunks(100_003) {
                enc.write_all(piece).unwrap();
            }
            let file = enc.finish().unwrap();
            assert_eq!(lz4framed::decompress(&file).unwrap(), data);
            let mut r = SeekableReader::new(Cursor::new(&file)).unwrap();
            check_random_reads(&mut r, &data, n as u64);

            // Sidecar, built for an existing file by one pass.
            let plain = lz4framed::compress_with(&data, &s).unwrap();
            let index = build_index(&plain[..], &opts).unwrap();
            let sidecar = index.to_sidecar();
            let index = SeekIndex::from_sidecar(&sidecar).unwrap();
            if mode == BlockMode::Linked {
                assert!(index.entries().iter().any(|e| e.has_window()) || n < 300_000);
            }
            let mut r = SeekableReader::with_index(Cursor::new(&plain), index).unwrap();
            check_random_reads(&mut r, &data, 7 + n as u64);
        }
    }
}

#[test]
fn index_of_existing_file_matches_the_recorded_one() {
    // Independent blocks: the size-only pass finds the same restart points as the compressor.
    let data = sample(1 << 20, 3);
    let s = settings(BlockMode::Independent, BlockSize::Max64KB);
    let mut enc = SeekableEncoder::new(Vec::new(), &s).unwrap();
    enc.write_all(&data).unwrap();
    let (file, recorded) = enc.finish_sidecar().unwrap();
    let scanned = build_index(&file[..], &IndexOptions::default()).unwrap();
    assert_eq!(scanned, recorded);
    assert_eq!(recorded.entries().len(), 1 + 15 + 1); // frame start, blocks 2..16, end
                                                      // Indexing a file that already carries an embedded index leaves the old index out.
    let mut with_index = file.clone();
    with_index.extend_from_slice(&recorded.to_embedded());
    let again = build_index(&with_index[..], &IndexOptions::default()).unwrap();
    assert_eq!(again, recorded);
}

#[test]
fn several_frames_skippable_frames_and_empty_frames() {
    let a = sample(700_000, 11);
    let b = sample(300_000, 12);
    let c = sample(1_000_000, 13);
    let mut file = Vec::new();
    file.extend_from_slice(
        &lz4framed::compress_with(&a, &settings(BlockMode::Linked, BlockSize::Max64KB)).unwrap(),
    );
    file.extend_from_slice(&0x184D_2A51u32.to_le_bytes());
    file.extend_from_slice(&5u32.to_le_bytes());
    file.extend_from_slice(b"skip!");
    file.extend_from_slice(&lz4framed::compress_with(b"", &FrameSettings::new()).unwrap());
    file.extend_from_slice(
        &lz4framed::compress_with(&b, &settings(BlockMode::Independent, BlockSize::Max256KB))
            .unwrap(),
    );
    file.extend_from_slice(
        &lz4framed::compress_with(
            &c,
            &FrameSettings::new()
                .block_checksum(true)
                .block_size(BlockSize::Max1MB),
        )
        .unwrap(),
    );
    let data = [a, b, c].concat();
    let opts = IndexOptions::default().restart_interval(128 << 10);
    let index = build_index(&file[..], &opts).unwrap();
    file.extend_from_slice(&index.to_embedded());
    assert_eq!(lz4framed::decompress(&file).unwrap(), data);
    let mut r = SeekableReader::new(Cursor::new(&file)).unwrap();
    check_random_reads(&mut r, &data, 99);
    // BufRead works too.
    r.seek(SeekFrom::Start(699_990)).unwrap();
    let chunk = r.fill_buf().unwrap().to_vec();
    assert!(!chunk.is_empty());
    assert_eq!(chunk[..], data[699_990..699_990 + chunk.len()]);
}

fn data_and_file() -> (Vec<u8>, Vec<u8>) {
    let data = sample(600_000, 5);
    let s = settings(BlockMode::Linked, BlockSize::Max64KB);
    let opts = IndexOptions::default().restart_interval(100_000);
    let mut enc = SeekableEncoder::with_options(Vec::new(), &s, &opts).unwrap();
    enc.write_all(&data).unwrap();
    (data, enc.finish().unwrap())
}

fn bad_index_message(r: Result<impl Sized, Error>) -> String {
    match r {
        Err(e @ (Error::BadIndex(_) | Error::NoIndex { .. })) => e.to_string(),
        Err(e) => panic!("expected BadIndex, got {e}"),
        Ok(_) => panic!("expected BadIndex, got a reader"),
    }
}

#[test]
fn foreign_index_is_refused() {
    let (_, file) = data_and_file();
    let other_data = sample(600_000, 6);
    let other = lz4framed::compress_with(
        &other_data,
        &settings(BlockMode::Linked, BlockSize::Max64KB),
    )
    .unwrap();
    let own = SeekIndex::read_embedded(&mut Cursor::new(&file)).unwrap();
    let msg = bad_index_message(SeekableReader::with_index(Cursor::new(&other), own.clone()));
    assert!(msg.contains("another file"), "{msg}");
    // Same length, different bytes: the fingerprint tells them apart.
    let mut same_len = file.clone();
    let mid = same_len.len() / 2;
    same_len.truncate(own.data_len() as usize);
    same_len[mid.min(10)] ^= 0x55; // inside the first 4 KiB
    let msg = bad_index_message(SeekableReader::with_index(
        Cursor::new(&same_len),
        own.clone(),
    ));
    assert!(msg.contains("fingerprint"), "{msg}");
    // An embedded index taken over to another file by appending it.
    let mut grafted = other.clone();
    grafted.extend_from_slice(&own.to_embedded());
    let msg = bad_index_message(SeekableReader::new(Cursor::new(&grafted)));
    assert!(
        msg.contains("another file") || msg.contains("does not fit") || msg.contains("other data"),
        "{msg}"
    );
    // Parallel decompression refuses it too.
    let msg = bad_index_message(lz4framed::parallel::decompress(&other, &own, 2));
    assert!(msg.contains("another file"), "{msg}");
}

#[test]
fn damaged_or_truncated_index_is_refused() {
    let (_, file) = data_and_file();
    let index = SeekIndex::read_embedded(&mut Cursor::new(&file)).unwrap();
    let start = index.data_len() as usize;
    // Flip one bit at many places of the embedded index (skippable header, entries, windows,
    // footer): every one is refused with a BadIndex error, never a panic.
    let len = file.len() - start;
    for k in 0..len.min(400) {
        let at = start + k * len / len.min(400);
        for bit in [0, 5] {
            let mut bad = file.clone();
            bad[at] ^= 1 << bit;
            let msg = bad_index_message(SeekableReader::new(Cursor::new(&bad)));
            assert!(!msg.is_empty());
        }
    }
    let sidecar = index.to_sidecar();
    for cut in [0, 1, 10, sidecar.len() / 2, sidecar.len() - 1] {
        let msg = bad_index_message(SeekIndex::from_sidecar(&sidecar[..cut]));
        assert!(!msg.is_empty());
    }
    for k in 0..sidecar.len() {
        let mut bad = sidecar.clone();
        bad[k] ^= 0x10;
        bad_index_message(SeekIndex::from_sidecar(&bad));
    }
    // Truncating the file drops the footer: no index found.
    let msg = bad_index_message(SeekableReader::new(Cursor::new(&file[..file.len() - 3])));
    assert!(msg.contains("no embedded seek index"), "{msg}");
    // Data appended after the index.
    let mut appended = file.clone();
    appended.extend_from_slice(b"more");
    bad_index_message(SeekableReader::new(Cursor::new(&appended)));
    // An embedded index used as a sidecar file.
    let msg = bad_index_message(SeekIndex::from_sidecar(&file[start + 8..]));
    assert!(msg.contains("embedded"), "{msg}");
}

#[test]
fn sidecar_files_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(900_000, 8);
    let path = dir.path().join("data.lz4");
    let s = settings(BlockMode::Independent, BlockSize::Max256KB);
    let file = std::fs::File::create(&path).unwrap();
    let enc = SeekableEncoder::new(std::io::BufWriter::new(file), &s).unwrap();
    let mut enc = enc;
    enc.write_all(&data).unwrap();
    let (w, index) = enc.finish_sidecar().unwrap();
    drop(w);
    let idx_path = sidecar_path(&path);
    assert!(idx_path.to_string_lossy().ends_with("data.lz4.idx"));
    std::fs::write(&idx_path, index.to_sidecar()).unwrap();
    let index = SeekIndex::from_sidecar(&std::fs::read(&idx_path).unwrap()).unwrap();
    let mut r = SeekableReader::with_index(std::fs::File::open(&path).unwrap(), index).unwrap();
    check_random_reads(&mut r, &data, 3);
    // The file itself is unchanged: plain decoding, and no embedded index.
    let plain = std::fs::read(&path).unwrap();
    assert_eq!(lz4framed::decompress(&plain).unwrap(), data);
    bad_index_message(SeekableReader::new(Cursor::new(&plain)));
}

#[test]
fn independent_index_is_small() {
    let data = sample(4 << 20, 21);
    let s = settings(BlockMode::Independent, BlockSize::Max64KB);
    let mut enc = SeekableEncoder::new(Vec::new(), &s).unwrap();
    enc.write_all(&data).unwrap();
    let (file, index) = enc.finish_sidecar().unwrap();
    let ratio = index.to_embedded().len() as f64 / file.len() as f64;
    assert!(
        ratio <= 0.001,
        "index is {:.4} % of the file",
        ratio * 100.0
    );
}

#[test]
fn lz4_tool_decodes_seekable_files() {
    let lz4 = std::path::Path::new("/usr/bin/lz4");
    if !lz4.exists() {
        eprintln!("skipped: /usr/bin/lz4 not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (k, mode) in [BlockMode::Independent, BlockMode::Linked]
        .into_iter()
        .enumerate()
    {
        let data = sample(1_500_000, 40 + k as u64);
        let s = settings(mode, BlockSize::Max256KB);
        let mut enc = SeekableEncoder::new(Vec::new(), &s).unwrap();
        enc.write_all(&data).unwrap();
        let file = enc.finish().unwrap();
        let path = dir.path().join(format!("s{k}.lz4"));
        std::fs::write(&path, &file).unwrap();
        let out = std::process::Command::new(lz4)
            .args(["-d", "-c", "-q"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout == data, "lz4 -d output differs ({mode:?})");
        // Also with the index built afterwards (parallel writer).
        let (mut pfile, summary) = lz4framed::parallel::compress_stream(
            &data[..],
            Vec::new(),
            &s,
            2,
            None,
            Some(&IndexOptions::default()),
        )
        .unwrap();
        pfile.extend_from_slice(&summary.index.unwrap().to_embedded());
        std::fs::write(&path, &pfile).unwrap();
        let out = std::process::Command::new(lz4)
            .args(["-d", "-c", "-q"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(out.stdout == data);
    }
}

/// The state of a decoder restored at any restart point (what a task of a distributed job
/// carries) survives a checkpoint round trip — in checksummed frames too, whose content
/// checksum a decoder entering mid-frame cannot verify (the checkpoint says so) — and decodes
/// the rest of the file to the original bytes.
#[test]
fn restart_point_states_survive_a_checkpoint() {
    let data = sample(1_500_000, 12);
    for (mode, checksum) in [
        (BlockMode::Independent, true),
        (BlockMode::Linked, true),
        (BlockMode::Linked, false),
    ] {
        let s = settings(mode, BlockSize::Max64KB).content_checksum(checksum);
        let options = IndexOptions::default().restart_interval(200_000);
        let mut enc = SeekableEncoder::with_options(Vec::new(), &s, &options).unwrap();
        enc.write_all(&data).unwrap();
        let file = enc.finish().unwrap();
        let index = SeekIndex::read_embedded(&mut Cursor::new(&file)).unwrap();
        let n = index.entries().len() - 1;
        for i in (0..n).step_by((n / 7).max(1)) {
            let header = index
                .frame_header_offset(i)
                .map_or(&[][..], |at| &file[at as usize..]);
            let state = index.decompressor_at(i, header, None).unwrap().checkpoint();
            let mut d = lz4framed::Decompressor::from_checkpoint(&state)
                .unwrap_or_else(|e| panic!("{mode:?} checksum {checksum}, point {i}: {e}"));
            let e = &index.entries()[i];
            let mut out = Vec::new();
            let end = index.data_len() as usize;
            d.decompress(&file[e.compressed as usize..end], &mut out)
                .unwrap();
            d.finish().unwrap();
            assert!(
                out[..] == data[e.decompressed as usize..],
                "{mode:?} point {i}"
            );
        }
    }
}

/// An index of a file's data checks that file also when the file carries another index of the
/// same data embedded at its end (one with other restart points, or one cut down to a few of
/// them, as a distributed task carries): the embedded frame is not data.
#[test]
fn another_index_of_the_same_data_verifies_a_file_with_an_embedded_index() {
    let data = sample(1_200_000, 21);
    let s = settings(BlockMode::Linked, BlockSize::Max64KB);
    let options = IndexOptions::default().restart_interval(100_000);
    let mut enc = SeekableEncoder::with_options(Vec::new(), &s, &options).unwrap();
    enc.write_all(&data).unwrap();
    let file = enc.finish().unwrap();
    let embedded = SeekIndex::read_embedded(&mut Cursor::new(&file)).unwrap();
    let plain = &file[..embedded.data_len() as usize];
    let other = build_index(plain, &IndexOptions::default().restart_interval(300_000)).unwrap();
    assert_ne!(other.encoded_len(), embedded.encoded_len());
    other.verify_file(&mut Cursor::new(&file)).unwrap();
    let mut r = SeekableReader::with_index(Cursor::new(&file), other).unwrap();
    check_random_reads(&mut r, &data, 5);
    // Data appended after the embedded index is still refused.
    let mut appended = file.clone();
    appended.extend_from_slice(b"more");
    assert!(embedded.verify_file(&mut Cursor::new(&appended)).is_err());
}
