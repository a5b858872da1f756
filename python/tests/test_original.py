"""The test module of py-lz4framed_ph4 0.9.11 (its `test.py`), case by case, in pytest and
Python 3: bytes where it spliced `str` into marshalled state, `ex.args[1]` where it indexed the
exception. Random offsets come from a seeded generator (the original drew them unseeded).
Added: py-lz4framed 0.14's cases for `block_checksum` and memoryview input.
"""

import itertools
import random
from contextlib import contextmanager
from io import SEEK_END, BytesIO

import pytest

from lz4framed import (
    LZ4F_BLOCKSIZE_DEFAULT,
    LZ4F_BLOCKSIZE_MAX1MB,
    LZ4F_BLOCKSIZE_MAX4MB,
    LZ4F_BLOCKSIZE_MAX64KB,
    LZ4F_BLOCKSIZE_MAX256KB,
    LZ4F_COMPRESSION_MAX,
    LZ4F_COMPRESSION_MIN,
    LZ4F_ERROR_GENERIC,
    Compressor,
    Decompressor,
    LZ4F_ERROR_contentChecksum_invalid,
    LZ4F_ERROR_frameHeader_incomplete,
    LZ4F_ERROR_frameType_unknown,
    Lz4FramedError,
    Lz4FramedNoDataError,
    clone_decompression_context,
    compress,
    compress_begin,
    compress_end,
    compress_update,
    create_compression_context,
    create_decompression_context,
    decompress,
    decompress_update,
    get_block_size,
    get_frame_info,
    marshal_decompression_checksum_context,
    marshal_decompression_context,
    unmarshal_decompression_checksum_context,
    unmarshal_decompression_context,
)

SHORT_INPUT = b"abcdefghijklmnopqrstuvwxyz0123456789"
LONG_INPUT = SHORT_INPUT * (10**5)
BLOCK_SIZES = (
    LZ4F_BLOCKSIZE_DEFAULT,
    LZ4F_BLOCKSIZE_MAX64KB,
    LZ4F_BLOCKSIZE_MAX256KB,
    LZ4F_BLOCKSIZE_MAX1MB,
    LZ4F_BLOCKSIZE_MAX4MB,
)
FIXED_OFFSETS = [1, 11, 15, 16, 31, 32, 33, 63, 64, 65, 1023, 1025]
MODES = list(itertools.product([True, False], [True, False], [0, 10]))


def check_compress_short(*args, **kwargs):
    assert decompress(compress(SHORT_INPUT, *args, **kwargs)) == SHORT_INPUT


def check_compress_long(*args, **kwargs):
    assert decompress(compress(LONG_INPUT, *args, **kwargs)) == LONG_INPUT


@contextmanager
def raises_lz4_error(code):
    with pytest.raises(Lz4FramedError) as info:
        yield
    ex = info.value
    assert ex.args[1] == code, f"Lz4FramedError code mismatch: [{ex.args[1]}]: {ex.args[0]}"


def offsets_for(comp_data, rng, extra):
    return FIXED_OFFSETS + [rng.randint(1, len(comp_data) - 64) for _ in range(extra)]


# -- TestCompress -------------------------------------------------------------------------------


def test_compress_minimal():
    with pytest.raises(TypeError):
        compress()
    with pytest.raises(Lz4FramedNoDataError):
        compress(b"")
    check_compress_short()


def test_compress_block_size():
    with pytest.raises(TypeError):
        compress(SHORT_INPUT, block_size_id="1")
    with pytest.raises(ValueError):
        compress(SHORT_INPUT, block_size_id=-1)
    for block_size in BLOCK_SIZES:
        check_compress_short(block_size_id=block_size)
        check_compress_long(block_size_id=block_size)


def test_compress_linked_mode():
    with pytest.raises(TypeError):
        compress(SHORT_INPUT, block_mode_linked=None)
    check_compress_short(block_mode_linked=True)
    check_compress_short(block_mode_linked=False)


def test_compress_checksum():
    with pytest.raises(TypeError):
        compress(SHORT_INPUT, checksum=None)
    check_compress_short(checksum=True)
    check_compress_short(checksum=False)
    for data in (SHORT_INPUT, LONG_INPUT):
        with raises_lz4_error(LZ4F_ERROR_contentChecksum_invalid):
            # invalid checksum
            decompress(compress(data, checksum=True)[:-1] + b"0")


def test_compress_block_checksum():
    # py-lz4framed 0.14
    with pytest.raises(TypeError):
        compress(SHORT_INPUT, block_checksum=None)
    check_compress_short(block_checksum=True)
    check_compress_short(block_checksum=False)
    check_compress_long(block_checksum=True)


