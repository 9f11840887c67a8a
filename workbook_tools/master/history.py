"""What a new return shows from earlier quarters: previous actuals (and targets, and the same
quarter last year's), savings delivered, risk scores.

Read from the master workbook through its one reader (master/read.py), so a quarter is matched
in any spelling the reader accepts and the headers are the master's own (SPEC section 8)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbook_tools.files.cells import is_blank, to_number
from workbook_tools.master.figures import figures_by_id
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
    keyed by header, `Quarter` canonical), for a caller that has read the master already. Each
    sheet's figures by ID as figures.figures_by_id keeps them (small, for a large master)."""
    previous, year_ago = str(quarter.previous()), str(quarter.year_ago())
    # each row's cells of those quarters as a tuple (a consolidate's copied rows picked from
    # their columns, not a Row each: sheetrow.Copied); one pass: last quarter's and last year's
    last, ago = _Rows(2), _Rows(1)
    for found, measure, actual, target in cells_in(
            sheets.get(Sheet.MEASURES, []), ("Quarter", "Measure ID", "Actual", "Target"),
            {previous, year_ago}):
        key = _id(measure)  # (inline, not _Rows.add: 190,000 rows at 240 returns)
        if key is None:
            continue
        actual = actual if actual.__class__ is float else to_number(actual)
        if found == previous:
            target = target if target.__class__ is float else to_number(target)
            if actual is not None or target is not None:
                last.keys.append(key)
                last.columns[0].append(actual)
                last.columns[1].append(target)
        if found == year_ago and actual is not None:
            ago.keys.append(key)
            ago.columns[0].append(actual)
    actuals, targets = last.figures()
    (year_ago_actuals,) = ago.figures()
    # Delivered to date is year to date: a new year's first quarter starts from nothing.
    delivered = _Rows(1)
    for _, saving, amount in cells_in(sheets.get(Sheet.SAVINGS, []), (
            "Quarter", "Saving ID", "Delivered to date (£)"),
            {previous}) if quarter.number > 1 else []:
        delivered.add(saving, to_number(amount))
    scores = _Rows(1)
    for _, risk, score in cells_in(sheets.get(Sheet.RISKS, []), ("Quarter", "Risk ID", "Score"),
                                   {previous}):
        number = to_number(score)
        scores.add(risk, None if number is None else int(number))
    return Context(quarter=quarter, previous_actuals=actuals, previous_targets=targets,
                   year_ago_actuals=year_ago_actuals, previous_delivered=delivered.figures()[0],
                   previous_scores=scores.figures()[0])


class _Rows:
    """A sheet's rows of one quarter: each one's ID (stripped; a row without one is passed
    over) and figures (None where it has none), in order."""

    def __init__(self, figures: int) -> None:
        self.keys: list[str] = []
        self.columns: list[list[Any]] = [[] for _ in range(figures)]

    def add(self, key: Any, *figures: Any) -> None:
        key = _id(key)
        if key is None or all(figure is None for figure in figures):
            return
        self.keys.append(key)
        for into, figure in zip(self.columns, figures, strict=True):
            into.append(figure)

    def figures(self) -> list[Any]:
        """Each figure by ID (figures.figures_by_id), the rows let go of."""
        keys, columns = self.keys, self.columns
        self.keys, self.columns = [], []
        return figures_by_id(keys, columns)


def _id(value: Any) -> str | None:
    """An ID as a figure is kept by: stripped (None when blank)."""
    if value.__class__ is str:
        return value.strip() or None
    return None if is_blank(value) else str(value).strip()
