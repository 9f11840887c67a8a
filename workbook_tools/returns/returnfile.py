"""One file read as a return (`ReturnFile`): what identifies it, its findings, its values as
read; and what the readers of its sheets share (returns/read.py, returns/sheetrows.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools.files.cells import plain_text
from workbook_tools.quarters import Quarter
from workbook_tools.returns.findings import Finding, ReturnData
from workbook_tools.returns.rules.codes import STRUCTURE_RULES, WARNING_RULES

_RULES = {**STRUCTURE_RULES, **WARNING_RULES}

MetaItem = tuple[int, str, str]  # (row as generated, ID, '.'-joined cell hashes)


@dataclass
class ReturnFile:
    """One file read as a return: what identifies it, its structural findings, its raw and typed
    values. `is_return` is False when the file is a workbook but not one of ours."""

    path: Path
    is_return: bool
    findings: list[Finding] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    directorate: str = ""
    quarter: Quarter | None = None
    #: per data sheet, one dict per item row: each input column's value as read ('' made
    #: None), and 'id' and '_row'
    raw: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cover_raw: dict[str, Any] = field(default_factory=dict)  # sign-off label -> value as read
    cover_cells: dict[str, str] = field(default_factory=dict)  # sign-off label -> 'C31'
    unknown_cells: dict[str, set[str]] = field(default_factory=dict)  # sheet -> refs reported
    #: Measures rows whose actual shows a fraction as a percentage: True for a percentage
    #: format (100% typed: 1 that means 100), False for the return's own format for a % measure
    percent_rows: dict[int, bool] = field(default_factory=dict)
    data: ReturnData | None = None  # None when identity or structure stops the reading
    sha256: str = ""  # of the file as it was opened and read

    @property
    def file(self) -> str:
        return str(self.path)

    def add(self, code: str, sheet: str = "", cell: str = "", variant: str = "",
            **fields: Any) -> None:
        self.findings.append(_RULES[code].finding(
            self.file, self.directorate, sheet, cell, variant, file=self.path.name, **fields))



def norm(value: Any) -> str:
    """A header, label or sheet name as compared: spaces collapsed, case folded."""
    return " ".join(plain_text(value).split()).casefold()


def cell(rows: list[list[Any]], row1: int, col: int) -> Any:
    """The value at a 1-based row and 0-based column, None for a blank or a cell not there."""
    if 0 < row1 <= len(rows) and col < len(rows[row1 - 1]):
        value = rows[row1 - 1][col]
        return None if value == "" else value
    return None


def report_unknown(result: ReturnFile, sheet: str, ref: str, formulas: dict[str, str],
                   errors: dict[str, str]) -> None:
    """Report an input cell whose value cannot be known: an unsaved formula or an error value."""
    if ref in errors:
        result.add("cell-error", sheet, ref, found=errors[ref])
    elif ref in formulas:
        result.add("formula-without-value", sheet, ref, formula=formulas[ref] or "...")
    else:
        return
    result.unknown_cells.setdefault(sheet, set()).add(ref)

