"""LZ4 frame compression (the `.lz4` files of the `lz4` tool), on lz4framed's Rust engine.

Three layers:

1. The API of py-lz4framed_ph4 0.9.11, complete: one-shot `compress()` / `decompress()`,
   streaming with contexts (`compress_begin/update/end`, `decompress_update`), decompression
   contexts that can be cloned and marshalled to bytes to resume after a dropped connection or
   a crash, the `Compressor` and `Decompressor` classes, `python -m lz4framed`. Also
   py-lz4framed 0.14's `block_checksum` and any bytes-like input.

       compressed = lz4framed.compress(b'binary data')
       data = lz4framed.decompress(compressed)

2. A file API as in `bz2` / `lzma`: `lz4framed.open()` returns an `LZ4FrameFile` that reads
   any `.lz4` file and seeks in files with a seek index (`seekable=True` when writing, or
   `build_index()` for an existing file); `threads` uses every core.

       with lz4framed.open("data.lz4", "wb", seekable=True) as f:
           f.write(data)
       with lz4framed.open("data.lz4") as f:
           f.seek(10**9)
           piece = f.read(4096)

3. `SeekIndex`, to split one file across workers by decompressed byte ranges.

Every (de)compression call on more than a few KiB releases the GIL, and input is read from any
buffer-protocol object without a copy. Errors: `Lz4FramedError(message, code)` with the C
library's LZ4F_ERROR_* codes; the message says what is wrong and where.

One intended difference from the original: `decompress()` decodes every frame of its input
(concatenated and skippable frames), where the original stopped after the first.
"""

from ._file import LZ4FrameFile, open
from ._lz4framed import (
    BACKEND,
    LZ4_VERSION,
    LZ4F_BLOCKSIZE_DEFAULT,
    LZ4F_BLOCKSIZE_MAX1MB,
    LZ4F_BLOCKSIZE_MAX4MB,
    LZ4F_BLOCKSIZE_MAX64KB,
    LZ4F_BLOCKSIZE_MAX256KB,
    LZ4F_COMPRESSION_MAX,
    LZ4F_COMPRESSION_MIN,
    LZ4F_COMPRESSION_MIN_HC,
    LZ4F_ERROR_GENERIC,
    LZ4F_VERSION,
    CompressionContext,
    DecompressionContext,
    LZ4F_ERROR_allocation_failed,
    LZ4F_ERROR_blockChecksum_invalid,
    LZ4F_ERROR_blockChecksum_unsupported,
    LZ4F_ERROR_blockMode_invalid,
    LZ4F_ERROR_compressionLevel_invalid,
    LZ4F_ERROR_contentChecksum_invalid,
    LZ4F_ERROR_contentChecksumFlag_invalid,
    LZ4F_ERROR_decompressionFailed,
    LZ4F_ERROR_dstMaxSize_tooSmall,
    LZ4F_ERROR_frameDecoding_alreadyStarted,
    LZ4F_ERROR_frameHeader_incomplete,
    LZ4F_ERROR_frameSize_wrong,
    LZ4F_ERROR_frameType_unknown,
    LZ4F_ERROR_headerChecksum_invalid,
    LZ4F_ERROR_headerVersion_wrong,
    LZ4F_ERROR_maxBlockSize_invalid,
    LZ4F_ERROR_reservedFlag_set,
    LZ4F_ERROR_srcPtr_wrong,
    LZ4F_ERROR_srcSize_tooLarge,
    Lz4FramedEOFError,
    Lz4FramedError,
    Lz4FramedNoDataError,
    RestartPoint,
    SeekIndex,
    __version__,
    build_index,
    clone_decompression_context,
    compress,
    compress_begin,
    compress_end,
    compress_update,
    create_compression_context,
    create_decompression_context,
    decompress,
    decompress_dump,
    decompress_update,
    get_block_size,
    get_frame_info,
    marshal_decompression_checksum_context,
    marshal_decompression_context,
    release_buffers,
    unmarshal_decompression_checksum_context,
    unmarshal_decompression_context,
)
from ._original import Compressor, Decompressor

__all__ = [
    "BACKEND",
    "LZ4F_BLOCKSIZE_DEFAULT",
    "LZ4F_BLOCKSIZE_MAX1MB",
    "LZ4F_BLOCKSIZE_MAX4MB",
    "LZ4F_BLOCKSIZE_MAX64KB",
    "LZ4F_BLOCKSIZE_MAX256KB",
    "LZ4F_COMPRESSION_MAX",
    "LZ4F_COMPRESSION_MIN",
    "LZ4F_COMPRESSION_MIN_HC",
    "LZ4F_ERROR_GENERIC",
    "LZ4F_VERSION",
    "LZ4_VERSION",
    "CompressionContext",
    "Compressor",
    "DecompressionContext",
    "Decompressor",
    "LZ4F_ERROR_allocation_failed",
    "LZ4F_ERROR_blockChecksum_invalid",
    "LZ4F_ERROR_blockChecksum_unsupported",
    "LZ4F_ERROR_blockMode_invalid",
    "LZ4F_ERROR_compressionLevel_invalid",
    "LZ4F_ERROR_contentChecksumFlag_invalid",
    "LZ4F_ERROR_contentChecksum_invalid",
    "LZ4F_ERROR_decompressionFailed",
    "LZ4F_ERROR_dstMaxSize_tooSmall",
    "LZ4F_ERROR_frameDecoding_alreadyStarted",
    "LZ4F_ERROR_frameHeader_incomplete",
    "LZ4F_ERROR_frameSize_wrong",
    "LZ4F_ERROR_frameType_unknown",
    "LZ4F_ERROR_headerChecksum_invalid",
    "LZ4F_ERROR_headerVersion_wrong",
    "LZ4F_ERROR_maxBlockSize_invalid",
    "LZ4F_ERROR_reservedFlag_set",
    "LZ4F_ERROR_srcPtr_wrong",
    "LZ4F_ERROR_srcSize_tooLarge",
    "LZ4FrameFile",
    "Lz4FramedEOFError",
    "Lz4FramedError",
    "Lz4FramedNoDataError",
    "RestartPoint",
    "SeekIndex",
    "__version__",
    "build_index",
    "clone_decompression_context",
    "compress",
    "compress_begin",
    "compress_end",
    "compress_update",
    "create_compression_context",
    "create_decompression_context",
    "decompress",
    "decompress_dump",
    "decompress_update",
    "get_block_size",
    "get_frame_info",
    "marshal_decompression_checksum_context",
    "marshal_decompression_context",
    "open",
    "release_buffers",
    "unmarshal_decompression_checksum_context",
    "unmarshal_decompression_context",
]
