"""The input rules: what the Checks sheet counts, validate reports as errors, and the return
shows in red as it is typed. Each `Check` below is one rule on one input column, defined once:

- `formula`: an Excel expression, 1 (or TRUE) while a row's cell breaks the rule, written with
  `{key}` for the row's cell of that layout column and `{due}` for "this measure is due". It is
  written element by element (`*` for and, `+` for or, IF to guard), so the same text is the
  red highlighting (each `{key}` one cell) and, inside an array formula, the Checks sheet's count
  (each `{key}` the column's range): Excel, LibreOffice and Gnumeric evaluate both alike, where
  SUMPRODUCT over TRIM or LEN of a range is an error in Gnumeric.
- `test`: the same rule in Python for validate, returning the message's fields when the row
  breaks it, else None.

Checks with the same sheet and code share one row of the Checks sheet (its `label`). Adding a
rule is one `Check` here and, for a new code, one entry in `INPUT_RULES`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from workbook_tools.files.cells import EXCEL_EPOCH, to_date, to_number
from workbook_tools.returns import rules
from workbook_tools.returns.layout import SHEETS
from workbook_tools.returns.rules.registry import ERROR, Rule, by_code, rule
from workbook_tools.returns.rules.values import (
    blank,
    entry_key,
    invisible,
    is_text,
    money,
    num,
    show,
    tidy,
    x_blank,
    x_is,
    x_text,
    x_trimmed,
)
from workbook_tools.returns.typed import choice_of, number_of

_CHOICES_ACTIONS = ", ".join(rules.ACTION_STATUSES)
_CHOICES_SAVINGS = ", ".join(rules.SAVING_STATUSES)
_CHOICES_DATA = " or ".join(rules.DATA_STATUSES)

INPUT_RULES: dict[str, Rule] = by_code(family="input", rules=(
    rule("value-missing", ERROR,
         actual="the actual is missing. Type this quarter's figure for {id} ({name}); if it "
                "is not available yet, choose Not available under Data status and say why in "
                "the commentary.",
         action_status="the status of {id} is missing. Choose one from the list: "
                       + _CHOICES_ACTIONS + ".",
         forecast="the full-year forecast for {id} is missing. Type it in pounds.",
         saving_status="the status of {id} is missing. Choose one from the list: "
                       + _CHOICES_SAVINGS + ".",
         likelihood="the likelihood of {id} is missing. Type a whole number from 1 (rare) to "
                    "5 (almost certain).",
         impact="the impact of {id} is missing. Type a whole number from 1 (negligible) to "
                "5 (severe)."),
    rule("not-a-number", ERROR,
         actual="'{found}' is not a number. Type the actual for {id} as a number{hint}.",
         complete="'{found}' is not a number. Type % complete for {id} as a number from 0 to "
                  "100.",
         money="'{found}' is not an amount. Type the {what} for {id} in pounds as a plain "
               "number{hint}."),
    rule("out-of-range", ERROR,
         percent="{found} is not a percentage from 0 to 100. Type the actual for {id} as a "
                 "percentage (85.5 for 85.5%).",
         negative="{found} is below zero. Type the actual for {id} as zero or more.",
         complete="{found} is outside 0 to 100. Type % complete for {id} as a number from 0 to "
                  "100.",
         money="{found} is below zero. Type the {what} for {id} in pounds, zero or more.",
         score="'{found}' is not a whole number from 1 to 5. Type the {what} of {id} as 1, 2, "
               "3, 4 or 5."),
    rule("not-in-list", ERROR,
         action="'{found}' is not a status{why}. Choose one from the list for {id}: "
                + _CHOICES_ACTIONS + ".",
         saving="'{found}' is not a status{why}. Choose one from the list for {id}: "
                + _CHOICES_SAVINGS + ".",
         data_status="'{found}' is not a data status{why}. Leave it blank for a final figure, "
                     "or choose " + _CHOICES_DATA + " for {id}."),
    rule("data-status", ERROR,
         figure="{id} is marked Not available but has an actual ({found}). Clear the actual, "
                "or clear Data status (choose Provisional if the figure may still change).",
         commentary="{id} is marked Not available but has no commentary. Say why the figure "
                    "is not available and when it will be."),
    rule("not-a-date", ERROR,
         "'{found}' is not a date. Type the revised due date for {id} as a date, such as "
         "31/03/2026."),
    rule("commentary-missing", ERROR,
         measure="{id} is {rag} ({actual} against a target of {target}) but has no "
                 "commentary. Say why, and what will be done under Remedial action.",
         action="{id} is {status} but has no commentary. Say what the problem is and what is "
                "being done about it.",
         saving="the forecast for {id} ({forecast}) is below its target ({target}) but there "
                "is no commentary. Say why, and what will make up the gap."),
    rule("signoff-missing", ERROR,
         completed="Completed by is empty. Type the name of the officer who completed the "
                   "return.",
         approved="Approved by is empty. Type the name of the director or head of service who "
                  "approved the return."),
    rule("signoff-same-person", ERROR,
         "Completed by and Approved by are both '{name}'. The return must be approved by "
         "someone other than the person who completed it."),
    rule("signoff-date", ERROR,
         missing="the sign-off date is missing. Type the date the return was approved, such "
                 "as 14/07/2025.",
         text="'{found}' is not a date. Type the date the return was approved as a date, such "
              "as 14/07/2025."),
    rule("number-impossible", ERROR,
         "{found} is not a figure a return can hold (beyond 1e15 in size, or not a finite "
         "number). Type the figure for {id} as a plain number."),
    rule("date-out-of-range", ERROR,
         revised="{found} is not a date between 1900 and 2100. Type the revised due date for "
                 "{id} as a date, such as 31/03/2026.",
         signoff="{found} is not a date between 1900 and 2100. Type the date the return was "
                 "approved, such as 14/07/2025."),
    rule("signoff-in-future", ERROR,
         "the sign-off date {found} is after today ({today}). Type the date the return was "
         "approved."),
))

MAX_NUMBER = 1e15  # no figure in a return is larger; beyond it, Excel's precision is gone
#: The day after 31/12/2100 as a spreadsheet counts days (1 is 01/01/1900).
LAST_SERIAL = (dt.date(2100, 12, 31) - EXCEL_EPOCH).days + 1


@dataclass(frozen=True)
class Seen:
    """One item row (or the Cover's sign-off) as validate sees it."""

    raw: Mapping[str, Any]    # each input as typed
    typed: Mapping[str, Any]  # typed values and the derived ones (rules.py)
    due: bool = True          # a measure due this quarter


Fields = dict[str, Any] | None


@dataclass(frozen=True)
class Check:
    """One input rule on one column: its Checks row, its formula and its Python test."""

    sheet: str       # a data sheet, or 'Cover' for the sign-off
    column: str      # the layout key of the cell a finding names (on the Cover, a sign-off key)
    code: str
    variant: str     # the message template of INPUT_RULES[code]
    label: str       # the Checks sheet's words for the row of (sheet, code)
    formula: str
    test: Callable[[Seen], Fields] | None  # None: read.py reports it, as it reads the cell
    highlight: bool = True  # red as typed (a value not yet given is not: a blank return is not
    #                         all red)

    @property
    def rule(self) -> Rule:
        return INPUT_RULES[self.code]


def _is(ref: str, text: str) -> str:
    """1 when the cell is the list entry `text`, as validate's `choice_of` reads it: case,
    spaces, tabs and line breaks aside (values.x_is)."""
    return x_is(ref, text)


def _in_list(ref: str, choices: tuple[str, ...]) -> str:
    return "(" + "+".join(_is(ref, c) for c in choices) + ")"


def _not_in_list(ref: str, choices: tuple[str, ...]) -> str:
    """An error value is not 'not in the list' (cell-error counts it): Gnumeric, unguarded,
    counted one here."""
    return f"IF(ISERROR({ref}),0,(1-{x_blank(ref)})*({_in_list(ref, choices)}=0))"


def _number(seen: Seen, key: str) -> float | None:
    """A number input's number (None when blank, text, or not finite: number-impossible)."""
    value = seen.raw[key]
    number = None if blank(value) or is_text(value) else number_of(value)
    return number if number is None or math.isfinite(number) else None


def _impossible(key: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw[key]
        number = None if not seen.due or blank(value) or is_text(value) else number_of(value)
        if number is None or (math.isfinite(number) and abs(number) <= MAX_NUMBER):
            return None
        return {"found": f"{number:g}", "id": seen.typed["id"]}
    return test


def _serial(value: Any) -> float | None:
    """A date cell as a spreadsheet's formulas see it: its day number (a time is a fraction)."""
    return None if blank(value) or is_text(value) else number_of(value)


def _date_outside(key: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        serial = _serial(seen.raw[key])
        if serial is None or 1 <= serial < LAST_SERIAL:
            return None
        return {"found": show(seen.raw[key]), "id": seen.typed.get("id")}
    return test


def _signed_in_future(seen: Seen) -> Fields:
    serial, today = _serial(seen.raw["date"]), dt.date.today()
    if serial is None or not (today - EXCEL_EPOCH).days + 1 <= serial < LAST_SERIAL:
        return None
    return {"found": show(to_date(serial)), "today": show(today)}


def _not_a_number(key: str, variant: str, **extra: Any) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw[key]
        if not (seen.due and is_text(value)):
            return None
        number = to_number(value)
        hint = f" ({num(number)})" if number is not None else ""
        return {"found": value, "id": seen.typed["id"], "hint": hint, **extra}
    return test


def _missing(key: str, **extra: Any) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        if not (seen.due and blank(seen.raw[key])):
            return None
        return {"id": seen.typed.get("id"), **{k: f(seen) for k, f in extra.items()}}
    return test


def _outside(choices: tuple[str, ...]) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw["status"]
        if blank(value) or choice_of(value, choices) is not None:
            return None
        hidden = invisible(entry_key(value)) if isinstance(value, str) else ""
        if hidden and choice_of(tidy(value), choices) is not None:
            return {"found": show(value), "id": seen.typed["id"],
                    "why": f" because it holds {hidden} that cannot be seen: retype it"}
        return {"found": show(value), "id": seen.typed["id"], "why": ""}
    return test


def _money_below_zero(key: str, what: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        number = _number(seen, key)
        if number is None or number >= 0:
            return None
        return {"found": money(number), "id": seen.typed["id"], "what": what}
    return test


def _actual_outside(units: tuple[str, ...], low: float, high: float | None
                    ) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        number = _number(seen, "actual")
        if not seen.due or number is None or seen.typed["unit"] not in units:
            return None
        if number < low or (high is not None and number > high):
            return {"found": show(seen.raw["actual"]), "id": seen.typed["id"]}
        return None
    return test


def _complete_outside(seen: Seen) -> Fields:
    number = _number(seen, "complete")
    if number is None or 0 <= number <= 100:
        return None
    return {"found": show(seen.raw["complete"]), "id": seen.typed["id"]}


def _score_outside(key: str) -> Callable[[Seen], Fields]:
    def test(seen: Seen) -> Fields:
        value = seen.raw[key]
        if blank(value):
            return None
        number = None if is_text(value) else number_of(value)
        if number is not None and 1 <= number <= 5 and number == int(number):
            return None
        return {"found": show(value), "id": seen.typed["id"], "what": key}
    return test


def _not_a_date(seen: Seen) -> Fields:
    value = seen.raw["revised"]
    return {"found": value, "id": seen.typed["id"]} if is_text(value) else None


def _unavailable(seen: Seen) -> bool:
    """The measure's Data status is Not available (as the formula compares: ignoring case)."""
    return choice_of(seen.raw["status"], rules.DATA_STATUSES) == rules.NOT_AVAILABLE


def _actual_missing(seen: Seen) -> Fields:
    """A due measure's actual is required, unless its figure is marked Not available."""
    if not seen.due or not blank(seen.raw["actual"]) or _unavailable(seen):
        return None
    return {"id": seen.typed["id"], "name": seen.typed["name"] or ""}


def _unavailable_with_figure(seen: Seen) -> Fields:
    if not (seen.due and _unavailable(seen)) or blank(seen.raw["actual"]):
        return None
    return {"id": seen.typed["id"], "found": show(seen.raw["actual"])}


def _unavailable_unexplained(seen: Seen) -> Fields:
    if not (seen.due and _unavailable(seen)) or not blank(seen.raw["commentary"]):
        return None
    return {"id": seen.typed["id"]}


def _measure_unexplained(seen: Seen) -> Fields:
    rag = seen.typed["rag"]
    if rag not in (rules.RED, rules.AMBER) or not blank(seen.raw["commentary"]):
        return None
    return {"id": seen.typed["id"], "rag": rag, "actual": num(seen.typed["actual"]),
            "target": num(seen.typed["target"])}


def _action_unexplained(seen: Seen) -> Fields:
    status = choice_of(seen.raw["status"], rules.ACTION_STATUSES)
    if status not in ("At risk", "Off track") or not blank(seen.raw["commentary"]):
        return None
    return {"id": seen.typed["id"], "status": status}


def _saving_unexplained(seen: Seen) -> Fields:
    forecast, target = _number(seen, "forecast"), seen.typed["target"]
    if forecast is None or target is None or not forecast < target:
        return None
    if not blank(seen.raw["commentary"]):
        return None
    return {"id": seen.typed["id"], "forecast": money(forecast), "target": money(target)}


def _same_person(seen: Seen) -> Fields:
    completed, approved = seen.raw["completed"], seen.raw["approved"]
    if blank(completed) or tidy(completed).lower() != tidy(approved).lower():
        return None
    return {"name": tidy(approved)}


def _date_text(seen: Seen) -> Fields:
    signed = seen.raw["date"]
    if blank(signed) or number_of(signed) is not None:
        return None
    return {"found": show(signed)}


_DUE_ACTUAL = "{due}*"
_UNAVAILABLE = "(" + _is("{status}", rules.NOT_AVAILABLE) + ")"
_AVAILABLE = "*(1-" + _is("{status}", rules.NOT_AVAILABLE) + ")"
_PERCENT_ACTUAL = 'ISNUMBER({actual})*({unit}="%")*(({actual}<0)+({actual}>100))'
_NEGATIVE_ACTUAL = 'ISNUMBER({actual})*(({unit}="£")+({unit}="days"))*({actual}<0)'
_SCORE = "(1-" + x_blank("{k}") + ")*IF(ISNUMBER({k}),({k}<1)+({k}>5)+({k}<>INT({k})),1)"
_HUGE = "IF(ISNUMBER({k}),ABS({k})>1E+15,0)"  # IF: ABS of a text is an error value
_OUTSIDE_DATES = f"IF(ISNUMBER({{k}}),({{k}}<1)+({{k}}>={LAST_SERIAL}),0)"

CHECKS: tuple[Check, ...] = (
    # --- Measures
    Check("Measures", "actual", "value-missing", "actual",
          "Measures with no actual (and not marked Not available)",
          _DUE_ACTUAL + x_blank("{actual}") + _AVAILABLE, _actual_missing, highlight=False),
    Check("Measures", "actual", "not-a-number", "actual", "Actuals that are not numbers",
          _DUE_ACTUAL + x_text("{actual}"), _not_a_number("actual", "actual")),
    Check("Measures", "actual", "out-of-range", "percent",
          "Actuals out of range (% over 100, negative £ or days)",
          _DUE_ACTUAL + _PERCENT_ACTUAL, _actual_outside(("%",), 0, 100)),
    Check("Measures", "actual", "out-of-range", "negative",
          "Actuals out of range (% over 100, negative £ or days)",
          _DUE_ACTUAL + _NEGATIVE_ACTUAL, _actual_outside(("£", "days"), 0, None)),
    Check("Measures", "status", "not-in-list", "data_status", "Data statuses not from the list",
          _not_in_list("{status}", rules.DATA_STATUSES), _outside(rules.DATA_STATUSES)),
    Check("Measures", "actual", "data-status", "figure",
          "Not available with an actual, or with no commentary",
          _DUE_ACTUAL + _UNAVAILABLE + "*(1-" + x_blank("{actual}") + ")",
          _unavailable_with_figure),
    Check("Measures", "commentary", "data-status", "commentary",
          "Not available with an actual, or with no commentary",
          _DUE_ACTUAL + _UNAVAILABLE + "*" + x_blank("{commentary}"), _unavailable_unexplained),
    Check("Measures", "actual", "number-impossible", "", "Figures beyond 1e15 in size",
          _DUE_ACTUAL + _HUGE.replace("{k}", "{actual}"), _impossible("actual")),
    Check("Measures", "commentary", "commentary-missing", "measure",
          "Red or Amber measures with no commentary",
          '(({rag}="Red")+({rag}="Amber"))*' + x_blank("{commentary}"), _measure_unexplained),
    # --- Actions
    Check("Actions", "status", "value-missing", "action_status", "Actions with no status",
          x_blank("{status}"), _missing("status"), highlight=False),
    Check("Actions", "status", "not-in-list", "action", "Statuses not from the list",
          _not_in_list("{status}", rules.ACTION_STATUSES), _outside(rules.ACTION_STATUSES)),
    Check("Actions", "complete", "not-a-number", "complete", "% complete that is not a number",
          x_text("{complete}"), _not_a_number("complete", "complete")),
    Check("Actions", "complete", "out-of-range", "complete", "% complete outside 0 to 100",
          "ISNUMBER({complete})*(({complete}<0)+({complete}>100))", _complete_outside),
    Check("Actions", "complete", "number-impossible", "", "Figures beyond 1e15 in size",
          _HUGE.replace("{k}", "{complete}"), _impossible("complete")),
    Check("Actions", "revised", "not-a-date", "", "Revised due dates that are not dates",
          x_text("{revised}"), _not_a_date),
    Check("Actions", "revised", "date-out-of-range", "revised",
          "Revised due dates before 1900 or after 2100",
          _OUTSIDE_DATES.replace("{k}", "{revised}"), _date_outside("revised")),
    Check("Actions", "commentary", "commentary-missing", "action",
          "At risk or Off track actions with no commentary",
          f'({_is("{status}", "At risk")}+{_is("{status}", "Off track")})*'
          + x_blank("{commentary}"),
          _action_unexplained),
    # --- Savings
    Check("Savings", "forecast", "value-missing", "forecast",
          "Savings with no forecast or no status",
          x_blank("{forecast}"), _missing("forecast"), highlight=False),
    Check("Savings", "status", "value-missing", "saving_status",
          "Savings with no forecast or no status",
          x_blank("{status}"), _missing("status"), highlight=False),
    Check("Savings", "status", "not-in-list", "saving", "Statuses not from the list",
          _not_in_list("{status}", rules.SAVING_STATUSES), _outside(rules.SAVING_STATUSES)),
    Check("Savings", "delivered", "not-a-number", "money", "£ figures that are not numbers",
          x_text("{delivered}"),
          _not_a_number("delivered", "money", what="saving delivered to date")),
    Check("Savings", "forecast", "not-a-number", "money", "£ figures that are not numbers",
          x_text("{forecast}"), _not_a_number("forecast", "money", what="full-year forecast")),
    Check("Savings", "delivered", "out-of-range", "money", "Negative £ figures",
          "ISNUMBER({delivered})*({delivered}<0)",
          _money_below_zero("delivered", "saving delivered to date")),
    Check("Savings", "forecast", "out-of-range", "money", "Negative £ figures",
          "ISNUMBER({forecast})*({forecast}<0)",
          _money_below_zero("forecast", "full-year forecast")),
    Check("Savings", "delivered", "number-impossible", "", "Figures beyond 1e15 in size",
          _HUGE.replace("{k}", "{delivered}"), _impossible("delivered")),
    Check("Savings", "forecast", "number-impossible", "", "Figures beyond 1e15 in size",
          _HUGE.replace("{k}", "{forecast}"), _impossible("forecast")),
    Check("Savings", "commentary", "commentary-missing", "saving",
          "Forecasts below target with no commentary",
          "ISNUMBER({forecast})*({forecast}<{target})*" + x_blank("{commentary}"),
          _saving_unexplained),
    # --- Risks
    Check("Risks", "likelihood", "value-missing", "likelihood",
          "Risks with no likelihood or no impact",
          x_blank("{likelihood}"), _missing("likelihood"), highlight=False),
    Check("Risks", "impact", "value-missing", "impact", "Risks with no likelihood or no impact",
          x_blank("{impact}"), _missing("impact"), highlight=False),
    Check("Risks", "likelihood", "out-of-range", "score",
          "Likelihood or impact not a whole number from 1 to 5",
          _SCORE.replace("{k}", "{likelihood}"), _score_outside("likelihood")),
    Check("Risks", "impact", "out-of-range", "score",
          "Likelihood or impact not a whole number from 1 to 5",
          _SCORE.replace("{k}", "{impact}"), _score_outside("impact")),
    # --- The Cover's sign-off ({completed}, {approved}, {date}: its cells)
    Check("Cover", "completed", "signoff-missing", "completed",
          "Sign-off names missing (Completed by, Approved by)",
          x_blank("{completed}"), _missing("completed"), highlight=False),
    Check("Cover", "approved", "signoff-missing", "approved",
          "Sign-off names missing (Completed by, Approved by)",
          x_blank("{approved}"), _missing("approved"), highlight=False),
    Check("Cover", "approved", "signoff-same-person", "",
          "Completed by and Approved by are the same person",
          f"(1-{x_blank('{completed}')})*EXACT(LOWER({x_trimmed('{completed}')}),"
          f"LOWER({x_trimmed('{approved}')}))", _same_person),
    Check("Cover", "date", "signoff-date", "missing", "Sign-off date missing or not a date",
          x_blank("{date}"), _missing("date"), highlight=False),
    Check("Cover", "date", "signoff-date", "text", "Sign-off date missing or not a date",
          f"(1-{x_blank('{date}')})*(1-ISNUMBER({{date}}))", _date_text),
    Check("Cover", "date", "date-out-of-range", "signoff",
          "Sign-off date before 1900 or after 2100", _OUTSIDE_DATES.replace("{k}", "{date}"),
          _date_outside("date")),
    Check("Cover", "date", "signoff-in-future", "", "Sign-off date after today",
          f"IF(ISNUMBER({{date}}),({{date}}>=TODAY()+1)*({{date}}<{LAST_SERIAL}),0)",
          _signed_in_future),
)

_SIGNOFF_CELLS = ("completed", "approved", "date")
#: An error value in an input (`=40/0`, a formula that fails): the Checks sheet counts it, and
#: read.py reports it as it reads the cell (its value cannot be used, so no other rule judges it).
CHECKS += tuple(
    Check(sheet, key, "cell-error", "", "Cells showing an error (such as #DIV/0! or #VALUE!)",
          f"ISERROR({{{key}}})", None)
    for sheet, keys in (*((s.name, tuple(c.key for c in s.inputs)) for s in SHEETS.values()),
                        ("Cover", _SIGNOFF_CELLS))
    for key in keys)

#: The codes the Checks sheet counts.
CHECKS_CODES = frozenset(c.code for c in CHECKS)


def checks_rows() -> dict[tuple[str, str], tuple[Check, ...]]:
    """The Checks sheet's rows in order: (sheet, code) -> the checks it counts."""
    rows: dict[tuple[str, str], list[Check]] = {}
    for check in CHECKS:
        rows.setdefault((check.sheet, check.code), []).append(check)
    return {key: tuple(group) for key, group in rows.items()}


#: 1-based rows on the Checks sheet: its header, the first and last counts, Ready to submit.
CHECKS_HEADER_ROW = 4
FIRST_COUNT_ROW = CHECKS_HEADER_ROW + 1
LAST_COUNT_ROW = CHECKS_HEADER_ROW + len(checks_rows())
READY_ROW = LAST_COUNT_ROW + 2


def formula_of(check: Check, refs: Mapping[str, str], quarter_number: int) -> str:
    """The check's formula with `refs` (layout key -> a cell, or a range for a count)."""
    due = "1" if quarter_number == 4 else '({frequency}="Quarterly")'
    return check.formula.replace("{due}", due).format(**refs)
