//! A new user's trial of the library API, as the README and rustdoc describe it: each test is
//! a small program a user would write, checked against an independent truth (the original
//! bytes, the C library, the `lz4` tool, `std::io::Cursor`'s behaviour), plus the defects the
//! trial found (one regression test each).

mod common;

use std::io::{Cursor, Read, Seek, SeekFrom};

use lz4framed::index::{build_index, IndexOptions, SeekIndex, SeekableReader};
use lz4framed::{BlockMode, Error, FrameSettings};

use common::text_like;

/// `data` compressed in independent blocks, and the seek index built from the file.
fn independent_with_index(data: &[u8]) -> (Vec<u8>, SeekIndex) {
    let file = lz4framed::compress_with(
        data,
        &FrameSettings::new().block_mode(BlockMode::Independent),
    )
    .unwrap();
    let index = build_index(&file[..], &IndexOptions::default()).unwrap();
    (file, index)
}

/// A sidecar index whose first restart point claims decompressed offset 5 (checksum recomputed,
/// as anyone can). It parses: an index may start at a later restart point (a cut-down index,
/// as a Dask split carries). But nothing reads the 5 bytes before it: `SeekableReader` says
/// there is no restart point there (it used to panic), `parallel::decompress` refuses the index
/// (it handed out 5 bytes it never wrote).
#[test]
fn an_index_not_starting_at_decompressed_offset_0_reads_nothing_before_it() {
    let data = text_like(300_000, 1);
    let (file, index) = independent_with_index(&data);
    assert_eq!(index.entries()[0].decompressed, 0);
    let mut side = index.to_sidecar();
    // First entry: varint compressed delta 0, varint decompressed delta 0, flags.
    assert_eq!(side[..2], [0, 0]);
    side[1] = 5;
    let n = side.len();
    let sum = lz4framed_core::xxh32::xxh32(&side[..n - 8], 0);
    side[n - 8..n - 4].copy_from_slice(&sum.to_le_bytes());
    let forged = SeekIndex::from_sidecar(&side).unwrap();
    assert_eq!(forged.entries()[0].decompressed, 5);
    match lz4framed::parallel::decompress(&file, &forged, 2) {
        Err(Error::BadIndex(why)) => assert!(why.contains("offset 5"), "{why}"),
        other => panic!("parallel::decompress with a forged index: {other:?}"),
    }
    let mut r = SeekableReader::with_index(Cursor::new(&file), forged).unwrap();
    let e = r.read(&mut [0u8; 10]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("offset 0"), "{e}");
    // The genuine index still reads the data as the one-shot decoder does.
    let mut r = SeekableReader::with_index(Cursor::new(&file), index).unwrap();
    r.seek(SeekFrom::Start(123_456)).unwrap();
    let mut piece = vec![0u8; 1000];
    r.read_exact(&mut piece).unwrap();
    assert_eq!(piece, &data[123_456..124_456]);
}

/// An index put together with `IndexBuilder` that has no restart point at offset 0: reading
/// there is an `InvalidData` error naming the offset (it was a panic, "pos < len").
#[test]
fn a_built_index_without_a_restart_point_at_0_is_an_error_not_a_panic() {
    use lz4framed::index::IndexBuilder;
    let data = text_like(100_000, 2);
    let file = lz4framed::compress(&data);
    let codec = lz4framed::Backend::Auto.codec().unwrap();
    let builder = IndexBuilder::new(codec, &IndexOptions::default());
    let fingerprint = lz4framed_core::index::fingerprint_of(&file);
    let index = builder.finish(file.len() as u64, fingerprint, data.len() as u64);
    let mut r = SeekableReader::with_index(Cursor::new(&file), index).unwrap();
    let mut buf = [0u8; 10];
    let e = r.read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert!(e.to_string().contains("offset 0"), "{e}");
}

