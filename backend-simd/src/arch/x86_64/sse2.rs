//! The SSE2 kernel: 16-byte copies and compares. SSE2 has no byte shuffle, so the pattern of an
//! overlapping match is a 16-byte broadcast (periods 1, 2, 4, 8), an 8-byte register pattern
//! (periods 3, 5, 6, 7) or, for periods 9..15, a sequence of 8-byte copies.

use core::arch::x86_64::*;
use core::ptr;

use crate::fast::{self, Simd};

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
        // (1 <= offset < 16; bytes from d on may be stale and are masked off or overwritten
        // before use) and d .. d + len + 31 writable; every store starts below d + len.
        unsafe {
            let s = d.sub(offset);
            match offset {
                1 | 2 | 4 | 8 => {
                    let v = match offset {
                        1 => _mm_set1_epi8(*s as i8),
                        2 => _mm_set1_epi16(ptr::read_unaligned(s as *const i16)),
                        4 => _mm_set1_epi32(ptr::read_unaligned(s as *const i32)),
                        _ => _mm_set1_epi64x(ptr::read_unaligned(s as *const i64)),
                    };
                    let mut k = 0;
                    while k < len {
                        _mm_storeu_si128(d.add(k) as *mut __m128i, v);
                        k += 16;
                    }
                }
                3 | 5 | 6 | 7 => {
                    // An 8-byte register pattern (no byte shuffle in SSE2), stored in strides
                    // of the largest multiple of the period not above 8.
                    let w = offset * 8;
                    let mut p =
                        u64::from_le(ptr::read_unaligned(s as *const u64)) & ((1u64 << w) - 1);
                    let mut filled = w;
                    while filled < 64 {
                        p |= p << filled;
                        filled *= 2;
                    }
                    let p = p.to_le();
                    let step = 8 - 8 % offset;
                    let mut k = 0;
                    while k < len {
                        ptr::write_unaligned(d.add(k) as *mut u64, p);
                        k += step;
                    }
                }
                _ => {
                    // 9..=15: 8-byte pieces, each from bytes already written.
                    let mut k = 0;
                    while k < len {
                        ptr::write_unaligned(
                            d.add(k) as *mut u64,
                            ptr::read_unaligned(s.add(k) as *const u64),
                        );
                        k += 8;
                    }
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
