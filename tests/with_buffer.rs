//! `FrameDecoder::with_buffer` (decoding each unit straight from a `BufRead` reader's own buffer)
//! tried as a new user would: over odd but legal `BufRead` implementations (a buffer that holds
//! 1 byte, or a few, or that grows on every `fill_buf`, transient `Interrupted` / `WouldBlock`
//! errors now and then, `Take`, `Chain`, `&mut` readers, `Cursor`, `BufReader` of every
//! capacity around the block sizes), over every kind of frame (linked and independent blocks,
//! stored blocks, block and content checksums, skippable, legacy, empty and concatenated frames,
//! dictionaries, frames of the C library and of the `lz4` tool), damaged and truncated input.
//!
//! The truths: the original bytes; `FrameDecoder::new` on the same input, for the bytes each
//! read returns, the positions and the errors; the reader itself, for how much was consumed
//! from it (`read_position` must always equal it, so `replace_reader` continues exactly).

use std::io::{self, BufRead, BufReader, Cursor, Read};

mod common;

use lz4framed::{Decompressor, Dictionary, FrameDecoder};
use lz4framed_backend_c::frame::{compress_frame, CFrameOptions};

/// A `BufRead` over `data` whose buffer is odd but legal: `fill_buf` exposes at most `chunk`
/// new bytes per fill (so 1 byte at a time with `chunk: 1`), tops the buffer up by another
/// `chunk` on every call when `grow` (a buffer that fills further although it is not empty),
/// and fails with `fault` on about one call of `fill_buf` or `read` in `fault_every` (0: never;
/// pseudo-random, not periodic, so that no reader call pattern of the decoder always meets
/// one), whatever it holds. At `cut`, with nothing held, it fails with `ConnectionReset` for good.
/// Consuming more than `fill_buf` returned panics: the decoder must never do it.
struct OddReader<'a> {
    data: &'a [u8],
    pos: usize,
    held: usize,
    chunk: usize,
    grow: bool,
    /// The fault generator's state.
    calls: u64,
    fault_every: u64,
    fault: io::ErrorKind,
    cut: Option<usize>,
}

impl<'a> OddReader<'a> {
    fn new(data: &'a [u8], chunk: usize) -> Self {
        OddReader {
            data,
            pos: 0,
            held: 0,
            chunk,
            grow: false,
            calls: 0x9E37_79B9_7F4A_7C15,
            fault_every: 0,
            fault: io::ErrorKind::Interrupted,
            cut: None,
        }
    }

    fn grow(mut self, grow: bool) -> Self {
        self.grow = grow;
        self
    }

    fn faults(mut self, every: u64, kind: io::ErrorKind) -> Self {
        self.fault_every = every;
        self.fault = kind;
        self
    }

    fn cut(mut self, at: usize) -> Self {
        self.cut = Some(at);
        self
    }

    /// Bytes consumed from the reader so far.
    fn consumed(&self) -> usize {
        self.pos
    }
}

impl BufRead for OddReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // xorshift64
        self.calls ^= self.calls << 13;
        self.calls ^= self.calls >> 7;
        self.calls ^= self.calls << 17;
        if self.fault_every > 0 && self.calls % self.fault_every == 0 {
            return Err(self.fault.into());
        }
        if self.held == 0 && Some(self.pos) == self.cut {
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        if self.held == 0 || self.grow {
            let end = self
                .cut
                .unwrap_or(usize::MAX)
                .max(self.pos)
                .min(self.data.len());
            self.held = (self.held + self.chunk).min(end - self.pos);
        }
        Ok(&self.data[self.pos..self.pos + self.held])
    }

    fn consume(&mut self, n: usize) {
        assert!(
            n <= self.held,
            "consumed {n} bytes at {} where fill_buf returned {}",
            self.pos,
            self.held
        );
        self.pos += n;
        self.held -= n;
    }
}

