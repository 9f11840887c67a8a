"""A sheet's part deflated with a full flush where its rows begin, where each quarter's rows
begin and where they end (issue 16), and, in it, an earlier master's rows copied as they were
stored rather than inflated and deflated again.

After a full flush a deflate stream refers to nothing before it, so the stored bytes between
two full flushes inflate alone, the same wherever they are put after one: a consolidate copies
the earlier quarters' rows of the master it reads (master/verbatim_copy.py's `Splice`) by their
stored bytes, a tenth of the XML, in place of inflating, checking, writing to a file, reading
back and deflating again every byte (at 60 returns over four quarters: about 300 MB of XML).
The CRC-32 zip keeps of the part is made from the copied bytes' own (`crc32_combine`). The
stream is the deflate format every reader takes; five full flushes cost a few KB of a 15 MB part.

Where each full flush falls (`Deflating.points`: the part's bytes before it, uncompressed, and
its bytes as stored) goes on the new master's record (master/recorder.py), which the next
consolidate's copy takes its stored bytes by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, Protocol

from workbook_tools.files.deflate import (
    FULL_FLUSH,
    crc32,
    deflater,
    inflated,
    inflater_of,
    stored_chunks,
)

_CHUNK = 1 << 20


class Deflating:
    """A part deflated by `deflater(level)` as its bytes are given, written to `write`: its
    CRC-32, its bytes, its bytes as stored, and where each full flush left it (`points`)."""

    def __init__(self, write: Callable[[bytes], Any], level: int | None) -> None:
        self.write = write
        self.compressor = deflater(level)
        self.crc = self.size = self.stored = 0
        #: each full flush: the part's bytes before it -> its stored bytes before what follows
        self.points: dict[int, int] = {}

    def put(self, data: bytes) -> None:
        if data:
            self.crc = crc32(data, self.crc)
            self.size += len(data)
            self._out(self.compressor.compress(data))

    def flush_point(self) -> None:
        """A full flush here (none when there is one here already)."""
        if self.points.get(self.size) == self.stored:
            return
        self._out(self.compressor.flush(FULL_FLUSH))
        self.points[self.size] = self.stored

    def stored_piece(self, data: bytes) -> None:
        """Bytes as stored, put in after a full flush as they are (see `Stored`)."""
        self._out(data)

    def finish(self) -> None:
        self._out(self.compressor.flush())

    def _out(self, data: bytes) -> None:
        if data:
            self.write(data)
            self.stored += len(data)


class Stored(Protocol):
    """Rows to put in a part as stored in another (master/verbatim_copy.py's Splice)."""

    at: int  # where they go among the rows (after the header row)

    def copy_into(self, out: Deflating, piece: int) -> None: ...


def deflate_part(write: Callable[[bytes], Any], head: bytes, rows_file: str, tail: bytes,
                 level: int | None, breaks: Sequence[int] | None,
                 splice: Stored | None, piece: int = _CHUNK) -> tuple[int, int, dict[int, int]]:
    """A sheet's part, its `head`, the rows in `rows_file` and its `tail`, deflated to `write`;
    with a full flush before each row numbered in `breaks` (ascending) and where the rows end,
    when `breaks` or `splice` is given (else none: the part as zipfile's writer deflates it);
    the rows `splice` copies put in after the header row; read `piece` bytes at a time. Returns
    the part's CRC-32, its bytes and where each full flush fell (Deflating.points)."""
    out = Deflating(write, level)
    out.put(head)
    with open(rows_file, "rb") as source:
        if splice is not None:
            header = source.read(splice.at)
            if len(header) != splice.at:
                raise ValueError(f"{rows_file}: the rows' file is shorter than its header row")
            out.put(header)
            out.flush_point()
            splice.copy_into(out, piece)
        _rows(out, source, breaks or (), piece)
    if breaks is not None or splice is not None:
        out.flush_point()
    out.put(tail)
    out.finish()
    return out.crc, out.size, out.points


def _rows(out: Deflating, source: IO[bytes], breaks: Sequence[int], piece: int) -> None:
    """The rows' bytes, with a full flush before each row numbered in `breaks` (a row's tag is
    the only place `<row r="` is found in our rows: a `<` in a text is written `&lt;`)."""
    marks = [b'<row r="%d"' % number for number in breaks]
    i, carry = 0, b""
    for chunk in iter(lambda: source.read(piece), b""):
        data, pos = carry + chunk if carry else chunk, 0
        while i < len(marks):
            found = data.find(marks[i], pos)
            if found < 0:
                break
            out.put(data[pos:found])
            out.flush_point()
            pos, i = found, i + 1
        # bytes that may hold the start of the next row's mark wait for the next chunk
        keep = len(marks[i]) - 1 if i < len(marks) else 0
        cut = max(pos, len(data) - keep)
        out.put(data[pos:cut])
        carry = data[cut:]
    out.put(carry)


def inflated_around(stream: IO[bytes], start: int, end: int, most: int,
                    piece: int | None = None) -> Iterator[bytes]:
    """A part's bytes, inflated from its bytes as stored as they are read from `stream` (a
    part opened `hashed`: files/deflate.py's open_part; every stored byte is hashed), but for
    those between the full flushes at stored offsets `start` and `end`, which are not
    inflated: the bytes before the first, then those after the other, inflated alone, at most
    `piece` bytes at a time (deflate.INFLATED_AT_MOST unless given). At most `most` bytes in
    all (the part's size: more is a ValueError)."""
    inflater, at, given, fresh = inflater_of(), 0, 0, True
    for chunk in stored_chunks(stream):
        low, at = at, at + len(chunk)
        work = [(False, chunk[:start - low])] if low < start else []
        if at > end:
            work.append((True, chunk[max(end - low, 0):]))
        for later, stored in work:
            if later and fresh:  # (what follows a full flush inflates alone)
                inflater, fresh = inflater_of(), False
            for data in inflated(inflater, stored, piece):
                given += len(data)
                if given > most:
                    raise ValueError("the part is longer than it says")
                yield data
