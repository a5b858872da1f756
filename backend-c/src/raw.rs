//! The bare C block functions, called exactly as a user of the C library calls them: one call
//! per block, no state kept, no checks of ours. They are the anchors every speed figure of
//! lz4framed is compared with (the bench crate's report and examples); [`CODEC`](crate::CODEC)
//! is the backend, which does more (offset-0 rejection, streaming state, LZ4F's choices).
//!
//! Each function is a safe wrapper: the slices' lengths are the only sizes the C code is given,
//! and sizes beyond `i32::MAX` are refused before the call.

use std::ffi::{c_char, c_int};

use crate::ffi;

/// `LZ4_compress_default(src, dst, src.len(), dst.len())`: level 1 without history. Returns the
/// compressed size, or `None` when it does not fit in `dst` (or `src` exceeds `i32::MAX` bytes).
pub fn compress_default(src: &[u8], dst: &mut [u8]) -> Option<usize> {
    let src_size = c_int::try_from(src.len()).ok()?;
    let dst_capacity = c_int::try_from(dst.len()).unwrap_or(c_int::MAX);
    // SAFETY: `src` is readable for `src_size` bytes and `dst` writable for `dst_capacity`
    // (<= dst.len()) bytes for the whole call; the function writes at most `dst_capacity` bytes
    // and keeps no pointer.
    let n = unsafe {
        lz4_sys::LZ4_compress_default(
            src.as_ptr().cast::<c_char>(),
            dst.as_mut_ptr().cast::<c_char>(),
            src_size,
            dst_capacity,
        )
    };
    (n > 0).then_some(n as usize)
}

/// `LZ4_compress_HC(src, dst, src.len(), dst.len(), level)`: an HC level (2..=12) without
/// history. Returns the compressed size, or `None` when it does not fit in `dst`.
pub fn compress_hc(src: &[u8], dst: &mut [u8], level: i32) -> Option<usize> {
    let src_size = c_int::try_from(src.len()).ok()?;
    let dst_capacity = c_int::try_from(dst.len()).unwrap_or(c_int::MAX);
    // SAFETY: as in `compress_default`.
    let n = unsafe {
        lz4_sys::LZ4_compress_HC(
            src.as_ptr().cast::<c_char>(),
            dst.as_mut_ptr().cast::<c_char>(),
            src_size,
            dst_capacity,
            level,
        )
    };
    (n > 0).then_some(n as usize)
}

/// `LZ4_decompress_safe(src, dst, src.len(), dst.len())`: decodes a block without history.
/// Returns the decoded size, or the C function's negative result (`-(offset in src) - 1`) for a
/// malformed block or one that does not fit. Like the C function (and unlike the backends), a
/// match offset of 0 is accepted.
pub fn decompress_safe(src: &[u8], dst: &mut [u8]) -> Result<usize, i32> {
    let src_size = c_int::try_from(src.len()).map_err(|_| -1)?;
    let dst_capacity = c_int::try_from(dst.len()).unwrap_or(c_int::MAX);
    // SAFETY: `src` readable for `src_size` bytes, `dst` writable for `dst_capacity` bytes; the
    // safe decoder never reads or writes outside them (it returns a negative value instead).
    let n = unsafe {
        lz4_sys::LZ4_decompress_safe(
            src.as_ptr().cast::<c_char>(),
            dst.as_mut_ptr().cast::<c_char>(),
            src_size,
            dst_capacity,
        )
    };
    if n >= 0 {
        Ok(n as usize)
    } else {
        Err(n)
    }
}

/// `LZ4_decompress_safe_usingDict(src, dst, …, history, …)`: decodes a linked block whose
/// preceding output (at most 64 KiB are used) is `history`. Results as [`decompress_safe`].
pub fn decompress_safe_using_dict(
    src: &[u8],
    history: &[u8],
    dst: &mut [u8],
) -> Result<usize, i32> {
    let history = &history[history.len().saturating_sub(lz4framed_core::WINDOW_SIZE)..];
    let src_size = c_int::try_from(src.len()).map_err(|_| -1)?;
    let dst_capacity = c_int::try_from(dst.len()).unwrap_or(c_int::MAX);
    // SAFETY: as in `decompress_safe`; `history` is readable for its (<= 64 KiB) length, and the
    // decoder reads no further back than that.
    let n = unsafe {
        ffi::LZ4_decompress_safe_usingDict(
            src.as_ptr().cast::<c_char>(),
            dst.as_mut_ptr().cast::<c_char>(),
            src_size,
            dst_capacity,
            history.as_ptr().cast::<c_char>(),
            history.len() as c_int,
        )
    };
    if n >= 0 {
        Ok(n as usize)
    } else {
        Err(n)
    }
}

