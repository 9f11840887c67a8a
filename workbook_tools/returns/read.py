"""Read one return file: identify it by its `_meta`, check its structure, type its values.

A return is identified by its hidden `_meta` sheet (very hidden as generated, merely hidden once
LibreOffice has saved it), never by its file name. `_meta`'s table lists every item row the return
was generated with (sheet, row, ID and a hash of each pre-filled cell), so rows inserted, deleted
or moved, and any pre-filled cell that was changed, are found and named by cell.

Values are typed by one rule per kind of column (see `_number`, `_choice`, `_date`), and the
derived values (RAG, direction, score, variance) are worked out by rules.py: the workbook's cached
formula results are never used.

Percentages: a % measure's actual and an action's % complete are percentage points (0-100). A
number strictly between 0 and 1 is read as a fraction and multiplied by 100, so 12, 0.12 and a
cell typed as 12% in Excel or LibreOffice (stored as 0.12) all mean 12% (rules.percent_points).
Text such as '12%' is not a number: the workbook's own Checks count it, and so does validate.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from workbook_tools import TEMPLATE_VERSION
from workbook_tools.errors import about_file
from workbook_tools.files.cells import EXCEL_EPOCH, column_letter, plain_text, to_date, to_number
from workbook_tools.files.guard import DEFAULT_LIMITS, Limits, SafeWorkbook
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns import layout, rules
from workbook_tools.returns.findings import Finding, ReturnData, Severity
from workbook_tools.returns.fingerprint import cell_hash, fingerprint
from workbook_tools.returns.formats import percent_rows
from workbook_tools.returns.layout import (
    COVER,
    HEADER_ROW,
    META_KEYS,
    META_TABLE_ROW,
    RETURN_MARKER,
    Kind,
    SheetLayout,
)
from workbook_tools.returns.locked import Register, has_items
from workbook_tools.returns.rules.codes import STRUCTURE_RULES, WARNING_RULES

ERROR, WARNING = Severity.ERROR, Severity.WARNING
_RULES = {**STRUCTURE_RULES, **WARNING_RULES}
_EXTERNAL = re.compile(r"\[\d+\]|\[[^\]]*\.xl\w*\]", re.IGNORECASE)  # [1]Sheet1!A1, [a.xlsx]
HEADER_SEARCH_ROWS = 10
MAX_ROW = 1_048_576  # Excel's last row


@dataclass
class ReturnFile:
    """One file read as a return: what identifies it, its structural findings, its raw and typed
    values. `is_return` is False when the file is a workbook but not one of ours."""

    path: Path
    is_return: bool
    findings: list[Finding] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    directorate: str = ""
    quarter: Quarter | None = None
    #: per data sheet, one dict per item row: each input column's value as read ('' made
    #: None), and 'id' and '_row'
    raw: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cover_raw: dict[str, Any] = field(default_factory=dict)  # sign-off label -> value as read
    cover_cells: dict[str, str] = field(default_factory=dict)  # sign-off label -> 'C31'
    unknown_cells: dict[str, set[str]] = field(default_factory=dict)  # sheet -> refs reported
    #: Measures rows whose actual shows a fraction as a percentage: True for a percentage
    #: format (100% typed: 1 that means 100), False for the return's own format for a % measure
    percent_rows: dict[int, bool] = field(default_factory=dict)
    data: ReturnData | None = None  # None when identity or structure stops the reading

    @property
    def file(self) -> str:
        return str(self.path)

    def add(self, code: str, sheet: str = "", cell: str = "", variant: str = "",
            **fields: Any) -> None:
        self.findings.append(_RULES[code].finding(
            self.file, self.directorate, sheet, cell, variant, file=self.path.name, **fields))


@about_file("path")
def read_return(
    path: Path,
    quarter: Quarter | None = None,
    plan: Plan | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ReturnFile:
    """Read one file as a return.

    Args:
        quarter: the quarter being validated; a return for another quarter is refused. None
            takes each return's own quarter from its `_meta`.
        plan: the register, to check the council and the directorate; when it holds its
            items, every pre-filled value is compared with it (returns/locked.py).

    Raises:
        UnreadableFileError: the file is not a workbook that can be read safely.
    """
    path = Path(path)
    with SafeWorkbook(path, limits) as workbook:
        result = ReturnFile(path, is_return=False)
        if layout.META_SHEET not in workbook.sheet_names:
            result.add("not-a-return", detail="hidden _meta sheet")
            return result
        meta_rows, _ = workbook.read(layout.META_SHEET)
        meta, table = _parse_meta(meta_rows)
        if meta.get("Return") != RETURN_MARKER:
            result.add("not-a-return", detail="return marker on its hidden _meta sheet")
            return result
        result.is_return = True
        result.meta = meta
        result.directorate = meta.get("Directorate", "")
        if not _identify(result, table, quarter, plan):
            return result
        macros, links = workbook.active_parts()
        if macros:
            result.add("macros", parts=", ".join(macros))
        if links:
            result.add("external-link", variant="file", parts=", ".join(links))
        assert result.quarter is not None
        sheets = find_sheets(result, workbook.sheet_names)
        cover = sheets.get("Cover")
        register = Register(plan, result.directorate, result.quarter) \
            if plan is not None and has_items(plan) else None
        tolerance = plan.settings.amber_tolerance if plan else 5.0
        if cover:
            rows, scan = workbook.read(cover, watch=column_letter(COVER_VALUE))
            tolerance = _read_cover(result, rows, scan.formulas, scan.errors, tolerance)
            _typed_over(result, "Cover", rows, scan.formula_cells, [COVER.ready])
            if register is not None:
                register.check_cover(result, rows)
                tolerance = register.plan.settings.amber_tolerance  # whatever was typed
        if sheets.get("Checks"):  # its counts (a rule code in D) and Ready to submit
            rows, scan = workbook.read(sheets["Checks"], watch="C")
            _typed_over(result, "Checks", rows, scan.formula_cells, [
                row1 for row1, values in enumerate(rows, 1) if len(values) > 3
                and (values[1] == "Ready to submit" or values[3] and values[0] in sheets)])
        data = ReturnData(result.directorate, result.quarter, meta, _typed_cover(result))
        for name, spec in layout.SHEETS.items():
            actual = sheets.get(name)
            columns: dict[str, list[Any]] = {}
            if actual:
                reported = len(result.findings)
                watch = "".join(spec.letter(c.key) for c in (*spec.inputs, *spec.derived))
                rows, scan = workbook.read(actual, watch=watch)
                columns = _read_sheet(result, spec, rows, table.get(name, []), scan.formulas,
                                      scan.errors)
                for key in (c.key for c in spec.derived):
                    _typed_over(result, spec.name, rows, scan.formula_cells,
                                columns.get("_row", []), spec.index(key))
                if name == "Measures" and "%" in columns.get("unit", ()):
                    result.percent_rows = percent_rows(workbook, actual, spec, "actual", scan)
                if columns:
                    _links(result, name, scan.formula_cells, _INPUT_LETTERS[name])
                if register is not None and (columns or len(result.findings) == reported):
                    register.check_rows(result, spec, columns)
            result.raw[name] = _rows_of({key: columns[key] for key in _RAW_KEYS[name]}
                                        if columns else {})
            data.rows[name] = _typed_rows(spec, columns, result.quarter, tolerance,
                                          result.percent_rows)
        result.data = data
    return result




def _links(result: ReturnFile, sheet: str, formulas: dict[str, str], inputs: str) -> None:
    """A warning on each input cell whose formula reads another workbook."""
    for ref, text in formulas.items():
        if ref.rstrip("0123456789") in inputs and _EXTERNAL.search(text):
            result.add("external-link", sheet, ref, "cell", formula=text)


_INPUT_LETTERS = {name: "".join(spec.letter(c.key) for c in spec.inputs)
                  for name, spec in layout.SHEETS.items()}


# ---------------------------------------------------------------------------------------------
# Identity: _meta, template version, quarter, council, directorate.

MetaItem = tuple[int, str, str]  # (row as generated, ID, '.'-joined cell hashes)


def _parse_meta(rows: list[list[Any]]) -> tuple[dict[str, str], dict[str, list[MetaItem]]]:
    meta: dict[str, str] = {}
    for values in rows[: META_TABLE_ROW - 1]:
        if len(values) >= 2 and plain_text(values[0]):
            meta[plain_text(values[0])] = plain_text(values[1])
    table: dict[str, list[MetaItem]] = {}
    for values in rows[META_TABLE_ROW:]:
        if len(values) < 4 or not values[0]:
            break
        sheet, row, item_id, hashes = values[:4]
        if type(item_id) is not str:
            item_id = plain_text(item_id)
        table.setdefault(str(sheet), []).append(
            (int(row) if type(row) is float and 0 < row <= MAX_ROW else 0,  # not NaN or inf
             item_id.strip(), str(hashes).strip()))
    return meta, table


def _identify(result: ReturnFile, table: dict[str, list[MetaItem]], quarter: Quarter | None,
              plan: Plan | None) -> bool:
    """Check what the return says it is; False stops the reading (the findings say why)."""
    meta = result.meta
    missing = [key for key in META_KEYS if key not in meta]
    rows = [(sheet, item_id, hashes) for sheet in layout.DATA_SHEETS
            for _, item_id, hashes in table.get(sheet, [])]
    if meta.get("Template version", TEMPLATE_VERSION) != TEMPLATE_VERSION:
        result.add("old-template", found=meta["Template version"] or "(none)",
                   expected=TEMPLATE_VERSION)
        return False
    if missing:
        result.add("meta-changed", layout.META_SHEET, detail=f"'{missing[0]}' is missing")
        return False
    if fingerprint(rows) != meta["Fingerprint"]:
        result.add("meta-changed", layout.META_SHEET, detail="its fingerprint does not match")
        return False
    lost = next((item_id for items in table.values() for row, item_id, _ in items if not row),
                None)
    if lost is not None:
        result.add("meta-changed", layout.META_SHEET,
                   detail=f"the row of {lost} is not a row number")
        return False
    try:
        result.quarter = parse_quarter(meta["Quarter"])
    except Exception:
        result.add("meta-changed", layout.META_SHEET, detail=f"quarter '{meta['Quarter']}'")
        return False
    if quarter is not None and result.quarter != quarter:
        result.add("wrong-quarter", found=str(result.quarter), expected=str(quarter))
        return False
    if plan is not None:
        council = plan.settings.council_name
        if meta["Council"].casefold() != council.casefold():
            result.add("wrong-council", found=meta["Council"], expected=council)
            return False
        if result.directorate not in {d.code for d in plan.directorates}:
            result.add("wrong-directorate", found=result.directorate)
            return False
    return True


def _norm(value: Any) -> str:
    return " ".join(plain_text(value).split()).casefold()


def find_sheets(result: ReturnFile, names: list[str]) -> dict[str, str]:
    """Each expected sheet's name in the file; a renamed one is used but reported."""
    found: dict[str, str] = {}
    spare = [n for n in names if n not in layout.SHEET_ORDER]
    for expected in layout.SHEET_ORDER:
        if expected in names:
            found[expected] = expected
            continue
        near = next((n for n in spare if _norm(n) == _norm(expected)), None)
        if near is None and expected in layout.SHEETS:  # 'Measures Q1' for 'Measures'
            near = next((n for n in spare if _norm(n).startswith(_norm(expected)[:4])), None)
        if near is not None:
            spare.remove(near)
            found[expected] = near
            result.add("sheet-renamed", expected, found=near, expected=expected)
        else:
            result.add("sheet-missing", expected)
    return found


