//! High-compression levels `2..=12`: our own port of the reference's `lz4hc.c` (LZ4 1.10).
//!
//! | level | strategy | reference |
//! |---|---|---|
//! | 2 | two hash tables (4- and 8-byte hashes), greedy with one step of lookahead | `LZ4MID_compress` |
//! | 3..=9 | hash chain, `4 << (level - 3)` attempts; lazy matching over up to three overlapping matches; repeated-byte pattern analysis from level 9 | `LZ4HC_compress_hashChain` |
//! | 10..=12 | optimal parser (price = output bytes) over the hash chain with chain swapping; 96/512/16384 attempts, sufficient length 64/128/4096; level 12 searches every position (`fullUpdate`) | `LZ4HC_compress_optimal` |
//!
//! Same algorithms and parameters as the reference, so a block without history comes out
//! byte-identical to `LZ4_compress_HC` (checked by the tests). The option to favour
//! decompression speed ([`HcCompressor::new`]'s `favor_dec_speed`, the reference's
//! `LZ4_favorDecompressionSpeed`) affects the optimal parser only, as in the reference: it skips
//! matches with offsets below 8, shortens matches of 19..=36 bytes to 18 and prefers matches over
//! literals only when they save at least one byte.
//!
//! # History
//!
//! The match finder works on one contiguous buffer holding `history ++ src` (the history cut to
//! the last [`WINDOW_SIZE`] bytes) with *virtual indices* (position + a base that only grows).
//! When a call's `history` equals the tail of the previous call's buffer (the linked-frame case;
//! compared byte for byte, so it is never a guess) the hash and chain tables simply continue and
//! only `src` is appended; otherwise the base jumps past the window, which invalidates every old
//! table entry at once, and the history is indexed afresh like `LZ4_loadDictHC`. Every match
//! lies inside the buffer, so it never reaches before the given history or further than 65535
//! bytes. Without history (independent blocks) the match finder works in `src` itself instead of
//! a copy, and afterwards keeps only its last 64 KiB as the buffer, for a next call that
//! continues it.
//!
//! The match finder's inner loops (hash-chain insertion, the chain walk, the forward, backward
//! and repeated-byte counts) read the buffer through unchecked loads: each search asserts once
//! that `ip + 4 <= i_high <= buf.len()`, and every candidate lies before `ip` (checked in the
//! walk), which bounds every read; see the `SAFETY` comments. The forward count is the fast
//! kernels' baseline-ISA vector primitive.

mod chain;
mod optimal;

use lz4framed_core::{BlockCompressor, WINDOW_SIZE};

use crate::common::{write_len, LASTLITERALS, MAX_INPUT_SIZE};

pub(crate) use crate::common::{read_u32, read_u64, MFLIMIT, MINMATCH};

/// The lowest high-compression level.
pub const MIN_LEVEL: i32 = 2;
/// The highest high-compression level (the optimal parser with a full search).
pub const MAX_LEVEL: i32 = 12;

/// Literal-length field of the token saturates here.
pub(crate) const RUN_MASK: usize = 15;
/// Match-length field of the token saturates here.
pub(crate) const ML_MASK: usize = 15;
/// Largest match distance.
pub(crate) const MAX_DISTANCE: u32 = 65535;
/// Blocks shorter than this are one literal run (`LZ4_minLength`).
pub(crate) const MIN_LENGTH: usize = MFLIMIT + 1;

/// `log2` of the hash table's entry count (`LZ4HC_HASH_LOG`).
pub(crate) const HASH_LOG: u32 = 15;
/// Entries of the hash table (level 2 splits it into two tables of half the size).
pub(crate) const HASH_SIZE: usize = 1 << HASH_LOG;
/// Entries of the chain table: one 16-bit delta per position, modulo 64 Ki.
pub(crate) const CHAIN_SIZE: usize = 1 << 16;

/// Virtual index of the first byte after a full reset (like the reference, which starts at
/// 64 KiB so that an empty hash slot (0) is always out of reach).
const START: u32 = 1 << 16;
/// Past this virtual index the tables are cleared and indices start again from [`START`].
const INDEX_LIMIT: u32 = 1 << 30;

