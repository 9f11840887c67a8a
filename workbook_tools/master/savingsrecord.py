"""Savings in the record of a master the tool wrote (master/record.py, issue 16): what read_master
finds on the sheet, worked out from what the writer had in memory, so that a consolidate into a
master the tool wrote takes Savings from the record and never reads its XML (a master of four
quarters at 60 returns: 2.8 s of the guard's scan, calamine, and the formulas, comments and
formats read again). The record also says where the quarters of Savings' first rows end in its
part, so that a consolidate copies the earlier quarters' rows as bytes, as far as they are what
it would write again (master/savingscopy.py); a master someone else saved is read whole.

What a read gives back is derived from the values written with the reader's own rules (a text
of spaces is blank, a quarter canonical, a number as written with 16 digits), the formats from
the written file's styles and its comments part (small parts, read with the reader's code), and
the columns' looks from the sheet's first bytes (its <cols>). Anything whose reading back is not
certain (a text with a control character or an escape, a date with a time, a number in a date
column, a format of someone's on a number or a date, a formula without a value, a blank row)
gives no Savings record: the sheet is then read from the file as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from workbook_tools.files.extras import CellExtra, ColumnLook, column_looks_in
from workbook_tools.files.styles import Look, reads_as_date, reads_as_number
from workbook_tools.master import columns as mc
from workbook_tools.master import keep
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.savingsread import (
    ALTERED,
    afresh,
    as_read,
    read_afresh,
    read_columns,
)
from workbook_tools.master.sheetrow import Copied, with_cells
from workbook_tools.master.verbatim import Run

NAME = MasterSheet.SAVINGS
#: the bytes of a part inflated at a time as a record is made (its rows' runs looked for here,
#: a lean sheet's rows matched: master/recorder.py): this runs beside the record's helper, at
#: the peak of a consolidate's memory (three pieces of 4 MiB at a time, with the buffer they are
#: joined to, against a quarter of that: at four quarters of 60 returns, 115-119 MB in use at
#: most against 98-99)
SCAN_PIECE = 1024 * 1024
LOOK_KEYS = frozenset({"bg_color", "bold", "italic", "underline", "font_strikeout",
                        "font_color", "num_format"})
Cell = tuple[int, int, str | None, str | None, str | None, tuple[tuple[str, Any], ...] | None]


@dataclass
class Written:
    """The styles the writer gave Savings' cells (numbers in the written workbook; 0: none)."""

    columns: list[int]  # each column's own
    dates: list[tuple[int, int]]  # each column's for a date, and a date with a time
    theirs: dict[int, dict[int, int]] = field(default_factory=dict)  # row index -> col -> style
    #: each long-text column's width the rows' heights were worked out at, by column
    wrapped: dict[int, float] = field(default_factory=dict)


