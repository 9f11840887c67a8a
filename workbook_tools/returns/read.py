"""Read one return file: identify it by its `_meta`, check its structure, type its values.

A return is identified by its hidden `_meta` sheet (very hidden as generated, merely hidden once
LibreOffice has saved it), never by its file name. `_meta`'s table lists every item row the return
was generated with (sheet, row, ID and a hash of each pre-filled cell), so rows inserted, deleted
or moved, and any pre-filled cell that was changed, are found and named by cell
(returns/sheetrows.py).

Values are typed by one rule per kind of column, and the derived values (RAG, direction, score,
variance) are worked out by the rules (returns/typed.py): the workbook's cached formula results
are never used.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import partial
from pathlib import Path
from typing import Any

from workbook_tools import TEMPLATE_VERSION
from workbook_tools.errors import about_file
from workbook_tools.files.cells import column_letter, plain_text, to_date
from workbook_tools.files.guard import SafeWorkbook
from workbook_tools.files.package import DEFAULT_LIMITS, Limits
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns import layout
from workbook_tools.returns.findings import ReturnData
from workbook_tools.returns.fingerprint import fingerprint
from workbook_tools.returns.formats import percent_rows
from workbook_tools.returns.layout import COVER, META_KEYS, META_TABLE_ROW, RETURN_MARKER, Sheet
from workbook_tools.returns.locked import Register, has_items
from workbook_tools.returns.returnfile import (
    MetaItem,
    ReturnFile,
    cell,
    norm,
    report_unknown,
)
from workbook_tools.returns.sheetrows import read_sheet
from workbook_tools.returns.typed import rows_of, typed_rows

_EXTERNAL = re.compile(r"\[\d+\]|\[[^\]]*\.xl\w*\]", re.IGNORECASE)  # [1]Sheet1!A1, [a.xlsx]
MAX_ROW = 1_048_576  # Excel's last row


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
        result = ReturnFile(path, is_return=False, sha256=workbook.sha256())
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
        if _identify(result, table, quarter, plan):
            _read_contents(result, workbook, table, plan)
    return result


def _read_contents(result: ReturnFile, workbook: SafeWorkbook,
                   table: dict[str, list[MetaItem]], plan: Plan | None) -> None:
    """Everything past the return's identity: active parts, the Cover, the Checks sheet and
    each data sheet, typed into `result.data`."""
    assert result.quarter is not None
    macros, links = workbook.active_parts()
    if macros:
        result.add("macros", parts=", ".join(macros))
    if links:
        result.add("external-link", variant="file", parts=", ".join(links))
    sheets = find_sheets(result, workbook.sheet_names)
    register = Register(plan, result.directorate, result.quarter) \
        if plan is not None and has_items(plan) else None
    tolerance = plan.settings.amber_tolerance if plan else 5.0
    if sheets.get(Sheet.COVER):
        tolerance = _read_cover_sheet(result, workbook, sheets[Sheet.COVER], register, tolerance)
    if sheets.get(Sheet.CHECKS):
        _read_checks(result, workbook, sheets)
    data = ReturnData(result.directorate, result.quarter, result.meta, _typed_cover(result))
    for name, spec in layout.SHEETS.items():
        actual = sheets.get(name)
        columns = _read_data_sheet(result, workbook, spec, actual, table.get(name, []),
                                   register) if actual else {}
        result.raw[name] = rows_of({key: columns[key] for key in _RAW_KEYS[name]}
                                   if columns else {})
        data.rows[name] = typed_rows(spec, columns, result.quarter, tolerance,
                                     result.percent_rows)
    result.data = data


def _read_cover_sheet(result: ReturnFile, workbook: SafeWorkbook, name: str,
                      register: Register | None, tolerance: float) -> float:
    """The Cover's sign-off and pre-filled cells; the amber tolerance to use."""
    rows, scan = workbook.read(name, watch=column_letter(COVER_VALUE))
    tolerance = _read_cover(result, rows, scan.formulas, scan.errors, tolerance)
    _typed_over(result, Sheet.COVER, rows, scan.formula_cells, [COVER.ready])
    if register is not None:
        register.check_cover(result, rows)
        tolerance = register.plan.settings.amber_tolerance  # whatever was typed
    return tolerance


def _read_checks(result: ReturnFile, workbook: SafeWorkbook, sheets: dict[str, str]) -> None:
    """The Checks sheet's counts (a rule code in D) and Ready to submit must be its formulas."""
    # only where its formulas are matters, not their text (not unescaped: marks)
    rows, scan = workbook.read(sheets[Sheet.CHECKS], watch="C", marks="C")
    _typed_over(result, Sheet.CHECKS, rows, scan.formula_cells, [
        row1 for row1, values in enumerate(rows, 1) if len(values) > 3
        and (values[1] == "Ready to submit" or values[3] and values[0] in sheets)])


