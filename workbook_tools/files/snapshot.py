"""A file someone sent, copied once before anything checks or parses it (files/guard.py).

Every check and every parser then reads the copy: a file put in the path's place after the
checks, or the same file written to in place (a second zip appended, a sheet overwritten), is
never parsed, and the digest recorded is of the bytes read. A file of a return's size is copied
into memory; a larger one (a master) into a file in a folder of this process's own, which
python-calamine (it opens files by name) is given. The copy is of a regular file only (a pipe
would never end), read no further than the size it had, and refused when the file changed
while it was copied (its size, or the times a write sets, which no one can set back).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.package import Limits, check_file_size

#: Up to this size a file is copied into memory (a return is at most 32 MB): larger, to disk.
IN_MEMORY = 32 * 1024 * 1024
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class Snapshot:
    """The copy of one file: `file` to read (seekable), `name` a path to it for a reader that
    takes a name (None for a copy in memory)."""

    def __init__(self, file: BinaryIO, name: str | None, folder: str | None) -> None:
        self.file = file
        self.name = name
        self._folder = folder

    def sha256(self) -> str:
        """The SHA-256 of the copy."""
        digest = hashlib.sha256()
        self.file.seek(0)
        for block in iter(lambda: self.file.read(1 << 20), b""):
            digest.update(block)
        return digest.hexdigest()

    def close(self) -> None:
        self.file.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def take(path: Path, limits: Limits) -> Snapshot:
    """The copy of the file at `path`.

    Raises:
        UnreadableFileError: it cannot be read, is not a regular file, is larger than `limits`
            allow (refused before it is read), or changed while it was copied.
    """
    try:
        number = os.open(path, _FLAGS)
    except (OSError, ValueError) as exc:
        raise UnreadableFileError(path, f"cannot be read ({_reason(exc)})") from None
    folder = None
    try:
        with open(number, "rb", closefd=True) as original:
            before = os.fstat(number)
            if not stat.S_ISREG(before.st_mode):
                raise UnreadableFileError(path, "is not a file that can be read as a workbook")
            check_file_size(path, before.st_size, limits)
            if before.st_size <= IN_MEMORY:
                data = original.read(before.st_size + 1)
                copy: BinaryIO = io.BytesIO(data)
                copied, name = len(data), None
            else:
                folder = tempfile.mkdtemp(prefix="workbook-tools-")
                name = os.path.join(folder, "workbook.xlsx")  # (calamine's reader by its name)
                copy = open(name, "w+b")  # noqa: SIM115 - the Snapshot's, closed in close()
                copied = _copy(original, copy, before.st_size + 1)
            after = os.fstat(number)
        if copied != before.st_size or _written(before) != _written(after):
            copy.close()
            raise UnreadableFileError(path, "changed while it was being read; save it, close "
                                      "it and run again")
        copy.seek(0)
        return Snapshot(copy, name, folder)
    except UnreadableFileError:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    except BaseException as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise UnreadableFileError(path, f"cannot be read ({_reason(exc)})") from None
        raise


def _copy(source: BinaryIO, target: BinaryIO, most: int) -> int:
    """Copy at most `most` bytes; how many were copied."""
    copied = 0
    while copied < most and (block := source.read(min(1 << 20, most - copied))):
        target.write(block)
        copied += len(block)
    return copied


def _written(found: os.stat_result) -> tuple[int, int, int, int, int]:
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__


def sha256_of(path: Path, limits: Limits) -> str | None:
    """The SHA-256 of the file at `path` as copied (None when it cannot be: see `take`)."""
    try:
        copy = take(path, limits)
    except UnreadableFileError:
        return None
    try:
        return copy.sha256()
    finally:
        copy.close()
