//! Levels 2..=9: the hash-chain match finder (`LZ4HC_Insert`, `LZ4HC_InsertAndGetWiderMatch`),
//! the lazy hash-chain parser (`LZ4HC_compress_hashChain`, levels 3..=9) and the two-table
//! "mid" compressor (`LZ4MID_compress`, level 2).

use super::{
    count, count_raw, rd16, rd32, rd64, read_u32, read_u64, Match, Out, Window, HASH_LOG,
    MAX_DISTANCE, MFLIMIT, MINMATCH, MIN_LENGTH,
};
use crate::common::LASTLITERALS;

/// `OPTIMAL_ML`: the longest match length the token holds without extra bytes.
const OPTIMAL_ML: usize = 15 - 1 + MINMATCH;

/// `LZ4HC_hashPtr`: 15-bit hash of 4 bytes.
#[inline(always)]
fn hash4(v: u32) -> usize {
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_LOG)) as usize
}

/// Reads 2 bytes at `p` (checked).
#[inline(always)]
fn read_u16(buf: &[u8], p: usize) -> u16 {
    u16::from_le_bytes(buf[p..p + 2].try_into().unwrap())
}

/// Run length of byte `b` from `p + pos`, up to `p + end`.
///
/// # Safety
/// `p + pos .. p + end` must be readable when `pos < end`.
#[inline(always)]
unsafe fn count_run(p: *const u8, pos: usize, end: usize, b: u8) -> usize {
    let pat = u64::from_ne_bytes([b; 8]);
    let mut k = pos;
    // SAFETY: every read lies in `pos..end` (the caller's contract).
    unsafe {
        while k + 8 <= end {
            let x = rd64(p.add(k)) ^ pat;
            if x != 0 {
                return k - pos + (x.trailing_zeros() / 8) as usize;
            }
            k += 8;
        }
        while k < end && *p.add(k) == b {
            k += 1;
        }
    }
    k - pos
}

/// Run length of byte `b` backwards from `p + pos` (excluded), down to `p + low`.
///
/// # Safety
/// `p + low .. p + pos` must be readable when `low < pos`.
#[inline(always)]
unsafe fn count_run_back(p: *const u8, pos: usize, low: usize, b: u8) -> usize {
    let pat = u32::from_ne_bytes([b; 4]);
    let mut k = pos;
    // SAFETY: every read lies in `low..pos` (the caller's contract).
    unsafe {
        while k >= low + 4 {
            if rd32(p.add(k - 4)) != pat {
                break;
            }
            k -= 4;
        }
        while k > low && *p.add(k - 1) == b {
            k -= 1;
        }
    }
    pos - k
}

/// `LZ4HC_countBack`: equal bytes before `p + ip` and `p + mp`, at most `max`.
///
/// Most of these runs are a few bytes long, so the common case is one 8-byte comparison whose
/// result is capped at `max` without a branch (reading up to 8 bytes before `mp`, possibly
/// further back than `max`: only the buffer's start limits the read); the loop below only runs
/// for runs of 8 bytes or more, and near the buffer's start.
///
/// # Safety
/// `max <= mp < ip`, and `p + mp - 8 .. p + ip` readable when `mp >= 8`
/// (`p + mp - max .. p + ip` otherwise).
#[inline(always)]
unsafe fn count_back(p: *const u8, ip: usize, mp: usize, max: usize) -> usize {
    // SAFETY: every read lies in `ip - 8..ip` / `mp - 8..mp` when `mp >= 8` (so `ip > 8`), in
    // `ip - max..ip` / `mp - max..mp` otherwise (the caller's contract).
    unsafe {
        let (a, b) = (p.add(ip), p.add(mp));
        let mut k = 0;
        if mp >= 8 {
            let v = rd64(a.sub(8)) ^ rd64(b.sub(8));
            let n = (v.leading_zeros() / 8) as usize;
            if n < 8 || max <= 8 {
                return n.min(max);
            }
            k = 8;
        }
        while k + 4 <= max {
            let v = rd32(a.sub(k + 4)) ^ rd32(b.sub(k + 4));
            if v != 0 {
                return k + (v.leading_zeros() / 8) as usize;
            }
            k += 4;
        }
        while k < max && *a.sub(k + 1) == *b.sub(k + 1) {
            k += 1;
        }
        k
    }
}

