//! lz4framed's own LZ4 block codec, hand-vectorized, with the kernel chosen at run time.
//!
//! # Kernels
//!
//! | [`Kernel`] | name | where |
//! |---|---|---|
//! | [`Kernel::Scalar`] | `simd-scalar` | everywhere: the portable, safe reference (`src/scalar.rs`) |
//! | [`Kernel::Sse2`] | `simd-sse2` | x86_64 (SSE2 is part of the baseline) |
//! | [`Kernel::Avx2`] | `simd-avx2` | x86_64 CPUs with AVX2 (detected at run time) |
//! | [`Kernel::Neon`] | `simd-neon` | aarch64 (NEON is part of the baseline) |
//!
//! Following memchr's arrangement, the scalar kernel is the reference; the arch modules hold
//! `#[target_feature]` kernels built from one generic pointer-based implementation; the CPU is
//! probed once ([`best_kernel`] caches the answer) and every kernel stays selectable by name
//! ([`codec`]) so the tests exercise all of them whatever the CPU's best.
//!
//! All kernels produce identical output:
//!
//! * **Decoding** accepts exactly the blocks the C library's `LZ4_decompress_safe_usingDict`
//!   accepts for the same destination capacity (including its end-of-block parsing
//!   restrictions), except that a match offset of 0 is rejected, and produces the same bytes.
//!   It never reads outside `src`/`history`, never writes outside `dst`, and the returned length
//!   covers only bytes written by the call. Bytes of `dst` beyond the returned length may have
//!   been overwritten (the fast kernels copy in 16/32-byte strides). Every kernel decodes into
//!   one buffer from a start position: [`BlockCodec::decompress`] starts at 0 with the history
//!   in a slice of its own (matches reaching into it take a separate, slower path), while
//!   [`BlockCodec::decompress_in_place`] — the frame layer's call for linked blocks — finds the
//!   history before the start in the same buffer, so a match into it is copied by the same
//!   code as one inside the block (C's prefix mode, `LZ4_decompress_safe_withPrefix64k`, does
//!   the same). Same acceptance rules either way; 64 KiB linked blocks decode about 25 %
//!   faster in place (the bench crate's `frame_cost` example, rows `rawlin` / `rawinp`).
//!   [`BlockCodec::decompress_append`] — the frame layer's call when its output is a `Vec` —
//!   runs the vector kernels on the vector's spare capacity, a raw destination that is never
//!   zero-filled first (`fast::Dst`); their pattern copy, whose 16-byte load reaches past the
//!   bytes written so far, first stores 16 zero bytes where it is about to write
//!   (`fast::Uninit`), so that no uninitialized byte is ever read. The scalar kernel, safe code
//!   over slices, zero-fills the room first.
//! * **Encoding** (fast levels `-65537..=1`; level `-n` is acceleration `n`) follows the
//!   reference's `LZ4_compress_fast` with a 16 KiB table of 8192 16-bit entries, in two ways
//!   chosen as the reference's frame API chooses its functions: a block shorter than 64 KiB +
//!   11 bytes without history, in an independent frame or a frame of one block, is hashed over
//!   4 bytes and searched exactly as C's one-shot function searches its 16-bit table — the
//!   output is byte-identical to `LZ4_compress_fast`. Longer blocks and blocks with history are
//!   hashed over 5 bytes into twice the entries of C's table and, at level 1, searched with a
//!   shorter step-1 phase (`common::LEVEL1_STEP1_PROBES`): a few per cent smaller than C's output
//!   on the Silesia files, never more than 1 % larger on any kind of input (the bench crate's
//!   `tests/ratio.rs`). The frame layer tells the block mode through
//!   [`BlockCompressor::begin_frame`]. A block with history (up to 1 MiB of `src`) is compressed
//!   in a copy of `history ++ src`, like C's prefix mode. The match table is kept across blocks:
//!   when a block's `history` is the previous block's input (recognised by its length and last
//!   bytes) the table simply continues, otherwise it is rebuilt from the history like
//!   `LZ4_loadDict`. Every candidate match is verified against the current `history`/`src`
//!   bytes, so a mistaken guess costs ratio, never correctness.
//! * **High-compression levels** `2..=12` are the [`hc`] module's [`hc::HcCompressor`], our own
//!   port of the reference's `lz4hc.c` (level 2 `lz4mid`, 3..=9 hash chain, 10..=12 optimal
//!   parser): a block without history is byte-identical to `LZ4_compress_HC`. They are the
//!   same for every kernel (the match-length count uses the architecture's baseline vector
//!   unit). [`hc::HcCompressor::new`] also offers the reference's "favour decompression speed"
//!   option, which [`BlockCodec::compressor`] leaves off.
//!
//! # Selecting a kernel
//!
//! [`best_kernel`] is AVX2 where the CPU has it, else SSE2 on x86_64, NEON on aarch64, scalar
//! elsewhere. The environment variable `LZ4FRAMED_SIMD_KERNEL` (a kernel name such as
//! `simd-sse2`), read once, overrides that choice when it names an available kernel — handy to
//! run a whole test suite on one kernel.
//!
//! # Testing
//!
//! `cargo test -p lz4framed-backend-simd` runs every available kernel against the C library
//! (and the Silesia files in `target/corpus` or `$LZ4FRAMED_CORPUS`, if unpacked). The NEON
//! kernel runs under emulation: `cargo test -p lz4framed-backend-simd --target
//! aarch64-unknown-linux-gnu` (see `.cargo/config.toml`). Speed is compared with the C library
//! in the bench crate (`cargo run --release -p lz4framed-bench --example speed`, `--example
//! hc_ratio`, and its report).
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::ops::RangeInclusive;

