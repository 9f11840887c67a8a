"""The rows of earlier quarters a consolidate copies from the old master to the new as bytes,
rather than reading them with calamine and writing them again cell by cell (issue 16).

On the sheets a consolidate only copies through (read.LEAN_SHEETS), the block of rows before the
first row of the quarter consolidated is copied when every one of its rows is what our own
writer (files/rowxml.py) writes: `<row r="N">` (a height at most), numbered 2, 3, ... with no
gap, each cell `<c r="A5" s="N">` in column order within the sheet's headers, a number, a
boolean, an in-line text or a styled blank; no formula, shared string or error; `&` only in the
five named entities; no control character; valid UTF-8; a canonical quarter in column A, in
time order and before the quarter consolidated. The header row must be the sheet's headers,
exactly. Anything else ends the block there (the rows from there on are read as before).

The copied rows are still the sheet's first rows in the master (so counts, sorting, quarters
and comments see them), as a sheetrow.Copied: the columns of only the cells a consolidate
reads: quarter, directorate and ID (the sort), last quarter's figures (history.context_of) and
what `Compared with a year ago` is worked out from (a Row made for one has its other cells None
and is marked `copied`). The writer copies their bytes instead (master/write.py), checked
against a checksum taken here (Checksum), and only when the copied rows are still the sheet's
first rows, in order (consolidate checks; if not, read.materialize reads them in full).
WORKBOOK_TOOLS_COPY=off reads and writes every row as before.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from workbook_tools.files.cells import column_letter
from workbook_tools.files.deflate import open_part, packed_digest
from workbook_tools.master import columns as mc
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.readsheet import canonical_quarter, quarter_order
from workbook_tools.master.sheetrow import Copied
from workbook_tools.master.verbatim_copy import Checksum, read_chunks
from workbook_tools.master.verbatim_styles import date_styles, unescaped
from workbook_tools.master.verbatim_text import (
    HEIGHTS,
    NUMBER,
    TEXT,
    only_one,
    plain_text,
    rows_begin,
)

MAX_ROW_BYTES = 8 * 1024 * 1024  # a row longer than this ends the block
_STYLE = rb'(?: s="([1-9][0-9]{0,4})")?'
_ANY_CELL = (rb'(?: s="[1-9][0-9]{0,4}")?(?:/>|><v>' + NUMBER + rb"</v></c>"
             rb'| t="b"><v>[01]</v></c>| t="inlineStr"><is><t(?: xml:space="preserve")?>'
             + TEXT + rb"</t></is></c>)")
# a cell whose value a consolidate reads: its style, number or plain text (no entity) captured
_READ_CELL = (_STYLE + rb"(?:/>|><v>(" + NUMBER + rb")</v></c>"
              rb'| t="inlineStr"><is><t(?: xml:space="preserve")?>([^<&>]*)</t></is></c>)')
_EVERY_CELL = _READ_CELL.replace(rb"([^<&>]*)", rb"(" + TEXT + rb")")  # (the five entities too)
STYLES_USED = re.compile(rb' s="([0-9]{1,5})"')


#: Per sheet, the cells each copied row keeps a value for (beyond Quarter).
READ_CELLS: dict[str, tuple[str, ...]] = {
    MasterSheet.SUBMISSIONS: (),
    MasterSheet.VALIDATION: (),
    MasterSheet.MEASURES: ("Directorate", "Measure ID", "Polarity", "Target", "Actual",
                           mc.YEAR_ON_YEAR),
    MasterSheet.ACTIONS: ("Directorate", mc.ID_COLUMNS[MasterSheet.ACTIONS]),
    MasterSheet.RISKS: ("Directorate", "Risk ID", "Score"),
}


def switched_on() -> bool:
    """Whether copying is on (WORKBOOK_TOOLS_COPY=off forces every row to be read and written)."""
    return os.environ.get("WORKBOOK_TOOLS_COPY", "").strip().lower() not in (
        "off", "0", "no", "false")


@dataclass
class Block:
    """The rows 2..`last_row` of a sheet of the old master, to be copied as they are.

    Attributes:
        part: the zip member of the sheet; start, end: the rows' bytes in it (uncompressed).
        digest: the Checksum of those bytes, checked again as they are copied.
        packed: the SHA-256 of the part's bytes as stored (deflated), of the bytes read where
            the rows were found; checked again of the bytes read as they are copied.
        styles: the style numbers the rows' cells use (checked against the new file's).
        widths: the sheet's column widths in the old file, by column (0-based).
        complete: the block holds every row of the sheet.
    """

    part: str
    start: int
    end: int
    digest: str
    last_row: int
    styles: set[int] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)
    complete: bool = False
    # for the record of the master written from this one (master/record.py), not compared:
    # each quarter's rows in order, and the read cells' values by column (None: not known)
    runs: list[Run] | None = field(default=None, compare=False, repr=False)
    #: (lists, or a record's columns as it held them: columncode.Coded, read as lists are)
    cells: list[Any] | None = field(default=None, compare=False, repr=False)
    dates: frozenset[int] | None = field(default=None, compare=False, repr=False)
    # the SHA-256 of the old master when the block came from its record (master/record.py)
    recorded: str | None = field(default=None, compare=False, repr=False)
    packed: str | None = None
    #: where the old part's writer made a full flush (uncompressed -> stored bytes before it),
    #: at the rows' start and the runs' ends, from its record: the block is then copied as
    #: stored (verbatim_copy.Splice)
    stored: dict[int, int] | None = field(default=None, compare=False, repr=False)
    #: the read cells' columns as the record held them (master/columncode.Coded: from a record
    #: only), carried into the next record rather than `cells` (which may then be let go)
    coded: list[Any] | None = field(default=None, compare=False, repr=False)
    #: as a helper process is sent it (master/recordhelper.py): its columns, all there, are
    #: held by the process that sent it, and put back there into the record made
    held_apart: bool = field(default=False, compare=False, repr=False)
    #: and then the packed texts of its columns' tables, which the rows after it are expected
    #: to repeat (master/columncoder.py's ColumnCoder)
    expected: list[Any] | None = field(default=None, compare=False, repr=False)

    def read_columns(self) -> list[Any] | None:
        """The read cells' columns (Coded, or lists) for the record of the master written
        from this one, None when not known."""
        return self.coded if self.coded is not None else self.cells

    def fitting_columns(self, width: int) -> list[Any] | None:
        """`read_columns`, when they are `width` columns of a cell for each of its rows (None
        otherwise: no record is made after the block)."""
        columns = self.read_columns()
        if columns is None or len(columns) != width or any(
                len(column) != self.count for column in columns):
            return None
        return columns

    @property
    def count(self) -> int:
        return self.last_row - 1

    @property
    def flushed(self) -> bool:
        """Whether its record says where the writer made a full flush at its rows' start and at
        each run's end (so it is copied as stored, each run checked: verbatim_copy.Splice)."""
        stored = self.stored or {}
        return self.start in stored and self.end in stored and all(
            run.end in stored for run in self.runs or ())