/// Hints the CPU to bring the cache line of `x` into L1.
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch never faults and has no architectural effect; SSE is part of the
        // x86_64 baseline.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

impl Window {
    /// `LZ4HC_Insert`: adds every position from `next_to_update` up to `target` (excluded) to
    /// the hash chains.
    #[inline(always)]
    pub(crate) fn insert(&mut self, buf: &[u8], target: u32) {
        let start = self.next_to_update;
        if start < target {
            let base = self.base;
            assert!(start >= base && (target - base) as usize + 3 <= buf.len());
            let p = buf.as_ptr();
            let hash = &mut *self.hash;
            let chain = &mut *self.chain;
            let mut idx = start;
            while idx < target {
                // SAFETY: `base <= idx < target`, and `buf` holds the 4 bytes at position
                // `target - 1 - base` (asserted above), so those at `idx - base` too.
                let v = unsafe { rd32(p.add((idx - base) as usize)) };
                let h = hash4(v);
                // The distance capped at 65535, in arithmetic (a `min` here compiles to a
                // branch, which mispredicts): `over` is all ones when `d > 65535` (`d` is below
                // 2^30, the index limit, so the sign of `65535 - d` tells).
                let d = idx.wrapping_sub(hash[h]);
                let over = ((MAX_DISTANCE.wrapping_sub(d) as i32) >> 31) as u32;
                chain[idx as usize & 0xFFFF] = (d | over) as u16;
                hash[h] = idx;
                idx += 1;
            }
        }
        self.next_to_update = target;
    }

