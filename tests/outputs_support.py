"""Helpers for the report, feedback and status tests: a working folder of real returns, filled
in as directorates would, with chosen mistakes typed into some of them."""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from conftest import GENERATED_AT, Q1
from support import built_once, set_cells

from workbook_tools.plan.examples import init_folder
from workbook_tools.plan.register import Plan, load_plan
from workbook_tools.returns import layout
from workbook_tools.returns.generate import COVER, generate_returns
from workbook_tools.returns.layout import Context
from workbook_tools.returns.simulate import fill_return

ACTUAL = layout.SHEETS["Measures"].letter("actual")
TARGET = layout.SHEETS["Measures"].letter("target")
ACTION_STATUS = layout.SHEETS["Actions"].letter("status")
ACTION_COMPLETE = layout.SHEETS["Actions"].letter("complete")
FIRST = layout.FIRST_DATA_ROW


@dataclass
class Folder:
    root: Path
    plan: Plan
    blank: dict[str, Path]  # Q1 blank returns by directorate code

    @property
    def returns(self) -> Path:
        return self.root / "returns" / str(Q1)

    def fill(self, code: str, edits: Mapping[tuple[str, str], Any] | None = None,
             name: str = "", received: dt.datetime | None = None) -> Path:
        """The directorate's return filled in with no mistakes, then `edits` typed in, saved in
        returns/Q1 with its file time set to `received`."""
        self.returns.mkdir(parents=True, exist_ok=True)
        target = self.returns / (name or self.blank[code].name)
        shutil.copy2(_filled(self.blank[code]), target)  # as fill_return wrote it, time and all
        if edits:
            set_cells(target, edits)
        if received is not None:
            stamp = received.timestamp()
            os.utime(target, (stamp, stamp))
        return target


_FILLED: dict[str, Path] = {}  # each blank return filled in with no mistakes, by file name


def make_folder(root: Path) -> Folder:
    """A derbyshire working folder with Q1's blank returns in outputs/blank (built once per test
    run, then copied, file times and all)."""
    built = built_once("outputs", _build)
    shutil.copytree(built.root, root)
    plan = dataclasses.replace(built.plan, path=root / "templates" / "plan.xlsx")
    return Folder(root, plan, {code: root / p.relative_to(built.root)
                               for code, p in built.blank.items()})


def _build(root: Path) -> Folder:
    init_folder(root, "derbyshire")
    plan = load_plan(root / "templates" / "plan.xlsx")
    paths = generate_returns(plan, Q1, root / "outputs" / "blank" / str(Q1),
                             context=Context(quarter=Q1), now=GENERATED_AT)
    return Folder(root, plan, {p.name.split("_")[0]: p for p in paths})


def _filled(blank: Path) -> Path:
    """The blank return (one of make_folder's, all alike) filled in with no mistakes: filled
    once per test run."""
    if blank.name not in _FILLED:
        folder = Path(tempfile.mkdtemp(prefix="outputs-filled-"))
        atexit.register(shutil.rmtree, folder, True)
        _FILLED[blank.name] = fill_return(blank, folder / blank.name, seed=1, error_rate=0.0)
    return _FILLED[blank.name]


def due_actual(path: Path) -> str:
    """The Actual cell of the first measure due this quarter, such as 'J5'."""
    sheet = openpyxl.load_workbook(path)["Measures"]
    row = FIRST
    while sheet[f"{ACTUAL}{row}"].value == layout.NOT_DUE:
        row += 1
    return f"{ACTUAL}{row}"


def mistakes(path: Path) -> dict[tuple[str, str], Any]:
    """Two errors (a missing actual, a missing sign-off) and a warning (Complete at 50%)."""
    return {
        ("Measures", due_actual(path)): None,
        ("Cover", f"C{COVER.approved_by}"): None,
        ("Actions", f"{ACTION_STATUS}{FIRST}"): "Complete",
        ("Actions", f"{ACTION_COMPLETE}{FIRST}"): 50,
    }
