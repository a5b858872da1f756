//! The portable reference kernel: safe Rust, no `unsafe`, no target features.
//!
//! It defines the behaviour every vectorized kernel must reproduce exactly:
//!
//! * **Decoding** accepts and rejects exactly the blocks the C library's
//!   `LZ4_decompress_safe_usingDict` accepts and rejects for the same history and destination
//!   capacity, whether the history is in a separate buffer or directly before the destination
//!   (C's prefix mode; ours decodes it in place) — including its end-of-block parsing restrictions, which depend
//!   on how close a sequence is to the end of `src` and `dst` — except that a match offset of 0
//!   is an error here (the C library silently accepts it).
//! * **Encoding** follows `LZ4_compress_generic` at the fast levels: the same catch-up and
//!   end-of-block rules and skip-step acceleration, with the [`RelTable`] hashed over 4 bytes
//!   for short blocks without history (C's 16-bit table: the same bytes as C) and over 5 bytes
//!   otherwise (twice C's entries and, at acceleration 1, a shorter step-1 phase of the search,
//!   [`LEVEL1_STEP1_PROBES`]). A block with history of at most [`WINDOW_COPY_MAX`] bytes is
//!   compressed in a copy of `history ++ src` (as C's prefix mode, matches may run and catch up
//!   across the boundary); longer ones read the two slices separately. The vector kernels
//!   produce exactly this kernel's bytes.

use crate::common::*;

/// Decodes one block into `buf[start..]` and returns the bytes written there. `buf[..start]` is
/// history in the same buffer: a match reaches into it as into the block's own output, no
/// further back than `buf[0]` unless `history`, a separate slice, holds the bytes before that.
/// The destination capacity the end-of-block rules measure against is `buf.len() - start`. See
/// the module docs for the exact acceptance rules (for the C library's decoder, the history is
/// `history ++ buf[..start]`, wherever it lies). Requires `start <= buf.len()`.
pub(crate) fn decompress(
    src: &[u8],
    history: &[u8],
    buf: &mut [u8],
    start: usize,
) -> Result<usize, Fail> {
    decompress_prefix(src, history, buf, start, usize::MAX)
}

