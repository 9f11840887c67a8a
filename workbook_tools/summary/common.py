"""What the quarterly and annual summaries share: the master read as frames, the workbook written
beside its target and swapped in, the result to print, the notes under their tables, the risk
grid, and the writer both summaries' sheet writers build on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbook_tools.files.beside import write_beside
from workbook_tools.master.existing import read_existing_master
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.returns.rules import risk_rag
from workbook_tools.summary import charts
from workbook_tools.summary import savings as sv
from workbook_tools.summary import tables as t
from workbook_tools.summary.write import Block, Book, Sheet

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
    return t.load_frames(read_existing_master(
        master_path, f"{master_path} does not exist yet: run 'workbook-tools consolidate "
        f"--quarter {first_quarter}' first."), plan)


def write_book(out: Path, council: str, period: str, produced: dt.date,
               fill: Callable[[Book], None]) -> None:
    """Write a workbook beside `out` and swap it in only when complete.

    Raises:
        ConfigurationError: `out` cannot be written (open in Excel, a folder, no permission).
    """
    def write(temporary: Path) -> None:
        book = Book(temporary, council, period, produced)
        fill(book)
        book.close()

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


class SummaryWriter:
    """What the quarterly and annual summaries' writers share: sheet titles naming the council
    and the period, charts counted as they are placed, and the By theme and Savings sheets."""

    def __init__(self, frames: t.Frames, period: str, position: t.Position,
                 master_name: str) -> None:
        self.frames = frames
        self.register = frames.register
        self.period = period
        self.position = position
        self.master_name = master_name
        self.charts = 0
        self.figures: dict[str, Any] = {}
        self.blocks: dict[str, Block] = {}
        self.theme_rows: int | None = None

    def title(self, what: str) -> str:
        council = self.register.council
        text = f"{what}, {self.period}"
        return f"{council}: {text}" if council else text[0].upper() + text[1:]

    def add_chart(self, sheet: Sheet, chart: Any, row: int, col: int = 0, x_offset: int = 0,
                  width: int = 620, height: int = 300) -> None:
        sheet.chart(chart, row, col, x_offset, width, height)
        self.charts += 1

    def by_theme(self, sheet: Sheet, when: str = "") -> None:
        """RAG counts and savings by theme, charted (`when` ends the charts' titles)."""
        table = t.by_theme(self.position, self.register)
        block = sheet.table(table, index=True, total=["All themes", *t.totals(table)])
        self.blocks["theme"] = block
        self.theme_rows = t.themes_to_chart(table)
        sheet.note(RAG_NOTE)
        sheet.note(GAP_NOTE)
        row = sheet.row + 1
        self.add_chart(sheet, charts.stacked_bar(
            sheet.book, block, "Theme", [("Measures", r) for r in t.RAGS],
            f"Measures by RAG, by theme{when}", self.theme_rows), row, 0, width=520, height=280)
        self.add_chart(sheet, charts.stacked_bar(
            sheet.book, block, "Theme", [("Actions", r) for r in t.RAGS],
            f"Actions by RAG, by theme{when}", self.theme_rows), row, 0, x_offset=540,
            width=520, height=280)
        sheet.skip(CHART_ROWS)

    def savings_sheet(self, sheet: Sheet, heading: str, programme: list[tuple[str, Any]],
                      note: str, chart_title: str) -> None:
        """Under `heading`, the directorates' savings beside finance's by directorate; then the
        `programme`'s figures (label, £), `note` and the chart of savings by directorate."""
        savings = self.position[ReturnSheet.SAVINGS]
        table = sv.savings_by_directorate(savings, self.register)
        sheet.heading(heading)
        block = sheet.table(table, total=["All directorates", *t.totals(table)[1:-1], None])
        sheet.table(pd.DataFrame([{"Programme": label, "£": value} for label, value in programme]),
                    kinds={"£": "money"})
        sheet.note(note)
        series = ["Target (£)", "Forecast (£)", "Delivered to date (£)"]
        if savings[sv.CONFIRMED].notna().any():
            series.append(sv.CONFIRMED)
        self.add_chart(sheet, charts.money_columns(sheet.book, block, "Directorate", series,
                                                   chart_title),
                       sheet.row + 1, 0, width=720, height=300)
        # Two rows after the chart, as under the other sheets' charts (it starts a row down).
        sheet.skip(CHART_ROWS + 2)
