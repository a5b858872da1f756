//! lz4framed block backend over the C reference library (LZ4 1.10, linked through `lz4-sys`).
//!
//! [`CODEC`] implements [`BlockCodec`] with the C library's streaming block API, so linked blocks
//! use their history without copying it:
//!
//! * decompression calls `LZ4_decompress_safe_usingDict`, which takes the fast prefix path when
//!   `history` lies directly before `dst` in memory;
//! * compression keeps an `LZ4_stream_t` (fast levels) or `LZ4_streamHC_t` (HC levels) per
//!   [`BlockCompressor`] and calls the C library as its frame API (`LZ4F`, which the `lz4` tool
//!   uses) does, so that a frame comes out byte-identical to `LZ4F`'s with the same settings:
//!   a block without history in an independent frame, or in a frame of one block, goes to the
//!   one-shot function (`LZ4_compress_fast_extState_fastReset`, whose match table for inputs
//!   below 64 KiB + 11 bytes is the 16-bit one hashed over 4 bytes;
//!   `LZ4_compress_HC_extStateHC_fastReset`); linked blocks go to the streaming functions
//!   (`LZ4_compress_fast_continue`, `LZ4_compress_HC_continue`). When a call's `history` is the
//!   memory the previous call's `history ++ src` ended in, and `src` follows it directly, the
//!   stream is continued as is (LZ4 then matches into the prefix without reloading anything);
//!   otherwise `history` is (re)loaded as the dictionary. The frame layer tells the block mode
//!   and size through [`BlockCompressor::begin_frame`]; without it, blocks are taken as
//!   independent.
//!
//! Levels: `-65537..=-1` fast mode with acceleration `-level`; `0` and `1` the default fast mode;
//! `2..=12` the LZ4 HC levels of the same number (2 is LZ4 1.10's "lz4mid").
//!
//! The [`frame`] module wraps the C frame API (`LZ4F_*`) safely; the rest of the workspace uses
//! it as the reference oracle in tests, benchmarks and fuzzers. The [`raw`] module calls the bare
//! block functions (`LZ4_compress_default`, `LZ4_compress_HC`, `LZ4_decompress_safe`) as a user
//! would: the anchors of the benchmarks.
#![warn(missing_docs)]

use std::ffi::{c_char, c_int};
use std::ops::RangeInclusive;
use std::ptr::NonNull;

use lz4framed_core::block_rules::{find_zero_offset_before, validate_block};
use lz4framed_core::{AppendHistory, BlockCodec, BlockCompressor, BlockError, Error, WINDOW_SIZE};

pub mod frame;
pub mod raw;

mod ffi {
    //! The block-API functions lz4-sys does not declare. The C objects (lz4.c, lz4hc.c,
    //! lz4frame.c) are compiled and linked by lz4-sys.
    use std::ffi::{c_char, c_int};

    /// `LZ4_stream_t` (opaque here; created and freed by the C library).
    #[repr(C)]
    pub struct Lz4Stream {
        _private: [u8; 0],
    }

    /// `LZ4_streamHC_t` (opaque here; created and freed by the C library).
    #[repr(C)]
    pub struct Lz4StreamHc {
        _private: [u8; 0],
    }

