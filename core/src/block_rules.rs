//! The LZ4 block format's acceptance rules, as the C reference decoder
//! (`LZ4_decompress_safe_usingDict`, LZ4 1.10) applies them — plus the rejection of match
//! offset 0, which the C library tolerates and the [`crate::BlockCodec`] contract forbids.
//!
//! Which malformed blocks a decoder refuses is not fully fixed by the format: near the end of
//! the input or of the destination the reference treats a literal run as the block's last and
//! then requires it to end the block exactly, with thresholds measured against the *destination
//! capacity*. Backends whose decoder draws the line elsewhere (lz4_flex) check a block with
//! [`validate_block`] first, so that every backend accepts exactly the same blocks
//! (differential tests and fuzzing compare them against the C decoder byte for byte).

use crate::codec::{BlockError, WINDOW_SIZE};

/// Minimum match length.
const MINMATCH: usize = 4;
/// A match must start at least this many bytes before the end of the output.
const MFLIMIT: usize = 12;
/// The last bytes of a block are literals.
const LASTLITERALS: usize = 5;

fn corrupt(at: usize) -> BlockError {
    BlockError::Corrupt { at: Some(at) }
}

/// Walk the sequences of the compressed block `src` — without decoding it — and return the
/// decoded length if the reference decoder, given `history_len` bytes of history (at most
/// 64 KiB count) and a destination of `dst_capacity` bytes, accepts it; otherwise the error it
/// would report. Offset 0 is refused. Never reads outside `src`; linear in `src.len()`.
pub fn validate_block(
    src: &[u8],
    history_len: usize,
    dst_capacity: usize,
) -> Result<usize, BlockError> {
    let iend = src.len();
    let oend = dst_capacity;
    let hlen = history_len.min(WINDOW_SIZE);
    if oend == 0 {
        return match src {
            [0] => Ok(0),
            [] => Err(corrupt(0)),
            _ => Err(BlockError::OutputTooSmall),
        };
    }
    if iend == 0 {
        return Err(corrupt(0));
    }
    let mut ip = 0usize;
    let mut op = 0usize;
    loop {
        // Invariant: ip < iend (established by the checks of the previous sequence).
        let token = src[ip];
        ip += 1;
        let mut ll = usize::from(token >> 4);
        // The reference's shortcut: no end-of-block checks for a short literal run well before
        // both ends.
        let short = ll < 15 && ip + 17 <= iend && op + 32 <= oend;
        if short {
            ip += ll;
            op += ll;
        } else {
            if ll == 15 {
                if ip + 15 >= iend {
                    return Err(corrupt(ip));
                }
                loop {
                    let s = src[ip];
                    ip += 1;
                    ll += usize::from(s);
                    if ip + 15 > iend {
                        return Err(corrupt(ip));
                    }
                    if s != 255 {
                        break;
                    }
                }
            }
            if ll > iend - ip {
                return Err(corrupt(ip));
            }
            if op + ll + MFLIMIT > oend || ip + ll + 2 + 1 + LASTLITERALS > iend {
                // The last sequence: its literals must end the input exactly.
                if ip + ll != iend {
                    return Err(if op + ll + MFLIMIT > oend && ip + ll + 8 <= iend {
                        BlockError::OutputTooSmall
                    } else {
                        corrupt(ip)
                    });
                }
                if op + ll > oend {
                    return Err(BlockError::OutputTooSmall);
                }
                return Ok(op + ll);
            }
            ip += ll;
            op += ll;
        }
        // In bounds: ip + 3 <= iend (short) or ip + 8 <= iend.
        let offset = usize::from(u16::from_le_bytes([src[ip], src[ip + 1]]));
        ip += 2;
        let mut ml = usize::from(token & 15);
        if short && ml != 15 && offset >= 8 && offset <= op {
            // The reference's shortcut: a match of at most 18 bytes inside the output, no end
            // checks (op + 18 <= oend holds).
            op += ml + MINMATCH;
            continue;
        }
        if ml == 15 {
            loop {
                let s = src[ip];
                ip += 1;
                ml = ml.saturating_add(usize::from(s));
                if ip + LASTLITERALS - 1 > iend {
                    return Err(corrupt(ip));
                }
                if s != 255 {
                    break;
                }
            }
        }
        ml = ml.saturating_add(MINMATCH);
        if offset == 0 || offset > op + hlen {
            return Err(corrupt(ip));
        }
        if oend - op < LASTLITERALS || ml > oend - op - LASTLITERALS {
            return Err(if ml > oend - op {
                BlockError::OutputTooSmall
            } else {
                corrupt(ip)
            });
        }
        op += ml;
    }
}

