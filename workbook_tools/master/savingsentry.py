"""Savings' part of an entry of the record (master/record.py, master/savingsrecord.py): each
column as master/columncode.py keeps it (its distinct values, a date as [year, month, day], and
each cell's place among them). Made as JSON text where the record is made, a column at a
time (each column let go once written: `consume`). Decoded strictly: every field of its type
and within its bounds, anything else None (a miss: the sheet is read from the file)."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import zlib
from typing import Any

import orjson

from workbook_tools.files.extras import ColumnLook
from workbook_tools.master import columncode
from workbook_tools.master.readsheet import canonical_quarter, quarter_order
from workbook_tools.master.savingsrecord import LOOK_KEYS, Cell, SavingsRecord
from workbook_tools.master.verbatim import Run

_DIGEST = re.compile(r"[0-9a-f]{24}")  # a verbatim.Checksum
_SHA256 = re.compile(r"[0-9a-f]{64}")

#: a cell's kinds as JSON gives them (a date: a list)
_KINDS: frozenset[type] = frozenset({str, float, bool, type(None), list})
MAX_ROWS = 1_048_575  # rows below the header an Excel sheet holds (a larger count: a miss)


def entry_pieces(found: SavingsRecord, consume: bool = False, packed: bool = False
                 ) -> tuple[bytes, ...] | None:
    """`found` as its entry's JSON text, UTF-8, in pieces (None when decode would not give it
    back exactly): a column's text a piece, written one after another (the entry of four
    quarters at 240 returns is 10 MB: joined, it was held twice over as it was made, beside the
    record's helper at the peak of a consolidate); `consume`: each column let go once written
    (made where nothing else needs them: a column of 240,000 values and its text are then not
    all held at once); `packed`: each piece deflated as it is made (zlib, at its fastest: the
    entry at four quarters of 240 returns, 10 MB, held from the record's making to its keeping,
    through the peak of the consolidate)."""
    if not given_back(found):
        return None
    try:
        return _text(found, consume, packed)
    except (TypeError, ValueError):  # (orjson: a text it cannot write as UTF-8)
        return None


def _text(found: SavingsRecord, consume: bool, packed: bool) -> tuple[bytes, ...]:
    count = found.count
    pack = functools.partial(zlib.compress, level=1) if packed else bytes
    columns: list[bytes] = []  # each column's text, after a comma but the first's (pieces)
    heads = found.coded if found.coded is not None and len(found.coded) == len(
        found.columns) else [None] * len(found.columns)
    for column, head in zip(_each(found.columns) if consume else list(found.columns), heads,
                            strict=True):
        # the first rows as their Coded holds them (SavingsRecord.coded: their values exactly)
        first = len(head) if head is not None and len(head) <= len(column) else 0
        coded = columncode.encode((head, _after(column, first)) if first else (column,))
        if coded is None:
            raise ValueError("a column not of its kinds")  # (given_back refuses it first)
        columns.append(pack(b"," + _json(coded) if columns else _json(coded)))
        del coded
    rest = _json({
        "part": found.part, "crc": found.crc, "size": found.size,
        "header": found.header, "count": count,
        "cells": [[row, col, formula, comment, author,
                   None if look is None else [list(pair) for pair in look]]
                  for row, col, formula, comment, author, look in found.cells],
        "looks": [[col, look.width, look.hidden] for col, look in sorted(found.looks.items())],
        "start": found.start,
        "runs": [[run.quarter, run.rows, run.end, run.digest, sorted(run.styles or ())]
                 for run in found.runs],
        "wrapped": [[col, width] for col, width in sorted(found.wrapped.items())],
        "packed": found.packed,
        "stored": sorted(found.stored.items())})
    # the pieces, not joined: joining the columns, then the whole, held the text three times
    # over (60 MB at four quarters of 240 returns)
    return pack(b'{"columns":['), *columns, pack(b"],"), pack(rest[1:])


def _after(column: Any, first: int) -> Any:
    """The column's cells after its `first`: a Joined's tail as it is when those are its head
    (a Coded, coded as read: savingsread.read_afresh), not made a list."""
    if column.__class__ is columncode.Joined and len(column.head) == first:
        return column.tail
    return column[first:]


def _each(columns: list[Any]) -> Any:
    """The columns, each taken off the list as it is given."""
    while columns:
        yield columns.pop(0)


def _json(data: Any) -> bytes:
    """`data` as compact JSON text, UTF-8: orjson, the same values as the standard library's
    json.dumps in a tenth of the time (a column of 60,000 amounts: 2.5 against 29 ms; Savings
    has a dozen at 60 returns). given_back has refused every
    value that is not finite, which orjson would write as null."""
    return orjson.dumps(data)


def given_back(found: SavingsRecord) -> bool:
    """Whether decode gives `found` back from its entry (record._given_back's part for it)."""
    if type(found.part) is not str or type(found.header) is not list or not _is_part_stamp(
            found.crc, found.size) or found.count > MAX_ROWS \
            or not all(type(h) is str for h in found.header) \
            or type(found.columns) is not list or len(found.columns) != len(found.header):
        return False
    count = found.count
    for column in found.columns:
        if type(column) not in (list, columncode.Joined, columncode.Coded) \
                or len(column) != count:
            return False
        kinds = set(map(type, column))
        if not kinds <= {str, float, bool, type(None), dt.date} or float in kinds and not \
                columncode.all_finite(column):
            return False
    if runs_of(found.start, listed(found.runs), count) is None \
            or not _is_packed(found.packed, found.runs) \
            or not stored_given_back(found.stored, found.start, found.runs):
        return False
    if type(found.wrapped) is not dict or _widths([[c, w] for c, w in found.wrapped.items()]) \
            != found.wrapped:
        return False
    return type(found.looks) is dict and all(
        type(c) is int and c >= 0 and type(look) is ColumnLook and type(look.hidden) is bool
        and (look.width is None or type(look.width) is float and math.isfinite(look.width))
        for c, look in found.looks.items()) and type(found.cells) is list and all(
        _cell(list(cell) if type(cell) is tuple else None) is not None for cell in found.cells)


def decode(data: Any) -> SavingsRecord | None:
    """The record of Savings in an entry, or None when any field is not of its type or out of
    bounds."""
    if type(data) is not dict or set(data) != {"part", "crc", "size", "header",
                                               "count", "columns", "cells", "looks", "start",
                                               "runs", "wrapped", "packed", "stored"}:
        return None
    part, header, count = data["part"], data["header"], data["count"]
    if type(part) is not str or type(header) is not list or not all(
            type(h) is str for h in header) or type(count) is not int \
            or not 0 <= count <= MAX_ROWS or not _is_part_stamp(data["crc"], data["size"]):
        return None
    columns = data["columns"]
    if type(columns) is not list or len(columns) != len(header):
        return None
    coded: list[columncode.Coded] = []
    for column in columns:
        found = columncode.decode_coded(column, count, _KINDS)
        if found is None:
            return None
        coded.append(found)
    cells_data, looks_data = data["cells"], data["looks"]
    if type(cells_data) is not list or type(looks_data) is not list:
        return None
    cells = [_cell(cell) for cell in cells_data]
    if any(cell is None for cell in cells):
        return None
    looks: dict[int, ColumnLook] = {}
    for item in looks_data:
        if type(item) is not list or len(item) != 3:
            return None
        col, width, hidden = item
        if type(col) is not int or col < 0 or type(hidden) is not bool or not (
                width is None or type(width) is float and math.isfinite(width)):
            return None
        looks[col] = ColumnLook(width, hidden)
    runs, wrapped = runs_of(data["start"], data["runs"], count), _widths(data["wrapped"])
    if runs is None or wrapped is None or not _is_packed(data["packed"], runs):
        return None
    stored = stored_of(data["stored"], data["start"], runs)
    if stored is None:
        return None
    # (the columns as decoded, read as lists are: their values are not made lists of)
    return SavingsRecord(part, header, list(coded), cells, looks,  # type: ignore[arg-type]
                         data["crc"], data["size"], data["start"], runs, wrapped, data["packed"],
                         stored, coded=coded)


def stored_given_back(stored: Any, start: int, runs: list[Run]) -> bool:
    """Whether `stored_of` gives `stored` (a record's full flushes) back from its entry."""
    return type(stored) is dict and stored_of(
        [list(pair) for pair in sorted(stored.items())], start, runs) is not None


def stored_of(found: Any, start: int, runs: list[Run]) -> dict[int, int] | None:
    """A sheet's full flushes from its entry (record.py's SheetRecord.stored), or None when
    they are not pairs of offsets, each the rows' start or a run's end, in order both ways."""
    if type(found) is not list:
        return None
    ends = {start, *(run.end for run in runs)}
    last = (-1, 0)
    for pair in found:
        if type(pair) is not list or len(pair) != 2 or any(
                type(v) is not int for v in pair) or pair[0] not in ends:
            return None
        if pair[0] <= last[0] or pair[1] <= last[1]:
            return None
        last = (pair[0], pair[1])
    return {u: c for u, c in found}


def _widths(found: Any) -> dict[int, float] | None:
    """The long-text columns' widths from their entry (None when not of their shape)."""
    if type(found) is not list or any(
            type(item) is not list or len(item) != 2 or type(item[0]) is not int
            or not 0 <= item[0] < 1 << 14 or type(item[1]) is not float
            or not math.isfinite(item[1]) for item in found):
        return None
    return {col: width for col, width in found}


def runs_of(start: Any, runs: Any, count: int | None = None) -> list[Run] | None:
    """The runs of the rows a consolidate may copy (Savings', master/savingscopy.py, and a lean
    sheet's, master/record.py) from their entry, None when any is not of its type or out of
    bounds: each quarter canonical and after the one before, each end after the one before and
    the rows' start, a checksum of 24 hex digits (verbatim.Checksum), the styles numbers, and
    (given `count`) no more rows than the sheet holds."""
    if type(start) is not int or type(runs) is not list or start < (0 if runs else -1):
        return None
    found: list[Run] = []
    end, last, rows = start, (0, 0, ""), 0
    for run in runs:
        if type(run) is not list or len(run) != 5:
            return None
        quarter, count_of, at, digest, styles = run
        if type(quarter) is not str or canonical_quarter(quarter) != quarter \
                or type(count_of) is not int or count_of <= 0 or type(at) is not int \
                or at <= end or type(digest) is not str or not _DIGEST.fullmatch(digest) \
                or type(styles) is not list or any(
                    type(s) is not int or not 0 <= s < 1 << 20 for s in styles) \
                or quarter_order(quarter) <= last:
            return None
        rows += count_of
        found.append(Run(quarter, count_of, at, digest, frozenset(styles)))
        end, last = at, quarter_order(quarter)
    return found if count is None or rows <= count else None


def listed(runs: Any) -> list[Any] | None:
    """Runs as their entry lists them (for runs_of to check the runs a record holds), None when
    they are not a list of Runs with a set of styles each."""
    if type(runs) is not list or any(
            type(run) is not Run or not isinstance(run.styles, set | frozenset) for run in runs):
        return None
    return [[run.quarter, run.rows, run.end, run.digest, list(run.styles)] for run in runs]


def is_digest(found: Any) -> bool:
    """Whether `found` is a SHA-256 as hex digits (a part's as stored: verbatim.Block's
    `packed`)."""
    return type(found) is str and _SHA256.fullmatch(found) is not None


def _is_packed(found: Any, runs: list[Any]) -> bool:
    """A record's `packed`: a SHA-256, or None when it has no runs to copy."""
    return is_digest(found) or found is None and not runs


def _is_part_stamp(crc: Any, size: Any) -> bool:
    """Whether a part's CRC-32 and size are of their types and within their bounds."""
    return type(crc) is int and 0 <= crc < 2**32 and type(size) is int and 0 <= size < 2**64


def _cell(cell: Any) -> Cell | None:
    """A kept cell from its entry (None when it is not of its shape)."""
    if type(cell) is not list or len(cell) != 6:
        return None
    row, col, formula, comment, author, look = cell
    if type(row) is not int or row < 2 or type(col) is not int or col < 0 or any(
            v is not None and type(v) is not str for v in (formula, comment, author)):
        return None
    if look is None:
        return row, col, formula, comment, author, None
    if type(look) not in (list, tuple) or not look:
        return None
    pairs = []
    for pair in look:
        if type(pair) not in (list, tuple) or len(pair) != 2 or pair[0] not in LOOK_KEYS \
                or type(pair[1]) not in (str, bool, int):
            return None
        pairs.append((pair[0], pair[1]))
    return row, col, formula, comment, author, tuple(pairs)