impl Read for OddReader<'_> {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(b.len());
        b[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// An error the caller retries: `WouldBlock`. (`Interrupted` is not: `FrameDecoder::new` retries
/// it inside, as `read_exact` does, and never returns it, so neither may `with_buffer`.)
fn transient(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock
}

/// Read `dec` to its end in reads of `size`, retrying `WouldBlock` (a run of 100 of them that
/// neither output nor read anything is a hang); `check` runs after every call. Returns the
/// output and the first other error, if any.
fn drain<R: Read>(
    dec: &mut FrameDecoder<R>,
    size: usize,
    mut check: impl FnMut(&FrameDecoder<R>),
) -> (Vec<u8>, Option<io::Error>) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; size];
    let mut idle = 0;
    let mut read = dec.read_position();
    loop {
        let r = dec.read(&mut buf);
        check(dec);
        match r {
            Ok(0) => return (out, None),
            Ok(n) => {
                idle = 0;
                out.extend_from_slice(&buf[..n]);
            }
            Err(e) if transient(&e) => {
                idle = if dec.read_position() == read {
                    idle + 1
                } else {
                    0
                };
                read = dec.read_position();
                assert!(
                    idle < 100,
                    "no progress after {idle} transient errors: {dec:?}"
                );
            }
            Err(e) => return (out, Some(e)),
        }
    }
}

/// One frame of a test stream: its bytes and what they decode to.
struct Part {
    what: &'static str,
    frame: Vec<u8>,
    data: Vec<u8>,
}

fn c_frame(what: &'static str, data: Vec<u8>, opts: CFrameOptions<'_>) -> Part {
    Part {
        what,
        frame: compress_frame(&data, &opts),
        data,
    }
}

/// Frames of every kind: the C library's with every block mode, size and checksum, stored
/// blocks, an empty frame, skippable frames (empty and not), a legacy frame, our own frames.
fn parts() -> Vec<Part> {
    let base = CFrameOptions::default();
    let mut skippable = 0x184D_2A53u32.to_le_bytes().to_vec();
    skippable.extend_from_slice(&70_000u32.to_le_bytes());
    skippable.extend(common::random_bytes(70_000, 7));
    let legacy_data = common::mixed(150_000, 8);
    vec![
        c_frame(
            "64K linked",
            common::text_like(200_000, 1),
            CFrameOptions {
                content_checksum: true,
                ..base
            },
        ),
        c_frame(
            "64K independent, block checksums, stored blocks",
            common::random_bytes(140_000, 2),
            CFrameOptions {
                linked: false,
                block_checksum: true,
                content_size: true,
                ..base
            },
        ),
        Part {
            what: "skippable",
            frame: skippable,
            data: Vec::new(),
        },
        c_frame(
            "256K linked, both checksums",
            common::mixed(600_000, 3),
            CFrameOptions {
                block_size_id: 5,
                content_checksum: true,
                block_checksum: true,
                level: 9,
                ..base
            },
        ),
        c_frame("empty", Vec::new(), base),
        Part {
            what: "empty skippable",
            frame: [0x184D_2A5Fu32.to_le_bytes(), 0u32.to_le_bytes()].concat(),
            data: Vec::new(),
        },
        c_frame(
            "1M independent, content size",
            common::mixed(1_100_000, 4),
            CFrameOptions {
                block_size_id: 6,
                linked: false,
                content_size: true,
                ..base
            },
        ),
        Part {
            what: "legacy",
            frame: common::legacy_frame(&legacy_data),
            data: legacy_data,
        },
        Part {
            what: "ours, defaults",
            frame: lz4framed::compress(&common::text_like(90_000, 5)),
            data: common::text_like(90_000, 5),
        },
    ]
}

/// The whole stream of `parts` and its decoded bytes.
fn stream(parts: &[Part]) -> (Vec<u8>, Vec<u8>) {
    let mut s = Vec::new();
    let mut d = Vec::new();
    for p in parts {
        s.extend_from_slice(&p.frame);
        d.extend_from_slice(&p.data);
    }
    (s, d)
}

