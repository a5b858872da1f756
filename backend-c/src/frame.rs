//! Safe wrappers over the C frame API (`LZ4F_*` of LZ4 1.10): the reference oracle that tests,
//! benchmarks and fuzzers compare lz4framed's own frame layer against.
//!
//! * [`compress_frame`] writes one frame with exactly the requested options
//!   (`LZ4F_compressBegin[_usingCDict]` / `LZ4F_compressUpdate` / `LZ4F_compressEnd`; unlike
//!   `LZ4F_compressFrame` it does not shrink the block size or unlink blocks for small inputs).
//! * [`decompress_frames`] decodes every concatenated frame (`LZ4F_decompress[_usingDict]`;
//!   skippable frames are skipped by the C library).

use std::ffi::{c_int, c_uint, c_ulonglong, c_void, CStr};
use std::ptr;

/// Frame options for [`compress_frame`], mirroring `LZ4F_preferences_t`.
#[derive(Debug, Clone, Copy)]
pub struct CFrameOptions<'a> {
    /// Compression level: negative = fast with acceleration `-level`, 0/1 = fast, 2..=12 = HC.
    pub level: i32,
    /// Block maximum size ID, 4..=7 (64 KiB, 256 KiB, 1 MiB, 4 MiB).
    pub block_size_id: u8,
    /// Linked blocks (each block may reference the previous 64 KiB) instead of independent ones.
    pub linked: bool,
    /// Append the XXH32 content checksum.
    pub content_checksum: bool,
    /// Append an XXH32 checksum to every block.
    pub block_checksum: bool,
    /// Write the content size in the header. LZ4F cannot express a content size of 0 (0 means
    /// "unknown"), so for empty input the field is left out.
    pub content_size: bool,
    /// Dictionary bytes (the last 64 KiB are used), if any.
    pub dict: Option<&'a [u8]>,
    /// Dictionary ID written in the header; 0 = none.
    pub dict_id: u32,
}

impl Default for CFrameOptions<'_> {
    /// The reference library's defaults: level 0 (fast), 64 KiB linked blocks, no checksums,
    /// no content size, no dictionary.
    fn default() -> Self {
        CFrameOptions {
            level: 0,
            block_size_id: 4,
            linked: true,
            content_checksum: false,
            block_checksum: false,
            content_size: false,
            dict: None,
            dict_id: 0,
        }
    }
}

/// Total decompressed output [`decompress_frames`] produces before giving up.
pub const MAX_DECOMPRESSED: usize = 1 << 30;

