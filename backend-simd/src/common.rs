//! Constants, error reasons, hashing and the encoder's match-table state, shared by every kernel.
//!
//! Everything here is safe code. The kernels (the safe reference in `scalar` and the vectorized
//! ones built from `fast`) implement the same algorithm on top of it, so every kernel produces
//! the same bytes as every other. Every block uses the [`RelTable`] (more entries than C's table
//! in the same memory, hashed over 6 bytes) and a shorter step-1 search phase than C, so the
//! output differs from C's (about C's total size on the Silesia files, faster).

use lz4framed_core::BlockError;

/// Minimum match length of the format.
pub(crate) const MINMATCH: usize = 4;
/// The last match must start at least this many bytes before the end of the block.
pub(crate) const MFLIMIT: usize = 12;
/// The last this many bytes of a block are literals.
pub(crate) const LASTLITERALS: usize = 5;
/// Blocks shorter than this are stored as one literal run (the reference's `LZ4_minLength`).
pub(crate) const MIN_LENGTH: usize = MFLIMIT + 1;
/// Largest match distance.
pub(crate) const MAX_DISTANCE: u32 = 65535;
/// The reference's `LZ4_MAX_INPUT_SIZE`: larger inputs are not compressed.
pub(crate) const MAX_INPUT_SIZE: usize = 0x7E00_0000;
/// Inputs shorter than this without history probe more positions one byte apart
/// ([`SMALL_STEP1_PROBES`]); C's `LZ4_64Klimit`, below which C uses its stronger 16-bit table.
pub(crate) const LIMIT_64K: usize = 64 * 1024 + (MFLIMIT - 1);
/// Skip-step trigger of the match search (`LZ4_skipTrigger`).
pub(crate) const SKIP_TRIGGER: u32 = 6;
/// Largest acceleration (`LZ4_ACCELERATION_MAX`).
pub(crate) const ACCELERATION_MAX: i32 = 65537;

/// `log2` of the entry count of the match table ([`RelTable`]). C's `LZ4_HASHLOG` is 12, for
/// 4096 32-bit indices; ours holds 16-bit entries, so twice as many fit in the same 16 KiB.
pub(crate) const HASH_LOG: u32 = 13;
/// Entries of the [`RelTable`].
pub(crate) const TABLE_REL_SIZE: usize = 1 << HASH_LOG;
/// At acceleration 1, the match search probes this many positions one byte apart before the
/// step grows to 2 (C: `1 << SKIP_TRIGGER` = 64, then the step grows every 64 probes as in C),
/// for blocks of at least [`LIMIT_64K`] or with history. Our larger table finds more matches than
/// C's 4096-entry one; probing fewer positions gives that ratio back for speed (measured on the
/// Silesia files: about C's total size, 10-15 % faster than C).
pub(crate) const LEVEL1_STEP1_PROBES: u32 = 2;
/// [`LEVEL1_STEP1_PROBES`] for blocks below [`LIMIT_64K`] without history, which C compresses
/// with its stronger 8192-entry 16-bit table and a hash of 4 bytes: more probes to stay at C's
/// size (measured on the Silesia files in 64 KiB blocks: 12 gives about C's total size; 8 is
/// 1 % larger, 16 0.4 % smaller and slower).
pub(crate) const SMALL_STEP1_PROBES: u32 = 12;

/// The match search's initial `searchMatchNb` (C: `acceleration << LZ4_skipTrigger`); the step
/// is `search >> SKIP_TRIGGER`, and `search` grows by one per probe. `probes`: the step-1 probes
/// at acceleration 1 ([`LEVEL1_STEP1_PROBES`] or [`SMALL_STEP1_PROBES`]); other accelerations
/// follow C's schedule.
#[inline(always)]
pub(crate) fn search_start(accel: u32, probes: u32) -> u32 {
    if accel == 1 {
        (2 << SKIP_TRIGGER) - probes
    } else {
        accel << SKIP_TRIGGER
    }
}

