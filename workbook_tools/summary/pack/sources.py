"""What the Cabinet pack reads from the master beyond the summary's figures: the performance
team's `Narrative` sheet (Quarter, Section, Key message), the `Corrections` sheet of reopened
quarters, and the master's SHA-256 for the footer. Each is read by its headers when the
master has the sheet, and is empty when it has not."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbook_tools.files.package import sha256_of
from workbook_tools.master import columns as mc
from workbook_tools.master.read import Master, canonical_quarter

NARRATIVE = mc.MasterSheet.NARRATIVE
CORRECTIONS = mc.MasterSheet.CORRECTIONS
OVERVIEW = "Overview"
sha256 = sha256_of  # the one file hash, for the footer


def _rows(master: Master, sheet: str, quarters: list[str]) -> list[dict[str, Any]]:
    return [row for row in master.sheets.get(sheet, [])
            if canonical_quarter(row.get("Quarter")) in quarters]


def narrative(master: Master, quarters: list[str]) -> dict[str, list[str]]:
    """Section (`Overview`, a theme code or a directorate code) -> its key messages for the
    quarters, in the sheet's order."""
    found: dict[str, list[str]] = {}
    for row in _rows(master, NARRATIVE, quarters):
        message = str(row.get("Key message") or "").strip()
        if message:
            section = str(row.get("Section") or "").strip() or OVERVIEW
            found.setdefault(section, []).append(message)
    return found


def corrections(master: Master, quarters: list[str]) -> pd.DataFrame:
    """The figures changed in reopened quarters (empty when there are none)."""
    headers = list(mc.CORRECTIONS)
    rows = _rows(master, CORRECTIONS, quarters)
    return pd.DataFrame([{h: row.get(h) for h in headers} for row in rows], columns=headers)