def test_compress_level():
    with pytest.raises(TypeError):
        compress(SHORT_INPUT, level="1")
    with pytest.raises(ValueError):
        compress(SHORT_INPUT, level=-1)
    for level in range(LZ4F_COMPRESSION_MIN, LZ4F_COMPRESSION_MAX + 1):
        check_compress_short(level=level)
    # large input, fast & hc levels
    check_compress_long(level=0)
    check_compress_long(level=10)


def test_compress_memoryview():
    # py-lz4framed 0.14
    view = memoryview(LONG_INPUT)
    assert decompress(compress(view)) == view


# -- TestDecompress -----------------------------------------------------------------------------


def test_decompress_minimal():
    with pytest.raises(TypeError):
        decompress()
    with pytest.raises(Lz4FramedNoDataError):
        decompress(b"")
    check_compress_short()


def test_decompress_buffer_size():
    out = compress(SHORT_INPUT)
    with pytest.raises(TypeError):
        decompress(out, buffer_size="1")
    with pytest.raises(ValueError):
        decompress(out, buffer_size=0)
    out = compress(LONG_INPUT)
    for buffer_size in range(1, 1025, 128):
        assert decompress(out, buffer_size=buffer_size) == LONG_INPUT


def test_decompress_invalid_input():
    with raises_lz4_error(LZ4F_ERROR_frameType_unknown):
        decompress(b"invalidheader")
    with pytest.raises(ValueError, match="frame incomplete"):
        decompress(compress(SHORT_INPUT)[:-5])
    # incomplete data (length not specified in header)
    with BytesIO() as out:
        with Compressor(out) as compressor:
            compressor.update(SHORT_INPUT)
        output = out.getvalue()
        with pytest.raises(ValueError, match="frame incomplete"):
            decompress(output[:-20])


def test_decompress_memoryview():
    # py-lz4framed 0.14
    view = memoryview(compress(LONG_INPUT))
    assert decompress(view) == LONG_INPUT


# -- TestLowLevelFunctions ----------------------------------------------------------------------


def test_get_block_size():
    with pytest.raises(TypeError):
        get_block_size("1")
    with pytest.raises(ValueError):
        get_block_size(1)
    assert get_block_size() == get_block_size(LZ4F_BLOCKSIZE_DEFAULT)
    for size in (
        LZ4F_BLOCKSIZE_MAX64KB,
        LZ4F_BLOCKSIZE_MAX256KB,
        LZ4F_BLOCKSIZE_MAX1MB,
        LZ4F_BLOCKSIZE_MAX4MB,
    ):
        assert get_block_size(size) == 1 << (8 + (2 * size))


def test_create_contexts():
    for func in (create_compression_context, create_decompression_context):
        assert func() is not None


def test_get_frame_info():
    with pytest.raises(TypeError):
        get_frame_info()
    with pytest.raises(ValueError):
        get_frame_info(create_compression_context())

    ctx = create_decompression_context()
    with raises_lz4_error(LZ4F_ERROR_frameHeader_incomplete):
        get_frame_info(ctx)
    # compress with non-default arguments, check info structure
    args = {"checksum": True, "block_size_id": LZ4F_BLOCKSIZE_MAX256KB, "block_mode_linked": False}
    # long input, since the block size shrinks for input smaller than one block
    decompress_update(ctx, compress(LONG_INPUT, **args)[:15])
    info = get_frame_info(ctx)
    assert info.pop("input_hint", 0) > 0
    args["length"] = len(LONG_INPUT)
    assert info == args


def _compress_begin(**kwargs):
    ctx = create_compression_context()
    header = compress_begin(ctx, **kwargs)
    assert 7 <= len(header) <= 15
    return ctx, header


def test_compress_begin():
    with pytest.raises(TypeError):
        compress_begin()
    with pytest.raises(ValueError):
        compress_begin(create_decompression_context())


def test_compress_begin_block_size():
    with pytest.raises(TypeError):
        _compress_begin(block_size_id="1")
    with pytest.raises(ValueError):
        _compress_begin(block_size_id=-1)
    for size in BLOCK_SIZES:
        _compress_begin(block_size_id=size)


def test_compress_begin_linked_mode():
    with pytest.raises(TypeError):
        _compress_begin(block_mode_linked=None)
    _compress_begin(block_mode_linked=True)
    _compress_begin(block_mode_linked=False)