use lz4framed_core::{
    decompress_append_via_slices, AppendHistory, BlockCodec, BlockCompressor, BlockError, Error,
    WINDOW_SIZE,
};

use crate::common::Input;

mod arch;
mod common;
mod dispatch;
mod fast;
pub mod hc;
mod scalar;

#[cfg(test)]
mod tests;

/// One implementation of the block codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Portable safe Rust, the reference; available everywhere.
    Scalar,
    /// x86_64 SSE2 (128-bit) kernel.
    Sse2,
    /// x86_64 AVX2 (256-bit) kernel.
    Avx2,
    /// aarch64 NEON (128-bit) kernel.
    Neon,
}

impl Kernel {
    /// Every kernel, available or not, from the most portable to the widest.
    pub const ALL: [Kernel; 4] = [Kernel::Scalar, Kernel::Sse2, Kernel::Avx2, Kernel::Neon];

    /// The kernel's codec name: `"simd-scalar"`, `"simd-sse2"`, `"simd-avx2"` or `"simd-neon"`.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "simd-scalar",
            Kernel::Sse2 => "simd-sse2",
            Kernel::Avx2 => "simd-avx2",
            Kernel::Neon => "simd-neon",
        }
    }

    /// The kernel with this [`name`](Kernel::name), if any.
    pub fn from_name(name: &str) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this build and this CPU can run the kernel.
    pub fn is_available(self) -> bool {
        dispatch::is_available(self)
    }
}

/// The fastest kernel this CPU supports (detected once, then cached), unless the environment
/// variable `LZ4FRAMED_SIMD_KERNEL` names another available kernel.
pub fn best_kernel() -> Kernel {
    dispatch::best_kernel()
}

/// The block codec using `kernel`, or `None` when this build or CPU cannot run it.
pub fn codec(kernel: Kernel) -> Option<&'static SimdCodec> {
    static CODECS: [SimdCodec; 4] = [
        SimdCodec {
            kernel: Kernel::Scalar,
        },
        SimdCodec {
            kernel: Kernel::Sse2,
        },
        SimdCodec {
            kernel: Kernel::Avx2,
        },
        SimdCodec {
            kernel: Kernel::Neon,
        },
    ];
    if !kernel.is_available() {
        return None;
    }
    CODECS.iter().find(|c| c.kernel == kernel)
}

/// The block codec using [`best_kernel`].
pub fn best() -> &'static SimdCodec {
    codec(best_kernel()).expect("the best kernel is available")
}

fn registered() -> Result<&'static dyn BlockCodec, &'static str> {
    Ok(best())
}

/// First for compression where a vector kernel runs (faster than C at every level, HC output
/// byte-identical); after C where only the portable scalar kernel does.
fn encode_rank() -> u8 {
    if best_kernel() == Kernel::Scalar {
        2
    } else {
        0
    }
}

// `Auto` decodes with simd first: the fastest decoder that meets the block-decoder contract.
inventory::submit! {
    lz4framed_core::registry::CodecEntry {
        backend: lz4framed_core::Backend::Simd,
        codec: registered,
        decode_rank: 0,
        encode_rank,
    }
}