@dataclass
class Run:
    """A quarter's rows in a block: how many, where they end in the part (uncompressed), and,
    when known, the Checksum of the block's bytes up to there and the styles the run's cells
    use."""

    quarter: str
    rows: int
    end: int
    digest: str | None = None
    styles: frozenset[int] | None = None


class Grammar:
    """The regular expression one of our rows matches, for a sheet's headers."""

    def __init__(self, name: str, headers: tuple[str, ...],
                 every: dict[int, bytes] | None = None) -> None:
        wanted = headers[1:] if every is not None else READ_CELLS[name]  # (every: all read)
        self.read = [headers.index(h) for h in wanted]
        parts = [rb'<row r="([1-9][0-9]{0,6})"(?: ht="(?:' + HEIGHTS + rb')" customHeight="1")?>']
        parts.append(rb'<c r="A\1"(?: s="[1-9][0-9]{0,4}")? t="inlineStr"><is><t>'
                     rb"([0-9]{4}-[0-9]{2}-Q[1-4])</t></is></c>")
        for col in range(1, len(headers)):
            letter = column_letter(col).encode()
            body = _ANY_CELL if col not in self.read else _READ_CELL if every is None \
                else every.get(col, _EVERY_CELL)
            # every cell: our writer styles every column of these sheets, so writes each cell
            parts.append(rb'<c r="' + letter + rb'\1"' + body)
        parts.append(rb"</row>")
        self.pattern = re.compile(b"".join(parts))
        # group of each read cell's (style, number, text)
        self.groups = {col: 3 + 3 * i for i, col in enumerate(self.read)}


