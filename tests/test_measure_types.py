"""Measures as councils define them (issue 12): the register's `Measure type` (Snapshot,
Cumulative, Data only), checked by cell; the rules each type follows."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_plan import Rows, column, register

from workbook_tools.plan.examples import EXAMPLES, example_rows
from workbook_tools.plan.register import check_plan
from workbook_tools.returns import rules


def _row_of(rows: Rows, measure_id: str) -> int:
    """The Excel row of a measure on the register's Measures sheet."""
    return next(i for i, r in enumerate(rows["Measures"], start=1) if r[0] == measure_id)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_examples_mark_their_cumulative_and_data_only_measures(tmp_path: Path,
                                                                   example: str) -> None:
    plan, problems = check_plan(register(tmp_path, example=example))
    assert problems == [] and plan is not None
    for measure in plan.measures:
        says_cumulative = "cumulative" in measure.name.lower()
        assert (measure.measure_type == rules.CUMULATIVE) == says_cumulative, measure.id
    data_only = [m for m in plan.measures if m.measure_type == rules.DATA_ONLY]
    assert len(data_only) >= 2
    assert all(m.targets == (None, None, None, None) for m in data_only)
    cumulative = [m for m in plan.measures if m.measure_type == rules.CUMULATIVE]
    for measure in cumulative:
        known = [t for t in measure.targets if t is not None]
        assert known == sorted(known), measure.id


def test_a_blank_or_missing_measure_type_is_snapshot(tmp_path: Path) -> None:
    def drop(rows: Rows) -> None:
        index = column(rows, "Measures", "Measure type")
        for row in rows["Measures"]:
            if row[index] == "Data only":  # a Data only measure needs its type to have no targets
                row[1:] = [None] * (len(row) - 1)
                row[0] = None
            del row[index]
        rows["Measures"] = [r for r in rows["Measures"] if r[0] is not None]

    plan, problems = check_plan(register(tmp_path, drop))
    assert problems == [] and plan is not None
    assert {m.measure_type for m in plan.measures} == {rules.SNAPSHOT}


def test_a_data_only_measure_with_targets_is_named_by_cell(tmp_path: Path) -> None:
    rows = example_rows("derbyshire")
    row = _row_of(rows, "M-CS-17")

    def targets(rows: Rows) -> None:
        rows["Measures"][row - 1][column(rows, "Measures", "Q2 target")] = 1200

    problems = check_plan(register(tmp_path, targets))[1]
    letter = "ABCDEFGHIJKLM"[column(rows, "Measures", "Q2 target")]
    assert [(p.sheet, p.cell) for p in problems] == [("Measures", f"{letter}{row}")]
    assert "Data only measure has no targets" in problems[0].message
    assert "Q2 target" in problems[0].message


def test_a_data_only_measure_needs_no_targets(tmp_path: Path) -> None:
    rows = example_rows("derbyshire")
    row = _row_of(rows, "M-CS-01")

    def data_only(rows: Rows) -> None:
        values = rows["Measures"][row - 1]
        for n in (1, 2, 3, 4):
            values[column(rows, "Measures", f"Q{n} target")] = None
        values[column(rows, "Measures", "Measure type")] = "data ONLY"

    plan, problems = check_plan(register(tmp_path, data_only))
    assert problems == [] and plan is not None
    assert plan.measures[0].measure_type == rules.DATA_ONLY


def test_cumulative_targets_that_fall_are_named_by_cell(tmp_path: Path) -> None:
    rows = example_rows("derbyshire")
    row = _row_of(rows, "M-ASCH-05")  # 145, 290, 435, 580

    def fall(rows: Rows) -> None:
        rows["Measures"][row - 1][column(rows, "Measures", "Q3 target")] = 200

    problems = check_plan(register(tmp_path, fall))[1]
    letter = "ABCDEFGHIJKLM"[column(rows, "Measures", "Q3 target")]
    assert [(p.sheet, p.cell) for p in problems] == [("Measures", f"{letter}{row}")]
    assert "Q3 target (200) is below the Q2 target (290)" in problems[0].message

    def snapshot(rows: Rows) -> None:  # the same targets are fine for a Snapshot measure
        fall(rows)
        rows["Measures"][row - 1][column(rows, "Measures", "Measure type")] = "Snapshot"

    assert check_plan(register(tmp_path, snapshot))[1] == []


def test_an_unknown_measure_type_is_named_by_cell(tmp_path: Path) -> None:
    rows = example_rows("derbyshire")

    def odd(rows: Rows) -> None:
        rows["Measures"][1][column(rows, "Measures", "Measure type")] = "Rolling"

    problems = check_plan(register(tmp_path, odd))[1]
    letter = "ABCDEFGHIJKLM"[column(rows, "Measures", "Measure type")]
    assert [(p.sheet, p.cell) for p in problems] == [("Measures", f"{letter}2")]
    assert "Snapshot, Cumulative, Data only" in problems[0].message


def test_an_unachievable_saving_is_always_red() -> None:
    assert rules.saving_rag(100, 100, 5, "Unachievable") == rules.RED
    assert rules.saving_rag(None, 100, 5, "Unachievable") == rules.RED
    assert rules.saving_rag(100, 100, 5, "At risk") == rules.GREEN
    assert rules.saving_rag(96, 100, 5, "Mitigated") == rules.AMBER


def test_direction_by_measure_type() -> None:
    hi = rules.HIGHER_IS_BETTER
    assert rules.measure_direction(52.1, None, hi, rules.CUMULATIVE) == rules.NOT_COMPARABLE
    assert rules.measure_direction(52.1, None, hi, rules.SNAPSHOT) == rules.NEW
    assert rules.measure_direction(52.1, 50.0, hi, rules.CUMULATIVE) == rules.IMPROVED
    assert rules.measure_direction(None, 50.0, hi, rules.CUMULATIVE) is None
    assert rules.year_on_year(10, None, hi) == rules.NOT_COMPARABLE
    assert rules.year_on_year(10, 12, rules.LOWER_IS_BETTER) == rules.IMPROVED
