"""The quarter's rows kept on disk a return at a time (files/spool.py), read back in order by
the writer, rather than held: 240,000 rows at 240 returns, 170 MB as objects. A new master's
rows, or those after the rows copied from the old master (sheetrow.Copied's tail:
master/streamed.py)."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from workbook_tools.files.spool import Place, Spool
from workbook_tools.master.columncode import Coded
from workbook_tools.master.columncoder import ColumnCoder, expected_of
from workbook_tools.master.sheetrow import Row, column_of


class ChunkedRows(Sequence[Any]):
    """A sheet's rows for the quarter, a return's at a time in the spool (`add`), in the
    sheet's order; read back a chunk at a time (the last one read is held). Rows made afresh
    from returns: none carries people's cells, none is copied from the old master.

    `positions`: the sheet's header places, when its rows are sheetrow.Rows (kept as their
    values, made into Rows as read); None when they are dicts."""

    afresh = True  # (none carries people's cells, none is copied: sheetrow.with_cells)

    def __init__(self, spool: Spool, positions: dict[str, int] | None,
                 same: dict[str, Any] | None = None) -> None:
        self.spool, self.positions = spool, positions
        self.same = same or {}  # header -> the value every row has under it (the quarter)
        self.chunks: list[tuple[int, Place]] = []  # (first row, place)
        self.size = 0
        self._held: tuple[int, list[Any]] | None = None

    def add(self, rows: list[Any]) -> None:
        """Keep the next rows (in order)."""
        if not rows:
            return
        kept = [tuple(row) for row in rows] if self.positions is not None else rows
        self.chunks.append((self.size, self.spool.put(kept)))
        self.size += len(rows)

    def __len__(self) -> int:
        return self.size

    def _chunk(self, number: int) -> list[Any]:
        if self._held is None or self._held[0] != number:
            self._held = None  # (let go of before the next is read)
            found = self.spool.get(self.chunks[number][1])
            if self.positions is not None:
                positions = self.positions
                found = [Row(values, positions, None) for values in found]
            self._held = (number, found)
        return self._held[1]

    def _number(self, index: int) -> int:
        held = self._held
        if held is not None:  # (read in order, nearly always: the chunk held, or the next)
            first = self.chunks[held[0]][0]
            if first <= index < first + len(held[1]):
                return held[0]
        return bisect.bisect_right(self.chunks, index, key=itemgetter(0)) - 1

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.size))]
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise IndexError("row index out of range")
        number = self._number(index)
        return self._chunk(number)[index - self.chunks[number][0]]

    def __iter__(self) -> Iterator[Any]:
        for number in range(len(self.chunks)):
            yield from self._chunk(number)

    def column(self, header: str) -> list[Any]:
        """Every row's cell under `header` (sheetrow.column_of), a chunk at a time."""
        return self.columns([header])[0]

    def columns(self, headers: Sequence[str]) -> list[list[Any]]:
        """`column` of each of `headers`, every chunk read once for them all (none read for a
        column every row has the `same` value in)."""
        same = self.same
        found: list[list[Any]] = [[same[h]] * self.size if h in same else [] for h in headers]
        read = [(column, header) for column, header in zip(found, headers, strict=True)
                if header not in same]
        for number in range(len(self.chunks) if read else 0):
            chunk = self._chunk(number)
            for column, header in read:
                column += column_of(chunk, header)
        return found

    def coded(self, headers: Sequence[str],
              prepare: Sequence[Callable[[list[Any]], list[Any] | None] | None],
              expected: Sequence[Any] = ()) -> list[Coded] | None:
        """`columns` of `headers` as master/columncode.Coded, each coded a chunk at a time
        (master/columncoder.py), each chunk's cells given first to the header's `prepare` when
        it has one (None from it: None here). A list of every cell was 8 bytes a cell, and an
        object each for cells read from different returns (Savings' rows at four quarters of
        240 returns: 48,000, their amounts 192,000 floats of 15 values)."""
        coders = [ColumnCoder(expected_of(before)) for before in
                  itertools.chain(expected, itertools.repeat(None, len(headers) - len(expected)))]
        same = self.same
        for number in range(len(self.chunks)):
            chunk = self._chunk(number)
            for coder, header, made in zip(coders, headers, prepare, strict=True):
                cells = [same[header]] * len(chunk) if header in same else column_of(
                    chunk, header)
                found = cells if made is None else made(cells)
                if found is None:
                    return None
                coder.add(found)
        return [coder.coded() for coder in coders]

    def __reduce__(self) -> Any:  # (sent elsewhere: the rows themselves)
        return list, (list(self),)
