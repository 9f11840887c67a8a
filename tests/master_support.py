"""Helpers for the master tests: a working folder with real, filled returns for two quarters."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from conftest import GENERATED_AT, Q1, Q2
from support import built_once

from workbook_tools.files.deflate import open_part, packed_digest
from workbook_tools.master import columns as mc
from workbook_tools.master.consolidate import ConsolidationResult, consolidate
from workbook_tools.master.history import previous_context
from workbook_tools.plan.examples import init_folder
from workbook_tools.plan.register import Plan, load_plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns.generate import generate_returns
from workbook_tools.returns.simulate import simulate_returns

RUN_AT = dt.datetime(2025, 7, 20, 9, 30)


@dataclass
class Folder:
    """A derbyshire working folder: its plan, returns/<Q> and outputs/master.xlsx."""

    root: Path
    plan: Plan

    @property
    def master(self) -> Path:
        return self.root / "outputs" / "master.xlsx"

    @property
    def backups(self) -> Path:
        return self.root / "outputs" / "backups"

    def returns(self, quarter: Quarter) -> Path:
        return self.root / "returns" / str(quarter)

    def fill(self, quarter: Quarter, seed: int = 1) -> dict[str, Path]:
        """Generate the quarter's returns (previous figures from the master) and fill them in."""
        blank = self.root / "outputs" / "blank" / str(quarter)
        context = previous_context(self.master, quarter)
        generate_returns(self.plan, quarter, blank, context=context, now=GENERATED_AT)
        paths = simulate_returns(blank, self.returns(quarter), quarter, seed=seed)
        return {p.name.split("_")[0]: p for p in paths}

    def consolidate(self, quarter: Quarter, plan: Plan | None = None,
                    at: dt.datetime = RUN_AT, **kwargs: Any) -> ConsolidationResult:
        return consolidate(plan or self.plan, quarter, self.returns(quarter), self.master,
                           now=at, user="tester", **kwargs)


def make_folder(root: Path, quarters: tuple[Quarter, ...] = (Q1,),
                consolidated: bool = False) -> Folder:
    """A working folder with filled returns for `quarters`, each before the last consolidated
    (and the last too when `consolidated`). Built once per test run, then copied (file times
    and all)."""
    def build(ws: Path) -> Path:
        _build(ws, quarters, consolidated)
        return ws

    shutil.copytree(built_once(("master", quarters, consolidated), build), root)
    return Folder(root, load_plan(root / "templates" / "plan.xlsx"))


def _build(root: Path, quarters: tuple[Quarter, ...], consolidated: bool) -> None:
    init_folder(root, "derbyshire")
    folder = Folder(root, load_plan(root / "templates" / "plan.xlsx"))
    for quarter in quarters:
        folder.fill(quarter)
        if quarter != quarters[-1] or consolidated:
            folder.consolidate(quarter)


def sheet_parts(path: Path) -> dict[str, bytes]:
    """The workbook's XML parts except those of the Log, whose rows grow with every run.

    The Log is the last sheet (its table the last table) and its text comes last in the shared
    strings, so every other part is comparable byte for byte.
    """
    log = list(mc.SHEETS).index("Log") + 1
    skipped = {f"xl/worksheets/sheet{log}.xml", f"xl/tables/table{log}.xml",
               "xl/sharedStrings.xml"}
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name not in skipped}


def finance_cells(path: Path, values: Mapping[tuple[str, str], Mapping[str, Any]],
                  formulas: bool = False) -> None:
    """Type finance's entries into the master with openpyxl, as someone editing it would.

    `values` maps (Quarter, Saving ID) to {header: value}; text starting with '=' is text unless
    `formulas`.
    """
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Savings"]
    header = [c.value for c in sheet[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    found = set()
    for row in range(2, sheet.max_row + 1):
        key = (sheet.cell(row, col["Quarter"]).value, sheet.cell(row, col["Saving ID"]).value)
        for column, value in values.get(key, {}).items():
            cell = sheet.cell(row, col[column])
            cell.value = value
            if isinstance(value, str) and value.startswith("=") and not formulas:
                cell.data_type = "s"  # typed as text
            found.add(key)
    assert found == set(values), f"no rows for {set(values) - found}"
    workbook.save(path)


def rows_by_id(rows: list[dict[str, Any]], id_header: str) -> dict[tuple[str, str], dict]:
    """Rows keyed by (Quarter, ID), without the reader's own `_row`."""
    return {(r["Quarter"], r[id_header]): {k: v for k, v in r.items() if k != "_row"}
            for r in rows}


def without_row_numbers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "_row"} for r in rows]


__all__ = ["Q1", "Q2", "Folder", "make_folder"]


def as_stored(path: Path) -> dict[str, str]:
    """Each sheet's part's digest as stored (files/deflate.py's packed_digest), as the writer
    gives it for the file it wrote."""
    found = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/sheet"):
                with open_part(archive, info.filename, hashed=True) as stream:
                    found[info.filename] = str(packed_digest(stream))
    return found
