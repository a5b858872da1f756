//! The pointer-based codec that the vector kernels instantiate.
//!
//! [`decompress`] and [`compress`] are `#[inline(always)]` and generic over a [`Simd`] set of
//! copy/compare primitives; each arch module wraps them in a `#[target_feature]` function, so
//! the primitives (themselves `#[inline(always)]`) are compiled with that kernel's instructions.
//! The algorithm and every acceptance rule are those of `scalar.rs` — only the copying differs:
//! wide copies that may write past the logical end are used only where the slack to the end of
//! `dst` (and the read slack to the end of `src`) is checked first; near the ends the code copies
//! exactly.

use core::marker::PhantomData;
use core::ptr;

use crate::common::*;
use lz4framed_core::compress_bound;

/// The vector primitives of a kernel.
///
/// # Safety (for every method)
/// The caller guarantees the stated readable/writable ranges; the ranges of one call never
/// overlap except where stated.
pub(crate) trait Simd: FastLoop {
    /// The widest copy stride, 16 or 32.
    const WIDE: usize;

    /// Copies 16 bytes `s..s+16` to `d..d+16` (ranges do not overlap).
    unsafe fn copy16(d: *mut u8, s: *const u8);

    /// Copies `WIDE` bytes `s..s+WIDE` to `d..d+WIDE` (loads everything before storing).
    unsafe fn copy_wide(d: *mut u8, s: *const u8);

    /// Writes `len` bytes (and up to 31 more: everything in `d..d + len + 31` may be written)
    /// repeating the `offset`-byte pattern at `d - offset`, for `1 <= offset < 16`.
    /// `d - offset .. d + 16` is readable (bytes at `d..` may be stale; they are not used).
    unsafe fn pattern_copy(d: *mut u8, offset: usize, len: usize);

    /// Number of equal leading bytes of `a..a+n` and `b..b+n`.
    unsafe fn count(a: *const u8, b: *const u8, n: usize) -> usize;
}

/// The decoder's destination buffer: `len` writable bytes at `ptr`. The first `start` bytes
/// (the history held in the same buffer) are initialized; the rest may not be (the spare
/// capacity of a `Vec`). A raw pointer and a length rather than a `&mut [u8]`, which must not
/// cover uninitialized bytes. The decoder writes its output contiguously from `start` on and
/// reads only bytes before its output position (history and bytes it wrote), besides the wide
/// loads of [`Simd::pattern_copy`], which [`Uninit`] makes safe for such a buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dst {
    ptr: *mut u8,
    len: usize,
}

impl Dst {
    /// An initialized slice as a destination.
    #[inline(always)]
    pub(crate) fn new(buf: &mut [u8]) -> Dst {
        Dst {
            ptr: buf.as_mut_ptr(),
            len: buf.len(),
        }
    }

    /// `len` bytes at `ptr`.
    ///
    /// # Safety
    /// `ptr .. ptr + len` is valid for writes (and reads of what was written) for as long as
    /// the decoder uses it, and no other reference to it is used meanwhile.
    #[inline(always)]
    pub(crate) unsafe fn from_raw(ptr: *mut u8, len: usize) -> Dst {
        Dst { ptr, len }
    }

    /// Its size in bytes (the destination capacity, counting the history in it).
    #[inline(always)]
    pub(crate) fn len(self) -> usize {
        self.len
    }

    /// Its first byte.
    #[inline(always)]
    pub(crate) fn as_mut_ptr(self) -> *mut u8 {
        self.ptr
    }
}

/// The primitives of `S` for a destination whose bytes past the output position may be
/// uninitialized ([`Dst`] over a `Vec`'s spare capacity): [`Simd::pattern_copy`] loads 16
/// bytes from `d - offset`, up to 15 bytes past `d` (bytes it does not use); this wrapper first
/// stores 16 zero bytes at `d` (which the pattern copy overwrites anyway), so that no
/// uninitialized byte is ever loaded. Everything else is `S`'s.
pub(crate) struct Uninit<S>(PhantomData<S>);

impl<S: Simd> Simd for Uninit<S>
where
    Uninit<S>: FastLoop,
{
    const WIDE: usize = S::WIDE;

    #[inline(always)]
    unsafe fn copy16(d: *mut u8, s: *const u8) {
        // SAFETY: forwarded.
        unsafe { S::copy16(d, s) }
    }

    #[inline(always)]
    unsafe fn copy_wide(d: *mut u8, s: *const u8) {
        // SAFETY: forwarded.
        unsafe { S::copy_wide(d, s) }
    }

    #[inline(always)]
    unsafe fn pattern_copy(d: *mut u8, offset: usize, len: usize) {
        // SAFETY: `d .. d + len + 31` is writable (the caller's guarantee, len >= 1), so
        // `d .. d + 16` is; then `d - offset .. d + 16` is initialized, as `S` needs.
        unsafe {
            ptr::write_unaligned(d as *mut [u8; 16], [0; 16]);
            S::pattern_copy(d, offset, len)
        }
    }

    #[inline(always)]
    unsafe fn count(a: *const u8, b: *const u8, n: usize) -> usize {
        // SAFETY: forwarded.
        unsafe { S::count(a, b, n) }
    }
}

/// The fast loop's variants ([`fast_seqs`]) of a kernel, each a function of its own compiled
/// with the kernel's target feature (`kernel_entry_points!` implements it for every kernel).
pub(crate) trait FastLoop {
    /// [`fast_seqs`] with the kernel's primitives.
    ///
    /// # Safety
    /// As [`fast_seqs`].
    #[allow(clippy::too_many_arguments)]
    unsafe fn seqs<const PREFIX: bool, const LONG: bool>(
        src: &[u8],
        history: &[u8],
        dst: Dst,
        ip: usize,
        op: usize,
        ip_fast: usize,
        op_fast: usize,
        want: usize,
    ) -> Result<(usize, usize), Fail>;
}

/// `copy_wide` in a loop: copies `len` bytes in strides of 32 bytes (one or two `copy_wide`),
/// writing up to `d + round_up(len, 32)` and reading up to `s + round_up(len, 32)`. The source
/// may lie before the destination in the same buffer if they are at least 32 bytes apart.
#[inline(always)]
unsafe fn wild_copy<S: Simd>(d: *mut u8, s: *const u8, len: usize) {
    let mut k = 0;
    if S::WIDE < 32 {
        // Two strides per round (32 bytes, as the wide kernels): half the loop overhead. The
        // second may reach up to `WIDE` bytes past `round_up(len, WIDE)`, so the caller's room
        // must be `round_up(len, 32)`.
        loop {
            // SAFETY: the caller guarantees `round_up(len, 32)` bytes of room on both sides.
            unsafe {
                S::copy_wide(d.add(k), s.add(k));
                S::copy_wide(d.add(k + S::WIDE), s.add(k + S::WIDE));
            }
            k += 2 * S::WIDE;
            if k >= len {
                break;
            }
        }
        return;
    }
    loop {
        // SAFETY: the caller guarantees `round_up(len, WIDE)` bytes of room on both sides.
        unsafe { S::copy_wide(d.add(k), s.add(k)) };
        k += S::WIDE;
        if k >= len {
            break;
        }
    }
}

/// The scalar end of a match-length count: 8-byte then 1-byte compares from `k` up to `n`.
///
/// # Safety
/// `a..a+n` and `b..b+n` readable.
#[inline(always)]
pub(crate) unsafe fn count_tail(a: *const u8, b: *const u8, mut k: usize, n: usize) -> usize {
    // SAFETY: every read stays below a + n / b + n.
    unsafe {
        while k + 8 <= n {
            let x = read64(a.add(k)) ^ read64(b.add(k));
            if x != 0 {
                return k + (x.trailing_zeros() / 8) as usize;
            }
            k += 8;
        }
        while k < n && *a.add(k) == *b.add(k) {
            k += 1;
        }
    }
    k
}

