"""Copying a block of rows of the old master into the new one's rows file as bytes, checked
(master/verbatim.py finds the blocks; master/writerows.py copies them): each quarter's run by
a `Checksum`, the part by the SHA-256 of its bytes as stored (files/deflate.py's open_part)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from workbook_tools.errors import MasterError
from workbook_tools.files.deflate import (
    INFLATE_ERRORS,
    crc32,
    crc32_combine,
    inflated,
    inflater_of,
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

    @classmethod
    def parsed(cls, digest: str) -> Checksum:
        """The checksum whose `hexdigest` is `digest` (to go on from)."""
        found = cls()
        found.crc, found.size = int(digest[:8], 16), int(digest[8:], 16)
        return found


def read_chunks(stream: IO[bytes], size: int | None = None) -> Iterator[bytes]:
    """A stream's bytes, `size` at a time (CHUNK unless given, looked up as called: a test sets
    it smaller)."""
    if size is None:
        size = CHUNK
    while True:
        chunk = stream.read(size)
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


def _own(path: str, flags: int) -> int:
    """Open `path`, the file Splice.of made, to write (never a link put at its name)."""
    return os.open(path, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))


#: how a full flush ends a deflate stream's bytes so far: an empty block, stored
_FLUSHED = b"\x00\x00\xff\xff"
#: an empty last block, stored: inflated after bytes that end where a block does, it ends the
#: stream and gives nothing
_LAST = b"\x01\x00\x00\xff\xff"


@dataclass(frozen=True)
class Splice:
    """A block's rows copied into the new master's part as stored in the old one's
    (files/flushed.py): its bytes between the full flushes the writer made where the block's
    rows begin and end, known from the old master's record (master/record.py's `stored`).

    `take`, as the rows are written (master/writerows.py), reads those bytes into a temporary
    file `file` of this tool's own and checks them as the inflating copy (`copy`) checks its
    own: the old part's digest as stored must be the record's (the bytes hashed are the bytes
    taken, read once), and they must inflate alone, from where a full flush left the stream to
    where another did, to the rows' Checksum on record (their CRC-32 and length, from which the
    new part's CRC-32 is made). A record that says otherwise (a mistake of ours, a damaged
    entry) or a file put in the master's place is the copy's MasterError, before the new file
    is begun, and the record is forgotten (master/safe.py). `copy_into` then puts the bytes
    taken in the new part as the zip is written (files/xlsx.py, files/zipahead.py)."""

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
    file: str  # where `take` puts their bytes as stored
    #: each run's end and its Checksum on record (carried over to the new master's record
    #: without being found again: master/carried.py), each checked as the rows are taken
    digests: tuple[tuple[int, str | None], ...] = ()

    @classmethod
    def of(cls, source: Any, block: Block, at: int) -> Splice | None:
        """The splice copying `block` from the master at `source` as stored, or None when its
        record does not say where its bytes are stored (then it is copied by `copy`). Its
        `file` is made here, empty, the user's own (mkstemp), so that the process that takes
        the rows (perhaps forked from this one) and the one that puts them in the zip agree on
        it, and no one else can have put a file or a link of theirs at its name."""
        stored = block.stored
        if crc32_combine is None or not stored or not block.flushed or block.packed is None:
            return None
        first, last = stored[block.start], stored[block.end]  # (both there: block.flushed)
        if not 0 < first < last or len(block.digest) != 24 \
                or Checksum.parsed(block.digest).size != block.end - block.start:
            return None
        points = tuple(sorted((u, c) for u, c in stored.items() if block.start <= u <= block.end))
        handle, file = tempfile.mkstemp(prefix="workbook-tools-", suffix=".stored")
        os.close(handle)
        return cls(str(source), block.part, block.start, block.end, first, last,
                   Checksum.parsed(block.digest).crc, block.packed, points, at, file,
                   tuple((run.end, run.digest) for run in block.runs or ()))

    def take(self, forget: bool = True) -> None:
        """Read and check the rows' bytes as stored into `file` (see the class's notes); the
        file removed when they are not right, unless not `forget` (a helper process taking
        them for the one that made the file, which takes them again: master/writehelper.py).

        Raises:
            MasterError: the old master changed since it was read, or its record is wrong.
        """
        try:
            if not self._taken():
                raise _changed(self.source)
        except BaseException:
            if forget:
                with contextlib.suppress(OSError):
                    os.remove(self.file)
            raise

    def _taken(self) -> bool:
        inflater, digest = inflater_of(), Checksum()
        before, last, taken = b"", b"", 0
        want = self.end - self.start
        # the full flushes on record after the rows' start, in order (the last: their end)
        points = [(u, c) for u, c in self.points if u > self.start]
        digests = dict(self.digests)
        if not points or points[-1] != (self.end, self.stored_end) or any(
                c <= self.stored_start for _, c in points):
            return False
        try:
            with zipfile.ZipFile(self.source) as archive, \
                    open_part(archive, self.part, hashed=True) as stream, \
                    open(self.file, "wb", opener=_own) as out:
                at = 0
                for chunk in stored_chunks(stream):
                    first = max(self.stored_start - at, 0)
                    end = min(self.stored_end - at, len(chunk))
                    at += len(chunk)
                    if first > 0:
                        before = (before + chunk[:first])[-4:]
                    if first >= end:
                        continue
                    piece = chunk[first:end]
                    out.write(piece)
                    while piece:
                        # up to the next full flush on record, where the rows inflated so far
                        # must end as it says, and the bytes as a full flush ends them
                        cut = len(piece) if not points else min(
                            points[0][1] - self.stored_start - taken, len(piece))
                        if cut < 0:
                            return False
                        part, piece = piece[:cut], piece[cut:]
                        taken += len(part)
                        last = (last + part)[-4:]
                        for data in inflated(inflater, part):
                            digest.update(data)
                            if digest.size > want:
                                return False
                        if points and taken == points[0][1] - self.stored_start:
                            end = points.pop(0)[0]
                            found = digest.hexdigest()
                            if digest.size != end - self.start or last != _FLUSHED \
                                    or digests.get(end, found) != found:
                                return False
                packed = packed_digest(stream)
            ended = inflater.decompress(_LAST) == b"" and inflater.eof \
                and not inflater.unused_data
        except _CHANGED:
            return False
        return ended and not points and packed == self.packed and taken == self.stored_end - \
            self.stored_start and before == _FLUSHED and digest.crc == self.crc \
            and digest.size == want

    def copy_into(self, out: Deflating, piece: int) -> None:
        """Put the rows taken (`take`) in `out`, just after a full flush, `piece` bytes at a
        time, and note the old part's full flushes among them."""
        size, stored = out.size, out.stored
        with open(self.file, "rb") as source:
            for chunk in read_chunks(source, piece):
                out.stored_piece(chunk)
        if out.stored - stored != self.stored_end - self.stored_start:
            raise OSError(f"{self.file}: the rows taken to copy are not all there")
        out.crc = crc32_combine(out.crc, self.crc, self.end - self.start)
        out.size += self.end - self.start
        for u, c in self.points:
            out.points[size + u - self.start] = stored + c - self.stored_start

    def discard(self) -> None:
        """Remove the file of the rows taken."""
        with contextlib.suppress(OSError):
            os.remove(self.file)
