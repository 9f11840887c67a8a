"""Writing the master workbook with xlsxwriter: each sheet an Excel table with filters, a frozen
header, RAG colours, £ and % formats and widths that fit. Finance's columns on Savings are shaded
as theirs, with a note on each header saying so.

Every text value is written with `write_string`, so text from a return that starts with `=`, `+`,
`-` or `@` stays text. The same content gives the same file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_range

from workbook_tools.files.cells import column_letter, is_blank
from workbook_tools.files.extras import ColumnLook
from workbook_tools.files.rowxml import Formula, RowWriter
from workbook_tools.files.wrap import wrapped_lines
from workbook_tools.files.xlsx import (
    NAVY,
    RAG_COLOURS,
    add_rag_formatting,
    close_workbook,
    new_workbook,
)
from workbook_tools.master import columns as mc
from workbook_tools.master.keep import Kept, formula_at
from workbook_tools.master.read import Master, number

#: A row of a sheet: a dict keyed by header, or its values in the sheet's header order.
Row = dict[str, Any] | Sequence[Any]

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
LINE_HEIGHT = 15  # points per line of wrapped text (Calibri 11)
MAX_ROW_HEIGHT = 409  # Excel's limit
_STATUS_COLOURS = {
    "Accepted": "Green", "Accepted with warnings": "Amber", "Rejected": "Red",
    "Not received": "Red", "Not a return": "Red", "Error": "Red", "Warning": "Amber",
    "Improved": "Green", "Declined": "Red", "Provisional": "Amber", "Not available": "Amber",
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


def write_master(master: Master, path: Path) -> None:
    """Write every sheet of `master` to `path` (which is overwritten).

    A sheet's rows are each a dict keyed by header, or a sequence (tuple or list) of the values
    in the sheet's header order; a sequence row may carry people's kept cells and the row it was
    read from as attributes `cells` and `read_at` (a dict row as keys `_cells` and `_row`).

    Raises:
        OSError: the file could not be saved.
    """
    # constant memory: each row goes to disk as it is written, so the writer holds one row, not
    # every cell of the master (the rows arrive in order; see _add_table for the tables)
    workbook = new_workbook(path, constant_memory=True)
    formats = _Formats(workbook)
    finance = set(master.finance_columns)
    for name in mc.SHEETS:
        _write_sheet(workbook, formats, name, master.headers[name], master.sheets[name], finance,
                     master.columns.get(name, {}))
    close_workbook(workbook, ZIP_LEVEL)


#: zlib's level for the master's parts. xlsxwriter takes zlib's default (6): a master of four
#: quarters is 285 MB of XML, and level 6 spent 2.9 s of CPU on it against 1.1 s at level 2,
#: for a file a quarter smaller (25 MB against 32 MB). Every program reads any level.
#: (xlsxwriter has no setting for it: files/xlsx.close_workbook sets it on the zip.)
ZIP_LEVEL = 2


def write_row(rows: RowWriter, row: int, values: Sequence[Any],
              height: float | None = None, formats: dict[int, Any] | None = None) -> None:
    """Write one row (text always as text, numbers, dates, booleans and blanks by their type);
    `formats` those of some cells, when not their column's."""
    rows.write(row, values, height, formats)


def _write_sheet(workbook: Any, formats: _Formats, name: str, headers: Sequence[str],
                 rows: Sequence[Row], finance: set[str],
                 looks: dict[str, ColumnLook]) -> None:
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
    letters = {h: column_letter(i) for i, h in enumerate(headers)}
    shown = [values_of(r, headers) for r in sample(rows)]
    widths = [_width(h, k, [r[i] for r in shown])
              for i, (h, k) in enumerate(zip(headers, kinds, strict=True))]
    wrapped = [(i, widths[i]) for i, k in enumerate(kinds) if k == "longtext"]
    header_lines = max(_lines(h, w) for h, w in zip(headers, widths, strict=True))
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
    # a text shorter than its column's line (and with no line break) takes one line: most cells,
    # told apart here without a call per cell (rows are the bulk of a write)
    one_line = [(i, width, _per_line(width)) for i, width in wrapped]
    savings = name == "Savings"
    for r, record in zip(positions, rows, strict=True):
        values = values_of(record, headers)
        kept = kept_cells(record)
        if savings or kept:
            values = changed = list(values)
            if savings:
                _ledger_formulas(changed, headers, letters, r + 1)
        lines = 1
        for i, width, per_line in one_line:
            value = values[i]
            if value.__class__ is str and (len(value) > per_line or not value.isprintable()):
                lines = max(lines, _lines(value, width))
        height = min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT) if lines > 1 else None
        theirs = _keep_cells(sheet, formats, r, kept, changed, headers, kinds, shades) \
            if kept else None
        write_row(writer, r, values, height, theirs)
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
        look = looks.get(header)
        wider = max(widths[col], look.width) if look and look.width else widths[col]
        sheet.set_column(col, col, wider, None,
                         {"hidden": True} if look and look.hidden else None)