/// `LZ4_decompress_safe_usingDict(src, buf + start, …, buf + start - h, h)` with `h = min(start,
/// 64 KiB)`: decodes a linked block into `buf[start..]` whose history lies directly before it
/// in the same buffer, the layout in which the C library decodes in its prefix mode
/// (`LZ4_decompress_safe_withPrefix64k`, or `_withSmallPrefix` below 64 KiB - 1 of history).
/// Results as [`decompress_safe`], counted from `start`.
///
/// # Panics
///
/// When `start > buf.len()`.
pub fn decompress_safe_in_place(src: &[u8], buf: &mut [u8], start: usize) -> Result<usize, i32> {
    assert!(start <= buf.len(), "start past the end of the buffer");
    let h = start.min(lz4framed_core::WINDOW_SIZE);
    let src_size = c_int::try_from(src.len()).map_err(|_| -1)?;
    let dst_capacity = c_int::try_from(buf.len() - start).unwrap_or(c_int::MAX);
    // SAFETY: `src` readable for `src_size` bytes; `buf` is a unique borrow for the whole call,
    // of which `buf[start..]` is written (at most `dst_capacity` bytes) and `buf[start - h..
    // start]` read as the history (`h` <= 64 KiB); the decoder reads no further back than the
    // history it is given and never writes before `buf + start`.
    let n = unsafe {
        let base = buf.as_mut_ptr();
        ffi::LZ4_decompress_safe_usingDict(
            src.as_ptr().cast::<c_char>(),
            base.add(start).cast::<c_char>(),
            src_size,
            dst_capacity,
            base.add(start - h).cast::<c_char>().cast_const(),
            h as c_int,
        )
    };
    if n >= 0 {
        Ok(n as usize)
    } else {
        Err(n)
    }
}

/// Compresses `data` as linked blocks of `block_size` bytes on a fresh `LZ4_stream_t`
/// (`LZ4_createStream`, then `LZ4_compress_fast_continue(stream, block, dst, …, 1)` per block,
/// each block matching into the ones before it in `data`), as a user of the streaming API
/// does; `each` receives every compressed block. Returns the total compressed size, or `None`
/// when a block does not fit in `dst` (or `block_size` is 0 or exceeds `i32::MAX`).
///
/// # Panics
///
/// When the C library cannot allocate the state.
pub fn compress_linked(
    data: &[u8],
    block_size: usize,
    dst: &mut [u8],
    mut each: impl FnMut(&[u8]),
) -> Option<usize> {
    let src_size_max = c_int::try_from(block_size).ok().filter(|&n| n > 0)?;
    let dst_capacity = c_int::try_from(dst.len()).unwrap_or(c_int::MAX);
    // SAFETY: no precondition; returns an initialized state or NULL.
    let state = unsafe { ffi::LZ4_createStream() };
    assert!(!state.is_null(), "LZ4_createStream: out of memory");
    let mut total = Some(0usize);
    for block in data.chunks(block_size) {
        // SAFETY: `state` is live; `block` (at most `src_size_max` bytes) and `dst` are live
        // for the call with these sizes. The stream reads up to 64 KiB before `block`: only
        // earlier blocks of `data`, which is borrowed for this whole function.
        let n = unsafe {
            ffi::LZ4_compress_fast_continue(
                state,
                block.as_ptr().cast(),
                dst.as_mut_ptr().cast(),
                block.len() as c_int,
                dst_capacity,
                1,
            )
        };
        debug_assert!(block.len() as c_int <= src_size_max);
        if n <= 0 {
            total = None;
            break;
        }
        each(&dst[..n as usize]);
        total = total.map(|t| t + n as usize);
    }
    // SAFETY: made by LZ4_createStream above, freed once.
    unsafe { ffi::LZ4_freeStream(state) };
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_round_trip() {
        let data: Vec<u8> = (0..300_000u32)
            .map(|i| ((i % 251) ^ (i / 977)) as u8)
            .collect();
        let mut c = vec![0u8; lz4framed_core::compress_bound(data.len())];
        let mut out = vec![0u8; data.len()];
        let n = compress_default(&data, &mut c).unwrap();
        assert_eq!(decompress_safe(&c[..n], &mut out), Ok(data.len()));
        assert_eq!(out, data);
        let n = compress_hc(&data, &mut c, 9).unwrap();
        assert_eq!(decompress_safe(&c[..n], &mut out), Ok(data.len()));
        assert_eq!(out, data);
        assert!(compress_default(&data, &mut c[..10]).is_none());
        assert!(decompress_safe(&[0xF0], &mut out).is_err());
        // Linked blocks of one buffer.
        let mut blocks = Vec::new();
        let total = compress_linked(&data[..131072], 65536, &mut c, |b| blocks.push(b.to_vec()));
        assert_eq!(total, Some(blocks[0].len() + blocks[1].len()));
        let (a, b) = data.split_at(65536);
        let mut oa = vec![0u8; 65536];
        assert_eq!(decompress_safe(&blocks[0], &mut oa), Ok(65536));
        let mut ob = vec![0u8; 65536];
        assert_eq!(
            decompress_safe_using_dict(&blocks[1], a, &mut ob),
            Ok(65536)
        );
        assert_eq!(ob, &b[..65536]);
        // The same block with its history before it in one buffer (C's prefix mode).
        let mut buf = data[..131072].to_vec();
        buf[65536..].fill(0);
        assert_eq!(
            decompress_safe_in_place(&blocks[1], &mut buf, 65536),
            Ok(65536)
        );
        assert_eq!(buf, &data[..131072]);
        // A history of 10 bytes before a block that reaches 65536 back: refused.
        assert!(decompress_safe_in_place(&blocks[1], &mut buf[65526..], 10).is_err());
    }
}