def scan(archive: zipfile.ZipFile, part: str, name: str, headers: tuple[str, ...],
         before: Callable[[str], bool], dates: set[int],
         texts: dict[str, str], every: dict[int, bytes] | None = None
         ) -> tuple[Block, Copied] | None:
    """The block of rows a consolidate can copy from the start of a sheet, and those rows as
    the columns of the cells a consolidate reads (sheetrow.Copied; see the module's notes);
    None when there is none. `before(quarter)`: whether a quarter's rows may be copied (it
    sorts before the quarter consolidated); `dates`: the style numbers that are dates (a read
    cell so styled ends the block); `texts` the master's texts read so far, each held once."""
    if not headers or headers[0] != mc.QUARTER:
        return None
    grammar = Grammar(name, headers, every)
    match, width = grammar.pattern.match, len(headers)
    read = reader(grammar.groups, dates, texts)
    positions = {h: i for i, h in enumerate(headers)}
    with open_part(archive, part, hashed=True) as stream:
        chunks = read_chunks(stream)
        begun = rows_begin(chunks, headers, MAX_ROW_BYTES)
        if begun is None:
            return None
        buffer, widths, pos = begun
        consumed = 0  # bytes of the member before `buffer`
        start = pos
        digest = Checksum()
        styles: set[int] = set()
        # the rows' quarters and read cells, a column each (a Row each held 200 MB at 240 returns)
        row_quarters: list[str] = []
        read_columns: list[list[Any]] = [[] for _ in grammar.read]
        count = 0  # rows taken
        expected, last_order = 2, (0, 0, "")
        # each quarter's bytes -> its order (None: not copied) and its text, held once
        quarters: dict[bytes, tuple[tuple[int, int, str] | None, str]] = {}
        checked, kept = pos, 0  # bytes of `buffer` checked and hashed; rows they hold
        complete = False
        # each quarter's run of rows, with the digest of the bytes up to its end and the styles
        # its cells use (so a record of this master, master/recorder.py, need not find them again)
        runs: list[Run] = []
        run_styles: set[int] = set()
        first, current, last_quarter = 0, "", b""  # the run's first row (in rows), its quarter
        while True:
            found = match(buffer, pos)
            if found is None:
                if buffer.startswith(b"</sheetData>", pos):
                    complete = only_one(buffer[pos + len(b"</sheetData>"):], chunks)
                    break
                if b"</row>" in buffer[pos:] or len(buffer) - pos > MAX_ROW_BYTES:
                    break  # a row that is not ours: the block ends before it
                chunk = next(chunks, b"")
                if not chunk:
                    break
                if not _check(buffer[checked:pos], digest, run_styles):
                    break
                consumed += pos
                buffer, checked, pos, kept = buffer[pos:] + chunk, 0, 0, count
                continue
            if int(found.group(1)) != expected:
                break
            quarter = found.group(2)
            known = quarters.get(quarter)
            if known is None:
                text = quarter.decode()
                text = texts.setdefault(text, text)
                known = quarters[quarter] = (quarter_order(text) if before(text) and
                                             canonical_quarter(text) == text else None, text)
            order, text = known
            if order is None or order < last_order:
                break
            if quarter != last_quarter:
                if count:  # the run before ends here, its bytes checked
                    if not _check(buffer[checked:found.start()], digest, run_styles):
                        break
                    checked, kept = found.start(), count
                    runs.append(Run(current, kept - first, consumed + checked,
                                    digest.hexdigest(), frozenset(run_styles)))
                    styles |= run_styles
                    run_styles, first = set(), kept
                current, last_quarter = text, quarter
            values: list[Any] = [None] * width
            values[0] = text
            if not read(found, values):
                break
            row_quarters.append(text)
            for column, col in zip(read_columns, grammar.read, strict=True):
                column.append(values[col])
            count += 1
            last_order = order
            expected += 1
            pos = found.end()
        if _check(buffer[checked:pos], digest, run_styles):
            checked, kept = pos, count
        else:
            complete = False
        del row_quarters[kept:]
        for column in read_columns:
            del column[kept:]
        if not row_quarters:
            return None
        end = consumed + checked
        if kept > first:
            runs.append(Run(current, kept - first, end, digest.hexdigest(), frozenset(run_styles)))
        styles |= run_styles
        packed = packed_digest(stream)
        if packed is None:
            return None
        columns = dict(zip(grammar.read, read_columns, strict=True))
        return Block(part, start, end, digest.hexdigest(), len(row_quarters) + 1, styles, widths,
                     complete, runs, read_columns, frozenset(dates), packed=packed), \
            Copied(positions, {0: row_quarters, **columns})


