"""python -m lz4framed (compress|decompress) (INFILE|-) [OUTFILE]

(De)compresses LZ4 frames. Input is read from INFILE, or stdin for '-'; output goes to
OUTFILE (replaced if it exists), or stdout. Compression writes one frame with the file
API's defaults (4 MiB linked blocks, content checksum); decompression reads every frame. Both
use all cores.

OUTFILE is written as a hidden temporary file beside it and renamed into place only on success
(as the `lz4framed` command line does): a failure, or an interruption (Ctrl-C), leaves no
partial OUTFILE and an existing one unchanged, and INFILE may be OUTFILE. The new file gets
the permissions an existing OUTFILE had (else those of a new file under the umask); a
symbolic link is written through (the file it points to is replaced, the link stays); a
device or FIFO (/dev/null) is written directly.

`-h`/`--help` prints the usage to stdout (exit 0).

Exit status: 0 success, 1 usage, 2 INFILE cannot be opened, 4 OUTFILE cannot be opened,
8 invalid data or an I/O error while (de)compressing, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import shutil
import stat
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


class _Output:
    """OUTFILE: a temporary file in its folder, renamed onto it by `commit()`; removed by
    `discard()` (see the module docs). A device or FIFO is opened and written directly."""

    def __init__(self, path: str) -> None:
        # Write through a symbolic link (its target is replaced, the link stays).
        target = os.path.realpath(path) if os.path.islink(path) else path
        try:
            mode = os.stat(target).st_mode
        except FileNotFoundError:
            mode = None
        self.target = target
        self.temp: str | None = None
        if mode is not None and not stat.S_ISREG(mode):
            # Not a regular file: a device or FIFO is written as it is; a directory fails.
            self.stream: BinaryIO = open(target, "wb")
            return
        folder, name = os.path.split(target)
        for attempt in range(100):
            temp = os.path.join(folder, f".{name}.{os.getpid()}.{attempt}.lz4framed-tmp")
            try:
                # 0o666 under the umask, as open(path, "wb") creates a file.
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            except OSError as ex:
                # Name the OUTFILE, not the temporary file, in the message.
                raise type(ex)(ex.errno, ex.strerror, path) from None
            self.temp = temp
            if mode is not None:
                os.chmod(fd, stat.S_IMODE(mode))
            self.stream = os.fdopen(fd, "wb")
            return
        raise FileExistsError(f"{path}: no free temporary file name beside it")

    def commit(self) -> None:
        """Flush and close, and move the temporary file onto OUTFILE."""
        self.stream.close()
        if self.temp is not None:
            os.replace(self.temp, self.target)
            self.temp = None

    def discard(self) -> None:
        """Close, and remove the temporary file (OUTFILE stays as it was)."""
        try:
            self.stream.close()
        except OSError:
            pass
        if self.temp is not None:
            try:
                os.remove(self.temp)
            except OSError:
                pass
            self.temp = None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 1 and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if not (2 <= len(args) <= 3 and args[0] in ("compress", "decompress")):
        print(USAGE, file=sys.stderr)
        return 1
    action, infile = args[0], args[1]
    outfile = args[2] if len(args) == 3 else None
    in_file = None
    output: _Output | None = None
    status = 1
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
                output = _Output(outfile)
            except OSError as ex:
                _error(f"cannot open output file: {ex}")
                return 4
            out_stream = output.stream
        run = do_compress if action == "compress" else do_decompress
        try:
            status = run(in_stream, out_stream)
        except KeyboardInterrupt:
            _error("interrupted")
            status = 130
            return status
        if status == 0:
            try:
                if output is not None:
                    output.commit()
                else:
                    out_stream.flush()
            except OSError as ex:
                _error(f"cannot write output file: {ex}")
                status = 8
        return status
    finally:
        if in_file is not None:
            in_file.close()
        if output is not None and (status != 0 or output.temp is not None):
            output.discard()


if __name__ == "__main__":
    sys.exit(main())
