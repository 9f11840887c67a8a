"""What simulate remembers of the quarter before, so a simulated directorate does not go
backwards: each action's status and % complete, each saving's delivered to date and each
Cumulative measure's year-to-date actual (with its target).

Read from the working folder: the master (`outputs/master.xlsx`) where it holds the previous
quarter for a directorate, else that directorate's completed return in `returns/QUARTER`. A
saving's delivered to date and a Cumulative measure's running total start again each financial
year, so they are remembered within a year only; an action is the same action across a year end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.cells import is_blank, to_number
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout, rules
from workbook_tools.returns.typed import choice_of
from workbook_tools.workspace import Workspace


@dataclass(frozen=True)
class LastQuarter:
    """The previous quarter's figures by item ID (empty: nothing to remember)."""

    #: Action ID -> (status, % complete or None)
    actions: dict[str, tuple[str, float | None]] = field(default_factory=dict)
    #: Saving ID -> delivered to date (same financial year only)
    delivered: dict[str, float] = field(default_factory=dict)
    #: Cumulative Measure ID -> (year-to-date actual, its target or None) (same year only)
    cumulative: dict[str, tuple[float, float | None]] = field(default_factory=dict)

    def add_action(self, item: Any, status: Any, complete: Any) -> None:
        chosen = choice_of(status, rules.ACTION_STATUSES)
        if not is_blank(item) and chosen is not None:
            number = to_number(complete)
            fair = number if number is not None and 0 <= number <= 100 else None
            self.actions[str(item).strip()] = (chosen, fair)

    def add_saving(self, item: Any, delivered: Any) -> None:
        number = to_number(delivered)
        if not is_blank(item) and number is not None and number >= 0:
            self.delivered[str(item).strip()] = number

    def add_measure(self, item: Any, measure_type: Any, actual: Any, target: Any) -> None:
        number = to_number(actual)
        if not is_blank(item) and choice_of(measure_type, (rules.CUMULATIVE,)) and \
                number is not None:
            self.cumulative[str(item).strip()] = (number, to_number(target))


def last_quarter(workspace: Workspace, quarter: Quarter) -> LastQuarter:
    """The quarter before `quarter` as the working folder holds it (empty when it holds none).

    Raises:
        MasterError: the master exists but cannot be read.
        UnreadableFileError: a previous return cannot be read safely.
    """
    last = LastQuarter()
    previous = quarter.previous()
    same_year = quarter.number > 1
    covered: set[str] = set()
    if workspace.master.exists():
        from workbook_tools.master.read import read_master

        master = read_master(workspace.master)
        # the item sheets' rows say the master holds a directorate's quarter (a rejected
        # return's Submissions row does not)
        rows = {sheet: master.rows(sheet, previous) for sheet in layout.DATA_SHEETS}
        for row in rows[layout.Sheet.ACTIONS]:
            last.add_action(row.get("Action ID"), row.get("Status"), row.get("% complete"))
        for row in rows[layout.Sheet.SAVINGS] if same_year else ():
            last.add_saving(row.get("Saving ID"), row.get("Delivered to date (£)"))
        for row in rows[layout.Sheet.MEASURES] if same_year else ():
            last.add_measure(row.get("Measure ID"), row.get("Measure type"), row.get("Actual"),
                             row.get("Target"))
        covered = {str(row.get("Directorate") or "").strip() for found in rows.values()
                   for row in found}
    folder = workspace.returns(previous)
    for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else ():
        _from_return(last, path, previous, covered, same_year)
    return last


def _from_return(last: LastQuarter, path: Any, previous: Quarter, covered: set[str],
                 same_year: bool) -> None:
    """A directorate's completed return, when the master does not have its quarter."""
    from workbook_tools.returns.read import read_return

    if path.name.startswith(("~$", ".")):
        return  # a spreadsheet program's lock file
    try:
        found = read_return(path, previous)
    except UnreadableFileError:
        return  # not a workbook: validate says so; there is nothing here to remember
    if found.data is None or not found.directorate or found.directorate in covered:
        return
    covered.add(found.directorate)
    rows = found.data.rows
    for row in rows.get(layout.Sheet.ACTIONS, []):
        last.add_action(row.get("id"), row.get("status"), row.get("complete"))
    for row in rows.get(layout.Sheet.SAVINGS, []) if same_year else []:
        last.add_saving(row.get("id"), row.get("delivered"))
    for row in rows.get(layout.Sheet.MEASURES, []) if same_year else []:
        last.add_measure(row.get("id"), row.get("type"), row.get("actual"), row.get("target"))
