"""What `plan check` asks of an item beyond readable cells: a measure's targets where it is due,
rising targets for a Cumulative measure and none for a Data only one, a tolerance from 0 to 100,
a saving's target and the year it was carried from, a risk's scores from 1 to 5. Each problem
is recorded on the row's cell."""

from __future__ import annotations

from typing import Any

from workbook_tools.errors import UsageError
from workbook_tools.files.cells import is_blank
from workbook_tools.plan.rows import SheetRows
from workbook_tools.plan.vocabulary import CUMULATIVE, DATA_ONLY
from workbook_tools.quarters import parse_year

Targets = tuple[float | None, float | None, float | None, float | None]


def check_targets(t: SheetRows, r: int, v: list[Any], frequency: str, measure_type: str,
                  targets: Targets) -> None:
    """A measure has a target every quarter it is due (Q4 only for an Annual one); a Data only
    measure has none, and a Cumulative one's do not go down."""
    due: tuple[int, ...] = (1, 2, 3, 4) if frequency == "Quarterly" else (4,)
    if measure_type == DATA_ONLY:
        due = ()
        no_targets(t, r, targets)
    elif measure_type == CUMULATIVE:
        rising_targets(t, r, targets)
    for n in due:
        if (
            targets[n - 1] is None
            and f"Q{n} target" in t.columns
            and is_blank(t.raw(v, f"Q{n} target"))
        ):
            t.problem(
                r,
                t.columns[f"Q{n} target"],
                f"a {frequency.lower()} measure needs a Q{n} target",
            )


def no_targets(t: SheetRows, r: int, targets: Targets) -> None:
    """A Data only measure is tracked for context: it has no targets to be rated against."""
    for n, target in enumerate(targets, start=1):
        if target is not None:
            t.problem(r, t.columns[f"Q{n} target"],
                      f"a Data only measure has no targets: clear the Q{n} target, or make the "
                      "measure Snapshot or Cumulative")


def rising_targets(t: SheetRows, r: int, targets: Targets) -> None:
    """A Cumulative measure's targets are year to date: they cannot go down through the year."""
    last: tuple[int, float] | None = None
    for n, target in enumerate(targets, start=1):
        if target is None:
            continue
        if last is not None and target < last[1]:
            t.problem(r, t.columns[f"Q{n} target"],
                      "a Cumulative measure's targets are year to date and cannot go down: the "
                      f"Q{n} target ({target:,.10g}) is below the Q{last[0]} target "
                      f"({last[1]:,.10g})")
        last = (n, target)


def check_tolerance(t: SheetRows, r: int, tolerance: float | None) -> None:
    if tolerance is not None and not 0 <= tolerance <= 100:
        t.problem(
            r, t.columns["Amber tolerance (%)"], "the amber tolerance must be from 0 to 100"
        )


def check_saving(t: SheetRows, r: int, target: float | None, carried: str) -> None:
    """A saving's target is not negative; a line carried forward names the year it came from."""
    if target is not None and target < 0:
        t.problem(r, t.columns["Target (£)"], "a saving's target cannot be negative")
    if carried and not is_year(carried):
        t.problem(r, t.columns["Carried forward from"], f"'Carried forward from' must be "
                  f"the financial year the line came from, such as 2025-26, not '{carried}'")


def risk_score(t: SheetRows, r: int, v: list[Any], header: str) -> int | None:
    """A risk's likelihood or impact: a whole number from 1 to 5, else a problem and None."""
    number = t.number(r, v, header)
    if number is not None and (number != int(number) or not 1 <= number <= 5):
        t.problem(r, t.columns[header], f"'{header}' must be a whole number from 1 to 5")
        number = None
    return int(number) if number is not None else None


def is_year(text: str) -> bool:
    try:
        parse_year(text)
    except UsageError:
        return False
    return True
