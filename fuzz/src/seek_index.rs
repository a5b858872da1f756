//! The seek_index target: random access through the seek index (`SeekableEncoder`,
//! `build_index`, `SeekableReader`, embedded and sidecar), and arbitrary bytes into the index
//! parsers and the reader.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use lz4framed::index::{build_index, IndexOptions, SeekIndex, SeekableEncoder};
use lz4framed::{BlockMode, BlockSize, Error, FrameSettings};
use lz4framed_core::index::{fingerprint_of, FOOTER_LEN, FOOTER_MAGIC, INDEX_FRAME_MAGIC};

use crate::{hex, Reader};

type SeekableReader<'a> = lz4framed::index::SeekableReader<Cursor<&'a [u8]>>;

/// Cap of the round-trip data (after amplification).
const MAX_DATA: usize = 300 * 1024;
/// Cap of one read in the arbitrary mode.
const MAX_READ: usize = 4096;

/// `seek_index`: two modes, by bit 7 of byte 0.
///
/// * Round trip (bit 7 clear). Byte 0 = settings: bit 0 = 256 KiB blocks (else 64 KiB);
///   bit 1 = independent blocks (else linked); bit 2 = content checksum; bit 3 = restart
///   interval 128 KiB (else 64 KiB); bit 4 = sidecar index (else embedded); bit 5 = level 9
///   (else 1); bit 6 = block checksums. Byte 1 = repeat count (the data is repeated that many
///   more times, every other copy XORed with the copy number, to reach multi-block sizes; at
///   most 300 KiB in all). Bytes 2–17 = four (offset, length) pairs of u16 LE, scaled to the
///   data. The rest = data. The data is compressed with `SeekableEncoder` (index embedded, or
///   `finish_sidecar` + `to_sidecar`/`from_sidecar`); then, with every available backend,
///   `SeekableReader` (`new`, or `with_index`) reads each range with `read_exact_at` and with
///   `Seek` + `Read` (`SeekFrom::Start`, `End`, `Current`), and must give the original bytes; a
///   range past the end is an error. `build_index` of the plain frame must read the same, and
///   `lz4framed::decompress` of the file must give the data (the index is a skippable frame).
/// * Arbitrary bytes (bit 7 set). Bytes 1–2 = split (u16 LE, modulo the rest's length + 1),
///   bytes 3–10 = four read positions (u16 LE, scaled to the reader's length), then the rest:
///   its first `split` bytes are the data, the others the index payload. With bit 6, the
///   payload's footer is fixed up to belong to the data (data size, fingerprint, embedded flag,
///   XXH32) so that the parsers get past it. The whole rest as a file, the data followed by the
///   payload as a skippable frame (`SeekableReader::new`), and the payload as a sidecar
///   (`SeekIndex::from_sidecar`, then `SeekableReader::with_index` over the data) must be
///   refused with `Error::BadIndex` or give a reader that reads at the positions without
///   panicking (read errors are fine).
pub fn seek_index(data: &[u8]) {
    let mut r = Reader::new(data);
    let mode = r.u8();
    if mode & 0x80 != 0 {
        arbitrary(mode, r);
    } else {
        roundtrip(mode, r);
    }
}