/// `?` from an io adapter into a function returning `lz4framed::Error` keeps the error's
/// variant and offset: the same as the one-shot decoder reports for the same bytes (it was
/// `Error::Io` wrapping it, so `is_data_error()` was false and `offset()` was `None`).
#[test]
fn errors_from_the_io_adapters_convert_back_to_their_variant() {
    use std::io::Write;
    fn read_all(frame: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        lz4framed::FrameDecoder::new(frame).read_to_end(&mut out)?;
        Ok(out)
    }
    let data = text_like(200_000, 3);
    let frame =
        lz4framed::compress_with(&data, &FrameSettings::new().content_checksum(true)).unwrap();
    let mut damaged = frame.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1; // the content checksum
    let cases: [&[u8]; 3] = [&damaged, &frame[..frame.len() / 2], b"not lz4 data"];
    for input in cases {
        let oneshot = lz4framed::decompress(input).unwrap_err();
        let via_io = read_all(input).unwrap_err();
        assert_eq!(via_io.to_string(), oneshot.to_string());
        assert_eq!(via_io.offset(), oneshot.offset());
        assert!(via_io.offset().is_some());
        assert!(via_io.is_data_error());
        // And back to io::Error with the kind the adapter gave.
        let kind = std::io::Error::from(lz4framed::decompress(input).unwrap_err()).kind();
        assert_eq!(std::io::Error::from(via_io).kind(), kind);
    }
    // A writer-side error: too much data for the declared content size.
    let settings = FrameSettings::new().content_size(Some(3));
    let mut enc = lz4framed::FrameEncoder::with_settings(Vec::new(), &settings).unwrap();
    let e: Error = enc.write_all(b"four").unwrap_err().into();
    assert!(
        matches!(
            e,
            Error::InputSizeMismatch {
                declared: 3,
                given: 4
            }
        ),
        "{e:?}"
    );
    // An error of the OS stays an I/O error, its code kept.
    let os = std::fs::File::open("/nonexistent/lz4framed").unwrap_err();
    let code = os.raw_os_error();
    match Error::from(os) {
        Error::Io(e) => assert_eq!(e.raw_os_error(), code),
        other => panic!("{other:?}"),
    }
}

/// `FrameSettings::default()` is `FrameSettings::new()`, as the docs say ("level 1"); it was a
/// derived `Default` with level 0, unequal to `new()` and reporting `get_level() == 0`.
#[test]
fn default_settings_are_the_documented_defaults() {
    let d = FrameSettings::default();
    assert_eq!(d, FrameSettings::new());
    assert_eq!(d.get_level(), 1);
    assert_eq!(d.get_block_size(), lz4framed::BlockSize::Max64KB);
    assert_eq!(d.get_block_mode(), BlockMode::Linked);
    assert!(!d.get_content_checksum() && !d.get_block_checksum());
    // The frame the defaults describe, as the C library reads its header.
    let data = text_like(100_000, 4);
    let frame = lz4framed::compress_with(&data, &d).unwrap();
    let info = lz4framed::frame_info(&frame).unwrap();
    assert_eq!(info.content_size, Some(data.len() as u64));
    assert!(info.is_linked() && !info.content_checksum);
    assert_eq!(
        lz4framed_backend_c::frame::decompress_frames(&frame, None).unwrap(),
        data
    );
}

/// A writer that, while `refusing`, refuses two of every three `write` calls (`WouldBlock`),
/// and takes at most `at_most` bytes per call.
struct Flaky {
    out: Vec<u8>,
    calls: usize,
    refusing: bool,
    at_most: usize,
}