    /// [`Window::wider_match`] without chain swapping or favouring decompression speed
    /// (levels 3..=9): one plain loop, which the compiler keeps tighter than the general walk
    /// for these short chains.
    #[inline(always)]
    fn wider_match_plain<const PATTERN: bool>(
        &mut self,
        buf: &[u8],
        ip: usize,
        i_low: usize,
        i_high: usize,
        mut longest: usize,
        max_attempts: u32,
    ) -> Match {
        let base = self.base;
        let ip_idx = base + ip as u32;
        let lowest = if base + MAX_DISTANCE + 1 > ip_idx {
            base
        } else {
            ip_idx - MAX_DISTANCE
        };
        let look_back = ip - i_low;
        self.insert(buf, ip_idx);
        // The bounds the unchecked reads below rely on: the 4 bytes at `ip` lie below `i_high`,
        // which lies inside `buf`.
        assert!(ip + MINMATCH <= i_high && i_high <= buf.len());
        let p = buf.as_ptr();
        let chain = &*self.chain;
        // SAFETY: `ip + 4 <= i_high <= buf.len()` (asserted above).
        let pattern = unsafe { rd32(p.add(ip)) };
        let mut match_index = self.hash[hash4(pattern)];
        if ip + MINMATCH < buf.len() {
            // The next position's chain head, for the search there if this one finds nothing
            // (most searches of the lazy parser): its load then overlaps this walk.
            // SAFETY: `ip + 1 + 4 <= buf.len()` (checked just above).
            let next = hash4(unsafe { rd32(p.add(ip + 1)) });
            prefetch(&self.hash[next]);
        }
        let mut attempts = max_attempts;
        let mut offset = 0usize;
        let mut s_back = 0usize;
        let mut repeat: Option<bool> = None;
        let mut src_pattern_len = 0usize;
        // A candidate can only be longer than `longest` if its bytes at `tail_at` (relative to
        // the candidate) equal `tail`, the bytes at `i_low + longest - 1`.
        debug_assert!(longest > look_back);
        let mut tail_at = longest - 1 - look_back;
        let mut tail = read_u16(buf, i_low + longest - 1);
        // `p` and `p + tail_at` moved down by `base`: a candidate's virtual index added to them
        // gives its position in `buf` (wrapping arithmetic: only the sums are dereferenced).
        let pb = p.wrapping_sub(base as usize);
        let mut pt = pb.wrapping_add(tail_at);

        while match_index >= lowest && attempts > 0 {
            attempts -= 1;
            if match_index >= ip_idx {
                // Never happens (the tables only hold positions before `ip`); checked because
                // the reads below rely on it.
                break;
            }
            // SAFETY: `base <= lowest <= match_index < ip_idx` (checked just above), so the
            // candidate's position `mp = match_index - base` is below `ip`, and
            // `mp + 4 <= ip + 4 <= buf.len()`. And `mp + tail_at < ip + tail_at =
            // i_low + longest - 1`, where `buf[i_low + longest - 1..][..2]` was read with a
            // checked read (`tail`) after every change of `longest`, so
            // `mp + tail_at + 2 <= buf.len()`. (`pb + match_index` is `p + mp`, `pt +
            // match_index` is `p + mp + tail_at`.)
            let (t, c) = unsafe {
                (
                    rd16(pt.wrapping_add(match_index as usize)),
                    rd32(pb.wrapping_add(match_index as usize)),
                )
            };
            // Quick reject: the two bytes that would end a longer match.
            if t == tail && c == pattern {
                let mp = (match_index - base) as usize;
                let back = if look_back > 0 {
                    // SAFETY: `max <= mp < ip`; the bytes before `mp` and `ip` are in `buf`.
                    unsafe { count_back(p, ip, mp, look_back.min(mp)) }
                } else {
                    0
                };
                // SAFETY: `ip + 4 <= i_high <= buf.len()` (asserted above) and `mp < ip`, so
                // `mp + 4 + (i_high - ip - 4)` is below `i_high` too.
                let fwd = unsafe { count_raw(p, ip + MINMATCH, mp + MINMATCH, i_high) };
                let match_len = MINMATCH + fwd + back;
                if match_len > longest {
                    longest = match_len;
                    offset = (ip_idx - match_index) as usize;
                    s_back = back;
                    tail_at = longest - 1 - look_back;
                    tail = read_u16(buf, i_low + longest - 1);
                    pt = pb.wrapping_add(tail_at);
                }
            }
            let dist_next = chain[match_index as usize & 0xFFFF] as u32;
            if PATTERN && dist_next == 1 {
                let cand_idx = match_index - 1;
                // A run of one byte? (The reference's test admits exactly that.)
                let confirmed = *repeat.get_or_insert_with(|| {
                    let [b0, b1, b2, b3] = pattern.to_le_bytes();
                    let is_run = b0 == b1 && b1 == b2 && b2 == b3;
                    if is_run {
                        // SAFETY: `ip + 4 <= i_high <= buf.len()` (asserted above).
                        src_pattern_len = unsafe { count_run(p, ip + 4, i_high, b0) } + 4;
                    }
                    is_run
                });
                if confirmed && cand_idx >= lowest && cand_idx < ip_idx {
                    let mp = (cand_idx - base) as usize;
                    // SAFETY: `base <= lowest <= cand_idx < ip_idx`, so `mp < ip` and
                    // `mp + 4 <= ip + 4 <= buf.len()`.
                    if unsafe { rd32(p.add(mp)) } == pattern {
                        let b = pattern as u8;
                        // SAFETY: `mp + 4 <= ip + 4 <= i_high <= buf.len()`, and `0..mp` lies
                        // in `buf`.
                        let (forward, mut back_len) = unsafe {
                            (
                                count_run(p, mp + 4, i_high, b) + 4,
                                count_run_back(p, mp, 0, b),
                            )
                        };
                        back_len = (cand_idx - (cand_idx - back_len as u32).max(lowest)) as usize;
                        let segment = back_len + forward;
                        if segment >= src_pattern_len && forward <= src_pattern_len {
                            match_index = cand_idx + forward as u32 - src_pattern_len as u32;
                        } else {
                            match_index = cand_idx - back_len as u32;
                            if look_back == 0 {
                                let max_ml = segment.min(src_pattern_len);
                                if longest < max_ml {
                                    if ip_idx - match_index > MAX_DISTANCE {
                                        break;
                                    }
                                    longest = max_ml;
                                    offset = (ip_idx - match_index) as usize;
                                    s_back = 0;
                                    tail_at = longest - 1;
                                    tail = read_u16(buf, i_low + longest - 1);
                                    pt = pb.wrapping_add(tail_at);
                                }
                                let d = chain[match_index as usize & 0xFFFF] as u32;
                                if d > match_index {
                                    break;
                                }
                                match_index -= d;
                            }
                        }
                        continue;
                    }
                }
            }
            match_index -= dist_next;
        }

        Match {
            len: longest,
            off: offset,
            back: s_back,
        }
    }