/// Match-length count for the compressor: most matches are short, so the first 24 bytes are
/// compared in three scalar 8-byte steps (each exit its own branch, as C's `LZ4_count`) before
/// the kernel's vector loop takes over; below 32 bytes to the limit, [`count_tail`] counts.
/// Measured (4 MiB blocks, interleaved with `LZ4_compress_default`): one scalar step before the
/// vector loop cost 3-4 % of the Silesia geomean and 13 % on a 66 KiB JSON text, whose matches
/// are mostly 5-30 bytes long (the vector loop's exit branch and its longer latency before the
/// next sequence); a scalar count throughout was 2 % slower than three steps.
///
/// # Safety
/// `a..a+n` and `b..b+n` readable.
#[inline(always)]
unsafe fn count_match<S: Simd>(a: *const u8, b: *const u8, n: usize) -> usize {
    // SAFETY: reads stay below a + n / b + n.
    unsafe {
        if n >= 32 {
            let x = read64(a) ^ read64(b);
            if x != 0 {
                return (x.trailing_zeros() / 8) as usize;
            }
            let x = read64(a.add(8)) ^ read64(b.add(8));
            if x != 0 {
                return 8 + (x.trailing_zeros() / 8) as usize;
            }
            let x = read64(a.add(16)) ^ read64(b.add(16));
            if x != 0 {
                return 16 + (x.trailing_zeros() / 8) as usize;
            }
            24 + S::count(a.add(24), b.add(24), n - 24)
        } else {
            count_tail(a, b, 0, n)
        }
    }
}

/// Adds to a match length. On 64-bit targets a length can not overflow (it is at most
/// 255 × the block size); on narrower ones it saturates (and then fails the end checks).
#[inline(always)]
fn add_len(a: usize, b: usize) -> usize {
    if usize::BITS >= 64 {
        a.wrapping_add(b)
    } else {
        a.saturating_add(b)
    }
}

/// The error exit, kept out of the hot loop's code layout.
#[cold]
#[inline(never)]
fn cold(f: Fail) -> Result<usize, Fail> {
    Err(f)
}

/// `p + 3` (the position past a token's offset when it has no literals), as an addition the
/// optimizer cannot merge with the later addition of the literal length: otherwise it computes
/// `p + ll + 3` after the token's load, two additions on the chain from token to token instead
/// of one (measured, x86_64: 2.5 % faster on the corpus with both kernels). Elsewhere a plain
/// addition.
#[inline(always)]
fn past_offset(p: *const u8) -> *const u8 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut q = p;
        // SAFETY: a register computation (lea), no memory access; the pointer it yields is
        // only dereferenced under the bounds of its user.
        // `nomem` is right: the pointer is only added to, never read through.
        #[allow(clippy::pointers_in_nomem_asm_block)]
        unsafe {
            core::arch::asm!("lea {q}, [{q} + 3]", q = inout(reg) q,
                options(pure, nomem, nostack, preserves_flags));
        }
        q
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        p.wrapping_add(3)
    }
}

/// Marks the path that calls it as the rare one of a branch, so that the code layout keeps the
/// other path straight (`#[cold]`: the call is nothing once inlined, but the branch weight
/// stays).
#[cold]
#[inline]
fn rare() {}

/// [`cold`] for other result types.
#[cold]
#[inline(never)]
fn cold_fail(f: Fail) -> Fail {
    f
}

/// Copies 8 bytes (unaligned).
///
/// # Safety
/// 8 readable bytes at `s`, 8 writable at `d`; if they overlap, `d >= s + 8`.
#[inline(always)]
unsafe fn copy8(d: *mut u8, s: *const u8) {
    // SAFETY: forwarded from the caller.
    unsafe { ptr::write_unaligned(d as *mut u64, ptr::read_unaligned(s as *const u64)) }
}

/// Reads 2 bytes little-endian.
#[inline(always)]
unsafe fn read16(p: *const u8) -> usize {
    // SAFETY: caller guarantees 2 readable bytes.
    u16::from_le(unsafe { ptr::read_unaligned(p as *const u16) }) as usize
}

/// Reads 4 bytes (native order; only compared for equality or hashed like the reference).
#[inline(always)]
unsafe fn read32(p: *const u8) -> u32 {
    // SAFETY: caller guarantees 4 readable bytes.
    u32::from_le(unsafe { ptr::read_unaligned(p as *const u32) })
}

/// Reads 8 bytes little-endian.
#[inline(always)]
unsafe fn read64(p: *const u8) -> u64 {
    // SAFETY: caller guarantees 8 readable bytes.
    u64::from_le(unsafe { ptr::read_unaligned(p as *const u64) })
}

/// Copies a match of `len` bytes at distance `offset` (`1 <= offset <= op`) to `dst[op..]`,
/// `op + len <= dst.len()`. Wide strides when there are at least 32 bytes of slack after the
/// match, exact copying otherwise.
///
/// # Safety
/// As stated; `dst[..op]` initialized.
#[inline(always)]
unsafe fn copy_in_dst<S: Simd>(dst: Dst, op: usize, offset: usize, len: usize) {
    if op + len + 32 <= dst.len() {
        // SAFETY: the slack just checked.
        unsafe { copy_in_dst_wide::<S>(dst, op, offset, len) }
    } else {
        // SAFETY: forwarded.
        unsafe { copy_match_exact(dst, op, offset, len) };
    }
}

/// [`copy_in_dst`] when the caller has checked `op + len + 32 <= dst.len()`.
///
/// # Safety
/// `1 <= offset <= op` and `op + len + 32 <= dst.len()`.
#[inline(always)]
unsafe fn copy_in_dst_wide<S: Simd>(dst: Dst, op: usize, offset: usize, len: usize) {
    // SAFETY: op <= oend; forwarded.
    unsafe { copy_match_wide::<S>(dst.as_mut_ptr().add(op), offset, len) }
}

/// Copies a match of `len` bytes at distance `offset` to `d`, in strides that may write up to
/// 31 bytes past `d + len`.
///
/// # Safety
/// `d - offset .. d` is initialized memory of the same buffer as `d .. d + len + 32`, which is
/// writable; `offset >= 1`.
#[inline(always)]
unsafe fn copy_match_wide<S: Simd>(d: *mut u8, offset: usize, len: usize) {
    // SAFETY (both): every write stays below d + len + 32; reads stay below
    // s + len + 32 <= d + len + 32; each stride reads only bytes written before it (offset >=
    // stride) or, for the pattern copy, uses only `offset` bytes before `d`.
    let s = unsafe { d.sub(offset) };
    if offset >= 16 {
        // 16+16 per round, each 16-byte piece stored before the next is loaded: valid for
        // offset >= 16, and (measured) faster than 32-byte accesses, whose loads often span
        // two recent stores (which cannot be forwarded to them) — also for far matches:
        // 32-byte strides for offsets >= 64 made the AVX2 kernel 2 % slower on the corpus.
        let mut k = 0;
        loop {
            unsafe {
                S::copy16(d.add(k), s.add(k));
                S::copy16(d.add(k + 16), s.add(k + 16));
            }
            k += 32;
            if k >= len {
                break;
            }
        }
    } else {
        unsafe { S::pattern_copy(d, offset, len) };
    }
}

/// The bytes of a match from 64 on (the first 64 copied), in 16-byte pieces.
///
/// # Safety
/// `d - offset .. d + 64` initialized memory of the same buffer as `d .. d + len + 32`, which
/// is writable; `offset >= 16`, `len > 64`.
#[inline(always)]
unsafe fn copy_match_tail<S: Simd>(d: *mut u8, offset: usize, len: usize) {
    // SAFETY: writes below d + len + 32; each piece reads only bytes stored before it
    // (offset >= 16).
    unsafe {
        let s = d.sub(offset);
        let mut k = 64;
        loop {
            S::copy16(d.add(k), s.add(k));
            S::copy16(d.add(k + 16), s.add(k + 16));
            k += 32;
            if k >= len {
                break;
            }
        }
    }
}

