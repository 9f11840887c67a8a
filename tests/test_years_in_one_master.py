"""One master holds every quarter of every year (SPEC sections 1 and 8): quarters of two
financial years, each consolidated with its own year's register, and the annual summary showing
the previous year's year end beside this one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from test_plan_years import edit_register

from workbook_tools.cli import cli
from workbook_tools.master.read import read_master


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def cycle(quarter: str) -> None:
    for command in ("generate", "simulate", "consolidate"):
        result = run(command, "--quarter", quarter)
        assert result.exit_code == 0, result.output


def overview(path: Path) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(path)["Overview"]
    return [[c.value for c in row[:3]] for row in sheet.iter_rows()]


def test_two_years_in_one_master_and_the_annual_summary_shows_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ws"
    assert run("init", str(root)).exit_code == 0
    monkeypatch.chdir(root)
    kept = root / "templates" / "plan-2024-25.xlsx"
    shutil.copy(root / "templates" / "plan.xlsx", kept)
    edit_register(kept, "2024-25", measure_q1_target=61)

    cycle("2024-25-Q4")
    cycle("2025-26-Q1")

    master = read_master(root / "outputs" / "master.xlsx")
    assert master.quarters() == ["2024-25-Q4", "2025-26-Q1"]
    assert len(master.rows("Measures", "2024-25-Q4")) == len(master.rows("Measures",
                                                                          "2025-26-Q1")) > 0
    assert run("summarise", "--year", "2024-25").exit_code == 0
    result = run("summarise", "--year", "2025-26")
    assert result.exit_code == 0, result.output

    last_year = headline(overview(root / "outputs" / "annual-2024-25.xlsx"))
    rows = overview(root / "outputs" / "annual-2025-26.xlsx")
    start = next(i for i, r in enumerate(rows)
                 if str(r[0]).startswith("Beside 2024-25's year end"))
    assert rows[start + 1] == ["Year end", "2025-26", "2024-25"]
    beside = {r[0]: (r[1], r[2]) for r in rows[start + 2:] if r[0] and r[1] is not None}
    this_year = headline(rows[:start])
    assert len(beside) >= 12
    for key, (now, before) in beside.items():
        assert now == this_year[key] and before == last_year[key], key
    assert "Savings: Programme target" not in beside  # last year's target is last year's plan's


SECTIONS = ("Returns", "Measures", "Actions", "Savings", "Risks", "The year")


def headline(rows: list[list[Any]]) -> dict[str, Any]:
    """The Overview's figures as 'Section: label' -> value."""
    found, section = {}, ""
    for label, value, _ in rows:
        if label in SECTIONS and value is None:
            section = label
        elif label and section:
            found[f"{section}: {label}"] = value
    return found