/// Largest `src` compressed in the contiguous window (`history ++ src` copied into
/// [`Tables`]'s buffer, see [`Plan::Window`]); longer blocks with history read `history` and
/// `src` as separate slices. Bounds the buffer's memory.
pub(crate) const WINDOW_COPY_MAX: usize = 1 << 20;

/// The match table: each entry holds the low 16 bits
/// of a virtual index. As every match distance is below 65536, the candidate for virtual index
/// `cur` is `cur - ((cur - entry) mod 65536)`: the most recent position with those low bits.
/// An entry older than the window thus names some other position inside it, which the byte
/// comparison of every candidate rejects (or accepts as a genuine match). Hashed with
/// [`hash6`].
pub(crate) struct RelTable(pub(crate) [u16; TABLE_REL_SIZE]);

/// Virtual index where reloaded history begins: entries below it (zeroed slots) are invalid.
const RELOAD_BASE: u32 = 64 * 1024;
/// When the virtual index passes this, the table is rebuilt instead of continued.
const INDEX_LIMIT: u32 = 1 << 30;

/// Why a block failed to decode. Finer than [`BlockError`] so that the tests can tell an offset
/// of 0 (which the C decoder accepts and we reject) from other corruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Malformed block; the offset in `src` where decoding stopped.
    Corrupt(usize),
    /// A match with offset 0; the offset in `src` just after it.
    OffsetZero(usize),
    /// The block decodes to more than `dst` holds.
    OutputTooSmall,
}

impl From<Fail> for BlockError {
    fn from(f: Fail) -> BlockError {
        match f {
            Fail::Corrupt(at) | Fail::OffsetZero(at) => BlockError::Corrupt { at: Some(at) },
            Fail::OutputTooSmall => BlockError::OutputTooSmall,
        }
    }
}

/// [`HASH_LOG`]-bit hash of the low 6 bytes of `seq` (little-endian), for the [`RelTable`]: like
/// the reference's `LZ4_hash5` (same multiplier), over 6 bytes, which finds fewer but longer
/// matches than 5 (fewer sequences to encode: faster, for a little ratio).
#[inline(always)]
pub(crate) fn hash6(seq: u64) -> usize {
    ((seq << 16).wrapping_mul(889_523_592_379) >> (64 - HASH_LOG)) as usize
}

/// Reads 8 bytes little-endian at `p` (safe; panics only on a caller bug).
#[inline(always)]
pub(crate) fn read_u64(s: &[u8], p: usize) -> u64 {
    u64::from_le_bytes(s[p..p + 8].try_into().unwrap())
}

/// Reads 4 bytes little-endian at `p` (safe; panics only on a caller bug).
#[inline(always)]
pub(crate) fn read_u32(s: &[u8], p: usize) -> u32 {
    u32::from_le_bytes(s[p..p + 4].try_into().unwrap())
}

/// Acceleration for a fast level: `level <= -1` is acceleration `-level`, 0 and 1 are 1.
pub(crate) fn acceleration(level: i32) -> u32 {
    if level >= 0 {
        1
    } else {
        level.unsigned_abs().min(ACCELERATION_MAX as u32)
    }
}

/// How a block is to be compressed, decided by [`Tables::prepare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// No history: `src[0]` has virtual index 0; `probes` step-1 probes at acceleration 1
    /// ([`SMALL_STEP1_PROBES`] below [`LIMIT_64K`], else [`LEVEL1_STEP1_PROBES`]).
    Alone {
        /// Step-1 probes (see [`search_start`]).
        probes: u32,
    },
    /// History, `src` at most [`WINDOW_COPY_MAX`]: `history ++ src` has been copied into
    /// [`Tables::window`]; compress its bytes from `history.len()` on as a block whose prefix
    /// is the history. `window[0]` has virtual index `start - history.len()`.
    Window {
        /// Virtual index of `src[0]`.
        start: u32,
    },
    /// History and a longer `src`, read as two slices: `src[0]` has virtual index `start`,
    /// history occupies `start - history.len() .. start`.
    Split {
        /// Virtual index of `src[0]`.
        start: u32,
    },
}

