"""Rows written straight into a constant-memory xlsxwriter worksheet, as the XML xlsxwriter itself
would write for them.

xlsxwriter spends most of a large write in its per-cell calls (argument checks, a cell object,
then attributes escaped one by one); at 240 returns that was three quarters of consolidate. Here
a row is one string, its cells' styles and references worked out once per column. Everything
else in the workbook (styles, tables, notes, conditional formats, widths) is still xlsxwriter's.
The worksheet must be in constant-memory mode, its rows written in order once its header row is
done; pyproject pins xlsxwriter to the versions this is tested on, since it uses the worksheet's
private row file and counters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import _datetime_to_excel_datetime
from xlsxwriter.xmlwriter import XMLwriter

from workbook_tools.files.cells import column_letter

MAX_TEXT = 32_767  # characters Excel holds in a cell
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x1F\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_")
#: Characters XML 1.0 forbids beyond the control characters (xlsxwriter writes them as they are,
#: which leaves the part not well-formed: Excel refuses the file); written as Excel's _xHHHH_.
_NON_CHARACTERS = re.compile("[\uFFFE\uFFFF]")
ROWS_PER_WRITE = 1000  # rows gathered before they go to the file
#: Texts kept per column, and their characters: enough for the texts a column repeats
#: (statuses, directorates, objectives, themes), few enough that memory does not grow with the
#: rows written. A column of IDs or names, each written once a quarter, filled 65,536 a column
#: at 240 returns (40 MB a process; at 60 returns a quarter's 24,000 measures fit), for no gain:
#: an ID comes again a quarter's rows later.
TEXT_CACHE = 8_192
TEXT_CACHE_CHARS = 400_000
_ESCAPE = re.compile(r"[&<>]")
_SPECIAL = re.compile(r"[\x00-\x08\x0B-\x1F\uFFFE\uFFFF&<>]|_x[0-9A-Fa-f]{4}_")


def as_written(value: Any) -> Any:
    """A float as a master holds it once `RowWriter` has written it (16 significant digits, as
    `write` below) and it is read back: one not finite is written blank (None). Any other value
    as it is."""
    if value.__class__ is not float:
        return value
    return float(f"{value:.16G}") if value - value == 0 else None


class Formula:
    """A formula the tool writes, with the value it gives (so readers that do not calculate see
    it too)."""

    def __init__(self, text: str, value: float | str | None) -> None:
        self.text = text
        self.value = value


class RowWriter:
    """Writes rows 1, 2, ... of a constant-memory worksheet whose header row (row 0) is written.

    Made where the workbook is; the rows may then be written in another process, sent the
    writer pickled (they go to the rows' file, appended), after which `finish` is called where
    the workbook is. Any format a row is given must be `register`ed first (or given as the
    style attribute it was numbered as).

    Args:
        formats: each column's xlsxwriter format (None for none).
        date_formats: each column's (date, date and time) formats, for a date in a column that is
            not a date column (finance's notes, say), so it stays a date.
    """

    def __init__(self, sheet: Any, formats: Sequence[Any],
                 date_formats: Sequence[tuple[Any, Any]]) -> None:
        if not sheet.constant_memory:
            raise ValueError("RowWriter needs a constant-memory worksheet")
        self.sheet = sheet
        self.letters = [column_letter(c) for c in range(len(formats))]
        self.columns = range(len(formats))
        self.openings = [f'<c r="{letter}' for letter in self.letters]
        self.styles = [_style(f) for f in formats]
        self.date_styles = [(_style(d), _style(t)) for d, t in date_formats]
        self.date_1904 = sheet.date_1904
        # a column's texts repeat (quarter, directorate, theme, status): each written once
        self.texts: list[dict[Any, str]] = [{} for _ in formats]  # and dates
        self.cached = [0 for _ in formats]  # characters of the texts kept, by column
        sheet._write_single_row(1)  # the header row goes to disk; row 1 is next
        # xlsxwriter's handle on the rows' file is closed (it reopens it to save); the rows go
        # through this writer's own, opened by the process that writes them (see `flush`)
        sheet._opt_close()
        self.rows_file: str = sheet.row_data_filename
        self.pending: list[str] = []
        self.last = 0

    def __getstate__(self) -> dict[str, Any]:
        """What another process needs to write rows (master/writehelper.py): not the worksheet,
        which stays where the workbook is (and `finish` with it); the texts kept, kept. Never
        with rows pending: both processes would write them."""
        if self.pending:
            raise ValueError("a row writer with rows not yet in its file")
        return {**self.__dict__, "sheet": None}

    def register(self, formats: dict[int, Any]) -> None:
        """Number `formats` in the workbook now (before the rows are written, perhaps in
        another process, which must find each one numbered)."""
        for cell_format in formats.values():
            _style(cell_format)

    def flush(self) -> None:
        """Append the rows written so far to the rows' file."""
        if self.pending:
            with open(self.rows_file, "ab") as out:
                out.write("".join(self.pending).encode())
            self.pending.clear()

    def finish(self, last_row: int | None = None) -> None:
        """After the rows (written here or in another process, up to `last_row`, 0-based):
        the sheet's extent, for xlsxwriter to save."""
        self.flush()
        last = self.last if last_row is None else last_row
        if last > 0:
            self.sheet._check_dimensions(last, len(self.letters) - 1)
        # xlsxwriter's own flush (on saving) writes its "previous row" if it has data or a note;
        # pointing it past the last row keeps a row with a note (written before its row) from
        # being written again as an empty row
        self.sheet.previous_row = last + 1

    def _text(self, col: int, text: str) -> str:
        """What follows a text cell's reference ('' for no cell), kept for the next time."""
        style = self.styles[col]
        tail = _text_tail(style, text) if text.strip() else f"{style}/>" if style else ""
        cache = self.texts[col]
        if len(cache) >= TEXT_CACHE or self.cached[col] > TEXT_CACHE_CHARS:
            cache.clear()
            self.cached[col] = 0
        cache[text] = tail
        self.cached[col] += len(text)
        return tail

    def _date(self, col: int, value: dt.date) -> str:
        """What follows a date cell's reference, kept for the next time (dates repeat)."""
        style = self.date_styles[col][isinstance(value, dt.datetime)]
        serial = _datetime_to_excel_datetime(value, self.date_1904, False)
        tail = f"{style}><v>{serial:.16G}</v></c>"
        cache = self.texts[col]
        if len(cache) >= TEXT_CACHE:
            cache.clear()
            self.cached[col] = 0
        cache[value] = tail
        return tail

    def _other(self, ref: str, col: int, value: Any) -> str:
        style = self.styles[col]
        if isinstance(value, dt.date):
            style = self.date_styles[col][isinstance(value, dt.datetime)]
            serial = _datetime_to_excel_datetime(value, self.date_1904, False)
            return f'<c r="{ref}"{style}><v>{serial:.16G}</v></c>'
        if isinstance(value, Formula):
            formula = f"<f>{_escaped(value.text.lstrip('='))}</f>"
            if isinstance(value.value, str):  # a formula giving text
                return f'<c r="{ref}"{style} t="str">{formula}<v>{_escaped(value.value)}</v></c>'
            result = "" if value.value is None else f"{value.value:.16G}"
            return f'<c r="{ref}"{style}>{formula}<v>{result}</v></c>'
        if isinstance(value, bool):
            return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float) and math.isfinite(value):  # a subclass: numpy's
            return f'<c r="{ref}"{style}><v>{float(value):.16G}</v></c>'
        text = "" if isinstance(value, int | float) else str(value)
        return f'<c r="{ref}"{_text_tail(style, text)}' if text.strip() else (
            f'<c r="{ref}"{style}/>' if style else "")

    def write(self, row: int, values: Sequence[Any], height: float | None = None,
              formats: dict[int, Any] | None = None) -> None:
        """One row (0-based, after the last one written): text always as text, numbers, dates,
        booleans, formulas and blanks by their type; a height in points when it is not the
        default; `formats` those of some cells (by column), when not their column's."""
        if row <= self.last:
            raise ValueError(f"row {row + 1} comes after row {self.last + 1}, already written")
        if formats:
            columns, dates, kept = self.styles, self.date_styles, self.texts
            self.styles, self.date_styles, self.texts = list(columns), list(dates), list(kept)
            for col, cell_format in formats.items():
                self.styles[col] = _style(cell_format)
                self.date_styles[col] = (self.styles[col], self.styles[col])
                self.texts[col] = {}  # the column's texts are kept with the column's style
            try:
                self.write(row, values, height)
            finally:
                self.styles, self.date_styles, self.texts = columns, dates, kept
            return
        number = row + 1
        at = f'{number}"'  # what follows a column's opening in every cell of the row
        # one pass per cell with everything it needs in locals: this loop is most of a write
        cells: list[str] = []
        append = cells.append
        for col, opening, value, texts, style in zip(self.columns, self.openings, values,
                                                     self.texts, self.styles, strict=True):
            kind = value.__class__
            if kind is str:
                tail = texts.get(value)
                if tail is None:
                    tail = self._text(col, value)
                if tail:
                    append(f"{opening}{at}{tail}")
            elif kind is float or kind is int:
                if value - value == 0:  # finite (inf - inf and nan - nan are nan)
                    append(f"{opening}{at}{style}><v>{value:.16G}</v></c>")
                elif style:  # not finite: a blank
                    append(f"{opening}{at}{style}/>")
            elif value is None:
                if style:
                    append(f"{opening}{at}{style}/>")
            elif kind is dt.date or kind is dt.datetime:  # kept with the texts (never equal)
                tail = texts.get(value)
                if tail is None:
                    tail = self._date(col, value)
                append(f"{opening}{at}{tail}")
            else:
                append(self._other(f"{self.letters[col]}{number}", col, value))
        tall = f' ht="{height:.16g}" customHeight="1"' if height else ""
        pending = self.pending
        pending.append(f'<row r="{number}"{tall}>{"".join(cells)}</row>')
        if len(pending) >= ROWS_PER_WRITE:
            self.flush()
        self.last = row


def _style(cell_format: Any) -> str:
    """A cell's style attribute for a format (one already made, as it is)."""
    if cell_format.__class__ is str:
        return cell_format
    index = cell_format._get_xf_index() if cell_format is not None else 0
    return f' s="{index}"' if index else ""


def _escaped(text: str) -> str:
    if _ESCAPE.search(text):
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _text_tail(style: str, text: str) -> str:
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if _SPECIAL.search(text):
        if _CONTROL.search(text):  # as xlsxwriter: control characters as _xHHHH_
            text = XMLwriter._escape_control_characters(text)
            text = _NON_CHARACTERS.sub(lambda found: f"_x{ord(found.group()):04X}_", text)
        text = _escaped(text)
    keep = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'{style} t="inlineStr"><is><t{keep}>{text}</t></is></c>'
