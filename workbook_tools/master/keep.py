"""What people do in the master beyond typing values, kept through every run: finance's formulas,
comments and formats on Savings, everything on the Narrative sheet, and comments on the rows of
every other sheet for as long as the row is kept (a row written again from the returns loses
its comments, and the console says so).

Read: every cell's formula, comment and the formats people applied (a fill, bold, a number
format: what differs from the tool's own format for the column) on finance's columns and columns
of their own, comments on any cell, and the width and hidden state of columns. Each is attached
to its row's record (`_cells`, by header), so it moves with the row's (Quarter, Saving ID).

Written: a formula whose references all point at its own row is moved with the row (openpyxl's
formula translator); one that points elsewhere is kept as typed and listed on the console, so
finance can check it. What cannot be kept is said on the console, naming the sheet and cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbook_tools.files.cells import cell_ref, column_letter
from workbook_tools.files.extras import CellExtra, ColumnLook
from workbook_tools.files.styles import Look
from workbook_tools.master import columns as mc
from workbook_tools.master.sheetrow import ByReadAt, keep_cells, with_cells

# How far a formula reaches: only its own row, or anywhere else (another row, another sheet,
# a name, a fixed cell).
OWN_ROW, ELSEWHERE = "own row", "elsewhere"

_CELL = re.compile(r"^\$?[A-Za-z]{1,3}(\$?)0*(\d+)$")
_COLUMN = re.compile(r"^\$?[A-Za-z]{1,3}$")
_SHEET = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(.*)$")


@dataclass
class Kept:
    """What one cell held beyond its value, and where it was read from."""

    row: int  # 1-based row and 0-based column it was read from
    col: int
    formula: str | None = None  # without '='
    reach: str = OWN_ROW
    comment: str | None = None
    author: str | None = None
    look: tuple[tuple[str, Any], ...] | None = None  # xlsxwriter format properties


def keeps_looks(sheet: str, header: str, finance: set[str]) -> bool:
    """Whether the formats people apply to a column are kept (theirs, not the tool's)."""
    return sheet in mc.PEOPLES_OWN or header in finance


def kept_look(sheet: str, header: str, look: Look) -> tuple[tuple[str, Any], ...] | None:
    """The formats people applied to a cell: what differs from the tool's own for its column."""
    fill, code = mc.column_style(sheet, header)
    props: dict[str, Any] = {}
    if look.fill and look.fill.upper() != (fill or "").upper():
        props["bg_color"] = look.fill
    if look.bold:
        props["bold"] = True
    if look.italic:
        props["italic"] = True
    if look.underline:
        props["underline"] = 1
    if look.strike:
        props["font_strikeout"] = True
    if look.font_color and look.font_color.upper() != "#000000":
        props["font_color"] = look.font_color
    if look.num_format not in (0, "General") and _plain(look.num_format) != _plain(code):
        props["num_format"] = look.num_format
    return tuple(sorted(props.items())) or None


def _plain(code: str | int) -> str:
    return str(code).lower().replace("\\", "").replace('"', "")


def reach(formula: str, row: int, sheet: str, rows_move: bool) -> str:
    """OWN_ROW when every reference in the formula points at its own row on its own sheet
    (whole columns and table references are the same wherever the row goes), else ELSEWHERE.
    On a sheet whose rows do not move, only references to other sheets are ELSEWHERE."""
    from openpyxl.formula.tokenizer import Tokenizer

    try:
        tokens = Tokenizer(f"={formula}").items
    except Exception:  # openpyxl's tokenizer refuses some odd formulas
        return ELSEWHERE
    for token in tokens:
        if token.type != "OPERAND" or token.subtype != "RANGE":
            continue
        text = token.value
        sheet_of = _SHEET.match(text)
        if sheet_of:
            named = (sheet_of.group(1) or "").replace("''", "'") or sheet_of.group(2)
            if named != sheet:
                return ELSEWHERE
            text = sheet_of.group(3)
        if "[" in text and not text.startswith("["):
            continue  # a table reference: SavingsTable[@[Forecast (£)]]
        if not rows_move:
            continue
        for part in text.split(":"):
            cell = _CELL.match(part)
            if cell and not cell.group(1) and int(cell.group(2)) == row:
                continue
            if _COLUMN.match(part):
                continue
            return ELSEWHERE
    return OWN_ROW


def refers_to_another_workbook(formula: str) -> bool:
    return bool(re.search(r"(^|[^A-Za-z0-9_\]])'?\[", formula)) and "!" in formula


def attach(sheet: str, headers: list[str], records: list[Any],
           cells: dict[tuple[int, int], CellExtra], finance: set[str],
           notes: list[str]) -> None:
    """Put each cell's formula, comment and look on its row's record (record['_cells'] by header);
    say on `notes` what cannot be kept."""
    by_row = ByReadAt(records)  # (a copied row made a Row only when it has a cell here)
    rows_move = sheet not in mc.PEOPLES_OWN
    for (row, col), cell in sorted(cells.items()):
        header = headers[col] if col < len(headers) else ""
        where = f"{sheet}!{cell_ref(row, col)}"
        if row == 1:
            continue  # the header row: its notes are the tool's
        record = by_row.get(row)
        if record is None or not header:
            if cell.comment or cell.formula:
                what = "comment" if cell.comment else "formula"
                notes.append(f"{where}: a {what} on a row or column with nothing else in it "
                             "was not kept.")
            continue
        kept = Kept(row, col, comment=cell.comment, author=cell.author, look=cell.look)
        if cell.formula and not keeps_looks(sheet, header, finance):
            notes.append(f"{where}: a formula in a column workbook-tools fills was kept as its "
                         "value.")
        elif cell.formula and cell.formula_type:
            notes.append(f"{where}: an array formula ({{={cell.formula}}}) was kept as its "
                         "value.")
        elif cell.formula and refers_to_another_workbook(cell.formula):
            notes.append(f"{where}: a formula referring to another workbook was kept as its "
                         "value.")
        elif cell.formula:
            kept.formula = cell.formula
            kept.reach = reach(cell.formula, row, sheet, rows_move)
        if kept.formula or kept.comment or kept.look:
            keep_cells(record)[header] = kept


def formula_at(kept: Kept, row: int, col: int) -> str:
    """The kept formula (with '=') for the cell it is written to: moved with its row when it
    points only at its own row, else as typed."""
    assert kept.formula is not None
    text = f"={kept.formula}"
    if kept.reach != OWN_ROW or (row, col) == (kept.row, kept.col):
        return text
    from openpyxl.formula.translate import Translator

    try:
        return str(Translator(text, origin=cell_ref(kept.row, kept.col)).translate_formula(
            cell_ref(row, col)))
    except Exception:  # a formula the translator cannot move stays as typed
        return text


def formula_notes(sheet: str, headers: tuple[str, ...], positions: Sequence[int],
                  rows: list[dict[str, Any]]) -> list[str]:
    """A line for each kept formula that points outside its row, at the cell it is written to."""
    notes = []
    for index, record in with_cells(rows):  # (not a Row made for each row copied as bytes)
        at = positions[index]
        for header, kept in (record.get("_cells") or {}).items():
            if not kept.formula or kept.reach != ELSEWHERE or header not in headers:
                continue
            now = cell_ref(at + 1, headers.index(header))
            was = f" (was {column_letter(kept.col)}{kept.row})" if (at + 1, headers.index(
                header)) != (kept.row, kept.col) else ""
            notes.append(f"{sheet}!{now}{was}: the formula ={kept.formula} refers to cells "
                         "outside its row; it was kept as typed, check it still points where "
                         "you meant.")
    return notes


def column_looks(sheet: str, headers: list[str], columns: dict[int, ColumnLook],
                 finance: set[str]) -> dict[str, ColumnLook]:
    """The widths of people's own columns and the hidden state of every column, by header (a
    width is kept when it is wider than the tool would make it: the file cannot tell a width
    someone set from the one the tool wrote)."""
    kept = {}
    for col, look in columns.items():
        if col >= len(headers) or not headers[col]:
            continue
        header = headers[col]
        theirs = keeps_looks(sheet, header, finance) and header not in mc.SHEETS[sheet]
        width = look.width if theirs or sheet in mc.PEOPLES_OWN else None
        if width is not None or look.hidden:
            kept[header] = ColumnLook(width, look.hidden)
    return kept


def dropped_comments(old_sheets: dict[str, list[Any]],
                     new_sheets: dict[str, list[Any]]) -> list[str]:
    """A line for each comment on a row of the tool's own sheets that this run wrote again (the
    quarter's rows come afresh from the returns), so none is lost without a word."""
    notes = []
    for name, rows in old_sheets.items():
        if name in mc.OPEN_COLUMNS:
            continue  # Savings' comments go with finance's entries; Narrative is kept whole
        # only rows with kept cells can hold one (sheetrow.Copied's copied rows are Rows only
        # when they have)
        present = {id(row) for _, row in with_cells(new_sheets.get(name, []))}
        for _, row in with_cells(rows):
            if id(row) in present:
                continue
            for kept in (row.get("_cells") or {}).values():
                if kept.comment:
                    notes.append(f"{name}!{cell_ref(kept.row, kept.col)}: a comment on a row "
                                 "this run wrote again from the returns was not kept.")
    return notes