mod ffi {
    //! LZ4F declarations with `int` compression level (lz4-sys declares it unsigned) and the
    //! dictionary functions of LZ4 1.10 that lz4-sys does not declare.
    use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void};

    #[repr(C)]
    pub struct FrameInfo {
        pub block_size_id: c_uint,
        pub block_mode: c_uint,
        pub content_checksum_flag: c_uint,
        pub frame_type: c_uint,
        pub content_size: c_ulonglong,
        pub dict_id: c_uint,
        pub block_checksum_flag: c_uint,
    }

    #[repr(C)]
    pub struct Preferences {
        pub frame_info: FrameInfo,
        pub compression_level: c_int,
        pub auto_flush: c_uint,
        pub favor_dec_speed: c_uint,
        pub reserved: [c_uint; 3],
    }

    /// `LZ4F_cctx`, `LZ4F_dctx`, `LZ4F_CDict` (opaque).
    #[repr(C)]
    pub struct Cctx {
        _private: [u8; 0],
    }
    /// `LZ4F_decompressOptions_t` of LZ4 1.10.
    #[repr(C)]
    pub struct DecompressOptions {
        pub stable_dst: c_uint,
        pub skip_checksums: c_uint,
        pub reserved1: c_uint,
        pub reserved0: c_uint,
    }

    #[repr(C)]
    pub struct Dctx {
        _private: [u8; 0],
    }
    #[repr(C)]
    pub struct CDict {
        _private: [u8; 0],
    }

    pub const VERSION: c_uint = 100;
    pub const HEADER_SIZE_MAX: usize = 19;

    extern "C" {
        pub fn LZ4F_isError(code: usize) -> c_uint;
        pub fn LZ4F_getErrorName(code: usize) -> *const c_char;
        pub fn LZ4F_createCompressionContext(cctx: *mut *mut Cctx, version: c_uint) -> usize;
        pub fn LZ4F_freeCompressionContext(cctx: *mut Cctx) -> usize;
        pub fn LZ4F_compressBound(src_size: usize, prefs: *const Preferences) -> usize;
        pub fn LZ4F_compressBegin(
            cctx: *mut Cctx,
            dst: *mut c_void,
            dst_capacity: usize,
            prefs: *const Preferences,
        ) -> usize;
        pub fn LZ4F_compressBegin_usingCDict(
            cctx: *mut Cctx,
            dst: *mut c_void,
            dst_capacity: usize,
            cdict: *const CDict,
            prefs: *const Preferences,
        ) -> usize;
        pub fn LZ4F_compressUpdate(
            cctx: *mut Cctx,
            dst: *mut c_void,
            dst_capacity: usize,
            src: *const c_void,
            src_size: usize,
            options: *const c_void,
        ) -> usize;
        pub fn LZ4F_compressEnd(
            cctx: *mut Cctx,
            dst: *mut c_void,
            dst_capacity: usize,
            options: *const c_void,
        ) -> usize;
        pub fn LZ4F_createCDict(dict: *const c_void, dict_size: usize) -> *mut CDict;
        pub fn LZ4F_freeCDict(cdict: *mut CDict);
        pub fn LZ4F_createDecompressionContext(dctx: *mut *mut Dctx, version: c_uint) -> usize;
        pub fn LZ4F_freeDecompressionContext(dctx: *mut Dctx) -> usize;
        pub fn LZ4F_decompress_usingDict(
            dctx: *mut Dctx,
            dst: *mut c_void,
            dst_size: *mut usize,
            src: *const c_void,
            src_size: *mut usize,
            dict: *const c_void,
            dict_size: usize,
            options: *const c_void,
        ) -> usize;
    }
}

/// `Err` with the C library's error name when `code` is an LZ4F error code.
fn check(code: usize, what: &str) -> Result<usize, String> {
    // SAFETY: LZ4F_isError only inspects the value.
    if unsafe { ffi::LZ4F_isError(code) } == 0 {
        return Ok(code);
    }
    // SAFETY: no precondition; returns a pointer to a static NUL-terminated string for any code.
    let name = unsafe { ffi::LZ4F_getErrorName(code) };
    // SAFETY: `name` is a valid, NUL-terminated string with static lifetime (see above).
    let name = unsafe { CStr::from_ptr(name) };
    Err(format!("{what}: {}", name.to_string_lossy()))
}

/// Owns an `LZ4F_cctx`.
struct Cctx(*mut ffi::Cctx);
impl Drop for Cctx {
    fn drop(&mut self) {
        // SAFETY: the pointer came from LZ4F_createCompressionContext and is freed once, here.
        unsafe { ffi::LZ4F_freeCompressionContext(self.0) };
    }
}

/// Owns an `LZ4F_CDict`.
struct CDict(*mut ffi::CDict);
impl Drop for CDict {
    fn drop(&mut self) {
        // SAFETY: the pointer came from LZ4F_createCDict and is freed once, here.
        unsafe { ffi::LZ4F_freeCDict(self.0) };
    }
}

/// Owns an `LZ4F_dctx`.
struct Dctx(*mut ffi::Dctx);
impl Drop for Dctx {
    fn drop(&mut self) {
        // SAFETY: the pointer came from LZ4F_createDecompressionContext and is freed once, here.
        unsafe { ffi::LZ4F_freeDecompressionContext(self.0) };
    }
}

/// Compresses `data` into one LZ4 frame with the C library.
///
/// # Panics
///
/// If `opts.block_size_id` is not in 4..=7, or if the C library fails (out of memory; it cannot
/// fail otherwise with the buffer sizes used here).
pub fn compress_frame(data: &[u8], opts: &CFrameOptions<'_>) -> Vec<u8> {
    try_compress_frame(data, opts).expect("LZ4F compression failed")
}

