"""Helpers for the validation tests: a clean, filled return to put one defect into at a time."""

from __future__ import annotations

import copy
import dataclasses
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import GENERATED_AT, Q1, Q2
from support import built_once, set_cells

from workbook_tools.plan.examples import init_folder
from workbook_tools.plan.register import Plan, load_plan
from workbook_tools.returns.findings import ReturnResult
from workbook_tools.returns.generate import generate_returns
from workbook_tools.returns.layout import Context
from workbook_tools.returns.read import read_return
from workbook_tools.returns.simulate import fill_return
from workbook_tools.returns.validate import validate_file


@dataclass
class Returns:
    """A working folder with blank and filled returns for the shipped derbyshire example."""

    root: Path
    plan: Plan
    blank: dict[str, Path]  # Q1 blanks by directorate
    clean: Path  # CS, Q1, filled with no mistakes
    clean_q2: Path  # CS, Q2 (previous figures shown), filled with no mistakes
    rows: dict[str, list[dict[str, Any]]]  # the clean Q1 return's typed rows, by sheet

    def row(self, sheet: str, where: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first item row on `sheet` matching `where` (typed values, '_row' its Excel row)."""
        return next(r for r in self.rows[sheet] if where(r))

    def copy(self, folder: Path, edits: Mapping[tuple[str, str], Any], name: str = "") -> Path:
        """The clean return with `edits` typed in, as a person would, saved in `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / (name or self.clean.name)
        shutil.copy(self.clean, target)
        if edits:
            set_cells(target, edits)
        return target


def make_returns(folder: Path) -> Returns:
    """The working folder of `Returns` in `folder`: built once per test run, then copied (file
    times and all), so each module gets its own files to change."""
    built = built_once("validate", _build)
    shutil.copytree(built.root, folder)

    def moved(path: Path) -> Path:
        return folder / path.relative_to(built.root)

    plan = dataclasses.replace(built.plan, path=built.plan.path and moved(built.plan.path))
    return Returns(folder, plan, {code: moved(p) for code, p in built.blank.items()},
                   moved(built.clean), moved(built.clean_q2), copy.deepcopy(built.rows))


def _build(folder: Path) -> Returns:
    init_folder(folder, "derbyshire")
    plan = load_plan(folder / "templates" / "plan.xlsx")
    blanks = generate_returns(plan, Q1, folder / "outputs" / "blank" / str(Q1),
                              context=Context(quarter=Q1), now=GENERATED_AT)
    blank = {p.name.split("_")[0]: p for p in blanks}
    (folder / "clean").mkdir()
    clean = fill_return(blank["CS"], folder / "clean" / blank["CS"].name, seed=1, error_rate=0.0)
    cs = plan.for_directorate("CS")
    previous = Context(
        quarter=Q2,
        previous_actuals={m.id: m.target_for(Q1) for m in cs.measures
                          if m.target_for(Q1) is not None and m.is_due(Q1)},
        previous_delivered={s.id: round(s.target * 0.2) for s in cs.savings},
    )
    q2_blank = generate_returns(plan, Q2, folder / "outputs" / "blank" / str(Q2), ["CS"],
                                context=previous, now=GENERATED_AT)[0]
    clean_q2 = fill_return(q2_blank, folder / "clean" / q2_blank.name, seed=1)
    data = read_return(clean).data
    assert data is not None
    return Returns(folder, plan, blank, clean, clean_q2, data.rows)


def problems(result: ReturnResult, severity: str = "Error") -> set[tuple[str, str, str]]:
    """(sheet, cell, code) of each finding of a severity."""
    return {(f.sheet, f.cell, f.code) for f in result.findings if f.severity.value == severity}


def check(path: Path, **kwargs: Any) -> ReturnResult:
    return validate_file(path, kwargs.pop("quarter", None), **kwargs)
