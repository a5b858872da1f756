//! The running content checksum of a decoder as bytes, for
//! `marshal_decompression_checksum_context` / `unmarshal_decompression_checksum_context`.
//!
//! # Format (48 bytes, little-endian)
//!
//! ```text
//! 0..4    "L4XS"
//! 4       version = 1
//! 5       1 = a state follows, 0 = the decoder keeps none (the rest is then ignored)
//! 6       bytes buffered (0..=15, = total length mod 16)
//! 7       0
//! 8..24   the four XXH32 lanes
//! 24..32  total length hashed
//! 32..48  the buffered bytes, zero-padded
//! ```
//!
//! The lanes are deliberately not protected by a checksum: the original's tests replace
//! bytes 8..10 and expect the damage to show as a content checksum mismatch at the end of the
//! frame.
//!
//! The facade offers no setter for a decoder's checksum state, so [`apply`] rewrites the state
//! inside a checkpoint (format: `lz4framed_core::checkpoint`) and restores the decoder from it;
//! the checkpoint reader validates the result as it validates any input.

use lz4framed::xxh32::{xxh32, Xxh32};
use lz4framed::{Decompressor, Error};
use lz4framed_core::varint::{self, Reader};

const MAGIC: &[u8; 4] = b"L4XS";
const VERSION: u8 = 1;
/// Length of a marshalled state.
pub const LEN: usize = 48;

/// A parsed state: `None` for "the decoder keeps no content checksum".
pub type State = Option<Xxh32>;

/// Where the content-checksum state lies in a checkpoint: `body[start..end]`, and the state.
struct Located {
    start: usize,
    end: usize,
    state: State,
}

/// Flag bit of the checkpoint format: the content-checksum state is present.
const CP_F_HASH: u8 = 1;

fn cp_error(why: &str) -> Error {
    Error::BadCheckpoint(format!("content-checksum state: {why}"))
}

/// Find the content-checksum state in checkpoint `cp` (a decoder's own, so well-formed).
fn locate(cp: &[u8]) -> Result<Located, Error> {
    let body = cp
        .get(..cp.len().saturating_sub(4))
        .filter(|b| b.len() >= 8)
        .ok_or_else(|| cp_error("checkpoint too short"))?;
    let flags = body[6];
    let desc_len = usize::from(body[7]);
    let mut r = Reader::new(body);
    r.bytes(8 + desc_len)
        .ok_or_else(|| cp_error("checkpoint ends early"))?;
    for _ in 0..5 {
        r.varint()
            .ok_or_else(|| cp_error("checkpoint ends early"))?;
    }
    let start = r.position();
    if flags & CP_F_HASH == 0 {
        return Ok(Located {
            start,
            end: start,
            state: None,
        });
    }
    let eof = || cp_error("checkpoint ends early");
    let total_len = r.varint().ok_or_else(eof)?;
    let mut v = [0u32; 4];
    for x in &mut v {
        *x = r.u32().ok_or_else(eof)?;
    }
    let n = r.u8().ok_or_else(eof)?;
    let mut buffer = [0u8; 16];
    let held = r.bytes(usize::from(n.min(15))).ok_or_else(eof)?;
    buffer[..held.len()].copy_from_slice(held);
    Ok(Located {
        start,
        end: r.position(),
        state: Some(Xxh32 {
            total_len,
            v,
            buffer,
            buffered_len: n,
        }),
    })
}

/// The decoder's content-checksum state, marshalled.
pub fn marshal(d: &Decompressor) -> Result<Vec<u8>, Error> {
    let cp = d.checkpoint();
    let state = locate(&cp)?.state;
    let mut out = Vec::with_capacity(LEN);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    match state {
        None => out.resize(LEN, 0),
        Some(h) => {
            out.push(1);
            out.push(h.buffered_len);
            out.push(0);
            for lane in h.v {
                out.extend_from_slice(&lane.to_le_bytes());
            }
            out.extend_from_slice(&h.total_len.to_le_bytes());
            let mut buf = [0u8; 16];
            let n = usize::from(h.buffered_len.min(15));
            buf[..n].copy_from_slice(&h.buffer[..n]);
            out.extend_from_slice(&buf);
        }
    }
    Ok(out)
}

/// Parse a marshalled state; the error says what is wrong.
pub fn parse(bytes: &[u8]) -> Result<State, String> {
    if bytes.len() != LEN {
        return Err(format!(
            "not a content-checksum state: {} bytes, a state has {LEN}",
            bytes.len()
        ));
    }
    if &bytes[..4] != MAGIC {
        return Err("not a content-checksum state (magic is not \"L4XS\")".into());
    }
    if bytes[4] != VERSION {
        return Err(format!(
            "content-checksum state version {} is not supported (this library reads {VERSION})",
            bytes[4]
        ));
    }
    match bytes[5] {
        0 => return Ok(None),
        1 => {}
        other => {
            return Err(format!(
                "content-checksum state: presence byte is {other}, must be 0 or 1"
            ))
        }
    }
    let n = bytes[6];
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let total_len = u64::from_le_bytes(bytes[24..32].try_into().expect("8 bytes"));
    if bytes[7] != 0 || n > 15 || u64::from(n) != total_len % 16 {
        return Err("content-checksum state inconsistent (buffered length)".into());
    }
    if bytes[32 + usize::from(n)..].iter().any(|&b| b != 0) {
        return Err("content-checksum state inconsistent (buffer padding)".into());
    }
    let mut buffer = [0u8; 16];
    buffer.copy_from_slice(&bytes[32..48]);
    Ok(Some(Xxh32 {
        total_len,
        v: [u32_at(8), u32_at(12), u32_at(16), u32_at(20)],
        buffer,
        buffered_len: n,
    }))
}

/// Give the decoder `state` as its running content checksum. An error when the decoder keeps
/// none and `state` is one, or the reverse.
pub fn apply(d: &mut Decompressor, state: &State) -> Result<(), Error> {
    let cp = d.checkpoint();
    let at = locate(&cp)?;
    let state = match (&at.state, state) {
        (None, None) => return Ok(()),
        (Some(_), Some(s)) => s,
        (None, Some(_)) => {
            return Err(Error::InvalidState(
                "this decompression context keeps no content checksum here (no frame with one \
                 is being decoded); the state does not apply",
            ))
        }
        (Some(_), None) => {
            return Err(Error::InvalidState(
                "the state is empty but this decompression context is decoding a frame with a \
                 content checksum",
            ))
        }
    };
    let body = &cp[..cp.len() - 4];
    let mut new = Vec::with_capacity(cp.len() + 16);
    new.extend_from_slice(&body[..at.start]);
    varint::put(&mut new, state.total_len);
    for lane in state.v {
        new.extend_from_slice(&lane.to_le_bytes());
    }
    let n = state.buffered_len.min(15);
    new.push(n);
    new.extend_from_slice(&state.buffer[..usize::from(n)]);
    new.extend_from_slice(&body[at.end..]);
    let sum = xxh32(&new, 0);
    new.extend_from_slice(&sum.to_le_bytes());
    let restored = Decompressor::from_checkpoint_with_backend(&new, lz4framed::Backend::Auto)?;
    *d = restored;
    Ok(())
}