    extern "C" {
        pub fn LZ4_createStream() -> *mut Lz4Stream;
        pub fn LZ4_freeStream(stream: *mut Lz4Stream) -> c_int;
        pub fn LZ4_resetStream_fast(stream: *mut Lz4Stream);
        pub fn LZ4_loadDict(stream: *mut Lz4Stream, dict: *const c_char, dict_size: c_int)
            -> c_int;
        pub fn LZ4_compress_fast_continue(
            stream: *mut Lz4Stream,
            src: *const c_char,
            dst: *mut c_char,
            src_size: c_int,
            dst_capacity: c_int,
            acceleration: c_int,
        ) -> c_int;

        pub fn LZ4_compress_fast_extState_fastReset(
            state: *mut Lz4Stream,
            src: *const c_char,
            dst: *mut c_char,
            src_size: c_int,
            dst_capacity: c_int,
            acceleration: c_int,
        ) -> c_int;

        pub fn LZ4_createStreamHC() -> *mut Lz4StreamHc;
        pub fn LZ4_freeStreamHC(stream: *mut Lz4StreamHc) -> c_int;
        pub fn LZ4_resetStreamHC_fast(stream: *mut Lz4StreamHc, level: c_int);
        pub fn LZ4_loadDictHC(
            stream: *mut Lz4StreamHc,
            dict: *const c_char,
            dict_size: c_int,
        ) -> c_int;
        pub fn LZ4_compress_HC_extStateHC_fastReset(
            state: *mut Lz4StreamHc,
            src: *const c_char,
            dst: *mut c_char,
            src_size: c_int,
            dst_capacity: c_int,
            level: c_int,
        ) -> c_int;
        pub fn LZ4_compress_HC_continue(
            stream: *mut Lz4StreamHc,
            src: *const c_char,
            dst: *mut c_char,
            src_size: c_int,
            dst_capacity: c_int,
        ) -> c_int;

        pub fn LZ4_decompress_safe_partial_usingDict(
            src: *const c_char,
            dst: *mut c_char,
            src_size: c_int,
            target_output_size: c_int,
            dst_capacity: c_int,
            dict_start: *const c_char,
            dict_size: c_int,
        ) -> c_int;

        pub fn LZ4_decompress_safe_usingDict(
            src: *const c_char,
            dst: *mut c_char,
            src_size: c_int,
            dst_capacity: c_int,
            dict_start: *const c_char,
            dict_size: c_int,
        ) -> c_int;
    }
}

/// The lowest level: fast mode with the C library's maximum acceleration (`LZ4_ACCELERATION_MAX`).
pub const MIN_LEVEL: i32 = -65537;
/// The highest level: LZ4 HC level 12 (`LZ4HC_CLEVEL_MAX`, the optimal parser).
pub const MAX_LEVEL: i32 = 12;

/// The C reference codec (LZ4 1.10 via lz4-sys). Use the static [`CODEC`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CCodec;

/// The C reference codec, name `"c"`, levels [`MIN_LEVEL`]`..=`[`MAX_LEVEL`].
pub static CODEC: CCodec = CCodec;

fn registered() -> Result<&'static dyn BlockCodec, &'static str> {
    Ok(&CODEC)
}

fn encode_rank() -> u8 {
    1
}

// The reference: `Auto` decodes with it after simd, and compresses with it where simd has only
// its scalar kernel.
inventory::submit! {
    lz4framed_core::registry::CodecEntry {
        backend: lz4framed_core::Backend::C,
        codec: registered,
        decode_rank: 1,
        encode_rank,
    }
}

/// The last `WINDOW_SIZE` bytes of `history`: no match can reach further back.
fn window(history: &[u8]) -> &[u8] {
    &history[history.len().saturating_sub(WINDOW_SIZE)..]
}

impl BlockCodec for CCodec {
    fn name(&self) -> &'static str {
        "c"
    }

    fn levels(&self) -> RangeInclusive<i32> {
        MIN_LEVEL..=MAX_LEVEL
    }

    fn compressor(&self, level: i32) -> Result<Box<dyn BlockCompressor>, Error> {
        Ok(Box::new(CCompressor::new(level)?))
    }

    /// Decodes with `LZ4_decompress_safe_usingDict`. The C decoder does not tell a block that
    /// overruns `dst` from other malformed blocks: both are [`BlockError::Corrupt`] with the
    /// offset in `src` where it stopped. An empty `src` is corrupt (a block has at least a token).
    fn decompress(&self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Result<usize, BlockError> {
        decode(src, history, dst, None)
    }

    /// Decodes with `LZ4_decompress_safe_partial_usingDict`, which stops once `want` bytes are
    /// out (or at the end of the block).
    fn decompress_prefix(
        &self,
        src: &[u8],
        history: &[u8],
        dst: &mut [u8],
        want: usize,
    ) -> Result<usize, BlockError> {
        decode(src, history, dst, Some(want))
    }

    /// Decodes straight into `out`'s spare capacity (the C decoder takes a raw destination; no
    /// byte is initialised first). With the history in `out`, history and destination are
    /// adjacent, so the C library takes its prefix mode, as for
    /// [`decompress_in_place`](Self::decompress_in_place).
    fn decompress_append(
        &self,
        src: &[u8],
        history: AppendHistory<'_>,
        out: &mut Vec<u8>,
        capacity: usize,
        want: Option<usize>,
    ) -> Result<usize, BlockError> {
        let len = out.len();
        history.assert_within(len);
        out.reserve(capacity);
        let base = out.as_mut_ptr();
        let history = match history {
            // SAFETY: `out[from..len]` is initialized and stays unwritten below (the decoder
            // writes from `len` on); `out` is borrowed mutably for the whole call.
            AppendHistory::InVec { from } => unsafe {
                std::slice::from_raw_parts(base.add(from), len - from)
            },
            AppendHistory::Separate(h) => h,
        };
        // SAFETY: after `reserve`, `len .. len + capacity` of the allocation is valid for
        // writes, disjoint from `history` (before it in `out`, or outside `out`), and nothing
        // else uses `out` meanwhile.
        let n = unsafe { decode_raw(src, history, base.add(len), capacity, want) }?;
        // SAFETY: the C decoder wrote (initialized) the `n <= capacity` bytes after `len` (it
        // returns the bytes it wrote, never more than the capacity).
        unsafe { out.set_len(len + n) };
        Ok(n)
    }
}