fn roundtrip(flags: u8, mut r: Reader<'_>) {
    let repeat = usize::from(r.u8());
    let pairs: Vec<(u16, u16)> = (0..4).map(|_| (r.u16(), r.u16())).collect();
    let input = r.rest();
    let data: Vec<u8> = (0..=repeat)
        .flat_map(|k| {
            input
                .iter()
                .map(move |b| b ^ if k % 2 == 0 { 0 } else { k as u8 })
        })
        .take(MAX_DATA)
        .collect();
    let data = &data[..];

    let settings = FrameSettings::new()
        .block_size(if flags & 1 != 0 {
            BlockSize::Max256KB
        } else {
            BlockSize::Max64KB
        })
        .block_mode(if flags & 2 != 0 {
            BlockMode::Independent
        } else {
            BlockMode::Linked
        })
        .content_checksum(flags & 4 != 0)
        .block_checksum(flags & 0x40 != 0)
        .level(if flags & 0x20 != 0 { 9 } else { 1 });
    let options =
        IndexOptions::default().restart_interval(if flags & 8 != 0 { 128 << 10 } else { 64 << 10 });
    let sidecar = flags & 0x10 != 0;
    let what = format!(
        "flags {flags:#04x}, {} bytes of data ({})",
        data.len(),
        hex(data, 32)
    );

    let mut enc = SeekableEncoder::with_options(Vec::new(), &settings, &options)
        .unwrap_or_else(|e| panic!("SeekableEncoder::with_options: {e} ({what})"));
    enc.write_all(data)
        .unwrap_or_else(|e| panic!("SeekableEncoder write: {e} ({what})"));
    let (file, frame_len, index) = if sidecar {
        let (frame, index) = enc
            .finish_sidecar()
            .unwrap_or_else(|e| panic!("finish_sidecar: {e} ({what})"));
        let bytes = index.to_sidecar();
        let back = SeekIndex::from_sidecar(&bytes)
            .unwrap_or_else(|e| panic!("own sidecar index refused: {e} ({what})"));
        assert!(
            back == index,
            "sidecar index changes on a round trip ({what})"
        );
        assert_eq!(bytes.len(), index.encoded_len(), "encoded_len ({what})");
        let n = frame.len();
        (frame, n, back)
    } else {
        let file = enc
            .finish()
            .unwrap_or_else(|e| panic!("finish: {e} ({what})"));
        let index = SeekIndex::read_embedded(&mut Cursor::new(&file[..]))
            .unwrap_or_else(|e| panic!("own embedded index refused: {e} ({what})"));
        let n = usize::try_from(index.data_len()).expect("data_len");
        assert!(n <= file.len(), "data_len past the file ({what})");
        assert_eq!(
            file.len() - n,
            8 + index.encoded_len(),
            "embedded index size ({what})"
        );
        (file, n, index)
    };
    assert_eq!(
        index.decompressed_size(),
        data.len() as u64,
        "index size ({what})"
    );
    index
        .verify_file(&mut Cursor::new(&file[..]))
        .unwrap_or_else(|e| panic!("verify_file refuses the own file: {e} ({what})"));
    match lz4framed::decompress(&file) {
        Ok(out) => assert!(
            out == data,
            "decompress of the seekable file differs ({what})"
        ),
        Err(e) => panic!("decompress of the seekable file: {e} ({what})"),
    }

    let len = data.len();
    let ranges: Vec<(usize, usize)> = pairs
        .iter()
        .map(|&(o, l)| {
            let off = (usize::from(o) * (len + 1)) >> 16;
            let n = (usize::from(l) * 4).min(len - off);
            (off, n)
        })
        .collect();

    let frame = &file[..frame_len];
    for b in lz4framed::backends().into_iter().filter(|b| b.available) {
        let name = format!("{:?}", b.backend);
        let reader = if sidecar {
            SeekableReader::with_index(Cursor::new(frame), index.clone())
        } else {
            SeekableReader::new(Cursor::new(&file[..]))
        };
        let reader = reader
            .and_then(|rd| rd.backend(b.backend))
            .unwrap_or_else(|e| panic!("{name}: reader refused: {e} ({what})"));
        check_reads(reader, data, &ranges, &format!("{name}, {what}"));
    }

    let built = build_index(frame, &options)
        .unwrap_or_else(|e| panic!("build_index of the own frame: {e} ({what})"));
    assert_eq!(
        built.decompressed_size(),
        data.len() as u64,
        "build_index size ({what})"
    );
    assert_eq!(
        built.data_len(),
        frame_len as u64,
        "build_index data_len ({what})"
    );
    let reader = SeekableReader::with_index(Cursor::new(frame), built)
        .unwrap_or_else(|e| panic!("build_index's index refused: {e} ({what})"));
    check_reads(reader, data, &ranges, &format!("build_index, {what}"));
}

fn check_reads(mut reader: SeekableReader<'_>, data: &[u8], ranges: &[(usize, usize)], what: &str) {
    let len = data.len();
    assert_eq!(reader.len(), len as u64, "reader len ({what})");
    for &(off, n) in ranges {
        let mut buf = vec![0u8; n];
        reader
            .read_exact_at(off as u64, &mut buf)
            .unwrap_or_else(|e| panic!("read_exact_at({off}, {n}): {e} ({what})"));
        assert!(
            buf == data[off..off + n],
            "read_exact_at({off}, {n}) gives other bytes ({what})"
        );
        assert_eq!(reader.position(), (off + n) as u64, "position ({what})");
    }
    // Seek + Read, in reverse order, each way of seeking.
    for (i, &(off, n)) in ranges.iter().enumerate().rev() {
        let to = match i % 3 {
            0 => SeekFrom::Start(off as u64),
            1 => SeekFrom::End(off as i64 - len as i64),
            _ => SeekFrom::Current(off as i64 - reader.position() as i64),
        };
        let at = reader
            .seek(to)
            .unwrap_or_else(|e| panic!("seek({to:?}): {e} ({what})"));
        assert_eq!(at, off as u64, "seek({to:?}) ({what})");
        let mut buf = vec![0u8; n];
        reader
            .read_exact(&mut buf)
            .unwrap_or_else(|e| panic!("read_exact after seek to {off} ({n}): {e} ({what})"));
        assert!(
            buf == data[off..off + n],
            "read after seek to {off} ({n}) gives other bytes ({what})"
        );
        // Reading on: the next byte, or the end.
        let mut one = [0u8; 1];
        let k = reader
            .read(&mut one)
            .unwrap_or_else(|e| panic!("read on after {}: {e} ({what})", off + n));
        match data.get(off + n) {
            Some(&b) => assert!(k == 1 && one[0] == b, "read on after {} ({what})", off + n),
            None => assert_eq!(k, 0, "read at the end ({what})"),
        }
    }
    // Past the end: an error for read_exact_at, nothing for read.
    if let Some(&(off, n)) = ranges.first() {
        let start = off.min(len);
        let mut buf = vec![0u8; len - start + 1 + n % 7];
        assert!(
            reader.read_exact_at(start as u64, &mut buf).is_err(),
            "read_exact_at({start}, {}) past the end succeeds ({what})",
            buf.len()
        );
        reader.seek(SeekFrom::Start(len as u64 + n as u64)).unwrap();
        assert_eq!(
            reader.read(&mut buf).ok(),
            Some(0),
            "read past the end ({what})"
        );
    }
}

