"""The derived values, as pure functions. The return's Excel formulas express the same rules
(see layout.py), and a test recalculates a workbook in LibreOffice to prove they agree."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

# The plan's words (measure types, polarities, statuses...) live in the plan; callers use rules.X.
from workbook_tools.plan.vocabulary import *  # noqa: F403
from workbook_tools.plan.vocabulary import (
    CUMULATIVE,
    LOWER_IS_BETTER,
    UNACHIEVABLE,
    ActionStatus,
)


class Rag(StrEnum):
    """A derived rating (blank: not rated)."""

    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"


class Direction(StrEnum):
    """A measure's direction of travel, and how it compares with a year ago."""

    IMPROVED = "Improved"
    DECLINED = "Declined"
    NO_CHANGE = "No change"
    NEW = "New"
    NOT_COMPARABLE = "Not comparable"


# plain values, as plan/vocabulary.py gives its words
GREEN, AMBER, RED = Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value
IMPROVED, DECLINED = Direction.IMPROVED.value, Direction.DECLINED.value
NO_CHANGE, NEW = Direction.NO_CHANGE.value, Direction.NEW.value
NOT_COMPARABLE = Direction.NOT_COMPARABLE.value

#: Risk score thresholds: Red at or above 15, Amber from 8 (scores 7 and 13-14 cannot occur).
RISK_RED_FROM = 15
RISK_AMBER_FROM = 8


#: How close two numbers must be for a spreadsheet to call them equal: LibreOffice's
#: approxEqual (2**-48 of their size, about 15 significant digits; Excel's is alike).
SPREADSHEET_PRECISION = 2.0**-48


def same(a: float, b: float) -> bool:
    """Equal as a spreadsheet compares numbers: to about 15 significant digits, no looser.

    Excel and LibreOffice treat 0.29*100 as equal to 29 (the binary result is 28.999999999999996)
    and 80*(1-5/100) as equal to 76, but 79.99999999999 is below 80 (Amber against a target of
    80 in the workbook's own formulas, so here too). Every comparison here goes through this.
    """
    return a == b or math.isclose(a, b, rel_tol=SPREADSHEET_PRECISION, abs_tol=0.0)


def at_least(a: float, b: float) -> bool:
    return a >= b or same(a, b)


def at_most(a: float, b: float) -> bool:
    return a <= b or same(a, b)


def percent_points(value: float, percent_format: bool = False) -> float:
    """The one rule for percentages: they are percentage points (0-100).

    Excel stores a number typed with a % sign as a fraction (12% is 0.12, 100% is 1) and gives
    the cell a percentage format: such a value is read times 100 (`percent_format`). Without the
    format, a value strictly between 0 and 1 is still taken as a fraction (0.9 is 90%; validate
    warns that it was read so where the cell does not show it as 90%). 12, 12% and 0.12 all
    mean 12%; 100% means 100.
    """
    if percent_format or 0 < value < 1:
        return value * 100
    return value



def measure_rag(
    actual: float | None, target: float | None, polarity: str, tolerance_pct: float
) -> str | None:
    """Green at or better than target; Amber within the tolerance; Red beyond it."""
    if actual is None or target is None:
        return None
    tolerance = tolerance_pct / 100
    if polarity == LOWER_IS_BETTER:
        if at_most(actual, target):
            return GREEN
        return AMBER if at_most(actual, target * (1 + tolerance)) else RED
    if at_least(actual, target):
        return GREEN
    return AMBER if at_least(actual, target * (1 - tolerance)) else RED


def direction_of_travel(actual: float | None, previous: float | None, polarity: str) -> str | None:
    """Improved, Declined or No change against the previous actual (by polarity); else New."""
    if actual is None:
        return None
    if previous is None:
        return NEW
    if same(actual, previous):
        return NO_CHANGE
    better = actual > previous if polarity != LOWER_IS_BETTER else actual < previous
    return IMPROVED if better else DECLINED


def measure_direction(actual: float | None, previous: float | None, polarity: str,
                      measure_type: str | None) -> str | None:
    """A measure's direction of travel: a Snapshot (or Data only) measure against the previous
    quarter, a Cumulative one against the same quarter last year (`previous` is that figure);
    with no previous figure a Cumulative measure is Not comparable, any other New."""
    if actual is not None and previous is None and measure_type == CUMULATIVE:
        return NOT_COMPARABLE
    return direction_of_travel(actual, previous, polarity)


def year_on_year(actual: float | None, year_ago: float | None, polarity: str) -> str | None:
    """Compared with a year ago: the direction against the same quarter last year, Not
    comparable when there is no figure for it."""
    return years_on_years([actual], [year_ago], [polarity])[0]


def years_on_years(actuals: Sequence[Any], year_agos: Sequence[Any],
                   polarities: Sequence[str]) -> list[str | None]:
    """year_on_year of each row, its figures given as columns (a figure that is not a number
    taken as none): a master's 100,000s of measure rows at once, the many with no figure a year
    ago without a call each (a four-quarter master at 60 returns: 0.25 s of a consolidate)."""
    found: list[str | None] = []
    add = found.append
    for actual, year_ago, polarity in zip(actuals, year_agos, polarities, strict=True):
        if not isinstance(actual, int | float):
            add(None)
        elif not isinstance(year_ago, int | float):
            add(NOT_COMPARABLE)
        else:
            add(direction_of_travel(actual, year_ago, polarity))
    return found


def saving_rag(forecast: float | None, target: float | None, tolerance_pct: float,
               status: str | None = None) -> str | None:
    """Red whenever the saving is Unachievable; else Green when the full-year forecast meets the
    target, Amber within tolerance, else Red."""
    if status == UNACHIEVABLE:
        return RED
    if forecast is None or target is None:
        return None
    if at_least(forecast, target):
        return GREEN
    return AMBER if at_least(forecast, target * (1 - tolerance_pct / 100)) else RED


def risk_score(likelihood: int | None, impact: int | None) -> int | None:
    if likelihood is None or impact is None:
        return None
    return int(likelihood) * int(impact)


def risk_rag(score: int | None) -> str | None:
    if score is None:
        return None
    if score >= RISK_RED_FROM:
        return RED
    return AMBER if score >= RISK_AMBER_FROM else GREEN


def risk_direction(score: int | None, previous_score: int | None) -> str | None:
    """A risk's score is lower-is-better."""
    return direction_of_travel(score, previous_score, LOWER_IS_BETTER)


def action_rag(
    status: str | None, due: date | None, revised_due: date | None, as_of: date
) -> str | None:
    """On track or Complete Green, At risk Amber, Off track Red, Not started Red once its due date
    (the revised one where given) is before the end of the quarter; Cancelled has none."""
    if status in (ActionStatus.ON_TRACK, ActionStatus.COMPLETE):
        return GREEN
    if status == ActionStatus.AT_RISK:
        return AMBER
    if status == ActionStatus.OFF_TRACK:
        return RED
    if status == ActionStatus.NOT_STARTED:
        effective = revised_due or due
        if effective is not None and effective < as_of:
            return RED
        return None
    return None
