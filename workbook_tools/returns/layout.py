"""One declarative description of the return workbook.

Generation, reading, validation, the master and the simulator all read this description, so
adding a column is one change here: each data sheet's columns (header, role, kind, width, list of
choices, formula, where a pre-filled value comes from, the master's header), the Cover's cells
and the hidden _meta sheet. What a column and a sheet are, and where their cells sit, is
sheetlayout.py; its names are exported from here too, so callers import this module alone.

Formulas are templates: `{key}` becomes the same row's cell for the column with that key
(`K5`), `{row}` the row number. Workbook-level names (`QuarterEnd`, `AmberTolerance`) point to
cells on the Cover.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook_tools.files.cells import column_letter
from workbook_tools.returns import rules, sources
from workbook_tools.returns.rules.values import x_is
from workbook_tools.returns.sheetlayout import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    Column,
    Context,
    Kind,
    Role,
    Sheet,
    SheetLayout,
)

__all__ = [
    "ACTIONS", "APPROVED_BY", "COMPLETED_BY", "COVER", "COVER_LABEL_COL", "COVER_VALUE_COL",
    "DATA_SHEETS", "FIRST_DATA_ROW", "HEADER_ROW", "LISTS_SHEET", "MEASURES", "MEASURE_DIRECTION",
    "MEASURE_RAG", "META_KEYS", "META_SHEET", "META_TABLE_ROW", "NOTHING_ON_SHEET", "NOT_DUE",
    "RETURN_MARKER", "RISKS", "SAVINGS", "SHEETS", "SHEET_ORDER", "SIGNOFF_DATE", "SIGNOFF_FIELDS",
    "Column", "Context", "CoverCells", "Kind", "Role", "Sheet", "SheetLayout",
]

#: The one line on a data sheet that has no items for the directorate (in A, below the header).
NOTHING_ON_SHEET = "Nothing for your directorate on this sheet this quarter."


META_SHEET, LISTS_SHEET = Sheet.META.value, Sheet.LISTS.value
SHEET_ORDER = tuple(s.value for s in Sheet if s is not Sheet.LISTS)
DATA_SHEETS = tuple(s.value for s in (Sheet.MEASURES, Sheet.ACTIONS, Sheet.SAVINGS, Sheet.RISKS))

NOT_DUE = "Not due this quarter"


P, I, D = Role.PREFILLED, Role.INPUT, Role.DERIVED  # noqa: E741

# A % measure's actual, read by the one percentage rule (rules.percent_points): times 100 when
# the cell has a percentage format (100% typed is 1) or, without one, when between 0 and 1.
_PCT = ('IF(AND({unit}="%",ISNUMBER({actual})),IF(LEFT(CELL("format",{actual}),1)="P",'
        '{actual}*100,IF(AND({actual}>0,{actual}<1),{actual}*100,{actual})),{actual})')


def _status_is(text: str) -> str:
    """The row's status is the list entry `text`, as validate reads it (rules.values.x_is)."""
    return x_is("{status}", text)


_NOT_AVAILABLE = _status_is(rules.NOT_AVAILABLE)

# No RAG for a Data only measure or a figure marked Not available (rules.measure_rag's callers).
MEASURE_RAG = (
    'IF(OR(NOT(ISNUMBER({actual})),NOT(ISNUMBER({target})),{type}="Data only",'
    + _NOT_AVAILABLE + '),"",'
    'IF({polarity}="Lower is better",'
    'IF(§<={target},"Green",IF(§<={target}*(1+{tolerance}/100),"Amber","Red")),'
    'IF(§>={target},"Green",IF(§>={target}*(1-{tolerance}/100),"Amber","Red"))))'
).replace("§", _PCT)
# A Cumulative measure's previous figure is the same quarter last year (rules.measure_direction).
MEASURE_DIRECTION = (
    'IF(OR(NOT(ISNUMBER({actual})),' + _NOT_AVAILABLE + '),"",'
    'IF(NOT(ISNUMBER({previous})),IF({type}="Cumulative","Not comparable","New"),'
    'IF(§={previous},"No change",IF((§>{previous})=({polarity}<>"Lower is better"),'
    '"Improved","Declined"))))'
).replace("§", _PCT)

