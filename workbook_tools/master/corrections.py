"""Corrections (SPEC section 8): when a reopened quarter is consolidated again, one row per figure
that differs from what was closed: Quarter, Sheet, ID, Column, Was, Now, When, Reason.

What was closed is the master's figure, unless an earlier consolidate under the same reopen
already corrected it: then it is that correction's `Was`. So consolidating twice under one reopen
lists each change from the closed figure once, and a figure put back as it was is no longer a
correction."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from workbook_tools.files.cells import is_blank
from workbook_tools.master import columns as mc
from workbook_tools.master.periods import Period

#: The sheets whose figures went to Cabinet, in the master's order.
FIGURE_SHEETS = tuple(mc.ID_COLUMNS)
_NOT_FIGURES = {"Quarter", "Directorate", *mc.FINANCE_COLUMNS, *mc.LEDGER_COLUMNS, mc.ORPHANED}


def figure_columns(sheet: str) -> tuple[str, ...]:
    """The columns of a sheet compared for corrections: everything a return or the register puts
    there (finance's own columns and the ledger are finance's, never a return's correction)."""
    return tuple(h for h in mc.SHEETS[sheet] if h not in _NOT_FIGURES and
                 h != mc.ID_COLUMNS[sheet])


def corrections(old_rows: dict[str, list[dict[str, Any]]],
                new_rows: dict[str, list[dict[str, Any]]], earlier: list[dict[str, Any]],
                reopen: Period, stamp: dt.datetime) -> list[dict[str, Any]]:
    """The Corrections rows for the reopened quarter: every figure in `new_rows` that differs
    from what was closed.

    Args:
        old_rows, new_rows: the quarter's rows before and after this consolidate, by sheet.
        earlier: the Corrections rows already recorded for the quarter under this reopen.
    """
    closed_was: dict[tuple[str, str, str], Any] = {}
    for row in earlier:
        key = (str(row.get("Sheet")), str(row.get("ID")), str(row.get("Column")))
        closed_was.setdefault(key, row.get("Was"))
    found = []
    for sheet in FIGURE_SHEETS:
        id_header = mc.ID_COLUMNS[sheet]
        before = _by_id(old_rows.get(sheet, []), id_header)
        after = _by_id(new_rows.get(sheet, []), id_header)
        for item in [*after, *(i for i in before if i not in after)]:
            was_row, now_row = before.get(item, {}), after.get(item, {})
            for column in figure_columns(sheet):
                key = (sheet, item, column)
                was = closed_was[key] if key in closed_was else was_row.get(column)
                now = now_row.get(column)
                if not same(was, now):
                    found.append({"Quarter": reopen.quarter, "Sheet": sheet, "ID": item,
                                  "Column": column, "Was": _cell(was), "Now": _cell(now),
                                  "When": stamp, "Reason": reopen.reason or None})
    return found


def _by_id(rows: list[dict[str, Any]], id_header: str) -> dict[str, dict[str, Any]]:
    return {str(r.get(id_header)).strip(): r for r in rows
            if not r.get(mc.ORPHANED) and not is_blank(r.get(id_header))}


def _cell(value: Any) -> Any:
    return None if is_blank(value) else value


def same(was: Any, now: Any) -> bool:
    """Whether two master cells hold the same figure (a number read back from the file equals
    the one computed; a date equals the same date with no time)."""
    if is_blank(was) or is_blank(now):
        return is_blank(was) and is_blank(now)
    if isinstance(was, int | float) and isinstance(now, int | float) and \
            not isinstance(was, bool) and not isinstance(now, bool):
        return math.isclose(float(was), float(now), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(was, dt.date) and isinstance(now, dt.date):
        return _as_datetime(was) == _as_datetime(now)
    return str(was).strip() == str(now).strip()


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def earlier_under(rows: list[dict[str, Any]], reopen: Period) -> list[dict[str, Any]]:
    """The quarter's Corrections rows recorded since `reopen` (by an earlier consolidate under
    it)."""
    since = reopen.when
    return [r for r in rows if r.get("Quarter") == reopen.quarter and since is not None
            and isinstance(r.get("When"), dt.datetime) and r["When"] >= since]
