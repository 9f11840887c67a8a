"""A return's values typed: one rule per kind of column (see `number_of`, `choice_of`,
`date_of`), and the derived values (RAG, direction, score, variance) worked out by the rules
(returns/rules/), never taken from the workbook's cached formula results.

Percentages: a % measure's actual and an action's % complete are percentage points (0-100). A
number strictly between 0 and 1 is read as a fraction and multiplied by 100, so 12, 0.12 and a
cell typed as 12% in Excel or LibreOffice (stored as 0.12) all mean 12% (rules.percent_points).
Text such as '12%' is not a number: the workbook's own Checks count it, and so does validate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import partial
from itertools import repeat
from typing import Any

from workbook_tools.files.cells import EXCEL_EPOCH, plain_text, to_date, to_number
from workbook_tools.quarters import Quarter
from workbook_tools.returns import rules
from workbook_tools.returns.layout import Kind, Sheet, SheetLayout
from workbook_tools.returns.rules.values import entry_key


def number_of(value: Any) -> float | None:
    """A number as a spreadsheet holds it: numbers as they are, a date or time as its serial
    number (what a formula sees); text, booleans and blanks are not numbers."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime.combine(EXCEL_EPOCH, dt.time())
        return delta.days + delta.seconds / 86400
    if isinstance(value, dt.date):
        return float((value - EXCEL_EPOCH).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return None


def choice_of(value: Any, choices: tuple[str, ...]) -> str | None:
    """The list entry a value is, as the return's formulas compare it: case, spaces, tabs and
    line breaks aside (rules.values.entry_key)."""
    if not isinstance(value, str):
        return None
    chosen = _CHOSEN.get(choices)
    if chosen is None:
        chosen = _CHOSEN[choices] = {}
    elif value in chosen:  # statuses repeat down a sheet, and are read by several rules
        return chosen[value]
    folded = _FOLDED.get(choices)
    if folded is None:
        folded = _FOLDED[choices] = {entry_key(c): c for c in reversed(choices)}
    entry = folded.get(entry_key(value))
    if len(chosen) < 1_000:  # a few entries and their misspellings, not every text seen
        chosen[value] = entry
    return entry


_FOLDED: dict[tuple[str, ...], dict[str, str]] = {}
_CHOSEN: dict[tuple[str, ...], dict[str, str | None]] = {}


def date_of(value: Any) -> dt.date | None:
    """A date cell: a date, or a number (a date's serial); text is not a date."""
    if isinstance(value, str | bool) or value is None:
        return None
    return to_date(value)


def is_measure_due(raw: dict[str, Any], quarter: Quarter) -> bool:
    if quarter.number == 4:
        return True
    frequency = raw.get("frequency")
    return (frequency.strip() if type(frequency) is str else plain_text(frequency)) != "Annual"


def _text(value: Any) -> str | None:
    if type(value) is str:
        value = value.strip()
        return value or None
    text = plain_text(value)
    return text if text.strip() else None


def _prefilled_number(value: Any) -> float | None:
    return float(value) if type(value) is float else to_number(value)


def _percent(value: Any) -> float | None:
    number = number_of(value)
    return rules.percent_points(number) if number is not None else None


def _score(value: Any) -> float | None:
    number = number_of(value)
    if number is None or number != int(number) or not 1 <= number <= 5:
        return None
    return number


_CONVERTERS: dict[str, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def _converters(spec: SheetLayout) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """How each column's value is typed: one rule per kind of column."""
    if spec.name in _CONVERTERS:
        return _CONVERTERS[spec.name]
    out: list[tuple[str, Callable[[Any], Any]]] = []
    for column in spec.columns:
        kind = column.kind
        convert: Callable[[Any], Any] = _text
        if column.is_input and kind is Kind.PERCENT:
            convert = _percent
        elif column.is_input and kind is Kind.SCORE:
            convert = _score
        elif column.is_input and kind in (Kind.NUMBER, Kind.MONEY):
            convert = number_of
        elif kind in (Kind.NUMBER, Kind.MONEY, Kind.PERCENT, Kind.SCORE):
            convert = _prefilled_number
        elif kind is Kind.DATE:
            convert = date_of if column.is_input else to_date
        elif kind is Kind.CHOICE:
            convert = partial(choice_of, choices=column.choices)
        out.append((column.key, convert))
    _CONVERTERS[spec.name] = tuple(out)
    return _CONVERTERS[spec.name]


def typed_rows(spec: SheetLayout, columns: dict[str, list[Any]], quarter: Quarter,
                tolerance: float, percent_rows: Mapping[int, bool] | None = None
                ) -> list[dict[str, Any]]:
    """One typed dict per row from the sheet's raw columns, with the derived values. The
    common cells (text, and numbers calamine already gives as floats) are typed without a
    call."""
    if not columns:
        return []
    typed: dict[str, list[Any]] = {"_row": columns["_row"]}
    for key, convert in _converters(spec):
        values = columns[key]
        if key == "id":
            typed[key] = values  # the ID as _meta has it
        elif convert is _text:
            typed[key] = [(v.strip() or None) if type(v) is str
                          else None if v is None else _text(v) for v in values]
        elif convert is number_of or convert is _prefilled_number:
            typed[key] = [v if type(v) is float else None if v is None else convert(v)
                          for v in values]
        else:
            typed[key] = [None if v is None else convert(v) for v in values]
    rows = rows_of(typed)
    percent_rows = percent_rows or {}
    quarter_end = quarter.end_date  # worked out once, not per action
    for row in rows:
        _derive(spec.name, row, quarter, tolerance, percent_rows.get(row["_row"], False),
                quarter_end)
    return rows


def _derive(sheet: str, row: dict[str, Any], quarter: Quarter, tolerance: float,
            percent_format: bool = False, quarter_end: dt.date | None = None) -> None:
    """The derived values, by rules.py (the same rules as the workbook's formulas)."""
    if sheet == Sheet.MEASURES:
        if not is_measure_due(row, quarter):
            row["actual"] = None
        elif row["unit"] == "%" and row["actual"] is not None:
            row["actual"] = rules.percent_points(row["actual"], percent_format)
        polarity = row["polarity"] or rules.HIGHER_IS_BETTER
        measure_type = row["type"] or rules.SNAPSHOT
        unavailable = row["status"] == rules.NOT_AVAILABLE
        rated = measure_type != rules.DATA_ONLY and not unavailable
        row["rag"] = rules.measure_rag(row["actual"], row["target"] if rated else None, polarity,
                                       row["tolerance"] or 0.0)
        row["direction"] = None if unavailable else rules.measure_direction(
            row["actual"], row["previous"], polarity, measure_type)
    elif sheet == Sheet.ACTIONS:
        row["rag"] = rules.action_rag(row["status"], row["due"], row["revised"],
                                      quarter_end or quarter.end_date)
    elif sheet == Sheet.SAVINGS:
        forecast, target = row["forecast"], row["target"]
        row["variance"] = forecast - target if forecast is not None and target is not None \
            else None
        row["rag"] = rules.saving_rag(forecast, target, tolerance, row["status"])
    elif sheet == Sheet.RISKS:
        score = rules.risk_score(row["likelihood"], row["impact"])
        previous = row["previous"]
        row["score"] = score
        row["rag"] = rules.risk_rag(score)
        row["direction"] = rules.risk_direction(
            score, int(previous) if previous is not None else None)


def rows_of(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Columns (key -> values) as one dict per row."""
    if not columns:
        return []
    # each row's dict made in C (map), not in a Python loop: a row holds one value of each
    # column, so it is as long as the keys
    return list(map(dict, map(zip, repeat(tuple(columns)), zip(*columns.values(), strict=True))))