    /// `LZ4HC_InsertAndGetWiderMatch` for one contiguous window: the longest match for position
    /// `ip` that is longer than `longest`, allowed to start up to `ip - i_low` bytes earlier and
    /// to end at `i_high`. Returns `longest` with offset 0 when there is none.
    ///
    /// `PATTERN`: repeated-byte analysis (levels 9..=12); `SWAP`: switch to a rarer chain among
    /// the positions of the best match (levels 10..=12); `favor_dec_speed`: skip offsets below 8.
    // The reference's parameter list (plus the buffer); a struct would only obscure the port.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn wider_match<const PATTERN: bool, const SWAP: bool>(
        &mut self,
        buf: &[u8],
        ip: usize,
        i_low: usize,
        i_high: usize,
        mut longest: usize,
        max_attempts: u32,
        favor_dec_speed: bool,
    ) -> Match {
        if !SWAP && !favor_dec_speed {
            return self.wider_match_plain::<PATTERN>(
                buf,
                ip,
                i_low,
                i_high,
                longest,
                max_attempts,
            );
        }
        let base = self.base;
        let ip_idx = base + ip as u32;
        let lowest = if base + MAX_DISTANCE + 1 > ip_idx {
            base
        } else {
            ip_idx - MAX_DISTANCE
        };
        let look_back = ip - i_low;
        self.insert(buf, ip_idx);
        // The bounds the unchecked reads below rely on: the 4 bytes at `ip` lie below `i_high`,
        // which lies inside `buf`.
        assert!(ip + MINMATCH <= i_high && i_high <= buf.len());
        let p = buf.as_ptr();
        let chain = &*self.chain;
        // SAFETY: `ip + 4 <= i_high <= buf.len()` (asserted above).
        let pattern = unsafe { rd32(p.add(ip)) };
        let mut match_index = self.hash[hash4(pattern)];
        let mut attempts = max_attempts;
        let mut chain_pos = 0u32;
        let mut repeat: Option<bool> = None;
        let mut src_pattern_len = 0usize;
        let mut offset = 0usize;
        let mut s_back = 0usize;
        // A candidate can only be longer than `longest` if its bytes at `tail_at` (relative to
        // the candidate) equal `tail`, the bytes at `i_low + longest - 1`.
        debug_assert!(longest > look_back);
        let mut tail_at = longest - 1 - look_back;
        let mut tail = read_u16(buf, i_low + longest - 1);

        // Candidates above `hi` are not examined: offsets below `min_off` (favouring
        // decompression speed skips offsets below 8), and positions at or after `ip` (never
        // present: the tables only hold positions before `ip`; checked because the unchecked
        // reads rely on it).
        let hi = ip_idx - if favor_dec_speed { 8 } else { 1 };
        // `p` and `p + tail_at` moved down by `base`: a candidate's virtual index added to them
        // gives its position in `buf` (wrapping arithmetic: only the sums are dereferenced).
        let pb = p.wrapping_sub(base as usize);
        let mut pt = pb.wrapping_add(tail_at);

        'walk: loop {
            // The tight part of the walk: skip candidates that cannot be longer than `longest`
            // until one might be, or until a step of 1 calls for the pattern analysis.
            let examine = loop {
                if match_index < lowest {
                    break 'walk;
                }
                let Some(a) = attempts.checked_sub(1) else {
                    break 'walk;
                };
                attempts = a;
                if match_index <= hi {
                    // SAFETY: `base <= lowest <= match_index <= hi < ip_idx`, so the candidate's
                    // position `mp = match_index - base` is below `ip`, and
                    // `mp + 4 <= ip + 4 <= buf.len()`. And
                    // `mp + tail_at < ip + tail_at = i_low + longest - 1`, where
                    // `buf[i_low + longest - 1..][..2]` was read with a checked read (`tail`)
                    // after every change of `longest`, so `mp + tail_at + 2 <= buf.len()`.
                    // (`pb`/`pt` are `p`/`p + tail_at` moved down by `base`, so adding
                    // `match_index` lands on `p + mp`/`p + mp + tail_at`.)
                    let (t, c) = unsafe {
                        (
                            rd16(pt.wrapping_add(match_index as usize)),
                            rd32(pb.wrapping_add(match_index as usize)),
                        )
                    };
                    // Quick reject: the two bytes that would end a longer match.
                    if t == tail && c == pattern {
                        break true;
                    }
                } else if match_index >= ip_idx {
                    break 'walk;
                }
                let d = chain[(match_index + chain_pos) as usize & 0xFFFF] as u32;
                if PATTERN && d == 1 && chain_pos == 0 {
                    break false;
                }
                match_index -= d;
            };

            let mut match_len = 0usize;
            if examine {
                let mp = (match_index - base) as usize;
                let back = if look_back > 0 {
                    // SAFETY: `max <= mp < ip`; the bytes before `mp` and `ip` are in `buf`.
                    unsafe { count_back(p, ip, mp, look_back.min(mp)) }
                } else {
                    0
                };
                // SAFETY: `ip + 4 <= i_high <= buf.len()` (asserted above) and `mp < ip`, so
                // `mp + 4 + (i_high - ip - 4)` is below `i_high` too.
                let fwd = unsafe { count_raw(p, ip + MINMATCH, mp + MINMATCH, i_high) };
                match_len = MINMATCH + fwd + back;
                if match_len > longest {
                    longest = match_len;
                    offset = (ip_idx - match_index) as usize;
                    s_back = back;
                    tail_at = longest - 1 - look_back;
                    tail = read_u16(buf, i_low + longest - 1);
                    pt = pb.wrapping_add(tail_at);
                }
            }

            if SWAP && match_len == longest {
                // A better match: look for a rarer chain among its positions.
                if match_index + longest as u32 <= ip_idx {
                    const K_TRIGGER: u32 = 4;
                    let mut dist_to_next = 1u32;
                    let end = (longest - MINMATCH + 1) as u32;
                    let mut step;
                    let mut accel = 1u32 << K_TRIGGER;
                    let mut pos = 0u32;
                    while pos < end {
                        let cand = chain[(match_index + pos) as usize & 0xFFFF] as u32;
                        step = accel >> K_TRIGGER;
                        accel += 1;
                        if cand > dist_to_next {
                            dist_to_next = cand;
                            chain_pos = pos;
                            accel = 1 << K_TRIGGER;
                        }
                        pos += step;
                    }
                    if dist_to_next > 1 {
                        if dist_to_next > match_index {
                            break;
                        }
                        match_index -= dist_to_next;
                        continue;
                    }
                }
            }

            let dist_next = chain[match_index as usize & 0xFFFF] as u32;
            if PATTERN && dist_next == 1 && chain_pos == 0 {
                // (Reached also straight from the tight walk, which stopped at this test.)
                let cand_idx = match_index - 1;
                // A run of one byte? (The reference's test admits exactly that.)
                let confirmed = *repeat.get_or_insert_with(|| {
                    let [b0, b1, b2, b3] = pattern.to_le_bytes();
                    let is_run = b0 == b1 && b1 == b2 && b2 == b3;
                    if is_run {
                        // SAFETY: `ip + 4 <= i_high <= buf.len()` (asserted above).
                        src_pattern_len = unsafe { count_run(p, ip + 4, i_high, b0) } + 4;
                    }
                    is_run
                });
                if confirmed && cand_idx >= lowest && cand_idx < ip_idx {
                    let mp = (cand_idx - base) as usize;
                    // SAFETY: `base <= lowest <= cand_idx < ip_idx`, so `mp < ip` and
                    // `mp + 4 <= ip + 4 <= buf.len()`.
                    if unsafe { rd32(p.add(mp)) } == pattern {
                        let b = pattern as u8;
                        // SAFETY: `mp + 4 <= ip + 4 <= i_high <= buf.len()`, and
                        // `0..mp` lies in `buf`.
                        let (forward, mut back_len) = unsafe {
                            (
                                count_run(p, mp + 4, i_high, b) + 4,
                                count_run_back(p, mp, 0, b),
                            )
                        };
                        back_len = (cand_idx - (cand_idx - back_len as u32).max(lowest)) as usize;
                        let segment = back_len + forward;
                        if segment >= src_pattern_len && forward <= src_pattern_len {
                            match_index = cand_idx + forward as u32 - src_pattern_len as u32;
                        } else {
                            match_index = cand_idx - back_len as u32;
                            if look_back == 0 {
                                let max_ml = segment.min(src_pattern_len);
                                if longest < max_ml {
                                    if ip_idx - match_index > MAX_DISTANCE {
                                        break;
                                    }
                                    longest = max_ml;
                                    offset = (ip_idx - match_index) as usize;
                                    s_back = 0;
                                    tail_at = longest - 1;
                                    tail = read_u16(buf, i_low + longest - 1);
                                    pt = pb.wrapping_add(tail_at);
                                }
                                let d = chain[match_index as usize & 0xFFFF] as u32;
                                if d > match_index {
                                    break;
                                }
                                match_index -= d;
                            }
                        }
                        continue;
                    }
                }
            }

            match_index -= chain[(match_index + chain_pos) as usize & 0xFFFF] as u32;
        }

        Match {
            len: longest,
            off: offset,
            back: s_back,
        }
    }
}