/// Over odd buffers (1 byte, a few, around the block sizes, growing) with and without
/// transient errors, every read size yields the original bytes, and after every call
/// `read_position` is exactly what was consumed from the reader, which ends fully consumed.
#[test]
fn odd_buf_readers_yield_the_original_bytes_and_read_position_is_what_was_consumed() {
    let parts = parts();
    let (stream, data) = stream(&parts);
    let chunks = [
        1,
        3,
        4,
        7,
        8,
        65_535,
        65_536 + 4,
        65_536 + 8,
        262_144 + 8,
        1 << 22,
    ];
    let faults = [
        (0, io::ErrorKind::Interrupted),
        (2, io::ErrorKind::Interrupted),
        (3, io::ErrorKind::WouldBlock),
        (7, io::ErrorKind::WouldBlock),
    ];
    let mut runs = 0;
    for (i, &chunk) in chunks.iter().enumerate() {
        for grow in [false, true] {
            for (j, &(every, kind)) in faults.iter().enumerate() {
                // Every combination of buffer and fault, read sizes in turn (one byte reads
                // only with the larger buffers, to keep the run short).
                let sizes = [1usize, 4_096, 65_536, 1 << 20, 5 << 20];
                let size = sizes[(i + j + grow as usize) % sizes.len()];
                let size = if size == 1 && chunk < 1000 { 300 } else { size };
                let reader = OddReader::new(&stream, chunk)
                    .grow(grow)
                    .faults(every, kind);
                let mut dec = FrameDecoder::with_buffer(reader);
                let (out, err) = drain(&mut dec, size, |d| {
                    assert_eq!(
                        d.read_position(),
                        d.get_ref().consumed() as u64,
                        "chunk {chunk} grow {grow} faults {every}/{kind:?} reads {size}"
                    )
                });
                let what =
                    format!("chunk {chunk} grow {grow} faults {every}/{kind:?} reads {size}");
                assert!(err.is_none(), "{what}: {err:?}");
                assert!(out == data, "{what}: output differs");
                assert_eq!(dec.get_ref().consumed(), stream.len(), "{what}");
                assert_eq!(dec.output_position(), data.len() as u64, "{what}");
                assert_eq!(
                    dec.decompressor().compressed_position(),
                    stream.len() as u64,
                    "{what}"
                );
                runs += 1;
            }
        }
    }
    assert_eq!(runs, chunks.len() * 2 * faults.len());
}

/// Standard readers of every shape: each read returns exactly what `FrameDecoder::new` returns
/// for the same read on a plain slice, with the same output and compressed positions after it;
/// at the end the reader is consumed to its end and `read_position` is the stream's length.
#[test]
fn std_readers_return_what_new_returns_read_by_read() {
    let parts = parts();
    let (stream, data) = stream(&parts);
    let half = stream.len() / 2 + 13;

    fn compare<R: BufRead>(what: &str, reader: R, stream: &[u8], data: &[u8], size: usize) -> R {
        let mut a = FrameDecoder::new(stream);
        let mut b = FrameDecoder::with_buffer(reader);
        let mut ba = vec![0u8; size];
        let mut bb = vec![0u8; size];
        let mut out = Vec::new();
        for call in 0.. {
            let na = a.read(&mut ba).unwrap();
            let nb = b
                .read(&mut bb)
                .unwrap_or_else(|e| panic!("{what}, reads of {size}: {e}"));
            assert_eq!(na, nb, "{what}, reads of {size}, call {call}");
            assert!(ba[..na] == bb[..nb], "{what}, reads of {size}, call {call}");
            assert_eq!(
                a.output_position(),
                b.output_position(),
                "{what} call {call}"
            );
            assert_eq!(
                a.decompressor().compressed_position(),
                b.decompressor().compressed_position(),
                "{what}, reads of {size}, call {call}"
            );
            out.extend_from_slice(&bb[..nb]);
            if nb == 0 {
                break;
            }
        }
        assert!(out == data, "{what}, reads of {size}");
        assert_eq!(b.read_position(), stream.len() as u64, "{what}");
        assert_eq!(a.read_position(), b.read_position(), "{what}");
        b.into_inner()
    }

    for size in [1_000, 65_536, 3 << 20] {
        compare("Cursor", Cursor::new(&stream), &stream, &data, size);
        let mut slice = &stream[..];
        compare("&mut &[u8]", &mut slice, &stream, &data, size);
        assert!(slice.is_empty());
        for capacity in [
            1,
            4,
            8,
            65_536,
            65_536 + 4,
            65_536 + 8,
            262_144 + 8,
            1 << 20,
        ] {
            let r = compare(
                &format!("BufReader({capacity})"),
                BufReader::with_capacity(capacity, &stream[..]),
                &stream,
                &data,
                size,
            );
            assert!(r.buffer().is_empty() && r.into_inner().is_empty());
        }
        let chain = (&stream[..half]).chain(&stream[half..]);
        compare("Chain", chain, &stream, &data, size);
        let chain = BufReader::with_capacity(65_536, &stream[..half])
            .chain(BufReader::with_capacity(10_000, &stream[half..]));
        compare("Chain of BufReaders", chain, &stream, &data, size);
        let take = (&stream[..])
            .chain(&b"not part of it"[..])
            .take(stream.len() as u64);
        let take = compare("Take", take, &stream, &data, size);
        assert_eq!(take.limit(), 0);
    }
}