/// Exact overlapping match copy, for the last bytes of `dst`: in pieces of at most `offset`
/// bytes, each read only from bytes before it.
///
/// # Safety
/// `1 <= offset <= op`, `op + len <= dst.len()`, `dst[..op]` initialized.
unsafe fn copy_match_exact(dst: Dst, op: usize, offset: usize, len: usize) {
    let p = dst.as_mut_ptr();
    let start = op - offset;
    let end = op + len;
    let mut cur = op;
    while cur < end {
        let n = (cur - start).min(end - cur);
        // SAFETY: start + n <= cur and cur + n <= end <= dst.len(): two disjoint ranges of
        // dst, the first initialized (below cur).
        unsafe { ptr::copy_nonoverlapping(p.add(start), p.add(cur), n) };
        cur += n;
    }
}

/// Copies `n` bytes from `s` (outside `dst`) to `dst[op..op + n]`.
///
/// # Safety
/// `s .. s + n` readable and outside `dst`; `op + n <= dst.len()`.
#[inline(always)]
unsafe fn copy_exact(dst: Dst, op: usize, s: *const u8, n: usize) {
    // SAFETY: forwarded.
    unsafe { ptr::copy_nonoverlapping(s, dst.as_mut_ptr().add(op), n) }
}

/// Decodes one block into `buf[start..]`; same contract and acceptance rules as
/// `scalar::decompress_prefix`. `buf[..start]` is history in the same buffer (matches reach into
/// it like into output of this block), `history` the history before `buf[0]` in another slice;
/// the destination capacity of the end-of-block rules is `buf.len() - start`. Returns the bytes
/// written from `start` on. With `PREFIX`, stops at the first sequence boundary at or past `want`
/// output bytes (`scalar::decompress_prefix`); without, `want` is ignored.
///
/// Two loops, like the reference's decoder: a fast loop for the sequences far from both ends
/// of the block (at least 18 bytes of input after the token, 64 bytes of room in `dst`), which
/// needs none of the end-of-block rules, and the general loop for the rest. The fast loop
/// hands a sequence it cannot decode without the general rules (a literal run whose length or
/// copy reaches near an end) to the general loop before touching it; its matches other than
/// the common short one go through [`match_part`], which applies every rule.
///
/// `buf` is a [`Dst`]: the caller's slice, or spare capacity of a `Vec` (with `S` =
/// [`Uninit`]), whose first `start` bytes are initialized.
///
/// # Safety
/// `S`'s target features must be available; `start <= buf.len()`; `buf` as [`Dst`] says, and
/// when its bytes from `start` on may be uninitialized, `S` is an [`Uninit`].
#[inline(always)]
pub(crate) unsafe fn decompress<S: Simd, const PREFIX: bool>(
    src: &[u8],
    history: &[u8],
    buf: Dst,
    start: usize,
    want: usize,
) -> Result<usize, Fail> {
    let iend = src.len();
    let oend = buf.len();
    let dst = buf;
    // The caller's bound (checked by every entry point, which panics otherwise): all positions
    // below are at least `start` and at most `oend`.
    debug_assert!(start <= oend);
    if oend == start {
        return match src {
            [0] => Ok(0),
            [] => Err(Fail::Corrupt(0)),
            _ => Err(Fail::OutputTooSmall),
        };
    }
    if iend == 0 {
        return Err(Fail::Corrupt(0));
    }
    let sp = src.as_ptr();
    let mut ip = 0usize;
    let mut op = start;
    // Output positions are indices of `buf`: the end of the wanted prefix is one too.
    let want = if PREFIX {
        start.saturating_add(want)
    } else {
        0
    };
    // The fast loop's region: a token at most at `ip_fast` has 17 readable bytes after it; an
    // output position at most at `op_fast` has 64 writable bytes.
    let fast = iend >= 18 && oend - start >= 64;
    let ip_fast = iend.saturating_sub(18);
    let op_fast = oend.saturating_sub(64);
    loop {
        if fast {
            // SAFETY: ip_fast + 18 <= iend, op_fast + 64 <= oend, start <= op.
            (ip, op) = unsafe {
                fast_loop::<S, PREFIX>(src, history, dst, ip, op, ip_fast, op_fast, want)?
            };
        }
        if PREFIX && op >= want {
            return Ok(op - start);
        }
        // The general loop: one sequence with every rule.
        // SAFETY: ip < iend, the loop invariant (see the checks before each `continue`/end of
        // the loop body).
        let token = unsafe { *sp.add(ip) } as usize;
        ip += 1;
        let mut ll = token >> 4;
        let offset;
        // The reference's shortcut (`ll < 15 && ip + 17 <= iend && op + 32 <= oend`): no
        // end-of-block checks for the literals.
        if ll < 15 && ip + 17 <= iend && op + 32 <= oend {
            let dp = dst.as_mut_ptr();
            // SAFETY: reads ip..ip+16 < iend, writes op..op+16 <= oend - 16.
            unsafe { S::copy16(dp.add(op), sp.add(ip)) };
            ip += ll;
            op += ll;
            // SAFETY: ip + 2 <= iend - 1 (ll <= 14 and the old ip + 17 <= iend).
            offset = unsafe { read16(sp.add(ip)) };
            ip += 2;
            let mlc = token & 15;
            if mlc != 15 && offset >= 8 && offset <= op - start {
                // The reference's unchecked shortcut: op <= oend - 18 and ml <= 18; the match
                // starts in this block's output. A match into history, in this buffer or a
                // separate one, takes the checked path (`match_part`), so that decoding in place
                // accepts exactly the blocks separate-history decoding accepts (as
                // `scalar::decompress_prefix`).
                // SAFETY: writes op..op+18 <= oend; reads op-offset..op-offset+18, each
                // 8-byte piece only from bytes before it, history or written before it
                // (offset >= 8).
                unsafe {
                    let d = dp.add(op);
                    let s = dp.add(op - offset);
                    copy8(d, s);
                    copy8(d.add(8), s.add(8));
                    ptr::write_unaligned(
                        d.add(16) as *mut u16,
                        ptr::read_unaligned(s.add(16) as *const u16),
                    );
                }
                op += mlc + MINMATCH;
                continue;
            }
        } else {
            if ll == 15 {
                if ip + 15 >= iend {
                    return cold(Fail::Corrupt(ip));
                }
                loop {
                    // SAFETY: ip < iend - 15 (checked before the loop / at the end of each round).
                    let s = unsafe { *sp.add(ip) };
                    ip += 1;
                    ll += s as usize;
                    if ip + 15 > iend {
                        return cold(Fail::Corrupt(ip));
                    }
                    if s != 255 {
                        break;
                    }
                }
            }
            if ll > iend - ip {
                return cold(Fail::Corrupt(ip));
            }
            if ip + ll + 32 <= iend && op + ll + 32 <= oend {
                // Room for wide strides; then neither end-of-block condition below can hold.
                // SAFETY: reads below ip + ll + 32 <= iend, writes below op + ll + 32 <= oend;
                // src and dst are distinct slices.
                unsafe { wild_copy::<S>(dst.as_mut_ptr().add(op), sp.add(ip), ll) };
            } else {
                if op + ll + MFLIMIT > oend || ip + ll + 2 + 1 + LASTLITERALS > iend {
                    if ip + ll != iend {
                        return cold(if op + ll + MFLIMIT > oend && ip + ll + 8 <= iend {
                            Fail::OutputTooSmall
                        } else {
                            Fail::Corrupt(ip)
                        });
                    }
                    if op + ll > oend {
                        return cold(Fail::OutputTooSmall);
                    }
                    // SAFETY: ip + ll == iend, op + ll <= oend (just checked).
                    unsafe { copy_exact(dst, op, sp.add(ip), ll) };
                    return Ok(op + ll - start);
                }
                // SAFETY: ip + ll <= iend (checked above), op + ll + MFLIMIT <= oend.
                unsafe { copy_exact(dst, op, sp.add(ip), ll) };
            }
            ip += ll;
            op += ll;
            // SAFETY: ip + 8 <= iend (checked above).
            offset = unsafe { read16(sp.add(ip)) };
            ip += 2;
        }
        // SAFETY: forwarded; ip < iend (ip + 1 <= iend after a shortcut's offset, ip + 6 <=
        // iend otherwise), op <= oend.
        (ip, op) = unsafe { match_part::<S>(src, history, dst, ip, op, token, offset)? };
    }
}

