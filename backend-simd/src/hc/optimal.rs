//! Levels 10..=12: the optimal parser (`LZ4HC_compress_optimal`).
//!
//! From each position with a match, the parser prices (in output bytes) every way of reaching
//! the positions up to the end of the longest overlapping match, searching for a match at every
//! position whose price might improve, then encodes the cheapest path backwards. Matches longer
//! than the level's sufficient length are taken at once.

use super::{Match, Out, Window, MFLIMIT, MINMATCH, MIN_LENGTH, ML_MASK, RUN_MASK};
use crate::common::LASTLITERALS;

/// Positions the parser looks ahead at most (`LZ4_OPT_NUM`).
pub(crate) const OPT_NUM: usize = 1 << 12;
/// Literal positions priced after the last match (`TRAILING_LITERALS`).
const TRAILING_LITERALS: usize = 3;
/// Cells of the price table.
pub(crate) const OPT_CELLS: usize = OPT_NUM + TRAILING_LITERALS;

/// One position of the price table (`LZ4HC_optimal_t`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cell {
    price: i32,
    off: i32,
    /// 1 = a literal.
    mlen: i32,
    litlen: i32,
}

/// `LZ4HC_literalsPrice`.
#[inline(always)]
fn literals_price(litlen: i32) -> i32 {
    let mut price = litlen;
    if litlen >= RUN_MASK as i32 {
        price += 1 + (litlen - RUN_MASK as i32) / 255;
    }
    price
}

/// `LZ4HC_sequencePrice` (`mlen >= MINMATCH`).
#[inline(always)]
fn sequence_price(litlen: i32, mlen: i32) -> i32 {
    let mut price = 1 + 2 + literals_price(litlen);
    if mlen >= (ML_MASK + MINMATCH) as i32 {
        price += 1 + (mlen - (ML_MASK + MINMATCH) as i32) / 255;
    }
    price
}

/// `LZ4HC_FindLongerMatch`: a match at `ip` longer than `min_len`, or length 0. (Out of line:
/// the chain walk gets the whole register file instead of sharing it with the parser.)
#[inline(never)]
fn find_longer(
    w: &mut Window,
    buf: &[u8],
    ip: usize,
    i_high: usize,
    min_len: usize,
    attempts: u32,
    favor: bool,
) -> Match {
    let mut m = w.wider_match::<true, true>(buf, ip, ip, i_high, min_len, attempts, favor);
    debug_assert_eq!(m.back, 0);
    if m.len <= min_len {
        return Match::default();
    }
    if favor && m.len > 18 && m.len <= 36 {
        m.len = 18;
    }
    m
}