/// A `Take` whose limit runs out anywhere (mid-frame, between frames, inside a magic number)
/// and is then raised (the same reader, continuing): each read returns what
/// `FrameDecoder::new` returns on the same `Take` over a slice — the bytes, or the same error —,
/// and reading on after the limit is raised ends with exactly the original bytes.
#[test]
fn a_take_whose_limit_is_raised_reads_on() {
    let parts = parts();
    let (stream, data) = stream(&parts);

    /// The reads until the stream's end, the limit raised by `step` whenever the decoder
    /// reports the end (`Ok(0)` or an error): what each returned, as text.
    fn run<R: BufRead>(
        mut dec: FrameDecoder<io::Take<R>>,
        step: u64,
        total: u64,
    ) -> (Vec<u8>, Vec<String>) {
        let mut out = Vec::new();
        let mut events = Vec::new();
        let mut buf = vec![0u8; 100_000];
        let mut limit = step;
        loop {
            match dec.read(&mut buf) {
                Ok(n) if n > 0 => {
                    out.extend_from_slice(&buf[..n]);
                    events.push(format!("{n} bytes"));
                    continue;
                }
                Ok(_) if limit >= total => return (out, events),
                Ok(_) => events.push("end".into()),
                Err(e) => {
                    assert!(limit < total, "error past the end: {e}");
                    events.push(format!("{:?}: {e}", e.kind()));
                }
            }
            assert_eq!(
                dec.read_position(),
                limit,
                "read_position at the end of the limit"
            );
            limit += step;
            dec.get_mut().set_limit(step);
        }
    }

    let total = stream.len() as u64;
    for step in [1u64, 999, 65_537, 400_000] {
        let (want, want_events) = run(FrameDecoder::new((&stream[..]).take(step)), step, total);
        assert!(want == data, "new, step {step}");
        for capacity in [1usize, 65_536 + 8, 1 << 22] {
            let inner = BufReader::with_capacity(capacity, &stream[..]);
            let (got, events) = run(FrameDecoder::with_buffer(inner.take(step)), step, total);
            assert!(got == data, "step {step} capacity {capacity}");
            assert_eq!(events, want_events, "step {step} capacity {capacity}");
        }
    }
}