/// How a level searches, from the reference's `k_clTable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// Level 2 (`lz4mid`).
    Mid,
    /// Levels 3..=9 (`lz4hc`).
    Chain {
        /// Chain entries examined per search (`nbSearches`).
        attempts: u32,
    },
    /// Levels 10..=12 (`lz4opt`).
    Optimal {
        /// Chain entries examined per search.
        attempts: u32,
        /// A match longer than this is taken at once (`targetLength`, capped at 4095).
        sufficient: usize,
        /// Search at every position whose price may still improve (level 12, `fullUpdate`).
        full_update: bool,
    },
}

impl Strategy {
    /// The strategy of `level`, clamped to `2..=12`.
    pub(crate) fn of(level: i32) -> Strategy {
        match level.clamp(MIN_LEVEL, MAX_LEVEL) {
            2 => Strategy::Mid,
            l @ 3..=9 => Strategy::Chain {
                attempts: 4 << (l - 3),
            },
            10 => Strategy::Optimal {
                attempts: 96,
                sufficient: 64,
                full_update: false,
            },
            11 => Strategy::Optimal {
                attempts: 512,
                sufficient: 128,
                full_update: false,
            },
            _ => Strategy::Optimal {
                attempts: 16384,
                sufficient: optimal::OPT_NUM - 1,
                full_update: true,
            },
        }
    }
}

/// The match finder's state: the window buffer and the tables, kept across blocks.
pub(crate) struct Window {
    /// `history ++ src` of the current call.
    pub(crate) buf: Vec<u8>,
    /// Virtual index of `buf[0]`; nothing below it is ever matched.
    pub(crate) base: u32,
    /// Position of `src` in `buf` (the history's length).
    pub(crate) src_start: usize,
    /// Virtual index of the first position not yet inserted in the chain (levels 3..=12).
    pub(crate) next_to_update: u32,
    /// Hash table of virtual indices. Levels 3..=12: heads of the chains (4-byte hash);
    /// level 2: the 4-byte-hash table in the low half, the 8-byte-hash table in the high half.
    pub(crate) hash: Box<[u32; HASH_SIZE]>,
    /// Distance to the previous position with the same hash, per position modulo 64 Ki
    /// (capped at 65535).
    pub(crate) chain: Box<[u16; CHAIN_SIZE]>,
}

impl Window {
    fn new() -> Window {
        Window {
            buf: Vec::new(),
            base: START,
            src_start: 0,
            next_to_update: START,
            hash: vec![0u32; HASH_SIZE].into_boxed_slice().try_into().unwrap(),
            chain: vec![u16::MAX; CHAIN_SIZE]
                .into_boxed_slice()
                .try_into()
                .unwrap(),
        }
    }

    /// Virtual index just past the buffer.
    fn end(&self) -> u32 {
        self.base + self.buf.len() as u32
    }

    /// Sets up the buffer for compressing `src` after `history` (at most 64 KiB): continues the
    /// tables when `history` is the tail of the previous buffer, re-indexes it otherwise.
    fn prepare(&mut self, src: &[u8], history: &[u8], strategy: Strategy) {
        let hlen = history.len();
        let continuous = hlen > 0
            && self.buf.len() >= hlen
            && (self.end() as usize + src.len()) < INDEX_LIMIT as usize
            && self.buf[self.buf.len() - hlen..] == *history;
        if continuous {
            let drop = self.buf.len() - hlen;
            self.buf.drain(..drop);
            self.base += drop as u32;
            self.next_to_update = self.next_to_update.max(self.base);
        } else {
            let next = self.end() as usize + WINDOW_SIZE;
            if next + hlen + src.len() >= INDEX_LIMIT as usize {
                self.hash.fill(0);
                self.chain.fill(u16::MAX);
                self.base = START;
            } else {
                self.base = next as u32;
            }
            self.buf.clear();
            self.buf.extend_from_slice(history);
            self.next_to_update = self.base;
            match strategy {
                Strategy::Mid => chain::mid_fill(self, hlen),
                _ => {
                    if hlen >= 4 {
                        let buf = std::mem::take(&mut self.buf);
                        self.insert(&buf, self.base + hlen as u32 - 3);
                        self.buf = buf;
                    }
                }
            }
        }
        self.src_start = hlen;
        self.buf.extend_from_slice(src);
    }