# ---------------------------------------------------------------------------------------------
# The Cover: the sign-off, found by its labels in column B.

COVER_LABEL, COVER_VALUE = layout.COVER_LABEL_COL, layout.COVER_VALUE_COL
_SIGNOFF_ROWS = {layout.COMPLETED_BY: COVER.completed_by, layout.APPROVED_BY: COVER.approved_by,
                 layout.SIGNOFF_DATE: COVER.signoff_date}


def _cell(rows: list[list[Any]], row1: int, col: int) -> Any:
    if 0 < row1 <= len(rows) and col < len(rows[row1 - 1]):
        value = rows[row1 - 1][col]
        return None if value == "" else value
    return None


def _read_cover(result: ReturnFile, rows: list[list[Any]], formulas: dict[str, str],
                errors: dict[str, str], tolerance: float) -> float:
    labels = {plain_text(_cell(rows, r, COVER_LABEL)): r for r in range(1, min(len(rows), 80) + 1)}
    letter = column_letter(COVER_VALUE)
    for label, default in _SIGNOFF_ROWS.items():
        row1 = labels.get(label, default)
        ref = f"{letter}{row1}"
        result.cover_cells[label] = ref
        result.cover_raw[label] = _cell(rows, row1, COVER_VALUE)
        _unknown(result, "Cover", ref, formulas, errors)
    expected = {4: result.meta["Council"],
                5: f"{result.meta['Directorate name']} ({result.directorate})"}
    for row1, text in expected.items():
        found = plain_text(_cell(rows, row1, COVER_VALUE))
        if _norm(found) != _norm(text):
            result.add("prefilled-changed", "Cover", f"{letter}{row1}",
                       column=plain_text(_cell(rows, row1, COVER_LABEL)).lower() or "value",
                       id="the return", found=found)
    value = _cell(rows, COVER.tolerance, COVER_VALUE)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else tolerance