/// A connection that drops (for good) anywhere: the new one, opened at `read_position`,
/// continues the stream exactly, whatever buffer the readers have; a checkpoint taken after any
/// read, restored into a `with_buffer` decoder on the input reopened at the decompressor's
/// compressed position, yields exactly the rest; a clone taken after any read yields the same
/// rest as the original.
#[test]
fn resume_checkpoint_and_clone_mid_stream() {
    let parts = parts();
    let (stream, data) = stream(&parts);
    for (k, cut) in (1..stream.len()).step_by(61_357).enumerate() {
        let chunk = [1, 5, 65_536 + 8, 1 << 20][k % 4];
        let mut dec = FrameDecoder::with_buffer(OddReader::new(&stream, chunk).cut(cut));
        let (mut out, err) = drain(&mut dec, 50_000, |_| {});
        let err = err.expect("the cut");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        let pos = dec.read_position() as usize;
        assert_eq!(pos, cut, "chunk {chunk}");
        assert_eq!(dec.output_position() as usize, out.len());
        dec.replace_reader(OddReader::new(&stream[pos..], chunk));
        let (rest, err) = drain(&mut dec, 50_000, |_| {});
        assert!(err.is_none(), "cut {cut}: {err:?}");
        out.extend(rest);
        assert!(out == data, "cut {cut} chunk {chunk}");
    }

    // Checkpoints and clones after every read of a decoder over a slice.
    let mut dec = FrameDecoder::with_buffer(&stream[..]);
    let mut buf = vec![0u8; 150_001];
    let mut out = Vec::new();
    let mut checks = 0;
    loop {
        let n = dec.read(&mut buf).unwrap();
        out.extend_from_slice(&buf[..n]);
        if n == 0 {
            break;
        }
        checks += 1;
        let at = dec.output_position() as usize;
        assert_eq!(at, out.len());
        let restored = Decompressor::from_checkpoint(&dec.checkpoint()).unwrap();
        let reopen = dec.decompressor().compressed_position() as usize;
        let mut r =
            FrameDecoder::with_decompressor(&stream[reopen..], restored).decode_in_reader_buffer();
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert!(rest == data[at..], "checkpoint after {at} output bytes");
        let mut c = dec.clone();
        let mut rest = Vec::new();
        c.read_to_end(&mut rest).unwrap();
        assert!(rest == data[at..], "clone after {at} output bytes");
    }
    assert!(checks > 10);
    assert!(out == data);
}

/// Damaged and truncated input through odd readers: the same output and the same error (kind
/// and message) as `FrameDecoder::new` on a slice, never a panic or hang.
#[test]
fn damaged_and_truncated_input_fails_as_new_does() {
    let parts = parts();
    let (stream, _) = stream(&parts);
    let mut k = 0usize;
    for at in (0..stream.len()).step_by(8_191) {
        let mut damaged = stream.clone();
        damaged[at] ^= 1 << (at % 8);
        for cut in [damaged.len(), at + 1, at.saturating_sub(3)] {
            let input = &damaged[..cut];
            let mut a = FrameDecoder::new(input);
            let (want, want_err) = drain(&mut a, 65_536, |_| {});
            k += 1;
            let chunk = [1usize, 4, 65_536 + 8, 1 << 22][k % 4];
            let faults = [0u64, 3][k / 4 % 2];
            let reader = OddReader::new(input, chunk)
                .grow(k % 3 == 0)
                .faults(faults, io::ErrorKind::WouldBlock);
            let mut b = FrameDecoder::with_buffer(reader);
            let (got, got_err) = drain(&mut b, 65_536, |d| {
                assert_eq!(d.read_position(), d.get_ref().consumed() as u64)
            });
            let what = format!("byte {at} flipped, cut at {cut}, chunk {chunk}");
            match (&want_err, &got_err) {
                (None, None) => {}
                (Some(ea), Some(eb)) => {
                    assert_eq!(ea.kind(), eb.kind(), "{what}");
                    assert_eq!(ea.to_string(), eb.to_string(), "{what}");
                }
                _ => panic!("{what}: new {want_err:?}, with_buffer {got_err:?}"),
            }
            assert!(want == got, "{what}: output differs");
            assert_eq!(
                a.decompressor().compressed_position(),
                b.decompressor().compressed_position(),
                "{what}"
            );
        }
    }
}