/// Output bytes that each variant of the fast loop decodes, one after the other, to be timed
/// (a probe); the faster one then decodes the next [`RUN`] bytes, and the next probe follows.
#[cfg(not(any(test, fuzzing)))]
const PROBE: usize = 2 << 10;
/// Output bytes decoded with the variant that was faster in the last probe; four times as
/// many when it was faster by more than 1/8.
#[cfg(not(any(test, fuzzing)))]
const RUN: usize = 60 << 10;
/// In the unit tests and fuzz builds: short stretches, and the variants take turns (not chosen
/// by timing), so that small blocks exercise both and every run decodes alike.
#[cfg(any(test, fuzzing))]
const PROBE: usize = 40;
#[cfg(any(test, fuzzing))]
const RUN: usize = 40;

#[cfg(any(test, fuzzing))]
std::thread_local! {
    /// Unit tests and fuzz builds only: `Some(long)` makes [`fast_loop`] run that variant
    /// wherever it may (`long_ok`), on this thread; `None` lets them take turns.
    pub(crate) static FORCED_VARIANT: core::cell::Cell<Option<bool>> =
        const { core::cell::Cell::new(None) };
}

#[cfg(test)]
std::thread_local! {
    /// Unit tests only: output bytes the long variant decoded on this thread (to check that a
    /// test reaches it).
    pub(crate) static LONG_VARIANT_BYTES: core::cell::Cell<usize> =
        const { core::cell::Cell::new(0) };
}

/// The variant a unit test or fuzz target forces [`fast_loop`] to run (`FORCED_VARIANT`);
/// `None` in every other build.
#[inline(always)]
fn forced_variant() -> Option<bool> {
    #[cfg(any(test, fuzzing))]
    let v = FORCED_VARIANT.with(|f| f.get());
    #[cfg(not(any(test, fuzzing)))]
    let v = None;
    v
}

/// A time stamp for comparing the fast loop's variants: the time-stamp counter on x86_64 (a
/// few nanoseconds to read), the monotonic clock elsewhere.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Stamp(u64);
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy)]
struct Stamp(std::time::Instant);

impl Stamp {
    #[inline(always)]
    fn now() -> Stamp {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `rdtsc` reads the time-stamp counter, which every x86_64 CPU has; no memory
        // access.
        #[allow(unused_unsafe)]
        let s = Stamp(unsafe { core::arch::x86_64::_rdtsc() });
        #[cfg(not(target_arch = "x86_64"))]
        let s = Stamp(std::time::Instant::now());
        s
    }

    /// Ticks (counter cycles or nanoseconds) since `self`.
    #[inline(always)]
    fn elapsed(self) -> u64 {
        #[cfg(target_arch = "x86_64")]
        let e = Stamp::now().0.wrapping_sub(self.0);
        #[cfg(not(target_arch = "x86_64"))]
        let e = self.0.elapsed().as_nanos() as u64;
        e
    }
}

/// The fast loop of [`decompress`]: sequences far from both ends of the block (a token at
/// most at `ip_fast`, 18 bytes before the end of `src`; output at most at `op_fast`, 64 bytes
/// before the end of `dst`), which need none of the end-of-block rules. A sequence it cannot
/// decode without them (a literal run whose length or copy reaches near an end) is left,
/// untouched, to the general loop; matches other than the common short one go through
/// [`match_part`], which applies every rule. Returns `(ip, op)` at a sequence boundary.
/// `dst` is the whole buffer of [`decompress`]: the bytes before the block's output
/// (`dst[..start]`) are history, and a match reaching anywhere into `dst[..op]` is copied
/// within the buffer, by the same code as a match inside the block's output.
///
/// Two variants of the loop ([`fast_seqs`]) decode alike and differ in speed with the input:
/// the short one branches on the token's match length (text, whose matches are short, predicts
/// it well), the long one takes one continuation byte without a branch (match-heavy data,
/// where a match longer than 18 bytes is close to a coin toss). Which is faster is measured,
/// not guessed: each decodes [`PROBE`] bytes, timed, then the faster one [`RUN`] bytes, and so
/// on. A count of long matches chose worse (a 66 KiB JSON text ran 16 % slower) and a wrong
/// choice costs only time, never a different result.
///
/// # Safety
/// `S`'s target features must be available; `ip_fast + 18 <= src.len()`, `op_fast + 64 <=
/// dst.len()`, `ip < src.len()`, `op <= dst.len()`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) unsafe fn fast_loop<S: Simd, const PREFIX: bool>(
    src: &[u8],
    history: &[u8],
    dst: Dst,
    ip: usize,
    op: usize,
    ip_fast: usize,
    op_fast: usize,
    want: usize,
) -> Result<(usize, usize), Fail> {
    let (mut ip, mut op) = (ip, op);
    if ip > ip_fast || op > op_fast {
        return Ok((ip, op));
    }
    // The long variant reads the byte after the offset: its tokens end 4 bytes earlier; and it
    // copies 64 bytes of every match: its output ends 32 bytes earlier.
    let long_ok = ip_fast >= 4 && op_fast >= op + 32;
    // 0: probing the short variant, 1: probing the long one, 2: running the faster.
    let mut step = 0u8;
    let mut short_cost = (0u64, 0usize);
    let mut faster_long = false;
    let mut run = RUN;
    loop {
        let long = long_ok
            && if cfg!(any(test, fuzzing)) {
                forced_variant().unwrap_or(step == 1)
            } else {
                match step {
                    0 => false,
                    1 => true,
                    _ => faster_long,
                }
            };
        let (ip_lim, op_lim) = if long {
            (ip_fast - 4, op_fast - 32)
        } else {
            (ip_fast, op_fast)
        };
        let lim = op_lim.min(op.saturating_add(if step < 2 { PROBE } else { run }));
        let t = Stamp::now();
        // SAFETY: ip_lim + 18 <= ip_fast + 18 <= src.len() and lim + 64 <= op_fast + 64 <=
        // dst.len(); for the long variant ip_lim = ip_fast - 4 and lim <= op_fast - 32, so
        // ip_lim + 22 <= src.len() and lim + 96 <= dst.len(), as it needs; ip < src.len(), op
        // <= dst.len().
        let (nip, nop) = unsafe {
            if long {
                S::seqs::<PREFIX, true>(src, history, dst, ip, op, ip_lim, lim, want)?
            } else {
                S::seqs::<PREFIX, false>(src, history, dst, ip, op, ip_lim, lim, want)?
            }
        };
        let ticks = t.elapsed();
        let bytes = nop - op;
        #[cfg(test)]
        if long {
            LONG_VARIANT_BYTES.with(|c| c.set(c.get() + bytes));
        }
        step = match step {
            0 => {
                short_cost = (ticks, bytes);
                1
            }
            1 => {
                // Ticks per byte, compared by cross-multiplying (in u128: no overflow).
                let long_cost = (ticks as u128) * (short_cost.1 as u128);
                let short_cost = (short_cost.0 as u128) * (bytes as u128);
                faster_long = long_cost < short_cost;
                let (lo, hi) = if faster_long {
                    (long_cost, short_cost)
                } else {
                    (short_cost, long_cost)
                };
                run = if hi * 8 > lo * 9 { 4 * RUN } else { RUN };
                2
            }
            _ => 0,
        };
        // Stopped at the end of the stretch, not of the fast region (nor for a sequence the
        // general loop must decode): go on.
        let go_on = nop > lim && lim < op_lim && nip <= ip_lim;
        (ip, op) = (nip, nop);
        if !go_on || (PREFIX && op >= want) {
            return Ok((ip, op));
        }
    }
}