@dataclass
class SavingsRecord:
    """Savings as read_master reads it from the master the record is of."""

    part: str
    header: list[str]
    #: each column's values as read_sheet gives them, rows 2, 3, ...: a list (in a record
    #: decoded, a columncode.Coded; in a record being made, a columncode.Joined: the copied
    #: rows' values shared with their Copied, and the ledger's variances a blank Coded)
    columns: list[Any]
    cells: list[Cell]  # (row, col, formula, comment, author, look) as files/extras reads them
    looks: dict[int, ColumnLook]  # the columns' looks as files/extras reads them
    #: the part's CRC-32 and size in the zip's directory: an entry put under another master's
    #: name (an earlier master's, planted or mixed up) is not taken for this one's Savings
    crc: int = -1
    size: int = -1
    #: where the rows begin in the part, and the runs of the quarters of the first rows a
    #: consolidate may copy as bytes (master/savingscopy.py)
    start: int = -1
    runs: list[Run] = field(default_factory=list)
    wrapped: dict[int, float] = field(default_factory=dict)  # (Written's: a copy is of them)
    #: the SHA-256 of the part's bytes as stored, of those the runs were found in (a copy
    #: checks it of those it reads: verbatim.Block's `packed`)
    packed: str | None = None
    #: where the writer made a full flush, of the rows' start and the runs' ends (record.py's
    #: SheetRecord.stored): a block of them is copied as stored
    stored: dict[int, int] = field(default_factory=dict)
    #: the first rows' columns as master/columncode.Coded (None: not known): in a record
    #: decoded from its entry, every row's; in one being made, those of the rows copied from
    #: the old master's record, whose values they are (their entry is made from them, not
    #: each cell looked up again: savingsentry.entry_pieces)
    coded: list[Any] | None = field(default=None, compare=False, repr=False)

    @property
    def count(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def taken(known: Any, workbook: Any, master: Any, before: Any = None) -> bool:
    """Whether Savings was put on `master` from the record `known` (master/record.py) of the
    file `workbook` opened: as read_master reads it from the file. `before(quarter)`, for a
    consolidate: whether a quarter's rows may be copied as bytes (master/savingscopy.py)."""
    found = known.savings if known is not None else None
    if found is None or found.part != workbook.part(NAME) or _part_stamp(workbook, found.part) != (
            found.crc, found.size):
        return False
    take(found, master, master.notes, before)
    known.savings = None  # its columns are the rows now: not held while other sheets are read
    return True


def take(found: SavingsRecord, master: Any, notes: list[str], before: Any = None) -> None:
    """Put Savings on `master` as read_master would read it from the file (read.py); the rows
    of the quarters `before` allows copied as bytes, held as columns (master/savingscopy.py)."""
    from workbook_tools.master.savingscopy import copied_rows

    header = found.header
    keys = (*header, "_row")
    copied = copied_rows(header, found.columns, found.start, found.runs, found.part, before,
                         found.wrapped, found.packed, found.stored, found.coded) \
        if before is not None and found.runs \
        else None
    first = 0 if copied is None else copied[2]
    count = found.count - first
    rows: Any = list(map(dict, map(zip, itertools.repeat(keys, count), zip(
        *(column[first:] for column in found.columns), range(first + 2, found.count + 2),
        strict=True))))
    if copied is not None:
        block, head, _ = copied
        rows = head.with_tail(rows)
        master.copies[NAME] = block
    master.headers[NAME], master.sheets[NAME] = tuple(header), rows
    cells = {(row, col): CellExtra(formula, "", comment, author, look)
             for row, col, formula, comment, author, look in found.cells}
    finance = set(master.finance_columns)
    keep.attach(NAME, header, rows, cells, finance, notes)
    master.columns[NAME] = keep.column_looks(NAME, header, dict(found.looks), finance)


def savings_of(master: Any, workbook: Any, written: Written, saved: Any = None
               ) -> SavingsRecord | None:
    """The record of Savings as the writer wrote `master`'s rows to `workbook` (the written
    file, opened through the guard); None when a read of it could give something else.
    `saved`: where the writer made full flushes (files/xlsx.py's Saved), for the rows copied
    from the old master to be carried over rather than read again (master/carried.py)."""
    from workbook_tools.files.deflate import open_part, packed_digest
    from workbook_tools.files.flushed import inflated_around
    from workbook_tools.files.styles import Styles
    from workbook_tools.master.carried import gap_of
    from workbook_tools.master.savingscopy import copyable, runs_in, variances_otherwise
    from workbook_tools.master.verbatim import Block, read_chunks

    header = list(master.headers[NAME])
    part = workbook.part(NAME)
    rows = master.sheets[NAME]
    width = len(header)
    if not part or not _header_ok(header) or len(written.columns) != width or any(
            r.__class__ is not dict for r in (rows.tail if rows.__class__ is Copied else rows)):
        return None
    with open_part(workbook.archive, part) as stream:
        head = stream.read(64 * 1024)
    end = head.find(b"<sheetData")
    if end < 0:
        return None
    styles = Styles(workbook.archive, workbook.path)
    finance = set(master.finance_columns)
    ours = {header.index(h) for h in mc.LEDGER_COLUMNS[1:]}  # the tool's formulas: not read
    kinds = [mc.kind_of(h) for h in header]
    seen: dict[tuple[int, int], Any] = {}

    def look(col: int, style: int) -> Any:
        """What read.py's _read_kept keeps of a cell's style (files/extras)."""
        if not style or col in ours:
            return None
        if (col, style) not in seen:
            mine = header[col]
            seen[(col, style)] = keep.kept_look(NAME, mine, styles.look(style)) \
                if keep.keeps_looks(NAME, mine, finance) else None
        return seen[(col, style)]

    def number_format(style: int) -> Any:
        return styles.look(style).num_format if style else Look().num_format

    looks: dict[tuple[int, int], Any] = {}
    heads = _heads(master, rows, header, ours)
    first = len(heads[0]) if heads else 0  # (the rows copied from the old master's record)
    reads = [None if col in ours else functools.partial(
        as_read, quarter=h == mc.QUARTER, date_column=kinds[col] in ("date", "datetime"))
        for col, h in enumerate(header)]
    both = (read_afresh if afresh(rows, first) else read_columns)(rows, header, reads, first)
    if both is None:
        return None
    columns, quarters_written = both  # (as read, and the Quarter cells as written)
    for col in range(width):
        own, (date, _) = written.columns[col], written.dates[col]
        base, dated = look(col, own), look(col, date)
        if base is not None or dated is not None:  # (a date is read as a date: as_read)
            for at, value in enumerate(columns[col]):
                found = dated if value.__class__ is dt.date else base
                if found is not None:
                    looks[(at + 2, col)] = found
    for at, theirs in written.theirs.items():
        for col, style in theirs.items():
            value = rows[at].get(header[col])
            own = written.dates[col][0] if value.__class__ is dt.date else written.columns[col]
            shown = number_format(style)
            if value.__class__ is dt.date and shown != number_format(own) and not reads_as_date(
                    shown) or value.__class__ in (float, int, bool) and not reads_as_number(shown):
                return None  # read as that format says: a number as a date, a date not
            looks[(at + 2, col)] = look(col, style)
    formulas = _formulas(rows, header, ours, written, columns, number_format)
    if formulas is None:
        return None
    if heads and any(row < first + 2 for row, _ in formulas):
        heads = None  # (a copied row's value put in from its formula: never so, as copied)
    if None in columns[header.index(mc.QUARTER)] and any(
            all(v is None for i, v in enumerate(values) if i not in ours)
            for values in zip(*columns, strict=True)):
        return None  # a blank row is not read as a row
    comments = workbook.comments(NAME).cells
    places = set(looks) | set(formulas) | {p for p in comments if p[1] not in ours}
    cells: list[Cell] = []
    for row, col in sorted(places):
        if row == 1:
            continue  # the header row's notes are the tool's (keep.attach passes them by)
        comment = comments.get((row, col)) if col not in ours else None
        cell = (row, col, formulas.get((row, col)), comment.comment if comment else None,
                comment.author if comment else None, looks.get((row, col)))
        if any(v is not None for v in cell[2:]):
            cells.append(cell)
    crc, size = _part_stamp(workbook, part)
    found = SavingsRecord(part, header, columns, cells, column_looks_in(head[:end]), crc, size,
                          coded=heads)
    count = copyable(header, columns, quarters_written, {  # people's formulas, and ours
        cell[0] for cell in cells if cell[2] is not None} | variances_otherwise(
        header, rows, columns))
    if count:
        # the styles the rows' cells may use: the columns' own, for a date, and people's
        used = frozenset({*written.columns, *itertools.chain(*written.dates), *(
            style for at, theirs in written.theirs.items() if at < count
            for style in theirs.values())} - {0})
        quarters = columns[header.index(mc.QUARTER)]
        block: Block | None = master.copies.get(NAME) if saved is not None else None
        gap = gap_of(saved, part, block) if block is not None and block.runs and [
            (quarter, len(list(same))) for quarter, same in itertools.groupby(
                quarters[:count])][:len(block.runs)] == [
            (run.quarter, run.rows) for run in block.runs] else None
        with open_part(workbook.archive, part, hashed=True) as stream:
            if gap is None or block is None:
                runs = runs_in(read_chunks(stream, SCAN_PIECE), quarters, count, len(rows),
                               used)
            else:  # (the block's bytes hashed, not inflated: carried.gap_of)
                runs = runs_in(inflated_around(stream, gap[1], gap[3], workbook.archive.getinfo(
                    part).file_size, SCAN_PIECE), quarters, count, len(rows), used,
                    (block, gap[0]))
            packed = packed_digest(stream)
        if runs is not None and packed is not None:
            (found.start, found.runs), found.wrapped = runs, dict(written.wrapped)
            found.packed = packed
    return found


def _heads(master: Any, rows: Any, header: list[str], ours: set[int]) -> list[Any] | None:
    """The columns (columncode.Coded) of the rows copied as bytes from the old master's record
    (savingscopy.copied_rows), when `rows` still hold those very values (the ledger's columns,
    `ours`, worked out again, blank in the record); None otherwise."""
    block = master.copies.get(NAME)
    coded = None if block is None else block.coded
    if rows.__class__ is not Copied or coded is None or len(coded) != len(header):
        return None
    count = rows.count
    for col, column in enumerate(coded):
        if len(column) != count or not (column.blank() if col in ours else column.holds(
                rows.columns.get(rows.positions.get(header[col], -1), ()))):
            return None
    return coded


def _part_stamp(workbook: Any, part: str) -> tuple[int, int]:
    """The CRC-32 and size the zip's directory gives the part ((-1, -1) when it has none)."""
    try:
        info = workbook.archive.getinfo(part)
    except KeyError:
        return -1, -1
    return info.CRC, info.file_size


def _header_ok(header: list[str]) -> bool:
    return (all(type(h) is str and h and h == h.strip() and not ALTERED.search(h)
                for h in header)
            and len(set(header)) == len(header) and set(mc.SAVINGS) <= set(header))


def _formulas(rows: Any, header: list[str], ours: set[int],
              written: Written, columns: list[list[Any]],
              number_format: Any) -> dict[tuple[int, int], str] | None:
    """People's formulas as the reader finds them (and their saved values into `columns`)."""
    found: dict[tuple[int, int], str] = {}
    for at, row in with_cells(rows):
        kept = row.get("_cells")
        for h, cell in kept.items():
            if not cell.formula or h not in header:
                continue
            col = header.index(h)
            text = keep.formula_at(cell, at + 2, col).lstrip("=")
            value = row.get(h)
            style = written.theirs.get(at, {}).get(col, written.columns[col])
            if col in ours or not text or ALTERED.search(text) or value.__class__ is bool \
                    or not reads_as_number(number_format(style)):
                return None
            if value.__class__ is str and value.strip() and not ALTERED.search(value):
                columns[col][at] = value
            elif value.__class__ in (float, int) and math.isfinite(value) \
                    and mc.kind_of(h) not in ("date", "datetime"):
                columns[col][at] = float(f"{value:.16G}")
            else:
                return None  # no value saved, or one read otherwise
            found[(at + 2, col)] = text
    return found
