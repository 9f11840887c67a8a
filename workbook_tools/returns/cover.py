"""The return's Cover (what it is, the deadline, how to fill it in, the sign-off) and its Checks
sheet (live counts of what is missing or wrong, and Ready to submit)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from workbook_tools.plan.register import DirectoratePlan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.layout import COVER, FIRST_DATA_ROW, Context, CoverCells, Role
from workbook_tools.returns.style import Styles, fitted_height, number_format, row_points

GREEN_FILL, RED_FILL, RED_FONT = "#C6EFCE", "#FFC7CE", "#9C0006"

__all__ = ["COVER", "CoverCells", "write_checks", "write_cover"]

COVER_WIDTHS = (2, 24, 72, 2)  # columns A to D
_TEXT_WIDTH = COVER_WIDTHS[1] + COVER_WIDTHS[2]  # the merged B:C


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _quarter_label(quarter: Quarter) -> str:
    year = quarter.start_date.year
    return f"{quarter}: {quarter.months} {year}"


def _percent(value: float) -> str:
    return f"{value:g}%"


def _scope(dplan: DirectoratePlan, quarter: Quarter) -> str:
    due = sum(1 for m in dplan.measures if m.is_due(quarter))
    not_due = len(dplan.measures) - due
    measures = _plural(due, "measure")
    if not_due:
        measures += f" ({not_due} more {'is' if not_due == 1 else 'are'} annual, due in Q4)"
    return (f"This return asks about {measures}, {_plural(len(dplan.actions), 'action')}, "
            f"{_plural(len(dplan.savings), 'savings line')} and "
            f"{_plural(len(dplan.risks), 'risk')}.")


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

    def row(r1: int, label: str, value: Any, fmt: Any) -> None:
        sheet.write_string(r1 - 1, 1, label, s.label)
        if isinstance(value, dt.date):
            sheet.write_datetime(r1 - 1, 2, dt.datetime.combine(value, dt.time()), fmt)
        elif isinstance(value, int | float):
            sheet.write_number(r1 - 1, 2, value, fmt)
        else:
            sheet.write_string(r1 - 1, 2, str(value), fmt)

    row(4, "Council", settings.council_name, s.value)
    row(5, "Directorate", f"{dplan.directorate.name} ({dplan.directorate.code})", s.value)
    row(6, "Quarter", _quarter_label(quarter), s.value)
    row(COVER.quarter_end, "Quarter ends", quarter.end_date, s.value_date)
    row(COVER.deadline, "Return deadline", deadline, s.deadline)
    sheet.set_row(COVER.deadline - 1, 18)
    tolerance_format = workbook.add_format(
        {**s.base, "bg_color": Styles.FILLS[Role.PREFILLED], "align": "left",
         "num_format": number_format(tolerance, "%")})
    row(COVER.tolerance, "Amber tolerance", tolerance, tolerance_format)
    sheet.write_string(COVER.ready - 1, 1, "Ready to submit", s.label)
    sheet.write_formula(COVER.ready - 1, 2, "=ReadyToSubmit", s.big, "NO")
    sheet.set_row(COVER.ready - 1, 22)
    for word, fill in (("YES", GREEN_FILL), ("NO", RED_FILL)):
        sheet.conditional_format(COVER.ready - 1, 2, COVER.ready - 1, 2, {
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
        sheet.write_string(r1 - 1, 1, label, s.label)
        sheet.write_blank(r1 - 1, 2, None, s.input_text)
        sheet.set_row(r1 - 1, row_points(1) + 2)
        sheet.data_validation(r1 - 1, 2, r1 - 1, 2, {
            "validate": "length", "criteria": "<=", "value": 200,
            "input_title": label, "input_message": prompt})
    sheet.write_string(COVER.signoff_date - 1, 1, layout.SIGNOFF_DATE, s.label)
    sheet.write_blank(COVER.signoff_date - 1, 2, None, s.input_date)
    sheet.set_row(COVER.signoff_date - 1, row_points(1) + 2)
    sheet.data_validation(COVER.signoff_date - 1, 2, COVER.signoff_date - 1, 2, {
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
CHECKS_HEADER_ROW = 4  # 1-based


def _column_checked(check: layout.Check, quarter: Quarter) -> str:
    """The input column a check is about: the first input its formula reads."""
    spec = layout.SHEETS[check.sheet]
    keys: list[str] = []

    def record(key: str) -> str:
        keys.append(key)
        return "X"

    check.formula(record, quarter.end_date, quarter.number)
    return next((k for k in keys if spec.column(k).is_input), spec.inputs[0].key)


def _range(spec: layout.SheetLayout, rows: int, key: str) -> str:
    return spec.range_of(key, rows)


def write_checks(workbook: Any, sheet: Any, dplan: DirectoratePlan, ctx: Context, s: Styles,
                 counts: dict[str, int]) -> None:
    """The Checks sheet: one live count per (sheet, rule code), then Ready to submit."""
    quarter = ctx.quarter
    for col, width in enumerate(CHECKS_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.hide_gridlines(2)
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, "Checks", s.title)
    intro = ("Each line counts something still missing or wrong in this return, and updates as "
             "you type. Fix every count shown in red; when all are 0, Ready to submit (at the "
             "bottom, and on the Cover) shows YES. Click a sheet name to go to the column.")
    width = sum(CHECKS_WIDTHS)
    sheet.merge_range(1, 0, 1, 3, intro, s.intro)
    sheet.set_row(1, fitted_height([(intro, width)]))
    headers = ("Sheet", "What is checked", "Count", "Rule code")
    for col, title in enumerate(headers):
        sheet.write_string(CHECKS_HEADER_ROW - 1, col, title, s.header)
    initial = initial_counts(dplan, quarter)
    r0 = CHECKS_HEADER_ROW
    for check in layout.CHECKS:
        spec = layout.SHEETS[check.sheet]
        n = counts[check.sheet]
        formula = "=0"
        if n:
            formula = "=" + check.formula(
                partial(_range, spec, n), quarter.end_date, quarter.number)
        target = f"'{check.sheet}'!{spec.letter(_column_checked(check, quarter))}" \
                 f"{FIRST_DATA_ROW}"
        sheet.write_url(r0, 0, f"internal:{target}", s.link, check.sheet)
        sheet.write_string(r0, 1, check.label, s.text)
        sheet.write_formula(r0, 2, formula, s.count, initial.get((check.sheet, check.code), 0))
        sheet.write_string(r0, 3, check.code, s.small)
        r0 += 1
    completed, approved, signed = (COVER.ref(COVER.completed_by), COVER.ref(COVER.approved_by),
                                   COVER.ref(COVER.signoff_date))
    signoff_formulas = {
        "signoff-missing": f"=(LEN(TRIM({completed}))=0)+(LEN(TRIM({approved}))=0)",
        "signoff-same-person": (f"=IF(AND(LEN(TRIM({completed}))>0,"
                                f"LOWER(TRIM({completed}))=LOWER(TRIM({approved}))),1,0)"),
        "signoff-date": f"=IF(ISNUMBER({signed}),0,1)",
    }
    for code, label in layout.SIGNOFF_CHECKS:
        sheet.write_url(r0, 0, f"internal:'Cover'!C{COVER.completed_by}", s.link, "Cover")
        sheet.write_string(r0, 1, label, s.text)
        sheet.write_formula(r0, 2, signoff_formulas[code], s.count,
                            initial.get(("Cover", code), 0))
        sheet.write_string(r0, 3, code, s.small)
        r0 += 1
    last = r0  # 1-based row of the last count
    sheet.write_string(r0 + 1, 1, "Ready to submit", s.label)
    sheet.write_formula(r0 + 1, 2, f'=IF(SUM(C{CHECKS_HEADER_ROW + 1}:C{last})=0,"YES","NO")',
                        s.big, "NO")
    sheet.set_row(r0 + 1, 22)
    for word, fill in (("YES", GREEN_FILL), ("NO", RED_FILL)):
        sheet.conditional_format(r0 + 1, 2, r0 + 1, 2, {
            "type": "cell", "criteria": "==", "value": f'"{word}"', "format": s.fill(fill)})
    sheet.conditional_format(CHECKS_HEADER_ROW, 2, last - 1, 2, {
        "type": "cell", "criteria": ">", "value": 0,
        "format": s.fill(RED_FILL, font_color=RED_FONT)})
    workbook.define_name("ReadyToSubmit", f"=Checks!$C${r0 + 2}")
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
        ("Measures", "value-missing"): due,
        ("Actions", "value-missing"): len(dplan.actions),
        ("Savings", "value-missing"): 2 * len(dplan.savings),
        ("Risks", "value-missing"): 2 * len(dplan.risks),
        ("Cover", "signoff-missing"): 2,
        ("Cover", "signoff-date"): 1,
    }
