"""The original API beyond its own test module: constants and error codes, exceptions,
Decompressor's properties, what compress() writes, frames decoded in a row."""

from __future__ import annotations

import io
import pickle
import struct

import pytest

import lz4framed
from lz4framed import Compressor, Decompressor, Lz4FramedError


def test_constants():
    assert (
        lz4framed.LZ4F_BLOCKSIZE_DEFAULT,
        lz4framed.LZ4F_BLOCKSIZE_MAX64KB,
        lz4framed.LZ4F_BLOCKSIZE_MAX256KB,
        lz4framed.LZ4F_BLOCKSIZE_MAX1MB,
        lz4framed.LZ4F_BLOCKSIZE_MAX4MB,
    ) == (0, 4, 5, 6, 7)
    assert (
        lz4framed.LZ4F_COMPRESSION_MIN,
        lz4framed.LZ4F_COMPRESSION_MIN_HC,
        lz4framed.LZ4F_COMPRESSION_MAX,
    ) == (0, 3, 12)
    codes = [
        "GENERIC", "maxBlockSize_invalid", "blockMode_invalid", "contentChecksumFlag_invalid",
        "compressionLevel_invalid", "headerVersion_wrong", "blockChecksum_unsupported",
        "reservedFlag_set", "allocation_failed", "srcSize_tooLarge", "dstMaxSize_tooSmall",
        "frameHeader_incomplete", "frameType_unknown", "frameSize_wrong", "srcPtr_wrong",
        "decompressionFailed", "headerChecksum_invalid", "contentChecksum_invalid",
        "frameDecoding_alreadyStarted",
    ]  # fmt: skip
    for number, name in enumerate(codes, start=1):
        assert getattr(lz4framed, f"LZ4F_ERROR_{name}") == number
    assert lz4framed.LZ4F_ERROR_blockChecksum_invalid == 7
    assert lz4framed.LZ4F_VERSION == 100
    assert lz4framed.LZ4_VERSION.count(".") == 2
    assert isinstance(lz4framed.__version__, str)


def test_exceptions():
    with pytest.raises(Lz4FramedError) as info:
        lz4framed.decompress(b"\x04\x22\x4d\x18\x60\x40\x00")  # bad header checksum
    message, code = info.value.args
    assert code == lz4framed.LZ4F_ERROR_headerChecksum_invalid
    assert "header checksum" in message and "offset 6" in message
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is Lz4FramedError and again.args == info.value.args
    assert issubclass(lz4framed.Lz4FramedEOFError, Lz4FramedError)
    assert issubclass(lz4framed.Lz4FramedEOFError, EOFError)
    assert not issubclass(lz4framed.Lz4FramedNoDataError, Lz4FramedError)
    eof = lz4framed.Lz4FramedEOFError("m", 1)
    assert pickle.loads(pickle.dumps(eof)).args == ("m", 1)


@pytest.mark.parametrize(
    "corrupt,code",
    [
        (lambda f: f[:4] + bytes([f[4] | 0x02]) + f[5:], "reservedFlag_set"),
        (lambda f: f[:4] + bytes([f[4] ^ 0x80]) + f[5:], "headerVersion_wrong"),
        (lambda f: f[:5] + bytes([0x10]) + f[6:], "maxBlockSize_invalid"),
        (lambda f: f[:-4] + bytes(4), "contentChecksum_invalid"),
    ],
)
def test_error_codes(corrupt, code):
    frame = lz4framed.compress(b"x" * 100_000, checksum=True, block_mode_linked=False)
    with pytest.raises(Lz4FramedError) as info:
        lz4framed.decompress(corrupt(frame))
    # A changed descriptor byte is caught by the header checksum unless the field is checked
    # first; either way the code is one of the C library's.
    assert info.value.args[1] in (
        getattr(lz4framed, f"LZ4F_ERROR_{code}"),
        lz4framed.LZ4F_ERROR_headerChecksum_invalid,
    )