/// Decode `src` into `dst` with the C library: the whole block, or (`Some(want)`) at least its
/// first `want` bytes.
fn decode(
    src: &[u8],
    history: &[u8],
    dst: &mut [u8],
    want: Option<usize>,
) -> Result<usize, BlockError> {
    // SAFETY: `dst` is a unique borrow, writable for its length, and cannot overlap `history`.
    unsafe { decode_raw(src, history, dst.as_mut_ptr(), dst.len(), want) }
}

/// [`decode`] into `dst_len` bytes at `dst`, which may be uninitialized; the bytes written
/// (the returned count on success) are initialized, others are left alone or hold bytes the
/// C decoder wrote before it failed.
///
/// # Safety
///
/// `dst .. dst + dst_len` is valid for writes, disjoint from `src` and `history`, and not
/// used by anything else during the call.
unsafe fn decode_raw(
    src: &[u8],
    history: &[u8],
    dst: *mut u8,
    dst_len: usize,
    want: Option<usize>,
) -> Result<usize, BlockError> {
    let history = window(history);
    let src_size = c_int::try_from(src.len()).map_err(|_| BlockError::Corrupt { at: None })?;
    // A block never decodes to more than i32::MAX bytes, so capping the capacity loses nothing.
    let dst_capacity = c_int::try_from(dst_len).unwrap_or(c_int::MAX);
    // At most WINDOW_SIZE, so it fits.
    let dict_size = history.len() as c_int;
    let ret = match want {
        // SAFETY: `src` is readable for `src_size` bytes, `dst` writable for `dst_capacity`
        // (<= dst_len) bytes (the caller's guarantee) and `history` readable for `dict_size`
        // bytes; `src` and `history` are live borrows for the whole call, and `dst` overlaps
        // neither (the caller's guarantee). The safe decoder never reads past `src + src_size`
        // or before `history`, and never writes past `dst + dst_capacity` — it returns a
        // negative value instead. It reads `dst` only where it wrote (or, for a match offset
        // of 0, rejected below, the byte it is about to write: uninitialized memory read by C
        // code, never handed to Rust as a value).
        None => unsafe {
            ffi::LZ4_decompress_safe_usingDict(
                src.as_ptr().cast::<c_char>(),
                dst.cast::<c_char>(),
                src_size,
                dst_capacity,
                history.as_ptr().cast::<c_char>(),
                dict_size,
            )
        },
        // SAFETY: as above; the target is capped at the capacity, as the function requires.
        Some(want) => unsafe {
            ffi::LZ4_decompress_safe_partial_usingDict(
                src.as_ptr().cast::<c_char>(),
                dst.cast::<c_char>(),
                src_size,
                c_int::try_from(want)
                    .unwrap_or(c_int::MAX)
                    .min(dst_capacity),
                dst_capacity,
                history.as_ptr().cast::<c_char>(),
                dict_size,
            )
        },
    };
    if ret >= 0 && want.is_none() && !history.is_empty() {
        // With history the C decoder draws the line by where the history lies: directly
        // before `dst` (two halves of one buffer: its prefix mode) it accepts a match from the
        // history that ends in the last 5 bytes of the destination, which it refuses when the
        // history lies elsewhere (its external-dictionary mode). The contract says a decoder
        // gives the same result either way: the rules of the external-dictionary mode (and
        // the refusal of offset 0) are applied here by a walk of the sequences.
        validate_block(src, history.len(), dst_len)
    } else if ret >= 0 {
        // LZ4 1.10's decoder accepts a match offset of 0 (it copies bytes of `dst` that it did
        // not write); the contract requires an error, so look for one in the part decoded.
        match find_zero_offset_before(src, ret as usize) {
            None => Ok(ret as usize),
            Some(at) => Err(BlockError::Corrupt { at: Some(at) }),
        }
    } else {
        // LZ4 1.10 returns `-(ip - src) - 1`: the offset in `src` where decoding stopped.
        let at = (-(ret as i64) - 1) as usize;
        Err(BlockError::Corrupt {
            at: (at <= src.len()).then_some(at),
        })
    }
}