def _unknown(result: ReturnFile, sheet: str, ref: str, formulas: dict[str, str],
             errors: dict[str, str]) -> None:
    """Report an input cell whose value cannot be known: an unsaved formula or an error value."""
    if ref in errors:
        result.add("cell-error", sheet, ref, found=errors[ref])
    elif ref in formulas:
        result.add("formula-without-value", sheet, ref, formula=formulas[ref] or "...")
    else:
        return
    result.unknown_cells.setdefault(sheet, set()).add(ref)


def _typed_over(result: ReturnFile, sheet: str, rows: list[list[Any]],
                formula_cells: Collection[str],
                row1s: list[int], col: int = COVER_VALUE) -> None:
    """Report each of these cells the tool wrote a formula in (a RAG, a score, a Checks count,
    Ready to submit) that now holds a typed value instead."""
    letter = column_letter(col)
    for row1 in row1s:
        ref = f"{letter}{row1}"
        if ref not in formula_cells:
            result.add("formula-overwritten", sheet, ref, found=plain_text(_cell(rows, row1, col)))


def _typed_cover(result: ReturnFile) -> dict[str, Any]:
    raw = result.cover_raw
    signed = raw.get(layout.SIGNOFF_DATE)
    return {
        layout.COMPLETED_BY: plain_text(raw.get(layout.COMPLETED_BY)) or None,
        layout.APPROVED_BY: plain_text(raw.get(layout.APPROVED_BY)) or None,
        layout.SIGNOFF_DATE: None if isinstance(signed, str | bool) else to_date(signed),
    }