/// `LZ4HC_compress_hashChain` (levels 3..=9).
pub(crate) fn compress_chain(
    w: &mut Window,
    buf: &[u8],
    out: Out<'_>,
    attempts: u32,
) -> Option<usize> {
    if attempts > 128 {
        compress_chain_with::<true>(w, buf, out, attempts)
    } else {
        compress_chain_with::<false>(w, buf, out, attempts)
    }
}

/// [`compress_chain`] with or without the repeated-pattern analysis. (Kept out of line: each
/// variant gets its own register allocation and code layout.)
#[inline(never)]
fn compress_chain_with<const PATTERN: bool>(
    w: &mut Window,
    buf: &[u8],
    mut out: Out<'_>,
    attempts: u32,
) -> Option<usize> {
    let src = w.src_start;
    let iend = buf.len();
    let mut ip = src;
    let mut anchor = src;
    if iend - src < MIN_LENGTH {
        return out.last_literals(buf, anchor);
    }
    let mflimit = iend - MFLIMIT;
    let matchlimit = iend - LASTLITERALS;
    let nomatch = Match::default();

    'main: while ip <= mflimit {
        let mut m1 =
            w.wider_match::<PATTERN, false>(buf, ip, ip, matchlimit, MINMATCH - 1, attempts, false);
        if m1.len < MINMATCH {
            ip += 1;
            continue;
        }
        let mut start0 = ip;
        let mut m0 = m1;
        let mut start2;
        let mut m2;
        let mut start3;
        let mut m3;

        'search2: loop {
            if ip + m1.len <= mflimit {
                start2 = ip + m1.len - 2;
                m2 = w.wider_match::<PATTERN, false>(
                    buf, start2, ip, matchlimit, m1.len, attempts, false,
                );
                start2 -= m2.back;
            } else {
                start2 = 0;
                m2 = nomatch;
            }
            if m2.len <= m1.len {
                // No better match: encode m1 immediately.
                if !out.sequence(buf, &mut anchor, &mut ip, m1.len, m1.off) {
                    return None;
                }
                continue 'main;
            }
            if start0 < ip && start2 < ip + m0.len {
                // Squeezing m1 between m0 and m2.
                ip = start0;
                m1 = m0;
            }
            if start2 - ip < 3 {
                // First match too small: removed.
                ip = start2;
                m1 = m2;
                continue 'search2;
            }

            'search3: loop {
                if start2 - ip < OPTIMAL_ML {
                    let mut new_ml = m1.len.min(OPTIMAL_ML);
                    if ip + new_ml > start2 + m2.len - MINMATCH {
                        new_ml = start2 - ip + m2.len - MINMATCH;
                    }
                    let correction = new_ml as isize - (start2 - ip) as isize;
                    if correction > 0 {
                        start2 += correction as usize;
                        m2.len -= correction as usize;
                    }
                }

                if start2 + m2.len <= mflimit {
                    start3 = start2 + m2.len - 3;
                    m3 = w.wider_match::<PATTERN, false>(
                        buf, start3, start2, matchlimit, m2.len, attempts, false,
                    );
                    start3 -= m3.back;
                } else {
                    start3 = 0;
                    m3 = nomatch;
                }

                if m3.len <= m2.len {
                    // No better match: encode m1 and m2.
                    if start2 < ip + m1.len {
                        m1.len = start2 - ip;
                    }
                    if !out.sequence(buf, &mut anchor, &mut ip, m1.len, m1.off) {
                        return None;
                    }
                    ip = start2;
                    if !out.sequence(buf, &mut anchor, &mut ip, m2.len, m2.off) {
                        return None;
                    }
                    continue 'main;
                }

                if start3 < ip + m1.len + 3 {
                    // Not enough room for match 2: remove it.
                    if start3 >= ip + m1.len {
                        // m1 can be written now; m3 becomes m1.
                        if start2 < ip + m1.len {
                            let correction = ip + m1.len - start2;
                            start2 += correction;
                            m2.len -= correction;
                            if m2.len < MINMATCH {
                                start2 = start3;
                                m2 = m3;
                            }
                        }
                        if !out.sequence(buf, &mut anchor, &mut ip, m1.len, m1.off) {
                            return None;
                        }
                        ip = start3;
                        m1 = m3;
                        start0 = start2;
                        m0 = m2;
                        continue 'search2;
                    }
                    start2 = start3;
                    m2 = m3;
                    continue 'search3;
                }

                // Three ascending matches: write the first one, shortened to fit.
                if start2 < ip + m1.len {
                    if start2 - ip < OPTIMAL_ML {
                        if m1.len > OPTIMAL_ML {
                            m1.len = OPTIMAL_ML;
                        }
                        if ip + m1.len > start2 + m2.len - MINMATCH {
                            m1.len = start2 - ip + m2.len - MINMATCH;
                        }
                        let correction = m1.len as isize - (start2 - ip) as isize;
                        if correction > 0 {
                            start2 += correction as usize;
                            m2.len -= correction as usize;
                        }
                    } else {
                        m1.len = start2 - ip;
                    }
                }
                if !out.sequence(buf, &mut anchor, &mut ip, m1.len, m1.off) {
                    return None;
                }
                ip = start2;
                m1 = m2;
                start2 = start3;
                m2 = m3;
                continue 'search3;
            }
        }
    }
    out.last_literals(buf, anchor)
}

