"""What the quarterly and annual summaries share: the master read as frames, the workbook written
beside its target and swapped in, the result to print, the notes under their tables and the risk
grid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.exceptions import FileCreateError

from workbook_tools.errors import ConfigurationError
from workbook_tools.files.beside import write_beside
from workbook_tools.master.read import read_master
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns.rules import risk_rag
from workbook_tools.summary import tables as t
from workbook_tools.summary.write import Book, Sheet

CHART_ROWS = 16  # rows a 300-pixel chart covers

RAG_NOTE = ("Not rated: no figure this quarter, or an annual measure not yet due. No rating: "
            "an action cancelled, or not started before its due date.")
GAP_NOTE = "Gap = target less forecast: a shortfall is positive."


@dataclass
class SummaryResult:
    """What a summary run wrote, with the headline figures to print."""

    path: Path
    period: str
    sheets: list[str]
    charts: int
    figures: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the headline, in sentences


def load(master_path: Path, plan: Plan | None, first_quarter: Quarter) -> t.Frames:
    """The master's figures.

    Raises:
        ConfigurationError: the master does not exist yet.
        MasterError: it cannot be read, or is not a master.
    """
    master_path = Path(master_path)
    if not master_path.exists():
        raise ConfigurationError(
            f"{master_path} does not exist yet: run 'workbook-tools consolidate --quarter "
            f"{first_quarter}' first.")
    return t.load_frames(read_master(master_path), plan)


def write_book(out: Path, council: str, period: str, produced: dt.date,
               fill: Callable[[Book], None]) -> None:
    """Write a workbook beside `out` and swap it in only when complete.

    Raises:
        ConfigurationError: `out` cannot be written (open in Excel, a folder, no permission).
    """
    def write(temporary: Path) -> None:
        book = Book(temporary, council, period, produced)
        fill(book)
        try:
            book.close()
        except FileCreateError as exc:  # xlsxwriter's, when the file cannot be created
            cause = exc.__context__
            raise (cause if isinstance(cause, OSError) else OSError(str(exc))) from None

    write_beside(out, write, "close it if it is open in Excel or LibreOffice, and run again")


def write_grid(sheet: Sheet, grid: pd.DataFrame) -> None:
    """The likelihood x impact grid, each cell coloured by the rating its score gives."""
    block = sheet.table(grid, index=True)
    for r, likelihood in enumerate((5, 4, 3, 2, 1)):
        for c, impact in enumerate((1, 2, 3, 4, 5)):
            value = int(grid.iloc[r, c])
            fmt = sheet.book.fmt("integer", colour=risk_rag(likelihood * impact),
                                 align="center", bold=bool(value))
            sheet.ws.write_number(block.first_row + r, c + 1, value, fmt)
