"""The CLI's foundation through CliRunner: help and version, init, plan check, generate and
simulate, their exit codes (0 ok, 1 data problems, 2 usage or configuration) and their
messages (one plain sentence naming the file, never a traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner, Result
from support import native

from workbook_tools import __version__
from workbook_tools.cli import cli
from workbook_tools.plan.examples import example_rows, write_register


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_sentence(result: Result) -> str:
    """The error a failed command printed: one line, no traceback."""
    text = result.output.strip()
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, text
    return lines[0]


@pytest.fixture
def here(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(workspace)
    return workspace


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", all_commands(cli), ids=lambda c: " ".join(c) or "cli")
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "workbook-tools " in result.output.split("Example:", 1)[1]


def test_the_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"workbook-tools, version {__version__}"


def test_python_dash_m_runs_the_same_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "workbook_tools", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"workbook-tools, version {__version__}"


# --- init ----------------------------------------------------------------------------------


def test_init_makes_a_working_folder(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "council"), "--example", "derby")
    assert result.exit_code == 0, result.output
    plan = tmp_path / "council" / "templates" / "plan.xlsx"
    assert plan.exists() and (tmp_path / "council" / "returns").is_dir()
    assert (tmp_path / "council" / "outputs").is_dir()
    assert "Next: cd" in result.output
    assert openpyxl.load_workbook(plan)["Settings"]["B2"].value == "Derby City Council"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run("init", str(folder))
    assert result.exit_code == 2
    assert "is not empty" in one_sentence(result) and "--force" in result.output
    assert not (folder / "templates").exists()
    forced = run("init", str(folder), "--force")
    assert forced.exit_code == 0
    assert (folder / "templates" / "plan.xlsx").exists() and (folder / "notes.txt").exists()


def test_init_refuses_an_unknown_example(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "x"), "--example", "leeds")
    assert result.exit_code == 2
    assert "'leeds' is not one of 'derbyshire', 'derby'" in result.output


# --- plan check ----------------------------------------------------------------------------


def test_plan_check_on_a_sound_register(here: Path) -> None:
    result = run("plan", "check")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(native("templates/plan.xlsx") + ": no problems. "
                                    "Derbyshire County Council, 2025-26: 4 directorates, "
                                    "24 objectives")
    assert "(£37,500,000)" in result.output


def test_plan_check_lists_every_problem_with_its_cell(here: Path, tmp_path: Path) -> None:
    rows = example_rows("derbyshire")
    rows["Measures"][3][2] = "XX"
    rows["Actions"][2][0] = rows["Actions"][1][0]
    path = tmp_path / "broken.xlsx"
    write_register(rows, path)
    result = run("plan", "check", "--plan", str(path))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [
        f"{path}: Measures!C4: 'XX' is not a directorate code in the register",
        f"{path}: Actions!A3: '{rows['Actions'][1][0]}' is a duplicate Action ID (first used "
        "in row 2)",
        "2 problems in the register.",
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no plan register here"),
        (b"Setting,Value\n", "is a text file"),
        (b"PK\x03\x04 not really a zip", "is damaged"),
        (b"", "is empty"),
    ],
    ids=["missing", "csv", "damaged", "empty"],
)
def test_plan_check_on_a_register_it_cannot_read(here: Path, content: bytes | None,
                                                 words: str) -> None:
    path = here / "templates" / "plan.xlsx"
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)
    result = run("plan", "check")
    assert result.exit_code == 2
    message = one_sentence(result)
    assert words in message and str(path) in message


# --- generate ------------------------------------------------------------------------------


def test_generate_writes_one_return_per_directorate(here: Path) -> None:
    result = run("generate", "--quarter", "Q1 2025/26")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (here / "outputs" / "blank" / "2025-26-Q1").iterdir())
    assert written == ["ASCH_2025-26-Q1.xlsx", "CST_2025-26-Q1.xlsx", "CS_2025-26-Q1.xlsx",
                       "PL_2025-26-Q1.xlsx"]
    assert "Wrote " + native("outputs/blank/2025-26-Q1/CS_2025-26-Q1.xlsx") in result.output
    assert result.output.strip().endswith(
        "4 returns for 2025-26-Q1; deadline Tuesday 15 July 2025.")


def test_generate_for_some_directorates_into_a_folder(here: Path, tmp_path: Path) -> None:
    result = run("generate", "-q", "2025-26-Q2", "-d", "PL", "--directorate", "CS",
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "CS_2025-26-Q2.xlsx", "PL_2025-26-Q2.xlsx"]
    assert "2 returns for 2025-26-Q2" in result.output


def test_generate_refuses_a_bad_quarter(here: Path) -> None:
    result = run("generate", "--quarter", "2025 Q1")
    assert result.exit_code == 2
    assert "'2025 Q1' is not a quarter. Use one of: 2025-26-Q1, 2025/26 Q1" in result.output
    assert "Traceback" not in result.output
    assert not (here / "outputs" / "blank").exists()


def test_generate_refuses_an_unknown_directorate(here: Path) -> None:
    result = run("generate", "-q", "2025-26-Q1", "-d", "HR")
    assert result.exit_code == 2
    assert one_sentence(result) == ("Error: 'HR' is not a directorate in the register. Known: "
                                    "CS, ASCH, PL, CST.")


def test_generate_without_a_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("generate", "-q", "2025-26-Q1")
    assert result.exit_code == 2
    assert "no plan register here" in one_sentence(result)


def test_generate_with_an_invalid_plan(here: Path, tmp_path: Path) -> None:
    rows = example_rows("derbyshire")
    rows["Measures"][1][4] = "percent"
    rows["Measures"][2][7] = "lots"
    path = tmp_path / "invalid.xlsx"
    write_register(rows, path)
    result = run("generate", "-q", "2025-26-Q1", "--plan", str(path))
    assert result.exit_code == 2
    message = one_sentence(result)
    assert message.startswith(f"Error: {path}: Measures!E2: 'percent' is not a valid unit")
    assert message.endswith("(and 1 more; run 'workbook-tools plan check')")
    assert not (here / "outputs" / "blank").exists()


def test_generate_with_a_plan_that_is_not_a_workbook(here: Path) -> None:
    (here / "templates" / "plan.xlsx").write_text("Setting,Value\n")
    result = run("generate", "-q", "2025-26-Q1")
    assert result.exit_code == 2
    assert "not an Excel workbook" in one_sentence(result)


# --- simulate ------------------------------------------------------------------------------


def test_simulate_fills_the_generated_returns(here: Path) -> None:
    assert run("generate", "-q", "2025-26-Q1").exit_code == 0
    result = run("simulate", "-q", "2025-26-Q1", "--seed", "4", "--error-rate", "0.1")
    assert result.exit_code == 0, result.output
    assert len(list((here / "returns" / "2025-26-Q1").glob("*.xlsx"))) == 4
    assert result.output.strip().endswith("4 completed returns for 2025-26-Q1.")


def test_simulate_before_generate(here: Path) -> None:
    result = run("simulate", "-q", "2025-26-Q1")
    assert result.exit_code == 2
    assert "Run 'workbook-tools generate --quarter 2025-26-Q1' first" in one_sentence(result)


def test_simulate_refuses_an_error_rate_above_one(here: Path) -> None:
    result = run("simulate", "-q", "2025-26-Q1", "--error-rate", "1.5")
    assert result.exit_code == 2
    assert "--error-rate" in result.output