/// Inputs this long are certainly searched by the C compressors (their minimum is 13 bytes),
/// so after compressing one the stream has indexed every position before it.
const SEARCH_MIN: usize = 64;

/// The C stream state of one compressor.
enum Stream {
    /// `LZ4_stream_t`, fast mode with this acceleration (>= 1).
    Fast {
        state: NonNull<ffi::Lz4Stream>,
        acceleration: c_int,
    },
    /// `LZ4_streamHC_t` at this HC level (2..=12).
    Hc {
        state: NonNull<ffi::Lz4StreamHc>,
        level: c_int,
    },
}

/// What the C stream remembers about the memory it may still match into, from the previous call.
/// Only addresses are compared; no pointer is ever dereferenced from here.
#[derive(Debug, Clone, Copy)]
struct Continuity {
    /// Start of the contiguous region that the stream treats as its prefix (`history` if it
    /// ended where `src` began when the stream was (re)loaded, else `src`).
    prefix_start: usize,
    /// Lowest address the stream may still read on its next call outside of match references:
    /// LZ4 HC indexes, at its first search, every position since the last one it indexed —
    /// the start of the last `src` it searched in (a `src` shorter than [`SEARCH_MIN`] is not
    /// searched), or the dictionary. Tracked for both modes, conservatively.
    floor: usize,
    /// End of the previous call's `src`: where the next `src` must begin.
    prev_end: usize,
    /// Bytes of logical history the stream knows (dictionary + every `src` since the (re)load),
    /// saturating. An upper bound on how far back the stream can reference.
    known: usize,
}

/// A C block compressor with its stream state. Made by [`CCodec`]'s `compressor`; one per
/// stream of blocks.
pub struct CCompressor {
    stream: Stream,
    /// `None` when the stream must be reset or reloaded before the next block (fresh, after a
    /// one-shot call, or after a failed call, whose stream state the C library leaves
    /// undefined).
    continuity: Option<Continuity>,
    /// The current frame's blocks are linked (told by [`BlockCompressor::begin_frame`]).
    linked: bool,
    /// The current frame's maximum block size in bytes.
    block_size: usize,
}

// SAFETY: the C stream states are plain heap memory owned exclusively by this value (no thread
// affinity, no thread-local data, never shared); they are only touched through `&mut self`.
unsafe impl Send for CCompressor {}

impl std::fmt::Debug for CCompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (mode, param) = match self.stream {
            Stream::Fast { acceleration, .. } => ("fast", acceleration),
            Stream::Hc { level, .. } => ("hc", level),
        };
        f.debug_struct("CCompressor")
            .field("mode", &mode)
            .field("param", &param)
            .field("continuity", &self.continuity)
            .finish()
    }
}

impl CCompressor {
    /// A compressor for `level` ([`MIN_LEVEL`]`..=`[`MAX_LEVEL`]), or
    /// [`Error::UnsupportedLevel`].
    pub fn new(level: i32) -> Result<Self, Error> {
        if !(MIN_LEVEL..=MAX_LEVEL).contains(&level) {
            return Err(Error::UnsupportedLevel {
                backend: "c",
                level,
            });
        }
        let stream = if level >= 2 {
            // SAFETY: no precondition; returns an initialized state or NULL on allocation failure.
            let raw = unsafe { ffi::LZ4_createStreamHC() };
            let state = NonNull::new(raw).expect("LZ4_createStreamHC: out of memory");
            Stream::Hc { state, level }
        } else {
            // SAFETY: no precondition; returns an initialized state or NULL on allocation failure.
            let raw = unsafe { ffi::LZ4_createStream() };
            let state = NonNull::new(raw).expect("LZ4_createStream: out of memory");
            Stream::Fast {
                state,
                acceleration: if level < 1 { (-level).max(1) } else { 1 },
            }
        };
        Ok(CCompressor {
            stream,
            continuity: None,
            linked: false,
            block_size: usize::MAX,
        })
    }

