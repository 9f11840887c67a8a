"""What a directorate sees (issue 17): its Actual cells shown in their measure's unit, and
feedback that names each mistake once, in one font, with money written -£363,000."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from support import set_cells

from workbook_tools.cli import cli
from workbook_tools.files.cells import pounds
from workbook_tools.returns import layout
from workbook_tools.returns.feedback import FIRST_PROBLEM_ROW, PROBLEMS_SHEET

Q1, Q2 = "2025-26-Q1", "2025-26-Q2"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with Q1 consolidated and Q2's returns generated and filled in."""
    root = tmp_path_factory.mktemp("newcomer") / "ws"
    before = Path.cwd()
    assert run("init", str(root)).exit_code == 0
    import os

    os.chdir(root)
    try:
        for args in (["generate", "-q", Q1], ["simulate", "-q", Q1], ["consolidate", "-q", Q1],
                     ["generate", "-q", Q2], ["simulate", "-q", Q2]):
            result = run(*args)
            assert result.exit_code == 0, (args, result.output)
    finally:
        os.chdir(before)
    return root


def _column(sheet: str, key: str) -> str:
    return layout.SHEETS[sheet].letter(key)


def _rows(path: Path, sheet: str) -> dict[str, int]:
    """Item ID -> its row on a sheet of the return."""
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    return {str(row[0].value): row[0].row for row in ws.iter_rows(min_row=layout.HEADER_ROW + 1)
            if row[0].value}


def test_a_negative_amount_is_one_finding_in_money_as_people_write_it(
        folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(folder)
    path = folder / "returns" / Q2 / f"CS_{Q2}.xlsx"
    rows = _rows(path, "Savings")
    first, second = list(rows)[:2]
    delivered = _column("Savings", "delivered")
    negative = f"{delivered}{rows[first]}"
    previous = openpyxl.load_workbook(path)["Savings"][
        f"{_column('Savings', 'previous')}{rows[second]}"].value
    assert previous and previous > 1000  # last quarter's figure, from the master
    fell = f"{delivered}{rows[second]}"
    set_cells(path, {("Savings", negative): -363000, ("Savings", fell): previous - 1000})
    result = run("validate", "-q", Q2, "--feedback", str(tmp_path / "fb"), "--json")
    assert result.exit_code == 1
    import json

    cs = next(r for r in json.loads(result.output)["returns"] if r["directorate"] == "CS")
    at_negative = [f for f in cs["findings"] if (f["sheet"], f["cell"]) == ("Savings", negative)]
    assert [f["code"] for f in at_negative] == ["out-of-range"]  # not also 'delivered-fell'
    assert at_negative[0]["message"].startswith(f"Savings!{negative}: -£363,000 is below zero.")
    at_fell = [f for f in cs["findings"] if (f["sheet"], f["cell"]) == ("Savings", fell)]
    assert [f["code"] for f in at_fell] == ["delivered-fell"]
    assert f"({pounds(previous - 1000)})" in at_fell[0]["message"]
    assert f"last quarter's {pounds(previous)}" in at_fell[0]["message"]
    for finding in cs["findings"]:
        assert "£-" not in finding["message"] and "-363000" not in finding["message"]

    problems = openpyxl.load_workbook(tmp_path / "fb" / f"CS_{Q2}_feedback.xlsx")[PROBLEMS_SHEET]
    cells = [c for row in problems.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.font.name for c in cells)  # never left to LibreOffice's serif
    assert len({c.font.name for c in cells}) == 1
    listed = [row for row in problems.iter_rows(min_row=FIRST_PROBLEM_ROW, values_only=True)
              if row[0]]
    assert len(listed) == len(cs["findings"])
    assert sum(1 for row in listed if str(row[2]).endswith(f"!{negative}")) == 1
    assert pounds(-363000) == "-£363,000" and pounds(3_000_000) == "£3,000,000"


def test_actual_cells_are_formatted_by_their_measures_unit(folder: Path) -> None:
    """Typed actuals show as the target beside them does: 69.6%, £3,075,470, 1,234."""
    path = folder / "outputs" / "blank" / Q2 / f"CS_{Q2}.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Measures"]
    actual, unit = _column("Measures", "actual"), _column("Measures", "unit")
    seen = {}
    for row in range(layout.HEADER_ROW + 1, sheet.max_row + 1):
        cell = sheet[f"{actual}{row}"]
        if cell.value == layout.NOT_DUE or not sheet[f"A{row}"].value:
            continue
        seen.setdefault(sheet[f"{unit}{row}"].value, cell.number_format)
    assert seen["%"] == '[<1]0%;General"%"'
    assert seen["£"].startswith("£#,##0")
    assert seen["number"] == "[>=1000]#,##0;General"
    assert all(fmt != "General" for fmt in seen.values())
