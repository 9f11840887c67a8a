"""The common case in bulk: a register sheet's rows read a column at a time into items, for the
rows that are plainly sound (text where text is due, numbers, dates and choices as typed, codes
the register defines, targets where a measure is due). Any other row comes back as None, and is
read cell by cell (`plan/build.py`), which records its problems. So a national register's
100,000s of items cost a few list comprehensions, not a method call per cell, and `plan check`
finds exactly what it found before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from workbook_tools.plan.checks import is_year
from workbook_tools.plan.model import Action, Measure, Risk, Saving
from workbook_tools.plan.rows import HALF_CELL, LARGEST, SheetRows
from workbook_tools.plan.vocabulary import (
    CUMULATIVE,
    DATA_ONLY,
    FREQUENCIES,
    MEASURE_TYPES,
    POLARITIES,
    SAVING_TYPES,
    SNAPSHOT,
    UNITS,
)

#: A cell the bulk reading leaves to the cell-by-cell reading.
BAD: Any = object()
#: A risk's likelihood or impact as read, for the five scores allowed.
SCORES = {float(n): n for n in range(1, 6)}


def column(t: SheetRows, header: str) -> list[Any]:
    """A column's values, one per record (None throughout where the sheet has no such column)."""
    index = t.columns.get(header)
    if index is None:
        return [None] * len(t.rows)
    return list(map(itemgetter(index), t.rows))


def texts(t: SheetRows, header: str, required: bool = True) -> list[Any]:
    """Text without its surrounding spaces; a blank is "" where optional."""
    # (a text longer than half a cell's limit goes the cell-by-cell way, which counts it)
    if required:
        return [v.strip() or BAD if v.__class__ is str and len(v) <= HALF_CELL else BAD
                for v in column(t, header)]
    return [v.strip() if v.__class__ is str and len(v) <= HALF_CELL else "" if v is None
            else BAD for v in column(t, header)]


def numbers(t: SheetRows, header: str, required: bool = True) -> list[Any]:
    """Numbers as floats; a blank is None where optional."""
    blank = BAD if required else None
    return [v + 0.0 if v.__class__ is float and -LARGEST <= v <= LARGEST  # (-0.0 is 0)
            else float(v) if v.__class__ is int and -LARGEST <= v <= LARGEST
            else blank if v is None or v == "" else BAD for v in column(t, header)]


def choices(t: SheetRows, header: str, allowed: tuple[str, ...],
            required: bool = True) -> list[Any]:
    """Each value as its option's spelling (any capitals); a blank is None where optional."""
    options = {option: option for option in allowed}
    cases = {option.casefold(): option for option in allowed}
    blank = BAD if required else None

    def choice(value: Any) -> Any:
        if value.__class__ is not str:
            return blank if value is None else BAD
        text = value.strip()
        return cases.get(text.casefold(), BAD) if text else blank

    return [options[v] if v in options else choice(v) for v in column(t, header)]


def dates(t: SheetRows, header: str) -> list[Any]:
    return [v if v.__class__ is dt.date else v.date() if v.__class__ is dt.datetime else BAD
            for v in column(t, header)]


def owners(t: SheetRows, directorates: set[str], objectives: set[str],
           objective_required: bool = True) -> tuple[list[Any], list[Any]]:
    """Each row's directorate and objective codes, BAD where the register does not define one."""
    found = [d if d in directorates else BAD for d in texts(t, "Directorate code")]
    if "Objective code" not in t.columns:
        return found, [""] * len(found)
    codes = [o if o in objectives or o == "" and not objective_required else BAD
             for o in texts(t, "Objective code", objective_required)]
    return found, codes


def targets_sound(frequency: str, measure_type: str, targets: tuple[Any, ...]) -> bool:
    """A target every quarter the measure is due; none for Data only; Cumulative ones rising."""
    if measure_type == DATA_ONLY:
        return targets == (None, None, None, None)
    due = targets if frequency == "Quarterly" else targets[3:]
    if None in due:
        return False
    if measure_type == CUMULATIVE:
        given = [target for target in targets if target is not None]
        return all(a <= b for a, b in zip(given, given[1:], strict=False))
    return True


def measures(t: SheetRows, directorates: set[str], objectives: set[str]) -> list[Any]:
    owned, codes = owners(t, directorates, objectives)
    kinds = [k or SNAPSHOT for k in choices(t, "Measure type", MEASURE_TYPES, required=False)]
    columns = (texts(t, "Measure ID"), codes, owned, texts(t, "Measure"),
               choices(t, "Unit", UNITS), choices(t, "Polarity", POLARITIES),
               choices(t, "Frequency", FREQUENCIES),
               numbers(t, "Q1 target", False), numbers(t, "Q2 target", False),
               numbers(t, "Q3 target", False), numbers(t, "Q4 target", False),
               numbers(t, "Amber tolerance (%)", False), kinds)
    items: list[Any] = []
    for row in zip(*columns, strict=True):
        ident, code, owner, name, unit, polarity, frequency, q1, q2, q3, q4, tolerance, kind = row
        targets = (q1, q2, q3, q4)
        if (BAD in row or not targets_sound(frequency, kind, targets)
                or tolerance is not None and not 0 <= tolerance <= 100):
            items.append(None)
        else:
            items.append(Measure(ident, code, owner, name, unit, polarity, frequency, targets,
                                 tolerance, kind))
    return items


def actions(t: SheetRows, directorates: set[str], objectives: set[str]) -> list[Any]:
    owned, codes = owners(t, directorates, objectives)
    return whole(Action, texts(t, "Action ID"), codes, owned, texts(t, "Action"),
                 texts(t, "Lead officer"), dates(t, "Due date"))


def savings(t: SheetRows, directorates: set[str], objectives: set[str]) -> list[Any]:
    owned, codes = owners(t, directorates, objectives, objective_required=False)
    carried = texts(t, "Carried forward from", required=False)
    years = {c: c == "" or c is not BAD and is_year(c) for c in set(carried)}
    carried = [c if years[c] else BAD for c in carried]
    targets = [n if n is BAD or n >= 0 else BAD for n in numbers(t, "Target (£)")]
    return whole(Saving, texts(t, "Saving ID"), owned, [c or None for c in codes],
                 texts(t, "Saving proposal"), choices(t, "Type", SAVING_TYPES, required=False),
                 [n or 0.0 for n in targets], carried)


def risks(t: SheetRows, directorates: set[str], objectives: set[str]) -> list[Any]:
    owned, _ = owners(t, directorates, objectives, objective_required=False)
    scores = [[SCORES.get(v, BAD) if v.__class__ is float or v.__class__ is int else BAD
               for v in column(t, header)] for header in ("Likelihood", "Impact")]
    return whole(Risk, texts(t, "Risk ID"), owned, texts(t, "Risk"), texts(t, "Owner"),
                 *scores)


def whole(kind: Callable[..., Any], *columns: list[Any]) -> list[Any]:
    """An item from each row whose every field was read; None for any other row."""
    return [None if BAD in row else kind(*row) for row in zip(*columns, strict=True)]
