//! Architecture-specific kernels: `#[target_feature]` instantiations of `crate::fast`.

/// The fast loop's variants for the primitives `$prims` (a kernel's, or the kernel's wrapped in
/// `crate::fast::Uninit` for destinations of uninitialized bytes): a function `$name`, each
/// variant of its own with the kernel's target feature and never inlined (its speed then does
/// not move with the code around it), and `crate::fast::FastLoop` for `$prims` calling it.
macro_rules! fast_loop_variants {
    ($prims:ty, $name:ident, $feature:literal, $note:literal) => {
        /// # Safety
        #[doc = $note]
        /// As `crate::fast::fast_seqs`.
        #[target_feature(enable = $feature)]
        #[inline(never)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $name<const PREFIX: bool, const LONG: bool>(
            src: &[u8],
            history: &[u8],
            dst: $crate::fast::Dst,
            ip: usize,
            op: usize,
            ip_fast: usize,
            op_fast: usize,
            want: usize,
        ) -> Result<(usize, usize), $crate::common::Fail> {
            // SAFETY: the kernel's target feature is enabled for this function; the rest is
            // the caller's (as `fast_seqs`).
            unsafe {
                $crate::fast::fast_seqs::<$prims, PREFIX, LONG>(
                    src, history, dst, ip, op, ip_fast, op_fast, want,
                )
            }
        }

        impl $crate::fast::FastLoop for $prims {
            #[inline(always)]
            unsafe fn seqs<const PREFIX: bool, const LONG: bool>(
                src: &[u8],
                history: &[u8],
                dst: $crate::fast::Dst,
                ip: usize,
                op: usize,
                ip_fast: usize,
                op_fast: usize,
                want: usize,
            ) -> Result<(usize, usize), $crate::common::Fail> {
                // SAFETY: the caller's target feature and bounds (as `fast_seqs`).
                unsafe { $name::<PREFIX, LONG>(src, history, dst, ip, op, ip_fast, op_fast, want) }
            }
        }
    };
}

/// A kernel's entry points — `decompress`, `decompress_prefix`, `decompress_uninit`,
/// `compress` and the `KERNELS` table — as `#[target_feature(enable = $feature)]` instantiations of `crate::fast`
/// with the primitives `$simd`. `$note` says when the feature is there. Defined before the
/// modules that use it.
macro_rules! kernel_entry_points {
    ($simd:ty, $feature:literal, $note:literal) => {
        /// # Safety
        #[doc = $note]
        /// `start <= buf.len()`.
        #[target_feature(enable = $feature)]
        unsafe fn decompress(
            src: &[u8],
            history: &[u8],
            buf: &mut [u8],
            start: usize,
        ) -> Result<usize, $crate::common::Fail> {
            // SAFETY: the kernel's target feature is enabled for this function; the caller
            // guarantees `start <= buf.len()`.
            unsafe {
                $crate::fast::decompress::<$simd, false>(
                    src,
                    history,
                    $crate::fast::Dst::new(buf),
                    start,
                    0,
                )
            }
        }

        /// # Safety
        #[doc = $note]
        /// `start <= buf.len()`.
        #[target_feature(enable = $feature)]
        unsafe fn decompress_prefix(
            src: &[u8],
            history: &[u8],
            buf: &mut [u8],
            start: usize,
            want: usize,
        ) -> Result<usize, $crate::common::Fail> {
            // SAFETY: the kernel's target feature is enabled for this function; the caller
            // guarantees `start <= buf.len()`.
            unsafe {
                $crate::fast::decompress::<$simd, true>(
                    src,
                    history,
                    $crate::fast::Dst::new(buf),
                    start,
                    want,
                )
            }
        }

        /// # Safety
        #[doc = $note]
        /// `dst` as [`$crate::dispatch::DecompressUninitFn`] requires.
        #[target_feature(enable = $feature)]
        unsafe fn decompress_uninit(
            src: &[u8],
            history: &[u8],
            dst: $crate::fast::Dst,
            start: usize,
            want: Option<usize>,
        ) -> Result<usize, $crate::common::Fail> {
            type U = $crate::fast::Uninit<$simd>;
            // SAFETY: the kernel's target feature is enabled for this function; the caller
            // guarantees `start <= dst.len()` and `dst[..start]` initialized; `Uninit` makes
            // the primitives fit for the uninitialized rest.
            unsafe {
                match want {
                    None => $crate::fast::decompress::<U, false>(src, history, dst, start, 0),
                    Some(w) => $crate::fast::decompress::<U, true>(src, history, dst, start, w),
                }
            }
        }

        /// # Safety
        #[doc = $note]
        #[target_feature(enable = $feature)]
        unsafe fn compress(
            t: &mut $crate::common::Tables,
            input: $crate::common::Input<'_>,
            dst: &mut [u8],
            accel: u32,
        ) -> Option<usize> {
            // SAFETY: the kernel's target feature is enabled for this function.
            unsafe { $crate::fast::compress::<$simd>(t, input, dst, accel) }
        }

        fast_loop_variants!($simd, fast_seqs, $feature, $note);
        fast_loop_variants!(
            $crate::fast::Uninit<$simd>,
            fast_seqs_uninit,
            $feature,
            $note
        );

        /// The kernel's entry points.
        pub(crate) static KERNELS: $crate::dispatch::Kernels = $crate::dispatch::Kernels {
            decompress,
            decompress_prefix,
            decompress_uninit: Some(decompress_uninit),
            compress,
        };
    };
}

cfg_if::cfg_if! {
    if #[cfg(target_arch = "x86_64")] {
        pub(crate) mod x86_64;
    } else if #[cfg(target_arch = "aarch64")] {
        pub(crate) mod aarch64;
    }
}

/// Shuffle indices for overlapping matches: `PATTERN[o][i] = i % o` (row 0 unused), and
/// `PATTERN_HI[o][i] = (16 + i) % o` for the second 16 bytes of a 32-byte pattern.
#[allow(dead_code)]
pub(crate) static PATTERN: [[u8; 16]; 16] = pattern_table(0);
#[allow(dead_code)]
pub(crate) static PATTERN_HI: [[u8; 16]; 16] = pattern_table(16);

#[allow(dead_code)]
const fn pattern_table(phase: usize) -> [[u8; 16]; 16] {
    let mut t = [[0u8; 16]; 16];
    let mut o = 1;
    while o < 16 {
        let mut i = 0;
        while i < 16 {
            t[o][i] = ((phase + i) % o) as u8;
            i += 1;
        }
        o += 1;
    }
    t
}

/// The stride that keeps a 16-byte pattern of period `o` in phase: the largest multiple of `o`
/// not above 16 (`STEP16[o]`), and likewise for 32 bytes.
#[allow(dead_code)]
pub(crate) static STEP16: [u8; 16] = step_table(16);
#[allow(dead_code)]
pub(crate) static STEP32: [u8; 16] = step_table(32);

#[allow(dead_code)]
const fn step_table(w: usize) -> [u8; 16] {
    let mut t = [0u8; 16];
    let mut o = 1;
    while o < 16 {
        t[o] = (w - w % o) as u8;
        o += 1;
    }
    t
}