    /// Whether the stream may go on from where the previous call left it: `history` ends where
    /// `src` begins, which is where the previous `src` ended; `history` lies inside the stream's
    /// prefix, reaches back to the stream's `floor` (LZ4 HC still indexes positions of the
    /// previous block, possibly more than 64 KiB back) and covers everything the stream could
    /// reference by a match (`min(known, 64 KiB)` bytes before `src`).
    fn can_continue(&self, src: &[u8], history: &[u8]) -> bool {
        let Some(c) = self.continuity else {
            return false;
        };
        let h_start = history.as_ptr() as usize;
        let h_end = h_start + history.len();
        !history.is_empty()
            && h_end == src.as_ptr() as usize
            && h_end == c.prev_end
            && h_start >= c.prefix_start
            && h_start <= c.floor
            && history.len() >= c.known.min(WINDOW_SIZE)
    }

    /// Resets the stream and loads `history` (possibly empty) as its dictionary.
    fn reload(&mut self, history: &[u8]) {
        let dict_size = history.len() as c_int; // <= WINDOW_SIZE
        match self.stream {
            Stream::Fast { state, .. } => {
                if history.is_empty() {
                    // SAFETY: `state` is a live state made by LZ4_createStream (initialized).
                    unsafe { ffi::LZ4_resetStream_fast(state.as_ptr()) };
                } else {
                    // SAFETY: `state` is live; `history` is readable for `dict_size` bytes. The
                    // stream keeps a pointer to it, which is only used again by the following
                    // compress call of this same `compress` (while `history` is borrowed) or by a
                    // continued call, which `can_continue` admits only when the referenced bytes
                    // lie inside that call's `history`.
                    unsafe {
                        ffi::LZ4_loadDict(state.as_ptr(), history.as_ptr().cast(), dict_size)
                    };
                }
            }
            Stream::Hc { state, level } => {
                // SAFETY: `state` is a live state made by LZ4_createStreamHC (initialized), as
                // LZ4_resetStreamHC_fast requires; the level is set before loading the dictionary.
                unsafe { ffi::LZ4_resetStreamHC_fast(state.as_ptr(), level) };
                if !history.is_empty() {
                    // SAFETY: as for LZ4_loadDict above.
                    unsafe {
                        ffi::LZ4_loadDictHC(state.as_ptr(), history.as_ptr().cast(), dict_size)
                    };
                }
            }
        }
    }
}

