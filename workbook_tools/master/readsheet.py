"""One sheet of the master read from calamine's rows (master/read.py reads the workbook): its
headers checked against SPEC section 8, its rows each a dict keyed by header (or a sheetrow.Row),
blank cells None, texts held once, quarters canonical."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools.errors import MasterError, UsageError
from workbook_tools.files.cells import cell_ref, column_letter, is_blank
from workbook_tools.master import columns as mc
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.sheetrow import Row
from workbook_tools.quarters import parse_quarter

NOTHING_CHANGED = "Nothing was changed."
SLICE = 8192  # rows read at a time (read_sheet)
_REF = re.compile(r"([A-Z]+)([0-9]+)$")


@dataclass
class Sheet:
    """A sheet as read: its headers as they are in the file, the headers the master keeps (in
    their order), and its rows."""

    header: list[str]
    headers: tuple[str, ...]
    rows: list[Any] = field(default_factory=list)


def quarter_order(text: Any) -> tuple[int, int, str]:
    """Sort key: quarters in time order; anything that is not a quarter after them."""
    return _quarter_order(str(text))


@functools.lru_cache(maxsize=1024)  # sorting the master asks for the same few, once per row
def _quarter_order(text: str) -> tuple[int, int, str]:
    try:
        quarter = parse_quarter(str(text))
    except UsageError:
        return (9999, 9, str(text))
    return (quarter.start_year, quarter.number, "")


def canonical_quarter(value: Any) -> str | None:
    """'2025-26-Q1' from any accepted spelling; None when it is not a quarter."""
    if is_blank(value):
        return None
    return _canonical_text(str(value))


@functools.lru_cache(maxsize=1024)  # a master's rows carry the same few quarters
def _canonical_text(text: str) -> str | None:
    try:
        return str(parse_quarter(text))
    except UsageError:
        return None


def read_sheet(path: Path, name: str, rows: Iterable[list[Any]], formulas: dict[str, str],
               errors: dict[str, str], texts: dict[str, str],
               lean: Collection[str] | None = None, first: int = 2) -> Sheet:
    """A sheet of the master from calamine's `rows` (and what the safety scan found in it);
    `texts` the texts read so far, each held once; the rows of quarters not in `lean` as Rows
    (when given); `first` the row number of rows[1] (rows before it copied: master/verbatim.py).
    `rows` may be an iterator (calamine's rows a few at a time: files/guard.py's `read_lazily`):
    they are read SLICE rows at a time, so calamine's copy of each cell is let go before the
    next slice's are made, not left as holes among the rows kept (Savings at four quarters of
    240 returns: 224 MB of calamine's cells, held with the rows made from them).

    Raises:
        MasterError: it is not a sheet workbook-tools wrote, or holds what it cannot keep.
    """
    rows = iter(rows)
    top = next(rows, None)
    header = _header([] if top is None else [top])
    wanted = mc.SHEETS[name]
    later = [h for h in mc.ADDED_COLUMNS.get(name, ()) if h not in header]
    absent = [h for h in wanted if h not in header and h not in later]
    if absent:
        raise MasterError(
            f"{path}: sheet '{name}' has no column '{absent[0]}' in row 1, so it is not a master "
            f"workbook written by workbook-tools (was the column renamed?). Put the header "
            f"back and run again. {NOTHING_CHANGED}")
    twice = next((h for i, h in enumerate(header) if h and h in header[:i]), None)
    if twice:
        raise MasterError(
            f"{path}: sheet '{name}' has two columns headed '{twice}'; give one of them another "
            f"header and run again. {NOTHING_CHANGED}")
    extra = [i for i, h in enumerate(header) if h not in wanted]
    own = [i for i in extra if header[i]] if name in mc.OPEN_COLUMNS else []
    columns = [(i, h) for i, h in enumerate(header) if h in wanted or i in own]
    # Columns people added keep their place among ours (so do ours, if they moved them).
    sheet = Sheet(header, tuple(h for _, h in columns) if name in mc.OPEN_COLUMNS else wanted)
    finance = set(mc.FINANCE_COLUMNS) | {header[i] for i in own}
    # rows people left a formula without a saved value, or an error, in finance's columns: the
    # only rows whose cells are looked up one by one (a reference per cell cost seconds)
    flagged = (_finance_rows(formulas, errors, {column_letter(i) for i, h in columns
                                                if h in finance})
               if name == MasterSheet.SAVINGS else set())
    names = [h for _, h in columns]
    width = max((i for i, _ in columns), default=-1) + 1
    added = dict.fromkeys(later)
    lookup = None
    if lean is not None:  # (a sheet whose headers are ours: every one is among `names`+`later`)
        index = {h: i for i, h in enumerate(wanted)}
        lookup = index, [names.index(h) if h in names else None for h in wanted]
    at = first
    while body := list(itertools.islice(rows, SLICE)):
        _refuse_unkept(path, name, body, extra, own, at)
        _take(sheet, body, columns, names, width, texts, added, lookup, lean, flagged, at,
              lambda r: _refuse_unsaved(path, r, columns, finance, formulas, errors))
        at += len(body)
        del body
    return sheet


def _refuse_unkept(path: Path, name: str, body: list[list[Any]], extra: list[int],
                   own: list[int], first: int) -> None:
    """Refuse a value in a column workbook-tools does not keep (`extra`, but for `own`)."""
    for i in extra:
        if i in own:
            continue
        for r, row in enumerate(body, start=first):
            if i < len(row) and not is_blank(row[i]):
                raise MasterError(
                    f"{path}: {name}!{cell_ref(r, i)} is in a column workbook-tools does not "
                    f"keep{' (it has no header)' if name in mc.OPEN_COLUMNS else ''}; move it "
                    f"to a workbook of your own and run again. {NOTHING_CHANGED}")


def _take(sheet: Sheet, body: list[list[Any]], columns: list[tuple[int, str]], names: list[str],
          width: int, texts: dict[str, str], added: dict[str, None], lookup: Any,
          lean: Collection[str] | None, flagged: set[int], first: int,
          refuse_unsaved: Callable[[int], None]) -> None:
    """Put a slice of a sheet's rows (numbered from `first`) on `sheet` (see read_sheet)."""
    if body and min(map(len, body)) < width:
        blank = (None,) * width
        body = [row if len(row) >= width else [*row, *blank[len(row):]] for row in body]
    # Column by column, so each distinct text is looked at once rather than every cell (a
    # master of four quarters is millions of cells): an empty cell (calamine gives '') or one
    # of spaces is None; a text that repeats (a quarter, a directorate, an item's name in every
    # quarter) is held once, as the reader gives each cell its own copy; a quarter is canonical.
    # (every row is at least `width` long: cells past the shortest row are no column of ours)
    table = list(zip(*body, strict=False)) if body else [() for _ in range(width)]
    picked = [_column(table[i], texts, h == "Quarter") for i, h in columns]
    del table
    empty, rows_out = len(names), sheet.rows
    if lookup is not None:
        index, places = lookup
        nothing = [None] * len(body)
        ordered = [picked[p] if p is not None else nothing for p in places]
        quarter_at = index[mc.QUARTER]
        for r, (values, ours) in enumerate(zip(zip(*picked, strict=True),
                                               zip(*ordered, strict=True), strict=True),
                                           start=first):
            if values.count(None) == empty:
                continue
            if ours[quarter_at] in lean:  # type: ignore[operator]
                record = dict(zip(names, values, strict=True))
                record.update(added)
                record["_row"] = r
                rows_out.append(record)
            else:
                rows_out.append(Row(ours, index, r))
        return
    for r, values in enumerate(zip(*picked, strict=True), start=first):
        if values.count(None) == empty:
            continue
        record = dict(zip(names, values, strict=True))
        if added:
            record.update(added)
        if r in flagged:
            refuse_unsaved(r)
        record["_row"] = r
        rows_out.append(record)