fn try_compress_frame(data: &[u8], opts: &CFrameOptions<'_>) -> Result<Vec<u8>, String> {
    assert!(
        (4..=7).contains(&opts.block_size_id),
        "block_size_id must be in 4..=7"
    );
    let prefs = ffi::Preferences {
        frame_info: ffi::FrameInfo {
            block_size_id: c_uint::from(opts.block_size_id),
            block_mode: c_uint::from(!opts.linked),
            content_checksum_flag: c_uint::from(opts.content_checksum),
            frame_type: 0,
            content_size: if opts.content_size {
                data.len() as c_ulonglong
            } else {
                0
            },
            dict_id: opts.dict_id,
            block_checksum_flag: c_uint::from(opts.block_checksum),
        },
        compression_level: opts.level as c_int,
        auto_flush: 0,
        favor_dec_speed: 0,
        reserved: [0; 3],
    };

    let mut raw = ptr::null_mut();
    // SAFETY: `raw` is a valid out-pointer; the context is owned by `cctx` below.
    let code = unsafe { ffi::LZ4F_createCompressionContext(&mut raw, ffi::VERSION) };
    check(code, "create cctx")?;
    let cctx = Cctx(raw);
    let cdict = match opts.dict {
        Some(dict) => {
            // SAFETY: `dict` is readable for its length; LZ4F_createCDict copies it.
            let p = unsafe { ffi::LZ4F_createCDict(dict.as_ptr().cast(), dict.len()) };
            if p.is_null() {
                return Err("LZ4F_createCDict failed".into());
            }
            Some(CDict(p))
        }
        None => None,
    };

    // SAFETY: `prefs` is a valid LZ4F_preferences_t; the function only reads it.
    let bound_data = unsafe { ffi::LZ4F_compressBound(data.len(), &prefs) };
    // SAFETY: as above.
    let bound_end = unsafe { ffi::LZ4F_compressBound(0, &prefs) };
    let capacity = ffi::HEADER_SIZE_MAX + bound_data + bound_end;
    let mut out = vec![0u8; capacity];
    let mut pos = 0;

    let rest = &mut out[pos..];
    let n = match &cdict {
        // SAFETY: `rest` is writable for its length (>= LZ4F_HEADER_SIZE_MAX); `cctx`, `cdict`
        // and `prefs` are live; the CDict outlives the whole session (dropped after `end`).
        Some(cd) => unsafe {
            ffi::LZ4F_compressBegin_usingCDict(
                cctx.0,
                rest.as_mut_ptr().cast(),
                rest.len(),
                cd.0,
                &prefs,
            )
        },
        // SAFETY: as above, without dictionary.
        None => unsafe {
            ffi::LZ4F_compressBegin(cctx.0, rest.as_mut_ptr().cast(), rest.len(), &prefs)
        },
    };
    pos += check(n, "LZ4F_compressBegin")?;

    let rest = &mut out[pos..];
    // SAFETY: `rest` is writable for its length, which is >= LZ4F_compressBound(data.len())
    // (the bound for one update call); `data` is readable for its length. NULL options = defaults.
    let n = unsafe {
        ffi::LZ4F_compressUpdate(
            cctx.0,
            rest.as_mut_ptr().cast(),
            rest.len(),
            data.as_ptr().cast(),
            data.len(),
            ptr::null(),
        )
    };
    pos += check(n, "LZ4F_compressUpdate")?;

    let rest = &mut out[pos..];
    // SAFETY: `rest` is writable for its length, >= LZ4F_compressBound(0) (the bound for end).
    let n =
        unsafe { ffi::LZ4F_compressEnd(cctx.0, rest.as_mut_ptr().cast(), rest.len(), ptr::null()) };
    pos += check(n, "LZ4F_compressEnd")?;
    drop(cctx);
    drop(cdict);

    out.truncate(pos);
    Ok(out)
}

