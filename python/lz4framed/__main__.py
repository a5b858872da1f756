"""python -m lz4framed (compress|decompress) (INFILE|-) [OUTFILE]

(De)compresses LZ4 frames. Input is read from INFILE, or stdin for '-'; output goes to
OUTFILE (replaced if it exists), or stdout. Compression writes one frame with the file
API's defaults (4 MiB linked blocks, content checksum); decompression reads every frame. Both
use all cores.

Exit status: 0 success, 1 usage, 2 INFILE cannot be opened, 4 OUTFILE cannot be opened,
8 invalid data or an I/O error while (de)compressing.
"""

from __future__ import annotations

import shutil
import sys
from typing import BinaryIO

from . import Lz4FramedError, LZ4FrameFile

USAGE = """USAGE: lz4framed (compress|decompress) (INFILE|-) [OUTFILE]

(De)compresses an lz4 frame. Input is read from INFILE unless set to '-', in
which case stdin is used. If OUTFILE is not specified, output goes to stdout."""

_COPY_SIZE = 1 << 20


def _message(ex: Exception) -> str:
    """An Lz4FramedError's message (its args are (message, code)), or the exception as text."""
    if isinstance(ex, Lz4FramedError) and ex.args:
        return str(ex.args[0])
    return str(ex)


def _error(message: str) -> None:
    print(f"lz4framed: {message}", file=sys.stderr)


def do_compress(in_stream: BinaryIO, out_stream: BinaryIO) -> int:
    """Compress `in_stream` into one frame on `out_stream`."""
    try:
        with LZ4FrameFile(out_stream, "wb") as out:
            shutil.copyfileobj(in_stream, out, _COPY_SIZE)
    except (Lz4FramedError, OSError) as ex:
        _error(f"compression error: {_message(ex)}")
        return 8
    return 0


def do_decompress(in_stream: BinaryIO, out_stream: BinaryIO) -> int:
    """Decompress every frame of `in_stream` onto `out_stream`."""
    try:
        with LZ4FrameFile(in_stream, "rb") as src:
            shutil.copyfileobj(src, out_stream, _COPY_SIZE)
    except (Lz4FramedError, OSError) as ex:
        _error(f"decompression error: {_message(ex)}")
        return 8
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if not (2 <= len(args) <= 3 and args[0] in ("compress", "decompress")):
        print(USAGE, file=sys.stderr)
        return 1
    action, infile = args[0], args[1]
    outfile = args[2] if len(args) == 3 else None
    in_file = out_file = None
    try:
        if infile == "-":
            in_stream = sys.stdin.buffer
        else:
            try:
                in_stream = in_file = open(infile, "rb")
            except OSError as ex:
                _error(f"cannot open input file: {ex}")
                return 2
        if outfile is None or outfile == "-":
            out_stream = sys.stdout.buffer
        else:
            try:
                out_stream = out_file = open(outfile, "wb")
            except OSError as ex:
                _error(f"cannot open output file: {ex}")
                return 4
        run = do_compress if action == "compress" else do_decompress
        status = run(in_stream, out_stream)
        out_stream.flush()
        return status
    finally:
        if in_file is not None:
            in_file.close()
        if out_file is not None:
            out_file.close()


if __name__ == "__main__":
    sys.exit(main())