def test_compress_begin_checksum():
    with pytest.raises(TypeError):
        _compress_begin(checksum=None)
    _compress_begin(checksum=True)
    _compress_begin(checksum=False)


def test_compress_begin_level():
    with pytest.raises(TypeError):
        _compress_begin(level="1")
    with pytest.raises(ValueError):
        _compress_begin(level=-1)
    for level in range(LZ4F_COMPRESSION_MIN, LZ4F_COMPRESSION_MAX + 1):
        _compress_begin(level=level)


def test_compress_update_invalid():
    with pytest.raises(TypeError):
        compress_update()
    with pytest.raises(TypeError):
        compress_update(1)
    # invalid context
    with pytest.raises(ValueError):
        compress_update(create_decompression_context(), b" ")
    # data before compress_begin called
    with raises_lz4_error(LZ4F_ERROR_GENERIC):
        compress_update(create_compression_context(), b" ")

    ctx, _ = _compress_begin()
    # invalid data
    with pytest.raises(TypeError):
        compress_update(ctx, 1)
    # empty data
    with pytest.raises(Lz4FramedNoDataError):
        compress_update(ctx, b"")


def test_compress_end():
    with pytest.raises(TypeError):
        compress_end()
    with pytest.raises(ValueError):
        compress_end(create_decompression_context())

    ctx, header = _compress_begin()
    assert decompress(header + compress_end(ctx)) == b""

    ctx, header = _compress_begin()
    data = compress_update(ctx, SHORT_INPUT)
    assert decompress(header + data + compress_end(ctx)) == SHORT_INPUT


def _compress_with_data_and_args(data, **kwargs):
    ctx, header = _compress_begin(**kwargs)
    in_raw = BytesIO(data)
    out = BytesIO(header)
    out.seek(0, SEEK_END)
    try:
        while True:
            out.write(compress_update(ctx, in_raw.read(1024)))
    except Lz4FramedNoDataError:
        pass
    out.write(compress_end(ctx))
    assert decompress(out.getvalue()) == data


def test_compress():
    func = _compress_with_data_and_args
    for size in BLOCK_SIZES:
        func(LONG_INPUT, block_size_id=size)
    for arg in ("block_mode_linked", "checksum"):
        for value in (False, True):
            func(LONG_INPUT, **{arg: value})
    for level in range(LZ4F_COMPRESSION_MIN, LZ4F_COMPRESSION_MAX + 1):
        func(SHORT_INPUT, level=level)
    func(SHORT_INPUT, level=0)
    func(SHORT_INPUT, level=LZ4F_COMPRESSION_MAX)
    # py-lz4framed 0.14
    func(LONG_INPUT, block_checksum=True)
    func(memoryview(LONG_INPUT))


def test_decompress_update_invalid():
    with pytest.raises(TypeError):
        decompress_update()
    with pytest.raises(TypeError):
        decompress_update(1)
    # invalid context
    with pytest.raises(ValueError):
        decompress_update(create_compression_context(), b" ")

    ctx = create_decompression_context()

    with pytest.raises(TypeError):
        decompress_update(ctx, b" ", chunk_len="1")
    with pytest.raises(ValueError):
        decompress_update(ctx, b" ", chunk_len=0)

    in_raw = compress(LONG_INPUT, checksum=True)

    ret = decompress_update(ctx, in_raw[:512], chunk_len=2)
    # input_hint
    assert ret.pop() > 0
    # chunk length
    assert len(ret) > 0
    assert all(1 <= len(chunk) <= 2 for chunk in ret)

    # invalid input (from start of frame)
    with raises_lz4_error(LZ4F_ERROR_GENERIC):
        decompress_update(ctx, in_raw)

    # checksum invalid
    in_raw = in_raw[:-4] + b"1234"
    ctx = create_decompression_context()
    with raises_lz4_error(LZ4F_ERROR_contentChecksum_invalid):
        decompress_update(ctx, in_raw)


def test_decompress_update_memoryview():
    # py-lz4framed 0.14
    ctx = create_decompression_context()
    data = decompress_update(ctx, memoryview(compress(LONG_INPUT)))
    assert b"".join(data[:-1]) == LONG_INPUT


# -- TestCompressor -----------------------------------------------------------------------------


def test_compressor_init():
    with pytest.raises(AttributeError, match="has no attribute 'write'"):
        Compressor("1")

    # non-callable write attribute
    class Empty:
        write = 1

    with pytest.raises(TypeError):
        Compressor(Empty())

    # cannot use context without fp
    with pytest.raises(ValueError):
        with Compressor() as _:
            pass


