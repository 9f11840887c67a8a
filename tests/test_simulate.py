"""simulate fills blank returns as directorates would: byte-stable per seed, different per seed,
clean at error rate 0, and with --error-rate about that share of rows carry a mistake."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from conftest import GENERATED_AT, Q1, Q2

from workbook_tools.errors import ConfigurationError
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.generate import COVER, generate_returns
from workbook_tools.returns.layout import FIRST_DATA_ROW
from workbook_tools.returns.simulate import simulate_returns
from workbook_tools.returns.style import row_points
from workbook_tools.returns.validate import validate_file

Q4 = Quarter(2025, 4)


def inputs(path: Path) -> dict[tuple[str, str], object]:
    """Every input cell's value in a filled return, and the sign-off."""
    workbook = openpyxl.load_workbook(path)
    found: dict[tuple[str, str], object] = {}
    for name, spec in layout.SHEETS.items():
        sheet = workbook[name]
        row = FIRST_DATA_ROW
        while sheet.cell(row, 1).value:
            for column in spec.inputs:
                found[(name, spec.cell(column.key, row))] = sheet[spec.cell(column.key, row)].value
            row += 1
    for row in (COVER.completed_by, COVER.approved_by, COVER.signoff_date):
        found[("Cover", f"C{row}")] = workbook["Cover"][f"C{row}"].value
    return found


def rows_with_errors(paths: list[Path]) -> tuple[set[tuple[str, str, str]], Counter[str]]:
    """The item rows (file, sheet, row) where validate finds an error, and the rule codes."""
    rows: set[tuple[str, str, str]] = set()
    codes: Counter[str] = Counter()
    for path in paths:
        for finding in validate_file(path).errors:
            codes[finding.code] += 1
            if finding.sheet in layout.DATA_SHEETS:
                rows.add((path.name, finding.sheet, re.sub(r"^[A-Z]+", "", finding.cell)))
    return rows, codes


def rows_that_can_go_wrong(plan: Plan, quarter: Quarter) -> int:
    """Every item row that asks for something this quarter (an annual measure in Q1 does not)."""
    return (sum(1 for m in plan.measures if m.is_due(quarter)) + len(plan.actions)
            + len(plan.savings) + len(plan.risks))


@pytest.fixture
def blank_q2(workspace: Path, plan: Plan) -> Path:
    folder = workspace / "outputs" / "blank" / str(Q2)
    generate_returns(plan, Q2, folder, now=GENERATED_AT)
    return folder


