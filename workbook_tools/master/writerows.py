"""The master's rows as XML (files/rowxml.py), sheet by sheet: on two cores the larger sheets' rows
are written by a helper process while this one writes the others (master/writehelper.py), since
the rows are most of a master's write (four quarters at 60 returns: 300,000 rows).

Everything the workbook numbers (formats) or keeps (notes on cells) is done here, before the
rows, in sheet order, so the file is the same whichever process writes a sheet's rows; the
helper only appends to its sheets' row files. On one core the rows are written here, one sheet
after another.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from workbook_tools import parallel
from workbook_tools.files.rowxml import Formula, RowWriter
from workbook_tools.files.wrap import wrapped_lines
from workbook_tools.master import columns as mc
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.keep import Kept, formula_at
from workbook_tools.master.ledger import VARIANCES, number
from workbook_tools.master.sheetrow import Copied, column_of, in_place
from workbook_tools.master.verbatim import Block
from workbook_tools.master.verbatim_copy import Splice, copy

#: A row of a sheet: a dict keyed by header, or its values in the sheet's header order.
Row = dict[str, Any] | Sequence[Any]

LINE_HEIGHT = 15  # points per line of wrapped text (Calibri 11)
MAX_ROW_HEIGHT = 409  # Excel's limit
LINES_KEPT = 16_384  # long texts whose line count is kept, per column
#: Cells (rows x columns) below which a master's rows are all written in this process: a helper
#: process costs more than it saves on a small master (its start alone, 0.2-0.3 s).
PARALLEL_CELLS = 400_000


def values_of(record: Row, headers: Sequence[str]) -> Sequence[Any]:
    """A row's values in header order (a dict row's missing headers as None)."""
    if isinstance(record, dict):
        return list(map(record.get, headers))
    return record


def read_at(record: Row) -> Any:
    """The 1-based row a row was read from in the master (None for a new row)."""
    if isinstance(record, dict):
        return record.get("_row")
    return getattr(record, "read_at", None)


def row_positions(name: str, rows: Sequence[Row]) -> Sequence[int]:
    """The 0-based row each record is written to: one after another (a range, not a list: a
    number object per row of a four-quarter master at 240 returns held 40 MB), except on a
    sheet that is people's own, where each row stays where it was read (blank rows between kept,
    so their formulas still point at the same rows)."""
    if name not in mc.PEOPLES_OWN:
        return range(1, len(rows) + 1)
    positions: list[int] = []
    for record in rows:
        at = positions[-1] + 1 if positions else 1
        was = read_at(record)
        if isinstance(was, int):
            at = max(at, was - 1)
        positions.append(at)
    return positions


def write_row(rows: RowWriter, row: int, values: Sequence[Any],
              height: float | None = None, formats: dict[int, Any] | None = None) -> None:
    """Write one row (text always as text, numbers, dates, booleans and blanks by their type);
    `formats` those of some cells, when not their column's."""
    rows.write(row, values, height, formats)


