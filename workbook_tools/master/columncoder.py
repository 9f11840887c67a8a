"""A column coded as its cells are read (master/columncode.py's Coded: its distinct values once
each, in the order first met, and each cell's place among them), a chunk of cells at a time.

The record of a master just written (master/recorder.py) reads the cells of the rows written
anew: kept as lists until the record was made, at four quarters of 240 returns that was a
reference of 8 bytes a cell and an object for every cell read (the helper that makes the lean
sheets' records held 75 MB; the process it answers took its lists back, 334,000 objects). Coded
a chunk at a time, a cell keeps 1 to 4 bytes and only the distinct values stay: the helper's
answer 17.7 MB (334,780 objects) -> 9.1 MB (121,007); with the reader's caches emptied a chunk
at a time too (recorder.py), the four-quarter consolidate's memory in use at 60 returns 137-149
-> 125-134 MB, at 240 returns 210-220 -> 187-196.

True is equal to 1.0 and -0.0 to 0.0, so a dict would take one for the other: once a chunk holds
-0.0 the values are told apart by type and sign (columncode's own key), as encode does.
"""

from __future__ import annotations

from array import array
from typing import Any

from workbook_tools.master.columncode import Coded, code_of, has_negative_zero, typed_key
from workbook_tools.master.packedtexts import Texts, packed


class ColumnCoder:
    """A column's cells, added a chunk at a time (`add`), then `coded`."""

    __slots__ = ("expected", "index", "places", "table", "typed")

    def __init__(self, expected: Texts | None = None) -> None:
        self.index: dict[Any, int] = {}  # a value's place (its key's, once typed)
        self.table: list[Any] = []
        self.places: array[int] = array("B")
        self.typed = False
        #: the texts the cells are expected to be, in order (the IDs of the quarter before,
        #: packed): while they are, each cell's place is its row's, and no text is made or
        #: looked up (a quarter's 48,000 Savings IDs at 240 returns: their objects and a dict)
        self.expected = expected

    def add(self, chunk: list[Any]) -> None:
        """The cells of `chunk` after those added before."""
        if self.expected is not None and self._as_expected(chunk):
            return
        index, table = self.index, self.table
        if not self.typed and (bool in set(map(type, chunk)) or has_negative_zero(chunk)):
            self.typed = True  # (told apart from here on, the table's values too)
            index.clear()
            index.update(zip(map(typed_key, table), range(len(table)), strict=True))
        if self.typed:
            keys = list(map(typed_key, chunk))
            firsts = dict(zip(keys, chunk, strict=True))  # (a key's value: any, all equal)
            fresh = [(k, v) for k, v in firsts.items() if k not in index]
            index.update((k, len(table) + i) for i, (k, _) in enumerate(fresh))
            table += [v for _, v in fresh]
            self._fit()
            self.places.extend(map(index.__getitem__, keys))
            return
        new = [v for v in dict.fromkeys(chunk) if v not in index]
        if new:
            index.update(zip(new, range(len(table), len(table) + len(new)), strict=True))
            table += new
            self._fit()
        self.places.extend(map(index.__getitem__, chunk))

    def _as_expected(self, chunk: list[Any]) -> bool:
        """Whether `chunk` is the next of the expected texts (its places then added); when it
        is not, coding goes on as without them, from the table of those met so far."""
        expected = self.expected
        assert expected is not None  # (add's)
        done = len(self.places)
        if chunk == expected.between(done, done + len(chunk)):  # (in C)
            code = code_of(done + len(chunk))
            if code != self.places.typecode:
                self.places = array(code, self.places)
            self.places.extend(range(done, done + len(chunk)))
            return True
        self.table = expected.between(0, done)
        self.index = dict(zip(self.table, range(done), strict=True))
        self.expected = None
        return False

    def _fit(self) -> None:
        """The places widened when the table has outgrown their width (twice at most)."""
        code = code_of(len(self.table))
        if code != self.places.typecode:
            self.places = array(code, self.places)

    def coded(self) -> Coded:
        """The column so far; its table packed when of many texts (master/packedtexts.py: the
        new quarter's IDs and proposals, 72,000 of Actions at 240 returns, held from their
        sheet's record to the entry's making, beside the record's helper)."""
        if self.expected is not None:  # (every cell as expected: the texts' first)
            return Coded(self.expected.head(len(self.places)), self.places)
        return Coded(packed(self.table), self.places)


def add_columns(coders: list[ColumnCoder], columns: list[list[Any]]) -> None:
    """Each column's cells added to its coder, and the column emptied."""
    for coder, column in zip(coders, columns, strict=True):
        coder.add(column)
        column.clear()


def expected_of(column: Any) -> Texts | None:
    """The texts a column coded after `column` may be expected to repeat (ColumnCoder): its
    table when it is a coded column whose texts are packed (the IDs of the quarters before), or
    those texts themselves (as a helper is sent them: master/recorder.py's `_apart`)."""
    table = getattr(column, "table", None) if isinstance(column, Coded) else column
    return table if isinstance(table, Texts) else None