/// The match finder's state, kept across blocks by a compressor.
///
/// Table entries are *virtual indices*: positions in the concatenation of all the input seen
/// since the table was last rebuilt. A block's `history` and `src` occupy a contiguous range of
/// that space; entries outside it are ignored, entries inside it are mapped back to bytes of the
/// current `history`/`src` and every candidate is verified by comparing bytes, so a stale table
/// (history that is not really the previous input) can cost ratio but never correctness.
pub(crate) struct Tables {
    /// Low 16 bits of virtual indices, hashed with [`hash6`].
    pub(crate) tr: Box<RelTable>,
    /// `history ++ src` for [`Plan::Window`] (allocated on first use).
    pub(crate) window: Vec<u8>,
    /// Virtual index just after the previous `src` (valid when `indexed > 0`).
    next: u32,
    /// Bytes before `next` that `tr` describes (previous history + previous src); 0 = none.
    indexed: usize,
    /// The last bytes of the previous `src`, to recognise it as the next block's history.
    tail: [u8; 16],
    tail_len: usize,
}

impl Tables {
    pub(crate) fn new() -> Tables {
        Tables {
            tr: Box::new(RelTable([0; TABLE_REL_SIZE])),
            window: Vec::new(),
            next: 0,
            indexed: 0,
            tail: [0; 16],
            tail_len: 0,
        }
    }

    /// Plans a block `src` after `history` (already cut to the last
    /// [`lz4framed_core::WINDOW_SIZE`] bytes): resets or reloads the table as needed, records the
    /// new position and, for [`Plan::Window`], fills [`Tables::window`].
    pub(crate) fn prepare(&mut self, src: &[u8], history: &[u8]) -> Plan {
        let hlen = history.len();
        let plan = if hlen == 0 {
            self.tr.0.fill(0);
            Plan::Alone {
                probes: if src.len() < LIMIT_64K {
                    SMALL_STEP1_PROBES
                } else {
                    LEVEL1_STEP1_PROBES
                },
            }
        } else {
            let tl = self.tail_len.min(hlen);
            let continuous = self.indexed >= hlen
                && self.next < INDEX_LIMIT
                && history[hlen - tl..] == self.tail[self.tail_len - tl..self.tail_len];
            let start = if continuous {
                self.next
            } else {
                self.tr.0.fill(0);
                // Like LZ4_loadDict: every third position of the history.
                if hlen >= 8 {
                    let mut p = 0;
                    while p + 8 <= hlen {
                        self.tr.0[hash6(read_u64(history, p))] = (RELOAD_BASE + p as u32) as u16;
                        p += 3;
                    }
                }
                RELOAD_BASE + hlen as u32
            };
            if src.len() <= WINDOW_COPY_MAX {
                self.window.clear();
                self.window.extend_from_slice(history);
                self.window.extend_from_slice(src);
                Plan::Window { start }
            } else {
                Plan::Split { start }
            }
        };
        let start = match plan {
            Plan::Alone { .. } => 0,
            Plan::Window { start } | Plan::Split { start } => start,
        };
        self.next = start + src.len() as u32;
        self.indexed = hlen + src.len();
        let tl = src.len().min(16);
        self.tail[..tl].copy_from_slice(&src[src.len() - tl..]);
        self.tail_len = tl;
        plan
    }
}

/// Writes the length-continuation bytes of a literal or match length `n` (already reduced by
/// 15): `n / 255` bytes of 255 and one byte `n % 255`. Returns the new output position.
#[inline(always)]
pub(crate) fn write_len(dst: &mut [u8], mut op: usize, mut n: usize) -> usize {
    while n >= 255 {
        dst[op] = 255;
        op += 1;
        n -= 255;
    }
    dst[op] = n as u8;
    op + 1
}