    /// Sets up the tables for compressing `src_len` bytes without history, in place: like
    /// [`Window::prepare`] with an empty history, except that the buffer stays empty (the
    /// caller matches in `src` itself, whose first byte gets virtual index `base`, and then
    /// calls [`Window::keep_tail`]).
    fn prepare_fresh(&mut self, src_len: usize) {
        let next = self.end() as usize + WINDOW_SIZE;
        if next + src_len >= INDEX_LIMIT as usize {
            self.hash.fill(0);
            self.chain.fill(u16::MAX);
            self.base = START;
        } else {
            self.base = next as u32;
        }
        self.buf.clear();
        self.next_to_update = self.base;
        self.src_start = 0;
    }

    /// After compressing `src` in place ([`Window::prepare_fresh`]): keeps its last
    /// [`WINDOW_SIZE`] bytes as the buffer, so that a next call whose history is that tail
    /// continues the tables as if `src` had been copied whole.
    fn keep_tail(&mut self, src: &[u8]) {
        let keep = src.len().min(WINDOW_SIZE);
        self.buf.clear();
        self.buf.extend_from_slice(&src[src.len() - keep..]);
        self.base += (src.len() - keep) as u32;
    }
}

/// A match found by a search: length, distance, and how many bytes it extends backwards before
/// the searched position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) len: usize,
    pub(crate) off: usize,
    pub(crate) back: usize,
}

/// The output block being written.
pub(crate) struct Out<'a> {
    pub(crate) dst: &'a mut [u8],
    pub(crate) op: usize,
}

impl Out<'_> {
    /// `LZ4HC_encodeSequence` (with the `limitedOutput` checks): the literals `buf[anchor..ip]`
    /// and a match of `ml` bytes at distance `off`; then `ip` and `anchor` move past the match.
    /// `false` when the sequence (plus the room the last literals need) does not fit.
    #[inline(always)]
    pub(crate) fn sequence(
        &mut self,
        buf: &[u8],
        anchor: &mut usize,
        ip: &mut usize,
        ml: usize,
        off: usize,
    ) -> bool {
        debug_assert!(ml >= MINMATCH && (1..=MAX_DISTANCE as usize).contains(&off));
        let dst = &mut *self.dst;
        let lit = *ip - *anchor;
        let mut op = self.op;
        if op + lit / 255 + lit + (2 + 1 + LASTLITERALS) > dst.len() {
            return false;
        }
        let token_at = op;
        op += 1;
        let mut token = if lit >= RUN_MASK {
            op = write_len(dst, op, lit - RUN_MASK);
            (RUN_MASK << 4) as u8
        } else {
            (lit << 4) as u8
        };
        // Literals in 8-byte strides (like the reference's wild copy): the room check above
        // leaves at least 8 bytes after them in `dst`, and a match starts at least 12 bytes
        // before the end of `buf`.
        let mut k = 0;
        while k < lit {
            dst[op + k..op + k + 8].copy_from_slice(&buf[*anchor + k..*anchor + k + 8]);
            k += 8;
        }
        op += lit;
        dst[op..op + 2].copy_from_slice(&(off as u16).to_le_bytes());
        op += 2;
        let len = ml - MINMATCH;
        if op + len / 255 + (1 + LASTLITERALS) > dst.len() {
            return false;
        }
        if len >= ML_MASK {
            token += ML_MASK as u8;
            op = write_len(dst, op, len - ML_MASK);
        } else {
            token += len as u8;
        }
        dst[token_at] = token;
        self.op = op;
        *ip += ml;
        *anchor = *ip;
        true
    }

    /// The final literal run `buf[anchor..]`; the block's compressed size, or `None` when it
    /// does not fit.
    pub(crate) fn last_literals(mut self, buf: &[u8], anchor: usize) -> Option<usize> {
        let run = buf.len() - anchor;
        let total = 1 + (run + 255 - RUN_MASK) / 255 + run;
        if self.op + total > self.dst.len() {
            return None;
        }
        let mut op = self.op;
        if run >= RUN_MASK {
            self.dst[op] = (RUN_MASK << 4) as u8;
            op = write_len(self.dst, op + 1, run - RUN_MASK);
        } else {
            self.dst[op] = (run << 4) as u8;
            op += 1;
        }
        self.dst[op..op + run].copy_from_slice(&buf[anchor..]);
        self.op = op + run;
        Some(self.op)
    }
}