def reader(groups: dict[int, int], dates: set[int], texts: dict[str, str],
           known: dict[bytes, Any] | None = None
           ) -> Callable[[re.Match[bytes], list[Any]], bool]:
    """Puts the cells a consolidate reads from a row's match into its values (False for a number
    styled as a date, or a text with an escaped character, which calamine reads, not this).
    `known`: each text's bytes as read before, and its value (the caller's, to empty)."""
    wanted = [g + k for g in groups.values() for k in range(3)]
    columns = list(groups)
    styled = {str(d).encode() for d in dates}
    known = {} if known is None else known

    def read(found: re.Match[bytes], values: list[Any]) -> bool:
        if not wanted:
            return True
        cells = found.group(*wanted)
        if len(wanted) == 1:
            cells = (cells,)
        for i, col in enumerate(columns):
            style, number, text = cells[3 * i:3 * i + 3]
            if number is not None:
                if style in styled:
                    return False
                values[col] = float(number)
            elif text is not None:
                value = known.get(text, False)
                if value is False:
                    if b"_x" in text:
                        return False
                    plain = unescaped(text).decode("utf-8", "replace")
                    value = texts.setdefault(plain, plain) if plain.strip() else None
                    if len(known) < 100_000:
                        known[text] = value
                values[col] = value
        return True

    return read


def _check(data: bytes, digest: Any, styles: set[int]) -> bool:
    """Rows' bytes checked (verbatim_text.plain_text), hashed, their styles noted."""
    if not data:
        return True
    if not plain_text(data):
        return False
    note_styles(data, styles)
    digest.update(data)
    return True


def note_styles(data: bytes, styles: set[int], stop: int | None = None) -> None:
    """Add to `styles` each style number the cells in `data` (up to `stop`) use: a search for
    the first one not yet noted, again after each found, rather than a list of every cell's
    (a few styles, millions of cells; past a few dozen new ones, or a few dozen noted, the list
    after all: a hostile file's thousands of styles would make each search a pattern of
    thousands, compiled and cached again for each one found)."""
    end = len(data) if stop is None else stop
    pos = 0
    for _ in range(32 if len(styles) <= 32 else 0):
        known = b"|".join(b"%d" % s for s in sorted(styles))
        other = re.compile(rb' s="(?!(?:' + known + rb')")([0-9]{1,5})"') if known \
            else STYLES_USED
        found = other.search(data, pos, end)
        if found is None:
            return
        styles.add(int(found.group(1)))
        pos = found.end()
    styles.update(int(s) for s in set(STYLES_USED.findall(data, pos, end)))


class Copier:
    """Finds the rows of each sheet a consolidate may copy (see the module's notes), in the file
    the guard opened and checked (files/guard.py's SafeWorkbook)."""

    def __init__(self, before: Callable[[str], bool] | None) -> None:
        self.before = before
        self.dates: set[int] | None = None

    @property
    def on(self) -> bool:
        """Whether rows are looked for at all (a consolidate, copying not switched off)."""
        return self.before is not None

    @classmethod
    def of(cls, touched: Collection[str] | None) -> Copier:
        """Rows of quarters before every quarter `touched` are copied (none without)."""
        if not touched or not switched_on():
            return cls(None)
        first = min(quarter_order(q) for q in touched)
        return cls(lambda quarter: quarter_order(quarter) < first)

    def scan(self, workbook: Any, name: str, texts: dict[str, str],
             every: dict[int, bytes] | None = None) -> tuple[Block, Copied] | None:
        """The block a sheet's first rows copy, and those rows (None when none); with `every`,
        each cell of every row, whatever its quarter (scan's `every`: master/savingsxml.py)."""
        if self.before is None:
            return None
        part = workbook.part(name)
        if self.dates is None:
            self.dates = date_styles(workbook.archive)
            if self.dates is None:
                self.before = None
                return None
        if not part:
            return None
        return scan(workbook.archive, part, name, mc.SHEETS[name],
                    self.before if every is None else (lambda _: True), self.dates, texts, every)
