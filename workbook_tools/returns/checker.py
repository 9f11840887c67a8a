"""The checks on one return that could be read (SPEC section 7): the input rules, as the
return's Checks sheet counts them (the rule registry, returns/rules/), and the warnings.

The input-level rules mirror the return's Checks sheet exactly (layout.CHECKS): for every
return, the number of error findings per (sheet, code) equals the Checks count of that row, so
`Ready to submit` shows YES exactly when validate finds no input-level error. They judge values
the way the workbook's formulas do: a blank is empty or only spaces, text in a number cell is not
a number (even '12%'), a date in a number cell is its serial number, list entries match ignoring
case.

Warnings (the return is still accepted):
- implausible-change: an actual out of line with last quarter's, allowing for the target's own
  change (change.py), so a measure following its targets, cumulative ones included, never warns;
- commentary-uninformative: an explanation that is a placeholder ('n/a', 'see above', '-', ...)
  or shorter than 10 characters, where an explanation is needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout, rules
from workbook_tools.returns.change import compared_quarter_figures, implausible_change
from workbook_tools.returns.findings import Finding, Severity
from workbook_tools.returns.layout import Context, Sheet
from workbook_tools.returns.returnfile import ReturnFile
from workbook_tools.returns.rules import catalogue, inputs
from workbook_tools.returns.rules.input_tests import QUIET, Columns
from workbook_tools.returns.rules.values import blank, is_text, money, num, show
from workbook_tools.returns.typed import choice_of, date_of, is_measure_due, number_of

RULES = catalogue.RULES

MIN_EXPLANATION = 10  # characters
MAX_TEXT = 32_767  # characters Excel keeps in a cell
EMPTY_PHRASES = frozenset({
    "n/a", "na", "n.a", "none", "nil", "nothing", "-", "--", "---", ".", "..", "...", "?", "x",
    "tbc", "tbd", "see above", "as above", "as before", "as previous", "see previous",
    "see last quarter", "same as last quarter", "as last quarter", "no comment", "no comments",
    "no change", "ok", "fine", "nothing to report", "not applicable", "see attached",
})



def one_per_cell(findings: list[Finding]) -> list[Finding]:
    """One mistake, one finding: a cell that has an error gets no warning as well (a negative
    amount is not also 'less than last quarter'); the warning is checked again once the error
    is put right."""
    wrong = {(f.sheet, f.cell) for f in findings if f.severity is Severity.ERROR and f.cell}
    return [f for f in findings
            if f.severity is Severity.ERROR or not f.cell or (f.sheet, f.cell) not in wrong]


def uninformative(text: str | None) -> bool:
    """An explanation that explains nothing: a placeholder or a few characters."""
    if text is None:
        return False
    stripped = " ".join(text.split())
    folded = stripped.casefold().strip(" .!")
    return len(stripped) < MIN_EXPLANATION or folded in EMPTY_PHRASES or stripped in EMPTY_PHRASES


# ---------------------------------------------------------------------------------------------
# The checks on one return.


_TEXT_INPUTS = {name: tuple(c.key for c in spec.inputs) for name, spec in layout.SHEETS.items()}
_Ref = Callable[[str], str]  # a column key -> that column's cell on the row, such as 'J12'


def _cell_ref(letters: dict[str, str], row1: int, key: str) -> str:
    return f"{letters[key]}{row1}"


_SIGNOFF_KEYS = {"completed": layout.COMPLETED_BY, "approved": layout.APPROVED_BY,
                 "date": layout.SIGNOFF_DATE}


@dataclass(frozen=True, slots=True)
class Later:
    """A warning that needs last quarter's figures from the master, worked out once they are
    known (`finding`): consolidate checks the returns while it reads the master. It stands in
    the findings where the warning would be, so they come out in the same order. Slotted (105
    bytes against 153 with a dict): a return sends hundreds (one a measure), and those of the
    returns checked while the master is read wait in this process."""

    check: str  # 'implausible' or 'delivered'
    file: str
    directorate: str
    sheet: str
    cell: str
    quarter: Quarter
    item: str
    values: tuple[Any, ...]  # what the check needs of the row

    def finding(self, context: Context | None) -> Finding | None:
        """The warning, given last quarter's figures (None when there are none)."""
        if self.check == "implausible":
            kind, shown, actual, unit, target = self.values
            found = _implausible(self.quarter, context, self.item, kind, shown, actual, unit,
                                 target)
            if found is None:
                return None
            return RULES["implausible-change"].finding(self.file, self.directorate, self.sheet,
                                                       self.cell, found[0], **found[1])
        (delivered,) = self.values
        previous = context.previous_delivered.get(self.item) if context is not None else None
        if previous is None or not delivered < previous:
            return None
        return RULES["delivered-fell"].finding(self.file, self.directorate, self.sheet, self.cell,
                                               id=self.item, delivered=money(delivered),
                                               previous=money(previous))