MEASURES = SheetLayout(
    name=Sheet.MEASURES.value,
    items="measures",
    title="Performance measures",
    intro=("Type this quarter's actual for each measure that is due. RAG and direction of travel "
           "work themselves out. Red or Amber needs a commentary. A Cumulative measure is year to "
           "date, compared with the same quarter last year; a Data only measure has no target. "
           "If a figure is late, choose Not available and say why and when."),
    columns=(
        Column("id", "Measure ID", P, Kind.TEXT, 10, source="id"),
        Column("objective", "Objective", P, Kind.LONGTEXT, 20, source=sources.objective),
        Column("name", "Measure", P, Kind.LONGTEXT, 32, source="name"),
        Column("unit", "Unit", P, Kind.TEXT, 6.5, source="unit"),
        Column("polarity", "Polarity", P, Kind.TEXT, 9.5, source="polarity"),
        Column("frequency", "Frequency", P, Kind.TEXT, 10, source="frequency"),
        Column("type", "Measure type", P, Kind.TEXT, 10, source="measure_type"),
        Column("target", "Target", P, Kind.NUMBER, 9, source=sources.measure_target),
        Column("tolerance", "Amber tolerance (%)", P, Kind.NUMBER, 9,
               source=sources.measure_tolerance),
        Column("previous", "Previous actual", P, Kind.NUMBER, 9,
               source=sources.measure_previous),
        Column("actual", "Actual", I, Kind.NUMBER, 10,
               prompt="Type the actual for this quarter as a number. For a % measure type 85.5 "
                      "for 85.5%."),
        Column("status", "Data status", I, Kind.CHOICE, 11, choices=rules.DATA_STATUSES,
               prompt="Leave blank for a final figure. Provisional: the figure may change. Not "
                      "available: leave Actual blank and say why, and when it will be, in the "
                      "commentary."),
        Column("rag", "RAG", D, Kind.TEXT, 7.5, formula=MEASURE_RAG),
        Column("direction", "Direction of travel", D, Kind.TEXT, 10,
               formula=MEASURE_DIRECTION),
        Column("commentary", "Commentary", I, Kind.LONGTEXT, 32,
               prompt="Explain the figure. Required when the RAG is Red or Amber."),
        Column("remedial", "Remedial action", I, Kind.LONGTEXT, 27,
               prompt="For a Red or Amber measure: what will be done to bring it back on "
                      "track, and by when."),
    ),
)

ACTIONS = SheetLayout(
    name=Sheet.ACTIONS.value,
    items="actions",
    title="Delivery plan actions",
    intro=("Choose a status for every action and give % complete. At risk or Off track needs a "
           "commentary. Give a revised due date only if the date has moved."),
    columns=(
        Column("id", "Action ID", P, Kind.TEXT, 10, source="id"),
        Column("objective", "Objective", P, Kind.LONGTEXT, 22, source=sources.objective),
        Column("name", "Action", P, Kind.LONGTEXT, 38, source="name"),
        Column("lead", "Lead officer", P, Kind.TEXT, 18, source="lead_officer"),
        Column("due", "Due date", P, Kind.DATE, 10.5, source="due_date"),
        Column("status", "Status", I, Kind.CHOICE, 11.5, choices=rules.ACTION_STATUSES,
               prompt="Choose from the list."),
        Column("complete", "% complete", I, Kind.PERCENT, 9.5,
               prompt="A whole number from 0 to 100."),
        Column("revised", "Revised due date", I, Kind.DATE, 10.5,
               prompt="Only if the due date has moved: a date such as 31/03/2026. Say why in the "
                      "commentary."),
        Column("rag", "RAG", D, Kind.TEXT, 8, formula=(
            f'IF(OR({_status_is("On track")},{_status_is("Complete")}),"Green",'
            f'IF({_status_is("At risk")},"Amber",IF({_status_is("Off track")},"Red",'
            f'IF(AND({_status_is("Not started")},'
            'IF(ISNUMBER({revised}),{revised},{due})<QuarterEnd),"Red",""))))')),
        Column("commentary", "Commentary", I, Kind.LONGTEXT, 42,
               prompt="Progress this quarter. Required for At risk or Off track."),
    ),
)

SAVINGS = SheetLayout(
    name=Sheet.SAVINGS.value,
    items="savings",
    title="Savings programme",
    intro=("Give the saving delivered so far this year and your forecast for the full year, in "
           "pounds. A forecast below target needs a commentary."),
    columns=(
        Column("id", "Saving ID", P, Kind.TEXT, 10, source="id"),
        Column("objective", "Objective", P, Kind.LONGTEXT, 20, source=sources.objective),
        Column("name", "Saving proposal", P, Kind.LONGTEXT, 34, source="name"),
        Column("type", "Type", P, Kind.TEXT, 10, source=sources.saving_type),
        Column("target", "Target (£)", P, Kind.MONEY, 12, source="target"),
        Column("previous", "Delivered last quarter (£)", P, Kind.MONEY, 12, master=None,
               source=sources.saving_previous),
        Column("delivered", "Delivered to date (£)", I, Kind.MONEY, 12,
               prompt="Saving delivered so far this financial year, in pounds (no £ sign needed)."),
        Column("forecast", "Forecast (£)", I, Kind.MONEY, 12,
               prompt="Forecast for the full financial year, in pounds."),
        Column("variance", "Forecast variance (£)", D, Kind.MONEY, 12,
               formula='IF(ISNUMBER({forecast}),{forecast}-{target},"")'),
        Column("status", "Status", I, Kind.CHOICE, 12, choices=rules.SAVING_STATUSES,
               prompt="Choose from the list."),
        Column("rag", "RAG", D, Kind.TEXT, 8, formula=(
            'IF(' + _status_is("Unachievable") + ',"Red",'
            'IF(NOT(ISNUMBER({forecast})),"",IF({forecast}>={target},"Green",'
            'IF({forecast}>={target}*(1-AmberTolerance/100),"Amber","Red"))))')),
        Column("commentary", "Commentary", I, Kind.LONGTEXT, 36,
               prompt="Required when the forecast is below target: why, and what mitigates it."),
    ),
)