class SheetRows:
    """One sheet's rows, ready to be written by `write_all`.

    Args:
        kept: people's kept cells (master/keep.py) by row index, for the rows that have any.
        theirs: the formats people applied to some cells, by row index then column (numbered
            in the workbook: RowWriter.register).
        wrapped: each long-text column's index and width, for the row heights.
    """

    def __init__(self, writer: RowWriter, name: str, headers: Sequence[str],
                 rows: Sequence[Row], positions: Sequence[int], wrapped: list[tuple[int, float]],
                 kept: dict[int, dict[str, Kept]], theirs: dict[int, dict[int, Any]]) -> None:
        self.writer, self.name, self.headers = writer, name, headers
        self.rows, self.positions, self.kept, self.theirs = rows, positions, kept, theirs
        self.wrapped = wrapped
        self.source: Any = None
        self.block: Block | None = None

    def copy_from(self, source: Any, block: Block) -> None:
        """Copy the sheet's first rows from the old master `source` as they are
        (master/verbatim.py), rather than write them: as stored, when the old master's record
        says where (verbatim_copy.Splice, put in as the part is deflated), else inflated into
        the rows' file (verbatim_copy.copy)."""
        if not in_place(self.rows, block):
            raise ValueError(f"the rows of {self.name} copied from the old master have moved")
        self.source, self.block = source, block
        # (the header row alone is in the rows' file yet: the copied rows go after it)
        self.writer.sheet.splice = Splice.of(source, block,
                                             os.path.getsize(self.writer.rows_file))

    def flush_quarters(self) -> None:
        """Have the sheet's part deflated with a full flush where each quarter's rows begin
        (files/flushed.py), so that the next consolidate can copy them as stored. Where the
        rows' first column is the quarter (the lean sheets)."""
        if not self.headers or self.headers[0] != mc.QUARTER:
            return
        rows, positions = self.rows, self.positions
        first = self.block.count if self.block is not None and \
            self.writer.sheet.splice is not None else 0
        # a copied row's quarter from its column (a Row is not made for each), the others' from
        # theirs (rows kept on disk read a chunk at a time: sheetrow.column_of)
        copied: Sequence[Any] = rows.columns[0] if isinstance(rows, Copied) else []
        others = column_of(rows.tail if isinstance(rows, Copied) else rows, self.headers[0])
        breaks: list[int] = []
        last: Any = None
        # (gone through in order: a copied column may be a record's, columncode.Coded)
        quarters = itertools.chain(itertools.islice(copied, first, None), itertools.islice(
            others, max(first - len(copied), 0), None))
        for i, quarter in zip(range(first, len(rows)), quarters, strict=True):
            if quarter != last or i == first:
                breaks.append(positions[i] + 1)  # (as numbered in the file)
                last = quarter
        self.writer.sheet.breaks = breaks

    @property
    def cells(self) -> int:
        copied = self.block.count if self.block is not None else 0
        return (len(self.rows) - copied) * len(self.headers)

    def write(self) -> None:
        """Write the rows to the sheet's row file."""
        first = self.write_block()
        self.write_rows(first, self.rows_from(first))

    def rows_from(self, first: int) -> Iterator[Row]:
        """The rows from index `first` on, by index: an iterator over the copied ones before
        them would make a Row of each (sheetrow.Copied)."""
        rows = self.rows
        if rows.__class__ is Copied and first >= rows.count:  # (none of the copied ones)
            rows, first = rows.tail, first - rows.count
        if getattr(rows, "afresh", False):  # (read back a chunk at a time: master/chunked.py)
            return itertools.islice(rows, first, None)
        return map(rows.__getitem__, range(first, len(rows)))

    def untaken(self) -> Splice | None:
        """The copied rows' bytes as stored that `write_block(take=False)` left to take."""
        return self.writer.sheet.splice if self.block is not None else None

    def write_block(self, take: bool = True) -> int:
        """The rows copied from the old master, into the rows' file (or put in as the part is
        deflated: their bytes as stored taken now, or by the caller when not `take`); how many
        (0: none)."""
        if self.block is None:
            return 0
        writer = self.writer
        writer.flush()
        splice = writer.sheet.splice
        if splice is None:
            copy(self.source, self.block, writer.rows_file)
        elif os.path.getsize(writer.rows_file) != splice.at:
            raise ValueError(f"the rows of {self.name} to copy go after its header row")
        elif take:
            splice.take()  # (put in as the part is deflated: files/flushed.py)
        first = self.block.count
        writer.last = self.positions[first - 1]
        return first

    def write_rows(self, first: int, records: Iterable[Row]) -> None:
        """Write the rows from index `first` on (`records`, in order) to the rows' file: here,
        or in a helper process (master/writehelper.py) sent this without its rows."""
        headers, writer, theirs, kept_rows = self.headers, self.writer, self.theirs, self.kept
        letters = {h: writer.letters[i] for i, h in enumerate(headers)}
        # a text shorter than its column's line (and with no line break) takes one line: most
        # cells, told apart here without a call per cell (rows are the bulk of a write)
        one_line: list[tuple[int, float, int, dict[str, int]]] = [
            (i, width, per_line(width), {}) for i, width in self.wrapped]
        savings = self.name == MasterSheet.SAVINGS
        for index, (r, record) in enumerate(zip(self.positions[first:], records, strict=True),
                                            start=first):
            values = values_of(record, headers)
            kept = kept_rows.get(index) if kept_rows else None
            if savings or kept:
                values = changed = list(values)
                if savings:
                    _ledger_formulas(changed, headers, letters, r + 1)
                if kept:
                    _kept_formulas(changed, headers, r, kept)
            lines = 1
            for i, width, line, known in one_line:
                value = values[i]
                if value.__class__ is str and (len(value) > line or not value.isprintable()):
                    count = known.get(value)
                    if count is None:  # a name comes back every quarter: counted once
                        if len(known) >= LINES_KEPT:
                            known.clear()
                        count = known[value] = text_lines(value, width)
                    lines = max(lines, count)
            height = min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT) if lines > 1 else None
            write_row(writer, r, values, height, theirs.get(index))
        writer.flush()

    def discard(self) -> None:
        """Remove the rows' file and that of the rows taken to copy (a write that failed)."""
        with contextlib.suppress(OSError):
            os.remove(self.writer.rows_file)
        if self.writer.sheet.splice is not None:
            self.writer.sheet.splice.discard()

    def finish(self) -> None:
        """After `write`, in this process: the sheet's extent, for xlsxwriter to save it."""
        self.writer.finish(self.positions[-1] if self.positions else 0)