/// Single-frame mode over every kind of frame and odd readers: the frame's bytes, and the
/// reader left exactly after the frame — what the decoder holds (`buffered_input`, only the
/// next magic number after a legacy frame) followed by what the reader still holds is exactly
/// what follows the frame, and `read_position` counts what was taken.
#[test]
fn single_frame_leaves_the_rest_to_the_reader() {
    let parts = parts();
    for (i, p) in parts.iter().enumerate() {
        let next = &parts[(i + 1) % parts.len()].frame;
        let mut container = p.frame.clone();
        container.extend_from_slice(next);
        for chunk in [1usize, 3, 4, 65_536 + 8, 1 << 22] {
            let reader = OddReader::new(&container, chunk).faults(5, io::ErrorKind::Interrupted);
            let mut dec = FrameDecoder::with_buffer(reader).single_frame();
            let (out, err) = drain(&mut dec, 100_000, |_| {});
            let what = format!("{} then {} bytes, chunk {chunk}", p.what, next.len());
            assert!(err.is_none(), "{what}: {err:?}");
            if p.what.contains("skippable") {
                // Skippable frames before the frame are skipped: the next one is decoded.
                continue;
            }
            assert!(out == p.data, "{what}");
            let held = dec.buffered_input().to_vec();
            let taken = dec.read_position() as usize;
            let reader = dec.into_inner();
            assert_eq!(taken, reader.consumed(), "{what}");
            let mut rest = held;
            rest.extend_from_slice(&container[reader.consumed()..]);
            assert!(rest == next[..], "{what}: {} bytes follow", rest.len());
            if p.what != "legacy" {
                assert_eq!(taken, p.frame.len(), "{what}");
            }
        }
    }
}

/// Frames with a dictionary (linked and independent, with and without a dictionary ID), made
/// by the C library, decoded from odd readers' buffers.
#[test]
fn dictionary_frames() {
    let dict = common::text_like(100_000, 40);
    let data = common::text_like(400_000, 41);
    for linked in [true, false] {
        for dict_id in [0u32, 0xDEAD_BEEF] {
            let frame = compress_frame(
                &data,
                &CFrameOptions {
                    linked,
                    dict: Some(&dict),
                    dict_id,
                    block_checksum: true,
                    content_checksum: true,
                    ..CFrameOptions::default()
                },
            );
            for chunk in [1usize, 7, 65_536 + 4, 1 << 20] {
                let dictionary = Dictionary::new(&dict).with_id(dict_id);
                let d = Decompressor::new().with_dictionary(dictionary);
                let reader = OddReader::new(&frame, chunk).faults(4, io::ErrorKind::WouldBlock);
                let mut dec = FrameDecoder::with_decompressor(reader, d).decode_in_reader_buffer();
                let (out, err) = drain(&mut dec, 70_000, |_| {});
                let what = format!("linked {linked} id {dict_id:#x} chunk {chunk}");
                assert!(err.is_none(), "{what}: {err:?}");
                assert!(out == data, "{what}");
            }
        }
    }
}