def settle(findings: list[Finding | Later], context: Callable[[Quarter], Context | None]
           ) -> list[Finding]:
    """`findings` with each Later worked out in its place (`context` gives a quarter's)."""
    settled = []
    for found in findings:
        if isinstance(found, Later):
            warning = found.finding(context(found.quarter))
            if warning is not None:
                settled.append(warning)
        else:
            settled.append(found)
    return settled


def _implausible(quarter: Quarter, context: Context | None, item: str, kind: Any, shown: Any,
                 actual: Any, unit: Any, target: Any) -> tuple[str, dict[str, Any]] | None:
    """The implausible-change warning's variant and fields, or None."""
    previous = compared_quarter_figures(
        kind, quarter.number, shown,
        context.previous_actuals.get(item) if context is not None else None)
    previous_target = context.previous_targets.get(item) if context is not None else None
    found = implausible_change(actual, previous, unit, previous_target, target)
    if found is None:
        return None
    variant, fields = found.fields(num)
    return variant, {"id": item, "actual": num(actual), **fields}


class _Checker:
    """Collects one return's input findings (the rule registry's checks, as the Checks sheet
    counts them) and warnings."""

    def __init__(self, rf: ReturnFile, context: Context | None, later: bool = False) -> None:
        self.rf = rf
        self.context = context
        self.later = later  # the warnings that need last quarter's figures left as Later
        self.findings: list[Any] = []  # Findings (and Later)
        assert rf.quarter is not None
        self.quarter: Quarter = rf.quarter
        #: each sheet's input rules with a test: (column, code, variant, test); the others
        #: are reported as the cell is read
        self.checks: dict[str, list[tuple[str, str, str, Callable[[inputs.Seen], Any]]]] = {}
        for check in inputs.CHECKS:
            if check.test is not None:
                self.checks.setdefault(check.sheet, []).append(
                    (check.column, check.code, check.variant, check.test))

    def add(self, code: str, sheet: str, cell: str, variant: str = "", **fields: Any) -> None:
        self.findings.append(RULES[code].finding(self.rf.file, self.rf.directorate, sheet, cell,
                                                 variant, **fields))

    def known(self, sheet: str, ref: str) -> bool:
        """False for a cell already reported as holding an unsaved formula or an error."""
        unknown = self.rf.unknown_cells
        return not unknown or ref not in unknown.get(sheet, ())

    def apply(self, sheet: str, seen: inputs.Seen, ref: _Ref) -> None:
        """Every input rule of the sheet on one row (a cell that cannot be known is not
        judged: it is reported already)."""
        unknown = self.rf.unknown_cells.get(sheet)
        for column, code, variant, test in self.checks.get(sheet, ()):
            if unknown and ref(column) in unknown:
                continue
            fields = test(seen)
            if fields is not None:
                self.add(code, sheet, ref(column), variant, **fields)

    def rows(self, sheet: str) -> Iterator[tuple[dict[str, Any], dict[str, Any], _Ref]]:
        spec = layout.SHEETS[sheet]
        letters = {c.key: spec.letter(c.key) for c in spec.columns}
        assert self.rf.data is not None
        # `apply` inlined: this runs for every row of every return; a test its columns show
        # finds nothing on any row (input_tests.QUIET) is not run row by row
        columns = Columns(self.rf.raw[sheet])
        checks = [check for check in self.checks.get(sheet, ()) if not (
            (quiet := QUIET.get(check[3])) is not None and quiet(columns))]
        unknown = self.rf.unknown_cells.get(sheet)
        measures, quarter = sheet == Sheet.MEASURES, self.quarter
        for raw, typed in zip(self.rf.raw[sheet], self.rf.data.rows[sheet], strict=True):
            row1 = raw["_row"]
            seen = inputs.Seen(raw, typed, is_measure_due(typed, quarter) if measures else True)
            for column, code, variant, test in checks:
                if unknown and f"{letters[column]}{row1}" in unknown:
                    continue
                fields = test(seen)
                if fields is not None:
                    self.add(code, sheet, f"{letters[column]}{row1}", variant, **fields)
            yield raw, typed, partial(_cell_ref, letters, row1)

    def number_cell(self, sheet: str, ref: _Ref, key: str, value: Any, item: str) -> None:
        """A number input (the row's cell of column `key`) holding a boolean, or a date where
        a number belongs."""
        if type(value) is float or value is None:  # most cells: a number, or blank
            return
        cell = ref(key)
        if not self.known(sheet, cell) or blank(value) or is_text(value):
            return
        if number_of(value) is None:
            self.add("wrong-type", sheet, cell, found=show(value), expected="a number")
        elif isinstance(value, dt.date):
            self.add("looks-like-a-date", sheet, cell, found=show(value), id=item)

    def texts(self) -> None:
        """Every text input, and the sign-off, within Excel's 32,767 characters a cell."""
        assert self.rf.data is not None
        for sheet, keys in _TEXT_INPUTS.items():
            letters = {key: layout.SHEETS[sheet].letter(key) for key in keys}
            for raw in self.rf.raw[sheet]:
                for key in keys:
                    value = raw[key]
                    if type(value) is str and len(value) > MAX_TEXT:
                        self.add("text-too-long", sheet, f"{letters[key]}{raw['_row']}",
                                 length=len(value))
        for label, cell in self.rf.cover_cells.items():
            value = self.rf.cover_raw.get(label)
            if type(value) is str and len(value) > MAX_TEXT:
                self.add("text-too-long", Sheet.COVER, cell, length=len(value))

    def explained(self, sheet: str, ref: str, text: str | None, item: str, what: str) -> None:
        if uninformative(text):
            self.add("commentary-uninformative", sheet, ref, found=text, id=item, what=what)

    # --- the sheets: warnings, and what the input rules do not cover -------------------------

    def measures(self) -> None:
        sheet = Sheet.MEASURES
        for raw, typed, ref in self.rows(sheet):
            item = typed["id"]
            unavailable = typed["status"] == rules.NOT_AVAILABLE
            if is_measure_due(typed, self.quarter):
                self.number_cell(sheet, ref, "actual", raw["actual"], item)
                if typed["unit"] == "%":  # (a cell ref made only for a % measure)
                    self.percent_read(sheet, ref("actual"), raw, typed)
                if not unavailable:
                    self.implausible(sheet, ref("actual"), typed)
                elif not blank(raw["commentary"]):
                    self.explained(sheet, ref("commentary"), typed["commentary"], item,
                                   "why the figure is not available and when it will be")
            rag = typed["rag"]
            if rag in (rules.RED, rules.AMBER):
                if not blank(raw["commentary"]):
                    self.explained(sheet, ref("commentary"), typed["commentary"], item,
                                   f"why it is {rag}")
                self.explained(sheet, ref("remedial"), typed["remedial"], item,
                               "what will be done to bring it back on track, and by when")

    def percent_read(self, sheet: str, cell: str, raw: dict[str, Any],
                     typed: dict[str, Any]) -> None:
        """Say so when a % measure's figure was taken as a fraction (0.9 read as 90%) and its
        cell does not show it so."""
        if typed["unit"] != "%":
            return
        value = raw["actual"]
        number = None if blank(value) or is_text(value) else number_of(value)
        if (number is not None and self.known(sheet, cell)
                and raw["_row"] not in self.rf.percent_rows and 0 < number < 1):
            self.add("percent-read", sheet, cell, found=show(value), points=num(number * 100))

    def implausible(self, sheet: str, cell: str, typed: dict[str, Any]) -> None:
        values = (typed["type"], typed["previous"], typed["actual"], typed["unit"],
                  typed["target"])
        if self.later:
            self.findings.append(Later("implausible", self.rf.file, self.rf.directorate, sheet,
                                       cell, self.quarter, typed["id"], values))
            return
        found = _implausible(self.quarter, self.context, typed["id"], *values)
        if found is not None:
            self.add("implausible-change", sheet, cell, found[0], **found[1])

    def actions(self) -> None:
        sheet = Sheet.ACTIONS
        for raw, typed, ref in self.rows(sheet):
            item = typed["id"]
            chosen = choice_of(raw["status"], rules.ACTION_STATUSES)
            self.number_cell(sheet, ref, "complete", raw["complete"], item)
            cell, revised = ref("revised"), raw["revised"]
            if self.known(sheet, cell) and isinstance(revised, bool):
                self.add("wrong-type", sheet, cell, found=show(revised), expected="a date")
            commentary = raw["commentary"]
            needs_note = chosen in (rules.ActionStatus.AT_RISK, rules.ActionStatus.OFF_TRACK)
            percent = typed["complete"]
            if chosen == rules.ActionStatus.COMPLETE and percent is not None and percent < 100:
                self.add("complete-below-100", sheet, ref("complete"), id=item,
                         found=num(percent))
            elif chosen is not None and chosen != rules.ActionStatus.COMPLETE and percent == 100:
                self.add("full-but-not-complete", sheet, ref("status"), id=item, status=chosen)
            revised_date, due = date_of(revised), typed["due"]
            if revised_date is not None and due is not None and revised_date < due:
                self.add("revised-before-due", sheet, ref("revised"), id=item,
                         revised=show(revised_date), due=show(due))
            if revised_date is not None and blank(commentary):
                self.add("revised-without-commentary", sheet, ref("commentary"), id=item,
                         revised=show(revised_date))
            if (needs_note or revised_date is not None) and not blank(commentary):
                self.explained(sheet, ref("commentary"), typed["commentary"], item,
                               "what has happened and what is being done")

    def savings(self) -> None:
        sheet = Sheet.SAVINGS
        for raw, typed, ref in self.rows(sheet):
            item = typed["id"]
            for key in ("delivered", "forecast"):
                self.number_cell(sheet, ref, key, raw[key], item)
            forecast, target = typed["forecast"], typed["target"]
            below = forecast is not None and target is not None and forecast < target
            if below and not blank(raw["commentary"]):
                self.explained(sheet, ref("commentary"), typed["commentary"], item,
                               "why the forecast is below target and what will make up the gap")
            delivered = typed["delivered"]
            previous = typed["previous"]
            if previous is None and self.later and self.quarter.number > 1:
                if delivered is not None:
                    self.findings.append(Later("delivered", self.rf.file, self.rf.directorate,
                                               sheet, ref("delivered"), self.quarter, item,
                                               (delivered,)))
            elif previous is None and self.context is not None and self.quarter.number > 1:
                previous = self.context.previous_delivered.get(item)
            if delivered is not None and previous is not None and delivered < previous:
                self.add("delivered-fell", sheet, ref("delivered"), id=item,
                         delivered=money(delivered), previous=money(previous))
            if delivered is not None and forecast is not None and delivered > forecast:
                self.add("delivered-above-forecast", sheet, ref("delivered"), id=item,
                         delivered=money(delivered), forecast=money(forecast))

    def risks(self) -> None:
        sheet = Sheet.RISKS
        for raw, typed, ref in self.rows(sheet):
            if not blank(raw["mitigation"]):
                self.explained(sheet, ref("mitigation"), typed["mitigation"], typed["id"],
                               "what has been done this quarter to reduce the risk")

    def cover(self) -> None:
        raw, cells = self.rf.cover_raw, self.rf.cover_cells
        if not cells:
            return
        values = {key: raw.get(label) for key, label in _SIGNOFF_KEYS.items()}
        self.apply(Sheet.COVER, inputs.Seen(values, values),
                   lambda key: cells[_SIGNOFF_KEYS[key]])


def check_return(rf: ReturnFile, context: Context | None = None, later: bool = False
                 ) -> list[Any]:
    """The input rules and warnings for a return that could be read (rf.data is set).

    Args:
        context: the previous quarter's figures from the master, used where the return's own
            Previous actual / Delivered last quarter cells are blank.
        later: leave the warnings that need last quarter's figures as `Later`s in the findings
            (`settle` works them out), rather than use `context`.
    """
    if rf.data is None:
        return []
    checker = _Checker(rf, context, later)
    checker.texts()
    checker.cover()
    checker.measures()
    checker.actions()
    checker.savings()
    checker.risks()
    return checker.findings
