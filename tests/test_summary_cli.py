"""`workbook-tools summarise` on the command line: defaults, exit codes, plain-sentence errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from summary_support import find_row, open_summary, two_quarters, write_master
from support import native

from workbook_tools.cli import cli


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_master_yet(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["summarise", "--quarter", "Q1 2025/26"])
    assert result.exit_code == 2
    assert result.output.strip() == ("Error: " + native("outputs/master.xlsx")
                                     + " does not exist yet: run "
                                     "'workbook-tools consolidate --quarter 2025-26-Q1' first.")


def test_quarter_or_year(folder: Path) -> None:
    both = CliRunner().invoke(cli, ["summarise", "-q", "2025-26-Q1", "--year", "2025-26"])
    assert both.exit_code == 2 and "not both" in both.output
    neither = CliRunner().invoke(cli, ["summarise"])
    assert neither.exit_code == 2
    bad = CliRunner().invoke(cli, ["summarise", "--year", "2025-27"])
    assert bad.exit_code == 2 and "not a financial year" in bad.output
    assert "Traceback" not in bad.output


def test_quarterly_and_annual_to_the_default_paths(folder: Path) -> None:
    write_master(folder / "outputs" / "master.xlsx", two_quarters())
    result = CliRunner().invoke(cli, ["summarise", "--quarter", "2025-26-Q2"])
    assert result.exit_code == 0, result.output
    assert "Wrote " + native("outputs/summary-2025-26-Q2.xlsx") + ": 10 sheets" in result.output
    assert "Measures: 3 Green, 1 Amber, 1 Red, 0 not rated (of 5)." in result.output
    assert (folder / "outputs" / "summary-2025-26-Q2.xlsx").exists()
    annual = CliRunner().invoke(cli, ["summarise", "--year", "2025/26"])
    assert annual.exit_code == 0, annual.output
    assert (folder / "outputs" / "annual-2025-26.xlsx").exists()


def test_a_quarter_missing_from_the_master(folder: Path) -> None:
    write_master(folder / "outputs" / "master.xlsx", two_quarters())
    result = CliRunner().invoke(cli, ["summarise", "-q", "2025-26-Q4"])
    assert result.exit_code == 2
    assert "has no rows for 2025-26-Q4 (quarters in it: 2025-26-Q1, 2025-26-Q2)" in result.output


def test_plan_gives_the_council_and_the_target(folder: Path, workspace: Path) -> None:
    write_master(folder / "m.xlsx", two_quarters())
    out = folder / "s.xlsx"
    result = CliRunner().invoke(cli, ["summarise", "-q", "2025-26-Q2", "--master", "m.xlsx",
                                      "--out", str(out), "--plan",
                                      str(workspace / "templates" / "plan.xlsx")])
    assert result.exit_code == 0, result.output
    overview = open_summary(out)["Overview"]
    assert overview["A1"].value.startswith("Derbyshire County Council:")
    row = find_row(overview, "Programme target")
    assert overview.cell(row, 2).value == 37_500_000


def test_not_a_master(folder: Path) -> None:
    (folder / "outputs").mkdir()
    (folder / "outputs" / "master.xlsx").write_text("not a workbook")
    result = CliRunner().invoke(cli, ["summarise", "-q", "2025-26-Q1"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: " + native("outputs/master.xlsx"))
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["summarise", "export", "demo"])
def test_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"workbook-tools {command}" in result.output