def test_the_same_seed_gives_the_same_bytes(workspace: Path, blank_q1: dict[str, Path]) -> None:
    blank = next(iter(blank_q1.values())).parent
    first = simulate_returns(blank, workspace / "one", Q1, seed=7, error_rate=0.1)
    again = simulate_returns(blank, workspace / "two", Q1, seed=7, error_rate=0.1)
    assert [p.name for p in first] == sorted(p.name for p in blank.iterdir())
    for one, two in zip(first, again, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_a_different_seed_gives_different_answers(workspace: Path,
                                                  blank_q1: dict[str, Path]) -> None:
    blank = blank_q1["CS"].parent
    one = inputs(simulate_returns(blank, workspace / "one", Q1, seed=1)[0])
    two = inputs(simulate_returns(blank, workspace / "two", Q1, seed=2)[0])
    assert one.keys() == two.keys()
    differ = [key for key in one if one[key] != two[key]]
    assert len(differ) > len(one) // 4


def test_without_errors_every_return_is_ready_and_accepted(workspace: Path, plan: Plan,
                                                           blank_q1: dict[str, Path]) -> None:
    for quarter in (Q1, Q4):
        blank = workspace / "blank" / str(quarter)
        generate_returns(plan, quarter, blank, now=GENERATED_AT)
        paths = simulate_returns(blank, workspace / "filled" / str(quarter), quarter, seed=3)
        assert len(paths) == len(plan.directorates)
        for path in paths:
            result = validate_file(path, quarter)
            assert result.status == "Accepted", [f.message for f in result.findings]
            filled = inputs(path)
            assert filled[("Cover", f"C{COVER.completed_by}")] != filled[
                ("Cover", f"C{COVER.approved_by}")]
    # annual measures are answered in Q4, and only then
    q4 = inputs(workspace / "filled" / str(Q4) / "CS_2025-26-Q4.xlsx")
    q1 = inputs(workspace / "filled" / str(Q1) / "CS_2025-26-Q1.xlsx")
    annual = [i for i, m in enumerate(plan.for_directorate("CS").measures)
              if m.frequency == "Annual"]
    assert annual
    for offset in annual:
        ref = ("Measures", layout.MEASURES.cell("actual", FIRST_DATA_ROW + offset))
        assert q1[ref] == layout.NOT_DUE
        assert isinstance(q4[ref], int | float)


def test_the_filled_return_keeps_what_was_generated(workspace: Path,
                                                    blank_q1: dict[str, Path]) -> None:
    (path,) = [p for p in simulate_returns(blank_q1["CS"].parent, workspace / "f", Q1)
               if p.name.startswith("CS_")]
    blank, filled = openpyxl.load_workbook(blank_q1["CS"]), openpyxl.load_workbook(path)
    assert filled.sheetnames == blank.sheetnames
    assert filled[layout.META_SHEET].sheet_state == "veryHidden"
    for name, spec in layout.SHEETS.items():
        for row in range(1, FIRST_DATA_ROW + 40):
            for column in spec.prefilled:
                ref = spec.cell(column.key, row)
                assert filled[name][ref].value == blank[name][ref].value, (name, ref)
        assert filled[name].protection.sheet is True
        assert filled[name].freeze_panes == blank[name].freeze_panes
        # rows grow for the commentary typed, and only as far as it needs
        for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 40):
            before, after = (blank[name].row_dimensions[row].height,
                             filled[name].row_dimensions[row].height)
            if before is not None:
                assert before <= after <= max(before, row_points(6)), (name, row)


@pytest.mark.parametrize("rate", [0.05, 0.2])
def test_the_error_rate_puts_mistakes_in_about_that_share_of_rows(
        workspace: Path, plan: Plan, blank_q2: Path, rate: float) -> None:
    paths = [path for seed in (1, 2)
             for path in simulate_returns(blank_q2, workspace / f"seed{seed}", Q2, seed=seed,
                                          error_rate=rate)]
    rows, codes = rows_with_errors(paths)
    share = len(rows) / (2 * rows_that_can_go_wrong(plan, Q2))
    assert abs(share - rate) <= 0.35 * rate + 0.02, share
    if rate >= 0.2:
        # the mistakes people make: blanks, words, impossible numbers, nothing said about a miss
        assert {"value-missing", "not-a-number", "out-of-range", "commentary-missing"} <= set(
            codes)


def test_no_blank_returns_is_one_sentence(workspace: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"no blank returns for 2025-26-Q1\. Run "
                                                 r"'workbook-tools generate --quarter "):
        simulate_returns(workspace / "outputs" / "blank" / "2025-26-Q1", workspace / "r", Q1)


def test_savings_lines_without_an_objective_are_filled(workspace: Path, plan: Plan) -> None:
    """A register may leave a saving's objective blank; the line is still a saving to report
    on, not the 'nothing on this sheet' line (found at scale: whole Savings sheets were left
    empty)."""
    import dataclasses

    loose = dataclasses.replace(plan, savings=tuple(
        dataclasses.replace(s, objective_code=None) for s in plan.savings))
    blank = workspace / "blank"
    generate_returns(loose, Q1, blank, now=GENERATED_AT)
    (path,) = [p for p in simulate_returns(blank, workspace / "filled", Q1, seed=3)
               if p.name.startswith("CS_")]
    result = validate_file(path, Q1)
    assert result.status == "Accepted", [f.message for f in result.findings][:3]
    assert result.data is not None
    assert all(row["forecast"] is not None for row in result.data.rows["Savings"])
    assert len(result.data.rows["Savings"]) == len(loose.for_directorate("CS").savings) > 0