/// One variant of the fast loop (see [`fast_loop`]), decoding sequences while the token is at
/// most at `ip_fast` and the output at most at `op_fast`; `LONG` selects the variant. Each
/// kernel compiles each variant into a function of its own ([`FastLoop`]): two variants
/// inlined into [`decompress`] measured alike on the corpus (geomean of our MB/s within 1 %),
/// and a function of its own does not move with the code around it.
///
/// # Safety
/// `S`'s target features must be available; `ip_fast + 18 <= src.len()` (`+ 22` for `LONG`),
/// `op_fast + 64 <= dst.len()` (`+ 96` for `LONG`: its 64-byte match copy starts up to 14
/// literal bytes past `op_fast`), `ip < src.len()`, `op <= dst.len()`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) unsafe fn fast_seqs<S: Simd, const PREFIX: bool, const LONG: bool>(
    src: &[u8],
    history: &[u8],
    dst: Dst,
    ip: usize,
    op: usize,
    ip_fast: usize,
    op_fast: usize,
    want: usize,
) -> Result<(usize, usize), Fail> {
    let (iend, oend) = (src.len(), dst.len());
    debug_assert!(ip_fast + if LONG { 22 } else { 18 } <= iend);
    debug_assert!(op_fast + if LONG { 96 } else { 64 } <= oend);
    let sp = src.as_ptr();
    // Pointers instead of indices in here (fewer live values, no base registers).
    let dp = dst.as_mut_ptr();
    // SAFETY (pointer arithmetic): every pointer stays inside src / dst (the bounds
    // below), and is converted back to an index at the end.
    let (mut ipp, mut opp) = unsafe { (sp.add(ip), dp.add(op)) };
    let (ipp_fast, opp_fast) = unsafe { (sp.add(ip_fast), dp.add(op_fast)) };
    let (iendp, oendp) = unsafe { (sp.add(iend), dp.add(oend)) };
    let wantp = if PREFIX {
        unsafe { dp.add(want.min(oend)) }
    } else {
        dp
    };
    // Whether the fast loop decodes the sequence at ipp / opp, checked at the end of each
    // sequence's path (`next_seq!`) rather than in a common loop head: the common short
    // sequence then branches back to the top of the loop directly, instead of jumping to a
    // shared check placed after the rare paths. Measured (report, block decompression, × of
    // `LZ4_decompress_safe`, geomean): avx2 1.06-1.07 -> 1.12-1.13, sse2 1.07 -> 1.11-1.13 as
    // built by default; with every loop aligned to 64 bytes (`-C llvm-args=-align-loops=64`)
    // avx2 1.04-1.06 -> 1.07-1.09, sse2 1.06 -> 1.06-1.09: the rest is where the code lands,
    // which moves this loop's speed by up to 10 % from one build to the next.
    macro_rules! more {
        () => {
            ipp <= ipp_fast && opp <= opp_fast && !(PREFIX && opp >= wantp)
        };
    }
    macro_rules! next_seq {
        () => {
            if more!() {
                continue;
            } else {
                break;
            }
        };
    }
    if !more!() {
        // SAFETY: both inside their slices.
        return unsafe { Ok((ipp.offset_from(sp) as usize, opp.offset_from(dp) as usize)) };
    }
    loop {
        // SAFETY: ipp + 18 <= iendp.
        let token = unsafe { *ipp } as usize;
        let mut i = unsafe { ipp.add(1) };
        let mut o = opp;
        // The first 16 literal bytes, whatever the literal length (the reference's shortcut
        // for ll < 15, i + 17 <= iend, o + 32 <= oend; for a longer run they are copied again
        // below): no branch before the copy.
        // SAFETY: reads i .. i + 16 <= iendp - 1; writes o .. o + 16 <= oendp - 48.
        unsafe { S::copy16(o, i) };
        let ll = token >> 4;
        // The long variant's next token when the match length has at most one continuation
        // byte: past the offset and that byte (`ext`, 1 when the token's match length is 15).
        let mut next = i;
        if ll != 15 {
            // `i` past the offset: `ipp + 3`, computed while the token loads, plus the
            // literal length: one addition after the token's load and shift on the chain from
            // token to token. The long variant's `next` adds `(token + 1) >> 4` = ll + ext
            // (the low nibble's carry), as short a chain (a `+ ext` after `+ ll` is one more
            // addition on it).
            // SAFETY: i <= ipp + 17 <= iendp - 1, o + 14 <= oendp - 50; next <= i + 1.
            unsafe {
                let p = past_offset(ipp);
                i = p.add(ll);
                if LONG {
                    next = p.add((token + 1) >> 4);
                }
                o = o.add(ll);
            }
        } else {
            rare();
            // A long literal run: decoded here only when its length bytes end and its
            // copy (with 32 bytes of slack) fits well before both ends, where the
            // general loop's checks cannot fail; otherwise left to the general loop.
            let mut n = 15usize;
            // SAFETY: every read is at i with i + 16 <= iendp (first i + 17 <= iendp,
            // then by the test in the loop); the copy as checked.
            unsafe {
                loop {
                    let s = *i as usize;
                    i = i.add(1);
                    n += s;
                    if s != 255 || iendp.offset_from(i) < 16 {
                        break;
                    }
                }
                if (iendp.offset_from(i) as usize) < n + 32
                    || (oendp.offset_from(o) as usize) < n + if LONG { 96 } else { 32 }
                {
                    break;
                }
                // Reads below i + n + 32 <= iendp, writes below o + n + 32 <= oendp;
                // src and dst are distinct slices.
                wild_copy::<S>(o, i, n);
                i = i.add(n + 2);
                o = o.add(n);
                if LONG {
                    // i + 1 <= iendp (i + 30 <= iendp below).
                    next = i.add(((token & 15) + 1) >> 4);
                }
            }
        }
        // After the literals: o + 32 <= oendp (short run: o <= opp + 14 <= oendp - 50; long
        // run: checked) and the offset at i - 2, i <= iendp - 1 (short: i <= ipp + 17; long:
        // i + 30 <= iendp).
        // SAFETY: as just said.
        let offset = unsafe { read16(i.sub(2)) };
        let mlc = token & 15;
        // SAFETY (offset_from): o and dp are in dst.
        let o_idx = unsafe { o.offset_from(dp) } as usize;
        if !LONG && mlc != 15 && offset >= 8 && offset <= o_idx {
            // The common sequence of text: a match of at most 18 bytes starting 8 or more
            // bytes back in dst; o + 18 <= oendp - 14, so the general loop's room check (o +
            // ml + 5 <= oend) passes. Copied as the reference does, 8 + 8 + 2 bytes
            // (measured: one 16-byte piece instead of two 8-byte ones is 4 % slower on the
            // corpus — a wider load more often spans two recent stores, which cannot be
            // forwarded to it).
            // SAFETY: writes o .. o + 18 <= oendp; reads s .. s + 18 inside dst[..o + 10]
            // (offset <= o_idx), each piece only bytes stored before it (offset >= 8).
            unsafe {
                let s = o.sub(offset);
                copy8(o, s);
                copy8(o.add(8), s.add(8));
                ptr::write_unaligned(
                    o.add(16) as *mut u16,
                    ptr::read_unaligned(s.add(16) as *const u16),
                );
                ipp = i;
                opp = o.add(mlc + MINMATCH);
            }
            next_seq!();
        }
        // The byte after the offset: the match length's first continuation byte when the
        // token says 15, else the next token. Taken into the length without a branch (on
        // match-heavy inputs whether a match is longer than 18 bytes is close to a coin
        // toss, and the reference's branch on it mispredicts often).
        // SAFETY: i <= iendp - 5 (short literals: i <= ipp + 17, ipp + 22 <= iendp; long: i +
        // 30 <= iendp).
        if LONG {
            let b = unsafe { *i } as usize;
            // In arithmetic, not as a condition (the compiler would branch on it): `ext` is 1
            // when the token's match length is 15, `x` the continuation byte then, else 0.
            let ext = (mlc + 1) >> 4;
            let x = b & ext.wrapping_neg();
            let ml = mlc + MINMATCH + x;
            if offset >= 16 && offset <= o_idx && x != 255 {
                // A match starting 16 or more bytes back in dst, whose length is at most one
                // continuation byte: the next token at i + ext, and i + ext + 4 <= iendp (the
                // general loop's rule after a length byte holds). 64 bytes are copied whatever
                // the length, the first 32 in 8-byte pieces, the next 32 in 16-byte ones (o +
                // 64 <= oendp - 18 after short literals, the output limit being 32 bytes lower
                // in this variant; oendp - 32 after long ones: the room check o + ml + 5 <= oend
                // holds for ml <= 64); a longer match is copied on when it fits with 32 bytes of
                // slack, otherwise left to the general rules below (which copy it again, the
                // same bytes). Copying 64 bytes always: the long matches of match-heavy data
                // are mostly 19-64 bytes long (nci: median 43), and a branch on the length
                // mispredicts as often as the token's. 8-byte pieces first: a wider load of
                // bytes just stored more often spans two recent stores, which cannot be
                // forwarded to it (the second half reads bytes at least 32 bytes back).
                // SAFETY: writes o .. o + 64 <= oendp; reads s .. s + 64 inside dst[..o + 48]
                // (offset <= o_idx), each piece only bytes stored before it (offset >= 16).
                unsafe {
                    let s = o.sub(offset);
                    copy8(o, s);
                    copy8(o.add(8), s.add(8));
                    copy8(o.add(16), s.add(16));
                    copy8(o.add(24), s.add(24));
                    S::copy16(o.add(32), s.add(32));
                    S::copy16(o.add(48), s.add(48));
                }
                // The next token at next = i + ext, i + ext <= iendp - 4.
                if ml <= 64 {
                    ipp = next;
                    // SAFETY: o + ml <= oendp - 5.
                    opp = unsafe { o.add(ml) };
                    next_seq!();
                }
                rare();
                // SAFETY (offset_from): o and oendp in dst.
                if (unsafe { oendp.offset_from(o) } as usize) >= ml + 32 {
                    // SAFETY: writes below o + ml + 32 <= oendp; each piece reads only bytes
                    // stored before it (offset >= 16).
                    unsafe { copy_match_tail::<S>(o, offset, ml) };
                    ipp = next;
                    // SAFETY: o + ml <= oendp - 32.
                    opp = unsafe { o.add(ml) };
                    next_seq!();
                }
            }
        }
        rare();
        // 1 <= offset <= o: the match starts inside dst, in this block's output or the history
        // before it in the same buffer (no offset 0, no reach before dst).
        let in_dst = offset.wrapping_sub(1) < o_idx;
        if mlc != 15 {
            if in_dst && o_idx + 18 + 32 <= oend {
                // A short match with offset 1..=7 (1..=15 in the long variant) and room (o + ml
                // + 31 <= oend for the pattern copy; the general loop's checks pass).
                // SAFETY: writes below o + ml + 31 < oendp; reads only the `offset` bytes
                // before o.
                unsafe {
                    S::pattern_copy(o, offset, mlc + MINMATCH);
                    ipp = i;
                    opp = o.add(mlc + MINMATCH);
                }
                next_seq!();
            }
        } else if in_dst {
            // A long match: decoded here when its length bytes end well before the end of
            // src (the general loop's check after each byte, ip + 4 <= iend, cannot fail)
            // and its copy, with 32 bytes of slack, fits (so does its room check).
            let mut j = i;
            let mut n = 15usize;
            // SAFETY: the first read is at j = i < iendp (i <= ipp + 17 with ipp + 18 <=
            // iendp, or i + 30 <= iendp after a long literal), every later one at j with j + 16
            // <= iendp (the test).
            unsafe {
                loop {
                    let b = *j as usize;
                    j = j.add(1);
                    n += b;
                    if b != 255 || iendp.offset_from(j) < 16 {
                        break;
                    }
                }
            }
            let ml = n + MINMATCH;
            // SAFETY (offset_from): j and o inside their slices.
            let (in_left, out_left) =
                unsafe { (iendp.offset_from(j) as usize, oendp.offset_from(o) as usize) };
            if in_left >= 16 && out_left >= ml + 32 {
                // SAFETY: 1 <= offset <= o - dp; writes below o + ml + 32 <= oendp.
                unsafe {
                    copy_match_wide::<S>(o, offset, ml);
                    ipp = j;
                    opp = o.add(ml);
                }
                next_seq!();
            }
        }
        // Every other match, with every rule. The literal run before it came out as
        // the general loop would decode it.
        // SAFETY: forwarded; i < iendp, o <= oendp.
        let (ni, no) = unsafe {
            match_part::<S>(
                src,
                history,
                dst,
                i.offset_from(sp) as usize,
                o_idx,
                token,
                offset,
            )?
        };
        // SAFETY: ni < iend, no <= oend.
        unsafe {
            ipp = sp.add(ni);
            opp = dp.add(no);
        }
        next_seq!();
    }
    // SAFETY: both inside their slices.
    unsafe { Ok((ipp.offset_from(sp) as usize, opp.offset_from(dp) as usize)) }
}