def write_all(sheets: list[SheetRows]) -> None:
    """Write every sheet's rows: on more than one core, the larger share in a helper process
    (master/writehelper.py) while this one writes the rest.

    Raises:
        OSError: the rows could not be written.
    """
    if parallel.cores() < 2 or sum(s.cells for s in sheets) < PARALLEL_CELLS:
        for sheet in sheets:
            sheet.write()
    else:
        from workbook_tools.master.writehelper import write_in_two

        write_in_two(sheets)
    for sheet in sheets:
        sheet.finish()


def kept_looks_and_notes(sheet: Any, writer: RowWriter, cell_format: Any, r: int,
                         cells: dict[str, Kept], headers: Sequence[str]) -> dict[int, Any]:
    """People's comments (onto the sheet, before any row is written) and formats on one row's
    cells (master/keep.py), the formats returned by column and numbered in the workbook;
    `cell_format(col, look)` the format of a column's cells with a look on top."""
    theirs = {}
    for header, kept in cells.items():
        if header not in headers:
            continue
        col = headers.index(header)
        if kept.look:
            theirs[col] = cell_format(col, kept.look)
        if kept.comment:  # (constant-memory mode: a note must come before its row is written)
            sheet.write_comment(r, col, kept.comment,
                                {"author": kept.author} if kept.author else {})
    writer.register(theirs)
    return theirs


def _kept_formulas(values: list[Any], headers: Sequence[str], r: int,
                   cells: dict[str, Kept]) -> None:
    """People's own formulas on one row, into `values`."""
    for header, kept in cells.items():
        if kept.formula and header in headers:
            col = headers.index(header)
            values[col] = Formula(formula_at(kept, r + 1, col), _cached(values[col]))


def _cached(value: Any) -> Any:
    """A formula's saved value as xlsxwriter writes it (a date as Excel's day number)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - dt.date(1899, 12, 30)).days)
    return value


def _ledger_formulas(values: list[Any], headers: Sequence[str], letters: dict[str, str],
                     row: int) -> None:
    """The ledger variances as live formulas, so finance sees them move as they type."""
    ledger = f"{letters[mc.LEDGER]}{row}"
    for header, other in VARIANCES:
        ref = f"{letters[other]}{row}"
        text = f'=IF(AND(ISNUMBER({ledger}),ISNUMBER({ref})),{ledger}-{ref},"")'
        at = headers.index(header)
        values[at] = Formula(text, number(values[at]))


def text_lines(value: Any, width: float) -> int:
    """Lines a wrapped cell needs at a column width (programs do not all fit rows themselves)."""
    if not isinstance(value, str) or not value.strip():
        return 1
    return wrapped_lines(value, per_line(width))


def per_line(width: float) -> int:
    """Characters a line of a wrapped cell holds at a column width."""
    return max(int(width * 1.15) - 2, 1)  # proportional fonts fit more than the width
