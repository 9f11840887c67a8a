"""Registers per financial year (SPEC sections 3 and 4): every command that takes a quarter uses
the register of that quarter's year, and a quarter with no register is exit 2 with a sentence."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.cli import cli
from workbook_tools.returns.read import read_return


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    assert run("init", str(root)).exit_code == 0
    monkeypatch.chdir(root)
    return root


def edit_register(path: Path, year: str, measure_q1_target: float | None = None) -> None:
    """Set a register's Financial year (and the first measure's Q1 target) as an officer would."""
    book = openpyxl.load_workbook(path)
    for row in book["Settings"].iter_rows(min_row=2):
        if row[0].value == "Financial year":
            row[1].value = year
    if measure_q1_target is not None:
        header = [c.value for c in book["Measures"][1]]
        book["Measures"].cell(2, header.index("Q1 target") + 1).value = measure_q1_target
    book.save(path)


@pytest.mark.parametrize("command", [
    ("generate",), ("simulate",), ("status",), ("consolidate",), ("validate",), ("summarise",),
])
def test_a_quarter_of_next_year_has_no_register_and_says_to_roll_the_plan(
        folder: Path, command: tuple[str, ...]) -> None:
    (folder / "returns" / "2026-27-Q1").mkdir(parents=True)

    result = run(*command, "--quarter", "2026-27-Q1")

    assert result.exit_code == 2, result.output
    assert ("there is no plan register for 2026-27 (the registers here are for 2025-26); to "
            "start 2026-27 from 2025-26's register, run 'workbook-tools plan roll --to "
            "2026-27'.") in result.output
    assert "Traceback" not in result.output
    assert not (folder / "outputs" / "blank" / "2026-27-Q1").exists()
    assert not (folder / "outputs" / "master.xlsx").exists()


def test_a_slip_of_year_is_refused_naming_the_years_held(folder: Path) -> None:
    shutil.copy(folder / "templates" / "plan.xlsx", folder / "templates" / "plan-2024-25.xlsx")
    edit_register(folder / "templates" / "plan-2024-25.xlsx", "2024-25")

    result = run("generate", "--quarter", "2019-20-Q1")

    assert result.exit_code == 2, result.output
    assert ("there is no plan register for 2019-20 (the registers here are for 2024-25, "
            "2025-26); check the quarter, or save 2019-20's register as plan-2019-20.xlsx"
            ) in result.output
    assert "plan roll" not in result.output
    assert not (folder / "outputs" / "blank" / "2019-20-Q1").exists()


def test_an_earlier_quarter_uses_the_kept_register_of_its_year(folder: Path) -> None:
    kept = folder / "templates" / "plan-2024-25.xlsx"
    shutil.copy(folder / "templates" / "plan.xlsx", kept)
    edit_register(kept, "2024-25", measure_q1_target=61)

    old = run("generate", "--quarter", "2024-25-Q1", "-d", "CS")
    new = run("generate", "--quarter", "2025-26-Q1", "-d", "CS")

    assert old.exit_code == 0 and new.exit_code == 0, old.output + new.output
    old_rows = read_return(folder / "outputs/blank/2024-25-Q1/CS_2024-25-Q1.xlsx").data
    new_rows = read_return(folder / "outputs/blank/2025-26-Q1/CS_2025-26-Q1.xlsx").data
    assert old_rows is not None and new_rows is not None
    assert old_rows.rows["Measures"][0]["target"] == 61
    assert new_rows.rows["Measures"][0]["target"] == 72  # this year's register


def test_a_kept_register_whose_setting_disagrees_with_its_name_is_refused(folder: Path) -> None:
    shutil.copy(folder / "templates" / "plan.xlsx", folder / "templates" / "plan-2024-25.xlsx")

    result = run("generate", "--quarter", "2024-25-Q2")

    assert result.exit_code == 2, result.output
    assert "plan-2024-25.xlsx: its Financial year setting is 2025-26, not 2024-25" in \
        result.output


def test_a_register_given_with_plan_must_be_for_the_quarters_year(folder: Path) -> None:
    result = run("generate", "--quarter", "2026-27-Q1", "--plan", "templates/plan.xlsx")

    assert result.exit_code == 2, result.output
    assert ("is the register for 2025-26, not 2026-27, so it cannot serve 2026-27-Q1; give the "
            "2026-27 register with --plan.") in result.output
    assert not (folder / "outputs" / "blank" / "2026-27-Q1").exists()
