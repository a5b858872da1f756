//! Constants, error reasons, hashing and the encoder's match-table state, shared by every kernel.
//!
//! Everything here is safe code. The kernels (the safe reference in `scalar` and the vectorized
//! ones built from `fast`) implement the same algorithm on top of it, so every kernel produces
//! the same bytes as every other. Every block uses the [`RelTable`]: for short blocks without
//! history hashed and searched as C's one-shot function does with its 16-bit table (about C's
//! output), otherwise with twice C's entries in the same memory and a shorter step-1 search
//! phase than C's (smaller than C's output on the Silesia files, and faster).

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
/// The reference's `LZ4_64Klimit`: blocks shorter than this without history are compressed
/// with the *small* match table (hashed over 4 bytes, [`SMALL_STEP1_PROBES`]), like C's
/// one-shot functions with their 16-bit table; longer ones, and blocks with history, with the
/// *large* one (hashed over 5 bytes, [`LEVEL1_STEP1_PROBES`]).
pub(crate) const LIMIT_64K: usize = 64 * 1024 + (MFLIMIT - 1);
/// Skip-step trigger of the match search (`LZ4_skipTrigger`).
pub(crate) const SKIP_TRIGGER: u32 = 6;
/// Largest acceleration (`LZ4_ACCELERATION_MAX`).
pub(crate) const ACCELERATION_MAX: i32 = 65537;

/// `log2` of the entry count of the match table ([`RelTable`]): 8192 16-bit entries in 16 KiB.
/// C's small table is the same; its large one (`LZ4_HASHLOG` 12) holds 4096 32-bit indices in
/// the same memory, so our large table has twice C's entries.
pub(crate) const HASH_LOG: u32 = 13;
/// Entries of the [`RelTable`].
pub(crate) const TABLE_REL_SIZE: usize = 1 << HASH_LOG;
/// At acceleration 1, with the large table, the match search probes this many positions one
/// byte apart before the step grows to 2 (C: `1 << SKIP_TRIGGER` = 64); then the step grows
/// every 64 probes as in C. Twice C's table entries find more matches than C's; probing fewer
/// positions gives part of that ratio back for speed. Measured against `LZ4_compress_default`
/// (the report's block compression, 4 MiB blocks of the Silesia files, both values' binaries
/// alternating, two runs each): 6 probes avx2 1.04 ×, sse2 1.03–1.04 ×, 3.4 % smaller than C in
/// total; 4 probes 1.06 ×, 1.05–1.06 ×, 3.2 % smaller, the worst inputs against `lz4 -1`
/// (target: +1 %) the report's ooffice at +0.56 % and the bench crate's 4 MiB executable shape
/// (`tests/ratio.rs`) at +0.74 % (+0.10 % with 6 probes). 2 probes take ooffice to +1.2 %; odd
/// counts are slower for their ratio (3 and 5 probes: mr at 0.95 × C instead of 1.15 ×).
pub(crate) const LEVEL1_STEP1_PROBES: u32 = 4;
/// [`LEVEL1_STEP1_PROBES`] for the small table: C's 64, so that small inputs come out as C's.
pub(crate) const SMALL_STEP1_PROBES: u32 = 64;

/// The match search's initial `searchMatchNb` (C: `acceleration << LZ4_skipTrigger`); the step
/// is `search >> SKIP_TRIGGER`, and `search` grows by one per probe. `probes`: the step-1 probes
/// at acceleration 1 ([`LEVEL1_STEP1_PROBES`] or [`SMALL_STEP1_PROBES`], at most 64); other
/// accelerations follow C's schedule.
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
/// [`hash`].
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

/// [`HASH_LOG`]-bit hash of the bytes at a position, read as `seq` (8 bytes, little-endian):
/// over 4 bytes for the small table (the reference's `LZ4_hash4`), over 5 for the large one
/// (`LZ4_hash5`), with the reference's multipliers.
#[inline(always)]
pub(crate) fn hash<const SMALL: bool>(seq: u64) -> usize {
    if SMALL {
        ((seq as u32).wrapping_mul(2_654_435_761) >> (32 - HASH_LOG)) as usize
    } else {
        ((seq << 24).wrapping_mul(889_523_592_379) >> (64 - HASH_LOG)) as usize
    }
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

/// A block to compress and its history (at most 64 KiB), as the frame layer hands them over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input<'a> {
    /// `src` after `history`, anywhere in memory.
    Separate { src: &'a [u8], history: &'a [u8] },
    /// `buf[hlen..]` after its history `buf[..hlen]`, in one slice
    /// (`BlockCompressor::compress_in_place`): compressed as the window itself, no copy.
    Joined { buf: &'a [u8], hlen: usize },
}

impl<'a> Input<'a> {
    /// The block and its history.
    pub(crate) fn parts(&self) -> (&'a [u8], &'a [u8]) {
        match *self {
            Input::Separate { src, history } => (src, history),
            Input::Joined { buf, hlen } => (&buf[hlen..], &buf[..hlen]),
        }
    }
}

/// How a block is to be compressed, decided by [`Tables::prepare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// No history: `src[0]` has virtual index 0.
    Alone {
        /// The small table (4-byte hash, [`SMALL_STEP1_PROBES`]) rather than the large one.
        small: bool,
    },
    /// History and `src` in one slice: the input's own ([`Input::Joined`]), or, for `src` at
    /// most [`WINDOW_COPY_MAX`], `history ++ src` copied into [`Tables::window`]; compress its
    /// bytes from `history.len()` on as a block whose prefix is the history. The slice's first
    /// byte has virtual index `start - history.len()`.
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
    /// Low 16 bits of virtual indices, hashed with [`hash`].
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
    /// The table holds the small table's hashes (of the previous block).
    small: bool,
    /// The current frame's blocks are linked ([`Tables::begin_frame`]).
    linked: bool,
    /// The current frame's maximum block size in bytes.
    block_size: usize,
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
            small: false,
            linked: false,
            block_size: usize::MAX,
        }
    }

    /// The frame's block size and mode (`BlockCompressor::begin_frame`).
    pub(crate) fn begin_frame(&mut self, block_size: usize, linked: bool) {
        self.block_size = block_size;
        self.linked = linked;
    }

    /// Plans a block `src` after `history` (already cut to the last
    /// [`lz4framed_core::WINDOW_SIZE`] bytes): resets or reloads the table as needed, records the
    /// new position and, for [`Plan::Window`] of separate slices, fills [`Tables::window`].
    /// `joined`: `history` and `src` are one slice already ([`Input::Joined`]).
    pub(crate) fn prepare(&mut self, src: &[u8], history: &[u8], joined: bool) -> Plan {
        let hlen = history.len();
        let plan = if hlen == 0 {
            self.tr.0.fill(0);
            // The small table where C's frame API uses its one-shot function's 16-bit table:
            // below LIMIT_64K, for an independent block or a frame of one block (not the first
            // block of a linked frame, which C compresses with its streaming function).
            let small = src.len() < LIMIT_64K && (!self.linked || src.len() < self.block_size);
            Plan::Alone { small }
        } else {
            let tl = self.tail_len.min(hlen);
            let continuous = !self.small
                && self.indexed >= hlen
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
                        self.tr.0[hash::<false>(read_u64(history, p))] =
                            (RELOAD_BASE + p as u32) as u16;
                        p += 3;
                    }
                }
                RELOAD_BASE + hlen as u32
            };
            if joined {
                Plan::Window { start }
            } else if src.len() <= WINDOW_COPY_MAX {
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
        self.small = matches!(plan, Plan::Alone { small: true });
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