#: Rows a column's width is worked out from: every row of a smaller sheet; of a larger one, the
#: first rows and an even spread of the rest (a pass over every cell cost seconds at 240 returns).
WIDTH_SAMPLE = 1000


def values_of(record: Row, headers: Sequence[str]) -> Sequence[Any]:
    """A row's values in header order (a dict row's missing headers as None)."""
    if isinstance(record, dict):
        return list(map(record.get, headers))
    return record


def kept_cells(record: Row) -> dict[str, Kept] | None:
    """People's formulas, comments and formats kept on a row's cells, by header (or None)."""
    if isinstance(record, dict):
        return record.get("_cells")
    return getattr(record, "cells", None)


def read_at(record: Row) -> Any:
    """The 1-based row a row was read from in the master (None for a new row)."""
    if isinstance(record, dict):
        return record.get("_row")
    return getattr(record, "read_at", None)


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


def _keep_cells(sheet: Any, formats: _Formats, r: int, cells: dict[str, Kept], values: list[Any],
                headers: Sequence[str], kinds: list[str], shades: list[str]) -> dict[int, Any]:
    """People's own formulas, comments and formats on one row (master/keep.py), before the row is
    written: formulas go into `values`, comments onto the sheet; the formats people applied are
    returned by column."""
    theirs = {}
    for header, kept in cells.items():
        if header not in headers:
            continue
        col = headers.index(header)
        if kept.look:
            theirs[col] = formats.cell(kinds[col], shades[col], kept.look)
        if kept.formula:
            values[col] = Formula(formula_at(kept, r + 1, col), _cached(values[col]))
        if kept.comment:  # (constant-memory mode: a note must come before its row is written)
            sheet.write_comment(r, col, kept.comment,
                                {"author": kept.author} if kept.author else {})
    return theirs


def _cached(value: Any) -> Any:
    """A formula's saved value as xlsxwriter writes it (a date as Excel's day number)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - dt.date(1899, 12, 30)).days)
    return value


def row_positions(name: str, rows: Sequence[Row]) -> list[int]:
    """The 0-based row each record is written to: one after another, except on a sheet that is
    people's own, where each row stays where it was read (blank rows between kept, so their
    formulas still point at the same rows)."""
    if name not in mc.PEOPLES_OWN:
        return list(range(1, len(rows) + 1))
    positions: list[int] = []
    for record in rows:
        at = positions[-1] + 1 if positions else 1
        was = read_at(record)
        if isinstance(was, int):
            at = max(at, was - 1)
        positions.append(at)
    return positions


def _ledger_formulas(values: list[Any], headers: Sequence[str], letters: dict[str, str],
                     row: int) -> None:
    """The ledger variances as live formulas, so finance sees them move as they type."""
    ledger = f"{letters[mc.LEDGER]}{row}"
    for header, other in ((mc.LEDGER_VARIANCE, "Delivered to date (£)"),
                          (mc.LEDGER_VARIANCE_TO_FINANCE, "Finance confirmed (£)")):
        ref = f"{letters[other]}{row}"
        text = f'=IF(AND(ISNUMBER({ledger}),ISNUMBER({ref})),{ledger}-{ref},"")'
        at = headers.index(header)
        values[at] = Formula(text, number(values[at]))


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
    content = max((_shown_length(v, kind) for v in values), default=0)
    header_words = max(len(w) for w in header.split())
    width = max(content + 2, header_words + 3, min(len(header), 14) + 3)  # + filter button
    return float(min(width, _WIDTH_CAPS.get(header, _WIDTH_CAPS.get(kind, 18))))


def _lines(value: Any, width: float) -> int:
    """Lines a wrapped cell needs at a column width (programs do not all fit rows themselves)."""
    if not isinstance(value, str) or not value.strip():
        return 1
    return wrapped_lines(value, _per_line(width))


def _per_line(width: float) -> int:
    """Characters a line of a wrapped cell holds at a column width."""
    return max(int(width * 1.15) - 2, 1)  # proportional fonts fit more than the width