impl BlockCompressor for CCompressor {
    fn compress(&mut self, src: &[u8], history: &[u8], dst: &mut [u8]) -> Option<usize> {
        if src.is_empty() {
            // The empty block is one token with no literals. Handled here: an empty slice's
            // pointer is dangling, and LZ4 HC's optimal parser (levels 10..=12) does pointer
            // arithmetic on it that wraps around. The stream is left untouched (it would append
            // nothing), so continuation still works across an empty block.
            *dst.first_mut()? = 0;
            return Some(1);
        }
        let history = window(history);
        let Ok(src_size) = c_int::try_from(src.len()) else {
            self.continuity = None;
            return None;
        };
        let dst_capacity = c_int::try_from(dst.len()).unwrap_or(c_int::MAX);

        if history.is_empty() && (!self.linked || src.len() < self.block_size) {
            // An independent block, or a frame of one block: the one-shot functions, as
            // `LZ4F_compressBlock` / `LZ4F_compressBlockHC` (and `LZ4F_compressFrame`, which
            // writes a frame of one block as independent) call them. Below 64 KiB + 11 bytes
            // the fast one uses a 16-bit table of 8192 entries hashed over 4 bytes, which
            // `LZ4_compress_fast_continue` never does: on numeric text up to 15 % smaller.
            // The stream is left in a state the next call must reset or reload.
            self.continuity = None;
            let ret = self.compress_one_shot(src, dst, src_size, dst_capacity);
            return (ret > 0).then_some(ret as usize);
        }

        let continuity = if self.can_continue(src, history) {
            let c = self.continuity.expect("checked by can_continue");
            Continuity {
                known: c.known.saturating_add(src.len()),
                ..c
            }
        } else {
            self.reload(history);
            let contiguous = history.as_ptr() as usize + history.len() == src.as_ptr() as usize;
            let prefix_start = if contiguous && !history.is_empty() {
                history.as_ptr() as usize
            } else {
                src.as_ptr() as usize
            };
            Continuity {
                prefix_start,
                floor: prefix_start,
                prev_end: 0,
                known: history.len().saturating_add(src.len()),
            }
        };
        // Until this call succeeds the stream state is undefined for the next call.
        self.continuity = None;

        let ret = match self.stream {
            Stream::Fast {
                state,
                acceleration,
            } => {
                // SAFETY: `state` is live and was reset/loaded above, or continues a stream whose
                // referenced bytes (at most `min(known, 64 KiB)` before `src`) lie inside
                // `history` (checked by `can_continue`), which is borrowed for this call. `src` is
                // readable for `src_size` bytes, `dst` writable for `dst_capacity` (<= dst.len())
                // bytes; the C function writes at most `dst_capacity` bytes and returns 0 when
                // they do not suffice.
                unsafe {
                    ffi::LZ4_compress_fast_continue(
                        state.as_ptr(),
                        src.as_ptr().cast(),
                        dst.as_mut_ptr().cast(),
                        src_size,
                        dst_capacity,
                        acceleration,
                    )
                }
            }
            Stream::Hc { state, .. } => {
                // SAFETY: as for the fast stream; LZ4 HC additionally indexes positions from
                // `floor` onwards, which `can_continue` also requires to lie inside `history`.
                unsafe {
                    ffi::LZ4_compress_HC_continue(
                        state.as_ptr(),
                        src.as_ptr().cast(),
                        dst.as_mut_ptr().cast(),
                        src_size,
                        dst_capacity,
                    )
                }
            }
        };
        if ret <= 0 {
            return None;
        }
        let src_start = src.as_ptr() as usize;
        self.continuity = Some(Continuity {
            floor: if src.len() >= SEARCH_MIN {
                src_start
            } else {
                continuity.floor
            },
            prev_end: src_start + src.len(),
            ..continuity
        });
        Some(ret as usize)
    }

    fn begin_frame(&mut self, block_size: usize, linked: bool) {
        self.block_size = block_size;
        self.linked = linked;
    }
}

impl CCompressor {
    /// Compresses `src` without history with the one-shot function of the stream's mode
    /// (`LZ4_compress_fast_extState_fastReset`, `LZ4_compress_HC_extStateHC_fastReset`, which
    /// `LZ4_compress_default` / `LZ4_compress_HC` also end in). Returns the C function's result
    /// (0 when `dst` is too small).
    fn compress_one_shot(
        &mut self,
        src: &[u8],
        dst: &mut [u8],
        src_size: c_int,
        dst_capacity: c_int,
    ) -> c_int {
        match self.stream {
            Stream::Fast {
                state,
                acceleration,
            } => {
                // SAFETY: `state` is live and correctly initialized (made by LZ4_createStream
                // and since then only used by the C library's compression functions, which
                // leave it so, also after a call that did not fit: `LZ4F` reuses its state the
                // same way), as the fast-reset variant requires.
                // `src` is readable for `src_size` bytes, `dst` writable for `dst_capacity`
                // (<= dst.len()) bytes; the function writes at most that and keeps no pointer
                // to either that a later call uses (the next call resets or reloads the
                // stream).
                unsafe {
                    ffi::LZ4_compress_fast_extState_fastReset(
                        state.as_ptr(),
                        src.as_ptr().cast(),
                        dst.as_mut_ptr().cast(),
                        src_size,
                        dst_capacity,
                        acceleration,
                    )
                }
            }
            Stream::Hc { state, level } => {
                // SAFETY: as above, for the HC state made by LZ4_createStreamHC.
                unsafe {
                    ffi::LZ4_compress_HC_extStateHC_fastReset(
                        state.as_ptr(),
                        src.as_ptr().cast(),
                        dst.as_mut_ptr().cast(),
                        src_size,
                        dst_capacity,
                        level,
                    )
                }
            }
        }
    }
}

