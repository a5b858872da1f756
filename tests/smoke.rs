use lz4framed::*;
#[test]
fn smoke() {
    let data: Vec<u8> = (0..300_000u32)
        .map(|i| (i % 251) as u8 ^ (i / 7000) as u8)
        .collect();
    for b in [Backend::C, Backend::Rust] {
        for mode in [BlockMode::Linked, BlockMode::Independent] {
            let s = FrameSettings::new()
                .backend(b)
                .block_mode(mode)
                .content_checksum(true)
                .block_checksum(true);
            let f = compress_with(&data, &s).unwrap();
            assert_eq!(decompress(&f).unwrap(), data);
            let c = lz4framed_backend_c::frame::decompress_frames(&f, None).unwrap();
            assert_eq!(c, data);
        }
    }
    let e = compress(b"");
    eprintln!("{:02X?}", e);
}
