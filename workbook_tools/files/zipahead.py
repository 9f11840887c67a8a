"""The largest sheet of a workbook being saved, deflated by a thread of its own while this one
deflates the other parts (the zip of files/xlsx.py's close_workbook).

Deflating is one core's work at the end of writing a master (four quarters at 60 returns: 300
MB of XML, 0.45 s) while the other core is idle. Where there are two cores, the largest streamed
sheet (its part's head, its rows' file and its tail) is deflated into a temporary file by
another thread from the moment the zip starts; the zip's own thread deflates the other parts
meanwhile, then adds that sheet last: the local header zipfile's own writer gives a part once
its CRC and sizes are known, then its bytes as deflated. The zip is the same format every
reader takes (the parts' order is not part of it). A sheet the thread could not deflate (it
failed, or took far longer than deflating takes) is deflated by the zip's thread, as before.

Why a thread: zlib deflates and reckons CRC-32s without holding the interpreter's lock, and so
does reading a file, so the two threads deflate at once on two cores. A forked process did
the same before, but it shared every page of the writing process, which went on writing beside
it: each page either touched was copied, 11-15 MB in its half second at four quarters
of 240 returns, at the run's largest use of memory. A thread shares them without copying, and
runs where processes do not fork (Windows) as well.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import weakref
import zipfile
from typing import Any

from workbook_tools import parallel
from workbook_tools.files.deflate import StoredDigest
from workbook_tools.files.flushed import deflate_part

#: Bytes of a sheet's rows below which it is deflated with the others: a thread costs more than
#: it saves.
AHEAD_BYTES = 32 * 1024 * 1024
#: Bytes a second below which the thread is taken to be stuck (it deflates hundreds of MB a
#: second): its sheet is deflated by the zip's thread.
SLOWEST = 2 * 1024 * 1024
WAIT = 60  # seconds, on top
_CHUNK = 1 << 20
#: Bytes the thread reads at a time: what it allocates it frees into a C heap of its own (glibc
#: keeps an arena a thread), which is not given back to the system; 4 MB pieces (the copied
#: rows' reading) left 8 MB held by the writing process to its end.
PIECE = 256 * 1024


class _Deflated:
    """What the thread deflating a part found, once `done`: (CRC-32, bytes, full flushes), or
    None when it failed."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.found: tuple[int, int, dict[int, int]] | None = None


class Ahead:
    """One sheet's part being deflated by another thread. `part_file` is xlsxwriter's file of
    the part (its head, the rows' mark, its tail), `rows_file` the sheet's rows; `info` is set
    when the zip comes to the part, which is then added by `add`."""

    def __init__(self, sheet: Any, head: bytes, tail: bytes, level: int | None) -> None:
        self.sheet, self.head, self.tail = sheet, head, tail
        self.part_file, self.rows_file = sheet.part_file, sheet.rows_file
        self.info: zipfile.ZipInfo | None = None
        handle, self.out = tempfile.mkstemp(prefix="workbook-tools-", suffix=".deflated")
        os.close(handle)
        self.deflated = _Deflated()
        try:
            # (the thread holds what it deflates, not this Ahead: dropped, its file goes)
            threading.Thread(target=_deflate, name="workbook-tools deflate", daemon=True,
                             args=(head, self.rows_file, tail, level, self.out, sheet,
                                   self.deflated)).start()
        except BaseException:
            os.remove(self.out)
            raise
        # its file removed however the zip ends: closed, or dropped when xlsxwriter raised
        # before closing it (a full disk, Ctrl+C)
        self.discard = weakref.finalize(self, _discard, self.out)
        #: how long the thread may take: far longer than deflating ever takes
        self.timeout = WAIT + os.path.getsize(self.rows_file) / SLOWEST

    def result(self) -> tuple[int, int, dict[int, int]] | None:
        """(CRC-32, bytes, full flushes: files/flushed.py) of the part the thread deflated into
        `out`, or None when it did not (it failed, or had not done by `timeout`)."""
        if not self.deflated.done.wait(self.timeout):
            return None
        return self.deflated.found


def _discard(out: str) -> None:
    """Remove the file the thread deflated into."""
    with contextlib.suppress(OSError):
        os.remove(out)


def start(sheets: list[Any], level: int | None, mark: bytes) -> Ahead | None:
    """The largest of the streamed `sheets` (those whose part and rows' files are written)
    set deflating by another thread; None when that is not worth it (one core, or a small
    sheet). `mark` stands for the rows in a part's file."""
    found = [(os.path.getsize(s.rows_file), s) for s in sheets
             if s.rows_file is not None and s.part_file is not None
             and os.path.exists(s.rows_file) and os.path.exists(s.part_file)]
    if not found or parallel.cores() < 2:
        return None
    size, sheet = max(found, key=lambda f: f[0])
    if size < AHEAD_BYTES:
        return None
    with open(sheet.part_file, "rb") as part:
        pieces = part.read().split(mark, 1)
    if len(pieces) != 2:
        return None
    try:
        return Ahead(sheet, pieces[0], pieces[1], level)
    except (OSError, RuntimeError):  # (no file or thread to be had: deflated with the others)
        return None


def _deflate(head: bytes, rows: str, tail: bytes, level: int | None, out: str, sheet: Any,
             deflated: _Deflated) -> None:
    """In the thread: the part deflated into `out` (with full flushes where the sheet has
    them: files/flushed.py), and its CRC-32, size and full flushes noted in `deflated`."""
    try:
        with open(out, "wb") as target:
            deflated.found = deflate_part(target.write, head, rows, tail, level, sheet.breaks,
                                          sheet.splice, PIECE)
    except BaseException:  # noqa: BLE001 - nothing found: the part is deflated as before
        deflated.found = None
    finally:
        deflated.done.set()


def add(archive: zipfile.ZipFile, info: zipfile.ZipInfo, deflated: str, crc: int,
        size: int) -> str:
    """Add the part `info` to `archive` (written to a seekable file) from its raw deflated
    bytes in the file `deflated`, as zipfile's own writer leaves a part it deflated: the local
    header with the CRC and sizes (ZIP64 when the part needs it), the bytes, the part listed.
    Returns the part's digest as stored, as written (deflate.py's packed_digest of it)."""
    info.CRC, info.file_size = crc, size
    info.compress_size = os.path.getsize(deflated)
    info.flag_bits = 0
    if not info.external_attr:
        info.external_attr = 0o600 << 16
    large = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    zip64 = getattr(archive, "_allowZip64", True) and (
        large or info.file_size * 1.05 > zipfile.ZIP64_LIMIT)
    if large and not zip64:
        raise zipfile.LargeZipFile("Filesize would require ZIP64 extensions")
    fp: Any = archive.fp
    with archive._lock:  # type: ignore[attr-defined]
        fp.seek(archive.start_dir)
        info.header_offset = fp.tell()
        archive._writecheck(info)  # type: ignore[attr-defined]
        archive._didModify = True  # type: ignore[attr-defined]
        fp.write(info.FileHeader(zip64))
        packed = StoredDigest()
        with open(deflated, "rb") as source:
            for chunk in iter(lambda: source.read(_CHUNK), b""):
                packed.update(chunk)  # (as written: deflate.py's packed_digest of the part)
                fp.write(chunk)
        archive.start_dir = fp.tell()
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info
    return packed.of(info)