/// The match of a sequence, after its offset, with every rule of `scalar::decompress`'s
/// general path: reads the match length's continuation bytes at `ip`, checks the offset (not
/// 0, not before `history`) and the room in `dst`, copies the match to `dst[op..]` and returns
/// the new `(ip, op)`, with `ip < src.len()` (the next token). `dst` is the whole buffer of
/// [`decompress`]: `dst[..op]` (history in the buffer, then this block's output) is matched into
/// directly, `history` (a separate slice) lies before `dst[0]`.
///
/// # Safety
/// `S`'s target features must be available; `ip < src.len()`, `op <= dst.len()`.
#[inline(always)]
unsafe fn match_part<S: Simd>(
    src: &[u8],
    history: &[u8],
    dst: Dst,
    mut ip: usize,
    op: usize,
    token: usize,
    offset: usize,
) -> Result<(usize, usize), Fail> {
    let iend = src.len();
    let oend = dst.len();
    let hlen = history.len();
    let sp = src.as_ptr();
    let mut ml = token & 15;
    if ml == 15 {
        loop {
            // SAFETY: ip < iend: on entry, then each round checks ip + 4 <= iend.
            let s = unsafe { *sp.add(ip) };
            ip += 1;
            ml = add_len(ml, s as usize);
            if ip + LASTLITERALS - 1 > iend {
                return Err(cold_fail(Fail::Corrupt(ip)));
            }
            if s != 255 {
                break;
            }
        }
    }
    ml = add_len(ml, MINMATCH);
    if offset.wrapping_sub(1) < op && ml < oend - op && oend - op - ml >= 32 {
        // 1 <= offset <= op and 32 bytes of slack: no check can fail, copy wide.
        // SAFETY: as checked.
        unsafe { copy_in_dst_wide::<S>(dst, op, offset, ml) };
        return Ok((ip, op + ml));
    }
    if offset == 0 {
        return Err(cold_fail(Fail::OffsetZero(ip)));
    }
    if offset > op + hlen {
        return Err(cold_fail(Fail::Corrupt(ip)));
    }
    if oend - op < LASTLITERALS || ml > oend - op - LASTLITERALS {
        return Err(cold_fail(if ml > oend - op {
            Fail::OutputTooSmall
        } else {
            Fail::Corrupt(ip)
        }));
    }
    if offset > op {
        // The match starts in the separate history (wherever it is in memory), before dst[0].
        let back = offset - op;
        let hs = hlen - back;
        if ml + 16 <= back && op + ml + 32 <= oend {
            // Wholly inside the history with slack on both sides: 16-byte strides.
            let (d, s) = (dst.as_mut_ptr(), history.as_ptr());
            let mut k = 0;
            while k < ml {
                // SAFETY: reads below hs + ml + 16 <= hlen, writes below op + ml + 16 <=
                // oend; history and dst are distinct slices.
                unsafe { S::copy16(d.add(op + k), s.add(hs + k)) };
                k += 16;
            }
        } else if ml <= back {
            // SAFETY: hs + ml <= hlen, op + ml <= oend (checked above); history is outside dst.
            unsafe { copy_exact(dst, op, history.as_ptr().add(hs), ml) };
        } else {
            // SAFETY: hs + back == hlen, op + back < op + ml <= oend; history is outside dst.
            unsafe { copy_exact(dst, op, history.as_ptr().add(hs), back) };
            // SAFETY: 1 <= offset = (op + back) - 0 <= op + back; op + ml <= oend.
            unsafe { copy_in_dst::<S>(dst, op + back, offset, ml - back) };
        }
    } else {
        // SAFETY: 1 <= offset <= op and op + ml <= oend (checked above).
        unsafe { copy_in_dst::<S>(dst, op, offset, ml) };
    }
    // ip < iend: ip + 1 <= iend or ip + 4 <= iend after the match length.
    Ok((ip, op + ml))
}

