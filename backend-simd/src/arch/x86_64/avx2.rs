//! The AVX2 kernel: 32-byte copies and compares, and overlapping matches expanded by byte
//! shuffles (`vpshufb`) into a 32-byte pattern stored in pattern-aligned 32-byte strides.

use core::arch::x86_64::*;

use crate::fast::{self, Simd};

use super::super::{PATTERN, PATTERN_HI, STEP32};

/// AVX2 primitives.
pub(crate) struct Avx2;

impl Simd for Avx2 {
    const WIDE: usize = 32;

    #[inline(always)]
    unsafe fn copy16(d: *mut u8, s: *const u8) {
        // SAFETY: the caller guarantees 16 readable bytes at s and 16 writable bytes at d.
        unsafe { _mm_storeu_si128(d as *mut __m128i, _mm_loadu_si128(s as *const __m128i)) }
    }

    #[inline(always)]
    unsafe fn copy_wide(d: *mut u8, s: *const u8) {
        // SAFETY: the caller guarantees 32 readable bytes at s and 32 writable bytes at d.
        unsafe { _mm256_storeu_si256(d as *mut __m256i, _mm256_loadu_si256(s as *const __m256i)) }
    }

    #[inline(always)]
    unsafe fn pattern_copy(d: *mut u8, offset: usize, len: usize) {
        // SAFETY: the caller guarantees d - offset .. d + 16 readable (1 <= offset < 16; the
        // bytes from d on may be stale, the shuffle only selects indices < offset) and
        // d .. d + len + 31 writable; stores stay below d + k + 32 with k < len.
        unsafe {
            let s = d.sub(offset);
            let raw = _mm_loadu_si128(s as *const __m128i);
            let lo = _mm_shuffle_epi8(
                raw,
                _mm_loadu_si128(PATTERN[offset].as_ptr() as *const __m128i),
            );
            let hi = _mm_shuffle_epi8(
                raw,
                _mm_loadu_si128(PATTERN_HI[offset].as_ptr() as *const __m128i),
            );
            let v = _mm256_set_m128i(hi, lo);
            let step = STEP32[offset] as usize;
            let mut k = 0;
            while k < len {
                _mm256_storeu_si256(d.add(k) as *mut __m256i, v);
                k += step;
            }
        }
    }

    #[inline(always)]
    unsafe fn count(a: *const u8, b: *const u8, n: usize) -> usize {
        let mut k = 0;
        // SAFETY: every load stays below a + n / b + n.
        unsafe {
            while k + 32 <= n {
                let eq = _mm256_cmpeq_epi8(
                    _mm256_loadu_si256(a.add(k) as *const __m256i),
                    _mm256_loadu_si256(b.add(k) as *const __m256i),
                );
                let m = _mm256_movemask_epi8(eq) as u32;
                if m != u32::MAX {
                    return k + (!m).trailing_zeros() as usize;
                }
                k += 32;
            }
            if k + 16 <= n {
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

kernel_entry_points!(Avx2, "avx2", "AVX2 must be available.");
