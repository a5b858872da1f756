//! The `io::Read` / `io::Write` adapters under the failures real readers and writers have:
//! a connection dropped mid-block and resumed, writers that refuse or take part of a write,
//! retries as `io::Write` allows them, empty reads, a frame embedded in a container. Every
//! result is checked against the original bytes, and compressed frames against the C library's
//! frame decoder.

use std::io::{self, Read, Write};

mod common;

use lz4framed::{BlockMode, BlockSize, FrameDecoder, FrameEncoder, FrameSettings};
use lz4framed_backend_c::frame::decompress_frames;

/// A connection that delivers at most `chunk` bytes per read and fails with `kind` when it
/// reaches `cut` (an `UnexpectedEof` kind of cut returns `Ok(0)` there, and from then on: the
/// peer closed the connection).
struct Conn<'a> {
    data: &'a [u8],
    pos: usize,
    chunk: usize,
    cut: Option<usize>,
    kind: io::ErrorKind,
}

impl Read for Conn<'_> {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        if Some(self.pos) == self.cut {
            if self.kind == io::ErrorKind::UnexpectedEof {
                return Ok(0);
            }
            self.cut = None;
            return Err(self.kind.into());
        }
        let end = (self.pos + b.len().min(self.chunk))
            .min(self.data.len())
            .min(self.cut.unwrap_or(usize::MAX));
        let n = end - self.pos;
        b[..n].copy_from_slice(&self.data[self.pos..end]);
        self.pos = end;
        Ok(n)
    }
}

/// Field fault (the original library's headline feature, in its intended case): when the
/// connection drops mid-block, `read_position()` must count every byte the reader handed out,
/// so that a new connection opened there continues the stream exactly. Every cut point (a
/// stride through the stream plus every block boundary) × reader chunk sizes × error kinds ×
/// linked / independent frames ends with exactly the data.
#[test]
fn a_dropped_connection_resumes_at_read_position_from_any_cut_point() {
    let data = common::mixed(200_000, 5);
    for mode in [BlockMode::Linked, BlockMode::Independent] {
        let s = FrameSettings::new()
            .block_mode(mode)
            .block_size(BlockSize::Max64KB)
            .content_checksum(true)
            .block_checksum(mode == BlockMode::Independent);
        let frame = lz4framed::compress_with(&data, &s).unwrap();
        let mut cuts: Vec<usize> = (1..frame.len()).step_by(1_777).collect();
        // Block boundaries (header offsets) and the bytes around them.
        let mut at = 7 + 8; // magic, FLG, BD, content size, header checksum
        while at + 4 <= frame.len() {
            cuts.extend([at - 1, at, at + 1, at + 3]);
            let h = u32::from_le_bytes(frame[at..at + 4].try_into().unwrap());
            if h == 0 {
                break;
            }
            at += 4 + (h & 0x7FFF_FFFF) as usize + if s.get_block_checksum() { 4 } else { 0 };
        }
        for &cut in &cuts {
            for chunk in [1000, 7, 65_536] {
                for kind in [
                    io::ErrorKind::ConnectionReset,
                    io::ErrorKind::WouldBlock,
                    io::ErrorKind::UnexpectedEof,
                ] {
                    let conn = Conn {
                        data: &frame,
                        pos: 0,
                        chunk,
                        cut: Some(cut),
                        kind,
                    };
                    let mut dec = FrameDecoder::new(conn);
                    let mut out = Vec::new();
                    let err = dec.read_to_end(&mut out).expect_err(&format!(
                        "{mode:?} cut {cut} chunk {chunk} {kind:?} of {}",
                        frame.len()
                    ));
                    assert_eq!(err.kind(), kind, "{mode:?} cut {cut} chunk {chunk}");
                    let pos = dec.read_position() as usize;
                    assert_eq!(pos, cut, "{mode:?} cut {cut} chunk {chunk} {kind:?}");
                    dec.replace_reader(Conn {
                        data: &frame,
                        pos,
                        chunk,
                        cut: None,
                        kind,
                    });
                    dec.read_to_end(&mut out).unwrap();
                    assert!(out == data, "{mode:?} cut {cut} chunk {chunk} {kind:?}");
                }
            }
        }
    }
}

/// A writer whose `write` calls fail or accept only part of what they are given, by a plan.
struct Flaky {
    out: Vec<u8>,
    calls: usize,
    /// Calls (0-based) that fail with WouldBlock.
    refuse: Vec<usize>,
    /// Most bytes accepted per call.
    at_most: usize,
}