impl Drop for CCompressor {
    fn drop(&mut self) {
        match self.stream {
            // SAFETY: `state` came from LZ4_createStream and is freed exactly once, here.
            Stream::Fast { state, .. } => unsafe {
                ffi::LZ4_freeStream(state.as_ptr());
            },
            // SAFETY: `state` came from LZ4_createStreamHC and is freed exactly once, here.
            Stream::Hc { state, .. } => unsafe {
                ffi::LZ4_freeStreamHC(state.as_ptr());
            },
        }
    }
}

/// The C library's version number (`LZ4_versionNumber`, e.g. `11000` for 1.10.0).
pub fn lz4_version() -> i32 {
    // SAFETY: no preconditions; returns a constant.
    unsafe { lz4_sys::LZ4_versionNumber() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks without history are compressed as `LZ4F` compresses them: the one-shot function
    /// for independent blocks and frames of one block (same bytes as `LZ4_compress_default` /
    /// `LZ4_compress_HC`), the streaming one for the first block of a linked frame.
    #[test]
    fn blocks_without_history_as_lz4f() {
        // Numbers, which the one-shot function's 16-bit table compresses much better below
        // 64 KiB + 11 bytes.
        let data: Vec<u8> = (1..30_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let block = &data[..65536];
        let mut want = vec![0; lz4framed_core::compress_bound(65536)];
        let mut got = want.clone();
        for level in [1, 9] {
            let n = if level == 1 {
                raw::compress_default(block, &mut want).unwrap()
            } else {
                raw::compress_hc(block, &mut want, level).unwrap()
            };
            let mut c = CCompressor::new(level).unwrap();
            // Default (independent), an independent frame, a frame of one 4 MiB block.
            for mode in [None, Some((65536, false)), Some((4 << 20, true))] {
                if let Some((size, linked)) = mode {
                    c.begin_frame(size, linked);
                }
                assert_eq!(
                    c.compress(block, &[], &mut got),
                    Some(n),
                    "{level} {mode:?}"
                );
                assert_eq!(got[..n], want[..n]);
            }
            // The first full block of a linked frame: the streaming function.
            c.begin_frame(65536, true);
            let linked = c.compress(block, &[], &mut got).unwrap();
            if level == 1 {
                assert!(linked > n + n / 20, "{linked} vs {n}");
            }
            // Continued by the next block, which only the streaming state allows.
            assert!(c.can_continue(&data[65536..131072], block));
        }
    }

    /// The continuation path is taken for a linked stream laid out in one buffer, and not for
    /// layouts it cannot be proven safe for.
    #[test]
    fn continuation_is_taken_only_when_safe() {
        let data: Vec<u8> = (0..6 * 65536u32).map(|i| (i * 7 / 13) as u8).collect();
        for level in [1, 9] {
            let mut c = CCompressor::new(level).unwrap();
            c.begin_frame(65536, true);
            let mut dst = vec![0; lz4framed_core::compress_bound(65536)];
            let b = |i: usize| &data[i * 65536..(i + 1) * 65536];
            assert!(!c.can_continue(b(0), &[]));
            c.compress(b(0), &[], &mut dst).unwrap();
            // Next block with the previous one as history: continue.
            assert!(c.can_continue(b(1), b(0)));
            c.compress(b(1), b(0), &mut dst).unwrap();
            // A shorter history than the stream may reference: reload.
            assert!(!c.can_continue(b(2), &b(1)[1..]));
            // A copy of the history elsewhere: reload.
            let copy = b(1).to_vec();
            assert!(!c.can_continue(b(2), &copy));
            // Skipping ahead: reload.
            assert!(!c.can_continue(b(3), b(2)));
            assert!(c.can_continue(b(2), b(1)));
            // A failed call invalidates the stream.
            let mut tiny = [0u8; 4];
            assert_eq!(c.compress(b(2), b(1), &mut tiny), None);
            assert!(!c.can_continue(b(2), b(1)));
            c.compress(b(2), b(1), &mut dst).unwrap();
            assert!(c.can_continue(b(3), b(2)));
            // 128 KiB blocks with 64 KiB history: the history does not reach back to the start
            // of the previous block (LZ4 HC may still index it), so reload.
            let src = &data[4 * 65536..];
            c.compress(
                &data[2 * 65536..4 * 65536],
                &data[65536..2 * 65536],
                &mut vec![0; 200_000],
            )
            .unwrap();
            assert!(!c.can_continue(src, &data[3 * 65536..4 * 65536]));
        }
    }
}
