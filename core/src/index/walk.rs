//! Size-only walk over an LZ4 block's sequences: the decompressed size without decoding.

use crate::codec::BlockError;

/// The decompressed size of the LZ4 block `src`, found by walking its sequence tokens and
/// length bytes without copying literals or matches — several times faster than decoding.
///
/// Bounds-checked: a block whose literals or match fields run past its end, whose match offset
/// is 0 or reaches before `history_len` bytes of history, or that would decode to more than
/// `max` bytes is refused. (Other errors a decoder catches, such as the end-of-block rules,
/// are not checked.)
///
/// ```
/// use lz4framed_core::index::block_decompressed_size;
/// // One token: 5 literals, no match.
/// assert_eq!(block_decompressed_size(b"\x50hello", 0, 100), Ok(5));
/// // 4 literals "abcd", then a match of 8 at offset 4, then 5 closing literals.
/// let block = b"\x44abcd\x04\x00\x50tail!";
/// assert_eq!(block_decompressed_size(block, 0, 100), Ok(4 + 8 + 5));
/// ```
pub fn block_decompressed_size(
    src: &[u8],
    history_len: usize,
    max: usize,
) -> Result<usize, BlockError> {
    let corrupt = |at: usize| BlockError::Corrupt { at: Some(at) };
    let mut i = 0usize;
    let mut out = 0usize;
    let n = src.len();
    if n == 0 {
        return Err(corrupt(0));
    }
    loop {
        let token = *src.get(i).ok_or(corrupt(i))?;
        i += 1;
        let mut lit = usize::from(token >> 4);
        if lit == 15 {
            loop {
                let b = *src.get(i).ok_or(corrupt(i))?;
                i += 1;
                lit += usize::from(b);
                if b != 255 {
                    break;
                }
            }
        }
        if lit > n - i {
            return Err(corrupt(i));
        }
        i += lit;
        out += lit;
        if i == n {
            break;
        }
        if n - i < 2 {
            return Err(corrupt(i));
        }
        let offset = usize::from(u16::from_le_bytes([src[i], src[i + 1]]));
        if offset == 0 || offset > out + history_len {
            return Err(corrupt(i));
        }
        i += 2;
        let mut ml = usize::from(token & 15);
        if ml == 15 {
            loop {
                let b = *src.get(i).ok_or(corrupt(i))?;
                i += 1;
                ml += usize::from(b);
                if b != 255 {
                    break;
                }
            }
        }
        out += ml + 4;
        if out > max {
            return Err(BlockError::OutputTooSmall);
        }
    }
    if out > max {
        return Err(BlockError::OutputTooSmall);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_malformed_blocks() {
        assert!(block_decompressed_size(b"", 0, 10).is_err());
        assert!(block_decompressed_size(b"\x50hell", 0, 10).is_err());
        assert!(block_decompressed_size(b"\x44abcd\x00\x00\x50tail!", 0, 100).is_err());
        assert!(block_decompressed_size(b"\x44abcd\x05\x00\x50tail!", 0, 100).is_err());
        assert!(block_decompressed_size(b"\x44abcd\x05\x00\x50tail!", 1, 100).is_ok());
        assert_eq!(
            block_decompressed_size(b"\x44abcd\x04\x00\x50tail!", 0, 10),
            Err(BlockError::OutputTooSmall)
        );
        assert!(block_decompressed_size(b"\xF0", 0, 100).is_err());
        assert!(block_decompressed_size(b"\x0F\x01\x00\xFF", 0, 1000).is_err());
    }
}
