"""What a new return shows from earlier quarters: previous actuals (and targets, and the same
quarter last year's), savings delivered, risk scores.

Read from the master workbook through its one reader (master/read.py), so a quarter is matched
in any spelling the reader accepts and the headers are the master's own (SPEC section 8)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbook_tools.files.cells import is_blank, to_number
from workbook_tools.master.sheetrow import cells_in
from workbook_tools.quarters import Quarter
from workbook_tools.returns.layout import Context, Sheet

#: The columns holding last quarter's figures, by sheet.
FIGURE_COLUMNS: dict[str, tuple[str, ...]] = {
    Sheet.MEASURES: ("Quarter", "Measure ID", "Actual", "Target"),
    Sheet.SAVINGS: ("Quarter", "Saving ID", "Delivered to date (£)"),
    Sheet.RISKS: ("Quarter", "Risk ID", "Score"),
}


def previous_context(master: Path | None, quarter: Quarter) -> Context:
    """The context for generating `quarter`'s returns: the previous quarter's figures where the
    master has them, else nothing (a first quarter shows no previous actuals).

    Raises:
        MasterError: the master exists but cannot be read safely.
    """
    ctx = Context(quarter=quarter)
    if master is None or not Path(master).exists():
        return ctx
    from workbook_tools.master.read import read_rows

    # the master holds every quarter of every directorate: only the columns with last quarter's
    # figures are read, and a column the team added beside them stops nothing (consolidate is
    # where the master is checked as a whole)
    return context_of(read_rows(Path(master), FIGURE_COLUMNS), quarter)


def context_of(sheets: Mapping[str, list[dict[str, Any]]], quarter: Quarter) -> Context:
    """The context for `quarter` from the master's rows as master/read.py reads them (each a dict
    keyed by header, `Quarter` canonical), for a caller that has read the master already."""
    ctx = Context(quarter=quarter)
    previous, year_ago = str(quarter.previous()), str(quarter.year_ago())

    def add(into: dict[str, Any], key: Any, value: Any) -> None:
        if value is not None and not is_blank(key):
            into[str(key).strip()] = value

    # each row's cells of those quarters as a tuple (a consolidate's copied rows picked from
    # their columns, not a Row each: sheetrow.Copied); one pass: last quarter's and last year's
    measures = ("Quarter", "Measure ID", "Actual", "Target")
    for found, measure, actual, target in cells_in(sheets.get(Sheet.MEASURES, []), measures,
                                                   {previous, year_ago}):
        if found == previous:
            add(ctx.previous_actuals, measure, to_number(actual))
            add(ctx.previous_targets, measure, to_number(target))
        if found == year_ago:
            add(ctx.year_ago_actuals, measure, to_number(actual))
    # Delivered to date is year to date: a new year's first quarter starts from nothing.
    savings = ("Quarter", "Saving ID", "Delivered to date (£)")
    for found, saving, delivered in cells_in(sheets.get(Sheet.SAVINGS, []), savings,
                                             {previous}) if quarter.number > 1 else []:
        if found == previous:
            add(ctx.previous_delivered, saving, to_number(delivered))
    risks = ("Quarter", "Risk ID", "Score")
    for found, risk, score in cells_in(sheets.get(Sheet.RISKS, []), risks, {previous}):
        if found == previous:
            number = to_number(score)
            add(ctx.previous_scores, risk, None if number is None else int(number))
    return ctx