/// lz4framed's own block codec with one [`Kernel`]. Obtain it with [`codec`] or [`best`]
/// (which only hand out kernels the CPU supports).
#[derive(Debug)]
pub struct SimdCodec {
    kernel: Kernel,
}

impl SimdCodec {
    /// The kernel this codec runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }
}

/// Every level: fast `-65537..=1`, high-compression `2..=12`.
const LEVELS: RangeInclusive<i32> = -common::ACCELERATION_MAX..=hc::MAX_LEVEL;

impl BlockCodec for SimdCodec {
    fn name(&self) -> &'static str {
        self.kernel.name()
    }

    fn levels(&self) -> RangeInclusive<i32> {
        LEVELS
    }

    fn compressor(&self, level: i32) -> Result<Box<dyn BlockCompressor>, Error> {
        if !LEVELS.contains(&level) {
            return Err(Error::UnsupportedLevel {
                backend: self.kernel.name(),
                level,
            });
        }
        if level >= hc::MIN_LEVEL {
            return Ok(Box::new(hc::HcCompressor::new(level, false)));
        }
        Ok(Box::new(SimdCompressor {
            kernels: dispatch::kernels(self.kernel),
            tables: common::Tables::new(),
            accel: common::acceleration(level),
        }))
    }

    fn decompress(&self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Result<usize, BlockError> {
        let k = dispatch::kernels(self.kernel);
        // SAFETY: a `SimdCodec` only exists for an available kernel (`codec` checks
        // `is_available`), which is what `kernels.decompress` requires; start 0 <= dst.len().
        unsafe { (k.decompress)(src, history, dst, 0) }.map_err(BlockError::from)
    }

    fn decompress_prefix(
        &self,
        src: &[u8],
        history: &[u8],
        dst: &mut [u8],
        want: usize,
    ) -> Result<usize, BlockError> {
        let k = dispatch::kernels(self.kernel);
        // SAFETY: as in `decompress`.
        unsafe { (k.decompress_prefix)(src, history, dst, 0, want) }.map_err(BlockError::from)
    }

    /// One buffer for the history and the output: the kernel's fast loop copies a match that
    /// reaches into the history with the same code as one inside the block.
    fn decompress_in_place(
        &self,
        src: &[u8],
        buf: &mut [u8],
        start: usize,
    ) -> Result<usize, BlockError> {
        self.in_place(src, buf, start, None)
            .map_err(BlockError::from)
    }

    fn decompress_prefix_in_place(
        &self,
        src: &[u8],
        buf: &mut [u8],
        start: usize,
        want: usize,
    ) -> Result<usize, BlockError> {
        self.in_place(src, buf, start, Some(want))
            .map_err(BlockError::from)
    }

    /// The vector kernels decode straight into `out`'s spare capacity (no byte of it
    /// initialised first), with the history in `out` in the same buffer as
    /// [`decompress_in_place`](Self::decompress_in_place) has it. The scalar kernel, safe code
    /// over slices, zero-fills the room first ([`decompress_append_via_slices`]).
    fn decompress_append(
        &self,
        src: &[u8],
        history: AppendHistory<'_>,
        out: &mut Vec<u8>,
        capacity: usize,
        want: Option<usize>,
    ) -> Result<usize, BlockError> {
        let Some(decode) = dispatch::kernels(self.kernel).decompress_uninit else {
            return decompress_append_via_slices(self, src, history, out, capacity, want);
        };
        // SAFETY: a `SimdCodec` only exists for an available kernel (`codec` checks
        // `is_available`).
        unsafe { append(decode, src, history, out, capacity, want) }.map_err(BlockError::from)
    }
}

impl SimdCodec {
    /// [`BlockCodec::decompress_in_place`] (`want: None`) and
    /// [`BlockCodec::decompress_prefix_in_place`], with the exact failure reason.
    ///
    /// # Panics
    ///
    /// When `start > buf.len()`.
    pub(crate) fn in_place(
        &self,
        src: &[u8],
        buf: &mut [u8],
        start: usize,
        want: Option<usize>,
    ) -> Result<usize, common::Fail> {
        assert!(
            start <= buf.len(),
            "decompress_in_place: start {start} past the buffer's {} bytes",
            buf.len()
        );
        // The history bound: at most the last WINDOW_SIZE bytes before `start`, so that an
        // offset reaching before them fails (a valid offset never does, it is below 64 KiB).
        let low = start - start.min(WINDOW_SIZE);
        let (buf, start) = (&mut buf[low..], start - low);
        let k = dispatch::kernels(self.kernel);
        // SAFETY: a `SimdCodec` only exists for an available kernel; start <= buf.len()
        // (asserted above, and both shrink by `low`).
        unsafe {
            match want {
                None => (k.decompress)(src, &[], buf, start),
                Some(want) => (k.decompress_prefix)(src, &[], buf, start, want),
            }
        }
    }
}

