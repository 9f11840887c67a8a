"""The Python side of each input rule (rules/inputs.py's `Check.test`): given a row as validate
sees it, the message's fields when the row breaks the rule, else None. Each reads the cell as the
rule's formula does (rules/values.py)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from itertools import repeat
from operator import is_not, itemgetter
from typing import Any, NamedTuple

from workbook_tools.files.cells import EXCEL_EPOCH, to_date, to_number
from workbook_tools.returns import rules
from workbook_tools.returns.rules.values import (
    blank,
    entry_key,
    invisible,
    is_text,
    money,
    num,
    show,
    tidy,
)
from workbook_tools.returns.typed import choice_of, number_of

MAX_NUMBER = 1e15  # no figure in a return is larger; beyond it, Excel's precision is gone
#: The day after 31/12/2100 as a spreadsheet counts days (1 is 01/01/1900).
LAST_SERIAL = (dt.date(2100, 12, 31) - EXCEL_EPOCH).days + 1


class Seen(NamedTuple):
    """One item row (or the Cover's sign-off) as validate sees it (a named tuple: made for
    every item row of every return, in a third of a frozen dataclass's time)."""

    raw: Mapping[str, Any]    # each input as typed
    typed: Mapping[str, Any]  # typed values and the derived ones (rules.py)
    due: bool = True          # a measure due this quarter


Fields = dict[str, Any] | None


class Columns(dict[str, list[Any]]):
    """A sheet's rows' input values a column at a time (key -> the values down the rows), each
    column taken from the rows once, as first asked for."""

    def __init__(self, raws: Sequence[Mapping[str, Any]]) -> None:
        super().__init__()
        self.raws = raws

    def __missing__(self, key: str) -> list[Any]:
        values = self[key] = list(map(itemgetter(key), self.raws))
        return values


#: For some tests, when the test finds nothing on any row of a sheet, told from its columns at
#: once (in C, not a call a row): `quiet(columns)` True means no row needs the test run. Only
#: ever a sufficient condition: when it is False, every row is tested as before.
QUIET: dict[Callable[[Seen], Fields], Callable[[Columns], bool]] = {}


def _quiet(test: Callable[[Seen], Fields], when: Callable[[Columns], bool]
           ) -> Callable[[Seen], Fields]:
    QUIET[test] = when
    return test


def _no_text(values: list[Any]) -> bool:
    """No value is text (a test of text in a number or date cell finds nothing)."""
    return not any(map(isinstance, values, repeat(str)))


def _numbers(values: list[Any]) -> list[float] | None:
    """The numbers of a column holding only numbers and blanks, else None."""
    types = set(map(type, values))
    if not types <= {float, type(None)}:
        return None
    return values if type(None) not in types else list(filter(partial(is_not, None), values))


def _within(values: list[Any], low: float, high: float) -> bool:
    """Only finite numbers from `low` to `high`, and blanks."""
    numbers = _numbers(values)
    return numbers is not None and all(map(math.isfinite, numbers)) and (
        not numbers or (low <= min(numbers) and max(numbers) <= high))


def _scores(values: list[Any]) -> bool:
    """Only whole numbers from 1 to 5, and blanks."""
    numbers = _numbers(values)
    return numbers is not None and set(numbers) <= _SCORES


_SCORES = frozenset({1.0, 2.0, 3.0, 4.0, 5.0})


def _only(values: list[Any], allowed: frozenset[str]) -> bool:
    """Only these exact texts and blanks."""
    try:
        return set(values) - {None} <= allowed
    except TypeError:  # (a value that cannot be in a set: each row is tested)
        return False


def _number(seen: Seen, key: str) -> float | None:
    """A number input's number (None when blank, text, or not finite: number-impossible)."""
    value = seen.raw[key]
    if type(value) is float:  # most cells: skip the calls that would say so
        return value if math.isfinite(value) else None
    number = None if blank(value) or is_text(value) else number_of(value)
    return number if number is None or math.isfinite(number) else None


def impossible(key: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw[key]
        if type(value) is float:  # most cells
            number: float | None = value if seen.due else None
        else:
            number = None if not seen.due or blank(value) or is_text(value) \
                else number_of(value)
        if number is None or (math.isfinite(number) and abs(number) <= MAX_NUMBER):
            return None
        return {"found": f"{number:g}", "id": seen.typed["id"]}
    return _quiet(test, lambda columns: _within(columns[key], -MAX_NUMBER, MAX_NUMBER))


def _serial(value: Any) -> float | None:
    """A date cell as a spreadsheet's formulas see it: its day number (a time is a fraction)."""
    return None if blank(value) or is_text(value) else number_of(value)


def date_outside(key: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        serial = _serial(seen.raw[key])
        if serial is None or 1 <= serial < LAST_SERIAL:
            return None
        return {"found": show(seen.raw[key]), "id": seen.typed.get("id")}
    return test


def signed_in_future(seen: Seen) -> Fields:
    serial, today = _serial(seen.raw["date"]), dt.date.today()
    if serial is None or not (today - EXCEL_EPOCH).days + 1 <= serial < LAST_SERIAL:
        return None
    return {"found": show(to_date(serial)), "today": show(today)}


def not_a_number(key: str, variant: str, **extra: Any) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw[key]
        if not isinstance(value, str) or not (seen.due and is_text(value)):
            return None
        number = to_number(value)
        hint = f" ({num(number)})" if number is not None else ""
        return {"found": value, "id": seen.typed["id"], "hint": hint, **extra}
    return _quiet(test, lambda columns: _no_text(columns[key]))


def missing(key: str, **extra: Any) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        if not (seen.due and blank(seen.raw[key])):
            return None
        return {"id": seen.typed.get("id"), **{k: f(seen) for k, f in extra.items()}}
    return test


def outside(choices: tuple[str, ...]) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw["status"]
        if blank(value) or choice_of(value, choices) is not None:
            return None
        hidden = invisible(entry_key(value)) if isinstance(value, str) else ""
        if hidden and choice_of(tidy(value), choices) is not None:
            return {"found": show(value), "id": seen.typed["id"],
                    "why": f" because it holds {hidden} that cannot be seen: retype it"}
        return {"found": show(value), "id": seen.typed["id"], "why": ""}
    listed = frozenset(choices)  # (an entry exactly as listed is that entry)
    return _quiet(test, lambda columns: _only(columns["status"], listed))


def money_below_zero(key: str, what: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        number = _number(seen, key)
        if number is None or number >= 0:
            return None
        return {"found": money(number), "id": seen.typed["id"], "what": what}
    return _quiet(test, lambda columns: _within(columns[key], 0, math.inf))


def actual_outside(units: tuple[str, ...], low: float, high: float | None
                    ) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        number = _number(seen, "actual")
        if not seen.due or number is None or seen.typed["unit"] not in units:
            return None
        if number < low or (high is not None and number > high):
            return {"found": show(seen.raw["actual"]), "id": seen.typed["id"]}
        return None
    return test


def complete_outside(seen: Seen) -> Fields:
    number = _number(seen, "complete")
    if number is None or 0 <= number <= 100:
        return None
    return {"found": show(seen.raw["complete"]), "id": seen.typed["id"]}


def score_outside(key: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw[key]
        if blank(value):
            return None
        number = None if is_text(value) else number_of(value)
        if number is not None and 1 <= number <= 5 and number == int(number):
            return None
        return {"found": show(value), "id": seen.typed["id"], "what": key}
    return _quiet(test, lambda columns: _scores(columns[key]))


def not_a_date(seen: Seen) -> Fields:
    value = seen.raw["revised"]
    return {"found": value, "id": seen.typed["id"]} if is_text(value) else None


def _unavailable(seen: Seen) -> bool:
    """The measure's Data status is Not available (as the formula compares: ignoring case)."""
    return choice_of(seen.raw["status"], rules.DATA_STATUSES) == rules.NOT_AVAILABLE


#: the Data statuses that are not Not available, each exactly as listed
_AVAILABLE = frozenset(c for c in rules.DATA_STATUSES
                       if choice_of(c, rules.DATA_STATUSES) != rules.NOT_AVAILABLE)


def _never_unavailable(columns: Columns) -> bool:
    return _only(columns["status"], _AVAILABLE)


def actual_missing(seen: Seen) -> Fields:
    """A due measure's actual is required, unless its figure is marked Not available."""
    if not seen.due or not blank(seen.raw["actual"]) or _unavailable(seen):
        return None
    return {"id": seen.typed["id"], "name": seen.typed["name"] or ""}


def unavailable_with_figure(seen: Seen) -> Fields:
    if not (seen.due and _unavailable(seen)) or blank(seen.raw["actual"]):
        return None
    return {"id": seen.typed["id"], "found": show(seen.raw["actual"])}


def unavailable_unexplained(seen: Seen) -> Fields:
    if not (seen.due and _unavailable(seen)) or not blank(seen.raw["commentary"]):
        return None
    return {"id": seen.typed["id"]}


def _filled(values: list[Any]) -> bool:
    """Only numbers (no blank)."""
    return set(map(type, values)) <= {float}


_quiet(not_a_date, lambda columns: _no_text(columns["revised"]))
_quiet(actual_missing, lambda columns: _filled(columns["actual"]))
_quiet(unavailable_with_figure, _never_unavailable)
_quiet(unavailable_unexplained, _never_unavailable)


def measure_unexplained(seen: Seen) -> Fields:
    rag = seen.typed["rag"]
    if rag not in (rules.RED, rules.AMBER) or not blank(seen.raw["commentary"]):
        return None
    return {"id": seen.typed["id"], "rag": rag, "actual": num(seen.typed["actual"]),
            "target": num(seen.typed["target"])}


def action_unexplained(seen: Seen) -> Fields:
    status = choice_of(seen.raw["status"], rules.ACTION_STATUSES)
    if (status not in (rules.ActionStatus.AT_RISK, rules.ActionStatus.OFF_TRACK)
            or not blank(seen.raw["commentary"])):
        return None
    return {"id": seen.typed["id"], "status": status}


def saving_unexplained(seen: Seen) -> Fields:
    forecast, target = _number(seen, "forecast"), seen.typed["target"]
    if forecast is None or target is None or not forecast < target:
        return None
    if not blank(seen.raw["commentary"]):
        return None
    return {"id": seen.typed["id"], "forecast": money(forecast), "target": money(target)}


def same_person(seen: Seen) -> Fields:
    completed, approved = seen.raw["completed"], seen.raw["approved"]
    if blank(completed) or tidy(completed).lower() != tidy(approved).lower():
        return None
    return {"name": tidy(approved)}


def date_text(seen: Seen) -> Fields:
    signed = seen.raw["date"]
    if blank(signed) or number_of(signed) is not None:
        return None
    return {"found": show(signed)}