impl Write for Flaky {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let call = self.calls;
        self.calls += 1;
        if self.refuse.contains(&call) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = b.len().min(self.at_most);
        self.out.extend_from_slice(&b[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `write` the data in pieces of `piece`, retrying the same bytes after an error as
/// `io::Write` allows; then `try_finish` until it succeeds.
fn write_with_retries(enc: &mut FrameEncoder<Flaky>, data: &[u8], piece: usize) {
    for chunk in data.chunks(piece) {
        let mut off = 0;
        let mut tries = 0;
        while off < chunk.len() {
            match enc.write(&chunk[off..]) {
                Ok(n) => off += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => tries += 1,
                Err(e) => panic!("{e}"),
            }
            assert!(tries < 1000, "no progress");
        }
    }
    let mut tries = 0;
    while let Err(e) = enc.try_finish() {
        assert!(matches!(&e, lz4framed::Error::Io(io) if io.kind() == io::ErrorKind::WouldBlock));
        tries += 1;
        assert!(tries < 1000, "no progress");
    }
}

/// Field fault: `FrameEncoder::write` took the input and then returned the writer's error, so
/// a caller retrying the same bytes got them twice (in a valid frame) or a corrupt frame. An
/// error now means nothing was taken: with a writer that refuses at any one call, refuses
/// several calls, or takes only part of each write, any retry pattern gives exactly the input,
/// and the C library's frame decoder agrees.
#[test]
fn writer_errors_and_partial_writes_never_duplicate_or_lose_input() {
    let data: Vec<u8> = (0..400_000u32)
        .map(|i| (i % 251) as u8 ^ (i / 7919) as u8)
        .collect();
    let settings = [
        FrameSettings::new(),
        FrameSettings::new()
            .block_mode(BlockMode::Independent)
            .block_size(BlockSize::Max256KB)
            .content_checksum(true),
    ];
    // How many write calls an unhindered run makes, to fail at each of them.
    let calls = {
        let mut enc = FrameEncoder::with_settings(
            Flaky {
                out: Vec::new(),
                calls: 0,
                refuse: Vec::new(),
                at_most: usize::MAX,
            },
            &settings[0],
        )
        .unwrap();
        write_with_retries(&mut enc, &data, 50_000);
        enc.get_ref().calls
    };
    assert!(calls > 3);
    for s in &settings {
        let mut plans: Vec<(Vec<usize>, usize)> =
            (0..calls).map(|k| (vec![k], usize::MAX)).collect();
        plans.push(((0..calls * 2).step_by(2).collect(), usize::MAX));
        plans.push((Vec::new(), 1000));
        plans.push((vec![1, 2, 3, 5, 8], 3333));
        for (refuse, at_most) in plans {
            for piece in [50_000, 7_000, 400_000] {
                let mut enc = FrameEncoder::with_settings(
                    Flaky {
                        out: Vec::new(),
                        calls: 0,
                        refuse: refuse.clone(),
                        at_most,
                    },
                    s,
                )
                .unwrap();
                write_with_retries(&mut enc, &data, piece);
                let frame = enc.finish().unwrap().out;
                let back = decompress_frames(&frame, None)
                    .unwrap_or_else(|e| panic!("refuse {refuse:?}, at most {at_most}: {e}"));
                assert!(
                    back == data,
                    "refuse {refuse:?} at most {at_most} piece {piece}"
                );
                assert!(lz4framed::decompress(&frame).unwrap() == data);
            }
        }
    }
}

/// Writing more than a declared content size is the caller's mistake: `InvalidInput`, and
/// nothing is taken.
#[test]
fn a_write_past_the_declared_content_size_is_invalid_input() {
    let s = FrameSettings::new().content_size(Some(10));
    let mut enc = FrameEncoder::with_settings(Vec::new(), &s).unwrap();
    enc.write_all(b"0123456").unwrap();
    let e = enc.write(b"789abc").unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
    enc.write_all(b"789").unwrap();
    let frame = enc.finish().unwrap();
    assert_eq!(decompress_frames(&frame, None).unwrap(), b"0123456789");
}

/// `auto_finish` writes the end of the frame when dropped; `finish` after `try_finish` and
/// writes after a finished frame are handled.
#[test]
fn auto_finish_and_try_finish() {
    let mut frame = Vec::new();
    {
        let mut enc = FrameEncoder::new(&mut frame).auto_finish();
        enc.write_all(b"dropped, not lost").unwrap();
    }
    assert_eq!(
        decompress_frames(&frame, None).unwrap(),
        b"dropped, not lost"
    );
    let mut enc = FrameEncoder::new(Vec::new());
    enc.write_all(b"twice").unwrap();
    enc.try_finish().unwrap();
    assert!(enc.write(b"more").is_err());
    let frame = enc.finish().unwrap();
    assert_eq!(lz4framed::decompress(&frame).unwrap(), b"twice");
}

/// A reader that must not be called.
struct Untouchable;

impl Read for Untouchable {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("read called"))
    }
}

/// `read(&mut [])` returns `Ok(0)` at once, without reading or decoding.
#[test]
fn an_empty_read_reads_nothing() {
    let mut dec = FrameDecoder::new(Untouchable);
    assert_eq!(dec.read(&mut []).unwrap(), 0);
    assert_eq!(dec.read_position(), 0);
}

/// Single-frame mode: a frame embedded in a container (followed by other data) is read to its
/// end and the reader is left exactly after it; skippable frames before it are skipped; a
/// legacy frame ends at the next magic number. The default mode reads every frame.
#[test]
fn single_frame_mode_stops_at_the_end_of_the_frame() {
    let data = common::text_like(300_000, 3);
    for s in [
        FrameSettings::new(),
        FrameSettings::new()
            .block_mode(BlockMode::Independent)
            .content_checksum(true)
            .block_checksum(true),
        FrameSettings::new().content_size(None),
    ] {
        let mut container = vec![0x50, 0x2A, 0x4D, 0x18, 2, 0, 0, 0, 1, 2];
        container.extend(lz4framed::compress_with(&data, &s).unwrap());
        let frame_end = container.len();
        container.extend(lz4framed::compress(b"second frame"));
        container.extend_from_slice(b"and the rest");
        for buf_size in [1, 4096, 1 << 20] {
            let mut input = &container[..];
            let mut dec = FrameDecoder::new(&mut input).single_frame();
            let mut out = Vec::new();
            let mut buf = vec![0u8; buf_size];
            loop {
                let n = dec.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert!(out == data);
            assert_eq!(dec.read_position() as usize, frame_end);
            drop(dec);
            assert_eq!(input.len(), container.len() - frame_end);
            // The next frame, from where the reader was left.
            let mut next = String::new();
            FrameDecoder::new(&mut input)
                .single_frame()
                .read_to_string(&mut next)
                .unwrap();
            assert_eq!(next, "second frame");
            assert_eq!(input, b"and the rest");
        }
    }
    // A legacy frame followed by a standard frame.
    let mut legacy = common::legacy_frame(&data);
    legacy.extend(lz4framed::compress(b"after legacy"));
    let mut input = &legacy[..];
    let mut dec = FrameDecoder::new(&mut input).single_frame();
    let mut out = Vec::new();
    dec.read_to_end(&mut out).unwrap();
    assert!(out == data);
    assert_eq!(dec.buffered_input(), &lz4framed::frame::MAGIC.to_le_bytes());
}

/// Frames made by the C library (LZ4F) of each `(bytes, block size ID, linked, content
/// checksum)`, concatenated (with block checksums in the independent ones when
/// `independent_block_checksums`), and the bytes they hold.
fn c_made_stream(
    parts: &[(Vec<u8>, u8, bool, bool)],
    independent_block_checksums: bool,
) -> (Vec<u8>, Vec<u8>) {
    use lz4framed_backend_c::frame::{compress_frame, CFrameOptions};
    let mut stream = Vec::new();
    let mut data = Vec::new();
    for (bytes, block_size_id, linked, content_checksum) in parts {
        let opts = CFrameOptions {
            block_size_id: *block_size_id,
            linked: *linked,
            content_checksum: *content_checksum,
            block_checksum: independent_block_checksums && !*linked,
            ..CFrameOptions::default()
        };
        stream.extend(compress_frame(bytes, &opts));
        data.extend_from_slice(bytes);
    }
    (stream, data)
}

/// `FrameDecoder` over a stream of frames made by the C library (LZ4F): linked frames of
/// 64 KiB and 256 KiB blocks, with a content checksum, with stored (incompressible) blocks, and
/// independent frames between them. Every read size takes its path: small reads decode a
/// linked block in place in the window's buffer and copy it out, reads of 256 KiB and more
/// decode straight into the caller's buffer; reads of changing sizes mix both, and `BufRead`
/// pieces, clones and checkpoints taken while a block's output is half read out yield what
/// follows. Truth: the original bytes.
#[test]
fn frame_decoder_every_read_size_over_linked_and_independent_frames() {
    use lz4framed::Decompressor;
    use std::io::BufRead;

    let parts: Vec<(Vec<u8>, u8, bool, bool)> = vec![
        (common::text_like(700_000, 71), 4, true, true),
        (common::mixed(300_000, 72), 6, false, false),
        (common::random_bytes(200_000, 73), 4, true, false),
        (common::mixed(900_000, 74), 5, true, true),
        (common::text_like(100_000, 75), 4, true, false),
    ];
    let (stream, data) = c_made_stream(&parts, false);
    for size in [
        1,
        999,
        65_535,
        65_536,
        65_537,
        131_072,
        262_143,
        262_144,
        300_000,
        1 << 20,
        4 << 20,
    ] {
        let mut dec = FrameDecoder::new(&stream[..]);
        let mut out = Vec::new();
        let mut buf = vec![0u8; size];
        loop {
            let n = dec.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert!(out == data, "reads of {size}");
    }
    // Changing read sizes, BufRead pieces, and now and then a clone and a checkpoint (with the
    // input reopened where the decompressor stands) that must yield the rest.
    let mut dec = FrameDecoder::new(&stream[..]);
    let mut out = Vec::new();
    let mut state = 12345u64;
    let mut checks = 0;
    for i in 0.. {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let size = [1, 5_000, 65_536, 100_000, 262_144, 500_000][(state >> 60) as usize % 6];
        let n = if i % 3 == 0 {
            let piece = dec.fill_buf().unwrap();
            let n = piece.len().min(size);
            out.extend_from_slice(&piece[..n]);
            dec.consume(n);
            n
        } else {
            let mut buf = vec![0u8; size];
            let n = dec.read(&mut buf).unwrap();
            out.extend_from_slice(&buf[..n]);
            n
        };
        if n == 0 {
            break;
        }
        assert_eq!(dec.output_position(), out.len() as u64);
        if i % 2 == 1 && checks < 12 && !dec.buffered_output().is_empty() {
            checks += 1;
            let mut rest = Vec::new();
            dec.clone().read_to_end(&mut rest).unwrap();
            assert!(rest == data[out.len()..], "clone after {} bytes", out.len());
            let at = dec.decompressor().compressed_position() as usize;
            let restored = Decompressor::from_checkpoint(&dec.checkpoint()).unwrap();
            let mut dec2 = FrameDecoder::with_decompressor(&stream[at..], restored);
            assert_eq!(dec2.output_position(), out.len() as u64);
            let mut rest = Vec::new();
            dec2.read_to_end(&mut rest).unwrap();
            assert!(
                rest == data[out.len()..],
                "checkpoint after {} bytes",
                out.len()
            );
        }
    }
    assert!(
        checks >= 6,
        "only {checks} checkpoints with buffered output"
    );
    assert!(out == data);
}

/// `FrameDecoder::with_buffer` decodes units straight from the reader's own buffer when it
/// holds them whole, and gathers them into its own buffer otherwise: over a stream of C-made
/// frames (linked and independent, stored blocks, checksums), from a slice and from
/// `BufReader`s of every capacity around the block sizes over a reader that hands out few
/// bytes per read, every read size yields the original bytes, consumes the reader exactly to
/// the end and counts every byte in `read_position`. A connection dropped mid-stream resumes
/// at `read_position` as with `FrameDecoder::new`.
#[test]
fn with_buffer_decodes_alike_from_any_reader_buffer() {
    use std::io::BufReader;

    let parts: Vec<(Vec<u8>, u8, bool, bool)> = vec![
        (common::text_like(300_000, 81), 4, true, true),
        (common::random_bytes(100_000, 82), 4, false, false),
        (common::mixed(500_000, 83), 5, true, false),
        (common::mixed(200_000, 84), 4, false, true),
    ];
    let (stream, data) = c_made_stream(&parts, true);
    fn drain<R: Read>(mut dec: FrameDecoder<R>, size: usize) -> (Vec<u8>, u64) {
        let mut out = Vec::new();
        let mut buf = vec![0u8; size];
        loop {
            let n = dec.read(&mut buf).unwrap();
            if n == 0 {
                return (out, dec.read_position());
            }
            out.extend_from_slice(&buf[..n]);
        }
    }
    for size in [1, 65_536, 1 << 20] {
        let mut input = &stream[..];
        let (out, pos) = drain(FrameDecoder::with_buffer(&mut input), size);
        assert!(out == data, "slice, reads of {size}");
        assert_eq!((pos, input.len()), (stream.len() as u64, 0));
        for capacity in [1, 7, 4_096, 65_535, 65_544, 300_000] {
            let conn = Conn {
                data: &stream,
                pos: 0,
                chunk: 50_000,
                cut: None,
                kind: io::ErrorKind::UnexpectedEof,
            };
            let reader = BufReader::with_capacity(capacity, conn);
            let (out, pos) = drain(FrameDecoder::with_buffer(reader), size);
            assert!(out == data, "BufReader of {capacity}, reads of {size}");
            assert_eq!(pos, stream.len() as u64);
        }
    }
    for cut in (1..stream.len()).step_by(97_001) {
        for capacity in [4_096, 300_000] {
            let conn = Conn {
                data: &stream,
                pos: 0,
                chunk: 65_536,
                cut: Some(cut),
                kind: io::ErrorKind::ConnectionReset,
            };
            let mut dec = FrameDecoder::with_buffer(BufReader::with_capacity(capacity, conn));
            let mut out = Vec::new();
            let err = dec.read_to_end(&mut out).expect_err("cut");
            assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
            let pos = dec.read_position() as usize;
            assert_eq!(pos, cut, "cut {cut}, capacity {capacity}");
            dec.replace_reader(BufReader::with_capacity(
                capacity,
                Conn {
                    data: &stream,
                    pos,
                    chunk: 65_536,
                    cut: None,
                    kind: io::ErrorKind::ConnectionReset,
                },
            ));
            dec.read_to_end(&mut out).unwrap();
            assert!(out == data, "cut {cut}, capacity {capacity}");
        }
    }
}

/// Single-frame mode from the reader's buffer: the reader is left exactly after the frame
/// (for a legacy frame, at the next magic number, which stays in the reader), and errors of
/// damaged input are those of `FrameDecoder::new`.
#[test]
fn with_buffer_single_frame_and_errors_match_the_copying_decoder() {
    let data = common::text_like(200_000, 9);
    let mut container = lz4framed::compress(&data);
    let frame_end = container.len();
    container.extend_from_slice(b"trailer");
    let mut input = &container[..];
    let mut out = Vec::new();
    let mut dec = FrameDecoder::with_buffer(&mut input).single_frame();
    dec.read_to_end(&mut out).unwrap();
    assert!(out == data);
    assert_eq!(dec.read_position() as usize, frame_end);
    drop(dec);
    assert_eq!(input, b"trailer");

    let mut legacy = common::legacy_frame(&data);
    let legacy_end = legacy.len();
    legacy.extend(lz4framed::compress(b"after legacy"));
    let mut input = &legacy[..];
    let mut dec = FrameDecoder::with_buffer(&mut input).single_frame();
    out.clear();
    dec.read_to_end(&mut out).unwrap();
    assert!(out == data);
    assert!(dec.buffered_input().is_empty());
    drop(dec);
    assert_eq!(input.len(), legacy.len() - legacy_end);
    assert_eq!(&input[..4], &lz4framed::frame::MAGIC.to_le_bytes());

    let frame = lz4framed::compress(&data);
    for at in (0..frame.len()).step_by(3_001) {
        let mut damaged = frame.clone();
        damaged[at] ^= 0x40;
        for cut in [damaged.len(), at + 1] {
            let input = &damaged[..cut];
            let mut a = Vec::new();
            let mut b = Vec::new();
            let ra = FrameDecoder::new(input).read_to_end(&mut a);
            let rb = FrameDecoder::with_buffer(input).read_to_end(&mut b);
            match (ra, rb) {
                (Ok(_), Ok(_)) => {}
                (Err(ea), Err(eb)) => {
                    assert_eq!(ea.kind(), eb.kind(), "byte {at} cut {cut}");
                    assert_eq!(ea.to_string(), eb.to_string(), "byte {at} cut {cut}");
                }
                (ra, rb) => panic!("byte {at} cut {cut}: {ra:?} / {rb:?}"),
            }
            assert!(a == b, "byte {at} cut {cut}");
        }
    }
}