/// Decodes the start of a block: stops at the first sequence boundary at or past `want` output
/// bytes (or at the end of the block) and returns the bytes written. The sequences decoded are
/// checked exactly as [`decompress`] checks them; the rest is not looked at. Arguments as for
/// [`decompress`].
pub(crate) fn decompress_prefix(
    src: &[u8],
    history: &[u8],
    buf: &mut [u8],
    start: usize,
    want: usize,
) -> Result<usize, Fail> {
    let iend = src.len();
    let oend = buf.len();
    let dst = buf;
    assert!(start <= oend, "decoding starts past the end of the buffer");
    // Output positions are indices of `buf`: the end of the wanted prefix is one too.
    let want = start.saturating_add(want);
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
    let hlen = history.len();
    let mut ip = 0usize;
    let mut op = start;
    loop {
        if op >= want {
            return Ok(op - start);
        }
        // Invariant: ip < iend (established by the checks of the previous sequence).
        let token = src[ip];
        ip += 1;
        let mut ll = (token >> 4) as usize;
        // The reference's shortcut: no end-of-block checks for a short literal run well
        // before both ends.
        let short = ll < 15 && ip + 17 <= iend && op + 32 <= oend;
        if short {
            dst[op..op + ll].copy_from_slice(&src[ip..ip + ll]);
            ip += ll;
            op += ll;
        } else {
            if ll == 15 {
                if ip + 15 >= iend {
                    return Err(Fail::Corrupt(ip));
                }
                loop {
                    let s = src[ip];
                    ip += 1;
                    ll += s as usize;
                    if ip + 15 > iend {
                        return Err(Fail::Corrupt(ip));
                    }
                    if s != 255 {
                        break;
                    }
                }
            }
            if ll > iend - ip {
                return Err(Fail::Corrupt(ip));
            }
            if op + ll + MFLIMIT > oend || ip + ll + 2 + 1 + LASTLITERALS > iend {
                // Must be the last sequence: literals up to the end of the input.
                if ip + ll != iend {
                    return Err(if op + ll + MFLIMIT > oend && ip + ll + 8 <= iend {
                        Fail::OutputTooSmall
                    } else {
                        Fail::Corrupt(ip)
                    });
                }
                if op + ll > oend {
                    return Err(Fail::OutputTooSmall);
                }
                dst[op..op + ll].copy_from_slice(&src[ip..]);
                return Ok(op + ll - start);
            }
            dst[op..op + ll].copy_from_slice(&src[ip..ip + ll]);
            ip += ll;
            op += ll;
        }
        // In bounds: ip + 3 <= iend (short) or ip + 8 <= iend.
        let offset = u16::from_le_bytes([src[ip], src[ip + 1]]) as usize;
        ip += 2;
        let mut ml = (token & 15) as usize;
        if short && ml != 15 && offset >= 8 && offset <= op - start {
            // The reference's shortcut: a match of at most 18 bytes within this block's output,
            // no end checks (op + 18 <= oend holds). A match into history, in this buffer or
            // a separate one, takes the checked path below, so that decoding in place accepts
            // exactly the blocks separate-history decoding accepts (C's prefix mode would take
            // the shortcut there too, and accept a match ending in the last 5 bytes of the
            // destination that `LZ4_decompress_safe_usingDict` refuses).
            copy_match(dst, op, offset, ml + MINMATCH);
            op += ml + MINMATCH;
            continue;
        }
        if ml == 15 {
            loop {
                let s = src[ip];
                ip += 1;
                ml = ml.saturating_add(s as usize);
                if ip + LASTLITERALS - 1 > iend {
                    return Err(Fail::Corrupt(ip));
                }
                if s != 255 {
                    break;
                }
            }
        }
        ml = ml.saturating_add(MINMATCH);
        if offset == 0 {
            return Err(Fail::OffsetZero(ip));
        }
        if offset > op + hlen {
            return Err(Fail::Corrupt(ip));
        }
        if oend - op < LASTLITERALS || ml > oend - op - LASTLITERALS {
            return Err(if ml > oend - op {
                Fail::OutputTooSmall
            } else {
                Fail::Corrupt(ip)
            });
        }
        if offset > op {
            // Starts in the separate history, before dst[0].
            let back = offset - op;
            let hs = hlen - back;
            if ml <= back {
                dst[op..op + ml].copy_from_slice(&history[hs..hs + ml]);
            } else {
                dst[op..op + back].copy_from_slice(&history[hs..]);
                copy_match(dst, op + back, offset, ml - back);
            }
        } else {
            copy_match(dst, op, offset, ml);
        }
        op += ml;
    }
}

/// Copies `len` bytes from `dst[op - offset..]` to `dst[op..]`, repeating the pattern when the
/// regions overlap (`offset < len`). Requires `1 <= offset <= op` and `op + len <= dst.len()`.
fn copy_match(dst: &mut [u8], op: usize, offset: usize, len: usize) {
    let start = op - offset;
    let end = op + len;
    let mut cur = op;
    // dst[start..cur] is always a whole number of periods, so copying its beginning continues
    // the pattern; the copied span doubles each round.
    while cur < end {
        let n = (cur - start).min(end - cur);
        dst.copy_within(start..start + n, cur);
        cur += n;
    }
}

