"""Consolidate checks the returns while it reads the master (issue 16): what it reports is what
validate reports against the same master, and anything that stops the run stops the workers."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1, Q2
from master_support import Folder, make_folder
from support import set_cells

from workbook_tools.errors import MasterError
from workbook_tools.master import consolidate as master
from workbook_tools.master import figures
from workbook_tools.master.history import previous_context
from workbook_tools.master.ledger import LedgerError
from workbook_tools.master.periods import ClosedQuarterError, close_quarter
from workbook_tools.returns.layout import MEASURES, SAVINGS
from workbook_tools.returns.read import read_return
from workbook_tools.returns.validate import expand_paths, validate_paths


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Folder:
    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "2")  # a pool, on any machine
    return make_folder(tmp_path / "ws", (Q1, Q2))


def _seen(run: Any) -> list[tuple[str, str, list[tuple[str, str, str, str, str]]]]:
    return [(r.path.name, r.status, [(f.severity.value, f.sheet, f.cell, f.code, f.message)
                                     for f in r.findings]) for r in run.results]


def _leans_on_the_master(folder: Folder) -> tuple[str, str]:
    """A Q2 return whose last-quarter cells are blank for a measure and a saving, with figures
    out of line with the master's Q1: the warnings then come from the master alone."""
    path = sorted(folder.returns(Q2).iterdir())[0]
    data = read_return(path).data
    assert data is not None
    context = previous_context(folder.master, Q2)
    measure = next(m for m in data.rows["Measures"] if m["type"] != "Cumulative"
                   and m["unit"] != "%" and context.previous_actuals.get(m["id"]))
    saving = next(s for s in data.rows["Savings"] if context.previous_delivered.get(s["id"]))
    actual, delivered = MEASURES.cell("actual", measure["_row"]), \
        SAVINGS.cell("delivered", saving["_row"])
    set_cells(path, {
        ("Measures", MEASURES.cell("previous", measure["_row"])): None,
        ("Measures", actual): context.previous_actuals[measure["id"]] * 50,
        ("Savings", SAVINGS.cell("previous", saving["_row"])): None,
        ("Savings", delivered): context.previous_delivered[saving["id"]] - 1000,
    })
    return actual, delivered


@pytest.mark.parametrize("kept", ["dicts", "figures"])
@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_consolidate_reports_what_validate_reports_against_the_same_master(
        folder: Folder, start: str, kept: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The warnings that need last quarter's figures are worked out once the master is read,
    in their place: same findings, same order, same text, same verdicts, progress in order;
    with last quarter's figures kept as a large master's are (master/figures.py) too."""
    monkeypatch.setenv("WORKBOOK_TOOLS_START_METHOD", start)
    if kept == "figures":
        monkeypatch.setattr(figures, "COMPACT_FROM", 0)
    actual, delivered = _leans_on_the_master(folder)
    files = expand_paths([folder.returns(Q2)])
    expected = validate_paths(files, Q2, folder.plan, folder.master)
    shown: list[Path] = []

    result = folder.consolidate(Q2, progress=shown.append)

    assert _seen(result.run) == _seen(expected)
    assert shown == files
    first = result.run.results[0]
    assert {(f.sheet, f.cell, f.code) for f in first.warnings} >= {
        ("Measures", actual, "implausible-change"), ("Savings", delivered, "delivered-fell")}


def _damaged(path: Path) -> None:
    set_cells(path, {("Measures", "Z3"): "someone's note"})


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_master_error_while_the_returns_are_checked_stops_the_run_and_every_worker(
        folder: Folder, start: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_START_METHOD", start)
    _damaged(folder.master)
    before = folder.master.read_bytes()
    shown: list[Path] = []

    with pytest.raises(MasterError) as raised:
        folder.consolidate(Q2, progress=shown.append)

    assert str(raised.value).startswith(f"{folder.master}: ")
    assert "Measures!Z3 is in a column workbook-tools does not keep" in str(raised.value)
    assert multiprocessing.active_children() == []
    assert shown == []  # no return is reported as checked
    assert folder.master.read_bytes() == before
    assert not folder.backups.exists()


def test_a_closed_quarter_or_a_bad_ledger_stops_the_workers(folder: Folder) -> None:
    ledger = folder.root / "ledger.csv"
    ledger.write_text("Saving ID,Quarter,Amount\nS-NOPE,2025-26-Q2,12\n", encoding="utf-8")
    before = folder.master.read_bytes()
    with pytest.raises(LedgerError, match="line 2: 'S-NOPE' is not a Saving ID"):
        folder.consolidate(Q2, ledger_csv=ledger)
    assert multiprocessing.active_children() == []

    close_quarter(folder.master, Q1, "tester")
    closed = folder.master.read_bytes()
    with pytest.raises(ClosedQuarterError):
        folder.consolidate(Q1)
    assert multiprocessing.active_children() == []
    assert folder.master.read_bytes() == closed != before


def test_ctrl_c_while_the_master_is_read_ends_every_worker(
        folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(master, "read_master", interrupted)
    with pytest.raises(KeyboardInterrupt):
        folder.consolidate(Q2)
    assert multiprocessing.active_children() == []


def test_an_empty_returns_folder_is_still_reported_after_the_master(folder: Folder) -> None:
    """The master is read first, as before: its error comes before the folder's."""
    shutil.rmtree(folder.returns(Q2))
    folder.returns(Q2).mkdir()
    _damaged(folder.master)
    with pytest.raises(MasterError):
        folder.consolidate(Q2)