RISKS = SheetLayout(
    name=Sheet.RISKS.value,
    items="risks",
    title="Strategic risks",
    intro=("Score each risk as it stands now: likelihood and impact from 1 (low) to 5 (high). "
           "Score and RAG work themselves out. Say what has been done to mitigate it."),
    columns=(
        Column("id", "Risk ID", P, Kind.TEXT, 8, source="id"),
        Column("name", "Risk", P, Kind.LONGTEXT, 44, source="name"),
        Column("owner", "Owner", P, Kind.TEXT, 22, source="owner"),
        Column("previous", "Previous score", P, Kind.NUMBER, 9, source=sources.risk_previous),
        Column("likelihood", "Likelihood (1-5)", I, Kind.SCORE, 10.5,
               prompt="1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost certain.",
               master="Likelihood"),
        Column("impact", "Impact (1-5)", I, Kind.SCORE, 9.5,
               prompt="1 negligible, 2 minor, 3 moderate, 4 major, 5 severe.", master="Impact"),
        Column("score", "Score", D, Kind.NUMBER, 7, formula=(
            # only for whole numbers from 1 to 5, as rules.risk_score: no score beside a 7
            'IF(AND(ISNUMBER({likelihood}),ISNUMBER({impact})),'
            'IF(AND({likelihood}>=1,{likelihood}<=5,{likelihood}=INT({likelihood}),'
            '{impact}>=1,{impact}<=5,{impact}=INT({impact})),{likelihood}*{impact},""),"")')),
        Column("rag", "RAG", D, Kind.TEXT, 8, formula=(
            'IF(ISNUMBER({score}),IF({score}>=15,"Red",IF({score}>=8,"Amber","Green")),"")')),
        Column("direction", "Direction", D, Kind.TEXT, 10, formula=(
            'IF(NOT(ISNUMBER({score})),"",IF(NOT(ISNUMBER({previous})),"New",'
            'IF({score}={previous},"No change",IF({score}<{previous},"Improved","Declined"))))')),
        Column("mitigation", "Mitigation update", I, Kind.LONGTEXT, 44,
               prompt="What has been done this quarter to reduce the risk."),
    ),
)

SHEETS: dict[str, SheetLayout] = {s.name: s for s in (MEASURES, ACTIONS, SAVINGS, RISKS)}


# ---------------------------------------------------------------------------------------------
# The Cover: labels in column B, values in column C. Sign-off inputs are found by their label.

COMPLETED_BY = "Completed by"
APPROVED_BY = "Approved by"
SIGNOFF_DATE = "Date"
SIGNOFF_FIELDS = (COMPLETED_BY, APPROVED_BY, SIGNOFF_DATE)


# ---------------------------------------------------------------------------------------------
# The Cover's value cells and the hidden _meta sheet (read by returns/read.py without importing the
# writers, so validate starts quickly).


@dataclass(frozen=True)
class CoverCells:
    """Where the Cover's cells sit: 1-based rows, labels in column B, values in column C.

    The Cover (cover.py) is written from these; validation (read.py, locked.py), the feedback
    and the simulator find its values by them."""

    council: int = 4
    directorate: int = 5
    quarter: int = 6
    quarter_end: int = 7
    deadline: int = 8
    tolerance: int = 9
    ready: int = 10
    completed_by: int = 31
    approved_by: int = 32
    signoff_date: int = 33
    label_col: int = 1  # B (0-based)
    value_col: int = 2  # C (0-based)

    def cell(self, row: int) -> str:
        """A value's cell on the Cover, such as C31."""
        return f"{column_letter(self.value_col)}{row}"

    def ref(self, row: int) -> str:
        """A value's absolute reference from another sheet, such as Cover!$C$31."""
        return f"{Sheet.COVER.value}!${column_letter(self.value_col)}${row}"


COVER = CoverCells()
COVER_LABEL_COL, COVER_VALUE_COL = COVER.label_col, COVER.value_col


META_TABLE_ROW = 20  # 1-based row where _meta's per-row table header sits
META_KEYS = (
    "Return",
    "Template version",
    "Tool version",
    "Council",
    "Directorate",
    "Directorate name",
    "Quarter",
    "Generated",
    "Fingerprint",
)
RETURN_MARKER = "workbook-tools quarterly return"
