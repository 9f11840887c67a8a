"""Copying a block of rows of the old master into the new one's rows file as bytes, checked
(master/verbatim.py finds the blocks; master/writerows.py copies them): each quarter's run by
a `Checksum`, the part by the SHA-256 of its bytes as stored (files/deflate.py's open_part)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from workbook_tools.errors import MasterError
from workbook_tools.files.deflate import INFLATE_ERRORS, crc32, open_part, packed_digest
from workbook_tools.master.readsheet import NOTHING_CHANGED

if TYPE_CHECKING:
    from workbook_tools.master.verbatim import Block

CHUNK = 4 * 1024 * 1024


class Checksum:
    """A running checksum of rows' bytes, as `hashlib.sha256()` is used: their CRC-32 (ISA-L's,
    files/deflate.py) and their length, as 24 hex digits. It checks where each quarter's rows
    end and that a block's bytes are where they were found: a mistake of ours (a wrong offset),
    or a change. It is not what stands against a change made to deceive (a CRC-32 is made to
    order in moments): that is the SHA-256 of the sheet's part as stored (deflated, with how it
    is stored and its size), `Block`'s `packed`, taken of the very bytes read where the rows
    were found and again where they are copied (files/deflate.py's open_part); a record's is
    the one the writer gave as it wrote the part (master/recorder.py's `recorded`). Hashing the
    stored bytes, a tenth of the XML, in place of a SHA-256 of the XML up to each run's end
    (650 MB of it in a four-quarter consolidate at 60 returns: the copied blocks as copied,
    again as the new master's record was made, and Savings' part) took half a CPU-second off
    that run."""

    __slots__ = ("crc", "size")

    def __init__(self) -> None:
        self.crc = 0
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self.crc = crc32(data, self.crc)
        self.size += len(data)

    def hexdigest(self) -> str:
        return f"{self.crc:08x}{self.size:016x}"


def read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """A stream's bytes, CHUNK at a time."""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return
        yield chunk


#: what reading a part raises when its zip or its bytes are not as read (a file put in its place:
#: another way of storing it, encrypted, gone)
_CHANGED: tuple[type[Exception], ...] = (zipfile.BadZipFile, KeyError, EOFError, RuntimeError,
                                         NotImplementedError, FileNotFoundError, *INFLATE_ERRORS)


def copy(path: Any, block: Block, out: str) -> None:
    """Append the block's bytes from the old master at `path` to the row file `out`, checking
    they are the bytes read.

    Raises:
        MasterError: the old master changed since it was read.
    """
    digest = Checksum()
    packed = None
    try:
        with zipfile.ZipFile(path) as archive, \
                open_part(archive, block.part, hashed=True) as stream, open(out, "ab") as target:
            at = 0
            for chunk in read_chunks(stream):
                first, last = max(block.start - at, 0), min(block.end - at, len(chunk))
                at += len(chunk)
                if last <= 0:
                    continue
                if first < last:
                    piece = chunk[first:last]
                    digest.update(piece)
                    target.write(piece)
                if at >= block.end:
                    break
            packed = packed_digest(stream)
    except _CHANGED:
        packed = None  # (its zip or the part not as read: changed)
    if digest.hexdigest() != block.digest or packed is None or packed != block.packed:
        raise MasterError(f"{path}: was changed by someone else while consolidating; run "
                          f"again. {NOTHING_CHANGED}")