/// `LZ4HC_compress_optimal` (levels 10..=12).
// The reference's parameter list (plus the buffer and the price table).
#[allow(clippy::too_many_arguments)]
pub(crate) fn compress_optimal(
    w: &mut Window,
    buf: &[u8],
    opt: &mut [Cell],
    mut out: Out<'_>,
    attempts: u32,
    sufficient: usize,
    full_update: bool,
    favor: bool,
) -> Option<usize> {
    let opt = &mut opt[..OPT_CELLS];
    let src = w.src_start;
    let iend = buf.len();
    let mut ip = src;
    let mut anchor = src;
    if iend - src < MIN_LENGTH {
        return out.last_literals(buf, anchor);
    }
    let mflimit = iend - MFLIMIT;
    let matchlimit = iend - LASTLITERALS;
    let sufficient = sufficient.min(OPT_NUM - 1);

    while ip <= mflimit {
        let llen = (ip - anchor) as i32;
        let first = find_longer(w, buf, ip, matchlimit, MINMATCH - 1, attempts, favor);
        if first.len == 0 {
            ip += 1;
            continue;
        }
        if first.len > sufficient {
            // Good enough: encode at once.
            if !out.sequence(buf, &mut anchor, &mut ip, first.len, first.off) {
                return None;
            }
            continue;
        }

        // Prices of the first positions (literals), then of the first match.
        for (r, c) in opt.iter_mut().enumerate().take(MINMATCH) {
            *c = Cell {
                price: literals_price(llen + r as i32),
                off: 0,
                mlen: 1,
                litlen: llen + r as i32,
            };
        }
        for (mlen, c) in opt
            .iter_mut()
            .enumerate()
            .take(first.len + 1)
            .skip(MINMATCH)
        {
            *c = Cell {
                price: sequence_price(llen, mlen as i32),
                off: first.off as i32,
                mlen: mlen as i32,
                litlen: llen,
            };
        }
        let mut last_match_pos = first.len;
        for add in 1..=TRAILING_LITERALS {
            opt[last_match_pos + add] = Cell {
                price: opt[last_match_pos].price + literals_price(add as i32),
                off: 0,
                mlen: 1,
                litlen: add as i32,
            };
        }

        // Check further positions.
        let mut cur = 1;
        let mut best: Option<(usize, usize)> = None;
        while cur < last_match_pos {
            let cur_ptr = ip + cur;
            if cur_ptr > mflimit {
                break;
            }
            if full_update {
                // Not useful to search here if the next position costs the same or less,
                // unless the cost rises sharply after it.
                if opt[cur + 1].price <= opt[cur].price
                    && opt[cur + MINMATCH].price < opt[cur].price + 3
                {
                    cur += 1;
                    continue;
                }
            } else if opt[cur + 1].price <= opt[cur].price {
                cur += 1;
                continue;
            }

            let new = if full_update {
                find_longer(w, buf, cur_ptr, matchlimit, MINMATCH - 1, attempts, favor)
            } else {
                find_longer(
                    w,
                    buf,
                    cur_ptr,
                    matchlimit,
                    last_match_pos - cur,
                    attempts,
                    favor,
                )
            };
            if new.len == 0 {
                cur += 1;
                continue;
            }
            if new.len > sufficient || new.len + cur >= OPT_NUM {
                // Immediate encoding.
                best = Some((new.len, new.off));
                last_match_pos = cur + 1;
                break;
            }

            // Before the match: prices with literals at the beginning.
            let base_litlen = opt[cur].litlen;
            for litlen in 1..MINMATCH as i32 {
                let price = opt[cur].price - literals_price(base_litlen)
                    + literals_price(base_litlen + litlen);
                let pos = cur + litlen as usize;
                if price < opt[pos].price {
                    opt[pos] = Cell {
                        price,
                        off: 0,
                        mlen: 1,
                        litlen: base_litlen + litlen,
                    };
                }
            }

            // Prices using the match at `cur`.
            let (ll, base_price) = if opt[cur].mlen == 1 {
                let ll = opt[cur].litlen;
                let before = if cur as i32 > ll {
                    opt[cur - ll as usize].price
                } else {
                    0
                };
                (ll, before)
            } else {
                (0, opt[cur].price)
            };
            // (One slice for the cells `cur + MINMATCH ..= cur + new.len`, so no bounds check
            // per length; `last_match_pos` can only move at the last length, so the limit
            // below holds for the others.)
            let filled = last_match_pos + TRAILING_LITERALS;
            let off = new.off as i32;
            let cells = &mut opt[cur + MINMATCH..=cur + new.len];
            let (last, rest) = cells.split_last_mut().expect("new.len >= MINMATCH");
            for (k, c) in rest.iter_mut().enumerate() {
                let ml = MINMATCH + k;
                let price = base_price + sequence_price(ll, ml as i32);
                if cur + ml > filled || price <= c.price - favor as i32 {
                    *c = Cell {
                        price,
                        off,
                        mlen: ml as i32,
                        litlen: ll,
                    };
                }
            }
            let price = base_price + sequence_price(ll, new.len as i32);
            let pos = cur + new.len;
            if pos > filled || price <= last.price - favor as i32 {
                *last = Cell {
                    price,
                    off,
                    mlen: new.len as i32,
                    litlen: ll,
                };
                last_match_pos = last_match_pos.max(pos);
            }
            // Complete the following positions with literals.
            for add in 1..=TRAILING_LITERALS {
                opt[last_match_pos + add] = Cell {
                    price: opt[last_match_pos].price + literals_price(add as i32),
                    off: 0,
                    mlen: 1,
                    litlen: add as i32,
                };
            }
            cur += 1;
        }

        let (best_mlen, best_off, cur) = match best {
            Some((l, o)) => (l as i32, o as i32, cur),
            None => {
                let c = opt[last_match_pos];
                (c.mlen, c.off, last_match_pos - c.mlen as usize)
            }
        };

        // Reverse traversal: the shortest path.
        let mut candidate = cur;
        let mut sel_ml = best_mlen;
        let mut sel_off = best_off;
        loop {
            let next_ml = opt[candidate].mlen;
            let next_off = opt[candidate].off;
            opt[candidate].mlen = sel_ml;
            opt[candidate].off = sel_off;
            sel_ml = next_ml;
            sel_off = next_off;
            if next_ml as usize > candidate {
                break;
            }
            candidate -= next_ml as usize;
        }

        // Encode the recorded sequences in order.
        let mut r = 0;
        while r < last_match_pos {
            let ml = opt[r].mlen as usize;
            let off = opt[r].off as usize;
            if ml == 1 {
                ip += 1;
                r += 1;
                continue;
            }
            r += ml;
            if !out.sequence(buf, &mut anchor, &mut ip, ml, off) {
                return None;
            }
        }
    }
    out.last_literals(buf, anchor)
}
