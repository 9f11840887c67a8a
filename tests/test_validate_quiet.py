"""A test of an input rule that a sheet's columns show finds nothing on any row is not run row by
row (input_tests.QUIET). That may only ever skip work, never a finding: every kind of input
problem such a test covers is still flagged, at the same cell, in the same words."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1
from validate_support import Returns, check, make_returns

from workbook_tools.returns import checker
from workbook_tools.returns.layout import ACTIONS, MEASURES, RISKS, SAVINGS
from workbook_tools.returns.rules import input_tests, inputs
from workbook_tools.returns.rules.input_tests import QUIET, Columns, Seen

M, A, S, R = MEASURES.cell, ACTIONS.cell, SAVINGS.cell, RISKS.cell


@pytest.fixture(scope="module")
def r(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return make_returns(tmp_path_factory.mktemp("quiet") / "ws")


def said(result: Any) -> list[tuple[str, str, str, str]]:
    return [(f.sheet, f.cell, f.code, f.message) for f in result.findings]


def _due(r: Returns) -> list[dict[str, Any]]:
    return [m for m in r.rows["Measures"] if m["frequency"] != "Annual" and m["actual"] is not None]


#: Each kind of problem a QUIET condition judges a column by, alone in a return (a second problem
#: in the same column would have every row tested anyway): the cells typed in, by (sheet, key,
#: which row), and the finding expected, at the cell of that (sheet, key, row).
PROBLEMS: list[tuple[str, dict[tuple[str, str, int], Any], tuple[str, str, int], str]] = [
    ("actual blank", {("Measures", "actual", 0): None}, ("Measures", "actual", 0),
     "value-missing"),
    ("actual as text", {("Measures", "actual", 0): "12%"}, ("Measures", "actual", 0),
     "not-a-number"),
    ("actual beyond 1e15", {("Measures", "actual", 1): 2e15}, ("Measures", "actual", 1),
     "number-impossible"),
    ("actual below -1e15", {("Measures", "actual", 1): -2e15}, ("Measures", "actual", 1),
     "number-impossible"),
    ("data status not listed", {("Measures", "status", 2): "Guessed"},
     ("Measures", "status", 2), "not-in-list"),
    ("data status with a hidden space", {("Measures", "status", 2): "Not\u00a0available"},
     ("Measures", "status", 2), "not-in-list"),
    ("not available with a figure", {("Measures", "status", 3): "Not available",
                                     ("Measures", "commentary", 3): "Awaiting the survey"},
     ("Measures", "actual", 3), "data-status"),
    ("not available, as typed, with a figure", {("Measures", "status", 3): "not available",
                                                ("Measures", "commentary", 3): "Late data"},
     ("Measures", "actual", 3), "data-status"),
    ("not available unexplained", {("Measures", "status", 4): " Not  Available\t",
                                   ("Measures", "actual", 4): None,
                                   ("Measures", "commentary", 4): None},
     ("Measures", "commentary", 4), "data-status"),
    ("complete as text", {("Actions", "complete", 0): "about half"},
     ("Actions", "complete", 0), "not-a-number"),
    ("complete beyond 1e15", {("Actions", "complete", 1): -3e15},
     ("Actions", "complete", 1), "number-impossible"),
    ("revised date as text", {("Actions", "revised", 2): "next spring"},
     ("Actions", "revised", 2), "not-a-date"),
    ("action status not listed", {("Actions", "status", 3): "Going well"},
     ("Actions", "status", 3), "not-in-list"),
    ("action status with a hidden space", {("Actions", "status", 3): "On\u00a0track"},
     ("Actions", "status", 3), "not-in-list"),
    ("delivered below zero", {("Savings", "delivered", 0): -1000},
     ("Savings", "delivered", 0), "out-of-range"),
    ("forecast below zero", {("Savings", "forecast", 1): -0.5},
     ("Savings", "forecast", 1), "out-of-range"),
    ("delivered as text", {("Savings", "delivered", 2): "£1,000"},
     ("Savings", "delivered", 2), "not-a-number"),
    ("forecast as text", {("Savings", "forecast", 2): "1000"},
     ("Savings", "forecast", 2), "not-a-number"),
    ("delivered beyond 1e15", {("Savings", "delivered", 3): 5e15},
     ("Savings", "delivered", 3), "number-impossible"),
    ("forecast beyond 1e15", {("Savings", "forecast", 3): 5e15},
     ("Savings", "forecast", 3), "number-impossible"),
    ("saving status not listed", {("Savings", "status", 0): "Probably"},
     ("Savings", "status", 0), "not-in-list"),
    ("likelihood a fraction", {("Risks", "likelihood", 0): 2.5},
     ("Risks", "likelihood", 0), "out-of-range"),
    ("impact zero", {("Risks", "impact", 1): 0}, ("Risks", "impact", 1), "out-of-range"),
    ("impact six", {("Risks", "impact", 1): 6}, ("Risks", "impact", 1), "out-of-range"),
    ("likelihood as text", {("Risks", "likelihood", 2): "3"},
     ("Risks", "likelihood", 2), "out-of-range"),
]


@pytest.mark.parametrize(("problem", "typed", "at", "code"), PROBLEMS,
                         ids=[p[0] for p in PROBLEMS])
def test_every_problem_a_quiet_test_covers_is_still_flagged(
        r: Returns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str,
        typed: dict[tuple[str, str, int], Any], at: tuple[str, str, int], code: str) -> None:
    rows = {"Measures": _due(r), "Actions": r.rows["Actions"], "Savings": r.rows["Savings"],
            "Risks": r.rows["Risks"]}
    cells = {"Measures": M, "Actions": A, "Savings": S, "Risks": R}

    def cell(sheet: str, key: str, i: int) -> str:
        return cells[sheet](key, rows[sheet][i]["_row"])

    path = r.copy(tmp_path, {(place[0], cell(*place)): value for place, value in typed.items()})
    found = said(check(path, quarter=Q1, plan=r.plan))
    monkeypatch.setattr(checker, "QUIET", {})  # every test run on every row
    assert found == said(check(path, quarter=Q1, plan=r.plan))
    assert (at[0], cell(*at), code) in {(s, c, code) for s, c, code, _ in found}, found
    if "hidden space" in problem:  # the words name it
        assert any("a no-break space (U+00A0)" in words for *_, words in found), found


#: Values a cell can hold as validate reads it, the awkward ones included.
_VALUES: list[Any] = [
    None, "", " ", "\u00a0", "text", "12", "12%", "On track", "on track", " On track ",
    "Not available", "not available", "Not\u00a0available", "Available", "Estimated",
    "Provisional", "provisional ", "Delivered", "At risk", "Off track", "Unachievable",
    0.0, -0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 2.5, 6.0, -1.0, 100.0, 1e15, -1e15, 1.5e15, -1.5e15,
    float("inf"), float("-inf"), float("nan"), 3, True, False,
    dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 12), dt.time(6), dt.timedelta(days=2),
]


class _Row(dict[str, Any]):
    """A row whose every input holds the same value."""

    def __init__(self, value: Any) -> None:
        super().__init__(_row=9)
        self.value = value

    def __missing__(self, key: str) -> Any:
        return self.value


class _Typed(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        return {"id": "X1", "name": "A measure", "unit": "%"}.get(key)


def test_a_quiet_condition_is_only_ever_sufficient() -> None:
    """Whenever a condition says its test finds nothing, the test finds nothing on every row
    (due or not), over every pair of awkward values down a column."""
    assert set(QUIET) <= {check.test for check in inputs.CHECKS} and len(QUIET) >= 19
    columns = [[_Row(v)] for v in _VALUES] + [
        [_Row(v), _Row(w)] for v, w in itertools.combinations(_VALUES, 2)]
    quiet_somewhere = set()
    for test, quiet in QUIET.items():
        for rows in columns:
            if not quiet(Columns(rows)):
                continue
            quiet_somewhere.add(test)
            for row, due in itertools.product(rows, (True, False)):
                assert test(Seen(row, _Typed(), due)) is None, (test, row.value, due)
    assert quiet_somewhere == set(QUIET)  # no condition is simply never met
    assert input_tests.QUIET is checker.QUIET
