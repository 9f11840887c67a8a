"""Copying a block of rows of the old master into the new one's rows file as bytes, checked
(master/verbatim.py finds the blocks; master/writerows.py copies them): each quarter's run by
a `Checksum`, the part by the SHA-256 of its bytes as stored (files/deflate.py's open_part)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from workbook_tools.errors import MasterError
from workbook_tools.files.deflate import (
    INFLATE_ERRORS,
    crc32,
    crc32_combine,
    open_part,
    packed_digest,
    stored_chunks,
)
from workbook_tools.master.readsheet import NOTHING_CHANGED

if TYPE_CHECKING:
    from workbook_tools.files.flushed import Deflating
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


def _changed(path: Any) -> MasterError:
    return MasterError(f"{path}: was changed by someone else while consolidating; run again. "
                       f"{NOTHING_CHANGED}")


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
        raise _changed(path)


#: how a full flush ends a deflate stream's bytes so far: an empty block, stored
_FLUSHED = b"\x00\x00\xff\xff"


@dataclass(frozen=True)
class Splice:
    """A block's rows copied into the new master's part as stored in the old one's
    (files/flushed.py): its bytes between the full flushes the writer made where the block's
    rows begin and end, known from the old master's record (master/record.py's `stored`).

    What they inflate to is known from the same record: the rows' Checksum (their CRC-32 and
    length, from which the new part's CRC-32 is made) and the old part's digest as stored, which
    the bytes read here must have (read once, as they are copied: the bytes checked are the
    bytes copied), as the inflating copy checks (`copy`). A record is the user's own (see
    master/record.py), made from what this tool's writer wrote; each full flush it gives is
    checked here to be one (the bytes before the copy and the copy's own end as a full flush
    ends them)."""

    source: str  # the old master
    part: str
    start: int  # the rows' bytes in the part (uncompressed)
    end: int
    stored_start: int  # the same bytes as stored
    stored_end: int
    crc: int
    packed: str
    points: tuple[tuple[int, int], ...]  # the old part's full flushes from start to end
    at: int  # where the rows go among the new part's rows (after its header row)

    @classmethod
    def of(cls, source: Any, block: Block, at: int) -> Splice | None:
        """The splice copying `block` from the master at `source` as stored, or None when its
        record does not say where its bytes are stored (then it is copied by `copy`)."""
        stored = block.stored
        if crc32_combine is None or not stored or block.packed is None:
            return None
        first, last = stored.get(block.start), stored.get(block.end)
        if first is None or last is None or not 0 < first < last \
                or len(block.digest) != 24 or int(block.digest[8:], 16) != block.end - block.start:
            return None
        points = tuple(sorted((u, c) for u, c in stored.items() if block.start <= u <= block.end))
        return cls(str(source), block.part, block.start, block.end, first, last,
                   int(block.digest[:8], 16), block.packed, points, at)

    def copy_into(self, out: Deflating) -> None:
        """Put the rows in `out` (just after a full flush) as stored in the old part, and note
        its full flushes among them.

        Raises:
            MasterError: the old master changed since it was read.
        """
        size, stored = out.size, out.stored
        before, last, taken = b"", b"", 0
        packed = None
        try:
            with zipfile.ZipFile(self.source) as archive, \
                    open_part(archive, self.part, hashed=True) as stream:
                at = 0
                for chunk in stored_chunks(stream):
                    first = max(self.stored_start - at, 0)
                    end = min(self.stored_end - at, len(chunk))
                    if first > 0:
                        before = (before + chunk[:first])[-4:]
                    if first < end:
                        piece = chunk[first:end]
                        out.stored_piece(piece)
                        taken += len(piece)
                        last = (last + piece)[-4:]
                    at += len(chunk)
                packed = packed_digest(stream)
        except _CHANGED:
            packed = None
        if packed is None or packed != self.packed or taken != self.stored_end - \
                self.stored_start or before != _FLUSHED or last != _FLUSHED:
            raise _changed(self.source)
        out.crc = crc32_combine(out.crc, self.crc, self.end - self.start)
        out.size += self.end - self.start
        for u, c in self.points:
            out.points[size + u - self.start] = stored + c - self.stored_start
