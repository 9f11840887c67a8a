"""Writing the master workbook with xlsxwriter: each sheet an Excel table with filters, a frozen
header, RAG colours, £ and % formats and widths that fit. Finance's columns on Savings are shaded
as theirs, with a note on each header saying so.

Every text value is written with `write_string`, so text from a return that starts with `=`, `+`,
`-` or `@` stays text. The same content gives the same file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_range

from workbook_tools.collector import paused
from workbook_tools.files.cells import is_blank
from workbook_tools.files.extras import ColumnLook
from workbook_tools.files.memory import give_back_memory
from workbook_tools.files.rowxml import Formula, RowWriter
from workbook_tools.files.xlsx import (
    NAVY,
    RAG_COLOURS,
    ZIP_LEVEL,
    Saved,
    add_rag_formatting,
    close_workbook,
    new_workbook,
)
from workbook_tools.helper import stop_ahead
from workbook_tools.master import columns as mc
from workbook_tools.master.read import LEAN_SHEETS, Master, materialize
from workbook_tools.master.record import Record, keep
from workbook_tools.master.recorder import helper_ahead, recorded
from workbook_tools.master.savingsrecord import Written
from workbook_tools.master.sheetrow import Row as SheetRow
from workbook_tools.master.sheetrow import kept_cells, with_cells
from workbook_tools.master.verbatim_styles import same_styles
from workbook_tools.master.writerows import (
    LINE_HEIGHT,
    Row,
    SheetRows,
    kept_looks_and_notes,
    row_positions,
    text_lines,
    values_of,
    write_all,
)
from workbook_tools.returns.findings import Severity, Verdict
from workbook_tools.returns.rules import AMBER, GREEN, RED, DataStatus, Direction

__all__ = ["WIDTH_SAMPLE", "row_positions", "sample", "write_master"]

FINANCE_NOTE = ("Finance's own column. Type here: workbook-tools never overwrites it. Every "
                "consolidate reads it back by Quarter and Saving ID and keeps it; if the saving's "
                "row goes, the entry stays in a row marked Orphaned.")
LEDGER_NOTE = ("Filled by 'workbook-tools consolidate --ledger FILE' from the ledger (columns "
               "Saving ID, Quarter, Amount); the variances work themselves out.")
ORPHANED_NOTE = ("Filled when finance's entries have no row this quarter (the saving left the "
                 "register, or its return was not accepted). The entries are kept here and go "
                 "back to the saving's row when it returns.")
NARRATIVE_NOTE = ("The performance team's own sheet: a key message per row, with its Quarter "
                  "and Section (Overview, a theme code or a directorate code). No run changes "
                  "it: formulas, notes and formats stay. The Cabinet pack shows the messages.")

_WIDTH_CAPS = {"longtext": 60, "code": 66, "text": 36, "Files": 110}
_STATUS_COLOURS = {
    Verdict.ACCEPTED: GREEN, Verdict.ACCEPTED_WITH_WARNINGS: AMBER, Verdict.REJECTED: RED,
    Verdict.NOT_RECEIVED: RED, Verdict.NOT_A_RETURN: RED, Severity.ERROR: RED,
    Severity.WARNING: AMBER, Direction.IMPROVED: GREEN, Direction.DECLINED: RED,
    DataStatus.PROVISIONAL: AMBER, DataStatus.NOT_AVAILABLE: AMBER,
}


class _Formats:
    """One xlsxwriter format per (kind, shading), made once per workbook."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[str, str, tuple[tuple[str, Any], ...]], Any] = {}
        self.header = workbook.add_format({"bold": True, "font_color": "#FFFFFF",
                                           "bg_color": NAVY, "text_wrap": True,
                                           "valign": "top", "border": 1})
        self.finance_header = workbook.add_format({"bold": True, "font_color": "#FFFFFF",
                                                   "bg_color": mc.FINANCE_HEADER, "text_wrap": True,
                                                   "valign": "top", "border": 1})
        self.orphaned = workbook.add_format({"bold": True, "font_color": "#9C0006",
                                             "valign": "top"})

    def cell(self, kind: str, shade: str = "", theirs: tuple[tuple[str, Any], ...] = ()) -> Any:
        """The format of a column's cells; `theirs` the formats people applied on top."""
        key = (kind, shade, theirs)
        if key not in self._cache:
            spec: dict[str, Any] = {"valign": "top"}
            if kind in mc.NUMBER_FORMATS:
                spec["num_format"] = mc.NUMBER_FORMATS[kind]
            if kind == "longtext":
                spec["text_wrap"] = True
            if shade:
                spec["bg_color"] = shade
                spec["border"] = 1
                spec["border_color"] = "#BFBFBF"
            spec.update(theirs)
            self._cache[key] = self.workbook.add_format(spec)
        return self._cache[key]