/// Number of equal bytes at `buf[a..]` and `buf[b..]`, stopping at `limit` for `a`
/// (`b < a`, so `b` stays below it too). Checked wrapper of [`count_raw`].
#[inline(always)]
pub(crate) fn count(buf: &[u8], a: usize, b: usize, limit: usize) -> usize {
    assert!(b < a && limit <= buf.len());
    // SAFETY: `a..limit` lies in `buf` (`limit <= buf.len()`), and `b..b + (limit - a)` ends
    // below `limit` because `b < a`.
    unsafe { count_raw(buf.as_ptr(), a, b, limit) }
}

/// Number of equal bytes at `p + a` and `p + b`, stopping at `limit` for `a`: the fast
/// kernels' vectorized count with the architecture's baseline vector unit (SSE2 on x86_64,
/// NEON on aarch64), the scalar kernel's word-at-a-time count elsewhere.
///
/// # Safety
/// When `a < limit`, `p + a .. p + limit` and `p + b .. p + b + (limit - a)` must be readable.
#[inline(always)]
pub(crate) unsafe fn count_raw(p: *const u8, a: usize, b: usize, limit: usize) -> usize {
    let mut n = limit.saturating_sub(a);
    // Most matches here are short: one 8-byte compare first (a 16-byte vector load straddles
    // a cache line twice as often, and the second line is usually not needed).
    let (mut a, mut b) = (a, b);
    let mut done = 0;
    if n >= 8 {
        // SAFETY: `n >= 8` bytes at `p + a` and `p + b` are readable (the caller's contract).
        let x = unsafe { rd64(p.add(a)) ^ rd64(p.add(b)) };
        if x != 0 {
            return (x.trailing_zeros() / 8) as usize;
        }
        a += 8;
        b += 8;
        n -= 8;
        done = 8;
    }
    cfg_if::cfg_if! {
        if #[cfg(target_arch = "x86_64")] {
            use crate::fast::Simd;
            // SAFETY: `n` bytes at `p + a` and `p + b` are readable (the caller's contract;
            // the 8 bytes compared above moved `a`, `b` and `n` together);
            // SSE2 is part of the x86_64 baseline, so its kernel's primitives run on every
            // x86_64 CPU.
            done + unsafe { crate::arch::x86_64::sse2::Sse2::count(p.add(a), p.add(b), n) }
        } else if #[cfg(target_arch = "aarch64")] {
            use crate::fast::Simd;
            // SAFETY: `n` bytes at `p + a` and `p + b` are readable (the caller's contract;
            // the 8 bytes compared above moved `a`, `b` and `n` together);
            // NEON is part of the aarch64 baseline.
            done + unsafe { crate::arch::aarch64::neon::Neon::count(p.add(a), p.add(b), n) }
        } else {
            // SAFETY: `n` bytes at `p + a` and `p + b` are readable (the caller's contract;
            // the 8 bytes compared above moved `a`, `b` and `n` together).
            let (x, y) = unsafe {
                (
                    core::slice::from_raw_parts(p.add(a), n),
                    core::slice::from_raw_parts(p.add(b), n),
                )
            };
            done + crate::scalar::count(x, 0, y, 0, n)
        }
    }
}

