"""simulate carries on from the quarter before (issue 12): run as a user runs the cycle, a
simulated Q2 never moves an action, a saving or a Cumulative measure backwards from Q1, whether
Q1 was consolidated into the master or is only in the returns folder; its returns still validate
clean; a first quarter is filled as it always was, and the same seed gives the same bytes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from workbook_tools.cli import cli
from workbook_tools.master.read import read_master
from workbook_tools.quarters import parse_quarter
from workbook_tools.returns.read import read_return
from workbook_tools.returns.simulate import simulate_returns
from workbook_tools.returns.validate import validate_file
from workbook_tools.workspace import Workspace

Q1, Q2 = "2025-26-Q1", "2025-26-Q2"
STARTED = ("On track", "At risk", "Off track")


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result


def cycle(root: Path, example: str, steps: list[list[str]]) -> Path:
    run("init", str(root), "--example", example)
    before = Path.cwd()
    os.chdir(root)
    try:
        for args in steps:
            run(*args)
    finally:
        os.chdir(before)
    return root


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Q1 generated, simulated and consolidated, then Q2 generated and simulated."""
    return cycle(tmp_path_factory.mktemp("quarters") / "ws", "derbyshire", [
        ["generate", "-q", Q1], ["simulate", "-q", Q1, "--seed", "3"],
        ["consolidate", "-q", Q1], ["generate", "-q", Q2], ["simulate", "-q", Q2, "--seed", "3"]])


@pytest.fixture(scope="module")
def returns_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same without consolidating Q1: only its returns are there to carry on from."""
    return cycle(tmp_path_factory.mktemp("quarters") / "ws", "derby", [
        ["generate", "-q", Q1], ["simulate", "-q", Q1, "--seed", "4"],
        ["generate", "-q", Q2], ["simulate", "-q", Q2, "--seed", "4"]])


def returned(root: Path, quarter: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Every item of every return of the quarter: sheet -> ID -> its row (typed values)."""
    items: dict[str, dict[str, dict[str, Any]]] = {"Actions": {}, "Savings": {}, "Measures": {}}
    for path in sorted((root / "returns" / quarter).glob("*.xlsx")):
        data = read_return(path).data
        assert data is not None, path
        for sheet, rows in items.items():
            rows.update({row["id"]: row for row in data.rows[sheet]})
    return items


def from_master(root: Path, quarter: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The master's rows for the quarter, keyed as a return's are."""
    master = read_master(root / "outputs" / "master.xlsx")
    keys = {"Actions": {"Action ID": "id", "Status": "status", "% complete": "complete"},
            "Savings": {"Saving ID": "id", "Delivered to date (£)": "delivered",
                        "Forecast (£)": "forecast"},
            "Measures": {"Measure ID": "id", "Measure type": "type", "Actual": "actual"}}
    return {sheet: {row[f"{sheet[:-1]} ID"]: {key: row[header] for header, key in
                                              names.items()}
                    for row in master.rows(sheet, quarter)}
            for sheet, names in keys.items()}


def backwards(before: dict[str, dict[str, dict[str, Any]]],
              after: dict[str, dict[str, dict[str, Any]]]) -> Iterator[str]:
    """Each way an item went backwards from one quarter to the next."""
    for item, was in before["Actions"].items():
        now = after["Actions"][item]
        if was["status"] in ("Complete", "Cancelled") and now["status"] != was["status"]:
            yield f"{item}: {was['status']} became {now['status']}"
        if was["status"] in STARTED and now["status"] == "Not started":
            yield f"{item}: {was['status']} became Not started"
        if was["complete"] is not None and (now["complete"] or 0) < was["complete"]:
            yield f"{item}: {was['complete']}% complete became {now['complete']}"
        if now["status"] == "Complete" and now["complete"] != 100:
            yield f"{item}: Complete at {now['complete']}%"
    for item, was in before["Savings"].items():
        now = after["Savings"][item]
        if now["delivered"] < was["delivered"]:
            yield f"{item}: delivered to date fell from {was['delivered']} to {now['delivered']}"
        if now["forecast"] < now["delivered"]:
            yield f"{item}: forecast {now['forecast']} below delivered {now['delivered']}"
    for item, was in before["Measures"].items():
        now = after["Measures"][item]
        if was["type"] == "Cumulative" and None not in (was["actual"], now["actual"]) and \
                now["actual"] < was["actual"]:
            yield f"{item}: year to date fell from {was['actual']} to {now['actual']}"


def test_nothing_goes_backwards_after_a_consolidated_quarter(consolidated: Path) -> None:
    before, after = from_master(consolidated, Q1), returned(consolidated, Q2)
    assert list(backwards(before, after)) == []
    # every item was compared, and there was something to keep: finished, started and
    # cancelled actions, savings delivered, running totals
    assert before["Actions"].keys() == after["Actions"].keys()
    assert before["Savings"].keys() == after["Savings"].keys()
    statuses = [row["status"] for row in before["Actions"].values()]
    assert statuses.count("Complete") >= 1 and sum(statuses.count(s) for s in STARTED) >= 10
    assert sum(row["delivered"] > 0 for row in before["Savings"].values()) >= 10
    cumulative = [i for i, row in before["Measures"].items()
                  if row["type"] == "Cumulative" and row["actual"] is not None]
    assert len(cumulative) >= 15
    # a running total builds on last quarter's: it grew for every one reported in both
    grew = [i for i in cumulative if after["Measures"][i]["actual"] is not None]
    assert grew and all(after["Measures"][i]["actual"] > before["Measures"][i]["actual"]
                        for i in grew)


def test_the_second_quarter_still_validates_clean(consolidated: Path) -> None:
    paths = sorted((consolidated / "returns" / Q2).glob("*.xlsx"))
    assert len(paths) == 4
    for path in paths:
        result = validate_file(path, parse_quarter(Q2))
        assert result.errors == [], [f.message for f in result.errors]
    before = Path.cwd()
    os.chdir(consolidated)
    try:
        result = run("validate", "-q", Q2)
    finally:
        os.chdir(before)
    assert "4 accepted" in result.output or "Accepted" in result.output, result.output
    assert "implausible" not in result.output.lower()


def test_without_a_master_the_previous_returns_are_carried_on_from(returns_only: Path) -> None:
    assert not (returns_only / "outputs" / "master.xlsx").exists()
    before, after = returned(returns_only, Q1), returned(returns_only, Q2)
    assert before["Actions"] and list(backwards(before, after)) == []
    for path in sorted((returns_only / "returns" / Q2).glob("*.xlsx")):
        assert validate_file(path, parse_quarter(Q2)).errors == [], path.name


def test_a_first_quarter_is_as_before_and_a_seed_gives_the_same_bytes(
        consolidated: Path, tmp_path: Path) -> None:
    ws = Workspace(consolidated)
    q1, q2 = parse_quarter(Q1), parse_quarter(Q2)
    # nothing before Q1 in the folder: the same files as without a working folder
    plain = simulate_returns(ws.blank(q1), tmp_path / "plain", q1, seed=3)
    remembered = simulate_returns(ws.blank(q1), tmp_path / "remembered", q1, seed=3,
                                  workspace=ws)
    for one, two in zip(plain, remembered, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    # Q2 carried on from the master: the same seed, the same bytes
    first = simulate_returns(ws.blank(q2), tmp_path / "one", q2, seed=3, workspace=ws)
    again = simulate_returns(ws.blank(q2), tmp_path / "two", q2, seed=3, workspace=ws)
    for one, two in zip(first, again, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    # and it is what the command wrote
    for one in first:
        assert one.read_bytes() == (ws.returns(q2) / one.name).read_bytes(), one.name