@paused()  # (the rows it writes hold no cycles: collector.py)
def write_master(master: Master, path: Path, keep_record: bool = True,
                 make_record: bool | None = None, release: bool = False
                 ) -> tuple[str, Record] | None:
    """Write every sheet of `master` to `path` (which is overwritten), and the record of what
    was written (master/record.py): kept (`keep_record`), and returned with the file's SHA-256
    (None when none is made).

    A record is made (`make_record` None) only when this write copied earlier quarters' rows
    from a master the tool wrote: a consolidate run again into the master it wrote, as during a
    collection window, the case the record is for. Making one matches every row written anew (a
    few CPU-seconds at national scale), which a first consolidate into a master finance saved,
    or a close or reopen, would pay for a record the next run may never use; the run after such
    a write copies from it and makes the record then. True or False decides.

    A sheet's rows are each a dict keyed by header, or a sequence (tuple or list) of the values
    in the sheet's header order; a sequence row may carry people's kept cells and the row it was
    read from as attributes `cells` and `read_at` (a dict row as keys `_cells` and `_row`).

    `release`: the caller is done with `master`; the rows of the sheets a record is made
    without (the lean sheets', found again in the bytes written) are let go once written,
    rather than held while the record is made (35 MB at four quarters of 240 returns).

    Raises:
        OSError: the file could not be saved.
    """
    make = bool(master.copies) if make_record is None else make_record
    try:
        written, saved = _write(master, path, make)
        if release:
            for name in LEAN_SHEETS:  # (a block's columns stay with the block: the record's)
                master.sheets[name] = []
                block = master.copies.get(name)
                if block is not None and block.coded is not None:
                    block.cells = None  # (the record is made from those: Block.read_columns)
            give_back_memory()
        found = recorded(master, path, saved, written) if make else None
    finally:
        stop_ahead()  # (a helper started ahead and not taken)
    if found is not None and keep_record:
        keep(*found)
    return found


def _write(master: Master, path: Path, flushed: bool = False) -> tuple[Written | None, Saved]:
    """Write the file; the styles Savings' cells were given (for its record), and the sheets'
    parts' digests as stored, as written (files/xlsx.py's close_workbook). `flushed`: the
    lean sheets' parts are deflated with full flushes where each quarter's rows begin (for a
    record, so that the next consolidate copies them as stored)."""
    # constant memory: each row goes to disk as it is written, so the writer holds one row, not
    # every cell of the master (the rows arrive in order; see _add_table for the tables)
    savings = master.copies.get(mc.MasterSheet.SAVINGS)
    if savings is not None and savings.widths != _wrapped(
            master.headers[mc.MasterSheet.SAVINGS], master.sheets[mc.MasterSheet.SAVINGS]):
        # the copied rows' heights were worked out at other widths: written again
        materialize(master, [mc.MasterSheet.SAVINGS])
    workbook = new_workbook(path, constant_memory=True)
    formats = _Formats(workbook)
    finance = set(master.finance_columns)
    sheets = [_sheet(workbook, formats, name, master.headers[name], master.sheets[name], finance,
                     master.columns.get(name, {})) for name in mc.SHEETS]
    for sheet in sheets:
        if sheet.name in master.copies:
            sheet.copy_from(master.path, master.copies[sheet.name])
        elif not getattr(sheet.rows, "afresh", False) and any(  # (chunked.ChunkedRows: none)
                r.__class__ is SheetRow and r.copied for r in sheet.rows):  # (never written empty)
            raise ValueError(f"rows of {sheet.name} to copy from the old master have no block")
        if flushed and (sheet.name in LEAN_SHEETS or sheet.name == mc.MasterSheet.SAVINGS):
            sheet.flush_quarters()
    try:
        write_all(sheets)
        if flushed:  # (a record will be made of the file)
            helper_ahead(max((s.cells for s in sheets if s.name in LEAN_SHEETS), default=0))
        saved = close_workbook(workbook, ZIP_LEVEL)
    except BaseException:
        for sheet in sheets:  # the rows' files, and those of rows taken to copy: not left behind
            sheet.discard()
        raise
    if master.copies:
        used = set().union(*(block.styles for block in master.copies.values()))
        if not same_styles(master.path, path, used):  # a copied cell's style means another
            materialize(master, list(master.copies))  # format here: written again, cell by cell
            return _write(master, path, flushed)
    return next((_written(sheet) for sheet in sheets if sheet.name == mc.MasterSheet.SAVINGS),
                None), saved


