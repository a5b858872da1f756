"""The original library's streaming classes, `Compressor` and `Decompressor`.

They follow py-lz4framed_ph4 0.9.11 (`Compressor` also takes py-lz4framed 0.14's
`block_checksum`). Both may be used from several threads: each step takes the object's lock,
which is never held while a chunk is handed to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from threading import RLock
from typing import Any, BinaryIO

from ._lz4framed import (
    LZ4F_BLOCKSIZE_DEFAULT,
    LZ4F_COMPRESSION_MIN,
    LZ4F_ERROR_frameHeader_incomplete,
    Lz4FramedError,
    Lz4FramedNoDataError,
    compress_begin,
    compress_end,
    compress_update,
    create_compression_context,
    create_decompression_context,
    decompress_update,
    get_block_size,
    get_frame_info,
)

__all__ = ["Compressor", "Decompressor"]

# Enough to read the largest frame header without a dictionary ID (magic, FLG, BD, content
# size, header checksum).
_HEADER_READ = 15


class Compressor:
    """Compress data into one LZ4 frame, piece by piece; a context manager when writing to a file.

        with open('myFile', 'wb') as f:
            # Leaving the block ends the frame.
            with Compressor(f) as c:
                try:
                    while (...):
                        c.update(more_data)
                except Lz4FramedNoDataError:
                    pass

    Without `fp`, update() and end() return the compressed bytes instead:

        c = Compressor()
        out = [c.update(data) for data in pieces]
        out.append(c.end())
    """

    def __init__(
        self,
        fp: BinaryIO | None = None,
        block_size_id: int = LZ4F_BLOCKSIZE_DEFAULT,
        block_mode_linked: bool = True,
        checksum: bool = False,
        autoflush: bool = False,
        level: int = LZ4F_COMPRESSION_MIN,
        block_checksum: bool = False,
    ) -> None:
        """
        Args:
            fp: file object (with a write() method) the frame is written to; without it,
                update() and end() return the compressed bytes.
            block_size_id (int): one of the LZ4F_BLOCKSIZE_* constants.
            block_mode_linked (bool): whether blocks may refer to earlier blocks (better ratio).
            checksum (bool): append a content checksum to the frame.
            autoflush (bool): compress and hand out everything given to each update() call,
                rather than gathering whole blocks.
            level (int): 0..2 fast compression, LZ4F_COMPRESSION_MIN_HC (3) ..
                LZ4F_COMPRESSION_MAX (12) high compression.
            block_checksum (bool): append a checksum to every block.
        """
        self.__ctx = create_compression_context()
        self.__lock = RLock()
        if fp is None:
            self.__write = None
        elif not callable(fp.write):
            raise TypeError("fp.write not callable")
        else:
            self.__write = fp.write
        self.__header: bytes | None = compress_begin(
            self.__ctx,
            block_size_id=block_size_id,
            block_mode_linked=block_mode_linked,
            checksum=checksum,
            autoflush=autoflush,
            level=level,
            block_checksum=block_checksum,
        )

    def __enter__(self) -> Compressor:
        if self.__write is None:
            raise ValueError("Context only usable when fp supplied")
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        self.end()

    def __output(self, data: bytes) -> bytes | None:
        if self.__header is not None:
            data = self.__header + data
            self.__header = None
        if self.__write is not None:
            self.__write(data)
            return None
        return data

    def update(self, b: Any) -> bytes | None:
        """Compress the bytes-like object `b`; return the compressed bytes completed so far (or,
        with fp, write them). The first call also emits the frame header. Output may be empty
        while blocks are being gathered. Raises Lz4FramedNoDataError for empty input (handy to
        end a read loop)."""
        with self.__lock:
            return self.__output(compress_update(self.__ctx, b))

    def end(self) -> bytes | None:
        """End the frame: return (or, with fp, write) the rest of it."""
        with self.__lock:
            return self.__output(compress_end(self.__ctx))


class Decompressor(Iterable):
    """Decompress one LZ4 frame read from a file object, yielding the decoded chunks:

        with open('myFile', 'rb') as f:
            try:
                for chunk in Decompressor(f):
                    decoded.append(chunk)
            except Lz4FramedNoDataError:
                # the data ended before the frame did

    Reads are sized by the decoder's input hint, so nothing past the frame is read; iterating
    again continues with the next frame. When the file object runs dry before the frame ends,
    iteration raises Lz4FramedNoDataError and the decompressor stays usable: give it the rest
    of the stream (setfp(), e.g. after reconnecting) and iterate again. Its context can be
    cloned or marshalled (ctx, setctx(), clone_decompression_context(),
    marshal_decompression_context()) to resume later, even in another process.
    """

    def __init__(self, fp: BinaryIO) -> None:
        """
        Args:
            fp: file object (with a read() method) the compressed data is read from.
        """
        self.__info: dict[str, Any] | None = None
        self.__ctx = create_decompression_context()
        self.__lock = RLock()
        self.__data_read = 0
        self.__next_data_block = 0
        self.__last_read_aligned = False
        self.__last_hint = 0
        self.__first15: bytes | None = None
        self.setfp(fp)

    def setfp(self, fp: BinaryIO) -> None:
        """Read from `fp` from now on: the continuation of the stream (e.g. after a reconnect)."""
        with self.__lock:
            if fp is None:
                raise TypeError("fp")
            if not callable(fp.read):
                raise TypeError("fp.read not callable")
            self.__read = fp.read

    def setctx(self, ctx: Any) -> None:
        """Decode with `ctx` from now on (a cloned or unmarshalled decompression context)."""
        with self.__lock:
            self.__ctx = ctx

    def _read(self, read: Any, input_hint: int = _HEADER_READ) -> bytes:
        """Read `input_hint` bytes; Lz4FramedNoDataError when the file object has none."""
        data = read(input_hint)
        ln = len(data)
        self.__last_read_aligned = ln == input_hint
        self.__last_hint = input_hint
        if ln == 0:
            raise Lz4FramedNoDataError()
        self.__data_read += ln
        return data

    def __step(self, ctx: Any, read: Any, input_hint: int, chunk_size: int) -> list[Any]:
        with self.__lock:
            output = decompress_update(ctx, self._read(read, input_hint), chunk_size)
            self.__next_data_block = self.__data_read + output[-1]
            return output

    def __iter__(self) -> Iterator[bytes]:
        ctx = self.__ctx
        read = self.__read
        input_hint = _HEADER_READ
        chunk_size = 32  # until the block size is known
        if self.__info is None:
            with self.__lock:
                data = self._read(read, input_hint)
                output = decompress_update(ctx, data, chunk_size)
                try:
                    self.__info = info = get_frame_info(ctx)
                    self.__first15 = data
                except Lz4FramedError as ex:
                    if ex.args[1] != LZ4F_ERROR_frameHeader_incomplete:
                        raise
                else:
                    chunk_size = get_block_size(info["block_size_id"])
                input_hint = output.pop()
                self.__next_data_block = self.__data_read + input_hint
            yield from output
        else:
            chunk_size = get_block_size(self.__info["block_size_id"])
        while input_hint > 0:
            output = self.__step(ctx, read, input_hint, chunk_size)
            input_hint = output.pop()
            yield from output

    @property
    def frame_info(self) -> dict[str, Any] | None:
        """See get_frame_info(); None until the frame header has been read."""
        return self.__info

    @property
    def data_read(self) -> int:
        """Bytes read from the file object(s) so far."""
        return self.__data_read

    @property
    def next_data_block(self) -> int:
        """Offset in the stream (counted as data_read) where the next unit the decoder waits
        for — after a block, the next block header — ends; a block boundary after a complete
        read."""
        return self.__next_data_block

    @property
    def last_read_aligned(self) -> bool:
        """Whether the last read returned exactly the input hint (then data_read lies on a unit
        boundary)."""
        return self.__last_read_aligned

    @property
    def last_hint(self) -> int:
        """The size asked for by the last read."""
        return self.__last_hint

    @property
    def first15(self) -> bytes | None:
        """The first bytes read (up to 15), which hold the frame header."""
        return self.__first15

    @property
    def ctx(self) -> Any:
        """The decompression context in use."""
        return self.__ctx
