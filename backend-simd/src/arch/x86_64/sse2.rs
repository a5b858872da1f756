//! The SSE2 kernel: 16-byte copies and compares. SSE2 has no byte shuffle, so the pattern of an
//! overlapping match is a 16-byte broadcast (periods 1, 2, 4, 8) or a 16-byte pattern made in
//! general registers (other periods), stored in pattern-aligned strides.

use core::arch::x86_64::*;
use core::ptr;

use crate::fast::{self, Simd};

use super::super::STEP16;

/// SSE2 primitives.
pub(crate) struct Sse2;

impl Simd for Sse2 {
    const WIDE: usize = 16;

    #[inline(always)]
    unsafe fn copy16(d: *mut u8, s: *const u8) {
        // SAFETY: the caller guarantees 16 readable bytes at s and 16 writable bytes at d.
        unsafe { _mm_storeu_si128(d as *mut __m128i, _mm_loadu_si128(s as *const __m128i)) }
    }

    #[inline(always)]
    unsafe fn copy_wide(d: *mut u8, s: *const u8) {
        // SAFETY: forwarded (WIDE = 16).
        unsafe { Self::copy16(d, s) }
    }

    #[inline(always)]
    unsafe fn pattern_copy(d: *mut u8, offset: usize, len: usize) {
        // SAFETY (whole body): the caller guarantees d - offset .. d + 16 readable
        // (1 <= offset < 16; bytes from d on may be stale and are masked off before use) and
        // d .. d + len + 31 writable; a round (k < len) stores at d + k and d + k + step (step
        // <= 16), so its stores start below d + len + 16 and end at most at d + len + 31.
        unsafe {
            let s = d.sub(offset);
            let v = match offset {
                1 => _mm_set1_epi8(*s as i8),
                2 => _mm_set1_epi16(ptr::read_unaligned(s as *const i16)),
                4 => _mm_set1_epi32(ptr::read_unaligned(s as *const i32)),
                8 => _mm_set1_epi64x(ptr::read_unaligned(s as *const i64)),
                _ => {
                    // SSE2 has no byte shuffle: the 16-byte pattern is made in a general
                    // register pair, from the `offset` bytes before d repeated (measured:
                    // 8-byte pieces each loaded from the bytes just stored, as before, stall
                    // on every store that cannot be forwarded to the next load).
                    let bits = 8 * offset as u32;
                    let mut p = u128::from_le(ptr::read_unaligned(s as *const u128))
                        & ((1u128 << bits) - 1);
                    let mut filled = bits;
                    while filled < 128 {
                        p |= p << filled;
                        filled *= 2;
                    }
                    _mm_loadu_si128(&p.to_le() as *const u128 as *const __m128i)
                }
            };
            // In phase from one store to the next: strides of the largest multiple of the
            // period not above 16.
            let step = STEP16[offset] as usize;
            let mut k = 0;
            loop {
                _mm_storeu_si128(d.add(k) as *mut __m128i, v);
                _mm_storeu_si128(d.add(k + step) as *mut __m128i, v);
                k += 2 * step;
                if k >= len {
                    break;
                }
            }
        }
    }

    #[inline(always)]
    unsafe fn count(a: *const u8, b: *const u8, n: usize) -> usize {
        let mut k = 0;
        // SAFETY: every load stays below a + n / b + n.
        unsafe {
            while k + 16 <= n {
                let eq = _mm_cmpeq_epi8(
                    _mm_loadu_si128(a.add(k) as *const __m128i),
                    _mm_loadu_si128(b.add(k) as *const __m128i),
                );
                let m = _mm_movemask_epi8(eq) as u32;
                if m != 0xFFFF {
                    return k + (!m).trailing_zeros() as usize;
                }
                k += 16;
            }
            fast::count_tail(a, b, k, n)
        }
    }
}

kernel_entry_points!(Sse2, "sse2", "SSE2 must be available (always on x86_64).");