/// The match table's operations.
trait Table {
    /// The hash of the bytes at `p` (reads 8 bytes); `SMALL`: the small table's ([`hash`]).
    unsafe fn hash<const SMALL: bool>(p: *const u8) -> usize;
    /// The distance from virtual index `cur` back to the candidate in slot `h` (wrapping; 0 or
    /// above [`MAX_DISTANCE`] when there is none).
    fn dist(&self, h: usize, cur: u32) -> u32;
    /// The entry of slot `h` (for the small table: the absolute position stored there).
    fn entry(&self, h: usize) -> u32;
    fn put(&mut self, h: usize, idx: u32);
}

impl Table for RelTable {
    #[inline(always)]
    unsafe fn hash<const SMALL: bool>(p: *const u8) -> usize {
        // SAFETY: caller guarantees 8 readable bytes.
        hash::<SMALL>(unsafe { read64(p) })
    }
    #[inline(always)]
    fn dist(&self, h: usize, cur: u32) -> u32 {
        (cur as u16).wrapping_sub(self.0[h & (TABLE_REL_SIZE - 1)]) as u32
    }
    #[inline(always)]
    fn entry(&self, h: usize) -> u32 {
        self.0[h & (TABLE_REL_SIZE - 1)] as u32
    }
    #[inline(always)]
    fn put(&mut self, h: usize, idx: u32) {
        self.0[h & (TABLE_REL_SIZE - 1)] = idx as u16;
    }
}

/// Compresses one block; same algorithm and output as `scalar::compress`.
///
/// # Safety
/// `S`'s target features must be available.
#[inline(always)]
pub(crate) unsafe fn compress<S: Simd>(
    tables: &mut Tables,
    input: Input<'_>,
    dst: &mut [u8],
    accel: u32,
) -> Option<usize> {
    let (src, history) = input.parts();
    if src.len() > MAX_INPUT_SIZE {
        return None;
    }
    if src.is_empty() {
        return match dst.first_mut() {
            Some(b) => {
                *b = 0;
                Some(1)
            }
            None => None,
        };
    }
    let plan = tables.prepare(src, history, matches!(input, Input::Joined { .. }));
    let Tables { tr, window, .. } = tables;
    let window: &[u8] = match input {
        Input::Joined { buf, .. } => buf,
        Input::Separate { .. } => window,
    };
    let hlen = history.len();
    // The output bound covers `src` (with history in a window, the block is `window[hlen..]`).
    let limited = dst.len() < compress_bound(src.len());
    // SAFETY: forwarded.
    unsafe {
        match plan {
            Plan::Alone { small: true } => compress_plan::<S, false, false, true>(
                limited,
                tr,
                src,
                0,
                &[],
                0,
                dst,
                accel,
                SMALL_STEP1_PROBES,
            ),
            Plan::Alone { small: false } => compress_plan::<S, false, false, false>(
                limited,
                tr,
                src,
                0,
                &[],
                0,
                dst,
                accel,
                LEVEL1_STEP1_PROBES,
            ),
            Plan::Window { start } => compress_plan::<S, false, true, false>(
                limited,
                tr,
                window,
                hlen,
                &[],
                start - hlen as u32,
                dst,
                accel,
                LEVEL1_STEP1_PROBES,
            ),
            Plan::Split { start } => compress_plan::<S, true, false, false>(
                limited,
                tr,
                src,
                0,
                history,
                start,
                dst,
                accel,
                LEVEL1_STEP1_PROBES,
            ),
        }
    }
}

/// [`compress_generic`] with `LIMITED` chosen at run time.
///
/// # Safety
/// `S`'s target features must be available; `limited` must be true unless `dst` holds at least
/// [`compress_bound`]`(src.len() - base)` bytes.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn compress_plan<S: Simd, const EXT: bool, const PREFIX: bool, const SMALL: bool>(
    limited: bool,
    table: &mut RelTable,
    src: &[u8],
    base: usize,
    hist: &[u8],
    start: u32,
    dst: &mut [u8],
    accel: u32,
    probes: u32,
) -> Option<usize> {
    // SAFETY: forwarded.
    unsafe {
        if limited {
            compress_generic::<S, _, EXT, PREFIX, SMALL, true>(
                table, src, base, hist, start, dst, accel, probes,
            )
        } else {
            compress_generic::<S, _, EXT, PREFIX, SMALL, false>(
                table, src, base, hist, start, dst, accel, probes,
            )
        }
    }
}

/// Writes a token's length continuation for `n` (already reduced by 15) at `op`.
/// Returns the new output position.
///
/// # Safety
/// `op + n / 255 + 1 <= dst end`.
#[inline(always)]
unsafe fn write_len_raw(dp: *mut u8, mut op: usize, mut n: usize) -> usize {
    // SAFETY (all writes): below op + n / 255 + 1, guaranteed by the caller.
    while n >= 255 {
        unsafe { *dp.add(op) = 255 };
        op += 1;
        n -= 255;
    }
    unsafe { *dp.add(op) = n as u8 };
    op + 1
}

/// `LZ4_compress_generic_validated` with `limitedOutput`, pointer-based: compresses
/// `src[base..]` as one block.
///
/// `EXT`: `hist` is the history, a separate slice (`base` is 0). `PREFIX`: `src[..base]` is the
/// history (`hist` is empty); otherwise `base` is 0. `start`: the virtual index of `src[0]`
/// (0 without `EXT` or `PREFIX`). `probes`: see [`search_start`]. `SMALL`: the small table's
/// hash. `LIMITED`: `dst` may be smaller than [`compress_bound`]`(src.len() - base)`, so the
/// room for every sequence is checked (C's `limitedOutput`); without, the bound guarantees it
/// (as in C's `notLimited`: a sequence never takes more bytes than its literals and match
/// stored as literals would, length bytes included, so the output stays within the bound).
///
/// # Safety
/// `S`'s target features must be available; with `LIMITED` false, `dst` holds at least
/// [`compress_bound`]`(src.len() - base)` bytes.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn compress_generic<
    S: Simd,
    T: Table + ?Sized,
    const EXT: bool,
    const PREFIX: bool,
    const SMALL: bool,
    const LIMITED: bool,