def test_compressor__no_fp():
    in_bytes = BytesIO(LONG_INPUT)
    out_bytes = BytesIO()

    compressor = Compressor()
    try:
        while True:
            out_bytes.write(compressor.update(in_bytes.read(1024)))
    # raised by compressor.update() on empty data argument
    except Lz4FramedNoDataError:
        pass
    out_bytes.write(compressor.end())

    assert decompress(out_bytes.getvalue()) == LONG_INPUT


def _fp_test(in_raw=LONG_INPUT, **kwargs):
    in_bytes = BytesIO(in_raw)
    out_bytes = BytesIO()

    with Compressor(out_bytes, **kwargs) as compressor:
        try:
            while True:
                compressor.update(in_bytes.read(1024))
        # raised by compressor.update() on empty data argument
        except Lz4FramedNoDataError:
            pass
    assert decompress(out_bytes.getvalue()) == in_raw


def test_compressor_fp():
    _fp_test()


def test_compressor_block_size():
    for block_size in BLOCK_SIZES:
        _fp_test(block_size_id=block_size)


def test_compressor_checksum():
    _fp_test(checksum=False)
    _fp_test(checksum=True)


def test_compressor_autoflush():
    _fp_test(autoflush=True)
    _fp_test(autoflush=False)


def test_compressor_level():
    for level in range(LZ4F_COMPRESSION_MIN, LZ4F_COMPRESSION_MAX + 1):
        _fp_test(in_raw=SHORT_INPUT, level=level)
    _fp_test(level=0)
    _fp_test(level=10)


def test_compressor_block_checksum():
    # py-lz4framed 0.14
    _fp_test(block_checksum=True)


# -- TestDecompressor ---------------------------------------------------------------------------


def test_decompressor_init():
    with pytest.raises(TypeError):
        Decompressor()
    with pytest.raises(AttributeError, match="has no attribute 'read'"):
        Decompressor("1")

    # non-callable read attribute
    class Empty:
        read = 1

    with pytest.raises(TypeError):
        Decompressor(Empty())


def test_decompressor_fp():
    for level in (0, 10):
        out_bytes = BytesIO()
        for chunk in Decompressor(BytesIO(compress(LONG_INPUT, level=level))):
            out_bytes.write(chunk)
        assert out_bytes.getvalue() == LONG_INPUT

    # incomplete frame
    out_bytes.truncate()
    with pytest.raises(Lz4FramedNoDataError):
        for chunk in Decompressor(BytesIO(compress(LONG_INPUT)[:-32])):
            out_bytes.write(chunk)
    # some data should have been written
    out_bytes.seek(0, SEEK_END)
    assert out_bytes.tell() > 0


@pytest.mark.parametrize("is_linked,has_checksum,level", MODES)
def test_decompressor_fp_continuation(is_linked, has_checksum, level):
    rng = random.Random(f"continuation{is_linked}{has_checksum}{level}")
    comp_data = compress(
        LONG_INPUT, level=level, checksum=has_checksum, block_mode_linked=is_linked
    )
    for offset in offsets_for(comp_data, rng, 10):
        out_bytes = BytesIO()

        decomp = Decompressor(BytesIO(comp_data[: -1 * offset]))
        with pytest.raises(Lz4FramedNoDataError):
            for chunk in decomp:
                out_bytes.write(chunk)

        # Finish with decompression - new data provided
        decomp.setfp(BytesIO(comp_data[-1 * offset :]))
        for chunk in decomp:
            out_bytes.write(chunk)

        assert len(out_bytes.getvalue()) == len(LONG_INPUT)
        assert out_bytes.getvalue() == LONG_INPUT


@pytest.mark.parametrize("is_linked,has_checksum,level", MODES)
def test_decompressor_fp_clone(is_linked, has_checksum, level):
    rng = random.Random(f"clone{is_linked}{has_checksum}{level}")
    comp_data = compress(
        LONG_INPUT, level=level, checksum=has_checksum, block_mode_linked=is_linked
    )
    for offset in offsets_for(comp_data, rng, 10):
        out_bytes = BytesIO()
        decomp = Decompressor(BytesIO(comp_data[: -1 * offset]))
        with pytest.raises(Lz4FramedNoDataError):
            for chunk in decomp:
                out_bytes.write(chunk)

        # Finish with decompression - new data provided + cloned context
        new_buff = BytesIO(comp_data[-1 * offset :])
        newctx = clone_decompression_context(decomp.ctx)
        decomp.setfp(new_buff)
        decomp.setctx(newctx)
        for chunk in decomp:
            out_bytes.write(chunk)

        assert len(out_bytes.getvalue()) == len(LONG_INPUT)
        assert out_bytes.getvalue() == LONG_INPUT


