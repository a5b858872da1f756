//! The NEON kernel: 16-byte copies and compares, overlapping matches expanded by table lookups
//! (`tbl`) into a 16-byte pattern stored in pattern-aligned strides.

use core::arch::aarch64::*;

use crate::fast::{self, Simd};

use super::super::{PATTERN, STEP16};

/// NEON primitives.
pub(crate) struct Neon;

impl Simd for Neon {
    const WIDE: usize = 16;

    #[inline(always)]
    unsafe fn copy16(d: *mut u8, s: *const u8) {
        // SAFETY: the caller guarantees 16 readable bytes at s and 16 writable bytes at d.
        unsafe { vst1q_u8(d, vld1q_u8(s)) }
    }

    #[inline(always)]
    unsafe fn copy_wide(d: *mut u8, s: *const u8) {
        // SAFETY: forwarded (WIDE = 16).
        unsafe { Self::copy16(d, s) }
    }

    #[inline(always)]
    unsafe fn pattern_copy(d: *mut u8, offset: usize, len: usize) {
        // SAFETY: the caller guarantees d - offset .. d + 16 readable (1 <= offset < 16; the
        // bytes from d on may be stale, the lookup only selects indices < offset) and
        // d .. d + len + 31 writable; stores stay below d + k + 16 with k < len.
        unsafe {
            let raw = vld1q_u8(d.sub(offset));
            let v = vqtbl1q_u8(raw, vld1q_u8(PATTERN[offset].as_ptr()));
            let step = STEP16[offset] as usize;
            let mut k = 0;
            while k < len {
                vst1q_u8(d.add(k), v);
                k += step;
            }
        }
    }

    #[inline(always)]
    unsafe fn count(a: *const u8, b: *const u8, n: usize) -> usize {
        let mut k = 0;
        // SAFETY: every load stays below a + n / b + n.
        unsafe {
            while k + 16 <= n {
                let eq = vceqq_u8(vld1q_u8(a.add(k)), vld1q_u8(b.add(k)));
                // 4 bits per byte: all ones where equal.
                let m = vget_lane_u64::<0>(vreinterpret_u64_u8(vshrn_n_u16::<4>(
                    vreinterpretq_u16_u8(eq),
                )));
                if m != u64::MAX {
                    return k + ((!m).trailing_zeros() / 4) as usize;
                }
                k += 16;
            }
            fast::count_tail(a, b, k, n)
        }
    }
}

kernel_entry_points!(Neon, "neon", "NEON must be available (always on aarch64).");
