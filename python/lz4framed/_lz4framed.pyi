"""Type stubs of the native module lz4framed._lz4framed (see the docstrings at run time)."""

from typing import Any, Final, Literal, final, overload

from typing_extensions import Buffer, Self

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
    "DecompressionContext",
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
    "Lz4FramedEOFError",
    "Lz4FramedError",
    "Lz4FramedNoDataError",
    "Reader",
    "RestartPoint",
    "RestartReader",
    "SeekIndex",
    "Writer",
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
    "release_buffers",
    "unmarshal_decompression_checksum_context",
    "unmarshal_decompression_context",
]

__version__: Final[str]
LZ4_VERSION: Final[str]
"""The C reference library's version ("1.10.0")."""
LZ4F_VERSION: Final[int]
BACKEND: Final[str]
"""The block codec Auto picked on this CPU (e.g. "simd-avx2")."""

LZ4F_BLOCKSIZE_DEFAULT: Final[int]  # 0
LZ4F_BLOCKSIZE_MAX64KB: Final[int]  # 4
LZ4F_BLOCKSIZE_MAX256KB: Final[int]  # 5
LZ4F_BLOCKSIZE_MAX1MB: Final[int]  # 6
LZ4F_BLOCKSIZE_MAX4MB: Final[int]  # 7
LZ4F_COMPRESSION_MIN: Final[int]  # 0
LZ4F_COMPRESSION_MIN_HC: Final[int]  # 3
LZ4F_COMPRESSION_MAX: Final[int]  # 12

LZ4F_ERROR_GENERIC: Final[int]  # 1
LZ4F_ERROR_maxBlockSize_invalid: Final[int]  # 2
LZ4F_ERROR_blockMode_invalid: Final[int]  # 3
LZ4F_ERROR_contentChecksumFlag_invalid: Final[int]  # 4
LZ4F_ERROR_compressionLevel_invalid: Final[int]  # 5
LZ4F_ERROR_headerVersion_wrong: Final[int]  # 6
LZ4F_ERROR_blockChecksum_unsupported: Final[int]  # 7
LZ4F_ERROR_blockChecksum_invalid: Final[int]  # 7 (LZ4 1.8's name)
LZ4F_ERROR_reservedFlag_set: Final[int]  # 8
LZ4F_ERROR_allocation_failed: Final[int]  # 9
LZ4F_ERROR_srcSize_tooLarge: Final[int]  # 10
LZ4F_ERROR_dstMaxSize_tooSmall: Final[int]  # 11
LZ4F_ERROR_frameHeader_incomplete: Final[int]  # 12
LZ4F_ERROR_frameType_unknown: Final[int]  # 13
LZ4F_ERROR_frameSize_wrong: Final[int]  # 14
LZ4F_ERROR_srcPtr_wrong: Final[int]  # 15
LZ4F_ERROR_decompressionFailed: Final[int]  # 16
LZ4F_ERROR_headerChecksum_invalid: Final[int]  # 17
LZ4F_ERROR_contentChecksum_invalid: Final[int]  # 18
LZ4F_ERROR_frameDecoding_alreadyStarted: Final[int]  # 19

class Lz4FramedError(Exception):
    """args: (message: str, code: int) -- code is one of the LZ4F_ERROR_* constants."""

class Lz4FramedNoDataError(Exception):
    """Empty input (compress, compress_update, decompress, decompress_update), or a file object
    of Decompressor that ran dry inside a frame."""

class Lz4FramedEOFError(Lz4FramedError, EOFError):
    """The file API's compressed data ended inside a frame."""

# -- the original API --------------------------------------------------------------------------

def compress(
    b: Buffer,
    block_size_id: int = 0,
    block_mode_linked: int = 1,
    checksum: int = 0,
    level: int = 0,
    block_checksum: int = 0,
    *,
    threads: int = 1,
) -> bytes: ...
def decompress(b: Buffer, buffer_size: int = 1024, *, threads: int = 1) -> bytes: ...
def get_block_size(id: int = 0) -> int: ...

@final
class CompressionContext:
    """A compression context (create_compression_context())."""

@final
class DecompressionContext:
    """A decompression context (create_decompression_context())."""

def create_compression_context() -> CompressionContext: ...
def create_decompression_context() -> DecompressionContext: ...
def compress_begin(
    ctx: CompressionContext,
    block_size_id: int = 0,
    block_mode_linked: int = 1,
    checksum: int = 0,
    autoflush: int = 0,
    level: int = 0,
    block_checksum: int = 0,
) -> bytes: ...
def compress_update(ctx: CompressionContext, b: Buffer) -> bytes: ...
def compress_end(ctx: CompressionContext) -> bytes: ...
def decompress_update(ctx: DecompressionContext, b: Buffer, chunk_len: int = 65536) -> list[Any]:
    """Decoded chunks (bytes), then the input hint (int) as the last element."""

def get_frame_info(ctx: DecompressionContext) -> dict[str, Any]:
    """{'input_hint': int, 'length': int, 'block_size_id': int, 'block_mode_linked': bool,
    'checksum': bool}"""

