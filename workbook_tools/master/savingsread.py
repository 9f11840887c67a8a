"""Savings' columns as a read of the master just written gives them back (master/savingsrecord.py
makes its record from them): each value as read_sheet reads what the writer wrote, or no record
where that is not certain.

The rows copied from the old master's record (sheetrow.Copied) are as read already: their own
columns are shared, not copied (columncode.Joined). The quarter's rows after them, kept on disk
(chunked.ChunkedRows), are read back a chunk at a time and coded as read (master/columncoder.py):
at four quarters of 240 returns they are 48,000 rows, whose lists of every cell (8 bytes a
cell) and whose amounts (192,000 floats, 15 values among them, an object each as unpickled
from each return's rows) were the largest part of what making Savings' record held, beside the
record's helper at the peak of a consolidate.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from workbook_tools.files.rowxml import MAX_TEXT  # (the writer cuts a text there)
from workbook_tools.master import columns as mc
from workbook_tools.master.columncode import Joined, blank_column
from workbook_tools.master.readsheet import canonical_quarter
from workbook_tools.master.sheetrow import Copied, columns_of

#: What the writer or a reader changes in a text (control characters, Excel's _xHHHH_ escapes, a
#: carriage return the XML parser turns into a line feed): such a text is not recorded.
ALTERED = re.compile(r"[\x00-\x08\x0B-\x1F\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_")
_FIRST_DATE = dt.date(1900, 3, 1)  # before it, Excel's day numbers have the 1900 leap day

#: each column's `as_read` (given the column's kind), None for a column read as blank
Reads = Sequence[Callable[[list[Any]], list[Any] | None] | None]


def read_columns(rows: Any, header: list[str], reads: Reads, first: int
                 ) -> tuple[list[Any], Any] | None:
    """Each column's values as read back (`reads`: None for the ledger's variances, which are
    worked out as read: blank), and the Quarter cells as written; None when a read of them is
    not certain. The `first` rows, copied from the old master's record, are as read already."""
    columns: list[Any] = []  # (lists, columncode.Joined, or the ledger's blank Coded)
    quarters_written: list[Any] = []
    # (a copied row's from its column: sheetrow.Copied; the rows kept on disk read once)
    for h, values, read_as in zip(header, columns_of(rows, header), reads, strict=True):
        if h == mc.QUARTER:
            quarters_written = values
        if read_as is None:
            columns.append(blank_column(len(rows)))
            continue
        read = read_as(values[first:])
        if read is None:
            return None
        shared = rows.columns.get(rows.positions.get(h, -1)) if first else None
        columns.append(read if not first else Joined(shared, read) if shared is not None and len(
            shared) == first else values[:first] + read)
    return columns, quarters_written


def afresh(rows: Any, first: int) -> bool:
    """Whether `rows`' first `first` are copied (sheetrow.Copied), and all the others made
    afresh and kept on disk (chunked.ChunkedRows)."""
    tail = rows.tail if rows.__class__ is Copied else rows
    return bool(getattr(tail, "afresh", False)) and first == (
        rows.count if rows.__class__ is Copied else 0)


def read_afresh(rows: Any, header: list[str], reads: Reads, first: int
                ) -> tuple[list[Any], Any] | None:
    """`read_columns` of rows `afresh`: those made afresh coded as read, a chunk at a time
    (ChunkedRows.coded), not made lists of every cell."""
    copied = rows.__class__ is Copied
    tail: Any = rows.tail if copied else rows
    wanted = [col for col, read_as in enumerate(reads) if read_as is not None]
    # (each column coded expecting the copied rows' texts again: the same IDs, in order)
    coded = tail.coded([*(header[col] for col in wanted), mc.QUARTER],
                       [*(reads[col] for col in wanted), None],
                       [_own(rows, header[col]) for col in wanted] if copied else ())
    if coded is None:
        return None
    *read, quarters = coded  # (the last: the Quarter cells as written)
    columns: list[Any] = [blank_column(len(rows))] * len(header)  # (the ledger's: read so)
    for col, column in zip(wanted, read, strict=True):
        columns[col] = Joined(_own(rows, header[col]), column) if copied else column
    return columns, Joined(_own(rows, mc.QUARTER), quarters) if copied else quarters


def _own(rows: Copied, header: str) -> Any:
    """The copied rows' own column under `header` (the old master's record's, as read)."""
    return rows.columns[rows.positions[header]]


def as_read(values: list[Any], quarter: bool, date_column: bool) -> list[Any] | None:
    """A column's values as read_sheet gives them back from what the writer wrote (None when
    that is not certain)."""
    kinds = set(map(type, values))
    if not kinds <= {str, float, int, bool, type(None), dt.date}:
        return None
    if date_column and kinds & {float, int, bool}:
        return None
    read: dict[Any, Any] = {}
    if str in kinds:
        for text in {v for v in values if v.__class__ is str}:
            if len(text) > MAX_TEXT or ALTERED.search(text):
                return None
            read[text] = None if not text.strip() else (
                (canonical_quarter(text) or text) if quarter else text)
    if float in kinds or int in kinds:
        for number in {v for v in values if v.__class__ in (float, int)}:
            read[number] = float(f"{number:.16G}") if math.isfinite(number) else None
    if dt.date in kinds and any(v < _FIRST_DATE for v in values if v.__class__ is dt.date):
        return None
    if not read:
        return list(values)
    if bool in kinds:  # (True == 1: kept apart from the numbers)
        return [v if v.__class__ is bool else read.get(v, v) for v in values]
    return list(map(read.get, values, values))
