//! The C frame decoder (`LZ4F_decompress_usingDict` of LZ4 1.10, linked by lz4-sys) with the
//! `skipChecksums` option, which `lz4framed_backend_c::frame::decompress_frames` does not
//! expose: the oracle of the checksum-skipping target.

use std::ffi::{c_uint, c_void, CStr};
use std::ptr;

mod ffi {
    use std::ffi::{c_char, c_uint, c_void};

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

    extern "C" {
        pub fn LZ4F_isError(code: usize) -> c_uint;
        pub fn LZ4F_getErrorName(code: usize) -> *const c_char;
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
            options: *const DecompressOptions,
        ) -> usize;
    }
}

struct Dctx(*mut ffi::Dctx);
impl Drop for Dctx {
    fn drop(&mut self) {
        // SAFETY: made by LZ4F_createDecompressionContext, freed once.
        unsafe { ffi::LZ4F_freeDecompressionContext(self.0) };
    }
}

fn check(code: usize) -> Result<usize, String> {
    // SAFETY: LZ4F_isError only inspects the value.
    if unsafe { ffi::LZ4F_isError(code) } == 0 {
        return Ok(code);
    }
    // SAFETY: returns a static NUL-terminated string for any code.
    let name = unsafe { CStr::from_ptr(ffi::LZ4F_getErrorName(code)) };
    Err(name.to_string_lossy().into_owned())
}

/// Output limit: far above what a fuzz input can expand to.
const MAX_OUTPUT: usize = 256 << 20;

/// Decodes every frame of `data` with the C library (skippable frames are skipped; `dict` is
/// each frame's dictionary), skipping block and content checksums when `skip_checksums`.
/// `Err` carries the C error name (`ERROR_…`), or says that the input ends inside a frame.
pub fn decompress_frames(
    data: &[u8],
    dict: Option<&[u8]>,
    skip_checksums: bool,
) -> Result<Vec<u8>, String> {
    const STEP: usize = 64 * 1024;
    let mut raw = ptr::null_mut();
    // SAFETY: valid out-pointer; the context is owned by `dctx`.
    check(unsafe { ffi::LZ4F_createDecompressionContext(&mut raw, 100 as c_uint) })?;
    let dctx = Dctx(raw);
    let (dict_ptr, dict_len) = dict.map_or((ptr::null(), 0), |d| (d.as_ptr(), d.len()));
    let options = ffi::DecompressOptions {
        stable_dst: 0,
        skip_checksums: c_uint::from(skip_checksums),
        reserved1: 0,
        reserved0: 0,
    };
    let mut out: Vec<u8> = Vec::new();
    let mut pos = 0;
    let mut hint;
    loop {
        if out.len() >= MAX_OUTPUT {
            return Err("output limit".into());
        }
        out.reserve(STEP);
        let spare = out.spare_capacity_mut();
        let spare_len = spare.len();
        let mut dst_size = spare_len;
        let mut src_size = data.len() - pos;
        // SAFETY: `spare` is writable for `dst_size` bytes, `data[pos..]` readable for
        // `src_size`, the dictionary borrowed for the whole decoding, `options` a valid struct;
        // stableDst = 0, so the library keeps its own history copy and `out` may move.
        let ret = unsafe {
            ffi::LZ4F_decompress_usingDict(
                dctx.0,
                spare.as_mut_ptr().cast::<c_void>(),
                &mut dst_size,
                data[pos..].as_ptr().cast(),
                &mut src_size,
                dict_ptr.cast(),
                dict_len,
                &options,
            )
        };
        hint = check(ret)?;
        assert!(dst_size <= spare_len && src_size <= data.len() - pos);
        // SAFETY: the library initialized the first `dst_size` bytes of the spare capacity.
        unsafe { out.set_len(out.len() + dst_size) };
        pos += src_size;
        let output_limited = dst_size == spare_len;
        if pos == data.len() && !output_limited {
            break;
        }
        if src_size == 0 && dst_size == 0 && !output_limited {
            return Err("no progress".into());
        }
    }
    if hint != 0 {
        return Err("input ends inside a frame".into());
    }
    Ok(out)
}
