"""The consolidate command: exit codes, what it prints, and errors as one sentence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Q1
from master_support import Folder, make_folder
from support import native, set_cells

from workbook_tools.cli import cli
from workbook_tools.master.consolidate import read_master
from workbook_tools.returns.read import read_return


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Folder:
    folder = make_folder(tmp_path / "ws")
    monkeypatch.chdir(folder.root)
    return folder


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_consolidate_accepts_every_return_and_exits_0(folder: Folder) -> None:
    result = run("consolidate", "--quarter", "Q1 2025/26")

    assert result.exit_code == 0, result.output
    assert native(f"returns/{Q1}/CS_{Q1}.xlsx") + ": Accepted" in result.output
    assert "Wrote " + native("outputs/master.xlsx") + f": {Q1} has " in result.output
    assert read_master(folder.master).quarters() == [str(Q1)]

    again = run("consolidate", "-q", str(Q1))
    assert again.exit_code == 0
    assert "Previous master kept as " + native("outputs/backups/master-") in again.output


def test_a_rejected_return_exits_1_and_the_master_has_the_rest(folder: Folder) -> None:
    path = folder.returns(Q1) / f"CS_{Q1}.xlsx"
    data = read_return(path).data
    assert data is not None
    set_cells(path, {("Risks", f"E{data.rows['Risks'][0]['_row']}"): 9})

    result = run("consolidate", "-q", str(Q1))

    assert result.exit_code == 1, result.output
    assert f"CS_{Q1}.xlsx: Rejected (1 error)" in result.output
    assert "Rejected returns were left out" in result.output
    directorates = {r["Directorate"] for r in read_master(folder.master).rows("Risks")}
    assert "CS" not in directorates and len(directorates) == len(folder.plan.directorates) - 1


def test_problems_with_the_master_or_ledger_are_one_sentence_and_exit_2(
        folder: Folder, tmp_path: Path) -> None:
    run("consolidate", "-q", str(Q1))
    before = folder.master.read_bytes()
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,lots\n")

    result = run("consolidate", "-q", str(Q1), "--ledger", str(ledger))

    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {ledger}, line 2: 'lots' is not an amount")
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    (folder.master.parent / "~$master.xlsx").write_text("x")
    locked = run("consolidate", "-q", str(Q1))
    assert locked.exit_code == 2
    assert native("outputs/master.xlsx") + ": is open in another program" in locked.output
    assert folder.master.read_bytes() == before
    assert run("consolidate", "-q", "2025 Q1").exit_code == 2


def test_consolidate_help_has_an_example() -> None:
    result = run("consolidate", "--help")
    assert result.exit_code == 0
    assert "Example:\n    workbook-tools consolidate --quarter 2025-26-Q1" in result.output