@pytest.mark.parametrize("is_linked,has_checksum,level", MODES)
def test_decompressor_fp_marshalling(is_linked, has_checksum, level):
    rng = random.Random(f"marshalling{is_linked}{has_checksum}{level}")
    comp_data = compress(
        LONG_INPUT, level=level, checksum=has_checksum, block_mode_linked=is_linked
    )

    # Random offset break
    for offset in offsets_for(comp_data, rng, 50):
        out_bytes = BytesIO()
        decomp = Decompressor(BytesIO(comp_data[: -1 * offset]))
        with pytest.raises(Lz4FramedNoDataError):
            for chunk in decomp:
                out_bytes.write(chunk)

        # Finish with decompression - new data provided + marshalled context
        new_buff = BytesIO(comp_data[-1 * offset :])
        newctx_str = marshal_decompression_context(decomp.ctx)
        assert len(newctx_str) > 16

        newctx = unmarshal_decompression_context(newctx_str)
        decomp = Decompressor(new_buff)
        decomp.setctx(newctx)
        for chunk in decomp:
            out_bytes.write(chunk)

        assert len(out_bytes.getvalue()) == len(LONG_INPUT)
        assert out_bytes.getvalue() == LONG_INPUT

    # Block boundary break - should be nicely separated, with the small state
    blocks_break = [1, 2, 3, 30] + [rng.randint(3, 30) for _ in range(20)]
    for block_break in blocks_break:
        out_bytes = BytesIO()
        decomp = Decompressor(BytesIO(comp_data))
        newctx_str = None
        cur_block = 0

        for chunk in decomp:
            out_bytes.write(chunk)
            if cur_block == block_break:
                newctx_str = marshal_decompression_context(decomp.ctx)
                assert len(newctx_str) > 16
                if not is_linked:
                    assert len(newctx_str) < 256
                break
            cur_block += 1

        # Finish from the position we stopped, with unmarshalled context
        newctx = unmarshal_decompression_context(newctx_str)
        decomp.setctx(newctx)
        for chunk in decomp:
            out_bytes.write(chunk)

        assert len(out_bytes.getvalue()) == len(LONG_INPUT)
        assert out_bytes.getvalue() == LONG_INPUT


@pytest.mark.parametrize("is_linked,has_checksum,level", MODES)
def test_decompressor_fp_checksum(is_linked, has_checksum, level):
    rng = random.Random(f"checksum{is_linked}{has_checksum}{level}")
    comp_data = compress(
        LONG_INPUT, level=level, checksum=has_checksum, block_mode_linked=is_linked
    )
    for offset in offsets_for(comp_data, rng, 10):
        out_bytes = BytesIO()

        decomp = Decompressor(BytesIO(comp_data[: -1 * offset]))
        with pytest.raises(Lz4FramedNoDataError):
            for chunk in decomp:
                out_bytes.write(chunk)

        # Finish with decompression - new data provided, context
        new_buff = BytesIO(comp_data[-1 * offset :])
        decomp.setfp(new_buff)

        ctxt = decomp.ctx
        ctxt_clone = clone_decompression_context(ctxt)

        chctx = marshal_decompression_checksum_context(decomp.ctx)
        chctx_len = len(chctx)
        assert chctx_len > 8

        # Unmarshal checksum context, finish
        unmarshal_decompression_checksum_context(ctxt, chctx)
        decomp.setctx(ctxt)
        for chunk in decomp:
            out_bytes.write(chunk)

        # Data has to be correct also
        assert len(out_bytes.getvalue()) == len(LONG_INPUT)
        assert out_bytes.getvalue() == LONG_INPUT

        # Invalid checksum context unmarshalling
        with pytest.raises(Lz4FramedError):
            unmarshal_decompression_checksum_context(ctxt_clone, b"x" * chctx_len)

        # Almost correct checksum context, but invalid result
        unmarshal_decompression_checksum_context(ctxt_clone, chctx[:8] + b"00" + chctx[10:])

        # Finish with almost correct checksum - should fail
        new_buff = BytesIO(comp_data[-1 * offset :])
        decomp.setfp(new_buff)
        decomp.setctx(ctxt_clone)
        try:
            for chunk in decomp:
                out_bytes.write(chunk)
            if has_checksum:
                pytest.fail("Should have thrown invalid checksum")
        except Lz4FramedError as e:
            assert e.args[1] == LZ4F_ERROR_contentChecksum_invalid