/// Level 2's hash-table size (`LZ4MID_HASHLOG`).
const MID_LOG: u32 = HASH_LOG - 1;
const MID_SIZE: usize = 1 << MID_LOG;

/// `LZ4MID_hash4`.
#[inline(always)]
fn mid_hash4(buf: &[u8], p: usize) -> usize {
    (read_u32(buf, p).wrapping_mul(2_654_435_761) >> (32 - MID_LOG)) as usize
}

/// `LZ4MID_hash8Ptr` (7 bytes, little-endian), offset into the high half of the table.
#[inline(always)]
fn mid_hash8(buf: &[u8], p: usize) -> usize {
    MID_SIZE
        + ((read_u64(buf, p) << 8).wrapping_mul(58_295_818_150_454_627) >> (64 - MID_LOG)) as usize
}

/// `LZ4MID_fillHTable`: indexes the first `size` bytes of the buffer (a reloaded history).
pub(crate) fn mid_fill(w: &mut Window, size: usize) {
    if size <= 8 {
        return;
    }
    let base = w.base;
    let target = base + (size - 8) as u32;
    let buf = &w.buf[..];
    let t = &mut *w.hash;
    let mut idx = w.next_to_update;
    while idx < target {
        let p = (idx - base) as usize;
        t[mid_hash4(buf, p)] = idx;
        t[mid_hash8(buf, p + 1)] = idx + 1;
        idx += 3;
    }
    idx = if size > 32 * 1024 + 8 {
        target - 32 * 1024
    } else {
        w.next_to_update
    };
    while idx < target {
        t[mid_hash8(buf, (idx - base) as usize)] = idx;
        idx += 1;
    }
    w.next_to_update = target;
}

