//! Run-time kernel selection.
//!
//! Each kernel is a pair of function pointers ([`Kernels`]). Which kernels this CPU can run is
//! probed once (`is_x86_feature_detected!` / `is_aarch64_feature_detected!`) and cached in a
//! `OnceLock`, together with the best one.

use std::sync::OnceLock;

use crate::common::{Fail, Input, Tables};
use crate::fast::Dst;
use crate::Kernel;

/// Decodes a block: `(src, history, buf, start)`, output to `buf[start..]` after the history
/// `history ++ buf[..start]`; see `scalar::decompress` for the contract.
///
/// # Safety
/// The kernel's target features must be available on this CPU; `start <= buf.len()`.
pub(crate) type DecompressFn = unsafe fn(&[u8], &[u8], &mut [u8], usize) -> Result<usize, Fail>;

/// Decodes the start of a block: `(src, history, buf, start, want)`; see
/// `scalar::decompress_prefix` for the contract.
///
/// # Safety
/// The kernel's target features must be available on this CPU; `start <= buf.len()`.
pub(crate) type DecompressPrefixFn =
    unsafe fn(&[u8], &[u8], &mut [u8], usize, usize) -> Result<usize, Fail>;

/// Decodes a block into a destination whose bytes from `start` on may be uninitialized:
/// `(src, history, dst, start, want)`, output to `dst[start..]` after the history `history ++
/// dst[..start]`, the whole block (`want: None`) or its start (`Some(want)`, as
/// [`DecompressPrefixFn`]); the same rules and result as [`DecompressFn`] on an initialized
/// buffer of the same size. Returns the bytes written from `start` on, which are initialized.
///
/// # Safety
/// The kernel's target features must be available on this CPU; `start <= dst.len()`, `dst`
/// valid as `fast::Dst` says, `dst[..start]` initialized, `history` outside `dst`.
pub(crate) type DecompressUninitFn =
    unsafe fn(&[u8], &[u8], Dst, usize, Option<usize>) -> Result<usize, Fail>;

/// Compresses a block; see `scalar::compress` for the contract.
///
/// # Safety
/// The kernel's target features must be available on this CPU.
pub(crate) type CompressFn = unsafe fn(&mut Tables, Input<'_>, &mut [u8], u32) -> Option<usize>;

/// A kernel's entry points.
pub(crate) struct Kernels {
    pub(crate) decompress: DecompressFn,
    pub(crate) decompress_prefix: DecompressPrefixFn,
    /// Decoding into uninitialized memory; `None` for the scalar kernel, whose safe code
    /// writes only to initialized slices.
    pub(crate) decompress_uninit: Option<DecompressUninitFn>,
    pub(crate) compress: CompressFn,
}

/// # Safety
/// None (safe code); `unsafe` only to fit [`DecompressFn`].
unsafe fn scalar_decompress(
    src: &[u8],
    history: &[u8],
    buf: &mut [u8],
    start: usize,
) -> Result<usize, Fail> {
    crate::scalar::decompress(src, history, buf, start)
}

/// # Safety
/// None (safe code); `unsafe` only to fit [`DecompressPrefixFn`].
unsafe fn scalar_decompress_prefix(
    src: &[u8],
    history: &[u8],
    buf: &mut [u8],
    start: usize,
    want: usize,
) -> Result<usize, Fail> {
    crate::scalar::decompress_prefix(src, history, buf, start, want)
}

/// # Safety
/// None (safe code); `unsafe` only to fit [`CompressFn`].
unsafe fn scalar_compress(
    t: &mut Tables,
    input: Input<'_>,
    dst: &mut [u8],
    accel: u32,
) -> Option<usize> {
    crate::scalar::compress(t, input, dst, accel)
}

static SCALAR: Kernels = Kernels {
    decompress: scalar_decompress,
    decompress_prefix: scalar_decompress_prefix,
    decompress_uninit: None,
    compress: scalar_compress,
};

/// The entry points of `kernel`. Kernels of another architecture map to the scalar ones (no
/// `SimdCodec` is ever made for them, see [`is_available`]).
pub(crate) fn kernels(kernel: Kernel) -> &'static Kernels {
    match kernel {
        Kernel::Scalar => &SCALAR,
        #[cfg(target_arch = "x86_64")]
        Kernel::Sse2 => &crate::arch::x86_64::sse2::KERNELS,
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => &crate::arch::x86_64::avx2::KERNELS,
        #[cfg(target_arch = "aarch64")]
        Kernel::Neon => &crate::arch::aarch64::neon::KERNELS,
        #[allow(unreachable_patterns)]
        _ => &SCALAR,
    }
}

/// What the CPU supports, probed once.
struct Detected {
    available: [bool; 4],
    best: Kernel,
}

fn index(k: Kernel) -> usize {
    match k {
        Kernel::Scalar => 0,
        Kernel::Sse2 => 1,
        Kernel::Avx2 => 2,
        Kernel::Neon => 3,
    }
}

fn detected() -> &'static Detected {
    static DETECTED: OnceLock<Detected> = OnceLock::new();
    DETECTED.get_or_init(|| {
        let mut available = [true, false, false, false];
        cfg_if::cfg_if! {
            if #[cfg(target_arch = "x86_64")] {
                available[1] = std::arch::is_x86_feature_detected!("sse2");
                available[2] = std::arch::is_x86_feature_detected!("avx2");
            } else if #[cfg(target_arch = "aarch64")] {
                available[3] = std::arch::is_aarch64_feature_detected!("neon");
            }
        }
        let mut best = [Kernel::Avx2, Kernel::Neon, Kernel::Sse2, Kernel::Scalar]
            .into_iter()
            .find(|&k| available[index(k)])
            .unwrap_or(Kernel::Scalar);
        // Test/CI override: run everything on a chosen (available) kernel.
        if let Ok(name) = std::env::var("LZ4FRAMED_SIMD_KERNEL") {
            if let Some(k) = Kernel::from_name(name.trim()) {
                if available[index(k)] {
                    best = k;
                }
            }
        }
        Detected { available, best }
    })
}

pub(crate) fn is_available(kernel: Kernel) -> bool {
    detected().available[index(kernel)]
}

pub(crate) fn best_kernel() -> Kernel {
    detected().best
}
