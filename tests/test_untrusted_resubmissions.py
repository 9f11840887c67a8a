"""Resubmissions (issue 10, case 8): a sign-off after the day of validation cannot win, a newer
resubmission with errors is reported with them and its directorate gets feedback on it, and a
row is never said to have moved to where it already is."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1
from support import set_cells
from untrusted_support import cs_return, findings_of, hostile_folder, run

from workbook_tools.returns.feedback import PROBLEMS_SHEET
from workbook_tools.returns.layout import COVER, HEADER_ROW, MEASURES

FIRST = HEADER_ROW + 1


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


def resend(folder: Any, name: str, edits: dict[tuple[str, str], Any], later: int) -> Path:
    """A copy of CS's return with `edits`, received `later` seconds after the first."""
    first = cs_return(folder)
    copy = folder.returns(Q1) / name
    shutil.copy(first, copy)
    set_cells(copy, edits)
    stamp = first.stat().st_mtime + later
    os.utime(copy, (stamp, stamp))
    return copy


def test_a_sign_off_in_the_far_future_cannot_win(folder: Any) -> None:
    future = resend(folder, f"CS_{Q1} final.xlsx",
                    {("Cover", f"C{COVER.signoff_date}"): dt.datetime(2100, 12, 31)}, -60)
    later = resend(folder, f"CS_{Q1} corrected.xlsx", {}, 60)
    os.remove(cs_return(folder))

    result = run("validate", "-q", str(Q1))

    lines = result.output.splitlines()
    assert any(line.endswith(f"{later.name}: Children's Services (CS), Accepted")
               for line in lines), result.output
    assert any(f"{future.name}: Children's Services (CS), Superseded" in line
               for line in lines), result.output
    assert "the sign-off date 31/12/2100 is after today" in result.output


def test_a_newer_resubmission_with_errors_is_reported_and_gets_feedback(folder: Any) -> None:
    blanks = {("Measures", MEASURES.cell("actual", FIRST + n)): None for n in range(12)}
    newer = resend(folder, f"CS_{Q1} resent.xlsx", blanks, 120)

    result = run("validate", "-q", str(Q1), "--feedback", "feedback")

    assert result.exit_code == 0, result.output
    used = cs_return(folder).name
    assert f"{newer.name}: Children's Services (CS), Superseded: 11 errors" in result.output
    assert (f"Not used: it has errors (listed here), so {used}, the latest return for CS "
            "2025-26-Q1 without errors, is used instead.") in result.output
    assert "a later return" not in result.output
    feedback = folder.root / "feedback" / f"CS_{Q1}_feedback.xlsx"
    problems = openpyxl.load_workbook(feedback)[PROBLEMS_SHEET]
    rules = [row[5] for row in problems.iter_rows(min_row=6, values_only=True)]
    assert rules.count("value-missing") >= 11, rules


def test_a_row_in_its_own_place_is_not_said_to_have_moved(folder: Any) -> None:
    bad = cs_return(folder)
    workbook = openpyxl.load_workbook(bad)
    sheet = workbook["Measures"]
    first, third = FIRST, FIRST + 2
    for col in range(1, sheet.max_column + 1):
        a, b = sheet.cell(first, col), sheet.cell(third, col)
        a.value, b.value = b.value, a.value
    workbook.save(bad)

    found = [(w, c, m) for s, w, c, m in findings_of(bad) if c == "row-moved"]

    assert found and all(f"row {int(w.split('A')[-1])} to row {int(w.split('A')[-1])}" not in m
                         for w, _, m in found), found
    assert {w for w, _, _ in found} <= {f"Measures!A{first}", f"Measures!A{third}"}
