"""The master workbook's sheets and column headers (SPEC section 8), shared by the master,
the summaries and export. Header in row 1; one row per item per quarter."""

from __future__ import annotations

SUBMISSIONS = ("Quarter", "Directorate", "Directorate name", "Status", "File", "SHA-256",
               "Received", "Errors", "Warnings", "Completed by", "Approved by", "Sign-off date")

MEASURES = ("Quarter", "Directorate", "Measure ID", "Theme", "Objective code", "Objective",
            "Measure", "Unit", "Polarity", "Frequency", "Target", "Amber tolerance (%)",
            "Previous actual", "Actual", "RAG", "Direction of travel", "Commentary",
            "Remedial action")

ACTIONS = ("Quarter", "Directorate", "Action ID", "Theme", "Objective code", "Objective",
           "Action", "Lead officer", "Due date", "Status", "% complete", "Revised due date", "RAG",
           "Commentary")

FINANCE_COLUMNS = ("Finance confirmed (£)", "Finance adjustment (£)", "Finance status",
                   "Finance note")
LEDGER_COLUMNS = ("Ledger (£)", "Ledger variance (£)", "Ledger variance to finance (£)")

SAVINGS = ("Quarter", "Directorate", "Saving ID", "Theme", "Objective code", "Objective",
           "Saving proposal", "Type", "Target (£)", "Delivered to date (£)", "Forecast (£)",
           "Forecast variance (£)", "Status", "RAG", "Commentary", *FINANCE_COLUMNS,
           *LEDGER_COLUMNS, "Orphaned")

RISKS = ("Quarter", "Directorate", "Risk ID", "Risk", "Owner", "Previous score", "Likelihood",
         "Impact", "Score", "RAG", "Direction", "Mitigation update")

VALIDATION = ("Quarter", "Severity", "File", "Directorate", "Sheet", "Cell", "Rule", "Message")

LOG = ("When", "Who", "Tool version", "Quarter", "Accepted", "Rejected", "Files")

SHEETS: dict[str, tuple[str, ...]] = {
    "Submissions": SUBMISSIONS, "Measures": MEASURES, "Actions": ACTIONS, "Savings": SAVINGS,
    "Risks": RISKS, "Validation": VALIDATION, "Log": LOG,
}
