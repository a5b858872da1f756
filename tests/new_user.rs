//! A new user's trial of the library API, as the README and rustdoc describe it: each test is
//! a small program a user would write, checked against an independent truth (the original
//! bytes, the C library, the `lz4` tool, `std::io::Cursor`'s behaviour), plus the defects the
//! trial found (one regression test each).

mod common;

use std::io::{Cursor, Read, Seek, SeekFrom};

use lz4framed::index::{build_index, IndexOptions, SeekIndex, SeekableReader};
use lz4framed::{BlockMode, Error, FrameSettings};

use common::text_like;

/// A sidecar index whose first restart point claims decompressed offset 5 (checksum recomputed,
/// as anyone can): refused when parsed, where a reader used to panic (`SeekableReader`) or
/// hand out 5 bytes it never wrote (`parallel::decompress`).
#[test]
fn an_index_not_starting_at_decompressed_offset_0_is_refused() {
    let data = text_like(300_000, 1);
    let file = lz4framed::compress_with(
        &data,
        &FrameSettings::new().block_mode(BlockMode::Independent),
    )
    .unwrap();
    let index = build_index(&file[..], &IndexOptions::default()).unwrap();
    assert_eq!(index.entries()[0].decompressed, 0);
    let mut side = index.to_sidecar();
    // First entry: varint compressed delta 0, varint decompressed delta 0, flags.
    assert_eq!(side[..2], [0, 0]);
    side[1] = 5;
    let n = side.len();
    let sum = lz4framed_core::xxh32::xxh32(&side[..n - 8], 0);
    side[n - 8..n - 4].copy_from_slice(&sum.to_le_bytes());
    match SeekIndex::from_sidecar(&side) {
        Err(Error::BadIndex(why)) => assert!(why.contains("offset 5"), "{why}"),
        other => panic!("forged index accepted: {other:?}"),
    }
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