def test_compress_frame_header_like_the_c_library():
    # LZ4F_compressFrame: the block size shrinks to the smallest holding the input, blocks are
    # independent when one holds it all, the content size is recorded.
    ctx = lz4framed.create_decompression_context()
    lz4framed.decompress_update(ctx, lz4framed.compress(b"y" * 1000, block_size_id=7))
    info = lz4framed.get_frame_info(ctx)
    assert info["block_size_id"] == 4 and not info["block_mode_linked"]
    assert info["length"] == 1000
    ctx = lz4framed.create_decompression_context()
    lz4framed.decompress_update(ctx, lz4framed.compress(b"y" * 300_000, block_size_id=7))
    info = lz4framed.get_frame_info(ctx)
    assert info["block_size_id"] == 6 and not info["block_mode_linked"]
    ctx = lz4framed.create_decompression_context()
    lz4framed.decompress_update(ctx, lz4framed.compress(b"y" * 300_000, block_size_id=5))
    info = lz4framed.get_frame_info(ctx)
    assert info["block_size_id"] == 5 and info["block_mode_linked"]


def test_decompress_every_frame_and_skippable_frames():
    a, b = lz4framed.compress(b"first "), lz4framed.compress(b"second", checksum=True)
    skippable = struct.pack("<II", 0x184D2A51, 3) + b"abc"
    assert lz4framed.decompress(skippable + a + skippable + b) == b"first second"


def test_decompressor_properties_and_frames_in_a_row():
    data = bytes(range(256)) * 2000
    f1 = lz4framed.compress(data, block_mode_linked=False)
    f2 = lz4framed.compress(data[::-1])
    d = Decompressor(io.BytesIO(f1 + f2))
    assert d.frame_info is None and d.first15 is None
    first = b"".join(d)  # one frame, as the original
    assert first == data
    assert d.data_read == len(f1)  # reads sized by the input hint: nothing past the frame
    assert d.first15 == f1[:15]
    assert d.frame_info["length"] == len(data)
    assert d.last_read_aligned and d.last_hint == 4  # the end mark
    assert d.next_data_block == len(f1)
    second = b"".join(d)  # iterating again: the next frame
    assert second == data[::-1]
    assert d.data_read == len(f1) + len(f2)


def test_compressor_without_updates_writes_a_valid_frame():
    out = io.BytesIO()
    with Compressor(out):
        pass
    assert lz4framed.decompress(out.getvalue()) == b""
    assert lz4framed.decompress(Compressor().end()) == b""


def test_decompress_dump(capsys):
    ctx = lz4framed.create_decompression_context()
    lz4framed.decompress_update(ctx, lz4framed.compress(b"z" * 100)[:9])
    assert lz4framed.decompress_dump(ctx) is None
    err = capsys.readouterr().err
    assert err.startswith("StateDump:") and "input_position=9" in err
    with pytest.raises(ValueError):
        lz4framed.decompress_dump(lz4framed.create_compression_context())


def test_context_kinds():
    for fn in (
        lz4framed.get_frame_info,
        lz4framed.clone_decompression_context,
        lz4framed.marshal_decompression_context,
        lz4framed.marshal_decompression_checksum_context,
        lz4framed.compress_end,
    ):
        with pytest.raises(ValueError, match="ctx invalid"):
            fn(object())
    with pytest.raises(ValueError, match="ctx invalid"):
        lz4framed.compress_begin(lz4framed.create_decompression_context())
    with pytest.raises(ValueError, match="ctx invalid"):
        lz4framed.unmarshal_decompression_checksum_context(
            lz4framed.create_compression_context(), bytes(48)
        )


def test_marshalled_state_sizes():
    # Block boundaries of an independent-block frame: a few dozen bytes (the original: 184 B).
    data = bytes(range(256)) * 4000
    for checksum in (False, True):
        frame = lz4framed.compress(data, block_mode_linked=False, checksum=checksum)
        d = Decompressor(io.BytesIO(frame))
        it = iter(d)
        next(it)
        state = lz4framed.marshal_decompression_context(d.ctx)
        assert 16 < len(state) <= (64 if not checksum else 96)