/// Reads 2 bytes (little-endian) at `p` without a bounds check.
///
/// # Safety
/// `p..p + 2` must be readable.
#[inline(always)]
pub(crate) unsafe fn rd16(p: *const u8) -> u16 {
    // SAFETY: the caller's contract; unaligned read.
    u16::from_le(unsafe { p.cast::<u16>().read_unaligned() })
}

/// Reads 4 bytes (little-endian) at `p` without a bounds check.
///
/// # Safety
/// `p..p + 4` must be readable.
#[inline(always)]
pub(crate) unsafe fn rd32(p: *const u8) -> u32 {
    // SAFETY: the caller's contract; unaligned read.
    u32::from_le(unsafe { p.cast::<u32>().read_unaligned() })
}

/// Reads 8 bytes (little-endian) at `p` without a bounds check.
///
/// # Safety
/// `p..p + 8` must be readable.
#[inline(always)]
pub(crate) unsafe fn rd64(p: *const u8) -> u64 {
    // SAFETY: the caller's contract; unaligned read.
    u64::from_le(unsafe { p.cast::<u64>().read_unaligned() })
}

/// A high-compression (levels `2..=12`) block compressor of our own codec.
///
/// One per stream; keeps its match tables (and a copy of the last 64 KiB of input) across
/// blocks. See the [module docs](self) for the levels and how history is handled.
pub struct HcCompressor {
    level: i32,
    favor_dec_speed: bool,
    strategy: Strategy,
    window: Window,
    /// The optimal parser's price table (levels 10..=12; empty otherwise).
    opt: Vec<optimal::Cell>,
}

impl HcCompressor {
    /// A compressor for `level` (clamped to `2..=12`). `favor_dec_speed` is the reference's
    /// `LZ4_favorDecompressionSpeed`: at levels 10..=12 it trades a little ratio for faster
    /// decoding (no offsets below 8, fewer medium-length matches); levels 2..=9 ignore it.
    pub fn new(level: i32, favor_dec_speed: bool) -> HcCompressor {
        let strategy = Strategy::of(level);
        let opt = match strategy {
            Strategy::Optimal { .. } => vec![optimal::Cell::default(); optimal::OPT_CELLS],
            _ => Vec::new(),
        };
        HcCompressor {
            level: level.clamp(MIN_LEVEL, MAX_LEVEL),
            favor_dec_speed,
            strategy,
            window: Window::new(),
            opt,
        }
    }

    /// The level this compressor runs (after clamping).
    pub fn level(&self) -> i32 {
        self.level
    }

    /// Whether it favours decompression speed.
    pub fn favors_dec_speed(&self) -> bool {
        self.favor_dec_speed
    }
}

impl std::fmt::Debug for HcCompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HcCompressor")
            .field("level", &self.level)
            .field("favor_dec_speed", &self.favor_dec_speed)
            .finish_non_exhaustive()
    }
}

impl BlockCompressor for HcCompressor {
    fn compress(&mut self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Option<usize> {
        if src.len() > MAX_INPUT_SIZE {
            return None;
        }
        let history = &history[history.len().saturating_sub(WINDOW_SIZE)..];
        let w = &mut self.window;
        // Without history the match finder works in `src` itself (no copy); otherwise in the
        // window buffer `history ++ src`.
        let fresh = history.is_empty();
        if fresh {
            w.prepare_fresh(src.len());
        } else {
            w.prepare(src, history, self.strategy);
        }
        let stored = std::mem::take(&mut w.buf);
        let buf: &[u8] = if fresh { src } else { &stored };
        let out = Out { dst, op: 0 };
        let result = match self.strategy {
            Strategy::Mid => chain::compress_mid(w, buf, out),
            Strategy::Chain { attempts } => chain::compress_chain(w, buf, out, attempts),
            Strategy::Optimal {
                attempts,
                sufficient,
                full_update,
            } => optimal::compress_optimal(
                w,
                buf,
                &mut self.opt,
                out,
                attempts,
                sufficient,
                full_update,
                self.favor_dec_speed,
            ),
        };
        w.buf = stored;
        if fresh {
            w.keep_tail(src);
        }
        result
    }
}