# ---------------------------------------------------------------------------------------------
# A data sheet: header, rows against _meta, pre-filled cells against their hashes.


def _find_header(spec: SheetLayout, rows: list[list[Any]]) -> int | None:
    """The 0-based index of the header row: the first of the first ten rows starting with the
    sheet's ID header."""
    wanted = _norm(spec.id_header)
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if values and _norm(values[0]) == wanted:
            return index
    return None


def _check_columns(result: ReturnFile, spec: SheetLayout, header: list[Any], row1: int) -> bool:
    ok = True
    for col, column in enumerate(spec.columns):
        found = plain_text(header[col]) if col < len(header) else ""
        if _norm(found) != _norm(column.header):
            result.add("columns-changed", spec.name, f"{column_letter(col)}{row1}", "changed",
                       expected=column.header, found=found)
            ok = False
            break
    for col in range(len(spec.columns), len(header)):
        if plain_text(header[col]):
            result.add("columns-changed", spec.name, f"{column_letter(col)}{row1}", "added",
                       found=plain_text(header[col]))
            return False
    return ok


def _read_sheet(result: ReturnFile, spec: SheetLayout, rows: list[list[Any]],
                items: list[MetaItem], formulas: dict[str, str], errors: dict[str, str]
                ) -> dict[str, list[Any]]:
    """The sheet's item rows as columns (layout key -> values as read, '' made None; 'id' from
    `_meta`; '_row' the Excel row), structural problems added to `result`.

    Columns, not a dict per row: a national collection is 100,000s of rows, and a list
    comprehension down a column costs far less than a Python call per cell."""
    header = _find_header(spec, rows)
    if header is None:
        result.add("header-missing", spec.name, header=spec.id_header)
        return {}
    if not _check_columns(result, spec, rows[header], header + 1):
        return {}
    shift = header + 1 - HEADER_ROW  # rows added or removed above the header move everything
    found: list[tuple[int, list[Any]]] = []
    for index in range(header + 1, len(rows)):
        values = rows[index]
        if values[0] != "" or any(
                v != "" and not (type(v) is str and not v.strip()) for v in values):
            found.append((index + 1, values))
    if not items:
        found = [(r, v) for r, v in found if not plain_text(v[0]).startswith(_NOTHING_PREFIX)]
    id_header = spec.id_header
    matched = _match_rows(result, spec, items, found, shift, id_header)
    keys = [c.key for c in spec.prefilled]
    indexes = [spec.index(k) for k in keys]
    width = len(spec.columns)
    all_keys = [c.key for c in spec.columns]
    pairs = list(zip(keys, indexes, strict=True))
    unknown = bool(formulas or errors)
    remembered = _HASHES
    ids: list[str] = []
    row1s: list[int] = []
    kept: list[list[Any]] = []
    for (_, item_id, hashes), row1, values in matched:
        if len(values) != width:
            values = [*values[:width], *[""] * (width - len(values))]
        # the remembered hash where there is one (a dict lookup, not a call: 100,000s of cells)
        if ".".join([remembered.get((k, values[c])) or _hash(k, values[c])
                     for k, c in pairs]) != hashes:
            expected = hashes.split(".")
            if len(expected) != len(keys):
                result.add("meta-changed", layout.META_SHEET, detail=f"the hashes for {item_id}")
                continue
            for key, col, want in zip(keys, indexes, expected, strict=True):
                if _hash(key, values[col]) != want:
                    result.add("prefilled-changed", spec.name, f"{column_letter(col)}{row1}",
                               column=spec.columns[col].header, id=item_id,
                               found=plain_text(values[col]))
        if unknown:
            for column in spec.inputs:
                _unknown(result, spec.name, f"{spec.letter(column.key)}{row1}", formulas, errors)
        ids.append(item_id)
        row1s.append(row1)
        kept.append(values)
    if not kept:
        return {}
    columns: dict[str, list[Any]] = {
        key: [None if v == "" else v for v in column]
        for key, column in zip(all_keys, zip(*kept, strict=True), strict=True)}
    columns["id"] = ids
    columns["_row"] = row1s
    return columns