/// Rewrite the footer of `payload` so that it belongs to `data` (size, fingerprint), with the
/// embedded flag as given, and fix its XXH32.
fn fix_footer(payload: &mut [u8], data: &[u8], embedded: bool) {
    let n = payload.len();
    if n < FOOTER_LEN {
        return;
    }
    let footer = n - FOOTER_LEN;
    payload[footer + 4] = (payload[footer + 4] & !1) | u8::from(embedded);
    payload[footer + 6..footer + 14].copy_from_slice(&(data.len() as u64).to_le_bytes());
    payload[footer + 14..footer + 18].copy_from_slice(&fingerprint_of(data).to_le_bytes());
    let sum = lz4framed_core::xxh32::xxh32(&payload[..n - 8], 0);
    payload[n - 8..n - 4].copy_from_slice(&sum.to_le_bytes());
    payload[n - 4..].copy_from_slice(FOOTER_MAGIC);
}

fn expect_bad_index<T>(r: Result<T, Error>, what: &str, input: &[u8]) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(Error::BadIndex(_) | Error::NoIndex { .. }) => None,
        Err(e) => panic!(
            "{what}: refused with {e:?}, not Error::BadIndex or NoIndex (input {})",
            hex(input, 96)
        ),
    }
}

fn arbitrary(mode: u8, mut r: Reader<'_>) {
    let split = usize::from(r.u16());
    let positions: Vec<u16> = (0..4).map(|_| r.u16()).collect();
    let rest = r.rest();
    let (data, payload) = rest.split_at(split % (rest.len() + 1));
    let fix = mode & 0x40 != 0;

    // The whole rest as a file with an embedded index.
    if let Some(reader) = expect_bad_index(
        SeekableReader::new(Cursor::new(rest)),
        "SeekableReader::new (raw)",
        rest,
    ) {
        poke(reader, &positions);
    }

    // The data followed by the payload as a skippable frame.
    let mut embedded = payload.to_vec();
    if fix {
        fix_footer(&mut embedded, data, true);
    }
    let mut file = data.to_vec();
    file.extend_from_slice(&INDEX_FRAME_MAGIC.to_le_bytes());
    file.extend_from_slice(&(embedded.len() as u32).to_le_bytes());
    file.extend_from_slice(&embedded);
    if let Some(reader) = expect_bad_index(
        SeekableReader::new(Cursor::new(&file[..])),
        "SeekableReader::new (embedded)",
        &file,
    ) {
        poke(reader, &positions);
    }

    // The payload as a sidecar index of the data.
    let mut sidecar = payload.to_vec();
    if fix {
        fix_footer(&mut sidecar, data, false);
    }
    let Some(index) = expect_bad_index(SeekIndex::from_sidecar(&sidecar), "from_sidecar", &sidecar)
    else {
        return;
    };
    let again = SeekIndex::from_sidecar(&index.to_sidecar()).unwrap_or_else(|e| {
        panic!(
            "re-encoded sidecar refused: {e} (input {})",
            hex(&sidecar, 96)
        )
    });
    assert!(
        again == index,
        "sidecar index not stable across re-encoding (input {})",
        hex(&sidecar, 96)
    );
    let _ = index.entry_for(u64::from(positions[0]));
    if let Some(reader) = expect_bad_index(
        SeekableReader::with_index(Cursor::new(data), index),
        "SeekableReader::with_index",
        &sidecar,
    ) {
        poke(reader, &positions);
    }
}

/// Reads at the positions (scaled to the reader's length) and around them; errors are fine.
fn poke(mut reader: SeekableReader<'_>, positions: &[u16]) {
    let len = reader.len();
    let mut buf = vec![0u8; MAX_READ];
    for (i, &p) in positions.iter().enumerate() {
        let at = ((u128::from(p) * (u128::from(len) + 1)) >> 16) as u64;
        let n = (usize::from(p) % MAX_READ) + 1;
        let _ = reader.read_exact_at(at, &mut buf[..n]);
        let _ = reader.seek(match i % 3 {
            0 => SeekFrom::Start(at),
            1 => SeekFrom::End(-(i64::from(p))),
            _ => SeekFrom::Current(-1),
        });
        let _ = reader.read(&mut buf[..n]);
        let _ = reader.read(&mut buf[..1]);
    }
    let _ = reader.read_exact_at(len.saturating_sub(1), &mut buf[..1]);
    let _ = reader.read_exact_at(len, &mut buf[..1]);
}