/// Files made by the `lz4` tool (1.9.4) over its block options, the legacy format and
/// concatenated outputs, read through `BufReader<File>` of capacity 1, of exactly the block
/// size and larger.
#[test]
fn files_of_the_lz4_tool() {
    use std::process::Command;
    let tool = "/usr/bin/lz4";
    assert!(
        std::path::Path::new(tool).exists(),
        "the lz4 tool (Debian package lz4) is needed"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = common::mixed(2_500_000, 60);
    let src = dir.path().join("data");
    std::fs::write(&src, &data).unwrap();
    let runs: [(&[&str], usize); 6] = [
        (&["-B4", "-BD"], 64 << 10),
        (&["-B5", "-BX", "--content-size"], 256 << 10),
        (&["-B6", "--no-frame-crc", "-9"], 1 << 20),
        (&["-B7"], 4 << 20),
        (&["-l"], 8 << 20),
        (&["-B4", "-BD", "-BX", "-12"], 64 << 10),
    ];
    for (args, block) in runs {
        let dst = dir.path().join("data.lz4");
        let run = Command::new(tool)
            .args(args)
            .args(["-q", "-f"])
            .arg(&src)
            .arg(&dst)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "lz4 {args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let one = std::fs::read(&dst).unwrap();
        // Twice in a row (concatenated frames), unless legacy, whose frame ends at the next
        // magic number and so concatenates too.
        let file = [one.clone(), one].concat();
        std::fs::write(&dst, &file).unwrap();
        let twice = [&data[..], &data[..]].concat();
        for capacity in [1, block, block + 8, 2 * block] {
            let f = std::fs::File::open(&dst).unwrap();
            let mut dec = FrameDecoder::with_buffer(BufReader::with_capacity(capacity, f));
            let mut out = Vec::new();
            dec.read_to_end(&mut out)
                .unwrap_or_else(|e| panic!("lz4 {args:?}, capacity {capacity}: {e}"));
            assert!(out == twice, "lz4 {args:?}, capacity {capacity}");
            assert_eq!(dec.read_position(), file.len() as u64);
        }
    }
}

/// After a linked frame read through the decoder's buffer (small reads: its blocks decoded into
/// the window's buffer) comes a frame whose blocks go straight into large reads: the place of
/// the last buffered output must not outlive it. `buffered_output` and `checkpoint` after every
/// read once indexed past the end of the window's buffer, which the new frame had reset (a
/// panic, with `FrameDecoder::new` as with `with_buffer`).
#[test]
fn buffered_output_after_the_window_held_the_last_output() {
    use lz4framed::{BlockMode, FrameSettings};
    let a = common::text_like(200_000, 90);
    let b = common::text_like(100_000, 91);
    let mut frames = lz4framed::compress(&a);
    let independent = FrameSettings::new().block_mode(BlockMode::Independent);
    frames.extend(lz4framed::compress_with(&b, &independent).unwrap());
    let data = [a, b].concat();
    for reader_buffer in [false, true] {
        let mut dec = FrameDecoder::new(&frames[..]);
        if reader_buffer {
            dec = dec.decode_in_reader_buffer();
        }
        let mut buf = vec![0u8; 150_001];
        let mut out = Vec::new();
        loop {
            let n = dec.read(&mut buf).unwrap();
            out.extend_from_slice(&buf[..n]);
            assert!(dec.buffered_output().is_empty());
            let restored = Decompressor::from_checkpoint(&dec.checkpoint()).unwrap();
            let at = dec.decompressor().compressed_position() as usize;
            let mut rest = Vec::new();
            FrameDecoder::with_decompressor(&frames[at..], restored)
                .read_to_end(&mut rest)
                .unwrap();
            assert!(rest == data[out.len()..], "after {} bytes", out.len());
            if n == 0 {
                break;
            }
        }
        assert!(out == data);
    }
}

/// The decoder's own `BufRead` side (`fill_buf` / `consume`, as `read_until` uses it) yields
/// the same lines as `FrameDecoder::new`'s, and the setting may be switched on mid-stream: the
/// input the decoder had already gathered is decoded first, then the reader's buffer is used.
#[test]
fn bufread_side_and_switching_mid_stream() {
    let parts = parts();
    let (stream, data) = stream(&parts);
    let mut a = FrameDecoder::new(&stream[..]);
    let mut b = FrameDecoder::with_buffer(OddReader::new(&stream, 65_536 + 8));
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    loop {
        la.clear();
        lb.clear();
        let na = a.read_until(b'\n', &mut la).unwrap();
        let nb = b.read_until(b'\n', &mut lb).unwrap();
        assert_eq!(na, nb);
        assert!(la == lb, "line at {}", a.output_position());
        assert_eq!(a.output_position(), b.output_position());
        if na == 0 {
            break;
        }
    }
    assert_eq!(b.get_ref().consumed(), stream.len());

    for switch_after in [1usize, 3, 10] {
        let mut slice = &stream[..];
        let mut dec = FrameDecoder::new(&mut slice);
        let mut out = vec![0u8; 0];
        let mut buf = vec![0u8; 40_000];
        // At least `switch_after` reads, and input gathered but not yet decoded.
        let mut reads = 0;
        while reads < switch_after || dec.buffered_input().is_empty() {
            let n = dec.read(&mut buf).unwrap();
            assert!(n > 0, "no read left input gathered");
            out.extend_from_slice(&buf[..n]);
            reads += 1;
        }
        let mut dec = dec.decode_in_reader_buffer();
        dec.read_to_end(&mut out).unwrap();
        assert!(out == data, "switched after {switch_after} reads");
        assert_eq!(dec.read_position(), stream.len() as u64);
        drop(dec);
        assert!(slice.is_empty());
    }
}