_RAW_KEYS = {name: ("id", "_row", *(c.key for c in spec.inputs))
             for name, spec in layout.SHEETS.items()}


def _rows_of(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Columns (key -> values) as one dict per row."""
    if not columns:
        return []
    keys = list(columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns.values(), strict=True)]


_NOTHING_PREFIX = layout.NOTHING_ON_SHEET.split(" this quarter")[0]
_HASHES: dict[tuple[str, Any], str] = {}


def _hash(key: str, value: Any) -> str:
    """fingerprint.cell_hash, remembered: names, units and objectives repeat down a sheet."""
    try:
        return _HASHES[(key, value)]
    except KeyError:
        if len(_HASHES) > 20_000:  # IDs and names never repeat: keep only a working set
            _HASHES.clear()
        digest = _HASHES[(key, value)] = cell_hash(key, value)
        return digest
    except TypeError:  # not hashable
        return cell_hash(key, value)


def _match_rows(
    result: ReturnFile, spec: SheetLayout, items: list[MetaItem],
    found: list[tuple[int, list[Any]]], shift: int, id_header: str,
) -> list[tuple[MetaItem, int, list[Any]]]:
    """Pair each item of `_meta` with its row; report rows deleted, added, repeated or moved."""
    ids = [item[1] for item in items]
    seen = [v.strip() if type(v := values[0]) is str else plain_text(v) for _, values in found]
    if ids == seen:  # the usual case
        return [(item, row1, values) for item, (row1, values) in zip(items, found, strict=True)]
    matched: list[tuple[MetaItem, int, list[Any]]] = []
    deleted: list[int] = []
    inserted: list[int] = []
    matcher = difflib.SequenceMatcher(None, ids, seen, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            matched.extend((items[i1 + k], *found[j1 + k]) for k in range(i2 - i1))
        elif (op == "replace" and i2 - i1 == j2 - j1
              and not set(seen[j1:j2]) & set(ids) and not set(ids[i1:i2]) & set(seen)):
            # IDs typed over in place: the pre-filled check names each changed ID cell
            matched.extend((items[i1 + k], *found[j1 + k]) for k in range(i2 - i1))
        else:
            deleted.extend(range(i1, i2))
            inserted.extend(range(j1, j2))
    known = set(ids)
    taken: set[int] = set()
    for j in inserted:
        row1, values = found[j]
        item_id = seen[j]
        place = next((i for i in deleted if ids[i] == item_id and i not in taken), None)
        if place is not None:
            taken.add(place)
            matched.append((items[place], row1, values))
            if items[place][0] + shift != row1:  # in its place, though others around it moved
                result.add("row-moved", spec.name, f"A{row1}", id=item_id,
                           expected=items[place][0] + shift, row=row1)
        elif not item_id:
            result.add("row-inserted", spec.name, f"A{row1}", "blank", row=row1, header=id_header)
        elif item_id in known:
            result.add("row-inserted", spec.name, f"A{row1}", "repeat", row=row1, id=item_id)
        else:
            result.add("row-inserted", spec.name, f"A{row1}", "unknown", row=row1, id=item_id)
    for i in deleted:
        if i not in taken:
            row1 = items[i][0] + shift
            result.add("row-deleted", spec.name, f"A{row1}", id=ids[i], row=items[i][0])
    matched.sort(key=lambda m: m[1])
    return matched


# ---------------------------------------------------------------------------------------------
# Typed values: one rule per kind of column.


def number_of(value: Any) -> float | None:
    """A number as a spreadsheet holds it: numbers as they are, a date or time as its serial
    number (what a formula sees); text, booleans and blanks are not numbers."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime.combine(EXCEL_EPOCH, dt.time())
        return delta.days + delta.seconds / 86400
    if isinstance(value, dt.date):
        return float((value - EXCEL_EPOCH).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return None


def choice_of(value: Any, choices: tuple[str, ...]) -> str | None:
    """The list entry a value is, as a spreadsheet compares text: ignoring case only."""
    if not isinstance(value, str):
        return None
    folded = _FOLDED.get(choices)
    if folded is None:
        folded = _FOLDED[choices] = {c.casefold(): c for c in reversed(choices)}
    return folded.get(value.casefold())


_FOLDED: dict[tuple[str, ...], dict[str, str]] = {}


def date_of(value: Any) -> dt.date | None:
    """A date cell: a date, or a number (a date's serial); text is not a date."""
    if isinstance(value, str | bool) or value is None:
        return None
    return to_date(value)


def is_measure_due(raw: dict[str, Any], quarter: Quarter) -> bool:
    if quarter.number == 4:
        return True
    frequency = raw.get("frequency")
    return (frequency.strip() if type(frequency) is str else plain_text(frequency)) != "Annual"


def _text(value: Any) -> str | None:
    if type(value) is str:
        value = value.strip()
        return value or None
    text = plain_text(value)
    return text if text.strip() else None


def _prefilled_number(value: Any) -> float | None:
    return float(value) if type(value) is float else to_number(value)


def _percent(value: Any) -> float | None:
    number = number_of(value)
    return rules.percent_points(number) if number is not None else None


def _score(value: Any) -> float | None:
    number = number_of(value)
    if number is None or number != int(number) or not 1 <= number <= 5:
        return None
    return number


_CONVERTERS: dict[str, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def _converters(spec: SheetLayout) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """How each column's value is typed: one rule per kind of column."""
    if spec.name in _CONVERTERS:
        return _CONVERTERS[spec.name]
    out: list[tuple[str, Callable[[Any], Any]]] = []
    for column in spec.columns:
        kind = column.kind
        convert: Callable[[Any], Any] = _text
        if column.is_input and kind is Kind.PERCENT:
            convert = _percent
        elif column.is_input and kind is Kind.SCORE:
            convert = _score
        elif column.is_input and kind in (Kind.NUMBER, Kind.MONEY):
            convert = number_of
        elif kind in (Kind.NUMBER, Kind.MONEY, Kind.PERCENT, Kind.SCORE):
            convert = _prefilled_number
        elif kind is Kind.DATE:
            convert = date_of if column.is_input else to_date
        elif kind is Kind.CHOICE:
            convert = partial(choice_of, choices=column.choices)
        out.append((column.key, convert))
    _CONVERTERS[spec.name] = tuple(out)
    return _CONVERTERS[spec.name]


def _typed_rows(spec: SheetLayout, columns: dict[str, list[Any]], quarter: Quarter,
                tolerance: float, percent_rows: Mapping[int, bool] | None = None
                ) -> list[dict[str, Any]]:
    """One typed dict per row from the sheet's raw columns, with the derived values. The
    common cells (text, and numbers calamine already gives as floats) are typed without a
    call."""
    if not columns:
        return []
    typed: dict[str, list[Any]] = {"_row": columns["_row"]}
    for key, convert in _converters(spec):
        values = columns[key]
        if key == "id":
            typed[key] = values  # the ID as _meta has it
        elif convert is _text:
            typed[key] = [(v.strip() or None) if type(v) is str
                          else None if v is None else _text(v) for v in values]
        elif convert is number_of or convert is _prefilled_number:
            typed[key] = [v if type(v) is float else None if v is None else convert(v)
                          for v in values]
        else:
            typed[key] = [None if v is None else convert(v) for v in values]
    rows = _rows_of(typed)
    percent_rows = percent_rows or {}
    for row in rows:
        _derive(spec.name, row, quarter, tolerance, percent_rows.get(row["_row"], False))
    return rows


def _derive(sheet: str, row: dict[str, Any], quarter: Quarter, tolerance: float,
            percent_format: bool = False) -> None:
    """The derived values, by rules.py (the same rules as the workbook's formulas)."""
    if sheet == "Measures":
        if not is_measure_due(row, quarter):
            row["actual"] = None
        elif row["unit"] == "%" and row["actual"] is not None:
            row["actual"] = rules.percent_points(row["actual"], percent_format)
        polarity = row["polarity"] or rules.HIGHER_IS_BETTER
        measure_type = row["type"] or rules.SNAPSHOT
        unavailable = row["status"] == rules.NOT_AVAILABLE
        rated = measure_type != rules.DATA_ONLY and not unavailable
        row["rag"] = rules.measure_rag(row["actual"], row["target"] if rated else None, polarity,
                                       row["tolerance"] or 0.0)
        row["direction"] = None if unavailable else rules.measure_direction(
            row["actual"], row["previous"], polarity, measure_type)
    elif sheet == "Actions":
        row["rag"] = rules.action_rag(row["status"], row["due"], row["revised"],
                                      quarter.end_date)
    elif sheet == "Savings":
        forecast, target = row["forecast"], row["target"]
        row["variance"] = forecast - target if forecast is not None and target is not None \
            else None
        row["rag"] = rules.saving_rag(forecast, target, tolerance, row["status"])
    elif sheet == "Risks":
        score = rules.risk_score(row["likelihood"], row["impact"])
        previous = row["previous"]
        row["score"] = score
        row["rag"] = rules.risk_rag(score)
        row["direction"] = rules.risk_direction(
            score, int(previous) if previous is not None else None)
