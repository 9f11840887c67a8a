"""An unexpected problem (a bug of ours) is one sentence naming the file the tool was working
on, never a traceback; `--debug` shows the traceback behind it for the bug report."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tools.cli import cli
from workbook_tools.plan import register


@pytest.fixture
def broken_loader(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the loader")

    monkeypatch.chdir(workspace)
    monkeypatch.setattr(register, "plan_from_rows", boom)
    monkeypatch.delenv("WORKBOOK_TOOLS_DEBUG", raising=False)
    return workspace


def test_unexpected_problem_names_the_file_without_a_traceback(broken_loader: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", "--quarter", "2025-26-Q1"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    line = result.output.strip()
    assert line.startswith("Error: unexpected problem with ")
    assert str(Path("templates") / "plan.xlsx") in line
    assert "RuntimeError: a bug in the loader" in line
    assert "--debug" in line and len(line.splitlines()) == 1


def test_debug_shows_the_traceback(broken_loader: Path) -> None:
    result = CliRunner().invoke(cli, ["--debug", "generate", "--quarter", "2025-26-Q1"])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.output
    assert "in boom" in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: unexpected problem with ")
