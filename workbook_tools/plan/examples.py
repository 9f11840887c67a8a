"""The shipped examples: kept as one CSV per register sheet (readable in a diff), built into
`templates/plan.xlsx` by `init`."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError, UsageError
from workbook_tools.files.cells import to_date, to_number
from workbook_tools.files.xlsx import FIXED_DATE, new_workbook
from workbook_tools.plan import vocabulary
from workbook_tools.plan.columns import REGISTER_SHEETS, RegisterSheet

EXAMPLES = ("derbyshire", "derby")
NUMERIC_HEADERS = {
    "Q1 target",
    "Q2 target",
    "Q3 target",
    "Q4 target",
    "Amber tolerance (%)",
    "Target (£)",
    "Likelihood",
    "Impact",
}
DATE_HEADERS = {"Due date"}
REGISTER_WIDTHS = {
    "Objective": 60,
    "Measure": 60,
    "Action": 60,
    "Saving proposal": 50,
    "Risk": 60,
    "Theme": 30,
    "Directorate": 34,
    "Director": 30,
    "Contact email": 40,
    "Lead officer": 36,
    "Owner": 36,
    "Setting": 42,
    "Value": 30,
    "Item": 50,  # the Review sheet `plan roll` writes
    "To review": 80,
}

GUIDE = """\
# {council}: quarterly performance and savings returns

This folder is a workbook-tools working folder.

    templates/plan.xlsx        the plan register: keep it current in Excel
    returns/<QUARTER>/         save the returns directorates send back here
    outputs/                   everything the tool writes

Each quarter:

    workbook-tools plan check                      # is the register sound?
    workbook-tools generate --quarter 2025-26-Q1   # one return per directorate
    # email outputs/blank/2025-26-Q1/*.xlsx; save replies into returns/2025-26-Q1/
    workbook-tools status --quarter 2025-26-Q1     # who is missing
    workbook-tools validate --quarter 2025-26-Q1 --feedback outputs/feedback/2025-26-Q1
    workbook-tools consolidate --quarter 2025-26-Q1
    workbook-tools summarise --quarter 2025-26-Q1

The targets in this example are illustrative.
"""


def example_rows(name: str) -> dict[str, list[list[Any]]]:
    """An example's register as typed rows per sheet (header first)."""
    if name not in EXAMPLES:
        raise UsageError(f"'{name}' is not a shipped example. Use one of: {', '.join(EXAMPLES)}.")
    folder = resources.files("workbook_tools.plan") / "examples" / name
    sheets: dict[str, list[list[Any]]] = {}
    for sheet in REGISTER_SHEETS:
        text = (folder / f"{sheet}.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(text.splitlines()))
        header = rows[0]
        typed = [header]
        for row in rows[1:]:
            typed.append([_typed(h, v) for h, v in zip(header, row, strict=False)])
        sheets[sheet] = typed
    return sheets


def _typed(header: str, value: str) -> Any:
    if value == "":
        return None
    if header in DATE_HEADERS:
        return to_date(value) or value
    if header in NUMERIC_HEADERS or header == "Value":
        number = to_number(value) if header != "Value" or value.replace(".", "").isdigit() else None
        if number is not None:
            return int(number) if number.is_integer() else number
    return value


def write_register(sheets: dict[str, list[list[Any]]], path: Path,
                   widths: dict[str, float] | None = None) -> None:
    """Write a register workbook a performance officer can keep in Excel (`widths`: column
    widths by header, over the usual ones)."""
    workbook = new_workbook(path)
    header_fmt = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#1F4E78",
            "font_color": "#FFFFFF",
            "text_wrap": True,
            "valign": "top",
            "border": 1,
        }
    )
    date_fmt = workbook.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    text_fmt = workbook.add_format({"text_wrap": True, "valign": "top"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        header = rows[0]
        for col, title in enumerate(header):
            sheet.write_string(0, col, title, header_fmt)
            sheet.set_column(
                col,
                col,
                (widths or {}).get(title) or REGISTER_WIDTHS.get(title, max(12, len(title) + 2)),
                text_fmt if title in REGISTER_WIDTHS else None,
            )
        for r, row in enumerate(rows[1:], start=1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, int | float):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
        sheet.freeze_panes(1, 0)
        if len(rows) > 1:
            sheet.autofilter(0, 0, len(rows) - 1, len(header) - 1)
        _register_dropdowns(sheet, header)
    workbook.close()


def _register_dropdowns(sheet: Any, header: list[str]) -> None:
    lists = {
        "Unit": vocabulary.UNITS,
        "Polarity": vocabulary.POLARITIES,
        "Frequency": vocabulary.FREQUENCIES,
        "Type": vocabulary.SAVING_TYPES,
        "Measure type": vocabulary.MEASURE_TYPES,
    }
    for col, title in enumerate(header):
        if title in lists:
            sheet.data_validation(
                1, col, 5000, col, {"validate": "list", "source": list(lists[title])}
            )


def init_folder(folder: Path, example: str = "derbyshire", force: bool = False) -> Path:
    """Make a working folder with the example's register. Returns the register's path.

    Raises:
        UsageError: an unknown example.
        ConfigurationError: the folder is not empty and `force` is not set.
    """
    folder = Path(folder)
    sheets = example_rows(example)
    if folder.exists() and any(folder.iterdir()) and not force:
        raise ConfigurationError(
            f"{folder} is not empty. Choose a new folder, or use --force to write the example "
            "into it (an existing templates/plan.xlsx is replaced)."
        )
    for sub in ("templates", "returns", "outputs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    plan_path = folder / "templates" / "plan.xlsx"
    write_register(sheets, plan_path)
    council = next((row[1] for row in sheets[RegisterSheet.SETTINGS][1:]
                    if row[0] == "Council name"), "")
    (folder / "README.md").write_text(GUIDE.format(council=council), encoding="utf-8")
    return plan_path


def copy_example_csvs(name: str, target: Path) -> None:
    """Copy an example's CSVs (for people who want to start their own register from them)."""
    source = resources.files("workbook_tools.plan") / "examples" / name
    target.mkdir(parents=True, exist_ok=True)
    for sheet in REGISTER_SHEETS:
        with resources.as_file(source / f"{sheet}.csv") as path:
            shutil.copy(path, target / f"{sheet}.csv")


__all__ = ["EXAMPLES", "FIXED_DATE", "example_rows", "init_folder", "write_register"]
