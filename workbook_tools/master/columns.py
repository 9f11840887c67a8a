"""The master workbook's sheets and column headers (SPEC section 8), shared by the master,
the summaries and export. Header in row 1; one row per item per quarter."""

from __future__ import annotations

from enum import StrEnum

from workbook_tools.returns import layout
from workbook_tools.returns.layout import Sheet


class MasterSheet(StrEnum):
    """The master's sheets, in their order. The item sheets are the return's (layout's `Sheet`):
    their names are taken from there, not restated."""

    SUBMISSIONS = "Submissions"
    MEASURES = Sheet.MEASURES.value
    ACTIONS = Sheet.ACTIONS.value
    SAVINGS = Sheet.SAVINGS.value
    RISKS = Sheet.RISKS.value
    VALIDATION = "Validation"
    NARRATIVE = "Narrative"
    PERIODS = "Periods"
    CORRECTIONS = "Corrections"
    LOG = "Log"


QUARTER, DIRECTORATE = "Quarter", "Directorate"  # the first two columns of every item sheet

SUBMISSIONS = (QUARTER, DIRECTORATE, "Directorate name", "Status", "File", "SHA-256",
               "Received", "Errors", "Warnings", "Completed by", "Approved by", "Sign-off date")

# The item sheets' columns come from the return's layout (each column's `master_header`, in the
# return's order); only the columns the master alone holds are declared here, after the return
# column (by its layout key) they follow.
THEME, OBJECTIVE_CODE = "Theme", "Objective code"  # from the register, by the item's objective
YEAR_ON_YEAR = "Compared with a year ago"  # against the same quarter last year, every measure

FINANCE_COLUMNS = ("Finance confirmed (£)", "Finance adjustment (£)", "Finance status",
                   "Finance note")
LEDGER = "Ledger (£)"
LEDGER_VARIANCE = "Ledger variance (£)"  # Ledger - Delivered to date
LEDGER_VARIANCE_TO_FINANCE = "Ledger variance to finance (£)"  # Ledger - Finance confirmed
LEDGER_COLUMNS = (LEDGER, LEDGER_VARIANCE, LEDGER_VARIANCE_TO_FINANCE)
ORPHANED = "Orphaned"  # why a row holds finance's entries but no return figures

MASTER_ONLY: dict[str, dict[str, tuple[str, ...]]] = {
    MasterSheet.MEASURES: {"id": (THEME, OBJECTIVE_CODE), "direction": (YEAR_ON_YEAR,)},
    MasterSheet.ACTIONS: {"id": (THEME, OBJECTIVE_CODE)},
    MasterSheet.SAVINGS: {"id": (THEME, OBJECTIVE_CODE),
                          "commentary": (*FINANCE_COLUMNS, *LEDGER_COLUMNS, ORPHANED)},
    MasterSheet.RISKS: {},
}


def item_sheet(spec: layout.SheetLayout, after: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """An item sheet's headers: Quarter, Directorate, then the return's columns the master
    keeps, each followed by the master's own columns declared `after` it."""
    unknown = set(after) - {c.key for c in spec.columns}
    if unknown:
        raise KeyError(f"{spec.name} has no column {sorted(unknown)}")
    headers = [QUARTER, DIRECTORATE]
    for column in spec.columns:
        if column.master_header is not None:
            headers.append(column.master_header)
        headers.extend(after.get(column.key, ()))
    return tuple(headers)


MEASURES = item_sheet(layout.MEASURES, MASTER_ONLY[MasterSheet.MEASURES])
ACTIONS = item_sheet(layout.ACTIONS, MASTER_ONLY[MasterSheet.ACTIONS])
SAVINGS = item_sheet(layout.SAVINGS, MASTER_ONLY[MasterSheet.SAVINGS])
RISKS = item_sheet(layout.RISKS, MASTER_ONLY[MasterSheet.RISKS])

VALIDATION = ("Quarter", "Severity", "File", "Directorate", "Sheet", "Cell", "Rule", "Message")

NARRATIVE = ("Quarter", "Section", "Key message")  # the performance team's: Overview, a theme or
# a directorate code, and its key message for the Cabinet pack

PERIODS = ("Quarter", "Status", "When", "Who", "Reason")

CORRECTIONS = ("Quarter", "Sheet", "ID", "Column", "Was", "Now", "When", "Reason")

LOG = ("When", "Who", "Tool version", "Quarter", "Accepted", "Rejected", "Files", "Ledger")

SHEETS: dict[str, tuple[str, ...]] = {
    MasterSheet.SUBMISSIONS: SUBMISSIONS, MasterSheet.MEASURES: MEASURES,
    MasterSheet.ACTIONS: ACTIONS, MasterSheet.SAVINGS: SAVINGS, MasterSheet.RISKS: RISKS,
    MasterSheet.VALIDATION: VALIDATION, MasterSheet.NARRATIVE: NARRATIVE,
    MasterSheet.PERIODS: PERIODS, MasterSheet.CORRECTIONS: CORRECTIONS, MasterSheet.LOG: LOG,
}

#: Sheets a master written before them does not have: read as empty, written from then on.
ITEM_SHEETS = tuple(layout.SHEETS)  # the return's data sheets, one row per item per quarter
ADDED_SHEETS = (MasterSheet.NARRATIVE, MasterSheet.PERIODS, MasterSheet.CORRECTIONS)

#: Columns a master written before them does not have (0.1.0 wrote none of these): read as
#: blank, written from then on, so a master from an earlier version is still consolidated.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    MasterSheet.MEASURES: ("Measure type", "Data status", YEAR_ON_YEAR),
}