/// The position of the first match offset 0 in a block the reference decoder accepted, if any.
///
/// Walks the sequences only (tokens, length bytes, offsets), skipping literal runs: a small
/// fraction of the decoding cost. Blocks the C decoder accepted are well formed otherwise, so
/// this parse follows the decoder's; out-of-range reads end the walk (`None`) instead of
/// panicking, whatever the input.
pub fn find_zero_offset(src: &[u8]) -> Option<usize> {
    find_zero_offset_before(src, usize::MAX)
}

/// [`find_zero_offset`] among the matches that start before output position `out_limit` (the
/// part of a block a partial decode produced).
pub fn find_zero_offset_before(src: &[u8], out_limit: usize) -> Option<usize> {
    let mut pos = 0usize;
    let mut out = 0usize;
    while pos < src.len() && out < out_limit {
        let token = src[pos];
        pos += 1;
        let mut literals = usize::from(token >> 4);
        if literals == 15 {
            loop {
                let b = *src.get(pos)?;
                pos += 1;
                literals += usize::from(b);
                if b != 255 {
                    break;
                }
            }
        }
        pos = pos.checked_add(literals)?;
        out = out.saturating_add(literals);
        if out >= out_limit {
            return None;
        }
        let offset = src.get(pos..pos.checked_add(2)?)?; // None: the last literals ended the block
        if offset == [0, 0] {
            return Some(pos);
        }
        pos += 2;
        let mut match_len = usize::from(token & 15) + 4;
        if token & 15 == 15 {
            loop {
                let b = *src.get(pos)?;
                pos += 1;
                match_len = match_len.saturating_add(usize::from(b));
                if b != 255 {
                    break;
                }
            }
        }
        out = out.saturating_add(match_len);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_offsets_are_found_only_in_the_prefix_asked_for() {
        // 4 literals, a match at offset 0 (bytes 5..7) of length 4, then 5 final literals.
        let block = [
            0x40, b'a', b'b', b'c', b'd', 0x00, 0x00, 0x50, b'x', b'y', b'z', b'w', b'1',
        ];
        assert_eq!(find_zero_offset(&block), Some(5));
        assert_eq!(find_zero_offset_before(&block, 5), Some(5));
        // The match starts at output position 4: a prefix of 4 bytes does not reach it.
        assert_eq!(find_zero_offset_before(&block, 4), None);
        assert_eq!(find_zero_offset_before(&block, 0), None);
    }

    #[test]
    fn accepts_well_formed_blocks_and_computes_their_length() {
        // 4 literals, match offset 4 length 4, then 5 final literals (the golden test's block).
        let block = [
            0x40, b'a', b'b', b'c', b'd', 0x04, 0x00, 0x50, b'x', b'y', b'z', b'w', b'1',
        ];
        assert_eq!(validate_block(&block, 0, 100), Ok(13));
        // Only literals.
        assert_eq!(validate_block(&[0x30, 1, 2, 3], 0, 3), Ok(3));
        assert_eq!(validate_block(&[0x00], 0, 0), Ok(0));
    }

    #[test]
    fn refuses_what_the_reference_refuses() {
        // Offset 0.
        let mut b = vec![0x40, b'a', b'b', b'c', b'd', 0x00, 0x00, 0x50];
        b.extend_from_slice(b"xyzw1");
        assert!(validate_block(&b, 0, 100).is_err());
        // An offset reaching one byte before the history (4 literals + 2 of history = 6).
        b[5] = 7;
        assert!(validate_block(&b, 2, 100).is_err());
        b[5] = 6;
        assert_eq!(validate_block(&b, 2, 100), Ok(13));
        // Fuzz finding F1: a match too close to the end of the block (C: error at 1).
        assert_eq!(
            validate_block(&[0x40, 0x61, 0x62, 0x63, 0x64, 0x04, 0x00, 0x00], 0, 2104),
            Err(corrupt(1))
        );
        // Fuzz finding F2: capacity 0 accepts only the lone empty token.
        for t in [1u8, 3, 6, 7, 9] {
            assert!(validate_block(&[t], 0, 0).is_err());
        }
        // Literals running past the input; an empty block.
        assert!(validate_block(&[0xF0, 0xFF], 0, 1000).is_err());
        assert!(validate_block(&[], 0, 1000).is_err());
    }
}
