"""Writing the summary workbooks: titled sheets of formatted tables, print-ready (A4 landscape,
one page wide, a footer with council, period and date).

Every text value is written with `write_string` (commentary from a return that begins with `=`
stays text); numbers carry £, % or count formats; RAG words are coloured.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbook_tools.files.wrap import wrapped_lines
from workbook_tools.files.xlsx import NAVY, RAG_COLOURS, close_workbook, new_workbook
from workbook_tools.master import columns as mc
from workbook_tools.returns.findings import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    NOT_RECEIVED,
    REJECTED,
)
from workbook_tools.returns.rules import (
    AMBER,
    DECLINED,
    GREEN,
    IMPROVED,
    RED,
    UNACHIEVABLE,
    ActionStatus,
    SavingStatus,
)

MONEY_FORMAT = '"£"#,##0;[Red]-"£"#,##0'
FORMATS = {
    "money": MONEY_FORMAT,
    "integer": "#,##0",
    "share": "0%",
    "points": '0"%"',
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
#: Words shown in RAG colours wherever they appear in a coloured column.
COLOURED = {
    GREEN: GREEN, AMBER: AMBER, RED: RED,
    "Better": GREEN, "Worse": RED, IMPROVED: GREEN, DECLINED: RED,
    ACCEPTED: GREEN, ACCEPTED_WITH_WARNINGS: AMBER, REJECTED: RED, NOT_RECEIVED: RED,
    ActionStatus.COMPLETE: GREEN, ActionStatus.ON_TRACK: GREEN, ActionStatus.AT_RISK: AMBER,
    ActionStatus.OFF_TRACK: RED, SavingStatus.DELIVERED: GREEN,
    UNACHIEVABLE: RED,
}
COLOURED_HEADERS = {"RAG", "Change", "Direction of travel", "Direction", "Return", "Status",
                    "Rating", "Over the year"}
WIDTH_CAPS = {"longtext": 48, "text": 32, "name": 24}
NAME_HEADERS = {"Directorate", "Lead officer", "Owner", "Theme"}
CHARS_PER_UNIT = 1.25  # characters of 10pt text per unit of column width (erring wide)
LINE_HEIGHT = 13.0  # points per line of 10pt text
TEXT_WIDTH = 2  # padding added to every column's widest value
GREY_BORDER = "#BFBFBF"


def kind_for(header: str, series: pd.Series | None = None) -> str:
    """How a column is shown, from its header (and its values when the header says nothing)."""
    if header in NAME_HEADERS:
        return "name"
    if header.endswith("(£)") or header in mc.MONEY:
        return "money"
    if header in COLOURED_HEADERS or header.startswith(("RAG ", "Direction of travel (")) \
            or header.startswith("RAG ("):
        return "rag"
    if header in ("Due date", "Revised due date", "Due date before", "Due date now"):
        return "date"
    if header in ("% complete",):
        return "points"
    known = mc.kind_of(header)
    if known in ("longtext", "date", "datetime", "points"):
        return known
    if series is not None and pd.api.types.is_numeric_dtype(series):
        values = series.dropna()
        whole = bool(len(values) == 0 or (values == values.round()).all())
        return "integer" if whole and known != "number" else "number"
    return "text"


@dataclass
class Block:
    """Where a table was written (0-based rows and columns), for charts to refer to."""

    sheet: str
    header_row: int
    first_row: int
    last_row: int  # the last data row (not the total)
    columns: dict[str, int] = field(default_factory=dict)

    def col(self, header: Any) -> int:
        return self.columns[_label(header)]

    def ref(self, header: Any, rows: int | None = None) -> list[Any]:
        """[sheet, first row, col, last row, col] of a column's data (its first `rows` rows
        when given), for a chart series."""
        col = self.col(header)
        last = self.last_row if rows is None else self.first_row + rows - 1
        return [self.sheet, self.first_row, col, last, col]

    def cell(self, header: Any) -> list[Any]:
        """[sheet, row, col] of a column's header, for a series name."""
        return [self.sheet, self.header_row, self.col(header)]


def _label(header: Any) -> str:
    if isinstance(header, tuple):
        return " ".join(str(h) for h in header if h)
    return str(header)


