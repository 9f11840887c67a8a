"""Fill blank returns as directorates would: for demos, training and tests.

Answers are plausible: actuals near target with a realistic share of misses, commentary that
explains every Red and Amber, statuses and % complete that agree, forecasts, risk scores and a
sign-off by two different people. With `error_rate`, about that share of rows carry the mistakes
people make. The same seed gives the same files, byte for byte.

Given the working folder, the quarter before is remembered (returns/last_quarter.py), so nothing
goes backwards: a Complete or Cancelled action stays so, a started one is not Not started again
and its % complete never falls; a saving's delivered to date does not fall within the year (the
forecast is at least what has been delivered); a Cumulative measure's year-to-date actual builds
on last quarter's by this quarter's share of its targets, never below it (a running total only
grows, whatever its polarity: a lower-is-better one is Green by growing less than its target).
"""

from __future__ import annotations

import os
import random
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl

from workbook_tools.errors import ConfigurationError, about_file
from workbook_tools.files.cells import is_blank
from workbook_tools.files.xlsx import stabilise
from workbook_tools.parallel import ordered_map
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.answers import Filler
from workbook_tools.returns.last_quarter import LastQuarter, last_quarter
from workbook_tools.returns.layout import FIRST_DATA_ROW, SheetLayout
from workbook_tools.returns.style import item_row_height
from workbook_tools.workspace import Workspace


def simulate_returns(
    blank_dir: Path, out_dir: Path, quarter: Quarter, seed: int = 1, error_rate: float = 0.0,
    workspace: Workspace | None = None,
) -> list[Path]:
    """Fill every blank return for `quarter` in `blank_dir` into `out_dir`; with `workspace`,
    carrying on from the previous quarter it holds.

    Raises:
        ConfigurationError: there are no blank returns for the quarter.
        MasterError, UnreadableFileError: the previous quarter cannot be read.
    """
    blank_dir, out_dir = Path(blank_dir), Path(out_dir)
    blanks = sorted(blank_dir.glob(f"*_{quarter}.xlsx")) if blank_dir.is_dir() else []
    if not blanks:
        raise ConfigurationError(
            f"{blank_dir}: no blank returns for {quarter}. Run 'workbook-tools generate "
            f"--quarter {quarter}' first."
        )
    last = last_quarter(workspace, quarter) if workspace is not None else LastQuarter()
    out_dir.mkdir(parents=True, exist_ok=True)
    return list(ordered_map(partial(_fill_into, out_dir, seed, error_rate, last), blanks))


def _fill_into(out_dir: Path, seed: int, error_rate: float, last: LastQuarter,
               blank: Path) -> Path:
    """One return filled, as a task for a worker process (each return has its own random
    stream, so the result does not depend on which worker fills it)."""
    return fill_return(blank, out_dir / blank.name, seed=seed, error_rate=error_rate, last=last)


@about_file("blank")
def fill_return(blank: Path, out: Path, seed: int = 1, error_rate: float = 0.0,
                workspace: Workspace | None = None, last: LastQuarter | None = None) -> Path:
    """Fill one blank return as its directorate would and save it to `out`, carrying on from
    `last` (or the previous quarter `workspace` holds)."""
    workbook = openpyxl.load_workbook(blank, rich_text=True)
    meta = {
        str(row[0].value): row[1].value
        for row in workbook[layout.META_SHEET].iter_rows(min_row=1, max_row=12, max_col=2)
        if row[0].value
    }
    quarter_text = str(meta.get("Quarter", ""))
    from workbook_tools.quarters import parse_quarter

    quarter = parse_quarter(quarter_text)
    rng = random.Random(f"{seed}|{meta.get('Directorate')}|{quarter_text}")
    if last is None:
        last = last_quarter(workspace, quarter) if workspace is not None else LastQuarter()
    # data statuses from a stream of their own, so every other answer is as it was without them
    status_rng = random.Random(f"{seed}|status|{meta.get('Directorate')}|{quarter_text}")
    filler = Filler(rng, status_rng, quarter, error_rate, last)
    for name, spec in layout.SHEETS.items():
        sheet = workbook[name]
        for row in _item_rows(sheet, spec):
            filler.fill(name, spec, sheet, row)
            _fit_row(sheet, spec, row)
    received = filler.sign_off(workbook[layout.Sheet.COVER])
    workbook.save(out)
    stabilise(out)
    # sent back on the day it was signed off, so status counts it in its quarter's window
    os.utime(out, (received.timestamp(), received.timestamp()))
    return out


def _item_rows(sheet: Any, spec: SheetLayout) -> list[int]:
    rows = []
    row = FIRST_DATA_ROW
    while not is_blank(sheet.cell(row=row, column=1).value) and spec.name != "":
        if sheet.cell(row=row, column=spec.index("id") + 1).value is None:
            break
        rows.append(row)
        row += 1
    # a sheet with no items holds one explanatory line in A, which is not an ID (a saving with
    # no objective has an empty column B, so the line is known by its text)
    if rows and sheet.cell(row=rows[0], column=1).value == layout.NOTHING_ON_SHEET:
        return []
    return rows


def _fit_row(sheet: Any, spec: SheetLayout, row: int) -> None:
    """Make the row tall enough for the text just typed (as Excel does for its own typing)."""
    values = {c.key: sheet.cell(row=row, column=i + 1).value for i, c in enumerate(spec.columns)}
    needed = item_row_height(spec, values)
    current = sheet.row_dimensions[row].height
    if current is None or current < needed:
        sheet.row_dimensions[row].height = needed