def _read_data_sheet(result: ReturnFile, workbook: SafeWorkbook, spec: layout.SheetLayout,
                     actual: str, items: list[MetaItem], register: Register | None
                     ) -> dict[str, list[Any]]:
    """One data sheet's item rows as columns (sheetrows.read_sheet), with what its formulas
    show: derived cells typed over, % formats, links to other workbooks, and each pre-filled
    value compared with the register."""
    reported = len(result.findings)
    rows, scan = workbook.read(actual, *_WATCH[spec.name])
    columns = read_sheet(result, spec, rows, items, scan.formulas, scan.errors,
                         None if register is None else partial(register.vouched, spec.name))
    for key in (c.key for c in spec.derived):
        _typed_over(result, spec.name, rows, scan.formula_cells, columns.get("_row", []),
                    spec.index(key))
    if spec.name == Sheet.MEASURES and "%" in columns.get("unit", ()):
        result.percent_rows = percent_rows(workbook, actual, spec, "actual", scan)
    if columns:
        _links(result, spec.name, scan.formula_cells, _INPUT_LETTERS[spec.name])
    if register is not None and (columns or len(result.findings) == reported):
        register.check_rows(result, spec, columns)
    return columns


#: (watched columns, those of them whose formulas matter only for being there, the column whose
#: cells' styles percent_rows reads) of each data sheet, for SafeWorkbook.read
_WATCH = {name: ("".join(spec.letter(c.key) for c in (*spec.inputs, *spec.derived)),
                 "".join(spec.letter(c.key) for c in spec.derived),
                 spec.letter("actual") if name == Sheet.MEASURES else "")
          for name, spec in layout.SHEETS.items()}
_RAW_KEYS = {name: ("id", "_row", *(c.key for c in spec.inputs))
             for name, spec in layout.SHEETS.items()}


def _links(result: ReturnFile, sheet: str, formulas: dict[str, str], inputs: str) -> None:
    """A warning on each input cell whose formula reads another workbook."""
    for ref, text in formulas.items():
        if ref.rstrip("0123456789") in inputs and _EXTERNAL.search(text):
            result.add("external-link", sheet, ref, "cell", formula=text)


_INPUT_LETTERS = {name: "".join(spec.letter(c.key) for c in spec.inputs)
                  for name, spec in layout.SHEETS.items()}


# ---------------------------------------------------------------------------------------------
# Identity: _meta, template version, quarter, council, directorate.

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


def find_sheets(result: ReturnFile, names: list[str]) -> dict[str, str]:
    """Each expected sheet's name in the file; a renamed one is used but reported."""
    found: dict[str, str] = {}
    spare = [n for n in names if n not in layout.SHEET_ORDER]
    for expected in layout.SHEET_ORDER:
        if expected in names:
            found[expected] = expected
            continue
        near = next((n for n in spare if norm(n) == norm(expected)), None)
        if near is None and expected in layout.SHEETS:  # 'Measures Q1' for 'Measures'
            near = next((n for n in spare if norm(n).startswith(norm(expected)[:4])), None)
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


def _read_cover(result: ReturnFile, rows: list[list[Any]], formulas: dict[str, str],
                errors: dict[str, str], tolerance: float) -> float:
    labels = {plain_text(cell(rows, r, COVER_LABEL)): r for r in range(1, min(len(rows), 80) + 1)}
    letter = column_letter(COVER_VALUE)
    for label, default in _SIGNOFF_ROWS.items():
        row1 = labels.get(label, default)
        ref = f"{letter}{row1}"
        result.cover_cells[label] = ref
        result.cover_raw[label] = cell(rows, row1, COVER_VALUE)
        report_unknown(result, Sheet.COVER, ref, formulas, errors)
    expected = {COVER.council: result.meta["Council"],
                COVER.directorate: f"{result.meta['Directorate name']} ({result.directorate})"}
    for row1, text in expected.items():
        found = plain_text(cell(rows, row1, COVER_VALUE))
        if norm(found) != norm(text):
            result.add("prefilled-changed", Sheet.COVER, f"{letter}{row1}",
                       column=plain_text(cell(rows, row1, COVER_LABEL)).lower() or "value",
                       id="the return", found=found)
    value = cell(rows, COVER.tolerance, COVER_VALUE)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else tolerance


def _typed_over(result: ReturnFile, sheet: str, rows: list[list[Any]],
                formula_cells: Collection[str],
                row1s: list[int], col: int = COVER_VALUE) -> None:
    """Report each of these cells the tool wrote a formula in (a RAG, a score, a Checks count,
    Ready to submit) that now holds a typed value instead."""
    letter = column_letter(col)
    for row1 in row1s:
        ref = f"{letter}{row1}"
        if ref not in formula_cells:
            result.add("formula-overwritten", sheet, ref, found=plain_text(cell(rows, row1, col)))


def _typed_cover(result: ReturnFile) -> dict[str, Any]:
    raw = result.cover_raw
    signed = raw.get(layout.SIGNOFF_DATE)
    return {
        layout.COMPLETED_BY: plain_text(raw.get(layout.COMPLETED_BY)) or None,
        layout.APPROVED_BY: plain_text(raw.get(layout.APPROVED_BY)) or None,
        layout.SIGNOFF_DATE: None if isinstance(signed, str | bool) else to_date(signed),
    }
