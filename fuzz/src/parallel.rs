//! The parallel-decoding target: `parallel::decompress_stream` on several threads, and
//! `parallel::decompress_stream_at` (positioned writes), against `decompress_stream` on one
//! thread (the serial state machine).

use lz4framed::{BlockMode, BlockSize, Decompressor, FrameSettings};

use crate::Reader;

/// Decode with `decompress_stream` into a `Vec` that survives an error: the output written
/// before the error, and the error's message.
fn stream(file: &[u8], threads: usize) -> (Vec<u8>, Result<(), String>) {
    let mut out = Vec::new();
    let r = lz4framed::parallel::decompress_stream(file, &mut out, Decompressor::new(), threads);
    let r = r.map(drop).map_err(|e| e.to_string());
    (out, r)
}

/// An in-memory destination for positioned writes: bytes never written read as zeros; a byte
/// written twice is a finding.
#[derive(Default)]
struct Placed(std::sync::Mutex<Written>);

/// The bytes written and each write's (start, end) offsets.
type Written = (Vec<u8>, Vec<(usize, usize)>);

impl lz4framed::parallel::WriteAt for Placed {
    fn write_all_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        let mut g = self.0.lock().expect("not poisoned");
        let (start, end) = (offset as usize, offset as usize + buf.len());
        if g.0.len() < end {
            g.0.resize(end, 0);
        }
        g.0[start..end].copy_from_slice(buf);
        g.1.push((start, end));
        Ok(())
    }
}

/// Decode with `decompress_stream_at` (the decoding threads write at offsets): the output
/// written and the error's message.
fn stream_at(file: &[u8], threads: usize) -> (Vec<u8>, Result<(), String>) {
    let dest = Placed::default();
    let r = lz4framed::parallel::decompress_stream_at(file, &dest, 0, Decompressor::new(), threads);
    let (out, mut ranges) = dest.0.into_inner().expect("not poisoned");
    ranges.sort_unstable();
    assert!(
        ranges.windows(2).all(|w| w[0].1 <= w[1].0),
        "decompress_stream_at wrote a byte twice"
    );
    (out, r.map(drop).map_err(|e| e.to_string()))
}

/// `parallel_decode_diff`: a sequence of frames of every kind, built from the input, then
/// possibly damaged, decoded on 2..=8 threads must give exactly what one thread gives — the
/// same output (all of it written before an error) and the same error. Catches races in the
/// hand-over of frames between batches and threads (field fault: two checksummed frames back
/// to back failed at random).
///
/// Input layout:
/// * byte 0: thread count `2 + b % 7`; bit 7 = amplify (each frame's data repeated to over
///   4 MiB, so frames span several batches);
/// * bytes 1–2 (u16 LE): damage position (in the built stream, modulo its length), byte 3: XOR
///   value (0 = no damage); byte 4: cut this many bytes off the end;
/// * then records, each: kind byte, length byte, that many data bytes. Kind: bits 0–1 = what
///   (0 standard frame, 1 skippable frame, 2 legacy frame, 3 the data as raw bytes); bit 2 =
///   linked; bit 3 = content checksum; bit 4 = block checksums; bit 5 = no content size; bits
///   6–7 = block size (64 KiB … 4 MiB). A frame of length 0 is an empty frame.
pub fn parallel_decode_diff(data: &[u8]) {
    let mut r = Reader::new(data);
    let mode = r.u8();
    let threads = 2 + usize::from(mode & 0x7F) % 7;
    let damage_at = usize::from(r.u16());
    let damage = r.u8();
    let cut = usize::from(r.u8());
    let mut file = Vec::new();
    let mut frames = 0;
    while r.remaining() > 0 && frames < 64 {
        frames += 1;
        let kind = r.u8();
        let len = usize::from(r.u8());
        let mut payload = r.take(len).to_vec();
        if mode & 0x80 != 0 && !payload.is_empty() {
            let reps = (4 << 20) / payload.len() + 2;
            payload = payload.repeat(reps.min(64 << 10));
        }
        match kind & 3 {
            0 => {
                let size = [
                    BlockSize::Max64KB,
                    BlockSize::Max256KB,
                    BlockSize::Max1MB,
                    BlockSize::Max4MB,
                ][usize::from(kind >> 6)];
                let s = FrameSettings::new()
                    .block_mode(if kind & 4 != 0 {
                        BlockMode::Linked
                    } else {
                        BlockMode::Independent
                    })
                    .content_checksum(kind & 8 != 0)
                    .block_checksum(kind & 16 != 0)
                    .content_size((kind & 32 == 0).then_some(payload.len() as u64))
                    .block_size(size);
                file.extend(lz4framed::compress_with(&payload, &s).expect("valid settings"));
            }
            1 => {
                file.extend_from_slice(&0x184D_2A53u32.to_le_bytes());
                file.extend_from_slice(&(payload.len() as u32).to_le_bytes());
                file.extend_from_slice(&payload);
            }
            2 => {
                file.extend_from_slice(&0x184C_2102u32.to_le_bytes());
                let mut c = lz4framed::Backend::C
                    .codec()
                    .expect("C backend")
                    .compressor(1)
                    .expect("level 1");
                for chunk in payload.chunks(8 << 20) {
                    let mut dst = vec![0u8; lz4framed::codec::compress_bound(chunk.len())];
                    let n = c.compress(chunk, &[], &mut dst).expect("bound is enough");
                    file.extend_from_slice(&(n as u32).to_le_bytes());
                    file.extend_from_slice(&dst[..n]);
                }
            }
            _ => file.extend_from_slice(&payload),
        }
    }
    if damage != 0 && !file.is_empty() {
        let at = damage_at % file.len();
        file[at] ^= damage;
    }
    file.truncate(file.len().saturating_sub(cut));
    let serial = stream(&file, 1);
    let parallel = stream(&file, threads);
    assert!(
        parallel == serial,
        "{threads} threads: {:?} after {} bytes vs one thread: {:?} after {} bytes ({} input bytes)",
        parallel.1,
        parallel.0.len(),
        serial.1,
        serial.0.len(),
        file.len()
    );
    let placed = stream_at(&file, threads);
    assert!(
        placed == serial,
        "{threads} threads, positioned writes: {:?} after {} bytes vs one thread: {:?} after {} \
         bytes ({} input bytes)",
        placed.1,
        placed.0.len(),
        serial.1,
        serial.0.len(),
        file.len()
    );
}
