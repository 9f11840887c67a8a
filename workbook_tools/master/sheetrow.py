"""A row of the master kept as its values rather than a dict: for consolidate, the earlier
quarters' rows on the tool's own sheets, which a run only copies through (and sorts).

A dict per row cost a master of four quarters 150 MB and seconds to build; a `Row` is a list of
the sheet's values in its header order (master/write.py writes it as it is), with the kept
cells (comments people put on it, master/keep.py) and the row it was read from as attributes.
`get` answers as a dict row's would, so code that reads a few cells needs no second path.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from workbook_tools.master.columncode import Coded
from workbook_tools.master.columns import MEASURES, YEAR_ON_YEAR

if TYPE_CHECKING:
    from workbook_tools.master.keep import Kept


class Row(list[Any]):
    """A row's values in its sheet's header order; `positions` maps each header to its place."""

    __slots__ = ("cells", "copied", "positions", "read_at")

    def __init__(self, values: Any, positions: dict[str, int], read_at: int | None,
                 copied: bool = False) -> None:
        list.__init__(self, values)
        self.positions = positions
        self.read_at = read_at
        self.cells: dict[str, Any] | None = None
        # a row copied from the old master as its bytes (master/verbatim.py): only the cells a
        # consolidate reads hold values
        self.copied = copied

    def get(self, header: str, default: Any = None) -> Any:
        """The cell under `header`, as dict.get: '_cells' and '_row' as a dict row has them."""
        at = self.positions.get(header)
        if at is not None:
            return self[at]
        if header == "_cells":
            return self.cells
        if header == "_row":
            return self.read_at
        return default

    def set(self, header: str, value: Any) -> None:
        """Set the cell under `header` (one of the sheet's headers)."""
        self[self.positions[header]] = value


def keep_cells(record: dict[str, Any] | Row) -> dict[str, Any]:
    """The kept cells of a row of either shape (made empty when it has none)."""
    if isinstance(record, Row):
        if record.cells is None:
            record.cells = {}
        return record.cells
    return record.setdefault("_cells", {})


class Copied:
    """A lean sheet's rows when its first ones are copied from the old master as bytes
    (master/verbatim.py): those held as the columns of the cells a consolidate reads, then the
    sheet's other rows as a list (`tail`).

    A `Row` is made for a copied row only when one is asked for, and kept only when it is given
    people's cells (`pin`): at 240 returns a four-quarter master's copied rows were 768,000 Rows
    (about 200 MB) holding nothing the columns do not. Code that needs every row's few cells
    reads them with `cells_of`/`column_of`, not a Row each. Indexing, iteration, `len` and `+`
    (a list: the sheet with those rows after) answer as the list of every row would.
    """

    __slots__ = ("columns", "count", "pinned", "positions", "tail")

    def __init__(self, positions: dict[str, int], columns: dict[int, Any],
                 tail: list[Any] | None = None, pinned: dict[int, Row] | None = None) -> None:
        self.positions = positions  # header -> its place in a row
        # place -> a value for each copied row (place 0, the Quarter): a list, or the column as
        # the master's record held it (columncode.Coded, read as a list is)
        self.columns = columns
        self.count = len(columns[0])
        self.pinned = {} if pinned is None else pinned  # copied rows given people's cells
        self.tail = [] if tail is None else tail

    def with_tail(self, tail: Any) -> Copied:
        """The same copied rows, then `tail` (the Rows pinned are shared: the same objects): a
        list, or the quarter's rows made afresh after them (chunked.ChunkedRows)."""
        return Copied(self.positions, self.columns, tail, self.pinned)

    def row(self, index: int) -> Row:
        """The copied row at `index` (0-based) as a Row, marked copied."""
        found = self.pinned.get(index)
        if found is not None:
            return found
        values: list[Any] = [None] * len(self.positions)
        for place, column in self.columns.items():
            values[place] = column[index]
        return Row(values, self.positions, index + 2, True)

    def pin(self, index: int) -> Row:
        """The copied row at `index` as a Row kept from now on (given people's cells)."""
        found = self.pinned.get(index)
        if found is None:
            found = self.pinned[index] = self.row(index)
        return found

    def put_column(self, header: str, values: list[Any]) -> None:
        """Set a read cell of every copied row (`values`, one a row). A column held as the
        record held it (columncode.Coded, read only) stays so when `values` are its own, and
        is otherwise replaced by them."""
        if len(values) != self.count:
            raise ValueError(f"{len(values)} values for {self.count} copied rows")
        place = self.positions[header]
        column = self.columns[place]
        if isinstance(column, list):
            column[:] = values
        elif not column.holds(values):
            self.columns[place] = list(values)
        for index, row in self.pinned.items():
            row[place] = values[index]

    def __len__(self) -> int:
        return self.count + len(self.tail)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.row(index) if index < self.count else self.tail[index - self.count]

    def __iter__(self) -> Iterator[Any]:
        # (each column gone through once, not indexed a row at a time: a record's column,
        # columncode.Coded, answers an index in Python); each row's values picked in C from
        # its cells and a blank for the places no column holds
        slots = {place: at for at, place in enumerate(self.columns)}
        picks = [slots.get(place, len(slots)) for place in range(len(self.positions))]
        pick = operator.itemgetter(*picks) if len(picks) > 1 else (
            lambda cells: (cells[picks[0]],))
        positions, pinned, blank = self.positions, self.pinned, (None,)
        for index, cells in enumerate(zip(*self.columns.values(), strict=True)):
            found = pinned.get(index)
            yield found if found is not None else Row(pick(cells + blank), positions,
                                                      index + 2, True)
        yield from self.tail

    def __add__(self, other: list[Any]) -> Copied:
        return self.with_tail([*self.tail, *other])

    def append(self, row: Any) -> None:
        self.tail.append(row)


def column_of(rows: Any, header: str) -> list[Any]:
    """Every row's cell under `header`, as a list (a copied row's, of a cell it does not read,
    None): from the columns for copied rows, and for a list of dicts by dict.get in C (the
    sort asks for four columns of every row of a master of four quarters, 1.2 million rows at
    240 returns, and a tuple a row cost it a second)."""
    if getattr(rows, "afresh", False):  # (master/chunked.py's, read back a chunk at a time)
        return rows.column(header)  # type: ignore[no-any-return]
    if rows.__class__ is Copied:
        column = rows.columns.get(rows.positions.get(header, -1))
        found = [None] * rows.count if column is None else list(column)
        if header in ("_cells", "_row"):  # as a dict row has them
            found = list(range(2, rows.count + 2)) if header == "_row" else found
            for index, row in rows.pinned.items():
                found[index] = row.get(header)
        found += column_of(rows.tail, header)
        return found
    try:
        return list(map(dict.get, rows, itertools.repeat(header)))
    except TypeError:  # Rows among them (a run's new rows are Rows sharing their places)
        positions = next((row.positions for row in rows if row.__class__ is Row), {})
        at = positions.get(header)
        if at is None:
            return [row.get(header) for row in rows]
        return [row[at] if row.__class__ is Row and row.positions is positions
                else row.get(header) for row in rows]


def columns_of(rows: Any, headers: Sequence[str]) -> Iterator[list[Any]]:
    """`column_of` of each of `headers` in turn: the rows made afresh after the copied ones
    (chunked.ChunkedRows, kept on disk) read once for them all, not once a column."""
    tail: Any = rows.tail if rows.__class__ is Copied else rows
    if not getattr(tail, "afresh", False):
        yield from (column_of(rows, header) for header in headers)
        return
    tails = tail.columns(headers)
    for at, header in enumerate(headers):
        found, tails[at] = tails[at], []  # (each let go of once given)
        yield column_of(rows.with_tail([]), header) + found if rows.__class__ is Copied \
            else found


def cells_of(rows: Any, headers: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """Each row's cells under `headers`, a tuple a row (column_of's columns, zipped)."""
    return zip(*(column_of(rows, h) for h in headers), strict=True)


def cells_in(rows: Any, headers: tuple[str, ...], wanted: set[Any]
             ) -> Iterator[tuple[Any, ...]]:
    """`cells_of` the rows whose cell under `headers[0]` is among `wanted` (a quarter's rows):
    a copied row's picked by a mask over that column (over a record's column, its places),
    not from lists of every row's cells (last quarter's figures out of four quarters of 240
    returns: 384,000 Measures rows, four lists of 3 MB each, beside the workers). '_cells' and
    '_row', which column_of gives a copied row from elsewhere, are picked from cells_of."""
    if rows.__class__ is not Copied or rows.positions.get(headers[0]) not in rows.columns \
            or {"_cells", "_row"} & set(headers):
        yield from (cells for cells in cells_of(rows, headers) if cells[0] in wanted)
        return
    key = rows.columns[rows.positions[headers[0]]]
    if isinstance(key, Coded):
        among = {at for at, value in enumerate(key.table) if value in wanted}
        mask = bytes(map(among.__contains__, key.places))
    else:
        mask = bytes(map(wanted.__contains__, key))
    columns = [rows.columns.get(rows.positions.get(h, -1), itertools.repeat(None, rows.count))
               for h in headers]
    yield from zip(*(itertools.compress(column, mask) for column in columns), strict=True)
    yield from cells_in(rows.tail, headers, wanted)


def kept_cells(record: Any) -> dict[str, Kept] | None:
    """People's formulas, comments and formats kept on a row's cells, by header (or None): a
    dict row's '_cells', a sequence row's `cells` (as a Row has them)."""
    if isinstance(record, dict):
        return record.get("_cells")
    return getattr(record, "cells", None)


def with_cells(rows: Any) -> Iterator[tuple[int, Any]]:
    """Each row that has people's cells (`kept_cells`), with its index."""
    if getattr(rows, "afresh", False):  # (rows made afresh: master/chunked.py)
        return
    if rows.__class__ is Copied:
        yield from sorted((i, r) for i, r in rows.pinned.items() if r.cells)
        rows, start = rows.tail, rows.count
        if getattr(rows, "afresh", False):  # (the quarter's, after the copied rows)
            return
    else:
        start = 0
    for index, row in enumerate(rows, start):
        if kept_cells(row):
            yield index, row


class ByReadAt:
    """A sheet's rows by the row they were read from (copied ones made into Rows as asked)."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows
        self.made: dict[Any, Any] | None = None

    def get(self, row: Any) -> Any:
        rows = self.rows
        if rows.__class__ is Copied and isinstance(row, int) and 2 <= row < rows.count + 2:
            return rows.pin(row - 2)
        if self.made is None:
            self.made = {r.get("_row"): r for r in (rows.tail if rows.__class__ is Copied
                                                    else rows)}
        return self.made.get(row)


def in_place(rows: Any, block: Any) -> bool:
    """Whether a verbatim.Block's rows are a sheet's first rows, in the order read, and no other
    row is copied: so the block's bytes are the new sheet's first rows as they are."""
    count = block.count
    if rows.__class__ is Copied:  # (its copied rows are the block's, in order)
        return rows.count == count and (getattr(rows.tail, "afresh", False) or not any(
            row.__class__ is Row and row.copied for row in rows.tail))
    return all(row.__class__ is Row and row.copied and row.read_at == i + 2
               for i, row in enumerate(rows[:count])) and len(rows) >= count and not any(
        row.__class__ is Row and row.copied for row in rows[count:])


def year_on_year(rows: Any) -> list[Any]:
    """`Compared with a year ago` of the copied rows of Measures (it must not change)."""
    at = MEASURES.index(YEAR_ON_YEAR)
    if rows.__class__ is Copied:
        return [*rows.columns[at], *year_on_year(rows.tail)]
    return [row[at] for row in rows if row.__class__ is Row and row.copied]