#: Sheets whose rows are not replaced quarter by quarter: every consolidate keeps them all.
KEPT_WHOLE = (MasterSheet.NARRATIVE, MasterSheet.PERIODS, MasterSheet.CORRECTIONS, MasterSheet.LOG)

#: Sheets whose every cell is people's own work: written back as read, row for row, with their
#: formulas, comments and formats (no run fills them).
PEOPLES_OWN = (MasterSheet.NARRATIVE,)

#: Sheets that may carry columns people added, kept in their place.
OPEN_COLUMNS = (MasterSheet.SAVINGS, MasterSheet.NARRATIVE)

#: The ID column of each item sheet.
ID_COLUMNS = {name: str(spec.columns[0].master_header) for name, spec in layout.SHEETS.items()}

# What each column holds, for number formats and widths (the same header means the same kind on
# every sheet): money (£), points (a percentage as 0-100), date, datetime, integer, number,
# longtext (wrapped), rag (Green/Amber/Red), code (a long identifier such as a SHA-256), text.
# A return's column has the kind its layout gives it, shown in the master as below; only the
# master's own columns are declared here by header.
_SHOWN_AS = {layout.Kind.TEXT: "text", layout.Kind.LONGTEXT: "longtext",
             layout.Kind.NUMBER: "number", layout.Kind.MONEY: "money",
             layout.Kind.PERCENT: "points", layout.Kind.DATE: "date",
             layout.Kind.CHOICE: "text", layout.Kind.SCORE: "integer"}
#: Return columns the master shows otherwise than their kind, by (sheet, layout key): the RAG
#: coloured, a risk's scores as whole numbers.
_SHOWN_OTHERWISE = {**{(sheet, "rag"): "rag" for sheet in layout.SHEETS},
                    (Sheet.RISKS, "previous"): "integer", (Sheet.RISKS, "score"): "integer"}


def _return_kinds() -> dict[str, str]:
    kinds: dict[str, str] = {}
    for sheet, spec in layout.SHEETS.items():
        for column in spec.in_master:
            kind = _SHOWN_OTHERWISE.get((sheet, column.key)) or _SHOWN_AS[column.kind]
            header = str(column.master_header)
            if kinds.setdefault(header, kind) != kind:
                raise ValueError(f"the master's {header} is {kind} on {sheet} but "
                                 f"{kinds[header]} on another sheet")
    return kinds


KINDS: dict[str, str] = {
    **_return_kinds(),
    **{header: "money" for header in (*FINANCE_COLUMNS[:2], *LEDGER_COLUMNS)},
    "Sign-off date": "date", "Received": "datetime", "When": "datetime",
    "Errors": "integer", "Warnings": "integer", "Accepted": "integer", "Rejected": "integer",
    **{header: "longtext" for header in ("Finance note", "Message", "Files", "Reason",
                                         "Key message")},
    "SHA-256": "code",
}
MONEY = tuple(header for header, kind in KINDS.items() if kind == "money")


def kind_of(header: str) -> str:
    """The kind of a column by its header ('text' when it is not listed)."""
    return KINDS.get(header, "text")


# The tool's own look of the master's columns (what people's formats are told apart from).
FINANCE_FILL = "#E2EFDA"  # finance's own columns: pale green
FINANCE_HEADER = "#375623"
LEDGER_FILL = "#EDEDED"
NUMBER_FORMATS = {
    "money": '"£"#,##0;[Red]-"£"#,##0',
    "points": '0"%"',
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
    "integer": "0",
    "number": "General",
}


def column_style(sheet: str, header: str) -> tuple[str | None, str]:
    """The tool's own fill and number format for a column (what people's formats are told apart
    from)."""
    shade = None
    if sheet == MasterSheet.SAVINGS and (header not in SAVINGS or header in FINANCE_COLUMNS):
        shade = FINANCE_FILL
    elif sheet == MasterSheet.SAVINGS and header in LEDGER_COLUMNS:
        shade = LEDGER_FILL
    return shade, NUMBER_FORMATS.get(kind_of(header), "General")