def decompress_dump(ctx: DecompressionContext) -> None: ...
def clone_decompression_context(ctx: DecompressionContext) -> DecompressionContext: ...
def marshal_decompression_context(ctx: DecompressionContext) -> bytes: ...
def unmarshal_decompression_context(ctx: Buffer) -> DecompressionContext: ...
def marshal_decompression_checksum_context(ctx: DecompressionContext) -> bytes: ...
def unmarshal_decompression_checksum_context(
    ctx: DecompressionContext, checksum: Buffer
) -> None: ...

# -- the file API's native parts ---------------------------------------------------------------

@final
class Reader:
    """The native reader of LZ4FrameFile (read mode)."""

    def __new__(
        cls, file: Any, threads: int = 1, index: SeekIndex | Literal[False] | None = None
    ) -> Self: ...
    def readinto(self, b: Buffer) -> int: ...
    def read(self, size: int | None = ...) -> bytes:
        """size: bytes wanted, -1 or None for all (the default)."""
    def read1(self, size: int | None = ...) -> bytes:
        """size: bytes wanted at most, -1 or None for what one step gives (the default)."""
    def readline(self, size: int | None = ...) -> bytes:
        """size: bytes at most, -1 or None for the whole line (the default)."""
    def peek(self, size: int = 0) -> bytes: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...
    def tell(self) -> int: ...
    def seekable(self) -> bool: ...
    @property
    def index(self) -> SeekIndex | None: ...
    def fileno(self) -> int: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...

@final
class Writer:
    """The native writer of LZ4FrameFile (write mode)."""

    def __new__(
        cls,
        file: Any,
        mode: Literal["w", "x", "a"] = "w",
        *,
        level: int = 1,
        block_size: int = 4194304,
        block_linked: bool = True,
        content_checksum: bool = True,
        block_checksum: bool = False,
        seekable: bool = False,
        threads: int = 1,
    ) -> Self: ...
    def write(self, b: Buffer) -> int: ...
    def flush(self) -> None: ...
    def tell(self) -> int: ...
    def fileno(self) -> int: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...

# -- the seek index ----------------------------------------------------------------------------

@final
class RestartPoint:
    """A place in the compressed file where decoding can start."""

    @property
    def compressed_offset(self) -> int:
        """Bytes from the start of the file to the frame's magic number or block header."""

    @property
    def decompressed_offset(self) -> int:
        """Decompressed offset (over all frames) of the first byte decoded from here."""

    @property
    def frame_start(self) -> bool: ...
    @property
    def has_window(self) -> bool:
        """Whether decoding from here needs the stored 64 KiB window (linked-block frames)."""

@final
class SeekIndex:
    """The restart points of one .lz4 file, bound to it by size and fingerprint."""

    @overload
    @staticmethod
    def read(file: Any, missing_ok: Literal[False] = False) -> SeekIndex: ...
    @overload
    @staticmethod
    def read(file: Any, missing_ok: bool) -> SeekIndex | None:
        """The index of a path (embedded, else PATH.idx) or of a seekable binary file object;
        None when there is none and `missing_ok`."""

    def verify(self, file: Any) -> None:
        """Check that the index belongs to a path or seekable binary file object (its size and
        fingerprint); Lz4FramedError when it does not."""

    @staticmethod
    def from_bytes(b: Buffer) -> SeekIndex: ...
    def to_bytes(self) -> bytes: ...
    @property
    def decompressed_size(self) -> int: ...
    @property
    def compressed_size(self) -> int:
        """Bytes of indexed data (the file without an embedded index)."""

    def __len__(self) -> int: ...
    @property
    def restart_points(self) -> list[RestartPoint]: ...
    def __getitem__(self, i: int, /) -> RestartPoint: ...
    def frame_header_offset(self, i: int) -> int | None:
        """Where the header of the frame restart point i lies in (None: none needed)."""

    def restart_index(self, i: int) -> SeekIndex:
        """The index cut down to restart point i (its frame start, the point, the end): what a
        task needs to decode from there, a few dozen bytes (plus a linked frame's window)."""

    def decompressor_at(self, i: int, frame_header: Buffer | None = None) -> DecompressionContext:
        """A decompression context restored at restart point i: fed the file from
        index[i].compressed_offset on (decompress_update), it yields the content from
        index[i].decompressed_offset on. frame_header: the bytes at frame_header_offset(i)."""

    def window(self, i: int) -> bytes: ...
    def restart_point_for(self, offset: int) -> int | None: ...
    def split(self, size: int) -> list[tuple[int, int]]:
        """Consecutive decompressed ranges (start, stop) of about `size` bytes, each starting at
        a restart point, covering the content."""

@final
class RestartReader:
    """A .lz4 file's content decoded from a restart point (lz4framed.dask's tasks)."""

    def __new__(
        cls, file: Any, context: DecompressionContext, stop: int, first_frame: int = 1
    ) -> Self:
        """first_frame: the file's number of the context's frame (errors number frames so)."""
    @property
    def stop(self) -> int:
        """Compressed offset up to which the file may be read (can be raised)."""

    @stop.setter
    def stop(self, stop: int) -> None: ...
    def read(self, size: int) -> bytes: ...

def build_index(
    path: str | bytes | Any, sidecar: bool = False, restart_interval: int = 4194304
) -> SeekIndex: ...
def release_buffers() -> int:
    """Free the input buffers (up to 8 of 4 MiB) that writing on several threads keeps for the
    next such write; return the bytes of memory freed."""
