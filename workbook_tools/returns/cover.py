"""The return's Cover (what it is, the deadline, how to fill it in, the sign-off) and its Checks
sheet (live counts of what is missing or wrong, and Ready to submit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from workbook_tools.plan.register import DirectoratePlan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.layout import COVER, FIRST_DATA_ROW, Context, CoverCells, Role, Sheet
from workbook_tools.returns.prefilled import quarter_label
from workbook_tools.returns.rules import inputs
from workbook_tools.returns.rules.inputs import (
    CHECKS_HEADER_ROW,
    FIRST_COUNT_ROW,
    LAST_COUNT_ROW,
    READY_ROW,
    checks_rows,
)
from workbook_tools.returns.style import Styles, fitted_height, number_format, row_points
from workbook_tools.words import count

GREEN_FILL, RED_FILL, RED_FONT = "#C6EFCE", "#FFC7CE", "#9C0006"

__all__ = ["COVER", "CoverCells", "write_checks", "write_cover"]

COVER_WIDTHS = (2, 24, 72, 2)  # columns A to D
_TEXT_WIDTH = COVER_WIDTHS[1] + COVER_WIDTHS[2]  # the merged B:C



def _percent(value: float) -> str:
    return f"{value:g}%"


def _scope(dplan: DirectoratePlan, quarter: Quarter) -> str:
    due = sum(1 for m in dplan.measures if m.is_due(quarter))
    not_due = len(dplan.measures) - due
    measures = count(due, "measure")
    if not_due:
        measures += f" ({not_due} more {'is' if not_due == 1 else 'are'} annual, due in Q4)"
    return (f"This return asks about {measures}, {count(len(dplan.actions), 'action')}, "
            f"{count(len(dplan.savings), 'savings line')} and "
            f"{count(len(dplan.risks), 'risk')}.")


def write_cover(workbook: Any, sheet: Any, dplan: DirectoratePlan, ctx: Context,
                s: Styles) -> None:
    """The Cover: what the return is, its deadline, how to fill it in, the key and the sign-off."""
    plan, quarter = dplan.plan, ctx.quarter
    settings = plan.settings
    deadline = quarter.deadline(settings.deadline_days)
    tolerance = settings.amber_tolerance
    for col, width in enumerate(COVER_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.hide_gridlines(2)
    sheet.set_row(0, 24)
    sheet.write_string(0, 1, "Quarterly performance and savings return", s.title)
    sheet.write_string(
        1, 1, f"{settings.council_name}  ·  {dplan.directorate.name}  ·  {quarter}", s.subtitle
    )

    label_col, value_col = COVER.label_col, COVER.value_col

    def row(r1: int, label: str, value: Any, fmt: Any) -> None:
        sheet.write_string(r1 - 1, label_col, label, s.label)
        if isinstance(value, dt.date):
            sheet.write_datetime(r1 - 1, value_col, dt.datetime.combine(value, dt.time()), fmt)
        elif isinstance(value, int | float):
            sheet.write_number(r1 - 1, value_col, value, fmt)
        else:
            sheet.write_string(r1 - 1, value_col, str(value), fmt)

    row(COVER.council, "Council", settings.council_name, s.value)
    row(COVER.directorate, "Directorate",
        f"{dplan.directorate.name} ({dplan.directorate.code})", s.value)
    row(COVER.quarter, "Quarter", quarter_label(quarter), s.value)
    row(COVER.quarter_end, "Quarter ends", quarter.end_date, s.value_date)
    row(COVER.deadline, "Return deadline", deadline, s.deadline)
    sheet.set_row(COVER.deadline - 1, 18)
    tolerance_format = workbook.add_format(
        {**s.base, "bg_color": Styles.FILLS[Role.PREFILLED], "align": "left",
         "num_format": number_format(tolerance, "%")})
    row(COVER.tolerance, "Amber tolerance", tolerance, tolerance_format)
    sheet.write_string(COVER.ready - 1, label_col, "Ready to submit", s.label)
    sheet.write_formula(COVER.ready - 1, value_col, READY_FORMULA, s.big, "NO")
    sheet.set_row(COVER.ready - 1, 22)
    for word, fill in (("YES", GREEN_FILL), ("NO", RED_FILL)):
        sheet.conditional_format(COVER.ready - 1, value_col, COVER.ready - 1, value_col, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": s.fill(fill)})

    due_by = f"{deadline:%A} {deadline.day} {deadline:%B %Y}"
    steps = (
        f"1. {_scope(dplan, quarter)} Work through the Measures, Actions, Savings and Risks "
        "sheets and type only in the yellow cells; everything else is locked.",
        "2. Measures: type this quarter's figure under Actual as a plain number (85.5 for "
        "85.5%). A Red or Amber measure needs a Commentary, and a Remedial action saying what "
        "will be done.",
        "3. Actions: choose a Status from the list and give % complete. At risk or Off track "
        "needs a Commentary. Give a Revised due date only if the date has moved, and say why.",
        "4. Savings: give the saving Delivered to date this year and the Forecast for the full "
        "year, in pounds, and choose a Status. A forecast below target needs a Commentary.",
        "5. Risks: score Likelihood and Impact as they stand now, from 1 (low) to 5 (high), and "
        "say what has been done under Mitigation update.",
        "6. Open the Checks sheet: it counts what is still missing or wrong, sheet by sheet. "
        "Fix each count shown in red until Ready to submit (above) shows YES.",
        f"7. Fill in the sign-off below (two different people), save the file as it is (same "
        f"name, .xlsx) and email it back by {due_by}.",
    )
    sheet.merge_range(11, 1, 11, 2, "How to fill it in", s.section)
    for offset, text in enumerate(steps):
        sheet.merge_range(12 + offset, 1, 12 + offset, 2, text, s.text)
        sheet.set_row(12 + offset, fitted_height([(text, _TEXT_WIDTH)]))
    keep = ("Please do not add, delete, move or rename rows, columns or sheets: the return is "
            "read automatically, and a changed layout is sent back.")
    sheet.merge_range(19, 1, 19, 2, keep, s.note)
    sheet.set_row(19, fitted_height([(keep, _TEXT_WIDTH)]))

    sheet.merge_range(21, 1, 21, 2, "Colour key", s.section)
    key = (
        (Role.INPUT, "Yellow: yours to fill in"),
        (Role.PREFILLED, "Grey: from the council's plan; locked"),
        (Role.DERIVED, "Blue: works itself out as you type (RAG, score, direction of travel)"),
    )
    for offset, (role, text) in enumerate(key):
        sheet.write_blank(22 + offset, 1, None, s.key[role])
        sheet.write_string(22 + offset, 2, text, s.text)
    rag = (f"RAG for measures and savings: Green on or better than target; Amber short of "
           f"target by no more than the amber tolerance ({_percent(tolerance)}, or the "
           "measure's own where shown); Red further off. Actions: On track or Complete Green, "
           "At risk Amber, Off track Red, Not started Red once its due date has passed.")
    risk = ("Risks: score = likelihood × impact. Red 15 or more, Amber 8 to 12, Green 6 or less. "
            "Direction of travel compares with last quarter.")
    for r0, text in ((25, rag), (26, risk)):
        sheet.merge_range(r0, 1, r0, 2, text, s.text)
        sheet.set_row(r0, fitted_height([(text, _TEXT_WIDTH)]))
    if settings.cover_note:
        sheet.merge_range(27, 1, 27, 2, settings.cover_note, s.note)
        sheet.set_row(27, fitted_height([(settings.cover_note, _TEXT_WIDTH)]))

    sheet.merge_range(29, 1, 29, 2, "Sign-off", s.section)
    for r1, label, prompt in (
        (COVER.completed_by, layout.COMPLETED_BY, "Name of the officer who completed the return."),
        (COVER.approved_by, layout.APPROVED_BY,
         "Name of the director or head of service who approved it (not the same person)."),
    ):
        sheet.write_string(r1 - 1, label_col, label, s.label)
        sheet.write_blank(r1 - 1, value_col, None, s.input_text)
        sheet.set_row(r1 - 1, row_points(1) + 2)
        sheet.data_validation(r1 - 1, value_col, r1 - 1, value_col, {
            "validate": "length", "criteria": "<=", "value": 200,
            "input_title": label, "input_message": prompt})
    sheet.write_string(COVER.signoff_date - 1, label_col, layout.SIGNOFF_DATE, s.label)
    sheet.write_blank(COVER.signoff_date - 1, value_col, None, s.input_date)
    sheet.set_row(COVER.signoff_date - 1, row_points(1) + 2)
    sheet.data_validation(COVER.signoff_date - 1, value_col, COVER.signoff_date - 1, value_col, {
        "validate": "date", "criteria": "between",
        "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2099, 12, 31),
        "input_title": "Date of sign-off",
        "input_message": "The date the return was approved, such as 14/07/2025.",
        "error_title": "Not a date", "error_message": "Type a date such as 14/07/2025."})
    sheet.set_portrait()
    sheet.set_paper(9)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 1)
    sheet.set_footer(f"&L{settings.council_name}: {dplan.directorate.name}&R{quarter}")


# ---------------------------------------------------------------------------------------------
# Checks


CHECKS_WIDTHS = (11, 50, 8, 20)  # Sheet, What is checked, Count, Rule code


def _data_refs(spec: layout.SheetLayout, rows: int) -> dict[str, str]:
    return {c.key: spec.range_of(c.key, rows) for c in spec.columns}


_SIGNOFF_ROWS = {"completed": COVER.completed_by, "approved": COVER.approved_by,
                 "date": COVER.signoff_date}
SIGNOFF_REFS = {key: COVER.ref(row) for key, row in _SIGNOFF_ROWS.items()}
SIGNOFF_CELLS = {key: COVER.cell(row) for key, row in _SIGNOFF_ROWS.items()}
_CHECK_ROWS = checks_rows()
#: YES when every count is 0; NO while any is not, or cannot be worked out. The Cover works it
#: out again rather than pointing at the Checks sheet's cell, so typing YES over that one cell
#: does not make the Cover say YES.
READY_FORMULA = (f'=IF(IFERROR(SUM(Checks!$C${FIRST_COUNT_ROW}:$C${LAST_COUNT_ROW}),1)=0,'
                 f'"YES","NO")')


def count_formula(group: tuple[inputs.Check, ...], counts: dict[str, int], quarter: Quarter
                  ) -> tuple[str, bool]:
    """The Checks count of one row and whether it is an array formula: each check's formula
    over its column's range, counted element by element (an error counts as no problem: the
    cell-error row counts it)."""
    sheet = group[0].sheet
    if sheet == Sheet.COVER:
        return "=" + "+".join(
            f"IFERROR(IF({inputs.formula_of(c, SIGNOFF_REFS, quarter.number)},1,0),0)"
            for c in group), False
    n = counts[sheet]
    if not n:
        return "=0", False
    refs = _data_refs(layout.SHEETS[sheet], n)
    return "{=" + "+".join(
        f"SUM(IFERROR(IF({inputs.formula_of(c, refs, quarter.number)},1,0),0))"
        for c in group) + "}", True


def write_checks(workbook: Any, sheet: Any, dplan: DirectoratePlan, ctx: Context, s: Styles,
                 counts: dict[str, int]) -> None:
    """The Checks sheet: one live count per (sheet, rule code), then Ready to submit."""
    quarter = ctx.quarter
    for col, width in enumerate(CHECKS_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.hide_gridlines(2)
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, Sheet.CHECKS.value, s.title)
    intro = ("Each line counts something still missing or wrong in this return, and updates as "
             "you type. Fix every count shown in red; when all are 0, Ready to submit (at the "
             "bottom, and on the Cover) shows YES. Click a sheet name to go to the column. The "
             "rule code is the one validate and the feedback use for the same problem.")
    width = sum(CHECKS_WIDTHS)
    sheet.merge_range(1, 0, 1, 3, intro, s.intro)
    sheet.set_row(1, fitted_height([(intro, width)]))
    headers = ("Sheet", "What is checked", "Count", "Rule code")
    for col, title in enumerate(headers):
        sheet.write_string(CHECKS_HEADER_ROW - 1, col, title, s.header)
    initial = initial_counts(dplan, quarter)
    r0 = CHECKS_HEADER_ROW
    for (name, code), group in _CHECK_ROWS.items():
        first = group[0]
        if name == Sheet.COVER:
            target = f"'{Sheet.COVER.value}'!{SIGNOFF_CELLS[first.column]}"
        else:
            spec = layout.SHEETS[name]
            target = f"'{name}'!{spec.letter(first.column)}{FIRST_DATA_ROW}"
        formula, array = count_formula(group, counts, quarter)
        cached = initial.get((name, code), 0)
        sheet.write_url(r0, 0, f"internal:{target}", s.link, name)
        sheet.write_string(r0, 1, first.label, s.text)
        if array:
            sheet.write_array_formula(r0, 2, r0, 2, formula, s.count, cached)
        else:
            sheet.write_formula(r0, 2, formula, s.count, cached)
        sheet.write_string(r0, 3, code, s.small)
        r0 += 1
    assert r0 == LAST_COUNT_ROW
    sheet.write_string(READY_ROW - 1, 1, "Ready to submit", s.label)
    sheet.write_formula(READY_ROW - 1, 2, READY_FORMULA, s.big, "NO")
    sheet.set_row(READY_ROW - 1, 22)
    for word, fill in (("YES", GREEN_FILL), ("NO", RED_FILL)):
        sheet.conditional_format(READY_ROW - 1, 2, READY_ROW - 1, 2, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": s.fill(fill)})
    sheet.conditional_format(FIRST_COUNT_ROW - 1, 2, LAST_COUNT_ROW - 1, 2, {
        "type": "cell", "criteria": ">", "value": 0,
        "format": s.fill(RED_FILL, font_color=RED_FONT)})
    workbook.define_name("ReadyToSubmit", f"=Checks!$C${READY_ROW}")
    sheet.set_portrait()
    sheet.set_paper(9)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 1)
    sheet.set_footer(f"&L{dplan.plan.settings.council_name}: {dplan.directorate.name}"
                     f"&R{quarter}")


def initial_counts(dplan: DirectoratePlan, quarter: Quarter) -> dict[tuple[str, str], int]:
    """The Checks counts of a blank return: cached values for programs that do not recalculate."""
    due = sum(1 for m in dplan.measures if m.is_due(quarter))
    return {
        (Sheet.MEASURES.value, "value-missing"): due,
        (Sheet.ACTIONS.value, "value-missing"): len(dplan.actions),
        (Sheet.SAVINGS.value, "value-missing"): 2 * len(dplan.savings),
        (Sheet.RISKS.value, "value-missing"): 2 * len(dplan.risks),
        (Sheet.COVER.value, "signoff-missing"): 2,
        (Sheet.COVER.value, "signoff-date"): 1,
    }