>(
    table: &mut T,
    src: &[u8],
    base: usize,
    hist: &[u8],
    start: u32,
    dst: &mut [u8],
    accel: u32,
    probes: u32,
) -> Option<usize> {
    // Without history, `Tables::prepare` always starts at virtual index 0: make it a constant.
    debug_assert!(EXT || PREFIX || start == 0);
    debug_assert!(!(EXT && PREFIX) && (PREFIX || base == 0) && (EXT || hist.is_empty()));
    let start = if EXT || PREFIX { start } else { 0 };
    let base = if PREFIX { base } else { 0 };
    let len = src.len();
    let hlen = hist.len();
    let low = start - hlen as u32;
    let olimit = dst.len();
    let sp = src.as_ptr();
    let hp0 = hist.as_ptr();
    let dp = dst.as_mut_ptr();
    let mut op = 0usize;
    let mut anchor = base;

    'main: {
        if len - base < MIN_LENGTH {
            break 'main;
        }
        let mflimit_plus_one = len - MFLIMIT + 1;
        let matchlimit = len - LASTLITERALS;

        // Validity of the candidate at distance `d` from virtual position `cur`:
        // Some((in_hist, pos)). Positions of `src` candidates are < the current position; `hist`
        // candidates have 4 readable bytes.
        let candidate = |d: u32, cur: u32| -> Option<(bool, usize)> {
            if !(EXT || PREFIX) {
                // Without history the table only holds positions of this block (or zeros
                // after the reset: position 0), at most 65535 back, so `cur - d` is a
                // position of this block at or after 0; only `d == 0` (the same position) is
                // no candidate.
                return (d != 0).then(|| (false, (cur - d) as usize));
            }
            if d.wrapping_sub(1) >= MAX_DISTANCE || d > cur - low {
                return None;
            }
            let mi = cur - d;
            if mi >= start {
                Some((false, (mi - start) as usize))
            } else if EXT {
                let p = (mi - low) as usize;
                if p + MINMATCH > hlen {
                    return None;
                }
                Some((true, p))
            } else {
                None
            }
        };

        // SAFETY: every hashed position p satisfies p + 8 <= len (p <= mflimit_plus_one =
        // len - 11); every 4-byte compare reads a src position below the current one or a
        // checked history position (see `candidate`).
        unsafe {
            table.put(T::hash::<SMALL>(sp.add(base)), start + base as u32);
            let mut ip = base + 1;
            let mut fwd_h = T::hash::<SMALL>(sp.add(ip));

            loop {
                let mut fwd = ip;
                let begin = ip;
                let mut step = 1usize;
                let mut search = search_start(accel, probes);
                let (mut in_hist, mut mpos, mut offset);
                loop {
                    let h = fwd_h;
                    let cur = start + fwd as u32;
                    // The small table holds absolute positions, all below `cur` (the block is
                    // shorter than 64 KiB + 11, its table zeroed at its start): the entry is
                    // the candidate, as in C's 16-bit table.
                    let e = table.entry(h);
                    let d = if SMALL { cur - e } else { table.dist(h, cur) };
                    ip = fwd;
                    fwd += step;
                    step = (search >> SKIP_TRIGGER) as usize;
                    search += 1;
                    if fwd > mflimit_plus_one {
                        break 'main;
                    }
                    fwd_h = T::hash::<SMALL>(sp.add(fwd));
                    table.put(h, cur);
                    let cand = if SMALL {
                        Some((false, e as usize))
                    } else {
                        candidate(d, cur)
                    };
                    if let Some((hh, p)) = cand {
                        let mp = if EXT && hh { hp0.add(p) } else { sp.add(p) };
                        if read32(mp) == read32(sp.add(ip)) {
                            in_hist = hh;
                            mpos = p;
                            offset = d;
                            break;
                        }
                    }
                }

                // Catch up.
                if EXT && in_hist {
                    while ip > anchor && mpos > 0 && *sp.add(ip - 1) == *hp0.add(mpos - 1) {
                        ip -= 1;
                        mpos -= 1;
                    }
                } else {
                    // A match found at the search's first position (just after the previous
                    // sequence, or after a failed test of the position right after a match)
                    // rarely extends backwards: one well-predicted byte compare rules the
                    // catch-up out there. Elsewhere the branchless compare below runs at once
                    // (measured: a byte compare first everywhere costs 4 % of the Silesia
                    // geomean, branch mispredictions on text and executables; it gains 15 %
                    // on json-66k, this rule 4 %).
                    let mut more = ip != begin
                        || (ip > anchor && mpos > 0 && *sp.add(ip - 1) == *sp.add(mpos - 1));
                    if more && mpos >= 8 {
                        // The common case (0..7 bytes, a data-dependent count) without a
                        // loop: one 8-byte compare of the bytes before both positions, capped
                        // at the anchor. mpos < ip, so both reads start at 0 or later. Fewer
                        // than 8 equal bytes (or the anchor reached) end the catch-up.
                        let x = read64(sp.add(ip - 8)) ^ read64(sp.add(mpos - 8));
                        // Equal bytes before both positions: the difference's leading zero
                        // bytes (byte-swapped, trailing: `tzcnt` has a shorter latency than the
                        // `bsr` of `leading_zeros` without the lzcnt feature).
                        let back =
                            ((x.swap_bytes().trailing_zeros() / 8) as usize).min(ip - anchor);
                        ip -= back;
                        mpos -= back;
                        more = back == 8;
                    }
                    if more {
                        while ip > anchor && mpos > 0 && *sp.add(ip - 1) == *sp.add(mpos - 1) {
                            ip -= 1;
                            mpos -= 1;
                        }
                    }
                }

                // Encode literals.
                let lit = ip - anchor;
                let mut token = op;
                op += 1;
                if op + lit + 2 + 1 + LASTLITERALS + lit / 255 > olimit {
                    if LIMITED {
                        return None;
                    }
                    debug_assert!(false, "compress_bound exceeded");
                }
                // Room: op + lit/255 + 1 + lit + 8 <= olimit.
                if lit >= 15 {
                    op = write_len_raw(dp, op, lit - 15);
                }
                // The token's literal half; its match half is added when the length is known,
                // and the token is stored once (no load of a byte just stored).
                let mut tok = (lit.min(15) as u8) << 4;
                if op + lit + 32 <= olimit && ip + 32 <= len {
                    // Reads below anchor + round_up(lit, 16) <= ip + 16 <= len; writes
                    // below op + lit + 16 <= olimit. 16-byte strides: most literal runs are
                    // short, and a 32-byte access crosses a cache line twice as often.
                    let mut k = 0;
                    loop {
                        S::copy16(dp.add(op + k), sp.add(anchor + k));
                        k += 16;
                        if k >= lit {
                            break;
                        }
                    }
                } else {
                    ptr::copy_nonoverlapping(sp.add(anchor), dp.add(op), lit);
                }
                op += lit;

                loop {
                    // Offset: room for 2 bytes checked with the literals / previous match.
                    ptr::write_unaligned(dp.add(op) as *mut [u8; 2], (offset as u16).to_le_bytes());
                    op += 2;

                    // Match length; every compared src byte is below matchlimit.
                    let mut mc;
                    if EXT && in_hist {
                        let limit = (ip + (hlen - mpos)).min(matchlimit);
                        mc = count_match::<S>(
                            sp.add(ip + MINMATCH),
                            hp0.add(mpos + MINMATCH),
                            limit - ip - MINMATCH,
                        );
                        ip += mc + MINMATCH;
                        if ip == limit {
                            let more = count_match::<S>(sp.add(limit), sp, matchlimit - limit);
                            mc += more;
                            ip += more;
                        }
                    } else {
                        mc = count_match::<S>(
                            sp.add(ip + MINMATCH),
                            sp.add(mpos + MINMATCH),
                            matchlimit - ip - MINMATCH,
                        );
                        ip += mc + MINMATCH;
                    }
                    if op + 1 + LASTLITERALS + (mc + 240) / 255 > olimit {
                        if LIMITED {
                            return None;
                        }
                        debug_assert!(false, "compress_bound exceeded");
                    }
                    if mc >= 15 {
                        op = write_len_raw(dp, op, mc - 15);
                    }
                    *dp.add(token) = tok | mc.min(15) as u8;
                    anchor = ip;

                    if ip >= mflimit_plus_one {
                        break 'main;
                    }
                    table.put(T::hash::<SMALL>(sp.add(ip - 2)), start + (ip - 2) as u32);

                    // Test the next position.
                    let h = T::hash::<SMALL>(sp.add(ip));
                    let cur = start + ip as u32;
                    let e = table.entry(h);
                    let d = if SMALL { cur - e } else { table.dist(h, cur) };
                    table.put(h, cur);
                    let cand = if SMALL {
                        Some((false, e as usize))
                    } else {
                        candidate(d, cur)
                    };
                    match cand {
                        Some((hh, p)) => {
                            let mp = if EXT && hh { hp0.add(p) } else { sp.add(p) };
                            if read32(mp) != read32(sp.add(ip)) {
                                break;
                            }
                            in_hist = hh;
                            mpos = p;
                            offset = d;
                            // Room: the check after the previous match left 6 bytes.
                            token = op;
                            tok = 0;
                            op += 1;
                        }
                        None => break,
                    }
                }
                ip += 1;
                fwd_h = T::hash::<SMALL>(sp.add(ip));
            }
        }
    }

    // Last literals.
    let last = len - anchor;
    if op + last + 1 + (last + 255 - 15) / 255 > olimit {
        return None;
    }
    if last >= 15 {
        dst[op] = 15 << 4;
        op = write_len(dst, op + 1, last - 15);
    } else {
        dst[op] = (last as u8) << 4;
        op += 1;
    }
    dst[op..op + last].copy_from_slice(&src[anchor..]);
    Some(op + last)
}
