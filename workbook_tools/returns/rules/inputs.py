"""The input rules: what the Checks sheet counts, validate reports as errors, and the return
shows in red as it is typed."""

from __future__ import annotations

from workbook_tools.returns import rules
from workbook_tools.returns.rules.registry import ERROR, Rule, by_code, rule

_CHOICES_ACTIONS = ", ".join(rules.ACTION_STATUSES)
_CHOICES_SAVINGS = ", ".join(rules.SAVING_STATUSES)

INPUT_RULES: dict[str, Rule] = by_code(family="input", rules=(
    rule("value-missing", ERROR,
         actual="the actual is missing. Type this quarter's figure for {id} ({name}).",
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
         action="'{found}' is not a status. Choose one from the list for {id}: "
                + _CHOICES_ACTIONS + ".",
         saving="'{found}' is not a status. Choose one from the list for {id}: "
                + _CHOICES_SAVINGS + "."),
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
))