/// Decodes every frame in `data` (concatenated LZ4 frames; skippable frames are skipped) with
/// the C library, using `dict` as the dictionary of each frame if given.
///
/// Returns `Err` with the C library's error name on any error, when `data` ends inside a
/// frame, or when the output would exceed [`MAX_DECOMPRESSED`] bytes; empty `data` is an empty
/// output.
pub fn decompress_frames(data: &[u8], dict: Option<&[u8]>) -> Result<Vec<u8>, String> {
    decompress_frames_with(data, dict, false)
}

/// Like [`decompress_frames`]; with `skip_checksums` the C library does not verify block and
/// content checksums (LZ4F's `skipChecksums` option; the header checksum is always checked).
pub fn decompress_frames_with(
    data: &[u8],
    dict: Option<&[u8]>,
    skip_checksums: bool,
) -> Result<Vec<u8>, String> {
    // No input is no frame: nothing to decode (LZ4F is never called; the lz4 tool decodes an
    // empty file to an empty output).
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let options = ffi::DecompressOptions {
        stable_dst: 0,
        skip_checksums: c_uint::from(skip_checksums),
        reserved1: 0,
        reserved0: 0,
    };
    const STEP: usize = 64 * 1024;
    let mut raw = ptr::null_mut();
    // SAFETY: `raw` is a valid out-pointer; the context is owned by `dctx` below.
    let code = unsafe { ffi::LZ4F_createDecompressionContext(&mut raw, ffi::VERSION) };
    check(code, "create dctx")?;
    let dctx = Dctx(raw);
    let (dict_ptr, dict_len) = match dict {
        Some(d) => (d.as_ptr(), d.len()),
        None => (ptr::null(), 0),
    };

    let mut out: Vec<u8> = Vec::new();
    let mut pos = 0;
    // The last hint: 0 once every frame so far is complete. An empty input gets a nonzero hint
    // (the header size), so it is an error: no frame.
    let mut hint;
    loop {
        if out.capacity() - out.len() < STEP {
            if out.len() >= MAX_DECOMPRESSED {
                return Err(format!("output exceeds {MAX_DECOMPRESSED} bytes"));
            }
            let want = out.capacity().max(STEP).min(MAX_DECOMPRESSED - out.len());
            out.reserve(want);
        }
        let limit = MAX_DECOMPRESSED - out.len();
        let spare = out.spare_capacity_mut();
        let spare_len = spare.len().min(limit);
        let mut dst_size = spare_len;
        let mut src_size = data.len() - pos;
        // SAFETY: `spare` is writable for `dst_size` bytes (the C library writes at most that,
        // and reports in `dst_size` how many it wrote); `data[pos..]` is readable for `src_size`
        // bytes; the dictionary (if any) stays borrowed for the whole decoding; `options` is a
        // valid LZ4F_decompressOptions_t living across the call (stableDst = 0: the C library
        // keeps its own copy of the history between calls, so `out` may move when it grows).
        let ret = unsafe {
            ffi::LZ4F_decompress_usingDict(
                dctx.0,
                spare.as_mut_ptr().cast::<c_void>(),
                &mut dst_size,
                data[pos..].as_ptr().cast(),
                &mut src_size,
                dict_ptr.cast(),
                dict_len,
                ptr::addr_of!(options).cast(),
            )
        };
        hint = check(ret, "LZ4F_decompress")?;
        debug_assert!(dst_size <= spare_len && src_size <= data.len() - pos);
        // SAFETY: the C library initialized the first `dst_size` bytes of the spare capacity.
        unsafe { out.set_len(out.len() + dst_size) };
        pos += src_size;
        let output_limited = dst_size == spare_len;
        // Done when all input is consumed and either every frame is complete (a hint of 0 means
        // fully decoded and flushed) or the library had room to flush everything.
        if pos == data.len() && (hint == 0 || !output_limited) {
            break;
        }
        if src_size == 0 && dst_size == 0 && !output_limited {
            return Err("LZ4F_decompress made no progress".into());
        }
    }
    if hint != 0 {
        return Err(format!("input ends inside a frame ({} bytes)", data.len()));
    }
    Ok(out)
}
