"""The input rules: what the Checks sheet counts, validate reports as errors, and the return
shows in red as it is typed. Each `Check` below is one rule on one input column, defined once:

- `formula`: an Excel expression, 1 (or TRUE) while a row's cell breaks the rule, written with
  `{key}` for the row's cell of that layout column and `{due}` for "this measure is due". It is
  written element by element (`*` for and, `+` for or, IF to guard), so the same text is the
  red highlighting (each `{key}` one cell) and, inside an array formula, the Checks sheet's count
  (each `{key}` the column's range): Excel, LibreOffice and Gnumeric evaluate both alike, where
  SUMPRODUCT over TRIM or LEN of a range is an error in Gnumeric.
- `test`: the same rule in Python for validate, returning the message's fields when the row
  breaks it, else None (rules/input_tests.py).

Checks with the same sheet and code share one row of the Checks sheet (its `label`). Adding a
rule is one `Check` here and, for a new code, one entry in `INPUT_RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from workbook_tools.returns import rules
from workbook_tools.returns.layout import SHEETS, Sheet
from workbook_tools.returns.rules.input_tests import (
    LAST_SERIAL,
    Fields,
    Seen,
    action_unexplained,
    actual_missing,
    actual_outside,
    complete_outside,
    date_outside,
    date_text,
    impossible,
    measure_unexplained,
    missing,
    money_below_zero,
    not_a_date,
    not_a_number,
    outside,
    same_person,
    saving_unexplained,
    score_outside,
    signed_in_future,
    unavailable_unexplained,
    unavailable_with_figure,
)
from workbook_tools.returns.rules.registry import ERROR, Rule, by_code, rule
from workbook_tools.returns.rules.values import (
    x_blank,
    x_is,
    x_not_in_list,
    x_text,
    x_trimmed,
)

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


_DUE_ACTUAL = "{due}*"
_UNAVAILABLE = "(" + x_is("{status}", rules.NOT_AVAILABLE) + ")"
_AVAILABLE = "*(1-" + x_is("{status}", rules.NOT_AVAILABLE) + ")"
_PERCENT_ACTUAL = 'ISNUMBER({actual})*({unit}="%")*(({actual}<0)+({actual}>100))'
_NEGATIVE_ACTUAL = 'ISNUMBER({actual})*(({unit}="£")+({unit}="days"))*({actual}<0)'
_SCORE = "(1-" + x_blank("{k}") + ")*IF(ISNUMBER({k}),({k}<1)+({k}>5)+({k}<>INT({k})),1)"
_HUGE = "IF(ISNUMBER({k}),ABS({k})>1E+15,0)"  # IF: ABS of a text is an error value
_OUTSIDE_DATES = f"IF(ISNUMBER({{k}}),({{k}}<1)+({{k}}>={LAST_SERIAL}),0)"

CHECKS: tuple[Check, ...] = (
    # --- Measures
    Check(Sheet.MEASURES, "actual", "value-missing", "actual",
          "Measures with no actual (and not marked Not available)",
          _DUE_ACTUAL + x_blank("{actual}") + _AVAILABLE, actual_missing, highlight=False),
    Check(Sheet.MEASURES, "actual", "not-a-number", "actual", "Actuals that are not numbers",
          _DUE_ACTUAL + x_text("{actual}"), not_a_number("actual", "actual")),
    Check(Sheet.MEASURES, "actual", "out-of-range", "percent",
          "Actuals out of range (% over 100, negative £ or days)",
          _DUE_ACTUAL + _PERCENT_ACTUAL, actual_outside(("%",), 0, 100)),
    Check(Sheet.MEASURES, "actual", "out-of-range", "negative",
          "Actuals out of range (% over 100, negative £ or days)",
          _DUE_ACTUAL + _NEGATIVE_ACTUAL, actual_outside(("£", "days"), 0, None)),
    Check(Sheet.MEASURES, "status", "not-in-list", "data_status", "Data statuses not from the list",
          x_not_in_list("{status}", rules.DATA_STATUSES), outside(rules.DATA_STATUSES)),
    Check(Sheet.MEASURES, "actual", "data-status", "figure",
          "Not available with an actual, or with no commentary",
          _DUE_ACTUAL + _UNAVAILABLE + "*(1-" + x_blank("{actual}") + ")",
          unavailable_with_figure),
    Check(Sheet.MEASURES, "commentary", "data-status", "commentary",
          "Not available with an actual, or with no commentary",
          _DUE_ACTUAL + _UNAVAILABLE + "*" + x_blank("{commentary}"), unavailable_unexplained),
    Check(Sheet.MEASURES, "actual", "number-impossible", "", "Figures beyond 1e15 in size",
          _DUE_ACTUAL + _HUGE.replace("{k}", "{actual}"), impossible("actual")),
    Check(Sheet.MEASURES, "commentary", "commentary-missing", "measure",
          "Red or Amber measures with no commentary",
          '(({rag}="Red")+({rag}="Amber"))*' + x_blank("{commentary}"), measure_unexplained),
    # --- Actions
    Check(Sheet.ACTIONS, "status", "value-missing", "action_status", "Actions with no status",
          x_blank("{status}"), missing("status"), highlight=False),
    Check(Sheet.ACTIONS, "status", "not-in-list", "action", "Statuses not from the list",
          x_not_in_list("{status}", rules.ACTION_STATUSES), outside(rules.ACTION_STATUSES)),
    Check(Sheet.ACTIONS, "complete", "not-a-number", "complete", "% complete that is not a number",
          x_text("{complete}"), not_a_number("complete", "complete")),
    Check(Sheet.ACTIONS, "complete", "out-of-range", "complete", "% complete outside 0 to 100",
          "ISNUMBER({complete})*(({complete}<0)+({complete}>100))", complete_outside),
    Check(Sheet.ACTIONS, "complete", "number-impossible", "", "Figures beyond 1e15 in size",
          _HUGE.replace("{k}", "{complete}"), impossible("complete")),
    Check(Sheet.ACTIONS, "revised", "not-a-date", "", "Revised due dates that are not dates",
          x_text("{revised}"), not_a_date),
    Check(Sheet.ACTIONS, "revised", "date-out-of-range", "revised",
          "Revised due dates before 1900 or after 2100",
          _OUTSIDE_DATES.replace("{k}", "{revised}"), date_outside("revised")),
    Check(Sheet.ACTIONS, "commentary", "commentary-missing", "action",
          "At risk or Off track actions with no commentary",
          f'({x_is("{status}", "At risk")}+{x_is("{status}", "Off track")})*'
          + x_blank("{commentary}"),
          action_unexplained),
    # --- Savings
    Check(Sheet.SAVINGS, "forecast", "value-missing", "forecast",
          "Savings with no forecast or no status",
          x_blank("{forecast}"), missing("forecast"), highlight=False),
    Check(Sheet.SAVINGS, "status", "value-missing", "saving_status",
          "Savings with no forecast or no status",
          x_blank("{status}"), missing("status"), highlight=False),
    Check(Sheet.SAVINGS, "status", "not-in-list", "saving", "Statuses not from the list",
          x_not_in_list("{status}", rules.SAVING_STATUSES), outside(rules.SAVING_STATUSES)),
    Check(Sheet.SAVINGS, "delivered", "not-a-number", "money", "£ figures that are not numbers",
          x_text("{delivered}"),
          not_a_number("delivered", "money", what="saving delivered to date")),
    Check(Sheet.SAVINGS, "forecast", "not-a-number", "money", "£ figures that are not numbers",
          x_text("{forecast}"), not_a_number("forecast", "money", what="full-year forecast")),
    Check(Sheet.SAVINGS, "delivered", "out-of-range", "money", "Negative £ figures",
          "ISNUMBER({delivered})*({delivered}<0)",
          money_below_zero("delivered", "saving delivered to date")),
    Check(Sheet.SAVINGS, "forecast", "out-of-range", "money", "Negative £ figures",
          "ISNUMBER({forecast})*({forecast}<0)",
          money_below_zero("forecast", "full-year forecast")),
    Check(Sheet.SAVINGS, "delivered", "number-impossible", "", "Figures beyond 1e15 in size",
          _HUGE.replace("{k}", "{delivered}"), impossible("delivered")),
    Check(Sheet.SAVINGS, "forecast", "number-impossible", "", "Figures beyond 1e15 in size",
          _HUGE.replace("{k}", "{forecast}"), impossible("forecast")),
    Check(Sheet.SAVINGS, "commentary", "commentary-missing", "saving",
          "Forecasts below target with no commentary",
          "ISNUMBER({forecast})*({forecast}<{target})*" + x_blank("{commentary}"),
          saving_unexplained),
    # --- Risks
    Check(Sheet.RISKS, "likelihood", "value-missing", "likelihood",
          "Risks with no likelihood or no impact",
          x_blank("{likelihood}"), missing("likelihood"), highlight=False),
    Check(Sheet.RISKS, "impact", "value-missing", "impact", "Risks with no likelihood or no impact",
          x_blank("{impact}"), missing("impact"), highlight=False),
    Check(Sheet.RISKS, "likelihood", "out-of-range", "score",
          "Likelihood or impact not a whole number from 1 to 5",
          _SCORE.replace("{k}", "{likelihood}"), score_outside("likelihood")),
    Check(Sheet.RISKS, "impact", "out-of-range", "score",
          "Likelihood or impact not a whole number from 1 to 5",
          _SCORE.replace("{k}", "{impact}"), score_outside("impact")),
    # --- The Cover's sign-off ({completed}, {approved}, {date}: its cells)
    Check(Sheet.COVER, "completed", "signoff-missing", "completed",
          "Sign-off names missing (Completed by, Approved by)",
          x_blank("{completed}"), missing("completed"), highlight=False),
    Check(Sheet.COVER, "approved", "signoff-missing", "approved",
          "Sign-off names missing (Completed by, Approved by)",
          x_blank("{approved}"), missing("approved"), highlight=False),
    Check(Sheet.COVER, "approved", "signoff-same-person", "",
          "Completed by and Approved by are the same person",
          f"(1-{x_blank('{completed}')})*EXACT(LOWER({x_trimmed('{completed}')}),"
          f"LOWER({x_trimmed('{approved}')}))", same_person),
    Check(Sheet.COVER, "date", "signoff-date", "missing", "Sign-off date missing or not a date",
          x_blank("{date}"), missing("date"), highlight=False),
    Check(Sheet.COVER, "date", "signoff-date", "text", "Sign-off date missing or not a date",
          f"(1-{x_blank('{date}')})*(1-ISNUMBER({{date}}))", date_text),
    Check(Sheet.COVER, "date", "date-out-of-range", "signoff",
          "Sign-off date before 1900 or after 2100", _OUTSIDE_DATES.replace("{k}", "{date}"),
          date_outside("date")),
    Check(Sheet.COVER, "date", "signoff-in-future", "", "Sign-off date after today",
          f"IF(ISNUMBER({{date}}),({{date}}>=TODAY()+1)*({{date}}<{LAST_SERIAL}),0)",
          signed_in_future),
)

_SIGNOFF_CELLS = ("completed", "approved", "date")
#: An error value in an input (`=40/0`, a formula that fails): the Checks sheet counts it, and
#: read.py reports it as it reads the cell (its value cannot be used, so no other rule judges it).
CHECKS += tuple(
    Check(sheet, key, "cell-error", "", "Cells showing an error (such as #DIV/0! or #VALUE!)",
          f"ISERROR({{{key}}})", None)
    for sheet, keys in (*((s.name, tuple(c.key for c in s.inputs)) for s in SHEETS.values()),
                        (Sheet.COVER, _SIGNOFF_CELLS))
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
