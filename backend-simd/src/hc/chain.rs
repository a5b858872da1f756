//! Levels 2..=9: the hash-chain match finder (`LZ4HC_Insert`, `LZ4HC_InsertAndGetWiderMatch`),
//! the lazy hash-chain parser (`LZ4HC_compress_hashChain`, levels 3..=9) and the two-table
//! "mid" compressor (`LZ4MID_compress`, level 2).

use super::{
    count, read_u32, read_u64, Match, Out, Window, HASH_LOG, MAX_DISTANCE, MFLIMIT, MINMATCH,
    MIN_LENGTH,
};
use crate::common::LASTLITERALS;

/// `OPTIMAL_ML`: the longest match length the token holds without extra bytes.
const OPTIMAL_ML: usize = 15 - 1 + MINMATCH;

/// `LZ4HC_hashPtr`: 15-bit hash of 4 bytes.
#[inline(always)]
fn hash4(v: u32) -> usize {
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_LOG)) as usize
}

/// Reads 2 bytes at `p`.
#[inline(always)]
fn read_u16(buf: &[u8], p: usize) -> u16 {
    u16::from_le_bytes(buf[p..p + 2].try_into().unwrap())
}

/// Run length of byte `b` from `buf[p..]`, up to `end`.
#[inline(always)]
fn count_run(buf: &[u8], mut p: usize, end: usize, b: u8) -> usize {
    let start = p;
    let pat = u64::from_ne_bytes([b; 8]);
    while p + 8 <= end {
        let x = read_u64(buf, p) ^ pat;
        if x != 0 {
            return p - start + (x.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while p < end && buf[p] == b {
        p += 1;
    }
    p - start
}

/// Run length of byte `b` backwards from `buf[..p]`, down to `low`.
#[inline(always)]
fn count_run_back(buf: &[u8], mut p: usize, low: usize, b: u8) -> usize {
    let start = p;
    let pat = u32::from_ne_bytes([b; 4]);
    while p >= low + 4 {
        if read_u32(buf, p - 4) != pat {
            break;
        }
        p -= 4;
    }
    while p > low && buf[p - 1] == b {
        p -= 1;
    }
    start - p
}

/// `LZ4HC_countBack`: equal bytes before `buf[ip]` and `buf[mp]`, at most `max`
/// (8 bytes at a time).
#[inline(always)]
fn count_back(buf: &[u8], ip: usize, mp: usize, max: usize) -> usize {
    let a = &buf[ip - max..ip];
    let b = &buf[mp - max..mp];
    let mut k = max;
    while k >= 8 {
        let v = u64::from_le_bytes(a[k - 8..k].try_into().unwrap())
            ^ u64::from_le_bytes(b[k - 8..k].try_into().unwrap());
        if v != 0 {
            return max - k + (v.leading_zeros() / 8) as usize;
        }
        k -= 8;
    }
    if k >= 4 {
        let v = u32::from_le_bytes(a[k - 4..k].try_into().unwrap())
            ^ u32::from_le_bytes(b[k - 4..k].try_into().unwrap());
        if v != 0 {
            return max - k + (v.leading_zeros() / 8) as usize;
        }
        k -= 4;
    }
    while k > 0 && a[k - 1] == b[k - 1] {
        k -= 1;
    }
    max - k
}

impl Window {
    /// `LZ4HC_Insert`: adds every position from `next_to_update` up to `target` (excluded) to
    /// the hash chains.
    #[inline(always)]
    pub(crate) fn insert(&mut self, target: u32) {
        let start = self.next_to_update;
        if start < target {
            let base = self.base;
            let bytes = &self.buf[(start - base) as usize..(target - base) as usize + 3];
            for (idx, w) in (start..).zip(bytes.windows(4)) {
                let h = hash4(u32::from_le_bytes(w.try_into().unwrap()));
                let delta = idx.wrapping_sub(self.hash[h]).min(MAX_DISTANCE);
                self.chain[idx as usize & 0xFFFF] = delta as u16;
                self.hash[h] = idx;
            }
        }
        self.next_to_update = target;
    }

    /// `LZ4HC_InsertAndGetWiderMatch` for one contiguous window: the longest match for position
    /// `ip` that is longer than `longest`, allowed to start up to `ip - i_low` bytes earlier and
    /// to end at `i_high`. Returns `longest` with offset 0 when there is none.
    ///
    /// `PATTERN`: repeated-byte analysis (levels 9..=12); `SWAP`: switch to a rarer chain among
    /// the positions of the best match (levels 10..=12); `favor_dec_speed`: skip offsets below 8.
    #[inline(always)]
    pub(crate) fn wider_match<const PATTERN: bool, const SWAP: bool>(
        &mut self,
        ip: usize,
        i_low: usize,
        i_high: usize,
        mut longest: usize,
        max_attempts: u32,
        favor_dec_speed: bool,
    ) -> Match {
        let base = self.base;
        let ip_idx = base + ip as u32;
        let lowest = if base + MAX_DISTANCE + 1 > ip_idx {
            base
        } else {
            ip_idx - MAX_DISTANCE
        };
        let look_back = ip - i_low;
        self.insert(ip_idx);
        let buf = &self.buf[..];
        let chain = &*self.chain;
        let pattern = read_u32(buf, ip);
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

        while match_index >= lowest && attempts > 0 {
            let mut match_len = 0usize;
            attempts -= 1;
            if favor_dec_speed && ip_idx - match_index < 8 {
                // Favouring decompression speed skips offsets below 8.
            } else {
                if match_index >= ip_idx {
                    // Never happens (the tables only hold positions before `ip`); checked
                    // because the reads below rely on it.
                    break;
                }
                let mp = (match_index - base) as usize;
                // SAFETY: `mp < ip` (checked just above). `buf[ip..ip + 4]` was read with a
                // checked read (`pattern`), so `mp + 4 <= buf.len()`. And
                // `mp + tail_at < ip + tail_at = i_low + longest - 1`, where
                // `buf[i_low + longest - 1..][..2]` was read with a checked read (`tail`) after
                // every change of `longest`, so `mp + tail_at + 2 <= buf.len()`.
                let (t, c) = unsafe {
                    (
                        buf.get_unchecked(mp + tail_at..mp + tail_at + 2),
                        buf.get_unchecked(mp..mp + 4),
                    )
                };
                // Quick reject: the two bytes that would end a longer match.
                if u16::from_le_bytes([t[0], t[1]]) == tail
                    && u32::from_le_bytes([c[0], c[1], c[2], c[3]]) == pattern
                {
                    let back = if look_back > 0 {
                        count_back(buf, ip, mp, look_back.min(mp))
                    } else {
                        0
                    };
                    match_len = MINMATCH + count(buf, ip + MINMATCH, mp + MINMATCH, i_high) + back;
                    if match_len > longest {
                        longest = match_len;
                        offset = (ip_idx - match_index) as usize;
                        s_back = back;
                        tail_at = longest - 1 - look_back;
                        tail = read_u16(buf, i_low + longest - 1);
                    }
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
                let cand_idx = match_index - 1;
                // A run of one byte? (The reference's test admits exactly that.)
                let confirmed = *repeat.get_or_insert_with(|| {
                    let [b0, b1, b2, b3] = pattern.to_le_bytes();
                    let is_run = b0 == b1 && b1 == b2 && b2 == b3;
                    if is_run {
                        src_pattern_len = count_run(buf, ip + 4, i_high, b0) + 4;
                    }
                    is_run
                });
                if confirmed && cand_idx >= lowest {
                    let mp = (cand_idx - base) as usize;
                    if read_u32(buf, mp) == pattern {
                        let b = pattern as u8;
                        let forward = count_run(buf, mp + 4, i_high, b) + 4;
                        let mut back_len = count_run_back(buf, mp, 0, b);
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
pub(crate) fn compress_chain(w: &mut Window, out: Out<'_>, attempts: u32) -> Option<usize> {
    if attempts > 128 {
        compress_chain_with::<true>(w, out, attempts)
    } else {
        compress_chain_with::<false>(w, out, attempts)
    }
}

/// [`compress_chain`] with or without the repeated-pattern analysis.
fn compress_chain_with<const PATTERN: bool>(
    w: &mut Window,
    mut out: Out<'_>,
    attempts: u32,
) -> Option<usize> {
    let src = w.src_start;
    let iend = w.buf.len();
    let mut ip = src;
    let mut anchor = src;
    if iend - src < MIN_LENGTH {
        return out.last_literals(&w.buf, anchor);
    }
    let mflimit = iend - MFLIMIT;
    let matchlimit = iend - LASTLITERALS;
    let nomatch = Match::default();

    'main: while ip <= mflimit {
        let mut m1 =
            w.wider_match::<PATTERN, false>(ip, ip, matchlimit, MINMATCH - 1, attempts, false);
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
                m2 = w
                    .wider_match::<PATTERN, false>(start2, ip, matchlimit, m1.len, attempts, false);
                start2 -= m2.back;
            } else {
                start2 = 0;
                m2 = nomatch;
            }
            if m2.len <= m1.len {
                // No better match: encode m1 immediately.
                if !out.sequence(&w.buf, &mut anchor, &mut ip, m1.len, m1.off) {
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
                        start3, start2, matchlimit, m2.len, attempts, false,
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
                    if !out.sequence(&w.buf, &mut anchor, &mut ip, m1.len, m1.off) {
                        return None;
                    }
                    ip = start2;
                    if !out.sequence(&w.buf, &mut anchor, &mut ip, m2.len, m2.off) {
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
                        if !out.sequence(&w.buf, &mut anchor, &mut ip, m1.len, m1.off) {
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
                if !out.sequence(&w.buf, &mut anchor, &mut ip, m1.len, m1.off) {
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
    out.last_literals(&w.buf, anchor)
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
pub(crate) fn compress_mid(w: &mut Window, mut out: Out<'_>) -> Option<usize> {
    let src = w.src_start;
    let buf = &w.buf[..];
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
