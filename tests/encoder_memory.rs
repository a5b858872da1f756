//! Field fault: one `write_all` of 100 MB held the whole compressed output in memory before
//! the writer saw any of it (peak ~130 MiB). The heap this test binary uses is counted by a
//! global allocator; the growth while writing must stay at a few blocks, whatever the size of
//! the write. (Its own binary: the allocator counts every thread of the process.)

use std::io::Write;

use lz4framed::{BlockMode, BlockSize, FrameEncoder, FrameSettings};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// Counts what is written and keeps nothing.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Heap growth (bytes) of compressing `data` with one `write_all`.
fn peak_growth(data: &[u8], settings: &FrameSettings) -> usize {
    let base = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let mut enc = FrameEncoder::with_settings(Sink(0), settings).unwrap();
    enc.write_all(data).unwrap();
    let sink = enc.finish().unwrap();
    assert!(sink.0 > 0);
    ALLOCATOR.peak_usage() - base
}

#[test]
fn one_large_write_holds_a_few_blocks_not_the_output() {
    // Compressible but not trivially so: the output of 100 MB is tens of MB.
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let data: Vec<u8> = (0..100_000_000u32)
        .map(|i| {
            if i % 16 == 0 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }
            (x >> (i % 8 * 8)) as u8 & 0x3F
        })
        .collect();
    for (settings, block) in [
        (FrameSettings::new(), 64usize << 10),
        (
            FrameSettings::new()
                .block_mode(BlockMode::Independent)
                .block_size(BlockSize::Max4MB)
                .content_checksum(true),
            4 << 20,
        ),
    ] {
        let small = peak_growth(&data[..8 << 20], &settings);
        let large = peak_growth(&data, &settings);
        // Staging of input (linked frames keep at least 1 MiB), the compressed block, the
        // output not yet written: a few blocks, and the same for 8 MB as for 100 MB.
        let bound = 3 * block + (1 << 20) + (256 << 10);
        println!("{block}-byte blocks: heap growth {small} bytes for 8 MB, {large} for 100 MB");
        assert!(
            large <= bound,
            "{block}-byte blocks: {large} bytes of heap growth for a 100 MB write (bound {bound})"
        );
        assert!(
            large <= small + (64 << 10),
            "{block}-byte blocks: {large} bytes for 100 MB against {small} for 8 MB"
        );
    }
}