/// `LZ4MID_compress` (level 2).
pub(crate) fn compress_mid(w: &mut Window, buf: &[u8], mut out: Out<'_>) -> Option<usize> {
    let src = w.src_start;
    let t = &mut *w.hash;
    let base = w.base;
    let iend = buf.len();
    let mut ip = src;
    let mut anchor = src;
    if iend - src < MIN_LENGTH {
        return out.last_literals(buf, anchor);
    }
    let mflimit = iend - MFLIMIT;
    let matchlimit = iend - LASTLITERALS;
    let ilimit_idx = base + (iend - 8) as u32;

    while ip <= mflimit {
        let ip_idx = base + ip as u32;
        let mut found: Option<(usize, usize)> = None;
        // Long match (8-byte hash).
        let h8 = mid_hash8(buf, ip);
        let pos8 = t[h8];
        t[h8] = ip_idx;
        if ip_idx.wrapping_sub(pos8) <= MAX_DISTANCE && pos8 >= base {
            let ml = count(buf, ip, (pos8 - base) as usize, matchlimit);
            if ml >= MINMATCH {
                found = Some((ml, (ip_idx - pos8) as usize));
            }
        }
        if found.is_none() {
            // Short match (4-byte hash), then one step of lookahead for a long one.
            let h4 = mid_hash4(buf, ip);
            let pos4 = t[h4];
            t[h4] = ip_idx;
            if ip_idx.wrapping_sub(pos4) <= MAX_DISTANCE && pos4 >= base {
                let mut ml = count(buf, ip, (pos4 - base) as usize, matchlimit);
                if ml >= MINMATCH {
                    let h8 = mid_hash8(buf, ip + 1);
                    let pos8 = t[h8];
                    let m2_dist = (ip_idx + 1).wrapping_sub(pos8);
                    let mut dist = (ip_idx - pos4) as usize;
                    if m2_dist <= MAX_DISTANCE && pos8 >= base && ip < mflimit {
                        let ml2 = count(buf, ip + 1, (pos8 - base) as usize, matchlimit);
                        if ml2 > ml {
                            t[h8] = ip_idx + 1;
                            ip += 1;
                            ml = ml2;
                            dist = m2_dist as usize;
                        }
                    }
                    found = Some((ml, dist));
                }
            }
        }
        let Some((mut ml, dist)) = found else {
            ip += 1 + ((ip - anchor) >> 9);
            continue;
        };
        // Catch back.
        while ip > anchor && ip > dist && buf[ip - 1] == buf[ip - dist - 1] {
            ip -= 1;
            ml += 1;
        }
        // Fill the table with the beginning of the match.
        t[mid_hash8(buf, ip + 1)] = ip_idx + 1;
        t[mid_hash8(buf, ip + 2)] = ip_idx + 2;
        t[mid_hash4(buf, ip + 1)] = ip_idx + 1;
        if !out.sequence(buf, &mut anchor, &mut ip, ml, dist) {
            return None;
        }
        // And with its end.
        let end_idx = base + ip as u32;
        if end_idx - 2 < ilimit_idx {
            if ip > 5 {
                t[mid_hash8(buf, ip - 5)] = end_idx - 5;
            }
            t[mid_hash8(buf, ip - 3)] = end_idx - 3;
            t[mid_hash8(buf, ip - 2)] = end_idx - 2;
            t[mid_hash4(buf, ip - 2)] = end_idx - 2;
            t[mid_hash4(buf, ip - 1)] = end_idx - 1;
        }
    }
    out.last_literals(buf, anchor)
}
