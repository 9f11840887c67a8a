"""A return's worksheet whose item rows are kept as plain tuples and written as one string each,
as the XML xlsxwriter itself writes for them (shared strings, spans, heights): the same bytes.

A return is about 17,000 cells a thousand items; written one by one through xlsxwriter's API
each cell is an argument check, a dimension check, a cell object and, on closing, a dozen calls
to write its XML, which was most of `generate`. Here each item row is checked once, its cells
are (kind, value, format) tuples, and their XML is made when the workbook closes, once the
formats have their style numbers (xlsxwriter numbers them in the order the cells are written,
so the rows are written in the same order as its own). Everything else (titles, headers,
validations, conditional formats) is still xlsxwriter's. pyproject pins xlsxwriter to the
versions this is tested on, since it uses the worksheet's private tables and writers.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import _datetime_to_excel_datetime, _utf16_len, _utf16_truncate
from xlsxwriter.worksheet import re_dynamic_function

from workbook_tools.files.cells import column_letter
from workbook_tools.files.xlsx import ZIP_LEVEL, FastFormulaWorksheet, close_workbook

# a cell of an item row: (kind, value, format); value: a number, a shared string's index, a
# formula from formula_template (its value left for the program to work out) or None for a
# blank, which has a format (xlsxwriter writes no cell for a blank without one)
BLANK, NUMBER, STRING, FORMULA = 0, 1, 2, 3
Cell = tuple[int, Any, Any]
_Row = tuple[int | None, bool, Sequence[Cell | None], tuple[int, int] | None]
_ESCAPE = re.compile(r"[&<>]")
_ERROR_CODES = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def save(workbook: Any) -> None:
    """Save a return: its parts zipped at ZIP_LEVEL, its shared strings as _PlainStrings
    writes them (files/xlsx.close_workbook: a file that cannot be created raises its OSError)."""
    with plain_shared_strings():
        close_workbook(workbook, ZIP_LEVEL)


@contextlib.contextmanager
def plain_shared_strings() -> Iterator[None]:
    """While a workbook saves, its shared strings written as `_PlainStrings` writes them."""
    import xlsxwriter.packager

    made = xlsxwriter.packager.SharedStrings
    xlsxwriter.packager.SharedStrings = _PlainStrings
    try:
        yield
    finally:
        xlsxwriter.packager.SharedStrings = made


class _PlainStrings(SharedStrings):  # type: ignore[misc]
    """xlsxwriter's shared strings part, a plain text (most of a return's 3,000) written as it
    is in one string: xlsxwriter checks each for control characters, spaces at either end and
    characters to escape, and writes each by itself (9 ms of a return's 100). Any other text
    is still written by xlsxwriter (_write_si), so the part is the same bytes."""

    def _write_sst_strings(self) -> None:
        plain: list[str] = []
        for string in self.string_table.string_array:
            # spaces at either end, as utility._preserve_whitespace's ^\s and \s$ find them
            if _NOT_PLAIN.search(string) or string[:1].isspace() or string[-1:].isspace():
                self.fh.write("".join(plain))
                plain.clear()
                self._write_si(string)
            else:
                plain.append(f"<si><t>{string}</t></si>")
        self.fh.write("".join(plain))


# what xlsxwriter escapes in a shared string: control characters (and text looking like their
# escape), the two non-characters, &, < and >
_NOT_PLAIN = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


class ItemSheet(FastFormulaWorksheet):
    """A worksheet that also takes whole item rows (`add_row`), each after the rows above it."""

    def __init__(self) -> None:
        super().__init__()
        #: row (0-based) -> (height in pixels or None, whether it grows as people type, cells,
        #: the 'spans' of its written cells: first and last column, 1-based, or None)
        self.item_rows: dict[int, _Row] = {}

    # -- building ------------------------------------------------------------------------------

    def text(self, text: str, cell_format: Any) -> Cell:
        """A text cell: its shared string, numbered now as xlsxwriter numbers it (in the order
        written), cut as xlsxwriter cuts it at Excel's 32,767 characters."""
        if len(text) > self.xls_strmax // 2 and _utf16_len(text) > self.xls_strmax:
            text = _utf16_truncate(text, self.xls_strmax)
        return STRING, self.str_table._get_shared_string_index(text), cell_format

    def date_number(self, value: Any) -> float:
        """A date or datetime as the serial number Excel stores."""
        return float(_datetime_to_excel_datetime(value, self.date_1904, self.remove_timezone))

    def formula_template(self, template: str) -> str:
        """A formula with a `{row}` field as this worksheet writes it (escaped for XML), prepared
        once for every row.

        Raises:
            ValueError: a dynamic-array or array formula, or one xlsxwriter would rewrite: an
                item row takes the tool's classic formulas only.
        """
        sample = template.format(row=1)
        if (re_dynamic_function.search(sample) or sample.startswith("{")
                or not self._classic(sample)):
            raise ValueError(f"an item row takes classic formulas only, not {template}")
        return _escaped(template.removeprefix("="))

    def add_row(self, row: int, cells: Sequence[Cell | None], height: float | None = None,
                grows: bool = True) -> None:
        """One item's row (0-based): its cells from column A (None for no cell), its height in
        points (None: the default); `grows`: Excel and LibreOffice fit the row again as people
        type in it, rather than keeping the height written."""
        if row in self.table or row in self.item_rows or row in self.row_info:
            raise ValueError(f"row {row + 1} is written already")
        span = _span(cells)
        if span is not None and (self._check_dimensions(row, span[0] - 1)
                                 or self._check_dimensions(row, span[1] - 1)):
            raise ValueError(f"row {row + 1} is outside the worksheet")
        pixels = None if height is None else int(height * 4.0 / 3.0 + 0.5)
        if pixels is not None:
            self.row_sizes[row] = [pixels, False]
        self.item_rows[row] = (pixels, grows, cells, span)

    # -- writing (on closing) ------------------------------------------------------------------

    def _calculate_spans(self) -> None:
        """Each block of 16 rows' first and last column with a cell (or note), as xlsxwriter's
        own _calculate_spans, over the rows written through its API and the item rows."""
        if not self.item_rows:
            super()._calculate_spans()
            return
        bounds: dict[int, tuple[int, int]] = {}

        def extend(row: int, low: int, high: int) -> None:
            block = row // 16
            if block in bounds:
                was_low, was_high = bounds[block]
                low, high = min(low, was_low), max(high, was_high)
            bounds[block] = (low, high)

        for rows in (self.table, self.comments):
            for row, cells in rows.items():
                if cells:
                    extend(row, min(cells) + 1, max(cells) + 1)
        for row, (_, _, _, span) in self.item_rows.items():
            if span is not None:
                extend(row, *span)
        self.row_spans = {block: f"{low}:{high}" for block, (low, high) in bounds.items()}

    def _write_rows(self) -> None:
        if not self.item_rows:
            super()._write_rows()
            return
        self._calculate_spans()
        styles: dict[Any, str] = {}  # format -> ' s="n"', numbered in the order met
        letters = [column_letter(col) for col in range(self.dim_colmax + 1)]
        write = self.fh.write
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            item = self.item_rows.get(row)
            if item is not None:
                write(self._item_row_xml(row, item, styles, letters))
            elif row in self.row_info or row in self.comments or self.table.get(row):
                self._write_table_row(row)
        # xlsxwriter's workbook is a reference cycle, freed only when the garbage collector
        # runs: the rows, most of a return, are let go as soon as they are written
        self.item_rows.clear()

    def _write_table_row(self, row: int) -> None:
        """A row written through xlsxwriter's API, as its own _write_rows writes it."""
        span = self.row_spans.get(row // 16)
        info = self.row_info.get(row)
        cells = self.table.get(row)
        if cells:
            self._write_row(row, span, info)
            for col in range(self.dim_colmin, self.dim_colmax + 1):
                if col in cells:
                    self._write_cell(row, col, cells[col])
            self._xml_end_tag("row")
        else:
            self._write_empty_row(row, span, info)

    def _item_row_xml(self, row: int, item: _Row,
                      styles: dict[Any, str], letters: list[str]) -> str:
        pixels, grows, cells, _ = item
        number = row + 1
        attributes = f' r="{number}"'
        span = self.row_spans.get(row // 16)
        if span:
            attributes += f' spans="{span}"'
        height = self.default_row_height if pixels is None else pixels
        if height != self.original_row_height or height != self.default_row_height:
            attributes += f' ht="{height * 0.75:.16g}"'
            if not grows:
                attributes += ' customHeight="1"'
        if self.excel_version == 2010:
            attributes += ' x14ac:dyDescent="0.25"'
        parts = [f"<row{attributes}>"]
        append = parts.append
        col = -1
        for cell in cells:
            col += 1
            if cell is None:
                continue
            kind, value, cell_format = cell
            style: str | None = ""
            if cell_format is not None:
                style = styles.get(cell_format)
                if style is None:
                    style = styles[cell_format] = f' s="{cell_format._get_xf_index()}"'
            elif kind == BLANK:
                continue
            if kind == STRING:
                append(f'<c r="{letters[col]}{number}"{style} t="s"><v>{value}</v></c>')
            elif kind == BLANK:
                append(f'<c r="{letters[col]}{number}"{style}/>')
            elif kind == NUMBER:
                append(f'<c r="{letters[col]}{number}"{style}><v>{value:.16G}</v></c>')
            else:
                append(f'<c r="{letters[col]}{number}"{style}><f>{value}</f><v></v></c>')
        append("</row>")
        return "".join(parts)


def _escaped(text: str) -> str:
    if _ESCAPE.search(text):
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _span(cells: Sequence[Cell | None]) -> tuple[int, int] | None:
    """The first and last column (1-based) of a row's cells that are written (a blank without
    a format is not), or None."""
    if cells and _written(cells[0]) and _written(cells[-1]):  # an item's row: every column
        return 1, len(cells)
    present = [col for col, cell in enumerate(cells) if _written(cell)]
    return (present[0] + 1, present[-1] + 1) if present else None


def _written(cell: Cell | None) -> bool:
    return cell is not None and (cell[2] is not None or cell[0] != BLANK)