class Book:
    """A summary workbook: one `Sheet` per tab, closed with `close()`."""

    def __init__(self, path: Path, council: str, period: str, produced: dt.date) -> None:
        self.workbook = new_workbook(path)
        self.council = council
        self.period = period
        self.produced = produced
        self.sheets: list[Sheet] = []
        self._formats: dict[tuple[Any, ...], Any] = {}

    def fmt(self, kind: str = "text", bold: bool = False, colour: str | None = None,
            number_format: str | None = None, top_border: bool = False, size: int = 0,
            header: bool = False, wrap: bool = True, align: str = "", indent: int = 0) -> Any:
        key = (kind, bold, colour, number_format, top_border, size, header, wrap, align, indent)
        if key not in self._formats:
            spec: dict[str, Any] = {"valign": "top", "font_size": size or 10}
            if header:
                spec.update({"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY,
                             "text_wrap": True, "border": 1, "border_color": GREY_BORDER,
                             "align": "center" if align == "center" else "left"})
                if colour in RAG_COLOURS:
                    fill, font = RAG_COLOURS[colour]
                    spec.update({"bg_color": fill, "font_color": font})
            elif kind in ("title", "subtitle", "heading", "note"):
                spec.update({"title": {"bold": True, "font_size": 16, "font_color": NAVY},
                             "subtitle": {"font_size": 11, "font_color": "#404040"},
                             "heading": {"bold": True, "font_size": 12, "font_color": NAVY},
                             "note": {"italic": True, "font_color": "#595959"}}[kind])
            else:
                spec.update({"border": 1, "border_color": GREY_BORDER, "text_wrap": wrap})
                if number_format or kind in FORMATS:
                    spec["num_format"] = number_format or FORMATS[kind]
                if colour in RAG_COLOURS:
                    fill, font = RAG_COLOURS[colour]
                    spec.update({"bg_color": fill, "font_color": font})
                if bold:
                    spec["bold"] = True
                if top_border:
                    spec.update({"top": 2, "top_color": NAVY, "bg_color": "#F2F2F2"})
                if align:
                    spec["align"] = align
                if indent:
                    spec["indent"] = indent
            self._formats[key] = self.workbook.add_format(spec)
        return self._formats[key]

    def sheet(self, name: str, title: str, subtitle: str = "") -> Sheet:
        sheet = Sheet(self, self.workbook.add_worksheet(name), name)
        sheet.title(title, subtitle)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.finish()
        close_workbook(self.workbook)


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")


