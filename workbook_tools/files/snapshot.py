"""A file someone sent, copied once before anything checks or parses it (files/guard.py).

Every check and every parser then reads the copy: a file put in the path's place after the
checks, or the same file written to in place (a second zip appended, a sheet overwritten), is
never parsed, and the digest recorded is of the bytes read. A return (or a register) is copied
into memory; a master into a file in a folder of this process's own, which python-calamine (it
opens files by name) is given, or into memory where no such copy can be made. The copy is of
a regular file only (a pipe would never end), read no further than the size it had, and
refused when the file changed while it was copied (its size, or the times a write sets).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.package import Limits, check_file_size, sha256_read

#: A file whose limits allow at most this size (a return's, a register's) is copied into memory;
#: one whose limits allow more (a master's) to disk.
IN_MEMORY = 32 * 1024 * 1024
CHANGED = "file-changed"  # the error's code for a file that changed while it was copied
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(
    os, "O_BINARY", 0)


class Snapshot:
    """The copy of one file: `file` to read (seekable), `name` a path to it for a reader that
    takes a name (None for a copy in memory)."""

    def __init__(self, file: BinaryIO, name: str | None, folder: str | None) -> None:
        self.file = file
        self.name = name
        self._folder = folder

    def sha256(self) -> str:
        """The SHA-256 of the copy."""
        self.file.seek(0)
        return sha256_read(self.file)

    def close(self) -> None:
        self.file.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def take(path: Path, limits: Limits, copy: bool = True) -> Snapshot:
    """The copy of the file at `path`: into memory when `limits` are a return's (at most
    IN_MEMORY), else to disk (into memory where no copy can be made on disk). `copy` False:
    the file as opened, not copied, for a file the tool has just written and checks by its
    digest before and after reading (master/recorder.py): a master's copy is 138 MB at 240
    returns.

    Raises:
        UnreadableFileError: it cannot be read, is not a regular file, is larger than `limits`
            allow (refused before it is read), or changed while it was copied (code
            'file-changed').
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # (a device is not even opened)
            raise UnreadableFileError(path, "is not a file that can be read as a workbook")
        number = os.open(path, _FLAGS)
    except (OSError, ValueError) as exc:
        raise UnreadableFileError(path, f"cannot be read ({_reason(exc)})") from None
    try:
        before = os.fstat(number)
        if not stat.S_ISREG(before.st_mode):
            raise UnreadableFileError(path, "is not a file that can be read as a workbook")
        check_file_size(path, before.st_size, limits)
        original = open(number, "rb", closefd=True)  # noqa: SIM115 - closed below or by close()
    except BaseException as exc:
        os.close(number)
        if isinstance(exc, OSError):
            raise UnreadableFileError(path, f"cannot be read ({_reason(exc)})") from None
        raise
    if not copy:
        return Snapshot(original, None, None)
    with original:
        try:
            if limits.max_file_bytes > IN_MEMORY:
                found = _on_disk(original, before.st_size + 1)
                if found is not None:
                    return _unchanged(path, number, before, *found)
                original.seek(0)  # (no copy on disk could be made: one in memory)
            data = original.read(before.st_size + 1)
            return _unchanged(path, number, before, io.BytesIO(data), len(data), None, None)
        except OSError as exc:
            raise UnreadableFileError(path, f"cannot be read ({_reason(exc)})") from None


def _on_disk(original: BinaryIO, most: int) -> tuple[BinaryIO, int, str, str] | None:
    """The copy in a folder of this process's own (None when none can be made there)."""
    try:
        folder = tempfile.mkdtemp(prefix="workbook-tools-")
    except OSError:  # (no temporary folder: the copy is made in memory)
        return None
    copy = None
    try:
        name = os.path.join(folder, "workbook.xlsx")  # (calamine picks its reader by the name)
        copy = open(name, "w+b")  # noqa: SIM115 - the Snapshot's, closed in its close()
        return copy, _copy(original, copy, most), name, folder
    except BaseException as exc:
        if copy is not None:
            copy.close()
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):  # (a full disk: the copy is made in memory)
            return None
        raise


def _unchanged(path: Path, number: int, before: os.stat_result, copy: BinaryIO, copied: int,
               name: str | None, folder: str | None) -> Snapshot:
    """The Snapshot of `copy` if the file did not change while it was copied."""
    made = Snapshot(copy, name, folder)
    try:
        after = os.fstat(number)
    except BaseException:
        made.close()
        raise
    if copied != before.st_size or _written(before) != _written(after):
        made.close()
        raise UnreadableFileError(path, "changed while it was being read; save it, close it "
                                  "and run again", CHANGED)
    copy.seek(0)
    return made


def _copy(source: BinaryIO, target: BinaryIO, most: int) -> int:
    """Copy at most `most` bytes; how many were copied."""
    copied = 0
    while copied < most and (block := source.read(min(1 << 20, most - copied))):
        target.write(block)
        copied += len(block)
    return copied


def _written(found: os.stat_result) -> tuple[int, int, int]:
    """What a write changes (ctime too, which no one can set back; a write within the
    system's clock tick may go unseen, and is harmless: the copy is what is checked)."""
    return found.st_size, found.st_mtime_ns, found.st_ctime_ns


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__