impl std::io::Write for Flaky {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.calls += 1;
        if self.refusing && self.calls % 3 != 0 {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let n = b.len().min(self.at_most);
        self.out.extend_from_slice(&b[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `LegacyEncoder::write` follows `io::Write`'s contract: an error means no byte of the call
/// was taken, so retrying the same bytes gives exactly the input. It used to take the bytes
/// that completed an 8 MiB block and then return the writer's error (a retry duplicated them),
/// and rewrote compressed bytes the writer had already taken. Checked by the `lz4` tool.
#[test]
fn legacy_encoder_writes_survive_writer_errors_and_retries() {
    use std::io::Write;
    let data = common::mixed(17 << 20, 5); // two full 8 MiB blocks and a short one
    let writer = Flaky {
        out: Vec::new(),
        calls: 0,
        refusing: true,
        at_most: 1 << 20,
    };
    let mut enc = lz4framed::LegacyEncoder::new(writer, 1, lz4framed::Backend::Auto).unwrap();
    let mut tries = 0;
    for piece in data.chunks(3 << 20) {
        let mut off = 0;
        while off < piece.len() {
            match enc.write(&piece[off..]) {
                Ok(n) => off += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => tries += 1,
                Err(e) => panic!("{e}"),
            }
            assert!(tries < 10_000, "no progress");
        }
    }
    loop {
        match enc.try_finish() {
            Ok(()) => break,
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => tries += 1,
            Err(e) => panic!("{e}"),
        }
        assert!(tries < 10_000, "no progress");
    }
    assert!(enc.write(b"more").is_err(), "a write after the end");
    let file = enc.finish().unwrap().out;
    assert!(
        tries > 0,
        "the writer never refused: the test tests nothing"
    );
    assert_eq!(lz4_tool_decompress(&file), data);
}

/// `lz4 -d` on `input` (stdin to stdout).
fn lz4_tool_decompress(input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("lz4")
        .args(["-d", "-c", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the lz4 tool is installed");
    let mut stdin = child.stdin.take().unwrap();
    let out = std::thread::scope(|s| {
        s.spawn(move || stdin.write_all(input).unwrap());
        child.wait_with_output().unwrap()
    });
    assert!(out.status.success(), "lz4 -d: {out:?}");
    out.stdout
}

/// `SeekableEncoder` as an `io::Write`: a writer error means no byte of the call was taken (it
/// took the whole buffer, then returned the error: a retry duplicated it, and the fingerprint
/// counted rewritten bytes twice, so the index was refused as another file's); `flush` makes
/// everything written so far decodable, as `FrameEncoder::flush` does (it only flushed the
/// writer). Checked by the C library, the `lz4` tool and the original bytes.
#[test]
fn seekable_encoder_writes_survive_writer_errors_and_flush_makes_data_decodable() {
    use lz4framed::index::SeekableEncoder;
    use std::io::Write;
    let data = common::mixed(3 << 20, 6);
    let writer = Flaky {
        out: Vec::new(),
        calls: 0,
        refusing: true,
        at_most: 100_000,
    };
    let settings = FrameSettings::new().block_mode(BlockMode::Independent);
    let mut enc = SeekableEncoder::new(writer, &settings).unwrap();
    let mut tries = 0;
    let mut retry = |r: std::io::Result<usize>| match r {
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            tries += 1;
            assert!(tries < 10_000, "no progress");
            0
        }
        Err(e) => panic!("{e}"),
    };
    let half = data.len() / 2 + 12_345;
    let mut off = 0;
    while off < half {
        off += retry(enc.write(&data[off..half]));
    }
    while retry(enc.flush().map(|()| 1)) == 0 {}
    // Everything written so far decodes from what the writer holds (the frame is not ended).
    let mut so_far = Vec::new();
    lz4framed::Decompressor::new()
        .decompress(&enc.get_ref().out, &mut so_far)
        .unwrap();
    assert!(so_far == data[..half], "flush left data undecodable");
    while off < data.len() {
        off += retry(enc.write(&data[off..]));
    }
    assert!(
        tries > 0,
        "the writer never refused: the test tests nothing"
    );
    // `try_finish` keeps the encoder: retried while the writer refuses, it writes the end of
    // the frame and the index once each.
    let before = tries;
    loop {
        match enc.try_finish() {
            Ok(()) => break,
            Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => tries += 1,
            Err(e) => panic!("{e}"),
        }
        assert!(tries < 10_000, "no progress");
    }
    assert!(tries > before, "the writer never refused try_finish");
    assert!(enc.write(b"more").is_err(), "a write after the end");
    let file = enc.finish().unwrap().out;
    assert_eq!(
        lz4framed_backend_c::frame::decompress_frames(&file, None).unwrap(),
        data
    );
    assert_eq!(lz4_tool_decompress(&file), data);
    let mut r = SeekableReader::new(Cursor::new(&file)).unwrap();
    for at in [0u64, 1_000_000, half as u64 - 10, data.len() as u64 - 100] {
        let mut piece = [0u8; 100];
        r.read_exact_at(at, &mut piece).unwrap();
        assert_eq!(piece[..], data[at as usize..at as usize + 100]);
    }
}

/// The io adapters used the ways std users combine readers and writers: `io::copy` into an
/// encoder (with empty writes), reading one byte at a time, `Read::take`, `BufRead::lines`
/// with and without a `BufReader`; an encoder dropped without `finish` leaves a truncated
/// frame that the decoder reports as `UnexpectedEof` after every complete block.
#[test]
fn io_adapters_in_the_usual_std_combinations() {
    use std::io::{BufRead, BufReader, Write};
    let text = text_like(300_000, 7);
    let mut enc = lz4framed::FrameEncoder::new(Vec::new());
    enc.write_all(&[]).unwrap();
    std::io::copy(&mut &text[..], &mut enc).unwrap();
    enc.write_all(&[]).unwrap();
    let frame = enc.finish().unwrap();
    assert_eq!(
        lz4framed_backend_c::frame::decompress_frames(&frame, None).unwrap(),
        text
    );
    let mut one_by_one = Vec::new();
    let mut dec = lz4framed::FrameDecoder::new(&frame[..]);
    let mut byte = [0u8];
    while dec.read(&mut byte).unwrap() == 1 {
        one_by_one.push(byte[0]);
    }
    assert!(one_by_one == text);
    let mut head = Vec::new();
    lz4framed::FrameDecoder::new(&frame[..])
        .take(1000)
        .read_to_end(&mut head)
        .unwrap();
    assert_eq!(head, &text[..1000]);
    let want = text.split(|&b| b == b'\n').count() - usize::from(text.ends_with(b"\n"));
    assert_eq!(
        lz4framed::FrameDecoder::new(&frame[..]).lines().count(),
        want
    );
    let buffered = BufReader::new(lz4framed::FrameDecoder::new(&frame[..]));
    assert_eq!(buffered.split(b'\n').count(), want);

    let mut dropped = Vec::new();
    {
        let mut enc = lz4framed::FrameEncoder::new(&mut dropped);
        enc.write_all(&text).unwrap();
    }
    let mut out = Vec::new();
    let e = lz4framed::FrameDecoder::new(&dropped[..])
        .read_to_end(&mut out)
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
    assert!(!out.is_empty() && text.starts_with(&out));
    assert!(lz4framed_backend_c::frame::decompress_frames(&dropped, None).is_err());
}

/// `SeekableReader`'s `Seek` agrees with `std::io::Cursor` over the original bytes: past the
/// end (reads give 0 bytes), negative relative seeks, seeks before the start (an
/// `InvalidInput` error, the position unchanged).
#[test]
fn seekable_reader_seeks_as_a_cursor_over_the_content() {
    let data = text_like(500_000, 8);
    let (file, index) = independent_with_index(&data);
    let mut r = SeekableReader::with_index(Cursor::new(&file), index).unwrap();
    let mut c = Cursor::new(&data);
    let moves = [
        SeekFrom::Start(100_000),
        SeekFrom::Current(-50_000),
        SeekFrom::End(-10),
        SeekFrom::End(10),
        SeekFrom::Current(-20),
        SeekFrom::Current(-1_000_000),
        SeekFrom::Start(u64::MAX - 1),
        SeekFrom::Current(5),
        SeekFrom::Start(499_990),
    ];
    for to in moves {
        let (a, b) = (r.seek(to), c.seek(to));
        assert_eq!(a.is_ok(), b.is_ok(), "{to:?}");
        match (a, b) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{to:?}"),
            (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{to:?}"),
            _ => unreachable!(),
        }
        assert_eq!(r.stream_position().unwrap(), c.position(), "{to:?}");
        let (mut x, mut y) = ([0u8; 64], [0u8; 64]);
        let (n, m) = (r.read(&mut x).unwrap(), c.read(&mut y).unwrap());
        assert_eq!(x[..n], y[..m], "{to:?}");
    }
}

/// Every single-bit flip and every truncation of a checkpoint is refused with
/// `Error::BadCheckpoint`; the intact one resumes to the original bytes.
#[test]
fn damaged_checkpoints_are_refused_and_the_intact_one_resumes() {
    let data = text_like(400_000, 9);
    let frame =
        lz4framed::compress_with(&data, &FrameSettings::new().content_checksum(true)).unwrap();
    let mut d = lz4framed::Decompressor::new();
    let mut out = Vec::new();
    d.decompress(&frame[..frame.len() / 3], &mut out).unwrap();
    let saved = d.checkpoint();
    for i in 0..saved.len() * 8 {
        let mut bad = saved.clone();
        bad[i / 8] ^= 1 << (i % 8);
        assert!(
            matches!(
                lz4framed::Decompressor::from_checkpoint(&bad),
                Err(Error::BadCheckpoint(_))
            ),
            "bit {i}"
        );
    }
    for n in 0..saved.len() {
        assert!(matches!(
            lz4framed::Decompressor::from_checkpoint(&saved[..n]),
            Err(Error::BadCheckpoint(_))
        ));
    }
    let mut d = lz4framed::Decompressor::from_checkpoint(&saved).unwrap();
    out.truncate(d.decompressed_position() as usize);
    d.decompress(&frame[d.compressed_position() as usize..], &mut out)
        .unwrap();
    d.finish().unwrap();
    assert!(out == data);
}