def _written(sheet: SheetRows) -> Written:
    """The style numbers a sheet's cells were written with (' s="12"': 12; none: 0)."""
    def number(style: str) -> int:
        return int(style[4:-1]) if style else 0

    writer = sheet.writer
    return Written([number(style) for style in writer.styles],
                   [(number(date), number(time)) for date, time in writer.date_styles],
                   {index: {col: int(cell_format.xf_index) for col, cell_format in cols.items()}
                    for index, cols in sheet.theirs.items()}, dict(sheet.wrapped))


def _sheet(workbook: Any, formats: _Formats, name: str, headers: Sequence[str],
           rows: Sequence[Row], finance: set[str], looks: dict[str, ColumnLook]) -> SheetRows:
    """A sheet with everything but its rows, which are returned to be written."""
    sheet = workbook.add_worksheet(name)
    kinds = [mc.kind_of(h) for h in headers]
    shades = [mc.FINANCE_FILL if h in finance else mc.LEDGER_FILL if h in mc.LEDGER_COLUMNS else ""
              for h in headers]
    cell_formats = [formats.cell(k, s) for k, s in zip(kinds, shades, strict=True)]
    date_formats = [(own, own) if k in ("date", "datetime") else
                    (formats.cell("date", s), formats.cell("datetime", s))
                    for own, k, s in zip(cell_formats, kinds, shades, strict=True)]
    if mc.ORPHANED in headers:
        cell_formats[headers.index(mc.ORPHANED)] = formats.orphaned
    widths = _widths(headers, kinds, rows)
    header_lines = max(text_lines(h, w) for h, w in zip(headers, widths, strict=True))
    sheet.set_row(0, LINE_HEIGHT * header_lines + 2)
    positions = row_positions(name, rows)
    last_row = max(positions[-1] if positions else 1, 1)
    columns = []
    for h in headers:
        header_format = formats.finance_header if h in finance else formats.header
        columns.append({"header": h, "header_format": header_format})
    _add_table(sheet, last_row, {"name": f"{name}Table", "columns": columns,
                                 "style": "Table Style Light 1"})
    _header_notes(sheet, headers, finance)
    writer = RowWriter(sheet, cell_formats, date_formats)

    def look(col: int, theirs: tuple[tuple[str, Any], ...]) -> Any:
        return formats.cell(kinds[col], shades[col], theirs)

    kept, theirs = {}, {}
    for index, record in with_cells(rows):  # (not a Row made for each copied row)
        cells = kept_cells(record)
        if cells:
            kept[index] = cells
            theirs[index] = kept_looks_and_notes(sheet, writer, look, positions[index], cells,
                                                 headers)
    sheet.freeze_panes(1, 3 if name in mc.ITEM_SHEETS else 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    for col, header in enumerate(headers):
        if kinds[col] == "rag":
            add_rag_formatting(workbook, sheet, 1, col, last_row)
        elif header in ("Status", "Severity", "Direction of travel", "Direction",
                        mc.YEAR_ON_YEAR, "Data status"):
            _status_colours(workbook, sheet, col, last_row)
        given = looks.get(header)
        wider = max(widths[col], given.width) if given and given.width else widths[col]
        sheet.set_column(col, col, wider, None,
                         {"hidden": True} if given and given.hidden else None)
    return SheetRows(writer, name, headers, rows, positions,
                     [(i, widths[i]) for i, k in enumerate(kinds) if k == "longtext"], kept,
                     theirs)


def _widths(headers: Sequence[str], kinds: list[str], rows: Sequence[Row]) -> list[float]:
    """Each column's width, from a sample of the rows (`sample`)."""
    shown = [values_of(r, headers) for r in sample(rows)]
    return [_width(h, k, [r[i] for r in shown])
            for i, (h, k) in enumerate(zip(headers, kinds, strict=True))]


def _wrapped(headers: Sequence[str], rows: Sequence[Row]) -> dict[int, float]:
    """The long-text columns' widths, by column: the rows' heights are worked out at them."""
    kinds = [mc.kind_of(h) for h in headers]
    widths = _widths(headers, kinds, rows)
    return {i: widths[i] for i, kind in enumerate(kinds) if kind == "longtext"}


#: Rows a column's width is worked out from: every row of a smaller sheet; of a larger one, the
#: first rows and an even spread of the rest (a pass over every cell cost seconds at 240 returns).
WIDTH_SAMPLE = 1000


def sample(rows: Sequence[Row]) -> Sequence[Row]:
    """The rows column widths are worked out from (the same rows give the same sample)."""
    if len(rows) <= WIDTH_SAMPLE:
        return rows
    half = WIDTH_SAMPLE // 2
    return [*rows[:half], *rows[half::(len(rows) - half) // half + 1]]


def _add_table(sheet: Any, last_row: int, options: dict[str, Any]) -> None:
    """An Excel table over the sheet, in constant-memory mode.

    xlsxwriter refuses add_table() in constant-memory mode because a table can write cells into
    every row it covers (column formulas, formats, a totals row), and those rows may already be
    on disk. This table has none of them: it is added before any row is written, so it touches
    only the header row, which is then written again as in-line strings (constant-memory mode
    writes no shared strings) before the first data row sends it to disk.

    add_table() also records every cell a table covers, to refuse a later table or merged range
    that overlaps it: 21 million entries for a master of four quarters at 240 returns, most of
    the memory and seconds of a write. The sheet has one table and no merged cells, so the table
    is added over the header and the first row and then given the sheet's full range.
    """
    last_col = len(options["columns"]) - 1
    sheet.constant_memory = False
    try:
        sheet.add_table(0, 0, 1, last_col, options)
    finally:
        sheet.constant_memory = True
    table = sheet.tables[-1]
    table["range"] = table["a_range"] = xl_range(0, 0, last_row, last_col)  # no totals row
    if "autofilter" in table:
        table["autofilter"] = table["a_range"]
    for col, column in enumerate(options["columns"]):
        sheet.write_string(0, col, column["header"], column["header_format"])


def _header_notes(sheet: Any, headers: Sequence[str], finance: set[str]) -> None:
    """The notes on finance's, the ledger's and the orphaned column's headers (written with the
    header row, before it goes to disk)."""
    for col, header in enumerate(headers):
        if header in finance:
            sheet.write_comment(0, col, FINANCE_NOTE, {"x_scale": 2.2, "y_scale": 1.6})
        elif header == mc.LEDGER:
            sheet.write_comment(0, col, LEDGER_NOTE, {"x_scale": 2.2, "y_scale": 1.2})
        elif header == mc.ORPHANED:
            sheet.write_comment(0, col, ORPHANED_NOTE, {"x_scale": 2.2, "y_scale": 1.6})
        elif header == "Key message":
            sheet.write_comment(0, col, NARRATIVE_NOTE, {"x_scale": 2.2, "y_scale": 1.6})


def _status_colours(workbook: Any, sheet: Any, col: int, last_row: int) -> None:
    for word, rag in _STATUS_COLOURS.items():
        fill, font = RAG_COLOURS[rag]
        fmt = workbook.add_format({"bg_color": fill, "font_color": font})
        sheet.conditional_format(1, col, last_row, col, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt})


def _shown_length(value: Any, kind: str) -> int:
    if is_blank(value):
        return 0
    if isinstance(value, Formula):
        value = value.value
        if value is None:
            return 0
    if kind == "money" and isinstance(value, int | float):
        return len(f"£{value:,.0f}") + (1 if value < 0 else 0)
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:g}")
    return max(len(line) for line in str(value).splitlines() or [""])


def _width(header: str, kind: str, values: list[Any]) -> float:
    """Wide enough for the longest value (long text wraps at its cap) and the header's longest
    word; headers wrap."""
    cap = _WIDTH_CAPS.get(header, _WIDTH_CAPS.get(kind, 18))
    content = _longest(values, kind, cap - 2)
    header_words = max(len(w) for w in header.split())
    width = max(content + 2, header_words + 3, min(len(header), 14) + 3)  # + filter button
    return float(min(width, cap))


def _longest(values: list[Any], kind: str, enough: int) -> int:
    """The greatest _shown_length of `values`, or one at least `enough` (the width is then the
    cap whatever the rest): each distinct text longest first, until the rest are no longer
    than the longest shown (a text is shown no longer than it is), then the other values."""
    kinds = list(map(type, values))
    best = 0
    for text in sorted(set(itertools.compress(values, map(operator.is_, kinds, itertools.repeat(
            str)))), key=len, reverse=True):
        if len(text) <= best or best >= enough:
            break
        best = max(best, _shown_length(text, kind))
    if best >= enough:
        return best
    others = itertools.compress(values, map(operator.is_not, kinds, itertools.repeat(str)))
    return max(best, max(map(_shown_length, others, itertools.repeat(kind)), default=0))
