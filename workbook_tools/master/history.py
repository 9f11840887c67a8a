"""What a new return shows from earlier quarters: previous actuals (and targets, and the same
quarter last year's), savings delivered, risk scores.

Read from the master workbook (header in row 1 of each sheet, SPEC section 8)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbook_tools.files.cells import is_blank, to_number
from workbook_tools.quarters import Quarter
from workbook_tools.returns.layout import Context


def _table(rows: list[list[Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    header = [str(h).strip() for h in rows[0]]
    return [
        dict(zip(header, row, strict=False))
        for row in rows[1:]
        if any(not is_blank(v) for v in row)
    ]


def previous_context(master: Path | None, quarter: Quarter) -> Context:
    """The context for generating `quarter`'s returns: the previous quarter's figures where the
    master has them, else nothing (a first quarter shows no previous actuals).

    Raises:
        UnreadableFileError: the master exists but cannot be read safely.
    """
    ctx = Context(quarter=quarter)
    if master is None or not Path(master).exists():
        return ctx
    from workbook_tools.files.guard import SafeWorkbook
    from workbook_tools.master.read import MASTER_LIMITS

    # the master holds every quarter of every directorate: read with the master's limits, and
    # only the three sheets with last quarter's figures
    with SafeWorkbook(Path(master), MASTER_LIMITS) as workbook:
        sheets: dict[str, list[list[Any]]] = {
            name: workbook.read(name)[0] for name in ("Measures", "Savings", "Risks")
            if name in workbook.sheet_names}
    return context_of({name: _table(rows) for name, rows in sheets.items()}, quarter)


def context_of(sheets: Mapping[str, list[dict[str, Any]]], quarter: Quarter) -> Context:
    """The context for `quarter` from the master's rows (each a dict keyed by header), for a
    caller that has read the master already."""
    ctx = Context(quarter=quarter)
    previous = str(quarter.previous())

    def rows(sheet: str, wanted: str = previous) -> list[dict[str, Any]]:
        return [r for r in sheets.get(sheet, []) if str(r.get("Quarter", "")).strip() == wanted]

    for found, column, into in ((previous, "Actual", ctx.previous_actuals),
                                (previous, "Target", ctx.previous_targets),
                                (str(quarter.year_ago()), "Actual", ctx.year_ago_actuals)):
        for row in rows("Measures", found):
            value = to_number(row.get(column))
            if value is not None and not is_blank(row.get("Measure ID")):
                into[str(row["Measure ID"]).strip()] = value
    # Delivered to date is year to date: a new year's first quarter starts from nothing.
    for row in rows("Savings") if quarter.number > 1 else []:
        value = to_number(row.get("Delivered to date (£)"))
        if value is not None and not is_blank(row.get("Saving ID")):
            ctx.previous_delivered[str(row["Saving ID"]).strip()] = value
    for row in rows("Risks"):
        value = to_number(row.get("Score"))
        if value is not None and not is_blank(row.get("Risk ID")):
            ctx.previous_scores[str(row["Risk ID"]).strip()] = int(value)
    return ctx