class Sheet:
    """One tab: written top to bottom; `row` is the next free row."""

    def __init__(self, book: Book, worksheet: Any, name: str) -> None:
        self.book = book
        self.ws = worksheet
        self.name = name
        self.row = 0
        self.widths: dict[int, float] = {}
        self.fixed: dict[int, float] = {}
        self.wrapped: list[tuple[int, int, str, bool]] = []  # (row, col, text, bold)
        self.headers: list[tuple[int, int, int]] = []  # each table: (top, header row, rows)

    # -- text ----------------------------------------------------------------------------------

    def title(self, text: str, subtitle: str = "") -> None:
        self.ws.write_string(0, 0, text, self.book.fmt("title"))
        self.ws.set_row(0, 24)
        if subtitle:
            self.ws.write_string(1, 0, subtitle, self.book.fmt("subtitle"))
        self.row = 3

    def heading(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.book.fmt("heading"))
        self.row += 1

    def note(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.book.fmt("note"))
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def width(self, col: int, width: float) -> None:
        """Fix a column's width (a chart or a label column that must not grow)."""
        self.fixed[col] = width

    # -- tables --------------------------------------------------------------------------------

    def table(self, frame: pd.DataFrame, index: bool = False, total: Sequence[Any] | None = None,
              kinds: dict[str, str] | None = None, units: Sequence[str] | None = None,
              col: int = 0, empty: str = "None.") -> Block:
        """Write a DataFrame as a bordered table with a navy header; a MultiIndex header gets a
        merged group row above it. `units` (one per row) formats 'number' columns as the
        measure's unit. Returns where it went."""
        frame = frame.reset_index() if index else frame
        grouped = isinstance(frame.columns, pd.MultiIndex)
        if grouped:  # a column outside every group (such as the index) is named on the lower row
            frame = frame.copy()
            frame.columns = pd.MultiIndex.from_tuples(
                [("", h[0]) if not h[1] else h for h in frame.columns])
        headers = list(frame.columns)
        kinds = kinds or {}
        shown = [_label(h[-1] if grouped else h) for h in headers]
        column_kinds = [kinds.get(_label(h), kinds.get(s, kind_for(s, frame[h])))
                        for h, s in zip(headers, shown, strict=True)]
        top = self.row
        if grouped:
            self._group_row(headers, col)
        header_row = self.row
        self.headers.append((top, header_row, len(frame)))
        for c, text in enumerate(shown):
            colour = text if text in RAG_COLOURS else None
            self.ws.write_string(header_row, col + c, text, self.book.fmt(header=True,
                                                                          colour=colour))
            self._want(col + c, max(len(w) for w in text.split() or [""]) + TEXT_WIDTH, "text")
            self.wrapped.append((header_row, col + c, text, True))
        self.row += 1
        block = Block(self.name, header_row, self.row, self.row - 1,
                      {_label(h): col + c for c, h in enumerate(headers)})
        if frame.empty:
            self.ws.write_string(self.row, col, empty, self.book.fmt("note"))
            self.row += 2
            return block
        for r, values in enumerate(frame.itertuples(index=False, name=None)):
            unit = units[r] if units is not None else ""
            for c, value in enumerate(values):
                self.cell(self.row, col + c, value, column_kinds[c], unit)
            self.row += 1
        block.last_row = self.row - 1
        if total is not None:
            for c, value in enumerate(total):
                self.cell(self.row, col + c, value, column_kinds[c] if c else "text",
                          bold=True, top_border=True)
            self.row += 1
        self.row += 1
        return block

    def _group_row(self, headers: list[Any], col: int) -> None:
        start = 0
        for c in range(1, len(headers) + 1):
            if c == len(headers) or headers[c][0] != headers[start][0]:
                group = str(headers[start][0])
                fmt = self.book.fmt(header=True, align="center")
                if c - start > 1:
                    self.ws.merge_range(self.row, col + start, self.row, col + c - 1, group, fmt)
                else:
                    self.ws.write_string(self.row, col + start, group, fmt)
                start = c
        self.row += 1

    def cell(self, row: int, col: int, value: Any, kind: str = "text", unit: str = "",
             bold: bool = False, top_border: bool = False, indent: int = 0) -> None:
        """Write one value by its type: text always as text, never as a formula."""
        value = _plain(value)
        colour = COLOURED.get(value) if kind == "rag" and isinstance(value, str) else None
        if value is None:
            self.ws.write_blank(row, col, None, self.book.fmt(kind, bold, colour,
                                                             top_border=top_border))
            return
        if isinstance(value, dt.datetime | dt.date):
            fmt = self.book.fmt("date", bold, top_border=top_border)
            self.ws.write_datetime(row, col, value, fmt)
            self._want(col, 10 + TEXT_WIDTH, "date")
        elif isinstance(value, int | float):
            number_format = _number_format(kind, unit, value)
            fmt = self.book.fmt(kind, bold, number_format=number_format, top_border=top_border,
                                align="right")
            self.ws.write_number(row, col, value, fmt)
            self._want(col, _shown_length(value, kind, unit) + TEXT_WIDTH, "number")
        else:
            text = str(value)
            fmt = self.book.fmt(kind, bold, colour, top_border=top_border, indent=indent)
            self.ws.write_string(row, col, text, fmt)
            longest = max((len(line) for line in text.splitlines()), default=0)
            self._want(col, longest + TEXT_WIDTH, kind if kind in WIDTH_CAPS else "text")
            self.wrapped.append((row, col, text, bold))

    def _want(self, col: int, width: float, kind: str) -> None:
        width = min(width, WIDTH_CAPS.get(kind, 60))
        self.widths[col] = max(self.widths.get(col, 0), width)

    # -- charts and finishing -----------------------------------------------------------------

    def chart(self, chart: Any, row: int, col: int = 0, x_offset: int = 0,
              width: int = 620, height: int = 300) -> None:
        chart.set_size({"width": width, "height": height})
        self.ws.insert_chart(row, col, chart, {"x_offset": x_offset, "y_offset": 4,
                                               "object_position": 1})

    def finish(self) -> None:
        widths = {}
        for col in sorted(set(self.widths) | set(self.fixed)):
            widths[col] = self.fixed.get(col, max(self.widths.get(col, 8), 8))
            self.ws.set_column(col, col, widths[col])
        self._row_heights(widths)
        ws = self.ws
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        # The last table's heading rows on every page it runs onto, when it is the longest:
        # repeated above an earlier table they would name the wrong columns.
        if self.headers and self.headers[-1][2] == max(h[2] for h in self.headers):
            top, header_row, _ = self.headers[-1]
            ws.repeat_rows(top, header_row)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
        book = self.book
        # A space after each font size: '&8' followed by a digit would read as a larger size.
        footer = (f"&L&8 {_footer_text(book.council)}&C&8 {_footer_text(book.period)}"
                  f"&R&8 Produced {book.produced:%d %B %Y}, page &P of &N")
        ws.set_footer(footer)

    def _row_heights(self, widths: dict[int, float]) -> None:
        """Rows tall enough for their wrapped text (neither Excel nor LibreOffice grows a row
        for wrapped text in a file it opens, so the heights are worked out here)."""
        lines: dict[int, int] = {}
        for row, col, text, bold in self.wrapped:
            chars = max(4, int((widths.get(col, 8) - 1) * CHARS_PER_UNIT * (0.92 if bold else 1)))
            count = wrapped_lines(text, chars)
            lines[row] = max(lines.get(row, 1), count)
        for row, count in lines.items():
            if count > 1:
                self.ws.set_row(row, LINE_HEIGHT * count + 2)


def _plain(value: Any) -> Any:
    """Python values from pandas/numpy ones; blanks (None, NaN, NaT) as None."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _number_format(kind: str, unit: str, value: float) -> str | None:
    if kind == "number" and unit in ("%", "£"):
        kind = "money" if unit == "£" else "points"
    if kind == "points":
        return '0"%"' if float(value).is_integer() else '0.0"%"'
    if kind in FORMATS:
        return FORMATS[kind]
    return "#,##0" if float(value).is_integer() else "#,##0.0#"


def _shown_length(value: float, kind: str, unit: str) -> int:
    if kind == "money" or (kind == "number" and unit == "£"):
        return len(f"£{value:,.0f}") + (1 if value < 0 else 0)
    if kind == "share":
        return len(f"{value:.0%}")
    if float(value).is_integer():
        return len(f"{value:,.0f}") + (1 if kind == "points" else 0)
    return len(f"{value:,.2f}") + 1