def picked_rows(rows: list[list[Any]], names: Collection[str],
                texts: dict[str, str]) -> list[dict[str, Any]]:
    """The rows below the header as dicts of only the columns `names` (each the first column so
    headed; one the sheet lacks is absent), cells and quarters as read_sheet gives them (a blank
    cell None), whatever else the sheet holds: for a caller that needs a few figures, not the
    sheet to keep."""
    header, body = _header(rows), rows[1:]
    picked = {}
    for h in names:
        if h in header:
            i = header.index(h)
            cells = tuple(row[i] if i < len(row) else None for row in body)
            picked[h] = _column(cells, texts, h == "Quarter")
    return [dict(zip(picked, values, strict=True))
            for values in zip(*picked.values(), strict=True)] if picked else [{} for _ in body]


def _header(rows: list[list[Any]]) -> list[str]:
    """Row 1's headers as text without surrounding spaces ('' for a blank)."""
    return [str(h).strip() if not is_blank(h) else "" for h in (rows[0] if rows else [])]


def _column(cells: tuple[Any, ...], texts: dict[str, str], quarter: bool) -> list[Any]:
    """A column's cells as the master's rows hold them (see read_sheet)."""
    once = texts.setdefault
    kept = {v: (once(v, v) if v.strip() else None) for v in set(cells) if v.__class__ is str}
    if quarter:  # (a number or a date is never a quarter)
        kept = {raw: _canonical_text(v) or v if v is not None else None
                for raw, v in kept.items()}
    return list(map(kept.get, cells, cells))  # anything else (a number, a date) as it is


def _refuse_unsaved(path: Path, r: int, columns: list[tuple[int, str]], finance: set[str],
                    formulas: dict[str, str], errors: dict[str, str]) -> None:
    """Refuse a Savings row with a formula whose value was never saved, or an error, in one of
    finance's columns."""
    for i, h in columns:
        ref = cell_ref(r, i)
        if h in finance and ref in formulas:
            raise MasterError(
                f"{path}: Savings!{ref} holds a formula (={formulas[ref]}) whose value "
                f"was never saved; open the master in Excel or LibreOffice and save it, "
                f"or type the value, then run again. {NOTHING_CHANGED}")
        if h in finance and ref in errors:
            raise MasterError(
                f"{path}: Savings!{ref} shows the error {errors[ref]}; correct it and "
                f"run again. {NOTHING_CHANGED}")


def _finance_rows(formulas: dict[str, str], errors: dict[str, str], letters: set[str]) -> set[int]:
    """The rows with a formula or an error in one of the columns `letters` name."""
    found = set()
    for ref in (*formulas, *errors):
        split = _REF.match(ref)
        if split and split.group(1) in letters:
            found.add(int(split.group(2)))
    return found
