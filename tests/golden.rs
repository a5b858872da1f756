//! Golden vectors: exact frame bytes, fixed by the format.

use lz4framed::{BlockMode, FrameSettings};

#[test]
fn empty_frame_with_content_checksum_and_independent_blocks() {
    // The example of the LZ4 frame format documentation.
    let want = [
        0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, 0xA7, 0x00, 0x00, 0x00, 0x00, 0x05, 0x5D, 0xCC, 0x02,
    ];
    let s = FrameSettings::new()
        .block_mode(BlockMode::Independent)
        .content_checksum(true)
        .content_size(None);
    assert_eq!(lz4framed::compress_with(b"", &s).unwrap(), want);
    assert_eq!(lz4framed::decompress(&want).unwrap(), b"");
}

#[test]
fn empty_frame_with_default_settings_records_content_size_zero() {
    // FLG 0x48 (version 1, content size), BD 0x40 (64 KiB), 8-byte size 0, HC, end mark.
    let f = lz4framed::compress(b"");
    assert_eq!(&f[..6], &[0x04, 0x22, 0x4D, 0x18, 0x48, 0x40]);
    assert_eq!(&f[6..14], &[0; 8]);
    assert_eq!(&f[15..], &[0, 0, 0, 0]);
    assert_eq!(f.len(), 19);
    assert_eq!(lz4framed::decompress(&f).unwrap(), b"");
}

#[test]
fn stored_block_layout() {
    // One incompressible byte: a raw block with the high bit of its size set.
    let s = FrameSettings::new().content_size(None);
    let f = lz4framed::compress_with(b"Z", &s).unwrap();
    assert_eq!(
        f,
        [0x04, 0x22, 0x4D, 0x18, 0x40, 0x40, 0xC0, 0x01, 0x00, 0x00, 0x80, b'Z', 0, 0, 0, 0]
    );
}

#[test]
fn decodes_a_hand_written_compressed_block() {
    // Block: token 0x4F = 4 literals "abcd", match length 15+4+... with offset 4, then the
    // final literals. Decodes to "abcd" repeated then "xyzw1".
    let block: &[u8] = &[
        0x40, b'a', b'b', b'c', b'd', 0x04, 0x00, 0x50, b'x', b'y', b'z', b'w', b'1',
    ];
    // token 0x40: 4 literals, match len 0+4; offset 4 -> "abcd" again; then token 0x50: 5 lits.
    let mut f = vec![0x04, 0x22, 0x4D, 0x18, 0x40, 0x40, 0xC0];
    f.extend_from_slice(&(block.len() as u32).to_le_bytes());
    f.extend_from_slice(block);
    f.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(lz4framed::decompress(&f).unwrap(), b"abcdabcdxyzw1");
}
