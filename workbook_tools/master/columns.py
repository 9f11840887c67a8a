"""The master workbook's sheets and column headers (SPEC section 8), shared by the master,
the summaries and export. Header in row 1; one row per item per quarter."""

from __future__ import annotations

SUBMISSIONS = ("Quarter", "Directorate", "Directorate name", "Status", "File", "SHA-256",
               "Received", "Errors", "Warnings", "Completed by", "Approved by", "Sign-off date")

YEAR_ON_YEAR = "Compared with a year ago"  # against the same quarter last year, every measure
MEASURES = ("Quarter", "Directorate", "Measure ID", "Theme", "Objective code", "Objective",
            "Measure", "Unit", "Polarity", "Frequency", "Measure type", "Target",
            "Amber tolerance (%)", "Previous actual", "Actual", "Data status", "RAG",
            "Direction of travel", YEAR_ON_YEAR, "Commentary", "Remedial action")

ACTIONS = ("Quarter", "Directorate", "Action ID", "Theme", "Objective code", "Objective",
           "Action", "Lead officer", "Due date", "Status", "% complete", "Revised due date", "RAG",
           "Commentary")

FINANCE_COLUMNS = ("Finance confirmed (£)", "Finance adjustment (£)", "Finance status",
                   "Finance note")
LEDGER = "Ledger (£)"
LEDGER_VARIANCE = "Ledger variance (£)"  # Ledger - Delivered to date
LEDGER_VARIANCE_TO_FINANCE = "Ledger variance to finance (£)"  # Ledger - Finance confirmed
LEDGER_COLUMNS = (LEDGER, LEDGER_VARIANCE, LEDGER_VARIANCE_TO_FINANCE)
ORPHANED = "Orphaned"  # why a row holds finance's entries but no return figures

SAVINGS = ("Quarter", "Directorate", "Saving ID", "Theme", "Objective code", "Objective",
           "Saving proposal", "Type", "Target (£)", "Delivered to date (£)", "Forecast (£)",
           "Forecast variance (£)", "Status", "RAG", "Commentary", *FINANCE_COLUMNS,
           *LEDGER_COLUMNS, ORPHANED)

RISKS = ("Quarter", "Directorate", "Risk ID", "Risk", "Owner", "Previous score", "Likelihood",
         "Impact", "Score", "RAG", "Direction", "Mitigation update")

VALIDATION = ("Quarter", "Severity", "File", "Directorate", "Sheet", "Cell", "Rule", "Message")

NARRATIVE = ("Quarter", "Section", "Key message")  # the performance team's: Overview, a theme or
# a directorate code, and its key message for the Cabinet pack

PERIODS = ("Quarter", "Status", "When", "Who", "Reason")

CORRECTIONS = ("Quarter", "Sheet", "ID", "Column", "Was", "Now", "When", "Reason")

LOG = ("When", "Who", "Tool version", "Quarter", "Accepted", "Rejected", "Files", "Ledger")

SHEETS: dict[str, tuple[str, ...]] = {
    "Submissions": SUBMISSIONS, "Measures": MEASURES, "Actions": ACTIONS, "Savings": SAVINGS,
    "Risks": RISKS, "Validation": VALIDATION, "Narrative": NARRATIVE, "Periods": PERIODS,
    "Corrections": CORRECTIONS, "Log": LOG,
}

#: Sheets a master written before them does not have: read as empty, written from then on.
ADDED_SHEETS = ("Narrative", "Periods", "Corrections")

#: Columns a master written before them does not have (0.1.0 wrote none of these): read as
#: blank, written from then on, so a master from an earlier version is still consolidated.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    "Measures": ("Measure type", "Data status", "Compared with a year ago"),
}

#: Sheets whose rows are not replaced quarter by quarter: every consolidate keeps them all.
KEPT_WHOLE = ("Narrative", "Periods", "Corrections", "Log")

#: Sheets whose every cell is people's own work: written back as read, row for row, with their
#: formulas, comments and formats (no run fills them).
PEOPLES_OWN = ("Narrative",)

#: Sheets that may carry columns people added, kept in their place.
OPEN_COLUMNS = ("Savings", "Narrative")

#: The ID column of each item sheet.
ID_COLUMNS = {"Measures": "Measure ID", "Actions": "Action ID", "Savings": "Saving ID",
              "Risks": "Risk ID"}

# What each column holds, for number formats and widths (the same header means the same kind on
# every sheet): money (£), points (a percentage as 0-100), date, datetime, integer, number,
# longtext (wrapped), rag (Green/Amber/Red), code (a long identifier such as a SHA-256), text.
MONEY = ("Target (£)", "Delivered to date (£)", "Forecast (£)", "Forecast variance (£)",
         "Finance confirmed (£)", "Finance adjustment (£)", *LEDGER_COLUMNS)
KINDS: dict[str, str] = {
    **{header: "money" for header in MONEY},
    "% complete": "points",
    "Due date": "date", "Revised due date": "date", "Sign-off date": "date",
    "Received": "datetime", "When": "datetime",
    "Errors": "integer", "Warnings": "integer", "Accepted": "integer", "Rejected": "integer",
    "Previous score": "integer", "Likelihood": "integer", "Impact": "integer", "Score": "integer",
    "Target": "number", "Previous actual": "number", "Actual": "number",
    "Amber tolerance (%)": "number",
    **{header: "longtext" for header in (
        "Objective", "Measure", "Action", "Saving proposal", "Risk", "Commentary",
        "Remedial action", "Mitigation update", "Finance note", "Message", "Files", "Reason",
        "Key message")},
    "RAG": "rag",
    "SHA-256": "code",
}


def kind_of(header: str) -> str:
    """The kind of a column by its header ('text' when it is not listed)."""
    return KINDS.get(header, "text")