/// Number of equal bytes at `a[i..]` and `b[j..]`, comparing at most `n` bytes.
#[inline(always)]
pub(crate) fn count(a: &[u8], i: usize, b: &[u8], j: usize, n: usize) -> usize {
    let mut k = 0;
    while k + 8 <= n {
        let x = read_u64(a, i + k) ^ read_u64(b, j + k);
        if x != 0 {
            return k + (x.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    while k < n && a[i + k] == b[j + k] {
        k += 1;
    }
    k
}

/// Where a candidate match lies.
#[derive(Clone, Copy)]
enum Cand {
    /// At this position of `src`.
    Src(usize),
    /// At this position of `history`.
    Hist(usize),
}

/// The match table's operations. `SMALL`: the small table's hash ([`hash`]).
trait Table {
    fn hash<const SMALL: bool>(src: &[u8], p: usize) -> usize;
    /// The distance from virtual index `cur` back to the candidate in slot `h` (wrapping; 0 or
    /// above [`MAX_DISTANCE`] when there is none).
    fn dist(&self, h: usize, cur: u32) -> u32;
    fn put(&mut self, h: usize, idx: u32);
}

impl Table for RelTable {
    #[inline(always)]
    fn hash<const SMALL: bool>(src: &[u8], p: usize) -> usize {
        hash::<SMALL>(read_u64(src, p))
    }
    #[inline(always)]
    fn dist(&self, h: usize, cur: u32) -> u32 {
        (cur as u16).wrapping_sub(self.0[h]) as u32
    }
    #[inline(always)]
    fn put(&mut self, h: usize, idx: u32) {
        self.0[h] = idx as u16;
    }
}

/// Compresses one block (fast levels). `history` must be at most 64 KiB (the caller cuts it).
pub(crate) fn compress(
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
    match plan {
        Plan::Alone { small: true } => {
            compress_generic::<_, true>(&mut **tr, src, 0, &[], 0, dst, accel, SMALL_STEP1_PROBES)
        }
        Plan::Alone { small: false } => {
            compress_generic::<_, false>(&mut **tr, src, 0, &[], 0, dst, accel, LEVEL1_STEP1_PROBES)
        }
        Plan::Window { start } => compress_generic::<_, false>(
            &mut **tr,
            window,
            hlen,
            &[],
            start - hlen as u32,
            dst,
            accel,
            LEVEL1_STEP1_PROBES,
        ),
        Plan::Split { start } => compress_generic::<_, false>(
            &mut **tr,
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

/// `LZ4_compress_generic_validated` with `limitedOutput`: compresses `src[base..]` as one
/// block. `src[..base]` is history (a prefix, as in C's prefix mode) and/or `hist` is history
/// as a separate slice (only with `base == 0`); `start` is the virtual index of `src[0]`.
/// `probes`: see [`search_start`]. `SMALL`: the small table's hash.
#[allow(clippy::too_many_arguments)]
fn compress_generic<T: Table + ?Sized, const SMALL: bool>(
    table: &mut T,
    src: &[u8],
    base: usize,
    hist: &[u8],
    start: u32,
    dst: &mut [u8],
    accel: u32,
    probes: u32,
) -> Option<usize> {
    debug_assert!(base == 0 || hist.is_empty());
    let len = src.len();
    let hlen = hist.len();
    let low = start - hlen as u32;
    let olimit = dst.len();
    let mut op = 0usize;
    let mut anchor = base;

    // Validity of the candidate at distance `d` from the position with virtual index `cur`.
    let candidate = |d: u32, cur: u32| -> Option<Cand> {
        if d.wrapping_sub(1) >= MAX_DISTANCE || d > cur - low {
            return None;
        }
        let mi = cur - d;
        if mi >= start {
            Some(Cand::Src((mi - start) as usize))
        } else {
            let hp = (mi - low) as usize;
            if hp + MINMATCH > hlen {
                return None;
            }
            Some(Cand::Hist(hp))
        }
    };
    let matches4 = |c: Cand, ip: usize| -> bool {
        match c {
            Cand::Src(p) => read_u32(src, p) == read_u32(src, ip),
            Cand::Hist(p) => read_u32(hist, p) == read_u32(src, ip),
        }
    };

    'main: {
        if len - base < MIN_LENGTH {
            break 'main;
        }
        let mflimit_plus_one = len - MFLIMIT + 1;
        let matchlimit = len - LASTLITERALS;

        table.put(T::hash::<SMALL>(src, base), start + base as u32);
        let mut ip = base + 1;
        let mut fwd_h = T::hash::<SMALL>(src, ip);

        loop {
            // Find a match.
            let mut fwd = ip;
            let mut step = 1usize;
            let mut search = search_start(accel, probes);
            let mut cand;
            let mut offset;
            loop {
                let h = fwd_h;
                let cur = start + fwd as u32;
                let d = table.dist(h, cur);
                ip = fwd;
                fwd += step;
                step = (search >> SKIP_TRIGGER) as usize;
                search += 1;
                if fwd > mflimit_plus_one {
                    break 'main;
                }
                fwd_h = T::hash::<SMALL>(src, fwd);
                table.put(h, cur);
                cand = candidate(d, cur);
                if let Some(c) = cand {
                    if matches4(c, ip) {
                        offset = d;
                        break;
                    }
                }
            }
            let mut c = cand.unwrap();

            // Catch up.
            match &mut c {
                Cand::Src(p) => {
                    while ip > anchor && *p > 0 && src[ip - 1] == src[*p - 1] {
                        ip -= 1;
                        *p -= 1;
                    }
                }
                Cand::Hist(p) => {
                    while ip > anchor && *p > 0 && src[ip - 1] == hist[*p - 1] {
                        ip -= 1;
                        *p -= 1;
                    }
                }
            }

            // Encode literals.
            let lit = ip - anchor;
            let mut token = op;
            op += 1;
            if op + lit + 2 + 1 + LASTLITERALS + lit / 255 > olimit {
                return None;
            }
            if lit >= 15 {
                dst[token] = 15 << 4;
                op = write_len(dst, op, lit - 15);
            } else {
                dst[token] = (lit as u8) << 4;
            }
            dst[op..op + lit].copy_from_slice(&src[anchor..ip]);
            op += lit;

            loop {
                // Encode the offset (room checked with the literals / below).
                dst[op..op + 2].copy_from_slice(&(offset as u16).to_le_bytes());
                op += 2;

                // Match length.
                let mut mc;
                match c {
                    Cand::Hist(p) => {
                        let limit = (ip + (hlen - p)).min(matchlimit);
                        mc = count(
                            src,
                            ip + MINMATCH,
                            hist,
                            p + MINMATCH,
                            limit - ip - MINMATCH,
                        );
                        ip += mc + MINMATCH;
                        if ip == limit {
                            let more = count(src, limit, src, 0, matchlimit - limit);
                            mc += more;
                            ip += more;
                        }
                    }
                    Cand::Src(p) => {
                        mc = count(
                            src,
                            ip + MINMATCH,
                            src,
                            p + MINMATCH,
                            matchlimit - ip - MINMATCH,
                        );
                        ip += mc + MINMATCH;
                    }
                }
                if op + 1 + LASTLITERALS + (mc + 240) / 255 > olimit {
                    return None;
                }
                if mc >= 15 {
                    dst[token] += 15;
                    op = write_len(dst, op, mc - 15);
                } else {
                    dst[token] += mc as u8;
                }
                anchor = ip;

                if ip >= mflimit_plus_one {
                    break 'main;
                }
                table.put(T::hash::<SMALL>(src, ip - 2), start + (ip - 2) as u32);

                // Test the next position.
                let h = T::hash::<SMALL>(src, ip);
                let cur = start + ip as u32;
                let d = table.dist(h, cur);
                table.put(h, cur);
                match candidate(d, cur) {
                    Some(nc) if matches4(nc, ip) => {
                        c = nc;
                        offset = d;
                        token = op;
                        dst[token] = 0;
                        op += 1;
                    }
                    _ => break,
                }
            }
            ip += 1;
            fwd_h = T::hash::<SMALL>(src, ip);
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