/// [`BlockCodec::decompress_append`] with a vector kernel's `decode`, with the exact failure
/// reason.
///
/// # Safety
///
/// `decode` is the entry point of a kernel this CPU can run.
///
/// # Panics
///
/// When `history` is [`AppendHistory::InVec`] with `from > out.len()`.
unsafe fn append(
    decode: dispatch::DecompressUninitFn,
    src: &[u8],
    history: AppendHistory<'_>,
    out: &mut Vec<u8>,
    capacity: usize,
    want: Option<usize>,
) -> Result<usize, common::Fail> {
    let len = out.len();
    // The kernel's buffer begins at `low`: the last (at most WINDOW_SIZE) bytes of an
    // in-vector history before the block (as `in_place`), nothing of the vector otherwise.
    let (low, separate) = match history {
        AppendHistory::InVec { from } => {
            history.assert_within(len);
            (len - (len - from).min(WINDOW_SIZE), &[][..])
        }
        AppendHistory::Separate(h) => (len, h),
    };
    out.reserve(capacity);
    let start = len - low;
    // SAFETY: after `reserve` the allocation holds at least `len + capacity` bytes, so `low ..
    // len + capacity` is valid for writes; `out` is borrowed mutably for the whole call, so
    // nothing else touches it, and `separate` (a shared borrow alive while `out` is borrowed
    // mutably) lies outside it. Its first `start` bytes are `out[low..len]`, initialized.
    let dst = unsafe { fast::Dst::from_raw(out.as_mut_ptr().add(low), start + capacity) };
    // SAFETY: `decode` runs on this CPU (the caller's guarantee); start <= dst.len(); `dst` as
    // just said.
    let n = unsafe { decode(src, separate, dst, start, want) }?;
    debug_assert!(n <= capacity);
    // SAFETY: the kernel wrote (initialized) `dst[start..start + n]`, which is `out`'s next `n`
    // bytes, and returns at most `dst.len() - start = capacity` (it never writes past `dst`):
    // within the capacity reserved.
    unsafe { out.set_len(len + n) };
    Ok(n)
}

/// Fuzz builds only (`--cfg fuzzing`, as cargo-fuzz builds): on this thread, the decoder's
/// fast loop runs only its long variant (`Some(true)`), only its short one (`Some(false)`), or
/// both in turns every 40 output bytes (`None`, the fuzz builds' default), so that a fuzz
/// target can check that the variants decode alike. Outside test and fuzz builds the variant
/// is chosen by timing.
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn force_fast_loop_variant(long: Option<bool>) {
    fast::FORCED_VARIANT.with(|f| f.set(long));
}

/// A fast-level compressor of one [`SimdCodec`]: the kernel's functions and the match tables,
/// kept across blocks.
struct SimdCompressor {
    kernels: &'static dispatch::Kernels,
    tables: common::Tables,
    accel: u32,
}

impl BlockCompressor for SimdCompressor {
    fn compress(&mut self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Option<usize> {
        let history = &history[history.len().saturating_sub(WINDOW_SIZE)..];
        let input = Input::Separate { src, history };
        // SAFETY: made by `SimdCodec::compressor` for an available kernel.
        unsafe { (self.kernels.compress)(&mut self.tables, input, dst, self.accel) }
    }

    /// The window and the block as the one slice they are, without the copy into a buffer of
    /// the compressor's own that [`compress`](Self::compress) makes of separate slices (128
    /// KiB per 64 KiB linked block).
    fn compress_in_place(&mut self, buf: &[u8], start: usize, dst: &mut [u8]) -> Option<usize> {
        let cut = start.saturating_sub(WINDOW_SIZE);
        let input = Input::Joined {
            buf: &buf[cut..],
            hlen: start - cut,
        };
        // SAFETY: made by `SimdCodec::compressor` for an available kernel.
        unsafe { (self.kernels.compress)(&mut self.tables, input, dst, self.accel) }
    }

    fn begin_frame(&mut self, block_size: usize, linked: bool) {
        self.tables.begin_frame(block_size, linked);
    }
}
